/*
 * test_ner_group.c — the entities stage end to end with the shipped models
 * (models/ner-en.bin, ner-fr.bin): within-article grouping (a surname and
 * an honorific join the full name, case variants, an acronym defined in
 * parentheses), titles and country, and the fullest canonical name.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include "internal.h"

static ng_model *model;
static ng_worker *worker;

static int setup(void **state)
{
    (void)state;
    char err[512];
    if (ng_model_new(&model, NULL, err, sizeof err) != NG_OK) {
        print_error("%s\n", err);
        return -1;
    }
    if (ng_worker_new(model, &worker) != NG_OK)
        return -1;
    ng_worker_set_stages(worker, NG_STAGE_ENTITIES);
    return 0;
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
    src.format = NG_FORMAT_TEXT;
    ng_doc *d = NULL;
    assert_int_equal(ng_analyze(worker, &src, text, strlen(text), &d), NG_OK);
    return d;
}

/* The entity with a mention whose text is s, or NULL. */
static const ng_entity *with_mention(const ng_doc *d, const char *s)
{
    for (size_t i = 0; i < d->nentities; i++)
        for (size_t k = 0; k < d->entities[i].nmentions; k++)
            if (strcmp(d->entities[i].mentions[k].text, s) == 0)
                return &d->entities[i];
    return NULL;
}

static int has_title(const ng_entity *e, const char *t)
{
    for (size_t i = 0; i < e->ntitles; i++)
        if (strcasecmp(e->titles[i], t) == 0)
            return 1;
    return 0;
}

static void person_grouped_with_titles(void **state)
{
    (void)state;
    ng_doc *d = analyze("PARIS, Jan 27 - French Minister of Defense Florence Parly travelled to Washington on "
                        "Monday to meet Mark Esper, the U.S. Secretary of Defense.\n"
                        "Ms. Parly told reporters that the talks with Esper had been useful.\n"
                        "Parly said France would keep its soldiers in Mali.\n",
                        "en");
    const ng_entity *a = with_mention(d, "Florence Parly");
    assert_non_null(a);
    assert_string_equal(a->type, "PER");
    assert_string_equal(a->name, "Florence Parly");
    assert_ptr_equal(with_mention(d, "Parly"), a); /* the surname joins the full name */
    assert_true(has_title(a, "French Minister of Defense"));
    assert_non_null(a->country);
    assert_string_equal(a->country, "FRA");
    const ng_entity *b = with_mention(d, "Mark Esper");
    assert_non_null(b);
    assert_ptr_equal(with_mention(d, "Esper"), b);
    assert_ptr_not_equal(a, b);
    /* a country from the gazetteer; "PARIS" and nothing else in capitals */
    const ng_entity *m = with_mention(d, "Mali");
    assert_non_null(m);
    assert_string_equal(m->type, "LOC");
    assert_string_equal(m->country, "MLI");
    /* ids in order of first mention, mentions in text order */
    for (size_t i = 0; i < d->nentities; i++) {
        assert_int_equal(d->entities[i].id, i + 1);
        for (size_t k = 1; k < d->entities[i].nmentions; k++)
            assert_true(d->entities[i].mentions[k].span.start > d->entities[i].mentions[k - 1].span.start);
    }
    ng_doc_free(d);
}

static void acronym_joins_long_form(void **state)
{
    (void)state;
    ng_doc *d = analyze("Les Forces démocratiques syriennes (FDS) ont repris la ville. Selon un porte-parole "
                        "des FDS, les combats ont duré trois jours. La ministre des Armées Florence Parly "
                        "a salué les FDS.\n",
                        "fr");
    const ng_entity *f = with_mention(d, "FDS");
    assert_non_null(f);
    assert_string_equal(f->type, "ORG");
    assert_string_equal(f->name, "Forces démocratiques syriennes"); /* the fullest form */
    size_t n = 0;
    for (size_t k = 0; k < f->nmentions; k++)
        n += strcmp(f->mentions[k].text, "FDS") == 0;
    assert_int_equal(n, 3);
    const ng_entity *p = with_mention(d, "Florence Parly");
    assert_non_null(p);
    assert_string_equal(p->type, "PER");
    assert_true(has_title(p, "ministre des Armées"));
    ng_doc_free(d);
}

static void case_variants_one_entity(void **state)
{
    (void)state;
    ng_doc *d = analyze("BERLIN, March 3 - Germany's government met in Berlin on Tuesday. Officials in Berlin "
                        "said the meeting would continue.\n",
                        "en");
    const ng_entity *a = with_mention(d, "BERLIN"), *b = with_mention(d, "Berlin");
    assert_non_null(b);
    if (a) /* the dateline may be left out of the text; when it is there, it is the same place */
        assert_ptr_equal(a, b);
    assert_string_equal(b->name, "Berlin"); /* mixed case beats capitals */
    assert_string_equal(b->country, "DEU");
    ng_doc_free(d);
}

/* French puts the nationality adjective inside the title ("la ministre
 * française des Armées"): the title is still cut off the name, and the
 * adjective gives the country. */
static void french_title_with_nationality(void **state)
{
    (void)state;
    ng_doc *d = analyze("La ministre française des Armées Camille Durand a présenté jeudi à Varsovie le projet. "
                        "Le secrétaire américain à la Défense Paul Whitmore est arrivé mardi à Paris.\n",
                        "fr");
    const ng_entity *p = with_mention(d, "Camille Durand");
    assert_non_null(p);
    assert_string_equal(p->type, "PER");
    assert_string_equal(p->name, "Camille Durand");
    assert_true(has_title(p, "ministre française des Armées"));
    assert_non_null(p->country);
    assert_string_equal(p->country, "FRA");
    /* French counts the title right before a person into the name as
     * written (the HIPE convention); the entity's name stays bare */
    const ng_entity *w = with_mention(d, "secrétaire américain à la Défense Paul Whitmore");
    assert_non_null(w);
    assert_string_equal(w->name, "Paul Whitmore");
    assert_true(has_title(w, "secrétaire américain à la Défense"));
    assert_string_equal(w->country, "USA");
    ng_doc_free(d);
}

/* A first name that is also a city ("Florence") tagged a place, the
 * surname after it left out: one person. */
static void first_name_extends_to_person(void **state)
{
    (void)state;
    ng_doc *d = analyze("« Nous resterons », a déclaré Florence Parly lundi.\n", "fr");
    const ng_entity *p = with_mention(d, "Florence Parly");
    assert_non_null(p);
    assert_string_equal(p->type, "PER");
    ng_doc_free(d);
    d = analyze("La ministre s'est rendue à Florence lundi.\n", "fr");
    const ng_entity *c = with_mention(d, "Florence");
    if (c) /* the city alone stays a place */
        assert_string_equal(c->type, "LOC");
    ng_doc_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(person_grouped_with_titles),
        cmocka_unit_test(acronym_joins_long_form),
        cmocka_unit_test(case_variants_one_entity),
        cmocka_unit_test(french_title_with_nationality),
        cmocka_unit_test(first_name_extends_to_person),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
