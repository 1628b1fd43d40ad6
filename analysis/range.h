/* range.h: the monitoring-plugins threshold range grammar, for check's
 * -w/--warning and -c/--critical. Pure: no I/O, no locale, no allocation.
 *
 *   "10"     alert when x < 0 or x > 10      "10:20"   when x < 10 or x > 20
 *   "10:"    alert when x < 10                "@10:20"  when 10 <= x <= 20
 *   "~:10"   alert when x > 10                "@10"     when 0 <= x <= 10
 *
 * Numbers are decimal, optionally negative, with an optional fraction
 * ("-1.5"); "~" is negative infinity and only valid as the start. Nothing
 * else is accepted: no blanks, no '+', no exponent, no empty start (":10"). */
#ifndef CTADVISOR_RANGE_H
#define CTADVISOR_RANGE_H

#include <stdbool.h>
#include <stddef.h>

/* Where a value lies against a range, for what an alert says. */
enum range_side {
	RANGE_SIDE_NONE = 0, /* no alert */
	RANGE_SIDE_BELOW,    /* below the start of a plain range */
	RANGE_SIDE_ABOVE,    /* above its end */
	RANGE_SIDE_INSIDE,   /* inside an '@' range */
};

struct range {
	double start;   /* -INFINITY for "~" */
	double end;     /* INFINITY when nothing follows the ':' */
	bool is_inside; /* '@': alert inside [start, end] rather than outside */
};

/* 0 and *out filled; -EINVAL malformed; -ERANGE start above end. */
int range_parse(const char *s, struct range *out);
/* Whether x raises the alert. NaN never does (the caller reports UNKNOWN). */
bool range_alerts(const struct range *r, double x);
/* Which side of R makes x alert; NONE when it does not. */
enum range_side range_side(const struct range *r, double x);
/* A number as the grammar takes it ("2", "1.5", "-3"), over all of S. */
int range_parse_number(const char *s, double *out);
/* The canonical text ("10", "10:", "~:10", "@10:20"), as perfdata wants it;
 * returns what snprintf returns. */
int range_format(const struct range *r, char *buf, size_t size);

#endif
