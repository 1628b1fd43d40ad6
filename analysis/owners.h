/* owners.h: who else writes the table-size knobs on this host, so a plan
 * can say whether a new value would be silently overwritten: sysctl.d files
 * and /etc/sysctl.conf (nf_conntrack_max, nf_conntrack_buckets, hashsize),
 * modprobe.d "options nf_conntrack hashsize=", the kernel command line,
 * running kube-proxy / tuned / Calico processes, and tuned profiles.
 * Every scan takes a root directory ("" or "/" for the live host; a fixture
 * tree in tests) and appends to a fixed-size report; nothing is printed and
 * nothing is allocated beyond what a scan frees before returning. */
#ifndef CTADVISOR_OWNERS_H
#define CTADVISOR_OWNERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum owners_kind {
	OWNERS_SYSCTL_FILE, /* sysctl.d drop-in or /etc/sysctl.conf */
	OWNERS_MODPROBE,    /* modprobe.d options line */
	OWNERS_CMDLINE,     /* nf_conntrack.hashsize= on the kernel command line */
	OWNERS_PROCESS,     /* a running daemon known to write the knobs */
	OWNERS_TUNED,       /* a tuned profile */
};

#define OWNERS_MAX       32
#define OWNERS_PATH_LEN  256
#define OWNERS_KEY_LEN   80
#define OWNERS_VALUE_LEN 96

#define HASHSIZE_KNOB "module.nf_conntrack.hashsize"
#define BUCKETS_KNOB  "net.netfilter.nf_conntrack_buckets"

/* Where a running kube-proxy takes its conntrack sizing from: with --config
 * the file's conntrack.maxPerCore / conntrack.min (its flags are then
 * ignored), else --conntrack-max-per-core / --conntrack-min. */
enum owners_kube_from {
	OWNERS_KUBE_FLAGS = 0,    /* the command line (or its defaults) */
	OWNERS_KUBE_CONFIG,       /* the --config file */
	OWNERS_KUBE_CONFIG_UNREAD /* --config given, the file unreadable: values unknown */
};

struct owners_kube {
	enum owners_kube_from from;
	int64_t max_per_core;          /* -1: not given (its default applies) */
	int64_t min;                   /* -1: not given */
	char config[OWNERS_VALUE_LEN]; /* the --config path, "" none */
};

struct owners_item {
	enum owners_kind kind;
	char source[OWNERS_PATH_LEN]; /* path as on the host (root stripped), or "pid N" */
	unsigned line;                /* 1-based line in source; 0 for a process */
	char key[OWNERS_KEY_LEN];     /* knob as written, or the process name */
	char value[OWNERS_VALUE_LEN]; /* value as written; for a process, its relevant flags */
	bool is_shadowed;        /* sysctl.d: a same-named file earlier in the search order wins;
				    tuned: the profile is not the active one */
	struct owners_kube kube; /* kube-proxy only */
};

struct owners_report {
	size_t n;
	struct owners_item items[OWNERS_MAX];
	size_t n_dropped; /* found but beyond OWNERS_MAX */
};

void owners_init(struct owners_report *r);

/* The knob an item sets, canonical: "net.netfilter.nf_conntrack_X" (the
 * old "net.nf_conntrack_max" alias and the slash form too),
 * "module.nf_conntrack.hashsize" for the hash size (modprobe.d, cmdline,
 * tuned's [net] nf_conntrack_hashsize); "" for a process. */
void owners_item_knob(const struct owners_item *it, char *buf, size_t len);
/* Whether the item sets knob (buckets and hashsize count as one). */
bool owners_item_sets(const struct owners_item *it, const char *knob);

/* A key as written ("-net/netfilter/nf_conntrack_max", "net.nf_conntrack_max",
 * "nf_conntrack.hashsize") to its canonical name, as owners_item_knob(). */
void owners_canonical_knob(const char *key, char *out, size_t len);
/* Whether two canonical knobs are one (buckets and hashsize count as one). */
bool owners_same_knob(const char *a, const char *b);

/* "sysctl.d", "modprobe.d", "kernel cmdline", "process", "tuned". */
const char *owners_kind_name(enum owners_kind k);

#endif
