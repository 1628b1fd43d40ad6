/* nat_fixture.h: the NAT tests' entry and rule builders, shared by the
 * aggregation, decoder and recorded-lab tests. Include after <cmocka.h>. */
#ifndef CTADVISOR_TEST_NAT_FIXTURE_H
#define CTADVISOR_TEST_NAT_FIXTURE_H

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "../../analysis/nat.h"

#define SRC_NAT (1u << 4)
#define TCP_EST 3
#define TCP_TW  7

static inline void ip4(uint8_t *out, const char *s)
{
	memset(out, 0, 16);
	assert_int_equal(inet_pton(AF_INET, s, out), 1);
}

static inline struct nat_entry mk(const char *client, const char *nat, const char *dst,
				  uint16_t dport, uint16_t nat_port, uint32_t status, int tcp_state)
{
	struct nat_entry e = {.family = AF_INET,
			      .proto = IPPROTO_TCP,
			      .status = status,
			      .tcp_state = tcp_state,
			      .has_ports = true,
			      .dport = dport,
			      .nat_port = nat_port};

	ip4(e.client, client);
	ip4(e.nat_addr, nat);
	ip4(e.dst, dst);
	return e;
}

static inline void add_n(struct nat_agg *agg, struct nat_entry e, int n, int tcp_state)
{
	for (int i = 0; i < n; i++) {
		e.nat_port = (uint16_t)(e.nat_port + 1);
		e.tcp_state = tcp_state;
		nat_agg_add(agg, &e);
	}
}

static inline const struct nat_row *row_of(const struct nat_report *r, const char *dst,
					   uint16_t dport, const char *nat)
{
	uint8_t d[16], n[16];

	ip4(d, dst);
	ip4(n, nat);
	for (size_t i = 0; i < r->n_rows; i++)
		if (memcmp(r->rows[i].dst, d, 16) == 0 && r->rows[i].dport == dport &&
		    memcmp(r->rows[i].nat_addr, n, 16) == 0)
			return &r->rows[i];
	return NULL;
}

/* A 10-port masquerade range, as in the integration lab. */
static inline void masq_rules(struct nat_rules *rules)
{
	memset(rules, 0, sizeof(*rules));
	rules->n = 1;
	rules->rule[0] = (struct nat_rule){.kind = NAT_RULE_MASQUERADE,
					   .family = AF_INET,
					   .has_ports = true,
					   .port_lo = 40000,
					   .port_hi = 40009};
}

#endif
