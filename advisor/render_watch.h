/* render_watch.h: the live lines and the summary of a watch, as text or
 * JSON lines. Like the check renderers they only format. */
#ifndef CTADVISOR_RENDER_WATCH_H
#define CTADVISOR_RENDER_WATCH_H

#include <stdio.h>

#include "watch.h"

/* One sample: a text line (a header before the first) or a JSON object. */
void render_watch_sample(FILE *out, const struct watch_state *st, const struct rates_sample *prev,
			 const struct rates_sample *cur, const struct watch_args *a);
/* The summary after the last sample. 0 or -EIO. */
int render_watch_summary(FILE *out, const struct watch_state *st, const struct rules_report *rep,
			 const struct watch_args *a);
/* The summary as JSON into PATH, atomically (temp file, fsync, rename).
 * 0 or -errno, with the reason printed. */
int render_watch_save(const char *path, const struct watch_state *st,
		      const struct rules_report *rep, const struct watch_args *a);

#endif
