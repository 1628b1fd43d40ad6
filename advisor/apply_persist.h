/* apply_persist.h: the parts of `ctadvisor apply` that look past the
 * running kernel: making values survive a reboot (sysctl.d, modprobe.d) and
 * finding the other owners that will overwrite them (later sysctl.d files,
 * kube-proxy, tuned, Calico). These print their findings (advisor layer). */
#ifndef CTADVISOR_APPLY_PERSIST_H
#define CTADVISOR_APPLY_PERSIST_H

#include <stdbool.h>
#include <stddef.h>

#include "../sysctl/sysctl_write.h"

#define APPLY_PERSIST_PRIO 90u

/* Whether nf_conntrack is a loadable module (sysfs has initstate only for
 * those); false when it is built into the kernel. */
bool apply_ct_is_module(void);

/* Write the wanted values of changes (all of them, changed or not) into
 * sysctl_dir/90-ctadvisor.conf, keeping the knobs an earlier apply put
 * there, and the hash size into modprobe_dir when nf_conntrack is a module.
 * Unchanged files are not rewritten. Prints what it did. 0 or -errno. */
int apply_persist(const struct sysctl_change *changes, size_t n, const char *sysctl_dir,
		  const char *modprobe_dir);

/* Print a warning for every other owner that will overwrite one of the
 * knobs: sysctl.d files sorting after ours (extra_dir too, when not NULL)
 * and /etc/sysctl.conf, and running kube-proxy / tuned / calico-node. */
void apply_warn_owners(const struct sysctl_change *changes, size_t n, const char *extra_dir);

#endif
