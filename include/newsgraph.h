/*
 * newsgraph.h — the one public header of libnewsgraph.
 *
 * newsgraph reads news articles (plain text, HTML, JSON Lines, WARC) and
 * turns each into a record: clean text, language, title, publication date,
 * sentences, and (in later stages) entities, times, quotes and events.
 *
 * Habits of this API (see docs/design.md):
 *   - every exported name starts with ng_; handles are opaque;
 *   - fallible calls return int: NG_OK (0) or a negative NG_E* code;
 *     ng_strerror() gives static text, the handle gives the detail;
 *   - each constructor has one destructor, and destructors accept NULL;
 *   - the library never prints and never aborts;
 *   - an ng_model is immutable once loaded and may be shared by any number
 *     of threads; an ng_worker is per-thread scratch; an ng_doc owns one
 *     arena that holds everything about one article.
 */
#ifndef NEWSGRAPH_H
#define NEWSGRAPH_H

#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define NG_VERSION "0.1.0"

/* Error codes.  Every fallible call returns one of these. */
enum {
    NG_OK = 0,
    NG_ENOMEM = -1,    /* out of memory */
    NG_EINVAL = -2,    /* bad argument (a programming error) */
    NG_EIO = -3,       /* cannot read or write a file */
    NG_EFORMAT = -4,   /* malformed input (JSON, WARC, gzip ...) */
    NG_EENCODING = -5, /* not valid UTF-8 and not a known legacy encoding */
    NG_EBINARY = -6,   /* binary data, not text */
    NG_EEMPTY = -7,    /* nothing to analyze (empty input, or no text left) */
    NG_ETOOBIG = -8,   /* larger than the configured limit */
    NG_EMODEL = -9,    /* a model or resource is missing or corrupt */
    NG_ETRUNCATED = -10, /* input ends in the middle of a record */
    NG_EUNSUPPORTED = -11, /* a feature this build does not have (e.g. a postgresql:// base) */
    NG_EDB = -12        /* the knowledge base's storage failed (SQLite error, corrupt or newer schema) */
};

/* Static English text for an error code; never NULL. */
const char *ng_strerror(int rc);

/* ---- models ------------------------------------------------------------ */

typedef struct ng_model ng_model;

typedef struct {
    size_t max_bytes; /* largest article accepted, in bytes (default 64 MiB) */
    const char *models_dir; /* folder of trained models (ner-en.bin ...); NULL: $NEWSGRAPH_MODELS,
                             * then models/ beside the program's folder, then the installed ones */
    const char *actors_file; /* a PETRARCH/TABARI actor dictionary read on top of the built-in actors, or NULL */
    const char *agents_file; /* a PETRARCH/TABARI agent dictionary read on top of the built-in agents, or NULL */
    const char *verbs_file;  /* a PETRARCH/TABARI verb dictionary: its patterns replace the built-in English
                              * patterns of the verbs it names, or NULL */
} ng_model_options;

/* Fills *opt with the defaults.  Can't fail. */
void ng_model_options_default(ng_model_options *opt);

/* Loads every language resource compiled into the library and returns an
 * immutable model in *out.  opt may be NULL for the defaults.  On failure
 * returns a negative code, *out is NULL, and (when err is not NULL) a
 * one-line explanation is written into err[errlen]. */
int ng_model_new(ng_model **out, const ng_model_options *opt, char *err, size_t errlen);

/* Frees a model.  Accepts NULL.  No worker or doc made from it may be in use. */
void ng_model_free(ng_model *m);

/* ---- workers (per-thread scratch) -------------------------------------- */

typedef struct ng_worker ng_worker;

/* Makes the scratch state one thread needs to analyze articles with model m.
 * The model must outlive the worker. */
int ng_worker_new(const ng_model *m, ng_worker **out);
void ng_worker_free(ng_worker *w);

/* Optional stages of ng_analyze.  Reading, cleaning, language, date and
 * segmentation always run; these run when asked (all by default). */
enum {
    NG_STAGE_ENTITIES = 1u << 0, /* named entities (the NER tagger) */
    NG_STAGE_TIMEX = 1u << 1,    /* temporal expressions (TIMEX3) */
    NG_STAGE_QUANTITIES = 1u << 2, /* numbers with units, money, people */
    NG_STAGE_QUOTES = 1u << 3,   /* coreference, quotations and speakers (needs NG_STAGE_ENTITIES) */
    NG_STAGE_EVENTS = 1u << 4,   /* part-of-speech tags and CAMEO events (uses entities, coreference, times) */
    NG_STAGE_ALL = 0xffffffffu
};

/* Chooses the optional stages this worker runs from now on.  Can't fail. */
void ng_worker_set_stages(ng_worker *w, unsigned stages);

/* The stages needed to fill the record members of a field mask
 * (NG_FIELD_*).  Can't fail. */
unsigned ng_fields_stages(unsigned fields);

/* The detail of the last error met by this worker (one line, no newline).
 * Valid until the next call on the worker; never NULL. */
const char *ng_worker_error(const ng_worker *w);

/* ---- analysis ---------------------------------------------------------- */

typedef enum {
    NG_FORMAT_AUTO = 0, /* sniff: HTML when it looks like markup, else text */
    NG_FORMAT_TEXT,
    NG_FORMAT_HTML
} ng_format;

/* What the caller knows about an article besides its bytes.  Every string
 * may be NULL; none is kept after ng_analyze returns (they are copied). */
typedef struct {
    const char *id;        /* the record's "doc" (file name or JSONL id) */
    const char *url;       /* where the page came from */
    const char *published; /* a publication date given by the caller */
    const char *lang;      /* a language code given by the caller */
    const char *charset;   /* a charset given by the transport (HTTP) */
    ng_format format;
} ng_source;

/* Fills *src with NULLs and NG_FORMAT_AUTO.  Can't fail. */
void ng_source_default(ng_source *src);

typedef struct ng_doc ng_doc;

/* Analyzes one article of len bytes.  On success returns NG_OK and a new
 * document in *out, which the caller frees with ng_doc_free().  On failure
 * returns a negative code, *out is NULL, and ng_worker_error(w) says why
 * (e.g. "invalid UTF-8 at byte 1234").  data need not be NUL-terminated and
 * is not kept. */
int ng_analyze(ng_worker *w, const ng_source *src, const char *data, size_t len, ng_doc **out);

/* Frees a document and everything in it.  Accepts NULL. */
void ng_doc_free(ng_doc *d);

/* Accessors.  Strings belong to the document; NULL when unknown. */
const char *ng_doc_id(const ng_doc *d);
const char *ng_doc_text(const ng_doc *d, size_t *len);
const char *ng_doc_title(const ng_doc *d);
const char *ng_doc_lang(const ng_doc *d);
const char *ng_doc_published(const ng_doc *d, const char **from);
size_t ng_doc_sentence_count(const ng_doc *d);
/* Byte offsets [start, end) of sentence i in the text; NG_EINVAL when out of range. */
int ng_doc_sentence(const ng_doc *d, size_t i, size_t *start, size_t *end);
size_t ng_doc_token_count(const ng_doc *d);
int ng_doc_token(const ng_doc *d, size_t i, size_t *start, size_t *end);

/* ---- inputs: files, folders, standard input, JSON Lines, WARC ---------- */

typedef struct ng_reader ng_reader;

typedef enum {
    NG_INPUT_AUTO = 0, /* by name: .jsonl/.ndjson, .warc/.warc.gz, a folder, else one article */
    NG_INPUT_ARTICLE,  /* the whole file (or stdin) is one article */
    NG_INPUT_JSONL,    /* one JSON object per line: id, text|html, url, published, lang */
    NG_INPUT_WARC      /* WARC or .warc.gz: HTML response records */
} ng_input_kind;

/* One article handed out by a reader.  Every pointer is borrowed and valid
 * until the next ng_reader_next or ng_reader_free. */
typedef struct {
    ng_source src;      /* id, url, published, lang, charset, format */
    const char *data;   /* the article's bytes (not NUL-terminated) */
    size_t len;
    const char *where;  /* the input it came from, for messages ("dump.jsonl:12") */
    int rc;             /* NG_OK, or the reason the reader refused this item */
    const char *error;  /* when rc != NG_OK: one line saying what is wrong */
} ng_item;

/* Opens path ("-" for standard input; a folder is walked recursively in
 * name order) as kind.  Items larger than max_bytes are refused one by one
 * (rc NG_ETOOBIG) without being held in memory.  On failure *out is NULL and
 * err[errlen] says why. */
int ng_reader_open(ng_reader **out, const char *path, ng_input_kind kind, size_t max_bytes, char *err,
                   size_t errlen);

/* Opens len bytes of memory as kind (for tests and fuzzing); data must stay
 * valid while the reader is used. */
int ng_reader_open_mem(ng_reader **out, const char *data, size_t len, const char *name, ng_input_kind kind,
                       size_t max_bytes);

/* Fetches the next item.  Returns 1 with *item filled (check item->rc: a
 * refused item is still returned, so the caller can report it and go on),
 * 0 at the end, or a negative code when the input cannot be read further
 * (ng_reader_error says why; items already returned stay valid reports). */
int ng_reader_next(ng_reader *r, ng_item *item);

/* Detail of the reader's last fatal error; never NULL. */
const char *ng_reader_error(const ng_reader *r);

void ng_reader_free(ng_reader *r);

/* ---- the JSON record --------------------------------------------------- */

/* Which members of the record to write (CONTRACT.md); "doc" is always written. */
enum {
    NG_FIELD_LANG = 1u << 0,
    NG_FIELD_PUBLISHED = 1u << 1,
    NG_FIELD_TITLE = 1u << 2,
    NG_FIELD_TEXT = 1u << 3,
    NG_FIELD_SENTENCES = 1u << 4,
    NG_FIELD_URL = 1u << 5,
    NG_FIELD_AGENCIES = 1u << 6,
    NG_FIELD_TOKENS = 1u << 7, /* not in the default set */
    NG_FIELD_ENTITIES = 1u << 8,
    NG_FIELD_TIMEXES = 1u << 9,
    NG_FIELD_QUANTITIES = 1u << 10,
    NG_FIELD_QUOTES = 1u << 11,
    NG_FIELD_EVENTS = 1u << 12,
    NG_FIELD_DEFAULT = 0x1f7fu,
    NG_FIELD_ALL = 0x1fffu
};

/* Parses a comma-separated list of field names ("text,sentences") into a
 * mask.  Returns NG_EINVAL and leaves *mask alone on an unknown name. */
int ng_fields_parse(const char *list, unsigned *mask);

/* Writes the record of d as JSON (one line, or indented when pretty) into a
 * new NUL-terminated malloc'd string that the caller frees with free(). */
int ng_doc_json(const ng_doc *d, unsigned fields, int pretty, char **out, size_t *outlen);

/* Writes the JSON record of a refused input, {"doc":..., "error":...}, the
 * same way.  Used by callers that keep output aligned with input. */
int ng_error_json(const char *id, const char *message, char **out, size_t *outlen);

/* ---- the knowledge base (kb.c, docs/kb.md) ----------------------------- */

/* A store of analyzed articles across which entities are linked (one
 * entity per real-world thing, across articles and languages) and articles
 * grouped into stories.  One thread at a time may use a handle. */
typedef struct ng_kb ng_kb;

typedef struct {
    size_t batch;         /* articles per transaction (default 100); a crash loses at most the open batch */
    double story_threshold; /* similarity that joins an article to a story (0: the default) */
    int story_window_days;  /* articles further apart in time than this weigh less (0: the default) */
    int readonly;         /* open an existing base for queries only: never created, migrated or written */
} ng_kb_options;

/* Fills *opt with the defaults.  Can't fail. */
void ng_kb_options_default(ng_kb_options *opt);

/* Opens the knowledge base at where: a file name (SQLite; created when
 * absent, an older schema migrated) or a postgresql:// URL (NG_EUNSUPPORTED
 * in this build).  opt may be NULL.  On failure *out is NULL and err[errlen]
 * says why. */
int ng_kb_open(ng_kb **out, const char *where, const ng_kb_options *opt, char *err, size_t errlen);

/* Whether raw input bytes were already ingested (compared by hash), so a
 * caller may skip analyzing them.  Returns 1, 0, or a negative code. */
int ng_kb_has_raw(ng_kb *kb, const char *data, size_t len);

/* Stores one analyzed article: links its entities, puts it into a story.
 * raw/rawlen are the input's bytes (may be NULL) so a rerun can skip them.
 * *added (may be NULL) is 1 when stored, 0 when an article with the same
 * clean text or raw bytes was already there (a no-op).  Writes are grouped
 * in transactions of opt->batch articles; ng_kb_commit or ng_kb_close ends
 * the open one.  The doc is not kept. */
int ng_kb_add(ng_kb *kb, const ng_doc *doc, const char *raw, size_t rawlen, int *added);

/* Commits the open transaction, if any. */
int ng_kb_commit(ng_kb *kb);

/* Writes the whole base as one JSON object (documents, entities, stories,
 * events; CONTRACT.md) through write(ctx, bytes, n), which returns 0 on
 * success.  ng_kb_export_file writes it to f. */
int ng_kb_export_json(ng_kb *kb, int (*write)(void *ctx, const char *p, size_t n), void *ctx);
int ng_kb_export_file(ng_kb *kb, FILE *f);

/* Queries; each writes JSON through write(ctx, bytes, n) (docs/kb.md shows
 * the shapes). */
typedef enum {
    NG_KB_ENTITY = 1, /* arg: a name in any language or form; its profile (aliases, counterparts, quotes, timeline) */
    NG_KB_TIMELINE,   /* arg: a name; the articles naming it, oldest first, each with the mention in context */
    NG_KB_STORY,      /* arg: a story number; its articles, oldest first */
    NG_KB_STORIES,    /* the largest stories with labels and date ranges (arg unused) */
    NG_KB_SEARCH,     /* arg: an FTS5 query over the articles' titles and text */
    NG_KB_QUOTES,     /* arg: a speaker's name, or NULL for every quote; oldest first */
    NG_KB_EVENTS      /* arg: an entity (a name, or its id in digits), or NULL for all; the events it
                       * takes part in, merged across articles, oldest first, each with its reports */
} ng_kb_query;

/* Runs a query; limit caps the rows (0: a default).  NG_EEMPTY when no
 * entity has that name, NG_EINVAL for a bad argument (a malformed search),
 * with the detail in ng_kb_error. */
int ng_kb_query_json(ng_kb *kb, ng_kb_query kind, const char *arg, size_t limit,
                     int (*write)(void *ctx, const char *p, size_t n), void *ctx);

/* The events query with its filters: entity (a name, or a KB entity id in
 * digits; NULL or "" for any), code (a CAMEO code prefix such as "04" or
 * "042"; NULL or "" for any), at most limit events (0: 1000).  Writes a
 * JSON array, oldest first: [{"id", "code", "source", "target", "date",
 * "docs", "source_actor", "target_actor", "quad", "goldstein", "location",
 * "source_name", "target_name", "reports": [{"doc", "sentence", "span",
 * "code", "trigger", "negated", "mood", "date", "text"}]}] (docs/kb.md).
 * NG_EEMPTY when no entity has that name, NG_EINVAL for a code that is
 * not digits. */
int ng_kb_query_events(ng_kb *kb, const char *entity, const char *code, size_t limit,
                       int (*write)(void *ctx, const char *p, size_t n), void *ctx);

/* The detail of the last error on kb (one line); never NULL. */
const char *ng_kb_error(const ng_kb *kb);

/* Commits what is pending and closes.  Returns the commit's code.  Accepts NULL. */
int ng_kb_close(ng_kb *kb);

#ifdef __cplusplus
}
#endif
#endif /* NEWSGRAPH_H */
