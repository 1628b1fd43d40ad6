/* seed_shim.c: records the inputs the unit tests hand to a parser as fuzz
 * seeds. seed.sh compiles a unit test with -D<fn>=seed_<fn> and links this
 * file (built with -DSEED_<FN>), whose seed_<fn>() writes the input in the
 * harness's format to $SEED_OUT, then calls the real function. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/netlink.h>

static void seed_write(const void *a, size_t alen, const void *b, size_t blen)
{
	const char *dir = getenv("SEED_OUT");
	uint64_t h = 1469598103934665603ull;
	char path[4096];
	FILE *f;

	for (size_t i = 0; i < alen; i++)
		h = (h ^ ((const uint8_t *)a)[i]) * 1099511628211ull;
	for (size_t i = 0; i < blen; i++)
		h = (h ^ ((const uint8_t *)b)[i]) * 1099511628211ull;
	snprintf(path, sizeof(path), "%s/seed-%016llx", dir ? dir : ".", (unsigned long long)h);
	f = fopen(path, "wb");
	if (f == NULL)
		return;
	if (alen)
		fwrite(a, 1, alen, f);
	if (blen)
		fwrite(b, 1, blen, f);
	fclose(f);
}

#ifdef SEED_LOGPARSE_LINE
#include "../../logparse/logparse.h"
int seed_logparse_line(const char *line, size_t len, struct logparse_event *ev);
int seed_logparse_line(const char *line, size_t len, struct logparse_event *ev)
{
	if (line != NULL)
		seed_write(line, len, NULL, 0);
	return logparse_line(line, len, ev);
}
#endif

#ifdef SEED_LOGPARSE_NFLOG
#include "../../logparse/logparse.h"
int seed_logparse_nflog(const char *prefix, size_t prefix_len, const uint8_t *payload,
			size_t payload_len, uint8_t family, struct logparse_event *ev);
int seed_logparse_nflog(const char *prefix, size_t prefix_len, const uint8_t *payload,
			size_t payload_len, uint8_t family, struct logparse_event *ev)
{
	uint8_t hdr[2 + 255];

	if (prefix_len <= 255 && (prefix || !prefix_len) && (payload || !payload_len)) {
		hdr[0] = (uint8_t)prefix_len;
		hdr[1] = family == AF_INET    ? 0
			 : family == AF_INET6 ? 1
					      : (uint8_t)(family << 2 | 2);
		if (prefix_len)
			memcpy(hdr + 2, prefix, prefix_len);
		seed_write(hdr, 2 + prefix_len, payload, payload_len);
	}
	return logparse_nflog(prefix, prefix_len, payload, payload_len, family, ev);
}
#endif

#ifdef SEED_NL_CT
#include "../../nl/nl_ct.h"
int seed_nl_ct_decode(const struct nlmsghdr *nlh, struct walk_entry *e);
int seed_nl_ct_decode(const struct nlmsghdr *nlh, struct walk_entry *e)
{
	if (nlh->nlmsg_len >= sizeof(*nlh))
		seed_write(nlh, nlh->nlmsg_len, NULL, 0);
	return nl_ct_decode(nlh, e);
}
int seed_nl_ct_decode_nat(const struct nlmsghdr *nlh, struct nat_entry *e);
int seed_nl_ct_decode_nat(const struct nlmsghdr *nlh, struct nat_entry *e)
{
	if (nlh->nlmsg_len >= sizeof(*nlh))
		seed_write(nlh, nlh->nlmsg_len, NULL, 0);
	return nl_ct_decode_nat(nlh, e);
}
#endif

#ifdef SEED_NL_STATS
#include "../../nl/nl_stats.h"
int seed_nl_stats_decode_global(const struct nlmsghdr *nlh, struct nl_stats_global *out);
int seed_nl_stats_decode_cpu(const struct nlmsghdr *nlh, struct snap_cpu_stats *out);
int seed_nl_stats_decode_global(const struct nlmsghdr *nlh, struct nl_stats_global *out)
{
	if (nlh->nlmsg_len >= sizeof(*nlh))
		seed_write(nlh, nlh->nlmsg_len, NULL, 0);
	return nl_stats_decode_global(nlh, out);
}
int seed_nl_stats_decode_cpu(const struct nlmsghdr *nlh, struct snap_cpu_stats *out)
{
	if (nlh->nlmsg_len >= sizeof(*nlh))
		seed_write(nlh, nlh->nlmsg_len, NULL, 0);
	return nl_stats_decode_cpu(nlh, out);
}
#endif

#ifdef SEED_PROCSTAT
#include "../../collect/procstat.h"
int seed_procstat_parse(const char *text, size_t len, struct snap_cpu_stats **cpus, size_t *n,
			uint64_t *entries);
int seed_procstat_parse(const char *text, size_t len, struct snap_cpu_stats **cpus, size_t *n,
			uint64_t *entries)
{
	seed_write(text, len, NULL, 0);
	return procstat_parse(text, len, cpus, n, entries);
}
#endif

#ifdef SEED_SYSCTL
#include "../../sysctl/sysctl.h"
int seed_sysctl_parse_i64(const char *s, size_t len, int64_t *out);
int seed_sysctl_parse_i64(const char *s, size_t len, int64_t *out)
{
	seed_write(s, len, NULL, 0);
	return sysctl_parse_i64(s, len, out);
}
#endif

#ifdef SEED_CLI
#include "../../cli/cli.h"
#define SEED_CLI_WRAP(fn, type)                                                                    \
	int seed_##fn(const char *s, type *out);                                                   \
	int seed_##fn(const char *s, type *out)                                                    \
	{                                                                                          \
		if (s != NULL)                                                                     \
			seed_write(s, strlen(s), NULL, 0);                                         \
		return fn(s, out);                                                                 \
	}
SEED_CLI_WRAP(cli_parse_pct, double)
SEED_CLI_WRAP(cli_parse_u64, uint64_t)
SEED_CLI_WRAP(cli_parse_format, enum cli_format)
SEED_CLI_WRAP(cli_parse_duration_ms, uint64_t)
SEED_CLI_WRAP(cli_parse_log_proto, unsigned)
SEED_CLI_WRAP(cli_parse_color, enum cli_color)
#endif

#ifdef SEED_CLI
#include "../../analysis/range.h"
#include "../../cli/size.h"
int seed_cli_parse_size(const char *s, uint64_t *bytes);
int seed_cli_parse_size(const char *s, uint64_t *bytes)
{
	if (s != NULL)
		seed_write(s, strlen(s), NULL, 0);
	return cli_parse_size(s, bytes);
}
int seed_range_parse(const char *s, struct range *out);
int seed_range_parse(const char *s, struct range *out)
{
	if (s != NULL)
		seed_write(s, strlen(s), NULL, 0);
	return range_parse(s, out);
}
#endif

#ifdef SEED_NL_NFLOG
#include "../../nl/nl_nflog.h"
int seed_nl_nflog_decode(const struct nlmsghdr *nlh, struct nl_nflog_msg *out);
int seed_nl_nflog_decode(const struct nlmsghdr *nlh, struct nl_nflog_msg *out)
{
	if (nlh->nlmsg_len >= sizeof(*nlh))
		seed_write(nlh, nlh->nlmsg_len, NULL, 0);
	return nl_nflog_decode(nlh, out);
}
#endif

#ifdef SEED_FLUSH
#include "../../nl/flush_nl.h"
int seed_flush_decode(const struct nlmsghdr *nlh, struct flush_entry *e);
int seed_flush_decode(const struct nlmsghdr *nlh, struct flush_entry *e)
{
	if (nlh->nlmsg_len >= sizeof(*nlh))
		seed_write(nlh, nlh->nlmsg_len, NULL, 0);
	return flush_decode(nlh, e);
}
#endif

#ifdef SEED_UNDO
#include "../../sysctl/undo.h"
int seed_undo_load(const char *path, struct undo_record **out, struct undo_error *err);
int seed_undo_load(const char *path, struct undo_record **out, struct undo_error *err)
{
	FILE *f = fopen(path, "rb");

	if (f != NULL) {
		static char buf[1 << 16];
		size_t n = fread(buf, 1, sizeof(buf), f);

		if (n < sizeof(buf))
			seed_write(buf, n, NULL, 0);
		fclose(f);
	}
	return undo_load(path, out, err);
}
#endif
