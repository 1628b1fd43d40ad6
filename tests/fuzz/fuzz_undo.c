/* fuzz_undo: undo_load() on a record file holding the fuzzer's bytes. The
 * file is a memfd opened through /proc/self/fd, so no disk is touched.
 * *out untouched and err.msg a C string on failure; on success every knob
 * is one undo_record_add() would accept. */
#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "../../sysctl/undo.h"

static int memfd = -1;
static char memfd_path[64];

static void write_file(const uint8_t *data, size_t size)
{
	if (memfd < 0) {
		memfd = memfd_create("fuzz_undo", 0);
		FUZZ_CHECK(memfd >= 0);
		snprintf(memfd_path, sizeof(memfd_path), "/proc/self/fd/%d", memfd);
	}
	FUZZ_CHECK(ftruncate(memfd, 0) == 0);
	FUZZ_CHECK(size == 0 || pwrite(memfd, data, size, 0) == (ssize_t)size);
}

static int has_prefix(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

static void check_record(const struct undo_record *rec)
{
	const struct undo_info *info = undo_record_info(rec);
	size_t n = undo_record_count(rec);

	FUZZ_CHECK(info != NULL && info->time_s >= 0);
	FUZZ_CHECK(info->command == UNDO_CMD_APPLY || info->command == UNDO_CMD_WATCH_INVALID);
	FUZZ_CHECK(fuzz_has_nul(info->netns_name, sizeof(info->netns_name)));
	for (size_t i = 0; i < n; i++) {
		const struct sysctl_change *c = undo_record_knob(rec, i);

		FUZZ_CHECK(c != NULL);
		FUZZ_CHECK(has_prefix(c->name, "net.netfilter.") ||
			   has_prefix(c->name, "module.nf_conntrack."));
		FUZZ_CHECK(fuzz_has_nul(c->name, sizeof(c->name)));
		FUZZ_CHECK(fuzz_has_nul(c->old_value, sizeof(c->old_value)));
		FUZZ_CHECK(fuzz_has_nul(c->new_value, sizeof(c->new_value)));
		FUZZ_CHECK(strchr(c->old_value, '\n') == NULL &&
			   strchr(c->new_value, '\n') == NULL);
	}
	FUZZ_CHECK(undo_record_knob(rec, n) == NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct undo_record *const poison = (struct undo_record *)(uintptr_t)0xa5a5a5a5;
	struct undo_record *rec = poison;
	struct undo_error err;
	int rc;

	if (size > UNDO_MAX_BYTES)
		return 0;
	write_file(data, size);
	memset(&err, FUZZ_POISON, sizeof(err));
	rc = undo_load(memfd_path, &rec, &err);
	FUZZ_CHECK(rc == 0 || rc == -EBADMSG || rc == -EINVAL || rc == -EPROTONOSUPPORT ||
		   rc == -ENOMEM);
	if (rc < 0) {
		FUZZ_CHECK(rec == poison);
		FUZZ_CHECK(fuzz_has_nul(err.msg, sizeof(err.msg)) && err.msg[0] != '\0');
	} else {
		FUZZ_CHECK(rec != poison && rec != NULL);
		check_record(rec);
		undo_record_free(rec);
	}
	return 0;
}
