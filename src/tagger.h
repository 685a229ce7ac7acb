/*
 * tagger.h — the sequence tagger (tagger.c), its binary model container
 * (modelfile.c) and the stages built on them: entities (ner.c) and parts
 * of speech (pos.c).
 *
 * The tagger is a first-order averaged structured perceptron over BILOU
 * tags (B-X begin, I-X inside, L-X last, U-X unit, O outside) or over a
 * plain tag set (NG_SCHEME_PLAIN: the universal parts of speech).  Each token
 * fires about forty features (word, lowercased word, shape, affixes,
 * neighbours, word clusters, capitalisation in context ...); each feature
 * is hashed, with its template number, into one of 2^bits rows of a weight
 * table that holds one int16 weight per tag.  A token's score for tag t is
 * the sum of its rows' column t; a tag-to-tag transition matrix is added
 * and Viterbi finds the best sequence.
 *
 * Everything here is read-only once loaded: an ng_tagger points into a
 * mapped ng_modelfile and may be shared by threads; the per-call scratch
 * (feature rows, scores, back-pointers) is an ng_tagger_scratch that each
 * thread owns.
 */
#ifndef NG_TAGGER_H
#define NG_TAGGER_H

#include "internal.h"

#include <stddef.h>
#include <stdint.h>

/* ---- modelfile.c: the binary container --------------------------------- */

#define NG_MODELFILE_MAGIC "NGMODEL"  /* 8 bytes with its NUL */
#define NG_MODELFILE_VERSION 1u
#define NG_MODELFILE_HEADER 64u       /* bytes before the section table */
#define NG_MODELFILE_ENTRY 40u        /* bytes per section table entry */
#define NG_MODELFILE_MAX_SECTIONS 64u
#define NG_MODELFILE_NAME 16u         /* section name field, NUL padded */

typedef struct {
    char name[NG_MODELFILE_NAME + 1]; /* NUL-terminated copy of the name */
    const unsigned char *data;        /* into the file's bytes */
    uint64_t len;                     /* bytes */
    uint32_t crc;                     /* CRC-32 (zlib) of data[0..len) */
} ng_mf_section;

/* A validated model file: every section lies inside the file and matches
 * its checksum.  Read-only; the bytes are mapped (or borrowed). */
typedef struct {
    const unsigned char *base; /* the whole file */
    size_t size;
    int mapped;                /* 1: base is an mmap that close unmaps */
    uint32_t version;
    uint32_t nsections;
    ng_mf_section sections[NG_MODELFILE_MAX_SECTIONS];
} ng_modelfile;

/* Validates len bytes at p (borrowed: they must outlive mf) as a model
 * file.  Returns NG_OK, or NG_EMODEL with a one-line reason in err. */
int ng_modelfile_open_mem(ng_modelfile *mf, const void *p, size_t len, char *err, size_t errlen);
/* Maps path read-only and validates it the same way (NG_EIO when it cannot
 * be opened).  ng_modelfile_close unmaps. */
int ng_modelfile_open(ng_modelfile *mf, const char *path, char *err, size_t errlen);
void ng_modelfile_close(ng_modelfile *mf);
/* The section called name, or NULL. */
const ng_mf_section *ng_modelfile_find(const ng_modelfile *mf, const char *name);

/* Looks for the model file called file ("ner-en.bin") in the model folders,
 * in order (docs/models.md): dir alone when not NULL; else
 * $NEWSGRAPH_MODELS, models/ beside the program's folder, PREFIX/share/
 * newsgraph/models beside an installed program, the source tree's models/,
 * the install prefix's.  The first folder holding it wins: the file is
 * mapped and validated into mf and its path written to path.  Returns
 * NG_OK; when no folder holds it, NG_EMODEL with *found = 0 and err "no
 * <what> model <file>: looked in <folders>"; when the file found is bad,
 * its error (NG_EMODEL, NG_ENOMEM) with *found = 1 and the reason in err. */
int ng_modelfile_search(ng_modelfile *mf, const char *dir, const char *file, const char *what, char *path,
                        size_t pathlen, int *found, char *err, size_t errlen);

/* Builds a model file in memory: add sections in order, then finish. */
typedef struct {
    ng_buf body;        /* section bytes, each 16-byte aligned, offsets relative to the body */
    uint32_t n;
    char names[NG_MODELFILE_MAX_SECTIONS][NG_MODELFILE_NAME];
    uint64_t off[NG_MODELFILE_MAX_SECTIONS], len[NG_MODELFILE_MAX_SECTIONS];
} ng_mf_writer;

void ng_mf_writer_init(ng_mf_writer *wr);
void ng_mf_writer_free(ng_mf_writer *wr);
/* Appends a section (name at most 15 bytes).  NG_EINVAL when the table is
 * full or the name too long, NG_ENOMEM on allocation failure. */
int ng_mf_writer_add(ng_mf_writer *wr, const char *name, const void *data, size_t len);
/* Lays out header, table and sections with their checksums into a new
 * malloc'd buffer (*out, *outlen) that the caller frees. */
int ng_mf_writer_finish(ng_mf_writer *wr, unsigned char **out, size_t *outlen);

/* Little-endian readers and writers (the format's byte order). */
static inline uint32_t ng_le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t ng_le64(const unsigned char *p) { return ng_le32(p) | (uint64_t)ng_le32(p + 4) << 32; }
static inline void ng_put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}
static inline void ng_put64(unsigned char *p, uint64_t v)
{
    ng_put32(p, (uint32_t)v);
    ng_put32(p + 4, (uint32_t)(v >> 32));
}

/* ---- tagger.c ---------------------------------------------------------- */

#define NG_TAGGER_MAX_TAGS 32
#define NG_TAGGER_MAX_FEATS 64 /* features per token, at most */
#define NG_TAGGER_MAX_TOKEN 64 /* bytes of a token looked at */

/* Feature families, switched on and off as a bit set (measured in docs/models.md). */
enum {
    NG_FF_WORD = 1u << 0,     /* word, lowercased word */
    NG_FF_SHAPE = 1u << 1,    /* shapes of w-1, w0, w+1 and their trigram */
    NG_FF_AFFIX = 1u << 2,    /* prefixes and suffixes 1-4 */
    NG_FF_WINDOW = 1u << 3,   /* lowercased words at -2..+2 */
    NG_FF_BIGRAM = 1u << 4,   /* w-1 w0 and w0 w+1 */
    NG_FF_CAPCTX = 1u << 5,   /* capitalisation x first-in-sentence, caps ratio of the sentence */
    NG_FF_CLUSTER = 1u << 6,  /* word cluster path prefixes of w-1, w0, w+1 */
    NG_FF_GAZ = 1u << 7,      /* gazetteer hits (ng_tword.gaz bits) */
    NG_FF_DOC = 1u << 8,      /* document context: the word seen capitalised mid-sentence elsewhere */
    NG_FF_GAZCTX = 1u << 10,  /* gazetteer kinds of w-1 and w+1 ("Minister [X]", "[X] Forces") */
    NG_FF_DOC2 = 1u << 9,     /* more document context: after a title, inside a run of capitalised words (ng_tagger_doc_context2) */
    NG_FF_DEFAULT = 0x17fu
};

/* One token as the tagger sees it. */
typedef struct {
    const char *s;  /* UTF-8 bytes (not NUL-terminated) */
    uint32_t len;
    uint32_t gaz;   /* gazetteer hit bits (0 when none), one feature per bit */
    uint32_t doc;   /* document context bits (NG_FF_DOC), 0 when unknown */
} ng_tword;

/* Tag schemes: what the tag names mean.  NG_SCHEME_ENTITY tags are O,
 * B-X, I-X, L-X, U-X (BILOU or BIO), with the transitions the scheme
 * forbids fixed at -1e30 (the NER taggers); NG_SCHEME_PLAIN tags are any
 * distinct names with every transition allowed (the part-of-speech
 * taggers: ADJ, ADP, ...).  Stored in the "hash" section (0 in files
 * written before plain tags existed). */
enum { NG_SCHEME_ENTITY = 0, NG_SCHEME_PLAIN = 1 };

/* The parameters of hashing and the feature families. */
typedef struct {
    uint32_t bits;     /* the table has 2^bits rows */
    uint32_t seed;     /* mixed into every feature hash */
    uint32_t families; /* NG_FF_* */
    uint32_t ntags;
    uint32_t scheme;   /* NG_SCHEME_* */
} ng_tagger_params;

/* Word clusters: an open-addressed table of 64-bit word hashes (of the
 * folded, digit-normalised word) to a path of up to 32 bits. */
typedef struct {
    const unsigned char *slots; /* nslots x 16 bytes: u64 hash, u32 path, u32 path length */
    uint32_t nslots;            /* a power of two, or 0 */
} ng_clusters;

/* The gazetteer (section "gazetteer", built by ng_gaz_build from the TSV
 * that tools/gazetteer.py writes): an open-addressed table keyed by the
 * hash of a name folded with every space and dot removed ("Burkina Faso"
 * is "burkinafaso", "U.S." is "us"), so that a run of tokens matches
 * whatever the tokenizer made of the spaces and apostrophes.  Each slot:
 * u64 key (0 = empty), u32 kind bits (NG_GAZ_*; NG_GAZ_PREFIX when the key
 * is also the start of a longer name), u32 offset + 1 of the code in the
 * codes blob (0: none).  Section layout: u32 nslots (a power of two), u32
 * longest name in words, nslots x 16 bytes, then the NUL-terminated codes. */
enum {
    NG_GAZ_COUNTRY = 1u << 0,  /* ISO 3166-1 country names (en, fr, CLDR variants) */
    NG_GAZ_CITY = 1u << 1,     /* cities (CLDR time zone cities) */
    NG_GAZ_REGION = 1u << 2,   /* ISO 3166-2 subdivisions, CLDR world regions */
    NG_GAZ_CURRENCY = 1u << 3, /* ISO 4217 and CLDR currency names */
    NG_GAZ_DEMONYM = 1u << 4,  /* lang/<code>/demonyms.txt */
    NG_GAZ_TITLE = 1u << 5,    /* lang/<code>/titles.txt */
    NG_GAZ_ORGHEAD = 1u << 6,  /* lang/<code>/org-heads.txt */
    NG_GAZ_BODY = 1u << 7,     /* lang/common/bodies.txt */
    NG_GAZ_HONORIFIC = 1u << 8, /* lang/<code>/honorifics.txt: Mr., Ms., M., Mme (not kept as titles) */
    NG_GAZ_MISCHEAD = 1u << 9, /* lang/<code>/misc-heads.txt: "Operation" makes a MISC name */
    NG_GAZ_KINDS = 0xffffu,
    NG_GAZ_PREFIX = 1u << 31
};
#define NG_GAZ_MAX_WORDS 8 /* longest name matched, in tokens */

#define NG_GAZ_FILTER_BITS 19 /* 2^19 bits: 64 KB */
typedef struct {
    const unsigned char *slots; /* nslots x 16 bytes */
    uint32_t nslots;            /* a power of two, or 0 (no gazetteer) */
    const char *codes;          /* NUL-terminated codes */
    uint32_t codes_len;
    /* Made by ng_gaz_load: one bit per key of the table (a key's low
     * bits), so that most words, in no name, are turned away without a
     * probe of the table (megabytes, far from the processor's caches).
     * Never says no to a key that is there. */
    int has_filter;
    uint32_t serial;            /* nonzero and unique per ng_gaz_load: the key of ng_gcache */
    uint64_t filter[((size_t)1 << NG_GAZ_FILTER_BITS) / 64];
} ng_gazetteer;

/* A per-thread cache of what the gazetteer says of one word alone (its
 * fed hash and kinds), for ng_gaz_mark_cached. */
typedef struct ng_gcache ng_gcache;
void ng_gcache_free(ng_gcache *c);

/* Hashes s[0..n) into h as a gazetteer key: folded, dots and white space
 * dropped, U+2019 as an apostrophe.  Start with h = NG_GAZ_H0; feed the
 * tokens of a name one after the other. */
#define NG_GAZ_H0 0xcbf29ce484222325ULL
uint64_t ng_gaz_feed(uint64_t h, const char *s, size_t n);
/* Looks a finished key up: returns its kind bits (with NG_GAZ_PREFIX), 0
 * when absent; *code (may be NULL) gets its code or NULL. */
uint32_t ng_gaz_get(const ng_gazetteer *g, uint64_t h, const char **code);
/* The longest name starting at words[i] (within words[0..n)): returns its
 * length in tokens (0 when none) with its kind bits and code. */
size_t ng_gaz_match(const ng_gazetteer *g, const ng_tword *words, size_t n, size_t i, uint32_t *kinds,
                    const char **code);
/* Sets words[i].gaz over one sentence from the longest matches, left to
 * right: every token of a match gets its kinds, the first also kinds << 16. */
void ng_gaz_mark(const ng_gazetteer *g, ng_tword *words, size_t n);

/* The same marks, looking each word up first in *cache (made on first
 * use; NULL cache pointer or no memory: as ng_gaz_mark).  Free it with
 * ng_gcache_free. */
void ng_gaz_mark_cached(const ng_gazetteer *g, ng_gcache **cache, ng_tword *words, size_t n);
/* Builds the section bytes from a TSV (name, kind, code a line; '#'
 * comments) into out.  NG_EINVAL on an unknown kind, NG_ENOMEM. */
int ng_gaz_build(ng_buf *out, const char *tsv, size_t len);
/* Reads the optional "gazetteer" section (g zeroed when there is none);
 * NG_EMODEL with a reason when it is malformed. */
int ng_gaz_load(ng_gazetteer *g, const ng_modelfile *mf, char *err, size_t errlen);

/* A loaded tagger: read-only, shareable by threads. */
typedef struct {
    ng_tagger_params p;
    char tags[NG_TAGGER_MAX_TAGS][16]; /* "O", "B-PER", ... */
    char types[NG_TAGGER_MAX_TAGS][8]; /* entity type of each tag ("" for O) */
    char kind[NG_TAGGER_MAX_TAGS];     /* 'O','B','I','L','U'; 'T' for every tag of a plain scheme */
    const int16_t *w;                  /* 2^bits x ntags emission weights */
    const float *trans;                /* (ntags+2) x ntags: row p is from tag p, row ntags from the
                                        * start of the sentence, row ntags+1 is added at its end */
    float scale;                       /* real weight = w / scale */
    ng_clusters clusters;
    ng_gazetteer gaz;                  /* empty when the file has none */
    uint8_t npred[NG_TAGGER_MAX_TAGS]; /* allowed predecessors of each tag (from trans) */
    uint8_t pred[NG_TAGGER_MAX_TAGS][NG_TAGGER_MAX_TAGS];
    uint32_t id;                       /* nonzero, unique per ng_tagger_load: its weights never change,
                                        * so the word cache may keep sums of them (0: no cache) */
} ng_tagger;

/* The per-thread word cache (tagger.c): what a loaded tagger computes
 * from a word alone (its hashes, and the sums of the weight rows of the
 * features it fires as the word itself and as each neighbour) kept across
 * sentences and documents. */
typedef struct ng_wcache ng_wcache;

/* Per-thread scratch for tagging, grown on demand. */
typedef struct {
    uint32_t *rows;    /* n x NG_TAGGER_MAX_FEATS feature rows */
    uint8_t *nrows;    /* features per token */
    float *score;      /* n x ntags */
    float *delta;      /* n x ntags */
    uint8_t *back;     /* n x ntags */
    char *fold;        /* folded words, NG_TAGGER_MAX_TOKEN+1 bytes each */
    uint64_t *h;       /* per token: hashes of word forms (several) */
    size_t cap;        /* tokens room */
    ng_wcache *wc;     /* the word cache (NULL until a loaded tagger tags) */
    const void **ent;  /* per token: its cache entry */
    struct ng_vplan *vplan; /* the grouped Viterbi's plan for the loaded tagger vplan_id */
    uint32_t vplan_id;
    struct ng_gcache *gc;   /* ng_gaz_mark_cached's word cache (NULL until used) */
} ng_tagger_scratch;

void ng_tagger_scratch_free(ng_tagger_scratch *sc);

/* Reads the tagger's sections from a validated model file ("hash", "tags",
 * "weights", "trans", "clusters").  t points into mf's bytes, so mf must
 * outlive it.  NG_EMODEL with a reason in err when a section is missing or
 * its size does not agree with the parameters. */
int ng_tagger_load(ng_tagger *t, const ng_modelfile *mf, char *err, size_t errlen);

/* Finds file in the model folders (ng_modelfile_search), maps it into mf
 * and loads its tagger into t.  NG_OK; otherwise mf is closed, *found says
 * whether a file was found, and err says what went wrong ("no <what>
 * model ...", or "<path>: <reason>" for a bad file). */
int ng_tagger_open(ng_modelfile *mf, ng_tagger *t, const char *dir, const char *file, const char *what, int *found,
                   char *err, size_t errlen);

/* Computes the feature rows of every token of one sentence into sc->rows /
 * sc->nrows.  params and clusters may come from a loaded tagger or from a
 * trainer.  NG_ENOMEM when the scratch cannot grow. */
int ng_tagger_features(const ng_tagger_params *p, const ng_clusters *cl, ng_tagger_scratch *sc,
                       const ng_tword *words, size_t n);

/* Tags one sentence of n tokens: tags[i] gets the index of token i's tag.
 * NG_ENOMEM when the scratch cannot grow; n == 0 is fine. */
int ng_tagger_tag(const ng_tagger *t, ng_tagger_scratch *sc, const ng_tword *words, size_t n, uint8_t *tags);
/* The same with greedy decoding: left to right, each token takes the tag
 * with the best emission plus transition from the tag just chosen (no
 * look-ahead; for plain tag sets, where nothing is forbidden). */
int ng_tagger_tag_greedy(const ng_tagger *t, ng_tagger_scratch *sc, const ng_tword *words, size_t n, uint8_t *tags);

/* Looks up the cluster path of a word; returns its length in bits (0 when
 * the word has no cluster) and the path in *path. */
unsigned ng_clusters_get(const ng_clusters *cl, const char *s, size_t n, uint32_t *path);
/* The hash the cluster table is keyed by (folded, digits as 0). */
uint64_t ng_tagger_word_hash(const char *s, size_t n);

/* Document context (NG_FF_DOC): sets words[i].doc for the n tokens of one
 * document (sent_first[i] is 1 at the first token of a sentence): bit 0
 * when the word (folded) occurs somewhere in the document with an initial
 * capital inside a sentence, bit 1 when it occurs all lowercase there.
 * Helps with sentence-initial words and headlines in capitals.  NG_ENOMEM
 * on failure (the bits are then left 0). */
int ng_tagger_doc_context(ng_tword *words, const uint8_t *sent_first, size_t n);

/* More document context (NG_FF_DOC2), ORed into words[i].doc after
 * ng_tagger_doc_context and after the gazetteer bits are set: bit 2 when
 * the word (folded) follows a title or honorific somewhere in the
 * document, bit 3 when it is somewhere inside a run of two or more
 * capitalised words, bit 4 when it somewhere comes right before an
 * organisation's head word, bit 5 when it somewhere ends such a run,
 * bit 6 when it somewhere starts one.  What a word is elsewhere in an
 * article tells what it is here ("Parly" after "Ms." -> a person).
 * NG_ENOMEM on failure (bits left as they were). */
int ng_tagger_doc_context2(ng_tword *words, const uint8_t *sent_first, size_t n);

/* Both at once (the families NG_FF_DOC and NG_FF_DOC2 in families say
 * which), each word's shape and hash computed once: the same bits as
 * ng_tagger_doc_context then ng_tagger_doc_context2. */
int ng_tagger_doc_contexts(ng_tword *words, const uint8_t *sent_first, size_t n, uint32_t families);

/* Viterbi over precomputed scores: score is n x T emissions, trans is
 * (T+2) x T (row T the start state, row T+1 the end); writes the best path
 * to tags.  delta and back are n x T scratch.  Can't fail. */
void ng_viterbi(const float *score, const float *trans, size_t n, unsigned T, float *delta, uint8_t *back,
                uint8_t *tags);

/* ---- training (tagger.c; used by tools/train-ner.c and the unit tests) - */

/* One training sentence: tokens and gold tag indexes. */
typedef struct {
    ng_tword *w;
    uint8_t *gold;
    size_t n;
} ng_tsent;

typedef struct {
    ng_tagger_params p;
    unsigned epochs;       /* at most this many passes */
    unsigned patience;     /* stop after this many epochs without a better dev score (0: never) */
    uint32_t shuffle_seed; /* fixed: training is deterministic */
    char tags[NG_TAGGER_MAX_TAGS][16];
    ng_clusters clusters;
    /* Called after every epoch with the averaged model; returns the dev
     * score (higher is better) or a negative number when there is no dev. */
    double (*dev_score)(const ng_tagger *t, void *ctx, unsigned epoch);
    void *dev_ctx;
} ng_train_opts;

/* A trained model in memory, ready to be written. */
typedef struct {
    ng_tagger t;      /* points into the arrays below */
    int16_t *w;
    float *trans;
    unsigned best_epoch;
    double best_dev;
} ng_trained;

/* Trains on n sentences.  Deterministic for given options.  Returns NG_OK
 * or NG_ENOMEM; out's arrays are malloc'd (ng_trained_free). */
int ng_tagger_train(const ng_train_opts *o, const ng_tsent *sents, size_t n, ng_trained *out);
void ng_trained_free(ng_trained *tr);

/* Adds the tagger's sections ("hash", "tags", "weights", "trans") to wr;
 * clusters_blob (nslots x 16 bytes, may be NULL) becomes "clusters". */
int ng_tagger_write(const ng_tagger *t, ng_mf_writer *wr);

/* Fills t's tag tables (types, kinds) from the names in t->tags and
 * t->p.scheme.  NG_EINVAL when an entity scheme name is not O, B-X, I-X,
 * L-X or U-X, or a plain scheme name is empty or repeated. */
int ng_tagger_index_tags(ng_tagger *t);
/* Writes -1e30 into the transitions the scheme forbids (O -> I-X, B-X -> O
 * in BILOU, ...) in trans ((ntags+2) x ntags); a plain scheme forbids none. */
void ng_tagger_constrain(const ng_tagger *t, float *trans);

/* ---- ner.c: tags to entities ------------------------------------------- */

/* Turns a tag sequence into spans: for each entity, the first and last
 * token (inclusive) and the type index; returns the number written (at
 * most cap).  Ill-formed sequences (I- without B-) are repaired the usual
 * way: any non-O tag after O or of another type starts an entity. */
size_t ng_tags_to_spans(const ng_tagger *t, const uint8_t *tags, size_t n, uint32_t *first, uint32_t *last,
                        uint8_t *type_tag, size_t cap);

#endif /* NG_TAGGER_H */
