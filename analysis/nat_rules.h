/* nat_rules.h: the source NAT rules of a ruleset, reduced to what sets the
 * number of ports a NAT address has toward one destination: the address
 * range, the port range and the flags. Parsed from `nft -j list ruleset`
 * (jansson) and from `iptables-save` / `ip6tables-save` text. Pure: no I/O;
 * inputs are (ptr, len), need not be NUL-terminated and are not retained.
 * Rules are matched to conntrack keys by family, protocol, NAT address and
 * the rule's own source/destination address matches (ip saddr/daddr, -s/-d);
 * an output-interface match is recorded but cannot be evaluated (conntrack
 * does not keep the interface), and other matches are not read. */
#ifndef CTADVISOR_NAT_RULES_H
#define CTADVISOR_NAT_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NAT_RULES_MAX  64
#define NAT_RULE_WHERE 96

enum nat_rule_kind {
	NAT_RULE_MASQUERADE,
	NAT_RULE_SNAT,
};

/* NF_NAT_RANGE_* flags as the rule spells them. */
#define NAT_RULE_F_RANDOM       (1u << 0)
#define NAT_RULE_F_RANDOM_FULLY (1u << 1)
#define NAT_RULE_F_PERSISTENT   (1u << 2)

/* An address match of a rule: [lo, hi] in network order. */
struct nat_addr_range {
	bool is_set; /* false: any address */
	uint8_t family;
	uint8_t lo[16], hi[16];
};

struct nat_rule {
	enum nat_rule_kind kind;
	uint8_t family;  /* AF_INET, AF_INET6, or 0 when the rule does not say */
	uint8_t l4proto; /* 0: any protocol */
	bool has_addr;   /* snat: [addr_lo, addr_hi] in network order */
	uint8_t addr_lo[16], addr_hi[16];
	bool has_ports; /* [port_lo, port_hi], host order */
	uint16_t port_lo, port_hi;
	uint32_t flags;                     /* NAT_RULE_F_* */
	struct nat_addr_range saddr, daddr; /* original source / destination matches */
	bool has_oif;                       /* matches oifname / -o: not evaluated */
	char where[NAT_RULE_WHERE];         /* "nft ip t post handle 3", "iptables-save line 12" */
};

struct nat_rules {
	struct nat_rule rule[NAT_RULES_MAX];
	size_t n;
	size_t n_dropped; /* rules beyond NAT_RULES_MAX */
};

/* Append the masquerade/snat rules of one `nft -j list ruleset` output.
 * -EINVAL: not JSON or no "nftables" array (nothing appended); statements it
 * cannot read are skipped. -ENOMEM. */
int nat_rules_parse_nft_json(const char *json, size_t len, struct nat_rules *out);

/* Append the MASQUERADE/SNAT rules of the *nat table of `iptables-save`
 * (family AF_INET) or `ip6tables-save` (AF_INET6) text. Always 0: lines it
 * does not understand are skipped. */
int nat_rules_parse_iptables(const char *text, size_t len, uint8_t family, struct nat_rules *out);

/* The kernel's port range when a rule gives none
 * (nf_nat_l4proto_unique_tuple): ports below 512 map into 1-511, 512-1023
 * into 600-1023, the rest into 1024-65535; ICMP ids into 0-65535. port is
 * the original source port (or the NAT port: both are in one class). */
void nat_rules_default_range(uint8_t l4proto, uint16_t port, uint16_t *lo, uint16_t *hi);

/* Where a key's capacity came from. */
enum nat_cap_src {
	NAT_CAP_DEFAULT,   /* no rule matched: the kernel's default range */
	NAT_CAP_RULE,      /* a rule with a port range */
	NAT_CAP_RULE_NONE, /* a rule without a port range: default range */
};

struct nat_capacity {
	enum nat_cap_src src;
	uint16_t port_lo, port_hi;
	const struct nat_rule *rule; /* borrowed from the nat_rules; NULL for DEFAULT */
	size_t n_candidates;         /* rules that could apply; > 1: the smallest range wins */
};

/* What a key is: where its flows go and from where (the flows it was
 * built from: a client seen, NULL when none is known). */
struct nat_rules_key {
	uint8_t family, l4proto;
	const uint8_t *nat_addr; /* the NAT address */
	const uint8_t *dst;      /* the destination (original daddr) */
	const uint8_t *client;   /* an original source of the key, or NULL */
};

/* The port range that rules give the key's NAT address for a key whose NAT
 * ports lie in the class of port. A rule applies when its family, protocol,
 * daddr match (the key's destination) and saddr match (the client, when one
 * is known) allow it; snat rules whose address range holds the NAT address
 * win over masquerade rules; among several candidates the smallest range is
 * taken, since it saturates first. Always succeeds. */
void nat_rules_capacity(const struct nat_rules *rules, const struct nat_rules_key *key,
			uint16_t port, struct nat_capacity *out);

/* Addresses an snat rule may map to (its address range, at most 65536
 * counted); 1 for masquerade (the interface's primary address); 0 when the
 * rule's addresses could not be read. */
uint32_t nat_rule_addr_count(const struct nat_rule *r);

/* "masquerade" / "snat". */
const char *nat_rule_kind_name(enum nat_rule_kind kind);

#endif
