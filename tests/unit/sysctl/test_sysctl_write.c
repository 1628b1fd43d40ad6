/* Unit tests: knob writes, read-back, ordering and rollback on a temporary
 * /proc/sys + /sys tree. Failures the kernel would produce are simulated
 * with real files: a knob that is a symlink to /dev/full fails its write
 * (ENOSPC), one to /dev/null accepts the write and reads back "" (a
 * read-back mismatch), a directory fails with EISDIR. (Mode 0444 does not
 * stop root, so it is not used.) */
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

#include "../../../sysctl/sysctl_write.h"
#include "../common/tmptree.h"
#include "sysctl_tree.h"

#define NF "net.netfilter."

/* Replace knob NAME (under proc/sys/net/netfilter) by a symlink to target. */
static void link_knob(struct tree *t, const char *name, const char *target)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/proc/sys/net/netfilter/%s", t->root, name);
	unlink(path);
	assert_int_equal(symlink(target, path), 0);
}

static void file_text(struct tree *t, const char *name, char *buf, size_t len)
{
	assert_int_equal(sysctl_read(&t->ctx, name, buf, len), 0);
}

static int setup(void **state)
{
	struct tree *t = tree_new("sysw");

	tmptree_put(t->root, "proc/sys/net/netfilter/nf_conntrack_max", "262144\n");
	tmptree_put(t->root, "proc/sys/net/netfilter/nf_conntrack_buckets", "262144\n");
	tmptree_put(t->root, "proc/sys/net/netfilter/nf_conntrack_acct", "0\n");
	tmptree_put(t->root, "proc/sys/net/netfilter/nf_conntrack_timestamp", "0\n");
	tmptree_put(t->root, "proc/sys/net/netfilter/nf_conntrack_log_invalid", "0\n");
	tmptree_put(t->root, "proc/sys/net/netfilter/nf_conntrack_udp_timeout", "30\n");
	tmptree_put(t->root, "proc/sys/net/netfilter/nf_log/2", "nf_log_ipv4\n");
	tmptree_put(t->root, "sys/module/nf_conntrack/parameters/hashsize", "262144\n");
	*state = t;
	return 0;
}

/* A PENDING change with a known original (no diff read needed). */
static void mk(struct sysctl_change *c, const char *name, const char *old, const char *new_value)
{
	assert_int_equal(sysctl_change_init(c, name, new_value), 0);
	snprintf(c->old_value, sizeof(c->old_value), "%s", old);
}

static void test_change_init(void **state)
{
	struct sysctl_change c;
	char long_name[SYSCTL_NAME_LEN + 8];

	(void)state;
	memset(long_name, 'a', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	assert_int_equal(sysctl_change_init(&c, NF "nf_conntrack_acct", "1"), 0);
	assert_string_equal(c.name, NF "nf_conntrack_acct");
	assert_string_equal(c.new_value, "1");
	assert_int_equal(c.state, SYSCTL_CHANGE_PENDING);
	assert_int_equal(sysctl_change_init(&c, long_name, "1"), -ENAMETOOLONG);
	assert_int_equal(sysctl_change_init(&c, NF "x", "1\n2"), -EINVAL);
	assert_string_equal(c.name, NF "nf_conntrack_acct"); /* untouched on failure */
}

static void test_value_matches(void **state)
{
	static const struct {
		const char *name, *want, *got;
		bool match;
	} cases[] = {
	    {NF "nf_conntrack_acct", "1", "1", true},
	    {NF "nf_conntrack_acct", "1", "0", false},
	    {NF "nf_conntrack_udp_timeout", "042", "42", true},
	    {NF "nf_conntrack_udp_timeout", " 30\n", "30", true},
	    {NF "nf_conntrack_max", "1000", "1024", false},
	    {NF "nf_conntrack_buckets", "1000", "1024", true},  /* 4 KiB pages */
	    {NF "nf_conntrack_buckets", "1000", "8192", true},  /* 64 KiB pages */
	    {NF "nf_conntrack_buckets", "1000", "1536", false}, /* no page size gives it */
	    {NF "nf_conntrack_buckets", "1024", "1000", false}, /* never rounded down */
	    {NF "nf_conntrack_buckets", "0", "512", false},
	    {"module.nf_conntrack.hashsize", "100000", "100352", true},
	    {NF "nf_log.2", "nf_log_ipv4", "nf_log_ipv4\n", true},
	    {NF "nf_log.2", "NONE", "nfnetlink_log", false},
	    {NF "nf_conntrack_acct", "1", "", false},
	    {NF "nf_conntrack_acct", "", "", true},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool m = sysctl_value_matches(cases[i].name, cases[i].want, cases[i].got);

		if (m != cases[i].match)
			fail_msg("case %zu: %s want '%s' got '%s': match %d", i, cases[i].name,
				 cases[i].want, cases[i].got, m);
	}
}

static void test_write_verify(void **state)
{
	struct tree *t = *state;
	char got[SYSCTL_VALUE_LEN], buf[64];

	assert_int_equal(
	    sysctl_write_verify(&t->ctx, NF "nf_conntrack_acct", "1", got, sizeof(got)), 0);
	assert_string_equal(got, "1");
	file_text(t, NF "nf_conntrack_acct", buf, sizeof(buf));
	assert_string_equal(buf, "1");
	/* A shorter value replaces a longer one exactly (no stale tail). */
	assert_int_equal(sysctl_write(&t->ctx, NF "nf_conntrack_max", "7"), 0);
	file_text(t, NF "nf_conntrack_max", buf, sizeof(buf));
	assert_string_equal(buf, "7");
	assert_int_equal(sysctl_write(&t->ctx, "module.nf_conntrack.hashsize", "1024"), 0);
	file_text(t, "module.nf_conntrack.hashsize", buf, sizeof(buf));
	assert_string_equal(buf, "1024");
}

static void test_write_errors(void **state)
{
	struct tree *t = *state;
	char got[SYSCTL_VALUE_LEN], dir[512];

	assert_int_equal(sysctl_write(&t->ctx, NF "nf_conntrack_nope", "1"), -ENOENT);
	assert_int_equal(sysctl_write(&t->ctx, "net/../../etc", "1"), -EINVAL);
	assert_int_equal(sysctl_write(&t->ctx, NF "nf_conntrack_acct", "1\n"), -EINVAL);
	snprintf(dir, sizeof(dir), "%s/proc/sys/net/netfilter/nf_conntrack_dir", t->root);
	assert_int_equal(mkdir(dir, 0755), 0);
	assert_int_equal(sysctl_write(&t->ctx, NF "nf_conntrack_dir", "1"), -EISDIR);
	link_knob(t, "nf_conntrack_full", "/dev/full");
	assert_int_equal(sysctl_write(&t->ctx, NF "nf_conntrack_full", "1"), -ENOSPC);
	/* Read-back mismatch: the write is accepted, the value does not stick. */
	link_knob(t, "nf_conntrack_null", "/dev/null");
	strcpy(got, "sentinel");
	assert_int_equal(
	    sysctl_write_verify(&t->ctx, NF "nf_conntrack_null", "5", got, sizeof(got)), -EIO);
	assert_string_equal(got, "");
}

static void test_diff(void **state)
{
	struct tree *t = *state;
	struct sysctl_change c[3];

	assert_int_equal(sysctl_change_init(&c[0], NF "nf_conntrack_acct", "1"), 0);
	assert_int_equal(sysctl_change_init(&c[1], NF "nf_conntrack_max", "262144"), 0);
	assert_int_equal(sysctl_change_init(&c[2], NF "nf_conntrack_buckets", "262000"), 0);
	assert_int_equal(sysctl_changes_diff(&t->ctx, c, 3), 0);
	assert_string_equal(c[0].old_value, "0");
	assert_int_equal(c[0].state, SYSCTL_CHANGE_PENDING);
	assert_string_equal(c[1].old_value, "262144");
	assert_int_equal(c[1].state, SYSCTL_CHANGE_UNCHANGED);
	/* 262000 rounds up to the current 262144: nothing to do. */
	assert_int_equal(c[2].state, SYSCTL_CHANGE_UNCHANGED);

	assert_int_equal(sysctl_change_init(&c[1], NF "nf_conntrack_gone", "1"), 0);
	assert_int_equal(sysctl_changes_diff(&t->ctx, c, 3), -ENOENT);
	assert_int_equal(c[1].rc, -ENOENT);
	assert_int_equal(c[1].state, SYSCTL_CHANGE_FAILED);
}

#define MAXC 8
static void test_order(void **state)
{
	static const struct {
		const char *in[MAXC][3]; /* name, old, new */
		const char *want[MAXC];
	} cases[] = {
	    /* growing: cheap knobs, then buckets, then max; nf_log first */
	    {{{NF "nf_conntrack_max", "1000", "2000"},
	      {NF "nf_conntrack_buckets", "1024", "2048"},
	      {NF "nf_conntrack_acct", "0", "1"},
	      {NF "nf_conntrack_log_invalid", "0", "255"},
	      {NF "nf_log.2", "nf_log_ipv4", "nfnetlink_log"},
	      {NF "nf_conntrack_udp_timeout", "30", "60"}},
	     {NF "nf_log.2", NF "nf_conntrack_acct", NF "nf_conntrack_log_invalid",
	      NF "nf_conntrack_udp_timeout", NF "nf_conntrack_buckets", NF "nf_conntrack_max"}},
	    /* shrinking: max before buckets */
	    {{{NF "nf_conntrack_buckets", "2048", "1024"},
	      {NF "nf_conntrack_max", "2000", "1000"},
	      {NF "nf_conntrack_acct", "0", "1"}},
	     {NF "nf_conntrack_acct", NF "nf_conntrack_max", NF "nf_conntrack_buckets"}},
	    /* max decides the direction even when buckets disagree */
	    {{{NF "nf_conntrack_max", "1000", "0"},
	      {"module.nf_conntrack.hashsize", "2048", "1024"}},
	     {"module.nf_conntrack.hashsize", NF "nf_conntrack_max"}},
	    /* no max: the hash size direction */
	    {{{NF "nf_conntrack_buckets", "2048", "1024"}, {NF "nf_conntrack_timestamp", "0", "1"}},
	     {NF "nf_conntrack_timestamp", NF "nf_conntrack_buckets"}},
	    /* stable among equals */
	    {{{NF "nf_conntrack_udp_timeout", "30", "60"}, {NF "nf_conntrack_acct", "0", "1"}},
	     {NF "nf_conntrack_udp_timeout", NF "nf_conntrack_acct"}},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sysctl_change c[MAXC];
		size_t n = 0;

		while (n < MAXC && cases[i].in[n][0] != NULL) {
			mk(&c[n], cases[i].in[n][0], cases[i].in[n][1], cases[i].in[n][2]);
			n++;
		}
		sysctl_changes_order(c, n);
		for (size_t j = 0; j < n; j++)
			if (strcmp(c[j].name, cases[i].want[j]) != 0)
				fail_msg("case %zu pos %zu: got %s want %s", i, j, c[j].name,
					 cases[i].want[j]);
	}
}

static void test_apply_and_idempotent(void **state)
{
	struct tree *t = *state;
	struct sysctl_change c[4];
	char buf[64];

	assert_int_equal(sysctl_change_init(&c[0], NF "nf_conntrack_max", "524288"), 0);
	assert_int_equal(sysctl_change_init(&c[1], NF "nf_conntrack_buckets", "524288"), 0);
	assert_int_equal(sysctl_change_init(&c[2], NF "nf_conntrack_acct", "1"), 0);
	assert_int_equal(sysctl_change_init(&c[3], NF "nf_conntrack_udp_timeout", "30"), 0);
	assert_int_equal(sysctl_changes_diff(&t->ctx, c, 4), 0);
	assert_int_equal(sysctl_apply(&t->ctx, c, 4), 0);
	/* reordered: acct, udp_timeout, buckets, max */
	assert_string_equal(c[0].name, NF "nf_conntrack_acct");
	assert_string_equal(c[3].name, NF "nf_conntrack_max");
	assert_int_equal(c[0].state, SYSCTL_CHANGE_APPLIED);
	assert_int_equal(c[1].state, SYSCTL_CHANGE_UNCHANGED);
	assert_int_equal(c[2].state, SYSCTL_CHANGE_APPLIED);
	assert_int_equal(c[3].state, SYSCTL_CHANGE_APPLIED);
	file_text(t, NF "nf_conntrack_max", buf, sizeof(buf));
	assert_string_equal(buf, "524288");
	file_text(t, NF "nf_conntrack_buckets", buf, sizeof(buf));
	assert_string_equal(buf, "524288");

	/* Second run: nothing left to do. */
	for (size_t i = 0; i < 4; i++)
		c[i].state = SYSCTL_CHANGE_PENDING;
	assert_int_equal(sysctl_changes_diff(&t->ctx, c, 4), 0);
	for (size_t i = 0; i < 4; i++)
		if (c[i].state != SYSCTL_CHANGE_UNCHANGED)
			fail_msg("change %zu (%s) not unchanged on second run", i, c[i].name);
	assert_int_equal(sysctl_apply(&t->ctx, c, 4), 0);
}

/* A write failing half-way: everything before it is restored, nothing
 * after it is attempted. */
static void test_apply_write_fails_half_way(void **state)
{
	struct tree *t = *state;
	struct sysctl_change c[5];
	char buf[64];

	link_knob(t, "nf_conntrack_max", "/dev/full");
	mk(&c[0], NF "nf_conntrack_max", "262144", "524288");
	mk(&c[1], NF "nf_conntrack_buckets", "262144", "524288");
	mk(&c[2], NF "nf_conntrack_acct", "0", "1");
	mk(&c[3], NF "nf_conntrack_timestamp", "0", "1");
	mk(&c[4], NF "nf_log.2", "nf_log_ipv4", "nfnetlink_log");
	assert_int_equal(sysctl_apply(&t->ctx, c, 5), -ENOSPC);
	/* order: nf_log.2, acct, timestamp, buckets, max(fails) */
	assert_string_equal(c[4].name, NF "nf_conntrack_max");
	assert_int_equal(c[4].state, SYSCTL_CHANGE_FAILED);
	assert_int_equal(c[4].rc, -ENOSPC);
	assert_false(c[4].is_written);
	for (size_t i = 0; i < 4; i++)
		if (c[i].state != SYSCTL_CHANGE_ROLLED_BACK || c[i].is_written)
			fail_msg("change %zu (%s) state %d", i, c[i].name, c[i].state);
	file_text(t, NF "nf_conntrack_buckets", buf, sizeof(buf));
	assert_string_equal(buf, "262144");
	file_text(t, NF "nf_conntrack_acct", buf, sizeof(buf));
	assert_string_equal(buf, "0");
	file_text(t, NF "nf_conntrack_timestamp", buf, sizeof(buf));
	assert_string_equal(buf, "0");
	file_text(t, NF "nf_log.2", buf, sizeof(buf));
	assert_string_equal(buf, "nf_log_ipv4");
}

/* A read-back mismatch in the middle: earlier changes restored, the failing
 * knob's own restore cannot be verified either and says so, later ones are
 * never written. */
static void test_apply_readback_mismatch(void **state)
{
	struct tree *t = *state;
	struct sysctl_change c[4];
	char buf[64];

	link_knob(t, "nf_conntrack_udp_timeout", "/dev/null");
	mk(&c[0], NF "nf_conntrack_max", "262144", "524288");
	mk(&c[1], NF "nf_conntrack_acct", "0", "1");
	mk(&c[2], NF "nf_conntrack_udp_timeout", "30", "60");
	mk(&c[3], NF "nf_log.2", "nf_log_ipv4", "nfnetlink_log");
	assert_int_equal(sysctl_apply(&t->ctx, c, 4), -EIO);
	assert_string_equal(c[0].name, NF "nf_log.2");
	assert_int_equal(c[0].state, SYSCTL_CHANGE_ROLLED_BACK);
	assert_int_equal(c[1].state, SYSCTL_CHANGE_ROLLED_BACK);
	assert_string_equal(c[2].name, NF "nf_conntrack_udp_timeout");
	assert_int_equal(c[2].state, SYSCTL_CHANGE_ROLLBACK_FAILED);
	assert_int_equal(c[2].rc, -EIO);
	assert_true(c[2].is_written);
	assert_int_equal(c[3].state, SYSCTL_CHANGE_PENDING);
	file_text(t, NF "nf_conntrack_max", buf, sizeof(buf));
	assert_string_equal(buf, "262144");
	file_text(t, NF "nf_conntrack_acct", buf, sizeof(buf));
	assert_string_equal(buf, "0");
}

/* A rollback that fails on one knob still restores the others. */
static void test_rollback_continues(void **state)
{
	struct tree *t = *state;
	struct sysctl_change c[3];
	char buf[64], dir[512];

	mk(&c[0], NF "nf_conntrack_acct", "0", "1");
	mk(&c[1], NF "nf_conntrack_timestamp", "0", "1");
	mk(&c[2], NF "nf_conntrack_udp_timeout", "30", "60");
	assert_int_equal(sysctl_apply(&t->ctx, c, 3), 0);
	snprintf(dir, sizeof(dir), "%s/proc/sys/net/netfilter/nf_conntrack_timestamp", t->root);
	assert_int_equal(unlink(dir), 0);
	assert_int_equal(mkdir(dir, 0755), 0);
	assert_int_equal(sysctl_rollback(&t->ctx, c, 3), -EISDIR);
	assert_int_equal(c[0].state, SYSCTL_CHANGE_ROLLED_BACK);
	assert_int_equal(c[1].state, SYSCTL_CHANGE_ROLLBACK_FAILED);
	assert_int_equal(c[1].rc, -EISDIR);
	assert_int_equal(c[2].state, SYSCTL_CHANGE_ROLLED_BACK);
	file_text(t, NF "nf_conntrack_acct", buf, sizeof(buf));
	assert_string_equal(buf, "0");
	file_text(t, NF "nf_conntrack_udp_timeout", buf, sizeof(buf));
	assert_string_equal(buf, "30");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_change_init),
	    cmocka_unit_test(test_value_matches),
	    cmocka_unit_test(test_order),
	    cmocka_unit_test_setup_teardown(test_write_verify, setup, tree_teardown),
	    cmocka_unit_test_setup_teardown(test_write_errors, setup, tree_teardown),
	    cmocka_unit_test_setup_teardown(test_diff, setup, tree_teardown),
	    cmocka_unit_test_setup_teardown(test_apply_and_idempotent, setup, tree_teardown),
	    cmocka_unit_test_setup_teardown(test_apply_write_fails_half_way, setup, tree_teardown),
	    cmocka_unit_test_setup_teardown(test_apply_readback_mismatch, setup, tree_teardown),
	    cmocka_unit_test_setup_teardown(test_rollback_continues, setup, tree_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
