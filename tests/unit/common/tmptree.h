/* tmptree.h: temporary directory trees for unit tests: a fresh directory
 * under /tmp, files written into it with their directories made on the way,
 * and the whole tree removed at the end. Every failure fails the test (with
 * cmocka's assertions), so callers need no error handling. Include after
 * <cmocka.h>. */
#ifndef CTADVISOR_TEST_TMPTREE_H
#define CTADVISOR_TEST_TMPTREE_H

#include <stddef.h>
#include <sys/types.h>

/* Make the directory /tmp/ctadv-TAG-XXXXXX (mkdtemp, mode 0700); its path
 * into root[size]. */
void tmptree_make(char *root, size_t size, const char *tag);

/* Write text to ROOT/REL, replacing the file, after making the
 * directories of REL that are missing. */
void tmptree_put(const char *root, const char *rel, const char *text);
/* The same, then chmod the file to mode. */
void tmptree_put_mode(const char *root, const char *rel, const char *text, mode_t mode);

/* Remove root and everything below it; symbolic links are removed, never
 * followed. */
void tmptree_remove(const char *root);

#endif
