/* ruleset.c: find a rule that drops ct state invalid in nft JSON or
 * iptables-save text. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ruleset.h"

static bool is_ct_state(const json_t *left)
{
	const json_t *ct = json_object_get(left, "ct");
	const char *key = json_string_value(json_object_get(ct, "key"));

	return key != NULL && strcmp(key, "state") == 0;
}

static bool is_invalid_word(const json_t *v)
{
	return json_is_string(v) && strcmp(json_string_value(v), "invalid") == 0;
}

/* "invalid", ["invalid", ...] or {"set": [...]} holds invalid: the shapes
 * nft -j gives a ct state match, none nested deeper. */
static bool names_invalid(const json_t *right)
{
	const json_t *v;
	size_t i;

	if (json_is_object(right))
		right = json_object_get(right, "set");
	if (is_invalid_word(right))
		return true;
	json_array_foreach(right, i, v)
	{
		if (is_invalid_word(v))
			return true;
	}
	return false;
}

static bool is_drop(const json_t *stmt)
{
	return json_object_get(stmt, "drop") != NULL || json_object_get(stmt, "reject") != NULL;
}

/* A vmap on ct state whose invalid element maps to drop or reject. */
static bool vmap_drops_invalid(const json_t *vmap)
{
	const json_t *set = json_object_get(json_object_get(vmap, "data"), "set"), *el;
	size_t i;

	if (!is_ct_state(json_object_get(vmap, "key")))
		return false;
	json_array_foreach(set, i, el)
	{
		if (json_array_size(el) == 2 && names_invalid(json_array_get(el, 0)) &&
		    is_drop(json_array_get(el, 1)))
			return true;
	}
	return false;
}

static bool rule_drops_invalid(const json_t *rule)
{
	const json_t *expr = json_object_get(rule, "expr"), *st;
	bool matched = false;
	size_t i;

	json_array_foreach(expr, i, st)
	{
		const json_t *m = json_object_get(st, "match");
		const char *op = json_string_value(json_object_get(m, "op"));

		if (m != NULL && is_ct_state(json_object_get(m, "left")) && op != NULL &&
		    (strcmp(op, "==") == 0 || strcmp(op, "in") == 0) &&
		    names_invalid(json_object_get(m, "right")))
			matched = true;
		else if (vmap_drops_invalid(json_object_get(st, "vmap")) ||
			 (matched && is_drop(st)))
			return true;
	}
	return false;
}

static const char *jtext(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "?";
}

int flush_ruleset_nft_drops_invalid(const char *json, size_t len, char *where, size_t where_len)
{
	json_t *root = json_loadb(json, len, 0, NULL);
	const json_t *arr = json_object_get(root, "nftables"), *item;
	int found = 0;
	size_t i;

	if (!json_is_array(arr)) {
		json_decref(root);
		return -EINVAL;
	}
	json_array_foreach(arr, i, item)
	{
		const json_t *rule = json_object_get(item, "rule");

		if (rule == NULL || !rule_drops_invalid(rule))
			continue;
		snprintf(where, where_len, "nft %.16s %.24s %.24s handle %lld",
			 jtext(rule, "family"), jtext(rule, "table"), jtext(rule, "chain"),
			 (long long)json_integer_value(json_object_get(rule, "handle")));
		found = 1;
		break;
	}
	json_decref(root);
	return found;
}

/* One iptables-save rule line, split at blanks (quotes are not needed
 * for the words we look at). */
static bool ipt_line_drops_invalid(char *line)
{
	char *save = NULL, *prev = NULL, *tok;
	bool invalid = false, drop = false, want_state = false, want_target = false;
	bool negated = false;

	for (tok = strtok_r(line, " \t\r", &save); tok; tok = strtok_r(NULL, " \t\r", &save)) {
		if (want_state) {
			char *s2 = NULL;

			for (char *w = strtok_r(tok, ",", &s2); w; w = strtok_r(NULL, ",", &s2))
				if (strcmp(w, "INVALID") == 0 && !negated)
					invalid = true;
			want_state = false;
		} else if (want_target) {
			drop = strcmp(tok, "DROP") == 0 || strcmp(tok, "REJECT") == 0;
			want_target = false;
		} else if (strcmp(tok, "--ctstate") == 0 || strcmp(tok, "--state") == 0) {
			negated = prev != NULL && strcmp(prev, "!") == 0;
			want_state = true;
		} else if (strcmp(tok, "-j") == 0 || strcmp(tok, "--jump") == 0) {
			want_target = true;
		}
		prev = tok;
	}
	return invalid && drop;
}

int flush_ruleset_ipt_drops_invalid(const char *text, size_t len, const char *tool, char *where,
				    size_t where_len)
{
	char line[4096];
	size_t lineno = 0;

	for (size_t i = 0; i < len;) {
		size_t j = i, k;

		while (j < len && text[j] != '\n')
			j++;
		lineno++;
		k = j - i < sizeof(line) ? j - i : sizeof(line) - 1;
		memcpy(line, text + i, k);
		line[k] = '\0';
		i = j + 1;
		if (strncmp(line, "-A ", 3) != 0 || !ipt_line_drops_invalid(line))
			continue;
		snprintf(where, where_len, "%s line %zu", tool, lineno);
		return 1;
	}
	return 0;
}
