/* agg.c: fixed-memory aggregate of events. Exact counts per reason, protocol,
 * flag combination and direction; bounded tables for interfaces and LOG
 * prefixes (overflow counted); a space-saving sketch (Metwally et al.) for top
 * sources and destination ports: with C slots, a reported count overestimates
 * the true one by at most its error, and error <= events / C. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "logparse_int.h"

#define LP_TABLE_MAX   32
#define LP_TOP_K_MAX   1024
#define LP_SKETCH_MULT 4 /* slots per reported entry: tighter error bounds */

/* slots in arrival order (as the linear sketch kept them); heap orders slot
 * indices by (count, index), so its top is the slot a linear scan would
 * evict: the first of the smallest; a chained hash finds a key's slot. */
struct lp_sketch {
	size_t cap, n, mask;
	struct logparse_top *slots;
	uint32_t *heap, *pos;  /* heap[h] = slot, pos[slot] = h */
	uint32_t *head, *next; /* head[hash] = slot + 1, 0 none; next likewise */
};

struct logparse_agg {
	unsigned top_k;
	struct logparse_agg_result res;
	uint64_t reason_counts[LP_R_COUNT][2]; /* [reason][0 marked invalid, 1 accepted] */
	struct logparse_reason_count reasons[LP_R_COUNT * 2];
	struct logparse_key_count ifaces[LP_TABLE_MAX], prefixes[LP_TABLE_MAX];
	size_t n_ifaces, n_prefixes;
	struct lp_sketch src, dport;
	struct logparse_top *src_out, *dport_out;
	struct logparse_netns_count netns[LOGPARSE_NETNS_MAX];
	size_t n_netns;
	char not_understood[LOGPARSE_NOT_UNDERSTOOD_KEPT][LOGPARSE_TEXT_MAX];
	struct logparse_owner_count owners[LOGPARSE_OWNERS_MAX];
	size_t n_owners;
	/* a report of logparse_agg_add_line() that awaits its continuation */
	bool has_pending;
	struct logparse_event pending;
};

static int lp_sketch_init(struct lp_sketch *s, size_t cap)
{
	size_t buckets = 16;

	while (buckets < cap * 2)
		buckets *= 2;
	s->cap = cap;
	s->mask = buckets - 1;
	s->slots = calloc(cap, sizeof(*s->slots));
	s->heap = calloc(cap, sizeof(*s->heap));
	s->pos = calloc(cap, sizeof(*s->pos));
	s->next = calloc(cap, sizeof(*s->next));
	s->head = calloc(buckets, sizeof(*s->head));
	return s->slots && s->heap && s->pos && s->next && s->head ? 0 : -ENOMEM;
}

static void lp_sketch_free(struct lp_sketch *s)
{
	free(s->slots);
	free(s->heap);
	free(s->pos);
	free(s->next);
	free(s->head);
}

struct logparse_agg *logparse_agg_new(unsigned top_k)
{
	struct logparse_agg *agg = calloc(1, sizeof(*agg));
	size_t cap;

	if (!agg)
		return NULL;
	if (top_k == 0)
		top_k = 1;
	if (top_k > LP_TOP_K_MAX)
		top_k = LP_TOP_K_MAX;
	agg->top_k = top_k;
	cap = (size_t)top_k * LP_SKETCH_MULT;
	agg->src_out = calloc(top_k, sizeof(struct logparse_top));
	agg->dport_out = calloc(top_k, sizeof(struct logparse_top));
	if (lp_sketch_init(&agg->src, cap) || lp_sketch_init(&agg->dport, cap) || !agg->src_out ||
	    !agg->dport_out)
		goto err;
	return agg;
err:
	logparse_agg_free(agg);
	return NULL;
}

void logparse_agg_free(struct logparse_agg *agg)
{
	if (!agg)
		return;
	lp_sketch_free(&agg->src);
	lp_sketch_free(&agg->dport);
	free(agg->src_out);
	free(agg->dport_out);
	free(agg);
}

static int lp_top_same(const struct logparse_top *a, const struct logparse_top *b)
{
	return a->family == b->family && a->proto == b->proto && a->port == b->port &&
	       memcmp(a->addr, b->addr, sizeof(a->addr)) == 0;
}

static uint32_t lp_top_hash(const struct logparse_top *k)
{
	uint64_t a, b;

	memcpy(&a, k->addr, 8);
	memcpy(&b, k->addr + 8, 8);
	a ^= b * 0x9e3779b97f4a7c15ull;
	a ^= ((uint64_t)k->family << 32 | (uint64_t)k->proto << 16 | k->port) *
	     0xc2b2ae3d27d4eb4full;
	a ^= a >> 29;
	a *= 0xbf58476d1ce4e5b9ull;
	return (uint32_t)(a >> 32);
}

/* Heap order: count, then slot index (the linear scan's first minimum). */
static int lp_heap_less(const struct lp_sketch *s, uint32_t x, uint32_t y)
{
	uint64_t cx = s->slots[x].count, cy = s->slots[y].count;

	return cx < cy || (cx == cy && x < y);
}

static void lp_heap_set(struct lp_sketch *s, size_t h, uint32_t slot)
{
	s->heap[h] = slot;
	s->pos[slot] = (uint32_t)h;
}

static void lp_heap_up(struct lp_sketch *s, size_t h)
{
	uint32_t slot = s->heap[h];

	while (h > 0 && lp_heap_less(s, slot, s->heap[(h - 1) / 2])) {
		lp_heap_set(s, h, s->heap[(h - 1) / 2]);
		h = (h - 1) / 2;
	}
	lp_heap_set(s, h, slot);
}

/* Restore the heap below h after the count of its slot grew. */
static void lp_heap_down(struct lp_sketch *s, size_t h)
{
	uint32_t slot = s->heap[h];

	for (;;) {
		size_t c = 2 * h + 1;

		if (c >= s->n)
			break;
		if (c + 1 < s->n && lp_heap_less(s, s->heap[c + 1], s->heap[c]))
			c++;
		if (!lp_heap_less(s, s->heap[c], slot))
			break;
		lp_heap_set(s, h, s->heap[c]);
		h = c;
	}
	lp_heap_set(s, h, slot);
}

static void lp_hash_link(struct lp_sketch *s, uint32_t slot)
{
	uint32_t *b = &s->head[lp_top_hash(&s->slots[slot]) & s->mask];

	s->next[slot] = *b;
	*b = slot + 1;
}

static void lp_hash_unlink(struct lp_sketch *s, uint32_t slot)
{
	uint32_t *l = &s->head[lp_top_hash(&s->slots[slot]) & s->mask];

	while (*l != slot + 1)
		l = &s->next[*l - 1];
	*l = s->next[slot];
}

/* Index every slot again after lp_top_out() sorted them in place. */
static void lp_sketch_reindex(struct lp_sketch *s)
{
	memset(s->head, 0, (s->mask + 1) * sizeof(*s->head));
	for (uint32_t i = 0; i < s->n; i++) {
		lp_hash_link(s, i);
		lp_heap_set(s, i, i);
		lp_heap_up(s, i);
	}
}

static void lp_sketch_add(struct lp_sketch *s, const struct logparse_top *key)
{
	uint32_t i = s->head[lp_top_hash(key) & s->mask];

	for (; i != 0; i = s->next[i - 1]) {
		if (lp_top_same(&s->slots[i - 1], key)) {
			s->slots[i - 1].count++;
			lp_heap_down(s, s->pos[i - 1]);
			return;
		}
	}
	if (s->n < s->cap) {
		i = (uint32_t)s->n++;
		s->slots[i] = *key;
		s->slots[i].count = 1;
		s->slots[i].error = 0;
		lp_hash_link(s, i);
		lp_heap_set(s, s->n - 1, i);
		lp_heap_up(s, s->n - 1);
		return;
	}
	/* evict the smallest: the newcomer inherits its count as error */
	i = s->heap[0];
	uint64_t floor = s->slots[i].count;
	lp_hash_unlink(s, i);
	s->slots[i] = *key;
	s->slots[i].count = floor + 1;
	s->slots[i].error = floor;
	lp_hash_link(s, i);
	lp_heap_down(s, 0);
}

static void lp_table_add(struct logparse_key_count *t, size_t *n, uint64_t *other, const char *name,
			 int is_out)
{
	size_t i;

	for (i = 0; i < *n; i++) {
		if (strcmp(t[i].name, name) == 0)
			break;
	}
	if (i == *n) {
		if (*n == LP_TABLE_MAX) {
			(*other)++;
			return;
		}
		memset(&t[i], 0, sizeof(t[i]));
		lp_copy(t[i].name, sizeof(t[i].name), name, strlen(name));
		(*n)++;
	}
	if (is_out)
		t[i].count_out++;
	else
		t[i].count++;
}

static int lp_zero16(const uint8_t a[16])
{
	for (size_t i = 0; i < 16; i++)
		if (a[i])
			return 0;
	return 1;
}

/* Per-packet figures of a conntrack report. */
static void lp_add_packet(struct logparse_agg *agg, const struct logparse_event *ev)
{
	const struct logparse_pkt *pkt = &ev->pkt;
	struct logparse_agg_result *r = &agg->res;
	struct logparse_top key;

	if (ev->proto_num)
		r->by_proto[ev->proto_num]++;
	else if (pkt->has & LOGPARSE_PKT_PROTO)
		r->by_proto[pkt->proto]++;
	if (pkt->has & LOGPARSE_PKT_TCP)
		r->by_tcp_flags[pkt->tcp_flags]++;
	r->by_dir[(ev->args.has & LOGPARSE_ARG_DIR) && ev->args.dir >= 0 && ev->args.dir <= 1
		      ? ev->args.dir
		      : 2]++;
	if (pkt->in[0])
		lp_table_add(agg->ifaces, &agg->n_ifaces, &r->ifaces_other, pkt->in, 0);
	if (pkt->out[0])
		lp_table_add(agg->ifaces, &agg->n_ifaces, &r->ifaces_other, pkt->out, 1);
	/* a masked SRC= leaves the source all zero: not a source to rank */
	if ((pkt->has & LOGPARSE_PKT_ADDRS) && !(pkt->is_masked && lp_zero16(pkt->src))) {
		memset(&key, 0, sizeof(key));
		key.family = pkt->family;
		memcpy(key.addr, pkt->src, sizeof(key.addr));
		lp_sketch_add(&agg->src, &key);
	}
	if (pkt->has & LOGPARSE_PKT_PORTS) {
		memset(&key, 0, sizeof(key));
		key.proto = pkt->proto;
		key.port = pkt->dport;
		lp_sketch_add(&agg->dport, &key);
	}
}

static void lp_add_ct(struct logparse_agg *agg, const struct logparse_event *ev)
{
	struct logparse_agg_result *r = &agg->res;
	size_t idx = ev->reason ? (size_t)(ev->reason - lp_catalog) : LP_R_UNKNOWN;
	int acc = ev->verdict == LOGPARSE_VERDICT_ACCEPTED;

	if (idx >= LP_R_COUNT)
		idx = LP_R_UNKNOWN;
	agg->reason_counts[idx][acc]++;
	if (acc)
		r->accepted++;
	else
		r->marked_invalid++;
	lp_add_packet(agg, ev);
	if (!r->has_first)
		r->first_seen = ev->ts;
	r->last_seen = ev->ts;
	r->has_first = true;
}

static void lp_netns_add(struct logparse_agg *agg, const struct logparse_event *ev)
{
	for (size_t i = 0; i < agg->n_netns; i++) {
		struct logparse_netns_count *c = &agg->netns[i];

		if (c->has_netns == ev->has_netns && (!c->has_netns || c->netns == ev->netns)) {
			c->count++;
			return;
		}
	}
	if (agg->n_netns == LOGPARSE_NETNS_MAX) {
		agg->res.table_full_netns_other++;
		return;
	}
	agg->netns[agg->n_netns++] = (struct logparse_netns_count){
	    .has_netns = ev->has_netns, .netns = ev->has_netns ? ev->netns : 0, .count = 1};
}

static int lp_netns_cmp(const void *a, const void *b)
{
	const struct logparse_netns_count *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	if (x->has_netns != y->has_netns)
		return x->has_netns ? 1 : -1;
	return x->netns < y->netns ? -1 : x->netns > y->netns;
}

/* Who set which knob: one row per owner and knob, the last value kept. */
static void lp_owner_add(struct logparse_agg *agg, const struct logparse_event *ev)
{
	struct logparse_owner_count *o = NULL;

	for (size_t i = 0; i < agg->n_owners && !o; i++) {
		if (strcmp(agg->owners[i].owner, ev->owner) == 0 &&
		    strcmp(agg->owners[i].knob, ev->knob) == 0)
			o = &agg->owners[i];
	}
	if (!o) {
		if (agg->n_owners == LOGPARSE_OWNERS_MAX)
			return;
		o = &agg->owners[agg->n_owners++];
		memset(o, 0, sizeof(*o));
		lp_copy(o->owner, sizeof(o->owner), ev->owner, strlen(ev->owner));
		lp_copy(o->knob, sizeof(o->knob), ev->knob, strlen(ev->knob));
	}
	o->count++;
	o->value = ev->value;
	o->has_value = ev->has_value;
}

static void lp_add(struct logparse_agg *agg, const struct logparse_event *ev)
{
	struct logparse_agg_result *r = &agg->res;

	r->events++;
	if (ev->kind >= LOGPARSE_KIND_CT_INVALID && ev->kind <= LOGPARSE_KIND_MAX)
		r->by_kind[ev->kind]++;
	r->truncated += ev->pkt.is_truncated;
	r->lines_truncated += ev->truncated;
	r->masked += ev->pkt.is_masked;
	r->bad_header += ev->pkt.is_bad_header;
	switch (ev->kind) {
	case LOGPARSE_KIND_CT_INVALID:
		lp_add_ct(agg, ev);
		break;
	case LOGPARSE_KIND_LOG_RULE:
		lp_table_add(agg->prefixes, &agg->n_prefixes, &r->log_prefixes_other, ev->text, 0);
		break;
	case LOGPARSE_KIND_TABLE_FULL:
		if (r->table_full == 0)
			r->table_full_first = ev->ts;
		r->table_full_last = ev->ts;
		r->table_full++;
		lp_netns_add(agg, ev);
		break;
	case LOGPARSE_KIND_RATELIMIT:
		r->suppressed += ev->count;
		r->counts_lower_bound = true;
		break;
	case LOGPARSE_KIND_BOOT:
		r->boot_buckets = ev->buckets;
		r->boot_max = ev->max_entries;
		break;
	case LOGPARSE_KIND_OWNER:
		lp_owner_add(agg, ev);
		break;
	default:
		break;
	}
}

void logparse_agg_flush(struct logparse_agg *agg)
{
	if (!agg->has_pending)
		return;
	agg->has_pending = false;
	lp_add(agg, &agg->pending);
}

void logparse_agg_add(struct logparse_agg *agg, const struct logparse_event *ev)
{
	logparse_agg_flush(agg); /* events keep their order */
	lp_add(agg, ev);
}

/* The continuation's fields complete the held report, which is aggregated
 * now, once; the continuation itself counts only as a line of its kind. */
static void lp_join(struct logparse_agg *agg, const struct logparse_event *cont)
{
	struct logparse_agg_result *r = &agg->res;

	agg->pending.pkt = cont->pkt;
	agg->pending.awaits_fields = false;
	agg->has_pending = false;
	lp_add(agg, &agg->pending);
	r->events++;
	r->by_kind[LOGPARSE_KIND_CONTINUATION]++;
	r->continuations_joined++;
}

void logparse_agg_add_rc(struct logparse_agg *agg, int rc)
{
	if (rc == -ENOENT)
		agg->res.unrelated++;
	else if (rc != 0)
		agg->res.not_understood++;
}

/* Keep the first lines not understood, for the user to report. */
static void lp_keep_line(struct logparse_agg *agg, const char *line, size_t len)
{
	size_t n = agg->res.not_understood - 1;

	if (n < LOGPARSE_NOT_UNDERSTOOD_KEPT && line) {
		lp_copy(agg->not_understood[n], LOGPARSE_TEXT_MAX, line, len);
		agg->res.n_not_understood_lines = n + 1;
	}
}

static int lp_add_parsed(struct logparse_agg *agg, int rc, struct logparse_event *ev,
			 const char *line, size_t len);

int logparse_agg_add_line(struct logparse_agg *agg, const char *line, size_t len)
{
	struct logparse_event ev;
	int rc = logparse_line(line, len, &ev);

	return lp_add_parsed(agg, rc, &ev, line, len);
}

int logparse_agg_add_record(struct logparse_agg *agg, const char *msg, size_t len,
			    const struct logparse_origin *o)
{
	struct logparse_event ev;
	int rc = logparse_record(msg, len, o, &ev);

	return lp_add_parsed(agg, rc, &ev, msg, len);
}

static int lp_add_parsed(struct logparse_agg *agg, int rc, struct logparse_event *ev,
			 const char *line, size_t len)
{
	agg->res.lines++;
	if (rc == 0 && ev->kind == LOGPARSE_KIND_CONTINUATION && agg->has_pending) {
		lp_join(agg, ev);
		return rc;
	}
	logparse_agg_flush(agg); /* only the very next line completes a report */
	if (rc == 0 && ev->kind == LOGPARSE_KIND_CT_INVALID && ev->awaits_fields) {
		agg->pending = *ev;
		agg->has_pending = true;
	} else if (rc == 0) {
		lp_add(agg, ev);
	} else {
		logparse_agg_add_rc(agg, rc);
		if (rc != -ENOENT)
			lp_keep_line(agg, line, len);
	}
	return rc;
}

static int lp_cmp_reason(const void *pa, const void *pb)
{
	const struct logparse_reason_count *a = pa, *b = pb;
	int c;

	if (a->count != b->count)
		return a->count < b->count ? 1 : -1;
	c = strcmp(a->reason->id, b->reason->id);
	return c ? c : (int)a->verdict - (int)b->verdict;
}

static int lp_cmp_key(const void *pa, const void *pb)
{
	const struct logparse_key_count *a = pa, *b = pb;
	uint64_t ta = a->count + a->count_out, tb = b->count + b->count_out;

	if (ta != tb)
		return ta < tb ? 1 : -1;
	return strcmp(a->name, b->name);
}

static int lp_cmp_top(const void *pa, const void *pb)
{
	const struct logparse_top *a = pa, *b = pb;
	int c;

	if (a->count != b->count)
		return a->count < b->count ? 1 : -1;
	if (a->family != b->family)
		return (int)a->family - (int)b->family;
	if (a->proto != b->proto)
		return (int)a->proto - (int)b->proto;
	c = memcmp(a->addr, b->addr, sizeof(a->addr));
	return c ? c : (int)a->port - (int)b->port;
}

static size_t lp_top_out(struct lp_sketch *s, struct logparse_top *out, unsigned k)
{
	size_t n = s->n < k ? s->n : k;

	qsort(s->slots, s->n, sizeof(*s->slots), lp_cmp_top);
	lp_sketch_reindex(s); /* more lines may follow */
	if (n)
		memcpy(out, s->slots, n * sizeof(*out));
	return n;
}

void logparse_agg_result(struct logparse_agg *agg, struct logparse_agg_result *res)
{
	struct logparse_agg_result *r = &agg->res;
	size_t n = 0;

	logparse_agg_flush(agg);
	for (size_t i = 0; i < LP_R_COUNT; i++) {
		for (int v = 0; v < 2; v++) {
			if (!agg->reason_counts[i][v])
				continue;
			agg->reasons[n].reason = &lp_catalog[i];
			agg->reasons[n].verdict =
			    v ? LOGPARSE_VERDICT_ACCEPTED : LOGPARSE_VERDICT_DROPPED_INVALID;
			agg->reasons[n++].count = agg->reason_counts[i][v];
		}
	}
	qsort(agg->reasons, n, sizeof(agg->reasons[0]), lp_cmp_reason);
	qsort(agg->ifaces, agg->n_ifaces, sizeof(agg->ifaces[0]), lp_cmp_key);
	qsort(agg->prefixes, agg->n_prefixes, sizeof(agg->prefixes[0]), lp_cmp_key);
	r->reasons = agg->reasons;
	r->n_reasons = n;
	r->ifaces = agg->ifaces;
	r->n_ifaces = agg->n_ifaces;
	r->log_prefixes = agg->prefixes;
	r->n_log_prefixes = agg->n_prefixes;
	qsort(agg->netns, agg->n_netns, sizeof(agg->netns[0]), lp_netns_cmp);
	r->table_full_netns = agg->netns;
	r->n_table_full_netns = agg->n_netns;
	r->n_top_src = lp_top_out(&agg->src, agg->src_out, agg->top_k);
	r->top_src = agg->src_out;
	r->not_understood_lines = agg->not_understood;
	r->owners = agg->owners;
	r->n_owners = agg->n_owners;
	r->n_top_dport = lp_top_out(&agg->dport, agg->dport_out, agg->top_k);
	r->top_dport = agg->dport_out;
	*res = *r;
}
