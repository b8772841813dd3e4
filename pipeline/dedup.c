/* dedup: drops units (or pairs) whose key was seen before, keeping the first
 * occurrence in input order, in memory bounded by --mem.
 *
 * Algorithm: one key per record (exact or loose, see mtprep/dedup.h). While
 * the key set (pipeline/keys.h) fits --mem, a key already present drops the
 * record and a new one is added and the record emitted at once. When the set
 * would outgrow --mem, the stage switches for good to the external
 * sort-merge of pipeline/dedup_spill.c: the set's keys become the first
 * sorted run, the set is freed, and every later record is held back on disk
 * until finish, which emits the survivors in input order. The output and
 * the counts are those of an unbounded in-memory run, byte for byte; keys
 * use a fixed seed, so runs are reproducible.
 *
 * Standard: Unicode simple case folding (CaseFolding.txt C+S) and General
 * Category for the loose key.
 *
 * Memory: the key set, <= --mem and <= 16 bytes per unique key past its
 * first 8 KiB; or, once spilling, an entry buffer of --mem plus about 2.5 MiB
 * of merge and spool buffers. Plus one scratch buffer of about twice the
 * longest text.
 */
#include <stdio.h>

#include "dedup_spill.h"
#include "keys.h"
#include "mtprep/alloc.h"
#include "mtprep/dedup.h"
#include "stage_impl.h"

typedef struct dedup {
    mtp_dedup_options opts;
    mtp_keyset keys;  /* until the spill */
    mtp_spill *spill; /* NULL until the key set outgrows --mem */
    mtp_key_scratch scratch;
    const char *drop_counter; /* "dropped.duplicate_exact" or "dropped.duplicate_loose" */
} dedup;

void mtp_dedup_options_default(mtp_dedup_options *opts)
{
    opts->key = MTP_DEDUP_EXACT;
    opts->side = MTP_DEDUP_SIDE_PAIR;
    opts->mem_bytes = MTP_DEDUP_DEFAULT_MEM_BYTES;
    opts->tmp_dir = NULL;
    opts->on_error = MTP_ON_ERROR_SKIP;
}

/* Switches to spilling: the key set becomes the first sorted run and is
 * freed before the spill allocates its own buffer, so the two never sum. */
static mtp_status start_spill(mtp_stage *stage, dedup *d)
{
    mtp_status st = mtp_spill_new(d->opts.tmp_dir, d->opts.mem_bytes, &d->spill, &stage->error);
    if (st == MTP_OK) {
        st = mtp_spill_add_seen(d->spill, &d->keys, &stage->error);
    }
    mtp_keyset_release(&d->keys);
    return st;
}

static mtp_status bad_text(mtp_stage *stage, const dedup *d, const mtp_record *rec)
{
    char where[256];
    mtp_record_where(rec, where, sizeof where);
    return mtp_policy_bad_input(d->opts.on_error, &stage->counts, &stage->error, where,
                                "invalid_utf8", NULL);
}

static mtp_status feed(mtp_stage *stage, const mtp_record *rec, const mtp_sink *out)
{
    dedup *d = stage->self;
    uint64_t key = 0;
    mtp_status st = mtp_record_key(rec, d->opts.key, d->opts.side, &d->scratch, &key);
    if (st == MTP_ERR_INPUT) {
        return bad_text(stage, d, rec);
    }
    if (st == MTP_ERR_LIMIT) {
        return mtp_error_set(&stage->error, st, "text of doc_id %.*s is too long for a key",
                             (int)(rec->doc_id.len > 160 ? 160 : rec->doc_id.len), rec->doc_id.ptr);
    }
    if (st != MTP_OK) {
        return mtp_error_set(&stage->error, st, "out of memory computing a key");
    }
    if (d->spill == NULL) {
        int added = 0;
        st = mtp_keyset_add(&d->keys, key, &added);
        if (st == MTP_OK && !added) {
            /* mtp_counts_add with the full name: mtp_counts_drop would format
             * it for every drop, a tenth of the time of a repetitive input */
            mtp_counts_add(&stage->counts, d->drop_counter, 1);
            return MTP_OK;
        }
        if (st == MTP_OK) {
            return out->emit(out->ctx, rec);
        }
        if (st != MTP_ERR_LIMIT) {
            return mtp_error_set(&stage->error, st, "out of memory growing the key table");
        }
        st = start_spill(stage, d);
        if (st != MTP_OK) {
            return st;
        }
    }
    return mtp_spill_add(d->spill, key, rec, &stage->error);
}

static mtp_status finish(mtp_stage *stage, const mtp_sink *out)
{
    dedup *d = stage->self;
    if (d->spill == NULL) {
        return MTP_OK;
    }
    return mtp_spill_finish(d->spill, out, &stage->counts, d->drop_counter, &stage->error);
}

static void destroy(void *self)
{
    dedup *d = self;
    if (d == NULL) {
        return;
    }
    mtp_keyset_release(&d->keys);
    mtp_spill_free(d->spill);
    mtp_key_scratch_release(&d->scratch);
    mtp_free(d);
}

static const mtp_stage_ops ops = {"dedup", feed, finish, destroy};

mtp_status mtp_dedup_new(const mtp_dedup_options *opts, mtp_stage **out, mtp_error *err)
{
    *out = NULL;
    dedup *d = mtp_calloc(1, sizeof *d);
    if (d == NULL) {
        return mtp_error_set(err, MTP_ERR_NOMEM, "out of memory");
    }
    d->opts = *opts;
    d->drop_counter =
        opts->key == MTP_DEDUP_LOOSE ? "dropped.duplicate_loose" : "dropped.duplicate_exact";
    const mtp_status st = mtp_keyset_init(&d->keys, opts->mem_bytes);
    if (st != MTP_OK) {
        destroy(d);
        if (st == MTP_ERR_LIMIT) {
            return mtp_error_set(
                err, MTP_ERR_USAGE, "--mem %zu is too small (at least %zu bytes)", opts->mem_bytes,
                (size_t)(MTP_KEYSET_MIN_SLOTS + MTP_KEYSET_TAIL_SLOTS) * sizeof(uint64_t));
        }
        return mtp_error_set(err, st, "out of memory");
    }
    const mtp_status created = mtp_stage_create(&ops, d, out);
    if (created != MTP_OK) {
        return mtp_error_set(err, created, "out of memory");
    }
    return MTP_OK;
}
