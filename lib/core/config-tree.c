#include "config-tree.h"

#include <glib.h>

/* The ABI node plus the growable arrays behind its values/children pointers.
 * opt comes first so a node of this tree converts back from its option. */
struct config_node
{
  struct lifeline_option opt;
  GPtrArray *values;   /* owns the struct lifeline_value */
  GPtrArray *children; /* borrowed: every node is owned by tree->nodes */
};

struct config_tree
{
  GStringChunk *strings;
  GPtrArray *nodes; /* owns every struct config_node, root first */
  const char *version;
};

static void
_node_free(gpointer p)
{
  struct config_node *node = p;

  g_ptr_array_unref(node->values);
  g_ptr_array_unref(node->children);
  g_free(node);
}

static struct config_node *
_node_new(struct config_tree *self, const char *name, const char *file, uint32_t line, uint32_t column)
{
  struct config_node *node = g_new0(struct config_node, 1);

  LIFELINE_ABI_INIT(&node->opt);
  node->opt.name = config_tree_intern(self, name);
  node->opt.file = file;
  node->opt.line = line;
  node->opt.column = column;
  node->values = g_ptr_array_new_with_free_func(g_free);
  node->children = g_ptr_array_new();
  g_ptr_array_add(self->nodes, node);
  return node;
}

struct config_tree *
config_tree_new(const char *main_file)
{
  struct config_tree *self = g_new0(struct config_tree, 1);

  self->strings = g_string_chunk_new(4096);
  self->nodes = g_ptr_array_new_with_free_func(_node_free);
  _node_new(self, "", config_tree_intern(self, main_file), 0, 0);
  return self;
}

void
config_tree_free(struct config_tree *self)
{
  if (!self)
    return;
  g_ptr_array_unref(self->nodes);
  g_string_chunk_free(self->strings);
  g_free(self);
}

const struct lifeline_option *
config_tree_root(const struct config_tree *self)
{
  return &((const struct config_node *) g_ptr_array_index(self->nodes, 0))->opt;
}

struct lifeline_option *
config_tree_root_mutable(struct config_tree *self)
{
  return &((struct config_node *) g_ptr_array_index(self->nodes, 0))->opt;
}

const char *
config_tree_version(const struct config_tree *self)
{
  return self->version;
}

const char *
config_tree_intern(struct config_tree *self, const char *s)
{
  return g_string_chunk_insert_const(self->strings, s);
}

void
config_tree_set_version(struct config_tree *self, const char *version)
{
  if (!self->version)
    self->version = config_tree_intern(self, version);
}

struct lifeline_option *
config_tree_add_option(struct config_tree *self, struct lifeline_option *parent, const char *name,
                       const char *file, uint32_t line, uint32_t column)
{
  struct config_node *owner = (struct config_node *) parent;
  struct config_node *node = _node_new(self, name, file, line, column);

  g_ptr_array_add(owner->children, &node->opt);
  /* The array may have moved: refresh the ABI view of it. */
  owner->opt.n_children = owner->children->len;
  owner->opt.children = (const struct lifeline_option *const *) owner->children->pdata;
  return &node->opt;
}

const struct lifeline_value *
config_tree_add_value(struct config_tree *self, struct lifeline_option *opt, enum lifeline_value_kind kind,
                      const char *text, uint32_t line, uint32_t column)
{
  struct config_node *owner = (struct config_node *) opt;
  struct lifeline_value *value = g_new0(struct lifeline_value, 1);

  LIFELINE_ABI_INIT(value);
  value->kind = kind;
  value->line = line;
  value->column = column;
  value->text = g_string_chunk_insert(self->strings, text);
  g_ptr_array_add(owner->values, value);
  owner->opt.n_values = owner->values->len;
  owner->opt.values = (const struct lifeline_value *const *) owner->values->pdata;
  return value;
}
