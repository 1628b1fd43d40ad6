/* owners_kube.h: what a running kube-proxy will write to nf_conntrack_max:
 * its --conntrack-max-per-core / --conntrack-min flags, or (with --config,
 * which makes it ignore those flags) the conntrack block of its
 * configuration file, read as the process sees it (PID/root). */
#ifndef CTADVISOR_OWNERS_KUBE_H
#define CTADVISOR_OWNERS_KUBE_H

#include <stddef.h>

#include "../analysis/owners.h"

/* Fill *k from argv (alen bytes of NUL-separated words) and the --config
 * file under proc_root/pid/root (or cwd for a relative path). 0, or
 * -ENOMEM; an unreadable file gives OWNERS_KUBE_CONFIG_UNREAD. */
int owners_kube_read(const char *proc_root, const char *pid, const char *argv, size_t alen,
		     struct owners_kube *k);

/* The conntrack block of a KubeProxyConfiguration (YAML as kubeadm and
 * the manifests write it): maxPerCore and min, -1 when absent or null. */
void owners_kube_parse_config(const char *text, struct owners_kube *k);

#endif
