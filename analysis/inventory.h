/* inventory.h: every network namespace on the host, who owns it, and its
 * conntrack figures.
 *
 * Discovery (inventory_scan) only reads files under a root directory ("/"
 * on a live host, a fixture tree in tests): pinned namespaces (run/netns,
 * var/run/netns, var/run/docker/netns, every nsfs mount of net:[...] in
 * proc/self/mountinfo) and proc/PID/ns/net of every process, deduplicated
 * by (st_dev, st_ino). Owners come from proc/PID/cgroup (Kubernetes pod and
 * container), var/log/pods/<ns>_<name>_<uid> and proc/PID/comm.
 *
 * inventory_collect() then enters each namespace in turn with setns(),
 * opens its netlink socket there, and comes back at the end: one process,
 * no fork. It is the only part that needs privileges. The inventory owns its array; strings in
 * it come from outside and are escaped only by the renderers. */
#ifndef CTADVISOR_INVENTORY_H
#define CTADVISOR_INVENTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../rules/rules.h"
#include "../rules/snapshot.h"

#define INV_PATH_LEN  512
#define INV_NAME_LEN  256
#define INV_COMMS     3  /* distinct process names kept per namespace */
#define INV_OVERRIDES 12 /* knobs kept per namespace; the rest are counted */

enum inv_pin {
	INV_PIN_NONE = 0, /* found only through a process */
	INV_PIN_NETNS,    /* run/netns or var/run/netns (ip netns, CNI) */
	INV_PIN_DOCKER,   /* var/run/docker/netns */
	INV_PIN_MOUNT,    /* any other nsfs mount */
};

struct inv_owner {
	char pod_namespace[64];
	char pod_name[254];
	char pod_uid[40];
	char qos[12];     /* "guaranteed", "burstable", "besteffort" */
	char runtime[16]; /* "containerd", "crio", "docker", "podman", "" */
	char container_id[72];
};

/* A knob whose value differs from the baseline namespace's. */
struct inv_override {
	char knob[SNAP_KNOB_NAME_LEN]; /* "net.netfilter.nf_conntrack_udp_timeout" */
	char value[SNAP_KNOB_VALUE_LEN];
	char baseline[SNAP_KNOB_VALUE_LEN];
};

/* What inventory_collect() learnt; meaningful only with the has_* flag. */
struct inv_figures {
	int err;              /* positive errno: the namespace could not be read */
	const char *err_what; /* "setns", "stats", ... (static string) */
	bool is_init;
	bool has_count;
	uint64_t count;
	bool has_stats;
	struct snap_cpu_stats total; /* GET_STATS_CPU summed over CPUs */
	bool has_ext;                /* acct or timestamp on: entries cost more */
	bool has_walk;
	uint64_t live; /* entries a table walk saw (--walk) */
	bool walk_interrupted;
	struct inv_override ov[INV_OVERRIDES];
	size_t n_ov;
	size_t n_ov_more; /* differing knobs beyond ov[] */
};

struct inv_ns {
	uint64_t dev, ino;
	char path[INV_PATH_LEN]; /* what setns() opens: the pin, else proc/PID/ns/net */
	char name[INV_NAME_LEN]; /* the pin's file name, "" when not pinned */
	enum inv_pin pin;
	unsigned n_procs;
	int pid; /* lowest pid in it, 0 for none */
	char comm[INV_COMMS][16];
	unsigned n_comm;
	unsigned n_cgroup_tries;
	bool has_pod, has_container;
	struct inv_owner owner;
	struct inv_figures fig;
};

struct inventory {
	struct inv_ns *ns;
	size_t n, cap;
};

/* Global figures of the baseline (initial) namespace for the totals. */
struct inv_host {
	int64_t max;                        /* nf_conntrack_max, -1 unknown */
	int64_t buckets;                    /* nf_conntrack_buckets, -1 unknown */
	uint64_t slab_obj_bytes, ram_bytes; /* 0 unknown */
	bool is_init;                       /* the baseline is the initial namespace */
};

struct inv_totals {
	size_t n_ns, n_failed;
	size_t n_no_process; /* inventory_no_process() */
	size_t n_leaks;      /* inventory_is_possible_leak() */
	uint64_t entries;    /* sum of counts */
	uint64_t live;       /* sum of walk counts, when every walk worked */
	bool has_live;
	double hash_load;     /* 2 * entries / buckets (each entry sits in 2 chains); -1 */
	uint64_t mem_bytes;   /* at least: slab object, + 128 B with extensions; 0 unknown */
	double mem_ram_ratio; /* -1 unknown */
	/* WARNING when a namespace could not be read (its figures are missing
	 * from the totals), else OK: a leak is a finding to look at, not an
	 * outage */
	enum ct_exit exit_code;
};

void inventory_free(struct inventory *inv);
/* The conntrack demand of the whole host, for the global knobs: every
 * namespace's count is compared with nf_conntrack_max on its own, so max
 * must hold the busiest one; all of them share the hash table. */
struct inventory_demand {
	size_t n_ns;                          /* namespaces whose count was read */
	uint64_t busiest;                     /* the largest count */
	char busiest_name[INV_NAME_LEN + 16]; /* its pin name, or "pid N", or "initial" */
	uint64_t sum;                         /* the counts added up */
};

/* Fold the namespaces' counts into d. */
void inventory_fold_demand(const struct inventory *inv, struct inventory_demand *d);

/* Pinned with no process in it: normal for an `ip netns add` router,
 * whose forwarding needs no process. */
bool inventory_no_process(const struct inv_ns *ns);
/* No process and, read, no conntrack entries either: nothing uses it, a
 * possible leak. (Interfaces and age are not read.) */
bool inventory_is_possible_leak(const struct inv_ns *ns);
/* Highest count first, ties by name then inode. */
void inventory_sort(struct inventory *inv);

enum inv_key {
	INV_KEY_COUNT,
	INV_KEY_LIVE,
	INV_KEY_DROP,
	INV_KEY_EARLY_DROP,
	INV_KEY_INSERT_FAILED,
	INV_KEY_INVALID,
};
/* A figure of one namespace; -ENODATA when it was not read. */
int inventory_value(const struct inv_ns *ns, enum inv_key key, uint64_t *v);
/* The namespace with the highest figure (the first on ties); -ENOENT when
 * no namespace has it. For check --all-netns: judge ns[*idx]. */
int inventory_worst(const struct inventory *inv, enum inv_key key, size_t *idx);
/* Pure arithmetic over the collected figures. */
void inventory_totals(const struct inventory *inv, const struct inv_host *host,
		      struct inv_totals *out);
/* The first of "pod NS/NAME" (or "pod uid U"), "container RUNTIME:ID12",
 * "procs: a, b", "netns NAME", "-". Unescaped. */
void inventory_owner_text(const struct inv_ns *ns, char *buf, size_t size);

#endif
