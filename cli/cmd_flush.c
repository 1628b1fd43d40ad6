/* cmd_flush.c: `ctadvisor flush FILTER...`: count and show the matching
 * flows, check that deleting them breaks nothing, confirm, delete, report.
 * Filtering and the kernel side are flush.c / flush_nl.c. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd.h"
#include "../collect/invalid_kernel.h"
#include "../nl/flush_nl.h"
#include "../collect/netns.h"
#include "../sysctl/sysctl.h"

static const char flush_usage[] =
    "Usage: ctadvisor flush FILTER... [--dry-run] [--yes] [--force] [--netns NS]\n"
    "       ctadvisor flush --all [--dry-run] [--yes] [--force] [--netns NS]\n"
    "\n"
    "Deletes the conntrack entries that match every FILTER given (like conntrack -D),\n"
    "showing how many match, and up to 5 of them, first. Addresses and ports are\n"
    "those of the original direction. A new packet of a deleted UDP flow creates a\n"
    "new entry, so new NAT rules or newly enabled accounting apply to it. TCP\n"
    "connections past the handshake that are NATed (source or destination NAT,\n"
    "masquerade) are left alone: deleted, one would be picked up again with a new\n"
    "NAT binding (another source port) the peer does not know, and break.\n"
    "\n"
    "Filters:\n"
    "  -f, --family F        ipv4 or ipv6\n"
    "  -p, --proto P         tcp, udp, udplite, sctp, dccp, icmp, icmpv6, gre, or a\n"
    "                        protocol number\n"
    "  -s, --src ADDR[/LEN]  original source address or prefix\n"
    "  -d, --dst ADDR[/LEN]  original destination address or prefix\n"
    "      --sport N         original source port\n"
    "      --dport N         original destination port\n"
    "      --state S         TCP state (ESTABLISHED, TIME_WAIT, ...; implies tcp)\n"
    "      --unreplied       no reply seen yet\n"
    "      --assured         assured flows\n"
    "      --src-nat         source-NATed flows;  --dst-nat: destination-NATed\n"
    "      --mark M[/MASK]   (mark & MASK) == M, decimal or 0x hex\n"
    "      --zone Z          conntrack zone\n"
    "      --no-acct         flows without byte/packet counters (created before\n"
    "                        nf_conntrack_acct was turned on)\n"
    "      --no-tstamp       flows without timestamps (before nf_conntrack_timestamp)\n"
    "      --all             every flow; required to flush without a filter, since\n"
    "                        an empty filter is never taken to mean everything\n"
    "\n"
    "Options:\n"
    "  -n, --netns NS        act in network namespace NS (name, path, or PID)\n"
    "      --dry-run         count and show, delete nothing\n"
    "  -y, --yes             do not ask (required when stdin is not a terminal)\n"
    "      --force           also delete NATed TCP connections, and TCP flows past\n"
    "                        the handshake when nf_conntrack_tcp_loose=0 and a rule\n"
    "                        drops ct state invalid or the ruleset cannot be read\n"
    "                        (those connections break)\n"
    "  -h, --help            show this help\n"
    "\n"
    "Exit status: 0 deleted (or nothing matched, or --dry-run), 1 refused or\n"
    "aborted (nothing deleted), 2 some deletes failed, 3 usage or environment error.\n"
    "Example: ctadvisor flush --netns router -p udp --dport 4789 --yes\n";

enum {
	OPT_SPORT = 256,
	OPT_DPORT,
	OPT_STATE,
	OPT_UNREPLIED,
	OPT_ASSURED,
	OPT_SRC_NAT,
	OPT_DST_NAT,
	OPT_MARK,
	OPT_ZONE,
	OPT_NO_ACCT,
	OPT_NO_TSTAMP,
	OPT_ALL,
	OPT_DRY_RUN,
	OPT_FORCE
};

static const struct option flush_options[] = {
    {"family", required_argument, NULL, 'f'},
    {"proto", required_argument, NULL, 'p'},
    {"src", required_argument, NULL, 's'},
    {"dst", required_argument, NULL, 'd'},
    {"sport", required_argument, NULL, OPT_SPORT},
    {"dport", required_argument, NULL, OPT_DPORT},
    {"state", required_argument, NULL, OPT_STATE},
    {"unreplied", no_argument, NULL, OPT_UNREPLIED},
    {"assured", no_argument, NULL, OPT_ASSURED},
    {"src-nat", no_argument, NULL, OPT_SRC_NAT},
    {"dst-nat", no_argument, NULL, OPT_DST_NAT},
    {"mark", required_argument, NULL, OPT_MARK},
    {"zone", required_argument, NULL, OPT_ZONE},
    {"no-acct", no_argument, NULL, OPT_NO_ACCT},
    {"no-tstamp", no_argument, NULL, OPT_NO_TSTAMP},
    {"all", no_argument, NULL, OPT_ALL},
    {"dry-run", no_argument, NULL, OPT_DRY_RUN},
    {"yes", no_argument, NULL, 'y'},
    {"force", no_argument, NULL, OPT_FORCE},
    {"netns", required_argument, NULL, 'n'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

struct flush_args {
	struct flush_filter filter;
	const char *netns;
	bool dry_run, yes, force;
};

/* The filter name of a getopt result (its long name), or NULL. */
static const char *filter_name(int opt)
{
	for (size_t i = 0; flush_options[i].name != NULL; i++)
		if (flush_options[i].val == opt && opt != 'n' && opt != 'y' && opt != 'h' &&
		    opt != OPT_DRY_RUN && opt != OPT_FORCE)
			return flush_options[i].name;
	return NULL;
}

/* 0, or -1 after printing a usage error. */
static int take_option(struct flush_args *a, int opt, const char *val)
{
	const char *name = filter_name(opt);
	int rc;

	switch (opt) {
	case 'n':
		a->netns = val;
		if (val[0] != '\0')
			return 0;
		cmd_usage_error("flush", "--netns needs a namespace");
		return -1;
	case 'y':
		a->yes = true;
		return 0;
	case OPT_DRY_RUN:
		a->dry_run = true;
		return 0;
	case OPT_FORCE:
		a->force = true;
		return 0;
	}
	rc = name != NULL ? flush_filter_set(&a->filter, name, val) : -ENOENT;
	if (rc == -EEXIST)
		cmd_usage_error("flush", "--%s given twice", name);
	else if (rc < 0)
		cmd_usage_error("flush", "invalid value for --%s: '%s'", name ? name : "?",
				val ? val : "");
	return rc < 0 ? -1 : 0;
}

static const char *finish_error(int rc)
{
	if (rc == -ENODATA)
		return "no filter given; name the flows to delete (see --help), or pass --all "
		       "to delete every flow";
	return "the filters contradict each other (--all with a filter, an address of the "
	       "other family, ports or --state for a protocol without them)";
}

static const char *flush_option(int opt, const char *val, void *args)
{
	return take_option(args, opt, val) < 0 ? CMD_OPTION_REPORTED : NULL;
}

/* 0 to run, 1 for --help, -1 after a usage error was printed. */
static int parse_flush_args(int argc, char **argv, struct flush_args *a)
{
	int rc;

	memset(a, 0, sizeof(*a));
	flush_filter_init(&a->filter);
	rc =
	    cmd_parse_options("flush", argc, argv, "+f:p:s:d:n:yh", flush_options, flush_option, a);
	if (rc != 0)
		return rc;
	if (optind < argc) {
		cmd_usage_error("flush", "unexpected argument '%s'", argv[optind]);
		return -1;
	}
	rc = flush_filter_finish(&a->filter);
	if (rc < 0) {
		cmd_usage_error("flush", "%s", finish_error(rc));
		return -1;
	}
	return 0;
}

static void show_scan(const struct flush_scan *s)
{
	printf("%llu of %llu flows match the filter\n", (unsigned long long)s->matched,
	       (unsigned long long)s->entries);
	for (size_t i = 0; i < s->n_examples; i++)
		printf("  %s\n", s->examples[i]);
	if (s->matched > s->n_examples)
		printf("  ... and %llu more\n", (unsigned long long)(s->matched - s->n_examples));
	if (s->is_interrupted)
		printf("note: the table changed during the count; the numbers are approximate\n");
	if (s->bad > 0)
		printf("note: %llu entries could not be decoded and are left alone\n",
		       (unsigned long long)s->bad);
}

/* Whether deleting these flows is safe for their TCP connections: they
 * break only when nf_conntrack_tcp_loose=0 (no mid-stream pick-up) AND a
 * rule drops the INVALID packets that follow; a ruleset that cannot be read
 * counts as such a rule. */
static int64_t tcp_loose_value(void)
{
	struct sysctl_ctx ctx;
	int64_t loose = 1;

	sysctl_ctx_init(&ctx, NULL);
	if (sysctl_read_i64(&ctx, "net.netfilter.nf_conntrack_tcp_loose", &loose) < 0)
		loose = 1;
	return loose;
}

/* Whether deleting a TCP flow past the handshake breaks it here: the same
 * test as tcp_safe(), for the flows that got there after the count. */
static bool tcp_delete_breaks(void)
{
	char where[FLUSH_WHERE_LEN] = "";

	return tcp_loose_value() == 0 && invalid_kernel_ruleset_drops(where, sizeof(where)) != 0;
}

/* The NATed TCP connections among the matches: left alone without --force. */
static void nat_note(const struct flush_scan *s, bool force)
{
	if (s->nat_tcp == 0)
		return;
	printf("note: %llu of the matching flows are NATed TCP connections past the handshake "
	       "(source or destination NAT, masquerade): deleted, each would be picked up "
	       "again with a new NAT binding (another source port) that its peer does not know, "
	       "and break. %s\n",
	       (unsigned long long)s->nat_tcp,
	       force ? "--force given: deleting them too."
		     : "They are left alone; add --force to delete them too.");
}

static bool tcp_safe(const struct flush_scan *s, bool force)
{
	/* without --force the NATed ones are spared anyway */
	uint64_t n = s->established_tcp - (force ? 0 : s->nat_tcp);
	char where[FLUSH_WHERE_LEN] = "";
	int drops;

	if (n == 0)
		return true;
	if (tcp_loose_value() != 0) {
		printf("note: %llu TCP flows past the handshake match; with "
		       "nf_conntrack_tcp_loose=1 the next packet of each creates its entry "
		       "again (as a new pick-up)\n",
		       (unsigned long long)n);
		return true;
	}
	drops = invalid_kernel_ruleset_drops(where, sizeof(where));
	fflush(stdout);
	if (drops == 0) {
		printf("note: %llu TCP flows past the handshake match and "
		       "nf_conntrack_tcp_loose=0: their next packets are INVALID, but no rule of "
		       "this namespace's ruleset (nft, iptables-save) drops ct state invalid, so "
		       "they pass untracked (a NATed connection among them loses its mapping)\n",
		       (unsigned long long)n);
		return true;
	}
	fprintf(stderr,
		"ctadvisor flush: %llu of the matching flows are TCP connections past the "
		"handshake (ESTABLISHED, SYN_RECV, FIN_WAIT, CLOSE_WAIT, LAST_ACK) and "
		"nf_conntrack_tcp_loose=0 here: the kernel will not pick a connection up again "
		"mid-stream, so the next packet of each is INVALID, and %s%s: those connections "
		"break.\n",
		(unsigned long long)n,
		drops > 0 ? "a rule drops INVALID packets: "
			  : "the ruleset could not be read "
			    "(none of nft, iptables-save, "
			    "ip6tables-save ran), so a rule "
			    "dropping INVALID packets may exist",
		drops > 0 ? where : "");
	if (force) {
		fprintf(stderr, "ctadvisor flush: --force given: deleting them anyway\n");
		return true;
	}
	fprintf(stderr, "Narrow the filter (e.g. --proto udp, or --state TIME_WAIT), set "
			"nf_conntrack_tcp_loose=1 first, or add --force to delete them anyway.\n");
	return false;
}

static int do_delete(const struct flush_args *a, const struct flush_scan *s)
{
	/* Flows that became established TCP since the count are re-checked at
	 * delete time and spared where deleting them would break them. */
	unsigned spare =
	    a->force ? FLUSH_SPARE_NONE
		     : FLUSH_SPARE_NAT_TCP | (tcp_delete_breaks() ? FLUSH_SPARE_ESTABLISHED : 0);
	struct flush_result r;
	int rc =
	    flush_delete_matches(&a->filter, (unsigned)(s->matched / FLUSH_BATCH) + 4, spare, &r);

	if (rc < 0) {
		fprintf(stderr, "ctadvisor flush: the table dump failed: %s\n", strerror(-rc));
		return CT_EXIT_FAILED;
	}
	printf("deleted %llu flows; %llu vanished on their own meanwhile\n",
	       (unsigned long long)r.deleted, (unsigned long long)r.vanished);
	if (r.spared > 0)
		printf("left %llu established TCP flows alone: they match but were established by "
		       "the time of the delete, and nf_conntrack_tcp_loose=0 would break them; run "
		       "the flush again to see them counted, or add --force to delete them\n",
		       (unsigned long long)r.spared);
	if (r.spared_nat > 0)
		printf("left %llu NATed TCP connections alone (add --force to delete them too)\n",
		       (unsigned long long)r.spared_nat);
	if (r.failed > 0) {
		fprintf(stderr, "ctadvisor flush: %llu deletes failed: %s\n",
			(unsigned long long)r.failed, strerror(-r.first_err));
		return CT_EXIT_FAILED;
	}
	return CT_EXIT_OK;
}

static void scan_error(int rc)
{
	if (rc == -EPERM)
		fprintf(stderr, "ctadvisor flush: reading the table needs CAP_NET_ADMIN in this "
				"network namespace; run as root\n");
	else if (rc == -EPROTONOSUPPORT || rc == -EOPNOTSUPP)
		fprintf(stderr,
			"ctadvisor flush: needs ctnetlink: modprobe nf_conntrack_netlink\n");
	else
		fprintf(stderr, "ctadvisor flush: the table dump failed: %s\n", strerror(-rc));
}

static int run_flush(const struct flush_args *a)
{
	struct flush_scan s;
	int rc = flush_scan_table(&a->filter, &s);

	if (rc < 0) {
		scan_error(rc);
		return CT_EXIT_USAGE;
	}
	show_scan(&s);
	if (s.matched == 0) {
		printf("nothing to flush\n");
		return CT_EXIT_OK;
	}
	nat_note(&s, a->force);
	if (!a->force && s.matched == s.nat_tcp) {
		printf("nothing to flush: every match is a NATed TCP connection\n");
		return CT_EXIT_OK;
	}
	if (!tcp_safe(&s, a->force))
		return CT_EXIT_REFUSED;
	if (a->dry_run) {
		printf("dry run: nothing deleted\n");
		return CT_EXIT_OK;
	}
	if (!cmd_confirm("flush", "Delete these flows?", "delete", a->yes))
		return CT_EXIT_REFUSED;
	return do_delete(a, &s);
}

int cmd_flush(int argc, char **argv)
{
	struct netns_switch sw = {.orig_fd = -1};
	struct flush_args a;
	int rc = parse_flush_args(argc, argv, &a);

	if (rc != 0) {
		if (rc > 0)
			fputs(flush_usage, stdout);
		return rc > 0 ? CT_EXIT_OK : CT_EXIT_USAGE;
	}
	if (cmd_netns_enter("flush", a.netns, &sw) < 0)
		return CT_EXIT_USAGE;
	rc = run_flush(&a);
	netns_leave(&sw);
	return rc;
}
