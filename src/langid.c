/*
 * langid.c — language identification: doc->lang from the clean text.
 *
 * Two voices, cheapest first:
 *
 *   1. A stopword vote.  The words of a bounded sample of the text (at
 *      most SAMPLE_MAX bytes, taken from up to four places so that one
 *      English caption in a French article does not decide) are looked up
 *      in a hash of frequent function words: lang/en/stopwords.txt,
 *      lang/fr/stopwords.txt and lang/common/langid-stopwords.txt (de, es,
 *      it, nl, pt).  When one language clearly wins (many hits, a large
 *      share of the words, far ahead of the next) that is the answer, and
 *      nothing else runs: this is the common case for news in the
 *      languages we handle, and it costs one hash lookup a word.
 *
 *   2. libexttextcat (Cavnar & Trenkle n-gram profiles).  When the vote is
 *      not clear (another language, a short or mixed text) the sample is
 *      compared with the fingerprints listed in
 *      lang/common/langid-candidates.txt.  We call libexttextcat's
 *      fingerprint functions (fp_Read, fp_Create, fp_Compare) rather than
 *      textcat_Init on fpdb.conf so that we choose the candidate set and
 *      see every score; ties between textcat's best and the vote's winner
 *      go to the vote.
 *
 * The caller's hint (doc->lang_hint: "en-US" -> "en") decides when the
 * text is too short for either voice.  When the fingerprint directory is
 * missing, only the vote runs (docs/langid.md).
 *
 * The state (fingerprints, the stopword hash, a sample buffer) lives in
 * one handle per worker (w->textcat), made on first use and freed by
 * ng_langid_free(); it is never shared between threads.
 */
#include "internal.h"

#include <libexttextcat/fingerprint.h>
#include <libexttextcat/textcat_properties.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef NG_TEXTCAT_DIR
#define NG_TEXTCAT_DIR "/usr/share/libexttextcat/"
#endif

#define MAX_CAND 64     /* fingerprints at most */
#define MAX_VOTE 16     /* languages in the stopword vote at most */
#define SW_SLOTS 2048   /* stopword hash slots (power of two; the lists hold ~400 words) */
#define SW_MAXLEN 23    /* longest stopword, in bytes */
#define SAMPLE_MAX 3072 /* bytes of text looked at */
#define NGRAMS 400      /* n-grams per profile, as libexttextcat's own */
#define TEXTCAT_MAX 1024 /* bytes of the sample given to libexttextcat */

/* One slot of the stopword hash: eight bytes, so that the table (looked
 * up once a word) stays in the cache; the word itself is in a parallel
 * array, read only when hash and length match. */
typedef struct {
    uint32_t hash; /* hash_word() of the word */
    uint16_t mask; /* bit i: a stopword of vote language i */
    uint8_t len;   /* the word's length; 0 when the slot is free */
} sw_slot;

/* The per-worker handle. */
typedef struct {
    void *fp[MAX_CAND];         /* libexttextcat fingerprints */
    char fp_code[MAX_CAND][4];  /* their ISO 639-1 codes */
    size_t nfp;
    char vote_code[MAX_VOTE][4]; /* the vote's languages */
    size_t nvote;
    sw_slot sw[SW_SLOTS];
    char sw_word[SW_SLOTS][SW_MAXLEN + 1]; /* the word of each slot, folded, NUL-terminated */
    char sample[SAMPLE_MAX + 8]; /* the text sample of the current doc */
    size_t win[4][2];            /* its windows, [start, end) in sample */
    size_t nwin;
    char tcbuf[TEXTCAT_MAX + 8]; /* what libexttextcat is given */
} langid;

static uint32_t hash_word(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

/* The vote index of code, added when new; -1 when the table is full. */
static int vote_index(langid *L, const char *code)
{
    for (size_t i = 0; i < L->nvote; i++)
        if (strcmp(L->vote_code[i], code) == 0)
            return (int)i;
    if (L->nvote == MAX_VOTE)
        return -1;
    snprintf(L->vote_code[L->nvote], sizeof L->vote_code[0], "%s", code);
    return (int)L->nvote++;
}

/* Adds a folded word as a stopword of vote language v (dropped when the
 * table is full). */
static void sw_add(langid *L, const char *w, size_t n, int v)
{
    if (n == 0 || n > SW_MAXLEN || v < 0)
        return;
    uint32_t h = hash_word(w, n);
    for (size_t probe = 0; probe < SW_SLOTS; probe++) {
        size_t at = (h + probe) & (SW_SLOTS - 1);
        sw_slot *s = &L->sw[at];
        if (s->len == 0) {
            memcpy(L->sw_word[at], w, n);
            L->sw_word[at][n] = '\0';
            s->hash = h;
            s->len = (uint8_t)n;
            s->mask = (uint16_t)(1u << v);
            return;
        }
        if (s->hash == h && s->len == n && memcmp(L->sw_word[at], w, n) == 0) {
            s->mask |= (uint16_t)(1u << v);
            return;
        }
    }
}

/* The vote mask of a folded word whose hash_word() is h (0 when not a
 * stopword). */
static unsigned sw_find(const langid *L, const char *w, size_t n, uint32_t h)
{
    if (n == 0 || n > SW_MAXLEN)
        return 0;
    for (size_t probe = 0; probe < SW_SLOTS; probe++) {
        size_t at = (h + probe) & (SW_SLOTS - 1);
        const sw_slot *s = &L->sw[at];
        if (s->len == 0)
            return 0;
        if (s->hash == h && s->len == n && memcmp(L->sw_word[at], w, n) == 0)
            return s->mask;
    }
    return 0;
}

/* Makes the handle: the stopword hash from the model and the common list,
 * and the fingerprints that can be read (none when the directory is
 * missing).  Returns NULL when out of memory. */
static langid *langid_new(const ng_model *m)
{
    langid *L = calloc(1, sizeof *L);
    if (!L)
        return NULL;
    for (size_t i = 0; i < m->nlangs; i++) {
        const ng_lang *lg = &m->langs[i];
        int v = vote_index(L, lg->code);
        for (size_t k = 0; k < lg->stopwords.n; k++)
            sw_add(L, lg->stopwords.items[k], strlen(lg->stopwords.items[k]), v);
    }
    ng_strset extra;
    if (ng_strset_load(&extra, "common/langid-stopwords.txt", 1, 0) == NG_OK) {
        for (size_t k = 0; k < extra.n; k++) {
            const char *it = extra.items[k], *tab = strchr(it, '\t');
            if (!tab || tab - it > 3)
                continue;
            char code[4];
            memcpy(code, it, (size_t)(tab - it));
            code[tab - it] = '\0';
            sw_add(L, tab + 1, strlen(tab + 1), vote_index(L, code));
        }
        ng_strset_free(&extra);
    }
    ng_strset cand;
    if (ng_strset_load(&cand, "common/langid-candidates.txt", 0, 0) == NG_OK) {
        for (size_t k = 0; k < cand.n && L->nfp < MAX_CAND; k++) {
            const char *it = cand.items[k], *tab = strchr(it, '\t');
            if (!tab || strlen(tab + 1) > 3 || tab - it > 64)
                continue;
            char path[256];
            snprintf(path, sizeof path, "%s%.*s", NG_TEXTCAT_DIR, (int)(tab - it), it);
            void *fp = fp_Init(tab + 1);
            if (!fp)
                continue;
            fp_SetProperty(fp, TCPROP_UTF8AWARE, TC_TRUE);
            if (fp_Read(fp, path, NGRAMS) == 0) {
                fp_Done(fp);
                continue;
            }
            L->fp[L->nfp] = fp;
            snprintf(L->fp_code[L->nfp], sizeof L->fp_code[0], "%s", tab + 1);
            L->nfp++;
        }
        ng_strset_free(&cand);
    }
    return L;
}

void ng_langid_free(void *handle)
{
    langid *L = handle;
    if (!L)
        return;
    for (size_t i = 0; i < L->nfp; i++)
        fp_Done(L->fp[i]);
    free(L);
}

/* Copies up to SAMPLE_MAX bytes of text into L->sample: all of a short
 * text, else four windows spread over it, each cut at white space so no
 * UTF-8 sequence is split.  Returns the sample's length. */
static size_t take_sample(langid *L, const char *t, size_t n)
{
    if (n <= SAMPLE_MAX) {
        memcpy(L->sample, t, n);
        L->sample[n] = '\0';
        L->nwin = 1;
        L->win[0][0] = 0;
        L->win[0][1] = n;
        return n;
    }
    size_t win = SAMPLE_MAX / 4 - 1, used = 0;
    L->nwin = 0;
    for (int k = 0; k < 4; k++) {
        size_t a = n / 4 * (size_t)k, b;
        if (k > 0) {
            while (a < n && t[a] != ' ' && t[a] != '\n')
                a++;
        }
        b = a + win < n ? a + win : n;
        if (b < n) {
            size_t c = b;
            while (c > a && t[c] != ' ' && t[c] != '\n')
                c--;
            if (c > a)
                b = c;
        }
        if (b <= a)
            continue;
        memcpy(L->sample + used, t + a, b - a);
        L->win[L->nwin][0] = used;
        L->win[L->nwin][1] = used + (b - a);
        L->nwin++;
        used += b - a;
        L->sample[used++] = '\n';
    }
    L->sample[used] = '\0';
    return used;
}

/* True when one language has at least 24 stopword hits, four times as many
 * as any other and one word in five: the rules of ng_langid would then take it whatever
 * the rest of the text holds. */
static int vote_settled(const unsigned hits[MAX_VOTE], size_t nvote, size_t nwords)
{
    unsigned best = 0, second = 0;
    for (size_t v = 0; v < nvote; v++) {
        if (hits[v] > best) {
            second = best;
            best = hits[v];
        } else if (hits[v] > second) {
            second = hits[v];
        }
    }
    return best >= 24 && best >= 4 * second && best * 5 >= nwords;
}

/* The stopword vote over s[0..n): hits per vote language, the number of
 * words and of letters. */
static void vote(const langid *L, const char *s, size_t n, unsigned hits[MAX_VOTE], size_t *nwords, size_t *nletters)
{
    size_t i = 0;
    *nwords = 0;
    *nletters = 0;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        if (c == 0xE2 || c == 0xC2) {
            /* U+2000-U+2FFF and U+0080-U+00BF: punctuation and spaces */
            i += c == 0xE2 ? 3 : 2;
            continue;
        }
        int letter = (c >= 0x80) || ((c | 32) >= 'a' && (c | 32) <= 'z');
        if (!letter) {
            i++;
            continue;
        }
        size_t a = i;
        int high = 0;
        char key[SW_MAXLEN * 2 + 2];
        uint32_t h = 2166136261u; /* hash_word() of the lowercased word, as it is read */
        while (i < n) {
            c = (unsigned char)s[i];
            if (c >= 0x80) {
                /* treat non-ASCII as letters, but stop at curly quotes, no-break spaces and dashes */
                if (c == 0xE2 || c == 0xC2)
                    break;
                high = 1;
            } else if (!((c | 32) >= 'a' && (c | 32) <= 'z')) {
                break;
            }
            /* an ASCII word is lowercased and hashed in this same pass */
            if (i - a < SW_MAXLEN) {
                key[i - a] = (char)(c | 32);
                h = (h ^ (c | 32)) * 16777619u;
            }
            i++;
        }
        size_t len = i - a;
        *nletters += len;
        (*nwords)++;
        size_t kl = len;
        if (len > SW_MAXLEN)
            continue;
        if (high) {
            kl = ng_fold(s + a, len, key, sizeof key);
            h = hash_word(key, kl);
        }
        unsigned mask = sw_find(L, key, kl, h);
        for (size_t v = 0; mask && v < L->nvote; v++, mask >>= 1)
            hits[v] += mask & 1;
        /* a vote already won by a wide margin cannot turn: stop early (the
         * rest of the sample would only cost time) */
        if ((*nwords & 31) == 0 && *nwords >= 96 && vote_settled(hits, L->nvote, *nwords))
            break;
    }
}

/* Copies a language code ("en-US", "fr_FR", "EN") as two lowercase
 * letters into out[8]; "" when it does not start with two letters. */
static void norm_code(const char *code, char out[8])
{
    out[0] = '\0';
    if (!code)
        return;
    while (*code == ' ')
        code++;
    char a = (char)(code[0] | 32), b = (char)(code[1] | 32);
    if (a < 'a' || a > 'z' || b < 'a' || b > 'z')
        return;
    char c = code[2];
    if ((c | 32) >= 'a' && (c | 32) <= 'z')
        return; /* "eng", "french": not a two-letter code */
    out[0] = a;
    out[1] = b;
    out[2] = '\0';
}

int ng_langid(ng_worker *w, ng_doc *doc)
{
    doc->lang[0] = '\0';
    char hint[8];
    norm_code(doc->lang_hint, hint);
    if (!w->textcat) {
        w->textcat = langid_new(w->model);
        if (!w->textcat)
            return ng_worker_fail(w, NG_ENOMEM, "out of memory loading the language identifier");
    }
    langid *L = w->textcat;
    size_t n = take_sample(L, doc->text ? doc->text : "", doc->text ? doc->text_len : 0);
    unsigned hits[MAX_VOTE] = {0};
    size_t nwords, nletters;
    vote(L, L->sample, n, hits, &nwords, &nletters);
    size_t best = 0, second = MAX_VOTE;
    for (size_t v = 1; v < L->nvote; v++)
        if (hits[v] > hits[best])
            best = v;
    for (size_t v = 0; v < L->nvote; v++)
        if (v != best && (second == MAX_VOTE || hits[v] > hits[second]))
            second = v;
    unsigned hb = L->nvote ? hits[best] : 0, hs = second < MAX_VOTE ? hits[second] : 0;
    const char *sw_lang = hb > hs ? L->vote_code[best] : NULL;

    /* a clear vote settles it */
    if (sw_lang && hb >= 4 && hb * 5 >= nwords && hb >= 3 * hs) {
        snprintf(doc->lang, sizeof doc->lang, "%s", sw_lang);
        return NG_OK;
    }
    /* too short for n-grams: the hint, else a vote that is not a tie */
    if (nletters < 40 || L->nfp == 0) {
        if (sw_lang && hb >= 2 && hb >= 2 * hs && (hb >= 3 || !hint[0]))
            snprintf(doc->lang, sizeof doc->lang, "%s", sw_lang);
        else if (hint[0])
            snprintf(doc->lang, sizeof doc->lang, "%s", hint);
        else if (sw_lang && (L->nfp == 0 || nletters < 25))
            snprintf(doc->lang, sizeof doc->lang, "%s", sw_lang);
        if (doc->lang[0] || nletters < 25 || L->nfp == 0)
            return NG_OK;
    }
    void *unknown = fp_Init(NULL);
    if (!unknown)
        return ng_worker_fail(w, NG_ENOMEM, "out of memory identifying the language");
    fp_SetProperty(unknown, TCPROP_UTF8AWARE, TC_TRUE);
    /* n-gram profiles cost time in proportion to the text: TEXTCAT_MAX
     * bytes, taken evenly from the sample's windows, are enough to tell */
    size_t tn = 0;
    for (size_t k = 0; k < L->nwin; k++) {
        size_t a = L->win[k][0], b = L->win[k][1];
        size_t room = TEXTCAT_MAX / L->nwin;
        if (b - a > room) {
            b = a + room;
            while (b > a + room / 2 && L->sample[b] != ' ' && L->sample[b] != '\n')
                b--;
        }
        memcpy(L->tcbuf + tn, L->sample + a, b - a);
        tn += b - a;
        L->tcbuf[tn++] = '\n';
    }
    L->tcbuf[tn] = '\0'; /* libexttextcat reads up to a NUL */
    if (fp_Create(unknown, L->tcbuf, (uint4)tn, NGRAMS) == 0) {
        fp_Done(unknown);
        if (hint[0])
            snprintf(doc->lang, sizeof doc->lang, "%s", hint);
        else if (sw_lang)
            snprintf(doc->lang, sizeof doc->lang, "%s", sw_lang);
        return NG_OK;
    }
    int scores[MAX_CAND];
    int bestscore = 0x7fffffff;
    size_t tc = 0;
    for (size_t i = 0; i < L->nfp; i++) {
        /* no early cut-off: every score is wanted for the tie rules below */
        scores[i] = fp_Compare(L->fp[i], unknown, 0x7fffffff);
        if (scores[i] < bestscore) {
            bestscore = scores[i];
            tc = i;
        }
    }
    fp_Done(unknown);
    const char *answer = L->fp_code[tc];
    /* a near tie: prefer the vote's winner, then the hint */
    for (size_t i = 0; i < L->nfp; i++) {
        if ((double)scores[i] > (double)bestscore * 1.04)
            continue;
        if (sw_lang && hb >= 2 && hb >= 2 * hs && strcmp(L->fp_code[i], sw_lang) == 0) {
            answer = sw_lang;
            break;
        }
        if (hint[0] && strcmp(L->fp_code[i], hint) == 0)
            answer = L->fp_code[i];
    }
    snprintf(doc->lang, sizeof doc->lang, "%s", answer);
    return NG_OK;
}
