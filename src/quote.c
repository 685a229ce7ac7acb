/*
 * quote.c — quotations and their speakers.
 *
 * Direct quotes are the text between paired quote marks (" “ ” ‘ ’ « » ‹ ›
 * „, with or without inner spaces); a quote left open at the end of a
 * paragraph goes on when the next paragraph opens with a mark (the news
 * convention for long quotes).  One or two words between marks ("scare
 * quotes", “Barkhane”) are kept only when a speech cue governs them.
 *
 * The cue of a quote is a word or phrase of lang/<code>/speech-verbs.txt
 * found next to it in its sentence: after it ("…," she said / », a-t-il
 * indiqué), else before it (stressed that "…" / dénonçant une « … »).  With
 * no cue, a quote takes the speaker of the quote just before it (the
 * second paragraph of a long quote), or of the sentence before when that
 * one ends with a colon.
 *
 * Reported speech gives indirect quotes ("direct": false): "X said (that)
 * CLAUSE", "CLAUSE, X said.", "according to X, CLAUSE", "selon X, ...".
 *
 * The speaker is read from the words around the cue: the subject before it
 * (skipping auxiliaries, a parenthetical ", meanwhile," or an apposition
 * ", a spokesman for Y,"), else the words after it ("said the Chief of the
 * Defense Staff, General François Lecointre").  It is an entity when a
 * mention is there (ner.c's names, coref.c's pronouns and descriptions);
 * a title before a name gives the name; an unnamed source ("a source
 * close to the French presidency") is kept as speaker_text, with the entity
 * it hangs on when one is named inside it.
 */
#include "qlex.h"

#include <stdlib.h>
#include <string.h>

/* Longest quote, in bytes: an unclosed mark never swallows a whole text. */
#define QUOTE_MAX_BYTES 6000

/* Roles of a quote mark. */
enum { QM_NONE = 0, QM_OPEN = 1, QM_CLOSE = 2, QM_EITHER = 3 };

/* What one stage call works with. */
typedef struct {
    ng_doc *doc;
    const ng_qlex *q;
    uint32_t *tokent; /* entity index + 1 per token */
    uint8_t *first;   /* mention starts */
    uint32_t *inq;    /* quote index + 1 per token inside a direct quote (marks included) */
    uint32_t *cue;    /* cue bits at a cue's first token (0 elsewhere) */
    uint8_t *cuelen;  /* tokens of that cue */
    ng_quote *out;
    size_t nout, capout;
    uint8_t *used;    /* cue tokens already given to a quote */
    size_t *sfirst;   /* first token of each sentence, and ntokens at [nsentences] */
    struct pending *pend; /* mentions to add to entities, merged at the end */
    size_t npend, cappend;
    size_t capent;        /* room in doc->entities once this stage owns the array (0: not yet) */
    uint32_t *names;      /* open-addressing table of entity index + 1 by name (built on first use) */
    size_t names_mask;    /* slots - 1 */
    uint32_t max_id;      /* the largest entity id */
    uint32_t *surnames;   /* open-addressing table of person entity index + 1 by the last word of the name */
    size_t surnames_mask; /* slots - 1, 0 before first use */
} qctx;

/* A mention this stage adds to an entity (a relative pronoun, a name the
 * tagger missed seen again). */
struct pending {
    uint32_t ent; /* entity index */
    ng_span span;
    int kind;
};

/* How far (in tokens) speaker and content searches look from a cue: a
 * sentence of a million tokens costs no more than a short one. */
#define QWIN 60

/* The first token of t's sentence, or t - w when that is nearer. */
static size_t sent_lo(const qctx *c, size_t t, size_t w)
{
    size_t s = c->sfirst[c->doc->tokens[t].sent];
    return t - s > w ? t - w : s;
}

/* One past the last token of t's sentence, or t + w when that is nearer. */
static size_t sent_hi(const qctx *c, size_t t, size_t w)
{
    size_t e = c->sfirst[c->doc->tokens[t].sent + 1];
    return e - t > w ? t + w : e;
}

/* A speaker found around a cue. */
typedef struct {
    uint32_t ent;          /* entity index + 1, or 0 */
    uint32_t s, e;         /* the speaker's words (byte offsets), s == e when none */
    int named;             /* the words are a name or a resolved pronoun: no speaker_text */
    int found;
} speaker_t;

/* Decodes the code point of token t (only single-mark tokens matter). */
static uint32_t tok_cp(const ng_doc *doc, size_t t)
{
    const ng_token *k = &doc->tokens[t];
    uint32_t cp = 0;
    int n = ng_utf8_decode((const unsigned char *)doc->text + k->start, k->end - k->start, &cp);
    return n > 0 && (uint32_t)n == k->end - k->start ? cp : 0;
}

/* The role of a quote mark token and its family (1 double, 2 single). */
static int mark_role(const ng_doc *doc, size_t t, int *family)
{
    uint32_t cp = tok_cp(doc, t);
    *family = 1;
    const ng_token *k0 = &doc->tokens[t];
    if (k0->end - k0->start == 2 && (memcmp(doc->text + k0->start, "''", 2) == 0 ||
                                      memcmp(doc->text + k0->start, "``", 2) == 0))
        cp = '"'; /* typewriter double quotes written as two marks */
    switch (cp) {
    case 0x201C: case 0x00AB: case 0x201E: return QM_OPEN;   /* “ « „ */
    case 0x201D: case 0x00BB: return QM_CLOSE;               /* ” » */
    case 0x2039: *family = 2; return QM_OPEN;                /* ‹ */
    case 0x203A: *family = 2; return QM_CLOSE;               /* › */
    case 0x2018: *family = 2; return QM_OPEN;                /* ‘ */
    case 0x2019: *family = 2; return QM_CLOSE;               /* ’ */
    case '"': break;
    case '\'': *family = 2; break;
    default: return QM_NONE;
    }
    /* a straight mark: by its neighbours */
    const ng_token *k = &doc->tokens[t];
    int space_before = k->start == 0 || doc->text[k->start - 1] == ' ' || doc->text[k->start - 1] == '\n' ||
                       doc->text[k->start - 1] == '(';
    int space_after = k->end >= doc->text_len || doc->text[k->end] == ' ' || doc->text[k->end] == '\n';
    if (space_before && !space_after)
        return QM_OPEN;
    if (!space_before && space_after)
        return QM_CLOSE;
    return QM_EITHER;
}

/* 1 when a paragraph break (a newline) lies between tokens a and b. */
static int para_break(const ng_doc *doc, size_t a, size_t b)
{
    if (b >= doc->ntokens)
        return 1;
    for (uint32_t i = doc->tokens[a].end; i < doc->tokens[b].start; i++)
        if (doc->text[i] == '\n')
            return 1;
    return 0;
}

static int is_punct(const ng_doc *doc, size_t t, char c)
{
    const ng_token *k = &doc->tokens[t];
    return k->end - k->start == 1 && doc->text[k->start] == c;
}

static int clause_boundary(const qctx *c, size_t t)
{
    const ng_doc *doc = c->doc;
    return is_punct(doc, t, ',') || is_punct(doc, t, ';') || is_punct(doc, t, ':') || is_punct(doc, t, '(') ||
           is_punct(doc, t, ')') || (doc->tokens[t].flags & NG_TOK_QUOTE) || is_punct(doc, t, '-') ||
           tok_cp(doc, t) == 0x2014 || tok_cp(doc, t) == 0x2013;
}

static int preposition(const ng_doc *doc, size_t t)
{
    static const char *const preps[] = {"to", "with", "of", "for", "in", "on", "by", "from", "against", "about",
                                        "at", "à", "avec", "de", "du", "des", "pour", "par", "contre", "au", "aux",
                                        "sur", "dans", "en", "d'", "d\xe2\x80\x99", "into", "over", "among", "amid",
                                        "between", "through", "during", "under", "without", "than", "like",
                                        "parmi", "entre", "chez", "sans", "sous"};
    for (size_t i = 0; i < sizeof preps / sizeof *preps; i++)
        if (ng_tok_is(doc, t, preps[i]))
            return 1;
    return 0;
}

static int determiner(const ng_doc *doc, size_t t)
{
    static const char *const dets[] = {"a", "an", "the", "some", "several", "many", "two", "three", "one", "other",
                                       "another", "un", "une", "des", "les", "le", "la", "l'", "l\xe2\x80\x99",
                                       "plusieurs", "certains", "deux", "trois", "senior", "top"};
    for (size_t i = 0; i < sizeof dets / sizeof *dets; i++)
        if (ng_tok_is(doc, t, dets[i]))
            return 1;
    return 0;
}

/* Last token of the mention that starts at t. */
static size_t mention_end(const qctx *c, size_t t, size_t hi)
{
    size_t k = t + 1;
    while (k < hi && c->tokent[k] == c->tokent[t] && !c->first[k])
        k++;
    return k - 1;
}

/* The first mention start in [a, b) (b exclusive) not after a comma. */
static size_t mention_in(const qctx *c, size_t a, size_t b)
{
    for (size_t k = a; k < b && k < c->doc->ntokens; k++)
        if (c->first[k] && c->tokent[k] && strcmp(c->doc->entities[c->tokent[k] - 1].type, "MISC") != 0)
            return k;
    return SIZE_MAX;
}

static void set_entity(speaker_t *sp, const qctx *c, size_t a, size_t b, int named)
{
    sp->found = 1;
    sp->ent = c->tokent[a];
    sp->s = c->doc->tokens[a].start;
    sp->e = c->doc->tokens[b].end;
    sp->named = named;
}

static int after_comma(const qctx *c, size_t a, size_t b);

/* 1 when token k can be part of a name: a capitalised word that is not a
 * function word ("The", "But"), a pronoun, a month or a weekday. */
static int name_word(const qctx *c, size_t k)
{
    const ng_doc *doc = c->doc;
    const ng_token *t = &doc->tokens[k];
    if (!(t->flags & NG_TOK_WORD) || t->end - t->start > 40 || t->end - t->start < 2)
        return 0;
    char key[96];
    size_t n = ng_fold(doc->text + t->start, t->end - t->start, key, sizeof key);
    const ng_lang *L = doc->lang_res;
    if (ng_strset_has(&L->stopwords, key, n) || ng_strset_has(&L->weekdays, key, n))
        return 0;
    if (ng_lex_tok(&c->q->pronouns, doc, k) || ng_lex_tok(&c->q->descriptions, doc, k))
        return 0;
    size_t lo, hi;
    char mk[100];
    memcpy(mk, key, n);
    mk[n] = ' ';
    if (ng_strset_prefix(&L->months, mk, n + 1, &lo, &hi))
        return 0;
    return 1;
}

/* Adds a mention of entity index ei over tokens [a, b) (a relative pronoun,
 * a name seen again) and marks the tokens; the entity's list gets it at
 * the end of the stage (merge_pending).  Returns 0 on out of memory. */
static int add_mention(qctx *c, size_t ei, size_t a, size_t b, int kind)
{
    ng_doc *doc = c->doc;
    if (c->npend == c->cappend) {
        size_t nc = c->cappend ? c->cappend * 2 : 16;
        struct pending *np = ng_arena_alloc(&doc->arena, nc * sizeof *np);
        if (!np)
            return 0;
        if (c->npend)
            memcpy(np, c->pend, c->npend * sizeof *np);
        c->pend = np;
        c->cappend = nc;
    }
    struct pending *p = &c->pend[c->npend++];
    p->ent = (uint32_t)ei;
    p->span.start = doc->tokens[a].start;
    p->span.end = doc->tokens[b - 1].end;
    p->kind = kind;
    for (size_t k = a; k < b; k++)
        c->tokent[k] = (uint32_t)ei + 1;
    c->first[a] = 1;
    return 1;
}

static int cmp_pending(const void *a, const void *b)
{
    const struct pending *x = a, *y = b;
    if (x->ent != y->ent)
        return x->ent < y->ent ? -1 : 1;
    return x->span.start < y->span.start ? -1 : x->span.start > y->span.start;
}

/* Merges the pending mentions into their entities' lists in text order,
 * in one pass per entity.  Returns 0 on out of memory. */
static int merge_pending(qctx *c)
{
    ng_doc *doc = c->doc;
    if (!c->npend)
        return 1;
    qsort(c->pend, c->npend, sizeof *c->pend, cmp_pending);
    for (size_t i = 0; i < c->npend;) {
        size_t j = i;
        while (j < c->npend && c->pend[j].ent == c->pend[i].ent)
            j++;
        ng_entity *en = &doc->entities[c->pend[i].ent];
        ng_mention *m = ng_arena_alloc(&doc->arena, (en->nmentions + (j - i)) * sizeof *m);
        if (!m)
            return 0;
        size_t a = 0, n = 0;
        for (size_t k = i; k < j; k++) {
            while (a < en->nmentions && en->mentions[a].span.start <= c->pend[k].span.start)
                m[n++] = en->mentions[a++];
            m[n].span = c->pend[k].span;
            m[n].kind = c->pend[k].kind;
            m[n].text = ng_arena_strndup(&doc->arena, doc->text + m[n].span.start,
                                         m[n].span.end - m[n].span.start);
            if (!m[n].text)
                return 0;
            n++;
        }
        while (a < en->nmentions)
            m[n++] = en->mentions[a++];
        en->mentions = m;
        en->nmentions = n;
        i = j;
    }
    c->npend = 0;
    return 1;
}

static uint32_t name_hash(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

/* Puts entity index i into the name table (which has room). */
static void names_put(qctx *c, size_t i)
{
    const char *nm = c->doc->entities[i].name;
    size_t k = name_hash(nm, strlen(nm)) & c->names_mask;
    while (c->names[k])
        k = (k + 1) & c->names_mask;
    c->names[k] = (uint32_t)i + 1;
}

/* The index + 1 of a non-MISC entity named exactly text[s, e), 0 when none;
 * the table of names is built on first use and rebuilt larger as entities
 * are added.  Returns UINT32_MAX on out of memory. */
static uint32_t entity_named(qctx *c, uint32_t s, uint32_t e)
{
    ng_doc *doc = c->doc;
    if (!c->names || (doc->nentities + 1) * 2 > c->names_mask + 1) {
        size_t slots = 64;
        while (slots < (doc->nentities + 1) * 4)
            slots *= 2;
        c->names = ng_arena_calloc(&doc->arena, slots, sizeof *c->names);
        if (!c->names)
            return UINT32_MAX;
        c->names_mask = slots - 1;
        for (size_t i = 0; i < doc->nentities; i++) {
            if (doc->entities[i].name)
                names_put(c, i);
            if (doc->entities[i].id > c->max_id)
                c->max_id = doc->entities[i].id;
        }
    }
    for (size_t k = name_hash(doc->text + s, e - s) & c->names_mask; c->names[k]; k = (k + 1) & c->names_mask) {
        const ng_entity *en = &doc->entities[c->names[k] - 1];
        if (strlen(en->name) == e - s && memcmp(en->name, doc->text + s, e - s) == 0 && strcmp(en->type, "MISC") != 0)
            return c->names[k];
    }
    return 0;
}

/* Adds an entity named by tokens [a, b) with one mention there (a speaker
 * the tagger missed), and marks the tokens; an entity of the same name
 * (the same speaker seen before) gets the mention instead.  Returns 0 on
 * out of memory. */
static int new_entity(qctx *c, size_t a, size_t b)
{
    ng_doc *doc = c->doc;
    size_t na = a; /* the name leaves out an honorific: "Mr. King" is King */
    while (na + 1 < b && (ng_lex_tok(&c->q->descriptions, doc, na) & QL_HON))
        na++;
    uint32_t same = entity_named(c, doc->tokens[na].start, doc->tokens[b - 1].end);
    if (same == UINT32_MAX)
        return 0;
    if (same)
        return add_mention(c, same - 1, a, b, NG_MENTION_NAME);
    ng_mention *m = ng_arena_alloc(&doc->arena, sizeof *m);
    ng_entity *ents = doc->entities;
    if (doc->nentities + 1 > c->capent) { /* room doubles: many new speakers stay linear */
        size_t nc = (doc->nentities + 1) * 2;
        ents = ng_arena_alloc(&doc->arena, nc * sizeof *ents);
        if (!ents)
            return 0;
        if (doc->nentities)
            memcpy(ents, doc->entities, doc->nentities * sizeof *ents);
        c->capent = nc;
    }
    if (!m)
        return 0;
    m->span.start = doc->tokens[a].start;
    m->span.end = doc->tokens[b - 1].end;
    m->kind = NG_MENTION_NAME;
    m->text = ng_arena_strndup(&doc->arena, doc->text + m->span.start, m->span.end - m->span.start);
    const char *name = na == a ? m->text
                               : ng_arena_strndup(&doc->arena, doc->text + doc->tokens[na].start,
                                                  doc->tokens[b - 1].end - doc->tokens[na].start);
    if (!m->text || !name)
        return 0;
    ng_entity *e = &ents[doc->nentities];
    memset(e, 0, sizeof *e);
    e->id = ++c->max_id;
    /* one plural word ("Democrats") names a group */
    e->type = (b == a + 1 && m->span.end - m->span.start > 3 && doc->text[m->span.end - 1] == 's') ? "ORG" : "PER";
    e->name = name;
    e->mentions = m;
    e->nmentions = 1;
    doc->entities = ents;
    doc->nentities++;
    names_put(c, doc->nentities - 1);
    for (size_t k = a; k < b; k++)
        c->tokent[k] = (uint32_t)doc->nentities;
    c->first[a] = 1;
    return 1;
}

/* 1 when token t looks like an adverb between a subject and its verb: a
 * lowercase word of six letters or more in -ly (English) or -ment (French)
 * that is no speaker noun ("family", "assembly" are nouns) and follows no
 * article. */
static int adverb(const qctx *c, size_t t)
{
    const ng_doc *doc = c->doc;
    const ng_token *k = &doc->tokens[t];
    size_t n = k->end - k->start;
    if (!(k->flags & NG_TOK_WORD) || (k->flags & NG_TOK_UPPER) || n < 6 || n > 20 || c->cue[t])
        return 0;
    const char *w = doc->text + k->start;
    int ly = doc->lang_res && strcmp(doc->lang, "en") == 0 && memcmp(w + n - 2, "ly", 2) == 0;
    int ment = doc->lang_res && strcmp(doc->lang, "fr") == 0 && memcmp(w + n - 4, "ment", 4) == 0;
    if (!ly && !ment)
        return 0;
    size_t hn;
    if (ng_lex_match(&c->q->descriptions, doc, t, 1, &hn) || ng_lex_match(&c->q->unnamed, doc, t, 1, &hn))
        return 0;
    return !(t > 0 && determiner(doc, t - 1));
}

static int is_that(const ng_doc *doc, size_t t);

/* 1 when the cue at token ci is used as a noun that reports: "claim that",
 * "plan to", "call for" (not "alleged employment"). */
static int noun_cue_use(const qctx *c, size_t ci)
{
    const ng_doc *doc = c->doc;
    size_t a = ci + (c->cuelen[ci] ? c->cuelen[ci] : 1);
    static const char *const next[] = {"to", "for", "of", "de", "is", "was", "has", "had", "would", "will",
                                       "could", "should", "est", "a", "sera"};
    if (a >= doc->ntokens || is_that(doc, a) || !(doc->tokens[a].flags & NG_TOK_WORD))
        return 1;
    for (size_t i = 0; i < sizeof next / sizeof *next; i++)
        if (ng_tok_is(doc, a, next[i]))
            return 1;
    return 0;
}

/* 1 when token t joins two verbs of one subject ("and", "but", "yet"). */
static int coordinator(const ng_doc *doc, size_t t)
{
    static const char *const words[] = {"and", "but", "yet", "or", "then", "et", "mais", "puis", "ou"};
    for (size_t i = 0; i < sizeof words / sizeof *words; i++)
        if (ng_tok_is(doc, t, words[i]))
            return 1;
    return 0;
}

/* 1 when token t is a dash ("-", "--", "—", "–"). */
static int is_dash(const ng_doc *doc, size_t t)
{
    const ng_token *k = &doc->tokens[t];
    if (k->end - k->start == 1 || k->end - k->start == 2)
        return memcmp(doc->text + k->start, "--", k->end - k->start) == 0;
    uint32_t cp = tok_cp(doc, t);
    return cp == 0x2014 || cp == 0x2013 || cp == 0x2015;
}

/* 1 when token t opens its sentence (or a paragraph, or follows a mark). */
static int sentence_initial(const qctx *c, size_t t)
{
    const ng_doc *doc = c->doc;
    if (t == 0 || (doc->tokens[t].flags & NG_TOK_SENT_START) || doc->tokens[t - 1].sent != doc->tokens[t].sent)
        return 1;
    return (doc->tokens[t - 1].flags & NG_TOK_QUOTE) && (t < 2 || doc->tokens[t - 2].sent != doc->tokens[t].sent);
}

/* The first token of the mention a relative pronoun refers to, the pronoun
 * (or its comma) being at token a: the name just before ("McConnell,
 * who"), or the name before an apposition ("McConnell, now the Senate
 * majority leader, who").  SIZE_MAX when none. */
static size_t antecedent(const qctx *c, size_t a)
{
    const ng_doc *doc = c->doc;
    size_t k = a;
    for (int round = 0; round < 2 && k > 0; round++) {
        if (c->tokent[k - 1] && strcmp(doc->entities[c->tokent[k - 1] - 1].type, "MISC") != 0 &&
            !(doc->tokens[k - 1].flags & NG_TOK_NUM)) {
            size_t m = k - 1;
            while (m > 0 && c->tokent[m - 1] == c->tokent[k - 1] && !c->first[m])
                m--;
            return m;
        }
        if (round || !is_punct(doc, a, ','))
            break;
        /* back over an apposition of a few words between commas */
        size_t p = a;
        while (p > 0 && p + 8 > a && !clause_boundary(c, p - 1))
            p--;
        if (p == 0 || p == a || !is_punct(doc, p - 1, ','))
            break;
        k = p - 1;
    }
    return SIZE_MAX;
}

/* The last word of entity i's name in *n. */
static const char *surname(const ng_doc *doc, size_t i, size_t *n)
{
    const char *nm = doc->entities[i].name;
    const char *sp = strrchr(nm, ' ');
    if (!sp || strcmp(doc->entities[i].type, "PER") != 0) {
        *n = 0;
        return nm;
    }
    *n = strlen(sp + 1);
    return sp + 1;
}

/* The person (entity index + 1) a name tagged as a word of its own
 * (MISC: "Trump" in "the Trump campaign") is the surname of: the first
 * person entity whose name ends with it (a table by last word, built on
 * first use).  ei is the name's entity index + 1; returns 0 when none. */
static uint32_t person_of_name(qctx *c, uint32_t ei)
{
    const ng_doc *doc = c->doc;
    if (!ei || strcmp(doc->entities[ei - 1].type, "MISC") != 0 || !doc->entities[ei - 1].name)
        return 0;
    if (!c->surnames) {
        size_t slots = 64;
        while (slots < doc->nentities * 4)
            slots *= 2;
        c->surnames = ng_arena_calloc(&c->doc->arena, slots, sizeof *c->surnames);
        if (!c->surnames)
            return 0;
        c->surnames_mask = slots - 1;
        for (size_t i = 0; i < doc->nentities; i++) {
            size_t n;
            const char *w = surname(doc, i, &n);
            if (!n)
                continue;
            size_t k = name_hash(w, n) & c->surnames_mask;
            while (c->surnames[k])
                k = (k + 1) & c->surnames_mask;
            c->surnames[k] = (uint32_t)i + 1;
        }
    }
    const char *w = doc->entities[ei - 1].name;
    size_t n = strlen(w);
    for (size_t k = name_hash(w, n) & c->surnames_mask; c->surnames[k]; k = (k + 1) & c->surnames_mask) {
        size_t m;
        const char *v = surname(doc, c->surnames[k] - 1, &m);
        if (m == n && memcmp(v, w, n) == 0)
            return c->surnames[k];
    }
    return 0;
}

/* Finds the speaker in tokens [lo, hi), leftmost first: a name (not one
 * after a preposition nor a possessive "X's"), a pronoun, a description
 * (a title before a name or an apposition gives the name), or an unnamed
 * source.  Returns 1 with *sp filled, else 0. */
static int find_head(qctx *c, size_t lo, size_t hi, speaker_t *sp)
{
    const ng_doc *doc = c->doc;
    memset(sp, 0, sizeof *sp);
    for (size_t k = lo; k < hi && k < doc->ntokens; k++) {
        if (c->inq[k] || !(doc->tokens[k].flags & NG_TOK_WORD))
            continue;
        uint32_t pv = ng_lex_tok(&c->q->pronouns, doc, k);
        if (pv) {
            if (pv & QL_POSS)
                continue;
            if (pv & QL_REL) {
                size_t a = k; /* the antecedent may lie before the region */
                if (a > 0 && (is_punct(doc, a - 1, ',') || is_dash(doc, a - 1)))
                    a--;
                if (c->tokent[k]) { /* coref.c linked it */
                    set_entity(sp, c, k, k, 1);
                    return 1;
                }
                size_t ant = a > 0 ? antecedent(c, a) : SIZE_MAX;
                if (ant != SIZE_MAX) {
                    /* the pronoun becomes a mention of its antecedent ("Mr. Kamin, who") */
                    if (!add_mention(c, c->tokent[ant] - 1, k, k + 1, NG_MENTION_PRONOUN))
                        return 0;
                    set_entity(sp, c, k, k, 1);
                    return 1;
                }
                if (a > 0 && (doc->tokens[a - 1].flags & NG_TOK_UPPER) && name_word(c, a - 1)) {
                    size_t m = a - 1; /* "said Mr. Kamin, who": a name the tagger missed */
                    while (m > 0 && m + 3 > a && !c->tokent[m - 1] && (doc->tokens[m - 1].flags & NG_TOK_UPPER) &&
                           name_word(c, m - 1))
                        m--;
                    if (new_entity(c, m, a) && add_mention(c, c->tokent[m] - 1, k, k + 1, NG_MENTION_PRONOUN)) {
                        set_entity(sp, c, k, k, 1);
                        return 1;
                    }
                }
                continue;
            }
            if (pv & QL_OBJ)
                continue;
            if ((pv & QL_ORG) && !c->tokent[k])
                continue; /* "it" not linked to an organisation: a thing */
            sp->found = 1;
            sp->ent = c->tokent[k];
            sp->s = doc->tokens[k].start;
            sp->e = doc->tokens[k].end;
            sp->named = sp->ent != 0;
            return 1;
        }
        if (c->first[k] && c->tokent[k]) {
            size_t me = mention_end(c, k, hi);
            int poss = me + 1 < doc->ntokens &&
                       (ng_tok_is(doc, me + 1, "'s") || ng_tok_is(doc, me + 1, "\xe2\x80\x99s") ||
                        ng_tok_is(doc, me + 1, "'") || ng_tok_is(doc, me + 1, "\xe2\x80\x99"));
            size_t p = k;
            if (p > lo && (ng_tok_is(doc, p - 1, "a") || ng_tok_is(doc, p - 1, "an") || ng_tok_is(doc, p - 1, "un") ||
                           ng_tok_is(doc, p - 1, "une") || ng_tok_is(doc, p - 1, "l'") || ng_tok_is(doc, p - 1, "l\xe2\x80\x99") ||
                           ng_tok_is(doc, p - 1, "the") || ng_tok_is(doc, p - 1, "la") || ng_tok_is(doc, p - 1, "le")))
                p--;
            int after_prep = p > lo && preposition(doc, p - 1);
            const char *type = doc->entities[c->tokent[k] - 1].type;
            /* a group name ("Democrats") speaks; an adjective ("American officials") does not */
            int adjective = strcmp(type, "MISC") == 0 && me + 1 < hi && (doc->tokens[me + 1].flags & NG_TOK_WORD) &&
                            !c->cue[me + 1];
            /* a dateline: "WASHINGTON -- President Obama ..." */
            int dateline = sentence_initial(c, k) && me + 1 < hi && is_dash(doc, me + 1) &&
                           ((doc->tokens[k].flags & NG_TOK_ALLCAP) || strcmp(type, "LOC") == 0);
            if (poss || after_prep || adjective || dateline) {
                k = me;
                continue;
            }
            set_entity(sp, c, k, me, 1);
            return 1;
        }
        size_t hn;
        uint32_t dv = ng_lex_match(&c->q->descriptions, doc, k, 4, &hn);
        /* a capitalised name the tagger missed ("Trump said") becomes an entity */
        size_t un0;
        if (!dv && !c->tokent[k] && (doc->tokens[k].flags & NG_TOK_UPPER) && !c->cue[k] && name_word(c, k) &&
            !ng_lex_match(&c->q->unnamed, doc, k, 4, &un0)) {
            size_t e = k + 1;
            while (e < hi && e < k + 4 && !c->tokent[e] && (doc->tokens[e].flags & NG_TOK_UPPER) && name_word(c, e))
                e++;
            int poss = e < doc->ntokens && (ng_tok_is(doc, e, "'s") || ng_tok_is(doc, e, "\xe2\x80\x99s"));
            size_t p = k;
            if (p > lo && determiner(doc, p - 1))
                p--;
            int after_prep = p > lo && preposition(doc, p - 1);
            /* "Foreign Minister X": a title goes on to the name */
            int before_title = e < hi && (c->tokent[e] || ng_lex_tok(&c->q->descriptions, doc, e));
            /* "Moreover, ...": a lone capitalised word opening a sentence */
            int opener = e == k + 1 && (doc->tokens[k].flags & NG_TOK_SENT_START) && e < doc->ntokens &&
                         is_punct(doc, e, ',');
            /* a lone capitalised word opening a sentence ("Perhaps", "Following",
             * "One of ...") is a name only when a cue or an apposition follows it */
            if (e == k + 1 && !opener && sentence_initial(c, k) && e < doc->ntokens && !c->cue[e] &&
                !is_punct(doc, e, '(') && !is_dash(doc, e) &&
                !ng_first_name_gender(doc->model, doc->text + doc->tokens[k].start,
                                      doc->tokens[k].end - doc->tokens[k].start))
                opener = 1;
            /* a heading or dateline in capitals ("WASHINGTON --", "SAVE A QUARTER") */
            if ((doc->tokens[k].flags & NG_TOK_ALLCAP) && doc->tokens[k].end - doc->tokens[k].start >= 5)
                opener = 1;
            if (!poss && !after_prep && !before_title && !opener && new_entity(c, k, e)) {
                set_entity(sp, c, k, e - 1, 1);
                return 1;
            }
            k = e - 1;
            continue;
        }
        uint32_t uv = 0;
        size_t un = 0;
        if (!dv)
            uv = ng_lex_match(&c->q->unnamed, doc, k, 4, &un);
        if ((dv & QL_HON) || (!dv && (ng_lex_tok(&c->q->descriptions, doc, k) & QL_HON))) {
            /* "Mr. King", "Mrs. Clinton": after an honorific a capitalised word is a
             * name even when it is also a title or a common word */
            size_t e = k + 1;
            while (e < hi && e < k + 4 && !c->tokent[e] && (doc->tokens[e].flags & NG_TOK_UPPER) &&
                   (doc->tokens[e].flags & NG_TOK_WORD) && !c->cue[e])
                e++;
            int poss = e < doc->ntokens && (ng_tok_is(doc, e, "'s") || ng_tok_is(doc, e, "\xe2\x80\x99s"));
            if (e > k + 1 && !poss && !(k > lo && preposition(doc, k - 1))) {
                if (!new_entity(c, k, e))
                    return 0;
                set_entity(sp, c, k, e - 1, 1);
                return 1;
            }
            continue;
        }
        if (dv || uv) {
            size_t he = k + (dv ? hn : un); /* first token after the head */
            /* a name right after the head (a title): "campaign manager Robby Mook" */
            size_t m = mention_in(c, he, he + 2 < hi ? he + 2 : hi);
            if (m != SIZE_MAX && !after_comma(c, he, m) && !preposition(doc, m - 1)) {
                set_entity(sp, c, m, mention_end(c, m, hi), 1);
                return 1;
            }
            if (he < hi && !c->tokent[he] && (doc->tokens[he].flags & NG_TOK_UPPER) && name_word(c, he)) {
                size_t ne = he + 1; /* "nominee Donald Trump": a name the tagger missed */
                while (ne < hi && ne < he + 3 && !c->tokent[ne] && (doc->tokens[ne].flags & NG_TOK_UPPER) &&
                       name_word(c, ne))
                    ne++;
                if (new_entity(c, he, ne)) {
                    set_entity(sp, c, he, ne - 1, 1);
                    return 1;
                }
            }
            /* the description was resolved by coref.c */
            size_t d = k;
            for (size_t x = k; x > lo && x + 4 > k; x--) {
                if (!(doc->tokens[x - 1].flags & NG_TOK_WORD))
                    break;
                if (determiner(doc, x - 1)) {
                    d = x - 1;
                    break;
                }
            }
            /* no article: the lowercase modifiers are part of the words ("exit
             * polls", "federal prosecutors") */
            if (d == k && uv)
                while (d > lo && d + 3 > k && (doc->tokens[d - 1].flags & NG_TOK_WORD) &&
                       !(doc->tokens[d - 1].flags & NG_TOK_UPPER) && !preposition(doc, d - 1) && !c->cue[d - 1] &&
                       !coordinator(doc, d - 1) && !c->tokent[d - 1] && !ng_lex_tok(&c->q->pronouns, doc, d - 1))
                    d--;
            /* "in his 2002 book", "in a statement": a complement, not the speaker */
            {
                size_t x = d; /* past the modifiers when there is no article */
                while (!determiner(doc, d) && x > lo && x + 4 > d &&
                       (doc->tokens[x - 1].flags & (NG_TOK_WORD | NG_TOK_NUM)) &&
                       !preposition(doc, x - 1) && !coordinator(doc, x - 1) && !c->tokent[x - 1] && !c->cue[x - 1])
                    x--;
                if (x > lo && preposition(doc, x - 1) && !ng_tok_is(doc, x - 1, "of") && !ng_tok_is(doc, x - 1, "de")) {
                    k = he - 1;
                    continue;
                }
            }
            /* an apposition: ", General François Lecointre" within a few words
             * (even past the region: the name completes the description); a
             * person description only ("according to exit polls, Mitt Romney
             * had ..." is no apposition) */
            size_t lim = dv ? he + 8 : he;
            while (lim > he && (lim > doc->ntokens || doc->tokens[lim - 1].sent != doc->tokens[k].sent))
                lim--;
            for (size_t x = he; x < lim; x++) {
                if (!is_punct(doc, x, ','))
                    continue;
                size_t y = x + 1;
                while (y < lim && y < x + 3 && !c->first[y] && ng_lex_tok(&c->q->descriptions, doc, y))
                    y++;
                if (y < lim && c->first[y] && c->tokent[y]) {
                    set_entity(sp, c, y, mention_end(c, y, hi), 1);
                    return 1;
                }
                break;
            }
            if (dv && c->tokent[k] && !c->first[k]) {
                sp->found = 1;
                sp->ent = c->tokent[k];
                sp->s = doc->tokens[d].start;
                sp->e = doc->tokens[he - 1].end;
                return 1;
            }
            /* "his lawyer", "Pagliano's attorney", "her campaign": the words,
             * and the owner they hang on */
            for (size_t x = k; x > lo && x + 4 > k; x--) {
                size_t y = x - 1, o = SIZE_MAX;
                if ((ng_lex_tok(&c->q->pronouns, doc, y) & QL_POSS) && c->tokent[y])
                    o = y;
                else if (y > lo && (ng_tok_is(doc, y, "'s") || ng_tok_is(doc, y, "\xe2\x80\x99s")) &&
                         c->tokent[y - 1] &&
                         strcmp(doc->entities[c->tokent[y - 1] - 1].type, "MISC") != 0) {
                    o = y - 1;
                    while (o > lo && c->tokent[o - 1] == c->tokent[y - 1] && !c->first[o])
                        o--;
                }
                if (o != SIZE_MAX) {
                    sp->found = 1;
                    sp->ent = c->tokent[o];
                    sp->s = doc->tokens[o].start;
                    sp->e = doc->tokens[he - 1].end;
                    return 1;
                }
                if (!(doc->tokens[y].flags & NG_TOK_WORD) || determiner(doc, y) || preposition(doc, y))
                    break;
            }
            /* unnamed, or a description nobody was found for: keep the words,
             * and the entity it hangs on ("those in the entourage of X") */
            size_t e = he;
            while (e < hi && e < he + 8 && !clause_boundary(c, e) && !c->cue[e])
                e++;
            sp->found = 1;
            sp->s = doc->tokens[d].start;
            sp->e = doc->tokens[e - 1].end;
            size_t hm = mention_in(c, d, e); /* "The Trump campaign", "those close to X" */
            uint32_t pm = 0;
            for (size_t x = d; hm == SIZE_MAX && x < e && !pm; x++)
                pm = c->first[x] ? person_of_name(c, c->tokent[x]) : 0;
            if (hm != SIZE_MAX && hm != k) {
                sp->ent = c->tokent[hm];
            } else if (pm) {
                sp->ent = pm; /* a surname used as an adjective: "the Trump team" */
            } else {
                for (size_t x = d; x < e; x++) {
                    if (x == k || c->tokent[x] || !(doc->tokens[x].flags & NG_TOK_UPPER) || !name_word(c, x) ||
                        (x == d && determiner(doc, x)))
                        continue;
                    size_t y = x + 1;
                    while (y < e && y != k && !c->tokent[y] && (doc->tokens[y].flags & NG_TOK_UPPER) && name_word(c, y))
                        y++;
                    if (new_entity(c, x, y))
                        sp->ent = c->tokent[x];
                    break;
                }
            }
            return 1;
        }
    }
    return 0;
}

/* 1 when a comma lies in tokens [a, b). */
static int after_comma(const qctx *c, size_t a, size_t b)
{
    for (size_t k = a; k < b; k++)
        if (is_punct(c->doc, k, ','))
            return 1;
    return 0;
}

/* A subject with no speaker head that hangs on an owner ("Clinton's team
 * says", "Her submission to the court noted", "according to her
 * account"): the first possessive in tokens [a, b) gives the entity, the
 * words up to the first clause boundary the speaker_text. */
static int owner_in(qctx *c, size_t a, size_t b, speaker_t *sp)
{
    const ng_doc *doc = c->doc;
    for (size_t k = a; k < b && k < a + 8; k++) {
        if (clause_boundary(c, k))
            return 0;
        size_t o = SIZE_MAX;
        if ((ng_lex_tok(&c->q->pronouns, doc, k) & QL_POSS) && c->tokent[k] &&
            ((k + 1 == b && (b >= doc->ntokens || !c->cue[b] || noun_cue_use(c, b))) ||
             ((doc->tokens[k + 1].flags & NG_TOK_WORD) && !preposition(doc, k + 1) && !c->cue[k + 1])))
            o = k; /* "her account", "his claim", not "accusing her of" */
        else if (k > a && (ng_tok_is(doc, k, "'s") || ng_tok_is(doc, k, "\xe2\x80\x99s")) && c->tokent[k - 1] &&
                 strcmp(doc->entities[c->tokent[k - 1] - 1].type, "MISC") != 0) {
            o = k - 1;
            while (o > a && c->tokent[o - 1] == c->tokent[k - 1] && !c->first[o])
                o--; /* the start of the owner's name */
        }
        if (o == SIZE_MAX)
            continue;
        /* the owner opens the subject ("Her submission", "Clinton's team"),
         * not "a de son côté" */
        size_t w0 = a;
        while (w0 < o && !(doc->tokens[w0].flags & NG_TOK_WORD))
            w0++;
        if (o > w0 + 1 || (o == w0 + 1 && !determiner(doc, w0)))
            return 0;
        size_t e = o + 1;
        while (e < b && e < o + 8 && !clause_boundary(c, e) && !c->cue[e])
            e++;
        size_t s = a;
        while (s < o && !(doc->tokens[s].flags & NG_TOK_WORD))
            s++;
        memset(sp, 0, sizeof *sp);
        sp->found = 1;
        sp->ent = c->tokent[o];
        sp->s = doc->tokens[s].start;
        sp->e = doc->tokens[e - 1].end;
        return 1;
    }
    return 0;
}

/* The source after "according to" / "selon" in tokens [a, b): an object
 * pronoun there is the source too ("selon lui", "according to them"),
 * else the first head, else an owner ("according to her account"). */
static int source_head(qctx *c, size_t a, size_t b, speaker_t *sp)
{
    const ng_doc *doc = c->doc;
    uint32_t pv = a < b && a < doc->ntokens && c->tokent[a] ? ng_lex_tok(&c->q->pronouns, doc, a) : 0;
    /* "her" alone is the object, "her account" a possessive */
    if (pv && (!(pv & QL_POSS) || a + 1 >= b || !(doc->tokens[a + 1].flags & NG_TOK_WORD))) {
        memset(sp, 0, sizeof *sp);
        set_entity(sp, c, a, a, 1);
        return 1;
    }
    return find_head(c, a, b, sp) || owner_in(c, a, b, sp);
}

/* The first token of the clause that holds token t: after the last
 * "that"/"que", semicolon or colon before it in its sentence (from sstart). */
static size_t clause_start(const qctx *c, size_t t, size_t sstart)
{
    const ng_doc *doc = c->doc;
    for (size_t k = t; k > sstart; k--)
        if (ng_tok_is(doc, k - 1, "that") || ng_tok_is(doc, k - 1, "que") || ng_tok_is(doc, k - 1, "qu'") ||
            ng_tok_is(doc, k - 1, "qu\xe2\x80\x99") || is_punct(doc, k - 1, ';') || is_punct(doc, k - 1, ':') ||
            (c->inq[k - 1] && (doc->tokens[k - 1].flags & NG_TOK_QUOTE)))
            return k;
    return sstart;
}

/* The speaker of a cue at token ci (class bits v): the subject before it,
 * else the words after it up to hi. */
static int cue_speaker(qctx *c, size_t ci, uint32_t v, size_t hi, speaker_t *sp)
{
    const ng_doc *doc = c->doc;
    size_t sstart = sent_lo(c, ci, QWIN);
    size_t after = ci + (c->cuelen[ci] ? c->cuelen[ci] : 1);
    size_t send = sent_hi(c, ci, QWIN);
    if (send < after)
        send = after;
    if (hi > send)
        hi = send;
    if (v & QL_CUE_S)
        return source_head(c, after, hi, sp);
    /* "Clinton is promising", "was saying": a participle after a form of
     * "be" is the verb of its own subject */
    if ((v & QL_CUE_P) && ci > sstart &&
        (ng_tok_is(doc, ci - 1, "is") || ng_tok_is(doc, ci - 1, "was") || ng_tok_is(doc, ci - 1, "are") ||
         ng_tok_is(doc, ci - 1, "were") || ng_tok_is(doc, ci - 1, "been") || ng_tok_is(doc, ci - 1, "be")))
        v = (v & ~QL_CUE_P) | QL_CUE_V;
    if (v & QL_CUE_P) {
        if (find_head(c, sstart, ci, sp))
            return 1;
        return 0;
    }
    /* the words after the cue first when asked (a cue after a quote and a clause) */
    size_t e = after;
    while (e < hi && e < after + 16 && !(doc->tokens[e].flags & NG_TOK_QUOTE) && !is_punct(doc, e, ';') &&
           !is_punct(doc, e, ':') && !ng_tok_is(doc, e, "that") && !ng_tok_is(doc, e, "que") &&
           !ng_tok_is(doc, e, "qu'") && !ng_tok_is(doc, e, "qu\xe2\x80\x99"))
        e++;
    /* a subject pronoun or a name right before the cue ("she said", "Warren
     * said") is its subject, whatever follows the cue */
    if (ci > sstart + 0 && !(v & QL_CUE_P)) {
        uint32_t pv = ng_lex_tok(&c->q->pronouns, doc, ci - 1);
        int name_before = c->tokent[ci - 1] != 0; /* "Democrats accused": even a MISC name right before the cue */
        if (((pv & QL_SUBJ) && !(pv & QL_INV) && c->tokent[ci - 1]) || name_before || (pv & QL_REL)) {
            size_t m = ci - 1;
            while (c->tokent[ci - 1] && m > sstart && c->tokent[m - 1] == c->tokent[ci - 1] && !c->first[m])
                m--;
            if (!(m > sstart && preposition(doc, m - 1)) && find_head(c, m, ci, sp))
                return 1;
        }
    }
    if ((v & QL_INV) && !(ci > sstart && (ng_lex_tok(&c->q->pronouns, doc, ci - 1) & QL_INV)) &&
        find_head(c, after, e, sp))
        return 1;
    /* back over auxiliaries and adverbs ("has also", "a", "-t-il") */
    size_t k = ci;
    while (k > sstart) {
        uint32_t pv = ng_lex_tok(&c->q->pronouns, doc, k - 1);
        if (pv & QL_INV)
            return find_head(c, k - 1, k, sp);
        size_t n;
        uint32_t av = ng_lex_match(&c->q->cues, doc, k - 1, 1, &n);
        /* "a de son côté estimé", "for his part": a phrase of two or three words */
        for (size_t len = 3; !(av & QL_AUX) && len >= 2; len--)
            if (k >= sstart + len + 1 && (ng_lex_match(&c->q->cues, doc, k - len, len, &n) & QL_AUX) && n == len) {
                k -= len - 1;
                av = QL_AUX;
            }
        /* "Democrats successfully argued", "a notamment déclaré": a lowercase
         * adverb (a word in -ly / -ment) after a subject word */
        if (!(av & QL_AUX) && k - 1 > sstart && adverb(c, k - 1))
            av = QL_AUX;
        /* "who's called for", "he's said": 's after a pronoun is "has" */
        if (!(av & QL_AUX) && k - 1 > sstart &&
            (ng_tok_is(doc, k - 1, "'s") || ng_tok_is(doc, k - 1, "\xe2\x80\x99s")) &&
            ng_lex_tok(&c->q->pronouns, doc, k - 2))
            av = QL_AUX;
        if (!(av & QL_AUX))
            break;
        k--;
    }
    size_t end = k; /* the subject ends before token end */
    /* "Trump's claim that", "he's said": the possessor or subject before 's */
    if (end > sstart + 1 && (ng_tok_is(doc, end - 1, "'s") || ng_tok_is(doc, end - 1, "\xe2\x80\x99s")) &&
        c->tokent[end - 2] && strcmp(doc->entities[c->tokent[end - 2] - 1].type, "MISC") != 0 &&
        (end < ci || noun_cue_use(c, ci))) { /* not "Mali's alleged employment" */
        size_t m = end - 2;
        while (m > sstart && c->tokent[m - 1] == c->tokent[end - 2] && !c->first[m])
            m--;
        set_entity(sp, c, m, end - 2, 1);
        return 1;
    }
    /* "Sen. David Perdue (R-Ga.) said", "Kall -- co-editor of ... -- said":
     * the subject is before the parenthesis */
    if (end > sstart + 1 && (is_punct(doc, end - 1, ')') || is_dash(doc, end - 1))) {
        int paren = is_punct(doc, end - 1, ')');
        size_t p = end - 1;
        while (p > sstart && p + 40 > end && !(paren ? is_punct(doc, p - 1, '(') : is_dash(doc, p - 1)))
            p--;
        if (p > sstart + 1 && p + 40 > end)
            end = p - 1;
    }
    /* a second verb of the subject: "Graham urged ..., and criticized",
     * "Trump demands ..., yet refuses" */
    if (end > sstart && coordinator(doc, end - 1)) {
        size_t cs = clause_start(c, end - 1, sstart);
        if (find_head(c, cs, end - 1, sp) || (cs > sstart && find_head(c, sstart, cs, sp)))
            return 1;
        return find_head(c, after, e, sp);
    }
    if (end > sstart && is_punct(doc, end - 1, ',')) {
        /* a parenthetical or an apposition between subject and verb */
        size_t p = end - 1;
        while (p > sstart && !clause_boundary(c, p - 1))
            p--;
        if (p > sstart && is_punct(doc, p - 1, ',')) {
            size_t b = p - 1;
            size_t a = b;
            for (;;) { /* "Rep. Jim Jordan (R-Ohio), an oversight panel member, said" */
                while (a > sstart && !clause_boundary(c, a - 1))
                    a--;
                if (a <= sstart + 1 || !is_punct(doc, a - 1, ')') || a + 40 < b)
                    break;
                size_t o = a - 1;
                while (o > sstart && !is_punct(doc, o - 1, '(') && o + 12 > a)
                    o--;
                if (o <= sstart || !is_punct(doc, o - 1, '('))
                    break;
                a = o - 1;
            }
            if (find_head(c, a, b, sp))
                return 1;
        }
        if (find_head(c, p, end - 1, sp))
            return 1;
    } else if (end > sstart && !clause_boundary(c, end - 1)) {
        size_t a = end;
        while (a > sstart && !clause_boundary(c, a - 1))
            a--;
        if (find_head(c, a, end, sp) || owner_in(c, a, end, sp))
            return 1;
    }
    /* inverted: "said the minister", "a indiqué dimanche un porte-parole" */
    if (find_head(c, after, e, sp))
        return 1;
    /* else the subject of the clause, past an apposition or a relative
     * clause ("Schiff, 56, who has served ..., told") */
    /* not when an article or a possessive opens the words before the cue:
     * they are its subject, one no speaker list knows ("these countries
     * confirmed", "the fighting that has claimed") */
    for (size_t x = end; x > sstart && x + 4 > end; x--) {
        if (!(doc->tokens[x - 1].flags & NG_TOK_WORD) || (doc->tokens[x - 1].flags & NG_TOK_UPPER) ||
            c->tokent[x - 1] || preposition(doc, x - 1))
            break;
        if (determiner(doc, x - 1) || ng_tok_is(doc, x - 1, "these") || ng_tok_is(doc, x - 1, "those") ||
            ng_tok_is(doc, x - 1, "this") || ng_tok_is(doc, x - 1, "that") || ng_tok_is(doc, x - 1, "ces"))
            return 0;
    }
    size_t cs = end > sstart ? clause_start(c, end, sstart) : end;
    return end > sstart && (find_head(c, cs, end, sp) || (cs > sstart && find_head(c, sstart, cs, sp)));
}

/* A transcript label at token t ("WALLACE:", "MR. TRUMP:"): capitalised
 * words then a colon.  Returns the colon's token, or SIZE_MAX. */
static size_t transcript_label(const qctx *c, size_t t)
{
    const ng_doc *doc = c->doc;
    for (size_t k = t; k < doc->ntokens && k < t + 3; k++) {
        if (is_punct(doc, k, ':'))
            return k > t ? k : SIZE_MAX;
        if (!(doc->tokens[k].flags & NG_TOK_ALLCAP) && !(doc->tokens[k].flags & NG_TOK_ABBREV))
            return SIZE_MAX;
    }
    return SIZE_MAX;
}

/* The speaker named by a transcript label in tokens [a, b): the entity
 * mentioned there, else a new one. */
static void label_speaker(qctx *c, size_t a, size_t b, speaker_t *sp)
{
    memset(sp, 0, sizeof *sp);
    for (size_t k = a; k < b; k++)
        if (c->tokent[k]) {
            set_entity(sp, c, k, k, 1);
            return;
        }
    if (new_entity(c, a, b))
        set_entity(sp, c, a, b - 1, 1);
}

/* Appends a quote; returns 0 on out of memory. */
static int emit(qctx *c, uint32_t s, uint32_t e, const speaker_t *sp, size_t ci, int direct)
{
    ng_doc *doc = c->doc;
    /* trim white space and a trailing comma */
    for (;;) {
        if (s < e && (doc->text[s] == ' ' || doc->text[s] == '\n'))
            s++;
        else if (e - s >= 2 && memcmp(doc->text + s, "\xc2\xa0", 2) == 0)
            s += 2;
        else if (e - s >= 3 && (memcmp(doc->text + s, "\xe2\x80\xaf", 3) == 0 || memcmp(doc->text + s, "\xe2\x80\x89", 3) == 0))
            s += 3;
        else
            break;
    }
    for (;;) {
        if (e > s && (doc->text[e - 1] == ' ' || doc->text[e - 1] == '\n' || doc->text[e - 1] == ','))
            e--;
        else if (e - s >= 2 && memcmp(doc->text + e - 2, "\xc2\xa0", 2) == 0)
            e -= 2;
        else if (e - s >= 3 && (memcmp(doc->text + e - 3, "\xe2\x80\xaf", 3) == 0 || memcmp(doc->text + e - 3, "\xe2\x80\x89", 3) == 0))
            e -= 3;
        else
            break;
    }
    if (e <= s)
        return 1;
    if (c->nout == c->capout) {
        size_t nc = c->capout ? c->capout * 2 : 16;
        ng_quote *np = ng_arena_alloc(&doc->arena, nc * sizeof *np);
        if (!np)
            return 0;
        if (c->nout)
            memcpy(np, c->out, c->nout * sizeof *np);
        c->out = np;
        c->capout = nc;
    }
    ng_quote *q = &c->out[c->nout++];
    memset(q, 0, sizeof *q);
    q->span.start = s;
    q->span.end = e;
    q->direct = direct;
    if (sp && sp->found) {
        q->speaker = sp->ent ? doc->entities[sp->ent - 1].id : 0;
        if (!sp->named && sp->e > sp->s)
            q->speaker_text = ng_arena_strndup(&doc->arena, doc->text + sp->s, sp->e - sp->s);
    }
    if (ci != SIZE_MAX) {
        size_t n = c->cuelen[ci] ? c->cuelen[ci] : 1;
        q->cue = ng_arena_strndup(&doc->arena, doc->text + doc->tokens[ci].start,
                                  doc->tokens[ci + n - 1].end - doc->tokens[ci].start);
        c->used[ci] = 1;
    }
    return 1;
}

/* One direct quote between marks: open token a, close token b (b may be
 * the last token of the quote when the close mark is missing). */
typedef struct {
    size_t a, b;
    uint32_t s, e; /* content bytes */
    size_t words;
} qspan;

/* Appends to *qs the quote opened at token open (its mark ending at token
 * open_last) that runs to the end of its paragraph at token last (no
 * closing mark).  Returns 0 on out of memory. */
static int push_paragraph(ng_doc *doc, qspan **qs, size_t *n, size_t *cap, size_t open, size_t open_last, size_t last)
{
    if (*n == *cap) {
        qspan *np = ng_arena_alloc(&doc->arena, *cap * 2 * sizeof *np);
        if (!np)
            return 0;
        memcpy(np, *qs, *n * sizeof **qs);
        *qs = np;
        *cap *= 2;
    }
    qspan *q = &(*qs)[*n];
    q->a = open;
    q->b = last;
    q->s = doc->tokens[open_last].end;
    q->e = doc->tokens[last].end;
    q->words = 0;
    for (size_t k = open + 1; k <= last; k++)
        q->words += (doc->tokens[k].flags & NG_TOK_WORD) != 0;
    if (q->words && last > open_last)
        (*n)++;
    return 1;
}

/* Pairs the quote marks of doc into qs (arena); returns how many. */
static size_t pair_marks(qctx *c, qspan **out)
{
    ng_doc *doc = c->doc;
    size_t cap = 16, n = 0;
    qspan *qs = ng_arena_alloc(&doc->arena, cap * sizeof *qs);
    if (!qs)
        return 0;
    size_t open = SIZE_MAX, open_last = SIZE_MAX;
    int ofam = 0;
    for (size_t t = 0; t < doc->ntokens; t++) {
        /* a paragraph ends with the quote still open */
        if (open != SIZE_MAX && t > open + 1 && para_break(doc, t - 1, t)) {
            int fam;
            int r = (doc->tokens[t].flags & NG_TOK_QUOTE) ? mark_role(doc, t, &fam) : QM_NONE;
            if ((r == QM_OPEN || r == QM_EITHER) && fam == ofam) {
                size_t colon = transcript_label(c, t + 1);
                if (colon == SIZE_MAX)
                    continue; /* reopened: the same quote goes on */
                /* "WALLACE: …" / "PENCE: …": each speaker's paragraph is a quote */
                if (!push_paragraph(doc, &qs, &n, &cap, open, open_last, t - 1))
                    return 0;
                open = t;
                open_last = t;
                continue;
            }
            /* unclosed: dropped, unless a transcript label opens it */
            if (transcript_label(c, open_last + 1) != SIZE_MAX &&
                !push_paragraph(doc, &qs, &n, &cap, open, open_last, t - 1))
                return 0;
            open = SIZE_MAX;
        }
        if (!(doc->tokens[t].flags & NG_TOK_QUOTE))
            continue;
        int fam;
        int r = mark_role(doc, t, &fam);
        if (r == QM_NONE)
            continue;
        const ng_token *mk = &doc->tokens[t];
        size_t tl = t; /* last token of the mark */
        if (t + 1 < doc->ntokens && doc->tokens[t + 1].start == mk->end && mk->end - mk->start == 1 &&
            doc->text[mk->start] == '\'' && is_punct(doc, t + 1, '\'')) {
            tl = t + 1; /* '' : two apostrophes for a double mark */
            fam = 1;
        }
        uint32_t mend = doc->tokens[tl].end;
        int sp_before = mk->start == 0 || doc->text[mk->start - 1] == ' ' || doc->text[mk->start - 1] == '\n';
        int sp_after = mend >= doc->text_len || doc->text[mend] == ' ' || doc->text[mend] == '\n';
        if (tl != t)
            r = (sp_before && !sp_after) ? QM_OPEN : (!sp_before && sp_after) ? QM_CLOSE : QM_EITHER;
        if (open == SIZE_MAX && r == QM_CLOSE && fam == 1 && sp_before && !sp_after)
            r = QM_OPEN; /* ”Mr. Trump ...: a closing mark used to open */
        else if (open != SIZE_MAX && r == QM_OPEN && fam == 1 && !sp_before && (sp_after || t + 1 == doc->ntokens))
            r = QM_CLOSE; /* ... true.“ : an opening mark used to close */
        if (open == SIZE_MAX) {
            if (r == QM_OPEN || r == QM_EITHER) {
                open = t;
                open_last = tl;
                ofam = fam;
            }
            t = tl;
            continue;
        }
        if (fam != ofam) {
            t = tl;
            continue; /* a nested quote of the other family */
        }
        if (r == QM_OPEN && tok_cp(doc, t) == tok_cp(doc, open) && tok_cp(doc, t) != '"' && tok_cp(doc, t) != '\'') {
            open = t; /* two openings: the first was stray */
            open_last = tl;
            continue;
        }
        if (doc->tokens[t].start - doc->tokens[open].end > QUOTE_MAX_BYTES) {
            open = (r == QM_CLOSE) ? SIZE_MAX : t;
            open_last = tl;
            t = tl;
            continue;
        }
        if (n == cap) {
            qspan *np = ng_arena_alloc(&doc->arena, cap * 2 * sizeof *np);
            if (!np)
                return 0;
            memcpy(np, qs, n * sizeof *qs);
            qs = np;
            cap *= 2;
        }
        qspan *q = &qs[n];
        q->a = open;
        q->b = tl;
        q->s = doc->tokens[open_last].end;
        q->e = doc->tokens[t].start;
        q->words = 0;
        for (size_t k = open + 1; k < t; k++)
            q->words += (doc->tokens[k].flags & NG_TOK_WORD) != 0;
        if (q->words)
            n++;
        open = SIZE_MAX;
        t = tl;
    }
    *out = qs;
    return n;
}

/* The nearest cue token after token b in its sentence (none inside a
 * quote, none past a new opening mark); SIZE_MAX when none. */
static size_t cue_after(const qctx *c, size_t b, size_t *dist)
{
    const ng_doc *doc = c->doc;
    uint32_t sent = doc->tokens[b].sent;
    /* a lowercase word after the closing mark goes on its sentence ("…." he said) */
    if (b + 1 < doc->ntokens && doc->tokens[b + 1].sent != sent && !(doc->tokens[b + 1].flags & NG_TOK_UPPER) &&
        !para_break(doc, b, b + 1))
        sent = doc->tokens[b + 1].sent;
    else if (b + 1 < doc->ntokens && doc->tokens[b + 1].sent != sent && !para_break(doc, b, b + 1)) {
        /* a short sentence made of a speaker and a cue: "…?” Graham asked. /
         * "…!” Mr. Hale said, looking up */
        uint32_t s2 = doc->tokens[b + 1].sent;
        for (size_t k = b + 1; k < doc->ntokens && k < b + 6 && doc->tokens[k].sent == s2; k++) {
            if (c->cue[k] & (QL_CUE_V | QL_CUE_B)) {
                size_t a = k + (c->cuelen[k] ? c->cuelen[k] : 1);
                for (size_t j = a; j < doc->ntokens && j < a + 3; j++)
                    if (doc->tokens[j].sent != s2 || is_punct(doc, j, '.') || is_punct(doc, j, ',')) {
                        *dist = k - b - 1;
                        return k; /* "demanded", "asked": any cue says it here */
                    }
                break;
            }
            if (!(doc->tokens[k].flags & NG_TOK_WORD) || c->inq[k])
                break;
        }
    }
    for (size_t k = b + 1, d = 0; k < doc->ntokens && d < 40; k++, d++) {
        if (doc->tokens[k].sent != sent)
            return SIZE_MAX;
        if (c->inq[k])
            return SIZE_MAX;
        if (c->cue[k] & (QL_CUE_V | QL_CUE_P | QL_CUE_S)) {
            *dist = d;
            return k;
        }
    }
    return SIZE_MAX;
}

/* The nearest cue before token a in its sentence; SIZE_MAX when none. */
static size_t cue_before(const qctx *c, size_t a, size_t *dist)
{
    const ng_doc *doc = c->doc;
    uint32_t sent = doc->tokens[a].sent;
    for (size_t k = a, d = 0; k-- > 0 && d < 80; d++) {
        if (doc->tokens[k].sent != sent)
            return SIZE_MAX;
        if (c->inq[k] && c->inq[k] != c->inq[a])
            continue;
        if (c->cue[k] & QL_CUE) {
            *dist = d;
            return k;
        }
    }
    return SIZE_MAX;
}

/* 1 when token t is a time word that may follow a cue ("Friday", "last",
 * "week", "mardi", "dimanche"). */
static int time_word(const qctx *c, size_t t)
{
    static const char *const words[] = {"last", "week", "month", "year", "today", "yesterday", "earlier", "later",
                                        "this", "morning", "afternoon", "evening", "night", "on", "hier",
                                        "dernier", "derni\xc3\xa8re", "semaine", "matin", "soir"};
    const ng_doc *doc = c->doc;
    const ng_token *k = &doc->tokens[t];
    if (!(k->flags & NG_TOK_WORD) || k->end - k->start > 20)
        return 0;
    for (size_t i = 0; i < sizeof words / sizeof *words; i++)
        if (ng_tok_is(doc, t, words[i]))
            return 1;
    char key[64];
    size_t n = ng_fold(doc->text + k->start, k->end - k->start, key, sizeof key);
    return ng_strset_has(&doc->lang_res->weekdays, key, n);
}

static int is_that(const ng_doc *doc, size_t t)
{
    return ng_tok_is(doc, t, "that") || ng_tok_is(doc, t, "que") || ng_tok_is(doc, t, "qu'") ||
           ng_tok_is(doc, t, "qu\xe2\x80\x99") || is_punct(doc, t, ':');
}

/* Attributes every direct quote. */
static int direct_quotes(qctx *c, qspan *qs, size_t nq)
{
    ng_doc *doc = c->doc;
    speaker_t last;
    memset(&last, 0, sizeof last);
    size_t last_sent = SIZE_MAX, last_cue = SIZE_MAX;
    for (size_t i = 0; i < nq; i++) {
        qspan *q = &qs[i];
        size_t da = 0, db = 0;
        size_t ca = cue_after(c, q->b, &da);
        size_t cb = cue_before(c, q->a, &db);
        /* a belief verb governs only with "that" before the quote */
        if (cb != SIZE_MAX && (c->cue[cb] & QL_CUE_B) && !is_that(doc, cb + c->cuelen[cb]))
            cb = SIZE_MAX;
        /* a cue after the quote governs it when a comma (or the cue) follows the quote */
        if (ca != SIZE_MAX && q->words <= 2 && da > 0 && !is_punct(doc, q->b + 1, ',') && !is_punct(doc, q->b - 1, ',') &&
            !is_punct(doc, q->b - 1, '?') && !is_punct(doc, q->b - 1, '!') && !is_punct(doc, q->b - 1, '.') &&
            !(ng_lex_tok(&c->q->pronouns, doc, q->b + 1) & QL_SUBJ))
            ca = SIZE_MAX;
        /* a quote inside a sentence ("X said Y was “absolutely right” when he
         * said"): a cue before it governs unless the quote ends its clause */
        if (ca != SIZE_MAX && cb != SIZE_MAX && q->b > q->a + 1 && !is_punct(doc, q->b - 1, ',') &&
            !is_punct(doc, q->b - 1, '?') && !is_punct(doc, q->b - 1, '!') && !is_punct(doc, q->b + 1, ','))
            ca = SIZE_MAX;
        size_t ci = SIZE_MAX;
        if (ca != SIZE_MAX && da <= 4)
            ci = ca;
        else if (cb != SIZE_MAX)
            ci = cb;
        else if (ca != SIZE_MAX)
            ci = ca;
        /* short quotes need a cue: any before them in the sentence, or one just after */
        size_t cb_any = cb;
        if (cb_any == SIZE_MAX) {
            size_t d2;
            cb_any = cue_before(c, q->a, &d2);
        }
        int governed = (ca != SIZE_MAX && da <= 4) || cb_any != SIZE_MAX;
        if (q->words <= 2 && !governed)
            continue; /* scare quotes, a name between marks */
        speaker_t sp;
        memset(&sp, 0, sizeof sp);
        size_t colon = transcript_label(c, q->a + 1);
        if (colon != SIZE_MAX && colon < q->b) {
            /* "WALLACE: Let's start ...": a transcript inside the marks */
            label_speaker(c, q->a + 1, colon, &sp);
            if (!emit(c, doc->tokens[colon].end, q->e, &sp, SIZE_MAX, 1))
                return 0;
            last = sp;
            last_sent = doc->tokens[q->b].sent;
            continue;
        }
        if (ci != SIZE_MAX) {
            if (ci == ca) {
                /* "…," she said: the subject between the quote and the cue;
                 * "… » pour que …, a rappelé X": the words after the cue */
                int clause = 0; /* a clause and a comma between quote and cue */
                for (size_t k = q->b + 2; k < ci; k++)
                    clause |= is_punct(doc, k, ',');
                size_t nb = q->b + 1;
                if (!clause && da <= 8 && find_head(c, nb, ci, &sp))
                    ;
                else if (clause && nb < ci && c->first[nb] && c->tokent[nb] && is_punct(doc, q->b - 1, ',') &&
                         strcmp(doc->entities[c->tokent[nb] - 1].type, "PER") == 0 &&
                         is_punct(doc, mention_end(c, nb, ci) + 1, ','))
                    /* "…,” Scott Pruitt, the attorney general of Oklahoma, one of …, said" */
                    set_entity(&sp, c, nb, mention_end(c, nb, ci), 1);
                else
                    cue_speaker(c, ci, c->cue[ci] | QL_INV, doc->ntokens, &sp);
            } else {
                cue_speaker(c, ci, c->cue[ci], q->a, &sp);
            }
        } else {
            uint32_t s0 = doc->tokens[q->a].sent;
            /* "…” ― Sonya Herridge": a signature after a dash */
            size_t dsh = q->b + 1;
            if (dsh + 1 < doc->ntokens && !para_break(doc, q->b, dsh) &&
                (tok_cp(doc, dsh) == 0x2015 || tok_cp(doc, dsh) == 0x2014 || tok_cp(doc, dsh) == 0x2013 ||
                 is_punct(doc, dsh, '-')) &&
                (doc->tokens[dsh + 1].flags & NG_TOK_UPPER)) {
                size_t ne = dsh + 1;
                while (ne < doc->ntokens && ne < dsh + 5 && !para_break(doc, ne - 1, ne) &&
                       (doc->tokens[ne].flags & NG_TOK_UPPER))
                    ne++;
                label_speaker(c, dsh + 1, ne, &sp);
            }
            /* "X said:" ending the sentence before */
            if (q->a > 0 && is_punct(doc, q->a - 1, ':')) {
                size_t d;
                size_t k = cue_before(c, q->a - 1, &d);
                if (k != SIZE_MAX) {
                    ci = k;
                    cue_speaker(c, k, c->cue[k], q->a, &sp);
                }
            }
            /* a partial quote: the subject of its sentence */
            if (!sp.found && q->a > 2 && doc->tokens[q->a - 3].sent == s0) {
                size_t ss = sent_lo(c, q->a, QWIN);
                find_head(c, ss, q->a, &sp);
            }
            /* "…, Schiff said. “The other factor …”": the sentence before ends
             * with a speaker and a cue */
            if (!sp.found && s0 > 0 && q->a > 0 && doc->tokens[q->a - 1].sent + 1 == s0 + 0 &&
                !para_break(doc, q->a - 1, q->a)) {
                size_t pe = c->sfirst[s0], ps = c->sfirst[s0 - 1];
                for (size_t k = pe; k-- > ps && k + 6 > pe;) {
                    if (c->cue[k] & QL_CUE_V) {
                        cue_speaker(c, k, c->cue[k], pe, &sp); /* the cue stays with its own sentence */
                        break;
                    }
                }
            }
            if (!sp.found && last.found && last_sent != SIZE_MAX && s0 <= last_sent + 2) {
                sp = last;
                ci = last_cue;
                if (ci != SIZE_MAX && c->used[ci])
                    ci = SIZE_MAX;
            }
        }
        if (!emit(c, q->s, q->e, &sp, ci, 1))
            return 0;
        if (ci != SIZE_MAX)
            c->used[ci] = 1;
        if (sp.found) {
            last = sp;
            last_cue = SIZE_MAX;
        }
        last_sent = doc->tokens[q->b].sent;
    }
    return 1;
}

/* Reported speech: "X said (that) CLAUSE", "CLAUSE, X said.", "according
 * to X, CLAUSE", for cues no direct quote took. */
static int indirect_quotes(qctx *c)
{
    ng_doc *doc = c->doc;
    for (size_t ci = 0; ci < doc->ntokens; ci++) {
        uint32_t v = c->cue[ci];
        if (!(v & QL_CUE) || c->used[ci] || c->inq[ci])
            continue;
        /* "the plan", "a claim": after an English article the word is a noun
         * (French "a" is "has": "a précisé") */
        if (ci > 0 && !(v & QL_CUE_S) && strcmp(doc->lang, "en") == 0 &&
            (ng_tok_is(doc, ci - 1, "the") || ng_tok_is(doc, ci - 1, "a") || ng_tok_is(doc, ci - 1, "an") ||
             ng_tok_is(doc, ci - 1, "this") || ng_tok_is(doc, ci - 1, "these")))
            continue;
        uint32_t sent = doc->tokens[ci].sent;
        /* a reported clause is not longer than a few lines */
        size_t ss = sent_lo(c, ci, 4 * QWIN), se = sent_hi(c, ci, 4 * QWIN);
        if (ss != c->sfirst[sent] || se != c->sfirst[sent + 1])
            continue;
        size_t last = se; /* the content ends before the final punctuation */
        while (last > ss && last + 8 > se && !(doc->tokens[last - 1].flags & (NG_TOK_WORD | NG_TOK_NUM)) &&
               !(doc->tokens[last - 1].flags & NG_TOK_QUOTE))
            last--;
        size_t after = ci + (c->cuelen[ci] ? c->cuelen[ci] : 1);
        /* "said Friday", "said on Monday", "said last week": time words after the cue */
        size_t after0 = after;
        while (after < last && after < after0 + 4 && time_word(c, after))
            after++;
        if (after > after0 && is_punct(doc, after, ','))
            after++;
        speaker_t sp;
        memset(&sp, 0, sizeof sp);
        size_t cs = SIZE_MAX, ce = SIZE_MAX;
        if (v & QL_CUE_S) {
            size_t comma = after;
            while (comma < se && !is_punct(doc, comma, ','))
                comma++;
            if (ci <= ss + 1 && comma + 1 < last) {
                cs = comma + 1;
                ce = last;
                source_head(c, after, comma, &sp);
            } else if (ci > ss + 3 && is_punct(doc, ci - 1, ',')) {
                cs = ss;
                ce = ci - 1;
                source_head(c, after, last, &sp);
            }
        } else {
            /* CUE [a few words] that CLAUSE */
            size_t k = after;
            while (k < last && k < after + 6 && !is_that(doc, k) && !is_punct(doc, k, ',') && !is_punct(doc, k, '.'))
                k++;
            if (k < last && is_that(doc, k) && k + 2 < last) {
                cs = k;
                ce = last;
            } else if ((v & (QL_CUE_V | QL_CUE_B)) && ng_tok_is(doc, after, "to") && after + 3 < last && ci > ss &&
                       !clause_boundary(c, ci - 1)) {
                cs = after; /* "wants to triple the size of ...", "agreed to clean up ..." */
                ce = last;
            } else if ((v & (QL_CUE_V | QL_CUE_P)) && after + 3 < last &&
                       !determiner(doc, after) && !preposition(doc, after) &&
                       (ng_lex_tok(&c->q->pronouns, doc, after) & QL_SUBJ)) {
                cs = after; /* "said he would", "said they were" */
                ce = last;
            } else if ((v & (QL_CUE_V | QL_CUE_B)) && after + 3 < last && ci > ss &&
                       (!clause_boundary(c, ci - 1) || is_punct(doc, ci - 1, ')') || is_dash(doc, ci - 1) ||
                        (is_punct(doc, ci - 1, ',') && (c->first[ss] || ng_lex_tok(&c->q->pronouns, doc, ss)))) &&
                       !(ci >= 2 && clause_boundary(c, ci - 2) && (c->cue[ci - 1] & QL_AUX)) &&
                       (doc->tokens[after].flags & (NG_TOK_WORD | NG_TOK_NUM)) && !preposition(doc, after) &&
                       !c->cue[after] && !ng_tok_is(doc, after, "so")) {
                cs = after; /* "Palmieri said Clinton will address ..." */
                ce = last;
            } else if ((v & (QL_CUE_V | QL_CUE_B)) && !is_that(doc, after) &&
                       (last <= after + 10 || after > after0 || is_punct(doc, after, ','))) {
                /* CLAUSE, X said [time]. / CLAUSE, said X. */
                size_t comma = ci;
                while (comma > ss && !is_punct(doc, comma - 1, ','))
                    comma--;
                if (comma > ss + 3 && comma + 6 >= ci) {
                    cs = ss, ce = comma - 1;
                    /* "Acts of protest, Mr. Obama said, are acts of patriotism": the
                     * cue in the middle, the content on both sides */
                    if (is_punct(doc, after, ',') && after + 3 < last && after == after0)
                        ce = last;
                    /* the speaker is between the comma and the cue, or after the cue,
                     * never in the content */
                    if (!find_head(c, comma, ci, &sp) && !find_head(c, after, ce == last ? after : last, &sp))
                        cue_speaker(c, ci, v, se, &sp);
                }
            }
            if (cs != SIZE_MAX && !sp.found && cs > ci)
                cue_speaker(c, ci, v, cs, &sp);
        }
        if (cs == SIZE_MAX || ce <= cs)
            continue;
        if (!emit(c, doc->tokens[cs].start, doc->tokens[ce - 1].end, &sp, ci, 0))
            return 0;
    }
    return 1;
}

/* Transcript paragraphs outside quote marks: "PENCE: Well, the question ...". */
static int transcript_quotes(qctx *c)
{
    ng_doc *doc = c->doc;
    for (size_t t = 0; t < doc->ntokens; t++) {
        if (c->inq[t] || (t > 0 && !para_break(doc, t - 1, t)))
            continue;
        size_t colon = transcript_label(c, t);
        if (colon == SIZE_MAX)
            continue;
        size_t e = colon + 1;
        while (e < doc->ntokens && !para_break(doc, e - 1, e) && !c->inq[e])
            e++;
        if (e <= colon + 3)
            continue;
        speaker_t sp;
        label_speaker(c, t, colon, &sp);
        if (!emit(c, doc->tokens[colon].end, doc->tokens[e - 1].end, &sp, SIZE_MAX, 1))
            return 0;
        t = e - 1;
    }
    return 1;
}

static int cmp_quote(const void *a, const void *b)
{
    const ng_quote *x = a, *y = b;
    return x->span.start < y->span.start ? -1 : x->span.start > y->span.start;
}

int ng_quotes(ng_worker *w, ng_doc *doc)
{
    if (!doc->lang_res || !doc->lang_res->qlex || !doc->ntokens)
        return NG_OK;
    qctx c;
    memset(&c, 0, sizeof c);
    c.doc = doc;
    c.q = doc->lang_res->qlex;
    c.tokent = ng_token_entities(doc, &c.first);
    c.inq = ng_arena_calloc(&doc->arena, doc->ntokens + 1, sizeof *c.inq);
    c.cue = ng_arena_calloc(&doc->arena, doc->ntokens + 1, sizeof *c.cue);
    c.cuelen = ng_arena_calloc(&doc->arena, doc->ntokens + 1, 1);
    c.used = ng_arena_calloc(&doc->arena, doc->ntokens + 1, 1);
    c.sfirst = ng_arena_calloc(&doc->arena, doc->nsentences + 2, sizeof *c.sfirst);
    if (!c.tokent || !c.inq || !c.cue || !c.cuelen || !c.used || !c.sfirst)
        return ng_worker_fail(w, NG_ENOMEM, "out of memory");
    for (size_t i = 0; i <= doc->nsentences + 1; i++)
        c.sfirst[i] = doc->ntokens;
    for (size_t t = doc->ntokens; t-- > 0;)
        if (doc->tokens[t].sent <= doc->nsentences)
            c.sfirst[doc->tokens[t].sent] = t;
    for (size_t i = doc->nsentences; i-- > 0;) /* sentences without tokens */
        if (c.sfirst[i] > c.sfirst[i + 1])
            c.sfirst[i] = c.sfirst[i + 1];
    /* cues */
    for (size_t t = 0; t < doc->ntokens; t++) {
        const ng_token *k = &doc->tokens[t];
        if (!(k->flags & NG_TOK_WORD) || (k->flags & NG_TOK_ALLCAP))
            continue;
        if ((k->flags & NG_TOK_UPPER) && !(k->flags & NG_TOK_SENT_START) &&
            !(t > 0 && (doc->tokens[t - 1].flags & NG_TOK_QUOTE)))
            continue;
        size_t n;
        uint32_t v = ng_lex_match(&c.q->cues, doc, t, 5, &n);
        if (!v)
            continue;
        c.cue[t] = v;
        c.cuelen[t] = (uint8_t)n;
        if (v & QL_CUE)
            t += n - 1;
    }
    /* aux words are only looked up through c.cue where cues are; keep them
     * out of the cue test by their class bits */
    qspan *qs = NULL;
    size_t nq = pair_marks(&c, &qs);
    if (doc->arena.oom)
        return ng_worker_fail(w, NG_ENOMEM, "out of memory");
    for (size_t i = 0; i < nq; i++)
        for (size_t k = qs[i].a; k <= qs[i].b; k++)
            c.inq[k] = (uint32_t)i + 1;
    if (!direct_quotes(&c, qs, nq) || !indirect_quotes(&c) || !transcript_quotes(&c) || !merge_pending(&c))
        return ng_worker_fail(w, NG_ENOMEM, "out of memory");
    if (c.nout > 1)
        qsort(c.out, c.nout, sizeof *c.out, cmp_quote);
    doc->quotes = c.out;
    doc->nquotes = c.nout;
    return NG_OK;
}
