/* stats: counts and length histograms of a record stream.
 *
 * The stage is a tap: it emits every record it is fed, unchanged, so it can
 * sit anywhere in a chain; its counts are "in" and "out" only (always equal,
 * nothing is dropped, the in + split = out + dropped invariant holds). A
 * caller that wants the report alone gives it a sink that discards records.
 *
 * It keeps: records, unit and pair records, documents (a new document starts
 * whenever doc_id differs from the previous record's, so a doc_id split
 * across non-consecutive runs counts twice), and per text (the unit text, or
 * each side of a pair) code points, bytes and words (White_Space-separated
 * tokens): total, min, mean, max and a histogram with power-of-two buckets
 * (0, 1, 2-3, 4-7, ...); and, when given, the counts of earlier stages
 * with their drop reasons. Memory: fixed, plus the previous doc_id and the
 * stage counts added.
 */
#ifndef MTPREP_STATS_H
#define MTPREP_STATS_H

#include <stdio.h>

#include "mtprep/counts.h"
#include "mtprep/policy.h"
#include "mtprep/stage.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Creates the stage. Returns MTP_OK or MTP_ERR_NOMEM (message in *err, which
 * may be NULL). */
mtp_status mtp_stats_new(mtp_stage **out, mtp_error *err);

/* Most earlier-stage counts one report takes. */
#define MTP_STATS_MAX_STAGES 32

/* Adds an earlier stage's counts (copied; e.g. loaded from its --counts file)
 * to the report, which then lists in, out and every drop reason per stage.
 * Returns MTP_OK, MTP_ERR_LIMIT past MTP_STATS_MAX_STAGES, MTP_ERR_NOMEM, or
 * MTP_ERR_USAGE when `stage` is not a stats stage. */
mtp_status mtp_stats_add_stage_counts(mtp_stage *stage, const mtp_counts *counts);

/* Writes the report: aligned text with histogram bars, or one JSON object
 * (keys in a fixed order) followed by a newline when json is nonzero. The
 * stage must come from mtp_stats_new. Returns MTP_OK, MTP_ERR_IO when writing
 * to `out` fails, or MTP_ERR_NOMEM. */
mtp_status mtp_stats_report(const mtp_stage *stage, int json, FILE *out);

#ifdef __cplusplus
}
#endif
#endif
