/* segment: paragraph records in, sentence records out ("3" -> "3.1", "3.2").
 *
 * ICU's sentence BreakIterator (UAX #29) per paragraph, corrected for the
 * language with a non-breaking prefix list kept as data (corpora/) and a few
 * rules (initials, quotations with an attribution, glued sentences). Never
 * changes the text except for whitespace at the boundaries; never joins
 * across records.
 *
 * Two levels: the stage (mtp_segment_new) for pipelines, and the segmenter
 * (mtp_segmenter_*) that finds boundaries in one text, for callers and tests.
 * Ownership: options are copied by the constructors (strings are read during
 * the call only); objects are freed by their _free function.
 */
#ifndef MTPREP_SEGMENT_H
#define MTPREP_SEGMENT_H

#include <stddef.h>

#include "mtprep/policy.h"
#include "mtprep/stage.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mtp_segment_options {
    const char *lang;          /* "id" (default) or "en": ICU locale and built-in prefix list */
    const char *prefixes_path; /* prefix file replacing the built-in one; NULL: built-in */
    int use_prefixes;          /* 0: no prefix list at all (--no-prefixes); default 1 */
    int tailor;                /* 0: ICU's breaks unchanged, no rules; default 1 */
    int full_icu;              /* 1: ICU iterates over each whole text instead of windows
                                  around terminators (same breaks, slower: for tests);
                                  default 0 */
    mtp_on_error on_error;
} mtp_segment_options;

void mtp_segment_options_default(mtp_segment_options *opts);

/* Creates the stage. Returns MTP_OK, MTP_ERR_USAGE (unknown lang),
 * MTP_ERR_IO / MTP_ERR_INPUT (prefix file), MTP_ERR_ICU or MTP_ERR_NOMEM,
 * with the message in *err. *out is NULL on failure. */
mtp_status mtp_segment_new(const mtp_segment_options *opts, mtp_stage **out, mtp_error *err);

typedef struct mtp_segmenter mtp_segmenter;

/* Creates a segmenter (one ICU break iterator, reused for every text).
 * Errors as mtp_segment_new. */
mtp_status mtp_segmenter_new(const mtp_segment_options *opts, mtp_segmenter **out, mtp_error *err);

/* Finds the sentence boundaries of `text` (UTF-8, `len` bytes): on success
 * *breaks points to *count strictly increasing byte offsets in (0, len), each
 * the start of a sentence other than the first (whitespace before it belongs
 * to the previous sentence). The array belongs to the segmenter and is valid
 * until the next call. Returns MTP_OK, MTP_ERR_NOMEM or MTP_ERR_ICU (message
 * in *err). */
mtp_status mtp_segmenter_breaks(mtp_segmenter *seg, const char *text, size_t len,
                                const size_t **breaks, size_t *count, mtp_error *err);

/* Frees the segmenter; NULL does nothing. */
void mtp_segmenter_free(mtp_segmenter *seg);

#ifdef __cplusplus
}
#endif
#endif
