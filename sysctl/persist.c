/* persist.c: atomic sysctl.d / modprobe.d files. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "persist.h"

static const char sysctl_header[] =
    "# Written by ctadvisor apply --persist. Applied at boot by systemd-sysctl\n"
    "# or sysctl --system; a file sorting later overrides these values.\n";
static const char modprobe_header[] =
    "# Written by ctadvisor apply --persist. Used when nf_conntrack is loaded;\n"
    "# the hash size cannot come from sysctl.d, which runs before the module loads.\n";

static int write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t put = write(fd, p, len);

		if (put < 0 && errno == EINTR)
			continue;
		if (put < 0)
			return -errno;
		if (put == 0)
			return -EIO;
		p += put;
		len -= (size_t)put;
	}
	return 0;
}

static int fsync_dir(const char *dir)
{
	int rc = 0, fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

/* Fill the temp file (mode, data, fsync, close); closes fd in every case. */
static int fill_temp(int fd, const void *data, size_t len, unsigned int mode)
{
	int rc = 0;

	if (fchmod(fd, (mode_t)mode) < 0)
		rc = -errno;
	if (rc == 0)
		rc = write_all(fd, data, len);
	if (rc == 0 && fsync(fd) < 0)
		rc = -errno;
	if (close(fd) < 0 && rc == 0)
		rc = -errno;
	return rc;
}

/* Move tmp to final: rename replaces; link refuses an existing name. */
static int publish(const char *tmp, const char *final, bool replace)
{
	if (replace)
		return rename(tmp, final) < 0 ? -errno : 0;
	if (link(tmp, final) < 0)
		return -errno;
	unlink(tmp);
	return 0;
}

int persist_write_file(const char *dir, const char *name, const void *data, size_t len,
		       unsigned int mode, bool replace)
{
	char final[4096], tmp[4096];
	int fd, rc, n1, n2;

	if (name[0] == '\0' || name[0] == '.' || strchr(name, '/') != NULL)
		return -EINVAL;
	n1 = snprintf(final, sizeof(final), "%s/%s", dir, name);
	/* A leading dot and no ".conf" end: sysctl.d/modprobe.d never read it. */
	n2 = snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, name);
	if (n1 < 0 || n2 < 0 || (size_t)n1 >= sizeof(final) || (size_t)n2 >= sizeof(tmp))
		return -ENAMETOOLONG;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	rc = fill_temp(fd, data, len, mode);
	if (rc == 0)
		rc = publish(tmp, final, replace);
	if (rc < 0) {
		unlink(tmp);
		return rc;
	}
	return fsync_dir(dir);
}

/* What sysctl.d can hold on one "key = value" line. */
static bool line_safe(const char *s, bool is_key)
{
	if (s[0] == '\0' && is_key)
		return false;
	for (; *s; s++)
		if (*s == '\n' || *s == '\r' || (is_key && strchr(" \t=#;", *s) != NULL))
			return false;
	return true;
}

int persist_sysctl_render(const struct sysctl_change *changes, size_t n, char *buf, size_t len,
			  size_t *out_len)
{
	size_t used;
	int k;

	if (len < sizeof(sysctl_header))
		return -EOVERFLOW;
	memcpy(buf, sysctl_header, sizeof(sysctl_header));
	used = sizeof(sysctl_header) - 1;
	for (size_t i = 0; i < n; i++) {
		const struct sysctl_change *c = &changes[i];

		if (strncmp(c->name, "module.", 7) == 0 || !line_safe(c->name, true) ||
		    !line_safe(c->new_value, false))
			return -EINVAL;
		k = snprintf(buf + used, len - used, "%s = %s\n", c->name, c->new_value);
		if (k < 0 || (size_t)k >= len - used)
			return -EOVERFLOW;
		used += (size_t)k;
	}
	if (out_len != NULL)
		*out_len = used;
	return 0;
}

static int set_path(char *path, size_t path_len, const char *dir, const char *name)
{
	int k;

	if (path == NULL)
		return 0;
	k = snprintf(path, path_len, "%s/%s", dir, name);
	return k < 0 || (size_t)k >= path_len ? -ENAMETOOLONG : 0;
}

int persist_sysctl(const char *dir, unsigned int prio, const struct sysctl_change *changes,
		   size_t n, char *path, size_t path_len)
{
	size_t cap = sizeof(sysctl_header) + n * (SYSCTL_NAME_LEN + SYSCTL_VALUE_LEN + 4);
	char name[32];
	size_t used;
	char *buf;
	int rc;

	if (prio > 99)
		return -EINVAL;
	snprintf(name, sizeof(name), PERSIST_SYSCTL_FMT, prio);
	buf = malloc(cap);
	if (buf == NULL)
		return -ENOMEM;
	rc = persist_sysctl_render(changes, n, buf, cap, &used);
	if (rc == 0)
		rc = persist_write_file(dir, name, buf, used, PERSIST_FILE_MODE, true);
	free(buf);
	if (rc == 0)
		rc = set_path(path, path_len, dir, name);
	return rc;
}

int persist_modprobe_render(uint64_t hashsize, char *buf, size_t len, size_t *out_len)
{
	int k;

	if (hashsize == 0 || hashsize > UINT32_MAX)
		return -EINVAL;
	k = snprintf(buf, len, "%soptions nf_conntrack hashsize=%" PRIu64 "\n", modprobe_header,
		     hashsize);
	if (k < 0 || (size_t)k >= len)
		return -EOVERFLOW;
	if (out_len != NULL)
		*out_len = (size_t)k;
	return 0;
}

int persist_modprobe(const char *dir, uint64_t hashsize, char *path, size_t path_len)
{
	char buf[512];
	size_t used;
	int rc = persist_modprobe_render(hashsize, buf, sizeof(buf), &used);

	if (rc == 0)
		rc = persist_write_file(dir, PERSIST_MODPROBE_NAME, buf, used, PERSIST_FILE_MODE,
					true);
	if (rc == 0)
		rc = set_path(path, path_len, dir, PERSIST_MODPROBE_NAME);
	return rc;
}

int persist_modules_load_render(char *buf, size_t len, size_t *out_len)
{
	int k = snprintf(buf, len,
			 "# Written by ctadvisor apply --persist. Loads nf_conntrack before\n"
			 "# systemd-sysctl runs, so the net.netfilter.* values of sysctl.d apply.\n"
			 "nf_conntrack\n");

	if (k < 0 || (size_t)k >= len)
		return -EOVERFLOW;
	if (out_len != NULL)
		*out_len = (size_t)k;
	return 0;
}
