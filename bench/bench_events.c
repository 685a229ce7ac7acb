/*
 * bench_events.c — speed of the event stage alone: the part-of-speech
 * tagger (src/pos.c) and the event coder (src/events.c), in sentences per
 * second on one core.
 *
 *   bench_events [--max N] FILE.jsonl
 *
 * Reads up to N (default 300) articles of a JSON Lines file ({"text": ...,
 * "lang": ...}), analyzes each once with every stage, then runs the two
 * stages over all of them again and again for about two seconds each and
 * prints sentences, tokens, events and the rates.  Nothing is asserted:
 * the numbers are for docs/events.md (the target is >= 20,000 sentences/s
 * per core for the event stage).
 */
#include "events.h"
#include "pos.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    size_t max = 300;
    int a = 1;
    if (a + 1 < argc && strcmp(argv[a], "--max") == 0) {
        max = (size_t)strtoul(argv[a + 1], NULL, 10);
        a += 2;
    }
    if (a >= argc) {
        fprintf(stderr, "usage: bench_events [--max N] FILE.jsonl\n");
        return 2;
    }
    FILE *f = fopen(argv[a], "rb");
    if (!f) {
        fprintf(stderr, "bench_events: cannot open %s\n", argv[a]);
        return 1;
    }
    ng_model *m = NULL;
    char err[512];
    if (ng_model_new(&m, NULL, err, sizeof err) != NG_OK) {
        fprintf(stderr, "bench_events: %s\n", err);
        return 1;
    }
    ng_worker *w = NULL;
    if (ng_worker_new(m, &w) != NG_OK)
        return 1;
    ng_doc **docs = calloc(max, sizeof *docs);
    size_t ndocs = 0, sentences = 0, tokens = 0;
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    while (ndocs < max && (got = getline(&line, &cap, f)) > 0) {
        json_error_t je;
        json_t *j = json_loadb(line, (size_t)got, 0, &je);
        const char *text = j ? json_string_value(json_object_get(j, "text")) : NULL;
        if (text) {
            ng_source src;
            ng_source_default(&src);
            src.lang = json_string_value(json_object_get(j, "lang"));
            ng_doc *d = NULL;
            if (ng_analyze(w, &src, text, strlen(text), &d) == NG_OK) {
                docs[ndocs++] = d;
                sentences += d->nsentences;
                tokens += d->ntokens;
            }
        }
        json_decref(j);
    }
    free(line);
    fclose(f);
    if (!ndocs) {
        fprintf(stderr, "bench_events: no article analyzed\n");
        return 1;
    }
    /* each stage alone, repeated for about two seconds */
    double tpos = 0, tev = 0;
    size_t rounds_pos = 0, rounds_ev = 0, events = 0;
    for (double t0 = now(); now() - t0 < 2.0; rounds_pos++)
        for (size_t i = 0; i < ndocs; i++)
            ng_pos_tag(w, docs[i]);
    tpos = 0;
    {
        double t0 = now();
        for (size_t r = 0; r < rounds_pos; r++)
            for (size_t i = 0; i < ndocs; i++)
                ng_pos_tag(w, docs[i]);
        tpos = now() - t0;
    }
    for (double t0 = now(); now() - t0 < 2.0; rounds_ev++) {
        events = 0;
        for (size_t i = 0; i < ndocs; i++) {
            ng_events(w, docs[i]);
            events += docs[i]->nevents;
        }
    }
    {
        double t0 = now();
        for (size_t r = 0; r < rounds_ev; r++)
            for (size_t i = 0; i < ndocs; i++)
                ng_events(w, docs[i]);
        tev = now() - t0;
    }
    double sp = (double)sentences * (double)rounds_pos / tpos, se = (double)sentences * (double)rounds_ev / tev;
    printf("events %zu articles, %zu sentences, %zu tokens, %zu events\n", ndocs, sentences, tokens, events);
    printf("events pos tagger: %.0f sentences/s, %.0f tokens/s per core\n", sp,
           (double)tokens * (double)rounds_pos / tpos);
    printf("events coder:      %.0f sentences/s per core\n", se);
    printf("events stage (tagger + coder): %.0f sentences/s per core (target >= 20000)\n", 1.0 / (1.0 / sp + 1.0 / se));
    for (size_t i = 0; i < ndocs; i++)
        ng_doc_free(docs[i]);
    free(docs);
    ng_worker_free(w);
    ng_model_free(m);
    return 0;
}
