/*
 * test_html.c — unit tests of the HTML reader (read_html.c, boilerplate.c):
 * title, publication date and language metadata, boilerplate removal,
 * hostile nesting, huge and broken pages, and the charset sniffer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "internal.h"

static ng_model *model;
static ng_worker *worker;

static int setup(void **state)
{
    (void)state;
    ng_model_options opt;
    ng_model_options_default(&opt);
    opt.max_bytes = (size_t)128 << 20;
    char err[256];
    if (ng_model_new(&model, &opt, err, sizeof err) != NG_OK)
        return -1;
    return ng_worker_new(model, &worker) == NG_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    ng_worker_free(worker);
    ng_model_free(model);
    return 0;
}

/* Runs the pipeline on an HTML string; returns the rc, the doc in *out. */
static int run(const char *html, size_t n, ng_doc **out)
{
    ng_source src;
    ng_source_default(&src);
    src.format = NG_FORMAT_HTML;
    src.url = "https://www.example-news.com/world/2022/story.html";
    /* the reading stages only: these tests are about HTML, and the later
     * stages over the 100 MB page took most of an hour under ASan */
    ng_worker_set_stages(worker, 0);
    return ng_analyze(worker, &src, html, n, out);
}

static ng_doc *must(const char *html)
{
    ng_doc *d = NULL;
    int rc = run(html, strlen(html), &d);
    if (rc != NG_OK)
        fprintf(stderr, "analyze: %s\n", worker->err);
    assert_int_equal(rc, NG_OK);
    assert_non_null(d);
    return d;
}

static int contains(const ng_doc *d, const char *s)
{
    size_t n;
    const char *t = ng_doc_text(d, &n);
    return t && strstr(t, s) != NULL;
}

#define PROSE                                                                                                     \
    "The minister said on Monday that the government would review the agreement, which was signed in 2014, "  \
    "after months of talks with the unions, the employers and the regional councils."
#define PROSE2                                                                                                     \
    "Critics of the plan, including several members of parliament, argued that the review came too late, and " \
    "that the costs of the delay would fall on households already struggling with higher prices."

/* og:title wins over <title>; a " | Site" suffix is stripped when the site
 * is named elsewhere. */
static void title_sources(void **state)
{
    (void)state;
    ng_doc *d = must("<html><head><title>Other | Example News</title>"
                     "<meta property=\"og:title\" content=\"Talks resume in Geneva\"></head>"
                     "<body><article><p>" PROSE "</p></article></body></html>");
    assert_string_equal(ng_doc_title(d), "Talks resume in Geneva");
    ng_doc_free(d);

    d = must("<html><head><title>Talks resume in Geneva | Example News</title>"
             "<meta property=\"og:site_name\" content=\"Example News\"></head>"
             "<body><article><p>" PROSE "</p></article></body></html>");
    assert_string_equal(ng_doc_title(d), "Talks resume in Geneva");
    ng_doc_free(d);

    /* the suffix is kept when nothing else names it */
    d = must("<html><head><title>Talks resume - a long day ahead</title></head>"
             "<body><article><p>" PROSE "</p></article></body></html>");
    assert_string_equal(ng_doc_title(d), "Talks resume - a long day ahead");
    ng_doc_free(d);

    d = must("<html><body><article><h1>Storm hits the coast</h1><p>" PROSE "</p></article></body></html>");
    assert_string_equal(ng_doc_title(d), "Storm hits the coast");
    assert_false(contains(d, "Storm hits the coast")); /* the headline is not body text */
    ng_doc_free(d);
}

static void date_sources(void **state)
{
    (void)state;
    ng_doc *d = must("<html><head><meta property=\"article:modified_time\" content=\"2022-03-01T10:00:00Z\">"
                     "<meta property=\"article:published_time\" content=\"2022-01-20T08:30:00+01:00\"></head>"
                     "<body><article><p>" PROSE "</p></article></body></html>");
    assert_non_null(d->meta_published);
    assert_memory_equal(d->meta_published, "2022-01-20", 10);
    ng_doc_free(d);

    d = must("<html><head><script type=\"application/ld+json\">{\"@type\":\"NewsArticle\","
             "\"dateModified\":\"2021-05-02\", \"datePublished\" : \"2021-04-30T12:00:00Z\"}</script></head>"
             "<body><article><p>" PROSE "</p></article></body></html>");
    assert_non_null(d->meta_published);
    assert_memory_equal(d->meta_published, "2021-04-30", 10);
    ng_doc_free(d);

    d = must("<html><body><nav><time datetime=\"2023-12-24\">Today</time></nav><article>"
             "<header><time pubdate datetime=\"2020-06-15T09:00\">June 15</time></header>"
             "<p>" PROSE "</p></article></body></html>");
    assert_non_null(d->meta_published);
    assert_memory_equal(d->meta_published, "2020-06-15", 10);
    ng_doc_free(d);

    /* a modified date only when nothing else exists */
    d = must("<html><head><meta property=\"og:updated_time\" content=\"2019-02-03\"></head>"
             "<body><article><p>" PROSE "</p></article></body></html>");
    assert_non_null(d->meta_published);
    assert_memory_equal(d->meta_published, "2019-02-03", 10);
    ng_doc_free(d);

    d = must("<html><body><article><p>" PROSE "</p></article></body></html>");
    assert_null(d->meta_published);
    ng_doc_free(d);
}

/* Runs the pipeline with a given URL (NULL: none). */
static ng_doc *must_url(const char *html, const char *url)
{
    ng_source src;
    ng_source_default(&src);
    src.format = NG_FORMAT_HTML;
    src.url = url;
    ng_doc *d = NULL;
    int rc = ng_analyze(worker, &src, html, strlen(html), &d);
    if (rc != NG_OK)
        fprintf(stderr, "analyze: %s\n", worker->err);
    assert_int_equal(rc, NG_OK);
    return d;
}

/* Checks the page's publication day (NULL: none found). */
static void expect_day(const char *html, const char *url, const char *day)
{
    ng_doc *d = must_url(html, url);
    if (!day) {
        assert_null(d->meta_published);
    } else {
        assert_non_null(d->meta_published);
        assert_memory_equal(d->meta_published, day, 10);
    }
    ng_doc_free(d);
}

#define BODY "<body><article><p>" PROSE "</p></article></body></html>"

/* The other date sources real pages use, and the checks on them. */
static void date_sources_more(void **state)
{
    (void)state;
    /* a non-date value of a date-looking key does not hide the real one */
    expect_day("<html><head><meta name=\"DC.Publisher\" content=\"Example Verlag\">"
               "<meta name=\"DC.Date\" content=\"2006-12-16T08:00+01:00\"></head>" BODY,
               NULL, "2006-12-16");
    /* any meta name with "publish" in it */
    expect_day("<html><head><meta name=\"shareaholic:article_published_time\" content=\"2017-06-07T11:19:22+02:00\">"
               "</head>" BODY, NULL, "2017-06-07");
    /* itemprop on an element, its text in German; abbr with a title */
    expect_day("<html><body><article><h1>Titel</h1><span itemprop=\"datePublished\">20. Januar 2022</span>"
               "<p>" PROSE "</p></article></body></html>", NULL, "2022-01-20");
    expect_day("<html><body><article><h1>Titel</h1><abbr itemprop=\"datePublished\" title=\"2017-09-09T10:52:00+02:00\">"
               "10:52</abbr><p>" PROSE "</p></article></body></html>", NULL, "2017-09-09");
    /* JSON-LD uploadDate, nested in @graph */
    expect_day("<html><head><script type=\"application/ld+json\">{\"@graph\":[{\"@type\":\"VideoObject\","
               "\"uploadDate\": \"2019-10-19T07:49:00+02:00\"}]}</script></head>" BODY, NULL, "2019-10-19");
    /* a date written near the headline, Spanish */
    expect_day("<html><body><h1>Elecciones</h1><div>Por Juan P\xc3\xa9rez | 3 de mayo de 2022</div>"
               "<p>" PROSE "</p></body></html>", NULL, "2022-05-03");
    /* an element whose class names a date, after the headline */
    expect_day("<html><body><h1>Ergebnisse</h1><span class=\"itemPostDate\">am 25.08.2015 22:30</span>"
               "<p>" PROSE "</p></body></html>", NULL, "2015-08-25");
    /* the URL, given or canonical */
    expect_day("<html>" BODY, "https://example.org/2022/01/20/story/", "2022-01-20");
    expect_day("<html><head><link rel=\"canonical\" href=\"https://example.org/blog/2013/06/14/post.html\"></head>" BODY,
               NULL, "2013-06-14");
    expect_day("<html>" BODY, "https://example.org/news/20220120/story.html", "2022-01-20");
    expect_day("<html>" BODY, "https://example.org/2022/13/40/story/", NULL);
    /* a day-first URL date broken by a letter is no date (and reads no
     * digits it did not see: UBSan once found garbage there) */
    expect_day("<html>" BODY, "https://example.org/news/29-1x-2021-story", NULL);
    expect_day("<html>" BODY, "https://example.org/news/29-10-20x1-story", NULL);
    expect_day("<html>" BODY, "https://example.org/news/29-10-2021-story", "2021-10-29");
    /* a UTC stamp a day off the URL's day: the site's own day wins */
    expect_day("<html><head><meta property=\"article:published_time\" content=\"2020-02-25T02:25:54+00:00\"></head>" BODY,
               "https://pagesix.example/2020/02/24/story/", "2020-02-24");
    /* a local stamp is not moved */
    expect_day("<html><head><meta property=\"article:published_time\" content=\"2020-02-19T18:37:32+01:00\"></head>" BODY,
               "https://example.es/2020/02/18/story.html", "2020-02-19");
    /* explicit metadata beats a <time> and the URL */
    expect_day("<html><head><meta property=\"article:published_time\" content=\"2021-03-09\"></head><body><h1>T</h1>"
               "<time datetime=\"2021-03-01\">1 March</time><p>" PROSE "</p></body></html>",
               "https://example.org/2021/03/05/x", "2021-03-09");
    /* before 1995: not a publication date */
    expect_day("<html><head><meta name=\"date\" content=\"1970-01-01\"></head>" BODY, NULL, NULL);
    /* http-equiv last-modified only as the last resort */
    expect_day("<html><head><meta http-equiv=\"last-modified\" content=\"Wed, 08 Jul 2020 16:36:31 GMT\"></head>" BODY,
               NULL, "2020-07-08");
    expect_day("<html><head><meta http-equiv=\"last-modified\" content=\"2020-07-08\">"
               "<meta name=\"pubdate\" content=\"2020-07-01\"></head>" BODY, NULL, "2020-07-01");
    /* a date in a nav is a widget */
    expect_day("<html><body><nav><span class=\"date\">1. Februar 2024</span></nav>" BODY, NULL, NULL);
    expect_day("<html><body><header><div>Montag, 5. Februar 2024</div></header>" BODY, NULL, NULL);
    /* a labelled date alone in a block far from the headline; not a change date */
    expect_day("<html><body><h1>Titel</h1><p>" PROSE "</p><p>" PROSE2 "</p><p>" PROSE "</p><p>" PROSE2 "</p>"
               "<p>" PROSE "</p><p>" PROSE2 "</p><p>" PROSE "</p><p>" PROSE2 "</p><p>" PROSE "</p><p>" PROSE2 "</p>"
               "<p>" PROSE "</p><p>" PROSE2 "</p><p>" PROSE "</p><p>" PROSE2 "</p><p>" PROSE "</p><p>" PROSE2 "</p>"
               "<p>" PROSE "</p><p>" PROSE2 "</p><div>Datum: 26. Januar 2022</div></body></html>",
               NULL, "2022-01-26");
    expect_day("<html><body><h1>Titel</h1><p>" PROSE "</p><p>" PROSE2 "</p><p>" PROSE "</p><p>" PROSE2 "</p>"
               "<p>" PROSE "</p><p>" PROSE2 "</p><p>" PROSE "</p><p>" PROSE2 "</p><p>" PROSE "</p><p>" PROSE2 "</p>"
               "<p>" PROSE "</p><p>" PROSE2 "</p><p>" PROSE "</p><p>" PROSE2 "</p><p>" PROSE "</p><p>" PROSE2 "</p>"
               "<p>" PROSE "</p><p>" PROSE2 "</p><div>Letzte \xc3\x84nderung: 26.01.2022</div></body></html>",
               NULL, NULL);
}

/* Calls to action, chrome lines and teaser lists inside the article's
 * container go (lang/common/html-promo.txt, html-chrome-lines.txt,
 * html-teaser-heads.txt); the prose around them stays. */
static void promo_and_teasers(void **state)
{
    (void)state;
    ng_doc *d = must("<html><body><article><p>" PROSE "</p><p>" PROSE2 "</p>"
                     "<p>Subscribe now to our eNATION edition for the full story.</p>"
                     "<p>Vervielf\xc3\xa4ltigung nur mit Genehmigung der Redaktion.</p>"
                     "<p>Quelle: dpa</p><div>Mit Freunden teilen</div><p>Explore further</p>"
                     "<p>Aktualisiert am 17.01.2021.</p><p>Beitragsbild: Titelseite vom 2.4.2019, Ausriss.</p>"
                     "<p>Siguenos en Telegram, Instagram, Facebook y Twitter para recibir las noticias.</p>"
                     "<h3>Lesen Sie auch:</h3><p>Neue Regeln f\xc3\xbcr Mieter</p><p>Wahl in Berlin</p>"
                     "<p>" PROSE "</p></article></body></html>");
    assert_true(contains(d, PROSE));
    assert_true(contains(d, PROSE2));
    assert_false(contains(d, "Subscribe now"));
    assert_false(contains(d, "Genehmigung"));
    assert_false(contains(d, "Freunden"));
    assert_false(contains(d, "Explore further"));
    assert_false(contains(d, "Aktualisiert"));
    assert_false(contains(d, "Ausriss"));
    assert_false(contains(d, "Siguenos"));
    assert_false(contains(d, "Quelle"));
    assert_false(contains(d, "Lesen Sie auch"));
    assert_false(contains(d, "Neue Regeln"));
    assert_false(contains(d, "Wahl in Berlin"));
    ng_doc_free(d);
    /* a copyright block, however long, and a bracketed photo credit */
    d = must("<html><body><article><p>" PROSE "</p><p>(Credit: Jane Doe / Example Agency)</p><p>" PROSE2 "</p>"
             "<p>\xc2\xa9 2022, Example News. This article is the property of Example News. " PROSE "</p>"
             "</article></body></html>");
    assert_true(contains(d, PROSE2));
    assert_false(contains(d, "Credit"));
    assert_false(contains(d, "property of Example"));
    ng_doc_free(d);
    /* a caption that ends in a credit; a teaser heading that goes on */
    d = must("<html><body><article><p>" PROSE "</p><p>The mayor at the harbour. \xc2\xa9 Example Agency / J. Doe</p>"
             "<p>" PROSE2 "</p><h3>Lesen Sie auch zum Hafen</h3><p>Neue Kr\xc3\xa4ne im Hafen</p></article></body></html>");
    assert_true(contains(d, PROSE2));
    assert_false(contains(d, "mayor at the harbour"));
    assert_false(contains(d, "zum Hafen"));
    assert_false(contains(d, "Neue Kr"));
    ng_doc_free(d);
    /* a teaser heading before any prose is not the end of anything, and a
     * sentence that merely mentions following is kept */
    d = must("<html><body><article><p>" PROSE " Voters will follow the debate closely.</p>"
             "<p>" PROSE2 "</p></article></body></html>");
    assert_true(contains(d, "follow the debate"));
    ng_doc_free(d);
}

/* The lead: in the article's <header> (its prose stays, the byline and
 * date go), or between the headline and the article's container; a
 * sentence there that is a disclosure, or one under <aside>, is no lead. */
static void lead_paragraph(void **state)
{
    (void)state;
    ng_doc *d = must("<html><body><article><header><h1>Council votes on the harbour plan</h1>"
                     "<p>The city council voted late on Monday on a plan that would reshape the old harbour.</p>"
                     "<div>By Jane Doe</div><div>3 May 2022</div></header>"
                     "<div class=\"article-body\"><p>" PROSE "</p><p>" PROSE2 "</p></div></article></body></html>");
    assert_true(contains(d, "reshape the old harbour"));
    assert_false(contains(d, "Jane Doe"));
    assert_false(contains(d, "3 May 2022"));
    assert_true(contains(d, PROSE2));
    ng_doc_free(d);
    d = must("<html><body><div class=\"top\"><h1>Council votes on the harbour plan</h1>"
             "<div class=\"meta\">By Jane Doe</div>"
             "<h2>The city council voted late on Monday on a plan that would reshape the old harbour.</h2></div>"
             "<div class=\"article-body\"><p>" PROSE "</p><p>" PROSE2 "</p></div></body></html>");
    assert_true(contains(d, "reshape the old harbour"));
    assert_false(contains(d, "Jane Doe"));
    ng_doc_free(d);
    d = must("<html><body><h1>Council votes on the harbour plan</h1>"
             "<aside><p>The council also voted on a new library for the northern district.</p></aside>"
             "<p>This post contains affiliate links, and we may earn a commission when you buy.</p>"
             "<div class=\"article-body\"><p>" PROSE "</p><p>" PROSE2 "</p></div></body></html>");
    assert_true(contains(d, PROSE2));
    assert_false(contains(d, "library"));
    assert_false(contains(d, "affiliate"));
    ng_doc_free(d);
    /* the headline, byline and lead in a box with a boilerplate class
     * inside the chosen region: the lead stays, the byline goes */
    d = must("<html><body><div class=\"article\"><div>Politics</div><div class=\"article-header\"><h1>Council votes on the harbour plan</h1>"
             "<div>By Jane Doe</div>"
             "<p>The city council voted late on Monday on a plan that would reshape the old harbour.</p></div>"
             "<div class=\"text\"><p>" PROSE "</p><p>" PROSE2 "</p><p>" PROSE "</p></div></div></body></html>");
    assert_true(contains(d, "reshape the old harbour"));
    assert_false(contains(d, "Jane Doe"));
    assert_true(contains(d, PROSE2));
    ng_doc_free(d);
    /* a kicker line repeating the headline is not the lead; the lead in a
     * header whose own class is a boilerplate word is */
    d = must("<html><head><title>Council votes on the harbour plan today</title></head><body>"
             "<header class=\"entry-header\"><div class=\"meta\"><h1>Council votes on the harbour plan today</h1>"
             "<h2>Vote day: Council votes on the harbour plan today - what you need to know.</h2>"
             "<p>The city council voted late on Monday on a plan that would reshape the old harbour.</p></div></header>"
             "<div class=\"main\"><div class=\"text\"><p>" PROSE "</p><p>" PROSE2 "</p></div><ul><li>Archive of January</li>"
             "<li>Archive of February</li><li>Archive of March</li><li>Archive of April</li><li>Archive of May</li>"
             "<li>Archive of June</li><li>Archive of July</li><li>Archive of August</li><li>Archive of September</li>"
             "<li>Archive of October</li><li>Archive of November</li></ul></div></body></html>");
    assert_true(contains(d, "reshape the old harbour"));
    assert_false(contains(d, "Vote day"));
    ng_doc_free(d);
    /* a weak boilerplate class on a block holding one long paragraph and a
     * third of the article: part of the article */
    d = must("<html><body><div class=\"story\"><div class=\"teaser\"><p>" PROSE " " PROSE2 "</p></div>"
             "<p>" PROSE2 " " PROSE "</p></div>"
             "<div class=\"teaser\"><p>Another story about the harbour.</p></div></body></html>");
    assert_true(contains(d, PROSE " " PROSE2));
    assert_true(contains(d, PROSE2 " " PROSE));
    assert_false(contains(d, "Another story"));
    ng_doc_free(d);
}

/* A short article of short quoted lines (German quotes end a sentence),
 * and an article that only a <noscript> holds. */
static void short_and_noscript(void **state)
{
    (void)state;
    ng_doc *d = must("<html><body><div class=\"post\"><h2>Titel</h2>"
                     "<p>\xe2\x80\x9e" "Ich wei\xc3\x9f, ich bin m\xc3\xbc" "de und sollte das nicht sagen\xe2\x80\xa6\xe2\x80\x9c</p>"
                     "<p>\xe2\x80\x93 \xe2\x80\x9e" "Dann sag es nicht\xe2\x80\x9c</p></div></body></html>");
    assert_true(contains(d, "Dann sag es nicht"));
    ng_doc_free(d);
    d = must("<html><body><div class=\"post-body\"><script type=\"text/template\"><p>x</p></script>"
             "<noscript><p>" PROSE "</p><p>" PROSE2 "</p></noscript></div></body></html>");
    assert_true(contains(d, PROSE));
    ng_doc_free(d);
}

static void lang_hint(void **state)
{
    (void)state;
    ng_doc *d = must("<html lang=\"fr-FR\"><body><article><p>" PROSE "</p></article></body></html>");
    assert_non_null(d->lang_hint);
    assert_string_equal(d->lang_hint, "fr-fr");
    ng_doc_free(d);
    d = must("<html><head><meta property=\"og:locale\" content=\"en_GB\"></head>"
             "<body><article><p>" PROSE "</p></article></body></html>");
    assert_string_equal(d->lang_hint, "en-gb");
    ng_doc_free(d);
}

/* Navigation, footers, share bars, related links and comments go; the
 * article's paragraphs stay, in order, separated by a blank line. */
static void boilerplate_dropped(void **state)
{
    (void)state;
    ng_doc *d = must(
        "<html><body>"
        "<nav class=\"menu\"><ul><li><a href=\"/\">Home</a></li><li><a href=\"/world\">World news today</a></li></ul></nav>"
        "<div class=\"cookie-banner\">We use cookies to improve your experience on this site, please accept.</div>"
        "<div id=\"main\"><article class=\"story\">"
        "<h1>Storm</h1><div class=\"share-bar\">Share this article on Facebook, Twitter and by email</div>"
        "<p>" PROSE "</p><p>" PROSE2 "</p>"
        "<div class=\"related-links\"><h3>Related stories</h3><ul>"
        "<li><a href=\"/a\">Another story about the minister and the unions in the capital</a></li>"
        "<li><a href=\"/b\">Yet another story about the regional councils and their budgets</a></li></ul></div>"
        "</article>"
        "<section class=\"comments\"><p>I think the minister is wrong about this, and everyone knows it, frankly.</p></section>"
        "</div><footer><p>Copyright 2022 Example News, all rights reserved, no reproduction.</p></footer>"
        "</body></html>");
    size_t n;
    const char *t = ng_doc_text(d, &n);
    assert_true(contains(d, PROSE));
    assert_true(contains(d, PROSE2));
    assert_true(strstr(t, PROSE) < strstr(t, PROSE2));
    assert_non_null(strstr(t, PROSE "\n\n" PROSE2));
    assert_false(contains(d, "World news"));
    assert_false(contains(d, "cookies"));
    assert_false(contains(d, "Share this"));
    assert_false(contains(d, "Another story"));
    assert_false(contains(d, "Related stories"));
    assert_false(contains(d, "minister is wrong"));
    assert_false(contains(d, "Copyright"));
    ng_doc_free(d);
    /* a call-to-action box inside the article and the writer's bio after
     * it (class words "callout", "contributor-bio") */
    d = must("<html><body><article><p>" PROSE "</p>"
             "<div class=\"callout callout--inset\"><div>Keep exploring</div>"
             "<p>The latest on trains, buses and the people who run them, in one weekly letter.</p></div>"
             "<p>" PROSE2 "</p><p>" PROSE "</p></article>"
             "<div class=\"contributor-bio\"><p>Jane Doe is a senior writer covering transport, cities and the "
             "people who plan them, and was previously at another newspaper for ten years.</p></div>"
             "</body></html>");
    assert_true(contains(d, PROSE2));
    assert_false(contains(d, "weekly letter"));
    assert_false(contains(d, "senior writer"));
    ng_doc_free(d);
    /* a long call to action as the article's last paragraph goes; the
     * same words early in the article do not make a paragraph go */
    d = must("<html><body><article><p>" PROSE "</p><p>The union said its members would subscribe now to the plan, "
             "if the review was done by the summer, and that it would ask the councils, the employers and the "
             "smaller unions in the north of the country to do the same before the end of the year, as they had "
             "promised in the spring.</p>"
             "<p>" PROSE2 "</p><p>" PROSE "</p>"
             "<p>Did you enjoy this article? We are an independent newsroom and we rely on readers like you, so "
             "please consider a monthly contribution to our reporting, or subscribe now to get the best stories of "
             "the week in your inbox every Friday morning, free of charge and without advertising.</p>"
             "</article></body></html>");
    assert_true(contains(d, "members would subscribe now"));
    assert_false(contains(d, "independent newsroom"));
    ng_doc_free(d);
    /* picture captions with a credit label opening or closing them */
    d = must("<html><body><article><p>" PROSE "</p><p>The harbour at dawn, seen from the old lighthouse. (Foto: Jane Doe)</p>"
             "<p>" PROSE2 "</p><p>Abbildung 2: Die Schichten im Schnee nach dem Sturm.</p>"
             "<p>The lighthouse at night. (J. Doe / Example Images)</p>"
             "<p>The mayor said: the plan is good for the harbour and for the city.</p><p>" PROSE "</p></article></body></html>");
    assert_false(contains(d, "old lighthouse"));
    assert_false(contains(d, "Schichten im Schnee"));
    assert_true(contains(d, "The mayor said: the plan"));
    assert_false(contains(d, "lighthouse at night"));
    ng_doc_free(d);
    /* a sign-off next to the last paragraph stays; a short line in another
     * block after the article, a date and a credit go */
    d = must("<html><body><div class=\"post\"><p>Hello everyone</p><p>" PROSE "</p><p>" PROSE2 "</p>"
             "<p>See you soon, Anna</p><p>October 23, 2018</p><h3>Further reading:</h3></div><div class=\"x\"><p>Popular this week</p></div>"
             "</body></html>");
    assert_true(contains(d, "Hello everyone"));
    assert_true(contains(d, "See you soon, Anna"));
    assert_false(contains(d, "Further reading:"));
    assert_false(contains(d, "October 23"));
    assert_false(contains(d, "Popular this week"));
    ng_doc_free(d);
    /* a long browser warning is not the article's first paragraph: the
     * byline after it is trimmed; a template placeholder goes */
    d = must("<html><body><div class=\"page\"><p>You are using an older browser version. Please use a supported "
             "version for the best experience on this site.</p><div>The Daily Example 02/10/2020 Jane Doe</div>"
             "<div>{{link.text}}</div><p>Startseite &gt; Politik &gt; Inland &gt; Der Rat und der Hafen: "
             "eine lange Geschichte \xc3\xbc" "ber den Plan f\xc3\xbc" "r die Stadt</p><p>" PROSE "</p><p>Les revues de rang \xc2\xab 1 \xc2\xbb ou \xc2\xab 2 \xc2\xbb sont "
             "not\xc3\xa9" "es par les chercheurs.</p><p>" PROSE2 "</p><p>Comments are closed.</p>"
             "<div>%d bloggers like this:</div><div>Loading...</div></div></body></html>");
    assert_true(contains(d, PROSE2));
    assert_false(contains(d, "older browser"));
    assert_false(contains(d, "Jane Doe"));
    assert_false(contains(d, "{{"));
    assert_false(contains(d, "Startseite"));
    assert_true(contains(d, "Les revues de rang"));
    assert_false(contains(d, "bloggers"));
    assert_false(contains(d, "Comments are closed"));
    assert_false(contains(d, "Loading"));
    ng_doc_free(d);
    /* a list without links before the prose (ingredients) stays; a list
     * of links after it goes */
    d = must("<html><body><div class=\"recipe\"><ul><li>200 g flour</li><li>2 eggs</li><li>1 cup of milk</li></ul>"
             "<p>" PROSE "</p><p>" PROSE2 "</p><table><tr><td>Baking time</td><td>25 minutes</td></tr></table>"
             "<ul><li><a href=\"/a\">Pancakes</a></li><li><a href=\"/b\">Waffles</a></li></ul></div></body></html>");
    assert_true(contains(d, "200 g flour"));
    assert_true(contains(d, "1 cup of milk"));
    assert_true(contains(d, "25 minutes"));
    assert_false(contains(d, "Waffles"));
    ng_doc_free(d);
    /* a short post beside a text widget in the sidebar: the widget's
     * paragraphs are under an <aside> and do not win */
    d = must("<html><body><div class=\"entry\"><p>I would invest in charging stations for electric cars, "
             "and I wonder why nobody else does.</p><p>Thanks for the tip, by the way.</p></div>"
             "<aside><div class=\"textwidget\"><p>" PROSE "</p><p>" PROSE2 "</p></div><ul><li>Archive of January</li>"
             "<li>Archive of February</li><li>Archive of March</li><li>Archive of April</li><li>Archive of May</li>"
             "<li>Archive of June</li><li>Archive of July</li><li>Archive of August</li><li>Archive of September</li>"
             "<li>Archive of October</li><li>Archive of November</li></ul></aside></body></html>");
    assert_true(contains(d, "charging stations"));
    assert_false(contains(d, PROSE2));
    ng_doc_free(d);
    /* the article inside an <aside> of <main>: the region (<main>) drops
     * the <aside>, so the best candidate alone is read again */
    d = must("<html><body><nav><a href=\"/\">Home</a></nav><main><aside><div class=\"news\"><h1>Prize</h1>"
             "<div itemprop=\"articleBody\"><p>" PROSE "</p><p>" PROSE2 "</p></div></div></aside>"
             "<p>Ten free articles left this month.</p></main></body></html>");
    assert_true(contains(d, PROSE));
    assert_true(contains(d, PROSE2));
    assert_false(contains(d, "free articles"));
    ng_doc_free(d);
    /* the best candidate holds only a placeholder: nothing is kept from
     * it, so the whole page, filtered, is read (short lines of a post) */
    d = must("<html><body><div class=\"entry\"><p>Film swap, April 2018</p><p>Camera: Pentax Z-1</p>"
             "<p>Film: Fuji X-TRA 400.</p></div><div class=\"post-likes\"><div>%d bloggers like this post:</div>"
             "</div></body></html>");
    assert_true(contains(d, "Camera: Pentax Z-1"));
    assert_false(contains(d, "bloggers"));
    ng_doc_free(d);
    /* ... but not when the best candidate is inside a <form> (a login
     * dialog's messages) */
    d = must("<html><body><main><div class=\"login\"><form><div class=\"msgs\"><p>" PROSE "</p><p>" PROSE2
             "</p></div></form></div><p>Watch the video.</p></main></body></html>");
    assert_false(contains(d, PROSE2));
    ng_doc_free(d);
}

/* Inline white space collapses, scripts and hidden text never show. */
static void inline_text(void **state)
{
    (void)state;
    ng_doc *d = must("<html><body><article><p>The   <b>minister</b>\n said\t<i>on</i>&nbsp;Monday "
                     "<script>var x = 'hidden script';</script>that the government would review the deal, "
                     "<span style=\"display:none\">invisible</span>which was signed in 2014.</p>"
                     "<p>" PROSE2 "</p></article></body></html>");
    assert_true(contains(d, "The minister said on Monday that the government would review the deal, which was signed in 2014."));
    assert_false(contains(d, "hidden script"));
    assert_false(contains(d, "invisible"));
    ng_doc_free(d);
}

/* Pages without article text give no text, and the pipeline refuses them. */
static void no_article(void **state)
{
    (void)state;
    ng_doc *d = NULL;
    const char *pages[] = {
        "<html></html>",
        "<html><body></body></html>",
        "<html><body><nav><a href=\"/a\">Home</a> <a href=\"/b\">World</a> <a href=\"/c\">Sport</a></nav></body></html>",
        "<html><head><title>Only a title</title></head><body><script>alert(1)</script></body></html>",
    };
    for (size_t i = 0; i < sizeof pages / sizeof *pages; i++) {
        int rc = run(pages[i], strlen(pages[i]), &d);
        assert_int_equal(rc, NG_EEMPTY);
        assert_null(d);
    }
}

static char *repeat(const char *unit, size_t times, const char *head, const char *tail, size_t *len)
{
    size_t u = strlen(unit), h = strlen(head), t = strlen(tail);
    char *s = malloc(h + u * times + t + 1);
    assert_non_null(s);
    memcpy(s, head, h);
    for (size_t i = 0; i < times; i++)
        memcpy(s + h + i * u, unit, u);
    memcpy(s + h + u * times, tail, t + 1);
    *len = h + u * times + t;
    return s;
}

/* 100,000 nested tags are refused quickly with NG_EFORMAT; moderately
 * deep pages still work; 100,000 sibling paragraphs are fine. */
static void nesting_depth(void **state)
{
    (void)state;
    size_t n;
    ng_doc *d = NULL;
    const char *units[] = {"<div>", "<span>", "<div/>", "<b id=x>", "<ul>", "<div></span>"};
    for (size_t k = 0; k < sizeof units / sizeof *units; k++) {
        char *s = repeat(units[k], 100000, "<html><body>", "<p>" PROSE "</p></body></html>", &n);
        clock_t t0 = clock();
        int rc = run(s, n, &d);
        double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
        assert_true(secs < 10.0);
        if (rc == NG_OK)
            ng_doc_free(d);
        else
            assert_int_equal(rc, NG_EFORMAT);
        if (k < 3)
            assert_int_equal(rc, NG_EFORMAT);
        free(s);
    }
    char *s = repeat("<div>", 1000, "<html><body>", "<p>" PROSE "</p></body></html>", &n);
    assert_int_equal(run(s, n, &d), NG_OK);
    assert_true(contains(d, PROSE));
    ng_doc_free(d);
    free(s);
    s = repeat("<p>" PROSE, 100000, "<html><body><article>", "</article></body></html>", &n);
    assert_int_equal(run(s, n, &d), NG_OK);
    assert_true(contains(d, PROSE));
    ng_doc_free(d);
    free(s);
    /* many paragraphs under 4,000 open elements: each <p> makes the tree
     * builder walk the open elements, which the pre-scan charges */
    char *deep = repeat("<em>", 4000, "<html><body>", "", &n);
    char *tail = repeat("<p>x</p>", 200000, deep, "</body></html>", &n);
    clock_t t0 = clock();
    int rc = run(tail, n, &d);
    assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 5.0);
    if (rc == NG_OK)
        ng_doc_free(d);
    else
        assert_int_equal(rc, NG_EFORMAT);
    free(tail);
    free(deep);
}

/* Unclosed tags, junk in attributes, a huge paragraph. */
static void broken_and_huge(void **state)
{
    (void)state;
    ng_doc *d = NULL;
    d = must("<html><body><article><p>" PROSE "<p>" PROSE2 "<div><span><b>");
    assert_true(contains(d, PROSE2));
    ng_doc_free(d);
    char junk[] = "<html><body><article><p class=\"\x01\x02\xef\xbf\xbd\" id='<p>'  data-x=a\"b\"c>" PROSE
                  "</p><img src=\"x\" <p>" PROSE2 "</p></article></body></html>";
    assert_int_equal(run(junk, strlen(junk), &d), NG_OK);
    assert_true(contains(d, PROSE));
    ng_doc_free(d);

    /* a page whose only text is control bytes: empty segments and no
     * text buffer at all (clang's UBSan: arithmetic on a null pointer,
     * found by fuzz_html; fuzz/corpus/html/control-byte.html keeps it) */
    const char *ctl[] = {"\x04", "\x19\x04", "<html><body><p>\x01\x02\x03</p><div>\x04</div></body></html>"};
    for (size_t k = 0; k < sizeof ctl / sizeof *ctl; k++) {
        if (run(ctl[k], strlen(ctl[k]), &d) == NG_OK)
            ng_doc_free(d);
    }
    /* the parser once let a NUL into a text node here (found by fuzz_html) */
    const char nul[] = "<!><title></title>\n<style></style>\n<link>\n<link>\n</>\n<link>\n<link>\n<link>\n"
                       "<link>\n<link> *</s>\n</>\nscript><t";
    if (run(nul, strlen(nul), &d) == NG_OK) {
        size_t tn;
        const char *t = ng_doc_text(d, &tn);
        assert_int_equal(strlen(t), tn);
        ng_doc_free(d);
    }

    size_t n;
    char *s = repeat("word ", (size_t)20 << 20, "<html><body><p>", "</p></body></html>", &n); /* 100 MB */
    int rc = run(s, n, &d);
    assert_int_equal(rc, NG_OK);
    size_t tl;
    ng_doc_text(d, &tl);
    assert_true(tl > ((size_t)99 << 20));
    ng_doc_free(d);
    free(s);
}

static void charset_sniffer(void **state)
{
    (void)state;
    char cs[32];
    const char *a = "<html><head><meta charset=\"ISO-8859-1\"><title>x</title>";
    assert_int_equal(ng_html_sniff_charset(a, strlen(a), cs, sizeof cs), 1);
    assert_string_equal(cs, "iso-8859-1");
    const char *b = "<HTML><HEAD><META HTTP-EQUIV=\"Content-Type\" CONTENT=\"text/html; charset=windows-1252\">";
    assert_int_equal(ng_html_sniff_charset(b, strlen(b), cs, sizeof cs), 1);
    assert_string_equal(cs, "windows-1252");
    const char *c = "<html><head><meta name=\"description\" content=\"no charset here\"></head>";
    assert_int_equal(ng_html_sniff_charset(c, strlen(c), cs, sizeof cs), 0);
    /* only the first 4 KiB count */
    size_t n;
    char *s = repeat(" ", 5000, "<html>", "<meta charset=utf-8>", &n);
    assert_int_equal(ng_html_sniff_charset(s, n, cs, sizeof cs), 0);
    free(s);
    /* a tiny output buffer is not overrun */
    char tiny[4];
    assert_int_equal(ng_html_sniff_charset(a, strlen(a), tiny, sizeof tiny), 1);
    assert_string_equal(tiny, "iso");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(title_sources),     cmocka_unit_test(date_sources), cmocka_unit_test(date_sources_more), cmocka_unit_test(promo_and_teasers), cmocka_unit_test(lead_paragraph),
        cmocka_unit_test(short_and_noscript),   cmocka_unit_test(lang_hint),
        cmocka_unit_test(boilerplate_dropped), cmocka_unit_test(inline_text),  cmocka_unit_test(no_article),
        cmocka_unit_test(nesting_depth),     cmocka_unit_test(broken_and_huge), cmocka_unit_test(charset_sniffer),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
