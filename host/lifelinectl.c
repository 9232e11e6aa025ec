/*
 * lifelinectl: the operator's client for lifeline's control socket
 * (lifeline --control PATH).  Sends one request line, prints the reply's
 * body, exits with the reply's verdict.  The protocol is described in
 * control-server.h; the manual is man/lifelinectl.8.
 *
 * A separate blocking process: plain C and POSIX, no GLib, no ivykis.
 */
#include "control-server.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "lifeline-build.h"

enum exit_code
{
  EXIT_OK = 0,
  EXIT_REFUSED = 1, /* lifeline answered ERROR */
  EXIT_USAGE = 2, /* bad command line, or cannot connect */
  EXIT_NO_REPLY = 3, /* connected, but no complete reply (timeout, closed, garbled) */
};

/* A reply larger than this is not one lifeline sends. */
#define MAX_REPLY (64 * 1024 * 1024)

struct command
{
  const char *verb;
  int min_args, max_args; /* words after the verb */
  const char *usage;
};

static const struct command commands[] = {
  { "status", 0, 1, "status [--json]" },
  { "switch", 1, 2, "switch DEST [SERVER]" },
  { "blacklist", 2, 3, "blacklist DEST SERVER [SECONDS]" },
  { "unblacklist", 2, 2, "unblacklist DEST SERVER" },
  { "reset", 1, 1, "reset DEST" },
};

static void
_usage(FILE *out)
{
  fprintf(out,
          "Usage: lifelinectl [-c PATH] [-t SECONDS] COMMAND [ARGUMENTS]\n"
          "\n"
          "Commands:\n"
          "  status [--json]                  state and counts of every destination\n"
          "  switch DEST [SERVER]             make DEST leave its server now (for SERVER if given)\n"
          "  blacklist DEST SERVER [SECONDS]  keep DEST off SERVER (for SECONDS)\n"
          "  unblacklist DEST SERVER          allow SERVER again\n"
          "  reset DEST                       make DEST go back to its primary server now\n"
          "\n"
          "Options (before the command):\n"
          "  -c, --control PATH     lifeline's control socket (default %s);\n"
          "                         lifeline serves it only when started with --control PATH\n"
          "  -t, --timeout SECONDS  how long to wait for lifeline's reply (default 10)\n"
          "  -h, --help             show this help\n"
          "  -V, --version          show the version\n"
          "\n"
          "Exit status: 0 done; 1 lifeline refused the command (reason on stderr);\n"
          "2 usage error or cannot connect; 3 no complete reply.\n",
          CONTROL_DEFAULT_PATH);
}

static int _usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int
_usage_error(const char *fmt, ...)
{
  va_list ap;
  fprintf(stderr, "lifelinectl: ");
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fprintf(stderr, " (see lifelinectl --help)\n");
  return EXIT_USAGE;
}

/* A word must survive the space-separated protocol unchanged. */
static int
_valid_word(const char *w)
{
  if (!*w)
    return 0;
  for (const char *p = w; *p; p++)
    if ((unsigned char) *p <= 0x20 || *p == 0x7f)
      return 0;
  return 1;
}

static double
_now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

/* PATH is UID's socket in a directory only root or UID can change: UID put
 * it there (a lifeline started as a service user, asked by root). */
static int
_owned_in_closed_dir(const char *path, uid_t uid)
{
  struct stat st, dst;
  char dir[sizeof(((struct sockaddr_un *) 0)->sun_path)];
  snprintf(dir, sizeof(dir), "%s", path);
  char *slash = strrchr(dir, '/');
  if (!slash)
    snprintf(dir, sizeof(dir), ".");
  else if (slash == dir)
    dir[1] = '\0';
  else
    *slash = '\0';
  return lstat(path, &st) == 0 && S_ISSOCK(st.st_mode) && st.st_uid == uid && stat(dir, &dst) == 0 &&
         (dst.st_uid == 0 || dst.st_uid == uid) && !(dst.st_mode & (S_IWGRP | S_IWOTH));
}

/* The process listening at PATH must run as root or as our own user (or
 * own PATH in a directory nobody else can write): in a directory others
 * can write to, another local user could have bound the path first and
 * would otherwise read our commands and feed us replies. */
static int
_check_server(int fd, const char *path)
{
  struct ucred cred;
  socklen_t len = sizeof(cred);
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
    {
      fprintf(stderr, "lifelinectl: cannot tell who serves %s: %s; not talking to it\n", path, strerror(errno));
      return -1;
    }
  if (cred.uid != 0 && cred.uid != getuid() && cred.uid != geteuid() && !_owned_in_closed_dir(path, cred.uid))
    {
      fprintf(stderr,
              "lifelinectl: %s is served by uid %ld (pid %ld), neither root nor you (uid %ld); not talking to it: "
              "it is not a lifeline you may trust\n",
              path, (long) cred.uid, (long) cred.pid, (long) getuid());
      return -1;
    }
  return 0;
}

static int
_connect(const char *path, double timeout)
{
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  if (strlen(path) >= sizeof(sa.sun_path))
    {
      fprintf(stderr, "lifelinectl: control socket path %s is too long (at most %zu bytes)\n", path,
              sizeof(sa.sun_path) - 1);
      return -1;
    }
  memcpy(sa.sun_path, path, strlen(path) + 1);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    {
      fprintf(stderr, "lifelinectl: cannot create a socket: %s\n", strerror(errno));
      return -1;
    }
  /* Bounds a blocking connect (a full backlog) and the send. */
  struct timeval tv = { (time_t) timeout, (suseconds_t) ((timeout - (double) (time_t) timeout) * 1e6) };
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0)
    {
      int e = errno;
      const char *hint = "is lifeline running with --control?";
      if (e == EACCES || e == EPERM)
        hint = "the socket is mode 0600: run as lifeline's user or root";
      else if (e == EAGAIN || e == EWOULDBLOCK)
        hint = "lifeline did not accept the connection in time";
      fprintf(stderr, "lifelinectl: cannot connect to %s: %s; %s\n", path, strerror(e), hint);
      close(fd);
      return -1;
    }
  if (_check_server(fd, path) < 0)
    {
      close(fd);
      return -1;
    }
  return fd;
}

static int
_send_all(int fd, const char *buf, size_t len)
{
  while (len > 0)
    {
      ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          return -1;
        }
      buf += n;
      len -= (size_t) n;
    }
  return 0;
}

/* Reads until the server closes.  0, or -1 with a message printed. */
static int
_read_reply(int fd, const char *path, double timeout, char **out, size_t *out_len)
{
  size_t cap = 4096, len = 0;
  char *buf = malloc(cap + 1);
  double deadline = _now() + timeout;

  if (!buf)
    {
      fprintf(stderr, "lifelinectl: out of memory\n");
      return -1;
    }
  for (;;)
    {
      double left = deadline - _now();
      if (left <= 0)
        {
          fprintf(stderr, "lifelinectl: no complete reply from %s within %g s\n", path, timeout);
          goto fail;
        }
      struct pollfd p = { .fd = fd, .events = POLLIN };
      int r = poll(&p, 1, (int) (left * 1000) + 1);
      if (r < 0 && errno != EINTR)
        {
          fprintf(stderr, "lifelinectl: poll: %s\n", strerror(errno));
          goto fail;
        }
      if (r <= 0)
        continue;
      if (len == cap)
        {
          if (cap >= MAX_REPLY)
            {
              fprintf(stderr, "lifelinectl: reply from %s longer than %d bytes\n", path, MAX_REPLY);
              goto fail;
            }
          cap *= 2;
          char *grown = realloc(buf, cap + 1);
          if (!grown)
            {
              fprintf(stderr, "lifelinectl: out of memory\n");
              goto fail;
            }
          buf = grown;
        }
      ssize_t n = recv(fd, buf + len, cap - len, 0);
      if (n < 0)
        {
          if (errno == EINTR || errno == EAGAIN)
            continue;
          /* The server closes with our unread bytes in its queue after a
           * request it refused (too long): the reply came first. */
          if (errno == ECONNRESET && len > 0)
            break;
          fprintf(stderr, "lifelinectl: reading the reply from %s: %s\n", path, strerror(errno));
          goto fail;
        }
      if (n == 0)
        break;
      len += (size_t) n;
    }
  buf[len] = '\0';
  *out = buf;
  *out_len = len;
  return 0;

fail:
  free(buf);
  return -1;
}

/* Length of the valid UTF-8 sequence at P (LEN bytes left) that is not a
 * C1 control character (U+0080..U+009F), or 0. */
static size_t
_utf8_printable(const unsigned char *p, size_t len)
{
  size_t n = p[0] > 0xf4 ? 0 : p[0] >= 0xf0 ? 4 : p[0] >= 0xe0 ? 3 : p[0] >= 0xc2 ? 2 : 0;
  if (n == 0 || n > len)
    return 0;
  for (size_t i = 1; i < n; i++)
    if ((p[i] & 0xc0) != 0x80)
      return 0;
  uint32_t cp = n == 2 ? (uint32_t) (p[0] & 0x1f) : n == 3 ? (uint32_t) (p[0] & 0x0f) : (uint32_t) (p[0] & 0x07);
  for (size_t i = 1; i < n; i++)
    cp = (cp << 6) | (p[i] & 0x3f);
  if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff) ||
      cp <= 0x9f)
    return 0;
  return n;
}

/* Writes LEN bytes of a reply to OUT so that nothing in it can drive the
 * terminal: control characters (other than a newline, and a tab when
 * KEEP_TAB), DEL, C1 controls and bytes that are not UTF-8 become "\xNN".
 * lifeline escapes its own values already; this guards against anything
 * else that answers on the socket. */
static void
_print_escaped(FILE *out, const char *text, size_t len, int keep_tab)
{
  const unsigned char *p = (const unsigned char *) text;
  for (size_t i = 0; i < len;)
    {
      unsigned char b = p[i];
      if ((b >= 0x20 && b < 0x7f) || b == '\n' || (b == '\t' && keep_tab))
        {
          fputc(b, out);
          i++;
          continue;
        }
      size_t n = b >= 0x80 ? _utf8_printable(p + i, len - i) : 0;
      if (n > 0)
        {
          fwrite(p + i, 1, n, out);
          i += n;
        }
      else
        {
          fprintf(out, "\\x%02x", b);
          i++;
        }
    }
}

int
main(int argc, char **argv)
{
  const char *path = CONTROL_DEFAULT_PATH;
  double timeout = 10;
  static const struct option options[] = {
    { "control", required_argument, NULL, 'c' },
    { "timeout", required_argument, NULL, 't' },
    { "help", no_argument, NULL, 'h' },
    { "version", no_argument, NULL, 'V' },
    { NULL, 0, NULL, 0 },
  };
  int opt;

  /* '+': stop at the command, so that "status --json" reaches it. */
  while ((opt = getopt_long(argc, argv, "+c:t:hV", options, NULL)) != -1)
    {
      char *end;
      switch (opt)
        {
        case 'c':
          path = optarg;
          break;
        case 't':
          timeout = strtod(optarg, &end);
          if (end == optarg || *end || !(timeout > 0 && timeout <= 86400))
            return _usage_error("--timeout wants seconds between 0 and 86400, not '%s'", optarg);
          break;
        case 'h':
          _usage(stdout);
          return EXIT_OK;
        case 'V':
          printf("lifelinectl %s\n", LIFELINE_VERSION);
          return EXIT_OK;
        default:
          fprintf(stderr, "lifelinectl: see lifelinectl --help\n");
          return EXIT_USAGE;
        }
    }
  if (optind >= argc)
    return _usage_error("no command given");

  const char *verb = argv[optind];
  const struct command *cmd = NULL;
  for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
    if (strcmp(verb, commands[i].verb) == 0)
      cmd = &commands[i];
  if (!cmd)
    return _usage_error("unknown command '%s'; commands: status, switch, blacklist, unblacklist, reset", verb);
  int n_args = argc - optind - 1;
  if (n_args < cmd->min_args || n_args > cmd->max_args)
    return _usage_error("usage: lifelinectl [-c PATH] %s", cmd->usage);
  if (strcmp(verb, "status") == 0 && n_args == 1 && strcmp(argv[optind + 1], "--json") != 0)
    return _usage_error("usage: lifelinectl [-c PATH] %s", cmd->usage);

  /* The request: the words joined by one space, then '\n'. */
  size_t len = 0;
  char line[CONTROL_MAX_REQUEST + 1];
  for (int i = optind; i < argc; i++)
    {
      if (!_valid_word(argv[i]))
        return _usage_error("'%s': arguments cannot be empty or contain spaces or control characters", argv[i]);
      size_t w = strlen(argv[i]);
      if (len + w + 1 > CONTROL_MAX_REQUEST)
        return _usage_error("request longer than %d bytes", CONTROL_MAX_REQUEST);
      memcpy(line + len, argv[i], w);
      len += w;
      line[len++] = i + 1 < argc ? ' ' : '\n';
    }

  int fd = _connect(path, timeout);
  if (fd < 0)
    return EXIT_USAGE;
  if (_send_all(fd, line, len) < 0)
    {
      fprintf(stderr, "lifelinectl: sending the request to %s: %s\n", path, strerror(errno));
      close(fd);
      return EXIT_NO_REPLY;
    }
  char *reply;
  size_t reply_len;
  int r = _read_reply(fd, path, timeout, &reply, &reply_len);
  close(fd);
  if (r < 0)
    return EXIT_NO_REPLY;

  char *nl = memchr(reply, '\n', reply_len);
  if (!nl)
    {
      fprintf(stderr, "lifelinectl: incomplete reply from %s%s\n", path,
              reply_len ? "" : " (closed without answering)");
      free(reply);
      return EXIT_NO_REPLY;
    }
  *nl = '\0';
  const char *body = nl + 1;
  size_t body_len = reply_len - (size_t) (body - reply);
  int rc;
  if (strcmp(reply, "OK") == 0)
    rc = EXIT_OK;
  else if (strncmp(reply, "ERROR ", 6) == 0 || strcmp(reply, "ERROR") == 0)
    {
      const char *reason = reply[5] ? reply + 6 : "lifeline refused the command";
      fputs("lifelinectl: ", stderr);
      _print_escaped(stderr, reason, strlen(reason), 0);
      fputc('\n', stderr);
      rc = EXIT_REFUSED;
    }
  else
    {
      size_t shown = strlen(reply) < 200 ? strlen(reply) : 200;
      fprintf(stderr, "lifelinectl: unexpected reply from %s: ", path);
      _print_escaped(stderr, reply, shown, 0);
      fputc('\n', stderr);
      free(reply);
      return EXIT_NO_REPLY;
    }
  _print_escaped(stdout, body, body_len, 1);
  if (fflush(stdout) != 0 || ferror(stdout))
    {
      fprintf(stderr, "lifelinectl: writing the reply: %s\n", strerror(errno));
      rc = EXIT_NO_REPLY;
    }
  free(reply);
  return rc;
}
