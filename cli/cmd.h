/* cmd.h: the commands. Each parses its own options and returns the process
 * exit status; main() only dispatches. */
#ifndef CTADVISOR_CMD_H
#define CTADVISOR_CMD_H

#include <stdbool.h>
#include <stdio.h>

#include "cli.h"
#include "../collect/netns.h"
#include "../rules/rules.h"

struct option;

struct cmd_entry {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

int cmd_check(int argc, char **argv);
int cmd_watch(int argc, char **argv);
int cmd_logparse(int argc, char **argv);
int cmd_plan(int argc, char **argv);
int cmd_apply(int argc, char **argv);
int cmd_undo(int argc, char **argv);
int cmd_flush(int argc, char **argv);
int cmd_nat(int argc, char **argv);
int cmd_inventory(int argc, char **argv);
int cmd_report(int argc, char **argv);

/* Print "ctadvisor CMD: MSG" and a hint to stderr (usage errors). */
void cmd_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Ask QUESTION on the terminal; true to go on. Without a terminal only YES
 * (--yes) says yes, and the refusal tells the user to add --yes to VERB. */
bool cmd_confirm(const char *cmd, const char *question, const char *verb, bool yes);

/* Colour for a text report: --color always/never win; auto means a
 * terminal, TERM not dumb, and NO_COLOR unset or empty. */
bool cmd_want_color(enum cli_color when);

/* Whether the terminal shows UTF-8 (watch's sparkline): TERM set and not
 * dumb or linux, and the locale's codeset UTF-8. */
bool cmd_utf8_terminal(void);

/* Applies one option's value to args; NULL, or the option's name when the
 * value is bad, or CMD_OPTION_REPORTED when it printed its own usage error
 * (a value given twice, a contradiction). */
extern const char CMD_OPTION_REPORTED[];
typedef const char *(*cmd_option_fn)(int opt, const char *val, void *args);
/* getopt_long over argv (from index 1) calling apply for each option: 0 when
 * all were taken (optind is at the first operand), 1 for -h/--help, -1 after
 * a one-line usage error naming the option. */
int cmd_parse_options(const char *cmd, int argc, char **argv, const char *shortopts,
		      const struct option *longopts, cmd_option_fn apply, void *args);

/* --netns, the same for every command: "cannot enter network namespace
 * 'SPEC': why (what to do)" for -err, written to buf. */
void cmd_netns_error(const char *spec, int err, char *buf, size_t len);
/* Enter SPEC (NULL: stay, sw->orig_fd -1); on failure the message above
 * goes to stderr as "ctadvisor CMD: ...". 0 or -errno from netns_enter(). */
int cmd_netns_enter(const char *cmd, const char *spec, struct netns_switch *sw);

struct inventory;
struct logparse_agg_result;
/* logparse: this host's namespaces when res holds table-full events of a
 * named netns (cli/logparse_netns.c), for the report to name them by
 * inode; NULL when there are none, or they cannot be listed. */
struct inventory *cmd_logparse_netns(const struct logparse_agg_result *res);
void cmd_logparse_netns_free(struct inventory *inv);

#endif
