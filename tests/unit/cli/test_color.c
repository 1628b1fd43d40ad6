/* test_color.c: cmd_want_color(), the one colour choice of every command,
 * against the environment (NO_COLOR, TERM) and whether stdout is a terminal
 * (a pseudo-terminal here) or not (a file). */
#include <fcntl.h>
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../../cli/cmd.h"

enum out_kind { OUT_TTY, OUT_FILE };

struct color_case {
	enum cli_color when;
	const char *no_color; /* NULL: unset */
	const char *term;     /* NULL: unset */
	enum out_kind out;
	bool want;
};

static const struct color_case cases[] = {
    /* auto: a terminal, TERM not dumb, NO_COLOR unset or empty. */
    {CLI_COLOR_AUTO, NULL, "xterm-256color", OUT_TTY, true},
    {CLI_COLOR_AUTO, "", "xterm", OUT_TTY, true},
    {CLI_COLOR_AUTO, "1", "xterm", OUT_TTY, false},
    {CLI_COLOR_AUTO, "0", "xterm", OUT_TTY, false}, /* any value counts */
    {CLI_COLOR_AUTO, NULL, "dumb", OUT_TTY, false},
    {CLI_COLOR_AUTO, NULL, NULL, OUT_TTY, false},
    {CLI_COLOR_AUTO, NULL, "xterm", OUT_FILE, false},
    /* always wins over NO_COLOR, TERM=dumb and a file; never over all. */
    {CLI_COLOR_ALWAYS, "1", "dumb", OUT_FILE, true},
    {CLI_COLOR_ALWAYS, NULL, NULL, OUT_FILE, true},
    {CLI_COLOR_ALWAYS, NULL, "xterm", OUT_TTY, true},
    {CLI_COLOR_NEVER, NULL, "xterm", OUT_TTY, false},
    {CLI_COLOR_NEVER, "", "xterm", OUT_TTY, false},
};

static void set_env(const char *name, const char *value)
{
	if (value == NULL)
		assert_int_equal(unsetenv(name), 0);
	else
		assert_int_equal(setenv(name, value, 1), 0);
}

/* A pseudo-terminal's replica side, opened; fails the test without one. */
static int open_tty(int *primary)
{
	int fd;

	*primary = posix_openpt(O_RDWR | O_NOCTTY);
	if (*primary < 0 || grantpt(*primary) < 0 || unlockpt(*primary) < 0)
		fail_msg("no pseudo-terminal (posix_openpt): the test needs /dev/ptmx");
	fd = open(ptsname(*primary), O_RDWR | O_NOCTTY);
	if (fd < 0)
		fail_msg("cannot open %s", ptsname(*primary));
	return fd;
}

/* cmd_want_color() with stdout on KIND; stdout is back when it returns. */
static bool want_with_stdout(enum cli_color when, enum out_kind kind)
{
	FILE *file = kind == OUT_FILE ? tmpfile() : NULL;
	int primary = -1, fd, saved;
	bool got;

	assert_true(kind == OUT_TTY || file != NULL);
	fd = kind == OUT_TTY ? open_tty(&primary) : fileno(file);
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	assert_true(saved >= 0 && dup2(fd, STDOUT_FILENO) >= 0);
	got = cmd_want_color(when);
	assert_true(dup2(saved, STDOUT_FILENO) >= 0);
	close(saved);
	if (kind == OUT_TTY) {
		close(fd);
		close(primary);
	} else {
		fclose(file);
	}
	return got;
}

static void test_want_color(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct color_case *c = &cases[i];
		bool got;

		set_env("NO_COLOR", c->no_color);
		set_env("TERM", c->term);
		got = want_with_stdout(c->when, c->out);
		if (got != c->want)
			fail_msg("case %zu: --color %s, NO_COLOR %s, TERM %s, stdout a %s: colour "
				 "%d, want %d",
				 i,
				 c->when == CLI_COLOR_AUTO     ? "auto"
				 : c->when == CLI_COLOR_ALWAYS ? "always"
							       : "never",
				 c->no_color ? c->no_color : "(unset)",
				 c->term ? c->term : "(unset)",
				 c->out == OUT_TTY ? "terminal" : "file", got, c->want);
	}
}

/* watch's sparkline: UTF-8 blocks only on a terminal that is not dumb or
 * linux (the console font lacks them) in a UTF-8 locale. */
static void test_utf8_terminal(void **state)
{
	static const struct {
		const char *term, *lc_all;
		bool want;
	} terms[] = {
	    {"xterm", "C.UTF-8", true}, {"dumb", "C.UTF-8", false}, {"linux", "C.UTF-8", false},
	    {NULL, "C.UTF-8", false},   {"xterm", "C", false},
	};

	(void)state;
	if (setlocale(LC_CTYPE, "C.UTF-8") == NULL)
		fail_msg("the C.UTF-8 locale is missing: UTF-8 detection cannot be tested");
	for (size_t i = 0; i < sizeof(terms) / sizeof(terms[0]); i++) {
		if (terms[i].term)
			assert_int_equal(setenv("TERM", terms[i].term, 1), 0);
		else
			assert_int_equal(unsetenv("TERM"), 0);
		assert_int_equal(setenv("LC_ALL", terms[i].lc_all, 1), 0);
		if (cmd_utf8_terminal() != terms[i].want)
			fail_msg("TERM %s, LC_ALL %s: want %s", terms[i].term ? terms[i].term : "-",
				 terms[i].lc_all, terms[i].want ? "UTF-8" : "ASCII");
	}
	unsetenv("LC_ALL");
	setlocale(LC_CTYPE, "C");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_want_color),
	    cmocka_unit_test(test_utf8_terminal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
