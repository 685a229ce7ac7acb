/*
 * fuzz_quote.c — libFuzzer target for coreference and quotations: arbitrary
 * bytes through ng_analyze (text, the first byte picks English or French),
 * and, when they are UTF-8, straight into segmentation with every
 * capitalised token made a one-mention entity, then ng_coref and
 * ng_quotes (so the two stages see mentions anywhere, not only where the
 * tagger puts them).
 *
 * Besides not crashing, it checks the stages' promises: quote spans are
 * non-empty, inside the text and in order; a speaker is the id of an
 * entity of the doc; every entity's mentions are inside the text and in
 * text order.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static ng_model *model;
static ng_worker *worker;

/* Aborts when a promise is broken. */
static void check(const ng_doc *d)
{
    for (size_t i = 0; i < d->nquotes; i++) {
        const ng_quote *q = &d->quotes[i];
        if (q->span.start >= q->span.end || q->span.end > d->text_len)
            abort();
        if (i && d->quotes[i - 1].span.start > q->span.start)
            abort();
        if (q->speaker) {
            int found = 0;
            for (size_t e = 0; e < d->nentities; e++)
                found |= d->entities[e].id == q->speaker;
            if (!found)
                abort();
        }
    }
    for (size_t e = 0; e < d->nentities; e++) {
        const ng_entity *en = &d->entities[e];
        for (size_t k = 0; k < en->nmentions; k++) {
            if (en->mentions[k].span.start >= en->mentions[k].span.end || en->mentions[k].span.end > d->text_len)
                abort();
            if (k && en->mentions[k - 1].span.start > en->mentions[k].span.start)
                abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!model) {
        char err[256];
        if (ng_model_new(&model, NULL, err, sizeof err) != NG_OK || ng_worker_new(model, &worker) != NG_OK)
            abort();
    }
    const char *lang = size && (data[0] & 1) ? "fr" : "en";
    ng_source src;
    ng_source_default(&src);
    src.format = NG_FORMAT_TEXT;
    src.lang = lang;
    src.id = "fuzz";
    ng_doc *doc = NULL;
    if (ng_analyze(worker, &src, (const char *)data, size, &doc) == NG_OK) {
        check(doc);
        ng_doc_free(doc);
    }

    if (ng_utf8_check((const char *)data, size) != size)
        return 0;
    ng_doc *d = calloc(1, sizeof *d);
    if (!d)
        return 0;
    ng_arena_init(&d->arena);
    d->model = model;
    d->text = ng_arena_strndup(&d->arena, (const char *)data, size);
    d->text_len = d->text ? size : 0;
    d->lang_res = ng_model_lang(model, lang);
    if (d->text && ng_segment(worker, d) == NG_OK) {
        d->entities = ng_arena_calloc(&d->arena, d->ntokens + 1, sizeof *d->entities);
        for (size_t t = 0; d->entities && t < d->ntokens; t++) {
            if (!(d->tokens[t].flags & NG_TOK_UPPER))
                continue;
            ng_entity *e = &d->entities[d->nentities];
            ng_mention *m = ng_arena_alloc(&d->arena, sizeof *m);
            if (!m)
                break;
            m->span.start = d->tokens[t].start;
            m->span.end = d->tokens[t].end;
            m->text = ng_arena_strndup(&d->arena, d->text + m->span.start, m->span.end - m->span.start);
            e->id = (uint32_t)d->nentities + 1;
            e->type = (t & 1) ? "PER" : "ORG";
            e->name = m->text ? m->text : "";
            e->mentions = m;
            e->nmentions = 1;
            d->nentities++;
        }
        if (ng_coref(worker, d) == NG_OK && ng_quotes(worker, d) == NG_OK)
            check(d);
    }
    ng_doc_free(d);
    return 0;
}
