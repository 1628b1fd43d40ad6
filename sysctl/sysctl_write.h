/* sysctl_write.h: change netfilter knobs under a sysctl_ctx root, read every
 * value back, and apply a change set in a safe order with rollback.
 * The caller reads the current values (sysctl_changes_diff()) and saves the
 * undo record before calling sysctl_apply(); this layer never prints and
 * reads no clock. The change array is caller-owned; results are written into
 * it (state, rc, got). Errors are negative errno. */
#ifndef CTADVISOR_SYSCTL_WRITE_H
#define CTADVISOR_SYSCTL_WRITE_H

#include <stdbool.h>
#include <stddef.h>

#include "sysctl.h"

#define SYSCTL_NAME_LEN  128
#define SYSCTL_VALUE_LEN 256

enum sysctl_change_state {
	SYSCTL_CHANGE_PENDING = 0,     /* not attempted (yet) */
	SYSCTL_CHANGE_UNCHANGED,       /* current value already the wanted one */
	SYSCTL_CHANGE_APPLIED,         /* written and read back equal */
	SYSCTL_CHANGE_FAILED,          /* write or read-back failed: rc, got */
	SYSCTL_CHANGE_ROLLED_BACK,     /* was written, original restored and verified */
	SYSCTL_CHANGE_ROLLBACK_FAILED, /* restoring the original failed: rc, got */
};

struct sysctl_change {
	char name[SYSCTL_NAME_LEN];       /* dotted knob name */
	char old_value[SYSCTL_VALUE_LEN]; /* original, as read */
	char new_value[SYSCTL_VALUE_LEN]; /* wanted */
	/* Results. */
	enum sysctl_change_state state;
	int rc;                     /* 0, or the error of the last failed step */
	bool is_written;            /* write(2) succeeded: rollback must restore it */
	char got[SYSCTL_VALUE_LEN]; /* value read back by the last step, "" if none */
};

/* Fill a change (name and wanted value; results cleared). -ENAMETOOLONG /
 * -EOVERFLOW when they do not fit, -EINVAL for a value with a newline. */
int sysctl_change_init(struct sysctl_change *c, const char *name, const char *new_value);

/* Write value (plus a newline, in one write(2), as sysctl(8) does). -ENOENT
 * absent, -EACCES/-EPERM read-only here, -EINVAL rejected by the kernel,
 * -EOPNOTSUPP (hashsize outside init_net), -EIO short write. */
int sysctl_write(const struct sysctl_ctx *ctx, const char *name, const char *value);

/* Whether a value read back equals the one written. Numbers compare as
 * numbers ("042" == "42"); the hash-size knobs also accept the kernel's
 * round-up to a whole page of buckets; text compares with blanks trimmed. */
bool sysctl_value_matches(const char *name, const char *wanted, const char *got);

/* Write, read back and compare. On a mismatch returns -EIO and puts what was
 * read in got (len bytes); got is "" when nothing could be read. */
int sysctl_write_verify(const struct sysctl_ctx *ctx, const char *name, const char *value,
			char *got, size_t len);

/* Read every knob's current value into old_value and mark the ones that
 * already hold new_value UNCHANGED, the others PENDING. Stops at the first
 * read error, which is returned and stored in that change's rc. */
int sysctl_changes_diff(const struct sysctl_ctx *ctx, struct sysctl_change *changes, size_t n);

/* Reorder changes (stably) into the order sysctl_apply() writes them; see
 * sysctl_write.c for why. */
void sysctl_changes_order(struct sysctl_change *changes, size_t n);

/* Order, then write and verify each PENDING change. On the first failure
 * every change already written (and the failing one, if its write reached
 * the kernel) is restored to old_value in reverse order and verified.
 * 0 all applied; else the first failure's error. States tell what happened. */
int sysctl_apply(const struct sysctl_ctx *ctx, struct sysctl_change *changes, size_t n);

/* Write old_value back for every change marked is_written, last first, and
 * verify each (ROLLED_BACK or ROLLBACK_FAILED); continues past failures so
 * as much as possible is restored. 0, or the first error. */
int sysctl_rollback(const struct sysctl_ctx *ctx, struct sysctl_change *changes, size_t n);

#endif
