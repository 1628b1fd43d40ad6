/* util.c: bounded text helpers for untrusted log input. Nothing here reads
 * past the given length or assumes a NUL. */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "logparse_int.h"

static unsigned char lp_lower(char c)
{
	unsigned char u = (unsigned char)c;

	return (u >= 'A' && u <= 'Z') ? (unsigned char)(u | 0x20u) : u;
}

/* 1 when the n bytes match ignoring ASCII case. */
int lp_ieq(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (lp_lower(a[i]) != lp_lower(b[i]))
			return 0;
	}
	return 1;
}

/* Consume lit (NUL-terminated constant) if the cursor starts with it: 1, else 0.
 * A byte loop rather than strlen + memcmp: nearly every call fails on its
 * first byte, and this runs several times on every line of a log. */
int lp_eat(struct lp_cur *c, const char *lit)
{
	const char *p = c->p;

	for (; *lit != '\0'; lit++, p++) {
		if (p == c->end || *p != *lit)
			return 0;
	}
	c->p = p;
	return 1;
}

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

void lp_skip_spaces(struct lp_cur *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t'))
		c->p++;
}

/* Decimal number <= max; at least one digit. 0 or -EINVAL (cursor kept).
 * v * 10 + d <= max is tested as v < max / 10, or equal and d <= max % 10:
 * two compares per digit, computed once per call. */
int lp_u64(struct lp_cur *c, uint64_t max, uint64_t *out)
{
	const uint64_t lim = max / 10;
	const unsigned rem = (unsigned)(max % 10);
	const char *p = c->p;
	uint64_t v = 0;

	if (p == c->end || (unsigned)(*p - '0') > 9)
		return -EINVAL;
	for (; p < c->end && (unsigned)(*p - '0') <= 9; p++) {
		unsigned d = (unsigned)(*p - '0');

		if (v >= lim && (v > lim || d > rem))
			return -EINVAL;
		v = v * 10 + d;
	}
	c->p = p;
	*out = v;
	return 0;
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

/* IPv4 or IPv6 text (exactly len bytes). 0 or -EINVAL. */
int lp_addr(const char *p, size_t len, uint8_t *family, uint8_t addr[16])
{
	char buf[INET6_ADDRSTRLEN + 1];
	int af = memchr(p, ':', len) ? AF_INET6 : AF_INET;
	uint8_t tmp[16] = {0};

	if (len == 0 || len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, p, len);
	buf[len] = '\0';
	if (inet_pton(af, buf, tmp) != 1)
		return -EINVAL;
	memcpy(addr, tmp, sizeof(tmp));
	*family = (uint8_t)af;
	return 0;
}

/* Copy len bytes into dst[size], truncating, always NUL-terminated. */
void lp_copy(char *dst, size_t size, const char *src, size_t len)
{
	if (size == 0)
		return;
	if (len >= size)
		len = size - 1;
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
