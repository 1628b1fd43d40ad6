/* render_html_charts.c: bar charts, the fill gauge and the count line as
 * SVG text, each with its data table. Coordinates are whole pixels so the
 * output is byte-stable. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "escape.h"
#include "render_html_charts.h"

#define BAR_W     560 /* the whole picture */
#define BAR_LABEL 210 /* the label column */
#define BAR_AREA  270 /* the longest bar */
#define BAR_ROW   22
#define LINE_W    560
#define LINE_H    220
#define LINE_PAD  48

void html_text(FILE *out, const char *s)
{
	char buf[1024];
	size_t need = render_escape(buf, sizeof(buf), s != NULL ? s : "", RENDER_ESC_HTML);

	fputs(buf, out);
	if (need >= sizeof(buf))
		fputs("&#8230;", out); /* cut at a whole escape: say so */
}

const char *html_num(char *buf, size_t size, double v)
{
	if (!isfinite(v))
		snprintf(buf, size, "-");
	else if (v == floor(v) && fabs(v) < 1e15)
		snprintf(buf, size, "%.0f", v);
	else
		snprintf(buf, size, "%.2f", v);
	return buf;
}

static double bars_top(const struct html_bar *bars, size_t n)
{
	double top = 0;

	for (size_t i = 0; i < n; i++)
		if (isfinite(bars[i].value) && bars[i].value > top)
			top = bars[i].value;
	return top;
}

static void chart_open(FILE *out, const struct html_chart *c)
{
	fprintf(out, "<figure class=\"chart\" id=\"%s\">\n<figcaption>%s</figcaption>\n", c->id,
		c->title);
	fputs("<div class=\"pair\">\n", out);
}

static void bar_svg(FILE *out, const struct html_chart *c, const struct html_bar *bars, size_t n)
{
	double top = bars_top(bars, n);
	char num[64];

	fprintf(out,
		"<svg class=\"bars\" role=\"img\" aria-labelledby=\"%s-t\" width=\"%d\" "
		"height=\"%zu\" viewBox=\"0 0 %d %zu\">\n<title id=\"%s-t\">%s</title>\n",
		c->id, BAR_W, n * BAR_ROW + 4, BAR_W, n * BAR_ROW + 4, c->id, c->title);
	for (size_t i = 0; i < n; i++) {
		const struct html_bar *b = &bars[i];
		long w = top > 0 && b->value > 0 ? lround(b->value / top * BAR_AREA) : 0;
		long y = (long)(i * BAR_ROW) + 2;

		html_num(num, sizeof(num), b->value);
		fprintf(out, "<text class=\"lbl\" x=\"%d\" y=\"%ld\">", BAR_LABEL - 6, y + 15);
		html_text(out, b->label);
		fprintf(out,
			"</text><rect class=\"bar%s%s\" x=\"%d\" y=\"%ld\" width=\"%ld\" "
			"height=\"%d\" data-label=\"",
			b->cls ? " " : "", b->cls ? b->cls : "", BAR_LABEL, y, w < 1 ? 1 : w,
			BAR_ROW - 6);
		html_text(out, b->label);
		fprintf(out, "\" data-value=\"%s\"></rect>", num);
		fprintf(out, "<text class=\"val\" x=\"%ld\" y=\"%ld\">%s</text>\n",
			BAR_LABEL + (w < 1 ? 1 : w) + 6, y + 15, num);
	}
	fputs("</svg>\n", out);
}

static void bar_table(FILE *out, const struct html_chart *c, const struct html_bar *bars, size_t n)
{
	char num[64];

	fprintf(out, "<table class=\"data\" id=\"%s-data\"><thead><tr><th></th><th>%s</th>", c->id,
		c->unit);
	if (c->note_hd != NULL)
		fprintf(out, "<th>%s</th>", c->note_hd);
	fputs("</tr></thead><tbody>\n", out);
	for (size_t i = 0; i < n; i++) {
		fputs("<tr><th scope=\"row\">", out);
		html_text(out, bars[i].label);
		fprintf(out, "</th><td class=\"num\">%s</td>",
			html_num(num, sizeof(num), bars[i].value));
		if (c->note_hd != NULL) {
			fputs("<td>", out);
			html_text(out, bars[i].note);
			fputs("</td>", out);
		}
		fputs("</tr>\n", out);
	}
	fputs("</tbody></table>\n", out);
}

void html_bar_chart(FILE *out, const struct html_chart *c, const struct html_bar *bars, size_t n)
{
	chart_open(out, c);
	bar_svg(out, c, bars, n);
	bar_table(out, c, bars, n);
	fputs("</div>\n</figure>\n", out);
}

/* x of a percentage on the gauge. */
static long gauge_x(double pct)
{
	if (!(pct > 0))
		return 10;
	return 10 + lround(fmin(pct, 100) / 100 * 500);
}

static void gauge_mark(FILE *out, const char *cls, const char *what, double pct)
{
	char num[64];
	long x = gauge_x(pct);

	fprintf(out,
		"<line class=\"mark %s\" x1=\"%ld\" y1=\"8\" x2=\"%ld\" y2=\"52\"></line>"
		"<text class=\"marklbl\" x=\"%ld\" y=\"66\">%s %s%%</text>\n",
		cls, x, x, x, what, html_num(num, sizeof(num), pct));
}

void html_gauge(FILE *out, const struct html_gauge *g)
{
	char num[64];
	long x = gauge_x(g->fill_pct);
	const char *cls = g->fill_pct > g->crit_pct   ? "crit"
			  : g->fill_pct > g->warn_pct ? "warn"
						      : "ok";

	chart_open(out, &(struct html_chart){.id = "chart-fill", .title = "Table fill"});
	fputs("<svg class=\"gauge\" role=\"img\" aria-labelledby=\"chart-fill-t\" width=\"560\" "
	      "height=\"74\" viewBox=\"0 0 560 74\">\n<title id=\"chart-fill-t\">Table fill"
	      "</title>\n<rect class=\"track\" x=\"10\" y=\"14\" width=\"500\" height=\"32\">"
	      "</rect>\n",
	      out);
	if (g->fill_pct >= 0)
		fprintf(out,
			"<rect class=\"fill %s\" x=\"10\" y=\"14\" width=\"%ld\" height=\"32\" "
			"data-value=\"%.2f\"></rect>\n",
			cls, x - 10 < 1 ? 1 : x - 10, g->fill_pct);
	gauge_mark(out, "warn", "warning", g->warn_pct);
	gauge_mark(out, "crit", "critical", g->crit_pct);
	fputs("</svg>\n<table class=\"data\" id=\"chart-fill-data\"><tbody>\n", out);
	fprintf(out,
		"<tr><th scope=\"row\">entries</th><td class=\"num\" id=\"fill-count\">%llu"
		"</td></tr>\n<tr><th scope=\"row\">nf_conntrack_max</th><td class=\"num\" "
		"id=\"fill-max\">%llu</td></tr>\n",
		g->count, g->max);
	if (g->fill_pct >= 0)
		fprintf(out,
			"<tr><th scope=\"row\">fill</th><td class=\"num\" id=\"fill-pct\">%.2f %%"
			"</td></tr>\n",
			g->fill_pct);
	fprintf(out, "<tr><th scope=\"row\">warning above</th><td class=\"num\">%s %%</td></tr>\n",
		html_num(num, sizeof(num), g->warn_pct));
	fprintf(out, "<tr><th scope=\"row\">critical above</th><td class=\"num\">%s %%</td></tr>\n",
		html_num(num, sizeof(num), g->crit_pct));
	fputs("</tbody></table>\n</div>\n</figure>\n", out);
}

struct line_scale {
	double t_end, y_top;
};

static long lx(const struct line_scale *s, double t)
{
	return LINE_PAD + (s->t_end > 0 ? lround(t / s->t_end * (LINE_W - 2 * LINE_PAD)) : 0);
}

static long ly(const struct line_scale *s, double v)
{
	double h = LINE_H - 2 * 20;

	return 20 + lround(h - (s->y_top > 0 ? fmin(v, s->y_top) / s->y_top * h : 0));
}

static void line_level(FILE *out, const struct line_scale *s, const char *cls, const char *what,
		       double v)
{
	char num[64];

	fprintf(out,
		"<line class=\"level %s\" x1=\"%d\" y1=\"%ld\" x2=\"%d\" y2=\"%ld\"></line>"
		"<text class=\"marklbl\" x=\"%d\" y=\"%ld\">%s %s</text>\n",
		cls, LINE_PAD, ly(s, v), LINE_W - LINE_PAD, ly(s, v), LINE_PAD + 4, ly(s, v) - 4,
		what, html_num(num, sizeof(num), v));
}

static void line_svg(FILE *out, const struct html_chart *c, const struct html_line *l,
		     const struct line_scale *s)
{
	char num[64];

	fprintf(out,
		"<svg class=\"line\" role=\"img\" aria-labelledby=\"%s-t\" width=\"%d\" "
		"height=\"%d\" viewBox=\"0 0 %d %d\">\n<title id=\"%s-t\">%s</title>\n",
		c->id, LINE_W, LINE_H, LINE_W, LINE_H, c->id, c->title);
	if (l->max <= s->y_top)
		line_level(out, s, "max", "max", l->max);
	else
		fprintf(out,
			"<text class=\"marklbl\" x=\"%d\" y=\"14\">max %s: far above this "
			"scale</text>\n",
			LINE_PAD + 4, html_num(num, sizeof(num), l->max));
	line_level(out, s, "peak", "peak", l->peak);
	fputs("<polyline class=\"series\" points=\"", out);
	for (size_t i = 0; i < l->n; i++)
		fprintf(out, "%s%ld,%ld", i ? " " : "", lx(s, l->t_s[i]), ly(s, l->count[i]));
	fputs("\"></polyline>\n", out);
	for (size_t i = 0; i < l->n; i++)
		fprintf(out,
			"<circle class=\"pt\" cx=\"%ld\" cy=\"%ld\" r=\"3\" data-value=\"%s\">"
			"</circle>\n",
			lx(s, l->t_s[i]), ly(s, l->count[i]),
			html_num(num, sizeof(num), l->count[i]));
	if (l->proj_t_s >= 0 && l->n > 0)
		fprintf(
		    out,
		    "<line class=\"proj\" x1=\"%ld\" y1=\"%ld\" x2=\"%ld\" y2=\"%ld\"></line>\n",
		    lx(s, l->t_s[l->n - 1]), ly(s, l->count[l->n - 1]), lx(s, l->proj_t_s),
		    ly(s, l->max));
	fprintf(out, "<text class=\"axis\" x=\"%d\" y=\"%d\">0 s</text>", LINE_PAD, LINE_H - 4);
	fprintf(out, "<text class=\"axis end\" x=\"%d\" y=\"%d\">%s s</text>\n</svg>\n",
		LINE_W - LINE_PAD, LINE_H - 4, html_num(num, sizeof(num), round(s->t_end)));
}

void html_line_chart(FILE *out, const struct html_chart *c, const struct html_line *l)
{
	struct line_scale s = {.t_end = 0, .y_top = l->peak};
	char a[64], b[64];

	for (size_t i = 0; i < l->n; i++) {
		s.t_end = fmax(s.t_end, l->t_s[i]);
		s.y_top = fmax(s.y_top, l->count[i]);
	}
	/* The limit is on the scale when the line heads there (a projection)
	 * or is near; else a far limit would flatten the line it is about. */
	s.y_top = l->proj_t_s >= 0 || l->max < s.y_top * 2 ? fmax(l->max, s.y_top) : s.y_top * 1.25;
	if (l->proj_t_s > s.t_end)
		s.t_end = l->proj_t_s;
	chart_open(out, c);
	line_svg(out, c, l, &s);
	fprintf(out,
		"<table class=\"data\" id=\"%s-data\"><thead><tr><th></th><th>seconds</th>"
		"<th>%s</th></tr></thead><tbody>\n",
		c->id, c->unit);
	for (size_t i = 0; i < l->n; i++)
		fprintf(out,
			"<tr><th scope=\"row\">%s</th><td class=\"num\">%s</td>"
			"<td class=\"num\">%s</td></tr>\n",
			l->what[i], html_num(a, sizeof(a), l->t_s[i]),
			html_num(b, sizeof(b), l->count[i]));
	fprintf(out, "<tr><th scope=\"row\">peak</th><td></td><td class=\"num\">%s</td></tr>\n",
		html_num(a, sizeof(a), l->peak));
	fprintf(out, "<tr><th scope=\"row\">max</th><td></td><td class=\"num\">%s</td></tr>\n",
		html_num(a, sizeof(a), l->max));
	if (l->proj_t_s >= 0)
		fprintf(out,
			"<tr><th scope=\"row\">full at the trend</th><td class=\"num\">%s"
			"</td><td class=\"num\">%s</td></tr>\n",
			html_num(a, sizeof(a), round(l->proj_t_s)), html_num(b, sizeof(b), l->max));
	fputs("</tbody></table>\n</div>\n</figure>\n", out);
}
