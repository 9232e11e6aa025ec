#include "tls-options.h"

#include "located-error.h"
#include "option-reader.h"

#include <ctype.h>
#include <glib.h>
#include <string.h>

static const char *const tls_known[] = {
  "ca-file", "ca-dir", "cert-file", "key-file", "key-password", "peer-verify", "crl-file", "crl-dir",
  "min-version", "cipher-suite", "sni", "verify-name", "pinned-sha256", NULL,
};

void
tls_options_defaults(struct tls_options *self)
{
  memset(self, 0, sizeof(*self));
  self->peer_verify = TLS_PEER_VERIFY_REQUIRED_TRUSTED;
  self->min_version = TLS_OPTIONS_DEFAULT_MIN_VERSION;
  self->sni = 1;
}

void
tls_options_clear(struct tls_options *self)
{
  if (!self)
    return;
  g_free(self->ca_file);
  g_free(self->ca_dir);
  g_free(self->cert_file);
  g_free(self->key_file);
  if (self->key_password)
    memset(self->key_password, 0, strlen(self->key_password));
  g_free(self->key_password);
  g_free(self->crl_file);
  g_free(self->crl_dir);
  g_free(self->cipher_suite);
  g_free(self->verify_name);
  memset(self, 0, sizeof(*self));
}

int
tls_options_copy(struct tls_options *dst, const struct tls_options *src)
{
  *dst = *src;
  dst->ca_file = g_strdup(src->ca_file);
  dst->ca_dir = g_strdup(src->ca_dir);
  dst->cert_file = g_strdup(src->cert_file);
  dst->key_file = g_strdup(src->key_file);
  dst->key_password = g_strdup(src->key_password);
  dst->crl_file = g_strdup(src->crl_file);
  dst->crl_dir = g_strdup(src->crl_dir);
  dst->cipher_suite = g_strdup(src->cipher_suite);
  dst->verify_name = g_strdup(src->verify_name);
  return 0; /* g_strdup aborts rather than return NULL */
}

int
tls_options_verifies(const struct tls_options *self)
{
  return self->peer_verify == TLS_PEER_VERIFY_REQUIRED_TRUSTED
         || self->peer_verify == TLS_PEER_VERIFY_OPTIONAL_TRUSTED;
}

const char *
tls_options_version_name(int version)
{
  switch (version)
    {
    case TLS_OPTIONS_VERSION_1_0:
      return "1.0";
    case TLS_OPTIONS_VERSION_1_1:
      return "1.1";
    case TLS_OPTIONS_VERSION_1_2:
      return "1.2";
    case TLS_OPTIONS_VERSION_1_3:
      return "1.3";
    default:
      return "?";
    }
}

static int
_hex(int c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  c = tolower(c);
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  return -1;
}

int
tls_options_parse_pin(const char *text, uint8_t pin[TLS_OPTIONS_PIN_LEN], const char **why)
{
  size_t len = strlen(text), digits = 0;

  if (strncmp(text, "sha256//", 8) == 0)
    {
      text += 8;
      len -= 8;
    }
  for (size_t i = 0; i < len; i++)
    if (_hex((unsigned char) text[i]) >= 0)
      digits++;
  if (digits == 2 * TLS_OPTIONS_PIN_LEN)
    {
      size_t n = 0;
      for (size_t i = 0; i < len; i++)
        {
          if (text[i] == ':')
            continue;
          int hi = _hex((unsigned char) text[i]), lo = i + 1 < len ? _hex((unsigned char) text[i + 1]) : -1;
          if (hi < 0 || lo < 0)
            {
              *why = "hexadecimal digits must come in pairs, optionally separated by ':'";
              return -1;
            }
          pin[n++] = (uint8_t) (hi << 4 | lo);
          i++;
        }
      return 0;
    }
  if (len == 44 && text[43] == '=')
    {
      for (size_t i = 0; i < 43; i++)
        if (!isalnum((unsigned char) text[i]) && text[i] != '+' && text[i] != '/')
          {
            *why = "not base64";
            return -1;
          }
      gsize out_len = 0;
      guchar *raw = g_base64_decode(text, &out_len);
      if (!raw || out_len != TLS_OPTIONS_PIN_LEN)
        {
          g_free(raw);
          *why = "base64 that does not decode to 32 bytes";
          return -1;
        }
      memcpy(pin, raw, TLS_OPTIONS_PIN_LEN);
      g_free(raw);
      return 0;
    }
  *why = "expected the SHA-256 of the server's public key as 44 base64 characters (optionally after "
         "\"sha256//\") or 64 hexadecimal digits";
  return -1;
}

/* "1.2", "tls1.2", "TLSv1.2", "tlsv1_2". */
static int
_parse_version(const char *text)
{
  if (g_ascii_strncasecmp(text, "tlsv", 4) == 0)
    text += 4;
  else if (g_ascii_strncasecmp(text, "tls", 3) == 0)
    text += 3;
  if (text[0] != '1' || (text[1] != '.' && text[1] != '_') || !text[2] || text[3])
    return -1;
  switch (text[2])
    {
    case '0':
      return TLS_OPTIONS_VERSION_1_0;
    case '1':
      return TLS_OPTIONS_VERSION_1_1;
    case '2':
      return TLS_OPTIONS_VERSION_1_2;
    case '3':
      return TLS_OPTIONS_VERSION_1_3;
    default:
      return -1;
    }
}

/* A file or directory option: replaces the inherited value when written. */
static int
_get_path(const struct lifeline_option *node, const char *name, char **field, struct lifeline_error *err)
{
  const char *text;
  const struct lifeline_option *opt = option_find(node, name);

  if (!opt)
    return 0;
  if (option_get_string(node, name, NULL, &text, err) < 0)
    return -1;
  if (!text)
    return 0;
  if (!*text)
    {
      located_error_at_option(err, opt, "%s() must not be empty", name);
      return -1;
    }
  g_free(*field);
  *field = g_strdup(text);
  return 0;
}

static int
_parse_peer_verify(const struct lifeline_option *node, struct tls_options *out, struct lifeline_error *err)
{
  static const char *const words[] = {
    "required-trusted", "required-untrusted", "optional-trusted", "optional-untrusted",
    "yes", "no", "on", "off", "true", "false", NULL,
  };
  static const int meaning[] = {
    TLS_PEER_VERIFY_REQUIRED_TRUSTED, TLS_PEER_VERIFY_REQUIRED_UNTRUSTED, TLS_PEER_VERIFY_OPTIONAL_TRUSTED,
    TLS_PEER_VERIFY_OPTIONAL_UNTRUSTED, TLS_PEER_VERIFY_REQUIRED_TRUSTED, TLS_PEER_VERIFY_OPTIONAL_UNTRUSTED,
    TLS_PEER_VERIFY_REQUIRED_TRUSTED, TLS_PEER_VERIFY_OPTIONAL_UNTRUSTED, TLS_PEER_VERIFY_REQUIRED_TRUSTED,
    TLS_PEER_VERIFY_OPTIONAL_UNTRUSTED,
  };
  int idx;

  if (!option_find(node, "peer-verify"))
    return 0;
  if (option_get_enum(node, "peer-verify", words, -1, &idx, err) < 0)
    return -1;
  if (idx >= 0)
    out->peer_verify = meaning[idx];
  return 0;
}

static int
_parse_verify_name(const struct lifeline_option *node, struct tls_options *out, struct lifeline_error *err)
{
  const struct lifeline_option *opt = option_find(node, "verify-name");
  const char *text;

  if (!opt)
    return 0;
  if (option_get_string(node, "verify-name", NULL, &text, err) < 0)
    return -1;
  if (!text)
    return 0;
  if (!*text || strlen(text) > 253 || strpbrk(text, " \t/@") != NULL)
    {
      located_error_at_option(err, opt, "verify-name(\"%s\") is not a host name or IP address", text);
      return -1;
    }
  g_free(out->verify_name);
  out->verify_name = g_strdup(text);
  return 0;
}

static int
_parse(const struct lifeline_option *node, struct tls_options *out, struct lifeline_error *err)
{
  const char *text;
  const char *why;
  const struct lifeline_option *opt;

  if (option_check_children(node, tls_known, err) < 0 || option_check_values(node, 0, 0, err) < 0)
    return -1;
  if (_get_path(node, "ca-file", &out->ca_file, err) < 0 || _get_path(node, "ca-dir", &out->ca_dir, err) < 0
      || _get_path(node, "cert-file", &out->cert_file, err) < 0
      || _get_path(node, "key-file", &out->key_file, err) < 0
      || _get_path(node, "crl-file", &out->crl_file, err) < 0 || _get_path(node, "crl-dir", &out->crl_dir, err) < 0
      || _get_path(node, "cipher-suite", &out->cipher_suite, err) < 0)
    return -1;
  if ((opt = option_find(node, "key-password")))
    {
      if (option_get_string(node, "key-password", NULL, &text, err) < 0)
        return -1;
      if (text)
        {
          g_free(out->key_password);
          out->key_password = g_strdup(text);
        }
    }
  if (_parse_peer_verify(node, out, err) < 0 || _parse_verify_name(node, out, err) < 0
      || option_get_bool(node, "sni", out->sni, &out->sni, err) < 0)
    return -1;
  if ((opt = option_find(node, "min-version")))
    {
      /* min-version(1.3) is a number to the lexer; syslog-ng users write it so. */
      if (opt->n_values == 1 && opt->n_children == 0 && opt->values[0]->kind == LIFELINE_VALUE_NUMBER)
        text = opt->values[0]->text;
      else if (option_get_string(node, "min-version", NULL, &text, err) < 0)
        return -1;
      if (text)
        {
          int v = _parse_version(text);
          if (v < 0)
            {
              located_error_at_option(err, opt, "unknown TLS version \"%s\"; expected \"1.2\" or \"1.3\" "
                                                "(\"1.0\" and \"1.1\" only for collectors that cannot do better)",
                                      text);
              return -1;
            }
          out->min_version = v;
        }
    }
  if ((opt = option_find(node, "pinned-sha256")))
    {
      if (option_get_string(node, "pinned-sha256", NULL, &text, err) < 0)
        return -1;
      if (text && tls_options_parse_pin(text, out->pin, &why) < 0)
        {
          located_error_at_option(err, opt, "bad pinned-sha256(\"%s\"): %s", text, why);
          return -1;
        }
      if (text)
        out->has_pin = 1;
    }
  return 0;
}

/* Rules over the merged result, located at the option that breaks them. */
static int
_check(const struct lifeline_option *node, const struct tls_options *o, struct lifeline_error *err)
{
  if (o->key_file && !o->cert_file)
    {
      located_error_at_option(err, option_find(node, "key-file") ? option_find(node, "key-file") : node,
                              "key-file() needs cert-file(): the client certificate that goes with the key");
      return -1;
    }
  if (o->cert_file && !o->key_file)
    {
      located_error_at_option(err, option_find(node, "cert-file") ? option_find(node, "cert-file") : node,
                              "cert-file() needs key-file(): the private key of the client certificate");
      return -1;
    }
  if (o->key_password && !o->key_file)
    {
      located_error_at_option(err, option_find(node, "key-password"),
                              "key-password() without key-file(): there is no key to decrypt");
      return -1;
    }
  return 0;
}

int
tls_options_parse(const struct lifeline_option *node, const struct tls_options *inherit, struct tls_options *out,
                  struct lifeline_error *err)
{
  struct tls_options base;

  if (inherit)
    tls_options_copy(out, inherit);
  else
    {
      tls_options_defaults(&base);
      *out = base;
    }
  if (_parse(node, out, err) < 0 || _check(node, out, err) < 0)
    {
      tls_options_clear(out);
      return -1;
    }
  return 0;
}
