/*
 * Splits one connection's byte stream into messages: newline-terminated, or
 * RFC 6587 octet-counted ("MSG-LEN SP MSG").  Does no I/O, like hiredis'
 * reader: the caller reads into the buffer frame_reader_prepare() names and
 * hands the byte count to frame_reader_feed().
 *
 * Between reads the reader keeps only the incomplete message at the end of
 * the last one (its "carry"); what is still carried when the stream ends is
 * a torn message (frame_reader_pending()).
 *
 * Fast path: the carry of a short message is copied in front of the read in
 * a buffer that the caller shares between all its readers, so no allocation
 * and no copy happen per message.  A message longer than one read is read
 * straight behind its start, in the reader's own buffer, so it is not copied
 * over and over while it grows.
 *
 * The caller embeds the reader; frame_reader_deinit() frees its buffer.
 */
#ifndef LIFELINE_TOOLS_FRAME_READER_H
#define LIFELINE_TOOLS_FRAME_READER_H

#include <stddef.h>

/* The most bytes one read may put behind the carry. */
#define FRAME_READER_CHUNK (256 * 1024)

/* The size of the buffer shared between readers: a short carry + one read. */
#define FRAME_READER_SHARED_SIZE (2 * FRAME_READER_CHUNK)

/* Longest message accepted; a longer line or frame is a framing error. */
#define FRAME_READER_MAX_MESSAGE (64 * 1024 * 1024)

enum frame_reader_framing { FRAME_READER_NEWLINE, FRAME_READER_OCTET_COUNTED };

/* MSG (LEN bytes, without its '\n' or length header) is valid during the call only. */
typedef void (*frame_reader_message_fn)(void *cookie, const char *msg, size_t len);

struct frame_reader
{
  enum frame_reader_framing framing;
  char *carry;                /* owned: the partial message left from the previous read */
  size_t carry_len, carry_cap;
  char *window;               /* between _prepare() and _feed(): carry + read; may be the shared buffer */
};

void frame_reader_init(struct frame_reader *self, enum frame_reader_framing framing);
void frame_reader_deinit(struct frame_reader *self);

/* "newline" or "octet-counted", as on the command line. */
const char *frame_reader_framing_name(enum frame_reader_framing framing);

/* Where the next read puts up to FRAME_READER_CHUNK bytes.  SHARED
 * (FRAME_READER_SHARED_SIZE bytes) is borrowed until frame_reader_feed(), and
 * no other reader may use it meanwhile.  Without a _feed() (the read got
 * nothing) the reader is unchanged. */
char *frame_reader_prepare(struct frame_reader *self, char *shared);

/* N bytes were read at the address frame_reader_prepare() returned: calls FN
 * for every complete message, in order, and carries the rest.  Returns NULL,
 * or the name of a framing error ("line-too-long", "bad-frame-length",
 * "frame-too-long"); the stream is then unusable and the reader carries
 * nothing.  *CONSUMED: bytes of the carry and the read that formed complete
 * messages before that point. */
const char *frame_reader_feed(struct frame_reader *self, size_t n, frame_reader_message_fn fn, void *cookie,
                              size_t *consumed);

/* Bytes of a message begun but not completed: a torn message if the stream ends now. */
size_t frame_reader_pending(const struct frame_reader *self);

#endif
