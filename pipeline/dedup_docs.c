/* dedup --docs: drops near-duplicate documents, keeping the first document
 * of each cluster in input order.
 *
 * Algorithm (MinHash with LSH banding, Broder 1997; Leskovec, Rajaraman and
 * Ullman, "Mining of Massive Datasets", ch. 3):
 *   1. Records of one doc_id arrive consecutively; they are buffered and
 *      their text folded into a MinHash signature (pipeline/minhash.c:
 *      lower-cased words, punctuation stripped, shingles of
 *      --shingle-words words inside each paragraph, 128 values, fixed seeds).
 *   2. When the doc_id changes (or at finish) the signature's 32 band keys
 *      (4 values each) are looked up in the index of earlier documents. A
 *      candidate is confirmed when the exact Jaccard index of the two
 *      documents' shingle sets reaches threshold. Each indexed document
 *      with at most exact_max_shingles (4096) distinct shingles keeps them
 *      as sorted 32-bit keys; when either document has more, the
 *      signatures decide instead: they must agree on ceil(threshold * 128)
 *      values, i.e. estimated Jaccard >= threshold.
 *   3. Confirmed: the document joins the candidates' clusters (union-find
 *      rooted at the earliest document) and its records are dropped;
 *      otherwise its records are emitted. Either way it enters the index,
 *      so a later copy that resembles a dropped copy more than the kept
 *      original still joins the cluster (copies of copies: indexing
 *      dropped documents too raised recall on the evaluation set by about
 *      4 points at unchanged precision). A document that bridges two
 *      kept documents merges their clusters; both stay kept (they were
 *      emitted already), and the cluster is named by the earlier one.
 * Decisions depend only on the input order and bytes: runs are reproducible.
 *
 * The S-curve: a pair with Jaccard s becomes a candidate with probability
 * 1 - (1 - s^4)^32: 0.87 at s = 0.5, 0.988 at 0.6, 0.99985 at 0.7,
 * 1 - 5e-8 at 0.8. So banding loses essentially no pair above thresholds
 * down to 0.6; the confirmation step decides. Exact rather than estimated:
 * the estimate's standard error (0.035 at s = 0.8) let about 2 % of the
 * evaluation set's copies fall on the wrong side of the threshold, both
 * ways; with exact sets the stage's recall against exact Jaccard went from
 * 0.982 to 0.999. Stored sets cost 4 bytes a distinct shingle, 0.6 KiB for
 * news-id's mean article, and one sorted merge per candidate. Unrelated
 * news articles (s < 0.2) are candidates with probability < 0.05 each, and
 * cost one merge when they are.
 *
 * Shingle size: word 1-grams by default. Copies of a news article edited in
 * 2-5 % of their words keep (1 - p)^k of their k-word shingles: with k = 5
 * a 5 % edit leaves Jaccard ~0.6, far below 0.8, while the word set keeps
 * ~0.9. On tools/neardup_eval.sh's set (edited copies of news-id articles
 * among unrelated ones) at threshold 0.8, recall is 0.98 with k = 1, 0.78
 * with 2, 0.47 with 3 and 0.14 with 5, precision 1.0 for each: word order
 * buys no precision here, so k = 1.
 *
 * Not done: discounting lines common to many documents (site boilerplate)
 * by a streaming count of paragraph hashes. On the evaluation set it raised
 * recall (0.90 to 0.96 with short articles included, 0.87 to 0.94 with
 * stacked edits), but a paragraph in many documents is as often a widely
 * syndicated one: copies of a story reposted ten times would be compared on
 * their few site-specific lines alone and kept. Digits are not folded
 * either: on news-id it changed no decision at 0.8, the generator's edits
 * do not single out numbers, and copies keep theirs, while daily reports
 * that differ only in them (prices, scores, case counts) are distinct.
 *
 * Memory: per document with words 512 bytes of signature, 32 band entries
 * of 8 bytes at load <= 0.5 (512 bytes), 20 bytes of bookkeeping and its
 * exact set (4 bytes a distinct shingle, none past exact_max_shingles); per
 * document 4 bytes, plus its doc_id and 8 bytes when --clusters is given:
 * about 1.6 KiB for a news article, so the default --mem of 1 GiB holds
 * about 650,000 of them (mtp_dedup_docs_bytes_per_doc gives the fixed
 * part). Arrays double as they fill; the total, old and new array during
 * growth included, stays <= --mem or the stage stops with MTP_ERR_LIMIT.
 * Plus one document's records, <= --max-doc-bytes, the signature's set of
 * the document's shingles, <= 1.75 MiB (pipeline/minhash.c), and its key
 * array, 4 x exact_max_shingles bytes (16 KiB).
 */
#include "mtprep/dedup_docs.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "keys.h"
#include "minhash.h"
#include "mtprep/alloc.h"
#include "stage_impl.h"

/* One buffered record: offsets into dedup_docs.held_bytes. */
typedef struct held_record {
    mtp_record_kind kind;
    size_t unit_start, unit_len;
    size_t text_start, text_len;
    size_t tgt_start, tgt_len;
    double score;
} held_record;

_Static_assert(sizeof(held_record) <= MTP_DEDUP_DOCS_RECORD_BYTES, "held_record grew");

typedef struct dedup_docs {
    mtp_dedup_docs_options opts;
    unsigned min_agree; /* ceil(threshold * MTP_MINHASH_VALUES) */
    mtp_minhash mh;     /* signature of the current document */
    uint32_t *keys;     /* its shingle keys (opts.exact_max_shingles slots) */
    size_t key_count;
    int keys_exact; /* keys holds its whole shingle set */
    /* the current document */
    int in_doc;       /* records of a document are buffered */
    int oversize;     /* the current document passed max_doc_bytes */
    size_t doc_bytes; /* fields and bookkeeping of the held records */
    mtp_buf doc_id;
    mtp_buf held_bytes; /* units, texts, targets of held records */
    held_record *held;
    size_t held_count, held_capacity;
    /* every document, numbered in input order */
    uint32_t *parent; /* union-find */
    size_t doc_count, doc_capacity;
    uint64_t *id_start; /* with --clusters: doc n's id starts here in ids */
    size_t id_start_capacity;
    char *ids; /* with --clusters: NUL-terminated doc_ids */
    size_t ids_len, ids_capacity;
    /* the index: every document with words, kept or dropped */
    uint32_t *sigs;        /* MTP_MINHASH_VALUES per indexed document */
    uint32_t *indexed_doc; /* index number -> document number */
    uint32_t *stamp;       /* index number -> last query (document number + 1) */
    uint64_t *key_start;   /* index number -> its first shingle key in key_pool */
    uint32_t *key_len;     /* index number -> its shingle keys, or NO_KEYS */
    size_t indexed_count, indexed_capacity;
    uint32_t *key_pool; /* exact shingle sets, ascending within each document */
    size_t key_pool_len, key_pool_capacity;
    mtp_lsh lsh;
    size_t index_bytes; /* bytes of every array above, counted against mem_bytes */
} dedup_docs;

#define NO_KEYS UINT32_MAX /* key_len of a document without an exact set */

void mtp_dedup_docs_options_default(mtp_dedup_docs_options *opts)
{
    opts->threshold = MTP_DEDUP_DOCS_DEFAULT_THRESHOLD;
    opts->shingle_words = MTP_DEDUP_DOCS_DEFAULT_SHINGLE_WORDS;
    opts->max_doc_bytes = MTP_DEDUP_DOCS_DEFAULT_MAX_DOC_BYTES;
    opts->mem_bytes = MTP_DEDUP_DOCS_DEFAULT_MEM_BYTES;
    opts->exact_max_shingles = MTP_DEDUP_DOCS_DEFAULT_EXACT_MAX_SHINGLES;
    opts->clusters_path = NULL;
    opts->on_error = MTP_ON_ERROR_SKIP;
}

size_t mtp_dedup_docs_bytes_per_doc(void)
{
    const size_t indexed =
        MTP_MINHASH_VALUES * sizeof(uint32_t) + 3 * sizeof(uint32_t) + sizeof(uint64_t);
    const size_t bands = 2 * MTP_MINHASH_BANDS * sizeof(mtp_lsh_entry);
    return indexed + bands + sizeof(uint32_t) + sizeof(uint64_t);
}

/* ---- bounded growth ------------------------------------------------------ */

static mtp_status limit_error(mtp_stage *stage, const dedup_docs *d)
{
    return mtp_error_set(&stage->error, MTP_ERR_LIMIT,
                         "document index would exceed --mem %zu bytes after %zu documents "
                         "(%zu indexed); raise --mem",
                         d->opts.mem_bytes, d->doc_count, d->indexed_count);
}

/* Grows *array (element size `size`, capacity *capacity) to hold `need`,
 * doubling; old and new array together must fit the budget. */
static mtp_status grow(mtp_stage *stage, dedup_docs *d, void **array, size_t *capacity, size_t need,
                       size_t size)
{
    if (need <= *capacity) {
        return MTP_OK;
    }
    size_t count = *capacity ? *capacity : 64;
    while (count < need) {
        count *= 2;
    }
    if (d->index_bytes + count * size > d->opts.mem_bytes) {
        return limit_error(stage, d);
    }
    void *grown = mtp_realloc(*array, count * size);
    if (grown == NULL) {
        return mtp_error_set(&stage->error, MTP_ERR_NOMEM, "out of memory growing the index");
    }
    d->index_bytes += (count - *capacity) * size;
    *array = grown;
    *capacity = count;
    return MTP_OK;
}

/* ---- the current document ------------------------------------------------ */

static void start_doc(dedup_docs *d)
{
    d->in_doc = 1;
    d->oversize = 0;
    d->doc_bytes = 0;
    mtp_buf_clear(&d->doc_id);
    mtp_buf_clear(&d->held_bytes);
    d->held_count = 0;
    mtp_minhash_reset(&d->mh);
}

static int same_doc(const dedup_docs *d, mtp_str doc_id)
{
    return d->in_doc && doc_id.len == d->doc_id.len &&
           memcmp(doc_id.ptr, d->doc_id.data, doc_id.len) == 0;
}

static mtp_status hold_field(dedup_docs *d, mtp_str s, size_t *start, size_t *len)
{
    *start = d->held_bytes.len;
    *len = s.len;
    return mtp_buf_append(&d->held_bytes, s.ptr, s.len);
}

static mtp_status hold_record(dedup_docs *d, const mtp_record *rec)
{
    if (d->held_count == d->held_capacity) {
        const size_t capacity = d->held_capacity ? 2 * d->held_capacity : 64;
        held_record *grown = mtp_realloc(d->held, capacity * sizeof *grown);
        if (grown == NULL) {
            return MTP_ERR_NOMEM;
        }
        d->held = grown;
        d->held_capacity = capacity;
    }
    held_record *h = &d->held[d->held_count];
    h->kind = rec->kind;
    h->score = rec->score;
    mtp_status st = hold_field(d, rec->unit, &h->unit_start, &h->unit_len);
    if (st == MTP_OK) {
        st = hold_field(d, rec->text, &h->text_start, &h->text_len);
    }
    if (st == MTP_OK) {
        st = hold_field(d, rec->tgt, &h->tgt_start, &h->tgt_len);
    }
    d->held_count += st == MTP_OK;
    return st;
}

static mtp_str held_str(const dedup_docs *d, size_t start, size_t len)
{
    const mtp_str s = {d->held_bytes.data + start, len};
    return s;
}

static mtp_status emit_held(const dedup_docs *d, const mtp_sink *out)
{
    for (size_t i = 0; i < d->held_count; i++) {
        const held_record *h = &d->held[i];
        mtp_record rec;
        memset(&rec, 0, sizeof rec);
        rec.kind = h->kind;
        rec.doc_id.ptr = d->doc_id.data;
        rec.doc_id.len = d->doc_id.len;
        rec.unit = held_str(d, h->unit_start, h->unit_len);
        rec.text = held_str(d, h->text_start, h->text_len);
        rec.tgt = held_str(d, h->tgt_start, h->tgt_len);
        rec.score = h->score;
        const mtp_status st = out->emit(out->ctx, &rec);
        if (st != MTP_OK) {
            return st;
        }
    }
    return MTP_OK;
}

/* ---- documents and clusters ---------------------------------------------- */

/* Makes room for one more doc_id and its start offset (--clusters only). */
static mtp_status grow_ids(mtp_stage *stage, dedup_docs *d, size_t need)
{
    void *starts = d->id_start;
    mtp_status st = grow(stage, d, &starts, &d->id_start_capacity, need, sizeof *d->id_start);
    d->id_start = starts;
    if (st != MTP_OK) {
        return st;
    }
    void *ids = d->ids;
    st = grow(stage, d, &ids, &d->ids_capacity, d->ids_len + d->doc_id.len + 1, 1);
    d->ids = ids;
    return st;
}

/* Gives the finished document its number, parent and (with --clusters) id. */
static mtp_status number_doc(mtp_stage *stage, dedup_docs *d, uint32_t *doc)
{
    if (d->doc_count >= UINT32_MAX - 1) {
        return limit_error(stage, d);
    }
    const size_t need = d->doc_count + 1;
    void *parent = d->parent;
    size_t capacity = d->doc_capacity;
    mtp_status st = grow(stage, d, &parent, &capacity, need, sizeof *d->parent);
    d->parent = parent;
    d->doc_capacity = capacity;
    if (st == MTP_OK && d->opts.clusters_path != NULL) {
        st = grow_ids(stage, d, need);
    }
    if (st != MTP_OK) {
        return st;
    }
    *doc = (uint32_t)d->doc_count;
    d->parent[*doc] = *doc;
    if (d->opts.clusters_path != NULL) {
        d->id_start[*doc] = d->ids_len;
        memcpy(d->ids + d->ids_len, d->doc_id.data, d->doc_id.len);
        d->ids_len += d->doc_id.len;
        d->ids[d->ids_len++] = '\0';
    }
    d->doc_count++;
    return MTP_OK;
}

typedef struct query {
    dedup_docs *d;
    uint32_t doc; /* the document being decided */
    int matched;  /* a candidate was confirmed */
} query;

/* Exact Jaccard of the shingle sets when both are stored, else the MinHash
 * estimate: the estimate's standard error (0.035 at 0.8) decided about 2 %
 * of the evaluation set's copies wrongly, both ways. */
static int similar(const dedup_docs *d, uint32_t indexed)
{
    const uint32_t len = d->key_len[indexed];
    if (d->keys_exact && len != NO_KEYS) {
        const size_t small = len < d->key_count ? len : d->key_count;
        const size_t large = len < d->key_count ? d->key_count : len;
        if ((double)small < d->opts.threshold * (double)large - 1e-9) {
            return 0; /* Jaccard <= small / large: no need to merge */
        }
        const uint32_t *keys = d->key_pool + d->key_start[indexed];
        const size_t shared = mtp_shingle_keys_shared(d->keys, d->key_count, keys, len);
        const size_t all = d->key_count + len - shared;
        return (double)shared >= d->opts.threshold * (double)all - 1e-9;
    }
    const uint32_t *sig = d->sigs + (size_t)indexed * MTP_MINHASH_VALUES;
    return mtp_minhash_agree(sig, d->mh.mins) >= d->min_agree;
}

static void visit_candidate(void *ctx, uint32_t indexed)
{
    query *q = ctx;
    dedup_docs *d = q->d;
    if (d->stamp[indexed] == q->doc + 1) {
        return; /* already seen through another band */
    }
    d->stamp[indexed] = q->doc + 1;
    if (similar(d, indexed)) {
        mtp_uf_union(d->parent, q->doc, d->indexed_doc[indexed]);
        q->matched = 1;
    }
}

/* Grows the per-indexed-document arrays (in step) and the key pool. */
static mtp_status grow_index(mtp_stage *stage, dedup_docs *d)
{
    const size_t need = d->indexed_count + 1;
    void *arrays[5] = {d->indexed_doc, d->stamp, d->sigs, d->key_start, d->key_len};
    const size_t sizes[5] = {sizeof *d->indexed_doc, sizeof *d->stamp, sizeof d->mh.mins,
                             sizeof *d->key_start, sizeof *d->key_len};
    size_t capacity = d->indexed_capacity;
    mtp_status st = MTP_OK;
    for (int i = 0; i < 5 && st == MTP_OK; i++) {
        capacity = d->indexed_capacity; /* the arrays grow in step */
        st = grow(stage, d, &arrays[i], &capacity, need, sizes[i]);
    }
    d->indexed_doc = arrays[0];
    d->stamp = arrays[1];
    d->sigs = arrays[2];
    d->key_start = arrays[3];
    d->key_len = arrays[4];
    if (st != MTP_OK) {
        return st; /* arrays grown before the failure keep the old capacity: harmless */
    }
    d->indexed_capacity = capacity;
    if (d->keys_exact) {
        void *pool = d->key_pool;
        st = grow(stage, d, &pool, &d->key_pool_capacity, d->key_pool_len + d->key_count,
                  sizeof *d->key_pool);
        d->key_pool = pool;
    }
    return st;
}

static void store_keys(dedup_docs *d)
{
    const size_t n = d->indexed_count;
    d->key_start[n] = d->key_pool_len;
    d->key_len[n] = d->keys_exact ? (uint32_t)d->key_count : NO_KEYS;
    if (d->keys_exact) {
        memcpy(d->key_pool + d->key_pool_len, d->keys, d->key_count * sizeof *d->keys);
        d->key_pool_len += d->key_count;
    }
}

static mtp_status index_doc(mtp_stage *stage, dedup_docs *d, uint32_t doc)
{
    mtp_status st = grow_index(stage, d);
    if (st != MTP_OK) {
        return st;
    }
    const size_t lsh_bytes = mtp_lsh_growth_bytes(&d->lsh, MTP_MINHASH_BANDS);
    if (d->index_bytes + lsh_bytes > d->opts.mem_bytes) {
        return limit_error(stage, d);
    }
    const size_t before = mtp_lsh_bytes(&d->lsh);
    if (mtp_lsh_insert(&d->lsh, d->mh.mins, (uint32_t)d->indexed_count) != MTP_OK) {
        return mtp_error_set(&stage->error, MTP_ERR_NOMEM, "out of memory growing the index");
    }
    d->index_bytes += mtp_lsh_bytes(&d->lsh) - before;
    memcpy(d->sigs + d->indexed_count * MTP_MINHASH_VALUES, d->mh.mins, sizeof d->mh.mins);
    d->indexed_doc[d->indexed_count] = doc;
    d->stamp[d->indexed_count] = 0;
    store_keys(d);
    d->indexed_count++;
    return MTP_OK;
}

/* Decides the buffered document: drop it as a near duplicate, or emit it
 * and index it. */
static mtp_status end_doc(mtp_stage *stage, dedup_docs *d, const mtp_sink *out)
{
    d->in_doc = 0;
    if (d->oversize || d->held_count == 0) {
        return MTP_OK; /* every record already dropped by the policy */
    }
    uint32_t doc = 0;
    mtp_status st = number_doc(stage, d, &doc);
    if (st != MTP_OK) {
        return st;
    }
    mtp_counts_add(&stage->counts, "documents", 1);
    if (d->mh.shingles == 0) {
        mtp_counts_add(&stage->counts, "documents_without_words", 1);
        return emit_held(d, out);
    }
    d->keys_exact =
        mtp_minhash_shingle_keys(&d->mh, d->keys, d->opts.exact_max_shingles, &d->key_count);
    query q = {d, doc, 0};
    mtp_lsh_query(&d->lsh, d->mh.mins, visit_candidate, &q);
    st = index_doc(stage, d, doc);
    if (st != MTP_OK) {
        return st;
    }
    if (q.matched) {
        mtp_counts_add(&stage->counts, "documents_dropped", 1);
        mtp_counts_drop(&stage->counts, "near_duplicate_doc", d->held_count);
        return MTP_OK;
    }
    return emit_held(d, out);
}

/* ---- bad input ----------------------------------------------------------- */

static mtp_status bad_record(mtp_stage *stage, const dedup_docs *d, const mtp_record *rec,
                             const char *reason)
{
    char where[256];
    mtp_record_where(rec, where, sizeof where);
    return mtp_policy_bad_input(d->opts.on_error, &stage->counts, &stage->error, where, reason,
                                NULL);
}

/* The record would take the document past max_doc_bytes: under skip the
 * whole document goes, the records held so far included. */
static mtp_status doc_too_long(mtp_stage *stage, dedup_docs *d, const mtp_record *rec)
{
    char hint[96];
    snprintf(hint, sizeof hint, "document longer than --max-doc-bytes %zu", d->opts.max_doc_bytes);
    char where[256];
    mtp_record_where(rec, where, sizeof where);
    const mtp_status st = mtp_policy_bad_input(d->opts.on_error, &stage->counts, &stage->error,
                                               where, "doc_too_long", hint);
    if (st == MTP_OK) {
        mtp_counts_drop(&stage->counts, "doc_too_long", d->held_count);
        d->held_count = 0;
        d->oversize = 1;
    }
    return st;
}

/* ---- the stage ----------------------------------------------------------- */

static mtp_status feed(mtp_stage *stage, const mtp_record *rec, const mtp_sink *out)
{
    dedup_docs *d = stage->self;
    if (!same_doc(d, rec->doc_id)) {
        if (d->in_doc) {
            const mtp_status st = end_doc(stage, d, out);
            if (st != MTP_OK) {
                return st;
            }
        }
        start_doc(d);
        if (mtp_buf_append(&d->doc_id, rec->doc_id.ptr, rec->doc_id.len) != MTP_OK) {
            return mtp_error_set(&stage->error, MTP_ERR_NOMEM, "out of memory");
        }
    }
    if (d->oversize) {
        mtp_counts_drop(&stage->counts, "doc_too_long", 1);
        return MTP_OK;
    }
    if (!mtp_utf8_is_valid(rec->text.ptr, rec->text.len)) {
        return bad_record(stage, d, rec, "invalid_utf8");
    }
    /* the bookkeeping counts too, so that tiny records cannot cost more */
    const size_t bytes = rec->unit.len + rec->text.len + rec->tgt.len + MTP_DEDUP_DOCS_RECORD_BYTES;
    if (bytes > d->opts.max_doc_bytes - d->doc_bytes) {
        return doc_too_long(stage, d, rec);
    }
    d->doc_bytes += bytes;
    if (hold_record(d, rec) != MTP_OK || mtp_minhash_add_text(&d->mh, rec->text) == MTP_ERR_NOMEM) {
        return mtp_error_set(&stage->error, MTP_ERR_NOMEM, "out of memory");
    }
    return MTP_OK;
}

/* Writes "doc_id TAB cluster_id" per document to PATH.tmp, then renames. */
static mtp_status write_clusters(mtp_stage *stage, dedup_docs *d)
{
    const char *path = d->opts.clusters_path;
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp) {
        return mtp_error_set(&stage->error, MTP_ERR_IO, "%s: path too long", path);
    }
    FILE *f = fopen(tmp, "w");
    if (f == NULL) {
        return mtp_error_set(&stage->error, MTP_ERR_IO, "%s: %s", tmp, strerror(errno));
    }
    for (size_t n = 0; n < d->doc_count; n++) {
        const uint32_t root = mtp_uf_find(d->parent, (uint32_t)n);
        fprintf(f, "%s\t%s\n", d->ids + d->id_start[n], d->ids + d->id_start[root]);
    }
    const int failed = fflush(f) != 0 || ferror(f);
    const int saved_errno = errno;
    if (fclose(f) != 0 || failed || rename(tmp, path) != 0) {
        const int err = failed ? saved_errno : errno;
        remove(tmp);
        return mtp_error_set(&stage->error, MTP_ERR_IO, "%s: %s", path, strerror(err));
    }
    return MTP_OK;
}

static mtp_status finish(mtp_stage *stage, const mtp_sink *out)
{
    dedup_docs *d = stage->self;
    if (d->in_doc) {
        const mtp_status st = end_doc(stage, d, out);
        if (st != MTP_OK) {
            return st;
        }
    }
    if (d->opts.clusters_path != NULL) {
        return write_clusters(stage, d);
    }
    return MTP_OK;
}

static void destroy(void *self)
{
    dedup_docs *d = self;
    if (d == NULL) {
        return;
    }
    mtp_minhash_release(&d->mh);
    mtp_buf_release(&d->doc_id);
    mtp_buf_release(&d->held_bytes);
    mtp_free(d->held);
    mtp_free(d->parent);
    mtp_free(d->id_start);
    mtp_free(d->ids);
    mtp_free(d->sigs);
    mtp_free(d->indexed_doc);
    mtp_free(d->stamp);
    mtp_free(d->key_start);
    mtp_free(d->key_len);
    mtp_free(d->key_pool);
    mtp_free(d->keys);
    mtp_lsh_release(&d->lsh);
    mtp_free(d);
}

static const mtp_stage_ops ops = {"dedup_docs", feed, finish, destroy};

static mtp_status check_options(const mtp_dedup_docs_options *opts, mtp_error *err)
{
    if (!(opts->threshold > 0.0 && opts->threshold <= 1.0)) {
        return mtp_error_set(err, MTP_ERR_USAGE, "--threshold %g is not in (0, 1]",
                             opts->threshold);
    }
    if (opts->shingle_words < 1 || opts->shingle_words > MTP_DEDUP_DOCS_MAX_SHINGLE_WORDS) {
        return mtp_error_set(err, MTP_ERR_USAGE, "--shingle-words %u is not in 1..%u",
                             opts->shingle_words, MTP_DEDUP_DOCS_MAX_SHINGLE_WORDS);
    }
    if (opts->max_doc_bytes < 1 || opts->max_doc_bytes > INT32_MAX) {
        return mtp_error_set(err, MTP_ERR_USAGE, "--max-doc-bytes %zu is not in 1..%d",
                             opts->max_doc_bytes, INT32_MAX);
    }
    if (opts->exact_max_shingles > MTP_DEDUP_DOCS_MAX_EXACT_MAX_SHINGLES) {
        return mtp_error_set(err, MTP_ERR_USAGE, "exact_max_shingles %zu is not in 0..%u",
                             opts->exact_max_shingles, MTP_DEDUP_DOCS_MAX_EXACT_MAX_SHINGLES);
    }
    return MTP_OK;
}

mtp_status mtp_dedup_docs_new(const mtp_dedup_docs_options *opts, mtp_stage **out, mtp_error *err)
{
    *out = NULL;
    const mtp_status checked = check_options(opts, err);
    if (checked != MTP_OK) {
        return checked;
    }
    dedup_docs *d = mtp_calloc(1, sizeof *d);
    if (d == NULL) {
        return mtp_error_set(err, MTP_ERR_NOMEM, "out of memory");
    }
    d->opts = *opts;
    d->min_agree = (unsigned)ceil(opts->threshold * MTP_MINHASH_VALUES - 1e-9);
    mtp_minhash_init(&d->mh, opts->shingle_words);
    if (opts->exact_max_shingles > 0) {
        d->keys = mtp_malloc(opts->exact_max_shingles * sizeof *d->keys);
        if (d->keys == NULL) {
            destroy(d);
            return mtp_error_set(err, MTP_ERR_NOMEM, "out of memory");
        }
    }
    const mtp_status created = mtp_stage_create(&ops, d, out);
    if (created != MTP_OK) {
        return mtp_error_set(err, created, "out of memory");
    }
    return MTP_OK;
}
