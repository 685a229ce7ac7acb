/*
 * model.c — `newsgraph model info FILE` (the header and section table of a
 * model file) and `newsgraph model dump FILE` (the same, then a readable
 * summary: metadata, tags, transitions, weight statistics, the heaviest
 * weights, clusters, gazetteer).  The file is validated first (modelfile.c); a bad
 * file is refused with the loader's reason and exit status 1.
 */
#include "cli.h"
#include "tagger.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f, "usage: newsgraph model info FILE   print the header and the section table\n"
               "       newsgraph model dump FILE   the same, then tags, transitions, weights, clusters, gazetteer\n");
}

static void print_info(const char *path, const ng_modelfile *mf)
{
    printf("file      %s\n", path);
    printf("size      %zu bytes\n", mf->size);
    printf("magic     NGMODEL\n");
    printf("version   %u\n", mf->version);
    printf("order     little-endian\n");
    printf("checksum  %08x (CRC-32, verified)\n", ng_le32(mf->base + 32));
    printf("sections  %u\n", mf->nsections);
    printf("  %-16s %12s %12s  %s\n", "name", "offset", "length", "crc32");
    for (uint32_t i = 0; i < mf->nsections; i++) {
        const ng_mf_section *s = &mf->sections[i];
        printf("  %-16s %12zu %12llu  %08x\n", s->name, (size_t)(s->data - mf->base), (unsigned long long)s->len,
               s->crc);
    }
}

/* One weight with where it is, for the top list. */
typedef struct {
    float v;
    uint32_t row;
    unsigned tag;
} wentry;

static int cmp_w(const void *a, const void *b)
{
    float x = fabsf(((const wentry *)a)->v), y = fabsf(((const wentry *)b)->v);
    return x < y ? 1 : x > y ? -1 : 0;
}

static void dump_tagger(const ng_modelfile *mf)
{
    const ng_mf_section *meta = ng_modelfile_find(mf, "meta");
    if (meta) {
        printf("\n[meta]\n");
        fwrite(meta->data, 1, (size_t)meta->len, stdout);
        if (meta->len && meta->data[meta->len - 1] != '\n')
            putchar('\n');
    }
    ng_tagger t;
    char err[256];
    if (ng_tagger_load(&t, mf, err, sizeof err) != NG_OK) {
        printf("\n(no tagger: %s)\n", err);
        return;
    }
    unsigned T = t.p.ntags;
    printf("\n[hash]\nrows 2^%u = %u\nseed %u\nfamilies %#x\ntags %u\nscale %g (weight = stored / scale)\n", t.p.bits,
           1u << t.p.bits, t.p.seed, t.p.families, T, (double)t.scale);
    printf("scheme %s\n", t.p.scheme == NG_SCHEME_PLAIN ? "plain (part-of-speech tags, no transition forbidden)"
                                                         : "entity (O, B-, I-, L-, U-)");
    printf("\n[tags]\n");
    for (unsigned i = 0; i < T; i++)
        printf("%2u %s\n", i, t.tags[i]);
    printf("\n[trans] from (row) to (column); '-' is forbidden\n%8s", "");
    for (unsigned q = 0; q < T; q++)
        printf(" %7.7s", t.tags[q]);
    printf("\n");
    for (unsigned p = 0; p < T + 2; p++) {
        printf("%-8.8s", p < T ? t.tags[p] : p == T ? "<start>" : "<end>");
        for (unsigned q = 0; q < T; q++) {
            float v = t.trans[(size_t)p * T + q];
            if (v <= -1e29f)
                printf(" %7s", "-");
            else
                printf(" %7.2f", (double)v);
        }
        printf("\n");
    }
    size_t rows = (size_t)1 << t.p.bits, nz_rows = 0, nz = 0;
    enum { TOP = 20 };
    wentry top[TOP];
    size_t ntop = 0;
    for (size_t r = 0; r < rows; r++) {
        int any = 0;
        for (unsigned q = 0; q < T; q++) {
            int16_t v = t.w[r * T + q];
            if (!v)
                continue;
            any = 1;
            nz++;
            wentry e = {(float)v / t.scale, (uint32_t)r, q};
            if (ntop < TOP) {
                top[ntop++] = e;
                qsort(top, ntop, sizeof *top, cmp_w);
            } else if (fabsf(e.v) > fabsf(top[TOP - 1].v)) {
                top[TOP - 1] = e;
                qsort(top, ntop, sizeof *top, cmp_w);
            }
        }
        nz_rows += (size_t)any;
    }
    printf("\n[weights]\n%zu rows x %u tags (int16); %zu rows used (%.1f%%), %zu non-zero weights\n", rows, T,
           nz_rows, 100.0 * (double)nz_rows / (double)rows, nz);
    printf("heaviest weights (features are hashed: a row has no name):\n");
    for (size_t i = 0; i < ntop; i++)
        printf("  row %8u  %-7s %9.3f\n", top[i].row, t.tags[top[i].tag], (double)top[i].v);
    printf("\n[clusters]\n");
    if (!t.clusters.nslots) {
        printf("none\n");
        return;
    }
    size_t used = 0, bylen[33] = {0};
    for (uint32_t i = 0; i < t.clusters.nslots; i++) {
        const unsigned char *s = t.clusters.slots + (size_t)i * 16;
        if (ng_le64(s)) {
            used++;
            uint32_t len = ng_le32(s + 12);
            bylen[len > 32 ? 32 : len]++;
        }
    }
    printf("%u slots, %zu words\npath length: words\n", t.clusters.nslots, used);
    for (unsigned k = 0; k <= 32; k++)
        if (bylen[k])
            printf("  %2u: %zu\n", k, bylen[k]);
    /* the gazetteer: names (hashed, so counted, not listed) by kind */
    printf("\n[gazetteer]\n");
    if (!t.gaz.nslots) {
        printf("none\n");
        return;
    }
    static const char *const kinds[] = {"country", "city",  "region", "currency", "demonym",
                                        "title",   "orghead", "body", "honorific", "mischead"};
    size_t bykind[10] = {0}, names = 0, prefixes = 0;
    for (uint32_t i = 0; i < t.gaz.nslots; i++) {
        const unsigned char *sl = t.gaz.slots + (size_t)i * 16;
        if (ng_le64(sl) == 0)
            continue;
        uint32_t k = ng_le32(sl + 8);
        if (k & NG_GAZ_KINDS)
            names++;
        else
            prefixes++;
        for (unsigned b = 0; b < 10; b++)
            bykind[b] += (k >> b) & 1;
    }
    printf("%u slots, %zu names, %zu word prefixes only, %u bytes of codes\nnames by kind:\n", t.gaz.nslots, names,
           prefixes, t.gaz.codes_len);
    for (unsigned b = 0; b < 10; b++)
        printf("  %-10s %zu\n", kinds[b], bykind[b]);
}

int cmd_model(int argc, char **argv)
{
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        usage(stdout);
        return 0;
    }
    if (argc != 3 || (strcmp(argv[1], "info") != 0 && strcmp(argv[1], "dump") != 0)) {
        usage(stderr);
        return 2;
    }
    ng_modelfile mf;
    char err[512];
    int rc = ng_modelfile_open(&mf, argv[2], err, sizeof err);
    if (rc != NG_OK) {
        fprintf(stderr, "newsgraph: %s\n", err);
        return 1;
    }
    print_info(argv[2], &mf);
    if (strcmp(argv[1], "dump") == 0)
        dump_tagger(&mf);
    ng_modelfile_close(&mf);
    return 0;
}
