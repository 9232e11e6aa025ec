/*
 * The operator control channel: a unix stream socket served on the host's
 * ivykis loop, in the spirit of syslog-ng-ctl.  lifelinectl(8) is its client.
 *
 * Socket: `lifeline --control PATH` creates PATH with mode 0600 (only the
 * owner and root can connect): the mode comes from the umask at bind(), and
 * --user's owner is set before listen(), by name in the checked directory
 * without following a symlink.  No socket is served without --control.  A
 * socket file left behind by a lifeline that died is replaced; one that
 * answers is not ("another lifeline is running on PATH"); a PATH that is not
 * a socket is never removed.  At exit PATH is unlinked (if it is still ours).
 *
 * The directory of PATH must not let another local user pre-bind PATH (and
 * so impersonate lifeline to lifelinectl) or swap it: it is refused when it
 * is owned by someone other than root, lifeline's user and --user's user,
 * or writable by other users (other-writable, or group-writable for a group
 * not lifeline's) without the sticky bit.  In a sticky directory others can
 * write to (/tmp), an existing PATH is replaced only if it is lifeline's.
 *
 * Protocol: the client connects and sends ONE request line (at most
 * CONTROL_MAX_REQUEST bytes including the '\n'; a trailing "\r" is ignored,
 * end of input also ends the line).  The server sends one reply and closes
 * the connection.  A request is words separated by spaces or tabs:
 *
 *   status                            every destination, text
 *   status --json                     every destination, one JSON object
 *   switch DEST [SERVER]              driver command "switch", argument "SERVER" or ""
 *   blacklist DEST SERVER [SECONDS]   driver command "blacklist", argument "SERVER SECONDS"
 *   unblacklist DEST SERVER           driver command "unblacklist", argument "SERVER"
 *   reset DEST                        driver command "reset", argument ""
 *
 * DEST is a destination instance name as `status` shows it: the config's
 * destination name, or "NAME#N" for the N-th driver of a destination with
 * several drivers.  The host checks the word counts; the driver's command()
 * (include/lifeline/plugin.h) checks and interprets the argument.
 *
 * Reply: a first line, then a body, then the server closes:
 *
 *   OK\n<body>                  success; body may be empty
 *   ERROR <reason>\n<body>      failure; reason is one line, body usually empty
 *
 * A driver command's reply text is the body after OK, or the reason after
 * ERROR (its first line; further lines become the body).  Unknown
 * destinations are named: "ERROR no destination named 'x'; destinations: a, b".
 *
 * status (text), one block per destination instance, values escaped so that
 * each stays on one line:
 *
 *   destination d_net
 *     driver: network
 *     accepted: 120              the host's counts (host_destination_counts)
 *     delivered: 118
 *     dropped: 0
 *     returned: 0
 *     rejected: 0
 *     outstanding: 2             accepted - delivered - dropped - returned
 *     network.state: connected   what the driver's query() emits, prefixed
 *     network.server: ...        with the driver's name
 *
 * status --json: {"destinations":[{"name":"d_net","driver_name":"network",
 *   "host":{"accepted":120,...,"outstanding":2},"driver":{"state":"connected",...}}]}
 * Host counts are JSON numbers; driver values are always JSON strings (the
 * ABI's emit() carries text, and a value's type must not depend on its
 * content).  Strings are valid UTF-8 (invalid bytes become U+FFFD).
 *
 * Limits: clients are served concurrently on the loop, each with its own
 * deadline, and no read ever blocks.  A client must send its whole request
 * within CONTROL_REQUEST_TIMEOUT_MS of connecting, and take its reply within
 * CONTROL_CLIENT_TIMEOUT_MS; else it is disconnected.  At most
 * CONTROL_MAX_CLIENTS connections are held at once: when all are taken, the
 * oldest one still sending its request is disconnected to make room (an
 * idle client never keeps lifelinectl waiting); when every one is being
 * answered, further ones wait in the listen backlog.
 *
 * This header carries no GLib or ivykis types: lifelinectl includes it for
 * the constants.
 */
#ifndef LIFELINE_HOST_CONTROL_SERVER_H
#define LIFELINE_HOST_CONTROL_SERVER_H

#include <stddef.h>
#include <sys/types.h>

/* What lifelinectl connects to without -c.  lifeline itself serves no socket
 * unless --control is given; a service unit passes this path. */
#define CONTROL_DEFAULT_PATH "/run/lifeline/lifeline.ctl"
#define CONTROL_MAX_REQUEST 4096
#define CONTROL_MAX_CLIENTS 32
#define CONTROL_REQUEST_TIMEOUT_MS 2000
#define CONTROL_CLIENT_TIMEOUT_MS 10000

struct runtime;
struct control_server;

/* Nothing is opened yet.  PATH is copied; RUNTIME is borrowed and must
 * outlive the server. */
struct control_server *control_server_new(const char *path, struct runtime *runtime);

/* Hands the socket to UID (--user) when it is created: call before
 * control_server_start.  The directory may then also belong to UID. */
void control_server_set_owner(struct control_server *self, uid_t uid);

/* A reload replaced the runtime: later requests see RUNTIME (borrowed, as
 * above).  Requests run synchronously, so none holds the old one. */
void control_server_set_runtime(struct control_server *self, struct runtime *runtime);

/* Binds, listens and registers on the loop (call on the loop thread, after
 * iv_init).  0, or -1 with a sentence in ERR. */
int control_server_start(struct control_server *self, char *err, size_t err_size);

/* Unregisters and closes the listener and every client, and unlinks PATH.
 * Idempotent; iv_main can return once it ran. */
void control_server_stop(struct control_server *self);

/* Stops first if needed.  NULL-safe. */
void control_server_free(struct control_server *self);

#endif
