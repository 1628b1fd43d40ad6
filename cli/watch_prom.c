/* watch_prom.c: write watch's Prometheus metrics every interval (see
 * watch_prom.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "outfile.h"
#include "watch_prom.h"
#include "../render/render_invalid_prom.h"
#include "../render/render_watch_prom.h"

static uint64_t start_s;

void watch_prom_mark_start(void)
{
	start_s = (uint64_t)time(NULL);
}

void watch_prom_init(struct watch_prom *wp, const struct watch_args *a)
{
	memset(wp, 0, sizeof(*wp));
	wp->path = a->output;
	wp->netns = a->netns;
	if (start_s == 0)
		watch_prom_mark_start();
}

/* Where the last write went, what a failure means, and the policy: a first
 * failure stops, later ones are said once per streak and retried. */
static int report(const char *path, int rc, uint64_t writes, bool *is_failing)
{
	const char *where = path != NULL ? path : "standard output";

	if (rc == 0) {
		if (*is_failing)
			fprintf(stderr, "ctadvisor watch: writing %s works again\n", where);
		*is_failing = false;
		return 0;
	}
	if (writes == 0) {
		fprintf(stderr,
			"ctadvisor watch: cannot write %s: %s (is the directory there and "
			"writable? node_exporter reads its --collector.textfile.directory)\n",
			where, strerror(-rc));
		return rc;
	}
	if (!*is_failing)
		fprintf(stderr,
			"ctadvisor watch: cannot write %s: %s; retrying every interval, the "
			"file keeps its last metrics meanwhile\n",
			where, strerror(-rc));
	*is_failing = true;
	return 0;
}

static int render_rates(FILE *out, const void *ctx)
{
	return render_watch_prom(out, ctx);
}

static int emit(const char *path, outfile_render_fn fn, const void *ctx)
{
	int rc;

	if (path != NULL)
		return outfile_write(path, fn, ctx);
	rc = fn(stdout, ctx);
	if (rc == 0 && (fputc('\n', stdout) == EOF || fflush(stdout) != 0))
		rc = -EIO;
	return rc;
}

int watch_prom_sample(struct watch_prom *wp, const struct watch_state *st,
		      const struct rates_sample *prev, const struct rates_sample *cur)
{
	struct render_watch_prom m = {
	    .netns = wp->netns, .start_s = start_s, .cur = cur, .st = st, .tot = &wp->tot};
	int rc;

	watch_totals_add(&wp->tot, prev, cur);
	m.write_s = (uint64_t)time(NULL);
	rc = report(wp->path, emit(wp->path, render_rates, &m), wp->writes, &wp->is_failing);
	wp->writes++;
	return rc;
}

struct invalid_ctx {
	const struct logparse_agg_result *res;
	const struct render_invalid_meta *meta;
	struct render_invalid_prom_times t;
};

static int render_invalid(FILE *out, const void *ctx)
{
	const struct invalid_ctx *c = ctx;

	return render_invalid_prom(out, c->res, c->meta, &c->t);
}

int watch_prom_invalid(const struct watch_args *a, const struct logparse_agg_result *res,
		       const struct render_invalid_meta *meta)
{
	static uint64_t writes;
	static bool is_failing;
	struct invalid_ctx c = {.res = res, .meta = meta};
	int rc;

	if (start_s == 0)
		watch_prom_mark_start();
	c.t.start_s = start_s;
	c.t.write_s = (uint64_t)time(NULL);
	rc = report(a->output, emit(a->output, render_invalid, &c), writes, &is_failing);
	writes++;
	return rc;
}
