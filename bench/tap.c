/*
 * lifeline-bench-tap: a recording TCP sink for bench/run's failover scenarios.
 *
 * lifeline-collector counts lines; what a failover scenario also needs is
 * *when* each connection opened and first carried data, and exactly which
 * bytes the process had read at the instant it was SIGKILLed.  The collector
 * buffers its output for up to 50 ms, so after a hard kill its files miss up
 * to a thousand lines it did read.  The tap writes every read() straight to
 * DIR/conn-N.raw with write() before reading again, and appends one line per
 * event to DIR/events:
 *
 *   accept N T_US          connection N accepted (CLOCK_REALTIME, microseconds)
 *   data N T_US            its first bytes arrived
 *   close N T_US BYTES     it ended (eof, reset, error)
 *   kill 0 T_US UNREAD     SIGUSR1: the tap killed itself with SIGKILL; UNREAD
 *                          bytes were acknowledged by its kernel, never read
 *
 * A SIGKILL from outside can land between a read() and its write(): what
 * was read would then look lost.  SIGUSR1 is the hard kill without that
 * gap: the tap finishes the write in hand, notes how many bytes its kernel
 * holds unread (SIOCINQ), and SIGKILLs itself, so its connections end as a
 * killed process's do (RST, unread data discarded).
 *
 * bench/tap-count.py turns the files into line counts.  --no-read accepts
 * connections and never reads them: the "hung primary" of scenario f.
 * --tls-cert/--tls-key make every connection TLS (tap-tls.h, scenario g):
 * the files then hold the decrypted bytes, "data" is the first decrypted
 * byte, and UNREAD also counts a record the tap took from its kernel but
 * had not finished decrypting.
 *
 * C11 + POSIX (+ OpenSSL for TLS); loopback IPv4 literals only; one poll() loop.
 */
#include "diag.h"
#include "tap-tls.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PROG "lifeline-bench-tap"
#define READ_CHUNK (256 * 1024)
#define MAX_CONNS 4096

struct tap_conn
{
  int fd;
  int out_fd;                 /* DIR/conn-N.raw */
  struct tap_tls *tls;        /* owned; NULL: plain TCP */
  unsigned id;
  uint64_t bytes;
};

struct tap
{
  const char *addr, *dir, *ready_file;
  unsigned port;
  bool no_read;
  struct tls_server_options tls_opt;
  struct tls_server *tls;     /* owned; NULL: plain TCP */
  int listen_fd;
  int events_fd;
  unsigned next_id;
  struct tap_conn conns[MAX_CONNS];
  size_t nconns;
  char *buf;                  /* READ_CHUNK, shared by every connection */
};

static volatile sig_atomic_t tap_stop, tap_die;

static void
_die(const char *what, const char *detail)
{
  fprintf(stderr, PROG ": %s; %s\n", what, detail);
  exit(1);
}

static int64_t
_now_us(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void
_write_all(int fd, const char *data, size_t len)
{
  while (len > 0)
    {
      ssize_t n = write(fd, data, len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        _die("write() failed", strerror(errno));
      data += n;
      len -= (size_t) n;
    }
}

/* One event line, written at once: it must survive a SIGKILL right after. */
static void
_tap_event(struct tap *self, const char *kind, unsigned id, const char *extra)
{
  char line[128];
  int len = snprintf(line, sizeof(line), "%s %u %" PRId64 "%s\n", kind, id, _now_us(), extra);
  _write_all(self->events_fd, line, (size_t) len);
}

static void
_tap_parse(struct tap *self, int argc, char **argv)
{
  static const struct option longopts[] = {
    { "listen", required_argument, NULL, 'l' },
    { "port", required_argument, NULL, 'p' },
    { "dir", required_argument, NULL, 'd' },
    { "ready-file", required_argument, NULL, 'r' },
    { "no-read", no_argument, NULL, 'n' },
    { "tls-cert", required_argument, NULL, 'C' },
    { "tls-key", required_argument, NULL, 'K' },
    { NULL, 0, NULL, 0 },
  };
  int ch;
  while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1)
    switch (ch)
      {
      case 'l': self->addr = optarg; break;
      case 'p': self->port = (unsigned) strtoul(optarg, NULL, 10); break;
      case 'd': self->dir = optarg; break;
      case 'r': self->ready_file = optarg; break;
      case 'n': self->no_read = true; break;
      case 'C': self->tls_opt.cert_file = optarg; break;
      case 'K': self->tls_opt.key_file = optarg; break;
      default:
        fputs("usage: " PROG " --listen ADDR --port N --dir DIR --ready-file F [--no-read]\n"
              "       [--tls-cert F --tls-key F]\n", stderr);
        exit(2);
      }
  if (!self->addr || !self->dir || !self->ready_file || self->port == 0 || self->port > 65535)
    _die("--listen, --port (1..65535), --dir and --ready-file are required", "");
  if (!self->tls_opt.cert_file != !self->tls_opt.key_file)
    _die("--tls-cert and --tls-key go together", "");
}

static void
_tap_listen(struct tap *self)
{
  struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons((uint16_t) self->port) };
  if (inet_pton(AF_INET, self->addr, &sin.sin_addr) != 1 || (ntohl(sin.sin_addr.s_addr) >> 24) != 127)
    _die("--listen needs a loopback IPv4 literal (127.0.0.0/8)", self->addr);
  self->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(self->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (bind(self->listen_fd, (struct sockaddr *) &sin, sizeof(sin)) != 0
      || listen(self->listen_fd, 4096) != 0)
    _die("bind()/listen() failed", strerror(errno));

  char path[4096];
  snprintf(path, sizeof(path), "%s/events", self->dir);
  self->events_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (self->events_fd < 0)
    _die("opening the events file failed", path);
  /* The ready file appears only once the socket listens (write, then rename). */
  snprintf(path, sizeof(path), "%s.tmp", self->ready_file);
  FILE *f = fopen(path, "we");
  if (!f || fprintf(f, "%u\n", self->port) < 0 || fclose(f) != 0 || rename(path, self->ready_file) != 0)
    _die("writing the ready file failed", self->ready_file);
}

static void
_tap_accept(struct tap *self)
{
  for (;;)
    {
      int fd = accept4(self->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0)
        return;
      if (self->nconns == MAX_CONNS)
        {
          close(fd);
          continue;
        }
      struct tap_conn *c = &self->conns[self->nconns++];
      c->fd = fd;
      c->id = self->next_id++;
      c->bytes = 0;
      c->out_fd = -1;
      c->tls = self->tls ? tap_tls_new(self->tls, fd) : NULL;
      _tap_event(self, "accept", c->id, "");
    }
}

/* Reads what is there; returns false once the connection ended. */
static bool
_tap_read(struct tap *self, struct tap_conn *c)
{
  for (;;)
    {
      ssize_t n = c->tls ? tap_tls_read(c->tls, self->buf, READ_CHUNK) : read(c->fd, self->buf, READ_CHUNK);
      if (n > 0)
        {
          if (c->out_fd < 0)
            {
              char path[4096];
              snprintf(path, sizeof(path), "%s/conn-%u.raw", self->dir, c->id);
              c->out_fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
              if (c->out_fd < 0)
                _die("opening a connection file failed", path);
              _tap_event(self, "data", c->id, "");
            }
          _write_all(c->out_fd, self->buf, (size_t) n);
          c->bytes += (uint64_t) n;
          if (tap_die)
            return true;
          continue;
        }
      if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return true;
      char extra[32];
      snprintf(extra, sizeof(extra), " %" PRIu64, c->bytes);
      _tap_event(self, "close", c->id, extra);
      return false;
    }
}

static void
_on_signal(int signo)
{
  if (signo == SIGUSR1)
    tap_die = 1;
  else
    tap_stop = 1;
}

/* SIGUSR1, at a point where every byte read is also written. */
static void
_tap_die(struct tap *self)
{
  uint64_t unread = 0;
  for (size_t i = 0; i < self->nconns; i++)
    {
      int n = 0;
      if (ioctl(self->conns[i].fd, SIOCINQ, &n) == 0 && n > 0)
        unread += (uint64_t) n;
      if (self->conns[i].tls)
        unread += tap_tls_held(self->conns[i].tls);
    }
  char extra[32];
  snprintf(extra, sizeof(extra), " %" PRIu64, unread);
  _tap_event(self, "kill", 0, extra);
  raise(SIGKILL);
}

int
main(int argc, char **argv)
{
  static struct tap self;
  diag_init(PROG);
  _tap_parse(&self, argc, argv);
  signal(SIGTERM, _on_signal);
  signal(SIGINT, _on_signal);
  signal(SIGUSR1, _on_signal);
  signal(SIGPIPE, SIG_IGN);
  self.buf = malloc(READ_CHUNK);
  if (!self.buf)
    _die("out of memory", "");
  if (self.tls_opt.cert_file)
    self.tls = tls_server_new(&self.tls_opt);
  _tap_listen(&self);

  static struct pollfd pfds[MAX_CONNS + 1];
  while (!tap_stop)
    {
      if (tap_die)
        _tap_die(&self);
      pfds[0] = (struct pollfd) { .fd = self.listen_fd, .events = POLLIN };
      for (size_t i = 0; i < self.nconns; i++)
        pfds[i + 1] = (struct pollfd) {
          .fd = self.no_read ? -1 : self.conns[i].fd,
          .events = self.conns[i].tls ? tap_tls_events(self.conns[i].tls) : POLLIN,
        };
      if (poll(pfds, self.nconns + 1, -1) < 0)
        continue;
      size_t j = 0;
      for (size_t i = 0; i < self.nconns; i++)
        {
          struct tap_conn *c = &self.conns[i];
          if (pfds[i + 1].revents && !_tap_read(&self, c))
            {
              tap_tls_free(c->tls);
              close(c->fd);
              if (c->out_fd >= 0)
                close(c->out_fd);
              continue;
            }
          self.conns[j++] = *c;
        }
      self.nconns = j;
      if (pfds[0].revents)
        _tap_accept(&self);
    }
  /* SIGTERM: take what the kernel already acknowledged, then stop. */
  for (size_t i = 0; i < self.nconns; i++)
    {
      if (!self.no_read)
        _tap_read(&self, &self.conns[i]);
      tap_tls_free(self.conns[i].tls);
      close(self.conns[i].fd);
      if (self.conns[i].out_fd >= 0)
        close(self.conns[i].out_fd);
    }
  tls_server_free(self.tls);
  free(self.buf);
  return 0;
}
