/* cmd_inventory.c: every network namespace on the host, its owner and its
 * conntrack figures, from one process. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd.h"
#include "../collect/collect.h"
#include "../collect/inventory_scan.h"
#include "../render/inventory_render.h"
#include "../collect/netns.h"

#define DEFAULT_TOP 20

struct inventory_args {
	enum cli_format format;
	uint64_t top;
	bool do_walk;
};

static const char inventory_usage[] =
    "Usage: ctadvisor inventory [OPTIONS]\n"
    "\n"
    "Every network namespace on the host (pinned under /run/netns, docker's and\n"
    "other nsfs mounts, and those of every process), with its owner (Kubernetes\n"
    "pod, container, processes, or netns name), its conntrack entries and % of\n"
    "nf_conntrack_max (which each namespace may fill on its own), its drop,\n"
    "early_drop, insert_failed and invalid counters, and the conntrack sysctls it\n"
    "sets differently from the initial namespace. Totals: entries of all\n"
    "namespaces against the shared hash table (load = 2 x entries / buckets) and\n"
    "against RAM. Pinned namespaces with no process are marked (normal for ip\n"
    "netns routers); with no conntrack entries either, as possible leaks. Needs\n"
    "root (setns and ctnetlink).\n"
    "\n"
    "Options:\n"
    "  -f, --format FMT   text (default), json, or prometheus\n"
    "      --top N        namespaces listed in text, highest count first (default 20,\n"
    "                     0 for all); json and prometheus list all\n"
    "      --walk         also walk each namespace's table for its live entries\n"
    "  -h, --help         show this help\n"
    "\n"
    "Exit status: 0 every namespace was read, 1 some could not be, 3 failure\n"
    "(also for bad options).\n"
    "Example: ctadvisor inventory --top 10\n";

enum {
	OPT_TOP = 256,
	OPT_WALK,
};

static const struct option inventory_options[] = {
    {"format", required_argument, NULL, 'f'},
    {"top", required_argument, NULL, OPT_TOP},
    {"walk", no_argument, NULL, OPT_WALK},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static const char *inventory_option(int opt, const char *val, void *args)
{
	struct inventory_args *a = args;

	switch (opt) {
	case 'f':
		return cli_parse_format(val, &a->format) < 0 ? "--format" : NULL;
	case OPT_TOP:
		return cli_parse_u64(val, &a->top) < 0 ? "--top" : NULL;
	case OPT_WALK:
		a->do_walk = true;
		return NULL;
	default:
		return "?";
	}
}

/* 0 to run, 1 for --help, -1 after a usage error was printed. */
static int parse_inventory_args(int argc, char **argv, struct inventory_args *a)
{
	int rc;

	a->format = CLI_FORMAT_TEXT;
	a->top = DEFAULT_TOP;
	a->do_walk = false;
	rc = cmd_parse_options("inventory", argc, argv, "+f:h", inventory_options, inventory_option,
			       a);
	if (rc != 0)
		return rc;
	if (optind < argc) {
		cmd_usage_error("inventory", "unexpected argument '%s'", argv[optind]);
		return -1;
	}
	return 0;
}

/* The global figures, from the namespace ctadvisor runs in. */
static void read_host(const struct sysctl_ctx *ctx, struct inv_host *host)
{
	struct ct_snapshot snap;

	snap_init(&snap);
	collect_host(&snap, ctx, "/proc");
	host->slab_obj_bytes = snap.has_slab ? snap.slab_obj_bytes : 0;
	host->ram_bytes = snap.ram_bytes;
	snap_free(&snap);
	host->is_init = netns_is_init(ctx);
	if (sysctl_read_i64(ctx, "net.netfilter.nf_conntrack_max", &host->max) < 0)
		host->max = -1;
	if (sysctl_read_i64(ctx, "net.netfilter.nf_conntrack_buckets", &host->buckets) < 0)
		host->buckets = -1;
}

static int render(const struct inventory *inv, const struct inv_host *host,
		  const struct inventory_args *a)
{
	switch (a->format) {
	case CLI_FORMAT_JSON:
		return inventory_render_json(stdout, inv, host);
	case CLI_FORMAT_PROMETHEUS:
		return inventory_render_prom(stdout, inv, host);
	default:
		return inventory_render_text(stdout, inv, host, (size_t)a->top, a->do_walk);
	}
}

static int run(const struct inventory_args *a)
{
	struct inventory inv;
	struct inv_host host = {0};
	struct inv_totals t;
	struct sysctl_ctx ctx;
	int rc;

	sysctl_ctx_init(&ctx, NULL);
	read_host(&ctx, &host);
	rc = inventory_scan(&inv, "/", true);
	if (rc < 0) {
		fprintf(stderr, "ctadvisor inventory: finding namespaces failed: %s\n",
			strerror(-rc));
		return CT_EXIT_UNKNOWN;
	}
	rc = inventory_collect(&inv, &ctx, a->do_walk);
	if (rc < 0) {
		/* Still inside some namespace: nothing printed would be true. */
		fprintf(stderr,
			"ctadvisor inventory: cannot return to the original network "
			"namespace: %s\n",
			strerror(-rc));
		exit(CT_EXIT_UNKNOWN);
	}
	inventory_sort(&inv);
	inventory_totals(&inv, &host, &t);
	rc = render(&inv, &host, a);
	inventory_free(&inv);
	if (rc < 0 || fflush(stdout) == EOF) {
		fprintf(stderr, "ctadvisor inventory: writing the report failed\n");
		return CT_EXIT_UNKNOWN;
	}
	return (int)t.exit_code;
}

int cmd_inventory(int argc, char **argv)
{
	struct inventory_args a;
	int rc = parse_inventory_args(argc, argv, &a);

	if (rc > 0) {
		fputs(inventory_usage, stdout);
		return 0;
	}
	if (rc < 0)
		return CT_EXIT_UNKNOWN;
	return run(&a);
}
