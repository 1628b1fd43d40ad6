/* statedir.h: where ctadvisor keeps what must survive it (undo records).
 * /var/lib/ctadvisor unless CTADVISOR_STATE_DIR says otherwise (tests). */
#ifndef CTADVISOR_STATEDIR_H
#define CTADVISOR_STATEDIR_H

#include <stddef.h>

/* The state directory (not created). */
const char *statedir_path(void);
/* STATE/undo, created with mode 0700 (and its parent) if missing. 0 or
 * -errno; -ENAMETOOLONG when it does not fit len. */
int statedir_undo(char *dir, size_t len);

#endif
