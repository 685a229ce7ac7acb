/*
 * test_pubdate.c — ng_date_normalize and ng_date_scan (src/pubdate.c):
 * ISO 8601, RFC 2822, English and French month names, numeric dates, and
 * refusal of impossible dates and non-dates.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "internal.h"

static ng_model *model;

static int setup(void **state)
{
    (void)state;
    char err[256];
    return ng_model_new(&model, NULL, err, sizeof err) == NG_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    ng_model_free(model);
    return 0;
}

/* Normalises s and checks the result is want (NULL: refused). */
static void expect(const char *s, const char *want)
{
    char out[64];
    int ok = ng_date_normalize(model, s, strlen(s), out, sizeof out);
    if (!want) {
        if (ok)
            fail_msg("'%s' should be refused, got '%s'", s, out);
        return;
    }
    if (!ok)
        fail_msg("'%s' refused, want '%s'", s, want);
    if (strcmp(out, want) != 0)
        fail_msg("'%s' gave '%s', want '%s'", s, out, want);
}

static void test_iso(void **state)
{
    (void)state;
    expect("2022-01-20", "2022-01-20");
    expect("  2022-01-20  ", "2022-01-20");
    expect("2022-01-20T10:00:00+01:00", "2022-01-20T10:00:00+01:00");
    expect("2022-01-20T10:00:00Z", "2022-01-20T10:00:00Z");
    expect("2022-01-20T10:00:00.123Z", "2022-01-20T10:00:00Z");
    expect("2022-01-20T10:00-0500", "2022-01-20T10:00:00-05:00");
    expect("2022-01-20 10:30", "2022-01-20T10:30:00");
    expect("2022/01/20", "2022-01-20");
    expect("20220120", "2022-01-20");
}

static void test_rfc2822(void **state)
{
    (void)state;
    expect("Thu, 20 Jan 2022 10:00:00 GMT", "2022-01-20T10:00:00Z");
    expect("Thu, 20 Jan 2022 10:00:00 +0100", "2022-01-20T10:00:00+01:00");
    expect("Mon, 27 Jan 2020 08:05 EST", "2020-01-27T08:05:00-05:00");
}

static void test_english(void **state)
{
    (void)state;
    expect("January 20, 2022", "2022-01-20");
    expect("Jan. 20, 2022", "2022-01-20");
    expect("20 January 2022", "2022-01-20");
    expect("Published on Thursday, January 20, 2022", "2022-01-20");
    expect("January 20, 2022 at 3:15 pm", "2022-01-20T15:15:00");
    expect("Sept 1st 2019", "2019-09-01");
}

static void test_french(void **state)
{
    (void)state;
    expect("20 janvier 2022", "2022-01-20");
    expect("le 3 juillet 1999", "1999-07-03");
    expect("1er août 2021", "2021-08-01");
    expect("Publié le 12 FÉVRIER 2020 à 10h30", "2020-02-12T10:30:00");
    expect("mer. 24 avr. 2024", "2024-04-24");
    expect("mardi 2 décembre 2003", "2003-12-02");
}

/* Month names of languages without a lang/ folder (common/months.txt)
 * and the "de" connector of Spanish and Portuguese dates. */
static void test_other_languages(void **state)
{
    (void)state;
    expect("20. Januar 2022", "2022-01-20");
    expect("Donnerstag, 3. März 2022, 10:15 Uhr", "2022-03-03T10:15:00");
    expect("3. Jänner 2019", "2019-01-03");
    expect("3 de mayo de 2022", "2022-05-03");
    expect("12 de dezembro de 2021", "2021-12-12");
    expect("5 maggio 2020", "2020-05-05");
    expect("7 maart 2018", "2018-03-07");
    expect("de mayo de 2022", NULL);   /* no day */
    expect("3 de de 2022", NULL);      /* a connector is no month */
}

static void test_numeric(void **state)
{
    (void)state;
    expect("20/01/2022", "2022-01-20"); /* day first */
    expect("03/04/2022", "2022-04-03"); /* ambiguous: day first */
    expect("01/20/2022", "2022-01-20"); /* day 20 impossible as a month */
    expect("20.01.2022", "2022-01-20");
    expect("20/01/22", "2022-01-20");
}

static void test_refused(void **state)
{
    (void)state;
    expect("", NULL);
    expect("hello world", NULL);
    expect("2022-02-30", NULL);
    expect("2023-02-29", NULL);
    expect("2024-02-29", "2024-02-29");
    expect("31 April 2022", NULL);
    expect("2022-13-01", NULL);
    expect("32/01/2022", NULL);
    expect("13/13/2022", NULL);
    expect("January 2022", NULL); /* no day */
    expect("January 20", NULL);   /* no year */
    expect("12345678", NULL);
    expect("4,500 soldiers", NULL);
    expect("2022-01-20T25:00", "2022-01-20"); /* a bad time is not a time */
}

static void test_scan(void **state)
{
    (void)state;
    char out[64];
    int has_year;
    const char *s = "mer. Avr 24th, 2024";
    size_t k = ng_date_scan(model, s, strlen(s), out, sizeof out, &has_year);
    assert_int_equal(k, strlen(s));
    assert_int_equal(has_year, 1);
    assert_string_equal(out, "2024-04-24");
    s = "2 oct (AFP) - Le ministre";
    k = ng_date_scan(model, s, strlen(s), out, sizeof out, &has_year);
    assert_int_equal(k, 5);
    assert_int_equal(has_year, 0);
    assert_string_equal(out, "");
    s = "2022-01-20 France is considering";
    k = ng_date_scan(model, s, strlen(s), out, sizeof out, &has_year);
    assert_int_equal(k, 10);
    assert_string_equal(out, "2022-01-20");
    s = "France is considering";
    assert_int_equal(ng_date_scan(model, s, strlen(s), out, sizeof out, &has_year), 0);
    /* a long string is looked at only in its first bytes, never overrun */
    char big[1000];
    memset(big, '9', sizeof big);
    assert_int_equal(ng_date_scan(model, big, sizeof big, out, sizeof out, &has_year), 0);
    assert_int_equal(ng_date_normalize(model, big, sizeof big, out, sizeof out), 0);
    /* a tiny output buffer is refused, not overrun */
    assert_int_equal(ng_date_normalize(model, "2022-01-20", 10, out, 5), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_iso),     cmocka_unit_test(test_rfc2822), cmocka_unit_test(test_english),
        cmocka_unit_test(test_french),  cmocka_unit_test(test_numeric), cmocka_unit_test(test_refused),
        cmocka_unit_test(test_scan),    cmocka_unit_test(test_other_languages),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
