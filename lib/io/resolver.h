/*
 * Name resolution that never blocks the ivykis loop.  Address literals are
 * resolved inline (deferred to an iv_task so the callback never runs inside
 * resolver_lookup); names go to an iv_work thread pool that exists only while
 * a lookup is pending, so an idle resolver keeps no thread and no registered
 * object that would hold the host's iv_main open.
 */
#ifndef LIFELINE_RESOLVER_H
#define LIFELINE_RESOLVER_H

#include <netdb.h>

struct resolver_request;

/* Called on the loop thread.  On success gai_error is 0 and result holds the
 * addresses; the callee owns result (freeaddrinfo).  On failure result is NULL
 * and gai_error is a getaddrinfo code (gai_strerror). */
typedef void (*resolver_done_fn)(void *cookie, struct addrinfo *result, int gai_error);

/* family: AF_UNSPEC, AF_INET or AF_INET6.  Returns a handle valid until the
 * callback ran or resolver_cancel(); NULL only when out of memory. */
struct resolver_request *resolver_lookup(const char *host, unsigned port, int family,
                                         resolver_done_fn done, void *cookie);

/* The callback will not run; the request frees itself when its thread is done. */
void resolver_cancel(struct resolver_request *req);

#endif
