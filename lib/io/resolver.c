#include "resolver.h"

#include <iv.h>
#include <iv_work.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

struct resolver_request
{
  struct iv_work_item work;
  struct iv_task inline_done;
  char host[256];
  char port[8];
  int family;
  struct addrinfo *result;
  int gai_error;
  int cancelled;
  int in_pool;
  resolver_done_fn done;
  void *cookie;
};

/* One pool per loop thread, alive while lookups are pending. */
static __thread struct iv_work_pool resolver_pool;
static __thread unsigned resolver_pool_users;

static void
_pool_release(void)
{
  if (--resolver_pool_users == 0)
    iv_work_pool_put(&resolver_pool);
}

static void
_lookup(struct resolver_request *req, int flags)
{
  struct addrinfo hints;
  memset(&hints, 0, sizeof(hints));
  hints.ai_family = req->family;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_protocol = IPPROTO_TCP;
  hints.ai_flags = flags | AI_NUMERICSERV;
  req->gai_error = getaddrinfo(req->host, req->port, &hints, &req->result);
  if (req->gai_error)
    req->result = NULL;
}

static void
_finish(struct resolver_request *req)
{
  if (req->cancelled)
    {
      if (req->result)
        freeaddrinfo(req->result);
    }
  else
    req->done(req->cookie, req->result, req->gai_error);
  free(req);
}

static void
_work(void *cookie)
{
  /* Runs on a pool thread: only getaddrinfo, no ivykis calls. */
  _lookup(cookie, 0);
}

static void
_work_done(void *cookie)
{
  _pool_release();
  _finish(cookie);
}

static void
_inline_done(void *cookie)
{
  _finish(cookie);
}

struct resolver_request *
resolver_lookup(const char *host, unsigned port, int family, resolver_done_fn done, void *cookie)
{
  struct resolver_request *req = calloc(1, sizeof(*req));
  if (!req)
    return NULL;
  snprintf(req->host, sizeof(req->host), "%s", host);
  snprintf(req->port, sizeof(req->port), "%u", port);
  req->family = family;
  req->done = done;
  req->cookie = cookie;

  _lookup(req, AI_NUMERICHOST);
  if (req->gai_error != EAI_NONAME)
    {
      IV_TASK_INIT(&req->inline_done);
      req->inline_done.cookie = req;
      req->inline_done.handler = _inline_done;
      iv_task_register(&req->inline_done);
      return req;
    }

  if (resolver_pool_users++ == 0)
    {
      IV_WORK_POOL_INIT(&resolver_pool);
      resolver_pool.max_threads = 4;
      if (iv_work_pool_create(&resolver_pool) < 0)
        {
          resolver_pool_users = 0;
          free(req);
          return NULL;
        }
    }
  IV_WORK_ITEM_INIT(&req->work);
  req->work.cookie = req;
  req->work.work = _work;
  req->work.completion = _work_done;
  req->in_pool = 1;
  iv_work_pool_submit_work(&resolver_pool, &req->work);
  return req;
}

void
resolver_cancel(struct resolver_request *req)
{
  if (!req)
    return;
  if (!req->in_pool)
    {
      /* Still only a registered task: drop it now. */
      iv_task_unregister(&req->inline_done);
      if (req->result)
        freeaddrinfo(req->result);
      free(req);
      return;
    }
  req->cancelled = 1;
}
