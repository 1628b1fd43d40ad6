/* fuzz_logparse_line: one kernel log line of any bytes (NULs, CR, invalid
 * UTF-8), not NUL-terminated. Checks the contract of logparse.h: known
 * return codes, *ev untouched on error, and on success every text field
 * terminated within its array and a catalog reason for CT_INVALID. */
#include <errno.h>

#include "fuzz.h"
#include "../../logparse/logparse.h"

static int is_catalog_entry(const struct logparse_reason *r)
{
	for (size_t i = 0; i < logparse_catalog_count(); i++) {
		if (logparse_catalog_at(i) == r)
			return 1;
	}
	return 0;
}

static void check_event(const struct logparse_event *ev)
{
	FUZZ_CHECK(ev->kind >= LOGPARSE_KIND_CT_INVALID && ev->kind <= LOGPARSE_KIND_MAX);
	FUZZ_CHECK(ev->format < LOGPARSE_FMT_COUNT);
	FUZZ_CHECK(fuzz_has_nul(ev->owner, sizeof(ev->owner)));
	FUZZ_CHECK(fuzz_has_nul(ev->knob, sizeof(ev->knob)));
	FUZZ_CHECK(ev->verdict <= LOGPARSE_VERDICT_ACCEPTED);
	if (ev->kind == LOGPARSE_KIND_CT_INVALID)
		FUZZ_CHECK(ev->reason != NULL && is_catalog_entry(ev->reason));
	FUZZ_CHECK(fuzz_has_nul(ev->text, sizeof(ev->text)));
	FUZZ_CHECK(fuzz_has_nul(ev->helper, sizeof(ev->helper)));
	FUZZ_CHECK(fuzz_has_nul(ev->ts.text, sizeof(ev->ts.text)));
	FUZZ_CHECK(fuzz_has_nul(ev->args.state, sizeof(ev->args.state)));
	FUZZ_CHECK(fuzz_has_nul(ev->pkt.in, sizeof(ev->pkt.in)));
	FUZZ_CHECK(fuzz_has_nul(ev->pkt.out, sizeof(ev->pkt.out)));
	if (ev->ts.flags & LOGPARSE_TS_WALL)
		FUZZ_CHECK(ev->ts.mon >= 1 && ev->ts.mon <= 12);
	if (ev->ts.flags & LOGPARSE_TS_MONO)
		FUZZ_CHECK(ev->ts.mono_usec < 1000000);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct logparse_event ev, before;
	char flags[32];
	int rc;

	memset(&ev, FUZZ_POISON, sizeof(ev));
	memcpy(&before, &ev, sizeof(ev));
	rc = logparse_line((const char *)data, size, &ev);
	FUZZ_CHECK(rc == 0 || rc == -ENOENT || rc == -EINVAL);
	if (rc < 0)
		FUZZ_CHECK(memcmp(&ev, &before, sizeof(ev)) == 0);
	else
		check_event(&ev);

	/* the same bytes as a decoded record: journal (kernel or kube-proxy), container */
	for (int k = 0; k < 3; k++) {
		struct logparse_origin o = {
		    k == 2 ? LOGPARSE_FMT_DOCKER_JSON : LOGPARSE_FMT_JOURNAL_JSON, k == 0,
		    k == 1 ? "kube-proxy" : NULL, k == 0 ? 1 : -1, size & 1};

		memset(&ev, FUZZ_POISON, sizeof(ev));
		rc = logparse_record((const char *)data, size, &o, &ev);
		FUZZ_CHECK(rc == 0 || rc == -ENOENT || rc == -EINVAL);
		if (rc < 0)
			FUZZ_CHECK(memcmp(&ev, &before, sizeof(ev)) == 0);
		else
			check_event(&ev);
	}
	if (size > 0) {
		const char *s = logparse_tcp_flags_str(data[0], flags, sizeof(flags));

		FUZZ_CHECK(s == flags && fuzz_has_nul(flags, sizeof(flags)));
	}
	return 0;
}
