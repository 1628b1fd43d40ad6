/* fuzz_cli: every option value parser of cli.h, the size parser (size.h,
 * plan --mem-budget) and the threshold ranges (range.h, check -w/-c) on the
 * same NUL-terminated string. Each writes *out only on success, returns
 * -EINVAL or -ERANGE otherwise, and a success lies within the documented
 * range; a size is checked against a 128-bit reference, a range reads back
 * the same from its canonical text. */
#include <errno.h>
#include <math.h>
#include <strings.h>

#include "fuzz.h"
#include "../../cli/cli.h"
#include "../../analysis/range.h"
#include "../../cli/size.h"

#define RC_OK(rc) ((rc) == 0 || (rc) == -EINVAL || (rc) == -ERANGE)

static void check_u64(const char *s)
{
	uint64_t v = 0xa5a5a5a5a5a5a5a5ull;
	int rc = cli_parse_u64(s, &v);
	char *end;

	FUZZ_CHECK(RC_OK(rc));
	if (rc < 0) {
		FUZZ_CHECK(v == 0xa5a5a5a5a5a5a5a5ull);
		return;
	}
	FUZZ_CHECK(s[0] >= '0' && s[0] <= '9' && strspn(s, "0123456789") == strlen(s));
	errno = 0;
	FUZZ_CHECK(strtoull(s, &end, 10) == v && errno == 0 && *end == '\0');
}

static void check_pct_duration(const char *s)
{
	double pct = -1;
	uint64_t ms = 0xa5a5a5a5a5a5a5a5ull;
	int rc = cli_parse_pct(s, &pct);

	FUZZ_CHECK(RC_OK(rc));
	if (rc < 0)
		FUZZ_CHECK(pct == -1);
	else
		FUZZ_CHECK(!isnan(pct) && pct >= 0 && pct <= 100);
	rc = cli_parse_duration_ms(s, &ms);
	FUZZ_CHECK(RC_OK(rc));
	if (rc < 0)
		FUZZ_CHECK(ms == 0xa5a5a5a5a5a5a5a5ull);
	else
		FUZZ_CHECK(ms >= 1 && ms <= 30ull * 86400 * 1000);
}

static void check_words(const char *s)
{
	enum cli_format fmt = (enum cli_format)77;
	enum cli_color color = (enum cli_color)77;
	unsigned proto = 77;
	int rc = cli_parse_format(s, &fmt);

	FUZZ_CHECK(RC_OK(rc));
	FUZZ_CHECK(rc < 0 ? fmt == (enum cli_format)77 : fmt <= CLI_FORMAT_PROMETHEUS);
	rc = cli_parse_color(s, &color);
	FUZZ_CHECK(RC_OK(rc));
	FUZZ_CHECK(rc < 0 ? color == (enum cli_color)77 : color <= CLI_COLOR_NEVER);
	rc = cli_parse_log_proto(s, &proto);
	FUZZ_CHECK(RC_OK(rc));
	FUZZ_CHECK(rc < 0 ? proto == 77 : (proto >= 1 && proto <= 255));
}

/* The grammar of size.h, computed in 128 bits: 0 and *v, or -1 refused,
 * or -2 above UINT64_MAX. */
static int size_reference(const char *s, uint64_t *v)
{
	static const struct {
		const char *unit;
		unsigned __int128 mult;
	} units[] = {{"", 1},
		     {"b", 1},
		     {"k", 1024},
		     {"kib", 1024},
		     {"kb", 1000},
		     {"m", 1 << 20},
		     {"mib", 1 << 20},
		     {"mb", 1000000},
		     {"g", 1 << 30},
		     {"gib", 1 << 30},
		     {"gb", 1000000000},
		     {"t", (unsigned __int128)1 << 40},
		     {"tib", (unsigned __int128)1 << 40},
		     {"tb", (unsigned __int128)1000000000000}};
	unsigned __int128 ip = 0, fp = 0, scale = 1, mult = 0, total;
	size_t n = 0, i;

	for (; s[n] >= '0' && s[n] <= '9'; n++) {
		ip = ip * 10 + (unsigned)(s[n] - '0');
		if (ip > UINT64_MAX)
			return -2;
	}
	if (n == 0)
		return -1;
	if (s[n] == '.') {
		size_t f = ++n;

		for (; s[n] >= '0' && s[n] <= '9'; n++) {
			fp = fp * 10 + (unsigned)(s[n] - '0');
			scale *= 10;
		}
		if (n == f || n - f > 9)
			return -1;
	}
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strcasecmp(s + n, units[i].unit) == 0)
			mult = units[i].mult;
	if (mult == 0)
		return -1;
	total = ip * mult + fp * mult / scale;
	if (total > UINT64_MAX)
		return -2;
	*v = (uint64_t)total;
	return 0;
}

static void check_size(const char *s)
{
	uint64_t v = 0xa5a5a5a5a5a5a5a5ull, ref = 0;
	int rc = cli_parse_size(s, &v), want = size_reference(s, &ref);

	FUZZ_CHECK(RC_OK(rc));
	if (rc < 0)
		FUZZ_CHECK(v == 0xa5a5a5a5a5a5a5a5ull);
	if (want == 0)
		FUZZ_CHECK(rc == 0 && v == ref);
	else if (want == -2)
		FUZZ_CHECK(rc == -ERANGE);
	else
		FUZZ_CHECK(rc == -EINVAL);
}

static void check_range(const char *s)
{
	struct range r, back;
	char text[160];
	int rc, n;

	memset(&r, FUZZ_POISON, sizeof(r));
	memcpy(&back, &r, sizeof(r));
	rc = range_parse(s, &r);
	FUZZ_CHECK(RC_OK(rc));
	if (rc < 0) {
		FUZZ_CHECK(memcmp(&r, &back, sizeof(r)) == 0);
		return;
	}
	FUZZ_CHECK(!isnan(r.start) && !isnan(r.end) && r.start <= r.end);
	FUZZ_CHECK(!range_alerts(&r, NAN));
	if (isfinite(r.start))
		FUZZ_CHECK(range_alerts(&r, r.start) == r.is_inside);
	n = range_format(&r, text, sizeof(text));
	FUZZ_CHECK(n > 0 && (size_t)n < sizeof(text));
	FUZZ_CHECK(range_parse(text, &back) == 0);
	FUZZ_CHECK(back.start == r.start && back.end == r.end && back.is_inside == r.is_inside);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_strndup(data, size);

	check_u64(s);
	check_pct_duration(s);
	check_words(s);
	check_size(s);
	check_range(s);
	free(s);
	return 0;
}
