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

#include "../../sysctl/persist.h"

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

	snprintf(dir, 64, "/tmp/ctadv-persist-XXXXXX");
	assert_non_null(mkdtemp(dir));
	*state = dir;
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	/* A failed assertion may leave the tmpfs of test_full_filesystem. */
	umount2(*state, MNT_DETACH);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", (char *)*state);
	assert_int_equal(system(cmd), 0);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_sysctl_dropin, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sysctl_rejects, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_modprobe, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_write_file, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_full_filesystem, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
