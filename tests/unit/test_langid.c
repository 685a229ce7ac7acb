/*
 * test_langid.c — unit tests of language identification (src/langid.c):
 * English, French and German text, a short text settled by the caller's
 * hint, a hint in a region form ("fr-FR"), empty and symbol-only text, and
 * the handle being made once per worker and reused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "testutil.h"


/* The language found for text with hint (may be NULL); copied into out. */
static void ident(const char *text, const char *hint, char out[8])
{
    ng_doc d;
    memset(&d, 0, sizeof d);
    ng_arena_init(&d.arena);
    d.model = model;
    d.text = ng_arena_strdup(&d.arena, text);
    d.text_len = strlen(text);
    d.lang_hint = hint ? ng_arena_strdup(&d.arena, hint) : NULL;
    assert_int_equal(ng_langid(worker, &d), NG_OK);
    memcpy(out, d.lang, 8);
    ng_arena_free(&d.arena);
}

static void english(void **state)
{
    (void)state;
    char l[8];
    ident("On Monday Paris called on Washington to maintain its military support for French efforts in the "
          "Sahel. The French Minister of Defense met her American counterpart at the Pentagon.", NULL, l);
    assert_string_equal(l, "en");
    /* a French hint does not override a clear English text */
    ident("The minister said that the troops would stay in the region for as long as they were needed.", "fr", l);
    assert_string_equal(l, "en");
}

static void french(void **state)
{
    (void)state;
    char l[8];
    ident("Le ministre am\xC3\xA9ricain de la D\xC3\xA9" "fense se rend cette semaine \xC3\xA0 Paris pour discuter "
          "avec le pr\xC3\xA9sident fran\xC3\xA7" "ais et la ministre des Arm\xC3\xA9" "es.", NULL, l);
    assert_string_equal(l, "fr");
}

static void german(void **state)
{
    (void)state;
    char l[8];
    ident("Die Bundesregierung hat am Montag beschlossen, dass die Soldaten noch bis zum Ende des Jahres in "
          "Mali bleiben sollen. Der Verteidigungsminister sagte, es gebe keine Alternative.", NULL, l);
    assert_string_equal(l, "de");
}

static void other_language_by_ngrams(void **state)
{
    (void)state;
    char l[8];
    /* Polish has no stopword list: libexttextcat decides (when its fingerprints are installed) */
    ident("Rz\xC4\x85" "d podj\xC4\x85\xC5\x82 w poniedzia\xC5\x82" "ek decyzj\xC4\x99 o przed\xC5\x82u\xC5\xbc" "eniu misji "
          "wojskowej w Afryce Zachodniej do ko\xC5\x84" "ca przysz\xC5\x82" "ego roku.", NULL, l);
    assert_string_not_equal(l, "en");
    assert_string_not_equal(l, "fr");
}

static void short_text_uses_hint(void **state)
{
    (void)state;
    char l[8];
    ident("Barkhane 2020", "fr-FR", l);
    assert_string_equal(l, "fr");
    ident("Barkhane 2020", "EN_us", l);
    assert_string_equal(l, "en");
    /* a hint that is not a two-letter code is ignored */
    ident("Barkhane 2020", "french", l);
    assert_string_equal(l, "");
    /* a short text with clear function words needs no hint */
    ident("Il est dans la maison et le jardin.", NULL, l);
    assert_string_equal(l, "fr");
}

static void empty_and_symbols(void **state)
{
    (void)state;
    char l[8];
    ident("", NULL, l);
    assert_string_equal(l, "");
    ident("12345 --- !!! 678", NULL, l);
    assert_string_equal(l, "");
    ident("", "de", l);
    assert_string_equal(l, "de");
}

static void handle_is_reused(void **state)
{
    (void)state;
    char l[8];
    ident("The troops will stay in the region.", NULL, l);
    void *h = worker->textcat;
    assert_non_null(h);
    ident("Les troupes resteront dans la r\xC3\xA9gion.", NULL, l);
    assert_ptr_equal(worker->textcat, h);
    assert_string_equal(l, "fr");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(english),
        cmocka_unit_test(french),
        cmocka_unit_test(german),
        cmocka_unit_test(other_language_by_ngrams),
        cmocka_unit_test(short_text_uses_hint),
        cmocka_unit_test(empty_and_symbols),
        cmocka_unit_test(handle_is_reused),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
