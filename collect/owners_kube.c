/* owners_kube.c: kube-proxy's conntrack sizing values, from its command line
 * or its --config file (see owners_kube.h). Go's flag parser takes both
 * "--flag=V" and "--flag V", the last one given wins, and integers in any
 * base prefix (strconv.ParseInt with base 0). */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "owners_kube.h"

#define INT32_LIMIT 2147483647LL

/* A non-negative int32 as Go's ParseInt(s, 0, 32) reads it; -1 if not one
 * (kube-proxy refuses a negative value and would not start). */
static int64_t parse_int(const char *s)
{
	char *end;
	long long v;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '\0' || *s == '-')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 0);
	while (*end == ' ' || *end == '\t' || *end == '\r')
		end++;
	if (errno != 0 || *end != '\0' || v < 0 || v > INT32_LIMIT)
		return -1;
	return v;
}

/* The value of --name=V or --name V at word p; NULL when p is not it. */
static const char *flag_value(const char *p, const char *next, const char *name)
{
	size_t n = strlen(name);

	if (strncmp(p, name, n) != 0)
		return NULL;
	if (p[n] == '=')
		return p + n + 1;
	if (p[n] == '\0')
		return next != NULL ? next : "";
	return NULL;
}

static void read_flags(const char *argv, size_t alen, struct owners_kube *k)
{
	const char *end = argv + alen;

	for (const char *p = argv; p < end; p += strlen(p) + 1) {
		const char *next = p + strlen(p) + 1 < end ? p + strlen(p) + 1 : NULL;
		const char *v;

		if ((v = flag_value(p, next, "--conntrack-max-per-core")) != NULL)
			k->max_per_core = parse_int(v);
		else if ((v = flag_value(p, next, "--conntrack-min")) != NULL)
			k->min = parse_int(v);
		else if ((v = flag_value(p, next, "--config")) != NULL)
			snprintf(k->config, sizeof(k->config), "%s", v);
	}
}

static size_t indent_of(const char *line)
{
	size_t n = 0;

	while (line[n] == ' ' || line[n] == '\t')
		n++;
	return n;
}

/* "key: value" at line (indent skipped): the value, comment and quotes
 * off, in buf; false when the line is not that key. */
static bool yaml_value(const char *line, const char *key, char *buf, size_t len)
{
	size_t n = strlen(key), i = 0;
	const char *v;

	if (strncmp(line, key, n) != 0 || line[n] != ':')
		return false;
	v = line + n + 1;
	while (*v == ' ' || *v == '\t' || *v == '"' || *v == '\'')
		v++;
	while (v[i] != '\0' && v[i] != '#' && v[i] != '"' && v[i] != '\'' && i + 1 < len) {
		buf[i] = v[i];
		i++;
	}
	while (i > 0 && isspace((unsigned char)buf[i - 1]))
		i--;
	buf[i] = '\0';
	return true;
}

void owners_kube_parse_config(const char *text, struct owners_kube *k)
{
	bool in_block = false;
	size_t block_indent = 0;
	char line[256], val[64];

	k->max_per_core = -1;
	k->min = -1;
	while (*text != '\0') {
		size_t n = strcspn(text, "\n"), ind;

		snprintf(line, sizeof(line), "%.*s", (int)(n < sizeof(line) ? n : sizeof(line) - 1),
			 text);
		text += n + (text[n] == '\n');
		ind = indent_of(line);
		if (line[ind] == '\0' || line[ind] == '#')
			continue;
		if (ind == 0) {
			in_block =
			    yaml_value(line, "conntrack", val, sizeof(val)) && val[0] == '\0';
			block_indent = 0;
			continue;
		}
		if (!in_block)
			continue;
		if (block_indent == 0)
			block_indent = ind;
		if (ind != block_indent)
			continue; /* a nested value (none of ours) */
		if (yaml_value(line + ind, "maxPerCore", val, sizeof(val)))
			k->max_per_core = parse_int(val);
		else if (yaml_value(line + ind, "min", val, sizeof(val)))
			k->min = parse_int(val);
	}
}

static int read_config(const char *proc_root, const char *pid, struct owners_kube *k)
{
	char path[OWNERS_PATH_LEN * 2 + OWNERS_VALUE_LEN], *text = NULL;
	size_t len;
	int rc;

	snprintf(path, sizeof(path), "%s/%s/%s/%s", proc_root, pid,
		 k->config[0] == '/' ? "root" : "cwd", k->config);
	rc = fileio_read_all(path, &text, &len);
	if (rc == -ENOMEM)
		return rc;
	if (rc < 0) {
		k->from = OWNERS_KUBE_CONFIG_UNREAD;
		k->max_per_core = -1;
		k->min = -1;
		return 0;
	}
	k->from = OWNERS_KUBE_CONFIG;
	owners_kube_parse_config(text, k);
	free(text);
	return 0;
}

int owners_kube_read(const char *proc_root, const char *pid, const char *argv, size_t alen,
		     struct owners_kube *k)
{
	memset(k, 0, sizeof(*k));
	k->from = OWNERS_KUBE_FLAGS;
	k->max_per_core = -1;
	k->min = -1;
	read_flags(argv, alen, k);
	if (k->config[0] == '\0')
		return 0;
	return read_config(proc_root, pid, k);
}
