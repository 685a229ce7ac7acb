/*
 * read_warc.c — WARC input (ISO 28500, WARC/1.0 and WARC/1.1), plain or
 * gzip'd (the stream inflates, member after member), one record at a time.
 *
 * A record is a version line, header lines up to a blank line, then
 * Content-Length bytes of block and a blank line:
 *
 *   WARC/1.1
 *   WARC-Type: response
 *   WARC-Target-URI: https://example.com/a.html
 *   Content-Type: application/http; msgtype=response
 *   Content-Length: 1234
 *
 *   HTTP/1.1 200 OK                     <- the block: for a response, the
 *   Content-Type: text/html; charset=utf-8 HTTP message as it was received
 *   ...
 *
 * Handed out: "response" records whose HTTP status is 2xx and whose payload
 * is HTML (text/html, application/xhtml+xml), and "resource" records of
 * HTML; everything else is skipped silently.  The payload is freed of
 * Transfer-Encoding: chunked and Content-Encoding: gzip/deflate (when the
 * bytes really are encoded: some crawlers store them decoded and keep the
 * header).  The HTTP charset goes to src.charset, the target URI to src.id
 * and src.url.  WARC-Date is the crawl time, not a publication date, and is
 * not used.
 *
 * Memory: one record's block (at most max_bytes plus 64 KiB of HTTP header)
 * and its decoded payload (at most max_bytes).  Bigger records are read and
 * dropped.  A record cut short ends the input with one NG_ETRUNCATED item;
 * a header that does not parse ends it with one NG_EFORMAT item (there is
 * no safe way to find the next record).
 */
#include "internal.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#define MAX_LINE 65536     /* longest WARC header line */
#define MAX_FIELDS 1024    /* most header lines in one record */
#define HTTP_HEAD 65536    /* longest HTTP header block */
#define BIG_BUF (8u << 20) /* buffers bigger than this are freed after use */

struct ng_warc {
    ng_stream *s;       /* the bytes (borrowed) */
    const char *name;   /* the input's name (borrowed) */
    size_t max_bytes;   /* largest payload handed out */
    uint64_t recno;     /* number of the current record, from 1 */
    int done;           /* the input ended or cannot be read further */
    ng_buf line;        /* a header line */
    ng_buf body;        /* the current record's block */
    ng_buf dec;         /* its decoded payload */
    ng_buf uri;         /* WARC-Target-URI of the current record */
    char charset[64];   /* the payload's charset, lowercased, or "" */
    char where[512];    /* "name:RECORD" */
    char msg[320];      /* the current refusal's reason */
};

/* What the header of one record says. */
typedef struct {
    int has_len;        /* a Content-Length was given */
    uint64_t len;       /* Content-Length */
    char type[32];      /* WARC-Type, lowercased */
    char ctype[256];    /* Content-Type */
} warc_head;

int ng_warc_new(ng_warc **out, ng_stream *s, const char *name, size_t max_bytes)
{
    ng_warc *wr = calloc(1, sizeof *wr);
    *out = wr;
    if (!wr)
        return NG_ENOMEM;
    wr->s = s;
    wr->name = name;
    wr->max_bytes = max_bytes;
    ng_buf_init(&wr->line);
    ng_buf_init(&wr->body);
    ng_buf_init(&wr->dec);
    ng_buf_init(&wr->uri);
    return NG_OK;
}

void ng_warc_free(ng_warc *wr)
{
    if (!wr)
        return;
    ng_buf_free(&wr->line);
    ng_buf_free(&wr->body);
    ng_buf_free(&wr->dec);
    ng_buf_free(&wr->uri);
    free(wr);
}

/* Fills item as a refusal with rc and a printf-style reason.  Returns 1. */
static int refuse(ng_warc *wr, ng_item *item, int rc, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int refuse(ng_warc *wr, ng_item *item, int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(wr->msg, sizeof wr->msg, fmt, ap);
    va_end(ap);
    item->rc = rc;
    item->error = wr->msg;
    item->data = NULL;
    item->len = 0;
    return 1;
}

/* Ends the input with a refusal saying why the stream stopped (a read
 * error, a truncated or corrupt gzip stream) or, when the stream is fine,
 * with the given rc and reason.  Returns 1. */
static int stop(ng_warc *wr, ng_item *item, int rc, const char *reason)
{
    const char *m;
    int src = ng_stream_error(wr->s, &m);
    wr->done = 1;
    if (src != NG_OK)
        return refuse(wr, item, src, "%s", m);
    return refuse(wr, item, rc, "%s", reason);
}

/* Drops white space at both ends of s[0..*n); returns the new start. */
static const char *trim(const char *s, size_t *n)
{
    while (*n && (s[0] == ' ' || s[0] == '\t')) {
        s++;
        (*n)--;
    }
    while (*n && (s[*n - 1] == ' ' || s[*n - 1] == '\t' || s[*n - 1] == '\r'))
        (*n)--;
    return s;
}

/* Copies s[0..n) into out[cap] as a C string, lowercased when asked. */
static void copy_field(char *out, size_t cap, const char *s, size_t n, int lower)
{
    if (n >= cap)
        n = cap - 1;
    for (size_t i = 0; i < n; i++)
        out[i] = lower ? (char)tolower((unsigned char)s[i]) : s[i];
    out[n] = '\0';
}

/* Parses a decimal length; returns 0 on success, -1 when it is not one. */
static int parse_len(const char *s, size_t n, uint64_t *out)
{
    uint64_t v = 0;
    if (n == 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9' || v > (UINT64_MAX - 9) / 10)
            return -1;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    *out = v;
    return 0;
}

/* True when the media type of a Content-Type value is HTML. */
static int is_html(const char *ct, size_t n)
{
    const char *semi = memchr(ct, ';', n);
    size_t k = semi ? (size_t)(semi - ct) : n;
    ct = trim(ct, &k);
    return (k == 9 && strncasecmp(ct, "text/html", 9) == 0) ||
           (k == 21 && strncasecmp(ct, "application/xhtml+xml", 21) == 0);
}

/* Finds the charset parameter of a Content-Type value and copies it,
 * lowercased and unquoted, into out[cap]; "" when there is none. */
static void find_charset(const char *ct, size_t n, char *out, size_t cap)
{
    out[0] = '\0';
    const char *p = ct, *end = ct + n;
    while ((p = memchr(p, ';', (size_t)(end - p))) != NULL) {
        p++;
        while (p < end && (*p == ' ' || *p == '\t'))
            p++;
        if (end - p > 8 && strncasecmp(p, "charset=", 8) == 0) {
            const char *v = p + 8;
            size_t k = 0;
            if (v < end && (*v == '"' || *v == '\'')) {
                char q = *v++;
                while (v + k < end && v[k] != q)
                    k++;
            } else {
                while (v + k < end && v[k] != ';' && v[k] != ' ' && v[k] != '\t')
                    k++;
            }
            copy_field(out, cap, v, k, 1);
            return;
        }
    }
}

/* Reads header lines up to the blank line into h.  Returns 0, or 1 with a
 * refusal in item (the input stops), or NG_ENOMEM. */
static int read_head(ng_warc *wr, warc_head *h, ng_item *item)
{
    memset(h, 0, sizeof *h);
    ng_buf_reset(&wr->uri);
    for (int nf = 0;; nf++) {
        ng_buf_reset(&wr->line);
        uint64_t len;
        int k = ng_stream_getline(wr->s, &wr->line, MAX_LINE, &len);
        if (k == NG_ENOMEM)
            return k;
        if (k < 0)
            return stop(wr, item, k, "");
        if (k == 0)
            return stop(wr, item, NG_ETRUNCATED, "truncated WARC record header");
        if (len > MAX_LINE || nf > MAX_FIELDS)
            return stop(wr, item, NG_EFORMAT, "WARC header too long");
        size_t n = wr->line.len;
        const char *p = trim(wr->line.p ? wr->line.p : "", &n);
        if (n == 0)
            break;
        const char *colon = memchr(p, ':', n);
        if (!colon)
            continue; /* a continuation or junk line: nothing we use */
        size_t kn = (size_t)(colon - p), vn = n - kn - 1;
        const char *v = trim(colon + 1, &vn);
        if (kn == 14 && strncasecmp(p, "Content-Length", 14) == 0) {
            if (parse_len(v, vn, &h->len) != 0)
                return stop(wr, item, NG_EFORMAT, "bad Content-Length");
            h->has_len = 1;
        } else if (kn == 9 && strncasecmp(p, "WARC-Type", 9) == 0) {
            copy_field(h->type, sizeof h->type, v, vn, 1);
        } else if (kn == 12 && strncasecmp(p, "Content-Type", 12) == 0) {
            copy_field(h->ctype, sizeof h->ctype, v, vn, 0);
        } else if (kn == 15 && strncasecmp(p, "WARC-Target-URI", 15) == 0) {
            /* WARC/1.0 writers sometimes put the URI in <...> */
            if (vn >= 2 && v[0] == '<' && v[vn - 1] == '>') {
                v++;
                vn -= 2;
            }
            ng_buf_reset(&wr->uri);
            ng_buf_put(&wr->uri, v, vn);
        }
    }
    if (!h->has_len)
        return stop(wr, item, NG_EFORMAT, "WARC record without Content-Length");
    return wr->uri.oom ? NG_ENOMEM : 0;
}

/* Undoes chunked transfer coding in place.  Returns the decoded length, or
 * n unchanged when the bytes do not start like chunked coding (a crawler
 * that stored the body decoded).  A chunk cut short keeps what is there. */
static size_t dechunk(char *p, size_t n)
{
    size_t i = 0, o = 0;
    for (int first = 1;; first = 0) {
        uint64_t size = 0;
        size_t digits = 0;
        while (i < n && isxdigit((unsigned char)p[i])) {
            int d = isdigit((unsigned char)p[i]) ? p[i] - '0' : (tolower((unsigned char)p[i]) - 'a' + 10);
            if (size > (UINT64_MAX >> 4))
                return first ? n : o;
            size = size * 16 + (uint64_t)d;
            i++;
            digits++;
        }
        if (digits == 0)
            return first ? n : o;
        /* chunk extensions up to the end of the line */
        while (i < n && p[i] != '\n') {
            if (first && p[i] != '\r' && p[i] != ';' && p[i] != ' ' && p[i] != '\t' && !isprint((unsigned char)p[i]))
                return n;
            i++;
        }
        if (i >= n)
            return first ? n : o;
        i++;
        if (size == 0)
            return o;
        size_t take = size < (uint64_t)(n - i) ? (size_t)size : n - i;
        memmove(p + o, p + i, take);
        o += take;
        i += take;
        if (i < n && p[i] == '\r')
            i++;
        if (i < n && p[i] == '\n')
            i++;
        if (i >= n)
            return o;
    }
}

/* Inflates p[0..n) (gzip or zlib, or raw deflate when raw) into wr->dec,
 * at most max_bytes.  Returns NG_OK, NG_ETOOBIG, NG_EFORMAT (message in
 * wr->msg), or NG_ENOMEM.  A stream cut short keeps what was inflated. */
static int inflate_body(ng_warc *wr, const char *p, size_t n, int raw)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, raw ? -15 : 15 + 32) != Z_OK)
        return NG_ENOMEM;
    ng_buf_reset(&wr->dec);
    z.next_in = (unsigned char *)(uintptr_t)p;
    z.avail_in = (uInt)(n > UINT32_MAX ? UINT32_MAX : n);
    int rc = NG_OK;
    for (;;) {
        if (ng_buf_reserve(&wr->dec, 65536) != 0) {
            rc = NG_ENOMEM;
            break;
        }
        z.next_out = (unsigned char *)wr->dec.p + wr->dec.len;
        z.avail_out = 65536;
        int zr = inflate(&z, Z_NO_FLUSH);
        wr->dec.len += 65536 - z.avail_out;
        wr->dec.p[wr->dec.len] = '\0';
        if (wr->dec.len > wr->max_bytes) {
            snprintf(wr->msg, sizeof wr->msg, "over %zu bytes once uncompressed, the limit", wr->max_bytes);
            rc = NG_ETOOBIG;
            break;
        }
        if (zr == Z_STREAM_END)
            break;
        if (zr == Z_BUF_ERROR || (zr == Z_OK && z.avail_in == 0 && z.avail_out != 0))
            break; /* cut short: keep what we have */
        if (zr != Z_OK) {
            snprintf(wr->msg, sizeof wr->msg, "corrupt compressed HTTP body: %s", z.msg ? z.msg : "bad data");
            rc = zr == Z_MEM_ERROR ? NG_ENOMEM : NG_EFORMAT;
            break;
        }
    }
    inflateEnd(&z);
    return rc;
}

/* The payload of an HTTP response in body[0..n): parses the status line
 * and headers, keeps 2xx HTML only (returns 0 to skip), undoes transfer
 * and content codings.  Returns 1 with item's data set, 0 to skip, 1 with
 * a refusal, or NG_ENOMEM. */
static int http_payload(ng_warc *wr, char *body, size_t n, ng_item *item)
{
    size_t lim = n < HTTP_HEAD ? n : HTTP_HEAD;
    if (lim < 12 || strncmp(body, "HTTP/", 5) != 0)
        return 0;
    /* the status code after the first space */
    const char *sp = memchr(body, ' ', lim);
    if (!sp || (size_t)(sp - body) + 4 > lim || sp[1] != '2' || !isdigit((unsigned char)sp[2]) ||
        !isdigit((unsigned char)sp[3]))
        return 0;
    int chunked = 0, encoding = 0; /* 1 gzip, 2 deflate, -1 unknown */
    int html = 0;
    char unknown[32] = "";
    wr->charset[0] = '\0';
    size_t i = 0, start = 0;
    const char *eol = memchr(body, '\n', lim);
    if (!eol)
        return 0;
    i = (size_t)(eol - body) + 1;
    for (;;) {
        eol = memchr(body + i, '\n', lim - i);
        if (!eol)
            return 0; /* no end of the header block in the first 64 KiB */
        size_t ln = (size_t)(eol - (body + i));
        const char *p = trim(body + i, &ln);
        i = (size_t)(eol - body) + 1;
        if (ln == 0)
            break;
        const char *colon = memchr(p, ':', ln);
        if (!colon)
            continue;
        size_t kn = (size_t)(colon - p), vn = ln - kn - 1;
        const char *v = trim(colon + 1, &vn);
        if (kn == 12 && strncasecmp(p, "Content-Type", 12) == 0) {
            html = is_html(v, vn);
            find_charset(v, vn, wr->charset, sizeof wr->charset);
        } else if (kn == 17 && strncasecmp(p, "Transfer-Encoding", 17) == 0) {
            for (size_t k = 0; k + 7 <= vn; k++)
                if (strncasecmp(v + k, "chunked", 7) == 0)
                    chunked = 1;
        } else if (kn == 16 && strncasecmp(p, "Content-Encoding", 16) == 0) {
            if ((vn == 4 && strncasecmp(v, "gzip", 4) == 0) || (vn == 6 && strncasecmp(v, "x-gzip", 6) == 0))
                encoding = 1;
            else if (vn == 7 && strncasecmp(v, "deflate", 7) == 0)
                encoding = 2;
            else if (!(vn == 8 && strncasecmp(v, "identity", 8) == 0) && vn > 0) {
                encoding = -1;
                copy_field(unknown, sizeof unknown, v, vn, 0);
            }
        }
    }
    if (!html)
        return 0;
    start = i;
    char *pay = body + start;
    size_t plen = n - start;
    if (chunked)
        plen = dechunk(pay, plen);
    if (plen > wr->max_bytes)
        return refuse(wr, item, NG_ETOOBIG, "%zu bytes, over the limit of %zu bytes", plen, wr->max_bytes);
    if (encoding == -1)
        return refuse(wr, item, NG_EFORMAT, "unsupported Content-Encoding: %s", unknown);
    int rc = NG_OK;
    if (encoding == 1 && plen >= 2 && (unsigned char)pay[0] == 0x1f && (unsigned char)pay[1] == 0x8b) {
        rc = inflate_body(wr, pay, plen, 0);
    } else if (encoding == 2 && plen >= 2) {
        /* "deflate" is zlib by the standard, raw deflate by some servers */
        int zlib = ((unsigned char)pay[0] & 0x0f) == 8 && (((unsigned char)pay[0] << 8) | (unsigned char)pay[1]) % 31 == 0;
        rc = inflate_body(wr, pay, plen, !zlib);
    } else {
        item->data = pay;
        item->len = plen;
        return 1;
    }
    if (rc == NG_ENOMEM)
        return rc;
    if (rc != NG_OK)
        return refuse(wr, item, rc, "%s", wr->msg);
    item->data = wr->dec.p ? wr->dec.p : "";
    item->len = wr->dec.len;
    return 1;
}

int ng_warc_next(ng_warc *wr, ng_item *item)
{
    /* the last record's buffers are no longer lent: do not let a big one
     * pin its memory for the rest of the file */
    if (wr->body.cap > BIG_BUF)
        ng_buf_free(&wr->body);
    if (wr->dec.cap > BIG_BUF)
        ng_buf_free(&wr->dec);
    while (!wr->done) {
        memset(item, 0, sizeof *item);
        ng_source_default(&item->src);
        snprintf(wr->where, sizeof wr->where, "%s:%" PRIu64, wr->name, wr->recno + 1);
        item->where = wr->where;
        item->src.id = wr->where;
        /* the version line, after the blank lines that end the last record */
        ng_buf_reset(&wr->line);
        uint64_t len;
        int k = ng_stream_getline(wr->s, &wr->line, MAX_LINE, &len);
        if (k == NG_ENOMEM)
            return k;
        if (k < 0) {
            wr->recno++;
            return stop(wr, item, k, "");
        }
        if (k == 0)
            break;
        size_t n = wr->line.len;
        const char *p = trim(wr->line.p ? wr->line.p : "", &n);
        if (n == 0 && len <= MAX_LINE)
            continue;
        wr->recno++;
        if (len > MAX_LINE || n < 7 || strncmp(p, "WARC/1.", 7) != 0)
            return stop(wr, item, NG_EFORMAT, wr->recno == 1 ? "not a WARC file (no WARC/1.0 or WARC/1.1 header)"
                                                             : "expected a WARC record header");
        warc_head h;
        k = read_head(wr, &h, item);
        if (k != 0)
            return k;
        if (wr->uri.len) {
            item->src.id = wr->uri.p;
            item->src.url = wr->uri.p;
        }
        int response = strcmp(h.type, "response") == 0;
        int resource = strcmp(h.type, "resource") == 0 && is_html(h.ctype, strlen(h.ctype));
        if (response && h.ctype[0] && strncasecmp(h.ctype, "application/http", 16) != 0)
            response = 0;
        uint64_t got;
        if (!response && !resource) {
            int rc = ng_stream_read(wr->s, NULL, h.len, &got);
            if (rc == NG_ENOMEM)
                return rc;
            if (rc != NG_OK || got < h.len)
                return stop(wr, item, NG_ETRUNCATED, "truncated WARC record");
            continue;
        }
        /* a block too big to keep: look at its HTTP head, then drop it */
        uint64_t cap = (uint64_t)wr->max_bytes + (response ? HTTP_HEAD : 0);
        ng_buf_reset(&wr->body);
        uint64_t want = h.len > cap ? (response ? HTTP_HEAD : 0) : h.len;
        int rc = ng_stream_read(wr->s, &wr->body, want, &got);
        if (rc == NG_ENOMEM)
            return rc;
        if (rc != NG_OK || got < want) {
            char why[96];
            snprintf(why, sizeof why, "truncated WARC record: %" PRIu64 " of %" PRIu64 " bytes", got, h.len);
            return stop(wr, item, NG_ETRUNCATED, why);
        }
        if (want < h.len) {
            uint64_t rest = h.len - want, more;
            int html = !response;
            if (response) {
                ng_item probe = *item;
                html = http_payload(wr, wr->body.p, wr->body.len, &probe) != 0;
            }
            rc = ng_stream_read(wr->s, NULL, rest, &more);
            if (rc == NG_ENOMEM)
                return rc;
            if (rc != NG_OK || more < rest)
                return stop(wr, item, NG_ETRUNCATED, "truncated WARC record");
            if (!html)
                continue;
            return refuse(wr, item, NG_ETOOBIG, "record of %" PRIu64 " bytes, over the limit of %zu bytes", h.len,
                          wr->max_bytes);
        }
        if (wr->body.p == NULL)
            ng_buf_put(&wr->body, "", 0);
        if (wr->body.oom)
            return NG_ENOMEM;
        if (resource) {
            find_charset(h.ctype, strlen(h.ctype), wr->charset, sizeof wr->charset);
            item->data = wr->body.p;
            item->len = wr->body.len;
            if (item->len > wr->max_bytes)
                return refuse(wr, item, NG_ETOOBIG, "%zu bytes, over the limit of %zu bytes", item->len,
                              wr->max_bytes);
        } else {
            k = http_payload(wr, wr->body.p, wr->body.len, item);
            if (k <= 0) {
                if (k < 0)
                    return k;
                continue;
            }
        }
        item->src.format = NG_FORMAT_HTML;
        item->src.charset = wr->charset[0] ? wr->charset : NULL;
        return 1;
    }
    return 0;
}
