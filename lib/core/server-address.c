#include "server-address.h"

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
    return _set_host(out, text, strlen(text), error);
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
