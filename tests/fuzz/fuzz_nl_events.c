/* fuzz_nl_events: nl_events_decode() on a message of the fuzzer's bytes
 * with nlmsg_len = size, as watch --events receives them. ASan catches a
 * read past nlmsg_len; the harness checks the rc set, that *out is written
 * only on success, and what a decoded event promises. */
#include <errno.h>

#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include "fuzz.h"
#include "../../nl/nl_events.h"

#define MSG_NEW ((NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_NEW)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nlmsghdr *nlh = fuzz_nlmsg_aligned(data, size);
	struct nl_events_msg m, before, again;
	int rc;

	if (nlh == NULL)
		return 0;
	memset(&m, FUZZ_POISON, sizeof(m));
	memcpy(&before, &m, sizeof(m));
	rc = nl_events_decode(nlh, &m);
	FUZZ_CHECK(rc == 0 || rc == -EBADMSG || rc == -ENOENT);
	if (rc < 0) {
		FUZZ_CHECK(memcmp(&m, &before, sizeof(m)) == 0);
	} else {
		/* A NEW with NLM_F_CREATE is a new entry, a NEW without it an
		 * update of one, and a DESTROY neither. */
		bool is_ct_new = nlh->nlmsg_type == MSG_NEW;
		bool created = (nlh->nlmsg_flags & NLM_F_CREATE) != 0;

		FUZZ_CHECK(m.is_new == (is_ct_new && created));
		FUZZ_CHECK(m.is_update == (is_ct_new && !created));
		FUZZ_CHECK(m.has_id || m.id == 0);
		if (m.has_tstamp)
			FUZZ_CHECK(m.start_ns != 0 && m.stop_ns >= m.start_ns);
		memset(&again, 0, sizeof(again));
		FUZZ_CHECK(nl_events_decode(nlh, &again) == 0);
		FUZZ_CHECK(again.is_new == m.is_new && again.is_update == m.is_update &&
			   again.id == m.id && again.proto == m.proto &&
			   again.has_tstamp == m.has_tstamp && again.start_ns == m.start_ns &&
			   again.stop_ns == m.stop_ns);
	}
	free(nlh);
	return 0;
}
