/* size.h: a strict parser for memory sizes given on the command line
 * ("512M", "2G", "1.5GiB", "1048576"). Pure: no locale, no allocation. */
#ifndef CTADVISOR_SIZE_H
#define CTADVISOR_SIZE_H

#include <stdint.h>

/* A decimal number (digits, optionally '.' and at most 9 more digits) and an
 * optional unit, case-insensitive, no blanks or sign: none or B bytes; K, M,
 * G, T and KiB, MiB, GiB, TiB powers of 1024; KB, MB, GB, TB powers of 1000.
 * A fraction of a byte is dropped ("1.5K" is 1536, "0.1K" is 102). 0 and
 * *bytes written; -EINVAL malformed, -ERANGE above UINT64_MAX. */
int cli_parse_size(const char *s, uint64_t *bytes);

#endif
