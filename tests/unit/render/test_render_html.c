/* test_render_html.c: the HTML report against golden files
 * (tests/golden/report-*.html; UPDATE_GOLDEN=1 rewrites them), built from
 * snapshots, a plan, a watch summary and log lines made here, with fixed
 * header strings (the seam: the command passes uname and the clock, a test
 * passes constants, so nothing in the page varies). Plus what a golden file
 * cannot show: hostile names, prefixes and pod names leave no markup, the
 * HTML escaper itself, and the policy that forbids script. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../common/golden.h"
#include "../../../render/escape.h"
#include "../../../render/render_html.h"

#define HOSTILE "<script>alert(\"x\")</script>&amp;'\x01\x1b[31m"

struct fixture {
	struct ct_snapshot snap;
	struct rules_report rep;
	struct plan_result res;
	struct render_html_plan plan;
	struct render_html_watch watch;
	struct logparse_agg *agg;
	struct logparse_agg_result lres;
	struct render_html_logs logs;
	struct nat_report nat;
	struct render_html_page page;
};

static void add_knob(struct ct_snapshot *s, const char *name, const char *value)
{
	struct snap_knob k = {.is_writable = true};

	snprintf(k.name, sizeof(k.name), "%s", name);
	snprintf(k.value, sizeof(k.value), "%s", value);
	assert_int_equal(snap_add_knob(s, &k), 0);
}

/* 200000 of 262144 entries (76 %: warns), a walk, accounting off. */
static void base_snapshot(struct ct_snapshot *s, const char *netns)
{
	snap_init(s);
	snprintf(s->netns, sizeof(s->netns), "%s", netns);
	s->ram_bytes = UINT64_C(8) << 30;
	s->ncpus = 4;
	s->has_count = s->has_max = true;
	s->count = 200000;
	s->max = 262144;
	s->set.max = 262144;
	s->set.buckets = 262144;
	s->set.acct = 0;
	s->set.timestamp = 0;
	s->has_slab = true;
	s->slab_obj_bytes = 256;
	add_knob(s, "net.netfilter.nf_conntrack_max", "262144");
	add_knob(s, "net.netfilter.nf_conntrack_buckets", "262144");
	s->has_walk = true;
	s->walk.entries = 199990;
	s->walk.tcp_state[3] = 150000; /* ESTABLISHED */
	s->walk.tcp_state[7] = 40000;  /* TIME_WAIT */
	s->walk.n_top_src = 2;
	snprintf(s->walk.top_src[0].key, sizeof(s->walk.top_src[0].key), "10.0.0.1");
	s->walk.top_src[0].count = 120000;
	snprintf(s->walk.top_src[1].key, sizeof(s->walk.top_src[1].key), "10.0.0.2");
	s->walk.top_src[1].count = 70000;
	s->walk.n_top_dport = 1;
	snprintf(s->walk.top_dport[0].key, sizeof(s->walk.top_dport[0].key), "tcp/443");
	s->walk.top_dport[0].count = 150000;
}

static void make_plan(struct fixture *f)
{
	struct plan_input in;
	static const char *const labels[] = {"current", "recommended", "kernel default",
					     "kube-proxy"};
	const struct plan_sizing *sz[4];

	plan_input_init(&in);
	in.src = PLAN_DEMAND_PEAK;
	in.base_entries = 230000;
	in.ram_bytes = f->snap.ram_bytes;
	in.cpus = 4;
	in.cur_max = 262144;
	in.cur_buckets = 262144;
	in.cur_count = 200000;
	assert_int_equal(plan_compute(&in, &f->res, NULL), 0);
	sz[0] = &f->res.current, sz[1] = &f->res.rec, sz[2] = &f->res.kern_def;
	sz[3] = &f->res.kube;
	f->plan = (struct render_html_plan){.res = &f->res, .demand_src = "the watch's peak"};
	for (size_t i = 0; i < 4; i++)
		f->plan.rows[f->plan.n_rows++] = (struct render_html_sizing){
		    .label = labels[i],
		    .max = sz[i]->max,
		    .buckets = sz[i]->buckets,
		    .mem_bytes = sz[i]->mem_bytes,
		    .chain = 2.0 * (double)sz[i]->max / (double)sz[i]->buckets};
}

static void make_watch(struct fixture *f, const char *netns)
{
	f->watch = (struct render_html_watch){.source = "w.json",
					      .netns = netns,
					      .samples = 61,
					      .duration_s = 60,
					      .max = 262144,
					      .first = 190000,
					      .peak = 230000,
					      .last = 200000,
					      .mean = 205000.5,
					      .has_growth = true,
					      .growth_per_hour = 600000,
					      .has_hours_to_full = true,
					      .hours_to_full = 0.1,
					      .n_rates = 3};
	f->watch.rates[0] = (struct render_html_rate){.name = "new", .per_s = 1500};
	f->watch.rates[1] = (struct render_html_rate){.name = "destroy", .per_s = 1333.25};
	f->watch.rates[2] = (struct render_html_rate){
	    .name = "invalid", .per_s = 2, .has_peak = true, .peak_per_s = 9};
}

static const char log_line[] =
    "[  102.000123] nf_ct_proto_6: invalid tcp flag combination IN=eth0 OUT= "
    "SRC=203.0.113.5 DST=192.0.2.1 LEN=40 TTL=49 ID=1 PROTO=TCP SPT=51515 DPT=22 SEQ=1 "
    "ACK=0 WINDOW=1024 RES=0x00 SYN FIN URGP=0 ";

static void make_logs(struct fixture *f, const char *prefix)
{
	char line[512];

	f->agg = logparse_agg_new(10);
	assert_non_null(f->agg);
	for (int i = 0; i < 3; i++)
		logparse_agg_add_line(f->agg, log_line, strlen(log_line));
	snprintf(line, sizeof(line),
		 "[  110.5] %sIN=eth0 OUT= SRC=198.51.100.7 DST=192.0.2.1 LEN=60 TTL=50 ID=2 "
		 "PROTO=TCP SPT=4000 DPT=80 WINDOW=1 RES=0x00 SYN URGP=0 ",
		 prefix);
	logparse_agg_add_line(f->agg, line, strlen(line));
	logparse_agg_result(f->agg, &f->lres);
	f->logs = (struct render_html_logs){.source = "kern.log", .res = &f->lres};
}

static void make_nat(struct nat_report *n)
{
	struct nat_row *r = &n->rows[0];

	memset(n, 0, sizeof(*n));
	n->entries = 199990;
	n->snat_entries = 50000;
	n->n_rows = 1;
	r->family = 2; /* AF_INET */
	r->proto = 6;
	memcpy(r->nat_addr, "\xc0\x00\x02\x01", 4);
	memcpy(r->dst, "\xc6\x33\x64\x0a", 4);
	r->dport = 443;
	r->in_use = 25000;
	r->capacity = 28232;
	r->saturation_pct = 88.55;
}

static void add_netns(struct ct_snapshot *s, const char *name, const char *owner, uint64_t n)
{
	struct snap_netns *ns = &s->all_ns.list[s->all_ns.n_list++];

	snprintf(ns->name, sizeof(ns->name), "%s", name);
	snprintf(ns->owner, sizeof(ns->owner), "%s", owner);
	ns->has_count = true;
	ns->count = n;
	s->all_ns.has_all = true;
	s->all_ns.n_found++;
}

static void make_page(struct fixture *f, const char *netns, const char *prefix, const char *pod)
{
	struct rules_opts opts;
	char owner[160];

	memset(f, 0, sizeof(*f));
	base_snapshot(&f->snap, netns);
	snprintf(owner, sizeof(owner), "pod default/%s", pod);
	add_netns(&f->snap, "blue", owner, 1234);
	add_netns(&f->snap, "red", "netns red", 17);
	rules_opts_default(&opts);
	rules_evaluate(&f->snap, &opts, &f->rep);
	make_plan(f);
	make_watch(f, netns);
	make_logs(f, prefix);
	make_nat(&f->nat);
	f->page = (struct render_html_page){.host = "lab-host",
					    .kernel = "Linux 6.18.0 x86_64",
					    .generated = "2026-01-01 00:00:00 UTC",
					    .version = "0.0.0-test",
					    .netns = netns,
					    .snap = &f->snap,
					    .rep = &f->rep,
					    .fill_warn_pct = 75,
					    .fill_crit_pct = 90,
					    .plan = &f->plan,
					    .watch = &f->watch,
					    .logs = &f->logs,
					    .nat = &f->nat};
}

static void free_page(struct fixture *f)
{
	snap_free(&f->snap);
	logparse_agg_free(f->agg);
}

static char *render_page(const struct render_html_page *p, size_t *len)
{
	char *buf = NULL;
	FILE *m = open_memstream(&buf, len);

	assert_non_null(m);
	assert_int_equal(render_html(m, p), 0);
	assert_int_equal(fclose(m), 0);
	return buf;
}

static size_t count_of(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

static void test_full_golden(void **state)
{
	static struct fixture f;
	size_t len;
	char *html;

	(void)state;
	make_page(&f, "lab", "FW-DROP: ", "web-0");
	html = render_page(&f.page, &len);
	golden_check("report-full.html", html, len);
	/* one bar per plan sizing, per reason, per rate */
	assert_int_equal(count_of(html, "data-label=\"recommended (max"), 1);
	assert_non_null(strstr(html, "id=\"fill-count\">200000<"));
	assert_non_null(strstr(html, "data-label=\"tcp-invalid-flags\" data-value=\"3\""));
	assert_non_null(strstr(html, "data-label=\"SYN FIN\" data-value=\"3\""));
	assert_non_null(strstr(html, "data-label=\"FW-DROP:\" data-value=\"1\""));
	free(html);
	free_page(&f);
}

/* Nothing optional: the header says what is missing, no chart is empty. */
static void test_minimal_golden(void **state)
{
	static struct fixture f;
	size_t len;
	char *html;

	(void)state;
	make_page(&f, "lab", "FW: ", "web-0");
	f.page.plan = NULL;
	f.page.watch = NULL;
	f.page.logs = NULL;
	f.page.nat = NULL;
	f.page.netns = NULL;
	f.page.missing[f.page.n_missing++] = "no watch summary";
	f.page.missing[f.page.n_missing++] = "no kernel log";
	f.snap.all_ns.has_all = false;
	html = render_page(&f.page, &len);
	golden_check("report-minimal.html", html, len);
	assert_null(strstr(html, "chart-watch"));
	assert_null(strstr(html, "chart-reasons"));
	assert_non_null(strstr(html, "<li>no watch summary</li>"));
	free(html);
	free_page(&f);
}

static void test_hostile_golden(void **state)
{
	static struct fixture f;
	size_t len;
	char *html;

	(void)state;
	make_page(&f, HOSTILE, "<script>x</script>\"'&: ", "<script>p</script>\"&'\x02");
	snprintf(f.snap.walk.top_src[0].key, sizeof(f.snap.walk.top_src[0].key), "%s", HOSTILE);
	f.page.host = HOSTILE;
	html = render_page(&f.page, &len);
	golden_check("report-hostile.html", html, len);
	/* <script only as escaped text; no control byte, no stray quote */
	assert_null(strstr(html, "<script"));
	assert_null(strstr(html, "\"x\""));
	assert_null(memchr(html, '\x01', len));
	assert_null(memchr(html, '\x02', len));
	assert_null(memchr(html, '\x1b', len));
	assert_non_null(strstr(html, "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;amp;"
				     "&#39;\\x01\\x1b[31m"));
	assert_non_null(strstr(html, "pod default/&lt;script&gt;p&lt;/script&gt;"));
	free(html);
	free_page(&f);
}

static void test_policy(void **state)
{
	static struct fixture f;
	size_t len;
	char *html;

	(void)state;
	make_page(&f, "lab", "FW: ", "web-0");
	html = render_page(&f.page, &len);
	assert_non_null(strstr(html, "content=\"default-src 'none'; style-src 'unsafe-inline';"));
	assert_null(strstr(html, "http://"));
	assert_null(strstr(html, "https://"));
	assert_null(strstr(html, "src=\""));
	assert_int_equal(strncmp(html, "<!DOCTYPE html>", 15), 0);
	free(html);
	free_page(&f);
}

static void test_escape_html(void **state)
{
	char buf[128];

	(void)state;
	assert_int_equal(render_escape(buf, sizeof(buf), "a<b>&\"'", RENDER_ESC_HTML), 26);
	assert_string_equal(buf, "a&lt;b&gt;&amp;&quot;&#39;");
	render_escape(buf, sizeof(buf), "x\ty\x7f\xff\xe2\x80\xae", RENDER_ESC_HTML);
	assert_string_equal(buf, "x\\ty\\x7f\\xff\\u202e");
	/* a shell-quoted command keeps its backslash, so it copies whole */
	render_escape(buf, sizeof(buf), "'a'\\''b'", RENDER_ESC_HTML);
	assert_string_equal(buf, "&#39;a&#39;\\&#39;&#39;b&#39;");
	/* truncation stops at a whole reference */
	assert_int_equal(render_escape(buf, 8, "ab&cd", RENDER_ESC_HTML), 9);
	assert_string_equal(buf, "ab&amp;");
	assert_int_equal(render_escape(buf, 6, "ab&cd", RENDER_ESC_HTML), 9);
	assert_string_equal(buf, "ab");
}

static void test_write_error(void **state)
{
	static struct fixture f;
	FILE *full = fopen("/dev/full", "w");

	(void)state;
	assert_non_null(full);
	make_page(&f, "lab", "FW: ", "web-0");
	assert_int_equal(render_html(full, &f.page), -EIO);
	fclose(full);
	free_page(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_full_golden),    cmocka_unit_test(test_minimal_golden),
	    cmocka_unit_test(test_hostile_golden), cmocka_unit_test(test_policy),
	    cmocka_unit_test(test_escape_html),    cmocka_unit_test(test_write_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
