/*
 * test_input.c — the readers: files and folders (order, relative ids,
 * hidden files, symlink loops, size limit), JSON Lines (good, bad, blank,
 * CRLF and huge lines), WARC (plain and gzip'd, chunked, gzip content
 * coding, non-HTML skipped, truncated) and the stdin sniffing done on
 * nameless memory.  Fixtures are made here, in C, in a temporary folder.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

/* ---- helpers ------------------------------------------------------------ */

/* Writes n bytes to dir/name (making the folders on the way). */
static void put_file(const char *dir, const char *name, const char *data, size_t n)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    for (char *p = path + strlen(dir) + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            mkdir(path, 0755);
            *p = '/';
        }
    }
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    fclose(f);
}

static void put_str(const char *dir, const char *name, const char *s)
{
    put_file(dir, name, s, strlen(s));
}

/* A fresh temporary folder; the caller removes it with rm_tree. */
static char *temp_dir(void)
{
    char *t = strdup("/tmp/ng-test-input-XXXXXX");
    assert_non_null(mkdtemp(t));
    return t;
}

static void rm_tree(char *dir)
{
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    free(dir);
}

/* One gzip member holding s[0..n), appended to out. */
static void gzip_append(ng_buf *out, const char *s, size_t n)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
    size_t cap = deflateBound(&z, n) + 32;
    assert_int_equal(ng_buf_reserve(out, cap), 0);
    z.next_in = (unsigned char *)(uintptr_t)s;
    z.avail_in = (uInt)n;
    z.next_out = (unsigned char *)out->p + out->len;
    z.avail_out = (uInt)cap;
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    out->len += cap - z.avail_out;
    deflateEnd(&z);
}

/* Reads every item of r into a list of "id|rc|where|data" lines. */
static char *drain(ng_reader *r)
{
    ng_buf b;
    ng_buf_init(&b);
    ng_item it;
    int k;
    while ((k = ng_reader_next(r, &it)) > 0) {
        ng_buf_printf(&b, "%s|%d|%s|", it.src.id ? it.src.id : "(null)", it.rc, it.where ? it.where : "(null)");
        if (it.rc == NG_OK)
            ng_buf_put(&b, it.data, it.len);
        else
            ng_buf_puts(&b, it.error);
        ng_buf_putc(&b, '\n');
    }
    assert_int_equal(k, 0);
    ng_buf_putc(&b, '\0');
    return ng_buf_take(&b, NULL);
}

/* ---- files and folders -------------------------------------------------- */

static void test_folder_walk(void **state)
{
    (void)state;
    char *d = temp_dir();
    put_str(d, "b.txt", "bee");
    put_str(d, "a.txt", "ay");
    put_str(d, "Z.txt", "zed");
    put_str(d, ".hidden.txt", "secret");
    put_str(d, ".git/x.txt", "git");
    put_str(d, "sub/c.html", "<p>see</p>");
    put_str(d, "m.jsonl", "{\"id\":\"j1\",\"text\":\"one\"}\n\n{\"id\":2,\"html\":\"<p>two</p>\"}\n");
    char link[1100];
    snprintf(link, sizeof link, "%s/sub/loop", d);
    assert_int_equal(symlink("..", link), 0);
    snprintf(link, sizeof link, "%s/sub/dangling.txt", d);
    assert_int_equal(symlink("nowhere", link), 0);

    ng_reader *r;
    char err[256];
    assert_int_equal(ng_reader_open(&r, d, NG_INPUT_AUTO, 0, err, sizeof err), NG_OK);
    char *got = drain(r);
    ng_reader_free(r);
    char want[4096];
    snprintf(want, sizeof want,
             "Z.txt|0|%s/Z.txt|zed\n"
             "a.txt|0|%s/a.txt|ay\n"
             "b.txt|0|%s/b.txt|bee\n"
             "j1|0|%s/m.jsonl:1|one\n"
             "2|0|%s/m.jsonl:3|<p>two</p>\n"
             "sub/c.html|0|%s/sub/c.html|<p>see</p>\n",
             d, d, d, d, d, d);
    assert_string_equal(got, want);
    free(got);
    rm_tree(d);
}

static void test_file_formats_and_ids(void **state)
{
    (void)state;
    char *d = temp_dir();
    put_str(d, "000_x.html", "<p>x</p>");
    put_str(d, "y.txt", "why");
    put_str(d, "z.dat", "zed");
    const char *names[] = {"000_x.html", "y.txt", "z.dat"};
    ng_format fmts[] = {NG_FORMAT_HTML, NG_FORMAT_TEXT, NG_FORMAT_AUTO};
    for (int i = 0; i < 3; i++) {
        char path[1100], err[256];
        snprintf(path, sizeof path, "%s/%s", d, names[i]);
        ng_reader *r;
        assert_int_equal(ng_reader_open(&r, path, NG_INPUT_AUTO, 0, err, sizeof err), NG_OK);
        ng_item it;
        assert_int_equal(ng_reader_next(r, &it), 1);
        assert_int_equal(it.rc, NG_OK);
        assert_string_equal(it.src.id, names[i]);
        assert_string_equal(it.where, path);
        assert_int_equal(it.src.format, fmts[i]);
        assert_int_equal(ng_reader_next(r, &it), 0);
        ng_reader_free(r);
    }
    /* a missing file fails at open with the reason */
    ng_reader *r;
    char err[256], path[1100];
    snprintf(path, sizeof path, "%s/missing.txt", d);
    assert_int_equal(ng_reader_open(&r, path, NG_INPUT_AUTO, 0, err, sizeof err), NG_EIO);
    assert_null(r);
    assert_non_null(strstr(err, "cannot open"));
    rm_tree(d);
}

static void test_too_big(void **state)
{
    (void)state;
    char *d = temp_dir();
    char big[5000];
    memset(big, 'a', sizeof big);
    put_file(d, "big.txt", big, sizeof big);
    put_str(d, "small.txt", "small");
    ng_buf gz;
    ng_buf_init(&gz);
    gzip_append(&gz, big, sizeof big);
    put_file(d, "big.txt.gz", gz.p, gz.len);
    /* a truncated .gz of a small article */
    ng_buf gz2;
    ng_buf_init(&gz2);
    gzip_append(&gz2, "hello world, this is text", 25);
    put_file(d, "trunc.txt.gz", gz2.p, gz2.len - 6);

    ng_reader *r;
    char err[256];
    assert_int_equal(ng_reader_open(&r, d, NG_INPUT_AUTO, 1000, err, sizeof err), NG_OK);
    ng_item it;
    assert_int_equal(ng_reader_next(r, &it), 1);
    assert_string_equal(it.src.id, "big.txt");
    assert_int_equal(it.rc, NG_ETOOBIG);
    assert_non_null(strstr(it.error, "5000 bytes"));
    assert_int_equal(ng_reader_next(r, &it), 1);
    assert_string_equal(it.src.id, "big.txt.gz");
    assert_int_equal(it.rc, NG_ETOOBIG);
    assert_non_null(strstr(it.error, "5000 bytes uncompressed"));
    assert_int_equal(ng_reader_next(r, &it), 1);
    assert_string_equal(it.src.id, "small.txt");
    assert_int_equal(it.rc, NG_OK);
    assert_int_equal(it.len, 5);
    assert_int_equal(ng_reader_next(r, &it), 1);
    assert_string_equal(it.src.id, "trunc.txt.gz");
    assert_int_equal(it.src.format, NG_FORMAT_TEXT);
    assert_int_equal(it.rc, NG_ETRUNCATED);
    assert_string_equal(it.error, "truncated gzip stream");
    assert_int_equal(ng_reader_next(r, &it), 0);
    ng_reader_free(r);

    /* memory without a telling name: gzip'd bytes are inflated (as stdin) */
    assert_int_equal(ng_reader_open_mem(&r, gz.p, gz.len, NULL, NG_INPUT_AUTO, 10000), NG_OK);
    assert_int_equal(ng_reader_next(r, &it), 1);
    assert_int_equal(it.rc, NG_OK);
    assert_int_equal(it.len, sizeof big);
    assert_memory_equal(it.data, big, sizeof big);
    ng_reader_free(r);
    ng_buf_free(&gz);
    ng_buf_free(&gz2);
    rm_tree(d);
}

/* ---- JSON Lines --------------------------------------------------------- */

static void test_jsonl(void **state)
{
    (void)state;
    const char *in = "{\"id\":\"a\",\"text\":\"alpha\",\"url\":\"http://x/a\",\"published\":\"2020-01-02\",\"lang\":\"en\"}\r\n"
                     "\n"
                     "   \r\n"
                     "{\"id\":\"b\",\"text\":\"bravo\"\n"                 /* 4: cut short */
                     "[1,2]\n"                                          /* 5 */
                     "{\"id\":\"c\"}\n"                                 /* 6 */
                     "{\"id\":\"d\",\"text\":5}\n"                      /* 7 */
                     "{\"id\":\"e\",\"text\":\"x\\u0000y\"}\n"          /* 8 */
                     "{\"text\":\"no id\"}\n"                           /* 9 */
                     "{\"id\":\"f\",\"text\":\"ok\"} trailing\n"        /* 10 */
                     "{\"id\":1.5,\"html\":\"<b>h</b>\",\"text\":null}"; /* 11, no final newline */
    ng_reader *r;
    assert_int_equal(ng_reader_open_mem(&r, in, strlen(in), "d.jsonl", NG_INPUT_AUTO, 0), NG_OK);
    ng_item it;
    assert_int_equal(ng_reader_next(r, &it), 1);
    assert_int_equal(it.rc, NG_OK);
    assert_string_equal(it.src.id, "a");
    assert_string_equal(it.src.url, "http://x/a");
    assert_string_equal(it.src.published, "2020-01-02");
    assert_string_equal(it.src.lang, "en");
    assert_int_equal(it.src.format, NG_FORMAT_TEXT);
    assert_int_equal(it.len, 5);
    assert_memory_equal(it.data, "alpha", 5);
    assert_string_equal(it.where, "d.jsonl:1");

    struct {
        const char *where;
        const char *id;
        const char *err;
    } bad[] = {
        {"d.jsonl:4", "line 4", "malformed JSON: "},
        {"d.jsonl:5", "line 5", "not a JSON object"},
        {"d.jsonl:6", "c", "no \"text\" or \"html\" member"},
        {"d.jsonl:7", "d", "member \"text\" is not a string"},
        {"d.jsonl:8", "e", "member \"text\" contains a NUL character"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_int_equal(ng_reader_next(r, &it), 1);
        assert_int_equal(it.rc, NG_EFORMAT);
        assert_string_equal(it.where, bad[i].where);
        assert_string_equal(it.src.id, bad[i].id);
        assert_non_null(strstr(it.error, bad[i].err));
        assert_null(strchr(it.error, '\n'));
    }
    assert_int_equal(ng_reader_next(r, &it), 1);
    assert_int_equal(it.rc, NG_OK);
    assert_string_equal(it.src.id, "line 9");
    assert_int_equal(ng_reader_next(r, &it), 1);
    assert_int_equal(it.rc, NG_EFORMAT); /* trailing garbage */
    assert_int_equal(ng_reader_next(r, &it), 1);
    assert_int_equal(it.rc, NG_OK);
    assert_string_equal(it.src.id, "1.5");
    assert_int_equal(it.src.format, NG_FORMAT_HTML);
    assert_memory_equal(it.data, "<b>h</b>", 8);
    assert_int_equal(ng_reader_next(r, &it), 0);
    ng_reader_free(r);
}

static void test_jsonl_escapes(void **state)
{
    (void)state;
    /* what the fast path decodes, and lines it must leave to jansson */
    const char *in = "\xEF\xBB\xBF{\"id\":\"a\\u00e9\",\"text\":\"q\\\"\\\\\\/\\n\\ud83d\\ude00\","
                     "\"meta\":{\"x\":[1,-2.5e3,true,null,{}]},\"url\":\"u\\tv\"}\n"
                     "{\"id\":-0,\"text\":\"first\",\"text\":\"second\",\"lang\":null}\n"
                     "{\"id\":\"lone\",\"text\":\"\\udc00\"}\n"
                     "{\"id\":99999999999999999999,\"text\":\"big\"}\n"
                     "{\"id\":\"n\",\"text\":\"t\",\"lang\":[\"en\"]}\n"
                     "{\"te\\u0078t\":\"key escaped\",\"id\":\"k\"}\n";
    ng_reader *r;
    assert_int_equal(ng_reader_open_mem(&r, in, strlen(in), "e.jsonl", NG_INPUT_AUTO, 0), NG_OK);
    ng_item it;
    assert_int_equal(ng_reader_next(r, &it), 1);
    assert_int_equal(it.rc, NG_OK);
    assert_string_equal(it.src.id, "a\xC3\xA9");
    assert_int_equal(it.len, 9);
    assert_memory_equal(it.data, "q\"\\/\n\xF0\x9F\x98\x80", 9);
    assert_string_equal(it.src.url, "u\tv");
    assert_int_equal(ng_reader_next(r, &it), 1);
    assert_int_equal(it.rc, NG_OK);
    assert_string_equal(it.src.id, "0");
    assert_memory_equal(it.data, "second", 6);
    assert_null(it.src.lang);
    assert_int_equal(ng_reader_next(r, &it), 1);
    assert_int_equal(it.rc, NG_EFORMAT); /* jansson: invalid Unicode */
    assert_non_null(strstr(it.error, "malformed JSON"));
    assert_int_equal(ng_reader_next(r, &it), 1);
    assert_int_equal(it.rc, NG_EFORMAT); /* jansson: too big integer */
    assert_int_equal(ng_reader_next(r, &it), 1);
    assert_int_equal(it.rc, NG_EFORMAT);
    assert_string_equal(it.error, "member \"lang\" is not a string");
    assert_int_equal(ng_reader_next(r, &it), 1);
    assert_int_equal(it.rc, NG_OK);
    assert_string_equal(it.src.id, "k");
    assert_memory_equal(it.data, "key escaped", 11);
    assert_int_equal(ng_reader_next(r, &it), 0);
    ng_reader_free(r);
}

static void test_jsonl_huge_line(void **state)
{
    (void)state;
    /* a 3 MB line between two good ones, with a 1 MB limit */
    size_t big = 3u << 20;
    ng_buf b;
    ng_buf_init(&b);
    ng_buf_puts(&b, "{\"id\":\"first\",\"text\":\"one\"}\n{\"id\":\"huge\",\"text\":\"");
    assert_int_equal(ng_buf_reserve(&b, big), 0);
    memset(b.p + b.len, 'x', big);
    b.len += big;
    ng_buf_puts(&b, "\"}\n{\"id\":\"last\",\"text\":\"three\"}\n");
    ng_reader *r;
    assert_int_equal(ng_reader_open_mem(&r, b.p, b.len, "-", NG_INPUT_JSONL, 1u << 20), NG_OK);
    char *got = drain(r);
    ng_reader_free(r);
    assert_non_null(strstr(got, "first|0|-:1|one\n"));
    assert_non_null(strstr(got, "line 2|-8|-:2|line of 3145751 bytes, over the limit of 1048576 bytes\n"));
    assert_non_null(strstr(got, "last|0|-:3|three\n"));
    free(got);
    ng_buf_free(&b);
}

/* ---- WARC --------------------------------------------------------------- */

/* Appends one WARC record of the given type with block s. */
static void warc_record(ng_buf *out, const char *type, const char *uri, const char *ctype, const char *block,
                        size_t n)
{
    ng_buf_printf(out,
                  "WARC/1.1\r\nWARC-Type: %s\r\nWARC-Date: 2021-03-04T05:06:07Z\r\n"
                  "WARC-Record-ID: <urn:uuid:0000>\r\n",
                  type);
    if (uri)
        ng_buf_printf(out, "WARC-Target-URI: %s\r\n", uri);
    ng_buf_printf(out, "Content-Type: %s\r\nContent-Length: %zu\r\n\r\n", ctype, n);
    ng_buf_put(out, block, n);
    ng_buf_puts(out, "\r\n\r\n");
}

/* Appends an HTTP response record with the given head and body. */
static void warc_response(ng_buf *out, const char *uri, const char *head, const char *body, size_t n)
{
    ng_buf blk;
    ng_buf_init(&blk);
    ng_buf_puts(&blk, head);
    ng_buf_puts(&blk, "\r\n");
    ng_buf_put(&blk, body, n);
    warc_record(out, "response", uri, "application/http; msgtype=response", blk.p, blk.len);
    ng_buf_free(&blk);
}

/* A WARC with one record of each interesting kind, as separate records in
 * recs[] (so that a test can gzip them member by member). */
static size_t make_warc(ng_buf *recs, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < max; i++)
        ng_buf_init(&recs[i]);
    const char *info = "software: test\r\n";
    warc_record(&recs[n++], "warcinfo", NULL, "application/warc-fields", info, strlen(info));
    const char *page = "<html><body><p>plain page</p></body></html>";
    warc_response(&recs[n++], "http://a/1",
                  "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=ISO-8859-1\r\n", page, strlen(page));
    warc_record(&recs[n++], "request", "http://a/1", "application/http; msgtype=request",
                "GET /1 HTTP/1.1\r\n\r\n", 19);
    warc_response(&recs[n++], "http://a/png", "HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n", "\x89PNG", 4);
    warc_response(&recs[n++], "http://a/404", "HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\n",
                  "<p>gone</p>", 11);
    const char *chunked = "7\r\n<p>chun\r\n0c;ext=1\r\nked page</p>\r\n0\r\n\r\n";
    warc_response(&recs[n++], "http://a/chunked",
                  "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n", chunked,
                  strlen(chunked));
    ng_buf gz;
    ng_buf_init(&gz);
    const char *zpage = "<p>gzip'd page</p>";
    gzip_append(&gz, zpage, strlen(zpage));
    warc_response(&recs[n++], "http://a/gz",
                  "HTTP/1.1 200 OK\r\nContent-Type: application/xhtml+xml\r\nContent-Encoding: gzip\r\n", gz.p,
                  gz.len);
    ng_buf_free(&gz);
    const char *res = "<p>resource</p>";
    warc_record(&recs[n++], "resource", "file:///r.html", "text/html; charset=\"UTF-8\"", res, strlen(res));
    return n;
}

static const char *const warc_want = "http://a/1|0|w:2|<html><body><p>plain page</p></body></html>\n"
                                     "http://a/chunked|0|w:6|<p>chunked page</p>\n"
                                     "http://a/gz|0|w:7|<p>gzip'd page</p>\n"
                                     "file:///r.html|0|w:8|<p>resource</p>\n";

static void test_warc_plain_and_gzip(void **state)
{
    (void)state;
    ng_buf recs[16], plain, gz;
    size_t n = make_warc(recs, 16);
    ng_buf_init(&plain);
    ng_buf_init(&gz);
    for (size_t i = 0; i < n; i++) {
        ng_buf_put(&plain, recs[i].p, recs[i].len);
        gzip_append(&gz, recs[i].p, recs[i].len); /* one member per record */
    }
    /* plain, by kind */
    ng_reader *r;
    assert_int_equal(ng_reader_open_mem(&r, plain.p, plain.len, "w", NG_INPUT_WARC, 0), NG_OK);
    char *got = drain(r);
    ng_reader_free(r);
    assert_string_equal(got, warc_want);
    free(got);
    /* gzip'd member by member, by the bytes (as stdin) */
    assert_int_equal(ng_reader_open_mem(&r, gz.p, gz.len, NULL, NG_INPUT_AUTO, 0), NG_OK);
    got = drain(r);
    ng_reader_free(r);
    char *want = strdup(warc_want);
    for (char *p = want; (p = strstr(p, "|w:")) != NULL; p++)
        p[1] = '-';
    assert_string_equal(got, want);
    free(want);
    free(got);

    /* charset and format of the first page */
    assert_int_equal(ng_reader_open_mem(&r, plain.p, plain.len, "x.warc", NG_INPUT_AUTO, 0), NG_OK);
    ng_item it;
    assert_int_equal(ng_reader_next(r, &it), 1);
    assert_string_equal(it.src.charset, "iso-8859-1");
    assert_string_equal(it.src.url, "http://a/1");
    assert_null(it.src.published);
    assert_int_equal(it.src.format, NG_FORMAT_HTML);
    ng_reader_free(r);

    /* a file on disk: the kind comes from the name */
    char *d = temp_dir();
    put_file(d, "crawl.warc.gz", gz.p, gz.len);
    char path[1100], err[256];
    snprintf(path, sizeof path, "%s/crawl.warc.gz", d);
    assert_int_equal(ng_reader_open(&r, path, NG_INPUT_AUTO, 0, err, sizeof err), NG_OK);
    int count = 0;
    while (ng_reader_next(r, &it) > 0) {
        assert_int_equal(it.rc, NG_OK);
        count++;
    }
    assert_int_equal(count, 4);
    ng_reader_free(r);
    rm_tree(d);

    for (size_t i = 0; i < n; i++)
        ng_buf_free(&recs[i]);
    ng_buf_free(&plain);
    ng_buf_free(&gz);
}

static void test_warc_truncated(void **state)
{
    (void)state;
    ng_buf recs[16], plain, gz;
    size_t n = make_warc(recs, 16);
    ng_buf_init(&plain);
    ng_buf_init(&gz);
    for (size_t i = 0; i < n; i++)
        ng_buf_put(&plain, recs[i].p, recs[i].len);
    gzip_append(&gz, plain.p, plain.len);
    /* every cut of the plain WARC ends with items in order and no crash;
     * a cut inside the record of a page gives NG_ETRUNCATED */
    for (size_t cut = 0; cut < plain.len; cut += 7) {
        ng_reader *r;
        assert_int_equal(ng_reader_open_mem(&r, plain.p, cut, "w", NG_INPUT_WARC, 0), NG_OK);
        ng_item it;
        int k, last = 0;
        while ((k = ng_reader_next(r, &it)) > 0)
            last = it.rc;
        assert_int_equal(k, 0);
        assert_true(last == NG_OK || last == NG_ETRUNCATED || last == NG_EFORMAT);
        ng_reader_free(r);
    }
    /* cut in the block of the second record (the first page) */
    size_t mid = recs[0].len + recs[1].len - 20;
    ng_reader *r;
    assert_int_equal(ng_reader_open_mem(&r, plain.p, mid, "w", NG_INPUT_WARC, 0), NG_OK);
    char *got = drain(r);
    assert_non_null(strstr(got, "http://a/1|-10|w:2|truncated WARC record: "));
    free(got);
    ng_reader_free(r);
    /* a truncated .warc.gz */
    assert_int_equal(ng_reader_open_mem(&r, gz.p, gz.len / 2, "t.warc.gz", NG_INPUT_AUTO, 0), NG_OK);
    got = drain(r);
    assert_non_null(strstr(got, "truncated gzip stream"));
    free(got);
    ng_reader_free(r);
    /* not a WARC at all */
    assert_int_equal(ng_reader_open_mem(&r, "hello\n", 6, "t.warc", NG_INPUT_AUTO, 0), NG_OK);
    got = drain(r);
    assert_non_null(strstr(got, "|-4|t.warc:1|not a WARC file"));
    free(got);
    ng_reader_free(r);
    for (size_t i = 0; i < n; i++)
        ng_buf_free(&recs[i]);
    ng_buf_free(&plain);
    ng_buf_free(&gz);
}

static void test_warc_too_big(void **state)
{
    (void)state;
    ng_buf w;
    ng_buf_init(&w);
    char page[3000];
    memset(page, 'p', sizeof page);
    warc_response(&w, "http://big", "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n", page, sizeof page);
    warc_response(&w, "http://bigpng", "HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n", page, sizeof page);
    warc_response(&w, "http://small", "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n", "<p>s</p>", 8);
    ng_reader *r;
    assert_int_equal(ng_reader_open_mem(&r, w.p, w.len, "w", NG_INPUT_WARC, 1000), NG_OK);
    char *got = drain(r);
    ng_reader_free(r);
    assert_non_null(strstr(got, "http://big|-8|w:1|"));
    assert_null(strstr(got, "bigpng"));
    assert_non_null(strstr(got, "http://small|0|w:3|<p>s</p>\n"));
    free(got);
    ng_buf_free(&w);
}

/* ---- stdin sniffing (nameless memory) ----------------------------------- */

static void test_sniff(void **state)
{
    (void)state;
    ng_reader *r;
    ng_item it;
    const char *text = "WARC/1.0 is how a WARC starts, but this is prose.";
    /* starts with WARC/1.: read as WARC, refused as one (not silently an article) */
    assert_int_equal(ng_reader_open_mem(&r, text, strlen(text), NULL, NG_INPUT_AUTO, 0), NG_OK);
    assert_int_equal(ng_reader_next(r, &it), 1);
    assert_int_not_equal(it.rc, NG_OK);
    ng_reader_free(r);
    const char *t2 = "Just an article.\n";
    assert_int_equal(ng_reader_open_mem(&r, t2, strlen(t2), NULL, NG_INPUT_AUTO, 0), NG_OK);
    assert_int_equal(ng_reader_next(r, &it), 1);
    assert_int_equal(it.rc, NG_OK);
    assert_string_equal(it.src.id, "-");
    assert_int_equal(it.len, strlen(t2));
    assert_int_equal(ng_reader_next(r, &it), 0);
    ng_reader_free(r);
    /* empty input: one empty article (ng_analyze says it is empty) */
    assert_int_equal(ng_reader_open_mem(&r, "", 0, NULL, NG_INPUT_AUTO, 0), NG_OK);
    assert_int_equal(ng_reader_next(r, &it), 1);
    assert_int_equal(it.rc, NG_OK);
    assert_int_equal(it.len, 0);
    ng_reader_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_folder_walk),         cmocka_unit_test(test_file_formats_and_ids),
        cmocka_unit_test(test_too_big),             cmocka_unit_test(test_jsonl),
        cmocka_unit_test(test_jsonl_huge_line),
        cmocka_unit_test(test_jsonl_escapes),     cmocka_unit_test(test_warc_plain_and_gzip),
        cmocka_unit_test(test_warc_truncated),      cmocka_unit_test(test_warc_too_big),
        cmocka_unit_test(test_sniff),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
