/*
 * train-ner.c — ng-train-ner: trains the named-entity tagger (src/tagger.c)
 * from CoNLL, HIPE or Europeana files, computes word clusters from plain
 * text, scores the dev set on its gold tokenization, and writes a model file
 * (docs/models.md).  Deterministic: the same inputs and options give the
 * same bytes.
 *
 *   ng-train-ner --lang en --train conll:TRAIN --dev conll:DEV \
 *                --text conll:TRAIN --text conllu:UD.conllu --text txt:DIR \
 *                --out models/ner-en.bin
 *   ng-train-ner --model models/ner-en.bin --dev conll:DEV [--bench]
 *
 * A data argument is FORMAT:PATH with FORMAT one of conll (token ... TAG,
 * IOB1 or IOB2, -DOCSTART- between documents), hipe (HIPE-2022 TSV), bio
 * (token TAG, no sentence breaks: Europeana), conllu (word forms only) and
 * txt (plain text: a file or a folder of files; only for --text).
 * Several --train (or --dev) files are concatenated.
 */
#include "tagger.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static void die(const char *fmt, const char *arg)
{
    fprintf(stderr, "ng-train-ner: ");
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

static char *xstrndup(const char *s, size_t n)
{
    char *d = xmalloc(n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

/* Reads a whole file into a NUL-terminated malloc'd buffer. */
static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        die("cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = xmalloc((size_t)n + 1);
    if (n > 0 && fread(b, 1, (size_t)n, f) != (size_t)n)
        die("cannot read %s", path);
    fclose(f);
    b[n] = '\0';
    *len = (size_t)n;
    return b;
}

/* ---- the corpus --------------------------------------------------------- */

/* The entity types, in tag order. */
static const char *const TYPES[] = {"PER", "ORG", "LOC", "MISC"};
#define NTYPES 4

typedef struct {
    char *s;       /* token */
    int type;      /* -1 outside, else index into TYPES */
    int begin;     /* 1 when the token starts an entity */
    int nospace;   /* no space after it in the original text (HIPE NoSpaceAfter) */
} tok;

typedef struct {
    tok *t;
    size_t n, cap;
    size_t *sent;  /* start index of each sentence; sentence i is [sent[i], sent[i+1]) */
    size_t nsent, capsent;
    size_t *doc;   /* first sentence of each document */
    size_t ndoc, capdoc;
} corpus;

static int type_index(const char *tag)
{
    if (strcmp(tag, "HumanProd") == 0 || strcmp(tag, "PROD") == 0 || strcmp(tag, "prod") == 0)
        return 3;
    if (strcmp(tag, "pers") == 0)
        return 0;
    if (strcmp(tag, "org") == 0)
        return 1;
    if (strcmp(tag, "loc") == 0)
        return 2;
    for (int i = 0; i < NTYPES; i++)
        if (strcmp(tag, TYPES[i]) == 0)
            return i;
    return -2;
}

static void c_doc(corpus *c)
{
    if (c->ndoc && c->doc[c->ndoc - 1] == c->nsent)
        return;
    if (c->ndoc == c->capdoc)
        c->doc = xrealloc(c->doc, (c->capdoc = c->capdoc * 2 + 16) * sizeof *c->doc);
    c->doc[c->ndoc++] = c->nsent;
}

/* Closes the current sentence (when it has tokens). */
static void c_sent_end(corpus *c)
{
    size_t start = c->nsent ? c->sent[c->nsent] : 0;
    (void)start;
    if (c->nsent == c->capsent) {
        c->sent = xrealloc(c->sent, ((c->capsent = c->capsent * 2 + 16) + 1) * sizeof *c->sent);
        if (c->nsent == 0)
            c->sent[0] = 0;
    }
    if (c->n > c->sent[c->nsent]) {
        if (c->ndoc == 0)
            c_doc(c);
        c->nsent++;
        c->sent[c->nsent] = c->n;
    }
}

/* Adds a token with an IOB tag ("O", "B-PER", "I-PER"); IOB1 and IOB2 both
 * work: an I- tag after O or after another type starts an entity. */
static void c_add(corpus *c, const char *s, size_t n, const char *tag)
{
    if (c->capsent == 0)
        c_sent_end(c);
    if (c->n == c->cap)
        c->t = xrealloc(c->t, (c->cap = c->cap * 2 + 1024) * sizeof *c->t);
    tok *t = &c->t[c->n];
    t->s = xstrndup(s, n);
    t->type = -1;
    t->begin = 0;
    t->nospace = 0;
    if (tag[0] && strcmp(tag, "O") != 0 && strcmp(tag, "_") != 0 && tag[1] == '-') {
        int ty = type_index(tag + 2);
        if (ty >= 0) {
            t->type = ty;
            int first_of_sent = c->n == c->sent[c->nsent];
            const tok *prev = first_of_sent ? NULL : &c->t[c->n - 1];
            t->begin = tag[0] == 'B' || tag[0] == 'S' || tag[0] == 'U' || !prev || prev->type != ty;
        }
    }
    c->n++;
}

/* Reads `token ... TAG` lines. */
static void read_conll(corpus *c, const char *path)
{
    size_t len;
    char *b = read_file(path, &len);
    c_doc(c);
    char *p = b;
    while (*p) {
        char *nl = strchr(p, '\n');
        if (!nl)
            nl = p + strlen(p);
        int more = *nl != '\0';
        char *e = nl;
        if (e > p && e[-1] == '\r')
            e--;
        *e = '\0';
        if (p == e) {
            c_sent_end(c);
        } else if (strncmp(p, "-DOCSTART-", 10) == 0) {
            c_sent_end(c);
            c_doc(c);
        } else {
            char *sp = strchr(p, ' ');
            if (!sp)
                sp = strchr(p, '\t');
            char *last = strrchr(p, ' ');
            char *lt = strrchr(p, '\t');
            if (!last || (lt && lt > last))
                last = lt;
            if (sp && last)
                c_add(c, p, (size_t)(sp - p), last + 1);
        }
        p = more ? nl + 1 : nl;
    }
    c_sent_end(c);
    free(b);
}

/* Reads HIPE TSV: TOKEN and NE-COARSE-LIT columns, EndOfSentence flags,
 * document_id comments. */
static void read_hipe(corpus *c, const char *path)
{
    size_t len;
    char *b = read_file(path, &len);
    char *p = b;
    while (*p) {
        char *nl = strchr(p, '\n');
        if (!nl)
            nl = p + strlen(p);
        int more = *nl != '\0';
        char *e = nl;
        if (e > p && e[-1] == '\r')
            e--;
        *e = '\0';
        if (p == e) {
            c_sent_end(c);
        } else if (*p == '#') {
            if (strstr(p, "document_id")) {
                c_sent_end(c);
                c_doc(c);
            }
        } else if (strncmp(p, "TOKEN\t", 6) != 0) {
            char *cols[10] = {0};
            int k = 0;
            char *q = p;
            while (k < 10) {
                cols[k++] = q;
                char *tab = strchr(q, '\t');
                if (!tab)
                    break;
                *tab = '\0';
                q = tab + 1;
            }
            if (k >= 2) {
                const char *misc = k >= 10 ? cols[9] : "";
                c_add(c, cols[0], strlen(cols[0]), cols[1]);
                c->t[c->n - 1].nospace = strstr(misc, "NoSpaceAfter") != NULL;
                if (strstr(misc, "EndOfSentence"))
                    c_sent_end(c);
            }
        }
        p = more ? nl + 1 : nl;
    }
    c_sent_end(c);
    free(b);
}

/* Reads `token TAG` lines without sentence breaks (Europeana): a sentence
 * ends after . ! ? (or at 80 tokens, outside entities); a pseudo-document
 * every 400 tokens. */
static void read_bio(corpus *c, const char *path)
{
    size_t len;
    char *b = read_file(path, &len);
    char *p = b;
    size_t in_sent = 0, in_doc = 0;
    c_doc(c);
    while (*p) {
        char *nl = strchr(p, '\n');
        if (!nl)
            nl = p + strlen(p);
        int more = *nl != '\0';
        char *e = nl;
        if (e > p && e[-1] == '\r')
            e--;
        *e = '\0';
        char *sp = strrchr(p, ' ');
        if (sp && sp > p) {
            c_add(c, p, (size_t)(sp - p), sp + 1);
            in_sent++;
            in_doc++;
            int endp = (sp - p == 1 && (*p == '.' || *p == '!' || *p == '?'));
            if (endp || (in_sent >= 80 && c->t[c->n - 1].type < 0)) {
                c_sent_end(c);
                in_sent = 0;
                if (in_doc >= 400) {
                    c_doc(c);
                    in_doc = 0;
                }
            }
        }
        p = more ? nl + 1 : nl;
    }
    c_sent_end(c);
    free(b);
}

static void read_data(corpus *c, const char *arg)
{
    const char *colon = strchr(arg, ':');
    if (!colon)
        die("data '%s' must be FORMAT:PATH", arg);
    size_t fl = (size_t)(colon - arg);
    const char *path = colon + 1;
    if (fl == 5 && strncmp(arg, "conll", 5) == 0)
        read_conll(c, path);
    else if (fl == 4 && strncmp(arg, "hipe", 4) == 0)
        read_hipe(c, path);
    else if (fl == 3 && strncmp(arg, "bio", 3) == 0)
        read_bio(c, path);
    else
        die("unknown data format in '%s' (conll, hipe, bio)", arg);
}

/* ---- the program's own tokenization (--retokenize) --------------------- */

/* Rebuilds each document of in as text the way ../shared/tools/eval-ner
 * sends it (tokens joined by a space, or none after a NoSpaceAfter token;
 * sentences by a newline), runs the library on it (text cleaning,
 * segmentation) and appends to out the program's tokens and sentences,
 * each token labelled with the gold entity it overlaps (the first token
 * overlapping an entity begins it).  So the tagger learns on the tokens it
 * will see: HIPE splits "l" "'" "Etat", the program "l'" "Etat". */
static void retokenize(const corpus *in, corpus *out, const char *lang)
{
    ng_model *m;
    ng_worker *w;
    char err[512];
    if (ng_model_new(&m, NULL, err, sizeof err) != NG_OK)
        die("%s", err);
    if (ng_worker_new(m, &w) != NG_OK)
        die("%s", "out of memory");
    ng_worker_set_stages(w, 0);
    ng_buf text;
    ng_buf_init(&text);
    size_t *ts = xmalloc((in->n + 1) * sizeof *ts), *te = xmalloc((in->n + 1) * sizeof *te);
    size_t lost = 0, kept = 0;
    for (size_t d = 0; d < in->ndoc; d++) {
        size_t s0 = in->doc[d], s1 = d + 1 < in->ndoc ? in->doc[d + 1] : in->nsent;
        if (s0 >= s1)
            continue;
        ng_buf_reset(&text);
        size_t t0 = in->sent[s0], t1 = in->sent[s1];
        for (size_t si = s0; si < s1; si++) {
            if (si > s0)
                ng_buf_putc(&text, '\n');
            for (size_t i = in->sent[si]; i < in->sent[si + 1]; i++) {
                if (i > in->sent[si] && !in->t[i - 1].nospace)
                    ng_buf_putc(&text, ' ');
                ts[i] = text.len;
                ng_buf_puts(&text, in->t[i].s);
                te[i] = text.len;
            }
        }
        ng_source src;
        ng_source_default(&src);
        src.lang = lang;
        src.format = NG_FORMAT_TEXT;
        ng_doc *doc;
        if (ng_analyze(w, &src, text.p, text.len, &doc) != NG_OK) {
            lost += t1 - t0;
            continue;
        }
        size_t dlen;
        const char *dt = ng_doc_text(doc, &dlen);
        size_t nt = ng_doc_token_count(doc), ns = ng_doc_sentence_count(doc);
        size_t cur = 0, g = t0, si = 0, last_begun = (size_t)-1;
        size_t sent_end = 0;
        c_sent_end(out);
        c_doc(out);
        for (size_t k = 0; k < nt; k++) {
            size_t a, b;
            ng_doc_token(doc, k, &a, &b);
            while (si < ns) { /* the sentence holding token k */
                size_t sa, sb;
                ng_doc_sentence(doc, si, &sa, &sb);
                if (a < sb) {
                    if (sent_end != sb) {
                        c_sent_end(out);
                        sent_end = sb;
                    }
                    break;
                }
                si++;
            }
            /* where the token is in our text (the cleaner may have moved things) */
            const char *hit = NULL;
            size_t tl = b - a;
            if (cur < text.len && tl > 0) {
                size_t lim = cur + 4096 < text.len ? cur + 4096 : text.len;
                for (size_t q = cur; q + tl <= lim; q++)
                    if (text.p[q] == dt[a] && memcmp(text.p + q, dt + a, tl) == 0) {
                        hit = text.p + q;
                        break;
                    }
            }
            const char *tag = "O";
            char tagbuf[16];
            if (hit) {
                size_t ca = (size_t)(hit - text.p), cb = ca + tl;
                cur = cb;
                while (g < t1 && te[g] <= ca)
                    g++;
                /* the first gold token overlapping [ca, cb) with an entity */
                for (size_t q = g; q < t1 && ts[q] < cb; q++) {
                    if (in->t[q].type < 0)
                        continue;
                    size_t eb = q; /* the entity's first token */
                    while (eb > t0 && !in->t[eb].begin && in->t[eb - 1].type == in->t[q].type)
                        eb--;
                    snprintf(tagbuf, sizeof tagbuf, "%c-%s", eb != last_begun ? 'B' : 'I', TYPES[in->t[q].type]);
                    last_begun = eb;
                    tag = tagbuf;
                    break;
                }
                kept++;
            } else {
                lost++;
            }
            if (tag[0] == 'O')
                last_begun = (size_t)-1;
            c_add(out, dt + a, tl, tag);
        }
        c_sent_end(out);
        ng_doc_free(doc);
    }
    fprintf(stderr, "retokenized: %zu tokens placed, %zu not found in the source\n", kept, lost);
    free(ts);
    free(te);
    ng_buf_free(&text);
    ng_worker_free(w);
    ng_model_free(m);
}

/* ---- tags --------------------------------------------------------------- */

static int g_bilou = 1;

/* Fills the tag names: O, then B I L U (or B I) for each type. */
static unsigned make_tags(char tags[NG_TAGGER_MAX_TAGS][16])
{
    unsigned k = 0;
    memset(tags, 0, NG_TAGGER_MAX_TAGS * 16);
    strcpy(tags[k++], "O");
    for (int ty = 0; ty < NTYPES; ty++) {
        const char *kinds = g_bilou ? "BILU" : "BI";
        for (const char *q = kinds; *q; q++)
            snprintf(tags[k++], 16, "%c-%s", *q, TYPES[ty]);
    }
    return k;
}

/* The gold tag index of token i of sentence [s, e). */
static uint8_t gold_tag(const corpus *c, size_t i, size_t e)
{
    const tok *t = &c->t[i];
    if (t->type < 0)
        return 0;
    int last = i + 1 >= e || c->t[i + 1].type != t->type || c->t[i + 1].begin;
    unsigned base = 1 + (unsigned)t->type * (g_bilou ? 4 : 2);
    if (!g_bilou)
        return (uint8_t)(base + (t->begin ? 0 : 1));
    if (t->begin)
        return (uint8_t)(base + (last ? 3 : 0));
    return (uint8_t)(base + (last ? 2 : 1));
}

/* ---- document context (NG_FF_DOC) -------------------------------------- */

/* Makes the tagger's words for a corpus, with document context bits. */
static ng_tsent *make_sents(const corpus *c, uint32_t families, const ng_gazetteer *gz)
{
    ng_tsent *S = xmalloc(c->nsent * sizeof *S);
    ng_tword *W = xmalloc(c->n * sizeof *W);
    uint8_t *G = xmalloc(c->n);
    for (size_t i = 0; i < c->n; i++) {
        W[i].s = c->t[i].s;
        W[i].len = (uint32_t)strlen(c->t[i].s);
        W[i].gaz = 0;
        W[i].doc = 0;
    }
    for (size_t si = 0; si < c->nsent; si++) {
        size_t s = c->sent[si], e = c->sent[si + 1];
        S[si].w = W + s;
        S[si].gold = G + s;
        S[si].n = e - s;
        for (size_t i = s; i < e; i++)
            G[i] = gold_tag(c, i, e);
        if (gz)
            ng_gaz_mark(gz, W + s, e - s);
    }
    if (families & NG_FF_DOC) {
        uint8_t *first = xmalloc(c->n);
        memset(first, 0, c->n);
        for (size_t si = 0; si < c->nsent; si++)
            first[c->sent[si]] = 1;
        for (size_t d = 0; d < c->ndoc; d++) {
            size_t s0 = c->doc[d] < c->nsent ? c->sent[c->doc[d]] : c->n;
            size_t e0 = d + 1 < c->ndoc ? (c->doc[d + 1] < c->nsent ? c->sent[c->doc[d + 1]] : c->n) : c->n;
            if (e0 > s0)
                ng_tagger_doc_context(W + s0, first + s0, e0 - s0);
            if (e0 > s0 && (families & NG_FF_DOC2))
                ng_tagger_doc_context2(W + s0, first + s0, e0 - s0);
        }
        free(first);
    }
    return S;
}

/* ---- scoring ------------------------------------------------------------ */

typedef struct {
    long tp[NTYPES], fp[NTYPES], fn[NTYPES];
} prf;

static double f1_of(long tp, long fp, long fn)
{
    double p = tp + fp ? (double)tp / (double)(tp + fp) : 0, r = tp + fn ? (double)tp / (double)(tp + fn) : 0;
    return p + r > 0 ? 2 * p * r / (p + r) : 0;
}

static int type_of_tag(const ng_tagger *t, unsigned tag)
{
    for (int i = 0; i < NTYPES; i++)
        if (strcmp(t->types[tag], TYPES[i]) == 0)
            return i;
    return -1;
}

/* Tags every dev sentence and counts exact-match entities. */
static void score(const ng_tagger *t, const ng_tsent *S, size_t n, prf *out)
{
    memset(out, 0, sizeof *out);
    ng_tagger_scratch sc = {0};
    uint8_t *pred = NULL;
    size_t cap = 0;
    uint32_t *f1 = NULL, *l1 = NULL, *f2 = NULL, *l2 = NULL;
    uint8_t *y1 = NULL, *y2 = NULL;
    for (size_t i = 0; i < n; i++) {
        if (S[i].n > cap) {
            cap = S[i].n * 2;
            pred = xrealloc(pred, cap);
            f1 = xrealloc(f1, cap * 4);
            l1 = xrealloc(l1, cap * 4);
            f2 = xrealloc(f2, cap * 4);
            l2 = xrealloc(l2, cap * 4);
            y1 = xrealloc(y1, cap);
            y2 = xrealloc(y2, cap);
        }
        if (ng_tagger_tag(t, &sc, S[i].w, S[i].n, pred) != NG_OK)
            die("%s", "out of memory");
        size_t ng = ng_tags_to_spans(t, S[i].gold, S[i].n, f1, l1, y1, cap);
        size_t np = ng_tags_to_spans(t, pred, S[i].n, f2, l2, y2, cap);
        for (size_t a = 0; a < np; a++) {
            int ty = type_of_tag(t, y2[a]);
            int hit = 0;
            for (size_t b = 0; b < ng && !hit; b++)
                hit = f1[b] == f2[a] && l1[b] == l2[a] && type_of_tag(t, y1[b]) == ty;
            if (ty >= 0) {
                if (hit)
                    out->tp[ty]++;
                else
                    out->fp[ty]++;
            }
        }
        for (size_t b = 0; b < ng; b++) {
            int ty = type_of_tag(t, y1[b]);
            int hit = 0;
            for (size_t a = 0; a < np && !hit; a++)
                hit = f1[b] == f2[a] && l1[b] == l2[a] && type_of_tag(t, y2[a]) == ty;
            if (ty >= 0 && !hit)
                out->fn[ty]++;
        }
    }
    ng_tagger_scratch_free(&sc);
    free(pred);
    free(f1);
    free(l1);
    free(f2);
    free(l2);
    free(y1);
    free(y2);
}

static double overall_f1(const prf *s)
{
    long tp = 0, fp = 0, fn = 0;
    for (int i = 0; i < NTYPES; i++)
        tp += s->tp[i], fp += s->fp[i], fn += s->fn[i];
    return f1_of(tp, fp, fn);
}

static void print_prf(FILE *f, const prf *s)
{
    long tp = 0, fp = 0, fn = 0;
    for (int i = 0; i < NTYPES; i++) {
        tp += s->tp[i], fp += s->fp[i], fn += s->fn[i];
        if (s->tp[i] + s->fn[i] + s->fp[i] == 0)
            continue;
        fprintf(f, "  %-5s P %.4f R %.4f F1 %.4f (gold %ld)\n", TYPES[i],
                s->tp[i] + s->fp[i] ? (double)s->tp[i] / (double)(s->tp[i] + s->fp[i]) : 0,
                s->tp[i] + s->fn[i] ? (double)s->tp[i] / (double)(s->tp[i] + s->fn[i]) : 0,
                f1_of(s->tp[i], s->fp[i], s->fn[i]), s->tp[i] + s->fn[i]);
    }
    fprintf(f, "  all   P %.4f R %.4f F1 %.4f (gold %ld)\n", tp + fp ? (double)tp / (double)(tp + fp) : 0,
            tp + fn ? (double)tp / (double)(tp + fn) : 0, f1_of(tp, fp, fn), tp + fn);
}

typedef struct {
    const ng_tsent *S;
    size_t n;
    clock_t t0;
} devctx;

static double dev_cb(const ng_tagger *t, void *ctx, unsigned epoch)
{
    devctx *d = ctx;
    if (!d->n)
        return -1;
    prf s;
    score(t, d->S, d->n, &s);
    double f = overall_f1(&s);
    fprintf(stderr, "epoch %u: dev F1 %.4f (%.1f s)\n", epoch, f, (double)(clock() - d->t0) / CLOCKS_PER_SEC);
    return f;
}

/* ---- word clusters ------------------------------------------------------ */

/* Adds the word forms of a text source to a token list. */
typedef struct {
    char **w;
    size_t n, cap;
} wordlist;

static void wl_add(wordlist *L, const char *s, size_t n)
{
    if (n == 0)
        return;
    if (L->n == L->cap)
        L->w = xrealloc(L->w, (L->cap = L->cap * 2 + 4096) * sizeof *L->w);
    L->w[L->n++] = xstrndup(s, n);
}

/* A plain-text tokenizer for cluster text: white space separates, and
 * punctuation at either end of a chunk is its own token. */
static void tokenize_plain(wordlist *L, const char *p)
{
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
            p++;
        const char *s = p;
        while (*p && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
            p++;
        const char *e = p;
        while (s < e && strchr("\"'([{", *s)) {
            wl_add(L, s, 1);
            s++;
        }
        const char *te = e;
        while (te > s && strchr("\"'.,;:!?)]}", te[-1]))
            te--;
        wl_add(L, s, (size_t)(te - s));
        for (const char *q = te; q < e; q++)
            wl_add(L, q, 1);
        if (*s == '\0')
            break;
    }
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void text_source(wordlist *L, const char *arg)
{
    const char *colon = strchr(arg, ':');
    if (!colon)
        die("text '%s' must be FORMAT:PATH", arg);
    const char *path = colon + 1;
    size_t fl = (size_t)(colon - arg);
    struct stat st;
    if (stat(path, &st) != 0)
        die("cannot open %s", path);
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        if (!d)
            die("cannot open %s", path);
        char **names = NULL;
        size_t nn = 0, cn = 0;
        struct dirent *de;
        while ((de = readdir(d))) {
            if (de->d_name[0] == '.')
                continue;
            if (nn == cn)
                names = xrealloc(names, (cn = cn * 2 + 64) * sizeof *names);
            size_t k = strlen(path) + strlen(de->d_name) + 2;
            names[nn] = xmalloc(k);
            snprintf(names[nn], k, "%s/%s", path, de->d_name);
            nn++;
        }
        closedir(d);
        qsort(names, nn, sizeof *names, cmp_str);
        for (size_t i = 0; i < nn; i++) {
            char sub[4096];
            snprintf(sub, sizeof sub, "%.*s:%s", (int)fl, arg, names[i]);
            text_source(L, sub);
            free(names[i]);
        }
        free(names);
        return;
    }
    if (fl == 3 && strncmp(arg, "txt", 3) == 0) {
        size_t len;
        char *b = read_file(path, &len);
        tokenize_plain(L, b);
        free(b);
        return;
    }
    if (fl == 6 && strncmp(arg, "conllu", 6) == 0) {
        size_t len;
        char *b = read_file(path, &len);
        char *p = b;
        while (*p) {
            char *nl = strchr(p, '\n');
            if (!nl)
                nl = p + strlen(p);
            *nl = '\0';
            if (*p >= '0' && *p <= '9') {
                char *t1 = strchr(p, '\t');
                int simple = 1;
                for (char *q = p; q < t1 && q; q++)
                    if (*q == '-' || *q == '.')
                        simple = 0;
                if (t1 && simple) {
                    char *t2 = strchr(t1 + 1, '\t');
                    if (t2)
                        wl_add(L, t1 + 1, (size_t)(t2 - t1 - 1));
                }
            }
            p = nl + 1 <= b + len ? nl + 1 : nl;
            if (p > b + len)
                break;
        }
        free(b);
        return;
    }
    corpus c = {0};
    read_data(&c, arg);
    for (size_t i = 0; i < c.n; i++) {
        wl_add(L, c.t[i].s, strlen(c.t[i].s));
        free(c.t[i].s);
    }
    free(c.t);
    free(c.sent);
    free(c.doc);
}

/* A word type in the cluster vocabulary. */
typedef struct {
    uint64_t h;
    long freq;
    uint32_t path;
    uint32_t plen;
} vword;

static int cmp_vword(const void *a, const void *b)
{
    const vword *x = a, *y = b;
    if (x->freq != y->freq)
        return x->freq > y->freq ? -1 : 1;
    return x->h < y->h ? -1 : x->h > y->h;
}

/* Splits words idx[0..n) of the vector table X (dim d) in two by spherical
 * 2-means and recurses, appending one path bit per level. */
static void bisect(float *X, size_t d, vword *V, size_t *idx, size_t n, unsigned depth, unsigned maxdepth,
                   float *c0, float *c1, uint8_t *side)
{
    if (depth >= maxdepth || n < 4)
        return;
    /* init: the most frequent word, and the word least like it */
    memcpy(c0, X + idx[0] * d, d * sizeof *c0);
    float worst = 2;
    size_t wi = 1;
    for (size_t i = 1; i < n; i++) {
        const float *x = X + idx[i] * d;
        float s = 0;
        for (size_t k = 0; k < d; k++)
            s += x[k] * c0[k];
        if (s < worst) {
            worst = s;
            wi = i;
        }
    }
    memcpy(c1, X + idx[wi] * d, d * sizeof *c1);
    for (int it = 0; it < 6; it++) {
        for (size_t i = 0; i < n; i++) {
            const float *x = X + idx[i] * d;
            float s0 = 0, s1 = 0;
            for (size_t k = 0; k < d; k++) {
                s0 += x[k] * c0[k];
                s1 += x[k] * c1[k];
            }
            side[i] = s1 > s0;
        }
        memset(c0, 0, d * sizeof *c0);
        memset(c1, 0, d * sizeof *c1);
        size_t n1 = 0;
        for (size_t i = 0; i < n; i++) {
            const float *x = X + idx[i] * d;
            float *c = side[i] ? c1 : c0;
            n1 += side[i];
            for (size_t k = 0; k < d; k++)
                c[k] += x[k];
        }
        if (n1 == 0 || n1 == n)
            return;
        for (int q = 0; q < 2; q++) {
            float *c = q ? c1 : c0, norm = 0;
            for (size_t k = 0; k < d; k++)
                norm += c[k] * c[k];
            norm = norm > 0 ? 1.0f / sqrtf(norm) : 0;
            for (size_t k = 0; k < d; k++)
                c[k] *= norm;
        }
    }
    /* stable partition: side 0 first (frequency order kept) */
    size_t *tmp = xmalloc(n * sizeof *tmp);
    size_t a = 0;
    for (size_t i = 0; i < n; i++)
        if (!side[i])
            tmp[a++] = idx[i];
    size_t n0 = a;
    for (size_t i = 0; i < n; i++)
        if (side[i])
            tmp[a++] = idx[i];
    memcpy(idx, tmp, n * sizeof *idx);
    free(tmp);
    for (size_t i = 0; i < n; i++) {
        vword *v = &V[idx[i]];
        v->path = v->path << 1 | (i >= n0);
        v->plen = depth + 1;
    }
    bisect(X, d, V, idx, n0, depth + 1, maxdepth, c0, c1, side);
    bisect(X, d, V, idx + n0, n - n0, depth + 1, maxdepth, c0, c1, side);
}

/* Finds h in an open-addressed table of size mask+1 (slot value = index+1). */
static size_t *vfind(size_t *tab, size_t mask, const vword *V, uint64_t h)
{
    size_t i = (size_t)(h >> 20) & mask;
    while (tab[i] && V[tab[i] - 1].h != h)
        i = (i + 1) & mask;
    return &tab[i];
}

/* Computes clusters of the nvocab most frequent word types of the text:
 * left and right neighbour counts over the ctx most frequent words, square
 * roots, unit length, then bisecting 2-means to depth maxdepth.  Returns
 * the cluster table blob (nslots x 16 bytes). */
static unsigned char *make_clusters(wordlist *L, size_t nvocab, size_t ctx, unsigned maxdepth, uint32_t *nslots_out)
{
    size_t cap = 1 << 20, mask = cap - 1;
    size_t *tab = calloc(cap, sizeof *tab);
    vword *V = xmalloc(cap * sizeof *V);
    size_t nv = 0;
    uint64_t *H = xmalloc((L->n ? L->n : 1) * sizeof *H);
    for (size_t i = 0; i < L->n; i++) {
        uint64_t h = ng_tagger_word_hash(L->w[i], strlen(L->w[i]));
        if (h == 0)
            h = 1;
        H[i] = h;
        size_t *slot = vfind(tab, mask, V, h);
        if (!*slot) {
            if (nv * 2 >= cap)
                die("%s", "cluster vocabulary too large");
            V[nv] = (vword){h, 0, 0, 0};
            *slot = ++nv;
        }
        V[*slot - 1].freq++;
    }
    qsort(V, nv, sizeof *V, cmp_vword);
    memset(tab, 0, cap * sizeof *tab);
    for (size_t i = 0; i < nv; i++)
        *vfind(tab, mask, V, V[i].h) = i + 1;
    if (nvocab > nv)
        nvocab = nv;
    while (nvocab > 0 && V[nvocab - 1].freq < 2)
        nvocab--;
    if (ctx > nv)
        ctx = nv;
    size_t d = 2 * ctx;
    float *X = calloc(nvocab * d + 1, sizeof *X);
    if (!X || !tab)
        die("%s", "out of memory");
    for (size_t i = 0; i < L->n; i++) {
        size_t wi = *vfind(tab, mask, V, H[i]) - 1;
        if (wi >= nvocab)
            continue;
        if (i > 0) {
            size_t ci = *vfind(tab, mask, V, H[i - 1]) - 1;
            if (ci < ctx)
                X[wi * d + ci] += 1;
        }
        if (i + 1 < L->n) {
            size_t ci = *vfind(tab, mask, V, H[i + 1]) - 1;
            if (ci < ctx)
                X[wi * d + ctx + ci] += 1;
        }
    }
    for (size_t w = 0; w < nvocab; w++) {
        float *x = X + w * d, norm = 0;
        for (size_t k = 0; k < d; k++) {
            x[k] = sqrtf(x[k]);
            norm += x[k] * x[k];
        }
        norm = norm > 0 ? 1.0f / sqrtf(norm) : 0;
        for (size_t k = 0; k < d; k++)
            x[k] *= norm;
    }
    size_t *idx = xmalloc((nvocab ? nvocab : 1) * sizeof *idx);
    for (size_t i = 0; i < nvocab; i++)
        idx[i] = i;
    float *c0 = xmalloc(d * sizeof *c0), *c1 = xmalloc(d * sizeof *c1);
    uint8_t *side = xmalloc(nvocab ? nvocab : 1);
    bisect(X, d, V, idx, nvocab, 0, maxdepth, c0, c1, side);
    uint32_t nslots = 16;
    while (nslots < nvocab * 2)
        nslots *= 2;
    unsigned char *blob = calloc(nslots, 16);
    if (!blob)
        die("%s", "out of memory");
    for (size_t w = 0; w < nvocab; w++) {
        if (V[w].plen == 0)
            continue;
        uint32_t i = (uint32_t)(V[w].h >> 32) & (nslots - 1);
        while (ng_le64(blob + (size_t)i * 16) != 0)
            i = (i + 1) & (nslots - 1);
        ng_put64(blob + (size_t)i * 16, V[w].h);
        ng_put32(blob + (size_t)i * 16 + 8, V[w].path);
        ng_put32(blob + (size_t)i * 16 + 12, V[w].plen);
    }
    fprintf(stderr, "clusters: %zu words of text, %zu types, %zu clustered, depth %u, %u slots\n", L->n, nv,
            nvocab, maxdepth, nslots);
    free(tab);
    free(V);
    free(H);
    free(X);
    free(idx);
    free(c0);
    free(c1);
    free(side);
    *nslots_out = nslots;
    return blob;
}

/* ---- main --------------------------------------------------------------- */

static void usage(void)
{
    fprintf(stderr,
            "usage: ng-train-ner --lang CODE --train FMT:PATH [--train ...] [--dev FMT:PATH] [--text FMT:PATH ...]\n"
            "                    --out FILE [--bits N] [--epochs N] [--patience N] [--seed N]\n"
            "                    [--families HEX] [--scheme bilou|bio] [--cluster-vocab N] [--cluster-depth N]\n"
            "                    [--gazetteer TSV] [--retokenize]\n"
            "       ng-train-ner --model FILE --dev FMT:PATH [--bench]\n"
            "       ng-train-ner --model FILE --gazetteer TSV --out FILE   (replace the gazetteer only)\n"
            "FMT: conll, hipe, bio (data); conll, hipe, bio, conllu, txt (text for clusters)\n");
    exit(2);
}

int main(int argc, char **argv)
{
    const char *lang = NULL, *out = NULL, *model = NULL, *gazfile = NULL;
    const char *train[16], *dev[16], *text[32];
    int ntrain = 0, ndev = 0, ntext = 0, bench = 0, retok = 0;
    ng_train_opts o;
    memset(&o, 0, sizeof o);
    o.p.bits = 20;
    o.p.seed = 1;
    o.p.families = NG_FF_DEFAULT;
    o.epochs = 12;
    o.patience = 3;
    o.shuffle_seed = 20240601;
    size_t cvocab = 30000;
    unsigned cdepth = 12;
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
        else if (ARG("--text") && ntext < 32)
            text[ntext++] = v;
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
        else if (ARG("--scheme"))
            g_bilou = strcmp(v, "bio") != 0;
        else if (ARG("--cluster-vocab"))
            cvocab = (size_t)atol(v);
        else if (ARG("--cluster-depth"))
            cdepth = (unsigned)atoi(v);
        else if (strcmp(a, "--retokenize") == 0)
            retok = 1;
        else if (ARG("--gazetteer"))
            gazfile = v;
        else if (strcmp(a, "--bench") == 0)
            bench = 1;
        else
            usage();
#undef ARG
    }
    /* the gazetteer (tools/gazetteer.py's TSV), compiled into a section */
    ng_buf gazsec;
    ng_buf_init(&gazsec);
    ng_gazetteer gaz = {0};
    if (gazfile) {
        size_t glen;
        char *g = read_file(gazfile, &glen);
        if (ng_gaz_build(&gazsec, g, glen) != NG_OK)
            die("%s: bad gazetteer (a kind that is not country, city, region, currency, demonym, title, orghead, body)",
                gazfile);
        free(g);
        ng_modelfile gm; /* read it back the way the loader will */
        ng_mf_writer gw;
        ng_mf_writer_init(&gw);
        unsigned char *gf = NULL;
        size_t gl = 0;
        char err[256];
        if (ng_mf_writer_add(&gw, "gazetteer", gazsec.p, gazsec.len) != NG_OK ||
            ng_mf_writer_finish(&gw, &gf, &gl) != NG_OK || ng_modelfile_open_mem(&gm, gf, gl, err, sizeof err) != NG_OK ||
            ng_gaz_load(&gaz, &gm, err, sizeof err) != NG_OK)
            die("%s: cannot load the gazetteer back", gazfile);
        ng_mf_writer_free(&gw);
        /* gf stays allocated: gaz points into it until the end */
        if (!(o.p.families & NG_FF_GAZ))
            fprintf(stderr, "note: --gazetteer without family 0x80: stored, not used as a feature\n");
    }
    if (model && out && gazfile) { /* repack: the same model with this gazetteer */
        ng_modelfile mf;
        char err[512];
        if (ng_modelfile_open(&mf, model, err, sizeof err) != NG_OK)
            die("%s", err);
        ng_mf_writer wr;
        ng_mf_writer_init(&wr);
        int rc = NG_OK;
        for (uint32_t i = 0; i < mf.nsections && rc == NG_OK; i++)
            if (strcmp(mf.sections[i].name, "gazetteer") != 0)
                rc = ng_mf_writer_add(&wr, mf.sections[i].name, mf.sections[i].data, mf.sections[i].len);
        if (rc == NG_OK)
            rc = ng_mf_writer_add(&wr, "gazetteer", gazsec.p, gazsec.len);
        unsigned char *file = NULL;
        size_t flen = 0;
        if (rc == NG_OK)
            rc = ng_mf_writer_finish(&wr, &file, &flen);
        FILE *f = rc == NG_OK ? fopen(out, "wb") : NULL;
        if (!f || fwrite(file, 1, flen, f) != flen || fclose(f) != 0)
            die("cannot write %s", out);
        fprintf(stderr, "wrote %s (%zu bytes)\n", out, flen);
        free(file);
        ng_mf_writer_free(&wr);
        ng_modelfile_close(&mf);
        return 0;
    }
    corpus cd = {0};
    for (int i = 0; i < ndev; i++)
        read_data(&cd, dev[i]);
    if (retok) {
        corpus r = {0};
        retokenize(&cd, &r, lang ? lang : "en");
        cd = r; /* (the gold-token corpus is left to the end of the run) */
    }
    if (model) { /* evaluate (and time) an existing model */
        ng_modelfile mf;
        char err[512];
        clock_t t0 = clock();
        int rc = ng_modelfile_open(&mf, model, err, sizeof err);
        ng_tagger t;
        if (rc == NG_OK)
            rc = ng_tagger_load(&t, &mf, err, sizeof err);
        if (rc != NG_OK)
            die("%s", err);
        fprintf(stderr, "loaded %s in %.1f ms\n", model, (double)(clock() - t0) * 1000.0 / CLOCKS_PER_SEC);
        ng_tsent *S = make_sents(&cd, t.p.families, &t.gaz);
        prf s;
        score(&t, S, cd.nsent, &s);
        printf("dev (gold tokenization): %zu sentences, %zu tokens\n", cd.nsent, cd.n);
        print_prf(stdout, &s);
        if (bench) {
            ng_tagger_scratch sc = {0};
            uint8_t *pred = xmalloc(cd.n + 1);
            struct timespec a, b;
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a);
            size_t toks = 0;
            int reps = 0;
            do {
                for (size_t i = 0; i < cd.nsent; i++) {
                    ng_tagger_tag(&t, &sc, S[i].w, S[i].n, pred);
                    toks += S[i].n;
                }
                reps++;
                clock_gettime(CLOCK_THREAD_CPUTIME_ID, &b);
            } while ((double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) * 1e-9 < 2.0);
            double dt = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) * 1e-9;
            printf("bench: %zu tokens in %.2f s (%d passes): %.0f tokens/s per core (thread CPU time)\n", toks, dt, reps,
                   (double)toks / dt);
            ng_tagger_scratch_free(&sc);
            free(pred);
        }
        ng_modelfile_close(&mf);
        return 0;
    }
    if (!lang || !out || ntrain == 0)
        usage();
    corpus ct = {0};
    for (int i = 0; i < ntrain; i++) {
        if (retok) {
            corpus one = {0};
            read_data(&one, train[i]);
            retokenize(&one, &ct, lang);
        } else {
            read_data(&ct, train[i]);
        }
    }
    fprintf(stderr, "train: %zu documents, %zu sentences, %zu tokens; dev: %zu sentences, %zu tokens\n", ct.ndoc,
            ct.nsent, ct.n, cd.nsent, cd.n);
    o.p.ntags = make_tags(o.tags);
    unsigned char *cblob = NULL;
    uint32_t nslots = 0;
    if (ntext && (o.p.families & NG_FF_CLUSTER)) {
        wordlist L = {0};
        for (int i = 0; i < ntext; i++)
            text_source(&L, text[i]);
        cblob = make_clusters(&L, cvocab, 300, cdepth, &nslots);
        o.clusters.slots = cblob;
        o.clusters.nslots = nslots;
        for (size_t i = 0; i < L.n; i++)
            free(L.w[i]);
        free(L.w);
    }
    ng_tsent *St = make_sents(&ct, o.p.families, gazfile ? &gaz : NULL);
    ng_tsent *Sd = cd.nsent ? make_sents(&cd, o.p.families, gazfile ? &gaz : NULL) : NULL;
    devctx dc = {Sd, cd.nsent, clock()};
    o.dev_score = dev_cb;
    o.dev_ctx = &dc;
    ng_trained tr;
    if (ng_tagger_train(&o, St, ct.nsent, &tr) != NG_OK)
        die("%s", "training failed (out of memory)");
    fprintf(stderr, "best epoch %u, dev F1 %.4f\n", tr.best_epoch, tr.best_dev);
    prf s;
    if (cd.nsent) {
        score(&tr.t, Sd, cd.nsent, &s);
        printf("dev (gold tokenization): %zu sentences, %zu tokens\n", cd.nsent, cd.n);
        print_prf(stdout, &s);
    }
    /* meta: what made this model */
    ng_buf meta;
    ng_buf_init(&meta);
    ng_buf_printf(&meta, "kind=ner\nlang=%s\nscheme=%s\nbits=%u\nfamilies=%x\nepochs=%u\nbest_epoch=%u\nseed=%u\n",
                  lang, g_bilou ? "bilou" : "bio", o.p.bits, o.p.families, o.epochs, tr.best_epoch, o.shuffle_seed);
    for (int i = 0; i < ntrain; i++) {
        const char *slash = strrchr(train[i], '/');
        ng_buf_printf(&meta, "train=%s\n", slash ? slash + 1 : train[i]);
    }
    for (int i = 0; i < ndev; i++) {
        const char *slash = strrchr(dev[i], '/');
        ng_buf_printf(&meta, "dev=%s\n", slash ? slash + 1 : dev[i]);
    }
    if (cd.nsent)
        ng_buf_printf(&meta, "dev_f1=%.4f\n", overall_f1(&s));
    ng_buf_printf(&meta, "train_tokens=%zu\ncluster_slots=%u\n", ct.n, nslots);
    ng_mf_writer wr;
    ng_mf_writer_init(&wr);
    int rc = ng_mf_writer_add(&wr, "meta", meta.p, meta.len);
    tr.t.clusters.slots = cblob;
    tr.t.clusters.nslots = nslots;
    if (rc == NG_OK)
        rc = ng_tagger_write(&tr.t, &wr);
    if (rc == NG_OK && gazfile)
        rc = ng_mf_writer_add(&wr, "gazetteer", gazsec.p, gazsec.len);
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
    free(cblob);
    return 0;
}
