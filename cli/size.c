/* size.c: memory sizes for options such as plan --mem-budget. Integer maths
 * only, so "1.1G" is exact and nothing depends on the locale's decimal point. */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <strings.h>

#include "size.h"

#define FRAC_DIGITS_MAX 9

static const struct {
	const char *unit;
	uint64_t mult;
} units[] = {
    {"", 1},
    {"b", 1},
    {"k", UINT64_C(1) << 10},
    {"m", UINT64_C(1) << 20},
    {"g", UINT64_C(1) << 30},
    {"t", UINT64_C(1) << 40},
    {"kib", UINT64_C(1) << 10},
    {"mib", UINT64_C(1) << 20},
    {"gib", UINT64_C(1) << 30},
    {"tib", UINT64_C(1) << 40},
    {"kb", UINT64_C(1000)},
    {"mb", UINT64_C(1000000)},
    {"gb", UINT64_C(1000000000)},
    {"tb", UINT64_C(1000000000000)},
};

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Digits at *s into *v (stops at the first non-digit); -ERANGE on overflow. */
static int parse_int(const char **s, uint64_t *v, unsigned *n_digits)
{
	uint64_t x = 0;
	unsigned n = 0;

	for (; is_digit(**s); (*s)++, n++) {
		if (__builtin_mul_overflow(x, 10, &x) ||
		    __builtin_add_overflow(x, (uint64_t)(**s - '0'), &x))
			return -ERANGE;
	}
	*v = x;
	*n_digits = n;
	return 0;
}

static int unit_mult(const char *u, uint64_t *mult)
{
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcasecmp(u, units[i].unit) == 0) {
			*mult = units[i].mult;
			return 0;
		}
	}
	return -EINVAL;
}

int cli_parse_size(const char *s, uint64_t *bytes)
{
	uint64_t ip = 0, fp = 0, mult, scale = 1, total, frac;
	unsigned n_int, n_frac = 0;
	int rc;

	if (s == NULL || !is_digit(*s))
		return -EINVAL;
	rc = parse_int(&s, &ip, &n_int);
	if (rc < 0)
		return rc;
	if (*s == '.') {
		s++;
		if (!is_digit(*s))
			return -EINVAL;
		rc = parse_int(&s, &fp, &n_frac);
		if (rc < 0 || n_frac > FRAC_DIGITS_MAX)
			return -EINVAL;
	}
	if (unit_mult(s, &mult) < 0)
		return -EINVAL;
	for (unsigned i = 0; i < n_frac; i++)
		scale *= 10;
	/* floor(fp x mult / scale) without the 2^70 product: with mult = q x
	 * scale + r and fp < scale, it is fp x q + fp x r / scale, each term
	 * below 2^63. */
	frac = fp * (mult / scale) + fp * (mult % scale) / scale;
	if (__builtin_mul_overflow(ip, mult, &total) || __builtin_add_overflow(total, frac, &total))
		return -ERANGE;
	*bytes = total;
	return 0;
}
