/* watch_invalid_knobs.h: the settings `watch --invalid` changes for its run
 * (net.netfilter.nf_log.2 and .10 name nfnetlink_log, and
 * nf_conntrack_log_invalid the protocol), each change guarded by an undo
 * record saved before the first write and closed after the last restore.
 * Errors are explained on stderr, with what to run by hand. */
#ifndef CTADVISOR_WATCH_INVALID_KNOBS_H
#define CTADVISOR_WATCH_INVALID_KNOBS_H

#include <stdbool.h>
#include <stddef.h>

#include "../sysctl/sysctl_write.h"
#include "../sysctl/undo.h"

#define INVALID_KNOBS_N 3

struct invalid_knobs {
	const char *netns; /* as given to --netns, "" for the caller's own */
	bool force;        /* --force: an open record of an earlier run is ignored */
	struct sysctl_ctx ctx;
	/* [0] nf_log.2, [1] nf_log.10, [2] log_invalid (the write order) */
	struct sysctl_change ch[INVALID_KNOBS_N];
	size_t n_ch;
	char undo_dir[SYSCTL_PATH_LEN];
	char undo_file[UNDO_FILE_LEN];
	bool has_undo;
};

/* Reads the originals and what the run wants (log_proto: 255 all). 0 or
 * -errno. */
int invalid_knobs_read(struct invalid_knobs *k, unsigned log_proto);
/* Refuses (-EEXIST) an unfinished record of an earlier run in this
 * namespace unless force, then saves the record (none when nothing will
 * change). 0 or -errno, nothing changed. */
int invalid_knobs_save_undo(struct invalid_knobs *k);
/* Writes the changes; on failure everything written is rolled back. */
int invalid_knobs_apply(struct invalid_knobs *k);
/* Writes every original back (last first), verifies, closes the record. */
int invalid_knobs_restore(struct invalid_knobs *k);

#endif
