/*
 * coref.c — coreference inside one article: third-person pronouns ("she",
 * "his", "il", "sa", "-t-il"), definite nominal descriptions ("the minister",
 * "le chef du Pentagone") and appositions ("her American counterpart, Mark
 * Esper") are linked to the entities the tagger found, and added to those
 * entities' mention lists in text order.
 *
 * How it decides, in one pass over the tokens:
 *   - every entity gets a gender and a "person" mark from an honorific
 *     before a mention (Ms., Mme, M.), its first name (first-names.txt, any
 *     language), a gendered description next to it ("la ministre"), and
 *     later from the pronouns linked to it; entities named by one word
 *     ("Parly") share what is known of the fuller name ("Florence Parly");
 *   - a pronoun takes the best person mentioned in its sentence or the
 *     three before: nearer sentences first, subjects (the first person
 *     named in a sentence) before others, gender and number agreeing; when
 *     nothing agrees, the nearest person in the last two sentences still
 *     gets it (articles do write "his visit" of a woman);
 *   - a description takes the entity it stands beside (apposition), else
 *     the person last given that title, else the nearest agreeing person.
 *
 * The lexicons (ng_qlex) are loaded here too; quote.c shares them.
 */
#include "qlex.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the lexicon -------------------------------------------------------- */

static uint32_t hash_key(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

uint32_t ng_lexmap_get(const ng_lexmap *m, const char *key, size_t n)
{
    if (!m->mask)
        return 0;
    for (size_t k = hash_key(key, n) & m->mask;; k = (k + 1) & m->mask) {
        const char *s = m->keys[k];
        if (!s)
            return 0;
        if (strncmp(s, key, n) == 0 && s[n] == '\0')
            return m->vals[k];
    }
}

/* Adds bits to key (inserting it); the table has room (load <= 1/2). */
static void lexmap_put(ng_lexmap *m, char *key, size_t n, uint32_t bits)
{
    for (size_t k = hash_key(key, n) & m->mask;; k = (k + 1) & m->mask) {
        if (!m->keys[k]) {
            m->keys[k] = key;
            m->vals[k] = bits;
            m->n++;
            return;
        }
        if (strlen(m->keys[k]) == n && memcmp(m->keys[k], key, n) == 0) {
            m->vals[k] |= bits;
            return;
        }
    }
}

/* The bits of one attribute word of a list ("m", "poss", "v" ...). */
static uint32_t attr_bit(const char *a, size_t n, int cue)
{
    static const struct {
        const char *w;
        uint32_t bit;
    } plain[] = {{"m", QL_M},       {"f", QL_F},       {"s", QL_SG},     {"p", QL_PL},
                 {"subj", QL_SUBJ}, {"obj", QL_OBJ},   {"poss", QL_POSS}, {"refl", QL_REFL},
                 {"rel", QL_REL},   {"inv", QL_INV},   {"hon", QL_HON},   {"org", QL_ORG}},
      cues[] = {{"v", QL_CUE_V}, {"p", QL_CUE_P}, {"s", QL_CUE_S}, {"a", QL_AUX}, {"b", QL_CUE_B}};
    if (cue) {
        for (size_t i = 0; i < sizeof cues / sizeof *cues; i++)
            if (strlen(cues[i].w) == n && memcmp(cues[i].w, a, n) == 0)
                return cues[i].bit;
        return 0;
    }
    for (size_t i = 0; i < sizeof plain / sizeof *plain; i++)
        if (strlen(plain[i].w) == n && memcmp(plain[i].w, a, n) == 0)
            return plain[i].bit;
    return 0;
}

static void lexmap_free(ng_lexmap *m)
{
    free(m->keys);
    free(m->vals);
    free(m->storage);
    memset(m, 0, sizeof *m);
}

/* Loads resource path (lines "key<TAB>attr,attr"; '#' comments) into m,
 * folding keys; every phrase's leading words are entered with QL_PREFIX.
 * A missing resource gives an empty map.  NG_ENOMEM on failure. */
static int lexmap_load(ng_lexmap *m, const char *path, int cue)
{
    memset(m, 0, sizeof *m);
    size_t len = 0;
    const char *data = ng_resource(path, &len);
    if (!data || !len)
        return NG_OK;
    size_t lines = 1;
    for (size_t i = 0; i < len; i++)
        lines += data[i] == '\n' || data[i] == ' ';
    size_t slots = 16;
    while (slots < lines * 4)
        slots *= 2;
    m->keys = calloc(slots, sizeof *m->keys);
    m->vals = calloc(slots, sizeof *m->vals);
    size_t cap = len * 8 + 64; /* folded keys and their phrase prefixes */
    m->storage = malloc(cap);
    if (!m->keys || !m->vals || !m->storage) {
        lexmap_free(m);
        return NG_ENOMEM;
    }
    m->mask = slots - 1;
    size_t used = 0;
    const char *p = data, *end = data + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl ? nl : end;
        const char *a = p;
        p = nl ? nl + 1 : end;
        while (a < e && (*a == ' ' || *a == '\r'))
            a++;
        if (a == e || *a == '#')
            continue;
        const char *tab = memchr(a, '\t', (size_t)(e - a));
        const char *ke = tab ? tab : e;
        while (ke > a && (ke[-1] == ' ' || ke[-1] == '\r'))
            ke--;
        uint32_t bits = QL_FULL;
        if (tab) {
            const char *s = tab + 1;
            while (s < e) {
                const char *c = s;
                while (c < e && *c != ',' && *c != '\r' && *c != ' ')
                    c++;
                bits |= attr_bit(s, (size_t)(c - s), cue);
                s = c + 1;
            }
        }
        if (cap - used < (size_t)(ke - a) * 2 + 2)
            break;
        char *key = m->storage + used;
        size_t k = ng_fold(a, (size_t)(ke - a), key, cap - used);
        used += k + 1;
        lexmap_put(m, key, k, bits);
        size_t w0 = 0; /* the first word's length, for the quick test of lex_quick_no */
        while (w0 < k && key[w0] != ' ')
            w0++;
        if (k && (unsigned char)key[0] < 128)
            m->lenmask[(unsigned char)key[0]] |= 1u << (w0 < 31 ? w0 : 31);
        else
            m->lenmask[0] = 1; /* a key starting with a non-ASCII byte: no quick test for those */
        /* the leading words of a phrase, so matching can extend word by word */
        for (size_t j = 0; j < k; j++) {
            if (key[j] != ' ' || used + j + 1 > cap)
                continue;
            char *pre = m->storage + used;
            memcpy(pre, key, j);
            pre[j] = '\0';
            used += j + 1;
            lexmap_put(m, pre, j, QL_PREFIX);
        }
    }
    return NG_OK;
}

int ng_qlex_load(ng_qlex **out, const char *code)
{
    *out = NULL;
    ng_qlex *q = calloc(1, sizeof *q);
    if (!q)
        return NG_ENOMEM;
    char path[64];
    int rc = NG_OK;
#define LOADQ(field, file, cue)                                  \
    if (rc == NG_OK) {                                           \
        snprintf(path, sizeof path, "%s/%s", code, file);        \
        rc = lexmap_load(&q->field, path, cue);                  \
    }
    LOADQ(cues, "speech-verbs.txt", 1)
    LOADQ(pronouns, "pronouns.txt", 0)
    LOADQ(first_names, "first-names.txt", 0)
    LOADQ(descriptions, "descriptions.txt", 0)
    LOADQ(unnamed, "unnamed-sources.txt", 0)
#undef LOADQ
    if (rc != NG_OK) {
        ng_qlex_free(q);
        return rc;
    }
    *out = q;
    return NG_OK;
}

void ng_qlex_free(ng_qlex *q)
{
    if (!q)
        return;
    lexmap_free(&q->cues);
    lexmap_free(&q->pronouns);
    lexmap_free(&q->first_names);
    lexmap_free(&q->descriptions);
    lexmap_free(&q->unnamed);
    free(q);
}

/* Folds text[s..e) into out[cap] with runs of white space as one space;
 * returns the length, or cap when it does not fit. */
static size_t fold_span(const char *text, uint32_t s, uint32_t e, char *out, size_t cap)
{
    char tmp[128];
    size_t k = 0;
    for (uint32_t i = s; i < e && k < sizeof tmp; i++) {
        char c = text[i];
        if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
            if (k && tmp[k - 1] != ' ')
                tmp[k++] = ' ';
            continue;
        }
        tmp[k++] = c;
    }
    if (k >= sizeof tmp)
        return cap;
    size_t n = ng_fold(tmp, k, out, cap);
    return n + 1 >= cap ? cap : n;
}

/* 1 when token i surely starts no key of m: its first byte and length
 * (ASCII tokens only) match no key's first word.  Saves folding and hashing
 * most tokens. */
static int lex_quick_no(const ng_lexmap *m, const ng_doc *doc, size_t i)
{
    const ng_token *t = &doc->tokens[i];
    size_t n = t->end - t->start;
    const unsigned char *s = (const unsigned char *)doc->text + t->start;
    unsigned char b = s[0];
    if (b >= 128)
        return 0;
    for (size_t k = 1; k < n; k++)
        if (s[k] >= 128)
            return 0;
    if (b >= 'A' && b <= 'Z')
        b = (unsigned char)(b - 'A' + 'a');
    uint32_t mask = m->lenmask[b];
    uint32_t want = 1u << (n < 31 ? n : 31);
    if (n > 1 && s[n - 1] == '.') /* "Mr." is looked up as "mr" too */
        want |= 1u << (n - 1 < 31 ? n - 1 : 31);
    return !(mask & want);
}

uint32_t ng_lex_match(const ng_lexmap *m, const ng_doc *doc, size_t i, size_t maxtok, size_t *ntok)
{
    *ntok = 0;
    if (!m->mask || i >= doc->ntokens || lex_quick_no(m, doc, i))
        return 0;
    uint32_t best = 0;
    char key[160];
    for (size_t j = i; j < doc->ntokens && j - i < maxtok; j++) {
        if (doc->tokens[j].sent != doc->tokens[i].sent)
            break;
        size_t n = fold_span(doc->text, doc->tokens[i].start, doc->tokens[j].end, key, sizeof key);
        if (n >= sizeof key)
            break;
        uint32_t v = ng_lexmap_get(m, key, n);
        if (v & QL_FULL) {
            best = v & ~QL_PREFIX;
            *ntok = j - i + 1;
        }
        if (!(v & QL_PREFIX))
            break;
    }
    return best;
}

uint32_t ng_lex_tok(const ng_lexmap *m, const ng_doc *doc, size_t i)
{
    if (!m->mask || i >= doc->ntokens)
        return 0;
    const ng_token *t = &doc->tokens[i];
    if (t->end - t->start > 40 || !(t->flags & NG_TOK_WORD) || lex_quick_no(m, doc, i))
        return 0;
    char key[160];
    size_t n = ng_fold(doc->text + t->start, t->end - t->start, key, sizeof key);
    uint32_t v = ng_lexmap_get(m, key, n);
    if (!(v & QL_FULL) && n > 1 && key[n - 1] == '.')
        v = ng_lexmap_get(m, key, n - 1);
    return (v & QL_FULL) ? v : 0;
}

uint32_t ng_first_name_gender(const ng_model *model, const char *s, size_t n)
{
    char key[96];
    if (n == 0 || n > 40)
        return 0;
    size_t k = ng_fold(s, n, key, sizeof key);
    for (size_t i = 0; i < model->nlangs; i++) {
        const ng_qlex *q = model->langs[i].qlex;
        if (!q)
            continue;
        uint32_t v = ng_lexmap_get(&q->first_names, key, k);
        if (v & QL_FULL)
            return v & (QL_M | QL_F);
    }
    return 0;
}

int ng_tok_is(const ng_doc *doc, size_t i, const char *w)
{
    if (i >= doc->ntokens)
        return 0;
    const ng_token *t = &doc->tokens[i];
    size_t n = t->end - t->start;
    const char *s = doc->text + t->start;
    for (size_t k = 0; k < n; k++) { /* no strlen: most calls stop at the first byte */
        char c = s[k];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != w[k]) /* also stops at the end of w */
            return 0;
    }
    return w[n] == '\0';
}

/* Index of the first token ending after offset off (the one holding it). */
static size_t token_at(const ng_doc *doc, uint32_t off)
{
    size_t lo = 0, hi = doc->ntokens;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (doc->tokens[mid].end <= off)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

uint32_t *ng_token_entities(ng_doc *doc, uint8_t **first)
{
    uint32_t *te = ng_arena_calloc(&doc->arena, doc->ntokens + 1, sizeof *te);
    uint8_t *fs = first ? ng_arena_calloc(&doc->arena, doc->ntokens + 1, 1) : NULL;
    if (!te || (first && !fs))
        return NULL;
    for (size_t e = 0; e < doc->nentities; e++) {
        const ng_entity *en = &doc->entities[e];
        for (size_t k = 0; k < en->nmentions; k++) {
            const ng_span *sp = &en->mentions[k].span;
            size_t t = token_at(doc, sp->start);
            if (fs && t < doc->ntokens && doc->tokens[t].start < sp->end)
                fs[t] = 1;
            for (; t < doc->ntokens && doc->tokens[t].start < sp->end; t++)
                if (!te[t])
                    te[t] = (uint32_t)e + 1;
        }
    }
    if (first)
        *first = fs;
    return te;
}

/* ---- coreference -------------------------------------------------------- */

/* What coreference knows of one entity. */
typedef struct {
    uint32_t gender; /* QL_M, QL_F, both (contradiction) or 0 */
    int person;      /* 1 when it names a person */
    int titled;      /* 1 when a title or honorific comes before a mention */
    uint32_t root;   /* index of the fuller-named entity it is a short form of (itself otherwise) */
    uint32_t title;  /* hash of the last description head given to it, 0 when none */
    int org;         /* named right after an organisation noun ("la société Renault") */
} ent_info;

/* One mention seen so far, for choosing antecedents. */
typedef struct {
    uint32_t ent;  /* entity index */
    uint32_t tok;  /* first token */
    uint32_t sent; /* sentence */
    int subject;   /* first person named in its sentence */
} seen_t;

/* A mention to add to an entity. */
typedef struct {
    uint32_t ent;
    ng_span span;
    int kind; /* NG_MENTION_PRONOUN or NG_MENTION_NOMINAL */
} added_t;

typedef struct {
    ng_doc *doc;
    const ng_qlex *q;
    ent_info *info;
    seen_t *seen;
    size_t nseen, capseen;
    added_t *add;
    size_t nadd, capadd;
    uint32_t *tokent; /* entity index + 1 per token */
    uint8_t *first;   /* mention starts */
    uint32_t *linked; /* entity index + 1 given to a token by this stage (pronoun/description heads) */
} coref_t;

static uint32_t gender_of(const ent_info *info, uint32_t e)
{
    return info[e].gender | info[info[e].root].gender;
}

static int is_person(const ent_info *info, uint32_t e)
{
    return info[e].person || info[info[e].root].person;
}

/* Appends to a growing arena array; returns 0 on out of memory. */
static int grow(ng_arena *a, void **p, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return 1;
    size_t nc = *cap ? *cap * 2 : 64;
    void *np = ng_arena_alloc(a, nc * size);
    if (!np)
        return 0;
    if (*p)
        memcpy(np, *p, n * size);
    *p = np;
    *cap = nc;
    return 1;
}

static int add_mention(coref_t *c, uint32_t ent, uint32_t s, uint32_t e, int kind)
{
    if (!grow(&c->doc->arena, (void **)&c->add, &c->capadd, c->nadd, sizeof *c->add))
        return 0;
    c->add[c->nadd].ent = ent;
    c->add[c->nadd].span.start = s;
    c->add[c->nadd].span.end = e;
    c->add[c->nadd].kind = kind;
    c->nadd++;
    return 1;
}

static int push_seen(coref_t *c, uint32_t ent, uint32_t tok, int subject)
{
    if (!grow(&c->doc->arena, (void **)&c->seen, &c->capseen, c->nseen, sizeof *c->seen))
        return 0;
    seen_t *s = &c->seen[c->nseen++];
    s->ent = ent;
    s->tok = tok;
    s->sent = c->doc->tokens[tok].sent;
    s->subject = subject;
    return 1;
}

/* The last word of an entity name ("Parly" of "Florence Parly"). */
static const char *last_word(const char *name, size_t *n)
{
    size_t len = strlen(name);
    size_t b = len;
    while (b > 0 && name[b - 1] != ' ')
        b--;
    *n = len - b;
    return name + b;
}

/* The title hash of the description head at tokens [h, h + hn): folded,
 * a final dot dropped, short forms read as the word they stand for ("Sen."
 * and "the senator", "Rep." and "the congressman" give the same title). */
static uint32_t title_of(const ng_doc *doc, size_t h, size_t hn)
{
    static const char *const forms[][2] = {
        {"sen", "senator"}, {"rep", "representative"}, {"congressman", "representative"},
        {"congresswoman", "representative"}, {"gov", "governor"}, {"gen", "general"}, {"pres", "president"},
        {"lt", "lieutenant"}, {"col", "colonel"}, {"adm", "admiral"}, {"spokeswoman", "spokesman"},
        {"spokesperson", "spokesman"}, {"chairwoman", "chairman"}, {"chair", "chairman"},
        {"porte-parole", "spokesman"}, {"ministre", "minister"}, {"pr\xc3\xa9sident", "president"},
        {"pr\xc3\xa9sidente", "president"}, {"d\xc3\xa9put\xc3\xa9", "representative"},
        {"d\xc3\xa9put\xc3\xa9" "e", "representative"}, {"s\xc3\xa9nateur", "senator"},
        {"s\xc3\xa9natrice", "senator"}};
    char key[96];
    const ng_token *t = &doc->tokens[h + hn - 1];
    size_t n = ng_fold(doc->text + doc->tokens[h].start, t->end - doc->tokens[h].start, key, sizeof key);
    if (n > 1 && key[n - 1] == '.')
        n--;
    for (size_t i = 0; i < sizeof forms / sizeof *forms; i++)
        if (strlen(forms[i][0]) == n && memcmp(forms[i][0], key, n) == 0)
            return hash_key(forms[i][1], strlen(forms[i][1])) | 1u;
    return hash_key(key, n) | 1u;
}

/* Fills c->info: person marks, genders from first names and honorifics,
 * short forms joined to the fuller name. */
static void entity_facts(coref_t *c)
{
    ng_doc *doc = c->doc;
    for (size_t e = 0; e < doc->nentities; e++) {
        ng_entity *en = &doc->entities[e];
        ent_info *in = &c->info[e];
        in->root = (uint32_t)e;
        in->person = strcmp(en->type, "PER") == 0;
        const char *sp = strchr(en->name, ' ');
        size_t fl = sp ? (size_t)(sp - en->name) : strlen(en->name);
        if (sp) {
            uint32_t g = ng_first_name_gender(doc->model, en->name, fl);
            if (g) {
                in->gender |= g;
                if (strcmp(en->type, "MISC") != 0)
                    in->person = 1;
            }
        }
    }
    /* honorifics and titles just before mentions */
    for (size_t t = 1; t < doc->ntokens; t++) {
        if (!c->first[t] || !c->tokent[t])
            continue;
        uint32_t e = c->tokent[t] - 1;
        uint32_t v = ng_lex_tok(&c->q->descriptions, doc, t - 1);
        if (v & QL_HON) {
            c->info[e].gender |= v & (QL_M | QL_F);
            c->info[e].person = 1;
            c->info[e].titled = 1;
        } else if (v && !(v & (QL_ORG | QL_REL))) {
            /* "General Lecointre", "Sen. Sanders", "nominee Donald Trump": later
             * "the senator", "the nominee" prefer the one so titled */
            c->info[e].title = title_of(doc, t - 1, 1);
            if (doc->tokens[t - 1].flags & NG_TOK_UPPER) {
                c->info[e].person = 1;
                c->info[e].titled = 1;
            }
        }
    }
    /* a tagged person with no first name nor title whose every mention
     * follows "the", "of", "in" ... is a mistagged thing ("the Defense Staff") */
    for (size_t e = 0; e < doc->nentities; e++) {
        ng_entity *en = &doc->entities[e];
        if (!c->info[e].person || c->info[e].gender || strcmp(en->type, "PER") != 0)
            continue;
        size_t bad = 0;
        for (size_t k = 0; k < en->nmentions; k++) {
            size_t t = token_at(doc, en->mentions[k].span.start);
            static const char *const before[] = {"the", "of", "in", "at", "from", "le", "la", "les", "du", "des", "en", "au", "à", "l'", "l\xe2\x80\x99"};
            for (size_t b = 0; t > 0 && b < sizeof before / sizeof *before; b++)
                if (ng_tok_is(doc, t - 1, before[b])) {
                    bad++;
                    break;
                }
        }
        if (bad == en->nmentions && !c->info[e].titled)
            c->info[e].person = 0;
    }
    /* short forms: a one-word person name that ends a longer person name;
     * the longer names are chained by the hash of their last word, in
     * entity order, so that many names stay linear */
    size_t slots = 64;
    while (slots < doc->nentities * 2)
        slots *= 2;
    uint32_t *head = ng_arena_calloc(&doc->arena, slots, sizeof *head);
    uint32_t *next = ng_arena_calloc(&doc->arena, doc->nentities + 1, sizeof *next);
    for (size_t f = doc->nentities; head && next && f-- > 0;) {
        if (!strchr(doc->entities[f].name, ' ') || !c->info[f].person)
            continue;
        size_t m;
        const char *v = last_word(doc->entities[f].name, &m);
        size_t h = hash_key(v, m) & (slots - 1);
        next[f] = head[h];
        head[h] = (uint32_t)f + 1;
    }
    for (size_t e = 0; head && next && e < doc->nentities; e++) {
        const char *name = doc->entities[e].name;
        if (strchr(name, ' ') && !c->info[e].person)
            continue;
        size_t n;
        const char *w = last_word(name, &n);
        if (n < 2)
            continue;
        for (uint32_t x = head[hash_key(w, n) & (slots - 1)]; x; x = next[x - 1]) {
            size_t f = x - 1, m;
            const char *v = last_word(doc->entities[f].name, &m);
            if (f != e && m == n && memcmp(v, w, n) == 0 && strlen(doc->entities[f].name) > strlen(name)) {
                c->info[e].root = (uint32_t)f;
                c->info[e].person = 1;
                break;
            }
        }
    }
    for (size_t e = 0; e < doc->nentities; e++) {
        uint32_t r = c->info[e].root;
        c->info[r].gender |= c->info[e].gender;
    }
}

/* Chooses the antecedent of a referring word at token t from the mentions
 * seen before it: gender g (0: any), plural pl, title hash (0: none).
 * Returns the entity index + 1, or 0. */
static uint32_t choose(coref_t *c, size_t t, uint32_t g, int pl, uint32_t title, int fallback)
{
    uint32_t sent = c->doc->tokens[t].sent;
    long best = -1, bestscore = 0, fb = -1;
    for (size_t k = c->nseen; k-- > 0 && k + 200 > c->nseen;) { /* a bounded look back */
        const seen_t *s = &c->seen[k];
        if (sent - s->sent > (title ? 10u : 3u))
            break;
        uint32_t e = s->ent;
        /* past three sentences, only the one last given the same title ("the
         * president" for "President Obama" named earlier) */
        if (sent - s->sent > 3 && c->info[e].title != title && c->info[c->info[e].root].title != title)
            continue;
        if (pl) {
            if (is_person(c->info, e) || strcmp(c->doc->entities[e].type, "ORG") != 0)
                continue;
        } else if (!is_person(c->info, e)) {
            continue;
        }
        if (fb < 0 && sent - s->sent <= 1)
            fb = (long)k;
        uint32_t eg = gender_of(c->info, e);
        if (g && eg && !(eg & g))
            continue;
        long score = (long)(sent - s->sent) * 4 + (s->subject ? 0 : 2);
        if (title && (c->info[e].title == title || c->info[c->info[e].root].title == title))
            score -= 48; /* the one so titled wins over any nearer person */
        if (best < 0 || score < bestscore) {
            best = (long)k;
            bestscore = score;
        }
    }
    if (best < 0 && fallback)
        best = fb;
    return best < 0 ? 0 : c->seen[best].ent + 1;
}

/* 1 when the folded word w[0..n) is a word of entity e's name ("fund" of
 * "International Monetary Fund"). */
static int name_has_word(const ng_doc *doc, uint32_t e, const char *w, size_t n)
{
    const char *name = doc->entities[e].name;
    char key[128];
    size_t len = ng_fold(name, strlen(name), key, sizeof key);
    for (size_t i = 0; i + n <= len; i++)
        if ((i == 0 || key[i - 1] == ' ' || key[i - 1] == '-') && memcmp(key + i, w, n) == 0 &&
            (i + n == len || key[i + n] == ' ' || key[i + n] == '-'))
            return 1;
    return 0;
}

/* 1 when entity e is an organisation: tagged so and not taken for a
 * person, or named right after an organisation noun. */
static int is_org(const coref_t *c, uint32_t e)
{
    return c->info[e].org || (strcmp(c->doc->entities[e].type, "ORG") == 0 && !is_person(c->info, e));
}

/* The organisation a neuter pronoun or an organisation noun at token t
 * refers to: the last one whose name holds the noun w (the folded head,
 * "bank", "fund"; n == 0 for a pronoun) within ten sentences, else, when
 * near is set, the last one named in the same or the two sentences before.
 * Returns the entity index + 1, or 0. */
static uint32_t choose_org(coref_t *c, size_t t, const char *w, size_t n, int near)
{
    uint32_t sent = c->doc->tokens[t].sent;
    for (size_t k = c->nseen; n && k-- > 0 && k + 200 > c->nseen;) {
        const seen_t *s = &c->seen[k];
        if (sent - s->sent > 10)
            break;
        if (is_org(c, s->ent) && name_has_word(c->doc, s->ent, w, n))
            return s->ent + 1;
    }
    if (!near)
        return 0;
    /* the nearest sentence that names one; in it, the first named (the
     * subject: "Paris has begun ..., and asked its EU allies. It also said")
     * and, for a pronoun, a place acting as a state too */
    long best = -1;
    for (size_t k = c->nseen; k-- > 0 && k + 50 > c->nseen;) {
        const seen_t *s = &c->seen[k];
        if (sent - s->sent > 2 || (best >= 0 && s->sent != c->seen[best].sent))
            break;
        if (is_org(c, s->ent) ||
            (!n && strcmp(c->doc->entities[s->ent].type, "LOC") == 0 && !is_person(c->info, s->ent)))
            best = (long)k;
    }
    return best < 0 ? 0 : c->seen[best].ent + 1;
}

/* 1 when the words [a, b] (not a mention) speak: a speech cue right after
 * them, past auxiliaries ("the bank said", "it has warned"), or a
 * reporting verb right before them ("said the company"). */
static int words_speak(const coref_t *c, size_t a, size_t b)
{
    const ng_doc *doc = c->doc;
    for (size_t k = b + 1; k < doc->ntokens && k < b + 4; k++) {
        size_t n;
        uint32_t v = ng_lex_match(&c->q->cues, doc, k, 3, &n);
        if (v & (QL_CUE_V | QL_CUE_B))
            return 1;
        if (!(v & QL_AUX))
            break;
    }
    size_t n;
    return a > 0 && (ng_lex_match(&c->q->cues, doc, a - 1, 1, &n) & QL_CUE_V);
}

/* Writes the added mentions into the entities' lists, merged in text
 * order.  Returns 0 on out of memory. */
static int merge_mentions(coref_t *c)
{
    ng_doc *doc = c->doc;
    if (!c->nadd)
        return 1;
    size_t *count = ng_arena_calloc(&doc->arena, doc->nentities, sizeof *count);
    if (!count)
        return 0;
    for (size_t i = 0; i < c->nadd; i++)
        count[c->add[i].ent]++;
    for (size_t e = 0; e < doc->nentities; e++) {
        if (!count[e])
            continue;
        ng_entity *en = &doc->entities[e];
        ng_mention *m = ng_arena_alloc(&doc->arena, (en->nmentions + count[e]) * sizeof *m);
        if (!m)
            return 0;
        size_t a = 0, n = 0;
        /* c->add is in text order (one pass over the tokens) */
        for (size_t i = 0; i < c->nadd; i++) {
            if (c->add[i].ent != e)
                continue;
            while (a < en->nmentions && en->mentions[a].span.start <= c->add[i].span.start)
                m[n++] = en->mentions[a++];
            m[n].span = c->add[i].span;
            m[n].kind = c->add[i].kind;
            m[n].text = ng_arena_strndup(&doc->arena, doc->text + c->add[i].span.start,
                                         c->add[i].span.end - c->add[i].span.start);
            if (!m[n].text)
                return 0;
            n++;
        }
        while (a < en->nmentions)
            m[n++] = en->mentions[a++];
        en->mentions = m;
        en->nmentions = n;
    }
    return 1;
}

/* 1 when token t is a determiner that makes a description definite. */
static int definite_det(const ng_doc *doc, size_t t)
{
    static const char *const dets[] = {"the", "le", "la", "l'", "l\xe2\x80\x99", "his", "her", "their", "son", "sa", "leur", "its"};
    char c0 = doc->text[doc->tokens[t].start] | 0x20; /* every determiner starts with one of these */
    if (c0 != 't' && c0 != 'l' && c0 != 'h' && c0 != 's' && c0 != 'i')
        return 0;
    for (size_t i = 0; i < sizeof dets / sizeof *dets; i++)
        if (ng_tok_is(doc, t, dets[i]))
            return 1;
    return 0;
}

/* Gender given by a French article before a description ("la ministre"). */
static uint32_t article_gender(const ng_doc *doc, size_t t)
{
    if (ng_tok_is(doc, t, "la") || ng_tok_is(doc, t, "une") || ng_tok_is(doc, t, "cette"))
        return QL_F;
    if (ng_tok_is(doc, t, "le") || ng_tok_is(doc, t, "un") || ng_tok_is(doc, t, "ce"))
        return QL_M;
    return 0;
}

static int near_cue(const coref_t *c, size_t t);

/* Handles a description whose head is at token h (det at token d, head
 * spanning hn tokens): title before a name, apposition, or a definite
 * description resolved like a pronoun. */
static int description(coref_t *c, size_t d, size_t h, size_t hn, uint32_t v)
{
    ng_doc *doc = c->doc;
    size_t end = h + hn; /* first token after the head */
    /* "of the Defense Staff", "du Pentagone", "des Armées": a short complement */
    size_t x = end;
    if (x < doc->ntokens && (ng_tok_is(doc, x, "of") || ng_tok_is(doc, x, "du") || ng_tok_is(doc, x, "des") ||
                             ng_tok_is(doc, x, "d'") || ng_tok_is(doc, x, "d\xe2\x80\x99") ||
                             ng_tok_is(doc, x, "de"))) {
        size_t y = x + 1;
        if (ng_tok_is(doc, y, "the") || ng_tok_is(doc, y, "la") || ng_tok_is(doc, y, "l'") ||
            ng_tok_is(doc, y, "l\xe2\x80\x99"))
            y++;
        if (y < doc->ntokens && (doc->tokens[y].flags & NG_TOK_WORD) && doc->tokens[y].sent == doc->tokens[h].sent) {
            size_t z = y + 1;
            while (z < doc->ntokens && z < y + 3 && (doc->tokens[z].flags & NG_TOK_UPPER) && !c->first[z])
                z++;
            end = z;
        }
    }
    uint32_t title = title_of(doc, h, hn);
    uint32_t g = v & (QL_M | QL_F);
    if (!g && d < h)
        g = article_gender(doc, d);
    /* a name soon after: a title ("la ministre des Armées Florence Parly",
     * "le ministre américain de la Défense Jim Mattis") */
    if ((v & QL_ORG) && h + hn < doc->ntokens && c->first[h + hn] && c->tokent[h + hn]) {
        /* "la société Renault", "the company Acme": the name is the organisation */
        uint32_t e = c->tokent[h + hn] - 1;
        c->info[e].org = 1;
        c->info[e].person = 0;
        c->info[c->info[e].root].org = 1;
        return 1;
    }
    for (size_t k = h + hn; k < doc->ntokens && k < h + hn + 6; k++) {
        if (c->first[k] && c->tokent[k]) {
            uint32_t e = c->tokent[k] - 1;
            if (is_person(c->info, e)) {
                c->info[e].title = title;
                c->info[e].person = 1;
                if (g && !(c->info[e].gender & (QL_M | QL_F)))
                    c->info[e].gender |= g;
                return 1;
            }
        }
        if (!(doc->tokens[k].flags & NG_TOK_WORD))
            break;
        int lower_ok = k == h + hn && (ng_tok_is(doc, k, "de") || !(doc->tokens[k].flags & NG_TOK_UPPER)) &&
                       !ng_lex_tok(&c->q->cues, doc, k);
        if (!(doc->tokens[k].flags & NG_TOK_UPPER) && !lower_ok && !ng_tok_is(doc, k, "of") &&
            !ng_tok_is(doc, k, "the") && !ng_tok_is(doc, k, "de") && !ng_tok_is(doc, k, "du") &&
            !ng_tok_is(doc, k, "des") && !ng_tok_is(doc, k, "la") && !ng_tok_is(doc, k, "l'") &&
            !ng_tok_is(doc, k, "l\xe2\x80\x99"))
            break;
    }
    /* "le chef de la diplomatie syrienne, Walid Moualem": one adjective more */
    if (end + 1 < doc->ntokens && (doc->tokens[end].flags & NG_TOK_WORD) && !(doc->tokens[end].flags & NG_TOK_UPPER) &&
        ng_tok_is(doc, end + 1, ",") && doc->tokens[end].sent == doc->tokens[h].sent)
        end++;
    if (v & QL_ORG) {
        /* "the bank said", "the fund warned": the organisation named by that
         * noun before, or the one just named when the noun speaks */
        if (!ng_tok_is(doc, d, "the") && !ng_tok_is(doc, d, "le") && !ng_tok_is(doc, d, "la") &&
            !ng_tok_is(doc, d, "l'") && !ng_tok_is(doc, d, "l\xe2\x80\x99"))
            return 1;
        char key[64];
        const ng_token *ht = &doc->tokens[h + hn - 1];
        size_t kn = ng_fold(doc->text + ht->start, ht->end - ht->start, key, sizeof key);
        int named_modifier = 0; /* "the French government", "the Malian army": that country's */
        for (size_t m = d + 1; m < h; m++)
            named_modifier |= c->tokent[m] != 0;
        uint32_t org = choose_org(c, d, key, kn, !named_modifier && words_speak(c, d, h + hn - 1));
        if (!org)
            return 1;
        c->linked[h] = org;
        if (!add_mention(c, org - 1, doc->tokens[d].start, doc->tokens[h + hn - 1].end, NG_MENTION_NOMINAL))
            return 0;
        return push_seen(c, org - 1, (uint32_t)h, 0);
    }
    /* apposition after: "her American counterpart, Mark Esper" */
    uint32_t target = 0;
    if (end < doc->ntokens && ng_tok_is(doc, end, ",")) {
        size_t k = end + 1;
        /* ", General Lecointre", ", le général François Lecointre" */
        if (k + 1 < doc->ntokens && definite_det(doc, k) && ng_lex_tok(&c->q->descriptions, doc, k + 1) &&
            !c->first[k + 1])
            k++;
        if (k < doc->ntokens && ng_lex_tok(&c->q->descriptions, doc, k) && !c->first[k])
            k++;
        if (k < doc->ntokens && c->first[k] && c->tokent[k] && is_person(c->info, c->tokent[k] - 1))
            target = c->tokent[k];
    }
    /* apposition before: "Walid Moualem, the Syrian minister" */
    if (!target && d >= 2 && ng_tok_is(doc, d - 1, ",") && c->tokent[d - 2] && is_person(c->info, c->tokent[d - 2] - 1))
        target = c->tokent[d - 2];
    if (target) {
        c->info[target - 1].title = title;
        if (g && !(gender_of(c->info, target - 1)))
            c->info[target - 1].gender |= g;
    } else if (definite_det(doc, d) && !(v & QL_REL) && !(v & QL_PL)) {
        target = choose(c, d, g, 0, title, 0);
    }
    if (!target)
        return 1;
    c->linked[h] = target;
    if (!add_mention(c, target - 1, doc->tokens[d].start, doc->tokens[end - 1].end, NG_MENTION_NOMINAL))
        return 0;
    return push_seen(c, target - 1, (uint32_t)h, near_cue(c, d) || near_cue(c, h));
}

/* 1 when the mention starting at token t speaks: a speech cue just after
 * it ("Parly said", "Esper has stressed") or just before it ("said
 * Lecointre").  Such mentions are preferred antecedents, like subjects. */
static int near_cue(const coref_t *c, size_t t)
{
    const ng_doc *doc = c->doc;
    size_t e = t;
    while (e + 1 < doc->ntokens && c->tokent[e + 1] == c->tokent[t] && !c->first[e + 1])
        e++;
    for (size_t k = e + 1; k < doc->ntokens && k < e + 3; k++) {
        size_t n;
        uint32_t v = ng_lex_match(&c->q->cues, doc, k, 3, &n);
        if (v & (QL_CUE_V | QL_CUE_B))
            return 1;
        if (!(v & QL_AUX))
            break;
    }
    for (size_t k = t; k > 0 && k + 3 > t; k--) {
        size_t n;
        uint32_t v = ng_lex_match(&c->q->cues, doc, k - 1, 3, &n);
        if (v & QL_CUE_V)
            return 1;
    }
    return 0;
}

int ng_coref(ng_worker *w, ng_doc *doc)
{
    NG_UNUSED(w);
    if (!doc->lang_res || !doc->lang_res->qlex || !doc->nentities || !doc->ntokens)
        return NG_OK;
    coref_t c;
    memset(&c, 0, sizeof c);
    c.doc = doc;
    c.q = doc->lang_res->qlex;
    c.info = ng_arena_calloc(&doc->arena, doc->nentities, sizeof *c.info);
    c.tokent = ng_token_entities(doc, &c.first);
    c.linked = ng_arena_calloc(&doc->arena, doc->ntokens, sizeof *c.linked);
    if (!c.info || !c.tokent || !c.linked)
        return ng_worker_fail(w, NG_ENOMEM, "out of memory");
    entity_facts(&c);

    uint32_t cur_sent = UINT32_MAX;
    int sent_has_person = 0;
    for (size_t t = 0; t < doc->ntokens; t++) {
        const ng_token *tk = &doc->tokens[t];
        if (tk->sent != cur_sent) {
            cur_sent = tk->sent;
            sent_has_person = 0;
        }
        if (c.first[t] && c.tokent[t]) {
            uint32_t e = c.tokent[t] - 1;
            int subj = is_person(c.info, e) && (!sent_has_person || near_cue(&c, t));
            if (is_person(c.info, e))
                sent_has_person = 1;
            if (!push_seen(&c, e, (uint32_t)t, subj))
                return ng_worker_fail(w, NG_ENOMEM, "out of memory");
            continue;
        }
        if (c.tokent[t] || !(tk->flags & NG_TOK_WORD))
            continue;
        uint32_t v = tk->end - tk->start <= 10 ? ng_lex_tok(&c.q->pronouns, doc, t) : 0;
        if (v & QL_ORG) {
            /* "it said", "its statement": a neuter pronoun is linked only to an
             * organisation that speaks (most "it" are things) */
            uint32_t e1 = (v & QL_SUBJ) && words_speak(&c, t, t) ? choose_org(&c, t, NULL, 0, 1) : 0;
            if (e1) {
                c.linked[t] = e1;
                if (!add_mention(&c, e1 - 1, tk->start, tk->end, NG_MENTION_PRONOUN) ||
                    !push_seen(&c, e1 - 1, (uint32_t)t, 0))
                    return ng_worker_fail(w, NG_ENOMEM, "out of memory");
            }
            continue;
        }
        if (v && !(v & QL_REL)) {
            uint32_t g = v & (QL_M | QL_F);
            int pl = (v & QL_PL) != 0;
            if (v & QL_POSS && !(v & (QL_M | QL_F)))
                g = 0; /* French son/sa agree with the thing owned */
            int subjpos = (v & QL_SUBJ) != 0;
            uint32_t e1 = choose(&c, t, g, pl, 0, !pl);
            if (!e1)
                continue;
            uint32_t e = e1 - 1;
            if (g && !(gender_of(c.info, e) & (QL_M | QL_F)))
                c.info[c.info[e].root].gender |= g;
            uint32_t s = tk->start, en = tk->end;
            if (v & QL_INV) { /* "-t-il", "a-t-il": the pronoun is the last part */
                uint32_t k = en;
                while (k > s && doc->text[k - 1] != '-')
                    k--;
                s = k;
            }
            if (s >= en)
                continue;
            c.linked[t] = e1;
            if (!add_mention(&c, e, s, en, NG_MENTION_PRONOUN) || !push_seen(&c, e, (uint32_t)t, subjpos && !sent_has_person))
                return ng_worker_fail(w, NG_ENOMEM, "out of memory");
            if (subjpos)
                sent_has_person = 1;
            continue;
        }
        /* a determiner, up to two modifiers, then a description head */
        if (tk->end - tk->start > 5 ||
            (!definite_det(doc, t) && !ng_tok_is(doc, t, "un") && !ng_tok_is(doc, t, "une") && !ng_tok_is(doc, t, "a")))
            continue;
        for (size_t h = t + 1; h < doc->ntokens && h <= t + 3; h++) {
            if (doc->tokens[h].sent != tk->sent || !(doc->tokens[h].flags & NG_TOK_WORD))
                break;
            if (c.tokent[h] && strcmp(doc->entities[c.tokent[h] - 1].type, "MISC") != 0)
                break;
            if (definite_det(doc, h) || ng_tok_is(doc, h, "un") || ng_tok_is(doc, h, "une") || ng_tok_is(doc, h, "a"))
                break;
            size_t hn;
            uint32_t dv = ng_lex_match(&c.q->descriptions, doc, h, 4, &hn);
            if (dv && !(dv & QL_HON)) {
                if (!description(&c, t, h, hn, dv))
                    return ng_worker_fail(w, NG_ENOMEM, "out of memory");
                t = h + hn - 1;
                break;
            }
        }
    }
    if (!merge_mentions(&c))
        return ng_worker_fail(w, NG_ENOMEM, "out of memory");
    return NG_OK;
}
