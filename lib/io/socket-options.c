#include "socket-options.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>

static void
_set_int(int fd, int level, int name, int value)
{
  /* Best effort: an option the kernel refuses changes detection speed, not correctness. */
  (void) setsockopt(fd, level, name, &value, sizeof(value));
}

void
socket_options_apply(int fd, const struct connection_options *o)
{
  /* lifeline batches writes itself; Nagle would only add latency to a lone line. */
  _set_int(fd, IPPROTO_TCP, TCP_NODELAY, 1);
  if (!o)
    return;
  if (o->user_timeout_ms > 0)
    _set_int(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, o->user_timeout_ms);
  if (o->keepalive)
    {
      _set_int(fd, SOL_SOCKET, SO_KEEPALIVE, 1);
      if (o->keepalive_time_s > 0)
        _set_int(fd, IPPROTO_TCP, TCP_KEEPIDLE, o->keepalive_time_s);
      if (o->keepalive_intvl_s > 0)
        _set_int(fd, IPPROTO_TCP, TCP_KEEPINTVL, o->keepalive_intvl_s);
      if (o->keepalive_probes > 0)
        _set_int(fd, IPPROTO_TCP, TCP_KEEPCNT, o->keepalive_probes);
    }
  if (o->sndbuf > 0)
    _set_int(fd, SOL_SOCKET, SO_SNDBUF, o->sndbuf);
  if (o->notsent_lowat > 0)
    _set_int(fd, IPPROTO_TCP, TCP_NOTSENT_LOWAT, o->notsent_lowat);
}

/* localip(): an address of the other family cannot be the source of this
 * connection; the attempt on this address fails (EAFNOSUPPORT). */
int
socket_options_bind_local(int fd, int family, const char *ip)
{
  struct sockaddr_storage ss;
  socklen_t len;
  memset(&ss, 0, sizeof(ss));
  if (family == AF_INET)
    {
      struct sockaddr_in *sin = (struct sockaddr_in *) &ss;
      sin->sin_family = AF_INET;
      if (inet_pton(AF_INET, ip, &sin->sin_addr) != 1)
        {
          errno = EAFNOSUPPORT;
          return -1;
        }
      len = sizeof(*sin);
    }
  else
    {
      struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *) &ss;
      sin6->sin6_family = AF_INET6;
      if (inet_pton(AF_INET6, ip, &sin6->sin6_addr) != 1)
        {
          errno = EAFNOSUPPORT;
          return -1;
        }
      len = sizeof(*sin6);
    }
  return bind(fd, (struct sockaddr *) &ss, len);
}
