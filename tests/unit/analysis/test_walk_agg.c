/* test_walk_agg.c: the streaming aggregation, field by field, and the
 * space-saving sketch's guarantees (exact when small, bounded when not). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <malloc.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "../../../analysis/walk_agg.h"

#define SEEN_REPLY (1u << 1)
#define ASSURED    (1u << 2)
#define SRC_NAT    (1u << 4)
#define DST_NAT    (1u << 5)

enum fam { FAM_V4, FAM_V6, FAM_OTHER };
enum nat { NAT_NONE, NAT_SRC, NAT_DST, NAT_BOTH };

struct one_case {
	const char *name;
	struct walk_entry e;
	const char *src_text; /* parsed into e.src per family */
	enum fam fam;
	int tcp_slot; /* -1: not counted */
	bool is_unreplied, is_assured;
	enum nat nat;
	int timeout_bin; /* -1: none */
	const char *top_src, *top_dport;
};

static const struct one_case one_cases[] = {
    {"v4 tcp established assured, acct",
     {.family = AF_INET,
      .proto = 6,
      .has_ports = true,
      .dport = 443,
      .tcp_state = 3,
      .status = SEEN_REPLY | ASSURED,
      .has_mark = true,
      .mark = 0,
      .has_timeout = true,
      .timeout_s = 431999,
      .has_acct = true,
      .packets = 12,
      .bytes = 3400},
     "10.0.0.1",
     FAM_V4,
     3,
     false,
     true,
     NAT_NONE,
     5,
     "10.0.0.1",
     "tcp/443"},
    {"v6 udp unreplied, zone, mark, tstamp",
     {.family = AF_INET6,
      .proto = 17,
      .has_ports = true,
      .dport = 53,
      .tcp_state = -1,
      .has_mark = true,
      .mark = 7,
      .zone = 3,
      .has_timeout = true,
      .timeout_s = 30,
      .has_tstamp = true},
     "fd00::1",
     FAM_V6,
     -1,
     true,
     false,
     NAT_NONE,
     1,
     "fd00::1",
     "udp/53"},
    {"tcp unknown state goes to last slot, snat",
     {.family = AF_INET,
      .proto = 6,
      .has_ports = true,
      .dport = 22,
      .tcp_state = 42,
      .status = SEEN_REPLY | SRC_NAT,
      .has_timeout = true,
      .timeout_s = 10},
     "192.168.1.2",
     FAM_V4,
     SNAP_TCP_STATES,
     false,
     false,
     NAT_SRC,
     0,
     "192.168.1.2",
     "tcp/22"},
    {"tcp absent state (-1) counted as unknown, dnat",
     {.family = AF_INET, .proto = 6, .tcp_state = -1, .status = DST_NAT},
     "10.9.9.9",
     FAM_V4,
     SNAP_TCP_STATES,
     true,
     false,
     NAT_DST,
     -1,
     "10.9.9.9",
     NULL},
    {"icmp no ports, both nat, timeout 11 in second bin",
     {.family = AF_INET,
      .proto = 1,
      .tcp_state = -1,
      .status = SEEN_REPLY | SRC_NAT | DST_NAT,
      .has_timeout = true,
      .timeout_s = 11},
     "10.0.0.3",
     FAM_V4,
     -1,
     false,
     false,
     NAT_BOTH,
     1,
     "10.0.0.3",
     NULL},
    {"unknown family: no source key, proto without name",
     {.family = 7,
      .proto = 200,
      .has_ports = true,
      .dport = 5,
      .tcp_state = -1,
      .status = SEEN_REPLY,
      .has_timeout = true,
      .timeout_s = UINT32_MAX},
     NULL,
     FAM_OTHER,
     -1,
     false,
     false,
     NAT_NONE,
     6,
     NULL,
     "200/5"},
    {"sctp port, mark absent counts as 0, timeout 86400",
     {.family = AF_INET,
      .proto = 132,
      .has_ports = true,
      .dport = 38412,
      .tcp_state = -1,
      .has_mark = false,
      .mark = 99,
      .has_timeout = true,
      .timeout_s = 86400},
     "10.0.0.4",
     FAM_V4,
     -1,
     true,
     false,
     NAT_NONE,
     4,
     "10.0.0.4",
     "sctp/38412"},
};

static struct walk_entry case_entry(const struct one_case *c)
{
	struct walk_entry e = c->e;

	if (c->src_text != NULL)
		assert_int_equal(inet_pton(e.family, c->src_text, e.src), 1);
	return e;
}

static struct snap_walk case_want(const struct one_case *c)
{
	struct snap_walk w;
	uint32_t mark = c->e.has_mark ? c->e.mark : 0;

	memset(&w, 0, sizeof(w));
	w.entries = 1;
	w.ipv4 = c->fam == FAM_V4;
	w.ipv6 = c->fam == FAM_V6;
	w.other_family = c->fam == FAM_OTHER;
	w.by_proto[c->e.proto] = 1;
	if (c->tcp_slot >= 0)
		w.tcp_state[c->tcp_slot] = 1;
	w.unreplied = c->is_unreplied;
	w.assured = c->is_assured;
	w.nat_none = c->nat == NAT_NONE;
	w.nat_src = c->nat == NAT_SRC;
	w.nat_dst = c->nat == NAT_DST;
	w.nat_both = c->nat == NAT_BOTH;
	w.zones[0] = (struct snap_value_count){c->e.zone, 1};
	w.n_zones = 1;
	w.marks[0] = (struct snap_value_count){mark, 1};
	w.n_marks = 1;
	w.marked = mark != 0;
	w.with_acct = c->e.has_acct;
	w.with_tstamp = c->e.has_tstamp;
	w.packets = c->e.packets;
	w.bytes = c->e.bytes;
	if (c->timeout_bin >= 0)
		w.timeout_bins[c->timeout_bin] = 1;
	if (c->top_src != NULL) {
		snprintf(w.top_src[0].key, sizeof(w.top_src[0].key), "%s", c->top_src);
		w.top_src[0].count = 1;
		w.n_top_src = 1;
	}
	if (c->top_dport != NULL) {
		snprintf(w.top_dport[0].key, sizeof(w.top_dport[0].key), "%s", c->top_dport);
		w.top_dport[0].count = 1;
		w.n_top_dport = 1;
	}
	return w;
}

#define EQ(field)                                                                                  \
	do {                                                                                       \
		if (got->field != want->field)                                                     \
			fail_msg("case %d (%s): " #field " got %llu want %llu", idx, name,         \
				 (unsigned long long)got->field, (unsigned long long)want->field); \
	} while (0)

static void expect_tops(const struct snap_top_item *got, const struct snap_top_item *want, size_t n,
			int idx, const char *name)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(got[i].key, want[i].key) != 0 || got[i].count != want[i].count ||
		    got[i].error != want[i].error)
			fail_msg("case %d (%s): top[%zu] got %s=%llu/%llu want %s=%llu/%llu", idx,
				 name, i, got[i].key, (unsigned long long)got[i].count,
				 (unsigned long long)got[i].error, want[i].key,
				 (unsigned long long)want[i].count,
				 (unsigned long long)want[i].error);
	}
}

/* Every field of snap_walk, so a new field forgets nothing silently. */
static void expect_walk(const struct snap_walk *got, const struct snap_walk *want, int idx,
			const char *name)
{
	EQ(entries);
	EQ(ipv4);
	EQ(ipv6);
	EQ(other_family);
	for (int p = 0; p < 256; p++)
		EQ(by_proto[p]);
	for (int s = 0; s <= SNAP_TCP_STATES; s++)
		EQ(tcp_state[s]);
	EQ(unreplied);
	EQ(assured);
	EQ(nat_none);
	EQ(nat_src);
	EQ(nat_dst);
	EQ(nat_both);
	EQ(n_zones);
	EQ(zones_other);
	EQ(n_marks);
	EQ(marks_other);
	EQ(marked);
	for (size_t i = 0; i < want->n_zones; i++) {
		EQ(zones[i].value);
		EQ(zones[i].count);
	}
	for (size_t i = 0; i < want->n_marks; i++) {
		EQ(marks[i].value);
		EQ(marks[i].count);
	}
	EQ(with_acct);
	EQ(with_tstamp);
	EQ(packets);
	EQ(bytes);
	for (int b = 0; b < SNAP_TIMEOUT_BINS; b++)
		EQ(timeout_bins[b]);
	EQ(n_top_src);
	EQ(n_top_dport);
	EQ(is_interrupted);
	EQ(lost);
	EQ(err);
	expect_tops(got->top_src, want->top_src, want->n_top_src, idx, name);
	expect_tops(got->top_dport, want->top_dport, want->n_top_dport, idx, name);
}

static void test_one_entry_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(one_cases) / sizeof(one_cases[0]); i++) {
		const struct one_case *c = &one_cases[i];
		struct walk_agg *agg = walk_agg_new(0);
		struct walk_entry e = case_entry(c);
		struct snap_walk got, want = case_want(c);

		assert_non_null(agg);
		memset(&got, 0xa5, sizeof(got));
		got.is_interrupted = false;
		got.lost = 0;
		got.err = 0;
		walk_agg_add(agg, &e);
		walk_agg_result(agg, &got);
		expect_walk(&got, &want, (int)i, c->name);
		walk_agg_free(agg);
	}
}

/* Bin i holds (le[i-1], le[i]]; the boundaries are where off-by-ones live. */
static void test_timeout_bins(void **state)
{
	static const struct {
		uint32_t timeout_s;
		int bin;
	} cases[] = {
	    {0, 0},    {10, 0},   {11, 1},    {60, 1},    {61, 2},     {300, 2},    {301, 3},
	    {3600, 3}, {3601, 4}, {86400, 4}, {86401, 5}, {432000, 5}, {432001, 6}, {UINT32_MAX, 6},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct walk_agg *agg = walk_agg_new(16);
		struct walk_entry e = {.family = AF_INET,
				       .proto = 17,
				       .tcp_state = -1,
				       .has_timeout = true,
				       .timeout_s = cases[i].timeout_s};
		struct snap_walk w = {0};

		assert_non_null(agg);
		walk_agg_add(agg, &e);
		walk_agg_result(agg, &w);
		for (int b = 0; b < SNAP_TIMEOUT_BINS; b++)
			if (w.timeout_bins[b] != (b == cases[i].bin))
				fail_msg("case %zu: timeout %u bin %d = %llu", i,
					 cases[i].timeout_s, b,
					 (unsigned long long)w.timeout_bins[b]);
		walk_agg_free(agg);
	}
}

/* 20 distinct zones and marks: the first 16 listed (in value order), the
 * other 4 summed; result() leaves the collector's fields alone. */
static void test_zones_marks_overflow(void **state)
{
	struct walk_agg *agg = walk_agg_new(0);
	struct snap_walk w = {.is_interrupted = true, .lost = 5, .err = 4};

	(void)state;
	assert_non_null(agg);
	for (uint32_t i = 0; i < 20; i++) {
		for (uint32_t rep = 0; rep <= i; rep++) {
			struct walk_entry e = {.family = AF_INET,
					       .proto = 6,
					       .tcp_state = 3,
					       .zone = (uint16_t)(100 - i),
					       .has_mark = true,
					       .mark = 19 - i};
			walk_agg_add(agg, &e);
		}
	}
	walk_agg_result(agg, &w);
	assert_int_equal(w.entries, 210);
	assert_int_equal(w.n_zones, SNAP_ZONES);
	assert_int_equal(w.n_marks, SNAP_ZONES);
	/* Zones 100..85 seen first, with 1..16 entries; 84..81 have 17..20. */
	assert_int_equal(w.zones_other, 17 + 18 + 19 + 20);
	for (size_t k = 0; k < SNAP_ZONES; k++) {
		assert_int_equal(w.zones[k].value, 85 + k);
		assert_int_equal(w.zones[k].count, 16 - k);
		assert_int_equal(w.marks[k].value, 4 + k);
		assert_int_equal(w.marks[k].count, 16 - k);
	}
	assert_int_equal(w.marks_other, 17 + 18 + 19 + 20);
	assert_int_equal(w.marked, 210 - 20); /* mark 0 is the i = 19 group */
	assert_true(w.is_interrupted);
	assert_int_equal(w.lost, 5);
	assert_int_equal(w.err, 4);
	walk_agg_free(agg);
}

static void add_src_n(struct walk_agg *agg, const char *src, uint16_t dport, unsigned n)
{
	struct walk_entry e = {
	    .family = AF_INET, .proto = 6, .has_ports = true, .dport = dport, .tcp_state = 3};

	assert_int_equal(inet_pton(AF_INET, src, e.src), 1);
	for (unsigned i = 0; i < n; i++)
		walk_agg_add(agg, &e);
}

/* 40 keys in 64 counters: exact counts, no error, count desc then key asc. */
static void test_sketch_exact_few_keys(void **state)
{
	struct walk_agg *agg = walk_agg_new(64);
	struct snap_walk w = {0};
	char ip[32];

	(void)state;
	assert_non_null(agg);
	for (unsigned i = 0; i < 40; i++) {
		snprintf(ip, sizeof(ip), "10.0.%u.%u", i / 10, i % 10);
		add_src_n(agg, ip, (uint16_t)(1000 + i), i / 2 + 1); /* pairs tie */
	}
	walk_agg_result(agg, &w);
	assert_int_equal(w.n_top_src, SNAP_TOP_N);
	assert_int_equal(w.n_top_dport, SNAP_TOP_N);
	for (unsigned r = 0; r < SNAP_TOP_N; r++) {
		unsigned i = 38 + (r & 1) - 2 * (r / 2); /* 38,39,36,37,... */

		snprintf(ip, sizeof(ip), "10.0.%u.%u", i / 10, i % 10);
		assert_string_equal(w.top_src[r].key, ip);
		assert_int_equal(w.top_src[r].count, i / 2 + 1);
		assert_int_equal(w.top_src[r].error, 0);
		snprintf(ip, sizeof(ip), "tcp/%u", 1000 + i);
		assert_string_equal(w.top_dport[r].key, ip);
		assert_int_equal(w.top_dport[r].error, 0);
	}
	walk_agg_free(agg);
}

/* xorshift: a fixed, portable pseudo-random order for the stream. */
static uint32_t rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* 100k distinct sources (one entry each) with three heavy hitters spread
 * through the stream: all three are reported first and every reported item
 * brackets its true count: count - error <= true <= count. */
static void test_sketch_heavy_hitters(void **state)
{
	static const unsigned heavy[3] = {4000, 3000, 2000};
	unsigned left[3] = {heavy[0], heavy[1], heavy[2]};
	struct walk_agg *agg = walk_agg_new(256);
	struct snap_walk w = {0};
	uint32_t seed = 12345, singles = 0;

	(void)state;
	assert_non_null(agg);
	while (singles < 100000 || left[0] + left[1] + left[2] > 0) {
		uint32_t r = rnd(&seed) % 20;
		struct walk_entry e = {.family = AF_INET6, .proto = 17, .tcp_state = -1};

		if (r < 3 && left[r] > 0) {
			e.src[0] = 0xfd;
			e.src[15] = (uint8_t)(r + 1);
			left[r]--;
		} else if (singles < 100000) {
			e.src[0] = 0x20;
			memcpy(&e.src[12], &singles, sizeof(singles));
			singles++;
		} else {
			continue;
		}
		walk_agg_add(agg, &e);
	}
	walk_agg_result(agg, &w);
	assert_int_equal(w.entries, 100000 + 4000 + 3000 + 2000);
	assert_int_equal(w.n_top_src, SNAP_TOP_N);
	for (unsigned r = 0; r < SNAP_TOP_N; r++) {
		uint64_t truth = 1;
		char want[48];

		if (r < 3) {
			snprintf(want, sizeof(want), "fd00::%u", r + 1);
			assert_string_equal(w.top_src[r].key, want);
			truth = heavy[r];
		}
		if (w.top_src[r].count < truth || w.top_src[r].count - w.top_src[r].error > truth)
			fail_msg("rank %u %s: count %llu error %llu true %llu", r, w.top_src[r].key,
				 (unsigned long long)w.top_src[r].count,
				 (unsigned long long)w.top_src[r].error, (unsigned long long)truth);
	}
	walk_agg_free(agg);
}

/* Memory is fixed at _new(): the heap in use does not move over 200k adds.
 * (Under ASan or valgrind mallinfo2 reads 0 and this checks nothing.) */
static void test_no_allocation_per_add(void **state)
{
	struct walk_agg *agg = walk_agg_new(128);
	struct snap_walk w = {0};
	size_t before, after;

	(void)state;
	assert_non_null(agg);
	before = mallinfo2().uordblks;
	for (uint32_t i = 0; i < 200000; i++) {
		struct walk_entry e = {.family = AF_INET,
				       .proto = 6,
				       .has_ports = true,
				       .dport = (uint16_t)i,
				       .tcp_state = 3,
				       .zone = (uint16_t)i,
				       .has_mark = true,
				       .mark = i};
		memcpy(e.src, &i, sizeof(i));
		walk_agg_add(agg, &e);
	}
	walk_agg_result(agg, &w);
	after = mallinfo2().uordblks;
	assert_int_equal(before, after);
	assert_int_equal(w.n_top_src, SNAP_TOP_N);
	walk_agg_free(agg);
}

/* After a reset the aggregate is as new: a restarted dump counts once. */
static void test_reset(void **state)
{
	struct walk_agg *agg = walk_agg_new(16);
	struct walk_entry e = case_entry(&one_cases[0]);
	struct snap_walk w;

	(void)state;
	assert_non_null(agg);
	for (int i = 0; i < 5; i++)
		walk_agg_add(agg, &e);
	walk_agg_reset(agg);
	walk_agg_add(agg, &e);
	memset(&w, 0, sizeof(w));
	walk_agg_result(agg, &w);
	assert_int_equal(w.entries, 1);
	assert_int_equal(w.n_top_src, 1);
	assert_int_equal(w.top_src[0].count, 1);
	assert_int_equal(w.top_src[0].error, 0);
	walk_agg_free(agg);
}

static void test_free_null(void **state)
{
	(void)state;
	walk_agg_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_one_entry_table),
	    cmocka_unit_test(test_timeout_bins),
	    cmocka_unit_test(test_zones_marks_overflow),
	    cmocka_unit_test(test_sketch_exact_few_keys),
	    cmocka_unit_test(test_sketch_heavy_hitters),
	    cmocka_unit_test(test_no_allocation_per_add),
	    cmocka_unit_test(test_reset),
	    cmocka_unit_test(test_free_null),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
