/* render_plan_kube.c: kube-proxy in the plan report (render_plan_kube.h).
 * Its figures follow pkg/proxy/conntrack/sysctls.go: since Kubernetes 1.36
 * (PR 137002) maxPerCore x CPUs is capped at 1048576; releases before the
 * fix of PR 142035 write max whenever it differs, later ones only raise it. */
#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

#include "escape.h"
#include "jsonw.h"
#include "render_plan_kube.h"
#include "textwrap.h"

#define KUBE_TEXT_LEN 1400

static const char *const src_names[] = {"defaults", "flags", "config", "config-unreadable"};
static const char *const effect_names[] = {"not-running", "leaves", "agrees",
					   "raises",      "lowers", "unknown"};

/* "from pid N's command line", "from its --config file PATH", ... */
static void source_text(char *buf, size_t len, const struct render_plan *p)
{
	const struct owners_item *k = p->kube_proxy;

	switch (p->in->kube.src) {
	case PLAN_KUBE_DEFAULTS:
		snprintf(buf, len, "kube-proxy's defaults (none runs here)");
		break;
	case PLAN_KUBE_FLAGS:
		snprintf(buf, len, "%s's command line%s", k ? k->source : "its",
			 p->in->kube.per_core < 0 && p->in->kube.min < 0 ? " (defaults)" : "");
		break;
	case PLAN_KUBE_CONFIG:
		snprintf(buf, len, "%s's --config file %s", k ? k->source : "its",
			 k ? k->kube.config : "");
		break;
	case PLAN_KUBE_UNREAD:
		snprintf(buf, len, "%s's --config file %s, unreadable: its defaults assumed",
			 k ? k->source : "its", k ? k->kube.config : "");
		break;
	}
}

void render_plan_kube_rows(FILE *out, const struct render_plan *p,
			   void (*row)(FILE *, const char *, const struct plan_sizing *))
{
	const struct plan_result *r = p->res;
	char label[64], src[OWNERS_PATH_LEN + OWNERS_VALUE_LEN + 64], buf[sizeof(src) + 160];
	struct tw w = {.out = out};

	source_text(src, sizeof(src), p);
	if (r->kube_per_core == 0) {
		fprintf(out, "  %-28s %s\n", "kube-proxy", "leaves max alone (max-per-core 0)");
		snprintf(buf, sizeof(buf), "(--conntrack-max-per-core=0: from %s)", src);
	} else {
		snprintf(label, sizeof(label), "kube-proxy 1.36+ (%u CPUs)", p->in->cpus);
		row(out, label, &r->kube);
		if (r->kube_old.max != r->kube.max)
			row(out, "kube-proxy before 1.36", &r->kube_old);
		snprintf(buf, sizeof(buf),
			 "(max(%" PRIu64 " per core x %u CPUs, min %" PRIu64 ")%s: values from %s)",
			 r->kube_per_core, p->in->cpus, r->kube_min,
			 r->kube_old.max != r->kube.max
			     ? ", per core x CPUs capped at 1048576 since 1.36"
			     : "",
			 src);
	}
	tw_startf(&w, 4, "    ");
	tw_words(&w, buf);
	tw_end(&w);
}

/* What to set so that kube-proxy writes max m: per-core x CPUs when it
 * reaches m under the cap, else min m with per-core 1 (max(CPUs, m)). */
static void what_to_set(char *buf, size_t len, uint64_t m, unsigned cpus)
{
	uint64_t pc = (m + cpus - 1) / cpus;

	if (pc * cpus <= PLAN_KUBE_CAP)
		snprintf(buf, len,
			 "--conntrack-max-per-core=%" PRIu64 " (conntrack.maxPerCore: %" PRIu64
			 " in a --config file; %" PRIu64 " x %u CPUs = %" PRIu64 ")",
			 pc, pc, pc, cpus, pc * cpus);
	else
		snprintf(buf, len,
			 "--conntrack-max-per-core=1 --conntrack-min=%" PRIu64
			 " (conntrack.maxPerCore: 1, conntrack.min: %" PRIu64
			 " in a --config file: 1.36+ caps per-core x CPUs at 1048576)",
			 m, m);
}

/* The advice as one paragraph (unescaped: the config path is the host's);
 * "" when kube-proxy does not run. */
static void advice(char *buf, size_t len, const struct render_plan *p)
{
	const struct plan_result *r = p->res;
	const char *who = p->kube_proxy ? p->kube_proxy->source : "?";
	char set[320];

	buf[0] = '\0';
	what_to_set(set, sizeof(set), r->rec.max, p->in->cpus);
	switch (r->kube_effect) {
	case PLAN_KUBE_NOT_RUNNING:
		break;
	case PLAN_KUBE_LEAVES:
		snprintf(buf, len,
			 "kube-proxy (%s) runs with max-per-core 0: it leaves nf_conntrack_max "
			 "and the hash size alone, so the recommendation stays.",
			 who);
		break;
	case PLAN_KUBE_AGREES:
		snprintf(buf, len,
			 "kube-proxy (%s) writes the same nf_conntrack_max (%" PRIu64
			 ") at its next start.",
			 who, r->kube.max);
		break;
	case PLAN_KUBE_UNKNOWN:
		snprintf(buf, len,
			 "kube-proxy (%s) runs with --config %s, which could not be read: it may "
			 "set nf_conntrack_max at its next start. Check conntrack.maxPerCore "
			 "there: set %s, or 0 to leave max alone.",
			 who, p->kube_proxy ? p->kube_proxy->kube.config : "", set);
		break;
	case PLAN_KUBE_RAISES:
	case PLAN_KUBE_LOWERS:
		snprintf(buf, len,
			 "WARNING: kube-proxy (%s) sets nf_conntrack_max = %" PRIu64
			 " at its next start, over the recommended %" PRIu64 " (%s). Set %s so "
			 "that it writes the recommendation, or --conntrack-max-per-core=0 "
			 "(conntrack.maxPerCore: 0) to leave max alone and keep the value apply "
			 "persists.",
			 who, r->kube.max, r->rec.max,
			 r->kube_effect == PLAN_KUBE_RAISES
			     ? (r->kube_old.max != r->kube.max ? "every release raises it; before "
								 "1.36, without the cap, further"
							       : "every release raises it")
			     : "releases before the fix of Kubernetes PR 142035 write it whenever "
			       "it differs; later ones only raise it",
			 set);
		break;
	}
}

void render_plan_kube_text(FILE *out, const struct render_plan *p)
{
	char buf[KUBE_TEXT_LEN];
	struct tw w = {.out = out};

	advice(buf, sizeof(buf), p);
	if (buf[0] == '\0')
		return;
	tw_startf(&w, 2, "  ");
	tw_words(&w, buf);
	tw_end(&w);
}

json_t *render_plan_kube_json(const struct render_plan *p)
{
	const struct plan_result *r = p->res;
	char buf[KUBE_TEXT_LEN];

	advice(buf, sizeof(buf), p);
	return json_pack(
	    "{s:b, s:o, s:s, s:o, s:o, s:o, s:s, s:o, s:o, s:o, s:b, s:s, s:o}", "running",
	    p->in->kube.src != PLAN_KUBE_DEFAULTS, "process",
	    jw_str(p->kube_proxy ? p->kube_proxy->source : NULL), "values_from",
	    src_names[p->in->kube.src], "config",
	    jw_str(p->kube_proxy && p->kube_proxy->kube.config[0] ? p->kube_proxy->kube.config
								  : NULL),
	    "max_per_core", jw_u64(r->kube_per_core), "min", jw_u64(r->kube_min), "rule",
	    "1.36+: max(maxPerCore x cpus, min), maxPerCore x cpus capped at 1048576", "max",
	    jw_u64(r->kube.max), "buckets", jw_u64(r->kube.buckets), "max_before_1_36",
	    jw_u64(r->kube_old.max), "leaves_max", r->kube_per_core == 0, "effect",
	    effect_names[r->kube_effect], "advice", jw_str(buf[0] ? buf : NULL));
}
