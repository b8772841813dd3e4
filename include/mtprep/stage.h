/* Record stages as push objects, and the sinks they emit to.
 *
 * A stage (normalize, segment, filter, dedup, write, stats ...) is created by
 * its own constructor (mtp_normalize_new ...) and then driven only through
 * this interface, so that the CLI and `mtprep build` drive every stage the
 * same way:
 *
 *   mtp_stage_feed(stage, record, sink)   zero or more records reach sink
 *   mtp_stage_finish(stage, sink)         flushes what the stage held back
 *   mtp_stage_free(stage)
 *
 * Counting is shared: feed counts "in", every record emitted counts "out";
 * the stage itself counts its drops by reason. Records passed to a sink are
 * views valid only during the call.
 *
 * Errors: feed and finish return MTP_OK or an error status; the message is
 * then in mtp_stage_error(). After an error the stage may only be freed.
 */
#ifndef MTPREP_STAGE_H
#define MTPREP_STAGE_H

#include "mtprep/counts.h"
#include "mtprep/record.h"
#include "mtprep/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Where records go: emit is called once per record, in order. A non-OK
 * return stops the producer, which returns that status. */
typedef struct mtp_sink {
    mtp_status (*emit)(void *ctx, const mtp_record *rec);
    void *ctx;
} mtp_sink;

typedef struct mtp_stage mtp_stage;

mtp_status mtp_stage_feed(mtp_stage *stage, const mtp_record *rec, const mtp_sink *sink);
mtp_status mtp_stage_finish(mtp_stage *stage, const mtp_sink *sink);

/* The stage's counters; valid until mtp_stage_free. */
const mtp_counts *mtp_stage_counts(const mtp_stage *stage);
mtp_counts *mtp_stage_counts_mut(mtp_stage *stage);

/* The stage's name ("normalize"). */
const char *mtp_stage_name(const mtp_stage *stage);

/* The first error's message; "" when none. */
const char *mtp_stage_error(const mtp_stage *stage);

/* Frees the stage; NULL does nothing. */
void mtp_stage_free(mtp_stage *stage);

#ifdef __cplusplus
}
#endif
#endif
