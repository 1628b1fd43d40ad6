/* fuzz_nl_nflog: nl_nflog_decode() on a message of the fuzzer's bytes with
 * nlmsg_len = size, then nl_nflog_event() on what it decoded (the path of
 * every packet watch --invalid receives). ASan catches a read past
 * nlmsg_len; the harness checks the rc sets, that *out is written only on
 * success and that the borrowed prefix and payload lie inside the message. */
#include <errno.h>

#include "fuzz.h"
#include "../../nl/nl_nflog.h"

static int inside(const void *p, size_t n, const void *base, size_t size)
{
	const uint8_t *b = base, *q = p;

	return q >= b && n <= size && (size_t)(q - b) <= size - n;
}

static void check_event(const struct nl_nflog_msg *m)
{
	struct logparse_event ev, before;
	int rc;

	memset(&ev, FUZZ_POISON, sizeof(ev));
	memcpy(&before, &ev, sizeof(ev));
	rc = nl_nflog_event(m, "eth0", NULL, &ev);
	FUZZ_CHECK(rc == 0 || rc == -EINVAL || rc == -ENODATA);
	if (rc < 0) {
		FUZZ_CHECK(memcmp(&ev, &before, sizeof(ev)) == 0);
		FUZZ_CHECK(rc != -ENODATA || m->prefix == NULL || m->prefix_len == 0);
		return;
	}
	FUZZ_CHECK(ev.kind != LOGPARSE_KIND_CT_INVALID || ev.reason != NULL);
	FUZZ_CHECK(fuzz_has_nul(ev.text, sizeof(ev.text)));
	FUZZ_CHECK(fuzz_has_nul(ev.helper, sizeof(ev.helper)));
	FUZZ_CHECK(strcmp(ev.pkt.in, "eth0") == 0 && ev.pkt.out[0] == '\0');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nlmsghdr *nlh = fuzz_nlmsg_aligned(data, size);
	struct nl_nflog_msg m, before, again;
	int rc;

	if (nlh == NULL)
		return 0;
	memset(&m, FUZZ_POISON, sizeof(m));
	memcpy(&before, &m, sizeof(m));
	rc = nl_nflog_decode(nlh, &m);
	FUZZ_CHECK(rc == 0 || rc == -EBADMSG || rc == -ENOENT);
	if (rc < 0) {
		FUZZ_CHECK(memcmp(&m, &before, sizeof(m)) == 0);
		free(nlh);
		return 0;
	}
	FUZZ_CHECK(m.prefix != NULL || m.prefix_len == 0);
	/* Within the aligned message (see fuzz_nlmsg_aligned()). */
	size = (size + 3) & ~(size_t)3;
	if (m.prefix != NULL) {
		FUZZ_CHECK(inside(m.prefix, m.prefix_len, nlh, size));
		FUZZ_CHECK(m.prefix_len == 0 || m.prefix[m.prefix_len - 1] != '\0');
	}
	if (m.payload != NULL)
		FUZZ_CHECK(inside(m.payload, m.payload_len, nlh, size));
	else
		FUZZ_CHECK(m.payload_len == 0);
	FUZZ_CHECK(m.has_seq || m.seq == 0);
	/* Pure: the same bytes decode the same way. */
	FUZZ_CHECK(nl_nflog_decode(nlh, &again) == 0 && memcmp(&again, &m, sizeof(m)) == 0);
	check_event(&m);
	free(nlh);
	return 0;
}
