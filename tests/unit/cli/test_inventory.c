/* test_inventory.c: namespace discovery and owner mapping on the fixture
 * root tests/fixtures/inventory (see its README): pins, mountinfo, process
 * links, deduplication, leaks; cgroup v1 and v2 paths, systemd and cgroupfs
 * drivers, QoS classes, containerd/crio/docker ids, var/log/pods. Then the
 * pure helpers (sort, worst, totals) and the three renderers on synthetic
 * figures. Fixtures are found under $CTADVISOR_SRCDIR or ".". */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <jansson.h>

#include "../../../collect/inventory_scan.h"
#include "../../../render/inventory_render.h"

#define C10     "1f311134efe1f98d5a9e049b42d7c73c3f9d825abe3319e16e21cfa65fa368b7"
#define C20     "fc7fe9c12d74a4246c13f9200b5209ea8e4c96c0702c1b13a97ec9cdf467a214"
#define C30     "e6e2d858bd59da036652564d29a5601bd7d35ab74632f1084b90c787a99efc59"
#define C40     "1912e1b5d55f3cd500dbe67e0217d2114161a989fbb3a280f06e27b4f95da56d"
#define C41     "83ab50d90842e76cd6e5ea9325cdca06133554869e44a14d1f827d76ddf3719a"
#define C50     "e51bf8c6235d04c1a724e3f471267ad27d370bdcb509d91734be40e16f3cc101"
#define C60     "6816e6b790b81f82256016990d23aa4087e07d558aaf303364d144ad4a7ba608"
#define C70     "a665a2df673c6342540088f4a4d409898d3a689620a83b8a2f218679b888acd6"
#define UID_WEB "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"

static void fixture_root(char *buf, size_t len)
{
	const char *dir = getenv("CTADVISOR_SRCDIR");

	snprintf(buf, len, "%s/tests/fixtures/inventory", dir ? dir : ".");
}

/* --- cgroup text -> owner, table-driven --- */

struct cg_case {
	const char *text;
	int rc;
	bool has_pod, has_container;
	const char *uid, *qos, *runtime, *id;
};

static const struct cg_case cg_cases[] = {
    /* 0: v2, systemd driver, burstable, containerd */
    {"0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_WEB
     ".slice/cri-containerd-" C10 ".scope\n",
     0, true, true, UID_WEB, "burstable", "containerd", C10},
    /* 1: the same with '_' for '-' as the systemd driver writes it */
    {"0::/kubepods.slice/kubepods-burstable.slice/"
     "kubepods-burstable-pod0f1e2d3c_4b5a_6978_8796_a5b4c3d2e1f0.slice/cri-containerd-" C10
     ".scope",
     0, true, true, UID_WEB, "burstable", "containerd", C10},
    /* 2: v2 systemd, guaranteed (no QoS slice), crio */
    {"0::/kubepods.slice/kubepods-pod11111111_2222_3333_4444_555555555555.slice/crio-" C20
     ".scope\n",
     0, true, true, "11111111-2222-3333-4444-555555555555", "guaranteed", "crio", C20},
    /* 3: v2 systemd besteffort, static pod (32-hex uid) */
    {"0::/kubepods.slice/kubepods-besteffort.slice/"
     "kubepods-besteffort-pod8c5b9f5e3a2d4f1b9e7c6a5d4b3c2a1f.slice/cri-containerd-" C70 ".scope\n",
     0, true, true, "8c5b9f5e3a2d4f1b9e7c6a5d4b3c2a1f", "besteffort", "containerd", C70},
    /* 4: v1 cgroupfs besteffort: runtime unknown from the path */
    {"12:pids:/kubepods/besteffort/pod22222222-3333-4444-5555-666666666666/" C30 "\n"
     "1:name=systemd:/kubepods/besteffort/pod22222222-3333-4444-5555-666666666666/" C30 "\n",
     0, true, true, "22222222-3333-4444-5555-666666666666", "besteffort", "", C30},
    /* 5: v1 cgroupfs guaranteed, pod line after a root line */
    {"11:hugetlb:/\n5:cpu,cpuacct:/kubepods/pod33333333-4444-5555-6666-777777777777/" C40 "\n", 0,
     true, true, "33333333-4444-5555-6666-777777777777", "guaranteed", "", C40},
    /* 6: v2 cgroupfs burstable, crio-prefixed directory */
    {"0::/kubepods/burstable/pod44444444-5555-6666-7777-888888888888/crio-" C41 "\n", 0, true, true,
     "44444444-5555-6666-7777-888888888888", "burstable", "crio", C41},
    /* 7: docker, systemd driver */
    {"0::/system.slice/docker-" C50 ".scope\n", 0, false, true, NULL, NULL, "docker", C50},
    /* 8: docker, cgroupfs driver, v1 */
    {"4:memory:/docker/" C60 "\n1:name=systemd:/docker/" C60 "\n", 0, false, true, NULL, NULL,
     "docker", C60},
    /* 9: pod slice only (a process in the pod cgroup itself) */
    {"0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_WEB ".slice\n", 0,
     true, false, UID_WEB, "burstable", NULL, NULL},
    /* 10: a pod line wins over an earlier container-only line */
    {"3:memory:/docker/" C60 "\n0::/kubepods/burstable/pod" UID_WEB "/" C10 "\n", 0, true, true,
     UID_WEB, "burstable", "", C10},
    /* 11: host service: nothing */
    {"0::/system.slice/ssh.service\n", -ENOENT, false, false, NULL, NULL, NULL, NULL},
    /* 12: crio's monitor is not the container */
    {"0::/system.slice/crio-conmon-" C20 ".scope\n", -ENOENT, false, false, NULL, NULL, NULL, NULL},
    /* 13: a uid with characters no UID has */
    {"0::/kubepods/burstable/podzz../x\n", -ENOENT, false, false, NULL, NULL, NULL, NULL},
    /* 14: lines without two colons, empty text */
    {"garbage\n::\n\n", -ENOENT, false, false, NULL, NULL, NULL, NULL},
    /* 15: too short to be a container id */
    {"0::/system.slice/docker-abc.scope\n", -ENOENT, false, false, NULL, NULL, NULL, NULL},
    /* 16: no trailing newline, podman */
    {"0::/machine.slice/libpod-" C50 ".scope", 0, false, true, NULL, NULL, "podman", C50},
};

static void check_str(size_t i, const char *what, const char *want, const char *got)
{
	if (want != NULL && strcmp(want, got) != 0)
		fail_msg("case %zu: %s: expected '%s', got '%s'", i, what, want, got);
}

static void test_parse_cgroup(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cg_cases) / sizeof(cg_cases[0]); i++) {
		const struct cg_case *c = &cg_cases[i];
		struct inv_owner o;
		bool has_pod = false, has_container = false;
		int rc;

		memset(&o, 0x5a, sizeof(o));
		rc = inventory_parse_cgroup(c->text, strlen(c->text), &o, &has_pod, &has_container);
		if (rc != c->rc)
			fail_msg("case %zu: rc %d, expected %d", i, rc, c->rc);
		if (rc < 0) {
			if (o.pod_uid[0] != 0x5a)
				fail_msg("case %zu: owner written on failure", i);
			continue;
		}
		if (has_pod != c->has_pod || has_container != c->has_container)
			fail_msg("case %zu: has_pod %d has_container %d", i, has_pod,
				 has_container);
		check_str(i, "uid", c->uid, o.pod_uid);
		check_str(i, "qos", c->qos, o.qos);
		check_str(i, "runtime", c->runtime, o.runtime);
		check_str(i, "container id", c->id, o.container_id);
	}
}

/* --- discovery on the fixture root --- */

struct ns_want {
	const char *file; /* under ns/ */
	enum inv_pin pin;
	const char *name;
	unsigned n_procs;
	int pid;
	bool is_leak, has_pod, has_container;
	const char *pod_ns, *pod_name, *uid, *qos, *runtime, *id;
	const char *comm; /* one comm that must be listed */
};

static const struct ns_want ns_wants[] = {
    {"init", INV_PIN_NONE, "", 2, 1, false, false, false, NULL, NULL, NULL, NULL, NULL, NULL,
     "sshd"},
    {"blue", INV_PIN_NETNS, "blue", 1, 80, false, false, false, NULL, NULL, NULL, NULL, NULL, NULL,
     "dnsmasq"},
    {"leak", INV_PIN_NETNS, "leak", 0, 0, true, false, false, NULL, NULL, NULL, NULL, NULL, NULL,
     NULL},
    {"kata", INV_PIN_MOUNT, "ns one", 0, 0, true, false, false, NULL, NULL, NULL, NULL, NULL, NULL,
     NULL},
    {"pod-sysd-burst", INV_PIN_NONE, "", 2, 10, false, true, true, "default", "web-7d9f", UID_WEB,
     "burstable", "containerd", C10, "nginx"},
    {"pod-sysd-guar", INV_PIN_NONE, "", 1, 20, false, true, true, "kube-system", "coredns-abc",
     "11111111-2222-3333-4444-555555555555", "guaranteed", "crio", C20, "pause"},
    {"pod-cgfs-be", INV_PIN_NONE, "", 1, 30, false, true, true, "", "",
     "22222222-3333-4444-5555-666666666666", "besteffort", "", C30, "pause"},
    {"pod-cgfs-guar", INV_PIN_NONE, "", 1, 40, false, true, true, "", "",
     "33333333-4444-5555-6666-777777777777", "guaranteed", "", C40, "pause"},
    {"pod-cgfs-burst-crio", INV_PIN_NONE, "", 1, 41, false, true, true, "", "",
     "44444444-5555-6666-7777-888888888888", "burstable", "crio", C41, "pause"},
    {"docker-sysd", INV_PIN_DOCKER, "0123456789ab", 1, 50, false, false, true, NULL, NULL, NULL,
     NULL, "docker", C50, "nginx"},
    {"docker-cgfs", INV_PIN_NONE, "", 1, 60, false, false, true, NULL, NULL, NULL, NULL, "docker",
     C60, "redis-server"},
    {"static-pod", INV_PIN_NONE, "", 1, 70, false, true, true, "kube-system", "etcd-node1",
     "8c5b9f5e3a2d4f1b9e7c6a5d4b3c2a1f", "besteffort", "containerd", C70, "etcd"},
};

static const struct inv_ns *find_ns(const struct inventory *inv, const char *root, const char *file)
{
	char path[1024];
	struct stat st;

	snprintf(path, sizeof(path), "%s/ns/%s", root, file);
	if (stat(path, &st) < 0)
		fail_msg("fixture %s missing", path);
	for (size_t i = 0; i < inv->n; i++)
		if (inv->ns[i].dev == st.st_dev && inv->ns[i].ino == st.st_ino)
			return &inv->ns[i];
	return NULL;
}

static bool has_comm(const struct inv_ns *ns, const char *comm)
{
	for (unsigned i = 0; i < ns->n_comm; i++)
		if (strcmp(ns->comm[i], comm) == 0)
			return true;
	return false;
}

static void check_ns(size_t i, const struct ns_want *w, const struct inv_ns *ns)
{
	if (ns == NULL)
		fail_msg("case %zu (%s): namespace not found", i, w->file);
	if (ns->pin != w->pin || strcmp(ns->name, w->name) != 0)
		fail_msg("case %zu (%s): pin %d name '%s'", i, w->file, ns->pin, ns->name);
	if (ns->n_procs != w->n_procs || ns->pid != w->pid)
		fail_msg("case %zu (%s): %u procs, pid %d", i, w->file, ns->n_procs, ns->pid);
	if (inventory_no_process(ns) != w->is_leak)
		fail_msg("case %zu (%s): no process %d", i, w->file, inventory_no_process(ns));
	if (ns->has_pod != w->has_pod || ns->has_container != w->has_container)
		fail_msg("case %zu (%s): has_pod %d has_container %d", i, w->file, ns->has_pod,
			 ns->has_container);
	check_str(i, "pod namespace", w->pod_ns, ns->owner.pod_namespace);
	check_str(i, "pod name", w->pod_name, ns->owner.pod_name);
	check_str(i, "uid", w->uid, ns->owner.pod_uid);
	check_str(i, "qos", w->qos, ns->owner.qos);
	check_str(i, "runtime", w->runtime, ns->owner.runtime);
	check_str(i, "container id", w->id, ns->owner.container_id);
	if (w->comm != NULL && !has_comm(ns, w->comm))
		fail_msg("case %zu (%s): comm %s not listed", i, w->file, w->comm);
}

static void test_scan_fixture(void **state)
{
	struct inventory inv;
	char root[512];

	(void)state;
	fixture_root(root, sizeof(root));
	assert_int_equal(inventory_scan(&inv, root, false), 0);
	/* 12 namespaces: the uts mount, proc/99 and proc/not-a-pid add none,
	 * and blue (dir, mountinfo, pid 80) is one. */
	assert_int_equal(inv.n, sizeof(ns_wants) / sizeof(ns_wants[0]));
	for (size_t i = 0; i < sizeof(ns_wants) / sizeof(ns_wants[0]); i++)
		check_ns(i, &ns_wants[i], find_ns(&inv, root, ns_wants[i].file));
	inventory_free(&inv);
	inventory_free(&inv); /* freeing twice is harmless */
}

/* require_nsfs: fixture files are not on nsfs, so no pin survives, and
 * only the namespaces of processes remain, none a leak. */
static void test_scan_require_nsfs(void **state)
{
	struct inventory inv;
	char root[512];

	(void)state;
	fixture_root(root, sizeof(root));
	assert_int_equal(inventory_scan(&inv, root, true), 0);
	assert_int_equal(inv.n, 10);
	for (size_t i = 0; i < inv.n; i++) {
		assert_int_equal(inv.ns[i].pin, INV_PIN_NONE);
		assert_false(inventory_no_process(&inv.ns[i]));
	}
	inventory_free(&inv);
}

static void test_scan_missing_root(void **state)
{
	struct inventory inv;

	(void)state;
	assert_int_equal(inventory_scan(&inv, "/nonexistent-ctadvisor-root", false), 0);
	assert_int_equal(inv.n, 0);
	inventory_free(&inv);
}

static void test_pod_lookup(void **state)
{
	struct inv_owner o;
	char root[512];

	(void)state;
	fixture_root(root, sizeof(root));
	memset(&o, 0, sizeof(o));
	assert_int_equal(inventory_pod_lookup(root, "99999999-0000-0000-0000-000000000000", &o), 0);
	assert_string_equal(o.pod_namespace, "other");
	assert_string_equal(o.pod_name, "unrelated");
	memset(&o, 0, sizeof(o));
	assert_int_equal(inventory_pod_lookup(root, "0f1e2d3c", &o), -ENOENT); /* prefix only */
	assert_int_equal(inventory_pod_lookup(root, "", &o), -ENOENT);
	assert_int_equal(inventory_pod_lookup("/nonexistent", UID_WEB, &o), -ENOENT);
	assert_string_equal(o.pod_name, "");
}

/* --- pure helpers on synthetic figures --- */

static void add_ns(struct inventory *inv, const char *name, uint64_t ino, int64_t count,
		   uint64_t drop)
{
	struct inv_ns *ns = &inv->ns[inv->n++];

	memset(ns, 0, sizeof(*ns));
	snprintf(ns->name, sizeof(ns->name), "%s", name);
	ns->ino = ino;
	ns->pin = INV_PIN_NETNS;
	if (count >= 0) {
		ns->fig.has_count = true;
		ns->fig.count = (uint64_t)count;
		ns->fig.has_stats = true;
		ns->fig.total.present = (1u << SNAP_STAT_DROP) | (1u << SNAP_STAT_INVALID);
		ns->fig.total.v[SNAP_STAT_DROP] = drop;
	} else {
		ns->fig.err = EPERM;
		ns->fig.err_what = "setns";
	}
}

static void make_synthetic(struct inventory *inv)
{
	inv->cap = 8;
	inv->n = 0;
	inv->ns = calloc(inv->cap, sizeof(inv->ns[0]));
	assert_non_null(inv->ns);
	add_ns(inv, "b", 2, 10, 0);
	add_ns(inv, "a", 1, 300, 0);
	add_ns(inv, "bad", 3, -1, 0);
	add_ns(inv, "c", 4, 10, 7);
	add_ns(inv, "d\x1b[31m", 5, 0, 0); /* a hostile name */
	inv->ns[3].fig.has_ext = true;
	inv->ns[4].n_procs = 1; /* not a leak */
	inv->ns[4].fig.n_ov = 1;
	snprintf(inv->ns[4].fig.ov[0].knob, sizeof(inv->ns[4].fig.ov[0].knob),
		 "net.netfilter.nf_conntrack_udp_timeout");
	snprintf(inv->ns[4].fig.ov[0].value, sizeof(inv->ns[4].fig.ov[0].value), "99");
	snprintf(inv->ns[4].fig.ov[0].baseline, sizeof(inv->ns[4].fig.ov[0].baseline), "30");
}

static const struct inv_host host = {
    .max = 1000, .buckets = 64, .slab_obj_bytes = 256, .ram_bytes = 1 << 20, .is_init = true};

static void test_sort_worst_totals(void **state)
{
	static const char *const order[] = {"a", "b", "c", "d\x1b[31m", "bad"};
	struct inventory inv;
	struct inv_totals t;
	size_t idx = 99;
	uint64_t v;

	(void)state;
	make_synthetic(&inv);
	inventory_sort(&inv);
	for (size_t i = 0; i < inv.n; i++)
		if (strcmp(inv.ns[i].name, order[i]) != 0)
			fail_msg("sorted %zu: '%s', expected '%s'", i, inv.ns[i].name, order[i]);
	assert_int_equal(inventory_worst(&inv, INV_KEY_COUNT, &idx), 0);
	assert_int_equal(idx, 0);
	assert_int_equal(inventory_worst(&inv, INV_KEY_DROP, &idx), 0);
	assert_string_equal(inv.ns[idx].name, "c");
	/* invalid is present and 0 everywhere: the first wins */
	assert_int_equal(inventory_worst(&inv, INV_KEY_INVALID, &idx), 0);
	assert_int_equal(idx, 0);
	idx = 99;
	assert_int_equal(inventory_worst(&inv, INV_KEY_EARLY_DROP, &idx), -ENOENT);
	assert_int_equal(inventory_worst(&inv, INV_KEY_LIVE, &idx), -ENOENT);
	assert_int_equal(idx, 99);
	assert_int_equal(inventory_value(&inv.ns[4], INV_KEY_COUNT, &v), -ENODATA);

	inventory_totals(&inv, &host, &t);
	assert_int_equal(t.n_ns, 5);
	assert_int_equal(t.n_failed, 1);
	assert_int_equal(t.n_no_process, 4); /* every pinned one but d */
	assert_int_equal(t.n_leaks, 0);      /* each holds entries (or is unreadable) */
	assert_int_equal(t.entries, 320);
	assert_false(t.has_live);
	assert_true(t.hash_load > 9.99 && t.hash_load < 10.01); /* 2 * 320 / 64 */
	assert_int_equal(t.mem_bytes, 310 * 256 + 10 * (256 + 128));
	assert_true(t.mem_ram_ratio > 0.0793 && t.mem_ram_ratio < 0.0794);
	free(inv.ns);
}

static void test_totals_unknown(void **state)
{
	struct inventory inv = {0};
	struct inv_host h = {.max = -1, .buckets = -1};
	struct inv_totals t;

	(void)state;
	inventory_totals(&inv, &h, &t);
	assert_int_equal(t.n_ns, 0);
	assert_true(t.hash_load < 0);
	assert_true(t.mem_ram_ratio < 0);
	assert_int_equal(t.mem_bytes, 0);
	assert_false(t.has_live);
}

static char *render_to_string(int fmt, const struct inventory *inv, size_t top)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int rc;

	assert_non_null(f);
	if (fmt == 0)
		rc = inventory_render_text(f, inv, &host, top, false);
	else if (fmt == 1)
		rc = inventory_render_json(f, inv, &host);
	else
		rc = inventory_render_prom(f, inv, &host);
	assert_int_equal(rc, 0);
	fclose(f);
	return buf;
}

static void test_render(void **state)
{
	struct inventory inv;
	json_error_t jerr;
	json_t *root;
	char *s;

	(void)state;
	make_synthetic(&inv);
	inventory_sort(&inv);
	s = render_to_string(0, &inv, 2);
	assert_non_null(strstr(s, "Network namespaces: 5; pinned without a process"));
	assert_non_null(strstr(s, "3 more namespaces not shown"));
	assert_null(strstr(s, "\x1b")); /* never a raw escape */
	free(s);
	s = render_to_string(0, &inv, 0);
	assert_non_null(strstr(s, "d\\x1b[31m"));
	assert_non_null(strstr(s, "nf_conntrack_udp_timeout=99 (30)"));
	assert_non_null(strstr(s, "[setns failed: EPERM]"));
	free(s);
	s = render_to_string(1, &inv, 0);
	root = json_loads(s, 0, &jerr);
	if (root == NULL)
		fail_msg("JSON does not parse: %s: %s", jerr.text, s);
	assert_int_equal(json_array_size(json_object_get(root, "namespaces")), 5);
	assert_int_equal(
	    json_integer_value(json_object_get(json_object_get(root, "totals"), "entries")), 320);
	assert_int_equal(json_integer_value(json_object_get(
			     json_array_get(json_object_get(root, "namespaces"), 0), "count")),
			 300);
	json_decref(root);
	free(s);
	s = render_to_string(2, &inv, 0);
	assert_non_null(strstr(s, "ctadvisor_netns_conntrack_entries{netns=\"a\",inode=\"1\","
				  "pod=\"\",namespace=\"\"} 300\n"));
	assert_non_null(strstr(
	    s,
	    "\nctadvisor_netns_conntrack_stat_drop_total{netns=\"c\",inode=\"4\",pod=\"\",namespace=\"\"} 7\n"));
	assert_non_null(strstr(s, "ctadvisor_conntrack_entries_all_netns 320\n"));
	assert_null(strstr(s, "\x1b"));
	free(s);
	free(inv.ns);
}

/* A pod's namespace (found through its process only, so no pin name) next
 * to a pinned one: the pod and its Kubernetes namespace are labels of every
 * per-namespace sample, escaped (the quote), and the JSON owner says them. */
static void test_render_pod(void **state)
{
	static const char *const families[] = {
	    "ctadvisor_netns_conntrack_entries", "ctadvisor_netns_conntrack_stat_drop_total",
	    "ctadvisor_netns_pinned_without_process", "ctadvisor_netns_up"};
	struct inventory inv = {.cap = 2};
	json_t *root, *pod, *ns;
	json_error_t jerr;
	char want[512];
	char *s;

	(void)state;
	inv.ns = calloc(inv.cap, sizeof(inv.ns[0]));
	assert_non_null(inv.ns);
	add_ns(&inv, "blue", 1, 3, 0);
	add_ns(&inv, "", 6, 5, 2);
	inv.ns[1].pin = INV_PIN_NONE;
	inv.ns[1].n_procs = 2;
	inv.ns[1].pid = 4242;
	inv.ns[1].has_pod = true;
	snprintf(inv.ns[1].owner.pod_namespace, sizeof(inv.ns[1].owner.pod_namespace), "shop");
	snprintf(inv.ns[1].owner.pod_name, sizeof(inv.ns[1].owner.pod_name), "cart-7d9\"x");
	snprintf(inv.ns[1].owner.pod_uid, sizeof(inv.ns[1].owner.pod_uid), "%s", UID_WEB);
	snprintf(inv.ns[1].owner.qos, sizeof(inv.ns[1].owner.qos), "burstable");
	inventory_sort(&inv);
	assert_int_equal(inv.ns[0].ino, 6);

	s = render_to_string(2, &inv, 0);
	for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
		snprintf(want, sizeof(want),
			 "\n%s{netns=\"\",inode=\"6\",pod=\"cart-7d9\\\"x\",namespace=\"shop\"} ",
			 families[i]);
		if (strstr(s, want) == NULL)
			fail_msg("no '%s' in:\n%s", want + 1, s);
	}
	assert_non_null(strstr(s, "\nctadvisor_netns_conntrack_entries{netns=\"\",inode=\"6\","
				  "pod=\"cart-7d9\\\"x\",namespace=\"shop\"} 5\n"));
	assert_non_null(strstr(s, "\nctadvisor_netns_pinned_without_process{netns=\"\",inode=\"6\","
				  "pod=\"cart-7d9\\\"x\",namespace=\"shop\"} 0\n"));
	/* the pinned one keeps empty pod labels */
	assert_non_null(strstr(s, "\nctadvisor_netns_conntrack_entries{netns=\"blue\",inode=\"1\","
				  "pod=\"\",namespace=\"\"} 3\n"));
	free(s);

	s = render_to_string(1, &inv, 0);
	root = json_loads(s, 0, &jerr);
	if (root == NULL)
		fail_msg("JSON does not parse: %s: %s", jerr.text, s);
	ns = json_array_get(json_object_get(root, "namespaces"), 0);
	pod = json_object_get(json_object_get(ns, "owner"), "pod");
	assert_non_null(pod);
	assert_string_equal(json_string_value(json_object_get(pod, "namespace")), "shop");
	assert_string_equal(json_string_value(json_object_get(pod, "name")), "cart-7d9\"x");
	assert_string_equal(json_string_value(json_object_get(pod, "uid")), UID_WEB);
	assert_string_equal(json_string_value(json_object_get(pod, "qos")), "burstable");
	assert_int_equal(json_integer_value(json_object_get(ns, "count")), 5);
	assert_true(json_is_null(json_object_get(
	    json_object_get(json_array_get(json_object_get(root, "namespaces"), 1), "owner"),
	    "pod")));
	json_decref(root);
	free(s);

	s = render_to_string(0, &inv, 0);
	assert_non_null(strstr(s, "pod shop/cart-7d9\"x"));
	free(s);
	free(inv.ns);
}

static void test_owner_text(void **state)
{
	struct inv_ns ns;
	char buf[128];

	(void)state;
	memset(&ns, 0, sizeof(ns));
	inventory_owner_text(&ns, buf, sizeof(buf));
	assert_string_equal(buf, "-");
	snprintf(ns.name, sizeof(ns.name), "blue");
	inventory_owner_text(&ns, buf, sizeof(buf));
	assert_string_equal(buf, "netns blue");
	ns.n_comm = 2;
	ns.n_procs = 5;
	snprintf(ns.comm[0], sizeof(ns.comm[0]), "sleep");
	snprintf(ns.comm[1], sizeof(ns.comm[1]), "bash");
	inventory_owner_text(&ns, buf, sizeof(buf));
	assert_string_equal(buf, "procs: sleep, bash (5 processes)");
	ns.has_container = true;
	snprintf(ns.owner.runtime, sizeof(ns.owner.runtime), "crio");
	snprintf(ns.owner.container_id, sizeof(ns.owner.container_id), C20);
	inventory_owner_text(&ns, buf, sizeof(buf));
	assert_string_equal(buf, "container crio:fc7fe9c12d74");
	ns.has_pod = true;
	snprintf(ns.owner.pod_uid, sizeof(ns.owner.pod_uid), UID_WEB);
	inventory_owner_text(&ns, buf, sizeof(buf));
	assert_string_equal(buf, "pod uid " UID_WEB);
	snprintf(ns.owner.pod_namespace, sizeof(ns.owner.pod_namespace), "default");
	snprintf(ns.owner.pod_name, sizeof(ns.owner.pod_name), "web");
	inventory_owner_text(&ns, buf, sizeof(buf));
	assert_string_equal(buf, "pod default/web");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_cgroup),      cmocka_unit_test(test_scan_fixture),
	    cmocka_unit_test(test_scan_require_nsfs), cmocka_unit_test(test_scan_missing_root),
	    cmocka_unit_test(test_pod_lookup),        cmocka_unit_test(test_sort_worst_totals),
	    cmocka_unit_test(test_totals_unknown),    cmocka_unit_test(test_render),
	    cmocka_unit_test(test_owner_text),        cmocka_unit_test(test_render_pod),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
