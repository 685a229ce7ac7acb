/*
 * fuzz_text.c — libFuzzer target for the plain-text path: ng_decode, then
 * ng_text_extract and ng_agencies_find, plus ng_date_normalize on the
 * input's first bytes.  The first input byte picks a charset hint.
 *
 * Besides not crashing, it checks what the rest of the pipeline relies on:
 * the clean text is valid UTF-8, NUL-terminated at text_len, without a
 * carriage return, no longer than the input; the title is a piece of the
 * text; a normalised date has the ISO shape; the agency list is
 * NULL-terminated.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static ng_model *model;
static ng_worker *worker;

/* 1 when s is "YYYY-MM-DD" optionally followed by "T" and a time. */
static int iso_shape(const char *s)
{
    static const char pat[] = "dddd-dd-dd";
    for (size_t i = 0; i < 10; i++) {
        if (pat[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != pat[i])
            return 0;
    }
    return s[10] == '\0' || s[10] == 'T';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!model) {
        char err[256];
        if (ng_model_new(&model, NULL, err, sizeof err) != NG_OK || ng_worker_new(model, &worker) != NG_OK)
            abort();
    }
    if (size == 0)
        return 0;
    static const char *const hints[] = {NULL, "utf-8", "windows-1252", "iso-8859-1"};
    const char *hint = hints[data[0] & 3];
    const char *s = (const char *)data + 1;
    size_t n = size - 1;

    char iso[64];
    if (ng_date_normalize(model, s, n < 80 ? n : 80, iso, sizeof iso) && !iso_shape(iso))
        abort();

    ng_buf b;
    ng_buf_init(&b);
    if (ng_decode(worker, s, n, hint, &b) == NG_OK && !b.oom) {
        if (ng_utf8_check(b.p ? b.p : "", b.len) != b.len)
            abort();
        ng_doc *d = calloc(1, sizeof *d);
        if (!d)
            abort();
        ng_arena_init(&d->arena);
        d->model = model;
        if (ng_text_extract(worker, d, b.p ? b.p : "", b.len) == NG_OK &&
            ng_agencies_find(worker, d) == NG_OK) {
            if (!d->text || strlen(d->text) != d->text_len || d->text_len > b.len)
                abort();
            if (memchr(d->text, '\r', d->text_len))
                abort();
            if (ng_utf8_check(d->text, d->text_len) != d->text_len)
                abort();
            if (d->title && !strstr(d->text, d->title))
                abort();
            if (d->published && !iso_shape(d->published))
                abort();
            if (d->agencies && d->agencies[d->nagencies] != NULL)
                abort();
        }
        ng_doc_free(d);
    }
    ng_buf_free(&b);
    return 0;
}
