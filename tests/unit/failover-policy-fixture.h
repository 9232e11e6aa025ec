/*
 * The shared fixture of the failover policy suites: a policy on a fake
 * clock with a fixed seed, fed one event at a time.
 *
 * Each STEP feeds one event and compares the actions it returns, formatted
 * by failover_actions_format(), with the exact expected sequence.  The
 * rules under test are listed in docs/failover.md.
 *
 * The helpers keep short names so that the tests read as event tables.
 * The fixture owns POLICY: make() replaces it, teardown() frees it.
 */
#ifndef LIFELINE_TESTS_FAILOVER_POLICY_FIXTURE_H
#define LIFELINE_TESTS_FAILOVER_POLICY_FIXTURE_H

#include <criterion/criterion.h>

#include "core/failover-policy.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* The most actions the current rules produce for one event (see docs). */
#define ACTIONS_BOUND 6

/* Set by setup() to the defaults with 3 servers and seed 42; tests adjust them before make(). */
extern struct failover_policy_options opts;
extern struct failover_policy *policy;

/* Criterion .init / .fini of every suite. */
void setup(void);
void teardown(void);

/* Builds POLICY from OPTS, freeing the previous one. */
void make(void);

struct failover_event ev(enum failover_event_type type, int server, enum failover_reason reason,
                         int64_t duration_ms);

#define START ev(FAILOVER_EVENT_START, -1, FAILOVER_REASON_NONE, 0)
#define CONNECTED(s) ev(FAILOVER_EVENT_CONNECTED, (s), FAILOVER_REASON_NONE, 0)
#define REFUSED(s) ev(FAILOVER_EVENT_CONNECT_FAILED, (s), FAILOVER_REASON_REFUSED, 0)
#define CONNECT_FAILED(s, r) ev(FAILOVER_EVENT_CONNECT_FAILED, (s), (r), 0)
#define CLOSED(s) ev(FAILOVER_EVENT_CLOSED, (s), FAILOVER_REASON_RESET, 0)
#define CLOSED_BY(s, r) ev(FAILOVER_EVENT_CLOSED, (s), (r), 0)
#define STALLED(s) ev(FAILOVER_EVENT_STALLED, (s), FAILOVER_REASON_NONE, 0)
#define PROBE_OK ev(FAILOVER_EVENT_PROBE_OK, 0, FAILOVER_REASON_NONE, 0)
#define PROBE_FAILED(r) ev(FAILOVER_EVENT_PROBE_FAILED, 0, (r), 0)
#define TIMER ev(FAILOVER_EVENT_TIMER, -1, FAILOVER_REASON_NONE, 0)
#define SWITCH(s) ev(FAILOVER_EVENT_SWITCH, (s), FAILOVER_REASON_NONE, 0)
#define BLACKLIST(s, d) ev(FAILOVER_EVENT_BLACKLIST, (s), FAILOVER_REASON_NONE, (d))
#define UNBLACKLIST(s) ev(FAILOVER_EVENT_UNBLACKLIST, (s), FAILOVER_REASON_NONE, 0)
#define RESET ev(FAILOVER_EVENT_RESET, -1, FAILOVER_REASON_NONE, 0)

#define DEADLINE failover_policy_next_deadline(policy)
#define NEVER INT64_MAX

/* Feeds E at NOW; returns the formatted actions in a buffer the next feed() overwrites. */
const char *feed(int64_t now, struct failover_event e);

#define STEP(now, event, want)                                                                  \
  do {                                                                                          \
    const char *got_ = feed((now), (event));                                                    \
    cr_assert_str_eq(got_, (want), "at t=%lld %s:\n   got [%s]\n  want [%s]", (long long) (now), \
                     #event, got_, (want));                                                     \
  } while (0)

#define ASSERT_DEADLINE(want)                                                                   \
  cr_assert_eq(DEADLINE, (int64_t) (want), "deadline %lld, want %lld", (long long) DEADLINE,    \
               (long long) (want))

/* The deadline lies in [NOW + LO, NOW + HI]; returns it. */
int64_t deadline_within(int64_t now, int64_t lo, int64_t hi);

struct failover_status status(void);

/* Borrowed from POLICY; NULL for a server index out of range. */
const struct server_state *server(int i);

/* START at 0, every server before TARGET refuses, TARGET connects: all at T=0. */
void up_on(int target);

#endif
