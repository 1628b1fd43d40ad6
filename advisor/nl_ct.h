/* nl_ct.h: one ctnetlink conntrack message (a table dump entry) to the
 * walk_entry the aggregation needs. Decoding reads the attributes directly
 * with libmnl and needs no socket, so tests and fuzzers feed it bytes.
 * No allocation, no global state; the message is only read. */
#ifndef CTADVISOR_NL_CT_H
#define CTADVISOR_NL_CT_H

#include <linux/netlink.h>

#include "walk_agg.h"

/* Decode one IPCTNL_MSG_CT_NEW message of nlh->nlmsg_len bytes (the caller
 * guarantees that many are readable, as mnl_cb_run() does) into *e. Only
 * the fields of struct walk_entry are read; attribute types not known here
 * are skipped at every level. Every attribute read is checked for its exact
 * size, and no byte past nlmsg_len is read.
 * -EBADMSG: not a conntrack entry message, shorter than its headers, an
 * attribute that overruns its message or nest, trailing bytes that are not
 * an attribute, a known attribute of the wrong size, or no original tuple.
 * *e is written only on success. */
int nl_ct_decode(const struct nlmsghdr *nlh, struct walk_entry *e);

#endif
