/* seed_nl.c: netlink seeds made from what the unit tests record for other
 * targets, in the form the kernel sends them.
 *   seed_nl events OUTDIR FILE...  each ctnetlink dump message FILE (the
 *     nl_ct recordings) becomes FILE.new, a NEW event (NLM_F_CREATE|EXCL),
 *     and FILE.destroy, a DESTROY event with a CTA_TIMESTAMP nest appended
 *     (as with nf_conntrack_timestamp=1), for fuzz_nl_events;
 *   seed_nl nflog OUTDIR FILE...   each fuzz_logparse_nflog input FILE
 *     (prefix length, family, prefix, L3 payload) becomes FILE.nflog, an
 *     NFULNL_MSG_PACKET with NFULA_PREFIX, PAYLOAD, IFINDEX_INDEV and SEQ,
 *     for fuzz_nl_nflog. */
#include <arpa/inet.h>
#include <endian.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/netfilter/nfnetlink_log.h>

static char buf[1 << 17];
static uint8_t in[1 << 16];

static void put(const char *dir, const char *file, const char *suffix, size_t len)
{
	const char *base = strrchr(file, '/');
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.%s", dir, base ? base + 1 : file, suffix);
	f = fopen(path, "wb");
	if (f == NULL)
		return;
	fwrite(buf, 1, len, f);
	fclose(f);
}

static size_t slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	if (f == NULL)
		return 0;
	n = fread(in, 1, sizeof(in), f);
	fclose(f);
	return n;
}

static void event(const char *dir, const char *file)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	struct nlattr *nest;
	size_t n = slurp(file);

	if (n < sizeof(*nlh) + sizeof(struct nfgenmsg) || n > sizeof(buf) / 2)
		return;
	memcpy(buf, in, n);
	if (nlh->nlmsg_len != n || n % 4 != 0)
		return;
	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_NEW;
	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	put(dir, file, "new", nlh->nlmsg_len);
	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_DELETE;
	nlh->nlmsg_flags = 0;
	nest = mnl_attr_nest_start(nlh, CTA_TIMESTAMP);
	mnl_attr_put_u64(nlh, CTA_TIMESTAMP_START, htobe64(1700000000000000000ull));
	mnl_attr_put_u64(nlh, CTA_TIMESTAMP_STOP, htobe64(1700000012500000000ull));
	mnl_attr_nest_end(nlh, nest);
	put(dir, file, "destroy", nlh->nlmsg_len);
}

static void nflog(const char *dir, const char *file, uint32_t seq)
{
	size_t n = slurp(file), plen;
	struct nlmsghdr *nlh;
	struct nfgenmsg *nfg;
	char prefix[256];

	if (n < 2 || (size_t)in[0] > n - 2)
		return;
	plen = in[0];
	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = (NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_PACKET;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = (in[1] & 3) == 1 ? AF_INET6 : AF_INET;
	nfg->version = NFNETLINK_V0;
	memcpy(prefix, in + 2, plen);
	prefix[plen] = '\0';
	mnl_attr_put_strz(nlh, NFULA_PREFIX, prefix); /* the kernel's NUL included */
	mnl_attr_put_u32(nlh, NFULA_IFINDEX_INDEV, htonl(2));
	mnl_attr_put_u32(nlh, NFULA_SEQ, htonl(seq));
	mnl_attr_put(nlh, NFULA_PAYLOAD, n - 2 - plen, in + 2 + plen);
	put(dir, file, "nflog", nlh->nlmsg_len);
}

int main(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	for (int i = 3; i < argc; i++) {
		if (strcmp(argv[1], "events") == 0)
			event(argv[2], argv[i]);
		else
			nflog(argv[2], argv[i], (uint32_t)i);
	}
	return 0;
}
