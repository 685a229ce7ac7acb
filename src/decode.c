/*
 * decode.c — an article's raw bytes to UTF-8.
 *
 * Order of decisions (docs/text-cleaning.md):
 *
 *   1. a UTF-16 BOM (FF FE / FE FF): decode UTF-16 LE/BE, surrogates paired;
 *   2. a UTF-8 BOM (EF BB BF): dropped;
 *   3. a NUL byte, or many C0 control characters early on: binary, refused;
 *   4. valid UTF-8: copied through (the fast path: ng_utf8_check reads
 *      eight ASCII bytes at a time); a sequence cut by the end of the input
 *      is dropped rather than refusing the whole article;
 *   5. not UTF-8, and either the transport named a Latin charset or the
 *      bytes hold no valid multi-byte UTF-8 sequence at all and look like
 *      Latin text: transcoded from Windows-1252 (a superset of Latin-1's
 *      printable range; ISO-8859-15 differs in eight rare letters only);
 *   6. anything else (UTF-8 mixed with stray bytes): refused, naming the
 *      first bad byte.
 *
 * Valid UTF-8 wins over a Latin charset hint: HTTP headers and <meta> tags
 * often claim ISO-8859-1 for pages that are UTF-8, while Latin-1 text that
 * happens to be valid UTF-8 (with multi-byte sequences) is very rare.
 * Line ends are left alone here; ng_text_extract normalises them.
 */
#include "internal.h"

#include <string.h>
#include <strings.h>

/* 1 when charset names an 8-bit Latin encoding we read as Windows-1252. */
static int latin_charset(const char *cs)
{
    static const char *const names[] = {"windows-1252", "cp1252", "x-cp1252", "iso-8859-1", "iso8859-1",
                                        "iso_8859-1", "latin1", "latin-1", "l1", "iso-8859-15",
                                        "iso8859-15", "latin9", "latin-9", "us-ascii", "ascii", "ansi_x3.4-1968"};
    if (!cs)
        return 0;
    while (*cs == ' ' || *cs == '"' || *cs == '\'')
        cs++;
    size_t n = strlen(cs);
    while (n && (cs[n - 1] == ' ' || cs[n - 1] == '"' || cs[n - 1] == '\'' || cs[n - 1] == ';'))
        n--;
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (strlen(names[i]) == n && strncasecmp(cs, names[i], n) == 0)
            return 1;
    return 0;
}

/* Refuses binary data: any NUL byte, or more than 1 in 64 of the first
 * 64 KiB being C0 control characters other than tab, line feed, vertical
 * tab, form feed, carriage return and escape-free text marks.  Returns NG_OK
 * or NG_EBINARY with the detail set on w. */
static int check_binary(ng_worker *w, const char *s, size_t n)
{
    const char *z = memchr(s, 0, n);
    if (z)
        return ng_worker_fail(w, NG_EBINARY, "binary data (NUL byte at offset %zu)", (size_t)(z - s));
    size_t lim = n < 65536 ? n : 65536, ctl = 0, first = 0;
    size_t i = 0;
    /* fast path: eight bytes at a time while none is below 0x20 (SWAR:
     * (v - 0x2020..) & ~v & 0x8080.. is nonzero exactly when one is) */
    while (i + 8 <= lim) {
        uint64_t v;
        memcpy(&v, s + i, 8);
        if (((v - 0x2020202020202020ull) & ~v & 0x8080808080808080ull) == 0) {
            i += 8;
            continue;
        }
        for (size_t j = i; j < i + 8; j++) {
            unsigned char c = (unsigned char)s[j];
            if (c < 0x20 && !(c >= 9 && c <= 13)) {
                if (ctl++ == 0)
                    first = j;
            }
        }
        i += 8;
    }
    for (; i < lim; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 && !(c >= 9 && c <= 13)) {
            if (ctl++ == 0)
                first = i;
        }
    }
    if (ctl >= 4 && ctl * 64 > lim)
        return ng_worker_fail(w, NG_EBINARY, "binary data (%zu control characters, the first at offset %zu)", ctl,
                              first);
    return NG_OK;
}

/* Decodes UTF-16 (big endian when be) into out, refusing NUL characters
 * (binary) and unpaired surrogates (encoding).  s excludes the BOM; off is
 * the BOM's length, for offsets in messages. */
static int decode_utf16(ng_worker *w, const unsigned char *s, size_t n, int be, size_t off, ng_buf *out)
{
    if (ng_buf_reserve(out, n / 2 * 3 + 4) != 0)
        return ng_worker_fail(w, NG_ENOMEM, "out of memory");
    char *o = out->p + out->len;
    size_t i = 0;
    for (; i + 1 < n; i += 2) {
        uint32_t u = be ? ((uint32_t)s[i] << 8 | s[i + 1]) : ((uint32_t)s[i + 1] << 8 | s[i]);
        if (u == 0)
            return ng_worker_fail(w, NG_EBINARY, "binary data (NUL character at offset %zu)", i + off);
        if (u >= 0xD800 && u <= 0xDBFF) {
            if (i + 3 >= n)
                return ng_worker_fail(w, NG_EENCODING, "invalid UTF-16 at byte %zu", i + off);
            uint32_t v = be ? ((uint32_t)s[i + 2] << 8 | s[i + 3]) : ((uint32_t)s[i + 3] << 8 | s[i + 2]);
            if (v < 0xDC00 || v > 0xDFFF)
                return ng_worker_fail(w, NG_EENCODING, "invalid UTF-16 at byte %zu", i + off);
            u = 0x10000 + ((u - 0xD800) << 10) + (v - 0xDC00);
            i += 2;
        } else if (u >= 0xDC00 && u <= 0xDFFF) {
            return ng_worker_fail(w, NG_EENCODING, "invalid UTF-16 at byte %zu", i + off);
        }
        o += ng_utf8_encode(u, o);
    }
    if (i < n)
        return ng_worker_fail(w, NG_EENCODING, "invalid UTF-16 at byte %zu (odd length)", i + off);
    out->len = (size_t)(o - out->p);
    out->p[out->len] = '\0';
    return NG_OK;
}

/* Scans bytes that are not UTF-8 for signs of Windows-1252 text: no valid
 * multi-byte UTF-8 sequence anywhere (that would mean UTF-8 with stray
 * bytes), few bytes the code page leaves undefined, and mostly ASCII.
 * Returns 1 when the bytes look like Latin text. */
static int looks_latin(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t high = 0, undefined = 0;
    for (size_t i = 0; i < n; i++) {
        if (u[i] < 0x80)
            continue;
        high++;
        if (u[i] == 0x81 || u[i] == 0x8D || u[i] == 0x8F || u[i] == 0x90 || u[i] == 0x9D)
            undefined++;
        uint32_t cp;
        int k = ng_utf8_decode(u + i, n - i, &cp);
        if (k > 1)
            return 0;
    }
    return undefined * 20 <= high && high * 3 <= n;
}

int ng_decode(ng_worker *w, const char *data, size_t len, const char *charset, ng_buf *out)
{
    const unsigned char *u = (const unsigned char *)data;
    if (len >= 2 && ((u[0] == 0xFF && u[1] == 0xFE) || (u[0] == 0xFE && u[1] == 0xFF)))
        return decode_utf16(w, u + 2, len - 2, u[0] == 0xFE, 2, out);
    size_t skip = 0;
    if (len >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF)
        skip = 3;
    const char *s = data + skip;
    size_t n = len - skip;
    int rc = check_binary(w, s, n);
    if (rc != NG_OK)
        return rc;
    size_t bad = ng_utf8_check(s, n);
    if (bad < n && n - bad < 4) {
        /* a sequence cut by the end of the input: drop it if it is a valid
         * lead with only continuation bytes after it */
        unsigned char c = (unsigned char)s[bad];
        size_t want = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 0;
        int cont = 1;
        for (size_t i = bad + 1; i < n; i++)
            cont &= ((unsigned char)s[i] & 0xC0) == 0x80;
        /* ... unless the file is Latin text ending in an accented letter */
        if (want > n - bad && cont && !latin_charset(charset) && !looks_latin(s, n))
            n = bad;
    }
    if (bad >= n) {
        ng_buf_put(out, s, n);
        if (out->oom)
            return ng_worker_fail(w, NG_ENOMEM, "out of memory");
        return NG_OK;
    }
    if (latin_charset(charset) || looks_latin(s, n)) {
        ng_cp1252_to_utf8(out, s, n);
        if (out->oom)
            return ng_worker_fail(w, NG_ENOMEM, "out of memory");
        return NG_OK;
    }
    return ng_worker_fail(w, NG_EENCODING, "invalid UTF-8 at byte %zu", bad + skip);
}
