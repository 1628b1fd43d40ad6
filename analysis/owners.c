/* owners.c: the owners report and the canonical names of the knobs it
 * finds. Pure. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "owners.h"

void owners_init(struct owners_report *r)
{
	memset(r, 0, sizeof(*r));
}

const char *owners_kind_name(enum owners_kind k)
{
	switch (k) {
	case OWNERS_SYSCTL_FILE:
		return "sysctl.d";
	case OWNERS_MODPROBE:
		return "modprobe.d";
	case OWNERS_CMDLINE:
		return "kernel cmdline";
	case OWNERS_PROCESS:
		return "process";
	case OWNERS_TUNED:
		return "tuned";
	}
	return "?";
}

/* A key as written to its canonical knob name (see owners_item.knob). */
void owners_canonical_knob(const char *key, char *out, size_t len)
{
	char buf[OWNERS_KEY_LEN];
	size_t k = 0;

	if (*key == '-')
		key++;
	for (; *key && k + 1 < sizeof(buf); key++) {
		char c = *key;

		if (c == '/')
			c = '.';
		buf[k++] = c;
	}
	buf[k] = '\0';
	if (strcmp(buf, "net.nf_conntrack_max") == 0)
		snprintf(out, len, "net.netfilter.nf_conntrack_max");
	else if (strcmp(buf, "nf_conntrack_hashsize") == 0 ||
		 strcmp(buf, "nf_conntrack.hashsize") == 0 ||
		 strcmp(buf, "nf-conntrack.hashsize") == 0)
		snprintf(out, len, HASHSIZE_KNOB);
	else
		snprintf(out, len, "%s", buf);
}

bool owners_same_knob(const char *a, const char *b)
{
	bool ha = strcmp(a, HASHSIZE_KNOB) == 0 || strcmp(a, BUCKETS_KNOB) == 0;
	bool hb = strcmp(b, HASHSIZE_KNOB) == 0 || strcmp(b, BUCKETS_KNOB) == 0;

	return ha || hb ? ha && hb : strcmp(a, b) == 0;
}

void owners_item_knob(const struct owners_item *it, char *buf, size_t len)
{
	if (it->kind == OWNERS_PROCESS)
		snprintf(buf, len, "%s", "");
	else if (it->kind == OWNERS_MODPROBE || it->kind == OWNERS_CMDLINE)
		snprintf(buf, len, HASHSIZE_KNOB);
	else
		owners_canonical_knob(it->key, buf, len);
}

bool owners_item_sets(const struct owners_item *it, const char *knob)
{
	char k[OWNERS_KEY_LEN];

	owners_item_knob(it, k, sizeof(k));
	return k[0] != '\0' && owners_same_knob(k, knob);
}
