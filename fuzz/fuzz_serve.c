/*
 * fuzz_serve.c — libFuzzer target for the request parsing of `newsgraph
 * serve` (cli/serve.c, compiled here without its server part): the %XX
 * decoder, the route parser, the id and limit readers.
 *
 * Besides not crashing, it checks the promises: decoding never grows a
 * string nor makes a NUL; a route is found (0) or refused with 404 or 414;
 * a page file's name has no '/', no "..", no leading dot and fits its
 * buffer; an id is a positive number of at most 15 digits and a limit
 * never exceeds its maximum.
 */
#define NG_SERVE_ROUTES_ONLY
#include "../cli/serve.c"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 8192)
        return 0;
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    size_t before = strlen(s);
    size_t n = url_unescape(s);
    if (n > before || strlen(s) != n)
        abort();
    route r;
    const char *why = NULL;
    int st = route_parse(s, &r, &why);
    if (st != 0 && st != 404 && st != 414)
        abort();
    if (st != 0 && !why)
        abort();
    if (st == 0) {
        if (strlen(r.key) >= ROUTE_KEY)
            abort();
        if (r.kind == R_ASSET) {
            if (!asset_name_ok(r.key) || strchr(r.key, '/') || strstr(r.key, "..") || r.key[0] == '.')
                abort();
            if (!content_type(r.key))
                abort();
        } else if (r.kind < R_TIMELINE || r.kind > R_DOC) {
            abort();
        }
        int64_t id = parse_id(r.key);
        if (id < 0 || (id > 0 && (strlen(r.key) > 15 || strspn(r.key, "0123456789") != strlen(r.key))))
            abort();
    }
    size_t lim = 0;
    if (parse_limit(s, 7, 1000, &lim) == 0 && (lim == 0 || lim > 1000))
        abort();
    free(s);
    return 0;
}
