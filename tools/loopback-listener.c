#include "loopback-listener.h"

#include "diag.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 127.0.0.0/8, ::1, and 127.0.0.0/8 mapped into IPv6. */
static bool
_is_loopback(const struct sockaddr_storage *ss)
{
  if (ss->ss_family == AF_INET)
    return (ntohl(((const struct sockaddr_in *) ss)->sin_addr.s_addr) >> 24) == 127;
  const struct in6_addr *a = &((const struct sockaddr_in6 *) ss)->sin6_addr;
  return IN6_IS_ADDR_LOOPBACK(a) || (IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127);
}

int
loopback_listener_open(const char *addr, unsigned port, unsigned *bound_port)
{
  struct sockaddr_storage ss;
  socklen_t sslen;
  memset(&ss, 0, sizeof(ss));
  struct sockaddr_in *sin = (struct sockaddr_in *) &ss;
  struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *) &ss;

  if (inet_pton(AF_INET, addr, &sin->sin_addr) == 1)
    {
      sin->sin_family = AF_INET;
      sin->sin_port = htons((uint16_t) port);
      sslen = sizeof(*sin);
    }
  else if (inet_pton(AF_INET6, addr, &sin6->sin6_addr) == 1)
    {
      sin6->sin6_family = AF_INET6;
      sin6->sin6_port = htons((uint16_t) port);
      sslen = sizeof(*sin6);
    }
  else
    {
      diag_warn("--listen needs an IPv4 or IPv6 literal; addr=%s", addr);
      exit(2);
    }
  if (!_is_loopback(&ss))
    {
      diag_warn("refusing a non-loopback address (127.0.0.0/8 or ::1 only); addr=%s", addr);
      exit(2);
    }

  int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0)
    diag_die("socket() failed; error=%s", strerror(errno));
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (bind(fd, (struct sockaddr *) &ss, sslen) != 0)
    diag_die("bind() failed; addr=%s port=%u error=%s", addr, port, strerror(errno));
  if (listen(fd, SOMAXCONN) != 0)
    diag_die("listen() failed; error=%s", strerror(errno));

  sslen = sizeof(ss);
  if (getsockname(fd, (struct sockaddr *) &ss, &sslen) != 0)
    diag_die("getsockname() failed; error=%s", strerror(errno));
  *bound_port = ntohs(ss.ss_family == AF_INET ? sin->sin_port : sin6->sin6_port);
  return fd;
}

void
loopback_listener_format_peer(const struct sockaddr_storage *ss, char *buf, size_t size)
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
