/*
 * test_quantity.c — unit tests of the quantities stage (src/quantity.c):
 * digits and words in English and French formats, scales, currencies with
 * periods, people nouns, modifiers, percentages, and what is not a
 * quantity (years, dates, ordinals).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "internal.h"

static ng_model *model;
static ng_worker *worker;

static int setup(void **state)
{
    (void)state;
    char err[256];
    if (ng_model_new(&model, NULL, err, sizeof err) != NG_OK)
        return -1;
    return ng_worker_new(model, &worker) == NG_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    ng_worker_free(worker);
    ng_model_free(model);
    return 0;
}

static ng_doc *analyze(const char *text, const char *lang)
{
    ng_source src;
    ng_source_default(&src);
    src.lang = lang;
    src.published = "2022-01-20";
    src.format = NG_FORMAT_TEXT;
    ng_doc *d = NULL;
    assert_int_equal(ng_analyze(worker, &src, text, strlen(text), &d), NG_OK);
    for (size_t i = 0; i < d->nquantities; i++)
        assert_true(d->quantities[i].span.start < d->quantities[i].span.end &&
                    d->quantities[i].span.end <= d->text_len);
    return d;
}

/* The quantity whose text starts with want_text (fails when none). */
static const ng_quantity *find(const ng_doc *d, const char *want_text)
{
    size_t n = strlen(want_text);
    for (size_t i = 0; i < d->nquantities; i++) {
        const ng_quantity *q = &d->quantities[i];
        if (q->span.end - q->span.start >= n && !memcmp(d->text + q->span.start, want_text, n))
            return q;
    }
    fail_msg("no quantity '%s'", want_text);
    return NULL;
}

static void test_english(void **state)
{
    (void)state;
    ng_doc *d = analyze("Washington pays $ 45 million per year, and France spent around € 880 million a year. "
                        "More than 4,000 French soldiers and a 4,500-strong force stayed; 12.5% left in 2013.",
                        "en");
    const ng_quantity *q = find(d, "$ 45 million");
    assert_true(q->value == 45e6);
    assert_string_equal(q->unit, "USD");
    assert_string_equal(q->per, "year");
    q = find(d, "around € 880 million");
    assert_true(q->value == 880e6);
    assert_string_equal(q->unit, "EUR");
    assert_string_equal(q->mod, "APPROX");
    q = find(d, "More than 4,000");
    assert_true(q->value == 4000);
    assert_string_equal(q->unit, "person");
    assert_string_equal(q->noun, "soldier");
    assert_string_equal(q->mod, "MORE_THAN");
    q = find(d, "4,500-strong");
    assert_true(q->value == 4500);
    assert_string_equal(q->noun, "force");
    q = find(d, "12.5");
    assert_string_equal(q->unit, "percent");
    for (size_t i = 0; i < d->nquantities; i++)
        assert_true(d->quantities[i].value != 2013); /* a year */
    ng_doc_free(d);
}

static void test_french(void **state)
{
    (void)state;
    ng_doc *d = analyze("La France a engagé 4 500 militaires, perdu cinquante-deux soldats et dépensé 1,5 million "
                        "d'euros ; quatre-vingt-dix personnes, soit 12,5 %, sont parties le 3 juillet.",
                        "fr");
    const ng_quantity *q = find(d, "4 500");
    assert_true(q->value == 4500);
    assert_string_equal(q->unit, "person");
    q = find(d, "cinquante-deux");
    assert_true(q->value == 52);
    q = find(d, "1,5 million");
    assert_true(q->value == 1.5e6);
    assert_string_equal(q->unit, "EUR");
    q = find(d, "quatre-vingt-dix");
    assert_true(q->value == 90);
    q = find(d, "12,5");
    assert_true(q->value == 12.5);
    for (size_t i = 0; i < d->nquantities; i++)
        assert_true(d->quantities[i].value != 3); /* a date */
    ng_doc_free(d);
    /* a modifier with an elided word, as the tokenizer cuts it ("jusqu'" "à") */
    d = analyze("Il y aura jusqu'à 5 000 soldats.", "fr");
    q = find(d, "jusqu'à 5 000");
    assert_true(q->value == 5000);
    assert_non_null(q->mod);
    assert_string_equal(q->mod, "AT_MOST");
    ng_doc_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_english), cmocka_unit_test(test_french)};
    return cmocka_run_group_tests(tests, setup, teardown);
}
