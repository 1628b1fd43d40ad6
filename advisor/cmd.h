/* cmd.h: the commands. Each parses its own options and returns the process
 * exit status; main() only dispatches. */
#ifndef CTADVISOR_CMD_H
#define CTADVISOR_CMD_H

#include <stdbool.h>
#include <stdio.h>

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

/* Print "ctadvisor CMD: MSG" and a hint to stderr (usage errors). */
void cmd_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Ask QUESTION on the terminal; true to go on. Without a terminal only YES
 * (--yes) says yes, and the refusal tells the user to add --yes to VERB. */
bool cmd_confirm(const char *cmd, const char *question, const char *verb, bool yes);

#endif
