/*
 * One pass of the failover policy: a walk over the candidate servers, each
 * tried once, in list order from a first server, wrapping at the end.
 *
 *  - A fresh pass (start, after a backoff wait, a command) tries FIRST once,
 *    then the others.
 *  - A pass after a break tries the broken server RETRIES times first, then
 *    the others; with RETRIES 0 the broken server comes last instead, so a
 *    pass always holds every candidate.
 *  - SKIP_PRIMARY (failback mode while on a failover server) leaves the
 *    primary out: the walk wraps from the last server to server 1.
 *
 * Which servers may be tried right now (blacklist) is asked through a
 * callback at each step.  Pure, no allocation.
 */
#ifndef LIFELINE_FAILOVER_PASS_H
#define LIFELINE_FAILOVER_PASS_H

struct failover_pass
{
  int n_servers;
  int first;
  int skip_primary;
  int front;       /* attempts on FIRST still to make before the others */
  int front_retry; /* those attempts are retries after a break */
  int tail;        /* FIRST once more after the others */
  int pos;         /* next position of the walk after FIRST */
  int attempts;    /* candidates handed out so far */
};

typedef int (*failover_pass_eligible_fn)(void *cookie, int server);

/* SKIP_PRIMARY is ignored when FIRST is the primary or there is one server. */
void failover_pass_begin(struct failover_pass *self, int n_servers, int first, int skip_primary);
void failover_pass_begin_after_break(struct failover_pass *self, int n_servers, int server,
                                     int skip_primary, int retries);

/* The next eligible candidate (counted as an attempt), or -1 when the pass is
 * over.  *IS_RETRY (may be NULL) tells whether it is a retry after a break. */
int failover_pass_next(struct failover_pass *self, failover_pass_eligible_fn eligible, void *cookie,
                       int *is_retry);

/* The server at position POS (0 = FIRST) of the walk. */
int failover_pass_walk(const struct failover_pass *self, int pos);
int failover_pass_length(const struct failover_pass *self);

#endif
