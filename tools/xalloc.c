#include "xalloc.h"

#include "diag.h"

#include <stdlib.h>

void *
xmalloc(size_t size)
{
  void *p = malloc(size);
  if (!p)
    diag_die("out of memory; size=%zu", size);
  return p;
}

void *
xcalloc(size_t n, size_t size)
{
  void *p = calloc(n, size);
  if (!p)
    diag_die("out of memory; size=%zu", n * size);
  return p;
}

void *
xrealloc(void *p, size_t size)
{
  p = realloc(p, size);
  if (!p)
    diag_die("out of memory; size=%zu", size);
  return p;
}
