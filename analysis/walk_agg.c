/* walk_agg.c: streaming aggregation of conntrack entries (see walk_agg.h).
 * The top-K lists use the space-saving sketch of Metwally, Agrawal and El
 * Abbadi (2005): k counters; an unseen key takes over the smallest counter and
 * inherits its count as the error bound. Counters sit in a fixed array, found
 * through an open-addressing hash index and ordered by a min-heap, so an update
 * is O(1) expected plus O(log k), and nothing is allocated after _new(). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "ct_abi.h"
#include "walk_agg.h"

#define WALK_PROTO_TCP      6
#define WALK_DEFAULT_SKETCH 256
#define WALK_SKETCH_MAX     (1u << 24)

/* Binary key: sources are family + address, ports are proto + port. */
struct sk_key {
	uint8_t b[20];
};

struct sk_counter {
	struct sk_key key;
	uint64_t count;
	uint64_t error;
	uint32_t hash;
	uint32_t heap_pos;
};

struct sketch {
	struct sk_counter *c; /* cap counters, n in use */
	uint32_t *heap;       /* counter indices, min-heap on count */
	uint32_t *slots;      /* hash index: counter index + 1, 0 = empty */
	uint32_t n, cap, mask;
	bool is_port; /* how to print a key */
};

struct walk_agg {
	struct snap_walk w; /* every field but the top lists is final as added */
	struct sketch src, dport;
};

static int sk_init(struct sketch *s, size_t cap, bool is_port)
{
	size_t nslots = 1;

	while (nslots < 2 * cap)
		nslots <<= 1;
	s->c = calloc(cap, sizeof(*s->c));
	s->heap = calloc(cap, sizeof(*s->heap));
	s->slots = calloc(nslots, sizeof(*s->slots));
	if (s->c == NULL || s->heap == NULL || s->slots == NULL)
		return -ENOMEM;
	s->n = 0;
	s->cap = (uint32_t)cap;
	s->mask = (uint32_t)(nslots - 1);
	s->is_port = is_port;
	return 0;
}

static void sk_fini(struct sketch *s)
{
	free(s->c);
	free(s->heap);
	free(s->slots);
}

/* Multiply-mix the key as three words, then avalanche (murmur3's finaliser):
 * keys differ mostly in their last bytes, and this runs twice per entry. */
static uint32_t sk_hash(const struct sk_key *k)
{
	uint64_t a, b;
	uint32_t c;
	uint64_t h;

	memcpy(&a, &k->b[0], sizeof(a));
	memcpy(&b, &k->b[8], sizeof(b));
	memcpy(&c, &k->b[16], sizeof(c));
	h = a * 0x9e3779b97f4a7c15ull;
	h = (h ^ (h >> 29) ^ b) * 0xbf58476d1ce4e5b9ull;
	h = (h ^ (h >> 32) ^ c) * 0x94d049bb133111ebull;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	return (uint32_t)h;
}

/* Slot holding key, or the empty slot where it would go. */
static uint32_t sk_lookup(const struct sketch *s, const struct sk_key *k, uint32_t hash)
{
	uint32_t i = hash & s->mask;

	while (s->slots[i] != 0) {
		const struct sk_counter *c = &s->c[s->slots[i] - 1];

		if (c->hash == hash && memcmp(&c->key, k, sizeof(*k)) == 0)
			return i;
		i = (i + 1) & s->mask;
	}
	return i;
}

/* Linear-probing delete by backward shift, so no tombstones accumulate. */
static void sk_unlink(struct sketch *s, uint32_t i)
{
	uint32_t j = i;

	for (;;) {
		j = (j + 1) & s->mask;
		if (s->slots[j] == 0)
			break;
		uint32_t home = s->c[s->slots[j] - 1].hash & s->mask;
		/* Move j back to i unless its home lies cyclically in (i, j]. */
		bool stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
		if (!stays) {
			s->slots[i] = s->slots[j];
			i = j;
		}
	}
	s->slots[i] = 0;
}

static void heap_swap(struct sketch *s, uint32_t a, uint32_t b)
{
	uint32_t t = s->heap[a];

	s->heap[a] = s->heap[b];
	s->heap[b] = t;
	s->c[s->heap[a]].heap_pos = a;
	s->c[s->heap[b]].heap_pos = b;
}

static uint64_t heap_count(const struct sketch *s, uint32_t pos)
{
	return s->c[s->heap[pos]].count;
}

static void heap_down(struct sketch *s, uint32_t pos)
{
	for (;;) {
		uint32_t l = 2 * pos + 1, r = l + 1, m = pos;

		if (l < s->n && heap_count(s, l) < heap_count(s, m))
			m = l;
		if (r < s->n && heap_count(s, r) < heap_count(s, m))
			m = r;
		if (m == pos)
			return;
		heap_swap(s, pos, m);
		pos = m;
	}
}

static void heap_up(struct sketch *s, uint32_t pos)
{
	while (pos > 0) {
		uint32_t parent = (pos - 1) / 2;

		if (heap_count(s, parent) <= heap_count(s, pos))
			return;
		heap_swap(s, pos, parent);
		pos = parent;
	}
}

static void sk_add(struct sketch *s, const struct sk_key *k)
{
	uint32_t hash = sk_hash(k);
	uint32_t slot = sk_lookup(s, k, hash);
	uint32_t idx;

	if (s->slots[slot] != 0) {
		idx = s->slots[slot] - 1;
		s->c[idx].count++;
		heap_down(s, s->c[idx].heap_pos);
		return;
	}
	if (s->n < s->cap) {
		idx = s->n;
		s->c[idx] = (struct sk_counter){.key = *k, .count = 1, .hash = hash};
		s->c[idx].heap_pos = s->n;
		s->heap[s->n++] = idx;
		s->slots[slot] = idx + 1;
		heap_up(s, s->c[idx].heap_pos);
		return;
	}
	/* Full: the key takes over the minimum counter and its count as error. */
	idx = s->heap[0];
	sk_unlink(s, sk_lookup(s, &s->c[idx].key, s->c[idx].hash));
	s->c[idx].error = s->c[idx].count;
	s->c[idx].count++;
	s->c[idx].key = *k;
	s->c[idx].hash = hash;
	s->slots[sk_lookup(s, k, hash)] = idx + 1;
	heap_down(s, 0);
}

static void sk_key_text(const struct sketch *s, const struct sk_key *k, char *out, size_t len)
{
	if (s->is_port) {
		const char *name = snap_proto_name(k->b[0]);
		unsigned port = (unsigned)k->b[1] << 8 | k->b[2];

		if (name != NULL)
			snprintf(out, len, "%s/%u", name, port);
		else
			snprintf(out, len, "%u/%u", k->b[0], port);
		return;
	}
	if (inet_ntop(k->b[0], &k->b[4], out, (socklen_t)len) == NULL)
		snprintf(out, len, "family%u", k->b[0]);
}

static bool top_before(const struct snap_top_item *a, const struct snap_top_item *b)
{
	if (a->count != b->count)
		return a->count > b->count;
	return strcmp(a->key, b->key) < 0;
}

/* Insertion into a sorted top-N list: O(k * N) once per result, no memory. */
static void sk_top(const struct sketch *s, struct snap_top_item *top, size_t *n_top)
{
	size_t n = 0;

	for (uint32_t i = 0; i < s->n; i++) {
		struct snap_top_item it = {.count = s->c[i].count, .error = s->c[i].error};
		size_t at;

		sk_key_text(s, &s->c[i].key, it.key, sizeof(it.key));
		if (n == SNAP_TOP_N && !top_before(&it, &top[n - 1]))
			continue;
		if (n < SNAP_TOP_N)
			n++;
		for (at = n - 1; at > 0 && top_before(&it, &top[at - 1]); at--)
			top[at] = top[at - 1];
		top[at] = it;
	}
	*n_top = n;
}

static void sk_reset(struct sketch *s)
{
	memset(s->slots, 0, ((size_t)s->mask + 1) * sizeof(*s->slots));
	s->n = 0;
}

void walk_agg_reset(struct walk_agg *agg)
{
	memset(&agg->w, 0, sizeof(agg->w));
	sk_reset(&agg->src);
	sk_reset(&agg->dport);
}

struct walk_agg *walk_agg_new(size_t sketch_capacity)
{
	struct walk_agg *agg;

	if (sketch_capacity == 0)
		sketch_capacity = WALK_DEFAULT_SKETCH;
	if (sketch_capacity < SNAP_TOP_N)
		sketch_capacity = SNAP_TOP_N;
	if (sketch_capacity > WALK_SKETCH_MAX)
		sketch_capacity = WALK_SKETCH_MAX;
	agg = calloc(1, sizeof(*agg));
	if (agg == NULL)
		return NULL;
	if (sk_init(&agg->src, sketch_capacity, false) < 0 ||
	    sk_init(&agg->dport, sketch_capacity, true) < 0) {
		walk_agg_free(agg);
		return NULL;
	}
	return agg;
}

void walk_agg_free(struct walk_agg *agg)
{
	if (agg == NULL)
		return;
	sk_fini(&agg->src);
	sk_fini(&agg->dport);
	free(agg);
}

/* First SNAP_ZONES distinct values get a slot; later ones only a sum. */
static void value_count(struct snap_value_count *v, size_t *n, uint64_t *other, uint32_t value)
{
	for (size_t i = 0; i < *n; i++) {
		if (v[i].value == value) {
			v[i].count++;
			return;
		}
	}
	if (*n < SNAP_ZONES) {
		v[*n].value = value;
		v[*n].count = 1;
		(*n)++;
		return;
	}
	(*other)++;
}

static void add_family(struct snap_walk *w, uint8_t family)
{
	if (family == AF_INET)
		w->ipv4++;
	else if (family == AF_INET6)
		w->ipv6++;
	else
		w->other_family++;
}

static void add_status(struct snap_walk *w, uint32_t status)
{
	bool is_snat = status & CT_IPS_SRC_NAT, is_dnat = status & CT_IPS_DST_NAT;

	if (!(status & CT_IPS_SEEN_REPLY))
		w->unreplied++;
	if (status & CT_IPS_ASSURED)
		w->assured++;
	if (is_snat && is_dnat)
		w->nat_both++;
	else if (is_snat)
		w->nat_src++;
	else if (is_dnat)
		w->nat_dst++;
	else
		w->nat_none++;
}

static void add_timeout(struct snap_walk *w, uint32_t timeout_s)
{
	size_t i = 0;

	while (i < SNAP_TIMEOUT_BINS - 1 && timeout_s > snap_timeout_bin_le[i])
		i++;
	w->timeout_bins[i]++;
}

static void add_keys(struct walk_agg *agg, const struct walk_entry *e)
{
	struct sk_key k = {{0}};

	if (e->family == AF_INET || e->family == AF_INET6) {
		k.b[0] = e->family;
		memcpy(&k.b[4], e->src, e->family == AF_INET ? 4 : 16);
		sk_add(&agg->src, &k);
	}
	if (e->has_ports) {
		memset(&k, 0, sizeof(k));
		k.b[0] = e->proto;
		k.b[1] = (uint8_t)(e->dport >> 8);
		k.b[2] = (uint8_t)e->dport;
		sk_add(&agg->dport, &k);
	}
}

void walk_agg_add(struct walk_agg *agg, const struct walk_entry *e)
{
	struct snap_walk *w = &agg->w;
	uint32_t mark = e->has_mark ? e->mark : 0;

	w->entries++;
	add_family(w, e->family);
	w->by_proto[e->proto]++;
	if (e->proto == WALK_PROTO_TCP) {
		bool is_known = e->tcp_state >= 0 && e->tcp_state < SNAP_TCP_STATES;
		w->tcp_state[is_known ? e->tcp_state : SNAP_TCP_STATES]++;
	}
	add_status(w, e->status);
	value_count(w->zones, &w->n_zones, &w->zones_other, e->zone);
	value_count(w->marks, &w->n_marks, &w->marks_other, mark);
	if (mark != 0)
		w->marked++;
	if (e->has_acct) {
		w->with_acct++;
		w->packets += e->packets;
		w->bytes += e->bytes;
	}
	if (e->has_tstamp)
		w->with_tstamp++;
	if (e->has_timeout)
		add_timeout(w, e->timeout_s);
	add_keys(agg, e);
}

static int value_cmp(const void *a, const void *b)
{
	const struct snap_value_count *x = a, *y = b;

	return (x->value > y->value) - (x->value < y->value);
}

void walk_agg_result(const struct walk_agg *agg, struct snap_walk *out)
{
	bool is_interrupted = out->is_interrupted;
	uint64_t lost = out->lost;
	int err = out->err;

	*out = agg->w;
	out->is_interrupted = is_interrupted;
	out->lost = lost;
	out->err = err;
	/* Listed in value order so that output does not depend on dump order. */
	qsort(out->zones, out->n_zones, sizeof(out->zones[0]), value_cmp);
	qsort(out->marks, out->n_marks, sizeof(out->marks[0]), value_cmp);
	sk_top(&agg->src, out->top_src, &out->n_top_src);
	sk_top(&agg->dport, out->top_dport, &out->n_top_dport);
}
