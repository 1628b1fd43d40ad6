/* nat_check.c: the worst NAT key of a check run, and its finding. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "nat_check.h"

static const char *nat_check_proto(uint8_t proto)
{
	const char *name = snap_proto_name(proto);

	return name != NULL ? name : "other";
}

void nat_check_summarise(const struct nat_report *rep, struct snap_nat_worst *out)
{
	const struct nat_row *w = &rep->rows[0];

	memset(out, 0, sizeof(*out));
	out->has_nat = true;
	out->snat_entries = rep->snat_entries;
	out->keys = rep->keys;
	if (rep->n_rows == 0)
		return;
	out->has_row = true;
	out->zone = w->zone;
	snprintf(out->proto, sizeof(out->proto), "%s", nat_check_proto(w->proto));
	if (inet_ntop(w->family, w->nat_addr, out->nat_addr, sizeof(out->nat_addr)) == NULL)
		snprintf(out->nat_addr, sizeof(out->nat_addr), "?");
	if (inet_ntop(w->family, w->dst, out->dst, sizeof(out->dst)) == NULL)
		snprintf(out->dst, sizeof(out->dst), "?");
	out->dport = w->dport;
	out->in_use = w->in_use;
	out->capacity = w->capacity;
	out->port_lo = w->cap.port_lo;
	out->port_hi = w->cap.port_hi;
	out->saturation_pct = w->saturation_pct;
}

void nat_check_finding(const struct nat_check *nc, double warn_pct, double crit_pct,
		       struct rules_finding *out, bool *fired)
{
	*fired = false;
	if (nc->has_rep)
		nat_finding(&nc->rep, warn_pct, crit_pct, out, fired);
}
