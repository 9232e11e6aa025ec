/* tls(): every option from config text to struct tls_options, the defaults,
 * a server's tls() over the destination's, and errors located at the option
 * that breaks a rule. */
#include "core/config-parser.h"
#include "core/located-error.h"
#include "core/tls-options.h"

#include <criterion/criterion.h>
#include <glib.h>
#include <string.h>

static struct config_tree *tree;
static struct tls_options opts;
static struct tls_options dest; /* the destination's, under a server's override in OPTS */
static struct lifeline_error err;

/* The 32 bytes 0x00..0x1f, as each pin form writes them. */
#define PIN_BASE64 "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
#define PIN_HEX "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
#define PIN_HEX_COLONS                                                                                   \
  "00:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F:10:11:12:13:14:15:16:17:18:19:1A:1B:1C:1D:1E:1F"

/* Two tls() blocks, each with its options alone on a line: the destination's
 * (BASE, line 4) and a server's override (OVER, line 6); columns then count
 * from the start of the options. */
static const struct lifeline_option *
_tls_nodes(const char *base, const char *over, const struct lifeline_option **over_node)
{
  char *text = g_strdup_printf("destination d {\nnetwork(\"h\"\ntls(\n%s)\ntls(\n%s));\n};\n", base, over);
  char buf[1024];

  config_tree_free(tree);
  located_error_init(&err);
  tree = config_parse_string(text, "t.conf", &err);
  g_free(text);
  cr_assert_not_null(tree, "%s", located_error_format(&err, buf, sizeof(buf)));
  const struct lifeline_option *driver = config_tree_root(tree)->children[0]->children[0];
  cr_assert_eq(driver->n_children, 2);
  if (over_node)
    *over_node = driver->children[1];
  return driver->children[0];
}

/* tls(ARGS) over the defaults. */
static int
_parse(const char *args)
{
  const struct lifeline_option *node = _tls_nodes(args, "", NULL);
  tls_options_clear(&opts);
  return tls_options_parse(node, NULL, &opts, &err);
}

/* tls(ARGS) must fail at the first occurrence of AT in ARGS (line 4), naming
 * OPTION, with a message containing PART; OPTS is then cleared. */
static void
_expect_error(const char *args, const char *at, const char *option, const char *part)
{
  const char *pos = strstr(args, at);
  cr_assert_not_null(pos, "test bug: '%s' not in '%s'", at, args);
  cr_assert_eq(_parse(args), -1, "accepted: tls(%s)", args);
  cr_assert_str_eq(err.file, "t.conf");
  cr_assert_eq(err.line, 4, "tls(%s): line %u (%s)", args, err.line, err.message);
  cr_assert_eq(err.column, (unsigned) (pos - args) + 1, "tls(%s): column %u, want %u (%s)", args, err.column,
               (unsigned) (pos - args) + 1, err.message);
  cr_assert_str_eq(err.option, option, "tls(%s): option '%s', want '%s'", args, err.option, option);
  cr_assert_not_null(strstr(err.message, part), "'%s' lacks '%s'", err.message, part);
  cr_assert_null(opts.ca_file, "an error leaves OUT cleared");
  cr_assert_eq(opts.min_version, 0, "an error leaves OUT cleared");
}

/* The destination's tls(BASE) into DEST, then a server's tls(OVER) over it
 * into OPTS: the override's result. */
static int
_parse_override(const char *base, const char *over)
{
  const struct lifeline_option *over_node;
  const struct lifeline_option *base_node = _tls_nodes(base, over, &over_node);

  tls_options_clear(&dest);
  cr_assert_eq(tls_options_parse(base_node, NULL, &dest, &err), 0, "%s", err.message);
  tls_options_clear(&opts);
  return tls_options_parse(over_node, &dest, &opts, &err);
}

static void
_teardown(void)
{
  tls_options_clear(&dest);
  tls_options_clear(&opts);
  config_tree_free(tree);
  tree = NULL;
}

TestSuite(tls_options, .fini = _teardown);

static void
_assert_pin_0_to_31(const struct tls_options *o)
{
  cr_assert(o->has_pin);
  for (int i = 0; i < TLS_OPTIONS_PIN_LEN; i++)
    cr_assert_eq(o->pin[i], i, "pin byte %d is %u", i, o->pin[i]);
}

Test(tls_options, defaults)
{
  tls_options_defaults(&opts);
  cr_assert_eq(opts.peer_verify, TLS_PEER_VERIFY_REQUIRED_TRUSTED);
  cr_assert_eq(opts.min_version, TLS_OPTIONS_VERSION_1_2);
  cr_assert_eq(opts.sni, 1);
  cr_assert_eq(opts.has_pin, 0);
  cr_assert(tls_options_verifies(&opts));
  cr_assert_null(opts.ca_file);

  cr_assert_eq(_parse(""), 0, "%s", err.message);
  cr_assert_eq(opts.peer_verify, TLS_PEER_VERIFY_REQUIRED_TRUSTED);
  cr_assert_eq(opts.min_version, TLS_OPTIONS_VERSION_1_2);
  cr_assert_eq(opts.sni, 1);
  cr_assert_eq(opts.has_pin, 0);
  cr_assert(opts.ca_file == NULL && opts.ca_dir == NULL && opts.cert_file == NULL && opts.key_file == NULL
            && opts.key_password == NULL && opts.crl_file == NULL && opts.crl_dir == NULL
            && opts.cipher_suite == NULL && opts.verify_name == NULL);
}

Test(tls_options, every_option)
{
  cr_assert_eq(_parse("ca-file(\"/p/ca.pem\") ca-dir(\"/p/cas\") cert-file(\"/p/c.pem\") key-file(\"/p/c.key\") "
                      "key-password(\"s3cret\") peer-verify(required-untrusted) crl-file(\"/p/crl.pem\") "
                      "crl-dir(\"/p/crls\") min-version(\"1.3\") cipher-suite(\"ECDHE+AESGCM\") sni(no) "
                      "verify-name(\"logs.example\") pinned-sha256(\"" PIN_BASE64 "\")"),
               0, "%s", err.message);
  cr_assert_str_eq(opts.ca_file, "/p/ca.pem");
  cr_assert_str_eq(opts.ca_dir, "/p/cas");
  cr_assert_str_eq(opts.cert_file, "/p/c.pem");
  cr_assert_str_eq(opts.key_file, "/p/c.key");
  cr_assert_str_eq(opts.key_password, "s3cret");
  cr_assert_eq(opts.peer_verify, TLS_PEER_VERIFY_REQUIRED_UNTRUSTED);
  cr_assert_str_eq(opts.crl_file, "/p/crl.pem");
  cr_assert_str_eq(opts.crl_dir, "/p/crls");
  cr_assert_eq(opts.min_version, TLS_OPTIONS_VERSION_1_3);
  cr_assert_str_eq(opts.cipher_suite, "ECDHE+AESGCM");
  cr_assert_eq(opts.sni, 0);
  cr_assert_str_eq(opts.verify_name, "logs.example");
  _assert_pin_0_to_31(&opts);
}

Test(tls_options, underscores_are_dashes)
{
  cr_assert_eq(_parse("ca_file(\"a\") peer_verify(optional_trusted) min_version(\"1.3\")"), 0, "%s", err.message);
  cr_assert_str_eq(opts.ca_file, "a");
  cr_assert_eq(opts.peer_verify, TLS_PEER_VERIFY_OPTIONAL_TRUSTED);
  cr_assert_eq(opts.min_version, TLS_OPTIONS_VERSION_1_3);
}

Test(tls_options, peer_verify_words)
{
  static const struct
  {
    const char *word;
    int want;
  } cases[] = {
    { "required-trusted", TLS_PEER_VERIFY_REQUIRED_TRUSTED },
    { "required-untrusted", TLS_PEER_VERIFY_REQUIRED_UNTRUSTED },
    { "optional-trusted", TLS_PEER_VERIFY_OPTIONAL_TRUSTED },
    { "optional-untrusted", TLS_PEER_VERIFY_OPTIONAL_UNTRUSTED },
    { "yes", TLS_PEER_VERIFY_REQUIRED_TRUSTED },
    { "no", TLS_PEER_VERIFY_OPTIONAL_UNTRUSTED },
    { "on", TLS_PEER_VERIFY_REQUIRED_TRUSTED },
    { "off", TLS_PEER_VERIFY_OPTIONAL_UNTRUSTED },
    { "true", TLS_PEER_VERIFY_REQUIRED_TRUSTED },
    { "false", TLS_PEER_VERIFY_OPTIONAL_UNTRUSTED },
    { "\"no\"", TLS_PEER_VERIFY_OPTIONAL_UNTRUSTED },
  };
  char args[64];

  for (size_t i = 0; i < G_N_ELEMENTS(cases); i++)
    {
      snprintf(args, sizeof(args), "peer-verify(%s)", cases[i].word);
      cr_assert_eq(_parse(args), 0, "%s: %s", args, err.message);
      cr_assert_eq(opts.peer_verify, cases[i].want, "%s gave %d", args, opts.peer_verify);
    }
  /* Only the *-trusted words check the chain and the name. */
  cr_assert_eq(_parse("peer-verify(optional-trusted)"), 0);
  cr_assert(tls_options_verifies(&opts));
  cr_assert_eq(_parse("peer-verify(required-untrusted)"), 0);
  cr_assert_not(tls_options_verifies(&opts));
  cr_assert_eq(_parse("peer-verify(no)"), 0);
  cr_assert_not(tls_options_verifies(&opts));
}

Test(tls_options, min_version_spellings)
{
  static const struct
  {
    const char *text;
    int want;
  } cases[] = {
    { "1.2", TLS_OPTIONS_VERSION_1_2 },    { "1.3", TLS_OPTIONS_VERSION_1_3 },
    { "tls1.3", TLS_OPTIONS_VERSION_1_3 }, { "TLSv1_2", TLS_OPTIONS_VERSION_1_2 },
    { "TLSv1.3", TLS_OPTIONS_VERSION_1_3 }, { "tlsv1_3", TLS_OPTIONS_VERSION_1_3 },
    { "TLS1_2", TLS_OPTIONS_VERSION_1_2 }, { "1.0", TLS_OPTIONS_VERSION_1_0 },
    { "1_1", TLS_OPTIONS_VERSION_1_1 },
  };
  char args[64];

  for (size_t i = 0; i < G_N_ELEMENTS(cases); i++)
    {
      snprintf(args, sizeof(args), "min-version(\"%s\")", cases[i].text);
      cr_assert_eq(_parse(args), 0, "%s: %s", args, err.message);
      cr_assert_eq(opts.min_version, cases[i].want, "%s gave 0x%x", args, (unsigned) opts.min_version);
    }
  /* Unquoted, as syslog-ng users write versions: a number to the lexer. */
  cr_assert_eq(_parse("min-version(1.3)"), 0, "%s", err.message);
  cr_assert_eq(opts.min_version, TLS_OPTIONS_VERSION_1_3);
  cr_assert_str_eq(tls_options_version_name(TLS_OPTIONS_VERSION_1_2), "1.2");
  cr_assert_str_eq(tls_options_version_name(TLS_OPTIONS_VERSION_1_3), "1.3");
  cr_assert_str_eq(tls_options_version_name(0x0200), "?");
}

Test(tls_options, pin_forms)
{
  static const char *const forms[] = {
    "pinned-sha256(\"" PIN_BASE64 "\")",
    "pinned-sha256(\"sha256//" PIN_BASE64 "\")",
    "pinned-sha256(\"" PIN_HEX "\")",
    "pinned-sha256(\"" PIN_HEX_COLONS "\")",
    "pinned-sha256(\"sha256//" PIN_HEX "\")",
  };

  for (size_t i = 0; i < G_N_ELEMENTS(forms); i++)
    {
      cr_assert_eq(_parse(forms[i]), 0, "%s: %s", forms[i], err.message);
      _assert_pin_0_to_31(&opts);
    }
}

Test(tls_options, parse_pin_directly)
{
  uint8_t pin[TLS_OPTIONS_PIN_LEN];
  const char *why = NULL;

  cr_assert_eq(tls_options_parse_pin(PIN_HEX_COLONS, pin, &why), 0);
  cr_assert_eq(pin[31], 0x1f);
  cr_assert_eq(tls_options_parse_pin(PIN_HEX "00", pin, &why), -1, "66 digits");
  cr_assert_not_null(why);
  why = NULL;
  cr_assert_eq(tls_options_parse_pin("0" PIN_HEX_COLONS, pin, &why), -1, "65 digits");
  cr_assert_not_null(why);
  why = NULL;
  cr_assert_eq(tls_options_parse_pin("", pin, &why), -1);
  cr_assert_not_null(why);
}

Test(tls_options, inheritance_only_written_options_replace)
{
  cr_assert_eq(_parse_override("ca-file(\"/d/ca.pem\") cert-file(\"/d/c.pem\") key-file(\"/d/c.key\") "
                               "key-password(\"pw\") crl-file(\"/d/crl.pem\") peer-verify(optional-trusted) "
                               "min-version(\"1.3\") sni(no) cipher-suite(\"HIGH\") pinned-sha256(\"" PIN_HEX "\")",
                               "ca-file(\"/s/ca2.pem\") verify-name(\"dr.test\") min-version(\"1.2\")"),
               0, "%s", err.message);
  /* Written in the server's tls(): replaced. */
  cr_assert_str_eq(opts.ca_file, "/s/ca2.pem");
  cr_assert_str_eq(opts.verify_name, "dr.test");
  cr_assert_eq(opts.min_version, TLS_OPTIONS_VERSION_1_2);
  /* Not written: the destination's. */
  cr_assert_str_eq(opts.cert_file, "/d/c.pem");
  cr_assert_str_eq(opts.key_file, "/d/c.key");
  cr_assert_str_eq(opts.key_password, "pw");
  cr_assert_str_eq(opts.crl_file, "/d/crl.pem");
  cr_assert_str_eq(opts.cipher_suite, "HIGH");
  cr_assert_eq(opts.peer_verify, TLS_PEER_VERIFY_OPTIONAL_TRUSTED);
  cr_assert_eq(opts.sni, 0);
  _assert_pin_0_to_31(&opts);
  /* The override is a copy: the destination's strings are untouched and separately owned. */
  cr_assert_str_eq(dest.ca_file, "/d/ca.pem");
  cr_assert_null(dest.verify_name);
  cr_assert_neq(opts.cert_file, dest.cert_file);
  tls_options_clear(&dest);
  cr_assert_str_eq(opts.cert_file, "/d/c.pem");
}

Test(tls_options, empty_parentheses_keep_the_inherited_value)
{
  cr_assert_eq(_parse_override("ca-file(\"/d/ca.pem\") min-version(\"1.3\") peer-verify(no) sni(no) cert-file(\"c\") "
                               "key-file(\"k\") key-password(\"pw\") verify-name(\"n\") pinned-sha256(\"" PIN_HEX "\")",
                               "ca-file() min-version() peer-verify() sni() key-password() verify-name() "
                               "pinned-sha256()"),
               0, "%s", err.message);
  cr_assert_str_eq(opts.ca_file, "/d/ca.pem");
  cr_assert_eq(opts.min_version, TLS_OPTIONS_VERSION_1_3);
  cr_assert_eq(opts.peer_verify, TLS_PEER_VERIFY_OPTIONAL_UNTRUSTED);
  cr_assert_eq(opts.sni, 0);
  cr_assert_str_eq(opts.key_password, "pw");
  cr_assert_str_eq(opts.verify_name, "n");
  _assert_pin_0_to_31(&opts);
}

Test(tls_options, an_override_error_is_located_in_the_override)
{
  cr_assert_eq(_parse_override("ca-file(\"/d/ca.pem\")", "key-file(\"/s/k.pem\")"), -1);
  cr_assert_eq(err.line, 6);
  cr_assert_eq(err.column, 1);
  cr_assert_str_eq(err.option, "key-file");
  cr_assert_null(opts.ca_file, "OUT is cleared on error");
  cr_assert_str_eq(dest.ca_file, "/d/ca.pem", "INHERIT is untouched");
}

Test(tls_options, located_errors)
{
  _expect_error("ca-file(\"a\") bogus(1)", "bogus", "tls", "unknown option 'bogus'");
  _expect_error("ca-file(\"a\") key-file(\"k\")", "key-file", "key-file", "needs cert-file()");
  _expect_error("cert-file(\"c\") ca-file(\"a\")", "cert-file", "cert-file", "needs key-file()");
  _expect_error("ca-file(\"a\") key-password(\"pw\")", "key-password", "key-password", "without key-file()");
  _expect_error("min-version(\"1.4\")", "min-version", "min-version", "unknown TLS version \"1.4\"");
  _expect_error("min-version(\"sslv3\")", "min-version", "min-version", "unknown TLS version");
  _expect_error("min-version(\"1.22\")", "min-version", "min-version", "unknown TLS version");
  _expect_error("min-version(1.4)", "min-version", "min-version", "unknown TLS version \"1.4\"");
  _expect_error("ca-file(\"\")", "ca-file", "ca-file", "must not be empty");
  _expect_error("crl-dir(\"\")", "crl-dir", "crl-dir", "must not be empty");
  _expect_error("verify-name(\"logs example\")", "verify-name", "verify-name", "is not a host name");
  _expect_error("verify-name(\"\")", "verify-name", "verify-name", "is not a host name");
  _expect_error("peer-verify(maybe)", "maybe", "peer-verify", "required-trusted");
  _expect_error("sni(perhaps)", "perhaps", "sni", "expected yes or no");
  _expect_error("ca-file(\"a\" \"b\")", "\"b\"", "ca-file", "single value");
  _expect_error("tls-extra", "tls-extra", "tls", "takes no values");
}

Test(tls_options, bad_pins_are_located_and_say_why)
{
  /* One of each form gone wrong: short base64, base64 with a bad character,
   * base64 of the wrong length after sha256//, 63 and 65 hex digits, hex
   * digits not in pairs, and something that is neither. */
  static const struct
  {
    const char *pin;
    const char *why;
  } cases[] = {
    { "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh=", "expected the SHA-256" },
    { "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdH!8=", "not base64" },
    { "sha256//AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8", "expected the SHA-256" },
    { "sha256//AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd==8=", "not base64" },
    { "00102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", "expected the SHA-256" },
    { PIN_HEX "0", "expected the SHA-256" },
    { "0:00102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", "in pairs" },
    { "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f  ", "in pairs" },
    { "not a pin", "expected the SHA-256" },
  };
  char args[256];

  for (size_t i = 0; i < G_N_ELEMENTS(cases); i++)
    {
      snprintf(args, sizeof(args), "ca-file(\"a\") pinned-sha256(\"%s\")", cases[i].pin);
      _expect_error(args, "pinned-sha256", "pinned-sha256", "bad pinned-sha256(");
      cr_assert_not_null(strstr(err.message, cases[i].why), "%s: '%s' lacks '%s'", cases[i].pin, err.message,
                         cases[i].why);
    }
}

Test(tls_options, copy_is_deep_and_clear_is_idempotent)
{
  struct tls_options copy;

  cr_assert_eq(_parse("ca-file(\"a\") ca-dir(\"b\") cert-file(\"c\") key-file(\"d\") key-password(\"e\") "
                      "crl-file(\"f\") crl-dir(\"g\") cipher-suite(\"h\") verify-name(\"i\") "
                      "pinned-sha256(\"" PIN_BASE64 "\") min-version(\"1.3\")"),
               0, "%s", err.message);
  cr_assert_eq(tls_options_copy(&copy, &opts), 0);
  char *const *src_strings[] = { &opts.ca_file, &opts.ca_dir, &opts.cert_file, &opts.key_file, &opts.key_password,
                                 &opts.crl_file, &opts.crl_dir, &opts.cipher_suite, &opts.verify_name };
  char *const *dst_strings[] = { &copy.ca_file, &copy.ca_dir, &copy.cert_file, &copy.key_file, &copy.key_password,
                                 &copy.crl_file, &copy.crl_dir, &copy.cipher_suite, &copy.verify_name };
  for (size_t i = 0; i < G_N_ELEMENTS(src_strings); i++)
    {
      cr_assert_str_eq(*dst_strings[i], *src_strings[i]);
      cr_assert_neq(*dst_strings[i], *src_strings[i], "string %zu is shared", i);
    }
  cr_assert_eq(copy.min_version, TLS_OPTIONS_VERSION_1_3);
  _assert_pin_0_to_31(&copy);

  tls_options_clear(&opts);
  cr_assert_str_eq(copy.key_password, "e", "the copy outlives the original");
  tls_options_clear(&copy);
  static const struct tls_options zero;
  cr_assert_eq(memcmp(&copy, &zero, sizeof(zero)), 0, "clear zeroes the struct");
  tls_options_clear(&copy);
  tls_options_clear(NULL);

  /* A copy of "not set" is "not set". */
  cr_assert_eq(tls_options_copy(&copy, &zero), 0);
  cr_assert_eq(memcmp(&copy, &zero, sizeof(zero)), 0);
}
