/*
 * The socket options of a destination's connections, applied before connect:
 * keepalive, TCP_USER_TIMEOUT, buffers, TCP_NOTSENT_LOWAT and the source
 * address (localip()).  Best effort except the bind: an option the kernel
 * refuses changes how fast a failure is noticed, not what is delivered.
 */
#ifndef LIFELINE_SOCKET_OPTIONS_H
#define LIFELINE_SOCKET_OPTIONS_H

/* Socket options applied before connect; 0 leaves the kernel's default. */
struct connection_options
{
  int user_timeout_ms; /* TCP_USER_TIMEOUT: also aborts zero-window stalls, which keepalive never sees while data is outstanding */
  int keepalive;
  int keepalive_time_s, keepalive_intvl_s, keepalive_probes;
  int sndbuf;
  int notsent_lowat; /* TCP_NOTSENT_LOWAT: bounds what waits unsent in the kernel */
  const char *local_ip; /* bind to this address before connecting; NULL or "" = any.  Borrowed. */
};

void socket_options_apply(int fd, const struct connection_options *opts);

/* Binds FD (of FAMILY) to the source address IP.  0, or -1 with errno set
 * (EAFNOSUPPORT when IP is not of FAMILY). */
int socket_options_bind_local(int fd, int family, const char *ip);

#endif
