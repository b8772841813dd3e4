/* Worker threads over blocks of records, output in input order.
 *
 * A parallel runner drives a chain of per-record stages (normalize, segment,
 * filter: stages that keep no state across records except their counts)
 * with N worker threads. Each worker owns its own chain, made by the
 * caller's make_chain function from the same options. The caller feeds
 * records on one thread; the runner copies them into blocks, workers run
 * their chain over whole blocks, and finished blocks reach the caller's sink
 * strictly in input order, so the records emitted are the same, in the same
 * order, as one chain fed directly would emit, whatever N is.
 *
 *   mtp_parallel_new(&opts, &p, &err)     makes N chains, starts the threads
 *   mtp_parallel_feed(p, rec)             copies rec into the current block
 *   mtp_parallel_finish(p)                every record has reached opts.sink
 *   mtp_parallel_counts(p, i)             stage i's counts, all chains merged
 *   mtp_parallel_free(p)
 *
 * Each chain is finished (mtp_stage_finish) after every block, so a chain's
 * stages must accept records again after finish: per-record stages whose
 * finish only flushes counts (segment's rule counts) or emits nothing.
 *
 * Counts: every chain's counts are merged block by block in input order, so
 * values and name order equal those of a single chain fed the same records;
 * counts the stages add at finish are merged at mtp_parallel_finish, where
 * one chain's finish adds them (and, as there, not after a failure).
 * Errors: the first failure in input order wins, with the failing chain's
 * message; records the chain emitted before it still reach the sink, as
 * they would from a single chain. After an error only mtp_parallel_finish
 * (which then just stops the threads), the accessors and free are allowed.
 *
 * Memory: at most 2 x threads blocks in flight, each holding at most about
 * 2 x block_bytes of input plus its output and ~130 KB of counters, plus
 * each chain's own bound.
 *
 * Threads: N workers run the chains; one output thread hands finished
 * blocks to opts.sink in order, so the caller's thread (reading input, say)
 * overlaps with the sink's work (dedup, compression). The sink is called
 * from the output thread during the run and from the caller's thread in
 * finish (chains' finish output), never from two threads at once; it must
 * not share unlocked state with the code that calls feed. make_chain is
 * called on the caller's thread, threads times, before any thread starts.
 * Ownership: the runner owns the chains it makes; records passed to
 * feed are copied; records passed to the sink are views valid during the call.
 */
#ifndef MTPREP_PARALLEL_H
#define MTPREP_PARALLEL_H

#include <stddef.h>

#include "mtprep/counts.h"
#include "mtprep/policy.h"
#include "mtprep/record.h"
#include "mtprep/stage.h"
#include "mtprep/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MTP_PARALLEL_MAX_THREADS 256
#define MTP_PARALLEL_MAX_STAGES 8
#define MTP_PARALLEL_BLOCK_RECORDS 4096     /* default records per block */
#define MTP_PARALLEL_BLOCK_BYTES (1u << 20) /* default bytes per block */

/* Makes one chain: fills stages[0 .. stage_count-1] (fed in that order) and
 * returns MTP_OK, or an error with its message in err (stages made so far
 * are then freed by the runner; unmade ones stay NULL). */
typedef mtp_status (*mtp_chain_make_fn)(void *ctx, mtp_stage **stages, mtp_error *err);

typedef struct mtp_parallel_options {
    unsigned threads;     /* worker threads, 1 .. MTP_PARALLEL_MAX_THREADS */
    unsigned stage_count; /* stages per chain, 1 .. MTP_PARALLEL_MAX_STAGES */
    mtp_chain_make_fn make_chain;
    void *make_ctx;       /* passed to make_chain, borrowed */
    mtp_sink sink;        /* where the chains' records go, in input order */
    size_t block_records; /* a block is cut after this many records ... */
    size_t block_bytes;   /* ... or this many bytes of fields, at a doc_id change */
} mtp_parallel_options;

typedef struct mtp_parallel mtp_parallel;

/* Fills the defaults: 1 thread, MTP_PARALLEL_BLOCK_RECORDS, MTP_PARALLEL_BLOCK_BYTES;
 * the caller sets stage_count, make_chain and make_ctx. */
void mtp_parallel_options_default(mtp_parallel_options *opts);

/* Makes `threads` chains and starts the workers. On failure returns the
 * status (MTP_ERR_USAGE for bad options, MTP_ERR_NOMEM when memory or a
 * thread cannot be had, or make_chain's) with the message in err, and *out
 * is NULL. */
mtp_status mtp_parallel_new(const mtp_parallel_options *opts, mtp_parallel **out, mtp_error *err);

/* Copies `rec` into the current block; a full block goes to the workers,
 * waiting for a free slot when 2 x threads blocks are in flight. Returns
 * MTP_OK or the run's first failure seen so far: the sink's status (its
 * owner holds the message), a chain's error in input order (message in
 * mtp_parallel_error) or MTP_ERR_NOMEM. */
mtp_status mtp_parallel_feed(mtp_parallel *p, const mtp_record *rec);

/* Adds `delta` to the first stage's counts at this point of the input:
 * after the records fed so far, before the next one, so that counts made
 * outside the chains (a reader's rejected lines) keep the name order one
 * chain would give them. Cuts the current block; meant for rare events.
 * Returns as mtp_parallel_feed does. */
mtp_status mtp_parallel_add_counts(mtp_parallel *p, const mtp_counts *delta);

/* Waits until every record fed has reached the sink, stops the threads,
 * then finishes each chain in thread order on the caller's thread. Call it
 * after a failure too (it then stops the threads at once); the status is
 * as mtp_parallel_feed returns it, and stays. */
mtp_status mtp_parallel_finish(mtp_parallel *p);

/* Stage `index` (0-based, chain order) counts, merged over every chain and
 * every block emitted. Read it after mtp_parallel_finish; valid until
 * mtp_parallel_free. */
const mtp_counts *mtp_parallel_counts(const mtp_parallel *p, unsigned index);

/* After finish: the message of a chain's error (or of MTP_ERR_NOMEM); ""
 * when none, or when the sink failed. */
const char *mtp_parallel_error(const mtp_parallel *p);

/* Stops the workers (without emitting anything) and frees every chain;
 * NULL does nothing. */
void mtp_parallel_free(mtp_parallel *p);

#ifdef __cplusplus
}
#endif
#endif
