/* log_input.c: reading kernel log input (plain or gzip, a file or stdin)
 * line by line into the logparse aggregator, for logparse and report. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "log_input.h"
#include "logparse_json.h"
#include "../render/escape.h"

#define READ_BLOCK ((size_t)1024 * 1024)

/* Up to size bytes of gz into buf; *got 0 at the end. 0 or -errno: zlib's
 * failures turned into errno. zlib reads a file without the gzip magic (1f
 * 8b) as it is, so plain and compressed input take the same path, straight
 * into buf (no stdio buffer in between: one copy less per byte). */
static int gz_read_block(gzFile gz, char *buf, size_t size, size_t *got)
{
	unsigned chunk = size > (1u << 30) ? 1u << 30 : (unsigned)size;
	int n, zerr;

	errno = 0;
	n = gzread(gz, buf, chunk);
	if (n >= 0) {
		*got = (size_t)n;
		return 0;
	}
	gzerror(gz, &zerr);
	if (zerr == Z_ERRNO)
		return errno ? -errno : -EIO;
	return zerr == Z_MEM_ERROR ? -ENOMEM : -EBADMSG;
}

/* A gzip reader over fd; fd is closed with it. NULL, errno set, on failure
 * (fd closed then too). */
static gzFile open_gz_stream(int fd)
{
	struct stat st;
	gzFile gz;

	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		errno = EISDIR;
		return NULL;
	}
	gz = gzdopen(fd, "rb");
	if (gz == NULL) {
		close(fd);
		errno = ENOMEM;
	}
	return gz;
}

/* One line to agg: the newline is already gone, a CR before it goes too. */
static void feed_one(struct logparse_agg *agg, const char *line, size_t len)
{
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (len > 0 && (*line == '{' || *line == ' ') && logparse_json_feed(agg, line, len))
		return;
	logparse_agg_add_line(agg, line, len);
}

/* Every complete line of buf[0, len); returns the bytes they used. */
static size_t feed_block(struct logparse_agg *agg, const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len, *nl;

	while (p < end && (nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		feed_one(agg, p, (size_t)(nl - p));
		p = nl + 1;
	}
	return (size_t)(p - buf);
}

/* Room for at least READ_BLOCK / 2 more bytes after len: doubles for a line
 * longer than the buffer. 0 or -ENOMEM (*buf unchanged then). */
static int reserve(char **buf, size_t *cap, size_t len)
{
	char *nb;

	if (*cap - len >= READ_BLOCK / 2)
		return 0;
	if (*cap > SIZE_MAX / 2)
		return -ENOMEM;
	nb = realloc(*buf, *cap * 2);
	if (nb == NULL)
		return -ENOMEM;
	*buf = nb;
	*cap *= 2;
	return 0;
}

/* Feed every line of gz to agg: newline and a CR before it stripped, NUL
 * bytes inside kept (the length says where the line ends). Read in large
 * blocks, split with memchr: getline's per-line locking and copying cost
 * more than classifying an unrelated line. 0 or -errno. */
static int feed_lines(gzFile gz, struct logparse_agg *agg)
{
	size_t cap = READ_BLOCK, len = 0, n = 0;
	char *buf = malloc(cap);
	int rc = 0;

	if (buf == NULL)
		return -ENOMEM;
	for (;;) {
		size_t used;

		rc = reserve(&buf, &cap, len);
		if (rc == 0)
			rc = gz_read_block(gz, buf + len, cap - len, &n);
		if (rc < 0 || n == 0)
			break;
		len += n;
		used = feed_block(agg, buf, len);
		memmove(buf, buf + used, len - used);
		len -= used;
	}
	if (rc == 0 && len > 0)
		feed_one(agg, buf, len); /* the last line had no newline */
	free(buf);
	return rc;
}

static const char *error_hint(int err)
{
	switch (err) {
	case ENOENT:
		return "check the path (kernel logs: /var/log/kern.log, 'journalctl -k', "
		       "'dmesg')";
	case EACCES:
	case EPERM:
		return "run as root, or as a member of the group that owns the file (often adm)";
	case EISDIR:
		return "give the log files inside the directory";
	case EBADMSG:
		return "the gzip data is corrupt or cut short; try 'zcat FILE | ctadvisor "
		       "logparse' to read what is intact";
	case ENOMEM:
		return "out of memory";
	default:
		return "check that the file is readable";
	}
}

static void report_read_error(const char *cmd, const char *name, int err)
{
	char esc[1024], ebuf[RENDER_ERRNO_BUF];

	render_escape(esc, sizeof(esc), name, RENDER_ESC_TEXT);
	fprintf(stderr, "ctadvisor %s: cannot read '%s': %s (%s); %s\n", cmd, esc, strerror(err),
		render_errno_name(err, ebuf, sizeof(ebuf)), error_hint(err));
}

int log_input_read(const char *cmd, const char *path, struct logparse_agg *agg)
{
	bool is_stdin = strcmp(path, "-") == 0;
	int fd = is_stdin ? dup(STDIN_FILENO) : open(path, O_RDONLY | O_CLOEXEC);
	gzFile gz;
	int rc;

	if (fd < 0) {
		rc = -errno;
		goto out;
	}
	gz = open_gz_stream(fd);
	if (gz == NULL) {
		rc = -errno;
		goto out;
	}
	rc = feed_lines(gz, agg);
	if (gzclose_r(gz) != Z_OK && rc == 0)
		rc = -EBADMSG; /* truncated or corrupt member */
out:
	if (rc < 0)
		report_read_error(cmd, is_stdin ? "standard input" : path, -rc);
	return rc;
}
