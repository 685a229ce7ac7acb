/*
 * train-pos.c — ng-train-pos: trains the part-of-speech tagger (src/pos.c,
 * the sequence tagger of src/tagger.c over the 17 universal tags) from
 * Universal Dependencies CoNLL-U files, scores a dev set after each epoch,
 * and writes a model file (docs/models.md).  Deterministic: the same
 * inputs and options give the same bytes.
 *
 *   ng-train-pos --lang en --train EWT-train.conllu --train GUM.conllu \
 *                --dev EWT-dev.conllu --clusters-from models/ner-en.bin \
 *                --out models/pos-en.bin
 *   ng-train-pos --lang en --model models/pos-en.bin --dev EWT-dev.conllu \
 *                [--bench] [--bench-text FILE-OR-FOLDER]
 *
 * Only integer-ID lines are words.  The tokens the tagger learns are the
 * program's own: each sentence is rebuilt as text (forms joined by a space,
 * none after SpaceAfter=No), cut by the library's segmenter (segment.c),
 * and each of its tokens gets the tag of the gold word(s) under it:
 *   - a multiword token the segmenter keeps whole ("du" = de + le, "au",
 *     "cannot", "gonna") takes the tag of its first word (ADP, AUX ...);
 *     one it splits like UD ("do" + "n't", "I" + "'m") keeps each word's;
 *   - a token over several words ("well-known" = well - known) takes the
 *     tag of its last word that is not punctuation (nor a pronoun glued
 *     with a hyphen: "devez-vous" is a verb), and a hyphenated compound
 *     ending in a participle ("so-called") is an adjective;
 *   - a multiword token the segmenter cuts into as many pieces as it has
 *     words gives each piece its word's tag;
 *   - a piece of punctuation cut out of a longer word is PUNCT.
 * --gold-tokens trains on the gold words instead (multiword tokens that
 * are not the concatenation of their words stay one token, first word's
 * tag).  Scores are printed for both tokenizations of the dev set.
 */
#include "pos.h"
#include "tagger.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static void die(const char *fmt, const char *arg)
{
    fprintf(stderr, "ng-train-pos: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n");
    exit(1);
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        die("%s", "out of memory");
    return p;
}

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p)
        die("%s", "out of memory");
    return p;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        die("cannot open %s", path);
    if (fseek(f, 0, SEEK_END) != 0)
        die("cannot read %s", path);
    long n = ftell(f);
    if (n < 0 || fseek(f, 0, SEEK_SET) != 0)
        die("cannot read %s", path);
    char *b = xmalloc((size_t)n + 1);
    if (n > 0 && fread(b, 1, (size_t)n, f) != (size_t)n)
        die("cannot read %s", path);
    fclose(f);
    b[n] = '\0';
    *len = (size_t)n;
    return b;
}

static double cpu_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* ---- the gold sentences ------------------------------------------------- */

/* One gold word (or a multiword token kept whole) as a byte span of its
 * sentence's text. */
typedef struct {
    uint32_t a, b;
    uint8_t upos;       /* NG_UPOS_* */
    uint32_t ma, mb;    /* the multiword token it belongs to (ma == mb: none) */
    uint8_t mupos;      /* that token's first word's tag */
    uint8_t nw;         /* a multiword token kept whole: its words (0 otherwise, or over 4) */
    uint8_t wt[4];      /* ... and their tags */
} unit;

typedef struct {
    char *text; /* the sentence rebuilt: forms, a space unless SpaceAfter=No */
    size_t len;
    unit *u;
    size_t nu;
} gsent;

typedef struct {
    gsent *s;
    size_t n, cap;
    size_t words;      /* integer-ID lines read */
    size_t mwt;        /* multiword tokens */
    size_t mwt_split;  /* ... whose words spell the token (kept as words) */
} gcorpus;

static int upos_index(const char *s, size_t n)
{
    for (int t = 1; t < NG_UPOS_COUNT; t++) {
        const char *name = ng_upos_name(t);
        if (strlen(name) == n && memcmp(name, s, n) == 0)
            return t;
    }
    return NG_UPOS_NONE;
}

/* The tab-separated fields of a CoNLL-U line. */
static int split_fields(char *line, char **f, int max)
{
    int k = 0;
    f[k++] = line;
    for (char *p = line; *p && k < max; p++)
        if (*p == '\t') {
            *p = '\0';
            f[k++] = p + 1;
        }
    return k;
}

static int space_after_no(const char *misc) { return strstr(misc, "SpaceAfter=No") != NULL; }

/* A surface token while a sentence is read. */
typedef struct {
    char *form;
    int nospace;
    int nwords;          /* 0: a plain word; else a multiword token over nwords words */
    size_t first_word;   /* its first word in the word list */
    uint8_t upos;        /* a plain word's tag */
} surf;

typedef struct {
    char *form;
    uint8_t upos;
} word;

static void add_sentence(gcorpus *c, surf *S, size_t ns, word *W, const char *path, long lineno)
{
    if (ns == 0)
        return;
    ng_buf text;
    ng_buf_init(&text);
    unit *u = NULL;
    size_t nu = 0, cap = 0;
#define PUSH(A, B, T, MA, MB, MT)                                        \
    do {                                                                 \
        if (nu == cap)                                                   \
            u = xrealloc(u, (cap = cap ? 2 * cap : 32) * sizeof *u);     \
        u[nu++] = (unit){(uint32_t)(A), (uint32_t)(B), (uint8_t)(T), (uint32_t)(MA), (uint32_t)(MB), (uint8_t)(MT), 0, {0}}; \
    } while (0)
    for (size_t i = 0; i < ns; i++) {
        size_t a = text.len;
        ng_buf_puts(&text, S[i].form);
        size_t b = text.len;
        if (S[i].nwords == 0) {
            PUSH(a, b, S[i].upos, 0, 0, 0);
        } else {
            /* do the words spell the token?  ("do" + "n't" = "don't") */
            size_t total = 0;
            for (int k = 0; k < S[i].nwords; k++)
                total += strlen(W[S[i].first_word + k].form);
            int spells = total == b - a;
            for (int k = 0, off = 0; spells && k < S[i].nwords; k++) {
                const char *f = W[S[i].first_word + k].form;
                size_t fl = strlen(f);
                if (memcmp(text.p + a + off, f, fl) != 0)
                    spells = 0;
                off += (int)fl;
            }
            uint8_t first = W[S[i].first_word].upos;
            c->mwt++;
            if (spells) {
                c->mwt_split++;
                size_t off = a;
                for (int k = 0; k < S[i].nwords; k++) {
                    size_t fl = strlen(W[S[i].first_word + k].form);
                    PUSH(off, off + fl, W[S[i].first_word + k].upos, a, b, first);
                    off += fl;
                }
            } else {
                PUSH(a, b, first, a, b, first);
                if (S[i].nwords <= 4) {
                    u[nu - 1].nw = (uint8_t)S[i].nwords;
                    for (int k = 0; k < S[i].nwords; k++)
                        u[nu - 1].wt[k] = W[S[i].first_word + k].upos;
                }
            }
        }
        if (i + 1 < ns && !S[i].nospace)
            ng_buf_putc(&text, ' ');
    }
#undef PUSH
    if (text.oom)
        die("%s", "out of memory");
    for (size_t i = 0; i < nu; i++)
        if (u[i].upos == NG_UPOS_NONE) {
            fprintf(stderr, "ng-train-pos: %s:%ld: a word without a universal tag; sentence skipped\n", path, lineno);
            free(u);
            ng_buf_free(&text);
            return;
        }
    if (c->n == c->cap)
        c->s = xrealloc(c->s, (c->cap = c->cap ? 2 * c->cap : 1024) * sizeof *c->s);
    c->s[c->n++] = (gsent){text.p, text.len, u, nu};
}

/* Reads one CoNLL-U file into c. */
static void read_conllu(gcorpus *c, const char *path)
{
    size_t len;
    char *buf = read_file(path, &len);
    surf *S = NULL;
    word *W = NULL;
    size_t ns = 0, nw = 0, caps = 0, capw = 0;
    long range_end = 0; /* last word ID of the open multiword token */
    long lineno = 0;
    char *p = buf;
    for (;;) {
        char *nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        lineno++;
        size_t ll = strlen(p);
        if (ll && p[ll - 1] == '\r')
            p[--ll] = '\0';
        if (ll == 0) {
            add_sentence(c, S, ns, W, path, lineno);
            for (size_t i = 0; i < ns; i++)
                free(S[i].form);
            for (size_t i = 0; i < nw; i++)
                free(W[i].form);
            ns = nw = 0;
            range_end = 0;
        } else if (p[0] != '#') {
            char *f[10];
            if (split_fields(p, f, 10) < 10)
                die("%s: a line without 10 fields", path);
            char *dash = strchr(f[0], '-'), *dot = strchr(f[0], '.');
            long id = strtol(f[0], NULL, 10);
            if (dot) {
                /* an empty node: not a word */
            } else if (dash) {
                if (ns == caps)
                    S = xrealloc(S, (caps = caps ? 2 * caps : 64) * sizeof *S);
                range_end = strtol(dash + 1, NULL, 10);
                S[ns++] = (surf){strdup(f[1]), space_after_no(f[9]), (int)(range_end - id + 1), nw, 0};
            } else {
                if (nw == capw)
                    W = xrealloc(W, (capw = capw ? 2 * capw : 64) * sizeof *W);
                uint8_t t = (uint8_t)upos_index(f[3], strlen(f[3]));
                W[nw++] = (word){strdup(f[1]), t};
                c->words++;
                if (id > range_end) {
                    if (ns == caps)
                        S = xrealloc(S, (caps = caps ? 2 * caps : 64) * sizeof *S);
                    S[ns++] = (surf){strdup(f[1]), space_after_no(f[9]), 0, nw - 1, t};
                } else if (ns > 0 && S[ns - 1].nwords > 0 && nw - S[ns - 1].first_word > (size_t)S[ns - 1].nwords) {
                    die("%s: a multiword token's words are out of order", path);
                }
            }
        }
        if (!nl)
            break;
        p = nl + 1;
    }
    add_sentence(c, S, ns, W, path, lineno);
    for (size_t i = 0; i < ns; i++)
        free(S[i].form);
    for (size_t i = 0; i < nw; i++)
        free(W[i].form);
    free(S);
    free(W);
    free(buf);
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* A .conllu file, or every .conllu file of a folder (sorted by name). */
static void read_data(gcorpus *c, const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        die("cannot open %s", path);
    if (!S_ISDIR(st.st_mode)) {
        read_conllu(c, path);
        return;
    }
    DIR *d = opendir(path);
    if (!d)
        die("cannot open %s", path);
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (l > 7 && strcmp(e->d_name + l - 7, ".conllu") == 0) {
            names = xrealloc(names, (n + 1) * sizeof *names);
            names[n++] = strdup(e->d_name);
        }
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n; i++) {
        char full[4096];
        snprintf(full, sizeof full, "%s/%s", path, names[i]);
        read_conllu(c, full);
        free(names[i]);
    }
    free(names);
}

/* ---- the tagger's sentences -------------------------------------------- */

/* A corpus in the tagger's form: the tokens point into the gold texts. */
typedef struct {
    ng_tsent *s;
    size_t n;
    size_t tokens;
} tcorpus;

/* Gold tag index in the model: NG_UPOS_* - 1. */
#define TAG(upos) ((uint8_t)((upos) - 1))

static void tc_add(tcorpus *tc, ng_tword *w, uint8_t *g, size_t n)
{
    tc->s[tc->n++] = (ng_tsent){w, g, n};
    tc->tokens += n;
}

/* The gold words as tokens. */
static tcorpus gold_tokens(const gcorpus *c)
{
    tcorpus tc = {xmalloc(c->n * sizeof(ng_tsent)), 0, 0};
    for (size_t i = 0; i < c->n; i++) {
        const gsent *s = &c->s[i];
        ng_tword *w = xmalloc(s->nu * sizeof *w);
        uint8_t *g = xmalloc(s->nu);
        for (size_t k = 0; k < s->nu; k++) {
            w[k] = (ng_tword){s->text + s->u[k].a, s->u[k].b - s->u[k].a, 0, 0};
            g[k] = TAG(s->u[k].upos);
        }
        tc_add(&tc, w, g, s->nu);
    }
    return tc;
}

/* 1 when s[0..n) has no letter or digit. */
static int all_punct(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch >= 0x80 || (ch >= '0' && ch <= '9') || ((ch | 32) >= 'a' && (ch | 32) <= 'z'))
            return 0;
    }
    return 1;
}

/* When the tokens of doc tile [a, b) exactly, returns how many they are and
 * sets *which to token k's place among them; else 0. */
static size_t pieces_of(const ng_doc *doc, uint32_t a, uint32_t b, size_t k, size_t *which)
{
    size_t f = k, l = k;
    while (f > 0 && doc->tokens[f - 1].start >= a)
        f--;
    while (l + 1 < doc->ntokens && doc->tokens[l + 1].end <= b)
        l++;
    if (doc->tokens[f].start != a || doc->tokens[l].end != b)
        return 0;
    for (size_t q = f; q < l; q++)
        if (doc->tokens[q].end != doc->tokens[q + 1].start)
            return 0;
    *which = k - f;
    return l - f + 1;
}

/* Counts of how the program's tokens met the gold words. */
typedef struct {
    size_t same, merged, split_punct, split_word, mwt_whole, none;
} align_stats;

/* The program's tokens (segment.c) with the gold tags under them. */
static tcorpus program_tokens(const gcorpus *c, ng_worker *w, const ng_lang *L, align_stats *st)
{
    tcorpus tc = {xmalloc(c->n * sizeof(ng_tsent)), 0, 0};
    memset(st, 0, sizeof *st);
    for (size_t i = 0; i < c->n; i++) {
        const gsent *s = &c->s[i];
        ng_doc *doc = calloc(1, sizeof *doc);
        if (!doc)
            die("%s", "out of memory");
        ng_arena_init(&doc->arena);
        doc->model = w->model;
        doc->lang_res = L;
        doc->text = ng_arena_strndup(&doc->arena, s->text, s->len);
        doc->text_len = s->len;
        if (!doc->text || ng_segment(w, doc) != NG_OK)
            die("%s", "cannot segment a sentence (out of memory)");
        size_t n = doc->ntokens;
        ng_tword *tw = xmalloc(n * sizeof *tw);
        uint8_t *g = xmalloc(n);
        size_t u0 = 0;
        for (size_t k = 0; k < n; k++) {
            uint32_t a = doc->tokens[k].start, b = doc->tokens[k].end;
            tw[k] = (ng_tword){s->text + a, b - a, 0, 0};
            while (u0 < s->nu && s->u[u0].b <= a)
                u0++;
            size_t u1 = u0;
            while (u1 < s->nu && s->u[u1].a < b)
                u1++;
            /* units u0..u1-1 overlap [a, b) */
            uint8_t t = NG_UPOS_X;
            size_t piece = 0;
            if (u1 == u0) {
                st->none++;
            } else if (s->u[u0].ma != s->u[u0].mb && s->u[u0].ma == a && s->u[u0].mb == b) {
                t = s->u[u0].mupos; /* a multiword token kept whole: its first word's tag */
                st->mwt_whole++;
            } else if (u1 == u0 + 1) {
                const unit *x = &s->u[u0];
                if (x->a == a && x->b == b) {
                    t = x->upos;
                    st->same++;
                } else if (x->nw > 1 && pieces_of(doc, x->a, x->b, k, &piece) == x->nw) {
                    t = x->wt[piece]; /* a multiword token cut into as many pieces as it has words */
                    st->split_word++;
                } else if (all_punct(s->text + a, b - a)) {
                    t = NG_UPOS_PUNCT; /* a mark cut out of a longer word */
                    st->split_punct++;
                } else {
                    t = x->upos;
                    st->split_word++;
                }
            } else {
                /* the last word that is not punctuation nor a clitic
                 * glued with a hyphen (UD French "devez" "-vous": the
                 * program keeps "devez-vous", a verb) */
                t = NG_UPOS_PUNCT;
                for (size_t q = u0; q < u1; q++)
                    if (s->u[q].upos != NG_UPOS_PUNCT && (q == u0 || s->text[s->u[q].a] != '-'))
                        t = s->u[q].upos;
                /* "well-known", "so-called", "US-based": a hyphenated
                 * compound ending in a participle is an adjective */
                if (t == NG_UPOS_VERB && memchr(s->text + a, '-', b - a))
                    t = NG_UPOS_ADJ;
                st->merged++;
            }
            g[k] = TAG(t);
        }
        tc_add(&tc, tw, g, n);
        ng_doc_free(doc);
    }
    return tc;
}

/* ---- scoring ------------------------------------------------------------ */

typedef struct {
    size_t n, ok;
    size_t conf[NG_UPOS_COUNT][NG_UPOS_COUNT]; /* gold x predicted, by tag index */
} acc;

static void score(const ng_tagger *t, const tcorpus *tc, int greedy, acc *out)
{
    memset(out, 0, sizeof *out);
    ng_tagger_scratch sc = {0};
    uint8_t *pred = NULL;
    size_t cap = 0;
    for (size_t i = 0; i < tc->n; i++) {
        const ng_tsent *s = &tc->s[i];
        if (s->n > cap)
            pred = xrealloc(pred, cap = s->n);
        int rc = greedy ? ng_tagger_tag_greedy(t, &sc, s->w, s->n, pred) : ng_tagger_tag(t, &sc, s->w, s->n, pred);
        if (rc != NG_OK)
            die("%s", "out of memory");
        for (size_t k = 0; k < s->n; k++) {
            out->n++;
            out->ok += pred[k] == s->gold[k];
            out->conf[s->gold[k]][pred[k]]++;
        }
    }
    free(pred);
    ng_tagger_scratch_free(&sc);
}

static double acc_of(const acc *a) { return a->n ? (double)a->ok / (double)a->n : 0; }

static void print_acc(FILE *f, const char *what, const acc *a, int per_tag)
{
    fprintf(f, "%s: accuracy %.4f (%zu of %zu tokens)\n", what, acc_of(a), a->ok, a->n);
    if (!per_tag)
        return;
    fprintf(f, "  %-6s %7s %7s %7s  most confused with\n", "tag", "gold", "recall", "prec");
    for (int t = 0; t < NG_UPOS_COUNT - 1; t++) {
        size_t g = 0, p = 0;
        for (int q = 0; q < NG_UPOS_COUNT - 1; q++) {
            g += a->conf[t][q];
            p += a->conf[q][t];
        }
        int worst = -1;
        for (int q = 0; q < NG_UPOS_COUNT - 1; q++)
            if (q != t && a->conf[t][q] && (worst < 0 || a->conf[t][q] > a->conf[t][worst]))
                worst = q;
        fprintf(f, "  %-6s %7zu %7.3f %7.3f  %s", ng_upos_name(t + 1), g, g ? (double)a->conf[t][t] / (double)g : 0,
                p ? (double)a->conf[t][t] / (double)p : 0, worst >= 0 ? ng_upos_name(worst + 1) : "");
        if (worst >= 0)
            fprintf(f, " (%zu)", a->conf[t][worst]);
        fprintf(f, "\n");
    }
}

typedef struct {
    const tcorpus *dev;
    double t0;
} devctx;

static double dev_cb(const ng_tagger *t, void *ctx, unsigned epoch)
{
    devctx *d = ctx;
    if (!d->dev || d->dev->n == 0)
        return -1;
    acc a;
    score(t, d->dev, 0, &a);
    fprintf(stderr, "epoch %2u: dev accuracy %.4f (%.0f s)\n", epoch, acc_of(&a), cpu_now() - d->t0);
    return acc_of(&a);
}

/* ---- speed -------------------------------------------------------------- */

/* Tags the dev sentences over and over for about two seconds of thread
 * CPU time; returns tokens per second. */
static double bench_tagger(const ng_tagger *t, const tcorpus *tc, int greedy)
{
    ng_tagger_scratch sc = {0};
    uint8_t *pred = NULL;
    size_t cap = 0, toks = 0;
    double a = cpu_now(), b;
    do {
        for (size_t i = 0; i < tc->n; i++) {
            if (tc->s[i].n > cap)
                pred = xrealloc(pred, cap = tc->s[i].n);
            if (greedy)
                ng_tagger_tag_greedy(t, &sc, tc->s[i].w, tc->s[i].n, pred);
            else
                ng_tagger_tag(t, &sc, tc->s[i].w, tc->s[i].n, pred);
            toks += tc->s[i].n;
        }
        b = cpu_now();
    } while (b - a < 2.0);
    free(pred);
    ng_tagger_scratch_free(&sc);
    return (double)toks / (b - a);
}

/* Adds the plain-text files at path (a file, or a folder's files sorted by
 * name, recursively) to the list. */
static void text_files(const char *path, char ***list, size_t *n)
{
    struct stat st;
    if (stat(path, &st) != 0)
        die("cannot open %s", path);
    if (!S_ISDIR(st.st_mode)) {
        *list = xrealloc(*list, (*n + 1) * sizeof **list);
        (*list)[(*n)++] = strdup(path);
        return;
    }
    DIR *d = opendir(path);
    if (!d)
        die("cannot open %s", path);
    char **names = NULL;
    size_t k = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.') {
            names = xrealloc(names, (k + 1) * sizeof *names);
            names[k++] = strdup(e->d_name);
        }
    closedir(d);
    qsort(names, k, sizeof *names, cmp_str);
    for (size_t i = 0; i < k; i++) {
        char full[4096];
        snprintf(full, sizeof full, "%s/%s", path, names[i]);
        text_files(full, list, n);
        free(names[i]);
    }
    free(names);
}

/* Times ng_pos_tag on real articles: each file is analyzed as plain text
 * in the given language up to segmentation, then the stage runs over all
 * of them for about three seconds of thread CPU time. */
static void bench_stage(ng_worker *w, const char *lang, const char *path)
{
    char **files = NULL;
    size_t nf = 0;
    text_files(path, &files, &nf);
    ng_doc **docs = xmalloc((nf ? nf : 1) * sizeof *docs);
    size_t nd = 0, toks = 0, sents = 0, bytes = 0;
    ng_worker_set_stages(w, 0);
    for (size_t i = 0; i < nf; i++) {
        size_t len;
        char *b = read_file(files[i], &len);
        ng_source src;
        ng_source_default(&src);
        src.format = NG_FORMAT_TEXT;
        src.lang = lang;
        ng_doc *d;
        if (len && ng_analyze(w, &src, b, len, &d) == NG_OK) {
            /* the stage tags with the model of the doc's language: make it
             * the one asked for whatever identification said */
            d->lang_res = ng_model_lang(w->model, lang);
            docs[nd++] = d;
            toks += d->ntokens;
            sents += d->nsentences;
            bytes += d->text_len;
        }
        free(b);
        free(files[i]);
    }
    free(files);
    if (toks == 0)
        die("%s: no text to time", path);
    size_t passes = 0;
    double a = cpu_now(), b;
    do {
        for (size_t i = 0; i < nd; i++)
            if (ng_pos_tag(w, docs[i]) != NG_OK)
                die("%s", ng_worker_error(w));
        passes++;
        b = cpu_now();
    } while (b - a < 3.0);
    double dt = b - a;
    size_t counts[NG_UPOS_COUNT] = {0};
    for (size_t i = 0; i < nd; i++)
        for (size_t k = 0; k < docs[i]->ntokens; k++)
            counts[docs[i]->pos ? docs[i]->pos[k] : 0]++;
    printf("ng_pos_tag on %s: %zu articles, %zu sentences, %zu tokens, %zu bytes; %zu passes in %.2f s:\n"
           "  %.0f tokens/s, %.0f sentences/s, %.1f MB/s per core (thread CPU time)\n",
           path, nd, sents, toks, bytes, passes, dt, (double)toks * (double)passes / dt,
           (double)sents * (double)passes / dt, (double)bytes * (double)passes / dt / 1e6);
    printf("  tags:");
    for (int t = 0; t < NG_UPOS_COUNT; t++)
        if (counts[t])
            printf(" %s %.1f%%", ng_upos_name(t), 100.0 * (double)counts[t] / (double)toks);
    printf("\n");
    for (size_t i = 0; i < nd; i++)
        ng_doc_free(docs[i]);
    free(docs);
}

/* ---- main --------------------------------------------------------------- */

static void usage(void)
{
    fprintf(stderr,
            "usage: ng-train-pos --lang LANG --train CONLLU... [--dev CONLLU...] --out FILE\n"
            "                    [--bits N] [--epochs N] [--patience N] [--seed N] [--families HEX]\n"
            "                    [--clusters-from MODEL] [--gold-tokens]\n"
            "       ng-train-pos --lang LANG --model FILE [--dev CONLLU...] [--bench] [--bench-text PATH]\n"
            "CONLLU: a .conllu file or a folder of them; --clusters-from copies the word clusters\n"
            "of a model file (the NER model of the language); --bench-text PATH (a text file or a\n"
            "folder) times ng_pos_tag; --model for it must be named pos-LANG.bin\n");
    exit(2);
}

int main(int argc, char **argv)
{
    const char *lang = NULL, *out = NULL, *model = NULL, *clfrom = NULL, *bench_text = NULL;
    const char *train[16], *dev[16];
    int ntrain = 0, ndev = 0, bench = 0, gold_tok = 0;
    ng_train_opts o;
    memset(&o, 0, sizeof o);
    o.p.bits = 17;
    o.p.seed = 1;
    /* measured (docs/models.md): affixes, the window and the bigrams carry
     * the accuracy; capitalisation context and clusters add nothing here */
    o.p.families = NG_FF_WORD | NG_FF_SHAPE | NG_FF_AFFIX | NG_FF_WINDOW | NG_FF_BIGRAM;
    o.p.scheme = NG_SCHEME_PLAIN;
    o.epochs = 25;
    o.patience = 3;
    o.shuffle_seed = 20240601;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define ARG(name) (strcmp(a, name) == 0 && v && (i++, 1))
        if (ARG("--lang"))
            lang = v;
        else if (ARG("--out"))
            out = v;
        else if (ARG("--model"))
            model = v;
        else if (ARG("--train") && ntrain < 16)
            train[ntrain++] = v;
        else if (ARG("--dev") && ndev < 16)
            dev[ndev++] = v;
        else if (ARG("--bits"))
            o.p.bits = (uint32_t)atoi(v);
        else if (ARG("--epochs"))
            o.epochs = (unsigned)atoi(v);
        else if (ARG("--patience"))
            o.patience = (unsigned)atoi(v);
        else if (ARG("--seed"))
            o.shuffle_seed = (uint32_t)strtoul(v, NULL, 10);
        else if (ARG("--families"))
            o.p.families = (uint32_t)strtoul(v, NULL, 16);
        else if (ARG("--clusters-from"))
            clfrom = v;
        else if (ARG("--bench-text"))
            bench_text = v;
        else if (strcmp(a, "--bench") == 0)
            bench = 1;
        else if (strcmp(a, "--gold-tokens") == 0)
            gold_tok = 1;
        else
            usage();
#undef ARG
    }
    if (!lang || (!model && (!out || ntrain == 0)))
        usage();
    if (o.p.bits < 8 || o.p.bits > 26)
        die("%s", "--bits must be 8..26");

    /* the library, for its segmenter (and for --bench-text, its POS stage) */
    ng_model *m;
    ng_worker *w;
    char err[1024];
    if (ng_model_new(&m, NULL, err, sizeof err) != NG_OK)
        die("%s", err);
    if (ng_worker_new(m, &w) != NG_OK)
        die("%s", "out of memory");
    ng_lang *L = NULL;
    for (size_t i = 0; i < m->nlangs; i++)
        if (strcmp(m->langs[i].code, lang) == 0)
            L = &m->langs[i];
    if (!L)
        die("no language '%s' in this build", lang);

    gcorpus gd = {0};
    for (int i = 0; i < ndev; i++)
        read_data(&gd, dev[i]);
    align_stats ast;
    tcorpus dev_gold = gold_tokens(&gd), dev_prog = program_tokens(&gd, w, L, &ast);

    if (model) { /* evaluate (and time) an existing model */
        ng_modelfile mf;
        double t0 = cpu_now();
        int rc = ng_modelfile_open(&mf, model, err, sizeof err);
        ng_tagger t;
        if (rc == NG_OK && (rc = ng_tagger_load(&t, &mf, err, sizeof err)) != NG_OK)
            die("%s", err);
        if (rc != NG_OK)
            die("%s", err);
        fprintf(stderr, "loaded %s in %.1f ms\n", model, (cpu_now() - t0) * 1000.0);
        if (gd.n) {
            acc a;
            score(&t, &dev_gold, 0, &a);
            print_acc(stdout, "dev, gold tokens", &a, 1);
            score(&t, &dev_prog, 0, &a);
            print_acc(stdout, "dev, the program's tokens", &a, 0);
            score(&t, &dev_gold, 1, &a);
            print_acc(stdout, "dev, gold tokens, greedy decoding", &a, 0);
        }
        if (bench && gd.n) {
            printf("bench (ng_tagger_tag on the dev sentences): Viterbi %.0f tokens/s, greedy %.0f tokens/s per core\n",
                   bench_tagger(&t, &dev_gold, 0), bench_tagger(&t, &dev_gold, 1));
        }
        if (bench_text) {
            /* the stage itself, with this model in place of the one the library found */
            char dir[4096], want[64];
            const char *slash = strrchr(model, '/');
            snprintf(want, sizeof want, "pos-%s.bin", lang);
            if (strcmp(slash ? slash + 1 : model, want) != 0)
                die("--bench-text needs the model named %s", want);
            snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - model) : 1, slash ? model : ".");
            ng_pos *p;
            if (ng_pos_load(&p, dir, lang, err, sizeof err) != NG_OK || !p)
                die("%s", err);
            ng_pos_free(L->pos);
            L->pos = p;
            bench_stage(w, lang, bench_text);
        }
        ng_modelfile_close(&mf);
        ng_worker_free(w);
        ng_model_free(m);
        return 0;
    }

    gcorpus gt = {0};
    for (int i = 0; i < ntrain; i++)
        read_data(&gt, train[i]);
    fprintf(stderr, "train: %zu sentences, %zu words (%zu multiword tokens, %zu of them spelled by their words)\n",
            gt.n, gt.words, gt.mwt, gt.mwt_split);
    align_stats tst;
    tcorpus tr_c = gold_tok ? gold_tokens(&gt) : program_tokens(&gt, w, L, &tst);
    if (!gold_tok)
        fprintf(stderr,
                "program's tokens: %zu; one gold word %zu, multiword token kept whole %zu, several words %zu, "
                "a mark cut from a word %zu, a piece of a word %zu, over no word %zu\n",
                tr_c.tokens, tst.same, tst.mwt_whole, tst.merged, tst.split_punct, tst.split_word, tst.none);
    fprintf(stderr, "dev: %zu sentences, %zu gold tokens, %zu program tokens\n", gd.n, dev_gold.tokens, dev_prog.tokens);

    o.p.ntags = NG_UPOS_COUNT - 1;
    for (unsigned t = 0; t < o.p.ntags; t++)
        snprintf(o.tags[t], sizeof o.tags[t], "%s", ng_upos_name((int)t + 1));
    /* word clusters, copied from another model (the NER model computes them) */
    ng_modelfile cmf;
    memset(&cmf, 0, sizeof cmf);
    if (clfrom) {
        ng_tagger ct;
        if (ng_modelfile_open(&cmf, clfrom, err, sizeof err) != NG_OK || ng_tagger_load(&ct, &cmf, err, sizeof err) != NG_OK)
            die("%s", err);
        if (!ct.clusters.nslots)
            die("%s has no word clusters", clfrom);
        o.clusters = ct.clusters;
        o.p.families |= NG_FF_CLUSTER;
    } else {
        o.p.families &= ~(uint32_t)NG_FF_CLUSTER;
    }
    devctx dc = {gold_tok ? &dev_gold : &dev_prog, cpu_now()};
    o.dev_score = dev_cb;
    o.dev_ctx = &dc;
    ng_trained tr;
    if (ng_tagger_train(&o, tr_c.s, tr_c.n, &tr) != NG_OK)
        die("%s", "training failed (out of memory)");
    fprintf(stderr, "best epoch %u, dev accuracy %.4f (%.0f s)\n", tr.best_epoch, tr.best_dev, cpu_now() - dc.t0);
    acc ag = {0}, ap = {0};
    if (gd.n) {
        score(&tr.t, &dev_gold, 0, &ag);
        print_acc(stdout, "dev, gold tokens", &ag, 1);
        score(&tr.t, &dev_prog, 0, &ap);
        print_acc(stdout, "dev, the program's tokens", &ap, 0);
    }
    /* meta: what made this model */
    ng_buf meta;
    ng_buf_init(&meta);
    ng_buf_printf(&meta, "kind=pos\nlang=%s\nscheme=plain\ntokens=%s\nbits=%u\nfamilies=%x\nepochs=%u\nbest_epoch=%u\nseed=%u\n",
                  lang, gold_tok ? "gold" : "program", o.p.bits, o.p.families, o.epochs, tr.best_epoch,
                  o.shuffle_seed);
    for (int i = 0; i < ntrain; i++) {
        const char *slash = strrchr(train[i], '/');
        ng_buf_printf(&meta, "train=%s\n", slash ? slash + 1 : train[i]);
    }
    for (int i = 0; i < ndev; i++) {
        const char *slash = strrchr(dev[i], '/');
        ng_buf_printf(&meta, "dev=%s\n", slash ? slash + 1 : dev[i]);
    }
    if (clfrom) {
        const char *slash = strrchr(clfrom, '/');
        ng_buf_printf(&meta, "clusters_from=%s\n", slash ? slash + 1 : clfrom);
    }
    if (gd.n)
        ng_buf_printf(&meta, "dev_accuracy_gold_tokens=%.4f\ndev_accuracy_program_tokens=%.4f\n", acc_of(&ag),
                      acc_of(&ap));
    ng_buf_printf(&meta, "train_tokens=%zu\ncluster_slots=%u\n", tr_c.tokens, o.clusters.nslots);
    ng_mf_writer wr;
    ng_mf_writer_init(&wr);
    int rc = meta.oom ? NG_ENOMEM : ng_mf_writer_add(&wr, "meta", meta.p, meta.len);
    if (rc == NG_OK)
        rc = ng_tagger_write(&tr.t, &wr);
    unsigned char *file = NULL;
    size_t flen = 0;
    if (rc == NG_OK)
        rc = ng_mf_writer_finish(&wr, &file, &flen);
    if (rc != NG_OK)
        die("%s", "cannot build the model file");
    FILE *f = fopen(out, "wb");
    if (!f || fwrite(file, 1, flen, f) != flen || fclose(f) != 0)
        die("cannot write %s", out);
    fprintf(stderr, "wrote %s (%zu bytes)\n", out, flen);
    free(file);
    ng_mf_writer_free(&wr);
    ng_buf_free(&meta);
    ng_trained_free(&tr);
    ng_modelfile_close(&cmf);
    ng_worker_free(w);
    ng_model_free(m);
    return 0;
}
