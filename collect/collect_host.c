/* collect_host.c: facts about the host that sizing needs. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collect.h"
#include "fileio.h"

/* The unsigned number at s, after any white space, as sscanf's %llu/%llx
 * would read it but with overflow reported: -EINVAL when there is none or it
 * overflows. *end is set past it. */
static int parse_ull(const char *s, int base, const char **end, unsigned long long *out)
{
	unsigned long long v;
	char *e;

	errno = 0;
	v = strtoull(s, &e, base);
	if (e == s || errno != 0)
		return -EINVAL;
	*end = e;
	*out = v;
	return 0;
}

/* The nf_conn slab object size: sysfs for SLUB, else /proc/slabinfo. */
static int read_slab_size(const struct sysctl_ctx *ctx, const char *proc_root, uint64_t *size)
{
	char path[SYSCTL_PATH_LEN + 64], *text = NULL, *line;
	const char *p;
	size_t len;
	int64_t v;
	unsigned long long field = 0;
	int rc;

	snprintf(path, sizeof(path), "%s/kernel/slab/nf_conntrack/slab_size", ctx->sys);
	if (fileio_read_all(path, &text, &len) == 0 && sysctl_parse_i64(text, len, &v) == 0) {
		free(text);
		*size = (uint64_t)v;
		return 0;
	}
	free(text);
	text = NULL;
	snprintf(path, sizeof(path), "%s/slabinfo", proc_root);
	rc = fileio_read_all(path, &text, &len);
	if (rc < 0)
		return rc;
	/* "nf_conntrack <active_objs> <num_objs> <objsize> ..." */
	line = strstr(text, "\nnf_conntrack ");
	rc = line != NULL ? 0 : -ENOENT;
	p = line != NULL ? line + sizeof("\nnf_conntrack ") - 1 : NULL;
	for (int i = 0; i < 3 && rc == 0; i++)
		rc = parse_ull(p, 10, &p, &field) < 0 ? -ENOENT : 0;
	if (rc == 0)
		*size = field;
	free(text);
	return rc;
}

static uint64_t read_ram_bytes(const char *proc_root)
{
	char path[4096], *text = NULL;
	const char *p;
	unsigned long long kib = 0;
	size_t len;

	snprintf(path, sizeof(path), "%s/meminfo", proc_root);
	if (fileio_read_all(path, &text, &len) < 0)
		return 0;
	p = strstr(text, "MemTotal:");
	if (p == NULL || parse_ull(p + sizeof("MemTotal:") - 1, 10, &p, &kib) < 0)
		kib = 0;
	free(text);
	return (uint64_t)kib * 1024;
}

/* CAP_NET_ADMIN (bit 12) in the effective set. */
static bool has_net_admin(const char *proc_root)
{
	char path[4096], *text = NULL;
	const char *p;
	unsigned long long caps = 0;
	size_t len;

	snprintf(path, sizeof(path), "%s/self/status", proc_root);
	if (fileio_read_all(path, &text, &len) < 0)
		return false;
	p = strstr(text, "CapEff:");
	if (p == NULL || parse_ull(p + sizeof("CapEff:") - 1, 16, &p, &caps) < 0)
		caps = 0;
	free(text);
	return caps & (1ull << 12);
}

int collect_host(struct ct_snapshot *snap, const struct sysctl_ctx *ctx, const char *proc_root)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int rc = read_slab_size(ctx, proc_root, &snap->slab_obj_bytes);

	snap->has_slab = rc == 0;
	if (rc < 0)
		snap_add_problem(snap, "memory", rc,
				 "nf_conntrack slab size unreadable (%s/kernel/slab, %s/slabinfo): "
				 "memory figures omitted; run as root",
				 ctx->sys, proc_root);
	snap->ram_bytes = read_ram_bytes(proc_root);
	snap->ncpus = ncpu > 0 ? (unsigned)ncpu : 0;
	snap->has_cap_net_admin = has_net_admin(proc_root);
	return 0;
}
