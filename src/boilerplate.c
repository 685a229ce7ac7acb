/*
 * boilerplate.c — which text of an HTML page is the article.
 *
 * Input: the page flattened by read_html.c (elements in document order,
 * text segments with their owning block element).  The method, in the
 * spirit of Readability with boilerpipe-like block filters:
 *
 *   1. Sum text, link text and commas up the tree (one reverse pass: a
 *      child always comes after its parent in document order).
 *   2. Every paragraph-like segment of 25+ bytes gives points (1 + commas
 *      + length/100, at most 3 for length) to the element that holds it,
 *      its parent (half) and its grandparent (a sixth).  An element's score
 *      is then adjusted by its tag, its class/id cues (lang/common/html-
 *      positive.txt, html-negative.txt) and scaled by 1 - link density.
 *      itemprop=articleBody, <article> and <main> get a bonus when they
 *      hold real text.
 *   3. The best element is the article's container; siblings that score
 *      well or hold plain prose join it (articles split over several
 *      <div>s).
 *   4. Inside the chosen region, segments are dropped when an element
 *      between the region and the segment is boilerplate by tag (nav,
 *      aside, footer, form, figcaption, header) or by class/id cue, when
 *      they are mostly link text, when they are a page-chrome line of a
 *      loaded language, or when they repeat the title.
 *
 * Every pass is linear in the number of elements and segments.
 */
#include "html.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Per-element marks during the region pass (in ng_hel.flags). */
#define HEL_INBAD (1u << 12) /* below a boilerplate tag */
#define HEL_PROSE (1u << 13) /* only its prose paragraphs count (an article's header) */
#define HEL_DROP (1u << 14)
#define HEL_KEEP (1u << 15)
#ifndef EDGE
#define EDGE 80
#endif
#ifndef JUNKDIV
#define JUNKDIV 2
#endif
#ifndef CLIMB
#define CLIMB 2.0f
#endif

/* Tags whose segments are prose paragraphs. */
static int para_tag(int t)
{
    return t == MyHTML_TAG_P || t == MyHTML_TAG_PRE || t == MyHTML_TAG_TD || t == MyHTML_TAG_BLOCKQUOTE ||
           t == MyHTML_TAG_DIV || t == MyHTML_TAG_SECTION || t == MyHTML_TAG_ARTICLE || t == MyHTML_TAG_DD ||
           t == MyHTML_TAG_LI || t == MyHTML_TAG_MAIN || t == MyHTML_TAG_CENTER || t == MyHTML_TAG_BODY;
}

/* Readability's starting weight of a candidate by tag. */
static float tag_weight(int t)
{
    switch (t) {
    case MyHTML_TAG_DIV: case MyHTML_TAG_ARTICLE: case MyHTML_TAG_SECTION: case MyHTML_TAG_MAIN:
        return 5;
    case MyHTML_TAG_PRE: case MyHTML_TAG_TD: case MyHTML_TAG_BLOCKQUOTE:
        return 3;
    case MyHTML_TAG_ADDRESS: case MyHTML_TAG_OL: case MyHTML_TAG_UL: case MyHTML_TAG_DL:
    case MyHTML_TAG_DD: case MyHTML_TAG_DT: case MyHTML_TAG_LI: case MyHTML_TAG_FORM:
        return -3;
    case MyHTML_TAG_H1: case MyHTML_TAG_H2: case MyHTML_TAG_H3: case MyHTML_TAG_H4:
    case MyHTML_TAG_H5: case MyHTML_TAG_H6: case MyHTML_TAG_TH:
        return -5;
    default:
        return 0;
    }
}

static float link_density(const ng_hel *e)
{
    return e->text ? (float)e->link / (float)e->text : 0.0f;
}

/* Folds s[0..n) into low[cap], without the brackets around a line that is
 * all bracketed and without trailing ':', ' ', '.', '!', '?'; returns the
 * length (0 when n does not fit). */
static size_t fold_line(const char *s, size_t n, char *low, size_t cap)
{
    if (n == 0 || n >= cap / 2)
        return 0;
    /* "(Credit: Grist)": the brackets around a caption line go */
    if (n > 2 && s[0] == '(' && s[n - 1] == ')') {
        s++;
        n -= 2;
    }
    size_t L = ng_fold(s, n, low, cap);
    while (L > 0 && (low[L - 1] == ':' || low[L - 1] == ' ' || low[L - 1] == '.' || low[L - 1] == '!' ||
                     low[L - 1] == '?'))
        L--;
    low[L] = '\0';
    return L;
}

static int word_end(char c)
{
    return c == ' ' || c == ',' || c == '.' || c == ':' || c == ';' || c == '!' || c == '?' || c == ')' || c == '\0';
}

/* Does the folded line low[0..L) hold an item of set at word boundaries?
 * Phrases of up to 8 words are tried from every word start. */
static int has_phrase(const ng_strset *set, const char *low, size_t L)
{
    if (set->n == 0)
        return 0;
    for (size_t a = 0; a < L; a++) {
        if (a > 0 && low[a - 1] != ' ' && low[a - 1] != '(' && low[a - 1] != '"')
            continue;
        if (low[a] == ' ')
            continue;
        /* no item begins with this byte */
        if (!((set->first_bytes >> ((unsigned char)low[a] & 63)) & 1))
            continue;
        int words = 0;
        size_t bmax = set->maxlen && a + set->maxlen < L ? a + set->maxlen : L;
        for (size_t b = a + 1; b <= bmax && words < 8; b++) {
            if (b == L || word_end(low[b])) {
                size_t lo, hi;
                words++;
                /* no item begins with these words: no longer one will match */
                if (ng_strset_prefix(set, low + a, b - a, &lo, &hi) == 0)
                    break;
                if (ng_strset_has(set, low + a, b - a))
                    return 1;
            }
        }
    }
    return 0;
}

/* Does the folded line low[0..L) begin with an item of set that ends at
 * a word boundary (' ' or ':'; with whole set, the end of the line too)?
 * Stops as soon as no item begins with the words read so far. */
static int starts_with_item(const ng_strset *set, const char *low, size_t L, int whole)
{
    for (size_t k = 1; k <= L; k++) {
        if (k < L && low[k] != ' ' && low[k] != ':')
            continue;
        if (k == L && !whole)
            break;
        size_t lo, hi;
        if (ng_strset_prefix(set, low, k, &lo, &hi) == 0)
            return 0;
        if (ng_strset_has(set, low, k))
            return 1;
    }
    return 0;
}

/* Is a segment's text (folded, low[0..L)) a page-chrome line of some
 * loaded language or of common/html-chrome-lines.txt?  n is the block's
 * length in bytes, s its text (for the sentence test of prefixes). */
static int chrome_line(const ng_model *m, const char *low, size_t L, size_t n, int sentence)
{
    if (L == 0)
        return 0;
    if (ng_strset_has(&m->html_chrome, low, L))
        return 1;
    /* "Quelle: dpa", "Aktualisiert am 3. Mai": a chrome word opens a short non-sentence */
    if (n <= 80 && !sentence && starts_with_item(&m->html_chrome, low, L, 0))
        return 1;
    if (n >= 100)
        return 0;
    for (size_t i = 0; i < m->nlangs; i++) {
        const ng_lang *lg = &m->langs[i];
        if (ng_strset_has(&lg->chrome_lines, low, L))
            return 1;
        if (starts_with_item(&lg->chrome_prefix, low, L, 1))
            return 1;
    }
    return 0;
}

/* Is the folded line a call to action, a subscription or app promotion,
 * a comment policy or reprint notice (common/html-promo.txt and every
 * language's chrome-phrases.txt)? */
static int promo_line(const ng_model *m, const char *low, size_t L)
{
    if (has_phrase(&m->html_promo, low, L))
        return 1;
    for (size_t i = 0; i < m->nlangs; i++)
        if (has_phrase(&m->langs[i].chrome_phrase, low, L))
            return 1;
    return 0;
}

/* Does the block open as a copyright notice ("© 2022 ...", "Copyright
 * 2022 ...")?  Such a block is the page's, whatever follows in it. */
static int copyright_notice(const char *s, size_t n)
{
    if (n >= 2 && (unsigned char)s[0] == 0xC2 && (unsigned char)s[1] == 0xA9)
        return 1;
    return n >= 10 && strncasecmp(s, "copyright ", 10) == 0;
}

/* Does s[0..n) hold the copyright sign (U+00A9)? */
static int has_credit_sign(const char *s, size_t n)
{
    for (const char *p = s; (p = memchr(p, 0xC2, n - (size_t)(p - s))) != NULL && p + 1 < s + n; p++)
        if ((unsigned char)p[1] == 0xA9)
            return 1;
    return 0;
}

/* Is the folded word run low[a..b) a credit label ("foto", "photo",
 * "bildquelle")?  Labels are items of common/html-chrome-lines.txt, or
 * items ending in ':' of a language's chrome-prefixes.txt ("photo:"). */
static int credit_label(const ng_model *m, const char *low, size_t a, size_t b)
{
    char w[48];
    if (b <= a || b - a + 2 > sizeof w)
        return 0;
    memcpy(w, low + a, b - a);
    size_t n = b - a;
    if (ng_strset_has(&m->html_chrome, w, n))
        return 1;
    w[n++] = ':';
    for (size_t i = 0; i < m->nlangs; i++)
        if (ng_strset_has(&m->langs[i].chrome_prefix, w, n))
            return 1;
    return 0;
}

/* Is the folded block a picture caption: a credit label opening it
 * ("Abbildung 4: ...", "Foto: ...") or a credit closing it ("... im
 * Überblick. (Foto: Getty)", "... escolar. Foto: Andina", "... (Name /
 * Agency)")? */
static int caption_block(const ng_model *m, const char *low, size_t L)
{
    /* a bracketed credit closing it: "... gut getarnt. (mlharing / iStock.com)" */
    if (L > 8 && L < 200 && low[L - 1] == ')') {
        size_t o = L - 1;
        while (o > 0 && low[o] != '(')
            o--;
        if (low[o] == '(' && o > 0 && L - o <= 40 && (low[o - 1] == ' ' || low[o - 1] == '.')) {
            for (size_t k = o + 1; k + 2 < L; k++)
                if (low[k] == ' ' && low[k + 1] == '/' && low[k + 2] == ' ')
                    return 1;
        }
    }
    for (size_t c = 1; c < L; c++) {
        if (low[c] != ':')
            continue;
        if (c <= 24) {
            /* an opening label, maybe numbered */
            size_t e = c;
            while (e > 0 && (low[e - 1] == ' ' || (low[e - 1] >= '0' && low[e - 1] <= '9')))
                e--;
            if (e > 0 && credit_label(m, low, 0, e))
                return 1;
        }
        if (L - c > 50)
            continue;
        /* a closing credit: one or two words before the colon, after a
         * bracket or the end of the caption's sentence */
        size_t a = c, words = 0;
        while (a > 0 && words < 2) {
            size_t w = a;
            while (w > 0 && low[w - 1] != ' ' && low[w - 1] != '(')
                w--;
            words++;
            if (credit_label(m, low, w, c)) {
                size_t q = w;
                while (q > 0 && low[q - 1] == ' ')
                    q--;
                if (q == 0 || low[q - 1] == '(' || low[q - 1] == '.' || low[q - 1] == '|' || low[q - 1] == ',' ||
                    low[q - 1] == ')')
                    return 1;
            }
            if (w == 0 || low[w - 1] == '(')
                break;
            a = w - 1;
        }
    }
    return 0;
}

/* Is the folded line the heading of a teaser list ("Lesen Sie auch",
 * "Related coverage")? */
static int teaser_head(const ng_model *m, const char *low, size_t L)
{
    if (L == 0)
        return 0;
    /* the heading may go on ("Weitere Tourentipps in Schweden") */
    if (starts_with_item(&m->html_teaser, low, L, 1))
        return 1;
    for (size_t i = 0; i < m->nlangs; i++)
        if (starts_with_item(&m->langs[i].teaser_heads, low, L, 1))
            return 1;
    return 0;
}

/* Does the segment end like a sentence? */
static int sentence_like(const char *s, size_t n)
{
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '"' || s[n - 1] == ')'))
        n--;
    if (n == 0)
        return 0;
    char c = s[n - 1];
    if (c == '.' || c == '!' || c == '?' || c == ':')
        return 1;
    /* closing quotes (” and German “, ’), an ellipsis, a guillemet */
    if (n >= 3 && (unsigned char)s[n - 3] == 0xE2 && (unsigned char)s[n - 2] == 0x80 &&
        ((unsigned char)s[n - 1] == 0x9D || (unsigned char)s[n - 1] == 0x9C || (unsigned char)s[n - 1] == 0x99 ||
         (unsigned char)s[n - 1] == 0xA6))
        return 1;
    if (n >= 2 && (unsigned char)s[n - 2] == 0xC2 && (unsigned char)s[n - 1] == 0xBB)
        return 1;
    return 0;
}

/* Marks the elements of region r (its subtree) that are boilerplate
 * relative to r: HEL_DROP when the element or one of its ancestors below
 * r is boilerplate by tag or class/id.  Linear in the region's size. */
static void mark_region(ng_hpage *pg, int32_t r)
{
    ng_hel *el = pg->el;
    uint32_t rplain = el[r].text - el[r].link;
    el[r].flags |= HEL_KEEP;
    el[r].flags &= (uint16_t)~HEL_DROP;
    for (int32_t i = r + 1; i < el[r].end; i++) {
        ng_hel *e = &el[i];
        int bad = (e->flags & (NG_HEL_BADTAG | NG_HEL_HEADER)) || e->cue < 0;
        /* a wrapper holding much of the region's prose is not boilerplate,
         * whatever its class says ("layout-with-sidebar") */
        if (bad && (e->paras >= 2 || (e->paras >= 1 && e->cue >= -1)) && (e->text - e->link) * 3 >= rplain &&
            !(e->flags & NG_HEL_BADTAG))
            bad = 0;
        if (e->flags & NG_HEL_BODY)
            bad = 0;
        /* an article's <header> may hold its lead paragraph: the prose
         * stays, the header's short pieces (headline, byline, date) go
         * with the short non-sentences before the first prose */
        int lead = 0;
        if (bad && (e->flags & NG_HEL_HEADER) && !(e->flags & NG_HEL_BADTAG) && e->cue >= 0 && e->paras >= 1) {
            bad = 0;
            lead = 1;
        }
        if (e->parent >= 0 && e->parent != r && (el[e->parent].flags & HEL_DROP))
            bad = 1;
        if (e->parent >= 0 && e->parent != r && (el[e->parent].flags & HEL_PROSE))
            lead = 1;
        e->flags = (uint16_t)((e->flags | HEL_KEEP) & ~(HEL_DROP | HEL_PROSE));
        if (bad)
            e->flags |= HEL_DROP;
        if (lead)
            e->flags |= HEL_PROSE;
    }
}

/* NG_HTML_DEBUG=1 in the environment: each decision goes to standard
 * error (for tuning; never set in normal runs). */
static void dbg_seg(const ng_hpage *pg, size_t i, const char *why)
{
    const ng_hseg *sg = &pg->seg[i];
    const ng_hel *o = &pg->el[sg->owner];
    int n = (int)(sg->end - sg->start);
    fprintf(stderr, "  %-8s seg %zu el %d tag %d cue %d len %d link %u: %.*s\n", why, i, sg->owner, o->tag, o->cue, n,
            sg->link, n > 90 && getenv("NG_HTML_DEBUG")[0] != '3' ? 90 : n, pg->buf.p + sg->start);
    if (getenv("NG_HTML_DEBUG")[0] == '2') {
        fprintf(stderr, "      up:");
        for (int32_t a = o->parent, k = 0; a >= 0 && k < 8; a = pg->el[a].parent, k++)
            fprintf(stderr, " %d(t%d c%d s%.0f g%u x%u)", a, pg->el[a].tag, pg->el[a].cue, pg->el[a].score, pg->el[a].good,
                    pg->el[a].text);
        fprintf(stderr, "\n");
    }
}

/* Is segment i a heading that is the page's headline (an <h1>, or an
 * <h2>/<h3> that is the title)? */
static int headline(const ng_hpage *pg, size_t i, const char *title, size_t tlen)
{
    const ng_hseg *sg = &pg->seg[i];
    int t = pg->el[sg->owner].tag;
    if (t == MyHTML_TAG_H1)
        return 1;
    return (t == MyHTML_TAG_H2 || t == MyHTML_TAG_H3) && tlen && sg->end - sg->start == tlen &&
           memcmp(pg->buf.p + sg->start, title, tlen) == 0;
}

/* Does s[0..n) hold t[0..tn)? */
static int has_bytes(const char *s, size_t n, const char *t, size_t tn)
{
    for (size_t i = 0; tn && i + tn <= n; i++)
        if (s[i] == t[0] && memcmp(s + i, t, tn) == 0)
            return 1;
    return 0;
}

/* The lead after headline segment h and before segment end (see
 * lead_seg), or pg->nseg. */
static size_t lead_after(const ng_model *m, const ng_hpage *pg, size_t h, size_t end, const char *title, size_t tlen)
{
    const ng_hel *el = pg->el;
    for (size_t i = h + 1; i < end && i <= h + 8; i++) {
        const ng_hseg *sg = &pg->seg[i];
        uint32_t len = sg->end - sg->start;
        const char *x = pg->buf.p + sg->start;
        if (len < 50 || len > 600 || sg->link * 4 > len || !sentence_like(x, len) ||
            ((el[sg->owner].flags & HEL_KEEP) && !(el[sg->owner].flags & HEL_DROP)) || copyright_notice(x, len))
            continue;
        /* the headline again, with a kicker ("Vote day: <title>") */
        if (tlen >= 20 && has_bytes(x, len, title, tlen))
            continue;
        {
            char low[1300];
            size_t L = fold_line(x, len, low, sizeof low);
            if (chrome_line(m, low, L, len, 1) || promo_line(m, low, L))
                continue;
        }
        int neg = 0, bad = 0;
        for (int32_t a = sg->owner; a >= 0 && !bad; a = el[a].parent) {
            if (el[a].flags & (NG_HEL_BADTAG | NG_HEL_HIDDEN))
                bad = 1;
            /* a header's own class ("entry-header") says where the lead is */
            if (el[a].cue < 0 && !(el[a].flags & NG_HEL_HEADER))
                neg += el[a].cue;
        }
        if (!bad && neg > -2)
            return i;
    }
    return pg->nseg;
}

/* The article's lead (standfirst) when the chosen blocks leave it out:
 * it sits between the headline and the article's first prose paragraph,
 * outside the region or under a header-like element of the region that
 * was dropped (a "teaser" or "article-header" box holding headline, date
 * and lead).  The first segment there that is a sentence of 50-600 bytes
 * with few links, not kept already, not under a boilerplate tag or a
 * strong negative class/id cue, at most 8 segments after the headline.
 * first is the first kept prose segment.  Returns its index, or
 * pg->nseg.  Call after the region is marked (HEL_KEEP), before the
 * marks are cleared. */
static size_t lead_seg(const ng_model *m, const ng_hpage *pg, const char *title, size_t tlen, size_t first)
{
    const ng_hel *el = pg->el;
    /* the region's first kept block; the lead is looked for before it,
     * else (the headline is inside the region) before the first prose */
    size_t rfirst = pg->nseg;
    for (size_t i = 0; i < pg->nseg; i++) {
        const ng_hel *o = &el[pg->seg[i].owner];
        if ((o->flags & HEL_KEEP) && !(o->flags & HEL_DROP)) {
            rfirst = i;
            break;
        }
    }
    for (int pass = 0; pass < 2; pass++) {
        size_t end = pass == 0 ? rfirst : first;
        if (end >= pg->nseg || end == 0 || (pass == 1 && first == rfirst))
            continue;
        /* the last two headlines before it (a page may repeat the title
         * after a teaser list) */
        int tried = 0;
        for (size_t k = end; k-- > 0 && end - k <= 80 && tried < 2;) {
            if (!headline(pg, k, title, tlen))
                continue;
            tried++;
            size_t r = lead_after(m, pg, k, end, title, tlen);
            if (r < pg->nseg)
                return r;
        }
    }
    return pg->nseg;
}

/* Is s[0..n) a breadcrumb trail ("Home > News > World", "Start » Blog
 * » Post"): two or more " > " or " » " separators (» only when the
 * block has no «)? */
static int breadcrumb(const char *s, size_t n)
{
    int seps = 0, guil = 0; /* French quotes close with " »" */
    for (size_t i = 0; i + 1 < n && !guil; i++)
        guil = (unsigned char)s[i] == 0xC2 && (unsigned char)s[i + 1] == 0xAB;
    for (size_t i = 1; i + 2 < n && seps < 2; i++) {
        if (s[i - 1] != ' ')
            continue;
        if (s[i] == '>' && s[i + 1] == ' ')
            seps++;
        else if (!guil && i + 3 < n && (unsigned char)s[i] == 0xC2 && (unsigned char)s[i + 1] == 0xBB && s[i + 2] == ' ')
            seps++;
    }
    return seps >= 2;
}

/* Does s[0..n) hold an unfilled printf placeholder ("%d ", "%s")? */
static int printf_placeholder(const char *s, size_t n)
{
    for (size_t i = 0; i + 1 < n; i++)
        if (s[i] == '%' && (s[i + 1] == 'd' || s[i + 1] == 's') && (i + 2 == n || s[i + 2] == ' ') &&
            (i == 0 || s[i - 1] == ' '))
            return 1;
    return 0;
}

/* Does the block end in a date's final period ("am 17.01.2021.")?  Such
 * a period does not make a chrome line ("Aktualisiert am …") a sentence. */
static int date_end(const char *s, size_t n)
{
    return n >= 2 && s[n - 1] == '.' && s[n - 2] >= '0' && s[n - 2] <= '9';
}

/* Is segment i a kept prose paragraph of the region (80+ bytes, or a
 * sentence of 40+, few links, not chrome, a call to action or a
 * caption)?  Call after the region is marked. */
static int prose_seg(const ng_model *m, const ng_hpage *pg, size_t i)
{
    const ng_hseg *sg = &pg->seg[i];
    const ng_hel *o = &pg->el[sg->owner];
    uint32_t len = sg->end - sg->start;
    const char *s = pg->buf.p + sg->start;
    if (!(o->flags & HEL_KEEP) || (o->flags & (HEL_DROP | HEL_PROSE)) || sg->link * 4 > len)
        return 0;
    int sentence = sentence_like(s, len);
    if (!(len >= 80 || (len >= 40 && sentence)))
        return 0;
    if (len < 250) {
        char low[512];
        size_t L = fold_line(s, len, low, sizeof low);
        if (chrome_line(m, low, L, len, sentence && !date_end(s, len)) || promo_line(m, low, L) ||
            caption_block(m, low, L))
            return 0;
    }
    return 1;
}

void ng_html_body(const ng_model *m, ng_hpage *pg, const char *title, ng_buf *out)
{
    const char *dbgenv = getenv("NG_HTML_DEBUG");
    int debug = dbgenv && *dbgenv && *dbgenv != '0';
    ng_hel *el = pg->el;
    size_t nel = pg->nel;
    if (nel == 0 || pg->nseg == 0)
        return;
    /* 1. sums up the tree */
    for (size_t i = 0; i < pg->nseg; i++) {
        const ng_hseg *sg = &pg->seg[i];
        ng_hel *o = &el[sg->owner];
        uint32_t len = sg->end - sg->start;
        o->own += len;
        o->text += len;
        o->link += sg->link;
        o->commas += sg->commas;
        if (len >= 80 && sg->link * 4 < len)
            o->paras++;
        if (len >= 40 && sg->link * 3 < len && o->cue >= 0 && !(o->flags & NG_HEL_BADTAG))
            o->good += len;
    }
    for (size_t i = nel; i-- > 1;) {
        ng_hel *e = &el[i];
        if (e->parent < 0)
            continue;
        ng_hel *p = &el[e->parent];
        /* a boilerplate block without prose paragraphs (a teaser box, a
         * share bar) is junk as a whole: climbing ignores it */
        if ((e->flags & NG_HEL_BADTAG || e->cue < 0) && e->paras < 2 && !(e->flags & NG_HEL_BODY))
            e->junk = e->text;
        p->text += e->text;
        p->link += e->link;
        p->commas += e->commas;
        p->paras += e->paras;
        p->good += e->good;
        p->junk += e->junk;
    }
    /* 2. paragraph points to the holder, its parent and grandparent */
    for (size_t i = 0; i < pg->nseg; i++) {
        const ng_hseg *sg = &pg->seg[i];
        const ng_hel *o = &el[sg->owner];
        uint32_t len = sg->end - sg->start;
        if (len < 25 || !para_tag(o->tag) || sg->link * 2 > len)
            continue;
        float pts = 1.0f + (float)sg->commas + (len / 100 > 3 ? 3.0f : (float)(len / 100));
        int32_t a = o->parent;
        /* a <p> (or <li>) credits its container; a <div> with its own text
         * is itself a container */
        int32_t lv0 = (o->tag == MyHTML_TAG_P || o->tag == MyHTML_TAG_LI || o->tag == MyHTML_TAG_PRE ||
                       o->tag == MyHTML_TAG_BLOCKQUOTE || o->tag == MyHTML_TAG_DD)
                          ? a
                          : sg->owner;
        if (lv0 < 0)
            continue;
        el[lv0].score += pts;
        int32_t g = el[lv0].parent;
        if (g >= 0) {
            el[g].score += pts / 2;
            int32_t gg = el[g].parent;
            if (gg >= 0)
                el[gg].score += pts / 6;
        }
    }
    int32_t top = -1;
    float best = 0;
    for (size_t i = 0; i < nel; i++) {
        ng_hel *e = &el[i];
        /* under a boilerplate tag (a text widget in an <aside>) */
        if (e->parent >= 0) {
            const ng_hel *p = &el[e->parent];
            if ((p->flags & HEL_INBAD) || ((p->flags & NG_HEL_BADTAG || p->cue <= -2) && !(p->flags & NG_HEL_BODY)))
                e->flags |= HEL_INBAD;
        }
        if (e->score <= 0)
            continue;
        int cue = e->cue > 2 ? 2 : e->cue < -2 ? -2 : e->cue;
        float s = (e->score + tag_weight(e->tag)) * (1.0f + 0.3f * (float)cue);
        if (((e->flags & (NG_HEL_BADTAG)) && !(e->flags & NG_HEL_BODY)) || (e->flags & HEL_INBAD))
            s *= 0.5f;
        uint32_t plain = e->text - e->link;
        if ((e->flags & NG_HEL_BODY) && plain >= 200)
            s *= 1.5f;
        else if ((e->flags & NG_HEL_ARTICLE) && plain >= 200)
            s *= 1.2f;
        s *= 1.0f - link_density(e);
        e->score = s;
        if (s > best) {
            best = s;
            top = (int32_t)i;
        }
    }
    /* no prose at all: the whole body, filtered */
    if (top < 0)
        top = 0;
    int32_t cand = top;
    /* climb while the parent adds more good prose than other text: an
     * article split over several sections has them all */
    while (el[top].parent >= 0) {
        const ng_hel *p = &el[el[top].parent];
        /* bytes of prose and of other text (not counting junk) the parent adds */
        int64_t addg = (int64_t)p->good - el[top].good;
        int64_t addb = ((int64_t)p->text - p->good - p->junk / JUNKDIV) - ((int64_t)el[top].text - el[top].good - el[top].junk / JUNKDIV);
        if (p->text > el[top].text + el[top].text / 10 + 20 && (addg <= 0 || (float)addg < CLIMB * (float)addb))
            break;
        top = el[top].parent;
    }

    /* 3. siblings that join the top */
    int32_t par = el[top].parent;
    size_t nreg = 0;
    int32_t regs[4096];
    if (par >= 0) {
        float thr = best * 0.2f > 10.0f ? best * 0.2f : 10.0f;
        for (int32_t i = par + 1; i < el[par].end && nreg < sizeof regs / sizeof *regs; i = el[i].end) {
            ng_hel *s = &el[i];
            int take = i == top;
            if (!take && !(s->flags & (NG_HEL_BADTAG | NG_HEL_HEADER)) && s->cue >= 0) {
                float ld = link_density(s);
                if (s->score >= thr)
                    take = 1;
                else if (s->own == s->text && s->text > 80 && ld < 0.25f)
                    take = 1;
                else if (s->own == s->text && s->text > 0 && s->text <= 80 && ld == 0.0f && s->tag == MyHTML_TAG_P)
                    take = 1;
            }
            if (take)
                regs[nreg++] = i;
        }
    } else {
        regs[nreg++] = top;
    }
    for (size_t k = 0; k < nreg; k++)
        mark_region(pg, regs[k]);
    if (debug) {
        fprintf(stderr, "best score %.1f; region parent %d:", best, par);
        for (size_t k = 0; k < nreg; k++)
            fprintf(stderr, " el %d (tag %d cue %d score %.1f text %u link %u good %u)", regs[k], el[regs[k]].tag,
                    el[regs[k]].cue, el[regs[k]].score, el[regs[k]].text, el[regs[k]].link, el[regs[k]].good);
        fprintf(stderr, "\n");
        for (size_t i = 0; i < nel; i++)
            if (el[i].score > best * 0.3f && el[i].score > 5)
                fprintf(stderr, "  cand el %zu tag %d cue %d flags %x score %.1f text %u link %u good %u paras %u\n", i,
                        el[i].tag, el[i].cue, el[i].flags & 0xff, el[i].score, el[i].text, el[i].link, el[i].good,
                        el[i].paras);
    }

    /* 4. the kept segments; short non-sentences before the first and after
     * the last prose paragraph (bylines, share bars, "Related" headings) go.
     * When no prose is left because the region's boilerplate blocks held
     * the best candidate (an article inside an <aside> of <main>), the
     * best candidate alone is the region, a second time; when nothing at
     * all is left, the whole page, filtered, a last time. */
    size_t out0 = out->len;
    for (int attempt = 0; attempt < 3; attempt++) {
        if (attempt == 2) {
            for (size_t i = 0; i < nel; i++)
                el[i].flags &= (uint16_t)~(HEL_KEEP | HEL_DROP | HEL_PROSE);
            mark_region(pg, 0);
            if (debug)
                fprintf(stderr, "nothing kept: the whole page, filtered\n");
        }
        /* the first and last prose paragraphs (not a call to action or a
         * browser warning that happens to be long) */
        size_t first = pg->nseg, last = 0;
        for (size_t i = 0; i < pg->nseg; i++)
            if (prose_seg(m, pg, i)) {
                first = i;
                break;
            }
        for (size_t i = pg->nseg; first < pg->nseg && i-- > first;)
            if (prose_seg(m, pg, i)) {
                last = i;
                break;
            }
        /* the last two prose paragraphs and what follows them */
        size_t tail = pg->nseg;
        {
            int k = 0;
            for (size_t i = last + 1; i-- > first && first < pg->nseg && k < 2;) {
                const ng_hseg *sg = &pg->seg[i];
                const ng_hel *o = &el[sg->owner];
                if ((o->flags & HEL_KEEP) && !(o->flags & (HEL_DROP | HEL_PROSE)) && sg->end - sg->start >= 80) {
                    tail = i;
                    k++;
                }
            }
        }
        int inform = 0; /* form messages are no article */
        for (int32_t a = cand; a >= 0 && a != top && !inform; a = el[a].parent)
            inform = el[a].tag == MyHTML_TAG_FORM;
        if (first == pg->nseg && attempt == 0 && cand != top && el[cand].good > 0 && !inform) {
            for (size_t i = 0; i < nel; i++)
                el[i].flags &= (uint16_t)~(HEL_KEEP | HEL_DROP | HEL_PROSE);
            mark_region(pg, cand);
            if (debug)
                fprintf(stderr, "no prose kept: the best candidate el %d alone\n", cand);
            continue;
        }
        size_t tlen = title ? strlen(title) : 0;
        size_t lead = lead_seg(m, pg, title, tlen, first);
        int teaser = 0; /* inside a teaser list after the article */
        for (size_t i = 0; i < pg->nseg; i++) {
            const ng_hseg *sg = &pg->seg[i];
            const ng_hel *o = &el[sg->owner];
            if (i == lead) {
                if (debug)
                    dbg_seg(pg, i, "LEAD");
                if (out->len)
                    ng_buf_put(out, "\n\n", 2);
                ng_buf_put(out, pg->buf.p + sg->start, sg->end - sg->start);
                continue;
            }
            if (!(o->flags & HEL_KEEP) || (o->flags & HEL_DROP)) {
                if (debug && (o->flags & HEL_KEEP)) {
                    int32_t a = sg->owner;
                    while (el[a].parent >= 0 && (el[el[a].parent].flags & HEL_DROP))
                        a = el[a].parent;
                    fprintf(stderr, "  [dropped by el %d tag %d cue %d flags %x text %u paras %u]", a, el[a].tag,
                            el[a].cue, el[a].flags & 0xff, el[a].text, el[a].paras);
                }
                if (debug)
                    dbg_seg(pg, i, (o->flags & HEL_KEEP) ? "DROPEL" : "OUTSIDE");
                continue;
            }
            const char *s = pg->buf.p + sg->start;
            uint32_t len = sg->end - sg->start;
            if (len == 0)
                continue;
            if (sg->link * 2 > len) {
                if (debug)
                    dbg_seg(pg, i, "LINKS");
                continue;
            }
            if (o->tag == MyHTML_TAG_H1)
                continue;
            if (tlen && len == tlen && memcmp(s, title, len) == 0)
                continue;
            int sentence = sentence_like(s, len);
            if ((o->flags & HEL_PROSE) && !(len >= 80 || (len >= 40 && sentence))) {
                if (debug)
                    dbg_seg(pg, i, "HEADER");
                continue;
            }
            /* a short paragraph next to the article's last (or first) prose
             * paragraph, in the same container and without links, is the
             * writer's own (a sign-off, a greeting), not the page's */
            int sib = 0;
            if (first < pg->nseg && (i < first || i > last) && o->tag == MyHTML_TAG_P && sg->link == 0) {
                const ng_hel *edge = &el[pg->seg[i < first ? first : last].owner];
                const char *x = pg->buf.p + sg->start;
                /* not a date or a credit ("23.10.2018", "January 5, 2021",
                 * "aja/PAP") */
                size_t gap = i < first ? first - i : i - last;
                int run = 0, year = 0;
                for (uint32_t k = 0; k < len && !year; k++) {
                    run = x[k] >= '0' && x[k] <= '9' ? run + 1 : 0;
                    year = run >= 4;
                }
                sib = edge->tag == MyHTML_TAG_P && edge->parent == o->parent && gap <= 2 && !year &&
                      !(x[0] >= '0' && x[0] <= '9') && !memchr(x, '/', len);
                if (sib && gap == 2) {
                    /* with nothing but another such paragraph in between */
                    const ng_hel *mid = &el[pg->seg[i < first ? i + 1 : i - 1].owner];
                    sib = mid->tag == MyHTML_TAG_P && mid->parent == o->parent;
                }
            }
            /* a heading is no sentence, whatever its last character
             * ("Further information:" after the article) */
            int heading = o->tag >= MyHTML_TAG_H1 && o->tag <= MyHTML_TAG_H6;
            /* an item of a list or a table cell without links (ingredients,
         * facts) */
        if (!sib && first < pg->nseg && (i < first || i > last) && sg->link == 0 &&
            (o->tag == MyHTML_TAG_LI || o->tag == MyHTML_TAG_DD || o->tag == MyHTML_TAG_DT || o->tag == MyHTML_TAG_TD) &&
            o->parent >= 0 &&
            el[o->parent].link == 0 && el[o->parent].text < 1500)
            sib = 1;
        if (first < pg->nseg && (i < first || i > last) && len < EDGE && (!sentence || heading) && !sib) {
                if (debug)
                    dbg_seg(pg, i, "EDGE");
                continue;
            }
            /* a template placeholder the page's scripts would fill
             * ("{{link.text}}", "%d bloggers like this") */
            if ((len >= 4 && s[0] == '{' && s[1] == '{' && s[len - 1] == '}' && s[len - 2] == '}') ||
                (len < 100 && printf_placeholder(s, len))) {
                if (debug)
                    dbg_seg(pg, i, "TEMPLATE");
                continue;
            }
            if (len < 300 && o->tag != MyHTML_TAG_PRE && breadcrumb(s, len)) {
                if (debug)
                    dbg_seg(pg, i, "CRUMBS");
                continue;
            }
            if (len < 600 && copyright_notice(s, len)) {
                if (debug)
                    dbg_seg(pg, i, "COPYRGHT");
                continue;
            }
            /* a photo caption with its credit ("Ski star Marco Odermatt.
             * \xc2\xa9 AFP / Jane Doe"): the credit sign in a short block */
            if (len < 200 && has_credit_sign(s, len)) {
                if (debug)
                    dbg_seg(pg, i, "CREDIT");
                continue;
            }
            if (len < 250) {
                char low[512];
                size_t L = fold_line(s, len, low, sizeof low);
                /* a teaser heading after the article's first prose: it and the
                 * short blocks after it go, up to the next prose paragraph */
                if (len < 80 && i > first && teaser_head(m, low, L)) {
                    teaser = 1;
                    if (debug)
                        dbg_seg(pg, i, "TEASERH");
                    continue;
                }
                if (chrome_line(m, low, L, len, sentence && !date_end(s, len)) || promo_line(m, low, L)) {
                    if (debug)
                        dbg_seg(pg, i, "CHROME");
                    continue;
                }
                if (caption_block(m, low, L)) {
                    if (debug)
                        dbg_seg(pg, i, "CAPTION");
                    continue;
                }
            } else if (len < 700 && i >= tail) {
                /* the article's last paragraphs: a longer call to action
                 * ("Do you like our magazine? ... support us") */
                char low[1500];
                size_t L = fold_line(s, len, low, sizeof low);
                if (promo_line(m, low, L)) {
                    if (debug)
                        dbg_seg(pg, i, "PROMO");
                    continue;
                }
            }
            if (teaser) {
                if (len >= 150 && sg->link * 4 < len && sentence) {
                    teaser = 0;
                } else {
                    if (debug)
                        dbg_seg(pg, i, "TEASER");
                    continue;
                }
            }
            if (debug)
                dbg_seg(pg, i, "KEEP");
            if (out->len)
                ng_buf_put(out, "\n\n", 2);
            ng_buf_put(out, s, len);
        }
        /* nothing at all: the whole page, filtered, once */
        if (out->len > out0 || top == 0 || attempt == 2)
            break;
        if (attempt == 0)
            attempt = 1;
    }
    /* leave the marks clean */
    for (size_t i = 0; i < nel; i++)
        el[i].flags &= (uint16_t)~(HEL_KEEP | HEL_DROP | HEL_PROSE | HEL_INBAD);
}
