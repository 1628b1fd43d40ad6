/* nat.c: count entries per reply-tuple key, then rank keys by saturation.
 * Keys live in an array that grows by doubling up to max_keys, found
 * through an open-addressing index sized for max_keys at _new() (4 bytes a
 * slot, at most half full). Each key keeps a 4-slot space-saving sketch of
 * its clients, so memory stays bounded whatever the table holds. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "ct_abi.h"
#include "nat.h"
#include "../rules/snapshot.h"

#define PORT_CLASSES 3
#define SLOT_EMPTY   UINT32_MAX

struct nat_key {
	uint16_t zone;
	uint8_t family, proto;
	uint16_t dport;
	uint8_t nat_addr[16], dst[16];
};

struct key_slot {
	struct nat_key key;
	uint64_t entries, snat, established, time_wait;
	uint64_t by_class[PORT_CLASSES];    /* NAT ports below 512, below 1024, above */
	uint64_t tw_by_class[PORT_CLASSES]; /* of those, TIME_WAIT and later */
	struct nat_client cl[NAT_TOP_CLIENTS];
	size_t n_cl;
};

struct addr_slot {
	bool is_used;
	uint8_t family;
	uint8_t addr[16];
};

struct nat_agg {
	struct key_slot *keys;
	size_t n_keys, cap_keys, max_keys;
	uint32_t *index; /* key array positions, SLOT_EMPTY when free */
	size_t index_mask;
	struct addr_slot addrs[NAT_ADDRS_MAX * 2];
	size_t n_addrs;
	uint64_t entries, snat_entries, counted, overflow;
};

/* FNV-1a: small keys, and no attacker chooses both sides of a tuple. */
static uint32_t hash_bytes(const void *p, size_t n, uint32_t h)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

static uint32_t key_hash(const struct nat_key *k)
{
	return hash_bytes(k, sizeof(*k), 2166136261u);
}

struct nat_agg *nat_agg_new(size_t max_keys)
{
	struct nat_agg *agg = calloc(1, sizeof(*agg));
	size_t slots = 2;

	if (agg == NULL)
		return NULL;
	agg->max_keys = max_keys ? max_keys : NAT_DEFAULT_MAX_KEYS;
	while (slots < agg->max_keys * 2)
		slots *= 2;
	agg->index = malloc(slots * sizeof(*agg->index));
	if (agg->index == NULL) {
		free(agg);
		return NULL;
	}
	memset(agg->index, 0xff, slots * sizeof(*agg->index));
	agg->index_mask = slots - 1;
	return agg;
}

void nat_agg_reset(struct nat_agg *agg)
{
	for (size_t i = 0; i <= agg->index_mask; i++)
		agg->index[i] = SLOT_EMPTY;
	agg->n_keys = 0;
	agg->entries = 0;
	agg->snat_entries = 0;
	agg->counted = 0;
	agg->overflow = 0;
}

void nat_agg_free(struct nat_agg *agg)
{
	if (agg == NULL)
		return;
	free(agg->keys);
	free(agg->index);
	free(agg);
}

static size_t addr_len(uint8_t family)
{
	return family == AF_INET ? 4 : 16;
}

/* The slot holding (family, addr), or the free slot where it would go;
 * NULL when the set is full and it is absent. */
static struct addr_slot *addr_find(struct nat_agg *agg, uint8_t family, const uint8_t *addr)
{
	const size_t n = sizeof(agg->addrs) / sizeof(agg->addrs[0]);
	size_t i = hash_bytes(addr, addr_len(family), family) % n;

	for (size_t probe = 0; probe < n; probe++, i = (i + 1) % n) {
		struct addr_slot *s = &agg->addrs[i];

		if (!s->is_used)
			return s;
		if (s->family == family && memcmp(s->addr, addr, addr_len(family)) == 0)
			return s;
	}
	return NULL;
}

int nat_agg_add_addr(struct nat_agg *agg, uint8_t family, const uint8_t *addr)
{
	struct addr_slot *s = addr_find(agg, family, addr);

	if (s != NULL && s->is_used)
		return 0;
	if (s == NULL || agg->n_addrs >= NAT_ADDRS_MAX)
		return -ENOSPC;
	s->is_used = true;
	s->family = family;
	memset(s->addr, 0, sizeof(s->addr));
	memcpy(s->addr, addr, addr_len(family));
	agg->n_addrs++;
	return 0;
}

static bool addr_known(struct nat_agg *agg, uint8_t family, const uint8_t *addr)
{
	const struct addr_slot *s = addr_find(agg, family, addr);

	return s != NULL && s->is_used;
}

bool nat_agg_wants(const struct nat_agg *agg, uint32_t status, uint8_t family,
		   const uint8_t *orig_src)
{
	const size_t n = sizeof(agg->addrs) / sizeof(agg->addrs[0]);
	size_t i;

	if (status & CT_IPS_SRC_NAT)
		return true;
	if (agg->n_addrs == 0 || (family != AF_INET && family != AF_INET6))
		return false;
	i = hash_bytes(orig_src, addr_len(family), family) % n;
	for (size_t probe = 0; probe < n && agg->addrs[i].is_used; probe++, i = (i + 1) % n)
		if (agg->addrs[i].family == family &&
		    memcmp(agg->addrs[i].addr, orig_src, addr_len(family)) == 0)
			return true;
	return false;
}

static int keys_grow(struct nat_agg *agg)
{
	size_t cap = agg->cap_keys ? agg->cap_keys * 2 : 64;
	struct key_slot *k;

	if (cap > agg->max_keys)
		cap = agg->max_keys;
	k = realloc(agg->keys, cap * sizeof(*k));
	if (k == NULL)
		return -ENOMEM;
	agg->keys = k;
	agg->cap_keys = cap;
	return 0;
}

/* The key's slot, created when new; NULL when the table is full. */
static struct key_slot *key_get(struct nat_agg *agg, const struct nat_key *k)
{
	size_t i = key_hash(k) & agg->index_mask;
	struct key_slot *s;

	for (; agg->index[i] != SLOT_EMPTY; i = (i + 1) & agg->index_mask) {
		s = &agg->keys[agg->index[i]];
		if (memcmp(&s->key, k, sizeof(*k)) == 0)
			return s;
	}
	if (agg->n_keys >= agg->max_keys)
		return NULL;
	if (agg->n_keys == agg->cap_keys && keys_grow(agg) < 0)
		return NULL;
	s = &agg->keys[agg->n_keys];
	memset(s, 0, sizeof(*s));
	s->key = *k;
	agg->index[i] = (uint32_t)agg->n_keys++;
	return s;
}

/* Space-saving: a new client replaces the smallest count, inheriting it as
 * its error bound. */
static void client_add(struct key_slot *s, const uint8_t *client)
{
	size_t min = 0;

	for (size_t i = 0; i < s->n_cl; i++) {
		if (memcmp(s->cl[i].addr, client, 16) == 0) {
			s->cl[i].count++;
			return;
		}
		if (s->cl[i].count < s->cl[min].count)
			min = i;
	}
	if (s->n_cl < NAT_TOP_CLIENTS) {
		min = s->n_cl++;
		memset(&s->cl[min], 0, sizeof(s->cl[min]));
	} else {
		s->cl[min].error = s->cl[min].count;
	}
	memcpy(s->cl[min].addr, client, 16);
	s->cl[min].count++;
}

static size_t port_class(uint16_t port)
{
	return port < 512 ? 0 : port < 1024 ? 1 : 2;
}

static bool counts_proto(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_SCTP:
	case IPPROTO_UDPLITE:
	case IPPROTO_DCCP:
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		return true;
	default:
		return false;
	}
}

void nat_agg_add(struct nat_agg *agg, const struct nat_entry *e)
{
	bool is_snat = (e->status & CT_IPS_SRC_NAT) != 0;
	struct nat_key k;
	struct key_slot *s;
	bool is_tw;

	agg->entries++;
	if (is_snat)
		agg->snat_entries++;
	if (!e->has_ports || !counts_proto(e->proto) ||
	    (e->family != AF_INET && e->family != AF_INET6))
		return;
	if (is_snat)
		(void)nat_agg_add_addr(agg, e->family, e->nat_addr);
	else if (!addr_known(agg, e->family, e->nat_addr))
		return;
	memset(&k, 0, sizeof(k));
	k.zone = e->zone;
	k.family = e->family;
	k.proto = e->proto;
	k.dport = e->dport;
	memcpy(k.nat_addr, e->nat_addr, addr_len(e->family));
	memcpy(k.dst, e->dst, addr_len(e->family));
	s = key_get(agg, &k);
	if (s == NULL) {
		agg->overflow++;
		return;
	}
	agg->counted++;
	s->entries++;
	s->snat += is_snat;
	s->established += e->tcp_state == CT_TCP_ESTABLISHED;
	/* the kernel evicts states from TIME_WAIT on (nf_nat_may_kill) */
	is_tw = e->tcp_state >= CT_TCP_TIME_WAIT && e->tcp_state < CT_TCP_STATES;
	s->time_wait += is_tw;
	s->by_class[port_class(e->nat_port)]++;
	s->tw_by_class[port_class(e->nat_port)] += is_tw;
	client_add(s, e->client);
}

/* A port of each class, to ask nat_rules_capacity() about that class. */
static const uint16_t class_port[PORT_CLASSES] = {1, 600, 1024};

/* Capacity and saturation of one key: with a configured port range every
 * entry competes for it; with the kernel's default, each port class has its
 * own range and the most saturated class is the key's. TIME_WAIT entries
 * hold a port the kernel takes back for a new connection, so they do not
 * count toward saturation. More ports in use than the range has cannot be:
 * the rule matched is not the one the flows went through. */
static void row_capacity(const struct key_slot *s, const struct nat_rules *rules,
			 struct nat_row *row)
{
	struct nat_rules_key k = {.family = s->key.family,
				  .l4proto = s->key.proto,
				  .nat_addr = s->key.nat_addr,
				  .dst = s->key.dst,
				  .client = s->n_cl > 0 ? s->cl[0].addr : NULL};
	bool is_set = false;

	for (size_t c = 0; c < PORT_CLASSES; c++) {
		struct nat_capacity cap;
		uint64_t in_use = s->by_class[c], tw = s->tw_by_class[c];
		uint32_t capacity;
		double pct;

		if (in_use == 0)
			continue;
		nat_rules_capacity(rules, &k, class_port[c], &cap);
		if (cap.src == NAT_CAP_RULE) {
			in_use = s->entries;
			tw = s->time_wait;
		}
		capacity = (uint32_t)cap.port_hi - cap.port_lo + 1;
		pct = in_use > capacity ? 0 : 100.0 * (double)(in_use - tw) / capacity;
		if (!is_set || pct > row->saturation_pct) {
			row->cap = cap;
			row->capacity = capacity;
			row->in_use = in_use;
			row->reclaimable = tw;
			row->saturation_pct = pct;
			row->is_rule_mismatch = in_use > capacity;
			row->nat_addrs_configured = cap.rule ? nat_rule_addr_count(cap.rule) : 0;
			is_set = true;
		}
	}
}

static void row_fill(const struct key_slot *s, const struct nat_rules *rules, struct nat_row *row)
{
	memset(row, 0, sizeof(*row));
	row->zone = s->key.zone;
	row->family = s->key.family;
	row->proto = s->key.proto;
	memcpy(row->nat_addr, s->key.nat_addr, 16);
	memcpy(row->dst, s->key.dst, 16);
	row->dport = s->key.dport;
	row->entries = s->entries;
	row->snat_entries = s->snat;
	row->established = s->established;
	row->time_wait = s->time_wait;
	row_capacity(s, rules, row);
}

/* Worst first: saturation, then ports in use, then the key bytes, so the
 * order never depends on the walk's. */
static int row_cmp(const struct nat_row *a, const struct nat_row *b)
{
	int c;

	if (a->saturation_pct != b->saturation_pct)
		return a->saturation_pct > b->saturation_pct ? -1 : 1;
	if (a->in_use != b->in_use)
		return a->in_use > b->in_use ? -1 : 1;
	if ((c = memcmp(a->dst, b->dst, 16)) != 0)
		return c;
	if (a->dport != b->dport)
		return a->dport < b->dport ? -1 : 1;
	if ((c = memcmp(a->nat_addr, b->nat_addr, 16)) != 0)
		return c;
	if (a->zone != b->zone)
		return a->zone < b->zone ? -1 : 1;
	return (int)a->proto - (int)b->proto;
}

/* Insert row into the sorted top list of at most top_n. */
static void top_insert(struct nat_report *out, size_t top_n, const struct nat_row *row)
{
	size_t i = out->n_rows;

	if (i == top_n && (i == 0 || row_cmp(row, &out->rows[i - 1]) >= 0))
		return;
	if (i == top_n)
		i--;
	else
		out->n_rows++;
	while (i > 0 && row_cmp(row, &out->rows[i - 1]) < 0) {
		out->rows[i] = out->rows[i - 1];
		i--;
	}
	out->rows[i] = *row;
}

static bool same_dest(const struct nat_key *a, const struct nat_row *r)
{
	return a->zone == r->zone && a->family == r->family && a->proto == r->proto &&
	       a->dport == r->dport && memcmp(a->dst, r->dst, 16) == 0;
}

/* How many NAT addresses serve the row's destination, and for each top
 * client its flows there through the other addresses (from their sketches:
 * a lower bound). */
static void row_siblings(const struct nat_agg *agg, struct nat_row *row)
{
	for (size_t i = 0; i < agg->n_keys; i++) {
		const struct key_slot *s = &agg->keys[i];

		if (!same_dest(&s->key, row))
			continue;
		row->n_nat_addrs++;
		if (memcmp(s->key.nat_addr, row->nat_addr, 16) == 0)
			continue;
		for (size_t c = 0; c < row->n_clients; c++)
			for (size_t j = 0; j < s->n_cl; j++)
				if (memcmp(s->cl[j].addr, row->clients[c].addr, 16) == 0)
					row->clients[c].elsewhere +=
					    s->cl[j].count - s->cl[j].error;
	}
}

static int client_cmp(const void *a, const void *b)
{
	const struct nat_client *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return memcmp(x->addr, y->addr, 16);
}

static const struct key_slot *key_find(const struct nat_agg *agg, const struct nat_key *k)
{
	for (size_t i = key_hash(k) & agg->index_mask; agg->index[i] != SLOT_EMPTY;
	     i = (i + 1) & agg->index_mask)
		if (memcmp(&agg->keys[agg->index[i]].key, k, sizeof(*k)) == 0)
			return &agg->keys[agg->index[i]];
	return NULL;
}

static void row_clients(const struct nat_agg *agg, struct nat_row *row)
{
	const struct key_slot *s;
	struct nat_key k;

	memset(&k, 0, sizeof(k));
	k.zone = row->zone;
	k.family = row->family;
	k.proto = row->proto;
	k.dport = row->dport;
	memcpy(k.nat_addr, row->nat_addr, 16);
	memcpy(k.dst, row->dst, 16);
	s = key_find(agg, &k);
	if (s == NULL)
		return;
	memcpy(row->clients, s->cl, s->n_cl * sizeof(s->cl[0]));
	row->n_clients = s->n_cl;
	qsort(row->clients, row->n_clients, sizeof(row->clients[0]), client_cmp);
}

void nat_agg_result(const struct nat_agg *agg, const struct nat_rules *rules, size_t top_n,
		    struct nat_report *out)
{
	struct nat_row row;

	if (top_n > NAT_REPORT_ROWS)
		top_n = NAT_REPORT_ROWS;
	out->entries = agg->entries;
	out->snat_entries = agg->snat_entries;
	out->counted = agg->counted;
	out->keys = agg->n_keys;
	out->overflow = agg->overflow;
	out->n_rows = 0;
	for (size_t i = 0; i < agg->n_keys; i++) {
		if (agg->keys[i].snat == 0)
			continue; /* only local flows: not a NAT address's tuples */
		row_fill(&agg->keys[i], rules, &row);
		top_insert(out, top_n, &row);
	}
	for (size_t i = 0; i < out->n_rows; i++) {
		row_clients(agg, &out->rows[i]);
		row_siblings(agg, &out->rows[i]);
	}
}

enum rules_sev nat_severity(const struct nat_report *r, double warn_pct, double crit_pct)
{
	if (r->n_rows == 0)
		return RULES_SEV_OK;
	if (r->rows[0].saturation_pct >= crit_pct)
		return RULES_SEV_CRITICAL;
	if (r->rows[0].saturation_pct >= warn_pct)
		return RULES_SEV_WARNING;
	return RULES_SEV_OK;
}

double nat_rate(const struct nat_report *r, enum nat_ctr c)
{
	if (!r->has_counters || r->interval_ms == 0)
		return 0;
	return (double)r->delta[c] * 1000.0 / (double)r->interval_ms;
}

const char *nat_proto_name(uint8_t proto)
{
	const char *name = snap_proto_name(proto);

	return name != NULL ? name : "other";
}

static void ev_add(struct rules_finding *f, const char *name, double v, const char *unit)
{
	if (f->n_ev >= RULES_EVIDENCE)
		return;
	f->ev[f->n_ev++] = (struct rules_evidence){.name = name, .value = v, .unit = unit};
}

/* Keys of the report at or above warn_pct (rows are worst first). */
static size_t nat_alerting(const struct nat_report *r, double warn_pct)
{
	size_t n = 0;

	while (n < r->n_rows && r->rows[n].saturation_pct >= warn_pct)
		n++;
	return n;
}

static void finding_text(const struct nat_report *r, size_t n_alerting, struct rules_finding *f)
{
	const struct nat_row *w = &r->rows[0];
	char nat[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN], more[80] = "";
	int n;

	inet_ntop(w->family, w->nat_addr, nat, sizeof(nat));
	inet_ntop(w->family, w->dst, dst, sizeof(dst));
	if (n_alerting > 1)
		snprintf(more, sizeof(more), "; %zu more destination%s alert%s", n_alerting - 1,
			 n_alerting > 2 ? "s" : "", n_alerting > 2 ? "" : "s");
	/* Truncation keeps the figures, which come first. */
	n = snprintf(
	    f->summary, sizeof(f->summary),
	    "NAT address %s holds %llu of %u ports (%u-%u) toward %s %s/%u (%.0f%%%s); new "
	    "connections there fail once all are taken. Widen the port range or reuse "
	    "connections; more NAT addresses help only other clients (a client/destination "
	    "pair always maps to one address)",
	    nat, (unsigned long long)(w->in_use - w->reclaimable), w->capacity, w->cap.port_lo,
	    w->cap.port_hi, dst, nat_proto_name(w->proto), w->dport, w->saturation_pct, more);
	if (n < 0)
		f->summary[0] = '\0';
	snprintf(f->commands[0], sizeof(f->commands[0]),
		 "conntrack -L -p %s --reply-src %s --reply-port-src %u --reply-dst %s",
		 nat_proto_name(w->proto), dst, w->dport, nat);
	f->n_commands = 1;
}

void nat_finding(const struct nat_report *r, double warn_pct, double crit_pct,
		 struct rules_finding *out, bool *fired)
{
	enum rules_sev sev = nat_severity(r, warn_pct, crit_pct);
	const struct nat_row *w = &r->rows[0];
	size_t n_alerting;

	*fired = sev != RULES_SEV_OK;
	if (!*fired)
		return;
	memset(out, 0, sizeof(*out));
	out->id = "nat-port-saturation";
	out->sev = sev;
	n_alerting = nat_alerting(r, warn_pct);
	finding_text(r, n_alerting, out);
	ev_add(out, "saturation", w->saturation_pct, "%");
	ev_add(out, "ports_in_use", (double)w->in_use, "ports");
	ev_add(out, "port_capacity", (double)w->capacity, "ports");
	ev_add(out, "time_wait", (double)w->time_wait, "entries");
	if (r->has_counters) {
		ev_add(out, "found_per_s", nat_rate(r, NAT_CTR_FOUND), "/s");
		ev_add(out, "insert_failed_per_s", nat_rate(r, NAT_CTR_INSERT_FAILED), "/s");
		ev_add(out, "drop_per_s", nat_rate(r, NAT_CTR_DROP), "/s");
	}
	ev_add(out, "alerting_destinations", (double)n_alerting, "keys");
}
