/* fileio.c: whole-file reads for /proc and /sys, which report size 0. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <string.h>
#include <stdio.h>
#include <unistd.h>

#include "fileio.h"

int fileio_read_all(const char *path, char **text, size_t *len)
{
	size_t cap = 8192, n = 0;
	char *buf = malloc(cap);
	ssize_t got;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int rc = 0;

	if (fd < 0 || buf == NULL) {
		rc = fd < 0 ? -errno : -ENOMEM;
		goto out;
	}
	while ((got = read(fd, buf + n, cap - n)) > 0) {
		n += (size_t)got;
		if (n == cap) {
			char *grown = cap < (64u << 20) ? realloc(buf, cap * 2) : NULL;

			if (grown == NULL) {
				rc = -ENOMEM;
				goto out;
			}
			buf = grown;
			cap *= 2;
		}
	}
	if (got < 0)
		rc = -errno;
	else
		buf[n] = '\0'; /* n < cap: the loop grows a full buffer */
out:
	if (fd >= 0)
		close(fd);
	if (rc < 0) {
		free(buf);
		return rc;
	}
	*text = buf;
	*len = n;
	return 0;
}

#define RUN_OUT_MAX ((size_t)16 * 1024 * 1024)

int fileio_run_capture(const char *const argv[], char **text, size_t *len)
{
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap);
	int fds[2], status = 0;
	pid_t pid;

	if (buf == NULL || pipe2(fds, O_CLOEXEC) < 0) {
		free(buf);
		return -ENOMEM;
	}
	fflush(stdout); /* the child must not write our buffered output again */
	fflush(stderr);
	pid = fork();
	if (pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);

		char store[8][32], *args[9] = {NULL};

		/* execvp() wants mutable strings; ours are literals. */
		for (size_t i = 0; i < 8 && argv[i] != NULL; i++) {
			snprintf(store[i], sizeof(store[i]), "%s", argv[i]);
			args[i] = store[i];
		}
		dup2(fds[1], STDOUT_FILENO);
		if (devnull >= 0)
			dup2(devnull, STDERR_FILENO);
		if (args[0] != NULL)
			execvp(args[0], args);
		_exit(127);
	}
	close(fds[1]);
	for (ssize_t r = 1; pid > 0 && r > 0;) {
		if (n + 1 == cap && cap < RUN_OUT_MAX) {
			char *nb = realloc(buf, cap * 2);

			if (nb == NULL)
				break;
			buf = nb;
			cap *= 2;
		}
		r = read(fds[0], buf + n, cap - n - 1);
		if (r > 0)
			n += (size_t)r;
		else if (r < 0 && errno == EINTR)
			r = 1;
	}
	close(fds[0]);
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0) {
		free(buf);
		return -ENOENT;
	}
	buf[n] = '\0';
	*text = buf;
	*len = n;
	return 0;
}
