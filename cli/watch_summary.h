/* watch_summary.h: a summary saved by `ctadvisor watch --save` read back
 * for `report --from`: the occupancy figures, the projection and the mean
 * per-second rates. (plan --from reads the same file for its demand and
 * Little's law in cmd_plan.c; the two readers are to become one.) */
#ifndef CTADVISOR_WATCH_SUMMARY_H
#define CTADVISOR_WATCH_SUMMARY_H

#include "../render/render_html.h"

struct watch_summary {
	struct render_html_watch w; /* w.netns points into netns */
	char netns[128];
};

/* 0 and *s filled (w.source = path, borrowed); -1 after a usage error
 * naming the file and what is wrong was printed for CMD. */
int watch_summary_load(const char *cmd, const char *path, struct watch_summary *s);

#endif
