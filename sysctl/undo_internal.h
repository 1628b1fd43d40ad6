/* undo_internal.h: what the files of the undo module share and no caller
 * sees (undo.h is the module's contract): the record's layout, which
 * undo.c builds and undo_json.c and undo_files.c read, and the record
 * file name undo_json.c writes (undo_dir.c parses it back, by hand, to
 * reject any other name). Include only from sysctl/undo*.c. */
#ifndef CTADVISOR_UNDO_INTERNAL_H
#define CTADVISOR_UNDO_INTERNAL_H

#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>

#include "undo.h"

/* "undo-" 20 digits "-" 3 digits ".json": time_s and seq; the sequence
 * number stays below UNDO_SEQ_MAX. */
#define UNDO_FILE_FMT "undo-%020" PRId64 "-%03u.json"
#define UNDO_SEQ_MAX  1000

struct undo_record {
	struct undo_info info;
	struct sysctl_change *knobs;
	size_t n, cap;
	struct undo_file *files;
	size_t n_files;
};

/* Whether cmd is one of enum undo_command's values (a record may only be
 * saved with one). */
bool undo_command_known(enum undo_command cmd);

#endif
