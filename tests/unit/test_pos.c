/*
 * test_pos.c — the part-of-speech stage (pos.c) with the committed models
 * (models/pos-en.bin, models/pos-fr.bin): tags of unambiguous words in
 * sentences written here, every token tagged, empty documents, long
 * sentences cut in chunks; refused model files (corrupt, truncated, not
 * a part-of-speech model), a missing model that is not an error; and the
 * tagger's plain tag sets (tagger.c): names checked, the vectorised
 * Viterbi equal to the reference one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "pos.h"
#include "tagger.h"
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Segments text (no other stage) in lang, then runs the stage. */
static ng_doc *tagged(const char *text, const char *lang)
{
    ng_source src;
    ng_source_default(&src);
    src.format = NG_FORMAT_TEXT;
    src.lang = lang;
    ng_doc *d = NULL;
    ng_worker_set_stages(worker, 0);
    assert_int_equal(ng_analyze(worker, &src, text, strlen(text), &d), NG_OK);
    ng_worker_set_stages(worker, NG_STAGE_ALL);
    assert_string_equal(d->lang, lang);
    assert_int_equal(ng_pos_tag(worker, d), NG_OK);
    assert_non_null(d->pos);
    for (size_t i = 0; i < d->ntokens; i++)
        assert_true(d->pos[i] > NG_UPOS_NONE && d->pos[i] < NG_UPOS_COUNT);
    return d;
}

/* The tag of the first token spelled word at or after token *from (which
 * moves past it); fails the test when there is none. */
static int tag_of(const ng_doc *d, const char *word, size_t *from)
{
    size_t n = strlen(word);
    for (size_t i = *from; i < d->ntokens; i++) {
        const ng_token *t = &d->tokens[i];
        if (t->end - t->start == n && memcmp(d->text + t->start, word, n) == 0) {
            *from = i + 1;
            return d->pos[i];
        }
    }
    fail_msg("no token '%s'", word);
    return NG_UPOS_NONE;
}

/* Asserts word (the next occurrence) has tag want. */
#define EXPECT(d, from, word, want)                                                                     \
    do {                                                                                                \
        int got_ = tag_of(d, word, &from);                                                              \
        if (got_ != (want))                                                                             \
            fail_msg("'%s': %s, expected %s", word, ng_upos_name(got_), ng_upos_name(want));            \
    } while (0)

static void names(void **state)
{
    (void)state;
    assert_string_equal(ng_upos_name(NG_UPOS_ADJ), "ADJ");
    assert_string_equal(ng_upos_name(NG_UPOS_PROPN), "PROPN");
    assert_string_equal(ng_upos_name(NG_UPOS_X), "X");
    assert_string_equal(ng_upos_name(NG_UPOS_NONE), "_");
    assert_string_equal(ng_upos_name(NG_UPOS_COUNT), "_");
    assert_string_equal(ng_upos_name(-3), "_");
}

static void english(void **state)
{
    (void)state;
    ng_doc *d = tagged("The minister visited Warsaw on Tuesday. She didn't meet the generals, "
                       "but the talks were useful and they will continue in March.",
                       "en");
    size_t k = 0;
    EXPECT(d, k, "The", NG_UPOS_DET);
    EXPECT(d, k, "minister", NG_UPOS_NOUN);
    EXPECT(d, k, "visited", NG_UPOS_VERB);
    EXPECT(d, k, "Warsaw", NG_UPOS_PROPN);
    EXPECT(d, k, "on", NG_UPOS_ADP);
    EXPECT(d, k, "Tuesday", NG_UPOS_PROPN);
    EXPECT(d, k, ".", NG_UPOS_PUNCT);
    EXPECT(d, k, "She", NG_UPOS_PRON);
    EXPECT(d, k, "did", NG_UPOS_AUX); /* the segmenter splits "didn't" like UD */
    EXPECT(d, k, "n't", NG_UPOS_PART);
    EXPECT(d, k, "meet", NG_UPOS_VERB);
    EXPECT(d, k, "the", NG_UPOS_DET);
    EXPECT(d, k, ",", NG_UPOS_PUNCT);
    EXPECT(d, k, "but", NG_UPOS_CCONJ);
    EXPECT(d, k, "were", NG_UPOS_AUX);
    EXPECT(d, k, "useful", NG_UPOS_ADJ);
    EXPECT(d, k, "and", NG_UPOS_CCONJ);
    EXPECT(d, k, "they", NG_UPOS_PRON);
    EXPECT(d, k, "will", NG_UPOS_AUX);
    EXPECT(d, k, "continue", NG_UPOS_VERB);
    EXPECT(d, k, "March", NG_UPOS_PROPN);
    ng_doc_free(d);
}

static void french(void **state)
{
    (void)state;
    ng_doc *d = tagged("Le président du Mali a rencontré les ministres à Bamako. "
                       "Il n'a pas signé l'accord qu'ils avaient préparé.",
                       "fr");
    size_t k = 0;
    EXPECT(d, k, "Le", NG_UPOS_DET);
    EXPECT(d, k, "président", NG_UPOS_NOUN);
    EXPECT(d, k, "du", NG_UPOS_ADP); /* de + le, one token: the first word's tag */
    EXPECT(d, k, "Mali", NG_UPOS_PROPN);
    EXPECT(d, k, "a", NG_UPOS_AUX);
    EXPECT(d, k, "rencontré", NG_UPOS_VERB);
    EXPECT(d, k, "les", NG_UPOS_DET);
    EXPECT(d, k, "à", NG_UPOS_ADP);
    EXPECT(d, k, "Bamako", NG_UPOS_PROPN);
    EXPECT(d, k, ".", NG_UPOS_PUNCT);
    EXPECT(d, k, "Il", NG_UPOS_PRON);
    EXPECT(d, k, "pas", NG_UPOS_ADV);
    EXPECT(d, k, "signé", NG_UPOS_VERB);
    EXPECT(d, k, "l'", NG_UPOS_DET); /* the elision is its own token, as in UD */
    EXPECT(d, k, "accord", NG_UPOS_NOUN);
    EXPECT(d, k, "qu'", NG_UPOS_PRON);
    EXPECT(d, k, "préparé", NG_UPOS_VERB);
    ng_doc_free(d);
}

/* A document without tokens, built by hand (ng_analyze refuses empty text). */
static void empty_document(void **state)
{
    (void)state;
    ng_doc *d = calloc(1, sizeof *d);
    assert_non_null(d);
    ng_arena_init(&d->arena);
    d->model = model;
    d->lang_res = ng_model_lang(model, "en");
    assert_int_equal(ng_pos_tag(worker, d), NG_OK); /* no text at all */
    assert_non_null(d->pos);
    d->text = ng_arena_strndup(&d->arena, "", 0);
    d->text_len = 0;
    assert_int_equal(ng_segment(worker, d), NG_OK);
    assert_int_equal(d->ntokens, 0);
    assert_int_equal(ng_pos_tag(worker, d), NG_OK);
    assert_non_null(d->pos);
    ng_doc_free(d);
    /* a language without a model: no tags, no error */
    static ng_lang no_model; /* zeroed: no tagger */
    d = calloc(1, sizeof *d);
    assert_non_null(d);
    ng_arena_init(&d->arena);
    d->model = model;
    d->lang_res = &no_model;
    assert_int_equal(ng_pos_tag(worker, d), NG_OK);
    assert_null(d->pos);
    /* no language told at all (a short text): the English tagger */
    d->lang_res = NULL;
    assert_int_equal(ng_pos_tag(worker, d), NG_OK);
    assert_non_null(d->pos);
    ng_doc_free(d);
}

/* A sentence of 2,000 tokens is tagged in chunks: every token gets a tag,
 * punctuation stays punctuation. */
static void long_sentence(void **state)
{
    (void)state;
    size_t n = 1000;
    char *text = malloc(n * 12 + 1);
    assert_non_null(text);
    size_t o = 0;
    for (size_t i = 0; i < n; i++)
        o += (size_t)sprintf(text + o, i % 2 ? ", " : "the army");
    ng_doc *d = tagged(text, "en");
    assert_true(d->ntokens >= 1000);
    size_t commas = 0;
    for (size_t i = 0; i < d->ntokens; i++)
        if (d->tokens[i].end - d->tokens[i].start == 1 && d->text[d->tokens[i].start] == ',') {
            assert_int_equal(d->pos[i], NG_UPOS_PUNCT);
            commas++;
        }
    assert_true(commas >= 400);
    ng_doc_free(d);
    free(text);
}

/* ---- model files --------------------------------------------------------- */

static char tmpdir[64];

static void write_bytes(const char *name, const void *p, size_t n)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(p, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

static void remove_file(const char *name)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    unlink(path);
}

/* Loads pos-en.bin from tmpdir: the return code, the message in err, and
 * whether a model came back. */
static int load_tmp(char *err, size_t errlen, int *loaded)
{
    ng_pos *p = NULL;
    int rc = ng_pos_load(&p, tmpdir, "en", err, errlen);
    if (rc != NG_OK)
        assert_null(p);
    *loaded = p != NULL;
    ng_pos_free(p);
    return rc;
}

static void model_files(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/ng-test-pos-XXXXXX");
    assert_non_null(mkdtemp(tmpdir));
    /* the committed model, found where the library finds it */
    ng_modelfile mf;
    char path[4200], err[512];
    int found = 0;
    assert_int_equal(ng_modelfile_search(&mf, NULL, "pos-en.bin", "part-of-speech", path, sizeof path, &found, err,
                                         sizeof err),
                     NG_OK);
    assert_int_equal(found, 1);
    size_t len = mf.size;
    unsigned char *bytes = malloc(len);
    assert_non_null(bytes);
    memcpy(bytes, mf.base, len);
    ng_modelfile_close(&mf);

    /* a good copy loads */
    write_bytes("pos-en.bin", bytes, len);
    int loaded;
    assert_int_equal(load_tmp(err, sizeof err, &loaded), NG_OK);
    assert_true(loaded);

    /* one byte changed in the weights: refused, with the reason and the path */
    bytes[len / 2] ^= 0x40;
    write_bytes("pos-en.bin", bytes, len);
    assert_int_equal(load_tmp(err, sizeof err, &loaded), NG_EMODEL);
    assert_non_null(strstr(err, "checksum"));
    assert_non_null(strstr(err, tmpdir));
    assert_null(strchr(err, '\n'));
    bytes[len / 2] ^= 0x40;

    /* truncated */
    write_bytes("pos-en.bin", bytes, len - 1000);
    assert_int_equal(load_tmp(err, sizeof err, &loaded), NG_EMODEL);
    assert_non_null(strstr(err, "truncated"));

    /* not a model at all */
    write_bytes("pos-en.bin", "hello, world\n", 13);
    assert_int_equal(load_tmp(err, sizeof err, &loaded), NG_EMODEL);
    assert_non_null(strstr(err, "too short"));

    /* a valid model file whose tagger has entity tags (the NER model) */
    assert_int_equal(ng_modelfile_search(&mf, NULL, "ner-en.bin", "named-entity", path, sizeof path, &found, err,
                                         sizeof err),
                     NG_OK);
    write_bytes("pos-en.bin", mf.base, mf.size);
    ng_modelfile_close(&mf);
    assert_int_equal(load_tmp(err, sizeof err, &loaded), NG_EMODEL);
    assert_non_null(strstr(err, "not a part-of-speech model"));

    /* ng_model_new refuses a corrupt POS model with its reason (the NER
     * models come from the same folder: link them there) ... */
    char src[4300], dst[128];
    for (int l = 0; l < 2; l++) {
        const char *code = l ? "fr" : "en";
        char file[32];
        snprintf(file, sizeof file, "ner-%s.bin", code);
        assert_int_equal(ng_modelfile_search(&mf, NULL, file, "named-entity", src, sizeof src, &found, err, sizeof err),
                         NG_OK);
        ng_modelfile_close(&mf);
        snprintf(dst, sizeof dst, "%s/%s", tmpdir, file);
        assert_int_equal(symlink(src, dst), 0);
    }
    bytes[100] ^= 1;
    write_bytes("pos-en.bin", bytes, len);
    ng_model_options opt;
    ng_model_options_default(&opt);
    opt.models_dir = tmpdir;
    ng_model *m = NULL;
    assert_int_not_equal(ng_model_new(&m, &opt, err, sizeof err), NG_OK);
    assert_null(m);
    assert_non_null(strstr(err, "pos-en.bin"));

    /* ... and goes on without a missing one */
    remove_file("pos-en.bin");
    assert_int_equal(load_tmp(err, sizeof err, &loaded), NG_OK); /* no model, no error */
    assert_false(loaded);
    assert_non_null(strstr(err, "no part-of-speech model pos-en.bin"));
    assert_int_equal(ng_model_new(&m, &opt, err, sizeof err), NG_OK);
    assert_null(ng_model_lang(m, "en")->pos);
    ng_worker *w = NULL;
    assert_int_equal(ng_worker_new(m, &w), NG_OK);
    ng_source s;
    ng_source_default(&s);
    s.format = NG_FORMAT_TEXT;
    s.lang = "en";
    ng_doc *d = NULL;
    ng_worker_set_stages(w, 0);
    const char *text = "The army left the town.";
    assert_int_equal(ng_analyze(w, &s, text, strlen(text), &d), NG_OK);
    assert_int_equal(ng_pos_tag(w, d), NG_OK);
    assert_null(d->pos);
    ng_doc_free(d);
    ng_worker_free(w);
    ng_model_free(m);

    remove_file("ner-en.bin");
    remove_file("ner-fr.bin");
    rmdir(tmpdir);
    free(bytes);
}

/* ---- the tagger's plain tag sets ---------------------------------------- */

static void plain_tags(void **state)
{
    (void)state;
    ng_tagger t;
    memset(&t, 0, sizeof t);
    t.p.scheme = NG_SCHEME_PLAIN;
    t.p.ntags = 3;
    strcpy(t.tags[0], "NOUN");
    strcpy(t.tags[1], "VERB");
    strcpy(t.tags[2], "B-PER"); /* any name will do ... */
    assert_int_equal(ng_tagger_index_tags(&t), NG_OK);
    assert_int_equal(t.kind[2], 'T');
    strcpy(t.tags[2], "NOUN"); /* ... but not twice */
    assert_int_equal(ng_tagger_index_tags(&t), NG_EINVAL);
    t.tags[2][0] = '\0'; /* nor empty */
    assert_int_equal(ng_tagger_index_tags(&t), NG_EINVAL);
    t.p.scheme = 7;
    strcpy(t.tags[2], "ADJ");
    assert_int_equal(ng_tagger_index_tags(&t), NG_EINVAL);
    /* the entity scheme still wants BILOU names */
    t.p.scheme = NG_SCHEME_ENTITY;
    assert_int_equal(ng_tagger_index_tags(&t), NG_EINVAL);
    /* no transition is forbidden in a plain set */
    t.p.scheme = NG_SCHEME_PLAIN;
    assert_int_equal(ng_tagger_index_tags(&t), NG_OK);
    float trans[5 * 3] = {0};
    ng_tagger_constrain(&t, trans);
    for (int i = 0; i < 15; i++)
        assert_true(trans[i] == 0.0f);
}

static uint32_t rnd_state = 12345;
static uint32_t rnd(void)
{
    rnd_state = rnd_state * 1103515245u + 12345u;
    return rnd_state >> 8;
}

/* A random plain-tag model written and loaded back: ng_tagger_tag (the
 * vectorised Viterbi) gives the path of the reference ng_viterbi over the
 * same emission scores, for 17 tags and for an odd count; a model file
 * with an unknown scheme is refused. */
static void plain_viterbi(void **state)
{
    (void)state;
    static const unsigned counts[] = {17, 5, 32};
    for (unsigned c = 0; c < 3; c++) {
        unsigned T = counts[c];
        ng_tagger t;
        memset(&t, 0, sizeof t);
        t.p.bits = 10;
        t.p.seed = 3;
        t.p.families = NG_FF_WORD | NG_FF_AFFIX | NG_FF_WINDOW;
        t.p.scheme = NG_SCHEME_PLAIN;
        t.p.ntags = T;
        for (unsigned q = 0; q < T; q++)
            snprintf(t.tags[q], sizeof t.tags[q], "T%u", q);
        assert_int_equal(ng_tagger_index_tags(&t), NG_OK);
        size_t nw = ((size_t)1 << 10) * T;
        int16_t *w = malloc(nw * sizeof *w);
        float *trans = malloc((T + 2) * T * sizeof *trans);
        assert_true(w && trans);
        for (size_t i = 0; i < nw; i++)
            w[i] = (int16_t)(rnd() % 2001) - 1000;
        for (size_t i = 0; i < (T + 2) * T; i++)
            trans[i] = (float)(rnd() % 2001) / 100.0f - 10.0f;
        t.w = w;
        t.trans = trans;
        t.scale = 100.0f;
        ng_mf_writer wr;
        ng_mf_writer_init(&wr);
        assert_int_equal(ng_tagger_write(&t, &wr), NG_OK);
        unsigned char *f;
        size_t len;
        assert_int_equal(ng_mf_writer_finish(&wr, &f, &len), NG_OK);
        ng_mf_writer_free(&wr);
        ng_modelfile mf;
        ng_tagger lt;
        char err[256];
        assert_int_equal(ng_modelfile_open_mem(&mf, f, len, err, sizeof err), NG_OK);
        assert_int_equal(ng_tagger_load(&lt, &mf, err, sizeof err), NG_OK);
        assert_int_equal(lt.p.scheme, NG_SCHEME_PLAIN);
        static const char *const vocab[] = {"army", "left", "the", "town", "on", "Monday", ",", "said", "Paris", "."};
        ng_tword words[40];
        ng_tagger_scratch sc = {0}, sc2 = {0};
        for (int round = 0; round < 50; round++) {
            size_t n = 1 + rnd() % 40;
            for (size_t i = 0; i < n; i++) {
                const char *s = vocab[rnd() % 10];
                words[i] = (ng_tword){s, (uint32_t)strlen(s), 0, 0};
            }
            uint8_t got[40], want[40];
            assert_int_equal(ng_tagger_tag(&lt, &sc, words, n, got), NG_OK);
            /* the reference: emissions summed by hand, the scalar Viterbi */
            assert_int_equal(ng_tagger_features(&lt.p, &lt.clusters, &sc2, words, n), NG_OK);
            float *score = malloc(n * T * sizeof *score), *delta = malloc(n * T * sizeof *delta);
            uint8_t *back = malloc(n * T);
            assert_true(score && delta && back);
            for (size_t i = 0; i < n; i++)
                for (unsigned q = 0; q < T; q++) {
                    int32_t acc = 0;
                    for (unsigned k = 0; k < sc2.nrows[i]; k++)
                        acc += w[(size_t)sc2.rows[i * NG_TAGGER_MAX_FEATS + k] * T + q];
                    score[i * T + q] = (float)acc * (1.0f / lt.scale);
                }
            ng_viterbi(score, trans, n, T, delta, back, want);
            assert_memory_equal(got, want, n);
            free(score);
            free(delta);
            free(back);
        }
        ng_tagger_scratch_free(&sc);
        ng_tagger_scratch_free(&sc2);
        /* the scheme field (bytes 20..23 of "hash") set to an unknown value */
        const ng_mf_section *hs = ng_modelfile_find(&mf, "hash");
        assert_non_null(hs);
        unsigned char *bad = malloc(len);
        assert_non_null(bad);
        memcpy(bad, f, len);
        size_t off = (size_t)(hs->data - f);
        ng_put32(bad + off + 20, 9);
        /* fix the checksums so that the loader gets as far as the tagger */
        ng_mf_writer w2;
        ng_mf_writer_init(&w2);
        for (uint32_t i = 0; i < mf.nsections; i++) {
            const ng_mf_section *s = &mf.sections[i];
            assert_int_equal(ng_mf_writer_add(&w2, s->name, bad + (s->data - f), s->len), NG_OK);
        }
        unsigned char *f2;
        size_t len2;
        assert_int_equal(ng_mf_writer_finish(&w2, &f2, &len2), NG_OK);
        ng_mf_writer_free(&w2);
        ng_modelfile mf2;
        assert_int_equal(ng_modelfile_open_mem(&mf2, f2, len2, err, sizeof err), NG_OK);
        assert_int_equal(ng_tagger_load(&lt, &mf2, err, sizeof err), NG_EMODEL);
        assert_non_null(strstr(err, "unknown tag scheme 9"));
        free(f2);
        free(bad);
        free(f);
        free(w);
        free(trans);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(names),          cmocka_unit_test(english),     cmocka_unit_test(french),
        cmocka_unit_test(empty_document), cmocka_unit_test(long_sentence), cmocka_unit_test(model_files),
        cmocka_unit_test(plain_tags),     cmocka_unit_test(plain_viterbi),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
