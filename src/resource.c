/*
 * resource.c — the language resources compiled into the binary from lang/
 * (see tools/embed.c), and the string sets built from them.
 *
 * A resource list is plain UTF-8 text: one item a line, '#' starts a
 * comment line, blank lines are ignored, white space around an item is
 * trimmed.  Tab-separated columns are kept as they are in the item.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

extern const struct {
    const char *name;
    const unsigned char *data;
    size_t len;
} ng_embedded_resources[];

const char *ng_resource(const char *path, size_t *len)
{
    for (size_t i = 0; ng_embedded_resources[i].name; i++) {
        if (strcmp(ng_embedded_resources[i].name, path) == 0) {
            if (len)
                *len = ng_embedded_resources[i].len;
            return (const char *)ng_embedded_resources[i].data;
        }
    }
    return NULL;
}

size_t ng_fold(const char *s, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    size_t i = 0;
    if (cap == 0)
        return 0;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            if (o + 1 >= cap)
                break;
            out[o++] = (char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
            i++;
            continue;
        }
        uint32_t cp;
        int k = ng_utf8_decode((const unsigned char *)s + i, n - i, &cp);
        if (k == 0) {
            i++;
            continue;
        }
        i += (size_t)k;
        uint32_t lc = (uint32_t)utf8proc_tolower((utf8proc_int32_t)cp);
        char enc[4];
        int m = ng_utf8_encode(lc, enc);
        if (o + (size_t)m >= cap)
            break;
        memcpy(out + o, enc, (size_t)m);
        o += (size_t)m;
    }
    out[o] = '\0';
    return o;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int ng_strset_load(ng_strset *s, const char *path, int fold, int required)
{
    memset(s, 0, sizeof *s);
    size_t len = 0;
    const char *data = ng_resource(path, &len);
    if (!data)
        return required ? NG_EMODEL : NG_OK;
    /* folding can grow a string a little (rare); leave room */
    s->storage = malloc(len * 2 + 1);
    size_t lines = 1;
    for (size_t i = 0; i < len; i++)
        lines += data[i] == '\n';
    s->items = malloc(lines * sizeof *s->items);
    if (!s->storage || !s->items) {
        ng_strset_free(s);
        return NG_ENOMEM;
    }
    size_t used = 0;
    const char *p = data, *end = data + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl ? nl : end;
        const char *a = p;
        while (a < e && (*a == ' ' || *a == '\t' || *a == '\r'))
            a++;
        const char *b = e;
        while (b > a && (b[-1] == ' ' || b[-1] == '\t' || b[-1] == '\r'))
            b--;
        if (b > a && *a != '#') {
            char *dst = s->storage + used;
            size_t k;
            if (fold) {
                k = ng_fold(a, (size_t)(b - a), dst, len * 2 + 1 - used);
            } else {
                k = (size_t)(b - a);
                memcpy(dst, a, k);
                dst[k] = '\0';
            }
            s->items[s->n++] = dst;
            used += k + 1;
        }
        p = nl ? nl + 1 : end;
    }
    qsort(s->items, s->n, sizeof *s->items, cmp_str);
    size_t w = 0;
    for (size_t i = 0; i < s->n; i++)
        if (w == 0 || strcmp(s->items[w - 1], s->items[i]) != 0)
            s->items[w++] = s->items[i];
    s->n = w;
    return NG_OK;
}

void ng_strset_free(ng_strset *s)
{
    if (!s)
        return;
    free(s->items);
    free(s->storage);
    memset(s, 0, sizeof *s);
}

int ng_strset_has(const ng_strset *s, const char *key, size_t n)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        const char *it = s->items[mid];
        int c = strncmp(it, key, n);
        if (c == 0 && it[n] != '\0')
            c = 1;
        if (c == 0)
            return 1;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}
