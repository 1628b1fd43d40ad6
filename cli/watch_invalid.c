/* watch_invalid.c: `watch --invalid`: classify, live, the packets conntrack
 * finds invalid in this network namespace.
 *
 * The kernel reports each invalid packet through the family's logger
 * (net.netfilter.nf_log.2 / .10) when nf_conntrack_log_invalid asks it to.
 * For the run we bind nfnetlink_log as that logger, so the reports arrive
 * on NFLOG group 0 with the reason in the prefix and the packet itself, and
 * we turn log_invalid on. Order: check the state, bind group 0 (the one step
 * that can meet another listener), save the undo record, then write the
 * knobs; at the end write every original back, last first, verify, and
 * mark the record done. A SIGKILL leaves the record for `ctadvisor undo`.
 *
 * --force never takes group 0 from another socket (the kernel gives a group
 * to exactly one socket and refuses a second bind with EPERM). It means
 * "run anyway": with group 0 held elsewhere, the run changes nothing and
 * counts conntrack's invalid counter only; with an unfinished record of an
 * earlier run, the current values are taken as the originals.
 *
 * Conntrack only marks the packets invalid; whether they were dropped is the
 * ruleset's decision, read at the end (as flush reads it), with the kernel's
 * invalid and error counters (ICMP errors that fit no flow count in error). */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../analysis/invalid_verdict.h"
#include "../collect/invalid_kernel.h"
#include "../collect/nflog_holder.h"
#include "../nl/nl_nflog.h"
#include "../render/render_invalid.h"
#include "cmd.h"
#include "watch_invalid.h"
#include "watch_invalid_knobs.h"
#include "watch_prom.h"

#define WI_GROUP   0
#define WI_TOP_K   64
#define WI_TICK_MS 1000 /* when no --interval */
/* Final drain: done after 100 ms without a message (ten times the kernel's
 * batch flush), given up after 2 s of steady arrivals (another NFLOG rule on
 * group 0 can keep sending after our logger is restored). */
#define WI_DRAIN_QUIET_MS 100
#define WI_DRAIN_MAX_MS   2000

static volatile sig_atomic_t wi_stop;

struct wi_run {
	const struct watch_args *a;
	struct invalid_knobs k;
	bool is_counts_only; /* --force over another group 0 listener */
	struct nl_nflog *nf;
	struct logparse_agg *agg;
	uint64_t t0_ms, last_packets;
	uint64_t invalid_before, error_before;
	bool has_before;
	uint64_t kernel_delta, error_delta; /* UINT64_MAX unknown */
	bool is_drain_cut;                  /* the final drain did not reach a quiet socket */
	bool is_prom_failed;                /* --output could not be written (already said) */
};

static void wi_on_signal(int sig)
{
	(void)sig;
	wi_stop = 1;
}

static uint64_t wi_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static const char *wi_ns(const struct wi_run *r)
{
	return r->a->netns != NULL ? r->a->netns : "";
}

/* conntrack -S invalid and error now, less the values before the run:
 * UINT64_MAX each when unknown (not read, or lower: a counter reset). */
static void wi_kernel_deltas(struct wi_run *r)
{
	uint64_t inv, err;

	if (!r->has_before || invalid_kernel_counters(&inv, &err) < 0)
		return;
	r->kernel_delta = inv >= r->invalid_before ? inv - r->invalid_before : UINT64_MAX;
	r->error_delta = err >= r->error_before ? err - r->error_before : UINT64_MAX;
}

static void wi_explain_held(const struct wi_run *r, const struct nflog_holder *h)
{
	unsigned portid = h->portid;
	const char *comm = h->comm;
	long pid = h->pid;
	bool known = h->has_process;
	bool is_us = known && strcmp(comm, "ctadvisor") == 0;

	if (is_us)
		fprintf(stderr,
			"ctadvisor watch: NFLOG group %d in this namespace is held by another "
			"ctadvisor (PID %ld): a 'ctadvisor watch --invalid' is already running "
			"here.\n"
			"Only one can listen per namespace (the kernel delivers a group to one "
			"socket); it restores the settings itself when it ends.\n",
			WI_GROUP, pid);
	else if (known)
		fprintf(stderr,
			"ctadvisor watch: NFLOG group %d in this namespace is held by process '%s' "
			"(PID %ld, netlink port %u), e.g. a logging daemon such as ulogd.\n"
			"The kernel delivers a group to exactly one socket, so ctadvisor cannot "
			"listen beside it and will not take it over.\n",
			WI_GROUP, comm, pid, portid);
	else
		fprintf(stderr,
			"ctadvisor watch: NFLOG group %d in this namespace is held by another "
			"socket (netlink port %u, usually the PID of a logging daemon such as "
			"ulogd).\n"
			"The kernel delivers a group to exactly one socket, so ctadvisor cannot "
			"listen beside it and will not take it over.\n",
			WI_GROUP, portid);
	fprintf(stderr, "  %s is '%s' now.\n", r->k.ch[0].name, r->k.ch[0].old_value);
	if (r->a->force)
		fputs("--force: counting conntrack's invalid counter only; no setting is "
		      "changed.\n",
		      stderr);
	else if (is_us)
		fprintf(stderr,
			"Wait for it to end (or stop it: kill %ld), or run with --force to count "
			"conntrack's invalid counter only (no reasons, no setting changed).\n",
			pid);
	else
		fputs("Stop that process for the time of the watch, or run with --force to count "
		      "conntrack's invalid counter only (no reasons, no setting changed).\n",
		      stderr);
}

/* Bind group 0; 0 bound, 1 held elsewhere and --force (counts only), <0 stop. */
static int wi_bind(struct wi_run *r)
{
	struct nflog_holder holder;
	int err = 0;

	r->nf = nl_nflog_open(WI_GROUP, &err);
	if (r->nf != NULL)
		return 0;
	if ((err == -EPERM || err == -EBUSY) && sysctl_is_writable(&r->k.ctx, r->k.ch[2].name)) {
		nflog_holder_find(WI_GROUP, &holder);
		wi_explain_held(r, &holder);
		return r->a->force ? 1 : -EBUSY;
	}
	fprintf(stderr, "ctadvisor watch: cannot bind NFLOG group %d: %s%s\n", WI_GROUP,
		strerror(-err), err == -EPERM ? " (needs CAP_NET_ADMIN: run as root)" : "");
	return err;
}

/* Wall-clock arrival time: the report's first/last seen. */
static void wi_stamp(struct logparse_time *t)
{
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	memset(t, 0, sizeof(*t));
	t->flags = LOGPARSE_TS_WALL | LOGPARSE_TS_YEAR | LOGPARSE_TS_UTC;
	t->epoch_sec = ts.tv_sec;
	t->wall_usec = (uint32_t)(ts.tv_nsec / 1000);
	t->year = (uint16_t)(tm.tm_year + 1900);
	t->mon = (uint8_t)(tm.tm_mon + 1);
	t->mday = (uint8_t)tm.tm_mday;
	t->hour = (uint8_t)tm.tm_hour;
	t->min = (uint8_t)tm.tm_min;
	t->sec = (uint8_t)tm.tm_sec;
	strftime(t->text, sizeof(t->text), "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void wi_on_packet(const struct nl_nflog_msg *m, const char *in, const char *out, void *arg)
{
	struct logparse_agg *agg = arg;
	struct logparse_event ev;
	int rc = nl_nflog_event(m, in, out, &ev);

	if (rc < 0) {
		logparse_agg_add_rc(agg, rc == -ENODATA ? -EINVAL : rc);
		return;
	}
	wi_stamp(&ev.ts);
	logparse_agg_add(agg, &ev);
}

/* One live line: packets so far, the second's increase, the top reason. */
static void wi_live_line(struct wi_run *r, uint64_t now)
{
	static const struct nl_nflog_stats none;
	const struct nl_nflog_stats *st = r->nf ? nl_nflog_get_stats(r->nf) : &none;
	struct logparse_agg_result res;
	const char *top = "-";
	uint64_t kd;
	uint64_t top_n = 0;

	wi_kernel_deltas(r);
	kd = r->kernel_delta;
	logparse_agg_result(r->agg, &res);
	if (res.n_reasons > 0) {
		top = res.reasons[0].reason->id;
		top_n = res.reasons[0].count;
	}
	if (r->a->format == CLI_FORMAT_JSON) {
		printf("{\"type\":\"sample\",\"elapsed_s\":%.3f,\"packets\":%" PRIu64
		       ",\"new\":%" PRIu64 ",\"lost\":%" PRIu64 ",\"enobufs\":%" PRIu64
		       ",\"kernel_invalid_delta\":",
		       (double)(now - r->t0_ms) / 1000.0, st->packets,
		       st->packets - r->last_packets, st->lost, st->enobufs);
		if (kd == UINT64_MAX)
			printf("null");
		else
			printf("%" PRIu64, kd);
		printf(",\"top_reason\":%s%s%s,\"top_count\":%" PRIu64 "}\n", top_n ? "\"" : "",
		       top_n ? top : "null", top_n ? "\"" : "", top_n);
	} else {
		printf("%7.1fs  packets %" PRIu64 " (+%" PRIu64 ")  lost %" PRIu64
		       "  kernel invalid +%s%" PRIu64 "  top: %s (%" PRIu64 ")\n",
		       (double)(now - r->t0_ms) / 1000.0, st->packets,
		       st->packets - r->last_packets, st->lost, kd == UINT64_MAX ? "?" : "",
		       kd == UINT64_MAX ? 0 : kd, top, top_n);
	}
	fflush(stdout);
	r->last_packets = st->packets;
}

/* The report's figures of the listening so far; the kernel's deltas and the
 * ruleset are the final report's (wi_render), unknown before. */
static struct render_invalid_meta wi_meta(const struct wi_run *r)
{
	static const struct nl_nflog_stats none;
	const struct nl_nflog_stats *st = r->nf ? nl_nflog_get_stats(r->nf) : &none;

	return (struct render_invalid_meta){
	    .is_live = true,
	    .source = r->is_counts_only ? "conntrack -S (NFLOG group 0 held elsewhere)" : "nflog",
	    .netns = wi_ns(r),
	    .duration_s = (double)(wi_now_ms() - r->t0_ms) / 1000.0,
	    .nflog_packets = st->packets,
	    .nflog_lost = st->lost,
	    .enobufs = st->enobufs,
	    .nflog_bad_messages = st->bad_messages,
	    .is_counts_only = r->is_counts_only,
	    .kernel_invalid_delta = UINT64_MAX,
	    .kernel_error_delta = UINT64_MAX,
	    .nflog_not_reported = UINT64_MAX};
}

/* --format prometheus: the counts so far, rewritten each interval. */
static int wi_prom(struct wi_run *r)
{
	struct render_invalid_meta meta = wi_meta(r);
	struct logparse_agg_result res;

	logparse_agg_result(r->agg, &res);
	return watch_prom_invalid(r->a, &res, &meta);
}

/* Receive until the duration ends or a signal arrives. The signals are
 * blocked except inside ppoll(), so none is missed between checks. */
static int wi_loop(struct wi_run *r, const sigset_t *waitmask)
{
	uint64_t deadline = r->a->duration_ms ? r->t0_ms + r->a->duration_ms : UINT64_MAX;
	uint64_t tick = r->a->interval_ms ? r->a->interval_ms : WI_TICK_MS;
	uint64_t next = r->t0_ms + tick;
	struct pollfd pfd = {.fd = r->nf ? nl_nflog_fd(r->nf) : -1, .events = POLLIN};
	int rc = 0;

	while (!wi_stop && rc == 0) {
		uint64_t now = wi_now_ms(), until = next < deadline ? next : deadline;
		struct timespec to;

		if (now >= deadline)
			break;
		if (now >= next) {
			if (r->a->format == CLI_FORMAT_PROMETHEUS) {
				rc = wi_prom(r);
				r->is_prom_failed = rc < 0; /* said by watch_prom */
			} else
				wi_live_line(r, now);
			next += tick;
			continue;
		}
		to.tv_sec = (time_t)((until - now) / 1000);
		to.tv_nsec = (long)((until - now) % 1000) * 1000000;
		if (ppoll(&pfd, 1, &to, waitmask) > 0 && r->nf != NULL)
			rc = nl_nflog_drain(r->nf, wi_on_packet, r->agg);
	}
	return rc;
}

static void wi_signals(sigset_t *waitmask, sigset_t *saved)
{
	struct sigaction sa;
	sigset_t block;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = wi_on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, saved);
	*waitmask = *saved;
	sigdelset(waitmask, SIGINT);
	sigdelset(waitmask, SIGTERM);
	sigdelset(waitmask, SIGHUP);
}

static void wi_syslog_note(const struct wi_run *r)
{
	if (r->a->format == CLI_FORMAT_JSON || r->is_counts_only)
		return;
	fprintf(stderr,
		"note: for this run %s/%s name %s (were '%s'/'%s'): conntrack's invalid-packet "
		"reports come to ctadvisor instead of the kernel log. LOG-target rules name "
		"their own logger and keep writing to the kernel log. Everything is restored at "
		"the end (Ctrl-C too); after a crash run 'ctadvisor undo'.\n",
		r->k.ch[0].name, r->k.ch[1].name, r->k.ch[0].new_value, r->k.ch[0].old_value,
		r->k.ch[1].old_value);
}

/* Invalid packets counted by the kernel that no NFLOG message told us about
 * (see render_invalid.h); UINT64_MAX when it cannot be known. The reports
 * the kernel counts in error, not invalid, are left out of the seen. */
static uint64_t wi_not_reported(const struct wi_run *r, const struct nl_nflog_stats *st,
				const struct logparse_agg_result *res)
{
	uint64_t in_error = invalid_reports_in_error(res);
	uint64_t seen = st->packets + st->lost + st->bad_messages;

	if (r->nf == NULL || r->is_counts_only || r->kernel_delta == UINT64_MAX || r->is_drain_cut)
		return UINT64_MAX;
	seen = seen > in_error ? seen - in_error : 0;
	return r->kernel_delta > seen ? r->kernel_delta - seen : 0;
}

/* What the namespace's ruleset does with the packets marked invalid. */
static enum invalid_ruleset wi_ruleset(char *rule, size_t size)
{
	int rc = invalid_kernel_ruleset_drops(rule, size);

	return rc > 0    ? INVALID_RULESET_DROPS
	       : rc == 0 ? INVALID_RULESET_PASSES
			 : INVALID_RULESET_UNKNOWN;
}

static int wi_render(struct wi_run *r)
{
	static const struct nl_nflog_stats none;
	const struct nl_nflog_stats *st = r->nf ? nl_nflog_get_stats(r->nf) : &none;
	char rule[FLUSH_WHERE_LEN] = "";
	struct render_invalid_meta meta = wi_meta(r);
	struct invalid_verdict_in in = {.ruleset = wi_ruleset(rule, sizeof(rule)),
					.is_counts_only = r->is_counts_only,
					.kernel_invalid_delta = r->kernel_delta};
	struct logparse_agg_result res;
	bool color = cmd_want_color(CLI_COLOR_AUTO);
	int rc;

	meta.kernel_invalid_delta = r->kernel_delta;
	meta.kernel_error_delta = r->error_delta;
	meta.ruleset = in.ruleset;
	meta.ruleset_rule = rule;
	logparse_agg_result(r->agg, &res);
	meta.nflog_not_reported = wi_not_reported(r, st, &res);
	meta.status = invalid_verdict(&res, &in);
	if (r->a->format == CLI_FORMAT_PROMETHEUS)
		rc = watch_prom_invalid(r->a, &res, &meta);
	else if (r->a->format == CLI_FORMAT_JSON)
		rc = render_invalid_json(stdout, &res, &meta);
	else
		rc = render_invalid_text(stdout, &res, &meta, color);
	fflush(stdout);
	return rc < 0 ? rc : meta.status;
}

/* End of the listening: the kernel's final invalid count, the originals
 * written back, then every report still queued read. In this order each
 * packet the kernel counted in the delta was logged before the restore, so
 * it is either read by the drain or lost; what the drain reads that was
 * logged after the delta (the instant before the restore) only makes the
 * unreported figure smaller, never a false alarm. Returns invalid_knobs_restore()'s. */
static int wi_finish(struct wi_run *r)
{
	int rc;

	wi_kernel_deltas(r);
	rc = invalid_knobs_restore(&r->k);
	if (r->nf != NULL &&
	    nl_nflog_drain_all(r->nf, wi_on_packet, r->agg, WI_DRAIN_QUIET_MS, WI_DRAIN_MAX_MS) < 0)
		r->is_drain_cut = true;
	return rc;
}

/* Bind, record, apply. 0 ready; <0 stop with nothing left changed. */
static int wi_setup(struct wi_run *r)
{
	int rc = invalid_knobs_read(&r->k, r->a->log_proto);

	if (rc == 0)
		rc = wi_bind(r);
	if (rc == 1) {
		r->is_counts_only = true;
		for (size_t i = 0; i < r->k.n_ch; i++)
			r->k.ch[i].state = SYSCTL_CHANGE_UNCHANGED;
		rc = 0;
	}
	if (rc == 0 && !r->is_counts_only)
		rc = invalid_knobs_save_undo(&r->k);
	r->has_before =
	    rc == 0 && invalid_kernel_counters(&r->invalid_before, &r->error_before) == 0;
	if (rc == 0 && !r->is_counts_only)
		rc = invalid_knobs_apply(&r->k);
	return rc;
}

int watch_invalid_run(const struct watch_args *a)
{
	struct wi_run r = {.a = a,
			   .k = {.netns = a->netns != NULL ? a->netns : "", .force = a->force},
			   .kernel_delta = UINT64_MAX,
			   .error_delta = UINT64_MAX};
	sigset_t waitmask, saved;
	int rc, loop_rc, code;

	r.agg = logparse_agg_new(WI_TOP_K);
	if (r.agg == NULL) {
		fputs("ctadvisor watch: out of memory\n", stderr);
		return CT_EXIT_UNKNOWN;
	}
	wi_signals(&waitmask, &saved);
	rc = wi_setup(&r);
	if (rc < 0) {
		code = CT_EXIT_UNKNOWN;
		goto out;
	}
	wi_syslog_note(&r);
	r.t0_ms = wi_now_ms();
	loop_rc = wi_loop(&r, &waitmask);
	rc = wi_finish(&r);
	if (loop_rc < 0 && !r.is_prom_failed)
		fprintf(stderr, "ctadvisor watch: receiving NFLOG messages failed: %s\n",
			strerror(-loop_rc));
	code = wi_render(&r);
	if (code < 0 || rc < 0 || loop_rc < 0)
		code = CT_EXIT_UNKNOWN;
out:
	nl_nflog_close(r.nf);
	logparse_agg_free(r.agg);
	sigprocmask(SIG_SETMASK, &saved, NULL);
	return code;
}
