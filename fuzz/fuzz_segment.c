/*
 * fuzz_segment.c — libFuzzer target for segmentation and language
 * identification: arbitrary bytes through ng_analyze with NG_FORMAT_TEXT
 * (decode, text extraction, langid, segmentation), and the same bytes, when
 * they are valid UTF-8, straight into ng_langid and ng_segment under each
 * language's resources (so the segmenter sees text the reader would have
 * cleaned away).  The first input byte picks a language hint.
 *
 * Besides not crashing, it checks the segmenter's promises: tokens are
 * non-empty, in order, inside the text and inside their sentence;
 * sentence indices grow by at most one; sentences are in order, non-empty
 * and start and end on a token.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static ng_model *model;
static ng_worker *worker;

/* Aborts when the doc's tokens and sentences break an invariant. */
static void check(const ng_doc *d)
{
    uint32_t prev_end = 0;
    for (size_t i = 0; i < d->ntokens; i++) {
        const ng_token *t = &d->tokens[i];
        if (t->start >= t->end || t->end > d->text_len || t->start < prev_end || t->sent >= d->nsentences)
            abort();
        if (i && (t->sent < d->tokens[i - 1].sent || t->sent > d->tokens[i - 1].sent + 1))
            abort();
        const ng_span *s = &d->sentences[t->sent];
        if (t->start < s->start || t->end > s->end)
            abort();
        prev_end = t->end;
    }
    for (size_t i = 0; i < d->nsentences; i++) {
        const ng_span *s = &d->sentences[i];
        if (s->start >= s->end || s->end > d->text_len || (i && s->start < d->sentences[i - 1].end))
            abort();
    }
    if (d->nsentences && !d->ntokens)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!model) {
        char err[256];
        if (ng_model_new(&model, NULL, err, sizeof err) != NG_OK || ng_worker_new(model, &worker) != NG_OK)
            abort();
    }
    static const char *const hints[] = {NULL, "en", "fr-FR", "de", "xx-YY", "e"};
    const char *hint = size ? hints[data[0] % 6] : NULL;

    ng_source src;
    ng_source_default(&src);
    src.format = NG_FORMAT_TEXT;
    src.lang = hint;
    src.id = "fuzz";
    ng_doc *doc = NULL;
    if (ng_analyze(worker, &src, (const char *)data, size, &doc) == NG_OK) {
        check(doc);
        ng_doc_free(doc);
    }

    /* the raw text straight into the stages, when it is UTF-8 */
    if (ng_utf8_check((const char *)data, size) != size)
        return 0;
    for (int k = 0; k < 3; k++) {
        ng_doc *d = calloc(1, sizeof *d);
        if (!d)
            return 0;
        ng_arena_init(&d->arena);
        d->model = model;
        d->text = ng_arena_strndup(&d->arena, (const char *)data, size);
        d->text_len = d->text ? size : 0;
        d->lang_hint = hint ? ng_arena_strdup(&d->arena, hint) : NULL;
        if (ng_langid(worker, d) != NG_OK)
            abort();
        if (strlen(d->lang) > 3)
            abort();
        d->lang_res = k == 0 ? NULL : ng_model_lang(model, k == 1 ? "en" : "fr");
        if (ng_segment(worker, d) == NG_OK)
            check(d);
        ng_doc_free(d);
    }
    return 0;
}
