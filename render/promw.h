/* promw.h: the one Prometheus text exposition (0.0.4) writer, shared by the
 * check, watch and watch --invalid renderers: families with # HELP and
 * # TYPE written once before their first sample, label values escaped
 * (RENDER_ESC_PROM), the netns label on every sample when there is one, and
 * the help of the conntrack -S counters. Only formats; no file I/O. */
#ifndef CTADVISOR_PROMW_H
#define CTADVISOR_PROMW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct pw_family {
	const char *name;
	const char *type; /* "gauge" or "counter" */
	const char *help;
};

#define PW_FAMILY(var, n, t, h) static const struct pw_family var = {n, t, h}

/* A family's samples must be written together: the header goes before the
 * first sample of a family other than the last one written. */
struct pw {
	FILE *out;
	char cur[96]; /* name of the family whose header was written last */
	bool has_netns;
	char netns[1024]; /* escaped label value */
};

/* netns NULL: samples carry no netns label; otherwise (even "") they carry
 * netns="<netns escaped>" first. */
void pw_init(struct pw *p, FILE *out, const char *netns);
/* # HELP and # TYPE of f unless f's header was the last one written. */
void pw_header(struct pw *p, const struct pw_family *f);
/* labels: "" or further escaped label pairs, e.g. cpu="0",stat="found". */
void pw_sample(struct pw *p, const struct pw_family *f, const char *labels, const char *value);
void pw_u64(struct pw *p, const struct pw_family *f, const char *labels, uint64_t v);
/* %.12g, the precision of the JSON renderers. */
void pw_f64(struct pw *p, const struct pw_family *f, const char *labels, double v);

/* One label pair name="value" with value escaped, into buf; a long value is
 * cut at a whole escape, so the quoting stays intact. Returns buf. */
#define PW_VALUE_LEN 256
#define PW_LABEL_LEN (PW_VALUE_LEN + 32)
const char *pw_label(char *buf, size_t size, const char *name, const char *value);

/* The help line of a conntrack -S counter slot (snapshot.h SNAP_STAT_*), NULL
 * for the unknownN counters of newer kernels. */
const char *pw_stat_help(unsigned slot);

/* The start-time and last-write gauges every long-running writer (watch,
 * watch --invalid) shares; mode tells the writers apart ("rates",
 * "invalid"), so two of them may feed the same textfile directory. */
#define PW_START_TIME "ctadvisor_watch_start_time_seconds"
#define PW_LAST_WRITE "ctadvisor_watch_last_write_timestamp_seconds"
void pw_watch_times(struct pw *p, const char *mode, uint64_t start_s, uint64_t write_s);

/* 0, or -EIO when writing to out failed. */
int pw_finish(struct pw *p);

#endif
