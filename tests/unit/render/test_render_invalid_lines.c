/* test_render_invalid_lines.c: what the invalid report shows of the lines
 * themselves (logparse): the counts by kind, the lines cut or masked, who
 * sets which conntrack knob, table-full events per namespace named from
 * this host's inventory when it knows the inode, and the first lines not
 * understood, escaped for the terminal and for JSON; what does not apply
 * (watch --invalid, no inventory) is not shown. Golden files
 * tests/golden/invalid-lines.{txt,json} (UPDATE_GOLDEN=1 rewrites them). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "../../../render/render_invalid.h"
#include "../common/golden.h"
#include "invalid_fx.h"

/* Lines of each shape, written from the kernel's and kube-proxy's format
 * strings; two not understood, one with terminal escapes and invalid UTF-8. */
static const char *const lines[] = {
    "Dec  7 10:00:01 node1 kernel: nf_conntrack: nf_conntrack: table full in netns "
    "4026532301, dropping packet",
    "Dec  7 10:00:02 node1 kernel: nf_conntrack: nf_conntrack: table full in netns "
    "4026532301, dropping packet",
    "Dec  7 10:00:03 node1 kernel: nf_conntrack: nf_conntrack: table full in netns "
    "4026532302, dropping packet",
    "Dec  7 10:00:04 node1 kernel: nf_conntrack: nf_conntrack: table full in netns "
    "4026532999, dropping packet",
    "Dec  7 10:00:05 node1 kernel: nf_conntrack: table full, dropping packet",
    "Dec  7 10:01:00 node1 kube-proxy[900]: I1207 10:01:00.000001     900 conntrack.go:60] "
    "\"Setting nf_conntrack_max\" nfConntrackMax=1048576",
    "Dec  7 10:02:00 node1 kube-proxy[901]: I1207 10:02:00.000001     901 conntrack.go:60] "
    "Setting nf_conntrack_max to 1048576",
    "Dec  7 10:03:00 node1 kube-proxy[902]: I1207 10:03:00.000001     902 conntrack.go:60] "
    "\"Setting nf_conntrack_max\" nfConntrackMax=1048576",
    "Dec  7 10:03:00 node1 kube-proxy[902]: I1207 10:03:00.000002     902 conntrack.go:120] "
    "Set sysctl 'net/netfilter/nf_conntrack_tcp_timeout_close_wait' to 3600",
    "Dec  7 10:04:00 node1 kernel: nf_conntrack: default automatic helper assignment has "
    "been turned off for security reasons and CT-based firewall rule not found. Use the "
    "iptables CT target to attach helpers instead.",
    "Dec  7 10:05:00 node1 kernel: nf_ct_proto_6: invalid tcp flag combination IN=eth0 OUT= "
    "SRC=xxx.xxx.xxx.xxx DST=192.0.2.1 LEN=40 TOS=0x00 PREC=0x00 TTL=64 ID=7 PROTO=TCP "
    "SPT=4000 DPT=80 WINDOW=512 RES=0x00 SYN FIN URGP=0",
    "Dec  7 10:05:01 node1 kernel: nf_ct_proto_6: invalid packet ignored in state "
    "ESTABLISHED IN=eth0 OUT= SRC=198.51.100.7 DST=192.0.2.1 LEN=52 TOS=0x00 PREC=0x00 "
    "TTL=64 ID=0 PRO",
    "Dec  7 10:06:00 node1 kernel: ip_conntrack_x\033[2J: \xff\xfe conntrack \x9b",
    "Dec  7 10:06:01 node1 kernel: nf_ct_proto_6: packet (index z) in dir 0 invalid, state "
    "SYN_SENT IN=eth0 OUT= SRC=192.0.2.9 DST=192.0.2.1",
    "Dec  7 10:07:00 node1 sshd[77]: Accepted publickey for admin",
};
#define N_LINES (sizeof(lines) / sizeof(lines[0]))

/* This host as inventory_scan() would find it: a pinned pod namespace, one
 * found through a process only; 4026532999 is on none. */
static void fake_inventory(struct inventory *inv, struct inv_ns ns[2])
{
	memset(ns, 0, 2 * sizeof(ns[0]));
	ns[0].ino = 4026532301;
	snprintf(ns[0].name, sizeof(ns[0].name), "lab-blue");
	ns[0].pin = INV_PIN_NETNS;
	ns[0].has_pod = true;
	snprintf(ns[0].owner.pod_namespace, sizeof(ns[0].owner.pod_namespace), "web");
	snprintf(ns[0].owner.pod_name, sizeof(ns[0].owner.pod_name), "frontend-1");
	ns[1].ino = 4026532302;
	ns[1].n_procs = 1;
	ns[1].n_comm = 1;
	snprintf(ns[1].comm[0], sizeof(ns[1].comm[0]), "dnsmasq");
	*inv = (struct inventory){.ns = ns, .n = 2, .cap = 2};
}

struct rendered {
	char *buf;
	size_t len;
};

/* Render the lines' aggregate; inv NULL: no lookup; is_live as watch. */
static void render_lines(bool is_json, const struct inventory *inv, bool is_live,
			 struct rendered *out)
{
	struct logparse_agg *agg = logparse_agg_new(5);
	struct render_invalid_meta m = {.source = "node1.log",
					.netns = "",
					.status = 2,
					.is_live = is_live,
					.kernel_invalid_delta = UINT64_MAX,
					.kernel_error_delta = UINT64_MAX,
					.nflog_not_reported = UINT64_MAX,
					.inv = inv};
	struct logparse_agg_result r;
	FILE *f;

	assert_non_null(agg);
	for (size_t i = 0; i < N_LINES; i++)
		logparse_agg_add_line(agg, lines[i], strlen(lines[i]));
	logparse_agg_result(agg, &r);
	f = open_memstream(&out->buf, &out->len);
	assert_non_null(f);
	assert_int_equal(
	    is_json ? render_invalid_json(f, &r, &m) : render_invalid_text(f, &r, &m, false), 0);
	assert_int_equal(fclose(f), 0);
	logparse_agg_free(agg);
}

static void test_golden(void **state)
{
	struct inv_ns ns[2];
	struct inventory inv;
	struct rendered t = {0}, j = {0};

	(void)state;
	fake_inventory(&inv, ns);
	render_lines(false, &inv, false, &t);
	golden_check("invalid-lines.txt", t.buf, t.len);
	render_lines(true, &inv, false, &j);
	golden_check("invalid-lines.json", j.buf, j.len);
	free(t.buf);
	free(j.buf);
}

static void assert_has(const struct rendered *r, const char *needle, bool want)
{
	char *s = strndup(r->buf, r->len);

	assert_non_null(s);
	if ((strstr(s, needle) != NULL) != want)
		fail_msg("\"%s\" %s in:\n%s", needle, want ? "missing" : "present", s);
	free(s);
}

/* No raw control byte (the ESC, the C1 byte), no line over 79 columns. */
static void assert_text_safe(const struct rendered *r)
{
	size_t col = 0;

	for (size_t i = 0; i < r->len; i++) {
		unsigned char c = (unsigned char)r->buf[i];

		if (c == '\n') {
			col = 0;
			continue;
		}
		if (c < 0x20 || c == 0x7f)
			fail_msg("raw control byte 0x%02x at %zu", c, i);
		col += (c & 0xc0) != 0x80;
		if (col > 79)
			fail_msg("over 79 columns at byte %zu", i);
	}
}

static void test_text(void **state)
{
	struct inv_ns ns[2];
	struct inventory inv;
	struct rendered t = {0}, bare = {0};

	(void)state;
	fake_inventory(&inv, ns);
	render_lines(false, &inv, false, &t);
	assert_text_safe(&t);
	assert_has(&t, "kinds          ct_invalid 2, table_full 5, owner 4, notice 1\n", true);
	assert_has(&t, "counted; 1 truncated, 1 with masked addresses", true);
	assert_has(&t, "kube-proxy set nf_conntrack_max to 1048576 (3 lines)", true);
	assert_has(&t, "kube-proxy set nf_conntrack_tcp_timeout_close_wait to 3600", true);
	assert_has(&t, "netns 4026532301 (lab-blue, pod web/frontend-1): 2", true);
	assert_has(&t, "netns 4026532302 (not pinned, procs: dnsmasq): 1", true);
	assert_has(&t, "netns 4026532999 (not found on this host", true);
	assert_has(&t, "initial: 1", true);
	assert_has(&t, "notices        1 other conntrack messages", true);
	assert_has(&t, "Lines not understood (the first 2 of 2)", true);
	assert_has(&t, "ip_conntrack_x\\x1b[2J: \\xff\\xfe conntrack \\x9b", true);
	assert_has(&t, "Accepted publickey", false); /* unrelated: not listed */
	/* no inventory: the inodes alone */
	render_lines(false, NULL, false, &bare);
	assert_has(&bare, "netns 4026532301: 2", true);
	assert_has(&bare, "not found on this host", false);
	free(t.buf);
	free(bare.buf);
}

/* watch --invalid counts NFLOG packets: no kinds, no partial lines, no
 * owners or lines not understood. */
static void test_live_shows_none(void **state)
{
	struct logparse_agg *agg = logparse_agg_new(5);
	struct render_invalid_meta m = {.is_live = true,
					.source = "nflog",
					.netns = "",
					.status = 1,
					.kernel_invalid_delta = UINT64_MAX,
					.kernel_error_delta = UINT64_MAX,
					.nflog_not_reported = UINT64_MAX};
	struct logparse_agg_result r;
	struct rendered t = {0};
	FILE *f;

	(void)state;
	assert_non_null(agg);
	invalid_fx_add_syn_fin(agg, "veth0");
	logparse_agg_result(agg, &r);
	f = open_memstream(&t.buf, &t.len);
	assert_non_null(f);
	assert_int_equal(render_invalid_text(f, &r, &m, false), 0);
	assert_int_equal(fclose(f), 0);
	assert_has(&t, "SYN FIN 1", true);
	assert_has(&t, "kinds", false);
	assert_has(&t, "partial lines", false);
	assert_has(&t, "Knob owners", false);
	assert_has(&t, "not understood (the first", false);
	free(t.buf);
	logparse_agg_free(agg);
}

static json_t *load(const struct rendered *r)
{
	json_error_t err;
	json_t *root = json_loadb(r->buf, r->len, JSON_REJECT_DUPLICATES, &err);

	if (root == NULL)
		fail_msg("invalid JSON at line %d: %s", err.line, err.text);
	return root;
}

static json_int_t jint(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_integer(v))
		fail_msg("%s is not an integer", key);
	return json_integer_value(v);
}

/* Every kind is a key; the kinds add up to the lines understood. */
static void check_kinds(json_t *input)
{
	json_t *kinds = json_object_get(input, "kinds");
	json_int_t sum = 0;

	for (unsigned k = LOGPARSE_KIND_CT_INVALID; k <= LOGPARSE_KIND_MAX; k++)
		sum += jint(kinds, logparse_kind_name(k));
	assert_int_equal(json_object_size(kinds), LOGPARSE_KIND_MAX);
	assert_int_equal(sum, jint(input, "lines") - jint(input, "unrelated") -
				  jint(input, "not_understood"));
	assert_int_equal(jint(kinds, "owner"), 4);
	assert_int_equal(jint(kinds, "notice"), 1);
	assert_int_equal(jint(input, "truncated_lines"), 1);
	assert_int_equal(jint(input, "masked_lines"), 1);
}

static void check_netns(json_t *by, size_t i, json_int_t ino, json_t *found, const char *name,
			const char *owner)
{
	json_t *row = json_array_get(by, i);

	if (ino)
		assert_int_equal(jint(row, "netns"), ino);
	else
		assert_true(json_is_null(json_object_get(row, "netns")));
	assert_true(json_equal(json_object_get(row, "found_here"), found));
	if (name)
		assert_string_equal(json_string_value(json_object_get(row, "name")), name);
	else
		assert_true(json_is_null(json_object_get(row, "name")));
	if (owner)
		assert_string_equal(json_string_value(json_object_get(row, "owner")), owner);
	else
		assert_true(json_is_null(json_object_get(row, "owner")));
}

static void test_json(void **state)
{
	struct inv_ns ns[2];
	struct inventory inv;
	struct rendered j = {0};
	json_t *root, *input, *nu, *by, *own;

	(void)state;
	fake_inventory(&inv, ns);
	render_lines(true, &inv, false, &j);
	root = load(&j);
	input = json_object_get(root, "input");
	check_kinds(input);
	nu = json_object_get(input, "not_understood_lines");
	assert_int_equal(json_array_size(nu), 2);
	/* the ESC and C1 bytes kept (jansson writes \u001b), invalid UTF-8 as \xNN */
	assert_non_null(strstr(json_string_value(json_array_get(nu, 0)),
			       "ip_conntrack_x\033[2J: \\xff\\xfe conntrack \\x9b"));
	assert_non_null(strcasestr(j.buf, "\\u001b[2J"));
	by = json_object_get(json_object_get(root, "table_full"), "by_netns");
	assert_int_equal(json_array_size(by), 4);
	check_netns(by, 0, 4026532301, json_true(), "lab-blue", "pod web/frontend-1");
	check_netns(by, 1, 0, json_null(), NULL, NULL);
	check_netns(by, 2, 4026532302, json_true(), NULL, "procs: dnsmasq");
	check_netns(by, 3, 4026532999, json_false(), NULL, NULL);
	own = json_array_get(json_object_get(json_object_get(root, "other"), "owners"), 0);
	assert_string_equal(json_string_value(json_object_get(own, "owner")), "kube-proxy");
	assert_string_equal(json_string_value(json_object_get(own, "knob")),
			    "net.netfilter.nf_conntrack_max");
	assert_int_equal(jint(own, "value"), 1048576);
	assert_int_equal(jint(own, "lines"), 3);
	assert_int_equal(jint(json_object_get(root, "other"), "notices"), 1);
	json_decref(root);
	free(j.buf);
	render_lines(true, NULL, false, &j); /* not looked up: null */
	root = load(&j);
	by = json_object_get(json_object_get(root, "table_full"), "by_netns");
	check_netns(by, 0, 4026532301, json_null(), NULL, NULL);
	json_decref(root);
	free(j.buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_golden),
	    cmocka_unit_test(test_text),
	    cmocka_unit_test(test_live_shows_none),
	    cmocka_unit_test(test_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
