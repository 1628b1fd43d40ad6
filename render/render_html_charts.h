/* render_html_charts.h: the SVG charts of the HTML report, written as text
 * (no framework). Each chart is a <figure> holding the picture and a table
 * of the same numbers beside it, for screen readers and copy-paste; every
 * label is escaped here. Bars carry data-label and data-value so a test can
 * read back what was drawn. */
#ifndef CTADVISOR_RENDER_HTML_CHARTS_H
#define CTADVISOR_RENDER_HTML_CHARTS_H

#include <stddef.h>
#include <stdio.h>

#define HTML_LABEL_LEN 160

/* One bar; label is raw (escaped when written), cls a CSS class or NULL. */
struct html_bar {
	char label[HTML_LABEL_LEN];
	double value;
	const char *cls;
	const char *note; /* an extra table column's text, NULL none; raw */
};

struct html_chart {
	const char *id;      /* element id, e.g. "chart-reasons" (static) */
	const char *title;   /* caption (static text, no markup) */
	const char *unit;    /* the value column's heading, e.g. "packets" */
	const char *note_hd; /* heading of the note column; NULL: no column */
};

/* s escaped for HTML text or a quoted attribute. */
void html_text(FILE *out, const char *s);
/* A number as the tables show it: whole numbers plainly, others to 2 places. */
const char *html_num(char *buf, size_t size, double v);

/* Horizontal bars, longest = widest, and their table. */
void html_bar_chart(FILE *out, const struct html_chart *c, const struct html_bar *bars, size_t n);

/* The table fill: 0..100 % with the fill drawn and the warning and critical
 * marks; the table says count, max and the thresholds. */
struct html_gauge {
	double fill_pct; /* < 0 unknown */
	double warn_pct, crit_pct;
	unsigned long long count, max;
};
void html_gauge(FILE *out, const struct html_gauge *g);

/* Count over time: points (t_s, count) joined, the limit and the peak as
 * lines, and the projection to the limit (proj_t_s < 0: none) dashed. */
#define HTML_LINE_POINTS 8
struct html_line {
	double t_s[HTML_LINE_POINTS];
	double count[HTML_LINE_POINTS];
	const char *what[HTML_LINE_POINTS]; /* "first", "last": the table's rows */
	size_t n;
	double max, peak;
	double proj_t_s; /* when the limit is reached at the trend; < 0 none */
};
void html_line_chart(FILE *out, const struct html_chart *c, const struct html_line *l);

#endif
