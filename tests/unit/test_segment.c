/*
 * test_segment.c — unit tests of the segmenter (src/segment.c): tokens and
 * sentences of English and French text, one test per case the segmenter
 * claims to handle, and invariants (offsets inside the text, tokens in
 * order, sentences trimmed) checked on every text segmented here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "testutil.h"


/* Checks what must hold for any segmentation of any text. */
static void check_invariants(const ng_doc *d)
{
    uint32_t prev_end = 0, prev_sent = 0;
    for (size_t i = 0; i < d->ntokens; i++) {
        const ng_token *t = &d->tokens[i];
        assert_true(t->start < t->end);
        assert_true(t->end <= d->text_len);
        assert_true(t->start >= prev_end);
        assert_true(t->sent >= prev_sent && t->sent <= prev_sent + 1);
        assert_true(t->sent < d->nsentences);
        assert_true((t->flags & 0xffff0000u) == 0);
        /* no token holds white space */
        for (uint32_t k = t->start; k < t->end; k++)
            assert_false(d->text[k] == ' ' || d->text[k] == '\n' || d->text[k] == '\t');
        const ng_span *s = &d->sentences[t->sent];
        assert_true(t->start >= s->start && t->end <= s->end);
        assert_int_equal(!!(t->flags & NG_TOK_SENT_START), i == 0 || t->sent != d->tokens[i - 1].sent);
        prev_end = t->end;
        prev_sent = t->sent;
    }
    for (size_t i = 0; i < d->nsentences; i++) {
        const ng_span *s = &d->sentences[i];
        assert_true(s->start < s->end && s->end <= d->text_len);
        assert_false(d->text[s->start] == ' ' || d->text[s->end - 1] == ' ');
        if (i)
            assert_true(s->start >= d->sentences[i - 1].end);
    }
}

/* Segments text as language lang ("en", "fr", or NULL for no resources
 * chosen: the segmenter falls back to English).  The caller frees. */
static ng_doc *seg(const char *text, const char *lang)
{
    ng_doc *d = calloc(1, sizeof *d);
    assert_non_null(d);
    ng_arena_init(&d->arena);
    d->model = model;
    d->text = ng_arena_strdup(&d->arena, text);
    d->text_len = strlen(text);
    d->lang_res = lang ? ng_model_lang(model, lang) : NULL;
    assert_int_equal(ng_segment(worker, d), NG_OK);
    check_invariants(d);
    return d;
}

/* The index of the token spelled tok, or -1. */
static long find_tok(const ng_doc *d, const char *tok)
{
    size_t n = strlen(tok);
    for (size_t i = 0; i < d->ntokens; i++)
        if (d->tokens[i].end - d->tokens[i].start == n && memcmp(d->text + d->tokens[i].start, tok, n) == 0)
            return (long)i;
    return -1;
}

static void assert_tok(const ng_doc *d, const char *tok)
{
    if (find_tok(d, tok) < 0) {
        fprintf(stderr, "no token \"%s\" in: ", tok);
        for (size_t i = 0; i < d->ntokens; i++)
            fprintf(stderr, "%.*s|", (int)(d->tokens[i].end - d->tokens[i].start), d->text + d->tokens[i].start);
        fprintf(stderr, "\n");
        fail();
    }
}

static void assert_no_tok(const ng_doc *d, const char *tok) { assert_int_equal(find_tok(d, tok), -1); }

/* Asserts that sentence i is exactly s. */
static void assert_sent(const ng_doc *d, size_t i, const char *s)
{
    assert_true(i < d->nsentences);
    const ng_span *sp = &d->sentences[i];
    char buf[512];
    snprintf(buf, sizeof buf, "%.*s", (int)(sp->end - sp->start), d->text + sp->start);
    assert_string_equal(buf, s);
}

static void english_abbreviations(void **state)
{
    (void)state;
    ng_doc *d = seg("Gen. Mattis met Mr. Smith on Jan. 5 in the U.S. The next day, Dr. Jones left. "
                    "Apple Inc. said no. 5 was fine.", "en");
    assert_int_equal(d->nsentences, 3);
    assert_sent(d, 0, "Gen. Mattis met Mr. Smith on Jan. 5 in the U.S.");
    assert_sent(d, 1, "The next day, Dr. Jones left.");
    const char *abbr[] = {"Gen.", "Mr.", "Jan.", "U.S.", "Dr.", "Inc."};
    for (size_t i = 0; i < sizeof abbr / sizeof *abbr; i++) {
        assert_tok(d, abbr[i]);
        assert_true(d->tokens[find_tok(d, abbr[i])].flags & NG_TOK_ABBREV);
    }
    ng_doc_free(d);
    /* an abbreviation before a name that is not a function word: no break */
    d = seg("He moved to the U.S. Army base.", "en");
    assert_int_equal(d->nsentences, 1);
    ng_doc_free(d);
}

static void initials(void **state)
{
    (void)state;
    ng_doc *d = seg("J. R. R. Tolkien wrote books. He died in 1973.", "en");
    assert_int_equal(d->nsentences, 2);
    assert_sent(d, 0, "J. R. R. Tolkien wrote books.");
    assert_tok(d, "J.");
    assert_tok(d, "R.");
    ng_doc_free(d);
    d = seg("George W. Bush spoke.", "en");
    assert_int_equal(d->nsentences, 1);
    ng_doc_free(d);
}

static void french_abbreviations(void **state)
{
    (void)state;
    ng_doc *d = seg("M. Macron a reçu Mme Parly et le Dr. Martin. Le ministre est parti. "
                    "Il a vu M. Le Pen hier, p. 12.", "fr");
    assert_int_equal(d->nsentences, 3);
    assert_sent(d, 0, "M. Macron a reçu Mme Parly et le Dr. Martin.");
    assert_sent(d, 2, "Il a vu M. Le Pen hier, p. 12.");
    assert_tok(d, "M.");
    assert_tok(d, "Mme");
    assert_tok(d, "p.");
    ng_doc_free(d);
}

static void numbers(void **state)
{
    (void)state;
    ng_doc *d = seg("The 4,500 soldiers cost $45.5 million, up 3.5% since 10:30 on 20/01/2022.", "en");
    assert_tok(d, "4,500");
    assert_tok(d, "45.5");
    assert_tok(d, "3.5");
    assert_tok(d, "10:30");
    assert_tok(d, "20/01/2022");
    assert_int_equal(d->nsentences, 1);
    ng_doc_free(d);
    d = seg("Il y a 1,5 million d'habitants et 4\xC2\xA0" "500 soldats, soit 12\xE2\x80\xAF" "000 au total. Fin.", "fr");
    assert_tok(d, "1,5");
    assert_tok(d, "4\xC2\xA0" "500");
    assert_tok(d, "12\xE2\x80\xAF" "000");
    assert_int_equal(d->nsentences, 2);
    ng_doc_free(d);
    /* a year then a sentence: the period is a boundary */
    d = seg("It happened in 2019. Then it stopped.", "en");
    assert_int_equal(d->nsentences, 2);
    ng_doc_free(d);
}

static void ellipsis(void **state)
{
    (void)state;
    ng_doc *d = seg("He waited... Then he left. Il attendit\xE2\x80\xA6 Puis il partit.", "en");
    assert_int_equal(d->nsentences, 4);
    assert_tok(d, "...");
    assert_tok(d, "\xE2\x80\xA6");
    assert_sent(d, 0, "He waited...");
    ng_doc_free(d);
}

static void quotes_close_their_sentence(void **state)
{
    (void)state;
    ng_doc *d = seg("Il a dit\xC2\xA0: \xC2\xAB\xC2\xA0Nous restons.\xC2\xA0\xC2\xBB Puis il est parti.", "fr");
    assert_int_equal(d->nsentences, 2);
    assert_sent(d, 0, "Il a dit\xC2\xA0: \xC2\xAB\xC2\xA0Nous restons.\xC2\xA0\xC2\xBB");
    long q = find_tok(d, "\xC2\xAB");
    assert_true(q >= 0 && (d->tokens[q].flags & NG_TOK_QUOTE));
    q = find_tok(d, "\xC2\xBB");
    assert_true(q >= 0 && (d->tokens[q].flags & NG_TOK_QUOTE));
    assert_tok(d, "Nous");
    ng_doc_free(d);

    d = seg("He said: \xE2\x80\x9CWe stay.\xE2\x80\x9D Then he left. \"We will,\" she said. \"Yes.\" (See below.) Next.",
            "en");
    assert_int_equal(d->nsentences, 6);
    assert_sent(d, 0, "He said: \xE2\x80\x9CWe stay.\xE2\x80\x9D");
    assert_sent(d, 2, "\"We will,\" she said.");
    assert_sent(d, 3, "\"Yes.\"");
    assert_sent(d, 4, "(See below.)");
    assert_true(d->tokens[find_tok(d, "\xE2\x80\x9C")].flags & NG_TOK_QUOTE);
    assert_true(d->tokens[find_tok(d, "\"")].flags & NG_TOK_QUOTE);
    ng_doc_free(d);

    /* ? and ! before a lowercase word do not end the sentence */
    d = seg("\xC2\xAB Qui est l\xC3\xA0 ? \xC2\xBB demanda-t-il.", "fr");
    assert_int_equal(d->nsentences, 1);
    ng_doc_free(d);
}

static void single_quotes(void **state)
{
    (void)state;
    ng_doc *d = seg("\xE2\x80\x98We stay.\xE2\x80\x99 Then \xE2\x80\xB9ok\xE2\x80\xBA.", "en");
    assert_int_equal(d->nsentences, 2);
    assert_true(d->tokens[find_tok(d, "\xE2\x80\x98")].flags & NG_TOK_QUOTE);
    assert_true(d->tokens[find_tok(d, "\xE2\x80\x99")].flags & NG_TOK_QUOTE);
    assert_true(d->tokens[find_tok(d, "\xE2\x80\xB9")].flags & NG_TOK_QUOTE);
    ng_doc_free(d);
}

static void no_break_spaces(void **state)
{
    (void)state;
    /* U+00A0 and U+202F separate tokens like spaces */
    ng_doc *d = seg("Pourquoi\xE2\x80\xAF? Parce que\xC2\xA0!", "fr");
    assert_tok(d, "Pourquoi");
    assert_tok(d, "?");
    assert_tok(d, "!");
    assert_int_equal(d->ntokens, 5);
    assert_int_equal(d->nsentences, 2);
    ng_doc_free(d);
}

static void french_elisions(void **state)
{
    (void)state;
    ng_doc *d = seg("L'arm\xC3\xA9" "e dit qu\xE2\x80\x99il restera jusqu'\xC3\xA0 demain, aujourd'hui et lorsqu'on part, "
                    "c'est s\xC3\xBBr et n'importe.", "fr");
    assert_tok(d, "L'");
    assert_tok(d, "arm\xC3\xA9" "e");
    assert_tok(d, "qu\xE2\x80\x99");
    assert_tok(d, "il");
    assert_tok(d, "jusqu'");
    assert_tok(d, "\xC3\xA0");
    assert_tok(d, "aujourd'hui");
    assert_no_tok(d, "aujourd'");
    assert_tok(d, "lorsqu'");
    assert_tok(d, "c'");
    assert_tok(d, "n'");
    ng_doc_free(d);
}

static void english_clitics(void **state)
{
    (void)state;
    ng_doc *d = seg("He's sure they don't know it\xE2\x80\x99s John's, said O'Brien. We're done.", "en");
    assert_tok(d, "He");
    assert_tok(d, "'s");
    assert_tok(d, "do");
    assert_tok(d, "n't");
    assert_tok(d, "\xE2\x80\x99s");
    assert_tok(d, "John");
    assert_tok(d, "O'Brien");
    assert_tok(d, "'re");
    assert_int_equal(d->nsentences, 2);
    ng_doc_free(d);
}

static void hyphens(void **state)
{
    (void)state;
    ng_doc *d = seg("French anti-Jihadist efforts in the Sahelo-Saharan region.", "en");
    assert_tok(d, "anti-Jihadist");
    assert_tok(d, "Sahelo-Saharan");
    ng_doc_free(d);
    d = seg("Que fera-t-il au rendez-vous\xC2\xA0? Est-ce vrai, dit-elle.", "fr");
    assert_tok(d, "fera");
    assert_tok(d, "-t-il");
    assert_no_tok(d, "fera-t-il");
    assert_tok(d, "rendez-vous");
    assert_tok(d, "-ce");
    assert_tok(d, "-elle");
    ng_doc_free(d);
}

static void urls_and_emails(void **state)
{
    (void)state;
    ng_doc *d = seg("See https://example.com/a_b?c=1&d=(2). Mail john.doe@example.org or www.lemonde.fr, @afpfr "
                    "and #Sahel.", "en");
    assert_tok(d, "https://example.com/a_b?c=1&d=(2)");
    assert_tok(d, "john.doe@example.org");
    assert_tok(d, "www.lemonde.fr");
    assert_tok(d, "@afpfr");
    assert_tok(d, "#Sahel");
    assert_int_equal(d->nsentences, 2);
    ng_doc_free(d);
}

static void paragraphs_and_headlines(void **state)
{
    (void)state;
    ng_doc *d = seg("France pulls out of Mali\nThe government said on Monday that it would leave.\n\n"
                    "and a paragraph that starts lowercase\n\n  indented   \n\nLast one", "en");
    assert_int_equal(d->nsentences, 5);
    assert_sent(d, 0, "France pulls out of Mali");
    assert_sent(d, 2, "and a paragraph that starts lowercase");
    assert_sent(d, 3, "indented");
    ng_doc_free(d);
    /* hard-wrapped prose: line breaks are spaces */
    d = seg("The minister said that the\nforces would stay in the\nregion for as long as\nneeded. Then she left\n"
            "the room with the\nPresident.", "en");
    assert_int_equal(d->nsentences, 2);
    ng_doc_free(d);
    /* a sentence never crosses a blank line, even after an abbreviation */
    d = seg("He met Dr.\n\nSmith later.", "en");
    assert_int_equal(d->nsentences, 2);
    ng_doc_free(d);
}

static void numbered_lists(void **state)
{
    (void)state;
    ng_doc *d = seg("Steps:\n1. Open the box.\n2. Take it out.\n3) Enjoy", "en");
    assert_int_equal(d->nsentences, 4);
    assert_sent(d, 1, "1. Open the box.");
    assert_sent(d, 2, "2. Take it out.");
    assert_tok(d, "1.");
    ng_doc_free(d);
}

static void no_language_resources(void **state)
{
    (void)state;
    /* lang_res NULL: English resources */
    ng_doc *d = seg("Mr. Smith arrived. He's here.", NULL);
    assert_int_equal(d->nsentences, 2);
    assert_tok(d, "Mr.");
    assert_tok(d, "'s");
    ng_doc_free(d);
}

static void empty_and_odd_input(void **state)
{
    (void)state;
    ng_doc *d = seg("", "en");
    assert_int_equal(d->ntokens, 0);
    assert_int_equal(d->nsentences, 0);
    ng_doc_free(d);
    d = seg(" \n\n \t ", "en");
    assert_int_equal(d->ntokens, 0);
    assert_int_equal(d->nsentences, 0);
    ng_doc_free(d);
    d = seg("abc \xFF\xFE def. \xE2\x80 x \xF0\x9F\x98\x80 ok", "en");
    assert_true(d->ntokens >= 5);
    ng_doc_free(d);
    d = seg("...!!!???,,,''\"\"\xC2\xAB\xC2\xBB----", "fr");
    assert_true(d->ntokens >= 5);
    ng_doc_free(d);
}

static void flags(void **state)
{
    (void)state;
    ng_doc *d = seg("NATO and Paris sent 300 troops.", "en");
    long i = find_tok(d, "NATO");
    assert_true(d->tokens[i].flags & NG_TOK_ALLCAP);
    assert_true(d->tokens[i].flags & NG_TOK_UPPER);
    assert_true(d->tokens[i].flags & NG_TOK_WORD);
    assert_true(d->tokens[i].flags & NG_TOK_SENT_START);
    i = find_tok(d, "Paris");
    assert_false(d->tokens[i].flags & NG_TOK_ALLCAP);
    i = find_tok(d, "300");
    assert_true(d->tokens[i].flags & NG_TOK_NUM);
    assert_false(d->tokens[i].flags & NG_TOK_WORD);
    i = find_tok(d, ".");
    assert_true(d->tokens[i].flags & NG_TOK_PUNCT);
    ng_doc_free(d);
}

static void long_text_is_linear(void **state)
{
    (void)state;
    /* 4 MB of sentences: must finish (the test has a time limit) with the right counts */
    const char *unit = "The U.S. envoy met Gen. Smith at 10:30. \xC2\xAB\xC2\xA0Nous restons\xC2\xA0\xC2\xBB, dit-il.\n";
    size_t ul = strlen(unit), reps = (4u << 20) / ul;
    char *big = malloc(ul * reps + 1);
    assert_non_null(big);
    for (size_t i = 0; i < reps; i++)
        memcpy(big + i * ul, unit, ul);
    big[ul * reps] = '\0';
    ng_doc *d = seg(big, "en");
    assert_int_equal(d->nsentences, 2 * reps);
    ng_doc_free(d);
    free(big);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(english_abbreviations),
        cmocka_unit_test(initials),
        cmocka_unit_test(french_abbreviations),
        cmocka_unit_test(numbers),
        cmocka_unit_test(ellipsis),
        cmocka_unit_test(quotes_close_their_sentence),
        cmocka_unit_test(single_quotes),
        cmocka_unit_test(no_break_spaces),
        cmocka_unit_test(french_elisions),
        cmocka_unit_test(english_clitics),
        cmocka_unit_test(hyphens),
        cmocka_unit_test(urls_and_emails),
        cmocka_unit_test(paragraphs_and_headlines),
        cmocka_unit_test(numbered_lists),
        cmocka_unit_test(no_language_resources),
        cmocka_unit_test(empty_and_odd_input),
        cmocka_unit_test(flags),
        cmocka_unit_test(long_text_is_linear),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
