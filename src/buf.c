/*
 * buf.c — a growable byte string on malloc, and the JSON string writer.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ng_buf_init(ng_buf *b)
{
    memset(b, 0, sizeof *b);
}

void ng_buf_free(ng_buf *b)
{
    if (!b)
        return;
    free(b->p);
    memset(b, 0, sizeof *b);
}

void ng_buf_reset(ng_buf *b)
{
    b->len = 0;
    if (b->p)
        b->p[0] = '\0';
}

/* Makes room for extra more bytes plus the NUL.  Returns 0, or -1 (and
 * sets oom) when memory runs out. */
int ng_buf_reserve(ng_buf *b, size_t extra)
{
    if (b->oom)
        return -1;
    if (extra > SIZE_MAX / 2 - b->len) {
        b->oom = 1;
        return -1;
    }
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) {
        b->oom = 1;
        return -1;
    }
    b->p = p;
    b->cap = cap;
    return 0;
}

void ng_buf_put(ng_buf *b, const void *s, size_t n)
{
    if (ng_buf_reserve(b, n) != 0)
        return;
    if (n)
        memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void ng_buf_putc(ng_buf *b, char c)
{
    if (ng_buf_reserve(b, 1) != 0)
        return;
    b->p[b->len++] = c;
    b->p[b->len] = '\0';
}

void ng_buf_puts(ng_buf *b, const char *s)
{
    ng_buf_put(b, s, strlen(s));
}

void ng_buf_printf(ng_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char small[256];
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof small) {
        ng_buf_put(b, small, (size_t)n);
        return;
    }
    if (ng_buf_reserve(b, (size_t)n) != 0)
        return;
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

/* Nonzero when a byte of the eight in v needs more than a copy in a JSON
 * string: a control character (< 0x20), '"', '\\' or a non-ASCII byte.
 * (SWAR: (x - 0x0101..) & ~x & 0x8080.. is nonzero exactly when a byte of
 * x is zero, and with 0x2020.. in place of 0x0101.. when a byte is below
 * 0x20; x is v itself, or v xor the quote or backslash in every byte.) */
static inline uint64_t json_special8(uint64_t v)
{
    const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
    uint64_t q = v ^ (ones * '"'), bs = v ^ (ones * '\\');
    uint64_t ctl = (v - ones * 0x20) & ~v;
    uint64_t quote = (q - ones) & ~q;
    uint64_t backslash = (bs - ones) & ~bs;
    return (ctl | quote | backslash | v) & high;
}

void ng_buf_json_str(ng_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    /* worst case: every byte becomes \u00XX or U+FFFD */
    if (ng_buf_reserve(b, n * 6 + 2) != 0)
        return;
    char *o = b->p + b->len;
    *o++ = '"';
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        /* fast path: eight bytes at a time while none needs escaping */
        while (i + 8 <= n) {
            uint64_t v;
            memcpy(&v, u + i, 8);
            if (json_special8(v))
                break;
            memcpy(o, &v, 8);
            o += 8;
            i += 8;
        }
        if (i >= n)
            break;
        unsigned char c = u[i];
        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
            *o++ = (char)c;
            i++;
            continue;
        }
        if (c < 0x80) {
            *o++ = '\\';
            switch (c) {
            case '"': *o++ = '"'; break;
            case '\\': *o++ = '\\'; break;
            case '\n': *o++ = 'n'; break;
            case '\t': *o++ = 't'; break;
            case '\r': *o++ = 'r'; break;
            case '\b': *o++ = 'b'; break;
            case '\f': *o++ = 'f'; break;
            default:
                *o++ = 'u';
                *o++ = '0';
                *o++ = '0';
                *o++ = hex[c >> 4];
                *o++ = hex[c & 15];
            }
            i++;
            continue;
        }
        /* two- and three-byte sequences checked inline (accents, curly
         * quotes, dashes); the rest through ng_utf8_decode */
        if (c >= 0xC2 && c < 0xE0 && i + 1 < n && (u[i + 1] & 0xC0) == 0x80) {
            o[0] = (char)c;
            o[1] = (char)u[i + 1];
            o += 2;
            i += 2;
            continue;
        }
        if (c >= 0xE1 && c < 0xF0 && c != 0xED && i + 2 < n && (u[i + 1] & 0xC0) == 0x80 &&
            (u[i + 2] & 0xC0) == 0x80 && !(c == 0xE2 && u[i + 1] == 0x80 && (u[i + 2] == 0xA8 || u[i + 2] == 0xA9))) {
            o[0] = (char)c;
            o[1] = (char)u[i + 1];
            o[2] = (char)u[i + 2];
            o += 3;
            i += 3;
            continue;
        }
        uint32_t cp;
        int k = ng_utf8_decode(u + i, n - i, &cp);
        if (k == 0) {
            memcpy(o, "\xEF\xBF\xBD", 3);
            o += 3;
            i++;
            continue;
        }
        if (cp == 0x2028 || cp == 0x2029) { /* valid JSON, but break JavaScript */
            memcpy(o, cp == 0x2028 ? "\\u2028" : "\\u2029", 6);
            o += 6;
        } else {
            memcpy(o, u + i, (size_t)k);
            o += k;
        }
        i += (size_t)k;
    }
    *o++ = '"';
    b->len = (size_t)(o - b->p);
    b->p[b->len] = '\0';
}

char *ng_buf_take(ng_buf *b, size_t *len)
{
    if (b->oom) {
        ng_buf_free(b);
        return NULL;
    }
    if (!b->p && ng_buf_reserve(b, 0) != 0)
        return NULL;
    char *p = b->p;
    if (len)
        *len = b->len;
    memset(b, 0, sizeof *b);
    return p;
}

int ng_buf_read_file(ng_buf *b, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NG_EIO;
    char chunk[65536];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
        ng_buf_put(b, chunk, got);
    int bad = ferror(f);
    fclose(f);
    if (b->oom)
        return NG_ENOMEM;
    return bad ? NG_EIO : NG_OK;
}
