/*
 * query.c — the knowledge base's query commands:
 *
 *   newsgraph timeline --db FILE ENTITY | --story N   articles in time order
 *   newsgraph entity --db FILE NAME                   a profile
 *   newsgraph stories --db FILE                       the largest stories
 *   newsgraph search --db FILE QUERY                  full-text (FTS5) search
 *   newsgraph quotes --db FILE [--by NAME]            quotes, oldest first
 *   newsgraph events --db FILE [--entity E] [--code C]  events merged across
 *                                                     articles, oldest first
 *
 * The library answers in JSON (ng_kb_query_json); --json prints it as it
 * is, otherwise this file lays it out as a readable table (jansson).
 */
#include "cli.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *f, const char *cmd)
{
    fprintf(f,
            "usage: newsgraph timeline --db FILE [--json] ENTITY | --story N\n"
            "       newsgraph entity --db FILE [--json] NAME\n"
            "       newsgraph stories --db FILE [--json] [--limit N]\n"
            "       newsgraph search --db FILE [--json] [--limit N] QUERY\n"
            "       newsgraph quotes --db FILE [--json] [--by NAME]\n"
            "       newsgraph events --db FILE [--json] [--entity NAME|ID] [--code ROOT] [--limit N]\n"
            "\n"
            "Queries a knowledge base made by 'newsgraph ingest' (%s).  A name may be\n"
            "given in any language or form the base knows ('Parly', 'Etats-Unis', 'EI').\n"
            "QUERY uses SQLite FTS5 syntax (words, \"a phrase\", AND/OR/NOT, prefix*).\n"
            "\n"
            "options:\n"
            "  --db FILE      the knowledge base (required; never created)\n"
            "  --json         print the JSON answer instead of a table\n"
            "  --story N      (timeline) the articles of story N\n"
            "  --by NAME      (quotes) only those of this speaker\n"
            "  --entity E     (events) only those with this entity (a name, or its id) as source or target\n"
            "  --code ROOT    (events) only codes that start with these digits (04: consult, 042, ...)\n"
            "  --limit N      at most N rows (default 200 articles for an entity's timeline, in 'timeline'\n"
            "                 and 'entity', 1000 for a story's, 50 for stories, 20 for search, 100 for events)\n"
            "  -h, --help     this help\n",
            cmd);
}

static int write_buf(void *ctx, const char *p, size_t n)
{
    char **buf = ctx;
    size_t old = *buf ? strlen(*buf) : 0;
    char *nb = realloc(*buf, old + n + 1);
    if (!nb)
        return -1;
    memcpy(nb + old, p, n);
    nb[old + n] = '\0';
    *buf = nb;
    return 0;
}

/* A member as text for a table cell ("" when null). */
static const char *cell(json_t *row, const char *key, char *tmp, size_t cap)
{
    json_t *v = json_object_get(row, key);
    if (json_is_string(v))
        return json_string_value(v);
    if (json_is_integer(v)) {
        snprintf(tmp, cap, "%lld", (long long)json_integer_value(v));
        return tmp;
    }
    return "";
}

/* Prints s on one line: newlines as spaces, at most width bytes (cut on a
 * UTF-8 boundary) when width > 0. */
static void put_flat(const char *s, size_t width)
{
    size_t n = strlen(s);
    if (width && n > width) {
        n = width;
        while (n && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    for (size_t i = 0; i < n; i++)
        putchar(s[i] == '\n' || s[i] == '\t' || s[i] == '\r' ? ' ' : s[i]);
    if (width && strlen(s) > width)
        fputs("...", stdout);
}

/* One side of an event for a table: the entity's name, else the actor code, else "-". */
static const char *side(json_t *ev, const char *name, const char *actor)
{
    json_t *v = json_object_get(ev, name);
    if (json_is_string(v))
        return json_string_value(v);
    v = json_object_get(ev, actor);
    return json_is_string(v) ? json_string_value(v) : "-";
}

/* Events as rows: date, code, source -> target, number of articles, where. */
static void print_events(json_t *arr)
{
    size_t i;
    json_t *ev;
    json_array_foreach(arr, i, ev) {
        char tmp[32];
        const char *date = cell(ev, "date", tmp, sizeof tmp);
        printf("%-10s  %-4s  ", *date ? date : "-", json_string_value(json_object_get(ev, "code")));
        put_flat(side(ev, "source_name", "source_actor"), 40);
        fputs(" -> ", stdout);
        put_flat(side(ev, "target_name", "target_actor"), 40);
        printf("  (%zu article%s", json_array_size(json_object_get(ev, "docs")),
               json_array_size(json_object_get(ev, "docs")) == 1 ? "" : "s");
        json_t *loc = json_object_get(ev, "location");
        if (json_is_string(loc)) {
            fputs(", ", stdout);
            put_flat(json_string_value(loc), 40);
        }
        fputs(")\n", stdout);
    }
}

/* Prints an array of objects as rows of the given columns. */
static void print_rows(json_t *arr, const char *const *cols, const int *widths)
{
    size_t i;
    json_t *row;
    json_array_foreach(arr, i, row) {
        for (int c = 0; cols[c]; c++) {
            char tmp[32];
            const char *v = cell(row, cols[c], tmp, sizeof tmp);
            if (c)
                fputs("  ", stdout);
            if (widths[c] > 0 && cols[c + 1]) {
                size_t n = strlen(v);
                put_flat(v, (size_t)widths[c]);
                for (size_t k = n; k < (size_t)widths[c]; k++)
                    putchar(' ');
            } else {
                put_flat(v, (size_t)(widths[c] > 0 ? widths[c] : -widths[c]));
            }
        }
        putchar('\n');
    }
}

/* The end of an entity's timeline cut at the limit. */
static void print_more(json_t *rows, size_t limit, long long docs)
{
    size_t n = json_array_size(rows);
    if (docs > (long long)n)
        printf("... %lld more articles (--limit N for more than %zu)\n", docs - (long long)n, n);
    else if (docs < 0 && n == limit)
        printf("... (the first %zu articles: --limit N for more)\n", n);
}

static void print_table(ng_kb_query kind, json_t *root, size_t limit)
{
    static const char *const tl[] = {"date", "doc", "context", NULL};
    static const int tlw[] = {10, 28, -160};
    static const char *const st[] = {"date", "doc", "title", NULL};
    static const int stw[] = {10, 28, -120};
    static const char *const ss[] = {"story", "docs", "from", "to", "label", NULL};
    static const int ssw[] = {5, 4, 10, 10, -100};
    static const char *const se[] = {"doc", "date", "snippet", NULL};
    static const int sew[] = {28, 10, -160};
    static const char *const cp[] = {"docs", "type", "name", NULL};
    static const int cpw[] = {4, 4, -80};
    switch (kind) {
    case NG_KB_TIMELINE:
        print_rows(root, tl, tlw);
        print_more(root, limit, -1);
        break;
    case NG_KB_STORY: print_rows(root, st, stw); break;
    case NG_KB_STORIES: print_rows(root, ss, ssw); break;
    case NG_KB_SEARCH: print_rows(root, se, sew); break;
    case NG_KB_EVENTS: print_events(root); break;
    case NG_KB_QUOTES: {
        static const char *const qc[] = {"date", "speaker", "text", NULL};
        static const int qw[] = {10, 24, -160};
        print_rows(root, qc, qw);
        break;
    }
    case NG_KB_ENTITY: {
        json_t *e = json_array_get(json_object_get(root, "entity"), 0);
        char tmp[32];
        printf("%s (%s), named in %s articles", cell(e, "name", tmp, sizeof tmp), json_string_value(json_object_get(e, "type")),
               cell(e, "docs", tmp, sizeof tmp));
        printf(" from %s", cell(e, "from", tmp, sizeof tmp));
        printf(" to %s\n", cell(e, "to", tmp, sizeof tmp));
        size_t i;
        json_t *a;
        fputs("also: ", stdout);
        json_array_foreach(json_object_get(root, "aliases"), i, a) {
            if (i)
                fputs(", ", stdout);
            put_flat(cell(a, "name", tmp, sizeof tmp), 60);
        }
        json_t *ts = json_object_get(root, "titles");
        if (json_array_size(ts)) {
            fputs("\n\ntitles:\n", stdout);
            static const char *const tc[] = {"from", "to", "title", NULL};
            static const int tw[] = {10, 10, -100};
            print_rows(ts, tc, tw);
            fputs("\nnamed with:\n", stdout);
        } else {
            fputs("\n\nnamed with:\n", stdout);
        }
        print_rows(json_object_get(root, "counterparts"), cp, cpw);
        json_t *q = json_object_get(root, "quotes");
        if (json_array_size(q)) {
            fputs("\nquotes:\n", stdout);
            static const char *const qc[] = {"date", "text", NULL};
            static const int qw[] = {10, -160};
            print_rows(q, qc, qw);
        }
        json_t *ev = json_object_get(root, "events");
        if (json_array_size(ev)) {
            fputs("\nevents:\n", stdout);
            print_events(ev);
        }
        fputs("\ntimeline:\n", stdout);
        print_rows(json_object_get(root, "timeline"), tl, tlw);
        json_t *docs = json_object_get(e, "docs");
        print_more(json_object_get(root, "timeline"), limit, json_is_integer(docs) ? json_integer_value(docs) : -1);
        break;
    }
    }
}

/* The shared body of the four commands. */
static int run_query(int argc, char **argv, ng_kb_query kind)
{
    const char *db = NULL, *story = NULL;
    int json = 0;
    size_t limit = kind == NG_KB_STORIES ? 50 : kind == NG_KB_SEARCH ? 20 : kind == NG_KB_EVENTS ? 100 : 0;
    const char *by = NULL, *entity = NULL, *code = NULL;
    enum { O_DB = 256, O_JSON, O_STORY, O_LIMIT, O_BY, O_ENTITY, O_CODE };
    static const struct option longopts[] = {{"db", required_argument, NULL, O_DB},
                                             {"json", no_argument, NULL, O_JSON},
                                             {"story", required_argument, NULL, O_STORY},
                                             {"limit", required_argument, NULL, O_LIMIT},
                                             {"by", required_argument, NULL, O_BY},
                                             {"entity", required_argument, NULL, O_ENTITY},
                                             {"code", required_argument, NULL, O_CODE},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case O_DB: db = optarg; break;
        case O_JSON: json = 1; break;
        case O_STORY:
            if (kind != NG_KB_TIMELINE)
                goto bad;
            story = optarg;
            break;
        case O_BY:
            if (kind != NG_KB_QUOTES)
                goto bad;
            by = optarg;
            break;
        case O_ENTITY:
        case O_CODE:
            if (kind != NG_KB_EVENTS)
                goto bad;
            *(c == O_ENTITY ? &entity : &code) = optarg;
            break;
        case O_LIMIT: {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (*end || v <= 0) {
                fprintf(stderr, "newsgraph: %s: --limit wants a positive number, not '%s'\n", argv[0], optarg);
                return 2;
            }
            limit = (size_t)v;
            break;
        }
        case 'h': usage(stdout, argv[0]); return 0;
        default:
        bad:
            fprintf(stderr, "newsgraph: %s: unknown or incomplete option '%s'\n", argv[0], argv[optind - 1]);
            usage(stderr, argv[0]);
            return 2;
        }
    }
    /* the rest of the arguments, joined by spaces, is the name or query */
    char arg[1024] = "";
    for (int i = optind; i < argc; i++) {
        if (strlen(arg) + strlen(argv[i]) + 2 >= sizeof arg) {
            fprintf(stderr, "newsgraph: %s: argument too long\n", argv[0]);
            return 2;
        }
        if (i > optind)
            strcat(arg, " ");
        strcat(arg, argv[i]);
    }
    if (kind == NG_KB_TIMELINE && story) {
        if (arg[0]) {
            fprintf(stderr, "newsgraph: timeline: give an entity or --story N, not both\n");
            return 2;
        }
        kind = NG_KB_STORY;
        snprintf(arg, sizeof arg, "%s", story);
    }
    if (kind == NG_KB_QUOTES && by) {
        if (arg[0])
            goto bad;
        snprintf(arg, sizeof arg, "%s", by);
    } else if (kind == NG_KB_QUOTES && arg[0]) {
        fprintf(stderr, "newsgraph: quotes: give the speaker with --by NAME\n");
        return 2;
    }
    int needs_arg = kind != NG_KB_STORIES && kind != NG_KB_QUOTES && kind != NG_KB_EVENTS;
    if (!db || (needs_arg && !arg[0]) || ((kind == NG_KB_STORIES || kind == NG_KB_EVENTS) && arg[0])) {
        fprintf(stderr, "newsgraph: %s: %s\n", argv[0],
                !db ? "no knowledge base given (--db FILE)" : arg[0] ? "unexpected argument" : "nothing to look for");
        usage(stderr, argv[0]);
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
    char *out = NULL;
    /* an entity's timeline: its oldest 200 articles unless asked (America, named by 16,000
     * articles of 100,000, gave 1,000 rows of context, each inflating its article) */
    if (limit == 0 && (kind == NG_KB_ENTITY || (kind == NG_KB_TIMELINE && !story)))
        limit = 200;
    if (kind == NG_KB_EVENTS)
        rc = ng_kb_query_events(kb, entity, code, limit, write_buf, &out);
    else
        rc = ng_kb_query_json(kb, kind, arg, limit, write_buf, &out);
    if (rc != NG_OK) {
        fprintf(stderr, "newsgraph: %s: %s\n", db, ng_kb_error(kb));
        ng_kb_close(kb);
        free(out);
        return 1;
    }
    ng_kb_close(kb);
    if (json) {
        fputs(out ? out : "", stdout);
    } else {
        json_error_t je;
        json_t *root = json_loads(out ? out : "null", 0, &je);
        if (!root) {
            fprintf(stderr, "newsgraph: %s: malformed answer: %s\n", db, je.text);
            free(out);
            return 1;
        }
        print_table(kind, root, limit);
        json_decref(root);
    }
    free(out);
    if (fflush(stdout) != 0) {
        fprintf(stderr, "newsgraph: standard output: write error\n");
        return 1;
    }
    return 0;
}

int cmd_timeline(int argc, char **argv) { return run_query(argc, argv, NG_KB_TIMELINE); }
int cmd_entity(int argc, char **argv) { return run_query(argc, argv, NG_KB_ENTITY); }
int cmd_stories(int argc, char **argv) { return run_query(argc, argv, NG_KB_STORIES); }
int cmd_search(int argc, char **argv) { return run_query(argc, argv, NG_KB_SEARCH); }
int cmd_quotes(int argc, char **argv) { return run_query(argc, argv, NG_KB_QUOTES); }
int cmd_events(int argc, char **argv) { return run_query(argc, argv, NG_KB_EVENTS); }
