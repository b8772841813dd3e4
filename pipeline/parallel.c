/* Worker threads over blocks of records, output in input order.
 *
 * Purpose: run the per-record stages (normalize, segment, filter) on N
 * threads while keeping every output byte and every count what one thread
 * gives (DESIGN.md, Reproducibility: "whatever the thread count").
 *
 * Algorithm: the caller's thread copies records into a block (cut after
 * block_records records or block_bytes bytes, at the next doc_id change, or
 * at twice those limits whatever the doc_id). Blocks carry a sequence
 * number and live in a ring of 2 x threads slots; block s sits in slot
 * s % ring, and the caller waits when the ring is full. A full block is
 * queued; the next idle worker takes the oldest queued block, feeds every
 * record through its own chain, then finishes the chain, and keeps what
 * comes out (record copies), the counters' deltas of each phase (names the
 * phase created, in order, and values that grew) and the first error. One output thread hands
 * finished blocks to the sink strictly by sequence number and merges each block's counters into the
 * totals in that order, so totals equal a single chain's, name order included: a name new to the
 * totals is new to its chain in that same block, where it appears in the order the records create
 * it. Finish-phase deltas (segment flushes its rule counts at finish) are merged the same way into
 * a second set, added to the totals at the end, where one chain adds them. Workers take blocks in
 * sequence order, so a chain that failed is only ever given later blocks,
 * which are never emitted. The caller's thread (reading, ingest), the
 * workers and the sink (dedup, write) thus overlap. Synchronisation is one
 * mutex and three condition variables (block queued, block done, slot
 * freed or run failed); nobody spins.
 *
 * Standard: pthreads (POSIX.1-2008).
 *
 * Memory: ring = 2 x threads blocks, each with its input (about 2 x
 * block_bytes at most, plus one record) and its output, reused block after
 * block; plus each chain's own bound. No allocation per record once the
 * buffers have grown. After a sink failure the totals include the whole
 * failing block, where one chain would stop counting at the failing record.
 */
#include "mtprep/parallel.h"

#include <assert.h>
#include <pthread.h>
#include <string.h>

#include "buf.h"
#include "mtprep/alloc.h"

enum { F_DOC_ID, F_UNIT, F_TEXT, F_TGT, F_COUNT };

/* One record copied into a rec_list: field offsets into its bytes. */
typedef struct slot {
    mtp_record_kind kind;
    double score;
    size_t start[F_COUNT];
    size_t len[F_COUNT];
} slot;

/* Records copied one after another, reused block after block. */
typedef struct rec_list {
    slot *slots;
    size_t count;
    size_t capacity;
    mtp_buf bytes;
} rec_list;

typedef enum block_state { BLOCK_FREE, BLOCK_QUEUED, BLOCK_DONE } block_state;

typedef struct block {
    block_state state; /* under the lock */
    rec_list in;       /* filled by the caller's thread */
    rec_list out;      /* filled by a worker */
    mtp_status status; /* the block's first chain error */
    mtp_error error;
    mtp_counts counts[MTP_PARALLEL_MAX_STAGES];  /* this block's deltas while fed */
    mtp_counts flushed[MTP_PARALLEL_MAX_STAGES]; /* ... and while finished */
    mtp_counts before;                           /* counts made outside the chains, merged first */
    int has_before;
} block;

typedef struct chain chain;

typedef struct link_ctx {
    chain *c;
    unsigned next; /* stage fed by this link; stage_count: the chain's output */
} link_ctx;

struct chain {
    mtp_parallel *p;
    mtp_stage *stages[MTP_PARALLEL_MAX_STAGES];
    link_ctx link_ctxs[MTP_PARALLEL_MAX_STAGES + 1];
    mtp_sink links[MTP_PARALLEL_MAX_STAGES + 1];
    block *current;         /* the block being run, or NULL */
    const mtp_sink *direct; /* during finish: the caller's sink */
    mtp_status failed;      /* sticky: after an error a stage may only be freed */
    mtp_error failure;
    mtp_counts before[MTP_PARALLEL_MAX_STAGES]; /* counts when the phase began */
    pthread_t thread;
    int started;
};

struct mtp_parallel {
    mtp_parallel_options opts;
    chain *chains;
    block *blocks;
    unsigned ring;
    unsigned long long submitted; /* blocks queued so far; the filling one is this */
    unsigned long long taken;     /* blocks taken by workers */
    unsigned long long emitted;   /* blocks emitted to the sink */
    pthread_mutex_t lock;
    pthread_cond_t work;  /* a block was queued, or the workers should stop */
    pthread_cond_t done;  /* a block is done, or the output thread should stop */
    pthread_cond_t freed; /* a block was emitted, or the run failed */
    pthread_t output;     /* the output thread */
    int output_started;
    int sync_ready;
    int stopping;        /* workers: stop */
    int output_stopping; /* output thread: stop once nothing is ready */
    int aborting;        /* output thread: stop now */
    mtp_status status;   /* under the lock: the run's first failure */
    mtp_status seen;     /* caller's thread: the status as it last saw it */
    mtp_error error;
    mtp_counts totals[MTP_PARALLEL_MAX_STAGES];
    mtp_counts deferred[MTP_PARALLEL_MAX_STAGES];     /* finish-time counts, added at the end */
    mtp_counts finish_delta[MTP_PARALLEL_MAX_STAGES]; /* scratch for finish_chain */
};

/* ---- record lists ------------------------------------------------------ */

static mtp_status list_push(rec_list *l, const mtp_record *rec)
{
    if (l->count == l->capacity) {
        const size_t capacity = l->capacity ? l->capacity * 2 : 256;
        slot *grown = mtp_realloc(l->slots, capacity * sizeof *grown);
        if (grown == NULL) {
            return MTP_ERR_NOMEM;
        }
        l->slots = grown;
        l->capacity = capacity;
    }
    slot *s = &l->slots[l->count];
    const mtp_str fields[F_COUNT] = {rec->doc_id, rec->unit, rec->text, rec->tgt};
    s->kind = rec->kind;
    s->score = rec->score;
    for (int f = 0; f < F_COUNT; f++) {
        s->start[f] = l->bytes.len;
        s->len[f] = fields[f].len;
        if (fields[f].len > 0 &&
            mtp_buf_append(&l->bytes, fields[f].ptr, fields[f].len) != MTP_OK) {
            return MTP_ERR_NOMEM;
        }
    }
    l->count++;
    return MTP_OK;
}

/* A view of record i; valid until the list changes. */
static mtp_record list_get(const rec_list *l, size_t i)
{
    const slot *s = &l->slots[i];
    mtp_str f[F_COUNT];
    for (int k = 0; k < F_COUNT; k++) {
        f[k].ptr = s->len[k] > 0 ? l->bytes.data + s->start[k] : "";
        f[k].len = s->len[k];
    }
    const mtp_record rec = {s->kind, f[F_DOC_ID], f[F_UNIT], f[F_TEXT], f[F_TGT], s->score};
    return rec;
}

static void list_clear(rec_list *l)
{
    l->count = 0;
    mtp_buf_clear(&l->bytes);
}

static void list_release(rec_list *l)
{
    mtp_free(l->slots);
    mtp_buf_release(&l->bytes);
    memset(l, 0, sizeof *l);
}

/* ---- one chain, run by a worker ---------------------------------------- */

static mtp_status chain_emit(void *ctx, const mtp_record *rec)
{
    const link_ctx *l = ctx;
    chain *c = l->c;
    if (l->next < c->p->opts.stage_count) {
        return mtp_stage_feed(c->stages[l->next], rec, &c->links[l->next + 1]);
    }
    if (c->direct != NULL) {
        return c->direct->emit(c->direct->ctx, rec);
    }
    return list_push(&c->current->out, rec);
}

static void chain_wire(mtp_parallel *p, chain *c)
{
    c->p = p;
    for (unsigned i = 0; i <= p->opts.stage_count; i++) {
        c->link_ctxs[i].c = c;
        c->link_ctxs[i].next = i;
        c->links[i].emit = chain_emit;
        c->links[i].ctx = &c->link_ctxs[i];
    }
}

/* A phase (feeding a block, or finishing) starts: remember the counts. */
static void chain_mark_counts(chain *c)
{
    for (unsigned i = 0; i < c->p->opts.stage_count; i++) {
        c->before[i] = *mtp_stage_counts(c->stages[i]);
    }
}

/* The phase's deltas into dst[]: the names it created, in creation order
 * (even at 0), and older names whose value grew. Counts only grow and names
 * are only appended, so this is what one chain would have added, and an
 * older name is already in the totals, put there by an earlier phase. */
static void chain_delta_counts(chain *c, mtp_counts *dst)
{
    for (unsigned i = 0; i < c->p->opts.stage_count; i++) {
        const mtp_counts *now = mtp_stage_counts(c->stages[i]);
        const mtp_counts *was = &c->before[i];
        mtp_counts_init(&dst[i], now->stage);
        for (unsigned k = 0; k < now->n; k++) {
            const uint64_t old = k < was->n ? was->values[k] : 0;
            if (k >= was->n || now->values[k] != old) {
                mtp_counts_add(&dst[i], now->names[k], now->values[k] - old);
            }
        }
    }
}

/* The first stage message in chain order, as one chain's caller would report it. */
static void chain_note_failure(chain *c, mtp_status st)
{
    const char *msg = "";
    for (unsigned i = 0; i < c->p->opts.stage_count && msg[0] == '\0'; i++) {
        msg = mtp_stage_error(c->stages[i]);
    }
    c->failed = st;
    mtp_error_set(&c->failure, st, "%s", msg[0] ? msg : mtp_status_str(st));
}

/* Finishes the chain's stages in order; output goes where feed's goes. */
static void chain_finish_stages(chain *c)
{
    mtp_status st = MTP_OK;
    for (unsigned i = 0; i < c->p->opts.stage_count && st == MTP_OK; i++) {
        st = mtp_stage_finish(c->stages[i], &c->links[i + 1]);
    }
    if (st != MTP_OK) {
        chain_note_failure(c, st);
    }
}

/* Feeds the block, then finishes the chain so that counts a stage tallies
 * on its own and adds at finish (segment's rule counts) are the block's. */
static void chain_run_block(chain *c, block *b)
{
    list_clear(&b->out);
    b->status = MTP_OK;
    b->error.message[0] = '\0';
    chain_mark_counts(c);
    c->current = b;
    for (size_t i = 0; i < b->in.count && c->failed == MTP_OK; i++) {
        const mtp_record rec = list_get(&b->in, i);
        const mtp_status st = mtp_stage_feed(c->stages[0], &rec, &c->links[1]);
        if (st != MTP_OK) {
            chain_note_failure(c, st);
        }
    }
    chain_delta_counts(c, b->counts);
    chain_mark_counts(c);
    if (c->failed == MTP_OK) {
        chain_finish_stages(c);
    }
    chain_delta_counts(c, b->flushed);
    c->current = NULL;
    if (c->failed != MTP_OK) {
        b->status = c->failed;
        b->error = c->failure;
    }
}

static void *worker_main(void *arg)
{
    chain *c = arg;
    mtp_parallel *p = c->p;
    pthread_mutex_lock(&p->lock);
    for (;;) {
        while (!p->stopping && p->taken == p->submitted) {
            pthread_cond_wait(&p->work, &p->lock);
        }
        if (p->stopping) {
            break;
        }
        block *b = &p->blocks[p->taken % p->ring];
        p->taken++;
        pthread_mutex_unlock(&p->lock);
        chain_run_block(c, b);
        pthread_mutex_lock(&p->lock);
        b->state = BLOCK_DONE;
        pthread_cond_signal(&p->done);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

/* ---- the output thread: finished blocks to the sink, in order ---------- */

/* Records the run's first failure; call with the lock held. */
static void fail_locked(mtp_parallel *p, mtp_status st, const char *msg)
{
    if (p->status == MTP_OK) {
        mtp_error_set(&p->error, st, "%s", msg);
        p->status = st;
    }
    pthread_cond_broadcast(&p->freed);
}

static void fail(mtp_parallel *p, mtp_status st, const char *msg)
{
    pthread_mutex_lock(&p->lock);
    fail_locked(p, st, msg);
    pthread_mutex_unlock(&p->lock);
}

/* Merges a finished block's counts and emits its records; returns the
 * sink's failure (message "": the sink's owner holds it) or the block's. */
static mtp_status emit_block(mtp_parallel *p, const block *b, const char **msg)
{
    if (b->has_before) {
        mtp_counts_merge(&p->totals[0], &b->before);
    }
    for (unsigned i = 0; i < p->opts.stage_count; i++) {
        mtp_counts_merge(&p->totals[i], &b->counts[i]);
        mtp_counts_merge(&p->deferred[i], &b->flushed[i]);
    }
    const mtp_sink *sink = &p->opts.sink;
    mtp_status st = MTP_OK;
    for (size_t i = 0; i < b->out.count && st == MTP_OK && sink->emit != NULL; i++) {
        const mtp_record rec = list_get(&b->out, i);
        st = sink->emit(sink->ctx, &rec);
    }
    *msg = st != MTP_OK ? "" : b->error.message;
    return st != MTP_OK ? st : b->status;
}

/* With the lock held: 1 when the oldest block in flight is done. */
static int oldest_done(const mtp_parallel *p)
{
    return p->emitted < p->submitted && p->blocks[p->emitted % p->ring].state == BLOCK_DONE;
}

static void *output_main(void *arg)
{
    mtp_parallel *p = arg;
    pthread_mutex_lock(&p->lock);
    for (;;) {
        while (!p->aborting && !p->output_stopping && !oldest_done(p)) {
            pthread_cond_wait(&p->done, &p->lock);
        }
        if (p->aborting || !oldest_done(p)) {
            break;
        }
        block *b = &p->blocks[p->emitted % p->ring];
        pthread_mutex_unlock(&p->lock);
        const char *msg = "";
        const mtp_status st = emit_block(p, b, &msg);
        pthread_mutex_lock(&p->lock);
        if (st != MTP_OK) {
            fail_locked(p, st, msg);
            break;
        }
        b->state = BLOCK_FREE;
        p->emitted++;
        pthread_cond_broadcast(&p->freed);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

/* ---- the caller's side ------------------------------------------------- */

static block *filling(const mtp_parallel *p)
{
    return &p->blocks[p->submitted % p->ring];
}

/* With the lock held: hands the filling block to the workers. */
static void queue_filling_locked(mtp_parallel *p)
{
    filling(p)->state = BLOCK_QUEUED;
    p->submitted++;
    pthread_cond_signal(&p->work);
}

/* Queues the filling block and waits until the next slot is free. Returns
 * the run's status, which the caller's thread keeps in `seen`. */
static mtp_status cut_block(mtp_parallel *p)
{
    pthread_mutex_lock(&p->lock);
    queue_filling_locked(p);
    while (p->status == MTP_OK && p->submitted - p->emitted >= p->ring) {
        pthread_cond_wait(&p->freed, &p->lock);
    }
    p->seen = p->status;
    pthread_mutex_unlock(&p->lock);
    if (p->seen == MTP_OK) {
        list_clear(&filling(p)->in);
        filling(p)->has_before = 0;
    }
    return p->seen;
}

static int block_should_cut(const mtp_parallel *p, const rec_list *in, const mtp_record *next)
{
    const size_t records = p->opts.block_records;
    const size_t bytes = p->opts.block_bytes;
    if (in->count < records && in->bytes.len < bytes) {
        return 0;
    }
    if (in->count >= 2 * records || in->bytes.len >= 2 * bytes) {
        return 1;
    }
    const slot *last = &in->slots[in->count - 1];
    return last->len[F_DOC_ID] != next->doc_id.len ||
           memcmp(in->bytes.data + last->start[F_DOC_ID], next->doc_id.ptr, next->doc_id.len) != 0;
}

mtp_status mtp_parallel_feed(mtp_parallel *p, const mtp_record *rec)
{
    if (p->seen != MTP_OK) {
        return p->seen;
    }
    rec_list *in = &filling(p)->in;
    if (in->count > 0 && block_should_cut(p, in, rec)) {
        const mtp_status st = cut_block(p);
        if (st != MTP_OK) {
            return st;
        }
        in = &filling(p)->in;
    }
    if (list_push(in, rec) != MTP_OK) {
        fail(p, MTP_ERR_NOMEM, "parallel: out of memory copying a record");
        p->seen = MTP_ERR_NOMEM;
    }
    return p->seen;
}

mtp_status mtp_parallel_add_counts(mtp_parallel *p, const mtp_counts *delta)
{
    if (p->seen != MTP_OK) {
        return p->seen;
    }
    block *b = filling(p);
    if (b->in.count > 0) {
        const mtp_status st = cut_block(p); /* rare: bad input lines */
        if (st != MTP_OK) {
            return st;
        }
        b = filling(p);
    }
    if (!b->has_before) {
        mtp_counts_init(&b->before, p->totals[0].stage);
        b->has_before = 1;
    }
    mtp_counts_merge(&b->before, delta);
    return MTP_OK;
}

/* ---- finishing --------------------------------------------------------- */

/* Stops the output thread: once the blocks in flight are out, or now. */
static void stop_output(mtp_parallel *p, int now)
{
    if (!p->output_started) {
        return;
    }
    pthread_mutex_lock(&p->lock);
    p->output_stopping = 1;
    p->aborting |= now;
    pthread_cond_broadcast(&p->done);
    pthread_mutex_unlock(&p->lock);
    pthread_join(p->output, NULL);
    p->output_started = 0;
}

static void stop_workers(mtp_parallel *p)
{
    if (!p->sync_ready) {
        return;
    }
    pthread_mutex_lock(&p->lock);
    p->stopping = 1;
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->lock);
    for (unsigned i = 0; i < p->opts.threads; i++) {
        if (p->chains[i].started) {
            pthread_join(p->chains[i].thread, NULL);
            p->chains[i].started = 0;
        }
    }
}

/* Finishes one chain on the caller's thread, straight into the sink; its
 * stages were finished after every block, so this normally adds nothing. */
static void finish_chain(mtp_parallel *p, chain *c)
{
    mtp_counts *delta = p->finish_delta;
    chain_mark_counts(c);
    c->direct = &p->opts.sink;
    chain_finish_stages(c);
    c->direct = NULL;
    chain_delta_counts(c, delta);
    for (unsigned i = 0; i < p->opts.stage_count; i++) {
        mtp_counts_merge(&p->totals[i], &delta[i]);
    }
    if (c->failed != MTP_OK) {
        fail(p, c->failed, c->failure.message);
        p->seen = c->failed;
    }
}

/* Queues the last block and waits until every block is out or the run failed. */
static void drain(mtp_parallel *p)
{
    pthread_mutex_lock(&p->lock);
    if (filling(p)->in.count > 0 || filling(p)->has_before) {
        queue_filling_locked(p);
    }
    while (p->status == MTP_OK && p->emitted < p->submitted) {
        pthread_cond_wait(&p->freed, &p->lock);
    }
    p->seen = p->status;
    pthread_mutex_unlock(&p->lock);
}

mtp_status mtp_parallel_finish(mtp_parallel *p)
{
    if (p->seen == MTP_OK) {
        drain(p);
    }
    stop_output(p, p->seen != MTP_OK);
    stop_workers(p);
    for (unsigned i = 0; i < p->opts.stage_count && p->seen == MTP_OK; i++) {
        /* where one chain's finish adds them: at the end, and not after a failure */
        mtp_counts_merge(&p->totals[i], &p->deferred[i]);
        mtp_counts_init(&p->deferred[i], p->totals[i].stage);
    }
    for (unsigned i = 0; i < p->opts.threads && p->seen == MTP_OK; i++) {
        finish_chain(p, &p->chains[i]);
    }
    return p->seen;
}

/* ---- making and freeing ------------------------------------------------ */

void mtp_parallel_options_default(mtp_parallel_options *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->threads = 1;
    opts->block_records = MTP_PARALLEL_BLOCK_RECORDS;
    opts->block_bytes = MTP_PARALLEL_BLOCK_BYTES;
}

static mtp_status check_options(const mtp_parallel_options *o, mtp_error *err)
{
    if (o->threads < 1 || o->threads > MTP_PARALLEL_MAX_THREADS) {
        return mtp_error_set(err, MTP_ERR_USAGE, "parallel: threads must be 1..%d, not %u",
                             MTP_PARALLEL_MAX_THREADS, o->threads);
    }
    if (o->stage_count < 1 || o->stage_count > MTP_PARALLEL_MAX_STAGES || o->make_chain == NULL) {
        return mtp_error_set(err, MTP_ERR_USAGE,
                             "parallel: a chain needs 1..%d stages and make_chain",
                             MTP_PARALLEL_MAX_STAGES);
    }
    if (o->block_records == 0 || o->block_bytes == 0) {
        return mtp_error_set(err, MTP_ERR_USAGE, "parallel: block limits must be positive");
    }
    return MTP_OK;
}

static mtp_status make_chains(mtp_parallel *p, mtp_error *err)
{
    for (unsigned i = 0; i < p->opts.threads; i++) {
        chain *c = &p->chains[i];
        chain_wire(p, c);
        const mtp_status st = p->opts.make_chain(p->opts.make_ctx, c->stages, err);
        if (st != MTP_OK) {
            return st;
        }
    }
    for (unsigned i = 0; i < p->opts.stage_count; i++) {
        p->totals[i] = *mtp_stage_counts(p->chains[0].stages[i]);
        mtp_counts_init(&p->deferred[i], p->totals[i].stage);
    }
    return MTP_OK;
}

static mtp_status init_sync(mtp_parallel *p, mtp_error *err)
{
    if (pthread_mutex_init(&p->lock, NULL) != 0) {
        return mtp_error_set(err, MTP_ERR_NOMEM, "parallel: pthread_mutex_init failed");
    }
    pthread_cond_t *conds[] = {&p->work, &p->done, &p->freed};
    for (int i = 0; i < 3; i++) {
        if (pthread_cond_init(conds[i], NULL) != 0) {
            while (i-- > 0) {
                pthread_cond_destroy(conds[i]);
            }
            pthread_mutex_destroy(&p->lock);
            return mtp_error_set(err, MTP_ERR_NOMEM, "parallel: pthread_cond_init failed");
        }
    }
    p->sync_ready = 1;
    return MTP_OK;
}

static mtp_status start_threads(mtp_parallel *p, mtp_error *err)
{
    mtp_status st = init_sync(p, err);
    if (st != MTP_OK) {
        return st;
    }
    if (pthread_create(&p->output, NULL, output_main, p) != 0) {
        return mtp_error_set(err, MTP_ERR_NOMEM, "parallel: cannot start the output thread");
    }
    p->output_started = 1;
    for (unsigned i = 0; i < p->opts.threads; i++) {
        chain *c = &p->chains[i];
        if (pthread_create(&c->thread, NULL, worker_main, c) != 0) {
            return mtp_error_set(err, MTP_ERR_NOMEM, "parallel: cannot start worker thread %u",
                                 i + 1);
        }
        c->started = 1;
    }
    return MTP_OK;
}

mtp_status mtp_parallel_new(const mtp_parallel_options *opts, mtp_parallel **out, mtp_error *err)
{
    *out = NULL;
    mtp_status st = check_options(opts, err);
    if (st != MTP_OK) {
        return st;
    }
    mtp_parallel *p = mtp_calloc(1, sizeof *p);
    if (p == NULL) {
        return mtp_error_set(err, MTP_ERR_NOMEM, "parallel: out of memory");
    }
    p->opts = *opts;
    p->ring = 2 * opts->threads;
    p->chains = mtp_calloc(opts->threads, sizeof *p->chains);
    p->blocks = mtp_calloc(p->ring, sizeof *p->blocks);
    if (p->chains == NULL || p->blocks == NULL) {
        st = mtp_error_set(err, MTP_ERR_NOMEM, "parallel: out of memory");
    }
    if (st == MTP_OK) {
        st = make_chains(p, err);
    }
    if (st == MTP_OK) {
        st = start_threads(p, err);
    }
    if (st != MTP_OK) {
        mtp_parallel_free(p);
        return st;
    }
    *out = p;
    return MTP_OK;
}

const mtp_counts *mtp_parallel_counts(const mtp_parallel *p, unsigned index)
{
    assert(index < p->opts.stage_count);
    return &p->totals[index];
}

const char *mtp_parallel_error(const mtp_parallel *p)
{
    return p->error.message;
}

void mtp_parallel_free(mtp_parallel *p)
{
    if (p == NULL) {
        return;
    }
    stop_output(p, 1);
    stop_workers(p);
    if (p->sync_ready) {
        pthread_cond_destroy(&p->freed);
        pthread_cond_destroy(&p->done);
        pthread_cond_destroy(&p->work);
        pthread_mutex_destroy(&p->lock);
    }
    for (unsigned i = 0; p->chains != NULL && i < p->opts.threads; i++) {
        for (unsigned k = 0; k < p->opts.stage_count; k++) {
            mtp_stage_free(p->chains[i].stages[k]);
        }
    }
    for (unsigned i = 0; p->blocks != NULL && i < p->ring; i++) {
        list_release(&p->blocks[i].in);
        list_release(&p->blocks[i].out);
    }
    mtp_free(p->chains);
    mtp_free(p->blocks);
    mtp_free(p);
}
