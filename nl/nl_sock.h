/* nl_sock.h: the one opener of netlink sockets in nl/, with one timeout
 * scheme and one way to word what went wrong.
 *
 * Every socket is non-blocking and close-on-exec, bound at open (the
 * kernel picks the port id). Nothing sets SO_RCVTIMEO: a receive that may
 * wait is nl_sock_recv(), which polls for at most its timeout_ms for a
 * datagram. Requests answered by the kernel (the table dump, flush's
 * deletes, the statistics) wait NL_SOCK_TIMEOUT_MS; the listeners (events,
 * NFLOG) pass 0 and their callers poll the descriptor with their own
 * deadline. The kernel fills the next part of a dump inside the receive
 * that read the last one, so the poll is only reached when it is slow.
 *
 * NFLOG's socket is the one exception to the opener: libnetfilter_log
 * opens it to configure the group through it (nl_nflog.c); its receive
 * buffer and receives still go through nl_sock_set_rcvbuf() and
 * nl_sock_recv(). No socket sets NETLINK_NO_ENOBUFS: every caller counts
 * the losses ENOBUFS reports. Errors are -errno throughout. */
#ifndef CTADVISOR_NL_SOCK_H
#define CTADVISOR_NL_SOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* How long a request waits for the kernel's answer: a kernel that stops
 * answering must not hang a monitoring check. */
#define NL_SOCK_TIMEOUT_MS 5000

struct nl_sock_opts {
	int bus;         /* NETLINK_NETFILTER */
	unsigned groups; /* multicast groups joined at bind (bitmask), 0 none */
	int rcvbuf;      /* receive buffer, bytes (nl_sock_set_rcvbuf()); 0 the default */
	bool cap_ack;    /* NETLINK_CAP_ACK: acks without the request echoed (ignored
			    where the kernel lacks it) */
};

struct nl_sock {
	int fd;          /* -1 when closed */
	uint32_t portid; /* ours, as bound */
	int rcvbuf;      /* the receive buffer granted (bytes) when opts asked for one */
};

/* Open and bind in the caller's network namespace. 0, or -errno with
 * s->fd = -1: -EPROTONOSUPPORT no such netlink family (module not
 * loaded), -EPERM joining groups without CAP_NET_ADMIN. */
int nl_sock_open(struct nl_sock *s, const struct nl_sock_opts *o);
void nl_sock_close(struct nl_sock *s); /* fd -1: no-op */

/* SO_RCVBUFFORCE (root may exceed net.core.rmem_max), else SO_RCVBUF,
 * which the kernel caps at rmem_max: a smaller buffer only loses more, and
 * losses are counted. 0 or -errno of the second. */
int nl_sock_set_rcvbuf(int fd, int bytes);

/* Send one buffer of requests to the kernel. 0 or -errno. */
int nl_sock_send(int fd, const void *buf, size_t len);

/* Receive one datagram from the kernel into buf, waiting at most
 * timeout_ms for one to arrive (0: not at all). Its length, or -EAGAIN
 * nothing pending (timeout_ms 0), -ETIMEDOUT nothing within timeout_ms,
 * -EINTR a signal came, -ENOBUFS the receive buffer overflowed (messages
 * lost; the socket goes on), -ENOSPC a datagram longer than size, -ESRCH
 * a datagram not from the kernel, other -errno. */
ssize_t nl_sock_recv(int fd, void *buf, size_t size, int timeout_ms);

/* Wait at most timeout_ms for fd to be readable: 1 readable, 0 not,
 * -errno (-EINTR a signal came). */
int nl_sock_wait(int fd, int timeout_ms);

/* What to do about err, for a message " (...)" after strerror(): root for
 * -EPERM/-EACCES, the module for -EPROTONOSUPPORT/-EOPNOTSUPP, the kernel
 * not answering for -ETIMEDOUT; "" for the rest. */
const char *nl_sock_hint(int err);

#endif
