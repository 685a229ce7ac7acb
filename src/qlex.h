/*
 * qlex.h — the word lists shared by coref.c and quote.c: a small hash map
 * from a folded word or phrase to attribute bits, the per-language lexicon
 * (ng_qlex) and token helpers both stages use.  Private to those two files.
 */
#ifndef NG_QLEX_H
#define NG_QLEX_H

#include "internal.h"

/* Attribute bits of a lexicon entry (the meaning depends on the list). */
enum {
    QL_M = 1u << 0,     /* masculine */
    QL_F = 1u << 1,     /* feminine */
    QL_SG = 1u << 2,    /* singular */
    QL_PL = 1u << 3,    /* plural */
    QL_SUBJ = 1u << 4,  /* subject pronoun */
    QL_OBJ = 1u << 5,   /* object pronoun */
    QL_POSS = 1u << 6,  /* possessive */
    QL_REFL = 1u << 7,  /* reflexive */
    QL_REL = 1u << 8,   /* relative pronoun / relational noun ("counterpart") */
    QL_INV = 1u << 9,   /* inverted subject ("a-t-il") */
    QL_HON = 1u << 10,  /* honorific before a name */
    QL_ORG = 1u << 11,  /* may describe an organisation */
    QL_CUE_V = 1u << 12, /* reporting verb */
    QL_CUE_P = 1u << 13, /* participle: speaker is the main subject */
    QL_CUE_S = 1u << 14, /* source preposition ("according to") */
    QL_AUX = 1u << 15,   /* auxiliary or adverb between subject and cue */
    QL_CUE_B = 1u << 16, /* belief verb: a cue only before "that" */
    QL_FULL = 1u << 30,  /* a complete entry (not only the prefix of a phrase) */
    QL_PREFIX = 1u << 31 /* the first words of a longer phrase */
};
#define QL_CUE (QL_CUE_V | QL_CUE_P | QL_CUE_S | QL_CUE_B)

/* An immutable hash map from a folded key to attribute bits. */
typedef struct {
    char **keys;     /* slot -> key (NUL-terminated, in storage), NULL when empty */
    uint32_t *vals;  /* slot -> attribute bits */
    size_t mask;     /* slots - 1 (a power of two - 1), 0 when empty */
    char *storage;   /* every key */
    size_t n;        /* entries */
    uint32_t lenmask[128]; /* by first ASCII byte of a key: bit L set when its first word is L bytes (31: longer) */
} ng_lexmap;

struct ng_qlex {
    ng_lexmap cues;         /* speech-verbs.txt */
    ng_lexmap pronouns;     /* pronouns.txt */
    ng_lexmap first_names;  /* first-names.txt */
    ng_lexmap descriptions; /* descriptions.txt */
    ng_lexmap unnamed;      /* unnamed-sources.txt */
};

/* The bits of key[0..n) (already folded), or 0 when absent.  Can't fail. */
uint32_t ng_lexmap_get(const ng_lexmap *m, const char *key, size_t n);

/* Looks up the longest entry of m that starts at token i of doc and spans
 * at most maxtok tokens (words joined as written, runs of white space as one
 * space).  Returns its bits (0 when none) and the tokens it covers in *ntok. */
uint32_t ng_lex_match(const ng_lexmap *m, const ng_doc *doc, size_t i, size_t maxtok, size_t *ntok);

/* The bits of the single token i in m (folded; a trailing dot dropped when
 * the token with it is absent).  Can't fail. */
uint32_t ng_lex_tok(const ng_lexmap *m, const ng_doc *doc, size_t i);

/* The gender (QL_M, QL_F or 0) of a first name in any loaded language. */
uint32_t ng_first_name_gender(const ng_model *model, const char *s, size_t n);

/* 1 when token i is exactly the ASCII word w (case-insensitive). */
int ng_tok_is(const ng_doc *doc, size_t i, const char *w);

/* The entity index + 1 of every token covered by a mention (0 elsewhere),
 * and in *first (when not NULL) 1 at each mention's first token.  Arrays of
 * doc->ntokens in doc->arena; NULL on out of memory. */
uint32_t *ng_token_entities(ng_doc *doc, uint8_t **first);

#endif /* NG_QLEX_H */
