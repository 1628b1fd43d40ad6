/* fuzz_logparse_agg: the aggregator fed many lines. Byte 0 sizes top-K
 * (1..64, so the sketches overflow), the rest is split at '\n' and each
 * piece goes through logparse_json_feed() (a JSON record) or
 * logparse_agg_add_line(). The result must add up:
 * every line counted once, verdicts and reasons summing to the CT_INVALID
 * events, lists sorted and within their bounds. */
#include <errno.h>

#include "fuzz.h"
#include "../../cli/logparse_json.h"
#include "../../logparse/logparse.h"

static void check_sorted(const struct logparse_agg_result *r, unsigned top_k)
{
	FUZZ_CHECK(r->n_top_src <= top_k && r->n_top_dport <= top_k);
	for (size_t i = 0; i < r->n_top_src; i++) {
		FUZZ_CHECK(r->top_src[i].error <= r->top_src[i].count);
		if (i > 0)
			FUZZ_CHECK(r->top_src[i - 1].count >= r->top_src[i].count);
	}
	for (size_t i = 0; i < r->n_top_dport; i++) {
		FUZZ_CHECK(r->top_dport[i].error <= r->top_dport[i].count);
		if (i > 0)
			FUZZ_CHECK(r->top_dport[i - 1].count >= r->top_dport[i].count);
	}
	for (size_t i = 1; i < r->n_reasons; i++)
		FUZZ_CHECK(r->reasons[i - 1].count >= r->reasons[i].count);
	for (size_t i = 0; i < r->n_log_prefixes; i++)
		FUZZ_CHECK(fuzz_has_nul(r->log_prefixes[i].name, sizeof(r->log_prefixes[i].name)));
	for (size_t i = 0; i < r->n_ifaces; i++)
		FUZZ_CHECK(fuzz_has_nul(r->ifaces[i].name, sizeof(r->ifaces[i].name)));
}

static void check_totals(const struct logparse_agg_result *r, uint64_t lines, uint64_t ok)
{
	uint64_t kinds = 0, reasons = 0, protos = 0;

	FUZZ_CHECK(r->lines == lines);
	FUZZ_CHECK(r->events == ok);
	FUZZ_CHECK(r->events + r->unrelated + r->not_understood == r->lines);
	for (size_t k = 0; k <= LOGPARSE_KIND_MAX; k++)
		kinds += r->by_kind[k];
	FUZZ_CHECK(kinds == r->events);
	FUZZ_CHECK(r->marked_invalid + r->accepted == r->by_kind[LOGPARSE_KIND_CT_INVALID]);
	for (size_t i = 0; i < r->n_reasons; i++)
		reasons += r->reasons[i].count;
	FUZZ_CHECK(reasons == r->by_kind[LOGPARSE_KIND_CT_INVALID]);
	for (size_t p = 0; p < 256; p++)
		protos += r->by_proto[p];
	FUZZ_CHECK(protos <= r->by_kind[LOGPARSE_KIND_CT_INVALID]);
	FUZZ_CHECK(r->table_full == r->by_kind[LOGPARSE_KIND_TABLE_FULL]);
	FUZZ_CHECK(r->has_first == (r->by_kind[LOGPARSE_KIND_CT_INVALID] > 0));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct logparse_agg_result res;
	struct logparse_agg *agg;
	uint64_t lines = 0, ok = 0;
	unsigned top_k;
	size_t pos = 1;

	if (size < 1)
		return 0;
	top_k = 1u + data[0] % 64u;
	agg = logparse_agg_new(top_k);
	if (agg == NULL)
		return 0;
	while (pos < size) {
		const uint8_t *nl = memchr(data + pos, '\n', size - pos);
		size_t len = nl ? (size_t)(nl - (data + pos)) : size - pos;
		char *line = fuzz_dup(data + pos, len);
		int rc;

		/* a JSON record: one line, 0 or 1 event (the result flushes a held
		 * report, so only before such a line) */
		if (len > 0 && (line[0] == '{' || line[0] == ' ')) {
			uint64_t before;

			logparse_agg_result(agg, &res);
			before = res.events;
			if (logparse_json_feed(agg, line, len)) {
				logparse_agg_result(agg, &res);
				ok += res.events - before;
				lines++;
				free(line);
				pos += len + 1;
				continue;
			}
		}
		rc = logparse_agg_add_line(agg, line, len);
		FUZZ_CHECK(rc == 0 || rc == -ENOENT || rc == -EINVAL);
		ok += rc == 0;
		lines++;
		free(line);
		pos += len + 1;
	}
	logparse_agg_result(agg, &res);
	check_totals(&res, lines, ok);
	check_sorted(&res, top_k);
	logparse_agg_free(agg);
	return 0;
}
