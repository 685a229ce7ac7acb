/*
 * input.c — where articles come from: files, folders, standard input and
 * memory, read as single articles, JSON Lines (read_jsonl.c) or WARC
 * (read_warc.c).
 *
 * Two layers:
 *
 *   ng_stream   bytes from a file descriptor or memory through a 64 KiB
 *               window, inflated on the fly when they are gzip'd (our own
 *               z_stream loop rather than gzread, so that memory, files
 *               and stdin share one code path, multi-member files work and
 *               a truncated stream is told apart from a clean end);
 *   ng_reader   the public reader: one "leaf" input at a time (an article,
 *               a JSON Lines stream or a WARC stream), and for a folder a
 *               depth-first walk in byte order of the names that opens one
 *               leaf after the other.
 *
 * Memory is bounded by one article (at most max_bytes) plus the window:
 * an article over the limit is read and dropped, never held whole.  Every
 * problem with one input becomes a refused item (rc < 0 in the item) so
 * that a walk goes on with the next file; ng_reader_next itself fails only
 * when memory runs out.
 */
#include "internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define WINDOW (64u * 1024u)   /* decoded bytes window */
#define RAWBUF (64u * 1024u)   /* raw (compressed) bytes buffer */
#define MAX_DEPTH 256          /* folder nesting we follow */

/* ---- ng_stream ---------------------------------------------------------- */

struct ng_stream {
    int fd;                    /* the file read, or -1 for memory */
    const unsigned char *mem;  /* memory input (fd < 0) */
    size_t memlen;
    size_t memoff;             /* memory bytes already given to the inflater */
    int mem_given;             /* the memory was handed to the window or inflater */
    int raw_eof;               /* no more raw bytes */
    int gzip;                  /* inflating */
    int zinit;                 /* z is initialised */
    int between;               /* a gzip member just ended */
    z_stream z;
    unsigned char *ibuf;       /* raw bytes read from fd for the inflater */
    unsigned char *obuf;       /* the window's storage (NULL until needed) */
    const unsigned char *win;  /* decoded bytes: win[pos..len) are unread */
    size_t pos, len;
    int eof;                   /* no more decoded bytes */
    int rc;                    /* sticky error code, NG_OK when none */
    char err[200];             /* its message */
};

/* Records the stream's first error; later ones are ignored.  Returns rc. */
static int stream_fail(ng_stream *s, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int stream_fail(ng_stream *s, int rc, const char *fmt, ...)
{
    if (s->rc == NG_OK) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(s->err, sizeof s->err, fmt, ap);
        va_end(ap);
        s->rc = rc;
    }
    s->eof = 1;
    return s->rc;
}

/* Makes a stream with everything cleared.  NULL when out of memory. */
static ng_stream *stream_new(void)
{
    ng_stream *s = calloc(1, sizeof *s);
    if (s)
        s->fd = -1;
    return s;
}

int ng_stream_open_fd(ng_stream **out, int fd)
{
    *out = stream_new();
    if (!*out) {
        close(fd);
        return NG_ENOMEM;
    }
    (*out)->fd = fd;
    return NG_OK;
}

int ng_stream_open_mem(ng_stream **out, const char *p, size_t n)
{
    *out = stream_new();
    if (!*out)
        return NG_ENOMEM;
    (*out)->mem = (const unsigned char *)p;
    (*out)->memlen = p ? n : 0;
    return NG_OK;
}

void ng_stream_free(ng_stream *s)
{
    if (!s)
        return;
    if (s->zinit)
        inflateEnd(&s->z);
    if (s->fd >= 0)
        close(s->fd);
    free(s->ibuf);
    free(s->obuf);
    free(s);
}

int ng_stream_error(const ng_stream *s, const char **msg)
{
    if (msg)
        *msg = s->rc ? s->err : "";
    return s->rc;
}

/* read(2) that retries on EINTR.  Returns bytes read, 0 at the end, or -1
 * with the error recorded on s. */
static ssize_t raw_read(ng_stream *s, unsigned char *p, size_t n)
{
    for (;;) {
        ssize_t k = read(s->fd, p, n);
        if (k >= 0)
            return k;
        if (errno != EINTR) {
            stream_fail(s, NG_EIO, "read error: %s", strerror(errno));
            return -1;
        }
    }
}

/* Makes sure the window has its own storage and room at its end, moving
 * unread bytes to the front.  Returns 0, or -1 out of memory. */
static int window_room(ng_stream *s)
{
    if (!s->obuf) {
        unsigned char *b = malloc(WINDOW);
        if (!b) {
            stream_fail(s, NG_ENOMEM, "out of memory");
            return -1;
        }
        /* carry over what an earlier memory window still held */
        size_t left = s->len - s->pos;
        if (left)
            memcpy(b, s->win + s->pos, left);
        s->obuf = b;
        s->win = b;
        s->pos = 0;
        s->len = left;
    }
    if (s->pos == s->len) {
        s->pos = s->len = 0;
    } else if (s->len == WINDOW && s->pos > 0) {
        memmove(s->obuf, s->obuf + s->pos, s->len - s->pos);
        s->len -= s->pos;
        s->pos = 0;
    }
    return 0;
}

/* Feeds the inflater more raw bytes.  Returns 1 when some are there, 0 at
 * the raw end, -1 on error. */
static int raw_more(ng_stream *s)
{
    if (s->z.avail_in > 0)
        return 1;
    if (s->raw_eof)
        return 0;
    if (s->fd < 0) {
        /* memory goes to the inflater in pieces that fit a uInt */
        if (s->memoff >= s->memlen) {
            s->raw_eof = 1;
            return 0;
        }
        size_t n = s->memlen - s->memoff;
        if (n > ((size_t)1 << 30))
            n = (size_t)1 << 30;
        s->z.next_in = (unsigned char *)(uintptr_t)(s->mem + s->memoff);
        s->z.avail_in = (uInt)n;
        s->memoff += n;
        return 1;
    }
    ssize_t k = raw_read(s, s->ibuf, RAWBUF);
    if (k < 0)
        return -1;
    if (k == 0) {
        s->raw_eof = 1;
        return 0;
    }
    s->z.next_in = s->ibuf;
    s->z.avail_in = (uInt)k;
    return 1;
}

/* Inflates into the window's free end.  Returns bytes added, 0 at the end
 * of the last member, or a negative code (recorded on s). */
static int inflate_more(ng_stream *s)
{
    for (;;) {
        if (s->between) {
            /* another member follows only if another gzip header does */
            int k = raw_more(s);
            if (k < 0)
                return s->rc;
            if (k == 0 || s->z.next_in[0] != 0x1f) {
                s->eof = 1; /* a clean end (trailing padding is ignored, as gzip does) */
                return 0;
            }
            inflateReset(&s->z);
            s->between = 0;
        }
        int k = raw_more(s);
        if (k < 0)
            return s->rc;
        s->z.next_out = s->obuf + s->len;
        s->z.avail_out = (uInt)(WINDOW - s->len);
        uInt before = s->z.avail_out;
        int zr = inflate(&s->z, Z_NO_FLUSH);
        size_t made = before - s->z.avail_out;
        s->len += made;
        if (zr == Z_STREAM_END) {
            s->between = 1;
        } else if (zr == Z_DATA_ERROR || zr == Z_NEED_DICT) {
            return stream_fail(s, NG_EFORMAT, "corrupt gzip data: %s", s->z.msg ? s->z.msg : "bad stream");
        } else if (zr == Z_MEM_ERROR) {
            return stream_fail(s, NG_ENOMEM, "out of memory");
        } else if (zr == Z_BUF_ERROR || zr == Z_OK) {
            if (made == 0 && k == 0)
                return stream_fail(s, NG_ETRUNCATED, "truncated gzip stream");
            if (zr == Z_BUF_ERROR && made == 0)
                return stream_fail(s, NG_EFORMAT, "corrupt gzip data: no progress");
        }
        if (made > 0)
            return (int)made;
    }
}

/* Puts more decoded bytes into the window.  Returns 1 when some were
 * added, 0 at the end, or a negative code. */
static int fill(ng_stream *s)
{
    if (s->eof)
        return s->rc ? s->rc : 0;
    if (s->fd < 0 && !s->gzip) {
        /* memory: the window is the memory itself, handed over once */
        if (s->mem_given || s->memlen == 0) {
            s->eof = 1;
            return 0;
        }
        if (s->len > s->pos) {
            /* unread bytes left and more wanted: there is no more */
            s->eof = 1;
            return 0;
        }
        s->mem_given = 1;
        s->win = s->mem;
        s->pos = 0;
        s->len = s->memlen;
        return 1;
    }
    if (window_room(s) != 0)
        return s->rc;
    if (s->len == WINDOW)
        return 1; /* full already */
    if (s->gzip) {
        int k = inflate_more(s);
        return k > 0 ? 1 : k;
    }
    ssize_t k = raw_read(s, s->obuf + s->len, WINDOW - s->len);
    if (k < 0)
        return s->rc;
    if (k == 0) {
        s->eof = 1;
        return 0;
    }
    s->len += (size_t)k;
    return 1;
}

size_t ng_stream_peek(ng_stream *s, const char **p, size_t want)
{
    if (want > 4096)
        want = 4096;
    while (s->len - s->pos < want) {
        if (s->fd < 0 && !s->gzip && s->mem_given)
            break;
        if (s->fd >= 0 || s->gzip) {
            /* make the unread bytes contiguous at the front */
            if (window_room(s) != 0)
                break;
            if (s->pos > 0) {
                memmove(s->obuf, s->obuf + s->pos, s->len - s->pos);
                s->len -= s->pos;
                s->pos = 0;
            }
        }
        if (fill(s) <= 0)
            break;
    }
    *p = (const char *)(s->win ? s->win + s->pos : (const unsigned char *)"");
    size_t have = s->len - s->pos;
    return have < want ? have : want;
}

int ng_stream_gunzip_auto(ng_stream *s)
{
    const char *p;
    size_t n = ng_stream_peek(s, &p, 2);
    if (s->rc)
        return s->rc;
    if (n < 2 || (unsigned char)p[0] != 0x1f || (unsigned char)p[1] != 0x8b)
        return 0;
    memset(&s->z, 0, sizeof s->z);
    if (inflateInit2(&s->z, 15 + 16) != Z_OK)
        return stream_fail(s, NG_ENOMEM, "out of memory");
    s->zinit = 1;
    s->gzip = 1;
    s->eof = 0;
    if (s->fd < 0) {
        /* the unread memory goes to the inflater (raw_more) */
        s->memoff = s->pos;
        s->mem_given = 1;
        s->win = NULL;
        s->pos = s->len = 0;
        if (window_room(s) != 0)
            return s->rc;
    } else {
        /* what the window holds is raw: it becomes the inflater's input */
        s->ibuf = malloc(RAWBUF);
        if (!s->ibuf)
            return stream_fail(s, NG_ENOMEM, "out of memory");
        size_t left = s->len - s->pos;
        memcpy(s->ibuf, s->win + s->pos, left);
        s->z.next_in = s->ibuf;
        s->z.avail_in = (uInt)left;
        s->pos = s->len = 0;
    }
    return 1;
}

int ng_stream_getline(ng_stream *s, ng_buf *line, size_t max, uint64_t *len)
{
    uint64_t total = 0;
    int any = 0;
    *len = 0;
    for (;;) {
        if (s->pos == s->len) {
            int k = fill(s);
            if (k < 0)
                return k;
            if (k == 0)
                break;
        }
        const unsigned char *p = s->win + s->pos;
        size_t avail = s->len - s->pos;
        const unsigned char *nl = memchr(p, '\n', avail);
        size_t take = nl ? (size_t)(nl - p) : avail;
        any = 1;
        if (total + take <= max)
            ng_buf_put(line, p, take);
        else if (total <= max)
            ng_buf_put(line, p, (size_t)(max - total));
        total += take;
        s->pos += take + (nl ? 1 : 0);
        if (nl)
            break;
    }
    *len = total;
    if (line->oom)
        return stream_fail(s, NG_ENOMEM, "out of memory");
    return any;
}

int ng_stream_read(ng_stream *s, ng_buf *out, uint64_t n, uint64_t *got)
{
    uint64_t done = 0;
    while (done < n) {
        if (s->pos == s->len) {
            int k = fill(s);
            if (k < 0) {
                *got = done;
                return k;
            }
            if (k == 0)
                break;
        }
        size_t avail = s->len - s->pos;
        size_t take = (uint64_t)avail < n - done ? avail : (size_t)(n - done);
        if (out)
            ng_buf_put(out, s->win + s->pos, take);
        s->pos += take;
        done += take;
    }
    *got = done;
    if (out && out->oom)
        return stream_fail(s, NG_ENOMEM, "out of memory");
    return NG_OK;
}

/* ---- the reader --------------------------------------------------------- */

/* One folder being walked: its entries, sorted, and where we are. */
typedef struct {
    struct dirent **names; /* from scandir, hidden names left out */
    int n, i;              /* count, next to look at */
    char *rel;             /* path relative to the root, "" for the root */
    dev_t dev;             /* identity, to skip symlink loops */
    ino_t ino;
} walk_level;

struct ng_reader {
    size_t max_bytes;      /* the article size limit */
    ng_input_kind kind;    /* what the caller asked for (AUTO: by name) */
    /* the leaf being read */
    int leaf;              /* a leaf is open */
    ng_input_kind leaf_kind;
    ng_stream *s;
    ng_jsonl *jsonl;
    ng_warc *warc;
    int article_done;      /* the article leaf was handed out */
    int size_known;        /* a regular, uncompressed file of size 'size' */
    uint64_t size;
    int gz;                /* the article leaf is gzip'd by name */
    ng_format format;      /* format implied by the leaf's name */
    char *where;           /* the leaf's name for messages */
    char *id;              /* the leaf's src.id */
    ng_buf data;           /* the current article's bytes */
    char msg[512];         /* the current item's error */
    /* the folder walk */
    int walking;
    char *root;            /* the folder given, as given */
    walk_level *levels;
    size_t nlevels, caplevels;
    char err[512];         /* the last fatal error */
};

/* True when name ends with suffix, ignoring ASCII case. */
static int ends_with(const char *name, const char *suffix)
{
    size_t n = strlen(name), k = strlen(suffix);
    return n >= k && strcasecmp(name + n - k, suffix) == 0;
}

/* What a name implies: the kind, whether the bytes are gzip'd, and for an
 * article its format (an ".html.gz" is HTML).  Can't fail. */
static ng_input_kind kind_by_name(const char *name, int *gz, ng_format *fmt)
{
    *gz = 0;
    *fmt = NG_FORMAT_AUTO;
    if (ends_with(name, ".jsonl") || ends_with(name, ".ndjson") || ends_with(name, ".jsonl.gz") ||
        ends_with(name, ".ndjson.gz"))
        return NG_INPUT_JSONL;
    if (ends_with(name, ".warc") || ends_with(name, ".warc.gz"))
        return NG_INPUT_WARC;
    size_t n = strlen(name);
    char base[64];
    if (ends_with(name, ".gz")) {
        *gz = 1;
        n -= 3;
    }
    /* look at the last extension only (without .gz) */
    size_t k = n > sizeof base - 1 ? sizeof base - 1 : n;
    memcpy(base, name + n - k, k);
    base[k] = '\0';
    if (ends_with(base, ".html") || ends_with(base, ".htm") || ends_with(base, ".xhtml"))
        *fmt = NG_FORMAT_HTML;
    else if (ends_with(base, ".txt"))
        *fmt = NG_FORMAT_TEXT;
    return NG_INPUT_ARTICLE;
}

/* Closes the current leaf.  Can't fail. */
static void leaf_close(ng_reader *r)
{
    ng_jsonl_free(r->jsonl);
    ng_warc_free(r->warc);
    ng_stream_free(r->s);
    r->jsonl = NULL;
    r->warc = NULL;
    r->s = NULL;
    free(r->where);
    free(r->id);
    r->where = r->id = NULL;
    r->leaf = 0;
    /* do not let one big article pin its memory for the rest of a walk */
    if (r->data.cap > ((size_t)8 << 20))
        ng_buf_free(&r->data);
}

/* Opens stream s as a leaf of the given kind (AUTO: sniff the bytes as
 * for stdin), named where/id.  Takes s.  Returns NG_OK or NG_ENOMEM (a
 * problem with the bytes shows up in the first item instead). */
static int leaf_open(ng_reader *r, ng_stream *s, ng_input_kind kind, int gz, const char *where, const char *id)
{
    r->s = s;
    r->where = strdup(where);
    r->id = strdup(id);
    r->leaf = 1;
    r->article_done = 0;
    if (!r->where || !r->id)
        return NG_ENOMEM;
    if (kind == NG_INPUT_AUTO) {
        /* stdin and nameless memory: gzip and WARC are told by their bytes */
        if (ng_stream_gunzip_auto(s) == 1)
            r->size_known = 0;
        const char *p;
        size_t n = ng_stream_peek(s, &p, 7);
        kind = n == 7 && memcmp(p, "WARC/1.", 7) == 0 ? NG_INPUT_WARC : NG_INPUT_ARTICLE;
    } else if (kind != NG_INPUT_ARTICLE || gz) {
        if (ng_stream_gunzip_auto(s) == 1)
            r->size_known = 0;
    }
    r->leaf_kind = kind;
    if (kind == NG_INPUT_JSONL)
        return ng_jsonl_new(&r->jsonl, s, r->where, r->max_bytes);
    if (kind == NG_INPUT_WARC)
        return ng_warc_new(&r->warc, s, r->where, r->max_bytes);
    return NG_OK;
}

/* Fills item as a refusal of the current leaf with rc and the message in
 * r->msg. */
static void refuse(ng_reader *r, ng_item *item, int rc)
{
    item->rc = rc;
    item->error = r->msg;
    item->data = NULL;
    item->len = 0;
}

/* Fills item as the refusal (NG_EIO, message in r->msg) of an entry that
 * could not be opened; where and id are copied into the reader.  Returns 1,
 * or NG_ENOMEM. */
static int refuse_entry(ng_reader *r, ng_item *item, const char *where, const char *id)
{
    free(r->where);
    free(r->id);
    r->where = strdup(where);
    r->id = strdup(id);
    if (!r->where || !r->id)
        return NG_ENOMEM;
    memset(item, 0, sizeof *item);
    ng_source_default(&item->src);
    item->where = r->where;
    item->src.id = r->id;
    refuse(r, item, NG_EIO);
    return 1;
}

/* Hands out the article leaf: the whole stream as one item, or a refusal
 * when it is over max_bytes (read to its end and dropped) or cannot be
 * read.  Returns 1, 0 when already handed out, or NG_ENOMEM. */
static int article_next(ng_reader *r, ng_item *item)
{
    if (r->article_done)
        return 0;
    r->article_done = 1;
    memset(item, 0, sizeof *item);
    ng_source_default(&item->src);
    item->src.id = r->id;
    item->src.format = r->format;
    item->where = r->where;
    if (r->size_known && r->size > r->max_bytes) {
        snprintf(r->msg, sizeof r->msg, "%" PRIu64 " bytes, over the limit of %zu bytes", r->size, r->max_bytes);
        refuse(r, item, NG_ETOOBIG);
        return 1;
    }
    ng_buf_reset(&r->data);
    if (r->size_known && ng_buf_reserve(&r->data, (size_t)r->size) != 0)
        return NG_ENOMEM;
    uint64_t got = 0, more = 0;
    int rc = ng_stream_read(r->s, &r->data, (uint64_t)r->max_bytes + 1, &got);
    if (rc == NG_OK && got > r->max_bytes) {
        rc = ng_stream_read(r->s, NULL, UINT64_MAX, &more);
        if (rc == NG_OK) {
            snprintf(r->msg, sizeof r->msg, "%" PRIu64 " bytes%s, over the limit of %zu bytes", got + more,
                     r->gz ? " uncompressed" : "", r->max_bytes);
            refuse(r, item, NG_ETOOBIG);
            return 1;
        }
    }
    if (rc == NG_ENOMEM)
        return rc;
    if (rc != NG_OK) {
        const char *m;
        ng_stream_error(r->s, &m);
        snprintf(r->msg, sizeof r->msg, "%s", m);
        refuse(r, item, rc);
        return 1;
    }
    item->data = r->data.p ? r->data.p : "";
    item->len = r->data.len;
    return 1;
}

/* Next item of the open leaf: 1, 0 at its end, or NG_ENOMEM. */
static int leaf_next(ng_reader *r, ng_item *item)
{
    switch (r->leaf_kind) {
    case NG_INPUT_JSONL:
        return ng_jsonl_next(r->jsonl, item);
    case NG_INPUT_WARC:
        return ng_warc_next(r->warc, item);
    default:
        return article_next(r, item);
    }
}

/* Opens file 'path' as a leaf: kind from the reader, or from the name when
 * AUTO.  On failure to open, fills item with the refusal and returns 1;
 * returns 2 when the leaf is open, or NG_ENOMEM. */
static int open_file_leaf(ng_reader *r, const char *path, const char *where, const char *id, ng_item *item)
{
    int gz;
    ng_format fmt;
    ng_input_kind k = kind_by_name(path, &gz, &fmt);
    if (r->kind != NG_INPUT_AUTO) {
        k = r->kind;
        if (k != NG_INPUT_ARTICLE)
            gz = 0;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        snprintf(r->msg, sizeof r->msg, "cannot open: %s", strerror(errno));
        if (fd >= 0)
            close(fd);
        return refuse_entry(r, item, where, id);
    }
    ng_stream *s;
    if (ng_stream_open_fd(&s, fd) != NG_OK)
        return NG_ENOMEM;
    r->format = fmt;
    r->gz = gz;
    r->size_known = S_ISREG(st.st_mode) && !gz && k == NG_INPUT_ARTICLE;
    r->size = (uint64_t)st.st_size;
    int rc = leaf_open(r, s, k, gz, where, id);
    return rc == NG_OK ? 2 : rc;
}

/* Byte order of names, as scandir wants it. */
static int name_cmp(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

/* Leaves out "." and "..", and hidden files. */
static int not_hidden(const struct dirent *d)
{
    return d->d_name[0] != '.';
}

/* Enters folder 'rel' (relative to the root) whose identity is st.
 * Returns NG_OK, NG_EIO (err in r->msg) or NG_ENOMEM. */
static int walk_push(ng_reader *r, const char *rel, const struct stat *st)
{
    if (r->nlevels == r->caplevels) {
        size_t cap = r->caplevels ? r->caplevels * 2 : 8;
        walk_level *l = realloc(r->levels, cap * sizeof *l);
        if (!l)
            return NG_ENOMEM;
        r->levels = l;
        r->caplevels = cap;
    }
    walk_level *l = &r->levels[r->nlevels];
    memset(l, 0, sizeof *l);
    l->rel = strdup(rel);
    if (!l->rel)
        return NG_ENOMEM;
    char *path = NULL;
    size_t rl = strlen(r->root), sl = strlen(rel);
    path = malloc(rl + sl + 2);
    if (!path) {
        free(l->rel);
        return NG_ENOMEM;
    }
    memcpy(path, r->root, rl);
    path[rl] = '\0';
    if (sl) {
        path[rl] = '/';
        memcpy(path + rl + 1, rel, sl + 1);
    }
    l->n = scandir(path, &l->names, not_hidden, name_cmp);
    free(path);
    if (l->n < 0) {
        snprintf(r->msg, sizeof r->msg, "cannot read folder: %s", strerror(errno));
        free(l->rel);
        return NG_EIO;
    }
    l->dev = st->st_dev;
    l->ino = st->st_ino;
    r->nlevels++;
    return NG_OK;
}

/* Leaves the innermost folder.  Can't fail. */
static void walk_pop(ng_reader *r)
{
    walk_level *l = &r->levels[--r->nlevels];
    for (int i = 0; i < l->n; i++)
        free(l->names[i]);
    free(l->names);
    free(l->rel);
}

/* Advances the walk to the next file: opens it as a leaf (returns 2), or
 * fills item with a refusal of an unreadable entry (returns 1).  Returns 0
 * when the walk is over, or NG_ENOMEM. */
static int walk_next(ng_reader *r, ng_item *item)
{
    ng_buf rel, path;
    ng_buf_init(&rel);
    ng_buf_init(&path);
    int ret = 0;
    while (r->nlevels > 0) {
        walk_level *l = &r->levels[r->nlevels - 1];
        if (l->i >= l->n) {
            walk_pop(r);
            continue;
        }
        const char *name = l->names[l->i++]->d_name;
        ng_buf_reset(&rel);
        ng_buf_reset(&path);
        if (l->rel[0]) {
            ng_buf_puts(&rel, l->rel);
            ng_buf_putc(&rel, '/');
        }
        ng_buf_puts(&rel, name);
        ng_buf_puts(&path, r->root);
        if (path.len && path.p[path.len - 1] != '/')
            ng_buf_putc(&path, '/');
        ng_buf_put(&path, rel.p, rel.len);
        if (rel.oom || path.oom) {
            ret = NG_ENOMEM;
            break;
        }
        struct stat st;
        if (stat(path.p, &st) != 0) {
            if (lstat(path.p, &st) == 0 && S_ISLNK(st.st_mode))
                continue; /* a dangling symlink is not an article */
            ret = open_file_leaf(r, path.p, path.p, rel.p, item);
            break;
        }
        if (S_ISDIR(st.st_mode)) {
            int loop = r->nlevels >= MAX_DEPTH;
            for (size_t i = 0; i < r->nlevels && !loop; i++)
                loop = r->levels[i].dev == st.st_dev && r->levels[i].ino == st.st_ino;
            if (loop)
                continue;
            int rc = walk_push(r, rel.p, &st);
            if (rc == NG_ENOMEM) {
                ret = rc;
                break;
            }
            if (rc != NG_OK) {
                /* report the unreadable folder as a refused item */
                ret = refuse_entry(r, item, path.p, rel.p);
                break;
            }
            continue;
        }
        if (!S_ISREG(st.st_mode))
            continue; /* fifos, sockets, devices: not articles */
        ret = open_file_leaf(r, path.p, path.p, rel.p, item);
        break;
    }
    ng_buf_free(&rel);
    ng_buf_free(&path);
    return ret;
}

/* Makes an empty reader.  NULL when out of memory. */
static ng_reader *reader_new(ng_input_kind kind, size_t max_bytes)
{
    ng_reader *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->kind = kind;
    r->max_bytes = max_bytes ? max_bytes : ((size_t)64 << 20);
    ng_buf_init(&r->data);
    return r;
}

/* The last part of a path ("a/b/c.txt" → "c.txt").  Can't fail. */
static const char *base_name(const char *path)
{
    size_t n = strlen(path);
    while (n > 1 && path[n - 1] == '/')
        n--;
    const char *base = path;
    for (size_t i = 0; i + 1 < n; i++)
        if (path[i] == '/')
            base = path + i + 1;
    return base;
}

int ng_reader_open(ng_reader **out, const char *path, ng_input_kind kind, size_t max_bytes, char *err,
                   size_t errlen)
{
    *out = NULL;
    if (err && errlen)
        err[0] = '\0';
    if (!path || !*path) {
        if (err && errlen)
            snprintf(err, errlen, "empty path");
        return NG_EINVAL;
    }
    ng_reader *r = reader_new(kind, max_bytes);
    if (!r)
        goto oom;
    if (strcmp(path, "-") == 0) {
        int fd = dup(0);
        ng_stream *s;
        if (fd < 0) {
            if (err && errlen)
                snprintf(err, errlen, "cannot read standard input: %s", strerror(errno));
            ng_reader_free(r);
            return NG_EIO;
        }
        if (ng_stream_open_fd(&s, fd) != NG_OK)
            goto oom;
        if (leaf_open(r, s, kind, 0, "-", "-") != NG_OK)
            goto oom;
        *out = r;
        return NG_OK;
    }
    struct stat st;
    if (stat(path, &st) != 0) {
        if (err && errlen)
            snprintf(err, errlen, "cannot open: %s", strerror(errno));
        ng_reader_free(r);
        return NG_EIO;
    }
    if (S_ISDIR(st.st_mode)) {
        r->walking = 1;
        r->root = strdup(path);
        if (!r->root)
            goto oom;
        int rc = walk_push(r, "", &st);
        if (rc != NG_OK) {
            if (err && errlen)
                snprintf(err, errlen, "%s", rc == NG_ENOMEM ? "out of memory" : r->msg);
            ng_reader_free(r);
            return rc;
        }
        *out = r;
        return NG_OK;
    }
    ng_item item;
    int rc = open_file_leaf(r, path, path, base_name(path), &item);
    if (rc == 1) {
        if (err && errlen)
            snprintf(err, errlen, "%s", r->msg);
        ng_reader_free(r);
        return NG_EIO;
    }
    if (rc < 0)
        goto oom;
    *out = r;
    return NG_OK;
oom:
    if (err && errlen)
        snprintf(err, errlen, "out of memory");
    ng_reader_free(r);
    return NG_ENOMEM;
}

int ng_reader_open_mem(ng_reader **out, const char *data, size_t len, const char *name, ng_input_kind kind,
                       size_t max_bytes)
{
    *out = NULL;
    if (!data && len)
        return NG_EINVAL;
    ng_reader *r = reader_new(kind, max_bytes);
    ng_stream *s = NULL;
    if (!r || ng_stream_open_mem(&s, data, len) != NG_OK) {
        ng_reader_free(r);
        return NG_ENOMEM;
    }
    if (!name)
        name = "-";
    int gz = 0;
    ng_format fmt = NG_FORMAT_AUTO;
    ng_input_kind k = kind;
    if (kind == NG_INPUT_AUTO) {
        /* a telling name decides; otherwise the bytes do, as for stdin */
        ng_input_kind byname = kind_by_name(name, &gz, &fmt);
        if (byname != NG_INPUT_ARTICLE || gz || fmt != NG_FORMAT_AUTO)
            k = byname;
    }
    r->format = fmt;
    r->gz = gz;
    r->size_known = k == NG_INPUT_ARTICLE && !gz;
    r->size = len;
    if (leaf_open(r, s, k, gz, name, base_name(name)) != NG_OK) {
        ng_reader_free(r);
        return NG_ENOMEM;
    }
    *out = r;
    return NG_OK;
}

int ng_reader_next(ng_reader *r, ng_item *item)
{
    if (!r || !item)
        return NG_EINVAL;
    for (;;) {
        if (r->leaf) {
            int k = leaf_next(r, item);
            if (k != 0) {
                if (k < 0)
                    snprintf(r->err, sizeof r->err, "%s", ng_strerror(k));
                return k;
            }
            leaf_close(r);
        }
        if (!r->walking)
            return 0;
        int k = walk_next(r, item);
        if (k == 2)
            continue;
        if (k < 0)
            snprintf(r->err, sizeof r->err, "%s", ng_strerror(k));
        return k;
    }
}

const char *ng_reader_error(const ng_reader *r)
{
    return r && r->err[0] ? r->err : "no error";
}

void ng_reader_free(ng_reader *r)
{
    if (!r)
        return;
    leaf_close(r);
    while (r->nlevels > 0)
        walk_pop(r);
    free(r->levels);
    free(r->root);
    ng_buf_free(&r->data);
    free(r);
}
