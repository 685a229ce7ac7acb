/*
 * pipeline.c — see pipeline.h.
 *
 * With one job, a single thread reads and analyzes straight from the
 * reader's memory.  With N jobs, the calling thread reads items and copies
 * each into a slot of a ring of 8 N; workers analyze slots in any order; a
 * writer thread hands them to done strictly in sequence.  The reader waits
 * when the ring is full, so memory stays bounded whatever the input.  Every
 * analysis thread gets a 64 MiB stack, so deep documents never depend on
 * the main stack's size.
 */
#include "pipeline.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RING_PER_JOB 8
#define NG_STACK_SIZE ((size_t)64 << 20)

typedef struct {
    const pipe_config *cfg;
    const ng_model *model;
    pipe_slot *ring;
    size_t ring_size;
    pthread_mutex_t mu;
    pthread_cond_t cv_work; /* a slot was filled, or input ended */
    pthread_cond_t cv_done; /* a slot was analyzed */
    pthread_cond_t cv_free; /* a slot was handed over */
    unsigned long next_in, next_work, next_out;
    int input_done;
    int refused;            /* some slot had a message */
    char **paths;
    int npaths;
    int read_failed;
} pipe_state;

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static void slot_clear(pipe_slot *s)
{
    free(s->id);
    free(s->url);
    free(s->published);
    free(s->lang);
    free(s->charset);
    free(s->where);
    free(s->owned_data);
    free(s->msg);
    memset(s, 0, sizeof *s);
}

/* Fills s from a reader item; copy says whether the item's bytes are
 * copied (threads) or borrowed (one job).  Returns 0, or -1 when memory
 * runs out. */
static int slot_fill(pipe_slot *s, const ng_item *it, const pipe_config *cfg, int copy)
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
    s->src.format = it->src.format != NG_FORMAT_AUTO ? it->src.format : cfg->format;
    if (it->rc != NG_OK) {
        s->msg = strdup(it->error ? it->error : ng_strerror(it->rc));
        return s->msg ? 0 : -1;
    }
    s->len = it->len;
    if (!copy) {
        s->data = it->data;
        return 0;
    }
    s->owned_data = malloc(it->len ? it->len : 1);
    if (!s->owned_data)
        return -1;
    if (it->len)
        memcpy(s->owned_data, it->data, it->len);
    s->data = s->owned_data;
    return 0;
}

/* Hands a finished slot to done, reports its message, counts it. */
static void slot_finish(pipe_state *p, pipe_slot *s)
{
    p->cfg->done(p->cfg->ctx, s);
    if (s->msg) {
        ng_progress_clear(p->cfg->progress);
        fprintf(stderr, "newsgraph: %s: %s\n", s->where ? s->where : "-", s->msg);
        p->refused = 1;
    }
    ng_progress_add(p->cfg->progress, 1, s->len, s->msg != NULL);
}

/* Calls fn for every item of every path; reports unreadable inputs. */
static void read_inputs(pipe_state *p, void (*fn)(pipe_state *, const ng_item *, void *), void *arg)
{
    for (int i = 0; i < p->npaths; i++) {
        ng_reader *r = NULL;
        char err[512];
        if (ng_reader_open(&r, p->paths[i], p->cfg->kind, p->cfg->max_bytes, err, sizeof err) != NG_OK) {
            ng_progress_clear(p->cfg->progress);
            fprintf(stderr, "newsgraph: %s: %s\n", p->paths[i], err);
            p->read_failed = 1;
            continue;
        }
        ng_item it;
        int k;
        while ((k = ng_reader_next(r, &it)) > 0)
            fn(p, &it, arg);
        if (k < 0) {
            ng_progress_clear(p->cfg->progress);
            fprintf(stderr, "newsgraph: %s: %s\n", p->paths[i], ng_reader_error(r));
            p->read_failed = 1;
        }
        ng_reader_free(r);
    }
}

/* ---- one job: read, work, done on one thread ----------------------------- */

typedef struct {
    pipe_state *p;
    ng_worker *w;
} inline_run;

static void inline_item(pipe_state *p, const ng_item *it, void *arg)
{
    ng_worker *w = arg;
    pipe_slot s;
    memset(&s, 0, sizeof s);
    if (slot_fill(&s, it, p->cfg, 0) != 0 && !s.msg)
        s.msg = strdup("out of memory");
    p->cfg->work(p->cfg->ctx, w, &s);
    slot_finish(p, &s);
    s.data = NULL;
    slot_clear(&s);
}

static void *inline_main(void *arg)
{
    inline_run *r = arg;
    read_inputs(r->p, inline_item, r->w);
    return NULL;
}

/* ---- N jobs: the ring --------------------------------------------------- */

static void *worker_main(void *arg)
{
    pipe_state *p = arg;
    ng_worker *w = NULL;
    if (ng_worker_new(p->model, &w) != NG_OK)
        w = NULL;
    ng_worker_set_stages(w, p->cfg->stages);
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (p->next_work == p->next_in && !p->input_done)
            pthread_cond_wait(&p->cv_work, &p->mu);
        if (p->next_work == p->next_in && p->input_done)
            break;
        pipe_slot *s = &p->ring[p->next_work % p->ring_size];
        p->next_work++;
        s->state = 2;
        pthread_mutex_unlock(&p->mu);
        p->cfg->work(p->cfg->ctx, w, s);
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
    pipe_state *p = arg;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        pipe_slot *s = &p->ring[p->next_out % p->ring_size];
        while (!(p->next_out < p->next_in && s->state == 3) && !(p->input_done && p->next_out == p->next_in))
            pthread_cond_wait(&p->cv_done, &p->mu);
        if (p->input_done && p->next_out == p->next_in)
            break;
        pthread_mutex_unlock(&p->mu);
        slot_finish(p, s);
        slot_clear(s);
        pthread_mutex_lock(&p->mu);
        p->next_out++;
        pthread_cond_broadcast(&p->cv_free);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

/* Hands one item to the threads, waiting while the ring is full. */
static void ring_item(pipe_state *p, const ng_item *it, void *arg)
{
    (void)arg;
    pthread_mutex_lock(&p->mu);
    while (p->next_in - p->next_out >= p->ring_size)
        pthread_cond_wait(&p->cv_free, &p->mu);
    pipe_slot *s = &p->ring[p->next_in % p->ring_size];
    pthread_mutex_unlock(&p->mu);
    if (slot_fill(s, it, p->cfg, 1) != 0) {
        slot_clear(s);
        s->where = dup_or_null(it->where);
        s->msg = strdup("out of memory");
    }
    pthread_mutex_lock(&p->mu);
    p->next_in++;
    s->state = 1;
    pthread_cond_signal(&p->cv_work);
    pthread_mutex_unlock(&p->mu);
}

int pipe_run(const ng_model *m, const pipe_config *cfg, char **paths, int npaths)
{
    pipe_state p;
    memset(&p, 0, sizeof p);
    p.cfg = cfg;
    p.model = m;
    p.paths = paths;
    p.npaths = npaths;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, NG_STACK_SIZE);
    if (cfg->jobs <= 1) {
        inline_run run = {&p, NULL};
        if (ng_worker_new(m, &run.w) != NG_OK) {
            fprintf(stderr, "newsgraph: out of memory\n");
            pthread_attr_destroy(&attr);
            return 1;
        }
        ng_worker_set_stages(run.w, cfg->stages);
        pthread_t th;
        if (pthread_create(&th, &attr, inline_main, &run) == 0)
            pthread_join(th, NULL);
        else
            inline_main(&run);
        ng_worker_free(run.w);
        pthread_attr_destroy(&attr);
        return p.read_failed || p.refused;
    }
    p.ring_size = (size_t)cfg->jobs * RING_PER_JOB;
    p.ring = calloc(p.ring_size, sizeof *p.ring);
    pthread_t *th = calloc((size_t)cfg->jobs, sizeof *th);
    pthread_t writer;
    if (!p.ring || !th) {
        fprintf(stderr, "newsgraph: out of memory\n");
        free(p.ring);
        free(th);
        pthread_attr_destroy(&attr);
        return 1;
    }
    pthread_mutex_init(&p.mu, NULL);
    pthread_cond_init(&p.cv_work, NULL);
    pthread_cond_init(&p.cv_done, NULL);
    pthread_cond_init(&p.cv_free, NULL);
    int started = 0;
    for (int i = 0; i < cfg->jobs; i++)
        if (pthread_create(&th[started], &attr, worker_main, &p) == 0)
            started++;
    int writer_ok = pthread_create(&writer, NULL, writer_main, &p) == 0;
    pthread_attr_destroy(&attr);
    if (started == 0 || !writer_ok) {
        fprintf(stderr, "newsgraph: cannot start threads\n");
        p.read_failed = 1;
    } else {
        read_inputs(&p, ring_item, NULL);
    }
    pthread_mutex_lock(&p.mu);
    p.input_done = 1;
    pthread_cond_broadcast(&p.cv_work);
    pthread_cond_broadcast(&p.cv_done);
    pthread_mutex_unlock(&p.mu);
    for (int i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    if (writer_ok)
        pthread_join(writer, NULL);
    free(th);
    free(p.ring);
    pthread_mutex_destroy(&p.mu);
    pthread_cond_destroy(&p.cv_work);
    pthread_cond_destroy(&p.cv_done);
    pthread_cond_destroy(&p.cv_free);
    return p.read_failed || p.refused;
}

int cli_parse_format(const char *cmd, const char *arg, ng_format *out)
{
    if (strcmp(arg, "auto") == 0)
        *out = NG_FORMAT_AUTO;
    else if (strcmp(arg, "text") == 0)
        *out = NG_FORMAT_TEXT;
    else if (strcmp(arg, "html") == 0)
        *out = NG_FORMAT_HTML;
    else {
        fprintf(stderr, "newsgraph: %s: --format wants auto, text or html, not '%s'\n", cmd, arg);
        return 2;
    }
    return 0;
}

int cli_parse_jobs(const char *cmd, const char *arg, int *out)
{
    char *end;
    long n = strtol(arg, &end, 10);
    if (*end || end == arg || n < 0 || n > 256) {
        fprintf(stderr, "newsgraph: %s: -j wants a number of threads from 0 to 256, not '%s'\n", cmd, arg);
        return 2;
    }
    *out = n == 0 ? (int)sysconf(_SC_NPROCESSORS_ONLN) : (int)n;
    if (*out < 1)
        *out = 1;
    return 0;
}

int cli_parse_size(const char *cmd, const char *opt, const char *arg, size_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(arg, &end, 10);
    unsigned long long mul = 1;
    if (!errno && end != arg) {
        switch (*end) {
        case 'k': case 'K': mul = 1ull << 10; end++; break;
        case 'm': case 'M': mul = 1ull << 20; end++; break;
        case 'g': case 'G': mul = 1ull << 30; end++; break;
        default: break;
        }
        if (!*end && v > 0 && v <= (1ull << 40) / mul) {
            *out = (size_t)(v * mul);
            return 0;
        }
    }
    fprintf(stderr, "newsgraph: %s: %s wants a size such as 64M, not '%s'\n", cmd, opt, arg);
    return 2;
}
