/*
 * model.c — ng_model (every language's resources, loaded once, then
 * read-only and shared by all threads) and ng_worker (per-thread scratch).
 */
#include "internal.h"
#include "events.h"
#include "pos.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The languages whose resources are compiled in.  A new language is a new
 * folder under lang/ and a line here. */
static const char *const lang_codes[] = {"en", "fr"};

void ng_model_options_default(ng_model_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->max_bytes = (size_t)64 << 20;
}

static int load_lang(ng_lang *L, const char *code, char *detail, size_t detaillen)
{
    char path[64];
    int rc;
    snprintf(L->code, sizeof L->code, "%s", code);
#define LOAD(field, file, fold)                                   \
    snprintf(path, sizeof path, "%s/%s", code, file);             \
    if ((rc = ng_strset_load(&L->field, path, fold, 0)) != NG_OK) \
        return rc;
    LOAD(abbrev, "abbreviations.txt", 1)
    LOAD(chrome_lines, "chrome-lines.txt", 1)
    LOAD(chrome_prefix, "chrome-prefixes.txt", 1)
    LOAD(months, "months.txt", 1)
    LOAD(stopwords, "stopwords.txt", 1)
    LOAD(abbrev_prenominal, "abbreviations-prenominal.txt", 1)
    LOAD(elisions, "elisions.txt", 1)
    LOAD(clitics, "clitics.txt", 1)
    LOAD(hyphen_clitics, "hyphen-clitics.txt", 1)
    LOAD(weekdays, "weekdays.txt", 1)
    LOAD(date_labels, "date-labels.txt", 1)
    LOAD(teaser_heads, "teaser-headers.txt", 1)
    LOAD(credit_words, "credit-words.txt", 1)
    LOAD(chrome_phrase, "chrome-phrases.txt", 1)
#undef LOAD
    if ((rc = ng_grammar_load(&L->grammar, code, detail, detaillen)) != NG_OK)
        return rc; /* detail: "en/timex-rules.txt:12: unknown class '@x'" */
    if ((rc = ng_qlex_load(&L->qlex, code)) != NG_OK)
        return rc;
    return NG_OK;
}

static void free_lang(ng_lang *L)
{
    ng_ner_free(L->ner);
    L->ner = NULL;
    ng_pos_free(L->pos);
    L->pos = NULL;
    ng_evlex_free(L->evlex);
    L->evlex = NULL;
    ng_grammar_free(L->grammar);
    L->grammar = NULL;
    ng_qlex_free(L->qlex);
    L->qlex = NULL;
    ng_strset_free(&L->abbrev);
    ng_strset_free(&L->chrome_lines);
    ng_strset_free(&L->chrome_prefix);
    ng_strset_free(&L->months);
    ng_strset_free(&L->stopwords);
    ng_strset_free(&L->abbrev_prenominal);
    ng_strset_free(&L->elisions);
    ng_strset_free(&L->clitics);
    ng_strset_free(&L->hyphen_clitics);
    ng_strset_free(&L->weekdays);
    ng_strset_free(&L->date_labels);
    ng_strset_free(&L->teaser_heads);
    ng_strset_free(&L->credit_words);
    ng_strset_free(&L->chrome_phrase);
}

int ng_model_new(ng_model **out, const ng_model_options *opt, char *err, size_t errlen)
{
    *out = NULL;
    ng_model *m = calloc(1, sizeof *m);
    if (!m) {
        if (err)
            snprintf(err, errlen, "out of memory");
        return NG_ENOMEM;
    }
    if (opt)
        m->opt = *opt;
    else
        ng_model_options_default(&m->opt);
    int rc = NG_OK;
    char detail[256] = ""; /* what a language's grammar compiler said */
    for (size_t i = 0; i < sizeof lang_codes / sizeof *lang_codes && rc == NG_OK; i++) {
        rc = load_lang(&m->langs[m->nlangs], lang_codes[i], detail, sizeof detail);
        m->nlangs++;
    }
    if (rc == NG_OK)
        rc = ng_strset_load(&m->html_negative, "common/html-negative.txt", 1, 0);
    if (rc == NG_OK)
        rc = ng_strset_load(&m->html_positive, "common/html-positive.txt", 1, 0);
    if (rc == NG_OK)
        rc = ng_strset_load(&m->html_promo, "common/html-promo.txt", 1, 0);
    if (rc == NG_OK)
        rc = ng_strset_load(&m->html_chrome, "common/html-chrome-lines.txt", 1, 0);
    if (rc == NG_OK)
        rc = ng_strset_load(&m->html_teaser, "common/html-teaser-heads.txt", 1, 0);
    if (rc == NG_OK)
        rc = ng_strset_load(&m->agencies, "common/agencies.txt", 0, 0);
    if (rc == NG_OK)
        rc = ng_strset_load(&m->months_extra, "common/months.txt", 1, 0);
    if (rc != NG_OK) {
        if (err)
            snprintf(err, errlen, "cannot load the language resources: %s%s%s", ng_strerror(rc), detail[0] ? ": " : "",
                     detail);
        ng_model_free(m);
        return rc;
    }
    /* the event stage's dictionaries: common tables, then each language's patterns */
    if ((rc = ng_evcommon_load(&m->evc, m->opt.actors_file, m->opt.agents_file, m->opt.verbs_file, err, errlen)) != NG_OK) {
        ng_model_free(m);
        return rc;
    }
    for (size_t i = 0; i < m->nlangs; i++) {
        if ((rc = ng_evlex_load(&m->langs[i].evlex, m->langs[i].code, m->evc, err, errlen)) != NG_OK) {
            ng_model_free(m);
            return rc;
        }
    }
    /* the named-entity tagger of each language (models/ner-<code>.bin) */
    for (size_t i = 0; i < m->nlangs; i++) {
        if ((rc = ng_ner_load(&m->langs[i].ner, m->opt.models_dir, m->langs[i].code, err, errlen)) != NG_OK) {
            ng_model_free(m);
            return rc;
        }
    }
    /* the part-of-speech tagger (models/pos-<code>.bin): a language without
     * one goes on without (L->pos NULL); a bad file is refused like NER's */
    for (size_t i = 0; i < m->nlangs; i++) {
        char perr[512];
        if ((rc = ng_pos_load(&m->langs[i].pos, m->opt.models_dir, m->langs[i].code, perr, sizeof perr)) != NG_OK) {
            if (err)
                snprintf(err, errlen, "%s", perr);
            ng_model_free(m);
            return rc;
        }
    }
    *out = m;
    return NG_OK;
}

void ng_model_free(ng_model *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->nlangs; i++)
        free_lang(&m->langs[i]);
    ng_strset_free(&m->html_negative);
    ng_strset_free(&m->html_positive);
    ng_strset_free(&m->html_promo);
    ng_strset_free(&m->html_chrome);
    ng_strset_free(&m->html_teaser);
    ng_strset_free(&m->agencies);
    ng_strset_free(&m->months_extra);
    ng_evcommon_free(m->evc); /* after the languages, whose lexicons point into it */
    free(m);
}

const ng_lang *ng_model_lang(const ng_model *m, const char *code)
{
    if (!m || !code)
        return NULL;
    for (size_t i = 0; i < m->nlangs; i++)
        if (strncmp(m->langs[i].code, code, 2) == 0)
            return &m->langs[i];
    return NULL;
}

/* langid.c frees its handle */
void ng_langid_free(void *handle);

int ng_worker_new(const ng_model *m, ng_worker **out)
{
    *out = NULL;
    if (!m)
        return NG_EINVAL;
    ng_worker *w = calloc(1, sizeof *w);
    if (!w)
        return NG_ENOMEM;
    w->model = m;
    w->stages = NG_STAGE_ALL;
    ng_buf_init(&w->scratch);
    *out = w;
    return NG_OK;
}

void ng_worker_free(ng_worker *w)
{
    if (!w)
        return;
    ng_langid_free(w->textcat);
    ng_html_scratch_free(w);
    ng_ner_scratch_free(w->ner);
    ng_pos_scratch_free(w->pos);
    ng_ev_scratch_free(w->ev);
    ng_tx_scratch_free(w->tx);
    ng_buf_free(&w->scratch);
    free(w);
}

void ng_worker_set_stages(ng_worker *w, unsigned stages)
{
    if (w)
        w->stages = stages;
}

const char *ng_worker_error(const ng_worker *w)
{
    return w ? w->err : "no worker";
}

int ng_worker_fail(ng_worker *w, int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->err, sizeof w->err, fmt, ap);
    va_end(ap);
    return rc;
}

const char *ng_strerror(int rc)
{
    switch (rc) {
    case NG_OK: return "success";
    case NG_ENOMEM: return "out of memory";
    case NG_EINVAL: return "invalid argument";
    case NG_EIO: return "input/output error";
    case NG_EFORMAT: return "malformed input";
    case NG_EENCODING: return "invalid text encoding";
    case NG_EBINARY: return "binary data, not text";
    case NG_EEMPTY: return "empty input";
    case NG_ETOOBIG: return "input too large";
    case NG_EMODEL: return "missing or corrupt model";
    case NG_ETRUNCATED: return "truncated input";
    case NG_EUNSUPPORTED: return "not supported by this build";
    case NG_EDB: return "knowledge base error";
    default: return "unknown error";
    }
}
