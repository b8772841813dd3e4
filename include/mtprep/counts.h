/* Named counters: what every stage reports.
 *
 * A counts object is a small ordered map from name to uint64, kept in the
 * order names were first added so that summaries and JSON are stable. Stages
 * use three kinds of names:
 *
 *   "in", "out"         records entering and leaving the stage;
 *   "split"             extra records created (segment: sentences beyond the first);
 *   "dropped.REASON"    records dropped, one name per reason.
 *
 * The invariant every stage keeps, and tests check: in + split = out + sum(dropped.*).
 * Other names ("removed.RULE" for boilerplate paragraphs, "files") are
 * informative; removed.* paragraphs are also counted as dropped.* by the rule.
 *
 * Ownership: the caller owns a counts object; names are copied in.
 */
#ifndef MTPREP_COUNTS_H
#define MTPREP_COUNTS_H

#include <stdint.h>
#include <stdio.h>

#include "mtprep/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MTP_COUNTS_MAX 96       /* distinct names per counts object */
#define MTP_COUNT_NAME_MAX 64   /* bytes per name, NUL included */

typedef struct mtp_counts {
    char stage[32];                                 /* "normalize", ... */
    unsigned n;                                     /* names in use */
    char names[MTP_COUNTS_MAX][MTP_COUNT_NAME_MAX]; /* insertion order */
    uint64_t values[MTP_COUNTS_MAX];
} mtp_counts;

/* Empties `c` and names its stage (copied, truncated to fit). */
void mtp_counts_init(mtp_counts *c, const char *stage);

/* Adds `delta` to `name`, creating it at 0 first. Silently ignores a new name
 * once MTP_COUNTS_MAX names exist (asserted in debug builds). */
void mtp_counts_add(mtp_counts *c, const char *name, uint64_t delta);

/* Adds `delta` to "dropped.REASON". */
void mtp_counts_drop(mtp_counts *c, const char *reason, uint64_t delta);

/* Value of `name`, 0 when absent. */
uint64_t mtp_counts_get(const mtp_counts *c, const char *name);

/* Sum of every "dropped.*" value. */
uint64_t mtp_counts_dropped(const mtp_counts *c);

/* Adds every counter of `src` into `dst` (same names). */
void mtp_counts_merge(mtp_counts *dst, const mtp_counts *src);

/* Returns 1 if in + split == out + dropped. */
int mtp_counts_balanced(const mtp_counts *c);

/* Writes the one-line human summary, e.g.
 * "mtprep normalize: in 10, out 9, dropped 1 (invalid_utf8 1)\n". */
void mtp_counts_print_summary(const mtp_counts *c, FILE *out);

/* Writes {"stage":"normalize","counts":{"in":10,...}} followed by a newline to
 * `path` (temporary name, then rename). Returns MTP_OK or MTP_ERR_IO. */
mtp_status mtp_counts_save_json(const mtp_counts *c, const char *path);

/* Reads a file written by mtp_counts_save_json. Returns MTP_OK, MTP_ERR_IO, or
 * MTP_ERR_INPUT when the file is not such a document. */
mtp_status mtp_counts_load_json(mtp_counts *c, const char *path);

#ifdef __cplusplus
}
#endif
#endif
