/* procstat.c: /proc/net/stat/nf_conntrack, parsed by header name. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "procstat.h"

#define MAX_COLS    32
#define COL_SKIP    (-1)
#define COL_ENTRIES (-2)

static const struct {
	const char *name;
	int slot;
} columns[] = {
    {"entries", COL_ENTRIES},
    {"searched", SNAP_STAT_SEARCHED},
    {"clashres", SNAP_STAT_CLASH_RESOLVE},
    {"found", SNAP_STAT_FOUND},
    {"new", SNAP_STAT_NEW},
    {"invalid", SNAP_STAT_INVALID},
    {"ignore", SNAP_STAT_IGNORE},
    {"delete", SNAP_STAT_DELETE},
    {"delete_list", SNAP_STAT_DELETE_LIST},
    {"chainlength", SNAP_STAT_CHAINTOOLONG},
    {"insert", SNAP_STAT_INSERT},
    {"insert_failed", SNAP_STAT_INSERT_FAILED},
    {"drop", SNAP_STAT_DROP},
    {"early_drop", SNAP_STAT_EARLY_DROP},
    {"icmp_error", SNAP_STAT_ERROR},
    {"search_restart", SNAP_STAT_SEARCH_RESTART},
};

static int column_slot(const char *tok, size_t len)
{
	for (size_t i = 0; i < sizeof(columns) / sizeof(columns[0]); i++)
		if (strlen(columns[i].name) == len && memcmp(columns[i].name, tok, len) == 0)
			return columns[i].slot;
	return COL_SKIP; /* expect_* and names we do not know */
}

/* Next blank-separated token within [*p, end) on the current line. */
static bool next_token(const char **p, const char *end, const char **tok, size_t *len)
{
	const char *s = *p;

	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	if (s >= end || *s == '\n')
		return false;
	*tok = s;
	while (s < end && *s != ' ' && *s != '\t' && *s != '\n')
		s++;
	*len = (size_t)(s - *tok);
	*p = s;
	return true;
}

static int parse_hex32(const char *tok, size_t len, uint64_t *out)
{
	uint64_t v = 0;

	if (len == 0 || len > 8)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		char c = tok[i];
		int d = (c >= '0' && c <= '9')   ? c - '0'
			: (c >= 'a' && c <= 'f') ? c - 'a' + 10
			: (c >= 'A' && c <= 'F') ? c - 'A' + 10
						 : -1;
		if (d < 0)
			return -EINVAL;
		v = v << 4 | (uint64_t)d;
	}
	*out = v;
	return 0;
}

static const char *line_end(const char *p, const char *end)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));

	return nl ? nl : end;
}

static int parse_row(const char *p, const char *eol, const int *slots, size_t ncols,
		     struct snap_cpu_stats *row, uint64_t *entries)
{
	const char *tok;
	size_t len, col = 0;
	uint64_t v;

	memset(row, 0, sizeof(*row));
	while (next_token(&p, eol, &tok, &len)) {
		if (col >= ncols || parse_hex32(tok, len, &v) < 0)
			return -EINVAL;
		if (slots[col] == COL_ENTRIES) {
			*entries = v;
		} else if (slots[col] > 0) {
			row->v[slots[col]] = v;
			row->present |= 1u << slots[col];
		}
		col++;
	}
	return col == ncols ? 0 : -EINVAL;
}

int procstat_parse(const char *text, size_t len, struct snap_cpu_stats **cpus, size_t *n,
		   uint64_t *entries)
{
	const char *p = text, *end = text + len, *eol = line_end(p, end), *tok;
	struct snap_cpu_stats *rows = NULL;
	int slots[MAX_COLS];
	size_t ncols = 0, nrows = 0, tlen;
	uint64_t count = 0;
	int rc = 0;

	while (next_token(&p, eol, &tok, &tlen)) {
		if (ncols == MAX_COLS)
			return -EINVAL;
		slots[ncols++] = column_slot(tok, tlen);
	}
	if (ncols == 0)
		return -EINVAL;
	for (p = eol < end ? eol + 1 : end; p < end; p = eol < end ? eol + 1 : end) {
		struct snap_cpu_stats *grown;

		eol = line_end(p, end);
		if (eol == p)
			continue;
		grown = realloc(rows, (nrows + 1) * sizeof(*rows));
		if (grown == NULL) {
			rc = -ENOMEM;
			break;
		}
		rows = grown;
		rc = parse_row(p, eol, slots, ncols, &rows[nrows], &count);
		if (rc < 0)
			break;
		rows[nrows].cpu = (unsigned)nrows;
		nrows++;
	}
	if (rc == 0 && nrows == 0)
		rc = -EINVAL;
	if (rc < 0) {
		free(rows);
		return rc;
	}
	*cpus = rows;
	*n = nrows;
	*entries = count;
	return 0;
}
