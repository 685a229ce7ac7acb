/*
 * petrdict.c — readers for PETRARCH / TABARI actor and agent dictionaries
 * (see petrdict.h for the API, docs/petrarch-dictionaries.md for the
 * rules).
 *
 * Both readers share one line source: it splits the bytes into physical
 * lines (LF, CRLF or a lone CR), refuses control bytes, invalid UTF-8 and
 * over-long lines with the line number, removes the comments ('#' or ';'
 * to the end of the line, <!-- ... --> blocks over any number of lines,
 * TABARI's "<! ..." header lines) and hands over what is left, trimmed.
 * The actor reader then groups a name, its "+" synonyms and its indented
 * code lines into one record; the agent reader handles one record per line
 * plus the "!SET! = ..." substitution sets.
 *
 * Everything is linear in the input except the substitution expansion,
 * which is capped per line (NG_PETR_MAX_EXPANSION).
 */
#include "petrdict.h"

#include "internal.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#define MAX_CODE 64 /* characters in one code */

/* ---- shared state, errors, output --------------------------------------- */

typedef struct pset pset;

typedef struct {
    const char *data;
    size_t len, pos;
    unsigned lineno;       /* the line last read (1-based) */
    int in_comment;        /* inside <!-- ... --> */
    unsigned comment_line; /* where that comment opened */
    int stopped;           /* a ---STOP--- line was seen */
    ng_buf line;           /* the current line, comments removed */
    const char *cur;       /* its trimmed content */
    size_t curlen;
    ng_buf tmp, phrase, plural, exp; /* scratch */
    char *err;
    size_t errlen;
    ng_petr_add_fn add;
    void *ctx;
    pset *sets[256];   /* agents: substitution sets by name; verbs: synsets */
    size_t subst_left; /* agents, verbs: phrases the whole file may still get through sets */
    int hash_in_code;  /* verbs: '#' and ';' inside [...] are code characters ("[###]") */
} pd;

static int fail(pd *p, unsigned line, int rc, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int fail(pd *p, unsigned line, int rc, const char *fmt, ...)
{
    if (p->err && p->errlen) {
        int k = snprintf(p->err, p->errlen, "line %u: ", line);
        if (k >= 0 && (size_t)k < p->errlen) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(p->err + k, p->errlen - (size_t)k, fmt, ap);
            va_end(ap);
        }
    }
    return rc;
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static int is_alpha(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static char upper(char c)
{
    return (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
}

static void trim(const char **s, size_t *n)
{
    while (*n && is_blank(**s)) {
        (*s)++;
        (*n)--;
    }
    while (*n && is_blank((*s)[*n - 1]))
        (*n)--;
}

static const char *find_str(const char *s, size_t n, const char *pat)
{
    size_t m = strlen(pat);
    for (size_t i = 0; i + m <= n; i++)
        if (s[i] == pat[0] && memcmp(s + i, pat, m) == 0)
            return s + i;
    return NULL;
}

static void pd_init(pd *p, const char *data, size_t len, ng_petr_add_fn add, void *ctx, char *err, size_t errlen)
{
    memset(p, 0, sizeof *p);
    p->data = data;
    p->len = len;
    p->add = add;
    p->ctx = ctx;
    p->err = err;
    p->errlen = errlen;
    p->subst_left = NG_PETR_MAX_EXPANSION_FILE;
    ng_buf_init(&p->line);
    ng_buf_init(&p->tmp);
    ng_buf_init(&p->phrase);
    ng_buf_init(&p->plural);
    ng_buf_init(&p->exp);
    if (err && errlen)
        err[0] = '\0';
}

static void pd_free(pd *p)
{
    ng_buf_free(&p->line);
    ng_buf_free(&p->tmp);
    ng_buf_free(&p->phrase);
    ng_buf_free(&p->plural);
    ng_buf_free(&p->exp);
}

static int oom(pd *p, unsigned line)
{
    return fail(p, line, NG_ENOMEM, "out of memory");
}

/* Hands one entry to the caller. */
static int emit_dated(pd *p, const char *phrase, const char *code, int kind, int prefix, unsigned line,
                      const char *dated)
{
    ng_petr_entry e = {phrase, code, kind, prefix, line, dated};
    int rc = p->add(p->ctx, &e);
    if (rc != NG_OK)
        return fail(p, line, rc, "could not add '%.60s': %s", phrase, ng_strerror(rc));
    return NG_OK;
}

static int emit(pd *p, const char *phrase, const char *code, int kind, int prefix, unsigned line)
{
    ng_petr_entry e = {phrase, code, kind, prefix, line, ""};
    int rc = p->add(p->ctx, &e);
    if (rc != NG_OK)
        return fail(p, line, rc, "could not add '%.60s': %s", phrase, ng_strerror(rc));
    return NG_OK;
}

/* ---- lines and comments --------------------------------------------------- */

/* Puts raw[0..n) minus its comments into p->line. */
static int strip_comments(pd *p, const char *s, size_t n)
{
    ng_buf_reset(&p->line);
    size_t i = 0;
    if (p->in_comment) {
        const char *c = find_str(s, n, "-->");
        if (!c)
            return NG_OK;
        i = (size_t)(c - s) + 3;
        p->in_comment = 0;
    } else {
        /* TABARI / PETRARCH: a line that starts with "<!" is a comment
         * line ("<! -- section title -->"); "<!--" opens a real block below. */
        size_t k = 0;
        while (k < n && is_blank(s[k]))
            k++;
        if (k + 1 < n && s[k] == '<' && s[k + 1] == '!' && !(k + 3 < n && s[k + 2] == '-' && s[k + 3] == '-'))
            return NG_OK;
    }
    int in_code = 0; /* inside [...] (for hash_in_code) */
    while (i < n) {
        size_t k = i;
        while (k < n && ((s[k] != '#' && s[k] != ';') || in_code) &&
               !(s[k] == '<' && k + 3 < n && memcmp(s + k, "<!--", 4) == 0) &&
               !(s[k] == '-' && k + 2 < n && memcmp(s + k, "-->", 3) == 0)) {
            if (p->hash_in_code && (s[k] == '[' || s[k] == ']'))
                in_code = s[k] == '[';
            k++;
        }
        ng_buf_put(&p->line, s + i, k - i);
        if (k == n || s[k] == '#' || s[k] == ';')
            break;
        if (s[k] == '-')
            return fail(p, p->lineno, NG_EFORMAT, "'-->' without an opening '<!--'");
        ng_buf_putc(&p->line, ' ');
        const char *c = find_str(s + k + 4, n - k - 4, "-->");
        if (!c) {
            p->in_comment = 1;
            p->comment_line = p->lineno;
            break;
        }
        i = (size_t)(c - s) + 3;
    }
    if (p->line.oom)
        return oom(p, p->lineno);
    return NG_OK;
}

/* Reads the next line that has content.  Returns 1 (p->cur, p->curlen,
 * p->lineno), 0 at the end, or an error code. */
static int next_line(pd *p)
{
    for (;;) {
        if (p->stopped || p->pos >= p->len) {
            if (p->in_comment)
                return fail(p, p->comment_line, NG_EFORMAT, "'<!--' is never closed by '-->'");
            return 0;
        }
        const char *s = p->data + p->pos;
        size_t n = p->len - p->pos, e = 0;
        const char *nl = memchr(s, '\n', n);
        size_t lim = nl ? (size_t)(nl - s) : n;
        const char *cr = memchr(s, '\r', lim);
        e = cr ? (size_t)(cr - s) : lim;
        size_t next = e;
        if (next < n)
            next += (s[next] == '\r' && next + 1 < n && s[next + 1] == '\n') ? 2 : 1;
        p->pos += next;
        p->lineno++;
        if (p->lineno == 1 && e >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
            s += 3;
            e -= 3;
        }
        if (e > NG_PETR_MAX_LINE)
            return fail(p, p->lineno, NG_ETOOBIG, "line longer than %d bytes", NG_PETR_MAX_LINE);
        for (size_t i = 0; i < e; i++) {
            unsigned char c = (unsigned char)s[i];
            if ((c < 0x20 && c != '\t') || c == 0x7f)
                return fail(p, p->lineno, NG_EBINARY, "control byte 0x%02x at column %zu (not a text file?)", c,
                            i + 1);
        }
        size_t bad = ng_utf8_check(s, e);
        if (bad < e)
            return fail(p, p->lineno, NG_EENCODING, "invalid UTF-8 at column %zu", bad + 1);
        int rc = strip_comments(p, s, e);
        if (rc != NG_OK)
            return rc;
        p->cur = p->line.p ? p->line.p : "";
        p->curlen = p->line.len;
        trim(&p->cur, &p->curlen);
        if (!p->curlen)
            continue;
        if (p->curlen == 10 && memcmp(p->cur, "---STOP---", 10) == 0) { /* PETRARCH: the end of the data */
            p->stopped = 1;
            p->in_comment = 0;
            continue;
        }
        return 1;
    }
}

/* ---- phrases -------------------------------------------------------------- */

/* Normalises a name s[0..n) into out: '_' and blanks separate words, one
 * space between words, case-folded (NFC).  *exact is set when the name
 * ends in '_'. */
static int norm_phrase(pd *p, unsigned line, const char *s, size_t n, ng_buf *out, int *exact)
{
    trim(&s, &n);
    if (exact)
        *exact = n && s[n - 1] == '_';
    ng_buf_reset(&p->tmp);
    int gap = 0;
    for (size_t i = 0; i < n; i++) {
        if (is_blank(s[i]) || s[i] == '_') {
            gap = 1;
            continue;
        }
        if (gap && p->tmp.len)
            ng_buf_putc(&p->tmp, ' ');
        gap = 0;
        ng_buf_putc(&p->tmp, s[i]);
    }
    if (p->tmp.oom)
        return oom(p, line);
    if (!p->tmp.len)
        return fail(p, line, NG_EFORMAT, "empty name");
    if (p->tmp.len > NG_PETR_MAX_PHRASE)
        return fail(p, line, NG_ETOOBIG, "phrase longer than %d bytes", NG_PETR_MAX_PHRASE);
    utf8proc_uint8_t *m = NULL;
    utf8proc_ssize_t k = utf8proc_map((const utf8proc_uint8_t *)p->tmp.p, (utf8proc_ssize_t)p->tmp.len, &m,
                                      UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD);
    if (k < 0) {
        free(m);
        if (k == UTF8PROC_ERROR_NOMEM)
            return oom(p, line);
        return fail(p, line, NG_EENCODING, "cannot case-fold '%.60s': %s", p->tmp.p, utf8proc_errmsg(k));
    }
    if ((size_t)k > NG_PETR_MAX_PHRASE) {
        free(m);
        return fail(p, line, NG_ETOOBIG, "phrase longer than %d bytes", NG_PETR_MAX_PHRASE);
    }
    ng_buf_reset(out);
    ng_buf_put(out, m, (size_t)k);
    free(m);
    if (out->oom)
        return oom(p, line);
    return NG_OK;
}

/* Checks a code's characters and writes it uppercased into out (MAX_CODE+1
 * bytes).  Codes are letters, digits and '/' (TABARI's several-actors
 * codes, "USA/CAN") with at least one letter, or one of TABARI's special
 * codes "---" (null: written as ""), "+++", "***". */
static int put_code(pd *p, unsigned line, const char *s, size_t n, char *out)
{
    if (!n)
        return fail(p, line, NG_EFORMAT, "empty code");
    if (n == 3 && (s[0] == '-' || s[0] == '+' || s[0] == '*') && s[1] == s[0] && s[2] == s[0]) {
        if (s[0] == '-')
            out[0] = '\0';
        else {
            memcpy(out, s, 3);
            out[3] = '\0';
        }
        return NG_OK;
    }
    if (n > MAX_CODE)
        return fail(p, line, NG_EFORMAT, "code longer than %d characters", MAX_CODE);
    int letters = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        int slash_ok = c == '/' && i > 0 && i + 1 < n && s[i - 1] != '/';
        if (is_alpha(c))
            letters++;
        else if (!is_digit(c) && !slash_ok)
            return fail(p, line, NG_EFORMAT, "bad code '%.*s' (letters and digits expected)", (int)n, s);
        out[i] = upper(c);
    }
    if (!letters)
        return fail(p, line, NG_EFORMAT, "bad code '%.*s' (letters and digits expected)", (int)n, s);
    out[n] = '\0';
    return NG_OK;
}

/* ---- actors --------------------------------------------------------------- */

typedef struct {
    size_t off; /* into names */
    unsigned line;
    int prefix;
} actor_name;

typedef struct {
    int open;
    unsigned line; /* of the main name */
    ng_buf names;  /* normalised names, each NUL-terminated */
    actor_name *v;
    size_t n, cap;
    int has_undated, has_dated;
    char undated[MAX_CODE + 1], dated[MAX_CODE + 1];
    int dated_open;  /* the best dated code has no end (">date") */
    long dated_end;  /* its last day (yyyymmdd) or, when open, its first */
    char dates[512]; /* every dated code: "CODE:FROM-TO;" with yyyymmdd days (0 and 99999999 when open) */
    size_t dates_len;
} actor_block;

/* YYMMDD (00-30 = 20YY, else 19YY, as KEDS and TABARI) or YYYYMMDD, checked
 * against the calendar.  Returns yyyymmdd or -1. */
static long parse_date(const char *s, size_t n)
{
    if (n != 6 && n != 8)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (!is_digit(s[i]))
            return -1;
    long v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    long y = v / 10000, m = v / 100 % 100, d = v % 100;
    if (n == 6)
        y += y <= 30 ? 2000 : 1900;
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12 || d < 1)
        return -1;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (d > mdays[m - 1] + (m == 2 && leap))
        return -1;
    return y * 10000 + m * 100 + d;
}

static int bad_date(pd *p, unsigned line, const char *s, size_t n)
{
    return fail(p, line, NG_EFORMAT, "bad date '%.*s' in a code (YYMMDD or YYYYMMDD expected)", (int)(n > 20 ? 20 : n),
                s);
}

/* One "[CODE]" / "[CODE <date]" / "[CODE >date]" / "[CODE date-date]". */
static int actor_code(pd *p, actor_block *b, const char *s, size_t n)
{
    unsigned line = p->lineno;
    trim(&s, &n);
    size_t k = 0;
    while (k < n && !is_blank(s[k]) && s[k] != '<' && s[k] != '>')
        k++;
    char code[MAX_CODE + 1];
    int rc = put_code(p, line, s, k, code);
    if (rc != NG_OK)
        return rc;
    const char *r = s + k;
    size_t rn = n - k;
    trim(&r, &rn);
    if (!rn) { /* undated: the default code (a later one replaces it) */
        b->has_undated = 1;
        memcpy(b->undated, code, sizeof code);
        return NG_OK;
    }
    int open;
    long end;
    if (r[0] == '<' || r[0] == '>') {
        const char *d = r + 1;
        size_t dn = rn - 1;
        trim(&d, &dn);
        end = parse_date(d, dn);
        if (end < 0)
            return bad_date(p, line, d, dn);
        open = r[0] == '>';
    } else {
        const char *dash = memchr(r, '-', rn);
        if (!dash)
            return fail(p, line, NG_EFORMAT, "bad date restriction '%.*s' (<date, >date or date-date expected)",
                        (int)(rn > 30 ? 30 : rn), r);
        const char *a = r, *z = dash + 1;
        size_t an = (size_t)(dash - r), zn = rn - an - 1;
        trim(&a, &an);
        trim(&z, &zn);
        long from = -1, to = -1;
        if (!an && !zn)
            return fail(p, line, NG_EFORMAT, "date interval with no dates");
        if (an && (from = parse_date(a, an)) < 0)
            return bad_date(p, line, a, an);
        if (zn && (to = parse_date(z, zn)) < 0)
            return bad_date(p, line, z, zn);
        if (an && zn && to < from)
            return fail(p, line, NG_EFORMAT, "date interval ends before it begins");
        open = !zn; /* "date-" runs on, like ">date" */
        end = zn ? to : from;
    }
    {
        long lo, hi;
        if (r[0] == '<')
            lo = 0, hi = end - 1;
        else if (r[0] == '>')
            lo = end, hi = 99999999;
        else
            lo = open ? end : 0, hi = open ? 99999999 : end;
        if (r[0] != '<' && r[0] != '>') {
            /* "a-b": from a (or the start) to b (or no end) */
            const char *dash = memchr(r, '-', rn);
            const char *a = r;
            size_t an = (size_t)(dash - r);
            trim(&a, &an);
            lo = an ? parse_date(a, an) : 0;
            hi = open ? 99999999 : end;
        }
        int w = snprintf(b->dates + b->dates_len, sizeof b->dates - b->dates_len, "%s:%ld-%ld;", code, lo, hi);
        if (w > 0 && (size_t)w < sizeof b->dates - b->dates_len)
            b->dates_len += (size_t)w;
        else
            b->dates[b->dates_len] = '\0'; /* too many: the later ones are left out */
    }
    /* The most recent restriction wins: an open one over any closed one,
     * then the later date; on a tie the later line. */
    if (!b->has_dated || open > b->dated_open || (open == b->dated_open && end >= b->dated_end)) {
        b->has_dated = 1;
        b->dated_open = open;
        b->dated_end = end;
        memcpy(b->dated, code, sizeof code);
    }
    return NG_OK;
}

/* The "[...]" groups in s[0..n) (which starts at the first '['). */
static int actor_codes(pd *p, actor_block *b, const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        if (is_blank(s[i])) {
            i++;
            continue;
        }
        if (s[i] != '[')
            return fail(p, p->lineno, NG_EFORMAT, "unexpected text '%.20s' after ']'", s + i);
        size_t j = i + 1;
        while (j < n && s[j] != ']' && s[j] != '[')
            j++;
        if (j == n)
            return fail(p, p->lineno, NG_EFORMAT, "missing ']'");
        if (s[j] == '[')
            return fail(p, p->lineno, NG_EFORMAT, "'[' inside a code");
        int rc = actor_code(p, b, s + i + 1, j - i - 1);
        if (rc != NG_OK)
            return rc;
        i = j + 1;
    }
    return NG_OK;
}

static int actor_add_name(pd *p, actor_block *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] == ']' || s[i] == '{' || s[i] == '}')
            return fail(p, p->lineno, NG_EFORMAT, "unexpected '%c' in a name", s[i]);
    int exact;
    int rc = norm_phrase(p, p->lineno, s, n, &p->phrase, &exact);
    if (rc != NG_OK)
        return rc;
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 16;
        actor_name *v = realloc(b->v, cap * sizeof *v);
        if (!v)
            return oom(p, p->lineno);
        b->v = v;
        b->cap = cap;
    }
    b->v[b->n].off = b->names.len;
    b->v[b->n].line = p->lineno;
    b->v[b->n].prefix = !exact;
    b->n++;
    ng_buf_put(&b->names, p->phrase.p, p->phrase.len + 1); /* with its NUL */
    if (b->names.oom)
        return oom(p, p->lineno);
    return NG_OK;
}

/* Emits the record that is open and closes it. */
static int actor_flush(pd *p, actor_block *b)
{
    if (!b->open)
        return NG_OK;
    b->open = 0;
    if (!b->has_undated && !b->has_dated)
        return fail(p, b->line, NG_EFORMAT, "'%.60s' has no code (NAME [CODE], or [CODE] lines after it)",
                    b->names.p);
    const char *code = b->has_undated ? b->undated : b->dated;
    b->dates[b->dates_len] = '\0';
    for (size_t i = 0; i < b->n; i++) {
        int rc = emit_dated(p, b->names.p + b->v[i].off, code, NG_PETR_ACTOR, b->v[i].prefix, b->v[i].line, b->dates);
        if (rc != NG_OK)
            return rc;
    }
    return NG_OK;
}

static int read_actors(pd *p, actor_block *b)
{
    int rc;
    while ((rc = next_line(p)) > 0) {
        const char *s = p->cur;
        size_t n = p->curlen;
        if (s[0] == '[') { /* a code line of the record above */
            if (!b->open)
                return fail(p, p->lineno, NG_EFORMAT, "a code line with no name before it");
            rc = actor_codes(p, b, s, n);
            if (rc != NG_OK)
                return rc;
            continue;
        }
        int synonym = s[0] == '+';
        const char *br = memchr(s, '[', n);
        size_t k = br ? (size_t)(br - s) : n;
        if (synonym) {
            if (!b->open)
                return fail(p, p->lineno, NG_EFORMAT, "a synonym line (+NAME) with no name before it");
            if (br)
                return fail(p, p->lineno, NG_EFORMAT,
                            "a synonym line (+NAME) takes no code: put [CODE] after the main name or on a line "
                            "of its own");
        } else {
            rc = actor_flush(p, b);
            if (rc != NG_OK)
                return rc;
            b->open = 1;
            b->line = p->lineno;
            b->n = 0;
            b->has_undated = b->has_dated = 0;
            b->dates_len = 0;
            b->dates[0] = '\0';
            ng_buf_reset(&b->names);
        }
        rc = actor_add_name(p, b, s + synonym, k - (size_t)synonym);
        if (rc != NG_OK)
            return rc;
        if (br) {
            rc = actor_codes(p, b, br, n - k);
            if (rc != NG_OK)
                return rc;
        }
    }
    if (rc < 0)
        return rc;
    return actor_flush(p, b);
}

int ng_petr_read_actors(const char *data, size_t len, ng_petr_add_fn add, void *ctx, char *err, size_t errlen)
{
    if ((!data && len) || !add) {
        if (err && errlen)
            snprintf(err, errlen, "no data or no callback");
        return NG_EINVAL;
    }
    pd p;
    pd_init(&p, data ? data : "", len, add, ctx, err, errlen);
    actor_block b;
    memset(&b, 0, sizeof b);
    ng_buf_init(&b.names);
    int rc = read_actors(&p, &b);
    ng_buf_free(&b.names);
    free(b.v);
    pd_free(&p);
    return rc;
}

/* ---- agents: substitution sets -------------------------------------------- */

struct pset {
    pset *next;
    char *name; /* uppercased */
    size_t n, cap;
    char **items; /* agents: raw text, blanks around each removed; verbs: normalised members */
};

static unsigned set_hash(const char *s, size_t n)
{
    unsigned h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)upper(s[i])) * 16777619u;
    return h & 255u;
}

static pset *set_find(pd *p, const char *s, size_t n)
{
    for (pset *x = p->sets[set_hash(s, n)]; x; x = x->next) {
        if (strlen(x->name) != n)
            continue;
        size_t i = 0;
        while (i < n && x->name[i] == upper(s[i]))
            i++;
        if (i == n)
            return x;
    }
    return NULL;
}

static void set_clear(pset *x)
{
    for (size_t i = 0; i < x->n; i++)
        free(x->items[i]);
    free(x->items);
    x->items = NULL;
    x->n = x->cap = 0;
}

static void sets_free(pd *p)
{
    for (int h = 0; h < 256; h++) {
        pset *x = p->sets[h];
        while (x) {
            pset *nx = x->next;
            set_clear(x);
            free(x->name);
            free(x);
            x = nx;
        }
        p->sets[h] = NULL;
    }
}

static int set_name_ok(const char *s, size_t n)
{
    if (!n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!is_alpha(s[i]) && !is_digit(s[i]) && s[i] != '_' && s[i] != '-')
            return 0;
    return 1;
}

/* Is this line "!NAME! = ..."?  Then *eq is set after the '='. */
static int is_set_def(const char *s, size_t n, size_t *name_end, size_t *eq)
{
    if (!n || s[0] != '!')
        return 0;
    const char *z = memchr(s + 1, '!', n - 1);
    if (!z)
        return 0;
    size_t k = (size_t)(z - s) + 1;
    while (k < n && is_blank(s[k]))
        k++;
    if (k == n || s[k] != '=')
        return 0;
    *name_end = (size_t)(z - s);
    *eq = k + 1;
    return 1;
}

/* "!NAME! = A, B, C": a later definition of the same name replaces it. */
static int define_set(pd *p, const char *s, size_t n, size_t name_end, size_t eq)
{
    unsigned line = p->lineno;
    const char *name = s + 1;
    size_t nn = name_end - 1;
    if (!set_name_ok(name, nn))
        return fail(p, line, NG_EFORMAT, "bad substitution set name '!%.*s!' (letters, digits, '_' and '-')",
                    (int)(nn > 40 ? 40 : nn), name);
    const char *list = s + eq;
    size_t ln = n - eq;
    trim(&list, &ln);
    if (!ln)
        return fail(p, line, NG_EFORMAT, "substitution set !%.*s! has no items", (int)nn, name);
    pset *x = set_find(p, name, nn);
    if (x) {
        set_clear(x);
    } else {
        x = calloc(1, sizeof *x);
        if (!x || !(x->name = malloc(nn + 1))) {
            free(x);
            return oom(p, line);
        }
        for (size_t i = 0; i < nn; i++)
            x->name[i] = upper(name[i]);
        x->name[nn] = '\0';
        unsigned h = set_hash(name, nn);
        x->next = p->sets[h];
        p->sets[h] = x;
    }
    size_t count = 1;
    for (size_t i = 0; i < ln; i++)
        count += list[i] == ',';
    x->items = calloc(count, sizeof *x->items);
    if (!x->items)
        return oom(p, line);
    x->cap = count;
    size_t i = 0;
    while (x->n < count) {
        size_t j = i;
        while (j < ln && list[j] != ',')
            j++;
        const char *it = list + i;
        size_t in = j - i;
        trim(&it, &in);
        if (!in)
            return fail(p, line, NG_EFORMAT, "empty item in substitution set !%.*s!", (int)nn, name);
        for (size_t k = 0; k < in; k++)
            if (strchr("!=[]{}", it[k]))
                return fail(p, line, NG_EFORMAT, "unexpected '%c' in an item of substitution set !%.*s!", it[k],
                            (int)nn, name);
        char *c = malloc(in + 1);
        if (!c)
            return oom(p, line);
        memcpy(c, it, in);
        c[in] = '\0';
        x->items[x->n++] = c;
        i = j + 1;
    }
    return NG_OK;
}

/* ---- agents: records ------------------------------------------------------ */

/* The regular English plural of a phrase's last word, into out; returns 0
 * (and leaves out alone) when none is made: the word does not end in a
 * Latin letter (digits, "u.s.", other scripts). */
static int make_plural(const char *ph, size_t n, ng_buf *out)
{
    if (!n)
        return 0;
    unsigned char last = (unsigned char)ph[n - 1];
    ng_buf_reset(out);
    if (last >= 0x80) { /* walk back to the last code point: Latin-1 Supplement to Latin Extended-B take "s" */
        size_t i = n - 1;
        while (i > 0 && ((unsigned char)ph[i] & 0xC0) == 0x80)
            i--;
        uint32_t cp;
        if (!ng_utf8_decode((const unsigned char *)ph + i, n - i, &cp) || cp < 0xC0 || cp > 0x24F)
            return 0;
        ng_buf_put(out, ph, n);
        ng_buf_putc(out, 's');
        return 1;
    }
    if (!is_alpha((char)last))
        return 0;
    char prev = n >= 2 ? ph[n - 2] : ' ';
    if (last == 's' || last == 'x' || last == 'z' || (last == 'h' && (prev == 'c' || prev == 's'))) {
        ng_buf_put(out, ph, n);
        ng_buf_puts(out, "es");
    } else if (last == 'y' && is_alpha(prev) && !strchr("aeiou", prev)) {
        ng_buf_put(out, ph, n - 1);
        ng_buf_puts(out, "ies");
    } else {
        ng_buf_put(out, ph, n);
        ng_buf_putc(out, 's');
    }
    return 1;
}

typedef struct {
    const char *code;
    int kind;
    unsigned line;
    size_t budget; /* phrases this line may still expand to */
} agent_rec;

/* Emits every expansion of the raw name s[0..n) through its !SET!
 * markers; with auto_plural (and no marker) also its regular plural. */
static int agent_phrases(pd *p, agent_rec *r, const char *s, size_t n, int auto_plural)
{
    unsigned line = r->line;
    /* the markers: pairs of '!' */
    size_t nmark = 0;
    for (size_t i = 0; i < n; i++)
        nmark += s[i] == '!';
    if (nmark % 2)
        return fail(p, line, NG_EFORMAT, "unmatched '!' in '%.*s'", (int)(n > 60 ? 60 : n), s);
    nmark /= 2;
    if (!nmark) {
        int exact;
        int rc = norm_phrase(p, line, s, n, &p->phrase, &exact);
        if (rc != NG_OK)
            return rc;
        if (!r->budget)
            goto too_many;
        r->budget--;
        rc = emit(p, p->phrase.p, r->code, r->kind, 0, line);
        if (rc != NG_OK || !auto_plural || exact)
            return rc;
        if (make_plural(p->phrase.p, p->phrase.len, &p->plural)) {
            if (p->plural.oom)
                return oom(p, line);
            if (p->plural.len > NG_PETR_MAX_PHRASE)
                return fail(p, line, NG_ETOOBIG, "phrase longer than %d bytes", NG_PETR_MAX_PHRASE);
            if (!r->budget)
                goto too_many;
            r->budget--;
            rc = emit(p, p->plural.p, r->code, r->kind, 0, line);
        }
        return rc;
    }
    pset **sets = calloc(nmark, sizeof *sets);
    size_t *idx = calloc(nmark, sizeof *idx);
    size_t *at = calloc(nmark * 2, sizeof *at); /* [start '!', end '!'] of each marker */
    int rc = NG_OK;
    if (!sets || !idx || !at) {
        rc = oom(p, line);
        goto out;
    }
    size_t combos = 1, m = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '!')
            continue;
        const char *z = memchr(s + i + 1, '!', n - i - 1); /* exists: the count is even */
        size_t j = (size_t)(z - s);
        if (j == i + 1) {
            rc = fail(p, line, NG_EFORMAT, "empty substitution marker '!!'");
            goto out;
        }
        sets[m] = set_find(p, s + i + 1, j - i - 1);
        if (!sets[m]) {
            rc = fail(p, line, NG_EFORMAT, "substitution set !%.*s! is not defined (define it on an earlier line)",
                      (int)(j - i - 1 > 40 ? 40 : j - i - 1), s + i + 1);
            goto out;
        }
        at[2 * m] = i;
        at[2 * m + 1] = j;
        combos *= sets[m]->n; /* <= budget (1024) times the set's size: no overflow */
        if (combos > r->budget) {
            rc = fail(p, line, NG_ETOOBIG, "expands to more than %d phrases through substitution sets",
                      NG_PETR_MAX_EXPANSION);
            goto out;
        }
        if (combos > p->subst_left) {
            rc = fail(p, line, NG_ETOOBIG, "the file expands to more than %d phrases through substitution sets",
                      NG_PETR_MAX_EXPANSION_FILE);
            goto out;
        }
        m++;
        i = j;
    }
    for (;;) {
        ng_buf_reset(&p->exp);
        size_t from = 0;
        for (size_t k = 0; k < m; k++) {
            ng_buf_put(&p->exp, s + from, at[2 * k] - from);
            ng_buf_puts(&p->exp, sets[k]->items[idx[k]]);
            from = at[2 * k + 1] + 1;
        }
        ng_buf_put(&p->exp, s + from, n - from);
        if (p->exp.oom) {
            rc = oom(p, line);
            goto out;
        }
        rc = norm_phrase(p, line, p->exp.p, p->exp.len, &p->phrase, NULL);
        if (rc != NG_OK)
            goto out;
        r->budget--;
        p->subst_left--;
        rc = emit(p, p->phrase.p, r->code, r->kind, 0, line);
        if (rc != NG_OK)
            goto out;
        size_t k = m;
        while (k > 0 && ++idx[k - 1] == sets[k - 1]->n)
            idx[--k] = 0;
        if (k == 0)
            break;
    }
out:
    free(sets);
    free(idx);
    free(at);
    return rc;
too_many:
    return fail(p, line, NG_ETOOBIG, "expands to more than %d phrases through substitution sets",
                NG_PETR_MAX_EXPANSION);
}

/* "NAME {PLURAL, ...} [~CODE]" */
static int agent_record(pd *p, const char *s, size_t n)
{
    unsigned line = p->lineno;
    const char *br = memchr(s, '[', n);
    if (!br)
        return fail(p, line, NG_EFORMAT, "no code: an agent line is NAME [~CODE] or NAME [CODE~]");
    size_t k = (size_t)(br - s);
    size_t j = k + 1;
    while (j < n && s[j] != ']' && s[j] != '[')
        j++;
    if (j == n)
        return fail(p, line, NG_EFORMAT, "missing ']'");
    if (s[j] == '[')
        return fail(p, line, NG_EFORMAT, "'[' inside a code");
    for (size_t t = j + 1; t < n; t++)
        if (!is_blank(s[t]))
            return fail(p, line, NG_EFORMAT, "unexpected text '%.20s' after ']' (one code per agent line)", s + t);
    /* the code, blanks removed: "~GOV" (suffix) or "NGO~" (prefix) */
    char raw[MAX_CODE + 3], code[MAX_CODE + 1];
    size_t rn = 0;
    for (size_t t = k + 1; t < j; t++) {
        if (is_blank(s[t]))
            continue;
        if (rn == sizeof raw - 1)
            return fail(p, line, NG_EFORMAT, "code longer than %d characters", MAX_CODE);
        raw[rn++] = s[t];
    }
    int kind;
    if (rn >= 1 && raw[0] == '~')
        kind = NG_PETR_AGENT_SUFFIX;
    else if (rn >= 1 && raw[rn - 1] == '~')
        kind = NG_PETR_AGENT_PREFIX;
    else
        return fail(p, line, NG_EFORMAT, "agent code '%.*s' needs a '~' before (~GOV) or after (NGO~) it", (int)rn,
                    raw);
    const char *c = raw + (kind == NG_PETR_AGENT_SUFFIX);
    size_t cn = rn - 1;
    if (!cn || memchr(c, '~', cn))
        return fail(p, line, NG_EFORMAT, "bad agent code '%.*s' (~CODE or CODE~)", (int)rn, raw);
    for (size_t t = 0; t < cn; t++)
        if (!is_alpha(c[t]) && !is_digit(c[t]))
            return fail(p, line, NG_EFORMAT, "bad agent code '%.*s' (letters and digits expected)", (int)rn, raw);
    if (cn > MAX_CODE)
        return fail(p, line, NG_EFORMAT, "code longer than %d characters", MAX_CODE);
    for (size_t t = 0; t < cn; t++)
        code[t] = upper(c[t]);
    code[cn] = '\0';

    /* the name and its plurals */
    const char *name = s;
    size_t nn = k;
    const char *plur = NULL;
    size_t pn = 0;
    const char *ob = memchr(s, '{', k), *cb = memchr(s, '}', k);
    if (ob) {
        if (!cb || cb < ob)
            return fail(p, line, NG_EFORMAT, "missing '}'");
        if (memchr(ob + 1, '{', (size_t)(cb - ob - 1)))
            return fail(p, line, NG_EFORMAT, "'{' inside a plural");
        for (const char *t = cb + 1; t < br; t++)
            if (!is_blank(*t))
                return fail(p, line, NG_EFORMAT, "unexpected text after '}'");
        nn = (size_t)(ob - s);
        plur = ob + 1;
        pn = (size_t)(cb - ob - 1);
    } else if (cb) {
        return fail(p, line, NG_EFORMAT, "'}' without '{'");
    }
    for (size_t t = 0; t < nn; t++)
        if (s[t] == ']')
            return fail(p, line, NG_EFORMAT, "unexpected ']' in a name");
    trim(&name, &nn);
    if (!nn)
        return fail(p, line, NG_EFORMAT, "no name before the code");

    agent_rec r = {code, kind, line, NG_PETR_MAX_EXPANSION};
    int auto_plural = !ob && !memchr(name, '!', nn);
    int rc = agent_phrases(p, &r, name, nn, auto_plural);
    if (rc != NG_OK || !ob)
        return rc;
    /* explicit plurals, comma-separated; "{}" means none */
    trim(&plur, &pn);
    size_t i = 0;
    while (pn && i <= pn) {
        size_t e = i;
        while (e < pn && plur[e] != ',')
            e++;
        const char *it = plur + i;
        size_t in = e - i;
        trim(&it, &in);
        if (!in)
            return fail(p, line, NG_EFORMAT, "empty plural in {...}");
        rc = agent_phrases(p, &r, it, in, 0);
        if (rc != NG_OK)
            return rc;
        i = e + 1;
    }
    return NG_OK;
}

static int read_agents(pd *p)
{
    int rc;
    while ((rc = next_line(p)) > 0) {
        size_t name_end, eq;
        if (is_set_def(p->cur, p->curlen, &name_end, &eq))
            rc = define_set(p, p->cur, p->curlen, name_end, eq);
        else
            rc = agent_record(p, p->cur, p->curlen);
        if (rc != NG_OK)
            return rc;
    }
    return rc;
}

int ng_petr_read_agents(const char *data, size_t len, ng_petr_add_fn add, void *ctx, char *err, size_t errlen)
{
    if ((!data && len) || !add) {
        if (err && errlen)
            snprintf(err, errlen, "no data or no callback");
        return NG_EINVAL;
    }
    pd p;
    pd_init(&p, data ? data : "", len, add, ctx, err, errlen);
    int rc = read_agents(&p);
    sets_free(&p);
    pd_free(&p);
    return rc;
}

/* ---- verbs ------------------------------------------------------------------ */

/* A verb dictionary is read block by block: a "--- NAME [CODE] ---" header
 * (or, in TABARI files without headers, each verb line) opens a block; its
 * verb lines and pattern lines are kept until the block ends, because
 * every pattern applies to every verb of the block, wherever the verb line
 * sits.  Synsets ("&NAME" and "+member" lines) are kept for the whole file
 * and expanded when a pattern line is read, so a pattern sees the synsets
 * defined above it.  A pattern line becomes a list of slots, each a list
 * of alternative item strings ("military|economic" is one alternative,
 * "yum yennyen" another); its variants are the combinations, capped. */

#define VCODE 8 /* "1234A" and its NUL */

typedef struct {
    size_t pre, post; /* NUL-terminated item strings in the block's arena */
    char code[VCODE], code2[VCODE];
    int sym;
    unsigned line;
} vpat;

typedef struct {
    size_t pre, lemma, post; /* in the block's arena */
    char code[VCODE], code2[VCODE];
    unsigned line;
} vverb;

typedef struct {
    size_t first, n; /* alternatives r->alt[first .. first+n) */
    int post;        /* after the '*' */
} vslot;

enum { VB_NONE = 0, VB_HEADER, VB_IMPLICIT };

typedef struct {
    pd p;
    ng_petr_pattern_fn add;
    ng_petr_form_fn form;
    void *ctx;
    /* the open block */
    int kind;
    unsigned line;
    char code[VCODE], code2[VCODE];
    ng_buf arena;
    vverb *verbs;
    size_t nverbs, capverbs;
    vpat *pats;
    size_t npats, cappats;
    /* the synset being defined */
    pset *syn;
    unsigned syn_line;
    size_t members_left;  /* synset members the file may still hold */
    size_t patterns_left; /* patterns the file may still give */
    /* scratch */
    ng_buf out, alts;
    size_t *alt;
    size_t nalt, capalt;
    vslot *slot;
    size_t nslot, capslot;
} vr;

/* One half of a code: "" (null), or digits with an optional letter. */
static int vcode_half(pd *p, unsigned line, const char *s, size_t n, int may_be_empty, char *out)
{
    out[0] = '\0';
    if (!n) {
        if (may_be_empty)
            return NG_OK;
        return fail(p, line, NG_EFORMAT, "empty code '[]'");
    }
    size_t d = 0;
    while (d < n && is_digit(s[d]))
        d++;
    if (d == 0) { /* no digit: a null code, "---" "+++" "###" "***", or TABARI's letter placeholders ("xxx") */
        int same = n >= 2 && strchr("-+#*", s[0]);
        for (size_t i = 1; same && i < n; i++)
            same = s[i] == s[0];
        int letters = n <= 8;
        for (size_t i = 0; letters && i < n; i++)
            letters = is_alpha(s[i]);
        if (same || letters)
            return NG_OK;
    } else if (d >= 2 && d <= 4) {
        size_t k = d;
        if (k < n && is_alpha(s[k]))
            k++;
        size_t keep = k;
        if (k < n && s[k] == '?') /* a coder's "unsure" mark */
            k++;
        if (k == n) {
            memcpy(out, s, keep);
            out[keep] = '\0';
            return NG_OK;
        }
    }
    return fail(p, line, NG_EFORMAT, "bad code '%.*s' (a CAMEO code such as 064 or 1721, or --- for none)",
                (int)(n > 20 ? 20 : n), s);
}

/* "[CODE]", "[CODE:CODE]", "[:CODE]": the text between the brackets. */
static int vcode(pd *p, unsigned line, const char *s, size_t n, char *code, char *code2)
{
    trim(&s, &n);
    code2[0] = '\0';
    const char *colon = memchr(s, ':', n);
    if (!colon)
        return vcode_half(p, line, s, n, 0, code);
    size_t a = (size_t)(colon - s);
    if (memchr(colon + 1, ':', n - a - 1))
        return fail(p, line, NG_EFORMAT, "bad code '%.*s' (at most one ':')", (int)(n > 20 ? 20 : n), s);
    if (a == 0 && n == 1)
        return fail(p, line, NG_EFORMAT, "empty code '[:]'");
    int rc = vcode_half(p, line, s, a, 1, code);
    if (rc == NG_OK)
        rc = vcode_half(p, line, colon + 1, n - a - 1, 1, code2);
    return rc;
}

/* Finds "[...]" ending the line (only blanks after it). *at is where the
 * '[' is (n when there is none). */
static int vtail_code(pd *p, unsigned line, const char *s, size_t n, size_t *at, char *code, char *code2, int *has)
{
    *has = 0;
    *at = n;
    const char *br = memchr(s, '[', n);
    if (!br)
        return NG_OK;
    size_t i = (size_t)(br - s), j = i + 1;
    while (j < n && s[j] != ']' && s[j] != '[')
        j++;
    if (j == n)
        return fail(p, line, NG_EFORMAT, "missing ']'");
    if (s[j] == '[')
        return fail(p, line, NG_EFORMAT, "'[' inside a code");
    for (size_t t = j + 1; t < n; t++)
        if (!is_blank(s[t]))
            return fail(p, line, NG_EFORMAT, "unexpected text '%.20s' after the code", s + t);
    *at = i;
    *has = 1;
    return vcode(p, line, s + i + 1, j - i - 1, code, code2);
}

/* Characters a word of a verb or synset member may not hold. */
static int vspecial(char c)
{
    return strchr("*$%^|&{}[]()+@", c) != NULL;
}

/* A word has a letter or a digit (or is beyond ASCII). */
static int word_ok(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (is_alpha(s[i]) || is_digit(s[i]) || (unsigned char)s[i] >= 0x80)
            return 1;
    return 0;
}

static size_t arena_put(vr *r, const char *s, size_t n)
{
    size_t off = r->arena.len;
    ng_buf_put(&r->arena, s, n);
    ng_buf_putc(&r->arena, '\0');
    return off;
}

/* Case-folds the word s[0..n) into r->p.phrase. */
static int vfold(vr *r, unsigned line, const char *s, size_t n)
{
    if (!word_ok(s, n))
        return fail(&r->p, line, NG_EFORMAT, "'%.*s' is not a word", (int)(n > 20 ? 20 : n), s);
    return norm_phrase(&r->p, line, s, n, &r->p.phrase, NULL);
}

/* ---- verbs: synsets ---- */

static int syn_end(vr *r)
{
    pset *x = r->syn;
    r->syn = NULL;
    if (x && x->n == 0)
        return fail(&r->p, r->syn_line, NG_EFORMAT, "synset &%s has no members (+MEMBER lines after it)", x->name);
    return NG_OK;
}

/* "&NAME" (a final '_', PETRARCH's "no plurals" mark, is dropped). */
static int syn_start(vr *r, const char *s, size_t n)
{
    pd *p = &r->p;
    unsigned line = p->lineno;
    size_t k = 1;
    while (k < n && !is_blank(s[k]))
        k++;
    for (size_t t = k; t < n; t++)
        if (!is_blank(s[t]))
            return fail(p, line, NG_EFORMAT, "unexpected text '%.20s' after the synset name", s + t);
    const char *name = s + 1;
    size_t nn = k - 1;
    while (nn && name[nn - 1] == '_')
        nn--;
    if (!set_name_ok(name, nn))
        return fail(p, line, NG_EFORMAT, "bad synset name '&%.*s' (letters, digits, '_' and '-')",
                    (int)(k - 1 > 40 ? 40 : k - 1), s + 1);
    pset *x = set_find(p, name, nn);
    if (x) {
        set_clear(x); /* a later definition replaces the earlier one */
    } else {
        x = calloc(1, sizeof *x);
        if (!x || !(x->name = malloc(nn + 1))) {
            free(x);
            return oom(p, line);
        }
        for (size_t i = 0; i < nn; i++)
            x->name[i] = upper(name[i]);
        x->name[nn] = '\0';
        unsigned h = set_hash(name, nn);
        x->next = p->sets[h];
        p->sets[h] = x;
    }
    r->syn = x;
    r->syn_line = line;
    return NG_OK;
}

static int syn_push(vr *r, unsigned line, const char *s, size_t n)
{
    pset *x = r->syn;
    if (x->n >= NG_PETR_MAX_SYNSET)
        return fail(&r->p, line, NG_ETOOBIG, "synset &%s has more than %d members", x->name, NG_PETR_MAX_SYNSET);
    if (!r->members_left)
        return fail(&r->p, line, NG_ETOOBIG, "the file's synsets hold more than %d members", NG_PETR_MAX_SYNSET_FILE);
    if (x->n == x->cap) {
        size_t cap = x->cap ? x->cap * 2 : 8;
        char **v = realloc(x->items, cap * sizeof *v);
        if (!v)
            return oom(&r->p, line);
        x->items = v;
        x->cap = cap;
    }
    char *c = malloc(n + 1);
    if (!c)
        return oom(&r->p, line);
    memcpy(c, s, n);
    c[n] = '\0';
    x->items[x->n++] = c;
    r->members_left--;
    return NG_OK;
}

/* "+WORDS" or "+&OTHER" (all of OTHER's members). */
static int syn_member(vr *r, const char *s, size_t n)
{
    pd *p = &r->p;
    unsigned line = p->lineno;
    trim(&s, &n);
    if (!n)
        return fail(p, line, NG_EFORMAT, "empty synset member");
    if (s[0] == '&') {
        const char *name = s + 1;
        size_t nn = n - 1;
        while (nn && name[nn - 1] == '_')
            nn--;
        if (!set_name_ok(name, nn))
            return fail(p, line, NG_EFORMAT, "a member naming a synset is '+&NAME' alone");
        pset *y = set_find(p, name, nn);
        if (!y)
            return fail(p, line, NG_EFORMAT, "synset &%.*s is not defined (define it on an earlier line)",
                        (int)(nn > 40 ? 40 : nn), name);
        if (y == r->syn)
            return fail(p, line, NG_EFORMAT, "synset &%s contains itself", y->name);
        for (size_t i = 0; i < y->n; i++) {
            int rc = syn_push(r, line, y->items[i], strlen(y->items[i]));
            if (rc != NG_OK)
                return rc;
        }
        return NG_OK;
    }
    for (size_t i = 0; i < n; i++)
        if (vspecial(s[i]))
            return fail(p, line, NG_EFORMAT, "unexpected '%c' in a synset member (words only)", s[i]);
    /* every word must be one */
    for (size_t i = 0; i < n;) {
        while (i < n && (is_blank(s[i]) || s[i] == '_'))
            i++;
        size_t j = i;
        while (j < n && !is_blank(s[j]) && s[j] != '_')
            j++;
        if (j > i && !word_ok(s + i, j - i))
            return fail(p, line, NG_EFORMAT, "'%.*s' is not a word", (int)(j - i > 20 ? 20 : j - i), s + i);
        i = j;
    }
    int rc = norm_phrase(p, line, s, n, &p->phrase, NULL);
    if (rc != NG_OK)
        return rc;
    return syn_push(r, line, p->phrase.p, p->phrase.len);
}

/* ---- verbs: patterns ---- */

static int slot_open(vr *r, unsigned line, int post)
{
    if (r->nslot == r->capslot) {
        size_t cap = r->capslot ? r->capslot * 2 : 16;
        vslot *v = realloc(r->slot, cap * sizeof *v);
        if (!v)
            return oom(&r->p, line);
        r->slot = v;
        r->capslot = cap;
    }
    r->slot[r->nslot].first = r->nalt;
    r->slot[r->nslot].n = 0;
    r->slot[r->nslot].post = post;
    r->nslot++;
    return NG_OK;
}

/* Adds an alternative to the last slot. */
static int alt_add(vr *r, unsigned line, const char *s, size_t n)
{
    if (r->nalt == r->capalt) {
        size_t cap = r->capalt ? r->capalt * 2 : 32;
        size_t *v = realloc(r->alt, cap * sizeof *v);
        if (!v)
            return oom(&r->p, line);
        r->alt = v;
        r->capalt = cap;
    }
    r->alt[r->nalt++] = r->alts.len;
    ng_buf_put(&r->alts, s, n);
    ng_buf_putc(&r->alts, '\0');
    if (r->alts.oom)
        return oom(&r->p, line);
    r->slot[r->nslot - 1].n++;
    return NG_OK;
}

/* A slot from a list of phrases (synset members, {A|B} alternatives): the
 * one-word phrases together as one "a|b|c" alternative (several, of at
 * most VGROUP bytes each, when there are many), and each phrase of several
 * words as an alternative of its own. */
#define VGROUP 400

static int slot_group(vr *r, unsigned line, int post, char *const *items, size_t n)
{
    int rc = slot_open(r, line, post);
    if (rc != NG_OK)
        return rc;
    ng_buf *g = &r->p.exp;
    ng_buf_reset(g);
    for (size_t i = 0; i < n; i++) {
        if (strchr(items[i], ' '))
            continue;
        size_t k = strlen(items[i]);
        if (g->len && g->len + 1 + k > VGROUP) {
            if ((rc = alt_add(r, line, g->p, g->len)) != NG_OK)
                return rc;
            ng_buf_reset(g);
        }
        if (g->len)
            ng_buf_putc(g, '|');
        ng_buf_put(g, items[i], k);
    }
    if (g->oom)
        return oom(&r->p, line);
    if (g->len && (rc = alt_add(r, line, g->p, g->len)) != NG_OK)
        return rc;
    for (size_t i = 0; i < n; i++)
        if (strchr(items[i], ' ') && (rc = alt_add(r, line, items[i], strlen(items[i]))) != NG_OK)
            return rc;
    if (!r->slot[r->nslot - 1].n)
        return fail(&r->p, line, NG_EFORMAT, "an empty synset or {...|...}");
    return NG_OK;
}

/* "{A | B C | D}": TABARI's alternatives. */
static int alt_group(vr *r, unsigned line, int post, const char *s, size_t n)
{
    pd *p = &r->p;
    size_t count = 1;
    for (size_t i = 0; i < n; i++)
        count += s[i] == '|';
    char **items = calloc(count, sizeof *items);
    if (!items)
        return oom(p, line);
    int rc = NG_OK;
    size_t m = 0;
    for (size_t i = 0; i <= n && rc == NG_OK;) {
        size_t j = i;
        while (j < n && s[j] != '|')
            j++;
        const char *a = s + i;
        size_t an = j - i;
        trim(&a, &an);
        for (size_t t = 0; t < an && rc == NG_OK; t++)
            if (vspecial(a[t]))
                rc = fail(p, line, NG_EFORMAT, "unexpected '%c' in {...|...} (words only)", a[t]);
        for (size_t t = 0; t < an && rc == NG_OK;) {
            while (t < an && (is_blank(a[t]) || a[t] == '_'))
                t++;
            size_t e = t;
            while (e < an && !is_blank(a[e]) && a[e] != '_')
                e++;
            if (e > t && !word_ok(a + t, e - t))
                rc = fail(p, line, NG_EFORMAT, "'%.*s' is not a word", (int)(e - t > 20 ? 20 : e - t), a + t);
            t = e;
        }
        if (rc == NG_OK && !an)
            rc = fail(p, line, NG_EFORMAT, "empty alternative in {...|...}");
        if (rc == NG_OK && (rc = norm_phrase(p, line, a, an, &p->phrase, NULL)) == NG_OK) {
            if (!(items[m] = malloc(p->phrase.len + 1)))
                rc = oom(p, line);
            else
                memcpy(items[m++], p->phrase.p, p->phrase.len + 1);
        }
        i = j + 1;
    }
    if (rc == NG_OK)
        rc = slot_group(r, line, post, items, m);
    for (size_t i = 0; i < m; i++)
        free(items[i]);
    free(items);
    return rc;
}

static int pat_push(vr *r, unsigned line, const char *code, const char *code2, int sym)
{
    if (r->p.exp.len + r->p.plural.len + 1 > NG_PETR_MAX_PHRASE)
        return fail(&r->p, line, NG_ETOOBIG, "pattern longer than %d bytes", NG_PETR_MAX_PHRASE);
    if (r->npats == r->cappats) {
        size_t cap = r->cappats ? r->cappats * 2 : 32;
        vpat *v = realloc(r->pats, cap * sizeof *v);
        if (!v)
            return oom(&r->p, line);
        r->pats = v;
        r->cappats = cap;
    }
    vpat *x = &r->pats[r->npats++];
    x->pre = arena_put(r, r->p.exp.p ? r->p.exp.p : "", r->p.exp.len);
    x->post = arena_put(r, r->p.plural.p ? r->p.plural.p : "", r->p.plural.len);
    memcpy(x->code, code, VCODE);
    memcpy(x->code2, code2, VCODE);
    x->sym = sym;
    x->line = line;
    if (r->arena.oom)
        return oom(&r->p, line);
    return NG_OK;
}

/* Splits the pattern body s[0..n) (between '-' and '[') into slots. */
static int pat_slots(vr *r, unsigned line, const char *s, size_t n, int *sym)
{
    pd *p = &r->p;
    int star = 0, paren = 0, brace = 0, rc;
    *sym = 0;
    r->nslot = r->nalt = 0;
    ng_buf_reset(&r->alts);
    size_t i = 0;
    while (i < n) {
        char c = s[i];
        if (is_blank(c) || c == '_') {
            i++;
        } else if (c == '*') {
            if (star)
                return fail(p, line, NG_EFORMAT, "two '*' in a pattern (one verb per pattern)");
            if (paren || brace)
                return fail(p, line, NG_EFORMAT, "'*' inside (...) or {...}");
            star = 1;
            i++;
        } else if (c == '(' || c == ')') { /* PETRARCH 2: a prepositional phrase, its words kept */
            if ((c == '(') == (paren != 0))
                return fail(p, line, NG_EFORMAT, c == '(' ? "'(' inside (...)" : "')' without '('");
            paren = c == '(';
            i++;
        } else if (c == '{') {
            if (brace)
                return fail(p, line, NG_EFORMAT, "'{' inside {...}");
            const char *z = memchr(s + i + 1, '}', n - i - 1);
            if (!z)
                return fail(p, line, NG_EFORMAT, "missing '}'");
            size_t j = (size_t)(z - s);
            if (memchr(s + i + 1, '|', j - i - 1)) { /* TABARI: {A | B} */
                if ((rc = alt_group(r, line, star, s + i + 1, j - i - 1)) != NG_OK)
                    return rc;
                i = j + 1;
            } else { /* PETRARCH 2: a noun phrase, its words kept */
                brace = 1;
                i++;
            }
        } else if (c == '}') {
            if (!brace)
                return fail(p, line, NG_EFORMAT, "'}' without '{'");
            brace = 0;
            i++;
        } else if (c == '|' || c == '[' || c == ']') {
            return fail(p, line, NG_EFORMAT, "unexpected '%c' in a pattern", c);
        } else if (c == '+' || c == '$' || c == '%') {
            /* slots only after the verb; before it '$' is the subject, which
             * is the default, and '%' (a compound subject) makes it "sym" */
            if (c == '%' && !star)
                *sym = 1;
            if (star) {
                const char *item = c == '$' ? "$" : "+";
                if ((rc = slot_open(r, line, 1)) != NG_OK || (rc = alt_add(r, line, item, 1)) != NG_OK)
                    return rc;
            }
            i++;
        } else if (c == '^' || c == '@') { /* skip markers: newsgraph allows words between items */
            i++;
        } else if (c == '&') {
            size_t j = i + 1;
            while (j < n && (is_alpha(s[j]) || is_digit(s[j]) || s[j] == '_' || s[j] == '-'))
                j++;
            /* the longest run of '_'-joined parts that names a synset:
             * "&TIETYPES_MEMOS" is &TIETYPES then MEMOS, "&FIGHT_OF_WORDS"
             * a synset of its own when one has that name */
            pset *x = NULL;
            size_t k = j - i - 1;
            for (; k > 0; k--)
                if ((i + 1 + k == j || s[i + 1 + k] == '_') && (x = set_find(p, s + i + 1, k)) != NULL)
                    break;
            if (!x) {
                size_t e = i + 1;
                while (e < j && s[e] != '_')
                    e++;
                return fail(p, line, NG_EFORMAT, "synset &%.*s is not defined (define it on an earlier line)",
                            (int)(e - i - 1 > 40 ? 40 : e - i - 1), s + i + 1);
            }
            if ((rc = slot_group(r, line, star, x->items, x->n)) != NG_OK)
                return rc;
            i += 1 + k;
        } else {
            size_t j = i;
            while (j < n && !is_blank(s[j]) && !strchr("_*(){}[]|", s[j]))
                j++;
            if ((rc = vfold(r, line, s + i, j - i)) != NG_OK || (rc = slot_open(r, line, star)) != NG_OK ||
                (rc = alt_add(r, line, p->phrase.p, p->phrase.len)) != NG_OK)
                return rc;
            i = j;
        }
    }
    if (paren)
        return fail(p, line, NG_EFORMAT, "'(' is never closed");
    if (brace)
        return fail(p, line, NG_EFORMAT, "'{' is never closed");
    if (!star)
        return fail(p, line, NG_EFORMAT, "no '*' in the pattern (it stands for the verb)");
    return NG_OK;
}

/* "- WORDS * WORDS [CODE]" */
static int pattern_line(vr *r, const char *s, size_t n)
{
    pd *p = &r->p;
    unsigned line = p->lineno;
    if (r->kind == VB_NONE)
        return fail(p, line, NG_EFORMAT, "a pattern line before any verb");
    char code[VCODE], code2[VCODE];
    size_t at;
    int has, sym, rc;
    if ((rc = vtail_code(p, line, s, n, &at, code, code2, &has)) != NG_OK)
        return rc;
    if (!has)
        return fail(p, line, NG_EFORMAT, "a pattern needs a code: - WORDS * WORDS [CODE]");
    if ((rc = pat_slots(r, line, s + 1, at - 1, &sym)) != NG_OK)
        return rc;
    /* the variants: every combination of the slots' alternatives */
    size_t combos = 1;
    for (size_t k = 0; k < r->nslot; k++) {
        combos *= r->slot[k].n; /* <= 1024 * 65536: no overflow */
        if (combos > NG_PETR_MAX_EXPANSION)
            return fail(p, line, NG_ETOOBIG, "expands to more than %d patterns through synsets", NG_PETR_MAX_EXPANSION);
    }
    if (combos > 1) {
        if (combos > p->subst_left)
            return fail(p, line, NG_ETOOBIG, "the file expands to more than %d patterns through synsets",
                        NG_PETR_MAX_EXPANSION_FILE);
        p->subst_left -= combos;
    }
    size_t *idx = calloc(r->nslot + 1, sizeof *idx);
    if (!idx)
        return oom(p, line);
    for (;;) {
        ng_buf_reset(&p->exp);
        ng_buf_reset(&p->plural);
        for (size_t k = 0; k < r->nslot; k++) {
            ng_buf *b = r->slot[k].post ? &p->plural : &p->exp;
            if (b->len)
                ng_buf_putc(b, ' ');
            ng_buf_puts(b, r->alts.p + r->alt[r->slot[k].first + idx[k]]);
        }
        if (p->exp.oom || p->plural.oom) {
            rc = oom(p, line);
            break;
        }
        if ((rc = pat_push(r, line, code, code2, sym)) != NG_OK)
            break;
        size_t k = r->nslot;
        while (k > 0 && ++idx[k - 1] == r->slot[k - 1].n)
            idx[--k] = 0;
        if (k == 0)
            break;
    }
    free(idx);
    return rc;
}

/* ---- verbs: blocks and verb lines ---- */

/* Builds "PRE VPRE V:lemma VPOST POST" into r->out and hands it over. */
static int vemit(vr *r, const vverb *v, const char *pre, const char *post, const char *code, const char *code2,
                 const char *flags, unsigned line)
{
    pd *p = &r->p;
    const char *a = r->arena.p;
    const char *parts[5] = {pre, a + v->pre, NULL, a + v->post, post};
    ng_buf_reset(&r->out);
    for (int i = 0; i < 5; i++) {
        if (i != 2 && !parts[i][0])
            continue;
        if (r->out.len)
            ng_buf_putc(&r->out, ' ');
        if (i == 2) {
            ng_buf_puts(&r->out, "V:");
            ng_buf_puts(&r->out, a + v->lemma);
        } else {
            ng_buf_puts(&r->out, parts[i]);
        }
    }
    if (r->out.oom)
        return oom(p, line);
    if (r->out.len > NG_PETR_MAX_PHRASE)
        return fail(p, line, NG_ETOOBIG, "pattern longer than %d bytes", NG_PETR_MAX_PHRASE);
    ng_petr_pattern e = {code, r->out.p, line, code2, flags};
    int rc = r->add(r->ctx, &e);
    if (rc != NG_OK)
        return fail(p, line, rc, "could not add '%.60s': %s", r->out.p, ng_strerror(rc));
    return NG_OK;
}

/* Gives the open block's patterns and closes it. */
static int block_flush(vr *r)
{
    int rc = NG_OK;
    if (r->kind == VB_NONE)
        return NG_OK;
    if (!r->nverbs && r->npats) {
        rc = fail(&r->p, r->line, NG_EFORMAT, "a block with patterns and no verb");
        goto out;
    }
    size_t total = r->nverbs * (r->npats + 1);
    if (total > r->patterns_left) {
        rc = fail(&r->p, r->line, NG_ETOOBIG, "the file gives more than %d patterns", NG_PETR_MAX_PATTERNS);
        goto out;
    }
    r->patterns_left -= total;
    for (size_t i = 0; i < r->nverbs && rc == NG_OK; i++) {
        const vverb *v = &r->verbs[i];
        rc = vemit(r, v, "", "", v->code, v->code2, "", v->line);
    }
    for (size_t k = 0; k < r->npats && rc == NG_OK; k++) {
        const vpat *x = &r->pats[k];
        for (size_t i = 0; i < r->nverbs && rc == NG_OK; i++)
            rc = vemit(r, &r->verbs[i], r->arena.p + x->pre, r->arena.p + x->post, x->code, x->code2,
                       x->sym ? "sym" : "", x->line);
    }
out:
    r->kind = VB_NONE;
    r->nverbs = r->npats = 0;
    ng_buf_reset(&r->arena);
    return rc;
}

static void block_open(vr *r, int kind, unsigned line)
{
    r->kind = kind;
    r->line = line;
    r->code[0] = r->code2[0] = '\0';
}

/* "--- NAME [CODE] ---": the first code is the block's; later ones (a
 * typo in PETRARCH's validation file) are checked and ignored, as
 * PETRARCH does. */
static int header_line(vr *r, const char *s, size_t n)
{
    pd *p = &r->p;
    unsigned line = p->lineno;
    int rc = block_flush(r);
    if (rc != NG_OK)
        return rc;
    block_open(r, VB_HEADER, line);
    int first = 1;
    for (size_t i = 3; i < n; i++) {
        if (s[i] == ']')
            return fail(p, line, NG_EFORMAT, "']' without '['");
        if (s[i] != '[')
            continue;
        size_t j = i + 1;
        while (j < n && s[j] != ']' && s[j] != '[')
            j++;
        if (j == n)
            return fail(p, line, NG_EFORMAT, "missing ']'");
        if (s[j] == '[')
            return fail(p, line, NG_EFORMAT, "'[' inside a code");
        char c1[VCODE], c2[VCODE];
        if ((rc = vcode(p, line, s + i + 1, j - i - 1, c1, c2)) != NG_OK)
            return rc;
        if (first) {
            memcpy(r->code, c1, VCODE);
            memcpy(r->code2, c2, VCODE);
            first = 0;
        }
        i = j;
    }
    return NG_OK;
}

/* The words of a verb phrase s[0..n) ("+CORDON_OFF", "WIRE_+TAP", "LASH
 * OUT"): *count words, *verb the index of the verb ('+'-marked, else the
 * first). */
static int verb_words(pd *p, unsigned line, const char *s, size_t n, size_t *count, size_t *verb)
{
    size_t w = 0, marked = (size_t)-1;
    for (size_t i = 0; i < n;) {
        while (i < n && (is_blank(s[i]) || s[i] == '_'))
            i++;
        if (i == n)
            break;
        if (s[i] == '+') {
            if (marked != (size_t)-1)
                return fail(p, line, NG_EFORMAT, "two '+' in '%.*s' (mark the verb only)", (int)(n > 40 ? 40 : n), s);
            marked = w;
            i++;
        }
        size_t j = i;
        while (j < n && !is_blank(s[j]) && s[j] != '_') {
            if (vspecial(s[j]))
                return fail(p, line, NG_EFORMAT, "unexpected '%c' in a verb", s[j]);
            j++;
        }
        if (!word_ok(s + i, j - i))
            return fail(p, line, NG_EFORMAT, "'%.*s' is not a word", (int)(j - i > 20 ? 20 : j - i), s + i);
        w++;
        i = j;
    }
    *count = w;
    *verb = marked == (size_t)-1 ? 0 : marked;
    return NG_OK;
}

/* Word number k of s (as verb_words counts them) into *w, *wn. */
static void verb_word(const char *s, size_t n, size_t k, const char **w, size_t *wn)
{
    size_t at = 0;
    for (size_t i = 0; i < n;) {
        while (i < n && (is_blank(s[i]) || s[i] == '_' || s[i] == '+'))
            i++;
        size_t j = i;
        while (j < n && !is_blank(s[j]) && s[j] != '_')
            j++;
        if (j > i && at++ == k) {
            *w = s + i;
            *wn = j - i;
            return;
        }
        i = j;
    }
    *w = s;
    *wn = 0;
}

/* "VERB {FORMS} [CODE]" */
static int verb_line(vr *r, const char *s, size_t n)
{
    pd *p = &r->p;
    unsigned line = p->lineno;
    int rc;
    if (r->kind != VB_HEADER) { /* TABARI: each verb line is a block of its own */
        if ((rc = block_flush(r)) != NG_OK)
            return rc;
        block_open(r, VB_IMPLICIT, line);
    }
    char code[VCODE], code2[VCODE];
    size_t at;
    int has;
    if ((rc = vtail_code(p, line, s, n, &at, code, code2, &has)) != NG_OK)
        return rc;
    const char *ob = memchr(s, '{', at), *cb = memchr(s, '}', at);
    size_t nn = at;
    if (ob) {
        if (!cb || cb < ob)
            return fail(p, line, NG_EFORMAT, "missing '}'");
        if (memchr(ob + 1, '{', (size_t)(cb - ob - 1)))
            return fail(p, line, NG_EFORMAT, "'{' inside {...}");
        for (const char *t = cb + 1; t < s + at; t++)
            if (!is_blank(*t))
                return fail(p, line, NG_EFORMAT, "unexpected text after '}'");
        nn = (size_t)(ob - s);
    } else if (cb) {
        return fail(p, line, NG_EFORMAT, "'}' without '{'");
    }
    size_t count, vi;
    if ((rc = verb_words(p, line, s, nn, &count, &vi)) != NG_OK)
        return rc;
    if (!count)
        return fail(p, line, NG_EFORMAT, "no verb before the code");
    /* pre words, the lemma, post words, each folded, into the arena */
    if (r->nverbs == r->capverbs) {
        size_t cap = r->capverbs ? r->capverbs * 2 : 16;
        vverb *v = realloc(r->verbs, cap * sizeof *v);
        if (!v)
            return oom(p, line);
        r->verbs = v;
        r->capverbs = cap;
    }
    vverb v;
    ng_buf grab; /* the words after the verb (p->tmp is norm_phrase's scratch) */
    ng_buf_init(&grab);
    ng_buf *parts[3] = {&p->exp, &p->plural, &grab};
    ng_buf_reset(&p->exp);
    ng_buf_reset(&p->plural);
    for (size_t k = 0; k < count && rc == NG_OK; k++) {
        const char *w;
        size_t wn;
        verb_word(s, nn, k, &w, &wn);
        if ((rc = norm_phrase(p, line, w, wn, &p->phrase, NULL)) != NG_OK)
            break;
        ng_buf *b = parts[k < vi ? 0 : k == vi ? 1 : 2];
        if (b->len)
            ng_buf_putc(b, ' ');
        ng_buf_put(b, p->phrase.p, p->phrase.len);
    }
    if (rc == NG_OK && (p->exp.oom || p->plural.oom || grab.oom))
        rc = oom(p, line);
    if (rc == NG_OK && p->exp.len + p->plural.len + grab.len + 4 > NG_PETR_MAX_PHRASE)
        rc = fail(p, line, NG_ETOOBIG, "verb longer than %d bytes", NG_PETR_MAX_PHRASE);
    if (rc == NG_OK) {
        v.pre = arena_put(r, p->exp.p, p->exp.len);
        v.lemma = arena_put(r, p->plural.p, p->plural.len);
        v.post = arena_put(r, grab.p ? grab.p : "", grab.len);
    }
    ng_buf_free(&grab);
    if (rc != NG_OK)
        return rc;
    if (r->arena.oom)
        return oom(p, line);
    if (r->kind == VB_IMPLICIT) {
        memcpy(r->code, has ? code : "", has ? VCODE : 1);
        memcpy(r->code2, has ? code2 : "", has ? VCODE : 1);
    }
    memcpy(v.code, has ? code : r->code, VCODE);
    memcpy(v.code2, has ? code2 : r->code2, VCODE);
    v.line = line;
    r->verbs[r->nverbs++] = v;

    /* the listed forms: the verb word of each ('+'-marked, the only word,
     * or the word in the same place as in the verb) */
    if (!ob)
        return NG_OK;
    const char *f = ob + 1, *fe = cb;
    while (f < fe) {
        while (f < fe && is_blank(*f))
            f++;
        const char *e = f;
        while (e < fe && !is_blank(*e))
            e++;
        if (e == f)
            break;
        size_t fc, fv;
        if ((rc = verb_words(p, line, f, (size_t)(e - f), &fc, &fv)) != NG_OK)
            return rc;
        int marked = memchr(f, '+', (size_t)(e - f)) != NULL;
        if (!marked && fc > 1) {
            if (fc != count)
                return fail(p, line, NG_EFORMAT, "which word of '%.*s' is the verb? Mark it with '+'",
                            (int)(e - f > 40 ? 40 : e - f), f);
            fv = vi;
        }
        const char *w;
        size_t wn;
        verb_word(f, (size_t)(e - f), fv, &w, &wn);
        if ((rc = norm_phrase(p, line, w, wn, &p->phrase, NULL)) != NG_OK)
            return rc;
        const char *lemma = r->arena.p + r->verbs[r->nverbs - 1].lemma;
        if (r->form && strcmp(p->phrase.p, lemma) != 0) {
            rc = r->form(r->ctx, p->phrase.p, lemma);
            if (rc != NG_OK)
                return fail(p, line, rc, "could not add the form '%.60s': %s", p->phrase.p, ng_strerror(rc));
        }
        f = e;
    }
    return NG_OK;
}

static int read_verbs(vr *r)
{
    pd *p = &r->p;
    int rc;
    while ((rc = next_line(p)) > 0) {
        const char *s = p->cur;
        size_t n = p->curlen;
        if (r->syn && s[0] == '+') {
            rc = syn_member(r, s + 1, n - 1);
        } else if ((rc = syn_end(r)) != NG_OK) {
            return rc;
        } else if (s[0] == '&') {
            rc = syn_start(r, s, n);
        } else if (n >= 3 && memcmp(s, "---", 3) == 0) {
            rc = header_line(r, s, n);
        } else if (s[0] == '-') {
            rc = pattern_line(r, s, n);
        } else if (s[0] == '~') {
            rc = NG_OK; /* PETRARCH 2's verb transformations: not read */
        } else {
            rc = verb_line(r, s, n);
        }
        if (rc != NG_OK)
            return rc;
    }
    if (rc < 0)
        return rc;
    if ((rc = syn_end(r)) != NG_OK)
        return rc;
    return block_flush(r);
}

int ng_petr_read_verbs(const char *data, size_t len, ng_petr_pattern_fn add_pattern, ng_petr_form_fn add_form,
                       void *ctx, char *err, size_t errlen)
{
    if ((!data && len) || !add_pattern) {
        if (err && errlen)
            snprintf(err, errlen, "no data or no callback");
        return NG_EINVAL;
    }
    vr *r = calloc(1, sizeof *r);
    if (!r) {
        if (err && errlen)
            snprintf(err, errlen, "out of memory");
        return NG_ENOMEM;
    }
    pd_init(&r->p, data ? data : "", len, NULL, NULL, err, errlen);
    r->p.hash_in_code = 1;
    r->add = add_pattern;
    r->form = add_form;
    r->ctx = ctx;
    r->members_left = NG_PETR_MAX_SYNSET_FILE;
    r->patterns_left = NG_PETR_MAX_PATTERNS;
    ng_buf_init(&r->arena);
    ng_buf_init(&r->out);
    ng_buf_init(&r->alts);
    int rc = read_verbs(r);
    sets_free(&r->p);
    pd_free(&r->p);
    ng_buf_free(&r->arena);
    ng_buf_free(&r->out);
    ng_buf_free(&r->alts);
    free(r->verbs);
    free(r->pats);
    free(r->alt);
    free(r->slot);
    free(r);
    return rc;
}
