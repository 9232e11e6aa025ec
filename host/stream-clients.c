#include "stream-clients.h"

#include "core/line-splitter.h"
#include "logger.h"
#include "loop-timer.h"

#include <errno.h>
#include <glib.h>
#include <netinet/in.h>
#include <unistd.h>

struct stream_client
{
  struct stream_clients *owner;
  struct stream_client *prev, *next;
  struct iv_fd fd;
  struct iv_timer idle;
  int64_t last_active_ms;
  int open; /* 0: disconnected, kept only while it holds a line */
  struct line_input in;
  char peer[INET6_ADDRSTRLEN + 8];
};

static void _client_readable(void *cookie);

static const char *
_name(const struct stream_clients *self)
{
  return line_source_name(self->ls);
}

/* Re-arms T to fire at AT_MS (on the iv_now clock). */
static void
_client_close_fd(struct stream_client *c)
{
  if (!c->open)
    return;
  if (iv_timer_registered(&c->idle))
    iv_timer_unregister(&c->idle);
  iv_fd_unregister(&c->fd);
  close(c->fd.fd);
  c->open = 0;
}

static void
_client_free(struct stream_client *c)
{
  struct stream_clients *self = c->owner;

  _client_close_fd(c);
  if (c->prev)
    c->prev->next = c->next;
  else
    self->first = c->next;
  if (c->next)
    c->next->prev = c->prev;
  else
    self->last = c->prev;
  self->n--;
  line_splitter_free(c->in.lines);
  g_free(c);
  self->freed(self->cookie);
}

/* Every open client is read (ON) or left alone until the resume (!ON).  The
 * time paused does not count as idle. */
static void
_set_reading(struct stream_clients *self, int on)
{
  for (struct stream_client *c = self->first; c; c = c->next)
    if (c->open)
      {
        iv_fd_set_handler_in(&c->fd, on ? _client_readable : NULL);
        if (on)
          c->last_active_ms = loop_timer_now_ms();
      }
}

static void
_schedule_turn(struct stream_clients *self)
{
  if (!iv_task_registered(&self->turn))
    iv_task_register(&self->turn);
}

/* No more bytes from C: its last line without '\n' is a line (as in
 * syslog-ng).  Returns 1 when the client was freed. */
static int
_client_disconnect(struct stream_client *c)
{
  struct stream_clients *self = c->owner;

  _client_close_fd(c);
  c->in.at_eof = 1;
  if (!line_source_drain(self->ls, &c->in))
    {
      _set_reading(self, 0);
      return 0; /* freed at the resume, once its line was taken */
    }
  _client_free(c);
  return 1;
}

/* Reads one client for a turn.  Returns 1 when the client was freed. */
static int
_client_read(struct stream_client *c)
{
  struct stream_clients *self = c->owner;
  int errnum = 0;

  if (!c->open || line_source_blocked(self->ls))
    return 0;
  uint64_t before = c->in.read.offset;
  enum line_read_result r = line_source_read(self->ls, &c->in, c->fd.fd, &errnum);
  if (c->in.read.offset != before)
    c->last_active_ms = loop_timer_now_ms();
  switch (r)
    {
    case LINE_READ_AGAIN:
      return 0;
    case LINE_READ_MORE:
      _schedule_turn(self);
      return 0;
    case LINE_READ_PAUSED:
      _set_reading(self, 0);
      return 0;
    case LINE_READ_ERROR:
      if (errnum != ECONNRESET)
        logger_log(LIFELINE_LOG_WARNING, "Error reading from a client; closing it", "source", _name(self), "peer",
                   c->peer, "error", g_strerror(errnum), NULL);
      /* What was read is kept. */
      /* fall through */
    case LINE_READ_EOF:
      break;
    }
  return _client_disconnect(c);
}

static void
_client_readable(void *cookie)
{
  _client_read(cookie);
}

static void
_client_idle(void *cookie)
{
  struct stream_client *c = cookie;
  struct stream_clients *self = c->owner;
  int64_t now = loop_timer_now_ms(), deadline = c->last_active_ms + self->idle_timeout_s * 1000;

  if (line_source_blocked(self->ls) || now < deadline)
    {
      /* Not idle: it spoke meanwhile, or we are the ones not reading. */
      loop_timer_arm_at(&c->idle, now < deadline ? deadline : now + self->idle_timeout_s * 1000);
      return;
    }
  char secs[32];
  g_snprintf(secs, sizeof(secs), "%" G_GINT64_FORMAT, self->idle_timeout_s);
  logger_log(LIFELINE_LOG_INFO, "Closing an idle client", "source", _name(self), "peer", c->peer, "idle_timeout",
             secs, NULL);
  _client_disconnect(c);
}

static void
_turn(void *cookie)
{
  struct stream_clients *self = cookie;

  for (struct stream_client *c = self->first, *next; c && !line_source_blocked(self->ls); c = next)
    {
      next = c->next; /* reading C frees at most C */
      _client_read(c);
    }
}

void
stream_clients_init(struct stream_clients *self, struct line_source *ls, size_t max_line, int64_t idle_timeout_s,
                    void (*freed)(void *cookie), void *cookie)
{
  self->ls = ls;
  self->max_line = max_line;
  self->idle_timeout_s = idle_timeout_s;
  self->first = self->last = NULL;
  self->n = 0;
  IV_TASK_INIT(&self->turn);
  self->turn.cookie = self;
  self->turn.handler = _turn;
  self->freed = freed;
  self->cookie = cookie;
}

int
stream_clients_add(struct stream_clients *self, int fd, const char *peer)
{
  struct stream_client *c = g_try_new0(struct stream_client, 1);
  struct line_splitter *lines = c ? line_splitter_new(self->max_line, LINE_SOURCE_READ_SIZE) : NULL;

  if (!lines)
    {
      char size[32];
      close(fd);
      g_free(c);
      g_snprintf(size, sizeof(size), "%zu", self->max_line);
      logger_log(LIFELINE_LOG_ERROR, "Out of memory for a new client's line buffer; closing it", "source",
                 _name(self), "peer", peer, "log_msg_size", size, NULL);
      return -1;
    }
  c->owner = self;
  c->in.lines = lines;
  g_strlcpy(c->peer, peer, sizeof(c->peer));
  IV_FD_INIT(&c->fd);
  c->fd.fd = fd;
  c->fd.cookie = c;
  c->fd.handler_in = line_source_blocked(self->ls) ? NULL : _client_readable;
  IV_TIMER_INIT(&c->idle);
  c->idle.cookie = c;
  c->idle.handler = _client_idle;
  c->prev = self->last;
  if (self->last)
    self->last->next = c;
  else
    self->first = c;
  self->last = c;
  self->n++;
  iv_fd_register(&c->fd);
  c->open = 1;
  c->last_active_ms = loop_timer_now_ms();
  if (self->idle_timeout_s > 0)
    loop_timer_arm_at(&c->idle, c->last_active_ms + self->idle_timeout_s * 1000);
  logger_log(LIFELINE_LOG_INFO, "Connection accepted", "source", _name(self), "peer", c->peer, NULL);
  return 0;
}

void
stream_clients_resume(struct stream_clients *self)
{
  /* Disconnected clients were kept only while they held a line. */
  for (struct stream_client *c = self->first, *next; c; c = next)
    {
      next = c->next;
      if (!c->open && !line_source_holds(self->ls, &c->in))
        _client_free(c);
    }
  _set_reading(self, 1);
  _schedule_turn(self);
}

void
stream_clients_stop(struct stream_clients *self)
{
  if (iv_task_registered(&self->turn))
    iv_task_unregister(&self->turn);
  while (self->last)
    {
      struct stream_client *c = self->last;
      line_source_discard(self->ls, &c->in);
      _client_free(c);
    }
}
