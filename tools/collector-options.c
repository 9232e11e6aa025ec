#include "collector-options.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool
_parse_u64(const char *s, uint64_t *out)
{
  if (*s < '0' || *s > '9')
    return false;
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || *end)
    return false;
  *out = v;
  return true;
}

static void
_usage(FILE *f)
{
  fputs("usage: " COLLECTOR_PROG " --listen ADDR [--port N] --ready-file F [--stats-file F]\n"
        "         [--output F] [--report F] [--framing newline|octet-counted]\n"
        "         [--exit-after-lines N] [--quiet]\n"
        "ADDR is a loopback IPv4 or IPv6 literal (127.0.0.0/8 or ::1). --port 0 (default)\n"
        "binds an ephemeral port; the chosen port is written to the ready file.\n", f);
}

void
collector_options_parse(struct collector_options *self, int argc, char **argv)
{
  static const struct option longopts[] = {
    { "listen", required_argument, NULL, 'l' },
    { "port", required_argument, NULL, 'p' },
    { "ready-file", required_argument, NULL, 'r' },
    { "stats-file", required_argument, NULL, 's' },
    { "output", required_argument, NULL, 'o' },
    { "report", required_argument, NULL, 'R' },
    { "framing", required_argument, NULL, 'f' },
    { "exit-after-lines", required_argument, NULL, 'x' },
    { "quiet", no_argument, NULL, 'q' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  int ch;
  uint64_t v;

  while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1)
    {
      switch (ch)
        {
        case 'l': self->listen_addr = optarg; break;
        case 'p':
          if (!_parse_u64(optarg, &v) || v > 65535)
            goto bad_value;
          self->port = (unsigned) v;
          break;
        case 'r': self->ready_file = optarg; break;
        case 's': self->stats_file = optarg; break;
        case 'o': self->output_file = optarg; break;
        case 'R': self->report_file = optarg; break;
        case 'f':
          if (strcmp(optarg, "newline") == 0)
            self->framing = FRAME_READER_NEWLINE;
          else if (strcmp(optarg, "octet-counted") == 0)
            self->framing = FRAME_READER_OCTET_COUNTED;
          else
            goto bad_value;
          break;
        case 'x':
          if (!_parse_u64(optarg, &v) || v == 0)
            goto bad_value;
          self->exit_after_lines = v;
          break;
        case 'q': self->quiet = true; break;
        case 'h': _usage(stdout); exit(0);
        default: _usage(stderr); exit(2);
        }
      continue;
bad_value:
      fprintf(stderr, COLLECTOR_PROG ": invalid value; option=%s value=%s\n", argv[optind - 1], optarg);
      exit(2);
    }
  if (optind != argc || !self->listen_addr || !self->ready_file)
    {
      _usage(stderr);
      exit(2);
    }
}
