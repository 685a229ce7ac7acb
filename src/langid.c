/* langid.c — language identification (placeholder, being written) */
#include "internal.h"
#include <string.h>
int ng_langid(ng_worker *w, ng_doc *doc)
{
    NG_UNUSED(w);
    strcpy(doc->lang, "en");
    return NG_OK;
}
void ng_langid_free(void *handle) { NG_UNUSED(handle); }
