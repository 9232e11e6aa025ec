#include "destination.h"

#include "core/located-error.h"
#include "logger.h"

#include <glib.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

struct seq_range
{
  uint64_t first, last;
};

struct waiter
{
  host_destination_fn fn;
  void *ctx;
};

/* A message a predecessor returned, waiting to be pushed into this instance. */
struct replay_msg
{
  uint64_t seq; /* the host's */
  size_t len;
  uint8_t data[];
};

struct host_destination
{
  char *name;
  const struct lifeline_driver *driver;
  void *instance;
  struct lifeline_dest_host dh;
  struct lifeline_msg msg; /* reused for every push: no per-message allocation */
  /* Two numberings.  The host's seqs (what sources wait on) continue across
   * a reload that replaces the instance; the instance's own start at 1 (the
   * ABI).  Instance seq i is REPLAYED[i-1] for the messages replayed from a
   * predecessor, then HOST_BASE onwards. */
  uint64_t next_seq; /* the host's */
  uint64_t inst_next; /* the instance's */
  GArray *replayed; /* uint64_t */
  uint64_t host_base;
  uint64_t completed; /* every host seq <= it was delivered or dropped */
  GArray *ahead; /* struct seq_range, sorted: completed beyond a gap */
  /* A reload that changed the destination: the old instance (PREDECESSOR)
   * returns what it did not deliver into this one, in order, before this one
   * takes anything new (GATED). */
  struct host_destination *predecessor, *successor;
  GQueue *replay; /* struct replay_msg *, not pushed yet */
  int gated;
  struct host_destination_counts counts;
  uint64_t drops_unlogged;
  gint64 drops_logged_at; /* monotonic µs; 0 = never */
  char drop_reason[64]; /* of the drops not yet logged */
  GArray *waiters; /* struct waiter */
  int started, stopping, stopped;
  host_destination_fn stop_done;
  void *stop_ctx;
};

/* The first drop is logged at once; after that at most one line per
 * DROP_LOG_INTERVAL_US with the count since, so a destination dropping
 * thousands of messages a second cannot flood the log.  Totals are in the
 * exit summary and in status. */
#define DROP_LOG_INTERVAL_US (10 * G_USEC_PER_SEC)

static void
_log_drops(struct host_destination *self, const char *reason, uint64_t n)
{
  char count[32];
  gint64 now = g_get_monotonic_time();

  self->drops_unlogged += n;
  if (reason != self->drop_reason)
    g_strlcpy(self->drop_reason, reason ? reason : "unspecified", sizeof(self->drop_reason));
  if (self->drops_logged_at && now - self->drops_logged_at < DROP_LOG_INTERVAL_US)
    return;
  g_snprintf(count, sizeof(count), "%" G_GUINT64_FORMAT, self->drops_unlogged);
  logger_log(LIFELINE_LOG_WARNING, "Messages dropped by destination policy", "destination", self->name,
             "reason", self->drop_reason, "count", count, NULL);
  self->drops_unlogged = 0;
  self->drops_logged_at = now;
}

/* A DROPPED fate may come from inside push() before the fates of earlier,
 * still queued messages: such ranges wait in AHEAD until the gap closes. */
static void
_complete(struct host_destination *self, uint64_t first, uint64_t last)
{
  /* The successor waits on the same host seqs (the sources moved to it). */
  if (self->successor)
    _complete(self->successor, first, last);
  if (last <= self->completed)
    return;
  if (first > self->completed + 1)
    {
      guint i = 0;
      while (i < self->ahead->len && g_array_index(self->ahead, struct seq_range, i).first < first)
        i++;
      struct seq_range *prev = i > 0 ? &g_array_index(self->ahead, struct seq_range, i - 1) : NULL;
      if (prev && prev->last + 1 >= first)
        prev->last = MAX(prev->last, last);
      else
        {
          struct seq_range r = { first, last };
          g_array_insert_val(self->ahead, i, r);
        }
      return;
    }
  self->completed = last;
  while (self->ahead->len && g_array_index(self->ahead, struct seq_range, 0).first <= self->completed + 1)
    {
      self->completed = MAX(self->completed, g_array_index(self->ahead, struct seq_range, 0).last);
      g_array_remove_index(self->ahead, 0);
    }
}

static uint64_t
_host_seq(const struct host_destination *self, uint64_t inst)
{
  uint64_t r = self->replayed->len;
  return inst <= r ? g_array_index(self->replayed, uint64_t, inst - 1) : self->host_base + (inst - r - 1);
}

/* Instance seqs FIRST..LAST were delivered or dropped. */
static void
_complete_instance(struct host_destination *self, uint64_t first, uint64_t last)
{
  uint64_t r = self->replayed->len;
  for (uint64_t i = first; i <= last && i <= r; i++)
    _complete(self, _host_seq(self, i), _host_seq(self, i));
  if (last > r)
    {
      uint64_t lo = MAX(first, r + 1);
      _complete(self, _host_seq(self, lo), _host_seq(self, last));
    }
}

static void _replay_flush(struct host_destination *self);
static void _wake_waiters(struct host_destination *self);

static int
_takes_replay(const struct host_destination *self)
{
  return self && !self->stopping && !self->stopped;
}

/* A returned message goes to the successor, if a reload made one, or is
 * counted (the host has no disk buffer yet: reported at exit). */
static void
_returned(struct host_destination *self, const struct lifeline_fate *fate, uint64_t n)
{
  if (n != 1 || !fate->data || !_takes_replay(self->successor))
    {
      self->counts.returned += n;
      return;
    }
  struct replay_msg *m = g_malloc(sizeof(*m) + fate->len);
  m->seq = _host_seq(self, fate->first_seq);
  m->len = fate->len;
  memcpy(m->data, fate->data, fate->len);
  g_queue_push_tail(self->successor->replay, m);
  self->counts.handed_over++;
  _replay_flush(self->successor);
}

static void
_fate(void *cookie, const struct lifeline_fate *fate)
{
  struct host_destination *self = cookie;
  uint64_t n = fate->last_seq - fate->first_seq + 1;

  switch (fate->kind)
    {
    case LIFELINE_FATE_DELIVERED:
      self->counts.delivered += n;
      _complete_instance(self, fate->first_seq, fate->last_seq);
      break;
    case LIFELINE_FATE_DROPPED:
      self->counts.dropped += n;
      _complete_instance(self, fate->first_seq, fate->last_seq);
      _log_drops(self, fate->reason, n);
      break;
    case LIFELINE_FATE_RETURNED:
      _returned(self, fate, n);
      break;
    default:
      logger_log(LIFELINE_LOG_ERROR, "Module reported an unknown fate; counting it as dropped", "destination",
                 self->name, NULL);
      self->counts.dropped += n;
    }
}

static void
_wakeup(void *cookie)
{
  struct host_destination *self = cookie;
  _replay_flush(self);
  if (!self->gated)
    _wake_waiters(self);
}

static void
_wake_waiters(struct host_destination *self)
{
  /* Waiters may push and wait again: swap the list out first. */
  GArray *waiters = self->waiters;
  self->waiters = g_array_new(FALSE, FALSE, sizeof(struct waiter));
  for (guint i = 0; i < waiters->len; i++)
    {
      struct waiter *w = &g_array_index(waiters, struct waiter, i);
      w->fn(w->ctx);
    }
  g_array_free(waiters, TRUE);
}

static void
_stopped(void *cookie)
{
  struct host_destination *self = cookie;
  if (self->stopped)
    return;
  if (self->drops_unlogged)
    {
      /* Drops held back by the rate limit are not left unsaid. */
      self->drops_logged_at = 0;
      _log_drops(self, self->drop_reason, 0);
    }
  self->stopped = 1;
  if (self->successor)
    {
      /* Everything it had is returned: the successor may open. */
      struct host_destination *next = self->successor;
      self->successor = NULL;
      next->predecessor = NULL;
      _replay_flush(next);
    }
  if (self->stop_done)
    self->stop_done(self->stop_ctx);
}

/* Pushes what the predecessor returned, in order, then opens the gate once
 * the predecessor stopped. */
static void
_replay_flush(struct host_destination *self)
{
  struct replay_msg *m;

  if (!self->started || self->stopping)
    return;
  while ((m = g_queue_peek_head(self->replay)))
    {
      self->msg.seq = self->inst_next;
      self->msg.data = m->data;
      self->msg.len = m->len;
      int r = self->driver->push(self->instance, &self->msg);
      if (r == LIFELINE_PUSH_FULL)
        return; /* the module's wakeup comes back here */
      if (r == LIFELINE_PUSH_QUEUED)
        {
          g_array_append_val(self->replayed, m->seq);
          self->inst_next++;
          self->counts.accepted++;
        }
      else
        self->counts.rejected++;
      g_free(g_queue_pop_head(self->replay));
    }
  if (self->gated && !self->predecessor)
    {
      self->gated = 0;
      self->host_base = self->next_seq;
      _wake_waiters(self);
    }
}

struct host_destination *
host_destination_new(const char *name, const struct lifeline_driver *driver, const struct lifeline_option *node,
                     struct lifeline_error *err)
{
  struct host_destination *self = g_new0(struct host_destination, 1);
  self->name = g_strdup(name);
  self->driver = driver;
  self->waiters = g_array_new(FALSE, FALSE, sizeof(struct waiter));
  self->ahead = g_array_new(FALSE, FALSE, sizeof(struct seq_range));
  self->replayed = g_array_new(FALSE, FALSE, sizeof(uint64_t));
  self->replay = g_queue_new();
  self->next_seq = 1;
  self->inst_next = 1;
  self->host_base = 1;
  LIFELINE_ABI_INIT(&self->dh);
  self->dh.cookie = self;
  self->dh.dest_name = self->name;
  self->dh.fate = _fate;
  self->dh.wakeup = _wakeup;
  self->dh.stopped = _stopped;
  LIFELINE_ABI_INIT(&self->msg);

  self->instance = driver->create(node, &self->dh, err);
  if (!self->instance)
    {
      if (!located_error_is_set(err))
        located_error_at_option(err, node, "the %s driver refused its options without saying why", driver->name);
      host_destination_free(self);
      return NULL;
    }
  return self;
}

void
host_destination_reload_files(struct host_destination *self)
{
  struct lifeline_error err;

  if (!LIFELINE_ABI_HAS_FIELD(self->driver, struct lifeline_driver, reload) || !self->driver->reload)
    return;
  memset(&err, 0, sizeof(err));
  if (self->driver->reload(self->instance, &err) < 0)
    {
      char buf[1024];
      logger_log(LIFELINE_LOG_ERROR, "Destination kept; reading its files again failed, it keeps the ones it had",
                 "destination", self->name, "error", located_error_format(&err, buf, sizeof(buf)), NULL);
    }
}

void
host_destination_free(struct host_destination *self)
{
  if (!self)
    return;
  if (self->instance)
    self->driver->free(self->instance);
  g_array_free(self->waiters, TRUE);
  g_array_free(self->ahead, TRUE);
  g_array_free(self->replayed, TRUE);
  g_queue_free_full(self->replay, g_free);
  g_free(self->name);
  g_free(self);
}

const char *
host_destination_name(const struct host_destination *self)
{
  return self->name;
}

const char *
host_destination_driver_name(const struct host_destination *self)
{
  return self->driver->name;
}

int
host_destination_start(struct host_destination *self, struct lifeline_error *err)
{
  if (self->driver->start(self->instance, err) < 0)
    return -1;
  self->started = 1;
  _replay_flush(self);
  return 0;
}

int
host_destination_is_started(const struct host_destination *self)
{
  return self->started;
}

void
host_destination_succeed(struct host_destination *self, struct host_destination *old)
{
  self->next_seq = old->next_seq;
  self->completed = old->completed;
  g_array_set_size(self->ahead, 0);
  g_array_append_vals(self->ahead, old->ahead->data, old->ahead->len);
  self->predecessor = old;
  old->successor = self;
  self->gated = 1;
}

struct host_destination *
host_destination_predecessor(const struct host_destination *self)
{
  return self->predecessor;
}

int
host_destination_push(struct host_destination *self, const uint8_t *data, size_t len, uint64_t *seq)
{
  if (self->gated)
    return LIFELINE_PUSH_FULL; /* the predecessor's messages first */
  self->msg.seq = self->inst_next;
  self->msg.data = data;
  self->msg.len = len;
  int r = self->driver->push(self->instance, &self->msg);
  if (r == LIFELINE_PUSH_QUEUED)
    {
      if (seq)
        *seq = self->next_seq;
      self->next_seq++;
      self->inst_next++;
      self->counts.accepted++;
    }
  else if (r != LIFELINE_PUSH_FULL)
    {
      r = LIFELINE_PUSH_ERROR;
      self->counts.rejected++;
    }
  return r;
}

uint64_t
host_destination_completed(const struct host_destination *self)
{
  return self->completed;
}

void
host_destination_wait(struct host_destination *self, host_destination_fn fn, void *ctx)
{
  struct waiter w = { fn, ctx };
  g_array_append_val(self->waiters, w);
}

void
host_destination_cancel_wait(struct host_destination *self, void *ctx)
{
  for (guint i = self->waiters->len; i-- > 0;)
    if (g_array_index(self->waiters, struct waiter, i).ctx == ctx)
      g_array_remove_index(self->waiters, i);
}

void
host_destination_stop(struct host_destination *self, uint32_t timeout_ms, host_destination_fn done, void *ctx)
{
  self->stop_done = done;
  self->stop_ctx = ctx;
  /* Returned by a predecessor and never taken: not delivered. */
  self->counts.rejected += g_queue_get_length(self->replay);
  g_queue_free_full(self->replay, g_free);
  self->replay = g_queue_new();
  self->gated = 0;
  if (!self->started || self->stopped)
    {
      self->stopped = 1;
      if (done)
        done(ctx);
      return;
    }
  if (self->stopping)
    return;
  self->stopping = 1;
  self->driver->stop(self->instance, timeout_ms);
}

int
host_destination_is_stopped(const struct host_destination *self)
{
  return self->stopped;
}

void
host_destination_counts(const struct host_destination *self, struct host_destination_counts *out)
{
  *out = self->counts;
}

int
host_destination_query(struct host_destination *self, lifeline_emit_fn emit, void *ctx)
{
  if (!self->driver->query)
    return -1;
  return self->driver->query(self->instance, emit, ctx);
}

int
host_destination_command(struct host_destination *self, const char *verb, const char *arg, char *reply,
                         size_t size)
{
  if (size == 0)
    return -1;
  reply[0] = '\0';
  if (!self->driver->command)
    {
      snprintf(reply, size, "the %s driver of destination %s takes no commands", self->driver->name, self->name);
      return -1;
    }
  int r = self->driver->command(self->instance, verb, arg, reply, size);
  reply[size - 1] = '\0'; /* a module that filled the buffer without terminating it */
  return r == 0 ? 0 : -1;
}
