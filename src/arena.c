/*
 * arena.c — the per-article bump allocator.
 *
 * Blocks grow geometrically from 16 KiB to 1 MiB; a request larger than a
 * block gets a block of its own.  Nothing is freed until ng_arena_free,
 * which releases every block at once.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

struct ng_arena_block {
    ng_arena_block *next; /* older block */
    size_t size;          /* usable bytes in data[] */
    size_t used;          /* bytes handed out */
    _Alignas(16) unsigned char data[];
};

#define ARENA_MIN 16384u
#define ARENA_MAX (1u << 20)

void ng_arena_init(ng_arena *a)
{
    memset(a, 0, sizeof *a);
}

void ng_arena_free(ng_arena *a)
{
    if (!a)
        return;
    ng_arena_block *b = a->head;
    while (b) {
        ng_arena_block *next = b->next;
        free(b);
        b = next;
    }
    memset(a, 0, sizeof *a);
}

void *ng_arena_alloc(ng_arena *a, size_t n)
{
    if (n == 0)
        n = 1;
    if (n > SIZE_MAX - 64) {
        a->oom = 1;
        return NULL;
    }
    n = (n + 15u) & ~(size_t)15u;
    ng_arena_block *b = a->head;
    if (!b || b->size - b->used < n) {
        size_t size = b ? b->size * 2 : ARENA_MIN;
        if (size > ARENA_MAX)
            size = ARENA_MAX;
        if (size < n)
            size = n;
        ng_arena_block *nb = malloc(sizeof *nb + size);
        if (!nb) {
            a->oom = 1;
            return NULL;
        }
        nb->size = size;
        nb->used = 0;
        /* keep a roomy current block in front of a one-off big block */
        if (b && size == n && b->size - b->used > 256) {
            nb->next = b->next;
            b->next = nb;
        } else {
            nb->next = b;
            a->head = nb;
        }
        a->total += size;
        nb->used = n;
        return nb->data;
    }
    void *p = b->data + b->used;
    b->used += n;
    return p;
}

void *ng_arena_calloc(ng_arena *a, size_t nmemb, size_t size)
{
    if (size && nmemb > SIZE_MAX / size) {
        a->oom = 1;
        return NULL;
    }
    void *p = ng_arena_alloc(a, nmemb * size);
    if (p)
        memset(p, 0, nmemb * size);
    return p;
}

char *ng_arena_strndup(ng_arena *a, const char *s, size_t n)
{
    if (!s)
        return NULL;
    char *p = ng_arena_alloc(a, n + 1);
    if (!p)
        return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *ng_arena_strdup(ng_arena *a, const char *s)
{
    return s ? ng_arena_strndup(a, s, strlen(s)) : NULL;
}
