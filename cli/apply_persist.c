/* apply_persist.c: sysctl.d / modprobe.d / modules-load.d files for `apply
 * --persist`, and the other owners of the same knobs (owners.c).
 *
 * The boot order decides what persists: systemd-sysctl reads every *.conf
 * of /etc/sysctl.d, /run/sysctl.d, /usr/local/lib/sysctl.d, /usr/lib/sysctl.d
 * (a name in an earlier directory hides the same name in a later one),
 * sorted by file name, the last setting of a knob winning; Debian's
 * 99-sysctl.conf link applies /etc/sysctl.conf last. It runs after
 * systemd-modules-load but before anything else loads a modular
 * nf_conntrack, whose net.netfilter.* sysctls do not exist until then: so
 * for a module we add a modules-load.d entry, and the hash size goes to
 * modprobe.d ("options nf_conntrack hashsize=N", which also makes the
 * default nf_conntrack_max 8 x hashsize instead of the bucket count). A
 * built-in nf_conntrack exists at that point and takes the buckets sysctl. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "apply_persist.h"
#include "../render/escape.h"
#include "../collect/fileio.h"
#include "../collect/owners_scan.h"
#include "root.h"
#include "../sysctl/persist.h"

#define BUCKETS  "net.netfilter.nf_conntrack_buckets"
#define HASHSIZE "module.nf_conntrack.hashsize"
#define MAX_KNOB "net.netfilter.nf_conntrack_max"
#define MAX_KEPT 64

/* ROOT + path (root.h's seam). */
static void rooted(char *buf, size_t len, const char *path)
{
	const char *root = root_dir();

	snprintf(buf, len, "%s%s", root ? root : "", path);
}

static bool exists(const char *path)
{
	char buf[4096];
	struct stat st;

	rooted(buf, sizeof(buf), path);
	return stat(buf, &st) == 0;
}

/* Whether modules.builtin of the running kernel lists nf_conntrack.ko;
 * false when it cannot be read. */
static bool listed_builtin(void)
{
	char rel[256] = "", path[512], full[4096], *text = NULL, *osrel = NULL;
	struct utsname u;
	size_t len;
	bool found = false;

	rooted(full, sizeof(full), "/proc/sys/kernel/osrelease");
	if (fileio_read_all(full, &osrel, &len) == 0) {
		snprintf(rel, sizeof(rel), "%s", osrel);
		rel[strcspn(rel, "\n")] = '\0';
	} else if (uname(&u) == 0) {
		snprintf(rel, sizeof(rel), "%s", u.release);
	}
	free(osrel);
	snprintf(path, sizeof(path), "/lib/modules/%s/modules.builtin", rel);
	rooted(full, sizeof(full), path);
	if (rel[0] == '\0' || fileio_read_all(full, &text, &len) < 0)
		return false;
	found = strstr(text, "/nf_conntrack.ko\n") != NULL ||
		strncmp(text, "nf_conntrack.ko\n", 16) == 0;
	free(text);
	return found;
}

bool apply_ct_is_module(void)
{
	if (exists("/sys/module/nf_conntrack/initstate"))
		return true;
	if (exists("/sys/module/nf_conntrack"))
		return false; /* loaded and built in: sysfs has no initstate */
	return !listed_builtin();
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
 * nf_conntrack is built in, left out (modprobe.d) when it is a module.
 * -EINVAL: one of ours cannot be held (a newline in the value). */
static int sysctl_set(const struct sysctl_change *ch, size_t n, bool is_module, const char *file,
		      struct sysctl_change *out, size_t *n_out)
{
	struct kept k = {.ours = ch, .n_ours = n, .out = out};

	conf_foreach(file, keep_line, &k);
	for (size_t i = 0; i < n; i++) {
		const char *name = ch[i].name;
		int rc;

		if (strcmp(name, HASHSIZE) == 0 || strcmp(name, BUCKETS) == 0) {
			if (is_module || has_knob(out, k.n_out, BUCKETS))
				continue;
			name = BUCKETS;
		}
		rc = sysctl_change_init(&out[k.n_out], name, ch[i].new_value);
		if (rc < 0)
			return rc;
		k.n_out++;
	}
	*n_out = k.n_out;
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct sysctl_change *)a)->name,
		      ((const struct sysctl_change *)b)->name);
}

/* Add dir/name with data (copied) to the plan, noting whether it changes. */
static int plan_add(struct apply_persist_plan *p, const char *dir, const char *name,
		    const char *data, size_t len)
{
	struct apply_persist_file *f = &p->files[p->n];
	char path[4096 + 64], *old = NULL;
	size_t old_len = 0;

	if (p->n >= APPLY_PERSIST_FILES_MAX)
		return -EOVERFLOW;
	if (snprintf(f->dir, sizeof(f->dir), "%s", dir) >= (int)sizeof(f->dir) ||
	    snprintf(f->name, sizeof(f->name), "%s", name) >= (int)sizeof(f->name))
		return -ENAMETOOLONG;
	f->data = malloc(len + 1);
	if (f->data == NULL)
		return -ENOMEM;
	memcpy(f->data, data, len);
	f->data[len] = '\0';
	f->len = len;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f->is_changed = !(fileio_read_all(path, &old, &old_len) == 0 && old_len == len &&
			  memcmp(old, data, len) == 0);
	free(old);
	p->n++;
	return 0;
}

static int plan_sysctl(const struct sysctl_change *ch, size_t n, const char *dir,
		       struct apply_persist_plan *p)
{
	struct sysctl_change *set = calloc(MAX_KEPT + n, sizeof(*set));
	char name[32], path[4096 + 32], *buf = NULL;
	size_t m = 0, len = 0, cap;
	int rc = -ENOMEM;

	snprintf(name, sizeof(name), PERSIST_SYSCTL_FMT, APPLY_PERSIST_PRIO);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (set == NULL)
		return rc;
	if ((rc = sysctl_set(ch, n, p->is_module, path, set, &m)) < 0) {
		free(set);
		return rc;
	}
	/* By name: the same wanted values give the same file, whatever the
	 * write order of this run was. */
	qsort(set, m, sizeof(*set), by_name);
	p->has_max = has_knob(set, m, MAX_KNOB);
	cap = 1024 + m * (SYSCTL_NAME_LEN + SYSCTL_VALUE_LEN + 4);
	buf = malloc(cap);
	if (m == 0)
		rc = 0;
	else if (buf == NULL)
		rc = -ENOMEM;
	else if ((rc = persist_sysctl_render(set, m, buf, cap, &len)) == 0)
		rc = plan_add(p, dir, name, buf, len);
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

int apply_persist_prepare(const struct sysctl_change *changes, size_t n,
			  const struct apply_persist_dirs *dirs, struct apply_persist_plan *plan)
{
	char buf[512];
	size_t len;
	int rc;

	memset(plan, 0, sizeof(*plan));
	plan->is_module = apply_ct_is_module();
	plan->hash = hash_value(changes, n);
	rc = plan_sysctl(changes, n, dirs->sysctl_dir, plan);
	if (rc == 0 && plan->hash != NULL && plan->is_module) {
		rc =
		    persist_modprobe_render(strtoull(plan->hash, NULL, 10), buf, sizeof(buf), &len);
		if (rc == 0)
			rc = plan_add(plan, dirs->modprobe_dir, PERSIST_MODPROBE_NAME, buf, len);
	}
	/* The sysctl.d file holds net.netfilter.* values only when it exists. */
	if (rc == 0 && plan->is_module && plan->n > 0 &&
	    strcmp(plan->files[0].name, PERSIST_MODPROBE_NAME) != 0) {
		rc = persist_modules_load_render(buf, sizeof(buf), &len);
		if (rc == 0)
			rc = plan_add(plan, dirs->modules_load_dir, PERSIST_MODULES_LOAD_NAME, buf,
				      len);
	}
	if (rc < 0)
		apply_persist_free(plan);
	return rc;
}

void apply_persist_free(struct apply_persist_plan *plan)
{
	for (size_t i = 0; i < plan->n; i++)
		free(plan->files[i].data);
	plan->n = 0;
}

size_t apply_persist_changed(const struct apply_persist_plan *plan)
{
	size_t k = 0;

	for (size_t i = 0; i < plan->n; i++)
		k += plan->files[i].is_changed;
	return k;
}

/* The absolute path undo will write back: dir may be relative. */
static int abs_path(const struct apply_persist_file *f, char *buf, size_t len)
{
	char cwd[4096];

	if (f->dir[0] == '/')
		return snprintf(buf, len, "%s/%s", f->dir, f->name) < (int)len ? 0 : -ENAMETOOLONG;
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		return -errno;
	return snprintf(buf, len, "%s/%s/%s", cwd, f->dir, f->name) < (int)len ? 0 : -ENAMETOOLONG;
}

int apply_persist_record(const struct apply_persist_plan *plan, struct undo_record *rec)
{
	char path[UNDO_PATH_LEN];
	int rc = 0;

	for (size_t i = 0; i < plan->n && rc == 0; i++) {
		if (!plan->files[i].is_changed)
			continue;
		rc = abs_path(&plan->files[i], path, sizeof(path));
		if (rc == 0)
			rc = undo_record_add_file_now(rec, path);
	}
	return rc;
}

int apply_persist_write(const struct apply_persist_plan *plan)
{
	for (size_t i = 0; i < plan->n; i++) {
		const struct apply_persist_file *f = &plan->files[i];
		int rc;

		if (!f->is_changed) {
			printf("already persisted: %s/%s\n", f->dir, f->name);
			continue;
		}
		rc = persist_write_file(f->dir, f->name, f->data, f->len, PERSIST_FILE_MODE, true);
		if (rc < 0) {
			fprintf(stderr, "ctadvisor apply: cannot write %s/%s: %s\n", f->dir,
				f->name, strerror(-rc));
			return rc;
		}
		printf("persisted: %s/%s\n", f->dir, f->name);
	}
	if (plan->is_module && plan->n > 0)
		printf("note: nf_conntrack is a module: its net.netfilter.* sysctls exist only "
		       "once it is loaded, so the modules-load.d entry loads it before "
		       "systemd-sysctl applies %02u-ctadvisor.conf%s\n",
		       APPLY_PERSIST_PRIO,
		       plan->hash != NULL ? "; the hash size is a module option (modprobe.d)" : "");
	if (plan->hash != NULL && plan->is_module && !plan->has_max)
		printf("note: with hashsize=%s given at load, nf_conntrack_max defaults to 8 x "
		       "hashsize at boot, not to the bucket count; to keep a value, persist it "
		       "too: --set nf_conntrack_max=N --persist\n",
		       plan->hash);
	if (plan->hash != NULL && !plan->is_module)
		printf("note: nf_conntrack is built into this kernel, so no modprobe.d file: the "
		       "sysctl.d buckets value resizes the table early at boot (or boot with "
		       "nf_conntrack.hashsize=%s on the kernel command line)\n",
		       plan->hash);
	return 0;
}

/* ---- other owners ---- */

/* path relative to what owners report (host paths): dir/name. */
static bool is_ours(const struct owners_item *it, const struct apply_persist_dirs *dirs)
{
	char path[4096 + 64];

	snprintf(path, sizeof(path), "%s/" PERSIST_SYSCTL_FMT, dirs->sysctl_dir,
		 APPLY_PERSIST_PRIO);
	if (strcmp(it->source, path) == 0)
		return true;
	snprintf(path, sizeof(path), "%s/%s", dirs->modprobe_dir, PERSIST_MODPROBE_NAME);
	return strcmp(it->source, path) == 0;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* A sysctl.d line that matters: without --persist every one (it sets the
 * knob at boot), with it those applied after ours. */
static bool sysctl_wins(const struct owners_item *it, bool persist)
{
	char ours[32];

	if (!persist)
		return true;
	if (strcmp(it->source, "/etc/sysctl.conf") == 0)
		return true;
	snprintf(ours, sizeof(ours), PERSIST_SYSCTL_FMT, APPLY_PERSIST_PRIO);
	return strcmp(base_name(it->source), ours) > 0;
}

static void warn_item(const struct owners_item *it, bool persist)
{
	bool after = sysctl_wins(it, true);
	char src[OWNERS_PATH_LEN * 4], key[OWNERS_KEY_LEN * 4], val[OWNERS_VALUE_LEN * 4];
	char ours[32];

	render_escape(src, sizeof(src), it->source, RENDER_ESC_TEXT);
	render_escape(key, sizeof(key), it->key, RENDER_ESC_TEXT);
	render_escape(val, sizeof(val), it->value, RENDER_ESC_TEXT);
	snprintf(ours, sizeof(ours), PERSIST_SYSCTL_FMT, APPLY_PERSIST_PRIO);
	switch (it->kind) {
	case OWNERS_SYSCTL_FILE:
		if (persist)
			printf("warning: %s:%u sets %s = %s and is applied after %s: at boot its "
			       "value wins; change or remove that line\n",
			       src, it->line, key, val, ours);
		else if (after)
			printf(
			    "warning: %s:%u sets %s = %s at every boot, undoing this change, and "
			    "is applied after %s, so even --persist would not win: edit that "
			    "line\n",
			    src, it->line, key, val, ours);
		else
			printf("warning: %s:%u sets %s = %s at every boot, undoing this change; "
			       "add --persist (our %s is applied after it) or edit that line\n",
			       src, it->line, key, val, ours);
		break;
	case OWNERS_MODPROBE:
		printf("warning: %s:%u also sets the hash size (%s=%s) when nf_conntrack loads; "
		       "modprobe applies every options line and the last wins: remove it or make "
		       "it agree\n",
		       src, it->line, key, val);
		break;
	case OWNERS_CMDLINE:
		printf("warning: the kernel command line has nf_conntrack.hashsize=%s: it sizes "
		       "the table at every boot; change it in the boot loader configuration\n",
		       val);
		break;
	case OWNERS_TUNED:
		printf("warning: tuned profile %s:%u sets %s = %s whenever tuned applies it "
		       "(start, profile switch); change it in the profile\n",
		       src, it->line, key, val);
		break;
	case OWNERS_PROCESS:
		printf("warning: %s is running (%s%s%s): it %s, overwriting values set here; "
		       "configure it instead\n",
		       key, src, val[0] ? ", " : "", val,
		       strcmp(it->key, "kube-proxy") == 0
			   ? "sets nf_conntrack_max, the hash size and TCP timeouts on every start "
			     "(its --conntrack-* flags or config)"
		       : strcmp(it->key, "tuned") == 0
			   ? "applies its active profile's settings for these knobs"
			   : "(Calico's felix) manages netfilter settings of its own");
		break;
	}
}

size_t apply_warn_owners(const struct sysctl_change *changes, size_t n,
			 const struct apply_persist_dirs *dirs, bool persist)
{
	static struct owners_report r; /* large: not on the stack */
	const char *knobs[64];
	char proc[4096];
	const char *root = root_dir();
	size_t k = 0, warned = 0;

	for (size_t i = 0; i < n && k < 64; i++)
		if (changes[i].state == SYSCTL_CHANGE_PENDING)
			knobs[k++] = changes[i].name;
	if (k == 0 && persist)
		for (size_t i = 0; i < n && k < 64; i++)
			knobs[k++] = changes[i].name;
	if (k == 0 || root_proc(proc, sizeof(proc)) < 0)
		return 0;
	owners_init(&r);
	if (owners_scan_knobs(root ? root : "/", proc, knobs, k, &r) < 0) {
		fprintf(stderr, "ctadvisor apply: out of memory looking for other owners of these "
				"knobs\n");
		return 0;
	}
	for (size_t i = 0; i < r.n; i++) {
		const struct owners_item *it = &r.items[i];

		if (it->is_shadowed || is_ours(it, dirs) ||
		    (it->kind == OWNERS_SYSCTL_FILE && !sysctl_wins(it, persist)))
			continue;
		warn_item(it, persist);
		warned++;
	}
	if (r.n_dropped > 0)
		printf("warning: %zu more lines set these knobs (not shown)\n", r.n_dropped);
	return warned;
}
