/*
 * resource.c — the language resources compiled into the binary from lang/
 * (see tools/embed.c), and the string sets built from them.
 *
 * A resource list is plain UTF-8 text: one item a line, '#' starts a
 * comment line, blank lines are ignored, white space around an item is
 * trimmed.  Tab-separated columns are kept as they are in the item.
 *
 * A set keeps its items sorted (some callers walk them in order) and, for
 * lookups, an open-addressing hash of every prefix of every item: a prefix
 * maps to the range of items that begin with it (adjacent in sorted
 * order), so one hash lookup answers both "is this an item" (the range's
 * first item is the prefix itself) and "which items begin with this"
 * (read_text.c's cue prefixes).  The lists are small (a few hundred items
 * of a few bytes), so the index is too.  Keys longer than the longest
 * item are refused before any hashing.
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
    const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
    while (i < n) {
        /* fast path: eight ASCII bytes at a time.  SWAR: with every byte
         * below 0x80, (v + 0x3f..) & ~(v + 0x25..) has the high bit set in
         * the bytes from 'A' (0x41) to 'Z' (0x5a); that bit shifted down
         * is the 0x20 that lowercases them. */
        while (i + 8 <= n && o + 8 < cap) {
            uint64_t v;
            memcpy(&v, s + i, 8);
            if (v & high)
                break;
            uint64_t upper = (v + ones * (0x80 - 'A')) & ~(v + ones * (0x80 - 'Z' - 1)) & high;
            v |= upper >> 2;
            memcpy(out + o, &v, 8);
            i += 8;
            o += 8;
        }
        if (i >= n)
            break;
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            if (o + 1 >= cap)
                break;
            out[o++] = (char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
            i++;
            continue;
        }
        /* fast paths for the commonest non-ASCII characters of news text:
         * Latin-1 letters (U+00C0-U+00FF: the capitals but the sign U+00D7
         * lowercase by adding 0x20, the rest stay) and General Punctuation
         * U+2000-U+203F (quotes, dashes, spaces: no case) */
        unsigned char c1 = i + 1 < n ? (unsigned char)s[i + 1] : 0;
        if (c == 0xC3 && (c1 & 0xC0) == 0x80) {
            if (o + 2 >= cap)
                break;
            out[o++] = (char)c;
            out[o++] = (char)(c1 <= 0x9E && c1 != 0x97 ? c1 + 0x20 : c1);
            i += 2;
            continue;
        }
        if (c == 0xE2 && c1 == 0x80 && i + 2 < n && ((unsigned char)s[i + 2] & 0xC0) == 0x80) {
            if (o + 3 >= cap)
                break;
            memcpy(out + o, s + i, 3);
            o += 3;
            i += 3;
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

/* One slot of a set's prefix index, eight bytes so that the index of a
 * list stays small in the cache; free when len == 0.  Sets too big for
 * these fields (65535 items, items of 255 bytes) get no index. */
struct ng_strset_slot {
    uint16_t lo, hi; /* items[lo .. hi) begin with the prefix */
    uint16_t tag;    /* high bits of the prefix's hash */
    uint8_t len;     /* the prefix's length in bytes */
    uint8_t full;    /* 1 when the prefix is an item (then items[lo]) */
};

/* The hash of key[0..n): eight bytes at a time, so that a long key (a
 * whole line looked up in a list of lines) costs few multiplications. */
static inline uint32_t hash_bytes(const char *s, size_t n)
{
    const uint64_t mul = 0xff51afd7ed558ccdull;
    uint64_t h = 0x9e3779b97f4a7c15ull ^ n;
    while (n >= 8) {
        uint64_t v;
        memcpy(&v, s, 8);
        h = (h ^ v) * mul;
        h ^= h >> 32;
        s += 8;
        n -= 8;
    }
    if (n) {
        uint64_t v = 0;
        for (size_t i = 0; i < n; i++)
            v |= (uint64_t)(unsigned char)s[i] << (8 * i);
        h = (h ^ v) * mul;
        h ^= h >> 32;
    }
    h *= 0xc4ceb9fe1a85ec53ull;
    return (uint32_t)(h ^ (h >> 29));
}

/* Builds s->index over the sorted, unique items.  Leaves it NULL when
 * out of memory or when the set is too big for the slots (lookups then
 * fall back to binary search). */
static void build_index(ng_strset *s)
{
    /* distinct prefixes: each item adds those longer than what it shares
     * with the item before it (items are sorted) */
    size_t prefixes = 0;
    for (size_t i = 0; i < s->n; i++) {
        const char *it = s->items[i];
        size_t k = strlen(it), common = 0;
        if (i > 0)
            while (common < k && it[common] == s->items[i - 1][common])
                common++;
        prefixes += k - common;
        s->maxlen = k > s->maxlen ? k : s->maxlen;
        if (k)
            s->first_bytes |= 1ull << ((unsigned char)it[0] & 63);
    }
    if (prefixes == 0 || s->n > UINT16_MAX - 1 || s->maxlen > UINT8_MAX)
        return;
    size_t cap = 16;
    while (cap < prefixes * 2)
        cap *= 2;
    ng_strset_slot *t = calloc(cap, sizeof *t);
    if (!t)
        return;
    for (size_t i = 0; i < s->n; i++) {
        const char *it = s->items[i];
        size_t k = strlen(it);
        for (size_t j = 1; j <= k; j++) {
            uint32_t h = hash_bytes(it, j);
            size_t at = h & (cap - 1);
            /* items with a common prefix are adjacent: an existing slot
             * only grows its range to this item */
            while (t[at].len) {
                if (t[at].tag == (uint16_t)(h >> 16) && t[at].len == j && memcmp(s->items[t[at].lo], it, j) == 0)
                    break;
                at = (at + 1) & (cap - 1);
            }
            if (t[at].len) {
                t[at].hi = (uint16_t)(i + 1);
            } else {
                /* a new prefix; when it is the whole item, the item is the
                 * first of its range (a prefix sorts before what extends it) */
                t[at].tag = (uint16_t)(h >> 16);
                t[at].len = (uint8_t)j;
                t[at].full = j == k;
                t[at].lo = (uint16_t)i;
                t[at].hi = (uint16_t)(i + 1);
            }
        }
    }
    s->index = t;
    s->index_mask = cap - 1;
}

/* The index slot of prefix key[0..n), or NULL. */
static const ng_strset_slot *find_slot(const ng_strset *s, const char *key, size_t n)
{
    /* no item is as long: no hashing (whole lines are looked up in
     * lists of short cues) ... */
    if (n == 0 || n > s->maxlen)
        return NULL;
    /* nor one that begins with this byte (most words of a text, for a
     * short list): no hashing, no look at the table */
    if (!((s->first_bytes >> ((unsigned char)key[0] & 63)) & 1))
        return NULL;
    uint32_t h = hash_bytes(key, n);
    size_t at = h & s->index_mask;
    for (;;) {
        const ng_strset_slot *t = &s->index[at];
        if (!t->len)
            return NULL;
        if (t->tag == (uint16_t)(h >> 16) && t->len == n && memcmp(s->items[t->lo], key, n) == 0)
            return t;
        at = (at + 1) & s->index_mask;
    }
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
    build_index(s);
    return NG_OK;
}

void ng_strset_free(ng_strset *s)
{
    if (!s)
        return;
    free(s->items);
    free(s->storage);
    free(s->index);
    memset(s, 0, sizeof *s);
}

/* Compares item it with key[0..n) as strncmp(it, key, n) would, except
 * that an item longer than n compares greater: <0, 0 (equal) or >0. */
static int cmp_key(const char *it, const char *key, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char a = (unsigned char)it[i], b = (unsigned char)key[i];
        if (a != b)
            return a < b ? -1 : 1;
    }
    return it[n] != '\0';
}

int ng_strset_has(const ng_strset *s, const char *key, size_t n)
{
    if (s->n == 0)
        return 0;
    if (s->index) {
        const ng_strset_slot *t = find_slot(s, key, n);
        return t && t->full;
    }
    /* no index (out of memory at load): binary search */
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = cmp_key(s->items[mid], key, n);
        if (c == 0)
            return 1;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

size_t ng_strset_prefix(const ng_strset *s, const char *key, size_t n, size_t *lo, size_t *hi)
{
    *lo = *hi = 0;
    if (s->n == 0 || n == 0)
        return 0;
    if (s->index) {
        const ng_strset_slot *t = find_slot(s, key, n);
        if (!t)
            return 0;
        *lo = t->lo;
        *hi = t->hi;
        return *hi - *lo;
    }
    /* no index: binary search for the first item >= key[0..n), then walk */
    size_t a = 0, b = s->n;
    while (a < b) {
        size_t mid = (a + b) / 2;
        if (strncmp(s->items[mid], key, n) < 0)
            a = mid + 1;
        else
            b = mid;
    }
    size_t e = a;
    while (e < s->n && strncmp(s->items[e], key, n) == 0)
        e++;
    *lo = a;
    *hi = e;
    return e - a;
}
