/*
 * Private to network-destination.c (the data path), -failover.c (the
 * policy's events and actions) and -control.c (status and commands): the
 * destination's layout and the helpers they share.  Nothing else includes
 * this.
 */
#ifndef LIFELINE_NETWORK_DESTINATION_PRIVATE_H
#define LIFELINE_NETWORK_DESTINATION_PRIVATE_H

#include "conn-slot.h"
#include "core/failover-policy.h"
#include "core/msg-queue.h"
#include "core/syslog-format.h"
#include "network-destination.h"
#include "tls-context.h"
#include "tls-peer.h"

#include <iv.h>

/* The live connection, a probe, and the old live connection while it drains
 * after a failback: never more than three at once. */
#define DEST_SLOTS 3
/* Events that arrive while the policy's actions are being carried out wait here. */
#define DEST_PENDING_EVENTS 16

struct server_counters
{
  uint64_t delivered;
  uint64_t bytes_written;
  uint64_t tls_failures;
  int tls_last_kind; /* enum tls_error_kind + 1; 0: none */
};

struct network_destination
{
  struct network_options opts;
  const struct lifeline_host *host;
  struct lifeline_dest_host dh;
  char dest_name[128];
  char server_names[FAILOVER_CONFIG_MAX_SERVERS][SERVER_ADDRESS_HOST_MAX + 16];
  struct server_counters counters[FAILOVER_CONFIG_MAX_SERVERS];

  int started, stopping, stopped;
  int want_wakeup;
  struct msg_queue *queue;
  size_t max_frame; /* log-msg-size() + the framing's most bytes */

  /* syslog() framing: the header's fixed parts, built at create time, and
   * the buffer every push builds "LEN SP" + header in (no allocation). */
  struct syslog_template syslog_template;
  struct syslog_prefix syslog_prefix;

  struct failover_policy *policy;
  struct iv_timer policy_timer;
  int in_policy;
  struct failover_event pending[DEST_PENDING_EVENTS];
  size_t n_pending;
  char command_reply[256]; /* the reason of a COMMAND_REJECTED, for command() */
  int command_rejected;

  struct conn_slot slots[DEST_SLOTS];
  struct conn_slot *live; /* carries writes once established */
  struct conn_slot *probe;
  struct conn_slot *draining; /* old live connection after a failback: no new writes */
  struct connection_options conn_opts;

  /* transport("tls"): per server, indexed like opts.failover.servers. */
  struct tls_context **tls_contexts;
  struct tls_peer *tls_peers;
  uint64_t tls_failures;

  struct iv_timer ack_timer;
  int64_t ack_poll_ms;
  struct iv_timer drain_timer;
  struct iv_timer stop_timer;
  struct iv_task flush_task;

  int64_t last_delivery_ms; /* monotonic; 0 = never */
  char last_event[160];
  uint64_t delivered, resent, returned, truncated, dropped_exhausted;
  uint64_t dropped_full;  /* flags(drop-when-full) */
  uint64_t dropping_full; /* drops in the current full episode */
};

/* network-destination.c: the data path. */
int64_t network_destination_now_ms(void);
void network_destination_arm_at(struct iv_timer *t, int64_t at_ms);
void network_destination_cancel_timer(struct iv_timer *t);
const char *network_destination_server_name(const struct network_destination *self, int server);
struct conn_slot *network_destination_free_slot(struct network_destination *self);
size_t network_destination_update_acks(struct network_destination *self);
void network_destination_flush(void *self);
void network_destination_drop_live(struct network_destination *self);
void network_destination_start_drain(struct network_destination *self, struct conn_slot *old);
void network_destination_drain_done(struct network_destination *self);
void network_destination_promote_probe(struct network_destination *self);

/* network-destination-tls.c: contexts and peers per server. */
int network_destination_tls_init(struct network_destination *self, const struct lifeline_option *driver,
                                 struct lifeline_error *err);
void network_destination_tls_free(struct network_destination *self);
/* The peer to connect SERVER with (NULL: plain TCP), for a live connection
 * or a failback probe. */
struct tls_peer *network_destination_tls_peer(struct network_destination *self, int server, int for_probe);
void network_destination_tls_warn(struct network_destination *self);
/* Re-reads every server's TLS files; on error keeps the old ones. */
int network_destination_tls_reload(struct network_destination *self, struct lifeline_error *err);

/* network-destination-failover.c: the policy's events and actions. */
void network_destination_feed(struct network_destination *self, const struct failover_event *ev);
void network_destination_feed_event(struct network_destination *self, enum failover_event_type type, int server,
                                    enum failover_reason reason);
void network_destination_policy_timer_fired(void *cookie);
void network_destination_slot_callbacks(struct network_destination *self, struct conn_slot_callbacks *cb);

#endif
