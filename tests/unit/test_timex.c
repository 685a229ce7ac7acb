/*
 * test_timex.c — unit tests of the timex stage (src/timex.c): absolute,
 * relative, fuzzy, duration, set and time expressions in English and
 * French, anchoring to the publication date, to the text's own dates, and
 * to nothing (XXXX), and the grammar compiler's error reporting.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "internal.h"
#include "testutil.h"
#include "timex.h"


static ng_doc *analyze(const char *text, const char *lang, const char *published)
{
    ng_source src;
    ng_source_default(&src);
    src.lang = lang;
    src.published = published;
    src.format = NG_FORMAT_TEXT;
    ng_doc *d = NULL;
    assert_int_equal(ng_analyze(worker, &src, text, strlen(text), &d), NG_OK);
    /* invariants: in order, inside the text, non-empty, a known type */
    uint32_t prev = 0;
    for (size_t i = 0; i < d->ntimexes; i++) {
        const ng_time_expr *t = &d->timexes[i];
        assert_true(t->span.start < t->span.end && t->span.end <= d->text_len && t->span.start >= prev);
        assert_true(!strcmp(t->type, "DATE") || !strcmp(t->type, "TIME") || !strcmp(t->type, "DURATION") ||
                    !strcmp(t->type, "SET"));
        assert_non_null(t->value);
        prev = t->span.end;
    }
    return d;
}

/* The value of the timex whose text is exactly want (fails when none). */
static void expect(const ng_doc *d, const char *want_text, const char *want_type, const char *want_value)
{
    size_t n = strlen(want_text);
    for (size_t i = 0; i < d->ntimexes; i++) {
        const ng_time_expr *t = &d->timexes[i];
        if (t->span.end - t->span.start == n && !memcmp(d->text + t->span.start, want_text, n)) {
            assert_string_equal(t->type, want_type);
            assert_string_equal(t->value, want_value);
            return;
        }
    }
    fail_msg("no timex '%s'", want_text);
}

static void test_english_absolute(void **state)
{
    (void)state;
    ng_doc *d = analyze("The deal was signed in August 2020 and on 31 August, then on Jan. 19, 2021 and "
                        "the summer of 2023 closes it. In fall 2020 they met. The second half of 2021 was calm.",
                        "en", "2022-01-20");
    expect(d, "August 2020", "DATE", "2020-08");
    expect(d, "Jan. 19, 2021", "DATE", "2021-01-19");
    expect(d, "the summer of 2023", "DATE", "2023-SU");
    expect(d, "fall 2020", "DATE", "2020-FA");
    expect(d, "The second half of 2021", "DATE", "2021-H2");
    ng_doc_free(d);
}

static void test_english_relative(void **state)
{
    (void)state;
    ng_doc *d = analyze("France first deployed troops nine years ago. Officials met last week and will meet "
                        "next week. He spoke yesterday.",
                        "en", "2022-01-20");
    expect(d, "nine years ago", "DATE", "2013");
    expect(d, "last week", "DATE", "2022-W02");
    expect(d, "next week", "DATE", "2022-W04");
    expect(d, "yesterday", "DATE", "2022-01-19");
    ng_doc_free(d);
}

static void test_durations_sets_times(void **state)
{
    (void)state;
    ng_doc *d = analyze("The talks lasted six weeks, then several months. They meet every Monday at 3 p.m. "
                        "and again at 10:30.",
                        "en", "2022-01-20");
    expect(d, "six weeks", "DURATION", "P6W");
    expect(d, "several months", "DURATION", "PXM");
    expect(d, "every Monday", "SET", "XXXX-WXX-1");
    expect(d, "3 p.m.", "TIME", "2022-01-20T15:00");
    ng_doc_free(d);
}

static void test_french(void **state)
{
    (void)state;
    ng_doc *d = analyze("Le 3 juillet 1999, le ministre est venu. Il a pris ses fonctions début 2017. "
                        "La semaine dernière, il était à Paris, et en avril dernier à Gao. Il y a neuf ans, "
                        "tout a commencé. Rendez-vous à 10h30.",
                        "fr", "2018-03-10");
    expect(d, "Le 3 juillet 1999", "DATE", "1999-07-03");
    expect(d, "début 2017", "DATE", "2017");
    expect(d, "La semaine dernière", "DATE", "2018-W09");
    expect(d, "avril dernier", "DATE", "2017-04");
    expect(d, "Il y a neuf ans", "DATE", "2009");
    expect(d, "10h30", "TIME", "1999-07-03T10:30");
    for (size_t i = 0; i < d->ntimexes; i++)
        if (!strcmp(d->timexes[i].value, "2017") && d->timexes[i].mod)
            assert_string_equal(d->timexes[i].mod, "START");
    ng_doc_free(d);
}

static void test_anchoring(void **state)
{
    (void)state;
    /* no publication date and no year anywhere: the year stays unknown */
    ng_doc *d = analyze("On Monday January 27, Paris called on Washington.", "en", NULL);
    expect(d, "Monday January 27", "DATE", "XXXX-01-27");
    ng_doc_free(d);
    /* the weekday picks among the years the text names */
    d = analyze("In 2019 and 2020 the war went on. On Monday January 27 Paris called.", "en", NULL);
    expect(d, "Monday January 27", "DATE", "2020-01-27");
    ng_doc_free(d);
    /* relative expressions without an anchor are not resolved against today */
    d = analyze("Officials met last week.", "en", NULL);
    expect(d, "last week", "DATE", "PAST_REF");
    ng_doc_free(d);
    /* "a year ago" said of a quarter is that quarter a year before; alone, a year */
    d = analyze("Net income in the third quarter rose to $5 million from $4.2 million a year ago.", "en", "1989-10-25");
    expect(d, "the third quarter", "DATE", "1989-Q3");
    expect(d, "a year ago", "DATE", "1988-Q3");
    ng_doc_free(d);
    /* ... and a second one in the next sentence still that quarter, not a year before it */
    d = analyze("Net income in the third quarter rose from $4.2 million a year ago. Sales fell from $9 million "
                "a year earlier.",
                "en", "1989-10-25");
    expect(d, "a year ago", "DATE", "1988-Q3");
    expect(d, "a year earlier", "DATE", "1988-Q3");
    ng_doc_free(d);
    d = analyze("The plant opened a year ago.", "en", "1989-10-25");
    expect(d, "a year ago", "DATE", "1988");
    ng_doc_free(d);
    d = analyze("Sales in the 1988 third quarter were flat.", "en", "1989-10-25");
    expect(d, "the 1988 third quarter", "DATE", "1988-Q3");
    ng_doc_free(d);
    /* a stated past tense puts "this weekend" before a weekday anchor */
    d = analyze("He suggested this weekend that France could leave.", "en", "2022-01-20");
    expect(d, "this weekend", "DATE", "2022-W02-WE");
    ng_doc_free(d);
}

static void test_parts_of_day(void **state)
{
    (void)state;
    /* 1998-08-08 is a Saturday */
    ng_doc *d = analyze("The bomb went off Friday morning. Talks broke off at noon Thursday. "
                        "He called last night and again at midnight Friday. They met yesterday evening.",
                        "en", "1998-08-08");
    expect(d, "Friday morning", "TIME", "1998-08-07TMO");
    expect(d, "noon Thursday", "TIME", "1998-08-06T12:00");
    expect(d, "last night", "TIME", "1998-08-07TNI");
    expect(d, "midnight Friday", "TIME", "1998-08-07T24");
    expect(d, "yesterday evening", "TIME", "1998-08-07TEV");
    ng_doc_free(d);
    /* a clock time with its zone and date; a clock time "in the afternoon" */
    d = analyze("The offer runs until 5 p.m. EST Nov. 9.", "en", "1989-11-02");
    expect(d, "5 p.m. EST Nov. 9", "TIME", "1989-11-09T17:00");
    ng_doc_free(d);
    d = analyze("He will leave at 4 in the afternoon.", "en", "1989-11-02");
    expect(d, "4 in the afternoon", "TIME", "1989-11-02T16:00");
    ng_doc_free(d);
    d = analyze("Il revient à 8 h du soir et repart à 3 h de l'après-midi.", "fr", "2000-04-05");
    expect(d, "8 h du soir", "TIME", "2000-04-05T20:00");
    expect(d, "3 h de l'après-midi", "TIME", "2000-04-05T15:00");
    ng_doc_free(d);
    d = analyze("Il est arrivé à midi. Il a attendu jusqu'à minuit. Le journal Midi Libre le dit.", "fr", "1999-05-20");
    expect(d, "midi", "TIME", "1999-05-20T12:00");
    expect(d, "minuit", "TIME", "1999-05-20T24");
    assert_int_equal(d->ntimexes, 2); /* "Midi Libre" is a newspaper */
    ng_doc_free(d);
}

static void test_weekday_tense(void **state)
{
    (void)state;
    /* 2000-04-03 is a Monday: the nearest tense cue before the weekday
     * chooses the direction; a reporting verb far back does not */
    ng_doc *d = analyze("The father could leave for the United States as soon as Tuesday, Castro said. "
                        "The offer had been due to expire Friday. "
                        "Officials said the relatives, who met lawyers for hours, will appear Thursday. "
                        "The agency extended its deadline until Wednesday.",
                        "en", "2000-04-03");
    expect(d, "Tuesday", "DATE", "2000-04-04");
    expect(d, "Friday", "DATE", "2000-03-31");
    expect(d, "Thursday", "DATE", "2000-04-06");
    expect(d, "Wednesday", "DATE", "2000-04-05");
    ng_doc_free(d);
    /* said right before the weekday dates the saying */
    d = analyze("The minister said Friday that talks would resume.", "en", "2000-04-03");
    expect(d, "Friday", "DATE", "2000-03-31");
    ng_doc_free(d);
}

static void test_month_year(void **state)
{
    (void)state;
    /* a month without its year: the tense picks the side of the anchor;
     * without a tense cue, the nearer one */
    ng_doc *d = analyze("The bank plans a merger in January. Profits rose in March. "
                        "In June last year the plant closed; it reopens in April next year. "
                        "KKR bought the company in August. The vote would be held on Thursday.",
                        "en", "1989-10-30");
    expect(d, "January", "DATE", "1990-01");
    expect(d, "March", "DATE", "1989-03");
    expect(d, "June last year", "DATE", "1988-06");
    expect(d, "April next year", "DATE", "1990-04");
    expect(d, "August", "DATE", "1989-08");
    expect(d, "Thursday", "DATE", "1989-11-02"); /* "held" after "be" is no past */
    ng_doc_free(d);
    /* a dividend payable in January is the coming one; a month just past half a year back is still past */
    d = analyze("The dividend is payable Jan. 2 to holders of record. Computers came out in April.", "en",
                "1989-10-26");
    expect(d, "Jan. 2", "DATE", "1990-01-02");
    expect(d, "April", "DATE", "1989-04");
    ng_doc_free(d);
    d = analyze("He was shot to death last Oct. 23 at his home.", "en", "1999-04-19");
    expect(d, "last Oct. 23", "DATE", "1998-10-23");
    ng_doc_free(d);
}

static void test_decades_as_years(void **state)
{
    (void)state;
    ng_doc *d = analyze("It took two decades and then a decade; for decades nothing moved. The 1988 quarter was weak.",
                        "en", "1998-08-08");
    expect(d, "two decades", "DURATION", "P20Y");
    expect(d, "a decade", "DURATION", "P10Y");
    expect(d, "decades", "DURATION", "PXY");
    /* a year before a unit is no count of units ("the 1988 quarter") */
    expect(d, "1988", "DATE", "1988");
    ng_doc_free(d);
}

static void test_french_weekdays(void **state)
{
    (void)state;
    /* 1999-05-26 is a Wednesday: a bare weekday is the coming one in
     * French (%weekday future), unless a past form stands before it */
    ng_doc *d = analyze("Rendez-vous samedi à 8 h dans la cour. Une fillette s'est noyée mardi soir. "
                        "Il souffre depuis lundi d'une affection.",
                        "fr", "1999-05-26");
    expect(d, "samedi", "DATE", "1999-05-29");
    expect(d, "mardi soir", "TIME", "1999-05-25TEV");
    expect(d, "lundi", "DATE", "1999-05-24");
    ng_doc_free(d);
}

static void test_holidays(void **state)
{
    (void)state;
    /* a fixed day, the nth weekday of a month, the last one; the year as
     * for a month and day (past tense: the one before the anchor) */
    ng_doc *d = analyze("The boy was found on Thanksgiving Day. They marched on Memorial Day. "
                        "He came home for Christmas. It happened on New Year's Day.",
                        "en", "2000-01-08");
    expect(d, "Thanksgiving Day", "DATE", "1999-11-25");
    expect(d, "Memorial Day", "DATE", "1999-05-31");
    expect(d, "Christmas", "DATE", "1999-12-25");
    expect(d, "New Year's Day", "DATE", "2000-01-01");
    ng_doc_free(d);
    /* French phrases with an elided article */
    d = analyze("Il est revenu pour le jour de l'an. L'avenir le dira.", "fr", "2002-01-08");
    expect(d, "le jour de l'an", "DATE", "2002-01-01");
    expect(d, "L'avenir", "TIME", "FUTURE_REF");
    ng_doc_free(d);
}

static void test_anaphoric(void **state)
{
    (void)state;
    /* "that day", "later that year", "the following year": the last date
     * the text mentioned, not the publication date */
    ng_doc *d = analyze("The doctor was killed on Oct. 23, 1998. Earlier that day, the family left. "
                        "Later that year the police searched. The following year he was caught. "
                        "He is a 20th century democrat.",
                        "en", "2000-05-05");
    expect(d, "Earlier that day", "DATE", "1998-10-23");
    expect(d, "Later that year", "DATE", "1998");
    expect(d, "The following year", "DATE", "1999");
    expect(d, "20th century", "DATE", "19");
    ng_doc_free(d);
    /* with nothing mentioned before, the publication date */
    d = analyze("That day nobody came.", "en", "2000-05-05");
    expect(d, "That day", "DATE", "2000-05-05");
    ng_doc_free(d);
}

static void test_vague_refs(void **state)
{
    (void)state;
    ng_doc *d = analyze("In the past, Russia claimed it. In the past two months it fell. By mid afternoon, sources "
                        "said so. In the near term, nothing moves. In recent years, prices rose; in the coming years "
                        "they may fall.",
                        "en", "1998-03-06");
    expect(d, "the past", "DATE", "PAST_REF");
    expect(d, "the past two months", "DURATION", "P2M");
    expect(d, "mid afternoon", "TIME", "1998-03-06TAF");
    expect(d, "the near term", "DATE", "FUTURE_REF");
    expect(d, "recent years", "DURATION", "PXY");
    expect(d, "the coming years", "DURATION", "PXY");
    ng_doc_free(d);
    /* a span counted from a date of the story is a duration; "ago" counts from the anchor */
    d = analyze("Three days later, the company sold it. The plant closed three days ago.", "en", "1998-03-06");
    expect(d, "Three days later", "DURATION", "P3D");
    expect(d, "three days ago", "DATE", "1998-03-03");
    ng_doc_free(d);
    /* "the year" is the anchor's; "the year ended" a span, and "ended" still a past cue */
    d = analyze("For the year, volume was flat. Profit rose in the year ended Sept. 30.", "en", "1989-03-06");
    expect(d, "the year", "DATE", "1989");
    expect(d, "the year ended", "DURATION", "P1Y");
    expect(d, "Sept. 30", "DATE", "1988-09-30");
    ng_doc_free(d);
}

static void test_not_timexes(void **state)
{
    (void)state;
    ng_doc *d = analyze("A 6-year-old boy and 4,500 soldiers may come.", "en", "2022-01-20");
    assert_int_equal(d->ntimexes, 0);
    ng_doc_free(d);
    /* fractions are no quarters or halves of a year */
    d = analyze("Iraq imports about three-quarters of its food. About a half million people live there. "
                "The stock closed at sixty-one and a half. When Kopp was in his 30s, he moved. "
                "The car stood in the long-term lot.",
                "en", "1998-08-08");
    assert_int_equal(d->ntimexes, 0);
    ng_doc_free(d);
}

static void test_grammar_loads(void **state)
{
    (void)state;
    char err[256] = "";
    ng_grammar *g = NULL;
    assert_int_equal(ng_grammar_load(&g, "en", err, sizeof err), NG_OK);
    ng_grammar_free(g);
    /* a syntax error names the file and the line, on one line */
    static const char bad[] = "# a comment\nDATE @month @num:day\nDATE @month @bogus\n";
    err[0] = '\0';
    assert_int_equal(ng_grammar_load_rules(&g, "en", bad, sizeof bad - 1, err, sizeof err), NG_EMODEL);
    assert_null(g);
    assert_non_null(strstr(err, "en/timex-rules.txt:3:"));
    assert_non_null(strstr(err, "@bogus"));
    assert_null(strchr(err, '\n'));
    static const char bad2[] = "MAYBE @month\n";
    assert_int_equal(ng_grammar_load_rules(&g, "fr", bad2, sizeof bad2 - 1, err, sizeof err), NG_EMODEL);
    assert_non_null(strstr(err, "fr/timex-rules.txt:1:"));
    /* a language without grammar files gets an empty grammar */
    assert_int_equal(ng_grammar_load(&g, "xx", err, sizeof err), NG_OK);
    ng_grammar_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_english_absolute), cmocka_unit_test(test_english_relative),
        cmocka_unit_test(test_durations_sets_times), cmocka_unit_test(test_french),
        cmocka_unit_test(test_anchoring), cmocka_unit_test(test_not_timexes),
        cmocka_unit_test(test_grammar_loads), cmocka_unit_test(test_parts_of_day),
        cmocka_unit_test(test_weekday_tense), cmocka_unit_test(test_month_year),
        cmocka_unit_test(test_decades_as_years), cmocka_unit_test(test_french_weekdays),
        cmocka_unit_test(test_holidays), cmocka_unit_test(test_anaphoric),
        cmocka_unit_test(test_vague_refs),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
