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

/* "1.0" .. "1.3" as the protocol version on the wire (TLS1_VERSION ..). */
static bool
_parse_tls_version(const char *s, int *out)
{
  static const char *const names[] = { "1.0", "1.1", "1.2", "1.3" };
  for (int i = 0; i < 4; i++)
    if (strcmp(s, names[i]) == 0)
      {
        *out = TLS1_VERSION + i;
        return true;
      }
  return false;
}

/* The TLS options only make sense together; exits 2 naming the rule broken. */
static void
_check_tls(const struct tls_server_options *tls)
{
  const char *error = NULL;
  bool any = tls->key_file || tls->ca_file || tls->verify_client || tls->min_version || tls->max_version
             || tls->no_tickets || tls->sni_file;
  if (!tls->cert_file != !tls->key_file)
    error = "--tls-cert and --tls-key go together";
  else if (!tls->cert_file && any)
    error = "the --tls-* options and --sni-file need --tls-cert";
  else if (tls->verify_client && !tls->ca_file)
    error = "--tls-verify-client needs --tls-ca";
  else if (tls->min_version && tls->max_version && tls->min_version > tls->max_version)
    error = "--tls-min-version is above --tls-max-version";
  if (error)
    {
      fprintf(stderr, COLLECTOR_PROG ": invalid TLS options; error=%s\n", error);
      exit(2);
    }
}

static void
_usage(FILE *f)
{
  fputs("usage: " COLLECTOR_PROG " --listen ADDR [--port N] --ready-file F [--stats-file F]\n"
        "         [--output F] [--report F] [--framing newline|octet-counted]\n"
        "         [--exit-after-lines N] [--quiet]\n"
        "         [--tls-cert F --tls-key F [--tls-ca F [--tls-verify-client]]\n"
        "          [--tls-min-version V] [--tls-max-version V] [--tls-no-tickets] [--sni-file F]]\n"
        "ADDR is a loopback IPv4 or IPv6 literal (127.0.0.0/8 or ::1). --port 0 (default)\n"
        "binds an ephemeral port; the chosen port is written to the ready file.\n"
        "--tls-cert turns on TLS for every connection; V is 1.0, 1.1, 1.2 or 1.3.\n"
        "--sni-file gets one line per TLS ClientHello: the server name sent, or '-'.\n", f);
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
    { "tls-cert", required_argument, NULL, 'C' },
    { "tls-key", required_argument, NULL, 'K' },
    { "tls-ca", required_argument, NULL, 'A' },
    { "tls-verify-client", no_argument, NULL, 'V' },
    { "tls-min-version", required_argument, NULL, 'm' },
    { "tls-max-version", required_argument, NULL, 'M' },
    { "tls-no-tickets", no_argument, NULL, 'T' },
    { "sni-file", required_argument, NULL, 'S' },
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
        case 'C': self->tls.cert_file = optarg; break;
        case 'K': self->tls.key_file = optarg; break;
        case 'A': self->tls.ca_file = optarg; break;
        case 'V': self->tls.verify_client = true; break;
        case 'm':
          if (!_parse_tls_version(optarg, &self->tls.min_version))
            goto bad_value;
          break;
        case 'M':
          if (!_parse_tls_version(optarg, &self->tls.max_version))
            goto bad_value;
          break;
        case 'T': self->tls.no_tickets = true; break;
        case 'S': self->tls.sni_file = optarg; break;
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
  _check_tls(&self->tls);
}
