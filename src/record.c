/*
 * record.c — the article record as JSON (CONTRACT.md), one line or pretty.
 */
#include "events.h"

#include <stdlib.h>
#include <string.h>

static const struct {
    const char *name;
    unsigned bit;
} field_names[] = {
    {"lang", NG_FIELD_LANG},         {"published", NG_FIELD_PUBLISHED}, {"title", NG_FIELD_TITLE},
    {"text", NG_FIELD_TEXT},         {"sentences", NG_FIELD_SENTENCES}, {"url", NG_FIELD_URL},
    {"agencies", NG_FIELD_AGENCIES}, {"tokens", NG_FIELD_TOKENS},
    {"entities", NG_FIELD_ENTITIES},       {"all", NG_FIELD_ALL},
    {"timexes", NG_FIELD_TIMEXES},   {"quantities", NG_FIELD_QUANTITIES},
    {"quotes", NG_FIELD_QUOTES},     {"events", NG_FIELD_EVENTS},
    {"doc", 0},
};

unsigned ng_fields_stages(unsigned fields)
{
    unsigned st = 0;
    if (fields & NG_FIELD_ENTITIES)
        st |= NG_STAGE_ENTITIES;
    if (fields & NG_FIELD_TIMEXES)
        st |= NG_STAGE_TIMEX;
    if (fields & NG_FIELD_QUANTITIES)
        st |= NG_STAGE_QUANTITIES | NG_STAGE_TIMEX; /* dates and years are not quantities */
    if (fields & NG_FIELD_QUOTES)
        st |= NG_STAGE_QUOTES | NG_STAGE_ENTITIES; /* speakers are entities */
    if (fields & NG_FIELD_EVENTS) /* actors are entities (with pronouns), dates are times, moods read quotes */
        st |= NG_STAGE_EVENTS | NG_STAGE_ENTITIES | NG_STAGE_TIMEX | NG_STAGE_QUOTES;
    return st;
}

int ng_fields_parse(const char *list, unsigned *mask)
{
    unsigned m = 0;
    const char *p = list;
    while (*p) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        int found = 0;
        for (size_t i = 0; i < sizeof field_names / sizeof *field_names; i++) {
            if (strlen(field_names[i].name) == n && strncmp(field_names[i].name, p, n) == 0) {
                m |= field_names[i].bit;
                found = 1;
            }
        }
        if (!found && n > 0)
            return NG_EINVAL;
        p += n;
        if (*p == ',')
            p++;
    }
    *mask = m;
    return NG_OK;
}

/* A tiny writer that knows where commas and indentation go. */
typedef struct {
    ng_buf *b;
    int pretty;
    int depth;
    int first; /* no member written yet at this level */
} jw;

static void jw_newline(jw *w)
{
    if (!w->pretty)
        return;
    ng_buf_putc(w->b, '\n');
    for (int i = 0; i < w->depth; i++)
        ng_buf_put(w->b, "  ", 2);
}

static void jw_key(jw *w, const char *key)
{
    if (!w->first)
        ng_buf_putc(w->b, ',');
    w->first = 0;
    jw_newline(w);
    ng_buf_json_str(w->b, key, strlen(key));
    ng_buf_put(w->b, w->pretty ? ": " : ":", w->pretty ? 2 : 1);
}

static void jw_str_or_null(jw *w, const char *key, const char *s)
{
    jw_key(w, key);
    if (s)
        ng_buf_json_str(w->b, s, strlen(s));
    else
        ng_buf_puts(w->b, "null");
}

/* Writes v in decimal at o (10 bytes room); returns the end.  Spans are
 * most of a record's numbers, and printf would cost more than the rest of
 * the record. */
static char *put_u32(char *o, uint32_t v)
{
    char tmp[10];
    int k = 0;
    do {
        tmp[k++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (k)
        *o++ = tmp[--k];
    return o;
}

/* Appends v in decimal to b. */
static void buf_u32(ng_buf *b, uint32_t v)
{
    char tmp[10];
    ng_buf_put(b, tmp, (size_t)(put_u32(tmp, v) - tmp));
}

static void jw_spans(jw *w, const char *key, const void *base, size_t n, size_t stride)
{
    jw_key(w, key);
    ng_buf_putc(w->b, '[');
    /* room for every span at once: ", [4294967295,4294967295]" is 26 bytes */
    if (n > (SIZE_MAX / 4) / 26 || ng_buf_reserve(w->b, n * 26) != 0) {
        w->b->oom = 1;
        return;
    }
    char *o = w->b->p + w->b->len;
    for (size_t i = 0; i < n; i++) {
        const ng_span *s = (const ng_span *)((const char *)base + i * stride);
        if (i) {
            *o++ = ',';
            if (w->pretty)
                *o++ = ' ';
        }
        *o++ = '[';
        o = put_u32(o, s->start);
        *o++ = ',';
        o = put_u32(o, s->end);
        *o++ = ']';
    }
    w->b->len = (size_t)(o - w->b->p);
    w->b->p[w->b->len] = '\0';
    ng_buf_putc(w->b, ']');
}

/* "entities": [{"id","type","name","mentions":[{"span":[s,e],"text"}],"titles":[...],"country"}] */
static void write_entities(jw *w, const ng_doc *d)
{
    ng_buf *b = w->b;
    const char *sep = w->pretty ? ", " : ",";
    jw_key(w, "entities");
    ng_buf_putc(b, '[');
    for (size_t i = 0; i < d->nentities; i++) {
        const ng_entity *e = &d->entities[i];
        ng_buf_puts(b, i ? sep : "");
        ng_buf_puts(b, "{\"id\":");
        buf_u32(b, e->id);
        ng_buf_puts(b, ",\"type\":");
        ng_buf_json_str(b, e->type, strlen(e->type));
        ng_buf_puts(b, ",\"name\":");
        ng_buf_json_str(b, e->name, strlen(e->name));
        ng_buf_puts(b, ",\"mentions\":[");
        for (size_t k = 0; k < e->nmentions; k++) {
            const ng_mention *m = &e->mentions[k];
            ng_buf_puts(b, k ? ",{\"span\":[" : "{\"span\":[");
            buf_u32(b, m->span.start);
            ng_buf_putc(b, ',');
            buf_u32(b, m->span.end);
            ng_buf_puts(b, "],\"text\":");
            ng_buf_json_str(b, m->text, strlen(m->text));
            if (m->kind == NG_MENTION_PRONOUN)
                ng_buf_puts(b, ",\"kind\":\"pronoun\"");
            else if (m->kind == NG_MENTION_NOMINAL)
                ng_buf_puts(b, ",\"kind\":\"nominal\"");
            ng_buf_putc(b, '}');
        }
        ng_buf_puts(b, "],\"titles\":[");
        for (size_t k = 0; k < e->ntitles; k++) {
            if (k)
                ng_buf_putc(b, ',');
            ng_buf_json_str(b, e->titles[k], strlen(e->titles[k]));
        }
        ng_buf_puts(b, "],\"country\":");
        if (e->country)
            ng_buf_json_str(b, e->country, strlen(e->country));
        else
            ng_buf_puts(b, "null");
        ng_buf_putc(b, '}');
    }
    ng_buf_putc(b, ']');
}

/* Opens the i-th object of an array of spans: '{', the separator before it,
 * then "span":[s,e],"text":... (the text's bytes at the span). */
static void put_span_open(jw *w, const ng_doc *d, size_t i, ng_span span)
{
    ng_buf *b = w->b;
    ng_buf_puts(b, i ? (w->pretty ? ", {\"span\":[" : ",{\"span\":[") : "{\"span\":[");
    buf_u32(b, span.start);
    ng_buf_putc(b, ',');
    buf_u32(b, span.end);
    ng_buf_puts(b, "],\"text\":");
    ng_buf_json_str(b, d->text + span.start, span.end - span.start);
}

/* "timexes": [{"span":[s,e],"text","type","value"[,"mod"]}] */
static void write_timexes(jw *w, const ng_doc *d)
{
    ng_buf *b = w->b;
    jw_key(w, "timexes");
    ng_buf_putc(b, '[');
    for (size_t i = 0; i < d->ntimexes; i++) {
        const ng_time_expr *t = &d->timexes[i];
        put_span_open(w, d, i, t->span);
        ng_buf_puts(b, ",\"type\":");
        ng_buf_json_str(b, t->type, strlen(t->type));
        ng_buf_puts(b, ",\"value\":");
        ng_buf_json_str(b, t->value, strlen(t->value));
        if (t->mod) {
            ng_buf_puts(b, ",\"mod\":");
            ng_buf_json_str(b, t->mod, strlen(t->mod));
        }
        ng_buf_putc(b, '}');
    }
    ng_buf_putc(b, ']');
}

static void put_str_or_null(ng_buf *b, const char *key, const char *s)
{
    ng_buf_puts(b, ",\"");
    ng_buf_puts(b, key);
    ng_buf_puts(b, "\":");
    if (s)
        ng_buf_json_str(b, s, strlen(s));
    else
        ng_buf_puts(b, "null");
}

/* "quantities": [{"span","text","value","unit","per"[,"noun"][,"mod"]}] */
static void write_quantities(jw *w, const ng_doc *d)
{
    ng_buf *b = w->b;
    jw_key(w, "quantities");
    ng_buf_putc(b, '[');
    for (size_t i = 0; i < d->nquantities; i++) {
        const ng_quantity *q = &d->quantities[i];
        put_span_open(w, d, i, q->span);
        double v = q->value;
        if (v >= 0 && v <= 4294967295.0 && v == (double)(uint32_t)v) {
            ng_buf_puts(b, ",\"value\":");
            buf_u32(b, (uint32_t)v);
        } else if (v == (double)(long long)v && v > -1e15 && v < 1e15)
            ng_buf_printf(b, ",\"value\":%lld", (long long)v);
        else if (v == v && v - v == 0)
            ng_buf_printf(b, ",\"value\":%.10g", v);
        else
            ng_buf_puts(b, ",\"value\":null");
        put_str_or_null(b, "unit", q->unit);
        put_str_or_null(b, "per", q->per);
        if (q->noun)
            put_str_or_null(b, "noun", q->noun);
        if (q->mod)
            put_str_or_null(b, "mod", q->mod);
        ng_buf_putc(b, '}');
    }
    ng_buf_putc(b, ']');
}

/* "quotes": [{"span":[s,e],"text","speaker"[,"speaker_text"],"cue","direct"}] */
static void write_quotes(jw *w, const ng_doc *d)
{
    ng_buf *b = w->b;
    jw_key(w, "quotes");
    ng_buf_putc(b, '[');
    for (size_t i = 0; i < d->nquotes; i++) {
        const ng_quote *q = &d->quotes[i];
        put_span_open(w, d, i, q->span);
        ng_buf_puts(b, ",\"speaker\":");
        if (q->speaker)
            buf_u32(b, q->speaker);
        else
            ng_buf_puts(b, "null");
        if (q->speaker_text) {
            ng_buf_puts(b, ",\"speaker_text\":");
            ng_buf_json_str(b, q->speaker_text, strlen(q->speaker_text));
        }
        put_str_or_null(b, "cue", q->cue);
        ng_buf_puts(b, q->direct ? ",\"direct\":true}" : ",\"direct\":false}");
    }
    ng_buf_putc(b, ']');
}

static void put_side(ng_buf *b, const char *key, const ng_ev_side *s)
{
    ng_buf_puts(b, ",\"");
    ng_buf_puts(b, key);
    ng_buf_puts(b, "\":");
    if (!s->entity && !s->actor) {
        ng_buf_puts(b, "null");
        return;
    }
    ng_buf_puts(b, "{\"entity\":");
    if (s->entity)
        buf_u32(b, s->entity);
    else
        ng_buf_puts(b, "null");
    put_str_or_null(b, "actor", s->actor);
    ng_buf_puts(b, ",\"span\":[");
    buf_u32(b, s->span.start);
    ng_buf_putc(b, ',');
    buf_u32(b, s->span.end);
    ng_buf_puts(b, "]}");
}

/* "events": [{"code","quad","goldstein","source","target","date","location",
 * "sentence","span","trigger","negated","mood"}] */
static void write_events(jw *w, const ng_doc *d)
{
    static const char *const moods[] = {NULL, "intent", "hypothetical", "reported"};
    ng_buf *b = w->b;
    jw_key(w, "events");
    ng_buf_putc(b, '[');
    for (size_t i = 0; i < d->nevents; i++) {
        const ng_event *e = &d->events[i];
        ng_buf_puts(b, i ? (w->pretty ? ", {\"code\":" : ",{\"code\":") : "{\"code\":");
        ng_buf_json_str(b, e->code, strlen(e->code));
        if (e->quad)
            ng_buf_printf(b, ",\"quad\":%d,\"goldstein\":%.1f", e->quad, e->goldstein);
        put_side(b, "source", &e->source);
        put_side(b, "target", &e->target);
        put_str_or_null(b, "date", e->date);
        put_str_or_null(b, "location", e->location);
        ng_buf_puts(b, ",\"sentence\":");
        buf_u32(b, e->sentence);
        ng_buf_puts(b, ",\"span\":[");
        buf_u32(b, e->span.start);
        ng_buf_putc(b, ',');
        buf_u32(b, e->span.end);
        ng_buf_puts(b, "],\"trigger\":");
        ng_buf_json_str(b, d->text + e->trigger.start, e->trigger.end - e->trigger.start);
        ng_buf_puts(b, e->negated ? ",\"negated\":true" : ",\"negated\":false");
        put_str_or_null(b, "mood", e->mood > 0 && e->mood < 4 ? moods[e->mood] : NULL);
        ng_buf_putc(b, '}');
    }
    ng_buf_putc(b, ']');
}

int ng_doc_json(const ng_doc *d, unsigned fields, int pretty, char **out, size_t *outlen)
{
    *out = NULL;
    ng_buf b;
    ng_buf_init(&b);
    ng_buf_reserve(&b, d->text_len * 2 + 1024);
    jw w = {&b, pretty, 1, 1};
    ng_buf_putc(&b, '{');
    jw_str_or_null(&w, "doc", d->id);
    if (fields & NG_FIELD_URL && d->url)
        jw_str_or_null(&w, "url", d->url);
    if (fields & NG_FIELD_LANG)
        jw_str_or_null(&w, "lang", d->lang[0] ? d->lang : NULL);
    if (fields & NG_FIELD_PUBLISHED) {
        jw_key(&w, "published");
        if (d->published) {
            ng_buf_puts(&b, pretty ? "{\"value\": " : "{\"value\":");
            ng_buf_json_str(&b, d->published, strlen(d->published));
            ng_buf_puts(&b, pretty ? ", \"from\": " : ",\"from\":");
            const char *from = d->published_from ? d->published_from : NG_FROM_TEXT;
            ng_buf_json_str(&b, from, strlen(from));
            ng_buf_putc(&b, '}');
        } else {
            ng_buf_puts(&b, "null");
        }
    }
    if (fields & NG_FIELD_TITLE)
        jw_str_or_null(&w, "title", d->title);
    if (fields & NG_FIELD_AGENCIES) {
        jw_key(&w, "agencies");
        ng_buf_putc(&b, '[');
        for (size_t i = 0; i < d->nagencies; i++) {
            if (i)
                ng_buf_putc(&b, ',');
            ng_buf_json_str(&b, d->agencies[i], strlen(d->agencies[i]));
        }
        ng_buf_putc(&b, ']');
    }
    if (fields & NG_FIELD_TEXT) {
        jw_key(&w, "text");
        ng_buf_json_str(&b, d->text ? d->text : "", d->text_len);
    }
    if (fields & NG_FIELD_SENTENCES)
        jw_spans(&w, "sentences", d->sentences, d->nsentences, sizeof *d->sentences);
    if (fields & NG_FIELD_TOKENS)
        jw_spans(&w, "tokens", d->tokens, d->ntokens, sizeof *d->tokens);
    if (fields & NG_FIELD_ENTITIES)
        write_entities(&w, d);
    if (fields & NG_FIELD_TIMEXES)
        write_timexes(&w, d);
    if (fields & NG_FIELD_QUANTITIES)
        write_quantities(&w, d);
    if (fields & NG_FIELD_QUOTES)
        write_quotes(&w, d);
    if (fields & NG_FIELD_EVENTS)
        write_events(&w, d);
    w.depth = 0;
    jw_newline(&w);
    ng_buf_putc(&b, '}');
    *out = ng_buf_take(&b, outlen);
    return *out ? NG_OK : NG_ENOMEM;
}

int ng_error_json(const char *id, const char *message, char **out, size_t *outlen)
{
    ng_buf b;
    ng_buf_init(&b);
    ng_buf_puts(&b, "{\"doc\":");
    ng_buf_json_str(&b, id ? id : "-", id ? strlen(id) : 1);
    ng_buf_puts(&b, ",\"error\":");
    ng_buf_json_str(&b, message ? message : "", message ? strlen(message) : 0);
    ng_buf_putc(&b, '}');
    *out = ng_buf_take(&b, outlen);
    return *out ? NG_OK : NG_ENOMEM;
}
