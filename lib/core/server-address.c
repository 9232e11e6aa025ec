#include "server-address.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
_parse_port(const char *s, uint16_t *port, const char **error)
{
  char *end;
  if (*s < '0' || *s > '9')
    {
      *error = "the port after ':' must be a number from 1 to 65535";
      return -1;
    }
  unsigned long v = strtoul(s, &end, 10);
  if (*end || v < 1 || v > 65535)
    {
      *error = "the port after ':' must be a number from 1 to 65535";
      return -1;
    }
  *port = (uint16_t) v;
  return 0;
}

static int
_set_host(struct server_address *out, const char *s, size_t len, const char **error)
{
  if (len == 0)
    {
      *error = "the host name is empty";
      return -1;
    }
  if (len >= sizeof(out->host))
    {
      *error = "the host name is longer than 255 bytes";
      return -1;
    }
  for (size_t i = 0; i < len; i++)
    if (s[i] == ' ' || s[i] == '\t' || s[i] == '/' || (unsigned char) s[i] < 0x20)
      {
        *error = "the host name contains a space, '/' or a control character";
        return -1;
      }
  memcpy(out->host, s, len);
  out->host[len] = '\0';
  return 0;
}

/* 1 when TEXT (LEN bytes) is an IPv6 address. */
static int
_is_ipv6(const char *text, size_t len)
{
  char copy[SERVER_ADDRESS_HOST_MAX];
  struct in6_addr addr;

  if (len >= sizeof(copy))
    return 0;
  memcpy(copy, text, len);
  copy[len] = '\0';
  return inet_pton(AF_INET6, copy, &addr) == 1;
}

/* TEXT has two or more colons and no brackets.  It must be an IPv6 address,
 * or it would fail only at run time as an unresolvable name
 * ("127.0.0.1:514:1").  When its last group is decimal and the rest is an
 * address as well, it reads two ways ("::1:5141": the address ::1:5141, or
 * ::1 port 5141), and the operator must say which with brackets. */
static int
_set_bare_ipv6(struct server_address *out, const char *text, const char **error)
{
  size_t len = strlen(text);
  const char *last = strrchr(text, ':');

  if (!_is_ipv6(text, len))
    {
      *error = "not an IPv6 address, and a \"host:port\" has one ':'; write an IPv6 address with a port as \"[v6]:port\"";
      return -1;
    }
  if (last[1] && strspn(last + 1, "0123456789") == strlen(last + 1) && _is_ipv6(text, (size_t) (last - text)))
    {
      *error = "ambiguous: an IPv6 address, or one with a port after the last ':'? write \"[v6]\" for the address "
               "alone or \"[v6]:port\" for one with a port";
      return -1;
    }
  return _set_host(out, text, len, error);
}

int
server_address_parse(const char *text, struct server_address *out, const char **error)
{
  memset(out, 0, sizeof(*out));

  if (text[0] == '[')
    {
      const char *close = strchr(text, ']');
      if (!close)
        {
          *error = "missing ']' after an IPv6 address";
          return -1;
        }
      if (_set_host(out, text + 1, (size_t) (close - text - 1), error) < 0)
        return -1;
      if (close[1] == '\0')
        return 0;
      if (close[1] != ':')
        {
          *error = "expected ':port' after ']'";
          return -1;
        }
      return _parse_port(close + 2, &out->port, error);
    }

  const char *colon = strchr(text, ':');
  if (colon && strchr(colon + 1, ':'))
    /* Two or more colons: a bare IPv6 literal, which cannot carry a port. */
    return _set_bare_ipv6(out, text, error);
  if (!colon)
    return _set_host(out, text, strlen(text), error);
  if (_set_host(out, text, (size_t) (colon - text), error) < 0)
    return -1;
  return _parse_port(colon + 1, &out->port, error);
}

const char *
server_address_format(const struct server_address *self, char *buf, unsigned size)
{
  if (strchr(self->host, ':'))
    snprintf(buf, size, "[%s]:%u", self->host, (unsigned) self->port);
  else
    snprintf(buf, size, "%s:%u", self->host, (unsigned) self->port);
  return buf;
}
