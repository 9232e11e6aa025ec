#include "control-commands.h"

#include "destination.h"
#include "logger.h"
#include "runtime.h"

#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

/* What a driver's command() may write, NUL included. */
#define CONTROL_DRIVER_REPLY_SIZE 4096

struct control_command
{
  const char *verb;
  guint min_args, max_args; /* words after the verb, DEST included */
  const char *usage;
};

/* The driver commands; "status" is the host's own. */
static const struct control_command control_commands[] = {
  { "switch", 1, 2, "switch DEST [SERVER]" },
  { "blacklist", 2, 3, "blacklist DEST SERVER [SECONDS]" },
  { "unblacklist", 2, 2, "unblacklist DEST SERVER" },
  { "reset", 1, 1, "reset DEST" },
};

#define CONTROL_VERBS "status, switch, blacklist, unblacklist, reset"

void
control_append_json_string(GString *out, const char *s)
{
  gchar *valid = g_utf8_make_valid(s ? s : "", -1);

  g_string_append_c(out, '"');
  for (const char *p = valid; *p; p++)
    {
      unsigned char c = (unsigned char) *p;
      switch (c)
        {
        case '"':
          g_string_append(out, "\\\"");
          break;
        case '\\':
          g_string_append(out, "\\\\");
          break;
        case '\n':
          g_string_append(out, "\\n");
          break;
        case '\r':
          g_string_append(out, "\\r");
          break;
        case '\t':
          g_string_append(out, "\\t");
          break;
        case '\b':
          g_string_append(out, "\\b");
          break;
        case '\f':
          g_string_append(out, "\\f");
          break;
        default:
          if (c < 0x20 || c == 0x7f)
            g_string_append_printf(out, "\\u%04x", c);
          else
            g_string_append_c(out, (char) c);
        }
    }
  g_string_append_c(out, '"');
  g_free(valid);
}

void
control_append_text_value(GString *out, const char *s)
{
  for (const char *p = s ? s : ""; *p; p++)
    {
      unsigned char c = (unsigned char) *p;
      if (c == '\\')
        g_string_append(out, "\\\\");
      else if (c < 0x20 || c == 0x7f)
        g_string_append_printf(out, "\\x%02x", c);
      else
        g_string_append_c(out, (char) c);
    }
}

/* ---- status ------------------------------------------------------------ */

struct status_emit
{
  GString *out;
  const char *prefix; /* text: the driver's name */
  gboolean json;
  gboolean first;
};

static void
_status_emit(void *ctx, const char *key, const char *value)
{
  struct status_emit *e = ctx;

  if (!key)
    return;
  if (e->json)
    {
      if (!e->first)
        g_string_append_c(e->out, ',');
      control_append_json_string(e->out, key);
      g_string_append_c(e->out, ':');
      control_append_json_string(e->out, value);
    }
  else
    {
      g_string_append(e->out, "  ");
      control_append_text_value(e->out, e->prefix);
      g_string_append_c(e->out, '.');
      control_append_text_value(e->out, key);
      g_string_append(e->out, ": ");
      control_append_text_value(e->out, value);
      g_string_append_c(e->out, '\n');
    }
  e->first = FALSE;
}

struct host_count
{
  const char *key;
  uint64_t value;
};

/* The host's counts in a fixed order; returns how many. */
static size_t
_host_counts(struct host_destination *d, struct host_count out[6])
{
  struct host_destination_counts c;
  host_destination_counts(d, &c);
  uint64_t settled = c.delivered + c.dropped + c.returned;
  out[0] = (struct host_count) { "accepted", c.accepted };
  out[1] = (struct host_count) { "delivered", c.delivered };
  out[2] = (struct host_count) { "dropped", c.dropped };
  out[3] = (struct host_count) { "returned", c.returned };
  out[4] = (struct host_count) { "rejected", c.rejected };
  out[5] = (struct host_count) { "outstanding", c.accepted > settled ? c.accepted - settled : 0 };
  return 6;
}

static void
_status_text(struct runtime *runtime, GString *reply)
{
  struct host_count counts[6];

  g_string_append(reply, "OK\n");
  for (size_t i = 0; i < runtime_n_destinations(runtime); i++)
    {
      struct host_destination *d = runtime_destination(runtime, i);
      g_string_append(reply, "destination ");
      control_append_text_value(reply, host_destination_name(d));
      g_string_append(reply, "\n  driver: ");
      control_append_text_value(reply, host_destination_driver_name(d));
      g_string_append_c(reply, '\n');
      size_t n = _host_counts(d, counts);
      for (size_t k = 0; k < n; k++)
        g_string_append_printf(reply, "  %s: %" PRIu64 "\n", counts[k].key, counts[k].value);
      struct status_emit e = { reply, host_destination_driver_name(d), FALSE, TRUE };
      host_destination_query(d, _status_emit, &e);
    }
}

static void
_status_json(struct runtime *runtime, GString *reply)
{
  struct host_count counts[6];

  g_string_append(reply, "OK\n{\"destinations\":[");
  for (size_t i = 0; i < runtime_n_destinations(runtime); i++)
    {
      struct host_destination *d = runtime_destination(runtime, i);
      if (i > 0)
        g_string_append_c(reply, ',');
      g_string_append(reply, "{\"name\":");
      control_append_json_string(reply, host_destination_name(d));
      g_string_append(reply, ",\"driver_name\":");
      control_append_json_string(reply, host_destination_driver_name(d));
      g_string_append(reply, ",\"host\":{");
      size_t n = _host_counts(d, counts);
      for (size_t k = 0; k < n; k++)
        g_string_append_printf(reply, "%s\"%s\":%" PRIu64, k ? "," : "", counts[k].key, counts[k].value);
      g_string_append(reply, "},\"driver\":{");
      struct status_emit e = { reply, NULL, TRUE, TRUE };
      host_destination_query(d, _status_emit, &e);
      g_string_append(reply, "}}");
    }
  g_string_append(reply, "]}\n");
}

/* ---- driver commands --------------------------------------------------- */

static void
_error(GString *reply, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static void
_error(GString *reply, const char *fmt, ...)
{
  va_list ap;
  g_string_append(reply, "ERROR ");
  va_start(ap, fmt);
  g_string_append_vprintf(reply, fmt, ap);
  va_end(ap);
  g_string_append_c(reply, '\n');
}

static struct host_destination *
_find_destination(struct runtime *runtime, const char *name)
{
  for (size_t i = 0; i < runtime_n_destinations(runtime); i++)
    {
      struct host_destination *d = runtime_destination(runtime, i);
      if (strcmp(host_destination_name(d), name) == 0)
        return d;
    }
  return NULL;
}

static void
_no_such_destination(struct runtime *runtime, const char *name, GString *reply)
{
  GString *names = g_string_new(NULL);
  for (size_t i = 0; i < runtime_n_destinations(runtime); i++)
    {
      if (i > 0)
        g_string_append(names, ", ");
      control_append_text_value(names, host_destination_name(runtime_destination(runtime, i)));
    }
  _error(reply, "no destination named '%s'; destinations: %s", name, names->len ? names->str : "(none)");
  g_string_free(names, TRUE);
}

/* REPLY gets "OK\n<text>" or "ERROR <first line>\n<other lines>". */
static void
_append_driver_reply(GString *reply, int ok, const char *text)
{
  if (ok)
    {
      g_string_append(reply, "OK\n");
      g_string_append(reply, text);
    }
  else
    {
      const char *nl = strchr(text, '\n');
      size_t first = nl ? (size_t) (nl - text) : strlen(text);
      g_string_append(reply, "ERROR ");
      if (first)
        g_string_append_len(reply, text, (gssize) first);
      else
        g_string_append(reply, "the command failed and the destination gave no reason");
      g_string_append_c(reply, '\n');
      text = nl ? nl + 1 : "";
      g_string_append(reply, text);
    }
  if (*text && text[strlen(text) - 1] != '\n')
    g_string_append_c(reply, '\n');
}

static void
_driver_command(struct runtime *runtime, const struct control_command *cmd, char **args, guint n_args,
                GString *reply)
{
  if (n_args < cmd->min_args || n_args > cmd->max_args)
    {
      _error(reply, "usage: %s", cmd->usage);
      return;
    }
  struct host_destination *d = _find_destination(runtime, args[0]);
  if (!d)
    {
      _no_such_destination(runtime, args[0], reply);
      return;
    }
  /* The driver gets the words after DEST joined by one space. */
  gchar *arg = g_strjoinv(" ", args + 1);
  char text[CONTROL_DRIVER_REPLY_SIZE];
  int ok = host_destination_command(d, cmd->verb, arg, text, sizeof(text)) == 0;
  GString *logged = g_string_new(NULL); /* one log line, whatever the driver wrote */
  control_append_text_value(logged, text);
  logger_log(LIFELINE_LOG_NOTICE, "Control command", "destination", host_destination_name(d), "command",
             cmd->verb, "argument", arg, "result", ok ? "ok" : "error", "reply", logged->str, NULL);
  g_string_free(logged, TRUE);
  _append_driver_reply(reply, ok, text);
  g_free(arg);
}

/* ---- dispatch ---------------------------------------------------------- */

static int
_has_control_chars(const char *line)
{
  for (const char *p = line; *p; p++)
    if (((unsigned char) *p < 0x20 && *p != '\t') || *p == 0x7f)
      return 1;
  return 0;
}

/* The non-empty words of LINE; free with g_strfreev. */
static char **
_split_words(const char *line, guint *n)
{
  char **all = g_strsplit_set(line, " \t", -1);
  guint k = 0;
  for (guint i = 0; all[i]; i++)
    {
      if (*all[i])
        all[k++] = all[i];
      else
        g_free(all[i]);
    }
  all[k] = NULL;
  *n = k;
  return all;
}

void
control_execute(struct runtime *runtime, const char *line, GString *reply)
{
  if (_has_control_chars(line))
    {
      _error(reply, "the request contains control characters; commands: " CONTROL_VERBS);
      return;
    }
  guint n;
  char **words = _split_words(line, &n);
  if (n == 0)
    _error(reply, "empty request; commands: " CONTROL_VERBS);
  else if (strcmp(words[0], "status") == 0)
    {
      if (n == 1)
        _status_text(runtime, reply);
      else if (n == 2 && strcmp(words[1], "--json") == 0)
        _status_json(runtime, reply);
      else
        _error(reply, "usage: status [--json]");
    }
  else
    {
      const struct control_command *cmd = NULL;
      for (size_t i = 0; i < G_N_ELEMENTS(control_commands); i++)
        if (strcmp(words[0], control_commands[i].verb) == 0)
          cmd = &control_commands[i];
      if (cmd)
        _driver_command(runtime, cmd, words + 1, n - 1, reply);
      else
        {
          GString *verb = g_string_new(NULL);
          control_append_text_value(verb, words[0]);
          _error(reply, "unknown command '%s'; commands: " CONTROL_VERBS, verb->str);
          g_string_free(verb, TRUE);
        }
    }
  g_strfreev(words);
}
