/* test_render_invalid_prom.c: watch --invalid --format prometheus
 * (render_invalid_prom.c) against golden files (tests/golden/
 * invalid-*.prom, UPDATE_GOLDEN=1 rewrites them), plus what a golden file
 * cannot show: every catalog reason once under its catalog verdict (0 until
 * seen), the other verdict only once counted, counts equal to the
 * aggregate's, labels only from bounded sets (no address, port, interface
 * or prefix of a packet), the netns label escaped, write errors reported. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "../../../render/render_invalid_prom.h"
#include "../common/golden.h"
#include "invalid_fx.h"

static const struct render_invalid_prom_times times = {.start_s = 1796650000,
						       .write_s = 1796650061};

/* What watch --invalid aggregates: 7 NFLOG reports of SYN+FIN. */
static void case_live(struct logparse_agg *agg, struct render_invalid_meta *m)
{
	for (int i = 0; i < 7; i++)
		invalid_fx_add_syn_fin(agg, "veth0");
	*m = (struct render_invalid_meta){.is_live = true,
					  .source = "nflog",
					  .netns = "",
					  .nflog_packets = 7,
					  .nflog_lost = 3,
					  .enobufs = 1,
					  .nflog_bad_messages = 2,
					  .kernel_invalid_delta = 12,
					  .nflog_not_reported = 0};
}

/* One reason under both verdicts (30 marked invalid, 10 accepted), a hostile
 * netns name, a LOG-rule prefix with escapes (must not show). */
static void case_hostile(struct logparse_agg *agg, struct render_invalid_meta *m)
{
	struct logparse_event ev;

	for (int i = 0; i < 40; i++) {
		ev = invalid_fx_ct_event("tcp-seq-under-lower-bound",
					 i % 4 ? LOGPARSE_VERDICT_DROPPED_INVALID
					       : LOGPARSE_VERDICT_ACCEPTED);
		snprintf(ev.pkt.in, sizeof(ev.pkt.in), "e\033[31mvil");
		logparse_agg_add(agg, &ev);
	}
	memset(&ev, 0, sizeof(ev));
	ev.kind = LOGPARSE_KIND_LOG_RULE;
	snprintf(ev.text, sizeof(ev.text), "\033]0;pwned\007DROP");
	logparse_agg_add(agg, &ev);
	*m = (struct render_invalid_meta){.is_live = true,
					  .source = "nflog",
					  .netns = "ns\"x\\\nfake 1",
					  .nflog_packets = 40,
					  .kernel_invalid_delta = UINT64_MAX,
					  .nflog_not_reported = UINT64_MAX};
}

static void case_counts_only(struct logparse_agg *agg, struct render_invalid_meta *m)
{
	(void)agg;
	*m = (struct render_invalid_meta){.is_live = true,
					  .source = "conntrack -S",
					  .netns = "lab",
					  .is_counts_only = true,
					  .kernel_invalid_delta = 5,
					  .nflog_not_reported = UINT64_MAX};
}

static const struct {
	const char *golden;
	void (*build)(struct logparse_agg *, struct render_invalid_meta *);
} cases[] = {
    {"invalid-live.prom", case_live},
    {"invalid-hostile.prom", case_hostile},
    {"invalid-counts-only.prom", case_counts_only},
};
#define N_CASES (sizeof(cases) / sizeof(cases[0]))

/* Case ci rendered into memory; the caller frees. */
static char *render(size_t ci, size_t *len)
{
	struct render_invalid_meta meta;
	struct logparse_agg *agg = logparse_agg_new(8);
	struct logparse_agg_result res;
	char *buf = NULL;
	size_t n = 0;
	FILE *out;

	assert_non_null(agg);
	cases[ci].build(agg, &meta);
	logparse_agg_result(agg, &res);
	out = open_memstream(&buf, &n);
	assert_non_null(out);
	assert_int_equal(render_invalid_prom(out, &res, &meta, &times), 0);
	assert_int_equal(fclose(out), 0);
	logparse_agg_free(agg);
	if (len != NULL)
		*len = n;
	return buf;
}

static void test_golden(void **state)
{
	(void)state;
	for (size_t ci = 0; ci < N_CASES; ci++) {
		size_t len;
		char *buf = render(ci, &len);

		golden_check(cases[ci].golden, buf, len);
		free(buf);
	}
}

/* Lines of buf that contain needle. */
static size_t count_lines(const char *buf, const char *needle)
{
	size_t n = 0;

	for (const char *p = buf; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

/* Every catalog reason exactly once under its own verdict, with a protocol
 * of the fixed set. */
static void test_catalog_bounded(void **state)
{
	static const char *const protos[] = {"tcp",  "udp",  "udplite", "icmp", "icmpv6",
					     "sctp", "dccp", "any",     NULL};
	char *buf = render(0, NULL);

	(void)state;
	for (size_t i = 0; i < logparse_catalog_count(); i++) {
		const struct logparse_reason *r = logparse_catalog_at(i);
		char key[160];

		snprintf(key, sizeof(key), "{reason=\"%s\",", r->id);
		if (count_lines(buf, key) != 1)
			fail_msg("reason %s: %zu samples, want 1", r->id, count_lines(buf, key));
	}
	assert_int_equal(count_lines(buf, "ctadvisor_invalid_packets_total{"),
			 logparse_catalog_count());
	for (const char *p = buf; (p = strstr(p, ",proto=\"")) != NULL;) {
		size_t k;

		p += 8;
		for (k = 0; protos[k] != NULL; k++)
			if (strncmp(p, protos[k], strlen(protos[k])) == 0 &&
			    p[strlen(protos[k])] == '"')
				break;
		if (protos[k] == NULL)
			fail_msg("protocol label outside the fixed set: %.16s", p);
	}
	free(buf);
}

static void test_values(void **state)
{
	char *buf = render(0, NULL);

	(void)state;
	assert_non_null(strstr(buf, "ctadvisor_invalid_packets_total{reason=\"tcp-invalid-flags\","
				    "proto=\"tcp\",verdict=\"marked_invalid\"} 7\n"));
	assert_non_null(strstr(buf, "ctadvisor_invalid_packets_total{reason=\"tcp-bad-checksum\","
				    "proto=\"tcp\",verdict=\"marked_invalid\"} 0\n"));
	assert_non_null(strstr(buf, "ctadvisor_invalid_nflog_received_total 7\n"));
	assert_non_null(strstr(buf, "ctadvisor_invalid_nflog_lost_total 3\n"));
	assert_non_null(strstr(buf, "ctadvisor_invalid_nflog_enobufs_total 1\n"));
	assert_non_null(strstr(buf, "ctadvisor_invalid_nflog_bad_messages_total 2\n"));
	assert_non_null(strstr(buf, "ctadvisor_invalid_counts_only 0\n"));
	assert_non_null(strstr(buf, "ctadvisor_watch_start_time_seconds{mode=\"invalid\"} "
				    "1796650000\n"));
	assert_non_null(strstr(buf,
			       "ctadvisor_watch_last_write_timestamp_seconds{mode=\"invalid\"} "
			       "1796650061\n"));
	/* nothing of the packet: addresses, ports, interfaces */
	assert_null(strstr(buf, "192.0.2"));
	assert_null(strstr(buf, "198.51.100"));
	assert_null(strstr(buf, "veth0"));
	assert_null(strstr(buf, "443"));
	assert_null(strstr(buf, "netns="));
	free(buf);
}

/* Both verdicts of one reason; the netns escaped on every sample. */
static void test_hostile(void **state)
{
	char *buf = render(1, NULL);
	const char *ns = "{netns=\"ns\\\"x\\\\\\nfake 1\",";

	(void)state;
	assert_non_null(strstr(buf, "reason=\"tcp-seq-under-lower-bound\",proto=\"tcp\","
				    "verdict=\"marked_invalid\"} 30\n"));
	assert_non_null(strstr(buf, "reason=\"tcp-seq-under-lower-bound\",proto=\"tcp\","
				    "verdict=\"accepted\"} 10\n"));
	assert_int_equal(count_lines(buf, "reason=\"tcp-seq-under-lower-bound\""), 2);
	assert_int_equal(count_lines(buf, ns), logparse_catalog_count() + 1 + 2);
	assert_null(strstr(buf, "\033"));
	assert_null(strstr(buf, "pwned"));
	assert_null(strstr(buf, "vil"));
	free(buf);
}

static void test_counts_only(void **state)
{
	char *buf = render(2, NULL);

	(void)state;
	assert_non_null(strstr(buf, "ctadvisor_invalid_counts_only{netns=\"lab\"} 1\n"));
	free(buf);
}

static void test_write_error(void **state)
{
	struct render_invalid_meta meta = {.netns = ""};
	struct logparse_agg *agg = logparse_agg_new(8);
	struct logparse_agg_result res;
	FILE *out = fopen("/dev/full", "w");

	(void)state;
	assert_non_null(agg);
	if (out == NULL)
		fail_msg("/dev/full: %s", strerror(errno));
	logparse_agg_result(agg, &res);
	assert_int_equal(render_invalid_prom(out, &res, &meta, &times), -EIO);
	fclose(out);
	logparse_agg_free(agg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_golden),      cmocka_unit_test(test_catalog_bounded),
	    cmocka_unit_test(test_values),      cmocka_unit_test(test_hostile),
	    cmocka_unit_test(test_counts_only), cmocka_unit_test(test_write_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
