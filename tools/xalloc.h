/*
 * Allocation that does not return on failure: it reports the size through
 * diag_die() and exits 1.  The tools are short-lived test programs with
 * nothing to shed under memory pressure, and a clear death beats counters
 * that silently stop.  Memory is freed with free() as usual.
 */
#ifndef LIFELINE_TOOLS_XALLOC_H
#define LIFELINE_TOOLS_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t size);

#endif
