/*
 * link.c — cross-article entity linking: each entity an article names is
 * linked to one knowledge-base entity per real-world thing, across
 * articles and languages.
 *
 * A name becomes a key (ng_link_key): case folded, accents stripped, dots
 * dropped ("U.S." = "us"), hyphens and apostrophes as spaces ("Burkina-Faso"
 * = "burkina faso"), leading determiners and, for people, titles removed
 * ("Ms. Parly" = "parly").  Then, in order, the first rule that finds an
 * entity wins:
 *
 *   1. alias group: the key is a name of a group in lang/common/kb-aliases.txt,
 *      kb-places.txt or bodies.txt ("IS" = "État islamique" = "EI", "US" =
 *      "États-Unis", "Otan" = "NATO"): the group's entity, whatever the
 *      tagger's type;
 *   2. exact key, of a compatible type (a person only with a person unless
 *      the name has two words or more);
 *   3. a one-word name: the person of this article whose full name ends with
 *      it, else the only person in the base with that surname, else the one
 *      of several that co-occurs most with this article's other entities;
 *   4. a longer name ending with a known person's full name ("ministre des
 *      Armées Florence Parly");
 *   5. a full name whose surname was stored alone ("Parly" first, "Florence
 *      Parly" later): that entity, renamed;
 *   6. fuzzy: a key of 8 bytes or more within one edit (Damerau: insertion,
 *      deletion, substitution, transposition) of a known key of a compatible
 *      type ("Barhkane" = "Barkhane"), found through the keys with one
 *      character deleted (symmetric deletion), never by scanning;
 *   7. otherwise a new entity.
 * Every rule is an index probe, so linking costs the same at any size.
 */
#include "kb.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#define KEY_MAX 256   /* bytes of a key */
#define MAX_CANDS 16  /* candidates read per lookup */
#define FUZZ_MIN 8    /* shortest key matched fuzzily */
#define FUZZ_MAX 48   /* longest key given deletion variants */

/* One name of an alias group. */
typedef struct {
    char *key;   /* normalised name */
    char *group; /* the group's code ("IS", "USA") */
    char *type;  /* the group's type: "ORG", "LOC", ... */
} alias;

struct ng_linker {
    alias *aliases; /* sorted by key */
    size_t naliases;
    char **titles;  /* normalised titles and determiners, sorted */
    size_t ntitles;
    char **stop;    /* normalised function words (never an alias), sorted */
    size_t nstop;
    char **heads;   /* name heads that may be left out ("operation"), sorted */
    size_t nheads;
};

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_alias(const void *a, const void *b)
{
    return strcmp(((const alias *)a)->key, ((const alias *)b)->key);
}

/* Whether s is in the sorted array v[n]. */
static int in_sorted(char *const *v, size_t n, const char *s)
{
    return n && bsearch(&s, v, n, sizeof *v, cmp_str) != NULL;
}

/* Appends the code point cp, lowercased and without accents, as key bytes;
 * returns the new length. */
static size_t key_put(char *out, size_t o, size_t cap, const char *s, size_t n)
{
    if (o + n + 1 >= cap)
        return o;
    memcpy(out + o, s, n);
    return o + n;
}

/* The normalising core of ng_link_key without title stripping. */
static size_t normalise(const char *name, char *out, size_t cap)
{
    if (!name || cap < 2)
        return 0;
    /* ASCII only (most names, and every list line the linker loads): what
     * utf8proc gives, without it (case folding is A-Z -> a-z; letters and
     * digits are words; '.' is dropped; anything else is a space).  The
     * lists' 3,500 lines went through utf8proc at every start of a process,
     * most of what a query command spent before its query. */
    const unsigned char *u = (const unsigned char *)name;
    size_t n = 0;
    while (u[n] && u[n] < 0x80)
        n++;
    if (!u[n]) {
        size_t o = 0;
        int space = 1;
        for (size_t i = 0; i < n; i++) {
            unsigned char ch = u[i];
            if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z')) {
                if (space && o > 0)
                    o = key_put(out, o, cap, " ", 1);
                space = 0;
                char lc = (char)(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
                o = key_put(out, o, cap, &lc, 1);
            } else if (ch != '.') {
                space = 1;
            }
        }
        while (o > 0 && out[o - 1] == ' ')
            o--;
        out[o] = '\0';
        return o;
    }
    utf8proc_uint8_t *m = NULL;
    utf8proc_ssize_t len = utf8proc_map((const utf8proc_uint8_t *)name, 0, &m,
                                        UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_COMPAT | UTF8PROC_DECOMPOSE |
                                            UTF8PROC_STRIPMARK | UTF8PROC_CASEFOLD);
    size_t o = 0;
    int space = 1; /* a space is pending (or we are at the start) */
    if (len < 0 || !m) {
        free(m);
        out[0] = '\0';
        return 0;
    }
    for (utf8proc_ssize_t i = 0; i < len;) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate(m + i, len - i, &cp);
        if (k <= 0)
            break;
        utf8proc_category_t c = utf8proc_category(cp);
        int word = (c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO) ||
                   (c >= UTF8PROC_CATEGORY_ND && c <= UTF8PROC_CATEGORY_NO);
        if (word) {
            if (space && o > 0)
                o = key_put(out, o, cap, " ", 1);
            space = 0;
            o = key_put(out, o, cap, (const char *)m + i, (size_t)k);
        } else if (cp != '.' && c != UTF8PROC_CATEGORY_MN) {
            space = 1; /* hyphens, apostrophes, spaces, other punctuation */
        }
        i += k;
    }
    free(m);
    while (o > 0 && out[o - 1] == ' ') /* a word that did not fit after its space */
        o--;
    out[o] = '\0';
    return o;
}

/* Drops a trailing possessive " s" ("Macron's" = "macron s"). */
static size_t drop_possessive(char *key, size_t n)
{
    if (n > 2 && key[n - 1] == 's' && key[n - 2] == ' ') {
        n -= 2;
        key[n] = '\0';
    }
    return n;
}

/* Removes leading words that are determiners or titles (up to three words
 * long each) while a word is left. */
static size_t strip_titles(const ng_linker *l, char *key, size_t n, int titles)
{
    for (;;) {
        size_t cut = 0;
        const char *p = key;
        /* try prefixes of 1, 2, 3 words */
        char tmp[KEY_MAX];
        for (int words = 1; words <= 3; words++) {
            const char *sp = p;
            for (int w = 0; w < words && sp; w++) {
                sp = strchr(sp, ' ');
                if (sp && w + 1 < words)
                    sp++;
            }
            if (!sp)
                break; /* the prefix would be the whole key */
            size_t len = (size_t)(sp - key);
            if (len >= sizeof tmp)
                break;
            memcpy(tmp, key, len);
            tmp[len] = '\0';
            int det = strcmp(tmp, "the") == 0 || strcmp(tmp, "le") == 0 || strcmp(tmp, "la") == 0 ||
                      strcmp(tmp, "les") == 0 || strcmp(tmp, "l") == 0;
            if (det || (titles && in_sorted(l->titles, l->ntitles, tmp)))
                cut = len + 1;
        }
        if (!cut || cut >= n)
            return n;
        memmove(key, key + cut, n - cut + 1);
        n -= cut;
    }
}

size_t ng_link_key(const ng_linker *l, const char *name, char *out, size_t cap)
{
    size_t n = normalise(name, out, cap);
    n = drop_possessive(out, n);
    return l ? strip_titles(l, out, n, 1) : n;
}

/* The key without titles stripped (determiners still are). */
static size_t plain_key(const ng_linker *l, const char *name, char *out, size_t cap)
{
    size_t n = normalise(name, out, cap);
    n = drop_possessive(out, n);
    return strip_titles(l, out, n, 0);
}

int ng_link_distance(const char *a, size_t na, const char *b, size_t nb, int limit)
{
    if ((na > nb ? na - nb : nb - na) > (size_t)limit)
        return limit + 1;
    if (na > 64 || nb > 64)
        return limit + 1;
    /* optimal string alignment distance, three rows */
    int r0[65], r1[65], r2[65];
    int *pp = r0, *prev = r1, *cur = r2;
    for (size_t j = 0; j <= nb; j++)
        prev[j] = (int)j;
    for (size_t i = 1; i <= na; i++) {
        cur[0] = (int)i;
        int best = cur[0];
        for (size_t j = 1; j <= nb; j++) {
            int cost = a[i - 1] != b[j - 1];
            int v = prev[j] + 1;
            if (cur[j - 1] + 1 < v)
                v = cur[j - 1] + 1;
            if (prev[j - 1] + cost < v)
                v = prev[j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && pp[j - 2] + 1 < v)
                v = pp[j - 2] + 1;
            cur[j] = v;
            if (v < best)
                best = v;
        }
        if (best > limit)
            return limit + 1;
        int *t = pp;
        pp = prev;
        prev = cur;
        cur = t;
    }
    return prev[nb] > limit ? limit + 1 : prev[nb];
}

/* The lines of a resource list as ng_strset_load gives them (trimmed, no
 * blank or '#' lines, folded when asked, sorted, unique), without the
 * prefix index that it builds and the linker never reads (most of a query
 * command's start). */
typedef struct {
    char **items;
    size_t n;
    char *storage;
} lines;

static void lines_free(lines *s)
{
    free(s->items);
    free(s->storage);
    memset(s, 0, sizeof *s);
}

static int lines_load(lines *s, const char *path, int fold)
{
    memset(s, 0, sizeof *s);
    size_t len = 0;
    const char *data = ng_resource(path, &len);
    if (!data)
        return NG_OK;
    size_t nl = 1;
    for (size_t i = 0; i < len; i++)
        nl += data[i] == '\n';
    s->storage = malloc(len * 2 + 1); /* folding can grow a string a little */
    s->items = malloc(nl * sizeof *s->items);
    if (!s->storage || !s->items) {
        lines_free(s);
        return NG_ENOMEM;
    }
    size_t used = 0;
    const char *p = data, *end = data + len;
    while (p < end) {
        const char *e = memchr(p, '\n', (size_t)(end - p));
        const char *next = e ? e + 1 : end;
        if (!e)
            e = end;
        const char *a = p, *b = e;
        while (a < b && (*a == ' ' || *a == '\t' || *a == '\r'))
            a++;
        while (b > a && (b[-1] == ' ' || b[-1] == '\t' || b[-1] == '\r'))
            b--;
        if (b > a && *a != '#') {
            char *dst = s->storage + used;
            size_t k = (size_t)(b - a);
            if (fold) {
                k = ng_fold(a, k, dst, len * 2 + 1 - used);
            } else {
                memcpy(dst, a, k);
                dst[k] = '\0';
            }
            s->items[s->n++] = dst;
            used += k + 1;
        }
        p = next;
    }
    qsort(s->items, s->n, sizeof *s->items, cmp_str);
    size_t w = 0;
    for (size_t i = 0; i < s->n; i++)
        if (w == 0 || strcmp(s->items[w - 1], s->items[i]) != 0)
            s->items[w++] = s->items[i];
    s->n = w;
    return NG_OK;
}

/* Adds every item of a resource list of lines "name<TAB>GROUP[<TAB>TYPE]"
 * to l->aliases. */
static int load_aliases(ng_linker *l, const char *path, const char *dflt_type, size_t *cap)
{
    lines set;
    int rc = lines_load(&set, path, 0);
    if (rc != NG_OK)
        return rc;
    for (size_t i = 0; i < set.n; i++) {
        char *item = set.items[i];
        char *tab = strchr(item, '\t');
        if (!tab)
            continue;
        char *group = tab + 1;
        while (*group == '\t')
            group++;
        char *tab2 = strchr(group, '\t');
        size_t glen = tab2 ? (size_t)(tab2 - group) : strlen(group);
        const char *type = tab2 ? tab2 + 1 : dflt_type;
        char name[KEY_MAX], key[KEY_MAX];
        size_t nlen = (size_t)(tab - item) < sizeof name ? (size_t)(tab - item) : sizeof name - 1;
        memcpy(name, item, nlen);
        name[nlen] = '\0';
        if (plain_key(l, name, key, sizeof key) == 0 || glen == 0)
            continue;
        if (l->naliases == *cap) {
            size_t nc = *cap ? *cap * 2 : 256;
            alias *na = realloc(l->aliases, nc * sizeof *na);
            if (!na) {
                lines_free(&set);
                return NG_ENOMEM;
            }
            l->aliases = na;
            *cap = nc;
        }
        alias *a = &l->aliases[l->naliases];
        a->key = strdup(key);
        a->group = strndup(group, glen);
        a->type = strdup(type);
        if (!a->key || !a->group || !a->type) {
            free(a->key);
            free(a->group);
            free(a->type);
            lines_free(&set);
            return NG_ENOMEM;
        }
        l->naliases++;
    }
    lines_free(&set);
    return NG_OK;
}

/* Loads a word list normalised as keys into a sorted array. */
static int load_words(char ***out, size_t *n, const char *const *paths, size_t npaths)
{
    size_t cap = 0;
    for (size_t p = 0; p < npaths; p++) {
        lines set;
        if (lines_load(&set, paths[p], 1) != NG_OK)
            return NG_ENOMEM;
        for (size_t i = 0; i < set.n; i++) {
            char key[KEY_MAX];
            if (normalise(set.items[i], key, sizeof key) == 0)
                continue;
            if (*n == cap) {
                size_t nc = cap ? cap * 2 : 256;
                char **nv = realloc(*out, nc * sizeof *nv);
                if (!nv) {
                    lines_free(&set);
                    return NG_ENOMEM;
                }
                *out = nv;
                cap = nc;
            }
            if (!((*out)[*n] = strdup(key))) {
                lines_free(&set);
                return NG_ENOMEM;
            }
            (*n)++;
        }
        lines_free(&set);
    }
    if (*n)
        qsort(*out, *n, sizeof **out, cmp_str);
    return NG_OK;
}

int ng_linker_new(ng_linker **out)
{
    *out = NULL;
    ng_linker *l = calloc(1, sizeof *l);
    if (!l)
        return NG_ENOMEM;
    static const char *const titles[] = {"en/titles.txt", "fr/titles.txt", "en/honorifics.txt", "fr/honorifics.txt"};
    static const char *const stop[] = {"en/stopwords.txt", "fr/stopwords.txt"};
    int rc = load_words(&l->titles, &l->ntitles, titles, 4);
    static const char *const heads[] = {"common/kb-name-heads.txt"};
    if (rc == NG_OK)
        rc = load_words(&l->stop, &l->nstop, stop, 2);
    if (rc == NG_OK)
        rc = load_words(&l->heads, &l->nheads, heads, 1);
    size_t cap = 0;
    if (rc == NG_OK)
        rc = load_aliases(l, "common/kb-aliases.txt", "ORG", &cap);
    if (rc == NG_OK)
        rc = load_aliases(l, "common/kb-places.txt", "LOC", &cap);
    if (rc == NG_OK)
        rc = load_aliases(l, "common/bodies.txt", "ORG", &cap);
    if (rc != NG_OK) {
        ng_linker_free(l);
        return rc;
    }
    if (l->naliases)
        qsort(l->aliases, l->naliases, sizeof *l->aliases, cmp_alias);
    *out = l;
    return NG_OK;
}

void ng_linker_free(ng_linker *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->naliases; i++) {
        free(l->aliases[i].key);
        free(l->aliases[i].group);
        free(l->aliases[i].type);
    }
    free(l->aliases);
    for (size_t i = 0; i < l->ntitles; i++)
        free(l->titles[i]);
    free(l->titles);
    for (size_t i = 0; i < l->nstop; i++)
        free(l->stop[i]);
    free(l->stop);
    for (size_t i = 0; i < l->nheads; i++)
        free(l->heads[i]);
    free(l->heads);
    free(l);
}

/* The alias group of key, or NULL.  When a key is in several groups the
 * first in sorted order wins (the lists should not do that). */
static const alias *find_alias(const ng_linker *l, const char *key)
{
    if (!l->naliases)
        return NULL;
    alias probe = {(char *)key, NULL, NULL};
    return bsearch(&probe, l->aliases, l->naliases, sizeof *l->aliases, cmp_alias);
}

static int is_per(const char *type)
{
    return type && strcmp(type, "PER") == 0;
}

/* Whether an entity of type a may be the same thing as a name of type b
 * with a key of nwords words. */
static int compatible(const char *a, const char *b, int nwords)
{
    if (nwords >= 2)
        return 1;
    return is_per(a) == is_per(b);
}

static int count_words(const char *key)
{
    int n = *key ? 1 : 0;
    for (const char *p = key; *p; p++)
        n += *p == ' ';
    return n;
}

static const char *last_word(const char *key)
{
    const char *sp = strrchr(key, ' ');
    return sp ? sp + 1 : key;
}

/* Per-article state while linking. */
typedef struct {
    const ng_linker *l;
    ng_kb_store *s;
    const ng_doc *doc;
    ng_id *ids;       /* ids[i] for doc->entities[i] (0 = not linked yet) */
    char (*keys)[KEY_MAX]; /* keys[i] of doc->entities[i] */
    char *grouped;         /* grouped[i]: linked through an alias group (its type is the group's) */
    int32_t day;
} linkctx;

/* Among candidates of several persons with the same surname, the one whose
 * articles name most of this article's already-linked entities; 0 when no
 * candidate stands out. */
static int by_context(linkctx *c, const ng_kb_cand *cands, size_t n, ng_id *best)
{
    int64_t top = 0, second = 0;
    *best = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t score = 0;
        for (size_t j = 0; j < c->doc->nentities; j++) {
            if (!c->ids[j] || c->ids[j] == cands[i].id)
                continue;
            int64_t k;
            int rc = c->s->ops->cooccur(c->s, cands[i].id, c->ids[j], &k);
            if (rc != NG_OK)
                return rc;
            score += k > 0;
        }
        if (score > top) {
            second = top;
            top = score;
            *best = cands[i].id;
        } else if (score > second) {
            second = score;
        }
    }
    if (top == second)
        *best = 0;
    return NG_OK;
}

/* Rule 3: a one-word key as a person's surname. */
static int link_surname(linkctx *c, size_t i, const char *key, ng_id *out)
{
    const ng_entity *e = &c->doc->entities[i];
    *out = 0;
    /* a full name in this article that ends with it */
    for (size_t j = 0; j < c->doc->nentities; j++) {
        if (j == i || !c->ids[j] || count_words(c->keys[j]) < 2)
            continue;
        if (strcmp(last_word(c->keys[j]), key) == 0 && is_per(c->doc->entities[j].type)) {
            *out = c->ids[j];
            return NG_OK;
        }
    }
    if (!is_per(e->type))
        return NG_OK;
    ng_kb_cand cands[MAX_CANDS];
    size_t n;
    int rc = c->s->ops->key_find(c->s, NG_KEY_SURNAME, key, cands, MAX_CANDS, &n);
    if (rc != NG_OK || n == 0)
        return rc;
    if (n == 1) {
        *out = cands[0].id;
        return NG_OK;
    }
    return by_context(c, cands, n, out);
}

/* The first candidate compatible with type for a key of nwords words. */
static ng_id pick(const ng_kb_cand *cands, size_t n, const char *type, int nwords)
{
    for (size_t k = 0; k < n; k++)
        if (strcmp(cands[k].type, type) == 0)
            return cands[k].id;
    for (size_t k = 0; k < n; k++)
        if (compatible(cands[k].type, type, nwords))
            return cands[k].id;
    /* the tagger's types are not reliable enough to keep apart the only
     * thing known by this exact name */
    return n == 1 ? cands[0].id : 0;
}

static const char *headless(const ng_linker *l, const char *key);

/* Rule 6: fuzzy match through one-deletion variants. */
static int link_fuzzy(linkctx *c, const char *key, const char *type, ng_id *out)
{
    size_t n = strlen(key);
    *out = 0;
    if (n < FUZZ_MIN || n > FUZZ_MAX)
        return NG_OK;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)key[i] >= 0x80)
            return NG_OK;
    char var[FUZZ_MAX + 1];
    for (size_t d = 0; d <= n; d++) {
        /* d == n: the key itself (a stored key one deletion longer) */
        size_t o = 0;
        for (size_t i = 0; i < n; i++)
            if (i != d)
                var[o++] = key[i];
        var[o] = '\0';
        ng_kb_cand cands[MAX_CANDS];
        size_t nc;
        int rc = c->s->ops->key_find(c->s, NG_KEY_FUZZ, var, cands, MAX_CANDS, &nc);
        if (rc != NG_OK)
            return rc;
        for (size_t k = 0; k < nc; k++) {
            /* the candidate's name, or its name without a head word */
            char ck[KEY_MAX];
            ng_link_key(c->l, cands[k].name, ck, sizeof ck);
            const char *forms[2] = {ck, headless(c->l, ck)};
            if (type && !compatible(cands[k].type, type, count_words(key)))
                continue;
            for (int f = 0; f < 2; f++) {
                size_t cn = forms[f] ? strlen(forms[f]) : 0;
                if (cn >= FUZZ_MIN && forms[f][0] == key[0] && ng_link_distance(key, n, forms[f], cn, 1) <= 1) {
                    *out = cands[k].id;
                    return NG_OK;
                }
            }
        }
    }
    return NG_OK;
}

/* Registers the one-deletion variants of key for entity id. */
static int add_fuzz_keys(ng_kb_store *s, const char *key, ng_id id)
{
    size_t n = strlen(key);
    if (n < FUZZ_MIN || n > FUZZ_MAX)
        return NG_OK;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)key[i] >= 0x80)
            return NG_OK;
    char var[FUZZ_MAX + 1];
    for (size_t d = 0; d <= n; d++) {
        size_t o = 0;
        for (size_t i = 0; i < n; i++)
            if (i != d)
                var[o++] = key[i];
        var[o] = '\0';
        int rc = s->ops->key_add(s, NG_KEY_FUZZ, var, id);
        if (rc != NG_OK)
            return rc;
    }
    return NG_OK;
}

/* Whether a mention's text is a name worth keeping as an alias (not a
 * pronoun or a lowercase description). */
static int alias_worthy(const ng_linker *l, const char *text)
{
    if (!text || !*text)
        return 0;
    unsigned char c0 = (unsigned char)text[0];
    if (c0 < 0x80 && !(c0 >= 'A' && c0 <= 'Z') && !(c0 >= '0' && c0 <= '9'))
        return 0;
    char key[KEY_MAX];
    if (normalise(text, key, sizeof key) == 0)
        return 0;
    /* a description opens with a function word ("The French defence minister") */
    char *sp = strchr(key, ' ');
    if (sp)
        *sp = '\0';
    return !in_sorted(l->stop, l->nstop, key);
}

/* The rest of key after a head word ("operation barkhane" -> "barkhane"),
 * or NULL. */
static const char *headless(const ng_linker *l, const char *key)
{
    const char *sp = strchr(key, ' ');
    if (!sp || !l->nheads || (size_t)(sp - key) >= 64)
        return NULL;
    char w[64];
    memcpy(w, key, (size_t)(sp - key));
    w[sp - key] = '\0';
    return in_sorted(l->heads, l->nheads, w) ? sp + 1 : NULL;
}

/* Links entity i of the article. */
static int link_one(linkctx *c, size_t i)
{
    const ng_entity *e = &c->doc->entities[i];
    const char *type = e->type ? e->type : "MISC";
    char *key = c->keys[i];
    int nwords = count_words(key);
    ng_kb_store *s = c->s;
    ng_kb_cand cands[MAX_CANDS];
    size_t n = 0;
    ng_id id = 0;
    int rc = NG_OK;
    int fresh_key = 1; /* register the name key afterwards */
    int fresh_key_was_found = 0; /* the entity was found by this exact name */

    /* 1. alias group (the plain key too: "General Staff" is not a title) */
    char pk[KEY_MAX];
    plain_key(c->l, e->name, pk, sizeof pk);
    const alias *a = find_alias(c->l, key);
    if (!a)
        a = find_alias(c->l, pk);
    if (a) {
        if ((rc = s->ops->key_find(s, NG_KEY_GROUP, a->group, cands, 1, &n)) != NG_OK)
            return rc;
        if (n) {
            id = cands[0].id;
        } else {
            if ((rc = s->ops->entity_new(s, a->type, e->name, &id)) != NG_OK)
                return rc;
            if ((rc = s->ops->key_add(s, NG_KEY_GROUP, a->group, id)) != NG_OK)
                return rc;
        }
        fresh_key = 0;
    }
    /* 2. exact key */
    if (!id) {
        if ((rc = s->ops->key_find(s, NG_KEY_NAME, key, cands, MAX_CANDS, &n)) != NG_OK)
            return rc;
        id = pick(cands, n, type, nwords);
        if (id)
            fresh_key = 0, fresh_key_was_found = 1;
        const char *rest = headless(c->l, key);
        if (!id && rest) {
            if ((rc = s->ops->key_find(s, NG_KEY_NAME, rest, cands, MAX_CANDS, &n)) != NG_OK)
                return rc;
            id = pick(cands, n, type, count_words(rest));
        }
    }
    /* 3. surname */
    if (!id && nwords == 1 && (rc = link_surname(c, i, key, &id)) != NG_OK)
        return rc;
    /* 4. a longer name ending with a known person's full name */
    if (!id && nwords >= 3) {
        const char *p = key;
        while (!id && (p = strchr(p, ' ')) != NULL) {
            p++;
            if (count_words(p) < 2)
                break;
            if ((rc = s->ops->key_find(s, NG_KEY_NAME, p, cands, MAX_CANDS, &n)) != NG_OK)
                return rc;
            for (size_t k = 0; k < n && !id; k++)
                if (is_per(cands[k].type))
                    id = cands[k].id;
        }
    }
    /* 5. a full name whose surname was stored alone */
    if (!id && nwords >= 2 && is_per(type)) {
        if ((rc = s->ops->key_find(s, NG_KEY_NAME, last_word(key), cands, MAX_CANDS, &n)) != NG_OK)
            return rc;
        for (size_t k = 0; k < n && !id; k++) {
            char ck[KEY_MAX];
            ng_link_key(c->l, cands[k].name, ck, sizeof ck);
            if (is_per(cands[k].type) && count_words(ck) == 1) {
                id = cands[k].id;
                if ((rc = s->ops->entity_rename(s, id, e->name)) != NG_OK)
                    return rc;
                if ((rc = add_fuzz_keys(s, key, id)) != NG_OK)
                    return rc;
            }
        }
    }
    /* 6. fuzzy */
    if (!id && (rc = link_fuzzy(c, key, type, &id)) != NG_OK)
        return rc;
    /* 7. new */
    if (!id) {
        if ((rc = s->ops->entity_new(s, type, e->name, &id)) != NG_OK)
            return rc;
        if ((rc = add_fuzz_keys(s, key, id)) != NG_OK)
            return rc;
    }
    if (fresh_key && (rc = s->ops->key_add(s, NG_KEY_NAME, key, id)) != NG_OK)
        return rc;
    const char *rest = headless(c->l, key);
    if (rest && (rc = s->ops->key_add(s, NG_KEY_NAME, rest, id)) != NG_OK)
        return rc;
    if (rest && !fresh_key_was_found && (rc = add_fuzz_keys(s, rest, id)) != NG_OK)
        return rc;
    c->grouped[i] = a != NULL;
    if (is_per(type) && nwords >= 2 && strlen(last_word(key)) >= 3) {
        ng_kb_cand ent;
        if ((rc = s->ops->entity_get(s, id, &ent)) != NG_OK)
            return rc;
        if (is_per(ent.type) && (rc = s->ops->key_add(s, NG_KEY_SURNAME, last_word(key), id)) != NG_OK)
            return rc;
    }
    c->ids[i] = id;
    return NG_OK;
}

int ng_link_doc(const ng_linker *l, ng_kb_store *s, const ng_doc *doc, int32_t day, ng_id *ids)
{
    if (!doc->nentities)
        return NG_OK;
    linkctx c = {l, s, doc, ids, NULL, NULL, day};
    c.keys = calloc(doc->nentities, sizeof *c.keys);
    c.grouped = calloc(doc->nentities, 1);
    if (!c.keys || !c.grouped) {
        free(c.keys);
        free(c.grouped);
        return ng_kb_store_fail(s, NG_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < doc->nentities; i++) {
        ids[i] = 0;
        const ng_entity *e = &doc->entities[i];
        if (is_per(e->type))
            ng_link_key(l, e->name, c.keys[i], KEY_MAX);
        else
            plain_key(l, e->name, c.keys[i], KEY_MAX);
    }
    int rc = NG_OK;
    /* longer names first, so that surnames find their full names */
    for (int pass = 0; pass < 2 && rc == NG_OK; pass++)
        for (size_t i = 0; i < doc->nentities && rc == NG_OK; i++) {
            if (!c.keys[i][0] || (count_words(c.keys[i]) >= 2) != (pass == 0))
                continue;
            rc = link_one(&c, i);
        }
    /* surface forms, and one more document for each distinct entity */
    for (size_t i = 0; i < doc->nentities && rc == NG_OK; i++) {
        if (!ids[i])
            continue;
        const ng_entity *e = &doc->entities[i];
        rc = s->ops->name_add(s, ids[i], e->name);
        for (size_t m = 0; m < e->nmentions && rc == NG_OK; m++) {
            const char *t = e->mentions[m].text;
            if (t && strcmp(t, e->name) != 0 && alias_worthy(l, t)) {
                /* one name per distinct text in this article */
                size_t k = 0;
                while (k < m && !(e->mentions[k].text && strcmp(e->mentions[k].text, t) == 0))
                    k++;
                if (k == m)
                    rc = s->ops->name_add(s, ids[i], t);
            }
        }
        size_t j = 0;
        while (j < i && ids[j] != ids[i])
            j++;
        if (j == i && rc == NG_OK)
            rc = s->ops->entity_seen(s, ids[i], day, c.grouped[i] ? NULL : e->type);
    }
    free(c.keys);
    free(c.grouped);
    return rc;
}

int ng_link_resolve(const ng_linker *l, ng_kb_store *s, const char *name, ng_id *id)
{
    char key[KEY_MAX], pk[KEY_MAX];
    ng_kb_cand cands[MAX_CANDS];
    size_t n = 0;
    int rc;
    *id = 0;
    ng_link_key(l, name, key, sizeof key);
    plain_key(l, name, pk, sizeof pk);
    if (!key[0])
        return NG_OK;
    const alias *a = find_alias(l, key);
    if (!a)
        a = find_alias(l, pk);
    if (a && (rc = s->ops->key_find(s, NG_KEY_GROUP, a->group, cands, 1, &n)) != NG_OK)
        return rc;
    const char *keys[2] = {pk, key};
    for (int k = 0; k < 2 && !n; k++)
        if ((rc = s->ops->key_find(s, NG_KEY_NAME, keys[k], cands, MAX_CANDS, &n)) != NG_OK)
            return rc;
    if (!n && !strchr(key, ' ') && (rc = s->ops->key_find(s, NG_KEY_SURNAME, key, cands, MAX_CANDS, &n)) != NG_OK)
        return rc;
    if (n) {
        *id = cands[0].id; /* the most documents first */
        return NG_OK;
    }
    linkctx c = {l, s, NULL, NULL, NULL, NULL, NG_KB_NODAY};
    return link_fuzzy(&c, key, NULL, id);
}
