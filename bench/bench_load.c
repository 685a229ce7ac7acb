/*
 * bench_load.c — how long ng_model_new takes (every language's resources,
 * the named-entity and part-of-speech models, the event lexicons) and
 * what it leaves in memory.
 *
 *   bench_load [N]      load and free the model N times (default 10)
 *
 * Prints the fastest, median and slowest load in milliseconds and the
 * process's peak resident size.  Nothing is asserted (issue 3 asks for a
 * load of at most 50 ms; docs/design.md "Speed").
 */
#include "newsgraph.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 10;
    if (n < 1 || n > 1000) {
        fprintf(stderr, "usage: bench_load [N]   (N from 1 to 1000; default 10)\n");
        return 2;
    }
    double *ms = calloc((size_t)n, sizeof *ms);
    if (!ms)
        return 1;
    for (int i = 0; i < n; i++) {
        char err[512];
        ng_model *m;
        double t0 = now();
        if (ng_model_new(&m, NULL, err, sizeof err) != NG_OK) {
            fprintf(stderr, "bench_load: %s\n", err);
            free(ms);
            return 1;
        }
        ms[i] = (now() - t0) * 1e3;
        ng_model_free(m);
    }
    qsort(ms, (size_t)n, sizeof *ms, cmp_double);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("model load (ng_model_new, every language): %d loads, fastest %.1f ms, median %.1f ms, slowest %.1f ms "
           "(target <= 50 ms); peak RSS %.0f MB\n",
           n, ms[0], ms[n / 2], ms[n - 1], (double)ru.ru_maxrss / 1024.0);
    free(ms);
    return 0;
}
