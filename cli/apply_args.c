/* apply_args.c: `ctadvisor apply`'s options and plan file, read into the
 * change set: knob names normalised to their dotted form (only conntrack
 * knobs and the hash size), values numbers, the same knob twice only with
 * the same value. Errors are printed as usage errors; nothing is written. */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "apply_args.h"
#include "cli.h"
#include "cmd.h"

const char apply_usage[] =
    "Usage: ctadvisor apply [--set KNOB=VALUE ...] [--from-plan FILE] [--enable-acct]\n"
    "                       [--enable-timestamp] [--dry-run] [--yes] [--persist]\n"
    "                       [--sysctl-dir DIR] [--modprobe-dir DIR]\n"
    "                       [--modules-load-dir DIR] [--flush] [--allow-shrink]\n"
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
    "      --allow-shrink    let nf_conntrack_max or the hash size go down (refused\n"
    "                        otherwise: a smaller table refuses the next busy\n"
    "                        hour's flows); never below the busiest namespace's\n"
    "                        count with 20 % headroom\n"
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
    "error (unknown knob, bad value, unreadable plan, undo record not saved, a\n"
    "sizing knob going down without --allow-shrink or below the busiest\n"
    "namespace's count: nothing written).\n"
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
	OPT_FLUSH,
	OPT_SHRINK
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
    {"allow-shrink", no_argument, NULL, OPT_SHRINK},
    {"netns", required_argument, NULL, 'n'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
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
	    strcmp(buf, APPLY_HASHSIZE) == 0)
		return snprintf(out, len, "%s", APPLY_HASHSIZE) < (int)len ? 0 : -EINVAL;
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
	snprintf(a->why[a->n++], APPLY_WHY_LEN, "%s", why);
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
	char num[32], why[APPLY_WHY_LEN];
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
		return add_change(a, APPLY_ACCT, "1",
				  "per-flow byte/packet counters (--enable-acct)");
	case OPT_TSTAMP:
		return add_change(a, APPLY_TSTAMP, "1",
				  "flow start/stop times (--enable-timestamp)");
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
	case OPT_SHRINK:
		a->allow_shrink = true;
		return 0;
	case 'n':
		a->netns = val;
		return need_value("--netns", val);
	default:
		return -1;
	}
}

static const char *apply_option(int opt, const char *val, void *args)
{
	return take_option(args, opt, val) < 0 ? CMD_OPTION_REPORTED : NULL;
}

/* 0 to run, 1 for --help, -1 after a usage error was printed. */
int apply_parse_args(int argc, char **argv, struct apply_args *a)
{
	int rc;

	memset(a, 0, sizeof(*a));
	a->dirs.sysctl_dir = "/etc/sysctl.d";
	a->dirs.modprobe_dir = "/etc/modprobe.d";
	a->dirs.modules_load_dir = "/etc/modules-load.d";
	rc = cmd_parse_options("apply", argc, argv, "+s:yn:h", apply_options, apply_option, a);
	if (rc != 0)
		return rc;
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
