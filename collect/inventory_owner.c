/* inventory_owner.c: who a namespace belongs to, from a process's cgroup
 * path and the kubelet's log directories. Kubelet names pod cgroups after
 * the QoS class and the pod UID; the systemd driver writes the UID with '_'
 * for '-' (kubepods-burstable-pod<uid>.slice), cgroupfs keeps it
 * (/kubepods/burstable/pod<uid>/<container id>). Guaranteed pods sit
 * directly under kubepods. Runtimes name container scopes
 * cri-containerd-<id>, crio-<id>, docker-<id>, libpod-<id> (systemd). */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "inventory_scan.h"

#define CG_LINE_MAX 4096

struct cg_parse {
	struct inv_owner o;
	bool in_kube, has_pod, has_container;
};

static bool is_id_chars(const char *s, size_t n, bool allow_dash)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]) && !(allow_dash && (s[i] == '-' || s[i] == '_')))
			return false;
	return true;
}

static bool has_suffix(const char *s, size_t n, const char *suf)
{
	size_t k = strlen(suf);

	return n >= k && memcmp(s + n - k, suf, k) == 0;
}

/* UIDs: UUIDs, or the 32-hex config hash of a static pod. */
static void set_uid(struct cg_parse *p, const char *s, size_t n)
{
	if (n >= sizeof(p->o.pod_uid) || !is_id_chars(s, n, true))
		return;
	memcpy(p->o.pod_uid, s, n);
	p->o.pod_uid[n] = '\0';
	for (size_t i = 0; i < n; i++)
		if (p->o.pod_uid[i] == '_')
			p->o.pod_uid[i] = '-';
	p->has_pod = true;
	if (p->o.qos[0] == '\0')
		snprintf(p->o.qos, sizeof(p->o.qos), "guaranteed");
}

static void set_container(struct cg_parse *p, const char *runtime, const char *s, size_t n)
{
	if (n < 12 || n >= sizeof(p->o.container_id) || !is_id_chars(s, n, false))
		return;
	memcpy(p->o.container_id, s, n);
	p->o.container_id[n] = '\0';
	snprintf(p->o.runtime, sizeof(p->o.runtime), "%s", runtime);
	p->has_container = true;
}

static const struct {
	const char *prefix;
	const char *runtime;
} scopes[] = {
    {"cri-containerd-", "containerd"},
    {"crio-", "crio"},
    {"docker-", "docker"},
    {"libpod-", "podman"},
};

/* A container scope (systemd) or a runtime-prefixed directory (cgroupfs). */
static bool parse_scope(struct cg_parse *p, const char *c, size_t n)
{
	if (has_suffix(c, n, ".scope"))
		n -= strlen(".scope");
	if (n > 12 && memcmp(c, "crio-conmon-", 12) == 0)
		return true; /* the monitor, not the container */
	for (size_t i = 0; i < sizeof(scopes) / sizeof(scopes[0]); i++) {
		size_t k = strlen(scopes[i].prefix);

		if (n > k && memcmp(c, scopes[i].prefix, k) == 0) {
			set_container(p, scopes[i].runtime, c + k, n - k);
			return true;
		}
	}
	return false;
}

/* kubepods[-QOS][-pod<uid>].slice */
static void parse_kube_slice(struct cg_parse *p, const char *c, size_t n)
{
	const char *pod;

	p->in_kube = true;
	n -= strlen(".slice");
	if (n >= 18 && memcmp(c, "kubepods-burstable", 18) == 0)
		snprintf(p->o.qos, sizeof(p->o.qos), "burstable");
	else if (n >= 19 && memcmp(c, "kubepods-besteffort", 19) == 0)
		snprintf(p->o.qos, sizeof(p->o.qos), "besteffort");
	pod = memmem(c, n, "-pod", 4);
	if (pod != NULL)
		set_uid(p, pod + 4, n - (size_t)(pod + 4 - c));
}

static void parse_component(struct cg_parse *p, const char *c, size_t n, const char *parent,
			    size_t parent_n)
{
	if (n >= 8 && memcmp(c, "kubepods", 8) == 0 && has_suffix(c, n, ".slice")) {
		parse_kube_slice(p, c, n);
	} else if (n == 8 && memcmp(c, "kubepods", 8) == 0) {
		p->in_kube = true;
	} else if (p->in_kube && !p->has_pod && (n == 9 || n == 10) &&
		   (memcmp(c, "burstable", n) == 0 || memcmp(c, "besteffort", n) == 0)) {
		memcpy(p->o.qos, c, n);
		p->o.qos[n] = '\0';
	} else if (p->in_kube && !p->has_pod && n > 3 && memcmp(c, "pod", 3) == 0) {
		set_uid(p, c + 3, n - 3);
	} else if (parse_scope(p, c, n)) {
		/* done */
	} else if (p->has_pod || (parent_n == 6 && memcmp(parent, "docker", 6) == 0)) {
		/* cgroupfs: the container id is the directory's whole name */
		set_container(p, p->has_pod ? "" : "docker", c, n);
	}
}

static void parse_path(struct cg_parse *p, const char *path)
{
	const char *c = path, *parent = "", *slash;
	size_t parent_n = 0;

	while (*c != '\0') {
		size_t n;

		slash = strchr(c, '/');
		n = slash != NULL ? (size_t)(slash - c) : strlen(c);
		if (n > 0) {
			parse_component(p, c, n, parent, parent_n);
			parent = c;
			parent_n = n;
		}
		if (slash == NULL)
			break;
		c = slash + 1;
	}
}

/* Lines are "hierarchy-id:controllers:path"; v2 has "0::path". The first
 * line naming a pod wins, else the first naming a container. */
int inventory_parse_cgroup(const char *text, size_t len, struct inv_owner *out, bool *has_pod,
			   bool *has_container)
{
	struct cg_parse best = {0};
	char line[CG_LINE_MAX];
	size_t i = 0;

	while (i < len && !best.has_pod) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t n = nl != NULL ? (size_t)(nl - (text + i)) : len - i;
		struct cg_parse p = {0};
		char *path;

		if (n < sizeof(line)) {
			memcpy(line, text + i, n);
			line[n] = '\0';
			path = strchr(line, ':');
			path = path != NULL ? strchr(path + 1, ':') : NULL;
			if (path != NULL)
				parse_path(&p, path + 1);
			if (p.has_pod || (p.has_container && !best.has_container))
				best = p;
		}
		i += n + 1;
	}
	if (!best.has_pod && !best.has_container)
		return -ENOENT;
	*out = best.o;
	*has_pod = best.has_pod;
	*has_container = best.has_container;
	return 0;
}

/* Kubelet's log directory: var/log/pods/<namespace>_<name>_<uid>. Neither
 * a namespace nor a pod name may hold '_' (DNS names). */
int inventory_pod_lookup(const char *root, const char *uid, struct inv_owner *owner)
{
	char dir[INV_PATH_LEN];
	struct dirent *de;
	size_t ulen = strlen(uid);
	int rc = -ENOENT;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/var/log/pods", root);
	d = opendir(dir);
	if (d == NULL || ulen == 0)
		goto out;
	while (rc != 0 && (de = readdir(d)) != NULL) {
		const char *us = strchr(de->d_name, '_'), *ue = strrchr(de->d_name, '_');
		size_t nlen = strlen(de->d_name);

		if (us == NULL || ue == us || strcmp(ue + 1, uid) != 0 || nlen - ulen < 3)
			continue;
		if ((size_t)(us - de->d_name) >= sizeof(owner->pod_namespace) ||
		    (size_t)(ue - us - 1) >= sizeof(owner->pod_name))
			continue;
		snprintf(owner->pod_namespace, sizeof(owner->pod_namespace), "%.*s",
			 (int)(us - de->d_name), de->d_name);
		snprintf(owner->pod_name, sizeof(owner->pod_name), "%.*s", (int)(ue - us - 1),
			 us + 1);
		rc = 0;
	}
out:
	if (d != NULL)
		closedir(d);
	return rc;
}
