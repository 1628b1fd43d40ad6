/* Unit tests: undo records: round trip, listing, strict rejection of
 * corrupt records, restore and mark-done on a temporary tree. */
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

#include "../../../sysctl/undo.h"
#include "../common/tmptree.h"
#include "sysctl_tree.h"

#define NF "net.netfilter."

static int setup(void **state)
{
	struct tree *t = tree_new("undo");

	snprintf(t->dir, sizeof(t->dir), "%s/undo", t->root);
	assert_int_equal(mkdir(t->dir, 0700), 0);
	tmptree_put(t->root, "proc/sys/net/netfilter/nf_conntrack_acct", "1\n");
	tmptree_put(t->root, "proc/sys/net/netfilter/nf_conntrack_timestamp", "1\n");
	tmptree_put(t->root, "proc/sys/net/netfilter/nf_log/2", "nfnetlink_log\n");
	*state = t;
	return 0;
}

static struct undo_record *sample(int64_t time_s)
{
	struct undo_info in = {
	    .time_s = time_s,
	    .command = UNDO_CMD_WATCH_INVALID,
	    .netns_name = "lab1",
	    .netns_ino = 4026532000u,
	    .netns_dev = 4,
	};
	struct undo_record *rec = undo_record_new(&in);

	assert_non_null(rec);
	assert_int_equal(undo_record_add(rec, NF "nf_log.2", "nf_log_ipv4", "nfnetlink_log"), 0);
	assert_int_equal(undo_record_add(rec, NF "nf_conntrack_log_invalid", "0", "255"), 0);
	assert_int_equal(undo_record_add(rec, "module.nf_conntrack.hashsize", "262144", "524288"),
			 0);
	return rec;
}

static void test_round_trip(void **state)
{
	struct tree *t = *state;
	struct undo_record *rec = sample(1700000000), *back = NULL;
	struct undo_error err;
	char file[UNDO_FILE_LEN], path[512];
	struct stat st;

	/* Too small for the name: refused before anything is written. */
	assert_int_equal(undo_save(t->dir, rec, file, 34), -ENAMETOOLONG);
	assert_int_equal(undo_save(t->dir, rec, file, sizeof(file)), 0);
	assert_string_equal(file, "undo-00000000001700000000-000.json");
	snprintf(path, sizeof(path), "%s/%s", t->dir, file);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(undo_load(path, &back, &err), 0);
	assert_non_null(back);
	assert_int_equal(undo_record_info(back)->time_s, 1700000000);
	assert_int_equal(undo_record_info(back)->command, UNDO_CMD_WATCH_INVALID);
	assert_string_equal(undo_record_info(back)->netns_name, "lab1");
	assert_int_equal(undo_record_info(back)->netns_ino, 4026532000u);
	assert_int_equal(undo_record_info(back)->netns_dev, 4);
	assert_int_equal(undo_record_count(back), 3);
	for (size_t i = 0; i < 3; i++) {
		const struct sysctl_change *a = undo_record_knob(rec, i);
		const struct sysctl_change *b = undo_record_knob(back, i);

		if (strcmp(a->name, b->name) != 0 || strcmp(a->old_value, b->old_value) != 0 ||
		    strcmp(a->new_value, b->new_value) != 0)
			fail_msg("knob %zu differs: %s %s %s", i, b->name, b->old_value,
				 b->new_value);
	}
	assert_null(undo_record_knob(back, 3));
	undo_record_free(back);

	/* Same second: a new file, never an overwrite. */
	assert_int_equal(undo_save(t->dir, rec, file, sizeof(file)), 0);
	assert_string_equal(file, "undo-00000000001700000000-001.json");
	undo_record_free(rec);
}

/* Persisted files: saved with their content before (or their absence),
 * loaded back identical, restored by undo_restore_files() atomically or
 * unlinked, and a record of files only is valid. */
static void test_files_round_trip(void **state)
{
	struct tree *t = *state;
	struct undo_info in = {.time_s = 1700000500, .command = UNDO_CMD_APPLY};
	struct undo_record *rec = undo_record_new(&in), *back = NULL;
	char sysd[256], modp[256], ours[300], mod[300], path[512], file[UNDO_FILE_LEN];
	char *text = NULL;
	struct undo_error err;
	struct stat st;
	FILE *f;

	snprintf(sysd, sizeof(sysd), "%s/sysctl.d", t->root);
	snprintf(modp, sizeof(modp), "%s/modules-load.d", t->root);
	assert_int_equal(mkdir(sysd, 0755), 0);
	assert_int_equal(mkdir(modp, 0755), 0);
	snprintf(ours, sizeof(ours), "%s/90-ctadvisor.conf", sysd);
	snprintf(mod, sizeof(mod), "%s/ctadvisor-nf_conntrack.conf", modp);
	tmptree_put(sysd, "90-ctadvisor.conf", "# earlier\nnet.netfilter.nf_conntrack_acct = 0\n");
	assert_non_null(rec);
	assert_int_equal(undo_record_add(rec, NF "nf_conntrack_acct", "0", "1"), 0);
	assert_int_equal(undo_record_add_file_now(rec, ours), 0);
	assert_int_equal(undo_record_add_file_now(rec, mod), 0); /* does not exist */
	assert_int_equal(undo_record_add_file_now(rec, ours), -EEXIST);
	assert_int_equal(undo_record_add_file(rec, "/etc/passwd", "x", 1), -EINVAL);
	assert_int_equal(undo_record_add_file(rec, "relative/ctadvisor.conf", NULL, 0), -EINVAL);
	assert_int_equal(undo_record_add_file(rec, "/x/ctadvisor.conf", "a\0b", 3), -EINVAL);
	assert_int_equal(undo_record_add_file(rec, "/x/ctadvisor.conf", "\xff\xfe", 2), -EILSEQ);
	assert_int_equal(undo_record_file_count(rec), 2);
	assert_int_equal(undo_save(t->dir, rec, file, sizeof(file)), 0);
	undo_record_free(rec);

	snprintf(path, sizeof(path), "%s/%s", t->dir, file);
	assert_int_equal(undo_load(path, &back, &err), 0);
	assert_int_equal(undo_record_count(back), 1);
	assert_int_equal(undo_record_file_count(back), 2);
	assert_string_equal(undo_record_file(back, 0)->path, ours);
	assert_true(undo_record_file(back, 0)->existed);
	assert_string_equal(undo_record_file(back, 0)->original,
			    "# earlier\nnet.netfilter.nf_conntrack_acct = 0\n");
	assert_string_equal(undo_record_file(back, 1)->path, mod);
	assert_false(undo_record_file(back, 1)->existed);
	assert_null(undo_record_file(back, 2));
	/* Nothing changed yet: the files are as recorded. */
	assert_false(undo_file_differs(undo_record_file(back, 0)));
	assert_false(undo_file_differs(undo_record_file(back, 1)));

	/* What apply --persist then writes. */
	tmptree_put(sysd, "90-ctadvisor.conf", "net.netfilter.nf_conntrack_acct = 1\n");
	tmptree_put(modp, "ctadvisor-nf_conntrack.conf", "nf_conntrack\n");
	assert_true(undo_file_differs(undo_record_file(back, 0)));
	assert_true(undo_file_differs(undo_record_file(back, 1)));
	assert_int_equal(undo_restore_files(back), 0);
	assert_true(undo_record_file(back, 0)->restored);
	assert_true(undo_record_file(back, 1)->restored);
	assert_int_equal(stat(mod, &st), -1);
	f = fopen(ours, "r");
	assert_non_null(f);
	text = calloc(1, 256);
	assert_int_equal(fread(text, 1, 255, f) > 0, 1);
	fclose(f);
	assert_string_equal(text, "# earlier\nnet.netfilter.nf_conntrack_acct = 0\n");
	free(text);
	assert_int_equal(stat(ours, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	/* Again: already restored, the unlink of a missing file is no error. */
	assert_int_equal(undo_restore_files(back), 0);
	undo_record_free(back);

	/* A record of files only, and the failure of one file reported. */
	rec = undo_record_new(&in);
	assert_int_equal(
	    undo_record_add_file(rec, "/nonexistent-ctadv/dir/90-ctadvisor.conf", "x\n", 2), 0);
	assert_int_equal(undo_save(t->dir, rec, file, sizeof(file)), 0);
	snprintf(path, sizeof(path), "%s/%s", t->dir, file);
	assert_int_equal(undo_load(path, &back, &err), 0);
	assert_int_equal(undo_record_count(back), 0);
	assert_int_not_equal(undo_restore_files(back), 0);
	assert_false(undo_record_file(back, 0)->restored);
	assert_int_equal(undo_record_file(back, 0)->rc, -ENOENT);
	undo_record_free(back);
	undo_record_free(rec);
}

static void test_list(void **state)
{
	static const int64_t times[] = {1700000000, 1700000100, 1700000000, 5};
	static const char *const want[] = {
	    "undo-00000000001700000100-000.json",
	    "undo-00000000001700000000-001.json",
	    "undo-00000000001700000000-000.json",
	    "undo-00000000000000000005-000.json",
	};
	struct tree *t = *state;
	struct undo_entry *e = NULL;
	char file[UNDO_FILE_LEN];
	size_t n = 99;

	assert_int_equal(undo_list(t->dir, &e, &n), 0);
	assert_int_equal(n, 0);
	free(e);
	for (size_t i = 0; i < 4; i++) {
		struct undo_record *rec = sample(times[i]);

		assert_int_equal(undo_save(t->dir, rec, file, sizeof(file)), 0);
		undo_record_free(rec);
	}
	tmptree_put(t->dir, "undo-junk.json", "{}");
	tmptree_put(t->dir, "notes.txt", "x");
	assert_int_equal(undo_list(t->dir, &e, &n), 0);
	assert_int_equal(n, 4);
	for (size_t i = 0; i < n; i++)
		if (strcmp(e[i].file, want[i]) != 0)
			fail_msg("entry %zu: %s, want %s", i, e[i].file, want[i]);
	assert_int_equal(e[0].time_s, 1700000100);
	assert_int_equal(e[1].seq, 1);
	assert_int_equal(undo_mark_done(t->dir, e[0].file), 0);
	assert_int_equal(undo_mark_done(t->dir, "notes.txt"), -EINVAL);
	free(e);
	assert_int_equal(undo_list(t->dir, &e, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(e[0].file, want[1]);
	free(e);
	assert_int_equal(undo_list("/nonexistent-ctadv", &e, &n), -ENOENT);
}

#define GOOD_KNOB                                                                                  \
	"{\"name\": \"net.netfilter.nf_conntrack_acct\", \"original\": \"0\", \"new\": \"1\"}"
#define NETNS "\"netns\": {\"name\": \"\", \"inode\": 1, \"dev\": 2}"

/* Each rejected record: the error, where, and what the message says. */
static const struct {
	const char *text;
	int rc;
	int line; /* expected line of a syntax error; 0: a shape error */
	const char *msg;
} corrupt_cases[] = {
    /* 0 truncated */
    {"{\"version\": 1, \"time\": 1700000000,\n \"command\": \"app", -EBADMSG, 2, "2:"},
    {"", -EBADMSG, 1, ""},
    {"{\n\n  not json }", -EBADMSG, 3, ":3:5:"},
    {"{\"version\": 1, \"version\": 1}", -EBADMSG, 1, "duplicate"},
    {"{\"version\": \"1\", \"time\": 0, \"command\": \"apply\", " NETNS ", \"knobs\": [" GOOD_KNOB
     "]}",
     -EINVAL, 0, "version"},
    /* 5 */
    {"{\"version\": 2, \"time\": 0, \"command\": \"apply\", " NETNS ", \"knobs\": [" GOOD_KNOB "]}",
     -EPROTONOSUPPORT, 0, "version 2"},
    {"{\"version\": 1.0, \"time\": 0, \"command\": \"apply\", " NETNS ", \"knobs\": [" GOOD_KNOB
     "]}",
     -EINVAL, 0, "version"},
    {"{\"time\": 0, \"command\": \"apply\", " NETNS ", \"knobs\": [" GOOD_KNOB "]}", -EINVAL, 0,
     "version"},
    {"{\"version\": 1, \"time\": 0, \"command\": \"apply\", " NETNS "}", -EINVAL, 0,
     "record.knobs: missing"},
    {"{\"version\": 1, \"time\": \"now\", \"command\": \"apply\", " NETNS ", \"knobs\": [" GOOD_KNOB
     "]}",
     -EINVAL, 0, "record.time: expected integer, got string"},
    /* 10 */
    {"{\"version\": 1, \"time\": 0, \"command\": \"apply\", " NETNS ", \"knobs\": [" GOOD_KNOB
     "], \"extra\": 1}",
     -EINVAL, 0, "record: unknown field \"extra\""},
    {"{\"version\": 1, \"time\": 0, \"command\": \"apply\", " NETNS
     ", \"knobs\": [{\"name\": \"net.netfilter.nf_conntrack_acct\", \"original\": 0, "
     "\"new\": \"1\"}]}",
     -EINVAL, 0, "knobs[0].original: expected string, got integer"},
    {"{\"version\": 1, \"time\": 0, \"command\": \"apply\", " NETNS ", \"knobs\": [" GOOD_KNOB
     ", {\"name\": \"kernel.panic\", \"original\": \"0\", \"new\": \"1\"}]}",
     -EINVAL, 0, "knobs[1]: name \"kernel.panic\" is not a conntrack knob"},
    {"{\"version\": 1, \"time\": 0, \"command\": \"apply\", " NETNS
     ", \"knobs\": [{\"name\": \"net.netfilter.nf_conntrack_acct\", \"original\": \"0\"}]}",
     -EINVAL, 0, "knobs[0].new: missing"},
    {"{\"version\": 1, \"time\": 0, \"command\": \"reboot\", " NETNS ", \"knobs\": [" GOOD_KNOB
     "]}",
     -EINVAL, 0, "command"},
    /* 15 */
    {"{\"version\": 1, \"time\": 0, \"command\": \"apply\", " NETNS ", \"knobs\": []}", -EINVAL, 0,
     "knobs"},
    {"{\"version\": 1, \"time\": -5, \"command\": \"apply\", " NETNS ", \"knobs\": [" GOOD_KNOB
     "]}",
     -EINVAL, 0, "time"},
    {"[1, 2]", -EINVAL, 0, "version"},
    {"{\"version\": 1, \"time\": 0, \"command\": \"apply\", \"netns\": {\"name\": \"x\"}, "
     "\"knobs\": [" GOOD_KNOB "]}",
     -EINVAL, 0, "netns.inode: missing"},
    {"{\"version\": 1, \"time\": 0, \"command\": \"apply\", " NETNS
     ", \"knobs\": [{\"name\": \"net.netfilter.../x\", \"original\": \"0\", \"new\": "
     "\"1\"}]}",
     -EINVAL, 0, "knobs[0]"},
    /* 20 */
    {"{\"version\": 1, \"time\": 0, \"command\": \"apply\", " NETNS
     ", \"knobs\": [{\"name\": \"net.netfilter.nf_conntrack_acct\", \"original\": "
     "\"0\\n1\", \"new\": \"1\"}]}",
     -EINVAL, 0, "knobs[0]"},
    {"{\"version\": 1, \"time\": 0, \"command\": \"apply\", " NETNS ", \"knobs\": [" GOOD_KNOB
     "]} trailing",
     -EBADMSG, 1, "end of file expected"},
    /* files */
    {"{\"version\": 1, \"time\": 0, \"command\": \"apply\", " NETNS ", \"knobs\": [" GOOD_KNOB
     "], \"files\": [{\"path\": \"/etc/passwd\", \"original\": \"x\"}]}",
     -EINVAL, 0, "files[0]: \"/etc/passwd\" is not a ctadvisor configuration file"},
    {"{\"version\": 1, \"time\": 0, \"command\": \"apply\", " NETNS ", \"knobs\": [" GOOD_KNOB
     "], \"files\": [{\"path\": \"/etc/sysctl.d/../90-ctadvisor.conf\", \"original\": null}]}",
     -EINVAL, 0, "files[0]"},
    {"{\"version\": 1, \"time\": 0, \"command\": \"apply\", " NETNS ", \"knobs\": [" GOOD_KNOB
     "], \"files\": [{\"path\": \"/etc/sysctl.d/90-ctadvisor.conf\", \"original\": 3}]}",
     -EINVAL, 0, "files[0].original: expected string or null"},
    {"{\"version\": 1, \"time\": 0, \"command\": \"apply\", " NETNS ", \"knobs\": [" GOOD_KNOB
     "], \"files\": [{\"path\": \"/etc/sysctl.d/90-ctadvisor.conf\"}]}",
     -EINVAL, 0, "files[0]: expected"},
    {"{\"version\": 1, \"time\": 0, \"command\": \"apply\", " NETNS ", \"knobs\": [" GOOD_KNOB
     "], \"files\": [{\"path\": \"/etc/sysctl.d/90-ctadvisor.conf\", \"original\": null, "
     "\"mode\": 1}]}",
     -EINVAL, 0, "files[0]: expected"},
    /* 25 */
    {"{\"version\": 1, \"time\": 0, \"command\": \"apply\", " NETNS ", \"knobs\": [], "
     "\"files\": []}",
     -EINVAL, 0, "files: expected a non-empty array"},
    {"{\"version\": 1, \"time\": 0, \"command\": \"apply\", " NETNS ", \"knobs\": [" GOOD_KNOB
     "], \"files\": [{\"path\": \"/a/90-ctadvisor.conf\", \"original\": null}, "
     "{\"path\": \"/a/90-ctadvisor.conf\", \"original\": \"x\"}]}",
     -EINVAL, 0, "files[1]"},
};

static void test_corrupt(void **state)
{
	struct tree *t = *state;
	char path[512];

	snprintf(path, sizeof(path), "%s/rec.json", t->dir);
	for (size_t i = 0; i < sizeof(corrupt_cases) / sizeof(corrupt_cases[0]); i++) {
		struct undo_record *sentinel = (struct undo_record *)&i, *rec = sentinel;
		struct undo_error err;
		int rc;

		tmptree_put(t->dir, "rec.json", corrupt_cases[i].text);
		memset(&err, 0, sizeof(err));
		rc = undo_load(path, &rec, &err);
		if (rc != corrupt_cases[i].rc || rec != sentinel)
			fail_msg("case %zu: rc %d want %d (%s)", i, rc, corrupt_cases[i].rc,
				 err.msg);
		if (err.line != corrupt_cases[i].line ||
		    (corrupt_cases[i].line > 0 && err.column < 0))
			fail_msg("case %zu: at %d:%d want line %d (%s)", i, err.line, err.column,
				 corrupt_cases[i].line, err.msg);
		if (strstr(err.msg, corrupt_cases[i].msg) == NULL || err.msg[0] == '\0')
			fail_msg("case %zu: message '%s' lacks '%s'", i, err.msg,
				 corrupt_cases[i].msg);
	}
	/* The well-formed variant of the same text loads. */
	{
		struct undo_record *rec = NULL;
		struct undo_error err;

		tmptree_put(t->dir, "rec.json",
			    "{\"version\": 1, \"time\": 0, \"command\": \"apply\", " NETNS
			    ", \"knobs\": [" GOOD_KNOB "]}");
		assert_int_equal(undo_load(path, &rec, &err), 0);
		assert_int_equal(undo_record_info(rec)->command, UNDO_CMD_APPLY);
		undo_record_free(rec);
	}
}

static void test_load_errors(void **state)
{
	struct tree *t = *state;
	struct undo_record *rec = NULL;
	struct undo_error err;
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/missing.json", t->dir);
	assert_int_equal(undo_load(path, &rec, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "missing.json"));
	snprintf(path, sizeof(path), "%s/big.json", t->dir);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(ftruncate(fileno(f), UNDO_MAX_BYTES + 1), 0);
	fclose(f);
	assert_int_equal(undo_load(path, &rec, &err), -EFBIG);
	assert_null(rec);
}

static void test_record_add(void **state)
{
	static const struct {
		const char *name, *orig, *val;
		int rc;
	} cases[] = {
	    {NF "nf_conntrack_acct", "0", "1", 0},
	    {"module.nf_conntrack.hashsize", "1", "2", 0},
	    {"kernel.panic", "0", "1", -EINVAL},
	    {"module.nf_nat.x", "0", "1", -EINVAL},
	    {NF, "0", "1", -EINVAL},
	    {NF "a b", "0", "1", -EINVAL},
	    {NF "x", "0\n", "1", -EINVAL},
	    {NF "x", "0", "1\n", -EINVAL},
	};
	struct undo_info in = {.time_s = 1};
	struct undo_record *rec = undo_record_new(&in);
	char file[UNDO_FILE_LEN];
	struct tree *t = *state;

	assert_non_null(rec);
	assert_int_equal(undo_save(t->dir, rec, file, sizeof(file)), -EINVAL); /* empty */
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = undo_record_add(rec, cases[i].name, cases[i].orig, cases[i].val);

		if (rc != cases[i].rc)
			fail_msg("case %zu: rc %d want %d", i, rc, cases[i].rc);
	}
	assert_int_equal(undo_record_count(rec), 2);
	undo_record_free(rec);
	undo_record_free(NULL);
}

static void test_changes_and_restore(void **state)
{
	struct tree *t = *state;
	struct undo_info in = {.time_s = 1700000000, .command = UNDO_CMD_APPLY};
	struct undo_record *rec = undo_record_new(&in), *back = NULL;
	struct sysctl_change c[3];
	struct undo_error err;
	char file[UNDO_FILE_LEN], path[512], buf[64];

	assert_non_null(rec);
	/* Only PENDING changes enter the record. */
	assert_int_equal(sysctl_change_init(&c[0], NF "nf_log.2", "nfnetlink_log"), 0);
	assert_int_equal(sysctl_change_init(&c[1], NF "nf_conntrack_acct", "1"), 0);
	assert_int_equal(sysctl_change_init(&c[2], NF "nf_conntrack_timestamp", "1"), 0);
	strcpy(c[0].old_value, "nf_log_ipv4");
	strcpy(c[1].old_value, "0");
	strcpy(c[2].old_value, "1");
	c[2].state = SYSCTL_CHANGE_UNCHANGED;
	assert_int_equal(undo_record_add_changes(rec, c, 3), 0);
	assert_int_equal(undo_record_count(rec), 2);
	assert_int_equal(undo_save(t->dir, rec, file, sizeof(file)), 0);
	undo_record_free(rec);

	snprintf(path, sizeof(path), "%s/%s", t->dir, file);
	assert_int_equal(undo_load(path, &back, &err), 0);
	assert_int_equal(undo_restore(&t->ctx, back), 0);
	for (size_t i = 0; i < undo_record_count(back); i++)
		if (undo_record_knob(back, i)->state != SYSCTL_CHANGE_ROLLED_BACK)
			fail_msg("knob %zu not restored", i);
	assert_int_equal(sysctl_read(&t->ctx, NF "nf_log.2", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "nf_log_ipv4");
	assert_int_equal(sysctl_read(&t->ctx, NF "nf_conntrack_acct", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "0");
	assert_int_equal(sysctl_read(&t->ctx, NF "nf_conntrack_timestamp", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "1"); /* was not in the record */
	assert_int_equal(undo_mark_done(t->dir, file), 0);
	assert_int_equal(access(path, F_OK), -1);
	strcat(path, ".done");
	assert_int_equal(access(path, F_OK), 0);
	undo_record_free(back);
}

static void test_restore_partial(void **state)
{
	struct tree *t = *state;
	struct undo_info in = {.time_s = 1};
	struct undo_record *rec = undo_record_new(&in);
	const struct sysctl_change *k;
	char buf[64];

	assert_non_null(rec);
	assert_int_equal(undo_record_add(rec, NF "nf_conntrack_acct", "0", "1"), 0);
	assert_int_equal(undo_record_add(rec, NF "nf_conntrack_gone", "5", "6"), 0);
	assert_int_equal(undo_record_add(rec, NF "nf_conntrack_timestamp", "0", "1"), 0);
	assert_int_equal(undo_restore(&t->ctx, rec), -ENOENT);
	k = undo_record_knob(rec, 1);
	assert_int_equal(k->state, SYSCTL_CHANGE_ROLLBACK_FAILED);
	assert_int_equal(k->rc, -ENOENT);
	assert_int_equal(undo_record_knob(rec, 0)->state, SYSCTL_CHANGE_ROLLED_BACK);
	assert_int_equal(undo_record_knob(rec, 2)->state, SYSCTL_CHANGE_ROLLED_BACK);
	assert_int_equal(sysctl_read(&t->ctx, NF "nf_conntrack_acct", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "0");
	assert_int_equal(sysctl_read(&t->ctx, NF "nf_conntrack_timestamp", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "0");
	undo_record_free(rec);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_round_trip, setup, tree_teardown),
	    cmocka_unit_test_setup_teardown(test_files_round_trip, setup, tree_teardown),
	    cmocka_unit_test_setup_teardown(test_list, setup, tree_teardown),
	    cmocka_unit_test_setup_teardown(test_corrupt, setup, tree_teardown),
	    cmocka_unit_test_setup_teardown(test_load_errors, setup, tree_teardown),
	    cmocka_unit_test_setup_teardown(test_record_add, setup, tree_teardown),
	    cmocka_unit_test_setup_teardown(test_changes_and_restore, setup, tree_teardown),
	    cmocka_unit_test_setup_teardown(test_restore_partial, setup, tree_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
