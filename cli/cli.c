/* cli.c: strict parsers for option values: no trailing junk, no sign
 * surprises, no locale (a monitoring system may run us under any LANG). */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "cli.h"

int cli_parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (s == NULL || *s == '\0')
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		if (v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return -ERANGE;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return 0;
}

int cli_parse_pct(const char *s, double *out)
{
	double v = 0, scale = 1;
	bool seen_digit = false, in_frac = false;

	if (s == NULL)
		return -EINVAL;
	for (; *s && *s != '%'; s++) {
		if (*s == '.' && !in_frac) {
			in_frac = true;
			continue;
		}
		if (*s < '0' || *s > '9')
			return -EINVAL;
		seen_digit = true;
		if (in_frac) {
			scale /= 10;
			v += (*s - '0') * scale;
		} else {
			v = v * 10 + (*s - '0');
		}
		if (v > 100)
			return -ERANGE;
	}
	if (!seen_digit || (*s == '%' && s[1] != '\0'))
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_word(const char *s, const char *const *words, int n, int *out)
{
	for (int i = 0; s != NULL && i < n; i++) {
		if (strcmp(s, words[i]) == 0) {
			*out = i;
			return 0;
		}
	}
	return -EINVAL;
}

int cli_parse_format(const char *s, enum cli_format *out)
{
	static const char *const words[] = {"text", "json", "prometheus", "prom"};
	static const enum cli_format map[] = {CLI_FORMAT_TEXT, CLI_FORMAT_JSON,
					      CLI_FORMAT_PROMETHEUS, CLI_FORMAT_PROMETHEUS};
	int i, rc = parse_word(s, words, 4, &i);

	if (rc == 0)
		*out = map[i];
	return rc;
}

int cli_parse_color(const char *s, enum cli_color *out)
{
	static const char *const words[] = {"auto", "always", "never"};
	int i, rc = parse_word(s, words, 3, &i);

	if (rc == 0)
		*out = (enum cli_color)i;
	return rc;
}

static const struct {
	const char *unit;
	double ms;
} duration_units[] = {
    {"ms", 1}, {"s", 1000}, {"", 1000}, {"m", 60000}, {"h", 3600000},
};

int cli_parse_duration_ms(const char *s, uint64_t *out)
{
	double v = 0, scale = 1;
	bool seen_digit = false, in_frac = false;

	if (s == NULL)
		return -EINVAL;
	for (; (*s >= '0' && *s <= '9') || (*s == '.' && !in_frac); s++) {
		if (*s == '.') {
			in_frac = true;
			continue;
		}
		seen_digit = true;
		if (in_frac)
			v += (*s - '0') * (scale /= 10);
		else if ((v = v * 10 + (*s - '0')) > 1e9)
			return -ERANGE;
	}
	if (!seen_digit)
		return -EINVAL;
	for (size_t i = 0; i < sizeof(duration_units) / sizeof(duration_units[0]); i++) {
		double ms = v * duration_units[i].ms;

		if (strcmp(s, duration_units[i].unit) != 0)
			continue;
		if (ms < 1 || ms > 30.0 * 86400 * 1000)
			return -ERANGE;
		*out = (uint64_t)(ms + 0.5);
		return 0;
	}
	return -EINVAL;
}

int cli_parse_log_proto(const char *s, unsigned *out)
{
	/* dccp: kernels before 6.17 track DCCP and log its invalid packets */
	static const char *const words[] = {"tcp",    "udp",  "udplite", "icmp",
					    "icmpv6", "sctp", "dccp",    "all"};
	static const unsigned numbers[] = {6, 17, 136, 1, 58, 132, 33, 255};
	_Static_assert(sizeof(words) / sizeof(words[0]) == sizeof(numbers) / sizeof(numbers[0]),
		       "one number per protocol word");
	int i, rc = parse_word(s, words, (int)(sizeof(words) / sizeof(words[0])), &i);

	if (rc == 0)
		*out = numbers[i];
	return rc;
}
