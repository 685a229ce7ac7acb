/*
 * fuzz_jsonl.c — libFuzzer target for the JSON Lines reader: the input is
 * a JSON Lines stream (gzip'd or not) read from memory with a small size
 * limit, so that refused lines are exercised too.  Every item handed out
 * is touched, to catch a pointer that does not live until the next call.
 *
 * It is also a differential test of the reader's fast path: each line is
 * parsed again with jansson here, and the two must agree (a line jansson
 * rejects is refused as malformed; a line the reader accepts has the same
 * id and body as jansson sees them).
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "newsgraph.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Line number n (from 1) of data, without its '\n' and one '\r'. */
static const char *line_at(const char *data, size_t size, unsigned long n, size_t *len)
{
    const char *p = data, *end = data + size;
    for (unsigned long k = 1; k < n; k++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            return NULL;
        p = nl + 1;
    }
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    *len = (size_t)((nl ? nl : end) - p);
    if (*len && p[*len - 1] == '\r')
        (*len)--;
    if (n == 1 && *len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) {
        /* the reader skips a byte order mark on the first line */
        p += 3;
        *len -= 3;
    }
    return p;
}

/* Checks one item against jansson's reading of its line. */
static void check(const char *data, size_t size, const ng_item *it)
{
    const char *colon = strrchr(it->where, ':');
    if (!colon || it->rc == NG_ETOOBIG)
        return;
    size_t len;
    const char *line = line_at(data, size, strtoul(colon + 1, NULL, 10), &len);
    if (!line)
        return;
    json_t *j = json_loadb(line, len, JSON_ALLOW_NUL, NULL);
    if (!j) {
        if (it->rc != NG_EFORMAT || strncmp(it->error, "malformed JSON", 14) != 0)
            __builtin_trap();
        return;
    }
    if (it->rc == NG_OK) {
        json_t *text = json_object_get(j, "text"), *html = json_object_get(j, "html");
        json_t *body = json_is_string(text) ? text : html;
        if (!json_is_string(body) || json_string_length(body) != it->len ||
            memcmp(json_string_value(body), it->data, it->len) != 0)
            __builtin_trap();
        json_t *id = json_object_get(j, "id");
        if (json_is_string(id) && strcmp(json_string_value(id), it->src.id) != 0)
            __builtin_trap();
        json_t *url = json_object_get(j, "url");
        if (json_is_string(url) && (!it->src.url || strcmp(json_string_value(url), it->src.url) != 0))
            __builtin_trap();
    } else if (it->rc == NG_EFORMAT && strncmp(it->error, "malformed JSON", 14) == 0) {
        __builtin_trap(); /* jansson read it, so it is not malformed */
    }
    json_decref(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ng_reader *r;
    if (ng_reader_open_mem(&r, (const char *)data, size, "fuzz.jsonl", NG_INPUT_JSONL, 4096) != NG_OK)
        return 0;
    int gz = size >= 2 && data[0] == 0x1f && data[1] == 0x8b;
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
        if (!gz)
            check((const char *)data, size, &it);
    }
    ng_reader_free(r);
    (void)sink;
    return 0;
}
