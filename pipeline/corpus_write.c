/* write: the last stage, which turns a record stream into a corpus directory.
 *
 * Algorithm. Every document goes whole to one split, chosen by a seeded
 * XXH3-64 of its doc_id (mtp_corpus_split_of), so the choice depends on
 * nothing but the doc_id and is the same in every run and every shard. A
 * dev/test record's text is written at once to dev.LANG.zst or test.LANG.zst
 * and its exact and loose keys (dedup.h) go into one key set. Train records
 * cannot be judged yet, since a dev/test document may come later in the
 * stream, so they are spooled whole (zstd level 1) to a temporary file inside
 * OUT. At finish the spool is re-read: a train text whose exact or loose key
 * is held out is dropped ("dropped.cross_split"); the rest go to
 * train.LANG.zst with "doc_id TAB unit" in train.meta.tsv.zst. Both key
 * kinds share one set: they are XXH3-64 of bytes either way, and a train text
 * equal to some held-out text's loose form has that same loose key itself.
 * Then MANIFEST.json and SHA256SUMS (manifest.c).
 *
 * Counting: write emits nothing; a record written to a corpus file counts
 * as "out" (dev/test at feed, train at finish), so in = out + dropped.
 *
 * Pairs (tgt_lang set): the same with two text files per split, source and
 * target, line-aligned, and "doc_id TAB units TAB score" as metadata; the
 * keys of both sides are held out, and a train pair is dropped when either
 * side matches.
 *
 * Standard: the files follow the corpus directory of the design (one text
 * per line, LF, zstd frames with checksums, SHA256SUMS in the GNU coreutils
 * format).
 *
 * Memory: the key set (16 bytes per dev/test text and side, at most
 * mem_bytes), a zstd context per corpus file (up to seven) and the spool's,
 * the longest record twice (spool reader, format buffer). Nothing is
 * allocated per record in steady state.
 */
#include "mtprep/corpus.h"

#include <errno.h>
#include <openssl/evp.h>
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
#define SPOOL_ZSTD_LEVEL 1
#define LANG_MAX_BYTES 15

/* Corpus files: a text file per split and side (source, then target for
 * pairs), then the train metadata. */
enum { SIDE_COUNT = 2, FILE_META = MTP_SPLIT_COUNT * SIDE_COUNT, FILE_COUNT };

static int text_file(mtp_corpus_split split, int side)
{
    return (int)split * SIDE_COUNT + side;
}

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
    mtp_keyset heldout;          /* exact and loose keys of dev/test texts */
    mtp_key_scratch scratch;     /* loose-key workspace */
    EVP_MD_CTX *input_sha;       /* over the serialised input records */
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

mtp_corpus_split mtp_corpus_split_of(mtp_str doc_id, double dev_ratio, double test_ratio)
{
    const uint64_t h = XXH3_64bits_withSeed(doc_id.ptr, doc_id.len, MTP_SPLIT_SEED);
    const double u = (double)(h >> 11) * 0x1.0p-53; /* exact, in [0,1) */
    if (u < dev_ratio) {
        return MTP_SPLIT_DEV;
    }
    return u < dev_ratio + test_ratio ? MTP_SPLIT_TEST : MTP_SPLIT_TRAIN;
}

void mtp_write_options_default(mtp_write_options *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->lang = "id";
    opts->dev_ratio = 0.01;
    opts->test_ratio = 0.01;
    opts->zstd_level = 3;
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

/* Creates OUT if missing; removes an old manifest and checksums first, so
 * that whatever happens next, OUT never looks like a complete corpus made
 * of old and new files. */
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
    return st;
}

/* Opens OUT/NAME (temporary name until commit) and fills in the entry name. */
static mtp_status open_file(corpus_writer *w, const char *name, int level, mtp_writer **out,
                            mtp_error *err)
{
    char path[PATH_CAPACITY];
    snprintf(path, sizeof path, "%s/%s", w->opts.out_dir, name);
    const mtp_writer_options wopts = {level, 1};
    char msg[MTP_ERROR_CAPACITY] = "";
    const mtp_status st = mtp_writer_open(path, &wopts, out, msg, sizeof msg);
    return st == MTP_OK ? MTP_OK : mtp_error_set(err, st, "%s", msg);
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
        st = open_file(w, e->name, w->opts.zstd_level, &w->files[index], err);
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
        st = open_file(w, SPOOL_NAME, SPOOL_ZSTD_LEVEL, &w->spool, err);
    }
    return st;
}

static mtp_status init_state(corpus_writer *w, mtp_error *err)
{
    mtp_status st = mtp_keyset_init(&w->heldout, w->opts.mem_bytes);
    if (st != MTP_OK) {
        return mtp_error_set(err, st, "cannot make the dev/test key table (%s)",
                             mtp_status_str(st));
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

/* The exact and loose keys of every side's text into keys[0 .. 2 * sides).
 * Returns MTP_OK, MTP_ERR_INPUT (no loose key: invalid UTF-8) or MTP_ERR_NOMEM. */
static mtp_status record_keys(corpus_writer *w, const mtp_record *rec, uint64_t keys[])
{
    mtp_status st = MTP_OK;
    for (int side = 0; side < w->sides && st == MTP_OK; side++) {
        const mtp_str text = side_text(rec, side);
        keys[2 * side] = mtp_key_exact(text);
        st = mtp_key_loose(text, &w->scratch, &keys[2 * side + 1]);
    }
    return st;
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

static mtp_status put_heldout(mtp_stage *stage, corpus_writer *w, mtp_corpus_split split,
                              const mtp_record *rec)
{
    uint64_t keys[2 * SIDE_COUNT];
    mtp_status st = record_keys(w, rec, keys);
    if (st == MTP_ERR_INPUT) {
        return bad_text(stage, rec);
    }
    for (int i = 0; st == MTP_OK && i < 2 * w->sides; i++) {
        int added = 0;
        st = mtp_keyset_add(&w->heldout, keys[i], &added);
    }
    if (st == MTP_ERR_LIMIT) {
        return mtp_error_set(&stage->error, st,
                             "the dev/test key table would exceed %zu bytes; raise --mem",
                             w->opts.mem_bytes);
    }
    if (st != MTP_OK) {
        return mtp_error_set(&stage->error, st, "out of memory");
    }
    return put_sides(stage, w, split, rec);
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
    const mtp_corpus_split split =
        mtp_corpus_split_of(rec->doc_id, w->opts.dev_ratio, w->opts.test_ratio);
    if (split == MTP_SPLIT_TRAIN) {
        return spool_record(stage, w);
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
        st = open_file(w, e->name, w->opts.zstd_level, &w->files[FILE_META], &stage->error);
    }
    return st;
}

/* doc_id TAB unit, or for pairs doc_id TAB units TAB score, into the
 * reused line buffer. The score has four decimals, as in the record. */
static mtp_status put_meta(mtp_stage *stage, corpus_writer *w, const mtp_record *rec)
{
    char score[16];
    const int score_len = snprintf(score, sizeof score, "\t%.4f", rec->score);
    mtp_buf_clear(&w->line);
    mtp_status st = mtp_buf_append(&w->line, rec->doc_id.ptr, rec->doc_id.len);
    if (st == MTP_OK) {
        st = mtp_buf_append_byte(&w->line, '\t');
    }
    if (st == MTP_OK) {
        st = mtp_buf_append(&w->line, rec->unit.ptr, rec->unit.len);
    }
    if (st == MTP_OK && w->sides == 2) {
        st = mtp_buf_append(&w->line, score, (size_t)score_len);
    }
    if (st != MTP_OK) {
        return mtp_error_set(&stage->error, st, "out of memory");
    }
    mtp_writer *meta = w->files[FILE_META];
    st = mtp_writer_put_line(meta, w->line.data, w->line.len);
    return st == MTP_OK ? MTP_OK : writer_failed(stage, meta, st);
}

static mtp_status put_train(mtp_stage *stage, corpus_writer *w, const mtp_record *rec)
{
    uint64_t keys[2 * SIDE_COUNT];
    mtp_status st = record_keys(w, rec, keys);
    if (st == MTP_ERR_INPUT) {
        return bad_text(stage, rec);
    }
    if (st != MTP_OK) {
        return mtp_error_set(&stage->error, st, "out of memory");
    }
    for (int i = 0; i < 2 * w->sides; i++) {
        if (mtp_keyset_contains(&w->heldout, keys[i])) {
            mtp_counts_drop(&stage->counts, "cross_split", 1);
            return MTP_OK;
        }
    }
    st = put_sides(stage, w, MTP_SPLIT_TRAIN, rec);
    return st == MTP_OK ? put_meta(stage, w, rec) : st;
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
                            .counts_count = w->counts_count + 1};
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
    if (w == NULL) {
        return mtp_error_set(err, MTP_ERR_NOMEM, "out of memory");
    }
    w->opts = *opts;
    w->sides = opts->tgt_lang != NULL ? 2 : 1;
    st = load_upstream(w, err);
    if (st == MTP_OK) {
        st = prepare_dir(w->opts.out_dir, err);
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
    st = mtp_stage_create(&ops, w, out);
    return st == MTP_OK ? MTP_OK : mtp_error_set(err, st, "out of memory");
}
