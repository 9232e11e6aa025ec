/*
 * The configuration parser: syslog-ng's statement grammar (options, source,
 * destination, log) plus the @version, @include and @define pragmas, into a
 * struct config_tree (see config-tree.h for reading and freeing it).
 *
 * The parser checks syntax only.  Which drivers and options exist, duplicate
 * names and value ranges are checked by the host and the modules, with
 * option-reader.h, so their errors carry the same locations.
 *
 * Tree shape: the root (name "", file = the main file) holds the statements
 * in order, the statements of @included files spliced in where the @include
 * was.  A statement node is named options/source/destination/log; source and
 * destination carry their name as values[0]; its children are the items.
 * An option node's values are its positional arguments, its children the
 * nested name(...) options, both in order.
 *
 * Reading files and resolving @include (a file, a directory or a glob), with
 * the per-load limits CONFIG_MAX_INCLUDE_DEPTH, CONFIG_MAX_FILES and
 * CONFIG_MAX_TOTAL_BYTES, are in config-include.h, included here.
 */
#ifndef LIFELINE_CONFIG_PARSER_H
#define LIFELINE_CONFIG_PARSER_H

#include "config-include.h"
#include "config-tree.h"

#include <lifeline/plugin.h>

/* A parsed configuration holds at most this many options and values (every
 * name(...) and every argument counts one): far more than any hand-written
 * or generated configuration, and a bound on the tree's memory and on the
 * time a reload spends on the event loop (64 MiB of "1 1 1 ..." would
 * otherwise take gigabytes and tens of seconds). */
#define CONFIG_MAX_ITEMS 500000u

/* Parses the file at PATH (borrowed).  Returns a tree the caller frees with
 * config_tree_free(), or NULL with ERR filled at the first error. */
struct config_tree *config_parse_file(const char *path, struct lifeline_error *err);

/* Parses TEXT (borrowed, NUL-terminated).  NAME (borrowed) is the file name
 * used in locations; relative @include paths resolve against the current
 * directory.  Returns a tree the caller frees, or NULL with ERR filled. */
struct config_tree *config_parse_string(const char *text, const char *name, struct lifeline_error *err);

#endif
