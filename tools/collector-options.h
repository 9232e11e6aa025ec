/*
 * The command line of lifeline-collector.  The strings point into argv.
 */
#ifndef LIFELINE_TOOLS_COLLECTOR_OPTIONS_H
#define LIFELINE_TOOLS_COLLECTOR_OPTIONS_H

#include "frame-reader.h"
#include "tls-server.h"

#include <stdbool.h>
#include <stdint.h>

#define COLLECTOR_PROG "lifeline-collector"

struct collector_options
{
  const char *listen_addr;
  unsigned port;              /* 0: an ephemeral port */
  const char *ready_file;
  const char *stats_file;     /* NULL: none; likewise the other files */
  const char *output_file;
  const char *report_file;
  enum frame_reader_framing framing;
  uint64_t exit_after_lines;  /* 0: run until a signal */
  bool quiet;
  struct tls_server_options tls; /* tls.cert_file NULL: plain TCP */
};

/* Fills SELF from ARGV.  Exits 0 after --help, and 2 after printing the
 * usage or the bad value on a usage error. */
void collector_options_parse(struct collector_options *self, int argc, char **argv);

#endif
