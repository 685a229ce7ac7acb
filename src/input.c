/* input.c — files, folders, stdin, JSON Lines, WARC (placeholder, being written) */
#include "internal.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
struct ng_reader {
    char *data; size_t len; int done; char name[256]; char err[256]; int owned;
};
int ng_reader_open(ng_reader **out, const char *path, ng_input_kind kind, size_t max_bytes, char *err, size_t errlen)
{
    NG_UNUSED(kind); NG_UNUSED(max_bytes);
    *out = NULL;
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) { snprintf(err, errlen, "cannot open"); return NG_EIO; }
    ng_reader *r = calloc(1, sizeof *r);
    ng_buf b; ng_buf_init(&b);
    char tmp[65536]; size_t k;
    while ((k = fread(tmp, 1, sizeof tmp, f)) > 0) ng_buf_put(&b, tmp, k);
    if (f != stdin) fclose(f);
    r->len = b.len; r->data = ng_buf_take(&b, NULL); r->owned = 1;
    const char *base = strrchr(path, '/');
    snprintf(r->name, sizeof r->name, "%s", base ? base + 1 : path);
    *out = r;
    return NG_OK;
}
int ng_reader_open_mem(ng_reader **out, const char *data, size_t len, const char *name, ng_input_kind kind, size_t max_bytes)
{
    NG_UNUSED(kind); NG_UNUSED(max_bytes);
    ng_reader *r = calloc(1, sizeof *r);
    if (!r) return NG_ENOMEM;
    r->data = (char *)data; r->len = len;
    snprintf(r->name, sizeof r->name, "%s", name ? name : "-");
    *out = r;
    return NG_OK;
}
int ng_reader_next(ng_reader *r, ng_item *item)
{
    if (r->done) return 0;
    r->done = 1;
    memset(item, 0, sizeof *item);
    ng_source_default(&item->src);
    item->src.id = r->name; item->where = r->name;
    item->data = r->data; item->len = r->len;
    return 1;
}
const char *ng_reader_error(const ng_reader *r) { return r->err; }
void ng_reader_free(ng_reader *r) { if (!r) return; if (r->owned) free(r->data); free(r); }
