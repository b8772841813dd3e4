/* mtprep task reduce RUN P: global first occurrences of partition P.
 *
 * A k-way merge (a binary heap over the N shards' sorted keys files
 * RUN/keys/part-PPP/shard-*.keys) visits the partition's tuples in
 * (key, shard, ordinal) order. Shards are contiguous runs of the input and
 * ordinals count records in input order, so the first tuple of each key is
 * its first occurrence in the whole input, the one dedup keeps, whatever N
 * and P are; every later tuple of the key is a duplicate. The duplicates,
 * sorted by shard then ordinal, go to RUN/drop/part-PPP.drop with an index
 * by shard (tools/shard_keys.c). For an aligned plan the shards here are
 * the align task's parts (the pairs of map shard K's source documents, in
 * order), and reduce also waits for the align marker.
 *
 * Memory: N open files whose read buffers share READ_BUDGET (64 KiB each
 * up to 512 shards, at least 4 KiB), the heap and the readers (O(N)), plus
 * the partition's duplicates, 16 bytes each, collected in memory before
 * they are sorted and written. Open files: N plus a few; the task raises
 * its soft limit to the hard one when N needs it, and says so when even
 * that is too low.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "shard.h"

#define READ_BUDGET ((size_t)32 << 20) /* all the shards' read buffers together */
#define READ_BUFFER_MAX ((size_t)64 << 10)
#define READ_BUFFER_MIN ((size_t)4 << 10)
#define SPARE_FILES 16 /* stdio, the plan, the drop file, the marker */

/* One heap entry: a shard's current tuple. */
typedef struct head {
    shard_tuple t;
    unsigned shard;
} head;

typedef struct reduce_run {
    shard_keys_reader **readers; /* one per shard */
    head *heap;
    size_t heap_count;
    shard_drop *drops;
    size_t drop_count, drop_capacity;
    uint64_t tuples; /* read */
} reduce_run;

/* ==== the heap =========================================================== */

static int head_less(const head *a, const head *b)
{
    if (a->t.key != b->t.key) {
        return a->t.key < b->t.key;
    }
    if (a->shard != b->shard) {
        return a->shard < b->shard;
    }
    return a->t.ordinal < b->t.ordinal;
}

static void sift_up(head *h, size_t i)
{
    while (i > 0 && head_less(&h[i], &h[(i - 1) / 2])) {
        const head tmp = h[i];
        h[i] = h[(i - 1) / 2];
        h[(i - 1) / 2] = tmp;
        i = (i - 1) / 2;
    }
}

static void sift_down(head *h, size_t count, size_t i)
{
    for (;;) {
        size_t least = i;
        const size_t l = 2 * i + 1, r = 2 * i + 2;
        least = l < count && head_less(&h[l], &h[least]) ? l : least;
        least = r < count && head_less(&h[r], &h[least]) ? r : least;
        if (least == i) {
            return;
        }
        const head tmp = h[i];
        h[i] = h[least];
        h[least] = tmp;
        i = least;
    }
}

/* Reads shard s's next tuple into the heap. Returns 0 or an exit code. */
static int refill(reduce_run *r, unsigned s)
{
    head h = {{0, 0}, s};
    const int got = shard_keys_next(r->readers[s], &h.t);
    if (got < 0) {
        return CLI_EXIT_FAILURE;
    }
    if (got > 0) {
        r->heap[r->heap_count++] = h;
        sift_up(r->heap, r->heap_count - 1);
        r->tuples++;
    }
    return 0;
}

/* ==== the merge ========================================================== */

static int push_drop(reduce_run *r, const head *h)
{
    if (r->drop_count == r->drop_capacity) {
        const size_t capacity = r->drop_capacity ? r->drop_capacity * 2 : 4096;
        shard_drop *grown = mtp_realloc(r->drops, capacity * sizeof *grown);
        if (grown == NULL) {
            cli_error("task", "out of memory holding duplicates");
            return CLI_EXIT_INTERNAL;
        }
        r->drops = grown;
        r->drop_capacity = capacity;
    }
    const shard_drop d = {h->shard, h->t.ordinal};
    r->drops[r->drop_count++] = d;
    return 0;
}

/* Lets this process open `files` files at once: raises the soft limit up to
 * the hard one if needed. Returns 0 or CLI_EXIT_FAILURE (message printed). */
static int allow_open_files(rlim_t files)
{
    struct rlimit lim;
    if (getrlimit(RLIMIT_NOFILE, &lim) != 0 || lim.rlim_cur >= files) {
        return 0; /* unknown: let open() say */
    }
    if (lim.rlim_max != RLIM_INFINITY && lim.rlim_max < files) {
        cli_error("task",
                  "reduce reads every shard's keys at once: %llu open files, but this "
                  "host allows %llu (ulimit -Hn); plan fewer shards or raise the limit",
                  (unsigned long long)files, (unsigned long long)lim.rlim_max);
        return CLI_EXIT_FAILURE;
    }
    lim.rlim_cur = files;
    if (setrlimit(RLIMIT_NOFILE, &lim) != 0) {
        cli_error("task", "cannot raise the open-file limit to %llu: %s", (unsigned long long)files,
                  strerror(errno));
        return CLI_EXIT_FAILURE;
    }
    return 0;
}

/* Each shard's read buffer: READ_BUDGET shared, within the bounds. */
static size_t buffer_per_shard(unsigned shards)
{
    const size_t share = READ_BUDGET / (shards > 0 ? shards : 1);
    return share > READ_BUFFER_MAX ? READ_BUFFER_MAX
                                   : (share < READ_BUFFER_MIN ? READ_BUFFER_MIN : share);
}

static int open_readers(reduce_run *r, const shard_task *t, unsigned part)
{
    const unsigned n = t->plan.shards;
    const size_t buffer = buffer_per_shard(n);
    if (allow_open_files((rlim_t)n + SPARE_FILES) != 0) {
        return CLI_EXIT_FAILURE;
    }
    r->readers = mtp_calloc(n, sizeof *r->readers);
    r->heap = mtp_calloc(n, sizeof *r->heap);
    if (r->readers == NULL || r->heap == NULL) {
        cli_error("task", "out of memory");
        return CLI_EXIT_INTERNAL;
    }
    int rc = 0;
    for (unsigned s = 0; s < n && rc == 0; s++) {
        char path[SHARD_PATH_CAPACITY];
        rc = shard_path(path, "%s/keys/part-%03u/shard-%05u.keys", t->run, part, s);
        rc = rc == 0 ? shard_keys_open(path, buffer, &r->readers[s]) : CLI_EXIT_FAILURE;
        rc = rc == 0 ? refill(r, s) : rc;
    }
    return rc;
}

/* Pops every tuple in (key, shard, ordinal) order; all but a key's first are drops. */
static int merge(reduce_run *r)
{
    int have_last = 0;
    uint64_t last = 0;
    while (r->heap_count > 0) {
        const head top = r->heap[0];
        r->heap[0] = r->heap[--r->heap_count];
        sift_down(r->heap, r->heap_count, 0);
        int rc = have_last && top.t.key == last ? push_drop(r, &top) : 0;
        have_last = 1;
        last = top.t.key;
        rc = rc == 0 ? refill(r, top.shard) : rc;
        if (rc != 0) {
            return rc;
        }
    }
    return 0;
}

static void release(reduce_run *r, unsigned shards)
{
    for (unsigned s = 0; r->readers != NULL && s < shards; s++) {
        shard_keys_close(r->readers[s]);
    }
    mtp_free(r->readers);
    mtp_free(r->heap);
    mtp_free(r->drops);
}

int shard_task_reduce(shard_task *t, unsigned rank)
{
    reduce_run r;
    memset(&r, 0, sizeof r);
    char dir[SHARD_PATH_CAPACITY];
    char path[SHARD_PATH_CAPACITY];
    shard_output out;
    memset(&out, 0, sizeof out);
    snprintf(out.path, sizeof out.path, "drop/part-%03u.drop", rank);
    int rc = shard_require_done(&t->plan, t->run, SHARD_MAP, "reduce");
    rc = rc == 0 ? shard_require_done(&t->plan, t->run, SHARD_ALIGN, "reduce") : rc;
    rc = rc == 0 ? open_readers(&r, t, rank) : rc;
    rc = rc == 0 ? merge(&r) : rc;
    if (rc == 0 && (shard_path(dir, "%s/drop", t->run) != 0 || shard_mkdirs(dir) != 0 ||
                    shard_path(path, "%s/%s", t->run, out.path) != 0)) {
        cli_error("task", "%s/drop: cannot create: %s", t->run, strerror(errno));
        rc = CLI_EXIT_FAILURE;
    }
    rc = rc == 0 ? shard_drops_save(path, r.drops, r.drop_count, t->plan.shards, &out.bytes) : rc;
    rc = rc == 0
             ? shard_marker_write(t, SHARD_REDUCE, rank, &out, 1, r.tuples, r.tuples - r.drop_count)
             : rc;
    release(&r, t->plan.shards);
    return rc;
}
