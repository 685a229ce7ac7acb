/*
 * fuzz_petrdict.c — libFuzzer target for the PETRARCH / TABARI dictionary
 * readers (petrdict.c): the same bytes through the actor reader and the
 * agent reader.
 *
 * Besides not crashing or hanging, it checks the readers' promises: every
 * phrase is non-empty, valid UTF-8, at most NG_PETR_MAX_PHRASE bytes, with
 * single spaces between words and none at either end; codes are uppercase
 * letters, digits and '/' (actors may also give "" or "+++"/"***"); kinds
 * and prefix flags are the documented ones; line numbers never go back; an
 * agent line gives at most NG_PETR_MAX_EXPANSION phrases; and a refusal
 * comes with a one-line "line N: ..." message.
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    run((const char *)data, size, 1);
    run((const char *)data, size, 0);
    return 0;
}
