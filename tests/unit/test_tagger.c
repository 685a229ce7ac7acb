/*
 * test_tagger.c — the NER tagger (tagger.c): Viterbi against brute force,
 * tagging with a tiny hand-made model, tags to spans (BILOU and repaired
 * sequences), deterministic training on a synthetic corpus, a trained
 * model surviving the trip through a model file unchanged, document
 * context, and the gazetteer (built, stored, read back, matched).
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

static uint64_t rng = 88172645463325252ULL;
static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 11);
}

/* The best path by trying every sequence. */
static float brute(const float *score, const float *trans, size_t n, unsigned T, uint8_t *best)
{
    size_t total = 1;
    for (size_t i = 0; i < n; i++)
        total *= T;
    float bestv = -1e38f;
    uint8_t seq[8];
    for (size_t code = 0; code < total; code++) {
        size_t c = code;
        for (size_t i = 0; i < n; i++) {
            seq[i] = (uint8_t)(c % T);
            c /= T;
        }
        float v = trans[(size_t)T * T + seq[0]] + score[seq[0]];
        for (size_t i = 1; i < n; i++)
            v += trans[(size_t)seq[i - 1] * T + seq[i]] + score[i * T + seq[i]];
        v += trans[(size_t)(T + 1) * T + seq[n - 1]];
        if (v > bestv) {
            bestv = v;
            memcpy(best, seq, n);
        }
    }
    return bestv;
}

static void viterbi_matches_brute_force(void **state)
{
    (void)state;
    for (int round = 0; round < 200; round++) {
        unsigned T = 2 + rnd() % 3;
        size_t n = 1 + rnd() % 5;
        float score[5 * 4], trans[6 * 4], delta[5 * 4];
        uint8_t back[5 * 4], got[5], want[5];
        for (size_t i = 0; i < n * T; i++)
            score[i] = (float)(rnd() % 1000) / 100.0f - 5;
        for (size_t i = 0; i < (T + 2) * T; i++)
            trans[i] = (float)(rnd() % 1000) / 100.0f - 5;
        float bv = brute(score, trans, n, T, want);
        ng_viterbi(score, trans, n, T, delta, back, got);
        float gv = trans[(size_t)T * T + got[0]] + score[got[0]];
        for (size_t i = 1; i < n; i++)
            gv += trans[(size_t)got[i - 1] * T + got[i]] + score[i * T + got[i]];
        gv += trans[(size_t)(T + 1) * T + got[n - 1]];
        assert_true(gv >= bv - 1e-3f); /* ties may pick another path of the same score */
    }
}

static void set_tags(ng_tagger *t, const char *const *names, unsigned n)
{
    memset(t->tags, 0, sizeof t->tags);
    t->p.ntags = n;
    for (unsigned i = 0; i < n; i++)
        strcpy(t->tags[i], names[i]);
    assert_int_equal(ng_tagger_index_tags(t), NG_OK);
}

static ng_tword tw(const char *s) { return (ng_tword){s, (uint32_t)strlen(s), 0, 0}; }

/* A hand-made model: every feature row of "Smith" votes U-PER, every row
 * of the other words votes O. */
static void tiny_model_tags(void **state)
{
    (void)state;
    static const char *const names[] = {"O", "B-PER", "I-PER", "L-PER", "U-PER"};
    ng_tagger t;
    memset(&t, 0, sizeof t);
    t.p.bits = 10;
    t.p.seed = 7;
    t.p.families = NG_FF_DEFAULT & ~(unsigned)NG_FF_DOC;
    set_tags(&t, names, 5);
    int16_t *w = calloc((size_t)5 << 10, sizeof *w);
    float trans[7 * 5] = {0};
    ng_tagger_constrain(&t, trans);
    ng_tword words[3] = {tw("yesterday"), tw("Smith"), tw("left")};
    ng_tagger_scratch sc = {0};
    assert_int_equal(ng_tagger_features(&t.p, NULL, &sc, words, 3), NG_OK);
    for (size_t i = 0; i < 3; i++)
        for (unsigned f = 0; f < sc.nrows[i]; f++)
            w[(size_t)sc.rows[i * NG_TAGGER_MAX_FEATS + f] * 5 + (i == 1 ? 4 : 0)] += 100;
    t.w = w;
    t.trans = trans;
    t.scale = 100.0f;
    /* the sparse Viterbi needs the predecessor lists: load them the way a
     * file does, through a round trip */
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
    uint8_t tags[3];
    assert_int_equal(ng_tagger_tag(&lt, &sc, words, 3, tags), NG_OK);
    assert_int_equal(tags[0], 0);
    assert_int_equal(tags[1], 4);
    assert_int_equal(tags[2], 0);
    /* zero weights: whatever comes out must be a well-formed BILOU sequence */
    memset(w, 0, ((size_t)5 << 10) * sizeof *w);
    ng_tword many[40];
    for (int i = 0; i < 40; i++)
        many[i] = tw(i % 3 ? "Word" : "x");
    uint8_t mt[40];
    assert_int_equal(ng_tagger_tag(&lt, &sc, many, 40, mt), NG_OK);
    for (int i = 0; i < 40; i++) {
        char k = lt.kind[mt[i]], pk = i ? lt.kind[mt[i - 1]] : 'O';
        if (k == 'I' || k == 'L')
            assert_true(pk == 'B' || pk == 'I');
        if (pk == 'B' || pk == 'I')
            assert_true(k == 'I' || k == 'L');
    }
    assert_true(lt.kind[mt[39]] != 'B' && lt.kind[mt[39]] != 'I');
    ng_tagger_scratch_free(&sc);
    free(f);
    free(w);
}

static void spans_from_tags(void **state)
{
    (void)state;
    static const char *const names[] = {"O", "B-PER", "I-PER", "L-PER", "U-PER", "B-LOC", "I-LOC", "L-LOC", "U-LOC"};
    ng_tagger t;
    memset(&t, 0, sizeof t);
    set_tags(&t, names, 9);
    /* O U-PER B-LOC I-LOC L-LOC O U-LOC U-LOC */
    uint8_t tags[] = {0, 4, 5, 6, 7, 0, 8, 8};
    uint32_t f[8], l[8];
    uint8_t y[8];
    size_t k = ng_tags_to_spans(&t, tags, 8, f, l, y, 8);
    assert_int_equal(k, 4);
    assert_int_equal(f[0], 1);
    assert_int_equal(l[0], 1);
    assert_string_equal(t.types[y[0]], "PER");
    assert_int_equal(f[1], 2);
    assert_int_equal(l[1], 4);
    assert_string_equal(t.types[y[1]], "LOC");
    assert_int_equal(f[2], 6);
    assert_int_equal(f[3], 7);
    /* ill-formed: I-PER I-PER then I-LOC, and an open B at the end */
    uint8_t bad[] = {2, 2, 6, 0, 1};
    k = ng_tags_to_spans(&t, bad, 5, f, l, y, 8);
    assert_int_equal(k, 3);
    assert_int_equal(f[0], 0);
    assert_int_equal(l[0], 1);
    assert_int_equal(f[1], 2);
    assert_int_equal(l[1], 2);
    assert_int_equal(f[2], 4);
    assert_int_equal(l[2], 4);
    /* cap respected */
    assert_int_equal(ng_tags_to_spans(&t, tags, 8, f, l, y, 2), 2);
}

/* A synthetic corpus: "Mr NAME SURNAME went to CITY ." and distractors. */
static const char *const firsts[] = {"John", "Mary", "Pierre", "Anna", "Omar", "Li"};
static const char *const lasts[] = {"Smith", "Dupont", "Okafor", "Kowalski", "Tanaka"};
static const char *const cities[] = {"Paris", "Lagos", "Tokyo", "Lima", "Oslo"};

typedef struct {
    ng_tsent *s;
    ng_tword *w;
    uint8_t *g;
    size_t n;
} synth;

static synth make_corpus(size_t nsent)
{
    synth c;
    c.n = nsent;
    c.s = calloc(nsent, sizeof *c.s);
    c.w = calloc(nsent * 8, sizeof *c.w);
    c.g = calloc(nsent * 8, 1);
    /* tags: 0 O, 1 B-PER, 2 I-PER, 3 L-PER, 4 U-PER, 5..8 LOC */
    for (size_t i = 0; i < nsent; i++) {
        ng_tword *w = c.w + i * 8;
        uint8_t *g = c.g + i * 8;
        size_t k = 0;
        if (rnd() % 3) {
            w[k] = tw("Mr"), g[k++] = 0;
            w[k] = tw(firsts[rnd() % 6]), g[k++] = 1;
            w[k] = tw(lasts[rnd() % 5]), g[k++] = 3;
        } else {
            w[k] = tw(lasts[rnd() % 5]), g[k++] = 4;
        }
        w[k] = tw("went"), g[k++] = 0;
        w[k] = tw("to"), g[k++] = 0;
        w[k] = tw(cities[rnd() % 5]), g[k++] = 8;
        w[k] = tw("."), g[k++] = 0;
        c.s[i] = (ng_tsent){w, g, k};
    }
    return c;
}

static void free_corpus(synth *c)
{
    free(c->s);
    free(c->w);
    free(c->g);
}

static void training_is_deterministic(void **state)
{
    (void)state;
    static const char *const names[] = {"O", "B-PER", "I-PER", "L-PER", "U-PER", "B-LOC", "I-LOC", "L-LOC", "U-LOC"};
    synth c = make_corpus(300);
    ng_train_opts o;
    memset(&o, 0, sizeof o);
    o.p.bits = 12;
    o.p.seed = 3;
    o.p.families = NG_FF_DEFAULT & ~(unsigned)NG_FF_DOC;
    o.p.ntags = 9;
    for (unsigned i = 0; i < 9; i++)
        strcpy(o.tags[i], names[i]);
    o.epochs = 4;
    o.shuffle_seed = 42;
    ng_trained a, b;
    assert_int_equal(ng_tagger_train(&o, c.s, c.n, &a), NG_OK);
    assert_int_equal(ng_tagger_train(&o, c.s, c.n, &b), NG_OK);
    size_t nw = ((size_t)1 << 12) * 9;
    assert_memory_equal(a.w, b.w, nw * sizeof *a.w);
    assert_memory_equal(a.trans, b.trans, 11 * 9 * sizeof *a.trans);
    assert_true(a.t.scale == b.t.scale);
    /* it learned: through a model file, tag the corpus and count errors */
    ng_mf_writer wr;
    ng_mf_writer_init(&wr);
    assert_int_equal(ng_tagger_write(&a.t, &wr), NG_OK);
    unsigned char *f;
    size_t len;
    assert_int_equal(ng_mf_writer_finish(&wr, &f, &len), NG_OK);
    ng_mf_writer_free(&wr);
    ng_modelfile mf;
    ng_tagger t;
    char err[256];
    assert_int_equal(ng_modelfile_open_mem(&mf, f, len, err, sizeof err), NG_OK);
    assert_int_equal(ng_tagger_load(&t, &mf, err, sizeof err), NG_OK);
    assert_int_equal(t.p.bits, 12);
    ng_tagger_scratch sc = {0};
    size_t wrong = 0, total = 0;
    uint8_t tags[8];
    for (size_t i = 0; i < c.n; i++) {
        assert_int_equal(ng_tagger_tag(&t, &sc, c.s[i].w, c.s[i].n, tags), NG_OK);
        for (size_t k = 0; k < c.s[i].n; k++, total++)
            wrong += tags[k] != c.s[i].gold[k];
    }
    assert_true(wrong * 100 < total); /* under 1% token errors */
    /* an unseen sentence with known patterns */
    ng_tword test[] = {tw("Mr"), tw("Omar"), tw("Tanaka"), tw("went"), tw("to"), tw("Lima"), tw(".")};
    assert_int_equal(ng_tagger_tag(&t, &sc, test, 7, tags), NG_OK);
    assert_int_equal(tags[1], 1);
    assert_int_equal(tags[2], 3);
    assert_int_equal(tags[5], 8);
    ng_tagger_scratch_free(&sc);
    free(f);
    ng_trained_free(&a);
    ng_trained_free(&b);
    free_corpus(&c);
}

static void doc_context_bits(void **state)
{
    (void)state;
    ng_tword w[] = {tw("APPLE"), tw("rose"), tw("."), tw("Shares"), tw("of"), tw("Apple"), tw("rose")};
    uint8_t first[] = {1, 0, 0, 1, 0, 0, 0};
    assert_int_equal(ng_tagger_doc_context(w, first, 7), NG_OK);
    assert_int_equal(w[0].doc & 1, 1); /* "Apple" is capitalised mid-sentence elsewhere */
    assert_int_equal(w[1].doc & 2, 2); /* "rose" is seen lowercase */
    assert_int_equal(w[3].doc, 0);     /* "Shares" only sentence-initially */
}

static void doc_context2_bits(void **state)
{
    (void)state;
    /* "Ms. Parly" once makes every "Parly" a word seen after a title */
    ng_tword w[] = {tw("Parly"), tw("spoke"), tw("."), tw("Then"), tw("Ms."), tw("Parly"), tw("met"),
                    tw("Mark"), tw("Esper"), tw("of"), tw("Wagner"), tw("Group"), tw(".")};
    uint8_t first[] = {1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    w[4].gaz = NG_GAZ_HONORIFIC;
    w[11].gaz = NG_GAZ_ORGHEAD;
    assert_int_equal(ng_tagger_doc_context2(w, first, 13), NG_OK);
    assert_true(w[0].doc & (1u << 2));   /* after a title elsewhere */
    assert_true(w[5].doc & (1u << 2));
    assert_false(w[1].doc & (1u << 2));
    assert_true(w[7].doc & (1u << 6));   /* "Mark" starts a capitalised run */
    assert_true(w[8].doc & (1u << 5));   /* "Esper" ends one */
    assert_true(w[10].doc & (1u << 4));  /* "Wagner" before an organisation head */
    assert_false(w[3].doc & (1u << 3));  /* "Then" only sentence-initially, alone */
}

/* Builds a gazetteer section from tsv and opens it the way a loader does. */
static void gaz_from(const char *tsv, ng_buf *sec, unsigned char **file, ng_modelfile *mf, ng_gazetteer *g)
{
    ng_buf_init(sec);
    assert_int_equal(ng_gaz_build(sec, tsv, strlen(tsv)), NG_OK);
    ng_mf_writer wr;
    ng_mf_writer_init(&wr);
    size_t len = 0;
    assert_int_equal(ng_mf_writer_add(&wr, "gazetteer", sec->p, sec->len), NG_OK);
    assert_int_equal(ng_mf_writer_finish(&wr, file, &len), NG_OK);
    ng_mf_writer_free(&wr);
    char err[256];
    assert_int_equal(ng_modelfile_open_mem(mf, *file, len, err, sizeof err), NG_OK);
    assert_int_equal(ng_gaz_load(g, mf, err, sizeof err), NG_OK);
}

static void gazetteer_matches(void **state)
{
    (void)state;
    const char *tsv = "# name kind code\n"
                      "burkina faso\tcountry\tBFA\n"
                      "côte d'ivoire\tcountry\tCIV\n"
                      "niger\tcountry\tNER\n"
                      "niger\tregion\tNGA\n"
                      "minister of defense\ttitle\t-\n"
                      "minister\ttitle\t-\n"
                      "french\tdemonym\tFRA\n"
                      "u.s.\tcountry\tUSA\n";
    ng_buf sec;
    unsigned char *file;
    ng_modelfile mf;
    ng_gazetteer g;
    gaz_from(tsv, &sec, &file, &mf, &g);
    ng_tword w[] = {tw("French"), tw("Minister"), tw("of"), tw("Defense"), tw("visited"), tw("BURKINA"),
                    tw("Faso"), tw(","), tw("Côte"), tw("d’"), tw("Ivoire"), tw("and"), tw("Niger"), tw("US")};
    size_t n = sizeof w / sizeof *w;
    uint32_t k;
    const char *code;
    /* the longest name wins, across case, curly apostrophes and dots */
    assert_int_equal(ng_gaz_match(&g, w, n, 1, &k, &code), 3);
    assert_int_equal(k, NG_GAZ_TITLE);
    assert_null(code);
    assert_int_equal(ng_gaz_match(&g, w, n, 5, &k, &code), 2);
    assert_string_equal(code, "BFA");
    assert_int_equal(ng_gaz_match(&g, w, n, 8, &k, &code), 3);
    assert_string_equal(code, "CIV");
    /* two kinds: the country's code is kept */
    assert_int_equal(ng_gaz_match(&g, w, n, 12, &k, &code), 1);
    assert_int_equal(k, NG_GAZ_COUNTRY | NG_GAZ_REGION);
    assert_string_equal(code, "NER");
    assert_int_equal(ng_gaz_match(&g, w, n, 13, &k, &code), 1);
    assert_string_equal(code, "USA");
    assert_int_equal(ng_gaz_match(&g, w, n, 4, &k, &code), 0);
    /* marking: kinds on every token of a match, << 16 on the first */
    ng_gaz_mark(&g, w, n);
    assert_int_equal(w[0].gaz, NG_GAZ_DEMONYM | NG_GAZ_DEMONYM << 16);
    assert_int_equal(w[1].gaz, NG_GAZ_TITLE | NG_GAZ_TITLE << 16);
    assert_int_equal(w[3].gaz, NG_GAZ_TITLE);
    assert_int_equal(w[4].gaz, 0);
    assert_int_equal(w[6].gaz, NG_GAZ_COUNTRY);
    /* the cached marking gives the same marks, from an empty cache and from
     * a full one, and forgets what another gazetteer said */
    uint32_t want[sizeof w / sizeof *w];
    for (size_t i = 0; i < n; i++)
        want[i] = w[i].gaz;
    ng_gcache *gc = NULL;
    for (int round = 0; round < 2; round++) {
        for (size_t i = 0; i < n; i++)
            w[i].gaz = 0xdead;
        ng_gaz_mark_cached(&g, &gc, w, n);
        assert_non_null(gc);
        for (size_t i = 0; i < n; i++)
            assert_int_equal(w[i].gaz, want[i]);
    }
    ng_buf sec2;
    unsigned char *file2;
    ng_modelfile mf2;
    ng_gazetteer g2;
    gaz_from("visited\tcity\tXXX\n", &sec2, &file2, &mf2, &g2);
    assert_int_not_equal(g2.serial, g.serial);
    ng_gaz_mark_cached(&g2, &gc, w, n);
    assert_int_equal(w[4].gaz, NG_GAZ_CITY | NG_GAZ_CITY << 16);
    assert_int_equal(w[1].gaz, 0);
    ng_gcache_free(gc);
    ng_modelfile_close(&mf2);
    free(file2);
    ng_buf_free(&sec2);
    ng_modelfile_close(&mf);
    free(file);
    ng_buf_free(&sec);
    /* an unknown kind is refused */
    ng_buf b;
    ng_buf_init(&b);
    assert_int_equal(ng_gaz_build(&b, "x\tplanet\t-\n", 12), NG_EINVAL);
    ng_buf_free(&b);
}

static void gazetteer_malformed(void **state)
{
    (void)state;
    unsigned char sec[8 + 16 * 4 + 3];
    memset(sec, 0, sizeof sec);
    ng_put32(sec, 3); /* not a power of two */
    ng_mf_writer wr;
    ng_mf_writer_init(&wr);
    unsigned char *file = NULL;
    size_t len = 0;
    assert_int_equal(ng_mf_writer_add(&wr, "gazetteer", sec, sizeof sec), NG_OK);
    assert_int_equal(ng_mf_writer_finish(&wr, &file, &len), NG_OK);
    ng_mf_writer_free(&wr);
    ng_modelfile mf;
    ng_gazetteer g;
    char err[256];
    assert_int_equal(ng_modelfile_open_mem(&mf, file, len, err, sizeof err), NG_OK);
    assert_int_equal(ng_gaz_load(&g, &mf, err, sizeof err), NG_EMODEL);
    assert_int_equal(g.nslots, 0);
    /* 4 slots but codes not NUL-terminated */
    free(file);
    ng_mf_writer_init(&wr);
    ng_put32(sec, 4);
    sec[sizeof sec - 1] = 'X';
    assert_int_equal(ng_mf_writer_add(&wr, "gazetteer", sec, sizeof sec), NG_OK);
    assert_int_equal(ng_mf_writer_finish(&wr, &file, &len), NG_OK);
    ng_mf_writer_free(&wr);
    assert_int_equal(ng_modelfile_open_mem(&mf, file, len, err, sizeof err), NG_OK);
    assert_int_equal(ng_gaz_load(&g, &mf, err, sizeof err), NG_EMODEL);
    /* no section at all: an empty gazetteer, never a match */
    ng_modelfile none;
    ng_mf_writer_init(&wr);
    unsigned char *f2 = NULL;
    assert_int_equal(ng_mf_writer_add(&wr, "meta", "x", 1), NG_OK);
    assert_int_equal(ng_mf_writer_finish(&wr, &f2, &len), NG_OK);
    ng_mf_writer_free(&wr);
    assert_int_equal(ng_modelfile_open_mem(&none, f2, len, err, sizeof err), NG_OK);
    assert_int_equal(ng_gaz_load(&g, &none, err, sizeof err), NG_OK);
    uint32_t k;
    ng_tword w[] = {tw("Niger")};
    assert_int_equal(ng_gaz_match(&g, w, 1, 0, &k, NULL), 0);
    free(file);
    free(f2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(viterbi_matches_brute_force), cmocka_unit_test(tiny_model_tags),
        cmocka_unit_test(spans_from_tags),             cmocka_unit_test(training_is_deterministic),
        cmocka_unit_test(doc_context_bits),            cmocka_unit_test(doc_context2_bits),
        cmocka_unit_test(gazetteer_matches),           cmocka_unit_test(gazetteer_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
