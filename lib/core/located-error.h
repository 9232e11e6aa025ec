/*
 * Filling a struct lifeline_error: the one error shape used by the config
 * parser, option validation in modules, and the host.  Nothing here allocates;
 * the caller owns the struct.
 */
#ifndef LIFELINE_LOCATED_ERROR_H
#define LIFELINE_LOCATED_ERROR_H

#include <lifeline/plugin.h>
#include <stdio.h>

/* Clears ERR and fills its ABI header. */
void located_error_init(struct lifeline_error *err);

/* Sets ERR to FILE:LINE:COLUMN, OPTION (may be NULL) and a printf message.
 * A NULL err is allowed and ignored. */
void located_error_set(struct lifeline_error *err, const char *file, unsigned line, unsigned column,
                       const char *option, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* The same, located at an option node (its file, line, column and name). */
void located_error_at_option(struct lifeline_error *err, const struct lifeline_option *opt,
                             const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The same, located at one value of an option node. */
void located_error_at_value(struct lifeline_error *err, const struct lifeline_option *opt,
                            const struct lifeline_value *value, const char *fmt, ...)
  __attribute__((format(printf, 4, 5)));

/* "file:line:column: option(): message" (parts omitted when empty) into BUF. */
const char *located_error_format(const struct lifeline_error *err, char *buf, size_t size);

/* True once something was set. */
int located_error_is_set(const struct lifeline_error *err);

#endif
