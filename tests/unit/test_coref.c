/*
 * test_coref.c — unit tests of coreference (src/coref.c): pronouns linked by
 * gender from first names and honorifics, possessives, descriptions and
 * appositions, the fallback when gender disagrees, French pronouns, and
 * the mention lists staying in text order.
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
#include "testutil.h"


/* The doc of text with the given entities (testutil.h), after coreference
 * and quotes. */
static ng_doc *with_entities(const char *text, const char *lang, const char *const *names)
{
    ng_doc *d = doc_with_entities(text, lang, names);
    assert_int_equal(ng_coref(worker, d), NG_OK);
    assert_int_equal(ng_quotes(worker, d), NG_OK);
    /* every entity's mentions stay in text order; the ones coreference
     * added say what they are (a name starts with a capital letter or a
     * digit only when it is a name, so a lowercase mention is never one) */
    for (size_t e = 0; e < d->nentities; e++) {
        for (size_t k = 1; k < d->entities[e].nmentions; k++)
            assert_true(d->entities[e].mentions[k - 1].span.start <= d->entities[e].mentions[k].span.start);
        for (size_t k = 0; k < d->entities[e].nmentions; k++) {
            const ng_mention *m = &d->entities[e].mentions[k];
            if (m->text[0] >= 'a' && m->text[0] <= 'z')
                assert_int_not_equal(m->kind, NG_MENTION_NAME);
            if (strcmp(m->text, "She") == 0 || strcmp(m->text, "He") == 0)
                assert_int_equal(m->kind, NG_MENTION_PRONOUN);
        }
    }
    return d;
}

/* The name of the entity holding a mention that starts at the n-th
 * occurrence (from 0) of word w as a whole word, or NULL. */
static const char *owner(const ng_doc *d, const char *w, int nth)
{
    size_t n = strlen(w);
    uint32_t at = UINT32_MAX;
    for (uint32_t k = 0; k + n <= d->text_len; k++) {
        if (memcmp(d->text + k, w, n) != 0)
            continue;
        if ((k && d->text[k - 1] != ' ' && d->text[k - 1] != '-' && d->text[k - 1] != '\n') ||
            (k + n < d->text_len && d->text[k + n] != ' ' && d->text[k + n] != ',' && d->text[k + n] != '.'))
            continue;
        if (nth-- == 0) {
            at = k;
            break;
        }
    }
    for (size_t e = 0; e < d->nentities && at != UINT32_MAX; e++)
        for (size_t k = 0; k < d->entities[e].nmentions; k++)
            if (d->entities[e].mentions[k].span.start == at)
                return d->entities[e].name;
    return NULL;
}

static void test_gender_from_first_name(void **state)
{
    (void)state;
    static const char *const names[] = {"PER:Florence Parly", "PER:Mark Esper", "ORG:Pentagon", NULL};
    ng_doc *d = with_entities("Florence Parly met Mark Esper at the Pentagon on Monday. She said the talks went well. "
                              "He did not answer.",
                              "en", names);
    const char *she = owner(d, "She", 0);
    const char *he = owner(d, "He", 0);
    assert_non_null(she);
    assert_non_null(he);
    assert_non_null(strstr(she, "Parly"));
    assert_non_null(strstr(he, "Esper"));
    ng_doc_free(d);
    /* more first names: the second person named is the one who agrees */
    static const char *const more[] = {"PER:Gwendolyn Hart", "PER:Desmond Cole", NULL};
    d = with_entities("Gwendolyn Hart met Desmond Cole on Monday. He said the talks went well.", "en", more);
    assert_non_null(owner(d, "He", 0));
    assert_string_equal(owner(d, "He", 0), "Desmond Cole");
    ng_doc_free(d);
    d = with_entities("Desmond Cole met Gwendolyn Hart on Monday. She said the talks went well.", "en", more);
    assert_non_null(owner(d, "She", 0));
    assert_string_equal(owner(d, "She", 0), "Gwendolyn Hart");
    ng_doc_free(d);
}

static void test_honorific(void **state)
{
    (void)state;
    static const char *const names[] = {"PER:Lambrecht", "PER:Kamin", "LOC:Berlin", NULL};
    ng_doc *d = with_entities("Ms. Lambrecht spoke with Mr. Kamin in Berlin. She asked for more time.", "en", names);
    const char *she = owner(d, "She", 0);
    assert_non_null(she);
    assert_non_null(strstr(she, "Lambrecht"));
    ng_doc_free(d);
}

static void test_description_and_apposition(void **state)
{
    (void)state;
    static const char *const names[] = {"LOC:Paris", "LOC:Washington", "PER:Florence Parly", "ORG:Pentagon",
                                        "MISC:American", "PER:Mark Esper", NULL};
    ng_doc *d = with_entities("Paris called on Washington through the voice of Florence Parly. The French minister met "
                              "at the Pentagon with her American counterpart, Mark Esper.",
                              "en", names);
    const char *min = owner(d, "The", 0);
    assert_non_null(min);
    assert_non_null(strstr(min, "Parly"));
    const char *cp = owner(d, "her", 0);
    assert_non_null(cp); /* "her" is Parly, the possessor */
    assert_non_null(strstr(cp, "Parly"));
    ng_doc_free(d);
}

static void test_typo_fallback(void **state)
{
    (void)state;
    /* a woman minister, and an article that says "his": nothing else fits */
    static const char *const names[] = {"PER:Florence Parly", "LOC:Washington", NULL};
    ng_doc *d = with_entities("Florence Parly arrived in Washington on Monday. During his visit the minister met "
                              "several officials.",
                              "en", names);
    const char *his = owner(d, "his", 0);
    assert_non_null(his);
    assert_non_null(strstr(his, "Parly"));
    ng_doc_free(d);
}

static void test_french(void **state)
{
    (void)state;
    static const char *const names[] = {"ORG:Arm\xc3\xa9" "es", "PER:Florence Parly", "PER:Jim Mattis", NULL};
    ng_doc *d = with_entities("La ministre des Arm\xc3\xa9" "es Florence Parly a rencontr\xc3\xa9 Jim Mattis mardi. "
                              "Elle a salu\xc3\xa9 la coop\xc3\xa9ration. Il a promis de rester.",
                              "fr", names);
    const char *elle = owner(d, "Elle", 0);
    const char *il = owner(d, "Il", 0);
    assert_non_null(elle);
    assert_non_null(il);
    assert_non_null(strstr(elle, "Parly"));
    assert_non_null(strstr(il, "Mattis"));
    ng_doc_free(d);
}

static void test_organisation_nouns_and_it(void **state)
{
    (void)state;
    static const char *const names[] = {"PER:Ana Ruiz", "ORG:Northfield Savings Bank", "ORG:Acme Steel", NULL};
    /* "the bank": the organisation whose name holds the noun, even when
     * another one was named since */
    ng_doc *d = with_entities("Ana Ruiz met the board of Northfield Savings Bank on Monday. Acme Steel was not there. "
                              "The bank said that it would cut its fees.",
                              "en", names);
    assert_non_null(owner(d, "The", 0));
    assert_string_equal(owner(d, "The", 0), "Northfield Savings Bank");
    ng_doc_free(d);
    /* "the company said": no name holds the noun, the organisation just named */
    d = with_entities("Acme Steel closed a plant in May. The company said that the move would save money.", "en",
                      names);
    assert_non_null(owner(d, "The", 0));
    assert_string_equal(owner(d, "The", 0), "Acme Steel");
    ng_doc_free(d);
    /* an organisation noun that does not speak and names nobody stays unlinked */
    d = with_entities("Ana Ruiz praised Acme Steel. The fund grew by a third.", "en", names);
    assert_null(owner(d, "The", 0));
    ng_doc_free(d);
    /* a name right after an organisation noun is an organisation, even when
     * tagged as a person ("la société Renault") */
    static const char *const fr[] = {"PER:Renault", "PER:Marie Durand", NULL};
    d = with_entities("La soci\xc3\xa9t\xc3\xa9 Renault a publi\xc3\xa9 ses comptes mardi. Marie Durand est "
                      "partie. L'entreprise a indiqu\xc3\xa9 que les ventes avaient baiss\xc3\xa9.",
                      "fr", fr);
    assert_non_null(owner(d, "L'entreprise", 0));
    assert_string_equal(owner(d, "L'entreprise", 0), "Renault");
    ng_doc_free(d);
    /* "it said": the first organisation or state named in the nearest
     * sentence that names one (the subject), not the last */
    static const char *const st[] = {"LOC:Paris", "ORG:European Union", "MISC:French", "ORG:Acme Steel", NULL};
    d = with_entities("Paris has begun to reduce its presence, and asked the European Union for help. It also said "
                      "that it would keep three bases.",
                      "en", st);
    assert_non_null(owner(d, "It", 0));
    assert_string_equal(owner(d, "It", 0), "Paris");
    ng_doc_free(d);
    /* an organisation noun with a named modifier is that country's: no
     * nearest-organisation guess */
    d = with_entities("Acme Steel closed a plant. The French government said that it would not intervene.", "en", st);
    assert_null(owner(d, "The", 0));
    ng_doc_free(d);
    /* "it" is linked to an organisation only when it speaks */
    d = with_entities("Acme Steel closed its plant in May. It said the move would save money. It was a hard year.",
                      "en", names);
    assert_non_null(owner(d, "It", 0));
    assert_string_equal(owner(d, "It", 0), "Acme Steel");
    assert_null(owner(d, "It", 1));
    ng_doc_free(d);
}

static void test_titles_across_sentences(void **state)
{
    (void)state;
    static const char *const names[] = {"PER:Tom Hale", "PER:Ana Ruiz", "PER:Mark Lee", NULL};
    /* "Sen. Ruiz" ... "the senator": a short title and the word it stands
     * for are one title, and a title reaches further back than a pronoun */
    ng_doc *d = with_entities("Sen. Ana Ruiz opened the hearing. The room was full. Tom Hale spoke for an hour. "
                              "Mark Lee spoke next. The clerks took notes. Nobody left early. The senator closed the "
                              "hearing at noon.",
                              "en", names);
    assert_non_null(owner(d, "The senator", 0));
    assert_string_equal(owner(d, "The senator", 0), "Ana Ruiz");
    ng_doc_free(d);
    /* with no title to go by, a description far back stays unlinked */
    d = with_entities("Ana Ruiz opened the hearing. The room was full. The clerks took notes. Nobody left early. "
                      "Lunch was served. The senator closed the hearing at noon.",
                      "en", names);
    assert_null(owner(d, "The senator", 0));
    ng_doc_free(d);
}

static void test_french_apposition_with_article(void **state)
{
    (void)state;
    static const char *const names[] = {"PER:Mark Esper", "PER:Fran\xc3\xa7ois Lecointre", NULL};
    /* "Le chef d'état-major, le général François Lecointre": the apposition
     * past an article and a title, the complement with an elided "d'" */
    ng_doc *d = with_entities("Mark Esper est arriv\xc3\xa9 lundi. Le chef d'\xc3\xa9tat-major, le g\xc3\xa9n\xc3\xa9ral "
                              "Fran\xc3\xa7ois Lecointre, a rappel\xc3\xa9 que les soldats sont fatigu\xc3\xa9s.",
                              "fr", names);
    assert_non_null(owner(d, "Le", 0));
    assert_string_equal(owner(d, "Le", 0), "Fran\xc3\xa7ois Lecointre");
    ng_doc_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gender_from_first_name), cmocka_unit_test(test_honorific),
        cmocka_unit_test(test_description_and_apposition), cmocka_unit_test(test_typo_fallback),
        cmocka_unit_test(test_french), cmocka_unit_test(test_organisation_nouns_and_it),
        cmocka_unit_test(test_titles_across_sentences),
        cmocka_unit_test(test_french_apposition_with_article),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
