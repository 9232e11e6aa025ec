/*
 * The ABI is frozen per major: these sizes and offsets may only grow at the
 * end of a struct, in a new minor.  A failure here means a layout change that
 * would corrupt memory between a host and a module built at different times.
 * (LP64 values: Linux on x86_64 and aarch64.)
 */
#include <criterion/criterion.h>
#include <lifeline/plugin.h>
#include <stddef.h>

#define LAYOUT(type, size) cr_assert_eq(sizeof(struct type), size, "sizeof(struct " #type ")")
#define AT(type, field, off) \
  cr_assert_eq(offsetof(struct type, field), off, "offsetof(struct " #type ", " #field ")")

Test(abi_layout, version)
{
  cr_assert_eq(LIFELINE_ABI_MAJOR, 1);
}

Test(abi_layout, header_is_first_in_every_struct)
{
  AT(lifeline_value, abi_major, 0);
  AT(lifeline_value, abi_minor, 2);
  AT(lifeline_value, struct_size, 4);
  AT(lifeline_option, struct_size, 4);
  AT(lifeline_error, struct_size, 4);
  AT(lifeline_msg, struct_size, 4);
  AT(lifeline_fate, struct_size, 4);
  AT(lifeline_host, struct_size, 4);
  AT(lifeline_dest_host, struct_size, 4);
  AT(lifeline_driver, struct_size, 4);
  AT(lifeline_plugin, struct_size, 4);
}

Test(abi_layout, config_structs)
{
  LAYOUT(lifeline_value, 32);
  AT(lifeline_value, kind, 8);
  AT(lifeline_value, line, 12);
  AT(lifeline_value, column, 16);
  AT(lifeline_value, text, 24);

  LAYOUT(lifeline_option, 64);
  AT(lifeline_option, name, 8);
  AT(lifeline_option, file, 16);
  AT(lifeline_option, line, 24);
  AT(lifeline_option, column, 28);
  AT(lifeline_option, n_values, 32);
  AT(lifeline_option, values, 40);
  AT(lifeline_option, n_children, 48);
  AT(lifeline_option, children, 56);

  LAYOUT(lifeline_error, 848);
  AT(lifeline_error, line, 8);
  AT(lifeline_error, column, 12);
  AT(lifeline_error, file, 16);
  AT(lifeline_error, option, 272);
  AT(lifeline_error, message, 336);
}

Test(abi_layout, message_structs)
{
  LAYOUT(lifeline_msg, 32);
  AT(lifeline_msg, seq, 8);
  AT(lifeline_msg, data, 16);
  AT(lifeline_msg, len, 24);

  LAYOUT(lifeline_fate, 56);
  AT(lifeline_fate, kind, 8);
  AT(lifeline_fate, first_seq, 16);
  AT(lifeline_fate, last_seq, 24);
  AT(lifeline_fate, reason, 32);
  AT(lifeline_fate, data, 40);
  AT(lifeline_fate, len, 48);
}

Test(abi_layout, tables)
{
  LAYOUT(lifeline_host, 48);
  AT(lifeline_host, name, 8);
  AT(lifeline_host, version, 16);
  AT(lifeline_host, ivykis_identity, 24);
  AT(lifeline_host, ctx, 32);
  AT(lifeline_host, log, 40);

  LAYOUT(lifeline_dest_host, 48);
  AT(lifeline_dest_host, cookie, 8);
  AT(lifeline_dest_host, dest_name, 16);
  AT(lifeline_dest_host, fate, 24);
  AT(lifeline_dest_host, wakeup, 32);
  AT(lifeline_dest_host, stopped, 40);

  LAYOUT(lifeline_driver, 88);
  AT(lifeline_driver, name, 8);
  AT(lifeline_driver, kind, 16);
  AT(lifeline_driver, create, 24);
  AT(lifeline_driver, start, 32);
  AT(lifeline_driver, push, 40);
  AT(lifeline_driver, stop, 48);
  AT(lifeline_driver, free, 56);
  AT(lifeline_driver, query, 64);
  AT(lifeline_driver, command, 72);
  AT(lifeline_driver, reload, 80); /* 1.1 */

  LAYOUT(lifeline_plugin, 40);
  AT(lifeline_plugin, name, 8);
  AT(lifeline_plugin, version, 16);
  AT(lifeline_plugin, n_drivers, 24);
  AT(lifeline_plugin, drivers, 32);
}

Test(abi_layout, has_field_checks_struct_size)
{
  struct lifeline_host h = { 0 };
  LIFELINE_ABI_INIT(&h);
  cr_assert(LIFELINE_ABI_HAS_FIELD(&h, struct lifeline_host, log));
  h.struct_size = offsetof(struct lifeline_host, log);
  cr_assert_not(LIFELINE_ABI_HAS_FIELD(&h, struct lifeline_host, log), "an older, shorter table lacks the field");
}
