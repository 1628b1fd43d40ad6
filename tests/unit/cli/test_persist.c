/* Unit tests: atomic sysctl.d / modprobe.d files in a temporary directory,
 * and a write on a full filesystem (a 16 KiB tmpfs mounted by the test when
 * it may mount; skipped otherwise). */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../../cli/apply_persist.h"
#include "../../../sysctl/persist.h"
#include "../common/tmptree.h"

#define NF "net.netfilter."

static const char sysctl_header[] =
    "# Written by ctadvisor apply --persist. Applied at boot by systemd-sysctl\n"
    "# or sysctl --system; a file sorting later overrides these values.\n";
static const char modprobe_header[] =
    "# Written by ctadvisor apply --persist. Used when nf_conntrack is loaded;\n"
    "# the hash size cannot come from sysctl.d, which runs before the module loads.\n";

static int setup(void **state)
{
	char *dir = malloc(64);

	assert_non_null(dir);
	tmptree_make(dir, 64, "persist");
	*state = dir;
	return 0;
}

static int teardown(void **state)
{
	/* A failed assertion may leave the tmpfs of test_full_filesystem. */
	umount2(*state, MNT_DETACH);
	tmptree_remove(*state);
	free(*state);
	return 0;
}

static void slurp(const char *dir, const char *name, char *buf, size_t len)
{
	char path[512];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
}

static unsigned int mode_of(const char *dir, const char *name)
{
	char path[512];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(stat(path, &st), 0);
	return st.st_mode & 07777;
}

/* Number of directory entries other than . and ..: catches a temp left. */
static size_t entries(const char *dir)
{
	struct dirent *de;
	size_t n = 0;
	DIR *d = opendir(dir);

	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static void mk(struct sysctl_change *c, const char *name, const char *value)
{
	assert_int_equal(sysctl_change_init(c, name, value), 0);
}

static void test_sysctl_dropin(void **state)
{
	const char *dir = *state;
	struct sysctl_change c[2];
	char path[512], want[1024], got[1024];

	mk(&c[0], NF "nf_conntrack_acct", "1");
	mk(&c[1], NF "nf_conntrack_max", "524288");
	assert_int_equal(persist_sysctl(dir, 90, c, 2, path, sizeof(path)), 0);
	snprintf(want, sizeof(want), "%s/90-ctadvisor.conf", dir);
	assert_string_equal(path, want);
	slurp(dir, "90-ctadvisor.conf", got, sizeof(got));
	snprintf(want, sizeof(want),
		 "%s" NF "nf_conntrack_acct = 1\n" NF "nf_conntrack_max = 524288\n", sysctl_header);
	assert_string_equal(got, want);
	assert_int_equal(mode_of(dir, "90-ctadvisor.conf"), 0644);
	assert_int_equal(entries(dir), 1);

	/* Replacing keeps one complete file with the new text. */
	mk(&c[0], NF "nf_conntrack_acct", "0");
	assert_int_equal(persist_sysctl(dir, 90, c, 1, NULL, 0), 0);
	slurp(dir, "90-ctadvisor.conf", got, sizeof(got));
	snprintf(want, sizeof(want), "%s" NF "nf_conntrack_acct = 0\n", sysctl_header);
	assert_string_equal(got, want);
	assert_int_equal(entries(dir), 1);

	assert_int_equal(persist_sysctl(dir, 5, c, 1, NULL, 0), 0);
	assert_int_equal(mode_of(dir, "05-ctadvisor.conf"), 0644);
}

static void test_sysctl_rejects(void **state)
{
	static const struct {
		const char *name, *value;
		unsigned int prio;
		int rc;
	} cases[] = {
	    {"module.nf_conntrack.hashsize", "1024", 90, -EINVAL},
	    {NF "nf conntrack", "1", 90, -EINVAL},
	    {NF "a=b", "1", 90, -EINVAL},
	    {NF "#x", "1", 90, -EINVAL},
	    {NF "nf_conntrack_acct", "1", 100, -EINVAL},
	};
	const char *dir = *state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sysctl_change c;
		int rc;

		mk(&c, cases[i].name, cases[i].value);
		rc = persist_sysctl(dir, cases[i].prio, &c, 1, NULL, 0);
		if (rc != cases[i].rc)
			fail_msg("case %zu: rc %d want %d", i, rc, cases[i].rc);
		if (entries(dir) != 0)
			fail_msg("case %zu: a file was written", i);
	}
	{
		struct sysctl_change c;
		char small[16];

		mk(&c, NF "nf_conntrack_acct", "1");
		assert_int_equal(persist_sysctl_render(&c, 1, small, sizeof(small), NULL),
				 -EOVERFLOW);
	}
}

static void test_modprobe(void **state)
{
	const char *dir = *state;
	char path[512], want[1024], got[1024];

	assert_int_equal(persist_modprobe(dir, 131072, path, sizeof(path)), 0);
	snprintf(want, sizeof(want), "%s/" PERSIST_MODPROBE_NAME, dir);
	assert_string_equal(path, want);
	slurp(dir, PERSIST_MODPROBE_NAME, got, sizeof(got));
	snprintf(want, sizeof(want), "%soptions nf_conntrack hashsize=131072\n", modprobe_header);
	assert_string_equal(got, want);
	assert_int_equal(mode_of(dir, PERSIST_MODPROBE_NAME), 0644);
	assert_int_equal(persist_modprobe(dir, 0, NULL, 0), -EINVAL);
	assert_int_equal(persist_modprobe(dir, (uint64_t)UINT32_MAX + 1, NULL, 0), -EINVAL);
	assert_int_equal(entries(dir), 1);
}

static void test_write_file(void **state)
{
	const char *dir = *state;
	char got[64], missing[128];

	assert_int_equal(persist_write_file(dir, "a.conf", "one\n", 4, 0600, false), 0);
	assert_int_equal(mode_of(dir, "a.conf"), 0600);
	/* No replace: refused, the old file intact, no temp left. */
	assert_int_equal(persist_write_file(dir, "a.conf", "two\n", 4, 0600, false), -EEXIST);
	slurp(dir, "a.conf", got, sizeof(got));
	assert_string_equal(got, "one\n");
	assert_int_equal(entries(dir), 1);
	assert_int_equal(persist_write_file(dir, "a.conf", "", 0, 0644, true), 0);
	slurp(dir, "a.conf", got, sizeof(got));
	assert_string_equal(got, "");
	assert_int_equal(persist_write_file(dir, "../x", "x", 1, 0644, true), -EINVAL);
	assert_int_equal(persist_write_file(dir, ".hidden", "x", 1, 0644, true), -EINVAL);
	snprintf(missing, sizeof(missing), "%s/nope", dir);
	assert_int_equal(persist_write_file(missing, "a.conf", "x", 1, 0644, true), -ENOENT);
	assert_int_equal(entries(dir), 1);
}

/* Fill the filesystem at dir; returns once a write hits ENOSPC. */
static void fill(const char *dir)
{
	char path[512], block[1024];
	FILE *f;

	memset(block, 'x', sizeof(block));
	snprintf(path, sizeof(path), "%s/filler", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	setvbuf(f, NULL, _IONBF, 0);
	while (fwrite(block, 1, sizeof(block), f) == sizeof(block))
		;
	assert_int_equal(errno, ENOSPC);
	fclose(f);
}

static void test_full_filesystem(void **state)
{
	const char *dir = *state;
	struct sysctl_change c[32];
	char old[1024], got[1024];

	if (mount("tmpfs", dir, "tmpfs", 0, "size=16k,mode=0755") < 0) {
		print_message("skipped: cannot mount a tmpfs (%s)\n", strerror(errno));
		skip();
	}
	assert_int_equal(persist_sysctl(dir, 90, c, 0, NULL, 0), 0);
	slurp(dir, "90-ctadvisor.conf", old, sizeof(old));
	fill(dir);
	for (size_t i = 0; i < 32; i++)
		mk(&c[i], NF "nf_conntrack_tcp_timeout_established", "432000");
	assert_int_equal(persist_sysctl(dir, 90, c, 32, NULL, 0), -ENOSPC);
	assert_int_equal(persist_modprobe(dir, 4096, NULL, 0), -ENOSPC);
	slurp(dir, "90-ctadvisor.conf", got, sizeof(got));
	assert_string_equal(got, old);
	assert_int_equal(entries(dir), 2); /* the old file and the filler, no temp */
	assert_int_equal(umount(dir), 0);
}

/* ---- apply --persist: merge, routing, the undo record ---- */

/* Which kind of nf_conntrack a crafted /sys (and modules.builtin) says. */
static void test_ct_is_module(void **state)
{
	const char *dir = *state;
	char root[512];

	snprintf(root, sizeof(root), "%s/r1", dir);
	tmptree_put(root, "sys/module/nf_conntrack/initstate", "live\n");
	setenv("CTADVISOR_ROOT", root, 1);
	assert_true(apply_ct_is_module());
	snprintf(root, sizeof(root), "%s/r2", dir);
	tmptree_put(root, "sys/module/nf_conntrack/parameters/hashsize", "262144\n");
	setenv("CTADVISOR_ROOT", root, 1);
	assert_false(apply_ct_is_module()); /* loaded, no initstate: built in */
	snprintf(root, sizeof(root), "%s/r3", dir);
	tmptree_put(root, "proc/sys/kernel/osrelease", "6.1.0-test\n");
	tmptree_put(root, "lib/modules/6.1.0-test/modules.builtin",
		    "kernel/net/core/x.ko\nkernel/net/netfilter/nf_conntrack.ko\n");
	setenv("CTADVISOR_ROOT", root, 1);
	assert_false(apply_ct_is_module()); /* not loaded, listed built in */
	tmptree_put(root, "lib/modules/6.1.0-test/modules.builtin",
		    "kernel/net/netfilter/nf_nat.ko\n");
	assert_true(apply_ct_is_module()); /* not loaded, not built in */
	unsetenv("CTADVISOR_ROOT");
}

static void read_back(const char *dir, const char *name, char *buf, size_t len)
{
	slurp(dir, name, buf, len);
}

/* A module: the sysctl.d file keeps what an earlier apply persisted and
 * replaces what this one sets, the hash size goes to modprobe.d, a
 * modules-load.d entry loads the module before systemd-sysctl; the undo
 * record gets every file that changes with its content before; a second
 * prepare after the write changes nothing. */
static void test_plan_module(void **state)
{
	const char *dir = *state;
	struct apply_persist_dirs dirs;
	struct apply_persist_plan plan;
	struct undo_info info = {.time_s = 1, .command = UNDO_CMD_APPLY};
	struct undo_record *rec;
	struct sysctl_change c[2];
	char root[512], sysd[512], modp[512], mload[512], got[2048], want[2048], path[600];
	static const char before[] = "# an earlier apply\n" NF "nf_conntrack_acct = 0\n" NF
				     "nf_conntrack_tcp_timeout_established = 3600\n";

	snprintf(root, sizeof(root), "%s/root", dir);
	tmptree_put(root, "sys/module/nf_conntrack/initstate", "live\n");
	setenv("CTADVISOR_ROOT", root, 1);
	snprintf(sysd, sizeof(sysd), "%s/sysctl.d", dir);
	snprintf(modp, sizeof(modp), "%s/modprobe.d", dir);
	snprintf(mload, sizeof(mload), "%s/modules-load.d", dir);
	tmptree_put(sysd, "90-ctadvisor.conf", before);
	assert_int_equal(mkdir(modp, 0755), 0);
	assert_int_equal(mkdir(mload, 0755), 0);
	dirs = (struct apply_persist_dirs){sysd, modp, mload};
	mk(&c[0], "module.nf_conntrack.hashsize", "131072");
	mk(&c[1], NF "nf_conntrack_acct", "1");

	assert_int_equal(apply_persist_prepare(c, 2, &dirs, &plan), 0);
	assert_true(plan.is_module);
	assert_int_equal(plan.n, 3);
	assert_int_equal(apply_persist_changed(&plan), 3);
	assert_false(plan.has_max);
	assert_string_equal(plan.hash, "131072");
	assert_string_equal(plan.files[0].name, "90-ctadvisor.conf");
	snprintf(want, sizeof(want),
		 "%s" NF "nf_conntrack_acct = 1\n" NF
		 "nf_conntrack_tcp_timeout_established = 3600\n",
		 sysctl_header);
	assert_string_equal(plan.files[0].data, want);
	assert_string_equal(plan.files[1].name, "ctadvisor-nf_conntrack.conf");
	assert_string_equal(plan.files[1].dir, modp);
	assert_non_null(strstr(plan.files[1].data, "\noptions nf_conntrack hashsize=131072\n"));
	assert_string_equal(plan.files[2].dir, mload);
	assert_non_null(strstr(plan.files[2].data, "\nnf_conntrack\n"));

	rec = undo_record_new(&info);
	assert_int_equal(apply_persist_record(&plan, rec), 0);
	assert_int_equal(undo_record_file_count(rec), 3);
	snprintf(path, sizeof(path), "%s/90-ctadvisor.conf", sysd);
	assert_string_equal(undo_record_file(rec, 0)->path, path);
	assert_true(undo_record_file(rec, 0)->existed);
	assert_string_equal(undo_record_file(rec, 0)->original, before);
	assert_false(undo_record_file(rec, 1)->existed);
	assert_false(undo_record_file(rec, 2)->existed);

	assert_int_equal(apply_persist_write(&plan), 0);
	read_back(sysd, "90-ctadvisor.conf", got, sizeof(got));
	assert_string_equal(got, want);
	apply_persist_free(&plan);

	/* Again: nothing changes, nothing to record. */
	assert_int_equal(apply_persist_prepare(c, 2, &dirs, &plan), 0);
	assert_int_equal(plan.n, 3);
	assert_int_equal(apply_persist_changed(&plan), 0);
	apply_persist_free(&plan);

	/* undo puts everything back: the old file, the new ones removed. */
	assert_int_equal(undo_restore_files(rec), 0);
	read_back(sysd, "90-ctadvisor.conf", got, sizeof(got));
	assert_string_equal(got, before);
	assert_int_equal(entries(modp), 0);
	assert_int_equal(entries(mload), 0);
	undo_record_free(rec);
	unsetenv("CTADVISOR_ROOT");
}

/* Built in: the hash size is the buckets sysctl, no modprobe.d and no
 * modules-load.d file; a value sysctl.d cannot hold is refused. */
static void test_plan_builtin(void **state)
{
	const char *dir = *state;
	struct apply_persist_dirs dirs;
	struct apply_persist_plan plan;
	struct sysctl_change c[2];
	char root[512], want[2048];

	snprintf(root, sizeof(root), "%s/root", dir);
	tmptree_put(root, "sys/module/nf_conntrack/parameters/hashsize", "262144\n");
	setenv("CTADVISOR_ROOT", root, 1);
	dirs = (struct apply_persist_dirs){dir, "/nonexistent-ctadv", "/nonexistent-ctadv"};
	mk(&c[0], NF "nf_conntrack_max", "524288");
	mk(&c[1], "module.nf_conntrack.hashsize", "131072");
	assert_int_equal(apply_persist_prepare(c, 2, &dirs, &plan), 0);
	assert_false(plan.is_module);
	assert_int_equal(plan.n, 1);
	assert_true(plan.has_max);
	snprintf(want, sizeof(want),
		 "%s" NF "nf_conntrack_buckets = 131072\n" NF "nf_conntrack_max = 524288\n",
		 sysctl_header);
	assert_string_equal(plan.files[0].data, want);
	apply_persist_free(&plan);
	mk(&c[0], NF "nf_conntrack_max", "12");
	c[0].new_value[1] = '\n'; /* sysctl.d has no way to hold it */
	assert_int_equal(apply_persist_prepare(c, 1, &dirs, &plan), -EINVAL);
	assert_int_equal(plan.n, 0);
	unsetenv("CTADVISOR_ROOT");
}

/* The owner warnings over the fixture tree (tests/fixtures/owners/apply):
 * with --persist only what is applied after our file; without, every file
 * that sets the knobs at boot. Our own files never count. */
static void test_warn_owners(void **state)
{
	const char *src = getenv("CTADVISOR_SRCDIR");
	struct apply_persist_dirs dirs = {"/etc/sysctl.d", "/etc/modprobe.d",
					  "/etc/modules-load.d"};
	struct sysctl_change c[4];
	char root[4096];

	(void)state;
	snprintf(root, sizeof(root), "%s/tests/fixtures/owners/apply/root", src ? src : ".");
	setenv("CTADVISOR_ROOT", root, 1);
	mk(&c[0], NF "nf_conntrack_acct", "1");
	mk(&c[1], NF "nf_conntrack_timestamp", "1");
	mk(&c[2], NF "nf_conntrack_max", "524288");
	mk(&c[3], NF "nf_conntrack_tcp_timeout_established", "600");
	for (size_t i = 0; i < 4; i++)
		c[i].state = SYSCTL_CHANGE_PENDING;
	/* 95-late x3, sysctl.conf, tuned custom, kube-proxy, calico, tuned */
	assert_int_equal(apply_warn_owners(c, 4, &dirs, true), 8);
	/* + 10-early (acct) and 50-default (max) */
	assert_int_equal(apply_warn_owners(c, 4, &dirs, false), 10);
	/* Unchanged knobs are no one's business, unless persisting. */
	for (size_t i = 0; i < 4; i++)
		c[i].state = SYSCTL_CHANGE_UNCHANGED;
	assert_int_equal(apply_warn_owners(c, 4, &dirs, false), 0);
	assert_int_equal(apply_warn_owners(c, 4, &dirs, true), 8);
	unsetenv("CTADVISOR_ROOT");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_sysctl_dropin, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sysctl_rejects, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_modprobe, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_write_file, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_full_filesystem, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_ct_is_module, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_plan_module, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_plan_builtin, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_warn_owners, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
