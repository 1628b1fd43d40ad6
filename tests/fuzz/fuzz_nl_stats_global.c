/* fuzz_nl_stats_global: nl_stats_decode_global() on a message of the
 * fuzzer's bytes with nlmsg_len = size; *out written only on success. */
#include <errno.h>

#include "fuzz.h"
#include "../../nl/nl_stats.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nl_stats_global out, before;
	struct nlmsghdr *nlh = fuzz_nlmsg(data, size);
	int rc;

	if (nlh == NULL)
		return 0;
	memset(&out, FUZZ_POISON, sizeof(out));
	memcpy(&before, &out, sizeof(out));
	rc = nl_stats_decode_global(nlh, &out);
	FUZZ_CHECK(rc == 0 || rc == -EBADMSG || rc == -ENODATA);
	if (rc < 0) {
		FUZZ_CHECK(memcmp(&out, &before, sizeof(out)) == 0);
	} else {
		/* The kernel's counters are u32 on the wire. */
		FUZZ_CHECK(out.count <= UINT32_MAX && out.max <= UINT32_MAX);
		if (!out.has_max)
			FUZZ_CHECK(out.max == 0);
	}
	free(nlh);
	return 0;
}
