#include "diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static const char *diag_program = "";
static bool diag_quiet;

void
diag_init(const char *program)
{
  diag_program = program;
}

void
diag_set_quiet(bool quiet)
{
  diag_quiet = quiet;
}

static void
_vprint(const char *fmt, va_list ap)
{
  fputs(diag_program, stderr);
  fputs(": ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
}

void
diag_info(const char *fmt, ...)
{
  if (diag_quiet)
    return;
  va_list ap;
  va_start(ap, fmt);
  _vprint(fmt, ap);
  va_end(ap);
}

void
diag_warn(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  _vprint(fmt, ap);
  va_end(ap);
}

void
diag_die(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  _vprint(fmt, ap);
  va_end(ap);
  exit(1);
}
