/* render_html_data.c: logs (invalid reasons, marked invalid and accepted
 * apart; TCP flags; LOG prefixes), the walk's top sources and ports, NAT
 * saturation per destination, entries per namespace with owners. */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "render_html_charts.h"
#include "render_html_data.h"
#include "render_invalid.h"

#define MAX_BARS 32

static void log_reasons(FILE *out, const struct logparse_agg_result *r)
{
	struct html_bar bars[MAX_BARS];
	size_t n = 0;

	for (size_t i = 0; i < r->n_reasons && n < MAX_BARS; i++) {
		const struct logparse_reason_count *rc = &r->reasons[i];
		bool is_acc = rc->verdict == LOGPARSE_VERDICT_ACCEPTED;

		bars[n] = (struct html_bar){.value = (double)rc->count,
					    .cls = is_acc ? "accepted" : "dropped",
					    .note = is_acc ? "accepted (logged, went on)"
							   : "marked invalid"};
		snprintf(bars[n++].label, sizeof(bars[0].label), "%s",
			 rc->reason != NULL ? rc->reason->id : "?");
	}
	if (n == 0) {
		fputs("<p id=\"logs-no-reasons\">No invalid-packet reports in the log.</p>\n", out);
		return;
	}
	html_bar_chart(out,
		       &(struct html_chart){.id = "chart-reasons",
					    .title = "Invalid packets by the kernel's reason",
					    .unit = "packets",
					    .note_hd = "verdict"},
		       bars, n);
}

static void log_flags(FILE *out, const struct logparse_agg_result *r)
{
	struct html_bar bars[MAX_BARS];
	size_t n = 0;

	for (unsigned f = 0; f < 256 && n < MAX_BARS; f++) {
		if (r->by_tcp_flags[f] == 0)
			continue;
		bars[n] = (struct html_bar){.value = (double)r->by_tcp_flags[f]};
		logparse_tcp_flags_str((uint8_t)f, bars[n].label, sizeof(bars[n].label));
		n++;
	}
	if (n > 0)
		html_bar_chart(
		    out,
		    &(struct html_chart){.id = "chart-tcp-flags",
					 .title = "Invalid TCP packets by flag combination",
					 .unit = "packets"},
		    bars, n);
}

static void key_chart(FILE *out, const char *id, const char *title,
		      const struct logparse_key_count *k, size_t nk)
{
	struct html_bar bars[MAX_BARS];
	size_t n = 0;

	for (size_t i = 0; i < nk && n < MAX_BARS; i++) {
		bars[n] = (struct html_bar){.value = (double)k[i].count};
		snprintf(bars[n++].label, sizeof(bars[0].label), "%s", k[i].name);
	}
	if (n > 0)
		html_bar_chart(out, &(struct html_chart){.id = id, .title = title, .unit = "lines"},
			       bars, n);
}

static void top_chart(FILE *out, const char *id, const char *title, const struct logparse_top *t,
		      size_t nt, bool is_port)
{
	struct html_bar bars[MAX_BARS];
	char proto[32];
	size_t n = 0;

	for (size_t i = 0; i < nt && n < MAX_BARS; i++) {
		bars[n] = (struct html_bar){.value = (double)t[i].count};
		if (is_port)
			snprintf(bars[n].label, sizeof(bars[0].label), "%s/%u",
				 render_invalid_proto(t[i].proto, proto, sizeof(proto)),
				 (unsigned)t[i].port);
		else
			render_invalid_addr(&t[i], bars[n].label, sizeof(bars[0].label));
		n++;
	}
	if (n > 0)
		html_bar_chart(out,
			       &(struct html_chart){.id = id, .title = title, .unit = "packets"},
			       bars, n);
}

void render_html_logs(FILE *out, const struct render_html_logs *l)
{
	const struct logparse_agg_result *r = l->res;

	fputs("<h2 id=\"logs\">Kernel logs (<code>", out);
	html_text(out, l->source);
	fprintf(out,
		"</code>)</h2>\n<p><span id=\"logs-lines\">%" PRIu64 "</span> lines: "
		"<span id=\"logs-marked\">%" PRIu64 "</span> packets marked invalid, "
		"<span id=\"logs-accepted\">%" PRIu64 "</span> logged and accepted, "
		"<span id=\"logs-table-full\">%" PRIu64 "</span> table-full events, %" PRIu64
		" lines not understood.%s</p>\n",
		r->lines, r->marked_invalid, r->accepted, r->table_full, r->not_understood,
		r->counts_lower_bound ? " The kernel suppressed some lines: counts are lower "
					"bounds."
				      : "");
	log_reasons(out, r);
	log_flags(out, r);
	top_chart(out, "chart-log-src", "Invalid packets: top sources", r->top_src, r->n_top_src,
		  false);
	top_chart(out, "chart-log-dport", "Invalid packets: top destination ports", r->top_dport,
		  r->n_top_dport, true);
	key_chart(out, "chart-log-prefix", "LOG-target lines by prefix", r->log_prefixes,
		  r->n_log_prefixes);
}

static void snap_top(FILE *out, const char *id, const char *title, const struct snap_top_item *t,
		     size_t nt)
{
	struct html_bar bars[SNAP_TOP_N];
	size_t n = 0;

	for (size_t i = 0; i < nt && n < SNAP_TOP_N; i++) {
		bars[n] = (struct html_bar){.value = (double)t[i].count,
					    .note = t[i].error > 0 ? "upper bound" : "exact"};
		snprintf(bars[n++].label, sizeof(bars[0].label), "%s", t[i].key);
	}
	if (n > 0)
		html_bar_chart(out,
			       &(struct html_chart){
				   .id = id, .title = title, .unit = "entries", .note_hd = "count"},
			       bars, n);
}

void render_html_walk(FILE *out, const struct ct_snapshot *s)
{
	struct html_bar bars[SNAP_TCP_STATES + 1];
	size_t n = 0;

	if (!s->has_walk)
		return;
	fprintf(out,
		"<h2 id=\"walk\">The table walk</h2>\n<p><span id=\"walk-entries\">%" PRIu64
		"</span> entries walked: %" PRIu64 " unreplied, %" PRIu64 " assured.%s</p>\n",
		s->walk.entries, s->walk.unreplied, s->walk.assured,
		s->walk.is_interrupted ? " The table changed during the dump (interrupted)." : "");
	for (unsigned st = 0; st <= SNAP_TCP_STATES; st++) {
		if (s->walk.tcp_state[st] == 0)
			continue;
		bars[n] = (struct html_bar){.value = (double)s->walk.tcp_state[st]};
		snprintf(bars[n++].label, sizeof(bars[0].label), "%s",
			 st < SNAP_TCP_STATES ? snap_tcp_state_name(st) : "unknown");
	}
	if (n > 0)
		html_bar_chart(out,
			       &(struct html_chart){.id = "chart-tcp-states",
						    .title = "TCP entries by state",
						    .unit = "entries"},
			       bars, n);
	snap_top(out, "chart-top-src", "Top sources", s->walk.top_src, s->walk.n_top_src);
	snap_top(out, "chart-top-dport", "Top destination ports", s->walk.top_dport,
		 s->walk.n_top_dport);
}

void render_html_nat(FILE *out, const struct nat_report *r)
{
	struct html_bar bars[MAX_BARS];
	char nat[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN], note[MAX_BARS][64];
	size_t n = 0;

	fprintf(out,
		"<h2 id=\"nat\">Source NAT port saturation</h2>\n<p>%" PRIu64
		" source-NATed entries of %" PRIu64 " walked.</p>\n",
		r->snat_entries, r->entries);
	for (size_t i = 0; i < r->n_rows && n < MAX_BARS; i++) {
		const struct nat_row *w = &r->rows[i];

		if (inet_ntop(w->family, w->nat_addr, nat, sizeof(nat)) == NULL)
			snprintf(nat, sizeof(nat), "?");
		if (inet_ntop(w->family, w->dst, dst, sizeof(dst)) == NULL)
			snprintf(dst, sizeof(dst), "?");
		snprintf(note[n], sizeof(note[0]), "%" PRIu64 " of %u ports", w->in_use,
			 (unsigned)w->capacity);
		bars[n] = (struct html_bar){.value = w->saturation_pct, .note = note[n]};
		snprintf(bars[n++].label, sizeof(bars[0].label), "%s %s -> %s:%u",
			 nat_proto_name(w->proto), nat, dst, (unsigned)w->dport);
	}
	if (n == 0) {
		fputs("<p id=\"nat-none\">No source-NATed destination.</p>\n", out);
		return;
	}
	html_bar_chart(out,
		       &(struct html_chart){.id = "chart-nat",
					    .title = "Source NAT port saturation per destination",
					    .unit = "% of the port range",
					    .note_hd = "ports"},
		       bars, n);
}

void render_html_netns(FILE *out, const struct snap_all_netns *all)
{
	struct html_bar bars[SNAP_NETNS_LIST];
	size_t n = 0;

	fprintf(out,
		"<h2 id=\"netns\">Entries per network namespace</h2>\n<p>%zu other "
		"namespaces found, %zu unreadable.</p>\n",
		all->n_found, all->n_failed);
	for (size_t i = 0; i < all->n_list && n < SNAP_NETNS_LIST; i++) {
		const struct snap_netns *ns = &all->list[i];

		if (!ns->has_count)
			continue;
		bars[n] = (struct html_bar){.value = (double)ns->count, .note = ns->owner};
		snprintf(bars[n++].label, sizeof(bars[0].label), "%s",
			 ns->name[0]     ? ns->name
			 : ns->target[0] ? ns->target
					 : "-");
	}
	if (n > 0)
		html_bar_chart(out,
			       &(struct html_chart){.id = "chart-netns",
						    .title = "Entries per network namespace",
						    .unit = "entries",
						    .note_hd = "owner"},
			       bars, n);
}
