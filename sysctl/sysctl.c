/* sysctl.c: netfilter knobs read under a configurable root. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sysctl.h"

static const char *const global_knobs[] = {
    "net.netfilter.nf_conntrack_max",
    "net.netfilter.nf_conntrack_buckets",
    "net.netfilter.nf_conntrack_expect_max",
    "module.nf_conntrack.hashsize",
};

int sysctl_ctx_init(struct sysctl_ctx *ctx, const char *root)
{
	struct sysctl_ctx tmp;
	const char *base = root ? root : "";
	int n1 = snprintf(tmp.proc_sys, sizeof(tmp.proc_sys), "%s/proc/sys", base);
	int n2 = snprintf(tmp.sys, sizeof(tmp.sys), "%s/sys", base);

	if (n1 < 0 || n2 < 0 || (size_t)n1 >= sizeof(tmp.proc_sys) || (size_t)n2 >= sizeof(tmp.sys))
		return -ENAMETOOLONG;
	*ctx = tmp;
	return 0;
}

static bool name_is_safe(const char *name)
{
	return name[0] != '\0' && strchr(name, '/') == NULL && strstr(name, "..") == NULL;
}

/* "module.M.P" -> sys/module/M/parameters/P; "a.b.c" -> proc_sys/a/b/c. */
int sysctl_knob_path(const struct sysctl_ctx *ctx, const char *name, char *path, size_t len)
{
	char rel[SYSCTL_PATH_LEN];
	int n;

	if (!name_is_safe(name))
		return -EINVAL;
	if (strncmp(name, "module.", 7) == 0) {
		const char *mod = name + 7;
		const char *dot = strchr(mod, '.');

		if (dot == NULL || dot == mod || dot[1] == '\0')
			return -EINVAL;
		n = snprintf(path, len, "%s/module/%.*s/parameters/%s", ctx->sys, (int)(dot - mod),
			     mod, dot + 1);
	} else {
		n = snprintf(rel, sizeof(rel), "%s", name);
		if (n < 0 || (size_t)n >= sizeof(rel))
			return -ENAMETOOLONG;
		for (char *p = rel; *p; p++)
			if (*p == '.')
				*p = '/';
		n = snprintf(path, len, "%s/%s", ctx->proc_sys, rel);
	}
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	return 0;
}

static size_t trim_right(const char *buf, size_t n)
{
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' ' || buf[n - 1] == '\t'))
		n--;
	return n;
}

int sysctl_read(const struct sysctl_ctx *ctx, const char *name, char *buf, size_t len)
{
	char path[SYSCTL_PATH_LEN];
	char tmp[4096];
	ssize_t got;
	size_t n;
	int fd, rc = sysctl_knob_path(ctx, name, path, sizeof(path));

	if (rc < 0)
		return rc;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	got = read(fd, tmp, sizeof(tmp));
	rc = got < 0 ? -errno : 0;
	close(fd);
	if (rc < 0)
		return rc;
	n = trim_right(tmp, (size_t)got);
	if (n >= len || n == sizeof(tmp))
		return -EOVERFLOW;
	memcpy(buf, tmp, n);
	buf[n] = '\0';
	return 0;
}

int sysctl_parse_i64(const char *s, size_t len, int64_t *out)
{
	size_t i = 0, end = len;
	int64_t v = 0;

	while (i < end && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (end > i && s[end - 1] == '\n')
		end--;
	while (end > i && (s[end - 1] == ' ' || s[end - 1] == '\t'))
		end--;
	if (i == end)
		return -EINVAL;
	for (; i < end; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		if (v > (INT64_MAX - (s[i] - '0')) / 10)
			return -ERANGE;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int sysctl_read_i64(const struct sysctl_ctx *ctx, const char *name, int64_t *out)
{
	char buf[64] = "";
	int rc = sysctl_read(ctx, name, buf, sizeof(buf));

	if (rc < 0)
		return rc;
	return sysctl_parse_i64(buf, strlen(buf), out);
}

bool sysctl_is_writable(const struct sysctl_ctx *ctx, const char *name)
{
	char path[SYSCTL_PATH_LEN];
	struct stat st;

	if (sysctl_knob_path(ctx, name, path, sizeof(path)) < 0)
		return false;
	if (stat(path, &st) < 0 || (st.st_mode & 0222) == 0)
		return false;
	return access(path, W_OK) == 0;
}

bool sysctl_is_global(const char *name)
{
	for (size_t i = 0; i < sizeof(global_knobs) / sizeof(global_knobs[0]); i++)
		if (strcmp(name, global_knobs[i]) == 0)
			return true;
	return false;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Names of the nf_conntrack_* entries in net/netfilter, sorted. */
static int list_conntrack_knobs(const struct sysctl_ctx *ctx, char ***names, size_t *n)
{
	char dir[SYSCTL_PATH_LEN];
	struct dirent *de;
	char **list = NULL;
	size_t count = 0;
	DIR *d;
	int rc = 0;

	if (snprintf(dir, sizeof(dir), "%s/net/netfilter", ctx->proc_sys) >= (int)sizeof(dir))
		return -ENAMETOOLONG;
	d = opendir(dir);
	if (d == NULL)
		return -errno;
	while ((de = readdir(d)) != NULL) {
		char **grown;

		if (strncmp(de->d_name, "nf_conntrack_", 13) != 0)
			continue;
		grown = realloc(list, (count + 1) * sizeof(*list));
		if (grown == NULL || (grown[count] = strdup(de->d_name)) == NULL) {
			list = grown ? grown : list;
			rc = -ENOMEM;
			break;
		}
		list = grown;
		count++;
	}
	closedir(d);
	if (rc == 0 && count > 1)
		qsort(list, count, sizeof(*list), cmp_str);
	*names = list;
	*n = count;
	return rc;
}

static void free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

static int visit_if_present(const struct sysctl_ctx *ctx, const char *name, sysctl_knob_fn fn,
			    void *arg)
{
	char path[SYSCTL_PATH_LEN];

	if (sysctl_knob_path(ctx, name, path, sizeof(path)) < 0 || access(path, F_OK) < 0)
		return 0;
	return fn(name, arg);
}

int sysctl_foreach_conntrack(const struct sysctl_ctx *ctx, sysctl_knob_fn fn, void *arg)
{
	static const char *const extra[] = {
	    "net.netfilter.nf_log.2",
	    "net.netfilter.nf_log.10",
	    "net.netfilter.nf_log_all_netns",
	    "module.nf_conntrack.hashsize",
	};
	char name[SYSCTL_PATH_LEN];
	char **names = NULL;
	size_t n = 0;
	int rc = list_conntrack_knobs(ctx, &names, &n);

	for (size_t i = 0; rc == 0 && i < n; i++) {
		snprintf(name, sizeof(name), "net.netfilter.%s", names[i]);
		rc = fn(name, arg);
	}
	for (size_t i = 0; rc == 0 && i < sizeof(extra) / sizeof(extra[0]); i++)
		rc = visit_if_present(ctx, extra[i], fn, arg);
	free_names(names, n);
	return rc;
}
