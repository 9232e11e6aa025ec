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
 * @include takes a file, a directory (its regular files, sorted by name,
 * except names starting with '.' or ending with '~') or a glob (the regular
 * files it matches, sorted; matching nothing is fine).  Relative paths
 * resolve against the including file's directory.
 */
#ifndef LIFELINE_CONFIG_PARSER_H
#define LIFELINE_CONFIG_PARSER_H

#include "config-tree.h"

#include <lifeline/plugin.h>

/* Includes nested deeper than this are refused: it is how a cycle shows. */
#define CONFIG_MAX_INCLUDE_DEPTH 15

/* Parses the file at PATH (borrowed).  Returns a tree the caller frees with
 * config_tree_free(), or NULL with ERR filled at the first error. */
struct config_tree *config_parse_file(const char *path, struct lifeline_error *err);

/* Parses TEXT (borrowed, NUL-terminated).  NAME (borrowed) is the file name
 * used in locations; relative @include paths resolve against the current
 * directory.  Returns a tree the caller frees, or NULL with ERR filled. */
struct config_tree *config_parse_string(const char *text, const char *name, struct lifeline_error *err);

#endif
