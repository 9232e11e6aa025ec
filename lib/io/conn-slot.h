/*
 * One connection's place in a destination: the live connection, a failback
 * probe, or the old live connection draining after a failback.  A slot runs
 * an attempt on one server (resolve the name on the resolver pool, then try
 * every address in order: all of a name's addresses are tried before the
 * policy hears that the server failed) and then carries the connection.
 *
 * The slot embeds its struct connection, whose iv_fd ivykis points at, so a
 * slot never moves; roles change instead.  It reports and never decides.
 */
#ifndef LIFELINE_CONN_SLOT_H
#define LIFELINE_CONN_SLOT_H

#include "connection.h"
#include "core/server-address.h"
#include "resolver.h"

#include <stdint.h>

enum conn_slot_role
{
  CONN_SLOT_FREE = 0,
  CONN_SLOT_LIVE,
  CONN_SLOT_PROBE,
  CONN_SLOT_DRAINING,
};

struct conn_slot;

struct conn_slot_callbacks
{
  void *owner;
  void (*established)(void *owner, struct conn_slot *slot);
  /* The attempt failed on every address; the slot is free again. */
  void (*attempt_failed)(void *owner, struct conn_slot *slot, int err);
  /* An established connection broke (still open: read its acks, then release). */
  void (*broken)(void *owner, struct conn_slot *slot, int err);
  void (*writable)(void *owner, struct conn_slot *slot);
  /* The peer half-closed an established connection (FIN); see connection.h. */
  void (*peer_closed)(void *owner, struct conn_slot *slot);
};

struct conn_slot
{
  struct connection conn;
  struct conn_slot_callbacks cb;
  int role;
  int server; /* index into the destination's server list; -1 when free */
  int ip_protocol; /* 0, 4, 6 */
  struct connection_options opts;
  struct resolver_request *resolving;
  struct addrinfo *addrs;
  struct addrinfo *next_addr;
  int last_errno;
  char error[256]; /* why the last TLS handshake of the attempt failed */
  int error_kind;
  struct tls_peer *tls_peer; /* borrowed; NULL: plain TCP */
  int upgrading; /* TLS is starting on a connection already established */
  int upgraded;  /* the last established() finished such an upgrade */

  /* Owned by the destination while the slot carries data. */
  uint64_t base; /* stream offset at which this connection's writes began */
  uint64_t last_acked;
  int64_t last_progress_ms;
};

void conn_slot_init(struct conn_slot *self, const struct conn_slot_callbacks *cb);

/* Starts an attempt on ADDR for SERVER in ROLE, over TLS with TLS_PEER
 * (borrowed; NULL: plain TCP).  Callbacks follow from the loop, never from
 * inside this call. */
void conn_slot_attempt(struct conn_slot *self, int role, int server, const struct server_address *addr,
                       int ip_protocol, const struct connection_options *opts, struct tls_peer *tls_peer);

/* Starts TLS on the slot's established plain connection (a TCP probe
 * promoted to live): established() follows again, or broken(). */
void conn_slot_start_tls(struct conn_slot *self, struct tls_peer *tls_peer);

/* Ends whatever the slot does: cancels the resolve, closes (abortive, or
 * orderly when everything was acknowledged), frees the slot. */
void conn_slot_release(struct conn_slot *self, int abortive);

/* Established and not failed: may be written to. */
int conn_slot_is_established(const struct conn_slot *self);
/* Established, possibly failed but not yet released: its acknowledged count
 * is still readable and must be read before the slot is released, or what
 * the peer acknowledged would be re-sent and what it did not would be
 * skipped. */
int conn_slot_has_stream(const struct conn_slot *self);

#endif
