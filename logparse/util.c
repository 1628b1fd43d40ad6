/* util.c: bounded text helpers for untrusted log input. Nothing here reads
 * past the given length or assumes a NUL. */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "logparse_int.h"

int lp_eat_ci(struct lp_cur *c, const char *lit)
{
	const char *p = c->p;

	for (; *lit != '\0'; lit++, p++) {
		if (p == c->end || lp_lower(*p) != lp_lower(*lit))
			return 0;
	}
	c->p = p;
	return 1;
}

static int lp_hexval(char ch)
{
	unsigned char l = lp_lower(ch);

	if (l >= '0' && l <= '9')
		return l - '0';
	if (l >= 'a' && l <= 'f')
		return l - 'a' + 10;
	return -1;
}

/* Hex number with optional 0x, <= max. 0 or -EINVAL (cursor kept). */
int lp_hex(struct lp_cur *c, uint64_t max, uint64_t *out)
{
	struct lp_cur t = *c;
	uint64_t v = 0;
	int d;

	if (lp_left(&t) > 2 && t.p[0] == '0' && lp_lower(t.p[1]) == 'x')
		t.p += 2;
	if (t.p == t.end || lp_hexval(*t.p) < 0)
		return -EINVAL;
	while (t.p < t.end && (d = lp_hexval(*t.p)) >= 0) {
		if (v > (max - (unsigned)d) / 16)
			return -EINVAL;
		v = v * 16 + (unsigned)d;
		t.p++;
	}
	*c = t;
	*out = v;
	return 0;
}

/* Dotted quad exactly as glibc's inet_pton(AF_INET) takes it: four parts of
 * 1-3 digits, each <= 255, no leading zero, nothing else. 0, -EINVAL, or
 * -EAGAIN for text this does not decide (a ':' or a NUL byte: see lp_addr).
 * Log lines carry two addresses each: this avoids a copy and a library call. */
static int lp_ipv4(const char *p, size_t len, uint8_t out[4])
{
	const char *end = p + len;
	uint8_t tmp[4];
	unsigned parts = 0, v = 0, digits = 0;

	for (; p < end; p++) {
		unsigned d = (unsigned)(*p - '0');

		if (d <= 9) {
			if ((digits && v == 0) || (v = v * 10 + d) > 255)
				return memchr(p, ':', (size_t)(end - p)) ? -EAGAIN : -EINVAL;
			if (digits++ == 0 && ++parts > 4)
				return memchr(p, ':', (size_t)(end - p)) ? -EAGAIN : -EINVAL;
		} else if (*p == '.' && digits && parts < 4) {
			tmp[parts - 1] = (uint8_t)v;
			v = 0;
			digits = 0;
		} else {
			return *p == ':' || memchr(p, ':', (size_t)(end - p)) ||
				       memchr(p, '\0', (size_t)(end - p))
				   ? -EAGAIN
				   : -EINVAL;
		}
	}
	if (parts < 4)
		return -EINVAL;
	tmp[3] = (uint8_t)v;
	memcpy(out, tmp, sizeof(tmp));
	return 0;
}

/* The canonical dotted quad only ("192.0.2.1": no leading zero, nothing
 * around it): 0, or -EAGAIN for anything else (lp_ipv4 decides). */
static int lp_ipv4_fast(const char *p, size_t len, uint8_t out[4])
{
	const char *end = p + len;
	uint8_t tmp[4];

	for (int part = 0; part < 4; part++) {
		unsigned v;

		if (part > 0 && (p == end || *p++ != '.'))
			return -EAGAIN;
		if (p == end || (unsigned)(*p - '0') > 9)
			return -EAGAIN;
		v = (unsigned)(*p++ - '0');
		while (v != 0 && p < end && (unsigned)(*p - '0') <= 9) {
			v = v * 10 + (unsigned)(*p++ - '0');
			if (v > 255)
				return -EAGAIN;
		}
		tmp[part] = (uint8_t)v;
	}
	if (p != end)
		return -EAGAIN;
	memcpy(out, tmp, sizeof(tmp));
	return 0;
}

/* IPv4 or IPv6 text (exactly len bytes). 0 or -EINVAL. The family is AF_INET6
 * when the text holds a ':' anywhere, and inet_pton reads up to a NUL. */
int lp_addr(const char *p, size_t len, uint8_t *family, uint8_t addr[16])
{
	char buf[INET6_ADDRSTRLEN + 1];
	uint8_t tmp[16] = {0};
	int af, rc;

	if (len == 0 || len >= sizeof(buf))
		return -EINVAL;
	if (lp_ipv4_fast(p, len, addr) == 0) {
		memset(addr + 4, 0, 12);
		*family = AF_INET;
		return 0;
	}
	rc = lp_ipv4(p, len, tmp);
	if (rc == -EINVAL)
		return rc;
	af = AF_INET;
	if (rc == -EAGAIN) {
		af = memchr(p, ':', len) ? AF_INET6 : AF_INET;
		memcpy(buf, p, len);
		buf[len] = '\0';
		if (inet_pton(af, buf, tmp) != 1)
			return -EINVAL;
	}
	memcpy(addr, tmp, sizeof(tmp));
	*family = (uint8_t)af;
	return 0;
}

/* Where to cut s before s[len] without splitting a UTF-8 character: a
 * valid one cut in two would show as an invalid byte ("\xc3") in the
 * report. Only a lead byte with up to 3 continuation bytes after it moves
 * the cut; invalid bytes are cut where they are. */
static size_t lp_utf8_cut(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = len;

	if ((u[len] & 0xc0) != 0x80)
		return len; /* the cut falls between characters */
	while (n > 0 && len - n < 3 && (u[n - 1] & 0xc0) == 0x80)
		n--;
	return n > 0 && u[n - 1] >= 0xc0 ? n - 1 : len;
}

/* Copy len bytes into dst[size], truncating (never inside a UTF-8
 * character), always NUL-terminated. */
void lp_copy(char *dst, size_t size, const char *src, size_t len)
{
	if (size == 0)
		return;
	if (len >= size)
		len = lp_utf8_cut(src, size - 1);
	memcpy(dst, src, len);
	dst[len] = '\0';
}

/* Howard Hinnant's days_from_civil. */
int64_t lp_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/* Howard Hinnant's civil_from_days, for epoch stamps (journal, short-unix). */
void lp_time_from_epoch(struct logparse_time *ts, int64_t sec, uint32_t usec)
{
	int64_t days = sec >= 0 ? sec / 86400 : -((-sec + 86399) / 86400);
	int64_t rem = sec - days * 86400, z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
	unsigned m = mp < 10 ? mp + 3 : mp - 9;
	int64_t y = (int64_t)yoe + era * 400 + (m <= 2);

	if (y < 1970 || y > 9999)
		return;
	ts->year = (uint16_t)y;
	ts->mon = (uint8_t)m;
	ts->mday = (uint8_t)(doy - (153 * mp + 2) / 5 + 1);
	ts->hour = (uint8_t)(rem / 3600);
	ts->min = (uint8_t)(rem / 60 % 60);
	ts->sec = (uint8_t)(rem % 60);
	ts->epoch_sec = sec;
	ts->wall_usec = usec % 1000000;
	ts->flags |= LOGPARSE_TS_WALL | LOGPARSE_TS_YEAR | LOGPARSE_TS_UTC;
}

const char *logparse_tcp_flags_str(uint8_t flags, char *buf, size_t size)
{
	static const char *const names[8] = {"FIN", "SYN", "RST", "PSH",
					     "ACK", "URG", "ECE", "CWR"};
	size_t n = 0;

	if (size == 0)
		return buf;
	buf[0] = '\0';
	if (flags == 0) {
		lp_copy(buf, size, "none", 4);
		return buf;
	}
	for (int b = 7; b >= 0; b--) {
		size_t l = strlen(names[b]);

		if (!(flags & (1u << b)))
			continue;
		if (n + l + (n ? 1 : 0) >= size)
			break;
		if (n)
			buf[n++] = ' ';
		memcpy(buf + n, names[b], l);
		n += l;
		buf[n] = '\0';
	}
	return buf;
}
