/* render_html_data.h: the sections of the HTML report that show what was
 * counted: kernel logs, the table walk, NAT saturation, the namespaces. */
#ifndef CTADVISOR_RENDER_HTML_DATA_H
#define CTADVISOR_RENDER_HTML_DATA_H

#include <stdio.h>

#include "render_html.h"

void render_html_logs(FILE *out, const struct render_html_logs *l);
void render_html_walk(FILE *out, const struct ct_snapshot *s);
void render_html_nat(FILE *out, const struct nat_report *r);
void render_html_netns(FILE *out, const struct snap_all_netns *all);

#endif
