/*
 * eval-langid.c — scores language identification (src/langid.c) on
 * labelled texts read from standard input, one a line:
 *
 *   GOLD <TAB> HINT <TAB> TEXT
 *
 * GOLD is the expected two-letter code, HINT a caller's hint or "-", and
 * TEXT the text with "\n", "\t" and "\\" escaped.  Prints, per set label
 * given as the first argument, the accuracy over all texts, the accuracy
 * per gold language, the most frequent confusions and the speed.
 * With --errors after the label, prints the start of each wrong text.
 * tools/eval-langid (Python) builds the sets from ../shared/data.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Per-gold-language counts. */
typedef struct {
    char gold[8];
    size_t n, ok;
} per_lang;

/* One confusion: gold -> guessed, how often. */
typedef struct {
    char gold[8], guess[8];
    size_t n;
} confusion;

static void unescape(char *s)
{
    char *w = s;
    for (char *r = s; *r; r++) {
        if (*r == '\\' && r[1]) {
            r++;
            *w++ = *r == 'n' ? '\n' : *r == 't' ? '\t' : *r;
        } else {
            *w++ = *r;
        }
    }
    *w = '\0';
}

int main(int argc, char **argv)
{
    const char *label = argc > 1 ? argv[1] : "stdin";
    int show_errors = argc > 2 && strcmp(argv[2], "--errors") == 0;
    ng_model *m;
    ng_worker *w;
    char err[256];
    if (ng_model_new(&m, NULL, err, sizeof err) != NG_OK || ng_worker_new(m, &w) != NG_OK) {
        fprintf(stderr, "eval-langid: cannot load the model\n");
        return 1;
    }
    per_lang langs[64];
    size_t nlangs = 0, total = 0, ok = 0, bytes = 0;
    confusion conf[256];
    size_t nconf = 0;
    double secs = 0;
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    while ((got = getline(&line, &cap, stdin)) > 0) {
        if (line[got - 1] == '\n')
            line[--got] = '\0';
        char *t1 = strchr(line, '\t');
        char *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
        if (!t2)
            continue;
        *t1 = *t2 = '\0';
        const char *gold = line, *hint = t1 + 1;
        char *text = t2 + 1;
        unescape(text);
        ng_doc *doc = calloc(1, sizeof *doc);
        ng_arena_init(&doc->arena);
        doc->model = m;
        doc->text = text;
        doc->text_len = strlen(text);
        doc->lang_hint = strcmp(hint, "-") == 0 ? NULL : (char *)hint;
        struct timespec a, b;
        clock_gettime(CLOCK_MONOTONIC, &a);
        int rc = ng_langid(w, doc);
        clock_gettime(CLOCK_MONOTONIC, &b);
        secs += (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
        bytes += doc->text_len;
        if (rc != NG_OK) {
            fprintf(stderr, "eval-langid: %s\n", ng_worker_error(w));
            return 1;
        }
        size_t k = 0;
        while (k < nlangs && strcmp(langs[k].gold, gold) != 0)
            k++;
        if (k == nlangs && nlangs < 64) {
            snprintf(langs[k].gold, sizeof langs[k].gold, "%s", gold);
            langs[k].n = langs[k].ok = 0;
            nlangs++;
        }
        int right = strcmp(doc->lang, gold) == 0;
        total++;
        ok += right;
        if (k < nlangs) {
            langs[k].n++;
            langs[k].ok += right;
        }
        if (!right && show_errors)
            printf("  wrong (%s -> %s): %.150s\n", gold, doc->lang[0] ? doc->lang : "?", text);
        if (!right) {
            size_t c = 0;
            while (c < nconf && !(strcmp(conf[c].gold, gold) == 0 && strcmp(conf[c].guess, doc->lang) == 0))
                c++;
            if (c == nconf && nconf < 256) {
                snprintf(conf[c].gold, sizeof conf[c].gold, "%s", gold);
                snprintf(conf[c].guess, sizeof conf[c].guess, "%s", doc->lang[0] ? doc->lang : "?");
                conf[c].n = 0;
                nconf++;
            }
            if (c < nconf)
                conf[c].n++;
        }
        ng_arena_free(&doc->arena);
        free(doc);
    }
    free(line);
    printf("%s: accuracy %.4f (%zu/%zu)", label, total ? (double)ok / (double)total : 0, ok, total);
    if (secs > 0)
        printf(", %.1f MB/s, %.0f texts/s", (double)bytes / 1e6 / secs, (double)total / secs);
    printf("\n");
    for (size_t k = 0; k < nlangs; k++)
        printf("  %-3s %.4f (%zu/%zu)\n", langs[k].gold, (double)langs[k].ok / (double)langs[k].n, langs[k].ok,
               langs[k].n);
    for (size_t c = 0; c < nconf; c++)
        if (conf[c].n * 200 >= total || conf[c].n >= 3)
            printf("  confused %s -> %s: %zu\n", conf[c].gold, conf[c].guess, conf[c].n);
    ng_worker_free(w);
    ng_model_free(m);
    return 0;
}
