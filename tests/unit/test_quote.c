/*
 * test_quote.c — unit tests of the quotes stage (src/quote.c): direct quotes
 * in every kind of mark, partial and indirect quotes, scare quotes left
 * out, quotes across paragraphs, and speakers found through names,
 * pronouns, titles and unnamed sources, in English and French.
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


/* The doc of text with the given entities (testutil.h), after coreference
 * and quotes. */
static ng_doc *with_entities(const char *text, const char *lang, const char *const *names)
{
    ng_doc *d = doc_with_entities(text, lang, names);
    assert_int_equal(ng_coref(worker, d), NG_OK);
    assert_int_equal(ng_quotes(worker, d), NG_OK);
    /* every entity's mentions stay in text order */
    for (size_t e = 0; e < d->nentities; e++)
        for (size_t k = 1; k < d->entities[e].nmentions; k++)
            assert_true(d->entities[e].mentions[k - 1].span.start <= d->entities[e].mentions[k].span.start);
    return d;
}

static ng_doc *analyze(const char *text, const char *lang)
{
    ng_source src;
    ng_source_default(&src);
    src.format = NG_FORMAT_TEXT;
    src.lang = lang;
    ng_doc *d = NULL;
    assert_int_equal(ng_analyze(worker, &src, text, strlen(text), &d), NG_OK);
    /* what must hold for any quote */
    for (size_t i = 0; i < d->nquotes; i++) {
        const ng_quote *q = &d->quotes[i];
        assert_true(q->span.start < q->span.end && q->span.end <= d->text_len);
        if (i)
            assert_true(d->quotes[i - 1].span.start <= q->span.start);
        if (q->speaker) {
            int found = 0;
            for (size_t e = 0; e < d->nentities; e++)
                found |= d->entities[e].id == q->speaker;
            assert_true(found);
        }
    }
    return d;
}

/* The quote whose text contains s, or NULL. */
static const ng_quote *quote_with(const ng_doc *d, const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < d->nquotes; i++) {
        const ng_quote *q = &d->quotes[i];
        for (uint32_t k = q->span.start; k + n <= q->span.end; k++)
            if (memcmp(d->text + k, s, n) == 0)
                return q;
    }
    return NULL;
}

/* The name of the entity with this id, or "". */
static const char *speaker_name(const ng_doc *d, const ng_quote *q)
{
    for (size_t e = 0; e < d->nentities; e++)
        if (d->entities[e].id == q->speaker && q->speaker)
            return d->entities[e].name;
    return "";
}

static void test_direct_marks(void **state)
{
    (void)state;
    static const char *const texts[] = {
        "\"We will stay in the region for a long time,\" said Mark Esper on Monday.",
        "\xe2\x80\x9cWe will stay in the region for a long time,\xe2\x80\x9d said Mark Esper on Monday.",
        "\xe2\x80\x98We will stay in the region for a long time,\xe2\x80\x99 said Mark Esper on Monday.",
    };
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        ng_doc *d = analyze(texts[i], "en");
        const ng_quote *q = quote_with(d, "We will stay in the region");
        assert_non_null(q);
        assert_true(q->direct);
        assert_non_null(q->cue);
        assert_string_equal(q->cue, "said");
        assert_non_null(strstr(speaker_name(d, q), "Esper"));
        /* the marks are not part of the quote */
        assert_true(d->text[q->span.start] == 'W');
        ng_doc_free(d);
    }
}

static void test_french_guillemets(void **state)
{
    (void)state;
    const char *t = "Le ministre am\xc3\xa9ricain Jim Mattis est arriv\xc3\xa9 mardi \xc3\xa0 Paris. "
                    "\xc2\xab\xc2\xa0Nous resterons en Syrie aussi longtemps que n\xc3\xa9" "cessaire\xc2\xa0\xc2\xbb, "
                    "a d\xc3\xa9" "clar\xc3\xa9 M. Mattis devant la presse.";
    ng_doc *d = analyze(t, "fr");
    const ng_quote *q = quote_with(d, "Nous resterons en Syrie");
    assert_non_null(q);
    assert_true(q->direct);
    /* inner no-break spaces are trimmed */
    assert_true(d->text[q->span.start] == 'N');
    assert_true(d->text[q->span.end - 1] == 'e');
    assert_non_null(strstr(speaker_name(d, q), "Mattis"));
    ng_doc_free(d);
}

static void test_partial_and_indirect(void **state)
{
    (void)state;
    static const char *const names[] = {"PER:Mark Esper", "PER:Florence Parly", "MISC:French", "LOC:Sahel", NULL};
    ng_doc *d = with_entities("Mark Esper, meanwhile, stressed that \"no decision has been made yet\" during a press "
                              "conference. Florence Parly said that the French forces would stay in the Sahel.",
                              "en", names);
    const ng_quote *q = quote_with(d, "no decision has been made yet");
    assert_non_null(q);
    assert_true(q->direct);
    assert_non_null(strstr(speaker_name(d, q), "Esper"));
    const ng_quote *r = quote_with(d, "French forces would stay");
    assert_non_null(r);
    assert_false(r->direct);
    assert_non_null(strstr(speaker_name(d, r), "Parly"));
    ng_doc_free(d);
}

static void test_scare_quotes_skipped(void **state)
{
    (void)state;
    ng_doc *d = analyze("The French-led \xe2\x80\x9c" "Barkhane\xe2\x80\x9d operation will be discussed next week "
                        "in Washington by the two ministers.",
                        "en");
    assert_null(quote_with(d, "Barkhane"));
    ng_doc_free(d);
    d = analyze("Members of Congress have warned that such a move would be a \xe2\x80\x9cshortsighted action.\xe2\x80\x9d",
                "en");
    assert_non_null(quote_with(d, "shortsighted action"));
    ng_doc_free(d);
}

static void test_across_paragraphs(void **state)
{
    (void)state;
    ng_doc *d = analyze("\xe2\x80\x9cWe have worked together for many months on this plan,\xe2\x80\x9d said Florence "
                        "Parly after the meeting.\n\n"
                        "\xe2\x80\x9cThe first part of the answer comes this year. The rest will take time.\n\n"
                        "\xe2\x80\x9c" "And we will not give up on the Sahel.\xe2\x80\x9d\n",
                        "en");
    const ng_quote *q = quote_with(d, "The first part of the answer");
    assert_non_null(q);
    /* the reopened paragraph is the same quote */
    assert_non_null(quote_with(d, "we will not give up"));
    assert_ptr_equal(q, quote_with(d, "we will not give up"));
    /* no cue: the speaker of the quote before */
    assert_non_null(strstr(speaker_name(d, q), "Parly"));
    ng_doc_free(d);
}

static void test_title_phrase_and_unnamed(void **state)
{
    (void)state;
    ng_doc *d = analyze("\"I am struggling to prevent the Americans from leaving,\" said the Chief of the Defense "
                        "Staff, General Fran\xc3\xa7ois Lecointre, last week. \"You can not help people against their "
                        "will,\" said a source close to the French presidency.",
                        "en");
    const ng_quote *q = quote_with(d, "I am struggling");
    assert_non_null(q);
    assert_non_null(strstr(speaker_name(d, q), "Lecointre"));
    const ng_quote *r = quote_with(d, "You can not help");
    assert_non_null(r);
    assert_non_null(r->speaker_text);
    assert_non_null(strstr(r->speaker_text, "source close to"));
    ng_doc_free(d);
}

/* 1 when the speaker entity of q has a mention over the first occurrence
 * of word w in d's text (what a reader would point at). */
static int speaker_mentioned_at(const ng_doc *d, const ng_quote *q, const char *w)
{
    const char *p = strstr(d->text, w);
    if (!p || !q->speaker)
        return 0;
    uint32_t s = (uint32_t)(p - d->text), e = s + (uint32_t)strlen(w);
    for (size_t i = 0; i < d->nentities; i++) {
        if (d->entities[i].id != q->speaker)
            continue;
        for (size_t k = 0; k < d->entities[i].nmentions; k++)
            if (d->entities[i].mentions[k].span.start < e && d->entities[i].mentions[k].span.end > s)
                return 1;
    }
    return 0;
}

static void test_second_verb_of_subject(void **state)
{
    (void)state;
    static const char *const names[] = {"PER:Ana Ruiz", "ORG:Board", NULL};
    /* the cue is the second verb of the subject: "X visited ..., and warned" */
    ng_doc *d = with_entities("In her speech, Ana Ruiz visited the old plant on Monday, and warned that the mill "
                              "would close before winter.",
                              "en", names);
    const ng_quote *q = quote_with(d, "the mill would close");
    assert_non_null(q);
    assert_string_equal(speaker_name(d, q), "Ana Ruiz");
    ng_doc_free(d);
    /* after "that", the subject of the embedded clause */
    d = with_entities("It is odd that Ana Ruiz praises the Board in public, yet warned that its members would "
                      "resign.",
                      "en", names);
    q = quote_with(d, "its members would resign");
    assert_non_null(q);
    assert_string_equal(speaker_name(d, q), "Ana Ruiz");
    ng_doc_free(d);
}

static void test_subject_before_parenthesis_or_dashes(void **state)
{
    (void)state;
    static const char *const names[] = {"PER:Tom Hale", "ORG:Budget Office", NULL};
    static const char *const texts[] = {
        "Rep. Tom Hale (D-Ore.) said the new bill would pass before the recess.",
        "Tom Hale -- a member of the Budget Office panel since 2010 -- said the new bill would pass before the "
        "recess.",
        "Tom Hale, 56, who has sat on the Budget Office panel for a decade, told reporters that the new bill would "
        "pass before the recess.",
    };
    /* past a parenthesis and an apposition after the quote */
    ng_doc *d0 = with_entities("\"They would not get a deal,\" Rep. Tom Hale (D-Ore.), a member of the panel, said on "
                               "Monday.",
                               "en", names);
    const ng_quote *q0 = quote_with(d0, "They would not get a deal");
    assert_non_null(q0);
    assert_string_equal(speaker_name(d0, q0), "Tom Hale");
    ng_doc_free(d0);
    /* a name right after the quote, then a long apposition before the cue */
    d0 = with_entities("\"The rule is an invasion of our domain,\" Tom Hale, the attorney general of the state, one of "
                       "the plaintiffs in the Budget Office case, said on Monday.",
                       "en", names);
    q0 = quote_with(d0, "The rule is an invasion");
    assert_non_null(q0);
    assert_string_equal(speaker_name(d0, q0), "Tom Hale");
    ng_doc_free(d0);
    /* a cue in the middle of the reported sentence: the content on both sides */
    d0 = with_entities("Acts of protest, Tom Hale said, are acts of patriotism in a free country.", "en", names);
    q0 = quote_with(d0, "acts of patriotism");
    assert_non_null(q0);
    assert_non_null(quote_with(d0, "Acts of protest"));
    assert_string_equal(speaker_name(d0, q0), "Tom Hale");
    ng_doc_free(d0);
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        ng_doc *d = with_entities(texts[i], "en", names);
        const ng_quote *q = quote_with(d, "bill would pass");
        assert_non_null(q);
        assert_string_equal(speaker_name(d, q), "Tom Hale");
        ng_doc_free(d);
    }
}

static void test_relative_pronoun_speaker(void **state)
{
    (void)state;
    static const char *const names[] = {"PER:Tom Hale", NULL};
    ng_doc *d = with_entities("The figures were checked by Tom Hale, who said that the numbers were clear.", "en",
                              names);
    const ng_quote *q = quote_with(d, "the numbers were clear");
    assert_non_null(q);
    assert_string_equal(speaker_name(d, q), "Tom Hale");
    /* the pronoun is a mention of the speaker */
    assert_true(speaker_mentioned_at(d, q, "who"));
    ng_doc_free(d);
    /* past an apposition: "Hale, now the panel's chairman, who ..." */
    d = with_entities("The figures were checked by Tom Hale, now the chairman, who said that the numbers were clear.",
                      "en", names);
    q = quote_with(d, "the numbers were clear");
    assert_non_null(q);
    assert_true(speaker_mentioned_at(d, q, "who"));
    ng_doc_free(d);
}

static void test_honorific_and_possessive(void **state)
{
    (void)state;
    /* a title word after an honorific is a name ("Mr. King"), one entity for both quotes */
    static const char *const none[] = {NULL};
    ng_doc *d = with_entities("\"We will not sign this,\" said Mr. King on Monday. \"Not this year,\" said Mr. King.",
                              "en", none);
    const ng_quote *q = quote_with(d, "We will not sign");
    const ng_quote *r = quote_with(d, "Not this year");
    assert_non_null(q);
    assert_non_null(r);
    /* the entity's name leaves the honorific out */
    assert_string_equal(speaker_name(d, q), "King");
    assert_int_equal(q->speaker, r->speaker);
    ng_doc_free(d);
    /* "X's alleged employment": an adjective, not X's claim */
    static const char *const ml[] = {"LOC:Mali", NULL};
    d = with_entities("Another issue is Mali's alleged employment of foreign fighters in the north.", "en", ml);
    assert_true(d->nquotes > 0);
    for (size_t i = 0; i < d->nquotes; i++)
        assert_int_equal(d->quotes[i].speaker, 0);
    ng_doc_free(d);
    /* "these countries confirmed": a subject no list knows, no guess further back */
    static const char *const mp[] = {"PER:Tom Hale", "PER:Ana Ruiz", NULL};
    d = with_entities("When Tom Hale and Ana Ruiz met the leaders in Pau, these countries confirmed that they "
                      "would cooperate.",
                      "en", mp);
    q = quote_with(d, "they would cooperate");
    assert_non_null(q);
    assert_int_equal(q->speaker, 0);
    ng_doc_free(d);
    /* "X's claim that ...": the possessor */
    static const char *const names[] = {"PER:Tom Hale", NULL};
    d = with_entities("Tom Hale's claim that the budget is balanced was repeated on Monday.", "en", names);
    q = quote_with(d, "the budget is balanced");
    assert_non_null(q);
    assert_string_equal(speaker_name(d, q), "Tom Hale");
    ng_doc_free(d);
}

static void test_owner_of_a_description(void **state)
{
    (void)state;
    static const char *const names[] = {"PER:Tom Hale", NULL};
    static const char *const texts[] = {
        "Tom Hale arrived late on Monday. His lawyer said that the senator would not testify.",
        "Tom Hale arrived late on Monday. Tom Hale's former lawyer said that the senator would not testify.",
    };
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        ng_doc *d = with_entities(texts[i], "en", names);
        const ng_quote *q = quote_with(d, "would not testify");
        assert_non_null(q);
        /* the entity it hangs on, and the words as written */
        assert_string_equal(speaker_name(d, q), "Tom Hale");
        assert_non_null(q->speaker_text);
        assert_non_null(strstr(q->speaker_text, "lawyer"));
        ng_doc_free(d);
    }
}

static void test_owner_of_any_subject(void **state)
{
    (void)state;
    static const char *const names[] = {"PER:Tom Hale", "PER:Ana Ruiz", NULL};
    /* a surname used as an adjective (tagged on its own): the person it names */
    static const char *const misc[] = {"PER:Tom Hale", "MISC:Hale", NULL};
    ng_doc *d1 = with_entities("Tom Hale spoke in Ohio on Monday. The Hale campaign said that the charges were false.",
                               "en", misc);
    const ng_quote *q1 = quote_with(d1, "the charges were false");
    assert_non_null(q1);
    assert_string_equal(speaker_name(d1, q1), "Tom Hale");
    assert_non_null(q1->speaker_text);
    assert_string_equal(q1->speaker_text, "The Hale campaign");
    ng_doc_free(d1);
    /* "X's team says", "according to her account": no speaker noun, the owner */
    ng_doc *d = with_entities("Tom Hale's team says that the senator will run again.", "en", names);
    const ng_quote *q = quote_with(d, "the senator will run again");
    assert_non_null(q);
    assert_string_equal(speaker_name(d, q), "Tom Hale");
    assert_non_null(q->speaker_text);
    assert_non_null(strstr(q->speaker_text, "team"));
    ng_doc_free(d);
    d = with_entities("Ana Ruiz wrote a book about those years. According to her account, the mayor knew about the "
                      "deal from the start.",
                      "en", names);
    q = quote_with(d, "the mayor knew about the deal");
    assert_non_null(q);
    assert_string_equal(speaker_name(d, q), "Ana Ruiz");
    ng_doc_free(d);
    /* an unnamed source followed by a name is no apposition */
    d = with_entities("According to exit polls, Tom Hale had a ten-point lead among young voters in the city.", "en",
                      names);
    q = quote_with(d, "had a ten-point lead");
    assert_non_null(q);
    assert_int_equal(q->speaker, 0);
    assert_non_null(q->speaker_text);
    assert_string_equal(q->speaker_text, "exit polls");
    ng_doc_free(d);
    /* a source noun after "among" is a complement */
    d = with_entities("With little support among young voters the campaign said that its message would change.", "en",
                      names);
    q = quote_with(d, "its message would change");
    assert_non_null(q);
    assert_non_null(q->speaker_text);
    assert_string_equal(q->speaker_text, "the campaign");
    ng_doc_free(d);
    /* an object pronoun after "selon" / "according to" is the source */
    d = with_entities("Ana Ruiz a parl\xc3\xa9 mardi. Selon elle, la situation reste fragile dans la r\xc3\xa9gion.",
                      "fr", names);
    q = quote_with(d, "la situation reste fragile");
    assert_non_null(q);
    assert_string_equal(speaker_name(d, q), "Ana Ruiz");
    ng_doc_free(d);
    d = with_entities("Ana Ruiz spoke on Monday. According to her, the vote was fair and open.", "en", names);
    q = quote_with(d, "the vote was fair");
    assert_non_null(q);
    assert_string_equal(speaker_name(d, q), "Ana Ruiz");
    assert_null(q->speaker_text);
    ng_doc_free(d);
    /* French "a" before a cue is "has", not an article */
    d = with_entities("Ana Ruiz a annonc\xc3\xa9 mardi de nouvelles mesures. Son entourage a pr\xc3\xa9" "cis\xc3\xa9 que "
                      "le calendrier pourrait changer.",
                      "fr", names);
    q = quote_with(d, "le calendrier pourrait changer");
    assert_non_null(q);
    assert_string_equal(speaker_name(d, q), "Ana Ruiz");
    assert_non_null(q->speaker_text);
    assert_string_equal(q->speaker_text, "Son entourage");
    ng_doc_free(d);
    /* an object "her" is no owner */
    d = with_entities("Ana Ruiz lost the vote. Accusing her of lying, the board said that the count was fair.", "en",
                      names);
    q = quote_with(d, "the count was fair");
    assert_non_null(q);
    assert_int_not_equal(strcmp(speaker_name(d, q), "Ana Ruiz"), 0);
    ng_doc_free(d);
}

static void test_complements_and_documents(void **state)
{
    (void)state;
    static const char *const names[] = {"PER:Tom Hale", NULL};
    /* a source noun after a preposition is a complement, not the speaker */
    ng_doc *d = with_entities("In his 2002 book, Tom Hale suggested that parents should save early.", "en", names);
    const ng_quote *q = quote_with(d, "parents should save early");
    assert_non_null(q);
    assert_string_equal(speaker_name(d, q), "Tom Hale");
    ng_doc_free(d);
    /* a document speaks as an unnamed source, with no entity made of it */
    static const char *const none[] = {NULL};
    d = with_entities("Video shows that the river was clean. The report says that the water is safe.", "en", none);
    q = quote_with(d, "the water is safe");
    assert_non_null(q);
    assert_int_equal(q->speaker, 0);
    assert_non_null(q->speaker_text);
    assert_string_equal(q->speaker_text, "The report");
    assert_int_equal(d->nentities, 0);
    ng_doc_free(d);
}

static void test_subject_before_cue_wins(void **state)
{
    (void)state;
    static const char *const names[] = {"PER:Ana Ruiz", NULL};
    /* the words after the cue ("the bank's drive") do not outrank "she said" */
    ng_doc *d = with_entities("Ana Ruiz spoke first. \"You squeezed the staff\" to raise the price, she said, "
                              "referencing the bank's drive to grow.",
                              "en", names);
    const ng_quote *q = quote_with(d, "You squeezed the staff");
    assert_non_null(q);
    assert_string_equal(speaker_name(d, q), "Ana Ruiz");
    assert_null(q->speaker_text);
    ng_doc_free(d);
}

static void test_cue_in_a_short_next_sentence(void **state)
{
    (void)state;
    static const char *const names[] = {"PER:Tom Hale", NULL};
    ng_doc *d = with_entities("\"Does anyone read the plan?\" Tom Hale asked. \"Nobody reads it at all.\" The vote is on "
                              "Monday.",
                              "en", names);
    const ng_quote *q = quote_with(d, "Does anyone read the plan?");
    assert_non_null(q);
    assert_non_null(q->cue);
    assert_string_equal(q->cue, "asked");
    assert_string_equal(speaker_name(d, q), "Tom Hale");
    /* the next quote, without a cue, goes on with the same speaker */
    const ng_quote *r = quote_with(d, "Nobody reads it");
    assert_non_null(r);
    assert_int_equal(r->speaker, q->speaker);
    ng_doc_free(d);
    /* a following sentence that is more than a cue is not taken */
    d = with_entities("\"Does anyone read the plan?\" Tom Hale asked the clerks who had come to the hearing.", "en",
                      names);
    q = quote_with(d, "Does anyone read the plan?");
    assert_non_null(q);
    ng_doc_free(d);
}

static void test_transcript_paragraphs_in_marks(void **state)
{
    (void)state;
    static const char *const none[] = {NULL};
    ng_doc *d = with_entities("\"HALE: We will vote on the budget on Monday.\n\n\"RUIZ: We will not vote on "
                              "it this week.\n\nThe session ended at noon.\n",
                              "en", none);
    const ng_quote *q = quote_with(d, "We will vote on the budget");
    const ng_quote *r = quote_with(d, "We will not vote");
    assert_non_null(q);
    assert_non_null(r);
    /* one quote per speaker, the label left out */
    assert_ptr_not_equal(q, r);
    assert_string_equal(speaker_name(d, q), "HALE");
    assert_string_equal(speaker_name(d, r), "RUIZ");
    assert_int_not_equal(memcmp(d->text + q->span.start, "HALE", 4), 0);
    assert_int_equal(memcmp(d->text + q->span.start, "We will", 7), 0);
    ng_doc_free(d);
}

static void test_dateline_and_partial_quote(void **state)
{
    (void)state;
    static const char *const names[] = {"LOC:WASHINGTON", "PER:Tom Hale", "PER:Ana Ruiz", NULL};
    ng_doc *d = with_entities("WASHINGTON -- President Tom Hale, opening the museum on Saturday, said it would tell "
                              "the story of the city.",
                              "en", names);
    const ng_quote *q = quote_with(d, "tell the story");
    assert_non_null(q);
    assert_string_equal(speaker_name(d, q), "Tom Hale");
    ng_doc_free(d);
    /* a partial quote inside a sentence takes the cue before it, not the
     * cue of the clause after it */
    d = with_entities("Tom Hale said Ana Ruiz was \"absolutely right\" when she said the plan would fail.", "en",
                      names);
    q = quote_with(d, "absolutely right");
    assert_non_null(q);
    assert_string_equal(speaker_name(d, q), "Tom Hale");
    ng_doc_free(d);
}

static void test_nearest_subject_forms(void **state)
{
    (void)state;
    static const char *const names[] = {"PER:Tom Hale", "PER:Ana Ruiz", "ORG:Harbor Police Department", NULL};
    /* a participle after "was" is the verb of its own subject */
    ng_doc *d = with_entities("Tom Hale left early, and Ana Ruiz was saying that \"the wages must rise this year.\"",
                              "en", names);
    const ng_quote *q = quote_with(d, "the wages must rise");
    assert_non_null(q);
    assert_string_equal(speaker_name(d, q), "Ana Ruiz");
    ng_doc_free(d);
    /* a relative pronoun right before the cue: its antecedent */
    d = with_entities("Tom Hale turned to the Harbor Police Department which reported \"two break-ins a week\" in "
                      "the area.",
                      "en", names);
    q = quote_with(d, "two break-ins a week");
    assert_non_null(q);
    assert_string_equal(speaker_name(d, q), "Harbor Police Department");
    assert_true(speaker_mentioned_at(d, q, "which"));
    ng_doc_free(d);
    /* "X -- who's called for ... --": 's is "has", the antecedent is past the dash */
    d = with_entities("It is a major issue, with Ana Ruiz -- who's called for higher taxes on the rich -- leading "
                      "the attack.",
                      "en", names);
    q = quote_with(d, "higher taxes on the rich");
    assert_non_null(q);
    assert_string_equal(speaker_name(d, q), "Ana Ruiz");
    ng_doc_free(d);
    /* an adverb between the subject and the cue (-ly, -ment) */
    d = with_entities("It was a case in which Ana Ruiz successfully argued that the districts were drawn unfairly.",
                      "en", names);
    q = quote_with(d, "the districts were drawn");
    assert_non_null(q);
    assert_string_equal(speaker_name(d, q), "Ana Ruiz");
    ng_doc_free(d);
    d = with_entities("Au conseil, Ana Ruiz a publiquement d\xc3\xa9" "clar\xc3\xa9 que le budget serait vot\xc3\xa9 en mai.",
                      "fr", names);
    q = quote_with(d, "le budget serait");
    assert_non_null(q);
    assert_string_equal(speaker_name(d, q), "Ana Ruiz");
    ng_doc_free(d);
    /* adverbial phrases between subject and cue are no owner of the speaker */
    d = with_entities("Ana Ruiz, de son c\xc3\xb4t\xc3\xa9, a pour sa part estim\xc3\xa9 que le budget serait vot\xc3\xa9 "
                      "en mai.",
                      "fr", names);
    q = quote_with(d, "le budget serait");
    assert_non_null(q);
    assert_string_equal(speaker_name(d, q), "Ana Ruiz");
    assert_null(q->speaker_text);
    ng_doc_free(d);
    d = with_entities("Tom Hale, for his part, has said that the budget would pass in May.", "en", names);
    q = quote_with(d, "the budget would pass");
    assert_non_null(q);
    assert_string_equal(speaker_name(d, q), "Tom Hale");
    assert_null(q->speaker_text);
    ng_doc_free(d);
    /* a quote with no cue after "CLAUSE, X said." */
    d = with_entities("The vote may slip to June, Tom Hale said. \"The other members have not read the bill yet.\"",
                      "en", names);
    q = quote_with(d, "have not read the bill");
    assert_non_null(q);
    assert_string_equal(speaker_name(d, q), "Tom Hale");
    ng_doc_free(d);
}

static void test_many_new_speakers(void **state)
{
    (void)state;
    /* thousands of speakers the tagger missed, each named twice: one entity
     * each, unique ids, both mentions under it, the relative pronoun too */
    enum { N = 2000 };
    size_t cap = (size_t)N * 160 + 1, len = 0;
    char *text = malloc(cap);
    assert_non_null(text);
    for (int i = 0; i < N; i++) {
        char name[16];
        snprintf(name, sizeof name, "Q%c%c%cx", 'a' + i % 26, 'a' + (i / 26) % 26, 'a' + (i / 676) % 26);
        len += (size_t)snprintf(text + len, cap - len,
                                "The plan was read by Mr. %s, who said that it works. \"It is fine,\" said Mr. %s. ",
                                name, name);
    }
    static const char *const none[] = {NULL};
    ng_doc *d = with_entities(text, "en", none);
    assert_true(d->nquotes >= 2 * N);
    assert_true(d->nentities >= N);
    for (size_t e = 1; e < d->nentities; e++)
        assert_true(d->entities[e].id > d->entities[e - 1].id);
    size_t three = 0; /* "Mr. X" (a direct quote's speaker), "X" and "who" (the reported one's) */
    for (size_t e = 0; e < d->nentities; e++)
        three += d->entities[e].nmentions == 3;
    assert_int_equal(three, N);
    ng_doc_free(d);
    free(text);
}

static void test_sentence_openers_are_not_speakers(void **state)
{
    (void)state;
    static const char *const none[] = {NULL};
    static const char *const texts[] = {
        "Following the vote, the board members said that they would appeal the ruling.",
        "Perhaps the board members said that they would appeal the ruling.",
        "WASHINGTON -- The board members said that they would appeal the ruling.",
    };
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        ng_doc *d = with_entities(texts[i], "en", none);
        const ng_quote *q = quote_with(d, "they would appeal");
        assert_non_null(q);
        /* no entity is made of the opening word */
        assert_int_equal(q->speaker, 0);
        assert_int_equal(d->nentities, 0);
        ng_doc_free(d);
    }
}

static void test_bad_input(void **state)
{
    (void)state;
    /* unbalanced and stray marks never make empty or inverted spans */
    static const char *const texts[] = {"\" \" \" said he.", "\xc2\xbb \xc2\xab", "\xe2\x80\x9d\xe2\x80\x9c x",
                                        "said that", "\"\"\"\"\"\"", "according to"};
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        ng_source src;
        ng_source_default(&src);
        src.format = NG_FORMAT_TEXT;
        src.lang = "en";
        ng_doc *d = NULL;
        if (ng_analyze(worker, &src, texts[i], strlen(texts[i]), &d) == NG_OK) {
            for (size_t k = 0; k < d->nquotes; k++)
                assert_true(d->quotes[k].span.start < d->quotes[k].span.end);
            ng_doc_free(d);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_direct_marks),          cmocka_unit_test(test_french_guillemets),
        cmocka_unit_test(test_partial_and_indirect),  cmocka_unit_test(test_scare_quotes_skipped),
        cmocka_unit_test(test_across_paragraphs),     cmocka_unit_test(test_title_phrase_and_unnamed),
        cmocka_unit_test(test_second_verb_of_subject),
        cmocka_unit_test(test_subject_before_parenthesis_or_dashes),
        cmocka_unit_test(test_relative_pronoun_speaker),
        cmocka_unit_test(test_honorific_and_possessive),
        cmocka_unit_test(test_sentence_openers_are_not_speakers),
        cmocka_unit_test(test_owner_of_a_description),
        cmocka_unit_test(test_subject_before_cue_wins),
        cmocka_unit_test(test_owner_of_any_subject),
        cmocka_unit_test(test_complements_and_documents),
        cmocka_unit_test(test_nearest_subject_forms),
        cmocka_unit_test(test_many_new_speakers),
        cmocka_unit_test(test_cue_in_a_short_next_sentence),
        cmocka_unit_test(test_transcript_paragraphs_in_marks),
        cmocka_unit_test(test_dateline_and_partial_quote),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
