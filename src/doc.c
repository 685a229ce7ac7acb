/*
 * doc.c — ng_analyze, the pipeline that turns one article's bytes into an
 * ng_doc, and the document accessors.
 *
 *   bytes ─▶ decode (UTF-8) ─▶ html or text extraction (clean text, title,
 *   metadata) ─▶ language ─▶ publication date ─▶ agencies ─▶ segmentation
 *
 * Every stage reads what the earlier ones left in the doc and adds its
 * layer; every allocation lives in the doc's arena.
 */
#include "events.h"
#include "pos.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

void ng_source_default(ng_source *src)
{
    memset(src, 0, sizeof *src);
    src->format = NG_FORMAT_AUTO;
}

/* Looks at the first bytes for markup: a doctype, <html>, <head>, <body>,
 * or several common block tags.  Returns 1 for HTML. */
static int looks_like_html(const char *s, size_t n)
{
    size_t lim = n < 4096 ? n : 4096;
    size_t i = 0;
    /* skip a BOM and white space */
    if (lim >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    while (i < lim && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
        i++;
    if (i < lim && s[i] == '<') {
        static const char *const starts[] = {"<!doctype", "<html", "<head", "<body", "<?xml", "<!--", "<meta", "<div", "<p>", "<article", "<title"};
        for (size_t k = 0; k < sizeof starts / sizeof *starts; k++) {
            size_t L = strlen(starts[k]);
            if (lim - i >= L && strncasecmp(s + i, starts[k], L) == 0)
                return 1;
        }
    }
    int tags = 0;
    for (size_t j = 0; j + 3 < lim; j++) {
        if (s[j] != '<')
            continue;
        if (strncasecmp(s + j + 1, "p>", 2) == 0 || strncasecmp(s + j + 1, "br", 2) == 0 ||
            strncasecmp(s + j + 1, "/p>", 3) == 0 || strncasecmp(s + j + 1, "div", 3) == 0 ||
            strncasecmp(s + j + 1, "a href", 6) == 0)
            tags++;
    }
    return tags >= 3;
}

/* Keeps the first of several candidate publication dates in priority
 * order: the caller's, the page metadata, a dateline in the text. */
static void choose_published(ng_doc *doc, const ng_source *src)
{
    char iso[64];
    if (src->published && ng_date_normalize(doc->model, src->published, strlen(src->published), iso, sizeof iso)) {
        doc->published = ng_arena_strdup(&doc->arena, iso);
        doc->published_from = NG_FROM_INPUT;
        return;
    }
    if (doc->meta_published) {
        doc->published = doc->meta_published;
        doc->published_from = NG_FROM_META;
    }
    /* else: whatever the text extractor found (or NULL) stays */
}

int ng_analyze(ng_worker *w, const ng_source *src_in, const char *data, size_t len, ng_doc **out)
{
    *out = NULL;
    if (!w || (!data && len))
        return NG_EINVAL;
    w->err[0] = '\0';
    ng_source dflt;
    if (!src_in) {
        ng_source_default(&dflt);
        src_in = &dflt;
    }
    const ng_model *m = w->model;
    if (len == 0)
        return ng_worker_fail(w, NG_EEMPTY, "empty input");
    if (len > m->opt.max_bytes)
        return ng_worker_fail(w, NG_ETOOBIG, "%zu bytes, over the limit of %zu bytes", len, m->opt.max_bytes);

    ng_doc *doc = calloc(1, sizeof *doc);
    if (!doc)
        return ng_worker_fail(w, NG_ENOMEM, "out of memory");
    ng_arena_init(&doc->arena);
    doc->model = m;
    doc->id = ng_arena_strdup(&doc->arena, src_in->id ? src_in->id : "-");
    doc->url = ng_arena_strdup(&doc->arena, src_in->url);
    doc->lang_hint = ng_arena_strdup(&doc->arena, src_in->lang);

    int html = src_in->format == NG_FORMAT_HTML || (src_in->format == NG_FORMAT_AUTO && looks_like_html(data, len));
    const char *charset = src_in->charset;
    char sniffed[32];
    if (html && !charset && ng_html_sniff_charset(data, len, sniffed, sizeof sniffed))
        charset = sniffed;

    ng_buf *utf8 = &w->scratch;
    ng_buf_reset(utf8);
    int rc = ng_decode(w, data, len, charset, utf8);
    if (rc == NG_OK && utf8->oom)
        rc = ng_worker_fail(w, NG_ENOMEM, "out of memory");
    if (rc == NG_OK)
        rc = html ? ng_html_extract(w, doc, utf8->p, utf8->len) : ng_text_extract(w, doc, utf8->p, utf8->len);
    if (rc == NG_OK && (!doc->text || doc->text_len == 0))
        rc = ng_worker_fail(w, NG_EEMPTY, html ? "no article text found in the page" : "no text left after cleaning");
    if (rc == NG_OK)
        rc = ng_langid(w, doc);
    if (rc == NG_OK) {
        doc->lang_res = ng_model_lang(m, doc->lang);
        choose_published(doc, src_in);
        rc = ng_agencies_find(w, doc);
    }
    if (rc == NG_OK)
        rc = ng_segment(w, doc);
    if (rc == NG_OK)
        rc = (w->stages & NG_STAGE_ENTITIES) ? ng_entities(w, doc) : NG_OK;
    if (rc == NG_OK && (w->stages & NG_STAGE_TIMEX))
        rc = ng_timex(w, doc);
    if (rc == NG_OK && (w->stages & NG_STAGE_QUANTITIES))
        rc = ng_quantities(w, doc);
    if (rc == NG_OK && (w->stages & NG_STAGE_QUOTES) && (w->stages & NG_STAGE_ENTITIES))
        rc = ng_coref(w, doc);
    if (rc == NG_OK && (w->stages & NG_STAGE_QUOTES) && (w->stages & NG_STAGE_ENTITIES))
        rc = ng_quotes(w, doc);
    if (rc == NG_OK && (w->stages & NG_STAGE_EVENTS))
        rc = ng_pos_tag(w, doc);
    if (rc == NG_OK && (w->stages & NG_STAGE_EVENTS))
        rc = ng_events(w, doc);
    if (rc == NG_OK && doc->arena.oom)
        rc = ng_worker_fail(w, NG_ENOMEM, "out of memory");
    /* keep the scratch buffer from pinning a huge article's memory */
    if (utf8->cap > ((size_t)4 << 20))
        ng_buf_free(utf8);
    if (rc != NG_OK) {
        if (!w->err[0])
            ng_worker_fail(w, rc, "%s", ng_strerror(rc));
        ng_doc_free(doc);
        return rc;
    }
    *out = doc;
    return NG_OK;
}

void ng_doc_free(ng_doc *d)
{
    if (!d)
        return;
    ng_arena_free(&d->arena);
    free(d);
}

const char *ng_doc_id(const ng_doc *d) { return d->id; }
const char *ng_doc_title(const ng_doc *d) { return d->title; }
const char *ng_doc_lang(const ng_doc *d) { return d->lang[0] ? d->lang : NULL; }

const char *ng_doc_text(const ng_doc *d, size_t *len)
{
    if (len)
        *len = d->text_len;
    return d->text;
}

const char *ng_doc_published(const ng_doc *d, const char **from)
{
    if (from)
        *from = d->published ? d->published_from : NULL;
    return d->published;
}

size_t ng_doc_sentence_count(const ng_doc *d) { return d->nsentences; }
size_t ng_doc_token_count(const ng_doc *d) { return d->ntokens; }

int ng_doc_sentence(const ng_doc *d, size_t i, size_t *start, size_t *end)
{
    if (i >= d->nsentences)
        return NG_EINVAL;
    *start = d->sentences[i].start;
    *end = d->sentences[i].end;
    return NG_OK;
}

int ng_doc_token(const ng_doc *d, size_t i, size_t *start, size_t *end)
{
    if (i >= d->ntokens)
        return NG_EINVAL;
    *start = d->tokens[i].start;
    *end = d->tokens[i].end;
    return NG_OK;
}
