/*
 * test_modelfile.c — the model container (modelfile.c): a round trip, and
 * every kind of corruption refused with NG_EMODEL and a reason (truncated,
 * bad magic, version, byte order, section offsets, section and file
 * checksums), plus the tagger's own section checks (tagger.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <zlib.h>

#include "tagger.h"

/* A model file with three sections, in a malloc'd buffer. */
static unsigned char *make_file(size_t *len)
{
    ng_mf_writer wr;
    ng_mf_writer_init(&wr);
    static const char meta[] = "kind=test\n";
    unsigned char big[1000];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (unsigned char)(i * 7);
    assert_int_equal(ng_mf_writer_add(&wr, "meta", meta, sizeof meta - 1), NG_OK);
    assert_int_equal(ng_mf_writer_add(&wr, "big", big, sizeof big), NG_OK);
    assert_int_equal(ng_mf_writer_add(&wr, "empty", NULL, 0), NG_OK);
    unsigned char *f;
    assert_int_equal(ng_mf_writer_finish(&wr, &f, len), NG_OK);
    ng_mf_writer_free(&wr);
    return f;
}

/* Recomputes the whole-file checksum after a deliberate change, so the
 * check under test is the one that fires. */
static void refresh_crc(unsigned char *f, size_t len)
{
    memset(f + 32, 0, 4);
    uint32_t c = (uint32_t)crc32(0L, f, (uInt)len);
    ng_put32(f + 32, c);
}

static void expect_refused(const unsigned char *f, size_t len, const char *words)
{
    ng_modelfile mf;
    char err[256] = "";
    assert_int_equal(ng_modelfile_open_mem(&mf, f, len, err, sizeof err), NG_EMODEL);
    if (!strstr(err, words))
        fail_msg("message '%s' does not mention '%s'", err, words);
}

static void round_trip(void **state)
{
    (void)state;
    size_t len;
    unsigned char *f = make_file(&len);
    ng_modelfile mf;
    char err[256];
    assert_int_equal(ng_modelfile_open_mem(&mf, f, len, err, sizeof err), NG_OK);
    assert_int_equal(mf.nsections, 3);
    const ng_mf_section *s = ng_modelfile_find(&mf, "big");
    assert_non_null(s);
    assert_int_equal(s->len, 1000);
    assert_int_equal(s->data[10], (unsigned char)70);
    assert_int_equal((uintptr_t)(s->data - f) % 16, 0);
    assert_int_equal(ng_modelfile_find(&mf, "meta")->len, 10);
    assert_int_equal(ng_modelfile_find(&mf, "empty")->len, 0);
    assert_null(ng_modelfile_find(&mf, "nothere"));
    /* through a file and mmap too */
    char path[] = "/tmp/ng_test_modelXXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, f, len), (ssize_t)len);
    close(fd);
    ng_modelfile mm;
    assert_int_equal(ng_modelfile_open(&mm, path, err, sizeof err), NG_OK);
    assert_int_equal(mm.mapped, 1);
    assert_memory_equal(ng_modelfile_find(&mm, "big")->data, s->data, 1000);
    ng_modelfile_close(&mm);
    unlink(path);
    assert_int_equal(ng_modelfile_open(&mm, path, err, sizeof err), NG_EIO);
    free(f);
}

static void corruptions(void **state)
{
    (void)state;
    size_t len;
    unsigned char *f = make_file(&len);
    unsigned char *c = malloc(len);
    /* truncated anywhere */
    for (size_t cut = 0; cut < len; cut += 37)
        expect_refused(f, cut, cut < NG_MODELFILE_HEADER ? "too short" : "truncated");
    /* bad magic */
    memcpy(c, f, len);
    c[0] = 'X';
    expect_refused(c, len, "magic");
    /* bad version */
    memcpy(c, f, len);
    ng_put32(c + 8, 99);
    expect_refused(c, len, "version");
    /* bad byte order mark */
    memcpy(c, f, len);
    ng_put32(c + 12, 0x0D0C0B0A);
    expect_refused(c, len, "byte-order");
    /* too many sections */
    memcpy(c, f, len);
    ng_put32(c + 20, 1000);
    expect_refused(c, len, "sections");
    /* any flipped byte: the file checksum */
    for (size_t at = 40; at < len; at += 101) {
        memcpy(c, f, len);
        c[at] ^= 0x55;
        expect_refused(c, len, "checksum");
    }
    /* a section offset outside the file (file checksum made right) */
    unsigned char *e1 = c + NG_MODELFILE_HEADER + NG_MODELFILE_ENTRY; /* "big" */
    memcpy(c, f, len);
    ng_put64(e1 + 16, (uint64_t)len + 16);
    refresh_crc(c, len);
    expect_refused(c, len, "outside");
    /* a length that overflows offset + length */
    memcpy(c, f, len);
    ng_put64(e1 + 24, UINT64_MAX - 8);
    refresh_crc(c, len);
    expect_refused(c, len, "outside");
    /* an offset inside the table */
    memcpy(c, f, len);
    ng_put64(e1 + 16, 64);
    refresh_crc(c, len);
    expect_refused(c, len, "outside");
    /* misaligned */
    memcpy(c, f, len);
    ng_put64(e1 + 16, ng_le64(e1 + 16) + 1);
    refresh_crc(c, len);
    expect_refused(c, len, "aligned");
    /* a section's checksum */
    memcpy(c, f, len);
    ng_put32(e1 + 32, ng_le32(e1 + 32) ^ 1);
    refresh_crc(c, len);
    expect_refused(c, len, "section 'big' checksum");
    /* a name without its NUL */
    memcpy(c, f, len);
    memset(e1, 'a', NG_MODELFILE_NAME);
    refresh_crc(c, len);
    expect_refused(c, len, "name");
    /* the file size field */
    memcpy(c, f, len);
    ng_put64(c + 24, len - 1);
    refresh_crc(c, len);
    expect_refused(c, len, "header says");
    free(c);
    free(f);
}

/* A container that is fine but whose tagger sections disagree. */
static void tagger_sections_checked(void **state)
{
    (void)state;
    ng_mf_writer wr;
    ng_mf_writer_init(&wr);
    unsigned char hs[24] = {0};
    float scale = 10.0f;
    uint32_t sb;
    memcpy(&sb, &scale, 4);
    ng_put32(hs, 8);      /* 256 rows */
    ng_put32(hs + 12, 3); /* 3 tags */
    ng_put32(hs + 16, sb);
    static const char tags[] = "O\0U-PER\0B-PER";
    int16_t w[256 * 3] = {0};
    float trans[5 * 3] = {0};
    assert_int_equal(ng_mf_writer_add(&wr, "hash", hs, sizeof hs), NG_OK);
    assert_int_equal(ng_mf_writer_add(&wr, "tags", tags, sizeof tags), NG_OK);
    assert_int_equal(ng_mf_writer_add(&wr, "weights", w, sizeof w - 2), NG_OK); /* one weight short */
    assert_int_equal(ng_mf_writer_add(&wr, "trans", trans, sizeof trans), NG_OK);
    unsigned char *f;
    size_t len;
    assert_int_equal(ng_mf_writer_finish(&wr, &f, &len), NG_OK);
    ng_mf_writer_free(&wr);
    ng_modelfile mf;
    char err[256];
    assert_int_equal(ng_modelfile_open_mem(&mf, f, len, err, sizeof err), NG_OK);
    ng_tagger t;
    assert_int_equal(ng_tagger_load(&t, &mf, err, sizeof err), NG_EMODEL);
    assert_non_null(strstr(err, "weights"));
    free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_trip),
        cmocka_unit_test(corruptions),
        cmocka_unit_test(tagger_sections_checked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
