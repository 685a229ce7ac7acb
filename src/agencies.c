/* agencies.c — agency credits (placeholder, being written) */
#include "internal.h"
int ng_agencies_find(ng_worker *w, ng_doc *doc)
{
    NG_UNUSED(w); NG_UNUSED(doc);
    return NG_OK;
}
