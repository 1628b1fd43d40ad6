/* cmd_apply.c: `ctadvisor apply`: build the change set, show it as a diff,
 * confirm, save the undo record, write in the safe order with read-back and
 * rollback (sysctl_apply()), then persist and point at the flows a newly
 * enabled extension does not reach. Nothing is written before the undo
 * record is on disk, and nothing at all when a knob is read-only here.
 * The options and the plan file are read in apply_args.c. */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "apply_args.h"
#include "apply_guard.h"
#include "apply_persist.h"
#include "cli.h"
#include "cmd.h"
#include "../analysis/ruleset.h"
#include "../nl/flush_nl.h"
#include "../collect/netns.h"
#include "statedir.h"
#include "../sysctl/undo.h"

static const char *why_of(const struct apply_args *a, const char *name)
{
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->changes[i].name, name) == 0)
			return a->why[i];
	return "";
}

static void show_diff(const struct apply_args *a, const struct sysctl_change *w, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (w[i].state == SYSCTL_CHANGE_UNCHANGED)
			printf("  %-44s %s (already)\n", w[i].name, w[i].old_value);
		else
			printf("  %-44s %s -> %s  (%s)\n", w[i].name, w[i].old_value,
			       w[i].new_value, why_of(a, w[i].name));
	}
}

static int diff_changes(const struct sysctl_ctx *ctx, struct sysctl_change *w, size_t n)
{
	int rc = sysctl_changes_diff(ctx, w, n);

	if (rc == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (w[i].state == SYSCTL_CHANGE_FAILED)
			fprintf(stderr, "ctadvisor apply: cannot read %s: %s%s\n", w[i].name,
				strerror(-rc),
				rc == -ENOENT ? " (not on this kernel, or nf_conntrack not loaded)"
					      : "");
	return -1;
}

static void global_hint(const struct sysctl_change *c, const char *netns)
{
	fprintf(stderr,
		"ctadvisor apply: %s is global: the kernel makes it read-only outside the "
		"initial network namespace, and this is another one (%s). It sizes the table "
		"of every namespace, so run this in the host namespace instead:\n",
		c->name, netns ? netns : "a container's?");
	if (strcmp(c->name, APPLY_HASHSIZE) == 0)
		fprintf(stderr,
			"    ctadvisor apply --set %s=%s   (or: echo %s > "
			"/sys/module/nf_conntrack/parameters/hashsize)\n",
			c->name, c->new_value, c->new_value);
	else
		fprintf(stderr, "    ctadvisor apply --set %s=%s   (or: sysctl -w %s=%s)\n",
			c->name, c->new_value, c->name, c->new_value);
}

/* How many pending changes cannot be written here (each explained). */
static int count_read_only(const struct sysctl_ctx *ctx, const struct sysctl_change *w, size_t n,
			   const char *netns)
{
	bool is_init = netns_is_init(ctx);
	int refused = 0;

	fflush(stdout);
	for (size_t i = 0; i < n; i++) {
		if (w[i].state != SYSCTL_CHANGE_PENDING)
			continue;
		if (sysctl_is_global(w[i].name) && !is_init) {
			global_hint(&w[i], netns);
			refused++;
		} else if (!sysctl_is_writable(ctx, w[i].name)) {
			fprintf(stderr, "ctadvisor apply: %s is read-only here: %s\n", w[i].name,
				geteuid() != 0 ? "run as root"
					       : "/proc/sys is mounted read-only (a container?)");
			refused++;
		}
	}
	if (refused > 0)
		fprintf(stderr, "ctadvisor apply: nothing was written\n");
	return refused;
}

static int save_undo(const struct apply_args *a, const struct sysctl_change *w, size_t n, char *dir,
		     size_t dir_len, char *file, size_t file_len)
{
	struct undo_info info = {.time_s = time(NULL), .command = UNDO_CMD_APPLY};
	struct undo_record *rec = NULL;
	struct stat st;
	int rc = statedir_undo(dir, dir_len);

	if (rc == 0 && stat("/proc/self/ns/net", &st) < 0)
		rc = -errno;
	if (rc == 0) {
		info.netns_ino = st.st_ino;
		info.netns_dev = st.st_dev;
		snprintf(info.netns_name, sizeof(info.netns_name), "%s", a->netns ? a->netns : "");
		rec = undo_record_new(&info);
		rc = rec == NULL ? -ENOMEM : undo_record_add_changes(rec, w, n);
	}
	/* The files --persist will write, with their content now. */
	if (rc == 0 && a->persist)
		rc = apply_persist_record(&a->files, rec);
	if (rc == 0)
		rc = undo_save(dir, rec, file, file_len);
	undo_record_free(rec);
	if (rc < 0)
		fprintf(stderr,
			"ctadvisor apply: cannot save the undo record in %s: %s; nothing "
			"was written\n",
			dir, strerror(-rc));
	return rc;
}

static const char *state_text(const struct sysctl_change *c)
{
	switch (c->state) {
	case SYSCTL_CHANGE_APPLIED:
		return "applied";
	case SYSCTL_CHANGE_FAILED:
		return "FAILED";
	case SYSCTL_CHANGE_ROLLED_BACK:
		return "rolled back";
	case SYSCTL_CHANGE_ROLLBACK_FAILED:
		return "ROLLBACK FAILED";
	case SYSCTL_CHANGE_UNCHANGED:
		return "unchanged";
	default:
		return "not attempted";
	}
}

static void print_results(const struct sysctl_change *w, size_t n, FILE *out)
{
	for (size_t i = 0; i < n; i++) {
		const struct sysctl_change *c = &w[i];

		fprintf(out, "  %-44s %s", c->name, state_text(c));
		if (c->rc < 0)
			fprintf(out, ": %s", strerror(-c->rc));
		if (c->got[0] != '\0')
			fprintf(out, " (reads %s)", c->got);
		fputc('\n', out);
	}
}

static int report_failure(const struct sysctl_change *w, size_t n, const char *dir,
			  const char *file, const char *netns)
{
	bool all_back = true;

	fprintf(stderr, "ctadvisor apply: a write failed; what was written is being restored:\n");
	print_results(w, n, stderr);
	for (size_t i = 0; i < n; i++)
		all_back = all_back && w[i].state != SYSCTL_CHANGE_ROLLBACK_FAILED;
	if (all_back) {
		undo_mark_done(dir, file);
		fprintf(stderr, "ctadvisor apply: every value written was restored and verified; "
				"the kernel is as before\n");
	} else {
		fprintf(stderr,
			"ctadvisor apply: some originals could not be restored; the undo "
			"record keeps them: ctadvisor undo%s%s %s\n",
			netns ? " --netns " : "", netns ? netns : "", file);
	}
	return CT_EXIT_FAILED;
}

/* The extension filter for flows that a just-enabled acct/timestamp does
 * not reach, or NULL. Only knobs this run changes (applied, or pending in a
 * dry run) count: acct already 1 leaves no flow without counters. */
static const char *ext_filter(const struct sysctl_change *w, size_t n)
{
	const char *f = NULL;

	for (size_t i = 0; i < n; i++) {
		if (strcmp(w[i].new_value, "1") != 0 ||
		    (w[i].state != SYSCTL_CHANGE_APPLIED && w[i].state != SYSCTL_CHANGE_PENDING))
			continue;
		if (strcmp(w[i].name, APPLY_ACCT) == 0)
			return "no-acct";
		if (strcmp(w[i].name, APPLY_TSTAMP) == 0)
			f = "no-tstamp";
	}
	return f;
}

static int offer_flush(const struct apply_args *a, const struct sysctl_change *w, size_t n)
{
	const char *name = ext_filter(w, n);
	char cmd[] = "flush", opt[32], yes[] = "--yes";
	char *argv[] = {cmd, opt, yes, NULL};
	struct flush_filter f;
	struct flush_scan s;

	if (name == NULL)
		return CT_EXIT_OK;
	flush_filter_init(&f);
	if (flush_filter_set(&f, name, NULL) < 0 || flush_scan_table(&f, &s) < 0 || s.matched == 0)
		return CT_EXIT_OK;
	snprintf(opt, sizeof(opt), "--%s", name);
	printf("note: the kernel adds %s only to flows created from now on; %llu existing flows "
	       "lack them and will until they expire\n",
	       strcmp(name, "no-acct") == 0 ? "counters" : "timestamps",
	       (unsigned long long)s.matched);
	if (!a->flush) {
		printf("to delete those flows now: ctadvisor flush %s%s%s --yes\n", opt,
		       a->netns ? " --netns " : "", a->netns ? a->netns : "");
		return CT_EXIT_OK;
	}
	if (!a->yes)
		argv[2] = NULL;
	return cmd_flush(argv[2] ? 3 : 2, argv);
}

/* After the knobs: persist, the flows a new extension misses. */
static int finish(const struct apply_args *a, const struct sysctl_change *w, size_t n)
{
	if (a->dry_run) {
		for (size_t i = 0; a->persist && i < a->files.n; i++)
			printf("dry run: would %s %s/%s\n",
			       a->files.files[i].is_changed ? "write" : "keep (already so)",
			       a->files.files[i].dir, a->files.files[i].name);
		return CT_EXIT_OK;
	}
	if (a->persist && apply_persist_write(&a->files) < 0) {
		fprintf(stderr,
			"ctadvisor apply: the running values are set but not persisted; the undo "
			"record restores the running values and the files (ctadvisor undo)\n");
		return CT_EXIT_USAGE;
	}
	return offer_flush(a, w, n);
}

/* Only the boot files change: their own undo record, then write them. */
static int persist_only(struct apply_args *a, const struct sysctl_change *w, size_t n)
{
	char dir[4096], file[UNDO_FILE_LEN];

	if (a->dry_run || !a->persist || apply_persist_changed(&a->files) == 0)
		return finish(a, w, n);
	if (!cmd_confirm("apply", "Write these boot configuration files?", "apply", a->yes))
		return CT_EXIT_REFUSED;
	if (save_undo(a, w, n, dir, sizeof(dir), file, sizeof(file)) < 0)
		return CT_EXIT_USAGE;
	printf("undo record: %s/%s (ctadvisor undo restores the files)\n", dir, file);
	return finish(a, w, n);
}

static size_t count_pending(const struct sysctl_change *w, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += w[i].state == SYSCTL_CHANGE_PENDING;
	return k;
}

/* SIGINT, SIGTERM and SIGHUP wait while the undo record is saved and the
 * knobs are written and verified, so that an interrupted apply leaves every
 * knob applied or every knob restored, never some of each. */
static const int apply_signals[] = {SIGINT, SIGTERM, SIGHUP};
#define N_APPLY_SIGNALS (sizeof(apply_signals) / sizeof(apply_signals[0]))

static void block_signals(sigset_t *old)
{
	sigset_t set;

	sigemptyset(&set);
	for (size_t i = 0; i < N_APPLY_SIGNALS; i++)
		sigaddset(&set, apply_signals[i]);
	sigprocmask(SIG_BLOCK, &set, old);
}

/* The first blocked signal that arrived and would end the process (an
 * ignored one, as under nohup, would not), or 0. */
static int pending_signal(void)
{
	struct sigaction sa;
	sigset_t set;

	if (sigpending(&set) < 0)
		return 0;
	for (size_t i = 0; i < N_APPLY_SIGNALS; i++) {
		int sig = apply_signals[i];

		if (sigismember(&set, sig) == 1 && sigaction(sig, NULL, &sa) == 0 &&
		    sa.sa_handler != SIG_IGN)
			return sig;
	}
	return 0;
}

static const char *signal_name(int sig)
{
	return sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "SIGHUP";
}

/* Deliver what was held back: a pending signal ends the process here with
 * its usual status, so flush what the user must read first. */
static int unblock_signals(const sigset_t *old, int rc)
{
	fflush(stdout);
	fflush(stderr);
	sigprocmask(SIG_SETMASK, old, NULL);
	return rc;
}

/* Interrupted while writing: every write verified, now put the originals
 * back (the user asked to stop, and the contract is "restored").
 * The undo record goes only when all came back. */
static int restore_interrupted(const struct sysctl_ctx *ctx, struct sysctl_change *w, size_t n,
			       int sig, const char *dir, const char *file, const char *netns)
{
	int rc = sysctl_rollback(ctx, w, n);

	fprintf(stderr,
		"ctadvisor apply: interrupted (%s) while writing; restoring every value "
		"written:\n",
		signal_name(sig));
	print_results(w, n, stderr);
	if (rc == 0) {
		undo_mark_done(dir, file);
		fprintf(stderr, "ctadvisor apply: every value written was restored and verified; "
				"the kernel is as before\n");
	} else {
		fprintf(stderr,
			"ctadvisor apply: some originals could not be restored; the undo "
			"record keeps them: ctadvisor undo%s%s %s\n",
			netns ? " --netns " : "", netns ? netns : "", file);
	}
	return CT_EXIT_FAILED;
}

/* Save the undo record, write and verify, with the signals held; see
 * block_signals(). CT_EXIT_OK when every knob is applied and verified. */
static int write_guarded(const struct apply_args *a, const struct sysctl_ctx *ctx,
			 struct sysctl_change *w, size_t n, char *dir, size_t dir_len, char *file,
			 size_t file_len)
{
	sigset_t old;
	int rc, sig;

	block_signals(&old);
	if (save_undo(a, w, n, dir, dir_len, file, file_len) < 0)
		return unblock_signals(&old, CT_EXIT_USAGE);
	if ((sig = pending_signal()) != 0) {
		undo_mark_done(dir, file);
		fprintf(stderr,
			"ctadvisor apply: interrupted (%s) before writing; nothing was written\n",
			signal_name(sig));
		return unblock_signals(&old, CT_EXIT_REFUSED);
	}
	rc = sysctl_apply(ctx, w, n);
	if (rc < 0)
		rc = report_failure(w, n, dir, file, a->netns);
	else if ((sig = pending_signal()) != 0)
		rc = restore_interrupted(ctx, w, n, sig, dir, file, a->netns);
	else
		rc = CT_EXIT_OK;
	return unblock_signals(&old, rc);
}

static int run_apply(struct apply_args *a, struct sysctl_change *w, size_t n)
{
	char dir[4096], file[UNDO_FILE_LEN];
	struct sysctl_ctx ctx;
	int rc;

	sysctl_ctx_init(&ctx, NULL);
	if (diff_changes(&ctx, w, n) < 0)
		return CT_EXIT_USAGE;
	sysctl_changes_order(w, n);
	show_diff(a, w, n);
	if (a->persist && !netns_is_init(&ctx)) {
		fprintf(stderr,
			"ctadvisor apply: --persist writes the host's boot configuration, "
			"which applies to the initial network namespace, not this one; "
			"persist a container's settings in its own runtime configuration\n");
		return CT_EXIT_USAGE;
	}
	if (a->persist && (rc = apply_persist_prepare(w, n, &a->dirs, &a->files)) < 0) {
		fprintf(stderr,
			"ctadvisor apply: cannot prepare the --persist files: %s; nothing "
			"was written\n",
			strerror(-rc));
		return CT_EXIT_USAGE;
	}
	/* Before asking: who else will overwrite these values. */
	apply_warn_owners(w, n, &a->dirs, a->persist);
	if (count_pending(w, n) == 0) {
		printf("nothing to do: every knob already has the wanted value\n");
		return persist_only(a, w, n);
	}
	if (count_read_only(&ctx, w, n, a->netns) > 0)
		return CT_EXIT_REFUSED;
	if (apply_guard(a, w, n, &ctx) > 0)
		return CT_EXIT_USAGE;
	if (a->dry_run) {
		printf("dry run: nothing written\n");
		return finish(a, w, n);
	}
	if (!cmd_confirm("apply", "Apply these changes?", "apply", a->yes))
		return CT_EXIT_REFUSED;
	rc = write_guarded(a, &ctx, w, n, dir, sizeof(dir), file, sizeof(file));
	if (rc != CT_EXIT_OK)
		return rc;
	printf("applied and read back:\n");
	print_results(w, n, stdout);
	printf("undo record: %s/%s (ctadvisor undo%s%s restores the originals)\n", dir, file,
	       a->netns ? " --netns " : "", a->netns ? a->netns : "");
	return finish(a, w, n);
}

int cmd_apply(int argc, char **argv)
{
	struct netns_switch sw = {.orig_fd = -1};
	struct sysctl_change w[APPLY_MAX];
	struct apply_args *a = calloc(1, sizeof(*a));
	int rc;

	if (a == NULL) {
		fprintf(stderr, "ctadvisor apply: out of memory\n");
		return CT_EXIT_USAGE;
	}
	rc = apply_parse_args(argc, argv, a);
	if (rc != 0) {
		if (rc > 0)
			fputs(apply_usage, stdout);
		free(a);
		return rc > 0 ? CT_EXIT_OK : CT_EXIT_USAGE;
	}
	if (cmd_netns_enter("apply", a->netns, &sw) < 0) {
		free(a);
		return CT_EXIT_USAGE;
	}
	memcpy(w, a->changes, a->n * sizeof(w[0]));
	rc = run_apply(a, w, a->n);
	netns_leave(&sw);
	apply_persist_free(&a->files);
	free(a);
	return rc;
}
