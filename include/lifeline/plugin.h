/*
 * lifeline plugin ABI, major version 1.
 *
 * The contract between a host process that runs the shared libivykis loop
 * and a loadable destination module.  Only <stdint.h>/<stddef.h> types cross
 * this boundary, so a host needs neither GLib nor OpenSSL to use it.
 *
 * Versioning: every struct starts with LIFELINE_ABI_HEADER.  A reader refuses
 * another abi_major.  A later abi_minor only appends fields; a reader checks
 * struct_size before touching a field that a later minor appended
 * (LIFELINE_ABI_HAS_FIELD).  Arrays cross the boundary as arrays of pointers,
 * so a struct that grows never changes an array's stride.
 *
 * Threading: every call in either direction happens on the host's ivykis
 * loop thread, and the host and the module share one copy of libivykis.so.
 *
 * Ownership is stated at each declaration: "borrowed" means valid only for the
 * duration of the call, the receiver copies what it keeps.
 *
 * See docs/abi.md for the guide a host author follows.
 */
#ifndef LIFELINE_PLUGIN_H
#define LIFELINE_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LIFELINE_ABI_MAJOR 1
#define LIFELINE_ABI_MINOR 1

/* The one symbol a module exports: a function of type lifeline_plugin_entry_fn. */
#define LIFELINE_PLUGIN_ENTRY_SYMBOL "lifeline_plugin_entry"

#define LIFELINE_ABI_HEADER \
  uint16_t abi_major;       \
  uint16_t abi_minor;       \
  uint32_t struct_size

/* Fills the header of a struct this side allocated. */
#define LIFELINE_ABI_INIT(ptr)                       \
  do {                                               \
    (ptr)->abi_major = LIFELINE_ABI_MAJOR;           \
    (ptr)->abi_minor = LIFELINE_ABI_MINOR;           \
    (ptr)->struct_size = (uint32_t) sizeof(*(ptr));  \
  } while (0)

/* True when the struct the other side handed over is large enough to hold FIELD. */
#define LIFELINE_ABI_HAS_FIELD(ptr, type, field) \
  ((ptr)->struct_size >= offsetof(type, field) + sizeof(((type *) 0)->field))

/* Log levels share syslog's severity numbers. */
enum lifeline_log_level
{
  LIFELINE_LOG_ERROR = 3,
  LIFELINE_LOG_WARNING = 4,
  LIFELINE_LOG_NOTICE = 5,
  LIFELINE_LOG_INFO = 6,
  LIFELINE_LOG_DEBUG = 7,
};

/* ---------------------------------------------------------------------------
 * Configuration: the host parses the file and hands each driver its subtree.
 * The host owns every node; a module borrows them during create() only.
 * ------------------------------------------------------------------------- */

enum lifeline_value_kind
{
  LIFELINE_VALUE_STRING = 1, /* "quoted" or 'quoted', escapes already resolved */
  LIFELINE_VALUE_NUMBER = 2, /* 514, -1, 0.5: text exactly as written */
  LIFELINE_VALUE_WORD = 3,   /* bare word: yes, tcp, drop-when-full */
};

struct lifeline_value
{
  LIFELINE_ABI_HEADER;
  uint32_t kind; /* enum lifeline_value_kind */
  uint32_t line; /* 1-based */
  uint32_t column; /* 1-based, in bytes */
  const char *text; /* NUL-terminated */
};

/* name(value value ... child(...) child(...)) */
struct lifeline_option
{
  LIFELINE_ABI_HEADER;
  const char *name; /* as written; '-' and '_' are equivalent */
  const char *file; /* the file the option was written in */
  uint32_t line;
  uint32_t column;
  size_t n_values;
  const struct lifeline_value *const *values;
  size_t n_children;
  const struct lifeline_option *const *children;
};

/* A located error, filled by whichever side detects it. */
struct lifeline_error
{
  LIFELINE_ABI_HEADER;
  uint32_t line; /* 0 when the error has no location */
  uint32_t column;
  char file[256];
  char option[64]; /* the option the error is about, "" if none */
  char message[512]; /* what was expected, in words */
};

/* ---------------------------------------------------------------------------
 * Messages and their fates.
 * ------------------------------------------------------------------------- */

/* A message the host hands to a destination.  The bytes are borrowed: push()
 * copies what it accepts.  seq is assigned by the host, starts at 1 per
 * destination instance and grows by one per accepted push. */
struct lifeline_msg
{
  LIFELINE_ABI_HEADER;
  uint64_t seq;
  const uint8_t *data; /* without framing; no trailing newline */
  size_t len;
};

enum lifeline_push_result
{
  LIFELINE_PUSH_QUEUED = 0, /* accepted; exactly one fate follows */
  LIFELINE_PUSH_FULL = 1, /* not accepted; wakeup() follows when there is room */
  LIFELINE_PUSH_ERROR = 2, /* not accepted and never will be (not started, stopping) */
};

enum lifeline_fate_kind
{
  /* The receiving server's TCP stack acknowledged the message's last byte
   * (docs/architecture.md says what that does and does not prove). */
  LIFELINE_FATE_DELIVERED = 1,
  /* Dropped by a named policy; reason names it. */
  LIFELINE_FATE_DROPPED = 2,
  /* Never acknowledged; handed back so the host keeps it (stop, removal). */
  LIFELINE_FATE_RETURNED = 3,
};

/* Every accepted message gets exactly one fate.  One report covers the
 * inclusive range first_seq..last_seq, and every seq in it had that fate.
 * DELIVERED and RETURNED arrive in seq order; a DROPPED fate may be reported
 * from inside push() for the message being pushed, before the fates of
 * earlier, still queued messages. */
struct lifeline_fate
{
  LIFELINE_ABI_HEADER;
  uint32_t kind; /* enum lifeline_fate_kind */
  uint64_t first_seq;
  uint64_t last_seq;
  const char *reason; /* DROPPED: the policy's name; otherwise NULL. Borrowed. */
  const uint8_t *data; /* RETURNED: one message (first_seq == last_seq), borrowed */
  size_t len;
};

/* ---------------------------------------------------------------------------
 * Host to module.
 * ------------------------------------------------------------------------- */

/* Given to the entry function; the host keeps it alive for the process's life. */
struct lifeline_host
{
  LIFELINE_ABI_HEADER;
  const char *name; /* e.g. "lifeline" */
  const char *version;
  /* The address of iv_fd_register as the host sees it.  A module compares it
   * with its own and refuses to load when they differ: two copies of libivykis
   * in one process means two loops, and fds that never fire. */
  const void *ivykis_identity;
  void *ctx;
  /* A sentence plus key/value tags; all strings borrowed.  keys[i] pairs with
   * values[i]. */
  void (*log)(void *ctx, int level, const char *message,
              const char *const *keys, const char *const *values, size_t n_tags);
};

/* Per destination instance: how the module reports back.  Borrowed by
 * create(); the host keeps it alive until free() returns. */
struct lifeline_dest_host
{
  LIFELINE_ABI_HEADER;
  void *cookie; /* passed back on every call below */
  const char *dest_name; /* the config's destination name, for log tags */
  void (*fate)(void *cookie, const struct lifeline_fate *fate);
  /* After a push returned FULL: room again; the host retries. */
  void (*wakeup)(void *cookie);
  /* After stop(): every accepted message has had its fate. */
  void (*stopped)(void *cookie);
};

/* ---------------------------------------------------------------------------
 * Module to host.
 * ------------------------------------------------------------------------- */

enum lifeline_driver_kind
{
  LIFELINE_DRIVER_DESTINATION = 1,
};

typedef void (*lifeline_emit_fn)(void *ctx, const char *key, const char *value);

struct lifeline_driver
{
  LIFELINE_ABI_HEADER;
  const char *name; /* the config word: "network", "syslog" */
  uint32_t kind; /* enum lifeline_driver_kind */
  /* Validates the driver's option subtree and builds an instance.  Performs no
   * I/O, so the host also calls it for --syntax-only.  Returns NULL and fills
   * err (with the offending option's location) on error. */
  void *(*create)(const struct lifeline_option *driver,
                  const struct lifeline_dest_host *dest_host,
                  struct lifeline_error *err);
  /* Registers fds and timers on the host's loop.  0, or -1 with err filled. */
  int (*start)(void *instance, struct lifeline_error *err);
  /* enum lifeline_push_result */
  int (*push)(void *instance, const struct lifeline_msg *msg);
  /* Stop accepting, try to deliver what is queued for at most timeout_ms, then
   * return the rest (RETURNED) and call dest_host->stopped.  The module may call
   * stopped() before stop() returns. */
  void (*stop)(void *instance, uint32_t timeout_ms);
  /* Releases everything.  Only after stopped(), or on an instance never started. */
  void (*free)(void *instance);
  /* Status as key/value pairs, emitted synchronously; 0 on success. */
  int (*query)(void *instance, lifeline_emit_fn emit, void *ctx);
  /* An operator's command (e.g. "switch"); reply is NUL-terminated text.
   * 0 on success, -1 on error (reply says why). */
  int (*command)(void *instance, const char *verb, const char *argument,
                 char *reply, size_t reply_size);
  /* Since 1.1, optional (NULL, or absent when struct_size is smaller): the
   * host kept this instance across a configuration reload because its options
   * did not change; the module re-reads the files they name (certificates,
   * keys, CRLs) for its next connections, keeping its queue and connections.
   * 0, or -1 with err filled, in which case the instance keeps what it had. */
  int (*reload)(void *instance, struct lifeline_error *err);
};

struct lifeline_plugin
{
  LIFELINE_ABI_HEADER;
  const char *name;
  const char *version;
  size_t n_drivers;
  const struct lifeline_driver *const *drivers;
};

/* The module's entry point.  Returns a table that lives as long as the process
 * (modules are never unloaded), or NULL with err filled (e.g. another ABI
 * major, or a second copy of libivykis). */
typedef const struct lifeline_plugin *(*lifeline_plugin_entry_fn)(const struct lifeline_host *host,
                                                                 struct lifeline_error *err);

/* What a module defines (and exports, alone) under LIFELINE_PLUGIN_ENTRY_SYMBOL.
 * Hosts find it with dlsym and never link against it. */
const struct lifeline_plugin *lifeline_plugin_entry(const struct lifeline_host *host, struct lifeline_error *err);

#ifdef __cplusplus
}
#endif

#endif
