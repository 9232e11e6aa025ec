/*
 * Server addresses as written in a config: "host", "host:port", "[v6]" or
 * "[v6]:port", and a bare IPv6 literal ("::1", no port).  Pure text handling:
 * names are resolved later, at connect time.
 */
#ifndef LIFELINE_SERVER_ADDRESS_H
#define LIFELINE_SERVER_ADDRESS_H

#include <stdint.h>

#define SERVER_ADDRESS_HOST_MAX 256

struct server_address
{
  char host[SERVER_ADDRESS_HOST_MAX]; /* without brackets */
  uint16_t port; /* 0 when the text named none */
};

/* 0, or -1 with *error set to a static sentence saying what is wrong. */
int server_address_parse(const char *text, struct server_address *out, const char **error);

/* "host:port", or "[v6]:port" for an IPv6 literal, into buf. */
const char *server_address_format(const struct server_address *self, char *buf, unsigned size);

#endif
