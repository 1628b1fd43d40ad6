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

#define CMD_OUT_MAX ((size_t)16 * 1024 * 1024)

/* Run argv[0] (searched in PATH) and capture its stdout, stderr to
 * /dev/null. -ENOENT when it is not installed or exits non-zero. */
static int run_capture(const char *const argv[], char **text, size_t *len)
{
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap);
	int fds[2], status = 0;
	pid_t pid;

	if (buf == NULL || pipe2(fds, O_CLOEXEC) < 0) {
		free(buf);
		return -ENOMEM;
	}
	pid = fork();
	if (pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);

		char store[8][32], *args[9] = {NULL};

		/* execvp() wants mutable strings; ours are literals. */
		for (size_t i = 0; i < 8 && argv[i] != NULL; i++) {
			snprintf(store[i], sizeof(store[i]), "%s", argv[i]);
			args[i] = store[i];
		}
		dup2(fds[1], STDOUT_FILENO);
		if (devnull >= 0)
			dup2(devnull, STDERR_FILENO);
		execvp(args[0], args);
		_exit(127);
	}
	close(fds[1]);
	for (ssize_t r = 1; pid > 0 && r > 0;) {
		if (n + 1 == cap && cap < CMD_OUT_MAX) {
			char *nb = realloc(buf, cap * 2);

			if (nb == NULL)
				break;
			buf = nb;
			cap *= 2;
		}
		r = read(fds[0], buf + n, cap - n - 1);
		if (r > 0)
			n += (size_t)r;
		else if (r < 0 && errno == EINTR)
			r = 1;
	}
	close(fds[0]);
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0) {
		free(buf);
		return -ENOENT;
	}
	buf[n] = '\0';
	*text = buf;
	*len = n;
	return 0;
}

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

	if (run_capture(argv, &text, &len) < 0)
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
