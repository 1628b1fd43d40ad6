/* sysctl.h: read (and later write) netfilter knobs under a root directory.
 * The default roots are /proc/sys and /sys; tests point them at a temporary
 * tree. Knob names use sysctl's dotted form ("net.netfilter.nf_conntrack_max");
 * the hashsize module parameter is "module.nf_conntrack.hashsize".
 * Errors are negative errno; out-parameters are written only on success. */
#ifndef CTADVISOR_SYSCTL_H
#define CTADVISOR_SYSCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SYSCTL_PATH_LEN 4096

struct sysctl_ctx {
	char proc_sys[SYSCTL_PATH_LEN]; /* "/proc/sys" */
	char sys[SYSCTL_PATH_LEN];      /* "/sys" */
};

/* Fill ctx with the default roots, or with ROOT/proc/sys and ROOT/sys when
 * root is non-NULL. -ENAMETOOLONG if root does not fit. */
int sysctl_ctx_init(struct sysctl_ctx *ctx, const char *root);

/* Path of a knob: dotted name under proc_sys, "module.M.P" under
 * sys/module/M/parameters/P. -EINVAL for a name with "/" or "..". */
int sysctl_knob_path(const struct sysctl_ctx *ctx, const char *name, char *path, size_t len);

/* Read a knob's text, trailing newline and blanks removed. -ENOENT absent,
 * -EACCES/-EPERM unreadable, -EOVERFLOW longer than len - 1. */
int sysctl_read(const struct sysctl_ctx *ctx, const char *name, char *buf, size_t len);

/* Parse a non-negative decimal integer as the kernel prints it, allowing
 * surrounding blanks and one trailing newline. -EINVAL not a number,
 * -ERANGE above INT64_MAX. s need not be NUL-terminated. */
int sysctl_parse_i64(const char *s, size_t len, int64_t *out);

/* Read and parse; errors of both. */
int sysctl_read_i64(const struct sysctl_ctx *ctx, const char *name, int64_t *out);

/* Whether the knob can be written by this process: its mode has a write bit
 * and access(W_OK) agrees (the kernel answers for procfs). */
bool sysctl_is_writable(const struct sysctl_ctx *ctx, const char *name);

/* True for the knobs the kernel makes read-only outside the initial network
 * namespace (nf_conntrack_max, _buckets, _expect_max, the hashsize parameter). */
bool sysctl_is_global(const char *name);

typedef int (*sysctl_knob_fn)(const char *name, void *arg);
/* Call fn for every net.netfilter.nf_conntrack_* knob present, then
 * net.netfilter.nf_log.2 and .10, nf_log_all_netns when present, and
 * module.nf_conntrack.hashsize when present; names in directory order
 * sorted by name. A non-zero return from fn stops the walk and is returned.
 * -ENOENT when net/netfilter does not exist (conntrack not loaded). */
int sysctl_foreach_conntrack(const struct sysctl_ctx *ctx, sysctl_knob_fn fn, void *arg);

#endif
