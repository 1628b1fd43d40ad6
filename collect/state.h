/* state.h: what the last `ctadvisor check` saw of a network namespace, kept
 * between runs so that counter findings judge the change since then, not
 * totals since boot. One small JSON file per namespace in the state
 * directory (cli decides where, and writes it atomically): the boot id, the
 * namespace's inode and cookie (a cookie is never reused within a boot, an
 * inode is), the time, nf_conntrack_max, the max when drops last grew, and
 * the per-CPU counters (32-bit in the kernel: changes are taken modulo
 * 2^32 per CPU, so a wrap is not a reset). Missing, unreadable, corrupt or
 * foreign state is ignored with a note in snap->prev, never an error. */
#ifndef CTADVISOR_STATE_H
#define CTADVISOR_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../rules/snapshot.h"

#define STATE_SCHEMA 1

/* Which namespace, in which boot. */
struct state_id {
	char boot_id[40]; /* /proc/sys/kernel/random/boot_id */
	uint64_t ino;     /* the namespace's inode (nsfs) */
	bool has_cookie;
	uint64_t cookie; /* SO_NETNS_COOKIE (Linux 5.14+) */
};

/* The id of the namespace the calling thread is in; boot_id under
 * proc_root ("/proc", or a test tree's). 0, or -errno when the boot id or
 * the inode cannot be read (then no state can be kept). */
int state_id_read(const char *proc_root, struct state_id *id);

/* DIR/netns-INODE.json; -ENAMETOOLONG. */
int state_file_name(const struct state_id *id, char *buf, size_t len);

/* Fold the state file's text (len bytes; NULL: there was none, err the
 * errno of reading it when it could not be read) against snap, which holds
 * this run's counters: snap->prev gets the window, the changes per slot, the
 * last max and max_at_drop, or a state and note saying why there is none. */
void state_fold(const char *text, size_t len, int err, const struct state_id *id, uint64_t now_s,
		struct ct_snapshot *snap);

/* This run's state, to keep for the next: malloc'd JSON text, NULL without
 * memory. max_at_drop is carried from snap->prev, or this run's max when
 * drop or early_drop grew in the window. */
char *state_format(const struct state_id *id, uint64_t now_s, const struct ct_snapshot *snap);

#endif
