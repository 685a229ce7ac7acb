/* progress.h — progress on standard error for long runs: a redrawn bar when
 * standard error is a terminal, a plain line every 30 s otherwise. */
#ifndef NG_PROGRESS_H
#define NG_PROGRESS_H
#include <stddef.h>

typedef struct ng_progress ng_progress;

/* Starts counting.  label names the command; paths are the inputs, whose
 * sizes (files, folders walked) give the total for the bar when known.
 * quiet makes every call a no-op.  Returns NULL when quiet or out of memory
 * (every function accepts NULL). */
ng_progress *ng_progress_new(int quiet, const char *label, char **paths, int npaths);
/* Counts items done, their bytes, and how many of them were refused. */
void ng_progress_add(ng_progress *p, size_t items, size_t bytes, int refused);
/* Erases the bar so that an error line can be printed cleanly. */
void ng_progress_clear(ng_progress *p);
/* Prints the final summary when the run was long enough to show progress. */
void ng_progress_finish(ng_progress *p);
void ng_progress_free(ng_progress *p);
#endif
