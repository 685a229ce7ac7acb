/*
 * ner.c — the entities stage: finds the NER model of each language, runs
 * the tagger (tagger.c) over a document's tokens, and turns the tags into
 * doc->entities, one entity per distinct (type, surface string) with all
 * its mentions.  Grouping "Florence Parly" with "Parly", titles and
 * coreference come later and will work on the mentions made here.
 *
 * The model (an ng_ner: a mapped file and the tagger reading it) is
 * read-only and shared by threads; the scratch each call needs lives in
 * the worker (ng_ner_scratch).
 */
#include "tagger.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef NG_MODELS_INSTALL_DIR
#define NG_MODELS_INSTALL_DIR "/usr/local/share/newsgraph/models"
#endif

/* Longest run of tokens tagged at once: longer sentences (a text without
 * punctuation) are cut, which bounds the scratch memory. */
#define NG_NER_CHUNK 256

struct ng_ner {
    ng_modelfile mf; /* the mapped file */
    ng_tagger t;     /* points into mf */
};

struct ng_ner_scratch {
    ng_tagger_scratch ts;
    ng_tword *words;  /* one per token of the document */
    uint8_t *first;   /* 1 at a sentence's first token */
    uint8_t *tags;    /* tag of each token */
    uint32_t *mf, *ml; /* mentions: first and last token */
    uint8_t *my;      /* mentions: tag of the first token (gives the type) */
    uint32_t *ment;   /* mentions: entity index */
    size_t cap;       /* tokens room */
};

/* Tries dir/ner-<lang>.bin; returns NG_OK, or the open/validate code with
 * err set.  A file that exists but is bad is reported as such. */
static int try_dir(ng_ner *ner, const char *dir, const char *lang, char *err, size_t errlen, int *exists)
{
    char path[PATH_MAX + 64];
    snprintf(path, sizeof path, "%.*s/ner-%.8s.bin", PATH_MAX, dir, lang);
    *exists = access(path, F_OK) == 0;
    if (!*exists)
        return NG_EIO;
    int rc = ng_modelfile_open(&ner->mf, path, err, errlen);
    if (rc != NG_OK)
        return rc == NG_EIO ? NG_EMODEL : rc;
    char why[256];
    rc = ng_tagger_load(&ner->t, &ner->mf, why, sizeof why);
    if (rc != NG_OK) {
        if (err)
            snprintf(err, errlen, "%s: %s", path, why);
        ng_modelfile_close(&ner->mf);
    }
    return rc;
}

int ng_ner_load(ng_ner **out, const char *dir, const char *lang, char *err, size_t errlen)
{
    *out = NULL;
    ng_ner *ner = calloc(1, sizeof *ner);
    if (!ner) {
        if (err)
            snprintf(err, errlen, "out of memory");
        return NG_ENOMEM;
    }
    /* the candidate folders, in order */
    char exe_models[PATH_MAX + 16] = "";
    char exe[PATH_MAX];
    ssize_t k = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (k > 0) {
        exe[k] = '\0';
        for (int up = 0; up < 2; up++) { /* <exe>/.. /.. : build/newsgraph -> the tree */
            char *slash = strrchr(exe, '/');
            if (slash)
                *slash = '\0';
        }
        snprintf(exe_models, sizeof exe_models, "%.*s/models", (int)(sizeof exe - 1), exe);
    }
    const char *env = getenv("NEWSGRAPH_MODELS");
    const char *cands[5];
    size_t nc = 0;
    if (dir) {
        cands[nc++] = dir;
    } else {
        if (env && *env)
            cands[nc++] = env;
        if (exe_models[0])
            cands[nc++] = exe_models;
#ifdef NG_MODELS_SOURCE_DIR
        cands[nc++] = NG_MODELS_SOURCE_DIR;
#endif
        cands[nc++] = NG_MODELS_INSTALL_DIR;
    }
    for (size_t i = 0; i < nc; i++) {
        int exists = 0;
        int rc = try_dir(ner, cands[i], lang, err, errlen, &exists);
        if (rc == NG_OK) {
            *out = ner;
            return NG_OK;
        }
        if (exists) { /* found but bad: say so, do not look further */
            free(ner);
            return rc;
        }
    }
    if (err) {
        size_t o = (size_t)snprintf(err, errlen, "no named-entity model ner-%s.bin: looked in ", lang);
        for (size_t i = 0; i < nc && o < errlen; i++)
            o += (size_t)snprintf(err + o, errlen - o, "%s%s", i ? ", " : "", cands[i]);
        if (!dir && (!env || !*env) && o < errlen)
            snprintf(err + o, errlen - o, " (set NEWSGRAPH_MODELS to the models folder)");
    }
    free(ner);
    return NG_EMODEL;
}

void ng_ner_free(ng_ner *ner)
{
    if (!ner)
        return;
    ng_modelfile_close(&ner->mf);
    free(ner);
}

void ng_ner_scratch_free(ng_ner_scratch *sc)
{
    if (!sc)
        return;
    ng_tagger_scratch_free(&sc->ts);
    free(sc->words);
    free(sc->first);
    free(sc->tags);
    free(sc->mf);
    free(sc->ml);
    free(sc->my);
    free(sc->ment);
    free(sc);
}

/* Makes room for n tokens; NG_ENOMEM on failure (sc stays usable). */
static int scratch_grow(ng_ner_scratch *sc, size_t n)
{
    if (n <= sc->cap)
        return NG_OK;
    size_t cap = sc->cap ? sc->cap : 1024;
    while (cap < n)
        cap *= 2;
    ng_tword *w = realloc(sc->words, cap * sizeof *w);
    if (w)
        sc->words = w;
    uint8_t *f = realloc(sc->first, cap);
    if (f)
        sc->first = f;
    uint8_t *t = realloc(sc->tags, cap);
    if (t)
        sc->tags = t;
    uint32_t *a = realloc(sc->mf, cap * 4);
    if (a)
        sc->mf = a;
    uint32_t *b = realloc(sc->ml, cap * 4);
    if (b)
        sc->ml = b;
    uint8_t *y = realloc(sc->my, cap);
    if (y)
        sc->my = y;
    uint32_t *e = realloc(sc->ment, cap * 4);
    if (e)
        sc->ment = e;
    if (!w || !f || !t || !a || !b || !y || !e)
        return NG_ENOMEM;
    sc->cap = cap;
    return NG_OK;
}

/* The static name of an entity type, so records never point into a model. */
static const char *static_type(const char *t)
{
    static const char *const known[] = {"PER", "ORG", "LOC", "MISC"};
    for (size_t i = 0; i < sizeof known / sizeof *known; i++)
        if (strcmp(known[i], t) == 0)
            return known[i];
    return NULL;
}

static uint64_t hash_mention(const char *type, const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (const char *p = type; *p; p++)
        h = (h ^ (unsigned char)*p) * 0x100000001b3ULL;
    h = (h ^ 0xff) * 0x100000001b3ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
    return h;
}

int ng_entities(ng_worker *w, ng_doc *doc)
{
    doc->entities = NULL;
    doc->nentities = 0;
    const ng_ner *ner = doc->lang_res ? doc->lang_res->ner : NULL;
    if (!ner) {
        /* a language without a model (or none detected: short tables and
         * lists often fool language identification): names are written
         * much the same way everywhere, so the English tagger does */
        const ng_lang *en = ng_model_lang(doc->model, "en");
        ner = en ? en->ner : NULL;
    }
    size_t n = doc->ntokens;
    if (!ner || n == 0 || !doc->text)
        return NG_OK;
    const ng_tagger *t = &ner->t;
    if (!w->ner && !(w->ner = calloc(1, sizeof *w->ner)))
        return ng_worker_fail(w, NG_ENOMEM, "out of memory");
    ng_ner_scratch *sc = w->ner;
    if (scratch_grow(sc, n) != NG_OK)
        return ng_worker_fail(w, NG_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        const ng_token *tk = &doc->tokens[i];
        uint32_t s = tk->start <= doc->text_len ? tk->start : (uint32_t)doc->text_len;
        uint32_t e = tk->end >= s && tk->end <= doc->text_len ? tk->end : s;
        sc->words[i] = (ng_tword){doc->text + s, e - s, 0, 0};
        sc->first[i] = i == 0 || tk->sent != doc->tokens[i - 1].sent;
    }
    if ((t->p.families & NG_FF_DOC) && ng_tagger_doc_context(sc->words, sc->first, n) != NG_OK)
        return ng_worker_fail(w, NG_ENOMEM, "out of memory");
    /* tag sentence by sentence (long ones in chunks), collect mentions */
    size_t nm = 0;
    for (size_t s = 0; s < n;) {
        size_t e = s + 1;
        while (e < n && !sc->first[e] && e - s < NG_NER_CHUNK)
            e++;
        if (ng_tagger_tag(t, &sc->ts, sc->words + s, e - s, sc->tags + s) != NG_OK)
            return ng_worker_fail(w, NG_ENOMEM, "out of memory");
        size_t k = ng_tags_to_spans(t, sc->tags + s, e - s, sc->mf + nm, sc->ml + nm, sc->my + nm, n - nm);
        for (size_t j = nm; j < nm + k; j++) {
            sc->mf[j] += (uint32_t)s;
            sc->ml[j] += (uint32_t)s;
        }
        nm += k;
        s = e;
    }
    if (nm == 0)
        return NG_OK;
    /* one entity per distinct (type, text) */
    size_t cap = 16;
    while (cap < nm * 2)
        cap *= 2;
    uint32_t *slot = ng_arena_calloc(&doc->arena, cap, sizeof *slot); /* entity index + 1 */
    ng_entity *ents = ng_arena_calloc(&doc->arena, nm, sizeof *ents);
    ng_mention *ms = ng_arena_calloc(&doc->arena, nm, sizeof *ms);
    if (!slot || !ents || !ms)
        return ng_worker_fail(w, NG_ENOMEM, "out of memory");
    size_t ne = 0;
    for (size_t j = 0; j < nm; j++) {
        const ng_token *a = &doc->tokens[sc->mf[j]], *b = &doc->tokens[sc->ml[j]];
        size_t s = a->start, e = b->end;
        if (e < s || e > doc->text_len)
            e = s;
        const char *type = static_type(t->types[sc->my[j]]);
        if (!type)
            type = ng_arena_strdup(&doc->arena, t->types[sc->my[j]]);
        const char *text = ng_arena_strndup(&doc->arena, doc->text + s, e - s);
        if (!type || !text)
            return ng_worker_fail(w, NG_ENOMEM, "out of memory");
        ms[j].span.start = (uint32_t)s;
        ms[j].span.end = (uint32_t)e;
        ms[j].text = text;
        uint64_t h = hash_mention(type, text, e - s);
        size_t i = (size_t)h & (cap - 1);
        while (slot[i]) {
            const ng_entity *x = &ents[slot[i] - 1];
            if (strcmp(x->type, type) == 0 && strcmp(x->name, text) == 0)
                break;
            i = (i + 1) & (cap - 1);
        }
        if (!slot[i]) {
            ents[ne].id = (uint32_t)(ne + 1);
            ents[ne].type = type;
            ents[ne].name = text;
            slot[i] = (uint32_t)++ne;
        }
        sc->ment[j] = slot[i] - 1;
        ents[slot[i] - 1].nmentions++;
    }
    /* lay the mentions out entity by entity, in text order within each */
    size_t at = 0;
    for (size_t i = 0; i < ne; i++) {
        ng_mention *base = ng_arena_alloc(&doc->arena, ents[i].nmentions * sizeof *base);
        if (!base)
            return ng_worker_fail(w, NG_ENOMEM, "out of memory");
        ents[i].mentions = base;
        at += ents[i].nmentions;
        ents[i].nmentions = 0;
    }
    (void)at;
    for (size_t j = 0; j < nm; j++) {
        ng_entity *x = &ents[sc->ment[j]];
        x->mentions[x->nmentions++] = ms[j];
    }
    doc->entities = ents;
    doc->nentities = ne;
    /* do not let one huge article pin its scratch */
    if (sc->cap > ((size_t)1 << 20)) {
        ng_ner_scratch_free(sc);
        w->ner = NULL;
    }
    return NG_OK;
}
