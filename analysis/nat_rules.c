/* nat_rules.c: masquerade/snat rules from nft JSON and iptables-save text.
 * Only the statement's own fields and the family, protocol, address and
 * output-interface matches before it are read; everything else in a rule is
 * skipped, so a ruleset with constructs we do not know still yields the
 * rules we do. */
#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "nat_rules.h"

#define IPT_LINE_MAX 2048

const char *nat_rule_kind_name(enum nat_rule_kind kind)
{
	return kind == NAT_RULE_SNAT ? "snat" : "masquerade";
}

/* An address in either family; the family is written only on success. */
static int parse_addr(const char *s, uint8_t *addr, uint8_t *family)
{
	uint8_t buf[16] = {0};

	if (inet_pton(AF_INET, s, buf) == 1) {
		*family = AF_INET;
	} else if (inet_pton(AF_INET6, s, buf) == 1) {
		*family = AF_INET6;
	} else {
		return -EINVAL;
	}
	memcpy(addr, buf, 16);
	return 0;
}

/* addr with the host bits of a /len prefix set (hi) or cleared (lo). */
static void prefix_bound(uint8_t *addr, unsigned len, unsigned bits, bool is_hi)
{
	for (unsigned i = len; i < bits; i++) {
		uint8_t m = (uint8_t)(0x80u >> (i % 8));

		if (is_hi)
			addr[i / 8] |= m;
		else
			addr[i / 8] &= (uint8_t)~m;
	}
}

static void rule_set_family(struct nat_rule *r, uint8_t family)
{
	if (family != 0)
		r->family = family;
}

static void rule_set_ports(struct nat_rule *r, long lo, long hi)
{
	if (lo < 0 || hi < 0 || lo > 65535 || hi > 65535)
		return;
	if (lo > hi) { /* the kernel swaps them too */
		long t = lo;

		lo = hi;
		hi = t;
	}
	r->has_ports = true;
	r->port_lo = (uint16_t)lo;
	r->port_hi = (uint16_t)hi;
}

static void rule_set_addrs(struct nat_rule *r, const struct nat_addr_range *a)
{
	r->has_addr = true;
	memcpy(r->addr_lo, a->lo, 16);
	memcpy(r->addr_hi, a->hi, 16);
	rule_set_family(r, a->family);
}

/* ADDR/LEN into a range; -EINVAL a bad address or length. */
static int prefix_range(const char *addr, long len, struct nat_addr_range *out)
{
	struct nat_addr_range a = {.is_set = true};
	unsigned bits;

	if (parse_addr(addr, a.lo, &a.family) < 0)
		return -EINVAL;
	bits = a.family == AF_INET ? 32 : 128;
	if (len < 0 || len > (long)bits)
		return -EINVAL;
	memcpy(a.hi, a.lo, 16);
	prefix_bound(a.lo, (unsigned)len, bits, false);
	prefix_bound(a.hi, (unsigned)len, bits, true);
	*out = a;
	return 0;
}

static uint32_t flag_of(const char *name)
{
	if (strcmp(name, "random") == 0)
		return NAT_RULE_F_RANDOM;
	if (strcmp(name, "fully-random") == 0 || strcmp(name, "random-fully") == 0)
		return NAT_RULE_F_RANDOM_FULLY;
	if (strcmp(name, "persistent") == 0)
		return NAT_RULE_F_PERSISTENT;
	return 0;
}

static uint8_t proto_of(const char *name)
{
	if (strcmp(name, "tcp") == 0)
		return IPPROTO_TCP;
	if (strcmp(name, "udp") == 0)
		return IPPROTO_UDP;
	if (strcmp(name, "sctp") == 0)
		return IPPROTO_SCTP;
	if (strcmp(name, "udplite") == 0)
		return IPPROTO_UDPLITE;
	if (strcmp(name, "dccp") == 0)
		return IPPROTO_DCCP;
	if (strcmp(name, "icmp") == 0)
		return IPPROTO_ICMP;
	if (strcmp(name, "icmpv6") == 0 || strcmp(name, "ipv6-icmp") == 0)
		return IPPROTO_ICMPV6;
	return 0; /* no /etc/protocols lookup: the result must not depend on the host */
}

static struct nat_rule *rules_add(struct nat_rules *out)
{
	struct nat_rule *r;

	if (out->n >= NAT_RULES_MAX) {
		out->n_dropped++;
		return NULL;
	}
	r = &out->rule[out->n++];
	memset(r, 0, sizeof(*r));
	return r;
}

/* ---- nft -j ---- */

/* "a", {"range": ["a", "b"]} or {"prefix": {"addr": "a", "len": n}}; -EINVAL
 * otherwise (maps, sets and variables are left unknown). */
static int nft_range(const json_t *v, struct nat_addr_range *out)
{
	struct nat_addr_range a = {.is_set = true};
	uint8_t f2 = 0;
	const json_t *x;

	if (json_is_string(v)) {
		if (parse_addr(json_string_value(v), a.lo, &a.family) < 0)
			return -EINVAL;
		memcpy(a.hi, a.lo, 16);
	} else if ((x = json_object_get(v, "range")) != NULL && json_array_size(x) == 2) {
		if (!json_is_string(json_array_get(x, 0)) ||
		    !json_is_string(json_array_get(x, 1)) ||
		    parse_addr(json_string_value(json_array_get(x, 0)), a.lo, &a.family) < 0 ||
		    parse_addr(json_string_value(json_array_get(x, 1)), a.hi, &f2) < 0 ||
		    a.family != f2)
			return -EINVAL;
	} else if ((x = json_object_get(v, "prefix")) != NULL) {
		const json_t *addr = json_object_get(x, "addr");

		if (!json_is_string(addr) ||
		    prefix_range(json_string_value(addr),
				 (long)json_integer_value(json_object_get(x, "len")), &a) < 0)
			return -EINVAL;
	} else {
		return -EINVAL;
	}
	*out = a;
	return 0;
}

static void nft_addr(const json_t *v, struct nat_rule *r)
{
	struct nat_addr_range a;

	if (nft_range(v, &a) == 0)
		rule_set_addrs(r, &a);
}

static void nft_port(const json_t *v, struct nat_rule *r)
{
	const json_t *x;

	if (json_is_integer(v)) {
		rule_set_ports(r, (long)json_integer_value(v), (long)json_integer_value(v));
	} else if ((x = json_object_get(v, "range")) != NULL && json_array_size(x) == 2 &&
		   json_is_integer(json_array_get(x, 0)) && json_is_integer(json_array_get(x, 1))) {
		rule_set_ports(r, (long)json_integer_value(json_array_get(x, 0)),
			       (long)json_integer_value(json_array_get(x, 1)));
	}
}

static void nft_flags(const json_t *v, struct nat_rule *r)
{
	size_t i;
	const json_t *f;

	if (json_is_string(v)) {
		r->flags |= flag_of(json_string_value(v));
		return;
	}
	json_array_foreach(v, i, f) if (json_is_string(f)) r->flags |=
	    flag_of(json_string_value(f));
}

static uint8_t nft_family(const char *name)
{
	if (name == NULL)
		return 0;
	if (strcmp(name, "ip") == 0 || strcmp(name, "ipv4") == 0)
		return AF_INET;
	if (strcmp(name, "ip6") == 0 || strcmp(name, "ipv6") == 0)
		return AF_INET6;
	return 0;
}

/* What the matches before the statement say. */
struct nft_ctx {
	uint8_t family, l4proto;
	struct nat_addr_range saddr, daddr;
	bool has_oif;
};

/* A payload match: "ip protocol tcp", "ip6 nexthdr udp", "tcp dport 80"
 * (implies tcp), "ip saddr 10.0.0.0/8", "ip6 daddr ...". */
static void nft_payload(const json_t *pay, const json_t *right, struct nft_ctx *c)
{
	const char *p = json_string_value(json_object_get(pay, "protocol"));
	const char *field = json_string_value(json_object_get(pay, "field"));
	uint8_t n = p != NULL ? proto_of(p) : 0;

	if (p == NULL)
		return;
	if (n != 0) {
		c->l4proto = n;
		return;
	}
	if (nft_family(p) != 0)
		c->family = nft_family(p);
	if (field == NULL)
		return;
	if ((strcmp(field, "protocol") == 0 || strcmp(field, "nexthdr") == 0) &&
	    json_is_string(right))
		c->l4proto = proto_of(json_string_value(right));
	else if ((strcmp(field, "protocol") == 0 || strcmp(field, "nexthdr") == 0) &&
		 json_is_integer(right))
		c->l4proto = (uint8_t)json_integer_value(right);
	else if (strcmp(field, "saddr") == 0)
		nft_range(right, &c->saddr);
	else if (strcmp(field, "daddr") == 0)
		nft_range(right, &c->daddr);
}

static void nft_match(const json_t *m, struct nft_ctx *c)
{
	const json_t *left = json_object_get(m, "left"), *right = json_object_get(m, "right");
	const char *op = json_string_value(json_object_get(m, "op"));
	const json_t *meta = json_object_get(left, "meta");
	const json_t *pay = json_object_get(left, "payload");
	const char *key = json_string_value(json_object_get(meta, "key"));

	if (op != NULL && strcmp(op, "==") != 0 && strcmp(op, "in") != 0)
		return;
	if (key != NULL && strcmp(key, "l4proto") == 0 && json_is_string(right))
		c->l4proto = proto_of(json_string_value(right));
	else if (key != NULL && strcmp(key, "l4proto") == 0 && json_is_integer(right))
		c->l4proto = (uint8_t)json_integer_value(right);
	else if (key != NULL && strcmp(key, "nfproto") == 0 && json_is_string(right))
		c->family = nft_family(json_string_value(right));
	else if (key != NULL && (strcmp(key, "oifname") == 0 || strcmp(key, "oif") == 0))
		c->has_oif = true;
	else if (pay != NULL)
		nft_payload(pay, right, c);
}

static const char *jstr(const json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s != NULL ? s : "?";
}

static void nft_stmt(const json_t *rule, const char *kind, const json_t *v, const struct nft_ctx *c,
		     struct nat_rules *out)
{
	struct nat_rule *r = rules_add(out);

	if (r == NULL)
		return;
	r->kind = strcmp(kind, "snat") == 0 ? NAT_RULE_SNAT : NAT_RULE_MASQUERADE;
	r->family = nft_family(json_string_value(json_object_get(rule, "family")));
	rule_set_family(r, c->family);
	r->l4proto = c->l4proto;
	r->saddr = c->saddr;
	r->daddr = c->daddr;
	r->has_oif = c->has_oif;
	if (json_is_object(v)) {
		rule_set_family(r, nft_family(json_string_value(json_object_get(v, "family"))));
		nft_addr(json_object_get(v, "addr"), r);
		nft_port(json_object_get(v, "port"), r);
		nft_flags(json_object_get(v, "flags"), r);
	}
	snprintf(r->where, sizeof(r->where), "nft %s %s %s handle %lld", jstr(rule, "family"),
		 jstr(rule, "table"), jstr(rule, "chain"),
		 (long long)json_integer_value(json_object_get(rule, "handle")));
}

static void nft_rule(const json_t *rule, struct nat_rules *out)
{
	struct nft_ctx c = {0};
	const json_t *expr;
	size_t i;

	json_array_foreach(json_object_get(rule, "expr"), i, expr)
	{
		const json_t *v;

		if ((v = json_object_get(expr, "match")) != NULL)
			nft_match(v, &c);
		else if ((v = json_object_get(expr, "masquerade")) != NULL) /* null: bare */
			nft_stmt(rule, "masquerade", v, &c, out);
		else if ((v = json_object_get(expr, "snat")) != NULL)
			nft_stmt(rule, "snat", v, &c, out);
	}
}

int nat_rules_parse_nft_json(const char *json, size_t len, struct nat_rules *out)
{
	json_error_t err;
	json_t *root = json_loadb(json, len, 0, &err);
	const json_t *arr = json_object_get(root, "nftables"), *item;
	size_t i;

	if (root == NULL || !json_is_array(arr)) {
		json_decref(root);
		return -EINVAL;
	}
	json_array_foreach(arr, i, item)
	{
		const json_t *rule = json_object_get(item, "rule");

		if (json_is_object(rule))
			nft_rule(rule, out);
	}
	json_decref(root);
	return 0;
}

/* ---- iptables-save ---- */

/* "A", "A-B", "[A]" or "[A]-[B]" (IPv6 in brackets when a port follows). */
static void ipt_addrs(char *s, uint8_t family, struct nat_rule *r)
{
	struct nat_addr_range range = {.is_set = true};
	char *dash, *a = s, *b;
	uint8_t f2 = 0;

	if (*a == '[') { /* [A] or [A]-[B] */
		char *close = strchr(a, ']');

		if (close == NULL)
			return;
		*close = '\0';
		a++;
		b = close[1] == '-' ? close + 2 : NULL;
		if (b != NULL && *b == '[') {
			b++;
			if ((close = strchr(b, ']')) != NULL)
				*close = '\0';
		}
	} else {
		dash = strchr(a, '-');
		b = dash;
		if (dash != NULL)
			*b++ = '\0';
	}
	if (*a == '\0' || parse_addr(a, range.lo, &range.family) < 0 ||
	    (family != 0 && range.family != family))
		return;
	if (b == NULL)
		memcpy(range.hi, range.lo, 16);
	else if (parse_addr(b, range.hi, &f2) < 0 || f2 != range.family)
		return;
	rule_set_addrs(r, &range);
}

static void ipt_ports(const char *s, struct nat_rule *r)
{
	char *end;
	long lo = strtol(s, &end, 10), hi = lo;

	if (end == s)
		return;
	if (*end == '-') {
		const char *p = end + 1;

		hi = strtol(p, &end, 10);
		if (end == p)
			return;
	}
	if (*end == '\0')
		rule_set_ports(r, lo, hi);
}

/* --to-source [ADDR[-ADDR]][:PORT[-PORT]]; IPv6 addresses in brackets when
 * a port follows. */
static void ipt_to_source(char *s, uint8_t family, struct nat_rule *r)
{
	char *colon = NULL;

	if (s[0] == '[') {
		char *close = strrchr(s, ']');

		if (close != NULL && close[1] == ':')
			colon = close + 1;
	} else if (family != AF_INET6 || strchr(s, '.') != NULL) {
		colon = strchr(s, ':');
	}
	if (colon != NULL) {
		*colon = '\0';
		ipt_ports(colon + 1, r);
	}
	if (s[0] != '\0')
		ipt_addrs(s, family, r);
}

/* -s/-d ADDR[/LEN] as iptables-save writes them (a negation "! -s" is
 * seen as the token before and read as no match: any address). */
static void ipt_prefix(const char *s, struct nat_addr_range *out)
{
	char addr[INET6_ADDRSTRLEN + 8];
	const char *slash = strchr(s, '/');
	size_t n = slash != NULL ? (size_t)(slash - s) : strlen(s);
	long len = -1;
	char *end;

	if (n >= sizeof(addr))
		return;
	memcpy(addr, s, n);
	addr[n] = '\0';
	if (slash != NULL) {
		len = strtol(slash + 1, &end, 10);
		if (end == slash + 1 || *end != '\0')
			return;
	} else {
		len = strchr(addr, ':') != NULL ? 128 : 32;
	}
	prefix_range(addr, len, out);
}

/* One "-A CHAIN ... -j MASQUERADE|SNAT ..." line, tokenized in place. */
static void ipt_rule(char *line, uint8_t family, unsigned lineno, struct nat_rules *out)
{
	char *tok[128], *save = NULL;
	size_t n = 0, i;
	int kind = -1;
	struct nat_rule *r;

	for (char *t = strtok_r(line, " \t", &save); t != NULL && n < 128;
	     t = strtok_r(NULL, " \t", &save))
		tok[n++] = t;
	for (i = 0; i + 1 < n; i++)
		if (strcmp(tok[i], "-j") == 0)
			kind = strcmp(tok[i + 1], "SNAT") == 0         ? NAT_RULE_SNAT
			       : strcmp(tok[i + 1], "MASQUERADE") == 0 ? NAT_RULE_MASQUERADE
								       : -1;
	if (kind < 0 || (r = rules_add(out)) == NULL)
		return;
	r->kind = (enum nat_rule_kind)kind;
	r->family = family;
	snprintf(r->where, sizeof(r->where), "%s line %u",
		 family == AF_INET6 ? "ip6tables-save" : "iptables-save", lineno);
	for (i = 0; i < n; i++) {
		const char *arg = i + 1 < n ? tok[i + 1] : NULL;

		if ((strcmp(tok[i], "-p") == 0 || strcmp(tok[i], "--protocol") == 0) && arg)
			r->l4proto = proto_of(arg);
		else if ((strcmp(tok[i], "-s") == 0 || strcmp(tok[i], "--source") == 0) && arg)
			ipt_prefix(arg, &r->saddr);
		else if ((strcmp(tok[i], "-d") == 0 || strcmp(tok[i], "--destination") == 0) && arg)
			ipt_prefix(arg, &r->daddr);
		else if ((strcmp(tok[i], "-o") == 0 || strcmp(tok[i], "--out-interface") == 0) &&
			 arg)
			r->has_oif = true;
		else if (strcmp(tok[i], "--to-ports") == 0 && arg)
			ipt_ports(arg, r);
		else if (strcmp(tok[i], "--to-source") == 0 && arg && !r->has_addr)
			ipt_to_source(tok[i + 1], family, r);
		else if (strncmp(tok[i], "--", 2) == 0)
			r->flags |= flag_of(tok[i] + 2);
	}
}

int nat_rules_parse_iptables(const char *text, size_t len, uint8_t family, struct nat_rules *out)
{
	char line[IPT_LINE_MAX];
	bool in_nat = false;
	unsigned lineno = 0;
	size_t pos = 0;

	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl != NULL ? (size_t)(nl - (text + pos)) : len - pos;

		lineno++;
		if (n < sizeof(line)) { /* longer lines cannot be ours: skipped */
			memcpy(line, text + pos, n);
			line[n] = '\0';
			if (line[0] == '*')
				in_nat = strcmp(line, "*nat") == 0;
			else if (in_nat && strncmp(line, "-A ", 3) == 0)
				ipt_rule(line, family, lineno, out);
		}
		pos += n + 1;
	}
	return 0;
}
