/*
 * bench_segment.c — speed of the segmenter (src/segment.c) and of language
 * identification (src/langid.c) alone, in MB/s on one core.
 *
 *   bench_segment [--segment|--langid] FILE...
 *
 * Each file is one article (plain UTF-8 text).  The articles are segmented
 * (and their language identified) over and over for about two seconds
 * each; the program prints bytes, tokens, sentences and MB/s.  Nothing is
 * asserted: the numbers are for docs/segmentation.md and docs/langid.md.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Seconds on a monotonic clock. */
static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Reads a whole file into a malloc'd buffer; NULL on failure. */
static char *slurp(const char *path, size_t *len)
{
    ng_buf b;
    ng_buf_init(&b);
    if (ng_buf_read_file(&b, path) != NG_OK) {
        ng_buf_free(&b);
        return NULL;
    }
    return ng_buf_take(&b, len);
}

/* A doc holding text (as ng_analyze would leave it before segmenting). */
static ng_doc *make_doc(const ng_model *m, const char *text, size_t n)
{
    ng_doc *doc = calloc(1, sizeof *doc);
    if (!doc)
        return NULL;
    ng_arena_init(&doc->arena);
    doc->model = m;
    doc->text = ng_arena_strndup(&doc->arena, text, n);
    doc->text_len = n;
    return doc;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_segment FILE...\n");
        return 2;
    }
    ng_model *m;
    ng_worker *w;
    char err[256];
    if (ng_model_new(&m, NULL, err, sizeof err) != NG_OK || ng_worker_new(m, &w) != NG_OK) {
        fprintf(stderr, "bench_segment: cannot load the model\n");
        return 1;
    }
    int first = 0, last = 1, argi = 1;
    if (strcmp(argv[1], "--segment") == 0 || strcmp(argv[1], "--langid") == 0) {
        first = last = argv[1][2] == 's';
        argi = 2;
    }
    argv += argi - 1;
    argc -= argi - 1;
    size_t nfiles = (size_t)argc - 1, total = 0;
    char **texts = calloc(nfiles, sizeof *texts);
    size_t *lens = calloc(nfiles, sizeof *lens);
    for (size_t i = 0; i < nfiles; i++) {
        texts[i] = slurp(argv[i + 1], &lens[i]);
        if (!texts[i]) {
            perror(argv[i + 1]);
            return 1;
        }
        total += lens[i];
    }
    for (int stage = first; stage <= last; stage++) {
        size_t bytes = 0, toks = 0, sents = 0, rounds = 0;
        double t0 = now(), spent = 0;
        while (spent < 2.0) {
            for (size_t i = 0; i < nfiles; i++) {
                ng_doc *doc = make_doc(m, texts[i], lens[i]);
                if (!doc)
                    return 1;
                double a = now();
                int rc = stage == 0 ? ng_langid(w, doc) : NG_OK;
                if (stage == 1) {
                    doc->lang_res = ng_model_lang(m, "en");
                    rc = ng_segment(w, doc);
                }
                spent += now() - a;
                if (rc != NG_OK) {
                    fprintf(stderr, "bench_segment: %s: %s\n", argv[i + 1], ng_worker_error(w));
                    return 1;
                }
                bytes += lens[i];
                toks += doc->ntokens;
                sents += doc->nsentences;
                ng_doc_free(doc);
            }
            rounds++;
        }
        printf("%-8s %zu files, %zu bytes x %zu rounds: %.1f MB/s (%.0f docs/s)", stage ? "segment" : "langid", nfiles,
               total, rounds, (double)bytes / 1e6 / spent, (double)(rounds * nfiles) / spent);
        if (stage)
            printf(", %zu tokens, %zu sentences per round", toks / rounds, sents / rounds);
        printf(" [wall %.1f s]\n", now() - t0);
    }
    for (size_t i = 0; i < nfiles; i++)
        free(texts[i]);
    free(texts);
    free(lens);
    ng_worker_free(w);
    ng_model_free(m);
    return 0;
}
