/* render_html.c: the report page: head (policy, style), header, fill,
 * findings, the planning chart, the watch, settings. The log, walk, NAT and
 * namespace sections are in render_html_data.c. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "escape.h"
#include "render_html.h"
#include "render_html_charts.h"
#include "render_html_data.h"

/* default-src 'none' also forbids script, fetch, fonts and frames; only
 * the inline style below may apply. */
static const char html_head[] =
    "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
    "style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'\">\n"
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
    "<meta name=\"color-scheme\" content=\"light dark\">\n";

static const char html_style[] =
    "<style>\n"
    ":root{--fg:#1b1f23;--bg:#fff;--mut:#586069;--line:#d1d5da;--bar:#2f6fb5;"
    "--ok:#2a8a3e;--warn:#b26a00;--crit:#c62828;--acc:#7b8794;--code:#f3f4f6}\n"
    "@media (prefers-color-scheme:dark){:root{--fg:#e6e6e6;--bg:#15181c;--mut:#9aa4ae;"
    "--line:#3a4048;--bar:#6aa7ea;--ok:#5cc46f;--warn:#f0a73a;--crit:#ff6b6b;"
    "--acc:#8f9aa6;--code:#22272e}}\n"
    "body{font:15px/1.45 system-ui,sans-serif;color:var(--fg);background:var(--bg);"
    "margin:0 auto;max-width:1180px;padding:0 18px 40px}\n"
    "h1{font-size:1.6em;margin:18px 0 4px}h2{border-bottom:1px solid var(--line);"
    "padding-bottom:3px;margin-top:30px}h3{margin:14px 0 4px}\n"
    "dl.head{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:8px 0}"
    "dt{color:var(--mut)}dd{margin:0}\n"
    ".status{font-weight:700}.sev-ok,.st-OK{color:var(--ok)}.sev-info{color:var(--mut)}"
    ".sev-warning,.st-WARNING{color:var(--warn)}.sev-critical,.st-CRITICAL,.st-UNKNOWN"
    "{color:var(--crit)}\n"
    "figure.chart{margin:12px 0 20px;break-inside:avoid}figcaption{font-weight:600;"
    "margin-bottom:6px}\n.pair{display:flex;flex-wrap:wrap;gap:18px;align-items:flex-start}"
    "\nsvg{max-width:100%;height:auto}svg text{fill:var(--fg);font-size:12px}"
    "svg .lbl{text-anchor:end}svg .end{text-anchor:end}\n"
    ".bar{fill:var(--bar)}.bar.accepted{fill:var(--acc)}.bar.dropped,.bar.crit"
    "{fill:var(--crit)}.bar.warn{fill:var(--warn)}\n"
    ".track{fill:var(--code);stroke:var(--line)}.fill.ok{fill:var(--ok)}.fill.warn"
    "{fill:var(--warn)}.fill.crit{fill:var(--crit)}\n"
    ".mark{stroke-width:2}.mark.warn{stroke:var(--warn)}.mark.crit{stroke:var(--crit)}"
    ".marklbl{font-size:11px}\n"
    ".level{stroke-width:1.5;stroke-dasharray:2 3}.level.max{stroke:var(--crit)}"
    ".level.peak{stroke:var(--warn)}.series{fill:none;stroke:var(--bar);stroke-width:2}"
    ".pt{fill:var(--bar)}.proj{stroke:var(--crit);stroke-width:2;stroke-dasharray:6 4}\n"
    "table{border-collapse:collapse;font-size:13px}th,td{border:1px solid var(--line);"
    "padding:2px 7px;text-align:left;vertical-align:top}td.num{text-align:right;"
    "font-variant-numeric:tabular-nums}thead th{background:var(--code)}\n"
    "pre.cmd{background:var(--code);padding:6px 9px;overflow-x:auto;white-space:pre-wrap;"
    "word-break:break-all;margin:4px 0}.equiv{color:var(--mut)}\n"
    ".finding{border-left:4px solid var(--line);padding:2px 12px;margin:10px 0;"
    "break-inside:avoid}.finding.sev-critical{border-color:var(--crit)}"
    ".finding.sev-warning{border-color:var(--warn)}.finding .summary{color:var(--fg)}\n"
    ".missing li{color:var(--mut)}.note{color:var(--mut);font-size:13px}\n"
    "@media print{body{max-width:none;font-size:11pt;color:#000;background:#fff}"
    ":root{--fg:#000;--bg:#fff;--mut:#333;--code:#eee}h2{break-after:avoid}}\n"
    "</style>\n</head>\n<body>\n";

static void header_row(FILE *out, const char *id, const char *key, const char *val)
{
	fprintf(out, "<dt>%s</dt><dd id=\"%s\">", key, id);
	html_text(out, val);
	fputs("</dd>\n", out);
}

static void page_header(FILE *out, const struct render_html_page *p)
{
	const char *st = render_status_name(p->rep);

	fputs("<header>\n<h1>ctadvisor report</h1>\n<dl class=\"head\">\n", out);
	header_row(out, "h-host", "host", p->host);
	header_row(out, "h-kernel", "kernel", p->kernel);
	header_row(out, "h-netns", "network namespace", p->netns ? p->netns : "(current)");
	header_row(out, "h-time", "generated", p->generated);
	header_row(out, "h-version", "ctadvisor", p->version);
	fprintf(out, "<dt>status</dt><dd id=\"h-status\" class=\"status st-%s\">%s</dd>\n", st, st);
	fputs("</dl>\n", out);
	if (p->n_missing == 0 && p->snap->n_problems == 0) {
		fputs("<p class=\"note\" id=\"missing-none\">Everything asked for was read.</p>\n",
		      out);
	} else {
		fputs("<h3>Not available</h3>\n<ul class=\"missing\" id=\"missing\">\n", out);
		for (size_t i = 0; i < p->n_missing && i < RENDER_HTML_MISSING; i++) {
			fputs("<li>", out);
			html_text(out, p->missing[i]);
			fputs("</li>\n", out);
		}
		for (size_t i = 0; i < p->snap->n_problems && i < SNAP_PROBLEMS; i++) {
			fputs("<li>", out);
			html_text(out, p->snap->problems[i].what);
			fputs(": ", out);
			html_text(out, p->snap->problems[i].detail);
			fputs("</li>\n", out);
		}
		fputs("</ul>\n", out);
	}
	fputs("</header>\n", out);
}

static void occupancy(FILE *out, const struct render_html_page *p)
{
	const struct ct_snapshot *s = p->snap;
	const struct rules_derived *d = &p->rep->d;
	char a[64], b[64];

	fputs("<h2 id=\"occupancy\">Occupancy</h2>\n", out);
	html_gauge(out,
		   &(struct html_gauge){.fill_pct = s->has_count && s->has_max ? d->fill_pct : -1,
					.warn_pct = p->fill_warn_pct,
					.crit_pct = p->fill_crit_pct,
					.count = s->has_count ? s->count : 0,
					.max = s->has_max ? s->max : 0});
	fputs("<table class=\"data\" id=\"occupancy-data\"><tbody>\n", out);
	if (s->has_walk)
		fprintf(out,
			"<tr><th scope=\"row\">live entries (walk)</th><td class=\"num\" "
			"id=\"occ-live\">%" PRIu64 "</td></tr>\n",
			s->walk.entries);
	fprintf(out, "<tr><th scope=\"row\">buckets</th><td class=\"num\">%" PRId64 "</td></tr>\n",
		s->set.buckets);
	fprintf(out,
		"<tr><th scope=\"row\">average chain now / at full</th><td class=\"num\">"
		"%.2f / %.2f</td></tr>\n",
		d->load_now, d->load_at_max);
	fprintf(out,
		"<tr><th scope=\"row\">kernel memory now / at max (bytes)</th>"
		"<td class=\"num\">%s / %s</td></tr>\n",
		html_num(a, sizeof(a), (double)d->mem_now_bytes),
		html_num(b, sizeof(b), (double)d->mem_at_max_bytes));
	fputs("</tbody></table>\n", out);
}

static void finding_evidence(FILE *out, const struct rules_finding *f)
{
	char num[64];

	if (f->n_ev == 0)
		return;
	fputs("<table class=\"evidence\"><tbody>\n", out);
	for (size_t i = 0; i < f->n_ev && i < RULES_EVIDENCE; i++) {
		fputs("<tr><th scope=\"row\">", out);
		html_text(out, f->ev[i].name);
		fprintf(out, "</th><td class=\"num\">%s</td><td>",
			html_num(num, sizeof(num), f->ev[i].value));
		html_text(out, f->ev[i].unit);
		fputs("</td></tr>\n", out);
	}
	fputs("</tbody></table>\n", out);
}

/* As check prints it: the sentence, the evidence, each command whole on
 * its own line, the first one's plain sysctl form under it. */
static void finding(FILE *out, const struct rules_finding *f)
{
	const char *sev = rules_sev_name(f->sev);

	fprintf(out, "<section class=\"finding sev-%s\" id=\"finding-", sev);
	html_text(out, f->id);
	fprintf(out, "\">\n<h3><span class=\"sev sev-%s\">[%s]</span> ", sev, sev);
	html_text(out, f->id);
	fputs("</h3>\n<p class=\"summary\">", out);
	html_text(out, f->summary);
	fputs("</p>\n", out);
	finding_evidence(out, f);
	for (size_t i = 0; i < f->n_commands && i < RULES_COMMANDS; i++) {
		fputs("<pre class=\"cmd\"><code>$ ", out);
		html_text(out, f->commands[i]);
		fputs("</code></pre>\n", out);
		if (i == 0 && f->equivalent[0] != '\0') {
			fputs("<p class=\"equiv\">or, without undo or read-back: <code>", out);
			html_text(out, f->equivalent);
			fputs("</code></p>\n", out);
		}
	}
	fputs("</section>\n", out);
}

static void findings(FILE *out, const struct rules_report *rep)
{
	fprintf(out, "<h2 id=\"findings\">Findings (%zu)</h2>\n", rep->n_findings);
	if (rep->n_findings == 0)
		fputs("<p>none</p>\n", out);
	for (size_t i = 0; i < rep->n_findings && i < RULES_FINDINGS; i++)
		finding(out, &rep->findings[i]);
}

static void plan_table(FILE *out, const struct render_html_plan *pl)
{
	char a[64];

	fputs("<table class=\"data\" id=\"plan-data\"><thead><tr><th></th><th>nf_conntrack_max"
	      "</th><th>buckets</th><th>memory at max (bytes)</th><th>chain at full</th></tr>"
	      "</thead><tbody>\n",
	      out);
	for (size_t i = 0; i < pl->n_rows && i < RENDER_HTML_SIZINGS; i++) {
		const struct render_html_sizing *r = &pl->rows[i];

		fprintf(out,
			"<tr><th scope=\"row\">%s</th><td class=\"num\">%" PRIu64 "</td>"
			"<td class=\"num\">%" PRIu64 "</td><td class=\"num\">%s</td>"
			"<td class=\"num\">%.2f</td></tr>\n",
			r->label, r->max, r->buckets, html_num(a, sizeof(a), (double)r->mem_bytes),
			r->chain);
	}
	fputs("</tbody></table>\n", out);
}

static void plan_steps(FILE *out, const struct plan_result *res)
{
	fputs("<details open><summary>The working</summary>\n<table class=\"data\" "
	      "id=\"plan-steps\"><tbody>\n",
	      out);
	for (size_t i = 0; i < res->n_steps && i < PLAN_MAX_STEPS; i++) {
		fputs("<tr><th scope=\"row\">", out);
		html_text(out, res->steps[i].name);
		fputs("</th><td>", out);
		html_text(out, res->steps[i].working);
		fputs("</td></tr>\n", out);
	}
	fputs("</tbody></table>\n</details>\n", out);
}

static void plan(FILE *out, const struct render_html_plan *pl)
{
	struct html_bar mem[RENDER_HTML_SIZINGS], chain[RENDER_HTML_SIZINGS];
	size_t n = pl->n_rows < RENDER_HTML_SIZINGS ? pl->n_rows : RENDER_HTML_SIZINGS;

	fputs("<h2 id=\"plan\">Planning: the table at its limit</h2>\n<p>", out);
	fprintf(out,
		"Recommended from %s: <b id=\"plan-rec-max\">nf_conntrack_max=%" PRIu64
		"</b>, <b id=\"plan-rec-buckets\">nf_conntrack_buckets=%" PRIu64
		"</b> (demand %" PRIu64 " entries).</p>\n",
		pl->demand_src, pl->res->rec.max, pl->res->rec.buckets, pl->res->demand);
	/* cppcheck-suppress knownConditionTrueFalse ; n depends on the caller's rows */
	for (size_t i = 0; i < n; i++) {
		const struct render_html_sizing *r = &pl->rows[i];
		const char *cls = strcmp(r->label, "recommended") == 0 ? "warn" : NULL;

		mem[i] = (struct html_bar){.value = (double)r->mem_bytes, .cls = cls};
		chain[i] = (struct html_bar){.value = r->chain, .cls = cls};
		snprintf(mem[i].label, sizeof(mem[i].label), "%s (max %" PRIu64 ")", r->label,
			 r->max);
		snprintf(chain[i].label, sizeof(chain[i].label), "%s (buckets %" PRIu64 ")",
			 r->label, r->buckets);
	}
	html_bar_chart(out,
		       &(struct html_chart){.id = "chart-plan-mem",
					    .title = "Kernel memory at a full table",
					    .unit = "bytes"},
		       mem, n);
	html_bar_chart(out,
		       &(struct html_chart){.id = "chart-plan-chain",
					    .title =
						"Average hash chain at a full table "
						"(2 x max / buckets; the kernel drops at 50-79)",
					    .unit = "entries"},
		       chain, n);
	plan_table(out, pl);
	plan_steps(out, pl->res);
}

static void watch_line(FILE *out, const struct render_html_watch *w)
{
	struct html_line l = {.n = 0, .max = (double)w->max, .peak = (double)w->peak};

	l.t_s[l.n] = 0, l.count[l.n] = (double)w->first, l.what[l.n++] = "first sample";
	l.t_s[l.n] = w->duration_s, l.count[l.n] = (double)w->last, l.what[l.n++] = "last sample";
	l.proj_t_s = w->has_hours_to_full ? w->duration_s + w->hours_to_full * 3600 : -1;
	html_line_chart(out,
			&(struct html_chart){.id = "chart-watch-count",
					     .title = "Entries over the watch, with the limit, the "
						      "peak and the projection to full",
					     .unit = "entries"},
			&l);
}

static void watch(FILE *out, const struct render_html_watch *w)
{
	struct html_bar bars[RENDER_HTML_RATES];
	size_t n = w->n_rates < RENDER_HTML_RATES ? w->n_rates : RENDER_HTML_RATES;
	char a[64], b[64], peaks[RENDER_HTML_RATES][32];

	fputs("<h2 id=\"watch\">The watch (<code>", out);
	html_text(out, w->source);
	fputs("</code>)</h2>\n<p>", out);
	if (w->netns != NULL && w->netns[0] != '\0') {
		fputs("Network namespace <span id=\"watch-netns\">", out);
		html_text(out, w->netns);
		fputs("</span>: ", out);
	}
	fprintf(out, "%" PRIu64 " samples over %s s; mean %s entries. ", w->samples,
		html_num(a, sizeof(a), w->duration_s), html_num(b, sizeof(b), w->mean));
	if (w->has_growth)
		fprintf(out, "Growth <span id=\"watch-growth\">%s</span> entries per hour. ",
			html_num(a, sizeof(a), w->growth_per_hour));
	if (w->has_hours_to_full)
		fprintf(out, "Full in <span id=\"watch-hours-to-full\">%s</span> h at that trend.",
			html_num(a, sizeof(a), w->hours_to_full));
	else
		fputs("No projection to full: the table was not growing steadily (or the watch "
		      "was too short).",
		      out);
	fputs("</p>\n<p class=\"note\">A saved summary keeps the first, peak, mean and last "
	      "count, not every sample: the line joins the first and last.</p>\n",
	      out);
	watch_line(out, w);
	/* cppcheck-suppress knownConditionTrueFalse ; n depends on the caller's rates */
	for (size_t i = 0; i < n; i++) {
		bars[i] = (struct html_bar){.value = w->rates[i].per_s};
		snprintf(bars[i].label, sizeof(bars[i].label), "%s", w->rates[i].name);
		if (w->rates[i].has_peak)
			bars[i].note = html_num(peaks[i], sizeof(peaks[i]), w->rates[i].peak_per_s);
	}
	html_bar_chart(out,
		       &(struct html_chart){.id = "chart-watch-rates",
					    .title = "Per-second rates (mean over the watch)",
					    .unit = "per second",
					    .note_hd = "peak per second"},
		       bars, n);
}

static void settings(FILE *out, const struct ct_snapshot *s)
{
	fputs("<h2 id=\"settings\">Settings</h2>\n<table class=\"data\" id=\"settings-data\">"
	      "<thead><tr><th>knob</th><th>value</th><th>writable from here</th></tr></thead>"
	      "<tbody>\n",
	      out);
	for (size_t i = 0; i < s->n_knobs; i++) {
		const struct snap_knob *k = &s->knobs[i];
		char eb[RENDER_ERRNO_BUF];

		fputs("<tr><th scope=\"row\">", out);
		html_text(out, k->name);
		fputs("</th><td>", out);
		if (k->err != 0)
			fprintf(out, "(unreadable: %s)", render_errno_name(k->err, eb, sizeof(eb)));
		else
			html_text(out, k->value);
		fprintf(out, "</td><td>%s</td></tr>\n", k->is_writable ? "yes" : "no");
	}
	fputs("</tbody></table>\n", out);
}

int render_html(FILE *out, const struct render_html_page *p)
{
	fputs(html_head, out);
	fputs("<title>ctadvisor report: ", out);
	html_text(out, p->host);
	fputs("</title>\n", out);
	fputs(html_style, out);
	page_header(out, p);
	occupancy(out, p);
	findings(out, p->rep);
	if (p->plan != NULL)
		plan(out, p->plan);
	if (p->watch != NULL)
		watch(out, p->watch);
	if (p->logs != NULL)
		render_html_logs(out, p->logs);
	render_html_walk(out, p->snap);
	if (p->nat != NULL)
		render_html_nat(out, p->nat);
	if (p->snap->all_ns.has_all)
		render_html_netns(out, &p->snap->all_ns);
	settings(out, p->snap);
	fputs("<footer class=\"note\"><p>Written by ctadvisor; no script, no fetch: this page "
	      "reads the same offline and printed.</p></footer>\n</body>\n</html>\n",
	      out);
	return fflush(out) == 0 && !ferror(out) ? 0 : -EIO;
}
