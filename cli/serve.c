/*
 * serve.c — `newsgraph serve --db FILE|URL [--port 8080] [--listen ADDR]`:
 * a local web page over a knowledge base (docs/web.md).
 *
 * libmicrohttpd answers on 127.0.0.1 by default.  Two kinds of paths:
 *
 *   /, /index.html, /app.js, /style.css ...   the page, from web/, compiled
 *        into the binary (CMake runs tools/embed.c over web/), gzipped once
 *        at start-up for clients that take gzip
 *   /api/...   JSON answers of the knowledge base's queries (the list is in
 *        route_parse below and in docs/web.md)
 *
 * Safety: the base is opened read-only (ng_kb_options.readonly: SQLite's
 * read-only mode and query_only; PostgreSQL read-only transactions), every
 * value from the request reaches SQL as a bound parameter through the
 * ng_kb query API, a query runs at most 5 seconds, a request line and
 * headers are bounded by the connection's memory (16 KiB), search text by
 * 1000 bytes, an answer by 64 MiB, and the page is found by exact name in a
 * table: no path reaches the file system.  Errors are JSON
 * {"error": "..."} with the HTTP status that fits (400, 404, 405, 414, 500,
 * 503).
 *
 * Threads: libmicrohttpd's pool of N threads (--threads, default 4); ng_kb
 * handles are used by one thread at a time, so there are N of them, lent
 * out per request.
 *
 * The route parser is plain code over strings; fuzz/fuzz_serve.c compiles
 * this file with NG_SERVE_ROUTES_ONLY to run it alone.
 */
#include "cli.h"
#include "kb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- routes ------------------------------------------------------------- */

typedef enum {
    R_ASSET = 1, /* a file of the page */
    R_TIMELINE,  /* ?entity=ID|NAME, ?story=N, else the latest articles */
    R_ENTITY,    /* /api/entity/ID or /api/entity/NAME */
    R_ENTITIES,  /* the most named entities */
    R_GRAPH,     /* entities and how often they are named together */
    R_EVENTS,    /* events: ?entity=ID|NAME, ?code=ROOT */
    R_QUOTES,    /* ?entity=ID|NAME, else all */
    R_STORIES,   /* the largest stories */
    R_STORY,     /* /api/story/N */
    R_SEARCH,    /* ?q=FTS5 query */
    R_DOC        /* /api/doc/ID, or /api/doc?name=NAME */
} route_kind;

#define ROUTE_KEY 256 /* the longest name or key a path may carry */

typedef struct {
    route_kind kind;
    char key[ROUTE_KEY]; /* R_ASSET: the file's name; R_ENTITY, R_STORY, R_DOC: what follows the prefix */
} route;

/* A positive decimal number of at most 15 digits (no sign, no leading
 * zero), or 0. */
static int64_t parse_id(const char *s)
{
    if (!s || *s < '1' || *s > '9')
        return 0;
    int64_t v = 0;
    for (size_t i = 0; s[i]; i++) {
        if (s[i] < '0' || s[i] > '9' || i >= 15)
            return 0;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* Reads a limit parameter: absent gives dflt; else a number in 1..max.
 * Returns 0 or -1 (not such a number). */
static int parse_limit(const char *s, size_t dflt, size_t max, size_t *out)
{
    *out = dflt;
    if (!s)
        return 0;
    int64_t v = parse_id(s);
    if (v <= 0 || (uint64_t)v > max)
        return -1;
    *out = (size_t)v;
    return 0;
}

/* Whether a page file's name is well formed: letters, digits, '-', '_'
 * and inner dots, no leading dot, no '/': nothing that names a folder. */
static int asset_name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n >= ROUTE_KEY || s[0] == '.')
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
              c == '.'))
            return 0;
        if (c == '.' && s[i + 1] == '.')
            return 0;
    }
    return 1;
}

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Decodes %XX escapes of a path or a query value in place and returns the
 * new length.  "%00" stays as it is: a NUL would cut the string short and
 * make "/%00x" read as "/".  A '%' not followed by two hex digits stays too. */
static size_t url_unescape(char *s)
{
    size_t o = 0;
    for (size_t i = 0; s[i]; i++) {
        int hi, lo;
        if (s[i] == '%' && (hi = hexval(s[i + 1])) >= 0 && (lo = hexval(s[i + 2])) >= 0 && (hi | lo)) {
            s[o++] = (char)(hi * 16 + lo);
            i += 2;
        } else {
            s[o++] = s[i];
        }
    }
    s[o] = '\0';
    return o;
}

/* Finds the route of a decoded request path.  Returns 0, or an HTTP status
 * (404, 414) with *why set. */
static int route_parse(const char *path, route *r, const char **why)
{
    static const struct {
        const char *path;
        route_kind kind;
        int takes_key; /* the path continues with "/KEY" */
    } api[] = {
        {"/api/timeline", R_TIMELINE, 0}, {"/api/entity", R_ENTITY, 1}, {"/api/entities", R_ENTITIES, 0},
        {"/api/graph", R_GRAPH, 0},       {"/api/events", R_EVENTS, 0}, {"/api/quotes", R_QUOTES, 0},
        {"/api/stories", R_STORIES, 0},   {"/api/story", R_STORY, 1},   {"/api/search", R_SEARCH, 0},
        {"/api/doc", R_DOC, 2}, /* 2: the key is optional (?name=) */
    };
    memset(r, 0, sizeof *r);
    *why = "no such page";
    if (!path || path[0] != '/')
        return 404;
    size_t n = strlen(path);
    if (n > 2048) {
        *why = "path too long";
        return 414;
    }
    if (strcmp(path, "/") == 0) {
        r->kind = R_ASSET;
        strcpy(r->key, "index.html");
        return 0;
    }
    if (strncmp(path, "/api/", 5) != 0) {
        if (!asset_name_ok(path + 1))
            return 404;
        r->kind = R_ASSET;
        snprintf(r->key, sizeof r->key, "%s", path + 1);
        return 0;
    }
    for (size_t i = 0; i < sizeof api / sizeof *api; i++) {
        size_t k = strlen(api[i].path);
        if (strncmp(path, api[i].path, k) != 0)
            continue;
        const char *rest = path + k;
        if (*rest == '\0') {
            if (api[i].takes_key == 1) {
                *why = "this path wants an id after it";
                return 404;
            }
            r->kind = api[i].kind;
            return 0;
        }
        if (*rest != '/' || !api[i].takes_key || rest[1] == '\0')
            continue;
        rest++;
        if (strlen(rest) >= ROUTE_KEY) {
            *why = "id or name too long";
            return 414;
        }
        r->kind = api[i].kind;
        snprintf(r->key, sizeof r->key, "%s", rest);
        return 0;
    }
    *why = "no such API path";
    return 404;
}

/* The content type of a page file, by its extension. */
static const char *content_type(const char *name)
{
    static const char *const types[][2] = {
        {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},   {".svg", "image/svg+xml"},
        {".json", "application/json"},         {".png", "image/png"},
        {".ico", "image/x-icon"},              {".txt", "text/plain; charset=utf-8"},
    };
    const char *dot = strrchr(name, '.');
    for (size_t i = 0; dot && i < sizeof types / sizeof *types; i++)
        if (strcmp(dot, types[i][0]) == 0)
            return types[i][1];
    return "application/octet-stream";
}

#ifndef NG_SERVE_ROUTES_ONLY

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <signal.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

/* The page's files, compiled in from web/ (ng-embed, renamed by CMake). */
extern const struct {
    const char *name;
    const unsigned char *data;
    size_t len;
} ng_web_assets[];

#define MAX_ANSWER (64u << 20) /* bytes of one JSON answer */
#define MAX_SEARCH 1000        /* bytes of a search query */
#define GZIP_MIN 1024          /* smaller answers are sent as they are */
#define CACHE_ENTRIES 256      /* answers kept (serve's cache) ... */
#define CACHE_BYTES (96u << 20) /* ... in at most this many bytes (answers and their gzip) */
#define CACHE_MAX (16u << 20)  /* a larger answer is not kept */

typedef struct {
    const char *name;
    const unsigned char *data;
    size_t len;
    char *gz; /* gzipped, or NULL when that is not smaller */
    size_t gzlen;
} asset;

typedef struct {
    ng_kb **kbs;   /* n handles ... */
    int *free_ids; /* ... of which nfree are not lent out */
    int n, nfree;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    asset *assets;
    size_t nassets;
    int quiet;
    /* answers cache (SQLite bases only): an answer is kept with the
     * signature of the base's files (size, change time and inode of the file
     * and its -wal) and served again while they are unchanged, so it is
     * never stale: an ingest writing to the base changes the -wal.  Bounded
     * in entries and bytes, least recently used out first. */
    const char *db_path;      /* NULL: no cache (PostgreSQL) */
    pthread_mutex_t cache_mu;
    struct cached {
        char *key;            /* route and the arguments that matter */
        char *body, *gz;      /* the answer, and gzipped (or NULL) */
        size_t len, gzlen;
        char sig[160];        /* the files' signature when it was made */
        uint64_t used;        /* tick of the last use */
    } cache[CACHE_ENTRIES];
    size_t cache_bytes;
    uint64_t tick;
} server;

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* gzip of in[n] at level into a malloc'd *out.  0, or -1 when it fails
 * or would not be smaller. */
static int gzip(const void *in, size_t n, int level, char **out, size_t *outlen)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return -1;
    size_t cap = deflateBound(&z, (uLong)n);
    char *buf = malloc(cap);
    if (!buf) {
        deflateEnd(&z);
        return -1;
    }
    z.next_in = (Bytef *)in;
    z.avail_in = (uInt)n;
    z.next_out = (Bytef *)buf;
    z.avail_out = (uInt)cap;
    int rc = deflate(&z, Z_FINISH);
    size_t len = z.total_out;
    deflateEnd(&z);
    if (rc != Z_STREAM_END || len >= n) {
        free(buf);
        return -1;
    }
    *out = buf;
    *outlen = len;
    return 0;
}

/* ---- answers -------------------------------------------------------------- */

typedef struct {
    char *p;
    size_t len, cap;
    int too_big;
} answer;

static int answer_write(void *ctx, const char *p, size_t n)
{
    answer *a = ctx;
    if (a->len + n + 1 > MAX_ANSWER) {
        a->too_big = 1;
        return -1;
    }
    if (a->len + n + 1 > a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 4096;
        while (cap < a->len + n + 1)
            cap *= 2;
        char *np = realloc(a->p, cap);
        if (!np)
            return -1;
        a->p = np;
        a->cap = cap;
    }
    memcpy(a->p + a->len, p, n);
    a->len += n;
    a->p[a->len] = '\0';
    return 0;
}

static int answer_puts(answer *a, const char *s) { return answer_write(a, s, strlen(s)); }

/* Whether the client takes gzip: Accept-Encoding names it (or "*")
 * without q=0. */
static int takes_gzip(struct MHD_Connection *c)
{
    const char *ae = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT_ENCODING);
    const char *g = ae ? strstr(ae, "gzip") : NULL;
    if (!g)
        return 0;
    g += 4;
    while (*g == ' ')
        g++;
    if (*g != ';')
        return 1;
    g++;
    while (*g == ' ')
        g++;
    if ((g[0] != 'q' && g[0] != 'Q') || g[1] != '=')
        return 1;
    return strtod(g + 2, NULL) > 0;
}

/* Queues a response: body (malloc'd, taken over when owned; else static)
 * of type ctype, gzipped when the client takes it and it pays. */
static enum MHD_Result send_body(struct MHD_Connection *c, unsigned status, const char *ctype, char *body,
                                 size_t len, int owned, const char *gz, size_t gzlen, int api)
{
    struct MHD_Response *resp = NULL;
    int zipped = 0;
    if (takes_gzip(c)) {
        if (gz) {
            /* owned: gz is a malloc'd copy (a cached answer) that the response frees */
            resp = MHD_create_response_from_buffer(gzlen, (void *)gz,
                                                   owned ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
            if (!resp && owned)
                free((void *)gz);
            zipped = resp != NULL;
        } else if (owned && len >= GZIP_MIN) {
            char *z;
            size_t zlen;
            if (gzip(body, len, 5, &z, &zlen) == 0) {
                resp = MHD_create_response_from_buffer(zlen, z, MHD_RESPMEM_MUST_FREE);
                zipped = 1;
                if (!resp)
                    free(z);
            }
        }
    }
    if (resp && owned)
        free(body);
    else if (!resp)
        resp = MHD_create_response_from_buffer(len, body, owned ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    if (!resp) {
        if (owned)
            free(body);
        return MHD_NO;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_VARY, "Accept-Encoding");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, api ? "no-store" : "no-cache");
    if (!api)
        MHD_add_response_header(resp, "Content-Security-Policy",
                                "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                                "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
    if (zipped)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
    if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
    enum MHD_Result ret = MHD_queue_response(c, status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static enum MHD_Result send_error(struct MHD_Connection *c, unsigned status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static enum MHD_Result send_error(struct MHD_Connection *c, unsigned status, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    json_t *o = json_pack("{s:s%}", "error", msg, strlen(msg));
    char *body = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    if (!body) /* a message that is not UTF-8 (a name from the path) */
        body = strdup("{\"error\":\"bad request\"}");
    if (!body)
        return MHD_NO;
    size_t n = strlen(body);
    char *nl = realloc(body, n + 2);
    if (nl) {
        body = nl;
        body[n++] = '\n';
        body[n] = '\0';
    }
    return send_body(c, status, "application/json; charset=utf-8", body, n, 1, NULL, 0, 1);
}

/* ---- the handles ---------------------------------------------------------- */

/* Lends a handle (waiting up to 10 s for one); -1 when none came. */
static int kb_take(server *sv)
{
    pthread_mutex_lock(&sv->mu);
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 10;
    while (sv->nfree == 0)
        if (pthread_cond_timedwait(&sv->cv, &sv->mu, &until) == ETIMEDOUT)
            break;
    int id = sv->nfree ? sv->free_ids[--sv->nfree] : -1;
    pthread_mutex_unlock(&sv->mu);
    return id;
}

static void kb_give(server *sv, int id)
{
    pthread_mutex_lock(&sv->mu);
    sv->free_ids[sv->nfree++] = id;
    pthread_cond_signal(&sv->cv);
    pthread_mutex_unlock(&sv->mu);
}

/* ---- the API -------------------------------------------------------------- */

static const char *arg(struct MHD_Connection *c, const char *name)
{
    const char *v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name);
    return v && *v ? v : NULL;
}

/* ---- the answers cache ------------------------------------------------------ */

/* The signature of the base's files: it changes whenever a writer commits
 * (the -wal grows or is reset) or checkpoints (the file changes). */
static void cache_sig(const server *sv, char *out, size_t cap)
{
    char wal[4096];
    struct stat a, b;
    snprintf(wal, sizeof wal, "%s-wal", sv->db_path);
    int ha = stat(sv->db_path, &a) == 0, hb = stat(wal, &b) == 0;
    snprintf(out, cap, "%lld.%ld %lld %llu|%lld.%ld %lld %llu", ha ? (long long)a.st_mtim.tv_sec : -1L,
             ha ? (long)a.st_mtim.tv_nsec : 0L, ha ? (long long)a.st_size : -1LL,
             ha ? (unsigned long long)a.st_ino : 0ULL, hb ? (long long)b.st_mtim.tv_sec : -1L,
             hb ? (long)b.st_mtim.tv_nsec : 0L, hb ? (long long)b.st_size : -1LL,
             hb ? (unsigned long long)b.st_ino : 0ULL);
}

/* The cache key of a request: its path and the arguments the API reads
 * (absent and empty are the same to arg()). */
static char *cache_key(struct MHD_Connection *c, const char *url)
{
    static const char *const names[] = {"entity", "story", "limit", "code", "doc", "q", "name"};
    answer k = {0};
    answer_write(&k, url, strlen(url));
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        const char *v = arg(c, names[i]);
        answer_write(&k, "\x01", 1);
        if (v)
            answer_write(&k, v, strlen(v));
    }
    answer_write(&k, "", 1);
    if (k.too_big || !k.p) {
        free(k.p);
        return NULL;
    }
    return k.p;
}

static void cache_drop(server *sv, struct cached *e)
{
    sv->cache_bytes -= e->len + e->gzlen;
    free(e->key);
    free(e->body);
    free(e->gz);
    memset(e, 0, sizeof *e);
}

static char *dup_mem(const char *p, size_t n)
{
    char *q = malloc(n ? n : 1);
    if (q && n)
        memcpy(q, p, n);
    return q;
}

/* A copy of the cached answer of key made under signature sig: *body (and
 * *gz when want_gz and there is one).  1 when found, 0 when not. */
static int cache_get(server *sv, const char *key, const char *sig, int want_gz, char **body, size_t *len, char **gz,
                     size_t *gzlen)
{
    int found = 0;
    pthread_mutex_lock(&sv->cache_mu);
    for (size_t i = 0; i < CACHE_ENTRIES; i++) {
        struct cached *e = &sv->cache[i];
        if (!e->key || strcmp(e->key, key) != 0)
            continue;
        if (strcmp(e->sig, sig) != 0) {
            cache_drop(sv, e); /* the base changed */
            break;
        }
        *body = dup_mem(e->body, e->len);
        *len = e->len;
        *gz = want_gz && e->gz ? dup_mem(e->gz, e->gzlen) : NULL;
        *gzlen = e->gzlen;
        if (*body && (!want_gz || !e->gz || *gz)) {
            e->used = ++sv->tick;
            found = 1;
        } else {
            free(*body);
            free(*gz);
        }
        break;
    }
    pthread_mutex_unlock(&sv->cache_mu);
    return found;
}

/* Keeps a copy of an answer (and its gzip, which the cache takes). */
static void cache_put(server *sv, const char *key, const char *sig, const char *body, size_t len, char *gz,
                      size_t gzlen)
{
    char *k = strdup(key), *b = dup_mem(body, len);
    if (!k || !b || len + gzlen > CACHE_MAX) {
        free(k);
        free(b);
        free(gz);
        return;
    }
    pthread_mutex_lock(&sv->cache_mu);
    for (size_t i = 0; i < CACHE_ENTRIES; i++)
        if (sv->cache[i].key && strcmp(sv->cache[i].key, key) == 0)
            cache_drop(sv, &sv->cache[i]);
    struct cached *slot = NULL;
    for (;;) {
        struct cached *lru = NULL;
        slot = NULL;
        for (size_t i = 0; i < CACHE_ENTRIES; i++) {
            struct cached *e = &sv->cache[i];
            if (!e->key)
                slot = slot ? slot : e;
            else if (!lru || e->used < lru->used)
                lru = e;
        }
        if (slot && sv->cache_bytes + len + gzlen <= CACHE_BYTES)
            break;
        if (!lru)
            break;
        cache_drop(sv, lru);
    }
    if (slot) {
        slot->key = k;
        slot->body = b;
        slot->len = len;
        slot->gz = gz;
        slot->gzlen = gz ? gzlen : 0;
        snprintf(slot->sig, sizeof slot->sig, "%s", sig);
        slot->used = ++sv->tick;
        sv->cache_bytes += slot->len + slot->gzlen;
    } else {
        free(k);
        free(b);
        free(gz);
    }
    pthread_mutex_unlock(&sv->cache_mu);
}

/* The HTTP status of a failed query. */
static unsigned status_of(int rc, const char *msg)
{
    if (rc == NG_EEMPTY)
        return MHD_HTTP_NOT_FOUND;
    if (msg && strstr(msg, "interrupted"))
        return MHD_HTTP_SERVICE_UNAVAILABLE;
    if (rc == NG_EINVAL)
        return MHD_HTTP_BAD_REQUEST;
    return MHD_HTTP_INTERNAL_SERVER_ERROR;
}

/* Articles of an entity's timeline when the request names no limit. */
#define ENTITY_TIMELINE 200

/* Runs the query of an API route into *a.  Returns 0, or an HTTP status
 * with the message in why[]. */
static unsigned api_query(ng_kb *kb, struct MHD_Connection *c, const route *r, answer *a, char *why, size_t cap)
{
    size_t limit = 0;
    int rc = NG_OK;
    const char *ent = arg(c, "entity");
    int64_t id = 0;
#define BAD_LIMIT(dflt, max)                                                                                       \
    do {                                                                                                           \
        if (parse_limit(arg(c, "limit"), dflt, max, &limit) != 0) {                                                \
            snprintf(why, cap, "limit wants a number from 1 to %d", max);                                          \
            return MHD_HTTP_BAD_REQUEST;                                                                           \
        }                                                                                                          \
    } while (0)
    switch (r->kind) {
    case R_TIMELINE: {
        const char *story = arg(c, "story");
        /* an entity's: its oldest 200 articles unless asked (as the CLI; docs/web.md) */
        if (ent && !story)
            BAD_LIMIT(ENTITY_TIMELINE, 10000);
        else
            BAD_LIMIT(1000, 10000);
        if (story) {
            if (!(id = parse_id(story))) {
                snprintf(why, cap, "no story '%.100s'", story);
                return MHD_HTTP_NOT_FOUND;
            }
            rc = ng_kb_query_raw(kb, NG_KBQ_STORY, id, NULL, limit, answer_write, a);
        } else if (ent && (id = parse_id(ent))) {
            rc = ng_kb_query_raw(kb, NG_KBQ_TIMELINE, id, NULL, limit, answer_write, a);
        } else if (ent) {
            rc = ng_kb_query_json(kb, NG_KB_TIMELINE, ent, limit, answer_write, a);
        } else {
            rc = ng_kb_query_raw(kb, NG_KBQ_DOCS, 0, NULL, limit, answer_write, a);
        }
        break;
    }
    case R_ENTITY:
        BAD_LIMIT(ENTITY_TIMELINE, 10000);
        if ((id = parse_id(r->key)))
            rc = ng_kb_query_raw(kb, NG_KBQ_ENTITY, id, NULL, limit, answer_write, a);
        else
            rc = ng_kb_query_json(kb, NG_KB_ENTITY, r->key, limit, answer_write, a);
        break;
    case R_ENTITIES:
        BAD_LIMIT(200, 10000);
        rc = ng_kb_query_raw(kb, NG_KBQ_ENTITIES, 0, NULL, limit, answer_write, a);
        break;
    case R_GRAPH:
        /* the nodes (the most named entities) and the edges between them */
        BAD_LIMIT(40, 200);
        answer_puts(a, "{\"kind\":\"cooccurrence\",\"nodes\":");
        rc = ng_kb_query_raw(kb, NG_KBQ_ENTITIES, 0, NULL, limit, answer_write, a);
        if (rc == NG_OK) {
            answer_puts(a, ",\"edges\":");
            rc = ng_kb_query_raw(kb, NG_KBQ_COOCCUR, 0, NULL, limit, answer_write, a);
        }
        if (rc == NG_OK)
            answer_puts(a, "}\n");
        break;
    case R_EVENTS: {
        /* ?entity=ID|NAME, ?code=CAMEO prefix ("04", "042"), ?doc=ID (the events an article reports) */
        const char *code = arg(c, "code"), *doc = arg(c, "doc");
        BAD_LIMIT(1000, 10000);
        if (code && strlen(code) > 8) {
            snprintf(why, cap, "code wants a CAMEO code or its first digits");
            return MHD_HTTP_BAD_REQUEST;
        }
        if (doc && ent) {
            snprintf(why, cap, "give entity or doc, not both");
            return MHD_HTTP_BAD_REQUEST;
        }
        if (doc) {
            if (!(id = parse_id(doc))) {
                snprintf(why, cap, "no document '%.100s'", doc);
                return MHD_HTTP_NOT_FOUND;
            }
            rc = ng_kb_query_raw(kb, NG_KBQ_DOC_EVENTS, id, code, limit, answer_write, a);
        } else {
            rc = ng_kb_query_events(kb, ent, code, limit, answer_write, a);
        }
        break;
    }
    case R_QUOTES:
        BAD_LIMIT(500, 10000);
        if (ent && (id = parse_id(ent)))
            rc = ng_kb_query_raw(kb, NG_KBQ_QUOTES, id, NULL, limit, answer_write, a);
        else if (ent)
            rc = ng_kb_query_json(kb, NG_KB_QUOTES, ent, limit, answer_write, a);
        else
            rc = ng_kb_query_raw(kb, NG_KBQ_QUOTES, 0, NULL, limit, answer_write, a);
        break;
    case R_STORIES:
        BAD_LIMIT(50, 10000);
        rc = ng_kb_query_raw(kb, NG_KBQ_STORIES, 0, NULL, limit, answer_write, a);
        break;
    case R_STORY:
        BAD_LIMIT(1000, 10000);
        if (!(id = parse_id(r->key))) {
            snprintf(why, cap, "no story '%.100s'", r->key);
            return MHD_HTTP_NOT_FOUND;
        }
        rc = ng_kb_query_raw(kb, NG_KBQ_STORY, id, NULL, limit, answer_write, a);
        if (rc == NG_OK && a->len >= 2 && a->p[0] == '[' && a->p[1] == ']') {
            snprintf(why, cap, "no story %lld", (long long)id);
            return MHD_HTTP_NOT_FOUND;
        }
        break;
    case R_SEARCH: {
        const char *q = arg(c, "q");
        BAD_LIMIT(20, 1000);
        if (!q) {
            snprintf(why, cap, "nothing to search for: give ?q=WORDS");
            return MHD_HTTP_BAD_REQUEST;
        }
        if (strlen(q) > MAX_SEARCH) {
            snprintf(why, cap, "search text longer than %d bytes", MAX_SEARCH);
            return MHD_HTTP_URI_TOO_LONG;
        }
        rc = ng_kb_query_json(kb, NG_KB_SEARCH, q, limit, answer_write, a);
        break;
    }
    case R_DOC: {
        const char *name = arg(c, "name");
        if (r->key[0] && (id = parse_id(r->key)))
            rc = ng_kb_query_raw(kb, NG_KBQ_DOC, id, NULL, 0, answer_write, a);
        else if (!r->key[0] && name && strlen(name) < ROUTE_KEY)
            rc = ng_kb_query_raw(kb, NG_KBQ_DOC, 0, name, 0, answer_write, a);
        else {
            snprintf(why, cap, "no document '%.100s'", r->key[0] ? r->key : name ? name : "");
            return MHD_HTTP_NOT_FOUND;
        }
        break;
    }
    default: snprintf(why, cap, "no such API path"); return MHD_HTTP_NOT_FOUND;
    }
#undef BAD_LIMIT
    if (a->too_big) {
        snprintf(why, cap, "the answer is larger than %u MiB: ask for fewer rows (limit)", MAX_ANSWER >> 20);
        return MHD_HTTP_INTERNAL_SERVER_ERROR;
    }
    if (rc != NG_OK) {
        snprintf(why, cap, "%s", ng_kb_error(kb));
        return status_of(rc, why);
    }
    return 0;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
    server *sv = cls;
    (void)version;
    (void)upload;
    (void)upload_size;
    (void)con_cls;
    double t0 = now_ms();
    unsigned status = MHD_HTTP_OK;
    size_t bytes = 0;
    enum MHD_Result ret;
    route r;
    const char *why = NULL;
    if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0) {
        status = MHD_HTTP_METHOD_NOT_ALLOWED;
        ret = send_error(c, status, "only GET and HEAD are served (this server never writes)");
    } else if ((status = (unsigned)route_parse(url, &r, &why)) != 0) {
        ret = send_error(c, status, "%s", why);
    } else if (r.kind == R_ASSET) {
        const asset *found = NULL;
        for (size_t i = 0; i < sv->nassets && !found; i++)
            if (strcmp(sv->assets[i].name, r.key) == 0)
                found = &sv->assets[i];
        if (!found) {
            status = MHD_HTTP_NOT_FOUND;
            ret = send_error(c, status, "no such page");
        } else {
            status = MHD_HTTP_OK;
            bytes = found->len;
            ret = send_body(c, status, content_type(found->name), (char *)found->data, found->len, 0, found->gz,
                            found->gzlen, 0);
        }
    } else {
        char *key = sv->db_path ? cache_key(c, url) : NULL, sig[160] = "";
        char *cbody = NULL, *cgz = NULL;
        size_t clen = 0, cgzlen = 0;
        int want_gz = takes_gzip(c);
        if (key)
            cache_sig(sv, sig, sizeof sig);
        int id = key && cache_get(sv, key, sig, want_gz, &cbody, &clen, &cgz, &cgzlen) ? -2 : kb_take(sv);
        if (id == -2) {
            status = MHD_HTTP_OK;
            bytes = clen;
            if (cgz) {
                free(cbody);
                ret = send_body(c, status, "application/json; charset=utf-8", NULL, 0, 1, cgz, cgzlen, 1);
            } else {
                ret = send_body(c, status, "application/json; charset=utf-8", cbody, clen, 1, NULL, 0, 1);
            }
        } else if (id < 0) {
            status = MHD_HTTP_SERVICE_UNAVAILABLE;
            ret = send_error(c, status, "busy: try again");
        } else {
            answer a = {0};
            char msg[512] = "";
            status = api_query(sv->kbs[id], c, &r, &a, msg, sizeof msg);
            kb_give(sv, id);
            if (status) {
                free(a.p);
                ret = send_error(c, status, "%s", msg);
            } else if (!a.p && answer_puts(&a, "null\n") != 0) {
                status = MHD_HTTP_INTERNAL_SERVER_ERROR;
                ret = send_error(c, status, "out of memory");
            } else {
                status = MHD_HTTP_OK;
                bytes = a.len;
                if (key && a.len <= CACHE_MAX) {
                    /* kept with its gzip, made once (and sent when the client takes it) */
                    char *z = NULL, *zc = NULL;
                    size_t zlen = 0;
                    if (a.len >= GZIP_MIN && gzip(a.p, a.len, 5, &z, &zlen) != 0)
                        z = NULL;
                    if (z && want_gz)
                        zc = dup_mem(z, zlen);
                    cache_put(sv, key, sig, a.p, a.len, z, zlen);
                    if (zc) {
                        free(a.p);
                        ret = send_body(c, status, "application/json; charset=utf-8", NULL, 0, 1, zc, zlen, 1);
                    } else {
                        ret = send_body(c, status, "application/json; charset=utf-8", a.p, a.len, 1, NULL, 0, 1);
                    }
                } else {
                    ret = send_body(c, status, "application/json; charset=utf-8", a.p, a.len, 1, NULL, 0, 1);
                }
            }
        }
        free(key);
    }
    if (!sv->quiet)
        fprintf(stderr, "newsgraph: serve: %s %.200s %u %zu B %.1f ms\n", method, url, status, bytes, now_ms() - t0);
    return ret;
}

/* libmicrohttpd's unescaper for paths and query values: url_unescape. */
static size_t on_unescape(void *cls, struct MHD_Connection *c, char *s)
{
    (void)cls;
    (void)c;
    return url_unescape(s);
}

/* ---- the command ------------------------------------------------------------ */

static void usage(FILE *f)
{
    fprintf(f,
            "usage: newsgraph serve --db FILE|URL [--port N] [--listen ADDR] [--threads N] [--quiet]\n"
            "\n"
            "Serves a web page over a knowledge base made by 'newsgraph ingest': a timeline,\n"
            "entities and their graph, stories, and each article with its annotations,\n"
            "plus the JSON API under /api/ (docs/web.md).  Open the address it prints in a\n"
            "browser.  The base is opened read-only.  Ctrl-C stops it.\n"
            "\n"
            "options:\n"
            "  --db FILE|URL   the knowledge base: a SQLite file or a postgresql:// URL (required)\n"
            "  --port N        the TCP port (default 8080; 0: any free port, printed)\n"
            "  --listen ADDR   the IPv4 or IPv6 address to listen on (default 127.0.0.1);\n"
            "                  any other than loopback lets others read the whole base\n"
            "  --threads N     threads answering requests (default 4, at most 64)\n"
            "  --quiet         no line per request on standard error\n"
            "  -h, --help      this help\n");
}

int cmd_serve(int argc, char **argv)
{
    const char *db = NULL, *listen_addr = "127.0.0.1";
    long port = 8080, threads = 4;
    int quiet = 0;
    enum { O_DB = 256, O_PORT, O_LISTEN, O_THREADS, O_QUIET };
    static const struct option longopts[] = {{"db", required_argument, NULL, O_DB},
                                             {"port", required_argument, NULL, O_PORT},
                                             {"listen", required_argument, NULL, O_LISTEN},
                                             {"threads", required_argument, NULL, O_THREADS},
                                             {"quiet", no_argument, NULL, O_QUIET},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    optind = 1;
    opterr = 0;
    int opt;
    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        char *end;
        switch (opt) {
        case O_DB: db = optarg; break;
        case O_LISTEN: listen_addr = optarg; break;
        case O_QUIET: quiet = 1; break;
        case O_PORT:
            port = strtol(optarg, &end, 10);
            if (*end || end == optarg || port < 0 || port > 65535) {
                fprintf(stderr, "newsgraph: serve: --port wants a number from 0 to 65535, not '%s'\n", optarg);
                return 2;
            }
            break;
        case O_THREADS:
            threads = strtol(optarg, &end, 10);
            if (*end || end == optarg || threads < 1 || threads > 64) {
                fprintf(stderr, "newsgraph: serve: --threads wants a number from 1 to 64, not '%s'\n", optarg);
                return 2;
            }
            break;
        case 'h': usage(stdout); return 0;
        default:
            fprintf(stderr, "newsgraph: serve: unknown or incomplete option '%s'\n", argv[optind - 1]);
            usage(stderr);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "newsgraph: serve: unexpected argument '%s'\n", argv[optind]);
        usage(stderr);
        return 2;
    }
    if (!db) {
        fprintf(stderr, "newsgraph: serve: no knowledge base given (--db FILE)\n");
        usage(stderr);
        return 2;
    }
    /* the address */
    struct sockaddr_in in4;
    struct sockaddr_in6 in6;
    struct sockaddr *sa;
    int loopback, v6 = 0;
    memset(&in4, 0, sizeof in4);
    memset(&in6, 0, sizeof in6);
    if (strcmp(listen_addr, "localhost") == 0)
        listen_addr = "127.0.0.1";
    if (inet_pton(AF_INET, listen_addr, &in4.sin_addr) == 1) {
        in4.sin_family = AF_INET;
        in4.sin_port = htons((uint16_t)port);
        sa = (struct sockaddr *)&in4;
        loopback = (ntohl(in4.sin_addr.s_addr) >> 24) == 127;
    } else if (inet_pton(AF_INET6, listen_addr, &in6.sin6_addr) == 1) {
        in6.sin6_family = AF_INET6;
        in6.sin6_port = htons((uint16_t)port);
        sa = (struct sockaddr *)&in6;
        loopback = IN6_IS_ADDR_LOOPBACK(&in6.sin6_addr);
        v6 = 1;
    } else {
        fprintf(stderr, "newsgraph: serve: --listen wants an IPv4 or IPv6 address, not '%s'\n", listen_addr);
        return 2;
    }
    if (!loopback)
        fprintf(stderr,
                "newsgraph: serve: warning: listening on %s, not loopback: anyone who can reach it can read the "
                "whole knowledge base (there is no login)\n",
                listen_addr);
    if (strstr(db, "://") == NULL && access(db, F_OK) != 0) {
        fprintf(stderr, "newsgraph: %s: no such knowledge base\n", db);
        return 1;
    }
    /* the handles */
    server sv;
    memset(&sv, 0, sizeof sv);
    sv.quiet = quiet;
    sv.n = (int)threads;
    sv.kbs = calloc((size_t)sv.n, sizeof *sv.kbs);
    sv.free_ids = calloc((size_t)sv.n, sizeof *sv.free_ids);
    int status = 1;
    struct MHD_Daemon *d = NULL;
    if (!sv.kbs || !sv.free_ids) {
        fprintf(stderr, "newsgraph: serve: out of memory\n");
        goto out;
    }
    pthread_mutex_init(&sv.mu, NULL);
    pthread_cond_init(&sv.cv, NULL);
    pthread_mutex_init(&sv.cache_mu, NULL);
    if (strncmp(db, "postgresql://", 13) != 0 && strncmp(db, "postgres://", 11) != 0)
        sv.db_path = db; /* a SQLite file: answers are cached while its files are unchanged */
    ng_kb_options ko;
    ng_kb_options_default(&ko);
    ko.readonly = 1;
    for (int i = 0; i < sv.n; i++) {
        char err[512];
        if (ng_kb_open(&sv.kbs[i], db, &ko, err, sizeof err) != NG_OK) {
            fprintf(stderr, "newsgraph: %s: %s\n", db, err);
            goto out;
        }
        sv.free_ids[sv.nfree++] = i;
    }
    /* the page */
    while (ng_web_assets[sv.nassets].name)
        sv.nassets++;
    sv.assets = calloc(sv.nassets + 1, sizeof *sv.assets);
    if (!sv.assets) {
        fprintf(stderr, "newsgraph: serve: out of memory\n");
        goto out;
    }
    for (size_t i = 0; i < sv.nassets; i++) {
        asset *as = &sv.assets[i];
        as->name = ng_web_assets[i].name;
        as->data = ng_web_assets[i].data;
        as->len = ng_web_assets[i].len;
        if (as->len >= GZIP_MIN && gzip(as->data, as->len, 9, &as->gz, &as->gzlen) != 0)
            as->gz = NULL;
    }
    /* Ctrl-C and kill: the server's threads inherit this mask, so the
     * signals wait for sigwait below */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);
    unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG | (v6 ? MHD_USE_IPv6 : 0);
    d = MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, on_request, &sv, MHD_OPTION_SOCK_ADDR, sa,
                         MHD_OPTION_THREAD_POOL_SIZE, (unsigned)threads, MHD_OPTION_CONNECTION_LIMIT, 1024u,
                         MHD_OPTION_CONNECTION_TIMEOUT, 15u, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)16384,
                         MHD_OPTION_LISTEN_BACKLOG_SIZE, 512u, MHD_OPTION_UNESCAPE_CALLBACK, on_unescape, NULL,
                         MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "newsgraph: serve: cannot listen on %s port %ld: %s\n", listen_addr, port,
                errno ? strerror(errno) : "libmicrohttpd refused");
        goto out;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    unsigned bound = info ? info->port : (unsigned)port;
    fprintf(stderr, "newsgraph: serve: %s: listening on http://%s%s%s:%u/ (Ctrl-C stops)\n", db, v6 ? "[" : "",
            listen_addr, v6 ? "]" : "", bound);
    int sig = 0;
    sigwait(&stop, &sig);
    fprintf(stderr, "newsgraph: serve: %s: stopping\n", sig == SIGINT ? "interrupted" : "terminated");
    status = 0;
out:
    if (d)
        MHD_stop_daemon(d);
    for (int i = 0; sv.kbs && i < sv.n; i++)
        ng_kb_close(sv.kbs[i]);
    for (size_t i = 0; sv.assets && i < sv.nassets; i++)
        free(sv.assets[i].gz);
    for (size_t i = 0; i < CACHE_ENTRIES; i++)
        if (sv.cache[i].key)
            cache_drop(&sv, &sv.cache[i]);
    free(sv.assets);
    free(sv.kbs);
    free(sv.free_ids);
    return status;
}

#endif /* NG_SERVE_ROUTES_ONLY */
