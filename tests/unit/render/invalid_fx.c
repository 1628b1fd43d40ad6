/* invalid_fx.c: events for the invalid-report renderer tests. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "invalid_fx.h"

/* IPv4 20 + TCP 20: 192.0.2.10:40000 -> 198.51.100.1:443, SYN FIN. */
static const uint8_t v4_syn_fin[] = {
    0x45, 0x00, 0x00, 0x28, 0x12, 0x34, 0x40, 0x00, 0x40, 0x06, 0x00, 0x00, 192,  0,
    2,    10,   198,  51,   100,  1,    0x9c, 0x40, 0x01, 0xbb, 0x00, 0x00, 0x00, 0x07,
    0x00, 0x00, 0x00, 0x09, 0x50, 0x03, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00,
};

void invalid_fx_add_syn_fin(struct logparse_agg *agg, const char *iface)
{
	static const char pfx[] = "nf_ct_proto_6: invalid tcp flag combination ";
	struct logparse_event ev;

	assert_int_equal(
	    logparse_nflog(pfx, strlen(pfx), v4_syn_fin, sizeof(v4_syn_fin), AF_INET, &ev), 0);
	snprintf(ev.pkt.in, sizeof(ev.pkt.in), "%s", iface);
	logparse_agg_add(agg, &ev);
}

struct logparse_event invalid_fx_ct_event(const char *id, enum logparse_verdict v)
{
	struct logparse_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = LOGPARSE_KIND_CT_INVALID;
	ev.reason = logparse_catalog_find(id, strlen(id));
	assert_non_null(ev.reason);
	ev.verdict = v;
	ev.proto_num = ev.reason->proto;
	return ev;
}
