/*
 * export.c — `newsgraph export --db FILE [--format json|csv|graphml]`:
 * writes the whole knowledge base.
 *
 *   json     one JSON object (documents, entities, stories, events;
 *            CONTRACT.md), as the library writes it
 *   csv      one RFC 4180 file per table (documents, entities, stories,
 *            events, event_reports) into the folder --out DIR; without
 *            --out, events.csv alone to standard output
 *   graphml  entities as nodes (type, name, articles), one directed edge
 *            per source -> target pair of entities with the number of
 *            events as weight and their root codes (for Gephi)
 *
 * csv and graphml stream the JSON export: both backends write it one row
 * (one document, entity, story or event) per line, under a line per
 * section, so each row is parsed on its own (jansson) and memory holds
 * only the entities' names and the graph's edges.
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void usage(FILE *f)
{
    fprintf(f,
            "usage: newsgraph export --db FILE [--format json|csv|graphml] [--out DIR]\n"
            "\n"
            "Writes the knowledge base.  json (the default) is one object on standard output:\n"
            "  documents  [{doc, lang, published, story, title}]\n"
            "  entities   [{id, type, name, aliases, docs}]  one per real-world thing\n"
            "  stories    [{id, docs, label, from, to}]\n"
            "  events     [{id, code, source, target, date, docs, source_actor, target_actor,\n"
            "               quad, goldstein, location, reports}]  one per real-world event\n"
            "csv: documents.csv, entities.csv, stories.csv, events.csv and event_reports.csv\n"
            "  (RFC 4180, UTF-8) in the folder --out DIR (made when missing); without --out,\n"
            "  events.csv alone on standard output.\n"
            "graphml: entities as nodes, one edge per source -> target pair of entities with\n"
            "  the number of events as weight and their root codes (Gephi, yEd, networkx).\n"
            "\n"
            "options:\n"
            "  --db FILE          the knowledge base (required; never created)\n"
            "  --format F         json, csv or graphml\n"
            "  --out DIR          (csv) the folder of the files\n"
            "  -h, --help         this help\n");
}

enum { F_JSON, F_CSV, F_GRAPHML };
enum { S_NONE, S_DOCS, S_ENTS, S_STORIES, S_EVENTS };
enum { T_DOCS, T_ENTS, T_STORIES, T_EVENTS, T_REPORTS, T_COUNT };

static const char *const table_file[T_COUNT] = {"documents.csv", "entities.csv", "stories.csv", "events.csv",
                                                "event_reports.csv"};
static const char *const table_head[T_COUNT] = {
    "doc,lang,published,story,title",
    "id,type,name,aliases,docs",
    "id,from,to,docs,label",
    "id,date,code,root,quad,goldstein,source,source_name,source_actor,target,target_name,target_actor,location,"
    "ndocs,docs",
    "event,doc,sentence,start,stop,code,trigger,negated,mood,date",
};

/* An entity's name and node state, in an open-addressing table by id. */
typedef struct {
    int64_t id; /* 0: empty */
    char *name;
} name_slot;

/* One graph edge: a source -> target pair of entities. */
typedef struct {
    int64_t source, target; /* source 0: empty */
    int64_t events;
    uint32_t roots; /* bit r: root code r (1..20) seen */
    int other;      /* a code outside 01..20 seen */
} edge_slot;

typedef struct {
    int format;
    FILE *out[T_COUNT]; /* csv: the open files (NULL: not written) */
    FILE *g;            /* graphml: the output */
    int section;
    char *line;         /* the line being assembled */
    size_t len, cap;
    name_slot *names;
    size_t nnames, capnames;
    edge_slot *edges;
    size_t nedges, capedges;
    int64_t nodes;
    char err[256];
} conv;

static uint64_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    return x ^ (x >> 33);
}

static int names_put(conv *c, int64_t id, const char *name)
{
    if ((c->nnames + 1) * 2 > c->capnames) {
        size_t nc = c->capnames ? c->capnames * 2 : 1024;
        name_slot *t = calloc(nc, sizeof *t);
        if (!t)
            return -1;
        for (size_t i = 0; i < c->capnames; i++)
            if (c->names[i].id) {
                size_t h = mix((uint64_t)c->names[i].id) & (nc - 1);
                while (t[h].id)
                    h = (h + 1) & (nc - 1);
                t[h] = c->names[i];
            }
        free(c->names);
        c->names = t;
        c->capnames = nc;
    }
    size_t h = mix((uint64_t)id) & (c->capnames - 1);
    while (c->names[h].id && c->names[h].id != id)
        h = (h + 1) & (c->capnames - 1);
    if (c->names[h].id)
        return 0;
    char *dup = strdup(name);
    if (!dup)
        return -1;
    c->names[h].id = id;
    c->names[h].name = dup;
    c->nnames++;
    return 0;
}

static const char *names_get(const conv *c, int64_t id)
{
    if (!c->capnames || !id)
        return NULL;
    size_t h = mix((uint64_t)id) & (c->capnames - 1);
    while (c->names[h].id) {
        if (c->names[h].id == id)
            return c->names[h].name;
        h = (h + 1) & (c->capnames - 1);
    }
    return NULL;
}

static edge_slot *edge_get(conv *c, int64_t s, int64_t t)
{
    if ((c->nedges + 1) * 2 > c->capedges) {
        size_t nc = c->capedges ? c->capedges * 2 : 1024;
        edge_slot *n = calloc(nc, sizeof *n);
        if (!n)
            return NULL;
        for (size_t i = 0; i < c->capedges; i++)
            if (c->edges[i].source) {
                size_t h = mix((uint64_t)c->edges[i].source * 31 + (uint64_t)c->edges[i].target) & (nc - 1);
                while (n[h].source)
                    h = (h + 1) & (nc - 1);
                n[h] = c->edges[i];
            }
        free(c->edges);
        c->edges = n;
        c->capedges = nc;
    }
    size_t h = mix((uint64_t)s * 31 + (uint64_t)t) & (c->capedges - 1);
    while (c->edges[h].source && (c->edges[h].source != s || c->edges[h].target != t))
        h = (h + 1) & (c->capedges - 1);
    if (!c->edges[h].source) {
        c->edges[h].source = s;
        c->edges[h].target = t;
        c->nedges++;
    }
    return &c->edges[h];
}

/* ---- CSV (RFC 4180) --------------------------------------------------------- */

/* Writes one field: quoted when it holds a comma, a quote, CR or LF (quotes
 * doubled); nothing for NULL. */
static void csv_field(FILE *f, const char *s, int first)
{
    if (!first)
        fputc(',', f);
    if (!s)
        return;
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

/* A JSON value as CSV text: strings as they are, numbers and booleans
 * printed, null as nothing. */
static void csv_json(FILE *f, json_t *v, int first)
{
    char tmp[64];
    if (json_is_string(v))
        csv_field(f, json_string_value(v), first);
    else if (json_is_integer(v)) {
        snprintf(tmp, sizeof tmp, "%lld", (long long)json_integer_value(v));
        csv_field(f, tmp, first);
    } else if (json_is_real(v)) {
        snprintf(tmp, sizeof tmp, "%g", json_real_value(v));
        csv_field(f, tmp, first);
    } else if (json_is_boolean(v))
        csv_field(f, json_is_true(v) ? "true" : "false", first);
    else
        csv_field(f, NULL, first);
}

/* The strings of a JSON array joined by " | " (malloc'd), for one field. */
static char *joined(json_t *arr)
{
    size_t n = 1, i;
    json_t *v;
    json_array_foreach(arr, i, v) n += strlen(json_string_value(v) ? json_string_value(v) : "") + 3;
    char *s = malloc(n);
    if (!s)
        return NULL;
    s[0] = '\0';
    json_array_foreach(arr, i, v) {
        if (i)
            strcat(s, " | ");
        strcat(s, json_string_value(v) ? json_string_value(v) : "");
    }
    return s;
}

static int csv_row(conv *c, json_t *row)
{
    FILE *f;
    switch (c->section) {
    case S_DOCS:
        if (!(f = c->out[T_DOCS]))
            return 0;
        csv_json(f, json_object_get(row, "doc"), 1);
        csv_json(f, json_object_get(row, "lang"), 0);
        csv_json(f, json_object_get(row, "published"), 0);
        csv_json(f, json_object_get(row, "story"), 0);
        csv_json(f, json_object_get(row, "title"), 0);
        break;
    case S_ENTS: {
        if (!(f = c->out[T_ENTS]))
            return 0;
        char *al = joined(json_object_get(row, "aliases"));
        if (!al)
            return -1;
        csv_json(f, json_object_get(row, "id"), 1);
        csv_json(f, json_object_get(row, "type"), 0);
        csv_json(f, json_object_get(row, "name"), 0);
        csv_field(f, al, 0);
        char n[32];
        snprintf(n, sizeof n, "%zu", json_array_size(json_object_get(row, "docs")));
        csv_field(f, n, 0);
        free(al);
        break;
    }
    case S_STORIES: {
        if (!(f = c->out[T_STORIES]))
            return 0;
        csv_json(f, json_object_get(row, "id"), 1);
        csv_json(f, json_object_get(row, "from"), 0);
        csv_json(f, json_object_get(row, "to"), 0);
        char n[32];
        snprintf(n, sizeof n, "%zu", json_array_size(json_object_get(row, "docs")));
        csv_field(f, n, 0);
        csv_json(f, json_object_get(row, "label"), 0);
        break;
    }
    case S_EVENTS: {
        json_t *code = json_object_get(row, "code");
        char root[3] = "";
        if (json_is_string(code))
            snprintf(root, sizeof root, "%s", json_string_value(code));
        if ((f = c->out[T_EVENTS])) {
            json_t *docs = json_object_get(row, "docs");
            char *dl = joined(docs);
            if (!dl)
                return -1;
            char n[32];
            csv_json(f, json_object_get(row, "id"), 1);
            csv_json(f, json_object_get(row, "date"), 0);
            csv_json(f, code, 0);
            csv_field(f, root, 0);
            csv_json(f, json_object_get(row, "quad"), 0);
            csv_json(f, json_object_get(row, "goldstein"), 0);
            json_t *src = json_object_get(row, "source"), *tgt = json_object_get(row, "target");
            csv_json(f, src, 0);
            csv_field(f, names_get(c, json_integer_value(src)), 0);
            csv_json(f, json_object_get(row, "source_actor"), 0);
            csv_json(f, tgt, 0);
            csv_field(f, names_get(c, json_integer_value(tgt)), 0);
            csv_json(f, json_object_get(row, "target_actor"), 0);
            csv_json(f, json_object_get(row, "location"), 0);
            snprintf(n, sizeof n, "%zu", json_array_size(docs));
            csv_field(f, n, 0);
            csv_field(f, dl, 0);
            free(dl);
            fputs("\r\n", f);
        }
        if ((f = c->out[T_REPORTS])) {
            size_t i;
            json_t *r;
            json_array_foreach(json_object_get(row, "reports"), i, r) {
                json_t *span = json_object_get(r, "span");
                csv_json(f, json_object_get(row, "id"), 1);
                csv_json(f, json_object_get(r, "doc"), 0);
                csv_json(f, json_object_get(r, "sentence"), 0);
                csv_json(f, json_array_get(span, 0), 0);
                csv_json(f, json_array_get(span, 1), 0);
                csv_json(f, json_object_get(r, "code"), 0);
                csv_json(f, json_object_get(r, "trigger"), 0);
                csv_json(f, json_object_get(r, "negated"), 0);
                csv_json(f, json_object_get(r, "mood"), 0);
                csv_json(f, json_object_get(r, "date"), 0);
                fputs("\r\n", f);
            }
        }
        return 0;
    }
    default: return 0;
    }
    fputs("\r\n", f);
    return 0;
}

/* ---- GraphML ------------------------------------------------------------------- */

/* Writes s as XML character data: & < > " ' escaped, characters XML 1.0
 * does not allow (C0 controls but tab, LF, CR; U+FFFE, U+FFFF) dropped. */
static void xml_text(FILE *f, const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    for (; *u; u++) {
        switch (*u) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&apos;", f); break;
        default:
            if (*u < 0x20 && *u != '\t' && *u != '\n' && *u != '\r')
                break;
            if (u[0] == 0xEF && u[1] == 0xBF && (u[2] == 0xBE || u[2] == 0xBF)) {
                u += 2;
                break;
            }
            fputc(*u, f);
        }
    }
}

static void graphml_head(FILE *f)
{
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
          "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\"\n"
          "    xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"\n"
          "    xsi:schemaLocation=\"http://graphml.graphdrawing.org/xmlns "
          "http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd\">\n"
          "  <key id=\"label\" for=\"node\" attr.name=\"label\" attr.type=\"string\"/>\n"
          "  <key id=\"type\" for=\"node\" attr.name=\"type\" attr.type=\"string\"/>\n"
          "  <key id=\"docs\" for=\"node\" attr.name=\"docs\" attr.type=\"int\"/>\n"
          "  <key id=\"weight\" for=\"edge\" attr.name=\"weight\" attr.type=\"double\"/>\n"
          "  <key id=\"codes\" for=\"edge\" attr.name=\"codes\" attr.type=\"string\"/>\n"
          "  <graph id=\"newsgraph\" edgedefault=\"directed\">\n",
          f);
}

static int graphml_row(conv *c, json_t *row)
{
    if (c->section == S_ENTS) {
        json_int_t id = json_integer_value(json_object_get(row, "id"));
        const char *name = json_string_value(json_object_get(row, "name"));
        const char *type = json_string_value(json_object_get(row, "type"));
        if (id <= 0)
            return 0;
        if (names_put(c, id, name ? name : "") != 0)
            return -1;
        fprintf(c->g, "    <node id=\"n%lld\"><data key=\"label\">", (long long)id);
        xml_text(c->g, name ? name : "");
        fputs("</data><data key=\"type\">", c->g);
        xml_text(c->g, type ? type : "");
        fprintf(c->g, "</data><data key=\"docs\">%zu</data></node>\n",
                json_array_size(json_object_get(row, "docs")));
    } else if (c->section == S_EVENTS) {
        json_int_t s = json_integer_value(json_object_get(row, "source"));
        json_int_t t = json_integer_value(json_object_get(row, "target"));
        const char *code = json_string_value(json_object_get(row, "code"));
        /* an edge joins two nodes of the graph */
        if (s <= 0 || t <= 0 || !names_get(c, s) || !names_get(c, t))
            return 0;
        edge_slot *e = edge_get(c, s, t);
        if (!e)
            return -1;
        e->events++;
        int root = code && code[0] >= '0' && code[0] <= '9' && code[1] >= '0' && code[1] <= '9'
                       ? (code[0] - '0') * 10 + (code[1] - '0')
                       : 0;
        if (root >= 1 && root <= 20)
            e->roots |= 1u << root;
        else
            e->other = 1;
    }
    return 0;
}

static int edge_cmp(const void *a, const void *b)
{
    const edge_slot *x = a, *y = b;
    if (x->source != y->source)
        return x->source < y->source ? -1 : 1;
    return x->target < y->target ? -1 : x->target > y->target;
}

static int graphml_tail(conv *c)
{
    /* the edges, by source then target */
    size_t n = 0;
    for (size_t i = 0; i < c->capedges; i++)
        if (c->edges[i].source)
            c->edges[n++] = c->edges[i];
    if (n)
        qsort(c->edges, n, sizeof *c->edges, edge_cmp);
    for (size_t i = 0; i < n; i++) {
        const edge_slot *e = &c->edges[i];
        fprintf(c->g, "    <edge id=\"e%zu\" source=\"n%lld\" target=\"n%lld\"><data key=\"weight\">%lld</data>"
                      "<data key=\"codes\">",
                i + 1, (long long)e->source, (long long)e->target, (long long)e->events);
        int k = 0;
        for (int r = 1; r <= 20; r++)
            if (e->roots & (1u << r))
                fprintf(c->g, "%s%02d", k++ ? " " : "", r);
        if (e->other)
            fprintf(c->g, "%sother", k ? " " : "");
        fputs("</data></edge>\n", c->g);
    }
    c->capedges = 0; /* compacted above: no more lookups */
    fputs("  </graph>\n</graphml>\n", c->g);
    return 0;
}

/* ---- the JSON export, line by line -------------------------------------------- */

/* One line of the export: a section's opening, or one row. */
static int take_line(conv *c, char *p, size_t n)
{
    static const struct {
        const char *head;
        int section;
    } heads[] = {{"{\"documents\":[", S_DOCS},
                 {"\"entities\":[", S_ENTS},
                 {"\"stories\":[", S_STORIES},
                 {"\"events\":[", S_EVENTS}};
    for (size_t i = 0; i < sizeof heads / sizeof *heads; i++) {
        size_t hl = strlen(heads[i].head);
        if (n >= hl && memcmp(p, heads[i].head, hl) == 0) {
            c->section = heads[i].section;
            return 0;
        }
    }
    if (!n || p[0] != '{' || c->section == S_NONE) {
        snprintf(c->err, sizeof c->err, "unexpected line in the export: %.60s", p);
        return -1;
    }
    json_error_t je;
    json_t *row = json_loadb(p, n, JSON_DISABLE_EOF_CHECK | JSON_DECODE_ANY, &je);
    if (!json_is_object(row)) {
        snprintf(c->err, sizeof c->err, "malformed export row: %s", je.text);
        json_decref(row);
        return -1;
    }
    int rc = 0;
    if (c->format == F_CSV) {
        if (c->section == S_ENTS) {
            const char *name = json_string_value(json_object_get(row, "name"));
            json_int_t id = json_integer_value(json_object_get(row, "id"));
            if (c->out[T_EVENTS] && id > 0 && names_put(c, id, name ? name : "") != 0)
                rc = -1;
        }
        if (rc == 0)
            rc = csv_row(c, row);
    } else {
        rc = graphml_row(c, row);
    }
    if (rc != 0 && !c->err[0])
        snprintf(c->err, sizeof c->err, "out of memory");
    json_decref(row);
    return rc;
}

/* The export's writer: assembles lines and hands each one on. */
static int conv_write(void *ctx, const char *p, size_t n)
{
    conv *c = ctx;
    for (size_t i = 0; i < n; i++) {
        if (p[i] != '\n') {
            if (c->len + 1 >= c->cap) {
                size_t nc = c->cap ? c->cap * 2 : 4096;
                char *nl = realloc(c->line, nc);
                if (!nl) {
                    snprintf(c->err, sizeof c->err, "out of memory");
                    return -1;
                }
                c->line = nl;
                c->cap = nc;
            }
            c->line[c->len++] = p[i];
            continue;
        }
        c->line[c->len] = '\0';
        if (take_line(c, c->line, c->len) != 0)
            return -1;
        c->len = 0;
    }
    return 0;
}

static void conv_free(conv *c)
{
    for (size_t i = 0; i < c->capnames; i++)
        free(c->names[i].name);
    free(c->names);
    free(c->edges);
    free(c->line);
}

int cmd_export(int argc, char **argv)
{
    const char *db = NULL, *outdir = NULL;
    int format = F_JSON;
    enum { O_DB = 256, O_FORMAT, O_OUT };
    static const struct option longopts[] = {{"db", required_argument, NULL, O_DB},
                                             {"format", required_argument, NULL, O_FORMAT},
                                             {"out", required_argument, NULL, O_OUT},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case O_DB: db = optarg; break;
        case O_OUT: outdir = optarg; break;
        case O_FORMAT:
            if (strcmp(optarg, "json") == 0)
                format = F_JSON;
            else if (strcmp(optarg, "csv") == 0)
                format = F_CSV;
            else if (strcmp(optarg, "graphml") == 0)
                format = F_GRAPHML;
            else {
                fprintf(stderr, "newsgraph: export: --format: json, csv or graphml, not '%s'\n", optarg);
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
    if (outdir && format != F_CSV) {
        fprintf(stderr, "newsgraph: export: --out goes with --format csv\n");
        return 2;
    }
    if (strstr(db, "://") == NULL && access(db, F_OK) != 0) {
        fprintf(stderr, "newsgraph: %s: no such knowledge base\n", db);
        return 1;
    }
    conv cv;
    memset(&cv, 0, sizeof cv);
    cv.format = format;
    cv.g = stdout;
    int status = 0;
    if (format == F_CSV) {
        if (!outdir) {
            cv.out[T_EVENTS] = stdout;
        } else {
            if (mkdir(outdir, 0777) != 0 && errno != EEXIST) {
                fprintf(stderr, "newsgraph: %s: cannot make the folder: %s\n", outdir, strerror(errno));
                return 1;
            }
            for (int t = 0; t < T_COUNT; t++) {
                char path[4096];
                snprintf(path, sizeof path, "%s/%s", outdir, table_file[t]);
                if (!(cv.out[t] = fopen(path, "w"))) {
                    fprintf(stderr, "newsgraph: %s: %s\n", path, strerror(errno));
                    for (int u = 0; u < t; u++)
                        fclose(cv.out[u]);
                    return 1;
                }
            }
        }
        for (int t = 0; t < T_COUNT; t++)
            if (cv.out[t])
                fprintf(cv.out[t], "%s\r\n", table_head[t]);
    }
    char err[512];
    ng_kb *kb = NULL;
    ng_kb_options opt;
    ng_kb_options_default(&opt);
    int rc = ng_kb_open(&kb, db, &opt, err, sizeof err);
    if (rc != NG_OK) {
        fprintf(stderr, "newsgraph: %s: %s\n", db, err);
        status = rc == NG_EUNSUPPORTED ? 2 : 1;
        goto done;
    }
    if (format == F_JSON) {
        rc = ng_kb_export_file(kb, stdout);
    } else {
        if (format == F_GRAPHML)
            graphml_head(stdout);
        rc = ng_kb_export_json(kb, conv_write, &cv);
        if (rc == NG_OK && cv.len)
            rc = conv_write(&cv, "\n", 1) == 0 ? NG_OK : NG_EFORMAT;
        if (rc == NG_OK && format == F_GRAPHML)
            graphml_tail(&cv);
    }
    if (rc != NG_OK) {
        fprintf(stderr, "newsgraph: %s: %s\n", db, cv.err[0] ? cv.err : ng_kb_error(kb));
        status = 1;
    }
    ng_kb_close(kb);
done:
    for (int t = 0; t < T_COUNT; t++)
        if (cv.out[t] && cv.out[t] != stdout && fclose(cv.out[t]) != 0 && !status) {
            fprintf(stderr, "newsgraph: %s/%s: write error\n", outdir, table_file[t]);
            status = 1;
        }
    conv_free(&cv);
    if (status == 0 && fflush(stdout) != 0) {
        fprintf(stderr, "newsgraph: standard output: write error\n");
        return 1;
    }
    return status;
}
