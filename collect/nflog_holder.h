/* nflog_holder.h: who holds an NFLOG group in this network namespace, from
 * procfs: nfnetlink_log's table gives the netlink port, /proc/net/netlink
 * its socket inode, and the process with that socket among its descriptors
 * gives PID and command name. Used to say whom `watch --invalid` met. */
#ifndef CTADVISOR_NFLOG_HOLDER_H
#define CTADVISOR_NFLOG_HOLDER_H

#include <stdbool.h>

struct nflog_holder {
	unsigned portid; /* 0 when the group's port could not be read */
	bool has_process;
	long pid;
	char comm[32]; /* the process's comm, control characters replaced by '?' */
};

/* Fills *h for group; false when nfnetlink_log's table does not list it.
 * The calling process itself is never named. */
bool nflog_holder_find(unsigned group, struct nflog_holder *h);

#endif
