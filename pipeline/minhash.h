/* Private: the pieces of near-duplicate detection (dedup --docs).
 *
 *   shingling   text -> words (lower-cased, punctuation and White_Space as
 *               separators) -> shingles of k consecutive words within one
 *               paragraph -> 64-bit shingle hashes;
 *   MinHash     128 minima of 32-bit universal hashes of the shingle hashes;
 *   LSH index   32 bands of 4 values -> a multimap from band key to document;
 *   exact sets  a document's distinct shingles as sorted 32-bit keys, so a
 *               candidate can be confirmed by its exact Jaccard index;
 *   union-find  clusters of documents, rooted at their first document.
 *
 * Every hash uses a fixed seed (below), so signatures, and hence decisions,
 * depend only on the input bytes. Ownership: each object owns its arrays;
 * release functions zero the object again.
 */
#ifndef MTPREP_MINHASH_H
#define MTPREP_MINHASH_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "mtprep/record.h"
#include "mtprep/status.h"

#define MTP_MINHASH_VALUES 128 /* values per signature */
#define MTP_MINHASH_BANDS 32
#define MTP_MINHASH_ROWS 4 /* values per band: BANDS * ROWS == VALUES */
#define MTP_MINHASH_MAX_K 8

/* Fixed seeds: XXH3-64 of each word's lower-cased UTF-8 bytes, and the
 * splitmix64 stream that draws the 128 (a, b) pairs of the MinHash family. */
#define MTP_MINHASH_WORD_SEED UINT64_C(0x6d747072657020)   /* "mtprep " */
#define MTP_MINHASH_PERM_SEED UINT64_C(0x6e6561726475702e) /* "neardup." */

/* ---- signatures --------------------------------------------------------- */

typedef struct mtp_minhash {
    uint32_t mins[MTP_MINHASH_VALUES]; /* the signature */
    uint64_t a[MTP_MINHASH_VALUES];    /* hash family parameters, fixed */
    uint64_t b[MTP_MINHASH_VALUES];
    uint64_t shingles;                  /* shingles folded in (repeats skipped) */
    unsigned k;                         /* words per shingle */
    uint64_t window[MTP_MINHASH_MAX_K]; /* hashes of the paragraph's last k words */
    unsigned window_len;                /* words in the window, <= k */
    uint64_t paragraph_words;           /* words seen in the current paragraph */
    mtp_buf word;                       /* the current word, lower-cased UTF-8 */
    /* shingles of this document already folded: repeats (43 % of the words
     * of news-id) skip the 128 hashes. Open addressing; a slot is in use
     * when its stamp equals the document's generation. */
    uint64_t *seen;
    uint32_t *seen_stamp;
    uint32_t *seen_list;  /* the set's keys (high halves) in insertion order */
    size_t seen_capacity; /* a power of two, or 0 */
    size_t seen_count;
    int seen_full; /* the set stopped growing: it no longer holds every shingle */
    uint32_t generation;
} mtp_minhash;

/* Prepares an empty signature with k words per shingle (1..MTP_MINHASH_MAX_K). */
void mtp_minhash_init(mtp_minhash *mh, unsigned k);

/* Starts a new document, keeping the word buffer for reuse. */
void mtp_minhash_reset(mtp_minhash *mh);

/* Folds one paragraph into the signature. Shingles never span paragraphs;
 * a paragraph of fewer than k words (but at least one) is one shingle.
 * Returns MTP_OK, MTP_ERR_INPUT for invalid UTF-8 (the signature then holds
 * the words before it), or MTP_ERR_NOMEM. */
mtp_status mtp_minhash_add_text(mtp_minhash *mh, mtp_str text);

/* Number of values on which two signatures agree (0..MTP_MINHASH_VALUES). */
unsigned mtp_minhash_agree(const uint32_t *a, const uint32_t *b);

/* Key of band `band` (0..BANDS-1) of a signature; equal bands give equal keys. */
uint32_t mtp_minhash_band_key(const uint32_t *sig, unsigned band);

/* The 64-bit hash of a shingle given its words' hashes (exposed for tests). */
uint64_t mtp_minhash_shingle_hash(const uint64_t *word_hashes, unsigned count);

/* The i-th hash of the MinHash family applied to a shingle hash. */
uint32_t mtp_minhash_permute(unsigned i, uint64_t shingle_hash);

void mtp_minhash_release(mtp_minhash *mh);

/* ---- exact shingle sets ---------------------------------------------------
 * A shingle's key is the high half of its 64-bit hash. Two distinct shingles
 * of a document share a key with probability ~ n^2 / 2^33 (n = 4096: 0.2 %),
 * and then count once: the Jaccard index of keys is the exact one but for
 * such rare merges. */

/* Writes the current document's distinct shingle keys, ascending and without
 * repeats, to keys[0..capacity-1] and their number to *count. Returns 0 when
 * the set is incomplete (a document past the repeat set's bound) or holds
 * more than `capacity` shingles, else 1. Reorders the internal list of the
 * set (its scratch space), not the set. */
int mtp_minhash_shingle_keys(mtp_minhash *mh, uint32_t *keys, size_t capacity, size_t *count);

/* Number of keys two ascending, repeat-free key arrays share. */
size_t mtp_shingle_keys_shared(const uint32_t *a, size_t a_count, const uint32_t *b,
                               size_t b_count);

/* ---- LSH band index -----------------------------------------------------
 * Open addressing, linear probing, entries (band key, document + 1); several
 * entries may share a key. Load <= 0.5; doubling is refused past a byte
 * bound so that the caller can report it. */
typedef struct mtp_lsh_entry {
    uint32_t key;
    uint32_t doc_plus_one; /* 0: empty slot */
} mtp_lsh_entry;

typedef struct mtp_lsh {
    mtp_lsh_entry *slots;
    size_t slot_count; /* a power of two, or 0 before the first insert */
    size_t used;
} mtp_lsh;

/* Bytes the table would need to hold `entries` more entries (0 when it fits). */
size_t mtp_lsh_growth_bytes(const mtp_lsh *lsh, size_t entries);

/* Inserts the BANDS keys of `sig` for document `doc`. The caller has checked
 * mtp_lsh_growth_bytes against its budget. Returns MTP_OK or MTP_ERR_NOMEM. */
mtp_status mtp_lsh_insert(mtp_lsh *lsh, const uint32_t *sig, uint32_t doc);

/* Calls visit(ctx, doc) for each document sharing at least one band with
 * `sig` (once per shared band: callers dedupe). */
void mtp_lsh_query(const mtp_lsh *lsh, const uint32_t *sig, void (*visit)(void *ctx, uint32_t doc),
                   void *ctx);

size_t mtp_lsh_bytes(const mtp_lsh *lsh);
void mtp_lsh_release(mtp_lsh *lsh);

/* ---- union-find ----------------------------------------------------------
 * parent[] over document numbers; the root of a set is its smallest member,
 * so a cluster is named by its first document in input order. */
uint32_t mtp_uf_find(uint32_t *parent, uint32_t x);
void mtp_uf_union(uint32_t *parent, uint32_t a, uint32_t b);

#endif
