/*
 * lifeline-collector: a loopback log collector for demos, tests and benchmarks.
 *
 * One poll(2) loop: a self-pipe for SIGTERM/SIGINT, the listening socket and
 * every accepted connection.  Each connection's byte stream is split into
 * messages by its frame reader (frame-reader.h); every message is counted,
 * checked for a leading sequence number (seq-tracker.h) and optionally copied
 * to --output.  Progress goes to --stats-file (atomic tmp + rename, at most
 * every 50 ms), a gap/duplicate report to --report at exit.
 *
 * Fast path: one shared 512 KiB read buffer, memchr() for '\n', no allocation
 * and no system call per message.  A connection only owns the partial message
 * left over from its last read (its frame reader's carry).
 *
 * With --tls-cert every connection is TLS (tls-stream.h): the handshake runs
 * inside the same loop (a connection polls for what OpenSSL waits for) and
 * decrypted bytes go to the same frame reader.  A plain connection has no
 * stream and takes the read(2) path unchanged.
 *
 * Plain C11 + POSIX; loopback addresses only (loopback-listener.h).
 */
#include "collector-options.h"
#include "diag.h"
#include "frame-reader.h"
#include "loopback-listener.h"
#include "output-file.h"
#include "seq-tracker.h"
#include "tls-stream.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define STATS_INTERVAL_NS (50 * 1000000LL)
#define ACCEPT_PAUSE_NS (100 * 1000000LL)
/* On SIGTERM/SIGINT, read at most this much more from each connection. */
#define SHUTDOWN_DRAIN_BYTES (8 * 1024 * 1024)

/* Counters of the stats file; the sequence counters live in struct seq_tracker. */
struct stats
{
  uint64_t lines, bytes, connections, open, torn, torn_bytes, framing_errors;
};

struct conn
{
  struct collector *owner;    /* for the frame reader's message callback */
  int fd;
  struct tls_stream *tls;     /* owned; NULL: plain TCP */
  bool closed;
  char peer[INET6_ADDRSTRLEN + 8];
  struct frame_reader reader;
  uint64_t lines, bytes;
};

struct collector
{
  struct collector_options opt;
  struct stats st;
  struct seq_tracker seqs;
  struct tls_server *tls;     /* owned; NULL: plain TCP */

  int listen_fd;
  int64_t accept_paused_until;
  struct conn **conns;
  size_t nconns, conns_cap;
  struct pollfd *pfds;
  size_t pfds_cap;

  char *rbuf;                 /* FRAME_READER_SHARED_SIZE, shared by every connection's reader */

  struct output_file out;

  char *stats_tmp;
  bool dirty;
  int64_t last_tick;
  bool stop;
  bool stop_by_signal;
  bool io_failed;
};

static int sig_pipe[2] = { -1, -1 };

/* ---- small helpers ---- */

static int64_t
_now_ns(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t) ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Writes PATH.tmp and renames it over PATH, so readers see old or new, never half. */
static bool
_write_file_atomic(const char *path, const char *tmp, const char *data, size_t len)
{
  FILE *f = fopen(tmp, "we");
  if (!f)
    return false;
  bool ok = fwrite(data, 1, len, f) == len;
  ok = (fclose(f) == 0) && ok;
  return ok && rename(tmp, path) == 0;
}

static char *
_tmp_path(const char *path)
{
  size_t len = strlen(path);
  char *tmp = xmalloc(len + 5);
  memcpy(tmp, path, len);
  memcpy(tmp + len, ".tmp", 5);
  return tmp;
}

/* ---- stats and report ---- */

static int
_format_stats(const struct collector *self, char *buf, size_t size)
{
  const struct stats *s = &self->st;
  const struct seq_tracker *q = &self->seqs;
  const struct tls_server none = { 0 }, *t = self->tls ? self->tls : &none;
  return snprintf(buf, size,
                  "lines=%" PRIu64 " bytes=%" PRIu64 " connections=%" PRIu64 " open=%" PRIu64
                  " distinct=%" PRIu64 " duplicates=%" PRIu64 " out_of_order=%" PRIu64
                  " torn=%" PRIu64 " torn_bytes=%" PRIu64 " unsequenced=%" PRIu64
                  " framing_errors=%" PRIu64 " max_seq=%" PRIu64 " first_seq=%" PRIu64
                  " tls_handshakes=%" PRIu64 " tls_failures=%" PRIu64 " tls_resumed=%" PRIu64 "\n",
                  s->lines, s->bytes, s->connections, s->open, q->distinct, q->duplicates,
                  q->out_of_order, s->torn, s->torn_bytes, q->unsequenced, s->framing_errors,
                  q->max_seq, q->first_seq, t->handshakes, t->failures, t->resumed);
}

static void
_write_stats(struct collector *self)
{
  if (!self->opt.stats_file)
    return;
  char line[1024];
  int len = _format_stats(self, line, sizeof(line));
  if (!_write_file_atomic(self->opt.stats_file, self->stats_tmp, line, (size_t) len))
    {
      diag_warn("Writing the stats file failed; file=%s error=%s", self->opt.stats_file, strerror(errno));
      self->io_failed = true;
    }
}

static void
_write_report(struct collector *self)
{
  if (!self->opt.report_file)
    return;
  char *tmp = _tmp_path(self->opt.report_file);
  FILE *f = fopen(tmp, "we");
  if (!f)
    {
      diag_warn("Opening the report file failed; file=%s error=%s", tmp, strerror(errno));
      self->io_failed = true;
      free(tmp);
      return;
    }
  char line[1024];
  _format_stats(self, line, sizeof(line));
  fputs(line, f);
  seq_tracker_write_report(&self->seqs, f);
  bool ok = !ferror(f);
  ok = (fclose(f) == 0) && ok;
  if (!ok || rename(tmp, self->opt.report_file) != 0)
    {
      diag_warn("Writing the report file failed; file=%s error=%s", self->opt.report_file, strerror(errno));
      self->io_failed = true;
    }
  free(tmp);
}

/* ---- connections ---- */

/* A frame_reader_message_fn. */
static void
_on_message(void *cookie, const char *msg, size_t len)
{
  struct conn *c = cookie;
  struct collector *self = c->owner;

  self->st.lines++;
  self->st.bytes += len;
  c->lines++;
  c->bytes += len;
  output_file_append(&self->out, msg, len);
  seq_tracker_add(&self->seqs, msg, len);
}

static void
_conn_close(struct collector *self, struct conn *c, const char *reason)
{
  if (c->closed)
    return;
  size_t torn_bytes = frame_reader_pending(&c->reader);
  if (torn_bytes > 0)
    {
      self->st.torn++;
      self->st.torn_bytes += torn_bytes;
    }
  diag_info("Connection closed; from=%s reason=%s lines=%" PRIu64 " bytes=%" PRIu64 " torn_bytes=%zu",
            c->peer, reason, c->lines, c->bytes, torn_bytes);
  tls_stream_free(c->tls);
  c->tls = NULL;
  close(c->fd);
  c->fd = -1;
  c->closed = true;
  self->st.open--;
  self->dirty = true;
}

/* One read() into AT: the bytes read, and *END set when the stream ended. */
static size_t
_plain_read(int fd, char *at, const char **end)
{
  ssize_t n = read(fd, at, FRAME_READER_CHUNK);
  *end = NULL;
  if (n > 0)
    return (size_t) n;
  if (n == 0)
    *end = "eof";
  else if (errno == ECONNRESET)
    /* Linux hands over queued data before reporting a reset: all of it was read. */
    *end = "reset";
  else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
    *end = strerror(errno);
  return 0;
}

/*
 * One read (for TLS: handshake steps, then decrypting what has arrived) on a
 * connection that polled ready.  Returns the number of bytes read (0 when
 * nothing more is to be read now: EAGAIN, end of stream or error).
 */
static size_t
_conn_read(struct collector *self, struct conn *c)
{
  char *at = frame_reader_prepare(&c->reader, self->rbuf);
  const char *end;
  size_t n;
  if (c->tls)
    {
      n = tls_stream_read(c->tls, at, FRAME_READER_CHUNK, &end);
      self->dirty = true;     /* the handshake counters may have moved */
    }
  else
    n = _plain_read(c->fd, at, &end);

  if (n > 0)
    {
      self->dirty = true;
      size_t consumed;
      const char *error = frame_reader_feed(&c->reader, n, _on_message, c, &consumed);
      if (error)
        {
          self->st.framing_errors++;
          diag_info("Framing error; from=%s error=%s offset_in_read=%zu", c->peer, error, consumed);
          _conn_close(self, c, "framing-error");
          return 0;
        }
    }
  if (end)
    {
      _conn_close(self, c, end);
      return 0;
    }
  return n;
}

static void
_accept_all(struct collector *self, int64_t now)
{
  for (;;)
    {
      struct sockaddr_storage ss;
      socklen_t sslen = sizeof(ss);
      int fd = accept4(self->listen_fd, (struct sockaddr *) &ss, &sslen, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0)
        {
          if (errno == EAGAIN || errno == EWOULDBLOCK)
            return;
          if (errno == EINTR || errno == ECONNABORTED)
            continue;
          /* EMFILE and friends: the pending connection stays queued; retry a bit later. */
          diag_warn("Accepting a connection failed, pausing accepts for 100 ms; error=%s", strerror(errno));
          self->accept_paused_until = now + ACCEPT_PAUSE_NS;
          return;
        }
      struct conn *c = xcalloc(1, sizeof(*c));
      c->owner = self;
      c->fd = fd;
      frame_reader_init(&c->reader, self->opt.framing);
      loopback_listener_format_peer(&ss, c->peer, sizeof(c->peer));
      if (self->tls)
        c->tls = tls_stream_new(self->tls, fd, c->peer);
      if (self->nconns == self->conns_cap)
        {
          self->conns_cap = self->conns_cap ? 2 * self->conns_cap : 16;
          self->conns = xrealloc(self->conns, self->conns_cap * sizeof(*self->conns));
        }
      self->conns[self->nconns++] = c;
      self->st.connections++;
      self->st.open++;
      self->dirty = true;
      diag_info("Connection accepted; from=%s connections=%" PRIu64 " open=%" PRIu64,
                c->peer, self->st.connections, self->st.open);
    }
}

static void
_conns_compact(struct collector *self)
{
  size_t j = 0;
  for (size_t i = 0; i < self->nconns; i++)
    {
      struct conn *c = self->conns[i];
      if (c->closed)
        {
          frame_reader_deinit(&c->reader);
          free(c);
        }
      else
        self->conns[j++] = c;
    }
  self->nconns = j;
}

/* ---- setup ---- */

static void
_on_signal(int signo)
{
  int saved = errno;
  char b = (char) signo;
  ssize_t r = write(sig_pipe[1], &b, 1);
  (void) r;
  errno = saved;
}

static void
_setup_signals(void)
{
  if (pipe2(sig_pipe, O_NONBLOCK | O_CLOEXEC) != 0)
    diag_die("pipe2() failed; error=%s", strerror(errno));
  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = _on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  sa.sa_handler = SIG_IGN;
  sigaction(SIGPIPE, &sa, NULL);
}

/* Listens, then tells the test the port through the ready file: it may connect once that file exists. */
static void
_listen(struct collector *self)
{
  unsigned port;
  self->listen_fd = loopback_listener_open(self->opt.listen_addr, self->opt.port, &port);

  char line[16];
  int len = snprintf(line, sizeof(line), "%u\n", port);
  char *tmp = _tmp_path(self->opt.ready_file);
  if (!_write_file_atomic(self->opt.ready_file, tmp, line, (size_t) len))
    diag_die("Writing the ready file failed; file=%s error=%s", self->opt.ready_file, strerror(errno));
  free(tmp);
  diag_info("Listening; addr=%s port=%u framing=%s", self->opt.listen_addr, port,
            frame_reader_framing_name(self->opt.framing));
}

/* ---- main loop ---- */

/* Milliseconds until the next 50 ms tick, or -1 when nothing is pending. */
static int
_poll_timeout(const struct collector *self, int64_t now, bool tls_pending)
{
  int64_t until = -1;
  if (tls_pending)
    return 0;
  if (self->dirty || self->out.len > 0)
    until = self->last_tick + STATS_INTERVAL_NS;
  if (self->accept_paused_until > now && (until < 0 || self->accept_paused_until < until))
    until = self->accept_paused_until;
  if (until < 0)
    return -1;
  if (until <= now)
    return 0;
  return (int) ((until - now + 999999) / 1000000);
}

static void
_tick(struct collector *self, int64_t now, bool idle)
{
  /* Output first: the stats file never runs ahead of the output file. */
  if (idle || now - self->last_tick >= STATS_INTERVAL_NS)
    output_file_flush(&self->out);
  if (self->dirty && now - self->last_tick >= STATS_INTERVAL_NS)
    {
      _write_stats(self);
      self->dirty = false;
    }
  if (now - self->last_tick >= STATS_INTERVAL_NS)
    self->last_tick = now;
}

static void
_run(struct collector *self)
{
  while (!self->stop)
    {
      int64_t now = _now_ns();
      size_t need = self->nconns + 2;
      if (need > self->pfds_cap)
        {
          self->pfds_cap = need * 2;
          self->pfds = xrealloc(self->pfds, self->pfds_cap * sizeof(*self->pfds));
        }
      struct pollfd *pfds = self->pfds;
      pfds[0] = (struct pollfd) { .fd = sig_pipe[0], .events = POLLIN };
      pfds[1] = (struct pollfd) { .fd = self->accept_paused_until > now ? -1 : self->listen_fd,
                                  .events = POLLIN };
      size_t npolled = self->nconns;
      bool tls_pending = false;
      for (size_t i = 0; i < npolled; i++)
        {
          struct conn *c = self->conns[i];
          pfds[i + 2] = (struct pollfd) { .fd = c->fd, .events = c->tls ? tls_stream_events(c->tls) : POLLIN };
          tls_pending = tls_pending || (c->tls && tls_stream_has_pending(c->tls));
        }

      int n = poll(pfds, npolled + 2, _poll_timeout(self, now, tls_pending));
      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          diag_die("poll() failed; error=%s", strerror(errno));
        }
      now = _now_ns();

      if (pfds[0].revents)
        {
          char b[16];
          while (read(sig_pipe[0], b, sizeof(b)) > 0)
            ;
          self->stop = self->stop_by_signal = true;
        }
      for (size_t i = 0; i < npolled; i++)
        {
          struct conn *c = self->conns[i];
          if (pfds[i + 2].revents || (c->tls && !c->closed && tls_stream_has_pending(c->tls)))
            _conn_read(self, c);
        }
      if (pfds[1].revents)
        _accept_all(self, now);
      _conns_compact(self);

      if (self->opt.exit_after_lines && self->st.lines >= self->opt.exit_after_lines)
        self->stop = true;
      _tick(self, now, n == 0);
    }
}

/* A stop that loses nothing its kernel acknowledged: send FIN (SHUT_WR) and
 * keep reading until the sender closes or resets, so data that arrives
 * between the last read and close() is read instead of acknowledged and
 * discarded.  Bounded: at most SHUTDOWN_LINGER_MS in all.  A TLS client gets
 * close_notify before the FIN; one still in its handshake has sent no log
 * data yet and is closed at once. */
#define SHUTDOWN_LINGER_MS 3000

static void
_shutdown_gracefully(struct collector *self)
{
  struct timespec start, now;
  clock_gettime(CLOCK_MONOTONIC, &start);
  for (size_t i = 0; i < self->nconns; i++)
    {
      struct conn *c = self->conns[i];
      if (c->closed)
        continue;
      if (c->tls && !tls_stream_is_established(c->tls))
        {
          _conn_close(self, c, "shutdown-in-handshake");
          continue;
        }
      if (c->tls)
        tls_stream_close_notify(c->tls);
      shutdown(c->fd, SHUT_WR);
    }
  for (;;)
    {
      struct pollfd pfds[256];
      struct conn *owners[256];
      nfds_t n = 0;
      for (size_t i = 0; i < self->nconns && n < 256; i++)
        if (!self->conns[i]->closed)
          {
            pfds[n].fd = self->conns[i]->fd;
            pfds[n].events = self->conns[i]->tls ? tls_stream_events(self->conns[i]->tls) : POLLIN;
            owners[n++] = self->conns[i];
          }
      clock_gettime(CLOCK_MONOTONIC, &now);
      long elapsed = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
      if (n == 0 || elapsed >= SHUTDOWN_LINGER_MS)
        return;
      if (poll(pfds, n, (int) (SHUTDOWN_LINGER_MS - elapsed)) <= 0)
        return;
      for (nfds_t k = 0; k < n; k++)
        if (pfds[k].revents)
          while (!owners[k]->closed && _conn_read(self, owners[k]) > 0)
            ;
    }
}

static void
_shutdown(struct collector *self)
{
  close(self->listen_fd);
  self->listen_fd = -1;

  const char *reason = self->stop_by_signal ? "shutdown" : "exit-after-lines";
  if (self->stop_by_signal)
    _shutdown_gracefully(self);
  for (size_t i = 0; i < self->nconns; i++)
    {
      struct conn *c = self->conns[i];
      /* On a signal, take what the kernel already holds (it was acknowledged to the sender). */
      size_t drained = 0, n;
      while (self->stop_by_signal && !c->closed && drained < SHUTDOWN_DRAIN_BYTES
             && (n = _conn_read(self, c)) > 0)
        drained += n;
      _conn_close(self, c, reason);
    }
  _conns_compact(self);

  output_file_flush(&self->out);
  _write_stats(self);
  _write_report(self);
  if (!self->opt.quiet)
    {
      char line[1024];
      _format_stats(self, line, sizeof(line));
      fputs(line, stdout);
      fflush(stdout);
    }
}

int
main(int argc, char **argv)
{
  struct collector self;
  memset(&self, 0, sizeof(self));
  self.listen_fd = -1;
  diag_init(COLLECTOR_PROG);
  collector_options_parse(&self.opt, argc, argv);
  diag_set_quiet(self.opt.quiet);
  seq_tracker_init(&self.seqs);

  _setup_signals();
  self.rbuf = xmalloc(FRAME_READER_SHARED_SIZE);
  if (self.opt.stats_file)
    self.stats_tmp = _tmp_path(self.opt.stats_file);
  output_file_open(&self.out, self.opt.output_file);

  /* Before the ready file: a bad certificate fails the start, not each client. */
  if (self.opt.tls.cert_file)
    self.tls = tls_server_new(&self.opt.tls);
  _write_stats(&self);
  _listen(&self);
  self.last_tick = _now_ns();
  _run(&self);
  _shutdown(&self);

  if (!output_file_close(&self.out))
    self.io_failed = true;
  seq_tracker_deinit(&self.seqs);
  tls_server_free(self.tls);
  free(self.conns);
  free(self.pfds);
  free(self.rbuf);
  free(self.stats_tmp);
  close(sig_pipe[0]);
  close(sig_pipe[1]);
  return self.io_failed ? 1 : 0;
}
