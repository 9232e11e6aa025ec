#include "core/server-address.h"

#include <criterion/criterion.h>
#include <string.h>

static struct server_address a;
static const char *why;

Test(server_address, host_only)
{
  cr_assert_eq(server_address_parse("logs.example", &a, &why), 0);
  cr_assert_str_eq(a.host, "logs.example");
  cr_assert_eq(a.port, 0);
}

Test(server_address, host_and_port)
{
  cr_assert_eq(server_address_parse("10.0.0.9:6515", &a, &why), 0);
  cr_assert_str_eq(a.host, "10.0.0.9");
  cr_assert_eq(a.port, 6515);
}

Test(server_address, bracketed_ipv6_with_and_without_port)
{
  cr_assert_eq(server_address_parse("[::1]:601", &a, &why), 0);
  cr_assert_str_eq(a.host, "::1");
  cr_assert_eq(a.port, 601);
  cr_assert_eq(server_address_parse("[fe80::1]", &a, &why), 0);
  cr_assert_str_eq(a.host, "fe80::1");
  cr_assert_eq(a.port, 0);
}

Test(server_address, bare_ipv6_has_no_port)
{
  cr_assert_eq(server_address_parse("::1", &a, &why), 0);
  cr_assert_str_eq(a.host, "::1");
  cr_assert_eq(a.port, 0);
}

Test(server_address, bare_ipv6_must_read_one_way)
{
  cr_assert_eq(server_address_parse("fe80::a", &a, &why), 0);
  cr_assert_str_eq(a.host, "fe80::a");
  cr_assert_eq(server_address_parse("2001:db8::", &a, &why), 0);
  cr_assert_eq(server_address_parse("::ffff:127.0.0.1", &a, &why), 0);
  /* ::1 port 5141, or the address ::1:5141? */
  cr_assert_eq(server_address_parse("::1:5141", &a, &why), -1);
  cr_assert(strstr(why, "ambiguous") && strstr(why, "[v6]:port"), "%s", why);
  cr_assert_eq(server_address_parse("2001:db8::1:514", &a, &why), -1);
  cr_assert(strstr(why, "ambiguous"), "%s", why);
  /* Not an address at all: an error now, not a resolve failure at run time. */
  cr_assert_eq(server_address_parse("127.0.0.1:5141:1", &a, &why), -1);
  cr_assert(strstr(why, "not an IPv6 address"), "%s", why);
  cr_assert_eq(server_address_parse("logs.example:514:", &a, &why), -1);
  cr_assert_eq(server_address_parse(":::", &a, &why), -1);
}

Test(server_address, errors_say_what_is_wrong)
{
  cr_assert_eq(server_address_parse("host:0", &a, &why), -1);
  cr_assert_str_eq(why, "the port after ':' must be a number from 1 to 65535");
  cr_assert_eq(server_address_parse("host:65536", &a, &why), -1);
  cr_assert_eq(server_address_parse("host:x", &a, &why), -1);
  cr_assert_eq(server_address_parse("[::1", &a, &why), -1);
  cr_assert_str_eq(why, "missing ']' after an IPv6 address");
  cr_assert_eq(server_address_parse("[::1]x", &a, &why), -1);
  cr_assert_eq(server_address_parse("", &a, &why), -1);
  cr_assert_eq(server_address_parse(":514", &a, &why), -1);
  cr_assert_eq(server_address_parse("a b", &a, &why), -1);
}

Test(server_address, format_brackets_ipv6)
{
  char buf[300];
  server_address_parse("[::1]:601", &a, &why);
  cr_assert_str_eq(server_address_format(&a, buf, sizeof(buf)), "[::1]:601");
  server_address_parse("h:1", &a, &why);
  cr_assert_str_eq(server_address_format(&a, buf, sizeof(buf)), "h:1");
}
