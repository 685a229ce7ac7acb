/*
 * html.h — what read_html.c (parsing, metadata) and boilerplate.c (the
 * article's blocks) share.  Private to those two files.
 *
 * read_html.c walks myhtml's tree once, without recursion, and flattens it
 * into two arrays: the elements in document (pre-)order, each knowing its
 * parent and the end of its subtree, and the text segments (runs of inline
 * text between two block boundaries), each knowing the element that owns
 * it.  boilerplate.c scores those arrays and picks the article's segments.
 */
#ifndef NG_HTML_H
#define NG_HTML_H

#include "internal.h"

#include <myhtml/api.h>

/* Element flags (ng_hel.flags). */
enum {
    NG_HEL_BLOCK = 1u << 0,   /* a block-level element: starts a new segment */
    NG_HEL_BADTAG = 1u << 1,  /* nav, aside, footer, form, button ...: boilerplate by tag */
    NG_HEL_HIDDEN = 1u << 2,  /* hidden, display:none, aria-hidden */
    NG_HEL_BODY = 1u << 3,    /* itemprop=articleBody (or a well-known body class) */
    NG_HEL_ARTICLE = 1u << 4, /* <article> or <main> or role=main */
    NG_HEL_HEADER = 1u << 5,  /* <header>, or a class/id naming a page or article header */
    NG_HEL_LINK = 1u << 6     /* <a href> */
};

/* One element of the page, in document order. */
typedef struct {
    myhtml_tree_node_t *node; /* myhtml's node (owned by the worker's tree) */
    int32_t parent;  /* index of the parent element, -1 for the root */
    int32_t end;     /* one past the last element of this subtree */
    int32_t blk;     /* nearest block-level element at or above this one */
    uint16_t tag;    /* myhtml_tag_id_t */
    uint16_t flags;  /* NG_HEL_* */
    int16_t cue;     /* class/id weight: + article cues, - boilerplate cues */
    uint16_t depth;  /* depth below the root, clamped */
    uint32_t text;   /* bytes of text in the subtree */
    uint32_t link;   /* of which inside links */
    uint32_t own;    /* bytes of text in segments this element owns */
    uint32_t commas; /* commas in the subtree */
    uint32_t paras;  /* good paragraphs (>= 80 bytes, few links) in the subtree */
    uint32_t good;   /* bytes of prose-like segments in the subtree */
    uint32_t junk;   /* bytes of text under boilerplate blocks without prose paragraphs */
    float score;     /* content score (readability-style, from paragraphs below) */
} ng_hel;

/* A run of text between two block boundaries. */
typedef struct {
    uint32_t start, end; /* bytes in ng_hpage.buf */
    uint32_t link;       /* bytes of it inside links */
    uint32_t commas;     /* ',' and '，' and '、' */
    int32_t owner;       /* the block-level element holding it */
} ng_hseg;

/* The flattened page. */
typedef struct {
    ng_hel *el;
    size_t nel, capel;
    ng_hseg *seg;
    size_t nseg, capseg;
    ng_buf buf;      /* all visible text, segments back to back */
    int oom;         /* set when an array could not grow */
} ng_hpage;

/* Chooses the article's segments and writes them, blocks separated by a
 * blank line, into out.  title (may be NULL) is left out when a heading
 * repeats it.  Can only fail for memory (out->oom). */
void ng_html_body(const ng_model *m, ng_hpage *pg, const char *title, ng_buf *out);

#endif /* NG_HTML_H */
