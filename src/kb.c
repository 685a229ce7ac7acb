/*
 * kb.c — the knowledge base's public face (ng_kb): opening a backend,
 * storing one analyzed article at a time (hashes, entity linking, story
 * grouping, annotations), transactions of N articles, export.
 *
 * Adding an article:
 *   1. its clean text's hash (and its raw bytes' hash) is looked up: an
 *      article already stored is a no-op;
 *   2. inside the batch's transaction, a savepoint: a failure undoes this
 *      article only;
 *   3. its entities are linked (link.c), its story signature computed and
 *      the document row written with them, then its entities, mentions,
 *      time expressions, quantities and quotes;
 *   4. it joins a story (story.c);
 *   5. every opt.batch articles the transaction commits.
 * A crash loses the open batch only; since the hashes of committed
 * articles are stored, running the same ingest again finishes the work.
 */
#include "kb.h"
#include "events.h"

#include <stdlib.h>
#include <string.h>

struct ng_kb {
    ng_kb_store *s;       /* the backend */
    ng_linker *linker;    /* alias groups, titles (read-only) */
    ng_kb_options opt;
    ng_story_options sopt;
    size_t pending;       /* articles in the open transaction */
    char err[512];        /* detail of the last error */
};

void ng_kb_options_default(ng_kb_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->batch = 100;
}

/* Sets kb->err; returns rc. */
static int kb_fail(ng_kb *kb, int rc, const char *msg)
{
    snprintf(kb->err, sizeof kb->err, "%s", msg && *msg ? msg : ng_strerror(rc));
    return rc;
}

int ng_kb_open(ng_kb **out, const char *where, const ng_kb_options *opt, char *err, size_t errlen)
{
    *out = NULL;
    if (!where || !*where) {
        snprintf(err, errlen, "no knowledge base given");
        return NG_EINVAL;
    }
    ng_kb *kb = calloc(1, sizeof *kb);
    if (!kb) {
        snprintf(err, errlen, "out of memory");
        return NG_ENOMEM;
    }
    ng_kb_options_default(&kb->opt);
    if (opt)
        kb->opt = *opt;
    if (kb->opt.batch == 0)
        kb->opt.batch = 100;
    ng_story_options_default(&kb->sopt);
    if (kb->opt.story_threshold > 0)
        kb->sopt.threshold = kb->opt.story_threshold;
    if (kb->opt.story_window_days > 0)
        kb->sopt.window_days = kb->opt.story_window_days;
    int rc = ng_linker_new(&kb->linker);
    if (rc != NG_OK) {
        snprintf(err, errlen, "cannot load the alias lists: %s", ng_strerror(rc));
        free(kb);
        return rc;
    }
    if (strncmp(where, "postgresql://", 13) == 0 || strncmp(where, "postgres://", 11) == 0)
        rc = (kb->opt.readonly ? ng_kb_pg_open_ro : ng_kb_pg_open)(&kb->s, where, err, errlen);
    else
        rc = (kb->opt.readonly ? ng_kb_sqlite_open_ro : ng_kb_sqlite_open)(&kb->s, where, err, errlen);
    if (rc != NG_OK) {
        ng_linker_free(kb->linker);
        free(kb);
        return rc;
    }
    *out = kb;
    return NG_OK;
}

const char *ng_kb_error(const ng_kb *kb)
{
    return kb && kb->err[0] ? kb->err : "no error";
}

int ng_kb_has_raw(ng_kb *kb, const char *data, size_t len)
{
    if (!kb || (!data && len))
        return NG_EINVAL;
    ng_id id = 0;
    int rc = kb->s->ops->doc_find(kb->s, (int64_t)ng_kb_hash(data, len), 1, &id);
    if (rc != NG_OK)
        return kb_fail(kb, rc, kb->s->err);
    return id != 0;
}

/* The day an article is about: its publication date, else the latest
 * full date its text names (TIMEX3 "2020-01-27": news tell of the recent
 * event and look back at older ones), else the latest month named
 * ("2020-01", as its 15th), else unknown. */
static int32_t doc_day(const ng_doc *d)
{
    int32_t day = ng_kb_day(d->published);
    if (day != NG_KB_NODAY)
        return day;
    int32_t month = NG_KB_NODAY;
    for (size_t i = 0; i < d->ntimexes; i++) {
        const char *v = d->timexes[i].value;
        if (!v || strlen(v) < 7 || v[4] != '-')
            continue;
        int32_t k = ng_kb_day(v);
        if (k == NG_KB_NODAY)
            continue;
        if (v[7] == '-' && (day == NG_KB_NODAY || k > day))
            day = k;
        else if (v[7] != '-' && (month == NG_KB_NODAY || k > month))
            month = k;
    }
    return day != NG_KB_NODAY ? day : month;
}

/* ---- events merged across articles -------------------------------------- */

#define EV_WINDOW 3  /* days between two dated reports of one event, at most */
#define EV_CANDS 32  /* stored events compared with a new report, at most */

/* Whether events of this root are symmetric relations, where "A met B"
 * and "B met A" are one event: 03 (intend to cooperate), 04 (consult),
 * 05 (diplomatic cooperation). */
static int sym_root(const char *root)
{
    return strcmp(root, "03") == 0 || strcmp(root, "04") == 0 || strcmp(root, "05") == 0;
}

/* Copies the "YYYY-MM-DD" at the start of s into out[11]; 0 when s does not
 * start with a full, valid date. */
static int full_date(const char *s, char out[11])
{
    if (!s || strlen(s) < 10)
        return 0;
    for (int i = 0; i < 10; i++)
        if (i == 4 || i == 7 ? s[i] != '-' : s[i] < '0' || s[i] > '9')
            return 0;
    if (s[10] && s[10] != 'T' && s[10] != ' ')
        return 0;
    memcpy(out, s, 10);
    out[10] = '\0';
    return ng_kb_day(out) != NG_KB_NODAY;
}

/* Whether one side of a new report (entity a, actor code aa) and of a
 * stored event (b, ba) can be the same actor: the same KB entity when both
 * have one, else the same actor code; two empty sides (an event without a
 * target) agree. */
static int side_ok(ng_id a, const char *aa, ng_id b, const char *ba)
{
    int ha = aa && *aa, hb = ba && *ba;
    if (a && b)
        return a == b;
    if (ha && hb)
        return strcmp(aa, ba) == 0;
    return !a && !b && !ha && !hb;
}

static const char *mood_name(int mood)
{
    switch (mood) {
    case NG_MOOD_INTENT: return "intent";
    case NG_MOOD_HYPOTHETICAL: return "hypothetical";
    case NG_MOOD_REPORTED: return "reported";
    default: return NULL;
    }
}

/* The KB entity of the article's entity local (0 when none). */
static ng_id kb_entity(const ng_doc *d, const ng_id *ids, uint32_t local)
{
    if (!local)
        return 0;
    for (size_t k = 0; k < d->nentities; k++)
        if (d->entities[k].id == local)
            return ids[k];
    return 0;
}

/* Stores the events of stored document doc: each one joins the stored event
 * it reports (the merge rule, docs/kb.md) or starts a new one, and gets a
 * report.  The rule:
 *   - same root code (first two digits);
 *   - compatible sides (side_ok), or for the symmetric roots 03, 04, 05 the
 *     reversed pair;
 *   - dates: the report's own full date, else the article's publication
 *     date, both "known"; else the article's story date (doc_day), a guess;
 *     two known dates within EV_WINDOW days, a guess only on the same day;
 *     no day at all never merges;
 *   - a negated report, or one without a source, stands alone (a negated
 *     one is stored without a root, so that later reports do not join it);
 *   - the nearest in time wins, then the oldest.
 * The stored event keeps the longest (most specific) code and the earliest
 * date, and takes the entities, actor codes and place it lacked. */
static int add_events(ng_kb *kb, const ng_doc *d, ng_id doc, const ng_id *ids, int32_t story_day)
{
    ng_kb_store *s = kb->s;
    if (!s->ops->event_new)
        return NG_OK;
    char pub[11];
    int has_pub = full_date(d->published, pub);
    ng_kb_evcand cand[EV_CANDS];
    for (size_t i = 0; i < d->nevents; i++) {
        const ng_event *e = &d->events[i];
        size_t clen = strnlen(e->code, sizeof e->code);
        if (clen < 2 || clen >= sizeof e->code)
            continue;
        char code[8], root[3];
        memcpy(code, e->code, clen + 1);
        memcpy(root, code, 2);
        root[2] = '\0';
        char date[11];
        const char *datep = NULL;
        int32_t day = NG_KB_NODAY;
        if (full_date(e->date, date) || (has_pub && memcpy(date, pub, sizeof pub))) {
            datep = date;
            day = ng_kb_day(date);
        } else {
            day = story_day;
        }
        ng_id src = kb_entity(d, ids, e->source.entity), tgt = kb_entity(d, ids, e->target.entity);
        const char *sa = e->source.actor && *e->source.actor ? e->source.actor : NULL;
        const char *ta = e->target.actor && *e->target.actor ? e->target.actor : NULL;
        int sym = sym_root(root);
        /* the stored event this reports, if any */
        const ng_kb_evcand *best = NULL;
        int best_rev = 0;
        int32_t best_dist = 0;
        if (day != NG_KB_NODAY && !e->negated && (src || sa)) {
            int32_t w = datep ? EV_WINDOW : 0;
            size_t n = 0;
            int rc = s->ops->event_candidates(s, root, day - w, day + w, src, sa, tgt, ta, sym, cand, EV_CANDS, &n);
            if (rc != NG_OK)
                return rc;
            for (size_t c = 0; c < n; c++) {
                const ng_kb_evcand *k = &cand[c];
                int32_t dist = k->day > day ? k->day - day : day - k->day;
                if (dist > (datep && k->date[0] ? EV_WINDOW : 0))
                    continue;
                int fwd = side_ok(src, sa, k->source, k->source_actor) && side_ok(tgt, ta, k->target, k->target_actor);
                int rev = !fwd && sym && side_ok(src, sa, k->target, k->target_actor) &&
                          side_ok(tgt, ta, k->source, k->source_actor);
                if ((fwd || rev) && (!best || dist < best_dist)) {
                    best = k;
                    best_rev = rev;
                    best_dist = dist;
                }
            }
        }
        ng_id event = 0;
        int rc;
        if (!best) {
            ng_kb_evrow row = {code, src, tgt, sa, ta, e->quad, e->goldstein, e->location, datep, day, e->negated};
            rc = s->ops->event_new(s, &row, &event);
        } else {
            event = best->id;
            /* the most specific code; the earliest date (a known one over a guess) */
            int new_code = strlen(code) > strlen(best->code);
            ng_kb_evrow row = {new_code ? code : best->code,
                               best_rev ? tgt : src,
                               best_rev ? src : tgt,
                               best_rev ? ta : sa,
                               best_rev ? sa : ta,
                               new_code ? e->quad : 0,
                               e->goldstein,
                               e->location,
                               best->date[0] ? best->date : NULL,
                               best->day,
                               0};
            if (datep && (!best->date[0] || day < best->day)) {
                row.date = datep;
                row.day = day;
            }
            rc = s->ops->event_update(s, event, &row);
        }
        if (rc != NG_OK)
            return rc;
        char *trigger = NULL;
        if (e->trigger.end > e->trigger.start && e->trigger.end <= d->text_len &&
            !(trigger = strndup(d->text + e->trigger.start, e->trigger.end - e->trigger.start)))
            return ng_kb_store_fail(s, NG_ENOMEM, "out of memory");
        ng_kb_evreport rep = {code, e->sentence, e->span.start, e->span.end, trigger, e->negated, mood_name(e->mood),
                              e->date};
        rc = s->ops->event_report_add(s, event, doc, &rep);
        free(trigger);
        if (rc != NG_OK)
            return rc;
    }
    return NG_OK;
}

/* ---- mentions packed per article and entity (schema 5) ------------------- */

static int cmp_pair(const void *a, const void *b)
{
    const uint32_t *x = a, *y = b;
    if (x[0] != y[0])
        return x[0] < y[0] ? -1 : 1;
    return x[1] < y[1] ? -1 : x[1] > y[1];
}

size_t ng_kb_spans_sort(uint32_t *pairs, size_t n)
{
    if (n < 2)
        return n;
    qsort(pairs, n, 2 * sizeof *pairs, cmp_pair);
    size_t w = 1;
    for (size_t i = 1; i < n; i++)
        if (pairs[2 * i] != pairs[2 * (w - 1)] || pairs[2 * i + 1] != pairs[2 * (w - 1) + 1]) {
            pairs[2 * w] = pairs[2 * i];
            pairs[2 * w + 1] = pairs[2 * i + 1];
            w++;
        }
    return w;
}

static size_t put_varint(unsigned char *out, uint64_t v)
{
    size_t k = 0;
    while (v >= 0x80) {
        out[k++] = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    out[k++] = (unsigned char)v;
    return k;
}

/* Reads a varint of at most 10 bytes at p[*at..len); 0 at the end or on damage. */
static int get_varint(const unsigned char *p, size_t len, size_t *at, uint64_t *v)
{
    uint64_t x = 0;
    for (int shift = 0; shift < 64 && *at < len; shift += 7) {
        unsigned char c = p[(*at)++];
        x |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80)) {
            *v = x;
            return 1;
        }
    }
    return 0;
}

size_t ng_kb_spans_pack(const uint32_t *pairs, size_t n, unsigned char *out)
{
    size_t len = 0;
    for (size_t i = 1; i < n; i++) {
        int64_t d = (int64_t)pairs[2 * i + 1] - (int64_t)pairs[2 * i];
        len += put_varint(out + len, (uint64_t)pairs[2 * i] - pairs[2 * (i - 1)]);
        len += put_varint(out + len, d >= 0 ? (uint64_t)d << 1 : ((uint64_t)(-d) << 1) - 1);
    }
    return len;
}

static int mention_push(ng_kb_mention **v, size_t *n, size_t *cap, uint32_t local, uint32_t start, uint32_t stop)
{
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 64;
        ng_kb_mention *nv = realloc(*v, nc * sizeof *nv);
        if (!nv)
            return NG_ENOMEM;
        *v = nv;
        *cap = nc;
    }
    (*v)[(*n)++] = (ng_kb_mention){local, start, stop};
    return NG_OK;
}

int ng_kb_spans_unpack(uint32_t local, uint32_t start, uint32_t stop, const unsigned char *p, size_t len,
                       ng_kb_mention **v, size_t *n, size_t *cap)
{
    int rc = mention_push(v, n, cap, local, start, stop);
    size_t at = 0;
    uint64_t s = start;
    while (rc == NG_OK && at < len) {
        uint64_t ds, z;
        if (!get_varint(p, len, &at, &ds) || !get_varint(p, len, &at, &z))
            return NG_EDB;
        s += ds;
        int64_t d = z & 1 ? -(int64_t)((z + 1) >> 1) : (int64_t)(z >> 1);
        int64_t e = (int64_t)s + d;
        if (s > UINT32_MAX || e < 0 || e > UINT32_MAX)
            return NG_EDB;
        rc = mention_push(v, n, cap, local, (uint32_t)s, (uint32_t)e);
    }
    return rc;
}

static int cmp_mention(const void *a, const void *b)
{
    const ng_kb_mention *x = a, *y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    if (x->stop != y->stop)
        return x->stop < y->stop ? -1 : 1;
    return x->local < y->local ? -1 : x->local > y->local;
}

void ng_kb_mentions_json(ng_buf *b, ng_kb_mention *m, size_t n, size_t limit)
{
    if (n > 1)
        qsort(m, n, sizeof *m, cmp_mention);
    ng_buf_putc(b, '[');
    for (size_t i = 0; i < n && i < limit; i++)
        ng_buf_printf(b, "%s{\"local\":%u,\"start\":%u,\"stop\":%u}", i ? ",\n" : "\n", m[i].local, m[i].start,
                      m[i].stop);
    ng_buf_putc(b, ']');
}

/* Stores everything about one article inside the open transaction. */
static int add_doc(ng_kb *kb, const ng_doc *d, int64_t hash, int64_t raw_hash)
{
    ng_kb_store *s = kb->s;
    int32_t day = doc_day(d);
    ng_id *ids = calloc(d->nentities + 1, sizeof *ids);
    ng_kb_term *sig = NULL, *ents = NULL;
    size_t nsig = 0, nents = 0;
    ng_id doc = 0, story = 0;
    int rc = ids ? NG_OK : ng_kb_store_fail(s, NG_ENOMEM, "out of memory");
    if (rc == NG_OK)
        rc = ng_link_doc(kb->linker, s, d, day, ids);
    if (rc == NG_OK)
        rc = ng_story_signature(s, d, &sig, &nsig);
    if (rc == NG_OK)
        rc = ng_story_entities(s, d, ids, &ents, &nents);
    /* the stored signature: the best terms, normalised, sorted by key */
    size_t ntop = nsig < NG_STORY_SIG ? nsig : NG_STORY_SIG;
    ng_kb_term top[NG_STORY_SIG];
    if (rc == NG_OK) {
        memcpy(top, sig, ntop * sizeof *top);
        ng_story_normalise(top, ntop);
    }
    if (rc == NG_OK) {
        ng_kb_docrow row = {d->id, d->lang[0] ? d->lang : NULL, d->published, d->title, d->url, d->text,
                            d->text_len, hash, raw_hash, day, top, ntop * sizeof *top, ents, nents * sizeof *ents};
        rc = s->ops->doc_insert(s, &row, &doc);
    }
    for (size_t i = 0; i < d->nentities && rc == NG_OK; i++) {
        const ng_entity *e = &d->entities[i];
        if (!ids[i])
            continue;
        uint32_t one[2], *spans = e->nmentions > 1 ? malloc(e->nmentions * 2 * sizeof *spans) : one;
        if (!spans) {
            rc = ng_kb_store_fail(s, NG_ENOMEM, "out of memory");
            break;
        }
        for (size_t m = 0; m < e->nmentions; m++) {
            spans[2 * m] = (uint32_t)e->mentions[m].span.start;
            spans[2 * m + 1] = (uint32_t)e->mentions[m].span.end;
        }
        size_t nspans = ng_kb_spans_sort(spans, e->nmentions);
        rc = s->ops->docent_add(s, doc, e->id, ids[i], e->type, e->name, (uint32_t)e->nmentions, spans, nspans);
        if (spans != one)
            free(spans);
        for (size_t t = 0; t < e->ntitles && rc == NG_OK; t++)
            if (e->titles[t] && e->titles[t][0])
                rc = s->ops->title_add(s, doc, e->id, ids[i], e->titles[t]);
    }
    for (size_t i = 0; i < d->ntimexes && rc == NG_OK; i++) {
        const ng_time_expr *t = &d->timexes[i];
        rc = s->ops->timex_add(s, doc, t->span.start, t->span.end, t->type, t->value);
    }
    for (size_t i = 0; i < d->nquantities && rc == NG_OK; i++) {
        const ng_quantity *q = &d->quantities[i];
        rc = s->ops->quantity_add(s, doc, q->span.start, q->span.end, q->value, q->unit, q->noun, q->per);
    }
    for (size_t i = 0; i < d->nquotes && rc == NG_OK; i++) {
        const ng_quote *q = &d->quotes[i];
        ng_id speaker = 0;
        for (size_t k = 0; k < d->nentities; k++)
            if (q->speaker && d->entities[k].id == q->speaker)
                speaker = ids[k];
        const char *text = NULL;
        char *copy = NULL;
        if (q->span.end > q->span.start && q->span.end <= d->text_len) {
            copy = strndup(d->text + q->span.start, q->span.end - q->span.start);
            text = copy;
        }
        rc = s->ops->quote_add(s, doc, q->span.start, q->span.end, q->speaker, speaker, q->cue, q->direct, text);
        free(copy);
    }
    if (rc == NG_OK)
        rc = add_events(kb, d, doc, ids, day);
    if (rc == NG_OK)
        rc = ng_story_assign(s, &kb->sopt, doc, sig, nsig, top, ntop, ents, nents, day, &story);
    free(ids);
    free(sig);
    free(ents);
    return rc;
}

int ng_kb_add(ng_kb *kb, const ng_doc *d, const char *raw, size_t rawlen, int *added)
{
    if (added)
        *added = 0;
    if (!kb || !d)
        return NG_EINVAL;
    ng_kb_store *s = kb->s;
    int64_t hash = (int64_t)ng_kb_hash(d->text ? d->text : "", d->text_len);
    int64_t raw_hash = raw ? (int64_t)ng_kb_hash(raw, rawlen) : 0;
    ng_id found = 0;
    int rc = s->ops->doc_find(s, hash, 0, &found);
    if (rc == NG_OK && !found && raw)
        rc = s->ops->doc_find(s, raw_hash, 1, &found);
    if (rc != NG_OK)
        return kb_fail(kb, rc, s->err);
    if (found)
        return NG_OK;
    if (kb->pending == 0) {
        if ((rc = s->ops->begin(s)) != NG_OK)
            return kb_fail(kb, rc, s->err);
        /* the look-up above ran before the transaction: another writer (a
         * second ingest into a PostgreSQL base) may have stored the article
         * since.  Inside the transaction, which holds the base's write
         * lock, the answer is final. */
        if ((rc = s->ops->doc_find(s, hash, 0, &found)) != NG_OK)
            return kb_fail(kb, rc, s->err);
        if (found)
            return ng_kb_commit(kb);
    }
    if ((rc = s->ops->doc_tx(s, NG_TX_MARK)) != NG_OK)
        return kb_fail(kb, rc, s->err);
    rc = add_doc(kb, d, hash, raw_hash);
    if (rc != NG_OK) {
        kb_fail(kb, rc, s->err);
        s->ops->doc_tx(s, NG_TX_UNDO);
        return rc;
    }
    if ((rc = s->ops->doc_tx(s, NG_TX_KEEP)) != NG_OK)
        return kb_fail(kb, rc, s->err);
    if (added)
        *added = 1;
    if (++kb->pending >= kb->opt.batch)
        return ng_kb_commit(kb);
    return NG_OK;
}

int ng_kb_commit(ng_kb *kb)
{
    if (!kb)
        return NG_EINVAL;
    int rc = kb->s->ops->commit(kb->s);
    if (rc != NG_OK)
        return kb_fail(kb, rc, kb->s->err);
    kb->pending = 0;
    return NG_OK;
}

int ng_kb_export_json(ng_kb *kb, int (*write)(void *ctx, const char *p, size_t n), void *ctx)
{
    if (!kb || !write)
        return NG_EINVAL;
    int rc = ng_kb_commit(kb);
    if (rc == NG_OK && (rc = kb->s->ops->export_json(kb->s, write, ctx)) != NG_OK)
        kb_fail(kb, rc, kb->s->err);
    return rc;
}

static int write_file(void *ctx, const char *p, size_t n)
{
    return fwrite(p, 1, n, (FILE *)ctx) == n ? 0 : -1;
}

int ng_kb_export_file(ng_kb *kb, FILE *f)
{
    return ng_kb_export_json(kb, write_file, f);
}

/* ---- events as JSON ---------------------------------------------------- */

/* Writes day number day as a JSON "YYYY-MM-DD" string (civil from days,
 * Howard Hinnant's algorithm). */
static void put_day(ng_buf *b, int32_t day)
{
    int64_t z = (int64_t)day + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
    ng_buf_printf(b, "\"%04lld-%02lld-%02lld\"", (long long)y, (long long)m, (long long)d);
}

/* A string member's value: the JSON string, or null for NULL. */
static void put_str(ng_buf *b, const char *s)
{
    if (s)
        ng_buf_json_str(b, s, strlen(s));
    else
        ng_buf_puts(b, "null");
}

static void put_id(ng_buf *b, ng_id id)
{
    if (id)
        ng_buf_printf(b, "%lld", (long long)id);
    else
        ng_buf_puts(b, "null");
}

void ng_kb_event_json(ng_buf *b, const ng_kb_evread *ev, int query)
{
    ng_buf_printf(b, "{\"id\":%lld,\"code\":", (long long)ev->id);
    put_str(b, ev->code);
    ng_buf_puts(b, ",\"source\":");
    put_id(b, ev->source);
    ng_buf_puts(b, ",\"target\":");
    put_id(b, ev->target);
    ng_buf_puts(b, ",\"date\":");
    if (ev->date)
        put_str(b, ev->date);
    else if (ev->day != NG_KB_NODAY)
        put_day(b, ev->day);
    else
        ng_buf_puts(b, "null");
    /* every article that reports it, once each, in the order stored */
    ng_buf_puts(b, ",\"docs\":[");
    for (size_t i = 0, n = 0; i < ev->nreports; i++) {
        if (i && ev->reports[i].doc_id == ev->reports[i - 1].doc_id)
            continue;
        if (n++)
            ng_buf_putc(b, ',');
        put_str(b, ev->reports[i].doc ? ev->reports[i].doc : "");
    }
    ng_buf_puts(b, "],\"source_actor\":");
    put_str(b, ev->source_actor);
    ng_buf_puts(b, ",\"target_actor\":");
    put_str(b, ev->target_actor);
    if (query) {
        ng_buf_puts(b, ",\"source_name\":");
        put_str(b, ev->source_name);
        ng_buf_puts(b, ",\"target_name\":");
        put_str(b, ev->target_name);
    }
    ng_buf_puts(b, ",\"quad\":");
    if (ev->quad > 0)
        ng_buf_printf(b, "%d,\"goldstein\":%g", ev->quad, ev->goldstein);
    else
        ng_buf_puts(b, "null,\"goldstein\":null");
    ng_buf_puts(b, ",\"location\":");
    put_str(b, ev->location);
    ng_buf_puts(b, ",\"reports\":[");
    for (size_t i = 0; i < ev->nreports; i++) {
        const ng_kb_evread_report *r = &ev->reports[i];
        ng_buf_puts(b, i ? ",{\"doc\":" : "{\"doc\":");
        put_str(b, r->doc ? r->doc : "");
        ng_buf_printf(b, ",\"sentence\":%lld,\"span\":[%lld,%lld],\"code\":", (long long)r->sentence,
                      (long long)r->start, (long long)r->stop);
        put_str(b, r->code);
        ng_buf_puts(b, ",\"trigger\":");
        put_str(b, r->trigger);
        ng_buf_puts(b, r->negated ? ",\"negated\":true,\"mood\":" : ",\"negated\":false,\"mood\":");
        put_str(b, r->mood);
        ng_buf_puts(b, ",\"date\":");
        put_str(b, r->date);
        if (query) {
            /* the sentence, cut at a byte count: no partial UTF-8 sequence at its end */
            size_t n = r->text ? r->text_len : 0;
            const unsigned char *t = (const unsigned char *)r->text;
            size_t k = n;
            while (k && (t[k - 1] & 0xC0) == 0x80)
                k--;
            if (k && t[k - 1] >= 0xC0) {
                unsigned char lead = t[k - 1];
                size_t want = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
                if (n - (k - 1) < want)
                    n = k - 1;
            }
            ng_buf_puts(b, ",\"text\":");
            if (r->text)
                ng_buf_json_str(b, r->text, n);
            else
                ng_buf_puts(b, "null");
        }
        ng_buf_putc(b, '}');
    }
    ng_buf_puts(b, "]}");
}

static char *dup_or_null(const char *p, size_t n, int *oom)
{
    if (!p)
        return NULL;
    char *c = malloc(n + 1);
    if (!c) {
        *oom = 1;
        return NULL;
    }
    memcpy(c, p, n);
    c[n] = '\0';
    return c;
}

int ng_kb_evread_add(ng_kb_evread *ev, size_t *cap, const ng_kb_evread_report *r)
{
    if (ev->nreports == *cap) {
        size_t nc = *cap ? *cap * 2 : 8;
        ng_kb_evread_report *nr = realloc(ev->reports, nc * sizeof *nr);
        if (!nr)
            return NG_ENOMEM;
        ev->reports = nr;
        *cap = nc;
    }
    ng_kb_evread_report *c = &ev->reports[ev->nreports];
    *c = *r;
    int oom = 0;
    c->doc = dup_or_null(r->doc, r->doc ? strlen(r->doc) : 0, &oom);
    c->code = dup_or_null(r->code, r->code ? strlen(r->code) : 0, &oom);
    c->trigger = dup_or_null(r->trigger, r->trigger ? strlen(r->trigger) : 0, &oom);
    c->mood = dup_or_null(r->mood, r->mood ? strlen(r->mood) : 0, &oom);
    c->date = dup_or_null(r->date, r->date ? strlen(r->date) : 0, &oom);
    c->text = dup_or_null(r->text, r->text_len, &oom);
    ev->nreports++;
    return oom ? NG_ENOMEM : NG_OK;
}

void ng_kb_evread_clear(ng_kb_evread *ev, size_t *cap)
{
    for (size_t i = 0; i < ev->nreports; i++) {
        ng_kb_evread_report *r = &ev->reports[i];
        free((char *)r->doc);
        free((char *)r->code);
        free((char *)r->trigger);
        free((char *)r->mood);
        free((char *)r->date);
        free((char *)r->text);
    }
    free(ev->reports);
    ev->reports = NULL;
    ev->nreports = 0;
    *cap = 0;
}

/* The writer of an events query: a JSON array handed on in 64 KiB pieces. */
typedef struct {
    ng_buf b;
    int (*write)(void *ctx, const char *p, size_t n);
    void *ctx;
    size_t n;
    int failed;
} evout;

static int evout_each(void *ctx, const ng_kb_evread *ev)
{
    evout *o = ctx;
    ng_buf_puts(&o->b, o->n++ ? ",\n" : "\n");
    ng_kb_event_json(&o->b, ev, 1);
    if (o->b.oom)
        return NG_ENOMEM;
    if (o->b.len >= 65536) {
        if (o->write(o->ctx, o->b.p, o->b.len) != 0) {
            o->failed = 1;
            return NG_EIO;
        }
        ng_buf_reset(&o->b);
    }
    return NG_OK;
}

/* Whether root is a CAMEO code prefix: 1 to 4 digits. */
static int valid_root(const char *root)
{
    size_t n = strlen(root);
    if (n < 1 || n > 4)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (root[i] < '0' || root[i] > '9')
            return 0;
    return 1;
}

static int events_json(ng_kb_store *s, ng_id entity, ng_id doc, const char *root, size_t limit,
                       int (*write)(void *ctx, const char *p, size_t n), void *ctx);

int ng_kb_events_json(ng_kb_store *s, ng_id entity, const char *root, size_t limit,
                      int (*write)(void *ctx, const char *p, size_t n), void *ctx)
{
    return events_json(s, entity, 0, root, limit, write, ctx);
}

int ng_kb_doc_events_json(ng_kb_store *s, ng_id doc, const char *root, size_t limit,
                          int (*write)(void *ctx, const char *p, size_t n), void *ctx)
{
    return events_json(s, 0, doc, root, limit, write, ctx);
}

static int events_json(ng_kb_store *s, ng_id entity, ng_id doc, const char *root, size_t limit,
                       int (*write)(void *ctx, const char *p, size_t n), void *ctx)
{
    if (root && !*root)
        root = NULL;
    if (root && !valid_root(root))
        return ng_kb_store_fail(s, NG_EINVAL, "an event code is 1 to 4 digits (04, 042, 0432), not '%.40s'", root);
    evout o;
    memset(&o, 0, sizeof o);
    ng_buf_init(&o.b);
    o.write = write;
    o.ctx = ctx;
    ng_buf_putc(&o.b, '[');
    int rc = NG_OK;
    if (s->ops->event_rows) {
        ng_kb_evfilter f = {1, entity, root, limit ? limit : 1000, doc};
        rc = s->ops->event_rows(s, &f, evout_each, &o);
    }
    if (rc == NG_OK) {
        ng_buf_puts(&o.b, "]\n");
        if (o.b.oom)
            rc = ng_kb_store_fail(s, NG_ENOMEM, "out of memory");
        else if (o.write(o.ctx, o.b.p, o.b.len) != 0)
            rc = ng_kb_store_fail(s, NG_EIO, "write error");
    } else if (o.failed) {
        rc = ng_kb_store_fail(s, NG_EIO, "write error");
    } else if (rc == NG_ENOMEM && !s->err[0]) {
        rc = ng_kb_store_fail(s, NG_ENOMEM, "out of memory");
    }
    ng_buf_free(&o.b);
    return rc;
}

/* The entity a user names: a KB id in digits (which must exist), else a
 * name resolved like a link.  NG_EEMPTY (detail in kb->err) when none. */
static int resolve_entity(ng_kb *kb, const char *arg, ng_id *id)
{
    *id = 0;
    size_t n = strlen(arg), i = 0;
    while (i < n && arg[i] >= '0' && arg[i] <= '9')
        i++;
    int rc;
    if (i == n && n > 0 && n < 19) {
        ng_kb_cand c;
        if ((rc = kb->s->ops->entity_get(kb->s, strtoll(arg, NULL, 10), &c)) != NG_OK)
            return kb_fail(kb, rc, kb->s->err);
        if (!c.id) {
            snprintf(kb->err, sizeof kb->err, "no entity %.40s", arg);
            return NG_EEMPTY;
        }
        *id = c.id;
        return NG_OK;
    }
    if ((rc = ng_link_resolve(kb->linker, kb->s, arg, id)) != NG_OK)
        return kb_fail(kb, rc, kb->s->err);
    if (!*id) {
        snprintf(kb->err, sizeof kb->err, "no entity named '%.200s'", arg);
        return NG_EEMPTY;
    }
    return NG_OK;
}

int ng_kb_query_events(ng_kb *kb, const char *entity, const char *code, size_t limit,
                       int (*write)(void *ctx, const char *p, size_t n), void *ctx)
{
    if (!kb || !write)
        return NG_EINVAL;
    int rc = ng_kb_commit(kb);
    if (rc != NG_OK)
        return rc;
    ng_id id = 0;
    if (entity && *entity && (rc = resolve_entity(kb, entity, &id)) != NG_OK)
        return rc;
    kb->s->err[0] = '\0';
    rc = ng_kb_events_json(kb->s, id, code, limit, write, ctx);
    if (rc != NG_OK)
        kb_fail(kb, rc, kb->s->err);
    return rc;
}

static int write_mem(void *ctx, const char *p, size_t n)
{
    ng_buf *b = ctx;
    ng_buf_put(b, p, n);
    return b->oom ? -1 : 0;
}

/* The entity profile: the backend's object with the entity's events (its
 * first 50, oldest first) added as its last member. */
static int entity_profile(ng_kb *kb, ng_id id, size_t limit, int (*write)(void *ctx, const char *p, size_t n),
                          void *ctx)
{
    ng_kb_store *s = kb->s;
    ng_buf b;
    ng_buf_init(&b);
    int rc = s->ops->query_json(s, NG_KBQ_ENTITY, id, NULL, limit, write_mem, &b);
    while (rc == NG_OK && b.len && (b.p[b.len - 1] == '\n' || b.p[b.len - 1] == ' '))
        b.len--;
    if (rc == NG_OK && (!b.len || b.p[b.len - 1] != '}'))
        rc = ng_kb_store_fail(s, NG_EDB, "malformed entity profile");
    if (rc == NG_OK) {
        b.len--;
        ng_buf_puts(&b, ",\n\"events\":");
        s->err[0] = '\0';
        rc = ng_kb_events_json(s, id, NULL, 50, write_mem, &b);
    }
    if (rc == NG_OK) {
        while (b.len && b.p[b.len - 1] == '\n')
            b.len--;
        ng_buf_puts(&b, "}\n");
        if (b.oom)
            rc = ng_kb_store_fail(s, NG_ENOMEM, "out of memory");
        else if (write(ctx, b.p, b.len) != 0)
            rc = ng_kb_store_fail(s, NG_EIO, "write error");
    }
    if (rc != NG_OK)
        kb_fail(kb, rc, s->err[0] ? s->err : NULL);
    ng_buf_free(&b);
    return rc;
}

int ng_kb_query_json(ng_kb *kb, ng_kb_query kind, const char *arg, size_t limit,
                     int (*write)(void *ctx, const char *p, size_t n), void *ctx)
{
    if (!kb || !write)
        return NG_EINVAL;
    int rc = ng_kb_commit(kb);
    if (rc != NG_OK)
        return rc;
    ng_id id = 0;
    int q = 0;
    switch (kind) {
    case NG_KB_ENTITY:
    case NG_KB_TIMELINE:
        if (!arg || !*arg)
            return kb_fail(kb, NG_EINVAL, "no entity name given");
        if ((rc = ng_link_resolve(kb->linker, kb->s, arg, &id)) != NG_OK)
            return kb_fail(kb, rc, kb->s->err);
        if (!id) {
            snprintf(kb->err, sizeof kb->err, "no entity named '%.200s'", arg);
            return NG_EEMPTY;
        }
        q = kind == NG_KB_ENTITY ? NG_KBQ_ENTITY : NG_KBQ_TIMELINE;
        break;
    case NG_KB_STORY: {
        char *end;
        long long v = arg ? strtoll(arg, &end, 10) : 0;
        if (!arg || *end || v <= 0)
            return kb_fail(kb, NG_EINVAL, "a story is named by its number");
        id = v;
        q = NG_KBQ_STORY;
        break;
    }
    case NG_KB_STORIES: q = NG_KBQ_STORIES; break;
    case NG_KB_QUOTES:
        q = NG_KBQ_QUOTES;
        if (arg && *arg) {
            if ((rc = ng_link_resolve(kb->linker, kb->s, arg, &id)) != NG_OK)
                return kb_fail(kb, rc, kb->s->err);
            if (!id) {
                snprintf(kb->err, sizeof kb->err, "no entity named '%.200s'", arg);
                return NG_EEMPTY;
            }
        }
        break;
    case NG_KB_EVENTS:
        return ng_kb_query_events(kb, arg, NULL, limit, write, ctx);
    case NG_KB_SEARCH:
        if (!arg || !*arg)
            return kb_fail(kb, NG_EINVAL, "nothing to search for");
        q = NG_KBQ_SEARCH;
        break;
    default: return kb_fail(kb, NG_EINVAL, "unknown query");
    }
    if (q == NG_KBQ_ENTITY)
        return entity_profile(kb, id, limit, write, ctx);
    rc = kb->s->ops->query_json(kb->s, q, id, q == NG_KBQ_SEARCH ? arg : NULL, limit, write, ctx);
    if (rc != NG_OK)
        kb_fail(kb, rc, kb->s->err);
    return rc;
}

int ng_kb_query_raw(ng_kb *kb, int q, ng_id id, const char *text, size_t limit,
                    int (*write)(void *ctx, const char *p, size_t n), void *ctx)
{
    if (!kb || !write)
        return NG_EINVAL;
    int rc = ng_kb_commit(kb);
    if (rc != NG_OK)
        return rc;
    if ((q == NG_KBQ_ENTITY || q == NG_KBQ_TIMELINE || (q == NG_KBQ_QUOTES && id > 0))) {
        ng_kb_cand c;
        if ((rc = kb->s->ops->entity_get(kb->s, id, &c)) != NG_OK)
            return kb_fail(kb, rc, kb->s->err);
        if (c.id == 0 || c.ndocs == 0) {
            snprintf(kb->err, sizeof kb->err, "no entity %lld", (long long)id);
            return NG_EEMPTY;
        }
    }
    if (q == NG_KBQ_DOC_EVENTS) {
        kb->s->err[0] = '\0';
        rc = ng_kb_doc_events_json(kb->s, id, text, limit, write, ctx);
    } else {
        rc = kb->s->ops->query_json(kb->s, q, id, text, limit, write, ctx);
    }
    if (rc != NG_OK)
        kb_fail(kb, rc, kb->s->err);
    return rc;
}

int ng_kb_close(ng_kb *kb)
{
    if (!kb)
        return NG_OK;
    int rc = ng_kb_commit(kb);
    kb->s->ops->close(kb->s);
    ng_linker_free(kb->linker);
    free(kb);
    return rc;
}
