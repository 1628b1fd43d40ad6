/* test_textwrap.c: the text reports' line builder. Items wrap before column
 * TW_WIDTH with the indent; a label wider than a whole line (a 127-byte LOG
 * prefix without a blank) is cut at character boundaries, while a path or a
 * command stays whole, to be copied. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../../render/textwrap.h"

struct sink {
	char *text;
	size_t len;
	struct tw t;
};

static void sink_open(struct sink *k)
{
	memset(k, 0, sizeof(*k));
	k->t.out = open_memstream(&k->text, &k->len);
	assert_non_null(k->t.out);
}

static void sink_close(struct sink *k)
{
	fclose(k->t.out);
}

/* Number of lines of text, and the widest in display columns. */
static int widest_line(const char *text, int *lines)
{
	int widest = 0;

	*lines = 0;
	for (const char *p = text; *p != '\0';) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char line[1024];
		int cols;

		assert_true(n < sizeof(line));
		memcpy(line, p, n);
		line[n] = '\0';
		cols = tw_cols(line);
		if (cols > widest)
			widest = cols;
		(*lines)++;
		p += n + (nl != NULL);
	}
	return widest;
}

static void test_items_wrap_at_the_indent(void **state)
{
	struct sink k;

	(void)state;
	sink_open(&k);
	tw_key(&k.t, 14, "sources");
	for (int i = 0; i < 8; i++)
		tw_item(&k.t, ", ", "192.0.2.100 x12");
	tw_end(&k.t);
	sink_close(&k);
	/* 14 + 4 x 17 - 2 = 80 > 79: three items on the first line, the
	 * separator's blank dropped at the break. */
	assert_string_equal(k.text,
			    "  sources     192.0.2.100 x12, 192.0.2.100 x12, 192.0.2.100 x12,\n"
			    "              192.0.2.100 x12, 192.0.2.100 x12, 192.0.2.100 x12,\n"
			    "              192.0.2.100 x12, 192.0.2.100 x12\n");
	free(k.text);
}

static void test_long_item_is_cut_at_the_width(void **state)
{
	char prefix[128];
	struct sink k;
	int lines;

	(void)state;
	memset(prefix, 'p', 127);
	prefix[127] = '\0';
	sink_open(&k);
	tw_key(&k.t, 14, "prefix");
	tw_item(&k.t, ", ", "short");
	tw_label(&k.t, ", ", prefix);
	tw_end(&k.t);
	sink_close(&k);
	assert_int_equal(widest_line(k.text, &lines), 79);
	assert_int_equal(lines, 3);
	/* The line goes on after the separator: 14 + 5 + 2 = 21, 58 p's fit,
	 * then 65 per indented line (79 - 14), then the last 4. */
	assert_int_equal(strncmp(k.text, "  prefix      short, pppp", 25), 0);
	assert_non_null(strstr(k.text, "\n              ppp"));
	assert_int_equal(strlen(k.text), 21 + 58 + 1 + 14 + 65 + 1 + 14 + 4 + 1);
	free(k.text);
}

/* The separator before a long item would end at the last column: the item
 * starts on the next line, and the separator's blank is dropped there. */
static void test_long_item_after_a_full_line(void **state)
{
	char first[64], prefix[128];
	struct sink k;
	int lines;

	(void)state;
	memset(first, 'a', 63);
	first[63] = '\0';
	memset(prefix, 'p', 127);
	prefix[127] = '\0';
	sink_open(&k);
	tw_key(&k.t, 14, "prefix");
	tw_item(&k.t, ", ", first); /* to column 77, ", " to 79 */
	tw_label(&k.t, ", ", prefix);
	tw_end(&k.t);
	sink_close(&k);
	assert_int_equal(widest_line(k.text, &lines), 79);
	/* 127 = 65 + 62 on two indented lines after the first */
	assert_int_equal(lines, 3);
	assert_non_null(strstr(k.text, "a,\n              ppp"));
	free(k.text);
}

static void test_long_item_keeps_utf8_characters_whole(void **state)
{
	char item[3 * 100 + 1] = "";
	struct sink k;
	int lines;

	(void)state;
	for (int i = 0; i < 100; i++)
		strcat(item, "\xe2\x96\x88"); /* U+2588, one column, three bytes */
	sink_open(&k);
	tw_key(&k.t, 10, "spark");
	tw_label(&k.t, " ", item);
	tw_end(&k.t);
	sink_close(&k);
	/* 69 blocks on the first line, 31 on the second. */
	assert_int_equal(widest_line(k.text, &lines), 79);
	assert_int_equal(lines, 2);
	/* key 10 + 69 blocks, newline, indent 10 + 31 blocks, newline */
	assert_int_equal(tw_cols(k.text), 10 + 69 + 1 + 10 + 31 + 1);
	for (const char *p = strchr(k.text, '\n') + 1 + 10; *p != '\n'; p += 3)
		assert_memory_equal(p, "\xe2\x96\x88", 3);
	free(k.text);
}

/* A path (or a command) is never cut, even wider than a line: it stays whole
 * so it can be copied; it goes on a line of its own. */
static void test_path_is_never_cut(void **state)
{
	char path[101] = "/check/work/main/tests/fixtures/logparse/";
	struct sink k;
	int lines;

	(void)state;
	while (strlen(path) < 95)
		strcat(path, "x");
	strcat(path, ".log");
	sink_open(&k);
	tw_key(&k.t, 17, "source");
	tw_words(&k.t, "a.log,");
	tw_words(&k.t, path);
	tw_end(&k.t);
	sink_close(&k);
	assert_int_equal(widest_line(k.text, &lines), 17 + 99);
	assert_int_equal(lines, 2);
	assert_non_null(strstr(k.text, "a.log,\n                 /check/work/main/"));
	assert_non_null(strstr(k.text, path));
	free(k.text);
}

static void test_words_escape_and_wrap(void **state)
{
	struct sink k;
	int lines;

	(void)state;
	sink_open(&k);
	tw_key(&k.t, 14, "note");
	tw_words(&k.t, "a \x1b[2J word and "
		       "more words that go on for a while until the line is full and "
		       "then some more");
	tw_end(&k.t);
	sink_close(&k);
	assert_null(strchr(k.text, '\x1b'));
	assert_non_null(strstr(k.text, "\\x1b[2J"));
	assert_true(widest_line(k.text, &lines) <= 79);
	assert_int_equal(lines, 2);
	free(k.text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_items_wrap_at_the_indent),
	    cmocka_unit_test(test_long_item_is_cut_at_the_width),
	    cmocka_unit_test(test_long_item_after_a_full_line),
	    cmocka_unit_test(test_long_item_keeps_utf8_characters_whole),
	    cmocka_unit_test(test_path_is_never_cut),
	    cmocka_unit_test(test_words_escape_and_wrap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
