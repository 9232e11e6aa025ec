#include "conn-slot.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static void _try_next(struct conn_slot *self);

static void
_connected(void *cookie)
{
  struct conn_slot *self = cookie;
  self->upgraded = self->upgrading;
  self->upgrading = 0;
  if (self->addrs)
    freeaddrinfo(self->addrs);
  self->addrs = self->next_addr = NULL;
  self->cb.established(self->cb.owner, self);
}

static void
_failed(void *cookie, int err)
{
  struct conn_slot *self = cookie;

  /* A TLS handshake that fails is a failed attempt (the next address, then
   * the next server), unless it upgrades a connection already in use. */
  if (self->conn.state == CONNECTION_CONNECTING || (self->conn.state == CONNECTION_HANDSHAKING && !self->upgrading))
    {
      if (err == CONNECTION_ETLS || connection_error(&self->conn)[0])
        {
          snprintf(self->error, sizeof(self->error), "%s", connection_error(&self->conn));
          self->error_kind = connection_error_kind(&self->conn);
        }
      connection_abort(&self->conn);
      self->last_errno = err ? err : ECONNREFUSED;
      _try_next(self);
      return;
    }
  self->cb.broken(self->cb.owner, self, err);
}

static void
_writable(void *cookie)
{
  struct conn_slot *self = cookie;
  self->cb.writable(self->cb.owner, self);
}

static void
_peer_closed(void *cookie)
{
  struct conn_slot *self = cookie;
  self->cb.peer_closed(self->cb.owner, self);
}

/* An attempt failure is reported from a task, never from inside
 * conn_slot_attempt(): the caller is in the middle of executing actions. */
static void
_report_failure(struct conn_slot *self)
{
  int err = self->last_errno;
  if (self->addrs)
    freeaddrinfo(self->addrs);
  self->addrs = self->next_addr = NULL;
  /* Free, but server still says which one failed, for the callback. */
  self->role = CONN_SLOT_FREE;
  self->cb.attempt_failed(self->cb.owner, self, err);
}

static void
_try_next(struct conn_slot *self)
{
  while (self->next_addr)
    {
      struct addrinfo *ai = self->next_addr;
      self->next_addr = ai->ai_next;
      if (connection_connect(&self->conn, ai->ai_addr, ai->ai_addrlen, &self->opts, self->tls_peer) == 0)
        return;
      self->last_errno = errno;
    }
  _report_failure(self);
}

static void
_resolved(void *cookie, struct addrinfo *result, int gai_error)
{
  struct conn_slot *self = cookie;
  self->resolving = NULL;
  if (gai_error)
    {
      /* Negative: a getaddrinfo code, so the owner can say "resolve-failed". */
      self->last_errno = gai_error < 0 ? gai_error : -gai_error;
      _report_failure(self);
      return;
    }
  self->addrs = self->next_addr = result;
  _try_next(self);
}

void
conn_slot_init(struct conn_slot *self, const struct conn_slot_callbacks *cb)
{
  memset(self, 0, sizeof(*self));
  self->cb = *cb;
  self->server = -1;
  struct connection_callbacks ccb = {
    .cookie = self, .connected = _connected, .failed = _failed, .writable = _writable,
    .peer_closed = cb->peer_closed ? _peer_closed : NULL,
  };
  connection_init(&self->conn, &ccb);
}

void
conn_slot_attempt(struct conn_slot *self, int role, int server, const struct server_address *addr,
                  int ip_protocol, const struct connection_options *opts, struct tls_peer *tls_peer)
{
  int family = ip_protocol == 4 ? AF_INET : ip_protocol == 6 ? AF_INET6 : AF_UNSPEC;

  self->role = role;
  self->server = server;
  self->opts = *opts;
  self->last_errno = 0;
  self->error[0] = '\0';
  self->error_kind = 0;
  self->upgrading = 0;
  self->upgraded = 0;
  self->tls_peer = tls_peer;
  self->base = self->last_acked = 0;
  self->resolving = resolver_lookup(addr->host, addr->port, family, _resolved, self);
  if (!self->resolving)
    {
      /* Out of memory.  The owner queues events it receives while it is
       * executing actions, so this synchronous report is safe. */
      self->last_errno = ENOMEM;
      _report_failure(self);
    }
}

void
conn_slot_release(struct conn_slot *self, int abortive)
{
  resolver_cancel(self->resolving);
  self->resolving = NULL;
  if (self->addrs)
    freeaddrinfo(self->addrs);
  self->addrs = self->next_addr = NULL;
  if (connection_is_open(&self->conn))
    {
      if (abortive)
        connection_abort(&self->conn);
      else
        connection_close(&self->conn);
    }
  self->role = CONN_SLOT_FREE;
  self->server = -1;
  self->upgrading = 0;
}

void
conn_slot_start_tls(struct conn_slot *self, struct tls_peer *tls_peer)
{
  self->upgrading = 1;
  self->tls_peer = tls_peer;
  connection_start_tls(&self->conn, tls_peer);
}

int
conn_slot_is_established(const struct conn_slot *self)
{
  return connection_is_open(&self->conn) && self->conn.state == CONNECTION_ESTABLISHED && !self->conn.failed;
}

int
conn_slot_has_stream(const struct conn_slot *self)
{
  return connection_is_open(&self->conn) && self->conn.state == CONNECTION_ESTABLISHED;
}
