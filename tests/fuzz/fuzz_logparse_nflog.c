/* fuzz_logparse_nflog: an NFLOG prefix and L3 payload. Byte 0 is the prefix
 * length (mod what is left), byte 1 picks the family (AF_INET, AF_INET6 or
 * the raw byte), then prefix, then payload; each part gets its own exact
 * heap buffer so a read past either end is caught. */
#include <errno.h>
#include <sys/socket.h>

#include "fuzz.h"
#include "../../logparse/logparse.h"

static uint8_t pick_family(uint8_t b)
{
	switch (b & 3) {
	case 0:
		return AF_INET;
	case 1:
		return AF_INET6;
	default:
		return (b & 3) == 2 ? (uint8_t)(b >> 2) : AF_INET;
	}
}

static void check_event(const struct logparse_event *ev)
{
	FUZZ_CHECK(ev->kind >= LOGPARSE_KIND_CT_INVALID && ev->kind <= LOGPARSE_KIND_CONTINUATION);
	if (ev->kind == LOGPARSE_KIND_CT_INVALID)
		FUZZ_CHECK(ev->reason != NULL);
	FUZZ_CHECK(fuzz_has_nul(ev->text, sizeof(ev->text)));
	FUZZ_CHECK(fuzz_has_nul(ev->helper, sizeof(ev->helper)));
	FUZZ_CHECK(fuzz_has_nul(ev->args.state, sizeof(ev->args.state)));
	/* The caller fills the interface names from ifindex. */
	FUZZ_CHECK(ev->pkt.in[0] == '\0' && ev->pkt.out[0] == '\0');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct logparse_event ev, before;
	size_t plen, rest;
	uint8_t family;
	char *prefix;
	uint8_t *payload;
	int rc;

	if (size < 2)
		return 0;
	rest = size - 2;
	plen = rest ? data[0] % (rest + 1) : 0;
	family = pick_family(data[1]);
	prefix = fuzz_dup(data + 2, plen);
	payload = fuzz_dup(data + 2 + plen, rest - plen);

	memset(&ev, FUZZ_POISON, sizeof(ev));
	memcpy(&before, &ev, sizeof(ev));
	rc = logparse_nflog(prefix, plen, payload, rest - plen, family, &ev);
	FUZZ_CHECK(rc == 0 || rc == -EINVAL);
	if (rc < 0)
		FUZZ_CHECK(memcmp(&ev, &before, sizeof(ev)) == 0);
	else
		check_event(&ev);
	free(prefix);
	free(payload);
	return 0;
}
