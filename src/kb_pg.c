/*
 * kb_pg.c — the PostgreSQL backend of the knowledge base (ng_kb_ops),
 * through libpq.  Opened by kb.c for a --db of the form postgresql://...
 * or postgres://... (a libpq connection URI).
 *
 * The schema is the SQLite one (kb_sqlite.c, docs/kb.md) in PostgreSQL
 * types: INTEGER row ids become bigint, BLOB bytea, REAL double precision,
 * and the FTS5 tables become tsvector columns with GIN indexes
 * (documents.fts over title and text, quotes.fts over the quote).  The
 * schema version lives in newsgraph_meta('schema'); pg_migrations[] below
 * has one entry per version, in step with kb_sqlite.c's migrations[]
 * (a static assertion checks that both know NG_KB_SCHEMA versions).
 *
 * Several ingest processes may write to one base at once.  Every write
 * transaction (one per batch of articles, kb.c) starts by taking the
 * base's transaction-level advisory lock, so writers take turns batch by
 * batch while their analysis (the costly part) runs in parallel; inside
 * the lock each statement (READ COMMITTED) sees everything the previous
 * holders committed, so entity linking and story assignment see a
 * consistent base, exactly as the single SQLite writer does.  kb.c checks
 * an article's hash again once the transaction is open, and documents.hash
 * is UNIQUE (INSERT ... ON CONFLICT), so two processes given the same
 * article store it once.  Row ids are given as max(id) + 1 under the lock,
 * which is what SQLite's rowids do, so that the same ingest gives the
 * same ids in both backends (and the document count is max(id), as in
 * SQLite).  A killed client's transaction is rolled back by the server
 * and its lock released; a rerun stores what is missing.
 *
 * Readers (export, queries) take no lock: export reads one REPEATABLE READ
 * snapshot through cursors, so it streams any size of base.
 */
#include "kb.h"

#include <libpq-fe.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

/* The base's write lock (pg_advisory_xact_lock): "ngkb" */
#define PG_LOCK_KEY "1852271458"

/* ---- schema ---------------------------------------------------------------- */

/* Version 1, as kb_sqlite.c's schema_v1. */
static const char pg_schema_v1[] =
    "CREATE TABLE documents(id bigint PRIMARY KEY, name text NOT NULL, hash bigint NOT NULL UNIQUE, lang text,"
    " published text, title text, url text, day integer, story bigint, sig bytea, ents bytea, text text NOT NULL,"
    " fts tsvector);"
    "CREATE INDEX documents_story ON documents(story);"
    "CREATE INDEX documents_name ON documents(name);"
    "CREATE INDEX documents_day ON documents(day);"
    "CREATE INDEX documents_fts ON documents USING gin(fts);"
    "CREATE TABLE raw_inputs(hash bigint PRIMARY KEY, doc bigint NOT NULL);"
    "CREATE TABLE entities(id bigint PRIMARY KEY, type text NOT NULL, name text NOT NULL,"
    " ndocs bigint NOT NULL DEFAULT 0, first_day integer, last_day integer, v_per integer NOT NULL DEFAULT 0,"
    " v_org integer NOT NULL DEFAULT 0, v_loc integer NOT NULL DEFAULT 0, v_misc integer NOT NULL DEFAULT 0);"
    "CREATE TABLE keys(kind integer NOT NULL, key text NOT NULL, entity bigint NOT NULL,"
    " PRIMARY KEY(kind, key, entity));"
    "CREATE TABLE names(entity bigint NOT NULL, name text NOT NULL, n bigint NOT NULL DEFAULT 1,"
    " PRIMARY KEY(entity, name));"
    "CREATE TABLE doc_entities(doc bigint NOT NULL, local integer NOT NULL, entity bigint NOT NULL,"
    " type text, name text, mentions integer, PRIMARY KEY(doc, local));"
    "CREATE INDEX doc_entities_entity ON doc_entities(entity, doc);"
    "CREATE TABLE mentions(doc bigint NOT NULL, local integer NOT NULL, start bigint NOT NULL,"
    " stop bigint NOT NULL, PRIMARY KEY(doc, local, start, stop));"
    "CREATE TABLE timexes(doc bigint NOT NULL, start bigint, stop bigint, type text, value text);"
    "CREATE INDEX timexes_doc ON timexes(doc);"
    "CREATE INDEX timexes_value ON timexes(value);"
    "CREATE TABLE quantities(doc bigint NOT NULL, start bigint, stop bigint, value double precision, unit text,"
    " noun text, per text);"
    "CREATE INDEX quantities_doc ON quantities(doc);"
    "CREATE TABLE quotes(id bigint PRIMARY KEY, doc bigint NOT NULL, start bigint, stop bigint,"
    " speaker_local integer, speaker bigint, cue text, direct integer, text text, fts tsvector);"
    "CREATE INDEX quotes_doc ON quotes(doc);"
    "CREATE INDEX quotes_speaker ON quotes(speaker);"
    "CREATE INDEX quotes_fts ON quotes USING gin(fts);"
    "CREATE TABLE events(id bigint PRIMARY KEY, code text NOT NULL, source bigint, target bigint,"
    " date text, day integer);"
    "CREATE INDEX events_source ON events(source, day);"
    "CREATE INDEX events_target ON events(target, day);"
    "CREATE TABLE event_reports(event bigint NOT NULL, doc bigint NOT NULL, start bigint NOT NULL, stop bigint,"
    " PRIMARY KEY(event, doc, start));"
    "CREATE TABLE terms(term bigint PRIMARY KEY, df bigint NOT NULL);"
    "CREATE TABLE postings(term bigint NOT NULL, doc bigint NOT NULL, PRIMARY KEY(term, doc));"
    "CREATE TABLE stories(id bigint PRIMARY KEY, ndocs bigint NOT NULL DEFAULT 0, first_day integer,"
    " last_day integer, sig bytea, ents bytea);";

/* Version 2, as kb_sqlite.c's schema_v2: titles and roles per article. */
static const char pg_schema_v2[] =
    "CREATE TABLE titles(doc bigint NOT NULL, local integer NOT NULL, title text NOT NULL,"
    " PRIMARY KEY(doc, local, title));";

/* Upgrades from version i to i + 1, in order (entry 0 creates version 1).
 * A new schema version appends one entry here and one to kb_sqlite.c's
 * migrations[], and raises NG_KB_SCHEMA (kb.h). */
/* Version 3, as kb_sqlite.c's schema_v3: events merged across articles. */
static const char pg_schema_v3[] =
    "ALTER TABLE events ADD COLUMN root text, ADD COLUMN source_actor text, ADD COLUMN target_actor text,"
    " ADD COLUMN quad integer, ADD COLUMN goldstein double precision, ADD COLUMN location text;"
    "CREATE INDEX events_root_sactor ON events(root, source_actor, day);"
    "CREATE INDEX events_root_tactor ON events(root, target_actor, day);"
    "ALTER TABLE event_reports ADD COLUMN code text, ADD COLUMN sentence bigint, ADD COLUMN trigger text,"
    " ADD COLUMN negated integer, ADD COLUMN mood text, ADD COLUMN date text;"
    "CREATE INDEX event_reports_doc ON event_reports(doc);";

/* Version 4, as kb_sqlite.c's schema_v4, for what PostgreSQL needs of it:
 * the indexes of the page's lists (and timexes_value, which no query
 * uses, dropped), and story_entities (the stories query's labels).  The text stays a text column
 * (PostgreSQL compresses large values itself, TOAST) and quotes keep their
 * text and tsvector. */
static const char pg_schema_v4[] =
    "CREATE INDEX stories_ndocs ON stories(ndocs DESC, id);"
    "CREATE INDEX entities_ndocs ON entities(ndocs DESC, id);"
    "CREATE INDEX events_day ON events(day, id);"
    "CREATE INDEX quotes_doc_id ON quotes(doc, id);"
    "DROP INDEX quotes_doc;"
    "DROP INDEX timexes_value;"
    "CREATE TABLE story_entities(story bigint NOT NULL, entity bigint NOT NULL, docs bigint NOT NULL,"
    " mentions bigint, PRIMARY KEY(story, entity));"
    "CREATE INDEX story_entities_rank ON story_entities(story, docs DESC, mentions DESC);"
    "INSERT INTO story_entities SELECT d.story, de.entity, count(DISTINCT de.doc), sum(de.mentions) FROM documents d"
    " JOIN doc_entities de ON de.doc=d.id WHERE d.story IS NOT NULL GROUP BY d.story, de.entity;";

/* Version 5, as kb_sqlite.c's schema_v5: the mentions folded into
 * doc_entities (start, stop, spans).  The columns are added here, then
 * migrate() packs each row's mentions (pack_mentions) and drops the table. */
static const char pg_schema_v5[] =
    "ALTER TABLE doc_entities ADD COLUMN start bigint, ADD COLUMN stop bigint, ADD COLUMN spans bytea;";

/* Version 6, as kb_sqlite.c's schema_v6: titles.entity and its index. */
static const char pg_schema_v6[] =
    "ALTER TABLE titles ADD COLUMN entity bigint;"
    "UPDATE titles t SET entity=de.entity FROM doc_entities de WHERE de.doc=t.doc AND de.local=t.local;"
    "CREATE INDEX titles_entity ON titles(entity);";

/* Version 7, as kb_sqlite.c's schema_v7: documents(id, day) (index-only
 * scans give an article's day without reading its row). */
static const char pg_schema_v7[] = "CREATE INDEX documents_id_day ON documents(id, day);"
                                   "DROP INDEX quotes_speaker;"
                                   "CREATE INDEX quotes_speaker ON quotes(speaker, doc);";

static const char *const pg_migrations[] = {pg_schema_v1, pg_schema_v2, pg_schema_v3, pg_schema_v4, pg_schema_v5,
                                            pg_schema_v6, pg_schema_v7};

_Static_assert(sizeof pg_migrations / sizeof *pg_migrations == NG_KB_SCHEMA,
               "kb_pg.c: pg_migrations[] must have one entry per schema version (NG_KB_SCHEMA in kb.h)");

/* ---- statements -------------------------------------------------------------- */

enum {
    Q_DOC_FIND, Q_RAW_FIND, Q_DOC_INSERT, Q_RAW_INSERT, Q_DOC_COUNT, Q_DOC_FEATURES, Q_DOC_STORY, Q_KEY_FIND,
    Q_KEY_ADD, Q_ENT_NEW, Q_ENT_GET, Q_ENT_RENAME, Q_ENT_SEEN, Q_NAME_ADD, Q_COOCCUR, Q_DOCENT_ADD,
    Q_ENT_DOCS, Q_TIMEX_ADD, Q_QTY_ADD, Q_QUOTE_ADD, Q_TERM_BUMP, Q_TERM_DF, Q_POSTING_ADD, Q_POSTING_DOCS,
    Q_STORY_NEW, Q_STORY_ADD, Q_STORY_FEATURES, Q_STORY_SET, Q_TITLE_ADD, Q_EV_CAND, Q_EV_NEW, Q_EV_UPDATE,
    Q_EV_REPORT, Q_EV_REPORTS_TEXT, Q_STORY_ENTS, Q_COUNT
};

/* A new row's id: the next after the largest (an index probe), as SQLite
 * gives rowids; safe because writers hold the base's lock. */
#define NEXT_ID(table) "(SELECT coalesce(max(id), 0) + 1 FROM " table ")"
/* 1 when a text parameter is the given type name, else 0 (SQLite's "?3 IS 'PER'") */
#define VOTE(p, t) "(" p "::text IS NOT DISTINCT FROM '" t "')::int"

static const char *const sql_text[Q_COUNT] = {
    [Q_DOC_FIND] = "SELECT id FROM documents WHERE hash=$1::bigint",
    [Q_RAW_FIND] = "SELECT doc FROM raw_inputs WHERE hash=$1::bigint",
    [Q_DOC_INSERT] = "INSERT INTO documents(id,name,hash,lang,published,title,url,day,sig,ents,text,fts) "
                     "VALUES(" NEXT_ID("documents") ",$1::text,$2::bigint,$3::text,$4::text,$5::text,$6::text,"
                     "$7::integer,$8::bytea,$9::bytea,$10::text,to_tsvector('simple',$11::text)) "
                     "ON CONFLICT (hash) DO NOTHING RETURNING id",
    [Q_RAW_INSERT] = "INSERT INTO raw_inputs(hash,doc) VALUES($1::bigint,$2::bigint) ON CONFLICT DO NOTHING",
    [Q_DOC_COUNT] = "SELECT coalesce(max(id), 0) FROM documents",
    [Q_DOC_FEATURES] = "SELECT sig,ents,day,story FROM documents WHERE id=$1::bigint",
    [Q_DOC_STORY] = "UPDATE documents SET story=$2::bigint WHERE id=$1::bigint",
    /* the document's entities counted into its story's (schema 4: story labels) */
    [Q_STORY_ENTS] = "INSERT INTO story_entities(story,entity,docs,mentions) SELECT $2::bigint, entity, 1, "
                     "sum(mentions) FROM doc_entities WHERE doc=$1::bigint GROUP BY entity ON CONFLICT (story, entity) "
                     "DO UPDATE SET docs=story_entities.docs+1, mentions=story_entities.mentions+excluded.mentions",
    [Q_KEY_FIND] = "SELECT e.id,e.type,e.ndocs,e.name FROM keys k JOIN entities e ON e.id=k.entity "
                   "WHERE k.kind=$1::integer AND k.key=$2::text ORDER BY e.ndocs DESC, e.id LIMIT $3::bigint",
    [Q_KEY_ADD] = "INSERT INTO keys(kind,key,entity) VALUES($1::integer,$2::text,$3::bigint) ON CONFLICT DO NOTHING",
    [Q_ENT_NEW] = "INSERT INTO entities(id,type,name,ndocs) VALUES(" NEXT_ID("entities") ",$1::text,$2::text,0) "
                  "RETURNING id",
    [Q_ENT_GET] = "SELECT id,type,ndocs,name FROM entities WHERE id=$1::bigint",
    [Q_ENT_RENAME] = "UPDATE entities SET name=$2::text WHERE id=$1::bigint",
    [Q_ENT_SEEN] = "UPDATE entities SET ndocs=ndocs+1, first_day=least(first_day,$2::integer), "
                   "last_day=greatest(last_day,$2::integer), "
                   "v_per=v_per+" VOTE("$3", "PER") ", v_org=v_org+" VOTE("$3", "ORG") ", "
                   "v_loc=v_loc+" VOTE("$3", "LOC") ", v_misc=v_misc+" VOTE("$3", "MISC") ", "
                   "type=CASE WHEN $3::text IS NULL THEN type "
                   "WHEN v_per+" VOTE("$3", "PER") ">=greatest(v_org+" VOTE("$3", "ORG") ",v_loc+" VOTE("$3", "LOC")
                   ",v_misc+" VOTE("$3", "MISC") ") THEN 'PER' "
                   "WHEN v_org+" VOTE("$3", "ORG") ">=greatest(v_loc+" VOTE("$3", "LOC") ",v_misc+"
                   VOTE("$3", "MISC") ") THEN 'ORG' "
                   "WHEN v_loc+" VOTE("$3", "LOC") ">=v_misc+" VOTE("$3", "MISC") " THEN 'LOC' ELSE 'MISC' END "
                   "WHERE id=$1::bigint",
    [Q_NAME_ADD] = "INSERT INTO names(entity,name,n) VALUES($1::bigint,$2::text,1) "
                   "ON CONFLICT (entity,name) DO UPDATE SET n=names.n+1",
    [Q_COOCCUR] = "SELECT count(*) FROM (SELECT DISTINCT doc FROM doc_entities WHERE entity=$1::bigint "
                  "ORDER BY doc DESC LIMIT 500) a WHERE EXISTS (SELECT 1 FROM doc_entities b WHERE b.doc=a.doc "
                  "AND b.entity=$2::bigint)",
    [Q_DOCENT_ADD] = "INSERT INTO doc_entities(doc,local,entity,type,name,mentions,start,stop,spans) "
                     "VALUES($1::bigint,$2::integer,$3::bigint,$4::text,$5::text,$6::integer,$7::bigint,$8::bigint,"
                     "$9::bytea) ON CONFLICT (doc,local) DO UPDATE SET entity=excluded.entity, type=excluded.type, "
                     "name=excluded.name, mentions=excluded.mentions, start=excluded.start, stop=excluded.stop, "
                     "spans=excluded.spans",
    [Q_ENT_DOCS] = "SELECT doc FROM doc_entities WHERE entity=$1::bigint ORDER BY doc DESC LIMIT $2::bigint",
    [Q_TIMEX_ADD] = "INSERT INTO timexes(doc,start,stop,type,value) "
                    "VALUES($1::bigint,$2::bigint,$3::bigint,$4::text,$5::text)",
    [Q_QTY_ADD] = "INSERT INTO quantities(doc,start,stop,value,unit,noun,per) "
                  "VALUES($1::bigint,$2::bigint,$3::bigint,$4::double precision,$5::text,$6::text,$7::text)",
    [Q_QUOTE_ADD] = "INSERT INTO quotes(id,doc,start,stop,speaker_local,speaker,cue,direct,text,fts) "
                    "VALUES(" NEXT_ID("quotes") ",$1::bigint,$2::bigint,$3::bigint,$4::integer,$5::bigint,$6::text,"
                    "$7::integer,$8::text,to_tsvector('simple',$9::text))",
    [Q_TERM_BUMP] = "INSERT INTO terms(term,df) VALUES($1::bigint,1) ON CONFLICT (term) DO UPDATE SET df=terms.df+1 "
                    "RETURNING df",
    [Q_TERM_DF] = "SELECT df FROM terms WHERE term=$1::bigint",
    [Q_POSTING_ADD] = "INSERT INTO postings(term,doc) VALUES($1::bigint,$2::bigint) ON CONFLICT DO NOTHING",
    [Q_POSTING_DOCS] = "SELECT doc FROM postings WHERE term=$1::bigint ORDER BY doc DESC LIMIT $2::bigint",
    [Q_STORY_NEW] = "INSERT INTO stories(id,ndocs,first_day,last_day) "
                    "VALUES(" NEXT_ID("stories") ",0,$1::integer,$1::integer) RETURNING id",
    [Q_STORY_ADD] = "UPDATE stories SET ndocs=ndocs+1, first_day=least(first_day,$2::integer), "
                    "last_day=greatest(last_day,$2::integer) WHERE id=$1::bigint",
    [Q_STORY_FEATURES] = "SELECT sig,ents FROM stories WHERE id=$1::bigint",
    [Q_STORY_SET] = "UPDATE stories SET sig=$2::bytea, ents=$3::bytea WHERE id=$1::bigint",
    [Q_TITLE_ADD] = "INSERT INTO titles(doc,local,title,entity) VALUES($1::bigint,$2::integer,$3::text,$4::bigint) "
                    "ON CONFLICT DO NOTHING",
    [Q_EV_CAND] = "SELECT id,code,source,target,source_actor,target_actor,date,day FROM events WHERE root=$1::text AND id IN ("
                  "SELECT id FROM events WHERE source=$4::bigint AND day BETWEEN $2::integer AND $3::integer "
                  "UNION SELECT id FROM events WHERE root=$1::text AND source_actor=$5::text AND day BETWEEN $2::integer "
                  "AND $3::integer "
                  "UNION SELECT id FROM events WHERE $6::integer=1 AND target=$4::bigint AND day BETWEEN $2::integer "
                  "AND $3::integer "
                  "UNION SELECT id FROM events WHERE $6::integer=1 AND root=$1::text AND target_actor=$5::text "
                  "AND day BETWEEN $2::integer AND $3::integer) "
                  "ORDER BY id LIMIT $7::bigint",
    [Q_EV_NEW] = "INSERT INTO events(id,code,root,source,target,source_actor,target_actor,quad,goldstein,location,date,day) "
                 "VALUES(" NEXT_ID("events") ",$1::text,CASE WHEN $11::integer=1 THEN NULL ELSE substr($1::text,1,2) END,"
                 "$2::bigint,$3::bigint,$4::text,$5::text,$6::integer,$7::double precision,$8::text,$9::text,"
                 "$10::integer) RETURNING id",
    [Q_EV_UPDATE] = "UPDATE events SET code=$2::text, quad=coalesce($3::integer,quad), "
                    "goldstein=coalesce($4::double precision,goldstein), date=$5::text, "
                    "day=$6::integer, source=coalesce(source,$7::bigint), target=coalesce(target,$8::bigint), "
                    "source_actor=coalesce(source_actor,$9::text), target_actor=coalesce(target_actor,$10::text), "
                    "location=coalesce(location,$11::text) WHERE id=$1::bigint",
    [Q_EV_REPORT] = "INSERT INTO event_reports(event,doc,start,stop,code,sentence,trigger,negated,mood,date) "
                    "VALUES($1::bigint,$2::bigint,$3::bigint,$4::bigint,$5::text,$6::bigint,$7::text,$8::integer,"
                    "$9::text,$10::text) ON CONFLICT DO NOTHING",
    [Q_EV_REPORTS_TEXT] = "SELECT r.event,r.doc,d.name,r.code,r.sentence,r.start,r.stop,r.trigger,r.negated,r.mood,r.date,"
                          "substring(convert_to(d.text, 'UTF8') FROM (r.start + 1)::int FOR least(r.stop - r.start, 600)::int) "
                          "FROM event_reports r JOIN documents d ON d.id=r.doc WHERE r.event=$1::bigint "
                          "ORDER BY r.doc, r.start",
};

/* The story features of a stored document, kept after a first read: story
 * assignment reads those of up to 100 recent articles per new one, the same
 * ones again and again, and each read is a round trip to the server.  Only
 * documents that have their story are kept: those never change (the story is
 * set in the transaction that stores the document, and nothing is deleted).
 * A rollback empties the cache, since the ids of undone rows are given again. */
#define DOC_CACHE 4096
typedef struct {
    ng_id doc; /* 0: empty */
    ng_id story;
    int32_t day;
    ng_kb_term *sig, *ents;
    size_t nsig, nents;
} doc_entry;

typedef struct {
    ng_kb_store base; /* must come first */
    PGconn *db;
    char prepared[Q_COUNT]; /* statement i is prepared as "ngq<i>" */
    int in_tx;              /* a write transaction is open */
    int last_rc;            /* the code of the last failure of run() */
    doc_entry *cache;       /* DOC_CACHE entries, by doc id modulo; or NULL */
} kbpg;

static void cache_clear(kbpg *k)
{
    for (size_t i = 0; k->cache && i < DOC_CACHE; i++) {
        free(k->cache[i].sig);
        free(k->cache[i].ents);
        memset(&k->cache[i], 0, sizeof k->cache[i]);
    }
}

/* A malloc'd copy of n terms (NULL for none); 0, or -1 when out of memory. */
static int terms_dup(const ng_kb_term *v, size_t n, ng_kb_term **out)
{
    *out = NULL;
    if (!n)
        return 0;
    *out = malloc(n * sizeof *v);
    if (!*out)
        return -1;
    memcpy(*out, v, n * sizeof *v);
    return 0;
}

/* The parameters of one statement: text (format 0) or binary (format 1). */
#define MAX_PARAMS 12
typedef struct {
    int n;
    const char *v[MAX_PARAMS];
    int len[MAX_PARAMS];
    int fmt[MAX_PARAMS];
    char num[MAX_PARAMS][32];
} params;

static void p_int(params *p, int64_t x)
{
    snprintf(p->num[p->n], sizeof p->num[p->n], "%lld", (long long)x);
    p->v[p->n] = p->num[p->n];
    p->len[p->n] = 0;
    p->fmt[p->n++] = 0;
}

static void p_null(params *p)
{
    p->v[p->n] = NULL;
    p->len[p->n] = 0;
    p->fmt[p->n++] = 0;
}

/* A NUL-terminated string, as is ("" stays ""). */
static void p_str(params *p, const char *s)
{
    p->v[p->n] = s;
    p->len[p->n] = 0;
    p->fmt[p->n++] = 0;
}

/* A string, NULL when absent or empty (kb_sqlite.c's bind_text). */
static void p_text(params *p, const char *s)
{
    if (s && *s)
        p_str(p, s);
    else
        p_null(p);
}

/* n bytes sent as they are (bytea, or text without a terminating NUL). */
static void p_bin(params *p, const void *b, size_t n)
{
    p->v[p->n] = b ? b : "";
    p->len[p->n] = (int)n;
    p->fmt[p->n++] = 1;
}

static void p_day(params *p, int32_t day)
{
    if (day == NG_KB_NODAY)
        p_null(p);
    else
        p_int(p, day);
}

static void p_double(params *p, double x)
{
    if (isnan(x))
        snprintf(p->num[p->n], sizeof p->num[p->n], "NaN");
    else if (isinf(x))
        snprintf(p->num[p->n], sizeof p->num[p->n], "%sInfinity", x < 0 ? "-" : "");
    else
        snprintf(p->num[p->n], sizeof p->num[p->n], "%.17g", x);
    p->v[p->n] = p->num[p->n];
    p->len[p->n] = 0;
    p->fmt[p->n++] = 0;
}

/* libpq's message on one line (it spreads some over several). */
static void one_line(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == ' '))
        s[--n] = '\0';
    for (char *c = s; *c; c++)
        if (*c == '\n' || *c == '\t' || *c == '\r')
            *c = ' ';
}

/* Records PostgreSQL's message (from r, else the connection's); returns
 * NG_EDB, or NG_ENOMEM when libpq ran out of memory. */
static int pgfail(kbpg *k, const PGresult *r, const char *what)
{
    const char *m = r ? PQresultErrorMessage(r) : NULL;
    if (!m || !*m)
        m = PQerrorMessage(k->db);
    int oom = !r && PQstatus(k->db) == CONNECTION_OK;
    ng_kb_store_fail(&k->base, oom ? NG_ENOMEM : NG_EDB, "%s: %s", what, m && *m ? m : "out of memory");
    one_line(k->base.err);
    k->last_rc = oom ? NG_ENOMEM : NG_EDB;
    return k->last_rc;
}

/* Runs one SQL text (no parameters); NG_OK when it succeeded. */
static int pexec(kbpg *k, const char *sql, const char *what)
{
    PGresult *r = PQexec(k->db, sql);
    ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    int rc = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ? NG_OK : pgfail(k, r, what);
    PQclear(r);
    return rc;
}

/* Runs prepared statement q with p; returns the result (the caller
 * PQclears it), or NULL with the error set. */
static PGresult *run(kbpg *k, int q, const params *p, const char *what)
{
    if (!k->prepared[q]) {
        char name[16];
        snprintf(name, sizeof name, "ngq%d", q);
        PGresult *r = PQprepare(k->db, name, sql_text[q], 0, NULL);
        if (!r || PQresultStatus(r) != PGRES_COMMAND_OK) {
            pgfail(k, r, "prepare");
            PQclear(r);
            return NULL;
        }
        PQclear(r);
        k->prepared[q] = 1;
    }
    char name[16];
    snprintf(name, sizeof name, "ngq%d", q);
    PGresult *r = PQexecPrepared(k->db, name, p->n, p->v, p->len, p->fmt, 0);
    ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        pgfail(k, r, what);
        PQclear(r);
        return NULL;
    }
    return r;
}

/* Runs q, whose rows are ignored. */
static int run_none(kbpg *k, int q, const params *p, const char *what)
{
    PGresult *r = run(k, q, p, what);
    if (!r)
        return k->last_rc;
    PQclear(r);
    return NG_OK;
}

static int64_t col_int(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? 0 : strtoll(PQgetvalue(r, row, col), NULL, 10);
}

/* Runs q, whose first row's first column is an integer: *out gets it, or
 * dflt when there is no row (or it is NULL). */
static int run_int(kbpg *k, int q, const params *p, int64_t dflt, int64_t *out, const char *what)
{
    *out = dflt;
    PGresult *r = run(k, q, p, what);
    if (!r)
        return k->last_rc;
    if (PQntuples(r) > 0 && !PQgetisnull(r, 0, 0))
        *out = col_int(r, 0, 0);
    PQclear(r);
    return NG_OK;
}

/* ---- full-text words ------------------------------------------------------- */

/* Appends the words of s[0..n) to b as FTS5's unicode61 tokenizer sees
 * them: runs of letters and digits, case folded, accents removed, one
 * space between words; at most cap bytes in all (a tsvector holds less
 * than 1 MB of words) and words of at most 200 bytes.  Bytes that are not
 * UTF-8 separate words. */
static void fts_words(ng_buf *b, const char *s, size_t n, size_t cap)
{
    const utf8proc_uint8_t *u = (const utf8proc_uint8_t *)s;
    size_t i = 0, word = 0; /* bytes of the current word */
    while (i < n && b->len < cap && !b->oom) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate(u + i, (utf8proc_ssize_t)(n - i), &cp);
        if (k <= 0) {
            i++;
            word = 0;
            continue;
        }
        i += (size_t)k;
        utf8proc_category_t c = utf8proc_category(cp);
        if (c == UTF8PROC_CATEGORY_MN || c == UTF8PROC_CATEGORY_MC || c == UTF8PROC_CATEGORY_ME)
            continue; /* a combining accent: part of the word, dropped */
        int alnum = (c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO) ||
                    (c >= UTF8PROC_CATEGORY_ND && c <= UTF8PROC_CATEGORY_NO) || c == UTF8PROC_CATEGORY_CO;
        if (!alnum) {
            word = 0;
            continue;
        }
        utf8proc_int32_t d[16];
        int bound = 0;
        utf8proc_ssize_t nd = utf8proc_decompose_char(
            cp, d, 16, UTF8PROC_DECOMPOSE | UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK | UTF8PROC_COMPAT, &bound);
        if (nd < 0 || nd > 16) {
            d[0] = cp;
            nd = 1;
        }
        for (utf8proc_ssize_t j = 0; j < nd; j++) {
            /* compatibility forms may bring ASCII punctuation ("⑴" is "(1)"): not word characters */
            if (d[j] < 128 && !((d[j] >= '0' && d[j] <= '9') || (d[j] >= 'a' && d[j] <= 'z') ||
                                (d[j] >= 'A' && d[j] <= 'Z')))
                continue;
            utf8proc_uint8_t enc[4];
            utf8proc_ssize_t ne = utf8proc_encode_char(d[j], enc);
            if (ne <= 0 || word + (size_t)ne > 200)
                continue;
            if (word == 0 && b->len)
                ng_buf_putc(b, ' ');
            ng_buf_put(b, enc, (size_t)ne);
            word += (size_t)ne;
        }
    }
    if (!b->len)
        ng_buf_puts(b, ""); /* a NUL-terminated string even when empty */
}

#define FTS_CAP 1000000

/* Writes the words of s[0..n) as a tsquery phrase ('a' <-> 'b'), the last
 * one a prefix when prefix; nothing when s has no word. */
static void fts_phrase(ng_buf *out, const char *s, size_t n, int prefix)
{
    ng_buf w;
    ng_buf_init(&w);
    fts_words(&w, s, n, FTS_CAP);
    if (w.oom)
        out->oom = 1;
    ng_buf_putc(out, '(');
    for (size_t a = 0; a < w.len;) {
        size_t e = a;
        while (e < w.len && w.p[e] != ' ')
            e++;
        if (a)
            ng_buf_puts(out, " <-> ");
        ng_buf_putc(out, '\'');
        ng_buf_put(out, w.p + a, e - a);
        ng_buf_putc(out, '\'');
        if (prefix && e == w.len)
            ng_buf_puts(out, ":*");
        a = e < w.len ? e + 1 : e;
    }
    ng_buf_putc(out, ')');
    ng_buf_free(&w);
}

/* Whether s[0..n) has a word fts_words would keep. */
static int fts_has_word(const char *s, size_t n)
{
    ng_buf w;
    ng_buf_init(&w);
    fts_words(&w, s, n, 1);
    int has = w.len > 0;
    ng_buf_free(&w);
    return has;
}

/* Translates a search in FTS5's syntax (words, "phrases", prefix*, AND, OR,
 * NOT, parentheses; juxtaposition is AND) into a tsquery over the words
 * fts_words makes.  NOT binds tighter than AND, AND than OR, as in FTS5.
 * Returns 0, or -1 with a message in err. */
static int fts_query(const char *q, ng_buf *out, char *err, size_t errlen)
{
    size_t n = strlen(q), i = 0;
    int depth = 0;
    const char *join = NULL; /* what goes before the next operand; NULL: none may (group start) */
    int need = 0;            /* an operator waits for its right-hand side */
    while (i < n) {
        char c = q[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            i++;
            continue;
        }
        if (c == ')') {
            if (need || !join || !depth) {
                snprintf(err, errlen, "syntax error near ')'");
                return -1;
            }
            ng_buf_putc(out, ')');
            depth--;
            i++;
            continue;
        }
        if (c == '(') {
            if (join)
                ng_buf_puts(out, join);
            ng_buf_putc(out, '(');
            depth++;
            join = NULL;
            need = 0;
            i++;
            continue;
        }
        const char *p;
        size_t len;
        ng_buf lit;
        ng_buf_init(&lit);
        if (c == '"') { /* a "quoted phrase" ("" is a quote inside it) */
            size_t j = i + 1;
            for (;; j++) {
                if (j >= n) {
                    ng_buf_free(&lit);
                    snprintf(err, errlen, "unterminated string");
                    return -1;
                }
                if (q[j] == '"' && j + 1 < n && q[j + 1] == '"')
                    j++;
                else if (q[j] == '"')
                    break;
                ng_buf_putc(&lit, q[j]);
            }
            i = j + 1;
            p = lit.p ? lit.p : "";
            len = lit.len;
        } else { /* a bare word, or an operator */
            size_t j = i;
            while (j < n && !strchr(" \t\n\r()\"", q[j]))
                j++;
            p = q + i;
            len = j - i;
            i = j;
            const char *op = len == 3 && memcmp(p, "AND", 3) == 0   ? " & "
                             : len == 2 && memcmp(p, "OR", 2) == 0  ? " | "
                             : len == 3 && memcmp(p, "NOT", 3) == 0 ? " & !"
                                                                     : NULL;
            if (op) {
                if (!join || need) {
                    snprintf(err, errlen, "syntax error near \"%.*s\"", (int)len, p);
                    return -1;
                }
                join = op;
                need = 1;
                continue;
            }
            if (memchr(p, ':', len) || (len >= 4 && memcmp(p, "NEAR", 4) == 0 && (len == 4 || p[4] == '('))) {
                snprintf(err, errlen, "\"%.*s\": column filters and NEAR are not supported here", (int)len, p);
                return -1;
            }
        }
        int prefix = i < n && q[i] == '*' ? (i++, 1) : 0;
        if (!prefix && c != '"' && len && p[len - 1] == '*')
            prefix = 1, len--;
        if (fts_has_word(p, len)) { /* punctuation alone: nothing to find, as in FTS5 */
            if (join)
                ng_buf_puts(out, join);
            fts_phrase(out, p, len, prefix);
            join = " & ";
            need = 0;
        }
        ng_buf_free(&lit);
    }
    if (need || depth || (out->len && !join)) {
        snprintf(err, errlen, "%s", depth ? "unbalanced parentheses" : "an operator without its right-hand side");
        return -1;
    }
    if (!out->len) {
        snprintf(err, errlen, "no word to search for");
        return -1;
    }
    return 0;
}

/* ---- write operations ------------------------------------------------------ */

static void op_close(ng_kb_store *s)
{
    kbpg *k = (kbpg *)s;
    if (!k)
        return;
    if (k->db) {
        if (k->in_tx)
            PQclear(PQexec(k->db, "ROLLBACK"));
        PQfinish(k->db);
    }
    cache_clear(k);
    free(k->cache);
    free(k);
}

static int op_begin(ng_kb_store *s)
{
    kbpg *k = (kbpg *)s;
    if (k->in_tx)
        return NG_OK;
    int rc = pexec(k, "BEGIN ISOLATION LEVEL READ COMMITTED", "begin");
    if (rc != NG_OK)
        return rc;
    /* writers take turns: wait for the base's lock (held to the commit) */
    if ((rc = pexec(k, "SELECT pg_advisory_xact_lock(" PG_LOCK_KEY ")", "lock the base")) != NG_OK) {
        PQclear(PQexec(k->db, "ROLLBACK"));
        return rc;
    }
    k->in_tx = 1;
    return NG_OK;
}

static int op_commit(ng_kb_store *s)
{
    kbpg *k = (kbpg *)s;
    if (!k->in_tx)
        return NG_OK;
    PGresult *r = PQexec(k->db, "COMMIT");
    /* a COMMIT of a failed transaction "succeeds" as a ROLLBACK */
    int ok = r && PQresultStatus(r) == PGRES_COMMAND_OK && strcmp(PQcmdStatus(r), "COMMIT") == 0;
    int rc = ok ? NG_OK : r && PQresultStatus(r) == PGRES_COMMAND_OK
                              ? ng_kb_store_fail(s, NG_EDB, "commit: the transaction had failed and was rolled back")
                              : pgfail(k, r, "commit");
    PQclear(r);
    k->in_tx = 0; /* committed, or rolled back by the server */
    if (rc != NG_OK)
        cache_clear(k);
    return rc;
}

static int op_doc_tx(ng_kb_store *s, int what)
{
    kbpg *k = (kbpg *)s;
    if (what == NG_TX_MARK)
        return pexec(k, "SAVEPOINT article", "savepoint");
    if (what == NG_TX_KEEP)
        return pexec(k, "RELEASE SAVEPOINT article", "release savepoint");
    cache_clear(k);
    int rc = pexec(k, "ROLLBACK TO SAVEPOINT article", "roll back the article");
    return rc == NG_OK ? pexec(k, "RELEASE SAVEPOINT article", "release savepoint") : rc;
}

static int op_doc_find(ng_kb_store *s, int64_t hash, int raw, ng_id *doc)
{
    params p = {0};
    p_int(&p, hash);
    return run_int((kbpg *)s, raw ? Q_RAW_FIND : Q_DOC_FIND, &p, 0, doc, "find document");
}

static int op_doc_insert(ng_kb_store *s, const ng_kb_docrow *row, ng_id *doc)
{
    kbpg *k = (kbpg *)s;
    const char *text = row->text ? row->text : "";
    if (memchr(text, '\0', row->text_len))
        return ng_kb_store_fail(s, NG_EDB, "store document: the text holds a NUL byte, which PostgreSQL refuses");
    ng_buf words;
    ng_buf_init(&words);
    if (row->title)
        fts_words(&words, row->title, strlen(row->title), FTS_CAP);
    if (words.len)
        ng_buf_putc(&words, ' ');
    fts_words(&words, text, row->text_len, FTS_CAP);
    if (words.oom) {
        ng_buf_free(&words);
        return ng_kb_store_fail(s, NG_ENOMEM, "out of memory");
    }
    params p = {0};
    p_str(&p, row->name ? row->name : "-");
    p_int(&p, row->hash);
    p_text(&p, row->lang);
    p_text(&p, row->published);
    p_text(&p, row->title);
    p_text(&p, row->url);
    p_day(&p, row->day);
    if (row->sig_len)
        p_bin(&p, row->sig, row->sig_len);
    else
        p_null(&p);
    if (row->ents_len)
        p_bin(&p, row->ents, row->ents_len);
    else
        p_null(&p);
    p_bin(&p, text, row->text_len);
    p_str(&p, words.p);
    PGresult *r = run(k, Q_DOC_INSERT, &p, "store document");
    ng_buf_free(&words);
    if (!r)
        return k->last_rc;
    if (PQntuples(r) != 1) {
        PQclear(r);
        return ng_kb_store_fail(s, NG_EDB, "store document: another process stored the same text meanwhile");
    }
    *doc = col_int(r, 0, 0);
    PQclear(r);
    if (row->raw_hash) {
        params q = {0};
        p_int(&q, row->raw_hash);
        p_int(&q, *doc);
        return run_none(k, Q_RAW_INSERT, &q, "store raw hash");
    }
    return NG_OK;
}

static int op_doc_count(ng_kb_store *s, int64_t *n)
{
    params p = {0};
    return run_int((kbpg *)s, Q_DOC_COUNT, &p, 0, n, "count documents");
}

/* Copies a bytea column of ng_kb_term into a malloc'd array. */
static int copy_terms(const PGresult *r, int col, ng_kb_term **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (PQgetisnull(r, 0, col))
        return NG_OK;
    size_t len = 0;
    unsigned char *b = PQunescapeBytea((const unsigned char *)PQgetvalue(r, 0, col), &len);
    if (!b)
        return NG_ENOMEM;
    if (len >= sizeof(ng_kb_term)) {
        *n = len / sizeof(ng_kb_term);
        *out = malloc(*n * sizeof(ng_kb_term));
        if (!*out) {
            *n = 0;
            PQfreemem(b);
            return NG_ENOMEM;
        }
        memcpy(*out, b, *n * sizeof(ng_kb_term));
    }
    PQfreemem(b);
    return NG_OK;
}

/* Reads columns sig, ents of the first row of r (features of a document or a story). */
static int read_features(kbpg *k, const PGresult *r, ng_kb_term **sig, size_t *nsig, ng_kb_term **ents,
                         size_t *nents)
{
    int e1 = copy_terms(r, 0, sig, nsig);
    int e2 = copy_terms(r, 1, ents, nents);
    if (e1 == NG_OK && e2 == NG_OK)
        return NG_OK;
    free(*sig);
    free(*ents);
    *sig = *ents = NULL;
    *nsig = *nents = 0;
    return ng_kb_store_fail(&k->base, NG_ENOMEM, "out of memory");
}

static int op_doc_features(ng_kb_store *s, ng_id doc, ng_kb_term **sig, size_t *nsig, ng_kb_term **ents,
                           size_t *nents, int32_t *day, ng_id *story)
{
    kbpg *k = (kbpg *)s;
    *sig = *ents = NULL;
    *nsig = *nents = 0;
    *day = NG_KB_NODAY;
    *story = 0;
    doc_entry *c = k->cache ? &k->cache[(uint64_t)doc % DOC_CACHE] : NULL;
    if (c && c->doc == doc && doc) {
        if (terms_dup(c->sig, c->nsig, sig) != 0 || terms_dup(c->ents, c->nents, ents) != 0) {
            free(*sig);
            *sig = NULL;
            return ng_kb_store_fail(s, NG_ENOMEM, "out of memory");
        }
        *nsig = c->nsig;
        *nents = c->nents;
        *day = c->day;
        *story = c->story;
        return NG_OK;
    }
    params p = {0};
    p_int(&p, doc);
    PGresult *r = run(k, Q_DOC_FEATURES, &p, "read document");
    if (!r)
        return k->last_rc;
    int rc = NG_OK;
    if (PQntuples(r) > 0) {
        rc = read_features(k, r, sig, nsig, ents, nents);
        if (!PQgetisnull(r, 0, 2))
            *day = (int32_t)col_int(r, 0, 2);
        *story = col_int(r, 0, 3);
    }
    PQclear(r);
    if (rc == NG_OK && *story && doc) {
        if (!k->cache)
            k->cache = calloc(DOC_CACHE, sizeof *k->cache);
        c = k->cache ? &k->cache[(uint64_t)doc % DOC_CACHE] : NULL;
        if (c) { /* a full memory only means no cache */
            free(c->sig);
            free(c->ents);
            memset(c, 0, sizeof *c);
            if (terms_dup(*sig, *nsig, &c->sig) == 0 && terms_dup(*ents, *nents, &c->ents) == 0) {
                c->doc = doc;
                c->story = *story;
                c->day = *day;
                c->nsig = *nsig;
                c->nents = *nents;
            } else {
                free(c->sig);
                c->sig = NULL;
            }
        }
    }
    return rc;
}

static int op_doc_set_story(ng_kb_store *s, ng_id doc, ng_id story)
{
    params p = {0};
    p_int(&p, doc);
    p_int(&p, story);
    int rc = run_none((kbpg *)s, Q_DOC_STORY, &p, "set story");
    return rc == NG_OK ? run_none((kbpg *)s, Q_STORY_ENTS, &p, "count story entities") : rc;
}

/* Fills a candidate from columns id, type, ndocs, name of row i. */
static void read_cand(const PGresult *r, int i, ng_kb_cand *c)
{
    c->id = col_int(r, i, 0);
    snprintf(c->type, sizeof c->type, "%s", PQgetisnull(r, i, 1) ? "MISC" : PQgetvalue(r, i, 1));
    c->ndocs = col_int(r, i, 2);
    snprintf(c->name, sizeof c->name, "%s", PQgetvalue(r, i, 3));
}

static int op_key_find(ng_kb_store *s, int kind, const char *key, ng_kb_cand *out, size_t max, size_t *n)
{
    kbpg *k = (kbpg *)s;
    *n = 0;
    params p = {0};
    p_int(&p, kind);
    p_str(&p, key);
    p_int(&p, (int64_t)max);
    PGresult *r = run(k, Q_KEY_FIND, &p, "find key");
    if (!r)
        return k->last_rc;
    for (int i = 0; i < PQntuples(r) && *n < max; i++)
        read_cand(r, i, &out[(*n)++]);
    PQclear(r);
    return NG_OK;
}

static int op_key_add(ng_kb_store *s, int kind, const char *key, ng_id entity)
{
    params p = {0};
    p_int(&p, kind);
    p_str(&p, key);
    p_int(&p, entity);
    return run_none((kbpg *)s, Q_KEY_ADD, &p, "add key");
}

/* Runs q, which returns the new row's id. */
static int run_new(kbpg *k, int q, const params *p, ng_id *id, const char *what)
{
    int64_t v = 0;
    int rc = run_int(k, q, p, 0, &v, what);
    if (rc == NG_OK)
        *id = v;
    return rc;
}

static int op_entity_new(ng_kb_store *s, const char *type, const char *name, ng_id *id)
{
    params p = {0};
    p_str(&p, type ? type : "MISC");
    p_str(&p, name ? name : "");
    return run_new((kbpg *)s, Q_ENT_NEW, &p, id, "new entity");
}

static int op_entity_get(ng_kb_store *s, ng_id id, ng_kb_cand *out)
{
    kbpg *k = (kbpg *)s;
    memset(out, 0, sizeof *out);
    params p = {0};
    p_int(&p, id);
    PGresult *r = run(k, Q_ENT_GET, &p, "read entity");
    if (!r)
        return k->last_rc;
    if (PQntuples(r) > 0)
        read_cand(r, 0, out);
    PQclear(r);
    return NG_OK;
}

static int op_entity_rename(ng_kb_store *s, ng_id id, const char *name)
{
    params p = {0};
    p_int(&p, id);
    p_str(&p, name);
    return run_none((kbpg *)s, Q_ENT_RENAME, &p, "rename entity");
}

static int op_entity_seen(ng_kb_store *s, ng_id id, int32_t day, const char *type)
{
    params p = {0};
    p_int(&p, id);
    p_day(&p, day);
    p_text(&p, type);
    return run_none((kbpg *)s, Q_ENT_SEEN, &p, "count entity");
}

static int op_name_add(ng_kb_store *s, ng_id entity, const char *surface)
{
    params p = {0};
    p_int(&p, entity);
    p_str(&p, surface);
    return run_none((kbpg *)s, Q_NAME_ADD, &p, "add name");
}

static int op_cooccur(ng_kb_store *s, ng_id a, ng_id b, int64_t *n)
{
    params p = {0};
    p_int(&p, a);
    p_int(&p, b);
    return run_int((kbpg *)s, Q_COOCCUR, &p, 0, n, "co-occurrence");
}

static int op_docent_add(ng_kb_store *s, ng_id doc, uint32_t local, ng_id entity, const char *type, const char *name,
                         uint32_t nmentions, const uint32_t *spans, size_t nspans)
{
    params p = {0};
    p_int(&p, doc);
    p_int(&p, (int32_t)local);
    p_int(&p, entity);
    p_text(&p, type);
    p_text(&p, name);
    p_int(&p, (int32_t)nmentions);
    if (nspans) {
        p_int(&p, spans[0]);
        p_int(&p, spans[1]);
    } else {
        p_null(&p);
        p_null(&p);
    }
    unsigned char packed[480], *out = packed, *z = NULL;
    if (nspans > 1) {
        if (NG_KB_SPANS_MAX(nspans) > sizeof packed && !(out = z = malloc(NG_KB_SPANS_MAX(nspans))))
            return ng_kb_store_fail(s, NG_ENOMEM, "out of memory");
        p_bin(&p, out, ng_kb_spans_pack(spans, nspans, out));
    } else {
        p_null(&p);
    }
    int rc = run_none((kbpg *)s, Q_DOCENT_ADD, &p, "store document entity");
    free(z);
    return rc;
}

/* Runs q of one integer column with $1 = key, $2 = max into out[]. */
static int ids_query(kbpg *k, int q, int64_t key, ng_id *out, size_t max, size_t *n)
{
    *n = 0;
    params p = {0};
    p_int(&p, key);
    p_int(&p, (int64_t)max);
    PGresult *r = run(k, q, &p, "read index");
    if (!r)
        return k->last_rc;
    for (int i = 0; i < PQntuples(r) && *n < max; i++)
        out[(*n)++] = col_int(r, i, 0);
    PQclear(r);
    return NG_OK;
}

static int op_entity_docs(ng_kb_store *s, ng_id entity, ng_id *out, size_t max, size_t *n)
{
    return ids_query((kbpg *)s, Q_ENT_DOCS, entity, out, max, n);
}

static int op_timex_add(ng_kb_store *s, ng_id doc, uint32_t start, uint32_t end, const char *type, const char *value)
{
    params p = {0};
    p_int(&p, doc);
    p_int(&p, start);
    p_int(&p, end);
    p_text(&p, type);
    p_text(&p, value);
    return run_none((kbpg *)s, Q_TIMEX_ADD, &p, "store timex");
}

static int op_quantity_add(ng_kb_store *s, ng_id doc, uint32_t start, uint32_t end, double value, const char *unit,
                           const char *noun, const char *per)
{
    params p = {0};
    p_int(&p, doc);
    p_int(&p, start);
    p_int(&p, end);
    p_double(&p, value);
    p_text(&p, unit);
    p_text(&p, noun);
    p_text(&p, per);
    return run_none((kbpg *)s, Q_QTY_ADD, &p, "store quantity");
}

static int op_quote_add(ng_kb_store *s, ng_id doc, uint32_t start, uint32_t end, uint32_t speaker_local,
                        ng_id speaker, const char *cue, int direct, const char *text)
{
    ng_buf words;
    ng_buf_init(&words);
    if (text && *text)
        fts_words(&words, text, strlen(text), FTS_CAP);
    if (words.oom) {
        ng_buf_free(&words);
        return ng_kb_store_fail(s, NG_ENOMEM, "out of memory");
    }
    params p = {0};
    p_int(&p, doc);
    p_int(&p, start);
    p_int(&p, end);
    if (speaker_local)
        p_int(&p, (int32_t)speaker_local);
    else
        p_null(&p);
    if (speaker)
        p_int(&p, speaker);
    else
        p_null(&p);
    p_text(&p, cue);
    p_int(&p, direct);
    p_text(&p, text);
    if (text && *text)
        p_str(&p, words.p);
    else
        p_null(&p);
    int rc = run_none((kbpg *)s, Q_QUOTE_ADD, &p, "store quote");
    ng_buf_free(&words);
    return rc;
}

static int op_term_bump(ng_kb_store *s, uint32_t term, int64_t *df)
{
    params p = {0};
    p_int(&p, term);
    return run_int((kbpg *)s, Q_TERM_BUMP, &p, 1, df, "count term");
}

static int op_term_df(ng_kb_store *s, uint32_t term, int64_t *df)
{
    params p = {0};
    p_int(&p, term);
    return run_int((kbpg *)s, Q_TERM_DF, &p, 0, df, "read term");
}

static int op_posting_add(ng_kb_store *s, uint32_t term, ng_id doc)
{
    params p = {0};
    p_int(&p, term);
    p_int(&p, doc);
    return run_none((kbpg *)s, Q_POSTING_ADD, &p, "store posting");
}

static int op_posting_docs(ng_kb_store *s, uint32_t term, ng_id *out, size_t max, size_t *n)
{
    return ids_query((kbpg *)s, Q_POSTING_DOCS, term, out, max, n);
}

static int op_story_new(ng_kb_store *s, int32_t day, ng_id *id)
{
    params p = {0};
    p_day(&p, day);
    return run_new((kbpg *)s, Q_STORY_NEW, &p, id, "new story");
}

static int op_story_add(ng_kb_store *s, ng_id story, int32_t day)
{
    params p = {0};
    p_int(&p, story);
    p_day(&p, day);
    return run_none((kbpg *)s, Q_STORY_ADD, &p, "grow story");
}

static int op_story_features(ng_kb_store *s, ng_id story, ng_kb_term **sig, size_t *nsig, ng_kb_term **ents,
                             size_t *nents)
{
    kbpg *k = (kbpg *)s;
    *sig = *ents = NULL;
    *nsig = *nents = 0;
    params p = {0};
    p_int(&p, story);
    PGresult *r = run(k, Q_STORY_FEATURES, &p, "read story");
    if (!r)
        return k->last_rc;
    int rc = PQntuples(r) > 0 ? read_features(k, r, sig, nsig, ents, nents) : NG_OK;
    PQclear(r);
    return rc;
}

static int op_story_set_features(ng_kb_store *s, ng_id story, const ng_kb_term *sig, size_t nsig,
                                 const ng_kb_term *ents, size_t nents)
{
    params p = {0};
    p_int(&p, story);
    if (nsig)
        p_bin(&p, sig, nsig * sizeof *sig);
    else
        p_null(&p);
    if (nents)
        p_bin(&p, ents, nents * sizeof *ents);
    else
        p_null(&p);
    return run_none((kbpg *)s, Q_STORY_SET, &p, "store story centroid");
}

static int op_title_add(ng_kb_store *s, ng_id doc, uint32_t local, ng_id entity, const char *title)
{
    params p = {0};
    p_int(&p, doc);
    p_int(&p, (int32_t)local);
    p_str(&p, title);
    p_int(&p, entity);
    return run_none((kbpg *)s, Q_TITLE_ADD, &p, "store title");
}

/* ---- events ------------------------------------------------------------------ */

static void col_copy(const PGresult *r, int row, int col, char *out, size_t cap)
{
    snprintf(out, cap, "%s", PQgetisnull(r, row, col) ? "" : PQgetvalue(r, row, col));
}

static int op_event_candidates(ng_kb_store *s, const char *root, int32_t lo, int32_t hi, ng_id source,
                               const char *source_actor, ng_id target, const char *target_actor, int sym,
                               ng_kb_evcand *out, size_t max, size_t *n)
{
    (void)target;
    (void)target_actor;
    kbpg *k = (kbpg *)s;
    *n = 0;
    params p = {0};
    p_str(&p, root);
    p_int(&p, lo);
    p_int(&p, hi);
    p_int(&p, source);
    p_text(&p, source_actor);
    p_int(&p, sym != 0);
    p_int(&p, (int64_t)max);
    PGresult *r = run(k, Q_EV_CAND, &p, "find events");
    if (!r)
        return k->last_rc;
    for (int i = 0; i < PQntuples(r) && *n < max; i++) {
        ng_kb_evcand *c = &out[(*n)++];
        c->id = col_int(r, i, 0);
        col_copy(r, i, 1, c->code, sizeof c->code);
        c->source = col_int(r, i, 2);
        c->target = col_int(r, i, 3);
        col_copy(r, i, 4, c->source_actor, sizeof c->source_actor);
        col_copy(r, i, 5, c->target_actor, sizeof c->target_actor);
        col_copy(r, i, 6, c->date, sizeof c->date);
        c->day = PQgetisnull(r, i, 7) ? NG_KB_NODAY : (int32_t)col_int(r, i, 7);
    }
    PQclear(r);
    return NG_OK;
}

static void p_id(params *p, ng_id id)
{
    if (id)
        p_int(p, id);
    else
        p_null(p);
}

/* QuadClass and Goldstein value, both NULL when unknown. */
static void p_quad(params *p, const ng_kb_evrow *ev)
{
    if (ev->quad > 0) {
        p_int(p, ev->quad);
        p_double(p, ev->goldstein);
    } else {
        p_null(p);
        p_null(p);
    }
}

static int op_event_new(ng_kb_store *s, const ng_kb_evrow *ev, ng_id *id)
{
    params p = {0};
    p_str(&p, ev->code);
    p_id(&p, ev->source);
    p_id(&p, ev->target);
    p_text(&p, ev->source_actor);
    p_text(&p, ev->target_actor);
    p_quad(&p, ev);
    p_text(&p, ev->location);
    p_text(&p, ev->date);
    p_day(&p, ev->day);
    p_int(&p, ev->alone != 0);
    return run_new((kbpg *)s, Q_EV_NEW, &p, id, "store event");
}

static int op_event_update(ng_kb_store *s, ng_id id, const ng_kb_evrow *ev)
{
    params p = {0};
    p_int(&p, id);
    p_str(&p, ev->code);
    p_quad(&p, ev);
    p_text(&p, ev->date);
    p_day(&p, ev->day);
    p_id(&p, ev->source);
    p_id(&p, ev->target);
    p_text(&p, ev->source_actor);
    p_text(&p, ev->target_actor);
    p_text(&p, ev->location);
    return run_none((kbpg *)s, Q_EV_UPDATE, &p, "merge event");
}

static int op_event_report_add(ng_kb_store *s, ng_id event, ng_id doc, const ng_kb_evreport *r)
{
    params p = {0};
    p_int(&p, event);
    p_int(&p, doc);
    p_int(&p, r->start);
    p_int(&p, r->stop);
    p_text(&p, r->code);
    p_int(&p, r->sentence);
    p_text(&p, r->trigger);
    p_int(&p, r->negated != 0);
    p_text(&p, r->mood);
    p_text(&p, r->date);
    return run_none((kbpg *)s, Q_EV_REPORT, &p, "store event report");
}

static const char *pg_str(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col);
}

/* An event from columns id, code, source, target, source_actor,
 * target_actor, quad, goldstein, location, date, day[, source name, target
 * name] of a row. */
static void read_event(const PGresult *r, int row, ng_kb_evread *ev, int names)
{
    memset(ev, 0, sizeof *ev);
    ev->id = col_int(r, row, 0);
    ev->code = pg_str(r, row, 1);
    ev->source = col_int(r, row, 2);
    ev->target = col_int(r, row, 3);
    ev->source_actor = pg_str(r, row, 4);
    ev->target_actor = pg_str(r, row, 5);
    ev->quad = (int)col_int(r, row, 6);
    ev->goldstein = PQgetisnull(r, row, 7) ? 0 : strtod(PQgetvalue(r, row, 7), NULL);
    ev->location = pg_str(r, row, 8);
    ev->date = pg_str(r, row, 9);
    ev->day = PQgetisnull(r, row, 10) ? NG_KB_NODAY : (int32_t)col_int(r, row, 10);
    if (names) {
        ev->source_name = pg_str(r, row, 11);
        ev->target_name = pg_str(r, row, 12);
    }
}

/* Adds the report of columns event, doc, name, code, sentence, start, stop,
 * trigger, negated, mood, date[, text (bytea)] of a row to ev. */
static int add_report(kbpg *k, const PGresult *r, int row, ng_kb_evread *ev, size_t *cap, int text)
{
    ng_kb_evread_report rep = {
        .doc_id = col_int(r, row, 1),
        .doc = pg_str(r, row, 2),
        .code = pg_str(r, row, 3),
        .sentence = col_int(r, row, 4),
        .start = col_int(r, row, 5),
        .stop = col_int(r, row, 6),
        .trigger = pg_str(r, row, 7),
        .negated = (int)col_int(r, row, 8),
        .mood = pg_str(r, row, 9),
        .date = pg_str(r, row, 10),
    };
    unsigned char *b = NULL;
    if (text && !PQgetisnull(r, row, 11)) {
        size_t n = 0;
        b = PQunescapeBytea((const unsigned char *)PQgetvalue(r, row, 11), &n);
        if (!b)
            return ng_kb_store_fail(&k->base, NG_ENOMEM, "out of memory");
        rep.text = (const char *)b;
        rep.text_len = n;
    }
    int rc = ng_kb_evread_add(ev, cap, &rep);
    PQfreemem(b);
    return rc == NG_OK ? NG_OK : ng_kb_store_fail(&k->base, NG_ENOMEM, "out of memory");
}

static int op_event_rows(ng_kb_store *s, const ng_kb_evfilter *f, int (*each)(void *ctx, const ng_kb_evread *ev),
                         void *ctx)
{
    kbpg *k = (kbpg *)s;
    static const unsigned int types[4] = {20 /* int8 */, 25 /* text */, 20, 20};
    params p = {0};
    p_int(&p, f->query ? f->entity : 0);
    p_str(&p, f->query && f->root ? f->root : "");
    p_int(&p, f->query && f->limit ? (int64_t)f->limit : INT64_MAX);
    p_int(&p, f->query ? f->doc : 0);
    PGresult *r = PQexecParams(
        k->db,
        f->query ? "SELECT e.id, e.code, e.source, e.target, e.source_actor, e.target_actor, e.quad, e.goldstein, "
                   "e.location, e.date, e.day, se.name, te.name FROM events e LEFT JOIN entities se ON se.id=e.source "
                   "LEFT JOIN entities te ON te.id=e.target WHERE ($1 = 0 OR e.id IN (SELECT id FROM events WHERE "
                   "source=$1 UNION SELECT id FROM events WHERE target=$1)) AND ($2 = '' OR substr(e.code, 1, "
                   "length($2))=$2) AND ($4 = 0 OR e.id IN (SELECT event FROM event_reports WHERE doc=$4)) "
                   "ORDER BY e.day IS NULL, e.day, e.id LIMIT $3"
                 : "SELECT e.id, e.code, e.source, e.target, e.source_actor, e.target_actor, e.quad, e.goldstein, "
                   "e.location, e.date, e.day FROM events e WHERE $1 = $1 AND $2 = $2 AND $4 = $4 ORDER BY e.id LIMIT $3",
        4, types, p.v, p.len, p.fmt, 0);
    if (!r || PQresultStatus(r) != PGRES_TUPLES_OK) {
        int rc = pgfail(k, r, "read events");
        PQclear(r);
        return rc;
    }
    int rc = NG_OK;
    size_t cap = 0;
    for (int i = 0; i < PQntuples(r) && rc == NG_OK; i++) {
        ng_kb_evread ev;
        read_event(r, i, &ev, f->query);
        params q = {0};
        p_int(&q, ev.id);
        PGresult *rr = run(k, Q_EV_REPORTS_TEXT, &q, "read event reports");
        if (!rr) {
            rc = k->last_rc;
            break;
        }
        for (int j = 0; j < PQntuples(rr) && rc == NG_OK; j++)
            rc = add_report(k, rr, j, &ev, &cap, f->query);
        PQclear(rr);
        if (rc == NG_OK && (rc = each(ctx, &ev)) != NG_OK && !s->err[0])
            ng_kb_store_fail(s, rc, "%s", ng_strerror(rc));
        ng_kb_evread_clear(&ev, &cap);
    }
    PQclear(r);
    return rc;
}

/* ---- output ---------------------------------------------------------------- */

/* JSON output, handed to the caller's writer in pieces of 64 KiB. */
typedef struct {
    ng_buf b;
    int (*write)(void *ctx, const char *p, size_t n);
    void *ctx;
    int failed;
} out_t;

static void out_flush(out_t *o, int force)
{
    if (!o->b.len || o->failed || (!force && o->b.len < 65536))
        return;
    if (o->write(o->ctx, o->b.p, o->b.len) != 0)
        o->failed = 1;
    ng_buf_reset(&o->b);
}

/* The end of an output: NG_OK, or the error of a full memory or a failed write. */
static int out_end(kbpg *k, out_t *o, int rc)
{
    if (rc == NG_OK && o->b.oom)
        rc = ng_kb_store_fail(&k->base, NG_ENOMEM, "out of memory");
    if (rc == NG_OK) {
        out_flush(o, 1);
        if (o->failed)
            rc = ng_kb_store_fail(&k->base, NG_EIO, "write error");
    }
    ng_buf_free(&o->b);
    return rc;
}

/* Writes a text value as a JSON string, or null. */
static void out_str(out_t *o, const PGresult *r, int row, int col)
{
    if (PQgetisnull(r, row, col))
        ng_buf_puts(&o->b, "null");
    else
        ng_buf_json_str(&o->b, PQgetvalue(r, row, col), (size_t)PQgetlength(r, row, col));
}

/* Type oids of pg_type.h that are written as JSON numbers or booleans. */
enum { OID_BOOL = 16, OID_BYTEA = 17, OID_INT8 = 20, OID_INT2 = 21, OID_INT4 = 23, OID_FLOAT4 = 700,
       OID_FLOAT8 = 701, OID_NUMERIC = 1700 };

/* Writes a value as JSON by its column type, as kb_sqlite.c's out_value:
 * numbers as numbers, bytea as text cut at byte offsets (partial UTF-8
 * sequences at its ends dropped). */
static void out_value(out_t *o, const PGresult *r, int row, int col)
{
    if (PQgetisnull(r, row, col)) {
        ng_buf_puts(&o->b, "null");
        return;
    }
    const char *v = PQgetvalue(r, row, col);
    switch (PQftype(r, col)) {
    case OID_INT2:
    case OID_INT4:
    case OID_INT8:
    case OID_NUMERIC: ng_buf_puts(&o->b, v); break;
    case OID_FLOAT4:
    case OID_FLOAT8: {
        char *end;
        double x = strtod(v, &end);
        if (*end || !isfinite(x))
            ng_buf_puts(&o->b, "null");
        else
            ng_buf_printf(&o->b, "%.17g", x);
        break;
    }
    case OID_BOOL: ng_buf_puts(&o->b, *v == 't' ? "true" : "false"); break;
    case OID_BYTEA: {
        size_t n = 0;
        unsigned char *b = PQunescapeBytea((const unsigned char *)v, &n);
        if (!b) {
            o->b.oom = 1;
            break;
        }
        const unsigned char *p = b;
        while (n && (*p & 0xC0) == 0x80)
            p++, n--;
        size_t k = n;
        while (k && (p[k - 1] & 0xC0) == 0x80)
            k--;
        if (k && p[k - 1] >= 0xC0) /* a lead byte whose sequence was cut */
            n = k - 1;
        ng_buf_json_str(&o->b, (const char *)p, n);
        PQfreemem(b);
        break;
    }
    default: out_str(o, r, row, col); break;
    }
}

/* ---- export ---------------------------------------------------------------- */

/* A server-side cursor read 1,000 rows at a time. */
typedef struct {
    kbpg *k;
    char name[16];
    PGresult *r;
    int row, rows;
    int end;
} cursor;

static int cur_open(kbpg *k, cursor *c, const char *name, const char *sql)
{
    memset(c, 0, sizeof *c);
    c->k = k;
    c->row = -1;
    snprintf(c->name, sizeof c->name, "%s", name);
    ng_buf b;
    ng_buf_init(&b);
    ng_buf_printf(&b, "DECLARE %s NO SCROLL CURSOR FOR %s", name, sql);
    if (b.oom) {
        ng_buf_free(&b);
        return ng_kb_store_fail(&k->base, NG_ENOMEM, "out of memory");
    }
    int rc = pexec(k, b.p, "export");
    ng_buf_free(&b);
    return rc;
}

/* Moves to the next row: 1 when there is one, 0 at the end, or an error code. */
static int cur_next(cursor *c)
{
    if (c->end)
        return 0;
    if (c->r && ++c->row < c->rows)
        return 1;
    PQclear(c->r);
    c->r = NULL;
    char sql[64];
    snprintf(sql, sizeof sql, "FETCH FORWARD 1000 FROM %s", c->name);
    c->r = PQexec(c->k->db, sql);
    if (!c->r || PQresultStatus(c->r) != PGRES_TUPLES_OK) {
        int rc = pgfail(c->k, c->r, "export");
        PQclear(c->r);
        c->r = NULL;
        c->end = 1;
        return rc;
    }
    c->rows = PQntuples(c->r);
    c->row = 0;
    if (!c->rows) {
        c->end = 1;
        return 0;
    }
    return 1;
}

static int64_t cur_int(const cursor *c, int col)
{
    return col_int(c->r, c->row, col);
}

/* Writes as a JSON array of strings the column 1 values of the rows of c
 * whose column 0 is key (c is ordered by column 0; rows with a smaller key
 * are skipped).  *have says whether c holds an unread row. */
static int out_group(out_t *o, cursor *c, int *have, int64_t key)
{
    ng_buf_putc(&o->b, '[');
    int first = 1;
    while (*have == 1 && cur_int(c, 0) <= key) {
        if (cur_int(c, 0) == key) {
            if (!first)
                ng_buf_putc(&o->b, ',');
            first = 0;
            out_str(o, c->r, c->row, 1);
        }
        *have = cur_next(c);
    }
    ng_buf_putc(&o->b, ']');
    return *have < 0 ? *have : NG_OK;
}

/* The export's queries, as kb_sqlite.c's op_export_json, with the rows that
 * SQLite reads per entity or story read here in one ordered pass each.  Text
 * is ordered by bytes (COLLATE "C"), as SQLite does. */
static const char *const export_sql[] = {
    "SELECT name, lang, published, story, title FROM documents ORDER BY id",
    "SELECT id, type, name FROM entities WHERE ndocs > 0 ORDER BY id",
    "SELECT n.entity, n.name FROM names n JOIN entities e ON e.id=n.entity WHERE e.ndocs > 0 AND n.name <> e.name "
    "ORDER BY n.entity, n.n DESC, n.name COLLATE \"C\"",
    "SELECT de.entity, d.name FROM (SELECT DISTINCT entity, doc FROM doc_entities) de JOIN documents d ON d.id=de.doc "
    "ORDER BY de.entity, d.id",
    "SELECT id, to_char(date '1970-01-01' + first_day, 'YYYY-MM-DD'), "
    "to_char(date '1970-01-01' + last_day, 'YYYY-MM-DD') FROM stories WHERE ndocs > 0 ORDER BY id",
    "SELECT story, name FROM documents WHERE story IS NOT NULL ORDER BY story, id",
    /* the label: the entities named by most of the story's articles, rarer
     * ones first among equals, three per story */
    "SELECT story, name FROM (SELECT d.story AS story, e.name AS name, row_number() OVER (PARTITION BY d.story "
    "ORDER BY count(DISTINCT de.doc) DESC, sum(de.mentions) DESC, e.ndocs, e.id) AS r FROM doc_entities de "
    "JOIN documents d ON d.id=de.doc JOIN entities e ON e.id=de.entity WHERE d.story IS NOT NULL AND "
    "e.type IN ('PER','ORG','LOC','MISC') GROUP BY d.story, e.id) x WHERE r <= 3 ORDER BY story, r",
    /* events, and their reports in the same order (read_event, add_report) */
    "SELECT id, code, source, target, source_actor, target_actor, quad, goldstein, location, date, day FROM events "
    "ORDER BY id",
    "SELECT r.event, r.doc, d.name, r.code, r.sentence, r.start, r.stop, r.trigger, r.negated, r.mood, r.date "
    "FROM event_reports r JOIN documents d ON d.id=r.doc ORDER BY r.event, r.doc, r.start",
};

enum { X_DOCS, X_ENTS, X_ALIASES, X_EDOCS, X_STORIES, X_SDOCS, X_SLABEL, X_EVENTS, X_EREPORTS, X_COUNT };

static int op_export_json(ng_kb_store *s, int (*write)(void *ctx, const char *p, size_t n), void *ctx)
{
    kbpg *k = (kbpg *)s;
    out_t o;
    memset(&o, 0, sizeof o);
    ng_buf_init(&o.b);
    o.write = write;
    o.ctx = ctx;
    cursor c[X_COUNT];
    memset(c, 0, sizeof c);
    int own_tx = !k->in_tx;
    /* one snapshot, so that the export is consistent while others write */
    int rc = own_tx ? pexec(k, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", "export") : NG_OK;
    for (int i = 0; i < X_COUNT && rc == NG_OK; i++) {
        char name[16];
        snprintf(name, sizeof name, "ngx%d", i);
        rc = cur_open(k, &c[i], name, export_sql[i]);
    }
    int have[X_COUNT];
    for (int i = 0; i < X_COUNT; i++)
        have[i] = rc == NG_OK ? cur_next(&c[i]) : 0;
    for (int i = 0; i < X_COUNT && rc == NG_OK; i++)
        if (have[i] < 0)
            rc = have[i];
    if (rc != NG_OK)
        goto end;
    ng_buf_puts(&o.b, "{\"documents\":[");
    for (int first = 1; have[X_DOCS] == 1; first = 0, have[X_DOCS] = cur_next(&c[X_DOCS])) {
        const cursor *d = &c[X_DOCS];
        ng_buf_puts(&o.b, first ? "\n" : ",\n");
        ng_buf_puts(&o.b, "{\"doc\":");
        out_str(&o, d->r, d->row, 0);
        ng_buf_puts(&o.b, ",\"lang\":");
        out_str(&o, d->r, d->row, 1);
        ng_buf_puts(&o.b, ",\"published\":");
        out_str(&o, d->r, d->row, 2);
        ng_buf_puts(&o.b, ",\"story\":");
        ng_buf_puts(&o.b, PQgetisnull(d->r, d->row, 3) ? "null" : PQgetvalue(d->r, d->row, 3));
        ng_buf_puts(&o.b, ",\"title\":");
        out_str(&o, d->r, d->row, 4);
        ng_buf_putc(&o.b, '}');
        out_flush(&o, 0);
    }
    if ((rc = have[X_DOCS]) != NG_OK)
        goto end;
    ng_buf_puts(&o.b, "],\n\"entities\":[");
    for (int first = 1; have[X_ENTS] == 1; first = 0, have[X_ENTS] = cur_next(&c[X_ENTS])) {
        const cursor *e = &c[X_ENTS];
        int64_t id = cur_int(e, 0);
        ng_buf_puts(&o.b, first ? "\n" : ",\n");
        ng_buf_printf(&o.b, "{\"id\":%lld,\"type\":", (long long)id);
        out_str(&o, e->r, e->row, 1);
        ng_buf_puts(&o.b, ",\"name\":");
        out_str(&o, e->r, e->row, 2);
        ng_buf_puts(&o.b, ",\"aliases\":");
        if ((rc = out_group(&o, &c[X_ALIASES], &have[X_ALIASES], id)) != NG_OK)
            goto end;
        ng_buf_puts(&o.b, ",\"docs\":");
        if ((rc = out_group(&o, &c[X_EDOCS], &have[X_EDOCS], id)) != NG_OK)
            goto end;
        ng_buf_putc(&o.b, '}');
        out_flush(&o, 0);
    }
    if ((rc = have[X_ENTS]) != NG_OK)
        goto end;
    ng_buf_puts(&o.b, "],\n\"stories\":[");
    for (int first = 1; have[X_STORIES] == 1; first = 0, have[X_STORIES] = cur_next(&c[X_STORIES])) {
        const cursor *st = &c[X_STORIES];
        int64_t id = cur_int(st, 0);
        ng_buf_puts(&o.b, first ? "\n" : ",\n");
        ng_buf_printf(&o.b, "{\"id\":%lld,\"docs\":", (long long)id);
        if ((rc = out_group(&o, &c[X_SDOCS], &have[X_SDOCS], id)) != NG_OK)
            goto end;
        /* the label: its names joined with ", " */
        ng_buf lab;
        ng_buf_init(&lab);
        cursor *l = &c[X_SLABEL];
        while (have[X_SLABEL] == 1 && cur_int(l, 0) <= id) {
            if (cur_int(l, 0) == id) {
                if (lab.len)
                    ng_buf_puts(&lab, ", ");
                ng_buf_put(&lab, PQgetvalue(l->r, l->row, 1), (size_t)PQgetlength(l->r, l->row, 1));
            }
            have[X_SLABEL] = cur_next(l);
        }
        ng_buf_puts(&o.b, ",\"label\":");
        if (lab.oom)
            o.b.oom = 1;
        ng_buf_json_str(&o.b, lab.p ? lab.p : "", lab.len);
        ng_buf_free(&lab);
        if ((rc = have[X_SLABEL] < 0 ? have[X_SLABEL] : NG_OK) != NG_OK)
            goto end;
        ng_buf_puts(&o.b, ",\"from\":");
        out_str(&o, st->r, st->row, 1);
        ng_buf_puts(&o.b, ",\"to\":");
        out_str(&o, st->r, st->row, 2);
        ng_buf_putc(&o.b, '}');
        out_flush(&o, 0);
    }
    if ((rc = have[X_STORIES]) != NG_OK)
        goto end;
    ng_buf_puts(&o.b, "],\n\"events\":[");
    for (int first = 1; have[X_EVENTS] == 1; first = 0, have[X_EVENTS] = cur_next(&c[X_EVENTS])) {
        ng_kb_evread ev;
        read_event(c[X_EVENTS].r, c[X_EVENTS].row, &ev, 0);
        size_t cap = 0;
        cursor *rp = &c[X_EREPORTS];
        while (rc == NG_OK && have[X_EREPORTS] == 1 && cur_int(rp, 0) <= ev.id) {
            if (cur_int(rp, 0) == ev.id)
                rc = add_report(k, rp->r, rp->row, &ev, &cap, 0);
            have[X_EREPORTS] = cur_next(rp);
        }
        if (rc == NG_OK && have[X_EREPORTS] < 0)
            rc = have[X_EREPORTS];
        if (rc == NG_OK) {
            ng_buf_puts(&o.b, first ? "\n" : ",\n");
            ng_kb_event_json(&o.b, &ev, 0);
        }
        ng_kb_evread_clear(&ev, &cap);
        if (rc != NG_OK)
            goto end;
        out_flush(&o, 0);
    }
    if ((rc = have[X_EVENTS]) != NG_OK)
        goto end;
    ng_buf_puts(&o.b, "]}\n");
end:
    for (int i = 0; i < X_COUNT; i++)
        PQclear(c[i].r);
    if (own_tx)
        PQclear(PQexec(k->db, rc == NG_OK ? "COMMIT" : "ROLLBACK"));
    return out_end(k, &o, rc);
}

/* ---- queries --------------------------------------------------------------- */

/* Runs sql with $1 = id, $2 = text, $3 = limit and writes its rows as a
 * JSON array of objects keyed by column name. */
static int out_rows(kbpg *k, out_t *o, const char *sql, ng_id id, const char *text, size_t limit)
{
    static const unsigned int types[3] = {OID_INT8, 25 /* text */, OID_INT8};
    params p = {0};
    p_int(&p, id);
    p_str(&p, text ? text : "");
    p_int(&p, (int64_t)limit);
    PGresult *r = PQexecParams(k->db, sql, 3, types, p.v, p.len, p.fmt, 0);
    if (!r || PQresultStatus(r) != PGRES_TUPLES_OK) {
        int rc = pgfail(k, r, "query");
        PQclear(r);
        return rc;
    }
    ng_buf_putc(&o->b, '[');
    int nc = PQnfields(r);
    for (int i = 0; i < PQntuples(r); i++) {
        ng_buf_puts(&o->b, i ? ",\n{" : "\n{");
        for (int j = 0; j < nc; j++) {
            if (j)
                ng_buf_putc(&o->b, ',');
            const char *name = PQfname(r, j);
            ng_buf_json_str(&o->b, name, strlen(name));
            ng_buf_putc(&o->b, ':');
            out_value(o, r, i, j);
        }
        ng_buf_putc(&o->b, '}');
        out_flush(o, 0);
    }
    ng_buf_putc(&o->b, ']');
    PQclear(r);
    return NG_OK;
}

#define DATE_OF(col) "CASE WHEN " col " IS NULL THEN NULL ELSE to_char(date '1970-01-01' + " col ", 'YYYY-MM-DD') END"

/* Articles naming entity $1, oldest first, with their first mention in
 * context (up to 100 bytes each side, cut at byte offsets). */
static const char sql_timeline[] =
    "SELECT " DATE_OF("d.day") " AS date, d.name AS doc, d.title AS title, d.story AS story, "
    "CASE WHEN m.start IS NULL THEN NULL ELSE substring(convert_to(d.text, 'UTF8') FROM greatest(1, m.start - 99)::int "
    "FOR (least(m.start, 100) + (m.stop - m.start) + 100)::int) END AS context "
    "FROM (SELECT doc, min(local) AS local FROM doc_entities WHERE entity=$1 GROUP BY doc) x "
    "JOIN documents d ON d.id=x.doc "
    "JOIN doc_entities m ON m.doc=x.doc AND m.local=x.local "
    "ORDER BY d.day IS NULL, d.day, d.id LIMIT $3";

/* Reads the (local, start, stop, spans) rows of r (spans as bytea text)
 * into mentions; NG_EDB for a damaged value. */
static int read_mentions(const PGresult *r, ng_kb_mention **m, size_t *n, size_t *cap)
{
    int rc = NG_OK;
    for (int i = 0; i < PQntuples(r) && rc == NG_OK; i++) {
        size_t len = 0;
        unsigned char *b = NULL;
        if (!PQgetisnull(r, i, 3) &&
            !(b = PQunescapeBytea((const unsigned char *)PQgetvalue(r, i, 3), &len)))
            return NG_ENOMEM;
        rc = ng_kb_spans_unpack((uint32_t)col_int(r, i, 0), (uint32_t)col_int(r, i, 1), (uint32_t)col_int(r, i, 2),
                                b, len, m, n, cap);
        PQfreemem(b);
    }
    return rc;
}

/* The mentions of document id as the doc query's JSON array (kb.c writes
 * them, as for SQLite). */
static int out_mentions(kbpg *k, out_t *o, ng_id id, size_t limit)
{
    static const unsigned int types[1] = {OID_INT8};
    params p = {0};
    p_int(&p, id);
    PGresult *r = PQexecParams(k->db, "SELECT local, start, stop, spans FROM doc_entities WHERE doc=$1 AND "
                               "start IS NOT NULL", 1, types, p.v, p.len, p.fmt, 0);
    if (!r || PQresultStatus(r) != PGRES_TUPLES_OK) {
        int rc = pgfail(k, r, "query");
        PQclear(r);
        return rc;
    }
    ng_kb_mention *m = NULL;
    size_t n = 0, cap = 0;
    int rc = read_mentions(r, &m, &n, &cap);
    PQclear(r);
    if (rc == NG_OK)
        ng_kb_mentions_json(&o->b, m, n, limit);
    else
        ng_kb_store_fail(&k->base, rc, rc == NG_ENOMEM ? "out of memory" : "damaged mentions of document %lld",
                         (long long)id);
    free(m);
    return rc;
}

/* One document (by id, or by name when name is not NULL) with its
 * annotations, as kb_sqlite.c's; NG_EEMPTY when there is none. */
static int op_query_doc(kbpg *k, out_t *o, ng_id id, const char *name)
{
    params p = {0};
    PGresult *r;
    if (name) {
        static const unsigned int types[1] = {25};
        p_str(&p, name);
        r = PQexecParams(k->db, "SELECT id FROM documents WHERE name=$1 ORDER BY id LIMIT 1", 1, types, p.v, p.len,
                         p.fmt, 0);
    } else {
        static const unsigned int types[1] = {OID_INT8};
        p_int(&p, id);
        r = PQexecParams(k->db, "SELECT id FROM documents WHERE id=$1", 1, types, p.v, p.len, p.fmt, 0);
    }
    if (!r || PQresultStatus(r) != PGRES_TUPLES_OK) {
        int rc = pgfail(k, r, "query");
        PQclear(r);
        return rc;
    }
    id = PQntuples(r) ? col_int(r, 0, 0) : 0;
    PQclear(r);
    if (!id)
        return ng_kb_store_fail(&k->base, NG_EEMPTY, "no such document");
    static const char *const parts[][2] = {
        {"document", "SELECT id, name AS doc, lang, published, " DATE_OF("day") " AS date, title, url, story, text "
                     "FROM documents WHERE id=$1"},
        {"entities", "SELECT de.local AS local, de.entity AS entity, de.type AS type, de.name AS name, "
                     "e.name AS canonical, e.type AS kb_type FROM doc_entities de LEFT JOIN entities e ON "
                     "e.id=de.entity WHERE de.doc=$1 ORDER BY de.local LIMIT $3"},
        {"mentions", NULL}, /* unpacked from doc_entities (schema 5) */
        {"titles", "SELECT local, title FROM titles WHERE doc=$1 ORDER BY local, title COLLATE \"C\" LIMIT $3"},
        {"timexes", "SELECT start, stop, type, value FROM timexes WHERE doc=$1 ORDER BY start, stop LIMIT $3"},
        {"quantities", "SELECT start, stop, value, unit, noun, per FROM quantities WHERE doc=$1 "
                       "ORDER BY start, stop LIMIT $3"},
        {"quotes", "SELECT q.start AS start, q.stop AS stop, q.speaker_local AS speaker_local, q.speaker AS speaker, "
                   "e.name AS speaker_name, q.cue AS cue, q.direct AS direct FROM quotes q LEFT JOIN entities e ON "
                   "e.id=q.speaker WHERE q.doc=$1 ORDER BY q.start, q.id LIMIT $3"},
    };
    int rc = NG_OK;
    for (size_t i = 0; i < sizeof parts / sizeof *parts && rc == NG_OK; i++) {
        ng_buf_printf(&o->b, "%s\"%s\":", i ? ",\n" : "{", parts[i][0]);
        rc = parts[i][1] ? out_rows(k, o, parts[i][1], id, NULL, 100000) : out_mentions(k, o, id, 100000);
    }
    if (rc == NG_OK)
        ng_buf_putc(&o->b, '}');
    return rc;
}

static int op_query_json(ng_kb_store *s, int kind, ng_id id, const char *text, size_t limit,
                         int (*write)(void *ctx, const char *p, size_t n), void *ctx)
{
    kbpg *k = (kbpg *)s;
    out_t o;
    memset(&o, 0, sizeof o);
    ng_buf_init(&o.b);
    o.write = write;
    o.ctx = ctx;
    int rc = NG_OK;
    if (!limit)
        limit = 1000;
    switch (kind) {
    case NG_KBQ_TIMELINE: rc = out_rows(k, &o, sql_timeline, id, NULL, limit); break;
    case NG_KBQ_STORY:
        rc = out_rows(k, &o,
                      "SELECT " DATE_OF("day") " AS date, name AS doc, title, lang FROM documents WHERE story=$1 "
                      "ORDER BY day IS NULL, day, id LIMIT $3",
                      id, NULL, limit);
        break;
    case NG_KBQ_STORIES:
        rc = out_rows(k, &o,
                      "SELECT s.id AS story, s.ndocs AS docs, " DATE_OF("s.first_day") " AS \"from\", "
                      DATE_OF("s.last_day") " AS \"to\", "
                      "nullif(array_to_string(ARRAY(SELECT e.name FROM story_entities se JOIN entities e ON "
                      "e.id=se.entity WHERE se.story=s.id ORDER BY se.docs DESC, se.mentions DESC, e.ndocs, e.id "
                      "LIMIT 3), ', '), '') AS label, "
                      "(SELECT title FROM documents WHERE story=s.id AND title IS NOT NULL ORDER BY id LIMIT 1) AS title "
                      "FROM (SELECT id FROM stories WHERE ndocs > 0 ORDER BY ndocs DESC, id LIMIT $3) x "
                      "JOIN stories s ON s.id=x.id ORDER BY s.ndocs DESC, s.id",
                      0, NULL, limit);
        break;
    case NG_KBQ_SEARCH: {
        ng_buf tq;
        ng_buf_init(&tq);
        char err[200];
        if (fts_query(text ? text : "", &tq, err, sizeof err) != 0) {
            ng_buf_free(&tq);
            rc = ng_kb_store_fail(s, NG_EINVAL, "query: %s", err);
            break;
        }
        if (tq.oom) {
            ng_buf_free(&tq);
            rc = ng_kb_store_fail(s, NG_ENOMEM, "out of memory");
            break;
        }
        rc = out_rows(k, &o,
                      "SELECT d.name AS doc, d.title AS title, " DATE_OF("d.day") " AS date, d.story AS story, "
                      "ts_headline('simple', d.text, q, 'StartSel=[, StopSel=], MaxWords=16, MinWords=6, "
                      "MaxFragments=1, FragmentDelimiter=...') AS snippet "
                      "FROM documents d, to_tsquery('simple', $2) q WHERE d.fts @@ q "
                      "ORDER BY ts_rank(d.fts, q) DESC, d.id LIMIT $3",
                      0, tq.p, limit);
        ng_buf_free(&tq);
        break;
    }
    case NG_KBQ_EVENTS: /* written by kb.c from event_rows: the same in every backend */
        ng_buf_free(&o.b);
        return ng_kb_events_json(s, id, text, limit, write, ctx);
    case NG_KBQ_QUOTES:
        rc = out_rows(k, &o,
                      "SELECT " DATE_OF("d.day") " AS date, d.name AS doc, e.name AS speaker, q.cue AS cue, "
                      "q.direct AS direct, q.text AS text FROM quotes q JOIN documents d ON d.id=q.doc "
                      "LEFT JOIN entities e ON e.id=q.speaker WHERE ($1 = 0 OR q.speaker=$1) "
                      "ORDER BY d.day IS NULL, d.day, q.id LIMIT $3",
                      id, NULL, limit);
        break;
    case NG_KBQ_ENTITY:
        ng_buf_puts(&o.b, "{\"entity\":");
        rc = out_rows(k, &o,
                      "SELECT id, type, name, ndocs AS docs, " DATE_OF("first_day") " AS \"from\", "
                      DATE_OF("last_day") " AS \"to\" FROM entities WHERE id=$1",
                      id, NULL, 1);
        if (rc == NG_OK) {
            ng_buf_puts(&o.b, ",\n\"aliases\":");
            rc = out_rows(k, &o,
                          "SELECT name, n AS docs FROM names WHERE entity=$1 ORDER BY n DESC, name COLLATE \"C\" "
                          "LIMIT $3",
                          id, NULL, 100);
        }
        if (rc == NG_OK) {
            /* who and what is named with it, over its latest 500 articles */
            ng_buf_puts(&o.b, ",\n\"counterparts\":");
            rc = out_rows(k, &o,
                          "SELECT e.id, e.type, e.name, count(DISTINCT b.doc) AS docs FROM (SELECT DISTINCT doc FROM "
                          "doc_entities WHERE entity=$1 ORDER BY doc DESC LIMIT 500) a JOIN doc_entities b ON "
                          "b.doc=a.doc AND b.entity<>$1 JOIN entities e ON e.id=b.entity GROUP BY e.id "
                          "ORDER BY docs DESC, e.ndocs, e.id LIMIT $3",
                          id, NULL, 20);
        }
        if (rc == NG_OK) {
            ng_buf_puts(&o.b, ",\n\"titles\":");
            rc = out_rows(k, &o,
                          "SELECT t.title AS title, count(DISTINCT t.doc) AS docs, " DATE_OF("min(d.day)")
                          " AS \"from\", " DATE_OF("max(d.day)") " AS \"to\" FROM titles t "
                          "JOIN documents d ON d.id=t.doc WHERE t.entity=$1 "
                          "GROUP BY t.title ORDER BY min(d.day) NULLS FIRST, docs DESC, t.title COLLATE \"C\" LIMIT $3",
                          id, NULL, 50);
        }
        if (rc == NG_OK) {
            ng_buf_puts(&o.b, ",\n\"quotes\":");
            rc = out_rows(k, &o,
                          "SELECT d.name AS doc, " DATE_OF("d.day") " AS date, q.text AS text, q.cue AS cue FROM "
                          "quotes q JOIN documents d ON d.id=q.doc WHERE q.speaker=$1 ORDER BY d.day NULLS FIRST, "
                          "q.id LIMIT $3",
                          id, NULL, 50);
        }
        if (rc == NG_OK) {
            ng_buf_puts(&o.b, ",\n\"timeline\":");
            rc = out_rows(k, &o, sql_timeline, id, NULL, limit);
        }
        ng_buf_putc(&o.b, '}');
        break;
    case NG_KBQ_DOC: rc = op_query_doc(k, &o, id, text); break;
    case NG_KBQ_DOCS:
        /* the latest documents (by day; undated last), each with the entities it names: the
         * limit is taken first (an index scan), the entities then looked up for those only */
        rc = out_rows(k, &o,
                      "SELECT d.id AS id, " DATE_OF("d.day") " AS date, d.name AS doc, d.title AS title, "
                      "d.lang AS lang, d.story AS story, (SELECT string_agg(x.entity::text, ',') FROM (SELECT DISTINCT "
                      "entity FROM doc_entities WHERE doc=d.id) x) AS entities FROM (SELECT id FROM documents "
                      "ORDER BY day DESC NULLS LAST, id DESC LIMIT $3) l JOIN documents d ON d.id=l.id "
                      "ORDER BY d.day DESC NULLS LAST, d.id DESC",
                      0, NULL, limit);
        break;
    case NG_KBQ_ENTITIES:
        rc = out_rows(k, &o,
                      "SELECT id, type, name, ndocs AS docs, " DATE_OF("first_day") " AS \"from\", "
                      DATE_OF("last_day") " AS \"to\" FROM entities WHERE ndocs > 0 ORDER BY ndocs DESC, id LIMIT $3",
                      0, NULL, limit);
        break;
    case NG_KBQ_COOCCUR:
        rc = out_rows(k, &o,
                      "WITH top AS (SELECT id FROM entities WHERE ndocs > 0 ORDER BY ndocs DESC, id LIMIT $3), "
                      "recent AS (SELECT de.doc, de.entity FROM doc_entities de JOIN top ON top.id=de.entity "
                      "WHERE de.doc > (SELECT coalesce(max(id), 0) - 2000 FROM documents)) "
                      "SELECT a.entity AS source, b.entity AS target, count(DISTINCT a.doc) AS docs FROM recent a "
                      "JOIN recent b ON b.doc=a.doc AND b.entity > a.entity GROUP BY a.entity, b.entity "
                      "ORDER BY docs DESC, source, target LIMIT 1000",
                      0, NULL, limit);
        break;
    default: rc = ng_kb_store_fail(s, NG_EINVAL, "unknown query");
    }
    if (rc == NG_OK)
        ng_buf_putc(&o.b, '\n');
    return out_end(k, &o, rc);
}

static const ng_kb_ops pg_ops = {
    .close = op_close,
    .begin = op_begin,
    .commit = op_commit,
    .doc_tx = op_doc_tx,
    .doc_find = op_doc_find,
    .doc_insert = op_doc_insert,
    .doc_count = op_doc_count,
    .doc_features = op_doc_features,
    .doc_set_story = op_doc_set_story,
    .key_find = op_key_find,
    .key_add = op_key_add,
    .entity_new = op_entity_new,
    .entity_get = op_entity_get,
    .entity_rename = op_entity_rename,
    .entity_seen = op_entity_seen,
    .name_add = op_name_add,
    .cooccur = op_cooccur,
    .docent_add = op_docent_add,
    .entity_docs = op_entity_docs,
    .timex_add = op_timex_add,
    .quantity_add = op_quantity_add,
    .quote_add = op_quote_add,
    .term_bump = op_term_bump,
    .term_df = op_term_df,
    .posting_add = op_posting_add,
    .posting_docs = op_posting_docs,
    .story_new = op_story_new,
    .story_add = op_story_add,
    .export_json = op_export_json,
    .query_json = op_query_json,
    .title_add = op_title_add,
    .story_features = op_story_features,
    .story_set_features = op_story_set_features,
    .event_candidates = op_event_candidates,
    .event_new = op_event_new,
    .event_update = op_event_update,
    .event_report_add = op_event_report_add,
    .event_rows = op_event_rows,
};

/* ---- opening ------------------------------------------------------------------ */

/* The migration to schema 5: each doc_entities row gets its mentions from
 * the mentions table (the first in start/stop, the others packed in
 * spans), which is then dropped.  Rows are read 10,000 at a time. */
static int pack_mentions(kbpg *k)
{
    int rc = pexec(k, "DECLARE ng_mentions NO SCROLL CURSOR FOR SELECT doc, local, start, stop FROM mentions "
                      "ORDER BY doc, local, start, stop", "migrate mentions");
    uint32_t *v = NULL;
    size_t n = 0, cap = 0;
    int64_t cur_doc = -1, cur_local = -1;
    int more = rc == NG_OK;
    while (more && rc == NG_OK) {
        PGresult *r = PQexec(k->db, "FETCH 10000 FROM ng_mentions");
        if (!r || PQresultStatus(r) != PGRES_TUPLES_OK) {
            rc = pgfail(k, r, "migrate mentions");
            PQclear(r);
            break;
        }
        int rows = PQntuples(r);
        more = rows > 0;
        /* one pass over the rows, then one flush of the last group after the cursor's end */
        for (int i = 0; i <= rows && rc == NG_OK; i++) {
            int end = i == rows;
            if (end && more)
                break;
            int64_t doc = end ? -2 : col_int(r, i, 0), local = end ? -2 : col_int(r, i, 1);
            if ((doc != cur_doc || local != cur_local) && n) {
                size_t m = ng_kb_spans_sort(v, n);
                unsigned char packed[480], *out = packed, *z = NULL;
                if (NG_KB_SPANS_MAX(m) > sizeof packed && !(out = z = malloc(NG_KB_SPANS_MAX(m)))) {
                    rc = ng_kb_store_fail(&k->base, NG_ENOMEM, "out of memory");
                    break;
                }
                params p = {0};
                p_int(&p, cur_doc);
                p_int(&p, cur_local);
                p_int(&p, v[0]);
                p_int(&p, v[1]);
                if (m > 1)
                    p_bin(&p, out, ng_kb_spans_pack(v, m, out));
                else
                    p_null(&p);
                PGresult *u = PQexecParams(k->db, "UPDATE doc_entities SET start=$3::bigint, stop=$4::bigint, "
                                           "spans=$5::bytea WHERE doc=$1::bigint AND local=$2::integer",
                                           5, NULL, p.v, p.len, p.fmt, 0);
                if (!u || PQresultStatus(u) != PGRES_COMMAND_OK)
                    rc = pgfail(k, u, "migrate mentions");
                PQclear(u);
                free(z);
                n = 0;
            }
            if (end)
                break;
            if (n == cap) {
                size_t nc = cap ? cap * 2 : 64;
                uint32_t *nv = realloc(v, nc * 2 * sizeof *nv);
                if (!nv) {
                    rc = ng_kb_store_fail(&k->base, NG_ENOMEM, "out of memory");
                    break;
                }
                v = nv;
                cap = nc;
            }
            cur_doc = doc;
            cur_local = local;
            v[2 * n] = (uint32_t)col_int(r, i, 2);
            v[2 * n + 1] = (uint32_t)col_int(r, i, 3);
            n++;
        }
        PQclear(r);
    }
    free(v);
    if (rc == NG_OK)
        rc = pexec(k, "CLOSE ng_mentions", "migrate mentions");
    if (rc == NG_OK)
        rc = pexec(k, "DROP TABLE mentions", "migrate mentions");
    return rc;
}

/* Brings the base's schema to NG_KB_SCHEMA under the base's lock (two
 * processes opening a new base at once create it once): creates it in a
 * database without one, applies each migration of an older one, refuses a
 * newer one.  All in one transaction: DDL is transactional here. */
static int migrate(kbpg *k)
{
    int rc = pexec(k, "BEGIN", "begin");
    if (rc != NG_OK)
        return rc;
    rc = pexec(k, "SELECT pg_advisory_xact_lock(" PG_LOCK_KEY ")", "lock the base");
    int64_t v = 0;
    if (rc == NG_OK) {
        PGresult *r = PQexec(k->db, "SELECT to_regclass('newsgraph_meta') IS NOT NULL, "
                                    "to_regclass('documents') IS NOT NULL");
        if (!r || PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
            rc = pgfail(k, r, "read schema version");
        } else if (*PQgetvalue(r, 0, 0) == 't') {
            PGresult *r2 = PQexec(k->db, "SELECT value FROM newsgraph_meta WHERE key='schema'");
            if (!r2 || PQresultStatus(r2) != PGRES_TUPLES_OK)
                rc = pgfail(k, r2, "read schema version");
            else if (PQntuples(r2) == 1)
                v = col_int(r2, 0, 0);
            PQclear(r2);
        } else if (*PQgetvalue(r, 0, 1) == 't') {
            rc = ng_kb_store_fail(&k->base, NG_EDB,
                                  "this database has a 'documents' table but is not a newsgraph base");
        }
        PQclear(r);
    }
    if (rc == NG_OK && v > NG_KB_SCHEMA)
        rc = ng_kb_store_fail(&k->base, NG_EDB, "schema version %lld is newer than this program's (%d)", (long long)v,
                              NG_KB_SCHEMA);
    if (rc == NG_OK && v < NG_KB_SCHEMA) {
        if (v == 0)
            rc = pexec(k, "CREATE TABLE IF NOT EXISTS newsgraph_meta(key text PRIMARY KEY, value bigint NOT NULL)",
                       "create the schema");
        for (int64_t i = v; i < NG_KB_SCHEMA && rc == NG_OK; i++) {
            rc = pexec(k, pg_migrations[i], "create the schema");
            if (rc == NG_OK && i == 4)
                rc = pack_mentions(k);
        }
        if (rc == NG_OK) {
            char sql[160];
            snprintf(sql, sizeof sql,
                     "INSERT INTO newsgraph_meta(key, value) VALUES('schema', %d) "
                     "ON CONFLICT (key) DO UPDATE SET value=excluded.value",
                     NG_KB_SCHEMA);
            rc = pexec(k, sql, "write schema version");
        }
    }
    if (rc == NG_OK)
        return pexec(k, "COMMIT", "commit the schema");
    PQclear(PQexec(k->db, "ROLLBACK"));
    return rc;
}

/* Server notices (a word too long to index...) are not the user's business. */
static void quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* For a read-only handle: the schema must be this program's; every
 * transaction is read-only and a statement stops after 5 seconds. */
static int check_ro(kbpg *k)
{
    int rc = pexec(k, "SET default_transaction_read_only = on; SET statement_timeout = 5000", "set read-only");
    if (rc != NG_OK)
        return rc;
    PGresult *r = PQexec(k->db, "SELECT CASE WHEN to_regclass('newsgraph_meta') IS NULL THEN 0 ELSE "
                                "(SELECT coalesce(max(value), 0) FROM newsgraph_meta WHERE key='schema') END");
    if (!r || PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
        rc = pgfail(k, r, "read schema version");
        PQclear(r);
        return rc;
    }
    int64_t v = col_int(r, 0, 0);
    PQclear(r);
    if (v == 0)
        return ng_kb_store_fail(&k->base, NG_EDB, "not a newsgraph knowledge base");
    if (v != NG_KB_SCHEMA)
        return ng_kb_store_fail(&k->base, NG_EDB, "schema version %lld is %s than this program's (%d)%s",
                                (long long)v, v < NG_KB_SCHEMA ? "older" : "newer", NG_KB_SCHEMA,
                                v < NG_KB_SCHEMA ? ": 'newsgraph ingest' migrates it" : "");
    return NG_OK;
}

static int pg_open(ng_kb_store **out, const char *url, int ro, char *err, size_t errlen);

int ng_kb_pg_open(ng_kb_store **out, const char *url, char *err, size_t errlen)
{
    return pg_open(out, url, 0, err, errlen);
}

int ng_kb_pg_open_ro(ng_kb_store **out, const char *url, char *err, size_t errlen)
{
    return pg_open(out, url, 1, err, errlen);
}

static int pg_open(ng_kb_store **out, const char *url, int ro, char *err, size_t errlen)
{
    *out = NULL;
    kbpg *k = calloc(1, sizeof *k);
    if (!k) {
        snprintf(err, errlen, "out of memory");
        return NG_ENOMEM;
    }
    k->base.ops = &pg_ops;
    /* the URL's own settings win over these defaults (they come later) */
    const char *const keys[] = {"connect_timeout", "fallback_application_name", "client_encoding", "dbname", NULL};
    const char *const vals[] = {"10", "newsgraph", "UTF8", url, NULL};
    k->db = PQconnectdbParams(keys, vals, 1);
    if (!k->db || PQstatus(k->db) != CONNECTION_OK) {
        snprintf(err, errlen, "cannot connect to PostgreSQL: %s", k->db ? PQerrorMessage(k->db) : "out of memory");
        one_line(err);
        op_close(&k->base);
        return NG_EDB;
    }
    PQsetNoticeProcessor(k->db, quiet, NULL);
    int rc = PQsetClientEncoding(k->db, "UTF8") == 0 ? NG_OK : pgfail(k, NULL, "set the client encoding");
    if (rc == NG_OK)
        rc = ro ? check_ro(k) : migrate(k);
    if (rc != NG_OK) {
        snprintf(err, errlen, "PostgreSQL: %s", k->base.err);
        op_close(&k->base);
        return rc;
    }
    *out = &k->base;
    return NG_OK;
}
