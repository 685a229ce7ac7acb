/*
 * segment.c — sentences and tokens with byte offsets, English and French.
 *
 * ng_segment() makes two passes over doc->text:
 *
 *   1. Tokens.  One left-to-right scan.  ASCII bytes are classified by a
 *      table; only bytes >= 0x80 are decoded (and classified with
 *      utf8proc).  A token is a word (letters, digits and the joiners that
 *      may sit between them: "anti-Jihadist", "U.S", "4,500", "1,5",
 *      "10:30", "4 500" with a no-break or thin space), a URL or e-mail
 *      address, or one punctuation mark (runs of dots, "?!" and "--" stay
 *      together).  Quotation marks are tokens of their own (NG_TOK_QUOTE).
 *      French elisions (l', qu', jusqu') and inverted subject pronouns
 *      (-t-il, -elle) and English clitics ('s, n't) are split off using the
 *      language's resource lists.  A "." right after an abbreviation, an
 *      initial, a dotted acronym or a list number is glued to that token,
 *      which remembers whether it may end a sentence.
 *
 *   2. Sentences.  One scan over the tokens.  A boundary falls after
 *      . ! ? ... when the next token is separated by white space and does
 *      not start with a lowercase letter; closing quotes and brackets that
 *      follow the mark stay in the sentence they close.  After an
 *      abbreviation or initial, a boundary needs a capitalised function
 *      word next ("in the U.S. The next day"); after a title ("M.",
 *      "Gen.") never.  A blank line always ends a sentence; a single line
 *      break ends one when the text is not hard-wrapped and the line does
 *      not end in the middle of a clause (headlines, list items).
 *
 * Internal state rides in the high 16 bits of each token's flags during
 * the passes and is cleared before returning; everything is allocated in
 * doc->arena.  The word lists live in lang/<code>/ (abbreviations.txt,
 * abbreviations-prenominal.txt, elisions.txt, clitics.txt,
 * hyphen-clitics.txt, stopwords.txt).
 */
#include "internal.h"

#include <string.h>
#include <strings.h>
#include <utf8proc.h>

/* Character classes. */
enum {
    K_SPACE = 1,     /* white space, including no-break and thin spaces */
    K_NL = 2,        /* a line break (always with K_SPACE) */
    K_UPPER = 4,     /* an uppercase or titlecase letter */
    K_LOWER = 8,     /* a lowercase letter */
    K_DIGIT = 16,    /* a decimal digit */
    K_MARK = 32,     /* a combining mark or joiner: continues a word */
    K_OTHER = 64,    /* punctuation, symbols, anything else */
    K_CASELESS = 128 /* a letter without case (CJK, Arabic ...) */
};
#define K_LETTER (K_UPPER | K_LOWER | K_CASELESS)
#define K_ALNUM (K_LETTER | K_DIGIT)

#define S K_SPACE
#define N (K_SPACE | K_NL)
#define U K_UPPER
#define L K_LOWER
#define D K_DIGIT
#define P K_OTHER
static const unsigned char ktab[256] = {
    P, P, P, P, P, P, P, P, P, S, N, S, S, S, P, P,
    P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P,
    S, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P,
    D, D, D, D, D, D, D, D, D, D, P, P, P, P, P, P,
    P, U, U, U, U, U, U, U, U, U, U, U, U, U, U, U,
    U, U, U, U, U, U, U, U, U, U, U, P, P, P, P, P,
    P, L, L, L, L, L, L, L, L, L, L, L, L, L, L, L,
    L, L, L, L, L, L, L, L, L, L, L, P, P, P, P, P,
    /* bytes >= 0x80: decoded and classified by cls_cp() */
};
#undef S
#undef N
#undef U
#undef L
#undef D
#undef P

/* Internal token state (high bits of ng_token.flags, cleared at the end). */
enum {
    I_GAP = 1u << 16,     /* white space before the token */
    I_NL = 1u << 17,      /* a line break before the token */
    I_PARA = 1u << 18,    /* a blank line (or the text's start) before it */
    I_TERM = 1u << 19,    /* . ! ? ... : may end a sentence */
    I_WEAK = 1u << 20,    /* abbreviation/initial with its dot: ends one only before a starter */
    I_PRENOM = 1u << 21,  /* a title with its dot: never ends a sentence */
    I_LIST = 1u << 22,    /* "1." at a line start */
    I_CLOSE = 1u << 23,   /* ” » › ) ] }: closes what the sentence opened */
    I_DQ = 1u << 24,      /* a straight double quote (open or close) */
    I_APOS = 1u << 25,    /* a lone ' or ’ (closes when glued to a mark) */
    I_LOWER = 1u << 26,   /* starts with a lowercase letter */
    I_NOBREAK = 1u << 27, /* , ; ( - & / and opening quotes: a line break after it is no boundary */
    I_MASK = 0xffff0000u
};

/* The state of one segmentation. */
typedef struct {
    ng_doc *doc;
    const unsigned char *s; /* doc->text */
    size_t n;               /* doc->text_len */
    const ng_lang *L;       /* the resources used, or NULL (then no lists) */
    ng_token *tok;          /* tokens so far, in doc->arena */
    size_t ntok, cap;
    uint32_t gap;           /* I_GAP/I_NL/I_PARA for the next token */
    size_t nl_single;       /* tokens after a single line break ... */
    size_t nl_lower;        /* ... of which start lowercase (hard-wrapped text) */
    int nul_end;            /* s[n] is a NUL byte (loops may stop on it) */
} seg;

/* Class of a code point above ASCII. */
static unsigned cls_cp(uint32_t cp)
{
    switch (cp) {
    case 0x00A0: case 0x2007: case 0x2009: case 0x202F: case 0x200B: case 0xFEFF: case 0x3000: case 0x205F:
        return K_SPACE;
    case 0x0085: case 0x2028: case 0x2029:
        return K_SPACE | K_NL;
    case 0x00AD: case 0x200C: case 0x200D:
        return K_MARK;
    default:
        break;
    }
    switch (utf8proc_category((utf8proc_int32_t)cp)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LT: return K_UPPER;
    case UTF8PROC_CATEGORY_LL: return K_LOWER;
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO: return K_CASELESS;
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME: return K_MARK;
    case UTF8PROC_CATEGORY_ND: return K_DIGIT;
    case UTF8PROC_CATEGORY_ZS: return K_SPACE;
    case UTF8PROC_CATEGORY_ZL:
    case UTF8PROC_CATEGORY_ZP: return K_SPACE | K_NL;
    default: return K_OTHER;
    }
}

/* Classifies the character at s[i] (i < n): stores its code point and
 * length.  An invalid byte is one K_OTHER character of length 1. */
static inline unsigned cls_at(const unsigned char *s, size_t n, size_t i, uint32_t *cp, int *len)
{
    if (s[i] < 0x80) {
        *cp = s[i];
        *len = 1;
        return ktab[s[i]];
    }
    int k = ng_utf8_decode(s + i, n - i, cp);
    if (k == 0) {
        *cp = 0xFFFD;
        *len = 1;
        return K_OTHER;
    }
    *len = k;
    return cls_cp(*cp);
}

/* Class of the character at i, or 0 past the end. */
static inline unsigned cls_next(const seg *g, size_t i)
{
    uint32_t cp;
    int len;
    return i < g->n ? cls_at(g->s, g->n, i, &cp, &len) : 0;
}

/* Folds p[0..len) into buf[cap] for a list lookup.  Returns the folded
 * length, or 0 when the key is too long to be in any list. */
static size_t fold_key(const unsigned char *p, size_t len, char *buf, size_t cap)
{
    if (len == 0 || len * 2 + 2 > cap)
        return 0;
    size_t i = 0;
    for (; i < len && p[i] < 0x80; i++)
        buf[i] = (char)((p[i] >= 'A' && p[i] <= 'Z') ? p[i] + 32 : p[i]);
    if (i == len) {
        buf[len] = '\0';
        return len;
    }
    return ng_fold((const char *)p, len, buf, cap);
}

/* Whether the folded p[0..len) is in set (NULL-safe). */
static int in_set(const ng_strset *set, const unsigned char *p, size_t len)
{
    char key[64];
    if (!set || set->n == 0)
        return 0;
    size_t k = fold_key(p, len, key, sizeof key);
    return k > 0 && ng_strset_has(set, key, k);
}

/* Appends a token [start, end) with flags (plus the pending gap).  Returns
 * the token, or NULL when the arena is out of memory. */
static inline ng_token *push(seg *g, size_t start, size_t end, uint32_t flags)
{
    if (g->ntok == g->cap) {
        size_t ncap = g->cap ? g->cap * 2 : 64;
        ng_token *nt = ng_arena_alloc(&g->doc->arena, ncap * sizeof *nt);
        if (!nt)
            return NULL;
        if (g->ntok)
            memcpy(nt, g->tok, g->ntok * sizeof *nt);
        g->tok = nt;
        g->cap = ncap;
    }
    ng_token *t = &g->tok[g->ntok++];
    t->start = (uint32_t)start;
    t->end = (uint32_t)end;
    t->sent = 0;
    t->flags = flags | g->gap;
    if ((g->gap & (I_NL | I_PARA)) == I_NL) {
        g->nl_single++;
        if (flags & I_LOWER)
            g->nl_lower++;
    }
    g->gap = 0;
    return t;
}

/* Flags of a word token from what its scan saw. */
static uint32_t word_flags(unsigned first, unsigned acc, size_t nup, size_t nlo)
{
    uint32_t f = 0;
    if (acc & K_LETTER)
        f |= NG_TOK_WORD;
    if (acc & K_DIGIT)
        f |= NG_TOK_NUM;
    if (first & K_UPPER)
        f |= NG_TOK_UPPER;
    if (first & K_LOWER)
        f |= I_LOWER;
    if (nup >= 2 && nlo == 0)
        f |= NG_TOK_ALLCAP;
    return f;
}

/* 1 for the ASCII marks that can join a word to what follows them
 * (scan_word: "anti-war", "U.S", "4,500", "10:30", "1/2", "a_b", "AT&T",
 * e-mail addresses, "l'", "don't"); each needs a letter or digit next. */
static inline int joiner(unsigned c)
{
    switch (c) {
    case '-': case '.': case ',': case ':': case '/': case '_': case '&': case '@': case '\'':
        return 1;
    default:
        return 0;
    }
}

/* The fast path of scan_word for the commonest token, a run of ASCII
 * letters and digits starting at i that ends the word: at white space, at
 * the end of the text, at an ASCII mark that never joins, or at a joiner
 * with white space or the end after it.  Emits the token with the flags
 * scan_word would give it and returns its end.  Returns 0 when the word
 * goes on (a joiner, a non-ASCII letter, a clitic) or when the arena is
 * out of memory: scan_word then does the work (and reports the latter). */
static size_t ascii_word(seg *g, size_t i)
{
    const unsigned char *s = g->s;
    size_t n = g->n, j = i + 1;
    unsigned first = ktab[s[i]], acc = first;
    /* the hot loop; the text's NUL terminator (class K_OTHER) stops it
     * when ng_segment has checked that there is one */
    if (g->nul_end) {
        while (ktab[s[j]] & K_ALNUM)
            acc |= ktab[s[j++]];
    } else {
        while (j < n && (ktab[s[j]] & K_ALNUM))
            acc |= ktab[s[j++]];
    }
    if (j < n) {
        unsigned c = s[j];
        if (c >= 0x80)
            return 0;
        if (!(ktab[c] & K_SPACE) && joiner(c) && j + 1 < n && !(s[j + 1] < 0x80 && (ktab[s[j + 1]] & K_SPACE)))
            return 0;
    }
    uint32_t f = 0;
    if (acc & K_LETTER)
        f |= NG_TOK_WORD;
    if (acc & K_DIGIT)
        f |= NG_TOK_NUM;
    if (first & K_UPPER)
        f |= NG_TOK_UPPER;
    if (first & K_LOWER)
        f |= I_LOWER;
    if ((acc & K_UPPER) && !(acc & K_LOWER)) {
        /* no lowercase letter: all capitals when there are two or more */
        size_t nup = 0;
        for (size_t q = i; q < j && nup < 2; q++)
            nup += (ktab[s[q]] & K_UPPER) != 0;
        if (nup >= 2)
            f |= NG_TOK_ALLCAP;
    }
    return push(g, i, j, f) ? j : 0;
}

/* Flags of p[0..len) scanned as a word (for tokens split out of one). */
static uint32_t flags_of(const seg *g, size_t start, size_t end)
{
    unsigned first = 0, acc = 0;
    size_t nup = 0, nlo = 0;
    for (size_t i = start; i < end;) {
        uint32_t cp;
        int len;
        unsigned k = cls_at(g->s, g->n, i, &cp, &len);
        if (!first && (k & K_ALNUM))
            first = k;
        acc |= k;
        nup += (k & K_UPPER) != 0;
        nlo += (k & K_LOWER) != 0;
        i += (size_t)len;
    }
    return word_flags(first, acc, nup, nlo);
}

/* Length of a URL starting at i ("http://", "https://", "ftp://",
 * "www."), trailing punctuation excluded, or 0 when none starts there. */
static size_t url_len(const seg *g, size_t i)
{
    const unsigned char *s = g->s + i;
    size_t room = g->n - i, k;
    /* a cheap look first: most words starting with h, w or f are no URL */
    if (room < 5 || !(((s[1] | 32) == 't' && ((s[2] | 32) == 't' || (s[2] | 32) == 'p')) ||
                      ((s[1] | 32) == 'w' && (s[2] | 32) == 'w' && s[3] == '.')))
        return 0;
    if (room >= 8 && strncasecmp((const char *)s, "https://", 8) == 0)
        k = 8;
    else if (room >= 7 && strncasecmp((const char *)s, "http://", 7) == 0)
        k = 7;
    else if (room >= 6 && strncasecmp((const char *)s, "ftp://", 6) == 0)
        k = 6;
    else if (room >= 5 && strncasecmp((const char *)s, "www.", 4) == 0 && (ktab[s[4] & 0x7f] & K_ALNUM) && s[4] < 0x80)
        k = 4;
    else
        return 0;
    size_t e = k;
    while (e < room) {
        unsigned c = s[e];
        if (c < 0x80) {
            if (c <= ' ' || c == '<' || c == '>' || c == '"' || c == 0x7f)
                break;
            e++;
            continue;
        }
        uint32_t cp;
        int len;
        unsigned cl = cls_at(s, room, e, &cp, &len);
        if ((cl & K_SPACE) || cp == 0xAB || cp == 0xBB || cp == 0x201C || cp == 0x201D || cp == 0x2019)
            break;
        e += (size_t)len;
    }
    /* trailing punctuation belongs to the sentence, not the URL; a ')' stays when the URL opened one */
    while (e > k) {
        unsigned c = s[e - 1];
        if (c == ')') {
            size_t open = 0, close = 0;
            for (size_t j = 0; j < e; j++) {
                open += s[j] == '(';
                close += s[j] == ')';
            }
            if (open >= close)
                break;
            e--;
            continue;
        }
        if (c == '.' || c == ',' || c == ';' || c == ':' || c == '!' || c == '?' || c == '\'' || c == ']' || c == '}')
            e--;
        else
            break;
    }
    return e > k ? e : 0;
}

/* At an '@' at i inside a word that began at start: when start..i is an
 * ASCII local part and a domain with a dot follows, returns the end of the
 * e-mail address; else 0. */
static size_t email_end(const seg *g, size_t start, size_t i)
{
    const unsigned char *s = g->s;
    for (size_t j = start; j < i; j++)
        if (s[j] >= 0x80 || !((ktab[s[j]] & K_ALNUM) || s[j] == '.' || s[j] == '-' || s[j] == '_'))
            return 0;
    size_t e = i + 1, lastdot = 0;
    while (e < g->n && s[e] < 0x80 && ((ktab[s[e]] & K_ALNUM) || s[e] == '.' || s[e] == '-')) {
        if (s[e] == '.')
            lastdot = e;
        e++;
    }
    while (e > i + 1 && (s[e - 1] == '.' || s[e - 1] == '-'))
        e--;
    return (lastdot > i + 1 && lastdot < e) ? e : 0;
}

/* Scans a word whose token starts at start and whose characters start at
 * i (i > start after a '#' or '@'), emitting one token, or two or three
 * when a clitic, elision or inverted pronoun is split off.  Returns the
 * offset after the last token, or 0 on out of memory. */
static size_t scan_word(seg *g, size_t start, size_t i)
{
    const unsigned char *s = g->s;
    size_t n = g->n;
    uint32_t cp;
    int len;
    unsigned k = cls_at(s, n, i, &cp, &len);
    unsigned first = k, acc = k, prev = k;
    size_t nup = (k & K_UPPER) != 0, nlo = (k & K_LOWER) != 0;
    i += (size_t)len;
    while (i < n) {
        unsigned c = s[i];
        if (c < 0x80) {
            k = ktab[c];
            if (k & K_ALNUM) {
                /* the hot loop: a run of ASCII letters and digits */
                size_t j = i;
                unsigned a = 0;
                while (j < n && (ktab[s[j]] & K_ALNUM))
                    a |= ktab[s[j++]];
                if (a & K_UPPER) {
                    for (size_t q = i; q < j; q++)
                        nup += (ktab[s[q]] & K_UPPER) != 0;
                }
                if (a & K_LOWER)
                    nlo++; /* only "any lowercase" matters */
                acc |= a;
                prev = ktab[s[j - 1]];
                i = j;
                continue;
            }
            len = 1;
        } else {
            k = cls_at(s, n, i, &cp, &len);
            if (k & (K_ALNUM | K_MARK)) {
                acc |= k;
                nup += (k & K_UPPER) != 0;
                nlo += (k & K_LOWER) != 0;
                if (k & K_ALNUM)
                    prev = k;
                i += (size_t)len;
                continue;
            }
            c = 0;
            if (cp == 0x2019)
                c = '\'';
            else if (cp == 0x2010 || cp == 0x2011)
                c = '-';
            else if ((cp == 0xA0 || cp == 0x202F || cp == 0x2009 || cp == 0x2007) && (prev & K_DIGIT)) {
                /* "4 500": a group of exactly three digits after a narrow space */
                size_t j = i + (size_t)len;
                if (j + 3 <= n && (ktab[s[j] & 0x7f] & K_DIGIT) && s[j] < 0x80 && s[j + 1] >= '0' &&
                    s[j + 1] <= '9' && s[j + 2] >= '0' && s[j + 2] <= '9' &&
                    (j + 3 == n || s[j + 3] < '0' || s[j + 3] > '9')) {
                    i = j + 3;
                    continue;
                }
                break;
            } else
                break;
        }
        unsigned nk = cls_next(g, i + (size_t)len);
        if (c == '-') {
            if (!(nk & K_ALNUM))
                break;
            /* "a-t-il", "dit-elle": split the inverted pronoun off */
            if (g->L && g->L->hyphen_clitics.n) {
                size_t e = i + (size_t)len;
                while (e < n && e - i < 16) {
                    uint32_t cp2;
                    int l2;
                    unsigned k2 = cls_at(s, n, e, &cp2, &l2);
                    if (!(k2 & K_LETTER) && cp2 != '-')
                        break;
                    e += (size_t)l2;
                }
                if (e - i < 16 && !(cls_next(g, e) & K_ALNUM) && in_set(&g->L->hyphen_clitics, s + i, e - i)) {
                    if (!push(g, start, i, word_flags(first, acc, nup, nlo)) || !push(g, i, e, flags_of(g, i, e)))
                        return 0;
                    return e;
                }
            }
            prev = K_OTHER;
            i += (size_t)len;
            continue;
        }
        if (c == '.') {
            if (((prev & K_LETTER) && (nk & K_LETTER)) || ((prev & K_DIGIT) && (nk & K_DIGIT))) {
                prev = K_OTHER;
                i++;
                continue;
            }
            break;
        }
        if (c == ',' || c == ':' || c == '/') {
            if ((prev & K_DIGIT) && (nk & K_DIGIT)) {
                prev = K_OTHER;
                i++;
                continue;
            }
            break;
        }
        if (c == '_') {
            if (nk & K_ALNUM) {
                i++;
                continue;
            }
            break;
        }
        if (c == '&') {
            if ((prev & K_UPPER) && (nk & K_UPPER)) {
                i++;
                continue;
            }
            break;
        }
        if (c == '@') {
            size_t e = (nk & K_ALNUM) ? email_end(g, start, i) : 0;
            if (e) {
                if (!push(g, start, e, NG_TOK_WORD | (first & K_UPPER ? NG_TOK_UPPER : 0) | (first & K_LOWER ? I_LOWER : 0)))
                    return 0;
                return e;
            }
            break;
        }
        if (c == '\'') {
            if (!(nk & K_LETTER) || !(prev & K_LETTER))
                break;
            size_t a = i + (size_t)len; /* first letter after the apostrophe */
            /* French elision: "l'", "qu'", "jusqu'" */
            if (g->L && g->L->elisions.n && i - start <= 12 && in_set(&g->L->elisions, s + start, i - start)) {
                if (!push(g, start, a, word_flags(first, acc, nup, nlo)))
                    return 0;
                return a;
            }
            if (g->L && g->L->clitics.n) {
                size_t e = a;
                while (e < n && e - a <= 4) {
                    uint32_t cp2;
                    int l2;
                    if (!(cls_at(s, n, e, &cp2, &l2) & K_LETTER))
                        break;
                    e += (size_t)l2;
                }
                if (e - a <= 3 && !(cls_next(g, e) & K_ALNUM)) {
                    char key[8];
                    key[0] = '\'';
                    size_t kl = fold_key(s + a, e - a, key + 1, sizeof key - 1);
                    if (kl && ng_strset_has(&g->L->clitics, key, kl + 1)) {
                        if (!push(g, start, i, word_flags(first, acc, nup, nlo)) || !push(g, i, e, flags_of(g, i, e)))
                            return 0;
                        return e;
                    }
                    /* "don't" -> "do" "n't" */
                    if (e - a == 1 && (s[a] | 32) == 't' && i - start >= 2 && (s[i - 1] | 32) == 'n' &&
                        ng_strset_has(&g->L->clitics, "n't", 3)) {
                        if (!push(g, start, i - 1, flags_of(g, start, i - 1)) || !push(g, i - 1, e, flags_of(g, i - 1, e)))
                            return 0;
                        return e;
                    }
                }
            }
            prev = K_OTHER;
            i += (size_t)len;
            continue;
        }
        break;
    }
    if (!push(g, start, i, word_flags(first, acc, nup, nlo)))
        return 0;
    return i;
}

/* A "." at i just after the previous token: glues it to that token when
 * the token is an abbreviation, an initial, a dotted acronym or a list
 * number at a line start.  Returns 1 when glued. */
static int glue_dot(seg *g, size_t i)
{
    if (g->ntok == 0)
        return 0;
    ng_token *p = &g->tok[g->ntok - 1];
    if (p->end != i || !(p->flags & (NG_TOK_WORD | NG_TOK_NUM)) || (p->flags & NG_TOK_ABBREV))
        return 0;
    const unsigned char *ps = g->s + p->start;
    size_t plen = p->end - p->start;
    int line_start = (g->ntok == 1) || (p->flags & (I_NL | I_PARA));
    int space_after = i + 1 >= g->n || (cls_next(g, i + 1) & K_SPACE);
    /* "1. ", "12. " at the start of a line: a numbered list item */
    if (!(p->flags & NG_TOK_WORD) && plen <= 3 && line_start && space_after) {
        p->end = (uint32_t)(i + 1);
        p->flags |= I_LIST;
        return 1;
    }
    if (!(p->flags & NG_TOK_WORD))
        return 0;
    /* a listed abbreviation ("Gen", "M", "etc"): titles never end a sentence */
    if (g->L && in_set(&g->L->abbrev, ps, plen)) {
        p->end = (uint32_t)(i + 1);
        p->flags |= NG_TOK_ABBREV | (in_set(&g->L->abbrev_prenominal, ps, plen) ? I_PRENOM : I_WEAK);
        return 1;
    }
    /* an initial: one uppercase letter */
    uint32_t cp;
    int len;
    unsigned k = cls_at(g->s, g->n, p->start, &cp, &len);
    if ((size_t)len == plen && (k & K_UPPER)) {
        p->end = (uint32_t)(i + 1);
        p->flags |= NG_TOK_ABBREV | I_WEAK;
        return 1;
    }
    /* a dotted acronym: "U.S", "e.g", "Ph.D": letters in groups of at most two */
    if (memchr(ps, '.', plen)) {
        size_t run = 0;
        int ok = 1;
        for (size_t j = 0; j < plen && ok; j++) {
            if (ps[j] == '.')
                run = 0;
            else if (ps[j] < 0x80 && (ktab[ps[j]] & K_LETTER))
                ok = ++run <= 2;
            else
                ok = 0;
        }
        if (ok) {
            p->end = (uint32_t)(i + 1);
            p->flags |= NG_TOK_ABBREV | I_WEAK;
            return 1;
        }
        return 0;
    }
    return 0;
}

/* Scans one punctuation or symbol token at i (code point cp of length
 * len).  Returns the offset after it, or 0 on out of memory. */
static size_t scan_punct(seg *g, size_t i, uint32_t cp, int len)
{
    const unsigned char *s = g->s;
    size_t n = g->n, e = i + (size_t)len;
    uint32_t f = NG_TOK_PUNCT;
    switch (cp) {
    case '.':
        while (e < n && s[e] == '.')
            e++;
        if (e == i + 1 && glue_dot(g, i))
            return e;
        f |= I_TERM;
        break;
    case '!':
    case '?':
        while (e < n && (s[e] == '!' || s[e] == '?'))
            e++;
        f |= I_TERM;
        break;
    case 0x2026: /* … */
        f |= I_TERM;
        break;
    case '-':
        while (e < n && s[e] == '-')
            e++;
        f |= I_NOBREAK;
        break;
    case '"':
        f |= NG_TOK_QUOTE | I_DQ;
        break;
    case '\'':
    case 0x2019: /* ’ */
        f |= NG_TOK_QUOTE | I_APOS;
        break;
    case '`':
    case 0x201C: /* “ */
    case 0x201E: /* „ */
    case 0x00AB: /* « */
    case 0x2039: /* ‹ */
    case 0x2018: /* ‘ */
    case 0x201A: /* ‚ */
    case 0x201B: /* ‛ */
    case 0x201F: /* ‟ */
        f |= NG_TOK_QUOTE | I_NOBREAK;
        break;
    case 0x201D: /* ” */
    case 0x00BB: /* » */
    case 0x203A: /* › */
        f |= NG_TOK_QUOTE | I_CLOSE;
        break;
    case ')':
    case ']':
    case '}':
        f |= I_CLOSE;
        break;
    case ',':
    case ';':
    case '(':
    case '[':
    case '{':
    case '&':
    case '/':
    case 0x2013: /* – */
    case 0x2014: /* — */
        f |= I_NOBREAK;
        break;
    case '#':
    case '@':
        /* hashtags and handles */
        if (e < n && (cls_next(g, e) & (cp == '#' ? K_LETTER : K_ALNUM)))
            return scan_word(g, i, e);
        break;
    default:
        break;
    }
    if (!push(g, i, e, f))
        return 0;
    return e;
}

/* Whether token t (with its internal flags) clearly starts a sentence
 * after an abbreviation or initial: a capitalised function word. */
static int is_starter(const seg *g, const ng_token *t)
{
    if (!g->L || !(t->flags & NG_TOK_UPPER) || (t->flags & NG_TOK_ABBREV))
        return 0;
    return in_set(&g->L->stopwords, g->s + t->start, t->end - t->start);
}

/* Pass 1: every token of the text into g->tok.  Returns NG_OK or NG_ENOMEM. */
static int tokenize(seg *g)
{
    const unsigned char *s = g->s;
    size_t n = g->n, i = 0;
    unsigned nl = 2; /* the text's start counts as a paragraph start */
    int ws = 0;
    while (i < n) {
        unsigned c = s[i];
        uint32_t cp = c;
        int len = 1;
        unsigned k;
        if (c == ' ') {
            /* the commonest byte, first */
            ws = 1;
            i++;
            continue;
        }
        if (c < 0x80) {
            k = ktab[c];
            if (k & K_SPACE) {
                ws = 1;
                nl += c == '\n';
                i++;
                continue;
            }
        } else {
            k = cls_at(s, n, i, &cp, &len);
            if (k & K_SPACE) {
                ws = 1;
                nl += (k & K_NL) ? 1 : 0;
                i += (size_t)len;
                continue;
            }
        }
        g->gap = (ws ? I_GAP : 0) | (nl >= 1 ? I_NL : 0) | (nl >= 2 ? I_PARA : 0);
        ws = 0;
        nl = 0;
        size_t e;
        if (k & (K_ALNUM | K_MARK)) {
            size_t u = ((c | 32) == 'h' || (c | 32) == 'w' || (c | 32) == 'f') ? url_len(g, i) : 0;
            if (u) {
                e = i + u;
                if (!push(g, i, e, NG_TOK_WORD | ((k & K_UPPER) ? NG_TOK_UPPER : 0) | ((k & K_LOWER) ? I_LOWER : 0)))
                    return NG_ENOMEM;
            } else if (c >= 0x80 || (e = ascii_word(g, i)) == 0) {
                e = scan_word(g, i, i);
            }
        } else {
            e = scan_punct(g, i, cp, len);
        }
        if (e == 0)
            return NG_ENOMEM;
        i = e;
    }
    return NG_OK;
}

/* Appends the sentence made of tokens [s0, t) to the doc.  Returns NG_OK
 * or NG_ENOMEM. */
static int add_sentence(seg *g, ng_span **sp, size_t *nsp, size_t *cap, size_t s0, size_t t)
{
    if (*nsp == *cap) {
        size_t ncap = *cap ? *cap * 2 : 16;
        ng_span *ns = ng_arena_alloc(&g->doc->arena, ncap * sizeof *ns);
        if (!ns)
            return NG_ENOMEM;
        if (*nsp)
            memcpy(ns, *sp, *nsp * sizeof *ns);
        *sp = ns;
        *cap = ncap;
    }
    (*sp)[*nsp].start = g->tok[s0].start;
    (*sp)[*nsp].end = g->tok[t - 1].end;
    (*nsp)++;
    return NG_OK;
}

/* Whether tokens t.. are a citation mark "[12]" (or its "12]" rest) that
 * follows a sentence's final mark and so belongs to that sentence. */
static int cite_mark(const seg *g, size_t t)
{
    const ng_token *T = &g->tok[t];
    if (T->end - T->start == 1 && g->s[T->start] == '[')
        return t + 2 < g->ntok && (g->tok[t + 1].flags & (NG_TOK_NUM | NG_TOK_WORD)) == NG_TOK_NUM &&
               g->tok[t + 1].end - g->tok[t + 1].start <= 3 && g->tok[t + 2].end - g->tok[t + 2].start == 1 &&
               g->s[g->tok[t + 2].start] == ']';
    return t >= 1 && t + 1 < g->ntok && (T->flags & (NG_TOK_NUM | NG_TOK_WORD)) == NG_TOK_NUM &&
           g->tok[t - 1].end - g->tok[t - 1].start == 1 && g->s[g->tok[t - 1].start] == '[';
}

/* Pass 2: sentence boundaries over the tokens; sets each token's sentence
 * index and NG_TOK_SENT_START and clears the internal flags. */
static int sentences(seg *g)
{
    ng_span *sp = NULL;
    size_t nsp = 0, cap = 0, s0 = 0;
    uint32_t sent = 0, prevf = 0;
    int pending = 0; /* 0, 1 after an abbreviation or initial, 2 after . ! ? ... */
    int dq = 0;      /* a straight double quote is open in this sentence */
    /* hard-wrapped text: many line breaks fall before a lowercase word */
    int wrapped = g->nl_lower >= 2 && g->nl_lower * 4 >= g->nl_single;
    for (size_t t = 0; t < g->ntok; t++) {
        ng_token *T = &g->tok[t];
        uint32_t f = T->flags;
        int brk = 0, closer = 0;
        if (t > s0) {
            if (f & I_PARA) {
                brk = 1;
            } else if (pending && ((f & I_CLOSE) || ((f & I_DQ) && (dq || !(f & I_GAP))) ||
                                   ((f & I_APOS) && !(f & I_GAP)) || cite_mark(g, t))) {
                closer = 1; /* stays in the sentence it closes */
                if (f & I_DQ)
                    dq = 0;
            } else {
                if (pending && (f & I_GAP))
                    brk = pending == 2 ? !(f & I_LOWER) : is_starter(g, T);
                if (!brk && (f & I_NL) && !wrapped)
                    brk = !(f & I_LOWER) && !(prevf & (I_NOBREAK | I_PRENOM));
                pending = 0;
            }
        }
        if (brk) {
            if (add_sentence(g, &sp, &nsp, &cap, s0, t) != NG_OK)
                return NG_ENOMEM;
            s0 = t;
            sent++;
            dq = 0;
            pending = 0;
        }
        if (!closer) {
            if (f & I_DQ)
                dq ^= 1;
            if (f & I_TERM)
                pending = 2;
            else if (f & I_WEAK)
                pending = 1;
        }
        T->sent = sent;
        T->flags = (f & ~I_MASK) | (t == s0 ? NG_TOK_SENT_START : 0);
        prevf = f;
    }
    if (g->ntok > s0 && add_sentence(g, &sp, &nsp, &cap, s0, g->ntok) != NG_OK)
        return NG_ENOMEM;
    g->doc->sentences = sp;
    g->doc->nsentences = nsp;
    return NG_OK;
}

int ng_segment(ng_worker *w, ng_doc *doc)
{
    doc->tokens = NULL;
    doc->ntokens = 0;
    doc->sentences = NULL;
    doc->nsentences = 0;
    if (!doc->text || doc->text_len == 0)
        return NG_OK;
    if (doc->text_len >= UINT32_MAX)
        return ng_worker_fail(w, NG_ETOOBIG, "text of %zu bytes is too long to segment", doc->text_len);
    seg g;
    memset(&g, 0, sizeof g);
    g.doc = doc;
    g.s = (const unsigned char *)doc->text;
    g.n = doc->text_len;
    g.L = doc->lang_res ? doc->lang_res : ng_model_lang(doc->model, "en");
    g.nul_end = g.s[g.n] == '\0';
    /* a first guess at the token count (news text: ~6 bytes a token) */
    g.cap = g.n / 5 + 16;
    g.tok = ng_arena_alloc(&doc->arena, g.cap * sizeof *g.tok);
    if (!g.tok)
        return ng_worker_fail(w, NG_ENOMEM, "out of memory segmenting %zu bytes", g.n);
    int rc = tokenize(&g);
    if (rc == NG_OK)
        rc = sentences(&g);
    if (rc != NG_OK)
        return ng_worker_fail(w, rc, "out of memory segmenting %zu bytes", g.n);
    doc->tokens = g.tok;
    doc->ntokens = g.ntok;
    return NG_OK;
}
