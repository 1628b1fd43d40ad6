/* catalog.c: what each conntrack invalid-packet report means and what to do
 * about it. Wording and verdicts follow kernel-conntrack.md section 1; the
 * patterns that map log text to these entries live in classify.c. */
#include <string.h>

#include "logparse_int.h"

#define DROP LOGPARSE_VERDICT_DROPPED_INVALID
#define ACC  LOGPARSE_VERDICT_ACCEPTED

/* Advice shared by many entries. */
#define CSUM_ADVICE                                                                                \
	"Check NIC checksum offload (ethtool -k) and virtual/bridge devices that pass packets "    \
	"with unchecked checksums; nf_conntrack_checksum=0 stops conntrack from verifying."
#define WINDOW_CAUSES                                                                              \
	"Asymmetric routing (conntrack sees one direction), packet loss or reordering, a "         \
	"middlebox rewriting sequence numbers, window scaling missed on a flow picked up mid-stream."
#define WINDOW_ADVICE                                                                              \
	"Make both directions pass this host; as a workaround nf_conntrack_tcp_be_liberal=1 "      \
	"stops window-based invalid marking (RST still checked)."
#define SHORT_CAUSES "Crafted or corrupted packets, fragments mangled by a middlebox, scanners."
#define SHORT_ADVICE "Usually harmless to drop; find the source if it is frequent."
#define ICMP_ERR_CAUSES                                                                            \
	"An ICMP error that does not fit the connection it quotes: spoofing, NAT on the path, "    \
	"or a router replying from an odd address."

const struct logparse_reason lp_catalog[LP_R_COUNT] = {
    [LP_R_UNKNOWN] = {"unknown", 0, DROP,
		      "A conntrack report this version does not know (newer kernel?).",
		      "A kernel newer than this catalog, or a truncated prefix.",
		      "Read the message text; please report it so it can be added."},
    [LP_R_HELPER_DROP] = {"helper-drop", 0, DROP,
			  "A conntrack helper (ftp, sip, h323, ...) could not parse the "
			  "application data it tracks and dropped the packet.",
			  "Non-standard or encrypted control traffic on the helper's port, "
			  "segmented or mangled commands, a helper assigned to the wrong port.",
			  "Check which flows get the helper (nft ct helper rules) and whether "
			  "the helper is needed at all; the message names the parse failure."},
    [LP_R_TCP_SHORT] = {"tcp-short-packet", 6, DROP, "The TCP header is shorter than 20 bytes.",
			SHORT_CAUSES, SHORT_ADVICE},
    [LP_R_TCP_TRUNC] = {"tcp-truncated-packet", 6, DROP,
			"The TCP data offset is below 20 bytes or beyond the packet.", SHORT_CAUSES,
			SHORT_ADVICE},
    [LP_R_TCP_CSUM] = {"tcp-bad-checksum", 6, DROP,
		       "The TCP checksum failed when conntrack verified it in PREROUTING.",
		       "Corruption on the wire, or checksum offload leaving a partial checksum "
		       "on packets that reach conntrack (VMs, bridges, tunnels).",
		       CSUM_ADVICE},
    [LP_R_TCP_FLAGS] = {"tcp-invalid-flags", 6, DROP,
			"The TCP flag combination is impossible (e.g. SYN+FIN, FIN without "
			"ACK, no flags).",
			"Port scanners (nmap -sX/-sN/-sF), fingerprinting, broken stacks.",
			"Dropping them is right; look at the top sources for scanners."},
    [LP_R_TCP_NEW] = {"tcp-invalid-new", 6, DROP,
		      "The first packet seen for a flow cannot start a connection (SYN+ACK, "
		      "FIN or RST for an unknown flow).",
		      "Late FIN/RST after the entry expired, asymmetric routing, a conntrack "
		      "flush or failover, timeouts shorter than the application's idle time.",
		      "Check timeouts versus idle flows and that both directions pass here; "
		      "nf_conntrack_tcp_loose only affects mid-stream pickup of ACK packets."},
    [LP_R_TCP_IGN] = {"tcp-packet-ignored-state", 6, ACC,
		      "conntrack ignored a packet that does not fit the state (e.g. SYN on an "
		      "established flow) but let it through; the state is unchanged.",
		      "Retransmitted SYN or SYN/ACK, port reuse, simultaneous open.",
		      "Informational: the packet was accepted."},
    [LP_R_TCP_INV] = {"tcp-packet-invalid-state", 6, DROP,
		      "The packet is not allowed in the connection's state (the state table "
		      "says invalid).",
		      "Asymmetric routing, connections picked up mid-stream, stale entries, "
		      "a peer that ignores the TCP state machine.",
		      "Check routing symmetry; nf_conntrack_tcp_loose and tcp_be_liberal "
		      "change what is accepted."},
    [LP_R_TCP_CHALLENGE] = {"tcp-challenge-ack-ignored", 6, ACC,
			    "An RFC 5961 challenge ACK in LAST_ACK was let through.",
			    "A peer reopening a port that is still closing.",
			    "Informational: the packet was accepted."},
    [LP_R_TCP_RST] = {"tcp-invalid-rst", 6, DROP,
		      "A RST whose sequence number is outside the acceptable range.",
		      "Spoofed or stale RSTs, RST after the peer moved on, middleboxes.",
		      "Usually right to drop; nf_conntrack_tcp_ignore_invalid_rst=1 lets "
		      "them through without marking them invalid."},
    [LP_R_TCP_MORE] = {"tcp-bytes-more-than-expected", 6, ACC,
		       "The segment ends beyond the receiver's window edge but was accepted.",
		       "Window probes, a receiver shrinking its window.",
		       "Informational: the packet was accepted."},
    [LP_R_TCP_SEQ_OVER] = {"tcp-seq-over-upper-bound", 6, DROP,
			   "The segment's sequence number is beyond the receiver's window.",
			   WINDOW_CAUSES, WINDOW_ADVICE},
    [LP_R_TCP_ACK_OVER] = {"tcp-ack-over-upper-bound", 6, DROP,
			   "The segment acknowledges data conntrack never saw.", WINDOW_CAUSES,
			   WINDOW_ADVICE},
    [LP_R_TCP_SEQ_UNDER] = {"tcp-seq-under-lower-bound", 6, ACC,
			    "A retransmission of data already acknowledged (accepted since "
			    "6.1, invalid before).",
			    "Spurious retransmissions, packet duplication on the path.",
			    "On 6.1+ informational; older kernels mark it invalid: see "
			    "tcp_be_liberal."},
    [LP_R_TCP_ACK_UNDER] = {"tcp-ack-under-lower-bound", 6, ACC,
			    "An ACK far below the current window: a very delayed ACK (accepted "
			    "since 6.1, invalid before).",
			    "Reordering, long queues, duplicate packets.",
			    "On 6.1+ informational; older kernels mark it invalid: see "
			    "tcp_be_liberal."},
    [LP_R_TCP_LOWER_TMO] = {"tcp-lower-timeout", 6, DROP,
			    "An invalid FIN/RST answered the peer's FIN/RST; conntrack marked "
			    "it invalid and shortened the entry's timeout.",
			    "Both ends closing while conntrack's view of the window is stale.",
			    "Usually harmless; check window problems on the same flows."},
    [LP_R_TCP_BUG] = {"tcp-window-bug", 6, DROP,
		      "Old kernels (<= 6.0): a window check failed in an unexpected way.",
		      WINDOW_CAUSES, WINDOW_ADVICE},
    [LP_R_UDP_SHORT] = {"udp-short-packet", 17, DROP, "Fewer than 8 bytes of UDP header.",
			SHORT_CAUSES, SHORT_ADVICE},
    [LP_R_UDP_TRUNC] = {"udp-truncated-packet", 17, DROP,
			"The UDP length field is larger than the packet or below 8.", SHORT_CAUSES,
			SHORT_ADVICE},
    [LP_R_UDP_CSUM] = {"udp-bad-checksum", 17, DROP, "The UDP checksum failed.",
		       "Corruption, or checksum offload/virtual devices leaving partial sums.",
		       CSUM_ADVICE},
    [LP_R_UDPL_SHORT] = {"udplite-short-packet", 136, DROP,
			 "Fewer than 8 bytes of UDP-Lite header.", SHORT_CAUSES, SHORT_ADVICE},
    [LP_R_UDPL_TRUNC] = {"udplite-truncated-packet", 136, DROP,
			 "The UDP-Lite length is inconsistent with the packet.", SHORT_CAUSES,
			 SHORT_ADVICE},
    [LP_R_UDPL_COV] = {"udplite-invalid-coverage", 136, DROP,
		       "The UDP-Lite checksum coverage is below 8 or beyond the packet.",
		       SHORT_CAUSES, SHORT_ADVICE},
    [LP_R_UDPL_MISSING] = {"udplite-checksum-missing", 136, DROP,
			   "UDP-Lite requires a checksum and this packet has none.",
			   "Broken senders.", SHORT_ADVICE},
    [LP_R_UDPL_CSUM] = {"udplite-bad-checksum", 136, DROP, "The UDP-Lite checksum failed.",
			"Corruption or offload problems.", CSUM_ADVICE},
    [LP_R_ICMP_SHORT] = {"icmp-short-packet", 1, DROP, "Fewer than 8 bytes of ICMP header.",
			 SHORT_CAUSES, SHORT_ADVICE},
    [LP_R_ICMP_CSUM] = {"icmp-bad-checksum", 1, DROP, "The ICMP checksum failed.",
			"Corruption or offload problems.", CSUM_ADVICE},
    [LP_R_ICMP_TYPE] = {"icmp-invalid-type", 1, DROP,
			"The ICMP type is above 18, which conntrack does not know.",
			"Scanners, fingerprinting, experimental stacks.", SHORT_ADVICE},
    [LP_R_ICMP_DADDR] = {"icmp-outer-daddr-mismatch", 1, DROP,
			 "An ICMP error quotes a tracked connection but is addressed to "
			 "someone else.",
			 ICMP_ERR_CAUSES,
			 "Counted in the error statistic; check NAT and routing if frequent."},
    [LP_R_ICMP6_SHORT] = {"icmpv6-short-packet", 58, DROP, "Fewer than 8 bytes of ICMPv6 header.",
			  SHORT_CAUSES, SHORT_ADVICE},
    [LP_R_ICMP6_CSUM] = {"icmpv6-bad-checksum", 58, DROP, "The ICMPv6 checksum failed.",
			 "Corruption or offload problems.", CSUM_ADVICE},
    [LP_R_ICMP6_REDIR_SHORT] = {"icmpv6-short-redirect", 58, DROP,
				"An ICMPv6 redirect too short to hold its addresses.", SHORT_CAUSES,
				SHORT_ADVICE},
    [LP_R_ICMP6_REDIR_SRC] = {"icmpv6-redirect-bad-source", 58, DROP,
			      "A redirect with hop limit not 255 or a non-link-local source.",
			      "Spoofed redirects from off-link (an attack) or broken routers.",
			      "Keep dropping; find the source."},
    [LP_R_ICMP6_REDIR_OPT] = {"icmpv6-redirect-no-options", 58, DROP,
			      "A redirect without the options it must carry.", SHORT_CAUSES,
			      SHORT_ADVICE},
    [LP_R_ICMP6_DADDR] = {"icmpv6-outer-daddr-mismatch", 58, DROP,
			  "An ICMPv6 error quotes a tracked connection but is addressed to "
			  "someone else.",
			  ICMP_ERR_CAUSES,
			  "Counted in the error statistic; check NAT and routing if frequent."},
    [LP_R_SCTP_SHORT] = {"sctp-short-packet", 132, DROP,
			 "The packet is shorter than the SCTP common header.", SHORT_CAUSES,
			 SHORT_ADVICE},
    [LP_R_SCTP_HDR] = {"sctp-header-unreadable", 132, DROP,
		       "conntrack could not make the SCTP header writable (memory pressure).",
		       "Low memory or unusual skb layout.", "Check memory pressure."},
    [LP_R_SCTP_CRC] = {"sctp-bad-crc", 132, DROP, "The SCTP CRC32c checksum failed.",
		       "Corruption, or CRC offload not done on virtual devices.", CSUM_ADVICE},
    [LP_R_SCTP_BASIC] = {"sctp-bad-chunks", 132, DROP,
			 "The chunk layout is illegal (COOKIE chunk not first, INIT not alone, "
			 "zero-length chunk).",
			 "Buggy SCTP stacks, fuzzers, scanners.",
			 "Look at chunk type and the source; drop is right."},
    [LP_R_SCTP_VTAG] = {"sctp-vtag-mismatch", 132, DROP,
			"The verification tag does not match the association.",
			"Association restarts, multihoming with asymmetric paths, spoofing.",
			"Check that all paths of a multihomed association pass this host."},
    [LP_R_SCTP_STATE] = {"sctp-invalid-state", 132, DROP,
			 "The chunk is not allowed in the association's state.",
			 "Asymmetric paths, stale entries, buggy peers.",
			 "Check routing symmetry and SCTP timeouts."},
    [LP_R_DCCP_TRUNC] = {"dccp-truncated-packet", 33, DROP,
			 "A DCCP header that is too short or malformed (kernels <= 6.16).",
			 SHORT_CAUSES, SHORT_ADVICE},
    [LP_R_DCCP_COV] = {"dccp-bad-checksum-coverage", 33, DROP,
		       "The DCCP checksum coverage is beyond the packet.", SHORT_CAUSES,
		       SHORT_ADVICE},
    [LP_R_DCCP_CSUM] = {"dccp-bad-checksum", 33, DROP, "The DCCP checksum failed.",
			"Corruption or offload problems.", CSUM_ADVICE},
    [LP_R_DCCP_TYPE] = {"dccp-reserved-packet-type", 33, DROP, "A DCCP packet of a reserved type.",
			"Scanners, fuzzers.", SHORT_ADVICE},
    [LP_R_DCCP_PICKUP] = {"dccp-no-pickup", 33, DROP,
			  "A DCCP packet of an existing connection conntrack will not pick up.",
			  "Flows started before conntrack was loaded or after a flush.",
			  "Expected after a restart; otherwise check routing symmetry."},
    [LP_R_DCCP_STATE] = {"dccp-invalid-state-transition", 33, DROP,
			 "The DCCP packet is not allowed in the connection's state.",
			 "Asymmetric routing, buggy peers.", "Check routing symmetry."},
    [LP_R_DCCP_IGN] = {"dccp-packet-ignored", 33, ACC,
		       "A DCCP packet that does not fit the state was let through.",
		       "Retransmissions, simultaneous actions.",
		       "Informational: the packet was accepted."},
};

size_t logparse_catalog_count(void)
{
	return LP_R_COUNT;
}

const struct logparse_reason *logparse_catalog_at(size_t i)
{
	return i < LP_R_COUNT ? &lp_catalog[i] : NULL;
}

const struct logparse_reason *logparse_catalog_find(const char *id, size_t len)
{
	for (size_t i = 0; i < LP_R_COUNT; i++) {
		const char *e = lp_catalog[i].id;

		if (strlen(e) == len && memcmp(e, id, len) == 0)
			return &lp_catalog[i];
	}
	return NULL;
}
