/*
 * test_core.c — unit tests of the library's plumbing: the arena, the byte
 * buffer and its JSON string writer, UTF-8 decoding and checking, the
 * Windows-1252 table, string sets, field lists and the JSON record.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "internal.h"

static void arena_alignment_and_growth(void **state)
{
    (void)state;
    ng_arena a;
    ng_arena_init(&a);
    char *prev = NULL;
    for (int i = 1; i < 5000; i++) {
        char *p = ng_arena_alloc(&a, (size_t)(i % 97) + 1);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % 16, 0);
        memset(p, 0xAB, (size_t)(i % 97) + 1);
        assert_ptr_not_equal(p, prev);
        prev = p;
    }
    /* a block larger than the biggest block size */
    char *big = ng_arena_alloc(&a, (size_t)3 << 20);
    assert_non_null(big);
    memset(big, 1, (size_t)3 << 20);
    /* the next small allocation still works and does not overlap */
    char *small = ng_arena_alloc(&a, 10);
    assert_true(small + 10 <= big || small >= big + ((size_t)3 << 20));
    int *z = ng_arena_calloc(&a, 100, sizeof *z);
    for (int i = 0; i < 100; i++)
        assert_int_equal(z[i], 0);
    assert_null(ng_arena_calloc(&a, SIZE_MAX / 2, 4));
    assert_true(a.oom);
    char *s = ng_arena_strndup(&a, "abcdef", 3);
    assert_string_equal(s, "abc");
    assert_null(ng_arena_strdup(&a, NULL));
    ng_arena_free(&a);
    assert_null(a.head);
}

static void buf_and_json_escaping(void **state)
{
    (void)state;
    ng_buf b;
    ng_buf_init(&b);
    ng_buf_printf(&b, "%d-%s", 42, "x");
    assert_string_equal(b.p, "42-x");
    ng_buf_reset(&b);
    const char in[] = "a\"b\\c\n\t\x01 é \xE2\x80\xA8 \xFF end";
    ng_buf_json_str(&b, in, sizeof in - 1);
    assert_string_equal(b.p, "\"a\\\"b\\\\c\\n\\t\\u0001 é \\u2028 \xEF\xBF\xBD end\"");
    /* a long printf goes through the slow path */
    ng_buf_reset(&b);
    char long_s[1000];
    memset(long_s, 'z', sizeof long_s - 1);
    long_s[sizeof long_s - 1] = '\0';
    ng_buf_printf(&b, "<%s>", long_s);
    assert_int_equal(b.len, 1001);
    size_t n;
    char *taken = ng_buf_take(&b, &n);
    assert_int_equal(n, 1001);
    assert_null(b.p);
    free(taken);
    ng_buf_free(&b);
}

static void utf8_decoding(void **state)
{
    (void)state;
    uint32_t cp;
    assert_int_equal(ng_utf8_decode((const unsigned char *)"\xC3\xA9", 2, &cp), 2);
    assert_int_equal(cp, 0xE9);
    assert_int_equal(ng_utf8_decode((const unsigned char *)"\xE2\x82\xAC", 3, &cp), 3);
    assert_int_equal(cp, 0x20AC);
    assert_int_equal(ng_utf8_decode((const unsigned char *)"\xF0\x9F\x98\x80", 4, &cp), 4);
    assert_int_equal(cp, 0x1F600);
    /* overlong, surrogate, truncated, out of range, lone continuation */
    assert_int_equal(ng_utf8_decode((const unsigned char *)"\xC0\xAF", 2, &cp), 0);
    assert_int_equal(ng_utf8_decode((const unsigned char *)"\xE0\x80\xAF", 3, &cp), 0);
    assert_int_equal(ng_utf8_decode((const unsigned char *)"\xED\xA0\x80", 3, &cp), 0);
    assert_int_equal(ng_utf8_decode((const unsigned char *)"\xE2\x82", 2, &cp), 0);
    assert_int_equal(ng_utf8_decode((const unsigned char *)"\xF4\x90\x80\x80", 4, &cp), 0);
    assert_int_equal(ng_utf8_decode((const unsigned char *)"\x80", 1, &cp), 0);
    const char ok[] = "plain ascii text that is long enough for the fast path, and é at the end";
    assert_int_equal(ng_utf8_check(ok, sizeof ok - 1), sizeof ok - 1);
    const char bad[] = "0123456789abcdef\xFFxyz";
    assert_int_equal(ng_utf8_check(bad, sizeof bad - 1), 16);
    char out[4];
    for (uint32_t c = 1; c < 0x110000; c += 97) {
        if (c >= 0xD800 && c <= 0xDFFF)
            continue;
        int k = ng_utf8_encode(c, out);
        uint32_t back;
        assert_int_equal(ng_utf8_decode((unsigned char *)out, (size_t)k, &back), k);
        assert_int_equal(back, c);
    }
}

static void cp1252_table(void **state)
{
    (void)state;
    ng_buf b;
    ng_buf_init(&b);
    const char in[] = "caf\xE9 \x80 \x93quoted\x94 \x9C";
    ng_cp1252_to_utf8(&b, in, sizeof in - 1);
    assert_string_equal(b.p, "café € “quoted” œ");
    ng_buf_free(&b);
}

static void char_classes(void **state)
{
    (void)state;
    assert_true(ng_cp_is_space(0xA0));
    assert_true(ng_cp_is_space(0x202F));
    assert_false(ng_cp_is_space('x'));
    assert_true(ng_cp_is_alpha(0xE9));
    assert_true(ng_cp_is_upper(0xC9));
    assert_false(ng_cp_is_upper(0xE9));
    assert_true(ng_cp_is_digit('7'));
    assert_true(ng_cp_is_punct(0xAB)); /* « */
    assert_true(ng_cp_is_punct(0x2019));
    assert_false(ng_cp_is_punct('a'));
}

static void strset_from_resources(void **state)
{
    (void)state;
    char folded[32];
    assert_int_equal(ng_fold("ÉTAT Islamique", 15, folded, sizeof folded), strlen("état islamique"));
    assert_string_equal(folded, "état islamique");
    /* a list that every build has */
    ng_strset s;
    assert_int_equal(ng_strset_load(&s, "common/html-negative.txt", 1, 0), NG_OK);
    for (size_t i = 1; i < s.n; i++)
        assert_true(strcmp(s.items[i - 1], s.items[i]) < 0);
    ng_strset_free(&s);
    assert_int_equal(ng_strset_load(&s, "xx/no-such-list.txt", 1, 1), NG_EMODEL);
    assert_int_equal(ng_strset_load(&s, "xx/no-such-list.txt", 1, 0), NG_OK);
    assert_int_equal(s.n, 0);
    assert_false(ng_strset_has(&s, "a", 1));
    ng_strset_free(&s);
}

static void fields_parse(void **state)
{
    (void)state;
    unsigned m = 0;
    assert_int_equal(ng_fields_parse("text,sentences", &m), NG_OK);
    assert_int_equal(m, NG_FIELD_TEXT | NG_FIELD_SENTENCES);
    assert_int_equal(ng_fields_parse("all", &m), NG_OK);
    assert_int_equal(m, NG_FIELD_ALL);
    m = 7;
    assert_int_equal(ng_fields_parse("text,bogus", &m), NG_EINVAL);
    assert_int_equal(m, 7);
}

static void record_round_trip(void **state)
{
    (void)state;
    ng_model *m;
    char err[128];
    assert_int_equal(ng_model_new(&m, NULL, err, sizeof err), NG_OK);
    ng_worker *w;
    assert_int_equal(ng_worker_new(m, &w), NG_OK);
    ng_source src;
    ng_source_default(&src);
    src.id = "t\"1";
    src.format = NG_FORMAT_TEXT;
    const char text[] = "The minister met her counterpart in Berlin on Tuesday. They signed a letter.";
    ng_doc *d;
    assert_int_equal(ng_analyze(w, &src, text, sizeof text - 1, &d), NG_OK);
    char *json;
    size_t n;
    assert_int_equal(ng_doc_json(d, NG_FIELD_TEXT | NG_FIELD_LANG, 0, &json, &n), NG_OK);
    assert_int_equal(strlen(json), n);
    assert_non_null(strstr(json, "{\"doc\":\"t\\\"1\","));
    assert_non_null(strstr(json, "\"text\":\"The minister"));
    assert_null(strstr(json, "sentences"));
    free(json);
    size_t len;
    assert_non_null(ng_doc_text(d, &len));
    assert_true(len > 0);
    size_t a, b;
    assert_int_equal(ng_doc_sentence(d, ng_doc_sentence_count(d), &a, &b), NG_EINVAL);
    ng_doc_free(d);
    /* empty input is refused with a reason */
    assert_int_equal(ng_analyze(w, &src, "", 0, &d), NG_EEMPTY);
    assert_null(d);
    assert_true(strlen(ng_worker_error(w)) > 0);
    assert_int_equal(ng_error_json("x", "bad \"thing\"", &json, &n), NG_OK);
    assert_string_equal(json, "{\"doc\":\"x\",\"error\":\"bad \\\"thing\\\"\"}");
    free(json);
    ng_worker_free(w);
    ng_model_free(m);
    ng_model_free(NULL);
    ng_worker_free(NULL);
    ng_doc_free(NULL);
}

static void strerror_texts(void **state)
{
    (void)state;
    for (int rc = 0; rc >= -12; rc--)
        assert_non_null(ng_strerror(rc));
    assert_string_equal(ng_strerror(NG_EBINARY), "binary data, not text");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(arena_alignment_and_growth), cmocka_unit_test(buf_and_json_escaping),
        cmocka_unit_test(utf8_decoding),              cmocka_unit_test(cp1252_table),
        cmocka_unit_test(char_classes),               cmocka_unit_test(strset_from_resources),
        cmocka_unit_test(fields_parse),               cmocka_unit_test(record_round_trip),
        cmocka_unit_test(strerror_texts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
