/* main.c: dispatch to a command. Holds no logic of its own. */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "../render/escape.h"
#include "version.h"

static const struct cmd_entry commands[] = {
    {"check", cmd_check, "one-shot health check of connection tracking"},
    {"watch", cmd_watch, "sample occupancy and counters over time and report rates"},
    {"logparse", cmd_logparse, "classify invalid packets and table-full events in kernel logs"},
    {"plan", cmd_plan, "recommend nf_conntrack_max and buckets, with the memory they cost"},
    {"apply", cmd_apply, "write recommended settings, verified, with an undo record"},
    {"undo", cmd_undo, "restore what the last apply or interrupted watch changed"},
    {"flush", cmd_flush, "delete the flows that match a filter, showing the count first"},
    {"nat", cmd_nat, "source NAT port saturation per destination, worst first"},
    {"inventory", cmd_inventory, "every network namespace, its owner and its conntrack figures"},
    {"report", cmd_report, "one self-contained HTML page with charts, to attach to a change"},
};

static void usage(FILE *out)
{
	fputs("Usage: ctadvisor COMMAND [OPTIONS]\n"
	      "       ctadvisor --version | --help\n"
	      "\n"
	      "Tells whether the kernel's connection tracking is healthy and what to change.\n"
	      "\n"
	      "Commands:\n",
	      out);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fputs("\nRun 'ctadvisor COMMAND --help' for a command's options.\n", out);
}

int main(int argc, char **argv)
{
	char name[256];

	if (argc < 2) {
		usage(stderr);
		return CT_EXIT_UNKNOWN;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		version_print(stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	render_escape(name, sizeof(name), argv[1], RENDER_ESC_TEXT);
	fprintf(stderr, "ctadvisor: unknown command '%s'\nTry 'ctadvisor --help'.\n", name);
	return CT_EXIT_UNKNOWN;
}
