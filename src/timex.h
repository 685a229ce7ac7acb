/*
 * timex.h — what timex.c (temporal expressions, the grammar compiler) and
 * quantity.c (numbers with units) share: the compiled lexicon of one
 * language and the "atoms" both stages read the text through.
 *
 * An atom is one lexicon phrase ("il y a", "second half"), one piece of a
 * token (hyphenated tokens are split: "third-quarter" is two atoms unless
 * the whole token is a lexicon entry, like "week-end"), or a number read
 * from its digits or words ("4,500", "1,5", "cinquante-deux",
 * "quatre-vingt-dix", "twenty five").  Atoms carry classes (TX_C_* bits)
 * and the values the lexicon gives them; grammar rules match atoms.
 */
#ifndef NG_TIMEX_H
#define NG_TIMEX_H

#include "internal.h"

/* Atom and lexicon classes.  A word may have several ("second": ORD and UNIT). */
enum {
    TX_C_NUM = 1u << 0,    /* a cardinal number: num */
    TX_C_ORD = 1u << 1,    /* an ordinal: "third", "1st", "1er": num */
    TX_C_MONTH = 1u << 2,  /* month: month */
    TX_C_WDAY = 1u << 3,   /* weekday: wday (1 = Monday) */
    TX_C_SEASON = 1u << 4, /* season: str ("SU") */
    TX_C_UNIT = 1u << 5,   /* calendar unit: unit (TX_U_*) */
    TX_C_REL = 1u << 6,    /* last / this / next: rel */
    TX_C_AGO = 1u << 7,    /* ago / later / il y a / dans: ago (-1 or +1) */
    TX_C_MOD = 1u << 8,    /* early / late / mid / début: mod */
    TX_C_REF = 1u << 9,    /* today / yesterday / hier: ref (days from the anchor) */
    TX_C_VAL = 1u << 10,   /* a fixed value: now -> PRESENT_REF: val */
    TX_C_SET = 1u << 11,   /* daily -> P1D, every: set (may be "") */
    TX_C_POD = 1u << 12,   /* morning / soir: pod ("MO", "EV") */
    TX_C_TIME = 1u << 13,  /* a clock time token: "10:30", "10h30", "10h": hour, min */
    TX_C_AMPM = 1u << 14,  /* a.m. / p.m.: ampm (1 / 2) */
    TX_C_DECADE = 1u << 15, /* "1990s", "80s", "années" + number: decade (199) */
    TX_C_VAGUE = 1u << 16, /* several / a few / quelques: a number that is X */
    TX_C_SCALE = 1u << 17, /* million / milliard / bn: scale */
    TX_C_CUR = 1u << 18,   /* currency: "$", "euros": str (ISO 4217) */
    TX_C_PERSON = 1u << 19, /* people nouns: "soldiers": str ("soldier") */
    TX_C_QUNIT = 1u << 20, /* other units: "km", "tonnes": str */
    TX_C_QMOD = 1u << 21,  /* more than / about / plus de: str ("MORE_THAN") */
    TX_C_PER = 1u << 22,   /* per / a / par / by: introduces a period */
    TX_C_PCT = 1u << 23,   /* percent / % / pour cent */
    TX_C_YEAR = 1u << 24,  /* four digits 1000..2199 (set on atoms, not in the lexicon) */
    TX_C_LIT = 1u << 25,   /* a word used as a literal by some rule */
    TX_C_ISO = 1u << 26    /* an ISO date token "2022-01-20" (set on atoms): iso_y, iso_m, iso_d */
};

/* Lexicon entry flags. */
enum {
    TX_E_CAP = 1u << 0,     /* counts only when the word is capitalised ("May") */
    TX_E_PL = 1u << 1,      /* plural unit ("weeks") */
    TX_E_FUTURE = 1u << 2,  /* a future-tense cue ("will", "prochain") */
    TX_E_PAST = 1u << 3,    /* a past-tense cue ("said", "hier") */
    TX_E_PREFIX = 1u << 4,  /* the key begins a longer phrase */
    TX_E_ENTRY = 1u << 5,   /* the key is a phrase itself */
    TX_E_ARTICLE = 1u << 6, /* "a", "un": a number only in time expressions */
    TX_E_NUMWORD = 1u << 7, /* a number word that combines ("vingt", "hundred") */
    TX_E_AND = 1u << 8,     /* joins number words ("et", "and") */
    TX_E_OF = 1u << 9,      /* links a number to its noun ("of", "de", "d'") */
    TX_E_REPORT = 1u << 10, /* a reporting verb ("said", "a déclaré"): a weak tense cue */
    TX_E_AUX = 1u << 11,    /* a past auxiliary ("had", "was"): a future cue after it is past */
    TX_E_BE = 1u << 12      /* "be", "is": a past form after it is a participle, no tense cue */
};

/* Calendar units. */
enum { TX_U_NONE, TX_U_Y, TX_U_M, TX_U_W, TX_U_D, TX_U_H, TX_U_MIN, TX_U_S, TX_U_DE, TX_U_CE, TX_U_Q, TX_U_WE, TX_U_HALF };

typedef struct tx_entry {
    uint32_t cls;       /* TX_C_* */
    uint32_t flags;     /* TX_E_* */
    double num;         /* NUM, ORD value; SCALE factor */
    int8_t month, wday, rel, ago, unit, ampm;
    int8_t day;         /* MONTH: a holiday's day ("christmas | month=12 day=25"), else 0 */
    int8_t nth, nth_wday; /* MONTH: the nth weekday of the month (Thanksgiving: 4, 4; -1: the last), else 0 */
    int16_t ref;        /* REF: days from the anchor */
    const char *season; /* SEASON: "SP", "SU", "FA", "WI" */
    const char *mod;    /* MOD: "START", "END", "MID"; QMOD: "MORE_THAN" ... */
    const char *val;    /* VAL: "PRESENT_REF" ... */
    const char *set;    /* SET: "P1D" ("" for "every") */
    const char *pod;    /* POD: "MO", "AF", "EV", "NI" */
    const char *str;    /* CUR: ISO code; PERSON: noun; QUNIT: unit; PER: period */
    uint32_t *rules;    /* rules whose first element is this word (literal) */
    uint32_t nrules;
    uint32_t nrules1;   /* how many of them (listed first) are one element long */
} tx_entry;

/* Atom flags. */
enum {
    TX_A_DIGITS = 1u << 0, /* made of digits (and separators) */
    TX_A_INT = 1u << 1,    /* an integer */
    TX_A_UPPER = 1u << 2,  /* starts with an uppercase letter */
    TX_A_HYPHEN = 1u << 3, /* joined to the previous atom by a hyphen */
    TX_A_FUTURE = 1u << 4, /* a future-tense verb form */
    TX_A_PAST = 1u << 5,   /* a past-tense cue */
    TX_A_WORD = 1u << 6,   /* contains a letter */
    TX_A_PUNCT = 1u << 7,  /* punctuation */
    TX_A_REPORT = 1u << 8  /* a reporting verb: its tense counts only when nothing nearer tells */
};

typedef struct {
    uint32_t start, end; /* byte offsets into doc->text */
    uint32_t sent;       /* sentence index */
    uint32_t cls;        /* TX_C_* */
    uint32_t flags;      /* TX_A_* */
    int8_t ndig;         /* digits of an all-digit integer token, else 0 */
    int8_t hour, min;    /* TIME */
    int8_t iso_m, iso_d; /* ISO: month and day */
    int16_t iso_y;       /* ISO: year */
    int16_t decade;      /* DECADE */
    const tx_entry *e;   /* the lexicon entry, or NULL */
    double num;          /* NUM / ORD / YEAR value */
    double scale;        /* "5bn": the suffix's factor (1e9), else 0 */
    const tx_entry *sfx; /* "5bn", "10km": the suffix's entry, else NULL */
} tx_atom;

/* The worker's atoms (ng_worker.tx). */
struct ng_tx_scratch {
    const ng_doc *doc; /* the document the atoms are of, or NULL */
    tx_atom *atoms;
    size_t n, cap;
    struct tx_piece *pieces; /* the tokens cut at hyphens (timex.c) */
    size_t npieces, cappieces;
    uint32_t *live;  /* indices of the atoms with a class or an entry, in order */
    size_t nlive, caplive;
};

/* The compiled grammar of one language (timex-*.txt, quantity-*.txt,
 * months.txt).  Read-only once loaded.  Defined in timex.c. */
struct ng_grammar;

/* ng_grammar_load with rules[0..rules_len) read in place of language
 * code's timex-rules.txt (NULL: that file).  A syntax error gives
 * NG_EMODEL and one line in err: "<code>/timex-rules.txt:<line>: what". */
int ng_grammar_load_rules(struct ng_grammar **out, const char *code, const char *rules, size_t rules_len, char *err,
                          size_t errlen);

/* Lexicon lookup of a folded key; NULL when absent. */
const tx_entry *ng_grammar_lookup(const struct ng_grammar *g, const char *key, size_t n);

/* The decimal separator of the language ('.' or ','). */
char ng_grammar_decimal(const struct ng_grammar *g);

/* Fills *out (malloc'd, reused through the worker's scratch) with the
 * atoms of doc's text.  Returns NG_OK or NG_ENOMEM.  The array belongs to
 * the worker and lives until the next document.  The atoms of the last
 * document are reused when doc is the same pointer: ng_timex forgets them
 * before it starts and ng_quantities after it ends, so a new document at a
 * freed one's address never sees stale atoms. */
int ng_tx_atoms(ng_worker *w, ng_doc *doc, const tx_atom **out, size_t *n);

#endif /* NG_TIMEX_H */
