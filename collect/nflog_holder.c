/* nflog_holder.c: the process behind an NFLOG group's netlink port. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nflog_holder.h"

#define NFLOG_PROC              "/proc/self/net/netfilter/nfnetlink_log"
#define NFLOG_NETLINK_PROC      "/proc/self/net/netlink"
#define NETLINK_NETFILTER_PROTO 12 /* NETLINK_NETFILTER */

/* The decimal unsigned int at s, after any white space; *end past it. */
static bool nh_parse_uint(const char *s, char **end, unsigned *out)
{
	unsigned long v;

	errno = 0;
	v = strtoul(s, end, 10);
	if (*end == s || errno != 0 || v > UINT_MAX)
		return false;
	*out = (unsigned)v;
	return true;
}

/* The netlink port holding group want here, from nfnetlink_log's proc file
 * (the port id of a process's first netlink socket is usually its PID). */
static bool nh_group_port(unsigned want, unsigned *portid)
{
	FILE *f = fopen(NFLOG_PROC, "re");
	unsigned group, port;
	bool found = false;
	char line[256], *p;

	if (f == NULL)
		return false;
	while (!found && fgets(line, sizeof(line), f) != NULL)
		if (nh_parse_uint(line, &p, &group) && nh_parse_uint(p, &p, &port) &&
		    group == want) {
			*portid = port;
			found = true;
		}
	fclose(f);
	return found;
}

/* Field i (from 0) of a whitespace-separated line as a number; false when
 * the line is shorter or the field is not a number. */
static bool nh_field(const char *line, int i, unsigned long *out)
{
	const char *p = line;
	char *end;

	for (int k = 0; k < i; k++) {
		p += strspn(p, " \t");
		p += strcspn(p, " \t\n");
	}
	p += strspn(p, " \t");
	if (*p < '0' || *p > '9')
		return false;
	errno = 0;
	*out = strtoul(p, &end, 10);
	return errno == 0 && (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\0');
}

/* The inode of this namespace's netfilter netlink socket bound to portid,
 * from /proc/self/net/netlink ("sk Eth Pid Groups Rmem Wmem Dump Locks
 * Drops Inode"); 0 when none. */
static unsigned long nh_socket_inode(unsigned portid)
{
	FILE *f = fopen(NFLOG_NETLINK_PROC, "re");
	unsigned long inode = 0, proto, port, ino;
	char line[256];

	if (f == NULL)
		return 0;
	while (inode == 0 && fgets(line, sizeof(line), f) != NULL)
		if (nh_field(line, 1, &proto) && proto == NETLINK_NETFILTER_PROTO &&
		    nh_field(line, 2, &port) && port == portid && nh_field(line, 9, &ino))
			inode = ino;
	fclose(f);
	return inode;
}

/* 1 when process pid has the socket inode open. */
static bool nh_has_socket(const char *pid, unsigned long inode)
{
	char path[64], link[64], want[40];
	struct dirent *d;
	bool found = false;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%.20s/fd", pid);
	snprintf(want, sizeof(want), "socket:[%lu]", inode);
	dir = opendir(path);
	if (dir == NULL)
		return false;
	while (!found && (d = readdir(dir)) != NULL) {
		ssize_t n = readlinkat(dirfd(dir), d->d_name, link, sizeof(link) - 1);

		if (n > 0) {
			link[n] = '\0';
			found = strcmp(link, want) == 0;
		}
	}
	closedir(dir);
	return found;
}

/* The process holding the netlink port: its PID and command name (comm,
 * control characters replaced). The port id is only usually the PID, so
 * the socket is looked up by inode among every process's descriptors. */
static bool nh_process(unsigned portid, long *pid, char *comm, size_t size)
{
	unsigned long inode = nh_socket_inode(portid);
	struct dirent *d;
	bool found = false;
	DIR *proc;

	if (inode == 0 || (proc = opendir("/proc")) == NULL)
		return false;
	while (!found && (d = readdir(proc)) != NULL) {
		char path[64], *end;
		long n = strtol(d->d_name, &end, 10);
		FILE *f;

		if (end == d->d_name || *end != '\0' || n <= 0 || n == (long)getpid() ||
		    !nh_has_socket(d->d_name, inode))
			continue;
		found = true;
		*pid = n;
		snprintf(comm, size, "?");
		snprintf(path, sizeof(path), "/proc/%ld/comm", n);
		if ((f = fopen(path, "re")) != NULL) {
			if (fgets(comm, (int)size, f) == NULL)
				snprintf(comm, size, "?");
			fclose(f);
		}
		comm[strcspn(comm, "\n")] = '\0';
		for (char *c = comm; *c; c++)
			if ((unsigned char)*c < 0x20 || *c == 0x7f)
				*c = '?';
	}
	closedir(proc);
	return found;
}

bool nflog_holder_find(unsigned group, struct nflog_holder *h)
{
	memset(h, 0, sizeof(*h));
	if (!nh_group_port(group, &h->portid))
		return false;
	h->has_process = h->portid != 0 && nh_process(h->portid, &h->pid, h->comm, sizeof(h->comm));
	return true;
}
