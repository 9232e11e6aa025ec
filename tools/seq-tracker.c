#include "seq-tracker.h"

#include "xalloc.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_SHIFT 20
#define PAGE_SEQS ((uint64_t) 1 << PAGE_SHIFT)
#define PAGE_WORDS (PAGE_SEQS / 64)

void
seq_tracker_init(struct seq_tracker *self)
{
  memset(self, 0, sizeof(*self));
}

void
seq_tracker_deinit(struct seq_tracker *self)
{
  for (size_t i = 0; i < self->npages; i++)
    {
      free(self->seen[i]);
      free(self->dup[i]);
    }
  free(self->seen);
  free(self->dup);
  seq_tracker_init(self);
}

static uint64_t *
_page(uint64_t **dir, size_t page)
{
  if (!dir[page])
    dir[page] = xcalloc(PAGE_WORDS, sizeof(uint64_t));
  return dir[page];
}

static void
_grow(struct seq_tracker *self, size_t page)
{
  size_t n = self->npages ? self->npages : 16;
  while (n <= page)
    n *= 2;
  self->seen = xrealloc(self->seen, n * sizeof(*self->seen));
  self->dup = xrealloc(self->dup, n * sizeof(*self->dup));
  memset(self->seen + self->npages, 0, (n - self->npages) * sizeof(*self->seen));
  memset(self->dup + self->npages, 0, (n - self->npages) * sizeof(*self->dup));
  self->npages = n;
}

static void
_record(struct seq_tracker *self, uint64_t seq)
{
  size_t page = seq >> PAGE_SHIFT;
  uint64_t bit = seq & (PAGE_SEQS - 1);
  uint64_t mask = (uint64_t) 1 << (bit % 64);

  if (page >= self->npages)
    _grow(self, page);
  uint64_t *seen = &_page(self->seen, page)[bit / 64];

  if (self->have_seq && seq < self->max_seq)
    self->out_of_order++;

  if (*seen & mask)
    {
      self->duplicates++;
      uint64_t *dup = &_page(self->dup, page)[bit / 64];
      if (!(*dup & mask))
        {
          *dup |= mask;
          if (self->ndup_examples < SEQ_TRACKER_REPORT_MAX)
            self->dup_examples[self->ndup_examples++] = seq;
        }
    }
  else
    {
      *seen |= mask;
      self->distinct++;
    }

  if (!self->have_seq)
    {
      self->have_seq = true;
      self->first_seq = self->max_seq = seq;
    }
  else
    {
      if (seq > self->max_seq)
        self->max_seq = seq;
      if (seq < self->first_seq)
        self->first_seq = seq;
    }
}

/* A message's sequence number: its leading decimal digits (1..SEQ_TRACKER_MAX_DIGITS of them). */
static bool
_parse(const char *msg, size_t len, uint64_t *seq)
{
  size_t i = 0;
  uint64_t v = 0;
  while (i < len && msg[i] >= '0' && msg[i] <= '9')
    {
      if (i == SEQ_TRACKER_MAX_DIGITS)
        return false;
      v = v * 10 + (uint64_t) (msg[i] - '0');
      i++;
    }
  *seq = v;
  return i > 0;
}

void
seq_tracker_add(struct seq_tracker *self, const char *msg, size_t len)
{
  uint64_t seq;
  if (_parse(msg, len, &seq))
    _record(self, seq);
  else
    self->unsequenced++;
}

static void
_write_missing(const struct seq_tracker *self, FILE *f)
{
  uint64_t first = self->first_seq, last = self->max_seq;
  uint64_t total = 0, printed = 0, run_start = 0;
  bool in_run = false;

#define END_RUN(end_seq) do { \
    total += (end_seq) - run_start + 1; \
    if (printed < SEQ_TRACKER_REPORT_MAX) { \
      fprintf(f, "missing=%" PRIu64 "-%" PRIu64 "\n", run_start, (uint64_t) (end_seq)); \
      printed++; \
    } \
    in_run = false; \
  } while (0)

  for (uint64_t s = first; self->have_seq && s <= last;)
    {
      size_t page = s >> PAGE_SHIFT;
      if (page >= self->npages || !self->seen[page])
        {
          /* A whole page that never saw a message. */
          uint64_t page_end = ((uint64_t) page + 1) * PAGE_SEQS - 1;
          if (!in_run)
            {
              in_run = true;
              run_start = s;
            }
          s = (page_end < last ? page_end : last) + 1;
          continue;
        }
      uint64_t word = self->seen[page][(s & (PAGE_SEQS - 1)) / 64];
      if (s % 64 == 0 && s + 63 <= last && (word == UINT64_MAX || word == 0))
        {
          if (word == UINT64_MAX && in_run)
            END_RUN(s - 1);
          else if (word == 0 && !in_run)
            {
              in_run = true;
              run_start = s;
            }
          s += 64;
          continue;
        }
      if (word >> (s % 64) & 1)
        {
          if (in_run)
            END_RUN(s - 1);
        }
      else if (!in_run)
        {
          in_run = true;
          run_start = s;
        }
      s++;
    }
  if (in_run)
    END_RUN(last);
#undef END_RUN
  fprintf(f, "missing_total=%" PRIu64 "\n", total);
}

void
seq_tracker_write_report(const struct seq_tracker *self, FILE *f)
{
  _write_missing(self, f);
  fputs("duplicated_seqs=", f);
  for (size_t i = 0; i < self->ndup_examples; i++)
    fprintf(f, "%s%" PRIu64, i ? "," : "", self->dup_examples[i]);
  fputc('\n', f);
}
