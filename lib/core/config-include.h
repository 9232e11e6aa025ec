/*
 * Reading configuration files and resolving @include, for the parser
 * (config-parser.h).  The main file and every included file are read through
 * one checked path, and one load's files and bytes are counted against its
 * limits.  Nothing here knows the grammar: each file an @include names is
 * handed back to the parser through the load's callback, so this file never
 * calls the parser.
 *
 * @include takes a file, a directory (its regular files, sorted by name,
 * except names starting with '.' or ending with '~') or a glob (the regular
 * files it matches, sorted; matching nothing is fine).  Relative paths
 * resolve against the including file's directory.
 *
 * Ownership: the caller owns struct config_include_load (it is embedded, and
 * nothing in it is allocated) and every string and struct passed in; only
 * the text config_include_read_file() returns is the caller's to g_free().
 */
#ifndef LIFELINE_CONFIG_INCLUDE_H
#define LIFELINE_CONFIG_INCLUDE_H

#include <lifeline/plugin.h>
#include <stddef.h>
#include <stdint.h>

/* Includes nested deeper than this are refused: it is how a cycle shows. */
#define CONFIG_MAX_INCLUDE_DEPTH 15

/* One configuration load (the main file and everything it includes) reads at
 * most this many files and this many bytes in total; the @include that would
 * cross a limit is the error.  Real configurations are a few files of a few
 * KiB; without a bound, a fan-out of includes (a file including a directory
 * of files that include it again) would take minutes and gigabytes.  A
 * directory or glob @include with more entries than CONFIG_MAX_FILES is
 * refused whole.  Each file must be a regular file: the main file and every
 * include are opened without blocking and checked on the opened descriptor,
 * so a FIFO or a device named by -f cannot stall or exhaust a reload. */
#define CONFIG_MAX_FILES 1000u
#define CONFIG_MAX_TOTAL_BYTES (64u * 1024 * 1024)

/* Parses one included file: TEXT (LEN bytes plus a NUL, borrowed for the
 * call) read from PATH (borrowed; the name its locations show), nested DEPTH
 * includes deep.  Returns 0, or -1 with the load's error filled. */
typedef int (*config_include_parse_fn)(void *cookie, const char *text, size_t len, const char *path, int depth);

/* One configuration load.  Start it zeroed (or with what a main text read
 * elsewhere counted) and set PARSE and COOKIE before resolving an @include. */
struct config_include_load
{
  unsigned files_read; /* against CONFIG_MAX_FILES */
  size_t bytes_read;   /* against CONFIG_MAX_TOTAL_BYTES */
  config_include_parse_fn parse;
  void *cookie;
};

/* Where an @include was written: for its errors and its relative paths.
 * Every pointer is borrowed. */
struct config_include_site
{
  const char *file;    /* the including file, as locations show it */
  const char *dir;     /* base of relative paths; NULL: the current directory */
  int depth;           /* of the including file; 0 for the main file */
  uint32_t line;       /* of the file name after @include */
  uint32_t column;
  const char *context; /* the option errors name ("" for none) */
  struct lifeline_error *err; /* filled at the first error */
};

/* Reads the configuration file at PATH (borrowed), counted against LOAD's
 * limits; SHOWN (borrowed) is how errors name it.  Returns 0 with TEXT (LEN
 * bytes plus a NUL; the caller frees it with g_free()), or -1 with WHY (of
 * WHY_SIZE bytes, the caller's) filled with a sentence and TEXT untouched. */
int config_include_read_file(struct config_include_load *load, const char *path, const char *shown, char **text,
                             size_t *len, char *why, size_t why_size);

/* Resolves @include WRITTEN (borrowed; a file, a directory or a glob) at
 * SITE: reads each file it names and hands it to LOAD's parse callback, in
 * order.  Returns 0, or -1 with SITE's error filled (by this function, or by
 * the callback for an error inside an included file). */
int config_include_resolve(struct config_include_load *load, const struct config_include_site *site,
                           const char *written);

#endif
