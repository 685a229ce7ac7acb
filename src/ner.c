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
#include "qlex.h"
#include "tagger.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

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

int ng_ner_load(ng_ner **out, const char *dir, const char *lang, char *err, size_t errlen)
{
    *out = NULL;
    ng_ner *ner = calloc(1, sizeof *ner);
    if (!ner) {
        if (err)
            snprintf(err, errlen, "out of memory");
        return NG_ENOMEM;
    }
    char file[32];
    snprintf(file, sizeof file, "ner-%.8s.bin", lang);
    int found;
    int rc = ng_tagger_open(&ner->mf, &ner->t, dir, file, "named-entity", &found, err, errlen);
    if (rc != NG_OK) {
        free(ner);
        return rc;
    }
    *out = ner;
    return NG_OK;
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

/* ---- within-article grouping ------------------------------------------- */

/* Entity types by index (the record's names). */
static const char *const TYPE_NAMES[4] = {"PER", "ORG", "LOC", "MISC"};
enum { TY_PER, TY_ORG, TY_LOC, TY_MISC };

/* One mention while grouping. */
typedef struct {
    uint32_t f, l;        /* first and last token of the name, titles trimmed */
    uint32_t of;          /* first token of the mention as written: the tagger's (a title it took in
                           * stays: HIPE counts "M. Chéron" as the mention; the name is Chéron) */
    uint32_t parent;      /* union-find parent (a mention index) */
    uint32_t tf[2], tl[2]; /* up to two title phrases (tokens tf..tl), tf == UINT32_MAX when none */
    uint64_t key;         /* gazetteer-style hash of the folded name (or of a body's code) */
    const char *gcode;    /* gazetteer code of the whole name, or NULL */
    uint32_t gkinds;      /* gazetteer kinds of the whole name */
    uint8_t type;         /* TY_* the tagger gave */
    uint8_t titled;       /* a personal title stood before or inside it */
    uint8_t dropped;      /* inside a title phrase ("Minister of Defense"): not a name */
    uint8_t ntok;         /* tokens (capped at 255) */
} gmention;

/* Everything the grouping looks at. */
typedef struct {
    ng_doc *doc;
    const ng_tagger *t;
    ng_tword *words;      /* with gazetteer bits */
    const uint8_t *first; /* 1 at a sentence's first token */
    uint32_t *sstart;     /* per token: the first token of its sentence */
    uint32_t *send;       /* per token: the end (exclusive) of its sentence */
    uint8_t *covered;     /* per token: 1 inside a mention (fill_mentions on) */
    size_t n;             /* tokens */
} gctx;

/* 1 when token i is exactly the one-byte punctuation c. */
static int tok_is(const gctx *g, size_t i, char c)
{
    return i < g->n && g->words[i].len == 1 && g->words[i].s[0] == c;
}

/* The first token of the sentence holding token i (looked up: a text
 * without punctuation is one sentence of a million tokens). */
static size_t sent_start(const gctx *g, size_t i) { return g->sstart[i]; }

/* The end (exclusive) of the sentence holding token i. */
static size_t sent_end(const gctx *g, size_t i) { return g->send[i]; }

/* Fills g->sstart and g->send (arena memory); NG_ENOMEM on failure. */
static int sent_bounds(gctx *g, ng_arena *a)
{
    size_t n = g->n ? g->n : 1;
    g->sstart = ng_arena_alloc(a, n * sizeof *g->sstart);
    g->send = ng_arena_alloc(a, n * sizeof *g->send);
    if (!g->sstart || !g->send)
        return NG_ENOMEM;
    for (size_t i = 0; i < g->n; i++)
        g->sstart[i] = g->first[i] || i == 0 ? (uint32_t)i : g->sstart[i - 1];
    for (size_t i = g->n; i-- > 0;)
        g->send[i] = i + 1 == g->n || g->first[i + 1] ? (uint32_t)(i + 1) : g->send[i + 1];
    return NG_OK;
}

/* The longest gazetteer name of kind bits want starting at token i and
 * ending before token lim; returns its length in tokens (0: none). */
static size_t match_kind(const gctx *g, size_t i, size_t lim, uint32_t want, const char **code)
{
    uint32_t k;
    if (i >= lim || !(g->words[i].gaz & (want << 16)))
        return 0;
    size_t m = ng_gaz_match(&g->t->gaz, g->words, lim, i, &k, code);
    return (k & want) ? m : 0;
}

/* Like match_kind for title phrases, which also match with a nationality
 * adjective after their first word, where French puts it ("la ministre
 * [française] des Armées", "le secrétaire [américain] à la Défense"): the
 * length in tokens counts the adjective. */
static size_t match_title(const gctx *g, size_t i, size_t lim, uint32_t want)
{
    size_t k = match_kind(g, i, lim, want, NULL);
    if (k > 1 || i + 2 >= lim || !(g->words[i].gaz & (want << 16)) ||
        match_kind(g, i + 1, i + 2, NG_GAZ_DEMONYM, NULL) != 1 || (g->doc->tokens[i + 1].flags & NG_TOK_UPPER))
        return k;
    ng_tword w[NG_GAZ_MAX_WORDS];
    size_t n = 0;
    w[n++] = g->words[i];
    for (size_t j = i + 2; j < lim && n < NG_GAZ_MAX_WORDS; j++)
        w[n++] = g->words[j];
    uint32_t kinds;
    size_t m = ng_gaz_match(&g->t->gaz, w, n, 0, &kinds, NULL);
    return m >= 2 && (kinds & want) ? m + 1 : k;
}

/* A title phrase ending exactly at token e-1 (and starting at or after lo):
 * returns its first token, extended left over demonyms ("French Minister
 * of Defense"), or SIZE_MAX when there is none. */
static size_t title_before(const gctx *g, size_t lo, size_t e)
{
    size_t best = SIZE_MAX;
    for (size_t s = e > lo + NG_GAZ_MAX_WORDS ? e - NG_GAZ_MAX_WORDS : lo; s < e; s++)
        if (match_title(g, s, e, NG_GAZ_TITLE | NG_GAZ_HONORIFIC) == e - s) {
            best = s;
            break;
        }
    if (best == SIZE_MAX)
        return best;
    while (best > lo && match_kind(g, best - 1, best, NG_GAZ_DEMONYM, NULL) == 1 &&
           (g->doc->tokens[best - 1].flags & NG_TOK_UPPER))
        best--;
    return best;
}

/* A stopword at the start of a sentence that the tagger took into a name
 * ("When Macron"): longer than three bytes (so "The", "Les" stay). */
static int initial_stopword(const gctx *g, size_t i)
{
    const ng_lang *L = g->doc->lang_res;
    if (!L || !g->first[i] || g->words[i].len <= 3 || g->words[i].len >= 32)
        return 0;
    char buf[128];
    size_t k = ng_fold(g->words[i].s, g->words[i].len, buf, sizeof buf);
    return ng_strset_has(&L->stopwords, buf, k);
}

/* 1 when tokens f..l (what is left of a non-person mention once a title
 * is cut off: "Colonel [Assimi Goïta]") look like a person's name: two or
 * more capitalised words, none of them an organisation's head word
 * ("Major [League Baseball]") or a gazetteer place. */
static int person_like(const gctx *g, size_t f, size_t l)
{
    if (l < f + 1)
        return 0;
    for (size_t i = f; i <= l; i++) {
        if (!(g->doc->tokens[i].flags & NG_TOK_UPPER) || (g->doc->tokens[i].flags & NG_TOK_ALLCAP))
            return 0;
        if (g->words[i].gaz & (NG_GAZ_ORGHEAD | NG_GAZ_COUNTRY | NG_GAZ_CITY | NG_GAZ_BODY | NG_GAZ_MISCHEAD))
            return 0;
    }
    return 1;
}

/* Trims titles and stopwords off the front of mention m, records the
 * titles before, inside and after it, and looks the name up. */
static void study_mention(const gctx *g, gmention *m)
{
    size_t ss = sent_start(g, m->f), se = sent_end(g, m->f);
    m->tf[0] = m->tf[1] = UINT32_MAX;
    m->of = m->f;
    unsigned nt = 0;
    /* a title phrase that covers the whole mention: not a name */
    for (size_t s = m->f > ss + NG_GAZ_MAX_WORDS ? m->f - NG_GAZ_MAX_WORDS : ss; s <= m->f; s++) {
        size_t k = match_kind(g, s, se, NG_GAZ_TITLE, NULL);
        if (k && s + k > m->l && (s < m->f || k > 0)) {
            if (s + k - 1 >= m->l) {
                m->dropped = 1;
                return;
            }
        }
    }
    /* titles and stopwords at the front, or a title that starts before
     * the mention and runs into it ("ministre des [Armées Florence Parly]") */
    for (;;) {
        size_t cut = 0, ts = 0;
        for (size_t s = m->f > ss + NG_GAZ_MAX_WORDS ? m->f - NG_GAZ_MAX_WORDS : ss; s <= m->f && !cut; s++) {
            size_t k = match_title(g, s, m->l, NG_GAZ_TITLE | NG_GAZ_HONORIFIC);
            if (k && s + k > m->f && (m->type == TY_PER || person_like(g, s + k, m->l))) {
                cut = s + k;
                ts = s;
            }
        }
        if (cut) {
            if (ts < m->f)
                m->of = (uint32_t)cut; /* the title began before: the tagger's start is inside it */
            if (nt < 2) {
                m->tf[nt] = (uint32_t)title_before(g, ss, cut);
                if (m->tf[nt] == UINT32_MAX)
                    m->tf[nt] = (uint32_t)ts;
                m->tl[nt++] = (uint32_t)cut - 1;
            }
            m->titled = 1;
            m->f = (uint32_t)cut;
            while (m->f < m->l && tok_is(g, m->f, ','))
                m->f++;
            continue;
        }
        if (m->f < m->l && initial_stopword(g, m->f)) {
            m->f++;
            if (m->of < m->f)
                m->of = m->f;
            continue;
        }
        break;
    }
    /* a title right before: "Gen. Mark Milley", "the Chief of the Defense
     * Staff, General François Lecointre" */
    if (nt == 0) {
        size_t e = m->f;
        for (unsigned round = 0; round < 2 && nt < 2; round++) {
            size_t s = title_before(g, ss, e);
            if (s == SIZE_MAX)
                break;
            m->tf[nt] = (uint32_t)s;
            m->tl[nt++] = (uint32_t)e - 1;
            m->titled = 1;
            if (s < ss + 2 || !tok_is(g, s - 1, ','))
                break;
            e = s - 1;
        }
        /* French news writing counts the title right before a person as
         * part of the name as written ("M. Chéron", "le général
         * Pilsudski": the HIPE and Europeana annotations do); the name
         * itself stays without it */
        const ng_lang *L = g->doc->lang_res;
        if (nt > 0 && m->type == TY_PER && L && strcmp(L->code, "fr") == 0 && m->tl[0] + 1 == m->f &&
            m->tf[0] < m->of)
            m->of = m->tf[0];
    }
    /* a title in apposition after a person: "Florence Parly, the French
     * defense minister," */
    if (nt < 2 && (m->type == TY_PER || m->titled) && tok_is(g, m->l + 1, ',')) {
        size_t s = m->l + 2;
        if (s < se && g->words[s].len <= 3 && !(g->doc->tokens[s].flags & NG_TOK_UPPER) &&
            !(g->doc->tokens[s].flags & NG_TOK_PUNCT))
            s++; /* an article: the, la, l' */
        size_t d = s;
        while (d < se && match_kind(g, d, d + 1, NG_GAZ_DEMONYM, NULL) == 1)
            d++;
        size_t k = match_kind(g, d, se, NG_GAZ_TITLE, NULL);
        if (k) {
            m->tf[nt] = (uint32_t)s;
            m->tl[nt++] = (uint32_t)(d + k - 1);
        }
    }
    m->ntok = (uint8_t)(m->l - m->f + 1 > 255 ? 255 : m->l - m->f + 1);
    if (m->l == m->f && (g->words[m->f].gaz & NG_GAZ_DEMONYM))
        m->titled = 0; /* "Indonesian President ...": the adjective is no person */
    /* the whole name in the gazetteer? */
    uint32_t k;
    const char *code;
    size_t len = ng_gaz_match(&g->t->gaz, g->words, m->l + 1, m->f, &k, &code);
    if (len == (size_t)m->l - m->f + 1) {
        m->gkinds = k;
        m->gcode = code;
    }
    uint64_t h = NG_GAZ_H0;
    if ((m->gkinds & NG_GAZ_BODY) && code) {
        h = ng_gaz_feed(h, "#", 1);
        h = ng_gaz_feed(h, code, strlen(code));
    } else {
        for (size_t i = m->f; i <= m->l; i++)
            h = ng_gaz_feed(h, g->words[i].s, g->words[i].len);
    }
    m->key = h;
}

/* Union-find over the mentions. */
static uint32_t uf_find(gmention *M, uint32_t x)
{
    while (M[x].parent != x) {
        M[x].parent = M[M[x].parent].parent;
        x = M[x].parent;
    }
    return x;
}

/* Joins the groups of a and b; the earlier mention becomes the root. */
static void uf_union(gmention *M, uint32_t a, uint32_t b)
{
    a = uf_find(M, a);
    b = uf_find(M, b);
    if (a == b)
        return;
    if (a < b)
        M[b].parent = a;
    else
        M[a].parent = b;
}

/* A small open-addressed map from a 64-bit key to a mention index, with
 * an "ambiguous" mark when two groups claim one key. */
typedef struct {
    uint64_t *keys;  /* 0: empty */
    uint32_t *vals;  /* mention index, UINT32_MAX when ambiguous */
    size_t mask;
} kmap;

static int kmap_init(kmap *km, ng_arena *a, size_t n)
{
    size_t cap = 16;
    while (cap < n * 2)
        cap *= 2;
    km->keys = ng_arena_calloc(a, cap, sizeof *km->keys);
    km->vals = ng_arena_calloc(a, cap, sizeof *km->vals);
    km->mask = cap - 1;
    return km->keys && km->vals ? NG_OK : NG_ENOMEM;
}

/* The slot of key (found or empty). */
static size_t kmap_slot(const kmap *km, uint64_t key)
{
    key = key ? key : 1;
    size_t i = (size_t)(key >> 7) & km->mask;
    while (km->keys[i] && km->keys[i] != key)
        i = (i + 1) & km->mask;
    return i;
}

/* Records key -> group root r (ambiguous when another root has it). */
static void kmap_put(kmap *km, gmention *M, uint64_t key, uint32_t r)
{
    size_t i = kmap_slot(km, key);
    if (!km->keys[i]) {
        km->keys[i] = key ? key : 1;
        km->vals[i] = r;
    } else if (km->vals[i] != UINT32_MAX && uf_find(M, km->vals[i]) != uf_find(M, r)) {
        km->vals[i] = UINT32_MAX;
    }
}

/* The group recorded for key, or UINT32_MAX. */
static uint32_t kmap_get(const kmap *km, uint64_t key)
{
    size_t i = kmap_slot(km, key);
    return km->keys[i] ? km->vals[i] : UINT32_MAX;
}

/* FNV-1a of s[0..n) into h, with a separator: the exact words of a name. */
static uint64_t hash_raw(uint64_t h, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
    return (h ^ 0x1f) * 0x100000001b3ULL;
}

/* 1 when the code is an ISO 3166-1 alpha-3 code (three capitals). */
static int is_country_code(const char *c)
{
    return c && c[0] >= 'A' && c[0] <= 'Z' && c[1] >= 'A' && c[1] <= 'Z' && c[2] >= 'A' && c[2] <= 'Z' && !c[3];
}

/* The country a title phrase names through a demonym ("French Minister"),
 * or NULL. */
static const char *title_country(const gctx *g, size_t f, size_t l)
{
    for (size_t i = f; i <= l; i++) {
        /* looked up word by word: inside a title that is a gazetteer name of
         * its own ("secrétaire américain à la Défense") the demonym is not
         * marked as a name's start */
        uint32_t k;
        const char *code;
        if (ng_gaz_match(&g->t->gaz, g->words, l + 1, i, &k, &code) && (k & NG_GAZ_DEMONYM) && is_country_code(code))
            return code;
    }
    return NULL;
}

/* Orders 64-bit keys (first token << 32 | mention index). */
static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Sorts mention indexes idx[0..n) by first token (ties by index), using
 * keys[0..n) as scratch.  O(n log n): mentions added after the tagger's
 * may come from anywhere in the text. */
static void sort_by_first(const gmention *M, uint32_t *idx, uint64_t *keys, size_t n)
{
    for (size_t i = 0; i < n; i++)
        keys[i] = (uint64_t)M[idx[i]].f << 32 | idx[i];
    qsort(keys, n, sizeof *keys, cmp_u64);
    for (size_t i = 0; i < n; i++)
        idx[i] = (uint32_t)keys[i];
}

/* The first letter of s (a code point's worth), lowercased and without
 * its accent for the Latin-1 letters ("É" -> 'e'); 0 when not a letter. */
static char initial_of(const char *s, size_t n)
{
    if (n == 0)
        return 0;
    unsigned char c = (unsigned char)s[0];
    if (c < 0x80)
        return (char)((c >= 'A' && c <= 'Z') ? c + 32 : (c >= 'a' && c <= 'z') ? c : 0);
    if (c != 0xC3 || n < 2)
        return 0;
    unsigned char d = (unsigned char)(s[1] | 0x20); /* lowercase Latin-1 */
    static const char map[] = "aaaaaaaceeeeiiii" "dnooooo" "xouuuuyt" "y";
    return d >= 0xA0 && d < 0xA0 + sizeof map - 1 ? map[d - 0xA0] : 0;
}

/* When the acronym at token a (after "(") spells the initials of the
 * words just before the parenthesis (lowercase words of three bytes or
 * less may be skipped: "de", "des", "of", "the"), returns the first token
 * of that long form, else SIZE_MAX.  The long form starts with a capital. */
static size_t initials_match(const gctx *g, size_t a)
{
    const char *acr = g->words[a].s;
    size_t na = g->words[a].len, ss = sent_start(g, a);
    if (a < ss + 3)
        return SIZE_MAX;
    size_t i = a - 2; /* the word before "(" */
    size_t want = na, skips = 0;
    while (want > 0) {
        char c = (char)(acr[want - 1] | 0x20);
        if (acr[want - 1] == '.') {
            want--;
            continue;
        }
        char ini = initial_of(g->words[i].s, g->words[i].len);
        if (ini == c) {
            want--;
            if (want == 0)
                break;
        } else if (!(g->words[i].len <= 3 && !(g->doc->tokens[i].flags & NG_TOK_UPPER) &&
                     (g->doc->tokens[i].flags & NG_TOK_WORD)) ||
                   ++skips > 2 * na) {
            return SIZE_MAX;
        }
        if (i == ss)
            return SIZE_MAX;
        i--;
    }
    if (!(g->doc->tokens[i].flags & NG_TOK_UPPER) || a - 2 - i + 1 < 2)
        return SIZE_MAX;
    return i;
}

/* 1 when the sentence holding token i is mostly in capitals (a headline
 * or a dateline: "WHO" there is no organisation). */
static int caps_sentence(const gctx *g, size_t i)
{
    size_t s = sent_start(g, i), e = sent_end(g, i), words = 0, caps = 0;
    for (size_t j = s; j < e && j < s + 64; j++) {
        uint32_t f = g->doc->tokens[j].flags;
        if (f & NG_TOK_WORD) {
            words++;
            caps += (f & NG_TOK_ALLCAP) != 0;
        }
    }
    return words >= 2 && caps * 4 >= words * 3;
}

/* 1 when token i is a month or weekday name ("May", "Mars"): the same
 * word tagged a name elsewhere is not carried over to it. */
static int calendar_word(const gctx *g, size_t i)
{
    const ng_lang *L = g->doc->lang_res;
    if (!L || g->words[i].len >= 60)
        return 0;
    char buf[128];
    size_t k = ng_fold(g->words[i].s, g->words[i].len, buf, sizeof buf - 2);
    if (k > 0 && buf[k - 1] == '.')
        k--;
    if (ng_strset_has(&L->weekdays, buf, k))
        return 1;
    buf[k++] = ' ';
    size_t lo, hi;
    return ng_strset_prefix(&L->months, buf, k, &lo, &hi) > 0;
}

/* Adds a mention of tokens f..l with type ty at M[k] (studied like the
 * tagger's); returns the new count (k when it was dropped). */
static size_t add_mention(const gctx *g, gmention *M, size_t k, size_t f, size_t l, uint8_t ty, uint8_t *covered,
                          uint32_t *by_last)
{
    gmention *m = &M[k];
    memset(m, 0, sizeof *m);
    m->f = (uint32_t)f;
    m->l = (uint32_t)l;
    m->type = ty;
    study_mention(g, m);
    if (m->dropped)
        return k;
    m->parent = (uint32_t)k;
    by_last[l] = (uint32_t)k;
    for (size_t i = f; i <= l; i++)
        covered[i] = 1;
    return k + 1;
}

/* Finds names the tagger missed: a country or a well-known body of the
 * gazetteer written with a capital (not in a headline in capitals), and
 * the very words of a name tagged elsewhere in the article (same case;
 * one word alone only inside a sentence).  Returns the new mention count,
 * or SIZE_MAX when memory runs out. */
static size_t fill_mentions(gctx *g, gmention *M, size_t k, size_t cap, uint32_t *by_last)
{
    ng_doc *doc = g->doc;
    uint8_t *covered = ng_arena_calloc(&doc->arena, g->n ? g->n : 1, 1);
    if (!covered)
        return SIZE_MAX;
    g->covered = covered;
    size_t k0 = k;
    /* a place or body the tagger cut short: "[Afrique] occidentale",
     * "[Côte] d'Ivoire" */
    for (size_t j = 0; j < k; j++) {
        gmention *m = &M[j];
        size_t lim = j + 1 < k && M[j + 1].of > m->l ? M[j + 1].of : sent_end(g, m->f);
        if (lim > sent_end(g, m->f))
            lim = sent_end(g, m->f);
        uint32_t kinds;
        size_t len = ng_gaz_match(&g->t->gaz, g->words, lim, m->f, &kinds, NULL);
        if (m->f + len > m->l + 1 && (kinds & (NG_GAZ_COUNTRY | NG_GAZ_CITY | NG_GAZ_REGION | NG_GAZ_BODY)) &&
            !(kinds & NG_GAZ_DEMONYM)) {
            uint32_t f = m->f, of = m->of;
            uint8_t ty = m->type;
            by_last[m->l] = UINT32_MAX;
            memset(m, 0, sizeof *m);
            m->f = f;
            m->l = (uint32_t)(f + len - 1);
            m->type = ty;
            study_mention(g, m); /* the longer name, looked up again */
            m->dropped = 0;
            if (of < m->of)
                m->of = of;
            m->parent = (uint32_t)j;
            by_last[m->l] = (uint32_t)j;
        }
    }
    for (size_t j = 0; j < k; j++)
        for (size_t i = M[j].of; i <= M[j].l; i++)
            covered[i] = 1;
    /* the tagger's names by their exact words */
    kmap names;
    if (kmap_init(&names, &doc->arena, k0) != NG_OK)
        return SIZE_MAX;
    unsigned maxw = 1;
    for (size_t j = 0; j < k0; j++) {
        const gmention *m = &M[j];
        if (m->ntok > 4 || !(doc->tokens[m->f].flags & NG_TOK_UPPER) || (m->ntok == 1 && g->first[m->f]))
            continue;
        uint64_t h = NG_GAZ_H0;
        for (size_t i = m->f; i <= m->l; i++)
            h = hash_raw(h, g->words[i].s, g->words[i].len);
        size_t x = kmap_slot(&names, h);
        if (!names.keys[x]) {
            names.keys[x] = h ? h : 1;
            names.vals[x] = (uint32_t)j;
        }
        if (m->ntok > maxw)
            maxw = m->ntok;
    }
    for (size_t i = 0; i < g->n && k < cap; i++) {
        if (covered[i] || !(doc->tokens[i].flags & NG_TOK_UPPER))
            continue;
        size_t se = sent_end(g, i);
        /* a country or a body */
        if (g->words[i].gaz & ((NG_GAZ_COUNTRY | NG_GAZ_BODY) << 16)) {
            uint32_t kinds;
            size_t len = ng_gaz_match(&g->t->gaz, g->words, se, i, &kinds, NULL);
            int free_run = len > 0;
            for (size_t q = i; q < i + len && free_run; q++)
                free_run = !covered[q];
            size_t last = i + len - 1;
            if (free_run && (kinds & (NG_GAZ_COUNTRY | NG_GAZ_BODY)) && !(kinds & NG_GAZ_DEMONYM) &&
                (doc->tokens[last].flags & (NG_TOK_UPPER | NG_TOK_NUM)) && !caps_sentence(g, i) &&
                (len > 1 || g->words[i].len > 3 || (doc->tokens[i].flags & NG_TOK_ALLCAP))) {
                k = add_mention(g, M, k, i, last, (kinds & NG_GAZ_BODY) ? TY_ORG : TY_LOC, covered, by_last);
                i = last;
                continue;
            }
        }
        /* the words of a name tagged elsewhere */
        uint64_t h = NG_GAZ_H0;
        size_t found = SIZE_MAX, flen = 0;
        for (size_t L = 1; L <= maxw && i + L <= se && !covered[i + L - 1]; L++) {
            h = hash_raw(h, g->words[i + L - 1].s, g->words[i + L - 1].len);
            uint32_t x = kmap_get(&names, h);
            if (x != UINT32_MAX && M[x].ntok == L) {
                found = x;
                flen = L;
            }
        }
        if (found != SIZE_MAX && (flen > 1 || (!g->first[i] && !calendar_word(g, i)))) {
            k = add_mention(g, M, k, i, i + flen - 1, M[found].type, covered, by_last);
            i += flen - 1;
        }
    }
    return k;
}

/* A one-word mention that is a first name of the lexicon, followed by a
 * capitalised word the tagger left out and the gazetteer does not know,
 * is that person's name ("[Florence] Parly" tagged a place after the
 * city).  next: the first token of the next mention. */
static void first_name_person(const gctx *g, gmention *m, size_t next)
{
    const ng_token *tk = g->doc->tokens;
    size_t f = m->f, s = f + 1;
    if (m->l != f || s >= sent_end(g, f) || s >= next || !(tk[f].flags & NG_TOK_UPPER) || (tk[f].flags & NG_TOK_ALLCAP) ||
        !(tk[s].flags & NG_TOK_UPPER) || (tk[s].flags & NG_TOK_ALLCAP) || (tk[s].flags & NG_TOK_PUNCT) ||
        g->words[s].gaz || g->words[s].len < 2)
        return;
    if (!ng_first_name_gender(g->doc->model, g->words[f].s, g->words[f].len))
        return;
    m->l = (uint32_t)s;
    m->type = TY_PER;
}

/* Groups the nm mentions the tagger found (sc->mf, ml, my) into
 * doc->entities: titles trimmed, same names joined across case, surnames
 * joined to the full name, acronyms to their long form; the canonical
 * name is the fullest form; titles and a country collected.  Memory from
 * doc->arena; NG_ENOMEM (with w's detail) when it runs out. */
static int group_mentions(ng_worker *w, ng_doc *doc, const ng_tagger *t, ng_ner_scratch *sc, size_t nm)
{
    gctx g = {doc, t, sc->words, sc->first, NULL, NULL, NULL, doc->ntokens};
    if (sent_bounds(&g, &doc->arena) != NG_OK)
        return ng_worker_fail(w, NG_ENOMEM, "out of memory");
    size_t cap = 2 * nm + g.n / 8 + 64; /* the tagger's mentions and room for those found after (bounded) */
    gmention *M = ng_arena_calloc(&doc->arena, cap, sizeof *M);
    uint32_t *by_last = ng_arena_alloc(&doc->arena, g.n * sizeof *by_last); /* mention ending at a token */
    if (!M || !by_last)
        return ng_worker_fail(w, NG_ENOMEM, "out of memory");
    for (size_t i = 0; i < g.n; i++)
        by_last[i] = UINT32_MAX;
    size_t k = 0;
    for (size_t j = 0; j < nm; j++) {
        gmention *m = &M[k];
        memset(m, 0, sizeof *m);
        m->f = sc->mf[j];
        m->l = sc->ml[j];
        if (m->l < m->f || m->l >= g.n)
            continue;
        const char *ty = t->types[sc->my[j]];
        m->type = TY_MISC;
        for (uint8_t y = 0; y < 4; y++)
            if (strcmp(ty, TYPE_NAMES[y]) == 0)
                m->type = y;
        first_name_person(&g, m, j + 1 < nm ? sc->mf[j + 1] : g.n);
        study_mention(&g, m);
        if (m->dropped)
            continue;
        m->parent = (uint32_t)k;
        by_last[m->l] = (uint32_t)k;
        k++;
    }
    k = fill_mentions(&g, M, k, cap, by_last);
    if (k == SIZE_MAX)
        return ng_worker_fail(w, NG_ENOMEM, "out of memory");
    /* a long form the tagger missed, found by the acronym after it:
     * "Forces démocratiques syriennes (FDS)" */
    for (size_t a = 2; a + 1 < g.n && k < cap; a++) {
        if (!(doc->tokens[a].flags & NG_TOK_ALLCAP) || !tok_is(&g, a - 1, '(') || !tok_is(&g, a + 1, ')') ||
            g.words[a].len < 2 || g.words[a].len > 8 || g.words[a].gaz)
            continue;
        size_t f = initials_match(&g, a);
        if (f == SIZE_MAX)
            continue;
        int taken = 0;
        for (size_t i = f; i <= a - 2 && !taken; i++)
            taken = g.covered[i];
        if (taken)
            continue;
        gmention *m = &M[k];
        memset(m, 0, sizeof *m);
        m->f = (uint32_t)f;
        m->l = (uint32_t)(a - 2);
        m->type = TY_ORG;
        study_mention(&g, m);
        if (m->dropped)
            continue;
        m->parent = (uint32_t)k;
        by_last[m->l] = (uint32_t)k;
        for (size_t i = f; i <= a - 2; i++)
            g.covered[i] = 1;
        k++;
    }
    /* acronyms defined in parentheses: "Forces démocratiques syriennes
     * (FDS)" -- tagged or not, the acronym joins the name before it */
    size_t base = k;
    for (size_t j = 0; j < base && k < cap; j++) {
        size_t a = M[j].l + 2;
        if (!tok_is(&g, M[j].l + 1, '(') || !tok_is(&g, a + 1, ')') || !(doc->tokens[a].flags & NG_TOK_ALLCAP))
            continue;
        /* not "Doug Flach ( U.S. )", "Paris (AFP)": a long form of two or
         * more words that is no person, an acronym that is no known name */
        if (M[j].ntok < 2 || M[j].type == TY_PER || M[j].titled || g.words[a].gaz || g.words[a].len > 12 ||
            ng_strset_has(&doc->model->agencies, g.words[a].s, g.words[a].len))
            continue;
        uint32_t x = by_last[a];
        if (x == UINT32_MAX || M[x].f != a) { /* not tagged: add it */
            gmention *m = &M[k];
            memset(m, 0, sizeof *m);
            m->f = m->l = m->of = (uint32_t)a;
            m->type = M[j].type;
            m->parent = (uint32_t)k;
            m->tf[0] = m->tf[1] = UINT32_MAX;
            m->ntok = 1;
            uint64_t h = ng_gaz_feed(NG_GAZ_H0, g.words[a].s, g.words[a].len);
            m->key = h;
            by_last[a] = (uint32_t)k;
            x = (uint32_t)k++;
        }
        uint_fast8_t ty = M[j].type;
        M[x].type = (uint8_t)ty;
        uf_union(M, (uint32_t)j, x);
    }
    /* the same name (case and dots aside) is one thing */
    kmap km;
    if (kmap_init(&km, &doc->arena, k) != NG_OK)
        return ng_worker_fail(w, NG_ENOMEM, "out of memory");
    for (size_t j = 0; j < k; j++) {
        /* of the same type (a city's name in a dateline and as a sports
         * team's are two things), unless a title or the gazetteer says what
         * it is */
        uint64_t key = M[j].key;
        unsigned ty = M[j].titled ? TY_PER : (M[j].gkinds & NG_GAZ_BODY) ? TY_ORG : M[j].type;
        key ^= (uint64_t)(ty + 1) * 0x9e3779b97f4a7c15ULL;
        size_t i = kmap_slot(&km, key);
        if (km.keys[i])
            uf_union(M, km.vals[i], (uint32_t)j);
        else {
            km.keys[i] = key ? key : 1;
            km.vals[i] = (uint32_t)j;
        }
    }
    /* surnames and acronyms made of initials: keyed by the last word and
     * by the initials of names of two or more capitalised words */
    kmap last;
    if (kmap_init(&last, &doc->arena, k * 2) != NG_OK)
        return ng_worker_fail(w, NG_ENOMEM, "out of memory");
    for (size_t j = 0; j < k; j++) {
        const gmention *m = &M[j];
        if (m->ntok < 2 || m->gkinds)
            continue;
        char ini[16];
        size_t ni = 0, caps = 0;
        for (size_t i = m->f; i <= m->l; i++)
            if (doc->tokens[i].flags & NG_TOK_UPPER) {
                caps++;
                if (ni < sizeof ini && (unsigned char)g.words[i].s[0] < 0x80)
                    ini[ni++] = g.words[i].s[0];
            }
        if (caps < 2)
            continue;
        uint64_t hl = ng_gaz_feed(NG_GAZ_H0 ^ 0x5a, g.words[m->l].s, g.words[m->l].len);
        kmap_put(&last, M, hl, uf_find(M, (uint32_t)j));
        if (ni >= 2 && ni == caps && ni < sizeof ini)
            kmap_put(&last, M, ng_gaz_feed(NG_GAZ_H0 ^ 0xa5, ini, ni), uf_find(M, (uint32_t)j));
    }
    for (size_t j = 0; j < k; j++) {
        gmention *m = &M[j];
        if (m->ntok != 1 || (m->gkinds & (NG_GAZ_COUNTRY | NG_GAZ_BODY)))
            continue;
        uint32_t r = kmap_get(&last, ng_gaz_feed(NG_GAZ_H0 ^ 0x5a, g.words[m->f].s, g.words[m->f].len));
        if (r != UINT32_MAX && r != uf_find(M, (uint32_t)j) && !(doc->tokens[m->f].flags & NG_TOK_ALLCAP)) {
            /* a surname: only when the short form is a person's */
            if (m->type == TY_PER || m->titled)
                uf_union(M, r, (uint32_t)j);
            continue;
        }
        if ((doc->tokens[m->f].flags & NG_TOK_ALLCAP) && g.words[m->f].len >= 2 && g.words[m->f].len <= 8) {
            r = kmap_get(&last, ng_gaz_feed(NG_GAZ_H0 ^ 0xa5, g.words[m->f].s, g.words[m->f].len));
            if (r != UINT32_MAX)
                uf_union(M, r, (uint32_t)j);
        }
    }
    /* the groups: type by vote, canonical name, titles, country */
    uint32_t *ent_of = ng_arena_alloc(&doc->arena, k * sizeof *ent_of);
    uint32_t *order = ng_arena_alloc(&doc->arena, k * sizeof *order);
    ng_entity *ents = ng_arena_calloc(&doc->arena, k ? k : 1, sizeof *ents);
    int(*votes)[4] = ng_arena_calloc(&doc->arena, k ? k : 1, sizeof *votes);
    uint32_t *best = ng_arena_alloc(&doc->arena, (k ? k : 1) * sizeof *best);
    uint32_t *ntit = ng_arena_calloc(&doc->arena, k ? k : 1, sizeof *ntit);
    if (!ent_of || !order || !ents || !votes || !best || !ntit)
        return ng_worker_fail(w, NG_ENOMEM, "out of memory");
    for (size_t j = 0; j < k; j++)
        order[j] = (uint32_t)j;
    uint64_t *skeys = ng_arena_alloc(&doc->arena, (k ? k : 1) * sizeof *skeys);
    if (!skeys)
        return ng_worker_fail(w, NG_ENOMEM, "out of memory");
    sort_by_first(M, order, skeys, k);
    size_t ne = 0;
    for (size_t j = 0; j < k; j++)
        ent_of[j] = UINT32_MAX;
    for (size_t o = 0; o < k; o++) { /* entities in order of first mention */
        uint32_t j = order[o], r = uf_find(M, j);
        if (ent_of[r] == UINT32_MAX) {
            ent_of[r] = (uint32_t)ne;
            best[ne] = j;
            ne++;
        }
        uint32_t e = ent_of[r];
        ng_entity *x = &ents[e];
        x->nmentions++;
        const gmention *m = &M[j];
        votes[e][m->type] += 1;
        if (m->titled)
            votes[e][TY_PER] += 100;
        if (m->ntok >= 2 && match_kind(&g, m->f, m->f + 1, NG_GAZ_MISCHEAD, NULL) == 1)
            votes[e][TY_MISC] += 50;
        if (m->gkinds & NG_GAZ_BODY)
            votes[e][TY_ORG] += 50;

        for (unsigned q = 0; q < 2; q++)
            ntit[e] += m->tf[q] != UINT32_MAX;
        /* the fullest proper form: most words, then not all capitals */
        const gmention *b = &M[best[e]];
        int ballcap = (doc->tokens[b->f].flags & NG_TOK_ALLCAP) != 0;
        int mallcap = (doc->tokens[m->f].flags & NG_TOK_ALLCAP) != 0;
        if (m->ntok > b->ntok || (m->ntok == b->ntok && ballcap && !mallcap))
            best[e] = j;
    }
    for (size_t e = 0; e < ne; e++) {
        ng_entity *x = &ents[e];
        x->id = (uint32_t)(e + 1);
        uint8_t ty = M[best[e]].type;
        for (uint8_t y = 0; y < 4; y++)
            if (votes[e][y] > votes[e][ty])
                ty = y;
        x->type = TYPE_NAMES[ty];
        const gmention *b = &M[best[e]];
        const ng_token *ta = &doc->tokens[b->f], *tb = &doc->tokens[b->l];
        x->name = ng_arena_strndup(&doc->arena, doc->text + ta->start, tb->end - ta->start);
        x->mentions = ng_arena_alloc(&doc->arena, x->nmentions * sizeof *x->mentions);
        x->titles = ntit[e] ? ng_arena_alloc(&doc->arena, ntit[e] * sizeof *x->titles) : NULL;
        if (!x->name || !x->mentions || (ntit[e] && !x->titles))
            return ng_worker_fail(w, NG_ENOMEM, "out of memory");
        x->nmentions = 0;
        if (ty != TY_PER && b->gcode && is_country_code(b->gcode) &&
            (b->gkinds & (NG_GAZ_COUNTRY | NG_GAZ_CITY | NG_GAZ_DEMONYM)))
            x->country = b->gcode;
    }
    for (size_t o = 0; o < k; o++) {
        uint32_t j = order[o];
        const gmention *m = &M[j];
        ng_entity *x = &ents[ent_of[uf_find(M, j)]];
        const ng_token *ta = &doc->tokens[m->of < m->f ? m->of : m->f], *tb = &doc->tokens[m->l];
        ng_mention *mm = &x->mentions[x->nmentions++];
        mm->span.start = ta->start;
        mm->span.end = tb->end;
        mm->kind = NG_MENTION_NAME;
        mm->text = ng_arena_strndup(&doc->arena, doc->text + ta->start, tb->end - ta->start);
        if (!mm->text)
            return ng_worker_fail(w, NG_ENOMEM, "out of memory");
        for (unsigned q = 0; q < 2; q++) {
            if (m->tf[q] == UINT32_MAX)
                continue;
            size_t span = (size_t)m->tl[q] - m->tf[q] + 1;
            if (match_kind(&g, m->tf[q], m->tl[q] + 1, NG_GAZ_HONORIFIC, NULL) == span &&
                match_kind(&g, m->tf[q], m->tl[q] + 1, NG_GAZ_TITLE, NULL) != span)
                continue; /* "Ms.", "M.": not a title worth keeping */
            const ng_token *a = &doc->tokens[m->tf[q]], *z = &doc->tokens[m->tl[q]];
            const char *s = doc->text + a->start;
            size_t len = z->end - a->start;
            int dup = 0;
            for (size_t i = 0; i < x->ntitles && !dup; i++)
                dup = strlen(x->titles[i]) == len && strncasecmp(x->titles[i], s, len) == 0;
            if (!dup) {
                char *c = ng_arena_strndup(&doc->arena, s, len);
                if (!c)
                    return ng_worker_fail(w, NG_ENOMEM, "out of memory");
                x->titles[x->ntitles++] = c;
            }
            if (!x->country)
                x->country = title_country(&g, m->tf[q], m->tl[q]);
        }
        /* a demonym at the head of a name: "French army", "Malian junta" */
        if (!x->country && m->ntok >= 2) {
            const char *code;
            if (match_kind(&g, m->f, m->f + 1, NG_GAZ_DEMONYM, &code) == 1 && is_country_code(code))
                x->country = code;
        }
    }
    doc->entities = ents;
    doc->nentities = ne;
    return NG_OK;
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
    /* gazetteer hits, sentence by sentence (names do not cross sentences) */
    for (size_t s = 0; s < n;) {
        size_t e = s + 1;
        while (e < n && !sc->first[e] && e - s < NG_NER_CHUNK)
            e++;
        ng_gaz_mark_cached(&t->gaz, &sc->ts.gc, sc->words + s, e - s);
        s = e;
    }
    if (ng_tagger_doc_contexts(sc->words, sc->first, n, t->p.families) != NG_OK)
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
    int rc = group_mentions(w, doc, t, sc, nm);
    if (rc != NG_OK)
        return rc;
    /* do not let one huge article pin its scratch */
    if (sc->cap > ((size_t)1 << 20)) {
        ng_ner_scratch_free(sc);
        w->ner = NULL;
    }
    return NG_OK;
}
