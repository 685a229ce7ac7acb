/*
 * fuzz_jsonl.c — libFuzzer target for the JSON Lines reader: the input is
 * a JSON Lines stream (gzip'd or not) read from memory with a small size
 * limit, so that refused lines are exercised too.  Every item handed out
 * is touched, to catch a pointer that does not live until the next call.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "newsgraph.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ng_reader *r;
    if (ng_reader_open_mem(&r, (const char *)data, size, "fuzz.jsonl", NG_INPUT_JSONL, 4096) != NG_OK)
        return 0;
    ng_item it;
    volatile size_t sink = 0;
    while (ng_reader_next(r, &it) > 0) {
        sink += strlen(it.where) + strlen(it.src.id);
        if (it.rc == NG_OK) {
            for (size_t i = 0; i < it.len; i++)
                sink += (unsigned char)it.data[i];
            sink += it.src.url ? strlen(it.src.url) : 0;
            sink += it.src.published ? strlen(it.src.published) : 0;
            sink += it.src.lang ? strlen(it.src.lang) : 0;
        } else {
            sink += strlen(it.error);
        }
    }
    ng_reader_free(r);
    (void)sink;
    return 0;
}
