/*
 * One `log { source(...); destination(...); };` statement: resolves its
 * names and connects every listed source to every instance of every listed
 * destination (line_source_add_target).
 */
#ifndef LIFELINE_LOG_PATH_H
#define LIFELINE_LOG_PATH_H

#include <glib.h>
#include <lifeline/plugin.h>

/* SOURCE_BY_NAME maps a source's name to its struct line_source, DEST_BY_NAME
 * a destination's name to a GPtrArray of its struct host_destination
 * instances; both are borrowed.  The name of every destination the path
 * names is added to USED (a set of strings borrowed from STMT).  0, or -1
 * with a located error in ERR (an unknown name, a path without a source or
 * a destination). */
int log_path_add(const struct lifeline_option *stmt, GHashTable *source_by_name, GHashTable *dest_by_name, GHashTable *used,
                 struct lifeline_error *err);

#endif
