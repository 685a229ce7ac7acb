/*
 * tagger.c — a first-order averaged structured perceptron for named-entity
 * tags: feature extraction (hashed), Viterbi decoding, training, and the
 * tagger's sections of a model file.  See tagger.h for the model and
 * docs/models.md for the file format and the measured feature families.
 *
 * Features are never stored as strings: each is a 64-bit hash of (template
 * number, value) where the value is itself a hash of a word, a shape, an
 * affix or a combination, and the top 'bits' bits of the mixed hash pick a
 * row of the weight table.  Collisions are rare enough at 2^20 rows not to
 * matter (measured), and the model stays a fixed size whatever the data.
 */
#include "tagger.h"

#include <limits.h>
#include <stdatomic.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* ---- hashing ------------------------------------------------------------ */

/* The splitmix64 finalizer: a cheap, well-mixed 64-bit permutation. */
static inline uint64_t mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

/* FNV-1a over n bytes, then mixed. */
static inline uint64_t hash_bytes(const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3ULL;
    }
    return mix64(h ^ n);
}

/* Combines two hashes (order matters). */
static inline uint64_t hcomb(uint64_t a, uint64_t b) { return mix64(a * 0x9e3779b97f4a7c15ULL + b + 0x632be59bd9b4e019ULL); }

/* Special values for the words beyond the sentence. */
#define H_BOS 0x1d8e4e27c47d124fULL
#define H_EOS 0x2f9b0ba8c3a1e5d3ULL

/* Folds s[0..n) into out (lowercase, every ASCII digit as '0'); returns the
 * length.  Non-ASCII text goes through utf8proc only when needed. */
static size_t fold_word(const char *s, size_t n, char *out)
{
    if (n > NG_TAGGER_MAX_TOKEN)
        n = NG_TAGGER_MAX_TOKEN;
    size_t k = 0;
    int ascii = 1;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80) {
            ascii = 0;
            break;
        }
        out[k++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : (c >= '0' && c <= '9') ? '0' : c);
    }
    if (!ascii) {
        k = ng_fold(s, n, out, NG_TAGGER_MAX_TOKEN + 1);
        for (size_t i = 0; i < k; i++)
            if (out[i] >= '0' && out[i] <= '9')
                out[i] = '0';
    }
    out[k] = '\0';
    return k;
}

uint64_t ng_tagger_word_hash(const char *s, size_t n)
{
    char buf[NG_TAGGER_MAX_TOKEN + 8];
    size_t k = fold_word(s, n, buf);
    return hash_bytes(buf, k);
}

/* Capitalisation classes. */
enum { C_LOWER = 0, C_INITCAP, C_ALLCAP, C_DIGIT, C_PUNCT, C_MIXED, C_NCLASS };

/* The short shape of a word (X x d and other characters, runs collapsed:
 * "McDonald" -> "XxXx", "1996-08-22" -> "d-d-d") as a hash, and its
 * capitalisation class. */
static uint64_t word_shape(const char *s, size_t n, unsigned *cls)
{
    char sh[NG_TAGGER_MAX_TOKEN + 1];
    size_t k = 0;
    int up = 0, lo = 0, dg = 0, other = 0, first_up = 0;
    size_t i = 0;
    if (n > NG_TAGGER_MAX_TOKEN)
        n = NG_TAGGER_MAX_TOKEN;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        char ch;
        if (c < 0x80) {
            if (c >= 'A' && c <= 'Z')
                ch = 'X', up++;
            else if (c >= 'a' && c <= 'z')
                ch = 'x', lo++;
            else if (c >= '0' && c <= '9')
                ch = 'd', dg++;
            else
                ch = (char)c, other++;
            i++;
        } else {
            uint32_t cp;
            int len = ng_utf8_decode((const unsigned char *)s + i, n - i, &cp);
            if (len == 0) {
                ch = '?', other++;
                i++;
            } else {
                i += (size_t)len;
                if (ng_cp_is_upper(cp))
                    ch = 'X', up++;
                else if (ng_cp_is_alpha(cp))
                    ch = 'x', lo++;
                else if (ng_cp_is_digit(cp))
                    ch = 'd', dg++;
                else
                    ch = '*', other++;
            }
        }
        if (k == 0 && ch == 'X')
            first_up = 1;
        if (k == 0 || sh[k - 1] != ch)
            sh[k++] = ch;
    }
    if (up + lo == 0)
        *cls = dg ? C_DIGIT : C_PUNCT;
    else if (lo == 0 && up > 0)
        *cls = C_ALLCAP;
    else if (first_up && up == 1)
        *cls = C_INITCAP;
    else if (up == 0)
        *cls = C_LOWER;
    else
        *cls = first_up ? C_INITCAP : C_MIXED;
    return hash_bytes(sh, k) ^ (uint64_t)(n > 4 ? 4 : n) * 0x51ed270b2ca3f4d1ULL;
}

/* ---- clusters ----------------------------------------------------------- */

unsigned ng_clusters_get(const ng_clusters *cl, const char *s, size_t n, uint32_t *path)
{
    *path = 0;
    if (!cl || cl->nslots == 0)
        return 0;
    uint64_t h = ng_tagger_word_hash(s, n);
    if (h == 0)
        h = 1;
    uint32_t mask = cl->nslots - 1;
    uint32_t i = (uint32_t)(h >> 32) & mask;
    for (uint32_t probe = 0; probe < cl->nslots; probe++) {
        const unsigned char *slot = cl->slots + (size_t)i * 16;
        uint64_t k = ng_le64(slot);
        if (k == 0)
            return 0;
        if (k == h) {
            unsigned len = ng_le32(slot + 12);
            *path = ng_le32(slot + 8);
            return len > 32 ? 32 : len;
        }
        i = (i + 1) & mask;
    }
    return 0;
}

/* ---- scratch ------------------------------------------------------------ */

#define HK 4 /* hashes kept per token: fold, raw, shape, cluster/class */

static void wcache_free(ng_wcache *wc);

void ng_tagger_scratch_free(ng_tagger_scratch *sc)
{
    if (!sc)
        return;
    free(sc->rows);
    free(sc->nrows);
    free(sc->score);
    free(sc->delta);
    free(sc->back);
    free(sc->fold);
    free(sc->h);
    wcache_free(sc->wc);
    free(sc->ent);
    free(sc->vplan);
    ng_gcache_free(sc->gc);
    memset(sc, 0, sizeof *sc);
}

/* Makes room for n tokens.  NG_ENOMEM on failure (the scratch stays valid). */
static int scratch_grow(ng_tagger_scratch *sc, size_t n)
{
    if (n <= sc->cap)
        return NG_OK;
    size_t cap = sc->cap ? sc->cap : 64;
    while (cap < n)
        cap *= 2;
    ng_tagger_scratch nw = {0};
    nw.rows = malloc(cap * NG_TAGGER_MAX_FEATS * sizeof *nw.rows);
    nw.nrows = malloc(cap);
    nw.score = malloc(cap * NG_TAGGER_MAX_TAGS * sizeof(float));
    nw.delta = malloc(cap * NG_TAGGER_MAX_TAGS * sizeof(float));
    nw.back = malloc(cap * NG_TAGGER_MAX_TAGS);
    nw.fold = malloc(cap * (NG_TAGGER_MAX_TOKEN + 1));
    nw.h = malloc(cap * HK * sizeof(uint64_t));
    nw.ent = malloc(cap * sizeof *nw.ent);
    nw.cap = cap;
    if (!nw.rows || !nw.nrows || !nw.score || !nw.delta || !nw.back || !nw.fold || !nw.h || !nw.ent) {
        ng_tagger_scratch_free(&nw);
        return NG_ENOMEM;
    }
    nw.wc = sc->wc; /* the word cache does not depend on the room */
    sc->wc = NULL;
    ng_tagger_scratch_free(sc);
    *sc = nw;
    return NG_OK;
}

/* ---- features ----------------------------------------------------------- */

/* Template numbers (part of the model: never renumber, only add). */
enum {
    T_BIAS = 1, T_FOLD, T_RAW, T_FOLD_M1, T_FOLD_P1, T_FOLD_M2, T_FOLD_P2,
    T_SHAPE, T_SHAPE_M1, T_SHAPE_P1, T_SHAPE_3,
    T_PRE1, T_PRE2, T_PRE3, T_PRE4, T_SUF1, T_SUF2, T_SUF3, T_SUF4,
    T_BI_M1, T_BI_P1,
    T_CAP_FIRST, T_CAP_3, T_CAPS_SENT_SHAPE, T_CAPS_SENT_CLASS, T_POS, T_LAST,
    T_CL0_4, T_CL0_6, T_CL0_10, T_CL0_ALL, T_CLM1_6, T_CLM1_ALL, T_CLP1_6, T_CLP1_ALL,
    T_RAW_M1, T_RAW_P1, T_LEN,
    T_GAZ = 48,    /* + bit, 32 of them */
    T_DOC = 96,    /* + bit */
    T_GAZ_M1 = 160, /* + kind bit (10): the previous word's gazetteer kinds */
    T_GAZ_P1 = 176  /* + kind bit (10): the next word's */
};

/* Byte offset just past the first k code points of s[0..n), and the offset
 * of the last k code points. */
static size_t utf8_prefix(const char *s, size_t n, unsigned k)
{
    size_t i = 0;
    while (i < n && k > 0) {
        i++;
        while (i < n && ((unsigned char)s[i] & 0xC0) == 0x80)
            i++;
        k--;
    }
    return i;
}

static size_t utf8_suffix(const char *s, size_t n, unsigned k)
{
    size_t i = n;
    while (i > 0 && k > 0) {
        i--;
        while (i > 0 && ((unsigned char)s[i] & 0xC0) == 0x80)
            i--;
        k--;
    }
    return i;
}

/* The rows of a token's gazetteer and document-context features
 * (NG_FF_GAZ, NG_FF_GAZCTX, NG_FF_DOC), appended to rows at *r; *k counts
 * every feature of the token, for the NG_TAGGER_MAX_FEATS limit. */
static inline __attribute__((always_inline)) void put_bit_rows(uint32_t *rows, unsigned *r, unsigned *k, uint32_t fam,
                                                              const ng_tword *words, size_t ui, size_t n,
                                                              unsigned cls, uint64_t seed, unsigned shift)
{
#define PUTB(tmpl, v) (rows[(*r)++] = (uint32_t)(mix64(((uint64_t)(tmpl) << 56 ^ seed) + (v)) >> shift), (*k)++)
    if ((fam & NG_FF_GAZ) && words[ui].gaz) {
        uint32_t g = words[ui].gaz;
        for (unsigned b = 0; b < 32 && *k + 2 < NG_TAGGER_MAX_FEATS; b++)
            if (g >> b & 1)
                PUTB(T_GAZ + b, cls);
    }
    if (fam & NG_FF_GAZCTX) {
        uint32_t gm = ui > 0 ? words[ui - 1].gaz & 0x3ffu : 0, gp = ui + 1 < n ? words[ui + 1].gaz & 0x3ffu : 0;
        for (unsigned b = 0; b < 10 && (gm | gp) && *k + 2 < NG_TAGGER_MAX_FEATS; b++) {
            if (gm >> b & 1)
                PUTB(T_GAZ_M1 + b, cls);
            if (gp >> b & 1)
                PUTB(T_GAZ_P1 + b, cls);
        }
    }
    if ((fam & NG_FF_DOC) && words[ui].doc) {
        uint32_t g = words[ui].doc;
        for (unsigned b = 0; b < 32 && *k + 2 < NG_TAGGER_MAX_FEATS; b++)
            if (g >> b & 1)
                PUTB(T_DOC + b, cls);
    }
#undef PUTB
}

int ng_tagger_features(const ng_tagger_params *p, const ng_clusters *cl, ng_tagger_scratch *sc,
                       const ng_tword *words, size_t n)
{
    if (scratch_grow(sc, n) != NG_OK)
        return NG_ENOMEM;
    const uint32_t fam = p->families;
    const unsigned shift = 64 - p->bits;
    const uint64_t seed = mix64(p->seed + 0x1234567ULL);
    /* pass 1: per-token hashes */
    size_t ncaps = 0, nletters = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t *h = sc->h + i * HK;
        char *f = sc->fold + i * (NG_TAGGER_MAX_TOKEN + 1);
        size_t len = words[i].len > NG_TAGGER_MAX_TOKEN ? NG_TAGGER_MAX_TOKEN : words[i].len;
        size_t k = fold_word(words[i].s, len, f);
        h[0] = hash_bytes(f, k);
        h[1] = hash_bytes(words[i].s, len);
        unsigned cls;
        h[2] = word_shape(words[i].s, len, &cls);
        uint32_t path = 0;
        unsigned plen = 0;
        if (fam & NG_FF_CLUSTER)
            plen = ng_clusters_get(cl, words[i].s, len, &path);
        h[3] = (uint64_t)path | (uint64_t)plen << 32 | (uint64_t)cls << 40;
        if (cls == C_ALLCAP || cls == C_INITCAP || cls == C_LOWER || cls == C_MIXED) {
            nletters++;
            if (cls == C_ALLCAP)
                ncaps++;
        }
    }
    /* a sentence mostly in capitals (CoNLL headlines) */
    unsigned caps_sent = nletters >= 2 && ncaps * 4 >= nletters * 3 ? 1 : 0;
#define HF(i, j) ((i) + (j) < 0 ? H_BOS : (size_t)((i) + (j)) >= n ? H_EOS : sc->h[((i) + (j)) * HK + 0])
#define HR(i, j) ((i) + (j) < 0 ? H_BOS : (size_t)((i) + (j)) >= n ? H_EOS : sc->h[((i) + (j)) * HK + 1])
#define HS(i, j) ((i) + (j) < 0 ? H_BOS : (size_t)((i) + (j)) >= n ? H_EOS : sc->h[((i) + (j)) * HK + 2])
#define CX(i, j) ((i) + (j) < 0 ? 7u : (size_t)((i) + (j)) >= n ? 8u : (unsigned)(sc->h[((i) + (j)) * HK + 3] >> 40))
#define PUT(tmpl, v) (rows[k++] = (uint32_t)(mix64(((uint64_t)(tmpl) << 56 ^ seed) + (v)) >> shift))
    for (size_t ui = 0; ui < n; ui++) {
        long i = (long)ui;
        uint32_t *rows = sc->rows + ui * NG_TAGGER_MAX_FEATS;
        unsigned k = 0;
        const uint64_t *h = sc->h + ui * HK;
        unsigned cls = CX(i, 0);
        PUT(T_BIAS, 0);
        if (fam & NG_FF_WORD) {
            PUT(T_FOLD, h[0]);
            PUT(T_RAW, h[1]);
            PUT(T_LEN, words[ui].len > 12 ? 12 : words[ui].len);
        }
        if (fam & NG_FF_WINDOW) {
            PUT(T_FOLD_M1, HF(i, -1));
            PUT(T_FOLD_P1, HF(i, 1));
            PUT(T_FOLD_M2, HF(i, -2));
            PUT(T_FOLD_P2, HF(i, 2));
            PUT(T_RAW_M1, HR(i, -1));
            PUT(T_RAW_P1, HR(i, 1));
        }
        if (fam & NG_FF_SHAPE) {
            PUT(T_SHAPE, h[2]);
            PUT(T_SHAPE_M1, HS(i, -1));
            PUT(T_SHAPE_P1, HS(i, 1));
            PUT(T_SHAPE_3, hcomb(hcomb(HS(i, -1), h[2]), HS(i, 1)));
        }
        if (fam & NG_FF_AFFIX) {
            const char *f = sc->fold + ui * (NG_TAGGER_MAX_TOKEN + 1);
            size_t fl = strlen(f);
            for (unsigned a = 1; a <= 4; a++) {
                size_t e = utf8_prefix(f, fl, a);
                PUT(T_PRE1 + a - 1, hash_bytes(f, e));
                size_t b = utf8_suffix(f, fl, a);
                PUT(T_SUF1 + a - 1, hash_bytes(f + b, fl - b));
                if (e >= fl)
                    break;
            }
        }
        if (fam & NG_FF_BIGRAM) {
            PUT(T_BI_M1, hcomb(HF(i, -1), h[0]));
            PUT(T_BI_P1, hcomb(h[0], HF(i, 1)));
        }
        if (fam & NG_FF_CAPCTX) {
            PUT(T_CAP_FIRST, cls * 2 + (ui == 0));
            PUT(T_CAP_3, CX(i, -1) * 100 + cls * 10 + CX(i, 1));
            PUT(T_CAPS_SENT_SHAPE, hcomb(caps_sent, h[2]));
            PUT(T_CAPS_SENT_CLASS, caps_sent * 100 + cls * 10 + (ui == 0) + (n == 1 ? 2 : 0));
            PUT(T_POS, ui < 3 ? ui : 3);
            PUT(T_LAST, ui + 1 == n);
        }
        if (fam & NG_FF_CLUSTER) {
            static const unsigned pre[] = {4, 6, 10, 32};
            for (int j = -1; j <= 1; j++) {
                if (i + j < 0 || (size_t)(i + j) >= n)
                    continue;
                uint64_t c = sc->h[(size_t)(i + j) * HK + 3];
                unsigned plen = (unsigned)(c >> 32) & 0xff;
                uint32_t path = (uint32_t)c;
                if (plen == 0)
                    continue;
                for (unsigned q = 0; q < 4; q++) {
                    if (j != 0 && (q == 0 || q == 2))
                        continue;
                    unsigned L = pre[q] < plen ? pre[q] : plen;
                    uint32_t v = L >= 32 ? path : (path >> (plen - L)) & ((1u << L) - 1);
                    unsigned tmpl = j == 0 ? T_CL0_4 + q : j < 0 ? (q == 1 ? T_CLM1_6 : T_CLM1_ALL)
                                                                  : (q == 1 ? T_CLP1_6 : T_CLP1_ALL);
                    PUT(tmpl, (uint64_t)v << 8 | L);
                }
            }
        }
        unsigned kk = k;
        put_bit_rows(rows, &k, &kk, fam, words, ui, n, cls, seed, shift);
        sc->nrows[ui] = (uint8_t)k;
    }
#undef HF
#undef HR
#undef HS
#undef CX
#undef PUT
    return NG_OK;
}

int ng_tagger_doc_context(ng_tword *words, const uint8_t *sent_first, size_t n)
{
    return ng_tagger_doc_contexts(words, sent_first, n, NG_FF_DOC);
}

int ng_tagger_doc_context2(ng_tword *words, const uint8_t *sent_first, size_t n)
{
    return ng_tagger_doc_contexts(words, sent_first, n, NG_FF_DOC2);
}

int ng_tagger_doc_contexts(ng_tword *words, const uint8_t *sent_first, size_t n, uint32_t families)
{
    const int d1 = (families & NG_FF_DOC) != 0, d2 = (families & NG_FF_DOC2) != 0;
    if (d1)
        for (size_t i = 0; i < n; i++)
            words[i].doc = 0;
    if (n == 0 || !(d1 || d2))
        return NG_OK;
    /* one table of the document's words (folded), each with the bits of
     * both kinds of context */
    size_t cap = 64;
    while (cap < n * 2)
        cap *= 2;
    uint64_t *keys = calloc(cap, sizeof *keys);
    uint8_t *bits = calloc(cap, 1);
    uint32_t *slot_of = malloc(n * sizeof *slot_of);
    uint8_t *cls = malloc(n);
    if (!keys || !bits || !slot_of || !cls) {
        free(keys);
        free(bits);
        free(slot_of);
        free(cls);
        return NG_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        size_t len = words[i].len > NG_TAGGER_MAX_TOKEN ? NG_TAGGER_MAX_TOKEN : words[i].len;
        unsigned c;
        (void)word_shape(words[i].s, len, &c);
        cls[i] = (uint8_t)c;
        uint64_t h = ng_tagger_word_hash(words[i].s, len) | 1;
        size_t j = (size_t)(h >> 17) & (cap - 1);
        while (keys[j] && keys[j] != h)
            j = (j + 1) & (cap - 1);
        keys[j] = h;
        slot_of[i] = (uint32_t)j;
        /* NG_FF_DOC: seen with an initial capital, or all lowercase,
         * inside a sentence */
        if (d1 && !sent_first[i] && c == C_INITCAP)
            bits[j] |= 1;
        if (d1 && !sent_first[i] && c == C_LOWER)
            bits[j] |= 2;
    }
#define CAP(i) (cls[i] == C_INITCAP || cls[i] == C_ALLCAP || cls[i] == C_MIXED)
    for (size_t i = 0; i < n && d2; i++) {
        if (!CAP(i))
            continue;
        uint8_t b = 0;
        int prev_cap = i > 0 && !sent_first[i] && CAP(i - 1) && !(words[i - 1].gaz & (NG_GAZ_TITLE | NG_GAZ_HONORIFIC));
        int next_cap = i + 1 < n && !sent_first[i + 1] && CAP(i + 1) &&
                       !(words[i + 1].gaz & (NG_GAZ_TITLE | NG_GAZ_HONORIFIC));
        if (i > 0 && !sent_first[i] && (words[i - 1].gaz & (NG_GAZ_TITLE | NG_GAZ_HONORIFIC)))
            b |= 1u << 2;
        if (prev_cap || next_cap)
            b |= 1u << 3;
        if (next_cap && (words[i + 1].gaz & NG_GAZ_ORGHEAD))
            b |= 1u << 4;
        if (prev_cap && !next_cap)
            b |= 1u << 5;
        if (next_cap && !prev_cap)
            b |= 1u << 6;
        bits[slot_of[i]] |= b;
    }
#undef CAP
    for (size_t i = 0; i < n; i++)
        words[i].doc |= bits[slot_of[i]];
    free(keys);
    free(bits);
    free(slot_of);
    free(cls);
    return NG_OK;
}

/* ---- decoding ----------------------------------------------------------- */

/* Viterbi's first column: the start weights plus the first token's scores. */
static void viterbi_open(const float *score, const float *start, unsigned T, float *delta, uint8_t *back)
{
    for (unsigned t = 0; t < T; t++) {
        delta[t] = start[t] + score[t];
        back[t] = 0;
    }
}

/* Viterbi's last step: the best final tag (with the end weights), then the
 * path read back through the back pointers into tags[0..n). */
static void viterbi_close(const float *delta, const float *end, const uint8_t *back, size_t n, unsigned T,
                          uint8_t *tags)
{
    const float *last = delta + (n - 1) * T;
    unsigned arg = 0;
    float best = last[0] + end[0];
    for (unsigned t = 1; t < T; t++) {
        if (last[t] + end[t] > best) {
            best = last[t] + end[t];
            arg = t;
        }
    }
    for (size_t i = n; i-- > 0;) {
        tags[i] = (uint8_t)arg;
        arg = back[i * T + arg];
    }
}

void ng_viterbi(const float *score, const float *trans, size_t n, unsigned T, float *delta, uint8_t *back,
                uint8_t *tags)
{
    if (n == 0)
        return;
    const float *start = trans + (size_t)T * T;
    const float *end = trans + (size_t)(T + 1) * T;
    viterbi_open(score, start, T, delta, back);
    for (size_t i = 1; i < n; i++) {
        const float *prev = delta + (i - 1) * T;
        float *cur = delta + i * T;
        uint8_t *bk = back + i * T;
        const float *sc = score + i * T;
        for (unsigned t = 0; t < T; t++) {
            float best = prev[0] + trans[t];
            unsigned arg = 0;
            for (unsigned q = 1; q < T; q++) {
                float v = prev[q] + trans[(size_t)q * T + t];
                if (v > best) {
                    best = v;
                    arg = q;
                }
            }
            cur[t] = best + sc[t];
            bk[t] = (uint8_t)arg;
        }
    }
    viterbi_close(delta, end, back, n, T, tags);
}

/* Emission scores of every token for every tag (real units) from the
 * feature rows in sc and the int16 table w.  The rows of the next token
 * are prefetched while this one is summed (the table lives in L3 or
 * memory); TT is the tag count when known at compile time (0: use T), so
 * the common sizes get a vectorised inner loop. */
typedef int16_t v8s __attribute__((vector_size(16)));
typedef int32_t v8i __attribute__((vector_size(32)));

static inline void emissions_t(const int16_t *w, float scale, unsigned T, const ng_tagger_scratch *sc, size_t n,
                               const unsigned TT)
{
    const float inv = 1.0f / scale;
    if (TT)
        T = TT;
    const unsigned nv = T / 8; /* whole vectors of 8 tags; the rest one by one */
    for (size_t i = 0; i < n; i++) {
        if (i + 1 < n) {
            const uint32_t *nx = sc->rows + (i + 1) * NG_TAGGER_MAX_FEATS;
            for (unsigned f = 0; f < sc->nrows[i + 1]; f++) {
                const int16_t *r = w + (size_t)nx[f] * T;
                __builtin_prefetch(r);
                __builtin_prefetch(r + T - 1);
            }
        }
        v8i acc[NG_TAGGER_MAX_TAGS / 8] = {{0}};
        int32_t rest[8] = {0};
        const uint32_t *rows = sc->rows + i * NG_TAGGER_MAX_FEATS;
        unsigned nr = sc->nrows[i];
        for (unsigned f = 0; f < nr; f++) {
            const int16_t *row = w + (size_t)rows[f] * T;
            for (unsigned v = 0; v < nv; v++) {
                v8s x;
                memcpy(&x, row + v * 8, sizeof x);
                acc[v] += __builtin_convertvector(x, v8i);
            }
            for (unsigned t = nv * 8; t < T; t++)
                rest[t - nv * 8] += row[t];
        }
        float *out = sc->score + i * T;
        for (unsigned v = 0; v < nv; v++)
            for (unsigned k = 0; k < 8; k++)
                out[v * 8 + k] = (float)acc[v][k] * inv;
        for (unsigned t = nv * 8; t < T; t++)
            out[t] = (float)rest[t - nv * 8] * inv;
    }
}

static void emissions(const int16_t *w, float scale, unsigned T, const ng_tagger_scratch *sc, size_t n)
{
    if (T == 17)
        emissions_t(w, scale, T, sc, n, 17);
    else if (T == 9)
        emissions_t(w, scale, T, sc, n, 9);
    else
        emissions_t(w, scale, T, sc, n, 0);
}

/* Fills the allowed-predecessor lists from the transitions (a forbidden
 * transition is -1e30). */
static void index_preds(ng_tagger *t, const float *trans)
{
    unsigned T = t->p.ntags;
    for (unsigned q = 0; q < T; q++) {
        unsigned k = 0;
        for (unsigned p = 0; p < T; p++)
            if (trans[(size_t)p * T + q] > -1e29f)
                t->pred[q][k++] = (uint8_t)p;
        t->npred[q] = (uint8_t)k;
    }
}

/* Viterbi for a plain tag set (every transition allowed), four tags at a
 * time: for each previous tag p, the candidates prev[p] + trans[p][q] of
 * all q are compared with the best so far in one vector operation.  The
 * same additions and comparisons in the same order as ng_viterbi (a later
 * p wins only when strictly better), so the same path, bit for bit. */
typedef float v4f __attribute__((vector_size(16)));
typedef int32_t v4i __attribute__((vector_size(16)));
#define NV_MAX (NG_TAGGER_MAX_TAGS / 4)

static void viterbi_dense4(const float *score, const float *trans, size_t n, unsigned T, float *delta, uint8_t *back,
                           uint8_t *tags)
{
    const unsigned nv = (T + 3) / 4;
    v4f tr[NG_TAGGER_MAX_TAGS][NV_MAX]; /* rows of trans, padded to whole vectors */
    for (unsigned p = 0; p < T; p++) {
        memset(tr[p], 0, sizeof tr[p]);
        memcpy(tr[p], trans + (size_t)p * T, T * sizeof(float));
    }
    viterbi_open(score, trans + (size_t)T * T, T, delta, back);
    for (size_t i = 1; i < n; i++) {
        const float *prev = delta + (i - 1) * T;
        v4f best[NV_MAX];
        v4i arg[NV_MAX];
        for (unsigned v = 0; v < nv; v++) {
            best[v] = prev[0] + tr[0][v];
            arg[v] = (v4i){0, 0, 0, 0};
        }
        for (unsigned p = 1; p < T; p++) {
            const float pp = prev[p];
            const v4i pi = {(int32_t)p, (int32_t)p, (int32_t)p, (int32_t)p};
            for (unsigned v = 0; v < nv; v++) {
                v4f c = pp + tr[p][v];
                v4i m = c > best[v];
                best[v] = (v4f)((m & (v4i)c) | (~m & (v4i)best[v]));
                arg[v] = (m & pi) | (~m & arg[v]);
            }
        }
        float *cur = delta + i * T;
        uint8_t *bk = back + i * T;
        const float *sc = score + i * T;
        for (unsigned q = 0; q < T; q++) {
            cur[q] = best[q / 4][q % 4] + sc[q];
            bk[q] = (uint8_t)arg[q / 4][q % 4];
        }
    }
    viterbi_close(delta, trans + (size_t)(T + 1) * T, back, n, T, tags);
}

/* The same eight tags at a time, for processors with AVX2 (chosen at run
 * time): per tag the same additions and comparisons in the same order, so
 * the same path; 17 tags take 3 vectors instead of 5. */
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#define NG_HAVE_AVX2_VITERBI 1
typedef float v8f __attribute__((vector_size(32)));
#define NV8_MAX (NG_TAGGER_MAX_TAGS / 8)

__attribute__((target("avx2"), always_inline)) static inline void
viterbi_dense8_t(const float *score, const float *trans, size_t n, const unsigned T, float *delta, uint8_t *back,
                 uint8_t *tags)
{
    const unsigned nv = (T + 7) / 8;
    v8f tr[NG_TAGGER_MAX_TAGS][NV8_MAX]; /* rows of trans, padded to whole vectors */
    for (unsigned p = 0; p < T; p++) {
        memset(tr[p], 0, nv * sizeof(v8f));
        memcpy(tr[p], trans + (size_t)p * T, T * sizeof(float));
    }
    viterbi_open(score, trans + (size_t)T * T, T, delta, back);
    for (size_t i = 1; i < n; i++) {
        const float *prev = delta + (i - 1) * T;
        v8f best[NV8_MAX];
        v8i arg[NV8_MAX];
#pragma GCC unroll 4
        for (unsigned v = 0; v < nv; v++) {
            best[v] = prev[0] + tr[0][v];
            arg[v] = (v8i){0, 0, 0, 0, 0, 0, 0, 0};
        }
        for (unsigned p = 1; p < T; p++) {
            const float pp = prev[p];
            const int32_t ip = (int32_t)p;
            const v8i pi = {ip, ip, ip, ip, ip, ip, ip, ip};
#pragma GCC unroll 4
            for (unsigned v = 0; v < nv; v++) {
                v8f c = pp + tr[p][v];
                v8i m = c > best[v];
                best[v] = (v8f)((m & (v8i)c) | (~m & (v8i)best[v]));
                arg[v] = (m & pi) | (~m & arg[v]);
            }
        }
        float *cur = delta + i * T;
        uint8_t *bk = back + i * T;
        const float *sc = score + i * T;
        for (unsigned q = 0; q < T; q++) {
            cur[q] = best[q / 8][q % 8] + sc[q];
            bk[q] = (uint8_t)arg[q / 8][q % 8];
        }
    }
    viterbi_close(delta, trans + (size_t)(T + 1) * T, back, n, T, tags);
}

/* T a constant for the common count (the sums then stay in registers). */
__attribute__((target("avx2"))) static void viterbi_dense8(const float *score, const float *trans, size_t n,
                                                            unsigned T, float *delta, uint8_t *back, uint8_t *tags)
{
    if (T == 17)
        viterbi_dense8_t(score, trans, n, 17, delta, back, tags);
    else
        viterbi_dense8_t(score, trans, n, T, delta, back, tags);
}
#endif

/* Viterbi for an entity scheme, vectorised over the tags that share their
 * allowed predecessors: in BILOU, O, every B-X and every U-X may follow
 * the same tags (O, L-*, U-*), so their best predecessors are found four
 * tags at a time; the few others (I-X, L-X: after B-X or I-X) one by one.
 * Each tag sees its allowed predecessors in order, with the same additions
 * and strict comparisons as ng_viterbi, whose forbidden transitions (-1e30)
 * never win: the same path (tests/unit/test_wcache.c compares them). */
/* The grouped Viterbi's plan: the tags in groups that share one list of
 * allowed predecessors, and for each group of four or more the transitions
 * packed predecessor by predecessor into vectors of four of its tags.  It
 * depends on the transitions only, so a loaded tagger's plan is made once
 * per thread and kept in the scratch (a trainer's, whose transitions
 * change, is made per call). */
struct ng_vplan {
    unsigned ngr, gsize[NG_TAGGER_MAX_TAGS], gfirst[NG_TAGGER_MAX_TAGS], poff[NG_TAGGER_MAX_TAGS];
    uint8_t gtags[NG_TAGGER_MAX_TAGS][NG_TAGGER_MAX_TAGS];
    v4f packed[NG_TAGGER_MAX_TAGS * NV_MAX];
};

static void vplan_make(const ng_tagger *t, struct ng_vplan *vp)
{
    const unsigned T = t->p.ntags;
    const float *trans = t->trans;
    unsigned ngr = 0, *gsize = vp->gsize, *gfirst = vp->gfirst, *poff = vp->poff;
    for (unsigned q = 0; q < T; q++) {
        unsigned g = 0;
        while (g < ngr && !(t->npred[gfirst[g]] == t->npred[q] &&
                            memcmp(t->pred[gfirst[g]], t->pred[q], t->npred[q]) == 0))
            g++;
        if (g == ngr) {
            gfirst[ngr] = q;
            gsize[ngr++] = 0;
        }
        vp->gtags[g][gsize[g]++] = (uint8_t)q;
    }
    unsigned used = 0;
    for (unsigned g = 0; g < ngr; g++) {
        unsigned np = t->npred[gfirst[g]], nv = (gsize[g] + 3) / 4;
        poff[g] = used;
        if (gsize[g] < 4 || np == 0 || used + np * nv > sizeof vp->packed / sizeof *vp->packed)
            continue;
        for (unsigned k = 0; k < np; k++)
            for (unsigned v = 0; v < nv; v++) {
                v4f x = {0, 0, 0, 0};
                for (unsigned j = 0; j < 4 && v * 4 + j < gsize[g]; j++)
                    x[j] = trans[(size_t)t->pred[gfirst[g]][k] * T + vp->gtags[g][v * 4 + j]];
                vp->packed[used + k * nv + v] = x;
            }
        used += np * nv;
        gsize[g] |= 0x100; /* mark: vectorised */
    }
    vp->ngr = ngr;
}

static void viterbi_grouped(const ng_tagger *t, const struct ng_vplan *vp, const float *score, size_t n,
                            float *delta, uint8_t *back, uint8_t *tags)
{
    const unsigned T = t->p.ntags;
    const float *trans = t->trans;
    const unsigned ngr = vp->ngr, *gsize = vp->gsize, *gfirst = vp->gfirst, *poff = vp->poff;
    const uint8_t(*gtags)[NG_TAGGER_MAX_TAGS] = vp->gtags;
    const v4f *packed = vp->packed;
    viterbi_open(score, trans + (size_t)T * T, T, delta, back);
    for (size_t i = 1; i < n; i++) {
        const float *prev = delta + (i - 1) * T;
        float *cur = delta + i * T;
        uint8_t *bk = back + i * T;
        const float *sc = score + i * T;
        for (unsigned g = 0; g < ngr; g++) {
            const unsigned size = gsize[g] & 0xff, q0 = gfirst[g];
            const unsigned np = t->npred[q0];
            const uint8_t *pl = t->pred[q0];
            if (np == 0) {
                for (unsigned j = 0; j < size; j++) {
                    cur[gtags[g][j]] = -1e30f;
                    bk[gtags[g][j]] = 0;
                }
                continue;
            }
            if (gsize[g] & 0x100) {
                const unsigned nv = (size + 3) / 4;
                const v4f *P = packed + poff[g];
                v4f best[NV_MAX];
                v4i arg[NV_MAX];
                const float p0 = prev[pl[0]];
                const v4i a0 = {pl[0], pl[0], pl[0], pl[0]};
                for (unsigned v = 0; v < nv; v++) {
                    best[v] = p0 + P[v];
                    arg[v] = a0;
                }
                for (unsigned k = 1; k < np; k++) {
                    const float pp = prev[pl[k]];
                    const v4i pi = {pl[k], pl[k], pl[k], pl[k]};
                    for (unsigned v = 0; v < nv; v++) {
                        v4f c = pp + P[k * nv + v];
                        v4i m = c > best[v];
                        best[v] = (v4f)((m & (v4i)c) | (~m & (v4i)best[v]));
                        arg[v] = (m & pi) | (~m & arg[v]);
                    }
                }
                for (unsigned j = 0; j < size; j++) {
                    unsigned q = gtags[g][j];
                    cur[q] = best[j / 4][j % 4] + sc[q];
                    bk[q] = (uint8_t)arg[j / 4][j % 4];
                }
                continue;
            }
            for (unsigned j = 0; j < size; j++) {
                unsigned q = gtags[g][j];
                unsigned a = pl[0];
                float best = prev[a] + trans[(size_t)a * T + q];
                for (unsigned k = 1; k < np; k++) {
                    unsigned p = pl[k];
                    float v = prev[p] + trans[(size_t)p * T + q];
                    if (v > best) {
                        best = v;
                        a = p;
                    }
                }
                cur[q] = best + sc[q];
                bk[q] = (uint8_t)a;
            }
        }
    }
    viterbi_close(delta, trans + (size_t)(T + 1) * T, back, n, T, tags);
}

/* ---- the word cache ------------------------------------------------------ */

/* Most of a token's features look at one word only: the word itself (its
 * forms, shape, affixes, cluster) or one neighbour (w-2 .. w+2 in the
 * window, the neighbours' shapes and clusters).  For a loaded tagger, whose
 * weights never change, the sum of the weight rows that a word fires in
 * each of those five roles is a fixed vector, so it is kept per thread in a
 * two-way set-associative cache of words: a token's scores are then the
 * five vectors of itself and its neighbours plus the rows of the few
 * features that look at several words (bigrams, shape trigram,
 * capitalisation in context, gazetteer and document bits).  Integer sums in
 * any order are the same sums, so the scores are bit for bit those of
 * ng_tagger_features and emissions (tests/unit/test_tagger.c checks it).
 * The weight table (megabytes) is far bigger than the processor's caches,
 * so each of the forty rows of a token used to be a trip to memory; a
 * cached word costs a few lines of its entry.  Words longer than
 * WC_KEY bytes are not cached (computed each time, as are words whose
 * set is taken by two other words of the same sentence). */

enum { R_SELF, R_L1, R_R1, R_L2, R_R2, R_N }; /* the word itself, as the word before, after, two before, two after */

#define WC_KEY 40u /* longest word cached, bytes */

typedef struct {
    uint32_t tid;       /* tagger id (0: empty) */
    uint32_t stamp;     /* the call that last used it */
    uint8_t len;        /* bytes of key */
    uint8_t cls;        /* capitalisation class */
    uint8_t nf[R_N];    /* features summed in each role's vector */
    uint64_t h0, h2;    /* folded word's hash, shape hash */
    char key[WC_KEY];   /* the word's bytes */
    /* followed by int32_t v[R_N][T] */
} went;

#define WENT_HEAD 80u /* offset of the vectors */
#define WC_SETS 8192u /* two entries each */

struct ng_wcache {
    unsigned char *mem;  /* 2 x WC_SETS entries of stride bytes (mapped) */
    unsigned char *priv; /* entries of this call that are not kept */
    size_t npriv, privcap;
    size_t mem_bytes;
    uint32_t serial;     /* this call */
    unsigned T;          /* tags */
    size_t stride;
};

static void wcache_free(ng_wcache *wc)
{
    if (!wc)
        return;
    if (wc->mem)
        munmap(wc->mem, wc->mem_bytes);
    free(wc->priv);
    free(wc);
}

static inline int32_t *went_vec(went *e, unsigned T, unsigned role)
{
    return (int32_t *)(void *)((unsigned char *)e + WENT_HEAD) + (size_t)role * T;
}

static inline const int32_t *went_cvec(const went *e, unsigned T, unsigned role)
{
    return (const int32_t *)(const void *)((const unsigned char *)e + WENT_HEAD) + (size_t)role * T;
}

/* A cache for a tagger of T tags; NULL on allocation failure. */
static ng_wcache *wcache_new(unsigned T)
{
    _Static_assert(sizeof(went) <= WENT_HEAD, "went's head overlaps its vectors");
    ng_wcache *wc = calloc(1, sizeof *wc);
    if (!wc)
        return NULL;
    wc->T = T;
    wc->stride = (WENT_HEAD + (size_t)R_N * T * sizeof(int32_t) + 63) & ~(size_t)63;
    /* mapped: zeroed (every entry empty) and given memory only where
     * touched, so a short run pays for the words it sees */
    wc->mem_bytes = 2 * WC_SETS * wc->stride;
    void *m = mmap(NULL, wc->mem_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) {
        free(wc);
        return NULL;
    }
    wc->mem = m;
#ifdef MADV_HUGEPAGE
    (void)madvise(wc->mem, wc->mem_bytes, MADV_HUGEPAGE); /* fewer TLB misses; advice only */
#endif
    return wc;
}

/* Adds the int16 row r of w (T columns) into acc: whole vectors of 8 tags,
 * then the rest one by one. */
static inline void add_row(v8i *acc, const int16_t *w, uint32_t r, unsigned T)
{
    const int16_t *row = w + (size_t)r * T;
    const unsigned nv = T / 8;
    for (unsigned v = 0; v < nv; v++) {
        v8s x;
        memcpy(&x, row + v * 8, sizeof x);
        acc[v] += __builtin_convertvector(x, v8i);
    }
    for (unsigned q = nv * 8; q < T; q++)
        acc[nv][q - nv * 8] += row[q];
}

/* Adds the T int32 at p into acc. */
static inline void add_vec(v8i *acc, const int32_t *p, unsigned T)
{
    const unsigned nv = T / 8;
    for (unsigned v = 0; v < nv; v++) {
        v8i x;
        memcpy(&x, p + v * 8, sizeof x);
        acc[v] += x;
    }
    for (unsigned q = nv * 8; q < T; q++)
        acc[nv][q - nv * 8] += p[q];
}

/* The first half of filling e for the word s[0..len): its hashes and class,
 * and the weight rows of each role, in the order and by the rules of
 * ng_tagger_features, into rows (at most NG_TAGGER_MAX_FEATS), each row
 * prefetched for went_sum. */
static void went_rows(const ng_tagger *t, went *e, const char *s, size_t fulllen, uint32_t *rows)
{
    const ng_tagger_params *p = &t->p;
    const uint32_t fam = p->families;
    const unsigned shift = 64 - p->bits, T = p->ntags;
    const uint64_t seed = mix64(p->seed + 0x1234567ULL);
    size_t len = fulllen > NG_TAGGER_MAX_TOKEN ? NG_TAGGER_MAX_TOKEN : fulllen;
    char f[NG_TAGGER_MAX_TOKEN + 1];
    size_t fk = fold_word(s, len, f);
    uint64_t h0 = hash_bytes(f, fk), h1 = hash_bytes(s, len);
    unsigned cls;
    uint64_t h2 = word_shape(s, len, &cls);
    uint32_t path = 0;
    unsigned plen = 0;
    if (fam & NG_FF_CLUSTER)
        plen = ng_clusters_get(&t->clusters, s, len, &path);
    e->h0 = h0;
    e->h2 = h2;
    e->cls = (uint8_t)cls;
    unsigned k = 0;
#define PUT(tmpl, v) (rows[k++] = (uint32_t)(mix64(((uint64_t)(tmpl) << 56 ^ seed) + (v)) >> shift))
#define CL(tmpl, q)                                                                                          \
    do {                                                                                                     \
        static const unsigned pre_[] = {4, 6, 10, 32};                                                       \
        unsigned L_ = pre_[q] < plen ? pre_[q] : plen;                                                       \
        uint32_t v_ = L_ >= 32 ? path : (path >> (plen - L_)) & ((1u << L_) - 1);                           \
        PUT(tmpl, (uint64_t)v_ << 8 | L_);                                                                   \
    } while (0)
    /* the word itself */
    PUT(T_BIAS, 0);
    if (fam & NG_FF_WORD) {
        PUT(T_FOLD, h0);
        PUT(T_RAW, h1);
        PUT(T_LEN, fulllen > 12 ? 12 : fulllen);
    }
    if (fam & NG_FF_SHAPE)
        PUT(T_SHAPE, h2);
    if (fam & NG_FF_AFFIX) {
        size_t fl = strlen(f);
        for (unsigned a = 1; a <= 4; a++) {
            size_t pe = utf8_prefix(f, fl, a);
            PUT(T_PRE1 + a - 1, hash_bytes(f, pe));
            size_t b = utf8_suffix(f, fl, a);
            PUT(T_SUF1 + a - 1, hash_bytes(f + b, fl - b));
            if (pe >= fl)
                break;
        }
    }
    if ((fam & NG_FF_CLUSTER) && plen) {
        CL(T_CL0_4, 0);
        CL(T_CL0_6, 1);
        CL(T_CL0_10, 2);
        CL(T_CL0_ALL, 3);
    }
    e->nf[R_SELF] = (uint8_t)k;
    /* the word before the token */
    if (fam & NG_FF_WINDOW) {
        PUT(T_FOLD_M1, h0);
        PUT(T_RAW_M1, h1);
    }
    if (fam & NG_FF_SHAPE)
        PUT(T_SHAPE_M1, h2);
    if ((fam & NG_FF_CLUSTER) && plen) {
        CL(T_CLM1_6, 1);
        CL(T_CLM1_ALL, 3);
    }
    e->nf[R_L1] = (uint8_t)(k - e->nf[R_SELF]);
    /* the word after */
    unsigned k0 = k;
    if (fam & NG_FF_WINDOW) {
        PUT(T_FOLD_P1, h0);
        PUT(T_RAW_P1, h1);
    }
    if (fam & NG_FF_SHAPE)
        PUT(T_SHAPE_P1, h2);
    if ((fam & NG_FF_CLUSTER) && plen) {
        CL(T_CLP1_6, 1);
        CL(T_CLP1_ALL, 3);
    }
    e->nf[R_R1] = (uint8_t)(k - k0);
    /* two before, two after */
    k0 = k;
    if (fam & NG_FF_WINDOW)
        PUT(T_FOLD_M2, h0);
    e->nf[R_L2] = (uint8_t)(k - k0);
    k0 = k;
    if (fam & NG_FF_WINDOW)
        PUT(T_FOLD_P2, h0);
    e->nf[R_R2] = (uint8_t)(k - k0);
#undef CL
#undef PUT
    for (unsigned j = 0; j < k; j++) {
        const int16_t *r = t->w + (size_t)rows[j] * T;
        __builtin_prefetch(r);
        __builtin_prefetch(r + T - 1);
    }
}

/* The second half: the role vectors summed from the rows went_rows found. */
static void went_sum(const ng_tagger *t, went *e, const uint32_t *rows)
{
    const unsigned T = t->p.ntags;
    for (unsigned role = 0, j = 0; role < R_N; role++) {
        v8i acc[NG_TAGGER_MAX_TAGS / 8 + 1];
        memset(acc, 0, sizeof acc);
        for (unsigned f = 0; f < e->nf[role]; f++, j++)
            add_row(acc, t->w, rows[j], T);
        memcpy(went_vec(e, T, role), acc, T * sizeof(int32_t));
    }
}

static inline __attribute__((always_inline)) void sum_scores(const ng_tagger *t, const ng_tagger_scratch *sc,
                                                             const went *const *E, size_t n,
                              const unsigned T);

static inline size_t wc_set(const char *s, size_t len) { return (size_t)(hash_bytes(s, len) >> 40) & (WC_SETS - 1); }

static inline went *wc_at(const ng_wcache *wc, size_t i) { return (went *)(void *)(wc->mem + i * wc->stride); }

/* The entry of the word s[0..len) (set: its set, or WC_SETS when it is not
 * cached) for tagger t in this call: an entry of the set that holds it, or
 * one refilled (the one least recently used, unless this call uses it), or
 * a private entry for this call.  Returns its index: 2 x set + way, or
 * 2 x WC_SETS + the private entry's number; *fill is set when the entry
 * must be filled (went_rows, then went_sum). */
static size_t wcache_get(ng_wcache *wc, const ng_tagger *t, const char *s, size_t len, size_t set, int *fill)
{
    *fill = 0;
    if (set < WC_SETS) {
        went *a = wc_at(wc, 2 * set), *b = wc_at(wc, 2 * set + 1);
        if (a->tid == t->id && a->len == len && memcmp(a->key, s, len) == 0) {
            a->stamp = wc->serial;
            return 2 * set;
        }
        if (b->tid == t->id && b->len == len && memcmp(b->key, s, len) == 0) {
            b->stamp = wc->serial;
            return 2 * set + 1;
        }
        /* the older of the two, when this call has not used it */
        size_t way = a->stamp <= b->stamp ? 0 : 1;
        went *e = way ? b : a;
        if (e->stamp != wc->serial) {
            e->tid = t->id;
            e->len = (uint8_t)len;
            memcpy(e->key, s, len);
            e->stamp = wc->serial;
            *fill = 1;
            return 2 * set + way;
        }
    }
    *fill = 1;
    return 2 * WC_SETS + wc->npriv++;
}

/* Emission scores of the n tokens (sc->score, n x T, real units) of a
 * loaded tagger through the word cache.  NG_ENOMEM when the cache cannot
 * be had (the caller then computes them the long way). */
static int cached_scores(const ng_tagger *t, ng_tagger_scratch *sc, const ng_tword *words, size_t n)
{
    const unsigned T = t->p.ntags;
    ng_wcache *wc = sc->wc;
    if (wc && wc->T != T) {
        wcache_free(wc);
        wc = sc->wc = NULL;
    }
    if (!wc && !(wc = sc->wc = wcache_new(T)))
        return NG_ENOMEM;
    if (wc->privcap < n) {
        size_t cap = wc->privcap ? wc->privcap : 16;
        while (cap < n)
            cap *= 2;
        unsigned char *pv = aligned_alloc(64, cap * wc->stride);
        if (!pv)
            return NG_ENOMEM;
        free(wc->priv);
        wc->priv = pv;
        wc->privcap = cap;
    }
    wc->npriv = 0;
    if (++wc->serial == 0) { /* wrapped: every entry counts as old */
        for (size_t i = 0; i < 2 * WC_SETS; i++)
            wc_at(wc, i)->stamp = 0;
        wc->serial = 1;
    }
    /* find every word's entry: the sets first (prefetched), then the
     * entries, the rows of those to fill (prefetched), then their sums */
    size_t *ix = (size_t *)(void *)sc->h; /* n indexes (HK words of room per token) */
    for (size_t i = 0; i < n; i++) {
        ix[i] = words[i].len <= WC_KEY ? wc_set(words[i].s, words[i].len) : WC_SETS;
        if (ix[i] < WC_SETS) {
            __builtin_prefetch(wc_at(wc, 2 * ix[i]));
            __builtin_prefetch(wc_at(wc, 2 * ix[i] + 1));
        }
    }
    const went **E = (const went **)sc->ent;
    for (size_t i = 0; i < n; i++) {
        int fill;
        size_t j = wcache_get(wc, t, words[i].s, words[i].len, ix[i], &fill);
        went *e = j < 2 * WC_SETS ? wc_at(wc, j) : (went *)(void *)(wc->priv + (j - 2 * WC_SETS) * wc->stride);
        E[i] = e;
        sc->nrows[i] = (uint8_t)fill;
        if (fill) {
            if (j >= 2 * WC_SETS)
                e->tid = 0;
            went_rows(t, e, words[i].s, words[i].len, sc->rows + i * NG_TAGGER_MAX_FEATS);
        } else {
            for (size_t o = 64; o < wc->stride; o += 64)
                __builtin_prefetch((const unsigned char *)e + o);
        }
    }
    for (size_t i = 0; i < n; i++)
        if (sc->nrows[i])
            went_sum(t, (went *)(uintptr_t)E[i], sc->rows + i * NG_TAGGER_MAX_FEATS);
    size_t ncaps = 0, nletters = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned cls = E[i]->cls;
        if (cls == C_ALLCAP || cls == C_INITCAP || cls == C_LOWER || cls == C_MIXED) {
            nletters++;
            if (cls == C_ALLCAP)
                ncaps++;
        }
    }
    const unsigned caps_sent = nletters >= 2 && ncaps * 4 >= nletters * 3 ? 1 : 0;
    const uint32_t fam = t->p.families;
    const unsigned shift = 64 - t->p.bits;
    const uint64_t seed = mix64(t->p.seed + 0x1234567ULL);
    /* the rows of the features that look at more than one word (and those
     * of the words beyond the sentence), with the count limit of
     * ng_tagger_features (k counts every feature of the token) */
#define PUT(tmpl, v) (rows[r++] = (uint32_t)(mix64(((uint64_t)(tmpl) << 56 ^ seed) + (v)) >> shift), k++)
    for (size_t ui = 0; ui < n; ui++) {
        uint32_t *rows = sc->rows + ui * NG_TAGGER_MAX_FEATS;
        const went *e = E[ui];
        const int has_m1 = ui > 0, has_m2 = ui > 1, has_p1 = ui + 1 < n, has_p2 = ui + 2 < n;
        unsigned r = 0, k = e->nf[R_SELF];
        k += has_m1 ? E[ui - 1]->nf[R_L1] : 0;
        k += has_p1 ? E[ui + 1]->nf[R_R1] : 0;
        k += has_m2 ? E[ui - 2]->nf[R_L2] : 0;
        k += has_p2 ? E[ui + 2]->nf[R_R2] : 0;
        const unsigned cls = e->cls;
        const unsigned cm1 = has_m1 ? E[ui - 1]->cls : 7u, cp1 = has_p1 ? E[ui + 1]->cls : 8u;
        const uint64_t fm1 = has_m1 ? E[ui - 1]->h0 : H_BOS, fp1 = has_p1 ? E[ui + 1]->h0 : H_EOS;
        const uint64_t sm1 = has_m1 ? E[ui - 1]->h2 : H_BOS, sp1 = has_p1 ? E[ui + 1]->h2 : H_EOS;
        if (fam & NG_FF_WINDOW) {
            if (!has_m1) {
                PUT(T_FOLD_M1, H_BOS);
                PUT(T_RAW_M1, H_BOS);
            }
            if (!has_p1) {
                PUT(T_FOLD_P1, H_EOS);
                PUT(T_RAW_P1, H_EOS);
            }
            if (!has_m2)
                PUT(T_FOLD_M2, H_BOS);
            if (!has_p2)
                PUT(T_FOLD_P2, H_EOS);
        }
        if (fam & NG_FF_SHAPE) {
            if (!has_m1)
                PUT(T_SHAPE_M1, H_BOS);
            if (!has_p1)
                PUT(T_SHAPE_P1, H_EOS);
            PUT(T_SHAPE_3, hcomb(hcomb(sm1, e->h2), sp1));
        }
        if (fam & NG_FF_BIGRAM) {
            PUT(T_BI_M1, hcomb(fm1, e->h0));
            PUT(T_BI_P1, hcomb(e->h0, fp1));
        }
        if (fam & NG_FF_CAPCTX) {
            PUT(T_CAP_FIRST, cls * 2 + (ui == 0));
            PUT(T_CAP_3, cm1 * 100 + cls * 10 + cp1);
            PUT(T_CAPS_SENT_SHAPE, hcomb(caps_sent, e->h2));
            PUT(T_CAPS_SENT_CLASS, caps_sent * 100 + cls * 10 + (ui == 0) + (n == 1 ? 2 : 0));
            PUT(T_POS, ui < 3 ? ui : 3);
            PUT(T_LAST, ui + 1 == n);
        }
        put_bit_rows(rows, &r, &k, fam, words, ui, n, cls, seed, shift);
        sc->nrows[ui] = (uint8_t)r;
        for (unsigned f = 0; f < r; f++) {
            const int16_t *pr = t->w + (size_t)rows[f] * T;
            __builtin_prefetch(pr);
            __builtin_prefetch(pr + T - 1);
        }
    }
#undef PUT
    if (T == 17)
        sum_scores(t, sc, E, n, 17);
    else
        sum_scores(t, sc, E, n, T);
    return NG_OK;
}

/* The sums: five cached vectors and the rows of cached_scores (T is a
 * constant where inlined for the common tag count, so that the sums stay
 * in registers). */
static inline __attribute__((always_inline)) void sum_scores(const ng_tagger *t, const ng_tagger_scratch *sc,
                                                             const went *const *E, size_t n,
                              const unsigned T)
{
    const float inv = 1.0f / t->scale;
    for (size_t i = 0; i < n; i++) {
        v8i acc[NG_TAGGER_MAX_TAGS / 8 + 1];
        memset(acc, 0, sizeof acc);
        add_vec(acc, went_cvec(E[i], T, R_SELF), T);
        if (i > 0)
            add_vec(acc, went_cvec(E[i - 1], T, R_L1), T);
        if (i + 1 < n)
            add_vec(acc, went_cvec(E[i + 1], T, R_R1), T);
        if (i > 1)
            add_vec(acc, went_cvec(E[i - 2], T, R_L2), T);
        if (i + 2 < n)
            add_vec(acc, went_cvec(E[i + 2], T, R_R2), T);
        const uint32_t *rows = sc->rows + i * NG_TAGGER_MAX_FEATS;
        for (unsigned f = 0; f < sc->nrows[i]; f++)
            add_row(acc, t->w, rows[f], T);
        float *out = sc->score + i * T;
        for (unsigned q = 0; q < T; q++)
            out[q] = (float)acc[q / 8][q % 8] * inv;
    }
}

/* Emission scores of a sentence into sc->score: through the word cache for
 * a loaded tagger, else from ng_tagger_features. */
static int sentence_scores(const ng_tagger *t, ng_tagger_scratch *sc, const ng_tword *words, size_t n)
{
    if (scratch_grow(sc, n) != NG_OK)
        return NG_ENOMEM;
    if (t->id && cached_scores(t, sc, words, n) == NG_OK)
        return NG_OK;
    int rc = ng_tagger_features(&t->p, &t->clusters, sc, words, n);
    if (rc != NG_OK)
        return rc;
    emissions(t->w, t->scale, t->p.ntags, sc, n);
    return NG_OK;
}

int ng_tagger_tag(const ng_tagger *t, ng_tagger_scratch *sc, const ng_tword *words, size_t n, uint8_t *tags)
{
    if (n == 0)
        return NG_OK;
    int rc = sentence_scores(t, sc, words, n);
    if (rc != NG_OK)
        return rc;
    unsigned T = t->p.ntags;
    if (t->p.scheme != NG_SCHEME_PLAIN) {
        struct ng_vplan local, *vp = &local;
        if (t->id) { /* a loaded tagger: its plan is kept */
            if (!sc->vplan && !(sc->vplan = malloc(sizeof *sc->vplan)))
                return NG_ENOMEM;
            vp = sc->vplan;
            if (sc->vplan_id != t->id) {
                vplan_make(t, vp);
                sc->vplan_id = t->id;
            }
        } else {
            vplan_make(t, vp);
        }
        viterbi_grouped(t, vp, sc->score, n, sc->delta, sc->back, tags);
        return NG_OK;
    }
#ifdef NG_HAVE_AVX2_VITERBI
    if (__builtin_cpu_supports("avx2"))
        viterbi_dense8(sc->score, t->trans, n, T, sc->delta, sc->back, tags);
    else
#endif
        viterbi_dense4(sc->score, t->trans, n, T, sc->delta, sc->back, tags);
    return NG_OK;
}

int ng_tagger_tag_greedy(const ng_tagger *t, ng_tagger_scratch *sc, const ng_tword *words, size_t n, uint8_t *tags)
{
    if (n == 0)
        return NG_OK;
    int rc = sentence_scores(t, sc, words, n);
    if (rc != NG_OK)
        return rc;
    unsigned T = t->p.ntags;
    const float *from = t->trans + (size_t)T * T; /* the start row, then the chosen tag's row */
    for (size_t i = 0; i < n; i++) {
        const float *e = sc->score + i * T;
        unsigned arg = 0;
        float best = e[0] + from[0];
        for (unsigned q = 1; q < T; q++) {
            float v = e[q] + from[q];
            if (v > best) {
                best = v;
                arg = q;
            }
        }
        tags[i] = (uint8_t)arg;
        from = t->trans + (size_t)arg * T;
    }
    return NG_OK;
}

/* ---- tag sets ----------------------------------------------------------- */

int ng_tagger_index_tags(ng_tagger *t)
{
    if (t->p.ntags == 0 || t->p.ntags > NG_TAGGER_MAX_TAGS)
        return NG_EINVAL;
    if (t->p.scheme == NG_SCHEME_PLAIN) {
        /* any distinct non-empty names; the type of each is its name */
        for (unsigned i = 0; i < t->p.ntags; i++) {
            size_t len = strnlen(t->tags[i], sizeof t->tags[i]);
            if (len == 0 || len >= sizeof t->tags[i] || len >= sizeof t->types[i])
                return NG_EINVAL;
            for (unsigned j = 0; j < i; j++)
                if (strcmp(t->tags[j], t->tags[i]) == 0)
                    return NG_EINVAL;
            t->kind[i] = 'T';
            memcpy(t->types[i], t->tags[i], len + 1);
        }
        return NG_OK;
    }
    if (t->p.scheme != NG_SCHEME_ENTITY)
        return NG_EINVAL;
    for (unsigned i = 0; i < t->p.ntags; i++) {
        const char *s = t->tags[i];
        if (strcmp(s, "O") == 0) {
            t->kind[i] = 'O';
            t->types[i][0] = '\0';
            continue;
        }
        if (!strchr("BILU", s[0]) || s[0] == '\0' || s[1] != '-' || s[2] == '\0' || strlen(s + 2) >= sizeof t->types[i])
            return NG_EINVAL;
        t->kind[i] = s[0];
        memcpy(t->types[i], s + 2, strlen(s + 2) + 1);
    }
    return NG_OK;
}

void ng_tagger_constrain(const ng_tagger *t, float *trans)
{
    if (t->p.scheme == NG_SCHEME_PLAIN)
        return; /* every sequence of plain tags is allowed */
    unsigned T = t->p.ntags;
    int bilou = 0;
    for (unsigned i = 0; i < T; i++)
        if (t->kind[i] == 'L' || t->kind[i] == 'U')
            bilou = 1;
    for (unsigned p = 0; p <= T + 1; p++) {
        for (unsigned q = 0; q < T; q++) {
            int ok = 1;
            char pk = p < T ? t->kind[p] : 'S'; /* S: start (row T) */
            char qk = t->kind[q];
            if (p == T + 1) { /* end row: the sentence may not stop inside an entity */
                ok = !bilou || (qk != 'B' && qk != 'I');
            } else if (bilou) {
                int open = pk == 'B' || pk == 'I';
                int cont = qk == 'I' || qk == 'L';
                ok = open ? (cont && strcmp(t->types[p], t->types[q]) == 0) : !cont;
            } else {
                if (qk == 'I')
                    ok = (pk == 'B' || pk == 'I') && strcmp(t->types[p], t->types[q]) == 0;
            }
            if (!ok)
                trans[(size_t)p * T + q] = -1e30f;
        }
    }
}

size_t ng_tags_to_spans(const ng_tagger *t, const uint8_t *tags, size_t n, uint32_t *first, uint32_t *last,
                        uint8_t *type_tag, size_t cap)
{
    size_t k = 0;
    long open = -1;
    unsigned otag = 0;
    for (size_t i = 0; i <= n; i++) {
        unsigned tg = i < n ? tags[i] : 0;
        char kd = i < n && tg < t->p.ntags ? t->kind[tg] : 'O';
        int starts = kd == 'B' || kd == 'U' ||
                     ((kd == 'I' || kd == 'L') && (open < 0 || strcmp(t->types[otag], t->types[tg]) != 0));
        if (open >= 0 && (kd == 'O' || starts)) {
            if (k < cap) {
                first[k] = (uint32_t)open;
                last[k] = (uint32_t)(i - 1);
                type_tag[k] = (uint8_t)otag;
                k++;
            }
            open = -1;
        }
        if (starts) {
            open = (long)i;
            otag = tg;
        }
        if (open >= 0 && (kd == 'L' || kd == 'U')) {
            if (k < cap) {
                first[k] = (uint32_t)open;
                last[k] = (uint32_t)i;
                type_tag[k] = (uint8_t)otag;
                k++;
            }
            open = -1;
        }
    }
    return k;
}

/* ---- model sections ----------------------------------------------------- */

int ng_tagger_load(ng_tagger *t, const ng_modelfile *mf, char *err, size_t errlen)
{
    memset(t, 0, sizeof *t);
    const ng_mf_section *hs = ng_modelfile_find(mf, "hash");
    const ng_mf_section *ts = ng_modelfile_find(mf, "tags");
    const ng_mf_section *ws = ng_modelfile_find(mf, "weights");
    const ng_mf_section *rs = ng_modelfile_find(mf, "trans");
    const ng_mf_section *cs = ng_modelfile_find(mf, "clusters");
#define BAD(...)                                  \
    do {                                          \
        if (err)                                  \
            snprintf(err, errlen, __VA_ARGS__);   \
        return NG_EMODEL;                         \
    } while (0)
    if (!hs || !ts || !ws || !rs)
        BAD("not a tagger model: a section (hash, tags, weights, trans) is missing");
    if (hs->len != 24)
        BAD("section 'hash' is %llu bytes, expected 24", (unsigned long long)hs->len);
    t->p.bits = ng_le32(hs->data);
    t->p.seed = ng_le32(hs->data + 4);
    t->p.families = ng_le32(hs->data + 8);
    t->p.ntags = ng_le32(hs->data + 12);
    uint32_t scale_bits = ng_le32(hs->data + 16);
    memcpy(&t->scale, &scale_bits, 4);
    t->p.scheme = ng_le32(hs->data + 20);
    if (t->p.scheme != NG_SCHEME_ENTITY && t->p.scheme != NG_SCHEME_PLAIN)
        BAD("unknown tag scheme %u (0 entity tags, 1 plain tags)", t->p.scheme);
    if (t->p.bits < 8 || t->p.bits > 26)
        BAD("hash table size 2^%u is out of range (2^8..2^26)", t->p.bits);
    if (t->p.ntags < 1 || t->p.ntags > NG_TAGGER_MAX_TAGS)
        BAD("%u tags, expected 1..%u", t->p.ntags, NG_TAGGER_MAX_TAGS);
    if (!(t->scale > 0.0f) || !isfinite(t->scale))
        BAD("weight scale is not a positive number");
    /* tags: ntags NUL-terminated names */
    const char *p = (const char *)ts->data, *e = p + ts->len;
    for (unsigned i = 0; i < t->p.ntags; i++) {
        const char *z = memchr(p, '\0', (size_t)(e - p));
        if (!z || (size_t)(z - p) >= sizeof t->tags[i])
            BAD("section 'tags' is malformed at tag %u", i);
        memcpy(t->tags[i], p, (size_t)(z - p) + 1);
        p = z + 1;
    }
    if (ng_tagger_index_tags(t) != NG_OK) {
        if (t->p.scheme == NG_SCHEME_PLAIN)
            BAD("section 'tags' has an empty, too long or repeated tag");
        BAD("section 'tags' has a tag that is not O, B-X, I-X, L-X or U-X");
    }
    uint64_t wlen = ((uint64_t)1 << t->p.bits) * t->p.ntags * 2;
    if (ws->len != wlen)
        BAD("section 'weights' is %llu bytes, expected %llu", (unsigned long long)ws->len, (unsigned long long)wlen);
    uint64_t rlen = (uint64_t)(t->p.ntags + 2) * t->p.ntags * 4;
    if (rs->len != rlen)
        BAD("section 'trans' is %llu bytes, expected %llu", (unsigned long long)rs->len, (unsigned long long)rlen);
    if (((uintptr_t)ws->data & 1) || ((uintptr_t)rs->data & 3))
        BAD("sections 'weights' and 'trans' are not aligned");
    const float *tr = (const float *)(const void *)rs->data;
    for (uint64_t i = 0; i < rlen / 4; i++)
        if (isnan(tr[i]))
            BAD("section 'trans' holds a NaN");
    t->w = (const int16_t *)(const void *)ws->data;
    t->trans = tr;
    index_preds(t, tr);
    static _Atomic uint32_t last_id;
    do
        t->id = atomic_fetch_add(&last_id, 1) + 1;
    while (t->id == 0);
    if (cs) {
        if (cs->len % 16 != 0)
            BAD("section 'clusters' is not a whole number of 16-byte slots");
        uint64_t ns = cs->len / 16;
        if (ns > 0 && ((ns & (ns - 1)) != 0 || ns > ((uint64_t)1 << 30)))
            BAD("section 'clusters' has %llu slots, not a power of two", (unsigned long long)ns);
        t->clusters.slots = cs->data;
        t->clusters.nslots = (uint32_t)ns;
    }
    if (ng_gaz_load(&t->gaz, mf, err, errlen) != NG_OK)
        return NG_EMODEL;
#undef BAD
    return NG_OK;
}

int ng_tagger_open(ng_modelfile *mf, ng_tagger *t, const char *dir, const char *file, const char *what, int *found,
                   char *err, size_t errlen)
{
    char path[PATH_MAX + 64];
    memset(t, 0, sizeof *t);
    int rc = ng_modelfile_search(mf, dir, file, what, path, sizeof path, found, err, errlen);
    if (rc != NG_OK)
        return rc;
    char why[256];
    rc = ng_tagger_load(t, mf, why, sizeof why);
    if (rc != NG_OK) {
        if (err)
            snprintf(err, errlen, "%s: %s", path, why);
        ng_modelfile_close(mf);
    }
    return rc;
}

int ng_tagger_write(const ng_tagger *t, ng_mf_writer *wr)
{
    unsigned char hs[24] = {0};
    uint32_t scale_bits;
    memcpy(&scale_bits, &t->scale, 4);
    ng_put32(hs, t->p.bits);
    ng_put32(hs + 4, t->p.seed);
    ng_put32(hs + 8, t->p.families);
    ng_put32(hs + 12, t->p.ntags);
    ng_put32(hs + 16, scale_bits);
    ng_put32(hs + 20, t->p.scheme); /* 0 for the entity taggers: their files stay as they were */
    int rc = ng_mf_writer_add(wr, "hash", hs, sizeof hs);
    ng_buf tags;
    ng_buf_init(&tags);
    for (unsigned i = 0; i < t->p.ntags; i++)
        ng_buf_put(&tags, t->tags[i], strlen(t->tags[i]) + 1);
    if (rc == NG_OK)
        rc = tags.oom ? NG_ENOMEM : ng_mf_writer_add(wr, "tags", tags.p, tags.len);
    ng_buf_free(&tags);
    /* the format is little-endian; this writer assumes a little-endian host
     * (checked at build time by the loader's users, see modelfile.c) */
    if (rc == NG_OK)
        rc = ng_mf_writer_add(wr, "weights", t->w, ((size_t)1 << t->p.bits) * t->p.ntags * 2);
    if (rc == NG_OK)
        rc = ng_mf_writer_add(wr, "trans", t->trans, (size_t)(t->p.ntags + 2) * t->p.ntags * 4);
    if (rc == NG_OK && t->clusters.nslots)
        rc = ng_mf_writer_add(wr, "clusters", t->clusters.slots, (size_t)t->clusters.nslots * 16);
    return rc;
}

/* ---- training ----------------------------------------------------------- */

/* A small deterministic generator (xorshift64*) for the shuffle. */
static uint64_t rng_next(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * 0x2545f4914f6cdd1dULL;
}

/* The trainer's state: current weights W and the running sums U that give
 * the average W - U / c (Daumé's trick), for emissions and transitions. */
typedef struct {
    float *W;
    double *U;
    float *TW;
    double *TU;
    size_t nw, nt;
    double c;
} trainer;

static void upd(float *W, double *U, size_t i, float d, double c)
{
    W[i] += d;
    U[i] += c * d;
}

/* Writes the averaged, quantised model into out's arrays. */
static void average_into(const trainer *tr, ng_trained *out)
{
    float maxw = 1e-6f;
    double c = tr->c > 0 ? tr->c : 1;
    for (size_t i = 0; i < tr->nw; i++) {
        float a = (float)(tr->W[i] - tr->U[i] / c);
        if (fabsf(a) > maxw)
            maxw = fabsf(a);
    }
    float scale = 32000.0f / maxw;
    for (size_t i = 0; i < tr->nw; i++) {
        float a = (float)(tr->W[i] - tr->U[i] / c);
        long q = lrintf(a * scale);
        out->w[i] = (int16_t)(q > 32767 ? 32767 : q < -32767 ? -32767 : q);
    }
    for (size_t i = 0; i < tr->nt; i++)
        out->trans[i] = tr->TW[i] <= -1e29f ? tr->TW[i] : (float)(tr->TW[i] - tr->TU[i] / c);
    out->t.scale = scale;
}

int ng_tagger_train(const ng_train_opts *o, const ng_tsent *sents, size_t n, ng_trained *out)
{
    memset(out, 0, sizeof *out);
    const unsigned T = o->p.ntags;
    if (T == 0 || T > NG_TAGGER_MAX_TAGS || o->p.bits < 8 || o->p.bits > 26)
        return NG_EINVAL;
    ng_tagger *t = &out->t;
    t->p = o->p;
    memcpy(t->tags, o->tags, sizeof t->tags);
    if (ng_tagger_index_tags(t) != NG_OK)
        return NG_EINVAL;
    t->clusters = o->clusters;
    trainer tr = {0};
    tr.nw = ((size_t)1 << o->p.bits) * T;
    tr.nt = (size_t)(T + 2) * T;
    tr.W = calloc(tr.nw, sizeof *tr.W);
    tr.U = calloc(tr.nw, sizeof *tr.U);
    tr.TW = calloc(tr.nt, sizeof *tr.TW);
    tr.TU = calloc(tr.nt, sizeof *tr.TU);
    out->w = malloc(tr.nw * sizeof *out->w);
    out->trans = malloc(tr.nt * sizeof *out->trans);
    int16_t *best_w = malloc(tr.nw * sizeof *best_w);
    float *best_trans = malloc(tr.nt * sizeof *best_trans);
    size_t *order = malloc((n ? n : 1) * sizeof *order);
    uint8_t *pred = NULL;
    ng_tagger_scratch sc = {0};
    int rc = NG_OK;
    size_t maxlen = 1;
    for (size_t i = 0; i < n; i++)
        if (sents[i].n > maxlen)
            maxlen = sents[i].n;
    pred = malloc(maxlen);
    if (!tr.W || !tr.U || !tr.TW || !tr.TU || !out->w || !out->trans || !best_w || !best_trans || !order ||
        !pred || scratch_grow(&sc, maxlen) != NG_OK) {
        rc = NG_ENOMEM;
        goto done;
    }
    ng_tagger_constrain(t, tr.TW);
    index_preds(t, tr.TW);
    t->w = out->w;
    t->trans = out->trans;
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    uint64_t rs = o->shuffle_seed ? o->shuffle_seed : 1;
    double best = -1e300;
    unsigned best_epoch = 0, since = 0;
    int have_best = 0;
    float best_scale = 1.0f;
    for (unsigned ep = 1; ep <= o->epochs; ep++) {
        for (size_t i = n; i > 1; i--) {
            size_t j = (size_t)(rng_next(&rs) % i);
            size_t tmp = order[i - 1];
            order[i - 1] = order[j];
            order[j] = tmp;
        }
        for (size_t oi = 0; oi < n; oi++) {
            const ng_tsent *s = &sents[order[oi]];
            tr.c += 1;
            if (s->n == 0)
                continue;
            if (ng_tagger_features(&o->p, &o->clusters, &sc, s->w, s->n) != NG_OK) {
                rc = NG_ENOMEM;
                goto done;
            }
            /* emissions in float from the current weights */
            for (size_t i = 0; i < s->n; i++) {
                float *scr = sc.score + i * T;
                for (unsigned q = 0; q < T; q++)
                    scr[q] = 0;
                const uint32_t *rows = sc.rows + i * NG_TAGGER_MAX_FEATS;
                for (unsigned f = 0; f < sc.nrows[i]; f++) {
                    const float *row = tr.W + (size_t)rows[f] * T;
                    for (unsigned q = 0; q < T; q++)
                        scr[q] += row[q];
                }
            }
            ng_viterbi(sc.score, tr.TW, s->n, T, sc.delta, sc.back, pred);
            for (size_t i = 0; i < s->n; i++) {
                unsigned g = s->gold[i], pr = pred[i];
                if (g != pr) {
                    const uint32_t *rows = sc.rows + i * NG_TAGGER_MAX_FEATS;
                    for (unsigned f = 0; f < sc.nrows[i]; f++) {
                        upd(tr.W, tr.U, (size_t)rows[f] * T + g, 1.0f, tr.c);
                        upd(tr.W, tr.U, (size_t)rows[f] * T + pr, -1.0f, tr.c);
                    }
                }
                unsigned gp = i ? s->gold[i - 1] : T, pp = i ? pred[i - 1] : T;
                if (g != pr || gp != pp) {
                    upd(tr.TW, tr.TU, (size_t)gp * T + g, 1.0f, tr.c);
                    upd(tr.TW, tr.TU, (size_t)pp * T + pr, -1.0f, tr.c);
                }
                if (i + 1 == s->n && g != pr) {
                    upd(tr.TW, tr.TU, (size_t)(T + 1) * T + g, 1.0f, tr.c);
                    upd(tr.TW, tr.TU, (size_t)(T + 1) * T + pr, -1.0f, tr.c);
                }
            }
        }
        average_into(&tr, out);
        double dev = o->dev_score ? o->dev_score(t, o->dev_ctx, ep) : -1;
        if (!have_best || dev > best) {
            best = dev;
            best_epoch = ep;
            since = 0;
            have_best = 1;
            memcpy(best_w, out->w, tr.nw * sizeof *best_w);
            memcpy(best_trans, out->trans, tr.nt * sizeof *best_trans);
            best_scale = t->scale;
        } else if (++since >= o->patience && o->patience > 0) {
            break;
        }
        if (dev < 0) { /* no dev set: the last epoch is the model */
            memcpy(best_w, out->w, tr.nw * sizeof *best_w);
            memcpy(best_trans, out->trans, tr.nt * sizeof *best_trans);
            best_scale = t->scale;
            best_epoch = ep;
        }
    }
    memcpy(out->w, best_w, tr.nw * sizeof *best_w);
    memcpy(out->trans, best_trans, tr.nt * sizeof *best_trans);
    t->scale = best_scale;
    out->best_epoch = best_epoch;
    out->best_dev = best;
done:
    free(tr.W);
    free(tr.U);
    free(tr.TW);
    free(tr.TU);
    free(best_w);
    free(best_trans);
    free(order);
    free(pred);
    ng_tagger_scratch_free(&sc);
    if (rc != NG_OK)
        ng_trained_free(out);
    return rc;
}

void ng_trained_free(ng_trained *tr)
{
    if (!tr)
        return;
    free(tr->w);
    free(tr->trans);
    memset(tr, 0, sizeof *tr);
}

/* ---- gazetteer ---------------------------------------------------------- */

uint64_t ng_gaz_feed(uint64_t h, const char *s, size_t n)
{
    char buf[4 * NG_TAGGER_MAX_TOKEN + 8];
    size_t k = ng_fold(s, n < 2 * NG_TAGGER_MAX_TOKEN ? n : 2 * NG_TAGGER_MAX_TOKEN, buf, sizeof buf);
    for (size_t i = 0; i < k; i++) {
        unsigned char c = (unsigned char)buf[i];
        if (c == 0xE2 && i + 2 < k && (unsigned char)buf[i + 1] == 0x80 && (unsigned char)buf[i + 2] == 0x99) {
            c = '\'';
            i += 2;
        } else if (c == ' ' || c == '.' || c == '\t' || c == '\n') {
            continue;
        }
        h = (h ^ c) * 0x100000001b3ULL;
    }
    return h;
}

/* The table key of a fed hash (never 0, the empty mark). */
static inline uint64_t gaz_key(uint64_t h)
{
    h = mix64(h);
    return h ? h : 1;
}

uint32_t ng_gaz_get(const ng_gazetteer *g, uint64_t h, const char **code)
{
    if (code)
        *code = NULL;
    if (g->nslots == 0)
        return 0;
    uint64_t key = gaz_key(h);
    const uint64_t fb = key & (((uint64_t)1 << NG_GAZ_FILTER_BITS) - 1);
    if (g->has_filter && !(g->filter[fb >> 6] >> (fb & 63) & 1))
        return 0;
    uint32_t mask = g->nslots - 1;
    for (uint32_t j = (uint32_t)(key >> 32) & mask, probes = 0; probes < g->nslots; j = (j + 1) & mask, probes++) {
        const unsigned char *sl = g->slots + (size_t)j * 16;
        uint64_t k = ng_le64(sl);
        if (k == 0)
            return 0;
        if (k == key) {
            uint32_t off = ng_le32(sl + 12);
            if (code && off > 0 && off <= g->codes_len)
                *code = g->codes + off - 1;
            return ng_le32(sl + 8);
        }
    }
    return 0;
}

size_t ng_gaz_match(const ng_gazetteer *g, const ng_tword *words, size_t n, size_t i, uint32_t *kinds,
                    const char **code)
{
    *kinds = 0;
    if (code)
        *code = NULL;
    if (g->nslots == 0 || i >= n)
        return 0;
    uint64_t h = NG_GAZ_H0;
    size_t best = 0;
    for (size_t j = i; j < n && j < i + NG_GAZ_MAX_WORDS; j++) {
        uint64_t h0 = h;
        h = ng_gaz_feed(h, words[j].s, words[j].len);
        if (h == h0)
            break; /* a token that adds nothing ("."): no name runs over it */
        const char *c;
        uint32_t k = ng_gaz_get(g, h, &c);
        if (k & NG_GAZ_KINDS) {
            best = j - i + 1;
            *kinds = k & NG_GAZ_KINDS;
            if (code)
                *code = c;
        }
        if (!(k & NG_GAZ_PREFIX))
            break;
    }
    return best;
}

void ng_gaz_mark(const ng_gazetteer *g, ng_tword *words, size_t n)
{
    for (size_t i = 0; i < n; i++)
        words[i].gaz = 0;
    if (g->nslots == 0)
        return;
    for (size_t i = 0; i < n;) {
        uint32_t k;
        size_t m = ng_gaz_match(g, words, n, i, &k, NULL);
        if (m == 0) {
            i++;
            continue;
        }
        words[i].gaz |= k << 16;
        for (size_t j = i; j < i + m; j++)
            words[j].gaz |= k;
        i += m;
    }
}

/* The word cache of ng_gaz_mark_cached: direct-mapped slots keyed by the
 * word's bytes and the gazetteer's serial, holding the key the word alone
 * feeds (ng_gaz_feed from NG_GAZ_H0, folding it) and what the table says
 * of it.  Folding and probing every token was a twentieth of analyze. */
#define GC_SLOTS 8192u
#define GC_WORD 22u
typedef struct {
    uint64_t h;      /* ng_gaz_feed(NG_GAZ_H0, word) */
    uint32_t serial; /* of the gazetteer; 0: empty slot */
    uint32_t kinds;  /* ng_gaz_get of h (with NG_GAZ_PREFIX) */
    uint8_t len, stop; /* stop: the word adds nothing to a key ("."): no name runs over it */
    char w[GC_WORD];
} gc_slot;

struct ng_gcache {
    gc_slot s[GC_SLOTS];
};

void ng_gcache_free(ng_gcache *c) { free(c); }

void ng_gaz_mark_cached(const ng_gazetteer *g, ng_gcache **cache, ng_tword *words, size_t n)
{
    if (!cache || g->nslots == 0 || (!*cache && !(*cache = calloc(1, sizeof **cache)))) {
        ng_gaz_mark(g, words, n);
        return;
    }
    ng_gcache *gc = *cache;
    for (size_t i = 0; i < n; i++)
        words[i].gaz = 0;
    for (size_t i = 0; i < n;) {
        /* the word alone, from the cache */
        gc_slot one, *c = &one;
        if (words[i].len <= GC_WORD) {
            c = &gc->s[hash_bytes(words[i].s, words[i].len) & (GC_SLOTS - 1)];
            if (c->serial != g->serial || c->len != words[i].len || memcmp(c->w, words[i].s, c->len) != 0)
                c->serial = 0;
        } else {
            one.serial = 0;
        }
        if (c->serial == 0) {
            c->h = ng_gaz_feed(NG_GAZ_H0, words[i].s, words[i].len);
            c->stop = c->h == NG_GAZ_H0;
            c->kinds = c->stop ? 0 : ng_gaz_get(g, c->h, NULL);
            if (c != &one) {
                c->serial = g->serial;
                c->len = (uint8_t)words[i].len;
                memcpy(c->w, words[i].s, words[i].len);
            }
        }
        /* then the longest name from here, as ng_gaz_match */
        size_t best = (c->kinds & NG_GAZ_KINDS) ? 1 : 0;
        uint32_t kinds = c->kinds & NG_GAZ_KINDS;
        if (!c->stop && (c->kinds & NG_GAZ_PREFIX)) {
            uint64_t h = c->h;
            for (size_t j = i + 1; j < n && j < i + NG_GAZ_MAX_WORDS; j++) {
                uint64_t h0 = h;
                h = ng_gaz_feed(h, words[j].s, words[j].len);
                if (h == h0)
                    break;
                uint32_t k = ng_gaz_get(g, h, NULL);
                if (k & NG_GAZ_KINDS) {
                    best = j - i + 1;
                    kinds = k & NG_GAZ_KINDS;
                }
                if (!(k & NG_GAZ_PREFIX))
                    break;
            }
        }
        if (best == 0) {
            i++;
            continue;
        }
        words[i].gaz |= kinds << 16;
        for (size_t j = i; j < i + best; j++)
            words[j].gaz |= kinds;
        i += best;
    }
}

/* Kind names of the TSV, in NG_GAZ_* bit order. */
static const char *const gaz_kind_names[] = {"country", "city",  "region", "currency", "demonym",
                                             "title",   "orghead", "body",  "honorific", "mischead"};

/* The code a name keeps when it has several kinds: the first kind in this
 * order that has one. */
static int gaz_code_rank(uint32_t kind)
{
    static const uint32_t order[] = {NG_GAZ_COUNTRY, NG_GAZ_BODY,  NG_GAZ_DEMONYM, NG_GAZ_CITY,
                                     NG_GAZ_REGION,  NG_GAZ_CURRENCY, NG_GAZ_TITLE, NG_GAZ_ORGHEAD};
    for (int i = 0; i < 8; i++)
        if (order[i] == kind)
            return i;
    return 9;
}

/* Inserts (or merges) key with kinds and code offset into a table being
 * built (slots of 16 bytes, mask = nslots - 1). */
static void gaz_put(unsigned char *slots, uint32_t mask, uint64_t key, uint32_t kinds, uint32_t code_off,
                    uint8_t *rank, int r)
{
    uint32_t j = (uint32_t)(key >> 32) & mask;
    for (;;) {
        unsigned char *sl = slots + (size_t)j * 16;
        uint64_t k = ng_le64(sl);
        if (k == 0 || k == key) {
            ng_put64(sl, key);
            ng_put32(sl + 8, ng_le32(sl + 8) | kinds);
            if (code_off && (k == 0 || ng_le32(sl + 12) == 0 || r < rank[j])) {
                ng_put32(sl + 12, code_off);
                rank[j] = (uint8_t)r;
            }
            return;
        }
        j = (j + 1) & mask;
    }
}

int ng_gaz_build(ng_buf *out, const char *tsv, size_t len)
{
    /* count the lines to size the table: each name and each of its word
     * prefixes takes a slot, at most 3/4 full */
    size_t lines = 0, seps = 0;
    for (size_t i = 0; i < len; i++) {
        lines += tsv[i] == '\n';
        seps += tsv[i] == ' ' || tsv[i] == '\'' || tsv[i] == '-';
    }
    size_t want = (lines + 1 + 2 * seps) * 4 / 3 + 16, ns = 16;
    while (ns < want)
        ns *= 2;
    if (ns > ((size_t)1 << 24))
        return NG_EINVAL;
    unsigned char *slots = calloc(ns, 16);
    uint8_t *rank = calloc(ns, 1);
    ng_buf codes;
    ng_buf_init(&codes);
    if (!slots || !rank) {
        free(slots);
        free(rank);
        return NG_ENOMEM;
    }
    uint32_t mask = (uint32_t)ns - 1, maxw = 0;
    int rc = NG_OK;
    for (const char *p = tsv, *end = tsv + len; p < end && rc == NG_OK;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        const char *t1 = memchr(p, '\t', (size_t)(le - p));
        if (*p != '#' && t1 && t1 > p) {
            const char *t2 = memchr(t1 + 1, '\t', (size_t)(le - t1 - 1));
            const char *ke = t2 ? t2 : le;
            uint32_t kind = 0;
            for (unsigned b = 0; b < sizeof gaz_kind_names / sizeof *gaz_kind_names; b++)
                if (strlen(gaz_kind_names[b]) == (size_t)(ke - t1 - 1) &&
                    memcmp(gaz_kind_names[b], t1 + 1, (size_t)(ke - t1 - 1)) == 0)
                    kind = 1u << b;
            if (!kind) {
                rc = NG_EINVAL;
                break;
            }
            uint32_t code_off = 0;
            if (t2 && le > t2 + 1 && !(le - t2 - 1 == 1 && t2[1] == '-')) {
                code_off = (uint32_t)codes.len + 1;
                ng_buf_put(&codes, t2 + 1, (size_t)(le - t2 - 1));
                ng_buf_putc(&codes, '\0');
            }
            /* the word prefixes: before and after each space, apostrophe
             * and hyphen (where a tokenizer may cut) */
            uint32_t words = 1;
            for (const char *q = p; q < t1; q++) {
                if (*q == ' ' || *q == '\'' || *q == '-') {
                    words += *q == ' ';
                    gaz_put(slots, mask, gaz_key(ng_gaz_feed(NG_GAZ_H0, p, (size_t)(q - p))), NG_GAZ_PREFIX, 0,
                            rank, 9);
                    gaz_put(slots, mask, gaz_key(ng_gaz_feed(NG_GAZ_H0, p, (size_t)(q + 1 - p))), NG_GAZ_PREFIX,
                            0, rank, 9);
                }
            }
            if (words > maxw)
                maxw = words;
            gaz_put(slots, mask, gaz_key(ng_gaz_feed(NG_GAZ_H0, p, (size_t)(t1 - p))), kind, code_off, rank,
                    gaz_code_rank(kind));
        }
        p = nl ? nl + 1 : end;
    }
    if (rc == NG_OK) {
        unsigned char head[8];
        ng_put32(head, (uint32_t)ns);
        ng_put32(head + 4, maxw);
        ng_buf_put(out, head, 8);
        ng_buf_put(out, slots, ns * 16);
        ng_buf_put(out, codes.p ? codes.p : "", codes.len);
        if (out->oom || codes.oom)
            rc = NG_ENOMEM;
    }
    free(slots);
    free(rank);
    ng_buf_free(&codes);
    return rc;
}

int ng_gaz_load(ng_gazetteer *g, const ng_modelfile *mf, char *err, size_t errlen)
{
    memset(g, 0, sizeof *g);
    const ng_mf_section *s = ng_modelfile_find(mf, "gazetteer");
    if (!s)
        return NG_OK;
    uint32_t ns = s->len >= 8 ? ng_le32(s->data) : 0;
    if (s->len < 8 || ns == 0 || (ns & (ns - 1)) != 0 || ns > (1u << 24) || (uint64_t)ns * 16 > s->len - 8) {
        if (err)
            snprintf(err, errlen, "section 'gazetteer' is malformed");
        return NG_EMODEL;
    }
    g->nslots = ns;
    g->slots = s->data + 8;
    g->codes = (const char *)s->data + 8 + (size_t)ns * 16;
    g->codes_len = (uint32_t)(s->len - 8 - (uint64_t)ns * 16);
    if (g->codes_len > 0 && g->codes[g->codes_len - 1] != '\0') {
        memset(g, 0, sizeof *g);
        if (err)
            snprintf(err, errlen, "section 'gazetteer' has unterminated codes");
        return NG_EMODEL;
    }
    for (uint32_t j = 0; j < ns; j++) {
        uint64_t k = ng_le64(g->slots + (size_t)j * 16);
        if (k) {
            uint64_t fb = k & (((uint64_t)1 << NG_GAZ_FILTER_BITS) - 1);
            g->filter[fb >> 6] |= (uint64_t)1 << (fb & 63);
        }
    }
    g->has_filter = 1;
    static _Atomic uint32_t last_serial;
    do
        g->serial = atomic_fetch_add(&last_serial, 1) + 1;
    while (g->serial == 0);
    return NG_OK;
}
