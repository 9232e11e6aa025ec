/*
 * lifeline-bench-raw-client: the raw ceiling of bench/run's throughput
 * scenario.  Writes COUNT sequence-numbered lines straight into a collector
 * over loopback TCP, as fast as the kernel takes them: what any forwarder
 * could at best reach on this machine.
 *
 * The lines are byte for byte lifeline-generator's format where the collector
 * looks (a 10-digit zero-padded sequence number, a space, filler, '\n'), so
 * the collector's sequence accounting applies.  The filler is the same for
 * every line: a ceiling should cost as little per line as possible, so only
 * the ten digits are written per line, into a batch formatted once.
 *
 * Plain C11 + POSIX; loopback IPv4 literals only.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define PROG "lifeline-bench-raw-client"
#define SEQ_DIGITS 10
#define BATCH_BYTES (256 * 1024)

struct raw_client
{
  const char *host;
  unsigned port;
  uint64_t count;
  size_t size;                /* bytes per line, without the '\n' */
  int fd;
  char *batch;                /* BATCH_BYTES rounded down to whole lines; owned */
  size_t batch_lines;
};

static void
_die(const char *what, const char *detail)
{
  fprintf(stderr, PROG ": %s; %s\n", what, detail);
  exit(1);
}

static void
_usage(FILE *f)
{
  fputs("usage: " PROG " --connect ADDR:PORT --count N [--size BYTES]\n"
        "Writes N lines (seq 1..N), each BYTES long (default 200, at least 11) plus\n"
        "'\\n', flat out to a loopback TCP collector, then closes and exits 0.\n", f);
}

static uint64_t
_parse_u64(const char *opt, const char *s)
{
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (*s < '0' || *s > '9' || errno || *end)
    _die("invalid number", opt);
  return v;
}

static void
_raw_client_parse(struct raw_client *self, int argc, char **argv)
{
  static const struct option longopts[] = {
    { "connect", required_argument, NULL, 'c' },
    { "count", required_argument, NULL, 'n' },
    { "size", required_argument, NULL, 's' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  const char *connect_to = NULL;
  int ch;

  self->size = 200;
  while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1)
    switch (ch)
      {
      case 'c': connect_to = optarg; break;
      case 'n': self->count = _parse_u64("--count", optarg); break;
      case 's': self->size = (size_t) _parse_u64("--size", optarg); break;
      case 'h': _usage(stdout); exit(0);
      default: _usage(stderr); exit(2);
      }
  if (optind != argc || !connect_to || self->count == 0 || self->size <= SEQ_DIGITS
      || self->size + 1 > BATCH_BYTES)
    {
      _usage(stderr);
      exit(2);
    }
  const char *colon = strrchr(connect_to, ':');
  if (!colon)
    _die("--connect needs ADDR:PORT", connect_to);
  self->host = strndup(connect_to, (size_t) (colon - connect_to));
  self->port = (unsigned) _parse_u64("--connect port", colon + 1);
  if (self->port == 0 || self->port > 65535)
    _die("--connect needs a port in 1..65535", connect_to);
}

static void
_raw_client_connect(struct raw_client *self)
{
  struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons((uint16_t) self->port) };
  if (inet_pton(AF_INET, self->host, &sin.sin_addr) != 1)
    _die("--connect needs an IPv4 literal", self->host);
  /* The benchmark must never send anything off this machine. */
  if ((ntohl(sin.sin_addr.s_addr) >> 24) != 127)
    _die("refusing a non-loopback address (127.0.0.0/8 only)", self->host);
  self->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (self->fd < 0)
    _die("socket() failed", strerror(errno));
  if (connect(self->fd, (struct sockaddr *) &sin, sizeof(sin)) != 0)
    _die("connect() failed", strerror(errno));
}

/* One line's filler, formatted once; every line of the batch starts from it. */
static void
_raw_client_prepare(struct raw_client *self)
{
  size_t stride = self->size + 1;
  self->batch_lines = BATCH_BYTES / stride;
  self->batch = malloc(self->batch_lines * stride);
  if (!self->batch)
    _die("out of memory", "batch");
  for (size_t i = 0; i < self->batch_lines; i++)
    {
      char *line = self->batch + i * stride;
      line[SEQ_DIGITS] = ' ';
      for (size_t k = SEQ_DIGITS + 1; k < self->size; k++)
        line[k] = "lifeline-bench-raw-"[(k - SEQ_DIGITS - 1) % 19];
      line[self->size] = '\n';
    }
}

static void
_send_all(int fd, const char *data, size_t len)
{
  while (len > 0)
    {
      ssize_t n = send(fd, data, len, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        _die("send() failed", strerror(errno));
      data += n;
      len -= (size_t) n;
    }
}

static void
_raw_client_run(struct raw_client *self)
{
  size_t stride = self->size + 1;
  uint64_t seq = 1;
  while (seq <= self->count)
    {
      uint64_t left = self->count - seq + 1;
      size_t k = left < self->batch_lines ? (size_t) left : self->batch_lines;
      for (size_t i = 0; i < k; i++)
        {
          uint64_t v = seq + i;
          char *digits = self->batch + i * stride;
          for (int d = SEQ_DIGITS - 1; d >= 0; d--)
            {
              digits[d] = (char) ('0' + v % 10);
              v /= 10;
            }
        }
      _send_all(self->fd, self->batch, k * stride);
      seq += k;
    }
}

int
main(int argc, char **argv)
{
  struct raw_client self;
  memset(&self, 0, sizeof(self));
  _raw_client_parse(&self, argc, argv);
  _raw_client_prepare(&self);
  _raw_client_connect(&self);
  _raw_client_run(&self);
  if (close(self.fd) != 0)
    _die("close() failed", strerror(errno));
  free(self.batch);
  free((char *) self.host);
  return 0;
}
