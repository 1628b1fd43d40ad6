/* apply_persist.h: the parts of `ctadvisor apply` that look past the
 * running kernel: making values survive a reboot (sysctl.d, modprobe.d,
 * modules-load.d) and finding the other owners that will overwrite them
 * (owners.c: later sysctl.d files, modprobe.d, the kernel command line,
 * tuned, kube-proxy, Calico). Files under CTADVISOR_ROOT when it is set
 * (root.h), so tests use a crafted tree. The plan is computed first, so the
 * undo record can hold each file's content before it is written. */
#ifndef CTADVISOR_APPLY_PERSIST_H
#define CTADVISOR_APPLY_PERSIST_H

#include <stdbool.h>
#include <stddef.h>

#include "../sysctl/sysctl_write.h"
#include "../sysctl/undo.h"

#define APPLY_PERSIST_PRIO      90u
#define APPLY_PERSIST_FILES_MAX 3

struct apply_persist_dirs {
	const char *sysctl_dir;       /* default /etc/sysctl.d */
	const char *modprobe_dir;     /* default /etc/modprobe.d */
	const char *modules_load_dir; /* default /etc/modules-load.d */
};

/* One file --persist writes: dir/name with data (malloc'd). */
struct apply_persist_file {
	char dir[4096];
	char name[64];
	char *data;
	size_t len;
	bool is_changed; /* differs from what is there now (or absent) */
};

struct apply_persist_plan {
	struct apply_persist_file files[APPLY_PERSIST_FILES_MAX];
	size_t n;
	bool is_module;
	const char *hash; /* the hash size persisted (borrowed), or NULL */
	bool has_max;     /* nf_conntrack_max is in the sysctl.d file */
};

/* Whether nf_conntrack is a loadable module: ROOT/sys/module/nf_conntrack
 * has initstate (loaded module); absent, loaded built-in (no initstate);
 * not loaded at all: a module unless modules.builtin of the running kernel
 * lists it. */
bool apply_ct_is_module(void);

/* The files for the wanted values of changes (all of them, changed or
 * not): dirs->sysctl_dir/90-ctadvisor.conf, keeping the knobs an earlier
 * apply put there; the hash size as buckets there when nf_conntrack is
 * built in, else as "options nf_conntrack hashsize=" in modprobe_dir; and
 * for a module, modules_load_dir/ctadvisor-nf_conntrack.conf so the module
 * is loaded before systemd-sysctl applies the file. 0 or -errno (-EINVAL
 * a value sysctl.d cannot hold). Free with apply_persist_free(). */
int apply_persist_prepare(const struct sysctl_change *changes, size_t n,
			  const struct apply_persist_dirs *dirs, struct apply_persist_plan *plan);
void apply_persist_free(struct apply_persist_plan *plan);
/* How many files of the plan change. */
size_t apply_persist_changed(const struct apply_persist_plan *plan);
/* Add each file that changes, with its content now, to the undo record. */
int apply_persist_record(const struct apply_persist_plan *plan, struct undo_record *rec);
/* Write the files that change (atomically), print what was done and the
 * notes about the boot order. 0 or the first -errno (printed). */
int apply_persist_write(const struct apply_persist_plan *plan);

/* Before the confirmation: warn about every other owner of the knobs being
 * changed (PENDING ones; all of them when none is and persist is set),
 * using one owners_scan_knobs() over ROOT: with persist, sysctl.d files
 * sorting after ours (and sysctl.conf), without it every file that sets
 * them at boot; other modprobe.d hashsize lines, nf_conntrack.hashsize= on
 * the kernel command line, active tuned profiles, kube-proxy, Calico,
 * tuned. Our own files are not owners. The number of warnings printed. */
size_t apply_warn_owners(const struct sysctl_change *changes, size_t n,
			 const struct apply_persist_dirs *dirs, bool persist);

#endif
