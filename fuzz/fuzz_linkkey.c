/*
 * fuzz_linkkey.c — libFuzzer target for the knowledge base's name handling
 * (link.c): arbitrary bytes as a name through ng_link_key (utf8proc
 * normalisation, title stripping), and two halves of the input through
 * ng_link_distance.
 *
 * Besides not crashing, it checks the promises: a key fits its buffer, has
 * no leading, trailing or double spaces and is stable (the key of a key is
 * itself); the distance is symmetric, 0 for equal strings, and never over
 * limit + 1.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static ng_linker *linker;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!linker && ng_linker_new(&linker) != NG_OK)
        abort();
    if (size > 4096)
        return 0;
    char *name = malloc(size + 1);
    if (!name)
        return 0;
    memcpy(name, data, size);
    name[size] = '\0';
    char key[256], again[256];
    size_t n = ng_link_key(linker, name, key, sizeof key);
    if (n >= sizeof key || strlen(key) != n)
        abort();
    if (n && (key[0] == ' ' || key[n - 1] == ' ' || strstr(key, "  ")))
        abort();
    /* stable: normalising a key again gives the key, unless stripping a
     * title or determiner uncovered another one */
    size_t m = ng_link_key(linker, key, again, sizeof again);
    if (m > n)
        abort();
    size_t half = size / 2;
    int limit = (int)(size % 4);
    int d1 = ng_link_distance(name, half, name + half, size - half, limit);
    int d2 = ng_link_distance(name + half, size - half, name, half, limit);
    if (d1 != d2 || d1 > limit + 1 || d1 < 0)
        abort();
    if (ng_link_distance(name, half, name, half, limit) != 0 && half <= 64)
        abort();
    free(name);
    return 0;
}
