/* cmd_undo.c: `ctadvisor undo`: list the undo records, or restore the
 * latest (or a named) one. A record is loaded strictly before anything is
 * written, so a corrupt one changes nothing; a record made in another
 * network namespace is refused (the same knob names would hit another
 * namespace's values) unless --force. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "../collect/netns.h"
#include "statedir.h"
#include "../sysctl/undo.h"

static const char undo_usage[] =
    "Usage: ctadvisor undo [RECORD] [--yes] [--force] [--netns NS]\n"
    "       ctadvisor undo --list\n"
    "\n"
    "Restores the original values saved by 'ctadvisor apply' (or by an interrupted\n"
    "'watch --invalid') before it wrote anything: the latest record, or RECORD (a\n"
    "file name from --list, or a path). Each value is written back, last changed\n"
    "first, and read back; the boot files 'apply --persist' wrote get their content\n"
    "from before back (atomically), or are removed when they did not exist; a\n"
    "restored record is marked done and no longer listed. Without RECORD, the\n"
    "newest record of this network namespace (or of --netns NS) is taken.\n"
    "Records live in $CTADVISOR_STATE_DIR/undo (default /var/lib/ctadvisor/undo).\n"
    "\n"
    "Options:\n"
    "  -l, --list            show the records, newest first: time, command, network\n"
    "                        namespace, knobs (original -> value set)\n"
    "  -n, --netns NS        restore inside network namespace NS (name, path, or PID)\n"
    "  -y, --yes             do not ask (required when stdin is not a terminal)\n"
    "      --force           restore a record made in another network namespace\n"
    "  -h, --help            show this help\n"
    "\n"
    "Exit status: 0 restored (or nothing to restore); 1 refused or aborted, nothing\n"
    "written (another namespace, no --yes without a terminal); 2 some values could\n"
    "not be restored (named; the record is kept); 3 usage or environment error, or a\n"
    "corrupt record (nothing written).\n"
    "Example: ctadvisor undo --netns lab1 --yes\n";

enum { OPT_FORCE = 256 };

static const struct option undo_options[] = {
    {"list", no_argument, NULL, 'l'}, {"netns", required_argument, NULL, 'n'},
    {"yes", no_argument, NULL, 'y'},  {"force", no_argument, NULL, OPT_FORCE},
    {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0},
};

struct undo_args {
	const char *record, *netns;
	bool list, yes, force;
};

static const char *undo_option(int opt, const char *val, void *args)
{
	struct undo_args *a = args;

	switch (opt) {
	case 'l':
		a->list = true;
		return NULL;
	case 'n':
		a->netns = val;
		if (val[0] != '\0')
			return NULL;
		cmd_usage_error("undo", "--netns needs a name, path or PID");
		return CMD_OPTION_REPORTED;
	case 'y':
		a->yes = true;
		return NULL;
	case OPT_FORCE:
		a->force = true;
		return NULL;
	default:
		return "?";
	}
}

/* 0 to run, 1 for --help, -1 after a usage error was printed. Options and
 * the RECORD operand in any order (getopt permutes). */
static int parse_undo_args(int argc, char **argv, struct undo_args *a)
{
	int rc;

	memset(a, 0, sizeof(*a));
	rc = cmd_parse_options("undo", argc, argv, "ln:yh", undo_options, undo_option, a);
	if (rc != 0)
		return rc;
	if (optind < argc)
		a->record = argv[optind++];
	if (optind < argc || (a->list && a->record != NULL)) {
		cmd_usage_error("undo", "unexpected argument '%s'",
				optind < argc ? argv[optind] : a->record);
		return -1;
	}
	return 0;
}

static void format_time(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL || strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(buf, len, "%lld", (long long)t);
}

static void show_record(const char *file, const struct undo_record *rec)
{
	const struct undo_info *info = undo_record_info(rec);
	char when[64];

	format_time(info->time_s, when, sizeof(when));
	printf("%s  %s  %s  netns %s (inode %llu)\n", file, when, undo_command_name(info->command),
	       info->netns_name[0] ? info->netns_name : "-", (unsigned long long)info->netns_ino);
	for (size_t i = 0; i < undo_record_count(rec); i++) {
		const struct sysctl_change *k = undo_record_knob(rec, i);

		printf("    %-44s %s -> %s\n", k->name, k->old_value, k->new_value);
	}
	for (size_t i = 0; i < undo_record_file_count(rec); i++) {
		const struct undo_file *f = undo_record_file(rec, i);

		printf("    file %s (%s)\n", f->path,
		       f->existed ? "written over by --persist" : "created by --persist");
	}
}

static int list_records(const char *dir)
{
	struct undo_entry *list = NULL;
	size_t n = 0;
	char path[4096 + 320];
	int rc = undo_list(dir, &list, &n);

	if (rc < 0) {
		fprintf(stderr, "ctadvisor undo: cannot read %s: %s\n", dir, strerror(-rc));
		return CT_EXIT_USAGE;
	}
	if (n == 0)
		printf("no undo records in %s\n", dir);
	for (size_t i = 0; i < n; i++) {
		struct undo_record *rec = NULL;
		struct undo_error err;

		snprintf(path, sizeof(path), "%s/%s", dir, list[i].file);
		if (undo_load(path, &rec, &err) < 0) {
			printf("%s  CORRUPT: %s\n", list[i].file, err.msg);
			continue;
		}
		show_record(list[i].file, rec);
		undo_record_free(rec);
	}
	free(list);
	return CT_EXIT_OK;
}

/* The index of the newest record made in the network namespace this
 * process is in (entered with --netns first), or 0 (the newest of all,
 * which restore() then refuses with a reason) when none is. Corrupt
 * records are passed over here; named, undo reports them. */
static size_t newest_here(const char *dir, const struct undo_entry *list, size_t n)
{
	char path[4096 + 320];
	struct stat st;

	if (stat("/proc/self/ns/net", &st) < 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		struct undo_record *rec = NULL;
		struct undo_error err;
		bool here;

		snprintf(path, sizeof(path), "%s/%s", dir, list[i].file);
		if (undo_load(path, &rec, &err) < 0)
			continue;
		here = undo_record_info(rec)->netns_ino == (uint64_t)st.st_ino &&
		       undo_record_info(rec)->netns_dev == (uint64_t)st.st_dev;
		undo_record_free(rec);
		if (here) {
			if (i > 0)
				printf("note: %zu newer record%s belong%s to other network "
				       "namespaces; restoring the newest of this one\n",
				       i, i == 1 ? "" : "s", i == 1 ? "s" : "");
			return i;
		}
	}
	return 0;
}

/* The record to restore: dir and file name. -1 after printing why. */
static int pick_record(const struct undo_args *a, char *dir, size_t dir_len, char *file,
		       size_t file_len)
{
	struct undo_entry *list = NULL;
	size_t n = 0;
	const char *slash = a->record ? strrchr(a->record, '/') : NULL;
	int rc;

	if (slash != NULL) {
		snprintf(dir, dir_len, "%.*s", (int)(slash - a->record), a->record);
		snprintf(file, file_len, "%s", slash + 1);
		return 0;
	}
	if (a->record != NULL) {
		snprintf(file, file_len, "%s", a->record);
		return 0;
	}
	rc = undo_list(dir, &list, &n);
	if (rc < 0 || n == 0) {
		if (rc < 0)
			fprintf(stderr, "ctadvisor undo: cannot read %s: %s\n", dir, strerror(-rc));
		else
			printf("nothing to undo: no records in %s\n", dir);
		free(list);
		return rc < 0 ? -1 : 1;
	}
	snprintf(file, file_len, "%s", list[newest_here(dir, list, n)].file);
	free(list);
	return 0;
}

/* Whether the record belongs to the namespace we are in. */
static bool same_netns(const struct undo_info *info, bool force)
{
	struct stat st = {0};

	fflush(stdout);
	if (stat("/proc/self/ns/net", &st) == 0 && (uint64_t)st.st_ino == info->netns_ino &&
	    (uint64_t)st.st_dev == info->netns_dev)
		return true;
	fprintf(stderr,
		"ctadvisor undo: this record was made in network namespace %s (inode %llu); "
		"this process is in another one (inode %llu)%s\n",
		info->netns_name[0] ? info->netns_name : "(unnamed)",
		(unsigned long long)info->netns_ino, (unsigned long long)st.st_ino,
		force ? ": --force given, restoring here anyway" : "");
	if (!force)
		fprintf(stderr,
			"Run it there (--netns %s), or add --force to restore these "
			"values in this namespace; nothing was written.\n",
			info->netns_name[0] ? info->netns_name : "NS");
	return force;
}

/* Show current -> original per knob; the number that differ. */
static size_t show_plan(const struct sysctl_ctx *ctx, const struct undo_record *rec)
{
	char cur[SYSCTL_VALUE_LEN];
	size_t differ = 0;

	for (size_t i = 0; i < undo_record_count(rec); i++) {
		const struct sysctl_change *k = undo_record_knob(rec, i);
		int rc = sysctl_read(ctx, k->name, cur, sizeof(cur));

		if (rc < 0) {
			printf("  %-44s unreadable (%s) -> %s\n", k->name, strerror(-rc),
			       k->old_value);
			differ++;
		} else if (sysctl_value_matches(k->name, k->old_value, cur)) {
			printf("  %-44s %s (already the original)\n", k->name, cur);
		} else {
			printf("  %-44s %s -> %s%s\n", k->name, cur, k->old_value,
			       sysctl_value_matches(k->name, k->new_value, cur)
				   ? ""
				   : "  (changed by someone else since)");
			differ++;
		}
	}
	for (size_t i = 0; i < undo_record_file_count(rec); i++) {
		const struct undo_file *f = undo_record_file(rec, i);

		if (!undo_file_differs(f)) {
			printf("  file %s: already as before\n", f->path);
			continue;
		}
		printf("  file %s: %s\n", f->path,
		       f->existed ? "put back its content from before --persist"
				  : "remove (it did not exist before --persist)");
		differ++;
	}
	return differ;
}

static int report_restore(struct undo_record *rec, const char *dir, const char *file, int rc)
{
	int frc = undo_restore_files(rec);

	if (rc == 0)
		rc = frc;
	for (size_t i = 0; i < undo_record_count(rec); i++) {
		const struct sysctl_change *k = undo_record_knob(rec, i);

		printf("  %-44s %s", k->name,
		       k->state == SYSCTL_CHANGE_ROLLED_BACK ? "restored" : "NOT RESTORED");
		if (k->state != SYSCTL_CHANGE_ROLLED_BACK)
			printf(": %s%s%s", strerror(-k->rc), k->got[0] ? ", reads " : "", k->got);
		putchar('\n');
	}
	for (size_t i = 0; i < undo_record_file_count(rec); i++) {
		const struct undo_file *f = undo_record_file(rec, i);

		if (f->restored)
			printf("  file %s %s\n", f->path,
			       f->existed ? "restored (atomically: temp file, fsync, rename)"
					  : "removed (it did not exist before)");
		else
			printf("  file %s NOT RESTORED: %s\n", f->path, strerror(-f->rc));
	}
	if (rc < 0) {
		fprintf(stderr,
			"ctadvisor undo: some values could not be restored; %s/%s is kept "
			"so you can retry\n",
			dir, file);
		return CT_EXIT_FAILED;
	}
	undo_mark_done(dir, file);
	printf("restored; %s marked done\n", file);
	return CT_EXIT_OK;
}

static int restore(const struct undo_args *a, const char *dir, const char *file)
{
	struct undo_record *rec = NULL;
	struct undo_error err;
	struct sysctl_ctx ctx;
	char path[4096 + 320];
	int rc = CT_EXIT_REFUSED;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (undo_load(path, &rec, &err) < 0) {
		fprintf(stderr, "ctadvisor undo: %s is unusable: %s", path, err.msg);
		if (err.line > 0)
			fprintf(stderr, " (line %d, column %d)", err.line, err.column);
		fprintf(stderr, "; nothing was changed\n");
		return CT_EXIT_USAGE;
	}
	sysctl_ctx_init(&ctx, NULL);
	show_record(file, rec);
	if (!same_netns(undo_record_info(rec), a->force))
		goto out;
	if (show_plan(&ctx, rec) == 0) {
		printf("nothing to undo: every knob already has its original value\n");
		undo_mark_done(dir, file);
		rc = CT_EXIT_OK;
	} else if (cmd_confirm("undo", "Restore these values?", "restore", a->yes)) {
		rc = report_restore(rec, dir, file, undo_restore(&ctx, rec));
	}
out:
	undo_record_free(rec);
	return rc;
}

int cmd_undo(int argc, char **argv)
{
	struct netns_switch sw = {.orig_fd = -1};
	struct undo_args a;
	char dir[4096], file[256];
	int rc = parse_undo_args(argc, argv, &a);

	if (rc != 0) {
		if (rc > 0)
			fputs(undo_usage, stdout);
		return rc > 0 ? CT_EXIT_OK : CT_EXIT_USAGE;
	}
	rc = statedir_undo(dir, sizeof(dir));
	if (rc < 0) {
		fprintf(stderr, "ctadvisor undo: cannot use the state directory %s: %s\n",
			statedir_path(), strerror(-rc));
		return CT_EXIT_USAGE;
	}
	if (a.list)
		return list_records(dir);
	if (cmd_netns_enter("undo", a.netns, &sw) < 0)
		return CT_EXIT_USAGE;
	rc = pick_record(&a, dir, sizeof(dir), file, sizeof(file));
	if (rc == 0)
		rc = restore(&a, dir, file);
	else
		rc = rc > 0 ? CT_EXIT_OK : CT_EXIT_USAGE;
	netns_leave(&sw);
	return rc;
}
