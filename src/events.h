/*
 * events.h — the event stage (events.c): CAMEO-coded events (who did what
 * to whom, when and where) found in each sentence from the verb and noun
 * patterns of lang/<code>/event-patterns.txt, the part-of-speech tags
 * (pos.c), the entities (ner.c, coref.c) and the actor dictionaries
 * (lang/common/actors.txt, lang/<code>/agents.txt, and the user's
 * PETRARCH-format files).  docs/events.md describes the method.
 */
#ifndef NG_EVENTS_H
#define NG_EVENTS_H

#include "internal.h"

/* One side of an event. */
typedef struct {
    uint32_t entity;   /* id of the entity, 0 when none is named */
    const char *actor; /* CAMEO actor code ("FRAGOV", "---MIL"), or NULL (doc->arena) */
    ng_span span;      /* the words naming it */
} ng_ev_side;

/* Moods of an event (the record's "mood"). */
enum { NG_MOOD_NONE = 0, NG_MOOD_INTENT, NG_MOOD_HYPOTHETICAL, NG_MOOD_REPORTED };

typedef struct ng_event {
    char code[8];          /* CAMEO event code: "042", "0232" */
    int quad;              /* QuadClass 1-4, 0 when the codebook lacks the code */
    double goldstein;      /* Goldstein scale value */
    ng_ev_side source, target; /* target.entity == 0 && !target.actor: none */
    const char *date;      /* TIMEX3 value of the clause's date, else the article's date, or NULL */
    const char *location;  /* a place named in the clause, or NULL */
    uint32_t sentence;     /* index into doc->sentences */
    ng_span span;          /* the evidence: the sentence */
    ng_span trigger;       /* the head word */
    int negated;
    int mood;              /* NG_MOOD_* */
} ng_event;

/* Shared (language-independent) tables: the CAMEO codebook, named actors,
 * country names, and the user's dictionaries. */
typedef struct ng_evcommon ng_evcommon;

/* Loads the built-in tables and then the user's PETRARCH-format actor,
 * agent and verb files (any may be NULL; the verb patterns apply to
 * English and replace the built-in patterns of the verbs they name).
 * NG_EMODEL with the file and line in err for a bad user file; NG_EIO,
 * NG_ENOMEM. */
int ng_evcommon_load(ng_evcommon **out, const char *actors_file, const char *agents_file, const char *verbs_file,
                     char *err, size_t errlen);
void ng_evcommon_free(ng_evcommon *c);

/* Loads the patterns and word lists of language code; an empty lexicon
 * when the language has none.  NG_EMODEL with the resource and line in
 * err for a bad pattern line. */
int ng_evlex_load(struct ng_evlex **out, const char *code, const ng_evcommon *common, char *err, size_t errlen);
void ng_evlex_free(struct ng_evlex *lx);

void ng_ev_scratch_free(struct ng_ev_scratch *sc);

/* The event stage: fills doc->events.  Reads doc->pos when present,
 * doc->entities, doc->timexes and doc->quotes. */
int ng_events(ng_worker *w, ng_doc *doc);

/* The codebook's QuadClass and Goldstein value for code; 0 when unknown. */
int ng_cameo_lookup(const ng_evcommon *c, const char *code, int *quad, double *goldstein);

#endif
