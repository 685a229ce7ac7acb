/*
 * eval-segment.c — scores the segmenter (src/segment.c) against Universal
 * Dependencies treebanks (CoNLL-U), or shows how it splits a text file.
 *
 *   eval-segment [--lang en|fr] [--nopar] [--chunk N] [--errors K] FILE.conllu...
 *   eval-segment --show [--lang en|fr] FILE.txt
 *
 * Each treebank document ("# newdoc"; or every N sentences when the
 * treebank has none) becomes one text: its sentences' "# text" lines
 * joined by a space, paragraphs ("# newpar") by a blank line (or by a
 * space with --nopar).  The segmenter runs on that text and is scored on:
 *   - sentence boundaries: the end offsets of every sentence but the
 *     text's last, precision / recall / F1;
 *   - tokens: [start, end) spans.  Gold tokens are UD's surface tokens,
 *     except that a multiword token whose words spell it exactly ("don't"
 *     = "do" + "n't") counts as its words; one whose words do not ("du" =
 *     "de" + "le") counts as one token.
 * --errors K prints up to K missed and K spurious sentence boundaries.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A growable array of spans. */
typedef struct {
    ng_span *v;
    size_t n, cap;
} spans;

static void spans_add(spans *a, size_t s, size_t e)
{
    if (a->n == a->cap) {
        a->cap = a->cap ? a->cap * 2 : 256;
        a->v = realloc(a->v, a->cap * sizeof *a->v);
        if (!a->v) {
            fprintf(stderr, "eval-segment: out of memory\n");
            exit(1);
        }
    }
    a->v[a->n].start = (uint32_t)s;
    a->v[a->n].end = (uint32_t)e;
    a->n++;
}

/* Counts of one score. */
typedef struct {
    size_t tp, fp, fn;
} score;

static void print_score(const char *what, const score *c)
{
    double p = c->tp + c->fp ? (double)c->tp / (double)(c->tp + c->fp) : 0;
    double r = c->tp + c->fn ? (double)c->tp / (double)(c->tp + c->fn) : 0;
    double f = p + r > 0 ? 2 * p * r / (p + r) : 0;
    printf("  %-20s P %.4f  R %.4f  F1 %.4f  (gold %zu, found %zu)\n", what, p, r, f, c->tp + c->fn, c->tp + c->fp);
}

/* The state of one evaluation run. */
typedef struct {
    const ng_model *m;
    ng_worker *w;
    const char *lang;
    int nopar;
    int errors;      /* how many boundary errors to print (each kind) */
    int shown_fn, shown_fp;
    ng_buf text;     /* the document being built */
    spans gold_tok;  /* gold token spans in text */
    spans gold_sent; /* gold sentence spans in text */
    score sb, tok;
    size_t docs, bytes;
    double seconds;
} eval;

static int cmp_span(const void *a, const void *b)
{
    const ng_span *x = a, *y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    return x->end < y->end ? -1 : x->end > y->end;
}

/* Runs the segmenter on a text and returns the doc (caller frees). */
static ng_doc *segment_text(const ng_model *m, ng_worker *w, const char *lang, const char *s, size_t n)
{
    ng_doc *doc = calloc(1, sizeof *doc);
    if (!doc)
        return NULL;
    ng_arena_init(&doc->arena);
    doc->model = m;
    doc->text = ng_arena_strndup(&doc->arena, s, n);
    doc->text_len = n;
    doc->lang_res = ng_model_lang(m, lang);
    snprintf(doc->lang, sizeof doc->lang, "%s", lang);
    if (ng_segment(w, doc) != NG_OK) {
        fprintf(stderr, "eval-segment: %s\n", ng_worker_error(w));
        ng_doc_free(doc);
        return NULL;
    }
    return doc;
}

static void show_context(const char *kind, const char *s, size_t n, size_t at)
{
    size_t a = at > 60 ? at - 60 : 0, b = at + 60 < n ? at + 60 : n;
    printf("  %s: ", kind);
    for (size_t i = a; i < b; i++) {
        if (i == at)
            printf(" || ");
        putchar(s[i] == '\n' ? '/' : s[i]);
    }
    putchar('\n');
}

/* Scores the document built so far and resets it. */
static void flush_doc(eval *E)
{
    if (E->text.len == 0)
        return;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    ng_doc *doc = segment_text(E->m, E->w, E->lang, E->text.p, E->text.len);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    E->seconds += (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    E->bytes += E->text.len;
    E->docs++;
    if (doc) {
        /* sentence boundaries: ends, but the last */
        size_t gi = 0, pi = 0, gn = E->gold_sent.n ? E->gold_sent.n - 1 : 0, pn = doc->nsentences ? doc->nsentences - 1 : 0;
        while (gi < gn || pi < pn) {
            uint32_t ge = gi < gn ? E->gold_sent.v[gi].end : UINT32_MAX;
            uint32_t pe = pi < pn ? doc->sentences[pi].end : UINT32_MAX;
            if (ge == pe) {
                E->sb.tp++;
                gi++;
                pi++;
            } else if (ge < pe) {
                E->sb.fn++;
                if (E->shown_fn < E->errors) {
                    E->shown_fn++;
                    show_context("missed  ", E->text.p, E->text.len, ge);
                }
                gi++;
            } else {
                E->sb.fp++;
                if (E->shown_fp < E->errors) {
                    E->shown_fp++;
                    show_context("spurious", E->text.p, E->text.len, pe);
                }
                pi++;
            }
        }
        /* tokens */
        qsort(E->gold_tok.v, E->gold_tok.n, sizeof *E->gold_tok.v, cmp_span);
        gi = 0;
        pi = 0;
        while (gi < E->gold_tok.n || pi < doc->ntokens) {
            ng_span g = gi < E->gold_tok.n ? E->gold_tok.v[gi] : (ng_span){UINT32_MAX, UINT32_MAX};
            ng_span p = pi < doc->ntokens ? (ng_span){doc->tokens[pi].start, doc->tokens[pi].end}
                                          : (ng_span){UINT32_MAX, UINT32_MAX};
            int c = cmp_span(&g, &p);
            if (c == 0) {
                E->tok.tp++;
                gi++;
                pi++;
            } else if (c < 0) {
                E->tok.fn++;
                gi++;
            } else {
                E->tok.fp++;
                pi++;
            }
        }
        ng_doc_free(doc);
    }
    ng_buf_reset(&E->text);
    E->gold_tok.n = 0;
    E->gold_sent.n = 0;
}

/* One sentence of a CoNLL-U file: its text and its token lines. */
typedef struct {
    char *text;
    ng_buf rows; /* the token lines, '\n'-separated */
} sentence;

/* Adds a sentence to the document: its text after a separator, its gold
 * tokens located in the text. */
static void add_sentence(eval *E, const char *text, const char *rows, int newpar)
{
    if (E->text.len)
        ng_buf_puts(&E->text, newpar && !E->nopar ? "\n\n" : " ");
    size_t base = E->text.len;
    size_t tl = strlen(text);
    ng_buf_put(&E->text, text, tl);
    spans_add(&E->gold_sent, base, base + tl);
    /* walk the rows */
    size_t pos = 0;
    const char *r = rows;
    int mwt_last = 0; /* words up to this id are inside a multiword token */
    while (*r) {
        const char *nl = strchr(r, '\n');
        size_t L = nl ? (size_t)(nl - r) : strlen(r);
        char line[4096];
        if (L >= sizeof line)
            L = sizeof line - 1;
        memcpy(line, r, L);
        line[L] = '\0';
        r = nl ? nl + 1 : r + L;
        char *cols[10];
        int nc = 0;
        char *p = line;
        while (nc < 10) {
            cols[nc++] = p;
            char *t = strchr(p, '\t');
            if (!t)
                break;
            *t = '\0';
            p = t + 1;
        }
        if (nc < 2 || strchr(cols[0], '.'))
            continue;
        const char *form = cols[1];
        size_t fl = strlen(form);
        int a = atoi(cols[0]);
        char *dash = strchr(cols[0], '-');
        if (!dash && a <= mwt_last)
            continue;
        /* find the form in the text from pos */
        const char *hit = fl ? strstr(text + pos, form) : NULL;
        if (!hit)
            continue;
        size_t at = (size_t)(hit - text);
        if (dash) {
            int b = atoi(dash + 1);
            mwt_last = b;
            /* do the words spell the surface form? */
            const char *q = r;
            size_t off = 0;
            int spell = 1, k = a;
            size_t wstart[32];
            size_t wend[32];
            int nw = 0;
            while (k <= b && *q && nw < 32) {
                const char *nl2 = strchr(q, '\n');
                size_t L2 = nl2 ? (size_t)(nl2 - q) : strlen(q);
                const char *t1 = memchr(q, '\t', L2);
                if (!t1) {
                    spell = 0;
                    break;
                }
                const char *t2 = memchr(t1 + 1, '\t', L2 - (size_t)(t1 + 1 - q));
                size_t wl = t2 ? (size_t)(t2 - t1 - 1) : 0;
                if (off + wl > fl || memcmp(form + off, t1 + 1, wl) != 0)
                    spell = 0;
                wstart[nw] = at + off;
                wend[nw] = at + off + wl;
                nw++;
                off += wl;
                k++;
                q = nl2 ? nl2 + 1 : q + L2;
            }
            if (spell && off == fl && nw == b - a + 1) {
                for (int j = 0; j < nw; j++)
                    spans_add(&E->gold_tok, base + wstart[j], base + wend[j]);
            } else {
                spans_add(&E->gold_tok, base + at, base + at + fl);
            }
        } else {
            spans_add(&E->gold_tok, base + at, base + at + fl);
        }
        pos = at + fl;
    }
}

static int eval_file(eval *E, const char *path, int chunk)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        return 1;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    char *text = NULL;
    ng_buf rows;
    ng_buf_init(&rows);
    int newpar = 0, nsent_doc = 0, has_newdoc = 0;
    while ((got = getline(&line, &cap, f)) >= 0) {
        while (got > 0 && (line[got - 1] == '\n' || line[got - 1] == '\r'))
            line[--got] = '\0';
        if (strncmp(line, "# newdoc", 8) == 0) {
            has_newdoc = 1;
            flush_doc(E);
            nsent_doc = 0;
            newpar = 1;
        } else if (strncmp(line, "# newpar", 8) == 0) {
            newpar = 1;
        } else if (strncmp(line, "# text = ", 9) == 0) {
            free(text);
            text = strdup(line + 9);
        } else if (line[0] == '#') {
            continue;
        } else if (line[0] == '\0') {
            if (text) {
                if (!has_newdoc && chunk > 0 && nsent_doc >= chunk) {
                    flush_doc(E);
                    nsent_doc = 0;
                }
                add_sentence(E, text, rows.p ? rows.p : "", newpar);
                nsent_doc++;
                newpar = 0;
                free(text);
                text = NULL;
            }
            ng_buf_reset(&rows);
            if (rows.p)
                rows.p[0] = '\0';
        } else {
            ng_buf_put(&rows, line, (size_t)got);
            ng_buf_putc(&rows, '\n');
        }
    }
    flush_doc(E);
    free(text);
    free(line);
    ng_buf_free(&rows);
    fclose(f);
    return 0;
}

/* --show: prints one sentence a line with its tokens separated by '|'. */
static int show(const ng_model *m, ng_worker *w, const char *lang, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return 1;
    }
    ng_buf b;
    ng_buf_init(&b);
    char chunk[65536];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
        ng_buf_put(&b, chunk, got);
    fclose(f);
    ng_doc *doc = segment_text(m, w, lang, b.p ? b.p : "", b.len);
    if (!doc)
        return 1;
    size_t t = 0;
    for (size_t i = 0; i < doc->nsentences; i++) {
        printf("[%zu] ", i);
        for (; t < doc->ntokens && doc->tokens[t].sent == i; t++)
            printf("%.*s|", (int)(doc->tokens[t].end - doc->tokens[t].start), doc->text + doc->tokens[t].start);
        putchar('\n');
    }
    ng_doc_free(doc);
    ng_buf_free(&b);
    return 0;
}

int main(int argc, char **argv)
{
    eval E;
    memset(&E, 0, sizeof E);
    E.lang = "en";
    int chunk = 20, doshow = 0, argi = 1;
    for (; argi < argc && argv[argi][0] == '-' && argv[argi][1] == '-'; argi++) {
        if (strcmp(argv[argi], "--lang") == 0 && argi + 1 < argc)
            E.lang = argv[++argi];
        else if (strcmp(argv[argi], "--nopar") == 0)
            E.nopar = 1;
        else if (strcmp(argv[argi], "--show") == 0)
            doshow = 1;
        else if (strcmp(argv[argi], "--chunk") == 0 && argi + 1 < argc)
            chunk = atoi(argv[++argi]);
        else if (strcmp(argv[argi], "--errors") == 0 && argi + 1 < argc)
            E.errors = atoi(argv[++argi]);
        else {
            fprintf(stderr, "usage: eval-segment [--lang en|fr] [--nopar] [--chunk N] [--errors K] FILE.conllu...\n"
                            "       eval-segment --show [--lang en|fr] FILE.txt\n");
            return 2;
        }
    }
    ng_model *m;
    char err[256];
    if (ng_model_new(&m, NULL, err, sizeof err) != NG_OK) {
        fprintf(stderr, "eval-segment: %s\n", err);
        return 1;
    }
    ng_worker *w;
    if (ng_worker_new(m, &w) != NG_OK) {
        ng_model_free(m);
        return 1;
    }
    E.m = m;
    E.w = w;
    int rc = 0;
    if (doshow) {
        for (; argi < argc; argi++)
            rc |= show(m, w, E.lang, argv[argi]);
    } else {
        ng_buf_init(&E.text);
        for (; argi < argc; argi++) {
            score sb0 = E.sb, tok0 = E.tok;
            memset(&E.sb, 0, sizeof E.sb);
            memset(&E.tok, 0, sizeof E.tok);
            E.docs = 0;
            rc |= eval_file(&E, argv[argi], chunk);
            printf("%s (lang %s, %zu texts%s)\n", argv[argi], E.lang, E.docs, E.nopar ? ", paragraphs joined" : "");
            print_score("sentence boundaries", &E.sb);
            print_score("tokens", &E.tok);
            (void)sb0;
            (void)tok0;
        }
        if (E.seconds > 0)
            printf("segmented %zu bytes in %.3f s: %.1f MB/s\n", E.bytes, E.seconds, (double)E.bytes / 1e6 / E.seconds);
        ng_buf_free(&E.text);
        free(E.gold_tok.v);
        free(E.gold_sent.v);
    }
    ng_worker_free(w);
    ng_model_free(m);
    return rc;
}
