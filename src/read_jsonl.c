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

#include <errno.h>
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
    json_t *root;       /* the current line's value (jansson path), freed on the next call */
    ng_buf vals;        /* decoded strings of the current line (fast path) */
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
    ng_buf_init(&j->vals);
    return NG_OK;
}

void ng_jsonl_free(ng_jsonl *j)
{
    if (!j)
        return;
    json_decref(j->root);
    ng_buf_free(&j->line);
    ng_buf_free(&j->vals);
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

/* True when the line holds only white space. */
static int blank(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r' && p[i] != '\f' && p[i] != '\v')
            return 0;
    return 1;
}

/* ---- the members, however they were parsed ------------------------------ */

/* One member's value as far as we care: its type and, for a string, its
 * bytes (in the line, in j->vals, or in jansson's tree). */
enum { JV_MISSING = 0, JV_NULL, JV_STRING, JV_INT, JV_REAL, JV_OTHER };
typedef struct {
    int type;       /* JV_* */
    const char *s;  /* JV_STRING: the bytes (NUL-terminated except text/html from the fast path) */
    size_t n;       /* their length */
    size_t off;     /* fast path, while parsing: offset in the line or in j->vals */
    int in_vals;    /* fast path: the bytes were decoded into j->vals */
    long long i;    /* JV_INT */
    double d;       /* JV_REAL */
} jval;

/* The members an article is made of. */
enum { F_ID, F_TEXT, F_HTML, F_URL, F_PUBLISHED, F_LANG, F_COUNT };
static const char *const field_names[F_COUNT] = {"id", "text", "html", "url", "published", "lang"};

/* Turns the members into item, or refuses it with the reason.  Returns 1. */
static int fill_item(ng_jsonl *j, ng_item *item, const jval *f)
{
    const jval *id = &f[F_ID];
    if (id->type == JV_STRING) {
        if (memchr(id->s, '\0', id->n))
            return refuse(j, item, NG_EFORMAT, "member \"id\" contains a NUL character");
        item->src.id = id->s;
    } else if (id->type == JV_INT) {
        snprintf(j->id, sizeof j->id, "%lld", id->i);
        item->src.id = j->id;
    } else if (id->type == JV_REAL) {
        snprintf(j->id, sizeof j->id, "%.17g", id->d);
        item->src.id = j->id;
    } else if (id->type != JV_MISSING && id->type != JV_NULL) {
        return refuse(j, item, NG_EFORMAT, "member \"id\" is not a string or a number");
    }
    for (int k = F_TEXT; k < F_COUNT; k++) {
        if (f[k].type == JV_MISSING || f[k].type == JV_NULL)
            continue;
        if (f[k].type != JV_STRING)
            return refuse(j, item, NG_EFORMAT, "member \"%s\" is not a string", field_names[k]);
        if (memchr(f[k].s, '\0', f[k].n))
            return refuse(j, item, NG_EFORMAT, "member \"%s\" contains a NUL character", field_names[k]);
    }
    const jval *body = f[F_TEXT].type == JV_STRING ? &f[F_TEXT] : &f[F_HTML];
    if (body->type != JV_STRING)
        return refuse(j, item, NG_EFORMAT, "no \"text\" or \"html\" member");
    item->src.url = f[F_URL].type == JV_STRING ? f[F_URL].s : NULL;
    item->src.published = f[F_PUBLISHED].type == JV_STRING ? f[F_PUBLISHED].s : NULL;
    item->src.lang = f[F_LANG].type == JV_STRING ? f[F_LANG].s : NULL;
    item->src.format = body == &f[F_TEXT] ? NG_FORMAT_TEXT : NG_FORMAT_HTML;
    item->data = body->s;
    item->len = body->n;
    if (item->len > j->max_bytes)
        return refuse(j, item, NG_ETOOBIG, "%zu bytes, over the limit of %zu bytes", item->len, j->max_bytes);
    return 1;
}

/* Reads the members from jansson's tree j->root into f.  Returns 0, or -1
 * when the root is not an object. */
static int from_jansson(ng_jsonl *j, jval *f)
{
    if (!json_is_object(j->root))
        return -1;
    for (int k = 0; k < F_COUNT; k++) {
        json_t *v = json_object_get(j->root, field_names[k]);
        memset(&f[k], 0, sizeof f[k]);
        if (!v)
            f[k].type = JV_MISSING;
        else if (json_is_null(v))
            f[k].type = JV_NULL;
        else if (json_is_string(v)) {
            f[k].type = JV_STRING;
            f[k].s = json_string_value(v);
            f[k].n = json_string_length(v);
        } else if (json_is_integer(v)) {
            f[k].type = JV_INT;
            f[k].i = (long long)json_integer_value(v);
        } else if (json_is_real(v)) {
            f[k].type = JV_REAL;
            f[k].d = json_real_value(v);
        } else
            f[k].type = JV_OTHER;
    }
    return 0;
}

/* ---- the fast path -------------------------------------------------------
 *
 * jansson reads a string one character at a time through callbacks (about
 * 25 MB/s), which would make JSON Lines the slowest way into newsgraph.
 * Most lines are a flat object of strings, so this parser reads them with
 * plain loops, copying a string only when it has escapes.  It follows the
 * JSON grammar strictly; on anything it does not accept (a syntax error,
 * invalid UTF-8, a lone surrogate, a NUL in a key, nesting deeper than
 * FAST_DEPTH, a number out of range) it gives up and the line goes to
 * jansson, so every error message still comes from jansson, and the two
 * paths agree on what a line means. */

#define FAST_DEPTH 32

/* A cursor over the line. */
typedef struct {
    const unsigned char *p;
    size_t n, i;
} cursor;

static void skip_ws(cursor *c)
{
    while (c->i < c->n && (c->p[c->i] == ' ' || c->p[c->i] == '\t' || c->p[c->i] == '\n' || c->p[c->i] == '\r'))
        c->i++;
}

/* Value of a hex digit, or -1. */
static int hexval(unsigned char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* Four hex digits at p (n bytes available); -1 when they are not. */
static long hex4(const unsigned char *p, size_t n)
{
    if (n < 4)
        return -1;
    long v = 0;
    for (int k = 0; k < 4; k++) {
        int h = hexval(p[k]);
        if (h < 0)
            return -1;
        v = v * 16 + h;
    }
    return v;
}

/* Bytes that end a run of plain string bytes: '"', '\\' and control bytes. */
static const unsigned char str_stop[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0};

/* Parses the string at the cursor (on its opening quote).  Without
 * escapes v refers to the line; with escapes the string is decoded into
 * j->vals, which is grown once for the rest of the line (a decoded string
 * is never longer than its JSON form).  Returns 0, or -1 to give the line
 * to jansson. */
static int fast_string(ng_jsonl *j, cursor *c, jval *v)
{
    const unsigned char *p = c->p;
    size_t n = c->n, i = c->i + 1, start = i;
    while (i < n && !str_stop[p[i]])
        i++;
    if (i >= n || p[i] < 0x20)
        return -1;
    memset(v, 0, sizeof *v);
    v->type = JV_STRING;
    if (p[i] == '"') {
        v->off = start;
        v->n = i - start;
        c->i = i + 1;
        return 0;
    }
    ng_buf *b = &j->vals;
    if (ng_buf_reserve(b, n - start) != 0)
        return -1;
    v->in_vals = 1;
    v->off = b->len;
    char *o = b->p + b->len;
    memcpy(o, p + start, i - start);
    o += i - start;
    while (i < n) {
        unsigned char ch = p[i];
        if (ch == '"') {
            b->len = (size_t)(o - b->p);
            b->p[b->len] = '\0';
            v->n = b->len - v->off;
            c->i = i + 1;
            return 0;
        }
        if (ch < 0x20)
            return -1;
        if (ch != '\\') {
            size_t run = i + 1;
            while (run < n && !str_stop[p[run]])
                run++;
            memcpy(o, p + i, run - i);
            o += run - i;
            i = run;
            continue;
        }
        if (i + 1 >= n)
            return -1;
        unsigned char e = p[i + 1];
        i += 2;
        switch (e) {
        case '"': *o++ = '"'; break;
        case '\\': *o++ = '\\'; break;
        case '/': *o++ = '/'; break;
        case 'b': *o++ = '\b'; break;
        case 'f': *o++ = '\f'; break;
        case 'n': *o++ = '\n'; break;
        case 'r': *o++ = '\r'; break;
        case 't': *o++ = '\t'; break;
        case 'u': {
            long cp = hex4(p + i, n - i);
            if (cp < 0)
                return -1;
            i += 4;
            if (cp >= 0xDC00 && cp <= 0xDFFF)
                return -1;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                if (i + 6 > n || p[i] != '\\' || p[i + 1] != 'u')
                    return -1;
                long lo = hex4(p + i + 2, n - i - 2);
                if (lo < 0xDC00 || lo > 0xDFFF)
                    return -1;
                i += 6;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            }
            o += ng_utf8_encode((uint32_t)cp, o);
            break;
        }
        default:
            return -1;
        }
    }
    return -1;
}

/* Parses a number at the cursor into v (JV_INT or JV_REAL), as jansson
 * would.  Returns 0, or -1. */
static int fast_number(cursor *c, jval *v)
{
    const unsigned char *p = c->p;
    size_t i = c->i, start = i;
    int real = 0;
    if (i < c->n && p[i] == '-')
        i++;
    if (i < c->n && p[i] == '0')
        i++;
    else if (i < c->n && p[i] >= '1' && p[i] <= '9')
        while (i < c->n && p[i] >= '0' && p[i] <= '9')
            i++;
    else
        return -1;
    if (i < c->n && p[i] == '.') {
        real = 1;
        i++;
        if (i >= c->n || p[i] < '0' || p[i] > '9')
            return -1;
        while (i < c->n && p[i] >= '0' && p[i] <= '9')
            i++;
    }
    if (i < c->n && (p[i] == 'e' || p[i] == 'E')) {
        real = 1;
        i++;
        if (i < c->n && (p[i] == '+' || p[i] == '-'))
            i++;
        if (i >= c->n || p[i] < '0' || p[i] > '9')
            return -1;
        while (i < c->n && p[i] >= '0' && p[i] <= '9')
            i++;
    }
    char tmp[64];
    if (i - start >= sizeof tmp)
        return -1;
    memcpy(tmp, p + start, i - start);
    tmp[i - start] = '\0';
    memset(v, 0, sizeof *v);
    errno = 0;
    if (real) {
        v->type = JV_REAL;
        v->d = strtod(tmp, NULL);
    } else {
        v->type = JV_INT;
        v->i = strtoll(tmp, NULL, 10);
    }
    if (errno == ERANGE)
        return -1;
    c->i = i;
    return 0;
}

/* Parses any value at the cursor into v: scalars as themselves, objects
 * and arrays (checked, not kept) as JV_OTHER.  Returns 0, or -1. */
static int fast_value(ng_jsonl *j, cursor *c, jval *v, int depth)
{
    skip_ws(c);
    if (c->i >= c->n)
        return -1;
    const unsigned char *p = c->p + c->i;
    size_t left = c->n - c->i;
    memset(v, 0, sizeof *v);
    switch (*p) {
    case '"':
        return fast_string(j, c, v);
    case 't':
        v->type = JV_OTHER;
        c->i += 4;
        return left >= 4 && memcmp(p, "true", 4) == 0 ? 0 : -1;
    case 'f':
        v->type = JV_OTHER;
        c->i += 5;
        return left >= 5 && memcmp(p, "false", 5) == 0 ? 0 : -1;
    case 'n':
        v->type = JV_NULL;
        c->i += 4;
        return left >= 4 && memcmp(p, "null", 4) == 0 ? 0 : -1;
    case '{':
    case '[': {
        if (depth >= FAST_DEPTH)
            return -1;
        unsigned char close = *p == '{' ? '}' : ']';
        int object = *p == '{';
        size_t mark = j->vals.len;
        c->i++;
        skip_ws(c);
        if (c->i < c->n && c->p[c->i] == close) {
            c->i++;
        } else {
            for (;;) {
                jval tmp;
                if (object) {
                    skip_ws(c);
                    if (c->i >= c->n || c->p[c->i] != '"' || fast_string(j, c, &tmp) != 0)
                        return -1;
                    skip_ws(c);
                    if (c->i >= c->n || c->p[c->i] != ':')
                        return -1;
                    c->i++;
                }
                if (fast_value(j, c, &tmp, depth + 1) != 0)
                    return -1;
                skip_ws(c);
                if (c->i < c->n && c->p[c->i] == ',') {
                    c->i++;
                    continue;
                }
                if (c->i < c->n && c->p[c->i] == close) {
                    c->i++;
                    break;
                }
                return -1;
            }
        }
        j->vals.len = mark; /* nothing inside is kept */
        memset(v, 0, sizeof *v);
        v->type = JV_OTHER;
        return 0;
    }
    default:
        return fast_number(c, v);
    }
}

/* Parses the line as one object into f.  Returns 0, or -1 to hand the
 * line to jansson. */
static int fast_line(ng_jsonl *j, const char *line, size_t n, jval *f)
{
    cursor c = {(const unsigned char *)line, n, 0};
    ng_buf_reset(&j->vals);
    memset(f, 0, F_COUNT * sizeof *f);
    if (ng_utf8_check(line, n) != n)
        return -1;
    skip_ws(&c);
    if (c.i >= c.n || c.p[c.i] != '{')
        return -1;
    c.i++;
    skip_ws(&c);
    if (c.i < c.n && c.p[c.i] == '}') {
        c.i++;
    } else {
        for (;;) {
            skip_ws(&c);
            jval key, val;
            if (c.i >= c.n || c.p[c.i] != '"' || fast_string(j, &c, &key) != 0)
                return -1;
            const char *ks = key.in_vals ? j->vals.p + key.off : line + key.off;
            if (memchr(ks, '\0', key.n))
                return -1;
            int which = -1;
            for (int k = 0; k < F_COUNT; k++)
                if (strlen(field_names[k]) == key.n && memcmp(ks, field_names[k], key.n) == 0)
                    which = k;
            if (key.in_vals)
                j->vals.len = key.off;
            skip_ws(&c);
            if (c.i >= c.n || c.p[c.i] != ':')
                return -1;
            c.i++;
            if (fast_value(j, &c, &val, 1) != 0)
                return -1;
            if (which >= 0)
                f[which] = val; /* the last of duplicate members wins, as in jansson */
            else if (val.in_vals)
                j->vals.len = val.off;
            skip_ws(&c);
            if (c.i < c.n && c.p[c.i] == ',') {
                c.i++;
                continue;
            }
            if (c.i < c.n && c.p[c.i] == '}') {
                c.i++;
                break;
            }
            return -1;
        }
    }
    skip_ws(&c);
    if (c.i != c.n)
        return -1;
    /* small strings become C strings in vals; then every pointer is set
     * (vals does not move any more) */
    for (int k = 0; k < F_COUNT; k++) {
        if (f[k].type != JV_STRING || k == F_TEXT || k == F_HTML)
            continue;
        size_t at = j->vals.len;
        if (ng_buf_reserve(&j->vals, f[k].n + 1) != 0)
            return -1;
        const char *src = f[k].in_vals ? j->vals.p + f[k].off : line + f[k].off;
        memcpy(j->vals.p + at, src, f[k].n);
        j->vals.p[at + f[k].n] = '\0';
        j->vals.len = at + f[k].n + 1;
        f[k].off = at;
        f[k].in_vals = 1;
    }
    if (j->vals.oom)
        return -1;
    for (int k = 0; k < F_COUNT; k++)
        if (f[k].type == JV_STRING)
            f[k].s = f[k].in_vals ? j->vals.p + f[k].off : line + f[k].off;
    return 0;
}

int ng_jsonl_next(ng_jsonl *j, ng_item *item)
{
    json_decref(j->root);
    j->root = NULL;
    /* do not let one long line pin its memory for the rest of the input */
    if (j->line.cap > ((size_t)8 << 20))
        ng_buf_free(&j->line);
    if (j->vals.cap > ((size_t)8 << 20))
        ng_buf_free(&j->vals);
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
        if (j->lineno == 1 && n >= 3 && memcmp(j->line.p, "\xEF\xBB\xBF", 3) == 0) {
            /* a UTF-8 byte order mark, as Windows tools write */
            memmove(j->line.p, j->line.p + 3, n - 3);
            n -= 3;
        }
        if (blank(j->line.p ? j->line.p : "", n))
            continue;
        jval f[F_COUNT];
        if (fast_line(j, j->line.p, n, f) == 0)
            return fill_item(j, item, f);
        json_error_t e;
        j->root = json_loadb(j->line.p, n, JSON_ALLOW_NUL, &e);
        if (!j->root) {
            /* jansson quotes the bad token: keep the message one clean line */
            for (char *c = e.text; *c; c++)
                if ((unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7f)
                    *c = '?';
            return refuse(j, item, NG_EFORMAT, "malformed JSON: %s (byte %d)", e.text, e.position);
        }
        if (from_jansson(j, f) != 0)
            return refuse(j, item, NG_EFORMAT, "not a JSON object");
        return fill_item(j, item, f);
    }
    return 0;
}
