/*
 * test_kb.c — the knowledge base: name keys, edit distance, day numbers,
 * and ng_kb end to end on hand-made documents (so that the linking rules
 * are tested apart from the tagger): aliases across languages, surnames,
 * fuzzy names, re-adding is a no-op, stories, export, reopening.
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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
