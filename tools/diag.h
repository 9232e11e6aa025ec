/*
 * A tool's diagnostics on stderr, one line each, in the project's log style:
 * "PROGRAM: A sentence; key=value ...".  Kept in one place so every module
 * of a tool prefixes its lines the same way.
 */
#ifndef LIFELINE_TOOLS_DIAG_H
#define LIFELINE_TOOLS_DIAG_H

#include <stdbool.h>

/* PROGRAM is not copied: a string literal.  Before this call lines have no name. */
void diag_init(const char *program);

/* QUIET silences diag_info() only: warnings and fatal errors always show. */
void diag_set_quiet(bool quiet);

void diag_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void diag_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints like diag_warn() and exits with status 1. */
void diag_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
