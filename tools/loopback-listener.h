/*
 * The collector's listening socket, on a loopback address only.  The tools
 * serve tests, demos and benchmarks: they accept whatever anyone sends and
 * write it to disk, so they refuse any address another host could reach.
 */
#ifndef LIFELINE_TOOLS_LOOPBACK_LISTENER_H
#define LIFELINE_TOOLS_LOOPBACK_LISTENER_H

#include <sys/socket.h>

#include <stddef.h>

/* A non-blocking, close-on-exec socket listening on ADDR (an IPv4 or IPv6
 * literal in 127.0.0.0/8 or ::1) and PORT (0: an ephemeral port);
 * *BOUND_PORT is the port it got.  The caller owns the descriptor.  Does not
 * return on failure: exits 2 when ADDR is not a loopback literal (a usage
 * error), 1 when a system call fails. */
int loopback_listener_open(const char *addr, unsigned port, unsigned *bound_port);

/* "ADDR:PORT" or "[ADDR]:PORT" of an accepted peer, for log lines. */
void loopback_listener_format_peer(const struct sockaddr_storage *ss, char *buf, size_t size);

#endif
