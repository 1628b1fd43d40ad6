/* flush_nl.c: the kernel side of flush: dump the table, count or collect
 * the matches, delete them. Deleting while the same dump is running would
 * disturb it (the kernel resumes a dump from the last entry it sent), so a
 * round dumps to the end while collecting at most FLUSH_BATCH matches, then
 * deletes them on a second socket; a round that filled its batch is
 * followed by another.
 *
 * The delete requests are built by libnetfilter_conntrack: each match is
 * parsed (nfct_nlmsg_parse) and its original tuple and zone copied into a
 * request object that nfct_nlmsg_build writes as IPCTNL_MSG_CT_DELETE. The
 * entry's id is appended (libnetfilter_conntrack does not build CTA_ID), so
 * an entry that died and was recreated with the same tuple meanwhile is
 * left alone (ENOENT: counted as vanished). A protocol it cannot build a
 * tuple for (one without ports, ICMP or GRE keys) is deleted by the tuple
 * as dumped. The table walk decodes for itself (nl_ct.c); only matches pay
 * for libnetfilter_conntrack's parse.
 *
 * Requests go DEL_PER_SEND to a sendmsg(). The kernel answers a failed one
 * with an NLMSG_ERROR (matched to it by sequence number: ENOENT is
 * vanished, anything else failed) and the last one, sent with NLM_F_ACK,
 * with an ack that comes after every earlier answer; so deleted, vanished
 * and failed are counted exactly with one receive per send, not one per
 * entry. NETLINK_CAP_ACK keeps answers short (no request echoed) and the
 * receive buffer holds a whole send's answers; should answers still be
 * lost (ENOBUFS) or not come, the requests left unanswered count as failed.
 *
 * At delete time each match is checked again against the refusal predicate
 * (flush_entry_is_established_tcp) when the caller asks to spare those
 * entries: a TCP flow established after the counting pass is left alone. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include "flush_nl.h"
#include "nl_sock.h"

#define FLUSH_BUF_SIZE ((size_t)64 * 1024)
#define DEL_PER_SEND   256  /* delete requests per sendmsg() */
#define DEL_MSG_ROOM   256  /* bytes one request may take (at most ~230) */
#define DEL_ACK_COST   1024 /* receive-buffer bytes one queued ack takes (skb truesize) */
#define DEL_RCVBUF     (4 * 1024 * 1024)

/* One match to delete, kept small (a batch holds FLUSH_BATCH of them):
 * libnetfilter_conntrack's request object, or when it could not be made
 * the tuple as dumped (malloc'd); and the id, family, zone. */
struct flush_victim {
	struct nf_conntrack *req;
	uint8_t *tuple;
	uint16_t tuple_len, zone;
	uint32_t id;
	uint8_t family;
	bool has_id;
};

struct flush_dump {
	struct nl_sock sock;
	unsigned seq;
	char *buf;
	const struct flush_filter *filter;
	struct flush_scan *scan;    /* counting, or NULL */
	struct flush_victim *batch; /* collecting, or NULL */
	size_t n_batch, cap_batch;
	bool is_full;
	unsigned spare;              /* collecting: enum flush_spare */
	uint64_t spared, spared_nat; /* of this dump's matches, left alone for that */
};

static void dump_close(struct flush_dump *d)
{
	nl_sock_close(&d->sock);
	free(d->buf);
	d->buf = NULL;
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
	rc = nl_sock_open(&d->sock, &(const struct nl_sock_opts){.bus = NETLINK_NETFILTER});
	if (rc < 0)
		return rc;
	d->seq = (unsigned)time(NULL);
	nlh = put_request(d->buf, IPCTNL_MSG_CT_GET, NLM_F_DUMP, d->seq, AF_UNSPEC);
	return nl_sock_send(d->sock.fd, nlh, nlh->nlmsg_len);
}

static void scan_add(struct flush_scan *s, const struct flush_entry *e)
{
	s->matched++;
	if (flush_entry_is_established_tcp(e))
		s->established_tcp++;
	if (flush_entry_is_nat_tcp(e))
		s->nat_tcp++;
	if (s->n_examples < FLUSH_EXAMPLES)
		flush_entry_format(e, s->examples[s->n_examples++], FLUSH_LINE_LEN);
}

/* libnetfilter_conntrack's view of the dumped entry, reduced to what a
 * delete names: the original tuple and the zone. NULL when it cannot be
 * parsed or without memory (the tuple as dumped is used then). */
static struct nf_conntrack *victim_request(const struct nlmsghdr *nlh)
{
	struct nf_conntrack *full = nfct_new(), *req = nfct_new();

	if (full == NULL || req == NULL || nfct_nlmsg_parse(nlh, full) < 0) {
		if (full != NULL)
			nfct_destroy(full);
		if (req != NULL)
			nfct_destroy(req);
		return NULL;
	}
	nfct_copy(req, full, NFCT_CP_ORIG);
	if (nfct_attr_is_set(full, ATTR_ORIG_ZONE) > 0)
		nfct_set_attr_u16(req, ATTR_ORIG_ZONE, nfct_get_attr_u16(full, ATTR_ORIG_ZONE));
	if (nfct_attr_is_set(full, ATTR_ZONE) > 0)
		nfct_set_attr_u16(req, ATTR_ZONE, nfct_get_attr_u16(full, ATTR_ZONE));
	nfct_destroy(full);
	return req;
}

/* A match of the delete pass: re-checked against the refusal predicate,
 * then kept for the delete (the batch full: the next round takes it). */
static void collect(struct flush_dump *d, const struct nlmsghdr *nlh, const struct flush_entry *e)
{
	struct flush_victim *v;

	if ((d->spare & FLUSH_SPARE_NAT_TCP) && flush_entry_is_nat_tcp(e)) {
		d->spared_nat++;
		return;
	}
	if ((d->spare & FLUSH_SPARE_ESTABLISHED) && flush_entry_is_established_tcp(e)) {
		d->spared++;
		return;
	}
	if (d->n_batch == d->cap_batch) {
		d->is_full = true;
		return;
	}
	v = &d->batch[d->n_batch++];
	*v = (struct flush_victim){
	    .zone = e->zone, .id = e->id, .family = e->family, .has_id = e->has_id};
	v->req = victim_request(nlh);
	if (v->req == NULL && (v->tuple = malloc(e->tuple_len)) != NULL) {
		memcpy(v->tuple, e->tuple, e->tuple_len);
		v->tuple_len = e->tuple_len;
	}
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
	if (d->batch != NULL)
		collect(d, nlh, &e);
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
		ssize_t n = nl_sock_recv(d->sock.fd, d->buf, FLUSH_BUF_SIZE, NL_SOCK_TIMEOUT_MS);
		int ret;

		if (n == -EINTR || n == -ENOBUFS) {
			/* Lost messages: the next round finds what was missed. */
			if (d->scan != NULL)
				d->scan->is_interrupted = true;
			continue;
		}
		if (n < 0)
			return (int)n;
		if (clear_intr(d->buf, (size_t)n) && d->scan != NULL)
			d->scan->is_interrupted = true;
		ret = mnl_cb_run(d->buf, (size_t)n, d->seq, d->sock.portid, dump_cb, d);
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
	struct flush_dump d = {.sock.fd = -1, .filter = f, .scan = &s};
	int rc;

	memset(&s, 0, sizeof(s));
	rc = dump_run(&d);
	if (rc < 0)
		return rc;
	*out = s;
	return 0;
}

/* The delete socket: acks only (NETLINK_CAP_ACK), a receive buffer that
 * holds the acks of per_send requests. */
struct del_sock {
	struct nl_sock sock;
	unsigned seq;
	size_t per_send;
	char *tx, *rx;
};

static int del_open(struct del_sock *s)
{
	const struct nl_sock_opts o = {
	    .bus = NETLINK_NETFILTER, .rcvbuf = DEL_RCVBUF, .cap_ack = true};
	int rc, got;

	s->tx = malloc((size_t)DEL_PER_SEND * DEL_MSG_ROOM);
	s->rx = malloc(FLUSH_BUF_SIZE);
	if (s->tx == NULL || s->rx == NULL)
		return -ENOMEM;
	rc = nl_sock_open(&s->sock, &o);
	if (rc < 0)
		return rc;
	got = s->sock.rcvbuf < DEL_ACK_COST ? DEL_ACK_COST : s->sock.rcvbuf;
	s->per_send = (size_t)got / DEL_ACK_COST;
	if (s->per_send > DEL_PER_SEND)
		s->per_send = DEL_PER_SEND;
	s->seq = (unsigned)time(NULL);
	return 0;
}

static void del_close(struct del_sock *s)
{
	nl_sock_close(&s->sock);
	free(s->tx);
	free(s->rx);
}

/* One delete request at buf (DEL_MSG_ROOM bytes free): the request object
 * built by libnetfilter_conntrack, else the tuple as dumped; then the id.
 * Its length. */
static size_t put_delete(char *buf, unsigned seq, const struct flush_victim *v, bool want_ack)
{
	struct nlmsghdr *nlh =
	    put_request(buf, IPCTNL_MSG_CT_DELETE, want_ack ? NLM_F_ACK : 0, seq, v->family);
	uint32_t base = nlh->nlmsg_len;

	if (v->req == NULL || nfct_nlmsg_build(nlh, v->req) < 0) {
		nlh->nlmsg_len = base;
		if (v->tuple != NULL) {
			memcpy(mnl_nlmsg_get_payload_tail(nlh), v->tuple, v->tuple_len);
			nlh->nlmsg_len += MNL_ALIGN(v->tuple_len);
		}
		/* Without a tuple the kernel refuses the request (EINVAL): failed. */
		if (v->zone != 0)
			mnl_attr_put_u16(nlh, CTA_ZONE, htons(v->zone));
	}
	if (v->has_id)
		mnl_attr_put_u32(nlh, CTA_ID, htonl(v->id));
	return nlh->nlmsg_len;
}

static void count_answer(struct flush_result *r, int err)
{
	if (err == 0) {
		r->deleted++;
	} else if (err == -ENOENT) {
		r->vanished++;
	} else {
		r->failed++;
		if (r->first_err == 0)
			r->first_err = err;
	}
}

/* The answers to n requests numbered seq0..: only the last asked for an
 * ack; the others are answered only when they fail. The kernel handles a
 * datagram's requests in order, so once the last one's ack is in, every
 * earlier failure is too: the rest were deleted. A receive error before
 * that (a timeout; ENOBUFS: answers lost) leaves the unanswered requests
 * unknown: counted as failed with that error. */
static void read_answers(struct del_sock *s, unsigned seq0, size_t n, struct flush_result *r)
{
	uint8_t seen[DEL_PER_SEND] = {0};
	size_t failed_before = 0;
	int err = 0;

	while (!seen[n - 1]) {
		ssize_t len = nl_sock_recv(s->sock.fd, s->rx, FLUSH_BUF_SIZE, NL_SOCK_TIMEOUT_MS);
		const struct nlmsghdr *nlh = (const void *)s->rx;
		int left = (int)len;

		if (len == -EINTR)
			continue;
		if (len < 0) {
			err = (int)len;
			break;
		}
		for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
			unsigned idx = nlh->nlmsg_seq - seq0;
			const struct nlmsgerr *ack = mnl_nlmsg_get_payload(nlh);

			if (nlh->nlmsg_type != NLMSG_ERROR || idx >= n || seen[idx] ||
			    nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(ack->error))
				continue;
			seen[idx] = 1;
			count_answer(r, ack->error);
			failed_before += idx < n - 1;
		}
	}
	if (err == 0) {
		r->deleted += n - 1 - failed_before; /* no news is a delete done */
		return;
	}
	for (size_t i = 0; i < n; i++)
		if (!seen[i])
			count_answer(r, err);
}

/* Requests for v[0..n) (0 < n <= per_send) in one sendmsg(), the last with
 * NLM_F_ACK, then their answers. */
static void delete_some(struct del_sock *s, const struct flush_victim *v, size_t n,
			struct flush_result *r)
{
	unsigned seq0 = s->seq + 1;
	size_t len = 0;
	int err;

	for (size_t i = 0; i < n; i++)
		len += put_delete(s->tx + len, seq0 + (unsigned)i, &v[i], i == n - 1);
	s->seq += (unsigned)n;
	err = nl_sock_send(s->sock.fd, s->tx, len);
	if (err < 0) {
		for (size_t i = 0; i < n; i++)
			count_answer(r, err);
		return;
	}
	read_answers(s, seq0, n, r);
}

static int delete_batch(const struct flush_victim *batch, size_t n, struct flush_result *r)
{
	struct del_sock s = {.sock.fd = -1};
	int rc = del_open(&s);

	if (rc == 0)
		for (size_t i = 0; i < n; i += s.per_send)
			delete_some(&s, batch + i, n - i < s.per_send ? n - i : s.per_send, r);
	del_close(&s);
	return rc;
}

static void batch_release(struct flush_dump *d)
{
	for (size_t i = 0; i < d->n_batch; i++) {
		if (d->batch[i].req != NULL)
			nfct_destroy(d->batch[i].req);
		free(d->batch[i].tuple);
	}
	d->n_batch = 0;
}

int flush_delete_matches(const struct flush_filter *f, unsigned max_rounds, unsigned spare,
			 struct flush_result *out)
{
	struct flush_result r = {0};
	struct flush_dump d = {
	    .sock.fd = -1, .filter = f, .cap_batch = FLUSH_BATCH, .spare = spare};
	int rc = 0;

	d.batch = malloc(FLUSH_BATCH * sizeof(*d.batch));
	if (d.batch == NULL)
		return -ENOMEM;
	while (r.rounds < max_rounds) {
		uint64_t before = r.deleted + r.vanished;

		d.is_full = false;
		d.spared = d.spared_nat = 0;
		rc = dump_run(&d);
		if (rc < 0)
			break;
		r.rounds++;
		r.spared = d.spared; /* each round sees them all again: the last one's */
		r.spared_nat = d.spared_nat;
		rc = delete_batch(d.batch, d.n_batch, &r);
		batch_release(&d);
		/* A round that deleted nothing would repeat itself forever. */
		if (rc < 0 || !d.is_full || r.deleted + r.vanished == before)
			break;
	}
	batch_release(&d);
	free(d.batch);
	if (rc < 0)
		return rc;
	*out = r;
	return 0;
}
