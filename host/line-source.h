/*
 * What every source has in common, and the one interface the runtime sees.
 *
 * A source driver (stdin(), file(), tcp(), unix-stream()) only moves bytes:
 * it reads into the line splitter of one of its inputs (a file, a client
 * connection) and calls line_source_drain().  The core here owns everything
 * after that: offering each line to every target destination, pausing when
 * one says FULL, resuming at that destination's wakeup, and the counts.
 *
 * Flow control: a line goes to every target; when one says FULL the whole
 * source pauses (the input that holds the line keeps it, and the driver
 * stops reading from every input) until the destination's wakeup.  The core
 * then re-offers the held line first and calls the driver's resume().  A line
 * is consumed only once every target took it (or refused it with an error).
 *
 * Counting invariant, printed in the exit summary:
 *   read = forwarded + dropped + unaccepted
 */
#ifndef LIFELINE_LINE_SOURCE_H
#define LIFELINE_LINE_SOURCE_H

#include "destination.h"
#include "line-ledger.h"

#include <lifeline/plugin.h>
#include <stddef.h>
#include <stdint.h>

struct line_source;
struct line_splitter;

/* One byte stream of a source.  The driver embeds it and owns LINES. */
struct line_input
{
  struct line_splitter *lines;
  int at_eof; /* no more bytes will come: a last line without '\n' is a line */
  /* Where the stream is, for a source that tracks delivered positions
   * (line_source_track): the driver sets READ.dev/ino and READ.offset when it
   * opens or rewinds; line_source_read keeps READ.offset just past the last
   * byte read, which sits right before READ_END in LINES' buffer. */
  struct line_position read;
  const uint8_t *read_end;
};

struct line_source_ops
{
  /* Begin reading (bind, open, register).  0, or -1 with ERR set. */
  int (*start)(void *impl, struct lifeline_error *err);
  /* Stop now: unregister everything and line_source_discard() every input. */
  void (*stop)(void *impl);
  /* The held line was taken after a pause: read from every input again. */
  void (*resume)(void *impl);
  /* Frees IMPL (after stop, or never started). */
  void (*free)(void *impl);
};

struct line_source_counts
{
  uint64_t read; /* complete lines framed (including ones cut at log-msg-size()) */
  uint64_t forwarded; /* taken by every target */
  uint64_t truncated; /* cut at log-msg-size() */
  uint64_t dropped; /* refused by a target with an error */
  uint64_t unaccepted; /* read but not taken by every target when the source stopped */
};

/* ---- the runtime's side ---- */

/* NAME is copied; IMPL is owned (freed with OPS->free). */
struct line_source *line_source_new(const char *name, const struct line_source_ops *ops, void *impl);
/* NULL-safe; stops the source first. */
void line_source_free(struct line_source *self);
const char *line_source_name(const struct line_source *self);
/* Targets are borrowed and must outlive the source. */
void line_source_add_target(struct line_source *self, struct host_destination *target);
/* DONE(CTX) runs once the source reached the end of its input (stdin only;
 * file and network sources run until stopped). */
int line_source_start(struct line_source *self, host_destination_fn done, void *ctx, struct lifeline_error *err);
/* Stops reading now (a signal); nothing more is pushed. */
void line_source_stop(struct line_source *self);
int line_source_is_started(const struct line_source *self);
size_t line_source_n_targets(const struct line_source *self);
struct host_destination *line_source_target(const struct line_source *self, size_t i);
/* Before start: target OLD becomes NEW (a reload kept a destination). */
void line_source_replace_target(struct line_source *self, struct host_destination *old,
                                struct host_destination *replacement);

/* A reload keeps this running source: its targets become TARGETS (N of
 * them, borrowed), target j having been FROM[j] (-1: a new one), so a line
 * half offered and the positions waited on carry over.  Nothing is pushed
 * until line_source_adopt. */
void line_source_retarget(struct line_source *self, struct host_destination *const *targets, const int *from,
                          size_t n);
/* The new runtime took SELF over: DONE(CTX) replaces the old runtime's
 * callback (and runs now if the input already ended), and a source paused
 * on an old target offers its line again. */
void line_source_adopt(struct line_source *self, host_destination_fn done, void *ctx);
void line_source_counts(const struct line_source *self, struct line_source_counts *out);

/* ---- the drivers' side ---- */

/* Offers every complete line of IN; 1 when all were taken, 0 when the source
 * is paused (IN holds the current line) or stopped. */
int line_source_drain(struct line_source *self, struct line_input *in);
/* True while the driver must not read: paused by a full target, or stopped. */
int line_source_blocked(const struct line_source *self);
/* True when IN holds the line a full target is waited on for. */
int line_source_holds(const struct line_source *self, const struct line_input *in);
/* At stop: what IN still holds is counted as unaccepted and discarded. */
void line_source_discard(struct line_source *self, struct line_input *in);
/* End of input: runs the runtime's DONE callback once. */
void line_source_done(struct line_source *self);

/* Delivered positions (file()): from now on every line taken is entered in a
 * ledger with the position just past it and each target's seq.  Call once
 * the targets are added (at start). */
void line_source_track(struct line_source *self);
/* IN was opened or rewound: its position counts as delivered once every
 * line before it is. */
void line_source_mark(struct line_source *self, const struct line_input *in);
/* The position up to which every line taken was delivered (or dropped by a
 * named policy) by every target: 1 with *OUT set when it moved since the last
 * call, 0 otherwise. */
int line_source_delivered(struct line_source *self, struct line_position *out);
/* Lines taken and still waiting for a fate (0 when not tracking). */
size_t line_source_pending(const struct line_source *self);

enum line_read_result
{
  LINE_READ_AGAIN, /* EAGAIN: wait for readiness */
  LINE_READ_MORE, /* a full turn was read: yield to the loop, then carry on */
  LINE_READ_PAUSED, /* a target is full */
  LINE_READ_EOF, /* read() returned 0 (IN->at_eof is not set: the caller decides) */
  LINE_READ_ERROR, /* read() failed; *ERRNUM says why */
};

/* Reads FD into IN and drains it, for at most one turn.  The loop every
 * driver shares. */
enum line_read_result line_source_read(struct line_source *self, struct line_input *in, int fd, int *errnum);

/* The size of one read; line splitters are made with it. */
#define LINE_SOURCE_READ_SIZE (64 * 1024)

/* Where an error about a source's line buffer is located: DRIVER's own
 * log-msg-size() when it has one, else DRIVER (the global log-msg-size()
 * applies).  Borrowed from DRIVER. */
const struct lifeline_option *line_source_size_option(const struct lifeline_option *driver);

#endif
