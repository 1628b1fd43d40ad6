/* flush_nl.c: the kernel side of flush: dump the table, count or collect
 * the matches, delete them. Deleting while the same dump is running would
 * disturb it (the kernel resumes a dump from the last entry it sent), so a
 * round dumps to the end while collecting at most FLUSH_BATCH matches, then
 * deletes them on a second socket; a round that filled its batch is
 * followed by another. Each delete names the entry's original tuple exactly
 * as dumped plus its id, so an entry that died and was recreated with the
 * same tuple meanwhile is left alone (ENOENT: counted as vanished). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include "flush.h"

#define FLUSH_BUF_SIZE  ((size_t)64 * 1024)
#define FLUSH_TIMEOUT_S 5
#define FLUSH_ACK_SIZE  8192 /* an ack, or an error echoing our request */

struct flush_dump {
	struct mnl_socket *nl;
	unsigned portid, seq;
	char *buf;
	const struct flush_filter *filter;
	struct flush_scan *scan;   /* counting, or NULL */
	struct flush_entry *batch; /* collecting, or NULL */
	size_t n_batch, cap_batch;
	bool is_full;
};

static void dump_close(struct flush_dump *d)
{
	if (d->nl != NULL)
		mnl_socket_close(d->nl);
	d->nl = NULL;
	free(d->buf);
	d->buf = NULL;
}

static int sock_open(struct mnl_socket **out, unsigned *portid)
{
	struct timeval tv = {.tv_sec = FLUSH_TIMEOUT_S};
	struct mnl_socket *nl = mnl_socket_open(NETLINK_NETFILTER);
	int rc;

	if (nl == NULL)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		rc = -errno;
		mnl_socket_close(nl);
		return rc;
	}
	setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	*portid = mnl_socket_get_portid(nl);
	*out = nl;
	return 0;
}

static struct nlmsghdr *put_request(char *buf, uint8_t type, uint16_t flags, unsigned seq,
				    uint8_t family)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;

	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = seq;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = family;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = 0;
	return nlh;
}

static int dump_start(struct flush_dump *d)
{
	struct nlmsghdr *nlh;
	int rc;

	d->buf = malloc(FLUSH_BUF_SIZE);
	if (d->buf == NULL)
		return -ENOMEM;
	rc = sock_open(&d->nl, &d->portid);
	if (rc < 0)
		return rc;
	d->seq = (unsigned)time(NULL);
	nlh = put_request(d->buf, IPCTNL_MSG_CT_GET, NLM_F_DUMP, d->seq, AF_UNSPEC);
	if (mnl_socket_sendto(d->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	return 0;
}

static void scan_add(struct flush_scan *s, const struct flush_entry *e)
{
	s->matched++;
	if (flush_entry_is_established_tcp(e))
		s->established_tcp++;
	if (s->n_examples < FLUSH_EXAMPLES)
		flush_entry_format(e, s->examples[s->n_examples++], FLUSH_LINE_LEN);
}

static int dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct flush_dump *d = data;
	struct flush_entry e;

	if (d->scan != NULL)
		d->scan->entries++;
	if (flush_decode(nlh, &e) < 0) {
		if (d->scan != NULL)
			d->scan->bad++;
		return MNL_CB_OK;
	}
	if (!flush_filter_match(d->filter, &e))
		return MNL_CB_OK;
	if (d->scan != NULL)
		scan_add(d->scan, &e);
	if (d->batch != NULL) {
		if (d->n_batch < d->cap_batch)
			d->batch[d->n_batch++] = e;
		else
			d->is_full = true;
	}
	return MNL_CB_OK;
}

/* NLM_F_DUMP_INTR makes mnl_cb_run() stop; clear it (noting it) so the dump
 * is drained to its end, as collect_walk.c does. */
static bool clear_intr(void *buf, size_t len)
{
	struct nlmsghdr *nlh = buf;
	int left = (int)len;
	bool seen = false;

	while (mnl_nlmsg_ok(nlh, left)) {
		if (nlh->nlmsg_flags & NLM_F_DUMP_INTR) {
			seen = true;
			nlh->nlmsg_flags &= (uint16_t)~NLM_F_DUMP_INTR;
		}
		nlh = mnl_nlmsg_next(nlh, &left);
	}
	return seen;
}

static int dump_loop(struct flush_dump *d)
{
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(d->nl, d->buf, FLUSH_BUF_SIZE);
		int ret;

		if (n < 0) {
			if (errno == EINTR || errno == ENOBUFS) {
				/* Lost messages: the next round finds what was missed. */
				if (d->scan != NULL)
					d->scan->is_interrupted = true;
				continue;
			}
			return errno == EAGAIN || errno == EWOULDBLOCK ? -ETIMEDOUT : -errno;
		}
		if (clear_intr(d->buf, (size_t)n) && d->scan != NULL)
			d->scan->is_interrupted = true;
		ret = mnl_cb_run(d->buf, (size_t)n, d->seq, d->portid, dump_cb, d);
		if (ret == MNL_CB_STOP)
			return 0;
		if (ret < 0)
			return -errno;
	}
}

static int dump_run(struct flush_dump *d)
{
	int rc = dump_start(d);

	if (rc == 0)
		rc = dump_loop(d);
	dump_close(d);
	return rc;
}

int flush_scan_table(const struct flush_filter *f, struct flush_scan *out)
{
	struct flush_scan s;
	struct flush_dump d = {.filter = f, .scan = &s};
	int rc;

	memset(&s, 0, sizeof(s));
	rc = dump_run(&d);
	if (rc < 0)
		return rc;
	*out = s;
	return 0;
}

/* One delete request, answered by an ack: 0, -ENOENT gone, or -errno. */
static int delete_one(struct mnl_socket *nl, unsigned portid, unsigned seq, char *buf,
		      const struct flush_entry *e)
{
	struct nlmsghdr *nlh = put_request(buf, IPCTNL_MSG_CT_DELETE, NLM_F_ACK, seq, e->family);
	ssize_t n;
	int ret;

	memcpy(mnl_nlmsg_get_payload_tail(nlh), e->tuple, e->tuple_len);
	nlh->nlmsg_len += MNL_ALIGN(e->tuple_len);
	if (e->zone != 0)
		mnl_attr_put_u16(nlh, CTA_ZONE, htons(e->zone));
	if (e->has_id)
		mnl_attr_put_u32(nlh, CTA_ID, htonl(e->id));
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	n = mnl_socket_recvfrom(nl, buf, FLUSH_ACK_SIZE);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? -ETIMEDOUT : -errno;
	ret = mnl_cb_run(buf, (size_t)n, seq, portid, NULL, NULL);
	return ret < 0 ? -errno : 0;
}

static int delete_batch(const struct flush_entry *batch, size_t n, struct flush_result *r)
{
	char buf[FLUSH_ACK_SIZE];
	struct mnl_socket *nl = NULL;
	unsigned portid = 0, seq = (unsigned)time(NULL);
	int rc = sock_open(&nl, &portid);

	if (rc < 0)
		return rc;
	for (size_t i = 0; i < n; i++) {
		rc = delete_one(nl, portid, ++seq, buf, &batch[i]);
		if (rc == 0) {
			r->deleted++;
		} else if (rc == -ENOENT) {
			r->vanished++;
		} else {
			r->failed++;
			if (r->first_err == 0)
				r->first_err = rc;
		}
	}
	mnl_socket_close(nl);
	return 0;
}

int flush_delete_matches(const struct flush_filter *f, unsigned max_rounds,
			 struct flush_result *out)
{
	struct flush_result r = {0};
	struct flush_dump d = {.filter = f, .cap_batch = FLUSH_BATCH};
	int rc = 0;

	d.batch = malloc(FLUSH_BATCH * sizeof(*d.batch));
	if (d.batch == NULL)
		return -ENOMEM;
	while (r.rounds < max_rounds) {
		uint64_t before = r.deleted + r.vanished;

		d.n_batch = 0;
		d.is_full = false;
		rc = dump_run(&d);
		if (rc < 0)
			break;
		r.rounds++;
		rc = delete_batch(d.batch, d.n_batch, &r);
		/* A round that deleted nothing would repeat itself forever. */
		if (rc < 0 || !d.is_full || r.deleted + r.vanished == before)
			break;
	}
	free(d.batch);
	if (rc < 0)
		return rc;
	*out = r;
	return 0;
}
