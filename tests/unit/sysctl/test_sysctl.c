/* Unit tests: sysctl reading on a temporary /proc/sys + /sys tree. */
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

#include "../../../sysctl/sysctl.h"
#include "../common/tmptree.h"
#include "sysctl_tree.h"

static int setup(void **state)
{
	struct tree *t = tree_new("sysctl");

	tmptree_put_mode(t->root, "proc/sys/net/netfilter/nf_conntrack_max", "262144\n", 0644);
	tmptree_put_mode(t->root, "proc/sys/net/netfilter/nf_conntrack_count", "17\n", 0444);
	tmptree_put_mode(t->root, "proc/sys/net/netfilter/nf_conntrack_acct", "0\n", 0644);
	tmptree_put_mode(t->root, "proc/sys/net/netfilter/nf_conntrack_bogus", "12abc\n", 0644);
	tmptree_put_mode(t->root, "proc/sys/net/netfilter/nf_conntrack_huge",
			 "99999999999999999999\n", 0644);
	tmptree_put_mode(t->root, "proc/sys/net/netfilter/nf_log/2", "nf_log_ipv4\n", 0644);
	tmptree_put_mode(t->root, "proc/sys/net/netfilter/nf_log/10", "NONE\n", 0644);
	tmptree_put_mode(t->root, "proc/sys/net/netfilter/nf_hooks_lwtunnel", "0\n", 0644);
	tmptree_put_mode(t->root, "sys/module/nf_conntrack/parameters/hashsize", "262144\n", 0600);
	*state = t;
	return 0;
}

static void test_paths(void **state)
{
	struct tree *t = *state;
	char path[SYSCTL_PATH_LEN], want[SYSCTL_PATH_LEN];

	assert_int_equal(sysctl_knob_path(&t->ctx, "net.netfilter.nf_log.2", path, sizeof(path)),
			 0);
	snprintf(want, sizeof(want), "%s/proc/sys/net/netfilter/nf_log/2", t->root);
	assert_string_equal(path, want);
	assert_int_equal(
	    sysctl_knob_path(&t->ctx, "module.nf_conntrack.hashsize", path, sizeof(path)), 0);
	snprintf(want, sizeof(want), "%s/sys/module/nf_conntrack/parameters/hashsize", t->root);
	assert_string_equal(path, want);
	assert_int_equal(sysctl_knob_path(&t->ctx, "net/../../etc", path, sizeof(path)), -EINVAL);
	assert_int_equal(sysctl_knob_path(&t->ctx, "module.x", path, sizeof(path)), -EINVAL);
	assert_int_equal(sysctl_knob_path(&t->ctx, "", path, sizeof(path)), -EINVAL);
	assert_int_equal(sysctl_knob_path(&t->ctx, "net.a", path, 8), -ENAMETOOLONG);
}

static void test_read(void **state)
{
	struct tree *t = *state;
	char buf[64], tiny[3];
	int64_t v = -7;

	assert_int_equal(sysctl_read(&t->ctx, "net.netfilter.nf_log.2", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "nf_log_ipv4");
	assert_int_equal(sysctl_read_i64(&t->ctx, "net.netfilter.nf_conntrack_max", &v), 0);
	assert_int_equal(v, 262144);
	assert_int_equal(sysctl_read_i64(&t->ctx, "module.nf_conntrack.hashsize", &v), 0);
	assert_int_equal(v, 262144);
	v = -7;
	assert_int_equal(sysctl_read_i64(&t->ctx, "net.netfilter.nf_conntrack_nope", &v), -ENOENT);
	assert_int_equal(sysctl_read_i64(&t->ctx, "net.netfilter.nf_conntrack_bogus", &v), -EINVAL);
	assert_int_equal(sysctl_read_i64(&t->ctx, "net.netfilter.nf_conntrack_huge", &v), -ERANGE);
	assert_int_equal(v, -7); /* never written on failure */
	assert_int_equal(sysctl_read(&t->ctx, "net.netfilter.nf_conntrack_max", tiny, sizeof(tiny)),
			 -EOVERFLOW);
}

static void test_parse_table(void **state)
{
	static const struct {
		const char *in;
		int rc;
		int64_t v;
	} cases[] = {
	    {"0", 0, 0},
	    {"262144\n", 0, 262144},
	    {"  42 \n", 0, 42},
	    {"9223372036854775807", 0, INT64_MAX},
	    {"9223372036854775808", -ERANGE, 0},
	    {"", -EINVAL, 0},
	    {"\n", -EINVAL, 0},
	    {"-1", -EINVAL, 0},
	    {"1 2", -EINVAL, 0},
	    {"0x10", -EINVAL, 0},
	    {"12\n\n", -EINVAL, 0},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t v = -99;
		int rc = sysctl_parse_i64(cases[i].in, strlen(cases[i].in), &v);

		if (rc != cases[i].rc || (rc == 0 && v != cases[i].v))
			fail_msg("case %zu '%s': rc %d v %lld", i, cases[i].in, rc, (long long)v);
	}
	/* Not NUL-terminated: only len bytes count. */
	int64_t v;
	assert_int_equal(sysctl_parse_i64("123456", 3, &v), 0);
	assert_int_equal(v, 123);
}

static void test_writable_and_global(void **state)
{
	struct tree *t = *state;

	/* Root passes access() on any file, so the mode bits must decide. */
	assert_false(sysctl_is_writable(&t->ctx, "net.netfilter.nf_conntrack_count"));
	assert_true(sysctl_is_writable(&t->ctx, "net.netfilter.nf_conntrack_max"));
	assert_false(sysctl_is_writable(&t->ctx, "net.netfilter.nf_conntrack_nope"));
	assert_true(sysctl_is_global("net.netfilter.nf_conntrack_max"));
	assert_true(sysctl_is_global("net.netfilter.nf_conntrack_buckets"));
	assert_true(sysctl_is_global("net.netfilter.nf_conntrack_expect_max"));
	assert_true(sysctl_is_global("module.nf_conntrack.hashsize"));
	assert_false(sysctl_is_global("net.netfilter.nf_conntrack_acct"));
}

static int collect_name(const char *name, void *arg)
{
	char *out = arg;

	strcat(out, name);
	strcat(out, ";");
	return strstr(name, "stop-here") ? 7 : 0;
}

static void test_foreach(void **state)
{
	struct tree *t = *state;
	char names[2048] = "";
	struct sysctl_ctx missing;

	assert_int_equal(sysctl_foreach_conntrack(&t->ctx, collect_name, names), 0);
	assert_string_equal(names, "net.netfilter.nf_conntrack_acct;"
				   "net.netfilter.nf_conntrack_bogus;"
				   "net.netfilter.nf_conntrack_count;"
				   "net.netfilter.nf_conntrack_huge;"
				   "net.netfilter.nf_conntrack_max;"
				   "net.netfilter.nf_log.2;net.netfilter.nf_log.10;"
				   "module.nf_conntrack.hashsize;");
	assert_int_equal(sysctl_ctx_init(&missing, "/nonexistent-ctadvisor"), 0);
	assert_int_equal(sysctl_foreach_conntrack(&missing, collect_name, names), -ENOENT);
	tmptree_put_mode(t->root, "proc/sys/net/netfilter/nf_conntrack_stop-here", "1\n", 0644);
	names[0] = '\0';
	assert_int_equal(sysctl_foreach_conntrack(&t->ctx, collect_name, names), 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_paths, setup, tree_teardown),
	    cmocka_unit_test_setup_teardown(test_read, setup, tree_teardown),
	    cmocka_unit_test(test_parse_table),
	    cmocka_unit_test_setup_teardown(test_writable_and_global, setup, tree_teardown),
	    cmocka_unit_test_setup_teardown(test_foreach, setup, tree_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
