/*
 * lifeline-collector: a loopback log collector for demos, tests and benchmarks.
 *
 * One poll(2) loop: a self-pipe for SIGTERM/SIGINT, the listening socket and
 * every accepted connection.  Each connection's byte stream is split into
 * messages (newline or RFC 6587 octet-counted framing); every message is
 * counted, checked for a leading sequence number and optionally copied to
 * --output.  Progress goes to --stats-file (atomic tmp + rename, at most every
 * 50 ms), a gap/duplicate report to --report at exit.
 *
 * Fast path: one shared 512 KiB read buffer, memchr() for '\n', no allocation
 * and no system call per message.  A connection only owns the partial message
 * left over from its last read (its "carry").
 *
 * Plain C11 + POSIX; loopback addresses only.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define PROG "lifeline-collector"

#define READ_CHUNK (256 * 1024)
#define OUTBUF_SIZE (1024 * 1024)
/* Longest message accepted; a longer line or frame is a framing error. */
#define MAX_MESSAGE (64 * 1024 * 1024)
/* Longest leading digit run taken as a sequence number (seq < 10^12). */
#define SEQ_MAX_DIGITS 12
#define STATS_INTERVAL_NS (50 * 1000000LL)
#define ACCEPT_PAUSE_NS (100 * 1000000LL)
/* On SIGTERM/SIGINT, read at most this much more from each connection. */
#define SHUTDOWN_DRAIN_BYTES (8 * 1024 * 1024)
#define REPORT_MAX_ITEMS 100

/* The seen/duplicate bitmaps are split into lazily allocated pages. */
#define PAGE_SHIFT 20
#define PAGE_SEQS ((uint64_t) 1 << PAGE_SHIFT)
#define PAGE_WORDS (PAGE_SEQS / 64)

enum framing { FRAMING_NEWLINE, FRAMING_OCTET_COUNTED };

struct options
{
  const char *listen_addr;
  unsigned port;
  const char *ready_file;
  const char *stats_file;
  const char *output_file;
  const char *report_file;
  enum framing framing;
  uint64_t exit_after_lines;
  bool quiet;
};

struct stats
{
  uint64_t lines, bytes, connections, open, distinct, duplicates, out_of_order;
  uint64_t torn, torn_bytes, unsequenced, framing_errors, max_seq, first_seq;
  bool have_seq;
};

struct seq_map
{
  uint64_t **seen;            /* page -> bitmap of seqs that arrived */
  uint64_t **dup;             /* page -> bitmap of seqs that arrived twice or more */
  size_t npages;
  uint64_t dup_examples[REPORT_MAX_ITEMS];
  size_t ndup_examples;
};

struct conn
{
  int fd;
  bool closed;
  char peer[INET6_ADDRSTRLEN + 8];
  char *carry;                /* partial message left from the previous read */
  size_t carry_len, carry_cap;
  uint64_t lines, bytes;
};

struct collector
{
  struct options opt;
  struct stats st;
  struct seq_map seqs;

  int listen_fd;
  int64_t accept_paused_until;
  struct conn **conns;
  size_t nconns, conns_cap;
  struct pollfd *pfds;
  size_t pfds_cap;

  char *rbuf;                 /* 2 * READ_CHUNK: a small carry + one read */

  int out_fd;
  char *outbuf;
  size_t outlen;

  char *stats_tmp;
  bool dirty;
  int64_t last_tick;
  bool stop;
  bool stop_by_signal;
  bool io_failed;
};

static int sig_pipe[2] = { -1, -1 };

/* ---- small helpers ---- */

static void _die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void _log(const struct collector *self, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void _warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
_die(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  fputs(PROG ": ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  exit(1);
}

static void
_log(const struct collector *self, const char *fmt, ...)
{
  if (self->opt.quiet)
    return;
  va_list ap;
  va_start(ap, fmt);
  fputs(PROG ": ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
}

static void
_warn(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  fputs(PROG ": ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
}

static void *
_xrealloc(void *p, size_t size)
{
  p = realloc(p, size);
  if (!p)
    _die("out of memory; size=%zu", size);
  return p;
}

static void *
_xmalloc(size_t size)
{
  void *p = malloc(size);
  if (!p)
    _die("out of memory; size=%zu", size);
  return p;
}

static void *
_xcalloc(size_t n, size_t size)
{
  void *p = calloc(n, size);
  if (!p)
    _die("out of memory; size=%zu", n * size);
  return p;
}

static int64_t
_now_ns(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t) ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static bool
_write_all(int fd, const char *data, size_t len)
{
  while (len > 0)
    {
      ssize_t n = write(fd, data, len);
      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          return false;
        }
      data += n;
      len -= (size_t) n;
    }
  return true;
}

/* Writes PATH.tmp and renames it over PATH, so readers see old or new, never half. */
static bool
_write_file_atomic(const char *path, const char *tmp, const char *data, size_t len)
{
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    return false;
  bool ok = _write_all(fd, data, len);
  ok = (close(fd) == 0) && ok;
  return ok && rename(tmp, path) == 0;
}

static char *
_tmp_path(const char *path)
{
  size_t len = strlen(path);
  char *tmp = _xmalloc(len + 5);
  memcpy(tmp, path, len);
  memcpy(tmp + len, ".tmp", 5);
  return tmp;
}

static bool
_parse_u64(const char *s, uint64_t *out)
{
  if (*s < '0' || *s > '9')
    return false;
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || *end)
    return false;
  *out = v;
  return true;
}

/* ---- sequence accounting ---- */

static uint64_t *
_page(uint64_t **dir, size_t page)
{
  if (!dir[page])
    dir[page] = _xcalloc(PAGE_WORDS, sizeof(uint64_t));
  return dir[page];
}

static void
_seq_grow(struct seq_map *m, size_t page)
{
  size_t n = m->npages ? m->npages : 16;
  while (n <= page)
    n *= 2;
  m->seen = _xrealloc(m->seen, n * sizeof(*m->seen));
  m->dup = _xrealloc(m->dup, n * sizeof(*m->dup));
  memset(m->seen + m->npages, 0, (n - m->npages) * sizeof(*m->seen));
  memset(m->dup + m->npages, 0, (n - m->npages) * sizeof(*m->dup));
  m->npages = n;
}

static void
_seq_record(struct collector *self, uint64_t seq)
{
  struct seq_map *m = &self->seqs;
  struct stats *st = &self->st;
  size_t page = seq >> PAGE_SHIFT;
  uint64_t bit = seq & (PAGE_SEQS - 1);
  uint64_t mask = (uint64_t) 1 << (bit % 64);

  if (page >= m->npages)
    _seq_grow(m, page);
  uint64_t *seen = &_page(m->seen, page)[bit / 64];

  if (st->have_seq && seq < st->max_seq)
    st->out_of_order++;

  if (*seen & mask)
    {
      st->duplicates++;
      uint64_t *dup = &_page(m->dup, page)[bit / 64];
      if (!(*dup & mask))
        {
          *dup |= mask;
          if (m->ndup_examples < REPORT_MAX_ITEMS)
            m->dup_examples[m->ndup_examples++] = seq;
        }
    }
  else
    {
      *seen |= mask;
      st->distinct++;
    }

  if (!st->have_seq)
    {
      st->have_seq = true;
      st->first_seq = st->max_seq = seq;
    }
  else
    {
      if (seq > st->max_seq)
        st->max_seq = seq;
      if (seq < st->first_seq)
        st->first_seq = seq;
    }
}

static void
_seq_free(struct seq_map *m)
{
  for (size_t i = 0; i < m->npages; i++)
    {
      free(m->seen[i]);
      free(m->dup[i]);
    }
  free(m->seen);
  free(m->dup);
}

/* A message's sequence number: its leading decimal digits (1..SEQ_MAX_DIGITS of them). */
static bool
_parse_seq(const char *msg, size_t len, uint64_t *seq)
{
  size_t i = 0;
  uint64_t v = 0;
  while (i < len && msg[i] >= '0' && msg[i] <= '9')
    {
      if (i == SEQ_MAX_DIGITS)
        return false;
      v = v * 10 + (uint64_t) (msg[i] - '0');
      i++;
    }
  *seq = v;
  return i > 0;
}

/* ---- output ---- */

static void
_output_flush(struct collector *self)
{
  if (self->outlen == 0)
    return;
  if (self->out_fd >= 0 && !_write_all(self->out_fd, self->outbuf, self->outlen))
    {
      _warn("Writing the output file failed, output disabled; file=%s error=%s",
            self->opt.output_file, strerror(errno));
      close(self->out_fd);
      self->out_fd = -1;
      self->io_failed = true;
    }
  self->outlen = 0;
}

static void
_output(struct collector *self, const char *msg, size_t len)
{
  if (self->out_fd < 0)
    return;
  if (len + 1 > OUTBUF_SIZE - self->outlen)
    _output_flush(self);
  if (len + 1 > OUTBUF_SIZE)
    {
      struct iovec iov[2] = { { (void *) msg, len }, { "\n", 1 } };
      /* Rare (a message larger than the buffer): a plain loop over writev is enough. */
      size_t done = 0, total = len + 1;
      while (self->out_fd >= 0 && done < total)
        {
          ssize_t n = writev(self->out_fd, iov, 2);
          if (n < 0 && errno == EINTR)
            continue;
          if (n < 0)
            {
              _warn("Writing the output file failed, output disabled; file=%s error=%s",
                    self->opt.output_file, strerror(errno));
              close(self->out_fd);
              self->out_fd = -1;
              self->io_failed = true;
              break;
            }
          done += (size_t) n;
          for (int i = 0; i < 2 && n > 0; i++)
            {
              size_t take = (size_t) n < iov[i].iov_len ? (size_t) n : iov[i].iov_len;
              iov[i].iov_base = (char *) iov[i].iov_base + take;
              iov[i].iov_len -= take;
              n -= (ssize_t) take;
            }
        }
      return;
    }
  memcpy(self->outbuf + self->outlen, msg, len);
  self->outbuf[self->outlen + len] = '\n';
  self->outlen += len + 1;
}

/* ---- stats and report ---- */

static int
_format_stats(const struct collector *self, char *buf, size_t size)
{
  const struct stats *s = &self->st;
  return snprintf(buf, size,
                  "lines=%" PRIu64 " bytes=%" PRIu64 " connections=%" PRIu64 " open=%" PRIu64
                  " distinct=%" PRIu64 " duplicates=%" PRIu64 " out_of_order=%" PRIu64
                  " torn=%" PRIu64 " torn_bytes=%" PRIu64 " unsequenced=%" PRIu64
                  " framing_errors=%" PRIu64 " max_seq=%" PRIu64 " first_seq=%" PRIu64 "\n",
                  s->lines, s->bytes, s->connections, s->open, s->distinct, s->duplicates,
                  s->out_of_order, s->torn, s->torn_bytes, s->unsequenced, s->framing_errors,
                  s->max_seq, s->first_seq);
}

static void
_write_stats(struct collector *self)
{
  if (!self->opt.stats_file)
    return;
  char line[512];
  int len = _format_stats(self, line, sizeof(line));
  if (!_write_file_atomic(self->opt.stats_file, self->stats_tmp, line, (size_t) len))
    {
      _warn("Writing the stats file failed; file=%s error=%s", self->opt.stats_file, strerror(errno));
      self->io_failed = true;
    }
}

static void
_report_missing(struct collector *self, FILE *f)
{
  const struct seq_map *m = &self->seqs;
  uint64_t first = self->st.first_seq, last = self->st.max_seq;
  uint64_t total = 0, printed = 0, run_start = 0;
  bool in_run = false;

#define END_RUN(end_seq) do { \
    total += (end_seq) - run_start + 1; \
    if (printed < REPORT_MAX_ITEMS) { \
      fprintf(f, "missing=%" PRIu64 "-%" PRIu64 "\n", run_start, (uint64_t) (end_seq)); \
      printed++; \
    } \
    in_run = false; \
  } while (0)

  for (uint64_t s = first; self->st.have_seq && s <= last;)
    {
      size_t page = s >> PAGE_SHIFT;
      if (page >= m->npages || !m->seen[page])
        {
          /* A whole page that never saw a message. */
          uint64_t page_end = ((uint64_t) page + 1) * PAGE_SEQS - 1;
          if (!in_run)
            {
              in_run = true;
              run_start = s;
            }
          s = (page_end < last ? page_end : last) + 1;
          continue;
        }
      uint64_t word = m->seen[page][(s & (PAGE_SEQS - 1)) / 64];
      if (s % 64 == 0 && s + 63 <= last && (word == UINT64_MAX || word == 0))
        {
          if (word == UINT64_MAX && in_run)
            END_RUN(s - 1);
          else if (word == 0 && !in_run)
            {
              in_run = true;
              run_start = s;
            }
          s += 64;
          continue;
        }
      if (word >> (s % 64) & 1)
        {
          if (in_run)
            END_RUN(s - 1);
        }
      else if (!in_run)
        {
          in_run = true;
          run_start = s;
        }
      s++;
    }
  if (in_run)
    END_RUN(last);
#undef END_RUN
  fprintf(f, "missing_total=%" PRIu64 "\n", total);
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
      _warn("Opening the report file failed; file=%s error=%s", tmp, strerror(errno));
      self->io_failed = true;
      free(tmp);
      return;
    }
  char line[512];
  _format_stats(self, line, sizeof(line));
  fputs(line, f);
  _report_missing(self, f);
  fputs("duplicated_seqs=", f);
  for (size_t i = 0; i < self->seqs.ndup_examples; i++)
    fprintf(f, "%s%" PRIu64, i ? "," : "", self->seqs.dup_examples[i]);
  fputc('\n', f);
  bool ok = !ferror(f);
  ok = (fclose(f) == 0) && ok;
  if (!ok || rename(tmp, self->opt.report_file) != 0)
    {
      _warn("Writing the report file failed; file=%s error=%s", self->opt.report_file, strerror(errno));
      self->io_failed = true;
    }
  free(tmp);
}

/* ---- framing ---- */

static void
_message(struct collector *self, struct conn *c, const char *msg, size_t len)
{
  self->st.lines++;
  self->st.bytes += len;
  c->lines++;
  c->bytes += len;
  _output(self, msg, len);

  uint64_t seq;
  if (_parse_seq(msg, len, &seq))
    _seq_record(self, seq);
  else
    self->st.unsequenced++;
}

/*
 * Hands every complete message in DATA to _message() and returns the bytes
 * consumed; the rest is an incomplete message.  SCAN_FROM: no '\n' before this
 * offset (the carry never holds one), so a long line is not rescanned.
 * Sets *error for a malformed octet-counted frame or an oversized message.
 */
static size_t
_split(struct collector *self, struct conn *c, const char *data, size_t len,
       size_t scan_from, const char **error)
{
  const char *p = data, *end = data + len;

  if (self->opt.framing == FRAMING_NEWLINE)
    {
      const char *scan = data + scan_from;
      const char *nl;
      while (scan < end && (nl = memchr(scan, '\n', (size_t) (end - scan))))
        {
          _message(self, c, p, (size_t) (nl - p));
          p = scan = nl + 1;
        }
      if ((size_t) (end - p) > MAX_MESSAGE)
        *error = "line-too-long";
      return (size_t) (p - data);
    }

  /* RFC 6587 octet counting: MSG-LEN SP SYSLOG-MSG, MSG-LEN = NONZERO-DIGIT *DIGIT. */
  while (p < end)
    {
      size_t avail = (size_t) (end - p), i = 0;
      uint64_t n = 0;
      if (*p < '1' || *p > '9')
        {
          *error = "bad-frame-length";
          break;
        }
      while (i < avail && i < 10 && p[i] >= '0' && p[i] <= '9')
        {
          n = n * 10 + (uint64_t) (p[i] - '0');
          i++;
        }
      if (i == avail)
        break;                  /* header not complete yet */
      if (p[i] != ' ')
        {
          *error = "bad-frame-length";
          break;
        }
      if (n > MAX_MESSAGE)
        {
          *error = "frame-too-long";
          break;
        }
      if (avail - i - 1 < n)
        break;                  /* body not complete yet */
      _message(self, c, p + i + 1, (size_t) n);
      p += i + 1 + n;
    }
  return (size_t) (p - data);
}

/* ---- connections ---- */

static void
_conn_close(struct collector *self, struct conn *c, const char *reason)
{
  if (c->closed)
    return;
  if (c->carry_len > 0)
    {
      self->st.torn++;
      self->st.torn_bytes += c->carry_len;
    }
  _log(self, "Connection closed; from=%s reason=%s lines=%" PRIu64 " bytes=%" PRIu64 " torn_bytes=%zu",
       c->peer, reason, c->lines, c->bytes, c->carry_len);
  close(c->fd);
  c->fd = -1;
  c->closed = true;
  self->st.open--;
  self->dirty = true;
}

static void
_conn_store_carry(struct conn *c, const char *src, size_t len)
{
  if (len > c->carry_cap)
    {
      size_t cap = c->carry_cap ? c->carry_cap : 1024;
      while (cap < len)
        cap *= 2;
      c->carry = _xrealloc(c->carry, cap);
      c->carry_cap = cap;
    }
  if (len)
    memmove(c->carry, src, len);
  c->carry_len = len;
}

/*
 * One read() on a readable connection.  Returns the number of bytes read
 * (0 when nothing more is to be read now: EAGAIN, end of stream or error).
 */
static size_t
_conn_read(struct collector *self, struct conn *c)
{
  size_t have = c->carry_len;
  char *buf;

  if (have <= READ_CHUNK)
    {
      /* Usual case: the carry is shorter than one message; copy it in front of the read. */
      buf = self->rbuf;
      if (have)
        memcpy(buf, c->carry, have);
    }
  else
    {
      /* A long message in progress: read straight behind it, no copying. */
      if (c->carry_cap < have + READ_CHUNK)
        {
          c->carry_cap = have + READ_CHUNK > 2 * c->carry_cap ? have + READ_CHUNK : 2 * c->carry_cap;
          c->carry = _xrealloc(c->carry, c->carry_cap);
        }
      buf = c->carry;
    }

  ssize_t n = read(c->fd, buf + have, READ_CHUNK);
  if (n == 0)
    {
      _conn_close(self, c, "eof");
      return 0;
    }
  if (n < 0)
    {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
        return 0;
      /* Linux hands over queued data before reporting a reset: all of it was read. */
      _conn_close(self, c, errno == ECONNRESET ? "reset" : strerror(errno));
      return 0;
    }

  self->dirty = true;
  const char *error = NULL;
  size_t total = have + (size_t) n;
  size_t consumed = _split(self, c, buf, total, have, &error);
  if (error)
    {
      self->st.framing_errors++;
      _log(self, "Framing error; from=%s error=%s offset_in_read=%zu", c->peer, error, consumed);
      c->carry_len = 0;
      _conn_close(self, c, "framing-error");
      return 0;
    }
  _conn_store_carry(c, buf + consumed, total - consumed);
  if (c->carry_len == 0 && c->carry_cap > 4 * READ_CHUNK)
    {
      free(c->carry);
      c->carry = NULL;
      c->carry_cap = 0;
    }
  return (size_t) n;
}

static void
_format_peer(const struct sockaddr_storage *ss, char *buf, size_t size)
{
  char host[INET6_ADDRSTRLEN] = "?";
  unsigned port = 0;
  if (ss->ss_family == AF_INET)
    {
      const struct sockaddr_in *sin = (const struct sockaddr_in *) ss;
      inet_ntop(AF_INET, &sin->sin_addr, host, sizeof(host));
      port = ntohs(sin->sin_port);
      snprintf(buf, size, "%s:%u", host, port);
    }
  else
    {
      const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *) ss;
      inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof(host));
      port = ntohs(sin6->sin6_port);
      snprintf(buf, size, "[%s]:%u", host, port);
    }
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
          _warn("Accepting a connection failed, pausing accepts for 100 ms; error=%s", strerror(errno));
          self->accept_paused_until = now + ACCEPT_PAUSE_NS;
          return;
        }
      struct conn *c = _xcalloc(1, sizeof(*c));
      c->fd = fd;
      _format_peer(&ss, c->peer, sizeof(c->peer));
      if (self->nconns == self->conns_cap)
        {
          self->conns_cap = self->conns_cap ? 2 * self->conns_cap : 16;
          self->conns = _xrealloc(self->conns, self->conns_cap * sizeof(*self->conns));
        }
      self->conns[self->nconns++] = c;
      self->st.connections++;
      self->st.open++;
      self->dirty = true;
      _log(self, "Connection accepted; from=%s connections=%" PRIu64 " open=%" PRIu64,
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
          free(c->carry);
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
    _die("pipe2() failed; error=%s", strerror(errno));
  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = _on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  sa.sa_handler = SIG_IGN;
  sigaction(SIGPIPE, &sa, NULL);
}

static bool
_is_loopback(const struct sockaddr_storage *ss)
{
  if (ss->ss_family == AF_INET)
    return (ntohl(((const struct sockaddr_in *) ss)->sin_addr.s_addr) >> 24) == 127;
  const struct in6_addr *a = &((const struct sockaddr_in6 *) ss)->sin6_addr;
  return IN6_IS_ADDR_LOOPBACK(a) || (IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127);
}

static void
_listen(struct collector *self)
{
  struct sockaddr_storage ss;
  socklen_t sslen;
  memset(&ss, 0, sizeof(ss));
  struct sockaddr_in *sin = (struct sockaddr_in *) &ss;
  struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *) &ss;

  if (inet_pton(AF_INET, self->opt.listen_addr, &sin->sin_addr) == 1)
    {
      sin->sin_family = AF_INET;
      sin->sin_port = htons((uint16_t) self->opt.port);
      sslen = sizeof(*sin);
    }
  else if (inet_pton(AF_INET6, self->opt.listen_addr, &sin6->sin6_addr) == 1)
    {
      sin6->sin6_family = AF_INET6;
      sin6->sin6_port = htons((uint16_t) self->opt.port);
      sslen = sizeof(*sin6);
    }
  else
    {
      fprintf(stderr, PROG ": --listen needs an IPv4 or IPv6 literal; addr=%s\n", self->opt.listen_addr);
      exit(2);
    }
  if (!_is_loopback(&ss))
    {
      fprintf(stderr, PROG ": refusing a non-loopback address (127.0.0.0/8 or ::1 only); addr=%s\n",
              self->opt.listen_addr);
      exit(2);
    }

  int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0)
    _die("socket() failed; error=%s", strerror(errno));
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (bind(fd, (struct sockaddr *) &ss, sslen) != 0)
    _die("bind() failed; addr=%s port=%u error=%s", self->opt.listen_addr, self->opt.port, strerror(errno));
  if (listen(fd, SOMAXCONN) != 0)
    _die("listen() failed; error=%s", strerror(errno));

  sslen = sizeof(ss);
  if (getsockname(fd, (struct sockaddr *) &ss, &sslen) != 0)
    _die("getsockname() failed; error=%s", strerror(errno));
  unsigned port = ntohs(ss.ss_family == AF_INET ? sin->sin_port : sin6->sin6_port);
  self->listen_fd = fd;

  char line[16];
  int len = snprintf(line, sizeof(line), "%u\n", port);
  char *tmp = _tmp_path(self->opt.ready_file);
  if (!_write_file_atomic(self->opt.ready_file, tmp, line, (size_t) len))
    _die("Writing the ready file failed; file=%s error=%s", self->opt.ready_file, strerror(errno));
  free(tmp);
  _log(self, "Listening; addr=%s port=%u framing=%s", self->opt.listen_addr, port,
       self->opt.framing == FRAMING_NEWLINE ? "newline" : "octet-counted");
}

static void
_usage(FILE *f)
{
  fputs("usage: " PROG " --listen ADDR [--port N] --ready-file F [--stats-file F]\n"
        "         [--output F] [--report F] [--framing newline|octet-counted]\n"
        "         [--exit-after-lines N] [--quiet]\n"
        "ADDR is a loopback IPv4 or IPv6 literal (127.0.0.0/8 or ::1). --port 0 (default)\n"
        "binds an ephemeral port; the chosen port is written to the ready file.\n", f);
}

static void
_parse_args(struct options *o, int argc, char **argv)
{
  static const struct option longopts[] = {
    { "listen", required_argument, NULL, 'l' },
    { "port", required_argument, NULL, 'p' },
    { "ready-file", required_argument, NULL, 'r' },
    { "stats-file", required_argument, NULL, 's' },
    { "output", required_argument, NULL, 'o' },
    { "report", required_argument, NULL, 'R' },
    { "framing", required_argument, NULL, 'f' },
    { "exit-after-lines", required_argument, NULL, 'x' },
    { "quiet", no_argument, NULL, 'q' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  int ch;
  uint64_t v;

  while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1)
    {
      switch (ch)
        {
        case 'l': o->listen_addr = optarg; break;
        case 'p':
          if (!_parse_u64(optarg, &v) || v > 65535)
            goto bad_value;
          o->port = (unsigned) v;
          break;
        case 'r': o->ready_file = optarg; break;
        case 's': o->stats_file = optarg; break;
        case 'o': o->output_file = optarg; break;
        case 'R': o->report_file = optarg; break;
        case 'f':
          if (strcmp(optarg, "newline") == 0)
            o->framing = FRAMING_NEWLINE;
          else if (strcmp(optarg, "octet-counted") == 0)
            o->framing = FRAMING_OCTET_COUNTED;
          else
            goto bad_value;
          break;
        case 'x':
          if (!_parse_u64(optarg, &v) || v == 0)
            goto bad_value;
          o->exit_after_lines = v;
          break;
        case 'q': o->quiet = true; break;
        case 'h': _usage(stdout); exit(0);
        default: _usage(stderr); exit(2);
        }
      continue;
bad_value:
      fprintf(stderr, PROG ": invalid value; option=%s value=%s\n", argv[optind - 1], optarg);
      exit(2);
    }
  if (optind != argc || !o->listen_addr || !o->ready_file)
    {
      _usage(stderr);
      exit(2);
    }
}

/* ---- main loop ---- */

/* Milliseconds until the next 50 ms tick, or -1 when nothing is pending. */
static int
_poll_timeout(const struct collector *self, int64_t now)
{
  int64_t until = -1;
  if (self->dirty || self->outlen > 0)
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
    _output_flush(self);
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
          self->pfds = _xrealloc(self->pfds, self->pfds_cap * sizeof(*self->pfds));
        }
      struct pollfd *pfds = self->pfds;
      pfds[0] = (struct pollfd) { .fd = sig_pipe[0], .events = POLLIN };
      pfds[1] = (struct pollfd) { .fd = self->accept_paused_until > now ? -1 : self->listen_fd,
                                  .events = POLLIN };
      size_t npolled = self->nconns;
      for (size_t i = 0; i < npolled; i++)
        pfds[i + 2] = (struct pollfd) { .fd = self->conns[i]->fd, .events = POLLIN };

      int n = poll(pfds, npolled + 2, _poll_timeout(self, now));
      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          _die("poll() failed; error=%s", strerror(errno));
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
        if (pfds[i + 2].revents)
          _conn_read(self, self->conns[i]);
      if (pfds[1].revents)
        _accept_all(self, now);
      _conns_compact(self);

      if (self->opt.exit_after_lines && self->st.lines >= self->opt.exit_after_lines)
        self->stop = true;
      _tick(self, now, n == 0);
    }
}

static void
_shutdown(struct collector *self)
{
  close(self->listen_fd);
  self->listen_fd = -1;

  const char *reason = self->stop_by_signal ? "shutdown" : "exit-after-lines";
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

  _output_flush(self);
  _write_stats(self);
  _write_report(self);
  if (!self->opt.quiet)
    {
      char line[512];
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
  self.out_fd = -1;
  _parse_args(&self.opt, argc, argv);

  _setup_signals();
  self.rbuf = _xmalloc(2 * READ_CHUNK);
  if (self.opt.stats_file)
    self.stats_tmp = _tmp_path(self.opt.stats_file);
  if (self.opt.output_file)
    {
      self.out_fd = open(self.opt.output_file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      if (self.out_fd < 0)
        _die("Opening the output file failed; file=%s error=%s", self.opt.output_file, strerror(errno));
      self.outbuf = _xmalloc(OUTBUF_SIZE);
    }

  _write_stats(&self);
  _listen(&self);
  self.last_tick = _now_ns();
  _run(&self);
  _shutdown(&self);

  if (self.out_fd >= 0 && close(self.out_fd) != 0)
    {
      _warn("Closing the output file failed; file=%s error=%s", self.opt.output_file, strerror(errno));
      self.io_failed = true;
    }
  _seq_free(&self.seqs);
  free(self.conns);
  free(self.pfds);
  free(self.rbuf);
  free(self.outbuf);
  free(self.stats_tmp);
  close(sig_pipe[0]);
  close(sig_pipe[1]);
  return self.io_failed ? 1 : 0;
}
