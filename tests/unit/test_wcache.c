/*
 * test_wcache.c — the tagger's fast path (tagger.c): the scores a loaded
 * tagger computes through its per-thread word cache and the grouped
 * Viterbi must be, bit for bit, those of the reference (ng_tagger_features,
 * the int16 rows summed by hand, ng_viterbi).  Random models (BILOU with
 * clusters and every feature family; plain tags; another tag count),
 * random sentences from a vocabulary with repeated, long (not cached) and
 * non-ASCII words, gazetteer and document bits up to the feature limit,
 * sentences long enough that words share cache sets, and two taggers
 * taking turns on one scratch.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tagger.h"

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 11);
}

/* A vocabulary: short words, capitalised words, digits, punctuation,
 * accented words, and words longer than the cache's key (and than
 * NG_TAGGER_MAX_TOKEN). */
#define NV 6000
static char *vocab[NV];

static void make_vocab(void)
{
    static const char *const syll[] = {"ka", "ro", "mi", "te", "su", "lan", "dor", "é", "ça", "Ü", "-", "'", "0", "7"};
    for (int i = 0; i < NV; i++) {
        char buf[200];
        size_t len = 0;
        int ns = 1 + (int)(rnd() % 4);
        if (i % 97 == 0)
            ns = 25 + (int)(rnd() % 30); /* long */
        for (int k = 0; k < ns; k++) {
            const char *s = syll[rnd() % (sizeof syll / sizeof *syll)];
            memcpy(buf + len, s, strlen(s));
            len += strlen(s);
        }
        buf[len] = '\0';
        if (i % 3 == 0)
            buf[0] = (char)(buf[0] >= 'a' && buf[0] <= 'z' ? buf[0] - 32 : buf[0]);
        if (i % 11 == 0)
            for (size_t k = 0; k < len; k++)
                if (buf[k] >= 'a' && buf[k] <= 'z')
                    buf[k] = (char)(buf[k] - 32);
        vocab[i] = strdup(buf);
    }
    free(vocab[0]);
    free(vocab[1]);
    vocab[0] = strdup(".");
    vocab[1] = strdup(",");
}

/* A clusters section: some of the vocabulary with random paths. */
static unsigned char *make_clusters(uint32_t nslots)
{
    unsigned char *slots = calloc(nslots, 16);
    for (int i = 0; i < NV; i += 2) {
        uint64_t h = ng_tagger_word_hash(vocab[i], strlen(vocab[i]));
        if (h == 0)
            h = 1;
        uint32_t j = (uint32_t)(h >> 32) & (nslots - 1);
        while (ng_le64(slots + (size_t)j * 16) != 0 && ng_le64(slots + (size_t)j * 16) != h)
            j = (j + 1) & (nslots - 1);
        ng_put64(slots + (size_t)j * 16, h);
        ng_put32(slots + (size_t)j * 16 + 8, rnd());
        ng_put32(slots + (size_t)j * 16 + 12, 1 + rnd() % 40);
    }
    return slots;
}

typedef struct {
    ng_modelfile mf;
    ng_tagger t;
    unsigned char *file;
    int16_t *w;
    float *trans;
    unsigned char *clusters;
} model;

/* A random model written to a file image and loaded back. */
static void make_model(model *m, unsigned scheme, unsigned T, uint32_t families, int with_clusters)
{
    static const char *const bilou[] = {"O",     "B-PER", "I-PER", "L-PER",  "U-PER",  "B-ORG",
                                        "I-ORG", "L-ORG", "U-ORG", "B-LOC",  "I-LOC",  "L-LOC",
                                        "U-LOC", "B-MISC", "I-MISC", "L-MISC", "U-MISC"};
    memset(m, 0, sizeof *m);
    ng_tagger t;
    memset(&t, 0, sizeof t);
    t.p.bits = 12;
    t.p.seed = 5;
    t.p.families = families;
    t.p.scheme = scheme;
    t.p.ntags = T;
    for (unsigned q = 0; q < T; q++) {
        if (scheme == NG_SCHEME_ENTITY)
            strcpy(t.tags[q], bilou[q]);
        else
            snprintf(t.tags[q], sizeof t.tags[q], "T%u", q);
    }
    assert_int_equal(ng_tagger_index_tags(&t), NG_OK);
    size_t nw = ((size_t)1 << t.p.bits) * T;
    m->w = malloc(nw * sizeof *m->w);
    m->trans = malloc((size_t)(T + 2) * T * sizeof *m->trans);
    assert_non_null(m->w);
    assert_non_null(m->trans);
    for (size_t i = 0; i < nw; i++) /* large weights: sums overflow int16 */
        m->w[i] = (int16_t)((int)(rnd() % 60001) - 30000);
    for (size_t i = 0; i < (size_t)(T + 2) * T; i++)
        m->trans[i] = (float)(rnd() % 2001) / 100.0f - 10.0f;
    ng_tagger_constrain(&t, m->trans);
    t.w = m->w;
    t.trans = m->trans;
    t.scale = 1000.0f;
    if (with_clusters) {
        m->clusters = make_clusters(1u << 14);
        t.clusters.slots = m->clusters;
        t.clusters.nslots = 1u << 14;
    }
    ng_mf_writer wr;
    ng_mf_writer_init(&wr);
    assert_int_equal(ng_tagger_write(&t, &wr), NG_OK);
    size_t len;
    assert_int_equal(ng_mf_writer_finish(&wr, &m->file, &len), NG_OK);
    ng_mf_writer_free(&wr);
    char err[256];
    assert_int_equal(ng_modelfile_open_mem(&m->mf, m->file, len, err, sizeof err), NG_OK);
    assert_int_equal(ng_tagger_load(&m->t, &m->mf, err, sizeof err), NG_OK);
    assert_true(m->t.id != 0);
}

static void free_model(model *m)
{
    ng_modelfile_close(&m->mf);
    free(m->file);
    free(m->w);
    free(m->trans);
    free(m->clusters);
}

/* Tags one sentence both ways and compares scores and tags. */
static void check_sentence(const model *m, ng_tagger_scratch *sc, const ng_tword *words, size_t n)
{
    const ng_tagger *t = &m->t;
    const unsigned T = t->p.ntags;
    uint8_t *got = malloc(n), *want = malloc(n), *back = malloc(n * T);
    float *score = malloc(n * T * sizeof *score), *delta = malloc(n * T * sizeof *delta);
    assert_true(got && want && back && score && delta);
    assert_int_equal(ng_tagger_tag(t, sc, words, n, got), NG_OK);
    ng_tagger_scratch ref = {0};
    assert_int_equal(ng_tagger_features(&t->p, &t->clusters, &ref, words, n), NG_OK);
    for (size_t i = 0; i < n; i++)
        for (unsigned q = 0; q < T; q++) {
            int32_t acc = 0;
            for (unsigned k = 0; k < ref.nrows[i]; k++)
                acc += t->w[(size_t)ref.rows[i * NG_TAGGER_MAX_FEATS + k] * T + q];
            score[i * T + q] = (float)acc * (1.0f / t->scale);
        }
    /* bit for bit: the same integer sums, the same conversion */
    assert_memory_equal(sc->score, score, n * T * sizeof *score);
    ng_viterbi(score, t->trans, n, T, delta, back, want);
    assert_memory_equal(got, want, n);
    ng_tagger_scratch_free(&ref);
    free(got);
    free(want);
    free(back);
    free(score);
    free(delta);
}

static void random_sentence(ng_tword *words, size_t n, unsigned nvocab, int bits)
{
    for (size_t i = 0; i < n; i++) {
        /* a Zipf-like draw: small indexes far more often */
        unsigned r = rnd() % nvocab;
        unsigned j = rnd() % 2 ? r % 50 : r;
        const char *s = vocab[j];
        words[i] = (ng_tword){s, (uint32_t)strlen(s), 0, 0};
        if (bits && rnd() % 4 == 0)
            words[i].gaz = rnd() % 8 == 0 ? 0xffffffffu : rnd() & 0x030003ffu;
        if (bits && rnd() % 4 == 0)
            words[i].doc = rnd() % 8 == 0 ? 0xffffffffu : rnd() & 0x7fu;
    }
}

static void cached_scores_are_exact(void **state)
{
    (void)state;
    model ner, pos, small;
    make_model(&ner, NG_SCHEME_ENTITY, 17, 0x7ff, 1);
    make_model(&pos, NG_SCHEME_PLAIN, 17, NG_FF_WORD | NG_FF_SHAPE | NG_FF_AFFIX | NG_FF_WINDOW | NG_FF_BIGRAM, 0);
    make_model(&small, NG_SCHEME_PLAIN, 5, NG_FF_DEFAULT, 1);
    ng_tagger_scratch sc = {0};
    static ng_tword words[5000];
    for (int round = 0; round < 600; round++) {
        const model *m = round % 7 == 3 ? &pos : round % 13 == 5 ? &small : &ner;
        size_t n = 1 + rnd() % (round % 5 == 0 ? 3 : 60);
        random_sentence(words, n, NV, 1);
        check_sentence(m, &sc, words, n);
    }
    /* long sentences of many different words: three or more words of one
     * sentence meet in one cache set (kept apart for that sentence) */
    for (int round = 0; round < 3; round++) {
        random_sentence(words, 5000, NV, 1);
        for (size_t i = 0; i < 5000; i++) {
            words[i].s = vocab[(i * 7 + (size_t)round) % NV];
            words[i].len = (uint32_t)strlen(words[i].s);
        }
        check_sentence(&ner, &sc, words, 5000);
        check_sentence(&ner, &sc, words, 5000); /* now from the cache */
    }
    ng_tagger_scratch_free(&sc);
    free_model(&ner);
    free_model(&pos);
    free_model(&small);
}

/* A tagger loaded again (the same file or another) never reuses what the
 * cache kept for the first one. */
static void reloaded_model_gets_its_own_entries(void **state)
{
    (void)state;
    ng_tagger_scratch sc = {0};
    static ng_tword words[80];
    for (int k = 0; k < 4; k++) {
        model m;
        make_model(&m, NG_SCHEME_ENTITY, 17, 0x7ff, k % 2);
        for (int round = 0; round < 40; round++) {
            size_t n = 1 + rnd() % 80;
            random_sentence(words, n, 200, 1);
            check_sentence(&m, &sc, words, n);
        }
        free_model(&m);
    }
    ng_tagger_scratch_free(&sc);
}

int main(void)
{
    make_vocab();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cached_scores_are_exact),
        cmocka_unit_test(reloaded_model_gets_its_own_entries),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    for (int i = 0; i < NV; i++)
        free(vocab[i]);
    return rc;
}
