/* inventory_render.h: the inventory as text, JSON and Prometheus. */
#ifndef CTADVISOR_INVENTORY_RENDER_H
#define CTADVISOR_INVENTORY_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "../analysis/inventory.h"

/* Renderers: 0, or -EIO when writing failed (-ENOMEM for JSON). top: rows
 * in text (0 = all); JSON and Prometheus list every namespace. */
int inventory_render_text(FILE *out, const struct inventory *inv, const struct inv_host *host,
			  size_t top, bool has_walk);
int inventory_render_json(FILE *out, const struct inventory *inv, const struct inv_host *host);
int inventory_render_prom(FILE *out, const struct inventory *inv, const struct inv_host *host);

#endif
