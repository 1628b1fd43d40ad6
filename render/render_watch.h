/* render_watch.h: the live lines and the summary of a watch, as text or
 * JSON lines. Like the check renderers they only format. */
#ifndef CTADVISOR_RENDER_WATCH_H
#define CTADVISOR_RENDER_WATCH_H

#include <stdbool.h>
#include <stdio.h>

#include "../analysis/watch.h"

/* How the caller wants it: JSON lines or text, and whether the terminal
 * shows UTF-8 (the sparkline's blocks; ASCII otherwise). */
struct render_watch_opts {
	bool is_json;
	bool is_utf8;
};

/* One sample: a text line (a header before the first) or a JSON object. */
void render_watch_sample(FILE *out, const struct watch_state *st, const struct rates_sample *prev,
			 const struct rates_sample *cur, const struct render_watch_opts *o);
/* The summary after the last sample. 0 or -EIO. */
int render_watch_summary(FILE *out, const struct watch_state *st, const struct rules_report *rep,
			 const struct render_watch_opts *o);
/* The summary as a saved file holds it (pretty JSON, for plan --from);
 * 0, -ENOMEM or -EIO. */
int render_watch_saved(FILE *out, const struct watch_state *st, const struct rules_report *rep);

#endif
