/*
 * Validating and reading a driver's option subtree, with errors located at
 * the offending option or value.  Used by the host for its statements and by
 * destination modules in create(), so every configuration error reads alike.
 *
 * Nothing here allocates or keeps a pointer: strings handed out are borrowed
 * from the tree.  Every int-returning function returns 0 on success, or -1
 * with ERR filled (ERR may be NULL).  Error locations name the innermost
 * option enclosing the offending token, as the parser's errors do.
 *
 * Option names compare with '-' and '_' equivalent (tcp-probe-interval ==
 * tcp_probe_interval), as in syslog-ng.  When an option is given more than
 * once, the last one wins, as in syslog-ng.  Empty parentheses mean "the
 * default", like an absent option.
 */
#ifndef LIFELINE_OPTION_READER_H
#define LIFELINE_OPTION_READER_H

#include <lifeline/plugin.h>
#include <stddef.h>
#include <stdint.h>

/* True when OPT is named NAME ('-' == '_'). */
int option_name_is(const struct lifeline_option *opt, const char *name);

/* The last child of PARENT named NAME, or NULL.  Borrowed from the tree. */
const struct lifeline_option *option_find(const struct lifeline_option *parent, const char *name);

/* Every child of PARENT must be named in ALLOWED (NULL-terminated); the error
 * is at the first unknown one:
 * "unknown option 'foo' in network(); expected one of: port, transport". */
int option_check_children(const struct lifeline_option *parent, const char *const *allowed,
                          struct lifeline_error *err);

/* PARENT must have between MIN and MAX positional values (SIZE_MAX: no
 * upper bound). */
int option_check_values(const struct lifeline_option *parent, size_t min, size_t max, struct lifeline_error *err);

/* Readers of the child option NAME of PARENT, which takes a single value.
 * An absent child or empty parentheses give DEF.  More than one value, or an
 * option inside, is an error. */

/* A string or a bare word.  *OUT is borrowed from the tree (or is DEF). */
int option_get_string(const struct lifeline_option *parent, const char *name, const char *def, const char **out,
                      struct lifeline_error *err);

/* A decimal or 0x hexadecimal integer in MIN..MAX; the error states the range. */
int option_get_int64(const struct lifeline_option *parent, const char *name, int64_t def, int64_t min, int64_t max,
                     int64_t *out, struct lifeline_error *err);

/* yes/no, on/off, true/false, 1/0 (case-insensitive); *OUT is 1 or 0. */
int option_get_bool(const struct lifeline_option *parent, const char *name, int def, int *out,
                    struct lifeline_error *err);

/* One of CHOICES (NULL-terminated, '-' == '_'); *OUT is its index, or DEF
 * when absent.  The error lists the choices. */
int option_get_enum(const struct lifeline_option *parent, const char *name, const char *const *choices, int def,
                    int *out, struct lifeline_error *err);

/* Seconds as syslog-ng writes them (1, 0.5, 0.001) in milliseconds, with
 * bounds in milliseconds.  A value finer than a millisecond is an error. */
int option_get_duration_ms(const struct lifeline_option *parent, const char *name, int64_t def_ms, int64_t min_ms,
                           int64_t max_ms, int64_t *out_ms, struct lifeline_error *err);

/* A size in bytes: a decimal integer, optionally followed by k, K or KiB
 * (1024), M or MiB (1024^2), G or GiB (1024^3), e.g. 64k. */
int option_get_size(const struct lifeline_option *parent, const char *name, int64_t def, int64_t min, int64_t max,
                    int64_t *out, struct lifeline_error *err);

/* Positional value INDEX of OPT itself as a string (a string or a bare word),
 * e.g. the host of network("host").  *OUT is borrowed from the tree. */
int option_value_string(const struct lifeline_option *opt, size_t index, const char **out,
                        struct lifeline_error *err);

#endif
