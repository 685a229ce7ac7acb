/*
 * testutil.h — what several unit test programs share: one model and one
 * worker per program (made in the cmocka group setup, freed in teardown),
 * and a doc whose entities are given by the test rather than the tagger.
 * Each test program is its own executable, so the statics are its own.
 */
#ifndef NG_TESTUTIL_H
#define NG_TESTUTIL_H

#include <string.h>

#include "internal.h"

static ng_model *model;
static ng_worker *worker;

static inline int setup(void **state)
{
    (void)state;
    char err[256];
    if (ng_model_new(&model, NULL, err, sizeof err) != NG_OK)
        return -1;
    return ng_worker_new(model, &worker) == NG_OK ? 0 : -1;
}

static inline int teardown(void **state)
{
    (void)state;
    ng_worker_free(worker);
    ng_model_free(model);
    return 0;
}

/* Analyzes text without the tagger, then gives it the entities named in
 * names (NULL-terminated, "TYPE:surface"; every occurrence of the surface
 * is a mention), so a test sees its own stage's work and not the tagger's.
 * The caller frees the doc. */
static inline ng_doc *doc_with_entities(const char *text, const char *lang, const char *const *names)
{
    ng_source src;
    ng_source_default(&src);
    src.format = NG_FORMAT_TEXT;
    src.lang = lang;
    ng_doc *d = NULL;
    ng_worker_set_stages(worker, 0);
    assert_int_equal(ng_analyze(worker, &src, text, strlen(text), &d), NG_OK);
    ng_worker_set_stages(worker, NG_STAGE_ALL);
    size_t n = 0;
    while (names[n])
        n++;
    d->entities = ng_arena_calloc(&d->arena, n + 1, sizeof *d->entities);
    assert_non_null(d->entities);
    for (size_t i = 0; i < n; i++) {
        ng_entity *e = &d->entities[d->nentities];
        const char *colon = strchr(names[i], ':');
        e->id = (uint32_t)i + 1;
        e->type = ng_arena_strndup(&d->arena, names[i], (size_t)(colon - names[i]));
        e->name = colon + 1;
        size_t len = strlen(e->name), cnt = 0;
        for (size_t k = 0; k + len <= d->text_len; k++)
            cnt += memcmp(d->text + k, e->name, len) == 0;
        e->mentions = ng_arena_calloc(&d->arena, cnt + 1, sizeof *e->mentions);
        for (size_t k = 0; k + len <= d->text_len; k++) {
            if (memcmp(d->text + k, e->name, len) != 0)
                continue;
            ng_mention *m = &e->mentions[e->nmentions++];
            m->span.start = (uint32_t)k;
            m->span.end = (uint32_t)(k + len);
            m->text = e->name;
            m->kind = NG_MENTION_NAME;
        }
        d->nentities++;
    }
    return d;
}

#endif
