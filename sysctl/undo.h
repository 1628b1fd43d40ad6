/* undo.h: the undo record: which knobs a command changed and their original
 * values, saved durably BEFORE the first knob is written, so `ctadvisor
 * undo` can restore them after a failure, a crash or a SIGKILL. One JSON
 * file per record ("undo-<time>-<seq>.json") in a directory the caller
 * names, written atomically and never overwritten:
 *
 *   {"version": 1, "time": 1700000000, "command": "apply",
 *    "netns": {"name": "lab1", "inode": 4026532000, "dev": 4},
 *    "knobs": [{"name": "net.netfilter.nf_conntrack_acct",
 *               "original": "0", "new": "1"}],
 *    "files": [{"path": "/etc/sysctl.d/90-ctadvisor.conf",
 *               "original": "# ...\nnet.netfilter.nf_conntrack_acct = 0\n"},
 *              {"path": "/etc/modules-load.d/ctadvisor-nf_conntrack.conf",
 *               "original": null}]}
 *
 * "files" (optional: records without it, as older versions wrote them, load
 * the same) lists the boot configuration files `apply --persist` writes,
 * with their content before (null: the file did not exist), so undo puts
 * them back too. A record may hold files and no knobs (persisting values
 * that were already running), never neither.
 *
 * Loading is strict (no missing, extra, duplicate or mistyped field; knob
 * names only under net.netfilter. and module.nf_conntrack.) and a rejected
 * record changes nothing. No clock here: the caller passes the time.
 * Errors are negative errno; nothing is printed. */
#ifndef CTADVISOR_UNDO_H
#define CTADVISOR_UNDO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sysctl_write.h"

#define UNDO_VERSION        1
#define UNDO_NETNS_NAME_LEN 256
#define UNDO_FILE_LEN       64
#define UNDO_MAX_BYTES      ((size_t)1024 * 1024)
#define UNDO_PATH_LEN       4096
#define UNDO_FILE_MAX_BYTES ((size_t)256 * 1024) /* one file's saved content */

enum undo_command {
	UNDO_CMD_APPLY,         /* "apply" */
	UNDO_CMD_WATCH_INVALID, /* "watch-invalid" */
};

struct undo_info {
	int64_t time_s; /* Unix seconds, >= 0 */
	enum undo_command command;
	char netns_name[UNDO_NETNS_NAME_LEN]; /* "" when not named */
	uint64_t netns_ino, netns_dev;        /* st_ino/st_dev of /proc/self/ns/net */
};

/* Why a record was rejected: line/column (1-based) of a JSON syntax error,
 * 0/0 when the JSON parsed but a field is wrong (msg then names it). */
struct undo_error {
	int line, column;
	char msg[256];
};

struct undo_record; /* opaque: info + knobs in write order */

/* NULL: ENOMEM. */
struct undo_record *undo_record_new(const struct undo_info *info);
void undo_record_free(struct undo_record *rec); /* NULL: no-op */

/* Append a knob. -EINVAL name outside net.netfilter./module.nf_conntrack.
 * or with bad characters, value with a newline; -ENAMETOOLONG, -EOVERFLOW;
 * -ENOMEM. */
int undo_record_add(struct undo_record *rec, const char *name, const char *original,
		    const char *new_value);
/* Append every PENDING change (those sysctl_apply() will write), in order.
 * Call sysctl_changes_order() first: the record then lists the knobs in
 * write order and undo_restore() walks them back last-first. */
int undo_record_add_changes(struct undo_record *rec, const struct sysctl_change *changes, size_t n);

/* One boot configuration file the command wrote. */
struct undo_file {
	char path[UNDO_PATH_LEN]; /* absolute */
	bool existed;             /* false: restore means unlink */
	char *original;           /* content before (NUL-terminated), NULL when !existed */
	size_t len;
	int rc;        /* undo_restore_files(): 0 or -errno */
	bool restored; /* undo_restore_files() put it back */
};

/* Record path with its content before (original NULL: it did not exist).
 * -EINVAL path not absolute, with "..", or whose base name is not a
 * ctadvisor "*.conf" file (undo never writes other files), or content with
 * a NUL byte; -EFBIG over UNDO_FILE_MAX_BYTES; -EEXIST path already
 * recorded; -ENAMETOOLONG; -ENOMEM. */
int undo_record_add_file(struct undo_record *rec, const char *path, const char *original,
			 size_t len);
/* The same with the file's current content read from disk (absent:
 * recorded as not existing). Also -errno of reading it. */
int undo_record_add_file_now(struct undo_record *rec, const char *path);
size_t undo_record_file_count(const struct undo_record *rec);
const struct undo_file *undo_record_file(const struct undo_record *rec, size_t i);

/* Borrowed, valid until rec is freed. Knob states hold undo_restore()'s
 * results. */
const struct undo_info *undo_record_info(const struct undo_record *rec);
size_t undo_record_count(const struct undo_record *rec);
const struct sysctl_change *undo_record_knob(const struct undo_record *rec, size_t i);

const char *undo_command_name(enum undo_command cmd);
/* -EINVAL unknown name. */
int undo_command_parse(const char *s, enum undo_command *out);

/* Save as a new file in dir (never replacing one); its name goes to file.
 * -EINVAL no knob and no file or negative time, -ERANGE inode/dev above INT64_MAX,
 * -EEXIST 1000 records in the same second, -ENAMETOOLONG len below 35,
 * errors of persist_write_file(). The directory must exist. */
int undo_save(const char *dir, const struct undo_record *rec, char *file, size_t len);

/* Load and validate. -ENOENT/-EACCES, -EFBIG over UNDO_MAX_BYTES, -EBADMSG
 * not JSON or truncated (line/column set), -EINVAL wrong shape or value,
 * -EPROTONOSUPPORT unknown version, -ENOMEM; err filled on every failure. */
int undo_load(const char *path, struct undo_record **out, struct undo_error *err);

struct undo_entry {
	char file[UNDO_FILE_LEN];
	int64_t time_s;
	unsigned int seq;
};

/* Records in dir, newest first, from their file names (a corrupt record is
 * listed too; undo_load() says what is wrong). *entries is malloc'd (NULL
 * when *n is 0). Done records are not listed. -errno of opendir, -ENOMEM. */
int undo_list(const char *dir, struct undo_entry **entries, size_t *n);

/* Write every original back, last knob first, verifying each, and carry on
 * past failures. Each knob ends ROLLED_BACK or ROLLBACK_FAILED (rc, got).
 * 0, or the first error. */
int undo_restore(const struct sysctl_ctx *ctx, struct undo_record *rec);

/* Put every recorded file back, last first: its original content written
 * atomically (temp file, fsync, rename, mode 0644), or unlinked when it did
 * not exist (already gone counts as done). Each file gets rc/restored;
 * carries on past failures. 0, or the first error. */
int undo_restore_files(struct undo_record *rec);
/* Whether a recorded file differs from its original now (content, or
 * present when it did not exist). An unreadable file counts as differing. */
bool undo_file_differs(const struct undo_file *f);

/* After a successful restore: rename FILE to FILE.done (kept for the
 * record, no longer listed) and fsync dir. -EINVAL not a record name. */
int undo_mark_done(const char *dir, const char *file);

#endif
