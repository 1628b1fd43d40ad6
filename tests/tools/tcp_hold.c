/* tcp_hold: hold TCP connections open for the namespace lab tests, so that
 * conntrack keeps a known number of ESTABLISHED entries.
 *
 *   tcp_hold server ADDR PORT     accept every connection and keep it open
 *   tcp_hold client ADDR PORT N   open N connections, then keep them open
 *
 * The server prints "listening" once it accepts connections, the client
 * prints "ready" once all N connect() calls returned; both then run until
 * killed. Each line is flushed at once because the test polls a log file. */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

_Noreturn static void die(const char *what, int err)
{
	fprintf(stderr, "tcp_hold: %s: %s\n", what, strerror(err));
	exit(1);
}

/* Resolve a numeric address and port; names are refused so that a lab
 * test can never reach an address it did not configure. */
static struct addrinfo *resolve(const char *addr, const char *port)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM,
				 .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV};
	struct addrinfo *ai = NULL;
	int rc = getaddrinfo(addr, port, &hints, &ai);

	if (rc != 0) {
		fprintf(stderr, "tcp_hold: %s port %s: %s\n", addr, port, gai_strerror(rc));
		exit(1);
	}
	return ai;
}

/* Hold more descriptors than the default soft limit of 1024 allows. */
static void raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
}

_Noreturn static void run_server(const struct addrinfo *ai)
{
	int one = 1;
	int fd = socket(ai->ai_family, SOCK_STREAM, 0);

	if (fd < 0)
		die("socket", errno);
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
		die("SO_REUSEADDR", errno);
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0)
		die("bind", errno);
	if (listen(fd, 4096) < 0)
		die("listen", errno);
	printf("listening\n");
	fflush(stdout);
	for (;;) {
		/* The accepted descriptor is deliberately never closed. */
		if (accept(fd, NULL, NULL) < 0 && errno != EINTR && errno != ECONNABORTED)
			die("accept", errno);
	}
}

_Noreturn static void run_client(const struct addrinfo *ai, long n)
{
	for (long i = 0; i < n; i++) {
		int fd = socket(ai->ai_family, SOCK_STREAM, 0);

		if (fd < 0)
			die("socket", errno);
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0)
			die("connect", errno);
	}
	printf("ready %ld\n", n);
	fflush(stdout);
	for (;;)
		pause();
}

int main(int argc, char **argv)
{
	struct addrinfo *ai;
	char *end;
	long n = 0;

	if (argc == 4 && strcmp(argv[1], "server") == 0) {
		ai = resolve(argv[2], argv[3]);
		raise_nofile();
		run_server(ai);
	}
	if (argc == 5 && strcmp(argv[1], "client") == 0) {
		n = strtol(argv[4], &end, 10);
		if (*argv[4] == '\0' || *end != '\0' || n < 1 || n > 60000) {
			fprintf(stderr, "tcp_hold: bad count '%s'\n", argv[4]);
			return 2;
		}
		ai = resolve(argv[2], argv[3]);
		raise_nofile();
		run_client(ai, n);
	}
	fprintf(stderr, "usage: tcp_hold server ADDR PORT | tcp_hold client ADDR PORT N\n");
	return 2;
}
