/*
 * quantity.c — quantities: cardinal numbers (digits or words, in the
 * language's own format), with their currency (ISO 4217), unit, counted
 * people, rate period and modifier.
 *
 *   [modifier] [currency] NUMBER [scale] [of] [currency | unit | %]
 *       [up to two describing words] [people noun] [per/a + unit]
 *
 * "more than 4,000 French forces", "$ 45 million per year", "€ 880 million
 * a year", "1,5 million d'euros", "a 4,500-strong force", "12,5 %".  The
 * words come from the grammar's lexicon (lang/<code>/quantity-*.txt, read
 * by timex.c).  Years, dates, clock times, ordinals and numbers inside a
 * time expression are not quantities.
 */
#include "timex.h"

#include <math.h>
#include <string.h>

static const char *unit_name(int u)
{
    static const char *const names[] = {NULL, "year", "month", "week", "day", "hour", "minute", "second",
                                        "decade", "century", "quarter", "weekend", "half-year"};
    return u > 0 && u <= TX_U_HALF ? names[u] : NULL;
}

/* Is atom i inside one of doc's time expressions?  *k walks forward. */
static int in_timex(const ng_doc *doc, size_t *k, const tx_atom *a)
{
    while (*k < doc->ntimexes && doc->timexes[*k].span.end <= a->start)
        (*k)++;
    return *k < doc->ntimexes && doc->timexes[*k].span.start < a->end;
}

static int is_stopword(const ng_doc *doc, const tx_atom *a)
{
    if (!doc->lang_res)
        return 0;
    char key[64];
    size_t n = ng_fold(doc->text + a->start, a->end - a->start, key, sizeof key);
    return ng_strset_has(&doc->lang_res->stopwords, key, n);
}

static int push(ng_doc *doc, size_t *cap, const ng_quantity *q)
{
    if (doc->nquantities == *cap) {
        size_t nc = *cap ? *cap * 2 : 16;
        ng_quantity *na = ng_arena_alloc(&doc->arena, nc * sizeof *na);
        if (!na)
            return NG_ENOMEM;
        if (doc->nquantities)
            memcpy(na, doc->quantities, doc->nquantities * sizeof *na);
        doc->quantities = na;
        *cap = nc;
    }
    doc->quantities[doc->nquantities++] = *q;
    return NG_OK;
}

static int scan(ng_worker *w, ng_doc *doc, const tx_atom *at, size_t n);

int ng_quantities(ng_worker *w, ng_doc *doc)
{
    const ng_grammar *g = doc->lang_res ? doc->lang_res->grammar : NULL;
    if (!g || !doc->ntokens)
        return NG_OK;
    const tx_atom *at;
    size_t n;
    if (w->tx && !(w->stages & NG_STAGE_TIMEX))
        w->tx->doc = NULL; /* only the timex stage just made them for this document */
    int rc = ng_tx_atoms(w, doc, &at, &n);
    if (rc != NG_OK)
        return ng_worker_fail(w, rc, "out of memory");
    rc = scan(w, doc, at, n);
    if (w->tx)
        w->tx->doc = NULL;
    return rc;
}

/* The quantities among atoms at[0..n). */
static int scan(ng_worker *w, ng_doc *doc, const tx_atom *at, size_t n)
{
    int rc;
    size_t cap = 0, tk = 0, used = 0;
    const uint32_t *live = w->tx->live; /* only these atoms have a class */
    size_t nlive = w->tx->nlive, li = 0;
    for (size_t i = 0; i < n; i++) {
        while (li < nlive && live[li] < i)
            li++;
        if (li == nlive)
            break;
        i = live[li];
        const tx_atom *a = &at[i];
        if (!(a->cls & TX_C_NUM) || (a->cls & (TX_C_ORD | TX_C_TIME | TX_C_DECADE)))
            continue;
        if (a->e && (a->e->flags & TX_E_ARTICLE))
            continue;
        if (in_timex(doc, &tk, a))
            continue;
        /* a number glued by a hyphen to a word is a name ("COVID-19", "G-7") */
        if ((a->flags & TX_A_HYPHEN) && i && (at[i - 1].flags & TX_A_WORD) && !(at[i - 1].cls & TX_C_NUM))
            continue;
        ng_quantity q;
        memset(&q, 0, sizeof q);
        double v = a->num;
        size_t s = i, e = i + 1; /* atoms of the expression */
        uint32_t sent = a->sent;
        /* before: currency, then modifier */
        if (s > used && (at[s - 1].cls & TX_C_CUR) && at[s - 1].sent == sent) {
            q.unit = at[s - 1].e->str;
            s--;
        }
        if (s > used && (at[s - 1].cls & TX_C_QMOD) && at[s - 1].sent == sent) {
            q.mod = at[s - 1].e->mod;
            s--;
        }
        /* a glued suffix: "5bn", "10km" */
        if (a->sfx) {
            if (a->scale)
                v *= a->scale;
            else if (a->sfx->cls & TX_C_CUR)
                q.unit = a->sfx->str;
            else if (a->sfx->cls & TX_C_QUNIT)
                q.unit = a->sfx->str;
        }
        /* after: scale words ("1,5 million", "two thousand") */
        while (e < n && (at[e].cls & TX_C_SCALE) && at[e].sent == sent && !(at[e].cls & TX_C_NUM)) {
            v *= at[e].e->num;
            e++;
        }
        int year_like = (a->cls & TX_C_YEAR) && e == i + 1 && !q.unit;
        /* "of"/"de" then a currency or a noun */
        size_t f = e;
        if (f < n && at[f].e && (at[f].e->flags & TX_E_OF) && f + 1 < n &&
            (at[f + 1].cls & (TX_C_CUR | TX_C_PERSON | TX_C_QUNIT)) && e > i + 1)
            f++;
        if (f < n && at[f].sent == sent && (at[f].cls & TX_C_CUR) && !q.unit) {
            q.unit = at[f].e->str;
            e = f + 1;
        } else if (f < n && at[f].sent == sent && (at[f].cls & TX_C_PCT)) {
            q.unit = "percent";
            e = f + 1;
        } else if (f < n && at[f].sent == sent && (at[f].cls & TX_C_QUNIT) && !q.unit) {
            q.unit = at[f].e->str;
            e = f + 1;
        } else if (!q.unit) {
            /* people: up to two describing words, then the noun; "-strong" */
            for (size_t k = f; k < n && k < f + 3 && at[k].sent == sent; k++) {
                const tx_atom *b = &at[k];
                if (b->cls & TX_C_PERSON) {
                    q.unit = "person";
                    q.noun = b->e->str;
                    if (q.noun && q.noun[0] == '*' && k + 1 < n && at[k + 1].sent == sent &&
                        (at[k + 1].flags & TX_A_WORD)) {
                        /* "a 4,500-strong force": the next word is the noun */
                        q.noun = ng_arena_strndup(&doc->arena, doc->text + at[k + 1].start,
                                                  at[k + 1].end - at[k + 1].start);
                        k++;
                    } else if (q.noun && q.noun[0] == '*') {
                        q.noun = NULL;
                    }
                    e = k + 1;
                    break;
                }
                if (!(b->flags & TX_A_WORD) || b->cls || is_stopword(doc, b))
                    break;
            }
        }
        if (year_like && !q.unit)
            continue;
        /* a period: "per year", "a year", "par an", "annually" */
        if (q.unit && e < n && at[e].sent == sent) {
            if ((at[e].cls & (TX_C_PER | TX_C_NUM)) && e + 1 < n && (at[e + 1].cls & TX_C_UNIT) &&
                (at[e].cls & TX_C_PER || (at[e].e && (at[e].e->flags & TX_E_ARTICLE))) &&
                !(at[e + 1].e->flags & TX_E_PL)) {
                q.per = unit_name(at[e + 1].e->unit);
                e += 2;
            } else if ((at[e].cls & TX_C_PER) && at[e].e->str) {
                q.per = at[e].e->str;
                e++;
            }
        }
        q.value = v;
        q.span.start = at[s].start;
        q.span.end = at[e - 1].end;
        if ((rc = push(doc, &cap, &q)) != NG_OK)
            return ng_worker_fail(w, rc, "out of memory");
        i = e - 1;
        used = e; /* the next quantity starts after this one */
    }
    return NG_OK;
}
