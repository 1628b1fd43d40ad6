/* cmd_apply.c: `ctadvisor apply`: build the change set, show it as a diff,
 * confirm, save the undo record, write in the safe order with read-back and
 * rollback (sysctl_apply()), then persist and point at the flows a newly
 * enabled extension does not reach. Nothing is written before the undo
 * record is on disk, and nothing at all when a knob is read-only here. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "apply_persist.h"
#include "cli.h"
#include "cmd.h"
#include "../analysis/ruleset.h"
#include "../nl/flush_nl.h"
#include "../collect/netns.h"
#include "statedir.h"
#include "../sysctl/undo.h"

enum { APPLY_OK = 0, APPLY_REFUSED = 1, APPLY_FAILED = 2, APPLY_USAGE = 3 };

#define APPLY_MAX 64
#define WHY_LEN   96
#define ACCT      "net.netfilter.nf_conntrack_acct"
#define TSTAMP    "net.netfilter.nf_conntrack_timestamp"
#define KNOB_PFX  "net.netfilter.nf_conntrack_"
#define HASHSIZE  "module.nf_conntrack.hashsize"

static const char apply_usage[] =
    "Usage: ctadvisor apply [--set KNOB=VALUE ...] [--from-plan FILE] [--enable-acct]\n"
    "                       [--enable-timestamp] [--dry-run] [--yes] [--persist]\n"
    "                       [--sysctl-dir DIR] [--modprobe-dir DIR]\n"
    "                       [--modules-load-dir DIR] [--flush]\n"
    "                       [--netns NS]\n"
    "\n"
    "Writes conntrack settings safely: shows each change (knob, current -> new, why),\n"
    "asks on a terminal (only --yes proceeds otherwise), saves an undo record\n"
    "before writing anything, writes in a safe order (sizing last: the hash resize\n"
    "locks the whole table), reads every value back, and on any failure restores\n"
    "what was already written and says so. Running it again changes nothing.\n"
    "\n"
    "Options:\n"
    "  -s, --set KNOB=VALUE  a knob: net.netfilter.nf_conntrack_X or nf_conntrack_X,\n"
    "                        or module.nf_conntrack.hashsize; values are numbers\n"
    "      --from-plan FILE  the knobs of a plan file: a JSON object with\n"
    "                        \"recommendation\": {KNOB: \"VALUE\", ...}, e.g.\n"
    "                        {\"net.netfilter.nf_conntrack_max\": \"524288\"}, as\n"
    "                        'ctadvisor plan --save' writes it\n"
    "      --enable-acct     nf_conntrack_acct=1 (per-flow byte/packet counters)\n"
    "      --enable-timestamp  nf_conntrack_timestamp=1 (flow start/stop times)\n"
    "      --dry-run         show the changes, write nothing\n"
    "  -y, --yes             do not ask (required when stdin is not a terminal)\n"
    "      --persist         also write DIR/90-ctadvisor.conf (sysctl.d) and, when\n"
    "                        nf_conntrack is a module, the hash size to\n"
    "                        DIR/ctadvisor-nf_conntrack.conf (modprobe.d) and a\n"
    "                        modules-load.d entry that loads it before sysctl.d is\n"
    "                        applied; host only. The undo record keeps each file's\n"
    "                        content before, so undo restores it too\n"
    "      --sysctl-dir DIR  where --persist writes (default /etc/sysctl.d)\n"
    "      --modprobe-dir DIR  (default /etc/modprobe.d)\n"
    "      --modules-load-dir DIR  (default /etc/modules-load.d)\n"
    "      --flush           after enabling acct/timestamps, delete the flows created\n"
    "                        before (they never get counters); otherwise the command\n"
    "                        doing it is printed. Never automatic\n"
    "  -n, --netns NS        act in network namespace NS (name, path, or PID)\n"
    "  -h, --help            show this help\n"
    "\n"
    "nf_conntrack_max, _buckets, _expect_max and the hashsize parameter are global:\n"
    "only the initial (host) network namespace can change them.\n"
    "\n"
    "Exit status: 0 applied, or nothing to do, or --dry-run; 1 refused or aborted,\n"
    "nothing written (read-only knob, no --yes without a terminal, answered no);\n"
    "2 a write failed and what was written was rolled back (see the message: a\n"
    "failed rollback is named, undo with 'ctadvisor undo'); 3 usage or environment\n"
    "error (unknown knob, bad value, unreadable plan, undo record not saved).\n"
    "With --flush, a flush that does not succeed gives its own status (as flush).\n"
    "SIGINT, SIGTERM or SIGHUP while the undo record is saved and the knobs are\n"
    "written waits until every knob is verified, then restores them all, says\n"
    "so, and ends the process as that signal does; earlier, nothing is written.\n"
    "Example: ctadvisor apply --enable-acct --enable-timestamp --yes\n";

enum {
	OPT_PLAN = 256,
	OPT_ACCT,
	OPT_TSTAMP,
	OPT_DRY_RUN,
	OPT_PERSIST,
	OPT_SYSCTL_DIR,
	OPT_MODPROBE_DIR,
	OPT_MODULES_LOAD_DIR,
	OPT_FLUSH
};

static const struct option apply_options[] = {
    {"set", required_argument, NULL, 's'},
    {"from-plan", required_argument, NULL, OPT_PLAN},
    {"enable-acct", no_argument, NULL, OPT_ACCT},
    {"enable-timestamp", no_argument, NULL, OPT_TSTAMP},
    {"dry-run", no_argument, NULL, OPT_DRY_RUN},
    {"yes", no_argument, NULL, 'y'},
    {"persist", no_argument, NULL, OPT_PERSIST},
    {"sysctl-dir", required_argument, NULL, OPT_SYSCTL_DIR},
    {"modprobe-dir", required_argument, NULL, OPT_MODPROBE_DIR},
    {"modules-load-dir", required_argument, NULL, OPT_MODULES_LOAD_DIR},
    {"flush", no_argument, NULL, OPT_FLUSH},
    {"netns", required_argument, NULL, 'n'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

struct apply_args {
	struct sysctl_change changes[APPLY_MAX];
	char why[APPLY_MAX][WHY_LEN];
	size_t n;
	const char *plan, *netns;
	struct apply_persist_dirs dirs;
	struct apply_persist_plan files; /* with persist: the files, computed before the record */
	bool dry_run, yes, persist, flush;
};

/* The dotted name of a knob as given ("nf_conntrack_max", "hashsize", a
 * '/' form); -EINVAL outside net.netfilter.nf_conntrack_* and hashsize. */
static int knob_name(const char *in, char *out, size_t len)
{
	char buf[SYSCTL_NAME_LEN];
	size_t n = strlen(in);
	const char *base;

	if (n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, in, n + 1);
	for (char *p = buf; *p; p++)
		if (*p == '/')
			*p = '.';
	if (strcmp(buf, "hashsize") == 0 || strcmp(buf, "nf_conntrack.hashsize") == 0 ||
	    strcmp(buf, HASHSIZE) == 0)
		return snprintf(out, len, "%s", HASHSIZE) < (int)len ? 0 : -EINVAL;
	base = strncmp(buf, "net.netfilter.", 14) == 0 ? buf + 14 : buf;
	if (strncmp(base, "nf_conntrack_", 13) != 0 || base[13] == '\0' ||
	    strcmp(base, "nf_conntrack_count") == 0)
		return -EINVAL;
	for (const char *p = base; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
			return -EINVAL;
	return snprintf(out, len, "net.netfilter.%s", base) < (int)len ? 0 : -EINVAL;
}

/* Add knob=value (a number); the same knob twice must agree. 0 or -1 after
 * printing a usage error. */
static int add_change(struct apply_args *a, const char *knob, const char *value, const char *why)
{
	char name[SYSCTL_NAME_LEN], num[32];
	uint64_t v;

	if (knob_name(knob, name, sizeof(name)) < 0) {
		cmd_usage_error("apply",
				"'%s' is not a conntrack knob (net.netfilter.nf_conntrack_* "
				"or module.nf_conntrack.hashsize)",
				knob);
		return -1;
	}
	if (cli_parse_u64(value, &v) < 0 || v > INT32_MAX) {
		cmd_usage_error("apply", "%s: '%s' is not a number in 0..%d", name, value,
				INT32_MAX);
		return -1;
	}
	snprintf(num, sizeof(num), "%llu", (unsigned long long)v);
	for (size_t i = 0; i < a->n; i++) {
		if (strcmp(a->changes[i].name, name) != 0)
			continue;
		if (strcmp(a->changes[i].new_value, num) == 0)
			return 0;
		cmd_usage_error("apply", "%s is given two values: %s and %s", name,
				a->changes[i].new_value, num);
		return -1;
	}
	if (a->n >= APPLY_MAX || sysctl_change_init(&a->changes[a->n], name, num) < 0) {
		cmd_usage_error("apply", "too many knobs (at most %d)", APPLY_MAX);
		return -1;
	}
	snprintf(a->why[a->n++], WHY_LEN, "%s", why);
	return 0;
}

static int add_set(struct apply_args *a, const char *arg)
{
	char knob[SYSCTL_NAME_LEN];
	const char *eq = strchr(arg, '=');

	if (eq == NULL || eq == arg || (size_t)(eq - arg) >= sizeof(knob)) {
		cmd_usage_error("apply", "--set needs KNOB=VALUE, not '%s'", arg);
		return -1;
	}
	memcpy(knob, arg, (size_t)(eq - arg));
	knob[eq - arg] = '\0';
	return add_change(a, knob, eq + 1, "requested with --set");
}

/* The plan file's "recommendation" object; a value may be a string or an
 * integer. 0, or -1 after printing the error. */
static int add_plan(struct apply_args *a, const char *path)
{
	json_error_t jerr;
	json_t *root = json_load_file(path, 0, &jerr), *rec, *v;
	const char *key;
	char num[32], why[WHY_LEN];
	int rc = 0;

	if (root == NULL) {
		fprintf(stderr, "ctadvisor apply: %s:%d:%d: %s\n", path, jerr.line, jerr.column,
			jerr.text);
		return -1;
	}
	rec = json_object_get(root, "recommendation");
	if (!json_is_object(rec)) {
		fprintf(stderr, "ctadvisor apply: %s: no \"recommendation\" object\n", path);
		json_decref(root);
		return -1;
	}
	snprintf(why, sizeof(why), "from plan %.80s", path);
	json_object_foreach(rec, key, v)
	{
		if (json_is_integer(v))
			snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
		else if (!json_is_string(v) ||
			 snprintf(num, sizeof(num), "%s", json_string_value(v)) >= (int)sizeof(num))
			snprintf(num, sizeof(num), "?");
		if ((rc = add_change(a, key, num, why)) < 0)
			break;
	}
	json_decref(root);
	return rc;
}

/* 0 or -1 after printing a usage error. */
/* An empty path or name would mean "/" or "here": refuse it. */
static int need_value(const char *opt, const char *val)
{
	if (val != NULL && val[0] != '\0')
		return 0;
	cmd_usage_error("apply", "%s needs a value, not an empty string", opt);
	return -1;
}

static int take_option(struct apply_args *a, int opt, const char *val)
{
	switch (opt) {
	case 's':
		return add_set(a, val);
	case OPT_PLAN:
		a->plan = val;
		return need_value("--from-plan", val);
	case OPT_ACCT:
		return add_change(a, ACCT, "1", "per-flow byte/packet counters (--enable-acct)");
	case OPT_TSTAMP:
		return add_change(a, TSTAMP, "1", "flow start/stop times (--enable-timestamp)");
	case OPT_DRY_RUN:
		a->dry_run = true;
		return 0;
	case 'y':
		a->yes = true;
		return 0;
	case OPT_PERSIST:
		a->persist = true;
		return 0;
	case OPT_SYSCTL_DIR:
		a->dirs.sysctl_dir = val;
		return need_value("--sysctl-dir", val);
	case OPT_MODPROBE_DIR:
		a->dirs.modprobe_dir = val;
		return need_value("--modprobe-dir", val);
	case OPT_MODULES_LOAD_DIR:
		a->dirs.modules_load_dir = val;
		return need_value("--modules-load-dir", val);
	case OPT_FLUSH:
		a->flush = true;
		return 0;
	case 'n':
		a->netns = val;
		return need_value("--netns", val);
	default:
		return -1;
	}
}

/* 0 to run, 1 for --help, -1 after a usage error was printed. */
static int parse_apply_args(int argc, char **argv, struct apply_args *a)
{
	int opt;

	memset(a, 0, sizeof(*a));
	a->dirs.sysctl_dir = "/etc/sysctl.d";
	a->dirs.modprobe_dir = "/etc/modprobe.d";
	a->dirs.modules_load_dir = "/etc/modules-load.d";
	opterr = 0;
	optind = 0;
	while ((opt = getopt_long(argc, argv, "+s:yn:h", apply_options, NULL)) != -1) {
		if (opt == 'h')
			return 1;
		if (opt == '?' || opt == ':') {
			cmd_usage_error("apply", "unknown option or missing value: '%s'",
					argv[optind - 1]);
			return -1;
		}
		if (take_option(a, opt, optarg) < 0)
			return -1;
	}
	if (optind < argc) {
		cmd_usage_error("apply", "unexpected argument '%s'", argv[optind]);
		return -1;
	}
	if (a->plan != NULL && add_plan(a, a->plan) < 0)
		return -1;
	if (a->n == 0) {
		cmd_usage_error("apply", "nothing to apply: give --set, --from-plan, "
					 "--enable-acct or --enable-timestamp");
		return -1;
	}
	return 0;
}

static const char *why_of(const struct apply_args *a, const char *name)
{
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->changes[i].name, name) == 0)
			return a->why[i];
	return "";
}

static void show_diff(const struct apply_args *a, const struct sysctl_change *w, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (w[i].state == SYSCTL_CHANGE_UNCHANGED)
			printf("  %-44s %s (already)\n", w[i].name, w[i].old_value);
		else
			printf("  %-44s %s -> %s  (%s)\n", w[i].name, w[i].old_value,
			       w[i].new_value, why_of(a, w[i].name));
	}
}

static int diff_changes(const struct sysctl_ctx *ctx, struct sysctl_change *w, size_t n)
{
	int rc = sysctl_changes_diff(ctx, w, n);

	if (rc == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (w[i].state == SYSCTL_CHANGE_FAILED)
			fprintf(stderr, "ctadvisor apply: cannot read %s: %s%s\n", w[i].name,
				strerror(-rc),
				rc == -ENOENT ? " (not on this kernel, or nf_conntrack not loaded)"
					      : "");
	return -1;
}

static void global_hint(const struct sysctl_change *c, const char *netns)
{
	fprintf(stderr,
		"ctadvisor apply: %s is global: the kernel makes it read-only outside the "
		"initial network namespace, and this is another one (%s). It sizes the table "
		"of every namespace, so run this in the host namespace instead:\n",
		c->name, netns ? netns : "a container's?");
	if (strcmp(c->name, HASHSIZE) == 0)
		fprintf(stderr,
			"    ctadvisor apply --set %s=%s   (or: echo %s > "
			"/sys/module/nf_conntrack/parameters/hashsize)\n",
			c->name, c->new_value, c->new_value);
	else
		fprintf(stderr, "    ctadvisor apply --set %s=%s   (or: sysctl -w %s=%s)\n",
			c->name, c->new_value, c->name, c->new_value);
}

/* How many pending changes cannot be written here (each explained). */
static int count_read_only(const struct sysctl_ctx *ctx, const struct sysctl_change *w, size_t n,
			   const char *netns)
{
	bool is_init = netns_is_init(ctx);
	int refused = 0;

	fflush(stdout);
	for (size_t i = 0; i < n; i++) {
		if (w[i].state != SYSCTL_CHANGE_PENDING)
			continue;
		if (sysctl_is_global(w[i].name) && !is_init) {
			global_hint(&w[i], netns);
			refused++;
		} else if (!sysctl_is_writable(ctx, w[i].name)) {
			fprintf(stderr, "ctadvisor apply: %s is read-only here: %s\n", w[i].name,
				geteuid() != 0 ? "run as root"
					       : "/proc/sys is mounted read-only (a container?)");
			refused++;
		}
	}
	if (refused > 0)
		fprintf(stderr, "ctadvisor apply: nothing was written\n");
	return refused;
}

static int save_undo(const struct apply_args *a, const struct sysctl_change *w, size_t n, char *dir,
		     size_t dir_len, char *file, size_t file_len)
{
	struct undo_info info = {.time_s = time(NULL), .command = UNDO_CMD_APPLY};
	struct undo_record *rec = NULL;
	struct stat st;
	int rc = statedir_undo(dir, dir_len);

	if (rc == 0 && stat("/proc/self/ns/net", &st) < 0)
		rc = -errno;
	if (rc == 0) {
		info.netns_ino = st.st_ino;
		info.netns_dev = st.st_dev;
		snprintf(info.netns_name, sizeof(info.netns_name), "%s", a->netns ? a->netns : "");
		rec = undo_record_new(&info);
		rc = rec == NULL ? -ENOMEM : undo_record_add_changes(rec, w, n);
	}
	/* The files --persist will write, with their content now. */
	if (rc == 0 && a->persist)
		rc = apply_persist_record(&a->files, rec);
	if (rc == 0)
		rc = undo_save(dir, rec, file, file_len);
	undo_record_free(rec);
	if (rc < 0)
		fprintf(stderr,
			"ctadvisor apply: cannot save the undo record in %s: %s; nothing "
			"was written\n",
			dir, strerror(-rc));
	return rc;
}

static const char *state_text(const struct sysctl_change *c)
{
	switch (c->state) {
	case SYSCTL_CHANGE_APPLIED:
		return "applied";
	case SYSCTL_CHANGE_FAILED:
		return "FAILED";
	case SYSCTL_CHANGE_ROLLED_BACK:
		return "rolled back";
	case SYSCTL_CHANGE_ROLLBACK_FAILED:
		return "ROLLBACK FAILED";
	case SYSCTL_CHANGE_UNCHANGED:
		return "unchanged";
	default:
		return "not attempted";
	}
}

static void print_results(const struct sysctl_change *w, size_t n, FILE *out)
{
	for (size_t i = 0; i < n; i++) {
		const struct sysctl_change *c = &w[i];

		fprintf(out, "  %-44s %s", c->name, state_text(c));
		if (c->rc < 0)
			fprintf(out, ": %s", strerror(-c->rc));
		if (c->got[0] != '\0')
			fprintf(out, " (reads %s)", c->got);
		fputc('\n', out);
	}
}

static int report_failure(const struct sysctl_change *w, size_t n, const char *dir,
			  const char *file, const char *netns)
{
	bool all_back = true;

	fprintf(stderr, "ctadvisor apply: a write failed; what was written is being restored:\n");
	print_results(w, n, stderr);
	for (size_t i = 0; i < n; i++)
		all_back = all_back && w[i].state != SYSCTL_CHANGE_ROLLBACK_FAILED;
	if (all_back) {
		undo_mark_done(dir, file);
		fprintf(stderr, "ctadvisor apply: every value written was restored and verified; "
				"the kernel is as before\n");
	} else {
		fprintf(stderr,
			"ctadvisor apply: some originals could not be restored; the undo "
			"record keeps them: ctadvisor undo%s%s %s\n",
			netns ? " --netns " : "", netns ? netns : "", file);
	}
	return APPLY_FAILED;
}

/* The extension filter for flows that a just-enabled acct/timestamp does
 * not reach, or NULL. Only knobs this run changes (applied, or pending in a
 * dry run) count: acct already 1 leaves no flow without counters. */
static const char *ext_filter(const struct sysctl_change *w, size_t n)
{
	const char *f = NULL;

	for (size_t i = 0; i < n; i++) {
		if (strcmp(w[i].new_value, "1") != 0 ||
		    (w[i].state != SYSCTL_CHANGE_APPLIED && w[i].state != SYSCTL_CHANGE_PENDING))
			continue;
		if (strcmp(w[i].name, ACCT) == 0)
			return "no-acct";
		if (strcmp(w[i].name, TSTAMP) == 0)
			f = "no-tstamp";
	}
	return f;
}

static int offer_flush(const struct apply_args *a, const struct sysctl_change *w, size_t n)
{
	const char *name = ext_filter(w, n);
	char cmd[] = "flush", opt[32], yes[] = "--yes";
	char *argv[] = {cmd, opt, yes, NULL};
	struct flush_filter f;
	struct flush_scan s;

	if (name == NULL)
		return APPLY_OK;
	flush_filter_init(&f);
	if (flush_filter_set(&f, name, NULL) < 0 || flush_scan_table(&f, &s) < 0 || s.matched == 0)
		return APPLY_OK;
	snprintf(opt, sizeof(opt), "--%s", name);
	printf("note: the kernel adds %s only to flows created from now on; %llu existing flows "
	       "lack them and will until they expire\n",
	       strcmp(name, "no-acct") == 0 ? "counters" : "timestamps",
	       (unsigned long long)s.matched);
	if (!a->flush) {
		printf("to delete those flows now: ctadvisor flush %s%s%s --yes\n", opt,
		       a->netns ? " --netns " : "", a->netns ? a->netns : "");
		return APPLY_OK;
	}
	if (!a->yes)
		argv[2] = NULL;
	return cmd_flush(argv[2] ? 3 : 2, argv);
}

/* After the knobs: persist, the flows a new extension misses. */
static int finish(const struct apply_args *a, const struct sysctl_change *w, size_t n)
{
	if (a->dry_run) {
		for (size_t i = 0; a->persist && i < a->files.n; i++)
			printf("dry run: would %s %s/%s\n",
			       a->files.files[i].is_changed ? "write" : "keep (already so)",
			       a->files.files[i].dir, a->files.files[i].name);
		return APPLY_OK;
	}
	if (a->persist && apply_persist_write(&a->files) < 0) {
		fprintf(stderr,
			"ctadvisor apply: the running values are set but not persisted; the undo "
			"record restores the running values and the files (ctadvisor undo)\n");
		return APPLY_USAGE;
	}
	return offer_flush(a, w, n);
}

/* Only the boot files change: their own undo record, then write them. */
static int persist_only(struct apply_args *a, const struct sysctl_change *w, size_t n)
{
	char dir[4096], file[UNDO_FILE_LEN];

	if (a->dry_run || !a->persist || apply_persist_changed(&a->files) == 0)
		return finish(a, w, n);
	if (!cmd_confirm("apply", "Write these boot configuration files?", "apply", a->yes))
		return APPLY_REFUSED;
	if (save_undo(a, w, n, dir, sizeof(dir), file, sizeof(file)) < 0)
		return APPLY_USAGE;
	printf("undo record: %s/%s (ctadvisor undo restores the files)\n", dir, file);
	return finish(a, w, n);
}

static size_t count_pending(const struct sysctl_change *w, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += w[i].state == SYSCTL_CHANGE_PENDING;
	return k;
}

/* SIGINT, SIGTERM and SIGHUP wait while the undo record is saved and the
 * knobs are written and verified, so that an interrupted apply leaves every
 * knob applied or every knob restored, never some of each. */
static const int apply_signals[] = {SIGINT, SIGTERM, SIGHUP};
#define N_APPLY_SIGNALS (sizeof(apply_signals) / sizeof(apply_signals[0]))

static void block_signals(sigset_t *old)
{
	sigset_t set;

	sigemptyset(&set);
	for (size_t i = 0; i < N_APPLY_SIGNALS; i++)
		sigaddset(&set, apply_signals[i]);
	sigprocmask(SIG_BLOCK, &set, old);
}

/* The first blocked signal that arrived and would end the process (an
 * ignored one, as under nohup, would not), or 0. */
static int pending_signal(void)
{
	struct sigaction sa;
	sigset_t set;

	if (sigpending(&set) < 0)
		return 0;
	for (size_t i = 0; i < N_APPLY_SIGNALS; i++) {
		int sig = apply_signals[i];

		if (sigismember(&set, sig) == 1 && sigaction(sig, NULL, &sa) == 0 &&
		    sa.sa_handler != SIG_IGN)
			return sig;
	}
	return 0;
}

static const char *signal_name(int sig)
{
	return sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "SIGHUP";
}

/* Deliver what was held back: a pending signal ends the process here with
 * its usual status, so flush what the user must read first. */
static int unblock_signals(const sigset_t *old, int rc)
{
	fflush(stdout);
	fflush(stderr);
	sigprocmask(SIG_SETMASK, old, NULL);
	return rc;
}

/* Interrupted while writing: every write verified, now put the originals
 * back (the user asked to stop, and the contract is "restored").
 * The undo record goes only when all came back. */
static int restore_interrupted(const struct sysctl_ctx *ctx, struct sysctl_change *w, size_t n,
			       int sig, const char *dir, const char *file, const char *netns)
{
	int rc = sysctl_rollback(ctx, w, n);

	fprintf(stderr,
		"ctadvisor apply: interrupted (%s) while writing; restoring every value "
		"written:\n",
		signal_name(sig));
	print_results(w, n, stderr);
	if (rc == 0) {
		undo_mark_done(dir, file);
		fprintf(stderr, "ctadvisor apply: every value written was restored and verified; "
				"the kernel is as before\n");
	} else {
		fprintf(stderr,
			"ctadvisor apply: some originals could not be restored; the undo "
			"record keeps them: ctadvisor undo%s%s %s\n",
			netns ? " --netns " : "", netns ? netns : "", file);
	}
	return APPLY_FAILED;
}

/* Save the undo record, write and verify, with the signals held; see
 * block_signals(). APPLY_OK when every knob is applied and verified. */
static int write_guarded(const struct apply_args *a, const struct sysctl_ctx *ctx,
			 struct sysctl_change *w, size_t n, char *dir, size_t dir_len, char *file,
			 size_t file_len)
{
	sigset_t old;
	int rc, sig;

	block_signals(&old);
	if (save_undo(a, w, n, dir, dir_len, file, file_len) < 0)
		return unblock_signals(&old, APPLY_USAGE);
	if ((sig = pending_signal()) != 0) {
		undo_mark_done(dir, file);
		fprintf(stderr,
			"ctadvisor apply: interrupted (%s) before writing; nothing was written\n",
			signal_name(sig));
		return unblock_signals(&old, APPLY_REFUSED);
	}
	rc = sysctl_apply(ctx, w, n);
	if (rc < 0)
		rc = report_failure(w, n, dir, file, a->netns);
	else if ((sig = pending_signal()) != 0)
		rc = restore_interrupted(ctx, w, n, sig, dir, file, a->netns);
	else
		rc = APPLY_OK;
	return unblock_signals(&old, rc);
}

static int run_apply(struct apply_args *a, struct sysctl_change *w, size_t n)
{
	char dir[4096], file[UNDO_FILE_LEN];
	struct sysctl_ctx ctx;
	int rc;

	sysctl_ctx_init(&ctx, NULL);
	if (diff_changes(&ctx, w, n) < 0)
		return APPLY_USAGE;
	sysctl_changes_order(w, n);
	show_diff(a, w, n);
	if (a->persist && !netns_is_init(&ctx)) {
		fprintf(stderr,
			"ctadvisor apply: --persist writes the host's boot configuration, "
			"which applies to the initial network namespace, not this one; "
			"persist a container's settings in its own runtime configuration\n");
		return APPLY_USAGE;
	}
	if (a->persist && (rc = apply_persist_prepare(w, n, &a->dirs, &a->files)) < 0) {
		fprintf(stderr,
			"ctadvisor apply: cannot prepare the --persist files: %s; nothing "
			"was written\n",
			strerror(-rc));
		return APPLY_USAGE;
	}
	/* Before asking: who else will overwrite these values. */
	apply_warn_owners(w, n, &a->dirs, a->persist);
	if (count_pending(w, n) == 0) {
		printf("nothing to do: every knob already has the wanted value\n");
		return persist_only(a, w, n);
	}
	if (count_read_only(&ctx, w, n, a->netns) > 0)
		return APPLY_REFUSED;
	if (a->dry_run) {
		printf("dry run: nothing written\n");
		return finish(a, w, n);
	}
	if (!cmd_confirm("apply", "Apply these changes?", "apply", a->yes))
		return APPLY_REFUSED;
	rc = write_guarded(a, &ctx, w, n, dir, sizeof(dir), file, sizeof(file));
	if (rc != APPLY_OK)
		return rc;
	printf("applied and read back:\n");
	print_results(w, n, stdout);
	printf("undo record: %s/%s (ctadvisor undo%s%s restores the originals)\n", dir, file,
	       a->netns ? " --netns " : "", a->netns ? a->netns : "");
	return finish(a, w, n);
}

int cmd_apply(int argc, char **argv)
{
	struct netns_switch sw = {.orig_fd = -1};
	struct sysctl_change w[APPLY_MAX];
	struct apply_args *a = calloc(1, sizeof(*a));
	int rc;

	if (a == NULL) {
		fprintf(stderr, "ctadvisor apply: out of memory\n");
		return APPLY_USAGE;
	}
	rc = parse_apply_args(argc, argv, a);
	if (rc != 0) {
		if (rc > 0)
			fputs(apply_usage, stdout);
		free(a);
		return rc > 0 ? APPLY_OK : APPLY_USAGE;
	}
	if (a->netns != NULL && (rc = netns_enter(a->netns, &sw)) < 0) {
		fprintf(stderr, "ctadvisor apply: cannot enter network namespace '%s': %s\n",
			a->netns, strerror(-rc));
		free(a);
		return APPLY_USAGE;
	}
	memcpy(w, a->changes, a->n * sizeof(w[0]));
	rc = run_apply(a, w, a->n);
	netns_leave(&sw);
	apply_persist_free(&a->files);
	free(a);
	return rc;
}
