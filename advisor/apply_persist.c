/* apply_persist.c: sysctl.d / modprobe.d files for `apply --persist`, and
 * the other owners of the same knobs.
 *
 * The boot order decides what persists: systemd-sysctl reads every *.conf
 * of /etc/sysctl.d, /run/sysctl.d, /usr/local/lib/sysctl.d, /usr/lib/sysctl.d
 * (a name in an earlier directory hides the same name in a later one),
 * sorted by file name, the last setting of a knob winning; Debian's
 * 99-sysctl.conf link applies /etc/sysctl.conf last. It runs before a
 * modular nf_conntrack is loaded, so the hash size of a module goes to
 * modprobe.d ("options nf_conntrack hashsize=N"); a built-in nf_conntrack
 * exists at that point and takes the buckets sysctl. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apply_persist.h"
#include "fileio.h"
#include "../sysctl/persist.h"

#define BUCKETS  "net.netfilter.nf_conntrack_buckets"
#define HASHSIZE "module.nf_conntrack.hashsize"
#define MAX_KEPT 64

static const char *const sysctl_dirs[] = {"/etc/sysctl.d", "/run/sysctl.d",
					  "/usr/local/lib/sysctl.d", "/usr/lib/sysctl.d"};
#define N_SYSCTL_DIRS (sizeof(sysctl_dirs) / sizeof(sysctl_dirs[0]))

bool apply_ct_is_module(void)
{
	char *text = NULL;
	size_t len;
	bool found;

	if (access("/sys/module/nf_conntrack/initstate", F_OK) == 0)
		return true;
	if (fileio_read_all("/proc/modules", &text, &len) < 0)
		return false;
	found = strncmp(text, "nf_conntrack ", 13) == 0 || strstr(text, "\nnf_conntrack ") != NULL;
	free(text);
	return found;
}

/* One "key = value" line of a sysctl.d file: key in dotted form (a '/'
 * form converted, a leading '-' dropped). false for comments and blanks. */
static bool parse_conf_line(char *line, char **key, char **value)
{
	char *eq, *end;

	while (isspace((unsigned char)*line))
		line++;
	if (*line == '#' || *line == ';' || *line == '\0' || (eq = strchr(line, '=')) == NULL)
		return false;
	if (*line == '-')
		line++;
	end = eq;
	while (end > line && isspace((unsigned char)end[-1]))
		end--;
	*end = '\0';
	for (char *p = line; *p; p++)
		if (*p == '/')
			*p = '.';
	*key = line;
	for (eq++; isspace((unsigned char)*eq); eq++)
		;
	end = eq + strlen(eq);
	while (end > eq && isspace((unsigned char)end[-1]))
		end--;
	*end = '\0';
	*value = eq;
	return true;
}

typedef void (*conf_line_fn)(const char *path, const char *key, const char *value, void *arg);

/* Call fn for every setting of the file; absent or unreadable: nothing. */
static void conf_foreach(const char *path, conf_line_fn fn, void *arg)
{
	char *text = NULL, *save = NULL, *key, *value;
	size_t len;

	if (fileio_read_all(path, &text, &len) < 0)
		return;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (parse_conf_line(line, &key, &value))
			fn(path, key, value, arg);
	free(text);
}

struct kept {
	const struct sysctl_change *ours;
	size_t n_ours;
	struct sysctl_change *out;
	size_t n_out;
};

static bool has_knob(const struct sysctl_change *c, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(c[i].name, name) == 0)
			return true;
	return false;
}

/* A knob an earlier apply persisted and this one does not set: kept. */
static void keep_line(const char *path, const char *key, const char *value, void *arg)
{
	struct kept *k = arg;

	(void)path;
	if (k->n_out >= MAX_KEPT || has_knob(k->ours, k->n_ours, key) ||
	    has_knob(k->out, k->n_out, key))
		return;
	if (sysctl_change_init(&k->out[k->n_out], key, value) == 0)
		k->n_out++;
}

/* The sysctl.d set: kept knobs, then ours; the hash size as buckets when
 * nf_conntrack is built in, left out (modprobe.d) when it is a module. */
static size_t sysctl_set(const struct sysctl_change *ch, size_t n, bool is_module, const char *file,
			 struct sysctl_change *out)
{
	struct kept k = {.ours = ch, .n_ours = n, .out = out};

	conf_foreach(file, keep_line, &k);
	for (size_t i = 0; i < n; i++) {
		const char *name = ch[i].name;

		if (strcmp(name, HASHSIZE) == 0 || strcmp(name, BUCKETS) == 0) {
			if (is_module || has_knob(out, k.n_out, BUCKETS))
				continue;
			name = BUCKETS;
		}
		if (sysctl_change_init(&out[k.n_out], name, ch[i].new_value) == 0)
			k.n_out++;
	}
	return k.n_out;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct sysctl_change *)a)->name,
		      ((const struct sysctl_change *)b)->name);
}

/* Write dir/name unless it already holds exactly data. */
static int write_if_changed(const char *dir, const char *name, const char *data, size_t len)
{
	char path[4096], *old = NULL;
	size_t old_len = 0;
	bool same;
	int rc;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	same = fileio_read_all(path, &old, &old_len) == 0 && old_len == len &&
	       memcmp(old, data, len) == 0;
	free(old);
	if (same) {
		printf("already persisted: %s\n", path);
		return 0;
	}
	rc = persist_write_file(dir, name, data, len, PERSIST_FILE_MODE, true);
	if (rc < 0)
		fprintf(stderr, "ctadvisor apply: cannot write %s: %s\n", path, strerror(-rc));
	else
		printf("persisted: %s\n", path);
	return rc;
}

static int persist_sysctl_file(const struct sysctl_change *ch, size_t n, bool is_module,
			       const char *dir)
{
	struct sysctl_change *set = calloc(MAX_KEPT + n, sizeof(*set));
	char name[32], path[4096], *buf = NULL;
	size_t m, len = 0, cap;
	int rc = -ENOMEM;

	snprintf(name, sizeof(name), PERSIST_SYSCTL_FMT, APPLY_PERSIST_PRIO);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (set == NULL)
		return rc;
	m = sysctl_set(ch, n, is_module, path, set);
	/* By name: the same wanted values give the same file, whatever the
	 * write order of this run was. */
	qsort(set, m, sizeof(*set), by_name);
	cap = 1024 + m * (SYSCTL_NAME_LEN + SYSCTL_VALUE_LEN + 4);
	buf = malloc(cap);
	if (m == 0)
		rc = 0;
	else if (buf != NULL && (rc = persist_sysctl_render(set, m, buf, cap, &len)) == 0)
		rc = write_if_changed(dir, name, buf, len);
	free(buf);
	free(set);
	return rc;
}

static const char *hash_value(const struct sysctl_change *ch, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(ch[i].name, HASHSIZE) == 0 || strcmp(ch[i].name, BUCKETS) == 0)
			return ch[i].new_value;
	return NULL;
}

static int persist_hash(const char *value, const char *dir)
{
	char buf[512];
	size_t len;
	int rc = persist_modprobe_render(strtoull(value, NULL, 10), buf, sizeof(buf), &len);

	if (rc < 0) {
		fprintf(stderr, "ctadvisor apply: hash size %s cannot be persisted: %s\n", value,
			strerror(-rc));
		return rc;
	}
	return write_if_changed(dir, PERSIST_MODPROBE_NAME, buf, len);
}

int apply_persist(const struct sysctl_change *changes, size_t n, const char *sysctl_dir,
		  const char *modprobe_dir)
{
	bool is_module = apply_ct_is_module();
	const char *hash = hash_value(changes, n);
	int rc = persist_sysctl_file(changes, n, is_module, sysctl_dir);

	if (rc == 0 && hash != NULL && is_module)
		rc = persist_hash(hash, modprobe_dir);
	if (hash != NULL && !is_module)
		printf("note: nf_conntrack is built into this kernel, so no modprobe.d file: the "
		       "sysctl.d buckets value resizes the table early at boot (or boot with "
		       "nf_conntrack.hashsize=%s on the kernel command line)\n",
		       hash);
	if (hash != NULL && is_module)
		printf("note: nf_conntrack is a module: its hash size is set when it loads, from "
		       "modprobe.d (systemd-sysctl runs before the module is loaded)\n");
	return rc;
}

struct owner_scan {
	const struct sysctl_change *ch;
	size_t n;
};

static void warn_line(const char *path, const char *key, const char *value, void *arg)
{
	const struct owner_scan *s = arg;

	if (has_knob(s->ch, s->n, key))
		printf("warning: %s sets %s = %s and is applied after %02u-ctadvisor.conf: at "
		       "boot its value wins\n",
		       path, key, value, APPLY_PERSIST_PRIO);
}

/* A name in an earlier directory hides the same name in dir i. */
static bool is_shadowed(size_t i, const char *name)
{
	char path[4096];

	for (size_t j = 0; j < i; j++) {
		snprintf(path, sizeof(path), "%s/%s", sysctl_dirs[j], name);
		if (access(path, F_OK) == 0)
			return true;
	}
	return false;
}

static void scan_dir(const char *dir, size_t idx, struct owner_scan *s)
{
	char ours[32], path[4096];
	struct dirent *de;
	DIR *d = opendir(dir);

	if (d == NULL)
		return;
	snprintf(ours, sizeof(ours), PERSIST_SYSCTL_FMT, APPLY_PERSIST_PRIO);
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);

		if (len < 6 || strcmp(de->d_name + len - 5, ".conf") != 0 ||
		    strcmp(de->d_name, ours) <= 0 || is_shadowed(idx, de->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		conf_foreach(path, warn_line, s);
	}
	closedir(d);
}

static const struct {
	const char *comm, *what;
} owners[] = {
    {"kube-proxy", "sets nf_conntrack_max, the hash size and TCP timeouts on every start"},
    {"tuned", "applies its profile's [sysctl] and nf_conntrack_hashsize settings"},
    {"calico-node", "sets nf_conntrack_max=1000000 when it starts"},
};

static void scan_processes(void)
{
	char path[64], comm[64];
	struct dirent *de;
	DIR *d = opendir("/proc");
	bool seen[sizeof(owners) / sizeof(owners[0])] = {false};

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		FILE *f;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%.32s/comm", de->d_name);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		if (fgets(comm, sizeof(comm), f) == NULL)
			comm[0] = '\0';
		fclose(f);
		comm[strcspn(comm, "\n")] = '\0';
		for (size_t i = 0; i < sizeof(owners) / sizeof(owners[0]); i++) {
			if (seen[i] || strcmp(comm, owners[i].comm) != 0)
				continue;
			seen[i] = true;
			printf("warning: %s is running (pid %s): it %s, overwriting values set "
			       "here\n",
			       owners[i].comm, de->d_name, owners[i].what);
		}
	}
	closedir(d);
}

void apply_warn_owners(const struct sysctl_change *changes, size_t n, const char *extra_dir)
{
	struct owner_scan s = {.ch = changes, .n = n};

	for (size_t i = 0; i < N_SYSCTL_DIRS; i++)
		scan_dir(sysctl_dirs[i], i, &s);
	if (extra_dir != NULL && strcmp(extra_dir, sysctl_dirs[0]) != 0)
		scan_dir(extra_dir, N_SYSCTL_DIRS, &s);
	/* Debian links it as 99-sysctl.conf, already read above. */
	if (access("/etc/sysctl.d/99-sysctl.conf", F_OK) != 0)
		conf_foreach("/etc/sysctl.conf", warn_line, &s);
	scan_processes();
}
