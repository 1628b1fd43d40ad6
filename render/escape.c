/* escape.c: making untrusted strings safe to print, errno names. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "escape.h"

struct esc_out {
	char *dst;
	size_t size;
	size_t len; /* length of the complete result so far */
	bool is_full;
};

/* Append n bytes, or nothing once one piece did not fit, so that dst never
 * ends in half an escape. */
static void esc_put(struct esc_out *o, const char *s, size_t n)
{
	if (!o->is_full && o->size > 0 && o->len + n < o->size) {
		memcpy(o->dst + o->len, s, n);
		o->dst[o->len + n] = '\0';
	} else {
		o->is_full = true;
	}
	o->len += n;
}

/* Length of the valid UTF-8 sequence at s and its code point, or 0 when the
 * bytes there are not one (overlong, surrogate, truncated, out of range). */
static size_t utf8_decode(const unsigned char *s, uint32_t *cp)
{
	size_t len;
	uint32_t c, min;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2, c = s[0] & 0x1f, min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3, c = s[0] & 0x0f, min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4, c = s[0] & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80) /* also stops at the NUL */
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* Characters that reorder or break the displayed line (Trojan Source). */
static bool cp_is_bidi(uint32_t c)
{
	return c == 0x061c || c == 0x200e || c == 0x200f || c == 0x2028 || c == 0x2029 ||
	       (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

static bool cp_is_control(uint32_t c)
{
	return c < 0x20 || (c >= 0x7f && c <= 0x9f);
}

static void esc_bytes(struct esc_out *o, const unsigned char *s, size_t n, const char *pfx)
{
	char buf[8];

	for (size_t i = 0; i < n; i++) {
		int len = snprintf(buf, sizeof(buf), "%sx%02x", pfx, s[i]);

		esc_put(o, buf, (size_t)len);
	}
}

/* HTML's character references for the five characters that mean markup. */
static const char *esc_html(uint32_t c)
{
	switch (c) {
	case '&':
		return "&amp;";
	case '<':
		return "&lt;";
	case '>':
		return "&gt;";
	case '"':
		return "&quot;";
	case '\'':
		return "&#39;";
	default:
		return NULL;
	}
}

/* The short forms a mode has for c, or NULL. */
static const char *esc_short(uint32_t c, enum render_esc mode)
{
	bool is_text = mode == RENDER_ESC_TEXT || mode == RENDER_ESC_HTML;

	if (mode == RENDER_ESC_HTML && (c == '\\' || esc_html(c) != NULL))
		return esc_html(c); /* a backslash stays: commands copy whole */
	switch (c) {
	case '\\':
		return "\\\\";
	case '\n':
		return "\\n";
	case '"':
		return mode == RENDER_ESC_PROM ? "\\\"" : NULL;
	case '\t':
		return is_text ? "\\t" : NULL;
	case '\r':
		return is_text ? "\\r" : NULL;
	default:
		return NULL;
	}
}

/* One valid character in TEXT, PROM or HTML mode. */
static void esc_char(struct esc_out *o, const unsigned char *s, size_t n, uint32_t c,
		     enum render_esc mode)
{
	const char *pfx = mode == RENDER_ESC_PROM ? "\\\\" : "\\";
	const char *sh = esc_short(c, mode);
	char buf[16];

	if (sh != NULL) {
		esc_put(o, sh, strlen(sh));
	} else if (cp_is_control(c)) {
		esc_bytes(o, s, n, pfx);
	} else if (cp_is_bidi(c)) {
		int len = snprintf(buf, sizeof(buf), "%su%04x", pfx, (unsigned)c);

		esc_put(o, buf, (size_t)len);
	} else {
		esc_put(o, (const char *)s, n);
	}
}

size_t render_escape(char *dst, size_t size, const char *src, enum render_esc mode)
{
	struct esc_out o = {.dst = dst, .size = size};
	const unsigned char *s = (const unsigned char *)src;
	const char *pfx = mode == RENDER_ESC_PROM ? "\\\\" : "\\";

	if (size > 0)
		dst[0] = '\0';
	while (*s != '\0') {
		uint32_t c;
		size_t n = utf8_decode(s, &c);

		if (n == 0) {
			esc_bytes(&o, s, 1, pfx);
			n = 1;
		} else if (mode == RENDER_ESC_UTF8) {
			esc_put(&o, (const char *)s, n);
		} else {
			esc_char(&o, s, n, c, mode);
		}
		s += n;
	}
	return o.len;
}

static const struct {
	int err;
	const char *name;
} errno_names[] = {
    {EPERM, "EPERM"},
    {ENOENT, "ENOENT"},
    {ESRCH, "ESRCH"},
    {EINTR, "EINTR"},
    {EIO, "EIO"},
    {ENXIO, "ENXIO"},
    {E2BIG, "E2BIG"},
    {EBADF, "EBADF"},
    {EAGAIN, "EAGAIN"},
    {ENOMEM, "ENOMEM"},
    {EACCES, "EACCES"},
    {EFAULT, "EFAULT"},
    {EBUSY, "EBUSY"},
    {EEXIST, "EEXIST"},
    {ENODEV, "ENODEV"},
    {ENOTDIR, "ENOTDIR"},
    {EISDIR, "EISDIR"},
    {EINVAL, "EINVAL"},
    {ENFILE, "ENFILE"},
    {EMFILE, "EMFILE"},
    {ENOSPC, "ENOSPC"},
    {EROFS, "EROFS"},
    {ERANGE, "ERANGE"},
    {ENAMETOOLONG, "ENAMETOOLONG"},
    {ENOSYS, "ENOSYS"},
    {ENODATA, "ENODATA"},
    {EOVERFLOW, "EOVERFLOW"},
    {EBADMSG, "EBADMSG"},
    {ENOTSOCK, "ENOTSOCK"},
    {EMSGSIZE, "EMSGSIZE"},
    {ENOPROTOOPT, "ENOPROTOOPT"},
    {EPROTONOSUPPORT, "EPROTONOSUPPORT"},
    {EOPNOTSUPP, "EOPNOTSUPP"},
    {EAFNOSUPPORT, "EAFNOSUPPORT"},
    {ENOBUFS, "ENOBUFS"},
    {ENOTCONN, "ENOTCONN"},
    {ETIMEDOUT, "ETIMEDOUT"},
    {ECONNREFUSED, "ECONNREFUSED"},
    {EALREADY, "EALREADY"},
    {EINPROGRESS, "EINPROGRESS"},
};

const char *render_errno_name(int err, char *buf, size_t size)
{
	long e = err < 0 ? -(long)err : err; /* -INT_MIN does not fit an int */

	for (size_t i = 0; i < sizeof(errno_names) / sizeof(errno_names[0]); i++)
		if (errno_names[i].err == e)
			return errno_names[i].name;
	snprintf(buf, size, "E%ld", e);
	return buf;
}

const char *render_status_name(const struct rules_report *rep)
{
	static const char *const names[] = {"OK", "WARNING", "CRITICAL", "UNKNOWN"};
	int code = rules_exit_code(rep);

	if (code < 0 || code > 3)
		return "UNKNOWN";
	return names[code];
}
