/*
 * A parsed configuration as a tree of ABI option nodes.
 *
 * One struct config_tree owns every node, value, array and string of one
 * parsed configuration; config_tree_free() releases them all at once.  The
 * pointers handed out stay valid (and never move) until then, so a module can
 * borrow any subtree during create().
 */
#ifndef LIFELINE_CONFIG_TREE_H
#define LIFELINE_CONFIG_TREE_H

#include <lifeline/plugin.h>

struct config_tree;

/* A tree with only a root node: name "", file MAIN_FILE (copied), line 0. */
struct config_tree *config_tree_new(const char *main_file);
/* NULL-safe. */
void config_tree_free(struct config_tree *self);

/* Borrowed from the tree. */
const struct lifeline_option *config_tree_root(const struct config_tree *self);

/* The first @version seen ("4.0"), or NULL when the config has none, so the
 * host can warn.  Borrowed from the tree. */
const char *config_tree_version(const struct config_tree *self);

/* ---- building (the parser's side) ---- */

/* Copies S into the tree and returns the copy; equal strings share one copy,
 * which suits file names that every node points at. */
const char *config_tree_intern(struct config_tree *self, const char *s);

/* Records VERSION (copied) unless one was already recorded. */
void config_tree_set_version(struct config_tree *self, const char *version);

/* The root, for appending statements. */
struct lifeline_option *config_tree_root_mutable(struct config_tree *self);

/* Appends a child named NAME (copied) to PARENT, a node of this tree.  FILE
 * must come from config_tree_intern().  Returns the new node, owned by the tree. */
struct lifeline_option *config_tree_add_option(struct config_tree *self, struct lifeline_option *parent,
                                               const char *name, const char *file,
                                               uint32_t line, uint32_t column);

/* Appends a positional value (TEXT copied) to OPT, a node of this tree. */
const struct lifeline_value *config_tree_add_value(struct config_tree *self, struct lifeline_option *opt,
                                                   enum lifeline_value_kind kind, const char *text,
                                                   uint32_t line, uint32_t column);

#endif
