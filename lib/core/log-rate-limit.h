/*
 * Rate limiting of internal log messages per kind (the message's sentence):
 * many destinations failing together must not flood the log.  Within each
 * window, the first `burst` messages of a kind pass; the rest are counted,
 * and the next message of that kind after the window reports how many were
 * suppressed.  Pure: the caller passes the time.
 */
#ifndef LIFELINE_LOG_RATE_LIMIT_H
#define LIFELINE_LOG_RATE_LIMIT_H

#include <stdint.h>

struct log_rate_limit;

/* window_ms > 0, burst >= 1.  Freed with log_rate_limit_free(). */
struct log_rate_limit *log_rate_limit_new(int64_t window_ms, unsigned burst);
void log_rate_limit_free(struct log_rate_limit *self);

/* 1 when a message of KIND may be logged now; then *suppressed is how many of
 * that kind were held back since the last one that passed (0 usually). 0 when
 * it is held back (and counted).  KIND is compared as a string and copied. */
int log_rate_limit_allow(struct log_rate_limit *self, const char *kind, int64_t now_ms, uint64_t *suppressed);

#endif
