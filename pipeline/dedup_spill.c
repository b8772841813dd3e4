/* dedup's spill to disk: exact first-occurrence dedup in bounded memory.
 *
 * Algorithm (an external sort-merge, as in Knuth TAOCP vol. 3, 5.4): once
 * spilling, each record gets the next ordinal (1, 2, ...) and is appended to
 * a spool file; its (key, ordinal) pair goes to an entry buffer that is
 * sorted and written as a run whenever full. The keys the table held before
 * the spill form one more run with ordinal 0, so they precede every held-back
 * record. At finish the runs are merged (a binary heap, at most MERGE_FANIN
 * runs at a time, in extra passes when there are more); in (key, ordinal)
 * order the first entry of each key is its first occurrence and every later
 * one is a drop. The dropped ordinals go to a bitmap over the ordinals when
 * it fits the entry buffer (8 ordinals a byte), else to sorted runs the same
 * way, merged while the spool is replayed in order. The replay counts a
 * dropped ordinal's record as dropped and emits any other. So the output
 * and the counts are those of the in-memory run.
 *
 * Memory: the entry buffer (mem_bytes, 16 bytes per entry; later the drop
 * bitmap), MERGE_FANIN read buffers of READ_ENTRIES entries (2 MiB), one
 * merge output buffer (64 KiB), and the spool's write/read buffer (256 KiB,
 * more only for a longer record): --mem plus about 2.5 MiB. Disk:
 * the spool (record bytes + 4 per record) and 16 bytes per held-back record
 * for each of key runs, merge passes and drop runs.
 */
#include "dedup_spill.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "buf.h"
#include "mtprep/alloc.h"

#define MERGE_FANIN 128
#define READ_ENTRIES 1024           /* per run being merged: 16 KiB */
#define WRITE_ENTRIES 4096          /* merge output buffer: 64 KiB */
#define SPOOL_FLUSH_BYTES (1 << 18) /* 256 KiB */
#define PATH_CAPACITY 512
#define DIR_CAPACITY (PATH_CAPACITY - sizeof "/mtprep-dedup-XXXXXX")

typedef struct entry {
    uint64_t key;     /* the record key, or a dropped ordinal in drop runs */
    uint64_t ordinal; /* 0 in drop runs */
} entry;

/* A temporary file, unlinked as soon as it is made. */
typedef struct spill_file {
    int fd;                   /* -1 when closed */
    off_t size;               /* bytes written */
    char path[PATH_CAPACITY]; /* for messages only: the file is already unlinked */
} spill_file;

typedef struct run {
    off_t start;    /* byte offset in its file */
    uint64_t count; /* entries */
} run;

/* A list of sorted runs in one file. */
typedef struct run_set {
    spill_file file;
    run *runs;
    size_t count;
    size_t capacity;
} run_set;

/* One run being read during a merge. */
typedef struct run_reader {
    off_t pos, limit; /* bytes of the run not yet read */
    entry *buf;       /* READ_ENTRIES */
    size_t len, next; /* entries in buf, index of the current one */
} run_reader;

/* A heap slot: a reader's current entry, copied so that comparisons stay
 * within the heap array. */
typedef struct heap_item {
    entry e;
    size_t reader;
} heap_item;

typedef struct merger {
    const spill_file *file;
    run_reader readers[MERGE_FANIN];
    heap_item heap[MERGE_FANIN]; /* smallest entry first */
    size_t heap_len;
} merger;

struct mtp_spill {
    char dir[DIR_CAPACITY];
    spill_file spool;  /* held-back records: uint32 length, then the line */
    mtp_buf spool_buf; /* write buffer, then read-ahead buffer at finish */
    size_t read_start; /* replay: first unread byte in spool_buf */
    off_t read_pos;    /* replay: spool bytes read into spool_buf so far */
    run_set keys;
    entry *entries; /* the entry buffer, mem_bytes */
    size_t entry_count, entry_capacity;
    uint64_t records; /* ordinals given so far */
    entry *read_mem;  /* MERGE_FANIN * READ_ENTRIES, allocated at finish */
    entry *write_mem; /* WRITE_ENTRIES */
};

/* ======================================================================== */
/* Temporary files                                                          */
/* ======================================================================== */

static void file_init(spill_file *f)
{
    f->fd = -1;
    f->size = 0;
    f->path[0] = '\0';
}

static void file_close(spill_file *f)
{
    if (f->fd >= 0) {
        close(f->fd);
    }
    file_init(f);
}

static mtp_status file_open(const mtp_spill *sp, spill_file *f, mtp_error *err)
{
    file_init(f);
    snprintf(f->path, sizeof f->path, "%s/mtprep-dedup-XXXXXX", sp->dir);
    f->fd = mkstemp(f->path);
    if (f->fd < 0) {
        return mtp_error_set(err, MTP_ERR_IO, "cannot create a spill file in %s: %s", sp->dir,
                             strerror(errno));
    }
    unlink(f->path); /* gone on every exit path; the open descriptor keeps the data */
    return MTP_OK;
}

static mtp_status file_append(spill_file *f, const void *data, size_t len, mtp_error *err)
{
    const char *p = data;
    while (len > 0) {
        const ssize_t n = write(f->fd, p, len);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return mtp_error_set(err, MTP_ERR_IO, "cannot write spill file %s: %s", f->path,
                                 n < 0 ? strerror(errno) : "no progress");
        }
        p += n;
        len -= (size_t)n;
        f->size += n;
    }
    return MTP_OK;
}

/* Reads exactly `len` bytes at `pos`. */
static mtp_status file_read_at(const spill_file *f, off_t pos, void *dst, size_t len,
                               mtp_error *err)
{
    char *p = dst;
    while (len > 0) {
        const ssize_t n = pread(f->fd, p, len, pos);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return mtp_error_set(err, MTP_ERR_IO, "cannot read spill file %s: %s", f->path,
                                 n < 0 ? strerror(errno) : "unexpected end of file");
        }
        p += n;
        pos += n;
        len -= (size_t)n;
    }
    return MTP_OK;
}

/* ======================================================================== */
/* Sorting and runs                                                         */
/* ======================================================================== */

static int entry_less(const entry *a, const entry *b)
{
    return a->key < b->key || (a->key == b->key && a->ordinal < b->ordinal);
}

static void insertion_sort(entry *e, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        const entry x = e[i];
        size_t j = i;
        while (j > 0 && entry_less(&x, &e[j - 1])) {
            e[j] = e[j - 1];
            j--;
        }
        e[j] = x;
    }
}

/* Quicksort, median-of-three pivot, recursing into the smaller side only
 * (so the stack stays O(log n)); qsort's indirect calls cost twice as much. */
static void sort_entries(entry *e, size_t n)
{
    while (n > 24) {
        const entry a = e[0], b = e[n / 2], c = e[n - 1];
        const entry pivot = entry_less(&a, &b)
                                ? (entry_less(&b, &c) ? b : (entry_less(&a, &c) ? c : a))
                                : (entry_less(&a, &c) ? a : (entry_less(&b, &c) ? c : b));
        size_t i = 0, j = n - 1;
        for (;;) {
            while (entry_less(&e[i], &pivot)) {
                i++;
            }
            while (entry_less(&pivot, &e[j])) {
                j--;
            }
            if (i >= j) {
                break;
            }
            const entry t = e[i];
            e[i++] = e[j];
            e[j--] = t;
        }
        const size_t left = j + 1; /* e[0..j] <= pivot <= e[j+1..n) */
        if (left < n - left) {
            sort_entries(e, left);
            e += left;
            n -= left;
        } else {
            sort_entries(e + left, n - left);
            n = left;
        }
    }
    insertion_sort(e, n);
}

static void run_set_init(run_set *rs)
{
    memset(rs, 0, sizeof *rs);
    file_init(&rs->file);
}

static void run_set_release(run_set *rs)
{
    file_close(&rs->file);
    mtp_free(rs->runs);
    run_set_init(rs);
}

/* Records that `count` entries just appended from `start` form a run. */
static mtp_status run_set_push(run_set *rs, off_t start, uint64_t count, mtp_error *err)
{
    if (rs->count == rs->capacity) {
        const size_t capacity = rs->capacity ? rs->capacity * 2 : 16;
        run *runs = mtp_realloc(rs->runs, capacity * sizeof *runs);
        if (runs == NULL) {
            return mtp_error_set(err, MTP_ERR_NOMEM, "out of memory listing spill runs");
        }
        rs->runs = runs;
        rs->capacity = capacity;
    }
    rs->runs[rs->count].start = start;
    rs->runs[rs->count].count = count;
    rs->count++;
    return MTP_OK;
}

/* Sorts `n` entries and appends them to rs as one run. */
static mtp_status write_sorted_run(run_set *rs, entry *e, size_t n, mtp_error *err)
{
    sort_entries(e, n);
    const off_t start = rs->file.size;
    const mtp_status st = file_append(&rs->file, e, n * sizeof *e, err);
    return st == MTP_OK ? run_set_push(rs, start, n, err) : st;
}

/* ======================================================================== */
/* k-way merge                                                              */
/* ======================================================================== */

static mtp_status reader_fill(merger *m, run_reader *r, mtp_error *err)
{
    const off_t left = (r->limit - r->pos) / (off_t)sizeof(entry);
    const size_t n = left < READ_ENTRIES ? (size_t)left : READ_ENTRIES;
    r->len = n;
    r->next = 0;
    if (n == 0) {
        return MTP_OK;
    }
    const mtp_status st = file_read_at(m->file, r->pos, r->buf, n * sizeof(entry), err);
    r->pos += (off_t)(n * sizeof(entry));
    return st;
}

/* Moves heap item i down to its place (the top item's entry just changed). */
static void heap_sift_down(merger *m, size_t i)
{
    const heap_item moving = m->heap[i];
    for (;;) {
        size_t child = 2 * i + 1;
        if (child >= m->heap_len) {
            break;
        }
        if (child + 1 < m->heap_len && entry_less(&m->heap[child + 1].e, &m->heap[child].e)) {
            child++;
        }
        if (!entry_less(&m->heap[child].e, &moving.e)) {
            break;
        }
        m->heap[i] = m->heap[child];
        i = child;
    }
    m->heap[i] = moving;
}

/* Opens a merge of runs[0..count) (count <= MERGE_FANIN) of `file`. */
static mtp_status merger_open(merger *m, entry *read_mem, const spill_file *file, const run *runs,
                              size_t count, mtp_error *err)
{
    assert(count <= MERGE_FANIN);
    m->file = file;
    m->heap_len = 0;
    for (size_t i = 0; i < count; i++) {
        run_reader *r = &m->readers[i];
        r->pos = runs[i].start;
        r->limit = runs[i].start + (off_t)(runs[i].count * sizeof(entry));
        r->buf = read_mem + i * READ_ENTRIES;
        const mtp_status st = reader_fill(m, r, err);
        if (st != MTP_OK) {
            return st;
        }
        if (r->len > 0) {
            m->heap[m->heap_len++] = (heap_item){r->buf[r->next++], i};
        }
    }
    for (size_t i = m->heap_len / 2; i-- > 0;) {
        heap_sift_down(m, i);
    }
    return MTP_OK;
}

/* The next entry in (key, ordinal) order into *out; *has is 0 at the end. */
static mtp_status merger_next(merger *m, entry *out, int *has, mtp_error *err)
{
    *has = m->heap_len > 0;
    if (!*has) {
        return MTP_OK;
    }
    *out = m->heap[0].e;
    run_reader *r = &m->readers[m->heap[0].reader];
    if (r->next == r->len) {
        const mtp_status st = reader_fill(m, r, err);
        if (st != MTP_OK) {
            return st;
        }
    }
    if (r->next < r->len) {
        m->heap[0].e = r->buf[r->next++];
    } else {
        m->heap[0] = m->heap[--m->heap_len];
    }
    if (m->heap_len > 0) {
        heap_sift_down(m, 0);
    }
    return MTP_OK;
}

/* Merges runs[0..count) of `in` into one run appended to `out`. */
static mtp_status merge_into(mtp_spill *sp, const spill_file *in, const run *runs, size_t count,
                             run_set *out, mtp_error *err)
{
    merger m;
    mtp_status st = merger_open(&m, sp->read_mem, in, runs, count, err);
    const off_t start = out->file.size;
    uint64_t total = 0;
    size_t buffered = 0;
    int has = 1;
    while (st == MTP_OK && has) {
        st = merger_next(&m, &sp->write_mem[buffered], &has, err);
        buffered += (size_t)(st == MTP_OK && has);
        if (st == MTP_OK && (buffered == WRITE_ENTRIES || (!has && buffered > 0))) {
            st = file_append(&out->file, sp->write_mem, buffered * sizeof(entry), err);
            total += buffered;
            buffered = 0;
        }
    }
    return st == MTP_OK ? run_set_push(out, start, total, err) : st;
}

/* Merges groups of MERGE_FANIN runs into new files until at most
 * MERGE_FANIN runs remain, so the final merge needs one read buffer each. */
static mtp_status reduce_runs(mtp_spill *sp, run_set *rs, mtp_error *err)
{
    while (rs->count > MERGE_FANIN) {
        run_set next;
        run_set_init(&next);
        mtp_status st = file_open(sp, &next.file, err);
        for (size_t i = 0; st == MTP_OK && i < rs->count; i += MERGE_FANIN) {
            const size_t n = rs->count - i < MERGE_FANIN ? rs->count - i : MERGE_FANIN;
            st = merge_into(sp, &rs->file, rs->runs + i, n, &next, err);
        }
        if (st != MTP_OK) {
            run_set_release(&next);
            return st;
        }
        run_set_release(rs); /* closing the old file frees its disk space */
        *rs = next;
    }
    return MTP_OK;
}

/* ======================================================================== */
/* Public                                                                   */
/* ======================================================================== */

mtp_status mtp_spill_new(const char *tmp_dir, size_t mem_bytes, mtp_spill **out, mtp_error *err)
{
    *out = NULL;
    if (tmp_dir == NULL || tmp_dir[0] == '\0') {
        tmp_dir = getenv("TMPDIR");
    }
    if (tmp_dir == NULL || tmp_dir[0] == '\0') {
        tmp_dir = "/tmp";
    }
    if (strlen(tmp_dir) >= DIR_CAPACITY) {
        return mtp_error_set(err, MTP_ERR_IO, "spill directory name too long: %.64s...", tmp_dir);
    }
    mtp_spill *sp = mtp_calloc(1, sizeof *sp);
    if (sp == NULL) {
        return mtp_error_set(err, MTP_ERR_NOMEM, "out of memory");
    }
    snprintf(sp->dir, sizeof sp->dir, "%s", tmp_dir);
    file_init(&sp->spool);
    run_set_init(&sp->keys);
    const size_t mem = mem_bytes < MTP_SPILL_MIN_MEM_BYTES ? MTP_SPILL_MIN_MEM_BYTES : mem_bytes;
    sp->entry_capacity = mem / sizeof(entry);
    mtp_status st = file_open(sp, &sp->spool, err);
    if (st == MTP_OK) {
        st = file_open(sp, &sp->keys.file, err);
    }
    if (st != MTP_OK) {
        mtp_spill_free(sp);
        return st;
    }
    *out = sp;
    return MTP_OK;
}

mtp_status mtp_spill_add_seen(mtp_spill *sp, const mtp_keyset *seen, mtp_error *err)
{
    entry chunk[256];
    size_t n = 0;
    const off_t start = sp->keys.file.size;
    if (seen->has_zero) {
        chunk[n++] = (entry){0, 0};
    }
    const size_t slots = mtp_keyset_slot_count(seen);
    for (size_t i = 0; i <= slots; i++) {
        if (n == 256 || (i == slots && n > 0)) {
            const mtp_status st = file_append(&sp->keys.file, chunk, n * sizeof *chunk, err);
            if (st != MTP_OK) {
                return st;
            }
            n = 0;
        }
        if (i < slots && seen->slots[i] != 0) {
            chunk[n++] = (entry){seen->slots[i], 0};
        }
    }
    return run_set_push(&sp->keys, start, seen->key_count, err);
}

static mtp_status spool_flush(mtp_spill *sp, mtp_error *err)
{
    const mtp_status st = file_append(&sp->spool, sp->spool_buf.data, sp->spool_buf.len, err);
    mtp_buf_clear(&sp->spool_buf);
    return st;
}

/* Appends the record as a 4-byte length and its line (LF included). */
static mtp_status spool_record(mtp_spill *sp, const mtp_record *rec, mtp_error *err)
{
    const size_t len = mtp_record_formatted_len(rec);
    if (len > UINT32_MAX) {
        return mtp_error_set(err, MTP_ERR_LIMIT, "a record over 4 GiB cannot be spilled");
    }
    if (mtp_buf_reserve(&sp->spool_buf, sizeof(uint32_t) + len) != MTP_OK) {
        return mtp_error_set(err, MTP_ERR_NOMEM, "out of memory spooling a record");
    }
    const uint32_t len32 = (uint32_t)len;
    memcpy(sp->spool_buf.data + sp->spool_buf.len, &len32, sizeof len32);
    sp->spool_buf.len += sizeof len32;
    sp->spool_buf.len += mtp_record_format(rec, sp->spool_buf.data + sp->spool_buf.len);
    return sp->spool_buf.len >= SPOOL_FLUSH_BYTES ? spool_flush(sp, err) : MTP_OK;
}

mtp_status mtp_spill_add(mtp_spill *sp, uint64_t key, const mtp_record *rec, mtp_error *err)
{
    if (sp->entries == NULL) {
        sp->entries = mtp_malloc(sp->entry_capacity * sizeof *sp->entries);
        if (sp->entries == NULL) {
            return mtp_error_set(err, MTP_ERR_NOMEM, "out of memory for the spill buffer");
        }
    }
    mtp_status st = spool_record(sp, rec, err);
    if (st != MTP_OK) {
        return st;
    }
    sp->entries[sp->entry_count++] = (entry){key, ++sp->records};
    if (sp->entry_count == sp->entry_capacity) {
        st = write_sorted_run(&sp->keys, sp->entries, sp->entry_count, err);
        sp->entry_count = 0;
    }
    return st;
}

/* ---- finish ------------------------------------------------------------- */

/* Where the dropped ordinals go: a bitmap over the ordinals in the entry
 * buffer's memory when it fits there (8 ordinals a byte: no sort, no
 * merge), else sorted runs of ordinals, merged during the replay. */
typedef struct drop_set {
    uint8_t *bits; /* NULL: runs */
    run_set runs;  /* entries (ordinal, 0) */
    merger m;      /* replay: over runs */
    entry next;    /* replay: the smallest dropped ordinal not yet passed */
    int has_next;
} drop_set;

static int drops_fit_bitmap(const mtp_spill *sp)
{
    return sp->records / 8 + 1 <= sp->entry_capacity * sizeof(entry);
}

static mtp_status drop_add(mtp_spill *sp, drop_set *drops, uint64_t ordinal, size_t *n,
                           mtp_error *err)
{
    if (drops->bits != NULL) {
        drops->bits[ordinal >> 3] |= (uint8_t)(1u << (ordinal & 7));
        return MTP_OK;
    }
    sp->entries[(*n)++] = (entry){ordinal, 0};
    if (*n < sp->entry_capacity) {
        return MTP_OK;
    }
    *n = 0;
    return write_sorted_run(&drops->runs, sp->entries, sp->entry_capacity, err);
}

/* Merges the key runs; every ordinal that is not the first of its key is
 * a drop. */
static mtp_status find_drops(mtp_spill *sp, drop_set *drops, mtp_error *err)
{
    merger m;
    mtp_status st =
        merger_open(&m, sp->read_mem, &sp->keys.file, sp->keys.runs, sp->keys.count, err);
    uint64_t previous = 0;
    int started = 0, has = 1;
    size_t n = 0; /* entries buffered for the next drop run */
    while (st == MTP_OK && has) {
        entry e = {0, 0};
        st = merger_next(&m, &e, &has, err);
        if (st == MTP_OK && has && started && e.key == previous) {
            st = drop_add(sp, drops, e.ordinal, &n, err);
        }
        previous = e.key;
        started = 1;
    }
    if (st == MTP_OK && n > 0) {
        st = write_sorted_run(&drops->runs, sp->entries, n, err);
    }
    return st;
}

/* Prepares the drop set for find_drops: the bitmap, or a file for runs. */
static mtp_status drops_open(mtp_spill *sp, drop_set *drops, mtp_error *err)
{
    drops->has_next = 0;
    if (drops_fit_bitmap(sp)) {
        drops->bits = (uint8_t *)sp->entries;
        memset(drops->bits, 0, sp->records / 8 + 1);
        return MTP_OK;
    }
    return file_open(sp, &drops->runs.file, err);
}

/* Merges the drop runs down to one merge and reads the first drop. */
static mtp_status drops_start_replay(mtp_spill *sp, drop_set *drops, mtp_error *err)
{
    if (drops->bits != NULL) {
        return MTP_OK;
    }
    mtp_status st = reduce_runs(sp, &drops->runs, err);
    if (st == MTP_OK) {
        st = merger_open(&drops->m, sp->read_mem, &drops->runs.file, drops->runs.runs,
                         drops->runs.count, err);
    }
    if (st == MTP_OK) {
        st = merger_next(&drops->m, &drops->next, &drops->has_next, err);
    }
    return st;
}

/* Whether `ordinal` (called in increasing order) is dropped. */
static mtp_status drops_contains(drop_set *drops, uint64_t ordinal, int *dropped, mtp_error *err)
{
    if (drops->bits != NULL) {
        *dropped = (drops->bits[ordinal >> 3] >> (ordinal & 7)) & 1;
        return MTP_OK;
    }
    *dropped = drops->has_next && drops->next.key == ordinal;
    return *dropped ? merger_next(&drops->m, &drops->next, &drops->has_next, err) : MTP_OK;
}

/* Makes at least `need` unread bytes available in sp->spool_buf from
 * sp->read_start, reading ahead SPOOL_FLUSH_BYTES at a time. */
static mtp_status spool_have(mtp_spill *sp, size_t need, mtp_error *err)
{
    mtp_buf *b = &sp->spool_buf;
    if (b->len - sp->read_start >= need) {
        return MTP_OK;
    }
    memmove(b->data, b->data + sp->read_start, b->len - sp->read_start);
    b->len -= sp->read_start;
    sp->read_start = 0;
    const size_t want = need > SPOOL_FLUSH_BYTES ? need : SPOOL_FLUSH_BYTES;
    if (mtp_buf_reserve(b, want - b->len) != MTP_OK) {
        return mtp_error_set(err, MTP_ERR_NOMEM, "out of memory reading the spool");
    }
    const off_t left = sp->spool.size - sp->read_pos;
    const size_t room = want - b->len;
    const size_t n = left < (off_t)room ? (size_t)left : room;
    if (b->len + n < need) {
        return mtp_error_set(err, MTP_ERR_IO, "spill file %s is truncated", sp->spool.path);
    }
    const mtp_status st = file_read_at(&sp->spool, sp->read_pos, b->data + b->len, n, err);
    sp->read_pos += (off_t)n;
    b->len += n;
    return st;
}

/* The next spooled record's line (without its LF), a view into spool_buf
 * valid until the next call. */
static mtp_status spool_next(mtp_spill *sp, mtp_str *line, mtp_error *err)
{
    uint32_t len32 = 0;
    mtp_status st = spool_have(sp, sizeof len32, err);
    if (st != MTP_OK) {
        return st;
    }
    memcpy(&len32, sp->spool_buf.data + sp->read_start, sizeof len32);
    st = spool_have(sp, sizeof len32 + len32, err);
    if (st != MTP_OK) {
        return st;
    }
    line->ptr = sp->spool_buf.data + sp->read_start + sizeof len32;
    line->len = len32 > 0 ? len32 - 1 : 0;
    sp->read_start += sizeof len32 + len32;
    return MTP_OK;
}

/* Replays the spool in order, emitting what is not dropped. */
static mtp_status replay(mtp_spill *sp, drop_set *drops, const mtp_sink *out, mtp_counts *counts,
                         const char *counter, mtp_error *err)
{
    mtp_status st = drops_start_replay(sp, drops, err);
    mtp_buf_clear(&sp->spool_buf);
    sp->read_start = 0;
    sp->read_pos = 0;
    for (uint64_t ordinal = 1; st == MTP_OK && ordinal <= sp->records; ordinal++) {
        mtp_str line;
        int dropped = 0;
        st = spool_next(sp, &line, err);
        if (st == MTP_OK) {
            st = drops_contains(drops, ordinal, &dropped, err);
        }
        if (st != MTP_OK) {
            break;
        }
        if (dropped) {
            mtp_counts_add(counts, counter, 1);
            continue;
        }
        mtp_record rec;
        if (mtp_record_parse(line.ptr, line.len, &rec) != MTP_DEFECT_NONE) {
            return mtp_error_set(err, MTP_ERR_IO, "spill file %s: record %llu is corrupt",
                                 sp->spool.path, (unsigned long long)ordinal);
        }
        st = out->emit(out->ctx, &rec);
    }
    return st;
}

mtp_status mtp_spill_finish(mtp_spill *sp, const mtp_sink *out, mtp_counts *counts,
                            const char *counter, mtp_error *err)
{
    mtp_status st = spool_flush(sp, err);
    if (st == MTP_OK && sp->entry_count > 0) {
        st = write_sorted_run(&sp->keys, sp->entries, sp->entry_count, err);
        sp->entry_count = 0;
    }
    if (st != MTP_OK) {
        return st;
    }
    sp->read_mem = mtp_malloc((size_t)MERGE_FANIN * READ_ENTRIES * sizeof(entry));
    sp->write_mem = mtp_malloc(WRITE_ENTRIES * sizeof(entry));
    if (sp->read_mem == NULL || sp->write_mem == NULL || sp->entries == NULL) {
        return mtp_error_set(err, MTP_ERR_NOMEM, "out of memory merging spill runs");
    }
    drop_set drops;
    drops.bits = NULL;
    run_set_init(&drops.runs);
    st = reduce_runs(sp, &sp->keys, err);
    if (st == MTP_OK) {
        st = drops_open(sp, &drops, err);
    }
    if (st == MTP_OK) {
        st = find_drops(sp, &drops, err);
    }
    run_set_release(&sp->keys); /* the key runs are done with: free their disk space */
    if (st == MTP_OK) {
        st = replay(sp, &drops, out, counts, counter, err);
    }
    run_set_release(&drops.runs);
    return st;
}

void mtp_spill_free(mtp_spill *sp)
{
    if (sp == NULL) {
        return;
    }
    file_close(&sp->spool);
    run_set_release(&sp->keys);
    mtp_buf_release(&sp->spool_buf);
    mtp_free(sp->entries);
    mtp_free(sp->read_mem);
    mtp_free(sp->write_mem);
    mtp_free(sp);
}
