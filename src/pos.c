/*
 * pos.c — the part-of-speech stage: finds models/pos-<lang>.bin where the
 * NER models are found (ng_tagger_open), checks that its tags are the
 * universal parts of speech, and tags a document's tokens sentence by
 * sentence with the shared sequence tagger (tagger.c), writing one
 * NG_UPOS_* per token into doc->pos.
 *
 * The model (a mapped file and the tagger reading it) is read-only and
 * shared by threads; each worker owns its scratch (ng_pos_scratch).  The
 * decoding is Viterbi (docs/models.md: greedy decoding was measured and
 * gained too little speed for the accuracy it cost).
 */
#include "pos.h"
#include "tagger.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Longest run of tokens tagged at once: a text without punctuation is one
 * sentence of a million tokens; cutting it bounds the scratch memory. */
#define NG_POS_CHUNK 256

/* The names of the tags, by NG_UPOS_* (the spelling of UD and of the
 * model's "tags" section). */
static const char *const UPOS_NAMES[NG_UPOS_COUNT] = {
    "_",    "ADJ",   "ADP",  "ADV",   "AUX",   "CCONJ", "DET", "INTJ", "NOUN",
    "NUM",  "PART",  "PRON", "PROPN", "PUNCT", "SCONJ", "SYM", "VERB", "X",
};

struct ng_pos {
    ng_modelfile mf;                  /* the mapped file */
    ng_tagger t;                      /* points into mf */
    uint8_t upos[NG_TAGGER_MAX_TAGS]; /* the model's tag index -> NG_UPOS_* */
};

struct ng_pos_scratch {
    ng_tagger_scratch ts;
    ng_tword *words; /* one per token of the current chunk */
    uint8_t *tags;   /* the model's tag indexes of the chunk */
    size_t cap;      /* room, in tokens */
};

const char *ng_upos_name(int tag)
{
    return tag > NG_UPOS_NONE && tag < NG_UPOS_COUNT ? UPOS_NAMES[tag] : UPOS_NAMES[NG_UPOS_NONE];
}

/* The NG_UPOS_* called name, or NG_UPOS_NONE. */
static int upos_of(const char *name)
{
    for (int i = 1; i < NG_UPOS_COUNT; i++)
        if (strcmp(UPOS_NAMES[i], name) == 0)
            return i;
    return NG_UPOS_NONE;
}

int ng_pos_load(ng_pos **out, const char *dir, const char *lang, char *err, size_t errlen)
{
    *out = NULL;
    ng_pos *pos = calloc(1, sizeof *pos);
    if (!pos) {
        if (err)
            snprintf(err, errlen, "out of memory");
        return NG_ENOMEM;
    }
    char file[32];
    snprintf(file, sizeof file, "pos-%.8s.bin", lang);
    int found;
    int rc = ng_tagger_open(&pos->mf, &pos->t, dir, file, "part-of-speech", &found, err, errlen);
    if (rc != NG_OK) {
        free(pos);
        return found ? rc : NG_OK; /* none at all: the language goes without (err says where we looked) */
    }
    const ng_tagger *t = &pos->t;
    char why[96] = "";
    if (t->p.scheme != NG_SCHEME_PLAIN)
        snprintf(why, sizeof why, "its tags are entity tags, not parts of speech");
    for (unsigned i = 0; i < t->p.ntags && !why[0]; i++)
        if ((pos->upos[i] = (uint8_t)upos_of(t->tags[i])) == NG_UPOS_NONE)
            snprintf(why, sizeof why, "tag '%s' is not a universal part of speech", t->tags[i]);
    if (why[0]) {
        if (err)
            snprintf(err, errlen, "pos-%.8s.bin: not a part-of-speech model: %s", lang, why);
        ng_pos_free(pos);
        return NG_EMODEL;
    }
    *out = pos;
    return NG_OK;
}

void ng_pos_free(ng_pos *pos)
{
    if (!pos)
        return;
    ng_modelfile_close(&pos->mf);
    free(pos);
}

void ng_pos_scratch_free(ng_pos_scratch *sc)
{
    if (!sc)
        return;
    ng_tagger_scratch_free(&sc->ts);
    free(sc->words);
    free(sc->tags);
    free(sc);
}

/* Makes room for n tokens; NG_ENOMEM on failure (sc stays usable). */
static int scratch_grow(ng_pos_scratch *sc, size_t n)
{
    if (n <= sc->cap)
        return NG_OK;
    size_t cap = sc->cap ? sc->cap : 64;
    while (cap < n)
        cap *= 2;
    ng_tword *w = realloc(sc->words, cap * sizeof *w);
    if (w)
        sc->words = w;
    uint8_t *t = realloc(sc->tags, cap);
    if (t)
        sc->tags = t;
    if (!w || !t)
        return NG_ENOMEM;
    sc->cap = cap;
    return NG_OK;
}

int ng_pos_tag(ng_worker *w, ng_doc *doc)
{
    doc->pos = NULL;
    const ng_pos *pos = doc->lang_res ? doc->lang_res->pos : NULL;
    if (!pos && !doc->lang_res) {
        /* no language told (short texts fool language identification):
         * the English tagger, as the entity stage does */
        const ng_lang *en = ng_model_lang(doc->model, "en");
        pos = en ? en->pos : NULL;
    }
    if (!pos)
        return NG_OK;
    size_t n = doc->ntokens;
    unsigned char *out = ng_arena_alloc(&doc->arena, n ? n : 1);
    if (!out)
        return ng_worker_fail(w, NG_ENOMEM, "out of memory");
    if (n == 0 || !doc->text) {
        memset(out, NG_UPOS_NONE, n ? n : 1);
        doc->pos = out;
        return NG_OK;
    }
    if (!w->pos && !(w->pos = calloc(1, sizeof *w->pos)))
        return ng_worker_fail(w, NG_ENOMEM, "out of memory");
    ng_pos_scratch *sc = w->pos;
    if (scratch_grow(sc, n < NG_POS_CHUNK ? n : NG_POS_CHUNK) != NG_OK)
        return ng_worker_fail(w, NG_ENOMEM, "out of memory");
    const ng_tagger *t = &pos->t;
    const ng_token *tok = doc->tokens;
    for (size_t s = 0; s < n;) {
        /* one sentence, or a chunk of a long one */
        size_t e = s + 1;
        while (e < n && tok[e].sent == tok[s].sent && e - s < NG_POS_CHUNK)
            e++;
        for (size_t i = s; i < e; i++) {
            uint32_t a = tok[i].start <= doc->text_len ? tok[i].start : (uint32_t)doc->text_len;
            uint32_t b = tok[i].end >= a && tok[i].end <= doc->text_len ? tok[i].end : a;
            sc->words[i - s] = (ng_tword){doc->text + a, b - a, 0, 0};
        }
        if (ng_tagger_tag(t, &sc->ts, sc->words, e - s, sc->tags) != NG_OK)
            return ng_worker_fail(w, NG_ENOMEM, "out of memory");
        for (size_t i = s; i < e; i++)
            out[i] = pos->upos[sc->tags[i - s]];
        s = e;
    }
    doc->pos = out;
    return NG_OK;
}
