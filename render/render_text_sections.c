/* render_text_sections.c: the check report's NAT and other-namespace
 * sections, and the helpers every section of render_text shares. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>

#include "escape.h"
#include "render_text_int.h"

/* Indexed by enum rules_sev. */
static const char *const sev_colors[] = {"\033[32m", "\033[36m", "\033[1;33m", "\033[1;31m"};
static const char *const sev_tags[] = {"[OK]  ", "[INFO]", "[WARN]", "[CRIT]"};

static unsigned sev_idx(enum rules_sev sev)
{
	return (unsigned)sev <= RULES_SEV_CRITICAL ? (unsigned)sev : 0;
}

const char *render_text_sev_color(enum rules_sev sev)
{
	return sev_colors[sev_idx(sev)];
}

const char *render_text_sev_tag(enum rules_sev sev)
{
	return sev_tags[sev_idx(sev)];
}

/* Whole numbers without decimals, others with two. */
const char *render_text_num(char *buf, size_t size, double v)
{
	snprintf(buf, size, v == floor(v) && fabs(v) < 1e15 ? "%.0f" : "%.2f", v);
	return buf;
}

/* The worst key as `nat` prints it ("tcp 10.0.0.1 -> 192.0.2.7:443"). */
void render_text_nat(struct tw *t, const struct snap_nat_worst *n)
{
	char a[4 * sizeof(n->nat_addr)], d[4 * sizeof(n->dst)], p[4 * sizeof(n->proto)];

	fputs("\nNAT ports (source NAT, the most saturated destination)\n", t->out);
	tw_key(t, TXT_KEY, "worst");
	if (!n->has_row) {
		tw_item(t, "", "none: no source-NATed flows");
	} else {
		render_escape(a, sizeof(a), n->nat_addr, RENDER_ESC_TEXT);
		render_escape(d, sizeof(d), n->dst, RENDER_ESC_TEXT);
		render_escape(p, sizeof(p), n->proto, RENDER_ESC_TEXT);
		tw_itemf(t, "", "%s %s -> %s:%u", p, a, d, n->dport);
		if (n->zone != 0)
			tw_itemf(t, " ", "(zone %u)", n->zone);
		tw_end(t);
		tw_key(t, TXT_KEY, "ports");
		tw_itemf(t, "", "%" PRIu64 " of %u in use (%u-%u): %.1f%%", n->in_use, n->capacity,
			 n->port_lo, n->port_hi, n->saturation_pct);
	}
	tw_itemf(t, " ", "(warns at %s%%,", render_text_num(a, sizeof(a), n->warn_pct));
	tw_itemf(t, " ", "critical at %s%%)", render_text_num(a, sizeof(a), n->crit_pct));
	tw_end(t);
	tw_key(t, TXT_KEY, "source NAT");
	tw_itemf(t, "", "%" PRIu64 " entries, %" PRIu64 " keys", n->snat_entries, n->keys);
	tw_end(t);
}

#define TXT_NETNS_ROWS 10 /* the plugin output stays under 8 KiB */

static void text_netns_row(struct tw *t, const struct snap_netns *ns)
{
	char buf[4 * sizeof(ns->owner)], e[RENDER_ERRNO_BUF];
	int alert = ns->alert > ns->drop_alert ? ns->alert : ns->drop_alert;
	enum rules_sev sev = alert >= 2   ? RULES_SEV_CRITICAL
			     : alert == 1 ? RULES_SEV_WARNING
					  : RULES_SEV_OK;

	fprintf(t->out, "  %s%s%s ", t->color ? render_text_sev_color(sev) : "",
		render_text_sev_tag(sev), t->color ? ANSI_RESET : "");
	tw_startf(t, 9, "%s", "");
	t->col = 9;
	if (ns->name[0] != '\0')
		render_escape(buf, sizeof(buf), ns->name, RENDER_ESC_TEXT);
	else
		snprintf(buf, sizeof(buf), "inode %" PRIu64, ns->inode);
	tw_item(t, "", buf);
	if (ns->err != 0)
		tw_itemf(t, ": ", "unreadable (%s)", render_errno_name(ns->err, e, sizeof(e)));
	if (ns->has_count)
		tw_itemf(t, ": ", "%" PRIu64 " entries", ns->count);
	if (ns->fill_pct >= 0)
		tw_itemf(t, " ", "(%.2f%%)", ns->fill_pct);
	if (ns->has_stats) {
		tw_itemf(t, ", ", "drop %" PRIu64, ns->drop);
		tw_itemf(t, ", ", "early_drop %" PRIu64, ns->early_drop);
		tw_itemf(t, ", ", "insert_failed %" PRIu64, ns->insert_failed);
	}
	render_escape(buf, sizeof(buf), ns->owner, RENDER_ESC_TEXT);
	tw_item(t, "; ", buf);
	tw_end(t);
}

void render_text_all_netns(struct tw *t, const struct snap_all_netns *all)
{
	size_t shown;

	fprintf(t->out,
		"\nOther namespaces (%zu found, %zu unreadable, %zu alert by fill; most "
		"entries first)\n",
		all->n_found, all->n_failed, all->n_alerting);
	if (all->n_list == 0) {
		fputs("  none\n", t->out);
		return;
	}
	for (shown = 0; shown < all->n_list && shown < TXT_NETNS_ROWS; shown++)
		text_netns_row(t, &all->list[shown]);
	if (all->n_found > shown)
		fprintf(t->out,
			"  (%zu more not shown: --format json lists %zu, ctadvisor inventory "
			"every one)\n",
			all->n_found - shown, all->n_list);
}
