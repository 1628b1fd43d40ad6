/* textwrap.c: wrapped, indented report lines. */
#include <stdarg.h>
#include <string.h>

#include "escape.h"
#include "textwrap.h"

int tw_cols(const char *s)
{
	int n = 0;

	for (; *s != '\0'; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

void tw_startf(struct tw *t, int indent, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vfprintf(t->out, fmt, ap);
	va_end(ap);
	t->col = n > 0 ? n : 0;
	t->indent = indent;
	t->is_first = true;
}

void tw_start(struct tw *t, int lead, const char *key, int width)
{
	int cols = tw_cols(key);

	fprintf(t->out, "%*s%-*s", lead, "", width, key);
	t->col = lead + (width > cols ? width : cols);
	t->indent = lead + width;
	t->is_first = true;
}

void tw_key(struct tw *t, int key_col, const char *key)
{
	tw_start(t, 2, key, key_col - 2);
}

/* An item wider than a whole line (a LOG prefix may hold 127 bytes without
 * a blank): cut at character boundaries, continued on indented lines, so no
 * line passes TW_WIDTH. */
static void tw_put_long(struct tw *t, const char *s)
{
	while (t->indent < TW_WIDTH && t->col + tw_cols(s) > TW_WIDTH) {
		const char *p = s;

		for (int room = TW_WIDTH - t->col; *p != '\0' && room > 0; room--)
			for (p++; ((unsigned char)*p & 0xc0) == 0x80; p++)
				;
		fprintf(t->out, "%.*s\n%*s", (int)(p - s), s, t->indent, "");
		t->col = t->indent;
		s = p;
	}
	fputs(s, t->out);
	t->col += tw_cols(s);
}

/* may_cut: an item wider than a line is cut (a label); other items (paths,
 * commands, numbers) stay whole, so they can be copied. */
static void tw_add(struct tw *t, const char *sep, const char *s, bool may_cut)
{
	int len = tw_cols(s), sep_len = (int)strlen(sep);
	bool fits_a_line = !may_cut || len <= TW_WIDTH - t->indent;
	/* a long item starts after the separator unless that ends the line */
	int needs = fits_a_line ? sep_len + len : sep_len + 1;

	if (!t->is_first && t->col + needs > TW_WIDTH) {
		int keep = sep_len;

		while (keep > 0 && sep[keep - 1] == ' ')
			keep--;
		fprintf(t->out, "%.*s\n%*s", keep, sep, t->indent, "");
		t->col = t->indent;
	} else if (!t->is_first) {
		fputs(sep, t->out);
		t->col += sep_len;
	}
	if (fits_a_line) {
		fputs(s, t->out);
		t->col += len;
	} else {
		tw_put_long(t, s);
	}
	t->is_first = false;
}

void tw_item(struct tw *t, const char *sep, const char *s)
{
	tw_add(t, sep, s, false);
}

void tw_label(struct tw *t, const char *sep, const char *s)
{
	tw_add(t, sep, s, true);
}

void tw_itemf(struct tw *t, const char *sep, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	tw_item(t, sep, buf);
}

void tw_words(struct tw *t, const char *s)
{
	char buf[2048];

	render_escape(buf, sizeof(buf), s, RENDER_ESC_TEXT);
	for (char *save = NULL, *w = strtok_r(buf, " ", &save); w != NULL;
	     w = strtok_r(NULL, " ", &save))
		tw_item(t, " ", w);
}

void tw_end(struct tw *t)
{
	fputc('\n', t->out);
}
