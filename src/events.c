/*
 * events.c — the event stage: CAMEO-coded events from each sentence.
 *
 * For every sentence the stage
 *   1. folds and stems its words (libstemmer; irregular forms from
 *      lang/<code>/verb-forms.txt) and finds dictionary phrases in them:
 *      named actors (lang/common/actors.txt and the user's --actors file),
 *      country names (lang/common/kb-places.txt), demonyms and agent words
 *      (lang/<code>/agents.txt and the user's --agents file);
 *   2. groups words into noun phrases from their part-of-speech tags
 *      (pos.c), joining "of" phrases ("Minister of Defense", "soldiers from
 *      X"), and gives each phrase that names one an actor: the entity it
 *      contains (ner.c, with pronouns linked by coref.c) and a CAMEO actor
 *      code built from a country and roles ("French troops" -> FRAMIL);
 *      coordinated phrases ("X, Y and Z") form a group;
 *   3. looks up each word's stem among the heads of the verb and noun
 *      patterns (lang/<code>/event-patterns.txt), tries that head's
 *      patterns from the most specific, and for the first that matches
 *      takes the source (the clause's subject: the nearest actor phrase to
 *      the left that is not a prepositional object, through relative
 *      pronouns, coordinated verbs and infinitive complements; or a "$"
 *      slot) and the target (a "+" slot, else the first actor phrase after
 *      the verb that is not a place, a date or a passive's agent), swapping
 *      them in the passive;
 *   4. adds the date (the nearest date in the sentence, else the
 *      article's), the place ("in Paris"), negation and mood (cues from
 *      lang/<code>/event-cues.txt; an event inside a quotation is reported).
 * docs/events.md has the details and the measurements.
 */
#include "events.h"

#include "petrdict.h"
#include "pos.h"

#include <libstemmer.h>
#include <stdatomic.h>
#include <utf8proc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- a phrase map: folded phrase -> value, with every word prefix of a
 * phrase marked so that a longest-match scan can stop early ------------ */

enum { PH_FULL = 1, PH_PREFIX = 2 };

typedef struct {
    char **keys;
    uint32_t *vals;
    uint32_t *hashes; /* of each key: most probes end on a hash mismatch without touching the key */
    uint8_t *flags;
    size_t mask, n;
} phmap;

static uint32_t ph_hash(const char *s, size_t n) { return ng_hash_bytes(s, n); }

static void phmap_free(phmap *m)
{
    if (m->keys)
        for (size_t i = 0; i <= m->mask; i++)
            free(m->keys[i]);
    free(m->keys);
    free(m->vals);
    free(m->hashes);
    free(m->flags);
    memset(m, 0, sizeof *m);
}

static size_t ph_slot_h(const phmap *m, const char *k, size_t n, uint32_t h)
{
    for (size_t i = h & m->mask;; i = (i + 1) & m->mask) {
        const char *s = m->keys[i];
        if (!s || (m->hashes[i] == h && memcmp(s, k, n) == 0 && s[n] == '\0'))
            return i;
    }
}

static size_t ph_slot(const phmap *m, const char *k, size_t n) { return ph_slot_h(m, k, n, ph_hash(k, n)); }

static int ph_grow(phmap *m)
{
    size_t cap = m->keys ? (m->mask + 1) * 2 : 64;
    phmap nm = {calloc(cap, sizeof(char *)), calloc(cap, sizeof(uint32_t)), calloc(cap, sizeof(uint32_t)),
                calloc(cap, 1), cap - 1, 0};
    if (!nm.keys || !nm.vals || !nm.hashes || !nm.flags) {
        free(nm.keys);
        free(nm.vals);
        free(nm.hashes);
        free(nm.flags);
        return NG_ENOMEM;
    }
    if (m->keys) {
        for (size_t i = 0; i <= m->mask; i++) {
            if (!m->keys[i])
                continue;
            size_t j = ph_slot_h(&nm, m->keys[i], strlen(m->keys[i]), m->hashes[i]);
            nm.keys[j] = m->keys[i];
            nm.vals[j] = m->vals[i];
            nm.hashes[j] = m->hashes[i];
            nm.flags[j] = m->flags[i];
            nm.n++;
        }
    }
    free(m->keys);
    free(m->vals);
    free(m->hashes);
    free(m->flags);
    *m = nm;
    return NG_OK;
}

/* Sets flag on key k[0..n) (adding it); with PH_FULL also its value (an
 * existing full entry is kept unless overwrite). */
static int ph_put(phmap *m, const char *k, size_t n, uint32_t val, int flag, int overwrite)
{
    if (!m->keys || (m->n + 1) * 2 > m->mask + 1)
        if (ph_grow(m) != NG_OK)
            return NG_ENOMEM;
    uint32_t h = ph_hash(k, n);
    size_t i = ph_slot_h(m, k, n, h);
    if (!m->keys[i]) {
        char *c = malloc(n + 1);
        if (!c)
            return NG_ENOMEM;
        memcpy(c, k, n);
        c[n] = '\0';
        m->keys[i] = c;
        m->hashes[i] = h;
        m->n++;
    }
    if (flag == PH_FULL) {
        if (!(m->flags[i] & PH_FULL) || overwrite)
            m->vals[i] = val;
    }
    m->flags[i] |= (uint8_t)flag;
    return NG_OK;
}

/* Adds a phrase (words separated by single spaces) and marks its word prefixes. */
static int ph_add_phrase(phmap *m, const char *k, size_t n, uint32_t val, int overwrite)
{
    for (size_t i = 0; i < n; i++)
        if (k[i] == ' ' && ph_put(m, k, i, 0, PH_PREFIX, 0) != NG_OK)
            return NG_ENOMEM;
    return ph_put(m, k, n, val, PH_FULL, overwrite);
}

/* Flags of key (0: absent) and its value in *val. */
static int ph_get(const phmap *m, const char *k, size_t n, uint32_t *val)
{
    if (!m->keys)
        return 0;
    size_t i = ph_slot(m, k, n);
    if (!m->keys[i])
        return 0;
    if (val)
        *val = m->vals[i];
    return m->flags[i];
}

/* ---- a string pool: index 0 is "" ------------------------------------- */

typedef struct {
    char **s;
    size_t n, cap;
} strpool;

static uint32_t pool_add(strpool *p, const char *s, size_t n)
{
    if (!p->n) {
        p->s = malloc(16 * sizeof *p->s);
        if (!p->s)
            return 0;
        p->cap = 16;
        p->s[0] = strdup("");
        p->n = 1;
        if (!p->s[0])
            return 0;
    }
    if (p->n == p->cap) {
        char **ns = realloc(p->s, p->cap * 2 * sizeof *ns);
        if (!ns)
            return 0;
        p->s = ns;
        p->cap *= 2;
    }
    char *c = malloc(n + 1);
    if (!c)
        return 0;
    memcpy(c, s, n);
    c[n] = '\0';
    p->s[p->n] = c;
    return (uint32_t)p->n++;
}

static const char *pool_get(const strpool *p, uint32_t i) { return i < p->n ? p->s[i] : ""; }

static void pool_free(strpool *p)
{
    for (size_t i = 0; i < p->n; i++)
        free(p->s[i]);
    free(p->s);
    memset(p, 0, sizeof *p);
}

/* ---- folding ----------------------------------------------------------- */

/* Case-folds s[0..n) into out with curly apostrophes made straight;
 * returns the length. */
static size_t ev_fold(const char *s, size_t n, char *out, size_t cap)
{
    size_t len = ng_fold(s, n, out, cap);
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        if ((unsigned char)out[i] == 0xE2 && i + 2 < len && (unsigned char)out[i + 1] == 0x80 &&
            ((unsigned char)out[i + 2] == 0x99 || (unsigned char)out[i + 2] == 0x98)) {
            out[o++] = '\'';
            i += 2;
        } else {
            out[o++] = out[i];
        }
    }
    out[o] = '\0';
    return o;
}

/* Folds s[0..n) like ev_fold and also drops accents ("Cédéao" ->
 * "cedeao"): dictionary keys and the words looked up in them. */
static size_t plain_fold(const char *s, size_t n, char *out, size_t cap)
{
    size_t i = 0;
    while (i < n && !((unsigned char)s[i] & 0x80))
        i++;
    if (i == n)
        return ev_fold(s, n, out, cap);
    utf8proc_uint8_t *m = NULL;
    utf8proc_ssize_t ml = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n, &m,
                                       UTF8PROC_COMPOSE | UTF8PROC_STRIPMARK | UTF8PROC_CASEFOLD | UTF8PROC_STABLE);
    if (ml < 0 || !m) {
        free(m);
        return ev_fold(s, n, out, cap);
    }
    size_t len = ev_fold((const char *)m, (size_t)ml, out, cap);
    free(m);
    return len;
}

/* Folds a phrase (without accents unless keep_accents) and squeezes its
 * spaces: a dictionary key. */
static size_t fold_phrase_as(const char *s, size_t n, char *out, size_t cap, int keep_accents)
{
    size_t len = keep_accents ? ev_fold(s, n, out, cap) : plain_fold(s, n, out, cap);
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        char c = out[i] == '\t' || out[i] == '_' ? ' ' : out[i];
        if (c == ' ' && (o == 0 || out[o - 1] == ' '))
            continue;
        out[o++] = c;
    }
    while (o && out[o - 1] == ' ')
        o--;
    out[o] = '\0';
    return o;
}

static size_t fold_phrase(const char *s, size_t n, char *out, size_t cap) { return fold_phrase_as(s, n, out, cap, 0); }

/* ---- line iteration over a resource ---------------------------------- */

typedef struct {
    const char *p, *end;
    unsigned line;
} lines_it;

/* Next non-blank, non-comment line into cols (TAB-separated, at most
 * ncols; trailing CR and spaces trimmed); returns the number of columns,
 * or -1 at the end. */
static int next_line(lines_it *it, const char **col, size_t *len, int ncols)
{
    while (it->p < it->end) {
        const char *nl = memchr(it->p, '\n', (size_t)(it->end - it->p));
        const char *e = nl ? nl : it->end;
        const char *a = it->p;
        it->p = nl ? nl + 1 : it->end;
        it->line++;
        while (e > a && (e[-1] == '\r' || e[-1] == ' '))
            e--;
        while (a < e && *a == ' ')
            a++;
        if (a == e || *a == '#')
            continue;
        int n = 0;
        while (a <= e && n < ncols) {
            const char *t = memchr(a, '\t', (size_t)(e - a));
            const char *ce = t ? t : e;
            const char *x = ce;
            while (x > a && x[-1] == ' ')
                x--;
            col[n] = a;
            len[n] = (size_t)(x - a);
            n++;
            if (!t)
                break;
            a = t + 1;
            while (a < e && *a == ' ')
                a++;
        }
        return n;
    }
    return -1;
}

/* ---- the common tables -------------------------------------------------- */

struct ng_evcommon {
    strpool s;
    phmap actors;    /* phrase -> code (pool) */
    phmap actors_pre; /* user stems: phrase whose last word is a prefix -> code */
    size_t pre_words; /* most words in an actors_pre phrase, 0 when none */
    phmap countries; /* country names -> alpha-3 (pool) */
    phmap uagents;   /* user agents -> role (pool; "<NGO" for a prefix role) */
    phmap cameo;     /* code -> index into quad/gold */
    uint32_t *uverbs; /* the user's verb patterns: 5 pool indices each (code, pattern, flags, code2, line) */
    size_t nuverbs, capuverbs;
    uint32_t *uforms; /* the user's verb forms: (form, lemma) pool index pairs */
    size_t nuforms, capuforms;
    char verbs_file[256]; /* for messages */
    int *quad;
    double *gold;
    size_t ncameo, capcameo;
};

static int load_pairs(phmap *m, strpool *p, const char *res, int upper_only3)
{
    size_t len = 0;
    const char *data = ng_resource(res, &len);
    if (!data)
        return NG_OK;
    lines_it it = {data, data + len, 0};
    const char *c[3];
    size_t l[3];
    int n;
    char key[512];
    while ((n = next_line(&it, c, l, 3)) >= 0) {
        if (n < 2 || !l[0] || !l[1])
            continue;
        if (upper_only3) { /* kb-places: only 3-letter country codes */
            if (l[1] != 3 || c[1][0] < 'A' || c[1][0] > 'Z')
                continue;
        }
        size_t kl = fold_phrase(c[0], l[0], key, sizeof key);
        uint32_t v;
        if (n >= 3 && l[2]) { /* a dated actor: "CODE@CODE:FROM-TO;..." (actor_by_date reads it) */
            char both[1024];
            int bl = snprintf(both, sizeof both, "%.*s@%.*s", (int)l[1], c[1], (int)l[2], c[2]);
            v = pool_add(p, both, bl > 0 && (size_t)bl < sizeof both ? (size_t)bl : sizeof both - 1);
        } else {
            v = pool_add(p, c[1], l[1]);
        }
        if (!v || ph_add_phrase(m, key, kl, v, 0) != NG_OK)
            return NG_ENOMEM;
    }
    return NG_OK;
}

static int load_cameo(ng_evcommon *c)
{
    size_t len = 0;
    const char *data = ng_resource("common/cameo.txt", &len);
    if (!data)
        return NG_OK;
    lines_it it = {data, data + len, 0};
    const char *col[4];
    size_t l[4];
    int n;
    while ((n = next_line(&it, col, l, 4)) >= 0) {
        if (n < 3 || l[0] < 2 || l[0] > 4)
            continue;
        if (c->ncameo == c->capcameo) {
            size_t nc = c->capcameo ? c->capcameo * 2 : 512;
            int *q = realloc(c->quad, nc * sizeof *q);
            if (!q)
                return NG_ENOMEM;
            c->quad = q;
            double *g = realloc(c->gold, nc * sizeof *g);
            if (!g)
                return NG_ENOMEM;
            c->gold = g;
            c->capcameo = nc;
        }
        char num[32];
        snprintf(num, sizeof num, "%.*s", (int)(l[1] < 8 ? l[1] : 8), col[1]);
        c->quad[c->ncameo] = atoi(num);
        snprintf(num, sizeof num, "%.*s", (int)(l[2] < 16 ? l[2] : 16), col[2]);
        c->gold[c->ncameo] = strtod(num, NULL);
        if (ph_put(&c->cameo, col[0], l[0], (uint32_t)c->ncameo, PH_FULL, 0) != NG_OK)
            return NG_ENOMEM;
        c->ncameo++;
    }
    return NG_OK;
}

int ng_cameo_lookup(const ng_evcommon *c, const char *code, int *quad, double *goldstein)
{
    size_t n = strlen(code);
    while (n >= 2) { /* an unknown sub-code takes its parent's values */
        uint32_t i;
        if (ph_get(&c->cameo, code, n, &i) & PH_FULL) {
            *quad = c->quad[i];
            *goldstein = c->gold[i];
            return 1;
        }
        n--;
    }
    *quad = 0;
    *goldstein = 0;
    return 0;
}

typedef struct {
    ng_evcommon *c;
    int agents;
} petr_ctx;

static int petr_add(void *ctx, const ng_petr_entry *e)
{
    petr_ctx *pc = ctx;
    ng_evcommon *c = pc->c;
    char key[512], code[64];
    size_t kl = fold_phrase(e->phrase, strlen(e->phrase), key, sizeof key);
    if (!kl)
        return NG_OK;
    if (pc->agents) {
        snprintf(code, sizeof code, "%s%s", e->kind == NG_PETR_AGENT_PREFIX ? "<" : "", e->code);
        uint32_t v = pool_add(&c->s, code, strlen(code));
        return v ? ph_add_phrase(&c->uagents, key, kl, v, 1) : NG_ENOMEM;
    }
    if (!e->code[0])
        return NG_OK;
    char both[768];
    const char *val = e->code;
    if (e->dated && e->dated[0]) { /* "HOB@HOB:0-19950531;HOBGOV:19950601-19990815;": chosen by the article's date */
        snprintf(both, sizeof both, "%s@%s", e->code, e->dated);
        val = both;
    }
    uint32_t v = pool_add(&c->s, val, strlen(val));
    if (!v)
        return NG_ENOMEM;
    if (e->prefix) {
        size_t words = 1;
        for (size_t i = 0; i < kl; i++)
            words += key[i] == ' ';
        if (words > c->pre_words)
            c->pre_words = words;
        if (ph_add_phrase(&c->actors_pre, key, kl, v, 1) != NG_OK)
            return NG_ENOMEM;
    }
    return ph_add_phrase(&c->actors, key, kl, v, 1);
}

static int push_ids(uint32_t **a, size_t *n, size_t *cap, const uint32_t *v, size_t k)
{
    if (*n + k > *cap) {
        size_t nc = *cap ? *cap * 2 : 256;
        while (nc < *n + k)
            nc *= 2;
        uint32_t *na = realloc(*a, nc * sizeof *na);
        if (!na)
            return NG_ENOMEM;
        *a = na;
        *cap = nc;
    }
    memcpy(*a + *n, v, k * sizeof *v);
    *n += k;
    return NG_OK;
}

static int verb_add(void *ctx, const ng_petr_pattern *pp)
{
    petr_ctx *pc = ctx;
    ng_evcommon *c = pc->c;
    const char *code = pp->code[0] ? pp->code : "-";
    char line[16];
    snprintf(line, sizeof line, "%u", pp->line);
    uint32_t v[5] = {pool_add(&c->s, code, strlen(code)), pool_add(&c->s, pp->pattern, strlen(pp->pattern)),
                     pool_add(&c->s, pp->flags ? pp->flags : "", pp->flags ? strlen(pp->flags) : 0),
                     pool_add(&c->s, pp->code2 ? pp->code2 : "", pp->code2 ? strlen(pp->code2) : 0),
                     pool_add(&c->s, line, strlen(line))};
    for (int i = 0; i < 5; i++)
        if (!v[i])
            return NG_ENOMEM;
    return push_ids(&c->uverbs, &c->nuverbs, &c->capuverbs, v, 5);
}

static int form_add(void *ctx, const char *form, const char *lemma)
{
    petr_ctx *pc = ctx;
    ng_evcommon *c = pc->c;
    uint32_t v[2] = {pool_add(&c->s, form, strlen(form)), pool_add(&c->s, lemma, strlen(lemma))};
    if (!v[0] || !v[1])
        return NG_ENOMEM;
    return push_ids(&c->uforms, &c->nuforms, &c->capuforms, v, 2);
}

/* kind: 0 actors, 1 agents, 2 verbs */
static int load_user(ng_evcommon *c, const char *path, int agents, char *err, size_t errlen)
{
    ng_buf b;
    ng_buf_init(&b);
    int rrc = ng_buf_read_file(&b, path);
    if (rrc != NG_OK) {
        ng_buf_free(&b);
        if (rrc == NG_EIO)
            snprintf(err, errlen, "cannot read the %s dictionary %s", agents == 2 ? "verb" : agents ? "agent" : "actor",
                     path);
        return rrc;
    }
    petr_ctx pc = {c, agents};
    char why[400] = "";
    int rc = agents == 2 ? ng_petr_read_verbs(b.p ? b.p : "", b.len, verb_add, form_add, &pc, why, sizeof why)
             : agents    ? ng_petr_read_agents(b.p ? b.p : "", b.len, petr_add, &pc, why, sizeof why)
                         : ng_petr_read_actors(b.p ? b.p : "", b.len, petr_add, &pc, why, sizeof why);
    ng_buf_free(&b);
    if (rc != NG_OK) {
        snprintf(err, errlen, "%s: %s", path, why[0] ? why : ng_strerror(rc));
        return rc == NG_ENOMEM ? rc : NG_EMODEL;
    }
    return NG_OK;
}

int ng_evcommon_load(ng_evcommon **out, const char *actors_file, const char *agents_file, const char *verbs_file,
                     char *err, size_t errlen)
{
    *out = NULL;
    ng_evcommon *c = calloc(1, sizeof *c);
    if (!c)
        return NG_ENOMEM;
    int rc = load_pairs(&c->actors, &c->s, "common/actors.txt", 0);
    if (rc == NG_OK) /* people, with the offices they held and when */
        rc = load_pairs(&c->actors, &c->s, "common/actors-people.txt", 0);
    if (rc == NG_OK)
        rc = load_pairs(&c->countries, &c->s, "common/kb-places.txt", 1);
    if (rc == NG_OK)
        rc = load_cameo(c);
    if (rc == NG_OK && actors_file)
        rc = load_user(c, actors_file, 0, err, errlen);
    if (rc == NG_OK && agents_file)
        rc = load_user(c, agents_file, 1, err, errlen);
    if (rc == NG_OK && verbs_file) {
        snprintf(c->verbs_file, sizeof c->verbs_file, "%s", verbs_file);
        rc = load_user(c, verbs_file, 2, err, errlen);
    }
    if (rc != NG_OK) {
        if (rc == NG_ENOMEM && err)
            snprintf(err, errlen, "out of memory loading the event dictionaries");
        ng_evcommon_free(c);
        return rc;
    }
    *out = c;
    return NG_OK;
}

void ng_evcommon_free(ng_evcommon *c)
{
    if (!c)
        return;
    phmap_free(&c->actors);
    phmap_free(&c->actors_pre);
    phmap_free(&c->countries);
    phmap_free(&c->uagents);
    phmap_free(&c->cameo);
    free(c->quad);
    free(c->gold);
    free(c->uverbs);
    free(c->uforms);
    pool_free(&c->s);
    free(c);
}

/* ---- one language's lexicon -------------------------------------------- */

enum { IT_LIT = 0, IT_TGT, IT_SRC };
enum { PF_SYM = 1, PF_NOTARGET = 2, PF_NULL = 4, PF_USER = 8, PF_INTRANS = 16, PF_DIRECT = 32 };
#define EV_MAX_ITEMS 10

typedef struct {
    uint8_t type;
    uint8_t nalts;
    uint32_t alt; /* first of nalts (fold, stem) pool index pairs in lx->alts */
} ev_item;

typedef struct {
    char code[6];
    char code2[6]; /* a user dictionary's paired code: the event back from the target ("[032:033]"), or "" */
    uint8_t noun, flags, npre, npost, nlit;
    uint32_t head; /* pool index of the head key */
    uint32_t line;
    ev_item items[EV_MAX_ITEMS]; /* pre items (in text order), then post items */
} ev_pattern;

/* Structure word classes (event-words.txt). */
enum { W_NONE = 0, W_LOC, W_BY, W_OF, W_REL, W_BE, W_CC, W_INF, W_SUB, W_POSS, W_CL, W_CTRY, W_IN };
/* Cue classes (event-cues.txt). */
enum { CUE_NONE = 0, CUE_NEG, CUE_INTENT, CUE_HYP, CUE_REPORTED };

struct ng_evlex {
    const ng_evcommon *common;
    char stemmer[16];    /* libstemmer algorithm, "" when none */
    strpool s;
    ev_pattern *pats;
    size_t npats;
    uint32_t *alts;
    size_t nalts, capalts;
    uint16_t *altlen; /* the length of each alts[] string */
    phmap vheads, nheads; /* head stem -> first pattern index + 1 (patterns sorted by head) */
    phmap forms;     /* irregular form -> stem of its lemma (pool) */
    phmap agents;    /* agent phrase -> roles (pool) */
    phmap demonyms;  /* demonym -> alpha-3 (pool) */
    phmap cues;      /* cue phrase -> CUE_* */
    phmap words;     /* structure word -> W_* */
    phmap discards;  /* sports and entertainment words */
    uint32_t serial; /* this lexicon among those loaded (never 0): the key of the word cache */
    int french;
    uint8_t cur_flags;  /* while loading: flags and paired code given to the patterns being parsed */
    char cur_code2[6];
};

static const struct {
    const char *code, *alg;
} stemmers[] = {{"en", "english"}, {"fr", "french"}, {"de", "german"}, {"es", "spanish"}, {"it", "italian"},
                {"pt", "portuguese"}, {"nl", "dutch"}};

/* The stem of a folded word into pool (stemming with st when not NULL). */
static size_t stem_into(struct sb_stemmer *st, const char *w, size_t n, char *out, size_t cap)
{
    if (st && n < 256) {
        const sb_symbol *r = sb_stemmer_stem(st, (const sb_symbol *)w, (int)n);
        if (r) {
            size_t m = (size_t)sb_stemmer_length(st);
            if (m >= cap)
                m = cap - 1;
            memcpy(out, r, m);
            out[m] = '\0';
            return m;
        }
    }
    if (n >= cap)
        n = cap - 1;
    memcpy(out, w, n);
    out[n] = '\0';
    return n;
}

static int add_alts(struct ng_evlex *lx, struct sb_stemmer *st, const char *s, size_t n, ev_item *it)
{
    it->alt = (uint32_t)lx->nalts;
    it->nalts = 0;
    const char *p = s, *end = s + n;
    while (p < end) {
        const char *bar = memchr(p, '|', (size_t)(end - p));
        const char *e = bar ? bar : end;
        char f[256], stm[256];
        size_t fl = ev_fold(p, (size_t)(e - p), f, sizeof f);
        size_t sl = stem_into(st, f, fl, stm, sizeof stm);
        if (lx->nalts + 2 > lx->capalts) {
            size_t nc = lx->capalts ? lx->capalts * 2 : 1024;
            uint32_t *na = realloc(lx->alts, nc * sizeof *na);
            if (!na)
                return NG_ENOMEM;
            lx->alts = na;
            lx->capalts = nc;
        }
        uint32_t a = pool_add(&lx->s, f, fl), b = pool_add(&lx->s, stm, sl);
        if (!a || !b)
            return NG_ENOMEM;
        uint16_t *nl = realloc(lx->altlen, lx->capalts * sizeof *nl);
        if (!nl)
            return NG_ENOMEM;
        lx->altlen = nl;
        lx->altlen[lx->nalts] = (uint16_t)fl;
        lx->alts[lx->nalts++] = a;
        lx->altlen[lx->nalts] = (uint16_t)sl;
        lx->alts[lx->nalts++] = b;
        if (it->nalts < 255)
            it->nalts++;
        p = bar ? bar + 1 : end;
    }
    return NG_OK;
}

/* Parses one pattern line; NG_EMODEL with a reason in why. */
static int parse_pattern(struct ng_evlex *lx, struct sb_stemmer *st, const char *const *c, const size_t *l, int ncol,
                         unsigned line, char *why, size_t whylen)
{
    ev_pattern p;
    memset(&p, 0, sizeof p);
    p.line = line;
    if (l[0] == 1 && c[0][0] == '-') {
        p.flags |= PF_NULL; /* a user dictionary's null code: the phrase is known and codes nothing */
    } else {
        int bad = l[0] < 2 || l[0] > 5;
        for (size_t i = 0; i < l[0] && !bad; i++) /* digits, and a letter at the end ("174K", "210a") */
            bad = !((c[0][i] >= '0' && c[0][i] <= '9') ||
                    (i >= 2 && i + 1 == l[0] && ((c[0][i] >= 'A' && c[0][i] <= 'Z') || (c[0][i] >= 'a' && c[0][i] <= 'z'))));
        if (bad) {
            snprintf(why, whylen, "bad CAMEO code '%.*s'", (int)(l[0] < 16 ? l[0] : 16), c[0]);
            return NG_EMODEL;
        }
        for (size_t i = 0; i < l[0]; i++)
            p.code[i] = (char)(c[0][i] >= 'a' && c[0][i] <= 'z' ? c[0][i] - 32 : c[0][i]);
    }
    if (ncol < 2 || !l[1]) {
        snprintf(why, whylen, "no pattern after the code");
        return NG_EMODEL;
    }
    int seen_head = 0;
    const char *s = c[1], *end = c[1] + l[1];
    ev_item pre[EV_MAX_ITEMS], post[EV_MAX_ITEMS];
    size_t npre = 0, npost = 0;
    while (s < end) {
        while (s < end && *s == ' ')
            s++;
        const char *e = s;
        while (e < end && *e != ' ')
            e++;
        if (e == s)
            break;
        size_t n = (size_t)(e - s);
        if (n > 2 && (s[0] == 'V' || s[0] == 'N') && s[1] == ':') {
            if (seen_head) {
                snprintf(why, whylen, "two heads in one pattern");
                return NG_EMODEL;
            }
            seen_head = 1;
            p.noun = s[0] == 'N';
            char f[256], stm[260];
            size_t fl = ev_fold(s + 2, n - 2, f, sizeof f);
            const char *lemma = f;
            uint32_t irr;
            size_t sl;
            /* an irregular lemma form listed in verb-forms.txt stems like its lemma */
            if (ph_get(&lx->forms, f, fl, &irr) & PH_FULL) {
                snprintf(stm, sizeof stm, "%s", pool_get(&lx->s, irr));
                sl = strlen(stm);
            } else {
                sl = stem_into(st, lemma, fl, stm, sizeof stm);
            }
            if (!(p.head = pool_add(&lx->s, stm, sl)))
                return NG_ENOMEM;
        } else {
            ev_item it;
            memset(&it, 0, sizeof it);
            if (n == 1 && *s == '+')
                it.type = IT_TGT;
            else if (n == 1 && *s == '$')
                it.type = IT_SRC;
            else {
                it.type = IT_LIT;
                if (add_alts(lx, st, s, n, &it) != NG_OK)
                    return NG_ENOMEM;
                p.nlit++;
            }
            if (npre + npost >= EV_MAX_ITEMS) {
                snprintf(why, whylen, "more than %d items", EV_MAX_ITEMS);
                return NG_EMODEL;
            }
            if (seen_head)
                post[npost++] = it;
            else {
                if (it.type != IT_LIT) {
                    snprintf(why, whylen, "a slot before the head");
                    return NG_EMODEL;
                }
                pre[npre++] = it;
            }
        }
        s = e;
    }
    if (!seen_head) {
        snprintf(why, whylen, "no V: or N: head");
        return NG_EMODEL;
    }
    p.npre = (uint8_t)npre;
    p.npost = (uint8_t)npost;
    memcpy(p.items, pre, npre * sizeof *pre);
    memcpy(p.items + npre, post, npost * sizeof *post);
    if (ncol >= 3) {
        const char *f = c[2], *fe = c[2] + l[2];
        while (f < fe) {
            const char *comma = memchr(f, ',', (size_t)(fe - f));
            const char *e = comma ? comma : fe;
            size_t n = (size_t)(e - f);
            while (n && f[0] == ' ')
                f++, n--;
            while (n && f[n - 1] == ' ')
                n--;
            if (n == 3 && memcmp(f, "sym", 3) == 0)
                p.flags |= PF_SYM;
            else if (n == 8 && memcmp(f, "notarget", 8) == 0)
                p.flags |= PF_NOTARGET;
            else if (n == 7 && memcmp(f, "intrans", 7) == 0)
                p.flags |= PF_INTRANS;
            else if (n == 6 && memcmp(f, "direct", 6) == 0)
                p.flags |= PF_DIRECT;
            else if (n == 7 && memcmp(f, "passive", 7) == 0)
                ; /* accepted; the engine finds passives itself */
            else if (n) {
                snprintf(why, whylen, "unknown flag '%.*s'", (int)(n < 20 ? n : 20), f);
                return NG_EMODEL;
            }
            f = comma ? comma + 1 : fe;
        }
    }
    ev_pattern *np = realloc(lx->pats, (lx->npats + 1) * sizeof *np);
    if (!np)
        return NG_ENOMEM;
    lx->pats = np;
    p.flags |= lx->cur_flags;
    memcpy(p.code2, lx->cur_code2, sizeof p.code2);
    lx->pats[lx->npats++] = p;
    return NG_OK;
}

/* A pattern line whose head lists alternatives ("V:restore|renew ties")
 * is one pattern per alternative. */
static int parse_line(struct ng_evlex *lx, struct sb_stemmer *st, const char *const *c, const size_t *l, int ncol,
                      unsigned line, char *why, size_t whylen)
{
    const char *p = ncol >= 2 ? c[1] : NULL, *end = p ? c[1] + l[1] : NULL;
    const char *head = NULL, *he = NULL;
    while (p && p < end) {
        while (p < end && *p == ' ')
            p++;
        const char *e = p;
        while (e < end && *e != ' ')
            e++;
        if (e - p > 2 && (p[0] == 'V' || p[0] == 'N') && p[1] == ':') {
            head = p;
            he = e;
            break;
        }
        p = e;
    }
    if (!head || !memchr(head, '|', (size_t)(he - head)))
        return parse_pattern(lx, st, c, l, ncol, line, why, whylen);
    char buf[1024];
    const char *a = head + 2;
    while (a < he) {
        const char *bar = memchr(a, '|', (size_t)(he - a));
        const char *ae = bar ? bar : he;
        int n = snprintf(buf, sizeof buf, "%.*s%.2s%.*s%.*s", (int)(head - c[1]), c[1], head, (int)(ae - a), a,
                         (int)(end - he), he);
        if (n < 0 || (size_t)n >= sizeof buf) {
            snprintf(why, whylen, "pattern too long");
            return NG_EMODEL;
        }
        const char *cc[3] = {c[0], buf, ncol >= 3 ? c[2] : NULL};
        size_t ll[3] = {l[0], (size_t)n, ncol >= 3 ? l[2] : 0};
        int rc = parse_pattern(lx, st, cc, ll, ncol, line, why, whylen);
        if (rc != NG_OK)
            return rc;
        a = bar ? bar + 1 : he;
    }
    return NG_OK;
}

/* The user's PETRARCH verb dictionary (English): its forms, then its
 * patterns; a head it names keeps only the user's patterns. */
static int add_user_verbs(struct ng_evlex *lx, struct sb_stemmer *st, const ng_evcommon *c, char *err, size_t errlen)
{
    for (size_t i = 0; i + 1 < c->nuforms + 1 && i < c->nuforms; i += 2) {
        const char *form = pool_get(&c->s, c->uforms[i]), *lemma = pool_get(&c->s, c->uforms[i + 1]);
        char f[256], lem[256], stm[256];
        size_t fl = ev_fold(form, strlen(form), f, sizeof f);
        size_t ll = ev_fold(lemma, strlen(lemma), lem, sizeof lem);
        size_t sl = stem_into(st, lem, ll, stm, sizeof stm);
        uint32_t v = pool_add(&lx->s, stm, sl);
        if (!v || ph_put(&lx->forms, f, fl, v, PH_FULL, 1) != NG_OK)
            return NG_ENOMEM;
    }
    size_t first_user = lx->npats;
    for (size_t i = 0; i + 5 <= c->nuverbs; i += 5) {
        const char *cols[3] = {pool_get(&c->s, c->uverbs[i]), pool_get(&c->s, c->uverbs[i + 1]),
                               pool_get(&c->s, c->uverbs[i + 2])};
        size_t lens[3] = {strlen(cols[0]), strlen(cols[1]), strlen(cols[2])};
        const char *code2 = pool_get(&c->s, c->uverbs[i + 3]);
        unsigned line = (unsigned)strtoul(pool_get(&c->s, c->uverbs[i + 4]), NULL, 10);
        lx->cur_flags = PF_USER;
        memset(lx->cur_code2, 0, sizeof lx->cur_code2);
        if (strlen(code2) < sizeof lx->cur_code2)
            memcpy(lx->cur_code2, code2, strlen(code2));
        char why[200];
        int rc = parse_line(lx, st, cols, lens, lens[2] ? 3 : 2, line, why, sizeof why);
        lx->cur_flags = 0;
        memset(lx->cur_code2, 0, sizeof lx->cur_code2);
        if (rc == NG_EMODEL && err)
            snprintf(err, errlen, "%s: line %u: %s", c->verbs_file, line, why);
        if (rc != NG_OK)
            return rc;
    }
    /* drop the built-in patterns of every head the user's file names */
    phmap user_heads;
    memset(&user_heads, 0, sizeof user_heads);
    int rc = NG_OK;
    for (size_t i = first_user; i < lx->npats && rc == NG_OK; i++) {
        const char *h = pool_get(&lx->s, lx->pats[i].head);
        char key[300];
        int kl = snprintf(key, sizeof key, "%c%s", lx->pats[i].noun ? 'N' : 'V', h);
        rc = ph_put(&user_heads, key, (size_t)(kl < (int)sizeof key ? kl : (int)sizeof key - 1), 1, PH_FULL, 0);
    }
    size_t o = 0;
    for (size_t i = 0; i < lx->npats && rc == NG_OK; i++) {
        if (i < first_user) {
            char key[300];
            int kl = snprintf(key, sizeof key, "%c%s", lx->pats[i].noun ? 'N' : 'V', pool_get(&lx->s, lx->pats[i].head));
            if (ph_get(&user_heads, key, (size_t)(kl < (int)sizeof key ? kl : (int)sizeof key - 1), NULL) & PH_FULL)
                continue;
        }
        lx->pats[o++] = lx->pats[i];
    }
    if (rc == NG_OK)
        lx->npats = o;
    phmap_free(&user_heads);
    return rc;
}

static const struct ng_evlex *sort_lx; /* qsort has no context argument; loading is single-threaded */

static int cmp_pat(const void *a, const void *b)
{
    const ev_pattern *x = a, *y = b;
    if (x->noun != y->noun)
        return x->noun - y->noun;
    int c = strcmp(pool_get(&sort_lx->s, x->head), pool_get(&sort_lx->s, y->head));
    if (c)
        return c;
    if (x->nlit != y->nlit)
        return y->nlit - x->nlit; /* most specific first */
    int sx = x->npre + x->npost, sy = y->npre + y->npost;
    if (sx != sy)
        return sy - sx;
    return x->line < y->line ? -1 : x->line > y->line;
}

static int load_classes(phmap *m, const char *res, const char *const *names, int nnames)
{
    size_t len = 0;
    const char *data = ng_resource(res, &len);
    if (!data)
        return NG_OK;
    lines_it it = {data, data + len, 0};
    const char *c[2];
    size_t l[2];
    int n;
    char key[256];
    while ((n = next_line(&it, c, l, 2)) >= 0) {
        uint32_t cls = 1;
        if (names) {
            if (n < 2)
                continue;
            cls = 0;
            for (int i = 0; i < nnames; i++)
                if (strlen(names[i]) == l[1] && memcmp(names[i], c[1], l[1]) == 0)
                    cls = (uint32_t)i + 1;
            if (!cls)
                continue;
        }
        size_t kl = fold_phrase_as(c[0], l[0], key, sizeof key, 1);
        if (kl && ph_add_phrase(m, key, kl, cls, 0) != NG_OK)
            return NG_ENOMEM;
    }
    return NG_OK;
}

int ng_evlex_load(struct ng_evlex **out, const char *code, const ng_evcommon *common, char *err, size_t errlen)
{
    *out = NULL;
    struct ng_evlex *lx = calloc(1, sizeof *lx);
    if (!lx)
        return NG_ENOMEM;
    lx->common = common;
    lx->french = strcmp(code, "fr") == 0;
    for (size_t i = 0; i < sizeof stemmers / sizeof *stemmers; i++)
        if (strcmp(stemmers[i].code, code) == 0)
            snprintf(lx->stemmer, sizeof lx->stemmer, "%s", stemmers[i].alg);
    struct sb_stemmer *st = lx->stemmer[0] ? sb_stemmer_new(lx->stemmer, "UTF_8") : NULL;
    char res[64];
    int rc = NG_OK;
    static const char *const wnames[] = {"loc", "by", "of", "rel", "be", "cc", "inf", "sub", "poss", "cl", "ctry", "in"};
    static const char *const cnames[] = {"neg", "intent", "hypothetical", "reported"};
#define RES(file) (snprintf(res, sizeof res, "%s/%s", code, file), res)
    if (rc == NG_OK)
        rc = load_classes(&lx->words, RES("event-words.txt"), wnames, 12);
    if (rc == NG_OK)
        rc = load_classes(&lx->cues, RES("event-cues.txt"), cnames, 4);
    if (rc == NG_OK)
        rc = load_classes(&lx->discards, RES("event-discards.txt"), NULL, 0);
    if (rc == NG_OK)
        rc = load_pairs(&lx->agents, &lx->s, RES("agents.txt"), 0);
    if (rc == NG_OK)
        rc = load_pairs(&lx->demonyms, &lx->s, RES("demonyms.txt"), 0);
    /* irregular forms: form -> the stem of its lemma */
    size_t len = 0;
    const char *data = rc == NG_OK ? ng_resource(RES("verb-forms.txt"), &len) : NULL;
    if (data) {
        lines_it it = {data, data + len, 0};
        const char *c[2];
        size_t l[2];
        int n;
        char f[256], lem[256], stm[256];
        while (rc == NG_OK && (n = next_line(&it, c, l, 2)) >= 0) {
            if (n < 2)
                continue;
            size_t fl = ev_fold(c[0], l[0], f, sizeof f);
            size_t ll = ev_fold(c[1], l[1], lem, sizeof lem);
            size_t sl = stem_into(st, lem, ll, stm, sizeof stm);
            uint32_t v = pool_add(&lx->s, stm, sl);
            if (!v || ph_put(&lx->forms, f, fl, v, PH_FULL, 0) != NG_OK)
                rc = NG_ENOMEM;
        }
    }
    data = rc == NG_OK ? ng_resource(RES("event-patterns.txt"), &len) : NULL;
    if (data) {
        lines_it it = {data, data + len, 0};
        const char *c[3];
        size_t l[3];
        int n;
        char why[200];
        while (rc == NG_OK && (n = next_line(&it, c, l, 3)) >= 0) {
            rc = parse_line(lx, st, c, l, n, it.line, why, sizeof why);
            if (rc == NG_EMODEL && err)
                snprintf(err, errlen, "%s/event-patterns.txt:%u: %s", code, it.line, why);
        }
    }
#undef RES
    if (rc == NG_OK && common && common->nuverbs && strcmp(code, "en") == 0)
        rc = add_user_verbs(lx, st, common, err, errlen);
    if (rc == NG_OK && lx->npats) {
        sort_lx = lx;
        qsort(lx->pats, lx->npats, sizeof *lx->pats, cmp_pat);
        sort_lx = NULL;
        /* equal heads share one pool index, so that walking a head's patterns compares numbers */
        for (size_t i = 1; i < lx->npats; i++)
            if (lx->pats[i].noun == lx->pats[i - 1].noun &&
                strcmp(pool_get(&lx->s, lx->pats[i].head), pool_get(&lx->s, lx->pats[i - 1].head)) == 0)
                lx->pats[i].head = lx->pats[i - 1].head;
        for (size_t i = 0; i < lx->npats && rc == NG_OK; i++) {
            if (i && lx->pats[i].noun == lx->pats[i - 1].noun && lx->pats[i].head == lx->pats[i - 1].head)
                continue;
            const char *h = pool_get(&lx->s, lx->pats[i].head);
            rc = ph_put(lx->pats[i].noun ? &lx->nheads : &lx->vheads, h, strlen(h), (uint32_t)i + 1, PH_FULL, 0);
        }
    }

    if (st)
        sb_stemmer_delete(st);
    if (rc != NG_OK) {
        if (rc == NG_ENOMEM && err)
            snprintf(err, errlen, "out of memory loading the %s event patterns", code);
        ng_evlex_free(lx);
        return rc;
    }
    static _Atomic uint32_t last_serial;
    do
        lx->serial = atomic_fetch_add(&last_serial, 1) + 1;
    while (lx->serial == 0);
    *out = lx;
    return NG_OK;
}

void ng_evlex_free(struct ng_evlex *lx)
{
    if (!lx)
        return;
    free(lx->pats);
    free(lx->alts);
    free(lx->altlen);
    phmap_free(&lx->vheads);
    phmap_free(&lx->nheads);
    phmap_free(&lx->forms);
    phmap_free(&lx->agents);
    phmap_free(&lx->demonyms);
    phmap_free(&lx->cues);
    phmap_free(&lx->words);
    phmap_free(&lx->discards);
    pool_free(&lx->s);
    free(lx);
}

/* ---- the stage ------------------------------------------------------------ */

#define EV_MAX_SENT_TOKENS 200 /* longer sentences are read up to here */
#define EV_MAX_EVENTS 20000    /* per article */
#define EV_CODE 32

/* Dictionary hit kinds, in priority order for equal lengths. */
enum { HK_NONE = 0, HK_ACTOR, HK_COUNTRY, HK_DEMONYM, HK_UAGENT, HK_AGENT };

typedef struct {
    uint32_t fo, fl;  /* folded form in sc->fold */
    uint32_t po, pl;  /* the same without accents (dictionary lookups), in sc->fold */
    uint32_t so, sl;  /* stem in sc->stems; stemmed == 0 until computed */
    uint32_t vfirst;  /* the stem heads verb patterns from this one (index + 1; 0 none) */
    uint32_t nfirst;  /* the same for noun patterns */
    uint8_t wflags;   /* WI_* */
    uint8_t pos;      /* NG_UPOS_* (guessed without a tagger) */
    uint8_t word;     /* W_* */
    uint8_t cue;      /* CUE_* of the word alone */
    uint8_t hit_kind; /* a dictionary phrase starts here */
    uint8_t hit_len;  /* its words */
    uint8_t in_hit;
    uint8_t timex;    /* inside a temporal expression */
    uint8_t consumed; /* a literal of a matched pattern */
    uint8_t ent_name; /* the entity mention here is a name */
    uint32_t hit_val; /* pool value of the phrase (common pool for actors, countries and user agents) */
    uint32_t ent;     /* entity id, 0 */
    int32_t np;       /* noun phrase index, -1 */
    int32_t subj;     /* subject NP of a verb here: -1 none, -2 not computed */
    uint8_t evented;  /* a pattern matched with this word as head */
} evtok;

typedef struct {
    uint32_t a, b;    /* tokens [a, b) */
    uint32_t entity;
    char code[EV_CODE];
    uint8_t actor, pp, place, timex, has_head;
    int32_t gnext;    /* next NP of the coordination group, -1 */
    int32_t gfirst;   /* first NP of the group */
    uint8_t dup;      /* an apposition of the member before it ("her counterpart, Jonas Albrecht"): not coded twice */
    uint8_t known;    /* the code is a named actor's from the dictionaries (a person's office, a body), not built */
} evnp;

/* What the stage looks up about a word alone, remembered per thread: its
 * structure-word class, cue, stem, the patterns its stem heads, and whether
 * a dictionary or discard phrase can begin with it.  Seven hash lookups and
 * a stemmer call per token became one lookup here (news repeats its words). */
enum {
    WI_DISCARD = 1,   /* a discard phrase begins with the word (or is it) */
    WI_ACTORS = 2,    /* the same for the named actors, */
    WI_COUNTRIES = 4, /* the countries, */
    WI_DEMONYMS = 8,  /* the demonyms, */
    WI_UAGENTS = 16,  /* the user's agents */
    WI_AGENTS = 32    /* and the built-in agents */
};
#define EV_WI_SLOTS 32768 /* direct-mapped, 64 bytes each */
#define EV_WI_WORD 23     /* longer words and stems are not remembered */
typedef struct {
    uint32_t lex;            /* serial of the lexicon that filled the slot; 0 empty */
    uint32_t vfirst, nfirst; /* as in evtok */
    uint8_t wl, sl, word, cue, wflags;
    char w[EV_WI_WORD], st[EV_WI_WORD];
} ev_winfo;

struct ng_ev_scratch {
    struct sb_stemmer *st;
    char stname[16];
    ev_winfo *winfo;           /* EV_WI_SLOTS */
    const char *long_stem;     /* word_info's answer for a stem too long for the cache */
    size_t long_stem_len;
    ng_buf fold, stems;
    evtok *t;
    size_t tcap;
    evnp *np;
    size_t nnp, npcap;
    uint32_t *tok_ent;  /* per document token: entity id */
    uint8_t *tok_name;  /* per document token: 1 when that mention is a name */
    size_t tecap;
    ng_event *ev;
    size_t nev, evcap;
    char last_country[4];     /* the country named last in the article, for "the country" */
    uint32_t last_country_ent;
    char (*ent_roles)[EV_CODE]; /* per entity: roles from its titles */
    char (*ent_country)[4];
    uint8_t *ent_done;
    size_t entcap;
};

void ng_ev_scratch_free(struct ng_ev_scratch *sc)
{
    if (!sc)
        return;
    if (sc->st)
        sb_stemmer_delete(sc->st);
    free(sc->winfo);
    ng_buf_free(&sc->fold);
    ng_buf_free(&sc->stems);
    free(sc->t);
    free(sc->np);
    free(sc->tok_ent);
    free(sc->tok_name);
    free(sc->ev);
    free(sc->ent_roles);
    free(sc->ent_country);
    free(sc->ent_done);
    free(sc);
}

/* The state of one sentence. */
typedef struct {
    const struct ng_evlex *lx;
    const ng_evcommon *c;
    struct ng_ev_scratch *sc;
    ng_doc *doc;
    size_t t0;       /* first document token of the sentence */
    size_t n;        /* tokens read */
    uint32_t sent;
    int need_code;   /* a user dictionary's pattern: only phrases with an actor code are actors (PETRARCH) */
} evsent;

static const char *tfold(const evsent *S, size_t i) { return S->sc->fold.p + S->sc->t[i].fo; }
static const char *tplain(const evsent *S, size_t i) { return S->sc->fold.p + S->sc->t[i].po; }
static size_t tflen(const evsent *S, size_t i) { return S->sc->t[i].fl; }

static int tis(const evsent *S, size_t i, const char *w)
{
    size_t n = strlen(w);
    return tflen(S, i) == n && memcmp(tfold(S, i), w, n) == 0;
}

/* The stem of token i (read_tokens found it). */
static const char *tstem(const evsent *S, size_t i, size_t *len)
{
    *len = S->sc->t[i].sl;
    return S->sc->stems.oom || !S->sc->stems.p ? "" : S->sc->stems.p + S->sc->t[i].so;
}

/* Token i ends with suf (and is longer than it). */
static int tok_ends(const evsent *S, size_t i, const char *suf)
{
    size_t fl = S->sc->t[i].fl, n = strlen(suf);
    return fl > n && memcmp(S->sc->fold.p + S->sc->t[i].fo + fl - n, suf, n) == 0;
}

static int is_punct(const evsent *S, size_t i, char ch)
{
    return tflen(S, i) == 1 && tfold(S, i)[0] == ch;
}

/* Builds the key of tokens [i, i+k) joined by spaces into key; 0 when too long. */
static size_t join_key(const evsent *S, size_t i, size_t k, char *key, size_t cap, int plain)
{
    size_t o = 0;
    for (size_t j = i; j < i + k; j++) {
        size_t l = plain ? S->sc->t[j].pl : S->sc->t[j].fl;
        if (o + l + 2 > cap)
            return 0;
        if (j > i)
            key[o++] = ' ';
        memcpy(key + o, plain ? tplain(S, j) : tfold(S, j), l);
        o += l;
    }
    key[o] = '\0';
    return o;
}

/* Longest phrase of m starting at token i (at most maxw words); its word
 * count (0: none) and value. */
static size_t longest(const evsent *S, const phmap *m, size_t i, size_t maxw, uint32_t *val)
{
    char key[512];
    size_t best = 0;
    int plain = m != &S->lx->cues && m != &S->lx->discards && m != &S->lx->words; /* dictionaries ignore accents */
    for (size_t k = 1; k <= maxw && i + k <= S->n; k++) {
        size_t kl = join_key(S, i, k, key, sizeof key, plain);
        if (!kl)
            break;
        uint32_t v;
        int f = ph_get(m, key, kl, &v);
        if (f & PH_FULL) {
            best = k;
            *val = v;
        }
        if (!(f & PH_PREFIX))
            break;
    }
    return best;
}

/* User actors with a stem as last word ("ARGENTIN" matches Argentina). */
static size_t longest_prefix(const evsent *S, size_t i, uint32_t *val)
{
    const ng_evcommon *c = S->c;
    if (!c->pre_words)
        return 0;
    char key[512];
    for (size_t k = c->pre_words; k >= 1; k--) {
        if (i + k > S->n)
            continue;
        size_t kl = join_key(S, i, k, key, sizeof key, 1);
        if (!kl)
            continue;
        size_t last = S->sc->t[i + k - 1].pl;
        size_t base = kl - last;
        for (size_t cut = last; cut >= 2; cut--) {
            if (((unsigned char)key[base + cut] & 0xC0) == 0x80)
                continue; /* not at a character boundary */
            uint32_t v;
            if (ph_get(&c->actors_pre, key, base + cut, &v) & PH_FULL) {
                /* a stem does not cut into a word that is a name of its own ("THE_AU" and "Australian") */
                const evtok *lt = &S->sc->t[i + k - 1];
                if (cut < last && ((ph_get(&c->actors, tplain(S, i + k - 1), lt->pl, NULL) & PH_FULL) ||
                                   (ph_get(&c->countries, tplain(S, i + k - 1), lt->pl, NULL) & PH_FULL)))
                    break;
                *val = v;
                return k;
            }
        }
    }
    return 0;
}

static int is_word_tok(const ng_token *t) { return (t->flags & NG_TOK_WORD) != 0; }

/* Fills the per-token state of sentence tokens [t0, t0+n). */
/* What the lexicon says of the word alone (folded f, without accents pf),
 * from the thread's cache or looked up and remembered. */
static void word_info(evsent *S, const char *f, size_t fl, const char *pf, size_t pl, uint32_t h, ev_winfo *out)
{
    const struct ng_evlex *lx = S->lx;
    ev_winfo *c = NULL;
    if (fl < EV_WI_WORD) {
        c = &S->sc->winfo[h & (EV_WI_SLOTS - 1)];
        if (c->lex == lx->serial && c->wl == fl && memcmp(c->w, f, fl) == 0) {
            *out = *c;
            return;
        }
    }
    memset(out, 0, sizeof *out);
    out->lex = lx->serial;
    out->wl = (uint8_t)(fl < EV_WI_WORD ? fl : 0);
    memcpy(out->w, f, fl < EV_WI_WORD ? fl : 0);
    uint32_t v;
    if (ph_get(&lx->words, f, fl, &v) & PH_FULL)
        out->word = (uint8_t)v;
    if (ph_get(&lx->cues, f, fl, &v) & PH_FULL)
        out->cue = (uint8_t)v;
    if (ph_get(&lx->discards, f, fl, NULL))
        out->wflags |= WI_DISCARD;
    const ng_evcommon *cm = lx->common;
    if (cm && ph_get(&cm->actors, pf, pl, NULL))
        out->wflags |= WI_ACTORS;
    if (cm && ph_get(&cm->countries, pf, pl, NULL))
        out->wflags |= WI_COUNTRIES;
    if (ph_get(&lx->demonyms, pf, pl, NULL))
        out->wflags |= WI_DEMONYMS;
    if (cm && ph_get(&cm->uagents, pf, pl, NULL))
        out->wflags |= WI_UAGENTS;
    if (ph_get(&lx->agents, pf, pl, NULL))
        out->wflags |= WI_AGENTS;
    char st[256];
    size_t sl;
    if (ph_get(&lx->forms, f, fl, &v) & PH_FULL) { /* an irregular form: its lemma's stem */
        const char *ls = pool_get(&lx->s, v);
        sl = strlen(ls);
        if (sl >= sizeof st)
            sl = sizeof st - 1;
        memcpy(st, ls, sl);
    } else {
        sl = stem_into(S->sc->st, f, fl, st, sizeof st);
    }
    if (ph_get(&lx->vheads, st, sl, &v) & PH_FULL)
        out->vfirst = v;
    if (ph_get(&lx->nheads, st, sl, &v) & PH_FULL)
        out->nfirst = v;
    if (sl < EV_WI_WORD) {
        out->sl = (uint8_t)sl;
        memcpy(out->st, st, sl);
        if (c)
            *c = *out;
    } else { /* too long to keep: the caller gets it through the stems buffer */
        out->sl = 0;
        S->sc->long_stem = st;
        S->sc->long_stem_len = sl;
    }
}

static void read_tokens(evsent *S)
{
    struct ng_ev_scratch *sc = S->sc;
    const ng_doc *d = S->doc;
    ng_buf_reset(&sc->fold);
    ng_buf_reset(&sc->stems);
    uint32_t hs[EV_MAX_SENT_TOKENS];
    /* the folded forms first */
    for (size_t i = 0; i < S->n; i++) {
        const ng_token *tk = &d->tokens[S->t0 + i];
        evtok *t = &sc->t[i];
        memset(t, 0, sizeof *t);
        t->np = -1;
        t->subj = -2;
        char f[256];
        size_t fl = ev_fold(d->text + tk->start, tk->end - tk->start, f, sizeof f);
        t->fo = (uint32_t)sc->fold.len;
        t->fl = (uint32_t)fl;
        ng_buf_put(&sc->fold, f, fl);
        ng_buf_putc(&sc->fold, '\0');
        char pf[256];
        size_t pl = fl;
        int ascii = 1;
        for (uint32_t k = tk->start; k < tk->end && ascii; k++)
            ascii = !((unsigned char)d->text[k] & 0x80);
        if (ascii) { /* nothing to strip: the same string */
            memcpy(pf, f, fl + 1);
            t->po = t->fo;
        } else {
            pl = plain_fold(d->text + tk->start, tk->end - tk->start, pf, sizeof pf);
            t->po = (uint32_t)sc->fold.len;
            ng_buf_put(&sc->fold, pf, pl);
            ng_buf_putc(&sc->fold, '\0');
        }
        t->pl = (uint32_t)pl;
        t->ent = sc->tok_ent[S->t0 + i];
        t->ent_name = sc->tok_name[S->t0 + i];
        hs[i] = ng_hash_bytes(f, fl);
        __builtin_prefetch(&sc->winfo[hs[i] & (EV_WI_SLOTS - 1)]);
    }
    if (sc->fold.oom) {
        S->n = 0;
        return;
    }
    /* then what the lexicon says of each word (the cache slots are on their way) */
    for (size_t i = 0; i < S->n; i++) {
        evtok *t = &sc->t[i];
        ev_winfo wi;
        sc->long_stem = NULL;
        word_info(S, sc->fold.p + t->fo, t->fl, sc->fold.p + t->po, t->pl, hs[i], &wi);
        t->word = wi.word;
        t->cue = wi.cue;
        t->wflags = wi.wflags;
        t->vfirst = wi.vfirst;
        t->nfirst = wi.nfirst;
        t->so = (uint32_t)sc->stems.len;
        t->sl = sc->long_stem ? (uint32_t)sc->long_stem_len : wi.sl;
        ng_buf_put(&sc->stems, sc->long_stem ? sc->long_stem : wi.st, t->sl);
        ng_buf_putc(&sc->stems, '\0');
        const ng_token *tk = &d->tokens[S->t0 + i];
        if (d->pos)
            t->pos = d->pos[S->t0 + i];
        else /* no tagger for this language: a rough guess */
            t->pos = !is_word_tok(tk) ? NG_UPOS_PUNCT : (tk->flags & NG_TOK_UPPER) ? NG_UPOS_PROPN : NG_UPOS_X;
    }
    if (sc->fold.oom || sc->stems.oom)
        S->n = 0;
}

static int sentence_discarded(const evsent *S)
{
    for (size_t i = 0; i < S->n; i++) {
        uint32_t v;
        if ((S->sc->t[i].wflags & WI_DISCARD) && longest(S, &S->lx->discards, i, 4, &v))
            return 1;
    }
    return 0;
}

/* Names of actors and countries begin with a capital ("Chad", not "chad"),
 * and the short ones are written in capitals ("US", "IS", "UN": not the
 * pronoun "us", the verb "is" or the French article "un"). */
static int name_case_ok(const evsent *S, size_t i)
{
    const ng_token *tk = &S->doc->tokens[S->t0 + i];
    return (tk->flags & NG_TOK_UPPER) != 0;
}

/* A one-word name of three letters or fewer must be in capitals. */
static int short_name_ok(const evsent *S, size_t i)
{
    const ng_token *tk = &S->doc->tokens[S->t0 + i];
    size_t letters = 0;
    const char *f = tfold(S, i);
    for (size_t j = 0; j < tflen(S, i); j++)
        letters += f[j] != '.';
    return letters > 3 || (tk->flags & NG_TOK_ALLCAP);
}

/* Marks dictionary phrases: longest first, left to right, no overlaps. */
static void find_hits(evsent *S)
{
    evtok *t = S->sc->t;
    for (size_t i = 0; i < S->n;) {
        if (!(t[i].pos != NG_UPOS_PUNCT)) {
            i++;
            continue;
        }
        size_t best = 0;
        int kind = HK_NONE;
        uint32_t val = 0, v;
        size_t k;
        const unsigned wf = t[i].wflags;
        if (!S->c->pre_words && !(wf & (WI_ACTORS | WI_COUNTRIES | WI_DEMONYMS | WI_UAGENTS | WI_AGENTS)) &&
            !(t[i].pl > 3 && tplain(S, i)[t[i].pl - 1] == 's')) {
            i++; /* no phrase starts with this word (and it is no plural demonym) */
            continue;
        }
        int proper = name_case_ok(S, i);
        int short_ok = short_name_ok(S, i);
        if (proper && (wf & WI_ACTORS) && (k = longest(S, &S->c->actors, i, 8, &v)) > best && (k > 1 || short_ok))
            best = k, kind = HK_ACTOR, val = v;
        if (proper && (wf & WI_COUNTRIES) && (k = longest(S, &S->c->countries, i, 8, &v)) > best &&
            (k > 1 || short_ok))
            best = k, kind = HK_COUNTRY, val = v;
        /* a user's stem ("KU" matches "KU", "Kuwaiti"...) only when no whole name is longer or as long */
        if (proper && (k = longest_prefix(S, i, &v)) > best && (k > 1 || short_ok))
            best = k, kind = HK_ACTOR, val = v;
        if ((wf & WI_DEMONYMS) && (k = longest(S, &S->lx->demonyms, i, 4, &v)) > best)
            best = k, kind = HK_DEMONYM, val = v;
        else if (!best && t[i].pl > 3 && tplain(S, i)[t[i].pl - 1] == 's' &&
                 (ph_get(&S->lx->demonyms, tplain(S, i), t[i].pl - 1, &v) & PH_FULL))
            best = 1, kind = HK_DEMONYM, val = v; /* "Americans" */
        if ((wf & WI_UAGENTS) && (k = longest(S, &S->c->uagents, i, 8, &v)) > best)
            best = k, kind = HK_UAGENT, val = v;
        if ((wf & WI_AGENTS) && (k = longest(S, &S->lx->agents, i, 8, &v)) > best)
            best = k, kind = HK_AGENT, val = v;
        if (!best) {
            i++;
            continue;
        }
        t[i].hit_kind = (uint8_t)kind;
        t[i].hit_len = (uint8_t)best;
        t[i].hit_val = val;
        for (size_t j = i; j < i + best; j++)
            t[j].in_hit = 1;
        i += best;
    }
}

static int np_word(const evsent *S, size_t i)
{
    const evtok *t = &S->sc->t[i];
    if (t->ent || t->in_hit)
        return 1;
    if (t->word == W_POSS)
        return 1;
    if (t->pos == NG_UPOS_VERB && i > 0 && i + 1 < S->n && t->fl > 4) {
        /* a participle used as an adjective: "four suspected militants", "the affected villages" */
        int part = tok_ends(S, i, "ed") || tok_ends(S, i, "ing");
        int before = t[-1].pos == NG_UPOS_DET || t[-1].pos == NG_UPOS_NUM || t[-1].pos == NG_UPOS_ADJ;
        int after = t[1].pos == NG_UPOS_NOUN || t[1].pos == NG_UPOS_ADJ;
        if (part && before && after)
            return 1;
    }
    switch (t->pos) {
    case NG_UPOS_DET:
    case NG_UPOS_ADJ:
    case NG_UPOS_NOUN:
    case NG_UPOS_PROPN:
    case NG_UPOS_NUM:
        return 1;
    default:
        return 0;
    }
}

static int np_headword(const evsent *S, size_t i)
{
    const evtok *t = &S->sc->t[i];
    return t->ent || t->in_hit || t->pos == NG_UPOS_NOUN || t->pos == NG_UPOS_PROPN || t->pos == NG_UPOS_PRON;
}

static void append_roles(char *roles, size_t cap, const char *r)
{
    size_t n = strlen(r);
    for (size_t i = 0; i + 3 <= n; i += 3) {
        int have = 0;
        for (size_t j = 0; j + 3 <= strlen(roles); j += 3)
            if (memcmp(roles + j, r + i, 3) == 0)
                have = 1;
        size_t rl = strlen(roles);
        if (!have && rl + 3 < cap) {
            memcpy(roles + rl, r + i, 3);
            roles[rl + 3] = '\0';
        }
    }
}

static const ng_entity *entity_by_id(const ng_doc *d, uint32_t id)
{
    if (id >= 1 && id <= d->nentities && d->entities[id - 1].id == id)
        return &d->entities[id - 1];
    for (size_t i = 0; i < d->nentities; i++)
        if (d->entities[i].id == id)
            return &d->entities[i];
    return NULL;
}

/* Copies a country code (at most 3 bytes) into dst[4]. */
static void set_country(char *dst, const char *src)
{
    size_t n = 0;
    while (n < 3 && src[n])
        n++;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* Roles and country an entity's titles give ("French Minister of Defense" -> FRA, GOV). */
static void entity_titles(evsent *S, const ng_entity *e, size_t ei)
{
    struct ng_ev_scratch *sc = S->sc;
    if (sc->ent_done[ei])
        return;
    sc->ent_done[ei] = 1;
    sc->ent_roles[ei][0] = '\0';
    sc->ent_country[ei][0] = '\0';
    if (e->country)
        set_country(sc->ent_country[ei], e->country);
    for (size_t ti = 0; ti < e->ntitles; ti++) {
        char f[512];
        size_t fl = fold_phrase(e->titles[ti], strlen(e->titles[ti]), f, sizeof f);
        /* scan word starts */
        for (size_t i = 0; i < fl; i++) {
            if (i && f[i - 1] != ' ')
                continue;
            /* longest agent phrase starting at word i */
            size_t bestlen = 0;
            uint32_t bestv = 0;
            const phmap *maps[2] = {&S->lx->agents, &S->c->uagents};
            const strpool *pools[2] = {&S->lx->s, &S->c->s};
            int bestm = 0;
            for (int mi = 0; mi < 2; mi++) {
                for (size_t j = i + 1; j <= fl; j++) {
                    if (j < fl && f[j] != ' ')
                        continue;
                    uint32_t v;
                    int fl2 = ph_get(maps[mi], f + i, j - i, &v);
                    if (fl2 & PH_FULL && j - i > bestlen)
                        bestlen = j - i, bestv = v, bestm = mi;
                    if (!(fl2 & PH_PREFIX))
                        break;
                }
            }
            if (bestlen) {
                const char *r = pool_get(pools[bestm], bestv);
                if (r[0] != '<')
                    append_roles(sc->ent_roles[ei], EV_CODE, r);
            }
            if (!sc->ent_country[ei][0]) {
                /* a demonym or country word in the title */
                size_t we = i;
                while (we < fl && f[we] != ' ')
                    we++;
                uint32_t v;
                if (ph_get(&S->lx->demonyms, f + i, we - i, &v) & PH_FULL)
                    set_country(sc->ent_country[ei], pool_get(&S->lx->s, v));
            }
        }
    }
}

/* Composes a CAMEO actor code from its parts into out. */
static void compose(char *out, size_t cap, const char *code, const char *country, const char *roles, const char *pre)
{
    char base[EV_CODE];
    if (code[0])
        snprintf(base, sizeof base, "%s", code);
    else if (country[0])
        snprintf(base, sizeof base, "%s", country);
    else if (roles[0] || pre[0])
        snprintf(base, sizeof base, "---");
    else
        base[0] = '\0';
    size_t bl = strlen(base);
    for (size_t i = 0; i + 3 <= strlen(roles); i += 3) {
        int have = 0;
        for (size_t j = 3; j + 3 <= bl; j += 3)
            if (memcmp(base + j, roles + i, 3) == 0)
                have = 1;
        if (!have && bl + 3 < sizeof base) {
            memcpy(base + bl, roles + i, 3);
            bl += 3;
            base[bl] = '\0';
        }
    }
    snprintf(out, cap, "%s%s", pre, base);
}

/* A user actor's code on the article's date: "HOB@HOB:0-19950531;
 * HOBGOV:19950601-19990815;" gives HOBGOV in 1997, HOB (the default)
 * when the article has no date. */
static const char *actor_by_date(const evsent *S, const char *v, char out[EV_CODE])
{
    const char *at = strchr(v, '@');
    if (!at) {
        snprintf(out, EV_CODE, "%s", v);
        return out;
    }
    snprintf(out, EV_CODE, "%.*s", (int)(at - v), v);
    const char *pub = S->doc->published;
    long day = -1;
    if (pub && strlen(pub) >= 10 && pub[4] == '-' && pub[7] == '-')
        day = strtol(pub, NULL, 10) * 10000 + strtol(pub + 5, NULL, 10) * 100 + strtol(pub + 8, NULL, 10);
    if (day < 0)
        return out;
    for (const char *p = at + 1; *p;) {
        const char *colon = strchr(p, ':'), *semi = strchr(p, ';');
        if (!semi) /* the last period may end the string without a ';' */
            semi = p + strlen(p);
        if (!colon || colon > semi)
            break;
        char *e;
        long lo = strtol(colon + 1, &e, 10), hi = *e == '-' ? strtol(e + 1, NULL, 10) : lo;
        if (day >= lo && day <= hi) {
            snprintf(out, EV_CODE, "%.*s", (int)(colon - p), p);
            return out;
        }
        if (!*semi)
            break;
        p = semi + 1;
    }
    return out;
}

/* The code (on the article's date) of the actor the dictionaries know by
 * this whole name, into code[EV_CODE]; 0 when they do not know it. */
static int named_actor(const evsent *S, const char *name, char *code)
{
    char f[512], dated[EV_CODE];
    size_t fl = fold_phrase(name, strlen(name), f, sizeof f);
    uint32_t v;
    if (!(ph_get(&S->c->actors, f, fl, &v) & PH_FULL))
        return 0;
    snprintf(code, EV_CODE, "%s", actor_by_date(S, pool_get(&S->c->s, v), dated));
    return 1;
}

/* The actor named by tokens [a, b): fills np's entity, code, actor, place. */
static void range_actor(evsent *S, size_t a, size_t b, evnp *np)
{
    const evtok *t = S->sc->t;
    const ng_doc *d = S->doc;
    char code[EV_CODE] = "", country[4] = "", roles[EV_CODE] = "", pre[EV_CODE] = "";
    int have_agent = 0, have_place = 0, have_other = 0;
    uint32_t best_ent = 0;
    int best_rank = 0;
    for (size_t i = a; i < b; i++) {
        if (t[i].hit_kind) {
            int overlaps = i + t[i].hit_len <= b;
            if (!overlaps)
                continue;
            if (t[i].hit_kind == HK_ACTOR) {
                char dated[EV_CODE];
                const char *v = actor_by_date(S, pool_get(&S->c->s, t[i].hit_val), dated);
                if (!code[0])
                    snprintf(code, sizeof code, "%s", v);
                if (strlen(v) > 3 && strncmp(v + 3, "GOV", 3) == 0 && strlen(v) == 6)
                    have_place = 1; /* a capital standing for its government */
                else
                    have_other = 1;
            } else if (t[i].hit_kind == HK_COUNTRY) {
                if (!country[0])
                    set_country(country, pool_get(&S->c->s, t[i].hit_val));
                have_place = 1;
            } else if (t[i].hit_kind == HK_DEMONYM) {
                if (!country[0])
                    set_country(country, pool_get(&S->lx->s, t[i].hit_val));
            } else if ((t[i].hit_kind == HK_UAGENT || t[i].hit_kind == HK_AGENT) &&
                       ((i + t[i].hit_len < b && t[i + t[i].hit_len].pos == NG_UPOS_NOUN &&
                         !t[i + t[i].hit_len].in_hit && !t[i + t[i].hit_len].ent) ||
                        (t[i].hit_len == 1 && t[i].pos == NG_UPOS_ADJ && i > a && t[i - 1].pos == NG_UPOS_NOUN &&
                         !t[i - 1].in_hit && !t[i - 1].ent))) {
                /* an agent word modifying a noun is no agent: "military ties", "defence sources", "un camp militaire" */
            } else if (t[i].hit_kind == HK_UAGENT) {
                const char *r = pool_get(&S->c->s, t[i].hit_val);
                if (r[0] == '<')
                    append_roles(pre, sizeof pre, r + 1);
                else
                    append_roles(roles, sizeof roles, r);
                have_agent = 1;
            } else {
                append_roles(roles, sizeof roles, pool_get(&S->lx->s, t[i].hit_val));
                have_agent = 1;
            }
        }
        if (t[i].ent && !((t[i].pos == NG_UPOS_PRON || t[i].pos == NG_UPOS_DET) && !t[i].ent_name && b - a > 1)) {
            /* "her counterpart", "son homologue" are not her, not him */
            const ng_entity *e = entity_by_id(d, t[i].ent);
            if (!e)
                continue;
            int rank = strcmp(e->type, "PER") == 0 ? 4 : strcmp(e->type, "ORG") == 0 ? 3 : strcmp(e->type, "LOC") == 0 ? 2 : 1;
            if (rank == 1 && t[i].in_hit)
                continue; /* "French" tagged MISC: the demonym says it all */
            if (rank >= best_rank)
                best_rank = rank, best_ent = t[i].ent;
        }
    }
    np->entity = best_ent;
    if (best_ent) {
        const ng_entity *e = entity_by_id(d, best_ent);
        size_t ei = (size_t)(e - d->entities);
        if (best_rank == 4) {
            int known_person = code[0] != 0;
            if (!code[0] && e->name && named_actor(S, e->name, code)) /* "Emmanuel Macron" is FRAGOV in 2020 */
                known_person = code[0] != 0;
            if (known_person && strlen(code) >= 6) {
                /* the dictionary knows who this is and what office they held: titles gathered around the
                 * name (coreference may have lent them another's) do not change it */
                compose(np->code, sizeof np->code, code, "", "", pre);
                np->actor = 1;
                np->known = 1;
                np->place = 0;
                return;
            }
            entity_titles(S, e, ei);
            if (!country[0] && S->sc->ent_country[ei][0])
                set_country(country, S->sc->ent_country[ei]);
            append_roles(roles, sizeof roles, S->sc->ent_roles[ei]);
            have_other = 1;
        } else if (e->name) {
            char f[512];
            size_t fl = fold_phrase(e->name, strlen(e->name), f, sizeof f);
            uint32_t v;
            if (!code[0])
                named_actor(S, e->name, code);
            if (!country[0] && (ph_get(&S->c->countries, f, fl, &v) & PH_FULL))
                set_country(country, pool_get(&S->c->s, v));
            if (!country[0] && e->country)
                set_country(country, e->country);
            if (best_rank == 2)
                have_place = 1;
            else
                have_other = 1;
        }
    }
    if (have_agent && strlen(code) == 6 && strcmp(code + 3, "GOV") == 0 && have_place) {
        /* "protesters in Niamey": the capital gives the country, not the government */
        if (!country[0]) {
            memcpy(country, code, 3);
            country[3] = '\0';
        }
        code[0] = '\0';
    }
    compose(np->code, sizeof np->code, code, country, roles, pre);
    np->actor = np->code[0] || best_ent;
    np->place = have_place && !have_agent && !have_other;
}

/* A phrase that names an actor from the dictionaries with no agent word
 * ("Rohan", not "the state's fiercest foe"). */
static int np_is_name(const evsent *S, const evnp *np)
{
    const evtok *t = S->sc->t;
    int name = 0;
    for (size_t j = np->a; j < np->b; j++) {
        if (t[j].hit_kind == HK_AGENT || t[j].hit_kind == HK_UAGENT)
            return 0;
        name |= t[j].hit_kind == HK_ACTOR || t[j].hit_kind == HK_COUNTRY;
    }
    return name;
}

/* What the members of a list share: "Danish media and government" are both
 * Danish; "the ambassadors of Arnor, Osgiliath and Gondor" are all
 * ambassadors (GOV). */
static void spread_group_parts(evsent *S)
{
    struct ng_ev_scratch *sc = S->sc;
    const evtok *t = sc->t;
    for (size_t g = 0; g < sc->nnp; g++) {
        evnp *first = &sc->np[g];
        if (first->gfirst != (int32_t)g || first->gnext < 0 || strlen(first->code) < 3 ||
            memcmp(first->code, "---", 3) == 0)
            continue;
        /* where the first member's country and agent words are */
        long country_at = -1, agent_at = -1;
        for (size_t j = first->a; j < first->b; j++) {
            int k = t[j].hit_kind;
            if (country_at < 0 && (k == HK_COUNTRY || k == HK_DEMONYM ||
                                   (k == HK_ACTOR && strcspn(pool_get(&S->c->s, t[j].hit_val), "@") == 3)))
                country_at = (long)j;
            if (agent_at < 0 && (k == HK_AGENT || k == HK_UAGENT))
                agent_at = (long)j;
        }
        if (country_at < 0)
            continue;
        int roles_first = agent_at >= 0 && agent_at < country_at && strlen(first->code) > 3;
        for (int32_t m = first->gnext; m >= 0; m = sc->np[m].gnext) {
            evnp *x = &sc->np[m];
            if (strlen(x->code) > 3 && memcmp(x->code, "---", 3) == 0) {
                memcpy(x->code, first->code, 3); /* "... and government": Danish too */
            } else if (roles_first && strlen(x->code) == 3) {
                size_t room = sizeof x->code - 4;
                snprintf(x->code + 3, room + 1, "%.*s", (int)room, first->code + 3);
            }
        }
    }
}

/* Groups tokens into noun phrases and coordination groups. */
static int build_nps(evsent *S)
{
    struct ng_ev_scratch *sc = S->sc;
    evtok *t = sc->t;
    sc->nnp = 0;
    size_t i = 0;
    while (i < S->n) {
        if (!np_word(S, i)) {
            i++;
            continue;
        }
        size_t a = i, b = i;
        for (;;) {
            while (b < S->n && np_word(S, b)) {
                /* a determiner after a noun starts another phrase ("à l'ONU le départ") */
                if (b > a && t[b].pos == NG_UPOS_DET && !t[b].in_hit && !(t[b].ent && t[b].ent_name) &&
                    (t[b - 1].pos == NG_UPOS_NOUN || t[b - 1].pos == NG_UPOS_PROPN || t[b - 1].pos == NG_UPOS_NUM))
                    break;
                /* so does a date after a name ("au Mali lundi") */
                if (b > a && t[b].timex != t[b - 1].timex)
                    break;
                b++;
            }
            /* "activists in Arnor": a country after an agent word without one */
            if (b + 1 < S->n && (t[b].word == W_LOC || t[b].word == W_IN) && t[b + 1].in_hit &&
                (t[b + 1].hit_kind == HK_COUNTRY ||
                 (t[b + 1].hit_kind == HK_ACTOR &&
                  (strcspn(pool_get(&S->c->s, t[b + 1].hit_val), "@") == 3 || t[b].word == W_IN)))) {
                int agent = 0, country = 0;
                for (size_t j = a; j < b; j++) {
                    agent |= t[j].hit_kind == HK_AGENT || t[j].hit_kind == HK_UAGENT;
                    country |= t[j].hit_kind == HK_COUNTRY || t[j].hit_kind == HK_ACTOR || t[j].hit_kind == HK_DEMONYM ||
                               t[j].ent;
                }
                if (agent && !country) {
                    b++;
                    continue;
                }
            }
            /* "Minister of Defense", "soldiers from Gondor": join an of-phrase */
            if (b + 1 < S->n && t[b].word == W_OF && np_word(S, b + 1) && t[b + 1].pos != NG_UPOS_VERB) {
                int left_agent = 0;
                for (size_t j = a; j < b; j++)
                    left_agent |= t[j].pos == NG_UPOS_NOUN || t[j].in_hit || t[j].pos == NG_UPOS_PROPN;
                /* "its troops from Mali" are not Malian: an owned phrase keeps its owner */
                if (t[a].pos == NG_UPOS_PRON || (t[a].pos == NG_UPOS_DET && t[a].ent && !t[a].ent_name) ||
                    (a > 0 && t[a - 1].pos == NG_UPOS_PRON))
                    left_agent = 0;
                if (left_agent) {
                    b++;
                    continue;
                }
            }
            break;
        }
        int head = 0;
        for (size_t j = a; j < b; j++)
            head |= np_headword(S, j);
        if (head) {
            if (sc->nnp == sc->npcap) {
                size_t nc = sc->npcap ? sc->npcap * 2 : 64;
                evnp *nn = realloc(sc->np, nc * sizeof *nn);
                if (!nn)
                    return NG_ENOMEM;
                sc->np = nn;
                sc->npcap = nc;
            }
            evnp *np = &sc->np[sc->nnp];
            memset(np, 0, sizeof *np);
            np->a = (uint32_t)a;
            np->b = (uint32_t)b;
            np->has_head = 1;
            np->gnext = -1;
            np->gfirst = (int32_t)sc->nnp;
            if (a > 0) {
                const evtok *p = &t[a - 1];
                if (p->word == W_LOC || p->word == W_IN || p->word == W_BY || p->word == W_OF || p->word == W_INF)
                    np->pp = p->word;
                else if (p->pos == NG_UPOS_ADP)
                    np->pp = W_NONE + 100; /* another preposition */
            }
            size_t tx = 0;
            for (size_t j = a; j < b; j++)
                tx += t[j].timex;
            np->timex = tx * 2 >= (b - a);
            range_actor(S, a, b, np);
            if (!np->actor && b - a <= 3 && t[b - 1].word == W_CTRY && sc->last_country[0]) {
                /* "the country", "le pays": the country named last */
                snprintf(np->code, sizeof np->code, "%s", sc->last_country);
                np->entity = sc->last_country_ent;
                np->actor = 1;
            } else if (np->place && strlen(np->code) == 3) {
                set_country(sc->last_country, np->code);
                sc->last_country_ent = np->entity;
            }
            for (size_t j = a; j < b; j++)
                t[j].np = (int32_t)sc->nnp;
            sc->nnp++;
        }
        i = b > a ? b : a + 1;
    }
    /* coordination: actor phrases separated only by commas and "and" */
    for (size_t k = 0; k + 1 < sc->nnp; k++) {
        evnp *x = &sc->np[k], *y = &sc->np[k + 1];
        if (!x->actor || !y->actor || x->timex || y->timex)
            continue;
        size_t gap = y->a - x->b;
        if (gap < 1 || gap > 2)
            continue;
        int ok = 1, cc = 0;
        for (size_t j = x->b; j < y->a; j++) {
            if (t[j].word == W_CC)
                cc = 1;
            else if (!is_punct(S, j, ','))
                ok = 0;
        }
        if (!ok || (gap == 2 && !cc))
            continue;
        /* "the chairman of the Joint Chiefs, Gen. Mark Milley": one person */
        const ng_entity *ey = y->entity ? entity_by_id(S->doc, y->entity) : NULL;
        const ng_entity *ex = x->entity ? entity_by_id(S->doc, x->entity) : NULL;
        int x_named = 0; /* x names its person (not a description coreference linked) */
        for (size_t j = x->a; j < x->b; j++)
            x_named |= t[j].ent_name && t[j].ent == x->entity;
        if (gap == 1 && !cc && ey && strcmp(ey->type, "PER") == 0 && !np_is_name(S, x) &&
            (!ex || strcmp(ex->type, "PER") != 0 || ex == ey || !x_named)) {
            x->entity = y->entity;
            if (!y->known && (x->known || !y->code[0] || strlen(x->code) > strlen(y->code) ||
                              (strlen(x->code) >= 3 && memcmp(x->code, "---", 3) != 0 && strncmp(x->code, y->code, 3) != 0)))
                /* the description next to the name says more, and says it here ("her US counterpart,
                 * Lloyd Austin": American whatever the name's other titles say) */
                memcpy(y->code, x->code, sizeof y->code);
            else
                memcpy(x->code, y->code, sizeof x->code);
            /* one member: y stays in x's list (a search that finds y finds the list) but is not coded again */
            x->gnext = (int32_t)(k + 1);
            y->gfirst = x->gfirst;
            y->dup = 1;
            continue;
        }
        /* "à Berlin, Mme Marchand et ...": a place after its preposition does not start a list of people */
        if (x->place && (x->pp == W_LOC || x->pp == W_IN) && !y->place)
            continue;
        /* an apposition ("Osgiliath, the state's foe") is not a list: the
         * second phrase must be a name or a country, or the list be closed by "and" */
        if (!cc && !(y->entity || y->place || np_is_name(S, y)))
            continue;
        x->gnext = (int32_t)(k + 1);
        y->gfirst = x->gfirst;
    }
    spread_group_parts(S);
    return NG_OK;
}

static int hard_boundary(const evsent *S, size_t j)
{
    const evtok *t = &S->sc->t[j];
    return t->word == W_SUB || t->word == W_REL || is_punct(S, j, ';') || is_punct(S, j, ':') ||
           t->pos == NG_UPOS_SCONJ;
}

static size_t vg_start(const evsent *S, size_t h)
{
    const evtok *t = S->sc->t;
    size_t j = h;
    while (j > 0) {
        const evtok *p = &t[j - 1];
        if (p->pos == NG_UPOS_AUX || p->pos == NG_UPOS_ADV || p->pos == NG_UPOS_PART || p->word == W_BE ||
            p->cue == CUE_NEG || (p->word == W_CL && p->pos == NG_UPOS_PRON) ||
            (p->word == W_INF && p->pos != NG_UPOS_ADP))
            j--;
        else
            break;
    }
    return j;
}

static int is_actor(const evsent *S, const evnp *np) { return np->actor && (!S->need_code || np->code[0]); }

static int32_t find_subject(evsent *S, size_t h, int depth);

/* The verb an infinitive or gerund at h depends on ("threatened to
 * block", "considering ending", "menace de bloquer"), or -1. */
static long governing(const evsent *S, size_t vs, size_t h)
{
    const evtok *t = S->sc->t;
    long k = (long)vs - 1;
    int inf = t[vs].word == W_INF && vs < h;
    if (!inf && k >= 0 && (t[k].word == W_OF || t[k].word == W_INF || tis(S, (size_t)k, "à")) &&
        t[h].pos == NG_UPOS_VERB) {
        inf = 1; /* French "de"/"à" + infinitive */
        k--;
    }
    if (inf) {
        for (int skip = 0; k >= 0 && skip < 3; skip++, k--) {
            if (t[k].pos == NG_UPOS_VERB || t[k].pos == NG_UPOS_AUX)
                return k;
            if (t[k].pos != NG_UPOS_ADV && t[k].pos != NG_UPOS_ADJ && t[k].pos != NG_UPOS_ADP)
                break;
        }
        return -1;
    }
    size_t fl = tflen(S, h);
    if (k >= 0 && t[k].pos == NG_UPOS_VERB &&
        ((fl > 4 && tok_ends(S, h, "ing")) ||
         (fl > 3 && (tok_ends(S, h, "er") || tok_ends(S, h, "ir") || tok_ends(S, h, "re")) &&
          S->lx->french)))
        return k;
    return -1;
}

/* "killing", "tuant" */
static int is_present_participle(const evsent *S, size_t h)
{
    return tflen(S, h) > 4 && tok_ends(S, h, S->lx->french ? "ant" : "ing");
}

static int32_t find_subject(evsent *S, size_t h, int depth)
{
    evtok *t = S->sc->t;
    if (t[h].subj != -2)
        return t[h].subj;
    int32_t res = -1;
    size_t vs = vg_start(S, h);
    long gov = depth < 4 ? governing(S, vs, h) : -1;
    if (gov >= 0) {
        res = find_subject(S, (size_t)gov, depth + 1);
        t[h].subj = res;
        return res;
    }
    for (long j = (long)vs - 1; j >= 0 && j >= (long)vs - 40; j--) {
        const evtok *p = &t[j];
        if (p->word == W_REL) {
            long k = j - 1;
            while (k >= 0 && is_punct(S, (size_t)k, ','))
                k--;
            if (k >= 0 && t[k].np >= 0 && is_actor(S, &S->sc->np[t[k].np]))
                res = t[k].np;
            break;
        }
        if (hard_boundary(S, (size_t)j)) {
            /* "..., said after meeting X": a gerund after "after"/"while" has the main clause's subject */
            size_t fl = tflen(S, h);
            if (j == (long)vs - 1 && depth < 4 && fl > 4 && tok_ends(S, h, "ing"))
                for (long k = j - 1; k >= 0; k--)
                    if (t[k].pos == NG_UPOS_VERB && t[k].np < 0) {
                        res = find_subject(S, (size_t)k, depth + 1);
                        break;
                    }
            break;
        }
        if (is_punct(S, (size_t)j, ',') && j == (long)vs - 1 && depth < 4 && is_present_participle(S, h)) {
            /* "..., killing twenty soldiers", "..., tuant vingt soldats": the main clause's subject */
            for (long k = j - 1; k >= 0; k--)
                if (t[k].pos == NG_UPOS_VERB && t[k].np < 0) {
                    res = find_subject(S, (size_t)k, depth + 1);
                    break;
                }
            break;
        }
        if (p->word == W_CC && j == (long)vs - 1) {
            /* "... condemned X and promised Y": the subject of the previous verb */
            for (long k = j - 1; k >= 0; k--) {
                if (t[k].pos == NG_UPOS_VERB && t[k].np < 0) {
                    if (depth < 4)
                        res = find_subject(S, (size_t)k, depth + 1);
                    break;
                }
            }
            break;
        }
        if (p->np >= 0) {
            const evnp *np = &S->sc->np[p->np];
            if (np->pp || np->timex) {
                j = (long)np->a;
                continue;
            }
            if (is_actor(S, np)) {
                res = p->np;
                break;
            }
            if (np->has_head)
                break;
            j = (long)np->a;
        }
    }
    t[h].subj = res;
    return res;
}

/* The first actor phrase after token from (exclusive) in the clause. */
static int32_t find_object(const evsent *S, size_t from, int passive, int noun)
{
    const evtok *t = S->sc->t;
    int passed = 0; /* a phrase was passed: a comma now ends the clause ("sanctions on X, a move ...") */
    for (size_t j = from + 1; j < S->n && j <= from + 25; j++) {
        if ((hard_boundary(S, j) && !(S->need_code && t[j].word == W_SUB)) || (passed && is_punct(S, j, ',')))
            break; /* (PETRARCH looks past "that": "allowed that Mordor ...") */
        if (t[j].word == W_CC && j + 1 < S->n && (t[j + 1].pos == NG_UPOS_VERB || t[j + 1].pos == NG_UPOS_AUX))
            break;
        if (t[j].np < 0 && t[j].pos == NG_UPOS_VERB && j > from + 1 &&
            !(t[j - 1].word == W_INF || t[j - 1].word == W_OF || t[j - 1].pos == NG_UPOS_PART) &&
            !((t[j - 1].pos == NG_UPOS_NOUN || t[j - 1].pos == NG_UPOS_DET || t[j - 1].pos == NG_UPOS_ADJ) &&
              tflen(S, j) > 4 &&
              (tok_ends(S, j, "ing") || tok_ends(S, j, "ed"))))
            break; /* another verb, unless an infinitive complement ("agreed to intensify ties with X") or a
                    * participle after a noun ("the roads leading into X") */
        if (t[j].np >= 0) {
            const evnp *np = &S->sc->np[t[j].np];
            int owned = np->a < S->n && strncmp(np->code, "---", 3) == 0 &&
                        (t[np->a].pos == NG_UPOS_PRON || (t[np->a].pos == NG_UPOS_DET && t[np->a].ent && !t[np->a].ent_name) ||
                         (np->a > 0 && t[np->a - 1].pos == NG_UPOS_PRON));
            if (is_actor(S, np) && !np->timex && !owned && !(passive && np->pp == W_BY) &&
                !(np->place && (np->pp == W_LOC || np->pp == W_IN)) &&
                !(noun && !np->pp))
                return t[j].np;
            passed |= !np->timex;
            j = np->b - 1;
        }
    }
    return -1;
}

static int32_t find_by_agent(const evsent *S, size_t from)
{
    const evtok *t = S->sc->t;
    for (size_t j = from + 1; j < S->n && j <= from + 25; j++) {
        if (hard_boundary(S, j))
            break;
        if (t[j].np >= 0) {
            const evnp *np = &S->sc->np[t[j].np];
            if (np->pp == W_BY && is_actor(S, np))
                return t[j].np;
            j = np->b - 1;
        }
    }
    return -1;
}

static int lit_match(evsent *S, const ev_item *it, size_t j)
{
    const uint32_t *alts = S->lx->alts + it->alt;
    const uint16_t *lens = S->lx->altlen + it->alt;
    const char *f = tfold(S, j);
    size_t fl = tflen(S, j), sl = 0;
    const char *st = NULL;
    for (unsigned a = 0; a < it->nalts; a++) {
        if (lens[2 * a] == fl && memcmp(S->lx->s.s[alts[2 * a]], f, fl) == 0)
            return 1;
        if (!st)
            st = tstem(S, j, &sl);
        if (lens[2 * a + 1] == sl && memcmp(S->lx->s.s[alts[2 * a + 1]], st, sl) == 0)
            return 1;
    }
    return 0;
}

typedef struct {
    int32_t src, tgt;
    size_t last;
    size_t lits[EV_MAX_ITEMS];
    size_t nlits;
} pmatch;

static int match_pattern(evsent *S, const ev_pattern *p, size_t h, pmatch *m)
{
    m->src = m->tgt = -1;
    m->nlits = 0;
    size_t pos = h;
    for (int k = (int)p->npre - 1; k >= 0; k--) {
        long found = -1;
        for (long j = (long)pos - 1; j >= 0 && j >= (long)pos - 3; j--)
            if (lit_match(S, &p->items[k], (size_t)j)) {
                found = j;
                break;
            }
        if (found < 0)
            return 0;
        pos = (size_t)found;
        m->lits[m->nlits++] = pos;
    }
    pos = h;
    for (unsigned k = p->npre; k < (unsigned)(p->npre + p->npost); k++) {
        const ev_item *it = &p->items[k];
        long found = -1;
        if (it->type == IT_LIT) {
            for (size_t j = pos + 1; j < S->n && j <= pos + 7; j++) {
                if (is_punct(S, j, ';') || (j > pos + 1 && S->sc->t[j - 1].pos == NG_UPOS_VERB &&
                                            S->sc->t[j - 1].np < 0 && j - 1 != h))
                    break;
                if (lit_match(S, it, j)) {
                    found = (long)j;
                    break;
                }
            }
            if (found < 0)
                return 0;
            pos = (size_t)found;
            m->lits[m->nlits++] = pos;
        } else {
            for (size_t j = pos + 1; j < S->n && j <= pos + 6; j++) {
                if (hard_boundary(S, j))
                    break;
                int32_t q = S->sc->t[j].np;
                if (q >= 0 && is_actor(S, &S->sc->np[q]) && !S->sc->np[q].timex) {
                    found = q;
                    break;
                }
            }
            if (found < 0)
                return 0;
            if (it->type == IT_TGT)
                m->tgt = (int32_t)found;
            else
                m->src = (int32_t)found;
            /* the next word may be inside the phrase itself ("expel + ambassador": "the French ambassador") */
            pos = k + 1 < (unsigned)(p->npre + p->npost) && p->items[k + 1].type == IT_LIT ? S->sc->np[found].a
                                                                                         : S->sc->np[found].b - 1;
        }
    }
    m->last = pos;
    return 1;
}

static int in_quote(const ng_doc *d, uint32_t off)
{
    for (size_t i = 0; i < d->nquotes; i++)
        if (d->quotes[i].span.start <= off && off < d->quotes[i].span.end) /* quoted or reported speech */
            return 1;
    return 0;
}

/* Negation and mood of the event whose head is h. */
static void modality(evsent *S, size_t h, size_t vs, int *neg, int *mood)
{
    const evtok *t = S->sc->t;
    *neg = 0;
    *mood = NG_MOOD_NONE;
    for (size_t j = vs; j < h; j++)
        if (t[j].cue == CUE_NEG)
            *neg = 1;
    if (S->lx->french && !*neg)
        for (size_t j = h + 1; j < S->n && j <= h + 2; j++)
            if (t[j].cue == CUE_NEG)
                for (size_t k = vs; k < h; k++)
                    if (t[k].word == W_CL && (tis(S, k, "ne") || tis(S, k, "n'")))
                        *neg = 1;
    size_t from = vs > 6 ? vs - 6 : 0;
    for (size_t j = from; j < h; j++) {
        uint32_t v;
        size_t k = longest(S, &S->lx->cues, j, 4, &v);
        if (k && v != CUE_NEG && j + k <= h + 1) {
            *mood = v == CUE_INTENT ? NG_MOOD_INTENT : v == CUE_HYP ? NG_MOOD_HYPOTHETICAL : NG_MOOD_REPORTED;
            j += k - 1;
        }
    }
    if (!*mood && in_quote(S->doc, S->doc->tokens[S->t0 + h].start))
        *mood = NG_MOOD_REPORTED;
}

static const char *event_date(const evsent *S, size_t h)
{
    const ng_doc *d = S->doc;
    const ng_span *sp = &d->sentences[S->sent];
    uint32_t at = d->tokens[S->t0 + h].start;
    const char *best = NULL;
    uint32_t bestd = UINT32_MAX;
    for (size_t i = 0; i < d->ntimexes; i++) {
        const ng_time_expr *x = &d->timexes[i];
        if (x->span.start < sp->start || x->span.end > sp->end)
            continue;
        if (strcmp(x->type, "DATE") != 0 && strcmp(x->type, "TIME") != 0)
            continue;
        if (!x->value || x->value[0] < '0' || x->value[0] > '9')
            continue;
        uint32_t dist = x->span.start > at ? x->span.start - at : at - x->span.end;
        if (dist < bestd)
            bestd = dist, best = x->value;
    }
    if (best)
        return best;
    if (d->published && strlen(d->published) >= 10)
        return ng_arena_strndup((ng_arena *)&d->arena, d->published, 10);
    return d->published;
}

static const char *np_text(const evsent *S, const evnp *np)
{
    const ng_doc *d = S->doc;
    if (np->entity) {
        const ng_entity *e = entity_by_id(d, np->entity);
        if (e && e->name)
            return e->name;
    }
    uint32_t s = d->tokens[S->t0 + np->a].start, e = d->tokens[S->t0 + np->b - 1].end;
    return ng_arena_strndup((ng_arena *)&d->arena, d->text + s, e - s);
}

static ng_span np_span(const evsent *S, const evnp *np)
{
    ng_span sp = {S->doc->tokens[S->t0 + np->a].start, S->doc->tokens[S->t0 + np->b - 1].end};
    return sp;
}

static int add_event_code(evsent *S, const char *code, size_t h, const evnp *src, const evnp *tgt, int neg, int mood,
                          const char *date, const char *loc);

static int add_event(evsent *S, const ev_pattern *p, size_t h, const evnp *src, const evnp *tgt, int neg, int mood,
                     const char *date, const char *loc)
{
    return add_event_code(S, p->code, h, src, tgt, neg, mood, date, loc);
}

static int add_event_one(evsent *S, const char *code, size_t h, const evnp *src, const evnp *tgt, int neg, int mood,
                         const char *date, const char *loc);

/* A user dictionary's actor code may name several actors ("ELR/GAL"):
 * one event per actor on each side. */
static int add_event_code(evsent *S, const char *code, size_t h, const evnp *src, const evnp *tgt, int neg, int mood,
                          const char *date, const char *loc)
{
    if (!strchr(src->code, '/') && !(tgt && strchr(tgt->code, '/')))
        return add_event_one(S, code, h, src, tgt, neg, mood, date, loc);
    evnp s1 = *src, t1;
    if (tgt)
        t1 = *tgt;
    const char *sp = src->code;
    int rc = NG_OK;
    for (int ns = 0; rc == NG_OK && ns < 8; ns++) {
        const char *se = strchr(sp, '/');
        size_t sl = se ? (size_t)(se - sp) : strlen(sp);
        if (sl >= sizeof s1.code)
            sl = sizeof s1.code - 1;
        memcpy(s1.code, sp, sl);
        s1.code[sl] = '\0';
        if (!tgt) {
            rc = add_event_one(S, code, h, &s1, NULL, neg, mood, date, loc);
        } else {
            const char *tp = tgt->code;
            for (int nt = 0; rc == NG_OK && nt < 8; nt++) {
                const char *te = strchr(tp, '/');
                size_t tl = te ? (size_t)(te - tp) : strlen(tp);
                if (tl >= sizeof t1.code)
                    tl = sizeof t1.code - 1;
                memcpy(t1.code, tp, tl);
                t1.code[tl] = '\0';
                rc = add_event_one(S, code, h, &s1, &t1, neg, mood, date, loc);
                if (!te)
                    break;
                tp = te + 1;
            }
        }
        if (!se)
            break;
        sp = se + 1;
    }
    return rc;
}

static int add_event_one(evsent *S, const char *code, size_t h, const evnp *src, const evnp *tgt, int neg, int mood,
                         const char *date, const char *loc)
{
    if (S->need_code && (!src->code[0] || (tgt && !tgt->code[0])))
        return NG_OK; /* a list member without an actor code, under a user dictionary */
    struct ng_ev_scratch *sc = S->sc;
    ng_doc *d = S->doc;
    if (sc->nev >= EV_MAX_EVENTS)
        return NG_OK;
    if (tgt && ((src->entity && src->entity == tgt->entity) ||
                (!src->entity && !tgt->entity && strcmp(src->code, tgt->code) == 0)))
        return NG_OK;
    if (tgt && !S->need_code && strlen(tgt->code) == 3 && memcmp(tgt->code, "---", 3) != 0 &&
        strncmp(src->code, tgt->code, 3) == 0)
        return NG_OK; /* an actor towards its own country as a whole ("Austin ... the United States") */
    for (size_t i = sc->nev; i-- > 0 && sc->ev[i].sentence == S->sent;) {
        const ng_event *o = &sc->ev[i];
        int same_src = src->entity ? o->source.entity == src->entity : o->source.span.start == np_span(S, src).start;
        int same_tgt = !tgt ? (!o->target.actor && !o->target.entity)
                            : tgt->entity ? o->target.entity == tgt->entity
                                          : o->target.span.start == np_span(S, tgt).start;
        same_src = same_src && strcmp(o->source.actor ? o->source.actor : "", src->code) == 0;
        same_tgt = same_tgt && (!tgt || strcmp(o->target.actor ? o->target.actor : "", tgt->code) == 0);
        if (strcmp(o->code, code) == 0 && same_src && same_tgt)
            return NG_OK;
    }
    if (sc->nev == sc->evcap) {
        size_t nc = sc->evcap ? sc->evcap * 2 : 32;
        ng_event *ne = realloc(sc->ev, nc * sizeof *ne);
        if (!ne)
            return NG_ENOMEM;
        sc->ev = ne;
        sc->evcap = nc;
    }
    ng_event *e = &sc->ev[sc->nev++];
    memset(e, 0, sizeof *e);
    snprintf(e->code, sizeof e->code, "%s", code);
    ng_cameo_lookup(S->c, e->code, &e->quad, &e->goldstein);
    e->source.entity = src->entity;
    e->source.actor = src->code[0] ? ng_arena_strdup(&d->arena, src->code) : NULL;
    e->source.span = np_span(S, src);
    if (tgt) {
        e->target.entity = tgt->entity;
        e->target.actor = tgt->code[0] ? ng_arena_strdup(&d->arena, tgt->code) : NULL;
        e->target.span = np_span(S, tgt);
    }
    e->date = date;
    e->location = loc;
    e->sentence = S->sent;
    e->span = d->sentences[S->sent];
    e->trigger.start = d->tokens[S->t0 + h].start;
    e->trigger.end = d->tokens[S->t0 + h].end;
    e->negated = neg;
    e->mood = mood;
    return NG_OK;
}

static const char *clause_location(const evsent *S, int32_t src, int32_t tgt)
{
    for (size_t k = 0; k < S->sc->nnp; k++) {
        const evnp *np = &S->sc->np[k];
        if ((int32_t)k == src || (int32_t)k == tgt)
            continue;
        if (np->place && (np->pp == W_LOC || np->pp == W_IN))
            return np_text(S, np);
    }
    return NULL;
}

/* A verb right after h that depends on it ("to attack", "imposing", "de bloquer"). */
static int has_complement(const evsent *S, size_t h)
{
    const evtok *t = S->sc->t;
    for (size_t j = h + 1; j < S->n && j <= h + 3; j++) {
        if (t[j].pos == NG_UPOS_VERB ||
            (t[j].pos == NG_UPOS_ADJ && tflen(S, j) > 4 && tok_ends(S, j, "ing")))
            return 1;
        if (!(t[j].word == W_INF || t[j].word == W_OF || t[j].pos == NG_UPOS_PART || t[j].pos == NG_UPOS_ADV ||
              tis(S, j, "à")))
            return 0;
    }
    return 0;
}

/* The event of p from a to b and, when back is a code, the event back from
 * b to a ("X arrived in Y" [032:033]: Y 033 X as well). */
static int add_pair(evsent *S, const ev_pattern *p, const char *back, size_t h, const evnp *a, const evnp *b, int neg,
                    int mood, const char *date, const char *loc)
{
    int rc = add_event(S, p, h, a, b, neg, mood, date, loc);
    if (rc == NG_OK && back && back[0])
        rc = add_event_code(S, back, h, b, a, neg, mood, date, loc);
    return rc;
}

/* A clause boundary or another verb between tokens a and b. */
static int crosses_clause(const evsent *S, size_t a, size_t b)
{
    for (size_t j = a + 1; j < b; j++)
        if (hard_boundary(S, j) || (S->sc->t[j].pos == NG_UPOS_VERB && S->sc->t[j].np < 0))
            return 1;
    return 0;
}

/* Whether the verb at h (or the last word of its pattern) has a direct
 * object: the next word, past adverbs and dates, begins a noun phrase
 * ("demonstrated her skill", not "demonstrated outside the embassy"). */
static int has_direct_object(const evsent *S, size_t h)
{
    const evtok *t = S->sc->t;
    size_t j = h + 1;
    while (j < S->n && (t[j].pos == NG_UPOS_ADV || t[j].timex))
        j++;
    if (j >= S->n)
        return 0;
    unsigned p = t[j].pos;
    return p == NG_UPOS_DET || p == NG_UPOS_PRON || p == NG_UPOS_NOUN || p == NG_UPOS_PROPN || p == NG_UPOS_NUM ||
           p == NG_UPOS_ADJ;
}

/* Whether the noun phrase right after the verb at h (past adverbs and
 * dates), when there is one, is an actor: "released two hostages", not
 * "released an ad showing Trump" (whose target would be found further on). */
static int direct_object_ok(const evsent *S, size_t h)
{
    const evtok *t = S->sc->t;
    size_t j = h + 1;
    while (j < S->n && (t[j].pos == NG_UPOS_ADV || (t[j].timex && t[j].np < 0)))
        j++;
    if (j >= S->n || t[j].np < 0)
        return 1;
    const evnp *np = &S->sc->np[t[j].np];
    return np->timex || is_actor(S, np);
}

/* Tries the patterns of head h; emits the events of the first that matches. */
static int try_head(evsent *S, size_t h, uint32_t first, int noun)
{
    const struct ng_evlex *lx = S->lx;
    evtok *t = S->sc->t;
    uint32_t head = lx->pats[first].head;
    for (size_t pi = first; pi < lx->npats; pi++) {
        const ev_pattern *p = &lx->pats[pi];
        if (p->noun != noun || p->head != head)
            break;
        pmatch m;
        S->need_code = (p->flags & PF_USER) != 0;
        if (!match_pattern(S, p, h, &m))
            continue;
        if ((p->flags & (PF_INTRANS | PF_DIRECT)) && !noun) {
            size_t at = h; /* the verb, and the pattern's words right after it ("take to streets") */
            for (int more = 1; more;) {
                more = 0;
                for (size_t k = 0; k < m.nlits; k++)
                    if (m.lits[k] == at + 1) {
                        at++;
                        more = 1;
                    }
            }
            if ((p->flags & PF_INTRANS) && has_direct_object(S, at))
                continue; /* "demonstrated her skill": another sense of the verb */
            if ((p->flags & PF_DIRECT) && !direct_object_ok(S, at))
                continue; /* "released a video": not a person set free */
        }
        if (!noun && t[h].cue >= CUE_INTENT && has_complement(S, h))
            return NG_OK; /* "considering imposing", "plans to attack": the complement is the event */
        if (p->flags & PF_NULL) {
            t[h].evented = 1;
            for (size_t k = 0; k < m.nlits; k++)
                t[m.lits[k]].consumed = 1;
            return NG_OK; /* a phrase the user's dictionary knows and does not code */
        }
        size_t vs = noun ? h : vg_start(S, h);
        int32_t src = m.src, tgt = m.tgt;
        int passive = 0;
        long gov = noun ? -1 : governing(S, vs, h);
        if (!noun) {
            if (gov >= 0 && t[gov].evented)
                return NG_OK; /* "threatened to block": the threat is the event */
            for (size_t j = vs; j < h; j++)
                if (t[j].word == W_BE)
                    passive = 1;
            if (passive) {
                size_t fl = tflen(S, h);
                if (!lx->french && fl > 4 && tok_ends(S, h, "ing"))
                    passive = 0;
                if (lx->french) {
                    int by = find_by_agent(S, h) >= 0, refl = 0;
                    for (size_t j = vs; j < h; j++)
                        refl |= tis(S, j, "se") || tis(S, j, "s'");
                    passive = by && !refl;
                }
            }
            int32_t subj = find_subject(S, h, 0);
            if (passive && tgt >= 0 && S->sc->np[tgt].pp == W_BY) {
                /* "X a été reçu par Y" with a pattern "V:recevoir par +": the slot holds the agent */
                src = tgt;
                tgt = -1;
            }
            if (passive) {
                if (tgt < 0)
                    tgt = subj;
                if (src < 0)
                    src = find_by_agent(S, h);
            } else {
                if (src < 0)
                    src = subj;
                if (tgt < 0 && m.last > h) {
                    /* after the pattern's words ("réclamé à l'ONU le départ des troupes"), or the phrase
                     * that holds the last of them ("expel the Egyptian ambassador") */
                    int32_t q = t[m.last].np;
                    if (q >= 0 && S->sc->np[q].actor && S->sc->np[q].code[0] && q != src &&
                        strncmp(S->sc->np[q].code, "---", 3) != 0) /* not "its ambassador": the owner's own */
                        tgt = q;
                    else
                        tgt = find_object(S, m.last, 0, 0);
                }
                if (tgt < 0)
                    tgt = find_object(S, h, 0, 0);
                if (tgt >= 0 && tgt == src)
                    tgt = -1;
            }
        } else {
            if (src < 0) {
                int32_t q = t[h].np;
                if (q >= 0 && S->sc->np[q].a < h) {
                    /* "France's sanctions", "French strikes": the words before the noun */
                    evnp sub;
                    memset(&sub, 0, sizeof sub);
                    sub.a = S->sc->np[q].a;
                    sub.b = (uint32_t)h;
                    sub.gnext = -1;
                    range_actor(S, sub.a, sub.b, &sub);
                    if (sub.actor && !sub.place) {
                        /* keep it as an extra phrase */
                        if (S->sc->nnp == S->sc->npcap) {
                            size_t nc = S->sc->npcap ? S->sc->npcap * 2 : 64;
                            evnp *nn = realloc(S->sc->np, nc * sizeof *nn);
                            if (!nn)
                                return NG_ENOMEM;
                            S->sc->np = nn;
                            S->sc->npcap = nc;
                        }
                        sub.gfirst = (int32_t)S->sc->nnp;
                        S->sc->np[S->sc->nnp] = sub;
                        src = (int32_t)S->sc->nnp++;
                    }
                }
            }
            if (src < 0) {
                int32_t q = find_by_agent(S, h);
                if (q >= 0 && S->sc->np[q].a <= h + 2)
                    src = q;
            }
            if (tgt < 0)
                tgt = find_object(S, m.last, 0, 1);
            if (tgt == src)
                tgt = -1;
        }
        if (src < 0)
            continue; /* matched, but no event: a less specific pattern may still give one */
        if (tgt < 0 && !(p->flags & PF_USER)) {
            /* a place named right after the verb's object: "jets bombed targets in southern Lebanon",
             * "condemned the coup in Niger", "promised aid to Chad / au Tchad" */
            int force = p->code[0] == '1' && (p->code[1] == '8' || p->code[1] == '9');
            for (size_t k = 0; k < S->sc->nnp; k++) {
                const evnp *q = &S->sc->np[k];
                if (q->a > h && q->place && strlen(q->code) >= 3 && (int32_t)k != src &&
                    (force ? (q->pp == W_LOC || q->pp == W_IN)
                           : (q->pp == W_IN || (S->lx->french && q->pp == W_LOC))) &&
                    (force || q->a <= h + 10) && !crosses_clause(S, h, q->a)) {
                    tgt = (int32_t)k;
                    break;
                }
            }
        }
        if (tgt < 0 && !(p->flags & (PF_NOTARGET | PF_SYM)))
            continue;
        int neg, mood;
        modality(S, h, vs, &neg, &mood);
        if (!noun) {
            if (gov >= 0 && !mood && t[gov].cue >= CUE_INTENT)
                mood = t[gov].cue == CUE_INTENT ? NG_MOOD_INTENT : t[gov].cue == CUE_HYP ? NG_MOOD_HYPOTHETICAL : NG_MOOD_REPORTED;
        }
        for (size_t k = 0; k < m.nlits; k++) /* the pattern's words are its own: no other head */
            t[m.lits[k]].consumed = 1;
        t[h].evented = 1; /* an infinitive under this verb is part of its event ("threatened to block") */
        const char *date = event_date(S, h);
        const char *loc = clause_location(S, src, tgt);
        evnp *nps = S->sc->np;
        int rc = NG_OK;
        int members = 0;
        for (int32_t a = nps[src].gfirst; a >= 0; a = nps[a].gnext)
            members += !nps[a].dup;
        if ((p->flags & PF_SYM) && m.tgt < 0 && members >= 2 && tgt >= 0 && !(p->flags & PF_USER))
            tgt = -1; /* "X and Y signed a letter of intent for the Baltic": between X and Y */
        if (tgt < 0 && (p->flags & (PF_SYM | PF_USER)) && members >= 2) {
            /* "X and Y met" (PETRARCH codes any compound subject without a target so) */
            /* "X and Y met": each pair once */
            for (int32_t a = nps[src].gfirst; a >= 0 && rc == NG_OK; a = nps[a].gnext)
                for (int32_t b = nps[a].gnext; b >= 0 && rc == NG_OK; b = nps[b].gnext) {
                    if (nps[a].dup || nps[b].dup)
                        continue;
                    /* PETRARCH codes both ways */
                    rc = add_pair(S, p, p->code2[0] ? p->code2 : (p->flags & PF_USER) ? p->code : NULL, h, &nps[a],
                                  &nps[b], neg, mood, date, loc);
                }
            return rc;
        }
        if (tgt < 0 && !(p->flags & PF_NOTARGET))
            continue;
        if (tgt >= 0 && nps[src].gfirst == nps[tgt].gfirst) { /* "between X and Y": the two slots of one list */
            return add_pair(S, p, p->code2, h, &nps[src], &nps[tgt], neg, mood, date, loc);
        }
        int cap = 0;
        for (int32_t a = nps[src].gfirst; a >= 0 && rc == NG_OK; a = nps[a].gnext)
            if (nps[a].dup)
                continue;
            else if (tgt < 0)
                rc = add_event(S, p, h, &nps[a], NULL, neg, mood, date, loc);
            else
                for (int32_t b = nps[tgt].gfirst; b >= 0 && rc == NG_OK && cap < 16; b = nps[b].gnext, cap++) {
                    if (nps[b].dup)
                        continue;
                    rc = add_pair(S, p, p->code2, h, &nps[a], &nps[b], neg, mood, date, loc);
                }
        return rc;
    }
    return NG_OK;
}

static int scratch_ready(ng_worker *w, const struct ng_evlex *lx, const ng_doc *doc)
{
    struct ng_ev_scratch *sc = w->ev;
    if (!sc) {
        sc = calloc(1, sizeof *sc);
        if (!sc)
            return NG_ENOMEM;
        ng_buf_init(&sc->fold);
        ng_buf_init(&sc->stems);
        w->ev = sc;
    }
    if (!sc->winfo && !(sc->winfo = calloc(EV_WI_SLOTS, sizeof *sc->winfo)))
        return NG_ENOMEM;
    if (strcmp(sc->stname, lx->stemmer) != 0) {
        if (sc->st)
            sb_stemmer_delete(sc->st);
        sc->st = lx->stemmer[0] ? sb_stemmer_new(lx->stemmer, "UTF_8") : NULL;
        snprintf(sc->stname, sizeof sc->stname, "%s", lx->stemmer);
    }
    if (sc->tcap < EV_MAX_SENT_TOKENS) {
        free(sc->t);
        sc->t = malloc(EV_MAX_SENT_TOKENS * sizeof *sc->t);
        if (!sc->t)
            return NG_ENOMEM;
        sc->tcap = EV_MAX_SENT_TOKENS;
    }
    if (sc->tecap < doc->ntokens) {
        free(sc->tok_ent);
        free(sc->tok_name);
        sc->tok_ent = malloc(doc->ntokens * sizeof *sc->tok_ent);
        sc->tok_name = malloc(doc->ntokens);
        if (!sc->tok_ent || !sc->tok_name) {
            sc->tecap = 0;
            return NG_ENOMEM;
        }
        sc->tecap = doc->ntokens;
    }
    if (sc->entcap < doc->nentities + 1) {
        free(sc->ent_roles);
        free(sc->ent_country);
        free(sc->ent_done);
        size_t n = doc->nentities + 1;
        sc->ent_roles = malloc(n * sizeof *sc->ent_roles);
        sc->ent_country = malloc(n * sizeof *sc->ent_country);
        sc->ent_done = malloc(n);
        if (!sc->ent_roles || !sc->ent_country || !sc->ent_done) {
            sc->entcap = 0;
            return NG_ENOMEM;
        }
        sc->entcap = n;
    }
    memset(sc->ent_done, 0, doc->nentities + 1);
    sc->nev = 0;
    sc->last_country[0] = '\0';
    sc->last_country_ent = 0;
    return NG_OK;
}

/* The first token starting at or after byte off. */
static size_t token_at(const ng_doc *d, uint32_t off)
{
    size_t lo = 0, hi = d->ntokens;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (d->tokens[mid].start < off)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* NEWSGRAPH_DEBUG_EVENTS=1 prints each sentence's tags and phrases to stderr. */
static void debug_sentence(evsent *S)
{
    fprintf(stderr, "--");
    for (size_t i = 0; i < S->n; i++)
        fprintf(stderr, " %s/%s%s", tfold(S, i), ng_upos_name(S->sc->t[i].pos),
                S->sc->t[i].hit_kind ? (const char *[]){"", "*act", "*cty", "*dem", "*uag", "*ag"}[S->sc->t[i].hit_kind]
                                     : S->sc->t[i].in_hit ? "*" : "");
    fprintf(stderr, "\n");
    for (size_t k = 0; k < S->sc->nnp; k++) {
        const evnp *np = &S->sc->np[k];
        fprintf(stderr, "   np %zu [%u,%u) '%s..%s' actor=%d code=%s ent=%u pp=%d place=%d timex=%d group=%d\n", k, np->a,
                np->b, tfold(S, np->a), tfold(S, np->b - 1), np->actor, np->code, np->entity, np->pp, np->place,
                np->timex, np->gfirst);
    }
}

int ng_events(ng_worker *w, ng_doc *doc)
{
    doc->events = NULL;
    doc->nevents = 0;
    const ng_lang *L = doc->lang_res;
    if (!L || !L->evlex || !L->evlex->npats) /* no language told (a short text) or none with patterns: English */
        L = ng_model_lang(doc->model, "en");
    if (!L || !L->evlex || !doc->ntokens || !L->evlex->npats)
        return NG_OK;
    const struct ng_evlex *lx = L->evlex;
    int rc = scratch_ready(w, lx, doc);
    if (rc != NG_OK)
        return ng_worker_fail(w, rc, "out of memory in the event stage");
    struct ng_ev_scratch *sc = w->ev;
    memset(sc->tok_ent, 0, doc->ntokens * sizeof *sc->tok_ent);
    memset(sc->tok_name, 0, doc->ntokens);
    for (size_t i = 0; i < doc->nentities; i++) {
        const ng_entity *e = &doc->entities[i];
        for (size_t k = 0; k < e->nmentions; k++) {
            const ng_mention *m = &e->mentions[k];
            for (size_t j = token_at(doc, m->span.start); j < doc->ntokens && doc->tokens[j].end <= m->span.end; j++) {
                if (sc->tok_ent[j] && sc->tok_name[j] && m->kind != NG_MENTION_NAME)
                    continue;
                sc->tok_ent[j] = e->id;
                sc->tok_name[j] = m->kind == NG_MENTION_NAME;
            }
        }
    }
    const char *dbg = getenv("NEWSGRAPH_DEBUG_EVENTS");
    int debug = dbg && *dbg && *dbg != '0';
    evsent S;
    memset(&S, 0, sizeof S);
    S.lx = lx;
    S.c = lx->common;
    S.sc = sc;
    S.doc = doc;
    size_t t = 0;
    while (t < doc->ntokens && rc == NG_OK) {
        size_t e = t;
        while (e < doc->ntokens && doc->tokens[e].sent == doc->tokens[t].sent)
            e++;
        S.t0 = t;
        S.sent = doc->tokens[t].sent;
        S.n = e - t < EV_MAX_SENT_TOKENS ? e - t : EV_MAX_SENT_TOKENS;
        t = e;
        if (S.sent >= doc->nsentences)
            continue;
        read_tokens(&S);
        if (!S.n || sentence_discarded(&S))
            continue;
        /* temporal expressions */
        const ng_span *sp = &doc->sentences[S.sent];
        for (size_t x = 0; x < doc->ntimexes; x++) {
            const ng_time_expr *tx = &doc->timexes[x];
            if (tx->span.end <= sp->start || tx->span.start >= sp->end)
                continue;
            for (size_t j = 0; j < S.n; j++) {
                const ng_token *tk = &doc->tokens[S.t0 + j];
                if (tk->start >= tx->span.start && tk->end <= tx->span.end)
                    sc->t[j].timex = 1;
            }
        }
        find_hits(&S);
        if ((rc = build_nps(&S)) != NG_OK)
            break;
        if (debug)
            debug_sentence(&S);
        for (size_t h = 0; h < S.n && rc == NG_OK; h++) {
            evtok *tk = &sc->t[h];
            if (tk->consumed || tk->pos == NG_UPOS_PUNCT || tk->fl < 2)
                continue;
            int verbish = !doc->pos || tk->pos == NG_UPOS_VERB ||
                          (tk->pos == NG_UPOS_ADJ && h > 0 && sc->t[h - 1].pos == NG_UPOS_VERB && tk->fl > 4 &&
                           tok_ends(&S, h, "ing")); /* "considering imposing" */
            int nounish = !doc->pos || tk->pos == NG_UPOS_NOUN || tk->pos == NG_UPOS_PROPN;
            if (!verbish && !nounish)
                continue; /* only verbs and nouns head patterns: no need to stem the rest */
            if (verbish && tk->vfirst)
                rc = try_head(&S, h, tk->vfirst - 1, 0);
            else if (nounish && !tk->in_hit && tk->nfirst)
                rc = try_head(&S, h, tk->nfirst - 1, 1);
        }
    }
    if (rc == NG_OK && (sc->fold.oom || sc->stems.oom))
        rc = NG_ENOMEM;
    if (rc != NG_OK)
        return ng_worker_fail(w, rc, "out of memory in the event stage");
    if (sc->nev) {
        doc->events = ng_arena_alloc(&doc->arena, sc->nev * sizeof *doc->events);
        if (!doc->events)
            return ng_worker_fail(w, NG_ENOMEM, "out of memory in the event stage");
        memcpy(doc->events, sc->ev, sc->nev * sizeof *doc->events);
        doc->nevents = sc->nev;
    }
    return NG_OK;
}
