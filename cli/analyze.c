/*
 * analyze.c — `newsgraph analyze`: articles in, one JSON record per article
 * out (JSON Lines), in input order, with N threads sharing one model (the
 * threads and the ordering are pipeline.c's).
 */
#include "cli.h"
#include "pipeline.h"

#include <errno.h>
#include <getopt.h>
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
    int write_error; /* standard output failed */
} options;

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
            "                     agencies, url, text, sentences, tokens, entities, timexes,\n"
            "                     quantities, quotes, events, all (default: all but tokens);\n"
            "                     doc is always written; stages not needed are skipped\n"
            "  --actors FILE      also code actors from this PETRARCH/TABARI actor dictionary\n"
            "  --agents FILE      also code roles from this PETRARCH/TABARI agent dictionary\n"
            "  --verbs FILE       code English verbs from this PETRARCH/TABARI verb dictionary\n"
            "                     (its verbs replace the built-in patterns of the same verbs)\n"
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

/* What a worker leaves for the writer: the record, or nothing. */
typedef struct {
    char *out;
    size_t len;
} record;

/* Worker side: analyzes the slot into its JSON record (or a message). */
static void work(void *ctx, ng_worker *w, pipe_slot *s)
{
    const options *opt = ctx;
    record *r = calloc(1, sizeof *r);
    s->result = r;
    if (!r || !w) {
        if (!s->msg)
            s->msg = strdup("out of memory");
    } else if (!s->msg) {
        ng_doc *d = NULL;
        if (ng_analyze(w, &s->src, s->data, s->len, &d) == NG_OK) {
            if (ng_doc_json(d, opt->fields, opt->pretty, &r->out, &r->len) != NG_OK)
                s->msg = strdup(ng_strerror(NG_ENOMEM));
        } else {
            s->msg = strdup(ng_worker_error(w));
        }
        ng_doc_free(d);
    }
    if (r && s->msg && opt->keep_errors && !r->out)
        ng_error_json(s->id, s->msg, &r->out, &r->len);
}

/* Writer side, in input order: prints the record. */
static void done(void *ctx, pipe_slot *s)
{
    options *opt = ctx;
    record *r = s->result;
    if (r && r->out && (fwrite(r->out, 1, r->len, stdout) != r->len || putchar('\n') == EOF))
        opt->write_error = 1;
    if (r)
        free(r->out);
    free(r);
    s->result = NULL;
}

int cmd_analyze(int argc, char **argv)
{
    options opt = {NG_FIELD_DEFAULT, 0, 1, 0, 0, NG_INPUT_AUTO, NG_FORMAT_AUTO, 0, 0};
    ng_model_options mopt;
    ng_model_options_default(&mopt);
    opt.max_bytes = mopt.max_bytes;
    enum { O_JSONL = 256, O_WARC, O_FORMAT, O_FIELDS, O_PRETTY, O_KEEP, O_MAXB, O_ACTORS, O_AGENTS, O_VERBS };
    static const struct option longopts[] = {
        {"jsonl", no_argument, NULL, O_JSONL},        {"warc", no_argument, NULL, O_WARC},
        {"format", required_argument, NULL, O_FORMAT}, {"jobs", required_argument, NULL, 'j'},
        {"fields", required_argument, NULL, O_FIELDS}, {"pretty", no_argument, NULL, O_PRETTY},
        {"keep-errors", no_argument, NULL, O_KEEP},    {"max-bytes", required_argument, NULL, O_MAXB},
        {"quiet", no_argument, NULL, 'q'},             {"help", no_argument, NULL, 'h'},
        {"actors", required_argument, NULL, O_ACTORS}, {"agents", required_argument, NULL, O_AGENTS},
        {"verbs", required_argument, NULL, O_VERBS},
        {NULL, 0, NULL, 0}};
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "j:qh", longopts, NULL)) != -1) {
        switch (c) {
        case O_JSONL: opt.kind = NG_INPUT_JSONL; break;
        case O_WARC: opt.kind = NG_INPUT_WARC; break;
        case O_FORMAT:
            if (cli_parse_format("analyze", optarg, &opt.format) != 0)
                return 2;
            break;
        case 'j':
            if (cli_parse_jobs("analyze", optarg, &opt.jobs) != 0)
                return 2;
            break;
        case O_FIELDS:
            if (ng_fields_parse(optarg, &opt.fields) != NG_OK) {
                fprintf(stderr, "newsgraph: analyze: --fields: unknown field in '%s' (see --help)\n", optarg);
                return 2;
            }
            break;
        case O_PRETTY: opt.pretty = 1; break;
        case O_KEEP: opt.keep_errors = 1; break;
        case O_MAXB:
            if (cli_parse_size("analyze", "--max-bytes", optarg, &opt.max_bytes) != 0)
                return 2;
            break;
        case 'q': opt.quiet = 1; break;
        case O_ACTORS: mopt.actors_file = optarg; break;
        case O_AGENTS: mopt.agents_file = optarg; break;
        case O_VERBS: mopt.verbs_file = optarg; break;
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
    pipe_config cfg = {opt.jobs, opt.kind, opt.format, opt.max_bytes, ng_fields_stages(opt.fields), work, done, &opt,
                       prog};
    int failed = pipe_run(model, &cfg, argv + optind, argc - optind);
    ng_progress_finish(prog);
    ng_progress_free(prog);
    ng_model_free(model);
    if (fflush(stdout) != 0 || opt.write_error) {
        fprintf(stderr, "newsgraph: standard output: write error\n");
        return 1;
    }
    return failed ? 1 : 0;
}
