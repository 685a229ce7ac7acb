/*
 * internal.h — what the library's modules share and the CLI must not see.
 *
 * One concept per file:
 *   arena.c       per-article arena allocator
 *   buf.c         growable byte buffer, JSON string writer
 *   utf8.c        UTF-8 validation, decoding, encoding, legacy charsets
 *   resource.c    language resources compiled into the binary (lang/)
 *   model.c       ng_model / ng_worker: load once, share read-only
 *   read_text.c   plain text: encoding, line classifier (page chrome)
 *   read_html.c   HTML via myhtml: metadata, block scoring (boilerplate)
 *   read_jsonl.c  one JSON Lines item
 *   read_warc.c   WARC / .warc.gz streaming reader
 *   langid.c      language identification
 *   pubdate.c     publication date: metadata values and text datelines
 *   segment.c     sentences and tokens with byte offsets
 *   doc.c         the pipeline (ng_analyze) and the doc accessors
 *   record.c      the JSON record
 */
#ifndef NG_INTERNAL_H
#define NG_INTERNAL_H

#include "newsgraph.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define NG_MAX_LANGS 8
#define NG_UNUSED(x) ((void)(x))

/* ---- arena.c ----------------------------------------------------------- */

/* A bump allocator made of a list of blocks.  Everything about one article
 * lives in its arena and dies with ng_arena_free.  Allocation failure
 * returns NULL (and sets oom) so callers can bail out with NG_ENOMEM. */
typedef struct ng_arena_block ng_arena_block;
typedef struct {
    ng_arena_block *head; /* newest block first */
    size_t total;         /* bytes obtained from malloc, for accounting */
    int oom;              /* set once any allocation failed */
} ng_arena;

void ng_arena_init(ng_arena *a);
void ng_arena_free(ng_arena *a);
/* n bytes aligned to 16, uninitialised; NULL on failure. */
void *ng_arena_alloc(ng_arena *a, size_t n);
/* nmemb*size bytes zeroed; NULL on failure or overflow. */
void *ng_arena_calloc(ng_arena *a, size_t nmemb, size_t size);
/* A NUL-terminated copy of s[0..n); NULL on failure (or when s is NULL). */
char *ng_arena_strndup(ng_arena *a, const char *s, size_t n);
char *ng_arena_strdup(ng_arena *a, const char *s);

/* ---- buf.c ------------------------------------------------------------- */

/* A growable byte string on malloc, always NUL-terminated once anything
 * was put in it.  After a failed allocation 'oom' is set and further puts
 * are ignored, so callers check once at the end. */
typedef struct {
    char *p;
    size_t len, cap;
    int oom;
} ng_buf;

void ng_buf_init(ng_buf *b);
void ng_buf_free(ng_buf *b);
void ng_buf_reset(ng_buf *b); /* len = 0, memory kept */
int ng_buf_reserve(ng_buf *b, size_t extra);
void ng_buf_put(ng_buf *b, const void *s, size_t n);
void ng_buf_putc(ng_buf *b, char c);
void ng_buf_puts(ng_buf *b, const char *s);
void ng_buf_printf(ng_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s[0..n) as a JSON string literal with quotes.  Invalid UTF-8
 * bytes become U+FFFD so the output is always valid JSON. */
void ng_buf_json_str(ng_buf *b, const char *s, size_t n);
/* Hands the memory to the caller (who frees it); b is left empty. */
char *ng_buf_take(ng_buf *b, size_t *len);
/* Appends the whole file at path to b.  NG_OK, NG_EIO when it cannot be
 * opened or read, NG_ENOMEM. */
int ng_buf_read_file(ng_buf *b, const char *path);

/* FNV-1a, the hash of the project's small open-addressing tables. */
static inline uint32_t ng_hash_bytes(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

/* ---- utf8.c ------------------------------------------------------------ */

/* Decodes one code point at s (n bytes available).  Returns its length
 * (1..4) and stores it in *cp; returns 0 for an invalid or truncated
 * sequence (overlongs, surrogates and > U+10FFFF are invalid). */
int ng_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);
/* Encodes cp into out (4 bytes room); returns the length. */
int ng_utf8_encode(uint32_t cp, char *out);
/* Offset of the first invalid byte, or n when all of s is valid UTF-8. */
size_t ng_utf8_check(const char *s, size_t n);
/* Appends bytes in Windows-1252 (a superset of Latin-1's printable range)
 * as UTF-8. */
void ng_cp1252_to_utf8(ng_buf *out, const char *s, size_t n);
/* Unicode general category helpers (utf8proc). */
int ng_cp_is_space(uint32_t cp);  /* White_Space incl. NBSP, thin spaces */
int ng_cp_is_alpha(uint32_t cp);  /* letters */
int ng_cp_is_upper(uint32_t cp);
int ng_cp_is_digit(uint32_t cp);
int ng_cp_is_punct(uint32_t cp);

/* ---- resource.c -------------------------------------------------------- */

/* Returns the bytes of a resource file compiled in from lang/ ("en/abbrev.txt"),
 * or NULL when there is none.  The memory is static. */
const char *ng_resource(const char *path, size_t *len);

/* An immutable set of strings (lowercased on load when asked), for
 * resource lists: one item a line, '#' starts a comment, blank lines
 * ignored, surrounding white space trimmed. */
typedef struct ng_strset_slot ng_strset_slot;
typedef struct {
    char **items;      /* sorted, unique */
    size_t n;
    char *storage;     /* one block holding every item */
    ng_strset_slot *index; /* hash of every prefix of every item (resource.c), or NULL */
    size_t index_mask; /* slots in index - 1 (a power of two - 1) */
    size_t maxlen;     /* bytes of the longest item */
    uint64_t first_bytes; /* bit b & 63 set for the first byte b of every item (a filter) */
} ng_strset;

/* Loads resource 'path' into s; a missing resource gives an empty set
 * (and NG_EMODEL when required is set).  fold lowercases ASCII and
 * Latin letters with utf8proc case folding. */
int ng_strset_load(ng_strset *s, const char *path, int fold, int required);
void ng_strset_free(ng_strset *s);
int ng_strset_has(const ng_strset *s, const char *key, size_t n);
/* The items that begin with key[0..n) are items[*lo .. *hi) (adjacent,
 * since items are sorted); returns their number (0, with *lo == *hi, when
 * none does).  One hash lookup. */
size_t ng_strset_prefix(const ng_strset *s, const char *key, size_t n, size_t *lo, size_t *hi);
/* Lowercases (case folds) s[0..n) into out (NUL-terminated, at most cap-1
 * bytes); returns the length written. */
size_t ng_fold(const char *s, size_t n, char *out, size_t cap);

/* ---- model.c ----------------------------------------------------------- */

/* What one language brings (lang/<code>/).  Read-only after load. */
typedef struct {
    char code[8];
    ng_strset abbrev;        /* abbreviations ending in '.', folded, dot removed */
    ng_strset chrome_lines;  /* whole lines that are page chrome (folded) */
    ng_strset chrome_prefix; /* line starts that are page chrome (folded) */
    ng_strset months;        /* "janvier 1", "jan 1": name then month number */
    ng_strset stopwords;     /* frequent function words, for language id */
    ng_strset abbrev_prenominal; /* abbreviations that precede a name or number and never end a sentence (segment.c) */
    ng_strset elisions;      /* elided words split off with their apostrophe: "l", "qu" (segment.c) */
    ng_strset clitics;       /* clitics split off a word: "'s", "n't" (segment.c) */
    ng_strset hyphen_clitics; /* inverted pronouns split off a verb: "-t-il", "-elle" (segment.c) */
    ng_strset weekdays;      /* weekday names and abbreviations (folded) */
    ng_strset date_labels;   /* "published", "publié le": label a date (folded) */
    ng_strset teaser_heads;  /* "related articles": start a trailing teaser list (folded) */
    ng_strset credit_words;  /* "with", "avec", "and": words of a credit line (folded) */
    ng_strset chrome_phrase; /* phrases that mark a short line as chrome anywhere in it (folded) */
    struct ng_ner *ner;      /* the named-entity tagger (models/ner-<code>.bin, ner.c) */
    struct ng_grammar *grammar; /* time and quantity grammar (timex-*.txt, quantity-*.txt; timex.c) */
    struct ng_qlex *qlex;    /* speech cues, pronouns, first names, descriptions (coref.c, quote.c) */
    struct ng_pos *pos;      /* the part-of-speech tagger (models/pos-<code>.bin, pos.c), or NULL */
    struct ng_evlex *evlex;  /* event patterns, agents and actors of this language (events.c), or NULL */
} ng_lang;

struct ng_model {
    ng_model_options opt;
    ng_lang langs[NG_MAX_LANGS];
    size_t nlangs;
    ng_strset html_negative;  /* class/id cues of boilerplate blocks (common) */
    ng_strset html_positive;  /* class/id cues of article blocks (common) */
    ng_strset html_promo;     /* calls to action in short HTML blocks (common/html-promo.txt, boilerplate.c) */
    ng_strset html_chrome;    /* whole HTML blocks that are chrome (common/html-chrome-lines.txt, boilerplate.c) */
    ng_strset html_teaser;    /* headings of trailing teaser lists (common/html-teaser-heads.txt, boilerplate.c) */
    ng_strset agencies;       /* news agency names (common) */
    ng_strset months_extra;   /* month names of languages without a lang/ folder, connectors as "de 0" (common/months.txt, pubdate.c) */
    struct ng_evcommon *evc;  /* CAMEO codebook, named actors, countries, user dictionaries (events.c) */
};

/* The language resources for code ("en"), or NULL. */
const ng_lang *ng_model_lang(const ng_model *m, const char *code);

struct ng_worker {
    const ng_model *model;
    char err[512];        /* detail of the last error */
    void *textcat;        /* language identifier handle (langid.c), lazily made */
    ng_buf scratch;       /* reusable buffer */
    unsigned stages;      /* NG_STAGE_* to run (ng_worker_set_stages) */
    struct ng_ner_scratch *ner; /* tagger scratch (ner.c), lazily made */
    struct ng_pos_scratch *pos; /* part-of-speech tagger scratch (pos.c), lazily made */
    struct ng_ev_scratch *ev;   /* event stage scratch (events.c), lazily made */
    struct ng_tx_scratch *tx;   /* atoms of the current document (timex.c), lazily made */
    void *html_parser;    /* myhtml_t (read_html.c), lazily made */
    void *html_tree;      /* myhtml_tree_t, cleaned after each page (read_html.c) */
};

/* Sets the worker's error detail; returns rc for tail calls. */
int ng_worker_fail(ng_worker *w, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* ---- the document ------------------------------------------------------ */

typedef struct {
    uint32_t start, end; /* byte offsets into doc->text, end exclusive */
} ng_span;

/* Token flags. */
enum {
    NG_TOK_WORD = 1u << 0,   /* contains a letter */
    NG_TOK_NUM = 1u << 1,    /* contains a digit */
    NG_TOK_PUNCT = 1u << 2,  /* punctuation only */
    NG_TOK_UPPER = 1u << 3,  /* starts with an uppercase letter */
    NG_TOK_ALLCAP = 1u << 4, /* two or more letters, all uppercase */
    NG_TOK_ABBREV = 1u << 5, /* a known abbreviation with its dot */
    NG_TOK_QUOTE = 1u << 6,  /* a quotation mark */
    NG_TOK_SENT_START = 1u << 7
};

typedef struct {
    uint32_t start, end; /* byte offsets into doc->text */
    uint32_t sent;       /* sentence index */
    uint32_t flags;      /* NG_TOK_* */
} ng_token;

/* Where a metadata value came from (the record's "from"). */
#define NG_FROM_INPUT "input"  /* given by the caller (JSONL, option) */
#define NG_FROM_META "meta"    /* HTML metadata */
#define NG_FROM_TEXT "text"    /* a dateline in the text */

struct ng_doc {
    ng_arena arena;          /* owns everything below */
    const ng_model *model;
    const ng_lang *lang_res; /* resources of doc->lang, or NULL */
    char *id;
    char *url;
    char *title;
    char lang[8];            /* "" when unknown */
    char *lang_hint;         /* from the caller or <html lang> */
    char *published;         /* ISO 8601 date or date-time, or NULL */
    const char *published_from;
    char *meta_published;    /* from HTML metadata (read_html.c) */
    char **agencies;         /* NULL-terminated, or NULL */
    size_t nagencies;
    char *text;              /* the clean article text, NUL-terminated */
    size_t text_len;
    ng_span *sentences;
    size_t nsentences;
    ng_token *tokens;
    size_t ntokens;
    struct ng_entity *entities; /* named entities (ner.c), in order of first mention */
    size_t nentities;
    struct ng_time_expr *timexes;   /* temporal expressions (timex.c), in text order */
    size_t ntimexes;
    struct ng_quantity *quantities; /* quantities (quantity.c), in text order */
    size_t nquantities;
    struct ng_quote *quotes; /* quotations with their speakers (quote.c), in text order */
    size_t nquotes;
    unsigned char *pos;      /* one universal part-of-speech tag (NG_UPOS_*, pos.h) per token, or NULL */
    struct ng_event *events; /* coded events (events.c), in text order */
    size_t nevents;
};

/* ---- timex.c, quantity.c: time expressions and quantities -------------- */

/* One TIMEX3 temporal expression. */
typedef struct ng_time_expr {
    ng_span span;      /* byte offsets into doc->text */
    const char *type;  /* "DATE", "TIME", "DURATION" or "SET" (static) */
    const char *value; /* TIMEX3 value: "2020-01-27", "2021-H2", "P6W" (doc->arena) */
    const char *mod;   /* "START", "END", "MID", ... or NULL (model memory) */
} ng_time_expr;

/* One quantity: a number with what it counts. */
typedef struct ng_quantity {
    ng_span span;      /* byte offsets into doc->text */
    double value;      /* 45 million is 45000000 */
    const char *unit;  /* ISO 4217 code, "person", "percent", a unit noun, or NULL */
    const char *noun;  /* the counted noun when unit is "person" ("soldier"), or NULL */
    const char *per;   /* the period of a rate ("year"), or NULL */
    const char *mod;   /* "MORE_THAN", "APPROX", "AT_LEAST", ... or NULL */
} ng_quantity;

typedef struct ng_grammar ng_grammar;
typedef struct ng_tx_scratch ng_tx_scratch;

/* Compiles the grammar of language code (lang/<code>/timex-*.txt,
 * quantity-*.txt and months.txt) into *out.  A language without grammar
 * files gets an empty grammar.  NG_EMODEL with a line-numbered message in
 * err on a syntax error, NG_ENOMEM. */
int ng_grammar_load(ng_grammar **out, const char *code, char *err, size_t errlen);
void ng_grammar_free(ng_grammar *g);
void ng_tx_scratch_free(ng_tx_scratch *sc);

/* The timex stage: fills doc->timexes (and doc->published from a dateline
 * when it was unknown). */
int ng_timex(ng_worker *w, ng_doc *doc);

/* The quantities stage: fills doc->quantities. */
int ng_quantities(ng_worker *w, ng_doc *doc);

/* ---- ner.c: named entities ------------------------------------------- */

/* What a mention is: a name (the tagger's), or a pronoun or description
 * that coreference (coref.c) linked to the entity. */
enum { NG_MENTION_NAME = 0, NG_MENTION_PRONOUN, NG_MENTION_NOMINAL };

/* One mention of an entity: where it is and its text (in doc->arena). */
typedef struct {
    ng_span span;     /* byte offsets into doc->text */
    const char *text; /* NUL-terminated copy of the span */
    int kind;         /* NG_MENTION_* */
} ng_mention;

/* One thing named in the article: its mentions grouped ("Florence Parly",
 * "Ms. Parly", "Parly"; an acronym with its long form), the fullest name. */
typedef struct ng_entity {
    uint32_t id;           /* 1, 2, ... in order of first mention */
    const char *type;      /* "PER", "ORG", "LOC" or "MISC" (static) */
    const char *name;      /* canonical name (in doc->arena) */
    ng_mention *mentions;  /* in text order */
    size_t nmentions;
    const char **titles;   /* titles and roles found around its mentions ("French Minister of Defense"; doc->arena) */
    size_t ntitles;
    const char *country;   /* ISO 3166-1 alpha-3 code, or NULL (model memory or static) */
} ng_entity;

typedef struct ng_ner ng_ner;
typedef struct ng_ner_scratch ng_ner_scratch;

/* Finds and maps models/ner-<lang>.bin (in dir when not NULL, else in
 * $NEWSGRAPH_MODELS, <exe>/../../models, the source tree's models/ and the
 * installed share/newsgraph/models) and loads its tagger.  NG_EMODEL (or
 * NG_EIO, NG_ENOMEM) with a message naming where it looked in err. */
int ng_ner_load(ng_ner **out, const char *dir, const char *lang, char *err, size_t errlen);
void ng_ner_free(ng_ner *ner);
void ng_ner_scratch_free(ng_ner_scratch *sc);

/* The entities stage: tags doc->tokens with the tagger of doc's language
 * (none when the language has no model) and fills doc->entities. */
int ng_entities(ng_worker *w, ng_doc *doc);

/* ---- coref.c, quote.c: coreference and quotations ------------------- */

/* One quotation: direct (between quote marks) or indirect ("said that ..."). */
typedef struct ng_quote {
    ng_span span;             /* what was said, byte offsets into doc->text (marks excluded) */
    uint32_t speaker;         /* id of the speaking entity, 0 when none is known */
    const char *speaker_text; /* the speaker as written when unnamed or a description (doc->arena), or NULL */
    const char *cue;          /* the speech cue as written ("said", "a indiqué", "selon") (doc->arena), or NULL */
    int direct;               /* 1 between quote marks, 0 for reported speech */
} ng_quote;

/* The word lists of one language used by coref.c and quote.c (lang/<code>/
 * speech-verbs.txt, pronouns.txt, first-names.txt, descriptions.txt,
 * unnamed-sources.txt).  Read-only after load. */
typedef struct ng_qlex ng_qlex;

/* Loads the lists of language code into *out (an empty lexicon when the
 * language has none).  NG_ENOMEM on failure. */
int ng_qlex_load(ng_qlex **out, const char *code);
void ng_qlex_free(ng_qlex *q);

/* The coreference stage: links pronouns, nominal descriptions and
 * appositions to the entities of doc, adding them as mentions (in text
 * order) to the entity they mean.  Needs doc->entities. */
int ng_coref(ng_worker *w, ng_doc *doc);

/* The quotes stage: fills doc->quotes, with speakers found through the
 * entities' mentions (run ng_coref first). */
int ng_quotes(ng_worker *w, ng_doc *doc);

/* ---- the stages (each returns NG_OK or a code, with the detail set on w) */

/* Turns raw bytes into UTF-8 in out: strips a BOM, decodes UTF-16 with a
 * BOM, transcodes Windows-1252/Latin-1 when the bytes are not UTF-8 (or
 * when charset names such an encoding), refuses binary data (NUL bytes,
 * control characters) with NG_EBINARY and undecodable bytes with
 * NG_EENCODING naming the byte offset. */
int ng_decode(ng_worker *w, const char *data, size_t len, const char *charset, ng_buf *out);

/* Plain text: normalises line ends and spaces, drops page-chrome lines
 * (calls to action, teaser lists, image file names, date widgets) using the
 * resources of every loaded language, finds a title, a dateline and agency
 * credits, and sets doc->text/text_len (and title, published, agencies
 * where found).  s is UTF-8. */
int ng_text_extract(ng_worker *w, ng_doc *doc, const char *s, size_t n);

/* HTML: parses with myhtml, reads metadata (title, og:*, article:published_time,
 * <time datetime>, JSON-LD datePublished, <html lang>) and keeps the article's
 * blocks only; sets doc->text/text_len, title, meta_published, lang_hint.
 * s is UTF-8. */
int ng_html_extract(ng_worker *w, ng_doc *doc, const char *s, size_t n);

/* Frees the worker's HTML parser and tree (made by ng_html_extract). */
void ng_html_scratch_free(ng_worker *w);

/* Charset named by an HTML document's <meta> (first 4 KiB), copied into
 * out[cap] lowercased; returns 1 when found. */
int ng_html_sniff_charset(const char *s, size_t n, char *out, size_t cap);

/* Sets doc->lang (a two-letter code, or "" when unknown) from the text,
 * using the hint when the text is too short to tell. */
int ng_langid(ng_worker *w, ng_doc *doc);

/* Normalises a date as found in metadata ("2022-01-20T10:00:00+01:00",
 * "Thu, 20 Jan 2022 10:00:00 GMT", "20/01/2022", "January 20, 2022")
 * to ISO 8601 ("2022-01-20", or with time "2022-01-20T10:00:00+01:00")
 * written into out[cap].  Returns 1 on success, 0 when it is not a date. */
int ng_date_normalize(const ng_model *m, const char *s, size_t n, char *out, size_t cap);

/* Reads a date at the start of s[0..n), after an optional weekday
 * ("mer. Avr 24th, 2024", "20 janvier 2022", "2022-01-20T10:00Z").  Returns
 * the bytes the date (and any time) takes, or 0 when no date starts there.
 * When the date has a year, its ISO form goes into out[cap] and *has_year is
 * 1; without a year ("2 oct") *has_year is 0 and out is "".  (pubdate.c) */
size_t ng_date_scan(const ng_model *m, const char *s, size_t n, char *out, size_t cap, int *has_year);

/* When s[0..n) is an agency credit line ("With AFP and Reuters", "(AFP)",
 * "( Jowharwith AFP)", "avec AFP"), adds the agencies it names to doc and
 * returns 1; otherwise returns 0 and leaves doc alone.  (agencies.c) */
int ng_agencies_credit(ng_doc *doc, const char *s, size_t n);

/* Splits doc->text into sentences and tokens (doc->sentences, doc->tokens),
 * using doc->lang_res abbreviations. */
int ng_segment(ng_worker *w, ng_doc *doc);

/* Finds news agency credits ("(AFP)", "With AFP and Reuters") in the text
 * and sets doc->agencies. */
int ng_agencies_find(ng_worker *w, ng_doc *doc);

/* ---- input.c, read_jsonl.c, read_warc.c: the readers ------------------ */

/* A byte stream from a file descriptor or from memory, gunzipped on the
 * fly when asked (multi-member gzip, truncation detected).  Reads through
 * a 64 KiB window, so memory stays bounded whatever the input's size. */
typedef struct ng_stream ng_stream;

/* Opens a stream over fd (which the stream closes) or over n bytes at p
 * (which must outlive the stream).  NG_ENOMEM on failure. */
int ng_stream_open_fd(ng_stream **out, int fd);
int ng_stream_open_mem(ng_stream **out, const char *p, size_t n);
void ng_stream_free(ng_stream *s);
/* Before any read: when the raw bytes start with the gzip magic, switches
 * to inflating them and returns 1; else returns 0 (or a negative code). */
int ng_stream_gunzip_auto(ng_stream *s);
/* Makes up to want (<= 4096) bytes visible at *p without consuming them;
 * returns how many (fewer only at the end of the input or on an error). */
size_t ng_stream_peek(ng_stream *s, const char **p, size_t want);
/* Reads one line (without its '\n') and appends at most max bytes of it
 * to line; *len gets the line's full length.  Returns 1 for a line, 0 at
 * the end of the input, or the stream's negative code on an error. */
int ng_stream_getline(ng_stream *s, ng_buf *line, size_t max, uint64_t *len);
/* Reads up to n bytes, appending them to out (or dropping them when out
 * is NULL); *got says how many.  Returns NG_OK (got < n at the end of the
 * input) or the stream's negative code. */
int ng_stream_read(ng_stream *s, ng_buf *out, uint64_t n, uint64_t *got);
/* The sticky error of the stream: NG_OK, or NG_EIO, NG_EFORMAT,
 * NG_ETRUNCATED, NG_ENOMEM with a one-line message in *msg. */
int ng_stream_error(const ng_stream *s, const char **msg);

/* JSON Lines: one item per non-blank line (read_jsonl.c).  name is the
 * input's name for item->where ("name:LINE"); strings handed out in items
 * live until the next call.  next returns 1, 0 at the end, NG_ENOMEM. */
typedef struct ng_jsonl ng_jsonl;
int ng_jsonl_new(ng_jsonl **out, ng_stream *s, const char *name, size_t max_bytes);
int ng_jsonl_next(ng_jsonl *j, ng_item *item);
void ng_jsonl_free(ng_jsonl *j);

/* WARC: one item per HTML response or resource record (read_warc.c), the
 * same way as ng_jsonl ("name:RECORD" in item->where). */
typedef struct ng_warc ng_warc;
int ng_warc_new(ng_warc **out, ng_stream *s, const char *name, size_t max_bytes);
int ng_warc_next(ng_warc *wr, ng_item *item);
void ng_warc_free(ng_warc *wr);

#endif /* NG_INTERNAL_H */
