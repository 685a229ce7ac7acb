/*
 * petrdict.h — readers for PETRARCH / TABARI actor, agent and verb
 * dictionaries.
 *
 * Users who have their own CAMEO dictionaries can load them on top of the
 * built-in ones (--actors FILE, --agents FILE, --verbs FILE).  The actor
 * and agent readers turn the text of such a file into a flat list of
 * (phrase, code) entries handed to a callback; the verb reader turns a verb
 * dictionary into pattern lines in newsgraph's own format
 * (docs/events.md, "The pattern files").  They know nothing about
 * matching.  The rules (what is read, what is refused, and where we differ
 * from PETRARCH) are in docs/petrarch-dictionaries.md.
 *
 * All readers take the whole file in memory (any bytes: they never read
 * past len and never need a NUL), call add() once per entry (the verb
 * reader: per pattern, in the order described below),
 * and return NG_OK, or an error code with a one-line message in err of the
 * form "line N: reason" (the caller prefixes the file name):
 *   NG_EFORMAT    a malformed line (missing bracket, bad code or date,
 *                 undefined substitution set, comment left open ...)
 *   NG_EENCODING  invalid UTF-8
 *   NG_EBINARY    NUL or other control bytes (not a text file)
 *   NG_ETOOBIG    a line, phrase, pattern or substitution / synset
 *                 expansion over the limits below
 *   NG_ENOMEM     out of memory
 *   NG_EINVAL     data or add is NULL
 *   any other     what add() returned to stop the reading
 * A malformed line is an error, not skipped: silently dropping a line of a
 * user's dictionary is worse than refusing the file.  Entries already
 * handed to add() before an error stay with the caller.
 */
#ifndef NG_PETRDICT_H
#define NG_PETRDICT_H

#include <stddef.h>

#include "newsgraph.h"

/* ng_petr_entry.kind */
enum {
    NG_PETR_ACTOR = 1,        /* an actor: code is the full actor code */
    NG_PETR_AGENT_SUFFIX = 2, /* "[~GOV]": the role goes after the actor's code (USA + GOV) */
    NG_PETR_AGENT_PREFIX = 3  /* "[NGO~]": the role goes before it (NGO + USA) */
};

/* Limits.  Going over one is an NG_ETOOBIG error naming the line. */
#define NG_PETR_MAX_LINE 65536     /* bytes in one physical line */
#define NG_PETR_MAX_PHRASE 1024    /* bytes in one phrase once normalised */
#define NG_PETR_MAX_EXPANSION 1024        /* phrases one agent line may expand to through !SETS! */
#define NG_PETR_MAX_EXPANSION_FILE 100000 /* ... and a whole agent file */
/* Verbs: a pattern line may expand to NG_PETR_MAX_EXPANSION variants through
 * synsets and {A|B} alternatives, a file to NG_PETR_MAX_EXPANSION_FILE; and: */
#define NG_PETR_MAX_SYNSET 4096          /* members in one synset (nested ones included) */
#define NG_PETR_MAX_SYNSET_FILE 100000   /* members in all the synsets of a file */
#define NG_PETR_MAX_PATTERNS 1000000     /* patterns given for a whole verb file */

/* One entry: a phrase and the code it gives.  The strings live only for the
 * duration of the add() call: copy what you keep. */
typedef struct {
    /* The words, case-folded with utf8proc (NFC), joined by single spaces;
     * '_' in the file is a word separator like a space:
     * "PRESIDENT_GEORGE_W._BUSH" -> "president george w. bush". */
    const char *phrase;
    /* Uppercased.  Actor: "USAGOV", "IMGMOSALQ", "USA/CAN" (TABARI's
     * several-actors code, left joined), or "" for TABARI's explicit null
     * code [---] (the phrase is known and codes nothing).  Agent: the role
     * without its tilde: "GOV", "GOVFRM". */
    const char *code;
    int kind; /* NG_PETR_ACTOR, NG_PETR_AGENT_SUFFIX or NG_PETR_AGENT_PREFIX */
    /* 1: the phrase's last word is a TABARI stem and matches any word that
     * begins with it ("argentin" matches Argentina, Argentine).  Actors
     * only, when the name does not end in '_'.  0: every word must match
     * exactly (names ending in '_', and all agents, whose plurals are
     * generated here). */
    int prefix;
    unsigned line; /* 1-based line of the name in the file */
    /* Actors: every date-restricted code of the name, "CODE:FROM-TO;" with
     * FROM and TO as yyyymmdd days, inclusive (0 and 99999999 where the
     * restriction is open: "[HOB <950601]" is "HOB:0-19950531;"), so that
     * a caller can code an article by its date; "" when there are none.
     * code is still the one to use when the date is unknown. */
    const char *dated;
} ng_petr_entry;

/* Returns NG_OK to go on, else the (negative) code to stop with. */
typedef int (*ng_petr_add_fn)(void *ctx, const ng_petr_entry *e);

/* An actor dictionary: "NAME [CODE]" records, "+SYNONYM" lines and
 * indented "[CODE date-restriction]" lines.  A name with several codes gets
 * its undated code when it has one, else the code of its most recent date
 * restriction (see the docs).  kind is always NG_PETR_ACTOR. */
int ng_petr_read_actors(const char *data, size_t len, ng_petr_add_fn add, void *ctx, char *err, size_t errlen);

/* An agent dictionary: "NAME {PLURALS} [~CODE]" or "[CODE~]" records and
 * "!SET! = A, B" substitution sets.  Each name gives its singular and its
 * plural(s) as separate entries; prefix is always 0. */
int ng_petr_read_agents(const char *data, size_t len, ng_petr_add_fn add, void *ctx, char *err, size_t errlen);

/* ---- verbs ---------------------------------------------------------------- */

/* One pattern of a verb dictionary, ready for the event engine's pattern
 * parser as the columns CODE<TAB>PATTERN[<TAB>FLAGS].  The strings live only
 * for the duration of the call: copy what you keep. */
typedef struct {
    /* The CAMEO code as written: 2 to 4 digits with at most one letter after
     * them ("064", "1721", "174K"; a trailing '?' of an unsure coder is
     * dropped), or "" for a null code ([---], [+++], [###], [xxx] ...): the
     * phrase is known and codes nothing.  Also "" when only the second half
     * of a paired code is given ("[:173]"). */
    const char *code;
    /* Space-separated items with exactly one head "V:lemma" (one verb per
     * pattern: a block of synonyms gives one pattern per verb), literal
     * words (case-folded, "a|b" alternatives) before and after it in text
     * order, and the slots "+" (target) and "$" (source), only after the
     * head.  "V:restore diplomatic", "not V:restore relations",
     * "V:cordon off for construction", "V:free from $". */
    const char *pattern;
    unsigned line; /* 1-based line of the pattern (or of the verb) in the file */
    /* The second half of a paired code "[A:B]", "" when there is none.  In
     * TABARI / PETRARCH 1 dictionaries (and PETRARCH's validation files) it
     * is the code of the event going back from the target to the source
     * ("ARRIVE [032:033]": X arrives in Y = X 032 Y and Y 033 X; "[031:031]"
     * a meeting coded both ways); PETRARCH 2 reads it as the code when the
     * verb is passive.  Same rules as code. */
    const char *code2;
    /* newsgraph pattern flags: "sym" when the pattern had PETRARCH's
     * compound-actor marker '%' before the verb ("% * TALKS": X and Y held
     * talks), else "". */
    const char *flags;
} ng_petr_pattern;

/* Return NG_OK to go on, else the (negative) code to stop with. */
typedef int (*ng_petr_pattern_fn)(void *ctx, const ng_petr_pattern *p);
/* A listed form of a verb ("broke" of "break"), both case-folded words. */
typedef int (*ng_petr_form_fn)(void *ctx, const char *form, const char *lemma);

/* A PETRARCH (1 or 2) or TABARI verb dictionary: "&NAME" synsets with their
 * "+member" lines, "--- NAME [CODE] ---" blocks of verb lines ("VERB {FORMS}
 * [CODE]", "+CORDON_OFF", "WIRE_+TAP") and pattern lines ("- WORDS * WORDS
 * [CODE]").  Each verb gives its bare pattern "V:lemma" with its own code
 * (else the block's), then each pattern line of its block gives one pattern
 * per verb of the block and per synset variant.  Blocks are given when they
 * end (at the next header or the end of the file); in each block the bare
 * verbs come first, then the patterns in file order, each over the verbs
 * in file order.  add_form (may be NULL) gets the forms listed in {...}.
 * The mapping, and what is dropped, is in docs/petrarch-dictionaries.md. */
int ng_petr_read_verbs(const char *data, size_t len, ng_petr_pattern_fn add_pattern, ng_petr_form_fn add_form,
                       void *ctx, char *err, size_t errlen);

#endif
