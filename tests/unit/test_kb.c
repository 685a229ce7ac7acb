/*
 * test_kb.c — the knowledge base: name keys, edit distance, day numbers,
 * and ng_kb end to end on hand-made documents (so that the linking rules
 * are tested apart from the tagger): aliases across languages, surnames,
 * fuzzy names, re-adding is a no-op, stories, export, reopening, and the
 * rule that merges events across articles.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "events.h"
#include "kb.h"

static void test_keys(void **state)
{
    (void)state;
    ng_linker *l = NULL;
    assert_int_equal(ng_linker_new(&l), NG_OK);
    char k[256];
    ng_link_key(l, "U.S.", k, sizeof k);
    assert_string_equal(k, "us");
    ng_link_key(l, "Burkina-Faso", k, sizeof k);
    assert_string_equal(k, "burkina faso");
    ng_link_key(l, "Côte d\xe2\x80\x99Ivoire", k, sizeof k);
    assert_string_equal(k, "cote d ivoire");
    ng_link_key(l, "Ms. Parly", k, sizeof k);
    assert_string_equal(k, "parly");
    ng_link_key(l, "ÉTATS-UNIS", k, sizeof k);
    assert_string_equal(k, "etats unis");
    ng_link_key(l, "Macron's", k, sizeof k);
    assert_string_equal(k, "macron");
    ng_link_key(l, "the Pentagon", k, sizeof k);
    assert_string_equal(k, "pentagon");
    /* a title alone is kept: nothing would be left */
    ng_link_key(l, "President", k, sizeof k);
    assert_string_equal(k, "president");
    assert_int_equal(ng_link_key(l, "...", k, sizeof k), 0);
    /* a tiny buffer truncates, never overflows */
    char small[4];
    assert_true(ng_link_key(l, "Florence Parly", small, sizeof small) < sizeof small);
    ng_linker_free(l);
}

static void test_distance(void **state)
{
    (void)state;
    assert_int_equal(ng_link_distance("barkhane", 8, "barhkane", 8, 2), 1); /* transposition */
    assert_int_equal(ng_link_distance("barkhane", 8, "barkhane", 8, 2), 0);
    assert_int_equal(ng_link_distance("barkhane", 8, "barkhan", 7, 2), 1);
    assert_int_equal(ng_link_distance("austria", 7, "australia", 9, 1), 2); /* over the limit: limit + 1 */
    assert_int_equal(ng_link_distance("abc", 3, "xyz", 3, 5), 3);
}

static void test_day(void **state)
{
    (void)state;
    assert_int_equal(ng_kb_day("1970-01-01"), 0);
    assert_int_equal(ng_kb_day("1970-01-02T10:00:00Z"), 1);
    assert_int_equal(ng_kb_day("2020-01-27") - ng_kb_day("2020-01-20"), 7);
    assert_int_equal(ng_kb_day("2020-03-01") - ng_kb_day("2020-02-28"), 2); /* leap year */
    assert_int_equal(ng_kb_day("2020-01"), ng_kb_day("2020-01-15"));
    assert_int_equal(ng_kb_day("XXXX-01-27"), NG_KB_NODAY);
    assert_int_equal(ng_kb_day("2020-13-01"), NG_KB_NODAY);
    assert_int_equal(ng_kb_day(NULL), NG_KB_NODAY);
    assert_int_equal(ng_kb_day("20"), NG_KB_NODAY);
}

/* ---- hand-made documents ----------------------------------------------- */

/* A document of text whose entities are given as "TYPE:Name" strings; each
 * entity's one mention is the first occurrence of its name in the text
 * (or the text's start). */
static ng_doc *make_doc(const char *id, const char *lang, const char *published, const char *text,
                        const char *const *ents)
{
    ng_doc *d = calloc(1, sizeof *d);
    assert_non_null(d);
    ng_arena_init(&d->arena);
    d->id = ng_arena_strdup(&d->arena, id);
    snprintf(d->lang, sizeof d->lang, "%s", lang);
    d->published = published ? ng_arena_strdup(&d->arena, published) : NULL;
    d->text = ng_arena_strdup(&d->arena, text);
    d->text_len = strlen(text);
    /* tokens: runs of letters and digits */
    size_t cap = d->text_len + 1;
    d->tokens = ng_arena_calloc(&d->arena, cap, sizeof *d->tokens);
    for (size_t i = 0; i < d->text_len;) {
        unsigned char c = (unsigned char)text[i];
        if (c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
            size_t j = i;
            while (j < d->text_len && ((unsigned char)text[j] >= 0x80 || (text[j] >= 'a' && text[j] <= 'z') ||
                                       (text[j] >= 'A' && text[j] <= 'Z') || (text[j] >= '0' && text[j] <= '9')))
                j++;
            ng_token *t = &d->tokens[d->ntokens++];
            t->start = (uint32_t)i;
            t->end = (uint32_t)j;
            t->flags = NG_TOK_WORD;
            i = j;
        } else {
            i++;
        }
    }
    size_t n = 0;
    while (ents && ents[n])
        n++;
    d->entities = ng_arena_calloc(&d->arena, n + 1, sizeof *d->entities);
    for (size_t i = 0; i < n; i++) {
        ng_entity *e = &d->entities[i];
        const char *colon = strchr(ents[i], ':');
        e->id = (uint32_t)i + 1;
        e->type = strncmp(ents[i], "PER", 3) == 0 ? "PER" : strncmp(ents[i], "ORG", 3) == 0 ? "ORG"
                  : strncmp(ents[i], "LOC", 3) == 0 ? "LOC" : "MISC";
        e->name = ng_arena_strdup(&d->arena, colon + 1);
        e->mentions = ng_arena_calloc(&d->arena, 1, sizeof *e->mentions);
        const char *at = strstr(text, e->name);
        e->mentions[0].span.start = at ? (uint32_t)(at - text) : 0;
        e->mentions[0].span.end = e->mentions[0].span.start + (uint32_t)(at ? strlen(e->name) : 0);
        e->mentions[0].text = e->name;
        e->nmentions = 1;
    }
    d->nentities = n;
    return d;
}

static int write_buf(void *ctx, const char *p, size_t n)
{
    ng_buf_put((ng_buf *)ctx, p, n);
    return 0;
}

/* The export as a NUL-terminated string (malloc'd). */
static char *export_str(ng_kb *kb)
{
    ng_buf b;
    ng_buf_init(&b);
    assert_int_equal(ng_kb_export_json(kb, write_buf, &b), NG_OK);
    ng_buf_putc(&b, '\0');
    return b.p;
}

/* The "docs" array of the exported entity named name, as text, or NULL. */
static char *entity_docs(const char *json, const char *name)
{
    char pat[256];
    snprintf(pat, sizeof pat, "\"name\":\"%s\"", name);
    const char *p = strstr(json, pat);
    if (!p)
        return NULL;
    const char *d = strstr(p, "\"docs\":[");
    const char *e = d ? strchr(d, ']') : NULL;
    return d && e ? strndup(d + 8, (size_t)(e - d - 8)) : NULL;
}

static void add(ng_kb *kb, ng_doc *d, int want_added)
{
    int added = -1;
    assert_int_equal(ng_kb_add(kb, d, NULL, 0, &added), NG_OK);
    assert_int_equal(added, want_added);
}

static void test_kb_linking(void **state)
{
    (void)state;
    char path[] = "/tmp/test_kb_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    unlink(path);
    char err[256];
    ng_kb *kb = NULL;
    ng_kb_options opt;
    ng_kb_options_default(&opt);
    opt.batch = 2;
    assert_int_equal(ng_kb_open(&kb, path, &opt, err, sizeof err), NG_OK);

    const char *e1[] = {"PER:Florence Parly", "PER:Mark Esper", "LOC:United States", "ORG:Islamic State",
                        "MISC:Operation Barkhane", NULL};
    ng_doc *d1 = make_doc("a.txt", "en", "2020-01-27",
                          "Florence Parly met Mark Esper in the United States about Operation Barkhane and "
                          "the Islamic State.", e1);
    const char *e2[] = {"PER:Parly", "LOC:États-Unis", "ORG:EI", "MISC:Barhkane", NULL};
    ng_doc *d2 = make_doc("b.txt", "fr", "2020-01-28",
                          "Parly aux États-Unis: l'EI et Barhkane au menu des discussions de la ministre.", e2);
    const char *e3[] = {"PER:Esper", "LOC:U.S.", NULL};
    ng_doc *d3 = make_doc("c.txt", "en", "2020-01-29", "Esper said the U.S. would keep helping.", e3);
    /* a person with another surname and unrelated words: its own story */
    const char *e4[] = {"PER:Lindsay Lohan", "LOC:Malibu", NULL};
    ng_doc *d4 = make_doc("d.txt", "en", "2013-05-03", "Lindsay Lohan checked into a rehab clinic in Malibu.", e4);
    add(kb, d1, 1);
    add(kb, d2, 1);
    add(kb, d3, 1);
    add(kb, d4, 1);
    add(kb, d1, 0); /* the same text again: a no-op */

    char *json = export_str(kb);
    char *docs;
    assert_non_null(docs = entity_docs(json, "Florence Parly"));
    assert_non_null(strstr(docs, "a.txt"));
    assert_non_null(strstr(docs, "b.txt")); /* surname */
    free(docs);
    assert_non_null(docs = entity_docs(json, "United States"));
    assert_non_null(strstr(docs, "b.txt")); /* États-Unis */
    assert_non_null(strstr(docs, "c.txt")); /* U.S. */
    free(docs);
    assert_non_null(docs = entity_docs(json, "Islamic State"));
    assert_non_null(strstr(docs, "b.txt")); /* EI */
    free(docs);
    assert_non_null(docs = entity_docs(json, "Operation Barkhane"));
    assert_non_null(strstr(docs, "b.txt")); /* Barhkane: fuzzy, without its head */
    free(docs);
    assert_non_null(docs = entity_docs(json, "Mark Esper"));
    assert_non_null(strstr(docs, "c.txt"));
    free(docs);
    assert_non_null(docs = entity_docs(json, "Lindsay Lohan"));
    assert_null(strstr(docs, "a.txt"));
    free(docs);
    /* each document once */
    const char *p = json;
    int n = 0;
    while ((p = strstr(p, "{\"doc\":\"a.txt\"")) != NULL) {
        n++;
        p++;
    }
    assert_int_equal(n, 1);
    assert_non_null(strstr(json, "\"events\":[]"));
    free(json);
    assert_int_equal(ng_kb_close(kb), NG_OK);

    /* reopened: the data is there, adding again is still a no-op */
    assert_int_equal(ng_kb_open(&kb, path, &opt, err, sizeof err), NG_OK);
    add(kb, d2, 0);
    json = export_str(kb);
    assert_non_null(strstr(json, "\"doc\":\"d.txt\""));
    free(json);
    assert_int_equal(ng_kb_close(kb), NG_OK);

    ng_doc_free(d1);
    ng_doc_free(d2);
    ng_doc_free(d3);
    ng_doc_free(d4);
    unlink(path);
    char wal[64];
    snprintf(wal, sizeof wal, "%s-wal", path);
    unlink(wal);
    snprintf(wal, sizeof wal, "%s-shm", path);
    unlink(wal);
}

static void test_kb_stories(void **state)
{
    (void)state;
    char path[] = "/tmp/test_kb_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    unlink(path);
    char err[256];
    ng_kb *kb = NULL;
    assert_int_equal(ng_kb_open(&kb, path, NULL, err, sizeof err), NG_OK);
    const char *quake[] = {"LOC:Indonesia", "LOC:Sumatra", NULL};
    const char *rehab[] = {"PER:Lindsay Lohan", "LOC:Malibu", NULL};
    char text[512];
    char name[32];
    for (int i = 0; i < 6; i++) {
        int q = i % 2 == 0;
        snprintf(text, sizeof text,
                 q ? "A magnitude 7.6 earthquake struck Sumatra in Indonesia, killing hundreds; rescuers search "
                     "collapsed buildings for survivors of the quake (report %d)."
                   : "Lindsay Lohan checked into rehab at a Malibu clinic after a court ordered treatment; her "
                     "lawyer said the actress would comply (report %d).",
                 i);
        snprintf(name, sizeof name, "%c%d.txt", q ? 'q' : 'r', i);
        ng_doc *d = make_doc(name, "en", "2009-10-01", text, q ? quake : rehab);
        add(kb, d, 1);
        ng_doc_free(d);
    }
    char *json = export_str(kb);
    /* the story of each document, from "documents" */
    long story[6];
    for (int i = 0; i < 6; i++) {
        snprintf(name, sizeof name, "{\"doc\":\"%c%d.txt\"", i % 2 == 0 ? 'q' : 'r', i);
        const char *p = strstr(json, name);
        assert_non_null(p);
        p = strstr(p, "\"story\":");
        assert_non_null(p);
        story[i] = strtol(p + 8, NULL, 10);
        assert_true(story[i] > 0);
    }
    assert_true(story[0] == story[2] && story[2] == story[4]);
    assert_true(story[1] == story[3] && story[3] == story[5]);
    assert_true(story[0] != story[1]);
    free(json);
    assert_int_equal(ng_kb_close(kb), NG_OK);
    unlink(path);
}

/* ---- events merged across articles -------------------------------------- */

/* Gives d one more event: code, source and target as local entity ids
 * (0: none) with actor codes (NULL: none), a date (NULL: none). */
static void add_event(ng_doc *d, const char *code, uint32_t src, const char *sactor, uint32_t tgt,
                      const char *tactor, const char *date, int negated)
{
    ng_event *n = ng_arena_calloc(&d->arena, d->nevents + 1, sizeof *n);
    assert_non_null(n);
    if (d->nevents)
        memcpy(n, d->events, d->nevents * sizeof *n);
    ng_event *e = &n[d->nevents];
    snprintf(e->code, sizeof e->code, "%s", code);
    e->quad = 1;
    e->goldstein = 1.0;
    e->source.entity = src;
    e->source.actor = sactor;
    e->target.entity = tgt;
    e->target.actor = tactor;
    e->date = date;
    e->span.start = (uint32_t)(d->nevents * 2); /* one report per event of the article */
    e->span.end = (uint32_t)d->text_len;
    e->trigger.start = 0;
    e->trigger.end = 3;
    e->negated = negated;
    d->events = n;
    d->nevents++;
}

/* The line of the export's event whose docs are exactly docs ("a.txt","b.txt"), or NULL. */
static char *event_line(const char *json, const char *docs)
{
    char pat[256];
    snprintf(pat, sizeof pat, "\"docs\":[%s]", docs);
    const char *p = strstr(json, pat);
    if (!p)
        return NULL;
    const char *a = p, *b = strchr(p, '\n');
    while (a > json && a[-1] != '\n')
        a--;
    return strndup(a, b ? (size_t)(b - a) : strlen(a));
}

static size_t count(const char *s, const char *pat)
{
    size_t n = 0;
    for (const char *p = s; (p = strstr(p, pat)); p++)
        n++;
    return n;
}

static void test_kb_events(void **state)
{
    (void)state;
    char path[] = "/tmp/test_kb_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    unlink(path);
    char err[256];
    ng_kb *kb = NULL;
    assert_int_equal(ng_kb_open(&kb, path, NULL, err, sizeof err), NG_OK);
    const char *pe[] = {"PER:Florence Parly", "PER:Mark Esper", NULL};
    const char *ep[] = {"PER:Mark Esper", "PER:Florence Parly", NULL}; /* local ids the other way round */
    /* a: Parly meets Esper (040) on the 27th; b: Esper meets Parly, a more
     * specific code (042), two days later: the same event, reversed pair */
    ng_doc *a = make_doc("a.txt", "en", "2020-01-27", "Florence Parly met Mark Esper.", pe);
    add_event(a, "040", 1, "FRAGOV", 2, "USAGOV", "2020-01-27", 0);
    /* a coercive act (173) is not symmetric: Esper -> Parly stays apart from Parly -> Esper */
    add_event(a, "173", 1, "FRAGOV", 2, "USAGOV", "2020-01-27", 0);
    ng_doc *b = make_doc("b.txt", "fr", "2020-01-28", "Mark Esper a reçu Florence Parly.", ep);
    add_event(b, "042", 1, "USAGOV", 2, "FRAGOV", "2020-01-29", 0);
    add_event(b, "173", 1, "USAGOV", 2, "FRAGOV", "2020-01-27", 0);
    /* c: the same pair meets again two weeks later: another event */
    ng_doc *c = make_doc("c.txt", "en", "2020-02-10", "Florence Parly met Mark Esper again.", pe);
    add_event(c, "040", 1, "FRAGOV", 2, "USAGOV", NULL, 0); /* no date: the publication date */
    /* d: a denial of the first meeting stands alone */
    ng_doc *d = make_doc("d.txt", "en", "2020-01-27", "Florence Parly did not meet Mark Esper.", pe);
    add_event(d, "040", 1, "FRAGOV", 2, "USAGOV", "2020-01-27", 1);
    /* e, f: no entity for the source in e, only its actor code: f's report
     * with the entity and the same code joins it and names the entity */
    ng_doc *e = make_doc("e.txt", "en", "2020-03-02", "The French government called Mark Esper.", pe + 1);
    add_event(e, "043", 0, "FRAGOV", 1, "USAGOV", "2020-03-02", 0);
    ng_doc *f = make_doc("f.txt", "en", "2020-03-03", "Florence Parly called Mark Esper.", pe);
    add_event(f, "043", 1, "FRAGOV", 2, "USAGOV", "2020-03-02", 0);
    /* g, h: no date anywhere: never merged */
    ng_doc *g = make_doc("g.txt", "en", NULL, "Florence Parly met Mark Esper, undated.", pe);
    add_event(g, "040", 1, "FRAGOV", 2, "USAGOV", NULL, 0);
    ng_doc *h = make_doc("h.txt", "en", NULL, "Florence Parly met Mark Esper, undated too.", pe);
    add_event(h, "040", 1, "FRAGOV", 2, "USAGOV", NULL, 0);
    ng_doc *docs[] = {a, b, c, d, e, f, g, h};
    for (size_t i = 0; i < sizeof docs / sizeof *docs; i++)
        add(kb, docs[i], 1);
    add(kb, a, 0); /* again: nothing more */
    char *json = export_str(kb);
    const char *ev = strstr(json, "\"events\":[");
    assert_non_null(ev);
    /* a+b, a's 173, b's 173, c, d, e+f, g, h */
    assert_int_equal(count(ev, "\"reports\":"), 8);
    char *l = event_line(ev, "\"a.txt\",\"b.txt\"");
    assert_non_null(l);
    assert_non_null(strstr(l, "\"code\":\"042\""));       /* the most specific code */
    assert_non_null(strstr(l, "\"date\":\"2020-01-27\"")); /* the earliest date */
    assert_non_null(strstr(l, "\"source_actor\":\"FRAGOV\",\"target_actor\":\"USAGOV\""));
    assert_int_equal(count(l, "\"doc\":"), 2);
    free(l);
    assert_int_equal(count(ev, "\"docs\":[\"a.txt\"]"), 1);    /* a's 173 */
    assert_int_equal(count(ev, "\"docs\":[\"b.txt\"]"), 1);    /* b's 173 */
    assert_int_equal(count(ev, "\"docs\":[\"c.txt\"]"), 1);
    assert_non_null(l = event_line(ev, "\"d.txt\""));
    assert_non_null(strstr(l, "\"negated\":true"));
    free(l);
    assert_non_null(l = event_line(ev, "\"e.txt\",\"f.txt\""));
    assert_null(strstr(l, "\"source\":null")); /* f named the source */
    free(l);
    assert_int_equal(count(ev, "\"docs\":[\"g.txt\"]"), 1);
    assert_int_equal(count(ev, "\"docs\":[\"h.txt\"]"), 1);
    /* the events query: by code prefix, and an entity's */
    ng_buf q;
    ng_buf_init(&q);
    assert_int_equal(ng_kb_query_events(kb, NULL, "17", 0, write_buf, &q), NG_OK);
    ng_buf_putc(&q, '\0');
    assert_int_equal(count(q.p, "\"reports\":"), 2);
    assert_int_equal(count(q.p, "\"code\":\"04"), 0);
    ng_buf_reset(&q);
    assert_int_equal(ng_kb_query_events(kb, NULL, "x1", 0, write_buf, &q), NG_EINVAL);
    ng_buf_free(&q);
    /* reopened: the same */
    assert_int_equal(ng_kb_close(kb), NG_OK);
    assert_int_equal(ng_kb_open(&kb, path, NULL, err, sizeof err), NG_OK);
    char *again = export_str(kb);
    assert_string_equal(json, again);
    free(again);
    free(json);
    assert_int_equal(ng_kb_close(kb), NG_OK);
    for (size_t i = 0; i < sizeof docs / sizeof *docs; i++)
        ng_doc_free(docs[i]);
    char side[300];
    unlink(path);
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
}

static void test_kb_open_errors(void **state)
{
    (void)state;
    char err[256];
    ng_kb *kb = (ng_kb *)1;
    /* a PostgreSQL server that is not there (port 1 refuses at once) */
    assert_int_equal(ng_kb_open(&kb, "postgresql://127.0.0.1:1/news", NULL, err, sizeof err), NG_EDB);
    assert_null(kb);
    assert_non_null(strstr(err, "PostgreSQL"));
    assert_int_equal(ng_kb_open(&kb, "/nonexistent-dir/x/kb.db", NULL, err, sizeof err), NG_EDB);
    assert_null(kb);
    /* a file that is not a database */
    char path[] = "/tmp/test_kb_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_true(write(fd, "this is not a database at all, just some text\n", 47) == 47);
    close(fd);
    assert_int_not_equal(ng_kb_open(&kb, path, NULL, err, sizeof err), NG_OK);
    assert_null(kb);
    unlink(path);
    assert_int_equal(ng_kb_close(NULL), NG_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keys),          cmocka_unit_test(test_distance),
        cmocka_unit_test(test_day),           cmocka_unit_test(test_kb_linking),
        cmocka_unit_test(test_kb_stories),    cmocka_unit_test(test_kb_open_errors),
        cmocka_unit_test(test_kb_events),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
