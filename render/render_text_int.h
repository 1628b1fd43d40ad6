/* render_text_int.h: what the files of render_text share (not for other
 * modules: render.h is the interface). */
#ifndef CTADVISOR_RENDER_TEXT_INT_H
#define CTADVISOR_RENDER_TEXT_INT_H

#include <stddef.h>

#include "../rules/rules.h"
#include "../rules/snapshot.h"
#include "textwrap.h"

#define TXT_KEY    15 /* "  " plus the key column of a section line */
#define ANSI_RESET "\033[0m"

/* The ANSI colour and the "[WARN]" tag of a severity. */
const char *render_text_sev_color(enum rules_sev sev);
const char *render_text_sev_tag(enum rules_sev sev);
/* Whole numbers without decimals, others with two; returns buf. */
const char *render_text_num(char *buf, size_t size, double v);
void render_text_nat(struct tw *t, const struct snap_nat_worst *n);
void render_text_all_netns(struct tw *t, const struct snap_all_netns *all);

#endif
