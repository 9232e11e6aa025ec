/*
 * The control channel's requests and replies, without any I/O (the
 * protocol is described in control-server.h): control-server.c reads a line
 * and writes back what control_execute() produced.
 */
#ifndef LIFELINE_HOST_CONTROL_COMMANDS_H
#define LIFELINE_HOST_CONTROL_COMMANDS_H

#include <glib.h>

struct runtime;

/* Executes one request LINE (without its '\n', NUL-terminated) against
 * RUNTIME and appends the complete reply, "OK\n<body>" or
 * "ERROR <reason>\n<body>", to REPLY.  Commands are logged. */
void control_execute(struct runtime *runtime, const char *line, GString *reply);

/* Appends S as a JSON string literal (quotes included): '"', '\\' and
 * control characters escaped, invalid UTF-8 replaced by U+FFFD. */
void control_append_json_string(GString *out, const char *s);

/* Appends S so that it stays on one line and reads back unambiguously:
 * '\\' becomes "\\\\", control characters "\\xNN". */
void control_append_text_value(GString *out, const char *s);

#endif
