/*
 * test_decode.c — ng_decode (src/decode.c): UTF-8 pass-through, BOMs,
 * UTF-16 LE/BE, Windows-1252 by hint and by sniffing, refusal of binary
 * data and of mixed/invalid UTF-8 with the offset in the message.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"


/* Decodes s[0..n) with the charset hint; returns the code and, on success,
 * leaves the result in *out (a malloc'd buffer the caller frees). */
static int dec(const char *s, size_t n, const char *charset, ng_buf *out)
{
    ng_buf_init(out);
    return ng_decode(worker, s, n, charset, out);
}

static void expect_ok(const char *s, size_t n, const char *charset, const char *want)
{
    ng_buf b;
    int rc = dec(s, n, charset, &b);
    if (rc != NG_OK)
        fail_msg("decode failed: %s", ng_worker_error(worker));
    assert_int_equal(b.len, strlen(want));
    if (b.len)
        assert_memory_equal(b.p, want, b.len);
    ng_buf_free(&b);
}

static void test_utf8(void **state)
{
    (void)state;
    const char *s = "Caf\xC3\xA9 \xE2\x80\x9Cquoted\xE2\x80\x9D \xF0\x9F\x98\x80";
    expect_ok(s, strlen(s), NULL, s);
    /* a Latin hint does not spoil valid UTF-8 */
    expect_ok(s, strlen(s), "iso-8859-1", s);
    /* line ends are left for the text reader */
    expect_ok("a\r\nb\rc", 6, NULL, "a\r\nb\rc");
}

static void test_bom(void **state)
{
    (void)state;
    expect_ok("\xEF\xBB\xBFHello", 8, NULL, "Hello");
    /* UTF-16 LE "Hé" and BE "Hé" */
    expect_ok("\xFF\xFEH\x00\xE9\x00", 6, NULL, "H\xC3\xA9");
    expect_ok("\xFE\xFF\x00H\x00\xE9", 6, NULL, "H\xC3\xA9");
    /* a surrogate pair: U+1F600 */
    expect_ok("\xFF\xFE\x3D\xD8\x00\xDE", 6, NULL, "\xF0\x9F\x98\x80");
    ng_buf b;
    assert_int_equal(dec("\xFF\xFE\x3D\xD8", 4, NULL, &b), NG_EENCODING); /* lone high surrogate */
    ng_buf_free(&b);
    assert_int_equal(dec("\xFF\xFEH\x00H", 5, NULL, &b), NG_EENCODING); /* odd length */
    ng_buf_free(&b);
    assert_int_equal(dec("\xFF\xFEH\x00\x00\x00", 6, NULL, &b), NG_EBINARY); /* NUL character */
    ng_buf_free(&b);
}

static void test_cp1252(void **state)
{
    (void)state;
    /* sniffed: no valid multi-byte sequence, mostly ASCII */
    const char *s = "Le minist\xE8re a d\xE9""clar\xE9 \x93oui\x94 \x80 5";
    expect_ok(s, strlen(s), NULL, "Le minist\xC3\xA8re a d\xC3\xA9""clar\xC3\xA9 \xE2\x80\x9Coui\xE2\x80\x9D \xE2\x82\xAC 5");
    /* by hint, whatever the bytes */
    expect_ok("caf\xE9", 4, "windows-1252", "caf\xC3\xA9");
    expect_ok("caf\xE9", 4, "Latin1", "caf\xC3\xA9");
}

static void test_binary(void **state)
{
    (void)state;
    ng_buf b;
    assert_int_equal(dec("abc\0def", 7, NULL, &b), NG_EBINARY);
    assert_non_null(strstr(ng_worker_error(worker), "NUL byte at offset 3"));
    ng_buf_free(&b);
    char ctl[200];
    for (size_t i = 0; i < sizeof ctl; i++)
        ctl[i] = (char)(i % 3 == 0 ? 0x01 : 'a');
    assert_int_equal(dec(ctl, sizeof ctl, NULL, &b), NG_EBINARY);
    ng_buf_free(&b);
    /* a stray control character in text is not binary */
    expect_ok("page\fbreak", 10, NULL, "page\fbreak");
}

static void test_invalid(void **state)
{
    (void)state;
    ng_buf b;
    /* valid multi-byte UTF-8 then a stray byte: mixed, refused */
    const char *s = "caf\xC3\xA9 and caf\xE9 again";
    assert_int_equal(dec(s, strlen(s), NULL, &b), NG_EENCODING);
    assert_string_equal(ng_worker_error(worker), "invalid UTF-8 at byte 13");
    ng_buf_free(&b);
    /* the offset counts the BOM */
    s = "\xEF\xBB\xBF\xC3\xA9\xFF\xFF\xFF\xFF\xFF\xFF\xFF";
    assert_int_equal(dec(s, strlen(s), NULL, &b), NG_EENCODING);
    assert_string_equal(ng_worker_error(worker), "invalid UTF-8 at byte 5");
    ng_buf_free(&b);
    /* a sequence cut by the end of the input is dropped */
    expect_ok("abc\xE2\x80", 5, NULL, "abc");
}

static void test_empty(void **state)
{
    (void)state;
    expect_ok("", 0, NULL, "");
    expect_ok("\xEF\xBB\xBF", 3, NULL, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8),   cmocka_unit_test(test_bom),     cmocka_unit_test(test_cp1252),
        cmocka_unit_test(test_binary), cmocka_unit_test(test_invalid), cmocka_unit_test(test_empty),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
