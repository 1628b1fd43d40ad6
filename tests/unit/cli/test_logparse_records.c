/* test_logparse_records.c: issue 15's class 2 for records the CLI decodes
 * (cli/logparse_json.c): journalctl -o json (MESSAGE as text or as an
 * array of byte values, _TRANSPORT and SYSLOG_IDENTIFIER), Docker's
 * json-file {"log": ...}. Each fixture line of
 * tests/fixtures/logparse/classes/class2-{journal,docker}-json.log goes
 * alone to an aggregate as log_input does; its .want line names the kind
 * (or unrelated) and facts: reason, netns, value. Run from the
 * repository root or set CTADVISOR_SRCDIR. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../../cli/logparse_json.h"
#include "../../../logparse/logparse.h"

static FILE *open_fixture(const char *name)
{
	const char *dir = getenv("CTADVISOR_SRCDIR");
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/tests/fixtures/logparse/classes/%s", dir ? dir : ".",
		 name);
	f = fopen(path, "r");
	if (f == NULL)
		fail_msg("cannot open %s (run from the repository root)", path);
	return f;
}

/* The kind the aggregate of one line counted it as. */
static const char *kind_of(const struct logparse_agg_result *r)
{
	if (r->unrelated)
		return "unrelated";
	if (r->not_understood)
		return "not_understood";
	for (unsigned k = 1; k <= LOGPARSE_KIND_MAX; k++)
		if (r->by_kind[k])
			return logparse_kind_name(k);
	return "none";
}

static void check_fact(const char *where, const struct logparse_agg_result *r, const char *key,
		       const char *val)
{
	char got[64] = "-";

	if (strcmp(key, "reason") == 0 && r->n_reasons == 1)
		snprintf(got, sizeof(got), "%s", r->reasons[0].reason->id);
	else if (strcmp(key, "netns") == 0 && r->n_table_full_netns == 1)
		snprintf(got, sizeof(got), "%u", r->table_full_netns[0].netns);
	else if (strcmp(key, "value") == 0 && r->n_owners == 1)
		snprintf(got, sizeof(got), "%llu", (unsigned long long)r->owners[0].value);
	if (strcmp(got, val) != 0)
		fail_msg("%s: %s is \"%s\", want \"%s\"", where, key, got, val);
}

static void run_records(const char *name)
{
	char lname[128], wname[128], *line = NULL, *want = NULL, *save = NULL;
	size_t lcap = 0, wcap = 0, n = 0;
	ssize_t len, wlen;
	FILE *lf, *wf;

	snprintf(lname, sizeof(lname), "%s.log", name);
	snprintf(wname, sizeof(wname), "%s.want", name);
	lf = open_fixture(lname);
	wf = open_fixture(wname);
	while ((len = getline(&line, &lcap, lf)) > 0) {
		struct logparse_agg *agg = logparse_agg_new(4);
		struct logparse_agg_result r;
		char where[160];
		const char *kind;

		wlen = getline(&want, &wcap, wf);
		if (wlen <= 0)
			fail_msg("%s: fewer wants than lines", name);
		want[strcspn(want, "\n")] = '\0';
		snprintf(where, sizeof(where), "%s:%zu", name, ++n);
		assert_non_null(agg);
		line[strcspn(line, "\n")] = '\0';
		if (!logparse_json_feed(agg, line, strlen(line)))
			logparse_agg_add_line(agg, line, strlen(line)); /* as log_input */
		logparse_agg_result(agg, &r);
		assert_int_equal(r.lines, 1);
		kind = strtok_r(want, "\t", &save);
		if (strcmp(kind_of(&r), kind) != 0)
			fail_msg("%s: kind %s, want %s", where, kind_of(&r), kind);
		for (char *t = strtok_r(NULL, "\t", &save); t; t = strtok_r(NULL, "\t", &save)) {
			char *eq = strchr(t, '=');

			assert_non_null(eq);
			*eq = '\0';
			check_fact(where, &r, t, eq + 1);
		}
		logparse_agg_free(agg);
	}
	assert_true(n > 0);
	free(line);
	free(want);
	fclose(lf);
	fclose(wf);
}

static void test_journal_json(void **state)
{
	(void)state;
	run_records("class2-journal-json");
}

static void test_docker_json(void **state)
{
	(void)state;
	run_records("class2-docker-json");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_journal_json),
	    cmocka_unit_test(test_docker_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
