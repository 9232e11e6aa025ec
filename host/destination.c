#include "destination.h"

#include "core/located-error.h"
#include "logger.h"

#include <glib.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

struct waiter
{
  host_destination_fn fn;
  void *ctx;
};

struct host_destination
{
  char *name;
  const struct lifeline_driver *driver;
  void *instance;
  struct lifeline_dest_host dh;
  struct lifeline_msg msg; /* reused for every push: no per-message allocation */
  uint64_t next_seq;
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

static void
_fate(void *cookie, const struct lifeline_fate *fate)
{
  struct host_destination *self = cookie;
  uint64_t n = fate->last_seq - fate->first_seq + 1;

  switch (fate->kind)
    {
    case LIFELINE_FATE_DELIVERED:
      self->counts.delivered += n;
      break;
    case LIFELINE_FATE_DROPPED:
      self->counts.dropped += n;
      _log_drops(self, fate->reason, n);
      break;
    case LIFELINE_FATE_RETURNED:
      /* The host has no disk buffer yet: a returned message is counted and
       * reported at exit as not delivered. */
      self->counts.returned += n;
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
  if (self->stop_done)
    self->stop_done(self->stop_ctx);
}

struct host_destination *
host_destination_new(const char *name, const struct lifeline_driver *driver, const struct lifeline_option *node,
                     struct lifeline_error *err)
{
  struct host_destination *self = g_new0(struct host_destination, 1);
  self->name = g_strdup(name);
  self->driver = driver;
  self->waiters = g_array_new(FALSE, FALSE, sizeof(struct waiter));
  self->next_seq = 1;
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
host_destination_free(struct host_destination *self)
{
  if (!self)
    return;
  if (self->instance)
    self->driver->free(self->instance);
  g_array_free(self->waiters, TRUE);
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
  return 0;
}

int
host_destination_push(struct host_destination *self, const uint8_t *data, size_t len)
{
  self->msg.seq = self->next_seq;
  self->msg.data = data;
  self->msg.len = len;
  int r = self->driver->push(self->instance, &self->msg);
  if (r == LIFELINE_PUSH_QUEUED)
    {
      self->next_seq++;
      self->counts.accepted++;
    }
  else if (r != LIFELINE_PUSH_FULL)
    {
      r = LIFELINE_PUSH_ERROR;
      self->counts.rejected++;
    }
  return r;
}

void
host_destination_wait(struct host_destination *self, host_destination_fn fn, void *ctx)
{
  struct waiter w = { fn, ctx };
  g_array_append_val(self->waiters, w);
}

void
host_destination_stop(struct host_destination *self, uint32_t timeout_ms, host_destination_fn done, void *ctx)
{
  self->stop_done = done;
  self->stop_ctx = ctx;
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
