/*
 * lifeline-generator: sequence-numbered log lines for tests and benchmarks.
 *
 * Line SEQ is exactly --size bytes plus '\n': the 10-digit zero-padded SEQ,
 * a space, then "lifeline-test-payload-<SEQ in hex>-" repeated and cut to
 * length.  The content depends only on SEQ and --size, so two runs with the
 * same arguments produce identical bytes (a test can cmp them).
 *
 * Lines are formatted into a 256 KiB batch and written with one write()/send()
 * per batch: to stdout (default), to --output F, and/or to a loopback TCP
 * peer (--connect).  --rate paces the lines on CLOCK_MONOTONIC: every 1 ms it
 * writes all lines due so far (line i is due at i / RATE seconds), so a
 * stalled sink is caught up afterwards rather than skipped.
 *
 * Plain C11 + POSIX; loopback addresses only.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
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

#define PROG "lifeline-generator"

#define BATCH_BYTES (256 * 1024)
#define SEQ_DIGITS 10
#define SEQ_LIMIT 9999999999ULL
#define MIN_SIZE (SEQ_DIGITS + 1)
#define MAX_SIZE (64 * 1024 * 1024)
#define MAX_RATE 1000000000ULL
#define TICK_NS 1000000LL
#define NS_PER_SEC 1000000000ULL

struct options
{
  uint64_t count;
  uint64_t size;
  uint64_t start;
  uint64_t rate;
  const char *connect;
  const char *output;
  bool have_count;
};

struct sink
{
  int fd;
  bool is_socket;
  const char *name;
};

struct generator
{
  struct options opt;
  struct sink sinks[2];
  int nsinks;
  char *batch;
  uint64_t batch_lines;
  uint64_t written;           /* lines fully written to every sink */
};

static void
_usage(FILE *f)
{
  fputs("usage: " PROG " --count N [--size BYTES] [--start SEQ] [--rate LINES_PER_SEC]\n"
        "         [--connect ADDR:PORT | --connect [V6ADDR]:PORT] [--output F]\n"
        "Writes N lines (SEQ = START.., default 1), each BYTES long (default 200, at\n"
        "least 11) plus '\\n', to stdout, to --output F, and/or to a loopback TCP peer.\n"
        "--rate 0 (default) writes flat out.\n", f);
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

static int64_t
_now_ns(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t) ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void
_sleep_until(int64_t t)
{
  struct timespec ts = { .tv_sec = (time_t) (t / 1000000000LL), .tv_nsec = (long) (t % 1000000000LL) };
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
    ;
}

/* ---- lines ---- */

/* Writes line SEQ (SIZE bytes + '\n') to DST. */
static void
_format_line(char *dst, uint64_t seq, size_t size)
{
  uint64_t v = seq;
  for (int i = SEQ_DIGITS - 1; i >= 0; i--)
    {
      dst[i] = (char) ('0' + v % 10);
      v /= 10;
    }
  dst[SEQ_DIGITS] = ' ';

  static const char prefix[] = "lifeline-test-payload-";
  static const char hexdigits[] = "0123456789abcdef";
  char unit[sizeof(prefix) + 17];
  size_t ulen = sizeof(prefix) - 1;
  memcpy(unit, prefix, ulen);
  char hex[16];
  int nhex = 0;
  v = seq;
  do
    {
      hex[nhex++] = hexdigits[v & 15];
      v >>= 4;
    }
  while (v);
  while (nhex > 0)
    unit[ulen++] = hex[--nhex];
  unit[ulen++] = '-';

  char *p = dst + MIN_SIZE, *end = dst + size;
  while (p < end)
    {
      size_t n = (size_t) (end - p) < ulen ? (size_t) (end - p) : ulen;
      memcpy(p, unit, n);
      p += n;
    }
  *end = '\n';
}

/* ---- output ---- */

/* Writes LEN bytes to a sink, handling partial writes, EINTR and a nonblocking fd; exits on error. */
static void
_sink_write(struct generator *self, struct sink *s, const char *data, size_t len)
{
  while (len > 0)
    {
      ssize_t n = s->is_socket ? send(s->fd, data, len, MSG_NOSIGNAL) : write(s->fd, data, len);
      if (n >= 0)
        {
          data += n;
          len -= (size_t) n;
          continue;
        }
      if (errno == EINTR)
        continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK)
        {
          struct pollfd pfd = { .fd = s->fd, .events = POLLOUT };
          poll(&pfd, 1, -1);
          continue;
        }
      if (errno == EPIPE && !s->is_socket)
        fprintf(stderr, PROG ": the reader of %s went away (EPIPE); written_lines=%" PRIu64 "\n",
                s->name, self->written);
      else
        fprintf(stderr, PROG ": writing failed; sink=%s error=%s written_lines=%" PRIu64 "\n",
                s->name, strerror(errno), self->written);
      exit(1);
    }
}

/* Formats and writes lines [self->written, self->written + n) (relative to --start). */
static void
_emit(struct generator *self, uint64_t n)
{
  size_t stride = (size_t) self->opt.size + 1;
  while (n > 0)
    {
      uint64_t k = n < self->batch_lines ? n : self->batch_lines;
      uint64_t seq = self->opt.start + self->written;
      for (uint64_t i = 0; i < k; i++)
        _format_line(self->batch + i * stride, seq + i, (size_t) self->opt.size);
      for (int i = 0; i < self->nsinks; i++)
        _sink_write(self, &self->sinks[i], self->batch, (size_t) k * stride);
      self->written += k;
      n -= k;
    }
}

/* Nanoseconds after the start at which line I (0-based) is due: I / RATE seconds. */
static int64_t
_due_at(uint64_t i, uint64_t rate)
{
  return (int64_t) ((i / rate) * NS_PER_SEC + ((i % rate) * NS_PER_SEC + rate - 1) / rate);
}

/* Lines due ELAPSED ns after the start: line 0 at once, then RATE per second. */
static uint64_t
_due_by(int64_t elapsed, uint64_t rate)
{
  uint64_t e = (uint64_t) elapsed;
  return (e / NS_PER_SEC) * rate + ((e % NS_PER_SEC) * rate) / NS_PER_SEC + 1;
}

static void
_run(struct generator *self)
{
  uint64_t count = self->opt.count, rate = self->opt.rate;
  if (rate == 0)
    {
      _emit(self, count);
      return;
    }

  int64_t start = _now_ns();
  while (self->written < count)
    {
      int64_t now = _now_ns();
      uint64_t due = _due_by(now - start, rate);
      if (due > count)
        due = count;
      if (due > self->written)
        _emit(self, due - self->written);
      if (self->written == count)
        break;
      int64_t wake = start + _due_at(self->written, rate);
      if (wake < now + TICK_NS)
        wake = now + TICK_NS;
      _sleep_until(wake);
    }
}

/* ---- setup ---- */

static bool
_is_loopback(const struct sockaddr_storage *ss)
{
  if (ss->ss_family == AF_INET)
    return (ntohl(((const struct sockaddr_in *) ss)->sin_addr.s_addr) >> 24) == 127;
  const struct in6_addr *a = &((const struct sockaddr_in6 *) ss)->sin6_addr;
  return IN6_IS_ADDR_LOOPBACK(a) || (IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127);
}

static void
_bad_connect(const char *arg, const char *why)
{
  fprintf(stderr, PROG ": %s; connect=%s\n", why, arg);
  exit(2);
}

static int
_connect(const char *arg)
{
  char host[INET6_ADDRSTRLEN + 2];
  const char *colon, *h = arg;
  size_t hlen;

  if (arg[0] == '[')
    {
      const char *close_br = strchr(arg, ']');
      if (!close_br || close_br[1] != ':')
        _bad_connect(arg, "--connect needs ADDR:PORT or [V6ADDR]:PORT");
      h = arg + 1;
      hlen = (size_t) (close_br - h);
      colon = close_br + 1;
    }
  else
    {
      colon = strrchr(arg, ':');
      if (!colon)
        _bad_connect(arg, "--connect needs ADDR:PORT or [V6ADDR]:PORT");
      hlen = (size_t) (colon - arg);
    }
  if (hlen >= sizeof(host))
    _bad_connect(arg, "--connect address too long");
  memcpy(host, h, hlen);
  host[hlen] = '\0';

  uint64_t port;
  if (!_parse_u64(colon + 1, &port) || port == 0 || port > 65535)
    _bad_connect(arg, "--connect needs a port in 1..65535");

  struct sockaddr_storage ss;
  socklen_t sslen;
  memset(&ss, 0, sizeof(ss));
  struct sockaddr_in *sin = (struct sockaddr_in *) &ss;
  struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *) &ss;
  if (arg[0] != '[' && inet_pton(AF_INET, host, &sin->sin_addr) == 1)
    {
      sin->sin_family = AF_INET;
      sin->sin_port = htons((uint16_t) port);
      sslen = sizeof(*sin);
    }
  else if (arg[0] == '[' && inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1)
    {
      sin6->sin6_family = AF_INET6;
      sin6->sin6_port = htons((uint16_t) port);
      sslen = sizeof(*sin6);
    }
  else
    _bad_connect(arg, "--connect needs an IPv4 literal or a bracketed IPv6 literal");
  if (!_is_loopback(&ss))
    _bad_connect(arg, "refusing a non-loopback address (127.0.0.0/8 or ::1 only)");

  int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    {
      fprintf(stderr, PROG ": socket() failed; error=%s\n", strerror(errno));
      exit(1);
    }
  int rc;
  while ((rc = connect(fd, (struct sockaddr *) &ss, sslen)) != 0 && errno == EINTR)
    ;
  if (rc != 0)
    {
      fprintf(stderr, PROG ": connecting failed; connect=%s error=%s\n", arg, strerror(errno));
      exit(1);
    }
  /* --rate writes a few KiB every millisecond, far below the loopback MSS:
   * with Nagle a write waits for the peer's (possibly delayed) ACK, which
   * stalled the feed for 10-40 ms at a time and showed up as latency of
   * whatever reads it. */
  int one = 1;
  (void) setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  return fd;
}

static void
_parse_args(struct options *o, int argc, char **argv)
{
  static const struct option longopts[] = {
    { "count", required_argument, NULL, 'n' },
    { "size", required_argument, NULL, 's' },
    { "start", required_argument, NULL, 'S' },
    { "rate", required_argument, NULL, 'r' },
    { "connect", required_argument, NULL, 'c' },
    { "output", required_argument, NULL, 'o' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  int ch;

  o->size = 200;
  o->start = 1;
  while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1)
    {
      bool ok = true;
      switch (ch)
        {
        case 'n': ok = _parse_u64(optarg, &o->count); o->have_count = true; break;
        case 's': ok = _parse_u64(optarg, &o->size); break;
        case 'S': ok = _parse_u64(optarg, &o->start); break;
        case 'r': ok = _parse_u64(optarg, &o->rate) && o->rate <= MAX_RATE; break;
        case 'c': o->connect = optarg; break;
        case 'o': o->output = optarg; break;
        case 'h': _usage(stdout); exit(0);
        default: _usage(stderr); exit(2);
        }
      if (!ok)
        {
          fprintf(stderr, PROG ": invalid value; option=%s value=%s\n", argv[optind - 1], optarg);
          exit(2);
        }
    }
  if (optind != argc || !o->have_count)
    {
      _usage(stderr);
      exit(2);
    }
  if (o->size < MIN_SIZE || o->size > MAX_SIZE)
    {
      fprintf(stderr, PROG ": --size must be %d..%d (10-digit seq, a space, filler); size=%" PRIu64 "\n",
              MIN_SIZE, MAX_SIZE, o->size);
      exit(2);
    }
  if (o->start > SEQ_LIMIT || (o->count > 0 && o->count - 1 > SEQ_LIMIT - o->start))
    {
      fprintf(stderr, PROG ": sequence numbers must fit in 10 digits; start=%" PRIu64 " count=%" PRIu64 "\n",
              o->start, o->count);
      exit(2);
    }
}

int
main(int argc, char **argv)
{
  struct generator self;
  memset(&self, 0, sizeof(self));
  _parse_args(&self.opt, argc, argv);

  /* EPIPE is reported as an error instead of killing the process. */
  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = SIG_IGN;
  sigaction(SIGPIPE, &sa, NULL);

  if (self.opt.connect)
    self.sinks[self.nsinks++] = (struct sink) { _connect(self.opt.connect), true, self.opt.connect };
  if (self.opt.output)
    {
      int fd = open(self.opt.output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      if (fd < 0)
        {
          fprintf(stderr, PROG ": opening the output file failed; file=%s error=%s\n",
                  self.opt.output, strerror(errno));
          exit(1);
        }
      self.sinks[self.nsinks++] = (struct sink) { fd, false, self.opt.output };
    }
  else if (!self.opt.connect)
    self.sinks[self.nsinks++] = (struct sink) { STDOUT_FILENO, false, "stdout" };

  size_t stride = (size_t) self.opt.size + 1;
  self.batch_lines = BATCH_BYTES / stride ? BATCH_BYTES / stride : 1;
  self.batch = malloc((size_t) self.batch_lines * stride);
  if (!self.batch)
    {
      fprintf(stderr, PROG ": out of memory\n");
      exit(1);
    }

  _run(&self);

  int rc = 0;
  for (int i = 0; i < self.nsinks; i++)
    if (self.sinks[i].fd != STDOUT_FILENO && close(self.sinks[i].fd) != 0)
      {
        fprintf(stderr, PROG ": closing failed; sink=%s error=%s\n", self.sinks[i].name, strerror(errno));
        rc = 1;
      }
  free(self.batch);
  return rc;
}
