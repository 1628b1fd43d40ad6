/* test_render_plan.c: the plan renderers against golden files
 * (tests/golden/plan-*.txt|json; UPDATE_GOLDEN=1 rewrites them, review the
 * diff), plus what a golden file cannot show: the JSON parses and its
 * recommendation is the computed plan as strings, the saved plan file is
 * the same object, write errors are reported. */
#include <errno.h>
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

#include "../../../render/render_plan.h"
#include "../common/golden.h"

struct fixture {
	struct plan_input in;
	struct plan_result res;
	struct owners_report owners;
	struct plan_class cls[2];
	struct plan_timeout chg[2];
	struct plan_whatif w;
	struct inventory_demand host;
	struct render_plan p;
};

static void base_input(struct plan_input *in)
{
	plan_input_init(in);
	in->ram_bytes = UINT64_C(8) << 30;
	in->cpus = 8;
	in->cur_max = 262144;
	in->cur_buckets = 262144;
	in->cur_count = 40000;
}

/* Current count x 5; another namespace (a hostile name) is busier, and
 * all of them together need more buckets than max. */
static void make_growth(struct fixture *f)
{
	base_input(&f->in);
	f->in.src = PLAN_DEMAND_CURRENT;
	f->host = (struct inventory_demand){.n_ns = 3, .busiest = 52000, .sum = 60000};
	snprintf(f->host.busiest_name, sizeof(f->host.busiest_name), "blue\033[31m");
	f->in.base_entries = f->host.busiest;
	f->in.total_entries = f->host.sum;
	f->in.growth = 5;
	assert_int_equal(plan_compute(&f->in, &f->res, NULL), 0);
	owners_init(&f->owners);
	f->p = (struct render_plan){.in = &f->in,
				    .res = &f->res,
				    .is_slab_measured = true,
				    .owners = &f->owners,
				    .host = &f->host};
}

/* A watch peak, extensions on, over budget, a what-if, other writers. */
static void make_full(struct fixture *f)
{
	base_input(&f->in);
	f->in.base_entries = 300000;
	f->in.growth = 2;
	f->in.has_ext = true;
	f->in.budget_bytes = UINT64_C(128) << 20;
	owners_init(&f->owners);
	f->owners.n = 2;
	f->owners.items[0] = (struct owners_item){.kind = OWNERS_SYSCTL_FILE,
						  .source = "/etc/sysctl.d/10-k8s.conf",
						  .line = 3,
						  .key = "net.netfilter.nf_conntrack_max",
						  .value = "1000000"};
	/* a running kube-proxy whose --config file (a hostile name) gives 65536
	 * per core: it lowers the recommendation at its next start */
	f->owners.items[1] =
	    (struct owners_item){.kind = OWNERS_PROCESS,
				 .source = "pid 42",
				 .key = "kube-proxy",
				 .value = "--conntrack-min=\x1b[31m",
				 .kube = {OWNERS_KUBE_CONFIG, 65536, -1, "/etc/kp\x1b[31m.yaml"}};
	f->in.kube = (struct plan_kube_cfg){PLAN_KUBE_CONFIG, 65536, -1};
	assert_int_equal(plan_compute(&f->in, &f->res, NULL), 0);
	assert_int_equal(f->res.kube_effect, PLAN_KUBE_LOWERS);
	f->owners.n_dropped = 1;
	/* TCP still open at the end (a lower bound), capped at 3600 s; UDP
	 * that timed out under 30 s: 35 - 30 + 10 = 15 s. */
	f->cls[0] = (struct plan_class){"tcp_established",
					"net.netfilter.nf_conntrack_tcp_timeout_established",
					100,
					5000,
					432000,
					0,
					0,
					true};
	f->cls[1] = (struct plan_class){
	    "udp", "net.netfilter.nf_conntrack_udp_timeout", 50, 35, 30, 1, 35, false};
	f->chg[0] =
	    (struct plan_timeout){"net.netfilter.nf_conntrack_tcp_timeout_established", 3600};
	f->chg[1] = (struct plan_timeout){"net.netfilter.nf_conntrack_udp_timeout", 10};
	assert_int_equal(plan_whatif(f->cls, 2, f->chg, 2, &f->w, NULL), 0);
	assert_true(f->w.after_total == 100 * 3600 + 50 * 15);
	f->p = (struct render_plan){.in = &f->in,
				    .res = &f->res,
				    .from_file = "/var/tmp/watch.json",
				    .netns = "blue",
				    .is_slab_measured = true,
				    .ext_reason = "nf_conntrack_acct",
				    .owners = &f->owners,
				    .kube_proxy = &f->owners.items[1],
				    .classes = f->cls,
				    .whatif = &f->w,
				    .changes = f->chg,
				    .n_changes = 2,
				    .whatif_note = "The watch lost events 2 times (ENOBUFS)."};
}

/* An explicit target within budget, slab size assumed, owners not scanned. */
static void make_target(struct fixture *f)
{
	base_input(&f->in);
	f->in.src = PLAN_DEMAND_TARGET;
	f->in.target_entries = 1000000;
	f->in.load = 4;
	f->in.budget_bytes = UINT64_C(1) << 30;
	f->in.cur_max = -1;
	assert_int_equal(plan_compute(&f->in, &f->res, NULL), 0);
	f->p =
	    (struct render_plan){.in = &f->in,
				 .res = &f->res,
				 .whatif_note = "--set needs event figures: give --from a summary "
						"saved by 'ctadvisor watch --events --save FILE'."};
}

static const struct {
	const char *name;
	void (*make)(struct fixture *);
} cases[] = {{"growth", make_growth}, {"full", make_full}, {"target", make_target}};

struct rendered {
	char *buf;
	size_t len;
};

static void render_to(int (*fn)(FILE *, const struct render_plan *), const struct render_plan *p,
		      struct rendered *r)
{
	FILE *m = open_memstream(&r->buf, &r->len);

	assert_non_null(m);
	assert_int_equal(fn(m, p), 0);
	assert_int_equal(fclose(m), 0);
}

static void test_golden(void **state)
{
	(void)state;
	for (size_t ci = 0; ci < sizeof(cases) / sizeof(cases[0]); ci++) {
		static struct fixture f;
		struct rendered txt = {0}, js = {0};
		char name[256];

		memset(&f, 0, sizeof(f));
		cases[ci].make(&f);
		render_to(render_plan_text, &f.p, &txt);
		render_to(render_plan_json, &f.p, &js);
		snprintf(name, sizeof(name), "plan-%s.txt", cases[ci].name);
		golden_check(name, txt.buf, txt.len);
		snprintf(name, sizeof(name), "plan-%s.json", cases[ci].name);
		golden_check(name, js.buf, js.len);
		if (memchr(txt.buf, '\x1b', txt.len) != NULL)
			fail_msg("case %zu: raw escape character in the text output", ci);
		free(txt.buf);
		free(js.buf);
	}
}

/* The recommendation apply reads: knob -> decimal string of the plan. */
static void check_object(const json_t *o, const struct fixture *f, size_t ci)
{
	const json_t *rec = json_object_get(o, "recommendation");
	char max[24], buckets[24];

	snprintf(max, sizeof(max), "%llu", (unsigned long long)f->res.rec.max);
	snprintf(buckets, sizeof(buckets), "%llu", (unsigned long long)f->res.rec.buckets);
	if (json_object_size(rec) != 2 ||
	    strcmp(json_string_value(json_object_get(rec, RENDER_PLAN_KNOB_MAX)), max) != 0 ||
	    strcmp(json_string_value(json_object_get(rec, RENDER_PLAN_KNOB_BUCKETS)), buckets) != 0)
		fail_msg("case %zu: recommendation is not {max: %s, buckets: %s}", ci, max,
			 buckets);
	if ((size_t)json_array_size(json_object_get(o, "steps")) != f->res.n_steps)
		fail_msg("case %zu: steps array has %zu entries, want %zu", ci,
			 json_array_size(json_object_get(o, "steps")), f->res.n_steps);
	if (json_integer_value(json_object_get(json_object_get(o, "memory"), "mem_bytes")) !=
	    (json_int_t)f->res.rec.mem_bytes)
		fail_msg("case %zu: memory.mem_bytes differs from the plan", ci);
}

static void test_json_and_save(void **state)
{
	(void)state;
	for (size_t ci = 0; ci < sizeof(cases) / sizeof(cases[0]); ci++) {
		static struct fixture f;
		struct rendered js = {0};
		struct rendered sv = {0};
		json_error_t err;
		json_t *o, *saved;

		memset(&f, 0, sizeof(f));
		cases[ci].make(&f);
		render_to(render_plan_json, &f.p, &js);
		o = json_loadb(js.buf, js.len, 0, &err);
		if (o == NULL)
			fail_msg("case %zu: JSON does not parse: %s", ci, err.text);
		check_object(o, &f, ci);
		render_to(render_plan_saved, &f.p, &sv);
		saved = json_loadb(sv.buf, sv.len, 0, &err);
		if (saved == NULL || !json_equal(o, saved))
			fail_msg("case %zu: the saved plan differs from the JSON output", ci);
		json_decref(saved);
		json_decref(o);
		free(js.buf);
		free(sv.buf);
	}
}

static void test_write_error(void **state)
{
	static struct fixture f;
	FILE *full = fopen("/dev/full", "w");

	(void)state;
	assert_non_null(full);
	make_full(&f);
	assert_int_equal(render_plan_text(full, &f.p), -EIO);
	clearerr(full);
	assert_int_equal(render_plan_json(full, &f.p), -EIO);
	clearerr(full);
	assert_int_equal(render_plan_saved(full, &f.p), -EIO);
	fclose(full);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_golden),
	    cmocka_unit_test(test_json_and_save),
	    cmocka_unit_test(test_write_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
