/* logparse_json.h: journalctl -o json and Docker json-file records for
 * logparse: decoded here (jansson), classified by the pure parser. */
#ifndef CTADVISOR_LOGPARSE_JSON_H
#define CTADVISOR_LOGPARSE_JSON_H

#include <stddef.h>

#include "../logparse/logparse.h"

/* A line that is a JSON record of either kind goes to agg as a record:
 * 1. Anything else (not JSON, no MESSAGE or log member): 0, nothing done. */
int logparse_json_feed(struct logparse_agg *agg, const char *line, size_t len);

#endif
