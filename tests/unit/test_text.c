/*
 * test_text.c — the plain-text reader (src/read_text.c) and agency credits
 * (src/agencies.c): line ends and spaces, each kind of page chrome, teaser
 * lists, date widgets versus datelines, titles, credit lines.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "testutil.h"


/* Runs the text reader and the agency finder over s; the caller frees
 * the doc with ng_doc_free. */
static ng_doc *extract(const char *s)
{
    ng_doc *d = calloc(1, sizeof *d);
    assert_non_null(d);
    ng_arena_init(&d->arena);
    d->model = model;
    assert_int_equal(ng_text_extract(worker, d, s, strlen(s)), NG_OK);
    assert_int_equal(ng_agencies_find(worker, d), NG_OK);
    assert_int_equal(strlen(d->text), d->text_len);
    return d;
}

static int has(const ng_doc *d, const char *needle) { return strstr(d->text, needle) != NULL; }

static int has_agency(const ng_doc *d, const char *name)
{
    for (size_t i = 0; i < d->nagencies; i++)
        if (strcmp(d->agencies[i], name) == 0)
            return 1;
    return 0;
}

#define BODY1 "The minister met her counterpart on Monday to discuss the operation, officials said after the meeting."
#define BODY2 "Both countries agreed to keep working together on intelligence and logistics in the region for years."

static void test_line_ends(void **state)
{
    (void)state;
    ng_doc *d = extract("Title of the story\r\n\r\n" BODY1 "\r" BODY2 "\r\n\r\n\r\n  \xC2\xA0" BODY1 "\xC2\xA0 \n");
    assert_null(strchr(d->text, '\r'));
    assert_string_equal(d->text, "Title of the story\n\n" BODY1 "\n" BODY2 "\n\n" BODY1);
    ng_doc_free(d);
    /* NBSP inside a line is kept */
    d = extract("Le ministre a dit \xC2\xAB\xC2\xA0oui\xC2\xA0\xC2\xBB hier soir.");
    assert_true(has(d, "\xC2\xAB\xC2\xA0oui\xC2\xA0\xC2\xBB"));
    ng_doc_free(d);
}

static void test_calls_to_action(void **state)
{
    (void)state;
    ng_doc *d = extract("Share This !\n\n" BODY1 "\n\nI subscribe\n\nDownload the app\n\n"
                        "\xC2\xBB Connectez-vous \xC3\xA0 Facebook pour pouvoir commenter\n\n" BODY2 "\n\nRead more\n");
    assert_false(has(d, "Share This"));
    assert_false(has(d, "subscribe"));
    assert_false(has(d, "Download"));
    assert_false(has(d, "Connectez"));
    assert_false(has(d, "Read more"));
    assert_true(has(d, BODY1));
    assert_true(has(d, BODY2));
    ng_doc_free(d);
}

static void test_promo_and_newsletter(void **state)
{
    (void)state;
    ng_doc *d = extract(BODY1 "\n\n>> See: The army, the last bulwark against the threat?\n\n"
                        "Lire aussi : Le porte-avions sous commandement de l'Otan\n\n" BODY2 "\n\n"
                        "The Weekly Digest invites you to come back to the news that marked the week\n");
    assert_false(has(d, "See:"));
    assert_false(has(d, "Lire aussi"));
    assert_false(has(d, "invites you"));
    assert_true(has(d, BODY2));
    ng_doc_free(d);
}

static void test_file_names(void **state)
{
    (void)state;
    ng_doc *d = extract("The two allies strengthen their cooperation\n\nparis defence pact signature\n\n" BODY1
                        "\n\nheader_photo-2021\n\n" BODY2 "\n\ngoogle-play-badge_FR\n\napp-store.png\n");
    assert_false(has(d, "defence pact"));
    assert_false(has(d, "header_photo"));
    assert_false(has(d, "badge_FR"));
    assert_false(has(d, "app-store"));
    assert_true(has(d, "The two allies strengthen their cooperation"));
    assert_string_equal(d->title, "The two allies strengthen their cooperation");
    ng_doc_free(d);
    /* a lowercase line inside the article, joined to its paragraph, stays */
    d = extract(BODY1 "\n" BODY2 "\nand so it went on\n");
    assert_true(has(d, "and so it went on"));
    ng_doc_free(d);
}

static void test_teasers(void **state)
{
    (void)state;
    ng_doc *d = extract(BODY1 "\n\nArticles qui pourraient vous int\xC3\xA9resser:\n\n"
                        "Meta supprime un outil contre la d\xC3\xA9sinformation\n\n"
                        "CrowdTangle, un logiciel consid\xC3\xA9r\xC3\xA9 comme essentiel pour rep\xC3\xA9rer...\n\n"
                        "Sant\xC3\xA9 : le sympt\xC3\xB4me visible\n\n"
                        "Maladie silencieuse : le cancer se manifeste g\xC3\xA9n\xC3\xA9ralement sans...\n");
    assert_false(has(d, "Articles qui"));
    assert_false(has(d, "Meta"));
    assert_false(has(d, "CrowdTangle"));
    assert_false(has(d, "Maladie"));
    assert_true(has(d, BODY1));
    ng_doc_free(d);
    /* the article resumes after an inline "Related articles" list */
    d = extract(BODY1 "\n\nRelated articles\n\nOther story title here\n\n" BODY2 "\n");
    assert_false(has(d, "Other story"));
    assert_true(has(d, BODY2));
    ng_doc_free(d);
    /* a trailing list of title + snippet pairs without a header */
    d = extract(BODY1 "\n\n" BODY2 "\n\nFirst teaser title\n\nThe snippet of the first teaser is cut off in the...\n\n"
                "Second teaser title\n\nThe snippet of the second teaser also stops right in...\n");
    assert_false(has(d, "teaser"));
    assert_true(has(d, BODY2));
    ng_doc_free(d);
}

static void test_dates(void **state)
{
    (void)state;
    /* a decorated "today" widget before the headline: chrome, not a date */
    ng_doc *d = extract("\xE2\x80\xA2 mer. Avr 24th, 2024\n\nLe ministre \xC3\xA0 Paris\n\n" BODY1 "\n");
    assert_null(d->published);
    assert_false(has(d, "2024"));
    assert_string_equal(d->title, "Le ministre \xC3\xA0 Paris");
    ng_doc_free(d);
    /* a labelled date before the title on the same line */
    d = extract(" date 2022-01-20 France is considering ending military aid\n\n" BODY1 "\n");
    assert_non_null(d->published);
    assert_string_equal(d->published, "2022-01-20");
    assert_string_equal(d->published_from, NG_FROM_TEXT);
    assert_string_equal(d->title, "France is considering ending military aid");
    /* the label goes; the date stays in the text, a line of its own before
     * the title, for the time expressions (as an agency dateline stays) */
    assert_true(has(d, "2022-01-20"));
    assert_false(has(d, "date 2022"));
    assert_int_equal(strncmp(d->text, "2022-01-20\nFrance is considering", 32), 0);
    ng_doc_free(d);
    d = extract("Le titre de l'article\n\nPubli\xC3\xA9 le 3 juillet 1999\n\n" BODY1 "\n");
    assert_string_equal(d->published, "1999-07-03");
    assert_false(has(d, "juillet"));
    ng_doc_free(d);
    /* a bare date under the headline is the publication date */
    d = extract("Title of the story\n\nJanuary 20, 2022\n\n" BODY1 "\n");
    assert_string_equal(d->published, "2022-01-20");
    ng_doc_free(d);
    /* an agency dateline with a year, and one without */
    d = extract("PARIS, 2 oct 2019 (AFP) - " BODY1 "\n");
    assert_string_equal(d->published, "2019-10-02");
    assert_true(has_agency(d, "AFP"));
    assert_true(has(d, "PARIS, 2 oct 2019 (AFP)"));
    ng_doc_free(d);
    d = extract("PARIS, 2 oct (AFP) - " BODY1 "\n");
    assert_null(d->published);
    ng_doc_free(d);
    /* a date deep in the article is not a dateline */
    d = extract(BODY1 " " BODY2 "\n\n" BODY1 "\n\n" BODY2 "\n\n" BODY1 "\n\n" BODY2 "\n\n" BODY1 "\n\n" BODY2
                "\n\n" BODY1 "\n\n20 January 2022\n");
    assert_null(d->published);
    ng_doc_free(d);
}

static void test_menu_and_header_date(void **state)
{
    (void)state;
    /* a site menu is chrome, and a bare date in the site's header (after
     * the menu, before the article) is its "today" widget */
    ng_doc *d = extract("Home | World | Europe | Business | Sign in\n\nTuesday, 21 November 2023\n\n"
                        "Title of the story\n\n" BODY1 "\n");
    assert_false(has(d, "Home"));
    assert_false(has(d, "Sign in"));
    assert_null(d->published);
    assert_string_equal(d->title, "Title of the story");
    ng_doc_free(d);
    /* a sentence with pipes is not a menu */
    d = extract(BODY1 " Results: 3 | 4 | 5 were counted, the officials said on Monday.\n");
    assert_true(has(d, "3 | 4 | 5"));
    ng_doc_free(d);
    /* a teaser list under a "Read more:" header goes with it */
    d = extract(BODY1 "\n\n" BODY2 "\n\nRead more:\nBaltic cable incident: what we know\nPoland to double its budget\n");
    assert_false(has(d, "Read more"));
    assert_false(has(d, "cable incident"));
    assert_true(has(d, BODY2));
    ng_doc_free(d);
    /* an agency dateline opening a long first paragraph */
    d = extract("VARSOVIE, 16 mars 2023 (AFP) - " BODY1 " " BODY2 " " BODY1 "\n");
    assert_non_null(d->published);
    assert_string_equal(d->published, "2023-03-16");
    ng_doc_free(d);
    /* without a menu before it, the bare date is still the article's */
    d = extract("Tuesday, 21 November 2023\n\nTitle of the story\n\n" BODY1 "\n");
    assert_string_equal(d->published, "2023-11-21");
    ng_doc_free(d);
}

static void test_title(void **state)
{
    (void)state;
    ng_doc *d = extract(BODY1 "\n\n" BODY2 "\n");
    assert_null(d->title);
    ng_doc_free(d);
    d = extract("Is this a headline?\n\n" BODY1 "\n");
    assert_string_equal(d->title, "Is this a headline?");
    assert_true(has(d, "Is this a headline?"));
    ng_doc_free(d);
    /* a pull quote inside the article is kept */
    d = extract(BODY1 "\n\n\"I am struggling to keep them here\"\n\n" BODY2 "\n");
    assert_true(has(d, "I am struggling"));
    ng_doc_free(d);
}

static void test_credits(void **state)
{
    (void)state;
    ng_doc *d = extract(BODY1 "\n\nWith AFP and Reuters\n\nI subscribe\n");
    assert_false(has(d, "With AFP"));
    assert_true(has_agency(d, "AFP"));
    assert_true(has_agency(d, "Reuters"));
    assert_int_equal(d->nagencies, 2);
    assert_null(d->agencies[2]);
    ng_doc_free(d);
    d = extract(BODY1 "\n\n( Jowharwith AFP)\n");
    assert_false(has(d, "Jowhar"));
    assert_true(has_agency(d, "AFP"));
    ng_doc_free(d);
    d = extract(BODY1 "\n\navec AFP\n");
    assert_false(has(d, "avec AFP"));
    ng_doc_free(d);
    d = extract(BODY1 "\n\nStaff and agencies with Associated Press\n");
    assert_true(has_agency(d, "AP"));
    ng_doc_free(d);
    /* an inline credit closing the last paragraph stays in the text */
    d = extract(BODY1 " (AFP)\n");
    assert_true(has(d, "(AFP)"));
    assert_true(has_agency(d, "AFP"));
    ng_doc_free(d);
    /* a sentence naming agencies is not a credit */
    d = extract(BODY1 "\n\nXinhua and AFP reported the attack on Monday, citing officials.\n");
    assert_true(has(d, "Xinhua and AFP reported"));
    assert_int_equal(d->nagencies, 0);
    ng_doc_free(d);
    /* "ap" in lower case is not the agency */
    d = extract(BODY1 "\n\nwith ap\n");
    assert_int_equal(d->nagencies, 0);
    ng_doc_free(d);
}

static void test_html_credit(void **state)
{
    (void)state;
    /* text as the HTML reader leaves it: the credit line is still there */
    ng_doc *d = calloc(1, sizeof *d);
    ng_arena_init(&d->arena);
    d->model = model;
    const char *t = "WASHINGTON (Reuters) - " BODY1 "\n\n" BODY2 "\n\nWith AFP";
    d->text = ng_arena_strdup(&d->arena, t);
    d->text_len = strlen(t);
    assert_int_equal(ng_agencies_find(worker, d), NG_OK);
    assert_true(has_agency(d, "Reuters"));
    assert_true(has_agency(d, "AFP"));
    assert_false(has(d, "With AFP"));
    assert_int_equal(d->text_len, strlen(d->text));
    assert_true(d->text[d->text_len - 1] == '.');
    ng_doc_free(d);
}

static void test_all_chrome(void **state)
{
    (void)state;
    ng_doc *d = extract("Share This !\n\nI subscribe\n\n");
    assert_int_equal(d->text_len, 0);
    assert_null(d->title);
    ng_doc_free(d);
    d = extract("");
    assert_int_equal(d->text_len, 0);
    ng_doc_free(d);
    d = extract("\n\n\r\n \t \n");
    assert_int_equal(d->text_len, 0);
    ng_doc_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_line_ends),   cmocka_unit_test(test_calls_to_action),
        cmocka_unit_test(test_promo_and_newsletter), cmocka_unit_test(test_file_names),
        cmocka_unit_test(test_teasers),     cmocka_unit_test(test_dates),
        cmocka_unit_test(test_menu_and_header_date),
        cmocka_unit_test(test_title),       cmocka_unit_test(test_credits),
        cmocka_unit_test(test_html_credit), cmocka_unit_test(test_all_chrome),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
