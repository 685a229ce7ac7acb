/*
 * pos.h — the part-of-speech stage (pos.c): one Universal Dependencies
 * part-of-speech tag per token, from a tagger trained on the UD treebanks
 * (models/pos-<lang>.bin, tools/train-pos.c).  The event stage (events.c)
 * reads doc->pos to find clauses, verb groups and noun phrases.
 */
#ifndef NG_POS_H
#define NG_POS_H

#include "internal.h"

/* The 17 universal tags; NG_UPOS_NONE for a token the tagger did not see. */
enum {
    NG_UPOS_NONE = 0,
    NG_UPOS_ADJ, NG_UPOS_ADP, NG_UPOS_ADV, NG_UPOS_AUX, NG_UPOS_CCONJ,
    NG_UPOS_DET, NG_UPOS_INTJ, NG_UPOS_NOUN, NG_UPOS_NUM, NG_UPOS_PART,
    NG_UPOS_PRON, NG_UPOS_PROPN, NG_UPOS_PUNCT, NG_UPOS_SCONJ, NG_UPOS_SYM,
    NG_UPOS_VERB, NG_UPOS_X,
    NG_UPOS_COUNT
};

/* "ADJ", "ADP", ... for a tag (NG_UPOS_NONE gives "_"). */
const char *ng_upos_name(int tag);

typedef struct ng_pos ng_pos;
typedef struct ng_pos_scratch ng_pos_scratch;

/* Finds and maps models/pos-<lang>.bin where ng_ner_load looks for the NER
 * model and loads its tagger.  NG_EMODEL (or NG_EIO, NG_ENOMEM) with a
 * message in err; a language without a POS model is not an error for the
 * caller (it leaves L->pos NULL): when no folder holds the file this
 * returns NG_OK with *out NULL (err then says where it looked). */
int ng_pos_load(ng_pos **out, const char *dir, const char *lang, char *err, size_t errlen);
void ng_pos_free(ng_pos *pos);
void ng_pos_scratch_free(ng_pos_scratch *sc);

/* The part-of-speech stage: fills doc->pos (one tag per token, in
 * doc->arena) with the tagger of doc's language; leaves it NULL when the
 * language has no model. */
int ng_pos_tag(ng_worker *w, ng_doc *doc);

#endif
