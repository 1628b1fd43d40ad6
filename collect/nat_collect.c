/* nat_collect.c: the NAT rules of the running ruleset and the NAT
 * addresses of this namespace, for `nat` and `check`. The tools run as
 * children, so they see the network namespace the calling thread is in. */
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fileio.h"
#include "nat_collect.h"

static void rules_from_text(const char *text, size_t len, uint8_t ipt_family,
			    struct nat_rules *rules)
{
	size_t i = 0;

	while (i < len && (text[i] == ' ' || text[i] == '\n' || text[i] == '\t'))
		i++;
	if (i < len && text[i] == '{')
		(void)nat_rules_parse_nft_json(text, len, rules);
	else
		(void)nat_rules_parse_iptables(text, len, ipt_family, rules);
}

/* One command's output into the rules; true when it ran. */
static bool rules_from_cmd(const char *const argv[], uint8_t family, struct nat_rules *rules)
{
	char *text;
	size_t len;

	if (fileio_run_capture(argv, &text, &len) < 0)
		return false;
	rules_from_text(text, len, family, rules);
	free(text);
	return true;
}

int nat_collect_rules(const char *file, struct nat_rules *rules, const char **src)
{
	static const char *const nft[] = {"nft", "-j", "list", "ruleset", NULL};
	static const char *const ipt4[] = {"iptables-save", "-t", "nat", NULL};
	static const char *const ipt6[] = {"ip6tables-save", "-t", "nat", NULL};
	char *text;
	size_t len;
	int rc;
	bool has_nft, has_ipt;

	if (file != NULL) {
		rc = fileio_read_all(file, &text, &len);
		if (rc < 0)
			return rc;
		rules_from_text(text, len, AF_INET, rules);
		free(text);
		*src = "file";
		return 0;
	}
	has_nft = rules_from_cmd(nft, 0, rules);
	has_ipt = rules_from_cmd(ipt4, AF_INET, rules);
	has_ipt = rules_from_cmd(ipt6, AF_INET6, rules) || has_ipt;
	*src = has_nft && has_ipt ? "nft+iptables-save"
	       : has_nft          ? "nft"
	       : has_ipt          ? "iptables-save"
				  : "none";
	return 0;
}

bool nat_collect_needs_local(const struct nat_rules *rules, const char *src)
{
	if (strcmp(src, "none") == 0)
		return true;
	for (size_t i = 0; i < rules->n; i++)
		if (rules->rule[i].kind == NAT_RULE_MASQUERADE)
			return true;
	return false;
}

static void seed_local(struct nat_agg *agg)
{
	struct ifaddrs *ifa = NULL;

	if (getifaddrs(&ifa) < 0)
		return;
	for (const struct ifaddrs *i = ifa; i != NULL; i = i->ifa_next) {
		const struct sockaddr *sa = i->ifa_addr;

		if (sa != NULL && sa->sa_family == AF_INET)
			nat_agg_add_addr(
			    agg, AF_INET,
			    (const uint8_t *)&((const struct sockaddr_in *)(const void *)sa)
				->sin_addr);
		else if (sa != NULL && sa->sa_family == AF_INET6)
			nat_agg_add_addr(
			    agg, AF_INET6,
			    ((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr.s6_addr);
	}
	freeifaddrs(ifa);
}

void nat_collect_seed(struct nat_agg *agg, const struct nat_rules *rules, bool local)
{
	if (local)
		seed_local(agg);
	for (size_t i = 0; i < rules->n; i++) {
		const struct nat_rule *r = &rules->rule[i];

		if (r->has_addr && r->family != 0) {
			nat_agg_add_addr(agg, r->family, r->addr_lo);
			nat_agg_add_addr(agg, r->family, r->addr_hi);
		}
	}
}
