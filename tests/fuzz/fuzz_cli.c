/* fuzz_cli: every option value parser of cli.h on the same NUL-terminated
 * string. Each writes *out only on success, returns -EINVAL or -ERANGE
 * otherwise, and a success lies within the documented range. */
#include <errno.h>
#include <math.h>

#include "fuzz.h"
#include "../../advisor/cli.h"

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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_strndup(data, size);

	check_u64(s);
	check_pct_duration(s);
	check_words(s);
	free(s);
	return 0;
}
