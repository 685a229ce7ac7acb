/*
 * test_events.c — unit tests of the event stage (src/events.c) through the
 * whole pipeline: subjects and objects, passives, coordination, infinitive
 * complements, negation and mood, actor codes from countries, demonyms
 * and agent words, sports sentences discarded, the user's PETRARCH
 * dictionaries (and a bad one refused), the codebook, and bad input.
 * Sentences are written for these tests.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "events.h"
#include "testutil.h"

static ng_doc *analyze_on(ng_worker *w, const char *text, const char *lang, const char *published)
{
    ng_source src;
    ng_source_default(&src);
    src.id = "t";
    src.lang = lang;
    src.published = published;
    ng_doc *d = NULL;
    assert_int_equal(ng_analyze(w, &src, text, strlen(text), &d), NG_OK);
    return d;
}

static ng_doc *analyze(ng_worker *w, const char *text, const char *lang)
{
    return analyze_on(w, text, lang, "2021-03-04");
}

/* The first event whose code starts with root, or NULL. */
static const ng_event *find(const ng_doc *d, const char *root)
{
    for (size_t i = 0; i < d->nevents; i++)
        if (strncmp(d->events[i].code, root, strlen(root)) == 0)
            return &d->events[i];
    return NULL;
}

static int actor_is(const ng_ev_side *s, const char *prefix)
{
    return s->actor && strncmp(s->actor, prefix, strlen(prefix)) == 0;
}

static void test_subject_object(void **state)
{
    (void)state;
    ng_doc *d = analyze(worker, "France imposed sanctions on Mali on Tuesday.", "en");
    const ng_event *e = find(d, "16");
    assert_non_null(e);
    assert_true(actor_is(&e->source, "FRA"));
    assert_true(actor_is(&e->target, "MLI"));
    assert_int_equal(e->negated, 0);
    assert_int_equal(e->mood, NG_MOOD_NONE);
    assert_int_equal(e->quad, 4);
    assert_true(e->goldstein < 0);
    assert_non_null(e->date);
    assert_int_equal(strncmp(e->date, "2021-03", 7), 0); /* Tuesday of the article's week */
    assert_int_equal(e->sentence, 0);
    ng_doc_free(d);
}

static void test_passive(void **state)
{
    (void)state;
    ng_doc *d = analyze(worker, "Chadian soldiers were attacked by Nigerian rebels near the border.", "en");
    const ng_event *e = NULL;
    for (size_t i = 0; i < d->nevents; i++)
        if (d->events[i].code[0] == '1' && (d->events[i].code[1] == '8' || d->events[i].code[1] == '9'))
            e = &d->events[i];
    assert_non_null(e);
    assert_true(actor_is(&e->source, "NGA"));
    assert_true(actor_is(&e->target, "TCDMIL"));
    ng_doc_free(d);
}

static void test_coordination_and_symmetry(void **state)
{
    (void)state;
    ng_doc *d = analyze(worker, "Niger and Chad met in Niamey on Monday.", "en");
    const ng_event *e = find(d, "04");
    assert_non_null(e);
    int ok = (actor_is(&e->source, "NER") && actor_is(&e->target, "TCD")) ||
             (actor_is(&e->source, "TCD") && actor_is(&e->target, "NER"));
    assert_true(ok);
    ng_doc_free(d);
    d = analyze(worker, "Germany criticised Russia, Belarus and Iran.", "en");
    int n = 0;
    for (size_t i = 0; i < d->nevents; i++)
        if (strncmp(d->events[i].code, "11", 2) == 0 && actor_is(&d->events[i].source, "DEU"))
            n++;
    assert_int_equal(n, 3);
    ng_doc_free(d);
}

static void test_negation_and_mood(void **state)
{
    (void)state;
    ng_doc *d = analyze(worker, "Spain did not impose sanctions on Morocco.", "en");
    const ng_event *e = find(d, "16");
    assert_non_null(e);
    assert_int_equal(e->negated, 1);
    ng_doc_free(d);
    d = analyze(worker, "Italy is considering imposing sanctions on Libya.", "en");
    e = find(d, "16");
    assert_non_null(e);
    assert_true(actor_is(&e->source, "ITA"));
    assert_int_equal(e->mood, NG_MOOD_INTENT);
    ng_doc_free(d);
    d = analyze(worker, "Sudan threatened to expel the Egyptian ambassador.", "en");
    e = find(d, "13");
    assert_non_null(e);
    assert_true(actor_is(&e->source, "SDN"));
    ng_doc_free(d);
}

static void test_discard_and_nothing(void **state)
{
    (void)state;
    ng_doc *d = analyze(worker, "Brazil attacked Argentina in the second half of the World Cup final.", "en");
    assert_int_equal(d->nevents, 0);
    ng_doc_free(d);
    d = analyze(worker, "The weather was mild and the river rose slowly.", "en");
    assert_int_equal(d->nevents, 0);
    ng_doc_free(d);
}

/* An intransitive sense ("intrans"): demonstrating in the street is a
 * protest, demonstrating a skill is not. */
static void test_intransitive_sense(void **state)
{
    (void)state;
    ng_doc *d = analyze(worker, "Thousands of Kenyan students demonstrated outside parliament on Monday.", "en");
    assert_non_null(find(d, "14"));
    ng_doc_free(d);
    d = analyze(worker, "The Kenyan minister demonstrated her skill as a negotiator on Monday.", "en");
    assert_null(find(d, "14"));
    ng_doc_free(d);
    d = analyze(worker, "Des milliers d'étudiants kényans ont manifesté devant le parlement.", "fr");
    assert_non_null(find(d, "14"));
    ng_doc_free(d);
    d = analyze(worker, "Le ministre kényan a manifesté son inquiétude devant le parlement.", "fr");
    assert_null(find(d, "14"));
    ng_doc_free(d);
    /* "direct": the verb's object, when it has one, is the target */
    d = analyze(worker, "Kenyan police released two Ugandan activists on Monday.", "en");
    const ng_event *e = find(d, "08");
    assert_non_null(e);
    assert_true(actor_is(&e->target, "UGA"));
    ng_doc_free(d);
    d = analyze(worker, "The Kenyan government released a video on Monday showing Ugandan soldiers.", "en");
    assert_null(find(d, "08"));
    ng_doc_free(d);
}

static void test_french(void **state)
{
    (void)state;
    ng_doc *d = analyze(worker, "La France a imposé des sanctions au Mali.", "fr");
    const ng_event *e = find(d, "16");
    assert_non_null(e);
    assert_true(actor_is(&e->source, "FRA"));
    assert_true(actor_is(&e->target, "MLI"));
    ng_doc_free(d);
}

static void write_file(const char *path, const char *s)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(s, f);
    fclose(f);
}

static void test_user_dictionaries(void **state)
{
    (void)state;
    char dir[] = "/tmp/ng-test-events-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char actors[128], agents[128], bad[128];
    snprintf(actors, sizeof actors, "%s/actors.txt", dir);
    snprintf(agents, sizeof agents, "%s/agents.txt", dir);
    snprintf(bad, sizeof bad, "%s/bad.txt", dir);
    write_file(actors, "# test\nQUENDOR [QND]\nFROBOZZ_  [FRB]\n+FROBOZZIAN\nGRUE_LORD\n\t[GRU <950601]\n"
                       "\t[GRUGOV 19950601-19991231]\n");
    write_file(agents, "WIZARD [~MIL]\nGNOME {GNOMES} [~CVL]\n");
    write_file(bad, "QUENDOR QND]\n");
    ng_model_options opt;
    ng_model_options_default(&opt);
    opt.actors_file = actors;
    opt.agents_file = agents;
    ng_model *m = NULL;
    char err[512];
    assert_int_equal(ng_model_new(&m, &opt, err, sizeof err), NG_OK);
    ng_worker *w = NULL;
    assert_int_equal(ng_worker_new(m, &w), NG_OK);
    ng_doc *d = analyze(w, "Frobozzian wizards attacked Quendor on Friday.", "en");
    const ng_event *e = NULL;
    for (size_t i = 0; i < d->nevents; i++)
        if (d->events[i].code[0] == '1' && (d->events[i].code[1] == '8' || d->events[i].code[1] == '9'))
            e = &d->events[i];
    assert_non_null(e);
    assert_true(actor_is(&e->source, "FRBMIL"));
    assert_true(actor_is(&e->target, "QND"));
    ng_doc_free(d);
    /* a date-restricted actor is coded by the article's date */
    const char *when[][2] = {{"1997-05-01", "GRUGOV"}, {"1990-05-01", "GRU"}};
    for (int k = 0; k < 2; k++) {
        d = analyze_on(w, "The Grue Lord attacked Quendor on Friday.", "en", when[k][0]);
        e = NULL;
        for (size_t i = 0; i < d->nevents; i++)
            if (d->events[i].code[0] == '1' && (d->events[i].code[1] == '8' || d->events[i].code[1] == '9'))
                e = &d->events[i];
        assert_non_null(e);
        assert_non_null(e->source.actor);
        assert_string_equal(e->source.actor, when[k][1]);
        ng_doc_free(d);
    }
    ng_worker_free(w);
    ng_model_free(m);
    /* a malformed dictionary is refused, naming the file and the line */
    opt.actors_file = bad;
    opt.agents_file = NULL;
    assert_int_not_equal(ng_model_new(&m, &opt, err, sizeof err), NG_OK);
    assert_null(m);
    assert_non_null(strstr(err, "bad.txt"));
    assert_non_null(strstr(err, "line 1"));
    /* a missing one too */
    opt.actors_file = "/nonexistent/actors.txt";
    assert_int_not_equal(ng_model_new(&m, &opt, err, sizeof err), NG_OK);
    assert_non_null(strstr(err, "/nonexistent/actors.txt"));
    unlink(actors);
    unlink(agents);
    unlink(bad);
    rmdir(dir);
}

static void test_codebook(void **state)
{
    (void)state;
    int quad;
    double g;
    assert_true(ng_cameo_lookup(model->evc, "042", &quad, &g));
    assert_int_equal(quad, 1);
    assert_true(g > 0);
    assert_true(ng_cameo_lookup(model->evc, "190", &quad, &g));
    assert_int_equal(quad, 4);
    assert_true(g <= -9);
    /* an unknown sub-code takes its parent's values */
    assert_true(ng_cameo_lookup(model->evc, "0429", &quad, &g));
    assert_int_equal(quad, 1);
    assert_false(ng_cameo_lookup(model->evc, "99", &quad, &g));
}

static void test_long_and_odd_sentences(void **state)
{
    (void)state;
    /* a very long sentence, punctuation runs and lone heads must not crash */
    size_t n = 60000;
    char *s = malloc(n + 64);
    assert_non_null(s);
    size_t o = 0;
    while (o + 40 < n)
        o += (size_t)sprintf(s + o, "France met Mali and attacked , , ; ");
    strcpy(s + o, "met.");
    ng_doc *d = analyze(worker, s, "en");
    assert_true(d->nevents < 20000);
    ng_doc_free(d);
    free(s);
    d = analyze(worker, "Met. Attacked! Sanctions? By by by of of of.", "en");
    ng_doc_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_subject_object),
        cmocka_unit_test(test_passive),
        cmocka_unit_test(test_coordination_and_symmetry),
        cmocka_unit_test(test_negation_and_mood),
        cmocka_unit_test(test_discard_and_nothing),
        cmocka_unit_test(test_intransitive_sense),
        cmocka_unit_test(test_french),
        cmocka_unit_test(test_user_dictionaries),
        cmocka_unit_test(test_codebook),
        cmocka_unit_test(test_long_and_odd_sentences),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
