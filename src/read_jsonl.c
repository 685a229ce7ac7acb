/*
 * read_jsonl.c — JSON Lines input: one article per line, an object with
 * "id" (string or number), "text" or "html" (a string; "text" wins when
 * both are there), and optional "url", "published", "lang" (strings or
 * null).  Parsed with jansson, one line at a time.
 *
 * Blank lines are skipped.  A line that is not such an object becomes a
 * refused item (NG_EFORMAT) with a one-line reason, and reading goes on
 * with the next line; a line longer than max_bytes is read and dropped
 * (NG_ETOOBIG) without being held whole.  item->where is "name:LINE".
 */
#include "internal.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ng_jsonl {
    ng_stream *s;       /* the bytes (borrowed) */
    const char *name;   /* the input's name (borrowed) */
    size_t max_bytes;   /* longest line kept */
    uint64_t lineno;    /* number of the last line read, from 1 */
    int done;           /* the stream ended or failed */
    ng_buf line;        /* the current line */
    json_t *root;       /* the current line's value, freed on the next call */
    char where[512];    /* "name:LINE" */
    char id[64];        /* a numeric id as text, or "line N" */
    char msg[320];      /* the current refusal's reason */
};

int ng_jsonl_new(ng_jsonl **out, ng_stream *s, const char *name, size_t max_bytes)
{
    ng_jsonl *j = calloc(1, sizeof *j);
    *out = j;
    if (!j)
        return NG_ENOMEM;
    j->s = s;
    j->name = name;
    j->max_bytes = max_bytes;
    ng_buf_init(&j->line);
    return NG_OK;
}

void ng_jsonl_free(ng_jsonl *j)
{
    if (!j)
        return;
    json_decref(j->root);
    ng_buf_free(&j->line);
    free(j);
}

/* Fills item as a refusal with rc and a printf-style reason.  Returns 1. */
static int refuse(ng_jsonl *j, ng_item *item, int rc, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int refuse(ng_jsonl *j, ng_item *item, int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(j->msg, sizeof j->msg, fmt, ap);
    va_end(ap);
    item->rc = rc;
    item->error = j->msg;
    item->data = NULL;
    item->len = 0;
    return 1;
}

/* Reads optional string member key of obj into *out (NULL when missing or
 * null).  Returns 0, or -1 with the refusal filled in when it is not a
 * string or holds a NUL character. */
static int get_str(ng_jsonl *j, ng_item *item, json_t *obj, const char *key, const char **out, size_t *len)
{
    json_t *v = json_object_get(obj, key);
    *out = NULL;
    if (len)
        *len = 0;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v)) {
        refuse(j, item, NG_EFORMAT, "member \"%s\" is not a string", key);
        return -1;
    }
    size_t n = json_string_length(v);
    const char *p = json_string_value(v);
    if (memchr(p, '\0', n)) {
        refuse(j, item, NG_EFORMAT, "member \"%s\" contains a NUL character", key);
        return -1;
    }
    *out = p;
    if (len)
        *len = n;
    return 0;
}

/* True when the line holds only white space. */
static int blank(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r' && p[i] != '\f' && p[i] != '\v')
            return 0;
    return 1;
}

/* Turns the parsed object in j->root into item.  Returns 1 (the item is
 * either good or refused with a reason). */
static int fill_item(ng_jsonl *j, ng_item *item)
{
    json_t *o = j->root;
    if (!json_is_object(o))
        return refuse(j, item, NG_EFORMAT, "not a JSON object");
    json_t *id = json_object_get(o, "id");
    if (id && json_is_string(id)) {
        if (memchr(json_string_value(id), '\0', json_string_length(id)))
            return refuse(j, item, NG_EFORMAT, "member \"id\" contains a NUL character");
        item->src.id = json_string_value(id);
    } else if (id && json_is_integer(id)) {
        snprintf(j->id, sizeof j->id, "%" JSON_INTEGER_FORMAT, json_integer_value(id));
        item->src.id = j->id;
    } else if (id && json_is_real(id)) {
        snprintf(j->id, sizeof j->id, "%.17g", json_real_value(id));
        item->src.id = j->id;
    } else if (id && !json_is_null(id)) {
        return refuse(j, item, NG_EFORMAT, "member \"id\" is not a string or a number");
    }
    const char *text, *html, *url, *pub, *lang;
    size_t tlen, hlen;
    if (get_str(j, item, o, "text", &text, &tlen) || get_str(j, item, o, "html", &html, &hlen) ||
        get_str(j, item, o, "url", &url, NULL) || get_str(j, item, o, "published", &pub, NULL) ||
        get_str(j, item, o, "lang", &lang, NULL))
        return 1;
    if (!text && !html)
        return refuse(j, item, NG_EFORMAT, "no \"text\" or \"html\" member");
    item->src.url = url;
    item->src.published = pub;
    item->src.lang = lang;
    if (text) {
        item->src.format = NG_FORMAT_TEXT;
        item->data = text;
        item->len = tlen;
    } else {
        item->src.format = NG_FORMAT_HTML;
        item->data = html;
        item->len = hlen;
    }
    if (item->len > j->max_bytes)
        return refuse(j, item, NG_ETOOBIG, "%zu bytes, over the limit of %zu bytes", item->len, j->max_bytes);
    return 1;
}

int ng_jsonl_next(ng_jsonl *j, ng_item *item)
{
    json_decref(j->root);
    j->root = NULL;
    /* do not let one long line pin its memory for the rest of the input */
    if (j->line.cap > ((size_t)8 << 20))
        ng_buf_free(&j->line);
    while (!j->done) {
        ng_buf_reset(&j->line);
        uint64_t len;
        int k = ng_stream_getline(j->s, &j->line, j->max_bytes, &len);
        if (k == NG_ENOMEM)
            return k;
        memset(item, 0, sizeof *item);
        ng_source_default(&item->src);
        if (k < 0) {
            /* a read error or a truncated .gz: report it once and stop */
            const char *m;
            ng_stream_error(j->s, &m);
            j->done = 1;
            snprintf(j->where, sizeof j->where, "%s:%" PRIu64, j->name, j->lineno + 1);
            snprintf(j->id, sizeof j->id, "line %" PRIu64, j->lineno + 1);
            item->where = j->where;
            item->src.id = j->id;
            return refuse(j, item, k, "%s", m);
        }
        if (k == 0) {
            j->done = 1;
            break;
        }
        j->lineno++;
        snprintf(j->where, sizeof j->where, "%s:%" PRIu64, j->name, j->lineno);
        snprintf(j->id, sizeof j->id, "line %" PRIu64, j->lineno);
        item->where = j->where;
        item->src.id = j->id;
        if (len > j->max_bytes)
            return refuse(j, item, NG_ETOOBIG, "line of %" PRIu64 " bytes, over the limit of %zu bytes", len,
                          j->max_bytes);
        size_t n = j->line.len;
        if (n && j->line.p[n - 1] == '\r')
            n--;
        if (blank(j->line.p ? j->line.p : "", n))
            continue;
        json_error_t e;
        j->root = json_loadb(j->line.p, n, JSON_ALLOW_NUL, &e);
        if (!j->root) {
            /* jansson quotes the bad token: keep the message one clean line */
            for (char *c = e.text; *c; c++)
                if ((unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7f)
                    *c = '?';
            return refuse(j, item, NG_EFORMAT, "malformed JSON: %s (byte %d)", e.text, e.position);
        }
        return fill_item(j, item);
    }
    return 0;
}
