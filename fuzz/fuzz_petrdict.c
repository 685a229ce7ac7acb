/*
 * fuzz_petrdict.c — libFuzzer target for the PETRARCH / TABARI dictionary
 * readers (petrdict.c): the same bytes through the actor reader, the agent
 * reader and the verb reader.
 *
 * Besides not crashing or hanging, it checks the readers' promises: every
 * phrase is non-empty, valid UTF-8, at most NG_PETR_MAX_PHRASE bytes, with
 * single spaces between words and none at either end; codes are uppercase
 * letters, digits and '/' (actors may also give "" or "+++"/"***"); kinds
 * and prefix flags are the documented ones; line numbers never go back; an
 * agent line gives at most NG_PETR_MAX_EXPANSION phrases; and a refusal
 * comes with a one-line "line N: ..." message.  Verb patterns must be lines
 * the event engine's pattern parser takes: single-spaced items, exactly one
 * "V:lemma" head (one word), "+" and "$" slots only after it, literals with
 * non-empty "|" alternatives; codes "" or 2-4 digits and at most one
 * letter; flags "" or "sym"; forms single words.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "petrdict.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct {
    int actors;
    unsigned last_line;
    size_t on_line;
    size_t n;
} state;

static void check_code(const char *c, int actor)
{
    size_t n = strlen(c);
    if (actor && (n == 0 || !strcmp(c, "+++") || !strcmp(c, "***")))
        return;
    if (n == 0 || n > 64)
        abort();
    for (size_t i = 0; i < n; i++) {
        char x = c[i];
        if (!((x >= 'A' && x <= 'Z') || (x >= '0' && x <= '9') || (actor && x == '/')))
            abort();
    }
}

static int add(void *ctx, const ng_petr_entry *e)
{
    state *s = ctx;
    const char *p = e->phrase;
    size_t n = strlen(p);
    if (n == 0 || n > NG_PETR_MAX_PHRASE || p[0] == ' ' || p[n - 1] == ' ' || strstr(p, "  ") ||
        ng_utf8_check(p, n) != n || strchr(p, '_') || strchr(p, '\t'))
        abort();
    check_code(e->code, s->actors);
    if (s->actors ? e->kind != NG_PETR_ACTOR
                  : (e->kind != NG_PETR_AGENT_SUFFIX && e->kind != NG_PETR_AGENT_PREFIX))
        abort();
    if (e->prefix != 0 && !(s->actors && e->prefix == 1))
        abort();
    if (e->line == 0 || e->line < s->last_line)
        abort();
    s->on_line = e->line == s->last_line ? s->on_line + 1 : 1;
    if (!s->actors && s->on_line > NG_PETR_MAX_EXPANSION)
        abort();
    s->last_line = e->line;
    s->n++;
    return NG_OK;
}

static void run(const char *d, size_t n, int actors)
{
    state s = {actors, 0, 0, 0};
    char err[256];
    memset(err, 'x', sizeof err);
    int rc = actors ? ng_petr_read_actors(d, n, add, &s, err, sizeof err)
                    : ng_petr_read_agents(d, n, add, &s, err, sizeof err);
    if (memchr(err, '\0', sizeof err) == NULL)
        abort();
    if (rc == NG_OK) {
        if (err[0])
            abort();
    } else if (strncmp(err, "line ", 5) != 0 || strchr(err, '\n') || rc > 0) {
        abort();
    }
}

static void check_vcode(const char *c)
{
    size_t n = strlen(c), d = 0;
    if (n == 0)
        return;
    while (c[d] >= '0' && c[d] <= '9')
        d++;
    if (d < 2 || d > 4 || n > d + 1)
        abort();
    if (n == d + 1 && !((c[d] >= 'A' && c[d] <= 'Z') || (c[d] >= 'a' && c[d] <= 'z')))
        abort();
}

typedef struct {
    size_t n;
} vstate;

static int vadd(void *ctx, const ng_petr_pattern *p)
{
    vstate *s = ctx;
    const char *t = p->pattern;
    size_t n = strlen(t);
    if (n == 0 || n > NG_PETR_MAX_PHRASE || t[0] == ' ' || t[n - 1] == ' ' || strstr(t, "  ") ||
        ng_utf8_check(t, n) != n || strchr(t, '\t') || strchr(t, '_') || strchr(t, '\n'))
        abort();
    int heads = 0;
    for (const char *w = t; *w;) {
        const char *e = strchr(w, ' ');
        size_t k = e ? (size_t)(e - w) : strlen(w);
        if (k > 2 && w[0] == 'V' && w[1] == ':') {
            heads++;
            if (memchr(w, '|', k))
                abort();
        } else if (k == 1 && (*w == '+' || *w == '$')) {
            if (!heads)
                abort(); /* a slot before the head */
        } else if (w[0] == '|' || w[k - 1] == '|') {
            abort();
        } else {
            for (size_t i = 0; i + 1 < k; i++)
                if (w[i] == '|' && w[i + 1] == '|')
                    abort();
            if ((w[0] == 'N' || w[0] == 'V') && k > 1 && w[1] == ':')
                abort();
        }
        w += k;
        while (*w == ' ')
            w++;
    }
    if (heads != 1)
        abort();
    check_vcode(p->code);
    check_vcode(p->code2);
    if (strcmp(p->flags, "") && strcmp(p->flags, "sym"))
        abort();
    if (p->line == 0 || ++s->n > NG_PETR_MAX_PATTERNS)
        abort();
    return NG_OK;
}

static int vform(void *ctx, const char *form, const char *lemma)
{
    (void)ctx;
    if (!form[0] || !lemma[0] || strchr(form, ' ') || strchr(lemma, ' ') || !strcmp(form, lemma) ||
        strlen(form) > NG_PETR_MAX_PHRASE || ng_utf8_check(form, strlen(form)) != strlen(form))
        abort();
    return NG_OK;
}

static void run_verbs(const char *d, size_t n)
{
    vstate s = {0};
    char err[256];
    memset(err, 'x', sizeof err);
    int rc = ng_petr_read_verbs(d, n, vadd, vform, &s, err, sizeof err);
    if (memchr(err, '\0', sizeof err) == NULL)
        abort();
    if (rc == NG_OK) {
        if (err[0])
            abort();
    } else if (strncmp(err, "line ", 5) != 0 || strchr(err, '\n') || rc > 0) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    run((const char *)data, size, 1);
    run((const char *)data, size, 0);
    run_verbs((const char *)data, size);
    return 0;
}
