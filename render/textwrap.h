/* textwrap.h: the text reports' line builder. Items are appended after a
 * separator and wrap, indented, before column TW_WIDTH, so a report reads on
 * an 80-column terminal; untrusted words are escaped on the way in. */
#ifndef CTADVISOR_TEXTWRAP_H
#define CTADVISOR_TEXTWRAP_H

#include <stdbool.h>
#include <stdio.h>

#define TW_WIDTH 79 /* last column used: a line never wraps an 80-column terminal */

struct tw {
	FILE *out;
	bool color; /* the renderer's choice; textwrap itself writes no colour */
	int col, indent;
	bool is_first;
};

/* Display columns: UTF-8 continuation bytes take none. */
int tw_cols(const char *s);
/* Print the line's start (printf-like); items wrap to column indent. */
void tw_startf(struct tw *t, int indent, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* "<lead blanks><key padded to width>", then items from there. */
void tw_start(struct tw *t, int lead, const char *key, int width);
/* A section line: "  key" padded so items start at column key_col. */
void tw_key(struct tw *t, int key_col, const char *key);
/* Append s after sep; on a new indented line when it would pass TW_WIDTH
 * (sep's trailing blanks are dropped at the break: "a, b" -> "a,\n   b").
 * s is never cut: a path or a command wider than a line passes TW_WIDTH. */
void tw_item(struct tw *t, const char *sep, const char *s);
/* As tw_item for an untrusted label (a LOG prefix holds up to 127 bytes
 * without a blank): wider than a whole line, it is cut at character
 * boundaries onto indented lines, so it never passes TW_WIDTH. */
void tw_label(struct tw *t, const char *sep, const char *s);
void tw_itemf(struct tw *t, const char *sep, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Escape s, then add it word by word, so that it wraps at blanks. */
void tw_words(struct tw *t, const char *s);
void tw_end(struct tw *t);

#endif
