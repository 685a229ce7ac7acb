/*
 * progress.c — see progress.h.  Called only from the thread that writes
 * results, so it needs no lock.
 */
#define _XOPEN_SOURCE 700
#include "progress.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct ng_progress {
    const char *label;
    int tty;
    double start, last;  /* seconds (monotonic) */
    size_t items, refused;
    unsigned long long bytes, total; /* total: 0 when unknown */
    int shown;           /* something was drawn */
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static unsigned long long walk_total;
static int walk_cb(const char *path, const struct stat *st, int flag, struct FTW *f)
{
    (void)path;
    (void)f;
    if (flag == FTW_F && S_ISREG(st->st_mode))
        walk_total += (unsigned long long)st->st_size;
    return 0;
}

ng_progress *ng_progress_new(int quiet, const char *label, char **paths, int npaths)
{
    if (quiet)
        return NULL;
    ng_progress *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->label = label;
    p->tty = isatty(STDERR_FILENO);
    p->start = p->last = now_s();
    if (p->tty) {
        /* the total is known unless standard input is read */
        walk_total = 0;
        int known = 1;
        for (int i = 0; i < npaths; i++) {
            if (strcmp(paths[i], "-") == 0) {
                known = 0;
                break;
            }
            nftw(paths[i], walk_cb, 16, FTW_PHYS);
        }
        p->total = known ? walk_total : 0;
    }
    return p;
}

static void human(double v, char *out, size_t cap)
{
    const char *u[] = {"B", "KB", "MB", "GB", "TB"};
    int i = 0;
    while (v >= 1000 && i < 4) {
        v /= 1000;
        i++;
    }
    snprintf(out, cap, i ? "%.1f %s" : "%.0f %s", v, u[i]);
}

static void draw(ng_progress *p, double t, int final)
{
    char done[32], rate[32];
    double el = t - p->start;
    human((double)p->bytes, done, sizeof done);
    human(el > 0 ? p->bytes / el : 0, rate, sizeof rate);
    if (p->tty && !final) {
        char bar[32] = "";
        if (p->total) {
            int w = (int)(20.0 * (double)p->bytes / (double)p->total);
            if (w > 20)
                w = 20;
            snprintf(bar, sizeof bar, "[%.*s%*s] %3d%% ", w, "####################", 20 - w, "",
                     (int)(100.0 * (double)p->bytes / (double)p->total));
        }
        fprintf(stderr, "\r%s: %s%zu articles, %s, %s/s, %zu refused\033[K", p->label, bar, p->items, done, rate,
                p->refused);
    } else {
        fprintf(stderr, "%s: %zu articles, %s in %.1f s (%s/s), %zu refused\n", p->label, p->items, done, el, rate,
                p->refused);
    }
    p->shown = 1;
}

void ng_progress_add(ng_progress *p, size_t items, size_t bytes, int refused)
{
    if (!p)
        return;
    p->items += items;
    p->bytes += bytes;
    p->refused += refused ? items : 0;
    if ((p->items & 63) != 0 && p->tty)
        return;
    double t = now_s();
    double every = p->tty ? 0.2 : 30.0;
    if (t - p->last >= every && t - p->start >= (p->tty ? 1.0 : 30.0)) {
        p->last = t;
        draw(p, t, 0);
    }
}

void ng_progress_clear(ng_progress *p)
{
    if (p && p->tty && p->shown)
        fprintf(stderr, "\r\033[K");
}

void ng_progress_finish(ng_progress *p)
{
    if (!p || !p->shown)
        return;
    ng_progress_clear(p);
    draw(p, now_s(), 1);
}

void ng_progress_free(ng_progress *p)
{
    free(p);
}
