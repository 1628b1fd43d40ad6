/* nl_nflog.h: receive the packets nfnetlink_log delivers on one NFLOG group
 * (group 0 is where conntrack's invalid-packet reports go when the family's
 * logger, net.netfilter.nf_log.N, is nfnetlink_log) and count every loss
 * exactly: the kernel numbers each message of the group (NFULA_SEQ), so a
 * gap is a message it could not queue for us, and each ENOBUFS is counted.
 * Messages dropped after the last one received leave no gap: only the
 * kernel's invalid counter can show them (the caller compares).
 * nl_nflog_decode() turns one message into plain fields without a socket,
 * so tests feed it built bytes; the rest is the I/O shell. This module never
 * binds a family's logger (nflog_bind_pf would replace it without a way
 * back): the caller writes nf_log.N through sysctl, with an undo record. */
#ifndef CTADVISOR_NL_NFLOG_H
#define CTADVISOR_NL_NFLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/netlink.h>

#include "../logparse/logparse.h"

/* One NFULNL_MSG_PACKET; pointers are borrowed from the message. */
struct nl_nflog_msg {
	uint8_t family;         /* nfgen_family: AF_INET, AF_INET6, ... */
	const char *prefix;     /* NULL when absent; not NUL-terminated */
	size_t prefix_len;      /* trailing NULs excluded */
	const uint8_t *payload; /* the L3 packet; NULL when absent */
	size_t payload_len;
	uint32_t indev, outdev; /* ifindex, 0 when absent */
	bool has_seq;
	uint32_t seq; /* the group's own sequence number */
};

/* 0 and *out filled; -ENOENT not a packet message; -EBADMSG too short or a
 * known attribute with a bad length. Unknown attributes are skipped. */
int nl_nflog_decode(const struct nlmsghdr *nlh, struct nl_nflog_msg *out);

/* Loss accounting from sequence numbers (pure). The first message of a new
 * group carries 0, so a first seq of N means N were lost before it. */
struct nl_nflog_seq {
	uint32_t next;       /* the number expected next */
	uint32_t unnumbered; /* received since, number unreadable: not lost */
};
/* Messages lost just before seq (0 when in order; a number from the past,
 * which the kernel never sends, counts nothing and does not move next).
 * Messages received in between whose number could not be read took part of
 * the gap: they are not lost, the gap is smaller by them. */
uint32_t nl_nflog_seq_gap(struct nl_nflog_seq *s, uint32_t seq);

/* Classify one message (logparse_nflog) and add the interface names, which
 * may be NULL. Errors of logparse_nflog(); -ENODATA without a prefix. */
int nl_nflog_event(const struct nl_nflog_msg *m, const char *in, const char *out,
		   struct logparse_event *ev);

struct nl_nflog_stats {
	uint64_t packets;      /* packet messages received */
	uint64_t lost;         /* sequence gaps: messages the kernel dropped */
	uint64_t enobufs;      /* receive errors: our socket overflowed */
	uint64_t bad_messages; /* messages we could not decode */
};

/* One message of the group into s and st, before anything else is done
 * with it: its sequence number is consumed first, so a message that cannot
 * be decoded counts as bad, not as lost too (its number is read from the
 * attributes before the broken one; when even that fails it is counted in
 * s->unnumbered). 0 a packet (*m filled, counted in packets); -ENOENT not a
 * packet message (acks, NLMSG_DONE), nothing counted; -EBADMSG undecodable,
 * counted in bad_messages. Pure: tests feed it built bytes. */
int nl_nflog_account(struct nl_nflog_seq *s, struct nl_nflog_stats *st, const struct nlmsghdr *nlh,
		     struct nl_nflog_msg *m);

struct nl_nflog;
/* Bind group in the current network namespace: whole packets (COPY_PACKET,
 * 0xffff bytes), sequence numbers on, batches of up to 64 messages flushed
 * within 10 ms, a large receive buffer. NULL with *err:
 * -EPERM the group is held by another socket (or no CAP_NET_ADMIN), -EBUSY
 * bound twice, -ENOMEM, other -errno. */
struct nl_nflog *nl_nflog_open(uint16_t group, int *err);
int nl_nflog_fd(const struct nl_nflog *nf);

/* Called for each packet; in/out are interface names or NULL, valid during
 * the call only. */
typedef void (*nl_nflog_fn)(const struct nl_nflog_msg *m, const char *in, const char *out,
			    void *arg);
/* Read everything pending without blocking and call fn per packet. ENOBUFS
 * is counted, not returned. 0 or -errno of recv. */
int nl_nflog_drain(struct nl_nflog *nf, nl_nflog_fn fn, void *arg);
/* Read until the socket stays empty for quiet_ms (longer than the kernel's
 * batch flush, 10 ms, so a batch still in the kernel is waited for), for
 * at most max_ms in all: for the end of a run, so that every report queued
 * is counted. 0 quiet; -ETIMEDOUT still busy at max_ms; -errno of recv/poll. */
int nl_nflog_drain_all(struct nl_nflog *nf, nl_nflog_fn fn, void *arg, unsigned quiet_ms,
		       unsigned max_ms);
const struct nl_nflog_stats *nl_nflog_get_stats(const struct nl_nflog *nf);
/* Unbind and close; the kernel forgets the group. NULL: no-op. */
void nl_nflog_close(struct nl_nflog *nf);

#endif
