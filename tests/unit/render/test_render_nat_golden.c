/* test_render_nat_golden.c: the `ctadvisor nat` report (render_nat.c) in
 * text, JSON and Prometheus against golden files (tests/golden/nat-*;
 * UPDATE_GOLDEN=1 rewrites them, review the diff), plus what a golden file
 * cannot show: the JSON parses back with the envelope first, and a hostile
 * namespace name and rule location come out escaped for each format.
 * Cases are built as cmd_nat.c builds them: entries through nat_agg, the
 * rules from iptables-save text, the finding from nat_finding(). Run from
 * the repository root or set CTADVISOR_SRCDIR. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cmocka.h>
#include <jansson.h>

#include "../../../render/render_nat.h"
#include "../common/golden.h"
#include "../nat_fixture.h"
#include "envelope_fx.h"
#include "watch_fx.h"

/* An iptables-save -t nat of a router: a 10-port masquerade for TCP, a
 * two-address SNAT with 100 ports for UDP toward 10.20.0.0/16. */
static const char ruleset[] = "*nat\n"
			      ":POSTROUTING ACCEPT [0:0]\n"
			      "-A POSTROUTING -o eth0 -p tcp -j MASQUERADE --to-ports 40000-40009\n"
			      "-A POSTROUTING -d 10.20.0.0/16 -p udp -j SNAT --to-source "
			      "198.51.100.10-198.51.100.11:20000-20099\n"
			      "COMMIT\n";

struct nat_case {
	struct nat_rules rules;
	struct nat_report rep;
	struct rules_report findings;
	struct render_nat_in in;
};

static void ip6(uint8_t *out, const char *s)
{
	assert_int_equal(inet_pton(AF_INET6, s, out), 1);
}

/* What nat_gather() would have walked:
 * - 93.184.216.34:443 via 203.0.113.1 (the masquerade, 40000-40009): 7
 *   ESTABLISHED from 192.168.1.10, 2 TIME_WAIT from 192.168.1.11: 9 in
 *   use, 2 reclaimable, (9 - 2) / 10 = 70.0%;
 * - 10.20.3.4:53 UDP via 198.51.100.10 (the SNAT, 20000-20099): 25 from
 *   192.168.1.12: 25.0%, two addresses configured;
 * - [2001:db8::53]:443 TCP via 2001:db8:1::1, no IPv6 rule: the kernel's
 *   1024-65535 for 3 flows. */
static void feed(struct nat_agg *agg)
{
	struct nat_entry e =
	    mk("192.168.1.10", "203.0.113.1", "93.184.216.34", 443, 39999, SRC_NAT, TCP_EST);

	add_n(agg, e, 7, TCP_EST);
	e = mk("192.168.1.11", "203.0.113.1", "93.184.216.34", 443, 40006, SRC_NAT, TCP_TW);
	add_n(agg, e, 2, TCP_TW);
	e = mk("192.168.1.12", "198.51.100.10", "10.20.3.4", 53, 19999, SRC_NAT, -1);
	e.proto = IPPROTO_UDP;
	add_n(agg, e, 25, -1);
	e = mk("192.168.1.10", "203.0.113.1", "93.184.216.34", 443, 0, SRC_NAT, TCP_EST);
	e.family = AF_INET6;
	memset(e.client, 0, 16);
	ip6(e.client, "2001:db8:2::10");
	ip6(e.nat_addr, "2001:db8:1::1");
	ip6(e.dst, "2001:db8::53");
	e.nat_port = 50000;
	add_n(agg, e, 3, TCP_EST);
	/* a local flow that holds no NAT port: walked, not counted */
	e = mk("192.168.1.1", "192.168.1.1", "192.168.1.53", 53, 5353, 0, TCP_EST);
	nat_agg_add(agg, &e);
}

/* The report of the walk above, counters over 2 s. */
static void nat_case_init(struct nat_case *c)
{
	struct nat_agg *agg = nat_agg_new(0);

	assert_non_null(agg);
	memset(c, 0, sizeof(*c));
	assert_int_equal(nat_rules_parse_iptables(ruleset, strlen(ruleset), AF_INET, &c->rules), 0);
	assert_int_equal(c->rules.n, 2);
	feed(agg);
	nat_agg_result(agg, &c->rules, 10, &c->rep);
	nat_agg_free(agg);
	c->rep.has_counters = true;
	c->rep.interval_ms = 2000;
	c->rep.total[NAT_CTR_FOUND] = 1200;
	c->rep.delta[NAT_CTR_FOUND] = 30;
	c->rep.total[NAT_CTR_INSERT_FAILED] = 17;
	c->rep.delta[NAT_CTR_INSERT_FAILED] = 3;
	c->rep.total[NAT_CTR_DROP] = 4;
	c->in = (struct render_nat_in){.netns = "edge-1",
				       .rep = &c->rep,
				       .rules = &c->rules,
				       .rules_src = "iptables-save",
				       .findings = &c->findings};
}

/* The finding as cmd_nat adds it, once the report is complete. */
static void nat_case_finish(struct nat_case *c)
{
	struct rules_finding f;
	bool fired = false;

	nat_finding(&c->rep, 70, 90, &f, &fired);
	assert_true(fired); /* 70.0% reaches the warning */
	c->findings.findings[c->findings.n_findings++] = f;
	c->findings.worst = f.sev;
}

static void case_router(struct nat_case *c)
{
	nat_case_init(c);
	nat_case_finish(c);
}

/* Hostile text where the report shows outside text: the namespace name and
 * the rule location (nft's table and chain names land there); a walk that
 * was interrupted, and counters that could not be read. */
static void case_hostile(struct nat_case *c)
{
	nat_case_init(c);
	c->in.netns = HOSTILE;
	snprintf(c->rules.rule[0].where, sizeof(c->rules.rule[0].where), "nft ip %s post", HOSTILE);
	c->rep.is_interrupted = true;
	c->rep.lost = 2;
	c->rep.bad = 1;
	c->rep.overflow = 5;
	c->rep.has_counters = false;
	c->in.ctr_err = -EPERM;
	c->in.rules_src = "nft";
	nat_case_finish(c);
}

/* Nothing source-NATed, no rules: the report still says so. */
static void case_empty(struct nat_case *c)
{
	struct nat_agg *agg = nat_agg_new(0);

	assert_non_null(agg);
	memset(c, 0, sizeof(*c));
	nat_agg_result(agg, NULL, 10, &c->rep);
	nat_agg_free(agg);
	c->in = (struct render_nat_in){.netns = NULL,
				       .rep = &c->rep,
				       .rules = &c->rules,
				       .rules_src = "none",
				       .ctr_err = -ENOENT,
				       .findings = &c->findings};
}

enum nat_fmt { FMT_TEXT, FMT_JSON, FMT_PROM };

static char *render(const struct nat_case *c, enum nat_fmt fmt, size_t *len)
{
	struct cap cap;
	FILE *f = cap_open(&cap);
	int rc = fmt == FMT_TEXT   ? render_nat_text(f, &c->in)
		 : fmt == FMT_JSON ? render_nat_json(f, &c->in)
				   : render_nat_prom(f, &c->in);
	char *s;

	assert_int_equal(rc, 0);
	s = cap_close(&cap);
	*len = cap.len;
	return s;
}

static const struct {
	const char *name;
	void (*build)(struct nat_case *c);
} cases[] = {
    {"router", case_router},
    {"hostile", case_hostile},
    {"empty", case_empty},
};

static void test_golden(void **state)
{
	static const char *const ext[] = {"txt", "json", "prom"};
	static struct nat_case c;
	char name[64];
	size_t len;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cases[i].build(&c);
		for (int fmt = FMT_TEXT; fmt <= FMT_PROM; fmt++) {
			char *s = render(&c, (enum nat_fmt)fmt, &len);

			snprintf(name, sizeof(name), "nat-%s.%s", cases[i].name, ext[fmt]);
			if (fmt == FMT_JSON)
				envelope_golden(name, s, len);
			else
				golden_check(name, s, len);
			free(s);
		}
	}
}

/* The envelope, and figures the golden file holds as text read back. */
static void test_json_envelope(void **state)
{
	static struct nat_case c;
	json_t *root, *rows, *ns;
	size_t len;
	char *s;

	(void)state;
	case_router(&c);
	s = render(&c, FMT_JSON, &len);
	root = envelope_check(s, "nat", 2, 1);
	ns = json_object_get(root, "netns");
	assert_string_equal(json_string_value(json_object_get(ns, "name")), "edge-1");
	assert_true(json_is_null(json_object_get(ns, "is_init")));
	rows = json_object_get(root, "destinations");
	assert_int_equal(json_array_size(rows), 3);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(rows, 0), "in_use")), 9);
	assert_true(json_real_value(json_object_get(json_array_get(rows, 0), "saturation_pct")) ==
		    70.0);
	assert_int_equal(json_array_size(json_object_get(root, "findings")), 1);
	json_decref(root);
	free(s);

	case_empty(&c);
	s = render(&c, FMT_JSON, &len);
	root = envelope_check(s, "nat", 2, 0);
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(root, "netns"), "name")), "");
	assert_true(json_is_null(json_object_get(root, "counters")));
	json_decref(root);
	free(s);
}

/* Each format keeps the hostile bytes, escaped its own way. */
static void test_hostile_escaped(void **state)
{
	static struct nat_case c;
	json_t *root;
	size_t len;
	char *s;

	(void)state;
	case_hostile(&c);
	s = render(&c, FMT_TEXT, &len);
	assert_terminal_safe(s);
	assert_has(s, "ctadvisor nat: WARNING (a\\x1b[31m\"q\"\\\\b\\nc\\t<script>");
	assert_has(s, "\\xff\\xc3(\\xc2\\x85\\u202e\xc3\xa9!");
	assert_has(s, "(nft ip a\\x1b[31m");
	free(s);

	s = render(&c, FMT_JSON, &len);
	assert_terminal_safe(s); /* ensure_ascii: \uXXXX */
	root = envelope_check(s, "nat", 2, 1);
	/* the name is kept whole; only the invalid bytes become text */
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(root, "netns"), "name")),
	    "a\x1b[31m\"q\"\\b\nc\t<script>x</script>\\xff\\xc3(\xc2\x85\xe2\x80\xae\xc3\xa9!");
	json_decref(root);
	free(s);

	s = render(&c, FMT_PROM, &len);
	assert_terminal_safe(s);
	/* one label value: the quote and the newline escaped, nothing raw */
	assert_has(s, "{netns=\"a\\\\x1b[31m\\\"q\\\"\\\\b\\nc\\\\x09<script>x</script>");
	for (const char *l = s; *l != '\0'; l = strchr(l, '\n') + 1)
		if (*l != '#' && strncmp(l, "ctadvisor_nat_", 14) != 0)
			fail_msg("a line that is no sample nor comment: %.40s", l);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_golden),
	    cmocka_unit_test(test_json_envelope),
	    cmocka_unit_test(test_hostile_escaped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
