/* Unit tests: the watch summary's events by class (render_watch.c), text
 * and JSON, on watch_fx.c's events case (its figures are worked out there).
 */
#include <errno.h>
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "../../../render/render_watch.h"
#include "../../../rules/rules_watch.h"
#include "watch_fx.h"

/* ---- events in the summary ---- */

static void test_summary_events_text(void **state)
{
	struct fx f;
	char *out;

	(void)state;
	events_fx(&f, false);
	out = summary_text(&f);
	assert_has(out, "\n  new flows/s  tcp 0.2 udp 0.1 icmp 0.0 other 0.0\n");
	assert_has(out, "\n  mean life    tcp 15.0s udp - icmp - other -\n");
	assert_has(out, "\n  event loss   0 ENOBUFS, 4 flows untracked\n");
	assert_has(out, "\n               tcp_established      0.10        30      20      10"
			"      >=70.0s\n");
	assert_has(out, "\n               udp                  0.01         6       0       0"
			"        30.0s\n");
	assert_lacks(out, "tcp_other"); /* no flows: no row */
	assert_has(out, "\n  lower bound  \">=\": flows still open");
	free(out);
	/* Lost events make the rates lower bounds; no open flow, no note. */
	f.st.events.enobufs = 3;
	f.st.events.flows[NL_FC_TCP_ESTABLISHED][NL_END_OPEN] = (struct nl_events_life){0, 0};
	out = summary_text(&f);
	assert_has(out, "\n  event loss   3 ENOBUFS, 4 flows untracked (rates are lower bounds)\n");
	assert_has(out, "\n               events were lost: the kernel sent them faster than "
			"ctadvisor\n");
	assert_has(out,
		   "to see every flow, watch\n               again when the CPU is less busy\n");
	/* 50 flows, 3200 s: 64.0 s, exact. */
	assert_has(out, "\n               tcp_established      0.08        30      20       0"
			"        64.0s\n");
	assert_lacks(out, "lower bound  ");
	free(out);
	/* Undecodable events are shown, not dropped quietly. */
	f.st.events.bad_messages = 2;
	out = summary_text(&f);
	assert_has(out, "\n  event loss   3 ENOBUFS, 4 flows untracked, 2 not decodable (rates are "
			"lower bounds)\n");
	free(out);
}

static void test_summary_events_json(void **state)
{
	struct fx f;
	char *out;
	const char *p;
	json_t *s, *ev, *cl, *te, *udp;

	(void)state;
	events_fx(&f, true);
	out = summary_text(&f);
	p = out;
	s = parse_line(&p);
	ev = json_object_get(s, "events");
	assert_true(json_is_object(ev));
	assert_int_equal(int_at(json_object_get(ev, "new"), "tcp"), 120);
	assert_int_equal(int_at(json_object_get(ev, "destroy"), "tcp"), 50);
	assert_true(real_at(json_object_get(ev, "new_per_s"), "udp") == 0.1);
	assert_true(real_at(json_object_get(ev, "mean_lifetime_s"), "tcp") == 15.0);
	assert_true(json_is_null(json_object_get(json_object_get(ev, "mean_lifetime_s"), "udp")));
	assert_int_equal(int_at(ev, "untracked"), 4);
	assert_int_equal(int_at(ev, "enobufs"), 0);
	assert_int_equal(int_at(ev, "bad_messages"), 0);
	cl = json_object_get(ev, "classes");
	assert_int_equal(json_object_size(cl), 6);
	te = json_object_get(cl, "tcp_established");
	assert_string_equal(json_string_value(json_object_get(te, "knob")),
			    "net.netfilter.nf_conntrack_tcp_timeout_established");
	assert_int_equal(int_at(te, "timeout_s"), 432000);
	assert_int_equal(int_at(te, "flows"), 60);
	assert_true(real_at(te, "new_per_s") == 0.1);
	assert_int_equal(int_at(json_object_get(te, "timed_out"), "n"), 30);
	assert_true(real_at(json_object_get(te, "timed_out"), "mean_lifetime_s") == 100.0);
	assert_true(real_at(json_object_get(te, "closed"), "mean_lifetime_s") == 10.0);
	assert_int_equal(int_at(json_object_get(te, "open"), "n"), 10);
	assert_true(real_at(te, "mean_lifetime_s") == 70.0);
	assert_true(json_is_true(json_object_get(te, "lower_bound")));
	udp = json_object_get(cl, "udp");
	assert_true(json_is_null(json_object_get(udp, "timeout_s")));
	assert_true(json_is_null(json_object_get(json_object_get(udp, "open"), "mean_lifetime_s")));
	assert_true(real_at(udp, "mean_lifetime_s") == 30.0);
	assert_true(json_is_false(json_object_get(udp, "lower_bound")));
	assert_true(json_is_null(json_object_get(json_object_get(cl, "icmp"), "mean_lifetime_s")));
	/* Flat counts: not growing, so no time to full even after 600 s. */
	assert_true(json_is_null(json_object_get(s, "hours_to_full")));
	json_decref(s);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_summary_events_text),
	    cmocka_unit_test(test_summary_events_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
