/* nl_sock.c: open, bind and configure a netlink socket; send a request,
 * receive with a bounded wait (nl_sock.h). */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/netlink.h>

#include "nl_sock.h"

int nl_sock_set_rcvbuf(int fd, int bytes)
{
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof(bytes)) == 0)
		return 0;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof(bytes)) == 0)
		return 0;
	return -errno;
}

/* The buffer the kernel granted: it doubles what was set, for its own
 * bookkeeping, and caps SO_RCVBUF at rmem_max. */
static int granted_rcvbuf(int fd)
{
	int got = 0;
	socklen_t len = sizeof(got);

	return getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &got, &len) == 0 ? got : 0;
}

static int bind_auto(struct nl_sock *s, unsigned groups)
{
	struct sockaddr_nl addr = {.nl_family = AF_NETLINK, .nl_groups = groups};
	socklen_t len = sizeof(addr);

	if (bind(s->fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		return -errno;
	if (getsockname(s->fd, (struct sockaddr *)&addr, &len) < 0)
		return -errno;
	if (len != sizeof(addr) || addr.nl_family != AF_NETLINK)
		return -EINVAL;
	s->portid = addr.nl_pid;
	return 0;
}

int nl_sock_open(struct nl_sock *s, const struct nl_sock_opts *o)
{
	int one = 1, rc;

	s->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, o->bus);
	s->portid = 0;
	s->rcvbuf = 0;
	if (s->fd < 0) {
		s->fd = -1;
		return errno > 0 ? -errno : -EIO;
	}
	/* Before the bind: a group's burst lands in the large buffer. */
	if (o->rcvbuf > 0) {
		(void)nl_sock_set_rcvbuf(s->fd, o->rcvbuf);
		s->rcvbuf = granted_rcvbuf(s->fd);
	}
	/* Older kernels lack NETLINK_CAP_ACK: acks then echo their request. */
	if (o->cap_ack)
		(void)setsockopt(s->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	rc = bind_auto(s, o->groups);
	if (rc < 0)
		nl_sock_close(s);
	return rc;
}

void nl_sock_close(struct nl_sock *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

int nl_sock_send(int fd, const void *buf, size_t len)
{
	struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};

	if (sendto(fd, buf, len, 0, (const struct sockaddr *)&kernel, sizeof(kernel)) < 0)
		return -errno;
	return 0;
}

int nl_sock_wait(int fd, int timeout_ms)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	int rc = poll(&p, 1, timeout_ms);

	return rc < 0 ? -errno : rc > 0;
}

/* One non-blocking receive: its length or -errno. */
static ssize_t recv_once(int fd, void *buf, size_t size)
{
	struct sockaddr_nl from;
	socklen_t len = sizeof(from);
	ssize_t n;

	memset(&from, 0, sizeof(from));
	/* MSG_TRUNC: the datagram's real length, so a cut one is seen. */
	n = recvfrom(fd, buf, size, MSG_DONTWAIT | MSG_TRUNC, (struct sockaddr *)&from, &len);
	if (n < 0)
		return -errno;
	if ((size_t)n > size)
		return -ENOSPC;
	if (len != sizeof(from) || from.nl_pid != 0)
		return -ESRCH;
	return n;
}

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

ssize_t nl_sock_recv(int fd, void *buf, size_t size, int timeout_ms)
{
	ssize_t n = recv_once(fd, buf, size);
	int64_t deadline;

	if (n != -EAGAIN || timeout_ms <= 0)
		return n;
	deadline = mono_ms() + timeout_ms;
	/* Readable but empty again (a spurious wakeup): wait out the rest. */
	while (n == -EAGAIN) {
		int64_t left = deadline - mono_ms();
		int rc = left > 0 ? nl_sock_wait(fd, (int)left) : 0;

		if (rc <= 0)
			return rc == 0 ? -ETIMEDOUT : rc;
		n = recv_once(fd, buf, size);
	}
	return n;
}

const char *nl_sock_hint(int err)
{
	switch (err) {
	case -EPERM:
	case -EACCES:
		return " (ctnetlink needs CAP_NET_ADMIN: run as root)";
	case -EPROTONOSUPPORT:
	case -EOPNOTSUPP:
		return " (needs ctnetlink: modprobe nf_conntrack_netlink)";
	case -ETIMEDOUT:
		return " (the kernel did not answer within 5 s)";
	default:
		return "";
	}
}
