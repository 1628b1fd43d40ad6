/* nat_capacity.c: which NAT rule sets a key's port range, and the range the
 * kernel uses when none does. The rules come from nat_rules.c. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "nat_rules.h"

void nat_rules_default_range(uint8_t l4proto, uint16_t port, uint16_t *lo, uint16_t *hi)
{
	if (l4proto == IPPROTO_ICMP || l4proto == IPPROTO_ICMPV6) {
		*lo = 0;
		*hi = 65535;
	} else if (port < 512) {
		*lo = 1;
		*hi = 511;
	} else if (port < 1024) {
		*lo = 600;
		*hi = 1023;
	} else {
		*lo = 1024;
		*hi = 65535;
	}
}

static bool addr_in(const struct nat_rule *r, uint8_t family, const uint8_t *addr)
{
	size_t n = family == AF_INET ? 4 : 16;

	return memcmp(addr, r->addr_lo, n) >= 0 && memcmp(addr, r->addr_hi, n) <= 0;
}

static bool range_holds(const struct nat_addr_range *m, uint8_t family, const uint8_t *addr)
{
	size_t n = family == AF_INET ? 4 : 16;

	if (!m->is_set)
		return true;
	return m->family == family && memcmp(addr, m->lo, n) >= 0 && memcmp(addr, m->hi, n) <= 0;
}

/* 2: an snat rule whose addresses hold the NAT address; 1: a rule for any
 * address (masquerade, or snat to addresses we could not read); 0: not this
 * key (family, protocol, daddr, or the known client's saddr do not fit). */
static int rule_rank(const struct nat_rule *r, const struct nat_rules_key *k)
{
	if (r->family != 0 && r->family != k->family)
		return 0;
	if (r->l4proto != 0 && r->l4proto != k->l4proto)
		return 0;
	if (k->dst != NULL && !range_holds(&r->daddr, k->family, k->dst))
		return 0;
	if (k->client != NULL && !range_holds(&r->saddr, k->family, k->client))
		return 0;
	if (r->kind == NAT_RULE_SNAT && r->has_addr)
		return addr_in(r, k->family, k->nat_addr) ? 2 : 0;
	return 1;
}

static void rule_range(const struct nat_rule *r, uint8_t l4proto, uint16_t port, uint16_t *lo,
		       uint16_t *hi)
{
	if (r->has_ports) {
		*lo = r->port_lo;
		*hi = r->port_hi;
	} else {
		nat_rules_default_range(l4proto, port, lo, hi);
	}
}

void nat_rules_capacity(const struct nat_rules *rules, const struct nat_rules_key *key,
			uint16_t port, struct nat_capacity *out)
{
	struct nat_capacity c = {.src = NAT_CAP_DEFAULT};
	int best = 0;

	nat_rules_default_range(key->l4proto, port, &c.port_lo, &c.port_hi);
	for (size_t i = 0; rules != NULL && i < rules->n; i++) {
		const struct nat_rule *r = &rules->rule[i];
		int rank = rule_rank(r, key);
		uint16_t lo, hi;

		if (rank == 0 || rank < best)
			continue;
		if (rank > best)
			c.n_candidates = 0;
		c.n_candidates++;
		rule_range(r, key->l4proto, port, &lo, &hi);
		if (rank > best || hi - lo < c.port_hi - c.port_lo || c.rule == NULL) {
			c.port_lo = lo;
			c.port_hi = hi;
			c.rule = r;
			c.src = r->has_ports ? NAT_CAP_RULE : NAT_CAP_RULE_NONE;
		}
		best = rank;
	}
	*out = c;
}

uint32_t nat_rule_addr_count(const struct nat_rule *r)
{
	uint32_t lo, hi;

	if (r->kind == NAT_RULE_MASQUERADE)
		return 1;
	if (!r->has_addr)
		return 0;
	/* IPv4, or IPv6 whose range lies in its low 32 bits */
	if (r->family != AF_INET && memcmp(r->addr_lo, r->addr_hi, 12) != 0)
		return 65536;
	memcpy(&lo, r->addr_lo + (r->family == AF_INET ? 0 : 12), 4);
	memcpy(&hi, r->addr_hi + (r->family == AF_INET ? 0 : 12), 4);
	lo = ntohl(lo);
	hi = ntohl(hi);
	return hi - lo >= 65535 ? 65536 : hi - lo + 1;
}
