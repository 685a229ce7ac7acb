/*
 * pipeline.h — what analyze and ingest share: reading inputs, analyzing
 * them with N threads that share one model, and handing the results over
 * strictly in input order; plus the options both commands parse.
 */
#ifndef NG_PIPELINE_H
#define NG_PIPELINE_H
#include "newsgraph.h"
#include "progress.h"

/* One article on its way through the pipeline. */
typedef struct {
    int state;         /* 0 free, 1 filled, 2 taken by a worker, 3 done */
    ng_source src;     /* the article's metadata (strings below) */
    char *id, *url, *published, *lang, *charset, *where; /* owned copies */
    const char *data;  /* the article's bytes (owned_data, or the reader's),
                        * valid until done returns */
    size_t len;
    char *owned_data;  /* the copy made for the threads, or NULL */
    char *msg;         /* why it was refused (malloc'd), or NULL */
    void *result;      /* the command's: set by work, used and freed by done */
    int flag;          /* the command's */
} pipe_slot;

typedef struct {
    int jobs;              /* analysis threads (1: no copies, one thread) */
    ng_input_kind kind;    /* how to read the paths */
    ng_format format;      /* for single articles whose reader did not say */
    size_t max_bytes;      /* largest article */
    unsigned stages;       /* NG_STAGE_* each worker runs */
    /* Analyzes a slot on some thread (w is NULL when a worker could not be
     * made: set s->msg).  Called for refused slots too (s->msg set). */
    void (*work)(void *ctx, ng_worker *w, pipe_slot *s);
    /* Takes a finished slot, in input order, on one thread; frees
     * s->result.  After it the pipeline reports s->msg on stderr. */
    void (*done)(void *ctx, pipe_slot *s);
    void *ctx;
    ng_progress *progress; /* may be NULL */
} pipe_config;

/* Reads every path and runs each article through work then done.  Inputs
 * that cannot be read are reported on stderr as 'newsgraph: PATH: why'.
 * Returns 1 when an input could not be read or an article was refused
 * (s->msg), 0 otherwise. */
int pipe_run(const ng_model *m, const pipe_config *cfg, char **paths, int npaths);

/* Option values both commands parse.  Each returns 0, or prints
 * 'newsgraph: CMD: ...' on stderr and returns 2 (the usage exit status). */
int cli_parse_format(const char *cmd, const char *arg, ng_format *out);
int cli_parse_jobs(const char *cmd, const char *arg, int *out);
int cli_parse_size(const char *cmd, const char *opt, const char *arg, size_t *out);
#endif
