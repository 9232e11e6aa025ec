/*
 * A canonical text of a configuration subtree, for telling at a reload
 * whether a statement changed: option names with '_' written '-', strings
 * quoted and escaped, values and children in order, no locations.  Two
 * subtrees that read the same give the same text.
 */
#ifndef LIFELINE_HOST_OPTION_TEXT_H
#define LIFELINE_HOST_OPTION_TEXT_H

#include <lifeline/plugin.h>

/* Freed with g_free. */
char *option_text(const struct lifeline_option *opt);

#endif
