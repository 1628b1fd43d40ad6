/* outfile.h: the one writer of --output and --save files. A report is
 * rendered into memory first, then replaces FILE in one rename (a temp file
 * in the same directory, fsync, rename: persist_write_file), so a reader such
 * as node_exporter's textfile collector sees the previous file or the new
 * one, never half of either, and a failed render leaves the old file. */
#ifndef CTADVISOR_OUTFILE_H
#define CTADVISOR_OUTFILE_H

#include <stdio.h>

/* Renders a report to out; 0 or a negative errno. */
typedef int (*outfile_render_fn)(FILE *out, const void *ctx);

/* Render with fn(out, ctx) into memory and write it to path (mode 0644).
 * 0, or a negative errno of the render or the write (-EISDIR when path
 * names no file); on failure path is left as it was. */
int outfile_write(const char *path, outfile_render_fn fn, const void *ctx);

#endif
