/* The generic stage layer: counts "in" and "out" for every stage and routes
 * an implementation's output through a counting sink to the caller's. */
#include "stage_impl.h"

#include <string.h>

#include "mtprep/alloc.h"

/* "in" and "out" are the first two counters of every stage, so the per-record
 * path bumps them by slot instead of looking their names up. */
enum { COUNT_IN = 0, COUNT_OUT = 1 };

mtp_status mtp_stage_create(const mtp_stage_ops *ops, void *self, mtp_stage **out)
{
    *out = NULL;
    mtp_stage *stage = mtp_calloc(1, sizeof *stage);
    if (stage == NULL) {
        if (ops->destroy != NULL) {
            ops->destroy(self);
        }
        return MTP_ERR_NOMEM;
    }
    stage->ops = ops;
    stage->self = self;
    mtp_counts_init(&stage->counts, ops->name);
    mtp_counts_add(&stage->counts, "in", 0);  /* slot COUNT_IN */
    mtp_counts_add(&stage->counts, "out", 0); /* slot COUNT_OUT */
    *out = stage;
    return MTP_OK;
}

static mtp_status counting_emit(void *ctx, const mtp_record *rec)
{
    mtp_stage *stage = ctx;
    stage->counts.values[COUNT_OUT]++;
    if (stage->user == NULL || stage->user->emit == NULL) {
        return MTP_OK;
    }
    return stage->user->emit(stage->user->ctx, rec);
}

mtp_status mtp_stage_feed(mtp_stage *stage, const mtp_record *rec, const mtp_sink *sink)
{
    const mtp_sink counting = {counting_emit, stage};
    stage->counts.values[COUNT_IN]++;
    stage->user = sink;
    const mtp_status st = stage->ops->feed(stage, rec, &counting);
    stage->user = NULL;
    return st;
}

mtp_status mtp_stage_finish(mtp_stage *stage, const mtp_sink *sink)
{
    if (stage->ops->finish == NULL) {
        return MTP_OK;
    }
    const mtp_sink counting = {counting_emit, stage};
    stage->user = sink;
    const mtp_status st = stage->ops->finish(stage, &counting);
    stage->user = NULL;
    return st;
}

const mtp_counts *mtp_stage_counts(const mtp_stage *stage)
{
    return &stage->counts;
}

mtp_counts *mtp_stage_counts_mut(mtp_stage *stage)
{
    return &stage->counts;
}

const char *mtp_stage_name(const mtp_stage *stage)
{
    return stage->ops->name;
}

const char *mtp_stage_error(const mtp_stage *stage)
{
    return stage->error.message;
}

void mtp_stage_free(mtp_stage *stage)
{
    if (stage == NULL) {
        return;
    }
    if (stage->ops->destroy != NULL) {
        stage->ops->destroy(stage->self);
    }
    mtp_free(stage);
}
