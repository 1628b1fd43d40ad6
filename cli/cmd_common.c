/* cmd_common.c: what every command shares. */
#include <errno.h>
#include <getopt.h>
#include <langinfo.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "../render/escape.h"

/* The message quotes what the user typed: escape it, so an argument holding
 * terminal escape sequences cannot drive the terminal. */
void cmd_usage_error(const char *cmd, const char *fmt, ...)
{
	char msg[1024], safe[4 * sizeof(msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	render_escape(safe, sizeof(safe), msg, RENDER_ESC_TEXT);
	fprintf(stderr, "ctadvisor %s: %s\nTry 'ctadvisor %s --help'.\n", cmd, safe, cmd);
}

bool cmd_confirm(const char *cmd, const char *question, const char *verb, bool yes)
{
	char line[16];

	if (yes)
		return true;
	fflush(stdout); /* what would change first, then the question or the refusal */
	if (!isatty(STDIN_FILENO)) {
		fprintf(
		    stderr,
		    "ctadvisor %s: refusing: stdin is not a terminal to ask on; add --yes to %s "
		    "without asking (nothing was changed)\n",
		    cmd, verb);
		return false;
	}
	fprintf(stderr, "%s [y/N] ", question);
	fflush(stderr);
	if (fgets(line, sizeof(line), stdin) == NULL)
		return false;
	return line[0] == 'y' || line[0] == 'Y';
}

bool cmd_want_color(enum cli_color when)
{
	const char *no_color = getenv("NO_COLOR");
	const char *term = getenv("TERM");

	if (when != CLI_COLOR_AUTO)
		return when == CLI_COLOR_ALWAYS;
	if (no_color != NULL && no_color[0] != '\0')
		return false;
	if (term == NULL || strcmp(term, "dumb") == 0)
		return false;
	return isatty(STDOUT_FILENO);
}

const char CMD_OPTION_REPORTED[] = "";

int cmd_parse_options(const char *cmd, int argc, char **argv, const char *shortopts,
		      const struct option *longopts, cmd_option_fn apply, void *args)
{
	const char *bad;
	int opt;

	opterr = 0;
	optind = 0; /* 0, not 1: glibc then re-reads shortopts' ordering ('+') */
	while ((opt = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		if (opt == 'h')
			return 1;
		if (opt == '?' || opt == ':') {
			cmd_usage_error(cmd, "unknown option or missing value: '%s'",
					argv[optind - 1]);
			return -1;
		}
		bad = apply(opt, optarg, args);
		if (bad == CMD_OPTION_REPORTED)
			return -1;
		if (bad != NULL) {
			cmd_usage_error(cmd, "invalid value for %s: '%s'", bad, optarg);
			return -1;
		}
	}
	return 0;
}

bool cmd_utf8_terminal(void)
{
	const char *term = getenv("TERM");

	setlocale(LC_CTYPE, "");
	if (term == NULL || strcmp(term, "dumb") == 0 || strcmp(term, "linux") == 0)
		return false;
	return strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
}

/* One wording for every command: the name as typed (escaped: it is the
 * user's), why, and what to do about it. */
void cmd_netns_error(const char *spec, int err, char *buf, size_t len)
{
	char safe[4 * 256];
	const char *why = strerror(err), *hint = "";

	render_escape(safe, sizeof(safe), spec, RENDER_ESC_TEXT);
	if (err == ENOENT) {
		why = "no such namespace";
		hint = " (see 'ip netns list', or give a path or a PID)";
	} else if (err == EPERM) {
		hint = " (run as root: setns needs CAP_SYS_ADMIN)";
	} else if (err == EINVAL) {
		why = "not a network namespace";
		hint = " (give a name from 'ip netns list', a /proc/PID/ns/net path or a PID)";
	}
	snprintf(buf, len, "cannot enter network namespace '%s': %s%s", safe, why, hint);
}

int cmd_netns_enter(const char *cmd, const char *spec, struct netns_switch *sw)
{
	char msg[1280];
	int rc;

	sw->orig_fd = -1;
	if (spec == NULL)
		return 0;
	rc = netns_enter(spec, sw);
	if (rc < 0) {
		cmd_netns_error(spec, -rc, msg, sizeof(msg));
		fprintf(stderr, "ctadvisor %s: %s\n", cmd, msg);
	}
	return rc;
}
