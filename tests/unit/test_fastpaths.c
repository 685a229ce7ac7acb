/*
 * test_fastpaths.c — the speed-ups of the library agree with the plain way
 * of doing the same thing: the string sets' hash index with a linear scan
 * of the sorted items, the ASCII fast path of ng_fold with folding one
 * code point at a time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
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
        "x\xFFy", "SAY “HI” … ‘NOW’ –", "",
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(strset_index_agrees_with_scan),
        cmocka_unit_test(fold_fast_paths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
