/*
 * fuzz_html.c — libFuzzer target for the HTML reader: the input goes
 * through ng_analyze as an HTML page (format forced), so the nesting
 * pre-scan, the lean copy, myhtml, the tree walk, the metadata readers and
 * the boilerplate scorer all see it.  A refusal is fine; a crash, a leak or
 * a text that is not inside the arena's bounds is not.  The model and the
 * worker are made once, as a real caller would.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "newsgraph.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static ng_model *model;
static ng_worker *worker;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!model) {
        char err[128];
        if (ng_model_new(&model, NULL, err, sizeof err) != NG_OK || ng_worker_new(model, &worker) != NG_OK)
            abort();
    }
    ng_source src;
    ng_source_default(&src);
    src.format = NG_FORMAT_HTML;
    ng_doc *d = NULL;
    int rc = ng_analyze(worker, &src, (const char *)data, size, &d);
    if (rc == NG_OK) {
        size_t n;
        const char *t = ng_doc_text(d, &n);
        if (!t || strlen(t) != n) /* NUL-terminated, no NUL inside */
            abort();
        const char *title = ng_doc_title(d);
        if (title && strlen(title) > size)
            abort();
        ng_doc_free(d);
    } else if (d) {
        abort();
    }
    return 0;
}
