/* cmd_logparse.c: classify invalid-packet reports, table-full events and the
 * other conntrack messages in kernel logs (files, gzip files or stdin) and
 * print the report. The lines go straight to the pure logparse aggregator;
 * all this file does is read them. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cmd.h"
#include "log_input.h"
#include "../render/render_invalid.h"
#include "../logparse/logparse.h"

#define TOP_DEFAULT 10
#define TOP_MAX     1024 /* what logparse_agg_new() accepts */

static const char logparse_usage[] =
    "Usage: ctadvisor logparse [OPTIONS] [FILE...]\n"
    "\n"
    "Reads kernel log lines and explains the packets conntrack found invalid: counts\n"
    "by reason (marked invalid and accepted apart), protocol, TCP flags,\n"
    "direction and interface, top sources and destination ports, first and last\n"
    "seen, and for each reason what it means, its usual causes and what to check.\n"
    "Also counts 'table full, dropping packet' events, expectation table full,\n"
    "LOG-target lines of your rules (by prefix), the boot line (buckets, max),\n"
    "vmalloc fallback, and rate-limit lines ('N callbacks suppressed': every count\n"
    "is then a lower bound, and the report says so). Needs only read access.\n"
    "\n"
    "Input: each FILE in turn; standard input when there is none or FILE is '-'.\n"
    "gzip-compressed files (rotated logs, .gz) are read directly. Formats: dmesg,\n"
    "dmesg -T, journalctl -k (short, short-iso, short-precise), syslog files (RFC\n"
    "3164 with or without hostname, RFC 5424, ISO timestamps as rsyslog writes),\n"
    "OpenWrt logread,\n"
    "journalctl -o cat, short-monotonic, short-unix and json (MESSAGE as text or\n"
    "bytes), bare 'kernel:' lines, container logs (CRI 'TIME stdout F MSG', Docker\n"
    "json-file). Kinds: ct_invalid, table_full, expect_full, log_rule, ratelimit,\n"
    "boot, vmalloc, owner (kube-proxy setting a conntrack knob), notice (other\n"
    "conntrack messages of the kernel), continuation. Other lines are counted as\n"
    "unrelated, malformed conntrack lines as not understood. The kernel writes these reports only when\n"
    "net.netfilter.nf_conntrack_log_invalid is set (or use 'watch --invalid').\n"
    "\n"
    "Options:\n"
    "  -f, --format FMT      text (default) or json\n"
    "  -t, --top N           list the N top sources and ports (default 10, max 1024)\n"
    "      --color WHEN      auto (default), always, never; NO_COLOR disables auto\n"
    "  -h, --help            show this help\n"
    "\n"
    "Conntrack only marks packets invalid: a rule that drops 'ct state invalid'\n"
    "drops them. This host's ruleset is unknown to a log, so packets marked\n"
    "invalid warn; 'watch --invalid' on the host reads its ruleset.\n"
    "\n"
    "Exit status: 0 OK (nothing marked invalid), 1 WARNING (packets marked invalid,\n"
    "dropped by a conntrack helper, or expectation table full), 2 CRITICAL\n"
    "(conntrack table full events),\n"
    "3 UNKNOWN (a file could not be read: nothing is reported; or a bad option).\n"
    "Examples: dmesg | ctadvisor logparse\n"
    "          ctadvisor logparse -f json /var/log/kern.log /var/log/kern.log.2.gz\n";

enum { OPT_COLOR = 256 };

static const struct option logparse_options[] = {
    {"format", required_argument, NULL, 'f'},
    {"top", required_argument, NULL, 't'},
    {"color", required_argument, NULL, OPT_COLOR},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

struct lp_cli_args {
	enum cli_format format;
	enum cli_color color;
	unsigned top;
	char **files; /* argv tail; n_files 0 means stdin */
	int n_files;
};

static const char *apply_option(int opt, const char *val, void *args)
{
	struct lp_cli_args *a = args;

	uint64_t n;

	switch (opt) {
	case 'f':
		if (cli_parse_format(val, &a->format) || a->format == CLI_FORMAT_PROMETHEUS)
			return "--format";
		return NULL;
	case 't':
		if (cli_parse_u64(val, &n) || n == 0 || n > TOP_MAX)
			return "--top";
		a->top = (unsigned)n;
		return NULL;
	case OPT_COLOR:
		return cli_parse_color(val, &a->color) ? "--color" : NULL;
	default:
		return "?";
	}
}

/* 0 to run, 1 for --help, -1 after a usage error was printed. */
static int parse_logparse_args(int argc, char **argv, struct lp_cli_args *a)
{
	int rc;

	*a = (struct lp_cli_args){.format = CLI_FORMAT_TEXT, .top = TOP_DEFAULT};
	rc = cmd_parse_options("logparse", argc, argv, "f:t:h", logparse_options, apply_option, a);
	if (rc != 0)
		return rc;
	a->files = argv + optind;
	a->n_files = argc - optind;
	return 0;
}

/* "a.log, b.log.gz" or "stdin"; NULL on ENOMEM. */
static char *join_sources(const struct lp_cli_args *a)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	if (m == NULL)
		return NULL;
	if (a->n_files == 0)
		fputs("stdin", m);
	for (int i = 0; i < a->n_files; i++)
		fprintf(m, "%s%s", i ? ", " : "",
			strcmp(a->files[i], "-") == 0 ? "stdin" : a->files[i]);
	if (fclose(m) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

static int read_all(const struct lp_cli_args *a, struct logparse_agg *agg)
{
	if ((a->n_files == 0 || (a->n_files == 1 && strcmp(a->files[0], "-") == 0)) &&
	    isatty(STDIN_FILENO))
		fputs("ctadvisor logparse: reading kernel log lines from the terminal (Ctrl-D "
		      "ends; try 'dmesg | ctadvisor logparse')\n",
		      stderr);
	if (a->n_files == 0)
		return log_input_read("logparse", "-", agg);
	for (int i = 0; i < a->n_files; i++) {
		int rc = log_input_read("logparse", a->files[i], agg);

		if (rc < 0)
			return rc;
		/* a report held for its continuation line ends with its file */
		logparse_agg_flush(agg);
	}
	return 0;
}

static int render(const struct lp_cli_args *a, struct logparse_agg *agg)
{
	struct logparse_agg_result res;
	struct render_invalid_meta meta = {
	    .netns = "", .kernel_invalid_delta = UINT64_MAX, .kernel_error_delta = UINT64_MAX};
	const struct invalid_verdict_in in = {.ruleset = INVALID_RULESET_UNKNOWN};
	char *source = join_sources(a);
	struct inventory *inv;
	int rc;

	if (source == NULL)
		return -ENOMEM;
	meta.source = source;
	logparse_agg_result(agg, &res);
	meta.inv = inv = cmd_logparse_netns(&res); /* names "table full in netns N" */
	meta.status = invalid_verdict(&res, &in);
	if (a->format == CLI_FORMAT_JSON)
		rc = render_invalid_json(stdout, &res, &meta);
	else
		rc = render_invalid_text(stdout, &res, &meta, cmd_want_color(a->color));
	cmd_logparse_netns_free(inv);
	free(source);
	return rc < 0 ? rc : meta.status;
}

int cmd_logparse(int argc, char **argv)
{
	struct lp_cli_args a;
	struct logparse_agg *agg;
	int rc = parse_logparse_args(argc, argv, &a);

	if (rc != 0) {
		if (rc > 0)
			fputs(logparse_usage, stdout);
		return rc > 0 ? 0 : CT_EXIT_UNKNOWN;
	}
	agg = logparse_agg_new(a.top);
	if (agg == NULL) {
		fputs("ctadvisor logparse: out of memory\n", stderr);
		return CT_EXIT_UNKNOWN;
	}
	rc = read_all(&a, agg);
	if (rc == 0) {
		rc = render(&a, agg);
		if (rc < 0)
			fprintf(stderr, "ctadvisor logparse: writing the report failed: %s\n",
				strerror(-rc));
	}
	logparse_agg_free(agg);
	return rc < 0 ? CT_EXIT_UNKNOWN : rc;
}
