/* inventory.c: find every network namespace under a root directory. A
 * namespace is known by the (device, inode) pair that stat() gives for any
 * file that refers to it: a bind mount made by `ip netns add` or docker, or
 * a process's ns/net link. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include <linux/magic.h>

#include "fileio.h"
#include "inventory_scan.h"

/* Processes whose cgroup is read per namespace before giving up: a pod's
 * processes all sit in the pod's cgroup, so the first one tells. */
#define INV_CGROUP_TRIES 4

static const struct {
	const char *dir;
	enum inv_pin pin;
} pin_dirs[] = {
    {"run/netns", INV_PIN_NETNS},
    {"var/run/netns", INV_PIN_NETNS},
    {"var/run/docker/netns", INV_PIN_DOCKER},
};

/* One discovery pass. keys: (dev, ino) of ns[i], packed, because a scan
 * looks every file up among all namespaces found so far and an inv_ns is
 * kilobytes. nsfs_dev: the device every namespace file has (one nsfs
 * superblock), known on a live host; it stands in for statfs() and lets
 * mountinfo lines name their namespace without a stat(). */
struct scan_ctx {
	struct inventory *inv;
	uint64_t (*keys)[2];
	const char *root;
	bool require_nsfs;
	bool has_nsfs_dev;
	uint64_t nsfs_dev;
	struct stat dirs[sizeof(pin_dirs) / sizeof(pin_dirs[0])];
	size_t n_dirs;
	bool has_pods; /* some namespace has a pod to look up */
};

static struct inv_ns *inv_find(const struct scan_ctx *sc, uint64_t dev, uint64_t ino)
{
	if (sc->keys == NULL) /* nothing added yet */
		return NULL;
	for (size_t i = 0; i < sc->inv->n; i++)
		if (sc->keys[i][1] == ino && sc->keys[i][0] == dev)
			return &sc->inv->ns[i];
	return NULL;
}

static int inv_grow(struct scan_ctx *sc)
{
	struct inventory *inv = sc->inv;
	size_t cap = inv->cap ? inv->cap * 2 : 64;
	uint64_t(*keys)[2];
	struct inv_ns *grown;

	keys = reallocarray(sc->keys, cap, sizeof(*keys));
	if (keys == NULL)
		return -ENOMEM;
	sc->keys = keys;
	grown = reallocarray(inv->ns, cap, sizeof(*grown));
	if (grown == NULL)
		return -ENOMEM;
	inv->ns = grown;
	inv->cap = cap;
	return 0;
}

/* The entry for st's namespace, added when new; NULL on ENOMEM. */
static struct inv_ns *inv_add(struct scan_ctx *sc, const struct stat *st, const char *path)
{
	struct inventory *inv = sc->inv;
	struct inv_ns *ns = inv_find(sc, st->st_dev, st->st_ino);

	if (ns != NULL)
		return ns;
	if ((inv->n == inv->cap || sc->keys == NULL || inv->ns == NULL) && inv_grow(sc) < 0)
		return NULL;
	sc->keys[inv->n][0] = st->st_dev;
	sc->keys[inv->n][1] = st->st_ino;
	ns = &inv->ns[inv->n++];
	memset(ns, 0, sizeof(*ns));
	ns->dev = st->st_dev;
	ns->ino = st->st_ino;
	snprintf(ns->path, sizeof(ns->path), "%s", path);
	return ns;
}

/* The entry for path's namespace, added when new; NULL on ENOMEM or when
 * path cannot be stat()ed (*rc says which). */
static struct inv_ns *inv_get(struct scan_ctx *sc, const char *path, int *rc)
{
	struct inv_ns *ns;
	struct stat st;

	*rc = 0;
	if (stat(path, &st) < 0)
		return NULL;
	ns = inv_add(sc, &st, path);
	if (ns == NULL)
		*rc = -ENOMEM;
	return ns;
}

static bool is_nsfs(const struct scan_ctx *sc, const char *path, const struct stat *st)
{
	struct statfs sfs;

	if (sc->has_nsfs_dev)
		return st->st_dev == sc->nsfs_dev;
	return statfs(path, &sfs) == 0 && sfs.f_type == NSFS_MAGIC;
}

static int add_pin(struct scan_ctx *sc, const char *path, const char *name, enum inv_pin pin)
{
	struct inv_ns *ns;
	struct stat st;

	if (stat(path, &st) < 0)
		return 0;
	if (sc->require_nsfs && !is_nsfs(sc, path, &st))
		return 0; /* a stale file left behind, or not mounted yet */
	ns = inv_add(sc, &st, path);
	if (ns == NULL)
		return -ENOMEM;
	if (ns->pin != INV_PIN_NONE)
		return 0;
	ns->pin = pin;
	snprintf(ns->path, sizeof(ns->path), "%s", path);
	snprintf(ns->name, sizeof(ns->name), "%s", name);
	return 0;
}

/* var/run is usually a link to run: each pin would be stat()ed twice. */
static bool is_dir_seen(struct scan_ctx *sc, DIR *d)
{
	struct stat st;

	if (fstat(dirfd(d), &st) < 0)
		return false;
	for (size_t i = 0; i < sc->n_dirs; i++)
		if (sc->dirs[i].st_dev == st.st_dev && sc->dirs[i].st_ino == st.st_ino)
			return true;
	sc->dirs[sc->n_dirs++] = st;
	return false;
}

static int scan_pin_dir(struct scan_ctx *sc, size_t k)
{
	char path[INV_PATH_LEN];
	struct dirent *de;
	bool is_seen;
	int rc = 0;
	DIR *d;

	snprintf(path, sizeof(path), "%s/%s", sc->root, pin_dirs[k].dir);
	d = opendir(path);
	if (d == NULL)
		return 0;
	is_seen = is_dir_seen(sc, d);
	while (rc == 0 && !is_seen && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (snprintf(path, sizeof(path), "%s/%s/%s", sc->root, pin_dirs[k].dir,
			     de->d_name) >= (int)sizeof(path))
			continue;
		rc = add_pin(sc, path, de->d_name, pin_dirs[k].pin);
	}
	closedir(d);
	return rc;
}

/* mountinfo escapes blanks, tabs, newlines and backslashes as \ooo. */
static void unescape_octal(char *s)
{
	char *w = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*w++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*w++ = *s;
		}
	}
	*w = '\0';
}

static enum inv_pin pin_of_mount(const char *mp)
{
	for (size_t k = 0; k < sizeof(pin_dirs) / sizeof(pin_dirs[0]); k++) {
		size_t n = strlen(pin_dirs[k].dir);

		if (strncmp(mp + 1, pin_dirs[k].dir, n) == 0 && mp[n + 1] == '/')
			return pin_dirs[k].pin;
	}
	return INV_PIN_MOUNT;
}

/* A mount of a namespace already found through its pin directory; its
 * root field names the namespace ("net:[INO]"), so no stat() is needed. */
static bool is_mount_known(const struct scan_ctx *sc, const char *ns_root)
{
	char *end;
	unsigned long long ino;

	if (!sc->has_nsfs_dev)
		return false;
	errno = 0;
	ino = strtoull(ns_root + 5, &end, 10);
	if (errno != 0 || end == ns_root + 5 || strcmp(end, "]") != 0)
		return false;
	return inv_find(sc, sc->nsfs_dev, ino) != NULL;
}

/* "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [OPTIONAL...] - FSTYPE SRC SUPER" */
static int mountinfo_line(struct scan_ctx *sc, char *line)
{
	char *f[5], *sep = strstr(line, " - "), *save = NULL, path[INV_PATH_LEN];
	const char *base;

	if (sep == NULL || strncmp(sep + 3, "nsfs ", 5) != 0)
		return 0;
	*sep = '\0';
	for (int i = 0; i < 5; i++) {
		f[i] = strtok_r(i ? NULL : line, " ", &save);
		if (f[i] == NULL)
			return 0;
	}
	if (strncmp(f[3], "net:[", 5) != 0 || f[4][0] != '/' || is_mount_known(sc, f[3]))
		return 0;
	unescape_octal(f[4]);
	if (snprintf(path, sizeof(path), "%s%s", sc->root, f[4]) >= (int)sizeof(path))
		return 0;
	base = strrchr(f[4], '/') + 1;
	return add_pin(sc, path, base, pin_of_mount(f[4]));
}

static int scan_mountinfo(struct scan_ctx *sc)
{
	char path[INV_PATH_LEN], *text = NULL, *line, *save = NULL;
	size_t len;
	int rc = 0;

	snprintf(path, sizeof(path), "%s/proc/self/mountinfo", sc->root);
	if (fileio_read_all(path, &text, &len) < 0)
		return 0;
	for (line = strtok_r(text, "\n", &save); line != NULL && rc == 0;
	     line = strtok_r(NULL, "\n", &save))
		rc = mountinfo_line(sc, line);
	free(text);
	return rc;
}

static void add_comm(struct inv_ns *ns, const char *root, const char *pid)
{
	char path[INV_PATH_LEN], *text = NULL;
	size_t len;

	if (ns->n_comm >= INV_COMMS)
		return;
	snprintf(path, sizeof(path), "%s/proc/%s/comm", root, pid);
	if (fileio_read_all(path, &text, &len) == 0) {
		bool is_new = true;

		text[strcspn(text, "\n")] = '\0';
		for (unsigned i = 0; i < ns->n_comm; i++)
			if (strcmp(ns->comm[i], text) == 0)
				is_new = false;
		if (is_new && text[0] != '\0')
			snprintf(ns->comm[ns->n_comm++], sizeof(ns->comm[0]), "%s", text);
	}
	free(text);
}

static void add_owner(struct inv_ns *ns, const char *root, const char *pid)
{
	char path[INV_PATH_LEN], *text = NULL;
	size_t len;

	if (ns->has_pod || ns->n_cgroup_tries >= INV_CGROUP_TRIES)
		return;
	ns->n_cgroup_tries++;
	snprintf(path, sizeof(path), "%s/proc/%s/cgroup", root, pid);
	if (fileio_read_all(path, &text, &len) == 0) {
		struct inv_owner o;
		bool has_pod, has_container;

		if (inventory_parse_cgroup(text, len, &o, &has_pod, &has_container) == 0 &&
		    (has_pod || !ns->has_container)) {
			ns->owner = o;
			ns->has_pod = has_pod;
			ns->has_container = has_container;
		}
	}
	free(text);
}

static bool is_pid(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

static int scan_procs(struct scan_ctx *sc)
{
	const char *root = sc->root;
	char path[INV_PATH_LEN];
	struct inv_ns *ns;
	struct dirent *de;
	int rc = 0, pid;
	DIR *d;

	snprintf(path, sizeof(path), "%s/proc", root);
	d = opendir(path);
	if (d == NULL)
		return 0;
	while (rc == 0 && (de = readdir(d)) != NULL) {
		if (!is_pid(de->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/proc/%s/ns/net", root, de->d_name);
		ns = inv_get(sc, path, &rc);
		if (ns == NULL)
			continue; /* exited, or a kernel thread we may not look at */
		pid = (int)strtol(de->d_name, NULL, 10); /* all digits: is_pid() */
		if (ns->n_procs++ == 0 || pid < ns->pid)
			ns->pid = pid;
		add_comm(ns, root, de->d_name);
		add_owner(ns, root, de->d_name);
		sc->has_pods |= ns->has_pod;
	}
	closedir(d);
	return rc;
}

/* On a live host every namespace file has the device of the caller's. */
static void scan_start(struct scan_ctx *sc, struct inventory *inv, const char *root,
		       bool require_nsfs)
{
	char path[INV_PATH_LEN];
	struct stat st;

	memset(inv, 0, sizeof(*inv));
	memset(sc, 0, sizeof(*sc));
	sc->inv = inv;
	sc->root = root;
	sc->require_nsfs = require_nsfs;
	snprintf(path, sizeof(path), "%s/proc/self/ns/net", root);
	if (require_nsfs && stat(path, &st) == 0) {
		sc->has_nsfs_dev = true;
		sc->nsfs_dev = st.st_dev;
	}
}

int inventory_scan(struct inventory *inv, const char *root, bool require_nsfs)
{
	const char *r = root != NULL && strcmp(root, "/") != 0 ? root : "";
	struct scan_ctx sc;
	int rc = 0;

	scan_start(&sc, inv, r, require_nsfs);
	for (size_t k = 0; rc == 0 && k < sizeof(pin_dirs) / sizeof(pin_dirs[0]); k++)
		rc = scan_pin_dir(&sc, k);
	if (rc == 0)
		rc = scan_mountinfo(&sc);
	if (rc == 0)
		rc = scan_procs(&sc);
	for (size_t i = 0; rc == 0 && sc.has_pods && i < inv->n; i++)
		if (inv->ns[i].has_pod)
			inventory_pod_lookup(r, inv->ns[i].owner.pod_uid, &inv->ns[i].owner);
	free(sc.keys);
	if (rc < 0)
		inventory_free(inv);
	return rc;
}
