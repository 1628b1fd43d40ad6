/* events.c: names of the event classes and the timeouts that govern them. */
#include <netinet/in.h>
#include <stdint.h>

#include "events.h"

static const char *const class_names[NL_EV_CLASSES] = {"tcp", "udp", "icmp", "other"};

const char *nl_events_class_name(enum nl_events_class c)
{
	return (unsigned)c < NL_EV_CLASSES ? class_names[c] : "other";
}

enum nl_events_class nl_events_class_of(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return NL_EV_TCP;
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
		return NL_EV_UDP;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		return NL_EV_ICMP;
	default:
		return NL_EV_OTHER;
	}
}

static const char *const fclass_names[NL_FC_CLASSES] = {"tcp_established", "tcp_other", "udp",
							"udp_stream",      "icmp",      "other"};
static const char *const fclass_knobs[NL_FC_CLASSES] = {
    "net.netfilter.nf_conntrack_tcp_timeout_established",
    "net.netfilter.nf_conntrack_tcp_timeout_syn_sent",
    "net.netfilter.nf_conntrack_udp_timeout",
    "net.netfilter.nf_conntrack_udp_timeout_stream",
    "net.netfilter.nf_conntrack_icmp_timeout",
    "net.netfilter.nf_conntrack_generic_timeout"};
static const char *const end_names[NL_END_KINDS] = {"timed_out", "closed", "open"};

const char *nl_events_fclass_name(enum nl_events_fclass c)
{
	return (unsigned)c < NL_FC_CLASSES ? fclass_names[c] : "other";
}

const char *nl_events_fclass_knob(enum nl_events_fclass c)
{
	return (unsigned)c < NL_FC_CLASSES ? fclass_knobs[c] : fclass_knobs[NL_FC_OTHER];
}

const char *nl_events_end_name(enum nl_events_end e)
{
	return (unsigned)e < NL_END_KINDS ? end_names[e] : "closed";
}
