/*
 * The syslog() driver's wire format, pure: RFC 6587 octet-counted frames
 * ("LEN SP MSG") whose MSG is an RFC 5424 message.
 *
 *  - A line that already is an RFC 5424 message (syslog_is_rfc5424) is MSG
 *    as it is: pass-through, byte for byte.
 *  - Any other line gets the header "<PRI>1 TIMESTAMP HOSTNAME APP-NAME - - - "
 *    in front of it; the line itself is not changed.
 *
 * TIMESTAMP is RFC 3339 in UTC with microseconds, "2024-05-01T12:34:56.789012Z":
 * UTC needs no time zone database and reads the same on every machine.
 *
 * No I/O, no clock reads, no allocation: the caller passes the current time
 * and keeps every buffer (struct syslog_template once per destination, struct
 * syslog_prefix reused for every message).
 */
#ifndef LIFELINE_SYSLOG_FORMAT_H
#define LIFELINE_SYSLOG_FORMAT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* RFC 5424 maxima of the header fields lifeline fills. */
#define SYSLOG_HOSTNAME_MAX 255
#define SYSLOG_APP_NAME_MAX 48

#define SYSLOG_FACILITY_MAX 23
#define SYSLOG_SEVERITY_MAX 7
/* The defaults of syslog-ng for a message without a priority: user.notice. */
#define SYSLOG_DEFAULT_FACILITY 1
#define SYSLOG_DEFAULT_SEVERITY 5
#define SYSLOG_DEFAULT_APP_NAME "lifeline"

/* "2024-05-01T12:34:56.789012Z" */
#define SYSLOG_TIMESTAMP_LEN 27
/* "<191>1 " */
#define SYSLOG_PRI_VERSION_MAX 7
/* " HOSTNAME APP-NAME - - - " */
#define SYSLOG_TAIL_MAX (1 + SYSLOG_HOSTNAME_MAX + 1 + SYSLOG_APP_NAME_MAX + 7)
#define SYSLOG_HEADER_MAX (SYSLOG_PRI_VERSION_MAX + SYSLOG_TIMESTAMP_LEN + SYSLOG_TAIL_MAX)
/* "LEN SP": LEN of a size_t has at most 20 digits. */
#define SYSLOG_COUNT_MAX 21
/* The most bytes a frame adds to a line: the octet count and a header. */
#define SYSLOG_FRAME_OVERHEAD_MAX (SYSLOG_COUNT_MAX + SYSLOG_HEADER_MAX)

/* Facility and severity by name, as syslog-ng names them (case-insensitive:
 * "local0", "auth", "security" is 13; "err"/"error", "warn"/"warning", ...),
 * or by number ("16").  -1 when NAME is neither. */
int syslog_facility_from_name(const char *name);
int syslog_severity_from_name(const char *name);
/* The canonical name of a code (the first of its names above); NULL when out of range. */
const char *syslog_facility_name(int facility);
const char *syslog_severity_name(int severity);

/* Copies IN into OUT as a header field: every byte outside printable US-ASCII
 * without space (33..126) becomes '_', the result is cut at MAX bytes, and an
 * empty IN becomes "-" (NILVALUE).  OUT holds MAX + 1 bytes; returns the
 * length written (NUL-terminated). */
size_t syslog_sanitize_field(char *out, size_t max, const char *in);

/* True when DATA (LEN bytes) is an RFC 5424 message: "<PRI>1 " with PRI
 * 0..191 (no leading zeros), a TIMESTAMP or "-", HOSTNAME, APP-NAME, PROCID
 * and MSGID within their lengths and characters, STRUCTURED-DATA ("-" or
 * well-formed "[...]" elements), then the end or SP and any MSG.  Anything
 * doubtful is "no": a wrapped line is still a valid message. */
int syslog_is_rfc5424(const uint8_t *data, size_t len);

/* The fixed parts of the header, built once (at create time). */
struct syslog_template
{
  char pri_version[SYSLOG_PRI_VERSION_MAX + 1]; /* "<13>1 " */
  size_t pri_version_len;
  char tail[SYSLOG_TAIL_MAX + 1]; /* " host lifeline - - - " */
  size_t tail_len;
};

/* FACILITY 0..23 and SEVERITY 0..7 (clamped); HOSTNAME and APP_NAME are
 * sanitized here (syslog_sanitize_field), so any text is safe. */
void syslog_template_init(struct syslog_template *self, int facility, int severity, const char *hostname,
                          const char *app_name);

/* NOW as TIMESTAMP into BUF (at least SYSLOG_TIMESTAMP_LEN bytes, not
 * NUL-terminated); returns the length: SYSLOG_TIMESTAMP_LEN, or 1 ("-") for
 * a time before 1970 or after 9999. */
size_t syslog_format_timestamp(char *buf, const struct timespec *now);

/* The header for NOW into BUF (at least SYSLOG_HEADER_MAX bytes, not
 * NUL-terminated); returns its length. */
size_t syslog_format_header(const struct syslog_template *tmpl, const struct timespec *now, char *buf);

/* "LEN SP" for a message of MSG_LEN bytes into BUF (at least
 * SYSLOG_COUNT_MAX bytes, not NUL-terminated); returns its length. */
size_t syslog_format_octet_count(size_t msg_len, char *buf);

/* The frame's bytes before the line: built back to front so that the count
 * lands right before the header without moving it. */
struct syslog_prefix
{
  char buf[SYSLOG_FRAME_OVERHEAD_MAX];
};

/* The frame of one line is *PREFIX_OUT (PREFIX_LEN_OUT bytes, pointing into
 * PREFIX) followed by the line unchanged: "LEN SP" + LINE for an RFC 5424
 * line, "LEN SP" + header + LINE for any other.  Returns 1 when the line was
 * passed through, 0 when it was wrapped. */
int syslog_frame_prefix(struct syslog_prefix *prefix, const struct syslog_template *tmpl,
                        const struct timespec *now, const uint8_t *line, size_t len,
                        const char **prefix_out, size_t *prefix_len_out);

#endif
