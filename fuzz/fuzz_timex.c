/*
 * fuzz_timex.c — libFuzzer target for the timex and quantities stages:
 * arbitrary bytes through ng_analyze as text, with the first byte choosing
 * the language hint (en, fr) and whether a publication date is given (so
 * both the anchored and the unanchored resolvers run).
 *
 * Besides not crashing, it checks the stages' promises: expressions are
 * non-empty, inside the text and in order; values are non-empty strings;
 * quantity values are finite.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static ng_model *model;
static ng_worker *worker;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!model) {
        char err[256];
        if (ng_model_new(&model, NULL, err, sizeof err) != NG_OK || ng_worker_new(model, &worker) != NG_OK)
            abort();
    }
    if (size < 1)
        return 0;
    ng_source src;
    ng_source_default(&src);
    src.format = NG_FORMAT_TEXT;
    src.lang = (data[0] & 1) ? "fr" : "en";
    src.published = (data[0] & 2) ? "2022-01-20" : NULL;
    ng_doc *d = NULL;
    if (ng_analyze(worker, &src, (const char *)data + 1, size - 1, &d) != NG_OK)
        return 0;
    uint32_t prev = 0;
    for (size_t i = 0; i < d->ntimexes; i++) {
        const ng_time_expr *t = &d->timexes[i];
        if (t->span.start >= t->span.end || t->span.end > d->text_len || t->span.start < prev || !t->value ||
            !t->value[0] || !t->type)
            abort();
        prev = t->span.end;
    }
    prev = 0;
    for (size_t i = 0; i < d->nquantities; i++) {
        const ng_quantity *q = &d->quantities[i];
        if (q->span.start >= q->span.end || q->span.end > d->text_len || q->span.start < prev)
            abort();
        if (isnan(q->value))
            abort();
        prev = q->span.end;
    }
    ng_doc_free(d);
    return 0;
}
