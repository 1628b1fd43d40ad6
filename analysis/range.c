/* range.c: parse and evaluate monitoring-plugins threshold ranges. The
 * number scanner is our own rather than strtod(), so that no locale can
 * change what "7.5" means and no hex, exponent or "inf" slips through. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "range.h"

#define RANGE_MAX_DIGITS 15 /* exact in a double */

/* A number over the whole of [s, e): -?D+(.D+)? with at most 15 digits. */
static int range_number(const char *s, const char *e, double *out)
{
	double v = 0, scale = 1;
	bool is_neg = s < e && *s == '-', has_dot = false;
	int digits = 0, frac_digits = 0;

	for (s += is_neg; s < e; s++) {
		if (*s == '.' && !has_dot && digits > 0) {
			has_dot = true;
			continue;
		}
		if (*s < '0' || *s > '9')
			return -EINVAL;
		if (++digits > RANGE_MAX_DIGITS)
			return -EINVAL;
		v = v * 10 + (*s - '0');
		if (has_dot) {
			frac_digits++;
			scale *= 10;
		}
	}
	if (digits == 0 || (has_dot && frac_digits == 0))
		return -EINVAL;
	*out = (is_neg ? -v : v) / scale;
	return 0;
}

int range_parse(const char *s, struct range *out)
{
	struct range r = {.start = 0, .end = INFINITY, .is_inside = false};
	const char *colon;
	int rc;

	if (s == NULL)
		return -EINVAL;
	if (*s == '@') {
		r.is_inside = true;
		s++;
	}
	colon = strchr(s, ':');
	if (colon == NULL) {
		rc = range_number(s, s + strlen(s), &r.end);
	} else {
		if (colon - s == 1 && *s == '~')
			r.start = -INFINITY;
		else if ((rc = range_number(s, colon, &r.start)) < 0)
			return rc;
		rc = colon[1] == '\0'
			 ? 0
			 : range_number(colon + 1, colon + 1 + strlen(colon + 1), &r.end);
	}
	if (rc < 0)
		return rc;
	if (r.start > r.end)
		return -ERANGE;
	*out = r;
	return 0;
}

bool range_alerts(const struct range *r, double x)
{
	bool is_in = x >= r->start && x <= r->end;

	if (isnan(x))
		return false;
	return r->is_inside ? is_in : !is_in;
}

enum range_side range_side(const struct range *r, double x)
{
	if (!range_alerts(r, x))
		return RANGE_SIDE_NONE;
	if (r->is_inside)
		return RANGE_SIDE_INSIDE;
	return x < r->start ? RANGE_SIDE_BELOW : RANGE_SIDE_ABOVE;
}

int range_parse_number(const char *s, double *out)
{
	return s == NULL ? -EINVAL : range_number(s, s + strlen(s), out);
}

/* The shortest fixed-point text that reads back as v: never an exponent,
 * which the grammar (and many perfdata readers) would not take. */
static int range_num_text(char *buf, size_t size, double v)
{
	char tmp[64];
	double back;

	for (int prec = 0; prec <= RANGE_MAX_DIGITS; prec++) {
		int n = snprintf(tmp, sizeof(tmp), "%.*f", prec, v);

		if (n > 0 && (size_t)n < sizeof(tmp) && range_number(tmp, tmp + n, &back) == 0 &&
		    back == v)
			break;
	}
	return snprintf(buf, size, "%s", tmp);
}

int range_format(const struct range *r, char *buf, size_t size)
{
	const char *at = r->is_inside ? "@" : "";
	char a[64], b[64];

	range_num_text(a, sizeof(a), r->start);
	range_num_text(b, sizeof(b), r->end);
	if (r->start == 0 && isfinite(r->end))
		return snprintf(buf, size, "%s%s", at, b);
	if (isinf(r->start) && isinf(r->end))
		return snprintf(buf, size, "%s~:", at);
	if (isinf(r->start))
		return snprintf(buf, size, "%s~:%s", at, b);
	if (isinf(r->end))
		return snprintf(buf, size, "%s%s:", at, a);
	return snprintf(buf, size, "%s%s:%s", at, a, b);
}
