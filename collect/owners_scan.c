/* owners_scan.c: find the other writers of nf_conntrack_max and the hash size.
 * Files are read whole (they are small) and parsed line by line; a file
 * reached twice (a symlink such as /etc/sysctl.d/99-sysctl.conf, or a
 * merged /lib -> /usr/lib) is reported once. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fileio.h"
#include "owners_kube.h"
#include "owners_scan.h"

#define SEEN_MAX 256

/* Search order: a file name found in an earlier directory masks the same
 * name later (systemd-sysctl and modprobe agree on this). */
static const char *const sysctl_dirs[] = {"/etc/sysctl.d", "/run/sysctl.d",
					  "/usr/local/lib/sysctl.d", "/usr/lib/sysctl.d",
					  "/lib/sysctl.d"};
static const char *const modprobe_dirs[] = {"/etc/modprobe.d", "/run/modprobe.d",
					    "/usr/local/lib/modprobe.d", "/usr/lib/modprobe.d",
					    "/lib/modprobe.d"};
static const char *const tuned_dirs[] = {"/etc/tuned", "/etc/tuned/profiles", "/usr/lib/tuned",
					 "/usr/lib/tuned/profiles"};
static const char *const daemons[] = {"kube-proxy", "tuned", "calico-node", "calico-felix",
				      "felix"};

struct seen {
	size_t n;
	dev_t dev[SEEN_MAX];
	ino_t ino[SEEN_MAX];
};

/* One scan: where files are and what a line callback appends. */
struct scan {
	const char *root;
	struct owners_report *r;
	enum owners_kind kind;
	bool is_shadowed;
	struct seen files;
	const char *active; /* tuned: the active_profile text */
	const char *profile;
	const char *const
	    *knobs; /* owners_scan_knobs(): what to look for; NULL: the sizing knobs */
	size_t n_knobs;
};

/* Whether the scan reports a line for this canonical knob. */
static bool wanted(const struct scan *sc, const char *knob)
{
	for (size_t i = 0; i < sc->n_knobs; i++)
		if (owners_same_knob(sc->knobs[i], knob))
			return true;
	return false;
}

typedef void (*line_fn)(struct scan *sc, const char *src, unsigned line, char *text);

/* root + path; "" and "/" mean the live host. */
static void host_path(char *buf, size_t len, const char *root, const char *path)
{
	if (root == NULL || root[0] == '\0' || strcmp(root, "/") == 0)
		root = "";
	snprintf(buf, len, "%s%s", root, path);
}

static void add(struct owners_report *r, enum owners_kind kind, const char *src, unsigned line,
		const char *key, const char *value, bool is_shadowed)
{
	struct owners_item *it;

	if (r->n >= OWNERS_MAX) {
		r->n_dropped++;
		return;
	}
	it = &r->items[r->n++];
	memset(it, 0, sizeof(*it));
	it->kind = kind;
	snprintf(it->source, sizeof(it->source), "%s", src);
	it->line = line;
	snprintf(it->key, sizeof(it->key), "%s", key);
	snprintf(it->value, sizeof(it->value), "%s", value);
	it->is_shadowed = is_shadowed;
}

/* Whether (dev, ino) was met before; records it if not. */
static bool seen_before(struct seen *s, const struct stat *st)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->dev[i] == st->st_dev && s->ino[i] == st->st_ino)
			return true;
	if (s->n < SEEN_MAX) {
		s->dev[s->n] = st->st_dev;
		s->ino[s->n++] = st->st_ino;
	}
	return false;
}

/* snprintf that says whether the whole text fit: a path cut short would
 * name a different file. */
__attribute__((format(printf, 3, 4))) static bool fmt_fits(char *buf, size_t len, const char *fmt,
							   ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return n >= 0 && (size_t)n < len;
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* Feed every line of file (host path src, real path path) to fn. */
static int scan_file(struct scan *sc, const char *path, const char *src, line_fn fn)
{
	char *text = NULL, *line;
	unsigned no = 0;
	size_t len;
	struct stat st;
	int rc;

	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode) || seen_before(&sc->files, &st))
		return 0;
	rc = fileio_read_all(path, &text, &len);
	if (rc == -ENOMEM)
		return rc;
	if (rc < 0)
		return 0; /* unreadable: nothing we can report */
	for (char *p = text; p != NULL; p = line) {
		line = strchr(p, '\n');
		if (line != NULL)
			*line++ = '\0';
		no++;
		fn(sc, src, no, p);
	}
	free(text);
	return 0;
}

static bool is_conf(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return d->d_name[0] != '.' && n > 5 && strcmp(d->d_name + n - 5, ".conf") == 0;
}

/* Whether name exists in one of dirs[0..i-1] (under root). */
static bool masked(const char *root, const char *const *dirs, size_t i, const char *name)
{
	char path[OWNERS_PATH_LEN * 2];
	size_t len, name_len = strlen(name);
	struct stat st;

	for (size_t j = 0; j < i; j++) {
		host_path(path, sizeof(path), root, dirs[j]);
		len = strlen(path);
		if (len + name_len + 2 > sizeof(path))
			continue;
		path[len] = '/';
		memcpy(path + len + 1, name, name_len + 1);
		if (stat(path, &st) == 0)
			return true;
	}
	return false;
}

static int scan_dir(struct scan *sc, const char *const *dirs, size_t i, line_fn fn)
{
	char dir[OWNERS_PATH_LEN * 2], path[OWNERS_PATH_LEN * 3], src[OWNERS_PATH_LEN * 2];
	struct dirent **ents = NULL;
	int n, rc = 0;

	host_path(dir, sizeof(dir), sc->root, dirs[i]);
	n = scandir(dir, &ents, NULL, alphasort);
	for (int k = 0; k < n; k++) {
		if (rc == 0 && is_conf(ents[k]) &&
		    fmt_fits(path, sizeof(path), "%s/%s", dir, ents[k]->d_name) &&
		    fmt_fits(src, sizeof(src), "%s/%s", dirs[i], ents[k]->d_name)) {
			sc->is_shadowed = masked(sc->root, dirs, i, ents[k]->d_name);
			rc = scan_file(sc, path, src, fn);
		}
		free(ents[k]);
	}
	free(ents);
	return rc;
}

static void sysctl_line(struct scan *sc, const char *src, unsigned no, char *text)
{
	char *p = trim(text), *eq, knob[OWNERS_KEY_LEN];

	if (*p == '#' || *p == ';' || *p == '\0')
		return;
	eq = strchr(p, '=');
	if (eq == NULL)
		return;
	*eq = '\0';
	p = trim(p);
	owners_canonical_knob(p, knob, sizeof(knob));
	if (sc->knobs != NULL ? wanted(sc, knob)
			      : strstr(p, "nf_conntrack_max") ||
				    strstr(p, "nf_conntrack_buckets") || strstr(p, "hashsize"))
		add(sc->r, sc->kind, src, no, p, trim(eq + 1), sc->is_shadowed);
}

static int scan_sysctl(struct scan *sc)
{
	char path[OWNERS_PATH_LEN * 2];
	size_t n = sizeof(sysctl_dirs) / sizeof(sysctl_dirs[0]);
	int rc = 0;

	sc->kind = OWNERS_SYSCTL_FILE;
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = scan_dir(sc, sysctl_dirs, i, sysctl_line);
	host_path(path, sizeof(path), sc->root, "/etc/sysctl.conf");
	sc->is_shadowed = false;
	return rc < 0 ? rc : scan_file(sc, path, "/etc/sysctl.conf", sysctl_line);
}

int owners_scan_sysctl(const char *root, struct owners_report *r)
{
	struct scan sc = {.root = root, .r = r, .kind = OWNERS_SYSCTL_FILE};
	char path[OWNERS_PATH_LEN * 2];
	size_t n = sizeof(sysctl_dirs) / sizeof(sysctl_dirs[0]);
	int rc = 0;

	for (size_t i = 0; i < n && rc == 0; i++)
		rc = scan_dir(&sc, sysctl_dirs, i, sysctl_line);
	host_path(path, sizeof(path), root, "/etc/sysctl.conf");
	sc.is_shadowed = false;
	return rc < 0 ? rc : scan_file(&sc, path, "/etc/sysctl.conf", sysctl_line);
}

/* "options nf_conntrack hashsize=N ..." (modprobe also accepts '-' for '_'). */
static void modprobe_line(struct scan *sc, const char *src, unsigned no, char *text)
{
	char *save = NULL, *tok = strtok_r(text, " \t", &save);

	if (tok == NULL || strcmp(tok, "options") != 0)
		return;
	tok = strtok_r(NULL, " \t", &save);
	if (tok == NULL || (strcmp(tok, "nf_conntrack") != 0 && strcmp(tok, "nf-conntrack") != 0))
		return;
	while ((tok = strtok_r(NULL, " \t", &save)) != NULL)
		if (strncmp(tok, "hashsize=", 9) == 0 &&
		    (sc->knobs == NULL || wanted(sc, HASHSIZE_KNOB)))
			add(sc->r, OWNERS_MODPROBE, src, no, "options nf_conntrack hashsize",
			    trim(tok + 9), sc->is_shadowed);
}

static int scan_modprobe(struct scan *sc)
{
	size_t n = sizeof(modprobe_dirs) / sizeof(modprobe_dirs[0]);
	int rc = 0;

	sc->kind = OWNERS_MODPROBE;
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = scan_dir(sc, modprobe_dirs, i, modprobe_line);
	return rc;
}

int owners_scan_modprobe(const char *root, struct owners_report *r)
{
	struct scan sc = {.root = root, .r = r, .kind = OWNERS_MODPROBE};

	return scan_modprobe(&sc);
}

/* A profile is active when active_profile lists its name (tuned allows
 * several, blank-separated). */
static bool is_active_profile(const char *active, const char *name)
{
	size_t n = strlen(name);

	if (active == NULL)
		return false;
	for (const char *p = active; *p;) {
		while (isspace((unsigned char)*p))
			p++;
		if (strncmp(p, name, n) == 0 && (p[n] == '\0' || isspace((unsigned char)p[n])))
			return true;
		while (*p && !isspace((unsigned char)*p))
			p++;
	}
	return false;
}

static void tuned_line(struct scan *sc, const char *src, unsigned no, char *text)
{
	char *p = trim(text), *eq, knob[OWNERS_KEY_LEN];

	if (*p == '#' || *p == '\0')
		return;
	eq = strchr(p, '=');
	if (eq == NULL)
		return;
	*eq = '\0';
	p = trim(p);
	owners_canonical_knob(p, knob, sizeof(knob));
	if (sc->knobs != NULL
		? wanted(sc, knob)
		: strstr(p, "nf_conntrack_hashsize") || strstr(p, "nf_conntrack_max") ||
		      strstr(p, "nf_conntrack_buckets"))
		add(sc->r, OWNERS_TUNED, src, no, p, trim(eq + 1),
		    !is_active_profile(sc->active, sc->profile));
}

static int scan_tuned_dir(struct scan *sc, const char *dir_on_host)
{
	char dir[OWNERS_PATH_LEN * 2], path[OWNERS_PATH_LEN * 3], src[OWNERS_PATH_LEN * 2];
	struct dirent **ents = NULL;
	int n, rc = 0;

	host_path(dir, sizeof(dir), sc->root, dir_on_host);
	n = scandir(dir, &ents, NULL, alphasort);
	for (int k = 0; k < n; k++) {
		if (rc == 0 && ents[k]->d_name[0] != '.' &&
		    fmt_fits(path, sizeof(path), "%s/%s/tuned.conf", dir, ents[k]->d_name) &&
		    fmt_fits(src, sizeof(src), "%s/%s/tuned.conf", dir_on_host, ents[k]->d_name)) {
			sc->profile = ents[k]->d_name;
			rc = scan_file(sc, path, src, tuned_line);
		}
		free(ents[k]);
	}
	free(ents);
	return rc;
}

static int scan_tuned(struct scan *sc)
{
	char path[OWNERS_PATH_LEN * 2], *active = NULL;
	size_t len, n = sizeof(tuned_dirs) / sizeof(tuned_dirs[0]);
	int rc = 0;

	sc->kind = OWNERS_TUNED;
	host_path(path, sizeof(path), sc->root, "/etc/tuned/active_profile");
	if (fileio_read_all(path, &active, &len) == -ENOMEM)
		return -ENOMEM;
	sc->active = active;
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = scan_tuned_dir(sc, tuned_dirs[i]);
	sc->active = NULL;
	free(active);
	return rc;
}

int owners_scan_tuned(const char *root, struct owners_report *r)
{
	struct scan sc = {.root = root, .r = r, .kind = OWNERS_TUNED};

	return scan_tuned(&sc);
}

/* The daemon name a process runs as: its comm, or the base name of one of
 * the first three words of its command line (tuned is a Python script). */
static const char *daemon_of(const char *comm, const char *argv, size_t argv_len)
{
	size_t nd = sizeof(daemons) / sizeof(daemons[0]);
	const char *p = argv;

	for (size_t i = 0; i < nd; i++)
		if (strcmp(comm, daemons[i]) == 0)
			return daemons[i];
	for (int w = 0; w < 3 && p < argv + argv_len; w++, p += strlen(p) + 1) {
		const char *base = strrchr(p, '/');

		base = base ? base + 1 : p;
		for (size_t i = 0; i < nd; i++)
			if (strcmp(base, daemons[i]) == 0)
				return daemons[i];
	}
	return NULL;
}

/* The flags that change what the daemon writes (kube-proxy --conntrack-*). */
static void daemon_flags(const char *argv, size_t argv_len, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (const char *p = argv; p < argv + argv_len; p += strlen(p) + 1) {
		const char *next = p + strlen(p) + 1;
		bool has_next = strncmp(p, "--conntrack-", 12) == 0 && strchr(p, '=') == NULL &&
				next < argv + argv_len && next[0] != '-';

		if (strncmp(p, "--conntrack-", 12) != 0 ||
		    used + strlen(p) + (has_next ? strlen(next) + 1 : 0) + 2 > len)
			continue;
		used += (size_t)snprintf(buf + used, len - used, "%s%s%s%s", used ? " " : "", p,
					 has_next ? " " : "", has_next ? next : "");
	}
}

static int scan_pid(const char *proc_root, const char *pid, struct owners_report *r)
{
	char path[OWNERS_PATH_LEN * 2], src[32], flags[OWNERS_VALUE_LEN], *comm = NULL,
									  *argv = NULL;
	const char *name;
	size_t clen, alen = 0;
	int rc;

	snprintf(path, sizeof(path), "%s/%s/comm", proc_root, pid);
	rc = fileio_read_all(path, &comm, &clen);
	if (rc < 0)
		return rc == -ENOMEM ? rc : 0; /* the process is gone */
	snprintf(path, sizeof(path), "%s/%s/cmdline", proc_root, pid);
	rc = fileio_read_all(path, &argv, &alen);
	if (rc == -ENOMEM) {
		free(comm);
		return rc;
	}
	name = daemon_of(trim(comm), argv ? argv : "", argv ? alen : 0);
	if (name != NULL) {
		daemon_flags(argv ? argv : "", argv ? alen : 0, flags, sizeof(flags));
		snprintf(src, sizeof(src), "pid %s", pid);
		add(r, OWNERS_PROCESS, src, 0, name, flags, false);
		if (strcmp(name, "kube-proxy") == 0 && r->n > 0 &&
		    strcmp(r->items[r->n - 1].source, src) == 0)
			rc = owners_kube_read(proc_root, pid, argv ? argv : "", argv ? alen : 0,
					      &r->items[r->n - 1].kube);
	}
	free(comm);
	free(argv);
	return rc == -ENOMEM ? rc : 0;
}

/* nf_conntrack.hashsize= on the kernel command line sets the size at boot. */
static int scan_cmdline(const char *proc_root, struct owners_report *r)
{
	char path[OWNERS_PATH_LEN * 2], *text = NULL, *save = NULL, *tok;
	size_t len;
	int rc;

	snprintf(path, sizeof(path), "%s/cmdline", proc_root);
	rc = fileio_read_all(path, &text, &len);
	if (rc < 0)
		return rc == -ENOMEM ? rc : 0;
	for (tok = strtok_r(text, " \t\n", &save); tok; tok = strtok_r(NULL, " \t\n", &save))
		if (strncmp(tok, "nf_conntrack.hashsize=", 22) == 0 ||
		    strncmp(tok, "nf-conntrack.hashsize=", 22) == 0)
			add(r, OWNERS_CMDLINE, "/proc/cmdline", 1, "nf_conntrack.hashsize",
			    tok + 22, false);
	free(text);
	return 0;
}

static bool is_pid(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

int owners_scan_procs(const char *proc_root, struct owners_report *r)
{
	struct dirent **ents = NULL;
	int n, rc = scan_cmdline(proc_root, r);

	n = scandir(proc_root, &ents, NULL, versionsort);
	for (int k = 0; k < n; k++) {
		if (rc == 0 && is_pid(ents[k]->d_name))
			rc = scan_pid(proc_root, ents[k]->d_name, r);
		free(ents[k]);
	}
	free(ents);
	return rc;
}

int owners_scan_all(const char *root, const char *proc_root, struct owners_report *r)
{
	int rc = owners_scan_sysctl(root, r);

	if (rc == 0)
		rc = owners_scan_modprobe(root, r);
	if (rc == 0)
		rc = owners_scan_tuned(root, r);
	if (rc == 0)
		rc = owners_scan_procs(proc_root, r);
	return rc;
}

/* What kube-proxy writes (pkg/proxy/conntrack: max from --conntrack-max-*,
 * the hash size as max/4, the TCP timeouts, UDP timeouts and
 * tcp_be_liberal in newer versions). */
static const char *const kube_proxy_knobs[] = {
    "net.netfilter.nf_conntrack_max",
    HASHSIZE_KNOB,
    "net.netfilter.nf_conntrack_tcp_timeout_established",
    "net.netfilter.nf_conntrack_tcp_timeout_close_wait",
    "net.netfilter.nf_conntrack_udp_timeout",
    "net.netfilter.nf_conntrack_udp_timeout_stream",
    "net.netfilter.nf_conntrack_tcp_be_liberal",
};

/* Whether a process item matters for the asked knobs. */
static bool process_relevant(const struct scan *sc, const struct owners_item *it, bool tuned_hit)
{
	size_t nk = sizeof(kube_proxy_knobs) / sizeof(kube_proxy_knobs[0]);

	if (strcmp(it->key, "tuned") == 0)
		return tuned_hit;
	if (strcmp(it->key, "kube-proxy") != 0)
		return true; /* Calico: felix manages netfilter settings of its own */
	for (size_t i = 0; i < nk; i++)
		if (wanted(sc, kube_proxy_knobs[i]))
			return true;
	return false;
}

int owners_scan_knobs(const char *root, const char *proc_root, const char *const *knobs, size_t n,
		      struct owners_report *r)
{
	struct scan sc = {.root = root, .r = r, .knobs = knobs, .n_knobs = n};
	size_t first_proc, keep;
	bool tuned_hit = false;
	int rc = scan_sysctl(&sc);

	if (rc == 0)
		rc = scan_modprobe(&sc);
	if (rc == 0)
		rc = scan_tuned(&sc);
	for (size_t i = 0; i < r->n; i++)
		tuned_hit =
		    tuned_hit || (r->items[i].kind == OWNERS_TUNED && !r->items[i].is_shadowed);
	first_proc = r->n;
	if (rc == 0)
		rc = owners_scan_procs(proc_root, r);
	/* Keep the command line only for the size, processes that matter. */
	keep = first_proc;
	for (size_t i = first_proc; i < r->n; i++) {
		const struct owners_item *it = &r->items[i];
		bool ok = it->kind == OWNERS_CMDLINE ? wanted(&sc, HASHSIZE_KNOB)
						     : process_relevant(&sc, it, tuned_hit);

		if (ok)
			r->items[keep++] = *it;
	}
	r->n = keep;
	return rc;
}
