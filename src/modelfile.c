/*
 * modelfile.c — the binary container of trained models (models/ner-*.bin,
 * models/pos-*.bin), and where the program finds them: a header, a table
 * of named sections, each with its CRC-32, and a whole-file CRC-32.  The
 * layout is drawn in docs/models.md:
 *
 *   offset size  field
 *        0    8  magic "NGMODEL\0"
 *        8    4  format version (1)
 *       12    4  byte-order mark 0x0A0B0C0D (bytes 0D 0C 0B 0A: little-endian)
 *       16    4  header size (64)
 *       20    4  number of sections N (<= 64)
 *       24    8  file size in bytes
 *       32    4  CRC-32 of the whole file, computed with these 4 bytes as zero
 *       36   28  reserved, zero
 *       64 40*N  section table: name[16] (NUL padded), offset u64, length u64,
 *                CRC-32 u32, reserved u32
 *   then the sections, each at an offset that is a multiple of 16.
 *
 * Every integer is little-endian.  The loader trusts nothing: it checks the
 * sizes, offsets, alignment and checksums before anyone reads a section, so
 * a truncated or corrupt file is refused with NG_EMODEL and a reason, never
 * read out of bounds.  Files are mapped read-only (mmap) and shared.
 */
#include "tagger.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <isa-l/crc.h>
#include <zlib.h>

#define BOM 0x0A0B0C0Du

#ifndef NG_MODELS_INSTALL_DIR
#define NG_MODELS_INSTALL_DIR "/usr/local/share/newsgraph/models"
#endif

/* CRC-32 (zlib's) of n bytes, continuing crc.  ISA-L's folding
 * implementation (carry-less multiplication where the processor has it)
 * gives zlib's value three times as fast: the checksum of the ~30 MB of
 * models was a third of the time a process took to load them. */
static uint32_t crc_bytes(uint32_t crc, const unsigned char *p, uint64_t n)
{
    return n ? crc32_gzip_refl(crc, p, n) : crc;
}

/* The whole-file checksum: bytes 32..35 count as zero. */
static uint32_t file_crc(const unsigned char *p, size_t n)
{
    static const unsigned char zero[4] = {0, 0, 0, 0};
    uint32_t crc = (uint32_t)crc32(0L, Z_NULL, 0);
    crc = crc_bytes(crc, p, 32);
    crc = crc_bytes(crc, zero, 4);
    return crc_bytes(crc, p + 36, n - 36);
}

/* Both kinds of checksum in one pass over the bytes (a model is megabytes,
 * read at every start): when every entry of the section table lies inside
 * the file after the table and no two overlap, each section's CRC is
 * computed once and folded into the whole-file CRC with crc32_combine, the
 * bytes between sections read as usual.  Returns 1 with sec[i] (section
 * i's CRC, in table order) and *file set; 0 when the table is not like
 * that (the caller then reads the bytes twice and reports the table's
 * faults in its usual order). */
static int one_pass_crcs(const unsigned char *p, size_t len, uint32_t ns, uint64_t table_end, uint32_t *sec,
                         uint32_t *file)
{
    uint32_t order[NG_MODELFILE_MAX_SECTIONS];
    uint64_t off[NG_MODELFILE_MAX_SECTIONS], slen[NG_MODELFILE_MAX_SECTIONS];
    for (uint32_t i = 0; i < ns; i++) {
        const unsigned char *e = p + NG_MODELFILE_HEADER + (size_t)i * NG_MODELFILE_ENTRY;
        off[i] = ng_le64(e + 16);
        slen[i] = ng_le64(e + 24);
        if (off[i] < table_end || off[i] > len || slen[i] > len - off[i])
            return 0;
        uint32_t j = i; /* insertion sort by offset */
        while (j > 0 && off[order[j - 1]] > off[i]) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = i;
    }
    static const unsigned char zero[4] = {0, 0, 0, 0};
    uint32_t crc = (uint32_t)crc32(0L, Z_NULL, 0);
    crc = crc_bytes(crc, p, 32);
    crc = crc_bytes(crc, zero, 4); /* the stored checksum counts as zero */
    uint64_t at = 36;
    for (uint32_t k = 0; k < ns; k++) {
        uint32_t i = order[k];
        if (off[i] < at)
            return 0; /* overlaps the previous one */
        crc = crc_bytes(crc, p + at, off[i] - at);
        sec[i] = crc_bytes((uint32_t)crc32(0L, Z_NULL, 0), p + off[i], slen[i]);
        crc = (uint32_t)crc32_combine(crc, sec[i], (z_off_t)slen[i]);
        at = off[i] + slen[i];
    }
    *file = crc_bytes(crc, p + at, len - at);
    return 1;
}

/* Whether this machine stores integers little-endian (the format's order;
 * sections are used in place, so a big-endian host cannot map them). */
static int host_is_le(void)
{
    const uint32_t one = 1;
    unsigned char b;
    memcpy(&b, &one, 1);
    return b == 1;
}

int ng_modelfile_open_mem(ng_modelfile *mf, const void *data, size_t len, char *err, size_t errlen)
{
    memset(mf, 0, sizeof *mf);
    const unsigned char *p = data;
#define BAD(...)                                \
    do {                                        \
        if (err)                                \
            snprintf(err, errlen, __VA_ARGS__); \
        return NG_EMODEL;                       \
    } while (0)
    if (!p || len < NG_MODELFILE_HEADER)
        BAD("file too short (%zu bytes) to be a model", len);
    if (memcmp(p, NG_MODELFILE_MAGIC, 8) != 0)
        BAD("not a newsgraph model (bad magic)");
    uint32_t version = ng_le32(p + 8);
    if (version != NG_MODELFILE_VERSION)
        BAD("model format version %u, this program reads version %u", version, NG_MODELFILE_VERSION);
    if (ng_le32(p + 12) != BOM)
        BAD("bad byte-order mark");
    if (!host_is_le())
        BAD("model files are little-endian and this host is not");
    if (ng_le32(p + 16) != NG_MODELFILE_HEADER)
        BAD("header size %u, expected %u", ng_le32(p + 16), NG_MODELFILE_HEADER);
    uint32_t ns = ng_le32(p + 20);
    if (ns > NG_MODELFILE_MAX_SECTIONS)
        BAD("%u sections, at most %u allowed", ns, NG_MODELFILE_MAX_SECTIONS);
    uint64_t fsize = ng_le64(p + 24);
    if (fsize != len)
        BAD("file is %zu bytes but its header says %llu (truncated or padded)", len, (unsigned long long)fsize);
    uint64_t table_end = NG_MODELFILE_HEADER + (uint64_t)ns * NG_MODELFILE_ENTRY;
    if (table_end > len)
        BAD("section table runs past the end of the file");
    uint32_t want = ng_le32(p + 32), got;
    uint32_t sec_crc[NG_MODELFILE_MAX_SECTIONS];
    int have_sec_crc = one_pass_crcs(p, len, ns, table_end, sec_crc, &got);
    if (!have_sec_crc)
        got = file_crc(p, len);
    if (want != got)
        BAD("file checksum mismatch (stored %08x, computed %08x): the file is corrupt", want, got);
    for (uint32_t i = 0; i < ns; i++) {
        const unsigned char *e = p + NG_MODELFILE_HEADER + (size_t)i * NG_MODELFILE_ENTRY;
        ng_mf_section *s = &mf->sections[i];
        if (memchr(e, '\0', NG_MODELFILE_NAME) == NULL || e[0] == '\0')
            BAD("section %u has no valid name", i);
        memcpy(s->name, e, NG_MODELFILE_NAME);
        s->name[NG_MODELFILE_NAME] = '\0';
        uint64_t off = ng_le64(e + 16), slen = ng_le64(e + 24);
        if (off < table_end || off > len || slen > len - off)
            BAD("section '%s' (offset %llu, %llu bytes) lies outside the file of %zu bytes", s->name,
                (unsigned long long)off, (unsigned long long)slen, len);
        if (off % 16 != 0)
            BAD("section '%s' is not 16-byte aligned", s->name);
        for (uint32_t j = 0; j < i; j++)
            if (strcmp(mf->sections[j].name, s->name) == 0)
                BAD("section '%s' appears twice", s->name);
        s->data = p + off;
        s->len = slen;
        s->crc = ng_le32(e + 32);
        uint32_t c = have_sec_crc ? sec_crc[i] : crc_bytes((uint32_t)crc32(0L, Z_NULL, 0), s->data, slen);
        if (c != s->crc)
            BAD("section '%s' checksum mismatch (stored %08x, computed %08x)", s->name, s->crc, c);
    }
#undef BAD
    mf->base = p;
    mf->size = len;
    mf->version = version;
    mf->nsections = ns;
    return NG_OK;
}

int ng_modelfile_open(ng_modelfile *mf, const char *path, char *err, size_t errlen)
{
    memset(mf, 0, sizeof *mf);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (err)
            snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return NG_EIO;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        if (err)
            snprintf(err, errlen, "%s: not a regular file", path);
        close(fd);
        return NG_EIO;
    }
    size_t len = (size_t)st.st_size;
    if (len < NG_MODELFILE_HEADER) {
        close(fd);
        if (err)
            snprintf(err, errlen, "%s: file too short (%zu bytes) to be a model", path, len);
        return NG_EMODEL;
    }
    /* The file is read into private anonymous memory rather than mapped:
     * the taggers look up weight rows at random all over tables of several
     * megabytes, and file-backed pages come in 4 KiB pages, so nearly every
     * lookup missed the TLB (30% of analyze's time went to one prefetch).
     * Anonymous memory can be backed by 2 MiB pages (MADV_HUGEPAGE is
     * advice: where the kernel says no, it still works).  The copy costs a
     * few milliseconds at load. */
    void *map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (map == MAP_FAILED) {
        close(fd);
        if (err)
            snprintf(err, errlen, "%s: cannot allocate %zu bytes: %s", path, len, strerror(errno));
        return NG_ENOMEM;
    }
#ifdef MADV_HUGEPAGE
    if (len >= ((size_t)2 << 20))
        (void)madvise(map, len, MADV_HUGEPAGE);
#endif
    size_t got = 0;
    while (got < len) {
        ssize_t r = read(fd, (char *)map + got, len - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            int e = r < 0 ? errno : EIO;
            close(fd);
            munmap(map, len);
            if (err)
                snprintf(err, errlen, "%s: cannot read: %s", path, r < 0 ? strerror(e) : "file shrank while reading");
            return NG_EIO;
        }
        got += (size_t)r;
    }
    close(fd);
    (void)mprotect(map, len, PROT_READ); /* models are immutable once loaded */
    char why[256];
    int rc = ng_modelfile_open_mem(mf, map, len, why, sizeof why);
    if (rc != NG_OK) {
        munmap(map, len);
        if (err)
            snprintf(err, errlen, "%s: %s", path, why);
        return rc;
    }
    mf->mapped = 1;
    return NG_OK;
}

void ng_modelfile_close(ng_modelfile *mf)
{
    if (!mf)
        return;
    if (mf->mapped && mf->base)
        munmap((void *)(uintptr_t)mf->base, mf->size);
    memset(mf, 0, sizeof *mf);
}

const ng_mf_section *ng_modelfile_find(const ng_modelfile *mf, const char *name)
{
    for (uint32_t i = 0; i < mf->nsections; i++)
        if (strcmp(mf->sections[i].name, name) == 0)
            return &mf->sections[i];
    return NULL;
}

/* ---- finding a model ---------------------------------------------------- */

int ng_modelfile_search(ng_modelfile *mf, const char *dir, const char *file, const char *what, char *path,
                        size_t pathlen, int *found, char *err, size_t errlen)
{
    memset(mf, 0, sizeof *mf);
    *found = 0;
    if (pathlen)
        path[0] = '\0';
    /* the candidate folders, in order */
    char exe_models[PATH_MAX + 16] = "";
    char exe_share[PATH_MAX + 32] = "";
    char exe[PATH_MAX];
    ssize_t k = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (k > 0) {
        exe[k] = '\0';
        for (int up = 0; up < 2; up++) { /* <exe>/.. /.. : build/newsgraph -> the tree */
            char *slash = strrchr(exe, '/');
            if (slash)
                *slash = '\0';
        }
        snprintf(exe_models, sizeof exe_models, "%.*s/models", (int)(sizeof exe - 1), exe);
        /* an installed binary, PREFIX/bin/newsgraph: PREFIX/share/newsgraph/models */
        snprintf(exe_share, sizeof exe_share, "%.*s/share/newsgraph/models", (int)(sizeof exe - 1), exe);
    }
    const char *env = getenv("NEWSGRAPH_MODELS");
    const char *cands[6];
    size_t nc = 0;
    if (dir) {
        cands[nc++] = dir;
    } else {
        if (env && *env)
            cands[nc++] = env;
        if (exe_models[0])
            cands[nc++] = exe_models;
        if (exe_share[0])
            cands[nc++] = exe_share;
#ifdef NG_MODELS_SOURCE_DIR
        cands[nc++] = NG_MODELS_SOURCE_DIR;
#endif
        cands[nc++] = NG_MODELS_INSTALL_DIR;
    }
    for (size_t i = 0; i < nc; i++) {
        char p[PATH_MAX + 64];
        snprintf(p, sizeof p, "%.*s/%.32s", PATH_MAX, cands[i], file);
        if (access(p, F_OK) != 0)
            continue;
        /* found: good or bad, do not look further */
        *found = 1;
        if (pathlen)
            snprintf(path, pathlen, "%s", p);
        int rc = ng_modelfile_open(mf, p, err, errlen);
        return rc == NG_EIO ? NG_EMODEL : rc;
    }
    if (err) {
        size_t o = (size_t)snprintf(err, errlen, "no %s model %s: looked in ", what, file);
        for (size_t i = 0; i < nc && o < errlen; i++)
            o += (size_t)snprintf(err + o, errlen - o, "%s%s", i ? ", " : "", cands[i]);
        if (!dir && (!env || !*env) && o < errlen)
            snprintf(err + o, errlen - o, " (set NEWSGRAPH_MODELS to the models folder)");
    }
    return NG_EMODEL;
}

/* ---- writing ------------------------------------------------------------ */

void ng_mf_writer_init(ng_mf_writer *wr)
{
    memset(wr, 0, sizeof *wr);
    ng_buf_init(&wr->body);
}

void ng_mf_writer_free(ng_mf_writer *wr)
{
    ng_buf_free(&wr->body);
    memset(wr, 0, sizeof *wr);
}

int ng_mf_writer_add(ng_mf_writer *wr, const char *name, const void *data, size_t len)
{
    size_t nl = strlen(name);
    if (wr->n >= NG_MODELFILE_MAX_SECTIONS || nl == 0 || nl >= NG_MODELFILE_NAME)
        return NG_EINVAL;
    static const char zeros[16] = {0};
    size_t pad = (16 - wr->body.len % 16) % 16;
    ng_buf_put(&wr->body, zeros, pad);
    wr->off[wr->n] = wr->body.len;
    wr->len[wr->n] = len;
    memset(wr->names[wr->n], 0, NG_MODELFILE_NAME);
    memcpy(wr->names[wr->n], name, nl);
    if (len)
        ng_buf_put(&wr->body, data, len);
    if (wr->body.oom)
        return NG_ENOMEM;
    wr->n++;
    return NG_OK;
}

int ng_mf_writer_finish(ng_mf_writer *wr, unsigned char **out, size_t *outlen)
{
    *out = NULL;
    *outlen = 0;
    size_t table_end = NG_MODELFILE_HEADER + (size_t)wr->n * NG_MODELFILE_ENTRY;
    size_t body_at = (table_end + 15) / 16 * 16;
    size_t total = body_at + wr->body.len;
    unsigned char *f = calloc(1, total);
    if (!f)
        return NG_ENOMEM;
    memcpy(f, NG_MODELFILE_MAGIC, 8);
    ng_put32(f + 8, NG_MODELFILE_VERSION);
    ng_put32(f + 12, BOM);
    ng_put32(f + 16, NG_MODELFILE_HEADER);
    ng_put32(f + 20, wr->n);
    ng_put64(f + 24, total);
    if (wr->body.len)
        memcpy(f + body_at, wr->body.p, wr->body.len);
    for (uint32_t i = 0; i < wr->n; i++) {
        unsigned char *e = f + NG_MODELFILE_HEADER + (size_t)i * NG_MODELFILE_ENTRY;
        memcpy(e, wr->names[i], NG_MODELFILE_NAME);
        ng_put64(e + 16, body_at + wr->off[i]);
        ng_put64(e + 24, wr->len[i]);
        ng_put32(e + 32, crc_bytes((uint32_t)crc32(0L, Z_NULL, 0), f + body_at + wr->off[i], wr->len[i]));
    }
    ng_put32(f + 32, file_crc(f, total));
    *out = f;
    *outlen = total;
    return NG_OK;
}
