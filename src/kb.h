/*
 * kb.h — the knowledge base's private interface: what kb.c, link.c and
 * story.c share, and the storage operations a backend provides.
 *
 *   kb.c         ng_kb (public API): open, add one ng_doc, batches, export
 *   kb_sqlite.c  the SQLite backend (the schema is documented there and in
 *                docs/kb.md)
 *   kb_pg.c      the PostgreSQL backend: the same schema and queries, and
 *                several writers at once
 *   link.c       cross-article entity linking: names normalised to keys,
 *                alias groups, surnames, fuzzy matching
 *   story.c      incremental story grouping: rare terms and linked
 *                entities as an inverted index, time windows
 *
 * The logic (linking, stories) talks to storage only through ng_kb_store,
 * a table of operations, so that a second backend (PostgreSQL) implements
 * the same operations and passes the same tests.  Every operation returns
 * NG_OK or a negative NG_E* code and leaves a one-line detail in the
 * store's error buffer (ng_kb_store.err).
 */
#ifndef NG_KB_H
#define NG_KB_H

#include "internal.h"

#include <stdint.h>
#include <stdio.h>

typedef int64_t ng_id; /* a row id: document, entity, story; 0 = none */

#define NG_KB_NODAY INT32_MIN /* a day number that is not known */

/* A document as stored (documents table). */
typedef struct {
    const char *name;      /* the record's "doc" */
    const char *lang;      /* "" or NULL when unknown */
    const char *published; /* ISO date, or NULL */
    const char *title;     /* or NULL */
    const char *url;       /* or NULL */
    const char *text;      /* clean text */
    size_t text_len;
    int64_t hash;          /* content hash of the clean text */
    int64_t raw_hash;      /* hash of the raw input bytes, 0 when not known */
    int32_t day;           /* days since 1970-01-01 of the story date, or NG_KB_NODAY */
    const void *sig;       /* story signature: ng_kb_term array (story.c) */
    size_t sig_len;        /* in bytes */
    const void *ents;      /* linked entities: ng_kb_term array (id, weight) */
    size_t ents_len;
} ng_kb_docrow;

/* One weighted feature of a document (term hash or entity id). */
typedef struct {
    uint32_t key;  /* term hash, or entity id (truncated to 32 bits) */
    float weight;
} ng_kb_term;

/* An entity found by a key lookup. */
typedef struct {
    ng_id id;
    char type[8];   /* PER, ORG, LOC, MISC */
    int64_t ndocs;  /* documents that name it */
    char name[128]; /* canonical name (truncated) */
} ng_kb_cand;

/* Kinds of lookup keys (the keys table). */
enum {
    NG_KEY_NAME = 'n',    /* the normalised full name */
    NG_KEY_GROUP = 'g',   /* an alias group of lang/common/kb-aliases.txt */
    NG_KEY_SURNAME = 's', /* the last word of a person's full name */
    NG_KEY_FUZZ = 'f'     /* a name with one character deleted (fuzzy matching) */
};

typedef struct ng_kb_store ng_kb_store;

enum { NG_TX_MARK, NG_TX_KEEP, NG_TX_UNDO };

/* Queries (query_json). */
enum {
    NG_KBQ_ENTITY = 1,   /* profile of entity id: aliases, timeline, counterparts, quotes */
    NG_KBQ_TIMELINE,     /* articles naming entity id, oldest first, with the mention in context */
    NG_KBQ_STORY,        /* articles of story id, oldest first */
    NG_KBQ_STORIES,      /* the largest stories (limit) with labels and date ranges */
    NG_KBQ_SEARCH,       /* full-text search (FTS5 syntax) over articles */
    NG_KBQ_QUOTES,       /* quotes by entity id (0: all), oldest first */
    NG_KBQ_EVENTS        /* events involving entity id (0: all), oldest first, with their reports;
                          * text: a CAMEO code prefix ("04") or NULL; answered by kb.c from event_rows */
};

/* ---- events (merged across articles; kb.c has the merge rule) ---------- */

#define NG_KB_ACTOR 32 /* bytes of a stored CAMEO actor code, NUL included */

/* A stored event as the merge sees it (event_candidates). */
typedef struct {
    ng_id id;
    char code[8];                 /* CAMEO event code */
    ng_id source, target;         /* KB entities, 0 = none */
    char source_actor[NG_KB_ACTOR], target_actor[NG_KB_ACTOR]; /* "" = none */
    char date[11];                /* "YYYY-MM-DD" when the date is known, else "" */
    int32_t day;                  /* day number (NG_KB_NODAY: none) */
} ng_kb_evcand;

/* An event to store or the merged values of one (event_new, event_update):
 * strings may be NULL or "" for none. */
typedef struct {
    const char *code;
    ng_id source, target;
    const char *source_actor, *target_actor;
    int quad;                     /* 1-4, 0 = unknown (stored NULL, with goldstein) */
    double goldstein;
    const char *location;
    const char *date;             /* "YYYY-MM-DD", or NULL when only day is known */
    int32_t day;
    int alone;                    /* event_new: never a merge candidate (stored without a root) */
} ng_kb_evrow;

/* One article's report of an event (event_report_add). */
typedef struct {
    const char *code;             /* the code this article gave */
    uint32_t sentence, start, stop; /* sentence index and byte span in the article's text */
    const char *trigger;          /* the trigger word(s) */
    int negated;
    const char *mood;             /* "intent", "hypothetical", "reported", or NULL */
    const char *date;             /* the date this article gave (its TIMEX3 value), or NULL */
} ng_kb_evreport;

/* An event read back with its reports (event_rows); strings are valid
 * during the callback only, NULL for none. */
typedef struct {
    ng_id doc_id;
    const char *doc;              /* document name */
    const char *code, *trigger, *mood, *date;
    int64_t sentence, start, stop;
    int negated;
    const char *text;             /* the sentence (at most NG_KB_EVTEXT bytes), when asked for */
    size_t text_len;
} ng_kb_evread_report;

typedef struct {
    ng_id id;
    const char *code;
    ng_id source, target;         /* 0 = none */
    const char *source_name, *target_name; /* the entities' names (NULL when none) */
    const char *source_actor, *target_actor, *location, *date;
    int32_t day;
    int quad;                     /* 0 = unknown */
    double goldstein;
    ng_kb_evread_report *reports;
    size_t nreports;
} ng_kb_evread;

#define NG_KB_EVTEXT 600 /* bytes of a report's sentence in a query */

/* What event_rows reads: all events by id (export), or those involving an
 * entity and/or of a code prefix, oldest first (query). */
typedef struct {
    int query;                    /* 0: every event, by id (export); 1: the filters below, by day then id */
    ng_id entity;                 /* events with it as source or target (0: any) */
    const char *root;             /* code prefix, digits only (NULL: any) */
    size_t limit;                 /* query: at most this many events (0: no limit) */
    ng_id doc;                    /* query: only events this document reports (0: any) */
} ng_kb_evfilter;

/* Queries of the web page (cli/serve.c), numbered apart from the above so
 * that new kinds may be added to either list. */
enum {
    NG_KBQ_DOC = 64,   /* one document (id; or its name in text) with its annotations:
                        * entities, mentions, titles, timexes, quantities, quotes */
    NG_KBQ_DOCS,       /* the latest documents (limit), with the ids of the entities they name */
    NG_KBQ_ENTITIES,   /* the entities named by most documents (limit) */
    NG_KBQ_COOCCUR,    /* pairs of the limit most named entities named together in the
                        * latest 2000 documents, with how many */
    NG_KBQ_DOC_EVENTS  /* the events document id reports (as NG_KBQ_EVENTS; text: a code
                        * prefix or NULL), for the article view; answered by kb.c */
};

/* The operations of a storage backend.  s is the backend's own object. */
typedef struct {
    void (*close)(ng_kb_store *s);
    int (*begin)(ng_kb_store *s);
    int (*commit)(ng_kb_store *s);
    /* around one article inside a transaction: NG_TX_MARK sets a savepoint,
     * NG_TX_KEEP releases it, NG_TX_UNDO rolls back to it */
    int (*doc_tx)(ng_kb_store *s, int what);
    /* documents */
    int (*doc_find)(ng_kb_store *s, int64_t hash, int raw, ng_id *doc);   /* *doc = 0 when absent */
    int (*doc_insert)(ng_kb_store *s, const ng_kb_docrow *row, ng_id *doc); /* also the FTS index */
    int (*doc_count)(ng_kb_store *s, int64_t *n);
    /* the features of a stored document: malloc'd arrays the caller frees */
    int (*doc_features)(ng_kb_store *s, ng_id doc, ng_kb_term **sig, size_t *nsig, ng_kb_term **ents,
                        size_t *nents, int32_t *day, ng_id *story);
    int (*doc_set_story)(ng_kb_store *s, ng_id doc, ng_id story);
    /* entities */
    int (*key_find)(ng_kb_store *s, int kind, const char *key, ng_kb_cand *out, size_t max, size_t *n);
    int (*key_add)(ng_kb_store *s, int kind, const char *key, ng_id entity);
    int (*entity_new)(ng_kb_store *s, const char *type, const char *name, ng_id *id);
    int (*entity_get)(ng_kb_store *s, ng_id id, ng_kb_cand *out);
    int (*entity_rename)(ng_kb_store *s, ng_id id, const char *name);
    /* one more document names it, as type (a vote: the entity takes the
     * type most documents give it; NULL: no vote) */
    int (*entity_seen)(ng_kb_store *s, ng_id id, int32_t day, const char *type);
    int (*name_add)(ng_kb_store *s, ng_id entity, const char *surface);
    /* how many documents naming entity a also name entity b (context) */
    int (*cooccur)(ng_kb_store *s, ng_id a, ng_id b, int64_t *n);
    /* the article's entity local, linked to entity, with its mentions: spans[0..2n) as (start, stop)
     * pairs sorted and unique (ng_kb_spans_sort); the first is stored in doc_entities.start/stop,
     * the others packed in doc_entities.spans (ng_kb_spans_pack; schema 5) */
    int (*docent_add)(ng_kb_store *s, ng_id doc, uint32_t local, ng_id entity, const char *type, const char *name,
                      uint32_t nmentions, const uint32_t *spans, size_t nspans);
    /* a title of the article's entity local, linked to entity (schema 6: titles.entity) */
    int (*title_add)(ng_kb_store *s, ng_id doc, uint32_t local, ng_id entity, const char *title);
    /* the most recent documents naming entity (at most max) */
    int (*entity_docs)(ng_kb_store *s, ng_id entity, ng_id *out, size_t max, size_t *n);
    /* other annotations */
    int (*timex_add)(ng_kb_store *s, ng_id doc, uint32_t start, uint32_t end, const char *type, const char *value);
    int (*quantity_add)(ng_kb_store *s, ng_id doc, uint32_t start, uint32_t end, double value, const char *unit,
                        const char *noun, const char *per);
    int (*quote_add)(ng_kb_store *s, ng_id doc, uint32_t start, uint32_t end, uint32_t speaker_local, ng_id speaker,
                     const char *cue, int direct, const char *text);
    /* story vocabulary */
    int (*term_bump)(ng_kb_store *s, uint32_t term, int64_t *df); /* df after counting one more document */
    int (*term_df)(ng_kb_store *s, uint32_t term, int64_t *df);
    /* term_bump for n distinct terms at once, df[i] for terms[i]; optional
     * (NULL: story.c calls term_bump for each) */
    int (*terms_bump)(ng_kb_store *s, const uint32_t *terms, size_t n, int64_t *df);
    int (*posting_add)(ng_kb_store *s, uint32_t term, ng_id doc);
    int (*posting_docs)(ng_kb_store *s, uint32_t term, ng_id *out, size_t max, size_t *n);
    /* stories */
    int (*story_new)(ng_kb_store *s, int32_t day, ng_id *id);
    int (*story_add)(ng_kb_store *s, ng_id story, int32_t day);
    /* a story's centroid (sums of its articles' normalised vectors):
     * malloc'd arrays the caller frees; empty for a new story */
    int (*story_features)(ng_kb_store *s, ng_id story, ng_kb_term **sig, size_t *nsig, ng_kb_term **ents,
                          size_t *nents);
    int (*story_set_features)(ng_kb_store *s, ng_id story, const ng_kb_term *sig, size_t nsig,
                              const ng_kb_term *ents, size_t nents);
    /* events: stored events of root code (2 digits) between days lo and hi
     * whose source (or, when sym, target) is entity source/target or has
     * actor code source_actor/target_actor: the merge's candidates, by id */
    int (*event_candidates)(ng_kb_store *s, const char *root, int32_t lo, int32_t hi, ng_id source,
                            const char *source_actor, ng_id target, const char *target_actor, int sym,
                            ng_kb_evcand *out, size_t max, size_t *n);
    int (*event_new)(ng_kb_store *s, const ng_kb_evrow *ev, ng_id *id);
    /* sets code, quad, goldstein, date, day; fills the sides, actor codes
     * and location where the stored event has none (quad 0: QuadClass and
     * Goldstein value kept) */
    int (*event_update)(ng_kb_store *s, ng_id id, const ng_kb_evrow *ev);
    int (*event_report_add)(ng_kb_store *s, ng_id event, ng_id doc, const ng_kb_evreport *r);
    /* reads events with their reports (and, for a query, the names of the
     * entities and the sentences), calling each for every one in order */
    int (*event_rows)(ng_kb_store *s, const ng_kb_evfilter *f, int (*each)(void *ctx, const ng_kb_evread *ev),
                      void *ctx);
    /* a query (NG_KBQ_*) about entity or story id, or search text,
     * written as JSON */
    int (*query_json)(ng_kb_store *s, int kind, ng_id id, const char *text, size_t limit,
                      int (*write)(void *ctx, const char *p, size_t n), void *ctx);
    /* the whole base as the JSON object of CONTRACT.md */
    int (*export_json)(ng_kb_store *s, int (*write)(void *ctx, const char *p, size_t n), void *ctx);
} ng_kb_ops;

/* The common head of every backend's object. */
struct ng_kb_store {
    const ng_kb_ops *ops;
    char err[512]; /* detail of the last failure */
};

/* Sets s->err; returns rc for tail calls. */
int ng_kb_store_fail(ng_kb_store *s, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The schema version both backends create and migrate to.  A new table
 * (or column) is one more version: append its SQL to kb_sqlite.c's
 * migrations[] and to kb_pg.c's pg_migrations[] (PostgreSQL types), raise
 * this number (kb_pg.c refuses to compile when the two disagree), then
 * give both backends the ops, export and query code that use it. */
#define NG_KB_SCHEMA 7

/* ---- an entity's mentions in one article (schema 5) --------------------
 * doc_entities.start/stop hold the first mention (the timeline's context)
 * and doc_entities.spans the others, packed: for each, in (start, stop)
 * order, a varint of its start minus the previous start and a varint of
 * its stop minus its start (zigzag), about 3 bytes where a row of the
 * former mentions table took 45. */

/* Sorts n (start, stop) pairs and removes repeated ones; returns the new n. */
size_t ng_kb_spans_sort(uint32_t *pairs, size_t n);
#define NG_KB_SPANS_MAX(n) ((n) * 15) /* bytes of ng_kb_spans_pack's output, at most */
/* Packs pairs[1..n) (sorted) after the first into out; returns the length
 * (0 when n <= 1: stored as NULL). */
size_t ng_kb_spans_pack(const uint32_t *pairs, size_t n, unsigned char *out);
/* One mention of a document (the doc query's "mentions"). */
typedef struct {
    uint32_t local, start, stop;
} ng_kb_mention;
/* Appends the mentions of one doc_entities row (its first, then its packed
 * spans) to *v (capacity *cap); NG_ENOMEM, NG_EDB for a damaged blob. */
int ng_kb_spans_unpack(uint32_t local, uint32_t start, uint32_t stop, const unsigned char *p, size_t len,
                       ng_kb_mention **v, size_t *n, size_t *cap);
/* Writes the doc query's "mentions": m sorted by start, stop, local, at
 * most limit of them, as a JSON array of {"local","start","stop"}. */
void ng_kb_mentions_json(ng_buf *b, ng_kb_mention *m, size_t n, size_t limit);

/* Writes ev as the JSON object of the export (query = 0: CONTRACT.md's
 * members and ours) or of the events query (query = 1: also the entities'
 * names and the reports' sentences).  Both backends' exports use it, so
 * that they give the same bytes.  Can't fail (b->oom on a full memory). */
void ng_kb_event_json(ng_buf *b, const ng_kb_evread *ev, int query);

/* Appends a copy of report r (its strings copied) to ev->reports, whose
 * capacity is *cap; NG_ENOMEM.  ng_kb_evread_clear frees the reports. */
int ng_kb_evread_add(ng_kb_evread *ev, size_t *cap, const ng_kb_evread_report *r);
void ng_kb_evread_clear(ng_kb_evread *ev, size_t *cap);

/* The answer to NG_KBQ_EVENTS (both backends' query_json call it): the
 * events involving entity (0: all) whose code starts with root (NULL or
 * "": any), oldest first, at most limit (0: 1000), as a JSON array of
 * ng_kb_event_json objects.  NG_EINVAL for a root that is not 1-4 digits. */
int ng_kb_events_json(ng_kb_store *s, ng_id entity, const char *root, size_t limit,
                      int (*write)(void *ctx, const char *p, size_t n), void *ctx);
/* The same for the events document doc reports (NG_KBQ_DOC_EVENTS). */
int ng_kb_doc_events_json(ng_kb_store *s, ng_id doc, const char *root, size_t limit,
                          int (*write)(void *ctx, const char *p, size_t n), void *ctx);

/* Opens (creating or migrating) the SQLite base at path. */
int ng_kb_sqlite_open(ng_kb_store **out, const char *path, char *err, size_t errlen);
/* Opens an existing SQLite base of this schema version for reading only
 * (never created, migrated or written; a query runs at most 5 seconds). */
int ng_kb_sqlite_open_ro(ng_kb_store **out, const char *path, char *err, size_t errlen);

/* Opens (creating or migrating) the base in the PostgreSQL database of a
 * libpq connection URI (postgresql://... or postgres://...). */
int ng_kb_pg_open(ng_kb_store **out, const char *url, char *err, size_t errlen);
/* The same for reading only: read-only transactions, no migration, a
 * statement timeout of 5 seconds. */
int ng_kb_pg_open_ro(ng_kb_store **out, const char *url, char *err, size_t errlen);

/* Runs query q (NG_KBQ_*) about id, or text, straight on kb's backend, for
 * callers that name entities, stories and documents by number (the web
 * server).  NG_EEMPTY when the entity (ENTITY, TIMELINE, QUOTES with id > 0)
 * or the document (DOC) does not exist. */
int ng_kb_query_raw(ng_kb *kb, int q, ng_id id, const char *text, size_t limit,
                    int (*write)(void *ctx, const char *p, size_t n), void *ctx);

/* ---- link.c ------------------------------------------------------------- */

typedef struct ng_linker ng_linker;

/* Loads the alias groups (lang/common/kb-aliases.txt, lang/common/bodies.txt)
 * and the title lists used to normalise names.  NG_ENOMEM on failure. */
int ng_linker_new(ng_linker **out);
void ng_linker_free(ng_linker *l);

/* Normalises a name into a lookup key in out[cap]: case folded, accents
 * stripped, dots dropped, hyphens and other punctuation as single spaces,
 * leading determiners and titles removed.  Returns the key's length (0
 * when nothing is left).  Can't fail. */
size_t ng_link_key(const ng_linker *l, const char *name, char *out, size_t cap);

/* Damerau-Levenshtein distance between a and b, giving up (returning
 * limit + 1) once it exceeds limit.  Can't fail. */
int ng_link_distance(const char *a, size_t na, const char *b, size_t nb, int limit);

/* Links every entity of doc to a knowledge-base entity (found or made) and
 * writes ids[i] for doc->entities[i].  Registers new keys and surface forms.
 * day is the document's day (or NG_KB_NODAY). */
int ng_link_doc(const ng_linker *l, ng_kb_store *s, const ng_doc *doc, int32_t day, ng_id *ids);

/* Finds the knowledge-base entity a name means (alias group, exact key,
 * surname, fuzzy), the one named by most articles when several fit;
 * *id = 0 when none. */
int ng_link_resolve(const ng_linker *l, ng_kb_store *s, const char *name, ng_id *id);

/* ---- story.c ------------------------------------------------------------ */

typedef struct {
    double threshold; /* smallest similarity that joins a story */
    int window_days;  /* documents further apart than this weigh less */
} ng_story_options;

void ng_story_options_default(ng_story_options *o);

#define NG_STORY_SIG 64 /* terms of a stored signature */

/* Computes doc's term vector (every term, tf-idf weighted by rarity in the
 * base so far, best first) into a malloc'd array *sig of *n terms, and
 * counts its terms into the base's document frequencies.  The first
 * NG_STORY_SIG terms are the stored signature. */
int ng_story_signature(ng_kb_store *s, const ng_doc *doc, ng_kb_term **sig, size_t *n);

/* The linked-entity vector of a document (weights from rarity), malloc'd. */
int ng_story_entities(ng_kb_store *s, const ng_doc *doc, const ng_id *ids, ng_kb_term **out, size_t *n);

/* L2-normalises v[n] and sorts it by key (the stored form of signatures
 * and entity vectors).  Can't fail. */
void ng_story_normalise(ng_kb_term *v, size_t n);

/* Puts stored document doc (with its whole term vector sig, best first, its
 * stored signature top, and its entity vector ents) into the best existing
 * story among those its rare terms and entities lead to, or a new one;
 * *story gets its id. */
int ng_story_assign(ng_kb_store *s, const ng_story_options *o, ng_id doc, const ng_kb_term *sig, size_t nsig,
                    const ng_kb_term *top, size_t ntop, const ng_kb_term *ents, size_t nents, int32_t day,
                    ng_id *story);

/* Days since 1970-01-01 of an ISO date "YYYY-MM-DD..." (or "YYYY-MM", the
 * 15th), or NG_KB_NODAY. */
int32_t ng_kb_day(const char *iso);

/* A 64-bit hash of n bytes (FNV-1a with a final mix).  Can't fail. */
uint64_t ng_kb_hash(const void *p, size_t n);

#endif /* NG_KB_H */
