/* read_text.c — plain text (placeholder, being written) */
#include "internal.h"
int ng_text_extract(ng_worker *w, ng_doc *doc, const char *s, size_t n)
{
    NG_UNUSED(w);
    doc->text = ng_arena_strndup(&doc->arena, s, n);
    doc->text_len = n;
    return NG_OK;
}
