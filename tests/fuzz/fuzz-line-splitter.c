/*
 * libFuzzer target over lib/core/line-splitter.c: arbitrary bytes in
 * arbitrary chunks, with end-of-stream drains in the middle (what a file
 * source does at a rotation or a truncation) and pauses (a line peeked and
 * left for later, as when a destination is full).
 *
 * Every line that comes out is checked against a model of the documented
 * framing, computed independently from the whole byte stream:
 *   - the stream is cut at '\n' and at every end-of-stream drain;
 *   - a segment of at most MAX bytes is a line (an empty segment only when a
 *     '\n' ended it);
 *   - a longer one gives its first MAX bytes as a truncated line, the rest
 *     is dropped.
 * So no line is longer than MAX or holds a '\n', every input byte is in a
 * line, a newline or a dropped tail, and the truncated count matches.  The
 * free space the splitter offers after its lines are consumed must be at
 * least the read size it was made with.
 *
 * Input layout: byte 0 picks MAX (1..64), byte 1 the read size (1..32); then
 * each step is one control byte: 0xff ends the stream (drain with at_eof,
 * then go on as a new stream); otherwise its low 6 bits are a chunk length
 * (cut to the free space) whose bytes follow, and bit 6 leaves the last line
 * peeked but not consumed (a pause; it must come back unchanged).
 */
#include "core/line-splitter.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                          \
  do                                                                                                         \
    {                                                                                                        \
      if (!(cond))                                                                                           \
        {                                                                                                    \
          fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__, #cond);                       \
          abort();                                                                                           \
        }                                                                                                    \
    }                                                                                                        \
  while (0)

/* The expected lines, in order: each as its bytes and a truncated flag. */
struct model
{
  uint8_t *bytes; /* every expected line, back to back */
  size_t n_bytes;
  size_t *ends; /* line i is bytes[ends[i-1] .. ends[i]) */
  uint8_t *truncated;
  size_t n_lines;
  size_t next; /* the next line the splitter must produce */
  size_t n_truncated;
};

/* A segment of the stream: LEN bytes at SEG, ended by a newline or not. */
static void
_model_segment(struct model *m, const uint8_t *seg, size_t len, int newline, size_t max)
{
  if (len == 0 && !newline)
    return;
  size_t take = len <= max ? len : max;
  memcpy(m->bytes + m->n_bytes, seg, take);
  m->n_bytes += take;
  m->ends[m->n_lines] = m->n_bytes;
  m->truncated[m->n_lines] = len > max;
  m->n_truncated += len > max;
  m->n_lines++;
}

/* Builds the model from the same control bytes the run below reads. */
static void
_model_build(struct model *m, const uint8_t *data, size_t size, size_t max, uint8_t *stream, size_t *stream_len)
{
  size_t seg_start = 0, n = 0;

  for (size_t i = 0; i < size;)
    {
      uint8_t op = data[i++];
      if (op == 0xff)
        {
          _model_segment(m, stream + seg_start, n - seg_start, 0, max);
          seg_start = n;
          continue;
        }
      size_t len = op & 0x3f;
      if (len > size - i)
        len = size - i;
      for (size_t k = 0; k < len; k++)
        {
          uint8_t b = data[i + k];
          if (b == '\n')
            {
              _model_segment(m, stream + seg_start, n - seg_start, 1, max);
              seg_start = n + 1;
            }
          stream[n++] = b;
        }
      i += len;
    }
  _model_segment(m, stream + seg_start, n - seg_start, 0, max);
  *stream_len = n;
}

static void
_expect(struct model *m, const uint8_t *line, size_t len, int truncated, size_t max)
{
  CHECK(m->next < m->n_lines);
  size_t start = m->next ? m->ends[m->next - 1] : 0;
  CHECK(len == m->ends[m->next] - start);
  CHECK(len <= max);
  CHECK(!memchr(line, '\n', len));
  CHECK(memcmp(line, m->bytes + start, len) == 0);
  CHECK(truncated == m->truncated[m->next]);
  m->next++;
}

/* Takes every line available; with PAUSE, leaves the last one peeked (and
 * checks a second peek gives it again) before taking it. */
static void
_drain(struct line_splitter *ls, struct model *m, int at_eof, int pause, size_t max)
{
  const uint8_t *line, *again;
  size_t len, len2;
  int truncated, truncated2;

  while (line_splitter_peek(ls, at_eof, &line, &len, &truncated))
    {
      if (pause)
        {
          CHECK(line_splitter_peek(ls, at_eof, &again, &len2, &truncated2));
          CHECK(again == line && len2 == len && truncated2 == truncated);
        }
      _expect(m, line, len, truncated, max);
      line_splitter_consume(ls);
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size < 2)
    return 0;
  size_t max = 1 + data[0] % 64, read_size = 1 + data[1] % 32;
  data += 2;
  size -= 2;

  struct model m = { 0 };
  uint8_t *stream = malloc(size + 1);
  m.bytes = malloc(size + 1);
  m.ends = malloc((size + 1) * sizeof(*m.ends));
  m.truncated = malloc(size + 1);
  size_t stream_len;
  _model_build(&m, data, size, max, stream, &stream_len);

  struct line_splitter *ls = line_splitter_new(max, read_size);
  CHECK(ls);
  size_t fed = 0;
  for (size_t i = 0; i < size;)
    {
      uint8_t op = data[i++];
      if (op == 0xff)
        {
          _drain(ls, &m, 1, 0, max);
          continue;
        }
      size_t len = op & 0x3f, avail;
      if (len > size - i)
        len = size - i;
      while (len > 0)
        {
          uint8_t *space = line_splitter_space(ls, &avail);
          CHECK(avail >= read_size);
          size_t n = len < avail ? len : avail;
          memcpy(space, data + i, n);
          line_splitter_commit(ls, n);
          fed += n;
          i += n;
          len -= n;
          _drain(ls, &m, 0, (op & 0x40) != 0, max);
        }
    }
  _drain(ls, &m, 1, 0, max);
  CHECK(fed == stream_len);
  CHECK(m.next == m.n_lines);
  CHECK(line_splitter_truncated(ls) == m.n_truncated);
  line_splitter_free(ls);
  free(stream);
  free(m.bytes);
  free(m.ends);
  free(m.truncated);
  return 0;
}
