/*
 * fuzz_modelfile.c — the model loader from memory: the container checks
 * (modelfile.c), then the tagger's sections (tagger.c), then, when both
 * accept the bytes, gazetteer lookups and one tagging call, which must stay
 * inside the file.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tagger.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* a copy on the heap: aligned like a mapping, and ASan sees its end */
    unsigned char *copy = malloc(size ? size : 1);
    if (!copy)
        return 0;
    if (size)
        memcpy(copy, data, size);
    ng_modelfile mf;
    char err[256];
    if (ng_modelfile_open_mem(&mf, copy, size, err, sizeof err) == NG_OK) {
        ng_tagger t;
        if (ng_tagger_load(&t, &mf, err, sizeof err) == NG_OK) {
            static const char *const words[] = {"Mr", "Smith", "visited", "Paris", "."};
            ng_tword w[5];
            for (int i = 0; i < 5; i++)
                w[i] = (ng_tword){words[i], (uint32_t)strlen(words[i]), 0, 0};
            ng_gaz_mark(&t.gaz, w, 5); /* probes the gazetteer table, reads its codes */
            uint32_t kinds;
            const char *code = NULL;
            if (ng_gaz_match(&t.gaz, w, 5, 3, &kinds, &code) && code)
                (void)strlen(code);
            uint8_t tags[5];
            ng_tagger_scratch sc = {0};
            ng_tagger_tag(&t, &sc, w, 5, tags);
            uint32_t f[5], l[5];
            uint8_t y[5];
            ng_tags_to_spans(&t, tags, 5, f, l, y, 5);
            ng_tagger_scratch_free(&sc);
        }
    }
    free(copy);
    return 0;
}
