/*
 * timex.c — temporal expressions (TIMEX3 DATE, TIME, DURATION, SET) in any
 * language that has a grammar, normalised and anchored to the article's
 * date; and the grammar compiler that timex.c and quantity.c share.
 *
 * The grammar is data (docs/timex.md):
 *
 *   lang/<code>/timex-*.txt, quantity-*.txt   a lexicon, "phrase | attrs":
 *       "last | rel=-1", "second half | ...", "il y a | ago=-1",
 *       "soldiers | person=soldier", "$ | cur=USD", "million | scale=1e6"
 *   lang/<code>/months.txt                   month names (shared with pubdate.c)
 *   lang/<code>/timex-rules.txt              patterns, "TYPE elements [=> VALUE]":
 *       DATE  @month @num:day ,? @num:year
 *       DATE  @num @unit @ago
 *       SET   <@scale|@cur> a|per @unit
 *
 * Matching is linear: the text becomes atoms (timex.h), each rule is
 * indexed by the classes and words its first element accepts, optional
 * elements are expanded at compile time (no backtracking), and at each atom
 * the longest match of the candidate rules wins (the earlier rule on ties).
 * The matched elements fill a frame (year, month, day, weekday, unit,
 * number, relation, ...) that one resolver turns into a TIMEX3 value:
 * absolute parts are kept, missing years and relative expressions come from
 * the anchor (the publication date, else the latest full date met earlier
 * in the text, else nothing: the year stays XXXX), with the sentence's
 * tense and a stated weekday choosing between candidate years.
 */
#include "timex.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the compiled grammar ---------------------------------------------- */

#define TX_MAX_ALT 16  /* alternatives in one element */
#define TX_MAX_EL 12   /* elements in one rule */
#define TX_MAX_WORDS 5 /* words in one lexicon phrase */
#define TX_KEYBITS 16384 /* bits of the lexicon's key filter (2 KiB: stays in the L1 cache) */

/* Element roles: what a number means where it stands. */
enum { R_NONE, R_DAY, R_YEAR, R_YY, R_HOUR, R_MIN, R_INT, R_SMALL, R_PL, R_SG, R_COUNT, R_UNIT };

typedef struct {
    uint32_t cls;        /* a class, or 0 for a literal */
    uint8_t role;        /* R_* */
    int8_t unit;         /* R_UNIT: the unit required */
    const tx_entry *lit; /* the literal word's entry */
} tx_alt;

/* A rule as the compiler reads it (fixed arrays, 4.6 KB). */
typedef struct {
    tx_alt alt[TX_MAX_ALT];
    uint8_t nalt;
    uint8_t ctx; /* context: must match, not part of the expression */
} tx_elem_src;

typedef struct {
    const char *type;  /* "DATE" ... (static) */
    const char *value; /* a fixed value, or NULL to resolve */
    tx_elem_src el[TX_MAX_EL];
    uint8_t n;
    int line;
} tx_rule_src;

/* A compiled rule: its elements and their alternatives packed in the
 * grammar's arena, so matching touches a few cache lines. */
typedef struct {
    const tx_alt *alt; /* nalt alternatives */
    uint8_t nalt;
    uint8_t ctx; /* context: must match, not part of the expression */
} tx_elem;

typedef struct {
    const char *type;  /* "DATE" ... (static) */
    const char *value; /* a fixed value, or NULL to resolve */
    const tx_elem *el; /* n elements */
    uint8_t n;
    int line;
} tx_rule;

/* A rule in brief, for a quick and cache-friendly "no": an atom can match
 * element k only if it has a class of need[k], or an entry when need[k]
 * has TX_NEED_LIT (some alternative is a word). */
#define TX_NEED_LIT (1u << 31)
typedef struct tx_rsum {
    uint32_t need[TX_MAX_EL];
    uint8_t n;
} tx_rsum;

typedef struct {
    char *key;     /* folded phrase, words joined by one space; NULL: empty */
    uint32_t klen; /* its length */
    uint32_t h;    /* hash_key(key) */
    tx_entry *e;   /* its entry (arena: never moves, rules point to it) */
} tx_slot;

struct ng_grammar {
    ng_arena arena;       /* owns everything here */
    tx_slot *slots;       /* open addressing hash of phrases and their prefixes */
    size_t mask;          /* slots - 1 */
    size_t used;
    tx_rule *rules;
    size_t nrules, caprules;
    struct tx_rsum *sums; /* per rule, what each element needs, in 52 bytes (a rule is 4.6 KB) */
    uint32_t *by_class[32]; /* rules indexed by the classes of their first element */
    uint32_t nby_class[32];
    uint32_t nby_class1[32]; /* how many of them (listed first) are one element long */
    uint32_t firstlen[256]; /* bit L (capped at 31) set when some phrase's first word is L bytes and starts with that byte */
    char decimal;         /* '.' or ',' */
    char future_sfx[8][8]; /* future-tense verb endings (French "-era") */
    int nfuture_sfx;
    char past_sfx[8][8];   /* past-tense verb endings (English "-ed") */
    int npast_sfx;
    uint8_t future_len[8], past_len[8]; /* their lengths */
    uint32_t sfx_last[8];  /* bit set for the last byte of every tense ending */
    uint64_t keybits[TX_KEYBITS / 64]; /* bit (h ^ h >> 16) mod TX_KEYBITS set for the hash h of every key */
    int months_cap;        /* month names count only capitalised (English) */
    int wday_future;       /* a bare weekday with no tense cue is the coming one (French) */
    char not_month[8][16]; /* names of months.txt that are not months here ("sept": seven) */
    int nnot_month;
};

static uint32_t hash_key(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

/* The slot of key (h its hash_key), or NULL. */
static tx_slot *find_h(const ng_grammar *g, const char *key, size_t n, uint32_t h)
{
    if (!g->slots)
        return NULL;
    size_t i = h & g->mask;
    for (;;) {
        tx_slot *s = &g->slots[i];
        if (!s->key)
            return NULL;
        if (s->h == h && s->klen == n && memcmp(s->key, key, n) == 0)
            return s;
        i = (i + 1) & g->mask;
    }
}

static tx_slot *find(const ng_grammar *g, const char *key, size_t n) { return find_h(g, key, n, hash_key(key, n)); }

/* Finds or adds the slot of key; NULL when out of memory. */
static tx_slot *intern(ng_grammar *g, const char *key, size_t n)
{
    if (g->used * 2 >= g->mask) {
        size_t ncap = g->slots ? (g->mask + 1) * 2 : 1024;
        tx_slot *ns = calloc(ncap, sizeof *ns);
        if (!ns)
            return NULL;
        for (size_t i = 0; g->slots && i <= g->mask; i++) {
            if (!g->slots[i].key)
                continue;
            size_t j = g->slots[i].h & (ncap - 1);
            while (ns[j].key)
                j = (j + 1) & (ncap - 1);
            ns[j] = g->slots[i];
        }
        free(g->slots);
        g->slots = ns;
        g->mask = ncap - 1;
    }
    uint32_t h = hash_key(key, n);
    size_t i = h & g->mask;
    while (g->slots[i].key) {
        if (g->slots[i].h == h && g->slots[i].klen == n && memcmp(g->slots[i].key, key, n) == 0)
            return &g->slots[i];
        i = (i + 1) & g->mask;
    }
    g->slots[i].klen = (uint32_t)n;
    g->slots[i].h = h;
    g->slots[i].e = ng_arena_calloc(&g->arena, 1, sizeof(tx_entry));
    if (!g->slots[i].e)
        return NULL;
    {
        size_t w = 0;
        while (w < n && key[w] != ' ')
            w++;
        g->firstlen[(unsigned char)key[0]] |= 1u << (w < 31 ? w : 31);
    }
    g->slots[i].key = ng_arena_strndup(&g->arena, key, n);
    if (!g->slots[i].key)
        return NULL;
    g->used++;
    return &g->slots[i];
}

const tx_entry *ng_grammar_lookup(const ng_grammar *g, const char *key, size_t n)
{
    const tx_slot *s = g ? find(g, key, n) : NULL;
    return s ? s->e : NULL;
}

char ng_grammar_decimal(const ng_grammar *g) { return g ? g->decimal : '.'; }

static int unit_code(const char *s)
{
    static const char *const names[] = {"", "Y", "M", "W", "D", "H", "MIN", "S", "DE", "CE", "Q", "WE", "HALF"};
    for (int i = 1; i < (int)(sizeof names / sizeof *names); i++)
        if (strcmp(s, names[i]) == 0)
            return i;
    return -1;
}

/* Adds one lexicon phrase with its attributes.  Returns NG_OK, NG_EMODEL
 * (message in err) or NG_ENOMEM. */
static int add_phrase(ng_grammar *g, const char *phrase, const char *attrs, char *err, size_t errlen, const char *where)
{
    char key[128];
    size_t n = ng_fold(phrase, strlen(phrase), key, sizeof key);
    /* collapse white space runs to one space; register every word prefix */
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (key[i] == ' ' || key[i] == '\t') {
            if (k && key[k - 1] != ' ')
                key[k++] = ' ';
        } else {
            key[k++] = key[i];
        }
    }
    while (k && key[k - 1] == ' ')
        k--;
    if (!k)
        return NG_OK;
    for (size_t i = 0; i < k; i++) {
        if (key[i] == ' ') {
            tx_slot *p = intern(g, key, i);
            if (!p)
                return NG_ENOMEM;
            p->e->flags |= TX_E_PREFIX;
        }
    }
    tx_slot *s = intern(g, key, k);
    if (!s)
        return NG_ENOMEM;
    tx_entry *e = s->e;
    e->flags |= TX_E_ENTRY;
    char buf[256];
    snprintf(buf, sizeof buf, "%s", attrs);
    for (char *tok = strtok(buf, " \t"); tok; tok = strtok(NULL, " \t")) {
        char *eq = strchr(tok, '=');
        const char *v = eq ? eq + 1 : "";
        if (eq)
            *eq = '\0';
        char *sv = ng_arena_strdup(&g->arena, v);
        if (!sv)
            return NG_ENOMEM;
        if (!strcmp(tok, "person") || !strcmp(tok, "qunit"))
            for (char *u = sv; *u; u++)
                if (*u == '_')
                    *u = ' '; /* "person=service_member" */
        if (!strcmp(tok, "num")) e->cls |= TX_C_NUM, e->num = strtod(v, NULL);
        else if (!strcmp(tok, "numword")) e->cls |= TX_C_NUM, e->flags |= TX_E_NUMWORD, e->num = strtod(v, NULL);
        else if (!strcmp(tok, "ord")) e->cls |= TX_C_ORD, e->num = strtod(v, NULL);
        else if (!strcmp(tok, "month")) e->cls |= TX_C_MONTH, e->month = (int8_t)atoi(v);
        else if (!strcmp(tok, "wday")) e->cls |= TX_C_WDAY, e->wday = (int8_t)atoi(v);
        else if (!strcmp(tok, "day")) e->day = (int8_t)atoi(v);
        else if (!strcmp(tok, "nth")) {
            /* "nth=4:4": the fourth Thursday; "nth=1:-1": the last Monday */
            const char *c = strchr(v, ':');
            int wd = atoi(v), nk = c ? atoi(c + 1) : 0;
            if (wd < 1 || wd > 7 || !nk || nk < -1 || nk > 5) {
                snprintf(err, errlen, "%s: bad nth '%s' (weekday:n, n 1..5 or -1)", where, v);
                return NG_EMODEL;
            }
            e->nth_wday = (int8_t)wd, e->nth = (int8_t)nk;
        }
        else if (!strcmp(tok, "season")) e->cls |= TX_C_SEASON, e->season = sv;
        else if (!strcmp(tok, "unit")) {
            int u = unit_code(v);
            if (u < 0) {
                snprintf(err, errlen, "%s: unknown unit '%s'", where, v);
                return NG_EMODEL;
            }
            e->cls |= TX_C_UNIT, e->unit = (int8_t)u;
        }
        else if (!strcmp(tok, "rel")) e->cls |= TX_C_REL, e->rel = (int8_t)atoi(v);
        else if (!strcmp(tok, "ago")) e->cls |= TX_C_AGO, e->ago = (int8_t)atoi(v);
        else if (!strcmp(tok, "mod")) e->cls |= TX_C_MOD, e->mod = sv;
        else if (!strcmp(tok, "ref")) e->cls |= TX_C_REF, e->ref = (int16_t)atoi(v);
        else if (!strcmp(tok, "val")) e->cls |= TX_C_VAL, e->val = sv;
        else if (!strcmp(tok, "set")) e->cls |= TX_C_SET, e->set = sv;
        else if (!strcmp(tok, "pod")) e->cls |= TX_C_POD, e->pod = sv;
        else if (!strcmp(tok, "ampm")) e->cls |= TX_C_AMPM, e->ampm = (int8_t)(v[0] == 'p' ? 2 : 1);
        else if (!strcmp(tok, "decade")) e->cls |= TX_C_DECADE;
        else if (!strcmp(tok, "vague")) e->cls |= TX_C_VAGUE;
        else if (!strcmp(tok, "scale")) e->cls |= TX_C_SCALE, e->num = strtod(v, NULL);
        else if (!strcmp(tok, "cur")) e->cls |= TX_C_CUR, e->str = sv;
        else if (!strcmp(tok, "person")) e->cls |= TX_C_PERSON, e->str = sv;
        else if (!strcmp(tok, "qunit")) e->cls |= TX_C_QUNIT, e->str = sv;
        else if (!strcmp(tok, "qmod")) e->cls |= TX_C_QMOD, e->mod = sv;
        else if (!strcmp(tok, "per")) e->cls |= TX_C_PER, e->str = v[0] ? sv : NULL;
        else if (!strcmp(tok, "percent")) e->cls |= TX_C_PCT;
        else if (!strcmp(tok, "cap")) e->flags |= TX_E_CAP;
        else if (!strcmp(tok, "pl")) e->flags |= TX_E_PL;
        else if (!strcmp(tok, "future")) e->flags |= TX_E_FUTURE;
        else if (!strcmp(tok, "past")) e->flags |= TX_E_PAST;
        else if (!strcmp(tok, "report")) e->flags |= TX_E_REPORT;
        else if (!strcmp(tok, "aux")) e->flags |= TX_E_AUX;
        else if (!strcmp(tok, "be")) e->flags |= TX_E_BE;
        else if (!strcmp(tok, "article")) e->cls |= TX_C_NUM, e->flags |= TX_E_ARTICLE, e->num = 1;
        else if (!strcmp(tok, "and")) e->flags |= TX_E_AND;
        else if (!strcmp(tok, "of")) e->flags |= TX_E_OF;
        else {
            snprintf(err, errlen, "%s: unknown attribute '%s'", where, tok);
            return NG_EMODEL;
        }
    }
    return NG_OK;
}

/* Iterates over the lines of a resource: calls fn for each non-blank,
 * non-comment line (trimmed, NUL-terminated in a copy). */
typedef int (*line_fn)(ng_grammar *g, char *line, char *err, size_t errlen, const char *where);

static int each_line_text(ng_grammar *g, const char *path, const char *p, size_t len, line_fn fn, char *err,
                          size_t errlen);

static int each_line(ng_grammar *g, const char *path, line_fn fn, char *err, size_t errlen)
{
    size_t len;
    const char *p = ng_resource(path, &len);
    if (!p)
        return NG_OK;
    return each_line_text(g, path, p, len, fn, err, errlen);
}

/* each_line over text p[0..len) named path in messages. */
static int each_line_text(ng_grammar *g, const char *path, const char *p, size_t len, line_fn fn, char *err,
                          size_t errlen)
{
    const char *end = p + len;
    int lineno = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        lineno++;
        char line[512];
        size_t n = (size_t)(le - p);
        if (n >= sizeof line)
            n = sizeof line - 1;
        memcpy(line, p, n);
        line[n] = '\0';
        p = nl ? nl + 1 : end;
        char *s = line;
        while (*s == ' ' || *s == '\t')
            s++;
        char *e = s + strlen(s);
        while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
            *--e = '\0';
        if (!*s || *s == '#')
            continue;
        char where[96];
        snprintf(where, sizeof where, "%s:%d", path, lineno);
        int rc = fn(g, s, err, errlen, where);
        if (rc != NG_OK)
            return rc;
    }
    return NG_OK;
}

/* "phrase | attrs" or "%directive args". */
static int lexicon_line(ng_grammar *g, char *s, char *err, size_t errlen, const char *where)
{
    if (s[0] == '%' && s[1] >= 'a' && s[1] <= 'z') {
        char *arg = strchr(s, ' ');
        if (arg)
            *arg++ = '\0';
        if (!strcmp(s, "%decimal") && arg) {
            g->decimal = arg[0];
        } else if (!strcmp(s, "%future-suffix") && arg) {
            for (char *t = strtok(arg, " "); t && g->nfuture_sfx < 8; t = strtok(NULL, " "))
                snprintf(g->future_sfx[g->nfuture_sfx++], sizeof g->future_sfx[0], "%s", t);
        } else if (!strcmp(s, "%past-suffix") && arg) {
            for (char *t = strtok(arg, " "); t && g->npast_sfx < 8; t = strtok(NULL, " "))
                snprintf(g->past_sfx[g->npast_sfx++], sizeof g->past_sfx[0], "%s", t);
        } else if (!strcmp(s, "%months") && arg && !strcmp(arg, "cap")) {
            g->months_cap = 1;
        } else if (!strcmp(s, "%weekday") && arg && (!strcmp(arg, "future") || !strcmp(arg, "past"))) {
            g->wday_future = arg[0] == 'f';
        } else if (!strcmp(s, "%not-month") && arg) {
            for (char *t = strtok(arg, " "); t && g->nnot_month < 8; t = strtok(NULL, " "))
                snprintf(g->not_month[g->nnot_month++], sizeof g->not_month[0], "%s", t);
        } else {
            snprintf(err, errlen, "%s: unknown directive '%s'", where, s);
            return NG_EMODEL;
        }
        return NG_OK;
    }
    char *bar = strstr(s, " |");
    if (!bar) {
        snprintf(err, errlen, "%s: expected 'phrase | attributes'", where);
        return NG_EMODEL;
    }
    *bar = '\0';
    return add_phrase(g, s, bar + 2, err, errlen, where);
}

/* months.txt: "name N". */
static int month_line(ng_grammar *g, char *s, char *err, size_t errlen, const char *where)
{
    char *sp = strrchr(s, ' ');
    if (!sp)
        return NG_OK;
    *sp = '\0';
    for (int k = 0; k < g->nnot_month; k++)
        if (!strcmp(s, g->not_month[k]))
            return NG_OK;
    char attrs[32];
    snprintf(attrs, sizeof attrs, "month=%d%s", atoi(sp + 1), g->months_cap ? " cap" : "");
    return add_phrase(g, s, attrs, err, errlen, where);
}

static const struct {
    const char *name;
    uint32_t cls;
} class_names[] = {
    {"num", TX_C_NUM},     {"ord", TX_C_ORD},       {"month", TX_C_MONTH},   {"wday", TX_C_WDAY},
    {"season", TX_C_SEASON}, {"unit", TX_C_UNIT},   {"rel", TX_C_REL},       {"ago", TX_C_AGO},
    {"mod", TX_C_MOD},     {"ref", TX_C_REF},       {"val", TX_C_VAL},       {"set", TX_C_SET},
    {"pod", TX_C_POD},     {"time", TX_C_TIME},     {"ampm", TX_C_AMPM},     {"decade", TX_C_DECADE},
    {"vague", TX_C_VAGUE}, {"scale", TX_C_SCALE},   {"cur", TX_C_CUR},       {"person", TX_C_PERSON},
    {"qunit", TX_C_QUNIT}, {"qmod", TX_C_QMOD},     {"per", TX_C_PER},       {"pct", TX_C_PCT},
    {"year", TX_C_YEAR},   {"iso", TX_C_ISO},
};

static int parse_alt(ng_grammar *g, const char *s, size_t n, tx_alt *a, char *err, size_t errlen, const char *where)
{
    memset(a, 0, sizeof *a);
    if (n && s[0] == '@') {
        const char *colon = memchr(s, ':', n);
        size_t cn = colon ? (size_t)(colon - s - 1) : n - 1;
        for (size_t i = 0; i < sizeof class_names / sizeof *class_names; i++)
            if (strlen(class_names[i].name) == cn && !memcmp(class_names[i].name, s + 1, cn))
                a->cls = class_names[i].cls;
        if (!a->cls) {
            snprintf(err, errlen, "%s: unknown class '%.*s'", where, (int)n, s);
            return NG_EMODEL;
        }
        if (colon) {
            char role[16];
            snprintf(role, sizeof role, "%.*s", (int)(s + n - colon - 1), colon + 1);
            static const char *const roles[] = {"", "day", "year", "yy", "hour", "min", "int", "small", "pl", "sg", "count"};
            for (int i = 1; i < (int)(sizeof roles / sizeof *roles); i++)
                if (!strcmp(role, roles[i]))
                    a->role = (uint8_t)i;
            if (!a->role && a->cls == TX_C_UNIT && unit_code(role) > 0) {
                a->role = R_UNIT;
                a->unit = (int8_t)unit_code(role);
            }
            if (!a->role) {
                snprintf(err, errlen, "%s: unknown role '%s'", where, role);
                return NG_EMODEL;
            }
        }
        return NG_OK;
    }
    char key[64];
    size_t k = ng_fold(s, n, key, sizeof key);
    for (size_t i = 0; i < k; i++)
        if (key[i] == '_')
            key[i] = ' '; /* "il_y_a": a phrase literal */
    tx_slot *slot = intern(g, key, k);
    if (!slot)
        return NG_ENOMEM;
    slot->e->cls |= TX_C_LIT;
    slot->e->flags |= TX_E_ENTRY;
    a->lit = slot->e;
    return NG_OK;
}

/* Packs rule r into the arena and appends it.  NG_OK or NG_ENOMEM. */
static int push_rule(ng_grammar *g, const tx_rule_src *r)
{
    if (g->nrules == g->caprules) {
        size_t nc = g->caprules ? g->caprules * 2 : 256;
        tx_rule *nr = realloc(g->rules, nc * sizeof *nr);
        if (!nr)
            return NG_ENOMEM;
        g->rules = nr;
        g->caprules = nc;
    }
    size_t nalt = 0;
    for (int k = 0; k < r->n; k++)
        nalt += r->el[k].nalt;
    tx_elem *el = ng_arena_alloc(&g->arena, r->n * sizeof *el + nalt * sizeof(tx_alt));
    if (!el)
        return NG_ENOMEM;
    tx_alt *alts = (tx_alt *)(el + r->n);
    for (int k = 0; k < r->n; k++) {
        memcpy(alts, r->el[k].alt, r->el[k].nalt * sizeof *alts);
        el[k].alt = alts;
        el[k].nalt = r->el[k].nalt;
        el[k].ctx = r->el[k].ctx;
        alts += r->el[k].nalt;
    }
    tx_rule *d = &g->rules[g->nrules++];
    d->type = r->type;
    d->value = r->value;
    d->el = el;
    d->n = r->n;
    d->line = r->line;
    return NG_OK;
}

/* "TYPE elem elem ... [=> VALUE]": elements are alternatives joined by
 * '|' (a class "@num:day" or a word), '?' makes one optional, "<...>" is
 * context.  Optional elements are expanded into separate rules. */
static int rule_line(ng_grammar *g, char *s, char *err, size_t errlen, const char *where)
{
    static const char *const types[] = {"DATE", "TIME", "DURATION", "SET", "NONE"};
    tx_rule_src r;
    memset(&r, 0, sizeof r);
    r.line = atoi(strrchr(where, ':') + 1);
    char *arrow = strstr(s, "=>");
    if (arrow) {
        *arrow = '\0';
        char *v = arrow + 2;
        while (*v == ' ')
            v++;
        r.value = ng_arena_strdup(&g->arena, v);
    }
    char *save = NULL;
    char *tok = strtok_r(s, " \t", &save);
    for (size_t i = 0; tok && i < 5; i++)
        if (!strcmp(tok, types[i]))
            r.type = types[i];
    if (!r.type) {
        snprintf(err, errlen, "%s: a rule starts with DATE, TIME, DURATION, SET or NONE", where);
        return NG_EMODEL;
    }
    uint8_t opt[TX_MAX_EL] = {0};
    while ((tok = strtok_r(NULL, " \t", &save)) != NULL) {
        if (r.n == TX_MAX_EL) {
            snprintf(err, errlen, "%s: more than %d elements", where, TX_MAX_EL);
            return NG_EMODEL;
        }
        tx_elem_src *el = &r.el[r.n];
        size_t n = strlen(tok);
        if (n > 1 && tok[n - 1] == '?' ) {
            opt[r.n] = 1;
            tok[--n] = '\0';
        }
        if (n > 2 && tok[0] == '<' && tok[n - 1] == '>') {
            el->ctx = 1;
            tok++;
            n -= 2;
        }
        const char *p = tok;
        while (p < tok + n) {
            const char *bar = memchr(p, '|', (size_t)(tok + n - p));
            size_t an = bar ? (size_t)(bar - p) : (size_t)(tok + n - p);
            if (el->nalt == TX_MAX_ALT) {
                snprintf(err, errlen, "%s: too many alternatives", where);
                return NG_EMODEL;
            }
            int rc = parse_alt(g, p, an, &el->alt[el->nalt++], err, errlen, where);
            if (rc != NG_OK)
                return rc;
            p += an + (bar ? 1 : 0);
        }
        r.n++;
    }
    /* expand optional elements (at most 6 of them) */
    int no = 0;
    for (int i = 0; i < r.n; i++)
        no += opt[i];
    if (no > 6) {
        snprintf(err, errlen, "%s: more than 6 optional elements", where);
        return NG_EMODEL;
    }
    for (unsigned mask = 0; mask < (1u << no); mask++) {
        tx_rule_src v = r;
        v.n = 0;
        int o = 0;
        for (int i = 0; i < r.n; i++) {
            if (opt[i] && !(mask & (1u << o++)))
                continue;
            v.el[v.n++] = r.el[i];
        }
        int core = 0;
        for (int i = 0; i < v.n; i++)
            core += !v.el[i].ctx;
        if (!core)
            continue;
        int rc = push_rule(g, &v);
        if (rc != NG_OK)
            return rc;
    }
    return NG_OK;
}

/* Builds the first-element index of the rules. */
static int index_rules(ng_grammar *g)
{
    /* count, then fill; literal lists go into the word's entry */
    for (size_t pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i <= g->mask && g->slots; i++)
            if (g->slots[i].key && pass == 1 && g->slots[i].e->nrules) {
                g->slots[i].e->rules = ng_arena_alloc(&g->arena, g->slots[i].e->nrules * sizeof(uint32_t));
                if (!g->slots[i].e->rules)
                    return NG_ENOMEM;
                g->slots[i].e->nrules = 0;
            }
        for (int b = 0; b < 32 && pass == 1; b++) {
            if (g->nby_class[b]) {
                g->by_class[b] = ng_arena_alloc(&g->arena, g->nby_class[b] * sizeof(uint32_t));
                if (!g->by_class[b])
                    return NG_ENOMEM;
                g->nby_class[b] = 0;
            }
        }
        for (size_t r = 0; r < g->nrules; r++) {
            const tx_elem *el = &g->rules[r].el[0];
            for (int a = 0; a < el->nalt; a++) {
                const tx_alt *al = &el->alt[a];
                if (al->lit) {
                    tx_entry *e = (tx_entry *)al->lit;
                    if (pass == 1)
                        e->rules[e->nrules] = (uint32_t)r;
                    e->nrules++;
                } else {
                    int b = __builtin_ctz(al->cls);
                    if (pass == 1)
                        g->by_class[b][g->nby_class[b]] = (uint32_t)r;
                    g->nby_class[b]++;
                }
            }
        }
    }
    return NG_OK;
}

/* Puts the one-element rules of list[0..n) first, keeping the order
 * within each group; returns how many there are. */
static uint32_t singles_first(const ng_grammar *g, uint32_t *list, uint32_t n)
{
    uint32_t k = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (g->rules[list[i]].n == 1) {
            uint32_t v = list[i];
            memmove(list + k + 1, list + k, (i - k) * sizeof *list);
            list[k++] = v;
        }
    }
    return k;
}

int ng_grammar_load(ng_grammar **out, const char *code, char *err, size_t errlen)
{
    return ng_grammar_load_rules(out, code, NULL, 0, err, errlen);
}

int ng_grammar_load_rules(ng_grammar **out, const char *code, const char *rules, size_t rules_len, char *err,
                          size_t errlen)
{
    *out = NULL;
    ng_grammar *g = calloc(1, sizeof *g);
    if (!g)
        return NG_ENOMEM;
    ng_arena_init(&g->arena);
    g->decimal = '.';
    char path[96];
    int rc = NG_OK;
    static const char *const lex_files[] = {"timex-words.txt", "quantity-numbers.txt", "quantity-currencies.txt",
                                            "quantity-units.txt", "quantity-words.txt"};
    for (size_t i = 0; i < sizeof lex_files / sizeof *lex_files && rc == NG_OK; i++) {
        snprintf(path, sizeof path, "%s/%s", code, lex_files[i]);
        rc = each_line(g, path, lexicon_line, err, errlen);
    }
    if (rc == NG_OK) {
        snprintf(path, sizeof path, "%s/months.txt", code);
        rc = each_line(g, path, month_line, err, errlen);
    }
    if (rc == NG_OK) {
        snprintf(path, sizeof path, "%s/timex-rules.txt", code);
        rc = rules ? each_line_text(g, path, rules, rules_len, rule_line, err, errlen)
                   : each_line(g, path, rule_line, err, errlen);
    }
    if (rc == NG_OK)
        rc = index_rules(g);
    if (rc == NG_OK && g->nrules) {
        g->sums = ng_arena_alloc(&g->arena, g->nrules * sizeof *g->sums);
        if (!g->sums)
            rc = NG_ENOMEM;
        for (size_t r = 0; rc == NG_OK && r < g->nrules; r++) {
            const tx_rule *ru = &g->rules[r];
            tx_rsum *sm = &g->sums[r];
            memset(sm, 0, sizeof *sm);
            sm->n = ru->n;
            for (int k = 0; k < ru->n; k++)
                for (int q = 0; q < ru->el[k].nalt; q++)
                    sm->need[k] |= ru->el[k].alt[q].lit ? TX_NEED_LIT : ru->el[k].alt[q].cls;
        }
    }
    if (rc == NG_OK) {
        for (int b = 0; b < 32; b++)
            g->nby_class1[b] = singles_first(g, g->by_class[b], g->nby_class[b]);
        for (size_t i = 0; g->slots && i <= g->mask; i++)
            if (g->slots[i].key && g->slots[i].e->nrules)
                g->slots[i].e->nrules1 = singles_first(g, g->slots[i].e->rules, g->slots[i].e->nrules);
    }
    if (rc == NG_OK) {
        /* the filters of the atom builder: every key's hash, the tense endings' last bytes */
        for (size_t i = 0; g->slots && i <= g->mask; i++) {
            if (!g->slots[i].key)
                continue;
            uint32_t h = g->slots[i].h;
            uint32_t b = (h ^ (h >> 16)) & (TX_KEYBITS - 1);
            g->keybits[b >> 6] |= 1ull << (b & 63);
        }
        for (int k = 0; k < g->nfuture_sfx + g->npast_sfx; k++) {
            const char *sf = k < g->nfuture_sfx ? g->future_sfx[k] : g->past_sfx[k - g->nfuture_sfx];
            size_t sl = strlen(sf);
            if (k < g->nfuture_sfx)
                g->future_len[k] = (uint8_t)sl;
            else
                g->past_len[k - g->nfuture_sfx] = (uint8_t)sl;
            unsigned char c = sl ? (unsigned char)sf[sl - 1] : 0;
            g->sfx_last[c >> 5] |= 1u << (c & 31);
        }
    }
    if (rc == NG_OK && g->arena.oom)
        rc = NG_ENOMEM;
    if (rc != NG_OK) {
        if (rc == NG_ENOMEM)
            snprintf(err, errlen, "out of memory");
        ng_grammar_free(g);
        return rc;
    }
    *out = g;
    return NG_OK;
}

void ng_grammar_free(ng_grammar *g)
{
    if (!g)
        return;
    free(g->slots);
    free(g->rules);
    ng_arena_free(&g->arena);
    free(g);
}

/* ---- atoms ------------------------------------------------------------- */

void ng_tx_scratch_free(ng_tx_scratch *sc)
{
    if (!sc)
        return;
    free(sc->atoms);
    free(sc->pieces);
    free(sc->live);
    free(sc);
}

static tx_atom *push_atom(ng_tx_scratch *sc)
{
    if (sc->n == sc->cap) {
        size_t nc = sc->cap ? sc->cap * 2 : 1024;
        tx_atom *na = realloc(sc->atoms, nc * sizeof *na);
        if (!na)
            return NULL;
        sc->atoms = na;
        sc->cap = nc;
    }
    tx_atom *a = &sc->atoms[sc->n++];
    *a = (tx_atom){0};
    return a;
}

/* Reads a token made of digits: "4,500", "1,5", "4.5", "2020", "10:30",
 * "10h30", "1st", "1er", "1990s", "80s".  Fills a and returns 1, or 0 when
 * it is not such a token. */
static int read_digits(const char *s, size_t n, char dec, tx_atom *a)
{
    size_t i = 0;
    if (n && (s[0] == '\'' ))
        i = 1; /* '80s */
    size_t d0 = i;
    while (i < n && s[i] >= '0' && s[i] <= '9')
        i++;
    size_t nd = i - d0;
    if (!nd || nd > 15)
        return 0;
    double v = 0;
    for (size_t k = d0; k < i; k++)
        v = v * 10 + (s[k] - '0');
    /* ISO dates: 2022-01-20 (a time may follow: 2022-01-20T10:00) */
    if (nd == 4 && d0 == 0 && n >= 10 && s[4] == '-' && s[7] == '-' && (n == 10 || s[10] == 'T')) {
        int ok = 1;
        for (int k = 5; k < 10; k++)
            ok &= k == 7 || (s[k] >= '0' && s[k] <= '9');
        int mo = ok ? (s[5] - '0') * 10 + (s[6] - '0') : 0, dd = ok ? (s[8] - '0') * 10 + (s[9] - '0') : 0;
        if (ok && mo >= 1 && mo <= 12 && dd >= 1 && dd <= 31) {
            a->cls |= TX_C_ISO;
            a->iso_y = (int)v;
            a->iso_m = mo;
            a->iso_d = dd;
            return 1;
        }
        return 0;
    }
    if (i == n && d0 == 0) {
        a->num = v;
        a->ndig = (int)nd;
        a->cls |= TX_C_NUM;
        a->flags |= TX_A_DIGITS | TX_A_INT;
        if (nd == 4 && v >= 1000 && v <= 2199)
            a->cls |= TX_C_YEAR;
        return 1;
    }
    /* clock times: 10:30, 10h30, 10h, 10H */
    if (nd <= 2 && i < n && (s[i] == ':' || s[i] == 'h' || s[i] == 'H')) {
        size_t j = i + 1;
        size_t m0 = j;
        while (j < n && s[j] >= '0' && s[j] <= '9')
            j++;
        if (j == n && (j - m0 == 2 || (j == m0 && s[i] != ':')) && v <= 24) {
            int mi = j == m0 ? 0 : (s[m0] - '0') * 10 + (s[m0 + 1] - '0');
            if (mi < 60) {
                a->cls |= TX_C_TIME;
                a->hour = (int)v;
                a->min = mi;
                a->flags |= TX_A_DIGITS;
                return 1;
            }
        }
    }
    /* decades: 1990s, 80s, '80s */
    if ((nd == 4 || nd == 2) && i + 1 == n && s[i] == 's' && (long)v % 10 == 0) {
        a->cls |= TX_C_DECADE;
        a->decade = nd == 4 ? (int)v / 10 : 190 + (int)v / 10;
        return 1;
    }
    if (d0)
        return 0;
    /* ordinals: 1st 2nd 3rd 4th, 1er 1re 2e 2ème */
    if (i < n && nd <= 3) {
        const char *sf = s + i;
        size_t sn = n - i;
        static const char *const sfx[] = {"st", "nd", "rd", "th", "er", "re", "e", "ème", "eme", "è"};
        for (size_t k = 0; k < sizeof sfx / sizeof *sfx; k++) {
            if (strlen(sfx[k]) == sn && !strncasecmp(sf, sfx[k], sn)) {
                a->cls |= TX_C_ORD;
                a->num = v;
                a->flags |= TX_A_DIGITS | TX_A_INT;
                return 1;
            }
        }
    }
    /* grouped or decimal numbers: 4,500  4.500  1,5  12.5  1,500,000 */
    double ip = v;
    size_t j = i;
    int groups = 0, frac = 0;
    double fv = 0, fs = 1;
    while (j < n) {
        char c = s[j];
        if ((c == ',' || c == '.') && j + 1 < n && s[j + 1] >= '0' && s[j + 1] <= '9') {
            size_t k = j + 1;
            while (k < n && s[k] >= '0' && s[k] <= '9')
                k++;
            if (c != dec && k - j - 1 == 3 && !frac) {
                for (size_t q = j + 1; q < k; q++)
                    ip = ip * 10 + (s[q] - '0');
                groups++;
            } else if (c == dec && !frac) {
                for (size_t q = j + 1; q < k; q++) {
                    fs /= 10;
                    fv += (s[q] - '0') * fs;
                }
                frac = 1;
            } else {
                return 0;
            }
            j = k;
        } else {
            return 0;
        }
    }
    a->num = ip + fv;
    a->cls |= TX_C_NUM;
    a->flags |= TX_A_DIGITS | (frac ? 0 : TX_A_INT);
    NG_UNUSED(groups);
    return 1;
}

static size_t fold(const char *s, size_t n, char *out, size_t cap);

/* "5bn", "10km", "3m": a number glued to a scale or unit word of the
 * lexicon.  Fills a (num, scale, sfx) and returns 1, else 0. */
static int digits_suffix(const ng_grammar *g, const char *s, size_t n, char dec, tx_atom *a)
{
    size_t i = 0;
    while (i < n && ((s[i] >= '0' && s[i] <= '9') || s[i] == ',' || s[i] == '.'))
        i++;
    if (!i || i == n || n - i > 12)
        return 0;
    tx_atom t;
    memset(&t, 0, sizeof t);
    if (!read_digits(s, i, dec, &t) || !(t.cls & TX_C_NUM))
        return 0;
    char key[16];
    size_t k = fold(s + i, n - i, key, sizeof key);
    const tx_entry *e = ng_grammar_lookup(g, key, k);
    if (!e || !(e->cls & (TX_C_SCALE | TX_C_QUNIT | TX_C_CUR | TX_C_UNIT)))
        return 0;
    a->cls |= TX_C_NUM;
    a->flags |= TX_A_DIGITS | (t.flags & TX_A_INT);
    a->num = t.num;
    a->sfx = e;
    a->scale = (e->cls & TX_C_SCALE) ? e->num : 0;
    return 1;
}

/* ng_fold, with the typographic apostrophe (U+2019) made ASCII. */
static size_t fold_slow(const char *s, size_t n, char *out, size_t cap)
{
    size_t k = ng_fold(s, n, out, cap), o = 0;
    for (size_t i = 0; i < k; i++) {
        if (i + 2 < k && (unsigned char)out[i] == 0xE2 && (unsigned char)out[i + 1] == 0x80 &&
            (unsigned char)out[i + 2] == 0x99) {
            out[o++] = '\'';
            i += 2;
        } else {
            out[o++] = out[i];
        }
    }
    if (o < cap)
        out[o] = '\0';
    return o;
}

/* Folds s[0..n) into out (cap bytes): a fast ASCII path, fold_slow else. */
static size_t fold(const char *s, size_t n, char *out, size_t cap)
{
    size_t i = 0;
    if (n >= cap)
        return fold_slow(s, n, out, cap);
    for (; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80)
            return fold_slow(s, n, out, cap);
        out[i] = (char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
    }
    out[i] = '\0';
    return i;
}

/* One piece of a token: a hyphen-separated part, or the whole token. */
typedef struct tx_piece {
    uint32_t start, end, sent, tflags;
    uint32_t hyphen; /* joined to the previous piece by a hyphen */
} piece;

/* TX_A_FUTURE or TX_A_PAST when folded word w[0..n) has a tense ending,
 * else 0.  Most words end in a byte no ending ends in: one table test. */
static uint32_t tense_form(const ng_grammar *g, const char *w, size_t n)
{
    if (!n || !(g->sfx_last[(unsigned char)w[n - 1] >> 5] & (1u << (w[n - 1] & 31))))
        return 0;
    for (int k = 0; k < g->nfuture_sfx; k++) {
        size_t sl = g->future_len[k];
        if (n >= sl + 3 && !memcmp(w + n - sl, g->future_sfx[k], sl))
            return TX_A_FUTURE;
    }
    for (int k = 0; k < g->npast_sfx; k++) {
        size_t sl = g->past_len[k];
        if (n >= sl + 3 && !memcmp(w + n - sl, g->past_sfx[k], sl))
            return TX_A_PAST;
    }
    return 0;
}

/* Number words: "twenty five", "quatre-vingt-dix", "deux cent mille". */
static double combine_numwords(const double *v, int k)
{
    double total = 0, cur = 0;
    for (int i = 0; i < k; i++) {
        double x = v[i];
        if (x == 100) {
            cur = (cur ? cur : 1) * 100;
        } else if (x >= 1000) {
            total += (cur ? cur : 1) * x;
            cur = 0;
        } else if (x == 20 && cur > 0 && cur < 20 && fmod(cur, 100) == 4) {
            cur = cur - 4 + 80; /* quatre-vingt */
        } else {
            cur += x;
        }
    }
    return total + cur;
}

/* Cuts doc's tokens into pieces (sc->pieces): a word token with inner
 * hyphens is split at them unless the whole token is a lexicon phrase
 * ("week-end"); a later piece has its own capital.  Returns NG_OK or
 * NG_ENOMEM. */
static int make_pieces(const ng_grammar *g, const ng_doc *doc, ng_tx_scratch *sc)
{
    const char *text = doc->text;
    size_t nt = doc->ntokens;
    sc->npieces = 0;
    for (size_t ti = 0; ti < nt; ti++) {
        const ng_token *t = &doc->tokens[ti];
        uint32_t s0 = t->start;
        for (;;) {
            const char *hy = NULL;
            if (s0 == t->start && (t->flags & NG_TOK_WORD)) {
                /* split at hyphens unless the whole token is a phrase */
                const char *p = memchr(text + t->start, '-', t->end - t->start);
                if (p && p > text + t->start && p + 1 < text + t->end) {
                    char key[64];
                    size_t k = fold(text + t->start, t->end - t->start, key, sizeof key);
                    const tx_entry *e = ng_grammar_lookup(g, key, k);
                    if (!e || !(e->flags & TX_E_ENTRY))
                        hy = p;
                }
            } else if (s0 != t->start) {
                const char *p = memchr(text + s0, '-', t->end - s0);
                if (p && p > text + s0 && p + 1 < text + t->end)
                    hy = p;
            }
            if (sc->npieces == sc->cappieces) {
                size_t nc = sc->cappieces ? sc->cappieces * 2 : 1024;
                piece *np = realloc(sc->pieces, nc * sizeof *np);
                if (!np)
                    return NG_ENOMEM;
                sc->pieces = np;
                sc->cappieces = nc;
            }
            piece *pc = &sc->pieces[sc->npieces++];
            pc->start = s0;
            pc->end = hy ? (uint32_t)(hy - text) : t->end;
            pc->sent = t->sent;
            pc->tflags = t->flags;
            pc->hyphen = s0 != t->start;
            if (pc->hyphen) {
                /* a later piece of a hyphenated token: its own capital */
                unsigned char c0 = (unsigned char)text[s0];
                pc->tflags &= ~(uint32_t)NG_TOK_UPPER;
                if (c0 >= 'A' && c0 <= 'Z')
                    pc->tflags |= NG_TOK_UPPER;
            }
            if (!hy)
                break;
            s0 = (uint32_t)(hy - text) + 1;
        }
    }
    return NG_OK;
}

/* Is the folded key h (hash_key) possibly in the lexicon?  No false "no". */
static int maybe_key(const ng_grammar *g, uint32_t h)
{
    uint32_t b = (h ^ (h >> 16)) & (TX_KEYBITS - 1);
    return (g->keybits[b >> 6] >> (b & 63)) & 1;
}

int ng_tx_atoms(ng_worker *w, ng_doc *doc, const tx_atom **out, size_t *nout)
{
    *out = NULL;
    *nout = 0;
    if (!w->tx) {
        w->tx = calloc(1, sizeof *w->tx);
        if (!w->tx)
            return NG_ENOMEM;
    }
    ng_tx_scratch *sc = w->tx;
    if (sc->doc == doc) {
        *out = sc->atoms;
        *nout = sc->n;
        return NG_OK;
    }
    sc->doc = NULL;
    sc->n = 0;
    const ng_grammar *g = doc->lang_res ? doc->lang_res->grammar : NULL;
    if (!g)
        return NG_OK;
    const char *text = doc->text;
    char dec = g->decimal;
    int has_sfx = g->nfuture_sfx || g->npast_sfx;
    if (make_pieces(g, doc, sc) != NG_OK)
        return NG_ENOMEM;
    const piece *pcs = sc->pieces;
    size_t np = sc->npieces;
    for (size_t p = 0; p < np;) {
        const piece *win = pcs + p; /* the pieces from here on */
        size_t wn = np - p;
        /* the longest lexicon phrase starting at win[0]; an ASCII piece is
         * folded and hashed in one pass, and most words stop at the filter */
        char key[160];
        size_t klen = 0;
        const tx_entry *best = NULL;
        size_t bestw = 0;
        uint32_t pl0 = win[0].end - win[0].start;
        int fast = 0;
        uint32_t tense = 0;
        if (pl0 < 64) {
            const unsigned char *s = (const unsigned char *)text + win[0].start;
            unsigned orv = 0;
            for (uint32_t q = 0; q < pl0; q++) {
                unsigned c = s[q];
                orv |= c;
                key[q] = (char)(c - 'A' < 26u ? c + 32 : c);
            }
            fast = !(orv & 0x80);
            if (fast && (win[0].tflags & NG_TOK_WORD) && has_sfx)
                tense = tense_form(g, key, pl0);
        }
        for (size_t k = 0; k < wn && k < TX_MAX_WORDS; k++) {
            if (k && win[k].sent != win[0].sent)
                break;
            size_t pl = win[k].end - win[k].start;
            const tx_slot *s;
            if (!k && fast) {
                klen = pl > 1 && key[pl - 1] == '.' && (win[0].tflags & NG_TOK_WORD) ? pl - 1 : pl;
                uint32_t h = hash_key(key, klen);
                if (!maybe_key(g, h))
                    break;
                s = find_h(g, key, klen, h);
            } else {
                if (!k) {
                    /* cheap filter: no phrase starts with a word of this first byte and length */
                    size_t fl = pl > 1 && text[win[0].end - 1] == '.' && (win[0].tflags & NG_TOK_WORD) ? pl - 1 : pl;
                    unsigned char c0 = (unsigned char)text[win[0].start];
                    int ascii = 1;
                    for (size_t q = 0; q < fl && ascii; q++)
                        ascii = (unsigned char)text[win[0].start + q] < 0x80;
                    if (ascii && !(g->firstlen[c0 >= 'A' && c0 <= 'Z' ? c0 + 32 : c0] & (1u << (fl < 31 ? fl : 31))))
                        break;
                }
                if (klen + pl + 2 >= sizeof key)
                    break;
                if (k)
                    key[klen++] = ' ';
                if (pl > 1 && text[win[k].end - 1] == '.' && (win[k].tflags & NG_TOK_WORD))
                    pl--; /* "Jan.", "Sept.", "p.m.": the lexicon has them without the last dot */
                klen += fold(text + win[k].start, pl, key + klen, sizeof key - klen);
                /* a French elision keeps its apostrophe: "l'" + "an" is "l' an" */
                s = find(g, key, klen);
            }
            if (!s)
                break;
            if (s->e->flags & TX_E_ENTRY) {
                int capok = !(s->e->flags & TX_E_CAP) || (win[0].tflags & NG_TOK_UPPER);
                if (capok) {
                    best = s->e;
                    bestw = k + 1;
                }
            }
            if (!(s->e->flags & TX_E_PREFIX))
                break;
        }
        tx_atom *a = push_atom(sc);
        if (!a)
            return NG_ENOMEM;
        a->start = win[0].start;
        a->sent = win[0].sent;
        if (win[0].hyphen)
            a->flags |= TX_A_HYPHEN;
        if (win[0].tflags & NG_TOK_UPPER)
            a->flags |= TX_A_UPPER;
        if (win[0].tflags & NG_TOK_WORD)
            a->flags |= TX_A_WORD;
        if (win[0].tflags & NG_TOK_PUNCT)
            a->flags |= TX_A_PUNCT;
        if (best) {
            a->e = best;
            a->cls = best->cls;
            a->num = best->num;
            a->end = win[bestw - 1].end;
            if (best->flags & TX_E_FUTURE)
                a->flags |= TX_A_FUTURE;
            if (best->flags & TX_E_PAST)
                a->flags |= TX_A_PAST;
            if (best->flags & TX_E_REPORT)
                a->flags |= TX_A_REPORT;
            if (bestw == 1 && !(best->flags & (TX_E_FUTURE | TX_E_PAST)))
                a->flags |= tense; /* a rule's literal keeps its tense ending ("the year ended") */
        } else {
            a->end = win[0].end;
            bestw = 1;
            if ((win[0].tflags & NG_TOK_NUM) && !read_digits(text + a->start, a->end - a->start, dec, a))
                digits_suffix(g, text + a->start, a->end - a->start, dec, a);
            else if ((win[0].tflags & NG_TOK_WORD) && has_sfx) {
                if (fast) {
                    a->flags |= tense;
                } else {
                    char fk[64];
                    size_t fl = fold(text + a->start, a->end - a->start, fk, sizeof fk);
                    a->flags |= tense_form(g, fk, fl);
                }
            }
        }
        p += bestw;
        /* number words: merge with the previous atoms of a number phrase */
        if (a->e && (a->e->flags & TX_E_NUMWORD) && sc->n >= 2) {
            size_t j = sc->n - 1; /* a is sc->atoms[j] */
            size_t first = j;
            while (first > 0) {
                tx_atom *pa = &sc->atoms[first - 1];
                if (pa->e && (pa->e->flags & TX_E_NUMWORD) && pa->sent == a->sent)
                    first--;
                else if (pa->e && (pa->e->flags & TX_E_AND) && first >= 2 && sc->atoms[first - 2].e &&
                         (sc->atoms[first - 2].e->flags & TX_E_NUMWORD))
                    first--;
                else
                    break;
            }
            if (first < j) {
                double vals[32];
                int k = 0;
                size_t from = j - first >= 31 ? j - 30 : first;
                for (size_t q = from; q <= j; q++)
                    if (sc->atoms[q].e && (sc->atoms[q].e->flags & TX_E_NUMWORD))
                        vals[k++] = sc->atoms[q].num; /* an earlier merge keeps its value */
                tx_atom merged = sc->atoms[first];
                merged.end = a->end;
                merged.num = combine_numwords(vals, k);
                merged.cls = TX_C_NUM;
                merged.flags |= TX_A_INT;
                merged.e = a->e; /* a number word */
                sc->atoms[first] = merged;
                sc->n = first + 1;
            }
        }
    }
    /* French thousands with a plain space: "4 500" (1-3 digits, then groups of 3) */
    if (dec == ',') {
        size_t o = 0;
        for (size_t i = 0; i < sc->n; i++) {
            tx_atom *a = &sc->atoms[i];
            if (o && (a->flags & TX_A_DIGITS) && a->ndig == 3 && !(a->cls & TX_C_YEAR)) {
                tx_atom *pa = &sc->atoms[o - 1];
                if ((pa->flags & TX_A_DIGITS) && (pa->flags & TX_A_INT) && pa->ndig >= 1 && pa->ndig <= 3 &&
                    pa->sent == a->sent && a->start == pa->end + 1 && text[pa->end] == ' ' &&
                    (pa->ndig < 3 || pa->num >= 100) && !(pa->cls & TX_C_YEAR)) {
                    pa->num = pa->num * 1000 + a->num;
                    pa->end = a->end;
                    pa->ndig = 0; /* no longer a day, hour or year */
                    pa->cls = TX_C_NUM;
                    continue;
                }
            }
            if (o != i)
                sc->atoms[o] = *a;
            o++;
        }
        sc->n = o;
    }
    /* the atoms the stages look at: those with a class or an entry */
    if (sc->caplive < sc->n) {
        uint32_t *nl = realloc(sc->live, sc->n * sizeof *nl);
        if (!nl)
            return NG_ENOMEM;
        sc->live = nl;
        sc->caplive = sc->n;
    }
    sc->nlive = 0;
    for (size_t i = 0; i < sc->n; i++)
        if (sc->atoms[i].cls || sc->atoms[i].e)
            sc->live[sc->nlive++] = (uint32_t)i;
    sc->doc = doc;
    *out = sc->atoms;
    *nout = sc->n;
    return NG_OK;
}

/* ---- dates ------------------------------------------------------------- */

static int is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int mdays(int y, int m)
{
    static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : d[(m - 1) % 12];
}

/* Days since 1970-01-01 (proleptic Gregorian). */
static long days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(long z, int *y, int *m, int *d)
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long yy = yoe + era * 400;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yy + (*m <= 2));
}

/* ISO weekday, 1 = Monday. */
static int weekday(long days) { return (int)(((days % 7) + 7 + 3) % 7) + 1; }

/* ISO week-year and week of a day. */
static void iso_week(long days, int *wy, int *wk)
{
    int wd = weekday(days);
    long thu = days + (4 - wd);
    int y, m, d;
    civil_from_days(thu, &y, &m, &d);
    long jan1 = days_from_civil(y, 1, 1);
    *wy = y;
    *wk = (int)((thu - jan1) / 7) + 1;
}

/* A date: y-m-d, or day count. */
typedef struct {
    int y, m, d; /* y = 0: unknown */
} ymd;

static long ymd_days(ymd a) { return days_from_civil(a.y, a.m, a.d); }

static ymd days_ymd(long z)
{
    ymd r;
    civil_from_days(z, &r.y, &r.m, &r.d);
    return r;
}

/* ---- the stage ---------------------------------------------------------- */

typedef struct {
    int year, month, day, wday, hour, min, yy, decade, ord;
    double n;
    int has_n, vague;
    int unit, plural;
    int rel, has_rel;
    int ago;
    int ref, has_ref;
    int ampm;
    const char *season, *part, *pod, *val, *set, *mod;
    int has_set;
    int halfq; /* ord with a Q/HALF unit */
    int nth, nth_wday; /* a holiday on the nth weekday of its month */
} frame;

static void frame_init(frame *f)
{
    memset(f, 0, sizeof *f);
    f->year = f->month = f->day = f->wday = f->hour = f->min = f->yy = f->decade = f->ord = -1;
}

static int role_ok(const tx_alt *al, const tx_atom *a)
{
    switch (al->role) {
    case R_NONE: return 1;
    case R_DAY:
        return (a->cls & TX_C_ORD) ? a->num >= 1 && a->num <= 31
                                   : (a->flags & TX_A_INT) && a->ndig >= 1 && a->ndig <= 2 && a->num >= 1 && a->num <= 31;
    case R_YEAR: return (a->cls & TX_C_YEAR) != 0;
    case R_YY: return a->ndig == 2;
    case R_HOUR: return (a->flags & TX_A_INT) && a->ndig >= 1 && a->ndig <= 2 && a->num <= 24;
    case R_MIN: return a->ndig == 2 && a->num < 60;
    case R_INT: return (a->flags & TX_A_INT) != 0;
    case R_SMALL: return !(a->cls & TX_C_YEAR) && a->num < 1000;
    case R_COUNT: return !(a->cls & TX_C_YEAR);
    case R_PL: return a->e && (a->e->flags & TX_E_PL);
    case R_SG: return a->e && !(a->e->flags & TX_E_PL);
    case R_UNIT: return a->e && a->e->unit == al->unit;
    }
    return 0;
}

/* Puts what atom a means as class bit c (role r) into f. */
static void apply(frame *f, const tx_atom *a, uint32_t c, int role)
{
    const tx_entry *e = a->e;
    switch (c) {
    case TX_C_NUM:
    case TX_C_YEAR:
        if (role == R_DAY) f->day = (int)a->num;
        else if (role == R_YEAR) f->year = (int)a->num;
        else if (role == R_YY) f->yy = (int)a->num;
        else if (role == R_HOUR) f->hour = (int)a->num;
        else if (role == R_MIN) f->min = (int)a->num;
        else if (c == TX_C_YEAR) f->year = (int)a->num;
        else f->n = a->num, f->has_n = 1;
        break;
    case TX_C_ORD:
        if (role == R_DAY) f->day = (int)a->num;
        else f->ord = (int)a->num;
        break;
    case TX_C_MONTH:
        if (e) {
            f->month = e->month;
            if (e->day)
                f->day = e->day; /* a holiday: "Christmas" */
            if (e->nth)
                f->nth = e->nth, f->nth_wday = e->nth_wday; /* "Thanksgiving" */
        }
        break;
    case TX_C_WDAY: if (e) f->wday = e->wday; break;
    case TX_C_SEASON: if (e) f->season = e->season; break;
    case TX_C_UNIT: if (e) f->unit = e->unit, f->plural = (e->flags & TX_E_PL) != 0; break;
    case TX_C_REL: if (e) f->rel = e->rel, f->has_rel = 1; break;
    case TX_C_AGO: if (e) f->ago = e->ago; break;
    case TX_C_MOD: if (e) f->mod = e->mod; break;
    case TX_C_REF: if (e) f->ref = e->ref, f->has_ref = 1; break;
    case TX_C_VAL: if (e) f->val = e->val; break;
    case TX_C_SET: if (e) f->set = e->set, f->has_set = 1; break;
    case TX_C_POD: if (e) f->pod = e->pod; break;
    case TX_C_TIME: f->hour = a->hour, f->min = a->min; break;
    case TX_C_ISO: f->year = a->iso_y, f->month = a->iso_m, f->day = a->iso_d; break;
    case TX_C_AMPM: if (e) f->ampm = e->ampm; break;
    case TX_C_DECADE: if (!e) f->decade = a->decade; break;
    case TX_C_VAGUE: f->vague = 1, f->has_n = 1; break;
    default: break;
    }
}

static void apply_all(frame *f, const tx_atom *a)
{
    for (uint32_t c = a->cls & ~(TX_C_LIT | TX_C_NUM | TX_C_ORD | TX_C_YEAR); c; c &= c - 1)
        apply(f, a, c & -c, R_NONE);
}

/* Matches rule r at atoms[i..n); returns the atoms it spans (0: no match)
 * and fills the frame and the core span [*s0, *s1). */
/* Does rule r match at atoms[i..n)?  (No frame: the cheap test first.) */
static int rule_fits(const tx_rule *r, const tx_atom *at, size_t i, size_t n)
{
    if (i + r->n > n)
        return 0;
    for (size_t k = 0; k < r->n; k++) {
        const tx_atom *a = &at[i + k];
        if (k && a->sent != at[i].sent)
            return 0;
        const tx_elem *el = &r->el[k];
        int ok = 0;
        for (int q = 0; q < el->nalt && !ok; q++) {
            const tx_alt *al = &el->alt[q];
            ok = al->lit ? a->e == al->lit : (a->cls & al->cls) && role_ok(al, a);
        }
        if (!ok)
            return 0;
    }
    return 1;
}

/* Can rule sm match at atoms[i..n)?  0 is sure; 1 means rule_fits must tell. */
static int sum_fits(const tx_rsum *sm, const tx_atom *at, size_t i, size_t n)
{
    if (i + sm->n > n)
        return 0;
    for (size_t k = 0; k < sm->n; k++) {
        const tx_atom *a = &at[i + k];
        if (!(a->cls & sm->need[k]) && !((sm->need[k] & TX_NEED_LIT) && a->e))
            return 0;
    }
    return 1;
}

static size_t match_rule(const tx_rule *r, const tx_atom *at, size_t i, size_t n, frame *f, size_t *c0, size_t *c1)
{
    if (!rule_fits(r, at, i, n))
        return 0;
    frame_init(f);
    size_t first = (size_t)-1, last = 0;
    for (size_t k = 0; k < r->n; k++) {
        const tx_atom *a = &at[i + k];
        if (k && a->sent != at[i].sent)
            return 0;
        const tx_elem *el = &r->el[k];
        int ok = 0;
        for (int q = 0; q < el->nalt && !ok; q++) {
            const tx_alt *al = &el->alt[q];
            if (al->lit) {
                if (a->e == al->lit) {
                    ok = 1;
                    if (!el->ctx)
                        apply_all(f, a);
                }
            } else if ((a->cls & al->cls) && role_ok(al, a)) {
                ok = 1;
                if (!el->ctx)
                    apply(f, a, al->cls, al->role);
            }
        }
        if (!ok)
            return 0;
        if (!el->ctx) {
            if (first == (size_t)-1)
                first = i + k;
            last = i + k;
        }
    }
    *c0 = first;
    *c1 = last + 1;
    return r->n;
}

/* What the stage knows while it walks the text. */
typedef struct {
    ymd dct;      /* the publication date (y == 0: none) */
    ymd last;     /* latest full date with an explicit year met in the text */
    ymd ref;      /* latest day-precise date met (for clock times) */
    int years[16]; /* explicit years of the text, latest first */
    int nyears;
    int q_y, q_q;  /* the latest quarter met ("1989-Q3"), q_y == 0: none */
    uint32_t q_sent; /* the sentence it was in */
    uint32_t sent;   /* the sentence of the expression being resolved */
    int wday_dir;    /* direction of a bare weekday with no tense cue: -1 or 1 */
    ymd men;         /* the last date the text mentioned, at its precision (m, d 0 when unknown) */
} anchor;

static int tense_of(const tx_atom *at, size_t n, size_t a0, size_t a1)
{
    /* the clause around the expression: back to the sentence start (at
     * most 12 atoms), then 4 atoms on.  The nearest cue before the
     * expression tells ("will meet him on Thursday", "as soon as Tuesday,
     * he said"); a reporting verb ("said") further than three atoms back
     * only when no other cue before does, since it dates the telling, not
     * what is told; the cues after it only when none stands before. */
    uint32_t sent = at[a0].sent;
    int weak = 0;
    size_t lo = a0 > 12 ? a0 - 12 : 0;
    for (size_t k = a0; k-- > lo && at[k].sent == sent;) {
        uint32_t fl = at[k].flags & (TX_A_FUTURE | TX_A_PAST);
        if (!fl || fl == (TX_A_FUTURE | TX_A_PAST))
            continue;
        int d = fl == TX_A_FUTURE ? 1 : -1;
        if (d < 0 && k > lo && at[k - 1].e && (at[k - 1].e->flags & TX_E_BE))
            continue; /* "would be held on April 24": a participle, not a tense */
        if (d > 0)
            for (size_t j = k; j-- > lo && j + 3 >= k && at[j].sent == sent;)
                if (at[j].e && (at[j].e->flags & TX_E_AUX) && (at[j].flags & TX_A_PAST))
                    return -1; /* "had been due to", "was expected": the future of a past */
        if (!(at[k].flags & TX_A_REPORT) || a0 - k <= 3)
            return d;
        if (!weak)
            weak = d;
    }
    if (weak)
        return weak;
    for (size_t k = a1; k < n && k < a1 + 4 && at[k].sent == sent; k++) {
        uint32_t fl = at[k].flags & (TX_A_FUTURE | TX_A_PAST);
        if (fl && fl != (TX_A_FUTURE | TX_A_PAST))
            return fl == TX_A_FUTURE ? 1 : -1;
    }
    return 0;
}

static void put_unit_date(char *out, size_t cap, ymd d, int unit)
{
    int wy, wk;
    switch (unit) {
    case TX_U_Y: snprintf(out, cap, "%04d", d.y); break;
    case TX_U_M: snprintf(out, cap, "%04d-%02d", d.y, d.m); break;
    case TX_U_W: iso_week(ymd_days(d), &wy, &wk); snprintf(out, cap, "%04d-W%02d", wy, wk); break;
    case TX_U_WE: iso_week(ymd_days(d), &wy, &wk); snprintf(out, cap, "%04d-W%02d-WE", wy, wk); break;
    case TX_U_Q: snprintf(out, cap, "%04d-Q%d", d.y, (d.m - 1) / 3 + 1); break;
    case TX_U_HALF: snprintf(out, cap, "%04d-H%d", d.y, (d.m - 1) / 6 + 1); break;
    case TX_U_DE: snprintf(out, cap, "%03d", d.y / 10); break;
    case TX_U_CE: snprintf(out, cap, "%02d", d.y / 100); break;
    default: snprintf(out, cap, "%04d-%02d-%02d", d.y, d.m, d.d); break;
    }
}

/* The anchor day shifted by k units. */
static ymd shift(ymd d, int unit, int k)
{
    long z;
    switch (unit) {
    case TX_U_Y: d.y += k; break;
    case TX_U_DE: d.y += 10 * k; break;
    case TX_U_CE: d.y += 100 * k; break;
    case TX_U_M:
    case TX_U_Q:
    case TX_U_HALF: {
        int mm = unit == TX_U_M ? 1 : unit == TX_U_Q ? 3 : 6;
        int t = d.y * 12 + (d.m - 1) + k * mm;
        d.y = t / 12;
        d.m = t % 12 + 1;
        if (d.d > mdays(d.y, d.m))
            d.d = mdays(d.y, d.m);
        break;
    }
    case TX_U_W:
    case TX_U_WE: z = ymd_days(d) + 7L * k; d = days_ymd(z); break;
    case TX_U_D: z = ymd_days(d) + k; d = days_ymd(z); break;
    default: break;
    }
    return d;
}

static const char *unit_letter(int u)
{
    static const char *const l[] = {"", "Y", "M", "W", "D", "H", "M", "S", "DE", "CE", "Q", "WE", "H"};
    return u > 0 && u <= TX_U_HALF ? l[u] : "";
}

static int is_time_unit(int u) { return u == TX_U_H || u == TX_U_MIN || u == TX_U_S; }

static void fmt_num(char *out, size_t cap, double v)
{
    if (v == floor(v) && fabs(v) < 1e9)
        snprintf(out, cap, "%ld", (long)v);
    else
        snprintf(out, cap, "%g", v);
}

/* Picks the year of a month (and day, weekday) without one. */
static int pick_year(const anchor *an, const frame *f, int tense, int *ok)
{
    *ok = 1;
    ymd base = an->dct.y ? an->dct : an->last;
    if (f->wday > 0 && f->day > 0 && f->month > 0) {
        /* a stated weekday: the anchor's year and its neighbours, then the
         * text's years, latest first */
        int cands[24], nc = 0;
        if (base.y) {
            cands[nc++] = base.y;
            cands[nc++] = base.y - 1;
            cands[nc++] = base.y + 1;
        }
        for (int i = 0; i < an->nyears && nc < 24; i++)
            cands[nc++] = an->years[i];
        for (int i = 0; i < nc; i++) {
            int y = cands[i];
            if (f->day <= mdays(y, f->month) && weekday(days_from_civil(y, f->month, f->day)) == f->wday)
                return y;
        }
    }
    if (!base.y) {
        /* no anchor: the latest year the article names, if any */
        if (an->nyears)
            return an->years[0];
        *ok = 0;
        return 0;
    }
    int y = base.y;
    int d = f->day > 0 ? f->day : 15;
    if (d > mdays(y, f->month))
        d = mdays(y, f->month);
    long diff = days_from_civil(y, f->month, d) - ymd_days(base);
    if (f->has_rel && f->rel < 0)
        return diff >= 0 ? y - 1 : y;
    if (f->has_rel && f->rel > 0)
        return diff <= 0 ? y + 1 : y;
    /* the tense says which side of the anchor; without one, the nearer
     * ("January" said in late October is the coming one) */
    if (tense > 0 && diff < -60)
        return y + 1;
    if (tense < 0 && diff > 60)
        return y - 1;
    if (!tense && diff > 183)
        return y - 1;
    if (!tense && diff < -245)
        return y + 1;
    return y;
}

/* "that day", "later that year", "the following year": the unit of the
 * last date the text mentioned, shifted by the frame's relation; without
 * one, of the anchor.  Returns 0 when it cannot. */
static int resolve_ana(const frame *f, const anchor *an, char *out, size_t cap)
{
    ymd m = an->men;
    if (!m.y) {
        m = an->dct.y ? an->dct : an->last;
        if (!m.y)
            return 0;
    }
    int k = f->has_rel ? f->rel : 0;
    switch (f->unit) {
    case TX_U_Y: snprintf(out, cap, "%04d", m.y + k); return 1;
    case TX_U_M:
        if (!m.m) {
            snprintf(out, cap, "%04d", m.y);
            return !k;
        }
        m.d = 1;
        put_unit_date(out, cap, shift(m, TX_U_M, k), TX_U_M);
        return 1;
    case TX_U_W:
    case TX_U_D:
        if (!m.d)
            return 0;
        put_unit_date(out, cap, shift(m, f->unit, k), f->unit);
        return 1;
    default: return 0;
    }
}

/* Resolves a frame into a TIMEX3 value; returns 0 when it cannot. */
static int resolve(const tx_rule *r, frame *f, const anchor *an, int tense, char *out, size_t cap, const char **type)
{
    *type = r->type;
    if (r->type[0] == 'N')
        return 0; /* NONE: a pattern that is not a time expression */
    if (r->value && !strcmp(r->value, "ana"))
        return resolve_ana(f, an, out, cap);
    if (r->value && !strncmp(r->value, "rel=", 4)) {
        /* "=> rel=-1": the relation the words leave implicit ("the quarter") */
        f->rel = atoi(r->value + 4);
        f->has_rel = 1;
    } else if (r->value) {
        /* fixed values; "{u}" is the unit letter, "{n}" the number */
        const char *v = r->value;
        size_t o = 0;
        while (*v && o + 16 < cap) {
            if (!strncmp(v, "{u}", 3)) {
                o += (size_t)snprintf(out + o, cap - o, "%s", unit_letter(f->unit));
                v += 3;
            } else if (!strncmp(v, "{n}", 3)) {
                char nb[32];
                if (f->vague || !f->has_n)
                    snprintf(nb, sizeof nb, "X");
                else
                    fmt_num(nb, sizeof nb, f->n);
                o += (size_t)snprintf(out + o, cap - o, "%s", nb);
                v += 3;
            } else {
                out[o++] = *v++;
            }
        }
        out[o] = '\0';
        return 1;
    }
    if (f->val) {
        snprintf(out, cap, "%s", f->val);
        return 1;
    }
    ymd base = an->dct.y ? an->dct : an->last;
    if (r->type[0] == 'D' && r->type[1] == 'U') {
        char nb[32];
        if (f->vague || !f->has_n)
            snprintf(nb, sizeof nb, f->has_n ? "X" : "1");
        else
            fmt_num(nb, sizeof nb, f->n);
        if (!f->unit)
            return 0;
        if ((f->unit == TX_U_DE || f->unit == TX_U_CE) && !f->vague && f->has_n) {
            /* "two decades" = P20Y, as TimeBank writes them */
            fmt_num(nb, sizeof nb, f->n * (f->unit == TX_U_DE ? 10 : 100));
            snprintf(out, cap, "P%sY", nb);
        } else if (f->unit == TX_U_DE && f->has_n)
            snprintf(out, cap, "PXY"); /* "decades" */
        else if (f->unit == TX_U_WE)
            snprintf(out, cap, "P%sWE", nb);
        else if (f->unit == TX_U_HALF)
            snprintf(out, cap, "P%s%s", nb, "H");
        else if (f->unit == TX_U_Q && !f->vague && f->has_n) {
            fmt_num(nb, sizeof nb, f->n * 3);
            snprintf(out, cap, "P%sM", nb);
        } else
            snprintf(out, cap, "P%s%s%s", is_time_unit(f->unit) ? "T" : "", nb, unit_letter(f->unit));
        return 1;
    }
    if (r->type[0] == 'S') {
        if (f->set && f->set[0]) {
            snprintf(out, cap, "%s", f->set);
            return 1;
        }
        if (f->wday > 0) {
            snprintf(out, cap, "XXXX-WXX-%d", f->wday);
            return 1;
        }
        if (f->unit) {
            snprintf(out, cap, "P%s1%s", is_time_unit(f->unit) ? "T" : "", unit_letter(f->unit));
            return 1;
        }
        return 0;
    }
    /* DATE and TIME: first the day (or coarser) they are about */
    char date[48] = "";
    ymd day = {0, 0, 0};
    int day_known = 0;
    if (f->yy >= 0 && f->year < 0) {
        int cy = base.y ? base.y : 2000;
        f->year = 1900 + f->yy;
        if (f->year + 100 <= cy + 10)
            f->year += 100;
    }
    if (f->decade >= 0) {
        snprintf(date, sizeof date, "%03d", f->decade);
    } else if (f->unit == TX_U_CE && f->ord > 0 && f->ord <= 30 && !f->has_rel && f->year < 0) {
        snprintf(date, sizeof date, "%02d", f->ord - 1); /* "the 20th century": 19 */
    } else if (f->year >= 0 || f->month > 0 || f->season || f->halfq) {
        int y = f->year, ok = 1;
        if (y < 0 && f->month > 0 && f->unit == TX_U_Y && f->has_rel) {
            ok = base.y != 0; /* "June last year", "February this year" */
            y = base.y + f->rel;
        } else if (y < 0 && f->month > 0)
            y = pick_year(an, f, tense, &ok);
        else if (y < 0) {
            ok = base.y != 0;
            y = base.y;
            if (ok && f->has_rel)
                y += f->rel;
        }
        char ys[16];
        if (ok)
            snprintf(ys, sizeof ys, "%04d", y);
        else
            snprintf(ys, sizeof ys, "XXXX");
        if (f->month > 0 && f->nth && f->day <= 0 && ok) {
            /* the nth (or last) weekday of the month */
            int wd1 = weekday(days_from_civil(y, f->month, 1));
            int d1 = 1 + (f->nth_wday - wd1 + 7) % 7;
            if (f->nth > 0)
                f->day = d1 + 7 * (f->nth - 1);
            else
                for (f->day = d1; f->day + 7 <= mdays(y, f->month);)
                    f->day += 7;
        }
        if (f->month > 0 && f->day > 0) {
            if (ok && f->day > mdays(y, f->month))
                return 0;
            snprintf(date, sizeof date, "%s-%02d-%02d", ys, f->month, f->day);
            if (ok) {
                day = (ymd){y, f->month, f->day};
                day_known = 1;
            }
        } else if (f->month > 0) {
            snprintf(date, sizeof date, "%s-%02d", ys, f->month);
        } else if (f->season) {
            snprintf(date, sizeof date, "%s-%s", ys, f->season);
        } else if (f->halfq) {
            snprintf(date, sizeof date, "%s-%s%d", ys, f->unit == TX_U_Q ? "Q" : "H", f->ord);
        } else {
            snprintf(date, sizeof date, "%s", ys);
        }
    } else if (f->has_ref) {
        if (!base.y)
            return 0;
        day = shift(base, TX_U_D, f->ref);
        day_known = 1;
    } else if (f->wday > 0) {
        if (!base.y) {
            snprintf(date, sizeof date, "XXXX-WXX-%d", f->wday);
        } else {
            long z = ymd_days(base);
            int wd = weekday(z);
            int dir = f->has_rel ? (f->rel > 0 ? 1 : f->rel < 0 ? -1 : 0) : tense ? tense : an->wday_dir;
            long delta;
            if (dir > 0) {
                delta = (f->wday - wd + 7) % 7;
                if (f->has_rel && delta == 0)
                    delta = 7;
            } else if (dir < 0) {
                delta = -((wd - f->wday + 7) % 7);
                if (f->has_rel && delta == 0)
                    delta = -7;
            } else {
                delta = f->wday - wd; /* this week */
            }
            day = days_ymd(z + delta);
            day_known = 1;
        }
    } else if (f->unit) {
        /* relative: last week, nine years ago, this month */
        int k = f->has_rel ? f->rel : 0;
        if (f->ago && !(f->has_rel && !f->has_n)) {
            int nn = f->has_n && !f->vague ? (int)f->n : 1;
            if (f->vague) {
                snprintf(out, cap, f->ago < 0 ? "PAST_REF" : "FUTURE_REF");
                return 1;
            }
            k = f->ago * nn;
        }
        if (!base.y) {
            snprintf(out, cap, "%s", k < 0 ? "PAST_REF" : k > 0 ? "FUTURE_REF" : "PRESENT_REF");
            return 1;
        }
        if (is_time_unit(f->unit)) {
            snprintf(out, cap, "%s", k < 0 ? "PAST_REF" : k > 0 ? "FUTURE_REF" : "PRESENT_REF");
            return 1;
        }
        if (f->unit == TX_U_Y && f->ago && k && an->q_y && an->sent - an->q_sent <= 2) {
            /* "a year ago", "the year-earlier quarter" near a quarter: that quarter, k years away */
            snprintf(out, cap, "%04d-Q%d", an->q_y + k, an->q_q);
            return 1;
        }
        if (f->unit == TX_U_WE && k == 0 && tense < 0 && weekday(ymd_days(base)) <= 5)
            k = -1; /* "suggested this weekend", said on a weekday: the one just past */
        ymd d = shift(base, f->unit, k);
        /* "a decade ago" is a year, "last decade" a decade */
        put_unit_date(date, sizeof date, d, f->ago && (f->unit == TX_U_DE || f->unit == TX_U_CE) ? TX_U_Y : f->unit);
        if (f->unit == TX_U_D) {
            day = d;
            day_known = 1;
        }
    } else if (f->pod || f->hour >= 0) {
        /* a bare time of day: the latest day met ("this morning": the anchor) */
        day = an->ref.y && !f->has_rel ? an->ref : base;
        day_known = day.y != 0;
        if (day_known && f->has_rel && f->rel)
            day = shift(day, TX_U_D, f->rel < 0 ? -1 : 1); /* "last night", "next morning" */
        if (!day_known)
            snprintf(date, sizeof date, "XXXX-XX-XX");
    } else {
        return 0;
    }
    if (day_known && !date[0])
        snprintf(date, sizeof date, "%04d-%02d-%02d", day.y, day.m, day.d);
    if (f->hour >= 0) {
        int h = f->hour;
        if (f->ampm == 2 && h < 12)
            h += 12;
        if (f->ampm == 1 && h == 12)
            h = 0;
        if (!f->ampm && f->pod && h < 12 &&
            ((f->pod[0] == 'A' && f->pod[1] == 'F') || (f->pod[0] == 'E' && f->pod[1] == 'V') ||
             (f->pod[0] == 'N' && f->pod[1] == 'I' && h >= 6)))
            h += 12; /* "4 in the afternoon", "9 at night" */
        snprintf(out, cap, "%sT%02d:%02d", date, h, f->min >= 0 ? f->min : 0);
        *type = "TIME";
        return 1;
    }
    if (f->pod) {
        snprintf(out, cap, "%sT%s", date, f->pod);
        *type = "TIME";
        return 1;
    }
    snprintf(out, cap, "%s", date);
    return 1;
}

static int add_timex(ng_doc *doc, ng_time_expr **arr, size_t *n, size_t *cap, uint32_t s, uint32_t e, const char *type,
                     const char *value, const char *mod)
{
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 16;
        ng_time_expr *na = ng_arena_alloc(&doc->arena, nc * sizeof *na);
        if (!na)
            return NG_ENOMEM;
        if (*n)
            memcpy(na, *arr, *n * sizeof *na);
        *arr = na;
        *cap = nc;
    }
    ng_time_expr *t = &(*arr)[(*n)++];
    t->span.start = s;
    t->span.end = e;
    t->type = type;
    t->value = ng_arena_strdup(&doc->arena, value);
    t->mod = mod;
    return t->value ? NG_OK : NG_ENOMEM;
}

static int parse_iso_day(const char *s, ymd *d)
{
    if (!s || strlen(s) < 10 || s[4] != '-' || s[7] != '-')
        return 0;
    d->y = atoi(s);
    d->m = atoi(s + 5);
    d->d = atoi(s + 8);
    return d->y > 0 && d->m >= 1 && d->m <= 12 && d->d >= 1 && d->d <= 31;
}

int ng_timex(ng_worker *w, ng_doc *doc)
{
    const ng_grammar *g = doc->lang_res ? doc->lang_res->grammar : NULL;
    if (w->tx)
        w->tx->doc = NULL;
    if (!g || !g->nrules || !doc->ntokens)
        return NG_OK;
    const tx_atom *at;
    size_t n;
    if (w->tx)
        w->tx->doc = NULL; /* a new document may sit where the last one was */
    int rc = ng_tx_atoms(w, doc, &at, &n);
    if (rc != NG_OK)
        return ng_worker_fail(w, rc, "out of memory");
    anchor an;
    memset(&an, 0, sizeof an);
    int have_dct = parse_iso_day(doc->published, &an.dct);
    an.wday_dir = g->wday_future ? 1 : -1;
    const uint32_t *live = w->tx->live;
    size_t nlive = w->tx->nlive;
    /* the text's explicit years, latest first, for weekday checks */
    for (size_t li = 0; li < nlive; li++) {
        size_t i = live[li];
        if (!(at[i].cls & TX_C_YEAR))
            continue;
        int y = (int)at[i].num, dup = 0;
        for (int k = 0; k < an.nyears; k++)
            dup |= an.years[k] == y;
        if (dup)
            continue;
        if (an.nyears < 16)
            an.years[an.nyears++] = y;
    }
    for (int i = 0; i < an.nyears; i++)
        for (int k = i + 1; k < an.nyears; k++)
            if (an.years[k] > an.years[i]) {
                int t = an.years[i];
                an.years[i] = an.years[k];
                an.years[k] = t;
            }
    ng_time_expr *arr = NULL;
    size_t cnt = 0, cap = 0;
    char value[96];
    frame bestf; /* the winning match's frame (set before use) */
    frame_init(&bestf);
    size_t li = 0;
    for (size_t i = 0; i < n;) {
        /* only atoms with a class or an entry can start a rule */
        while (li < nlive && live[li] < i)
            li++;
        if (li == nlive)
            break;
        i = live[li];
        const tx_atom *a = &at[i];
        const tx_rule *bestr = NULL;
        size_t bestlen = 0, b0 = 0, b1 = 0;
        uint32_t bestid = UINT32_MAX;
        /* candidate rules: by literal word, then by each class; when the
         * next atom is a word no element accepts, one-element rules only */
        int next_blank = i + 1 >= n || (!at[i + 1].cls && !at[i + 1].e) || at[i + 1].sent != a->sent;
        for (uint32_t todo = a->cls | (a->e && a->e->nrules ? 1u << 31 : 0); todo; todo &= todo - 1) {
            int pass = __builtin_ctz(todo);
            const uint32_t *list;
            uint32_t ln;
            if (pass == 31) {
                if (!a->e || !a->e->nrules)
                    continue;
                list = a->e->rules;
                ln = next_blank ? a->e->nrules1 : a->e->nrules;
            } else {
                if (!(a->cls & (1u << pass)) || !g->nby_class[pass])
                    continue;
                list = g->by_class[pass];
                ln = next_blank ? g->nby_class1[pass] : g->nby_class[pass];
            }
            for (uint32_t q = 0; q < ln; q++) {
                if (!sum_fits(&g->sums[list[q]], at, i, n))
                    continue;
                const tx_rule *r = &g->rules[list[q]];
                frame f;
                size_t c0, c1;
                size_t len = match_rule(r, at, i, n, &f, &c0, &c1);
                if (!len)
                    continue;
                size_t core = at[c1 - 1].end - at[c0].start;
                size_t bcore = bestr ? at[b1 - 1].end - at[b0].start : 0;
                if (!bestr || core > bcore || (core == bcore && list[q] < bestid)) {
                    bestr = r;
                    bestlen = len;
                    b0 = c0;
                    b1 = c1;
                    bestf = f;
                    bestid = list[q];
                }
            }
        }
        if (!bestr) {
            i++;
            continue;
        }
        if (bestf.ord > 0 && (bestf.unit == TX_U_Q || bestf.unit == TX_U_HALF) && bestr->type[0] == 'D' &&
            bestr->type[1] == 'A')
            bestf.halfq = 1;
        int tense = tense_of(at, n, b0, b1);
        const char *type;
        an.sent = at[b0].sent;
        if (resolve(bestr, &bestf, &an, tense, value, sizeof value, &type)) {
            if (strlen(value) == 7 && value[4] == '-' && value[5] == 'Q' && value[6] >= '1' && value[6] <= '4' &&
                value[0] >= '0' && value[0] <= '9' && !bestf.ago) { /* "a year ago" is no new quarter met */
                an.q_y = atoi(value);
                an.q_q = value[6] - '0';
                an.q_sent = an.sent;
            }
            if ((rc = add_timex(doc, &arr, &cnt, &cap, at[b0].start, at[b1 - 1].end, type, value, bestf.mod)) != NG_OK)
                return ng_worker_fail(w, rc, "out of memory");
            /* remember the date mentioned, for "that day", "the following year" */
            if (type[0] == 'D' && type[1] == 'A' && strlen(value) >= 4 && value[0] >= '0' && value[0] <= '9' &&
                value[1] >= '0' && value[1] <= '9' && value[2] >= '0' && value[2] <= '9' && value[3] >= '0' &&
                value[3] <= '9' && (!value[4] || value[4] == '-')) {
                ymd mm = {atoi(value), 0, 0};
                if (value[4] == '-' && value[5] >= '0' && value[5] <= '1' && value[7] == '\0') {
                    mm.m = atoi(value + 5);
                } else if (value[4] == '-' && value[5] >= '0' && value[5] <= '1' && value[7] == '-' &&
                           value[8] >= '0' && value[8] <= '3') {
                    mm.m = atoi(value + 5);
                    mm.d = atoi(value + 8);
                }
                an.men = mm;
            }
            /* remember days met, for later clock times and unanchored texts */
            ymd d;
            if (parse_iso_day(value, &d)) {
                an.ref = d;
                if (bestf.year >= 0)
                    an.last = d;
            }
        }
        NG_UNUSED(bestlen);
        i = b1 > i ? b1 : i + 1;
    }
    doc->timexes = arr;
    doc->ntimexes = cnt;
    /* a dateline at the very top gives the publication date when nothing else did */
    if (!have_dct && !doc->published && cnt && arr[0].span.start < 64 && strcmp(arr[0].type, "DATE") == 0) {
        ymd d;
        if (parse_iso_day(arr[0].value, &d) && strlen(arr[0].value) == 10) {
            doc->published = (char *)arr[0].value;
            doc->published_from = NG_FROM_TEXT;
        }
    }
    return NG_OK;
}
