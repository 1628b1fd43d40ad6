/* fuzz_nl_ct: nl_ct_decode() and nl_ct_decode_nat() on a message of the
 * fuzzer's bytes with nlmsg_len = size. ASan catches any read past
 * nlmsg_len; the harness checks that *e is written only on success and the
 * documented rc set. (Each decoder checks the sizes of the attributes it
 * reads, so one may accept a message the other rejects.) */
#include <errno.h>
#include <netinet/in.h>

#include "fuzz.h"
#include "../../nl/nl_ct.h"

static void check_nat(const struct nlmsghdr *nlh)
{
	struct nat_entry e, before;
	int rc;

	memset(&e, FUZZ_POISON, sizeof(e));
	memcpy(&before, &e, sizeof(e));
	rc = nl_ct_decode_nat(nlh, &e);
	FUZZ_CHECK(rc == 0 || rc == -EBADMSG);
	if (rc < 0) {
		FUZZ_CHECK(memcmp(&e, &before, sizeof(e)) == 0);
		return;
	}
	if (e.proto != IPPROTO_TCP)
		FUZZ_CHECK(e.tcp_state == -1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct walk_entry e, before, again;
	struct nlmsghdr *nlh = fuzz_nlmsg(data, size);
	int rc;

	if (nlh == NULL)
		return 0;
	memset(&e, FUZZ_POISON, sizeof(e));
	memcpy(&before, &e, sizeof(e));
	rc = nl_ct_decode(nlh, &e);
	FUZZ_CHECK(rc == 0 || rc == -EBADMSG);
	if (rc < 0) {
		FUZZ_CHECK(memcmp(&e, &before, sizeof(e)) == 0);
	} else {
		if (e.proto != IPPROTO_TCP)
			FUZZ_CHECK(e.tcp_state == -1);
		if (!e.has_ports)
			FUZZ_CHECK(e.dport == 0);
		/* Pure: the same bytes decode to the same entry. */
		memset(&again, 0, sizeof(again));
		FUZZ_CHECK(nl_ct_decode(nlh, &again) == 0);
		FUZZ_CHECK(again.family == e.family && again.proto == e.proto &&
			   again.dport == e.dport && again.status == e.status &&
			   again.packets == e.packets && again.bytes == e.bytes &&
			   memcmp(again.src, e.src, sizeof(e.src)) == 0);
	}
	check_nat(nlh);
	free(nlh);
	return 0;
}
