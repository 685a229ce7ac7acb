/*
 * read_text.c — plain-text articles: line ends, white space, and a line
 * classifier that keeps the article and drops the page chrome a "save as
 * text" or a scraper leaves around it.
 *
 * One forward pass over the lines, then a short backward pass over the
 * tail.  Memory is the output text (never longer than the input, in the
 * doc's arena) plus a fixed ring of the last kept lines, whatever the
 * number of lines.
 *
 * A line is page chrome when (docs/text-cleaning.md):
 *   - it equals a cue of lang/<code>/chrome-lines.txt ("Share This !"),
 *     starts with one of chrome-prefixes.txt (">> See:", "Lire aussi"),
 *     or, being short, contains one of chrome-phrases.txt ("invites you
 *     to", "pour pouvoir commenter");
 *   - it is a header of teaser-headers.txt ("Related articles"): it and
 *     the short title and snippet lines after it go, until a real
 *     paragraph comes back;
 *   - it is a file name or alt text: a token with an underscore and no
 *     sentence shape ("google-play-badge_FR"), an image file name, or,
 *     near the top and standing alone, a lowercase line of keyword-like
 *     words without punctuation;
 *   - it is only a date: a labelled or bare date near the top is the
 *     publication date (and leaves the text), unless it is decorated like
 *     a site's "today" widget ("• mer. Avr 24th, 2024") or stands before
 *     the headline with a weekday, which is chrome and never a date;
 *   - it is an agency credit ("With AFP and Reuters", "(AFP)"): dropped,
 *     its agencies remembered (agencies.c);
 *   - it ends the page in a run of teaser pairs (title, then a snippet
 *     cut with "..."), even without a header.
 * Cue lists of every loaded language are used: the language is not known
 * yet at this stage.  The title is the first kept line when it has a
 * headline's shape; it stays in the text.
 */
#include "internal.h"

#include <stddef.h>
#include <string.h>

#define NORM_MAX 256     /* bytes of a line normalised for cue matching */
#define SHORT_LINE 200   /* lines longer than this are never whole-line cues */
#define CUE_LINE 400     /* lines longer than this are only article text */
#define RING 64          /* kept lines remembered for the tail pass */
#define TOP_LINES 8      /* non-blank lines that count as the page's top */

/* What the classifier says about a line. */
enum { L_KEEP, L_CHROME, L_LABELLED };

/* A kept line, remembered for the tail pass. */
typedef struct {
    size_t off, len;  /* where its text is in the output */
    size_t sep;       /* bytes of separator written before it */
} kept_line;


/* Features of one trimmed line. */
typedef struct {
    const char *s;       /* the line, trimmed */
    size_t n;
    size_t nwords;       /* words (runs of non-space), capped */
    int end_period;      /* ends with '.' (or ." .» .”) but not an ellipsis */
    int end_ellipsis;    /* ends with "..." or "…" */
    int end_sentence;    /* ends with . ! ? or a closing quote after one */
    int has_upper, has_lower, has_punct, has_digit, has_underscore;
    int blank_before, blank_after; /* stands alone between blank lines */
    int decorated;       /* symbols were stripped from the start (a bullet) */
    int shaped;          /* shape() has filled nwords and the has_* flags */
    int norm_full;       /* norm and raw cover the whole line (not its head only) */
    size_t nnorm, nraw;  /* lengths of norm and raw */
    char norm[NORM_MAX]; /* folded, spaces collapsed, symbols stripped at both ends */
    char raw[NORM_MAX];  /* folded, spaces collapsed, symbols kept */
} line;

/* The state of one extraction. */
typedef struct {
    const ng_model *m;
    ng_doc *doc;
    char *out;           /* output text (arena), n + 1 bytes */
    size_t olen;         /* bytes written */
    size_t nkept;        /* lines kept so far */
    size_t ncontent;     /* non-blank lines seen so far */
    int gap;             /* a blank line since the last kept line */
    int teaser;          /* inside a teaser list */
    int long_seen;       /* a long article paragraph has been kept */
    int menu_seen;       /* a site menu line was dropped before any kept line */
    kept_line ring[RING];/* the last kept lines (index nkept % RING) */
    size_t title_off, title_len; /* the first kept line */
    size_t label_date_at, label_date_len; /* L_LABELLED: the date after the label, in the line */
    int title_after_date;        /* the first kept line is that date: the title is the next */
    line scratch;        /* a line being looked at by the tail pass */
} ctx;

/* Length of a white-space character at s (n bytes left): ASCII blanks,
 * NBSP, the U+2000 spaces, U+202F, U+205F, U+3000, U+FEFF; 0 otherwise. */
static size_t space_len(const unsigned char *s, size_t n)
{
    if (s[0] == ' ' || s[0] == '\t' || s[0] == '\f' || s[0] == '\v')
        return 1;
    if (s[0] < 0xC2)
        return 0;
    if (s[0] == 0xC2 && n >= 2 && s[1] == 0xA0)
        return 2;
    if (n >= 3) {
        if (s[0] == 0xE2 && s[1] == 0x80 && (s[2] <= 0x8B || s[2] == 0xAF))
            return 3;
        if (s[0] == 0xE2 && s[1] == 0x81 && s[2] == 0x9F)
            return 3;
        if (s[0] == 0xE3 && s[1] == 0x80 && s[2] == 0x80)
            return 3;
        if (s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF)
            return 3;
    }
    return 0;
}

/* Length of a white-space character ending at s+n (looking backwards). */
static size_t space_len_back(const unsigned char *s, size_t n)
{
    if (n >= 1 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\f' || s[n - 1] == '\v'))
        return 1;
    if (n >= 2 && s[n - 2] == 0xC2 && s[n - 1] == 0xA0)
        return 2;
    if (n >= 3 && s[n - 3] >= 0xE2 && space_len(s + n - 3, 3) == 3)
        return 3;
    return 0;
}

/* 1 when code point cp is a letter or a digit. */
static int alnum_cp(uint32_t cp)
{
    if (cp < 0x80)
        return ((cp | 32) - 'a') < 26u || (cp - '0') < 10u;
    return ng_cp_is_alpha(cp) || ng_cp_is_digit(cp);
}

/* Normalises s[0..n) for cue matching into raw (folded, white space runs
 * collapsed to one space) and norm (the same with every character that is
 * not a letter or digit removed from both ends).  Sets decorated when
 * something other than white space was removed at the start. */
static void normalise(line *L, size_t max)
{
    char tmp[NORM_MAX];
    if (max > NORM_MAX - 8)
        max = NORM_MAX - 8;
    size_t n = L->n < max ? L->n : max;
    L->norm_full = n == L->n;
    /* do not cut a UTF-8 sequence */
    while (n < L->n && n > 0 && ((unsigned char)L->s[n] & 0xC0) == 0x80)
        n--;
    size_t k = ng_fold(L->s, n, tmp, sizeof tmp);
    size_t o = 0;
    int sp = 0;
    for (size_t i = 0; i < k;) {
        unsigned char ch = (unsigned char)tmp[i];
        if (ch < 0x80 && ch > ' ') {
            if (sp && o)
                L->raw[o++] = ' ';
            sp = 0;
            L->raw[o++] = (char)ch;
            i++;
            continue;
        }
        size_t w = space_len((const unsigned char *)tmp + i, k - i);
        if (w) {
            sp = 1;
            i += w;
            continue;
        }
        if (sp && o)
            L->raw[o++] = ' ';
        sp = 0;
        L->raw[o++] = tmp[i++];
    }
    L->raw[o] = '\0';
    L->nraw = o;
    /* strip non-alphanumerics at both ends */
    size_t a = 0, b = o;
    while (a < b) {
        uint32_t cp;
        int len = ng_utf8_decode((const unsigned char *)L->raw + a, b - a, &cp);
        if (len == 0)
            len = 1, cp = 0;
        if (alnum_cp(cp))
            break;
        a += (size_t)len;
    }
    while (b > a) {
        size_t j = b - 1;
        while (j > a && ((unsigned char)L->raw[j] & 0xC0) == 0x80)
            j--;
        uint32_t cp;
        if (ng_utf8_decode((const unsigned char *)L->raw + j, b - j, &cp) == 0)
            cp = 0;
        if (alnum_cp(cp))
            break;
        b = j;
    }
    L->decorated = a > 0;
    memcpy(L->norm, L->raw + a, b - a);
    L->norm[b - a] = '\0';
    L->nnorm = b - a;
}

/* Measures how a line ends: a sentence mark, a period, an ellipsis.
 * Looks only at the last bytes. */
static void measure(line *L)
{
    const unsigned char *s = (const unsigned char *)L->s;
    size_t n = L->n;
    L->end_ellipsis = (n >= 3 && memcmp(s + n - 3, "...", 3) == 0) ||
                      (n >= 3 && memcmp(s + n - 3, "\xE2\x80\xA6", 3) == 0) ||
                      (n >= 4 && (memcmp(s + n - 4, "...)", 4) == 0 || memcmp(s + n - 4, "...]", 4) == 0));
    size_t e = n;
    /* closing quotes and brackets after the final mark */
    while (e > 0) {
        if (s[e - 1] == '"' || s[e - 1] == '\'' || s[e - 1] == ')')
            e--;
        else if (e >= 2 && s[e - 2] == 0xC2 && s[e - 1] == 0xBB) /* » */
            e -= 2;
        else if (e >= 3 && s[e - 3] == 0xE2 && s[e - 2] == 0x80 && (s[e - 1] == 0x9D || s[e - 1] == 0x99))
            e -= 3; /* ” ’ */
        else if (space_len_back(s, e))
            e -= space_len_back(s, e);
        else
            break;
    }
    L->end_sentence = e > 0 && (s[e - 1] == '.' || s[e - 1] == '!' || s[e - 1] == '?');
    L->end_period = e > 0 && s[e - 1] == '.' && !L->end_ellipsis;
}

/* Measures the shape of a line once: words, case, punctuation.  Lines
 * longer than CUE_LINE count as long prose without being read. */
static void shape(line *L)
{
    const unsigned char *s = (const unsigned char *)L->s;
    size_t n = L->n;
    if (L->shaped)
        return;
    L->shaped = 1;
    if (n > CUE_LINE) {
        L->nwords = 1000;
        L->has_upper = L->has_lower = L->has_punct = 1;
        return;
    }
    size_t words = 0;
    int in = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = s[i];
        if (c == ' ' || c == '\t') {
            in = 0;
            continue;
        }
        if (!in)
            words++;
        in = 1;
        if (c >= 'A' && c <= 'Z')
            L->has_upper = 1;
        else if (c >= 'a' && c <= 'z')
            L->has_lower = 1;
        else if (c >= '0' && c <= '9')
            L->has_digit = 1;
        else if (c == '_')
            L->has_underscore = 1;
        else if (c < 0x80 && c != '-' && c != '\'')
            L->has_punct = 1;
        else if (c >= 0xC3 && c < 0xE0 && i + 1 < n) {
            /* Latin-1 supplement and Latin Extended letters: upper when
             * the code point is in a capital range (coarse, enough for
             * shape) */
            uint32_t cp;
            if (ng_utf8_decode(s + i, n - i, &cp) == 2) {
                if (ng_cp_is_upper(cp))
                    L->has_upper = 1;
                else if (ng_cp_is_alpha(cp))
                    L->has_lower = 1;
                else
                    L->has_punct = 1;
            }
        } else if (c >= 0xE0) {
            L->has_punct |= (c == 0xE2); /* general punctuation, quotes, dashes */
        }
    }
    L->nwords = words;
}

/* 1 when any language's list at field offset off holds key. */
static int any_has(const ng_model *m, size_t off, const char *key, size_t n)
{
    for (size_t l = 0; l < m->nlangs; l++) {
        const ng_strset *set = (const ng_strset *)((const char *)&m->langs[l] + off);
        if (set->n && ng_strset_has(set, key, n))
            return 1;
    }
    return 0;
}

/* Finds the items of set that begin line f[0..n) and end at a word
 * boundary (a space or ':' follows, or the line ends); returns the length
 * of the longest, or 0.  One hash lookup (ng_strset_prefix) for the items
 * that begin with the first word, then a walk over those few. */
static size_t set_prefix(const ng_strset *set, const char *f, size_t n)
{
    if (set->n == 0)
        return 0;
    const char *sp = memchr(f, ' ', n);
    size_t w = sp ? (size_t)(sp - f) : n;
    if (w > 1 && f[w - 1] == ':')
        w--;
    size_t lo, hi;
    if (w == 0 || !ng_strset_prefix(set, f, w, &lo, &hi))
        return 0;
    size_t best = 0;
    for (size_t i = lo; i < hi; i++) {
        const char *it = set->items[i];
        size_t k = strlen(it);
        if (k > n || memcmp(it, f, k) != 0)
            continue;
        if (k == n || f[k] == ' ' || f[k] == ':' || it[k - 1] == ':')
            best = k > best ? k : best;
    }
    return best;
}

/* 0 when no chrome prefix of any language can begin line L, told from
 * its first word alone, folded as normalise() folds it (the word is the
 * key set_prefix() would look up in L->raw); 1 when one may, or when the
 * first word is long or does not start with a letter or digit (then
 * normalise() and prefix_match() decide).  Saves normalising most lines. */
static int may_have_prefix(const ng_model *m, const line *L)
{
    const unsigned char *s = (const unsigned char *)L->s;
    size_t e = 0;
    while (e < L->n && e < 32 && !space_len(s + e, L->n - e))
        e++;
    if (e >= 32)
        return 1;
    char key[80];
    size_t k = ng_fold(L->s, e, key, sizeof key);
    uint32_t cp;
    if (k == 0 || k + 8 >= sizeof key || ng_utf8_decode((const unsigned char *)key, k, &cp) == 0 || !alnum_cp(cp))
        return 1;
    if (k > 1 && key[k - 1] == ':')
        k--;
    for (size_t l = 0; l < m->nlangs; l++) {
        size_t lo, hi;
        if (ng_strset_prefix(&m->langs[l].chrome_prefix, key, k, &lo, &hi))
            return 1;
    }
    return 0;
}

/* 1 when line f[0..n) begins with an item of any language's list at field
 * offset off; *plen gets the longest match's length. */
static int prefix_match(const ng_model *m, size_t off, const char *f, size_t n, size_t *plen)
{
    size_t best = 0;
    for (size_t l = 0; l < m->nlangs; l++) {
        size_t k = set_prefix((const ng_strset *)((const char *)&m->langs[l] + off), f, n);
        best = k > best ? k : best;
    }
    *plen = best;
    return best > 0;
}

/* 1 when f (a normalised line of n bytes) contains, starting at a word,
 * an item of any language's chrome-phrases list.  One binary search per
 * word and language. */
static int phrase_match(const ng_model *m, const char *f, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && f[i - 1] != ' ')
            continue;
        for (size_t l = 0; l < m->nlangs; l++)
            if (set_prefix(&m->langs[l].chrome_phrase, f + i, n - i))
                return 1;
    }
    return 0;
}

/* 1 when the line looks like a file name or image alt keywords rather
 * than prose: a token with an underscore, an image file name, or (near
 * the top, standing alone) lowercase keyword-like words. */
static int file_or_keywords(const ctx *c, line *L)
{
    if (L->n > 120 || L->end_sentence)
        return 0;
    shape(L);
    if (L->has_underscore && L->nwords <= 6) {
        /* an underscore joins two letters somewhere */
        for (size_t i = 1; i + 1 < L->n; i++)
            if (L->s[i] == '_' && L->s[i - 1] != ' ' && L->s[i + 1] != ' ')
                return 1;
    }
    if (L->nwords == 1 && L->n > 4) {
        static const char *const ext[] = {".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg", ".bmp", ".tif"};
        for (size_t i = 0; i < sizeof ext / sizeof *ext; i++) {
            size_t k = strlen(ext[i]);
            if (L->nraw > k && memcmp(L->raw + L->nraw - k, ext[i], k) == 0)
                return 1;
        }
    }
    if (c->ncontent < TOP_LINES && L->nwords >= 2 && L->nwords <= 8 && !L->has_upper && !L->has_punct &&
        !L->has_digit && L->blank_before && L->blank_after)
        return 1;
    return 0;
}

/* Records a publication date found in the text unless one is known. */
static void set_published(ctx *c, const char *iso)
{
    if (c->doc->published || !iso[0])
        return;
    c->doc->published = ng_arena_strdup(&c->doc->arena, iso);
    c->doc->published_from = NG_FROM_TEXT;
}

/* Bytes of separators (spaces, '|', ':', '-', dashes, '·', '•') at s. */
static size_t skip_separators(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t w = space_len((const unsigned char *)s + i, n - i);
        if (w) {
            i += w;
        } else if (s[i] == '|' || s[i] == ':' || s[i] == '-' || s[i] == ',' || s[i] == '/') {
            i++;
        } else if (n - i >= 3 && (unsigned char)s[i] == 0xE2 && (unsigned char)s[i + 1] == 0x80 &&
                   ((unsigned char)s[i + 2] == 0x93 || (unsigned char)s[i + 2] == 0x94 ||
                    (unsigned char)s[i + 2] == 0xA2)) {
            i += 3; /* – — • */
        } else if (n - i >= 2 && (unsigned char)s[i] == 0xC2 && (unsigned char)s[i + 1] == 0xB7) {
            i += 2; /* · */
        } else {
            break;
        }
    }
    return i;
}

/* Bytes at the start of s that are not letters or digits (bullets, icons). */
static size_t skip_symbols(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint32_t cp;
        int k = ng_utf8_decode((const unsigned char *)s + i, n - i, &cp);
        if (k == 0)
            k = 1, cp = 0;
        if (alnum_cp(cp))
            break;
        i += (size_t)k;
    }
    return i;
}

/* How much of a line to give the date reader when a date must start it:
 * a date and its time fit in 96 bytes. */
static size_t cap_date(size_t n) { return n < 96 ? n : 96; }

/* An agency dateline opening the line ("PARIS, 2 oct 2019 (AFP) -":
 * capitals, a comma, a date with a year, then '(' or a dash within 40
 * bytes) gives the publication date.  Cheap: it reads at most the first
 * hundred bytes, so it runs on long paragraphs too. */
static void agency_dateline(ctx *c, const line *L)
{
    char iso[64];
    int has_year;
    size_t k, caps = 0, i = 0;
    while (i < L->n && i < 40 && ((L->s[i] >= 'A' && L->s[i] <= 'Z') || L->s[i] == ' ' || L->s[i] == '-' ||
                                  L->s[i] == '.' || (unsigned char)L->s[i] >= 0x80)) {
        caps += L->s[i] >= 'A' && L->s[i] <= 'Z';
        i++;
    }
    if (caps >= 3 && i < L->n && L->s[i] == ',') {
        i++;
        while (i < L->n && L->s[i] == ' ')
            i++;
        k = ng_date_scan(c->m, L->s + i, cap_date(L->n - i), iso, sizeof iso, &has_year);
        if (k && has_year) {
            const char *after = L->s + i + k;
            size_t left = L->n - i - k;
            if (left > 40)
                left = 40;
            int mark = 0;
            for (size_t j = 0; j < left && !mark; j++)
                mark = after[j] == '(' || after[j] == '-' ||
                       (j + 2 < left && (unsigned char)after[j] == 0xE2 && (unsigned char)after[j + 1] == 0x80 &&
                        ((unsigned char)after[j + 2] == 0x93 || (unsigned char)after[j + 2] == 0x94));
            if (mark)
                set_published(c, iso);
        }
    }
}

/* Looks for a date at the top of the article: a labelled date ("date
 * 2022-01-20 ...", "Published: ...", "Publié le ..."), a line that is only
 * a date, or an agency dateline ("PARIS, 2 oct 2019 (AFP) -").  Returns
 * L_CHROME for a date-only line, L_LABELLED with *rest set when a label
 * and date precede other text, L_KEEP otherwise. */
static int top_date(ctx *c, const line *L, size_t *rest)
{
    char iso[64];
    int has_year;
    size_t plen;
    /* a label, then a date */
    if (prefix_match(c->m, offsetof(ng_lang, date_labels), L->norm, L->nnorm, &plen)) {
        /* find where the label ends in the original line: skip as many
         * words as the label has */
        size_t words = 1;
        for (size_t i = 0; i < plen; i++)
            words += L->norm[i] == ' ';
        size_t i = skip_symbols(L->s, L->n);
        for (size_t wd = 0; wd < words && i < L->n; wd++) {
            while (i < L->n && L->s[i] != ' ' && L->s[i] != ':' && !space_len((const unsigned char *)L->s + i, L->n - i))
                i++;
            i += skip_separators(L->s + i, L->n - i);
        }
        size_t k = ng_date_scan(c->m, L->s + i, cap_date(L->n - i), iso, sizeof iso, &has_year);
        if (k) {
            if (has_year)
                set_published(c, iso);
            c->label_date_at = i;
            c->label_date_len = k;
            i += k;
            i += skip_separators(L->s + i, L->n - i);
            if (i >= L->n)
                return L_CHROME;
            *rest = i;
            return L_LABELLED;
        }
    }
    /* a line that is only a date */
    size_t i = skip_symbols(L->s, L->n);
    size_t k = L->n - i <= 80 ? ng_date_scan(c->m, L->s + i, L->n - i, iso, sizeof iso, &has_year) : 0;
    if (k) {
        size_t j = i + k;
        while (j < L->n && (L->s[j] == ' ' || L->s[j] == '.' || L->s[j] == ',' || L->s[j] == '|'))
            j++;
        if (j >= L->n) {
            /* a site's "today" widget is decorated like the menu items
             * around it ("• mer. Avr 24th, 2024") or sits in the site's
             * header, after its menu line and before the article; it is
             * chrome and never a publication date.  A plain date line is
             * the article's. */
            int widget = L->decorated || (c->menu_seen && c->nkept == 0);
            if (!widget && has_year)
                set_published(c, iso);
            return L_CHROME;
        }
    }
    agency_dateline(c, L);
    return L_KEEP;
}

/* Classifies one line: L_KEEP, L_CHROME or L_LABELLED (keep from *rest).
 * The common case, a sentence past the page's top, costs a look at the
 * line's last bytes and at its first few words only. */
/* True for a site menu: three or more short items (at most four words and
 * 32 bytes each, none ending a sentence) separated by '|' or ' / ', as in
 * "Home | World | Europe | Sign in". */
static int menu_line(const line *L)
{
    size_t items = 0, start = 0;
    if (L->n > 240 || !memchr(L->s, '|', L->n))
        return 0;
    for (size_t i = 0; i <= L->n; i++) {
        if (i < L->n && L->s[i] != '|')
            continue;
        size_t a = start, b = i;
        while (a < b && L->s[a] == ' ')
            a++;
        while (b > a && L->s[b - 1] == ' ')
            b--;
        start = i + 1;
        if (a == b)
            continue;
        size_t words = 1;
        for (size_t k = a; k < b; k++)
            words += L->s[k] == ' ';
        if (words > 4 || b - a > 32 || L->s[b - 1] == '.' || L->s[b - 1] == '!' || L->s[b - 1] == '?')
            return 0;
        items++;
    }
    return items >= 3;
}

static int classify(ctx *c, line *L, size_t *rest)
{
    const ng_model *m = c->m;
    size_t plen;
    if (menu_line(L)) {
        if (c->nkept == 0)
            c->menu_seen = 1;
        return L_CHROME;
    }
    if (c->teaser) {
        /* a teaser list lasts until a real paragraph comes back */
        shape(L);
        if ((L->nwords >= 12 && L->end_period) || L->nwords >= 40)
            c->teaser = 0;
        else
            return L_CHROME;
    }
    int top = c->ncontent < TOP_LINES && !c->long_seen;
    if (L->n > CUE_LINE) {
        /* a long first paragraph may still open with a dateline */
        if (top && !c->doc->published)
            agency_dateline(c, L);
        return L_KEEP;
    }
    /* the head of the line is enough for the prefixes (and its first word
     * enough to tell that none can match, the common case) */
    if (may_have_prefix(m, L)) {
        normalise(L, 40);
        if (prefix_match(m, offsetof(ng_lang, chrome_prefix), L->raw, L->nraw, &plen) ||
            (L->decorated && prefix_match(m, offsetof(ng_lang, chrome_prefix), L->norm, L->nnorm, &plen))) {
            /* "Read more:" alone on its line heads a list of teasers */
            if (!L->norm_full)
                normalise(L, NORM_MAX);
            if (L->norm_full && any_has(m, offsetof(ng_lang, teaser_heads), L->norm, L->nnorm))
                c->teaser = 1;
            return L_CHROME;
        }
    }
    /* past the top, a sentence of some length is article text */
    if (!top && ((L->end_sentence && L->n > 60) || L->n > 160))
        return L_KEEP;
    /* (when normalise(L, 40) did not run or did not reach the end) */
    if (!L->norm_full)
        normalise(L, NORM_MAX);
    if (L->norm_full && L->nnorm >= 3 && L->nnorm <= 80) {
        if (any_has(m, offsetof(ng_lang, teaser_heads), L->norm, L->nnorm)) {
            c->teaser = 1;
            return L_CHROME;
        }
        if (any_has(m, offsetof(ng_lang, chrome_lines), L->norm, L->nnorm))
            return L_CHROME;
    }
    /* newsletter pitches: at the top, or not shaped as a sentence; the
     * tail pass looks at the page's last lines whatever their shape */
    if (L->norm_full && L->nraw >= 8 && (top || !L->end_period) && phrase_match(m, L->raw, L->nraw))
        return L_CHROME;
    /* the checks below need the line's shape (words, case), and only for
     * lines of at most 120 bytes: shape() is called when one is */
    if (L->n <= 120) {
        shape(L);
        if (L->nwords <= 8 && !L->has_digit && ng_agencies_credit(c->doc, L->s, L->n))
            return L_CHROME;
    }
    if (file_or_keywords(c, L))
        return L_CHROME;
    if (top && L->n <= SHORT_LINE && L->norm_full)
        return top_date(c, L, rest);
    if (top && !c->doc->published)
        agency_dateline(c, L); /* a longer first paragraph may open with one */
    return L_KEEP;
}

/* Copies s[0..n) to the output, turning control characters (other than
 * tab) into spaces. */
static void emit(ctx *c, const char *s, size_t n)
{
    char *o = c->out + c->olen;
    memcpy(o, s, n);
    /* look for bytes below 0x20 eight at a time */
    size_t i = 0;
    int ctl = 0;
    for (; i + 8 <= n && !ctl; i += 8) {
        uint64_t v;
        memcpy(&v, s + i, 8);
        ctl = ((v - 0x2020202020202020ull) & ~v & 0x8080808080808080ull) != 0;
    }
    for (; i < n && !ctl; i++)
        ctl = (unsigned char)s[i] < 0x20;
    if (ctl)
        for (size_t j = 0; j < n; j++)
            if (((unsigned char)o[j] < 0x20 && o[j] != '\t') || o[j] == 0x7f)
                o[j] = ' ';
    c->olen += n;
}

/* Keeps line s[0..n): writes the separator and the line, remembers it. */
static void keep(ctx *c, const char *s, size_t n, const line *L)
{
    /* control characters become spaces in the output (emit): trim those at
     * the ends too, so no kept line (nor the title) ends in white space */
    while (n && ((unsigned char)s[n - 1] <= 0x20 || s[n - 1] == 0x7f))
        n--;
    while (n && ((unsigned char)s[0] <= 0x20 || s[0] == 0x7f)) {
        s++;
        n--;
    }
    size_t sep = 0;
    if (c->nkept) {
        sep = c->gap ? 2 : 1;
        memcpy(c->out + c->olen, "\n\n", sep);
        c->olen += sep;
    }
    kept_line *k = &c->ring[c->nkept % RING];
    k->off = c->olen;
    k->len = n;
    k->sep = sep;
    if (c->nkept == 0 || (c->nkept == 1 && c->title_after_date)) {
        c->title_off = c->olen;
        c->title_len = n;
    }
    emit(c, s, n);
    c->nkept++;
    c->gap = 0;
    if (L->n >= 150 && L->end_sentence)
        c->long_seen = 1;
}

/* The tail pass: a page that ends in teaser pairs (a short title line,
 * then a snippet cut with "...") loses them, header or not.  Works on the
 * ring of the last kept lines, so it looks at no more than RING lines. */
static void trim_tail(ctx *c)
{
    /* newsletter and app pitches ending the page, whatever their shape */
    while (c->nkept > 0) {
        const kept_line *k = &c->ring[(c->nkept - 1) % RING];
        if (k->len >= 160)
            break;
        line *L = &c->scratch;
        memset(L, 0, offsetof(line, norm));
        L->s = c->out + k->off;
        L->n = k->len;
        normalise(L, NORM_MAX);
        if (!phrase_match(c->m, L->raw, L->nraw))
            break;
        c->olen = k->off - k->sep;
        c->nkept--;
    }
    size_t avail = c->nkept < RING ? c->nkept : RING;
    size_t snippets = 0, cut = 0;
    for (size_t back = 1; back <= avail; back++) {
        const kept_line *k = &c->ring[(c->nkept - back) % RING];
        line L;
        memset(&L, 0, sizeof L);
        L.s = c->out + k->off;
        L.n = k->len;
        measure(&L);
        /* the word count matters only for a snippet or after one */
        if (!L.end_ellipsis && snippets == 0)
            break;
        shape(&L);
        if (L.end_ellipsis && L.nwords >= 5 && L.nwords <= 60) {
            snippets++;
        } else if (!(L.nwords <= 20 && !L.end_period && snippets > 0)) {
            break;
        }
        cut = back;
    }
    if (snippets >= 2 && cut < c->nkept) {
        const kept_line *k = &c->ring[(c->nkept - cut) % RING];
        c->olen = k->off - k->sep;
        c->nkept -= cut;
    }
}

/* 1 when s[0..n) has a headline's shape: 2 to 30 words, no final period,
 * colon or ellipsis, starting with a capital or a digit. */
static int headline_shape(const char *s, size_t n)
{
    line L;
    memset(&L, 0, sizeof L);
    L.s = s;
    L.n = n;
    if (n == 0 || n > 250)
        return 0;
    measure(&L);
    if (L.end_period || L.end_ellipsis)
        return 0;
    char last = s[n - 1];
    if (last == ':' || last == ',' || last == ';')
        return 0;
    shape(&L); /* after the cheap tests: it reads the whole line */
    if (L.nwords < 2 || L.nwords > 30)
        return 0;
    uint32_t cp;
    size_t i = skip_symbols(s, n);
    if (i >= n || ng_utf8_decode((const unsigned char *)s + i, n - i, &cp) == 0)
        return 0;
    return ng_cp_is_upper(cp) || ng_cp_is_digit(cp);
}

int ng_text_extract(ng_worker *w, ng_doc *doc, const char *s, size_t n)
{
    ctx *c = ng_arena_calloc(&doc->arena, 1, sizeof *c);
    if (!c)
        return ng_worker_fail(w, NG_ENOMEM, "out of memory");
    c->m = w->model;
    c->doc = doc;
    c->out = ng_arena_alloc(&doc->arena, n + 1);
    if (!c->out)
        return ng_worker_fail(w, NG_ENOMEM, "out of memory");
    const int has_cr = memchr(s, '\r', n) != NULL;
    int prev_blank = 1;
    line *L = ng_arena_alloc(&doc->arena, sizeof *L);
    if (!L)
        return ng_worker_fail(w, NG_ENOMEM, "out of memory");
    size_t p = 0;
    while (p < n) {
        /* find the end of the line and the start of the next */
        size_t e, next;
        if (!has_cr) {
            const char *nl = memchr(s + p, '\n', n - p);
            e = nl ? (size_t)(nl - s) : n;
            next = nl ? e + 1 : n;
        } else {
            e = p;
            while (e < n && s[e] != '\n' && s[e] != '\r')
                e++;
            next = e;
            if (next < n)
                next += (s[next] == '\r' && next + 1 < n && s[next + 1] == '\n') ? 2 : 1;
        }
        /* trim */
        size_t a = p, b = e, k;
        while (a < b && (k = space_len((const unsigned char *)s + a, b - a)) != 0)
            a += k;
        while (b > a && (k = space_len_back((const unsigned char *)s + a, b - a)) != 0)
            b -= k;
        p = next;
        if (a == b) {
            if (c->nkept)
                c->gap = 1;
            prev_blank = 1;
            continue;
        }
        memset(L, 0, offsetof(line, norm));
        L->norm[0] = L->raw[0] = '\0';
        L->s = s + a;
        L->n = b - a;
        L->blank_before = prev_blank;
        /* blank after: the next line is empty (or this is the last) */
        size_t q = next;
        while (q < n && (s[q] == ' ' || s[q] == '\t'))
            q++;
        L->blank_after = q >= n || s[q] == '\n' || s[q] == '\r';
        prev_blank = 0;
        measure(L);
        size_t rest = 0;
        int cls = classify(c, L, &rest);
        if (cls == L_KEEP)
            keep(c, L->s, L->n, L);
        else if (cls == L_LABELLED) {
            /* "date 2022-01-20 Title ...": the label goes, the date stays
             * in the text as a line of its own (the time expressions and
             * the events read it), the title is what follows */
            if (c->nkept == 0)
                c->title_after_date = 1;
            keep(c, L->s + c->label_date_at, c->label_date_len, L);
            keep(c, L->s + rest, L->n - rest, L);
        }
        c->ncontent++;
    }
    trim_tail(c);
    c->out[c->olen] = '\0';
    doc->text = c->out;
    doc->text_len = c->olen;
    if (c->nkept && c->title_off + c->title_len <= c->olen && headline_shape(c->out + c->title_off, c->title_len))
        doc->title = ng_arena_strndup(&doc->arena, c->out + c->title_off, c->title_len);
    if (doc->arena.oom)
        return ng_worker_fail(w, NG_ENOMEM, "out of memory");
    return NG_OK;
}
