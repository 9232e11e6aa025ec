/*
 * The failover policy's contract with its callers: status and names, API
 * edges, replayed stories, and random event streams checked against a
 * model of the shell.  The fixture (fake clock, STEP) is in
 * failover-policy-fixture.h.
 */
#include "failover-policy-fixture.h"

/* ======================================================================
 * Status, names, API edges
 * ==================================================================== */

TestSuite(status, .init = setup, .fini = teardown);

Test(status, reports_state_role_and_per_server_counters)
{
  opts.failback = 1;
  make();
  STEP(0, START, "connect(0)");
  struct failover_status st = status();
  cr_assert_eq(st.state, FAILOVER_STATE_CONNECTING);
  cr_assert_eq(st.current_server, 0);
  cr_assert_eq(st.role, FAILOVER_ROLE_PRIMARY);
  cr_assert_eq(st.last_connected_server, -1);
  cr_assert_eq(st.pass_attempts, 1);
  cr_assert_eq(st.next_deadline_ms, 5000);
  STEP(7, CONNECT_FAILED(0, FAILOVER_REASON_RESOLVE_FAILED), "connect-failed(0, resolve-failed); connect(1)");
  STEP(8, CONNECTED(1), "connected(1, failover); on-failover(1)");
  st = status();
  cr_assert_eq(st.state, FAILOVER_STATE_CONNECTED);
  cr_assert_eq(st.role, FAILOVER_ROLE_FAILOVER);
  cr_assert_eq(st.last_connected_server, 1);
  cr_assert_eq(st.connected_since_ms, 8);
  cr_assert(st.probing);
  cr_assert_not(st.probe_in_flight);
  cr_assert_eq(st.next_probe_at_ms, 60008);
  cr_assert_eq(server(0)->connect_failures, 1);
  cr_assert_eq(server(0)->last_error, FAILOVER_REASON_RESOLVE_FAILED);
  cr_assert_eq(server(0)->last_error_at_ms, 7);
  cr_assert_eq(server(1)->connects, 1);
  cr_assert_eq(server(1)->connected_since_ms, 8);
  cr_assert_eq(server(2)->connects, 0);
  cr_assert_null(server(3));
  cr_assert_null(server(-1));
  cr_assert_eq(failover_policy_n_servers(policy), 3);
  STEP(60008, TIMER, "probe(0)");
  cr_assert(status().probe_in_flight);
  STEP(60009, STALLED(1), "close(1); disconnected(1, stalled); connect(2)");
  cr_assert_eq(server(1)->connected_since_ms, -1);
  cr_assert_eq(server(1)->disconnects, 1);
  cr_assert_eq(failover_policy_state(policy), FAILOVER_STATE_CONNECTING);
}

Test(status, names)
{
  cr_assert_str_eq(failover_state_name(FAILOVER_STATE_IDLE), "idle");
  cr_assert_str_eq(failover_state_name(FAILOVER_STATE_CONNECTING), "connecting");
  cr_assert_str_eq(failover_state_name(FAILOVER_STATE_CONNECTED), "connected");
  cr_assert_str_eq(failover_state_name(FAILOVER_STATE_WAITING), "waiting");
  cr_assert_str_eq(failover_state_name(FAILOVER_STATE_BLOCKED), "blocked");
  cr_assert_str_eq(failover_role_name(FAILOVER_ROLE_PRIMARY), "primary");
  cr_assert_str_eq(failover_role_name(FAILOVER_ROLE_FAILOVER), "failover");
  cr_assert_str_eq(failover_reason_name(FAILOVER_REASON_REFUSED), "connection-refused");
  cr_assert_str_eq(failover_reason_name((enum failover_reason) 999), "unknown");
  cr_assert_str_eq(failover_event_type_name(FAILOVER_EVENT_PROBE_OK), "probe-ok");
  cr_assert_str_eq(failover_action_type_name(FAILOVER_ACTION_PROMOTE_PROBE), "promote-probe");

  /* Every reason has its own name, fit for a key=value log tag. */
  for (int i = 0; i < FAILOVER_REASON_COUNT_; i++)
    {
      const char *a = failover_reason_name((enum failover_reason) i);
      cr_assert_str_neq(a, "unknown", "reason %d", i);
      cr_assert_null(strpbrk(a, " =\""), "reason %s", a);
      for (int j = 0; j < i; j++)
        cr_assert_str_neq(a, failover_reason_name((enum failover_reason) j));
    }
}

Test(status, action_format_covers_every_emit)
{
  struct failover_action a = { .type = FAILOVER_ACTION_EMIT, .server = 2, .from = 1,
                               .reason = FAILOVER_REASON_STALLED, .role = FAILOVER_ROLE_FAILOVER,
                               .count = 4, .until_ms = 99 };
  char buf[128];
  const struct
  {
    enum failover_emit emit;
    const char *text;
  } cases[] = {
    { FAILOVER_EMIT_CONNECT_FAILED, "connect-failed(2, stalled)" },
    { FAILOVER_EMIT_DISCONNECTED, "disconnected(2, stalled)" },
    { FAILOVER_EMIT_SERVER_CHANGED, "server-changed(1->2, stalled)" },
    { FAILOVER_EMIT_CONNECTED, "connected(2, failover)" },
    { FAILOVER_EMIT_ON_FAILOVER, "on-failover(2)" },
    { FAILOVER_EMIT_EXHAUSTED, "exhausted(4)" },
    { FAILOVER_EMIT_RECOVERED, "recovered(2, 4)" },
    { FAILOVER_EMIT_PROBE_OK, "probe-ok(2, 4)" },
    { FAILOVER_EMIT_PROBE_FAILED, "probe-failed(2, stalled)" },
    { FAILOVER_EMIT_QUARANTINED, "quarantined(2, until=99)" },
    { FAILOVER_EMIT_ALL_BLACKLISTED, "all-blacklisted" },
    { FAILOVER_EMIT_COMMAND_REJECTED, "command-rejected(2, stalled)" },
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
    {
      a.emit = cases[i].emit;
      cr_assert_str_eq(failover_action_format(&a, buf, sizeof(buf)), cases[i].text);
      cr_assert_str_neq(failover_emit_name(cases[i].emit), "unknown");
    }
  a.type = FAILOVER_ACTION_CANCEL_PROBE;
  a.server = 0;
  cr_assert_str_eq(failover_action_format(&a, buf, sizeof(buf)), "cancel-probe(0)");

  struct failover_action two[2] = { { .type = FAILOVER_ACTION_CLOSE, .server = 1 },
                                    { .type = FAILOVER_ACTION_CONNECT, .server = 2 } };
  cr_assert_str_eq(failover_actions_format(two, 2, buf, sizeof(buf)), "close(1); connect(2)");
  cr_assert_str_eq(failover_actions_format(two, 2, buf, 5), "clos");
  cr_assert_str_eq(failover_actions_format(two, 0, buf, sizeof(buf)), "");
}

TestSuite(api, .init = setup, .fini = teardown);

Test(api, defaults)
{
  struct failover_policy_options o;
  failover_policy_options_defaults(&o);
  cr_assert_eq(o.n_servers, 1);
  cr_assert_eq(o.failback, 0);
  cr_assert_eq(o.time_reopen_ms, 1000);
  cr_assert_eq(o.reconnect_backoff_max_ms, 60000);
  cr_assert_eq(o.failover_jitter_ms, 0);
  cr_assert_eq(o.retries_per_server, 1);
  cr_assert_eq(o.try_count, 0);
  cr_assert_eq(o.on_exhausted_drop, 0);
  cr_assert_eq(o.probe_interval_ms, 60000);
  cr_assert_eq(o.probe_timeout_ms, 5000);
  cr_assert_eq(o.probes_required, 3);
  cr_assert_eq(o.connect_timeout_ms, 5000);
  cr_assert_eq(o.quarantine_window_ms, 300000);
  cr_assert_eq(o.quarantine_base_ms, 300000);
  cr_assert_eq(o.quarantine_max_ms, 3600000);
  cr_assert_null(failover_policy_options_check(&o));
}

Test(api, every_bad_option_is_refused)
{
  struct failover_policy_options o;
#define BAD(field, value)                                                        \
  do {                                                                           \
    failover_policy_options_defaults(&o);                                        \
    o.field = (value);                                                           \
    const char *msg_ = failover_policy_options_check(&o);                        \
    cr_assert_not_null(msg_, #field " = " #value " accepted");                   \
    cr_assert_not_null(strstr(msg_, #field), "message names " #field ": %s", msg_); \
    cr_assert_null(failover_policy_new(&o));                                     \
  } while (0)
  BAD(n_servers, 0);
  BAD(n_servers, FAILOVER_SERVERS_MAX + 1);
  BAD(time_reopen_ms, 0);
  BAD(reconnect_backoff_max_ms, -1);
  BAD(failover_jitter_ms, -1);
  BAD(retries_per_server, -1);
  BAD(try_count, -1);
  BAD(probe_interval_ms, 0);
  BAD(probe_timeout_ms, 0);
  BAD(probes_required, 0);
  BAD(connect_timeout_ms, 0);
  BAD(quarantine_window_ms, -1);
  BAD(quarantine_base_ms, 0);
  BAD(quarantine_max_ms, 0);
#undef BAD
  cr_assert_not_null(failover_policy_options_check(NULL));
  cr_assert_null(failover_policy_new(NULL));
}

Test(api, handle_refuses_a_short_array_and_null_arguments)
{
  make();
  struct failover_action out[FAILOVER_ACTIONS_MAX];
  struct failover_event start = START;
  cr_assert_eq(failover_policy_handle(policy, &start, 0, out, FAILOVER_ACTIONS_MAX - 1), 0);
  cr_assert_eq(failover_policy_handle(policy, NULL, 0, out, FAILOVER_ACTIONS_MAX), 0);
  cr_assert_eq(failover_policy_handle(policy, &start, 0, NULL, FAILOVER_ACTIONS_MAX), 0);
  cr_assert_eq(failover_policy_handle(NULL, &start, 0, out, FAILOVER_ACTIONS_MAX), 0);
  cr_assert_eq(status().state, FAILOVER_STATE_IDLE, "nothing happened");
  STEP(0, START, "connect(0)");
}

Test(api, free_accepts_null)
{
  failover_policy_free(NULL);
}

Test(api, stale_events_are_ignored)
{
  make();
  STEP(0, START, "connect(0)");
  STEP(1, CONNECTED(1), "");
  STEP(2, REFUSED(2), "");
  STEP(3, STALLED(0), "");
  STEP(4, PROBE_OK, "");
  STEP(5, PROBE_FAILED(FAILOVER_REASON_REFUSED), "");
  STEP(6, CONNECTED(0), "connected(0, primary)");
  STEP(7, CLOSED(1), "");
  STEP(8, REFUSED(0), "");
  STEP(9, CONNECTED(0), "");
  STEP(10, CONNECTED(99), "");
  STEP(11, CLOSED(-1), "");
  struct failover_event bogus = ev((enum failover_event_type) 77, 0, FAILOVER_REASON_NONE, 0);
  STEP(12, bogus, "");
  cr_assert_eq(status().current_server, 0);
}

/* ======================================================================
 * A table-driven replay: the story in failback mode
 * ==================================================================== */

#define AT_DEADLINE (-1)

struct replay_step
{
  int64_t at; /* AT_DEADLINE: at failover_policy_next_deadline() */
  struct failover_event event;
  const char *want;
};

static void
replay(const struct replay_step *steps, size_t n)
{
  int64_t now = 0;
  for (size_t i = 0; i < n; i++)
    {
      now = steps[i].at == AT_DEADLINE ? DEADLINE : steps[i].at;
      const char *got = feed(now, steps[i].event);
      cr_assert_str_eq(got, steps[i].want, "step %zu at t=%lld (%s):\n   got [%s]\n  want [%s]", i,
                       (long long) now, failover_event_type_name(steps[i].event.type), got, steps[i].want);
    }
}

TestSuite(replay, .init = setup, .fini = teardown);

/* network("primary" failover(servers("backup1" "backup2") failback(tcp-probe-interval(60)
 * successful-probes-required(3)))): the primary dies mid-stream and backup1 takes over;
 * backup1 dies and backup2 times out, so that failover pass fails and the next pass
 * starts with the primary (still down) and lands on backup2; the primary comes back and
 * is failed back to after three consecutive probes, one failing first. */
Test(replay, primary_dies_backups_take_over_and_failback_after_three_probes)
{
  opts.failback = 1;
  make();
  const struct replay_step story[] = {
    { 0, START, "connect(0)" },
    { 20, CONNECTED(0), "connected(0, primary)" },
    { 100000, CLOSED(0), "disconnected(0, connection-reset); connect(0)" },
    { 100001, REFUSED(0), "connect-failed(0, connection-refused); connect(1)" },
    { 100010, CONNECTED(1), "server-changed(0->1, connection-reset); connected(1, failover); on-failover(1)" },
    { 130000, CLOSED_BY(1, FAILOVER_REASON_CLOSED_BY_PEER), "disconnected(1, closed-by-peer); connect(1)" },
    { 130001, REFUSED(1), "connect-failed(1, connection-refused); connect(2)" },
    { AT_DEADLINE, TIMER, "close(2); connect-failed(2, timeout)" }, /* 135001: the pass failed */
    { AT_DEADLINE, TIMER, "connect(0)" },                           /* nothing connected: primary first */
    { 137000, REFUSED(0), "connect-failed(0, connection-refused); connect(1)" },
    { 137001, REFUSED(1), "connect-failed(1, connection-refused); connect(2)" },
    { 137002, CONNECTED(2), "server-changed(1->2, closed-by-peer); connected(2, failover); on-failover(2)" },
    { AT_DEADLINE, TIMER, "probe(0)" }, /* 197002 */
    { 197003, PROBE_FAILED(FAILOVER_REASON_REFUSED), "probe-failed(0, connection-refused)" },
    { AT_DEADLINE, TIMER, "probe(0)" }, /* 257002 */
    { 257010, PROBE_OK, "probe-ok(0, 1); cancel-probe(0)" },
    { AT_DEADLINE, TIMER, "probe(0)" },
    { 317010, PROBE_OK, "probe-ok(0, 2); cancel-probe(0)" },
    { AT_DEADLINE, TIMER, "probe(0)" },
    { 377010, PROBE_OK, "probe-ok(0, 3); promote-probe(0); server-changed(2->0, failback); connected(0, primary)" },
    { 400000, TIMER, "" },
  };
  replay(story, sizeof(story) / sizeof(story[0]));
  cr_assert_eq(DEADLINE, NEVER);
  cr_assert_eq(server(0)->connects, 2);
  cr_assert_eq(server(1)->connects, 1);
  cr_assert_eq(server(2)->connects, 1);
  cr_assert_eq(server(2)->connect_failures, 1);
  cr_assert_eq(server(0)->probes_ok, 3);
  cr_assert_eq(server(0)->probes_failed, 1);
}

/* Round-robin, everything down at start, then backup2 answers: passes with growing
 * waits, exhaustion after try-count(2), recovery. */
Test(replay, all_down_then_one_answers_with_try_count)
{
  opts.try_count = 2;
  make();
  const struct replay_step story[] = {
    { 0, START, "connect(0)" },
    { 1, REFUSED(0), "connect-failed(0, connection-refused); connect(1)" },
    { 2, CONNECT_FAILED(1, FAILOVER_REASON_RESOLVE_FAILED), "connect-failed(1, resolve-failed); connect(2)" },
    { 3, CONNECT_FAILED(2, FAILOVER_REASON_UNREACHABLE), "connect-failed(2, unreachable)" },
    { AT_DEADLINE, TIMER, "connect(0)" },
    { AT_DEADLINE, TIMER, "close(0); connect-failed(0, timeout); connect(1)" },
    { AT_DEADLINE, TIMER, "close(1); connect-failed(1, timeout); connect(2)" },
    { AT_DEADLINE, TIMER, "close(2); connect-failed(2, timeout); exhausted(2)" },
    { AT_DEADLINE, TIMER, "connect(0)" },
    { AT_DEADLINE, TIMER, "close(0); connect-failed(0, timeout); connect(1)" },
    { AT_DEADLINE, TIMER, "close(1); connect-failed(1, timeout); connect(2)" },
  };
  replay(story, sizeof(story) / sizeof(story[0]));
  cr_assert(status().exhausted);
  STEP(DEADLINE - 1, CONNECTED(2), "connected(2, failover); recovered(2, 2); on-failover(2)");
}

/* ======================================================================
 * Random event streams against a model of the shell
 * ==================================================================== */

enum slot
{
  SLOT_NONE,
  SLOT_CONNECTING,
  SLOT_CONNECTED,
};

/* How often each action type and emit kind was seen over the whole run. */
static unsigned fuzz_actions[FAILOVER_ACTION_EMIT + 1];
static unsigned fuzz_emits[FAILOVER_EMIT_COMMAND_REJECTED + 1];

struct shell
{
  enum slot live;
  int live_server;
  int probe; /* 0 none, 1 in flight, 2 handshake done, waiting for the policy's answer */
  int exhausted_emits;
};

/* Executes ACTIONS on the model, checking each is legal at that point. */
static void
shell_apply(struct shell *sh, const struct failover_action *a, size_t n, enum failover_event_type cause,
            uint64_t seed, int step)
{
  for (size_t i = 0; i < n; i++)
    {
      fuzz_actions[a[i].type]++;
      if (a[i].type == FAILOVER_ACTION_EMIT)
        fuzz_emits[a[i].emit]++;
      switch (a[i].type)
        {
        case FAILOVER_ACTION_CONNECT:
          cr_assert_eq(sh->live, SLOT_NONE, "seed %llu step %d: connect over a live slot",
                       (unsigned long long) seed, step);
          cr_assert(a[i].server >= 0 && a[i].server < (int) opts.n_servers);
          sh->live = SLOT_CONNECTING;
          sh->live_server = a[i].server;
          break;
        case FAILOVER_ACTION_CLOSE:
          cr_assert(sh->live != SLOT_NONE && sh->live_server == a[i].server,
                    "seed %llu step %d: close of a connection the shell does not hold",
                    (unsigned long long) seed, step);
          if (sh->live == SLOT_CONNECTED)
            cr_assert(cause == FAILOVER_EVENT_STALLED || cause == FAILOVER_EVENT_SWITCH
                      || cause == FAILOVER_EVENT_RESET || cause == FAILOVER_EVENT_BLACKLIST,
                      "seed %llu step %d: a working connection closed on %s", (unsigned long long) seed,
                      step, failover_event_type_name(cause));
          sh->live = SLOT_NONE;
          break;
        case FAILOVER_ACTION_PROBE:
          cr_assert(opts.failback && opts.n_servers > 1, "probes only in failback mode");
          cr_assert_eq(sh->probe, 0, "seed %llu step %d: a second probe", (unsigned long long) seed, step);
          cr_assert_eq(a[i].server, 0);
          sh->probe = 1;
          break;
        case FAILOVER_ACTION_CANCEL_PROBE:
          cr_assert_neq(sh->probe, 0, "seed %llu step %d: cancel without a probe", (unsigned long long) seed, step);
          sh->probe = 0;
          break;
        case FAILOVER_ACTION_PROMOTE_PROBE:
          cr_assert_eq(sh->probe, 2, "promote needs a completed probe");
          cr_assert_neq(sh->live, SLOT_CONNECTING, "an attempt in flight is closed first");
          sh->live = SLOT_CONNECTED;
          sh->live_server = 0;
          sh->probe = 0;
          break;
        case FAILOVER_ACTION_EMIT:
          if (a[i].emit == FAILOVER_EMIT_EXHAUSTED)
            {
              cr_assert_gt(opts.try_count, 0);
              cr_assert_eq(sh->exhausted_emits, 0, "exhausted is emitted once");
              sh->exhausted_emits++;
            }
          if (a[i].emit == FAILOVER_EMIT_CONNECTED)
            sh->exhausted_emits = 0;
          break;
        default:
          cr_assert_fail("unknown action %d", (int) a[i].type);
        }
    }
}

static const enum failover_reason fuzz_reasons[] = {
  FAILOVER_REASON_REFUSED, FAILOVER_REASON_TIMEOUT, FAILOVER_REASON_RESET, FAILOVER_REASON_CLOSED_BY_PEER,
  FAILOVER_REASON_RESOLVE_FAILED, FAILOVER_REASON_TLS_REJECTED, FAILOVER_REASON_UNREACHABLE,
};

static uint64_t
rnd(uint64_t *state, uint64_t bound)
{
  *state ^= *state << 13;
  *state ^= *state >> 7;
  *state ^= *state << 17;
  return *state % bound;
}

TestSuite(fuzz, .init = setup, .fini = teardown);

Test(fuzz, random_event_streams_keep_the_shell_contract_and_invariants)
{
  size_t most = 0;

  for (uint64_t seed = 1; seed <= 600; seed++)
    {
      uint64_t r = seed * 0x9e3779b97f4a7c15ULL;
      failover_policy_options_defaults(&opts);
      opts.seed = seed;
      opts.n_servers = 1 + rnd(&r, 4);
      opts.failback = (int) rnd(&r, 2);
      opts.retries_per_server = (int) rnd(&r, 3);
      opts.try_count = (int) rnd(&r, 3);
      opts.on_exhausted_drop = (int) rnd(&r, 2);
      opts.failover_jitter_ms = rnd(&r, 2) ? 3000 : 0;
      opts.probes_required = 1 + (int) rnd(&r, 3);
      opts.probe_interval_ms = 1000 + (int64_t) rnd(&r, 60000);
      opts.quarantine_window_ms = (int64_t) rnd(&r, 2) * 20000;
      opts.quarantine_base_ms = 10000;
      opts.quarantine_max_ms = 40000;
      make();

      struct shell sh = { SLOT_NONE, -1, 0, 0 };
      int64_t now = 0;
      struct failover_event e = START;

      for (int step = 0; step < 400; step++)
        {
          struct failover_action out[FAILOVER_ACTIONS_MAX];
          int64_t before = DEADLINE;

          /* The shell's side of the event. */
          if (e.type == FAILOVER_EVENT_CONNECTED)
            sh.live = SLOT_CONNECTED;
          else if (e.type == FAILOVER_EVENT_CONNECT_FAILED || e.type == FAILOVER_EVENT_CLOSED)
            sh.live = SLOT_NONE;
          else if (e.type == FAILOVER_EVENT_PROBE_OK)
            sh.probe = 2;
          else if (e.type == FAILOVER_EVENT_PROBE_FAILED)
            sh.probe = 0;

          size_t n = failover_policy_handle(policy, &e, now, out, FAILOVER_ACTIONS_MAX);
          most = n > most ? n : most;
          cr_assert_leq(n, ACTIONS_BOUND, "seed %llu step %d: %zu actions", (unsigned long long) seed, step, n);
          shell_apply(&sh, out, n, e.type, seed, step);

          struct failover_status st = status();
          cr_assert_neq(sh.probe, 2, "seed %llu step %d: a completed probe left unanswered",
                        (unsigned long long) seed, step);
          cr_assert_eq(st.probe_in_flight, sh.probe == 1, "seed %llu step %d after %s: policy probe %d, shell %d",
                       (unsigned long long) seed, step, failover_event_type_name(e.type), st.probe_in_flight,
                       sh.probe);
          if (st.state == FAILOVER_STATE_CONNECTING)
            cr_assert(sh.live == SLOT_CONNECTING && sh.live_server == st.current_server);
          else if (st.state == FAILOVER_STATE_CONNECTED)
            {
              cr_assert(sh.live == SLOT_CONNECTED && sh.live_server == st.current_server,
                        "seed %llu step %d: policy connected on %d, shell %d/%d", (unsigned long long) seed,
                        step, st.current_server, (int) sh.live, sh.live_server);
              cr_assert_not(failover_policy_is_blacklisted(policy, st.current_server, now));
            }
          else if (st.state != FAILOVER_STATE_IDLE)
            cr_assert_eq(sh.live, SLOT_NONE, "seed %llu step %d: state %s with a live slot",
                         (unsigned long long) seed, step, failover_state_name(st.state));
          if (e.type == FAILOVER_EVENT_TIMER && now >= before)
            cr_assert_gt(DEADLINE, now, "seed %llu step %d: the timer made no progress", (unsigned long long) seed, step);
          if (st.exhausted)
            cr_assert(opts.try_count > 0 && st.state != FAILOVER_STATE_CONNECTED);
          cr_assert_eq(failover_policy_accepts_messages(policy), !(st.exhausted && opts.on_exhausted_drop));
          if (!opts.failback)
            cr_assert_not(st.probing);

          /* The next event. */
          now += (int64_t) rnd(&r, 3000);
          int server = (int) rnd(&r, opts.n_servers);
          enum failover_reason reason = fuzz_reasons[rnd(&r, sizeof(fuzz_reasons) / sizeof(fuzz_reasons[0]))];
          uint64_t pick = rnd(&r, 100);
          if (sh.live == SLOT_CONNECTING && pick < 30)
            e = pick < 15 ? CONNECTED(sh.live_server) : CONNECT_FAILED(sh.live_server, reason);
          else if (sh.live == SLOT_CONNECTED && pick < 12)
            e = pick < 8 ? CLOSED_BY(sh.live_server, reason) : STALLED(sh.live_server);
          else if (sh.probe == 1 && pick < 45)
            e = pick < 38 ? PROBE_OK : PROBE_FAILED(reason);
          else if (pick < 80)
            {
              e = TIMER;
              if (DEADLINE != NEVER && DEADLINE > now)
                now = DEADLINE;
            }
          else if (pick < 84)
            e = SWITCH(rnd(&r, 4) ? server : -1);
          else if (pick < 87)
            e = BLACKLIST(server, (int64_t) rnd(&r, 3) * 5000);
          else if (pick < 91)
            e = UNBLACKLIST(server);
          else if (pick < 93)
            e = RESET;
          else if (pick < 96)
            e = (struct failover_event) { .type = (enum failover_event_type) (1 + rnd(&r, 8)),
                                          .server = (int) rnd(&r, 6) - 1, .reason = reason };
          else
            e = TIMER;
          if (e.type == FAILOVER_EVENT_START)
            e = TIMER;
          /* A stale event must not contradict the shell model: keep only harmless ones. */
          if ((e.type == FAILOVER_EVENT_CONNECTED || e.type == FAILOVER_EVENT_CONNECT_FAILED)
              && !(sh.live == SLOT_CONNECTING && sh.live_server == e.server))
            e = TIMER;
          if ((e.type == FAILOVER_EVENT_CLOSED || e.type == FAILOVER_EVENT_STALLED)
              && !(sh.live == SLOT_CONNECTED && sh.live_server == e.server))
            e = TIMER;
          if ((e.type == FAILOVER_EVENT_PROBE_OK || e.type == FAILOVER_EVENT_PROBE_FAILED)
              && (sh.probe != 1 || e.server != 0))
            e = TIMER;
        }
      /* Freeing with a live slot is the shell's business; the policy holds no I/O. */
    }
  cr_log_info("most actions from one event: %zu", most);
  for (int t = FAILOVER_ACTION_CONNECT; t <= FAILOVER_ACTION_EMIT; t++)
    cr_assert_gt(fuzz_actions[t], 0, "the run never produced %s", failover_action_type_name(t));
  for (int k = FAILOVER_EMIT_CONNECT_FAILED; k <= FAILOVER_EMIT_COMMAND_REJECTED; k++)
    cr_assert_gt(fuzz_emits[k], 0, "the run never emitted %s", failover_emit_name(k));
}
