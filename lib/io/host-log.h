/*
 * Structured logging through the host: a sentence plus key/value tags, so
 * every line about a server names it:
 *   "Connection broken; server=127.0.0.1:601 reason=connection-reset resend=12"
 */
#ifndef LIFELINE_HOST_LOG_H
#define LIFELINE_HOST_LOG_H

#include <lifeline/plugin.h>

#define HOST_LOG_MAX_TAGS 16

/* Tags follow MESSAGE as key, value pairs, ended by a NULL key.  Values are
 * strings; NULL values are skipped.  Borrowed; nothing is kept.  Values may
 * hold any bytes (server names and peer data from outside): the host escapes
 * them, so a newline or a quote in a value cannot forge or split a line. */
void host_log(const struct lifeline_host *host, int level, const char *message, ...)
  __attribute__((sentinel));

#endif
