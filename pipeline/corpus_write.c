/* write: the last stage, which turns a record stream into a corpus directory.
 *
 * Algorithm. Every document goes whole to one split, chosen by a seeded
 * XXH3-64 of its doc_id (mtp_corpus_split_of), so the choice depends on
 * nothing but the doc_id and is the same in every run and every shard. Given
 * a clusters file (dedup --docs --clusters: "doc_id TAB cluster_id"), a listed
 * document is placed by the hash of its cluster id instead, so all members of
 * a near-duplicate cluster land in the cluster's first document's split.
 *
 * Exclude files (an external test set) are read at creation: the exact and
 * loose keys (dedup.h) of each of their lines go into a table mapping a key
 * to the set of files holding it. A dev/test record's keys are looked up
 * there at once: a match drops it ("dropped.excluded_exact" when an exact key
 * matched, else "dropped.excluded_loose") and credits each matching file;
 * otherwise its text is written to dev.LANG.zst or test.LANG.zst and its keys
 * go into the held-out key set. Train records cannot be judged yet, since a
 * dev/test document may come later in the stream, so they are spooled whole
 * (uncompressed) to a temporary file inside OUT. At finish the spool is
 * re-read: a train text is checked by its exact keys, excluded first, then
 * held out ("dropped.cross_split_exact"), and only when neither matches by
 * its loose keys, in the same order ("dropped.cross_split_loose"): the loose
 * key is the costly one, so it is computed only for a text whose loose key's
 * head (a hash of its loose form's first 16 bytes, keys.h) is the head of a
 * held-out or excluded loose key, a bitmap lookup. The rest go to
 * train.LANG.zst with "doc_id TAB unit" in train.meta.tsv.zst. An excluded dev/test text never enters the held-out
 * set: a train text equal to it, or sharing its loose key, counts as
 * excluded, not as cross-split. Keys are tagged by
 * kind (exact: low bit 0, loose: low bit 1) so that one set holds both and
 * a match says which kind it was. Then MANIFEST.json and SHA256SUMS
 * (manifest.c), listing the clusters file and every exclude file with its
 * digest, lines and matches.
 *
 * Counting: write emits nothing; a record written to a corpus file counts
 * as "out" (dev/test at feed, train at finish), so in = out + dropped.
 * "moved_by_cluster" counts records placed by a cluster id other than their
 * doc_id; "exclude_bad_lines" exclude lines skipped (too long) or kept by
 * their exact key only (not UTF-8) under --on-error skip.
 *
 * Pairs (tgt_lang set): the same with two text files per split, source and
 * target, line-aligned, and "doc_id TAB units TAB score" as metadata; the
 * keys of both sides are held out, and a pair is dropped when either side
 * matches.
 *
 * Standard: the files follow the corpus directory of the design (one text
 * per line, LF, zstd frames with checksums, SHA256SUMS in the GNU coreutils
 * format).
 *
 * Memory: mem_bytes bounds the sum of the cluster map and the exclude table
 * (open addressing, 16 bytes a slot at load <= 0.75: <= 43 bytes per moved
 * document or exclude key, <= 64 while old and new table coexist during a
 * doubling) and the held-out key set (<= 15 bytes per dev/test key, two keys per
 * text and side); besides them, a fixed 128 KiB bitmap of loose-key heads. The
 * cluster map holds only documents whose cluster id differs from their
 * doc_id, so it is O(documents in the clusters file).
 * Besides: a zstd context per corpus file (up to seven) and the spool's (the
 * train files' in multi-threaded mode: `threads` workers with a few
 * MTP_WRITER_JOB_BYTES buffers each, from finish on), the longest record
 * twice (spool reader, format buffer). Nothing is allocated per record in
 * steady state.
 */
#include "mtprep/corpus.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include "buf.h"
#include "keys.h"
#include "manifest.h"
#include "mtprep/alloc.h"
#include "mtprep/dedup.h"
#include "mtprep/reader.h"
#include "mtprep/writer.h"
#include "stage_impl.h"

#define PATH_CAPACITY 4096
#define SPOOL_NAME "train.spool.tmp-mtprep" /* looks temporary even once renamed */
#define SPOOL_ZSTD_LEVEL 0 /* plain: compressing cost more CPU than the disk it saved */
#define LANG_MAX_BYTES 15
#define MAP_MIN_PAIRS 64 /* smallest cluster map or exclude table: 1 KiB */

/* Corpus files: a text file per split and side (source, then target for
 * pairs), then the train metadata. */
enum { SIDE_COUNT = 2, FILE_META = MTP_SPLIT_COUNT * SIDE_COUNT, FILE_COUNT };

static int text_file(mtp_corpus_split split, int side)
{
    return (int)split * SIDE_COUNT + side;
}

/* A uint64 -> uint64 hash table, open addressing with linear probing; key 0
 * marks an empty slot (callers never pass 0). Keys are hashes already. */
typedef struct u64map {
    uint64_t *slots;  /* capacity pairs: key, value */
    size_t capacity;  /* pairs, a power of two, or 0 before the first insert */
    size_t count;     /* keys held */
    size_t max_bytes; /* bound on the old and new tables together while growing */
} u64map;

typedef struct corpus_writer {
    mtp_write_options opts;        /* a copy; its strings are borrowed */
    mtp_counts *counts;            /* upstream (in memory, then files), then write's own */
    size_t counts_count;           /* upstream entries */
    int sides;                     /* 1: unit records; 2: pair records */
    mtp_writer *files[FILE_COUNT]; /* open corpus files (NULL: unused side) */
    mtp_manifest_file entries[FILE_COUNT];
    mtp_writer *spool;        /* train records until finish */
    mtp_reader *spool_reader; /* the spool, re-read at finish */
    char spool_path[PATH_CAPACITY];
    int spool_committed;         /* the spool exists under spool_path */
    size_t longest_record_bytes; /* LF included: bounds the spool reader */
    mtp_keyset heldout;          /* tagged exact and loose keys of dev/test texts */
    uint64_t *loose_heads;       /* bitmap: heads of the loose keys held out or excluded */
    int any_loose_key;           /* a loose key is held out or excluded */
    u64map clusters;             /* doc key -> split hash of its cluster id (only when != doc_id) */
    u64map excluded;             /* tagged exclude key -> bit set of exclude files */
    mtp_manifest_source clusters_source; /* path NULL: no clusters file */
    mtp_manifest_source *excludes;       /* exclude files in reading order */
    size_t exclude_count;
    uint64_t exclude_bad_lines; /* exclude lines skipped or kept by exact key only */
    mtp_key_scratch scratch;    /* loose-key workspace */
    EVP_MD_CTX *input_sha;      /* over the serialised input records */
    uint64_t input_records;
    mtp_buf line; /* a formatted record or meta line, reused */
} corpus_writer;

/* ======================================================================== */
/* Splits                                                                   */
/* ======================================================================== */

const char *mtp_corpus_split_name(mtp_corpus_split split)
{
    static const char *const names[MTP_SPLIT_COUNT] = {"train", "dev", "test"};
    return split < MTP_SPLIT_COUNT ? names[split] : "?";
}

static uint64_t split_hash(mtp_str id)
{
    return XXH3_64bits_withSeed(id.ptr, id.len, MTP_SPLIT_SEED);
}

static mtp_corpus_split split_of_hash(uint64_t h, double dev_ratio, double test_ratio)
{
    const double u = (double)(h >> 11) * 0x1.0p-53; /* exact, in [0,1) */
    if (u < dev_ratio) {
        return MTP_SPLIT_DEV;
    }
    return u < dev_ratio + test_ratio ? MTP_SPLIT_TEST : MTP_SPLIT_TRAIN;
}

mtp_corpus_split mtp_corpus_split_of(mtp_str doc_id, double dev_ratio, double test_ratio)
{
    return split_of_hash(split_hash(doc_id), dev_ratio, test_ratio);
}

/* ======================================================================== */
/* Keys and tables                                                          */
/* ======================================================================== */

/* Exact keys end in bit 0, loose keys in bit 1: one set holds both kinds and
 * a match names its kind. Neither is ever 0 (the tables' empty mark); the
 * exact key loses one bit, which leaves collisions at 2^-63. */
static uint64_t tag_exact(uint64_t key)
{
    key &= ~UINT64_C(1);
    return key != 0 ? key : 2;
}

static uint64_t tag_loose(uint64_t key)
{
    return key | 1;
}

/* Heads of loose keys (keys.h) in a bitmap of LOOSE_HEAD_BITS bits, indexed
 * by a head's top bits: a train text whose heads are all absent shares no
 * loose key with a dev/test or excluded text, and its loose key is not
 * computed. */
#define LOOSE_HEAD_BITS (UINT64_C(1) << 20) /* 128 KiB */

static size_t head_word(uint64_t head)
{
    return (size_t)((head >> 44) / 64);
}

static uint64_t head_bit(uint64_t head)
{
    return UINT64_C(1) << ((head >> 44) % 64);
}

static void note_loose_head(corpus_writer *w, uint64_t head)
{
    w->loose_heads[head_word(head)] |= head_bit(head);
    w->any_loose_key = 1;
}

static int has_loose_head(const corpus_writer *w, uint64_t head)
{
    return (w->loose_heads[head_word(head)] & head_bit(head)) != 0;
}

/* The cluster map's key of a doc_id (never 0). */
static uint64_t doc_key(mtp_str doc_id)
{
    const uint64_t key = XXH3_64bits(doc_id.ptr, doc_id.len);
    return key != 0 ? key : 1;
}

static size_t map_bytes(const u64map *m)
{
    return m->capacity * 2 * sizeof *m->slots;
}

/* The slot pair holding `key`, or the empty one where it would go. */
static uint64_t *map_slot(const u64map *m, uint64_t key)
{
    const size_t mask = m->capacity - 1;
    size_t i = (size_t)(key >> 1) & mask; /* bit 0 is the key kind's tag */
    while (m->slots[2 * i] != 0 && m->slots[2 * i] != key) {
        i = (i + 1) & mask;
    }
    return &m->slots[2 * i];
}

/* Doubles the table; MTP_ERR_LIMIT when old and new would pass max_bytes. */
static mtp_status map_grow(u64map *m)
{
    const size_t capacity = m->capacity == 0 ? MAP_MIN_PAIRS : 2 * m->capacity;
    const size_t new_bytes = capacity * 2 * sizeof *m->slots;
    if (new_bytes > m->max_bytes || map_bytes(m) > m->max_bytes - new_bytes) {
        return MTP_ERR_LIMIT;
    }
    u64map bigger = {mtp_calloc(2 * capacity, sizeof *m->slots), capacity, m->count, m->max_bytes};
    if (bigger.slots == NULL) {
        return MTP_ERR_NOMEM;
    }
    for (size_t i = 0; i < m->capacity; i++) {
        if (m->slots[2 * i] != 0) {
            uint64_t *slot = map_slot(&bigger, m->slots[2 * i]);
            slot[0] = m->slots[2 * i];
            slot[1] = m->slots[2 * i + 1];
        }
    }
    mtp_free(m->slots);
    *m = bigger;
    return MTP_OK;
}

/* Finds or adds `key` (value 0 when new, *added 1); *value points at its
 * value until the next insert. Keeps the load <= 0.75. */
static mtp_status map_upsert(u64map *m, uint64_t key, uint64_t **value, int *added)
{
    assert(key != 0);
    if (4 * (m->count + 1) > 3 * m->capacity) {
        const mtp_status st = map_grow(m);
        if (st != MTP_OK) {
            return st;
        }
    }
    uint64_t *slot = map_slot(m, key);
    *added = slot[0] == 0;
    if (*added) {
        slot[0] = key;
        slot[1] = 0;
        m->count++;
    }
    *value = &slot[1];
    return MTP_OK;
}

static const uint64_t *map_get(const u64map *m, uint64_t key)
{
    if (m->count == 0) {
        return NULL;
    }
    const uint64_t *slot = map_slot(m, key);
    return slot[0] == key ? &slot[1] : NULL;
}

static void map_release(u64map *m)
{
    mtp_free(m->slots);
    m->slots = NULL;
    m->capacity = m->count = 0;
}

void mtp_write_options_default(mtp_write_options *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->lang = "id";
    opts->dev_ratio = 0.01;
    opts->test_ratio = 0.01;
    opts->zstd_level = 3;
    opts->threads = 1;
    opts->mem_bytes = MTP_DEDUP_DEFAULT_MEM_BYTES;
    opts->on_error = MTP_ON_ERROR_SKIP;
}

/* ======================================================================== */
/* Creating                                                                 */
/* ======================================================================== */

static int lang_is_valid(const char *lang)
{
    const size_t len = strlen(lang);
    if (len == 0 || len > LANG_MAX_BYTES) {
        return 0;
    }
    return strspn(lang, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == len;
}

static mtp_status check_options(const mtp_write_options *o, mtp_error *err)
{
    if (o->out_dir == NULL || o->out_dir[0] == '\0') {
        return mtp_error_set(err, MTP_ERR_USAGE, "an output directory is required");
    }
    if (o->lang == NULL || !lang_is_valid(o->lang)) {
        return mtp_error_set(err, MTP_ERR_USAGE,
                             "language '%s' is not 1-15 letters, digits, '_' or '-'",
                             o->lang != NULL ? o->lang : "");
    }
    if (o->tgt_lang != NULL && (!lang_is_valid(o->tgt_lang) || strcmp(o->tgt_lang, o->lang) == 0)) {
        return mtp_error_set(err, MTP_ERR_USAGE,
                             "target language '%s' is not 1-15 letters, digits, '_' or '-' "
                             "different from the source language",
                             o->tgt_lang);
    }
    if (!(o->dev_ratio >= 0 && o->test_ratio >= 0 && o->dev_ratio + o->test_ratio <= 1)) {
        return mtp_error_set(err, MTP_ERR_USAGE,
                             "dev and test ratios must be >= 0 with a sum <= 1");
    }
    if (o->exclude_path_count > MTP_WRITE_MAX_EXCLUDE_FILES) {
        return mtp_error_set(err, MTP_ERR_USAGE, "more than %d exclude files",
                             MTP_WRITE_MAX_EXCLUDE_FILES);
    }
    if (o->zstd_level < 1 || o->zstd_level > 19) {
        return mtp_error_set(err, MTP_ERR_USAGE, "zstd level %d is not in 1..19", o->zstd_level);
    }
    return MTP_OK;
}

/* Loads the upstream counts files into the slots after the in-memory
 * ones, which are read only at finish (build fills them just before). */
static mtp_status load_upstream(corpus_writer *w, mtp_error *err)
{
    const mtp_write_options *o = &w->opts;
    const size_t total = o->upstream_count + o->upstream_path_count;
    w->counts = mtp_calloc(total + 1, sizeof *w->counts);
    if (w->counts == NULL) {
        return mtp_error_set(err, MTP_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < o->upstream_path_count; i++) {
        mtp_counts *slot = &w->counts[o->upstream_count + i];
        const mtp_status st = mtp_counts_load_json(slot, o->upstream_paths[i]);
        if (st != MTP_OK) {
            return mtp_error_set(err, st, "%s: cannot read stage counts (%s)", o->upstream_paths[i],
                                 mtp_status_str(st));
        }
    }
    w->counts_count = total;
    return MTP_OK;
}

static mtp_status remove_if_present(const char *dir, const char *name, mtp_error *err)
{
    char path[PATH_CAPACITY];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (unlink(path) != 0 && errno != ENOENT) {
        return mtp_error_set(err, MTP_ERR_IO, "%s: cannot remove the old file: %s", path,
                             strerror(errno));
    }
    return MTP_OK;
}

/* Removes OUT's temporaries (NAME.PID.tmp-mtprep, the train spool) that a
 * killed run left: their process ids make them names no later run reuses. */
static mtp_status remove_stale_temporaries(const char *dir, mtp_error *err)
{
    DIR *d = opendir(dir);
    if (d == NULL) {
        return mtp_error_set(err, MTP_ERR_IO, "%s: cannot list: %s", dir, strerror(errno));
    }
    const size_t suffix = strlen(MTP_TEMP_SUFFIX);
    mtp_status st = MTP_OK;
    const struct dirent *e = NULL;
    while (st == MTP_OK && (e = readdir(d)) != NULL) {
        const size_t n = strlen(e->d_name);
        if (n > suffix && strcmp(e->d_name + n - suffix, MTP_TEMP_SUFFIX) == 0) {
            st = remove_if_present(dir, e->d_name, err);
        }
    }
    closedir(d);
    return st;
}

/* Creates OUT if missing; removes an old manifest and checksums first, so
 * that whatever happens next, OUT never looks like a complete corpus made
 * of old and new files, and the temporaries of a killed run. */
static mtp_status prepare_dir(const char *dir, mtp_error *err)
{
    if (strlen(dir) + 1 + MTP_FILE_NAME_CAPACITY + 32 > PATH_CAPACITY) {
        return mtp_error_set(err, MTP_ERR_USAGE, "output path too long");
    }
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        return mtp_error_set(err, MTP_ERR_IO, "%s: cannot create: %s", dir, strerror(errno));
    }
    struct stat sb;
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        return mtp_error_set(err, MTP_ERR_IO, "%s: not a directory", dir);
    }
    mtp_status st = remove_if_present(dir, MTP_MANIFEST_NAME, err);
    if (st == MTP_OK) {
        st = remove_if_present(dir, MTP_SUMS_NAME, err);
    }
    return st == MTP_OK ? remove_stale_temporaries(dir, err) : st;
}

/* Opens OUT/NAME (temporary name until commit), with a SHA-256 of its bytes
 * when `hash` (the manifest lists it), compressed on `workers` zstd threads
 * (0: single-threaded mode; see mtp_writer_options). */
static mtp_status open_file(corpus_writer *w, const char *name, int level, int hash, int workers,
                            mtp_writer **out, mtp_error *err)
{
    char path[PATH_CAPACITY];
    snprintf(path, sizeof path, "%s/%s", w->opts.out_dir, name);
    const mtp_writer_options wopts = {level, hash, workers};
    char msg[MTP_ERROR_CAPACITY] = "";
    const mtp_status st = mtp_writer_open(path, &wopts, out, msg, sizeof msg);
    return st == MTP_OK ? MTP_OK : mtp_error_set(err, st, "%s", msg);
}

/* zstd threads for a split's files: the train files, the bulk of the corpus
 * compressed at finish while nothing else runs, in multi-threaded mode;
 * dev and test, written along the stream, single-threaded. */
static int split_workers(const corpus_writer *w, mtp_corpus_split split)
{
    if (split != MTP_SPLIT_TRAIN) {
        return 0;
    }
    return w->opts.threads > 1 ? (int)w->opts.threads : 1;
}

/* Opens SPLIT.LANG.zst for every side. */
static mtp_status open_text_files(corpus_writer *w, mtp_corpus_split split, mtp_error *err)
{
    mtp_status st = MTP_OK;
    for (int side = 0; side < w->sides && st == MTP_OK; side++) {
        const int index = text_file(split, side);
        mtp_manifest_file *e = &w->entries[index];
        const char *lang = side == 0 ? w->opts.lang : w->opts.tgt_lang;
        snprintf(e->name, sizeof e->name, "%s.%s.zst", mtp_corpus_split_name(split), lang);
        st = open_file(w, e->name, w->opts.zstd_level, 1, split_workers(w, split), &w->files[index],
                       err);
    }
    return st;
}

static mtp_status open_outputs(corpus_writer *w, mtp_error *err)
{
    mtp_status st = open_text_files(w, MTP_SPLIT_DEV, err);
    if (st == MTP_OK) {
        st = open_text_files(w, MTP_SPLIT_TEST, err);
    }
    if (st == MTP_OK) {
        snprintf(w->spool_path, sizeof w->spool_path, "%s/%s", w->opts.out_dir, SPOOL_NAME);
        st = open_file(w, SPOOL_NAME, SPOOL_ZSTD_LEVEL, 0, 0, &w->spool, err); /* not listed */
    }
    return st;
}

/* ---- the clusters file and the exclude files ---------------------------- */

/* Remembers an input file for the manifest: its path (copied) and digest. */
static mtp_status source_init(mtp_manifest_source *src, const char *path, mtp_error *err)
{
    if (!mtp_utf8_is_valid(path, strlen(path))) {
        return mtp_error_set(err, MTP_ERR_USAGE, "%s: the path is not valid UTF-8", path);
    }
    src->path = mtp_strndup(path, strlen(path));
    if (src->path == NULL) {
        return mtp_error_set(err, MTP_ERR_NOMEM, "out of memory");
    }
    uint64_t bytes = 0;
    return mtp_sha256_file(path, src->sha256, &bytes, err);
}

/* A reader's failure other than a long line: MTP_ERR_IO or MTP_ERR_CODEC. */
static mtp_status read_failed(mtp_reader *r, mtp_status st, mtp_error *err)
{
    return mtp_error_set(err, st, "%s", mtp_reader_error(r));
}

static mtp_status map_full(mtp_status st, const char *what, size_t mem_bytes, mtp_error *err)
{
    if (st == MTP_ERR_LIMIT) {
        return mtp_error_set(err, st, "%s would exceed --mem (%zu bytes); raise --mem", what,
                             mem_bytes);
    }
    return mtp_error_set(err, st, "out of memory");
}

/* One "doc_id TAB cluster_id" line into the map; a document in a cluster of
 * its own needs no entry. */
static mtp_status add_cluster_line(corpus_writer *w, mtp_reader *r, const char *line, size_t len,
                                   mtp_error *err)
{
    const char *tab = memchr(line, '\t', len);
    const mtp_str doc = {line, tab != NULL ? (size_t)(tab - line) : 0};
    const mtp_str cluster = {tab != NULL ? tab + 1 : line, tab != NULL ? len - doc.len - 1 : 0};
    if (tab == NULL || doc.len == 0 || cluster.len == 0 || memchr(cluster.ptr, '\t', cluster.len)) {
        return mtp_error_set(err, MTP_ERR_INPUT, "%s: not 'doc_id TAB cluster_id'",
                             mtp_reader_where(r));
    }
    if (doc.len == cluster.len && memcmp(doc.ptr, cluster.ptr, doc.len) == 0) {
        return MTP_OK;
    }
    uint64_t *value = NULL;
    int added = 0;
    const mtp_status st = map_upsert(&w->clusters, doc_key(doc), &value, &added);
    if (st != MTP_OK) {
        return map_full(st, "the cluster map", w->opts.mem_bytes, err);
    }
    const uint64_t h = split_hash(cluster);
    if (!added && *value != h) {
        return mtp_error_set(err, MTP_ERR_INPUT, "%s: doc_id %.*s is in two clusters",
                             mtp_reader_where(r), (int)(doc.len > 160 ? 160 : doc.len), doc.ptr);
    }
    *value = h;
    return MTP_OK;
}

/* Reads the clusters file into w->clusters (bounded by mem_bytes). A
 * malformed line fails whatever the policy: a skipped one could put a
 * cluster on both sides of a split. */
static mtp_status load_clusters(corpus_writer *w, mtp_error *err)
{
    w->clusters.max_bytes = w->opts.mem_bytes;
    if (w->opts.clusters_path == NULL) {
        return MTP_OK;
    }
    mtp_status st = source_init(&w->clusters_source, w->opts.clusters_path, err);
    mtp_reader *r = NULL;
    if (st == MTP_OK) {
        st = mtp_reader_open(w->opts.clusters_path, NULL, MTP_DEFAULT_MAX_LINE_BYTES, &r, err);
    }
    const char *line = NULL;
    size_t len = 0;
    while (st == MTP_OK) {
        st = mtp_reader_next_line(r, &line, &len);
        if (st == MTP_OK) {
            st = add_cluster_line(w, r, line, len, err);
        } else if (st == MTP_ERR_LIMIT) {
            st = mtp_error_set(err, MTP_ERR_INPUT, "%s: line too long", mtp_reader_where(r));
        } else if (st != MTP_END) {
            st = read_failed(r, st, err);
        }
    }
    if (st == MTP_END) {
        w->clusters_source.lines = mtp_reader_line_number(r);
        st = MTP_OK;
    }
    mtp_reader_close(r);
    return st;
}

/* Adds a tagged key held by exclude file `file_index`. */
static mtp_status add_exclude_key(corpus_writer *w, uint64_t key, size_t file_index, mtp_error *err)
{
    uint64_t *files = NULL;
    int added = 0;
    const mtp_status st = map_upsert(&w->excluded, key, &files, &added);
    if (st != MTP_OK) {
        return map_full(st, "the exclude table", w->opts.mem_bytes, err);
    }
    *files |= UINT64_C(1) << file_index;
    return MTP_OK;
}

/* An exclude line that is too long (skipped) or not UTF-8 (kept by its exact
 * key only) goes through the policy; skip counts it at creation's end. */
static mtp_status bad_exclude_line(corpus_writer *w, mtp_reader *r, const char *what,
                                   mtp_error *err)
{
    if (w->opts.on_error == MTP_ON_ERROR_FAIL) {
        return mtp_error_set(err, MTP_ERR_INPUT, "%s: exclude line %s", mtp_reader_where(r), what);
    }
    w->exclude_bad_lines++;
    return MTP_OK;
}

/* The exact and loose keys of one exclude line (a trailing CR dropped; an
 * empty line has none). */
static mtp_status add_exclude_line(corpus_writer *w, mtp_reader *r, const char *line, size_t len,
                                   size_t file_index, mtp_error *err)
{
    if (len > 0 && line[len - 1] == '\r') {
        len--;
    }
    if (len == 0) {
        return MTP_OK;
    }
    const mtp_str text = {line, len};
    mtp_status st = add_exclude_key(w, tag_exact(mtp_key_exact(text)), file_index, err);
    uint64_t loose = 0;
    uint64_t head = 0;
    if (st == MTP_OK) {
        st = mtp_key_loose_with_head(text, &w->scratch, &loose, &head);
        if (st == MTP_ERR_INPUT) {
            return bad_exclude_line(w, r, "is not valid UTF-8", err);
        }
        if (st != MTP_OK) {
            return mtp_error_set(err, st, "out of memory");
        }
        st = add_exclude_key(w, tag_loose(loose), file_index, err);
        note_loose_head(w, head);
    }
    return st;
}

/* Reads one exclude file (plain, .zst or .gz) as w->excludes[file_index]. */
static mtp_status read_exclude_file(corpus_writer *w, size_t file_index, mtp_error *err)
{
    mtp_manifest_source *src = &w->excludes[file_index];
    mtp_reader *r = NULL;
    mtp_status st = mtp_reader_open(src->path, NULL, MTP_DEFAULT_MAX_LINE_BYTES, &r, err);
    const char *line = NULL;
    size_t len = 0;
    while (st == MTP_OK) {
        st = mtp_reader_next_line(r, &line, &len);
        if (st == MTP_OK) {
            st = add_exclude_line(w, r, line, len, file_index, err);
        } else if (st == MTP_ERR_LIMIT) {
            st = bad_exclude_line(w, r, "is too long", err);
        } else if (st != MTP_END) {
            st = read_failed(r, st, err);
        }
    }
    if (st == MTP_END) {
        src->lines = mtp_reader_line_number(r);
        st = MTP_OK;
    }
    mtp_reader_close(r);
    return st;
}

/* Appends an exclude file (DIR/NAME when `name` is not NULL) and reads it. */
static mtp_status load_exclude_file(corpus_writer *w, const char *dir, const char *name,
                                    mtp_error *err)
{
    if (w->exclude_count >= MTP_WRITE_MAX_EXCLUDE_FILES) {
        return mtp_error_set(err, MTP_ERR_USAGE, "more than %d exclude files",
                             MTP_WRITE_MAX_EXCLUDE_FILES);
    }
    char path[PATH_CAPACITY];
    const size_t dir_len = strlen(dir);
    const char *sep = dir_len > 0 && dir[dir_len - 1] == '/' ? "" : "/";
    const int n = name != NULL ? snprintf(path, sizeof path, "%s%s%s", dir, sep, name)
                               : snprintf(path, sizeof path, "%s", dir);
    if (n < 0 || (size_t)n >= sizeof path) {
        return mtp_error_set(err, MTP_ERR_USAGE, "%s: exclude path too long", dir);
    }
    const size_t index = w->exclude_count++;
    const mtp_status st = source_init(&w->excludes[index], path, err);
    return st == MTP_OK ? read_exclude_file(w, index, err) : st;
}

/* A corpus file of the languages write writes: NAME.LANG.zst or NAME.TGT.zst. */
static int is_corpus_text_name(const corpus_writer *w, const char *name)
{
    char suffix[LANG_MAX_BYTES + 8];
    for (int side = 0; side < w->sides; side++) {
        snprintf(suffix, sizeof suffix, ".%s.zst", side == 0 ? w->opts.lang : w->opts.tgt_lang);
        const size_t len = strlen(name);
        const size_t suffix_len = strlen(suffix);
        if (name[0] != '.' && len > suffix_len && strcmp(name + len - suffix_len, suffix) == 0 &&
            len < MTP_FILE_NAME_CAPACITY) {
            return 1;
        }
    }
    return 0;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(a, b);
}

/* The corpus text names in DIR, sorted bytewise, into names[][CAPACITY]. */
static mtp_status list_corpus_dir(const corpus_writer *w, const char *dir,
                                  char (*names)[MTP_FILE_NAME_CAPACITY], size_t *count,
                                  mtp_error *err)
{
    DIR *d = opendir(dir);
    if (d == NULL) {
        return mtp_error_set(err, MTP_ERR_IO, "%s: cannot list: %s", dir, strerror(errno));
    }
    *count = 0;
    const struct dirent *e = NULL;
    while ((e = readdir(d)) != NULL && *count < MTP_WRITE_MAX_EXCLUDE_FILES + 1) {
        const size_t len = strlen(e->d_name);
        if (len < MTP_FILE_NAME_CAPACITY && is_corpus_text_name(w, e->d_name)) {
            memcpy(names[(*count)++], e->d_name, len + 1); /* longer names are no corpus file */
        }
    }
    closedir(d);
    qsort(names, *count, sizeof names[0], compare_names);
    if (*count == 0) {
        return mtp_error_set(err, MTP_ERR_USAGE, "%s: a directory without corpus text files", dir);
    }
    return MTP_OK;
}

/* Every *.LANG.zst and *.TGT.zst file of a corpus directory, by name. */
static mtp_status load_exclude_dir(corpus_writer *w, const char *dir, mtp_error *err)
{
    char(*names)[MTP_FILE_NAME_CAPACITY] =
        mtp_malloc((MTP_WRITE_MAX_EXCLUDE_FILES + 1) * sizeof *names);
    if (names == NULL) {
        return mtp_error_set(err, MTP_ERR_NOMEM, "out of memory");
    }
    size_t count = 0;
    mtp_status st = list_corpus_dir(w, dir, names, &count, err);
    for (size_t i = 0; st == MTP_OK && i < count; i++) {
        st = load_exclude_file(w, dir, names[i], err);
    }
    mtp_free(names);
    return st;
}

static mtp_status load_excludes(corpus_writer *w, mtp_error *err)
{
    w->excluded.max_bytes = w->opts.mem_bytes - map_bytes(&w->clusters);
    if (w->opts.exclude_path_count == 0) {
        return MTP_OK;
    }
    w->excludes = mtp_calloc(MTP_WRITE_MAX_EXCLUDE_FILES, sizeof *w->excludes);
    if (w->excludes == NULL) {
        return mtp_error_set(err, MTP_ERR_NOMEM, "out of memory");
    }
    mtp_status st = MTP_OK;
    for (size_t i = 0; st == MTP_OK && i < w->opts.exclude_path_count; i++) {
        const char *path = w->opts.exclude_paths[i];
        struct stat sb;
        const int is_dir = stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
        st = is_dir ? load_exclude_dir(w, path, err) : load_exclude_file(w, path, NULL, err);
    }
    return st;
}

/* Files and keys beyond this point would pass mem_bytes: what is left of
 * it after the clusters and the excludes goes to the held-out set. */
static mtp_status init_state(corpus_writer *w, mtp_error *err)
{
    const size_t used = map_bytes(&w->clusters) + map_bytes(&w->excluded);
    mtp_status st = mtp_keyset_init(&w->heldout, w->opts.mem_bytes - used);
    if (st != MTP_OK) {
        return mtp_error_set(err, st, "cannot make the dev/test key table (%s)%s",
                             mtp_status_str(st), st == MTP_ERR_LIMIT ? "; raise --mem" : "");
    }
    w->input_sha = EVP_MD_CTX_new();
    if (w->input_sha == NULL || EVP_DigestInit_ex(w->input_sha, EVP_sha256(), NULL) != 1) {
        return mtp_error_set(err, MTP_ERR_NOMEM, "cannot start the input digest");
    }
    return MTP_OK;
}

static void corpus_writer_destroy(void *self)
{
    corpus_writer *w = self;
    if (w == NULL) {
        return;
    }
    for (int i = 0; i < FILE_COUNT; i++) {
        mtp_writer_free(w->files[i]); /* removes uncommitted temporaries */
    }
    mtp_writer_free(w->spool);
    mtp_reader_close(w->spool_reader);
    if (w->spool_committed) {
        unlink(w->spool_path);
    }
    mtp_keyset_release(&w->heldout);
    mtp_free(w->loose_heads);
    map_release(&w->clusters);
    map_release(&w->excluded);
    mtp_free(w->clusters_source.path);
    for (size_t i = 0; i < w->exclude_count; i++) {
        mtp_free(w->excludes[i].path);
    }
    mtp_free(w->excludes);
    mtp_key_scratch_release(&w->scratch);
    EVP_MD_CTX_free(w->input_sha);
    mtp_buf_release(&w->line);
    mtp_free(w->counts);
    mtp_free(w);
}

/* ======================================================================== */
/* Feeding                                                                  */
/* ======================================================================== */

/* Reports a corpus file's sticky failure (MTP_ERR_IO, or MTP_ERR_NOMEM / MTP_ERR_CODEC). */
static mtp_status writer_failed(mtp_stage *stage, mtp_writer *f, mtp_status st)
{
    return mtp_error_set(&stage->error, st, "%s", mtp_writer_error(f));
}

/* A text whose loose key cannot be computed goes through the policy. */
static mtp_status bad_text(mtp_stage *stage, const mtp_record *rec)
{
    char where[256];
    snprintf(where, sizeof where, "doc %.*s unit %.*s",
             (int)(rec->doc_id.len > 160 ? 160 : rec->doc_id.len), rec->doc_id.ptr,
             (int)(rec->unit.len > 40 ? 40 : rec->unit.len), rec->unit.ptr);
    const corpus_writer *w = stage->self;
    return mtp_policy_bad_input(w->opts.on_error, &stage->counts, &stage->error, where,
                                "invalid_utf8", NULL);
}

/* Serialises the record into w->line, as the record module writes it, and
 * adds it to the input digest. */
static mtp_status hash_input(corpus_writer *w, const mtp_record *rec)
{
    const size_t need = mtp_record_formatted_len(rec);
    mtp_buf_clear(&w->line);
    const mtp_status st = mtp_buf_reserve(&w->line, need);
    if (st != MTP_OK) {
        return st;
    }
    w->line.len = mtp_record_format(rec, w->line.data);
    EVP_DigestUpdate(w->input_sha, w->line.data, w->line.len);
    w->input_records++;
    return MTP_OK;
}

static mtp_str side_text(const mtp_record *rec, int side)
{
    return side == 0 ? rec->text : rec->tgt;
}

/* The tagged exact keys of every side's text into keys[0 .. sides). */
static void exact_keys(const corpus_writer *w, const mtp_record *rec, uint64_t keys[])
{
    for (int side = 0; side < w->sides; side++) {
        keys[side] = tag_exact(mtp_key_exact(side_text(rec, side)));
    }
}

/* The tagged loose keys of every side's text into keys[0 .. sides), and
 * their heads into heads[0 .. sides). Returns MTP_OK, MTP_ERR_INPUT (no loose
 * key: invalid UTF-8) or MTP_ERR_NOMEM. */
static mtp_status loose_keys(corpus_writer *w, const mtp_record *rec, uint64_t keys[],
                             uint64_t heads[])
{
    mtp_status st = MTP_OK;
    for (int side = 0; side < w->sides && st == MTP_OK; side++) {
        st = mtp_key_loose_with_head(side_text(rec, side), &w->scratch, &keys[side], &heads[side]);
        keys[side] = tag_loose(keys[side]);
    }
    return st;
}

/* Whether a side's text of `rec` may share its loose key with a dev/test or
 * excluded text: its head is among theirs (or cannot be computed, which the
 * loose key then reports). */
static int may_share_loose_key(corpus_writer *w, const mtp_record *rec)
{
    for (int side = 0; side < w->sides; side++) {
        uint64_t head = 0;
        if (mtp_key_loose_head(side_text(rec, side), &w->scratch, &head) != MTP_OK ||
            has_loose_head(w, head)) {
            return 1;
        }
    }
    return 0;
}

/* The exclude files holding any of the keys, as a bit set (0: none). */
static uint64_t excluded_by(const corpus_writer *w, const uint64_t keys[])
{
    uint64_t files = 0;
    for (int side = 0; side < w->sides; side++) {
        const uint64_t *found = map_get(&w->excluded, keys[side]);
        files |= found != NULL ? *found : 0;
    }
    return files;
}

static int heldout_has(const corpus_writer *w, const uint64_t keys[])
{
    for (int side = 0; side < w->sides; side++) {
        if (mtp_keyset_contains(&w->heldout, keys[side])) {
            return 1;
        }
    }
    return 0;
}

/* Drops a record that exclude files `files` match, crediting each file. */
static mtp_status drop_excluded(mtp_stage *stage, corpus_writer *w, const char *reason,
                                uint64_t files)
{
    for (size_t i = 0; i < w->exclude_count; i++) {
        w->excludes[i].matched += (files >> i) & 1;
    }
    mtp_counts_drop(&stage->counts, reason, 1);
    return MTP_OK;
}

/* An exact exclude match: the loose keys may match more files, which the
 * manifest credits too (a text without a loose key credits the exact ones). */
static mtp_status drop_excluded_exact(mtp_stage *stage, corpus_writer *w, const mtp_record *rec,
                                      uint64_t files)
{
    uint64_t loose[SIDE_COUNT], heads[SIDE_COUNT];
    const mtp_status st = loose_keys(w, rec, loose, heads);
    if (st == MTP_ERR_NOMEM) {
        return mtp_error_set(&stage->error, st, "out of memory");
    }
    if (st == MTP_OK) {
        files |= excluded_by(w, loose);
    }
    return drop_excluded(stage, w, "excluded_exact", files);
}

/* Appends every side's text to its file of `split`; counts the record out. */
static mtp_status put_sides(mtp_stage *stage, corpus_writer *w, mtp_corpus_split split,
                            const mtp_record *rec)
{
    for (int side = 0; side < w->sides; side++) {
        mtp_writer *f = w->files[text_file(split, side)];
        const mtp_str text = side_text(rec, side);
        const mtp_status st = mtp_writer_put_line(f, text.ptr, text.len);
        if (st != MTP_OK) {
            return writer_failed(stage, f, st);
        }
    }
    mtp_counts_add(&stage->counts, "out", 1);
    return MTP_OK;
}

/* Adds the record's keys to the held-out set, and its loose keys' heads. */
static mtp_status hold_out(mtp_stage *stage, corpus_writer *w, const uint64_t exact[],
                           const uint64_t loose[], const uint64_t heads[])
{
    mtp_status st = MTP_OK;
    for (int side = 0; side < w->sides && st == MTP_OK; side++) {
        int added = 0;
        st = mtp_keyset_add(&w->heldout, exact[side], &added);
        if (st == MTP_OK) {
            st = mtp_keyset_add(&w->heldout, loose[side], &added);
        }
        if (st == MTP_OK) {
            note_loose_head(w, heads[side]);
        }
    }
    if (st == MTP_ERR_LIMIT) {
        return mtp_error_set(&stage->error, st,
                             "the dev/test key table would exceed %zu bytes; raise --mem",
                             w->opts.mem_bytes);
    }
    return st == MTP_OK ? MTP_OK : mtp_error_set(&stage->error, st, "out of memory");
}

/* A dev/test record: dropped when excluded, else held out and written. */
static mtp_status put_heldout(mtp_stage *stage, corpus_writer *w, mtp_corpus_split split,
                              const mtp_record *rec)
{
    uint64_t exact[SIDE_COUNT], loose[SIDE_COUNT], heads[SIDE_COUNT];
    exact_keys(w, rec, exact);
    mtp_status st = loose_keys(w, rec, loose, heads);
    if (st == MTP_ERR_INPUT) {
        return bad_text(stage, rec);
    }
    if (st != MTP_OK) {
        return mtp_error_set(&stage->error, st, "out of memory");
    }
    const uint64_t by_exact = excluded_by(w, exact);
    const uint64_t by_loose = excluded_by(w, loose);
    if (by_exact != 0) {
        return drop_excluded(stage, w, "excluded_exact", by_exact | by_loose);
    }
    if (by_loose != 0) {
        return drop_excluded(stage, w, "excluded_loose", by_loose);
    }
    st = hold_out(stage, w, exact, loose, heads);
    return st == MTP_OK ? put_sides(stage, w, split, rec) : st;
}

/* The record's split: by its cluster id's hash when the clusters file moved
 * it, else by its doc_id's. */
static mtp_corpus_split record_split(mtp_stage *stage, const corpus_writer *w, mtp_str doc_id)
{
    const uint64_t *cluster = map_get(&w->clusters, w->clusters.count > 0 ? doc_key(doc_id) : 1);
    if (cluster != NULL) {
        mtp_counts_add(&stage->counts, "moved_by_cluster", 1);
    }
    const uint64_t h = cluster != NULL ? *cluster : split_hash(doc_id);
    return split_of_hash(h, w->opts.dev_ratio, w->opts.test_ratio);
}

/* Appends the record serialised in w->line to the spool. */
static mtp_status spool_record(mtp_stage *stage, corpus_writer *w)
{
    const mtp_status st = mtp_writer_write(w->spool, w->line.data, w->line.len);
    if (st != MTP_OK) {
        return writer_failed(stage, w->spool, st);
    }
    if (w->line.len > w->longest_record_bytes) {
        w->longest_record_bytes = w->line.len;
    }
    return MTP_OK;
}

static mtp_status write_feed(mtp_stage *stage, const mtp_record *rec, const mtp_sink *out)
{
    (void)out; /* write emits nothing */
    corpus_writer *w = stage->self;
    const mtp_record_kind want = w->sides == 2 ? MTP_RECORD_PAIR : MTP_RECORD_UNIT;
    if (rec->kind != want) {
        return mtp_error_set(
            &stage->error, MTP_ERR_USAGE, "doc %.*s unit %.*s: a %s record, but write %s",
            (int)rec->doc_id.len, rec->doc_id.ptr, (int)rec->unit.len, rec->unit.ptr,
            rec->kind == MTP_RECORD_PAIR ? "pair" : "unit",
            want == MTP_RECORD_PAIR ? "was given a target language and takes pair records"
                                    : "takes unit records unless given a target language");
    }
    if (hash_input(w, rec) != MTP_OK) {
        return mtp_error_set(&stage->error, MTP_ERR_NOMEM, "out of memory");
    }
    const mtp_corpus_split split = record_split(stage, w, rec->doc_id);
    if (split == MTP_SPLIT_TRAIN) {
        /* Checked here, under the policy: the spool is re-read as trusted records. */
        const int valid = mtp_utf8_is_valid(rec->text.ptr, rec->text.len) &&
                          (w->sides == 1 || mtp_utf8_is_valid(rec->tgt.ptr, rec->tgt.len));
        return valid ? spool_record(stage, w) : bad_text(stage, rec);
    }
    return put_heldout(stage, w, split, rec);
}

/* ======================================================================== */
/* Finishing                                                                */
/* ======================================================================== */

/* Commits file `index` and records its lines, bytes and digest. */
static mtp_status commit_file(mtp_stage *stage, corpus_writer *w, int index)
{
    mtp_writer *f = w->files[index];
    const mtp_status st = mtp_writer_commit(f);
    if (st != MTP_OK) {
        return writer_failed(stage, f, st);
    }
    mtp_manifest_file *e = &w->entries[index];
    e->lines = mtp_writer_lines(f);
    e->bytes = mtp_writer_file_bytes(f);
    memcpy(e->sha256, mtp_writer_sha256(f), sizeof e->sha256);
    return MTP_OK;
}

static mtp_status commit_split(mtp_stage *stage, corpus_writer *w, mtp_corpus_split split)
{
    mtp_status st = MTP_OK;
    for (int side = 0; side < w->sides && st == MTP_OK; side++) {
        st = commit_file(stage, w, text_file(split, side));
    }
    return st;
}

/* Closes the spool and opens it again for reading. */
static mtp_status reopen_spool(mtp_stage *stage, corpus_writer *w)
{
    const mtp_status st = mtp_writer_commit(w->spool);
    if (st != MTP_OK) {
        return writer_failed(stage, w->spool, st);
    }
    w->spool_committed = 1;
    mtp_writer_free(w->spool);
    w->spool = NULL;
    const size_t limit = w->longest_record_bytes < 4096 ? 4096 : w->longest_record_bytes + 1;
    return mtp_reader_open(w->spool_path, "train spool", limit, &w->spool_reader, &stage->error);
}

static mtp_status open_train_files(mtp_stage *stage, corpus_writer *w)
{
    mtp_status st = open_text_files(w, MTP_SPLIT_TRAIN, &stage->error);
    if (st == MTP_OK) {
        mtp_manifest_file *e = &w->entries[FILE_META];
        snprintf(e->name, sizeof e->name, "train.meta.tsv.zst");
        st = open_file(w, e->name, w->opts.zstd_level, 1, split_workers(w, MTP_SPLIT_TRAIN),
                       &w->files[FILE_META], &stage->error);
    }
    return st;
}

/* doc_id TAB unit, or for pairs doc_id TAB units TAB score, into the
 * reused line buffer. The score has four decimals, as in the record. */
static mtp_status put_meta(mtp_stage *stage, corpus_writer *w, const mtp_record *rec)
{
    mtp_buf_clear(&w->line);
    mtp_status st = mtp_buf_append(&w->line, rec->doc_id.ptr, rec->doc_id.len);
    if (st == MTP_OK) {
        st = mtp_buf_append_byte(&w->line, '\t');
    }
    if (st == MTP_OK) {
        st = mtp_buf_append(&w->line, rec->unit.ptr, rec->unit.len);
    }
    if (st == MTP_OK && w->sides == 2) { /* formatted only here: units carry no score */
        char score[16];
        const int score_len = snprintf(score, sizeof score, "\t%.4f", rec->score);
        st = mtp_buf_append(&w->line, score, (size_t)score_len);
    }
    if (st != MTP_OK) {
        return mtp_error_set(&stage->error, st, "out of memory");
    }
    mtp_writer *meta = w->files[FILE_META];
    st = mtp_writer_put_line(meta, w->line.data, w->line.len);
    return st == MTP_OK ? MTP_OK : writer_failed(stage, meta, st);
}

static mtp_status write_train(mtp_stage *stage, corpus_writer *w, const mtp_record *rec)
{
    const mtp_status st = put_sides(stage, w, MTP_SPLIT_TRAIN, rec);
    return st == MTP_OK ? put_meta(stage, w, rec) : st;
}

/* A train record: exact keys first, excluded then held out; the loose keys
 * only when neither matched and a head says one may (may_share_loose_key).
 * Its UTF-8 was checked at feed, before it was spooled. */
static mtp_status put_train(mtp_stage *stage, corpus_writer *w, const mtp_record *rec)
{
    uint64_t exact[SIDE_COUNT], loose[SIDE_COUNT], heads[SIDE_COUNT];
    exact_keys(w, rec, exact);
    const uint64_t by_exact = excluded_by(w, exact);
    if (by_exact != 0) {
        return drop_excluded_exact(stage, w, rec, by_exact);
    }
    if (heldout_has(w, exact)) {
        mtp_counts_drop(&stage->counts, "cross_split_exact", 1);
        return MTP_OK;
    }
    if (!w->any_loose_key || !may_share_loose_key(w, rec)) {
        return write_train(stage, w, rec);
    }
    const mtp_status st = loose_keys(w, rec, loose, heads);
    if (st == MTP_ERR_INPUT) {
        return bad_text(stage, rec);
    }
    if (st != MTP_OK) {
        return mtp_error_set(&stage->error, st, "out of memory");
    }
    const uint64_t by_loose = excluded_by(w, loose);
    if (by_loose != 0) {
        return drop_excluded(stage, w, "excluded_loose", by_loose);
    }
    if (heldout_has(w, loose)) {
        mtp_counts_drop(&stage->counts, "cross_split_loose", 1);
        return MTP_OK;
    }
    return write_train(stage, w, rec);
}

/* Re-reads the spool into train.LANG.zst and train.meta.tsv.zst. */
static mtp_status filter_train(mtp_stage *stage, corpus_writer *w)
{
    mtp_status st = reopen_spool(stage, w);
    if (st == MTP_OK) {
        st = open_train_files(stage, w);
    }
    mtp_record rec;
    while (st == MTP_OK) {
        st = mtp_reader_next_record(w->spool_reader, MTP_ON_ERROR_FAIL, &stage->counts, &rec,
                                    &stage->error);
        if (st == MTP_OK) {
            st = put_train(stage, w, &rec);
        }
    }
    if (st != MTP_END) {
        return st;
    }
    mtp_reader_close(w->spool_reader);
    w->spool_reader = NULL;
    unlink(w->spool_path);
    w->spool_committed = 0;
    return MTP_OK;
}

static mtp_status write_manifest(mtp_stage *stage, corpus_writer *w)
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    if (EVP_DigestFinal_ex(w->input_sha, digest, &len) != 1 || len != 32) {
        return mtp_error_set(&stage->error, MTP_ERR_IO, "input digest failed");
    }
    char hex[MTP_SHA256_HEX_CAPACITY];
    for (unsigned i = 0; i < len; i++) {
        snprintf(hex + 2 * i, 3, "%02x", digest[i]);
    }
    for (size_t i = 0; i < w->opts.upstream_count; i++) {
        w->counts[i] = w->opts.upstream[i]; /* final now: build snapshots them before finish */
    }
    w->counts[w->counts_count] = stage->counts;
    mtp_manifest_file listed[FILE_COUNT];
    size_t listed_count = 0;
    for (int i = 0; i < FILE_COUNT; i++) {
        if (w->entries[i].name[0] != '\0') { /* unnamed: the target side of a unit corpus */
            listed[listed_count++] = w->entries[i];
        }
    }
    const mtp_manifest m = {.opts = &w->opts,
                            .input_records = w->input_records,
                            .input_sha256 = hex,
                            .files = listed,
                            .file_count = listed_count,
                            .counts = w->counts,
                            .counts_count = w->counts_count + 1,
                            .clusters =
                                w->clusters_source.path != NULL ? &w->clusters_source : NULL,
                            .excludes = w->excludes,
                            .exclude_count = w->exclude_count};
    return mtp_manifest_write(w->opts.out_dir, &m, &stage->error);
}

static mtp_status write_finish(mtp_stage *stage, const mtp_sink *out)
{
    (void)out;
    corpus_writer *w = stage->self;
    mtp_status st = commit_split(stage, w, MTP_SPLIT_DEV);
    if (st == MTP_OK) {
        st = commit_split(stage, w, MTP_SPLIT_TEST);
    }
    if (st == MTP_OK) {
        st = filter_train(stage, w);
    }
    if (st == MTP_OK) {
        st = commit_split(stage, w, MTP_SPLIT_TRAIN);
    }
    if (st == MTP_OK) {
        st = commit_file(stage, w, FILE_META);
    }
    return st == MTP_OK ? write_manifest(stage, w) : st;
}

static const mtp_stage_ops ops = {"write", write_feed, write_finish, corpus_writer_destroy};

mtp_status mtp_write_new(const mtp_write_options *opts, mtp_stage **out, mtp_error *err)
{
    *out = NULL;
    mtp_status st = check_options(opts, err);
    if (st != MTP_OK) {
        return st;
    }
    corpus_writer *w = mtp_calloc(1, sizeof *w);
    if (w != NULL) {
        w->loose_heads = mtp_calloc(LOOSE_HEAD_BITS / 64, sizeof *w->loose_heads);
    }
    if (w == NULL || w->loose_heads == NULL) {
        mtp_free(w);
        return mtp_error_set(err, MTP_ERR_NOMEM, "out of memory");
    }
    w->opts = *opts;
    w->sides = opts->tgt_lang != NULL ? 2 : 1;
    st = load_upstream(w, err);
    if (st == MTP_OK) {
        st = prepare_dir(w->opts.out_dir, err);
    }
    if (st == MTP_OK) {
        st = load_clusters(w, err);
    }
    if (st == MTP_OK) {
        st = load_excludes(w, err);
    }
    if (st == MTP_OK) {
        st = init_state(w, err);
    }
    if (st == MTP_OK) {
        st = open_outputs(w, err);
    }
    if (st != MTP_OK) {
        corpus_writer_destroy(w);
        return st;
    }
    const uint64_t bad_lines = w->exclude_bad_lines;
    st = mtp_stage_create(&ops, w, out);
    if (st != MTP_OK) {
        return mtp_error_set(err, st, "out of memory");
    }
    if (bad_lines > 0) {
        mtp_counts_add(&(*out)->counts, "exclude_bad_lines", bad_lines);
    }
    return MTP_OK;
}
