/* decode.c — bytes to UTF-8 (placeholder, being written) */
#include "internal.h"
int ng_decode(ng_worker *w, const char *data, size_t len, const char *charset, ng_buf *out)
{
    NG_UNUSED(charset);
    size_t bad = ng_utf8_check(data, len);
    if (bad < len)
        return ng_worker_fail(w, NG_EENCODING, "invalid UTF-8 at byte %zu", bad);
    ng_buf_put(out, data, len);
    return NG_OK;
}
