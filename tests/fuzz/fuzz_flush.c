/* fuzz_flush: flush_decode() on a dump message of the fuzzer's bytes with
 * nlmsg_len = size, then what flush does with a decoded entry: the match
 * against a catch-all and a narrow filter, and the conntrack -L-like line.
 * ASan catches a read past nlmsg_len; the harness checks the rc set, that
 * *e is written only on success, that the kept tuple is a copy of bytes of
 * the message, and that the line is printable text of bounded length. */
#include <errno.h>

#include "fuzz.h"
#include "../../nl/flush_nl.h"

static void check_line(const struct flush_entry *e)
{
	char line[FLUSH_LINE_LEN];

	memset(line, FUZZ_POISON, sizeof(line));
	flush_entry_format(e, line, sizeof(line));
	FUZZ_CHECK(fuzz_has_nul(line, sizeof(line)));
	for (const char *p = line; *p; p++)
		FUZZ_CHECK(*p >= 0x20 && *p < 0x7f);
}

static void check_match(const struct flush_entry *e)
{
	struct flush_filter all, tcp;

	flush_filter_init(&all);
	FUZZ_CHECK(flush_filter_set(&all, "all", NULL) == 0);
	FUZZ_CHECK(flush_filter_finish(&all) == 0);
	FUZZ_CHECK(flush_filter_match(&all, e));
	flush_filter_init(&tcp);
	FUZZ_CHECK(flush_filter_set(&tcp, "proto", "tcp") == 0);
	FUZZ_CHECK(flush_filter_set(&tcp, "dport", "22") == 0);
	FUZZ_CHECK(flush_filter_finish(&tcp) == 0);
	if (flush_filter_match(&tcp, e))
		FUZZ_CHECK(e->proto == 6 && e->has_ports && e->dport == 22);
	if (flush_entry_is_established_tcp(e))
		FUZZ_CHECK(e->proto == 6);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nlmsghdr *nlh = fuzz_nlmsg_aligned(data, size);
	struct flush_entry e, before;
	int rc;

	if (nlh == NULL)
		return 0;
	memset(&e, FUZZ_POISON, sizeof(e));
	memcpy(&before, &e, sizeof(e));
	rc = flush_decode(nlh, &e);
	FUZZ_CHECK(rc == 0 || rc == -EBADMSG || rc == -EOVERFLOW);
	if (rc < 0) {
		FUZZ_CHECK(memcmp(&e, &before, sizeof(e)) == 0);
	} else {
		FUZZ_CHECK(e.tuple_len >= 4 && e.tuple_len <= FLUSH_TUPLE_MAX);
		/* A copy of the message's bytes (its aligned end, see fuzz.h). */
		FUZZ_CHECK(memmem((const uint8_t *)nlh + 16, ((size + 3) & ~(size_t)3) - 16,
				  e.tuple, e.tuple_len) != NULL);
		FUZZ_CHECK(e.proto == 6 || e.tcp_state == -1);
		check_line(&e);
		check_match(&e);
	}
	free(nlh);
	return 0;
}
