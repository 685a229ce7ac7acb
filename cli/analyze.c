/* analyze.c — newsgraph analyze (first cut; threads and options follow) */
#include "cli.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int cmd_analyze(int argc, char **argv)
{
    ng_model *m;
    char err[256];
    if (ng_model_new(&m, NULL, err, sizeof err) != NG_OK) { fprintf(stderr, "newsgraph: %s\n", err); return 2; }
    ng_worker *w; ng_worker_new(m, &w);
    int status = 0;
    ng_input_kind kind = NG_INPUT_AUTO;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--jsonl") == 0) { kind = NG_INPUT_JSONL; continue; }
        ng_reader *r;
        if (ng_reader_open(&r, argv[i], kind, (size_t)64 << 20, err, sizeof err) != NG_OK) {
            fprintf(stderr, "newsgraph: %s: %s\n", argv[i], err); status = 1; continue;
        }
        ng_item it; int k;
        while ((k = ng_reader_next(r, &it)) > 0) {
            if (it.rc != NG_OK) { fprintf(stderr, "newsgraph: %s: %s\n", it.where, it.error); status = 1; continue; }
            ng_doc *d;
            if (ng_analyze(w, &it.src, it.data, it.len, &d) != NG_OK) {
                fprintf(stderr, "newsgraph: %s: %s\n", it.where, ng_worker_error(w)); status = 1; continue;
            }
            char *json; size_t n;
            ng_doc_json(d, NG_FIELD_DEFAULT, 0, &json, &n);
            fwrite(json, 1, n, stdout); fputc('\n', stdout);
            free(json); ng_doc_free(d);
        }
        if (k < 0) { fprintf(stderr, "newsgraph: %s: %s\n", argv[i], ng_reader_error(r)); status = 1; }
        ng_reader_free(r);
    }
    ng_worker_free(w); ng_model_free(m);
    return status;
}
