/* The binary files of a sharded run's global dedup: each map task's key
 * tuples per partition, and each reduce task's duplicates per shard.
 *
 * Format (every integer an unsigned 64-bit little-endian number):
 *
 *   keys file  "MTPKEYS1" count, then count tuples (key, ordinal), sorted
 *              by key then ordinal; key is the dedup key (mtp_record_key),
 *              ordinal the record's number in its shard's map output.
 *   drop file  "MTPDROP1" shards, then an index of `shards` entries
 *              (first, count), then the ordinals: shard k's duplicates are
 *              ordinals [first, first + count), ascending.
 *
 * Both are written through mtp_writer (a temporary name, renamed when
 * complete). Memory: a writer's or a stdio buffer; the caller's arrays.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "shard.h"

#define KEYS_MAGIC "MTPKEYS1"
#define DROP_MAGIC "MTPDROP1"
#define MAGIC_BYTES 8
#define ENCODE_BATCH 4096 /* u64 values encoded per write */

unsigned shard_partition_of(uint64_t key, unsigned partitions)
{
    /* the high 64 bits of key * partitions, with partitions < 2^32 */
    const uint64_t hi = (key >> 32) * partitions;
    const uint64_t lo = (key & 0xFFFFFFFFu) * partitions;
    return (unsigned)((hi + (lo >> 32)) >> 32);
}

static int compare_tuples(const void *a, const void *b)
{
    const shard_tuple *x = a;
    const shard_tuple *y = b;
    if (x->key != y->key) {
        return x->key < y->key ? -1 : 1;
    }
    return x->ordinal < y->ordinal ? -1 : (x->ordinal > y->ordinal);
}

void shard_tuples_sort(shard_tuple *tuples, size_t count)
{
    if (count > 1) {
        qsort(tuples, count, sizeof *tuples, compare_tuples);
    }
}

mtp_status shard_tuples_push(shard_tuples *list, uint64_t key, uint64_t ordinal)
{
    if (list->count == list->capacity) {
        const size_t capacity = list->capacity ? list->capacity * 2 : 4096;
        shard_tuple *grown = mtp_realloc(list->items, capacity * sizeof *grown);
        if (grown == NULL) {
            return MTP_ERR_NOMEM;
        }
        list->items = grown;
        list->capacity = capacity;
    }
    const shard_tuple t = {key, ordinal};
    list->items[list->count++] = t;
    return MTP_OK;
}

void shard_tuples_release(shard_tuples *list)
{
    mtp_free(list->items);
    memset(list, 0, sizeof *list);
}

static void put_u64(unsigned char *dst, uint64_t v)
{
    for (int i = 0; i < 8; i++) {
        dst[i] = (unsigned char)(v >> (8 * i));
    }
}

static uint64_t get_u64(const unsigned char *src)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) {
        v = (v << 8) | src[i];
    }
    return v;
}

/* ==== writing ============================================================ */

/* A raw (uncompressed) output file and a batch of encoded integers. */
typedef struct u64_out {
    mtp_writer *w;
    unsigned char batch[ENCODE_BATCH * 8];
    size_t used; /* bytes in batch */
} u64_out;

static int out_open(u64_out *o, const char *path, const char *magic)
{
    const mtp_writer_options opts = {0, 0, 0};
    char err[MTP_ERROR_CAPACITY];
    o->used = 0;
    if (mtp_writer_open(path, &opts, &o->w, err, sizeof err) != MTP_OK) {
        cli_error("task", "%s", err);
        return CLI_EXIT_FAILURE;
    }
    mtp_writer_write(o->w, magic, MAGIC_BYTES);
    return 0;
}

static void out_put(u64_out *o, uint64_t v)
{
    if (o->used == sizeof o->batch) {
        mtp_writer_write(o->w, (const char *)o->batch, o->used);
        o->used = 0;
    }
    put_u64(o->batch + o->used, v);
    o->used += 8;
}

/* Flushes, commits (rename) and frees; *bytes gets the file's size. */
static int out_commit(u64_out *o, uint64_t *bytes)
{
    mtp_writer_write(o->w, (const char *)o->batch, o->used);
    const mtp_status st = mtp_writer_commit(o->w);
    if (st != MTP_OK) {
        cli_error("task", "%s", mtp_writer_error(o->w));
    }
    *bytes = mtp_writer_file_bytes(o->w);
    mtp_writer_free(o->w);
    o->w = NULL;
    return st == MTP_OK ? 0 : CLI_EXIT_FAILURE;
}

int shard_keys_save(const char *path, const shard_tuple *tuples, size_t count, uint64_t *bytes)
{
    static u64_out o; /* the batch is large */
    int rc = out_open(&o, path, KEYS_MAGIC);
    if (rc != 0) {
        return rc;
    }
    out_put(&o, count);
    for (size_t i = 0; i < count; i++) {
        out_put(&o, tuples[i].key);
        out_put(&o, tuples[i].ordinal);
    }
    return out_commit(&o, bytes);
}

int shard_keys_save_partitions(const char *run, unsigned shard, unsigned partitions,
                               shard_tuples *list, shard_output *outputs, uint64_t *total_bytes)
{
    shard_tuples_sort(list->items, list->count);
    uint64_t total = 0;
    size_t first = 0;
    for (unsigned p = 0; p < partitions; p++) {
        size_t limit = first;
        while (limit < list->count && shard_partition_of(list->items[limit].key, partitions) == p) {
            limit++;
        }
        char dir[SHARD_PATH_CAPACITY], path[SHARD_PATH_CAPACITY];
        if (shard_path(dir, "%s/keys/part-%03u", run, p) != 0 || shard_mkdirs(dir) != 0 ||
            shard_path(path, "%s/shard-%05u.keys", dir, shard) != 0) {
            cli_error("task", "%s/keys/part-%03u: cannot create: %s", run, p, strerror(errno));
            return CLI_EXIT_FAILURE;
        }
        uint64_t bytes = 0;
        const int rc = shard_keys_save(path, list->items + first, limit - first, &bytes);
        if (rc != 0) {
            return rc;
        }
        if (outputs != NULL) {
            snprintf(outputs[p].path, sizeof outputs[p].path, "keys/part-%03u/shard-%05u.keys", p,
                     shard);
            outputs[p].bytes = bytes;
        }
        total += bytes;
        first = limit;
    }
    if (total_bytes != NULL) {
        *total_bytes = total;
    }
    return 0;
}

static int compare_drops(const void *a, const void *b)
{
    const shard_drop *x = a;
    const shard_drop *y = b;
    if (x->shard != y->shard) {
        return x->shard < y->shard ? -1 : 1;
    }
    return x->ordinal < y->ordinal ? -1 : (x->ordinal > y->ordinal);
}

int shard_drops_save(const char *path, shard_drop *drops, size_t count, unsigned shards,
                     uint64_t *bytes)
{
    static u64_out o;
    if (count > 1) {
        qsort(drops, count, sizeof *drops, compare_drops);
    }
    int rc = out_open(&o, path, DROP_MAGIC);
    if (rc != 0) {
        return rc;
    }
    out_put(&o, shards);
    size_t first = 0;
    for (unsigned k = 0; k < shards; k++) {
        size_t limit = first;
        while (limit < count && drops[limit].shard == k) {
            limit++;
        }
        out_put(&o, first);
        out_put(&o, limit - first);
        first = limit;
    }
    for (size_t i = 0; i < count; i++) {
        out_put(&o, drops[i].ordinal);
    }
    return out_commit(&o, bytes);
}

/* ==== reading ============================================================ */

struct shard_keys_reader {
    FILE *file;
    char *path;    /* for messages; reduce holds one reader per shard */
    uint64_t left; /* tuples not read yet */
};

static int read_exact(FILE *f, unsigned char *dst, size_t len)
{
    return fread(dst, 1, len, f) == len ? 0 : -1;
}

/* Opens `path`, checks the magic, reads the first u64 into *value and the
 * file size into *size. Returns the FILE or NULL (message printed). */
static FILE *open_checked(const char *path, const char *magic, uint64_t *value, uint64_t *size)
{
    FILE *f = fopen(path, "rb");
    unsigned char head[16];
    struct stat sb;
    if (f == NULL || fstat(fileno(f), &sb) != 0 || read_exact(f, head, sizeof head) != 0 ||
        memcmp(head, magic, MAGIC_BYTES) != 0) {
        cli_error("task", "%s: %s", path, f == NULL ? strerror(errno) : "not a complete file");
        if (f != NULL) {
            fclose(f);
        }
        return NULL;
    }
    *value = get_u64(head + MAGIC_BYTES);
    *size = (uint64_t)sb.st_size;
    return f;
}

int shard_keys_open(const char *path, size_t buffer_bytes, shard_keys_reader **out)
{
    *out = NULL;
    shard_keys_reader *r = mtp_calloc(1, sizeof *r);
    if (r == NULL || (r->path = mtp_strndup(path, strlen(path))) == NULL) {
        mtp_free(r);
        cli_error("task", "out of memory");
        return CLI_EXIT_INTERNAL;
    }
    uint64_t size = 0;
    r->file = open_checked(path, KEYS_MAGIC, &r->left, &size);
    if (r->file == NULL || r->left > (size - 16) / 16 || size != 16 + 16 * r->left) {
        if (r->file != NULL) {
            cli_error("task", "%s: size does not match its tuple count", path);
        }
        shard_keys_close(r);
        return CLI_EXIT_FAILURE;
    }
    setvbuf(r->file, NULL, _IOFBF, buffer_bytes);
    *out = r;
    return 0;
}

int shard_keys_next(shard_keys_reader *r, shard_tuple *t)
{
    if (r->left == 0) {
        return 0;
    }
    unsigned char buf[16];
    if (read_exact(r->file, buf, sizeof buf) != 0) {
        cli_error("task", "%s: read error", r->path);
        return -1;
    }
    r->left--;
    t->key = get_u64(buf);
    t->ordinal = get_u64(buf + 8);
    return 1;
}

void shard_keys_close(shard_keys_reader *r)
{
    if (r == NULL) {
        return;
    }
    if (r->file != NULL) {
        fclose(r->file);
    }
    mtp_free(r->path);
    mtp_free(r);
}

static int grow_to(uint64_t **ordinals, size_t *capacity, size_t need)
{
    if (need <= *capacity) {
        return 0;
    }
    size_t cap = *capacity ? *capacity : 1024;
    while (cap < need) {
        cap *= 2;
    }
    uint64_t *grown = mtp_realloc(*ordinals, cap * sizeof *grown);
    if (grown == NULL) {
        return -1;
    }
    *ordinals = grown;
    *capacity = cap;
    return 0;
}

/* Reads `count` ordinals at the file position into *ordinals + *used. */
static int read_ordinals(FILE *f, uint64_t *dst, uint64_t count)
{
    unsigned char buf[8];
    for (uint64_t i = 0; i < count; i++) {
        if (read_exact(f, buf, sizeof buf) != 0) {
            return -1;
        }
        dst[i] = get_u64(buf);
    }
    return 0;
}

int shard_drops_load(const char *path, unsigned shard, uint64_t **ordinals, size_t *count,
                     size_t *capacity)
{
    uint64_t shards = 0, size = 0;
    FILE *f = open_checked(path, DROP_MAGIC, &shards, &size);
    if (f == NULL) {
        return CLI_EXIT_FAILURE;
    }
    unsigned char entry[16];
    const uint64_t table = 16 + 16 * shards;
    int bad = shard >= shards || table > size ||
              fseeko(f, (off_t)(16 + 16 * (uint64_t)shard), SEEK_SET) != 0 ||
              read_exact(f, entry, sizeof entry) != 0;
    const uint64_t first = bad ? 0 : get_u64(entry);
    const uint64_t n = bad ? 0 : get_u64(entry + 8);
    bad |= first > (size - table) / 8 || n > (size - table) / 8 - first;
    if (!bad && grow_to(ordinals, capacity, *count + (size_t)n) != 0) {
        fclose(f);
        cli_error("task", "out of memory");
        return CLI_EXIT_INTERNAL;
    }
    bad = bad || fseeko(f, (off_t)(table + 8 * first), SEEK_SET) != 0 ||
          read_ordinals(f, *ordinals + *count, n) != 0;
    fclose(f);
    if (bad) {
        cli_error("task", "%s: damaged drop file (no entry for shard %u)", path, shard);
        return CLI_EXIT_FAILURE;
    }
    *count += (size_t)n;
    return 0;
}
