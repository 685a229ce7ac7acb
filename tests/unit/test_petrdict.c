/*
 * test_petrdict.c — the PETRARCH / TABARI actor, agent and verb dictionary
 * readers (petrdict.c): small dictionaries written here, one rule each,
 * with the exact entries (or pattern lines) they must give; every kind of
 * malformed line refused with its line number; and, when ../shared is
 * there, the PETRARCH validation dictionaries read whole.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "petrdict.h"

/* ---- collecting entries ---------------------------------------------------- */

typedef struct {
    char *phrase, *code;
    int kind, prefix;
    unsigned line;
} entry;

typedef struct {
    entry *v;
    size_t n, cap;
    size_t stop_at; /* when > 0: refuse the entry with this number (1-based) */
} list;

static int collect(void *ctx, const ng_petr_entry *e)
{
    list *l = ctx;
    if (l->stop_at && l->n + 1 == l->stop_at)
        return NG_ENOMEM;
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->v = realloc(l->v, l->cap * sizeof *l->v);
        assert_non_null(l->v);
    }
    assert_non_null(e->phrase);
    assert_non_null(e->code);
    entry *x = &l->v[l->n++];
    x->phrase = strdup(e->phrase);
    x->code = strdup(e->code);
    x->kind = e->kind;
    x->prefix = e->prefix;
    x->line = e->line;
    return NG_OK;
}

static void list_free(list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].phrase);
        free(l->v[i].code);
    }
    free(l->v);
    memset(l, 0, sizeof *l);
}

static char err[512];

static int actors(list *l, const char *text)
{
    memset(l, 0, sizeof *l);
    return ng_petr_read_actors(text, strlen(text), collect, l, err, sizeof err);
}

static int agents(list *l, const char *text)
{
    memset(l, 0, sizeof *l);
    return ng_petr_read_agents(text, strlen(text), collect, l, err, sizeof err);
}

/* Entry i is exactly this. */
static void expect(const list *l, size_t i, const char *phrase, const char *code, int kind, int prefix, unsigned line)
{
    if (i >= l->n)
        fail_msg("entry %zu missing (%zu entries)", i, l->n);
    const entry *e = &l->v[i];
    if (strcmp(e->phrase, phrase) || strcmp(e->code, code) || e->kind != kind || e->prefix != prefix ||
        e->line != line)
        fail_msg("entry %zu is ('%s' [%s] kind %d prefix %d line %u), expected ('%s' [%s] kind %d prefix %d line %u)",
                 i, e->phrase, e->code, e->kind, e->prefix, e->line, phrase, code, kind, prefix, line);
}

static const entry *find(const list *l, const char *phrase)
{
    for (size_t i = 0; i < l->n; i++)
        if (!strcmp(l->v[i].phrase, phrase))
            return &l->v[i];
    return NULL;
}

/* The reader refuses text with rc, and its message names the line and
 * says words. */
static void refused(int (*rd)(list *, const char *), const char *text, int rc, unsigned line, const char *words)
{
    list l;
    int got = rd(&l, text);
    list_free(&l);
    if (got != rc)
        fail_msg("rc %d (%s), expected %d, for: %s", got, err, rc, text);
    char want[32];
    snprintf(want, sizeof want, "line %u: ", line);
    if (strncmp(err, want, strlen(want)) != 0 || !strstr(err, words))
        fail_msg("message '%s' should start with '%s' and say '%s'", err, want, words);
    if (strchr(err, '\n'))
        fail_msg("message '%s' is not one line", err);
}

#define A NG_PETR_ACTOR
#define SUF NG_PETR_AGENT_SUFFIX
#define PRE NG_PETR_AGENT_PREFIX

/* ---- actors ----------------------------------------------------------------- */

static void actor_names(void **state)
{
    (void)state;
    list l;
    assert_int_equal(actors(&l, "NORTHMARCH [NMC]\n"
                                "CHANCELLOR_ADA_B._MORVEN [NMCGOV]\n"
                                "VELDORA_  [VLD]\n"
                                "KESTRELIAN [kst]\n"
                                "IRON_LEGION\t\t[IRNMIL]\n"
                                "RIVER   GUARD [RVGMIL]\n"
                                "OLD_HARBOUR_\t[OHB]\n"
                                "SILVER_COAST  [SLV] # added by hand\n"),
                     NG_OK);
    assert_int_equal(l.n, 8);
    expect(&l, 0, "northmarch", "NMC", A, 1, 1);
    expect(&l, 1, "chancellor ada b. morven", "NMCGOV", A, 1, 2);
    expect(&l, 2, "veldora", "VLD", A, 0, 3); /* trailing '_': exact */
    expect(&l, 3, "kestrelian", "KST", A, 1, 4);
    expect(&l, 4, "iron legion", "IRNMIL", A, 1, 5);
    expect(&l, 5, "river guard", "RVGMIL", A, 1, 6);
    expect(&l, 6, "old harbour", "OHB", A, 0, 7);
    expect(&l, 7, "silver coast", "SLV", A, 1, 8);
    list_free(&l);

    /* case folding is Unicode's, not ASCII's */
    assert_int_equal(actors(&l, "\xC3\x89MILE_ZOLA_ [FRAELI]\nSTRA\xC3\x9F" "E [DEU]\n"), NG_OK);
    assert_int_equal(l.n, 2);
    expect(&l, 0, "\xC3\xA9mile zola", "FRAELI", A, 0, 1);
    expect(&l, 1, "strasse", "DEU", A, 1, 2);
    list_free(&l);
}

static void actor_synonyms(void **state)
{
    (void)state;
    list l;
    /* synonyms share the code of the name above, whether it comes on the
     * name's line or on indented lines after the synonyms */
    assert_int_equal(actors(&l, "VELDORA [VLD]\n"
                                "+VELDORAN\n"
                                "+THE_VELDORANS_ # a comment\n"
                                "\n"
                                "THE_WANDERER  # code below\n"
                                "+GREY_PILGRIM\n"
                                "\t[WDR]\n"
                                "OAKHEART  \n"
                                "\t[OAK]\n"),
                     NG_OK);
    assert_int_equal(l.n, 6);
    expect(&l, 0, "veldora", "VLD", A, 1, 1);
    expect(&l, 1, "veldoran", "VLD", A, 1, 2);
    expect(&l, 2, "the veldorans", "VLD", A, 0, 3);
    expect(&l, 3, "the wanderer", "WDR", A, 1, 5);
    expect(&l, 4, "grey pilgrim", "WDR", A, 1, 6);
    expect(&l, 5, "oakheart", "OAK", A, 1, 8);
    list_free(&l);
}

/* Which code a name with dated codes gets: its undated one, else the most
 * recent restriction. */
static const char *code_of(const char *text)
{
    static char code[64];
    list l;
    int rc = actors(&l, text);
    if (rc != NG_OK)
        fail_msg("refused (%s): %s", err, text);
    if (l.n != 1)
        fail_msg("%zu entries for: %s", l.n, text);
    snprintf(code, sizeof code, "%s", l.v[0].code);
    list_free(&l);
    return code;
}

static void actor_dates(void **state)
{
    (void)state;
    /* the undated code wins, before or after the dated ones */
    assert_string_equal(code_of("MAYOR_TOBIAS [NMC]\n\t[NMCCIV <20050301]\n\t[NMCGOV >20170704]\n"), "NMC");
    assert_string_equal(code_of("NEW_VELDORA\n\t[OVD <850101]\n\t[NVD]#changed name\n"), "NVD");
    assert_string_equal(code_of("X\n\t[A]\n\t[B]\n"), "B"); /* a later default replaces an earlier one */
    /* else the most recent: an open end (>date) beats any closed one ... */
    assert_string_equal(code_of("GOVERNOR_LUND\n\t[LNDA < 930301]\n\t[LNDC > 980701]\n"
                                "\t[LNDB 19930301 - 19980630]\n"),
                        "LNDC");
    assert_string_equal(code_of("Q\n\t[B >800101]\n\t[A 900101-]\n"), "A"); /* "date-" is open too, and later */
    assert_string_equal(code_of("Q\n\t[A 900101-]\n\t[B >800101]\n"), "A");
    /* ... and among closed ones the latest end */
    assert_string_equal(code_of("X\n\t[A 900101-901231]\n\t[B <20000101]\n\t[C 950101-960101]\n"), "B");
    assert_string_equal(code_of("X\n\t[A -20000101]\n\t[B <19991231]\n"), "A");
    /* YYMMDD: 00-30 are 20YY, the rest 19YY */
    assert_string_equal(code_of("Y\n\t[A <291231]\n\t[B <310101]\n"), "A");
    assert_string_equal(code_of("Y\n\t[A <20291231]\n\t[B <300101]\n"), "B");
    /* a dated code on the name's own line */
    assert_string_equal(code_of("OLD_KINGDOM [OKG <880412]\n"), "OKG");
    /* the null code can be dated too */
    assert_string_equal(code_of("DUKE\n\t[--- <870515]\n\t[DKE]\n"), "DKE");
    assert_string_equal(code_of("DUKE\n\t[--- >870515]\n\t[DKE <870515]\n"), "");
    /* 29 February only in leap years */
    assert_string_equal(code_of("L\n\t[A <20000229]\n"), "A");
    refused(actors, "L\n\t[A <19000229]\n", NG_EFORMAT, 2, "bad date '19000229'");
}

static void actor_special_codes(void **state)
{
    (void)state;
    list l;
    assert_int_equal(actors(&l, "NOBODY_IN_PARTICULAR  [---]\nWILDCARD  [+++]\nTWIN_TOWNS  [NMC/VLD]\n"
                                "THE_TRIO [abc/def/ghi]\n"),
                     NG_OK);
    assert_int_equal(l.n, 4);
    expect(&l, 0, "nobody in particular", "", A, 1, 1); /* explicit null code */
    expect(&l, 1, "wildcard", "+++", A, 1, 2);
    expect(&l, 2, "twin towns", "NMC/VLD", A, 1, 3);
    expect(&l, 3, "the trio", "ABC/DEF/GHI", A, 1, 4);
    list_free(&l);
}

static void comments_and_layout(void **state)
{
    (void)state;
    list l;
    assert_int_equal(actors(&l, "\xEF\xBB\xBF<!-- HEADER -->\r\n"
                                "<!-- a block\r\n"
                                "NOT_A_NAME [XXX]\r\n"
                                "# -->\r\n"
                                "<! -- TABARI style header line -->\r\n"
                                "KESTREL  [KST] #ab   1/2/03\r\n"
                                "MARROW [MRW]; old KEDS comment\r"
                                "ASHFORD <!-- inline --> [ASH]\n"
                                "   \t  \n"
                                "#OLDNAME  [###]\n"
                                "BRIGHTWATER [BRW]#no space\n"
                                "  ELMSTEAD [ELM]   \n"
                                "---STOP---\n"
                                "AFTER_STOP [ZZZ]\n"),
                     NG_OK);
    assert_int_equal(l.n, 5);
    expect(&l, 0, "kestrel", "KST", A, 1, 6);
    expect(&l, 1, "marrow", "MRW", A, 1, 7); /* a lone CR ends a line */
    expect(&l, 2, "ashford", "ASH", A, 1, 8);
    expect(&l, 3, "brightwater", "BRW", A, 1, 11);
    expect(&l, 4, "elmstead", "ELM", A, 1, 12);
    list_free(&l);

    /* nothing but comments, or nothing at all */
    assert_int_equal(actors(&l, "<!-- x -->\n# y\n\n"), NG_OK);
    assert_int_equal(l.n, 0);
    list_free(&l);
    assert_int_equal(actors(&l, ""), NG_OK);
    assert_int_equal(l.n, 0);
    list_free(&l);
    assert_int_equal(agents(&l, "\xEF\xBB\xBF"), NG_OK);
    assert_int_equal(l.n, 0);
    list_free(&l);
    assert_int_equal(ng_petr_read_actors(NULL, 0, collect, &l, err, sizeof err), NG_OK);
    assert_int_equal(ng_petr_read_actors("X [Y]", 5, NULL, NULL, err, sizeof err), NG_EINVAL);
    assert_int_equal(ng_petr_read_agents(NULL, 3, collect, &l, err, sizeof err), NG_EINVAL);
    /* no error buffer is fine */
    assert_int_equal(ng_petr_read_actors("X [Y", 4, collect, &l, NULL, 0), NG_EFORMAT);
    list_free(&l);
}

static void actor_errors(void **state)
{
    (void)state;
    refused(actors, "FOO [X\n", NG_EFORMAT, 1, "missing ']'");
    refused(actors, "A [X]\nFOO\nBAR [Y]\n", NG_EFORMAT, 2, "'foo' has no code");
    refused(actors, "FOO\n", NG_EFORMAT, 1, "has no code");
    refused(actors, "+BAR\n", NG_EFORMAT, 1, "synonym line");
    refused(actors, "\t[X]\n", NG_EFORMAT, 1, "code line with no name");
    refused(actors, "A [X]\n+B [Y]\n", NG_EFORMAT, 2, "takes no code");
    refused(actors, "A [X] junk\n", NG_EFORMAT, 1, "unexpected text");
    refused(actors, "A [X [Y]]\n", NG_EFORMAT, 1, "'[' inside");
    refused(actors, "A []\n", NG_EFORMAT, 1, "empty code");
    refused(actors, "A {B} [X]\n", NG_EFORMAT, 1, "unexpected '{'");
    refused(actors, "A ] [X]\n", NG_EFORMAT, 1, "unexpected ']'");
    refused(actors, "A\n+\n\t[X]\n", NG_EFORMAT, 2, "empty name");
    refused(actors, "A\n\t[880101-891231]\n", NG_EFORMAT, 2, "bad code"); /* dates but no code */
    refused(actors, "A\n\t[ABC880101-891231]\n", NG_EFORMAT, 2, "bad code");
    refused(actors, "A [US$]\n", NG_EFORMAT, 1, "bad code");
    refused(actors, "A [/US]\n", NG_EFORMAT, 1, "bad code");
    refused(actors, "A [X 991399]\n", NG_EFORMAT, 1, "bad date restriction");
    refused(actors, "A [X <991399]\n", NG_EFORMAT, 1, "bad date '991399'");
    refused(actors, "A [X >9901]\n", NG_EFORMAT, 1, "bad date");
    refused(actors, "A [X 990101-980101]\n", NG_EFORMAT, 1, "ends before it begins");
    refused(actors, "A [X - ]\n", NG_EFORMAT, 1, "no dates");
    refused(actors, "A [X]\n<!-- open\nB [Y]\n", NG_EFORMAT, 2, "never closed");
    refused(actors, "A [X]\nB [Y] -->\n", NG_EFORMAT, 2, "without an opening");
    refused(actors, "A [X]\nB\xFF [Y]\n", NG_EENCODING, 2, "invalid UTF-8");
    refused(actors, "A [X]\n\xC3(\n", NG_EENCODING, 2, "invalid UTF-8");
    refused(actors, "A [X]\n# \xED\xA0\x80 surrogate in a comment\n", NG_EENCODING, 2, "invalid UTF-8");
    refused(actors, "A [X]\n\x01\x02\x03\n", NG_EBINARY, 2, "control byte 0x01");
    {
        const char bin[] = "A [X]\nB\0[Y]\n";
        list l;
        memset(&l, 0, sizeof l);
        assert_int_equal(ng_petr_read_actors(bin, sizeof bin - 1, collect, &l, err, sizeof err), NG_EBINARY);
        assert_non_null(strstr(err, "line 2: control byte 0x00"));
        list_free(&l);
    }
    /* limits */
    size_t big = NG_PETR_MAX_LINE + 10;
    char *s = malloc(big + 32);
    assert_non_null(s);
    strcpy(s, "A [X]\n");
    memset(s + 6, 'B', big);
    strcpy(s + 6 + big, " [Y]\n");
    refused(actors, s, NG_ETOOBIG, 2, "line longer than");
    memset(s + 6, 'B', 2000); /* one word of 2000 letters */
    strcpy(s + 6 + 2000, " [Y]\n");
    refused(actors, s, NG_ETOOBIG, 2, "phrase longer than");
    free(s);
}

static void caller_stops(void **state)
{
    (void)state;
    list l;
    memset(&l, 0, sizeof l);
    l.stop_at = 3;
    const char *t = "A [X]\n+B\n+C\n+D\n";
    assert_int_equal(ng_petr_read_actors(t, strlen(t), collect, &l, err, sizeof err), NG_ENOMEM);
    assert_int_equal(l.n, 2);
    assert_non_null(strstr(err, "line 3: could not add 'c'"));
    list_free(&l);
    memset(&l, 0, sizeof l);
    l.stop_at = 2;
    t = "MINISTER [~GOV]\n";
    assert_int_equal(ng_petr_read_agents(t, strlen(t), collect, &l, err, sizeof err), NG_ENOMEM);
    assert_int_equal(l.n, 1);
    list_free(&l);
}

/* ---- agents ----------------------------------------------------------------- */

static void agent_records(void **state)
{
    (void)state;
    list l;
    assert_int_equal(agents(&l, "HARBOUR_MASTER [~GOVHBR] # ab 1/2/03\n"
                                "LOYAL_OPPOSITION {} [~OPP]\n"
                                "SOLICITOR_GENERAL {SOLICITORS_GENERAL} [~JUD]\n"
                                "WELFARE_BODY  [NGO~]\n"
                                "CLERGY {} [ ~REL]\n"
                                "CHARITY_ORGANIZATION  [  NGO~]\n"
                                "SILVER_FOX {SILVER_FOXES, SILVER FOXEN} [~sfx]\n"
                                "CUSTOMS SERVICE [~GOV]\n"),
                     NG_OK);
    int i = 0;
    expect(&l, i++, "harbour master", "GOVHBR", SUF, 0, 1);
    expect(&l, i++, "harbour masters", "GOVHBR", SUF, 0, 1);
    expect(&l, i++, "loyal opposition", "OPP", SUF, 0, 2);
    expect(&l, i++, "solicitor general", "JUD", SUF, 0, 3);
    expect(&l, i++, "solicitors general", "JUD", SUF, 0, 3);
    expect(&l, i++, "welfare body", "NGO", PRE, 0, 4);
    expect(&l, i++, "welfare bodies", "NGO", PRE, 0, 4);
    expect(&l, i++, "clergy", "REL", SUF, 0, 5);
    expect(&l, i++, "charity organization", "NGO", PRE, 0, 6);
    expect(&l, i++, "charity organizations", "NGO", PRE, 0, 6);
    expect(&l, i++, "silver fox", "SFX", SUF, 0, 7);
    expect(&l, i++, "silver foxes", "SFX", SUF, 0, 7);
    expect(&l, i++, "silver foxen", "SFX", SUF, 0, 7);
    expect(&l, i++, "customs service", "GOV", SUF, 0, 8);
    expect(&l, i++, "customs services", "GOV", SUF, 0, 8);
    assert_int_equal(l.n, (size_t)i);
    list_free(&l);
}

/* The automatic plural of a one-line agent dictionary's name, or "-" when
 * none is made. */
static const char *plural_of(const char *name)
{
    static char out[128];
    char text[128];
    snprintf(text, sizeof text, "%s [~X]\n", name);
    list l;
    if (agents(&l, text) != NG_OK)
        fail_msg("refused (%s): %s", err, text);
    snprintf(out, sizeof out, "%s", l.n == 2 ? l.v[1].phrase : l.n == 1 ? "-" : "?");
    list_free(&l);
    return out;
}

static void agent_plurals(void **state)
{
    (void)state;
    assert_string_equal(plural_of("MINISTER"), "ministers");
    assert_string_equal(plural_of("CONSENSUS"), "consensuses");
    assert_string_equal(plural_of("TAX"), "taxes");
    assert_string_equal(plural_of("BLITZ"), "blitzes");
    assert_string_equal(plural_of("CHURCH"), "churches");
    assert_string_equal(plural_of("BUSH"), "bushes");
    assert_string_equal(plural_of("DEFENCE_MINISTRY"), "defence ministries");
    assert_string_equal(plural_of("ATTORNEY"), "attorneys"); /* -y after a vowel */
    assert_string_equal(plural_of("ENVOY"), "envoys");
    assert_string_equal(plural_of("ATTACH\xC3\x89"), "attach\xC3\xA9s");
    assert_string_equal(plural_of("G7"), "-");    /* no letter at the end */
    assert_string_equal(plural_of("U.S."), "-");
    assert_string_equal(plural_of("ELDER_"), "-"); /* trailing '_': exact, no plural */
    assert_string_equal(plural_of("\xD0\x9C\xD0\x98\xD0\x9D\xD0\x98\xD0\xA1\xD0\xA2\xD0\xA0"), "-"); /* Cyrillic */
}

static void agent_substitutions(void **state)
{
    (void)state;
    list l;
    assert_int_equal(agents(&l, "!ROLE! = KEEPER, WARDEN\n"
                                "!OFFICE! = BUREAU,AGENCY  # the sets carry their own plurals\n"
                                "LIGHT!ROLE! [~MAR]\n"
                                "!OFFICE!_OF_!role! [~GOV]\n"
                                "!T! = DEPUTY CHIEF, VICE_CHIEF\n"
                                "!T!_INSPECTOR {!T!_INSPECTORS} [~COP]\n"
                                "!T! = ACTING\n"
                                "!T!_WARDEN [~GOV]\n"),
                     NG_OK);
    int i = 0;
    expect(&l, i++, "lightkeeper", "MAR", SUF, 0, 3);
    expect(&l, i++, "lightwarden", "MAR", SUF, 0, 3);
    expect(&l, i++, "bureau of keeper", "GOV", SUF, 0, 4);
    expect(&l, i++, "bureau of warden", "GOV", SUF, 0, 4);
    expect(&l, i++, "agency of keeper", "GOV", SUF, 0, 4);
    expect(&l, i++, "agency of warden", "GOV", SUF, 0, 4);
    expect(&l, i++, "deputy chief inspector", "COP", SUF, 0, 6);
    expect(&l, i++, "vice chief inspector", "COP", SUF, 0, 6);
    expect(&l, i++, "deputy chief inspectors", "COP", SUF, 0, 6);
    expect(&l, i++, "vice chief inspectors", "COP", SUF, 0, 6);
    expect(&l, i++, "acting warden", "GOV", SUF, 0, 8); /* redefined */
    assert_int_equal(l.n, (size_t)i);
    list_free(&l);

    /* the cap: 32 x 32 = 1024 phrases is allowed, more is refused */
    char text[4096];
    size_t k = (size_t)snprintf(text, sizeof text, "!S! = ");
    for (int j = 0; j < 32; j++)
        k += (size_t)snprintf(text + k, sizeof text - k, "%sW%c%c", j ? ", " : "", 'A' + j / 26, 'A' + j % 26);
    snprintf(text + k, sizeof text - k, "\n!S!_!S! [~X]\n");
    assert_int_equal(agents(&l, text), NG_OK);
    assert_int_equal(l.n, 1024);
    assert_non_null(find(&l, "wab wbf"));
    list_free(&l);
    snprintf(text + k, sizeof text - k, "\n!S!_!S! {!S!} [~X]\n");
    refused(agents, text, NG_ETOOBIG, 2, "more than 1024 phrases");
    snprintf(text + k, sizeof text - k, "\nA [~X]\n!S!!S!!S!!S!!S!!S!!S!!S!!S!!S!!S!!S!!S!!S! [~X]\n");
    refused(agents, text, NG_ETOOBIG, 3, "more than 1024 phrases");
    /* and the whole file: 97 lines of 1024 fit in 100000, the 98th does not */
    size_t at = k;
    for (int j = 0; j < 98 && at < sizeof text; j++)
        at += (size_t)snprintf(text + at, sizeof text - at, "\n!S!_!S! [~X]");
    assert_true(at < sizeof text - 2);
    strcpy(text + at, "\n");
    refused(agents, text, NG_ETOOBIG, 99, "the file expands to more than 100000 phrases");
}

static void agent_errors(void **state)
{
    (void)state;
    refused(agents, "MINISTER\n", NG_EFORMAT, 1, "no code");
    refused(agents, "A [~X]\nMINISTER [GOV]\n", NG_EFORMAT, 2, "needs a '~'");
    refused(agents, "MINISTER [~GOV~]\n", NG_EFORMAT, 1, "bad agent code");
    refused(agents, "MINISTER [~]\n", NG_EFORMAT, 1, "bad agent code");
    refused(agents, "MINISTER [~G-V]\n", NG_EFORMAT, 1, "bad agent code");
    refused(agents, "MINISTER [~GOV\n", NG_EFORMAT, 1, "missing ']'");
    refused(agents, "MINISTER [~GOV] [~MIL]\n", NG_EFORMAT, 1, "one code per agent line");
    refused(agents, "MINISTER {MINISTERS [~GOV]\n", NG_EFORMAT, 1, "missing '}'");
    refused(agents, "MINISTER MINISTERS} [~GOV]\n", NG_EFORMAT, 1, "without '{'");
    refused(agents, "MINISTER {A} B [~GOV]\n", NG_EFORMAT, 1, "after '}'");
    refused(agents, "MINISTER {A,} [~GOV]\n", NG_EFORMAT, 1, "empty plural");
    refused(agents, " [~GOV]\n", NG_EFORMAT, 1, "no name");
    refused(agents, "{X} [~GOV]\n", NG_EFORMAT, 1, "no name");
    refused(agents, "LIGHT!ROLE! [~MAR]\n", NG_EFORMAT, 1, "!ROLE! is not defined");
    refused(agents, "LIGHT!ROLE [~MAR]\n", NG_EFORMAT, 1, "unmatched '!'");
    refused(agents, "!A! = X\nLIGHT!! [~MAR]\n", NG_EFORMAT, 2, "empty substitution marker");
    refused(agents, "!R! = KEEPER, , WARDEN\n", NG_EFORMAT, 1, "empty item");
    refused(agents, "!R! =\n", NG_EFORMAT, 1, "no items");
    refused(agents, "!R S! = A\n", NG_EFORMAT, 1, "bad substitution set name");
    refused(agents, "!R! = A [B]\n", NG_EFORMAT, 1, "unexpected '['");
    refused(agents, "A [~X]\n<!--\n", NG_EFORMAT, 2, "never closed");
    refused(agents, "A [~X]\n\xE2\x82\n", NG_EENCODING, 2, "invalid UTF-8");
}

/* ---- verbs ------------------------------------------------------------------ */

typedef struct {
    char *code, *pattern, *code2, *flags;
    unsigned line;
} vpat;

typedef struct {
    vpat *v;
    size_t n, cap;
    char forms[2048]; /* "form>lemma " ... */
    size_t stop_at;   /* when > 0: refuse the pattern with this number (1-based) */
    int stop_forms;   /* refuse every form */
} vlist;

static char *dup(const char *s)
{
    char *c = malloc(strlen(s) + 1);
    assert_non_null(c);
    return strcpy(c, s);
}

static int vcollect(void *ctx, const ng_petr_pattern *p)
{
    vlist *l = ctx;
    if (l->stop_at && l->n + 1 == l->stop_at)
        return NG_EINVAL;
    assert_non_null(p->code);
    assert_non_null(p->pattern);
    assert_non_null(p->code2);
    assert_non_null(p->flags);
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->v = realloc(l->v, l->cap * sizeof *l->v);
        assert_non_null(l->v);
    }
    vpat *x = &l->v[l->n++];
    x->code = dup(p->code);
    x->pattern = dup(p->pattern);
    x->code2 = dup(p->code2);
    x->flags = dup(p->flags);
    x->line = p->line;
    return NG_OK;
}

static int vform(void *ctx, const char *form, const char *lemma)
{
    vlist *l = ctx;
    if (l->stop_forms)
        return NG_EINVAL;
    size_t k = strlen(l->forms);
    snprintf(l->forms + k, sizeof l->forms - k, "%s>%s ", form, lemma);
    return NG_OK;
}

static void vlist_free(vlist *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].code);
        free(l->v[i].pattern);
        free(l->v[i].code2);
        free(l->v[i].flags);
    }
    free(l->v);
    memset(l, 0, sizeof *l);
}

static int verbs(vlist *l, const char *text)
{
    memset(l, 0, sizeof *l);
    return ng_petr_read_verbs(text, strlen(text), vcollect, vform, l, err, sizeof err);
}

/* Pattern i is exactly this. */
static void vexpect(const vlist *l, size_t i, const char *code, const char *pattern, const char *code2,
                    const char *flags, unsigned line)
{
    if (i >= l->n)
        fail_msg("pattern %zu missing (%zu patterns)", i, l->n);
    const vpat *e = &l->v[i];
    if (strcmp(e->code, code) || strcmp(e->pattern, pattern) || strcmp(e->code2, code2) || strcmp(e->flags, flags) ||
        e->line != line)
        fail_msg("pattern %zu is ([%s:%s] '%s' {%s} line %u), expected ([%s:%s] '%s' {%s} line %u)", i, e->code,
                 e->code2, e->pattern, e->flags, e->line, code, code2, pattern, flags, line);
}

static const vpat *vfind(const vlist *l, const char *pattern)
{
    for (size_t i = 0; i < l->n; i++)
        if (!strcmp(l->v[i].pattern, pattern))
            return &l->v[i];
    return NULL;
}

/* The one pattern of a one-verb dictionary's pattern line (after the bare
 * verb): "- WORDS * WORDS [CODE]" under "--- X [010] ---\nHAIL". */
static const char *one_pattern(const char *line, char *code, char *flags)
{
    static char out[1024];
    char text[1024];
    snprintf(text, sizeof text, "--- X [010] ---\nHAIL\n%s\n", line);
    vlist l;
    int rc = verbs(&l, text);
    if (rc != NG_OK)
        fail_msg("refused '%s': %s", line, err);
    assert_int_equal(l.n, 2);
    snprintf(out, sizeof out, "%s", l.v[1].pattern);
    if (code)
        strcpy(code, l.v[1].code);
    if (flags)
        strcpy(flags, l.v[1].flags);
    vlist_free(&l);
    return out;
}

static int verbs_rd(list *unused, const char *text)
{
    memset(unused, 0, sizeof *unused); /* refused() frees it */
    vlist l;
    int rc = verbs(&l, text);
    vlist_free(&l);
    return rc;
}

static void verb_blocks(void **state)
{
    (void)state;
    vlist l;
    assert_int_equal(verbs(&l, "--- SUMMON  [101] ---\n"      /* 1 */
                               "SUMMON\n"                     /* 2 */
                               "CONVOKE [1012]  # own code\n" /* 3 */
                               "- * ENVOY  [1011]\n"          /* 4 */
                               "- NOT * [---]\n"              /* 5 */
                               "MUSTER\n"                     /* 6: a verb after the patterns joins the block */
                               "\n"                           /* 7 */
                               "--- SCOLD [---] ---\n"        /* 8 */
                               "SCOLD\n"                      /* 9 */
                               "- * HARSHLY [122]\n"          /* 10 */
                               "--- PRAISE ---\n"             /* 11: no code: the null code */
                               "PRAISE\n"                     /* 12 */
                               "--- HUG [043]  [044]  ---\n"  /* 13: the first code is the block's */
                               "HUG\n"),                      /* 14 */
                     NG_OK);
    int i = 0;
    vexpect(&l, i++, "101", "V:summon", "", "", 2); /* the bare verbs first */
    vexpect(&l, i++, "1012", "V:convoke", "", "", 3);
    vexpect(&l, i++, "101", "V:muster", "", "", 6);
    vexpect(&l, i++, "1011", "V:summon envoy", "", "", 4); /* then each pattern over the verbs */
    vexpect(&l, i++, "1011", "V:convoke envoy", "", "", 4);
    vexpect(&l, i++, "1011", "V:muster envoy", "", "", 4);
    vexpect(&l, i++, "", "not V:summon", "", "", 5);
    vexpect(&l, i++, "", "not V:convoke", "", "", 5);
    vexpect(&l, i++, "", "not V:muster", "", "", 5);
    vexpect(&l, i++, "", "V:scold", "", "", 9);
    vexpect(&l, i++, "122", "V:scold harshly", "", "", 10);
    vexpect(&l, i++, "", "V:praise", "", "", 12);
    vexpect(&l, i++, "043", "V:hug", "", "", 14);
    assert_int_equal(l.n, (size_t)i);
    assert_string_equal(l.forms, "");
    vlist_free(&l);

    /* TABARI: no headers, each verb line is a block with its code */
    assert_int_equal(verbs(&l, "BESIEGE_ [191]\n"
                               "- * CAPITAL [192]\n"
                               "PARLEY\n"
                               "- * TRUCE [043]\n"),
                     NG_OK);
    i = 0;
    vexpect(&l, i++, "191", "V:besiege", "", "", 1); /* the final '_' of an exact TABARI word is dropped */
    vexpect(&l, i++, "192", "V:besiege capital", "", "", 2);
    vexpect(&l, i++, "", "V:parley", "", "", 3);
    vexpect(&l, i++, "043", "V:parley truce", "", "", 4);
    assert_int_equal(l.n, (size_t)i);
    vlist_free(&l);

    /* an empty block, synsets between blocks, ---STOP--- */
    assert_int_equal(verbs(&l, "--- EMPTY [010] ---\n"
                               "&S\n+ALPHA\n"
                               "--- GREET [041] ---\nGREET\n"
                               "&T\n+BETA\n"
                               "- * &T [042]\n"
                               "---STOP---\n"
                               "--- IGNORED [999] ---\nIGNORED\n"),
                     NG_OK);
    assert_int_equal(l.n, 2);
    vexpect(&l, 1, "042", "V:greet beta", "", "", 8); /* a synset inside a block does not close it */
    vlist_free(&l);
}

static void verb_multiword_and_forms(void **state)
{
    (void)state;
    vlist l;
    assert_int_equal(verbs(&l, "--- EXCLUDE [1721] ---\n"
                               "EXCLUDE\n"
                               "+CORDON_OFF {+CORDONED_OFF +CORDONS_OFF +CORDONING_OFF}\n"
                               "WIRE_+TAP {WIRE_+TAPPED  WIRE_+TAPPING } [1712]\n"
                               "SHUT  OUT\n"
                               "SEAL_+OFF_NOW\n"
                               "FORSAKE {FORSOOK FORSAKEN FORSAKE}\n"
                               "+SHUT_DOWN {SHUTS_DOWN}\n"
                               "- * (FROM TALKS) [1722]\n"),
                     NG_OK);
    int i = 0;
    vexpect(&l, i++, "1721", "V:exclude", "", "", 2);
    vexpect(&l, i++, "1721", "V:cordon off", "", "", 3);
    vexpect(&l, i++, "1712", "wire V:tap", "", "", 4);
    vexpect(&l, i++, "1721", "V:shut out", "", "", 5); /* no '+': the first word is the verb */
    vexpect(&l, i++, "1721", "seal V:off now", "", "", 6);
    vexpect(&l, i++, "1721", "V:forsake", "", "", 7);
    vexpect(&l, i++, "1721", "V:shut down", "", "", 8);
    vexpect(&l, i++, "1722", "V:exclude from talks", "", "", 9);
    vexpect(&l, i++, "1722", "V:cordon off from talks", "", "", 9);
    vexpect(&l, i++, "1722", "wire V:tap from talks", "", "", 9);
    vexpect(&l, i++, "1722", "V:shut out from talks", "", "", 9);
    vexpect(&l, i++, "1722", "seal V:off now from talks", "", "", 9);
    vexpect(&l, i++, "1722", "V:forsake from talks", "", "", 9);
    vexpect(&l, i++, "1722", "V:shut down from talks", "", "", 9);
    assert_int_equal(l.n, (size_t)i);
    /* the verb word of each form; a form equal to the lemma is not given;
     * an unmarked form of as many words as the verb: the same place */
    assert_string_equal(l.forms, "cordoned>cordon cordons>cordon cordoning>cordon tapped>tap tapping>tap "
                                 "forsook>forsake forsaken>forsake shuts>shut ");
    vlist_free(&l);

    /* add_form may be NULL; a refused form stops the reading */
    const char *text = "--- X [010] ---\nBREAK {BROKE}\n";
    char e2[128];
    memset(&l, 0, sizeof l);
    assert_int_equal(ng_petr_read_verbs(text, strlen(text), vcollect, NULL, &l, e2, sizeof e2), NG_OK);
    assert_int_equal(l.n, 1);
    vlist_free(&l);
    l.stop_forms = 1;
    assert_int_equal(ng_petr_read_verbs(text, strlen(text), vcollect, vform, &l, e2, sizeof e2), NG_EINVAL);
    assert_string_equal(e2, "line 2: could not add the form 'broke': invalid argument");
    vlist_free(&l);

    /* case folding: "É" of the dictionary gives "é" */
    assert_int_equal(verbs(&l, "--- X [010] ---\n\xC3\x89VINCER\n- * L'\xC3\x89TAT [020]\n"), NG_OK);
    vexpect(&l, 0, "010", "V:\xC3\xA9vincer", "", "", 2);
    vexpect(&l, 1, "020", "V:\xC3\xA9vincer l'\xC3\xA9tat", "", "", 3);
    vlist_free(&l);
}

static void verb_pattern_items(void **state)
{
    (void)state;
    char code[16], flags[16];
    /* words before and after the verb; '_' and blanks both separate */
    assert_string_equal(one_pattern("- SAID WOULD_* TO_ATTEND  SUMMIT [082]", code, flags),
                        "said would V:hail to attend summit");
    assert_string_equal(code, "082");
    assert_string_equal(flags, "");
    assert_string_equal(one_pattern("- SO IN_AND_*_OUT_AGAIN [074]", NULL, NULL), "so in and V:hail out again");
    /* slots after the verb are kept, before it they are dropped: '$' there
     * is the subject, which is what newsgraph takes anyway */
    assert_string_equal(one_pattern("- * MONEY FROM $ TO + [071]", NULL, NULL), "V:hail money from $ to +");
    assert_string_equal(one_pattern("- + WAS_ * TO_ ^ FROM $ [174]", NULL, NULL), "was V:hail to from $");
    assert_string_equal(one_pattern("- $ NOT * ^ TO_ + [124]", NULL, NULL), "not V:hail to +");
    /* '%' before the verb: a compound subject, the "sym" flag; after it the target */
    assert_string_equal(one_pattern("- % HAVE * [191]", code, flags), "have V:hail");
    assert_string_equal(flags, "sym");
    assert_string_equal(one_pattern("- * WITH % [031]", code, flags), "V:hail with +");
    assert_string_equal(flags, "");
    /* skip markers go: newsgraph allows words between items */
    assert_string_equal(one_pattern("- * IFTAR AT ^ ^ + [044]", NULL, NULL), "V:hail iftar at +");
    assert_string_equal(one_pattern("- * @ BANNER [044]", NULL, NULL), "V:hail banner");
    /* PETRARCH 2: (PREPOSITION WORDS) and {NOUN PHRASE} keep their words */
    assert_string_equal(one_pattern("- * (TO {BANNED PARTIES}) $ [1722]", NULL, NULL), "V:hail to banned parties $");
    assert_string_equal(one_pattern("- {ARMED GROUP} * (FROM) [1722]", NULL, NULL), "armed group V:hail from");
    /* TABARI: {A | B} alternatives */
    assert_string_equal(one_pattern("- * {ARMS | WEAPONS} SHIPMENT [072]", NULL, NULL), "V:hail arms|weapons shipment");
    /* words keep their other characters; only the pattern's own markers are read */
    assert_string_equal(one_pattern("- ANTI- * N'T PEACE-KEEPING US$ [111]", NULL, NULL),
                        "anti- V:hail n't peace-keeping us$");
    assert_string_equal(one_pattern("- * [013]", code, NULL), "V:hail");
    assert_string_equal(code, "013");

    /* {A | B C}: one pattern per alternative of several words */
    vlist l;
    assert_int_equal(verbs(&l, "--- X [010] ---\nHAIL\n- * {ARMS|HEAVY WEAPONS|AMMUNITION} [072]\n"), NG_OK);
    assert_int_equal(l.n, 3);
    vexpect(&l, 1, "072", "V:hail arms|ammunition", "", "", 3);
    vexpect(&l, 2, "072", "V:hail heavy weapons", "", "", 3);
    vlist_free(&l);
}

static void verb_codes(void **state)
{
    (void)state;
    vlist l;
    assert_int_equal(verbs(&l, "--- VISIT [032:033] ---\n"   /* 1 */
                               "VISIT\n"                     /* 2 */
                               "MEET [031:031]\n"            /* 3 */
                               "- * (BEFORE COURT) [:173]\n" /* 4: PETRARCH 2, passive only */
                               "- * TOUR [032]\n"            /* 5 */
                               "- * RAID [174K]\n"           /* 6: letters after the digits stay */
                               "- * RUMOUR [025?]\n"         /* 7: an unsure coder's '?' goes */
                               "- * FEINT [xxx]\n"           /* 8: placeholders are null codes */
                               "- * BLUFF [###]  # '#' inside [...] is no comment\n" /* 9 */
                               "- * SHOW [+++]\n"                                    /* 10 */
                               "- * HINT [08]\n"),                                   /* 11 */
                     NG_OK);
    vexpect(&l, 0, "032", "V:visit", "033", "", 2);
    vexpect(&l, 1, "031", "V:meet", "031", "", 3);
    vexpect(&l, 2, "", "V:visit before court", "173", "", 4);
    vexpect(&l, 4, "032", "V:visit tour", "", "", 5);
    vexpect(&l, 6, "174K", "V:visit raid", "", "", 6);
    vexpect(&l, 8, "025", "V:visit rumour", "", "", 7);
    vexpect(&l, 10, "", "V:visit feint", "", "", 8);
    vexpect(&l, 12, "", "V:visit bluff", "", "", 9);
    vexpect(&l, 14, "", "V:visit show", "", "", 10);
    vexpect(&l, 16, "08", "V:visit hint", "", "", 11);
    assert_int_equal(l.n, 18);
    vlist_free(&l);

    const char *bad[] = {"[]",   "[12345]", "[1]",         "[12-3]", "[0 64]",  "[064:x1]", "[:]",
                         "[a1]", "[064AB]", "[abcdefghi]", "[-+-]",  "[064??]", "[1:2:3]"};
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
        char text[128];
        snprintf(text, sizeof text, "--- X [010] ---\nHAIL\n- * CROWD %s\n", bad[k]);
        refused(verbs_rd, text, NG_EFORMAT, 3, "code '");
    }
}

static void verb_synsets(void **state)
{
    (void)state;
    vlist l;
    assert_int_equal(verbs(&l, "&TIES_              # '_': PETRARCH's no-plural mark\n" /* 1 */
                               "+MILITARY\n"                                            /* 2 */
                               "+TRADE_\n"                                              /* 3 */
                               "&COIN\n"                                                /* 4 */
                               "+DUCATS\n"                                              /* 5 */
                               "+SILVER  MARKS\n"                                       /* 6 */
                               "+GOLD_CROWNS\n"                                         /* 7 */
                               "&MIX\n"                                                 /* 8 */
                               "+&TIES\n"                                               /* 9: nested */
                               "+CLOSER\n"                                              /* 10 */
                               "&FIGHT_OF_WORDS\n"                                      /* 11 */
                               "+SPAT\n"                                                /* 12 */
                               "--- CUT [161] ---\n"                                    /* 13 */
                               "CUT\n"                                                  /* 14 */
                               "- * &TIES TIES [162]\n"                                 /* 15 */
                               "- * NEW_&TIES_LINKS [163]\n"                            /* 16 */
                               "- * &COIN AID [164]\n"                                  /* 17 */
                               "- &MIX * [165]\n"                                       /* 18 */
                               "- * &FIGHT_OF_WORDS [166]\n"                            /* 19 */
                               "- * &TIES_&COIN [167]\n"),                              /* 20 */
                     NG_OK);
    int i = 1;
    vexpect(&l, i++, "162", "V:cut military|trade ties", "", "", 15);
    vexpect(&l, i++, "163", "V:cut new military|trade links", "", "", 16);
    vexpect(&l, i++, "164", "V:cut ducats aid", "", "", 17);       /* one-word members together, */
    vexpect(&l, i++, "164", "V:cut silver marks aid", "", "", 17); /* longer ones one by one */
    vexpect(&l, i++, "164", "V:cut gold crowns aid", "", "", 17);
    vexpect(&l, i++, "165", "military|trade|closer V:cut", "", "", 18);
    vexpect(&l, i++, "166", "V:cut spat", "", "", 19);
    vexpect(&l, i++, "167", "V:cut military|trade ducats", "", "", 20);
    vexpect(&l, i++, "167", "V:cut military|trade silver marks", "", "", 20);
    vexpect(&l, i++, "167", "V:cut military|trade gold crowns", "", "", 20);
    assert_int_equal(l.n, (size_t)i);
    vlist_free(&l);

    /* a synset is read as it stands when the pattern is read: a later
     * definition replaces it for the patterns below */
    assert_int_equal(verbs(&l, "&S\n+ONE\n--- X [010] ---\nHAIL\n- * &s [011]\n&S\n+TWO\n+THREE\n- * &S [012]\n"),
                     NG_OK);
    assert_int_equal(l.n, 3);
    vexpect(&l, 1, "011", "V:hail one", "", "", 5);
    vexpect(&l, 2, "012", "V:hail two|three", "", "", 9);
    vlist_free(&l);

    /* many one-word members: groups of at most 400 bytes, each a pattern
     * (150 members of 7 letters: 50 a group) */
    char text[8192];
    size_t k = (size_t)snprintf(text, sizeof text, "&MANY\n");
    for (int j = 0; j < 150; j++)
        k += (size_t)snprintf(text + k, sizeof text - k, "+WORD%03d\n", j);
    snprintf(text + k, sizeof text - k, "--- X [010] ---\nHAIL\n- * &MANY [011]\n");
    assert_int_equal(verbs(&l, text), NG_OK);
    assert_int_equal(l.n, 4);
    for (int j = 1; j < 4; j++) {
        assert_int_equal(strlen(l.v[j].pattern), strlen("V:hail ") + 50 * 8 - 1);
        assert_non_null(strstr(l.v[j].pattern, j == 1   ? "V:hail word000|word001|"
                                               : j == 2 ? " word050|"
                                                        : " word100|"));
    }
    vlist_free(&l);

    /* the cap: 32 x 32 = 1024 variants is allowed, 33 x 32 is refused */
    k = (size_t)snprintf(text, sizeof text, "&S\n");
    for (int j = 0; j < 32; j++)
        k += (size_t)snprintf(text + k, sizeof text - k, "+W%c%c X\n", 'A' + j / 26, 'A' + j % 26);
    size_t base = k;
    snprintf(text + k, sizeof text - k, "--- X [010] ---\nHAIL\n- &S * &S [011]\n");
    assert_int_equal(verbs(&l, text), NG_OK);
    assert_int_equal(l.n, 1025);
    assert_non_null(vfind(&l, "wab x V:hail wbf x"));
    vlist_free(&l);
    snprintf(text + base, sizeof text - base, "--- X [010] ---\nHAIL\n- &S * &S {A B|C D} [011]\n");
    refused(verbs_rd, text, NG_ETOOBIG, 36, "more than 1024 patterns");
    /* and the file: 97 lines of 1024 fit in 100000, the 98th does not */
    k = base + (size_t)snprintf(text + base, sizeof text - base, "--- X [010] ---\nHAIL\n");
    for (int j = 0; j < 98; j++)
        k += (size_t)snprintf(text + k, sizeof text - k, "- &S * &S [011]\n");
    assert_true(k < sizeof text - 1);
    refused(verbs_rd, text, NG_ETOOBIG, 35 + 98, "the file expands to more than 100000 patterns");
}

static void verb_errors(void **state)
{
    (void)state;
    refused(verbs_rd, "- * TALKS [031]\n", NG_EFORMAT, 1, "before any verb");
    refused(verbs_rd, "--- X [010] ---\n- * TALKS [031]\n--- Y ---\n", NG_EFORMAT, 1, "patterns and no verb");
    refused(verbs_rd, "--- X [010] ---\nHAIL\n- * TALKS\n", NG_EFORMAT, 3, "needs a code");
    refused(verbs_rd, "--- X [010] ---\nHAIL\n- TALKS [031]\n", NG_EFORMAT, 3, "no '*'");
    refused(verbs_rd, "--- X [010] ---\nHAIL\n- * TALKS * [031]\n", NG_EFORMAT, 3, "two '*'");
    refused(verbs_rd, "--- X [010] ---\nHAIL\n- * TALKS [031] X\n", NG_EFORMAT, 3, "after the code");
    refused(verbs_rd, "--- X [010] ---\nHAIL\n- * TALKS [031\n", NG_EFORMAT, 3, "missing ']'");
    refused(verbs_rd, "--- X [010 ---\nHAIL\n", NG_EFORMAT, 1, "missing ']'");
    refused(verbs_rd, "--- X 010] ---\nHAIL\n", NG_EFORMAT, 1, "']' without '['");
    refused(verbs_rd, "--- X [010] ---\nHAIL\n- * (TO TALKS [031]\n", NG_EFORMAT, 3, "'(' is never closed");
    refused(verbs_rd, "--- X [010] ---\nHAIL\n- * TO) TALKS [031]\n", NG_EFORMAT, 3, "')' without '('");
    refused(verbs_rd, "--- X [010] ---\nHAIL\n- * {TO TALKS [031]\n", NG_EFORMAT, 3, "missing '}'");
    refused(verbs_rd, "--- X [010] ---\nHAIL\n- * TO} TALKS [031]\n", NG_EFORMAT, 3, "'}' without '{'");
    refused(verbs_rd, "--- X [010] ---\nHAIL\n- * {A|} [031]\n", NG_EFORMAT, 3, "empty alternative");
    refused(verbs_rd, "--- X [010] ---\nHAIL\n- * {A|&S} [031]\n", NG_EFORMAT, 3, "words only");
    refused(verbs_rd, "--- X [010] ---\nHAIL\n- * A|B [031]\n", NG_EFORMAT, 3, "unexpected '|'");
    refused(verbs_rd, "--- X [010] ---\nHAIL\n- (A * B) [031]\n", NG_EFORMAT, 3, "'*' inside");
    refused(verbs_rd, "--- X [010] ---\nHAIL\n- * ... [031]\n", NG_EFORMAT, 3, "not a word");
    refused(verbs_rd, "--- X [010] ---\nHAIL\n- * &NOPE_TIES [031]\n", NG_EFORMAT, 3, "&NOPE is not defined");
    refused(verbs_rd, "--- X [010] ---\nHAIL {HAILED\n", NG_EFORMAT, 2, "missing '}'");
    refused(verbs_rd, "--- X [010] ---\nHAIL HAILED}\n", NG_EFORMAT, 2, "without '{'");
    refused(verbs_rd, "--- X [010] ---\nHAIL {A} B\n", NG_EFORMAT, 2, "after '}'");
    refused(verbs_rd, "--- X [010] ---\n+SHUT_+DOWN\n", NG_EFORMAT, 2, "two '+'");
    refused(verbs_rd, "--- X [010] ---\nSHUT$\n", NG_EFORMAT, 2, "unexpected '$'");
    refused(verbs_rd, "--- X [010] ---\n[031]\n", NG_EFORMAT, 2, "no verb");
    refused(verbs_rd, "--- X [010] ---\n+SHUT_DOWN {CLOSES_UP_NOW}\n", NG_EFORMAT, 2, "Mark it with '+'");
    refused(verbs_rd, "&S\n--- X ---\n", NG_EFORMAT, 1, "&S has no members");
    refused(verbs_rd, "&S\n+\n", NG_EFORMAT, 2, "empty synset member");
    refused(verbs_rd, "&S\n+A*B\n", NG_EFORMAT, 2, "unexpected '*'");
    refused(verbs_rd, "&S\n+&T\n", NG_EFORMAT, 2, "&T is not defined");
    refused(verbs_rd, "&S\n+A\n&S\n+&S\n", NG_EFORMAT, 4, "contains itself");
    refused(verbs_rd, "&S\n+A &T\n", NG_EFORMAT, 2, "unexpected '&'");
    refused(verbs_rd, "&S T\n+A\n", NG_EFORMAT, 1, "after the synset name");
    refused(verbs_rd, "&S.T\n+A\n", NG_EFORMAT, 1, "bad synset name");
    refused(verbs_rd, "--- X [010] ---\nHAIL\n<!--\n", NG_EFORMAT, 3, "never closed");
    refused(verbs_rd, "--- X [010] ---\nHAIL \xC3\n", NG_EENCODING, 2, "invalid UTF-8");
    refused(verbs_rd, "--- X [010] ---\nHA\x01IL\n", NG_EBINARY, 2, "control byte");

    /* limits: a synset of more than 4096 members; a pattern of more than 1024 bytes */
    size_t cap = 5000 * 8 + 64, k = 0;
    char *text = malloc(cap);
    assert_non_null(text);
    k += (size_t)snprintf(text + k, cap - k, "&S\n");
    for (int j = 0; j < 4097; j++)
        k += (size_t)snprintf(text + k, cap - k, "+W%d\n", j);
    refused(verbs_rd, text, NG_ETOOBIG, 4098, "more than 4096 members");
    k = (size_t)snprintf(text, cap, "--- X [010] ---\nHAIL\n- *");
    for (int j = 0; j < 120; j++)
        k += (size_t)snprintf(text + k, cap - k, " WORDWORD");
    snprintf(text + k, cap - k, " [011]\n");
    refused(verbs_rd, text, NG_ETOOBIG, 3, "longer than 1024 bytes");
    free(text);

    /* no callback */
    assert_int_equal(ng_petr_read_verbs("", 0, NULL, NULL, NULL, err, sizeof err), NG_EINVAL);
    vlist l;
    assert_int_equal(verbs(&l, ""), NG_OK);
    assert_int_equal(l.n, 0);
    vlist_free(&l);
}

static void verb_caller_stops(void **state)
{
    (void)state;
    const char *text = "--- X [010] ---\nHAIL\nGREET\n- * CROWD [011]\n";
    vlist l;
    memset(&l, 0, sizeof l);
    l.stop_at = 3;
    assert_int_equal(ng_petr_read_verbs(text, strlen(text), vcollect, vform, &l, err, sizeof err), NG_EINVAL);
    assert_string_equal(err, "line 4: could not add 'V:hail crowd': invalid argument");
    assert_int_equal(l.n, 2);
    vlist_free(&l);
}

/* ---- the PETRARCH validation dictionaries ------------------------------------- */

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0, k;
    char *buf = malloc(cap);
    while (buf && (k = fread(buf + n, 1, cap - n, f)) > 0) {
        n += k;
        if (n == cap) {
            char *nb = realloc(buf, cap *= 2);
            if (!nb) {
                free(buf);
                buf = NULL;
            }
            buf = nb;
        }
    }
    fclose(f);
    *len = n;
    return buf;
}

/* ../shared/data/events/petrarch-unittest next to the source tree
 * (NG_SOURCE_DIR, set by ctest), or NG_PETR_DIR. */
static char *petr_file(const char *name, size_t *len)
{
    char path[4096];
    const char *dir = getenv("NG_PETR_DIR");
    const char *src = getenv("NG_SOURCE_DIR");
    if (dir)
        snprintf(path, sizeof path, "%s/%s", dir, name);
    else
        snprintf(path, sizeof path, "%s/../shared/data/events/petrarch-unittest/%s", src ? src : ".", name);
    char *s = slurp(path, len);
    if (!s)
        print_message("SKIPPED: %s not found (set NG_SOURCE_DIR or NG_PETR_DIR)\n", path);
    return s;
}

static void validate_actors(void **state)
{
    (void)state;
    size_t len;
    char *text = petr_file("PETR.Validate.actors.txt", &len);
    if (!text)
        skip();
    list l;
    memset(&l, 0, sizeof l);
    int rc = ng_petr_read_actors(text, len, collect, &l, err, sizeof err);
    free(text);
    if (rc != NG_OK)
        fail_msg("refused: %s", err);
    /* 161 names and synonyms outside the comments (counted separately with
     * a script over the file) */
    assert_int_equal(l.n, 161);
    const entry *e = find(&l, "arnor");
    assert_non_null(e);
    assert_string_equal(e->code, "ARN");
    assert_int_equal(e->prefix, 0);
    assert_int_equal(e->line, 45);
    e = find(&l, "argentin");
    assert_non_null(e);
    assert_string_equal(e->code, "ARG");
    assert_int_equal(e->prefix, 1);
    assert_string_equal(find(&l, "president george w. bush")->code, "USAGOV");
    assert_string_equal(find(&l, "interpol")->code, "IGOCOPITP"); /* code after the synonyms */
    assert_string_equal(find(&l, "slinker")->code, "HOBREB");     /* the most recent dated code */
    assert_string_equal(find(&l, "sam gamgee")->code, "HOB");     /* the undated one */
    assert_string_equal(find(&l, "prince of dol amroth")->code, "DOL");
    assert_string_equal(find(&l, "ussr")->code, "USR");
    assert_string_equal(find(&l, "boromir")->code, "");
    assert_string_equal(find(&l, "palestinian")->code, "PSE"); /* the first of two entries */
    assert_null(find(&l, "nasgul"));                          /* commented out */
    assert_null(find(&l, "important note!"));
    list_free(&l);
}

static void validate_agents(void **state)
{
    (void)state;
    size_t len;
    char *text = petr_file("PETR.Validate.agents.txt", &len);
    if (!text)
        skip();
    list l;
    memset(&l, 0, sizeof l);
    int rc = ng_petr_read_agents(text, len, collect, &l, err, sizeof err);
    free(text);
    if (rc != NG_OK)
        fail_msg("refused: %s", err);
    /* 88 records: 16 with {} (1 phrase each), 2 with {PLURAL} (2 each), 2
     * through substitution sets (5 and 4 phrases) and 68 with an automatic
     * plural (2 each): 16 + 4 + 9 + 136 = 165 */
    assert_int_equal(l.n, 165);
    const entry *e = find(&l, "foreign minister");
    assert_non_null(e);
    assert_string_equal(e->code, "GOVFRM");
    assert_int_equal(e->kind, NG_PETR_AGENT_SUFFIX);
    e = find(&l, "human rights bodies");
    assert_non_null(e);
    assert_string_equal(e->code, "NGO");
    assert_int_equal(e->kind, NG_PETR_AGENT_PREFIX);
    assert_non_null(find(&l, "congresswomen"));
    assert_non_null(find(&l, "congresses"));
    assert_non_null(find(&l, "ministries of silly walks"));
    assert_non_null(find(&l, "golden geese"));
    assert_null(find(&l, "golden gooses"));
    assert_null(find(&l, "polices"));
    assert_null(find(&l, "journalists' union")); /* commented out */
    assert_string_equal(find(&l, "police")->code, "COP");
    list_free(&l);
}

static void validate_verbs(void **state)
{
    (void)state;
    size_t len;
    char *text = petr_file("PETR.Validate.verbs.txt", &len);
    if (!text)
        skip();
    vlist l;
    memset(&l, 0, sizeof l);
    int rc = ng_petr_read_verbs(text, len, vcollect, vform, &l, err, sizeof err);
    free(text);
    if (rc != NG_OK)
        fail_msg("refused: %s", err);
    /* 261 blocks, 269 verb lines and 515 pattern variants (counted
     * separately with a script over the file): each verb once alone and
     * once per pattern variant of its block, 811 in all */
    assert_int_equal(l.n, 811);
    size_t bare = 0, sym = 0, paired = 0;
    for (size_t i = 0; i < l.n; i++) {
        bare += strchr(l.v[i].pattern, ' ') == NULL;
        sym += !strcmp(l.v[i].flags, "sym");
        paired += l.v[i].code2[0] != '\0';
    }
    assert_true(bare >= 250 && bare <= 269); /* the multi-word verbs have spaces */
    assert_true(sym >= 10);
    assert_true(paired >= 10);
    const vpat *e = vfind(&l, "V:restore diplomatic");
    assert_non_null(e);
    assert_string_equal(e->code, "064");
    assert_string_equal(vfind(&l, "not V:restore relations")->code, "112");
    assert_string_equal(vfind(&l, "V:restore the full")->code, ""); /* a placeholder code */
    assert_string_equal(vfind(&l, "V:cordon off for construction")->code, "071");
    assert_string_equal(vfind(&l, "V:abandon military|economic|cultural ties")->code, "902");
    assert_string_equal(vfind(&l, "inching yum yennyen V:accord")->code, "083");
    assert_string_equal(vfind(&l, "V:bargain for asylum")->code, "174K");
    e = vfind(&l, "V:agree");
    assert_string_equal(e->code, "081");
    e = vfind(&l, "V:arrive");
    assert_string_equal(e->code, "032");
    assert_string_equal(e->code2, "033");
    assert_non_null(strstr(l.forms, "broken>break "));
    assert_non_null(strstr(l.forms, "cordoning>cordon "));
    assert_string_equal(vfind(&l, "V:met")->code2, "032");
    vlist_free(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(actor_names),
        cmocka_unit_test(actor_synonyms),
        cmocka_unit_test(actor_dates),
        cmocka_unit_test(actor_special_codes),
        cmocka_unit_test(comments_and_layout),
        cmocka_unit_test(actor_errors),
        cmocka_unit_test(caller_stops),
        cmocka_unit_test(agent_records),
        cmocka_unit_test(agent_plurals),
        cmocka_unit_test(agent_substitutions),
        cmocka_unit_test(agent_errors),
        cmocka_unit_test(validate_actors),
        cmocka_unit_test(validate_agents),
        cmocka_unit_test(verb_blocks),
        cmocka_unit_test(verb_multiword_and_forms),
        cmocka_unit_test(verb_pattern_items),
        cmocka_unit_test(verb_codes),
        cmocka_unit_test(verb_synsets),
        cmocka_unit_test(verb_errors),
        cmocka_unit_test(verb_caller_stops),
        cmocka_unit_test(validate_verbs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
