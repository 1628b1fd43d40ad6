/* watch_invalid_knobs.c: the three settings `watch --invalid` changes for
 * its run, guarded: read the originals, save the undo record, write, and
 * at the end write every original back and close the record. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "statedir.h"
#include "watch_invalid_knobs.h"

#define KNOB_LOG_INVALID "net.netfilter.nf_conntrack_log_invalid"
#define KNOB_LOGGER_V4   "net.netfilter.nf_log.2"
#define KNOB_LOGGER_V6   "net.netfilter.nf_log.10"
#define LOGGER_NFLOG     "nfnetlink_log"

/* The three knobs and what the run wants in them; reads the originals. */
int invalid_knobs_read(struct invalid_knobs *k, unsigned log_proto)
{
	char proto[8];
	int rc;

	snprintf(proto, sizeof(proto), "%u", log_proto);
	rc = sysctl_ctx_init(&k->ctx, NULL);
	if (rc == 0)
		rc = sysctl_change_init(&k->ch[0], KNOB_LOGGER_V4, LOGGER_NFLOG);
	if (rc == 0)
		rc = sysctl_change_init(&k->ch[1], KNOB_LOGGER_V6, LOGGER_NFLOG);
	if (rc == 0)
		rc = sysctl_change_init(&k->ch[2], KNOB_LOG_INVALID, proto);
	k->n_ch = 3;
	if (rc == 0)
		rc = sysctl_changes_diff(&k->ctx, k->ch, k->n_ch);
	if (rc < 0) {
		fprintf(stderr, "ctadvisor watch: cannot read the logging settings: %s%s\n",
			strerror(-rc),
			rc == -ENOENT ? " (is conntrack loaded in this namespace?)" : "");
		return rc;
	}
	sysctl_changes_order(k->ch, k->n_ch);
	return 0;
}

/* An unfinished watch-invalid record for this namespace: an earlier run
 * was killed and its values are still in place. */
static bool ik_pending_record(const char *dir, const struct undo_info *me, char *file, size_t len)
{
	struct undo_entry *e = NULL;
	bool found = false;
	size_t n = 0;

	if (undo_list(dir, &e, &n) < 0)
		return false;
	for (size_t i = 0; i < n && !found; i++) {
		struct undo_record *rec = NULL;
		struct undo_error uerr;
		char path[SYSCTL_PATH_LEN + UNDO_FILE_LEN + 2];

		snprintf(path, sizeof(path), "%s/%s", dir, e[i].file);
		if (undo_load(path, &rec, &uerr) < 0)
			continue;
		const struct undo_info *in = undo_record_info(rec);

		found = in->command == UNDO_CMD_WATCH_INVALID && in->netns_ino == me->netns_ino &&
			in->netns_dev == me->netns_dev;
		if (found)
			snprintf(file, len, "%s", e[i].file);
		undo_record_free(rec);
	}
	free(e);
	return found;
}

static size_t ik_pending_count(const struct invalid_knobs *k)
{
	size_t n = 0;

	for (size_t i = 0; i < k->n_ch; i++)
		n += k->ch[i].state == SYSCTL_CHANGE_PENDING;
	return n;
}

static int ik_undo_info(const struct invalid_knobs *k, struct undo_info *info)
{
	struct stat st;

	memset(info, 0, sizeof(*info));
	info->time_s = (int64_t)time(NULL);
	info->command = UNDO_CMD_WATCH_INVALID;
	snprintf(info->netns_name, sizeof(info->netns_name), "%s", k->netns);
	if (stat("/proc/thread-self/ns/net", &st) < 0)
		return -errno;
	info->netns_ino = st.st_ino;
	info->netns_dev = st.st_dev;
	return 0;
}

/* Refuse to stack on an earlier run's leftovers, then save the record. */
int invalid_knobs_save_undo(struct invalid_knobs *k)
{
	struct undo_info info = {0};
	struct undo_record *rec = NULL;
	char old[UNDO_FILE_LEN];
	int rc = statedir_undo(k->undo_dir, sizeof(k->undo_dir));

	if (rc == 0)
		rc = ik_undo_info(k, &info);
	if (rc < 0) {
		fprintf(stderr, "ctadvisor watch: cannot prepare the undo record in %s: %s\n",
			k->undo_dir, strerror(-rc));
		return rc;
	}
	if (!k->force && ik_pending_record(k->undo_dir, &info, old, sizeof(old))) {
		fprintf(stderr,
			"ctadvisor watch: an earlier 'watch --invalid' in this namespace did not "
			"restore its settings (undo record %s/%s).\n"
			"Run 'ctadvisor undo' first, or --force to take the current values as the "
			"originals.\n",
			k->undo_dir, old);
		return -EEXIST;
	}
	if (ik_pending_count(k) == 0)
		return 0; /* nothing will be written: nothing to undo */
	rec = undo_record_new(&info);
	rc = rec != NULL ? undo_record_add_changes(rec, k->ch, k->n_ch) : -ENOMEM;
	if (rc == 0)
		rc = undo_save(k->undo_dir, rec, k->undo_file, sizeof(k->undo_file));
	undo_record_free(rec);
	if (rc < 0) {
		fprintf(stderr,
			"ctadvisor watch: cannot save the undo record in %s: %s; nothing "
			"was changed\n",
			k->undo_dir, strerror(-rc));
		return rc;
	}
	k->has_undo = true;
	return 0;
}

static const char *ik_state_name(enum sysctl_change_state s)
{
	switch (s) {
	case SYSCTL_CHANGE_UNCHANGED:
		return "unchanged";
	case SYSCTL_CHANGE_APPLIED:
		return "set";
	case SYSCTL_CHANGE_FAILED:
		return "FAILED";
	case SYSCTL_CHANGE_ROLLED_BACK:
		return "restored";
	case SYSCTL_CHANGE_ROLLBACK_FAILED:
		return "NOT RESTORED";
	default:
		return "not attempted";
	}
}

/* What to run by hand when a value could not be written back. */
static void ik_restore_advice(const struct invalid_knobs *k)
{
	const char *ns = k->netns;

	fprintf(stderr, "ctadvisor watch: some settings were NOT restored. Run:\n");
	if (k->has_undo)
		fprintf(stderr, "  CTADVISOR_STATE_DIR=%s ctadvisor undo   (record %s)\nor:\n",
			statedir_path(), k->undo_file);
	for (size_t i = k->n_ch; i-- > 0;) {
		const struct sysctl_change *c = &k->ch[i];

		if (c->state != SYSCTL_CHANGE_ROLLBACK_FAILED)
			continue;
		fprintf(stderr, "  %s%s%ssysctl -w %s=%s   (now '%s': %s)\n",
			ns[0] ? "ip netns exec " : "", ns, ns[0] ? " " : "", c->name, c->old_value,
			c->got, strerror(-c->rc));
	}
}

static void ik_report_apply_failure(const struct invalid_knobs *k, int rc)
{
	fprintf(stderr, "ctadvisor watch: cannot change the logging settings: %s\n", strerror(-rc));
	for (size_t i = 0; i < k->n_ch; i++) {
		const struct sysctl_change *c = &k->ch[i];

		fprintf(stderr, "  %s: '%s' -> '%s': %s%s%s\n", c->name, c->old_value, c->new_value,
			ik_state_name(c->state), c->rc ? ": " : "", c->rc ? strerror(-c->rc) : "");
	}
}

/* Write every original back (last first), verify, close the record. */
int invalid_knobs_restore(struct invalid_knobs *k)
{
	int rc = sysctl_rollback(&k->ctx, k->ch, k->n_ch);

	if (rc < 0) {
		ik_restore_advice(k);
		return rc;
	}
	if (k->has_undo && (rc = undo_mark_done(k->undo_dir, k->undo_file)) < 0)
		fprintf(stderr,
			"ctadvisor watch: settings restored, but the undo record %s/%s could not "
			"be closed (%s): 'ctadvisor undo' would write the same values again\n",
			k->undo_dir, k->undo_file, strerror(-rc));
	return 0;
}

/* Apply the changes; on failure sysctl_apply() has rolled back already. */
int invalid_knobs_apply(struct invalid_knobs *k)
{
	int rc = sysctl_apply(&k->ctx, k->ch, k->n_ch);
	bool is_clean = true;

	if (rc == 0)
		return 0;
	ik_report_apply_failure(k, rc);
	for (size_t i = 0; i < k->n_ch; i++)
		is_clean &= k->ch[i].state != SYSCTL_CHANGE_ROLLBACK_FAILED;
	if (!is_clean)
		ik_restore_advice(k);
	else if (k->has_undo)
		undo_mark_done(k->undo_dir, k->undo_file);
	return rc;
}
