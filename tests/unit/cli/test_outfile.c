/* test_outfile.c: the one writer of --output and --save files. */
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

#include "../../../cli/outfile.h"
#include "../common/tmptree.h"

static int render_text(FILE *out, const void *ctx)
{
	return fputs(ctx, out) < 0 ? -EIO : 0;
}

static int render_fails(FILE *out, const void *ctx)
{
	(void)ctx;
	fputs("half a report", out);
	return -EIO;
}

static char *slurp(const char *path)
{
	static char buf[256];
	FILE *f = fopen(path, "r");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void test_write_replace_and_fail(void **state)
{
	char dir[32], path[64], bad[80];
	struct stat st;

	(void)state;
	tmptree_make(dir, sizeof(dir), "outfile");
	snprintf(path, sizeof(path), "%s/report.prom", dir);
	assert_int_equal(outfile_write(path, render_text, "first\n"), 0);
	assert_string_equal(slurp(path), "first\n");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	assert_int_equal(outfile_write(path, render_text, "second\n"), 0);
	assert_string_equal(slurp(path), "second\n");
	/* A failed render leaves the previous file whole, and no temp file. */
	assert_int_equal(outfile_write(path, render_fails, NULL), -EIO);
	assert_string_equal(slurp(path), "second\n");
	/* A directory that does not exist, and a name that is a directory. */
	snprintf(bad, sizeof(bad), "%s/none/report.prom", dir);
	assert_true(outfile_write(bad, render_text, "x") < 0);
	snprintf(bad, sizeof(bad), "%s/", dir);
	assert_int_equal(outfile_write(bad, render_text, "x"), -EISDIR);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0); /* fails if a temp file was left */
}

static void test_relative_path(void **state)
{
	char dir[32], cwd[512];

	(void)state;
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	tmptree_make(dir, sizeof(dir), "outfile");
	assert_int_equal(chdir(dir), 0);
	assert_int_equal(outfile_write("plain.json", render_text, "{}"), 0);
	assert_string_equal(slurp("plain.json"), "{}");
	assert_int_equal(unlink("plain.json"), 0);
	assert_int_equal(chdir(cwd), 0);
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_write_replace_and_fail),
	    cmocka_unit_test(test_relative_path),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
