/* fuzz_nl_stats_cpu: nl_stats_decode_cpu() on a message of the fuzzer's
 * bytes with nlmsg_len = size; *out written only on success, and then a
 * slot holds a value only if it was reported. */
#include <errno.h>

#include "fuzz.h"
#include "../../nl/nl_stats.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct snap_cpu_stats out, before;
	struct nlmsghdr *nlh = fuzz_nlmsg(data, size);
	int rc;

	if (nlh == NULL)
		return 0;
	memset(&out, FUZZ_POISON, sizeof(out));
	memcpy(&before, &out, sizeof(out));
	rc = nl_stats_decode_cpu(nlh, &out);
	FUZZ_CHECK(rc == 0 || rc == -EBADMSG);
	if (rc < 0) {
		FUZZ_CHECK(memcmp(&out, &before, sizeof(out)) == 0);
	} else {
		FUZZ_CHECK(out.cpu <= UINT16_MAX);
		for (unsigned i = 0; i < SNAP_STAT_SLOTS; i++) {
			FUZZ_CHECK(out.v[i] <= UINT32_MAX);
			if (!(out.present & (1u << i)))
				FUZZ_CHECK(out.v[i] == 0);
		}
	}
	free(nlh);
	return 0;
}
