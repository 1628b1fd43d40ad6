/* ct_abi.h: the values of the kernel's conntrack ABI that the pure layers
 * need (status bits of <linux/netfilter/nf_conntrack_common.h>, TCP states
 * of <linux/netfilter/nf_conntrack_tcp.h>), by value, so that analysis/
 * stays free of kernel headers. nl/nl_ct.c asserts at compile time that
 * they equal the kernel's. */
#ifndef CTADVISOR_CT_ABI_H
#define CTADVISOR_CT_ABI_H

/* IPS_* status bits. */
#define CT_IPS_SEEN_REPLY (1u << 1)
#define CT_IPS_ASSURED    (1u << 2)
#define CT_IPS_SRC_NAT    (1u << 4)
#define CT_IPS_DST_NAT    (1u << 5)

/* enum tcp_conntrack, in the kernel's order (conntrack -L's names). */
enum ct_tcp_state {
	CT_TCP_NONE,
	CT_TCP_SYN_SENT,
	CT_TCP_SYN_RECV,
	CT_TCP_ESTABLISHED,
	CT_TCP_FIN_WAIT,
	CT_TCP_CLOSE_WAIT,
	CT_TCP_LAST_ACK,
	CT_TCP_TIME_WAIT,
	CT_TCP_CLOSE,
	CT_TCP_SYN_SENT2, /* conntrack's LISTEN */
	CT_TCP_STATES,
};

#endif
