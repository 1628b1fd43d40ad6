/* fuzz_procstat: /proc/net/stat/nf_conntrack text, not NUL-terminated.
 * Out-parameters untouched on error; on success at least one row, rows
 * numbered in order, and the array is the caller's to free. */
#include <errno.h>

#include "fuzz.h"
#include "../../collect/procstat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct snap_cpu_stats *const poison_ptr = (struct snap_cpu_stats *)(uintptr_t)0xa5a5a5a5;
	struct snap_cpu_stats *cpus = poison_ptr;
	size_t n = 12345;
	uint64_t entries = 0xa5a5a5a5a5a5a5a5ull;
	char *text = fuzz_dup(data, size);
	int rc;

	rc = procstat_parse(text, size, &cpus, &n, &entries);
	FUZZ_CHECK(rc == 0 || rc == -EINVAL || rc == -ENOMEM);
	if (rc < 0) {
		FUZZ_CHECK(cpus == poison_ptr && n == 12345 && entries == 0xa5a5a5a5a5a5a5a5ull);
	} else {
		FUZZ_CHECK(n > 0 && cpus != NULL);
		for (size_t i = 0; i < n; i++) {
			FUZZ_CHECK(cpus[i].cpu == i);
			for (unsigned s = 0; s < SNAP_STAT_SLOTS; s++) {
				/* Values are 32-bit hex columns. */
				FUZZ_CHECK(cpus[i].v[s] <= UINT32_MAX);
				if (!(cpus[i].present & (1u << s)))
					FUZZ_CHECK(cpus[i].v[s] == 0);
			}
		}
		FUZZ_CHECK(entries <= UINT32_MAX);
		free(cpus);
	}
	free(text);
	return 0;
}
