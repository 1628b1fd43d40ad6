/* test_render_netns.c: what check --all-netns reports: the namespace list
 * and its findings from an inventory; the NAT summary of the check report. */
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>
#include <jansson.h>

#include "../../../collect/check_netns.h"
#include "../../../render/escape.h"
#include "../../../analysis/nat_check.h"
#include "../../../render/render.h"
#include "../../../render/render_plugin.h"
#include "../common/golden.h"
#include "render_cases.h"

/* ---- check --all-netns: the list and the findings from an inventory ---- */

static void inv_ns_set(struct inv_ns *ns, const char *name, uint64_t ino, bool has_count,
		       uint64_t count, uint64_t drop)
{
	memset(ns, 0, sizeof(*ns));
	snprintf(ns->name, sizeof(ns->name), "%s", name);
	ns->pin = name[0] != '\0' ? INV_PIN_NETNS : INV_PIN_NONE;
	ns->pid = name[0] != '\0' ? 0 : 77;
	ns->dev = 4;
	ns->ino = ino;
	ns->fig.has_count = has_count;
	ns->fig.count = count;
	ns->fig.has_stats = has_count;
	ns->fig.total.present = (UINT32_C(1) << SNAP_STAT_DROP) |
				(UINT32_C(1) << SNAP_STAT_EARLY_DROP) |
				(UINT32_C(1) << SNAP_STAT_INSERT_FAILED);
	ns->fig.total.v[SNAP_STAT_DROP] = drop;
	if (!has_count)
		ns->fig.err = EPERM;
}

static void test_netns_summary_findings(void **state)
{
	static const struct {
		const char *warn, *crit;
		size_t n_alerting;
		int busy_alert;
		const char *ids; /* the findings, "id:sev " each */
	} ncases[] = {
	    {"75", "90", 0, 0, "netns-table-full:2 "},
	    {"40", "90", 1, 1, "netns-table-fill:2 netns-table-full:2 "},
	    {"0.001", "45", 2, 2, "netns-table-fill:3 netns-table-full:2 "},
	};
	struct inv_ns ns[5];
	struct inventory inv = {.ns = ns, .n = 5, .cap = 5};
	const struct check_netns_self self = {.is_known = true, .dev = 4, .ino = 100};

	(void)state;
	/* Sorted as inventory_sort() leaves it: the highest count first. */
	inv_ns_set(&ns[0], "self", 100, true, 900, 0);
	inv_ns_set(&ns[1], "busy", 101, true, 500, 0);
	inv_ns_set(&ns[2], "", 102, true, 40, 7);
	inv_ns_set(&ns[3], "quiet", 103, true, 0, 0);
	inv_ns_set(&ns[4], "gone", 104, false, 0, 0);
	for (size_t ci = 0; ci < sizeof(ncases) / sizeof(ncases[0]); ci++) {
		struct range warn, crit;
		struct snap_all_netns all;
		struct rules_finding f[2];
		char ids[128] = "";
		size_t n = 9;

		assert_int_equal(range_parse(ncases[ci].warn, &warn), 0);
		assert_int_equal(range_parse(ncases[ci].crit, &crit), 0);
		check_netns_summarise(&inv, &self, 1000, &warn, &crit, &all);
		if (!all.has_all || all.n_found != 4 || all.n_failed != 1 || all.n_list != 4 ||
		    all.n_alerting != ncases[ci].n_alerting)
			fail_msg("case %zu: found %zu failed %zu listed %zu alerting %zu", ci,
				 all.n_found, all.n_failed, all.n_list, all.n_alerting);
		if (strcmp(all.list[0].name, "busy") != 0 || all.list[0].fill_pct != 50.0 ||
		    all.list[0].alert != ncases[ci].busy_alert || all.list[1].inode != 102 ||
		    strcmp(all.list[1].target, "77") != 0 ||
		    strcmp(all.list[0].target, "busy") != 0 || all.list[3].err != EPERM ||
		    all.list[3].fill_pct != -1)
			fail_msg("case %zu: list %s %g alert %d, %" PRIu64 " '%s'", ci,
				 all.list[0].name, all.list[0].fill_pct, all.list[0].alert,
				 all.list[1].inode, all.list[1].target);
		if (all.worst_fill != 0 || all.worst_drop != 1 || all.worst_early_drop != -1 ||
		    all.worst_insert_failed != -1)
			fail_msg("case %zu: worst %d %d %d %d", ci, all.worst_fill, all.worst_drop,
				 all.worst_early_drop, all.worst_insert_failed);
		check_netns_findings(&all, 1000, f, &n);
		for (size_t i = 0; i < n && i < 2; i++)
			snprintf(ids + strlen(ids), sizeof(ids) - strlen(ids), "%s:%d ", f[i].id,
				 (int)f[i].sev);
		if (strcmp(ids, ncases[ci].ids) != 0)
			fail_msg("case %zu: findings '%s', want '%s'", ci, ids, ncases[ci].ids);
		if (strstr(f[n - 1].summary, "inode 102") == NULL ||
		    strcmp(f[n - 1].commands[0], "ctadvisor check --netns 77") != 0)
			fail_msg("case %zu: full finding '%s' '%s'", ci, f[n - 1].summary,
				 f[n - 1].commands[0]);
		if (n == 2 &&
		    (strstr(f[0].summary, "busy (netns busy), holds 500 of 1000") == NULL ||
		     strcmp(f[0].commands[0], "ctadvisor check --netns busy") != 0))
			fail_msg("case %zu: fill finding '%s'", ci, f[0].summary);
	}
}

/* More namespaces than the list holds: the ones that dropped stay in. */
static void test_netns_list_keeps_worst(void **state)
{
	enum { N = SNAP_NETNS_LIST + 10 };
	struct inv_ns *ns = calloc(N, sizeof(*ns));
	struct inventory inv = {.ns = ns, .n = N, .cap = N};
	struct range warn, crit;
	struct snap_all_netns all;
	char name[16];

	(void)state;
	assert_non_null(ns);
	for (size_t i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "n%03zu", i);
		inv_ns_set(&ns[i], name, 1000 + i, true, N - i, i == N - 1 ? 3 : 0);
	}
	ns[N - 2].fig.total.v[SNAP_STAT_INSERT_FAILED] = 9;
	assert_int_equal(range_parse("75", &warn), 0);
	assert_int_equal(range_parse("90", &crit), 0);
	check_netns_summarise(&inv, NULL, 0, &warn, &crit, &all);
	assert_int_equal(all.n_found, N);
	assert_int_equal(all.n_list, SNAP_NETNS_LIST);
	assert_int_equal(all.list[0].inode, 1000);
	assert_true(all.worst_drop >= 0 && all.list[all.worst_drop].inode == 1000 + N - 1);
	assert_true(all.worst_insert_failed >= 0 &&
		    all.list[all.worst_insert_failed].inode == 1000 + N - 2);
	assert_int_equal(all.list[all.worst_drop].fill_pct, -1); /* no max given */
	free(ns);
}

static void test_nat_summarise(void **state)
{
	static struct nat_report rep;
	struct snap_nat_worst w;

	(void)state;
	memset(&rep, 0, sizeof(rep));
	rep.snat_entries = 12;
	rep.keys = 2;
	nat_check_summarise(&rep, &w);
	assert_true(w.has_nat && !w.has_row && w.snat_entries == 12 && w.keys == 2);
	rep.n_rows = 1;
	rep.rows[0] = (struct nat_row){.zone = 3,
				       .family = AF_INET,
				       .proto = 17,
				       .dport = 53,
				       .in_use = 9,
				       .capacity = 10,
				       .saturation_pct = 90};
	memcpy(rep.rows[0].nat_addr, "\xc6\x33\x64\x01", 4);
	memcpy(rep.rows[0].dst, "\xc0\x00\x02\x07", 4);
	rep.rows[0].cap.port_lo = 40000;
	rep.rows[0].cap.port_hi = 40009;
	nat_check_summarise(&rep, &w);
	assert_true(w.has_row && w.zone == 3 && w.dport == 53 && w.in_use == 9 &&
		    w.capacity == 10 && w.port_lo == 40000 && w.port_hi == 40009 &&
		    w.saturation_pct == 90);
	assert_string_equal(w.proto, "udp");
	assert_string_equal(w.nat_addr, "198.51.100.1");
	assert_string_equal(w.dst, "192.0.2.7");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_netns_summary_findings),
	    cmocka_unit_test(test_netns_list_keeps_worst),
	    cmocka_unit_test(test_nat_summarise),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
