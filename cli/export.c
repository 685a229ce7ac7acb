/*
 * export.c — `newsgraph export --db FILE`: writes the whole knowledge base
 * as one JSON object (documents, entities, stories, events; CONTRACT.md).
 */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *f)
{
    fprintf(f,
            "usage: newsgraph export --db FILE\n"
            "\n"
            "Writes the knowledge base as one JSON object to standard output:\n"
            "  documents  [{doc, lang, published, story, title}]\n"
            "  entities   [{id, type, name, aliases, docs}]  one per real-world thing\n"
            "  stories    [{id, docs, label, from, to}]\n"
            "  events     [] (not yet merged across articles)\n"
            "\n"
            "options:\n"
            "  --db FILE          the knowledge base (required; never created)\n"
            "  --format json      the only format so far\n"
            "  -h, --help         this help\n");
}

int cmd_export(int argc, char **argv)
{
    const char *db = NULL;
    enum { O_DB = 256, O_FORMAT };
    static const struct option longopts[] = {{"db", required_argument, NULL, O_DB},
                                             {"format", required_argument, NULL, O_FORMAT},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case O_DB: db = optarg; break;
        case O_FORMAT:
            if (strcmp(optarg, "json") != 0) {
                fprintf(stderr, "newsgraph: export: --format: only json is supported so far, not '%s'\n", optarg);
                return 2;
            }
            break;
        case 'h': usage(stdout); return 0;
        default:
            fprintf(stderr, "newsgraph: export: unknown or incomplete option '%s'\n", argv[optind - 1]);
            usage(stderr);
            return 2;
        }
    }
    if (!db || optind < argc) {
        fprintf(stderr, "newsgraph: export: %s\n", db ? "unexpected argument" : "no knowledge base given (--db FILE)");
        usage(stderr);
        return 2;
    }
    if (strstr(db, "://") == NULL && access(db, F_OK) != 0) {
        fprintf(stderr, "newsgraph: %s: no such knowledge base\n", db);
        return 1;
    }
    char err[512];
    ng_kb *kb = NULL;
    int rc = ng_kb_open(&kb, db, NULL, err, sizeof err);
    if (rc != NG_OK) {
        fprintf(stderr, "newsgraph: %s: %s\n", db, err);
        return rc == NG_EUNSUPPORTED ? 2 : 1;
    }
    rc = ng_kb_export_file(kb, stdout);
    if (rc != NG_OK)
        fprintf(stderr, "newsgraph: %s: %s\n", db, ng_kb_error(kb));
    ng_kb_close(kb);
    if (rc == NG_OK && fflush(stdout) != 0) {
        fprintf(stderr, "newsgraph: standard output: write error\n");
        return 1;
    }
    return rc == NG_OK ? 0 : 1;
}
