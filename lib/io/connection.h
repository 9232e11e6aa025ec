/*
 * One TCP connection on the host's ivykis loop: non-blocking connect, writes
 * that never raise SIGPIPE, acknowledgement accounting, and abortive close.
 * It carries bytes and reports events; every decision (retry, switch, what to
 * re-send) belongs to its owner.
 *
 * Acknowledged bytes = bytes written - SIOCOUTQ: exactly what the peer's TCP
 * stack acknowledged (SIOCOUTQ counts the unacknowledged bytes in the send
 * queue, tcp(7); docs/delivery.md), readable even after the socket
 * failed, as long as the fd is open.
 *
 * Over TLS (a struct tls_peer given to connect) the connection counts as
 * established once the handshake completed, the peer checks passed and the
 * server settled (tls-stream.h); writes take plaintext, and the acknowledged
 * count is plaintext too, mapped from the ciphertext the peer acknowledged.
 */
#ifndef LIFELINE_CONNECTION_H
#define LIFELINE_CONNECTION_H

#include "socket-options.h"
#include "tls-stream.h"

#include <errno.h>
#include <iv.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/uio.h>

enum connection_state
{
  CONNECTION_IDLE = 0,
  CONNECTION_CONNECTING,
  CONNECTION_ESTABLISHED,
  CONNECTION_HANDSHAKING, /* TCP is up; TLS is not yet (or not yet settled) */
};

/* Least time a TLS 1.3 connection waits for the server's first ticket
 * before it counts as established (plus four round trips). */
#define CONNECTION_TLS_SETTLE_MS 200

/* failed()'s err for a TLS failure; connection_error() says why. */
#define CONNECTION_ETLS EPROTO

struct connection_callbacks
{
  void *cookie;
  void (*connected)(void *cookie);
  /* Connect failed, or an established connection broke (peer close, reset).
   * err is an errno value (0 for an orderly close by the peer).  The
   * connection is still open so its owner can read the acknowledged count;
   * the owner then calls connection_abort(). */
  void (*failed)(void *cookie, int err);
  /* The socket can take more bytes after a write returned EAGAIN. */
  void (*writable)(void *cookie);
  /* Optional: the peer sent FIN on an established connection.  It may still
   * be reading (a half-close), so what is in flight may yet be acknowledged;
   * a reset that follows arrives as failed().  When NULL, FIN is failed(0). */
  void (*peer_closed)(void *cookie);
};

/* Embedded in its owner; connection_init() before anything else. */
struct connection
{
  struct iv_fd fd;
  struct iv_task fail_task; /* reports a write error from the loop, not from inside the write */
  int pending_error;
  int state;
  int failed; /* failed() was reported; no further events */
  uint64_t written; /* bytes the kernel accepted on this connection (ciphertext over TLS) */
  struct connection_callbacks cb;
  struct tls_peer *tls_peer; /* borrowed; NULL: plain TCP */
  int tls_on;
  int tls_write_wants_read;
  struct tls_stream tls;
  struct iv_timer settle_timer;
  char error[256]; /* why TLS failed; outlives the stream */
  int error_kind;
};

void connection_init(struct connection *self, const struct connection_callbacks *cb);

/* Starts a non-blocking connect, then a TLS handshake with TLS_PEER
 * (borrowed; NULL: plain TCP).  0, or -1 with errno set (the connection
 * stays idle and no callback follows). */
int connection_connect(struct connection *self, const struct sockaddr *addr, socklen_t addrlen,
                       const struct connection_options *opts, struct tls_peer *tls_peer);

/* Starts TLS on an established plain connection (a TCP failback probe
 * promoted to carry a TLS destination's data): the state goes back to
 * HANDSHAKING and connected() follows again, or failed(). */
void connection_start_tls(struct connection *self, struct tls_peer *tls_peer);

/* Why the connection failed when failed() said CONNECTION_ETLS; "" otherwise. */
const char *connection_error(const struct connection *self);
/* enum tls_error_kind of a TLS failure. */
int connection_error_kind(const struct connection *self);

/* Writes what the socket takes now.  Returns bytes written (0 when the socket
 * is full: writable() follows), or -1 when the connection broke (failed()
 * follows from the loop, never from inside this call). */
ssize_t connection_write(struct connection *self, const struct iovec *iov, int iovcnt);

/* Bytes of this connection's stream the peer acknowledged. */
uint64_t connection_acked(struct connection *self);

/* Orderly close once everything was acknowledged. */
void connection_close(struct connection *self);
/* Close that discards whatever the kernel still holds (SO_LINGER {1,0}): the
 * unacknowledged tail is re-sent elsewhere, so the kernel must not deliver it
 * later from an orphaned socket. */
void connection_abort(struct connection *self);

int connection_is_open(const struct connection *self);

/* Peer address as "ip:port" for logs; "" when not connected. */
const char *connection_peer(const struct connection *self, char *buf, size_t size);

#endif
