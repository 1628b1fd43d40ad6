/* cmd_common.c: what every command shares. */
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

int cmd_parse_options(const char *cmd, int argc, char **argv, const char *shortopts,
		      const struct option *longopts, cmd_option_fn apply, void *args)
{
	const char *bad;
	int opt;

	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		if (opt == 'h')
			return 1;
		if (opt == '?' || opt == ':') {
			cmd_usage_error(cmd, "unknown option or missing value: '%s'",
					argv[optind - 1]);
			return -1;
		}
		bad = apply(opt, optarg, args);
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
