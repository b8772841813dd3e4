/* align: sentence alignment of two segmented record streams.
 *
 * Input: two streams of unit records (doc_id, "P.S", text), source (e.g.
 * Indonesian) and target (e.g. English), each grouping a document's records
 * consecutively. Documents are paired on doc_id by a merge join with a bounded
 * look-ahead (window_docs documents per side), so both streams must list their
 * shared documents in the same order; documents present on one side only are
 * counted and skipped.
 *
 * Each document pair is aligned by a banded dynamic program over the beads
 * 1-1, 1-0, 0-1, 2-1, 1-2 and 2-2 (Gale & Church 1993, with lexical evidence
 * as in Moore 2002 and hunalign): see pipeline/align.c for the model.
 *
 * Output: one pair record per 1-1, 2-1, 1-2 or 2-2 bead,
 *   doc_id TAB units TAB src TAB tgt TAB score
 * with units "1.2+1.3=1.4" (source units joined by '+', '=', target units)
 * and the texts of a merged side joined by one space. The score in [0,1] is
 * the logistic of the bead's evidence per sentence (length and lexical
 * log-likelihood ratio against "these sentences are unrelated"); pairs below
 * min_score are dropped. 1-0 and 0-1 beads are only counted, unless
 * emit_nulls is set: then they are written with an empty side, an empty
 * units side ("1.3=" or "=2.1") and score 0 (for the scorer in tools/).
 *
 * Counts are in sentence units so that in = out + dropped holds:
 *   in                       source + target sentences read (malformed lines too)
 *   in.src, in.tgt           the same, per side (informative)
 *   out                      sentences inside emitted pair records
 *   pairs                    pair records emitted (informative; = lines written)
 *   docs                     document pairs aligned (informative)
 *   docs.src_only, docs.tgt_only   documents without a counterpart (informative)
 *   dropped.one_sided_doc    sentences of documents without a counterpart
 *   dropped.unaligned_src    sentences of 1-0 beads
 *   dropped.unaligned_tgt    sentences of 0-1 beads
 *   dropped.low_score        sentences of pairs scoring below min_score
 *   dropped.not_unit_record  pair records given as input (bad input policy)
 *   dropped.doc_too_long     sentences past max_doc_sentences (bad input policy)
 *   dropped.REASON           malformed lines (the reader's reasons)
 *
 * Memory: one document pair (both sides' texts and per-sentence features,
 * about 1.5 KB per sentence pair), the documents held in the join's
 * look-ahead, and the band of the dynamic program: one back-pointer byte per
 * band cell, the band a few cells either side of a centre line through
 * anchor sentences, widened only where the best path touches its edge, and
 * never past 64 Mi cells. A 100,000-sentence document pair peaks at about
 * 140 MB.
 *
 * Ownership: options' strings are borrowed for the aligner's lifetime.
 */
#ifndef MTPREP_ALIGN_H
#define MTPREP_ALIGN_H

#include <stddef.h>

#include "mtprep/counts.h"
#include "mtprep/policy.h"
#include "mtprep/reader.h"
#include "mtprep/stage.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mtp_align_options {
    const char *src_lang;     /* source language code; default "id" */
    const char *tgt_lang;     /* target language code; default "en" */
    const char *dict_path;    /* TSV word list "src<TAB>tgt"; NULL: built-in for id-en */
    int use_dict;             /* 0: no word list at all; default 1 */
    double min_score;         /* pairs scoring below are dropped; default 0 */
    size_t window_docs;       /* join look-ahead, documents per side; default 1000 */
    size_t max_doc_sentences; /* sentences kept per document side; default 1000000 */
    int emit_nulls;           /* write 1-0/0-1 beads too (score 0); default 0 */
    mtp_on_error on_error;    /* malformed input records; default skip */
} mtp_align_options;

void mtp_align_options_default(mtp_align_options *opts);

typedef struct mtp_aligner mtp_aligner;

/* Creates an aligner, loading the word list. Returns MTP_OK, MTP_ERR_NOMEM,
 * MTP_ERR_IO (dictionary unreadable) or MTP_ERR_USAGE (bad options, or no
 * built-in list for the language pair while use_dict is set without a path);
 * the message goes to *err, which may be NULL. On failure *out is NULL. */
mtp_status mtp_aligner_new(const mtp_align_options *opts, mtp_aligner **out, mtp_error *err);

/* One side of a document: `count` sentences with their unit names. Borrowed. */
typedef struct mtp_align_side {
    const mtp_str *units;
    const mtp_str *texts;
    size_t count;
} mtp_align_side;

/* Aligns one document pair and emits its pair records to `sink` (views valid
 * during the call). Counts "docs", in/out and drops as documented above,
 * except "in", "in.src" and "in.tgt", which the caller counts as it reads.
 * Returns MTP_OK, MTP_ERR_NOMEM, MTP_ERR_LIMIT (no complete path within the
 * band's size limit; message in mtp_aligner_error), or the sink's status. */
mtp_status mtp_aligner_align_doc(mtp_aligner *a, mtp_str doc_id, const mtp_align_side *src,
                                 const mtp_align_side *tgt, const mtp_sink *sink);

/* Reads both streams to the end, joins documents on doc_id and aligns each
 * pair (see the top comment). Bad input goes through the on_error policy.
 * Returns MTP_OK, or the first error (message in mtp_aligner_error). */
mtp_status mtp_align_streams(mtp_aligner *a, mtp_reader *src, mtp_reader *tgt,
                             const mtp_sink *sink);

/* The aligner's counters (stage name "align"); valid until mtp_aligner_free. */
mtp_counts *mtp_aligner_counts(mtp_aligner *a);

/* The first error's message; "" when none. */
const char *mtp_aligner_error(const mtp_aligner *a);

/* Frees the aligner; NULL does nothing. */
void mtp_aligner_free(mtp_aligner *a);

#ifdef __cplusplus
}
#endif
#endif
