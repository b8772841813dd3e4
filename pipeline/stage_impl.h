/* Private: how a stage implementation plugs into mtp_stage.
 *
 * A stage file defines a static mtp_stage_ops table and creates its public
 * object with mtp_stage_create(ops, self). The generic layer counts "in" and
 * "out"; implementations count only their drops (mtp_counts_drop) and any
 * "split" records, and report failures with mtp_error_set on stage->error.
 */
#ifndef MTPREP_STAGE_IMPL_H
#define MTPREP_STAGE_IMPL_H

#include "mtprep/policy.h"
#include "mtprep/stage.h"

typedef struct mtp_stage_ops {
    const char *name;
    /* Called once per input record; emit through `out`, which counts "out". */
    mtp_status (*feed)(mtp_stage *stage, const mtp_record *rec, const mtp_sink *out);
    /* Optional (NULL: nothing held back). */
    mtp_status (*finish)(mtp_stage *stage, const mtp_sink *out);
    /* Frees `self`; may be NULL when self needs no freeing. */
    void (*destroy)(void *self);
} mtp_stage_ops;

struct mtp_stage {
    const mtp_stage_ops *ops;
    void *self;           /* the implementation's state, owned */
    mtp_counts counts;
    mtp_error error;
    const mtp_sink *user; /* the caller's sink during feed/finish */
};

/* Creates a stage that takes ownership of `self` (freed with ops->destroy even
 * when this call fails). Returns MTP_OK or MTP_ERR_NOMEM. */
mtp_status mtp_stage_create(const mtp_stage_ops *ops, void *self, mtp_stage **out);

#endif
