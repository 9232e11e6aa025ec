#include "log-path.h"

#include "core/located-error.h"
#include "core/option-reader.h"
#include "line-source.h"

static const char *const log_path_items[] = { "source", "destination", NULL };

int
log_path_add(const struct lifeline_option *stmt, GHashTable *source_by_name, GHashTable *dest_by_name, GHashTable *used,
             struct lifeline_error *err)
{
  GPtrArray *srcs = g_ptr_array_new();
  GPtrArray *dests = g_ptr_array_new();
  int rc = -1;

  if (option_check_children(stmt, log_path_items, err) < 0 || option_check_values(stmt, 0, 0, err) < 0)
    goto out;
  for (size_t i = 0; i < stmt->n_children; i++)
    {
      const struct lifeline_option *item = stmt->children[i];
      const char *ref;
      if (option_check_values(item, 1, 1, err) < 0 || option_value_string(item, 0, &ref, err) < 0)
        goto out;
      if (option_name_is(item, "source"))
        {
          struct line_source *src = g_hash_table_lookup(source_by_name, ref);
          if (!src)
            {
              located_error_at_value(err, item, item->values[0], "no source named '%s' is defined", ref);
              goto out;
            }
          g_ptr_array_add(srcs, src);
        }
      else
        {
          GPtrArray *instances = g_hash_table_lookup(dest_by_name, ref);
          if (!instances)
            {
              located_error_at_value(err, item, item->values[0], "no destination named '%s' is defined", ref);
              goto out;
            }
          for (guint k = 0; k < instances->len; k++)
            g_ptr_array_add(dests, g_ptr_array_index(instances, k));
          g_hash_table_add(used, (gpointer) ref);
        }
    }
  if (srcs->len == 0 || dests->len == 0)
    {
      located_error_at_option(err, stmt, "a log path needs at least one source() and one destination()");
      goto out;
    }
  for (guint s = 0; s < srcs->len; s++)
    for (guint d = 0; d < dests->len; d++)
      line_source_add_target(g_ptr_array_index(srcs, s), g_ptr_array_index(dests, d));
  rc = 0;
out:
  g_ptr_array_free(srcs, TRUE);
  g_ptr_array_free(dests, TRUE);
  return rc;
}
