/* pubdate.c — dates (placeholder, being written) */
#include "internal.h"
int ng_date_normalize(const ng_model *m, const char *s, size_t n, char *out, size_t cap)
{
    NG_UNUSED(m); NG_UNUSED(s); NG_UNUSED(n); NG_UNUSED(out); NG_UNUSED(cap);
    return 0;
}
