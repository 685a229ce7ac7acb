/*
 * read_html.c — HTML pages: parse with myhtml (Debian's libmodest), read
 * the metadata (title, publication date, language) and hand the flattened
 * page to boilerplate.c, which keeps the article's blocks.
 *
 * The parser gets a lean copy of the page (html_prepare): no comments,
 * scripts (but JSON-LD), styles, svg, and only the attributes the reader
 * uses, class/id folded into one cue weight.  The same pass estimates the
 * nesting: myhtml's tree builder, like any HTML5 one, walks the stack of
 * open elements for many tags ("is there a <p> in button scope?"), so a
 * page nested n deep costs n x tags; pages nested deeper than
 * NG_HTML_MAX_DEPTH, or whose estimated stack walking exceeds a budget,
 * are refused with NG_EFORMAT before the parser sees them.
 *
 * The myhtml parser and tree are per-thread scratch in ng_worker, made on
 * first use and cleaned (not freed) after each page; the tree's memory
 * comes from myhtml's pools.  Every walk over the tree is iterative
 * (parent and sibling pointers), never recursive.
 *
 * Why myhtml and not gumbo: on the 990 trafilatura pages gumbo took ~55%
 * of analyze's time even on the lean copy; myhtml builds the same HTML5
 * tree several times faster (docs/extraction.md has the figures).
 */
#include "html.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <stdio.h>

/* Pages whose estimated element nesting goes deeper than this are refused. */
#define NG_HTML_MAX_DEPTH 5000
/* Nesting beyond this depth costs the parser a stack walk per tag; the sum of
 * those excess depths (and of failed end-tag searches) is capped. */
#define NG_HTML_FREE_DEPTH 256
#define NG_HTML_WALK_BUDGET 20000000ull

/* ---- the nesting pre-scan ---------------------------------------------- */

static int lc(int c) { return (c >= 'A' && c <= 'Z') ? c + 32 : c; }
static int is_alpha(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static int is_ws(int c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

/* Finds the case-insensitive needle in s[i..n); returns its offset or n. */
static size_t find_ci(const char *s, size_t n, size_t i, const char *needle)
{
    size_t L = strlen(needle);
    if (L == 0 || L > n)
        return n;
    unsigned char c0 = (unsigned char)lc((unsigned char)needle[0]);
    unsigned char c1 = (c0 >= 'a' && c0 <= 'z') ? (unsigned char)(c0 - 32) : c0;
    while (i + L <= n) {
        /* the next place either case of the first byte occurs (memchr) */
        size_t span = n - L + 1 - i;
        const char *p = memchr(s + i, c0, span);
        if (c1 != c0) {
            const char *q = memchr(s + i, c1, p ? (size_t)(p - (s + i)) : span);
            if (q)
                p = q;
        }
        if (!p)
            return n;
        i = (size_t)(p - s);
        if (strncasecmp(s + i + 1, needle + 1, L - 1) == 0)
            return i;
        i++;
    }
    return n;
}

/* The myhtml tag id of an element name s[0..n) (any case), or
 * MyHTML_TAG__UNDEF for a name that is no HTML element. */
static myhtml_tag_id_t tag_id(myhtml_tree_t *tree, const char *s, size_t n)
{
    char low[32];
    if (n == 0 || n >= sizeof low)
        return MyHTML_TAG__UNDEF;
    for (size_t i = 0; i < n; i++)
        low[i] = (char)lc((unsigned char)s[i]);
    myhtml_tag_id_t t = myhtml_tag_id_by_name(tree, low, n);
    return (t <= MyHTML_TAG__DOCTYPE || t >= MyHTML_TAG_LAST_ENTRY) ? MyHTML_TAG__UNDEF : t;
}

/* Elements never pushed by the estimate: void elements, and elements that
 * are closed implicitly by their next sibling or that do not nest. */
static int prescan_unpushed(myhtml_tag_id_t t)
{
    switch (t) {
    case MyHTML_TAG_AREA: case MyHTML_TAG_BASE: case MyHTML_TAG_BASEFONT: case MyHTML_TAG_BGSOUND:
    case MyHTML_TAG_BR: case MyHTML_TAG_COL: case MyHTML_TAG_EMBED: case MyHTML_TAG_HR:
    case MyHTML_TAG_IMG: case MyHTML_TAG_INPUT: case MyHTML_TAG_KEYGEN: case MyHTML_TAG_LINK:
    case MyHTML_TAG_META: case MyHTML_TAG_PARAM: case MyHTML_TAG_SOURCE: case MyHTML_TAG_TRACK:
    case MyHTML_TAG_WBR: case MyHTML_TAG_FRAME: case MyHTML_TAG_IMAGE:
    case MyHTML_TAG_P: case MyHTML_TAG_LI: case MyHTML_TAG_DD: case MyHTML_TAG_DT:
    case MyHTML_TAG_OPTION: case MyHTML_TAG_OPTGROUP: case MyHTML_TAG_TR: case MyHTML_TAG_TD:
    case MyHTML_TAG_TH: case MyHTML_TAG_RB: case MyHTML_TAG_RP: case MyHTML_TAG_RT:
    case MyHTML_TAG_RTC: case MyHTML_TAG_TBODY: case MyHTML_TAG_THEAD: case MyHTML_TAG_TFOOT:
    case MyHTML_TAG_COLGROUP: case MyHTML_TAG_CAPTION: case MyHTML_TAG_HTML: case MyHTML_TAG_HEAD:
    case MyHTML_TAG_BODY: case MyHTML_TAG_A: case MyHTML_TAG_NOBR: case MyHTML_TAG_FORM:
    case MyHTML_TAG_BUTTON:
        return 1;
    default:
        return 0;
    }
}

/* "Special" elements (in the HTML5 sense) among those the estimate pushes:
 * an end tag of an ordinary element does not close through them. */
static int prescan_special(myhtml_tag_id_t t)
{
    switch (t) {
    case MyHTML_TAG_ADDRESS: case MyHTML_TAG_APPLET: case MyHTML_TAG_ARTICLE: case MyHTML_TAG_ASIDE:
    case MyHTML_TAG_BLOCKQUOTE: case MyHTML_TAG_CENTER: case MyHTML_TAG_DETAILS: case MyHTML_TAG_DIR:
    case MyHTML_TAG_DIV: case MyHTML_TAG_DL: case MyHTML_TAG_FIELDSET: case MyHTML_TAG_FIGCAPTION:
    case MyHTML_TAG_FIGURE: case MyHTML_TAG_FOOTER: case MyHTML_TAG_H1: case MyHTML_TAG_H2:
    case MyHTML_TAG_H3: case MyHTML_TAG_H4: case MyHTML_TAG_H5: case MyHTML_TAG_H6:
    case MyHTML_TAG_HEADER: case MyHTML_TAG_HGROUP: case MyHTML_TAG_LISTING: case MyHTML_TAG_MAIN:
    case MyHTML_TAG_MARQUEE: case MyHTML_TAG_MENU: case MyHTML_TAG_NAV: case MyHTML_TAG_NOSCRIPT:
    case MyHTML_TAG_OBJECT: case MyHTML_TAG_OL: case MyHTML_TAG_PRE: case MyHTML_TAG_SECTION:
    case MyHTML_TAG_SELECT: case MyHTML_TAG_SUMMARY: case MyHTML_TAG_TABLE: case MyHTML_TAG_TEMPLATE:
    case MyHTML_TAG_UL: case MyHTML_TAG_FRAMESET:
        return 1;
    default:
        return 0;
    }
}

/* ---- small string helpers ---------------------------------------------- */

/* The value of attribute name on an element node, or NULL. */
static const char *attr(myhtml_tree_node_t *n, const char *name)
{
    myhtml_tree_attr_t *a = myhtml_attribute_by_key(n, name, strlen(name));
    if (!a)
        return NULL;
    const char *v = myhtml_attribute_value(a, NULL);
    return v ? v : ""; /* <a href>, hidden: present without a value */
}

/* Case-insensitive equality of s[0..n) and the NUL-terminated word. */
static int eq_ci(const char *s, size_t n, const char *word)
{
    size_t L = strlen(word);
    return n == L && strncasecmp(s, word, n) == 0;
}

/* Case-insensitive substring test, for short attribute values. */
static int has_ci(const char *s, const char *needle)
{
    size_t n = strlen(s);
    return find_ci(s, n, 0, needle) < n;
}

/* Appends s[0..n) to b with runs of white space (ASCII, NBSP, control bytes) made one
 * space, *pend carrying a pending space across calls; leading space is
 * dropped when b is empty. */
static void put_collapsed(ng_buf *b, const char *s, size_t n, int *pend)
{
    size_t i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        if (c <= 0x20) { /* white space, and control bytes (a NUL the parser let through) */
            *pend = 1;
            i++;
            continue;
        }
        if (c == 0xC2 && i + 1 < n && (unsigned char)s[i + 1] == 0xA0) {
            *pend = 1;
            i += 2;
            continue;
        }
        size_t j = i + 1;
        while (j < n) {
            unsigned char d = (unsigned char)s[j];
            if (d <= 0x20 || d == 0xC2)
                break;
            j++;
        }
        if (*pend && b->len > 0)
            ng_buf_putc(b, ' ');
        *pend = 0;
        ng_buf_put(b, s + i, j - i);
        i = j;
    }
}

/* ---- class and id cues ------------------------------------------------- */

/* Adds the cue weight of one word (already lowercase) to *pos / *neg. */
static void cue_word(const ng_model *m, const char *s, size_t n, int *pos, int *neg)
{
    if (n == 0 || n > 64)
        return;
    if (ng_strset_has(&m->html_negative, s, n)) {
        (*neg)++;
        return;
    }
    if (ng_strset_has(&m->html_positive, s, n)) {
        (*pos)++;
        return;
    }
    /* a compound ("share-buttons", "post_body"): its parts */
    size_t a = 0;
    for (size_t i = 0; i <= n; i++) {
        /* a BEM modifier ("section--ads", "teaser--wide") says what the
         * block may hold, not what it is: its words are not cues */
        if (i + 1 < n && s[i] == '-' && s[i + 1] == '-')
            n = i;
        if (i == n || s[i] == '-' || s[i] == '_' || s[i] == ':' || s[i] == '.') {
            size_t L = i - a;
            if (L > 1 && L < n) {
                if (ng_strset_has(&m->html_negative, s + a, L))
                    (*neg)++;
                else if (ng_strset_has(&m->html_positive, s + a, L))
                    (*pos)++;
            }
            a = i + 1;
        }
    }
}

/* Adds the cue weight of a class or id value s[0..n) (space-separated
 * names) to *pos / *neg. */
static void cue_value(const ng_model *m, const char *s, size_t n, int *pos, int *neg)
{
    char low[128];
    size_t i = 0;
    if (n > 512)
        n = 512;
    while (i < n) {
        while (i < n && is_ws((unsigned char)s[i]))
            i++;
        size_t a = i;
        while (i < n && !is_ws((unsigned char)s[i]))
            i++;
        size_t L = i - a;
        if (L == 0 || L >= sizeof low)
            continue;
        for (size_t k = 0; k < L; k++)
            low[k] = (char)lc((unsigned char)s[a + k]);
        cue_word(m, low, L, pos, neg);
    }
}

/* The cue weight the pre-pass stored on an element ("ngc" attribute). */
static int cue_weight(myhtml_tree_node_t *n)
{
    const char *v = attr(n, "ngc");
    return v ? atoi(v) : 0;
}

/* Attributes copied as they are into the copy given to the parser.  class and
 * id become one "ngc" attribute (their cue weight), hidden/aria-hidden/
 * style one "hidden", href keeps its name only; the rest is dropped. */
static int kept_attr(const char *s, size_t n)
{
    static const char *const keep[] = {"role", "itemprop", "content", "property", "name", "http-equiv",
                                       "datetime", "pubdate", "lang", "type", "charset", NULL};
    for (size_t i = 0; keep[i]; i++)
        if (eq_ci(s, n, keep[i]))
            return 1;
    return 0;
}

/* Appends text with each run of ASCII white space made one space (the
 * reader collapses white space anyway; the parser has less to read). */
static void put_text_lean(ng_buf *out, const char *s, size_t n)
{
    size_t i = 0, run = 0; /* s[run..i) is copied as it is */
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        if (!is_ws(c)) {
            i++;
            continue;
        }
        /* a single ' ' between words stays; other white space is rewritten */
        if (c == ' ' && (i + 1 >= n || !is_ws((unsigned char)s[i + 1]))) {
            i++;
            continue;
        }
        ng_buf_put(out, s + run, i - run);
        ng_buf_putc(out, ' ');
        while (i < n && is_ws((unsigned char)s[i]))
            i++;
        run = i;
    }
    ng_buf_put(out, s + run, i - run);
}

/* Finds the end tag "</name" (followed by white space, '/' or '>') from
 * offset i; returns its offset or n. */
static size_t find_end_tag(const char *s, size_t n, size_t i, const char *name)
{
    char closer[24];
    size_t L = strlen(name);
    if (L + 3 > sizeof closer)
        return n;
    closer[0] = '<';
    closer[1] = '/';
    memcpy(closer + 2, name, L + 1);
    for (;;) {
        i = find_ci(s, n, i, closer);
        if (i >= n)
            return n;
        size_t k = i + L + 2;
        if (k >= n || is_ws((unsigned char)s[k]) || s[k] == '/' || s[k] == '>')
            return i;
        i++;
    }
}

/* Skips past the '>' that ends the tag starting at or before i; returns the
 * offset after it (or n). */
static size_t skip_to_gt(const char *s, size_t n, size_t i)
{
    const char *gt = i < n ? memchr(s + i, '>', n - i) : NULL;
    return gt ? (size_t)(gt - s) + 1 : n;
}

/* Does a class or id value name a publication date ("post-date",
 * "news-time", "datum")?  Modification stamps do not count. */
static int date_class(const char *s, size_t n)
{
    char low[257];
    if (n == 0 || n >= sizeof low)
        return 0;
    for (size_t i = 0; i < n; i++)
        low[i] = (char)lc((unsigned char)s[i]);
    low[n] = '\0';
    if (!strstr(low, "dat") && !strstr(low, "time") && !strstr(low, "posted") && !strstr(low, "publish") &&
        !strstr(low, "fecha"))
        return 0;
    if (!strstr(low, "date") && !strstr(low, "datum") && !strstr(low, "time") && !strstr(low, "posted") &&
        !strstr(low, "publish") && !strstr(low, "fecha"))
        return 0;
    if (strstr(low, "update") || strstr(low, "modif") || strstr(low, "timeline") || strstr(low, "runtime"))
        return strstr(low, "publish") != NULL;
    return 1;
}

/* One remembered class/id value of the page being copied: s[off..off+len-1)
 * (len 0: empty slot), its cue counts and whether it names a date. */
#define NG_CUE_MEMO 512
typedef struct {
    size_t off, len;
    int16_t pos, neg;
    uint8_t dated;
} cue_memo;

/* Writes " ngc=N" (the class/id cue weight) to out. */
static void put_cue(ng_buf *out, int w)
{
    char num[16];
    size_t k = sizeof num;
    unsigned u = (unsigned)(w < 0 ? -w : w);
    do {
        num[--k] = (char)('0' + u % 10);
        u /= 10;
    } while (u && k > 1);
    if (w < 0)
        num[--k] = '-';
    ng_buf_put(out, " ngc=", 5);
    ng_buf_put(out, num + k, sizeof num - k);
}

/* Makes the copy of the page that myhtml parses, and estimates its nesting.
 *
 * The copy leaves out what the reader never uses and what costs the parser the
 * most: comments, <script> (except JSON-LD), <style>, <svg>, <math>,
 * <noscript>, the contents of <textarea>/<iframe>, and every attribute but
 * the few the reader reads (kept_attr).  On news pages that is about two
 * thirds of the bytes.  Tags are tokenized as the HTML5 tokenizer does
 * (quoted and unquoted values, '/' and '>' inside them), so the tree myhtml
 * builds from the copy has the same shape.
 *
 * The nesting estimate is an upper bound: elements that close themselves
 * implicitly (<p>, <li>, table parts, void elements) are not counted, an
 * end tag pops up to its element the way the tree builder does.  Linear in
 * n: every pushed entry is popped at most once, and a failed search is
 * charged to the walk budget.
 *
 * Returns NG_OK, NG_ENOMEM, or NG_EFORMAT with the detail set on w when the
 * page nests too deeply to parse safely. */
static int html_prepare(ng_worker *w, const ng_model *m, myhtml_tree_t *tree, const char *s, size_t n, ng_buf *out)
{
    uint32_t stack[NG_HTML_MAX_DEPTH + 1];
    uint32_t counts[1024]; /* open entries per key bucket */
    cue_memo memo[NG_CUE_MEMO];
    memset(memo, 0, sizeof memo);
    size_t depth = 0, maxdepth = 0;
    unsigned long long walk = 0;
    memset(counts, 0, sizeof counts);
    if (ng_buf_reserve(out, n / 2 + 64) != NG_OK && out->oom)
        return ng_worker_fail(w, NG_ENOMEM, "out of memory");
    size_t i = 0;
    while (i < n) {
        const char *lt = memchr(s + i, '<', n - i);
        size_t at = lt ? (size_t)(lt - s) : n;
        put_text_lean(out, s + i, at - i);
        if (!lt)
            break;
        i = at + 1;
        if (i >= n) {
            ng_buf_putc(out, '<');
            break;
        }
        if (s[i] == '!') {
            if (i + 2 < n && s[i + 1] == '-' && s[i + 2] == '-') {
                size_t e = i + 3;
                if (e < n && s[e] == '>') {
                    i = e + 1;
                    continue;
                }
                if (e + 1 < n && s[e] == '-' && s[e + 1] == '>') {
                    i = e + 2;
                    continue;
                }
                for (;;) {
                    const char *d = e < n ? memchr(s + e, '-', n - e) : NULL;
                    if (!d) {
                        e = n;
                        break;
                    }
                    e = (size_t)(d - s);
                    if (e + 2 < n && s[e + 1] == '-' && s[e + 2] == '>') {
                        e += 3;
                        break;
                    }
                    if (e + 3 < n && s[e + 1] == '-' && s[e + 2] == '!' && s[e + 3] == '>') {
                        e += 4;
                        break;
                    }
                    e++;
                }
                i = e;
                continue;
            }
            size_t e = skip_to_gt(s, n, i);
            if (i + 7 <= n && strncasecmp(s + i + 1, "doctype", 7) == 0)
                ng_buf_put(out, s + at, e - at);
            i = e;
            continue;
        }
        if (s[i] == '?') {
            i = skip_to_gt(s, n, i);
            continue;
        }
        int end = 0;
        if (s[i] == '/') {
            if (i + 1 < n && is_alpha((unsigned char)s[i + 1])) {
                end = 1;
                i++;
            } else {
                /* "</>" is dropped, "</ x" is a bogus comment: either way nothing */
                i = skip_to_gt(s, n, i);
                continue;
            }
        }
        if (!is_alpha((unsigned char)s[i])) {
            ng_buf_putc(out, '<'); /* a literal '<' in text */
            continue;
        }
        size_t ns = i;
        while (i < n && !is_ws((unsigned char)s[i]) && s[i] != '/' && s[i] != '>')
            i++;
        size_t nl = i - ns;
        myhtml_tag_id_t tag = tag_id(tree, s + ns, nl);
        uint32_t key = (uint32_t)tag;
        if (tag == MyHTML_TAG__UNDEF) {
            uint32_t hsh = 2166136261u;
            for (size_t k = ns; k < i && k < ns + 64; k++)
                hsh = (hsh ^ (uint32_t)lc((unsigned char)s[k])) * 16777619u;
            key = 0x10000u | (hsh & 0xffffu);
        }
        /* attributes, as the HTML5 tokenizer reads them */
        size_t tag_out = out->len;
        if (!end) {
            ng_buf_putc(out, '<');
            ng_buf_put(out, s + ns, nl);
        }
        int selfclose = 0, ldjson = 0, hide = 0, pos = 0, neg = 0, dated = 0, canon = 0;
        size_t hs = 0, hl = 0; /* the href of a <link> */
        while (i < n && s[i] != '>') {
            unsigned char c = (unsigned char)s[i];
            if (is_ws(c)) {
                i++;
                continue;
            }
            if (c == '/') {
                i++;
                if (i < n && s[i] == '>')
                    selfclose = 1;
                continue;
            }
            size_t as = i++; /* a name may start with '=' */
            while (i < n && !is_ws((unsigned char)s[i]) && s[i] != '/' && s[i] != '>' && s[i] != '=')
                i++;
            size_t al = i - as;
            size_t j = i;
            while (j < n && is_ws((unsigned char)s[j]))
                j++;
            size_t vs = 0, vl = 0;
            if (j < n && s[j] == '=') {
                j++;
                while (j < n && is_ws((unsigned char)s[j]))
                    j++;
                if (j < n && (s[j] == '"' || s[j] == '\'')) {
                    const char *q = memchr(s + j + 1, s[j], n - j - 1);
                    vs = j + 1;
                    vl = (q ? (size_t)(q - s) : n) - vs;
                    j = q ? (size_t)(q - s) + 1 : n;
                } else {
                    vs = j;
                    while (j < n && !is_ws((unsigned char)s[j]) && s[j] != '>')
                        j++;
                    vl = j - vs;
                }
                i = j;
            }
            if (end)
                continue;
            const char *an = s + as, *av = s + vs;
            size_t raw = (vs ? vs + vl + (i > vs + vl ? 1 : 0) : as + al) - as;
            if (tag == MyHTML_TAG_LINK && eq_ci(an, al, "rel")) {
                canon = vl >= 9 && find_ci(av, vl, 0, "canonical") < vl;
            } else if (tag == MyHTML_TAG_LINK && eq_ci(an, al, "href")) {
                hs = vs, hl = vl;
            } else if (eq_ci(an, al, "class") || eq_ci(an, al, "id")) {
                /* class values repeat across a page: their cue weight
                 * and date sign are looked up once per distinct value */
                uint32_t hsh = 2166136261u;
                for (size_t k = 0; k < vl; k++)
                    hsh = (hsh ^ (unsigned char)av[k]) * 16777619u;
                cue_memo *cm = &memo[hsh & (NG_CUE_MEMO - 1)];
                if (!(cm->len == vl + 1 && memcmp(s + cm->off, av, vl) == 0)) {
                    int p1 = 0, n1 = 0;
                    cue_value(m, av, vl, &p1, &n1);
                    cm->off = vs;
                    cm->len = vl + 1;
                    cm->pos = (int16_t)(p1 > 1000 ? 1000 : p1);
                    cm->neg = (int16_t)(n1 > 1000 ? 1000 : n1);
                    cm->dated = (uint8_t)date_class(av, vl);
                }
                pos += cm->pos;
                neg += cm->neg;
                if (cm->dated)
                    dated = 1;
                if (tag == MyHTML_TAG_TIME) {
                    ng_buf_putc(out, ' ');
                    ng_buf_put(out, an, raw);
                }
            } else if (eq_ci(an, al, "href")) {
                ng_buf_put(out, " href", 5);
            } else if (eq_ci(an, al, "hidden")) {
                hide = 1;
            } else if (eq_ci(an, al, "aria-hidden")) {
                if (vl == 4 && strncasecmp(av, "true", 4) == 0)
                    hide = 1;
            } else if (eq_ci(an, al, "style")) {
                if (vl && (find_ci(av, vl, 0, "display:none") < vl || find_ci(av, vl, 0, "display: none") < vl ||
                           find_ci(av, vl, 0, "visibility:hidden") < vl))
                    hide = 1;
            } else if (eq_ci(an, al, "title") && (tag == MyHTML_TAG_ABBR || tag == MyHTML_TAG_TIME)) {
                ng_buf_putc(out, ' ');
                ng_buf_put(out, an, raw);
            } else if (kept_attr(an, al)) {
                if (tag == MyHTML_TAG_SCRIPT && eq_ci(an, al, "type") && vl && find_ci(av, vl, 0, "ld+json") < vl)
                    ldjson = 1;
                ng_buf_putc(out, ' ');
                ng_buf_put(out, an, raw);
            }
        }
        if (!end && pos != neg)
            put_cue(out, pos - neg);
        if (!end && hide)
            ng_buf_put(out, " hidden", 7);
        if (!end && dated)
            ng_buf_put(out, " ngd", 4);
        if (i < n)
            i++; /* '>' */
        if (end && tag == MyHTML_TAG_NOSCRIPT)
            continue;
        if (end) {
            ng_buf_put(out, "</", 2);
            ng_buf_put(out, s + ns, nl);
            ng_buf_putc(out, '>');
            if (counts[key & 1023u] == 0)
                continue;
            /* pop up to the element; an ordinary end tag stops at a special element */
            int special_end = tag != MyHTML_TAG__UNDEF && prescan_special(tag);
            size_t k = depth;
            while (k > 0) {
                uint32_t e = stack[k - 1];
                if (e == key)
                    break;
                if (!special_end && e < 0x10000u && prescan_special((myhtml_tag_id_t)e)) {
                    k = 0;
                    break;
                }
                k--;
            }
            if (k == 0) {
                walk += depth;
                if (walk > NG_HTML_WALK_BUDGET)
                    return ng_worker_fail(w, NG_EFORMAT, "HTML too deeply nested to parse in reasonable time (%zu levels)", maxdepth);
                continue;
            }
            while (depth >= k) {
                counts[stack[depth - 1] & 1023u]--;
                depth--;
            }
            continue;
        }
        if (selfclose) {
            ng_buf_put(out, "/>", 2); /* the parser ignores it on HTML elements */
        } else {
            ng_buf_putc(out, '>');
        }
        if (tag == MyHTML_TAG_PLAINTEXT) {
            ng_buf_put(out, s + i, n - i);
            break;
        }
        if (selfclose && (tag == MyHTML_TAG_SVG || tag == MyHTML_TAG_MATH)) {
            out->len = tag_out;
            continue;
        }
        switch (tag) {
        case MyHTML_TAG_IMG: case MyHTML_TAG_LINK: case MyHTML_TAG_INPUT: case MyHTML_TAG_SOURCE:
        case MyHTML_TAG_TRACK: case MyHTML_TAG_WBR:
            out->len = tag_out; /* void elements the reader never looks at */
            /* but the canonical URL may carry the date: it becomes a meta */
            if (canon && hl > 0 && hl < 1024 && !memchr(s + hs, '"', hl) && !memchr(s + hs, '<', hl)) {
                ng_buf_put(out, "<meta name=\"ng:canonical\" content=\"", 36);
                ng_buf_put(out, s + hs, hl);
                ng_buf_put(out, "\">", 2);
            }
            continue;
        case MyHTML_TAG_SCRIPT: {
            size_t e = find_end_tag(s, n, i, "script");
            if (ldjson) {
                ng_buf_put(out, s + i, e - i);
                ng_buf_put(out, "</script>", 9);
            } else {
                out->len = tag_out;
            }
            i = skip_to_gt(s, n, e);
            continue;
        }
        case MyHTML_TAG_NOSCRIPT:
            /* the copy runs no scripts: what a page shows without them
             * (some blogs put the article there) is ordinary markup */
            out->len = tag_out;
            continue;
        case MyHTML_TAG_STYLE: case MyHTML_TAG_SVG: case MyHTML_TAG_MATH:
        case MyHTML_TAG_TEXTAREA: case MyHTML_TAG_IFRAME: case MyHTML_TAG_NOEMBED: case MyHTML_TAG_NOFRAMES:
        case MyHTML_TAG_XMP: case MyHTML_TAG_BUTTON: case MyHTML_TAG_SELECT: {
            /* the whole element goes (svg/math: up to the first end tag) */
            size_t e = find_end_tag(s, n, i, myhtml_tag_name_by_id(tree, tag, NULL));
            out->len = tag_out;
            i = skip_to_gt(s, n, e);
            continue;
        }
        case MyHTML_TAG_TITLE: {
            size_t e = find_end_tag(s, n, i, "title");
            ng_buf_put(out, s + i, e - i);
            ng_buf_put(out, "</title>", 8);
            i = skip_to_gt(s, n, e);
            continue;
        }
        default:
            break;
        }
        /* "<div/>" opens a div: the slash counts only in foreign content,
         * and the copy has none */
        if (tag != MyHTML_TAG__UNDEF && prescan_unpushed(tag)) {
            /* not pushed, but its start tag ("is there a <p> in button
             * scope?") still walks the open elements */
            if (depth > NG_HTML_FREE_DEPTH) {
                walk += depth - NG_HTML_FREE_DEPTH;
                if (walk > NG_HTML_WALK_BUDGET)
                    return ng_worker_fail(w, NG_EFORMAT, "HTML too deeply nested to parse in reasonable time (%zu levels)", maxdepth);
            }
            continue;
        }
        if (depth >= NG_HTML_MAX_DEPTH)
            return ng_worker_fail(w, NG_EFORMAT, "HTML nested deeper than %d levels", NG_HTML_MAX_DEPTH);
        stack[depth++] = key;
        counts[key & 1023u]++;
        if (depth > maxdepth)
            maxdepth = depth;
        if (depth > NG_HTML_FREE_DEPTH) {
            walk += depth - NG_HTML_FREE_DEPTH;
            if (walk > NG_HTML_WALK_BUDGET)
                return ng_worker_fail(w, NG_EFORMAT, "HTML too deeply nested to parse in reasonable time (%zu levels)", maxdepth);
        }
    }
    if (out->oom)
        return ng_worker_fail(w, NG_ENOMEM, "out of memory");
    return NG_OK;
}

/* ---- metadata ---------------------------------------------------------- */

/* A tiny ISO 8601 reader used while ng_date_normalize knows no date:
 * "YYYY-MM-DD..." becomes "YYYY-MM-DD".  Returns 1 on success. */
static int iso_fallback(const char *s, size_t n, char *out, size_t cap)
{
    if (n < 10 || cap < 11)
        return 0;
    for (int i = 0; i < 10; i++) {
        if (i == 4 || i == 7) {
            if (s[i] != '-')
                return 0;
        } else if (s[i] < '0' || s[i] > '9') {
            return 0;
        }
    }
    int mo = (s[5] - '0') * 10 + (s[6] - '0');
    int d = (s[8] - '0') * 10 + (s[9] - '0');
    if (mo < 1 || mo > 12 || d < 1 || d > 31)
        return 0;
    memcpy(out, s, 10);
    out[10] = '\0';
    return 1;
}

/* Publication date candidates, best first: explicit publication metadata,
 * generic date metadata, creation dates, the URL (a full date in a URL is
 * rarely wrong), the <time> near the headline, any other <time>, a date
 * written near the headline, and modification dates last. */
enum {
    DATE_PUBLISHED, /* article:published_time, datePublished (meta, itemprop, JSON-LD) */
    DATE_META,      /* other publication meta names, <time pubdate> */
    DATE_CREATED,   /* dateCreated, uploadDate, dcterms.created */
    DATE_GUESS,     /* a meta name with "date" in it and no sign of modification */
    DATE_URL,       /* /2022/01/20/ in the URL */
    DATE_TIME_NEAR, /* the first <time> after the <h1> or inside <article>/<main> */
    DATE_CLASS_NEAR, /* the text of the first element with a date class/id, after the <h1> or inside <article> */
    DATE_TIME,      /* the first <time> not inside nav/aside/footer */
    DATE_TEXT,      /* a date written in a segment near the <h1> */
    DATE_CLASS,     /* the text of the first element with a date class/id elsewhere */
    DATE_MODIFIED,  /* article:modified_time, dateModified */
    DATE_ALONE,     /* a short block that is a date, maybe after a label ("Datum: 26. Januar 2022") */
    DATE_LASTMOD,   /* http-equiv last-modified */
    DATE_NRANKS
};

/* What the walk collects besides the text. */
typedef struct {
    const char *og_title, *tw_title, *site_name, *lang, *og_locale, *content_lang;
    const char *og_url;             /* og:url, or the canonical link the lean copy kept */
    const ng_model *m;
    char iso[DATE_NRANKS][40];      /* first date of each rank, ISO 8601, or "" */
    ng_buf title;                   /* the <title> text */
    int have_title;
    int seen_h1;                    /* the walk has entered an <h1> */
    int32_t h1_seg;                 /* first segment owned by an h1, or -1 */
} meta_info;

/* Meta names that carry the publication date. */
static const char *const meta_published_names[] = {
    "article:published_time", "og:published_time", "og:article:published_time", "datepublished",
    "article.published", "article_published", "publish-date", "publish_date", "publishdate", "pubdate",
    "dc.date.issued", "dcterms.issued", "dc:date.issued", "sailthru.date", "parsely-pub-date",
    "date", "dc.date", "dc:date", "dcterms.date", "originalpublicationdate", "citation_publication_date",
    "citation_date", "bepress_citation_date", "publication_date", "release_date", "article_date_original",
    "cxenseparse:recs:publishtime", "content_publication_date", "pub_date", "display-date",
    "shareaholic:article_published_time", "article:published", "published_time", "published",
    "datepublication", "publication-date", "date.published", "dateposted", NULL};
static const char *const meta_created_names[] = {
    "datecreated", "dc.date.created", "dcterms.created", "dc:date.created", "created", "uploaddate",
    "creation_date", NULL};
static const char *const meta_modified_names[] = {
    "article:modified_time", "og:updated_time", "datemodified", "dc.date.modified", "dcterms.modified",
    "lastmod", "article:updated_time", "updated", "modified", "og:modified_time", "dateupdate",
    "last-modified", "revised", NULL};

static int in_list(const char *const *list, const char *s)
{
    for (size_t i = 0; list[i]; i++)
        if (strcasecmp(list[i], s) == 0)
            return 1;
    return 0;
}

/* The rank of a metadata key (meta name/property/itemprop) that names a
 * date, or -1. */
static int date_key_rank(const char *key)
{
    if (!strcasecmp(key, "article:published_time") || !strcasecmp(key, "datePublished") ||
        !strcasecmp(key, "og:article:published_time"))
        return DATE_PUBLISHED;
    if (in_list(meta_published_names, key))
        return DATE_META;
    if (in_list(meta_created_names, key))
        return DATE_CREATED;
    if (in_list(meta_modified_names, key))
        return DATE_MODIFIED;
    int modif = has_ci(key, "modif") || has_ci(key, "updat") || has_ci(key, "expir") || has_ci(key, "valid") ||
                has_ci(key, "revis") || has_ci(key, "gentime") || has_ci(key, "lastmod");
    if (modif)
        return (has_ci(key, "modif") || has_ci(key, "updat")) ? DATE_MODIFIED : -1;
    if ((has_ci(key, "publish") && !has_ci(key, "publisher")) || has_ci(key, "pubdate") || has_ci(key, "issued"))
        return DATE_META;
    if (has_ci(key, "date") && !has_ci(key, "start") && !has_ci(key, "end") && !has_ci(key, "birth") &&
        !has_ci(key, "event") && !has_ci(key, "copyright"))
        return DATE_GUESS;
    return -1;
}

/* Offers s[0..n) as the date of a rank: kept when the rank has none yet
 * and s reads as a date from 1995 on (its ISO form goes to mi->iso). */
static void date_candidate(meta_info *mi, int rank, const char *s, size_t n)
{
    if (!s || n == 0 || rank < 0 || mi->iso[rank][0])
        return;
    while (n && is_ws((unsigned char)*s)) {
        s++;
        n--;
    }
    if (n == 0 || n > 200)
        return;
    char iso[64];
    if (!ng_date_normalize(mi->m, s, n, iso, sizeof iso) && !iso_fallback(s, n, iso, sizeof iso))
        return;
    if (strncmp(iso, "1995", 4) < 0 || strlen(iso) >= sizeof mi->iso[rank])
        return;
    memcpy(mi->iso[rank], iso, strlen(iso) + 1);
}

/* Reads one <meta>. */
static void meta_tag(meta_info *mi, myhtml_tree_node_t *n)
{
    const char *content = attr(n, "content");
    const char *key = attr(n, "property");
    if (!key)
        key = attr(n, "name");
    if (!key)
        key = attr(n, "itemprop");
    const char *eq = attr(n, "http-equiv");
    if (eq && content && strcasecmp(eq, "content-language") == 0 && !mi->content_lang)
        mi->content_lang = content;
    if (eq && content && strcasecmp(eq, "last-modified") == 0)
        date_candidate(mi, DATE_LASTMOD, content, strlen(content));
    if (eq && content && strcasecmp(eq, "date") == 0)
        date_candidate(mi, DATE_GUESS, content, strlen(content));
    if (!key || !content)
        return;
    if (strcasecmp(key, "og:title") == 0) {
        if (!mi->og_title)
            mi->og_title = content;
    } else if (strcasecmp(key, "twitter:title") == 0) {
        if (!mi->tw_title)
            mi->tw_title = content;
    } else if (strcasecmp(key, "og:site_name") == 0 || strcasecmp(key, "application-name") == 0) {
        if (!mi->site_name)
            mi->site_name = content;
    } else if (strcasecmp(key, "og:locale") == 0) {
        if (!mi->og_locale)
            mi->og_locale = content;
    } else if (strcasecmp(key, "og:url") == 0 || strcasecmp(key, "ng:canonical") == 0) {
        if (!mi->og_url)
            mi->og_url = content;
    } else if (strcasecmp(key, "last-modified") == 0) {
        date_candidate(mi, DATE_LASTMOD, content, strlen(content));
    } else {
        date_candidate(mi, date_key_rank(key), content, strlen(content));
    }
}

/* Finds "key" : "value" in a JSON-LD script; returns the value's start and
 * length, or NULL. */
static const char *jsonld_value(const char *s, size_t n, const char *key, size_t *len)
{
    size_t L = strlen(key);
    for (size_t i = 0; i + L + 2 < n; i++) {
        if (s[i] != '"' || memcmp(s + i + 1, key, L) != 0 || s[i + 1 + L] != '"')
            continue;
        size_t j = i + L + 2;
        while (j < n && is_ws((unsigned char)s[j]))
            j++;
        if (j >= n || s[j] != ':')
            continue;
        j++;
        while (j < n && is_ws((unsigned char)s[j]))
            j++;
        if (j >= n || s[j] != '"')
            continue;
        size_t a = ++j;
        while (j < n && s[j] != '"' && j - a < 100)
            j++;
        if (j >= n || s[j] != '"')
            continue;
        *len = j - a;
        return s + a;
    }
    return NULL;
}

/* The text of a node's first text child (script, title), or NULL. */
static const char *first_text(myhtml_tree_node_t *n, size_t *len)
{
    for (myhtml_tree_node_t *c = myhtml_node_child(n); c; c = myhtml_node_next(c)) {
        if (myhtml_node_tag_id(c) == MyHTML_TAG__TEXT) {
            const char *t = myhtml_node_text(c, len);
            if (t)
                return t;
        }
    }
    return NULL;
}

/* Gathers the text of an element's subtree (at most 64 nodes, 4 levels
 * down, in document order), pieces joined by a space, into out[cap]
 * (NUL-terminated); returns its length (0 when it holds no text). */
static size_t deep_text(myhtml_tree_node_t *n, char *out, size_t cap)
{
    unsigned seen = 0;
    int depth = 0;
    size_t o = 0;
    out[0] = '\0';
    myhtml_tree_node_t *x = myhtml_node_child(n);
    while (x && seen++ < 64) {
        myhtml_tag_id_t t = myhtml_node_tag_id(x);
        if (t == MyHTML_TAG__TEXT) {
            size_t L = 0;
            const char *v = myhtml_node_text(x, &L);
            if (v && L) {
                if (o + L + 2 > cap)
                    return o;
                if (o)
                    out[o++] = ' ';
                memcpy(out + o, v, L);
                o += L;
                out[o] = '\0';
            }
        } else if (t != MyHTML_TAG__COMMENT && depth < 4 && myhtml_node_child(x)) {
            x = myhtml_node_child(x);
            depth++;
            continue;
        }
        /* next in document order, not leaving n's subtree */
        while (x && !myhtml_node_next(x) && depth > 0) {
            x = myhtml_node_parent(x);
            depth--;
        }
        x = x ? myhtml_node_next(x) : NULL;
    }
    return o;
}

/* ---- the walk: flatten the tree ---------------------------------------- */

static int block_tag(myhtml_tag_id_t t)
{
    switch (t) {
    case MyHTML_TAG_ADDRESS: case MyHTML_TAG_ARTICLE: case MyHTML_TAG_ASIDE: case MyHTML_TAG_BLOCKQUOTE:
    case MyHTML_TAG_BODY: case MyHTML_TAG_DD: case MyHTML_TAG_DETAILS:
    case MyHTML_TAG_DIV: case MyHTML_TAG_DL: case MyHTML_TAG_DT: case MyHTML_TAG_FIELDSET:
    case MyHTML_TAG_FIGCAPTION: case MyHTML_TAG_FIGURE: case MyHTML_TAG_FOOTER: case MyHTML_TAG_FORM:
    case MyHTML_TAG_H1: case MyHTML_TAG_H2: case MyHTML_TAG_H3: case MyHTML_TAG_H4: case MyHTML_TAG_H5:
    case MyHTML_TAG_H6: case MyHTML_TAG_HEADER: case MyHTML_TAG_HGROUP: case MyHTML_TAG_HR:
    case MyHTML_TAG_LI: case MyHTML_TAG_MAIN: case MyHTML_TAG_NAV: case MyHTML_TAG_OL: case MyHTML_TAG_P:
    case MyHTML_TAG_PRE: case MyHTML_TAG_SECTION: case MyHTML_TAG_TABLE: case MyHTML_TAG_TBODY:
    case MyHTML_TAG_TD: case MyHTML_TAG_TFOOT: case MyHTML_TAG_TH: case MyHTML_TAG_THEAD: case MyHTML_TAG_TR:
    case MyHTML_TAG_UL: case MyHTML_TAG_CAPTION: case MyHTML_TAG_CENTER: case MyHTML_TAG_SUMMARY:
    case MyHTML_TAG_MENU: case MyHTML_TAG_HTML: case MyHTML_TAG_LISTING: case MyHTML_TAG_DIR:
    case MyHTML_TAG_BR: case MyHTML_TAG_TITLE:
        return 1;
    default:
        return 0;
    }
}

/* Elements whose subtree is never article text. */
static int skip_tag(myhtml_tag_id_t t)
{
    switch (t) {
    case MyHTML_TAG_SCRIPT: case MyHTML_TAG_STYLE: case MyHTML_TAG_NOSCRIPT: case MyHTML_TAG_TEMPLATE:
    case MyHTML_TAG_SVG: case MyHTML_TAG_MATH: case MyHTML_TAG_IFRAME: case MyHTML_TAG_OBJECT:
    case MyHTML_TAG_EMBED: case MyHTML_TAG_CANVAS: case MyHTML_TAG_SELECT: case MyHTML_TAG_TEXTAREA:
    case MyHTML_TAG_INPUT: case MyHTML_TAG_BUTTON: case MyHTML_TAG_TITLE:
    case MyHTML_TAG_META: case MyHTML_TAG_LINK: case MyHTML_TAG_AUDIO: case MyHTML_TAG_VIDEO:
    case MyHTML_TAG_MAP: case MyHTML_TAG_NOFRAMES: case MyHTML_TAG_NOEMBED:
        return 1;
    default:
        return 0;
    }
}

typedef struct {
    const ng_model *m;
    ng_hpage *pg;
    meta_info *mi;
    int32_t cur;     /* current element, -1 above the root */
    int32_t seg;     /* open segment, -1 after a block boundary */
    int pend;        /* a space is pending in the open segment */
    int in_link;     /* open <a href> elements */
    int in_bad;      /* open nav/aside/footer/form... elements (by tag or role) */
    int in_art;      /* open <article>/<main>/role=main elements */
    int tspace;      /* pending space of the <title> text */
} walk_ctx;

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 1;
    size_t nc = *cap ? *cap * 2 : 256;
    while (nc < need)
        nc *= 2;
    void *q = realloc(*p, nc * size);
    if (!q)
        return 0;
    *p = q;
    *cap = nc;
    return 1;
}

/* Reads the element's metadata, if any; returns 1 when its subtree is to
 * be skipped. */
static int element_meta(walk_ctx *c, myhtml_tree_node_t *n, myhtml_tag_id_t t)
{
    meta_info *mi = c->mi;
    if (t == MyHTML_TAG_META) {
        meta_tag(mi, n);
        return 1;
    }
    if (t == MyHTML_TAG_TITLE && myhtml_node_namespace(n) == MyHTML_NAMESPACE_HTML && !mi->have_title) {
        size_t L;
        const char *s = first_text(n, &L);
        if (s) {
            put_collapsed(&mi->title, s, L, &c->tspace);
            mi->have_title = 1;
        }
        return 1;
    }
    if (t == MyHTML_TAG_SCRIPT) {
        const char *ty = attr(n, "type");
        size_t L;
        const char *s;
        if (ty && has_ci(ty, "ld+json") && (s = first_text(n, &L)) != NULL) {
            static const struct {
                const char *key;
                int rank;
            } keys[] = {{"datePublished", DATE_PUBLISHED}, {"dateCreated", DATE_CREATED},
                        {"uploadDate", DATE_CREATED}, {"dateModified", DATE_MODIFIED}};
            for (size_t k = 0; k < sizeof keys / sizeof *keys; k++) {
                size_t vl;
                const char *v = jsonld_value(s, L, keys[k].key, &vl);
                if (v)
                    date_candidate(mi, keys[k].rank, v, vl);
            }
        }
        return 1;
    }
    if (t == MyHTML_TAG_HTML && !mi->lang)
        mi->lang = attr(n, "lang");
    if (t == MyHTML_TAG_H1)
        mi->seen_h1 = 1;
    const char *ip = attr(n, "itemprop");
    if (ip && !c->in_bad) {
        const char *v = attr(n, "content");
        if (!v)
            v = attr(n, "datetime");
        if (!v)
            v = attr(n, "title");
        size_t vl = v ? strlen(v) : 0;
        char tb[160];
        if (!v) {
            vl = deep_text(n, tb, sizeof tb);
            v = vl ? tb : NULL;
        }
        int rank = date_key_rank(ip);
        if (v && rank >= 0 && rank != DATE_GUESS)
            date_candidate(mi, rank, v, vl);
    }
    if (t != MyHTML_TAG_TIME && !c->in_bad && attr(n, "ngd")) {
        char tb[160];
        const char *v = attr(n, "title");
        size_t vl = v ? strlen(v) : 0;
        if (!v) {
            vl = deep_text(n, tb, sizeof tb);
            v = vl ? tb : NULL;
        }
        if (v)
            date_candidate(mi, (mi->seen_h1 || c->in_art) ? DATE_CLASS_NEAR : DATE_CLASS, v, vl);
    }
    if (t == MyHTML_TAG_TIME && !c->in_bad) {
        const char *v = attr(n, "datetime");
        size_t vl = v ? strlen(v) : 0;
        char tb[160];
        if (!v) {
            vl = deep_text(n, tb, sizeof tb);
            v = vl ? tb : NULL;
        }
        int pub = attr(n, "pubdate") != NULL;
        const char *cl = attr(n, "class");
        if (cl && (has_ci(cl, "publish") || has_ci(cl, "posted") || has_ci(cl, "created")))
            pub = 1;
        if (cl && (has_ci(cl, "modif") || has_ci(cl, "updated")) && !has_ci(cl, "publish"))
            pub = -1;
        int near = mi->seen_h1 || c->in_art;
        if (v) {
            if (pub > 0 && near)
                date_candidate(mi, DATE_META, v, vl);
            else if (pub >= 0 && near)
                date_candidate(mi, DATE_TIME_NEAR, v, vl);
            else if (pub >= 0)
                date_candidate(mi, DATE_TIME, v, vl);
            else
                date_candidate(mi, DATE_MODIFIED, v, vl);
        }
    }
    return 0;
}

/* Is the element hidden from readers? */
static int hidden(myhtml_tree_node_t *n)
{
    return attr(n, "hidden") != NULL; /* html_prepare folded the other signs into it */
}

/* Element flags from the tag and the role/itemprop attributes. */
static unsigned tag_flags(myhtml_tree_node_t *n, myhtml_tag_id_t t)
{
    unsigned f = block_tag(t) ? NG_HEL_BLOCK : 0;
    switch (t) {
    case MyHTML_TAG_NAV: case MyHTML_TAG_ASIDE: case MyHTML_TAG_FOOTER: case MyHTML_TAG_FORM:
    case MyHTML_TAG_MENU: case MyHTML_TAG_FIGCAPTION:
        f |= NG_HEL_BADTAG;
        break;
    case MyHTML_TAG_HEADER:
        f |= NG_HEL_HEADER;
        break;
    case MyHTML_TAG_ARTICLE: case MyHTML_TAG_MAIN:
        f |= NG_HEL_ARTICLE;
        break;
    case MyHTML_TAG_A:
        if (attr(n, "href"))
            f |= NG_HEL_LINK;
        break;
    default:
        break;
    }
    const char *role = attr(n, "role");
    if (role) {
        if (!strcasecmp(role, "navigation") || !strcasecmp(role, "banner") || !strcasecmp(role, "contentinfo") ||
            !strcasecmp(role, "complementary") || !strcasecmp(role, "menu") || !strcasecmp(role, "menubar") ||
            !strcasecmp(role, "search") || !strcasecmp(role, "toolbar"))
            f |= NG_HEL_BADTAG;
        else if (!strcasecmp(role, "main") || !strcasecmp(role, "article"))
            f |= NG_HEL_ARTICLE;
    }
    const char *ip = attr(n, "itemprop");
    if (ip && (has_ci(ip, "articleBody") || has_ci(ip, "reviewBody") || eq_ci(ip, strlen(ip), "text")))
        f |= NG_HEL_BODY;
    return f;
}

/* Called on entering a node; returns 1 to descend into its children. */
static int walk_enter(walk_ctx *c, myhtml_tree_node_t *n, int root)
{
    ng_hpage *pg = c->pg;
    if (root)
        return 1; /* the document */
    myhtml_tag_id_t t = myhtml_node_tag_id(n);
    if (t == MyHTML_TAG__COMMENT || t == MyHTML_TAG__DOCTYPE)
        return 0;
    if (t != MyHTML_TAG__TEXT) {
        if (element_meta(c, n, t))
            return 0;
        if (skip_tag(t))
            return 0;
        if (t == MyHTML_TAG_BR) {
            c->pend = 1;
            return 0;
        }
        if (t == MyHTML_TAG_HR || t == MyHTML_TAG_IMG) {
            if (t == MyHTML_TAG_HR)
                c->seg = -1;
            return 0;
        }
        if (t != MyHTML_TAG_HTML && t != MyHTML_TAG_BODY && hidden(n))
            return 0;
        if (!grow((void **)&pg->el, &pg->capel, pg->nel + 1, sizeof *pg->el) || pg->nel >= INT32_MAX) {
            pg->oom = 1;
            return 0;
        }
        int32_t i = (int32_t)pg->nel++;
        ng_hel *e = &pg->el[i];
        memset(e, 0, sizeof *e);
        e->node = n;
        e->parent = c->cur;
        e->tag = (uint16_t)t;
        e->flags = (uint16_t)tag_flags(n, t);
        int cw = cue_weight(n);
        /* dialogs and tab lists often wrap the whole article (accordions,
         * overlays): a boilerplate cue, not a boilerplate tag */
        const char *role = attr(n, "role");
        if (role && (!strcasecmp(role, "dialog") || !strcasecmp(role, "alertdialog") || !strcasecmp(role, "tablist")))
            cw--;
        e->cue = (int16_t)(cw > 100 ? 100 : cw < -100 ? -100 : cw);
        const ng_hel *p = c->cur >= 0 ? &pg->el[c->cur] : NULL;
        e->depth = (uint16_t)(p ? (p->depth < 65535 ? p->depth + 1 : 65535) : 0);
        e->blk = (e->flags & NG_HEL_BLOCK) || !p ? i : p->blk;
        if (e->flags & NG_HEL_BLOCK)
            c->seg = -1;
        if (e->flags & NG_HEL_LINK)
            c->in_link++;
        if (e->flags & NG_HEL_BADTAG)
            c->in_bad++;
        if (e->flags & NG_HEL_ARTICLE)
            c->in_art++;
        c->cur = i;
        return 1;
    }
    {
        size_t L = 0;
        const char *s = myhtml_node_text(n, &L);
        if (c->cur < 0 || !s)
            return 0;
        size_t before = pg->buf.len;
        if (c->seg < 0) {
            /* a new segment starts at the first visible character */
            size_t k = 0;
            while (k < L && (is_ws((unsigned char)s[k]) || ((unsigned char)s[k] == 0xC2 && k + 1 < L && (unsigned char)s[k + 1] == 0xA0)))
                k += (unsigned char)s[k] == 0xC2 ? 2 : 1;
            if (k == L)
                return 0;
            if (!grow((void **)&pg->seg, &pg->capseg, pg->nseg + 1, sizeof *pg->seg) || pg->nseg >= INT32_MAX) {
                pg->oom = 1;
                return 0;
            }
            if (pg->buf.len > 0)
                ng_buf_putc(&pg->buf, '\n'); /* keeps segments apart in buf */
            before = pg->buf.len;
            ng_hseg *sg = &pg->seg[pg->nseg];
            memset(sg, 0, sizeof *sg);
            sg->start = sg->end = (uint32_t)before;
            sg->owner = pg->el[c->cur].blk;
            c->seg = (int32_t)pg->nseg++;
            c->pend = 0;
            s += k;
            L -= k;
        }
        ng_hseg *sg = &pg->seg[c->seg];
        size_t seglen0 = pg->buf.len;
        /* a pending space (white space at the end of the last text, a <br>)
         * is written by put_collapsed before the next word, once */
        if (pg->buf.len <= sg->start)
            c->pend = 0;
        size_t txt0 = pg->buf.len;
        put_collapsed(&pg->buf, s, L, &c->pend);
        if (pg->buf.len > UINT32_MAX - 2) {
            pg->oom = 1;
            return 0;
        }
        sg->end = (uint32_t)pg->buf.len;
        for (size_t k = txt0; k < pg->buf.len; k++)
            if (pg->buf.p[k] == ',')
                sg->commas++;
        if (c->in_link > 0)
            sg->link += (uint32_t)(pg->buf.len - seglen0);
        (void)before;
    }
    return 0;
}

/* Called on leaving a node (also when its children were skipped). */
static void walk_leave(walk_ctx *c, myhtml_tree_node_t *n)
{
    ng_hpage *pg = c->pg;
    if (c->cur < 0 || pg->el[c->cur].node != n)
        return;
    ng_hel *e = &pg->el[c->cur];
    e->end = (int32_t)pg->nel;
    if (e->flags & NG_HEL_BLOCK)
        c->seg = -1;
    if (e->flags & NG_HEL_LINK)
        c->in_link--;
    if (e->flags & NG_HEL_BADTAG)
        c->in_bad--;
    if (e->flags & NG_HEL_ARTICLE)
        c->in_art--;
    c->cur = e->parent;
}

/* Walks the tree in document order without recursion, using the child,
 * sibling and parent pointers.  Returns NG_EFORMAT when the tree is
 * inconsistent (a node without a parent below the root). */
static int walk(walk_ctx *c, myhtml_tree_node_t *root)
{
    myhtml_tree_node_t *n = root;
    for (;;) {
        int down = walk_enter(c, n, n == root);
        myhtml_tree_node_t *k = myhtml_node_child(n);
        if (down && k && !c->pg->oom) {
            n = k;
            continue;
        }
        for (;;) {
            walk_leave(c, n);
            if (n == root)
                return NG_OK;
            myhtml_tree_node_t *nx = myhtml_node_next(n);
            if (nx && !c->pg->oom) {
                n = nx;
                break;
            }
            n = myhtml_node_parent(n);
            if (!n)
                return NG_EFORMAT;
        }
    }
}

/* ---- title, date, language --------------------------------------------- */

static const char *const title_seps[] = {" | ", " - ", " – ", " — ", " · ", " :: ", " // ", " • ", " : ", NULL};

/* Is the site part of a title (s[0..n)) named elsewhere on the page: the
 * site name, the visible text, or the URL's host? */
static int site_part(const char *s, size_t n, const meta_info *mi, const ng_hpage *pg, const char *url)
{
    if (n == 0 || n > 80)
        return 0;
    if (mi->site_name && eq_ci(s, n, mi->site_name))
        return 1;
    if (pg->buf.len) {
        char tmp[96];
        memcpy(tmp, s, n);
        tmp[n] = '\0';
        if (find_ci(pg->buf.p, pg->buf.len, 0, tmp) < pg->buf.len)
            return 1;
        if (url && has_ci(url, tmp))
            return 1;
    }
    /* "Example News" against example.com: letters of the first word */
    if (url) {
        char host[96];
        size_t k = 0;
        for (size_t i = 0; i < n && k + 1 < sizeof host; i++)
            if (s[i] != ' ' && s[i] != '.')
                host[k++] = (char)lc((unsigned char)s[i]);
        host[k] = '\0';
        if (k >= 3 && has_ci(url, host))
            return 1;
    }
    return 0;
}

/* Strips " | Site" (or "Site | ") from a title when the site part is
 * named elsewhere; returns the new length, *off the new start. */
static size_t strip_site(const char *t, size_t n, const meta_info *mi, const ng_hpage *pg, const char *url, size_t *off)
{
    *off = 0;
    for (size_t k = 0; title_seps[k]; k++) {
        size_t L = strlen(title_seps[k]), last = n;
        for (size_t i = 0; i + L <= n; i++)
            if (memcmp(t + i, title_seps[k], L) == 0)
                last = i;
        if (last == n)
            continue;
        size_t sl = n - last - L;
        if (last >= sl && site_part(t + last + L, sl, mi, pg, url)) {
            n = last;
            break;
        }
    }
    for (size_t k = 0; title_seps[k]; k++) {
        size_t L = strlen(title_seps[k]), first = n;
        for (size_t i = 0; i + L <= n; i++)
            if (memcmp(t + i, title_seps[k], L) == 0) {
                first = i;
                break;
            }
        if (first == n)
            continue;
        if (n - first - L >= first && site_part(t, first, mi, pg, url)) {
            *off = first + L;
            return n - first - L;
        }
    }
    return n;
}

/* Days since 0000-03-01 of an ISO date's day ("2022-01-20..."), for
 * comparing dates; -1 when s does not start with YYYY-MM-DD. */
static long iso_day(const char *s)
{
    for (int i = 0; i < 10; i++)
        if ((i == 4 || i == 7) ? s[i] != '-' : (s[i] < '0' || s[i] > '9'))
            return -1;
    long y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    long m = (s[5] - '0') * 10 + (s[6] - '0'), d = (s[8] - '0') * 10 + (s[9] - '0');
    if (m < 3) {
        y--;
        m += 12;
    }
    return 365 * y + y / 4 - y / 100 + y / 400 + (153 * (m - 3) + 2) / 5 + d - 1;
}

/* Writes day number d (as iso_day counts) as "YYYY-MM-DD" into out[11]. */
static void iso_from_day(long d, char *out)
{
    /* days since 0000-03-01 -> year, month, day (March-based year) */
    long y = (10000 * d + 14780) / 3652425;
    long dd = d - (365 * y + y / 4 - y / 100 + y / 400);
    if (dd < 0) {
        y--;
        dd = d - (365 * y + y / 4 - y / 100 + y / 400);
    }
    long mi = (100 * dd + 52) / 3060;
    long mo = (mi + 2) % 12 + 1;
    y += (mi + 2) / 12;
    long day = dd - (mi * 306 + 5) / 10 + 1;
    char tmp[64];
    snprintf(tmp, sizeof tmp, "%04ld-%02ld-%02ld", y % 10000, mo, day);
    memcpy(out, tmp, 10);
    out[10] = '\0';
}

/* Is an ISO time stamp in UTC ("...Z", "...+00:00")? */
static int utc_stamp(const char *s)
{
    return strlen(s) > 10 && (strchr(s + 10, 'Z') != NULL || strstr(s + 10, "+00:00") != NULL);
}

/* Reads the publication day from a URL: "/2022/01/20/", "/2022-01-20",
 * "/20220120/", "_2022_01_20" or "/29-10-2021" (a year 1995..2099, a real
 * day).  Writes
 * "YYYY-MM-DD" into out[11] and returns 1; with only "/2022/01/" writes
 * "YYYY-MM" and returns 2; 0 when the URL holds no date. */
static int url_date(const char *u, char *out)
{
    if (!u)
        return 0;
    size_t n = strlen(u);
    if (n > 2048)
        n = 2048;
    int month_only = 0;
    char ym[8] = {0};
    for (size_t i = 0; i + 4 <= n; i++) {
        if (i > 0 && u[i - 1] >= '0' && u[i - 1] <= '9')
            continue;
        /* "/29-10-2021", "/23.01.2022-title": day first */
        if (i > 0 && (u[i - 1] == '/' || u[i - 1] == '_') && i + 10 <= n && (u[i + 2] == '-' || u[i + 2] == '.') &&
            u[i + 5] == u[i + 2] && (i + 10 == n || u[i + 10] < '0' || u[i + 10] > '9')) {
            int ok = 1, v[8] = {0};
            static const int at[8] = {0, 1, 3, 4, 6, 7, 8, 9};
            for (int k = 0; k < 8 && ok; k++) {
                char ch = u[i + (size_t)at[k]];
                ok = ch >= '0' && ch <= '9';
                v[k] = ok ? ch - '0' : 0; /* the rest stay 0: no garbage below */
            }
            int d = v[0] * 10 + v[1], mo = v[2] * 10 + v[3], y = v[4] * 1000 + v[5] * 100 + v[6] * 10 + v[7];
            static const int dm[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
            if (ok && y >= 1995 && y <= 2099 && mo >= 1 && mo <= 12 && d >= 1 && d <= dm[mo - 1] &&
                !(mo == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))) {
                const char iso[11] = {u[i + 6], u[i + 7], u[i + 8], u[i + 9], '-', u[i + 3], u[i + 4], '-',
                                      u[i], u[i + 1], '\0'};
                memcpy(out, iso, sizeof iso);
                return 1;
            }
        }
        if (i == 0 || !(u[i - 1] == '/' || u[i - 1] == '-' || u[i - 1] == '_' || u[i - 1] == '.' || u[i - 1] == '='))
            continue;
        const char *p = u + i;
        if (!(p[0] >= '1' && p[0] <= '2' && p[1] >= '0' && p[1] <= '9' && p[2] >= '0' && p[2] <= '9' && p[3] >= '0' &&
              p[3] <= '9'))
            continue;
        int y = (p[0] - '0') * 1000 + (p[1] - '0') * 100 + (p[2] - '0') * 10 + (p[3] - '0');
        if (y < 1995 || y > 2099)
            continue;
        int mo = -1, d = -1;
        size_t rest = n - i - 4;
        const char *q = p + 4;
        if (rest >= 4 && q[0] >= '0' && q[0] <= '1' && q[1] >= '0' && q[1] <= '9' && q[2] >= '0' && q[2] <= '3' &&
            q[3] >= '0' && q[3] <= '9' && (rest == 4 || q[4] < '0' || q[4] > '9')) {
            mo = (q[0] - '0') * 10 + (q[1] - '0'); /* 20220120 */
            d = (q[2] - '0') * 10 + (q[3] - '0');
        } else if (rest >= 3 && (q[0] == '/' || q[0] == '-' || q[0] == '_') && q[1] >= '0' && q[1] <= '9') {
            char sep = q[0];
            size_t k = 1;
            mo = q[k++] - '0';
            if (k < rest && q[k] >= '0' && q[k] <= '9')
                mo = mo * 10 + (q[k++] - '0');
            if (k < rest && q[k] >= '0' && q[k] <= '9')
                continue;
            if (k + 1 < rest && q[k] == sep && q[k + 1] >= '0' && q[k + 1] <= '9') {
                k++;
                d = q[k++] - '0';
                if (k < rest && q[k] >= '0' && q[k] <= '9')
                    d = d * 10 + (q[k++] - '0');
                if (k < rest && q[k] >= '0' && q[k] <= '9')
                    d = -1;
            } else if (k < rest && q[k] != '/') {
                mo = -1;
            }
        }
        if (mo < 1 || mo > 12)
            continue;
        if (d >= 1 && d <= 31) {
            static const int dm[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
            if (d > dm[mo - 1] || (mo == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)))
                continue;
            snprintf(out, 11, "%04d-%02d-%02d", y, mo, d);
            return 1;
        }
        if (!month_only) {
            snprintf(ym, sizeof ym, "%04d-%02d", y, mo);
            month_only = 1;
        }
    }
    if (month_only) {
        memcpy(out, ym, 8);
        return 2;
    }
    return 0;
}

/* Does h[0..hn) hold the bytes of s[0..sn)?  (sn >= 1; short strings.) */
static int holds(const char *h, size_t hn, const char *s, size_t sn)
{
    for (size_t i = 0; i + sn <= hn; i++)
        if (h[i] == s[0] && memcmp(h + i, s, sn) == 0)
            return 1;
    return 0;
}

/* The segment holding the article's headline: the first heading (h1-h3)
 * that is the title, holds it or is held by it (10+ bytes), else the
 * first <h1> (which on some sites is an invisible "Navigation" heading).
 * Returns -1 when there is neither. */
static int32_t headline_seg(const ng_hpage *pg, const char *title, int32_t h1)
{
    size_t tl = title ? strlen(title) : 0;
    if (tl < 10)
        return h1;
    for (size_t i = 0; i < pg->nseg; i++) {
        int t = pg->el[pg->seg[i].owner].tag;
        if (t != MyHTML_TAG_H1 && t != MyHTML_TAG_H2 && t != MyHTML_TAG_H3)
            continue;
        const char *x = pg->buf.p + pg->seg[i].start;
        size_t n = pg->seg[i].end - pg->seg[i].start;
        if (n < 10)
            continue;
        if ((n <= tl && holds(title, tl, x, n)) || (n > tl && n < 4 * tl && holds(x, n, title, tl)))
            return (int32_t)i;
    }
    return h1;
}

/* Looks for a date written near the headline: in the few segments around
 * the headline (a byline, a dateline, the headline itself), at any word start of a segment's
 * first 160 bytes (80 of a long paragraph): the DATE_TEXT candidate.  Bounded: at most 16 segments. */
static void text_date(const ng_model *m, meta_info *mi, const ng_hpage *pg)
{
    if (mi->h1_seg < 0)
        return;
    size_t from = mi->h1_seg >= 3 ? (size_t)mi->h1_seg - 3 : 0;
    for (size_t i = from; i < pg->nseg && i < from + 16; i++) {
        const ng_hseg *sg = &pg->seg[i];
        const char *s = pg->buf.p + sg->start;
        size_t n = sg->end - sg->start;
        /* a long paragraph may open with a dateline; its body is prose */
        size_t lim = n < 160 ? n : n > 300 ? 80 : 160;
        for (size_t k = 0; k < lim; k++) {
            if (k > 0 && s[k - 1] != ' ' && s[k - 1] != '(' && s[k - 1] != '|' && s[k - 1] != ',')
                continue;
            unsigned char ch = (unsigned char)s[k];
            if (ch == ' ')
                continue;
            char iso[64];
            int has_year = 0;
            if (ng_date_scan(m, s + k, n - k, iso, sizeof iso, &has_year) > 0 && has_year) {
                date_candidate(mi, DATE_TEXT, iso, strlen(iso));
                return;
            }
        }
    }
}

/* Looks for a short block anywhere on the page that states a full date
 * and little else: the date alone, or after a label of at most three words
 * ("Datum: 26. Januar 2022", "Erschienen am 01.11.2023"), maybe with a
 * time after it.  A label that names a change ("Letzte \xc3\x84nderung",
 * "Updated", "Stand") does not count.  The first such block is the
 * DATE_ALONE candidate.  Bounded: blocks of 8-60 bytes, the first 4000. */
static void alone_date(const ng_model *m, meta_info *mi, const ng_hpage *pg)
{
    for (size_t i = 0; i < pg->nseg && i < 4000; i++) {
        const ng_hseg *sg = &pg->seg[i];
        const char *s = pg->buf.p + sg->start;
        size_t n = sg->end - sg->start;
        if (n < 8 || n > 60 || sg->link * 2 > n)
            continue;
        /* a full date has a year: four digits in a row */
        int run = 0;
        for (size_t k = 0; k < n && run < 4; k++)
            run = (s[k] >= '0' && s[k] <= '9') ? run + 1 : 0;
        if (run < 4)
            continue;
        int words = 0;
        for (size_t k = 0; k < n && k <= 32 && words <= 3; k++) {
            if (k > 0 && s[k - 1] != ' ' && s[k - 1] != ':')
                continue;
            if (s[k] == ' ')
                continue;
            char iso[64];
            int has_year = 0;
            size_t used = ng_date_scan(m, s + k, n - k, iso, sizeof iso, &has_year);
            if (used > 0 && has_year && strlen(iso) >= 10 && n - k - used <= 12) {
                char label[40];
                size_t L = k < sizeof label - 1 ? k : sizeof label - 1;
                memcpy(label, s, L);
                label[L] = '\0';
                /* not in a nav, aside, footer, form or page header (a
                 * site's "today" widget) */
                int chrome = 0;
                for (int32_t a = sg->owner; a >= 0 && !chrome; a = pg->el[a].parent)
                    chrome = (pg->el[a].flags & (NG_HEL_BADTAG | NG_HEL_HEADER)) != 0;
                if (chrome)
                    break;
                if (!has_ci(label, "nderung") && !has_ci(label, "aktualis") && !has_ci(label, "updat") &&
                    !has_ci(label, "modif") && !has_ci(label, "stand") && !has_ci(label, "revis") &&
                    !has_ci(label, "bearbeitet"))
                    date_candidate(mi, DATE_ALONE, iso, strlen(iso));
                return;
            }
            words++;
        }
    }
}

/* Sets doc->meta_published from the best date candidate (by rank; each
 * already read as a date from 1995 on).  When the chosen date is a UTC
 * time stamp and the URL gives a day next to it, the URL's day wins: the
 * time zone moved the stamp, the URL has the site's own day. */
static void choose_date(ng_doc *doc, meta_info *mi)
{
    char best[40], urld[16];
    int uk = url_date(doc->url, urld);
    if (!uk)
        uk = url_date(mi->og_url, urld);
    if (uk == 1)
        date_candidate(mi, DATE_URL, urld, strlen(urld));
    const char *dbg = getenv("NG_HTML_DEBUG");
    if (dbg && *dbg && *dbg != '0')
        fprintf(stderr, "=== page %s\n", doc->id ? doc->id : "");
    if (dbg && *dbg && *dbg != '0')
        for (int r = 0; r < DATE_NRANKS; r++)
            if (mi->iso[r][0])
                fprintf(stderr, "date rank %d: %s\n", r, mi->iso[r]);
    best[0] = '\0';
    int rank = -1;
    for (int r = 0; r < DATE_NRANKS; r++) {
        if (mi->iso[r][0]) {
            memcpy(best, mi->iso[r], sizeof best);
            rank = r;
            break;
        }
    }
    if (rank < 0)
        return;
    /* a UTC time stamp may fall on the day before or after the site's own
     * date: the URL's day, else the day the page shows near the headline */
    if (utc_stamp(best)) {
        const char *own = NULL;
        if (uk == 1 && rank < DATE_URL)
            own = urld;
        for (int r = DATE_TIME_NEAR; !own && rank < DATE_TIME_NEAR && r <= DATE_TEXT; r++)
            if (mi->iso[r][0] && !utc_stamp(mi->iso[r]))
                own = mi->iso[r];
        long a = iso_day(best), b = own ? iso_day(own) : -1;
        /* the local day is the next one only in the stamp's afternoon
         * (east of Greenwich), the day before only in its morning (west) */
        int hour = best[10] == 'T' && best[11] >= '0' && best[11] <= '2' ? (best[11] - '0') * 10 + (best[12] - '0') : -1;
        if (b >= 0 && ((b == a + 1 && hour >= 10) || (b == a - 1 && hour >= 0 && hour < 12))) {
            memcpy(best, own, 10);
            best[10] = '\0';
        } else if (!own && a >= 0 && (strncmp(best + 10, "T22:00:00", 9) == 0 || strncmp(best + 10, "T23:00:00", 9) == 0)) {
            /* a day stored as local midnight east of Greenwich ("2021-11-04T23:00:00Z") */
            iso_from_day(a + 1, best);
        }
    }
    doc->meta_published = ng_arena_strdup(&doc->arena, best);
}

/* Copies a language tag ("en-US", "fr_FR") into the arena, lowercased
 * with '-' as separator; NULL when it does not look like one. */
static char *lang_tag(ng_arena *a, const char *s)
{
    char t[16];
    size_t k = 0;
    while (*s && is_ws((unsigned char)*s))
        s++;
    for (; *s && *s != ',' && *s != ';' && !is_ws((unsigned char)*s) && k + 1 < sizeof t; s++) {
        char c = *s == '_' ? '-' : (char)lc((unsigned char)*s);
        if (!is_alpha((unsigned char)c) && c != '-')
            return NULL;
        t[k++] = c;
    }
    if (k < 2)
        return NULL;
    t[k] = '\0';
    return ng_arena_strdup(a, t);
}

/* Trims and collapses a metadata string into the arena. */
static char *clean_str(ng_arena *a, const char *s, size_t n)
{
    ng_buf b;
    ng_buf_init(&b);
    int pend = 0;
    put_collapsed(&b, s, n, &pend);
    char *r = b.len ? ng_arena_strndup(a, b.p, b.len) : NULL;
    ng_buf_free(&b);
    return r;
}

/* Sets doc->title. */
static void choose_title(ng_doc *doc, const meta_info *mi, const ng_hpage *pg)
{
    const char *src = NULL;
    size_t n = 0;
    if (mi->og_title && *mi->og_title) {
        src = mi->og_title;
        n = strlen(src);
    } else if (mi->tw_title && *mi->tw_title) {
        src = mi->tw_title;
        n = strlen(src);
    } else if (mi->title.len) {
        src = mi->title.p;
        n = mi->title.len;
    }
    if (src) {
        char *t = clean_str(&doc->arena, src, n);
        if (t) {
            size_t off;
            size_t L = strip_site(t, strlen(t), mi, pg, doc->url, &off);
            if (L > 0) {
                doc->title = ng_arena_strndup(&doc->arena, t + off, L);
                return;
            }
        }
    }
    if (mi->h1_seg >= 0) {
        const ng_hseg *sg = &pg->seg[mi->h1_seg];
        doc->title = ng_arena_strndup(&doc->arena, pg->buf.p + sg->start, sg->end - sg->start);
    }
}

/* ---- the entry points -------------------------------------------------- */

/* Makes the worker's myhtml parser and tree on first use.  NG_ENOMEM when
 * myhtml cannot be set up. */
static int html_scratch(ng_worker *w)
{
    if (w->html_tree)
        return NG_OK;
    myhtml_t *p = myhtml_create();
    if (!p)
        return ng_worker_fail(w, NG_ENOMEM, "out of memory starting the HTML parser");
    if (myhtml_init(p, MyHTML_OPTIONS_PARSE_MODE_SINGLE, 1, 0) != MyCORE_STATUS_OK) {
        myhtml_destroy(p);
        return ng_worker_fail(w, NG_ENOMEM, "out of memory starting the HTML parser");
    }
    myhtml_tree_t *t = myhtml_tree_create();
    if (!t || myhtml_tree_init(t, p) != MyCORE_STATUS_OK) {
        if (t)
            myhtml_tree_destroy(t);
        myhtml_destroy(p);
        return ng_worker_fail(w, NG_ENOMEM, "out of memory starting the HTML parser");
    }
    w->html_parser = p;
    w->html_tree = t;
    return NG_OK;
}

void ng_html_scratch_free(ng_worker *w)
{
    if (w->html_tree)
        myhtml_tree_destroy(w->html_tree);
    if (w->html_parser)
        myhtml_destroy(w->html_parser);
    w->html_tree = NULL;
    w->html_parser = NULL;
}

int ng_html_extract(ng_worker *w, ng_doc *doc, const char *s, size_t n)
{
    if (n > UINT32_MAX / 2)
        return ng_worker_fail(w, NG_ETOOBIG, "HTML page of %zu bytes is too large", n);
    ng_buf lean;
    ng_buf_init(&lean);
    int rc = html_scratch(w);
    if (rc != NG_OK) {
        ng_buf_free(&lean);
        return rc;
    }
    myhtml_tree_t *tree = w->html_tree;
    rc = html_prepare(w, doc->model, tree, s, n, &lean);
    if (rc != NG_OK) {
        ng_buf_free(&lean);
        return rc;
    }
    if (myhtml_parse(tree, MyENCODING_UTF_8, lean.len ? lean.p : "", lean.len) != MyCORE_STATUS_OK) {
        myhtml_tree_clean(tree);
        ng_buf_free(&lean);
        return ng_worker_fail(w, NG_ENOMEM, "out of memory parsing HTML");
    }

    ng_hpage pg;
    memset(&pg, 0, sizeof pg);
    ng_buf_init(&pg.buf);
    meta_info mi;
    memset(&mi, 0, sizeof mi);
    ng_buf_init(&mi.title);
    mi.h1_seg = -1;
    mi.m = doc->model;
    walk_ctx c = {.m = doc->model, .pg = &pg, .mi = &mi, .cur = -1, .seg = -1};
    rc = walk(&c, myhtml_tree_get_document(tree));
    if (rc != NG_OK)
        ng_worker_fail(w, rc, "malformed HTML tree");
    /* segments may be empty (a run of control bytes read as white space):
     * give the text a real address, so that buf.p + start is defined */
    if (rc == NG_OK && pg.nseg > 0 && !pg.buf.p && ng_buf_reserve(&pg.buf, 1) != 0)
        pg.buf.oom = 1;
    if (rc == NG_OK && (pg.oom || pg.buf.oom || mi.title.oom))
        rc = ng_worker_fail(w, NG_ENOMEM, "out of memory reading HTML");

    if (rc == NG_OK) {
        for (size_t i = 0; i < pg.nseg; i++) {
            if (pg.el[pg.seg[i].owner].tag == MyHTML_TAG_H1) {
                mi.h1_seg = (int32_t)i;
                break;
            }
        }
        /* metadata (strings still point into the tree) */
        choose_title(doc, &mi, &pg);
        mi.h1_seg = headline_seg(&pg, doc->title, mi.h1_seg);
        text_date(doc->model, &mi, &pg);
        alone_date(doc->model, &mi, &pg);
        choose_date(doc, &mi);
        if (!doc->lang_hint) {
            const char *l = mi.lang ? mi.lang : mi.og_locale ? mi.og_locale : mi.content_lang;
            if (l)
                doc->lang_hint = lang_tag(&doc->arena, l);
        }
        ng_buf body;
        ng_buf_init(&body);
        ng_html_body(doc->model, &pg, doc->title, &body);
        if (body.oom) {
            rc = ng_worker_fail(w, NG_ENOMEM, "out of memory reading HTML");
        } else {
            doc->text = ng_arena_strndup(&doc->arena, body.len ? body.p : "", body.len);
            doc->text_len = body.len;
            if (!doc->text)
                rc = ng_worker_fail(w, NG_ENOMEM, "out of memory");
        }
        ng_buf_free(&body);
    }
    free(pg.el);
    free(pg.seg);
    ng_buf_free(&pg.buf);
    ng_buf_free(&mi.title);
    myhtml_tree_clean(tree);
    /* a huge page leaves big pools behind: start afresh next time */
    if (lean.len > ((size_t)8 << 20))
        ng_html_scratch_free(w);
    ng_buf_free(&lean);
    return rc;
}

int ng_html_sniff_charset(const char *s, size_t n, char *out, size_t cap)
{
    if (n > 4096)
        n = 4096;
    if (cap == 0)
        return 0;
    size_t i = 0;
    while ((i = find_ci(s, n, i, "<meta")) < n) {
        size_t e = i + 5;
        while (e < n && s[e] != '>')
            e++;
        /* charset= anywhere in the tag: <meta charset="x"> or content="text/html; charset=x" */
        size_t k = find_ci(s, e, i, "charset");
        if (k < e) {
            k += 7;
            while (k < e && is_ws((unsigned char)s[k]))
                k++;
            if (k < e && s[k] == '=') {
                k++;
                while (k < e && (is_ws((unsigned char)s[k]) || s[k] == '"' || s[k] == '\''))
                    k++;
                size_t o = 0;
                while (k < e && o + 1 < cap) {
                    unsigned char ch = (unsigned char)s[k];
                    if (!(is_alpha(ch) || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == ':' || ch == '.'))
                        break;
                    out[o++] = (char)lc(ch);
                    k++;
                }
                out[o] = '\0';
                if (o > 0)
                    return 1;
            }
        }
        i = e;
    }
    return 0;
}
