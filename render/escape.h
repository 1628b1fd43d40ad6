/* escape.h: helpers the renderers share. Strings that may come from outside
 * (netns names, knob values, problem details) can hold terminal escape
 * sequences or invalid UTF-8; these make them safe for each output format
 * without losing what they were. Also errno names and the status word. */
#ifndef CTADVISOR_ESCAPE_H
#define CTADVISOR_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "../rules/rules.h"

enum render_esc {
	/* For a terminal: \\ \n \t \r, other C0/DEL/C1 controls and invalid
	 * UTF-8 bytes as \xNN, bidi and line-separator characters as \uNNNN. */
	RENDER_ESC_TEXT,
	/* Prometheus label value: \\ \" \n as the format defines; anything the
	 * text mode escapes otherwise becomes the literal text \xNN / \uNNNN
	 * (written \\xNN), since the format has no other escapes. */
	RENDER_ESC_PROM,
	/* Only invalid UTF-8 bytes, as the text \xNN: for JSON, whose library
	 * escapes control characters itself but rejects invalid UTF-8. */
	RENDER_ESC_UTF8,
	/* HTML text or a quoted attribute value: & < > " ' as character
	 * references; \n \t \r, other controls, bidi characters and invalid
	 * UTF-8 bytes as the text mode shows them (\xNN, \uNNNN), so nothing
	 * can open markup or reorder the page. A backslash stays as it is, so
	 * a shell-quoted command copies from the page whole. */
	RENDER_ESC_HTML,
};

/* Escape the NUL-terminated src into dst. dst is always NUL-terminated when
 * size > 0, truncated at a whole escape; returns the length the complete
 * result needs (as snprintf), so a return >= size means truncation. */
size_t render_escape(char *dst, size_t size, const char *src, enum render_esc mode);

#define RENDER_ERRNO_BUF 16
/* "EPERM" for EPERM or -EPERM; an errno without a name in the table is
 * formatted into buf ("E142") and buf is returned. */
const char *render_errno_name(int err, char *buf, size_t size);

/* "OK", "WARNING", "CRITICAL" or "UNKNOWN", matching rules_exit_code(). */
const char *render_status_name(const struct rules_report *rep);

#endif
