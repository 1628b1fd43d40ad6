/* invalid_fx.h: the invalid-report renderer tests' fixture (invalid_fx.c):
 * the events watch --invalid and logparse feed the aggregate, built the way
 * they are built. Include after <cmocka.h>. */
#ifndef CTADVISOR_TEST_INVALID_FX_H
#define CTADVISOR_TEST_INVALID_FX_H

#include "../../../logparse/logparse.h"

/* One NFLOG report of conntrack's "invalid tcp flag combination" for an
 * IPv4 SYN+FIN segment 192.0.2.10:40000 -> 198.51.100.1:443 that came in on
 * iface, added to agg. */
void invalid_fx_add_syn_fin(struct logparse_agg *agg, const char *iface);

/* A conntrack-invalid event of catalog reason id with verdict v. */
struct logparse_event invalid_fx_ct_event(const char *id, enum logparse_verdict v);

#endif
