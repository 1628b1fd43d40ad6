/* netns.c: setns() into a named, pinned or process network namespace. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "netns.h"

static bool all_digits(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

int netns_resolve(const char *spec, char *path, size_t len)
{
	int n;

	if (spec == NULL || spec[0] == '\0' || strlen(spec) > 255)
		return -EINVAL;
	if (strchr(spec, '/') != NULL)
		n = snprintf(path, len, "%s", spec);
	else if (all_digits(spec))
		n = snprintf(path, len, "/proc/%s/ns/net", spec);
	else if (strcmp(spec, ".") == 0 || strcmp(spec, "..") == 0)
		return -EINVAL;
	else
		n = snprintf(path, len, "/run/netns/%s", spec);
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	return 0;
}

int netns_enter(const char *spec, struct netns_switch *sw)
{
	char path[4096];
	int fd, rc = netns_resolve(spec, path, sizeof(path));

	sw->orig_fd = -1;
	if (rc < 0)
		return rc;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	sw->orig_fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (sw->orig_fd < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	if (setns(fd, CLONE_NEWNET) < 0) {
		rc = -errno;
		close(sw->orig_fd);
		sw->orig_fd = -1;
	}
	close(fd);
	return rc;
}

int netns_leave(struct netns_switch *sw)
{
	int rc = 0;

	if (sw->orig_fd < 0)
		return 0;
	if (setns(sw->orig_fd, CLONE_NEWNET) < 0)
		rc = -errno;
	close(sw->orig_fd);
	sw->orig_fd = -1;
	return rc;
}

bool netns_is_init(const struct sysctl_ctx *ctx)
{
	char path[SYSCTL_PATH_LEN];

	if (sysctl_knob_path(ctx, "net.netfilter.nf_log_all_netns", path, sizeof(path)) == 0 &&
	    access(path, F_OK) == 0)
		return true;
	return sysctl_knob_path(ctx, "net.nf_conntrack_max", path, sizeof(path)) == 0 &&
	       access(path, F_OK) == 0;
}
