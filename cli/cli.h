/* cli.h: option value parsers shared by the commands. Pure; each writes
 * *out only on success and returns -EINVAL (malformed) or -ERANGE. */
#ifndef CTADVISOR_CLI_H
#define CTADVISOR_CLI_H

#include <stdint.h>

enum cli_format {
	CLI_FORMAT_TEXT,
	CLI_FORMAT_JSON,
	CLI_FORMAT_PROMETHEUS,
};

enum cli_color {
	CLI_COLOR_AUTO,
	CLI_COLOR_ALWAYS,
	CLI_COLOR_NEVER,
};

/* A percentage 0..100, optionally with a trailing '%': "75", "12.5%". */
int cli_parse_pct(const char *s, double *out);
/* A non-negative decimal integer. */
int cli_parse_u64(const char *s, uint64_t *out);
/* "text", "json", "prometheus" (also "prom"). */
int cli_parse_format(const char *s, enum cli_format *out);
/* A duration: a number with an optional unit ms, s, m or h (seconds when
 * none): "500ms", "1s", "2m", "1.5h". At most 30 days; 0 is -ERANGE. */
int cli_parse_duration_ms(const char *s, uint64_t *out);
/* An IP protocol for nf_conntrack_log_invalid: "tcp" 6, "udp" 17,
 * "udplite" 136, "icmp" 1, "icmpv6" 58, "sctp" 132, "dccp" 33, "all" 255. */
int cli_parse_log_proto(const char *s, unsigned *out);
/* "auto", "always", "never". */
int cli_parse_color(const char *s, enum cli_color *out);

#endif
