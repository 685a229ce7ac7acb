/*
 * ingest.c — `newsgraph ingest --db FILE PATH...`: analyzes articles with N
 * threads and stores them in a knowledge base from one thread, strictly in
 * input order (pipeline.c), so that the same inputs give the same base
 * whatever -j is.  Workers skip raw inputs the base already holds.
 */
#include "cli.h"
#include "pipeline.h"

#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int64_t now_us(clockid_t c)
{
    struct timespec ts;
    clock_gettime(c, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

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
    const char *timings; /* --timings FILE: one line per article stored */
    unsigned stages;     /* --stages: NG_STAGE_* the workers run */
} options;

/* Parses --stages LIST into NG_STAGE_* bits; -1 (message printed) when a
 * name is unknown. */
static int parse_stages(const char *list, unsigned *out)
{
    static const struct { const char *name; unsigned bit; } names[] = {
        {"entities", NG_STAGE_ENTITIES}, {"timex", NG_STAGE_TIMEX},   {"quantities", NG_STAGE_QUANTITIES},
        {"quotes", NG_STAGE_QUOTES},     {"events", NG_STAGE_EVENTS}, {"all", NG_STAGE_ALL}};
    unsigned bits = 0;
    const char *p = list;
    while (*p) {
        size_t n = strcspn(p, ",");
        size_t i = 0;
        while (i < sizeof names / sizeof *names && (strlen(names[i].name) != n || strncmp(names[i].name, p, n) != 0))
            i++;
        if (i == sizeof names / sizeof *names) {
            fprintf(stderr, "newsgraph: ingest: --stages: unknown stage '%.*s' (entities, timex, quantities, quotes, "
                            "events, all)\n", (int)n, p);
            return -1;
        }
        bits |= names[i].bit;
        p += n + (p[n] == ',');
    }
    *out = bits;
    return 0;
}

/* What the callbacks share. */
typedef struct {
    const options *opt;
    ng_kb *kb;
    pthread_mutex_t kb_mu;   /* one thread at a time on kb */
    int failed;    /* the base refused an article */
    int fatal;     /* the base failed: stop storing */
    unsigned long added, known;
    ng_progress *progress;
    FILE *timings;           /* --timings: "n wall_us cpu_us added" per article */
    unsigned long nstored;
} ingest_state;

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
            "  --actors FILE      also code actors from this PETRARCH/TABARI actor dictionary\n"
            "  --agents FILE      also code roles from this PETRARCH/TABARI agent dictionary\n"
            "  --verbs FILE       code English verbs from this PETRARCH/TABARI verb dictionary\n"
            "                     (its verbs replace the built-in patterns of the same verbs)\n"
            "  --stages LIST      analysis stages to run, comma-separated: entities, timex,\n"
            "                     quantities, quotes, events, all (default all); a reduced\n"
            "                     base for tests and benchmarks\n"
            "  --timings FILE     write one line per article given to the base: its number,\n"
            "                     microseconds spent storing it (wall, then CPU), 1 if added\n"
            "  -q, --quiet        no progress display\n"
            "  -h, --help         this help\n"
            "\n"
            "Errors go to standard error, one line each: 'newsgraph: WHERE: what went wrong'.\n"
            "Exit status: 0 all articles processed, 1 some were refused, 2 usage error.\n");
}

/* Worker side: analyzes the slot unless the base already holds its bytes
 * (s->flag then says so); the doc goes to s->result. */
static void work(void *ctx, ng_worker *w, pipe_slot *s)
{
    ingest_state *p = ctx;
    if (s->msg)
        return;
    pthread_mutex_lock(&p->kb_mu);
    int has = ng_kb_has_raw(p->kb, s->data, s->len);
    pthread_mutex_unlock(&p->kb_mu);
    if (has == 1) {
        s->flag = 1;
        return;
    }
    ng_doc *d = NULL;
    if (!w)
        s->msg = strdup("out of memory");
    else if (ng_analyze(w, &s->src, s->data, s->len, &d) != NG_OK)
        s->msg = strdup(ng_worker_error(w));
    s->result = d;
}

/* Writer side, in input order: stores the doc. */
static void done(void *ctx, pipe_slot *s)
{
    ingest_state *p = ctx;
    ng_doc *d = s->result;
    if (d && !p->fatal) {
        int added = 0;
        pthread_mutex_lock(&p->kb_mu);
        int64_t w0 = p->timings ? now_us(CLOCK_MONOTONIC) : 0, c0 = p->timings ? now_us(CLOCK_THREAD_CPUTIME_ID) : 0;
        int rc = ng_kb_add(p->kb, d, s->data, s->len, &added);
        if (p->timings)
            fprintf(p->timings, "%lu %lld %lld %d\n", ++p->nstored, (long long)(now_us(CLOCK_MONOTONIC) - w0),
                    (long long)(now_us(CLOCK_THREAD_CPUTIME_ID) - c0), rc == NG_OK && added);
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
    } else if (s->flag == 1) {
        p->known++;
    }
    ng_doc_free(d);
    s->result = NULL;
}

int cmd_ingest(int argc, char **argv)
{
    options opt = {NULL, 1, 0, 100, 0, 0, NG_INPUT_AUTO, NG_FORMAT_AUTO, 0, NULL, NG_STAGE_ALL};
    ng_model_options mopt;
    ng_model_options_default(&mopt);
    opt.max_bytes = mopt.max_bytes;
    enum { O_DB = 256, O_JSONL, O_WARC, O_FORMAT, O_BATCH, O_MAXB, O_THRESH, O_WINDOW, O_ACTORS, O_AGENTS, O_VERBS, O_TIMINGS, O_STAGES };
    static const struct option longopts[] = {
        {"db", required_argument, NULL, O_DB},        {"jsonl", no_argument, NULL, O_JSONL},
        {"warc", no_argument, NULL, O_WARC},          {"format", required_argument, NULL, O_FORMAT},
        {"jobs", required_argument, NULL, 'j'},       {"batch", required_argument, NULL, O_BATCH},
        {"max-bytes", required_argument, NULL, O_MAXB}, {"quiet", no_argument, NULL, 'q'},
        {"story-threshold", required_argument, NULL, O_THRESH},
        {"story-window", required_argument, NULL, O_WINDOW},
        {"actors", required_argument, NULL, O_ACTORS}, {"agents", required_argument, NULL, O_AGENTS},
        {"verbs", required_argument, NULL, O_VERBS},   {"timings", required_argument, NULL, O_TIMINGS},
        {"stages", required_argument, NULL, O_STAGES},
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
            if (cli_parse_format("ingest", optarg, &opt.format) != 0)
                return 2;
            break;
        case 'j':
            if (cli_parse_jobs("ingest", optarg, &opt.jobs) != 0)
                return 2;
            break;
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
            if (cli_parse_size("ingest", "--max-bytes", optarg, &opt.max_bytes) != 0)
                return 2;
            break;
        case 'q': opt.quiet = 1; break;
        case O_ACTORS: mopt.actors_file = optarg; break;
        case O_AGENTS: mopt.agents_file = optarg; break;
        case O_VERBS: mopt.verbs_file = optarg; break;
        case O_TIMINGS: opt.timings = optarg; break;
        case O_STAGES:
            if (parse_stages(optarg, &opt.stages) != 0)
                return 2;
            break;
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
    ingest_state p;
    memset(&p, 0, sizeof p);
    if (opt.timings && !(p.timings = fopen(opt.timings, "w"))) {
        fprintf(stderr, "newsgraph: ingest: cannot write --timings file '%s': %s\n", opt.timings, strerror(errno));
        ng_model_free(model);
        ng_kb_close(kb);
        return 1;
    }
    p.opt = &opt;
    p.kb = kb;
    p.progress = ng_progress_new(opt.quiet, "ingest", argv + optind, argc - optind);
    pthread_mutex_init(&p.kb_mu, NULL);
    pipe_config cfg = {opt.jobs, opt.kind, opt.format, opt.max_bytes, opt.stages, work, done, &p, p.progress};
    int failed = pipe_run(model, &cfg, argv + optind, argc - optind);
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
    if (p.timings && fclose(p.timings) != 0) {
        fprintf(stderr, "newsgraph: ingest: cannot write --timings file '%s'\n", opt.timings);
        p.failed = 1;
    }
    return (p.failed || failed) ? 1 : 0;
}
