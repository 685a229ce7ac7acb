/*
 * ingest.c — `newsgraph ingest --db FILE PATH...`: analyzes articles with N
 * threads and stores them in a knowledge base with one writer thread.
 *
 * The main thread reads items (ng_reader) into a ring of slots; worker
 * threads analyze slots in any order (skipping raw inputs the base already
 * holds); the writer thread stores finished slots strictly in input order,
 * so that the same inputs give the same base whatever -j is.
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
    const char *db;
    int jobs;
    int quiet;
    size_t batch;
    double threshold; /* --story-threshold, 0 = the default */
    int window;       /* --story-window, 0 = the default */
    ng_input_kind kind;
    ng_format format;
    size_t max_bytes;
} options;

/* One article on its way. */
typedef struct {
    int state;        /* 0 free, 1 filled, 2 taken by a worker, 3 done */
    ng_source src;    /* strings below are owned by the slot */
    char *id, *url, *published, *lang, *charset, *where;
    char *data;
    size_t len;
    ng_doc *doc;      /* the analysis, or NULL */
    int skipped;      /* raw bytes already in the base */
    char *msg;        /* why it was refused, or NULL */
} slot;

#define RING_PER_JOB 8
#define NG_STACK_SIZE ((size_t)64 << 20)

typedef struct {
    const options *opt;
    const ng_model *model;
    ng_kb *kb;
    pthread_mutex_t kb_mu;   /* one thread at a time on kb */
    slot *ring;
    size_t ring_size;
    pthread_mutex_t mu;
    pthread_cond_t cv_work, cv_done, cv_free;
    unsigned long next_in, next_work, next_out;
    int input_done;
    int failed;    /* some article was refused */
    int fatal;     /* the base failed: stop storing */
    unsigned long added, known;
    ng_progress *progress;
} pipeline;

static void usage(FILE *f)
{
    fprintf(f,
            "usage: newsgraph ingest --db FILE [OPTIONS] PATH...\n"
            "\n"
            "Analyzes articles and stores them in a knowledge base (a SQLite file, created\n"
            "when absent): entities linked across articles and languages, articles grouped\n"
            "into stories.  An article already stored (same text or same bytes) is skipped,\n"
            "so running the same ingest again, or after an interruption, finishes the work.\n"
            "PATH is read as by 'newsgraph analyze' (files, folders, -, JSON Lines, WARC).\n"
            "\n"
            "options:\n"
            "  --db FILE          the knowledge base (required)\n"
            "  --jsonl, --warc    read every PATH as JSON Lines or WARC\n"
            "  --format FMT       auto (default), text or html: how to read single articles\n"
            "  -j, --jobs N       analyze with N threads (default 1; 0 = one per core);\n"
            "                     one thread writes to the base, in input order\n"
            "  --batch N          articles per transaction (default 100)\n"
            "  --story-threshold X  similarity (0-1) that joins an article to a story\n"
            "  --story-window D   articles more than D days apart weigh less (default 10)\n"
            "  --max-bytes N      refuse articles larger than N bytes (default 64M; K/M/G)\n"
            "  -q, --quiet        no progress display\n"
            "  -h, --help         this help\n"
            "\n"
            "Errors go to standard error, one line each: 'newsgraph: WHERE: what went wrong'.\n"
            "Exit status: 0 all articles processed, 1 some were refused, 2 usage error.\n");
}

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
    free(s->msg);
    ng_doc_free(s->doc);
    memset(s, 0, sizeof *s);
}

/* Copies a reader item into a slot.  Returns 0, or -1 out of memory. */
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

/* Analyzes one slot (unless refused already or already in the base). */
static void slot_run(pipeline *p, slot *s, ng_worker *w)
{
    if (s->msg)
        return;
    pthread_mutex_lock(&p->kb_mu);
    int has = ng_kb_has_raw(p->kb, s->data, s->len);
    pthread_mutex_unlock(&p->kb_mu);
    if (has == 1) {
        s->skipped = 1;
        return;
    }
    if (!w) {
        s->msg = strdup("out of memory");
        return;
    }
    if (ng_analyze(w, &s->src, s->data, s->len, &s->doc) != NG_OK)
        s->msg = strdup(ng_worker_error(w));
}

/* Stores a finished slot (writer thread), reporting a refusal. */
static void slot_store(pipeline *p, slot *s)
{
    if (s->doc && !p->fatal) {
        int added = 0;
        pthread_mutex_lock(&p->kb_mu);
        int rc = ng_kb_add(p->kb, s->doc, s->data, s->len, &added);
        if (rc != NG_OK) {
            ng_progress_clear(p->progress);
            fprintf(stderr, "newsgraph: %s: %s\n", s->where ? s->where : "-", ng_kb_error(p->kb));
            p->failed = 1;
            if (rc == NG_EDB || rc == NG_EIO)
                p->fatal = 1; /* the base itself is failing: later articles would fail too */
        } else if (added) {
            p->added++;
        } else {
            p->known++;
        }
        pthread_mutex_unlock(&p->kb_mu);
    } else if (s->skipped) {
        p->known++;
    }
    if (s->msg) {
        ng_progress_clear(p->progress);
        fprintf(stderr, "newsgraph: %s: %s\n", s->where ? s->where : "-", s->msg);
        p->failed = 1;
    }
    ng_progress_add(p->progress, 1, s->len, s->msg != NULL);
}

static void *worker_main(void *arg)
{
    pipeline *p = arg;
    ng_worker *w = NULL;
    if (ng_worker_new(p->model, &w) != NG_OK)
        w = NULL;
    if (w)
        ng_worker_set_stages(w, NG_STAGE_ALL);
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
        slot_run(p, s, w);
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
        slot_store(p, s);
        slot_clear(s);
        pthread_mutex_lock(&p->mu);
        p->next_out++;
        pthread_cond_broadcast(&p->cv_free);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

/* Hands one item to the threads, waiting while the ring is full. */
static int push_item(void *ctx, const ng_item *it)
{
    pipeline *p = ctx;
    pthread_mutex_lock(&p->mu);
    while (p->next_in - p->next_out >= p->ring_size)
        pthread_cond_wait(&p->cv_free, &p->mu);
    slot *s = &p->ring[p->next_in % p->ring_size];
    pthread_mutex_unlock(&p->mu);
    if (slot_fill(s, it, p->opt) != 0) {
        slot_clear(s);
        s->where = dup_or_null(it->where);
        s->msg = strdup("out of memory");
    }
    pthread_mutex_lock(&p->mu);
    p->next_in++;
    s->state = 1;
    pthread_cond_signal(&p->cv_work);
    pthread_mutex_unlock(&p->mu);
    return 0;
}

/* Reads every path into the ring.  Returns 1 when an input could not be read. */
static int read_inputs(char **paths, int npaths, pipeline *p)
{
    int failed = 0;
    for (int i = 0; i < npaths; i++) {
        ng_reader *r = NULL;
        char err[512];
        if (ng_reader_open(&r, paths[i], p->opt->kind, p->opt->max_bytes, err, sizeof err) != NG_OK) {
            ng_progress_clear(p->progress);
            fprintf(stderr, "newsgraph: %s: %s\n", paths[i], err);
            failed = 1;
            continue;
        }
        ng_item it;
        int k;
        while ((k = ng_reader_next(r, &it)) > 0)
            push_item(p, &it);
        if (k < 0) {
            ng_progress_clear(p->progress);
            fprintf(stderr, "newsgraph: %s: %s\n", paths[i], ng_reader_error(r));
            failed = 1;
        }
        ng_reader_free(r);
    }
    return failed;
}

int cmd_ingest(int argc, char **argv)
{
    options opt = {NULL, 1, 0, 100, 0, 0, NG_INPUT_AUTO, NG_FORMAT_AUTO, 0};
    ng_model_options mopt;
    ng_model_options_default(&mopt);
    opt.max_bytes = mopt.max_bytes;
    enum { O_DB = 256, O_JSONL, O_WARC, O_FORMAT, O_BATCH, O_MAXB, O_THRESH, O_WINDOW };
    static const struct option longopts[] = {
        {"db", required_argument, NULL, O_DB},        {"jsonl", no_argument, NULL, O_JSONL},
        {"warc", no_argument, NULL, O_WARC},          {"format", required_argument, NULL, O_FORMAT},
        {"jobs", required_argument, NULL, 'j'},       {"batch", required_argument, NULL, O_BATCH},
        {"max-bytes", required_argument, NULL, O_MAXB}, {"quiet", no_argument, NULL, 'q'},
        {"story-threshold", required_argument, NULL, O_THRESH},
        {"story-window", required_argument, NULL, O_WINDOW},
        {"help", no_argument, NULL, 'h'},             {NULL, 0, NULL, 0}};
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "j:qh", longopts, NULL)) != -1) {
        switch (c) {
        case O_DB: opt.db = optarg; break;
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
                fprintf(stderr, "newsgraph: ingest: --format wants auto, text or html, not '%s'\n", optarg);
                return 2;
            }
            break;
        case 'j': {
            char *end;
            long n = strtol(optarg, &end, 10);
            if (*end || n < 0 || n > 256) {
                fprintf(stderr, "newsgraph: ingest: -j wants a number of threads from 0 to 256, not '%s'\n", optarg);
                return 2;
            }
            opt.jobs = n == 0 ? (int)sysconf(_SC_NPROCESSORS_ONLN) : (int)n;
            if (opt.jobs < 1)
                opt.jobs = 1;
            break;
        }
        case O_BATCH: {
            char *end;
            long n = strtol(optarg, &end, 10);
            if (*end || n < 1 || n > 1000000) {
                fprintf(stderr, "newsgraph: ingest: --batch wants a number of articles from 1, not '%s'\n", optarg);
                return 2;
            }
            opt.batch = (size_t)n;
            break;
        }
        case O_THRESH: {
            char *end;
            double v = strtod(optarg, &end);
            if (*end || !(v > 0 && v < 1)) {
                fprintf(stderr, "newsgraph: ingest: --story-threshold wants a number between 0 and 1, not '%s'\n",
                        optarg);
                return 2;
            }
            opt.threshold = v;
            break;
        }
        case O_WINDOW: {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (*end || v < 1 || v > 100000) {
                fprintf(stderr, "newsgraph: ingest: --story-window wants a number of days from 1, not '%s'\n", optarg);
                return 2;
            }
            opt.window = (int)v;
            break;
        }
        case O_MAXB:
            if (parse_size(optarg, &opt.max_bytes) != 0) {
                fprintf(stderr, "newsgraph: ingest: --max-bytes wants a size such as 64M, not '%s'\n", optarg);
                return 2;
            }
            break;
        case 'q': opt.quiet = 1; break;
        case 'h': usage(stdout); return 0;
        default:
            fprintf(stderr, "newsgraph: ingest: unknown or incomplete option '%s'\n", argv[optind - 1]);
            usage(stderr);
            return 2;
        }
    }
    if (!opt.db) {
        fprintf(stderr, "newsgraph: ingest: no knowledge base given (--db FILE)\n");
        usage(stderr);
        return 2;
    }
    if (optind >= argc) {
        fprintf(stderr, "newsgraph: ingest: no input given (a file, a folder, or - for standard input)\n");
        usage(stderr);
        return 2;
    }
    char err[512];
    ng_kb_options kopt;
    ng_kb_options_default(&kopt);
    kopt.batch = opt.batch;
    kopt.story_threshold = opt.threshold;
    kopt.story_window_days = opt.window;
    ng_kb *kb = NULL;
    int rc = ng_kb_open(&kb, opt.db, &kopt, err, sizeof err);
    if (rc != NG_OK) {
        fprintf(stderr, "newsgraph: %s: %s\n", opt.db, err);
        return rc == NG_EUNSUPPORTED ? 2 : 1;
    }
    mopt.max_bytes = opt.max_bytes;
    ng_model *model = NULL;
    if (ng_model_new(&model, &mopt, err, sizeof err) != NG_OK) {
        fprintf(stderr, "newsgraph: %s\n", err);
        ng_kb_close(kb);
        return 1;
    }
    pipeline p;
    memset(&p, 0, sizeof p);
    p.opt = &opt;
    p.model = model;
    p.kb = kb;
    p.progress = ng_progress_new(opt.quiet, "ingest", argv + optind, argc - optind);
    p.ring_size = (size_t)opt.jobs * RING_PER_JOB;
    p.ring = calloc(p.ring_size, sizeof *p.ring);
    pthread_t *th = calloc((size_t)opt.jobs, sizeof *th);
    if (!p.ring || !th) {
        fprintf(stderr, "newsgraph: out of memory\n");
        return 1;
    }
    pthread_mutex_init(&p.kb_mu, NULL);
    pthread_mutex_init(&p.mu, NULL);
    pthread_cond_init(&p.cv_work, NULL);
    pthread_cond_init(&p.cv_done, NULL);
    pthread_cond_init(&p.cv_free, NULL);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, NG_STACK_SIZE);
    int started = 0;
    for (int i = 0; i < opt.jobs; i++)
        if (pthread_create(&th[i], &attr, worker_main, &p) == 0)
            started++;
    pthread_t writer;
    int writer_ok = pthread_create(&writer, &attr, writer_main, &p) == 0;
    pthread_attr_destroy(&attr);
    if (started == 0 || !writer_ok) {
        fprintf(stderr, "newsgraph: cannot start threads\n");
        return 1;
    }
    int read_failed = read_inputs(argv + optind, argc - optind, &p);
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
    ng_progress_finish(p.progress);
    ng_progress_free(p.progress);
    if (ng_kb_close(kb) != NG_OK) {
        fprintf(stderr, "newsgraph: %s: cannot commit the last articles\n", opt.db);
        p.failed = 1;
    }
    if (!opt.quiet)
        fprintf(stderr, "newsgraph: %s: %lu articles added, %lu already there\n", opt.db, p.added, p.known);
    ng_model_free(model);
    pthread_mutex_destroy(&p.kb_mu);
    pthread_mutex_destroy(&p.mu);
    pthread_cond_destroy(&p.cv_work);
    pthread_cond_destroy(&p.cv_done);
    pthread_cond_destroy(&p.cv_free);
    return (p.failed || read_failed) ? 1 : 0;
}
