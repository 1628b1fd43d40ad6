/* cmd_common.c: what every command shares. */
#include <stdarg.h>
#include <stdio.h>

#include "cmd.h"

void cmd_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "ctadvisor %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'ctadvisor %s --help'.\n", cmd);
}
