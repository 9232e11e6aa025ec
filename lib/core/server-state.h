/*
 * What the failover policy knows about one server: counters for status, its
 * blacklist and its probe quarantine.  Pure; times are monotonic ms passed in.
 */
#ifndef LIFELINE_SERVER_STATE_H
#define LIFELINE_SERVER_STATE_H

#include "failover-event.h"

#include <stdint.h>

/* blacklisted_until and quarantined_until: 0 = not set, INT64_MAX = until lifted. */
struct server_state
{
  uint64_t connects;          /* live connections established (promoted probes included) */
  uint64_t connect_failures;  /* attempts that failed or timed out */
  uint64_t disconnects;       /* live connections that broke or stalled */
  uint64_t probes_ok;
  uint64_t probes_failed;     /* probe failures and probe timeouts */
  enum failover_reason last_error;
  int64_t last_error_at_ms;   /* 0 = never */
  int64_t connected_since_ms; /* live connection on this server since; -1 = none */
  int64_t blacklisted_until_ms;
  int64_t quarantined_until_ms;
  int quarantine_level;       /* quarantines in a row without a healthy window */
};

void server_state_init(struct server_state *self);

void server_state_note_error(struct server_state *self, enum failover_reason reason, int64_t now_ms);

/* DURATION_MS 0 blacklists until server_state_unblacklist(). */
void server_state_blacklist(struct server_state *self, int64_t now_ms, int64_t duration_ms);
void server_state_unblacklist(struct server_state *self);
int server_state_is_blacklisted(const struct server_state *self, int64_t now_ms);

/* Starts the next quarantine: BASE_MS * 2^level capped at MAX_MS from NOW_MS,
 * and raises the level.  Returns the end of the quarantine. */
int64_t server_state_quarantine(struct server_state *self, int64_t now_ms, int64_t base_ms, int64_t max_ms);
void server_state_forgive(struct server_state *self);

/* Probing this server is not allowed before the returned time (0 = allowed):
 * the later of the blacklist and the quarantine end, INT64_MAX while it is
 * blacklisted until lifted. */
int64_t server_state_probe_blocked_until(const struct server_state *self);

/* A saturating a + b for non-negative B. */
int64_t server_state_time_add(int64_t a, int64_t b);

#endif
