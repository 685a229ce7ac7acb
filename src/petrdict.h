/*
 * petrdict.h — readers for PETRARCH / TABARI actor and agent dictionaries.
 *
 * Users who have their own CAMEO dictionaries can load them on top of the
 * built-in ones (--actors FILE, --agents FILE).  These readers turn the
 * text of such a file into a flat list of (phrase, code) entries handed to
 * a callback; they know nothing about matching.  The rules (what is read,
 * what is refused, and where we differ from PETRARCH) are in
 * docs/petrarch-dictionaries.md.
 *
 * Both readers take the whole file in memory (any bytes: they never read
 * past len and never need a NUL), call add() once per entry in file order,
 * and return NG_OK, or an error code with a one-line message in err of the
 * form "line N: reason" (the caller prefixes the file name):
 *   NG_EFORMAT    a malformed line (missing bracket, bad code or date,
 *                 undefined substitution set, comment left open ...)
 *   NG_EENCODING  invalid UTF-8
 *   NG_EBINARY    NUL or other control bytes (not a text file)
 *   NG_ETOOBIG    a line, phrase or substitution expansion over the limits
 *                 below
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

#endif
