/*
 * analyze.c — `newsgraph analyze`: articles in, one JSON record per article
 * out (JSON Lines), in input order, with N threads sharing one model.
 *
 * The main thread reads items (ng_reader) and copies each into a slot of a
 * ring; worker threads analyze slots in any order; a writer thread prints
 * the slots strictly in sequence.  The ring bounds memory: the reader waits
 * when the writer is more than RING slots behind.
 */
#include "cli.h"
#include "progress.h"

#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct {
    unsigned fields;
    int pretty;
    int jobs;
    int keep_errors; /* write {"doc","error"} records for refused inputs */
    int quiet;
    ng_input_kind kind;
    ng_format format;
    size_t max_bytes;
} options;

/* One article on its way through the ring. */
typedef struct {
    int state;       /* 0 free, 1 filled (to analyze), 2 taken by a worker, 3 done */
    unsigned long seq;
    ng_source src;   /* strings below are owned by the slot */
    char *id, *url, *published, *lang, *charset, *where;
    char *data;
    size_t len;
    int refused;     /* the reader refused it: msg holds why */
    char *out;       /* the JSON record, or NULL */
    size_t outlen;
    char *msg;       /* an error line's text (without "newsgraph: "), or NULL */
} slot;

#define RING_PER_JOB 8
/* Analysis threads get a large stack so that deep documents (HTML nested
 * thousands of levels) never depend on the main stack's size. */
#define NG_STACK_SIZE ((size_t)64 << 20)

typedef struct {
    const options *opt;
    const ng_model *model;
    slot *ring;
    size_t ring_size;
    pthread_mutex_t mu;
    pthread_cond_t cv_work;  /* a slot was filled, or input ended */
    pthread_cond_t cv_done;  /* a slot was analyzed */
    pthread_cond_t cv_free;  /* a slot was written out */
    unsigned long next_in;   /* sequence number of the next item read */
    unsigned long next_work; /* lowest sequence number not yet taken */
    unsigned long next_out;  /* next sequence number to write */
    int input_done;
    int failed;              /* some article was refused */
    int write_error;
    ng_progress *progress;
} pipeline;

static void usage(FILE *f)
{
    fprintf(f,
            "usage: newsgraph analyze [OPTIONS] PATH...\n"
            "\n"
            "Reads articles and writes one JSON record per article to standard output\n"
            "(JSON Lines, in input order).  PATH is a file, a folder (read recursively),\n"
            "or - for standard input.  By name: .jsonl/.ndjson are JSON Lines, .warc and\n"
            ".warc.gz are WARC files (HTML responses), anything else is one article\n"
            "(HTML or plain text, told apart by content).\n"
            "\n"
            "options:\n"
            "  --jsonl            read every PATH (or -) as JSON Lines: one article per line,\n"
            "                     {\"id\", \"text\" or \"html\", \"url\", \"published\", \"lang\"}\n"
            "  --warc             read every PATH (or -) as WARC\n"
            "  --format FMT       auto (default), text or html: how to read single articles\n"
            "  -j, --jobs N       analyze with N threads (default 1; 0 = one per core)\n"
            "  --fields LIST      members to write, comma-separated: lang, published, title,\n"
            "                     agencies, url, text, sentences, tokens, all (default: all\n"
            "                     but tokens); doc is always written\n"
            "  --pretty           indent the JSON (one record spans several lines)\n"
            "  --keep-errors      also write {\"doc\", \"error\"} for refused articles, so that\n"
            "                     output lines match input items one to one\n"
            "  --max-bytes N      refuse articles larger than N bytes (default 64M; K/M/G)\n"
            "  -q, --quiet        no progress display\n"
            "  -h, --help         this help\n"
            "\n"
            "Errors go to standard error, one line each: 'newsgraph: WHERE: what went wrong'.\n"
            "Exit status: 0 all articles processed, 1 some were refused, 2 usage error.\n");
}

/* Parses "64M", "512k", "1000".  Returns 0 on success. */
static int parse_size(const char *s, size_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s)
        return -1;
    unsigned long long mul = 1;
    switch (*end) {
    case 'k': case 'K': mul = 1ull << 10; end++; break;
    case 'm': case 'M': mul = 1ull << 20; end++; break;
    case 'g': case 'G': mul = 1ull << 30; end++; break;
    default: break;
    }
    if (*end || v == 0 || v > (1ull << 40) / mul)
        return -1;
    *out = (size_t)(v * mul);
    return 0;
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static void slot_clear(slot *s)
{
    free(s->id);
    free(s->url);
    free(s->published);
    free(s->lang);
    free(s->charset);
    free(s->where);
    free(s->data);
    free(s->out);
    free(s->msg);
    memset(s, 0, sizeof *s);
}

/* Copies a reader item into a slot (the item's memory is the reader's).
 * Returns 0, or -1 when memory runs out. */
static int slot_fill(slot *s, const ng_item *it, const options *opt)
{
    s->id = dup_or_null(it->src.id);
    s->url = dup_or_null(it->src.url);
    s->published = dup_or_null(it->src.published);
    s->lang = dup_or_null(it->src.lang);
    s->charset = dup_or_null(it->src.charset);
    s->where = dup_or_null(it->where ? it->where : it->src.id);
    ng_source_default(&s->src);
    s->src.id = s->id;
    s->src.url = s->url;
    s->src.published = s->published;
    s->src.lang = s->lang;
    s->src.charset = s->charset;
    s->src.format = it->src.format != NG_FORMAT_AUTO ? it->src.format : opt->format;
    if (it->rc != NG_OK) {
        s->refused = 1;
        s->msg = strdup(it->error ? it->error : ng_strerror(it->rc));
        return s->msg ? 0 : -1;
    }
    s->len = it->len;
    s->data = malloc(it->len ? it->len : 1);
    if (!s->data)
        return -1;
    if (it->len)
        memcpy(s->data, it->data, it->len);
    return 0;
}

/* Analyzes one slot with worker w: fills s->out and/or s->msg. */
static void slot_run(slot *s, ng_worker *w, const options *opt)
{
    if (!s->refused) {
        ng_doc *d = NULL;
        int rc = ng_analyze(w, &s->src, s->data, s->len, &d);
        if (rc == NG_OK) {
            rc = ng_doc_json(d, opt->fields, opt->pretty, &s->out, &s->outlen);
            if (rc != NG_OK)
                s->msg = strdup(ng_strerror(rc));
        } else {
            s->msg = strdup(ng_worker_error(w));
            s->refused = 1;
        }
        ng_doc_free(d);
    }
    if (s->refused && opt->keep_errors && !s->out)
        ng_error_json(s->id, s->msg, &s->out, &s->outlen);
    free(s->data);
    s->data = NULL;
}

/* Writes a finished slot: its error line (stderr), then its record (stdout). */
static void slot_write(pipeline *p, slot *s)
{
    if (s->msg) {
        ng_progress_clear(p->progress);
        fprintf(stderr, "newsgraph: %s: %s\n", s->where ? s->where : "-", s->msg);
        p->failed = 1;
    }
    if (s->out) {
        if (fwrite(s->out, 1, s->outlen, stdout) != s->outlen || putchar('\n') == EOF)
            p->write_error = 1;
    }
    ng_progress_add(p->progress, 1, s->len ? s->len : 0, s->msg != NULL);
}

static void *worker_main(void *arg)
{
    pipeline *p = arg;
    ng_worker *w = NULL;
    if (ng_worker_new(p->model, &w) != NG_OK)
        w = NULL;
    ng_worker_set_stages(w, ng_fields_stages(p->opt->fields));
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (p->next_work == p->next_in && !p->input_done)
            pthread_cond_wait(&p->cv_work, &p->mu);
        if (p->next_work == p->next_in && p->input_done)
            break;
        slot *s = &p->ring[p->next_work % p->ring_size];
        p->next_work++;
        s->state = 2;
        pthread_mutex_unlock(&p->mu);
        if (w) {
            slot_run(s, w, p->opt);
        } else {
            s->msg = strdup("out of memory");
            s->refused = 1;
        }
        pthread_mutex_lock(&p->mu);
        s->state = 3;
        pthread_cond_broadcast(&p->cv_done);
    }
    pthread_mutex_unlock(&p->mu);
    ng_worker_free(w);
    return NULL;
}

static void *writer_main(void *arg)
{
    pipeline *p = arg;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        slot *s = &p->ring[p->next_out % p->ring_size];
        while (!(p->next_out < p->next_in && s->state == 3) && !(p->input_done && p->next_out == p->next_in))
            pthread_cond_wait(&p->cv_done, &p->mu);
        if (p->input_done && p->next_out == p->next_in)
            break;
        pthread_mutex_unlock(&p->mu);
        slot_write(p, s);
        slot_clear(s);
        pthread_mutex_lock(&p->mu);
        p->next_out++;
        pthread_cond_broadcast(&p->cv_free);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

/* Hands one item to the threads, waiting while the ring is full. */
static int pipeline_push(pipeline *p, const ng_item *it)
{
    pthread_mutex_lock(&p->mu);
    while (p->next_in - p->next_out >= p->ring_size)
        pthread_cond_wait(&p->cv_free, &p->mu);
    slot *s = &p->ring[p->next_in % p->ring_size];
    pthread_mutex_unlock(&p->mu);
    int rc = slot_fill(s, it, p->opt);
    if (rc != 0) {
        slot_clear(s);
        s->refused = 1;
        s->where = dup_or_null(it->where);
        s->msg = strdup("out of memory");
    }
    pthread_mutex_lock(&p->mu);
    s->seq = p->next_in++;
    s->state = 1;
    pthread_cond_signal(&p->cv_work);
    pthread_mutex_unlock(&p->mu);
    return 0;
}

/* Reads every path, feeding items to fn.  Returns 1 when an input could not
 * be read (reported on stderr), else 0. */
static int read_inputs(char **paths, int npaths, const options *opt, ng_progress *prog,
                       int (*fn)(void *, const ng_item *), void *ctx)
{
    int failed = 0;
    for (int i = 0; i < npaths; i++) {
        ng_reader *r = NULL;
        char err[512];
        if (ng_reader_open(&r, paths[i], opt->kind, opt->max_bytes, err, sizeof err) != NG_OK) {
            ng_progress_clear(prog);
            fprintf(stderr, "newsgraph: %s: %s\n", paths[i], err);
            failed = 1;
            continue;
        }
        ng_item it;
        int k;
        while ((k = ng_reader_next(r, &it)) > 0)
            fn(ctx, &it);
        if (k < 0) {
            ng_progress_clear(prog);
            fprintf(stderr, "newsgraph: %s: %s\n", paths[i], ng_reader_error(r));
            failed = 1;
        }
        ng_reader_free(r);
    }
    return failed;
}

static int push_cb(void *ctx, const ng_item *it)
{
    return pipeline_push(ctx, it);
}

/* The single-threaded path: no ring, no copies. */
typedef struct {
    const options *opt;
    ng_worker *w;
    pipeline *p;
} inline_ctx;

static int inline_cb(void *ctx, const ng_item *it)
{
    inline_ctx *c = ctx;
    slot s;
    memset(&s, 0, sizeof s);
    s.where = (char *)(it->where ? it->where : it->src.id);
    s.src = it->src;
    if (s.src.format == NG_FORMAT_AUTO)
        s.src.format = c->opt->format;
    s.id = (char *)it->src.id;
    if (it->rc != NG_OK) {
        s.refused = 1;
        s.msg = strdup(it->error ? it->error : ng_strerror(it->rc));
    } else {
        s.data = NULL;
        s.len = it->len;
        /* analyze straight from the reader's memory */
        ng_doc *d = NULL;
        int rc = ng_analyze(c->w, &s.src, it->data, it->len, &d);
        if (rc == NG_OK) {
            rc = ng_doc_json(d, c->opt->fields, c->opt->pretty, &s.out, &s.outlen);
            if (rc != NG_OK)
                s.msg = strdup(ng_strerror(rc));
        } else {
            s.refused = 1;
            s.msg = strdup(ng_worker_error(c->w));
        }
        ng_doc_free(d);
    }
    if (s.refused && c->opt->keep_errors && !s.out)
        ng_error_json(s.id, s.msg, &s.out, &s.outlen);
    slot_write(c->p, &s);
    free(s.out);
    free(s.msg);
    return 0;
}

typedef struct {
    char **paths;
    int npaths;
    const options *opt;
    ng_progress *prog;
    inline_ctx *ctx;
    int failed;
} inline_run;

static void *inline_main(void *arg)
{
    inline_run *r = arg;
    r->failed = read_inputs(r->paths, r->npaths, r->opt, r->prog, inline_cb, r->ctx);
    return NULL;
}

int cmd_analyze(int argc, char **argv)
{
    options opt = {NG_FIELD_DEFAULT, 0, 1, 0, 0, NG_INPUT_AUTO, NG_FORMAT_AUTO, 0};
    ng_model_options mopt;
    ng_model_options_default(&mopt);
    opt.max_bytes = mopt.max_bytes;
    enum { O_JSONL = 256, O_WARC, O_FORMAT, O_FIELDS, O_PRETTY, O_KEEP, O_MAXB };
    static const struct option longopts[] = {
        {"jsonl", no_argument, NULL, O_JSONL},        {"warc", no_argument, NULL, O_WARC},
        {"format", required_argument, NULL, O_FORMAT}, {"jobs", required_argument, NULL, 'j'},
        {"fields", required_argument, NULL, O_FIELDS}, {"pretty", no_argument, NULL, O_PRETTY},
        {"keep-errors", no_argument, NULL, O_KEEP},    {"max-bytes", required_argument, NULL, O_MAXB},
        {"quiet", no_argument, NULL, 'q'},             {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "j:qh", longopts, NULL)) != -1) {
        switch (c) {
        case O_JSONL: opt.kind = NG_INPUT_JSONL; break;
        case O_WARC: opt.kind = NG_INPUT_WARC; break;
        case O_FORMAT:
            if (strcmp(optarg, "auto") == 0)
                opt.format = NG_FORMAT_AUTO;
            else if (strcmp(optarg, "text") == 0)
                opt.format = NG_FORMAT_TEXT;
            else if (strcmp(optarg, "html") == 0)
                opt.format = NG_FORMAT_HTML;
            else {
                fprintf(stderr, "newsgraph: analyze: --format wants auto, text or html, not '%s'\n", optarg);
                return 2;
            }
            break;
        case 'j': {
            char *end;
            long n = strtol(optarg, &end, 10);
            if (*end || n < 0 || n > 256) {
                fprintf(stderr, "newsgraph: analyze: -j wants a number of threads from 0 to 256, not '%s'\n", optarg);
                return 2;
            }
            opt.jobs = n == 0 ? (int)sysconf(_SC_NPROCESSORS_ONLN) : (int)n;
            if (opt.jobs < 1)
                opt.jobs = 1;
            break;
        }
        case O_FIELDS:
            if (ng_fields_parse(optarg, &opt.fields) != NG_OK) {
                fprintf(stderr, "newsgraph: analyze: --fields: unknown field in '%s' (see --help)\n", optarg);
                return 2;
            }
            break;
        case O_PRETTY: opt.pretty = 1; break;
        case O_KEEP: opt.keep_errors = 1; break;
        case O_MAXB:
            if (parse_size(optarg, &opt.max_bytes) != 0) {
                fprintf(stderr, "newsgraph: analyze: --max-bytes wants a size such as 64M, not '%s'\n", optarg);
                return 2;
            }
            break;
        case 'q': opt.quiet = 1; break;
        case 'h': usage(stdout); return 0;
        default:
            fprintf(stderr, "newsgraph: analyze: unknown or incomplete option '%s'\n", argv[optind - 1]);
            usage(stderr);
            return 2;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "newsgraph: analyze: no input given (a file, a folder, or - for standard input)\n");
        usage(stderr);
        return 2;
    }
    mopt.max_bytes = opt.max_bytes;
    ng_model *model = NULL;
    char err[512];
    if (ng_model_new(&model, &mopt, err, sizeof err) != NG_OK) {
        fprintf(stderr, "newsgraph: %s\n", err);
        return 1;
    }
    ng_progress *prog = ng_progress_new(opt.quiet, "analyze", argv + optind, argc - optind);
    pipeline p;
    memset(&p, 0, sizeof p);
    p.opt = &opt;
    p.model = model;
    p.progress = prog;
    int read_failed;
    if (opt.jobs <= 1) {
        inline_ctx ctx = {&opt, NULL, &p};
        if (ng_worker_new(model, &ctx.w) != NG_OK) {
            fprintf(stderr, "newsgraph: out of memory\n");
            ng_model_free(model);
            ng_progress_free(prog);
            return 1;
        }
        ng_worker_set_stages(ctx.w, ng_fields_stages(opt.fields));
        inline_run run = {argv + optind, argc - optind, &opt, prog, &ctx, 0};
        /* on a thread of its own, for the same large stack the workers get */
        pthread_attr_t attr;
        pthread_t th;
        pthread_attr_init(&attr);
        pthread_attr_setstacksize(&attr, NG_STACK_SIZE);
        if (pthread_create(&th, &attr, inline_main, &run) == 0)
            pthread_join(th, NULL);
        else
            inline_main(&run);
        pthread_attr_destroy(&attr);
        read_failed = run.failed;
        ng_worker_free(ctx.w);
    } else {
        p.ring_size = (size_t)opt.jobs * RING_PER_JOB;
        p.ring = calloc(p.ring_size, sizeof *p.ring);
        pthread_t *th = calloc((size_t)opt.jobs, sizeof *th);
        pthread_t writer;
        if (!p.ring || !th) {
            fprintf(stderr, "newsgraph: out of memory\n");
            return 1;
        }
        pthread_mutex_init(&p.mu, NULL);
        pthread_cond_init(&p.cv_work, NULL);
        pthread_cond_init(&p.cv_done, NULL);
        pthread_cond_init(&p.cv_free, NULL);
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        /* deep documents (nested HTML) want more than the default stack */
        pthread_attr_setstacksize(&attr, NG_STACK_SIZE);
        int started = 0;
        for (int i = 0; i < opt.jobs; i++)
            if (pthread_create(&th[i], &attr, worker_main, &p) == 0)
                started++;
        pthread_create(&writer, NULL, writer_main, &p);
        pthread_attr_destroy(&attr);
        if (started == 0) {
            fprintf(stderr, "newsgraph: cannot start threads\n");
            return 1;
        }
        read_failed = read_inputs(argv + optind, argc - optind, &opt, prog, push_cb, &p);
        pthread_mutex_lock(&p.mu);
        p.input_done = 1;
        pthread_cond_broadcast(&p.cv_work);
        pthread_cond_broadcast(&p.cv_done);
        pthread_mutex_unlock(&p.mu);
        for (int i = 0; i < started; i++)
            pthread_join(th[i], NULL);
        pthread_join(writer, NULL);
        free(th);
        free(p.ring);
        pthread_mutex_destroy(&p.mu);
        pthread_cond_destroy(&p.cv_work);
        pthread_cond_destroy(&p.cv_done);
        pthread_cond_destroy(&p.cv_free);
    }
    ng_progress_finish(prog);
    ng_progress_free(prog);
    ng_model_free(model);
    if (fflush(stdout) != 0 || p.write_error) {
        fprintf(stderr, "newsgraph: standard output: write error\n");
        return 1;
    }
    return (p.failed || read_failed) ? 1 : 0;
}
