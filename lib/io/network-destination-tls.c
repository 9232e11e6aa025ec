/*
 * The TLS side of a network() destination: one client context and one peer
 * (expected name, SNI, pin, session cache) per server, built when the
 * destination is created, so an unreadable certificate, key or CRL is a
 * config error naming the file and the option, at start and at reload.
 */
#include "network-destination-private.h"

#include "core/located-error.h"
#include "host-log.h"

#include <stdio.h>
#include <stdlib.h>

int
network_destination_tls_init(struct network_destination *self, const struct lifeline_option *driver,
                             struct lifeline_error *err)
{
  size_t n = self->opts.failover.n_servers;
  char why[512];
  const char *option;

  if (self->opts.transport != NETWORK_TRANSPORT_TLS)
    return 0;
  self->tls_peers = calloc(n, sizeof(*self->tls_peers));
  self->tls_contexts = calloc(n, sizeof(*self->tls_contexts));
  if (!self->tls_peers || !self->tls_contexts)
    {
      located_error_set(err, NULL, 0, 0, NULL, "cannot create the destination: out of memory");
      return -1;
    }
  for (size_t i = 0; i < n; i++)
    {
      const struct tls_options *o = &self->opts.server_tls[i];
      self->tls_contexts[i] = tls_context_new(o, tls_stream_new_session, why, sizeof(why), &option);
      if (!self->tls_contexts[i])
        {
          const struct lifeline_option *at = driver ? network_options_tls_option(driver, i, option) : NULL;
          if (at)
            located_error_at_option(err, at, "TLS for server %s: %s", self->server_names[i], why);
          else
            located_error_set(err, NULL, 0, 0, option, "TLS for server %s: %s", self->server_names[i], why);
          return -1;
        }
      tls_peer_init(&self->tls_peers[i], self->tls_contexts[i], self->opts.failover.servers[i].host, o);
    }
  return 0;
}

void
network_destination_tls_free(struct network_destination *self)
{
  size_t n = self->opts.failover.n_servers;
  for (size_t i = 0; self->tls_peers && i < n; i++)
    tls_peer_clear(&self->tls_peers[i]);
  for (size_t i = 0; self->tls_contexts && i < n; i++)
    tls_context_free(self->tls_contexts[i]);
  free(self->tls_peers);
  free(self->tls_contexts);
  self->tls_peers = NULL;
  self->tls_contexts = NULL;
}

struct tls_peer *
network_destination_tls_peer(struct network_destination *self, int server, int for_probe)
{
  if (!self->tls_peers || server < 0 || (size_t) server >= self->opts.failover.n_servers)
    return NULL;
  if (for_probe && !self->opts.failover.probe_tls)
    return NULL; /* probe(tcp): a TCP connect, as in syslog-ng */
  return &self->tls_peers[server];
}

void
network_destination_tls_warn(struct network_destination *self)
{
  for (size_t i = 0; self->tls_peers && i < self->opts.failover.n_servers; i++)
    if (!tls_options_verifies(&self->opts.server_tls[i]))
      host_log(self->host, LIFELINE_LOG_WARNING,
               "TLS peer verification is off: any server can read these logs by presenting any certificate",
               "destination", self->dest_name, "server", self->server_names[i], "peer_verify",
               self->opts.server_tls[i].has_pin ? "no (the key pin still applies)" : "no", NULL);
}

int
network_destination_tls_reload(struct network_destination *self, struct lifeline_error *err)
{
  size_t n = self->opts.failover.n_servers;
  struct tls_context *fresh[FAILOVER_CONFIG_MAX_SERVERS] = { 0 };
  char why[512];
  const char *option;

  if (!self->tls_peers)
    return 0;
  for (size_t i = 0; i < n; i++)
    {
      fresh[i] = tls_context_new(&self->opts.server_tls[i], tls_stream_new_session, why, sizeof(why), &option);
      if (!fresh[i])
        {
          located_error_set(err, NULL, 0, 0, option, "destination %s: TLS for server %s: %s; keeping the files read before",
                            self->dest_name, self->server_names[i], why);
          for (size_t j = 0; j < i; j++)
            tls_context_free(fresh[j]);
          return -1;
        }
    }
  for (size_t i = 0; i < n; i++)
    {
      /* Connections already open keep their SSL, which holds its own
       * reference to the old SSL_CTX; every later one uses the new files.
       * Sessions from before may rest on trust that just changed. */
      tls_peer_clear(&self->tls_peers[i]);
      self->tls_peers[i].context = fresh[i];
      tls_context_free(self->tls_contexts[i]);
      self->tls_contexts[i] = fresh[i];
    }
  host_log(self->host, LIFELINE_LOG_NOTICE, "TLS files read again for new connections", "destination",
           self->dest_name, NULL);
  return 0;
}
