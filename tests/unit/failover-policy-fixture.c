/*
 * The shared fixture of the failover policy suites; see failover-policy-fixture.h.
 */
#include "failover-policy-fixture.h"

struct failover_policy_options opts;
struct failover_policy *policy;
static char text[4096];

void
setup(void)
{
  failover_policy_options_defaults(&opts);
  opts.n_servers = 3;
  opts.seed = 42;
  policy = NULL;
}

void
teardown(void)
{
  failover_policy_free(policy);
  policy = NULL;
}

void
make(void)
{
  failover_policy_free(policy);
  policy = failover_policy_new(&opts);
  cr_assert_not_null(policy, "options rejected: %s", failover_policy_options_check(&opts));
}

struct failover_event
ev(enum failover_event_type type, int server, enum failover_reason reason, int64_t duration_ms)
{
  struct failover_event e = { .type = type, .server = server, .reason = reason, .duration_ms = duration_ms };
  return e;
}

const char *
feed(int64_t now, struct failover_event e)
{
  struct failover_action out[FAILOVER_ACTIONS_MAX];
  size_t n = failover_policy_handle(policy, &e, now, out, FAILOVER_ACTIONS_MAX);

  cr_assert_leq(n, ACTIONS_BOUND, "%zu actions for one event", n);
  return failover_actions_format(out, n, text, sizeof(text));
}

int64_t
deadline_within(int64_t now, int64_t lo, int64_t hi)
{
  int64_t d = DEADLINE;
  cr_assert(d >= now + lo && d <= now + hi, "deadline %lld not in [%lld, %lld]", (long long) d,
            (long long) (now + lo), (long long) (now + hi));
  return d;
}

struct failover_status
status(void)
{
  struct failover_status st;
  failover_policy_get_status(policy, &st);
  return st;
}

const struct server_state *
server(int i)
{
  return failover_policy_server(policy, i);
}

void
up_on(int target)
{
  char want[128];

  STEP(0, START, "connect(0)");
  for (int s = 0; s < target; s++)
    {
      snprintf(want, sizeof(want), "connect-failed(%d, connection-refused); connect(%d)", s, s + 1);
      STEP(0, REFUSED(s), want);
    }
  if (target == 0)
    snprintf(want, sizeof(want), "connected(0, primary)");
  else
    snprintf(want, sizeof(want), "connected(%d, failover); on-failover(%d)", target, target);
  STEP(0, CONNECTED(target), want);
}
