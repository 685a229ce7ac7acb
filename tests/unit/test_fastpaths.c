/*
 * test_fastpaths.c — the speed-ups of the library agree with the plain way
 * of doing the same thing: the string sets' hash index with a linear scan
 * of the sorted items, the ASCII fast path of ng_fold with folding one
 * code point at a time, the JSON string writer (eight bytes at a time)
 * with escaping one byte at a time, the record's spans with printf,
 * ng_utf8_check with decoding one code point at a time, the decoder's
 * binary-data test (eight bytes at a time) with counting byte by byte.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <utf8proc.h>

#include "internal.h"

/* Lists of every kind the model loads (folded and not, long and short). */
static const char *const lists[] = {
    "en/stopwords.txt",      "fr/stopwords.txt",     "en/abbreviations.txt", "fr/abbreviations.txt",
    "en/chrome-prefixes.txt", "fr/chrome-prefixes.txt", "en/chrome-phrases.txt", "en/clitics.txt",
    "fr/hyphen-clitics.txt", "fr/elisions.txt",       "common/agencies.txt",  "common/html-negative.txt",
    "common/langid-stopwords.txt",
};

/* Reference: whether key[0..n) is an item, by a linear scan. */
static int ref_has(const ng_strset *s, const char *key, size_t n)
{
    for (size_t i = 0; i < s->n; i++)
        if (strlen(s->items[i]) == n && memcmp(s->items[i], key, n) == 0)
            return 1;
    return 0;
}

/* Reference: the items that begin with key[0..n), by a linear scan; they
 * must be adjacent. */
static size_t ref_prefix(const ng_strset *s, const char *key, size_t n, size_t *lo, size_t *hi)
{
    size_t count = 0;
    *lo = *hi = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (strncmp(s->items[i], key, n) == 0 && strlen(s->items[i]) >= n) {
            if (count == 0)
                *lo = i;
            *hi = i + 1;
            count++;
        }
    }
    assert_int_equal(count, *hi - *lo);
    return count;
}

/* Checks s against the references on its items, their prefixes and some
 * strings that are neither. */
static void check_set(const ng_strset *s)
{
    char key[256];
    for (size_t i = 0; i < s->n; i++) {
        const char *it = s->items[i];
        size_t k = strlen(it);
        assert_true(k + 2 < sizeof key);
        assert_true(ng_strset_has(s, it, k));
        for (size_t j = 1; j <= k; j++) {
            size_t lo, hi, rlo, rhi;
            size_t got = ng_strset_prefix(s, it, j, &lo, &hi);
            assert_int_equal(got, ref_prefix(s, it, j, &rlo, &rhi));
            assert_int_equal(lo, rlo);
            assert_int_equal(hi, rhi);
            assert_int_equal(ng_strset_has(s, it, j), ref_has(s, it, j));
        }
        /* one byte more, one byte changed */
        memcpy(key, it, k);
        key[k] = 'q';
        assert_int_equal(ng_strset_has(s, key, k + 1), ref_has(s, key, k + 1));
        size_t lo, hi, rlo, rhi;
        assert_int_equal(ng_strset_prefix(s, key, k + 1, &lo, &hi), ref_prefix(s, key, k + 1, &rlo, &rhi));
        key[k - 1] ^= 1;
        assert_int_equal(ng_strset_has(s, key, k), ref_has(s, key, k));
    }
    assert_false(ng_strset_has(s, "", 0));
    size_t lo, hi;
    assert_int_equal(ng_strset_prefix(s, "", 0, &lo, &hi), 0);
}

static void strset_index_agrees_with_scan(void **state)
{
    (void)state;
    for (size_t l = 0; l < sizeof lists / sizeof *lists; l++) {
        ng_strset s;
        assert_int_equal(ng_strset_load(&s, lists[l], 1, 0), NG_OK);
        assert_true(s.n == 0 || s.index != NULL);
        check_set(&s);
        /* without the index (as after running out of memory at load):
         * binary search, same answers */
        free(s.index);
        s.index = NULL;
        check_set(&s);
        ng_strset_free(&s);
    }
}

/* Reference fold: one code point at a time, as utf8proc lowercases. */
static size_t ref_fold(const char *s, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        int k = ng_utf8_decode((const unsigned char *)s + i, n - i, &cp);
        if (k == 0) {
            i++;
            continue;
        }
        i += (size_t)k;
        char enc[4];
        int m = ng_utf8_encode((uint32_t)utf8proc_tolower((utf8proc_int32_t)cp), enc);
        if (o + (size_t)m >= cap)
            break;
        memcpy(out + o, enc, (size_t)m);
        o += (size_t)m;
    }
    out[o] = '\0';
    return o;
}

static void fold_fast_paths(void **state)
{
    (void)state;
    static const char *const samples[] = {
        "Hello World", "ÉTAT Islamique", "L’Élysée — « Déjà » ÀÖØÞ×ß", "ⅫⒶ Ω ǅ İstanbul", "a\xC3", "\xE2\x80",
        "x\xFFy", "SAY “HI” … ‘NOW’ –", "", "@AZ[`az{ ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789 Zürich ZÜRICH \x7f\x01",
    };
    char got[64], want[64];
    for (size_t i = 0; i < sizeof samples / sizeof *samples; i++) {
        size_t n = strlen(samples[i]);
        for (size_t cap = 1; cap < sizeof got; cap++) {
            size_t a = ng_fold(samples[i], n, got, cap);
            size_t b = ref_fold(samples[i], n, want, cap);
            assert_int_equal(a, b);
            assert_string_equal(got, want);
        }
    }
}

/* Reference JSON string writer: one character at a time. */
static void ref_json_str(ng_buf *b, const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    ng_buf_putc(b, '"');
    for (size_t i = 0; i < n;) {
        unsigned char c = u[i];
        if (c == '"' || c == '\\') {
            ng_buf_putc(b, '\\');
            ng_buf_putc(b, (char)c);
            i++;
        } else if (c < 0x20) {
            static const char *const esc[32] = {[8] = "\\b", [9] = "\\t", [10] = "\\n", [12] = "\\f", [13] = "\\r"};
            char tmp[8];
            if (esc[c])
                ng_buf_puts(b, esc[c]);
            else {
                snprintf(tmp, sizeof tmp, "\\u%04x", c);
                ng_buf_puts(b, tmp);
            }
            i++;
        } else if (c < 0x80) {
            ng_buf_putc(b, (char)c);
            i++;
        } else {
            uint32_t cp;
            int k = ng_utf8_decode(u + i, n - i, &cp);
            if (k == 0) {
                ng_buf_puts(b, "\xEF\xBF\xBD");
                i++;
            } else if (cp == 0x2028 || cp == 0x2029) {
                ng_buf_puts(b, cp == 0x2028 ? "\\u2028" : "\\u2029");
                i += (size_t)k;
            } else {
                ng_buf_put(b, s + i, (size_t)k);
                i += (size_t)k;
            }
        }
    }
    ng_buf_putc(b, '"');
}

static void json_str_fast_path(void **state)
{
    (void)state;
    /* pieces that random strings are made of: runs of plain ASCII, every
     * kind of escape, valid and invalid UTF-8 of each length */
    static const char *const pieces[] = {
        "abcdefgh", "The quick brown fox ", "\"", "\\", "\n", "\t", "\x01", "\x1f", "\x7f", " ", "é", "’",
        "\xE2\x80\xA8", "\xE2\x80\xA9", "\xF0\x9F\x98\x80", "\xC3", "\xE2\x80", "\xED\xA0\x80", "\xE0\x80\x80",
        "\xC0\xAF", "\xFF", "\x80", "\xEF\xBF\xBF", "\xE0\xA4\x85", "\xF4\x90\x80\x80",
    };
    const size_t npieces = sizeof pieces / sizeof *pieces;
    unsigned seed = 12345;
    char in[512];
    for (int round = 0; round < 20000; round++) {
        size_t n = 0;
        int count = (int)(seed % 24);
        for (int p = 0; p < count; p++) {
            seed = seed * 1103515245u + 12345u;
            const char *piece = pieces[(seed >> 16) % npieces];
            size_t k = strlen(piece);
            if (n + k > sizeof in)
                break;
            memcpy(in + n, piece, k);
            n += k;
        }
        seed = seed * 1103515245u + 12345u;
        /* cut anywhere, so that sequences are truncated at the end too */
        if (n)
            n -= (seed >> 16) % (n < 4 ? n : 4);
        ng_buf got, want;
        ng_buf_init(&got);
        ng_buf_init(&want);
        ng_buf_json_str(&got, in, n);
        ref_json_str(&want, in, n);
        assert_int_equal(got.len, want.len);
        assert_memory_equal(got.p, want.p, got.len);
        ng_buf_free(&got);
        ng_buf_free(&want);
    }
}

/* Reference: offset of the first invalid UTF-8 byte, one code point at a
 * time. */
static size_t ref_utf8_check(const char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        int k = ng_utf8_decode((const unsigned char *)s + i, n - i, &cp);
        if (k == 0)
            return i;
        i += (size_t)k;
    }
    return n;
}

/* Random strings made of the pieces of json_str_fast_path. */
static size_t random_text(unsigned *seed, char *in, size_t cap)
{
    static const char *const pieces[] = {
        "abcdefgh", "The quick brown fox ", "\n", "\t", "\x01", "\x1f", "\x7f", " ", "é", "’", "\xE2\x80\xA8",
        "\xF0\x9F\x98\x80", "\xC3", "\xE2\x80", "\xED\xA0\x80", "\xED\x9F\xBF", "\xE0\x80\x80", "\xE0\xA0\x80",
        "\xC0\xAF", "\xC1\xBF", "\xFF", "\x80", "\xEF\xBF\xBF", "\xF4\x90\x80\x80", "\xF5\x80\x80\x80",
    };
    size_t n = 0;
    int count = (int)(*seed % 24);
    for (int p = 0; p < count; p++) {
        *seed = *seed * 1103515245u + 12345u;
        const char *piece = pieces[(*seed >> 16) % (sizeof pieces / sizeof *pieces)];
        size_t k = strlen(piece);
        if (n + k > cap)
            break;
        memcpy(in + n, piece, k);
        n += k;
    }
    *seed = *seed * 1103515245u + 12345u;
    if (n)
        n -= (*seed >> 16) % (n < 4 ? n : 4);
    return n;
}

static void utf8_check_fast_path(void **state)
{
    (void)state;
    unsigned seed = 777;
    char in[512];
    for (int round = 0; round < 20000; round++) {
        size_t n = random_text(&seed, in, sizeof in);
        assert_int_equal(ng_utf8_check(in, n), ref_utf8_check(in, n));
    }
}

/* The decoder refuses text with many control characters (more than 1 in
 * 64, at least 4) and keeps text with few, wherever they fall. */
static void decode_binary_test(void **state)
{
    (void)state;
    ng_model *m;
    ng_worker *w;
    char err[128];
    ng_model_options opt;
    ng_model_options_default(&opt);
    assert_int_equal(ng_model_new(&m, &opt, err, sizeof err), NG_OK);
    assert_int_equal(ng_worker_new(m, &w), NG_OK);
    char text[300];
    for (size_t nctl = 0; nctl <= 6; nctl++) {
        for (size_t at = 0; at + nctl <= 256; at += 37) {
            size_t n = 256;
            memset(text, 'a', n);
            for (size_t i = 0; i < n; i += 50)
                text[i] = '\n'; /* line ends are never counted */
            for (size_t c = 0; c < nctl; c++)
                text[at + c] = (char)(c % 2 ? 0x01 : 0x1b);
            ng_buf out;
            ng_buf_init(&out);
            int rc = ng_decode(w, text, n, NULL, &out);
            int want = nctl >= 4 && nctl * 64 > n ? NG_EBINARY : NG_OK;
            assert_int_equal(rc, want);
            if (rc == NG_EBINARY) {
                char where[64];
                snprintf(where, sizeof where, "the first at offset %zu)", at);
                assert_non_null(strstr(ng_worker_error(w), where));
            }
            ng_buf_free(&out);
        }
    }
    ng_worker_free(w);
    ng_model_free(m);
}

static void record_spans_as_printf(void **state)
{
    (void)state;
    ng_doc *d = calloc(1, sizeof *d);
    assert_non_null(d);
    ng_arena_init(&d->arena);
    static const uint32_t v[] = {0, 1, 9, 10, 99, 100, 12345, 999999999, 1000000000, 4294967295u};
    const size_t nv = sizeof v / sizeof *v;
    d->id = "x";
    d->text = "";
    d->sentences = ng_arena_alloc(&d->arena, nv * sizeof *d->sentences);
    d->nsentences = nv;
    char want[1024];
    size_t o = (size_t)snprintf(want, sizeof want, "{\"doc\":\"x\",\"sentences\":[");
    for (size_t i = 0; i < nv; i++) {
        d->sentences[i].start = v[i];
        d->sentences[i].end = v[nv - 1 - i];
        o += (size_t)snprintf(want + o, sizeof want - o, "%s[%u,%u]", i ? "," : "", v[i], v[nv - 1 - i]);
    }
    snprintf(want + o, sizeof want - o, "]}");
    char *out;
    size_t len;
    assert_int_equal(ng_doc_json(d, NG_FIELD_SENTENCES, 0, &out, &len), NG_OK);
    assert_string_equal(out, want);
    free(out);
    d->nsentences = 0;
    assert_int_equal(ng_doc_json(d, NG_FIELD_SENTENCES, 0, &out, &len), NG_OK);
    assert_string_equal(out, "{\"doc\":\"x\",\"sentences\":[]}");
    free(out);
    ng_arena_free(&d->arena);
    free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(strset_index_agrees_with_scan),
        cmocka_unit_test(fold_fast_paths),
        cmocka_unit_test(json_str_fast_path),
        cmocka_unit_test(record_spans_as_printf),
        cmocka_unit_test(utf8_check_fast_path),
        cmocka_unit_test(decode_binary_test),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
