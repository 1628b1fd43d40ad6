/* log_input.h: kernel log input for the aggregator: a file, a gzip file
 * (rotated logs) or "-" for standard input, each line (newline and a CR
 * before it stripped, journald/Docker JSON records unwrapped) fed to
 * logparse_agg_add_line(). */
#ifndef CTADVISOR_LOG_INPUT_H
#define CTADVISOR_LOG_INPUT_H

#include "../logparse/logparse.h"

/* Read one input ("-" is stdin) into agg. 0, or -errno after the error was
 * reported on stderr as "ctadvisor CMD: cannot read ..." with what to do.
 * A gzip member cut short counts as an error: lines are missing. */
int log_input_read(const char *cmd, const char *path, struct logparse_agg *agg);

#endif
