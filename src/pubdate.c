/*
 * pubdate.c — dates as found in page metadata and article datelines,
 * normalised to ISO 8601.
 *
 * One small tokenizer (numbers with any letters glued to them, words,
 * single punctuation marks) feeds a handful of shape matchers:
 *
 *   2022-01-20[T10:00[:00[.000]]][Z|+01:00]   ISO 8601, also 2022/01/20
 *   20220120                                  compact
 *   20/01/2022  20.01.22  01/20/2022          day first unless impossible
 *   20 January 2022   le 3 juillet 1999   1er juillet 1999   20. Januar 2022
 *   3 de mayo de 2022 (connectors and other languages: common/months.txt)
 *   January 20, 2022   Jan. 20, 2022   Avr 24th, 2024
 *   Thu, 20 Jan 2022 10:00:00 GMT             RFC 2822
 *
 * Month and weekday names come from lang/<code>/months.txt and
 * weekdays.txt through the model: no language's words are in this file.
 * Impossible dates (31 April, 29 February 2023, month 13) are refused.
 */
#include "internal.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#define MAX_TOKS 48
#define MAX_SCAN 256 /* bytes of a value looked at */

enum { T_NUM, T_WORD, T_SEP };

typedef struct {
    int kind;            /* T_NUM, T_WORD or T_SEP */
    size_t start, end;   /* byte offsets of the whole token */
    long val;            /* T_NUM: value (capped); T_SEP: the character */
    int nd;              /* T_NUM: number of digits */
    size_t sfx, sfx_end; /* T_NUM: letters glued after the digits ("th", "T", "h") */
} tok;

typedef struct {
    int y, mo, d;        /* date; y == 0 when no year was given */
    int h, mi, sec;      /* time when has_time */
    int has_time;
    int tz;              /* 0: no zone, 1: UTC, 2: offset tzmin */
    int tzmin;           /* minutes east of UTC */
} datetime;

/* Splits s[0..n) into at most max tokens; white space separates tokens and
 * is dropped.  Any byte >= 0x80 counts as a letter (so "févr" is one word).
 * Returns the number of tokens.  Can't fail. */
static int tokenize(const char *s, size_t n, tok *t, int max)
{
    int k = 0;
    size_t i = 0;
    while (i < n && k < max) {
        unsigned char c = (unsigned char)s[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            i++;
            continue;
        }
        if (c == 0xC2 && i + 1 < n && (unsigned char)s[i + 1] == 0xA0) { /* NBSP */
            i += 2;
            continue;
        }
        tok *x = &t[k++];
        memset(x, 0, sizeof *x);
        x->start = i;
        if (c >= '0' && c <= '9') {
            x->kind = T_NUM;
            while (i < n && s[i] >= '0' && s[i] <= '9') {
                if (x->val < 100000000)
                    x->val = x->val * 10 + (s[i] - '0');
                x->nd++;
                i++;
            }
            x->sfx = i;
            while (i < n && ((unsigned)(((unsigned char)s[i] | 32) - 'a') < 26u))
                i++;
            x->sfx_end = i;
        } else if (((unsigned)((c | 32) - 'a') < 26u) || c >= 0x80) {
            x->kind = T_WORD;
            while (i < n) {
                unsigned char d = (unsigned char)s[i];
                if (!(((unsigned)((d | 32) - 'a') < 26u) || d >= 0x80))
                    break;
                if (d == 0xC2 && i + 1 < n && (unsigned char)s[i + 1] == 0xA0)
                    break;
                i++;
            }
        } else {
            x->kind = T_SEP;
            x->val = c;
            i++;
        }
        x->end = i;
    }
    return k;
}

/* The number after "key " in a sorted "name N" list (key is folded and
 * NUL-terminated, with room for one more byte); -1 when key is absent. */
static int named_number(const ng_strset *set, char *key, size_t k)
{
    key[k] = ' ';
    key[k + 1] = '\0';
    size_t lo = 0, hi = set->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (strcmp(set->items[mid], key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    key[k] = '\0';
    if (lo < set->n && strncmp(set->items[lo], key, k) == 0 && set->items[lo][k] == ' ') {
        int v = 0;
        for (const char *p = set->items[lo] + k + 1; *p >= '0' && *p <= '9'; p++)
            v = v * 10 + (*p - '0');
        return v;
    }
    return -1;
}

/* Looks word s[0..n) (a trailing '.' ignored) up in every language's
 * list in the strset field at offset 'off' of ng_lang (for months also in
 * the model's months_extra); for months returns the month number (1..12),
 * for other lists 1; 0 when absent. */
static int lookup(const ng_model *m, size_t off, const char *s, size_t n, int want_number)
{
    char key[48];
    if (n == 0 || n > 30)
        return 0;
    size_t k = ng_fold(s, n, key, sizeof key - 2);
    for (size_t l = 0; l < m->nlangs; l++) {
        const ng_strset *set = (const ng_strset *)((const char *)&m->langs[l] + off);
        if (!want_number) {
            if (ng_strset_has(set, key, k))
                return 1;
            continue;
        }
        int v = named_number(set, key, k);
        if (v >= 1 && v <= 12)
            return v;
    }
    if (want_number) {
        int v = named_number(&m->months_extra, key, k);
        if (v >= 1 && v <= 12)
            return v;
    }
    return 0;
}

/* Is token x a connector between the parts of a date ("de" in "20 de
 * enero de 2022": "de 0" in common/months.txt)? */
static int is_connector(const ng_model *m, const char *s, const tok *x)
{
    char key[16];
    size_t n = x->end - x->start;
    if (x->kind != T_WORD || n == 0 || n > 8)
        return 0;
    size_t k = ng_fold(s + x->start, n, key, sizeof key - 2);
    return named_number(&m->months_extra, key, k) == 0;
}

static int month_of(const ng_model *m, const char *s, const tok *x)
{
    if (x->kind != T_WORD)
        return 0;
    return lookup(m, offsetof(ng_lang, months), s + x->start, x->end - x->start, 1);
}

static int is_weekday(const ng_model *m, const char *s, const tok *x)
{
    return x->kind == T_WORD && lookup(m, offsetof(ng_lang, weekdays), s + x->start, x->end - x->start, 0);
}

static int days_in_month(int y, int mo)
{
    static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (mo == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return dm[mo - 1];
}

/* 1 when y-mo-d is a real calendar day (y == 0: any leap year allowed). */
static int valid_date(int y, int mo, int d)
{
    if (mo < 1 || mo > 12 || d < 1)
        return 0;
    if (y != 0 && (y < 1000 || y > 9999))
        return 0;
    return d <= days_in_month(y ? y : 2000, mo);
}

static int is_sep(const tok *x, const char *chars)
{
    return x->kind == T_SEP && x->val && strchr(chars, (int)x->val) != NULL;
}

/* A number with no letters glued on, or with an ordinal suffix. */
static int plain_num(const tok *x) { return x->kind == T_NUM && x->sfx == x->sfx_end; }

static int day_num(const char *s, const tok *x)
{
    if (x->kind != T_NUM || x->nd > 2 || x->val < 1 || x->val > 31)
        return 0;
    size_t L = x->sfx_end - x->sfx;
    if (L == 0)
        return 1;
    /* ordinals: 1st 2nd 3rd 4th, 1er 1re 2e 2ème */
    char sf[4] = {0};
    if (L > 3)
        return 0;
    for (size_t i = 0; i < L; i++)
        sf[i] = (char)(s[x->sfx + i] | 32);
    return !strcmp(sf, "st") || !strcmp(sf, "nd") || !strcmp(sf, "rd") || !strcmp(sf, "th") || !strcmp(sf, "er") ||
           !strcmp(sf, "re") || !strcmp(sf, "e");
}

static int year_num(const tok *x)
{
    return x->kind == T_NUM && x->nd == 4 && x->val >= 1000 && x->val <= 2999;
}

/* Matches a date starting at token i.  Fills dt (y == 0 when no year) and
 * returns the index of the first token after it, or -1. */
static int match_date(const ng_model *m, const char *s, const tok *t, int k, int i, datetime *dt)
{
    const tok *a = &t[i];
    memset(dt, 0, sizeof *dt);
    /* Y-M-D, Y/M/D, Y.M.D */
    if (a->kind == T_NUM && a->nd == 4 && plain_num(a) && i + 4 < k && is_sep(&t[i + 1], "-/.") &&
        t[i + 2].kind == T_NUM && t[i + 2].nd <= 2 && plain_num(&t[i + 2]) && t[i + 3].kind == T_SEP &&
        t[i + 3].val == t[i + 1].val && t[i + 4].kind == T_NUM && t[i + 4].nd <= 2) {
        dt->y = (int)a->val;
        dt->mo = (int)t[i + 2].val;
        dt->d = (int)t[i + 4].val;
        return valid_date(dt->y, dt->mo, dt->d) ? i + 5 : -1;
    }
    /* compact YYYYMMDD */
    if (a->kind == T_NUM && a->nd == 8) {
        dt->y = (int)(a->val / 10000);
        dt->mo = (int)(a->val / 100 % 100);
        dt->d = (int)(a->val % 100);
        return dt->y >= 1900 && dt->y <= 2100 && valid_date(dt->y, dt->mo, dt->d) ? i + 1 : -1;
    }
    /* D/M/Y or M/D/Y, also with '.' or '-' */
    if (a->kind == T_NUM && a->nd <= 2 && plain_num(a) && i + 4 < k && is_sep(&t[i + 1], "-/.") &&
        t[i + 2].kind == T_NUM && t[i + 2].nd <= 2 && plain_num(&t[i + 2]) && t[i + 3].kind == T_SEP &&
        t[i + 3].val == t[i + 1].val && t[i + 4].kind == T_NUM && (t[i + 4].nd == 4 || t[i + 4].nd == 2)) {
        int p = (int)a->val, q = (int)t[i + 2].val, y = (int)t[i + 4].val;
        if (t[i + 4].nd == 2)
            y += y < 70 ? 2000 : 1900;
        if (valid_date(y, q, p)) {
            dt->y = y, dt->mo = q, dt->d = p; /* day first */
        } else if (valid_date(y, p, q)) {
            dt->y = y, dt->mo = p, dt->d = q; /* month first: 01/20/2022 */
        } else {
            return -1;
        }
        return i + 5;
    }
    /* D Month [Y]: "20 January 2022", "1er juillet", "20 Jan. 2022" */
    if (day_num(s, a) && i + 1 < k) {
        int j = i + 1;
        if (is_sep(&t[j], ".") && j + 1 < k)
            j++;
        if (is_connector(m, s, &t[j]) && j + 1 < k)
            j++;
        int mo = month_of(m, s, &t[j]);
        if (mo) {
            j++;
            int jm = j;
            if (j < k && is_sep(&t[j], ".,"))
                j++;
            if (j + 1 < k && is_connector(m, s, &t[j]) && year_num(&t[j + 1]))
                j++;
            dt->mo = mo;
            dt->d = (int)a->val;
            if (j < k && year_num(&t[j]))
                dt->y = (int)t[j++].val;
            else
                j = jm;
            return valid_date(dt->y, dt->mo, dt->d) ? j : -1;
        }
    }
    /* Month D[,] [Y]: "January 20, 2022", "Jan. 20 2022", "Avr 24th, 2024" */
    int mo = month_of(m, s, a);
    if (mo && i + 1 < k) {
        int j = i + 1;
        if (is_sep(&t[j], ".") && j + 1 < k)
            j++;
        if (day_num(s, &t[j])) {
            dt->mo = mo;
            dt->d = (int)t[j].val;
            j++;
            int jc = j;
            if (j < k && is_sep(&t[j], ","))
                j++;
            if (j < k && year_num(&t[j]))
                dt->y = (int)t[j++].val;
            else
                j = jc;
            return valid_date(dt->y, dt->mo, dt->d) ? j : -1;
        }
    }
    return -1;
}

/* Matches a time of day (and zone) at token i, right after a date:
 * "T10:00:00Z", ", 10:00 GMT", "at 10.30 am", "10h30", "+01:00".
 * Fills the time fields of dt; returns the index after it, or i. */
static int match_time(const char *s, const tok *t, int k, int i, datetime *dt)
{
    int j = i;
    /* what may stand between a date and its time */
    if (j < k && is_sep(&t[j], ",-|@"))
        j++;
    if (j < k && t[j].kind == T_WORD && t[j].end - t[j].start <= 2 && t[j].end - t[j].start >= 1) {
        /* "at", "à", "T" (as a word when spaced), "a" */
        char w[4] = {0};
        size_t L = t[j].end - t[j].start;
        memcpy(w, s + t[j].start, L < 3 ? L : 3);
        for (size_t q = 0; q < 2; q++)
            if (w[q] >= 'A' && w[q] <= 'Z')
                w[q] = (char)(w[q] | 32);
        if (!strcmp(w, "at") || !strcmp(w, "t") || !strcmp(w, "\xC3\xA0") || !strcmp(w, "a"))
            j++;
    }
    if (j >= k || t[j].kind != T_NUM || t[j].nd > 2 || t[j].val > 23)
        return i;
    int h = (int)t[j].val, mi = -1, sec = 0;
    int next;
    size_t sl = t[j].sfx_end - t[j].sfx;
    if (sl == 1 && (s[t[j].sfx] | 32) == 'h' && j + 1 < k && t[j + 1].kind == T_NUM && t[j + 1].nd == 2 &&
        t[j + 1].start == t[j].sfx_end) { /* 10h30 */
        mi = (int)t[j + 1].val;
        next = j + 2;
    } else if (sl == 0 && j + 2 < k && is_sep(&t[j + 1], ":") && t[j + 2].kind == T_NUM && t[j + 2].nd == 2) {
        mi = (int)t[j + 2].val;
        next = j + 3;
        if (t[j + 2].sfx == t[j + 2].sfx_end && next + 1 < k && is_sep(&t[next], ":") && t[next + 1].kind == T_NUM &&
            t[next + 1].nd == 2) {
            sec = (int)t[next + 1].val;
            next += 2;
            /* fraction of a second */
            if (t[next - 1].sfx == t[next - 1].sfx_end && next + 1 < k && is_sep(&t[next], ".,") &&
                t[next + 1].kind == T_NUM && t[next + 1].start == t[next].end)
                next += 2;
        }
    } else {
        return i;
    }
    if (mi < 0 || mi > 59 || sec > 60)
        return i;
    /* am / pm, glued ("10:00am") or apart ("10:00 p.m.") */
    const tok *last = &t[next - 1];
    const char *ampm = NULL;
    size_t al = 0;
    if (last->sfx_end > last->sfx) {
        ampm = s + last->sfx;
        al = last->sfx_end - last->sfx;
    } else if (next < k && t[next].kind == T_WORD) {
        ampm = s + t[next].start;
        al = t[next].end - t[next].start;
    }
    if (ampm && al >= 1 && al <= 2 && ((ampm[0] | 32) == 'a' || (ampm[0] | 32) == 'p') &&
        (al == 1 || (ampm[1] | 32) == 'm')) {
        if (h < 1 || h > 12)
            return i;
        if ((ampm[0] | 32) == 'p' && h != 12)
            h += 12;
        if ((ampm[0] | 32) == 'a' && h == 12)
            h = 0;
        if (last->sfx_end == last->sfx) {
            next++;
            /* "p.m." */
            if (al == 1 && next + 1 < k && is_sep(&t[next], ".") && t[next + 1].kind == T_WORD &&
                t[next + 1].end - t[next + 1].start == 1 && (s[t[next + 1].start] | 32) == 'm')
                next += 2;
            if (next < k && is_sep(&t[next], "."))
                next++;
        }
    }
    dt->h = h, dt->mi = mi, dt->sec = sec, dt->has_time = 1;
    /* zone: Z glued, a word, or a signed offset */
    last = &t[next - 1];
    if (last->kind == T_NUM && last->sfx_end - last->sfx == 1 && (s[last->sfx] | 32) == 'z') {
        dt->tz = 1;
        return next;
    }
    if (next < k && t[next].kind == T_WORD) {
        static const struct {
            const char *name;
            int min;
        } zones[] = {{"z", 0},     {"gmt", 0},    {"utc", 0},     {"ut", 0},     {"est", -300}, {"edt", -240},
                     {"cst", -360}, {"cdt", -300}, {"mst", -420}, {"mdt", -360}, {"pst", -480}, {"pdt", -420},
                     {"bst", 60},  {"cet", 60},   {"cest", 120},  {"wet", 0},    {"west", 60},  {"eet", 120},
                     {"eest", 180}};
        char w[8];
        size_t L = t[next].end - t[next].start;
        if (L < sizeof w) {
            for (size_t q = 0; q < L; q++)
                w[q] = (char)(s[t[next].start + q] | 32);
            w[L] = '\0';
            for (size_t z = 0; z < sizeof zones / sizeof *zones; z++) {
                if (!strcmp(w, zones[z].name)) {
                    dt->tz = zones[z].min == 0 && z < 4 ? 1 : 2;
                    dt->tzmin = zones[z].min;
                    next++;
                    /* "GMT+1", "UTC+02:00" */
                    if (next + 1 < k && is_sep(&t[next], "+-") && t[next + 1].kind == T_NUM &&
                        t[next + 1].start == t[next].end) {
                        break;
                    }
                    return next;
                }
            }
        }
    }
    if (next + 1 < k && is_sep(&t[next], "+-") && t[next + 1].kind == T_NUM && plain_num(&t[next + 1])) {
        int sign = t[next].val == '-' ? -1 : 1;
        const tok *o = &t[next + 1];
        int oh, om = 0, after = next + 2;
        if (o->nd == 4) {
            oh = (int)(o->val / 100);
            om = (int)(o->val % 100);
        } else if (o->nd <= 2) {
            oh = (int)o->val;
            if (after + 1 < k && is_sep(&t[after], ":") && t[after + 1].kind == T_NUM && t[after + 1].nd == 2) {
                om = (int)t[after + 1].val;
                after += 2;
            }
        } else {
            return next;
        }
        if (oh > 14 || om > 59)
            return next;
        dt->tz = 2;
        dt->tzmin = sign * (oh * 60 + om);
        return after;
    }
    return next;
}

/* Writes dt as ISO 8601 into out[cap]; returns 1, or 0 when it does not fit. */
static int format_iso(const datetime *dt, char *out, size_t cap)
{
    int w;
    if (!dt->has_time) {
        w = snprintf(out, cap, "%04d-%02d-%02d", dt->y, dt->mo, dt->d);
    } else if (dt->tz == 1) {
        w = snprintf(out, cap, "%04d-%02d-%02dT%02d:%02d:%02dZ", dt->y, dt->mo, dt->d, dt->h, dt->mi, dt->sec);
    } else if (dt->tz == 2) {
        int a = dt->tzmin < 0 ? -dt->tzmin : dt->tzmin;
        w = snprintf(out, cap, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", dt->y, dt->mo, dt->d, dt->h, dt->mi,
                     dt->sec, dt->tzmin < 0 ? '-' : '+', a / 60, a % 60);
    } else {
        w = snprintf(out, cap, "%04d-%02d-%02dT%02d:%02d:%02d", dt->y, dt->mo, dt->d, dt->h, dt->mi, dt->sec);
    }
    return w > 0 && (size_t)w < cap;
}

/* Parses the date at token 'first' (after an optional weekday and its
 * punctuation).  Returns the token index after the date and time, or -1. */
static int parse_at(const ng_model *m, const char *s, const tok *t, int k, int first, datetime *dt)
{
    int i = first;
    if (i < k && is_weekday(m, s, &t[i]) && !month_of(m, s, &t[i])) {
        i++;
        if (i < k && is_sep(&t[i], ".,"))
            i++;
        if (i < k && is_sep(&t[i], ",")) /* "mer., 24 avr" */
            i++;
    } else if (i + 1 < k && is_weekday(m, s, &t[i]) && (is_sep(&t[i + 1], ",") || month_of(m, s, &t[i + 1]) ||
                                                       day_num(s, &t[i + 1]))) {
        /* a word that is both a weekday and a month ("mar"): a weekday
         * when another date follows */
        datetime tmp;
        int j = i + 1 + (is_sep(&t[i + 1], ",") ? 1 : 0);
        if (j < k && match_date(m, s, t, k, j, &tmp) >= 0)
            i = j;
    }
    if (i >= k)
        return -1;
    int j = match_date(m, s, t, k, i, dt);
    if (j < 0)
        return -1;
    return match_time(s, t, k, j, dt);
}

size_t ng_date_scan(const ng_model *m, const char *s, size_t n, char *out, size_t cap, int *has_year)
{
    tok t[MAX_TOKS];
    datetime dt;
    if (cap)
        out[0] = '\0';
    *has_year = 0;
    if (!m || !s)
        return 0;
    int k = tokenize(s, n < MAX_SCAN ? n : MAX_SCAN, t, MAX_TOKS);
    /* the last token may be cut by the scan limit or the token cap: drop it */
    if (k == MAX_TOKS || (n > MAX_SCAN && k > 0))
        k--;
    int j = parse_at(m, s, t, k, 0, &dt);
    if (j <= 0)
        return 0;
    if (dt.y) {
        if (!format_iso(&dt, out, cap))
            return 0;
        *has_year = 1;
    }
    return t[j - 1].end;
}

int ng_date_normalize(const ng_model *m, const char *s, size_t n, char *out, size_t cap)
{
    tok t[MAX_TOKS];
    datetime dt;
    if (!m || !s || !out || cap == 0)
        return 0;
    out[0] = '\0';
    int k = tokenize(s, n < MAX_SCAN ? n : MAX_SCAN, t, MAX_TOKS);
    if (k == MAX_TOKS || (n > MAX_SCAN && k > 0))
        k--;
    /* a few words ("Published on", "le") may come before the date */
    for (int i = 0; i < k && i < 8; i++) {
        int j = parse_at(m, s, t, k, i, &dt);
        if (j > 0 && dt.y)
            return format_iso(&dt, out, cap);
        if (t[i].kind == T_NUM && j < 0 && !(i == 0 && t[i].nd > 8))
            return 0; /* a number that starts no date: not a date value */
    }
    return 0;
}
