/* test_nat_lab.c: the recorded 60-nat lab (its dump and ruleset) through the
 * decoder, the aggregation and the Prometheus renderer. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <cmocka.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include "../nat_fixture.h"
#include "../../../collect/fileio.h"
#include "../../../nl/nl_ct.h"
#include "../../../render/render_nat.h"

/* ---- the recorded 60-nat lab ---- */

#define LAB_DUMP    "tests/fixtures/nat/lab60-dump.bin"
#define LAB_RULESET "tests/fixtures/nat/lab60-ruleset.json"
#define LAB_HELD    10 /* connections held to each saturated destination */
#define LAB_PINNED  5  /* through the two-address SNAT rule */

struct lab_entries {
	size_t n, bad, nat_port_out_of_range;
};

/* Every message of the recording through nl_ct_decode_nat() into agg. */
static struct lab_entries lab_feed(struct nat_agg *agg)
{
	struct lab_entries le = {0};
	char *bytes = NULL;
	size_t len = 0;
	int left;

	assert_int_equal(fileio_read_all(LAB_DUMP, &bytes, &len), 0);
	assert_true(len > 0 && len < 1u << 20);
	left = (int)len;
	for (const struct nlmsghdr *nlh = (const struct nlmsghdr *)(const void *)bytes;
	     mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
		struct nat_entry e;

		le.n++;
		if (nl_ct_decode_nat(nlh, &e) != 0) {
			le.bad++;
			continue;
		}
		/* the masquerade range, or the SNAT rule's */
		if (!((e.nat_port >= 40000 && e.nat_port <= 40009) ||
		      (e.nat_port >= 20000 && e.nat_port <= 20099)))
			le.nat_port_out_of_range++;
		nat_agg_add(agg, &e);
	}
	assert_int_equal(left, 0); /* the file is whole messages, nothing trailing */
	free(bytes);
	return le;
}

static void lab_rules(struct nat_rules *rules)
{
	char *text = NULL;
	size_t len = 0;

	memset(rules, 0, sizeof(*rules));
	assert_int_equal(fileio_read_all(LAB_RULESET, &text, &len), 0);
	assert_int_equal(nat_rules_parse_nft_json(text, len, rules), 0);
	free(text);
	assert_int_equal(rules->n, 2);
}

static void lab_saturated(const struct nat_report *rep, const char *dst, uint16_t dport)
{
	const struct nat_row *r = row_of(rep, dst, dport, "10.213.2.254");
	uint8_t client[16];

	if (r == NULL)
		fail_msg("no row for %s:%u via 10.213.2.254", dst, dport);
	ip4(client, "10.213.1.1");
	assert_int_equal(r->proto, IPPROTO_TCP);
	assert_int_equal(r->zone, 0);
	assert_int_equal(r->in_use, LAB_HELD);
	assert_int_equal(r->entries, LAB_HELD);
	assert_int_equal(r->snat_entries, LAB_HELD);
	assert_int_equal(r->capacity, LAB_HELD);
	assert_true(r->saturation_pct == 100.0);
	assert_int_equal(r->cap.src, NAT_CAP_RULE);
	assert_int_equal(r->cap.port_lo, 40000);
	assert_int_equal(r->cap.port_hi, 40009);
	assert_int_equal(r->established, LAB_HELD);
	assert_int_equal(r->time_wait, 0);
	assert_int_equal(r->n_nat_addrs, 1);
	assert_int_equal(r->n_clients, 1);
	assert_memory_equal(r->clients[0].addr, client, 16);
	assert_int_equal(r->clients[0].count, LAB_HELD);
	assert_int_equal(r->clients[0].error, 0);
	assert_int_equal(r->clients[0].elsewhere, 0);
}

static char *lab_prom(const struct nat_report *rep, const struct nat_rules *rules,
		      const struct rules_report *findings)
{
	struct render_nat_in in = {
	    .netns = "lab", .rep = rep, .rules = rules, .rules_src = "file", .findings = findings};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(render_nat_prom(f, &in), 0);
	fclose(f);
	return buf;
}

static void test_recorded_lab(void **state)
{
	struct nat_agg *agg = nat_agg_new(0);
	static struct nat_report rep;
	static struct rules_report findings;
	struct nat_rules rules;
	const struct nat_row *p = NULL;
	struct lab_entries le;
	struct rules_finding f;
	uint8_t a250[16], a251[16];
	bool fired = false;
	char *s;

	(void)state;
	assert_non_null(agg);
	lab_rules(&rules);
	le = lab_feed(agg);
	assert_int_equal(le.n, 2 * LAB_HELD + LAB_PINNED);
	assert_int_equal(le.bad, 0);
	assert_int_equal(le.nat_port_out_of_range, 0);
	memset(&rep, 0, sizeof(rep));
	nat_agg_result(agg, &rules, 10, &rep);
	assert_int_equal(rep.entries, 2 * LAB_HELD + LAB_PINNED);
	assert_int_equal(rep.snat_entries, 2 * LAB_HELD + LAB_PINNED);
	assert_int_equal(rep.counted, 2 * LAB_HELD + LAB_PINNED);
	assert_int_equal(rep.keys, 3);
	assert_int_equal(rep.n_rows, 3);
	/* the two saturated destinations first, in either order */
	assert_true(rep.rows[0].saturation_pct == 100.0 && rep.rows[1].saturation_pct == 100.0);
	lab_saturated(&rep, "10.213.2.2", 5001);
	lab_saturated(&rep, "10.213.2.3", 5002);

	/* the two-address SNAT rule: one key, the client pinned to one address */
	ip4(a250, "10.213.2.250");
	ip4(a251, "10.213.2.251");
	p = &rep.rows[2];
	assert_true(memcmp(p->nat_addr, a250, 16) == 0 || memcmp(p->nat_addr, a251, 16) == 0);
	assert_int_equal(p->dport, 6001);
	assert_int_equal(p->in_use, LAB_PINNED);
	assert_int_equal(p->capacity, 100);
	assert_int_equal(p->cap.port_lo, 20000);
	assert_int_equal(p->cap.port_hi, 20099);
	assert_true(p->saturation_pct == 100.0 * LAB_PINNED / 100);
	assert_int_equal(p->n_nat_addrs, 1);
	assert_int_equal(p->n_clients, 1);
	assert_int_equal(p->clients[0].count, LAB_PINNED);
	assert_memory_equal(p->clients[0].addr, rep.rows[0].clients[0].addr, 16);

	/* the finding names the worst and counts the other saturated one */
	nat_finding(&rep, 70, 90, &f, &fired);
	assert_true(fired);
	assert_int_equal(f.sev, RULES_SEV_CRITICAL);
	assert_non_null(strstr(f.summary, "holds 10 of 10 ports (40000-40009) toward 10.213.2."));
	assert_non_null(strstr(f.summary, "(100%; 1 more destination alerts)"));
	/* advice that fits: no TIME_WAIT to shorten, random-fully adds no port */
	assert_null(strstr(f.summary, "TIME_WAIT"));
	assert_null(strstr(f.summary, "random-fully"));
	assert_string_equal(f.ev[f.n_ev - 1].name, "alerting_destinations");
	assert_true(f.ev[f.n_ev - 1].value == 2.0);

	/* Prometheus: per-destination samples, one rate family per counter */
	memset(&findings, 0, sizeof(findings));
	findings.findings[0] = f;
	findings.n_findings = 1;
	findings.worst = f.sev;
	rep.has_counters = true;
	rep.interval_ms = 4000;
	rep.delta[NAT_CTR_INSERT_FAILED] = 8;
	rep.delta[NAT_CTR_DROP] = 8;
	rep.delta[NAT_CTR_FOUND] = 2;
	s = lab_prom(&rep, &rules, &findings);
	assert_non_null(
	    strstr(s, "\nctadvisor_nat_ports_in_use{netns=\"lab\",zone=\"0\",proto=\"tcp\","
		      "nat_addr=\"10.213.2.254\",dst=\"10.213.2.2\",dport=\"5001\"} 10\n"));
	assert_non_null(strstr(s, "\nctadvisor_nat_port_saturation_ratio{netns=\"lab\",zone=\"0\","
				  "proto=\"tcp\",nat_addr=\"10.213.2.254\",dst=\"10.213.2.3\","
				  "dport=\"5002\"} 1\n"));
	assert_non_null(
	    strstr(s, "\nctadvisor_nat_port_capacity{netns=\"lab\",zone=\"0\",proto=\"tcp\","
		      "nat_addr=\"10.213.2.254\",dst=\"10.213.2.2\",dport=\"5001\"} 10\n"));
	assert_non_null(strstr(s, "\n# TYPE ctadvisor_nat_insert_failed_per_second gauge\n"
				  "ctadvisor_nat_insert_failed_per_second{netns=\"lab\"} 2\n"));
	assert_non_null(strstr(s, "\nctadvisor_nat_found_per_second{netns=\"lab\"} 0.5\n"));
	assert_non_null(strstr(s, "\nctadvisor_nat_sample_interval_seconds{netns=\"lab\"} 4\n"));
	assert_non_null(strstr(s, "\nctadvisor_nat_source_nat_entries{netns=\"lab\"} 25\n"));
	assert_non_null(strstr(s, "\nctadvisor_nat_status{netns=\"lab\"} 2\n"));
	assert_null(strstr(s, "counter_rate"));
	assert_null(strstr(s, "ctadvisor_nat_worst_")); /* check's families */
	free(s);
	nat_agg_free(agg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_recorded_lab),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
