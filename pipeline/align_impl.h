/* Private to the aligner (align.c, align_dict.c, align_features.c,
 * align_dp.c): its model parameters, the state it keeps between documents,
 * and the functions the four files share. align.c's opening comment
 * describes the model and the search. */
#ifndef MTPREP_ALIGN_IMPL_H
#define MTPREP_ALIGN_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "mtprep/align.h"

/* ---- model parameters ---------------------------------------------------- */

#define MATCH_GAIN 2.0  /* log-odds per unit weight of a matched token (chance matches ~1 in 7) */
#define MISS_COST 0.3   /* log-odds lost per unit weight of an unmatched token */
#define NULL_COST 4.0   /* a 1-0 or 0-1 bead: deletions are rarer than hard translations */
#define BIAS_1_1 1.0    /* 1-1 is the common case even in noisy text */
#define BIAS_2_1 (-1.5) /* 2-1 and 1-2 */
#define BIAS_2_2 (-4.0)
#define LEN_VARIANCE 4.5     /* s2 of Gale–Church, per code point, id-en news */
#define LEN_RANDOM_SD 3.0    /* spread of delta between unrelated sentences */
#define LEN_LLR_FLOOR (-4.0) /* translations with odd lengths exist: cap the penalty */

#define BAND_HALF_START 3
#define BAND_MAX_CELLS ((size_t)64 << 20) /* back-pointer bytes: the band stops growing there */
#define BAND_MAX_PASSES 16                /* widenings of the band per document */
#define MAX_TRANSLATIONS 6                /* keys taken from the word list per token */
#define MAX_SENTENCE_TOKENS 4096          /* features kept per sentence */
#define WORD_CAPACITY 96                  /* bytes of a folded word; longer words are cut */
#define LOOKUP_CACHE_SIZE 16384           /* folded source words -> word list entry */

enum { TAG_WORD = 1, TAG_PREFIX, TAG_NUMBER, TAG_URL, TAG_PUNCT };

/* ---- the word list -------------------------------------------------------- */

typedef struct dict_slot {
    uint64_t hash;  /* of the folded source word; 0: empty slot */
    uint32_t start; /* into dict.targets */
    uint32_t count;
} dict_slot;

typedef struct dict {
    dict_slot *slots;
    size_t mask;       /* slots - 1; slots a power of two */
    uint32_t *targets; /* match keys of the translations */
    size_t entries;
} dict;

typedef struct lookup_entry {
    uint64_t hash; /* folded word; 0: empty */
    uint32_t start;
    uint32_t count; /* 0: not in the list */
} lookup_entry;

/* ---- document features ---------------------------------------------------- */

typedef struct sentence_feats {
    size_t key_start; /* into side.keys: sorted (key << 16 | token) values */
    uint32_t key_count;
    uint32_t tok_start; /* into side.weight and side.stamp */
    float weight;       /* sum of token weights */
    uint32_t chars;     /* code points */
} sentence_feats;

typedef struct side_feats {
    sentence_feats *sent;
    size_t sent_capacity;
    float *weight;   /* per token */
    uint32_t *stamp; /* per token: last pair computation that matched it */
    size_t tok_len, tok_capacity, stamp_capacity;
    uint64_t *keys;
    size_t key_len, key_capacity;
    uint64_t *anchor_keys; /* (key << 32 | sentence) of numbers, names, URLs */
    size_t anchor_len, anchor_capacity;
    size_t count; /* sentences */
} side_feats;

typedef struct pair_stat {
    float src_hit; /* weight of source tokens matched */
    float tgt_hit; /* weight of target tokens matched */
} pair_stat;

typedef struct stat_row {
    pair_stat *cells;
    size_t capacity;
    long a;    /* source sentence; -1: none */
    long base; /* first target sentence */
    long len;
} stat_row;

typedef struct bead {
    uint32_t src_start, src_count, tgt_start, tgt_count;
    double gain;
} bead;

struct mtp_aligner {
    mtp_align_options opts;
    mtp_counts counts;
    mtp_error error;
    int src_is_id, tgt_is_en;
    dict dict;
    lookup_entry *cache;
    side_feats src, tgt;
    uint32_t stamp;
    /* the band */
    uint32_t *lo, *hi; /* per row i, target range [lo, hi] */
    uint32_t *centre;  /* per row i, the band's middle */
    uint32_t *half;    /* per row i, the band's half-width */
    size_t *offset;    /* per row i, its first back-pointer */
    uint8_t *edge;     /* per row i, 1 if the last path touched the band's edge */
    size_t lo_capacity, hi_capacity, centre_capacity, half_capacity, offset_capacity, edge_capacity;
    uint8_t *back;
    size_t back_capacity;
    double *score[3];
    size_t score_capacity[3];
    stat_row stats[3];
    double length_ratio;
    bead *beads;
    size_t bead_len, bead_capacity;
    uint64_t *anchors; /* (source << 32 | target) sentence pairs */
    size_t anchor_len, anchor_capacity;
    uint32_t *chain; /* scratch of chain_anchors */
    size_t chain_capacity;
    uint64_t *sort_scratch;
    size_t sort_capacity;
    mtp_buf units, src_text, tgt_text;
};

/* Grows *ptr (elem-byte items, *capacity of them) to hold `need`, doubling. */
mtp_status mtp_align_grow(void **ptr, size_t *capacity, size_t need, size_t elem);

/* ---- align_dict.c: word folding and the word list ---- */

/* A 32-bit match key of bytes s[0..len) under a tag (TAG_WORD ...). */
uint32_t mtp_align_key_of(int tag, const char *s, size_t len);
/* Lowercases s[0..len) into dst (WORD_CAPACITY bytes); *cps: code points. */
size_t mtp_align_fold_word(const char *s, size_t len, char *dst, size_t *cps);
/* Length of a folded English word without its inflection (-s, -ed, -ing ...). */
size_t mtp_align_en_stem(const char *w, size_t len);
/* The key a target word is matched on: its folded, stemmed form. */
uint32_t mtp_align_target_word_key(const mtp_aligner *a, const char *folded, size_t len);
/* The word list entry of a folded source word (count 0: not listed). */
const lookup_entry *mtp_align_source_lookup(mtp_aligner *a, const char *w, size_t len);
/* Loads the word list (opts.dict_path or the built-in one). */
mtp_status mtp_align_dict_load(mtp_aligner *a, mtp_error *err);

/* ---- align_features.c: tokens, weights and match keys of a document ---- */

mtp_status mtp_align_scan_side(mtp_aligner *a, side_feats *side, int is_src,
                               const mtp_align_side *in);
void mtp_align_side_release(side_feats *s);

/* ---- align_dp.c: pair statistics, bead evidence, the banded search ---- */

/* Finds the best bead path of an n x m document (n, m > 0) into a->beads,
 * last bead first. */
mtp_status mtp_align_dp(mtp_aligner *a, size_t n, size_t m);
/* The evidence of the bead pairing source [s, s+ns) with target [t, t+nt). */
double mtp_align_bead_gain(mtp_aligner *a, size_t s, uint32_t ns, size_t t, uint32_t nt);

#endif
