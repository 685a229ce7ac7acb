/*
 * story.c — incremental story grouping: each stored article joins the
 * story of the most similar earlier article, or starts a new one.
 *
 * An article is described by two sparse vectors, both L2-normalised:
 *   - its signature: the SIG_TERMS words (folded, function words and
 *     one- and two-letter words left out) with the highest tf-idf, the
 *     document frequencies being those of the base so far;
 *   - its linked entities, weighted by rarity (idf over the base) and by
 *     how often the article names them; linked entities are the same
 *     across languages, so they carry the cross-language part.
 * Candidates come from an inverted index, never from all pairs: the most
 * recent articles sharing one of its POST_TERMS best terms (postings) or
 * one of its entities (doc_entities), MAX_PER_KEY each, MAX_CANDS in all.
 * The similarity of two articles is
 *     sim = W_TERMS * cos(signatures) + W_ENTS * cos(entities)
 * times a time factor: 1 within window_days (30), window/distance beyond
 * (when both dates are known).  The article joins the story of its most similar
 * candidate when sim reaches the threshold (single link).
 */
#include "kb.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SIG_TERMS NG_STORY_SIG    /* terms kept in a signature */
#define POST_TERMS 24   /* of which indexed in postings */
#define PROBE_TERMS 32 /* best terms of a new article looked up in postings */
#define MAX_PER_KEY 32  /* recent documents read per term or entity */
#define MAX_CANDS 100   /* candidates scored per article (the most recent) */
#define CENTROID_TERMS 256 /* terms (and entities) kept in a story's centroid */
#define TOP_STORIES 8   /* stories compared by centroid */
#define W_TERMS 0.6    /* weight of the words in a similarity */
#define W_ENTS 0.4     /* weight of the linked entities */
#define W_CENTROID 0.5 /* weight of the story's centroid against its best article */
#define PRIOR_DOCS 300 /* pseudo-documents added to the base's size in idf, so
                        * that a small base does not make every word rare */

void ng_story_options_default(ng_story_options *o)
{
    o->threshold = 0.23;
    o->window_days = 30;
}

uint64_t ng_kb_hash(const void *p, size_t n)
{
    const unsigned char *s = p;
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++) {
        h ^= s[i];
        h *= 0x100000001b3ull;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return h;
}

int32_t ng_kb_day(const char *iso)
{
    if (!iso)
        return NG_KB_NODAY;
    int y, m = 0, d = 0;
    for (int i = 0; i < 4; i++)
        if (iso[i] < '0' || iso[i] > '9')
            return NG_KB_NODAY;
    y = (iso[0] - '0') * 1000 + (iso[1] - '0') * 100 + (iso[2] - '0') * 10 + (iso[3] - '0');
    if (iso[4] != '-' || iso[5] < '0' || iso[5] > '1' || iso[6] < '0' || iso[6] > '9')
        return NG_KB_NODAY;
    m = (iso[5] - '0') * 10 + (iso[6] - '0');
    if (m < 1 || m > 12)
        return NG_KB_NODAY;
    if (iso[7] == '-' && iso[8] >= '0' && iso[8] <= '3' && iso[9] >= '0' && iso[9] <= '9')
        d = (iso[8] - '0') * 10 + (iso[9] - '0');
    else
        d = 15;
    if (d < 1 || d > 31)
        return NG_KB_NODAY;
    /* days from civil (Howard Hinnant's algorithm) */
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* A term being counted. */
typedef struct {
    uint32_t key;
    uint32_t tf;
    float weight;
} tcount;

static int cmp_weight_desc(const void *a, const void *b)
{
    float x = ((const tcount *)a)->weight, y = ((const tcount *)b)->weight;
    return x < y ? 1 : x > y ? -1 : 0;
}

static int cmp_key(const void *a, const void *b)
{
    uint32_t x = ((const ng_kb_term *)a)->key, y = ((const ng_kb_term *)b)->key;
    return x < y ? -1 : x > y;
}

/* L2-normalises v[n] and sorts it by key. */
void ng_story_normalise(ng_kb_term *v, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += (double)v[i].weight * v[i].weight;
    s = s > 0 ? 1.0 / sqrt(s) : 0;
    for (size_t i = 0; i < n; i++)
        v[i].weight = (float)(v[i].weight * s);
    qsort(v, n, sizeof *v, cmp_key);
}

static double idf(int64_t n, int64_t df)
{
    return log((double)(n + 1 + PRIOR_DOCS) / ((double)df + 0.5));
}

int ng_story_signature(ng_kb_store *s, const ng_doc *doc, ng_kb_term **sig, size_t *nsig)
{
    *sig = NULL;
    *nsig = 0;
    /* count distinct terms in an open-addressing table */
    size_t cap = 64;
    while (cap < doc->ntokens * 2 + 16)
        cap *= 2;
    tcount *tab = calloc(cap, sizeof *tab);
    if (!tab)
        return ng_kb_store_fail(s, NG_ENOMEM, "out of memory");
    size_t distinct = 0;
    const ng_strset *stop = doc->lang_res ? &doc->lang_res->stopwords : NULL;
    for (size_t i = 0; i < doc->ntokens; i++) {
        const ng_token *t = &doc->tokens[i];
        if (!(t->flags & (NG_TOK_WORD | NG_TOK_NUM)) || t->end <= t->start || t->end > doc->text_len)
            continue;
        char f[96];
        size_t n = ng_fold(doc->text + t->start, t->end - t->start, f, sizeof f);
        if (n < 3 || (stop && ng_strset_has(stop, f, n)))
            continue;
        uint32_t key = (uint32_t)ng_kb_hash(f, n);
        if (key == 0)
            key = 1;
        size_t h = key & (cap - 1);
        while (tab[h].key && tab[h].key != key)
            h = (h + 1) & (cap - 1);
        if (!tab[h].key) {
            tab[h].key = key;
            distinct++;
        }
        tab[h].tf++;
    }
    int64_t ndocs = 0;
    int rc = s->ops->doc_count(s, &ndocs);
    ndocs++; /* this one */
    size_t o = 0;
    for (size_t h = 0; h < cap; h++)
        if (tab[h].key)
            tab[o++] = tab[h];
    /* the terms in table order (as term_bump saw them one by one before), counted in one call
     * when the backend can */
    uint32_t *keys = malloc((o ? o : 1) * sizeof *keys);
    int64_t *dfs = malloc((o ? o : 1) * sizeof *dfs);
    if (!keys || !dfs)
        rc = rc == NG_OK ? ng_kb_store_fail(s, NG_ENOMEM, "out of memory") : rc;
    for (size_t i = 0; i < o && rc == NG_OK; i++)
        keys[i] = tab[i].key;
    if (rc == NG_OK && s->ops->terms_bump)
        rc = s->ops->terms_bump(s, keys, o, dfs);
    else
        for (size_t i = 0; i < o && rc == NG_OK; i++)
            rc = s->ops->term_bump(s, keys[i], &dfs[i]);
    for (size_t i = 0; i < o && rc == NG_OK; i++)
        tab[i].weight = (float)((1.0 + log((double)tab[i].tf)) * idf(ndocs, dfs[i]));
    free(keys);
    free(dfs);
    if (rc != NG_OK) {
        free(tab);
        return rc;
    }
    qsort(tab, o, sizeof *tab, cmp_weight_desc);
    size_t k = o; /* all of them: the caller stores the first SIG_TERMS */
    ng_kb_term *v = malloc((k ? k : 1) * sizeof *v);
    if (!v) {
        free(tab);
        return ng_kb_store_fail(s, NG_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < k; i++) {
        v[i].key = tab[i].key;
        /* the best terms first: the order of the index postings */
        v[i].weight = tab[i].weight;
    }
    free(tab);
    *sig = v;
    *nsig = k;
    return NG_OK;
}

int ng_story_entities(ng_kb_store *s, const ng_doc *doc, const ng_id *ids, ng_kb_term **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (!doc->nentities)
        return NG_OK;
    ng_kb_term *v = calloc(doc->nentities, sizeof *v);
    if (!v)
        return ng_kb_store_fail(s, NG_ENOMEM, "out of memory");
    int64_t ndocs = 0;
    int rc = s->ops->doc_count(s, &ndocs);
    ndocs++;
    size_t k = 0;
    for (size_t i = 0; i < doc->nentities && rc == NG_OK; i++) {
        if (!ids[i])
            continue;
        size_t j = 0;
        while (j < k && v[j].key != (uint32_t)ids[i])
            j++;
        double m = (double)doc->entities[i].nmentions;
        if (j < k) {
            v[j].weight += (float)m; /* counted as mentions first, weighted below */
            continue;
        }
        v[k].key = (uint32_t)ids[i];
        v[k].weight = (float)m;
        k++;
    }
    for (size_t j = 0; j < k && rc == NG_OK; j++) {
        ng_kb_cand e;
        rc = s->ops->entity_get(s, (ng_id)v[j].key, &e);
        int64_t df = e.ndocs > 0 ? e.ndocs : 1;
        v[j].weight = (float)((1.0 + log(v[j].weight > 1 ? v[j].weight : 1)) * idf(ndocs, df));
        if (v[j].weight < 0)
            v[j].weight = 0;
    }
    if (rc != NG_OK) {
        free(v);
        return rc;
    }
    ng_story_normalise(v, k);
    *out = v;
    *n = k;
    return NG_OK;
}

/* Cosine of two normalised vectors sorted by key. */
static double cosine(const ng_kb_term *a, size_t na, const ng_kb_term *b, size_t nb)
{
    double s = 0;
    size_t i = 0, j = 0;
    while (i < na && j < nb) {
        if (a[i].key < b[j].key)
            i++;
        else if (a[i].key > b[j].key)
            j++;
        else
            s += (double)a[i++].weight * b[j++].weight;
    }
    return s;
}

/* Cosine of normalised a and any b (both sorted by key). */
static double cosine_any(const ng_kb_term *a, size_t na, const ng_kb_term *b, size_t nb)
{
    double nn = 0;
    for (size_t j = 0; j < nb; j++)
        nn += (double)b[j].weight * b[j].weight;
    return nn > 0 ? cosine(a, na, b, nb) / sqrt(nn) : 0;
}

static int cmp_term_weight_desc(const void *a, const void *b)
{
    float x = ((const ng_kb_term *)a)->weight, y = ((const ng_kb_term *)b)->weight;
    return x < y ? 1 : x > y ? -1 : 0;
}

/* Adds vector b to a (both sorted by key) into a new malloc'd array of at
 * most cap terms (the heaviest), sorted by key.  NULL when out of memory. */
static ng_kb_term *vec_add(const ng_kb_term *a, size_t na, const ng_kb_term *b, size_t nb, size_t cap, size_t *n)
{
    ng_kb_term *v = malloc((na + nb + 1) * sizeof *v);
    if (!v)
        return NULL;
    size_t i = 0, j = 0, o = 0;
    while (i < na || j < nb) {
        if (j >= nb || (i < na && a[i].key < b[j].key))
            v[o++] = a[i++];
        else if (i >= na || b[j].key < a[i].key)
            v[o++] = b[j++];
        else {
            v[o] = a[i++];
            v[o++].weight += b[j++].weight;
        }
    }
    if (o > cap) {
        qsort(v, o, sizeof *v, cmp_term_weight_desc);
        o = cap;
        qsort(v, o, sizeof *v, cmp_key);
    }
    *n = o;
    return v;
}

/* Adds an article's vectors to its story's centroid. */
static int centroid_add(ng_kb_store *s, ng_id story, const ng_kb_term *sig, size_t nsig, const ng_kb_term *ents,
                        size_t nents)
{
    ng_kb_term *cs, *ce;
    size_t ncs, nce;
    int rc = s->ops->story_features(s, story, &cs, &ncs, &ce, &nce);
    if (rc != NG_OK)
        return rc;
    size_t n1, n2;
    ng_kb_term *v1 = vec_add(cs, ncs, sig, nsig, CENTROID_TERMS, &n1);
    ng_kb_term *v2 = vec_add(ce, nce, ents, nents, CENTROID_TERMS, &n2);
    if (v1 && v2)
        rc = s->ops->story_set_features(s, story, v1, n1, v2, n2);
    else
        rc = ng_kb_store_fail(s, NG_ENOMEM, "out of memory");
    free(cs);
    free(ce);
    free(v1);
    free(v2);
    return rc;
}

/* A candidate document. */
typedef struct {
    ng_id doc;
    ng_id story;
    double sim;
} cand;

static int cmp_id(const void *a, const void *b)
{
    ng_id x = *(const ng_id *)a, y = *(const ng_id *)b;
    return x < y ? -1 : x > y;
}

static int cmp_sim_desc(const void *a, const void *b)
{
    const cand *x = a, *y = b;
    return x->sim < y->sim ? 1 : x->sim > y->sim ? -1 : (x->story > y->story) - (x->story < y->story);
}

static int cmp_story_sim(const void *a, const void *b)
{
    const cand *x = a, *y = b;
    if (x->story != y->story)
        return x->story < y->story ? -1 : 1;
    return x->sim < y->sim ? 1 : x->sim > y->sim ? -1 : 0;
}

int ng_story_assign(ng_kb_store *s, const ng_story_options *o, ng_id doc, const ng_kb_term *sig, size_t nsig,
                    const ng_kb_term *top, size_t ntop, const ng_kb_term *ents, size_t nents, int32_t day,
                    ng_id *story)
{
    *story = 0;
    ng_id *ids = malloc((PROBE_TERMS + nents + 1) * MAX_PER_KEY * sizeof *ids);
    ng_kb_term *mysig = malloc((nsig ? nsig : 1) * sizeof *mysig);
    cand *cs = NULL;
    int rc = NG_OK;
    if (!ids || !mysig) {
        rc = ng_kb_store_fail(s, NG_ENOMEM, "out of memory");
        goto done;
    }
    /* sig is in rank order: index its best terms, then use it sorted */
    size_t nids = 0;
    for (size_t i = 0; i < nsig && i < PROBE_TERMS && rc == NG_OK; i++) {
        size_t n;
        rc = s->ops->posting_docs(s, sig[i].key, ids + nids, MAX_PER_KEY, &n);
        nids += n;
        if (rc == NG_OK && i < POST_TERMS)
            rc = s->ops->posting_add(s, sig[i].key, doc);
    }
    for (size_t i = 0; i < nents && rc == NG_OK; i++) {
        size_t n;
        rc = s->ops->entity_docs(s, (ng_id)ents[i].key, ids + nids, MAX_PER_KEY, &n);
        nids += n;
    }
    if (rc != NG_OK)
        goto done;
    memcpy(mysig, sig, nsig * sizeof *sig);
    ng_story_normalise(mysig, nsig);
    /* distinct candidates, most recent first, this document left out */
    qsort(ids, nids, sizeof *ids, cmp_id);
    size_t u = 0;
    for (size_t i = 0; i < nids; i++)
        if (ids[i] != doc && (u == 0 || ids[u - 1] != ids[i]))
            ids[u++] = ids[i];
    size_t first = u > MAX_CANDS ? u - MAX_CANDS : 0;
    cs = malloc((u - first + 1) * sizeof *cs);
    if (!cs) {
        rc = ng_kb_store_fail(s, NG_ENOMEM, "out of memory");
        goto done;
    }
    size_t nc = 0;
    for (size_t i = first; i < u && rc == NG_OK; i++) {
        ng_kb_term *csig, *cents;
        size_t ncsig, ncents;
        int32_t cday;
        ng_id cstory;
        rc = s->ops->doc_features(s, ids[i], &csig, &ncsig, &cents, &ncents, &cday, &cstory);
        if (rc != NG_OK || !cstory) {
            if (rc == NG_OK) {
                free(csig);
                free(cents);
            }
            continue;
        }
        double sim = W_TERMS * cosine(mysig, nsig, csig, ncsig) + W_ENTS * cosine(ents, nents, cents, ncents);
        if (day != NG_KB_NODAY && cday != NG_KB_NODAY && o->window_days > 0) {
            int dist = day > cday ? day - cday : cday - day;
            if (dist > o->window_days)
                sim *= (double)o->window_days / dist;
        }
        free(csig);
        free(cents);
        cs[nc].doc = ids[i];
        cs[nc].story = cstory;
        cs[nc].sim = sim;
        nc++;
    }
    if (rc != NG_OK)
        goto done;
    /* each story's best candidate, then the best few stories compared by
     * centroid too: score = (1 - C) * best article + C * centroid */
    qsort(cs, nc, sizeof *cs, cmp_story_sim);
    size_t ns = 0;
    for (size_t i = 0; i < nc;) {
        size_t j = i;
        while (j < nc && cs[j].story == cs[i].story)
            j++;
        cs[ns++] = cs[i]; /* the story's best, in place */
        i = j;
    }
    qsort(cs, ns, sizeof *cs, cmp_sim_desc);
    double best = 0, C = W_CENTROID;
    ng_id best_story = 0;
    for (size_t i = 0; i < ns && i < TOP_STORIES && rc == NG_OK; i++) {
        ng_kb_term *ct, *ce;
        size_t nct, nce;
        rc = s->ops->story_features(s, cs[i].story, &ct, &nct, &ce, &nce);
        if (rc != NG_OK)
            break;
        double csim = W_TERMS * cosine_any(mysig, nsig, ct, nct) + W_ENTS * cosine_any(ents, nents, ce, nce);
        free(ct);
        free(ce);
        double score = (1 - C) * cs[i].sim + C * csim;
        if (score > best) {
            best = score;
            best_story = cs[i].story;
        }
    }
    if (rc != NG_OK)
        goto done;
    if (best_story && best >= o->threshold) {
        *story = best_story;
    } else {
        rc = s->ops->story_new(s, day, story);
    }
    if (rc == NG_OK)
        rc = s->ops->story_add(s, *story, day);
    if (rc == NG_OK)
        rc = s->ops->doc_set_story(s, doc, *story);
    if (rc == NG_OK)
        rc = centroid_add(s, *story, top, ntop, ents, nents);
done:
    free(ids);
    free(mysig);
    free(cs);
    return rc;
}
