/* The host's side of a destination: the completed mark (with a drop reported
 * ahead of earlier messages), and a reload's succession: the returned
 * messages replayed into the new instance, in order, before anything new,
 * in the same host seqs the sources wait on. */
#include <criterion/criterion.h>

#include "destination.h"

#include <glib.h>
#include <string.h>

#define FAKE_MAX 64

struct fake
{
  const struct lifeline_dest_host *dh;
  uint64_t seqs[FAKE_MAX];
  char data[FAKE_MAX][16];
  size_t n, cap;
  int stopped;
};

static struct fake *last;

static void *
_create(const struct lifeline_option *node, const struct lifeline_dest_host *dh, struct lifeline_error *err)
{
  struct fake *f = g_new0(struct fake, 1);
  f->dh = dh;
  f->cap = FAKE_MAX;
  last = f;
  return f;
}

static int
_start(void *instance, struct lifeline_error *err)
{
  return 0;
}

static int
_push(void *instance, const struct lifeline_msg *msg)
{
  struct fake *f = instance;
  if (f->stopped)
    return LIFELINE_PUSH_ERROR;
  if (f->n >= f->cap)
    return LIFELINE_PUSH_FULL;
  f->seqs[f->n] = msg->seq;
  g_strlcpy(f->data[f->n], (const char *) msg->data, MIN(sizeof(f->data[0]), msg->len + 1));
  f->n++;
  return LIFELINE_PUSH_QUEUED;
}

static void
_fate(struct fake *f, uint32_t kind, uint64_t first, uint64_t last_seq, const char *data)
{
  struct lifeline_fate fate;
  memset(&fate, 0, sizeof(fate));
  LIFELINE_ABI_INIT(&fate);
  fate.kind = kind;
  fate.first_seq = first;
  fate.last_seq = last_seq;
  fate.reason = kind == LIFELINE_FATE_DROPPED ? "test" : NULL;
  fate.data = (const uint8_t *) data;
  fate.len = data ? strlen(data) : 0;
  f->dh->fate(f->dh->cookie, &fate);
}

/* Returns every message from index FROM on, then reports stopped. */
static size_t fake_returned_from;

static void
_stop(void *instance, uint32_t timeout_ms)
{
  struct fake *f = instance;
  f->stopped = 1;
  for (size_t i = fake_returned_from; i < f->n; i++)
    _fate(f, LIFELINE_FATE_RETURNED, f->seqs[i], f->seqs[i], f->data[i]);
  f->dh->stopped(f->dh->cookie);
}

static void
_free(void *instance)
{
  g_free(instance);
}

static const struct lifeline_driver fake_driver = {
  .abi_major = LIFELINE_ABI_MAJOR,
  .abi_minor = LIFELINE_ABI_MINOR,
  .struct_size = sizeof(struct lifeline_driver),
  .name = "fake",
  .kind = LIFELINE_DRIVER_DESTINATION,
  .create = _create,
  .start = _start,
  .push = _push,
  .stop = _stop,
  .free = _free,
};

static struct host_destination *
_new(struct fake **f)
{
  struct lifeline_error err;
  struct lifeline_option node;
  memset(&node, 0, sizeof(node));
  node.name = "fake";
  struct host_destination *d = host_destination_new("d", &fake_driver, &node, &err);
  cr_assert_not_null(d);
  *f = last;
  cr_assert_eq(host_destination_start(d, &err), 0);
  return d;
}

static uint64_t
_push_text(struct host_destination *d, const char *text)
{
  uint64_t seq = 0;
  cr_assert_eq(host_destination_push(d, (const uint8_t *) text, strlen(text), &seq), LIFELINE_PUSH_QUEUED);
  return seq;
}

static int woken;

static void
_woken(void *ctx)
{
  woken++;
}

static void
_nothing(void *ctx)
{
}

Test(host_destination, completed_mark_waits_for_the_gap_before_an_early_drop)
{
  struct fake *f;
  struct host_destination *d = _new(&f);
  for (int i = 1; i <= 5; i++)
    cr_assert_eq(_push_text(d, "m"), (uint64_t) i);
  _fate(f, LIFELINE_FATE_DROPPED, 4, 4, NULL);
  cr_assert_eq(host_destination_completed(d), 0);
  _fate(f, LIFELINE_FATE_DELIVERED, 1, 2, NULL);
  cr_assert_eq(host_destination_completed(d), 2);
  _fate(f, LIFELINE_FATE_DELIVERED, 3, 3, NULL);
  cr_assert_eq(host_destination_completed(d), 4);
  _fate(f, LIFELINE_FATE_DELIVERED, 5, 5, NULL);
  cr_assert_eq(host_destination_completed(d), 5);
  fake_returned_from = 5;
  host_destination_stop(d, 0, _nothing, NULL);
  host_destination_free(d);
}

Test(host_destination, a_successor_replays_what_the_old_instance_returns_in_the_same_seqs)
{
  struct fake *fo, *fn;
  struct host_destination *old = _new(&fo);
  const char *texts[] = { "a", "b", "c", "d", "e" };
  for (int i = 0; i < 5; i++)
    _push_text(old, texts[i]);
  _fate(fo, LIFELINE_FATE_DELIVERED, 1, 2, NULL);

  struct lifeline_error err;
  struct lifeline_option node;
  memset(&node, 0, sizeof(node));
  node.name = "fake";
  struct host_destination *next = host_destination_new("d", &fake_driver, &node, &err);
  fn = last;
  host_destination_succeed(next, old);
  cr_assert_eq(host_destination_predecessor(next), old);
  cr_assert_eq(host_destination_completed(next), 2);
  cr_assert_eq(host_destination_start(next, &err), 0);

  /* Gated until the old instance stopped. */
  cr_assert_eq(host_destination_push(next, (const uint8_t *) "f", 1, NULL), LIFELINE_PUSH_FULL);
  host_destination_wait(next, _woken, NULL);
  /* The old instance still delivers; the successor sees it. */
  _fate(fo, LIFELINE_FATE_DELIVERED, 3, 3, NULL);
  cr_assert_eq(host_destination_completed(next), 3);

  woken = 0;
  fake_returned_from = 3; /* "d" and "e" come back */
  host_destination_stop(old, 0, _nothing, NULL);
  cr_assert_eq(woken, 1, "the gate opens once the old instance stopped");
  cr_assert_null(host_destination_predecessor(next));
  cr_assert_eq(fn->n, 2);
  cr_assert_str_eq(fn->data[0], "d");
  cr_assert_str_eq(fn->data[1], "e");
  cr_assert_eq(fn->seqs[0], 1, "the instance numbers from 1 (the ABI)");

  cr_assert_eq(_push_text(next, "f"), 6, "host seqs go on where the old instance stopped");
  cr_assert_eq(fn->seqs[2], 3);
  _fate(fn, LIFELINE_FATE_DELIVERED, 1, 1, NULL);
  cr_assert_eq(host_destination_completed(next), 4);
  _fate(fn, LIFELINE_FATE_DELIVERED, 2, 3, NULL);
  cr_assert_eq(host_destination_completed(next), 6);

  struct host_destination_counts c;
  host_destination_counts(old, &c);
  cr_assert_eq(c.handed_over, 2);
  cr_assert_eq(c.returned, 0);
  host_destination_counts(next, &c);
  cr_assert_eq(c.accepted, 3);
  cr_assert_eq(c.delivered, 3);

  fake_returned_from = 3;
  host_destination_stop(next, 0, _nothing, NULL);
  host_destination_free(old);
  host_destination_free(next);
}

Test(host_destination, a_removed_destination_counts_what_it_returns)
{
  struct fake *f;
  struct host_destination *d = _new(&f);
  _push_text(d, "a");
  _push_text(d, "b");
  fake_returned_from = 0;
  host_destination_stop(d, 0, _nothing, NULL);
  struct host_destination_counts c;
  host_destination_counts(d, &c);
  cr_assert_eq(c.returned, 2);
  cr_assert_eq(c.handed_over, 0);
  host_destination_free(d);
}
