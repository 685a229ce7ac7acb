/*
 * kb_sqlite.c — the SQLite backend of the knowledge base (ng_kb_ops).
 *
 * One file, WAL journal, synchronous=NORMAL: a crash (kill -9, power) loses
 * at most the open transaction, never the file's consistency.  kb.c groups
 * articles into transactions of N (default 100).
 *
 * The schema (PRAGMA user_version = NG_KB_SCHEMA; docs/kb.md says the same
 * with the reasons):
 *
 *   documents(id, name, hash UNIQUE, lang, published, title, url, day,
 *             story, sig, ents, text)      one row per stored article;
 *             hash = 64-bit hash of the clean text (re-ingest is a no-op),
 *             day = story date in days since 1970, sig/ents = the story
 *             signature (blobs of {u32 key, f32 weight}, native order)
 *   raw_inputs(hash PRIMARY KEY, doc)      hashes of raw input bytes, so a
 *             rerun skips articles before analyzing them
 *   documents_fts                          FTS5 over title and text
 *             (external content: the text is stored once)
 *   entities(id, type, name, ndocs, first_day, last_day, v_per, v_org,
 *             v_loc, v_misc)               type = the type most articles give
 *             (votes), or an alias group's
 *   keys(kind, key, entity)                lookup keys of entities: 'n'
 *             normalised name, 'g' alias group, 's' surname, 'f' name with
 *             one character deleted (fuzzy matching)
 *   names(entity, name, n)                 every surface form seen (aliases)
 *   doc_entities(doc, local, entity, type, name, mentions)   the article's
 *             own entity (its "id" in the record) linked to entities.id
 *   mentions(doc, local, start, stop)      byte offsets into the text
 *   timexes(doc, start, stop, type, value), quantities(doc, start, stop,
 *             value, unit, noun, per), quotes(doc, start, stop,
 *             speaker_local, speaker, cue, direct, text) + quotes_fts
 *   titles(doc, local, title)             (v2) titles and roles around an
 *             entity's mentions in one article
 *   events(id, code, source, target, date, day), event_reports(event, doc,
 *             start, stop)                 (filled once events land)
 *   terms(term, df), postings(term, doc)   story vocabulary: document
 *             frequencies and an inverted index of each article's rarest terms
 *   stories(id, ndocs, first_day, last_day, sig, ents)   sig/ents: the
 *             centroid of its articles' vectors (story.c)
 *
 * Every lookup the ingest path makes is an index probe (B-tree, log n), so
 * one more article costs about the same at 100,000 articles as at 1,000.
 */
#include "kb.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

enum {
    Q_DOC_FIND, Q_RAW_FIND, Q_DOC_INSERT, Q_RAW_INSERT, Q_FTS_INSERT, Q_DOC_COUNT, Q_DOC_FEATURES, Q_DOC_STORY,
    Q_KEY_FIND, Q_KEY_ADD, Q_ENT_NEW, Q_ENT_GET, Q_ENT_RENAME, Q_ENT_SEEN, Q_NAME_ADD, Q_COOCCUR, Q_DOCENT_ADD,
    Q_ENT_DOCS, Q_TIMEX_ADD, Q_QTY_ADD, Q_QUOTE_ADD, Q_QUOTE_FTS, Q_TERM_BUMP, Q_TERM_DF,
    Q_POSTING_ADD, Q_POSTING_DOCS, Q_STORY_NEW, Q_STORY_ADD, Q_STORY_FEATURES, Q_STORY_SET, Q_TITLE_ADD,
    Q_EV_CAND, Q_EV_NEW, Q_EV_UPDATE, Q_EV_REPORT, Q_EV_REPORTS, Q_EV_REPORTS_TEXT, Q_TERMS_BUMP, Q_STORY_ENTS, Q_COUNT
};

static const char *const sql_text[Q_COUNT] = {
    [Q_DOC_FIND] = "SELECT id FROM documents WHERE hash=?1",
    [Q_RAW_FIND] = "SELECT doc FROM raw_inputs WHERE hash=?1",
    [Q_DOC_INSERT] = "INSERT INTO documents(name,hash,lang,published,title,url,day,sig,ents,text) "
                     "VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)",
    [Q_RAW_INSERT] = "INSERT OR IGNORE INTO raw_inputs(hash,doc) VALUES(?1,?2)",
    [Q_FTS_INSERT] = "INSERT INTO documents_fts(rowid,title,text) VALUES(?1,?2,?3)",
    /* ids are never reused: the largest is the number of documents stored,
     * read in O(log n) where count(*) would scan the table */
    [Q_DOC_COUNT] = "SELECT coalesce(max(id), 0) FROM documents",
    [Q_DOC_FEATURES] = "SELECT sig,ents,day,story FROM documents WHERE id=?1",
    [Q_DOC_STORY] = "UPDATE documents SET story=?2 WHERE id=?1",
    /* the document's entities counted into its story's (schema 4: story labels) */
    [Q_STORY_ENTS] = "INSERT INTO story_entities(story,entity,docs,mentions) SELECT ?2, entity, 1, sum(mentions) "
                     "FROM doc_entities WHERE doc=?1 GROUP BY entity ON CONFLICT(story,entity) "
                     "DO UPDATE SET docs=docs+1, mentions=mentions+excluded.mentions",
    [Q_KEY_FIND] = "SELECT e.id,e.type,e.ndocs,e.name FROM keys k JOIN entities e ON e.id=k.entity "
                   "WHERE k.kind=?1 AND k.key=?2 ORDER BY e.ndocs DESC, e.id LIMIT ?3",
    [Q_KEY_ADD] = "INSERT OR IGNORE INTO keys(kind,key,entity) VALUES(?1,?2,?3)",
    [Q_ENT_NEW] = "INSERT INTO entities(type,name,ndocs) VALUES(?1,?2,0)",
    [Q_ENT_GET] = "SELECT id,type,ndocs,name FROM entities WHERE id=?1",
    [Q_ENT_RENAME] = "UPDATE entities SET name=?2 WHERE id=?1",
    [Q_ENT_SEEN] = "UPDATE entities SET ndocs=ndocs+1, first_day=min(coalesce(first_day,?2),coalesce(?2,first_day)), "
                   "last_day=max(coalesce(last_day,?2),coalesce(?2,last_day)), "
                   "v_per=v_per+(?3 IS 'PER'), v_org=v_org+(?3 IS 'ORG'), v_loc=v_loc+(?3 IS 'LOC'), v_misc=v_misc+(?3 IS 'MISC'), "
                   "type=CASE WHEN ?3 IS NULL THEN type "
                   "WHEN v_per+(?3 IS 'PER')>=max(v_org+(?3 IS 'ORG'),v_loc+(?3 IS 'LOC'),v_misc+(?3 IS 'MISC')) THEN 'PER' "
                   "WHEN v_org+(?3 IS 'ORG')>=max(v_loc+(?3 IS 'LOC'),v_misc+(?3 IS 'MISC')) THEN 'ORG' "
                   "WHEN v_loc+(?3 IS 'LOC')>=v_misc+(?3 IS 'MISC') THEN 'LOC' ELSE 'MISC' END WHERE id=?1",
    [Q_NAME_ADD] = "INSERT INTO names(entity,name,n) VALUES(?1,?2,1) ON CONFLICT(entity,name) DO UPDATE SET n=n+1",
    [Q_COOCCUR] = "SELECT count(*) FROM (SELECT DISTINCT doc FROM doc_entities WHERE entity=?1 ORDER BY doc DESC "
                  "LIMIT 500) a WHERE EXISTS (SELECT 1 FROM doc_entities b WHERE b.doc=a.doc AND b.entity=?2)",
    [Q_DOCENT_ADD] = "INSERT OR REPLACE INTO doc_entities(doc,local,entity,type,name,mentions,start,stop,spans) "
                     "VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9)",
    [Q_ENT_DOCS] = "SELECT doc FROM doc_entities WHERE entity=?1 ORDER BY doc DESC LIMIT ?2",
    [Q_TIMEX_ADD] = "INSERT INTO timexes(doc,start,stop,type,value) VALUES(?1,?2,?3,?4,?5)",
    [Q_QTY_ADD] = "INSERT INTO quantities(doc,start,stop,value,unit,noun,per) VALUES(?1,?2,?3,?4,?5,?6,?7)",
    [Q_QUOTE_ADD] = "INSERT INTO quotes(doc,start,stop,speaker_local,speaker,cue,direct) "
                    "VALUES(?1,?2,?3,?4,?5,?6,?7)",
    [Q_QUOTE_FTS] = "INSERT INTO quotes_fts(rowid,text) VALUES(?1,?2)",
    [Q_TERM_BUMP] = "INSERT INTO terms(term,df) VALUES(?1,1) ON CONFLICT(term) DO UPDATE SET df=df+1 RETURNING df",
    [Q_TERM_DF] = "SELECT df FROM terms WHERE term=?1",
    /* every distinct term of an article in one statement (a JSON array of numbers) */
    [Q_TERMS_BUMP] = "INSERT INTO terms(term,df) SELECT value,1 FROM json_each(?1) WHERE true "
                     "ON CONFLICT(term) DO UPDATE SET df=df+1 RETURNING term,df",
    [Q_POSTING_ADD] = "INSERT OR IGNORE INTO postings(term,doc) VALUES(?1,?2)",
    [Q_POSTING_DOCS] = "SELECT doc FROM postings WHERE term=?1 ORDER BY doc DESC LIMIT ?2",
    [Q_STORY_NEW] = "INSERT INTO stories(ndocs,first_day,last_day) VALUES(0,?1,?1)",
    [Q_STORY_ADD] = "UPDATE stories SET ndocs=ndocs+1, first_day=min(coalesce(first_day,?2),coalesce(?2,first_day)), "
                    "last_day=max(coalesce(last_day,?2),coalesce(?2,last_day)) WHERE id=?1",
    [Q_STORY_FEATURES] = "SELECT sig,ents FROM stories WHERE id=?1",
    [Q_STORY_SET] = "UPDATE stories SET sig=?2, ents=?3 WHERE id=?1",
    [Q_TITLE_ADD] = "INSERT OR IGNORE INTO titles(doc,local,title,entity) VALUES(?1,?2,?3,?4)",
    /* the merge's candidates: index probes on (source, day), (root,
     * source_actor, day) and, for symmetric codes, the same on the target */
    /* (+root: look the few ids up by rowid; on the root index the outer query scanned every
     * event of the root, a cost growing with the base) */
    [Q_EV_CAND] = "SELECT id,code,source,target,source_actor,target_actor,date,day FROM events WHERE +root=?1 AND id IN ("
                  "SELECT id FROM events WHERE source=?4 AND day BETWEEN ?2 AND ?3 "
                  "UNION SELECT id FROM events WHERE root=?1 AND source_actor=?5 AND day BETWEEN ?2 AND ?3 "
                  "UNION SELECT id FROM events WHERE ?6 AND target=?4 AND day BETWEEN ?2 AND ?3 "
                  "UNION SELECT id FROM events WHERE ?6 AND root=?1 AND target_actor=?5 AND day BETWEEN ?2 AND ?3) "
                  "ORDER BY id LIMIT ?7",
    [Q_EV_NEW] = "INSERT INTO events(code,root,source,target,source_actor,target_actor,quad,goldstein,location,date,day) "
                 "VALUES(?1,CASE WHEN ?11 THEN NULL ELSE substr(?1,1,2) END,?2,?3,?4,?5,?6,?7,?8,?9,?10)",
    [Q_EV_UPDATE] = "UPDATE events SET code=?2, quad=coalesce(?3,quad), goldstein=coalesce(?4,goldstein), date=?5, day=?6, source=coalesce(source,?7), "
                    "target=coalesce(target,?8), source_actor=coalesce(source_actor,?9), "
                    "target_actor=coalesce(target_actor,?10), location=coalesce(location,?11) WHERE id=?1",
    [Q_EV_REPORT] = "INSERT OR IGNORE INTO event_reports(event,doc,start,stop,code,sentence,trigger,negated,mood,date) "
                    "VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)",
    [Q_EV_REPORTS] = "SELECT r.doc,d.name,r.code,r.sentence,r.start,r.stop,r.trigger,r.negated,r.mood,r.date,NULL "
                     "FROM event_reports r JOIN documents d ON d.id=r.doc WHERE r.event=?1 ORDER BY r.doc, r.start",
    [Q_EV_REPORTS_TEXT] = "SELECT r.doc,d.name,r.code,r.sentence,r.start,r.stop,r.trigger,r.negated,r.mood,r.date,"
                          "ng_span(d.text, r.start, min(r.stop - r.start, 600)) "
                          "FROM event_reports r JOIN documents d ON d.id=r.doc WHERE r.event=?1 ORDER BY r.doc, r.start",
};

/* Version 1 of the schema, as created in a new file. */
static const char schema_v1[] =
    "CREATE TABLE documents(id INTEGER PRIMARY KEY, name TEXT NOT NULL, hash INTEGER NOT NULL, lang TEXT,"
    " published TEXT, title TEXT, url TEXT, day INTEGER, story INTEGER, sig BLOB, ents BLOB, text TEXT NOT NULL);"
    "CREATE UNIQUE INDEX documents_hash ON documents(hash);"
    "CREATE INDEX documents_story ON documents(story);"
    "CREATE INDEX documents_name ON documents(name);"
    "CREATE INDEX documents_day ON documents(day);"
    "CREATE TABLE raw_inputs(hash INTEGER PRIMARY KEY, doc INTEGER NOT NULL);"
    "CREATE VIRTUAL TABLE documents_fts USING fts5(title, text, content='documents', content_rowid='id');"
    "CREATE TABLE entities(id INTEGER PRIMARY KEY, type TEXT NOT NULL, name TEXT NOT NULL,"
    " ndocs INTEGER NOT NULL DEFAULT 0, first_day INTEGER, last_day INTEGER, v_per INTEGER NOT NULL DEFAULT 0,"
    " v_org INTEGER NOT NULL DEFAULT 0, v_loc INTEGER NOT NULL DEFAULT 0, v_misc INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE keys(kind INTEGER NOT NULL, key TEXT NOT NULL, entity INTEGER NOT NULL,"
    " PRIMARY KEY(kind, key, entity)) WITHOUT ROWID;"
    "CREATE TABLE names(entity INTEGER NOT NULL, name TEXT NOT NULL, n INTEGER NOT NULL DEFAULT 1,"
    " PRIMARY KEY(entity, name)) WITHOUT ROWID;"
    "CREATE TABLE doc_entities(doc INTEGER NOT NULL, local INTEGER NOT NULL, entity INTEGER NOT NULL,"
    " type TEXT, name TEXT, mentions INTEGER, PRIMARY KEY(doc, local)) WITHOUT ROWID;"
    "CREATE INDEX doc_entities_entity ON doc_entities(entity, doc);"
    "CREATE TABLE mentions(doc INTEGER NOT NULL, local INTEGER NOT NULL, start INTEGER NOT NULL,"
    " stop INTEGER NOT NULL, PRIMARY KEY(doc, local, start, stop)) WITHOUT ROWID;"
    "CREATE TABLE timexes(doc INTEGER NOT NULL, start INTEGER, stop INTEGER, type TEXT, value TEXT);"
    "CREATE INDEX timexes_doc ON timexes(doc);"
    "CREATE INDEX timexes_value ON timexes(value);"
    "CREATE TABLE quantities(doc INTEGER NOT NULL, start INTEGER, stop INTEGER, value REAL, unit TEXT,"
    " noun TEXT, per TEXT);"
    "CREATE INDEX quantities_doc ON quantities(doc);"
    "CREATE TABLE quotes(id INTEGER PRIMARY KEY, doc INTEGER NOT NULL, start INTEGER, stop INTEGER,"
    " speaker_local INTEGER, speaker INTEGER, cue TEXT, direct INTEGER, text TEXT);"
    "CREATE INDEX quotes_doc ON quotes(doc);"
    "CREATE INDEX quotes_speaker ON quotes(speaker);"
    "CREATE VIRTUAL TABLE quotes_fts USING fts5(text, content='quotes', content_rowid='id');"
    "CREATE TABLE events(id INTEGER PRIMARY KEY, code TEXT NOT NULL, source INTEGER, target INTEGER,"
    " date TEXT, day INTEGER);"
    "CREATE INDEX events_source ON events(source, day);"
    "CREATE INDEX events_target ON events(target, day);"
    "CREATE TABLE event_reports(event INTEGER NOT NULL, doc INTEGER NOT NULL, start INTEGER, stop INTEGER,"
    " PRIMARY KEY(event, doc, start)) WITHOUT ROWID;"
    "CREATE TABLE terms(term INTEGER PRIMARY KEY, df INTEGER NOT NULL);"
    "CREATE TABLE postings(term INTEGER NOT NULL, doc INTEGER NOT NULL, PRIMARY KEY(term, doc)) WITHOUT ROWID;"
    "CREATE TABLE stories(id INTEGER PRIMARY KEY, ndocs INTEGER NOT NULL DEFAULT 0, first_day INTEGER,"
    " last_day INTEGER, sig BLOB, ents BLOB);";

/* Version 2: the titles and roles the tagger found around an entity's
 * mentions ("French Minister of Defense"), per article, for "titles over
 * time". */
static const char schema_v2[] =
    "CREATE TABLE titles(doc INTEGER NOT NULL, local INTEGER NOT NULL, title TEXT NOT NULL,"
    " PRIMARY KEY(doc, local, title)) WITHOUT ROWID;";

/* Version 3: events merged across articles (kb.c has the rule).  An event
 * gets its code's root (first two digits, for the merge's look-ups), the
 * actor codes of both sides, the codebook's QuadClass and Goldstein value,
 * and a place; each report the code, sentence, trigger word, negation,
 * mood and date its article gave. */
static const char schema_v3[] =
    "ALTER TABLE events ADD COLUMN root TEXT;"
    "ALTER TABLE events ADD COLUMN source_actor TEXT;"
    "ALTER TABLE events ADD COLUMN target_actor TEXT;"
    "ALTER TABLE events ADD COLUMN quad INTEGER;"
    "ALTER TABLE events ADD COLUMN goldstein REAL;"
    "ALTER TABLE events ADD COLUMN location TEXT;"
    "CREATE INDEX events_root_sactor ON events(root, source_actor, day);"
    "CREATE INDEX events_root_tactor ON events(root, target_actor, day);"
    "ALTER TABLE event_reports ADD COLUMN code TEXT;"
    "ALTER TABLE event_reports ADD COLUMN sentence INTEGER;"
    "ALTER TABLE event_reports ADD COLUMN trigger TEXT;"
    "ALTER TABLE event_reports ADD COLUMN negated INTEGER;"
    "ALTER TABLE event_reports ADD COLUMN mood TEXT;"
    "ALTER TABLE event_reports ADD COLUMN date TEXT;"
    "CREATE INDEX event_reports_doc ON event_reports(doc);";

/* Version 4: size and speed at 100,000 articles (docs/kb.md, "Scale").
 * - documents.text holds the text deflated (a BLOB: its length in 4 bytes,
 *   little-endian, then raw deflate); a TEXT value (older rows) is read as
 *   it is.  SQL reads it through ng_text(text) and ng_span(text, start, n)
 *   (registered on every connection, below), and the full-text index reads
 *   it through the view documents_text;
 * - quotes no longer store their text, a span of the article's text
 *   (ng_span_text); quotes_fts is contentless with detail=none (nothing
 *   reads its text back; word and prefix queries, no phrases);
 * - timexes_value dropped (no query looks time expressions up by value);
 * - story_entities(story, entity, docs, mentions): how many of a story's
 *   articles name an entity, kept as articles join stories, so that the
 *   stories query's labels read three rows instead of grouping every
 *   entity of every article of the story;
 * - indexes for the page's lists: the largest stories, the most named
 *   entities, events and documents in date order. */
static const char schema_v4[] =
    "DROP TABLE documents_fts;"
    "UPDATE documents SET text=ng_zip(text) WHERE typeof(text)='text';"
    "CREATE VIEW documents_text(id, title, text) AS SELECT id, title, ng_text(text) FROM documents;"
    "CREATE VIRTUAL TABLE documents_fts USING fts5(title, text, content='documents_text', content_rowid='id');"
    "INSERT INTO documents_fts(documents_fts) VALUES('rebuild');"
    "DROP TABLE quotes_fts;"
    "CREATE VIRTUAL TABLE quotes_fts USING fts5(text, content='', detail=none);"
    "INSERT INTO quotes_fts(rowid, text) SELECT id, text FROM quotes WHERE text IS NOT NULL;"
    "ALTER TABLE quotes DROP COLUMN text;"
    "CREATE INDEX stories_ndocs ON stories(ndocs DESC, id);"
    "CREATE INDEX entities_ndocs ON entities(ndocs DESC, id);"
    "CREATE INDEX events_day ON events(day, id);"
    "CREATE INDEX quotes_doc_id ON quotes(doc, id);"
    "DROP INDEX quotes_doc;"
    "DROP INDEX timexes_value;"
    "CREATE TABLE story_entities(story INTEGER NOT NULL, entity INTEGER NOT NULL, docs INTEGER NOT NULL,"
    " mentions INTEGER, PRIMARY KEY(story, entity)) WITHOUT ROWID;"
    "CREATE INDEX story_entities_rank ON story_entities(story, docs DESC, mentions DESC);"
    "INSERT INTO story_entities SELECT d.story, de.entity, count(DISTINCT de.doc), sum(de.mentions) FROM documents d"
    " JOIN doc_entities de ON de.doc=d.id WHERE d.story IS NOT NULL GROUP BY d.story, de.entity;";

/* Version 5: size at 100,000 articles (docs/kb.md, "Scale").
 * - the mentions table (a row of about 45 bytes per mention, a third of
 *   the base's non-text size with doc_entities) folded into doc_entities:
 *   start/stop = the first mention (the timeline's context), spans = the
 *   others packed (kb.h: ng_kb_spans_pack), NULL when there are none;
 * - quotes_fts without its per-row sizes (columnsize=0: only ranking
 *   reads them, and nothing ranks quotes). */
static const char schema_v5[] =
    "ALTER TABLE doc_entities ADD COLUMN start INTEGER;"
    "ALTER TABLE doc_entities ADD COLUMN stop INTEGER;"
    "ALTER TABLE doc_entities ADD COLUMN spans BLOB;"
    "UPDATE doc_entities SET (start, stop) = (SELECT start, stop FROM mentions m WHERE m.doc=doc_entities.doc AND "
    " m.local=doc_entities.local ORDER BY start, stop LIMIT 1), spans = (SELECT ng_spans(start, stop) FROM mentions m "
    " WHERE m.doc=doc_entities.doc AND m.local=doc_entities.local);"
    "DROP TABLE mentions;"
    "DROP TABLE quotes_fts;"
    "CREATE VIRTUAL TABLE quotes_fts USING fts5(text, content='', detail=none, columnsize=0);"
    "INSERT INTO quotes_fts(rowid, text) SELECT q.id, ng_span_text(d.text, q.start, q.stop - q.start) FROM quotes q"
    " JOIN documents d ON d.id=q.doc WHERE q.stop > q.start;";

/* Upgrades from version i to i + 1, in order; migrations[0] creates v1
 * from an empty file.  A new schema version appends one entry here. */
/* Version 6: titles.entity (the entity of the title's doc_entities row)
 * and an index on it, so that an entity's titles are read from its titled
 * rows alone: the profile probed titles once for each of its articles
 * (America, in 16,000 of 100,000, has none). */
static const char schema_v6[] =
    "ALTER TABLE titles ADD COLUMN entity INTEGER;"
    "UPDATE titles SET entity=(SELECT entity FROM doc_entities de WHERE de.doc=titles.doc AND de.local=titles.local);"
    "CREATE INDEX titles_entity ON titles(entity);";

/* Version 7: documents(id, day), an index that only gives an article's day
 * from its id.  The queries that sort an entity's quotes, titles or
 * articles by date look the day of each up through it (INDEXED BY): 12
 * bytes an article where the table's row, with its text, is about 2,700,
 * so those lookups read a 1 MB B-tree instead of a page of the table each.
 * quotes_speaker gets the article (speaker, doc): a speaker's quotes and
 * their articles come from the index without reading each quote's row (a
 * speaker quoted thousands of times at 100,000 articles). */
static const char schema_v7[] = "CREATE INDEX documents_id_day ON documents(id, day);"
                                "DROP INDEX quotes_speaker;"
                                "CREATE INDEX quotes_speaker ON quotes(speaker, doc);";

static const char *const migrations[] = {schema_v1, schema_v2, schema_v3, schema_v4, schema_v5, schema_v6, schema_v7};

/* ---- the stored text: deflated (schema 4) -------------------------------- */

/* Deflates text[n] into a malloc'd blob (4-byte length, raw deflate);
 * NULL when out of memory. */
static unsigned char *zip_text(const char *text, size_t n, size_t *out_len)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return NULL;
    size_t cap = 4 + deflateBound(&z, (uLong)n);
    unsigned char *b = malloc(cap);
    if (!b) {
        deflateEnd(&z);
        return NULL;
    }
    b[0] = (unsigned char)(n & 0xff), b[1] = (unsigned char)((n >> 8) & 0xff);
    b[2] = (unsigned char)((n >> 16) & 0xff), b[3] = (unsigned char)((n >> 24) & 0xff);
    z.next_in = (Bytef *)text;
    z.avail_in = (uInt)n;
    z.next_out = b + 4;
    z.avail_out = (uInt)(cap - 4);
    int r = deflate(&z, Z_FINISH);
    *out_len = 4 + z.total_out;
    deflateEnd(&z);
    if (r != Z_STREAM_END) {
        free(b);
        return NULL;
    }
    return b;
}

/* The first want bytes (at most) of a stored text value: v itself when it
 * is TEXT, else inflated into a malloc'd buffer (*own).  *n gets the
 * length; NULL for NULL, or a damaged blob (*bad). */
static const char *stored_text(sqlite3_value *v, size_t want, size_t *n, char **own, int *bad)
{
    *own = NULL;
    *bad = 0;
    *n = 0;
    int t = sqlite3_value_type(v);
    if (t == SQLITE_NULL)
        return NULL;
    if (t != SQLITE_BLOB) {
        const char *p = (const char *)sqlite3_value_text(v);
        *n = (size_t)sqlite3_value_bytes(v);
        return p ? p : "";
    }
    const unsigned char *b = sqlite3_value_blob(v);
    size_t len = (size_t)sqlite3_value_bytes(v);
    if (len < 4) {
        *bad = 1;
        return NULL;
    }
    size_t full = (size_t)b[0] | (size_t)b[1] << 8 | (size_t)b[2] << 16 | (size_t)b[3] << 24;
    if (want > full)
        want = full;
    char *out = malloc(want + 1);
    if (!out)
        return NULL;
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, -15) != Z_OK) {
        free(out);
        return NULL;
    }
    z.next_in = (Bytef *)(b + 4);
    z.avail_in = (uInt)(len - 4);
    z.next_out = (Bytef *)out;
    z.avail_out = (uInt)want;
    int r = want ? inflate(&z, Z_SYNC_FLUSH) : Z_OK;
    size_t got = z.total_out;
    inflateEnd(&z);
    if ((r != Z_OK && r != Z_STREAM_END) || got != want) {
        free(out);
        *bad = 1;
        return NULL;
    }
    out[want] = 0;
    *own = out;
    *n = want;
    return out;
}

/* ng_text(x): the stored text x as TEXT. */
static void fn_text(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc;
    size_t n;
    char *own;
    int bad;
    const char *p = stored_text(argv[0], SIZE_MAX, &n, &own, &bad);
    if (bad)
        sqlite3_result_error(c, "damaged stored text", -1);
    else if (!p && sqlite3_value_type(argv[0]) != SQLITE_NULL)
        sqlite3_result_error_nomem(c);
    else if (!p)
        sqlite3_result_null(c);
    else if (own)
        sqlite3_result_text(c, own, (int)n, free);
    else
        sqlite3_result_text(c, p, (int)n, SQLITE_TRANSIENT);
}

/* ng_span(x, start, n): bytes start .. start + n of the stored text x, as
 * a BLOB (as substr(CAST(x AS BLOB), start + 1, n) gave); only the text up
 * to the span's end is inflated.  ng_span_text: the same as TEXT, for
 * spans that cut no character (a quote). */
static void fn_span(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc;
    sqlite3_int64 start = sqlite3_value_int64(argv[1]), len = sqlite3_value_int64(argv[2]);
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL || sqlite3_value_type(argv[1]) == SQLITE_NULL ||
        sqlite3_value_type(argv[2]) == SQLITE_NULL) {
        sqlite3_result_null(c);
        return;
    }
    if (start < 0) {
        len += start;
        start = 0;
    }
    if (len < 0)
        len = 0;
    size_t n;
    char *own;
    int bad;
    const char *p = stored_text(argv[0], (size_t)(start + len), &n, &own, &bad);
    if (bad) {
        sqlite3_result_error(c, "damaged stored text", -1);
        return;
    }
    if (!p) {
        sqlite3_result_error_nomem(c);
        return;
    }
    if ((size_t)start > n)
        start = (sqlite3_int64)n;
    if ((size_t)(start + len) > n)
        len = (sqlite3_int64)n - start;
    if (sqlite3_user_data(c))
        sqlite3_result_text(c, p + start, (int)len, SQLITE_TRANSIENT);
    else
        sqlite3_result_blob(c, p + start, (int)len, SQLITE_TRANSIENT);
    free(own);
}

/* ng_zip(x): TEXT x deflated as stored (the migration to schema 4). */
static void fn_zip(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (sqlite3_value_type(argv[0]) != SQLITE_TEXT) {
        sqlite3_result_value(c, argv[0]);
        return;
    }
    size_t n;
    unsigned char *b = zip_text((const char *)sqlite3_value_text(argv[0]), (size_t)sqlite3_value_bytes(argv[0]), &n);
    if (!b)
        sqlite3_result_error_nomem(c);
    else
        sqlite3_result_blob(c, b, (int)n, free);
}

/* ng_spans(start, stop): an aggregate, the mentions of its rows packed as
 * doc_entities.spans (all but the first in (start, stop) order; NULL when
 * there is no other): the migration to schema 5. */
typedef struct {
    uint32_t *v;
    size_t n, cap;
    int oom;
} spans_acc;

static void fn_spans_step(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc;
    spans_acc *a = sqlite3_aggregate_context(c, sizeof *a);
    if (!a || a->oom)
        return;
    if (a->n == a->cap) {
        size_t nc = a->cap ? a->cap * 2 : 16;
        uint32_t *nv = realloc(a->v, nc * 2 * sizeof *nv);
        if (!nv) {
            a->oom = 1;
            return;
        }
        a->v = nv;
        a->cap = nc;
    }
    a->v[2 * a->n] = (uint32_t)sqlite3_value_int64(argv[0]);
    a->v[2 * a->n + 1] = (uint32_t)sqlite3_value_int64(argv[1]);
    a->n++;
}

static void fn_spans_final(sqlite3_context *c)
{
    spans_acc *a = sqlite3_aggregate_context(c, 0);
    if (!a || !a->n) {
        sqlite3_result_null(c);
        return;
    }
    size_t n = a->oom ? 0 : ng_kb_spans_sort(a->v, a->n);
    unsigned char *out = n > 1 ? malloc(NG_KB_SPANS_MAX(n)) : NULL;
    if (a->oom || (n > 1 && !out))
        sqlite3_result_error_nomem(c);
    else if (n > 1)
        sqlite3_result_blob(c, out, (int)ng_kb_spans_pack(a->v, n, out), SQLITE_TRANSIENT);
    else
        sqlite3_result_null(c);
    free(out);
    free(a->v);
}

static int add_functions(sqlite3 *db)
{
    int f = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS;
    if (sqlite3_create_function(db, "ng_text", 1, f, NULL, fn_text, NULL, NULL) != SQLITE_OK ||
        sqlite3_create_function(db, "ng_span", 3, f, NULL, fn_span, NULL, NULL) != SQLITE_OK ||
        sqlite3_create_function(db, "ng_span_text", 3, f, (void *)1, fn_span, NULL, NULL) != SQLITE_OK ||
        sqlite3_create_function(db, "ng_zip", 1, f, NULL, fn_zip, NULL, NULL) != SQLITE_OK ||
        sqlite3_create_function(db, "ng_spans", 2, f, NULL, NULL, fn_spans_step, fn_spans_final) != SQLITE_OK)
        return NG_EDB;
    return NG_OK;
}

_Static_assert(sizeof migrations / sizeof *migrations == NG_KB_SCHEMA,
               "kb_sqlite.c: migrations[] must have one entry per schema version (NG_KB_SCHEMA in kb.h)");

typedef struct {
    ng_kb_store base; /* must come first */
    sqlite3 *db;
    sqlite3_stmt *q[Q_COUNT]; /* prepared lazily */
    int in_tx;                /* a transaction is open */
    int64_t deadline;         /* read-only: CLOCK_MONOTONIC ms after which a query stops (0: none) */
    /* full-text rows of the open transaction, written just before COMMIT:
     * FTS5 writes its pending terms out as a new segment at every savepoint
     * once it is part of a transaction, so indexing article by article
     * inside the per-article savepoints made one tiny segment per article
     * (and a merge) plus a flush per statement; written once per batch it
     * is one segment per transaction */
    struct fts_row {
        int quote;  /* 0: documents_fts(title, text), 1: quotes_fts(text) */
        ng_id id;
        char *title, *text;
        size_t text_len;
    } *fts;
    size_t nfts, fts_cap, fts_mark;
} kbsql;

static void fts_drop(kbsql *k, size_t from)
{
    for (size_t i = from; i < k->nfts; i++) {
        free(k->fts[i].title);
        free(k->fts[i].text);
    }
    k->nfts = from;
}

/* Keeps a full-text row for the next commit; NG_ENOMEM. */
static int fts_keep(kbsql *k, int quote, ng_id id, const char *title, const char *text, size_t text_len)
{
    if (k->nfts == k->fts_cap) {
        size_t cap = k->fts_cap ? k->fts_cap * 2 : 256;
        struct fts_row *p = realloc(k->fts, cap * sizeof *p);
        if (!p)
            return ng_kb_store_fail(&k->base, NG_ENOMEM, "out of memory");
        k->fts = p;
        k->fts_cap = cap;
    }
    struct fts_row *r = &k->fts[k->nfts];
    r->quote = quote;
    r->id = id;
    r->title = title && *title ? strdup(title) : NULL;
    r->text = malloc(text_len + 1);
    if ((title && *title && !r->title) || !r->text) {
        free(r->title);
        free(r->text);
        return ng_kb_store_fail(&k->base, NG_ENOMEM, "out of memory");
    }
    memcpy(r->text, text ? text : "", text_len);
    r->text[text_len] = 0;
    r->text_len = text_len;
    k->nfts++;
    return NG_OK;
}

int ng_kb_store_fail(ng_kb_store *s, int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->err, sizeof s->err, fmt, ap);
    va_end(ap);
    return rc;
}

/* Records SQLite's message for a failed step; returns NG_EDB (NG_ENOMEM
 * when SQLite ran out of memory). */
static int dbfail(kbsql *k, const char *what)
{
    int e = sqlite3_errcode(k->db);
    return ng_kb_store_fail(&k->base, e == SQLITE_NOMEM ? NG_ENOMEM : NG_EDB, "%s: %s", what,
                            sqlite3_errmsg(k->db));
}

/* The prepared statement i, reset and unbound, or NULL (error set). */
static sqlite3_stmt *stmt(kbsql *k, int i)
{
    if (!k->q[i]) {
        if (sqlite3_prepare_v3(k->db, sql_text[i], -1, SQLITE_PREPARE_PERSISTENT, &k->q[i], NULL) != SQLITE_OK) {
            dbfail(k, "prepare");
            return NULL;
        }
    } else {
        sqlite3_reset(k->q[i]);
        sqlite3_clear_bindings(k->q[i]);
    }
    return k->q[i];
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
    if (s && *s)
        sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

static void bind_day(sqlite3_stmt *st, int i, int32_t day)
{
    if (day == NG_KB_NODAY)
        sqlite3_bind_null(st, i);
    else
        sqlite3_bind_int(st, i, day);
}

/* Runs a statement that returns no row (or whose rows are ignored). */
static int run(kbsql *k, sqlite3_stmt *st, const char *what)
{
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        ;
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? NG_OK : dbfail(k, what);
}

/* Runs a statement whose first row's first column is an integer; *out gets
 * it, or dflt when there is no row. */
static int run_int(kbsql *k, sqlite3_stmt *st, int64_t dflt, int64_t *out, const char *what)
{
    int rc = sqlite3_step(st);
    *out = dflt;
    if (rc == SQLITE_ROW) {
        *out = sqlite3_column_int64(st, 0);
        rc = sqlite3_step(st);
        while (rc == SQLITE_ROW)
            rc = sqlite3_step(st);
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? NG_OK : dbfail(k, what);
}

static int exec(kbsql *k, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(k->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        int e = sqlite3_errcode(k->db);
        ng_kb_store_fail(&k->base, e == SQLITE_NOMEM ? NG_ENOMEM : NG_EDB, "%s", msg ? msg : "SQLite error");
        sqlite3_free(msg);
        return e == SQLITE_NOMEM ? NG_ENOMEM : NG_EDB;
    }
    return NG_OK;
}

static void op_close(ng_kb_store *s)
{
    kbsql *k = (kbsql *)s;
    if (!k)
        return;
    for (int i = 0; i < Q_COUNT; i++)
        sqlite3_finalize(k->q[i]);
    if (k->in_tx)
        sqlite3_exec(k->db, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(k->db);
    fts_drop(k, 0);
    free(k->fts);
    free(k);
}

static int op_begin(ng_kb_store *s)
{
    kbsql *k = (kbsql *)s;
    if (k->in_tx)
        return NG_OK;
    int rc = exec(k, "BEGIN IMMEDIATE");
    if (rc == NG_OK)
        k->in_tx = 1;
    return rc;
}

static int run(kbsql *k, sqlite3_stmt *st, const char *what);
static sqlite3_stmt *stmt(kbsql *k, int i);

static int op_commit(ng_kb_store *s)
{
    kbsql *k = (kbsql *)s;
    if (!k->in_tx)
        return NG_OK;
    int rc = NG_OK;
    for (size_t i = 0; i < k->nfts && rc == NG_OK; i++) {
        const struct fts_row *r = &k->fts[i];
        sqlite3_stmt *st = stmt(k, r->quote ? Q_QUOTE_FTS : Q_FTS_INSERT);
        if (!st) {
            rc = NG_EDB;
            break;
        }
        sqlite3_bind_int64(st, 1, r->id);
        if (r->quote) {
            sqlite3_bind_text(st, 2, r->text, (int)r->text_len, SQLITE_STATIC);
        } else {
            bind_text(st, 2, r->title);
            sqlite3_bind_text(st, 3, r->text, (int)r->text_len, SQLITE_STATIC);
        }
        rc = run(k, st, r->quote ? "index quote" : "index document text");
    }
    fts_drop(k, 0);
    if (rc != NG_OK)
        return rc; /* the transaction stays open: the caller rolls it back (close) */
    rc = exec(k, "COMMIT");
    if (rc == NG_OK)
        k->in_tx = 0;
    return rc;
}

static int op_doc_tx(ng_kb_store *s, int what)
{
    kbsql *k = (kbsql *)s;
    if (what == NG_TX_MARK) {
        k->fts_mark = k->nfts;
        return exec(k, "SAVEPOINT article");
    }
    if (what == NG_TX_KEEP)
        return exec(k, "RELEASE article");
    fts_drop(k, k->fts_mark); /* the article's full-text rows go with it */
    int rc = exec(k, "ROLLBACK TO article");
    return rc == NG_OK ? exec(k, "RELEASE article") : rc;
}

static int op_doc_find(ng_kb_store *s, int64_t hash, int raw, ng_id *doc)
{
    kbsql *k = (kbsql *)s;
    sqlite3_stmt *st = stmt(k, raw ? Q_RAW_FIND : Q_DOC_FIND);
    if (!st)
        return NG_EDB;
    sqlite3_bind_int64(st, 1, hash);
    return run_int(k, st, 0, doc, "find document");
}

static int op_doc_insert(ng_kb_store *s, const ng_kb_docrow *r, ng_id *doc)
{
    kbsql *k = (kbsql *)s;
    sqlite3_stmt *st = stmt(k, Q_DOC_INSERT);
    if (!st)
        return NG_EDB;
    sqlite3_bind_text(st, 1, r->name ? r->name : "-", -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, r->hash);
    bind_text(st, 3, r->lang);
    bind_text(st, 4, r->published);
    bind_text(st, 5, r->title);
    bind_text(st, 6, r->url);
    bind_day(st, 7, r->day);
    if (r->sig_len)
        sqlite3_bind_blob(st, 8, r->sig, (int)r->sig_len, SQLITE_TRANSIENT);
    if (r->ents_len)
        sqlite3_bind_blob(st, 9, r->ents, (int)r->ents_len, SQLITE_TRANSIENT);
    size_t zlen = 0;
    unsigned char *z = zip_text(r->text ? r->text : "", r->text ? r->text_len : 0, &zlen);
    if (!z)
        return ng_kb_store_fail(s, NG_ENOMEM, "out of memory");
    sqlite3_bind_blob(st, 10, z, (int)zlen, free); /* deflated (schema 4) */
    int rc = run(k, st, "store document");
    if (rc != NG_OK)
        return rc;
    *doc = sqlite3_last_insert_rowid(k->db);
    if (r->raw_hash) {
        st = stmt(k, Q_RAW_INSERT);
        if (!st)
            return NG_EDB;
        sqlite3_bind_int64(st, 1, r->raw_hash);
        sqlite3_bind_int64(st, 2, *doc);
        if ((rc = run(k, st, "store raw hash")) != NG_OK)
            return rc;
    }
    return fts_keep(k, 0, *doc, r->title, r->text, r->text ? r->text_len : 0); /* indexed at commit */
}

static int op_doc_count(ng_kb_store *s, int64_t *n)
{
    kbsql *k = (kbsql *)s;
    sqlite3_stmt *st = stmt(k, Q_DOC_COUNT);
    return st ? run_int(k, st, 0, n, "count documents") : NG_EDB;
}

/* Copies a blob of ng_kb_term into a malloc'd array. */
static int copy_terms(sqlite3_stmt *st, int col, ng_kb_term **out, size_t *n)
{
    int len = sqlite3_column_bytes(st, col);
    const void *p = sqlite3_column_blob(st, col);
    *out = NULL;
    *n = 0;
    if (!p || len < (int)sizeof(ng_kb_term))
        return NG_OK;
    *n = (size_t)len / sizeof(ng_kb_term);
    *out = malloc(*n * sizeof(ng_kb_term));
    if (!*out) {
        *n = 0;
        return NG_ENOMEM;
    }
    memcpy(*out, p, *n * sizeof(ng_kb_term));
    return NG_OK;
}

static int op_doc_features(ng_kb_store *s, ng_id doc, ng_kb_term **sig, size_t *nsig, ng_kb_term **ents,
                           size_t *nents, int32_t *day, ng_id *story)
{
    kbsql *k = (kbsql *)s;
    sqlite3_stmt *st = stmt(k, Q_DOC_FEATURES);
    *sig = *ents = NULL;
    *nsig = *nents = 0;
    *day = NG_KB_NODAY;
    *story = 0;
    if (!st)
        return NG_EDB;
    sqlite3_bind_int64(st, 1, doc);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        int e1 = copy_terms(st, 0, sig, nsig);
        int e2 = copy_terms(st, 1, ents, nents);
        if (sqlite3_column_type(st, 2) != SQLITE_NULL)
            *day = sqlite3_column_int(st, 2);
        *story = sqlite3_column_int64(st, 3);
        sqlite3_reset(st);
        if (e1 != NG_OK || e2 != NG_OK) {
            free(*sig);
            free(*ents);
            *sig = *ents = NULL;
            *nsig = *nents = 0;
            return ng_kb_store_fail(s, NG_ENOMEM, "out of memory");
        }
        return NG_OK;
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? NG_OK : dbfail(k, "read document");
}

static int op_doc_set_story(ng_kb_store *s, ng_id doc, ng_id story)
{
    kbsql *k = (kbsql *)s;
    sqlite3_stmt *st = stmt(k, Q_DOC_STORY);
    if (!st)
        return NG_EDB;
    sqlite3_bind_int64(st, 1, doc);
    sqlite3_bind_int64(st, 2, story);
    int rc = run(k, st, "set story");
    if (rc != NG_OK || !(st = stmt(k, Q_STORY_ENTS)))
        return rc != NG_OK ? rc : NG_EDB;
    sqlite3_bind_int64(st, 1, doc);
    sqlite3_bind_int64(st, 2, story);
    return run(k, st, "count story entities");
}

/* Fills a candidate from columns id, type, ndocs, name. */
static void read_cand(sqlite3_stmt *st, ng_kb_cand *c)
{
    c->id = sqlite3_column_int64(st, 0);
    const unsigned char *t = sqlite3_column_text(st, 1);
    snprintf(c->type, sizeof c->type, "%s", t ? (const char *)t : "MISC");
    c->ndocs = sqlite3_column_int64(st, 2);
    const unsigned char *nm = sqlite3_column_text(st, 3);
    snprintf(c->name, sizeof c->name, "%s", nm ? (const char *)nm : "");
}

static int op_key_find(ng_kb_store *s, int kind, const char *key, ng_kb_cand *out, size_t max, size_t *n)
{
    kbsql *k = (kbsql *)s;
    sqlite3_stmt *st = stmt(k, Q_KEY_FIND);
    *n = 0;
    if (!st)
        return NG_EDB;
    sqlite3_bind_int(st, 1, kind);
    sqlite3_bind_text(st, 2, key, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)max);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < max)
        read_cand(st, &out[(*n)++]);
    sqlite3_reset(st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? NG_OK : dbfail(k, "find key");
}

static int op_key_add(ng_kb_store *s, int kind, const char *key, ng_id entity)
{
    kbsql *k = (kbsql *)s;
    sqlite3_stmt *st = stmt(k, Q_KEY_ADD);
    if (!st)
        return NG_EDB;
    sqlite3_bind_int(st, 1, kind);
    sqlite3_bind_text(st, 2, key, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, entity);
    return run(k, st, "add key");
}

static int op_entity_new(ng_kb_store *s, const char *type, const char *name, ng_id *id)
{
    kbsql *k = (kbsql *)s;
    sqlite3_stmt *st = stmt(k, Q_ENT_NEW);
    if (!st)
        return NG_EDB;
    sqlite3_bind_text(st, 1, type ? type : "MISC", -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, name ? name : "", -1, SQLITE_TRANSIENT);
    int rc = run(k, st, "new entity");
    if (rc == NG_OK)
        *id = sqlite3_last_insert_rowid(k->db);
    return rc;
}

static int op_entity_get(ng_kb_store *s, ng_id id, ng_kb_cand *out)
{
    kbsql *k = (kbsql *)s;
    sqlite3_stmt *st = stmt(k, Q_ENT_GET);
    memset(out, 0, sizeof *out);
    if (!st)
        return NG_EDB;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        read_cand(st, out);
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? NG_OK : dbfail(k, "read entity");
}

static int op_entity_rename(ng_kb_store *s, ng_id id, const char *name)
{
    kbsql *k = (kbsql *)s;
    sqlite3_stmt *st = stmt(k, Q_ENT_RENAME);
    if (!st)
        return NG_EDB;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
    return run(k, st, "rename entity");
}

static int op_entity_seen(ng_kb_store *s, ng_id id, int32_t day, const char *type)
{
    kbsql *k = (kbsql *)s;
    sqlite3_stmt *st = stmt(k, Q_ENT_SEEN);
    if (!st)
        return NG_EDB;
    sqlite3_bind_int64(st, 1, id);
    bind_day(st, 2, day);
    bind_text(st, 3, type);
    return run(k, st, "count entity");
}

static int op_name_add(ng_kb_store *s, ng_id entity, const char *surface)
{
    kbsql *k = (kbsql *)s;
    sqlite3_stmt *st = stmt(k, Q_NAME_ADD);
    if (!st)
        return NG_EDB;
    sqlite3_bind_int64(st, 1, entity);
    sqlite3_bind_text(st, 2, surface, -1, SQLITE_TRANSIENT);
    return run(k, st, "add name");
}

static int op_cooccur(ng_kb_store *s, ng_id a, ng_id b, int64_t *n)
{
    kbsql *k = (kbsql *)s;
    sqlite3_stmt *st = stmt(k, Q_COOCCUR);
    if (!st)
        return NG_EDB;
    sqlite3_bind_int64(st, 1, a);
    sqlite3_bind_int64(st, 2, b);
    return run_int(k, st, 0, n, "co-occurrence");
}

static int op_docent_add(ng_kb_store *s, ng_id doc, uint32_t local, ng_id entity, const char *type, const char *name,
                         uint32_t nmentions, const uint32_t *spans, size_t nspans)
{
    kbsql *k = (kbsql *)s;
    sqlite3_stmt *st = stmt(k, Q_DOCENT_ADD);
    if (!st)
        return NG_EDB;
    sqlite3_bind_int64(st, 1, doc);
    sqlite3_bind_int(st, 2, (int)local);
    sqlite3_bind_int64(st, 3, entity);
    bind_text(st, 4, type);
    bind_text(st, 5, name);
    sqlite3_bind_int(st, 6, (int)nmentions);
    unsigned char packed[480], *z = NULL;
    if (nspans) {
        sqlite3_bind_int64(st, 7, spans[0]);
        sqlite3_bind_int64(st, 8, spans[1]);
    }
    if (nspans > 1) {
        unsigned char *out = packed;
        if (NG_KB_SPANS_MAX(nspans) > sizeof packed && !(out = z = malloc(NG_KB_SPANS_MAX(nspans))))
            return ng_kb_store_fail(s, NG_ENOMEM, "out of memory");
        size_t len = ng_kb_spans_pack(spans, nspans, out);
        sqlite3_bind_blob(st, 9, out, (int)len, SQLITE_TRANSIENT);
    }
    int rc = run(k, st, "store document entity");
    free(z);
    return rc;
}

/* Runs a query of one integer column with ?1 = key, ?2 = max into out[]. */
static int ids_query(kbsql *k, int q, int64_t key, ng_id *out, size_t max, size_t *n)
{
    sqlite3_stmt *st = stmt(k, q);
    *n = 0;
    if (!st)
        return NG_EDB;
    sqlite3_bind_int64(st, 1, key);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < max)
        out[(*n)++] = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? NG_OK : dbfail(k, "read index");
}

static int op_entity_docs(ng_kb_store *s, ng_id entity, ng_id *out, size_t max, size_t *n)
{
    return ids_query((kbsql *)s, Q_ENT_DOCS, entity, out, max, n);
}

static int op_timex_add(ng_kb_store *s, ng_id doc, uint32_t start, uint32_t end, const char *type, const char *value)
{
    kbsql *k = (kbsql *)s;
    sqlite3_stmt *st = stmt(k, Q_TIMEX_ADD);
    if (!st)
        return NG_EDB;
    sqlite3_bind_int64(st, 1, doc);
    sqlite3_bind_int64(st, 2, start);
    sqlite3_bind_int64(st, 3, end);
    bind_text(st, 4, type);
    bind_text(st, 5, value);
    return run(k, st, "store timex");
}

static int op_quantity_add(ng_kb_store *s, ng_id doc, uint32_t start, uint32_t end, double value, const char *unit,
                           const char *noun, const char *per)
{
    kbsql *k = (kbsql *)s;
    sqlite3_stmt *st = stmt(k, Q_QTY_ADD);
    if (!st)
        return NG_EDB;
    sqlite3_bind_int64(st, 1, doc);
    sqlite3_bind_int64(st, 2, start);
    sqlite3_bind_int64(st, 3, end);
    sqlite3_bind_double(st, 4, value);
    bind_text(st, 5, unit);
    bind_text(st, 6, noun);
    bind_text(st, 7, per);
    return run(k, st, "store quantity");
}

static int op_quote_add(ng_kb_store *s, ng_id doc, uint32_t start, uint32_t end, uint32_t speaker_local,
                        ng_id speaker, const char *cue, int direct, const char *text)
{
    kbsql *k = (kbsql *)s;
    sqlite3_stmt *st = stmt(k, Q_QUOTE_ADD);
    if (!st)
        return NG_EDB;
    sqlite3_bind_int64(st, 1, doc);
    sqlite3_bind_int64(st, 2, start);
    sqlite3_bind_int64(st, 3, end);
    if (speaker_local)
        sqlite3_bind_int(st, 4, (int)speaker_local);
    if (speaker)
        sqlite3_bind_int64(st, 5, speaker);
    bind_text(st, 6, cue);
    sqlite3_bind_int(st, 7, direct);
    int rc = run(k, st, "store quote");
    if (rc != NG_OK)
        return rc;
    ng_id id = sqlite3_last_insert_rowid(k->db);
    if (!text || !*text)
        return NG_OK; /* NULL text: nothing to index (as FTS5 did with it) */
    return fts_keep(k, 1, id, NULL, text, strlen(text)); /* indexed at commit */
}

static int op_term_bump(ng_kb_store *s, uint32_t term, int64_t *df)
{
    kbsql *k = (kbsql *)s;
    sqlite3_stmt *st = stmt(k, Q_TERM_BUMP);
    if (!st)
        return NG_EDB;
    sqlite3_bind_int64(st, 1, term);
    return run_int(k, st, 1, df, "count term");
}

typedef struct {
    uint32_t term;
    uint32_t i;
} term_at;

static int cmp_term_at(const void *a, const void *b)
{
    uint32_t x = ((const term_at *)a)->term, y = ((const term_at *)b)->term;
    return x < y ? -1 : x > y;
}

/* terms_bump: one INSERT ... ON CONFLICT ... RETURNING for all n (distinct)
 * terms; the rows come back in any order and are put in place by term. */
static int op_terms_bump(ng_kb_store *s, const uint32_t *terms, size_t n, int64_t *df)
{
    kbsql *k = (kbsql *)s;
    if (!n)
        return NG_OK;
    term_at *at = malloc(n * sizeof *at);
    char *json = malloc(n * 11 + 2);
    if (!at || !json) {
        free(at);
        free(json);
        return ng_kb_store_fail(s, NG_ENOMEM, "out of memory");
    }
    size_t len = 0;
    json[len++] = '[';
    for (size_t i = 0; i < n; i++) {
        at[i].term = terms[i];
        at[i].i = (uint32_t)i;
        df[i] = 1;
        len += (size_t)sprintf(json + len, i ? ",%u" : "%u", terms[i]);
    }
    json[len++] = ']';
    qsort(at, n, sizeof *at, cmp_term_at);
    sqlite3_stmt *st = stmt(k, Q_TERMS_BUMP);
    int rc = NG_EDB;
    if (st) {
        sqlite3_bind_text(st, 1, json, (int)len, SQLITE_STATIC);
        int r;
        while ((r = sqlite3_step(st)) == SQLITE_ROW) {
            term_at key = {(uint32_t)sqlite3_column_int64(st, 0), 0};
            term_at *f = bsearch(&key, at, n, sizeof *at, cmp_term_at);
            if (f)
                df[f->i] = sqlite3_column_int64(st, 1);
        }
        rc = r == SQLITE_DONE ? NG_OK : dbfail(k, "count terms");
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
    }
    free(at);
    free(json);
    return rc;
}

static int op_term_df(ng_kb_store *s, uint32_t term, int64_t *df)
{
    kbsql *k = (kbsql *)s;
    sqlite3_stmt *st = stmt(k, Q_TERM_DF);
    if (!st)
        return NG_EDB;
    sqlite3_bind_int64(st, 1, term);
    return run_int(k, st, 0, df, "read term");
}

static int op_posting_add(ng_kb_store *s, uint32_t term, ng_id doc)
{
    kbsql *k = (kbsql *)s;
    sqlite3_stmt *st = stmt(k, Q_POSTING_ADD);
    if (!st)
        return NG_EDB;
    sqlite3_bind_int64(st, 1, term);
    sqlite3_bind_int64(st, 2, doc);
    return run(k, st, "store posting");
}

static int op_posting_docs(ng_kb_store *s, uint32_t term, ng_id *out, size_t max, size_t *n)
{
    return ids_query((kbsql *)s, Q_POSTING_DOCS, term, out, max, n);
}

static int op_story_new(ng_kb_store *s, int32_t day, ng_id *id)
{
    kbsql *k = (kbsql *)s;
    sqlite3_stmt *st = stmt(k, Q_STORY_NEW);
    if (!st)
        return NG_EDB;
    bind_day(st, 1, day);
    int rc = run(k, st, "new story");
    if (rc == NG_OK)
        *id = sqlite3_last_insert_rowid(k->db);
    return rc;
}

static int op_story_add(ng_kb_store *s, ng_id story, int32_t day)
{
    kbsql *k = (kbsql *)s;
    sqlite3_stmt *st = stmt(k, Q_STORY_ADD);
    if (!st)
        return NG_EDB;
    sqlite3_bind_int64(st, 1, story);
    bind_day(st, 2, day);
    return run(k, st, "grow story");
}

static int op_story_features(ng_kb_store *s, ng_id story, ng_kb_term **sig, size_t *nsig, ng_kb_term **ents,
                             size_t *nents)
{
    kbsql *k = (kbsql *)s;
    sqlite3_stmt *st = stmt(k, Q_STORY_FEATURES);
    *sig = *ents = NULL;
    *nsig = *nents = 0;
    if (!st)
        return NG_EDB;
    sqlite3_bind_int64(st, 1, story);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        int e1 = copy_terms(st, 0, sig, nsig);
        int e2 = copy_terms(st, 1, ents, nents);
        sqlite3_reset(st);
        if (e1 != NG_OK || e2 != NG_OK) {
            free(*sig);
            free(*ents);
            *sig = *ents = NULL;
            *nsig = *nents = 0;
            return ng_kb_store_fail(s, NG_ENOMEM, "out of memory");
        }
        return NG_OK;
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? NG_OK : dbfail(k, "read story");
}

static int op_story_set_features(ng_kb_store *s, ng_id story, const ng_kb_term *sig, size_t nsig,
                                 const ng_kb_term *ents, size_t nents)
{
    kbsql *k = (kbsql *)s;
    sqlite3_stmt *st = stmt(k, Q_STORY_SET);
    if (!st)
        return NG_EDB;
    sqlite3_bind_int64(st, 1, story);
    if (nsig)
        sqlite3_bind_blob(st, 2, sig, (int)(nsig * sizeof *sig), SQLITE_TRANSIENT);
    if (nents)
        sqlite3_bind_blob(st, 3, ents, (int)(nents * sizeof *ents), SQLITE_TRANSIENT);
    return run(k, st, "store story centroid");
}

static int op_title_add(ng_kb_store *s, ng_id doc, uint32_t local, ng_id entity, const char *title)
{
    kbsql *k = (kbsql *)s;
    sqlite3_stmt *st = stmt(k, Q_TITLE_ADD);
    if (!st)
        return NG_EDB;
    sqlite3_bind_int64(st, 1, doc);
    sqlite3_bind_int(st, 2, (int)local);
    sqlite3_bind_text(st, 3, title, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 4, entity);
    return run(k, st, "store title");
}

/* ---- events ---------------------------------------------------------------- */

/* Copies text column i into out[cap] ("" when NULL; truncated). */
static void col_copy(sqlite3_stmt *st, int i, char *out, size_t cap)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    snprintf(out, cap, "%s", t ? (const char *)t : "");
}

static int op_event_candidates(ng_kb_store *s, const char *root, int32_t lo, int32_t hi, ng_id source,
                               const char *source_actor, ng_id target, const char *target_actor, int sym,
                               ng_kb_evcand *out, size_t max, size_t *n)
{
    (void)target;
    (void)target_actor;
    kbsql *k = (kbsql *)s;
    sqlite3_stmt *st = stmt(k, Q_EV_CAND);
    *n = 0;
    if (!st)
        return NG_EDB;
    sqlite3_bind_text(st, 1, root, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 2, lo);
    sqlite3_bind_int(st, 3, hi);
    sqlite3_bind_int64(st, 4, source);
    bind_text(st, 5, source_actor);
    sqlite3_bind_int(st, 6, sym != 0);
    sqlite3_bind_int64(st, 7, (sqlite3_int64)max);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < max) {
        ng_kb_evcand *c = &out[(*n)++];
        c->id = sqlite3_column_int64(st, 0);
        col_copy(st, 1, c->code, sizeof c->code);
        c->source = sqlite3_column_int64(st, 2);
        c->target = sqlite3_column_int64(st, 3);
        col_copy(st, 4, c->source_actor, sizeof c->source_actor);
        col_copy(st, 5, c->target_actor, sizeof c->target_actor);
        col_copy(st, 6, c->date, sizeof c->date);
        c->day = sqlite3_column_type(st, 7) == SQLITE_NULL ? NG_KB_NODAY : sqlite3_column_int(st, 7);
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? NG_OK : dbfail(k, "find events");
}

/* An entity id, NULL for 0. */
static void bind_id(sqlite3_stmt *st, int i, ng_id id)
{
    if (id)
        sqlite3_bind_int64(st, i, id);
    else
        sqlite3_bind_null(st, i);
}

/* QuadClass at i and Goldstein value at i + 1, both NULL when unknown. */
static void bind_quad(sqlite3_stmt *st, int i, const ng_kb_evrow *ev)
{
    if (ev->quad > 0) {
        sqlite3_bind_int(st, i, ev->quad);
        sqlite3_bind_double(st, i + 1, ev->goldstein);
    } else {
        sqlite3_bind_null(st, i);
        sqlite3_bind_null(st, i + 1);
    }
}

static int op_event_new(ng_kb_store *s, const ng_kb_evrow *ev, ng_id *id)
{
    kbsql *k = (kbsql *)s;
    sqlite3_stmt *st = stmt(k, Q_EV_NEW);
    if (!st)
        return NG_EDB;
    sqlite3_bind_text(st, 1, ev->code, -1, SQLITE_TRANSIENT);
    bind_id(st, 2, ev->source);
    bind_id(st, 3, ev->target);
    bind_text(st, 4, ev->source_actor);
    bind_text(st, 5, ev->target_actor);
    bind_quad(st, 6, ev);
    bind_text(st, 8, ev->location);
    bind_text(st, 9, ev->date);
    bind_day(st, 10, ev->day);
    sqlite3_bind_int(st, 11, ev->alone != 0);
    int rc = run(k, st, "store event");
    if (rc == NG_OK)
        *id = sqlite3_last_insert_rowid(k->db);
    return rc;
}

static int op_event_update(ng_kb_store *s, ng_id id, const ng_kb_evrow *ev)
{
    kbsql *k = (kbsql *)s;
    sqlite3_stmt *st = stmt(k, Q_EV_UPDATE);
    if (!st)
        return NG_EDB;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, ev->code, -1, SQLITE_TRANSIENT);
    bind_quad(st, 3, ev);
    bind_text(st, 5, ev->date);
    bind_day(st, 6, ev->day);
    bind_id(st, 7, ev->source);
    bind_id(st, 8, ev->target);
    bind_text(st, 9, ev->source_actor);
    bind_text(st, 10, ev->target_actor);
    bind_text(st, 11, ev->location);
    return run(k, st, "merge event");
}

static int op_event_report_add(ng_kb_store *s, ng_id event, ng_id doc, const ng_kb_evreport *r)
{
    kbsql *k = (kbsql *)s;
    sqlite3_stmt *st = stmt(k, Q_EV_REPORT);
    if (!st)
        return NG_EDB;
    sqlite3_bind_int64(st, 1, event);
    sqlite3_bind_int64(st, 2, doc);
    sqlite3_bind_int64(st, 3, r->start);
    sqlite3_bind_int64(st, 4, r->stop);
    bind_text(st, 5, r->code);
    sqlite3_bind_int64(st, 6, r->sentence);
    bind_text(st, 7, r->trigger);
    sqlite3_bind_int(st, 8, r->negated != 0);
    bind_text(st, 9, r->mood);
    bind_text(st, 10, r->date);
    return run(k, st, "store event report");
}

static const char *col_text(sqlite3_stmt *st, int i)
{
    return (const char *)sqlite3_column_text(st, i);
}

/* Read-only connections: a query stops after this long. */
#define RO_QUERY_MS 5000
static int64_t now_ms(void);

static int op_event_rows(ng_kb_store *s, const ng_kb_evfilter *f, int (*each)(void *ctx, const ng_kb_evread *ev),
                         void *ctx)
{
    kbsql *k = (kbsql *)s;
    if (k->deadline) /* read-only: this query's own time (it was left armed by the last one, or at open) */
        k->deadline = now_ms() + RO_QUERY_MS;
    /* the events, then each one's reports (an index probe: event_reports'
     * key starts with the event) */
    static const char cols[] = "SELECT e.id, e.code, e.source, e.target, e.source_actor, e.target_actor, e.quad, "
                               "e.goldstein, e.location, e.date, e.day, se.name, te.name FROM events e "
                               "LEFT JOIN entities se ON se.id=e.source LEFT JOIN entities te ON te.id=e.target ";
    ng_buf sql;
    ng_buf_init(&sql);
    ng_buf_puts(&sql, cols);
    if (!f->query) {
        ng_buf_puts(&sql, "ORDER BY e.id");
    } else {
        ng_buf_puts(&sql, "WHERE 1");
        if (f->entity)
            ng_buf_puts(&sql, " AND e.id IN (SELECT id FROM events WHERE source=?1 UNION SELECT id FROM events "
                              "WHERE target=?1)");
        if (f->root)
            ng_buf_puts(&sql, " AND substr(e.code, 1, length(?2))=?2");
        if (f->doc)
            ng_buf_puts(&sql, " AND e.id IN (SELECT event FROM event_reports WHERE doc=?4)");
        if (!f->entity && !f->doc && f->limit) {
            /* all events: the dated in day order (index events_day) and the undated, each cut at
             * the limit, then put together, instead of sorting every event */
            ng_buf_puts(&sql, " AND e.id IN (SELECT id FROM (SELECT id FROM events WHERE day IS NOT NULL");
            if (f->root)
                ng_buf_puts(&sql, " AND substr(code, 1, length(?2))=?2");
            ng_buf_puts(&sql, " ORDER BY day, id LIMIT ?3) UNION ALL SELECT id FROM (SELECT id FROM events "
                              "WHERE day IS NULL");
            if (f->root)
                ng_buf_puts(&sql, " AND substr(code, 1, length(?2))=?2");
            ng_buf_puts(&sql, " ORDER BY id LIMIT ?3))");
        }
        ng_buf_puts(&sql, " ORDER BY e.day IS NULL, e.day, e.id");
        if (f->limit)
            ng_buf_puts(&sql, " LIMIT ?3");
    }
    if (sql.oom) {
        ng_buf_free(&sql);
        return ng_kb_store_fail(s, NG_ENOMEM, "out of memory");
    }
    sqlite3_stmt *st = NULL;
    int r = sqlite3_prepare_v2(k->db, sql.p, -1, &st, NULL);
    ng_buf_free(&sql);
    if (r != SQLITE_OK)
        return dbfail(k, "read events");
    if (f->query) {
        if (f->entity)
            sqlite3_bind_int64(st, 1, f->entity);
        if (f->root)
            sqlite3_bind_text(st, 2, f->root, -1, SQLITE_TRANSIENT);
        if (f->limit)
            sqlite3_bind_int64(st, 3, (sqlite3_int64)f->limit);
        if (f->doc)
            sqlite3_bind_int64(st, 4, f->doc);
    }
    int rc = NG_OK;
    ng_kb_evread ev;
    memset(&ev, 0, sizeof ev);
    size_t cap = 0;
    while (rc == NG_OK && (r = sqlite3_step(st)) == SQLITE_ROW) {
        ev.id = sqlite3_column_int64(st, 0);
        ev.code = col_text(st, 1);
        ev.source = sqlite3_column_int64(st, 2);
        ev.target = sqlite3_column_int64(st, 3);
        ev.source_actor = col_text(st, 4);
        ev.target_actor = col_text(st, 5);
        ev.quad = sqlite3_column_int(st, 6);
        ev.goldstein = sqlite3_column_double(st, 7);
        ev.location = col_text(st, 8);
        ev.date = col_text(st, 9);
        ev.day = sqlite3_column_type(st, 10) == SQLITE_NULL ? NG_KB_NODAY : sqlite3_column_int(st, 10);
        ev.source_name = f->query ? col_text(st, 11) : NULL;
        ev.target_name = f->query ? col_text(st, 12) : NULL;
        sqlite3_stmt *rs = stmt(k, f->query ? Q_EV_REPORTS_TEXT : Q_EV_REPORTS);
        if (!rs) {
            rc = NG_EDB;
            break;
        }
        sqlite3_bind_int64(rs, 1, ev.id);
        int rr;
        while (rc == NG_OK && (rr = sqlite3_step(rs)) == SQLITE_ROW) {
            ng_kb_evread_report rep = {
                .doc_id = sqlite3_column_int64(rs, 0),
                .doc = col_text(rs, 1),
                .code = col_text(rs, 2),
                .sentence = sqlite3_column_int64(rs, 3),
                .start = sqlite3_column_int64(rs, 4),
                .stop = sqlite3_column_int64(rs, 5),
                .trigger = col_text(rs, 6),
                .negated = sqlite3_column_int(rs, 7),
                .mood = col_text(rs, 8),
                .date = col_text(rs, 9),
            };
            if (sqlite3_column_type(rs, 10) != SQLITE_NULL) {
                rep.text = sqlite3_column_blob(rs, 10);
                rep.text_len = (size_t)sqlite3_column_bytes(rs, 10);
                if (!rep.text)
                    rep.text = "";
            }
            if (ng_kb_evread_add(&ev, &cap, &rep) != NG_OK)
                rc = ng_kb_store_fail(s, NG_ENOMEM, "out of memory");
        }
        if (rc == NG_OK && rr != SQLITE_DONE)
            rc = dbfail(k, "read event reports");
        sqlite3_reset(rs);
        if (rc == NG_OK && (rc = each(ctx, &ev)) != NG_OK && !s->err[0])
            ng_kb_store_fail(s, rc, "%s", ng_strerror(rc));
        ng_kb_evread_clear(&ev, &cap);
    }
    if (rc == NG_OK && r != SQLITE_DONE)
        rc = dbfail(k, "read events");
    sqlite3_finalize(st);
    return rc;
}

/* ---- export --------------------------------------------------------------- */

/* Output buffered in 64 KiB pieces. */
typedef struct {
    ng_buf b;
    int (*write)(void *ctx, const char *p, size_t n);
    void *ctx;
    int failed;
} out_t;

static void out_flush(out_t *o, int force)
{
    if (o->b.len && (force || o->b.len >= 65536) && !o->failed) {
        if (o->write(o->ctx, o->b.p, o->b.len) != 0)
            o->failed = 1;
        ng_buf_reset(&o->b);
    }
}

/* Writes column i of st as a JSON string, or null. */
static void out_col_str(out_t *o, sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    if (t)
        ng_buf_json_str(&o->b, (const char *)t, (size_t)sqlite3_column_bytes(st, i));
    else
        ng_buf_puts(&o->b, "null");
}

/* Writes a day number as a JSON ISO date string, or null. */
static void out_day(out_t *o, sqlite3_stmt *st, int i)
{
    if (sqlite3_column_type(st, i) == SQLITE_NULL) {
        ng_buf_puts(&o->b, "null");
        return;
    }
    /* civil from days (Howard Hinnant's algorithm) */
    int64_t z = sqlite3_column_int64(st, i) + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
    ng_buf_printf(&o->b, "\"%04lld-%02lld-%02lld\"", (long long)y, (long long)m, (long long)d);
}

/* Writes the rows of a one-column query bound to ?1 = id as a JSON array of strings. */
static int out_str_array(kbsql *k, out_t *o, sqlite3_stmt *st, int64_t id)
{
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, id);
    ng_buf_putc(&o->b, '[');
    int rc, first = 1;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (!first)
            ng_buf_putc(&o->b, ',');
        first = 0;
        out_col_str(o, st, 0);
    }
    ng_buf_putc(&o->b, ']');
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? NG_OK : dbfail(k, "export");
}

/* The export's events: one JSON object per line, as the other sections. */
typedef struct {
    out_t *o;
    size_t n;
} export_ev;

static int export_event(void *ctx, const ng_kb_evread *ev)
{
    export_ev *x = ctx;
    ng_buf_puts(&x->o->b, x->n++ ? ",\n" : "\n");
    ng_kb_event_json(&x->o->b, ev, 0);
    out_flush(x->o, 0);
    return x->o->b.oom ? NG_ENOMEM : x->o->failed ? NG_EIO : NG_OK;
}

static int op_export_json(ng_kb_store *s, int (*write)(void *ctx, const char *p, size_t n), void *ctx)
{
    kbsql *k = (kbsql *)s;
    out_t o;
    memset(&o, 0, sizeof o);
    ng_buf_init(&o.b);
    o.write = write;
    o.ctx = ctx;
    sqlite3_stmt *docs = NULL, *ents = NULL, *aliases = NULL, *edocs = NULL, *stories = NULL, *sdocs = NULL,
                 *slabel = NULL;
    int rc = NG_OK;
    const char *sql[] = {
        "SELECT name, lang, published, story, title FROM documents ORDER BY id",
        "SELECT id, type, name FROM entities WHERE ndocs > 0 ORDER BY id",
        "SELECT name FROM names WHERE entity=?1 AND name <> (SELECT name FROM entities WHERE id=?1) "
        "ORDER BY n DESC, name",
        "SELECT d.name FROM documents d WHERE d.id IN (SELECT doc FROM doc_entities WHERE entity=?1) ORDER BY d.id",
        "SELECT id, first_day, last_day, ndocs FROM stories WHERE ndocs > 0 ORDER BY id",
        "SELECT name FROM documents WHERE story=?1 ORDER BY id",
        /* the label: the entities named by most of the story's articles,
         * rarer ones first among equals */
        "SELECT e.name FROM doc_entities de JOIN documents d ON d.id=de.doc JOIN entities e ON e.id=de.entity "
        "WHERE d.story=?1 AND e.type IN ('PER','ORG','LOC','MISC') GROUP BY e.id "
        "ORDER BY count(DISTINCT de.doc) DESC, sum(de.mentions) DESC, e.ndocs, e.id LIMIT 3",
    };
    sqlite3_stmt **sts[] = {&docs, &ents, &aliases, &edocs, &stories, &sdocs, &slabel};
    for (size_t i = 0; i < sizeof sts / sizeof *sts; i++)
        if (sqlite3_prepare_v2(k->db, sql[i], -1, sts[i], NULL) != SQLITE_OK) {
            rc = dbfail(k, "export");
            goto done;
        }
    /* one read transaction, so that the export is a consistent snapshot */
    if (!k->in_tx && (rc = exec(k, "BEGIN")) != NG_OK)
        goto done;
    ng_buf_puts(&o.b, "{\"documents\":[");
    int first = 1, r;
    while ((r = sqlite3_step(docs)) == SQLITE_ROW) {
        ng_buf_puts(&o.b, first ? "\n" : ",\n");
        first = 0;
        ng_buf_puts(&o.b, "{\"doc\":");
        out_col_str(&o, docs, 0);
        ng_buf_puts(&o.b, ",\"lang\":");
        out_col_str(&o, docs, 1);
        ng_buf_puts(&o.b, ",\"published\":");
        out_col_str(&o, docs, 2);
        ng_buf_puts(&o.b, ",\"story\":");
        if (sqlite3_column_type(docs, 3) == SQLITE_NULL)
            ng_buf_puts(&o.b, "null");
        else
            ng_buf_printf(&o.b, "%lld", (long long)sqlite3_column_int64(docs, 3));
        ng_buf_puts(&o.b, ",\"title\":");
        out_col_str(&o, docs, 4);
        ng_buf_putc(&o.b, '}');
        out_flush(&o, 0);
    }
    if (r != SQLITE_DONE) {
        rc = dbfail(k, "export documents");
        goto end;
    }
    ng_buf_puts(&o.b, "],\n\"entities\":[");
    first = 1;
    while ((r = sqlite3_step(ents)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(ents, 0);
        ng_buf_puts(&o.b, first ? "\n" : ",\n");
        first = 0;
        ng_buf_printf(&o.b, "{\"id\":%lld,\"type\":", (long long)id);
        out_col_str(&o, ents, 1);
        ng_buf_puts(&o.b, ",\"name\":");
        out_col_str(&o, ents, 2);
        ng_buf_puts(&o.b, ",\"aliases\":");
        if ((rc = out_str_array(k, &o, aliases, id)) != NG_OK)
            goto end;
        ng_buf_puts(&o.b, ",\"docs\":");
        if ((rc = out_str_array(k, &o, edocs, id)) != NG_OK)
            goto end;
        ng_buf_putc(&o.b, '}');
        out_flush(&o, 0);
    }
    if (r != SQLITE_DONE) {
        rc = dbfail(k, "export entities");
        goto end;
    }
    ng_buf_puts(&o.b, "],\n\"stories\":[");
    first = 1;
    while ((r = sqlite3_step(stories)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(stories, 0);
        ng_buf_puts(&o.b, first ? "\n" : ",\n");
        first = 0;
        ng_buf_printf(&o.b, "{\"id\":%lld,\"docs\":", (long long)id);
        if ((rc = out_str_array(k, &o, sdocs, id)) != NG_OK)
            goto end;
        ng_buf_puts(&o.b, ",\"label\":");
        sqlite3_reset(slabel);
        sqlite3_bind_int64(slabel, 1, id);
        ng_buf_putc(&o.b, '"');
        int n = 0;
        ng_buf lab;
        ng_buf_init(&lab);
        while ((r = sqlite3_step(slabel)) == SQLITE_ROW) {
            const unsigned char *t = sqlite3_column_text(slabel, 0);
            if (n++)
                ng_buf_puts(&lab, ", ");
            ng_buf_puts(&lab, t ? (const char *)t : "");
        }
        sqlite3_reset(slabel);
        if (lab.len) {
            /* json_str adds its own quotes: drop the one opened above */
            o.b.len--;
            ng_buf_json_str(&o.b, lab.p, lab.len);
        } else {
            ng_buf_putc(&o.b, '"');
        }
        ng_buf_free(&lab);
        ng_buf_puts(&o.b, ",\"from\":");
        out_day(&o, stories, 1);
        ng_buf_puts(&o.b, ",\"to\":");
        out_day(&o, stories, 2);
        ng_buf_putc(&o.b, '}');
        out_flush(&o, 0);
    }
    if (r != SQLITE_DONE) {
        rc = dbfail(k, "export stories");
        goto end;
    }
    ng_buf_puts(&o.b, "],\n\"events\":[");
    {
        ng_kb_evfilter all = {0, 0, NULL, 0, 0};
        export_ev x = {&o, 0};
        if ((rc = op_event_rows(s, &all, export_event, &x)) != NG_OK)
            goto end;
    }
    ng_buf_puts(&o.b, "]}\n");
end:
    if (!k->in_tx)
        sqlite3_exec(k->db, "COMMIT", NULL, NULL, NULL);
done:
    for (size_t i = 0; i < sizeof sts / sizeof *sts; i++)
        sqlite3_finalize(*sts[i]);
    if (rc == NG_OK && o.b.oom)
        rc = ng_kb_store_fail(s, NG_ENOMEM, "out of memory");
    if (rc == NG_OK) {
        out_flush(&o, 1);
        if (o.failed)
            rc = ng_kb_store_fail(s, NG_EIO, "write error");
    }
    ng_buf_free(&o.b);
    return rc;
}

/* ---- queries -------------------------------------------------------------- */

/* Writes a column's value as JSON by its SQLite type.  A blob is text cut
 * at byte offsets: partial UTF-8 sequences at its ends are dropped. */
static void out_value(out_t *o, sqlite3_stmt *st, int i)
{
    switch (sqlite3_column_type(st, i)) {
    case SQLITE_INTEGER: ng_buf_printf(&o->b, "%lld", (long long)sqlite3_column_int64(st, i)); break;
    case SQLITE_FLOAT: ng_buf_printf(&o->b, "%.17g", sqlite3_column_double(st, i)); break;
    case SQLITE_TEXT: out_col_str(o, st, i); break;
    case SQLITE_BLOB: {
        const unsigned char *p = sqlite3_column_blob(st, i);
        size_t n = (size_t)sqlite3_column_bytes(st, i);
        while (n && (*p & 0xC0) == 0x80)
            p++, n--;
        size_t k = n;
        while (k && (p[k - 1] & 0xC0) == 0x80)
            k--;
        if (k && p[k - 1] >= 0xC0) /* a lead byte whose sequence was cut */
            n = k - 1;
        ng_buf_json_str(&o->b, (const char *)p, n);
        break;
    }
    default: ng_buf_puts(&o->b, "null"); break;
    }
}

/* Runs sql with ?1 = id (integer) and ?2 = text (when not NULL), ?3 =
 * limit, and writes its rows as a JSON array of objects keyed by column
 * name. */
static int out_rows(kbsql *k, out_t *o, const char *sql, ng_id id, const char *text, size_t limit)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(k->db, sql, -1, &st, NULL) != SQLITE_OK)
        return dbfail(k, "query");
    sqlite3_bind_int64(st, 1, id);
    if (text)
        sqlite3_bind_text(st, 2, text, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)limit);
    ng_buf_putc(&o->b, '[');
    int rc, first = 1, nc = sqlite3_column_count(st);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        ng_buf_puts(&o->b, first ? "\n{" : ",\n{");
        first = 0;
        for (int i = 0; i < nc; i++) {
            if (i)
                ng_buf_putc(&o->b, ',');
            const char *name = sqlite3_column_name(st, i);
            ng_buf_json_str(&o->b, name, strlen(name));
            ng_buf_putc(&o->b, ':');
            out_value(o, st, i);
        }
        ng_buf_putc(&o->b, '}');
        out_flush(o, 0);
    }
    ng_buf_putc(&o->b, ']');
    int ok = rc == SQLITE_DONE;
    if (!ok)
        ng_kb_store_fail(&k->base, NG_EINVAL, "query: %s", sqlite3_errmsg(k->db));
    sqlite3_finalize(st);
    return ok ? NG_OK : NG_EINVAL;
}

/* a quote's text: its span of the article's text (schema 4) */
#define QUOTE_TEXT "CASE WHEN q.stop > q.start THEN ng_span_text(d.text, q.start, q.stop - q.start) END"
#define DATE_OF(col) "CASE WHEN " col " IS NULL THEN NULL ELSE date(" col " * 86400, 'unixepoch') END"
#define STORY_LABEL(sid)                                                                                        \
    "(SELECT group_concat(name, ', ') FROM (SELECT e.name AS name FROM story_entities se JOIN entities e ON "     \
    "e.id=se.entity WHERE se.story=" sid " ORDER BY se.docs DESC, se.mentions DESC, e.ndocs, e.id LIMIT 3))"

/* Articles naming entity ?1, oldest first, with their first mention in context. */
#define TIMELINE_OUT(pick)                                                                                      \
    "SELECT " DATE_OF("d.day") " AS date, d.name AS doc, d.title AS title, d.story AS story, "                   \
    "ng_span(d.text, max(0, m.start - 100), min(m.start, 100) + (m.stop - m.start) + 100) AS context "           \
    "FROM (" pick ") y JOIN documents d ON d.id=y.doc "                                                          \
    "JOIN doc_entities m ON m.doc=y.doc AND m.local=y.local ORDER BY y.day IS NULL, y.day, y.doc"

/* Articles naming entity ?1, oldest first, with their first mention in
 * context: the limit's articles are picked first (the mentions are looked
 * up for those only), in one of two ways that give the same rows.  An
 * entity named by few articles: its articles from the index (entity, doc),
 * each one's day read from its row, sorted. */
static const char sql_timeline[] = TIMELINE_OUT(
    "SELECT x.doc AS doc, x.local AS local, dd.day AS day FROM (SELECT doc, min(local) AS local "
    "FROM doc_entities WHERE entity=?1 GROUP BY doc) x JOIN documents dd INDEXED BY documents_id_day ON dd.id=x.doc "
    "ORDER BY dd.day IS NULL, dd.day, dd.id LIMIT ?3");

/* An entity named by many (America in 16,000 of 100,000): the articles in
 * date order from the index documents_day, each probed for the entity,
 * until the limit (dated first, then undated); a row lookup per article
 * of the entity sorted them (75 ms for America, 10 ms this way). */
static const char sql_timeline_scan[] = TIMELINE_OUT(
    "SELECT * FROM (SELECT * FROM (SELECT d.id AS doc, (SELECT min(local) FROM doc_entities WHERE doc=d.id AND "
    "entity=?1) AS local, d.day AS day FROM documents d WHERE d.day IS NOT NULL AND EXISTS (SELECT 1 FROM "
    "doc_entities WHERE entity=?1 AND doc=d.id) ORDER BY d.day, d.id LIMIT ?3) UNION ALL SELECT * FROM ("
    "SELECT d.id, (SELECT min(local) FROM doc_entities WHERE doc=d.id AND entity=?1), d.day FROM documents d "
    "WHERE d.day IS NULL AND EXISTS (SELECT 1 FROM doc_entities WHERE entity=?1 AND doc=d.id) ORDER BY d.id "
    "LIMIT ?3)) ORDER BY day IS NULL, day, doc LIMIT ?3");

/* The cheaper timeline SQL for entity id: probing costs about limit x
 * documents / ndocs probes, sorting ndocs row lookups (each about 3 x a
 * probe). */
static const char *timeline_sql(kbsql *k, ng_id id, size_t limit)
{
    sqlite3_stmt *st = NULL;
    int64_t ndocs = 0, n = 0;
    if (sqlite3_prepare_v2(k->db, "SELECT (SELECT ndocs FROM entities WHERE id=?1), "
                                  "(SELECT coalesce(max(id), 0) FROM documents)", -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, id);
        if (sqlite3_step(st) == SQLITE_ROW) {
            ndocs = sqlite3_column_int64(st, 0);
            n = sqlite3_column_int64(st, 1);
        }
    }
    sqlite3_finalize(st);
    return ndocs > 0 && (double)ndocs * (double)ndocs * 3.0 > (double)limit * (double)n ? sql_timeline_scan
                                                                                      : sql_timeline;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* SQLite's progress callback: nonzero interrupts the running statement. */
static int past_deadline(void *arg)
{
    kbsql *k = arg;
    return k->deadline && now_ms() > k->deadline;
}

/* Who and what is named with entity id in its latest ndocs articles: the
 * limit entities named in most of them (then the less named in the base,
 * then by id), as the rows of "SELECT e.id, e.type, e.name, count(DISTINCT
 * b.doc) AS docs ... GROUP BY e.id ORDER BY docs DESC, e.ndocs, e.id"
 * would be.  Counted here in a hash table: SQLite's grouping looked every
 * row's entity up and sorted ~11,000 rows through two temporary B-trees
 * (46 ms for America at 20,000 articles). */
typedef struct {
    int64_t entity, docs, last_doc, ndocs;
} slot;

static int cmp_docs(const void *a, const void *b)
{
    const slot *x = a, *y = b;
    if (x->docs != y->docs)
        return x->docs > y->docs ? -1 : 1;
    return x->entity < y->entity ? -1 : x->entity > y->entity;
}

static int cmp_rank(const void *a, const void *b)
{
    const slot *x = a, *y = b;
    if (x->docs != y->docs)
        return x->docs > y->docs ? -1 : 1;
    if (x->ndocs != y->ndocs)
        return x->ndocs < y->ndocs ? -1 : 1;
    return x->entity < y->entity ? -1 : x->entity > y->entity;
}

static int out_counterparts(kbsql *k, out_t *o, ng_id id, int ndocs, size_t limit)
{
    sqlite3_stmt *st = NULL, *ent = NULL;
    size_t cap = 1024, used = 0;
    slot *t = calloc(cap, sizeof *t);
    if (!t)
        return ng_kb_store_fail(&k->base, NG_ENOMEM, "out of memory");
    int rc = NG_OK, r;
    if (sqlite3_prepare_v2(k->db, "SELECT b.doc, b.entity FROM (SELECT DISTINCT doc FROM doc_entities WHERE entity=?1 "
                                  "ORDER BY doc DESC LIMIT ?2) a JOIN doc_entities b ON b.doc=a.doc AND b.entity<>?1",
                           -1, &st, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(k->db, "SELECT type, name, ndocs FROM entities WHERE id=?1", -1, &ent, NULL) != SQLITE_OK) {
        rc = dbfail(k, "query");
        goto done;
    }
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int(st, 2, ndocs);
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t doc = sqlite3_column_int64(st, 0), e = sqlite3_column_int64(st, 1);
        if (e <= 0)
            continue;
        if (2 * (used + 1) > cap) {
            size_t nc = cap * 2;
            slot *nt = calloc(nc, sizeof *nt);
            if (!nt) {
                rc = ng_kb_store_fail(&k->base, NG_ENOMEM, "out of memory");
                goto done;
            }
            for (size_t i = 0; i < cap; i++)
                if (t[i].entity) {
                    size_t h = (size_t)((uint64_t)t[i].entity * 0x9E3779B97F4A7C15ull >> 20) & (nc - 1);
                    while (nt[h].entity)
                        h = (h + 1) & (nc - 1);
                    nt[h] = t[i];
                }
            free(t);
            t = nt;
            cap = nc;
        }
        size_t h = (size_t)((uint64_t)e * 0x9E3779B97F4A7C15ull >> 20) & (cap - 1);
        while (t[h].entity && t[h].entity != e)
            h = (h + 1) & (cap - 1);
        if (!t[h].entity) {
            t[h].entity = e;
            used++;
        }
        if (t[h].last_doc != doc) { /* count(DISTINCT doc): an entity at several places of one article */
            t[h].last_doc = doc;
            t[h].docs++;
        }
    }
    if (r != SQLITE_DONE) {
        rc = ng_kb_store_fail(&k->base, NG_EINVAL, "query: %s", sqlite3_errmsg(k->db));
        goto done;
    }
    /* packed to the front, by docs (most first); the ties at the limit's
     * count need ndocs, looked up for those that can make the cut only */
    size_t n = 0;
    for (size_t i = 0; i < cap; i++)
        if (t[i].entity)
            t[n++] = t[i];
    qsort(t, n, sizeof *t, cmp_docs);
    size_t keep = n;
    if (n > limit) {
        int64_t cut = t[limit - 1].docs;
        keep = limit;
        while (keep < n && t[keep].docs == cut)
            keep++;
    }
    for (size_t i = 0; i < keep; i++) {
        sqlite3_reset(ent);
        sqlite3_bind_int64(ent, 1, t[i].entity);
        t[i].ndocs = sqlite3_step(ent) == SQLITE_ROW ? sqlite3_column_int64(ent, 2) : -1;
    }
    qsort(t, keep, sizeof *t, cmp_rank);
    ng_buf_putc(&o->b, '[');
    size_t w = 0;
    for (size_t i = 0; i < keep && w < limit; i++) {
        sqlite3_reset(ent);
        sqlite3_bind_int64(ent, 1, t[i].entity);
        if (sqlite3_step(ent) != SQLITE_ROW)
            continue; /* a dangling id: the join with entities dropped it */
        ng_buf_printf(&o->b, "%s{\"id\":%lld,\"type\":", w++ ? ",\n" : "\n", (long long)t[i].entity);
        out_value(o, ent, 0);
        ng_buf_puts(&o->b, ",\"name\":");
        out_value(o, ent, 1);
        ng_buf_printf(&o->b, ",\"docs\":%lld}", (long long)t[i].docs);
    }
    ng_buf_putc(&o->b, ']');
done:
    sqlite3_finalize(st);
    sqlite3_finalize(ent);
    free(t);
    return rc;
}

/* The mentions of document id (at most limit) as the doc query's JSON
 * array, unpacked from its doc_entities rows (kb.c sorts and writes them,
 * as for PostgreSQL). */
static int out_mentions(kbsql *k, out_t *o, ng_id id, size_t limit)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(k->db, "SELECT local, start, stop, spans FROM doc_entities WHERE doc=?1 AND start IS NOT NULL",
                           -1, &st, NULL) != SQLITE_OK)
        return dbfail(k, "query");
    sqlite3_bind_int64(st, 1, id);
    ng_kb_mention *m = NULL;
    size_t n = 0, cap = 0;
    int rc = NG_OK, r;
    while (rc == NG_OK && (r = sqlite3_step(st)) == SQLITE_ROW)
        rc = ng_kb_spans_unpack((uint32_t)sqlite3_column_int64(st, 0), (uint32_t)sqlite3_column_int64(st, 1),
                                (uint32_t)sqlite3_column_int64(st, 2), sqlite3_column_blob(st, 3),
                                (size_t)sqlite3_column_bytes(st, 3), &m, &n, &cap);
    if (rc == NG_OK && r != SQLITE_DONE)
        rc = ng_kb_store_fail(&k->base, NG_EINVAL, "query: %s", sqlite3_errmsg(k->db));
    else if (rc != NG_OK)
        ng_kb_store_fail(&k->base, rc, rc == NG_ENOMEM ? "out of memory" : "damaged mentions of document %lld",
                         (long long)id);
    sqlite3_finalize(st);
    if (rc == NG_OK)
        ng_kb_mentions_json(&o->b, m, n, limit);
    free(m);
    return rc;
}

/* One document (by id, or by name when name is not NULL) with its
 * annotations, as one JSON object; NG_EEMPTY when there is none. */
static int op_query_doc(kbsql *k, out_t *o, ng_id id, const char *name)
{
    if (name) {
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(k->db, "SELECT id FROM documents WHERE name=?1 ORDER BY id LIMIT 1", -1, &st, NULL) !=
            SQLITE_OK)
            return dbfail(k, "query");
        sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
        int64_t v = 0;
        int rc = run_int(k, st, 0, &v, "query");
        sqlite3_finalize(st);
        if (rc != NG_OK)
            return rc;
        id = v;
    } else {
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(k->db, "SELECT id FROM documents WHERE id=?1", -1, &st, NULL) != SQLITE_OK)
            return dbfail(k, "query");
        sqlite3_bind_int64(st, 1, id);
        int64_t v = 0;
        int rc = run_int(k, st, 0, &v, "query");
        sqlite3_finalize(st);
        if (rc != NG_OK)
            return rc;
        id = v;
    }
    if (!id)
        return ng_kb_store_fail(&k->base, NG_EEMPTY, "no such document");
    static const char *const parts[][2] = {
        {"document", "SELECT id, name AS doc, lang, published, " DATE_OF("day") " AS date, title, url, story, "
                     "ng_text(text) AS text FROM documents WHERE id=?1"},
        {"entities", "SELECT de.local AS local, de.entity AS entity, de.type AS type, de.name AS name, "
                     "e.name AS canonical, e.type AS kb_type FROM doc_entities de LEFT JOIN entities e ON "
                     "e.id=de.entity WHERE de.doc=?1 ORDER BY de.local LIMIT ?3"},
        {"mentions", NULL}, /* unpacked from doc_entities (schema 5) */
        {"titles", "SELECT local, title FROM titles WHERE doc=?1 ORDER BY local, title LIMIT ?3"},
        {"timexes", "SELECT start, stop, type, value FROM timexes WHERE doc=?1 ORDER BY start, stop LIMIT ?3"},
        {"quantities", "SELECT start, stop, value, unit, noun, per FROM quantities WHERE doc=?1 "
                       "ORDER BY start, stop LIMIT ?3"},
        {"quotes", "SELECT q.start AS start, q.stop AS stop, q.speaker_local AS speaker_local, q.speaker AS speaker, "
                   "e.name AS speaker_name, q.cue AS cue, q.direct AS direct FROM quotes q LEFT JOIN entities e ON "
                   "e.id=q.speaker WHERE q.doc=?1 ORDER BY q.start, q.id LIMIT ?3"},
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
    kbsql *k = (kbsql *)s;
    out_t o;
    memset(&o, 0, sizeof o);
    ng_buf_init(&o.b);
    o.write = write;
    o.ctx = ctx;
    int rc = NG_OK;
    if (!limit)
        limit = 1000;
    if (k->deadline)
        k->deadline = now_ms() + RO_QUERY_MS;
    switch (kind) {
    case NG_KBQ_TIMELINE:
        rc = out_rows(k, &o, timeline_sql(k, id, limit), id, NULL, limit);
        break;
    case NG_KBQ_STORY:
        rc = out_rows(k, &o,
                      "SELECT " DATE_OF("day") " AS date, name AS doc, title, lang FROM documents WHERE story=?1 "
                      "ORDER BY day IS NULL, day, id LIMIT ?3",
                      id, NULL, limit);
        break;
    case NG_KBQ_STORIES:
        rc = out_rows(k, &o,
                      /* the limit first (index stories_ndocs), then labels and titles for those only */
                      "SELECT s.id AS story, s.ndocs AS docs, " DATE_OF("s.first_day") " AS \"from\", "
                      DATE_OF("s.last_day") " AS \"to\", " STORY_LABEL("s.id") " AS label, "
                      "(SELECT title FROM documents WHERE story=s.id AND title IS NOT NULL ORDER BY id LIMIT 1) AS title "
                      "FROM (SELECT id FROM stories WHERE ndocs > 0 ORDER BY ndocs DESC, id LIMIT ?3) x "
                      "JOIN stories s ON s.id=x.id ORDER BY s.ndocs DESC, s.id",
                      0, NULL, limit);
        break;
    case NG_KBQ_SEARCH:
        rc = out_rows(k, &o,
                      "SELECT d.name AS doc, d.title AS title, " DATE_OF("d.day") " AS date, d.story AS story, "
                      "snippet(documents_fts, 1, '[', ']', '...', 16) AS snippet FROM documents_fts f "
                      "JOIN documents d ON d.id=f.rowid WHERE documents_fts MATCH ?2 ORDER BY f.rank LIMIT ?3",
                      0, text ? text : "", limit);
        break;
    case NG_KBQ_EVENTS: /* written by kb.c from event_rows: the same in every backend */
        ng_buf_free(&o.b);
        return ng_kb_events_json(s, id, text, limit, write, ctx);
    case NG_KBQ_QUOTES:
        if (!id) {
            /* every quote, oldest first: the dated articles in day order (index documents_day) and
             * the undated ones, each cut at the limit, then put together; quote ids grow with
             * article ids, so (day, article, quote) is the (day, quote) order */
            rc = out_rows(k, &o,
                          "SELECT " DATE_OF("x.day") " AS date, d.name AS doc, e.name AS speaker, q.cue AS cue, "
                          "q.direct AS direct, " QUOTE_TEXT " AS text FROM (SELECT * FROM (SELECT d.day AS day, "
                          "q.id AS qid FROM documents d JOIN quotes q ON q.doc=d.id WHERE d.day IS NOT NULL "
                          "ORDER BY d.day, d.id, q.id LIMIT ?3) UNION ALL SELECT * FROM (SELECT NULL, q.id FROM "
                          "documents d JOIN quotes q ON q.doc=d.id WHERE d.day IS NULL ORDER BY q.id LIMIT ?3)) x "
                          "JOIN quotes q ON q.id=x.qid JOIN documents d ON d.id=q.doc LEFT JOIN entities e ON "
                          "e.id=q.speaker ORDER BY x.day IS NULL, x.day, x.qid LIMIT ?3",
                          0, NULL, limit);
            break;
        }
        rc = out_rows(k, &o,
                      "SELECT " DATE_OF("x.day") " AS date, d.name AS doc, e.name AS speaker, q.cue AS cue, "
                      "q.direct AS direct, " QUOTE_TEXT " AS text FROM (SELECT q.id AS qid, d.day AS day FROM quotes q "
                      "JOIN documents d INDEXED BY documents_id_day ON d.id=q.doc WHERE q.speaker=?1 " /* index quotes_speaker */
                      "ORDER BY d.day IS NULL, d.day, q.id LIMIT ?3) x JOIN quotes q ON q.id=x.qid JOIN documents d "
                      "ON d.id=q.doc LEFT JOIN entities e ON e.id=q.speaker ORDER BY x.day IS NULL, x.day, x.qid",
                      id, NULL, limit);
        break;
    case NG_KBQ_ENTITY:
        ng_buf_puts(&o.b, "{\"entity\":");
        rc = out_rows(k, &o,
                      "SELECT id, type, name, ndocs AS docs, " DATE_OF("first_day") " AS \"from\", "
                      DATE_OF("last_day") " AS \"to\" FROM entities WHERE id=?1",
                      id, NULL, 1);
        if (rc == NG_OK) {
            ng_buf_puts(&o.b, ",\n\"aliases\":");
            rc = out_rows(k, &o, "SELECT name, n AS docs FROM names WHERE entity=?1 ORDER BY n DESC, name LIMIT ?3",
                          id, NULL, 100);
        }
        if (rc == NG_OK) {
            /* who and what is named with it, over its latest 500 articles */
            ng_buf_puts(&o.b, ",\n\"counterparts\":");
            rc = out_counterparts(k, &o, id, 500, 20);
        }
        if (rc == NG_OK) {
            ng_buf_puts(&o.b, ",\n\"titles\":");
            rc = out_rows(k, &o,
                          /* the entity's titled rows (index titles_entity, schema 6), then their days */
                          "SELECT t.title AS title, count(DISTINCT t.doc) AS docs, " DATE_OF("min(d.day)") " AS \"from\", "
                          DATE_OF("max(d.day)") " AS \"to\" FROM titles t CROSS JOIN documents d INDEXED BY "
                          "documents_id_day ON d.id=t.doc "
                          "WHERE t.entity=?1 GROUP BY t.title ORDER BY min(d.day), docs DESC, t.title LIMIT ?3",
                          id, NULL, 50);
        }
        if (rc == NG_OK) {
            ng_buf_puts(&o.b, ",\n\"quotes\":");
            /* the limit's quotes first, their text (inflating the article) for those only: the
             * sorter kept every quote's text (America at 20k: 25 -> 1 ms) */
            rc = out_rows(k, &o,
                          "SELECT d.name AS doc, " DATE_OF("d.day") " AS date, " QUOTE_TEXT " AS text, q.cue AS cue FROM "
                          "(SELECT q.id AS qid, d.day AS day FROM quotes q JOIN documents d INDEXED BY documents_id_day "
                          "ON d.id=q.doc WHERE "
                          "q.speaker=?1 ORDER BY d.day, q.id LIMIT ?3) x JOIN quotes q ON q.id=x.qid JOIN documents d "
                          "ON d.id=q.doc ORDER BY x.day, x.qid",
                          id, NULL, 50);
        }
        if (rc == NG_OK) {
            ng_buf_puts(&o.b, ",\n\"timeline\":");
            rc = out_rows(k, &o, timeline_sql(k, id, limit), id, NULL, limit);
        }
        ng_buf_putc(&o.b, '}');
        break;
    case NG_KBQ_DOC:
        rc = op_query_doc(k, &o, id, text);
        break;
    case NG_KBQ_DOCS:
        /* the latest documents (by day; undated last), each with the entities it names: the
         * limit is taken first (an index scan), the entities then looked up for those only */
        rc = out_rows(k, &o,
                      "SELECT d.id AS id, " DATE_OF("d.day") " AS date, d.name AS doc, d.title AS title, "
                      "d.lang AS lang, d.story AS story, (SELECT group_concat(entity) FROM (SELECT DISTINCT entity "
                      "FROM doc_entities WHERE doc=d.id)) AS entities FROM (SELECT id FROM documents "
                      "ORDER BY day DESC, id DESC LIMIT ?3) x JOIN documents d ON d.id=x.id "
                      "ORDER BY d.day DESC, d.id DESC",
                      0, NULL, limit);
        break;
    case NG_KBQ_ENTITIES:
        rc = out_rows(k, &o,
                      "SELECT id, type, name, ndocs AS docs, " DATE_OF("first_day") " AS \"from\", "
                      DATE_OF("last_day") " AS \"to\" FROM entities WHERE ndocs > 0 ORDER BY ndocs DESC, id LIMIT ?3",
                      0, NULL, limit);
        break;
    case NG_KBQ_COOCCUR:
        rc = out_rows(k, &o,
                      "WITH top AS (SELECT id FROM entities WHERE ndocs > 0 ORDER BY ndocs DESC, id LIMIT ?3), "
                      "recent AS (SELECT de.doc, de.entity FROM doc_entities de JOIN top ON top.id=de.entity "
                      "WHERE de.doc > (SELECT coalesce(max(id), 0) - 2000 FROM documents)) "
                      "SELECT a.entity AS source, b.entity AS target, count(DISTINCT a.doc) AS docs FROM recent a "
                      "JOIN recent b ON b.doc=a.doc AND b.entity > a.entity GROUP BY a.entity, b.entity "
                      "ORDER BY docs DESC, source, target LIMIT 1000",
                      0, NULL, limit);
        break;
    default:
        rc = ng_kb_store_fail(s, NG_EINVAL, "unknown query");
    }
    if (rc == NG_OK) {
        ng_buf_putc(&o.b, '\n');
        if (o.b.oom)
            rc = ng_kb_store_fail(s, NG_ENOMEM, "out of memory");
        else {
            out_flush(&o, 1);
            if (o.failed)
                rc = ng_kb_store_fail(s, NG_EIO, "write error");
        }
    }
    ng_buf_free(&o.b);
    return rc;
}

static const ng_kb_ops sqlite_ops = {
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
    .terms_bump = op_terms_bump,
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

/* Brings the file's schema to NG_KB_SCHEMA: creates it in an empty file,
 * applies each migration of an older one in one transaction, refuses a
 * newer one. */
static int migrate(kbsql *k)
{
    int64_t v = 0;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(k->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
        return dbfail(k, "read schema version");
    int rc = run_int(k, st, 0, &v, "read schema version");
    sqlite3_finalize(st);
    if (rc != NG_OK)
        return rc;
    if (v > NG_KB_SCHEMA)
        return ng_kb_store_fail(&k->base, NG_EDB, "schema version %lld is newer than this program's (%d)",
                                (long long)v, NG_KB_SCHEMA);
    if (v == NG_KB_SCHEMA)
        return NG_OK;
    if ((rc = exec(k, "BEGIN IMMEDIATE")) != NG_OK)
        return rc;
    for (int64_t i = v; i < NG_KB_SCHEMA && rc == NG_OK; i++)
        rc = exec(k, migrations[i]);
    if (rc == NG_OK) {
        char pragma[64];
        snprintf(pragma, sizeof pragma, "PRAGMA user_version=%d", NG_KB_SCHEMA);
        rc = exec(k, pragma);
    }
    if (rc == NG_OK)
        rc = exec(k, "COMMIT");
    else
        sqlite3_exec(k->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

int ng_kb_sqlite_open_ro(ng_kb_store **out, const char *path, char *err, size_t errlen)
{
    *out = NULL;
    kbsql *k = calloc(1, sizeof *k);
    if (!k) {
        snprintf(err, errlen, "out of memory");
        return NG_ENOMEM;
    }
    k->base.ops = &sqlite_ops;
    if (sqlite3_open_v2(path, &k->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "cannot open: %s", k->db ? sqlite3_errmsg(k->db) : "out of memory");
        sqlite3_close(k->db);
        free(k);
        return NG_EDB;
    }
    sqlite3_busy_timeout(k->db, 5000);
    int rc = add_functions(k->db) != NG_OK ? dbfail(k, "register functions")
                                            : exec(k, "PRAGMA query_only=1; PRAGMA cache_size=-16384; "
                                                      "PRAGMA temp_store=MEMORY");
    int64_t v = 0;
    if (rc == NG_OK) {
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(k->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
            rc = dbfail(k, "read schema version");
        else
            rc = run_int(k, st, 0, &v, "read schema version");
        sqlite3_finalize(st);
    }
    if (rc == NG_OK && v == 0)
        rc = ng_kb_store_fail(&k->base, NG_EDB, "not a newsgraph knowledge base");
    else if (rc == NG_OK && v != NG_KB_SCHEMA)
        rc = ng_kb_store_fail(&k->base, NG_EDB, "schema version %lld is %s than this program's (%d)%s", (long long)v,
                              v < NG_KB_SCHEMA ? "older" : "newer", NG_KB_SCHEMA,
                              v < NG_KB_SCHEMA ? ": 'newsgraph ingest' migrates it" : "");
    if (rc != NG_OK) {
        snprintf(err, errlen, "%s", k->base.err);
        op_close(&k->base);
        return rc;
    }
    k->deadline = 1; /* armed: each query sets its own */
    sqlite3_progress_handler(k->db, 10000, past_deadline, k);
    *out = &k->base;
    return NG_OK;
}

int ng_kb_sqlite_open(ng_kb_store **out, const char *path, char *err, size_t errlen)
{
    *out = NULL;
    kbsql *k = calloc(1, sizeof *k);
    if (!k) {
        snprintf(err, errlen, "out of memory");
        return NG_ENOMEM;
    }
    k->base.ops = &sqlite_ops;
    int rc = NG_OK;
    if (sqlite3_open_v2(path, &k->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK) {
        snprintf(err, errlen, "cannot open: %s", k->db ? sqlite3_errmsg(k->db) : "out of memory");
        sqlite3_close(k->db);
        free(k);
        return NG_EDB;
    }
    sqlite3_busy_timeout(k->db, 30000);
    if (add_functions(k->db) != NG_OK) {
        snprintf(err, errlen, "cannot register functions: %s", sqlite3_errmsg(k->db));
        sqlite3_close(k->db);
        free(k);
        return NG_EDB;
    }
    /* a file that is not a database fails on its first read */
    /* wal_autocheckpoint: a page that several batches change (a term's count, a posting list's
     * leaf) is copied into the file once per checkpoint; at the default 1,000 pages the
     * checkpoints came so often that their cost grew with the base */
    rc = exec(k, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536;"
                 "PRAGMA temp_store=MEMORY; PRAGMA wal_autocheckpoint=16384");
    if (rc == NG_OK)
        rc = migrate(k);
    if (rc != NG_OK) {
        snprintf(err, errlen, "%s", k->base.err);
        op_close(&k->base);
        return rc;
    }
    *out = &k->base;
    return NG_OK;
}
