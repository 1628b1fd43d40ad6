/* fuzz.h: shared helpers for the libFuzzer harnesses. An invariant that
 * fails aborts with its text, so libFuzzer keeps the input as a crash. */
#ifndef CTADVISOR_FUZZ_H
#define CTADVISOR_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_CHECK(cond)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__,       \
				#cond);                                                            \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

/* Every byte of an out-parameter is set to this before a call, so "left
 * untouched on error" is a memcmp against a copy. */
#define FUZZ_POISON 0xa5

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* True when s[0..size) holds a NUL: a fixed char array is a C string. */
static inline int fuzz_has_nul(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

/* An exact-size heap copy, so ASan flags a read one byte past the end
 * (libFuzzer's own buffer is exact too, but callers split it). */
static inline void *fuzz_dup(const void *p, size_t n)
{
	void *q = malloc(n ? n : 1);

	if (q == NULL)
		abort();
	if (n)
		memcpy(q, p, n);
	return q;
}

/* A NUL-terminated copy for parsers that take C strings. */
static inline char *fuzz_strndup(const uint8_t *p, size_t n)
{
	char *s = malloc(n + 1);

	if (s == NULL)
		abort();
	if (n)
		memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

/* A netlink message of exactly size bytes in its own (malloc-aligned)
 * buffer, nlmsg_len = size, as mnl_cb_run() would hand it over: the decode
 * functions may trust that nlmsg_len bytes are readable and no more. NULL
 * below a header, which mnl_nlmsg_ok() never lets through. */
static inline void *fuzz_nlmsg(const uint8_t *data, size_t size)
{
	uint32_t len = (uint32_t)size;
	uint8_t *buf;

	if (size < 16 || size > UINT32_MAX)
		return NULL;
	buf = fuzz_dup(data, size);
	memcpy(buf, &len, sizeof(len)); /* nlmsg_len is the first member */
	return buf;
}

/* The same message for the decoders that walk it with libmnl's
 * mnl_attr_parse()/mnl_attr_for_each(): those stop at MNL_ALIGN(nlmsg_len),
 * up to 3 bytes past an unaligned nlmsg_len, which the receive path always
 * has readable (the message lies in a 256 KiB recv buffer) and the kernel
 * never sends (its nlmsg_len is always aligned). So the buffer holds the
 * aligned length, padding zeroed. nl_ct.c bounds its walk by nlmsg_len and
 * needs no padding; a decoder that does the same could use fuzz_nlmsg(). */
static inline void *fuzz_nlmsg_aligned(const uint8_t *data, size_t size)
{
	uint32_t len = (uint32_t)size;
	size_t padded = (size + 3) & ~(size_t)3;
	uint8_t *buf;

	if (size < 16 || size > UINT32_MAX - 3)
		return NULL;
	buf = calloc(1, padded);
	if (buf == NULL)
		abort();
	memcpy(buf, data, size);
	memcpy(buf, &len, sizeof(len));
	return buf;
}

#endif
