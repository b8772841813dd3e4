/* dedup --docs: drops near-duplicate documents (syndicated copies, re-scrapes,
 * lightly edited reposts), keeping the first document of each cluster.
 *
 * A document is the run of consecutive records sharing a doc_id (ingest
 * emits them so). Its text (the unit text, or the source side of a pair) is
 * cut into word shingles, summarised by a 128-value MinHash signature and
 * looked up in an LSH index of the documents seen so far; a candidate whose
 * Jaccard similarity reaches `threshold` makes the document a near
 * duplicate: its records are dropped,
 * each counted as "dropped.near_duplicate_doc". The similarity is exact
 * (over the documents' stored shingle sets) when both documents have at most
 * `exact_max_shingles` distinct shingles, else estimated by the fraction of
 * equal MinHash values. See pipeline/dedup_docs.c
 * for the algorithm, the fixed seeds and the S-curve of the banding.
 *
 * Counts: "documents" (every document seen), "documents_dropped" (near
 * duplicates), "documents_without_words" (nothing to shingle: always kept),
 * "dropped.near_duplicate_doc" and "dropped.doc_too_long" (per record).
 *
 * Ownership: options and their strings are borrowed for the life of the stage.
 */
#ifndef MTPREP_DEDUP_DOCS_H
#define MTPREP_DEDUP_DOCS_H

#include <stddef.h>

#include "mtprep/policy.h"
#include "mtprep/stage.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MTP_DEDUP_DOCS_DEFAULT_THRESHOLD 0.8
#define MTP_DEDUP_DOCS_DEFAULT_SHINGLE_WORDS 1u
#define MTP_DEDUP_DOCS_MAX_SHINGLE_WORDS 8u
#define MTP_DEDUP_DOCS_DEFAULT_MAX_DOC_BYTES ((size_t)16 << 20) /* 16 MiB */
#define MTP_DEDUP_DOCS_DEFAULT_MEM_BYTES ((size_t)1 << 30)      /* 1 GiB */
#define MTP_DEDUP_DOCS_DEFAULT_EXACT_MAX_SHINGLES 4096u
#define MTP_DEDUP_DOCS_MAX_EXACT_MAX_SHINGLES 65536u
#define MTP_DEDUP_DOCS_RECORD_BYTES 64u /* bookkeeping per buffered record */

typedef struct mtp_dedup_docs_options {
    double threshold;          /* estimated Jaccard in (0,1] that makes a near duplicate; 0.8 */
    unsigned shingle_words;    /* words per shingle, 1..8; default 1 (see dedup_docs.c) */
    size_t max_doc_bytes;      /* one document's buffered records, their fields plus
                                  MTP_DEDUP_DOCS_RECORD_BYTES each; longer: bad input "doc_too_long" */
    size_t mem_bytes;          /* bound on the index of documents (signatures, bands, ids); 1 GiB */
    size_t exact_max_shingles; /* documents with at most this many distinct shingles keep
                                  them (4 bytes each) for exact confirmation; 0: estimate
                                  only; at most MTP_DEDUP_DOCS_MAX_EXACT_MAX_SHINGLES; 4096 */
    const char *clusters_path; /* NULL, or a file for "doc_id TAB cluster_id" lines at finish */
    mtp_on_error on_error;     /* invalid UTF-8 and over-long documents; default skip */
} mtp_dedup_docs_options;

void mtp_dedup_docs_options_default(mtp_dedup_docs_options *opts);

/* Bytes of index one document costs (about 1 KiB), doc_id, array doubling
 * slack and its exact shingle set (4 bytes a distinct shingle: ~0.6 KiB for
 * a news article) excluded: divide mem_bytes by this plus the set for the
 * number of documents a run can hold. */
size_t mtp_dedup_docs_bytes_per_doc(void);

/* Creates the stage. feed() buffers one document's records and decides when
 * the next doc_id (or finish) arrives, so records leave in input order, a
 * document at a time. When the index would grow past opts->mem_bytes, feed
 * or finish returns MTP_ERR_LIMIT whatever on_error says (going on would
 * silently stop deduplicating). finish writes opts->clusters_path (under a
 * temporary name, then renamed): one line per document in input order,
 * "doc_id TAB cluster_id", the cluster id being the doc_id of the cluster's
 * first document; MTP_ERR_IO when it cannot. Returns MTP_OK, MTP_ERR_NOMEM,
 * or MTP_ERR_USAGE for an option out of range (message in *err, which may
 * be NULL). */
mtp_status mtp_dedup_docs_new(const mtp_dedup_docs_options *opts, mtp_stage **out, mtp_error *err);

#ifdef __cplusplus
}
#endif
#endif
