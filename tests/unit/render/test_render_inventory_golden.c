/* test_render_inventory_golden.c: `ctadvisor inventory` (inventory_render.c,
 * inventory_json.c) in text, JSON and Prometheus against golden files
 * (tests/golden/inventory-*; UPDATE_GOLDEN=1 rewrites them, review the
 * diff), plus what a golden file cannot show: the JSON parses back with the
 * envelope first, every text row has the header's columns, and a hostile
 * pin name, pod, process name and knob value come out escaped for each
 * format. The namespaces are what inventory_collect() fills in on a host
 * with a router, a container, a pod, a leak and one it could not enter.
 * Run from the repository root or set CTADVISOR_SRCDIR. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "../../../render/inventory_render.h"
#include "../common/golden.h"
#include "envelope_fx.h"
#include "watch_fx.h"

#define N_NS 7

/* 8 GiB of RAM, a 320-byte slab object: the totals' memory figures. */
static const struct inv_host host = {.max = 262144,
				     .buckets = 65536,
				     .slab_obj_bytes = 320,
				     .ram_bytes = 8ull << 30,
				     .is_init = true};

struct inv_case {
	struct inv_ns ns[N_NS];
	struct inventory inv;
	struct inv_host host;
	bool has_walk;
	size_t top;
};

#define SET(field, ...) snprintf(field, sizeof(field), __VA_ARGS__)

static struct inv_ns *add(struct inv_case *c, const char *name, uint64_t ino, enum inv_pin pin)
{
	struct inv_ns *ns = &c->ns[c->inv.n++];

	memset(ns, 0, sizeof(*ns));
	SET(ns->name, "%s", name);
	if (pin != INV_PIN_NONE)
		SET(ns->path, "/run/%snetns/%s", pin == INV_PIN_DOCKER ? "docker/" : "", name);
	ns->dev = 4;
	ns->ino = ino;
	ns->pin = pin;
	return ns;
}

/* The count and GET_STATS_CPU summed: drop, early_drop, insert_failed,
 * invalid. */
static void figures(struct inv_ns *ns, uint64_t count, uint64_t drop, uint64_t edrop,
		    uint64_t ifail, uint64_t inval)
{
	ns->fig.has_count = true;
	ns->fig.count = count;
	ns->fig.has_stats = true;
	ns->fig.total.present = 1u << SNAP_STAT_DROP | 1u << SNAP_STAT_EARLY_DROP |
				1u << SNAP_STAT_INSERT_FAILED | 1u << SNAP_STAT_INVALID;
	ns->fig.total.v[SNAP_STAT_DROP] = drop;
	ns->fig.total.v[SNAP_STAT_EARLY_DROP] = edrop;
	ns->fig.total.v[SNAP_STAT_INSERT_FAILED] = ifail;
	ns->fig.total.v[SNAP_STAT_INVALID] = inval;
}

static void procs(struct inv_ns *ns, unsigned n, int pid, const char *comm0, const char *comm1)
{
	ns->n_procs = n;
	ns->pid = pid;
	if (ns->pin == INV_PIN_NONE)
		SET(ns->path, "/proc/%d/ns/net", pid);
	SET(ns->comm[ns->n_comm++], "%s", comm0);
	if (comm1 != NULL)
		SET(ns->comm[ns->n_comm++], "%s", comm1);
}

static void override(struct inv_ns *ns, const char *knob, const char *value, const char *base)
{
	struct inv_override *o = &ns->fig.ov[ns->fig.n_ov++];

	SET(o->knob, "net.netfilter.%s", knob);
	SET(o->value, "%s", value);
	SET(o->baseline, "%s", base);
}

static void walked(struct inv_ns *ns, uint64_t live)
{
	ns->fig.has_walk = true;
	ns->fig.live = live;
}

/* The host: its own namespace, an ip-netns router with tuned knobs, a
 * docker container, a Kubernetes pod (found through its processes only), a
 * pinned one with nothing in it, one setns() refused, and a CNI pin whose
 * walk was cut short. Sorted as cmd_inventory sorts them. */
static void case_host(struct inv_case *c)
{
	struct inv_ns *ns;

	memset(c, 0, sizeof(*c));
	c->inv = (struct inventory){.ns = c->ns, .cap = N_NS};
	c->host = host;
	c->has_walk = true;
	ns = add(c, "", 4026531840, INV_PIN_NONE);
	procs(ns, 214, 1, "systemd", "sshd");
	ns->fig.is_init = true;
	figures(ns, 5234, 0, 0, 2, 118);
	walked(ns, 5230);
	ns = add(c, "router-a", 4026532301, INV_PIN_NETNS);
	figures(ns, 81234, 12, 3, 40, 9);
	walked(ns, 81190);
	ns->fig.has_ext = true;
	override(ns, "nf_conntrack_udp_timeout", "60", "30");
	override(ns, "nf_conntrack_tcp_timeout_established", "7200", "432000");
	override(ns, "nf_conntrack_helper", "1", "");
	ns->fig.n_ov_more = 2;
	ns = add(c, "1f0e2d3c4b5a", 4026532412, INV_PIN_DOCKER);
	procs(ns, 3, 2811, "nginx", NULL);
	ns->has_container = true;
	SET(ns->owner.runtime, "docker");
	SET(ns->owner.container_id,
	    "8c2f1e0d9b7a6c5e4d3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d");
	figures(ns, 40, 0, 0, 0, 0);
	walked(ns, 40);
	ns = add(c, "", 4026532518, INV_PIN_NONE);
	procs(ns, 2, 3190, "envoy", "cart");
	ns->has_pod = ns->has_container = true;
	SET(ns->owner.pod_namespace, "shop");
	SET(ns->owner.pod_name, "cart-7d9f8b6c5-x2k4q");
	SET(ns->owner.pod_uid, "5c1e6a3b-2f4d-4e8a-9b7c-0d1e2f3a4b5c");
	SET(ns->owner.qos, "burstable");
	SET(ns->owner.runtime, "containerd");
	SET(ns->owner.container_id, "3f9a7c1e5b2d");
	figures(ns, 1290, 0, 0, 5, 31);
	walked(ns, 1288);
	ns = add(c, "old-test", 4026532620, INV_PIN_NETNS);
	figures(ns, 0, 0, 0, 0, 0);
	walked(ns, 0);
	ns = add(c, "locked", 4026532733, INV_PIN_MOUNT);
	ns->fig.err = EACCES;
	ns->fig.err_what = "setns";
	ns = add(c, "cni-6b1a", 4026532844, INV_PIN_NETNS);
	procs(ns, 1, 4012, "pause", NULL);
	figures(ns, 700, 0, 0, 0, 2);
	walked(ns, 512);
	ns->fig.walk_interrupted = true;
	inventory_sort(&c->inv);
}

/* The same host, --top 3 and no --walk. */
static void case_top(struct inv_case *c)
{
	case_host(c);
	c->top = 3;
	c->has_walk = false;
	for (size_t i = 0; i < c->inv.n; i++)
		c->ns[i].fig.has_walk = false;
}

/* Outside text in every field that shows it: the pin name, the process
 * names, the pod's namespace, name and uid, the container id, a knob
 * value and its baseline. */
static void case_hostile(struct inv_case *c)
{
	struct inv_ns *ns;

	memset(c, 0, sizeof(*c));
	c->inv = (struct inventory){.ns = c->ns, .cap = N_NS};
	c->host = host;
	ns = add(c, HOSTILE, 4026532301, INV_PIN_NETNS);
	figures(ns, 10, 0, 0, 0, 0);
	override(ns, "nf_conntrack_udp_timeout", HOSTILE, HOSTILE);
	ns = add(c, "", 4026532518, INV_PIN_NONE);
	/* a process name is 15 bytes at most (TASK_COMM_LEN) */
	procs(ns, 2, 3190, "\x1b[2J\"<a>\\\n\xff\xe2\x80\xae", "ok");
	figures(ns, 20, 1, 0, 0, 0);
	ns = add(c, "", 4026532519, INV_PIN_NONE);
	procs(ns, 1, 3301, "pause", NULL);
	ns->has_pod = ns->has_container = true;
	SET(ns->owner.pod_namespace, "%s", HOSTILE);
	SET(ns->owner.pod_name, "%s", HOSTILE);
	SET(ns->owner.pod_uid, "%.39s", HOSTILE);
	SET(ns->owner.runtime, "crio");
	SET(ns->owner.container_id, "%s", HOSTILE);
	figures(ns, 30, 0, 0, 0, 0);
	inventory_sort(&c->inv);
}

/* No namespace read and no host figure known. */
static void case_empty(struct inv_case *c)
{
	memset(c, 0, sizeof(*c));
	c->inv = (struct inventory){.ns = c->ns, .cap = N_NS};
	c->host = (struct inv_host){.max = -1, .buckets = -1};
}

enum inv_fmt { FMT_TEXT, FMT_JSON, FMT_PROM };

static char *render(const struct inv_case *c, enum inv_fmt fmt, size_t *len)
{
	struct cap cap;
	FILE *f = cap_open(&cap);
	int rc = fmt == FMT_TEXT ? inventory_render_text(f, &c->inv, &c->host, c->top, c->has_walk)
		 : fmt == FMT_JSON ? inventory_render_json(f, &c->inv, &c->host)
				   : inventory_render_prom(f, &c->inv, &c->host);
	char *s;

	assert_int_equal(rc, 0);
	s = cap_close(&cap);
	*len = cap.len;
	return s;
}

static const struct {
	const char *name;
	void (*build)(struct inv_case *c);
	bool text_only;
} cases[] = {
    {"host", case_host, false},
    {"top", case_top, true},
    {"hostile", case_hostile, false},
    {"empty", case_empty, false},
};

static void test_golden(void **state)
{
	static const char *const ext[] = {"txt", "json", "prom"};
	static struct inv_case c;
	char name[64];
	size_t len;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cases[i].build(&c);
		for (int fmt = FMT_TEXT; fmt <= (cases[i].text_only ? FMT_TEXT : FMT_PROM); fmt++) {
			char *s = render(&c, (enum inv_fmt)fmt, &len);

			snprintf(name, sizeof(name), "inventory-%s.%s", cases[i].name, ext[fmt]);
			if (fmt == FMT_JSON)
				envelope_golden(name, s, len);
			else
				golden_check(name, s, len);
			free(s);
		}
	}
}

/* The envelope: the report is of every namespace (netns null); WARNING when
 * one could not be read, OK otherwise. */
static void test_json_envelope(void **state)
{
	static struct inv_case c;
	json_t *root, *arr;
	size_t len;
	char *s;

	(void)state;
	case_host(&c);
	s = render(&c, FMT_JSON, &len);
	root = envelope_check(s, "inventory", 1, 1);
	assert_true(json_is_null(json_object_get(root, "netns")));
	arr = json_object_get(root, "namespaces");
	assert_int_equal(json_array_size(arr), N_NS);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(arr, 0), "count")),
			 81234);
	assert_int_equal(
	    json_integer_value(json_object_get(json_object_get(root, "totals"), "entries")),
	    5234 + 81234 + 40 + 1290 + 700);
	json_decref(root);
	free(s);

	case_empty(&c);
	s = render(&c, FMT_JSON, &len);
	root = envelope_check(s, "inventory", 1, 0);
	assert_int_equal(json_array_size(json_object_get(root, "namespaces")), 0);
	json_decref(root);
	free(s);
}

/* Every row has the header's seven figure columns before the name: a
 * figure or a "-", right-aligned under its heading. */
static void test_text_columns(void **state)
{
	static struct inv_case c;
	const char *line, *head;
	size_t len, n = 0;
	char *s;

	(void)state;
	case_host(&c);
	s = render(&c, FMT_TEXT, &len);
	head =
	    strstr(s, "\n   ENTRIES   %MAX      LIVE     DROP EARLY_DROP INSERT_FAILED  INVALID  "
		      "NETNS                    OWNER\n");
	assert_non_null(head);
	for (line = strchr(head + 1, '\n') + 1; *line != '\0'; line = strchr(line, '\n') + 1) {
		/* each column ends where its heading does */
		static const size_t ends[] = {10, 17, 27, 36, 47, 61, 70};

		if (strncmp(line, "       overrides:", 17) == 0)
			continue; /* a row's second line */
		for (size_t k = 0; k < sizeof(ends) / sizeof(ends[0]); k++)
			if (line[ends[k] - 1] == ' ' || line[ends[k]] != ' ')
				fail_msg("row %zu, column %zu misaligned:\n%.100s", n, k, line);
		n++;
	}
	assert_int_equal(n, N_NS);
	free(s);
}

static void test_hostile_escaped(void **state)
{
	static struct inv_case c;
	json_t *root, *ns;
	size_t len;
	char *s;

	(void)state;
	case_hostile(&c);
	s = render(&c, FMT_TEXT, &len);
	assert_terminal_safe(s);
	assert_has(s,
		   "  a\\x1b[31m\"q\"\\\\b\\nc\\t<script>x</script>\\xff\\xc3(\\xc2\\x85\\u202e");
	assert_has(s, "pod a\\x1b[31m");
	assert_has(s, "procs: \\x1b[2J\"<a>\\\\\\n\\xff\\u202e, ok");
	assert_has(s, " nf_conntrack_udp_timeout=a\\x1b[31m");
	free(s);

	s = render(&c, FMT_JSON, &len);
	assert_terminal_safe(s);
	root = envelope_check(s, "inventory", 1, 0);
	ns = json_array_get(json_object_get(root, "namespaces"), 0);
	assert_string_equal(
	    json_string_value(
		json_object_get(json_object_get(json_object_get(ns, "owner"), "pod"), "name")),
	    "a\x1b[31m\"q\"\\b\nc\t<script>x</script>\\xff\\xc3(\xc2\x85\xe2\x80\xae\xc3\xa9!");
	json_decref(root);
	free(s);

	s = render(&c, FMT_PROM, &len);
	assert_terminal_safe(s);
	assert_has(s, "pod=\"a\\\\x1b[31m\\\"q\\\"\\\\b\\nc\\\\x09<script>x</script>");
	for (const char *l = s; *l != '\0'; l = strchr(l, '\n') + 1)
		if (*l != '#' && strncmp(l, "ctadvisor_", 10) != 0)
			fail_msg("a line that is no sample nor comment: %.40s", l);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_golden),
	    cmocka_unit_test(test_json_envelope),
	    cmocka_unit_test(test_text_columns),
	    cmocka_unit_test(test_hostile_escaped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
