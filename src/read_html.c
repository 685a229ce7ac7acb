/* read_html.c — HTML (placeholder, being written) */
#include "internal.h"
int ng_html_extract(ng_worker *w, ng_doc *doc, const char *s, size_t n)
{
    NG_UNUSED(w);
    doc->text = ng_arena_strndup(&doc->arena, s, n);
    doc->text_len = n;
    return NG_OK;
}
int ng_html_sniff_charset(const char *s, size_t n, char *out, size_t cap)
{
    NG_UNUSED(s); NG_UNUSED(n); NG_UNUSED(out); NG_UNUSED(cap);
    return 0;
}
