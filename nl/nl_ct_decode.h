/* nl_ct_decode.h: the one decoder of a ctnetlink conntrack entry message
 * (IPCTNL_MSG_CT_NEW from a dump or an event, IPCTNL_MSG_CT_DELETE from an
 * event) into struct ct_entry. The walk and the NAT view (nl_ct.c), flush
 * (flush_decode.c) and the event counter (nl_events.c) all call it and
 * keep what they need. It needs no socket: tests and fuzzers feed it
 * bytes; no allocation, no global state, the message is only read. */
#ifndef CTADVISOR_NL_CT_DECODE_H
#define CTADVISOR_NL_CT_DECODE_H

#include <linux/netlink.h>

#include "../analysis/ct_entry.h"

/* Decode one message of nlh->nlmsg_len bytes (the caller guarantees that
 * many are readable, as mnl_cb_run() does) into *e. Attribute types not
 * known here are skipped at every level; every attribute read is checked
 * for its exact size, and no byte past nlmsg_len is read.
 * -EBADMSG: shorter than its headers, an attribute that overruns its
 * message or nest, trailing bytes that are not an attribute, or a known
 * attribute of the wrong size. -ENOENT: a well-sized message that is not a
 * conntrack NEW or DELETE. Nothing is required to be present (an event may
 * carry no tuple): callers check the has_ flags. On failure *e holds
 * what was read before the fault: callers decode into a local entry and
 * publish only what a success filled. */
int nl_ct_entry_decode(const struct nlmsghdr *nlh, struct ct_entry *e);

#endif
