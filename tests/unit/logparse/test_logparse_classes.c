/* test_logparse_classes.c: issue 15's failure classes, one test each, on
 * the fixture lines of tests/fixtures/logparse/classes/ (written from the
 * kernel's format strings, nf_log_syslog's field order and the wrappers'
 * documented formats). Line N of NAME.log is read as line N of NAME.want
 * says: the kind (or unrelated, not_understood), then TAB-separated
 * key=value facts of the event; masked and truncated are checked on every
 * event (0 unless stated). The aggregate of each file counts every line
 * once, under the kind each line was given. Run from the repository root
 * or set CTADVISOR_SRCDIR. */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "../../../logparse/logparse.h"

#define MAX_LINES 128
#define LINE_MAX_ 4096

struct fixture {
	char lines[MAX_LINES][LINE_MAX_];
	char wants[MAX_LINES][1024];
	size_t n;
};

static void read_lines(const char *path, char (*out)[LINE_MAX_], size_t width, size_t *n)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t cap = 0;
	ssize_t len;

	if (f == NULL)
		fail_msg("cannot open %s (run from the repository root)", path);
	*n = 0;
	while ((len = getline(&buf, &cap, f)) > 0) {
		if (*n == MAX_LINES || (size_t)len >= width)
			fail_msg("%s: too many or too long lines", path);
		if (buf[len - 1] == '\n')
			buf[--len] = '\0';
		memcpy((char *)out + *n * width, buf, (size_t)len + 1);
		(*n)++;
	}
	free(buf);
	fclose(f);
}

static void load(const char *name, struct fixture *fx)
{
	const char *dir = getenv("CTADVISOR_SRCDIR");
	char path[4096];
	size_t nw = 0;

	snprintf(path, sizeof(path), "%s/tests/fixtures/logparse/classes/%s.log", dir ? dir : ".",
		 name);
	read_lines(path, fx->lines, LINE_MAX_, &fx->n);
	snprintf(path, sizeof(path), "%s/tests/fixtures/logparse/classes/%s.want", dir ? dir : ".",
		 name);
	read_lines(path, (char(*)[LINE_MAX_])(void *)fx->wants, sizeof(fx->wants[0]), &nw);
	if (nw != fx->n)
		fail_msg("%s: %zu lines, %zu wants", name, fx->n, nw);
}

static const char *addr_str(const struct logparse_pkt *p, char *buf, size_t size)
{
	if (!(p->has & LOGPARSE_PKT_ADDRS) || inet_ntop(p->family, p->src, buf, size) == NULL)
		snprintf(buf, size, "-");
	return buf;
}

/* The event's value of key as text; NULL for an unknown key. */
static const char *fact(const struct logparse_event *ev, const char *key, char *buf, size_t size)
{
	const struct logparse_args *a = &ev->args;
	static const struct {
		const char *key;
		size_t off;
	} strs[] = {
	    {"owner", offsetof(struct logparse_event, owner)},
	    {"knob", offsetof(struct logparse_event, knob)},
	    {"helper", offsetof(struct logparse_event, helper)},
	    {"text", offsetof(struct logparse_event, text)},
	    {"prefix", offsetof(struct logparse_event, text)},
	    {"in", offsetof(struct logparse_event, pkt) + offsetof(struct logparse_pkt, in)},
	};

	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		if (strcmp(key, strs[i].key) == 0)
			return (const char *)ev + strs[i].off;
	if (strcmp(key, "reason") == 0)
		return ev->reason ? ev->reason->id : "-";
	if (strcmp(key, "fmt") == 0)
		return logparse_format_name(ev->format);
	if (strcmp(key, "state") == 0)
		return (a->has & LOGPARSE_ARG_STATE) ? a->state : "-";
	if (strcmp(key, "src") == 0)
		return addr_str(&ev->pkt, buf, size);
	if (strcmp(key, "verdict") == 0)
		return ev->verdict == LOGPARSE_VERDICT_ACCEPTED ? "accepted" : "marked_invalid";
	if (strcmp(key, "masked") == 0)
		snprintf(buf, size, "%d", ev->pkt.is_masked);
	else if (strcmp(key, "truncated") == 0)
		snprintf(buf, size, "%d", ev->truncated);
	else if (strcmp(key, "netns") == 0)
		snprintf(buf, size, "%u", ev->has_netns ? ev->netns : 0);
	else if (strcmp(key, "value") == 0)
		snprintf(buf, size, "%llu", (unsigned long long)ev->value);
	else if (strcmp(key, "count") == 0)
		snprintf(buf, size, "%llu", (unsigned long long)ev->count);
	else if (strcmp(key, "dport") == 0)
		snprintf(buf, size, "%u", (ev->pkt.has & LOGPARSE_PKT_PORTS) ? ev->pkt.dport : 0);
	else if (strcmp(key, "proto") == 0)
		snprintf(buf, size, "%u", ev->proto_num);
	else if (strcmp(key, "bytes") == 0)
		snprintf(buf, size, "%u", (a->has & LOGPARSE_ARG_BYTES) ? a->bytes : 0);
	else if (strcmp(key, "bound") == 0)
		snprintf(buf, size, "%u", (a->has & LOGPARSE_ARG_BOUND) ? a->bound : 0);
	else if (strcmp(key, "dir") == 0)
		snprintf(buf, size, "%d", (a->has & LOGPARSE_ARG_DIR) ? a->dir : -1);
	else
		return NULL;
	return buf;
}

static const char *kind_of(int rc, const struct logparse_event *ev)
{
	if (rc == -ENOENT)
		return "unrelated";
	if (rc != 0)
		return "not_understood";
	return logparse_kind_name(ev->kind);
}

/* One line against its want: fails naming the file, line and fact. */
static void check_line(const char *name, size_t i, const char *line, const char *want)
{
	char w[1024], buf[128], *save = NULL, *tok;
	struct logparse_event ev;
	int rc = logparse_line(line, strlen(line), &ev);
	const char *kind = kind_of(rc, &ev);
	bool has_masked = false, has_trunc = false;

	snprintf(w, sizeof(w), "%s", want);
	tok = strtok_r(w, "\t", &save);
	if (strcmp(kind, tok) != 0)
		fail_msg("%s:%zu: kind %s, want %s (rc %d)", name, i + 1, kind, tok, rc);
	while ((tok = strtok_r(NULL, "\t", &save)) != NULL) {
		char *eq = strchr(tok, '=');
		const char *got;

		assert_non_null(eq);
		*eq = '\0';
		has_masked |= strcmp(tok, "masked") == 0;
		has_trunc |= strcmp(tok, "truncated") == 0;
		got = fact(&ev, tok, buf, sizeof(buf));
		if (got == NULL)
			fail_msg("%s:%zu: unknown fact %s", name, i + 1, tok);
		if (strcmp(got, eq + 1) != 0)
			fail_msg("%s:%zu: %s is \"%s\", want \"%s\"", name, i + 1, tok, got,
				 eq + 1);
	}
	if (rc == 0 && ((!has_masked && ev.pkt.is_masked) || (!has_trunc && ev.truncated)))
		fail_msg("%s:%zu: masked %d truncated %d, want 0", name, i + 1, ev.pkt.is_masked,
			 ev.truncated);
}

/* Every line once in the aggregate, under the kind its want names. */
static void check_agg(const char *name, const struct fixture *fx)
{
	struct logparse_agg *agg = logparse_agg_new(10);
	struct logparse_agg_result r;
	uint64_t want[LOGPARSE_KIND_MAX + 1] = {0}, unrel = 0, nu = 0, sum = 0;

	assert_non_null(agg);
	for (size_t i = 0; i < fx->n; i++) {
		size_t k = strcspn(fx->wants[i], "\t");

		logparse_agg_add_line(agg, fx->lines[i], strlen(fx->lines[i]));
		if (strncmp(fx->wants[i], "unrelated", k) == 0 && k == 9)
			unrel++;
		else if (strncmp(fx->wants[i], "not_understood", k) == 0 && k == 14)
			nu++;
		for (unsigned j = 1; j <= LOGPARSE_KIND_MAX; j++) {
			const char *kn = logparse_kind_name(j);

			if (strlen(kn) == k && strncmp(fx->wants[i], kn, k) == 0)
				want[j]++;
		}
	}
	logparse_agg_result(agg, &r);
	for (unsigned j = 1; j <= LOGPARSE_KIND_MAX; j++) {
		if (r.by_kind[j] != want[j])
			fail_msg("%s: aggregate %s %llu, want %llu", name, logparse_kind_name(j),
				 (unsigned long long)r.by_kind[j], (unsigned long long)want[j]);
		sum += r.by_kind[j];
	}
	assert_int_equal(r.unrelated, unrel);
	assert_int_equal(r.not_understood, nu);
	assert_int_equal(r.lines, fx->n);
	assert_int_equal(sum + r.unrelated + r.not_understood, r.lines);
	logparse_agg_free(agg);
}

static void run_class(const char *name)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	load(name, fx);
	assert_true(fx->n > 0);
	for (size_t i = 0; i < fx->n; i++)
		check_line(name, i, fx->lines[i], fx->wants[i]);
	check_agg(name, fx);
	free(fx);
}

/* 1: the reason ends where the packet fields begin, wherever they begin;
 * both wording generations, the numbers inside the messages. */
static void test_class1_reason_and_fields(void **state)
{
	(void)state;
	run_class("class1-reason-fields");
}

/* 2: wrappers and heads: bare kernel:, doubled prefix, console garbage,
 * journalctl short-monotonic/short-unix/cat, CRI lines (P: truncated). */
static void test_class2_wrappers(void **state)
{
	(void)state;
	run_class("class2-wrappers");
}

/* 3: LOG prefixes with blanks, "--", ":" and brackets, glued to IN=, an
 * empty MAC=, masked addresses: kept, counted under the prefix, masked. */
static void test_class3_prefixes_masks(void **state)
{
	(void)state;
	run_class("class3-prefixes-masks");
}

/* 4: lines cut mid-reason or mid-field: counted, flagged truncated. */
static void test_class4_truncated(void **state)
{
	(void)state;
	run_class("class4-truncated");
}

/* 5: table full in netns N: the inode kept. */
static void test_class5_netns(void **state)
{
	(void)state;
	run_class("class5-netns");
}

/* 6: owner lines (kube-proxy), notices, rate limits, helper drops. */
static void test_class6_owners_notices(void **state)
{
	(void)state;
	run_class("class6-owners-notices");
}

/* 7: look-alikes are not events; a kernel line of conntrack that cannot
 * be read is not understood, never unrelated. */
static void test_class7_lookalikes(void **state)
{
	(void)state;
	run_class("class7-lookalikes");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_class1_reason_and_fields),
	    cmocka_unit_test(test_class2_wrappers),
	    cmocka_unit_test(test_class3_prefixes_masks),
	    cmocka_unit_test(test_class4_truncated),
	    cmocka_unit_test(test_class5_netns),
	    cmocka_unit_test(test_class6_owners_notices),
	    cmocka_unit_test(test_class7_lookalikes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
