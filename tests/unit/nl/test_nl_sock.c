/* test_nl_sock.c: the one netlink socket opener's receive scheme without a
 * kernel: nl_sock_recv() on a datagram socket pair (not netlink: every
 * datagram is refused as not from the kernel, which is what is checked
 * first), its wait bounded by timeout_ms, and the hints of nl_sock_hint(). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../../nl/nl_sock.h"

static void test_recv_empty(void **state)
{
	int sv[2];
	char buf[64];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv), 0);
	/* Nothing pending: -EAGAIN at once, -ETIMEDOUT after a short wait. */
	assert_int_equal(nl_sock_recv(sv[0], buf, sizeof(buf), 0), -EAGAIN);
	assert_int_equal(nl_sock_recv(sv[0], buf, sizeof(buf), 20), -ETIMEDOUT);
	assert_int_equal(nl_sock_wait(sv[0], 0), 0);
	/* A datagram that is not from a netlink peer is refused, and one
	 * longer than the buffer is seen as cut. */
	assert_int_equal(write(sv[1], "abcd", 4), 4);
	assert_int_equal(nl_sock_wait(sv[0], 20), 1);
	assert_int_equal(nl_sock_recv(sv[0], buf, sizeof(buf), 20), -ESRCH);
	assert_int_equal(write(sv[1], "0123456789", 10), 10);
	assert_int_equal(nl_sock_recv(sv[0], buf, 4, 20), -ENOSPC);
	close(sv[0]);
	close(sv[1]);
	/* A closed descriptor: the error of recv. */
	assert_int_equal(nl_sock_recv(sv[0], buf, sizeof(buf), 0), -EBADF);
}

static void test_hints(void **state)
{
	(void)state;
	assert_non_null(strstr(nl_sock_hint(-EPERM), "run as root"));
	assert_non_null(strstr(nl_sock_hint(-EACCES), "run as root"));
	assert_non_null(strstr(nl_sock_hint(-EPROTONOSUPPORT), "modprobe nf_conntrack_netlink"));
	assert_non_null(strstr(nl_sock_hint(-ETIMEDOUT), "did not answer"));
	assert_string_equal(nl_sock_hint(-ENOMEM), "");
}

static void test_close_twice(void **state)
{
	struct nl_sock s = {.fd = -1};

	(void)state;
	nl_sock_close(&s); /* no-op */
	assert_int_equal(s.fd, -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_recv_empty),
	    cmocka_unit_test(test_hints),
	    cmocka_unit_test(test_close_twice),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
