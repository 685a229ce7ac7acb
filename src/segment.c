/* segment.c — sentences and tokens (placeholder, being written) */
#include "internal.h"
int ng_segment(ng_worker *w, ng_doc *doc)
{
    NG_UNUSED(w);
    doc->sentences = ng_arena_calloc(&doc->arena, 1, sizeof *doc->sentences);
    if (!doc->sentences)
        return NG_ENOMEM;
    doc->sentences[0].start = 0;
    doc->sentences[0].end = (uint32_t)doc->text_len;
    doc->nsentences = 1;
    return NG_OK;
}
