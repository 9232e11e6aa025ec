/*
 * The persist file (--persist-file): for each file() source, the position
 * just past the last line that every destination of its log paths delivered
 * (or dropped by a named policy), so that a restart continues there.
 *
 * A record is keyed by source name and path, and names the file's device and
 * inode, so that a file replaced in the meantime is recognised.  The file is
 * written whole (temporary file, fsync, rename) at most every
 * PERSIST_FILE_INTERVAL_MS while positions move, and when flushed at a stop;
 * never per message.  Without a path the positions live in memory only,
 * which still lets a reload continue where the old configuration stopped.
 *
 * Records are written for the sources of this run only: one of a source no
 * longer configured is dropped at the first write.
 */
#ifndef LIFELINE_HOST_PERSIST_FILE_H
#define LIFELINE_HOST_PERSIST_FILE_H

#include "line-ledger.h"

#include <stddef.h>

#define PERSIST_FILE_INTERVAL_MS 200

struct persist_file;

/* Asked at every write: calls persist_file_put for its record, and returns 1
 * while it still waits for fates (the writes go on), 0 otherwise. */
typedef int (*persist_file_report_fn)(void *ctx, struct persist_file *pf);

/* PATH is copied; NULL keeps the positions in memory only. */
struct persist_file *persist_file_new(const char *path);
/* NULL-safe.  Clients must be gone. */
void persist_file_free(struct persist_file *self);
/* NULL without a path. */
const char *persist_file_path(const struct persist_file *self);

/* Reads the file (a missing one is empty).  0, or -1 with ERR filled. */
int persist_file_load(struct persist_file *self, char *err, size_t err_size);
/* Checks that its directory takes a new file (found out at start rather than
 * at the first write).  0, or -1 with ERR filled. */
int persist_file_check(struct persist_file *self, char *err, size_t err_size);

/* The stored position of SOURCE reading PATH: 1 with *OUT set, or 0. */
int persist_file_lookup(struct persist_file *self, const char *source, const char *path, struct line_position *out);
/* Records SOURCE's position (written at the next write). */
void persist_file_put(struct persist_file *self, const char *source, const char *path,
                      const struct line_position *pos);

/* CTX is borrowed until removed.  It reports the record of SOURCE reading
 * PATH (copied), and replaces a client that reported it before (the old
 * source of a reload). */
void persist_file_add_client(struct persist_file *self, const char *source, const char *path,
                             persist_file_report_fn fn, void *ctx);
void persist_file_remove_client(struct persist_file *self, void *ctx);

/* Positions may move: a write follows within PERSIST_FILE_INTERVAL_MS.
 * Cheap enough to call per read. */
void persist_file_kick(struct persist_file *self);
/* Asks every client now and writes what changed; the timer stops until the
 * next kick.  For a stop and a reload. */
void persist_file_flush(struct persist_file *self);

#endif
