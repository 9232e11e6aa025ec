/*
 * The failback probe schedule: when the next probe of the primary starts,
 * whether one is in flight, and how many succeeded in a row.  At most one
 * probe is in flight; the next is due an interval after the previous one
 * started (at once if that already passed).  Pure; the caller turns its
 * answers into PROBE / CANCEL_PROBE actions.
 */
#ifndef LIFELINE_PROBE_SCHEDULE_H
#define LIFELINE_PROBE_SCHEDULE_H

#include <stdint.h>

struct probe_schedule
{
  int active;         /* probing is on */
  int in_flight;
  int64_t base_due;   /* next probe, before the target's blacklist and quarantine */
  int64_t started_at; /* of the probe in flight */
  int successes;      /* consecutive */
};

/* Probing on, count 0, the first probe INTERVAL_MS from NOW_MS. */
void probe_schedule_start(struct probe_schedule *self, int64_t now_ms, int64_t interval_ms);

/* Probing off.  Returns whether a probe was in flight (the caller cancels it). */
int probe_schedule_stop(struct probe_schedule *self);

/* When the next probe may start, given the end of the target's blacklist or
 * quarantine (BLOCKED_UNTIL_MS, INT64_MAX for good); INT64_MAX when probing is
 * off or a probe is in flight. */
int64_t probe_schedule_due(const struct probe_schedule *self, int64_t blocked_until_ms);

/* When the probe in flight times out; INT64_MAX when none is. */
int64_t probe_schedule_deadline(const struct probe_schedule *self, int64_t timeout_ms);

void probe_schedule_begin(struct probe_schedule *self, int64_t now_ms);

/* The probe in flight ended, successfully (OK) or not.  Returns the number of
 * consecutive successes (0 after a failure). */
int probe_schedule_finish(struct probe_schedule *self, int ok, int64_t now_ms, int64_t interval_ms);

/* The target may not be probed for now (blacklisted): a probe in flight ends
 * (returns 1, the caller cancels it) and the count restarts. */
int probe_schedule_interrupt(struct probe_schedule *self, int64_t now_ms, int64_t interval_ms);

#endif
