/* test_owners.c: the scans for other writers of the table-size knobs, run
 * on the fixture tree tests/fixtures/owners (root/ for files, proc/ for
 * processes): which lines count, masking by same-named files, symlinked
 * files and a merged /lib reported once, inactive tuned profiles, the
 * kernel command line, daemons found by comm or by a script's name, and
 * the fixed capacity. Fixtures are found under $CTADVISOR_SRCDIR or ".". */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../../collect/owners_kube.h"
#include "../../../collect/owners_scan.h"
#include "../common/tmptree.h"

struct want {
	enum owners_kind kind;
	const char *source;
	unsigned line;
	const char *key, *value;
	bool is_shadowed;
};

static void fixture(char *buf, size_t len, const char *sub)
{
	const char *dir = getenv("CTADVISOR_SRCDIR");

	snprintf(buf, len, "%s/tests/fixtures/owners/%s", dir ? dir : ".", sub);
}

static void expect_items(const struct owners_report *r, const struct want *w, size_t n)
{
	for (size_t i = 0; i < n && i < r->n; i++) {
		const struct owners_item *it = &r->items[i];

		if (it->kind != w[i].kind || strcmp(it->source, w[i].source) != 0 ||
		    it->line != w[i].line || strcmp(it->key, w[i].key) != 0 ||
		    strcmp(it->value, w[i].value) != 0 || it->is_shadowed != w[i].is_shadowed)
			fail_msg(
			    "item %zu: got %s %s:%u '%s' = '%s' shadowed %d; want %s %s:%u '%s' "
			    "= '%s' shadowed %d",
			    i, owners_kind_name(it->kind), it->source, it->line, it->key, it->value,
			    it->is_shadowed, owners_kind_name(w[i].kind), w[i].source, w[i].line,
			    w[i].key, w[i].value, w[i].is_shadowed);
	}
	if (r->n != n)
		fail_msg("%zu items, want %zu", r->n, n);
}

static void test_sysctl(void **state)
{
	static const struct want w[] = {
	    {OWNERS_SYSCTL_FILE, "/etc/sysctl.d/10-k8s.conf", 3, "net.netfilter.nf_conntrack_max",
	     "1000000", false},
	    {OWNERS_SYSCTL_FILE, "/etc/sysctl.d/10-k8s.conf", 4,
	     "-net/netfilter/nf_conntrack_buckets", "250000", false},
	    /* a symlink to /etc/sysctl.conf: reported here, not again below */
	    {OWNERS_SYSCTL_FILE, "/etc/sysctl.d/99-sysctl.conf", 2, "net.nf_conntrack_max",
	     "524288", false},
	    /* masked by /etc/sysctl.d/10-k8s.conf; /lib -> /usr/lib not repeated */
	    {OWNERS_SYSCTL_FILE, "/usr/lib/sysctl.d/10-k8s.conf", 1,
	     "net.netfilter.nf_conntrack_max", "131072", true},
	};
	struct owners_report r;
	char root[4096];

	(void)state;
	fixture(root, sizeof(root), "root");
	owners_init(&r);
	assert_int_equal(owners_scan_sysctl(root, &r), 0);
	expect_items(&r, w, sizeof(w) / sizeof(w[0]));
	assert_int_equal(r.n_dropped, 0);
}

static void test_modprobe(void **state)
{
	static const struct want w[] = {
	    {OWNERS_MODPROBE, "/etc/modprobe.d/nf.conf", 2, "options nf_conntrack hashsize",
	     "262144", false},
	    {OWNERS_MODPROBE, "/usr/lib/modprobe.d/nf.conf", 1, "options nf_conntrack hashsize",
	     "16384", true},
	};
	struct owners_report r;
	char root[4096];

	(void)state;
	fixture(root, sizeof(root), "root");
	owners_init(&r);
	assert_int_equal(owners_scan_modprobe(root, &r), 0);
	expect_items(&r, w, sizeof(w) / sizeof(w[0]));
}

static void test_tuned(void **state)
{
	static const struct want w[] = {
	    {OWNERS_TUNED, "/usr/lib/tuned/atomic-host/tuned.conf", 2, "nf_conntrack_hashsize",
	     "131072", true},
	    {OWNERS_TUNED, "/usr/lib/tuned/openshift-node/tuned.conf", 5, "nf_conntrack_hashsize",
	     "1048576", false},
	    {OWNERS_TUNED, "/usr/lib/tuned/openshift-node/tuned.conf", 8,
	     "net.netfilter.nf_conntrack_max", "1048576", false},
	};
	struct owners_report r;
	char root[4096];

	(void)state;
	fixture(root, sizeof(root), "root");
	owners_init(&r);
	assert_int_equal(owners_scan_tuned(root, &r), 0);
	expect_items(&r, w, sizeof(w) / sizeof(w[0]));
}

static void test_procs(void **state)
{
	static const struct want w[] = {
	    {OWNERS_CMDLINE, "/proc/cmdline", 1, "nf_conntrack.hashsize", "65536", false},
	    {OWNERS_PROCESS, "pid 100", 0, "kube-proxy", "--conntrack-max-per-core=0", false},
	    {OWNERS_PROCESS, "pid 200", 0, "tuned", "", false}, /* found by its script */
	    {OWNERS_PROCESS, "pid 300", 0, "calico-node", "", false},
	    /* pid 400 is bash with "kube-proxy" as an argument: not a daemon;
	     * pid 500 has no comm (exited): skipped */
	};
	struct owners_report r;
	char proc[4096];

	(void)state;
	fixture(proc, sizeof(proc), "proc");
	owners_init(&r);
	assert_int_equal(owners_scan_procs(proc, &r), 0);
	expect_items(&r, w, sizeof(w) / sizeof(w[0]));
}

static void test_all_and_missing(void **state)
{
	struct owners_report r;
	char root[4096], proc[4096];

	(void)state;
	fixture(root, sizeof(root), "root");
	fixture(proc, sizeof(proc), "proc");
	owners_init(&r);
	assert_int_equal(owners_scan_all(root, proc, &r), 0);
	assert_int_equal(r.n, 4 + 2 + 3 + 4);
	fixture(root, sizeof(root), "no-such-dir");
	owners_init(&r);
	assert_int_equal(owners_scan_all(root, root, &r), 0);
	assert_int_equal(r.n, 0);
}

/* More matches than the report holds: the rest are counted, not lost. */
static void test_capacity(void **state)
{
	char dir[64], path[4096];
	struct owners_report r;
	FILE *f;

	(void)state;
	tmptree_make(dir, sizeof(dir), "owners");
	snprintf(path, sizeof(path), "%s/etc", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/etc/sysctl.conf", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	for (int i = 0; i < OWNERS_MAX + 8; i++)
		fprintf(f, "net.netfilter.nf_conntrack_max = %d\n", 1000 + i);
	assert_int_equal(fclose(f), 0);
	owners_init(&r);
	assert_int_equal(owners_scan_sysctl(dir, &r), 0);
	assert_int_equal(r.n, OWNERS_MAX);
	assert_int_equal(r.n_dropped, 8);
	assert_string_equal(r.items[OWNERS_MAX - 1].value, "1031");
	assert_int_equal(r.items[OWNERS_MAX - 1].line, OWNERS_MAX);
	tmptree_remove(dir);
}

/* owners_scan_knobs() on tests/fixtures/owners/apply: every knob apply
 * changes, by any spelling, in every place; the kernel command line only
 * for the size; kube-proxy only for what it writes; tuned only when an
 * active profile sets one of them. */
static void test_knobs(void **state)
{
	static const struct want w[] = {
	    {OWNERS_SYSCTL_FILE, "/etc/sysctl.d/10-early.conf", 2,
	     "net.netfilter.nf_conntrack_acct", "0", false},
	    {OWNERS_SYSCTL_FILE, "/etc/sysctl.d/90-ctadvisor.conf", 2,
	     "net.netfilter.nf_conntrack_acct", "1", false},
	    {OWNERS_SYSCTL_FILE, "/etc/sysctl.d/95-late.conf", 1, "net.nf_conntrack_max", "65536",
	     false},
	    {OWNERS_SYSCTL_FILE, "/etc/sysctl.d/95-late.conf", 2,
	     "-net/netfilter/nf_conntrack_timestamp", "0", false},
	    {OWNERS_SYSCTL_FILE, "/etc/sysctl.d/95-late.conf", 3,
	     "net.netfilter.nf_conntrack_tcp_timeout_established", "7200", false},
	    {OWNERS_SYSCTL_FILE, "/run/sysctl.d/99-run.conf", 1,
	     "net.netfilter.nf_conntrack_buckets", "16384", false},
	    {OWNERS_SYSCTL_FILE, "/usr/lib/sysctl.d/50-default.conf", 1,
	     "net.netfilter.nf_conntrack_max", "262144", false},
	    {OWNERS_SYSCTL_FILE, "/usr/lib/sysctl.d/95-late.conf", 1,
	     "net.netfilter.nf_conntrack_max", "1", true},
	    {OWNERS_SYSCTL_FILE, "/etc/sysctl.conf", 2, "net.netfilter.nf_conntrack_timestamp", "0",
	     false},
	    {OWNERS_MODPROBE, "/etc/modprobe.d/ctadvisor-nf_conntrack.conf", 1,
	     "options nf_conntrack hashsize", "131072", false},
	    {OWNERS_MODPROBE, "/etc/modprobe.d/other.conf", 1, "options nf_conntrack hashsize",
	     "4096", false},
	    {OWNERS_TUNED, "/etc/tuned/custom/tuned.conf", 2,
	     "net.netfilter.nf_conntrack_tcp_timeout_established", "3600", false},
	    {OWNERS_TUNED, "/usr/lib/tuned/other/tuned.conf", 2, "net.netfilter.nf_conntrack_acct",
	     "0", true},
	    {OWNERS_CMDLINE, "/proc/cmdline", 1, "nf_conntrack.hashsize", "32768", false},
	    {OWNERS_PROCESS, "pid 10", 0, "kube-proxy", "--conntrack-tcp-timeout-established=24h",
	     false},
	    {OWNERS_PROCESS, "pid 20", 0, "calico-felix", "", false},
	    {OWNERS_PROCESS, "pid 30", 0, "tuned", "", false},
	};
	static const struct want acct_only[] = {
	    {OWNERS_SYSCTL_FILE, "/etc/sysctl.d/10-early.conf", 2,
	     "net.netfilter.nf_conntrack_acct", "0", false},
	    {OWNERS_SYSCTL_FILE, "/etc/sysctl.d/90-ctadvisor.conf", 2,
	     "net.netfilter.nf_conntrack_acct", "1", false},
	    {OWNERS_TUNED, "/usr/lib/tuned/other/tuned.conf", 2, "net.netfilter.nf_conntrack_acct",
	     "0", true},
	    {OWNERS_PROCESS, "pid 20", 0, "calico-felix", "", false},
	};
	static const char *const knobs[] = {
	    "net.netfilter.nf_conntrack_acct", "net.netfilter.nf_conntrack_timestamp",
	    "net.netfilter.nf_conntrack_max", "module.nf_conntrack.hashsize",
	    "net.netfilter.nf_conntrack_tcp_timeout_established"};
	struct owners_report r;
	char root[4096], proc[4096], k[OWNERS_KEY_LEN];

	(void)state;
	fixture(root, sizeof(root), "apply/root");
	fixture(proc, sizeof(proc), "apply/root/proc");
	owners_init(&r);
	assert_int_equal(owners_scan_knobs(root, proc, knobs, 5, &r), 0);
	expect_items(&r, w, sizeof(w) / sizeof(w[0]));
	/* canonical names: the old alias, the slash form, buckets = hashsize */
	owners_item_knob(&r.items[2], k, sizeof(k));
	assert_string_equal(k, "net.netfilter.nf_conntrack_max");
	owners_item_knob(&r.items[3], k, sizeof(k));
	assert_string_equal(k, "net.netfilter.nf_conntrack_timestamp");
	assert_true(owners_item_sets(&r.items[5], "module.nf_conntrack.hashsize"));
	assert_true(owners_item_sets(&r.items[10], "net.netfilter.nf_conntrack_buckets"));
	assert_false(owners_item_sets(&r.items[10], "net.netfilter.nf_conntrack_max"));
	assert_false(owners_item_sets(&r.items[14], "net.netfilter.nf_conntrack_max"));

	owners_init(&r);
	assert_int_equal(owners_scan_knobs(root, proc, knobs, 1, &r), 0);
	expect_items(&r, acct_only, sizeof(acct_only) / sizeof(acct_only[0]));
}

/* kube-proxy's values: pid 100 runs with --config, so its flags
 * (--conntrack-max-per-core=0) are ignored and the file it sees under
 * PID/root gives maxPerCore 65536 and a null min (its default). */
static void test_kube_config(void **state)
{
	struct owners_report r;
	char proc[4096];
	const struct owners_kube *k = NULL;

	(void)state;
	fixture(proc, sizeof(proc), "proc");
	owners_init(&r);
	assert_int_equal(owners_scan_procs(proc, &r), 0);
	for (size_t i = 0; i < r.n; i++)
		if (strcmp(r.items[i].key, "kube-proxy") == 0)
			k = &r.items[i].kube;
	assert_non_null(k);
	assert_int_equal(k->from, OWNERS_KUBE_CONFIG);
	assert_string_equal(k->config, "/var/lib/kube-proxy/config.conf");
	assert_int_equal(k->max_per_core, 65536);
	assert_int_equal(k->min, -1);
}

/* The command line: "--flag=V" and "--flag V", the last one wins, Go's
 * base prefixes; a negative or non-number value is not taken; a --config
 * file that cannot be read leaves the values unknown. */
static void test_kube_flags(void **state)
{
	static const char argv1[] = "kube-proxy\0--conntrack-max-per-core\0001048576\0"
				    "--conntrack-min=0x30000\0--v=2";
	static const char argv2[] = "kube-proxy\0--conntrack-max-per-core=0\0"
				    "--conntrack-max-per-core=7\0--conntrack-min=-5";
	static const char argv3[] = "kube-proxy\0--config\0/nonexistent.yaml\0"
				    "--conntrack-max-per-core=9";
	struct owners_kube k;
	char proc[4096];

	(void)state;
	fixture(proc, sizeof(proc), "proc");
	assert_int_equal(owners_kube_read(proc, "100", argv1, sizeof(argv1), &k), 0);
	assert_int_equal(k.from, OWNERS_KUBE_FLAGS);
	assert_int_equal(k.max_per_core, 1048576);
	assert_int_equal(k.min, 0x30000);
	assert_int_equal(owners_kube_read(proc, "100", argv2, sizeof(argv2), &k), 0);
	assert_int_equal(k.max_per_core, 7);
	assert_int_equal(k.min, -1);
	assert_int_equal(owners_kube_read(proc, "100", argv3, sizeof(argv3), &k), 0);
	assert_int_equal(k.from, OWNERS_KUBE_CONFIG_UNREAD);
	assert_int_equal(k.max_per_core, -1);
}

/* Only the top-level conntrack block counts, at its own indentation;
 * quotes and comments are stripped, null is absent. */
static void test_kube_yaml(void **state)
{
	static const struct {
		const char *text;
		int64_t per_core, min;
	} t[] = {
	    {"conntrack:\n  maxPerCore: 0\n  min: 131072\n", 0, 131072},
	    {"conntrack:\n    maxPerCore: \"40000\"\n    min: ~\n", 40000, -1},
	    {"ipvs:\n  maxPerCore: 5\nconntrack:\n  min: 7\n", -1, 7},
	    {"conntrack:\n  nested:\n    maxPerCore: 5\n  min: 9\nmode: x\n  maxPerCore: 3\n", -1,
	     9},
	    {"conntrack: {}\nmaxPerCore: 4\n", -1, -1},
	    {"# conntrack:\n#  maxPerCore: 0\n", -1, -1},
	    {"conntrack:\r\n  maxPerCore: 12\r\n", 12, -1},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct owners_kube k = {0};

		owners_kube_parse_config(t[i].text, &k);
		if (k.max_per_core != t[i].per_core || k.min != t[i].min)
			fail_msg("case %zu: maxPerCore %lld min %lld, want %lld %lld", i,
				 (long long)k.max_per_core, (long long)k.min,
				 (long long)t[i].per_core, (long long)t[i].min);
	}
}

static void test_kind_names(void **state)
{
	(void)state;
	assert_string_equal(owners_kind_name(OWNERS_SYSCTL_FILE), "sysctl.d");
	assert_string_equal(owners_kind_name(OWNERS_MODPROBE), "modprobe.d");
	assert_string_equal(owners_kind_name(OWNERS_CMDLINE), "kernel cmdline");
	assert_string_equal(owners_kind_name(OWNERS_PROCESS), "process");
	assert_string_equal(owners_kind_name(OWNERS_TUNED), "tuned");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sysctl),          cmocka_unit_test(test_modprobe),
	    cmocka_unit_test(test_tuned),           cmocka_unit_test(test_procs),
	    cmocka_unit_test(test_all_and_missing), cmocka_unit_test(test_capacity),
	    cmocka_unit_test(test_knobs),           cmocka_unit_test(test_kind_names),
	    cmocka_unit_test(test_kube_config),     cmocka_unit_test(test_kube_flags),
	    cmocka_unit_test(test_kube_yaml),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
