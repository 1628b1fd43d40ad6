/* persist.h: make knob values survive a reboot: a sysctl.d drop-in
 * ("NN-ctadvisor.conf") and, for nf_conntrack built as a module, the hash
 * size as "options nf_conntrack hashsize=N" in a modprobe.d file (a sysctl.d
 * value for buckets is applied before the module is loaded). Directories
 * are the caller's, so tests use temporary ones. Every file is written
 * atomically: a temp file in the same directory, fsync, rename, fsync of the
 * directory. A reader sees the old file or the new one, never a half file;
 * on any error (ENOSPC included) the temp file is removed and the old file
 * stays. Errors are negative errno; nothing is printed. */
#ifndef CTADVISOR_PERSIST_H
#define CTADVISOR_PERSIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sysctl_write.h"

#define PERSIST_SYSCTL_FMT        "%02u-ctadvisor.conf" /* with the priority 0..99 */
#define PERSIST_MODPROBE_NAME     "ctadvisor-nf_conntrack.conf"
#define PERSIST_MODULES_LOAD_NAME "ctadvisor-nf_conntrack.conf" /* modules-load.d */
#define PERSIST_FILE_MODE         0644

/* Write len bytes of data as dir/name with mode. replace: an existing file
 * is replaced (rename); otherwise -EEXIST and nothing changes (link, so two
 * writers cannot both win). -EINVAL name with "/" or starting with ".";
 * -ENAMETOOLONG; -errno of mkstemp/write/fsync/rename (-ENOSPC, -EACCES).
 * After the rename only the directory fsync can fail: the error is returned
 * but the new file is complete. */
int persist_write_file(const char *dir, const char *name, const void *data, size_t len,
		       unsigned int mode, bool replace);

/* The drop-in text: a header comment, then "name = new_value" per change in
 * array order. -EINVAL for a "module." parameter (modprobe.d only) or a name
 * or value sysctl.d cannot hold; -EOVERFLOW when it exceeds len - 1 bytes.
 * *out_len (may be NULL) gets the length without the NUL. */
int persist_sysctl_render(const struct sysctl_change *changes, size_t n, char *buf, size_t len,
			  size_t *out_len);

/* Render and write dir/NN-ctadvisor.conf (prio 0..99, else -EINVAL); the
 * full path goes to path (may be NULL). Errors of render and write. */
int persist_sysctl(const char *dir, unsigned int prio, const struct sysctl_change *changes,
		   size_t n, char *path, size_t path_len);

/* The modprobe.d text: a header comment and the options line. -EINVAL for
 * 0 or above UINT32_MAX (the parameter is a uint), -EOVERFLOW. */
int persist_modprobe_render(uint64_t hashsize, char *buf, size_t len, size_t *out_len);

/* The modules-load.d text: a header comment and "nf_conntrack", so that
 * systemd-modules-load loads the module before systemd-sysctl applies the
 * net.netfilter.* values (it is ordered before it). -EOVERFLOW. */
int persist_modules_load_render(char *buf, size_t len, size_t *out_len);

/* Render and write dir/ctadvisor-nf_conntrack.conf. */
int persist_modprobe(const char *dir, uint64_t hashsize, char *path, size_t path_len);

#endif
