/* check_state.c: where check keeps its state, and reading and writing it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check_state.h"
#include "statedir.h"
#include "../render/render.h"
#include "../collect/fileio.h"
#include "../sysctl/persist.h"

/* mkdir -p DIR, 0755 for what it makes (the files hold counters only). */
static int make_dirs(const char *dir)
{
	char path[512];
	size_t n = strlen(dir);

	if (n == 0 || n >= sizeof(path))
		return -ENAMETOOLONG;
	memcpy(path, dir, n + 1);
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return -errno;
	return access(path, W_OK | X_OK) == 0 ? 0 : -errno;
}

static void not_kept(struct ct_snapshot *snap, const char *dir, int err)
{
	snap->prev.state = SNAP_PREV_NOT_KEPT;
	if (dir == NULL)
		snprintf(snap->prev.note, sizeof(snap->prev.note),
			 "--no-state: nothing is read or written");
	else
		snprintf(snap->prev.note, sizeof(snap->prev.note),
			 "no state kept in %s (%s): counters are judged %s; give "
			 "--state-dir a directory this user can write",
			 dir, strerror(err),
			 snap->is_init_netns ? "since boot" : "since the namespace was created");
}

void check_state_load(struct check_state *cs, const struct check_state_opts *o,
		      const char *proc_root, struct ct_snapshot *snap, struct rules_opts *opts)
{
	char path[600], *text = NULL;
	size_t len = 0;
	int rc;

	memset(cs, 0, sizeof(*cs));
	memset(&snap->prev, 0, sizeof(snap->prev));
	if (o->no_state) {
		not_kept(snap, NULL, 0);
		return;
	}
	if (o->dir != NULL)
		snprintf(cs->dir, sizeof(cs->dir), "%s", o->dir);
	else
		snprintf(cs->dir, sizeof(cs->dir), "%s/check", statedir_path());
	rc = make_dirs(cs->dir);
	if (rc == 0)
		rc = state_id_read(proc_root, &cs->id);
	if (rc == 0)
		rc = state_file_name(&cs->id, cs->name, sizeof(cs->name));
	if (rc < 0) {
		/* Judge as before, and say how to get a window. */
		opts->judge_since_boot = true;
		not_kept(snap, cs->dir, -rc);
		return;
	}
	cs->now_s = (uint64_t)time(NULL);
	cs->is_kept = true;
	snprintf(path, sizeof(path), "%s/%s", cs->dir, cs->name);
	rc = fileio_read_all(path, &text, &len);
	state_fold(rc == 0 ? text : NULL, len, -rc, &cs->id, cs->now_s, snap);
	free(text);
}

void check_state_save(const struct check_state *cs, const struct ct_snapshot *snap)
{
	char *text;
	int rc;

	if (!cs->is_kept)
		return;
	text = state_format(&cs->id, cs->now_s, snap);
	rc = text ? persist_write_file(cs->dir, cs->name, text, strlen(text), PERSIST_FILE_MODE,
				       true)
		  : -ENOMEM;
	if (rc < 0)
		fprintf(stderr,
			"ctadvisor check: cannot keep the state in %s/%s: %s (the next run "
			"judges without a window)\n",
			cs->dir, cs->name, strerror(-rc));
	free(text);
}

uint64_t check_last_success(bool is_unknown, const char *output)
{
	static const char key[] = RENDER_PROM_LAST_SUCCESS;
	char *line = NULL;
	size_t cap = 0;
	uint64_t v = 0;
	FILE *f;

	if (!is_unknown)
		return (uint64_t)time(NULL);
	if (output == NULL || (f = fopen(output, "re")) == NULL)
		return 0;
	while (getline(&line, &cap, f) > 0) {
		const char *sp = strrchr(line, ' ');

		if (strncmp(line, key, sizeof(key) - 1) == 0 &&
		    (line[sizeof(key) - 1] == '{' || line[sizeof(key) - 1] == ' ') && sp != NULL)
			v = strtoull(sp + 1, NULL, 10);
	}
	free(line);
	fclose(f);
	return v;
}
