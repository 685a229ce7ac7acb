/*
 * agencies.c — news agency credits: "With AFP and Reuters", "(AFP)",
 * "( Jowharwith AFP)", "avec AFP", and datelines such as
 * "PARIS (Reuters) -".
 *
 * The agencies and their aliases come from lang/common/agencies.txt (one
 * agency a line: the canonical name, then aliases, tab-separated); the
 * small words a credit line may hold ("with", "avec", "and") from
 * lang/<code>/credit-words.txt.  The result is doc->agencies, a
 * NULL-terminated array of canonical names in the doc's arena, in the
 * order found, without repeats.
 *
 * Two callers: read_text.c asks ng_agencies_credit about each short line
 * (and drops the credit lines from the text); ng_agencies_find, run for
 * every document after extraction, reads the first paragraph's dateline
 * and the last paragraph's credit — which also covers HTML pages, whose
 * trailing credit line it removes from the text the same way.
 */
#include "internal.h"

#include <stddef.h>
#include <string.h>
#include <strings.h>

#define MAX_AGENCIES 16

/* Adds canonical name s[0..n) to doc->agencies unless it is there.
 * Allocation failure leaves the list as it was (the arena's oom flag is
 * set, which ng_analyze reports). */
static void add_agency(ng_doc *doc, const char *s, size_t n)
{
    for (size_t i = 0; i < doc->nagencies; i++)
        if (strlen(doc->agencies[i]) == n && memcmp(doc->agencies[i], s, n) == 0)
            return;
    if (doc->nagencies >= MAX_AGENCIES)
        return;
    char **a = ng_arena_alloc(&doc->arena, (doc->nagencies + 2) * sizeof *a);
    char *name = ng_arena_strndup(&doc->arena, s, n);
    if (!a || !name)
        return;
    if (doc->nagencies)
        memcpy(a, doc->agencies, doc->nagencies * sizeof *a);
    a[doc->nagencies++] = name;
    a[doc->nagencies] = NULL;
    doc->agencies = a;
}

/* 1 for bytes that end a word: ASCII that is not a letter or digit. */
static int word_end(unsigned char c)
{
    return c < 0x80 && !((unsigned)((c | 32) - 'a') < 26u || (unsigned)(c - '0') < 10u);
}

/* Finds the agency named at s (n bytes left), taking the longest alias
 * that ends at a word boundary.  Returns its length and sets *canon and
 * *clen to the canonical name (a slice of the resource line); 0 when none.
 * Aliases of three bytes or fewer must match exactly; longer ones match
 * regardless of ASCII case. */
static size_t match_agency(const ng_model *m, const char *s, size_t n, const char **canon, size_t *clen)
{
    size_t best = 0;
    for (size_t i = 0; i < m->agencies.n; i++) {
        const char *item = m->agencies.items[i];
        const char *first_tab = strchr(item, '\t');
        size_t first_len = first_tab ? (size_t)(first_tab - item) : strlen(item);
        const char *a = item;
        while (*a) {
            if (((unsigned char)a[0] | 32) != ((unsigned char)s[0] | 32)) {
                const char *t = strchr(a, '\t');
                if (!t)
                    break;
                a = t + 1;
                continue;
            }
            const char *t = strchr(a, '\t');
            size_t L = t ? (size_t)(t - a) : strlen(a);
            if (L > best && L <= n && (L == n || word_end((unsigned char)s[L])) &&
                (L <= 3 ? memcmp(s, a, L) == 0 : strncasecmp(s, a, L) == 0)) {
                best = L;
                *canon = item;
                *clen = first_len;
            }
            if (!t)
                break;
            a = t + 1;
        }
    }
    return best;
}

/* 1 when folded word w[0..n) is a credit word of some language. */
static int credit_word(const ng_model *m, const char *w, size_t n)
{
    for (size_t l = 0; l < m->nlangs; l++)
        if (m->langs[l].credit_words.n && ng_strset_has(&m->langs[l].credit_words, w, n))
            return 1;
    return 0;
}

/* 1 when folded word w[0..n) ends with a credit word of three letters or
 * more glued to a name ("jowharwith"). */
static int glued_credit(const ng_model *m, const char *w, size_t n)
{
    for (size_t k = 3; k + 2 <= n && k <= 6; k++)
        if (credit_word(m, w + n - k, k))
            return 1;
    return 0;
}

/* Reads s[0..n) as a credit line; fills found[] with canonical names
 * (slices) and returns how many, or 0 when the line is not a credit. */
static size_t parse_credit(const ng_model *m, const char *s, size_t n, const char **found, size_t *flen, size_t max)
{
    while (n && (s[0] == ' ' || s[0] == '\t'))
        s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (n == 0 || n > 120)
        return 0;
    int final_mark = s[n - 1] == '.' || s[n - 1] == '!' || s[n - 1] == '?';
    if (n >= 2 && ((s[0] == '(' && s[n - 1] == ')') || (s[0] == '[' && s[n - 1] == ']'))) {
        s++;
        n -= 2;
        final_mark = 0;
    }
    /* a cheap look first: a credit has few words that are neither credit
     * words nor capitalised (agency names are), and no digits */
    size_t lower = 0, nw = 0, links = 0, capital = 0;
    for (size_t p = 0; p < n; p++) {
        unsigned char ch = (unsigned char)s[p];
        if (ch >= '0' && ch <= '9')
            return 0;
        if ((p == 0 || s[p - 1] == ' ' || s[p - 1] == '(') && ch != ' ') {
            nw++;
            capital += (ch >= 'A' && ch <= 'Z') || ch == 'd';
        }
    }
    if (capital == 0 || nw > 10)
        return 0;
    nw = 0;
    for (size_t p = 0; p < n; p++) {
        unsigned char ch = (unsigned char)s[p];
        if (ch >= '0' && ch <= '9')
            return 0;
        if (p == 0 || s[p - 1] == ' ' || s[p - 1] == '(') {
            if (ch == ' ')
                continue;
            nw++;
            if (ch >= 'a' && ch <= 'z' && ch != 'd') {
                size_t q = p;
                while (q < n && s[q] != ' ' && s[q] != ')' && s[q] != ',')
                    q++;
                char w[32];
                size_t wl = ng_fold(s + p, q - p, w, sizeof w);
                if (credit_word(m, w, wl) || glued_credit(m, w, wl))
                    links++;
                else
                    lower++;
            }
        }
        links += ch == '&' || ch == '(' || ch == '/';
    }
    /* without a linking word or bracket, a credit is a name or two */
    if (lower > 3 || (links == 0 && nw > 3))
        return 0;
    size_t nfound = 0, unknown = 0, connectors = 0, words = 0;
    size_t i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        if (c >= '0' && c <= '9')
            return 0;
        if (c == ' ' || c == '\t' || c == ',' || c == ';' || c == '/' || c == '-' || c == '+' || c == '.' ||
            c == ':' || c == '(' || c == ')' || c == '|') {
            i++;
            continue;
        }
        if (c == '&') {
            connectors++;
            i++;
            continue;
        }
        if (c == 0xE2 && i + 2 < n && (unsigned char)s[i + 1] == 0x80) { /* dashes */
            i += 3;
            continue;
        }
        if (c == 0xC2 && i + 1 < n && (unsigned char)s[i + 1] == 0xA0) {
            i += 2;
            continue;
        }
        words++;
        if (unknown > 3 || words > 10)
            return 0;
        size_t j = i;
        while (j < n && (!word_end((unsigned char)s[j]) || s[j] == '\''))
            j++;
        char w[64];
        size_t wl = ng_fold(s + i, j - i, w, sizeof w);
        if (credit_word(m, w, wl)) {
            connectors++;
            i = j > i ? j : i + 1;
            continue;
        }
        const char *canon;
        size_t clen;
        size_t k = match_agency(m, s + i, n - i, &canon, &clen);
        if (k) {
            if (nfound < max) {
                found[nfound] = canon;
                flen[nfound] = clen;
                nfound++;
            }
            i += k;
            continue;
        }
        unknown++;
        if (glued_credit(m, w, wl))
            connectors++;
        i = j > i ? j : i + 1;
    }
    if (nfound == 0)
        return 0;
    if (unknown == 0)
        return nfound;
    if (connectors >= 1 && unknown <= 3 && n <= 60 && words <= 7 && !final_mark)
        return nfound;
    return 0;
}

int ng_agencies_credit(ng_doc *doc, const char *s, size_t n)
{
    const char *found[MAX_AGENCIES];
    size_t flen[MAX_AGENCIES];
    if (!doc || !doc->model || !doc->model->agencies.n)
        return 0;
    size_t k = parse_credit(doc->model, s, n, found, flen, MAX_AGENCIES);
    for (size_t i = 0; i < k; i++)
        add_agency(doc, found[i], flen[i]);
    return k > 0;
}

/* Looks at the parenthesised groups in s[0..n) ("PARIS (Reuters) -",
 * "... de l'Otan. (AFP)") and adds the agencies of those that are
 * credits. */
static void scan_parens(ng_doc *doc, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '(')
            continue;
        const char *close = memchr(s + i, ')', n - i < 48 ? n - i : 48);
        if (!close)
            continue;
        ng_agencies_credit(doc, s + i, (size_t)(close - (s + i)) + 1);
        i = (size_t)(close - s);
    }
}

int ng_agencies_find(ng_worker *w, ng_doc *doc)
{
    NG_UNUSED(w);
    if (!doc->text || !doc->text_len || !doc->model->agencies.n)
        return NG_OK;
    const char *t = doc->text;
    size_t n = doc->text_len;
    /* the dateline: the start of the first paragraph */
    scan_parens(doc, t, n < 160 ? n : 160);
    /* the last line: a credit of its own (HTML pages keep it), removed */
    size_t end = n;
    while (end > 0 && (t[end - 1] == '\n' || t[end - 1] == ' '))
        end--;
    size_t start = end;
    while (start > 0 && t[start - 1] != '\n')
        start--;
    if (start > 0 && end - start <= 120 && ng_agencies_credit(doc, t + start, end - start)) {
        size_t cut = start;
        while (cut > 0 && (t[cut - 1] == '\n' || t[cut - 1] == ' '))
            cut--;
        doc->text[cut] = '\0';
        doc->text_len = cut;
        end = cut;
        start = end;
        while (start > 0 && t[start - 1] != '\n')
            start--;
    }
    /* a credit closing the last paragraph: "... de l'Otan. (AFP)" */
    size_t from = end > start + 60 ? end - 60 : start;
    scan_parens(doc, t + from, end - from);
    return NG_OK;
}
