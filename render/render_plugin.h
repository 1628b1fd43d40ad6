/* render_plugin.h: check's text format as a monitoring plugin (Nagios,
 * Icinga): the first line is "CONNTRACK <STATE> - <summary> | <perfdata>",
 * then the full text report as long output. Like the other renderers it
 * computes nothing: the state is the report's, the thresholds are shown as
 * given. Numbers are written without the locale (always a '.' decimal). */
#ifndef CTADVISOR_RENDER_PLUGIN_H
#define CTADVISOR_RENDER_PLUGIN_H

#include <stddef.h>
#include <stdio.h>

#include "render.h"

/* Nagios Core keeps 8 KiB of a plugin's output (perfdata included); stay
 * below it, so that nothing the monitoring system needs is cut. */
#define RENDER_PLUGIN_MAX_BYTES 8000

struct render_plugin_opts {
	const char *fill_warn; /* range text for the 'fill' perfdata, "" or NULL: none */
	const char *fill_crit;
	size_t max_bytes; /* cap on the whole output; 0: no cap */
};

/* The plugin line alone, with its newline; errors show in ferror(out). */
void render_plugin_line(FILE *out, const struct ct_snapshot *snap, const struct rules_report *rep,
			const struct render_plugin_opts *po);
/* The plugin line, then render_text()'s report as long output with any '|'
 * (which would start perfdata) written as "\x7c", cut at a line boundary
 * with a closing note when the whole would pass max_bytes. 0, or -EIO when
 * writing failed, -ENOMEM. */
int render_plugin_text(FILE *out, const struct ct_snapshot *snap, const struct rules_report *rep,
		       const struct render_opts *ro, const struct render_plugin_opts *po);

#endif
