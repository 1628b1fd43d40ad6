/* fuzz_sysctl_parse: sysctl_parse_i64() on bytes that need not be
 * NUL-terminated. *out untouched on error; on success the value is
 * non-negative and agrees with strtoll() over the same digits. */
#include <errno.h>

#include "fuzz.h"
#include "../../sysctl/sysctl.h"

/* Independent check of a success: blanks, digits, blanks, one '\n'. */
static void check_value(const uint8_t *data, size_t size, int64_t v)
{
	size_t i = 0, j;
	char digits[32];
	long long ref;
	char *end;

	while (i < size && (data[i] == ' ' || data[i] == '\t'))
		i++;
	for (j = i; j < size && data[j] >= '0' && data[j] <= '9'; j++)
		;
	FUZZ_CHECK(j > i);
	for (size_t k = j; k < size; k++)
		FUZZ_CHECK(data[k] == ' ' || data[k] == '\t' || (data[k] == '\n' && k == size - 1));
	/* Leading zeros can make the text long; strtoll only sees the tail. */
	while (j - i > 1 && data[i] == '0')
		i++;
	FUZZ_CHECK(j - i < sizeof(digits));
	memcpy(digits, data + i, j - i);
	digits[j - i] = '\0';
	errno = 0;
	ref = strtoll(digits, &end, 10);
	FUZZ_CHECK(errno == 0 && *end == '\0' && ref == v && v >= 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const int64_t poison = (int64_t)0xa5a5a5a5a5a5a5a5ull;
	char *s = fuzz_dup(data, size);
	int64_t v = poison;
	int rc;

	rc = sysctl_parse_i64(s, size, &v);
	FUZZ_CHECK(rc == 0 || rc == -EINVAL || rc == -ERANGE);
	if (rc < 0)
		FUZZ_CHECK(v == poison);
	else
		check_value(data, size, v);
	free(s);
	return 0;
}
