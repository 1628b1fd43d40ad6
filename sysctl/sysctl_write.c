/* sysctl_write.c: write knobs, read them back, apply a change set in a safe
 * order and roll back what was written when a later step fails. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sysctl_write.h"

/* The kernel rounds a new hash size up to a whole page of bucket heads
 * (nf_ct_alloc_hashtable(): PAGE_SIZE / sizeof(struct hlist_nulls_head)):
 * 512 on 4 KiB pages, up to 8192 on 64 KiB pages. */
#define BUCKETS_ROUND_MIN 512
#define BUCKETS_ROUND_MAX 8192

static bool is_hash_knob(const char *name)
{
	return strcmp(name, "net.netfilter.nf_conntrack_buckets") == 0 ||
	       strcmp(name, "module.nf_conntrack.hashsize") == 0;
}

static bool is_max_knob(const char *name)
{
	return strcmp(name, "net.netfilter.nf_conntrack_max") == 0;
}

static int copy_str(char *dst, size_t len, const char *src, int err)
{
	size_t n = strlen(src);

	if (n >= len)
		return err;
	memcpy(dst, src, n + 1);
	return 0;
}

int sysctl_change_init(struct sysctl_change *c, const char *name, const char *new_value)
{
	struct sysctl_change tmp;
	int rc;

	memset(&tmp, 0, sizeof(tmp));
	if (strchr(new_value, '\n') != NULL)
		return -EINVAL;
	rc = copy_str(tmp.name, sizeof(tmp.name), name, -ENAMETOOLONG);
	if (rc == 0)
		rc = copy_str(tmp.new_value, sizeof(tmp.new_value), new_value, -EOVERFLOW);
	if (rc < 0)
		return rc;
	*c = tmp;
	return 0;
}

int sysctl_write(const struct sysctl_ctx *ctx, const char *name, const char *value)
{
	char path[SYSCTL_PATH_LEN];
	char buf[SYSCTL_VALUE_LEN + 1];
	size_t len = strlen(value);
	ssize_t put;
	int fd, rc;

	if (strchr(value, '\n') != NULL || len >= SYSCTL_VALUE_LEN)
		return -EINVAL;
	rc = sysctl_knob_path(ctx, name, path, sizeof(path));
	if (rc < 0)
		return rc;
	/* NOLINTNEXTLINE(bugprone-not-null-terminated-result): sent by length, not a string */
	memcpy(buf, value, len);
	buf[len++] = '\n';
	/* O_TRUNC is a no-op on procfs/sysfs but keeps test trees exact. */
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	put = write(fd, buf, len);
	rc = put < 0 ? -errno : (size_t)put != len ? -EIO : 0;
	if (close(fd) < 0 && rc == 0)
		rc = -errno;
	return rc;
}

/* Copy s without surrounding blanks and newlines; false if it does not fit. */
static bool trim_copy(const char *s, char *out, size_t len)
{
	size_t end = strlen(s);

	while (*s == ' ' || *s == '\t' || *s == '\n')
		s++, end--;
	while (end > 0 && (s[end - 1] == ' ' || s[end - 1] == '\t' || s[end - 1] == '\n'))
		end--;
	if (end >= len)
		return false;
	memcpy(out, s, end);
	out[end] = '\0';
	return true;
}

static bool hash_rounded(int64_t want, int64_t got)
{
	for (int64_t g = BUCKETS_ROUND_MIN; g <= BUCKETS_ROUND_MAX; g *= 2)
		if (want > 0 && want <= INT64_MAX - g && got == (want + g - 1) / g * g)
			return true;
	return false;
}

bool sysctl_value_matches(const char *name, const char *wanted, const char *got)
{
	char w[SYSCTL_VALUE_LEN], g[SYSCTL_VALUE_LEN];
	int64_t wv, gv;

	if (!trim_copy(wanted, w, sizeof(w)) || !trim_copy(got, g, sizeof(g)))
		return strcmp(wanted, got) == 0;
	if (sysctl_parse_i64(w, strlen(w), &wv) == 0 && sysctl_parse_i64(g, strlen(g), &gv) == 0)
		return wv == gv || (is_hash_knob(name) && hash_rounded(wv, gv));
	return strcmp(w, g) == 0;
}

/* Write value into c's knob and read it back into c->got; *written tells
 * whether the kernel accepted the write (then it must be undone on error). */
static int write_then_verify(const struct sysctl_ctx *ctx, struct sysctl_change *c,
			     const char *value, bool *written)
{
	char got[SYSCTL_VALUE_LEN];
	int rc = sysctl_write(ctx, c->name, value);

	*written = rc == 0;
	c->got[0] = '\0';
	if (rc < 0)
		return rc;
	rc = sysctl_read(ctx, c->name, got, sizeof(got));
	if (rc < 0)
		return rc;
	memcpy(c->got, got, sizeof(got));
	return sysctl_value_matches(c->name, value, got) ? 0 : -EIO;
}

int sysctl_write_verify(const struct sysctl_ctx *ctx, const char *name, const char *value,
			char *got, size_t len)
{
	struct sysctl_change c;
	bool written;
	int rc;

	if (copy_str(c.name, sizeof(c.name), name, -ENAMETOOLONG) < 0)
		return -ENAMETOOLONG;
	rc = write_then_verify(ctx, &c, value, &written);
	if (len > 0 && copy_str(got, len, c.got, -EOVERFLOW) < 0)
		got[0] = '\0';
	return rc;
}

int sysctl_changes_diff(const struct sysctl_ctx *ctx, struct sysctl_change *changes, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct sysctl_change *c = &changes[i];
		int rc = sysctl_read(ctx, c->name, c->old_value, sizeof(c->old_value));

		c->rc = rc;
		if (rc < 0) {
			c->state = SYSCTL_CHANGE_FAILED;
			return rc;
		}
		c->state = sysctl_value_matches(c->name, c->new_value, c->old_value)
			       ? SYSCTL_CHANGE_UNCHANGED
			       : SYSCTL_CHANGE_PENDING;
	}
	return 0;
}

/* Whether the change set makes the table bigger: decided by max when it is
 * in the set, else by the hash size. */
static bool set_grows(const struct sysctl_change *changes, size_t n)
{
	const struct sysctl_change *hash = NULL;
	int64_t o, w;

	for (size_t i = 0; i < n; i++) {
		const struct sysctl_change *c = &changes[i];

		if (is_max_knob(c->name) &&
		    sysctl_parse_i64(c->old_value, strlen(c->old_value), &o) == 0 &&
		    sysctl_parse_i64(c->new_value, strlen(c->new_value), &w) == 0)
			return w == 0 || (o != 0 && w > o); /* 0 means unlimited */
		if (is_hash_knob(c->name))
			hash = c;
	}
	if (hash == NULL || sysctl_parse_i64(hash->old_value, strlen(hash->old_value), &o) < 0 ||
	    sysctl_parse_i64(hash->new_value, strlen(hash->new_value), &w) < 0)
		return true;
	return w >= o;
}

/*
 * The write order, lowest rank first:
 *  0  net.netfilter.nf_log.*: bind the logger before log_invalid turns
 *     reports on, so none goes to the wrong backend; a rollback (reverse
 *     order) turns the reports off before it unbinds.
 *  1  every other per-netns knob (timeouts, acct, timestamp, log_invalid,
 *     tcp_*): cheap, immediate, and trivially undone, so a refusal there
 *     (e.g. a read-only /proc/sys in a container) costs nothing to roll back.
 *  2,3 the global sizing knobs, last because the hash resize takes every
 *     conntrack lock and rehashes the whole table: the one step that is
 *     expensive to do and to undo. The resize does not touch max, so their
 *     order is free; we keep the chains (max / buckets) short at every step:
 *     growing, buckets first, then max; shrinking, max first, then buckets.
 */
static int change_rank(const struct sysctl_change *c, bool grows)
{
	if (strncmp(c->name, "net.netfilter.nf_log.", 21) == 0)
		return 0;
	if (is_hash_knob(c->name))
		return grows ? 2 : 3;
	if (is_max_knob(c->name))
		return grows ? 3 : 2;
	return 1;
}

void sysctl_changes_order(struct sysctl_change *changes, size_t n)
{
	bool grows = set_grows(changes, n);

	/* Insertion sort: stable, and change sets are a handful of knobs. */
	for (size_t i = 1; i < n; i++) {
		struct sysctl_change tmp = changes[i];
		int r = change_rank(&tmp, grows);
		size_t j = i;

		while (j > 0 && change_rank(&changes[j - 1], grows) > r) {
			changes[j] = changes[j - 1];
			j--;
		}
		changes[j] = tmp;
	}
}

int sysctl_rollback(const struct sysctl_ctx *ctx, struct sysctl_change *changes, size_t n)
{
	int first = 0;

	for (size_t i = n; i > 0; i--) {
		struct sysctl_change *c = &changes[i - 1];
		bool written;
		int rc;

		if (!c->is_written)
			continue;
		rc = write_then_verify(ctx, c, c->old_value, &written);
		if (rc < 0) {
			c->state = SYSCTL_CHANGE_ROLLBACK_FAILED;
			c->rc = rc;
			if (first == 0)
				first = rc;
			continue;
		}
		c->is_written = false;
		if (c->state == SYSCTL_CHANGE_APPLIED)
			c->state = SYSCTL_CHANGE_ROLLED_BACK;
	}
	return first;
}

int sysctl_apply(const struct sysctl_ctx *ctx, struct sysctl_change *changes, size_t n)
{
	sysctl_changes_order(changes, n);
	for (size_t i = 0; i < n; i++) {
		struct sysctl_change *c = &changes[i];
		int rc;

		if (c->state != SYSCTL_CHANGE_PENDING)
			continue;
		rc = write_then_verify(ctx, c, c->new_value, &c->is_written);
		if (rc < 0) {
			c->state = SYSCTL_CHANGE_FAILED;
			c->rc = rc;
			sysctl_rollback(ctx, changes, i + 1);
			return rc;
		}
		c->state = SYSCTL_CHANGE_APPLIED;
		c->rc = 0;
	}
	return 0;
}
