#include "option-text.h"

#include <glib.h>

static void
_append(GString *out, const struct lifeline_option *opt)
{
  for (const char *c = opt->name; *c; c++)
    g_string_append_c(out, *c == '_' ? '-' : *c);
  g_string_append_c(out, '(');
  for (size_t i = 0; i < opt->n_values; i++)
    {
      const struct lifeline_value *v = opt->values[i];
      if (i > 0)
        g_string_append_c(out, ' ');
      if (v->kind == LIFELINE_VALUE_STRING)
        {
          gchar *escaped = g_strescape(v->text, NULL);
          g_string_append_printf(out, "\"%s\"", escaped);
          g_free(escaped);
        }
      else
        g_string_append(out, v->text);
    }
  for (size_t i = 0; i < opt->n_children; i++)
    {
      g_string_append_c(out, ' ');
      _append(out, opt->children[i]);
    }
  g_string_append_c(out, ')');
}

char *
option_text(const struct lifeline_option *opt)
{
  GString *out = g_string_new(NULL);
  _append(out, opt);
  return g_string_free(out, FALSE);
}
