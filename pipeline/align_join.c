/* align: joining the source and target record streams on doc_id.
 *
 * Purpose: feed the aligner one document pair at a time from two segmented
 * streams, skipping (and counting) documents present on one side only.
 *
 * Algorithm: a merge join with bounded look-ahead. Both streams list their
 * shared documents in the same order (two parallel trees given to ingest,
 * whose listings are sorted), but either may lack documents. While the heads
 * of the two queues differ, look one document further on both sides at a
 * time: the first side on which the other's head turns up has its documents
 * before that point dropped as one-sided; when neither head turns up within
 * window_docs documents, both heads are dropped.
 *
 * Memory: at most window_docs + 1 documents per side held, each in buffers
 * reused for the next document (one document pair in the usual case where
 * the streams agree).
 */
#include "align_join.h"

#include <string.h>

#include "buf.h"
#include "mtprep/alloc.h"

typedef struct sentence_span {
    size_t unit_start, unit_len, text_start, text_len; /* into join_doc.bytes */
} sentence_span;

typedef struct join_doc {
    mtp_buf doc_id;
    mtp_buf bytes; /* units and texts of the sentences, back to back */
    sentence_span *spans;
    mtp_str *units, *texts; /* views made when the document is complete */
    size_t count, capacity, view_capacity;
} join_doc;

typedef struct join_side {
    mtp_reader *reader;
    int is_src;
    join_doc *ring; /* window_docs + 1 slots */
    size_t slots, head, len;
    int at_end;
    int has_carry; /* carry holds the first record of the next document */
    join_doc carry;
} join_side;

typedef struct join {
    mtp_aligner *aligner;
    const mtp_align_options *opts;
    mtp_counts *counts;
    mtp_error *err;
    const mtp_sink *sink;
    join_side side[2]; /* 0: source, 1: target */
} join;

/* ---- documents ------------------------------------------------------------- */

static void doc_release(join_doc *d)
{
    mtp_buf_release(&d->doc_id);
    mtp_buf_release(&d->bytes);
    mtp_free(d->spans);
    mtp_free(d->units);
    mtp_free(d->texts);
}

static void doc_clear(join_doc *d)
{
    mtp_buf_clear(&d->doc_id);
    mtp_buf_clear(&d->bytes);
    d->count = 0;
}

static mtp_status doc_add(join_doc *d, mtp_str unit, mtp_str text)
{
    if (d->count == d->capacity) {
        const size_t cap = d->capacity < 16 ? 16 : d->capacity * 2;
        sentence_span *p = mtp_realloc(d->spans, cap * sizeof *p);
        if (p == NULL) {
            return MTP_ERR_NOMEM;
        }
        d->spans = p;
        d->capacity = cap;
    }
    sentence_span *s = &d->spans[d->count];
    s->unit_start = d->bytes.len;
    s->unit_len = unit.len;
    s->text_start = d->bytes.len + unit.len;
    s->text_len = text.len;
    mtp_status st = mtp_buf_append(&d->bytes, unit.ptr, unit.len);
    st = st == MTP_OK ? mtp_buf_append(&d->bytes, text.ptr, text.len) : st;
    d->count += st == MTP_OK;
    return st;
}

/* Points the views at the finished document's bytes. */
static mtp_status doc_views(join_doc *d, mtp_align_side *out)
{
    if (d->count > d->view_capacity) {
        mtp_str *u = mtp_realloc(d->units, d->count * sizeof *u);
        if (u != NULL) {
            d->units = u;
        }
        mtp_str *t = mtp_realloc(d->texts, d->count * sizeof *t);
        if (t != NULL) {
            d->texts = t;
        }
        if (u == NULL || t == NULL) {
            return MTP_ERR_NOMEM;
        }
        d->view_capacity = d->count;
    }
    for (size_t k = 0; k < d->count; k++) {
        const sentence_span *s = &d->spans[k];
        d->units[k] = (mtp_str){d->bytes.data + s->unit_start, s->unit_len};
        d->texts[k] = (mtp_str){d->bytes.data + s->text_start, s->text_len};
    }
    *out = (mtp_align_side){d->units, d->texts, d->count};
    return MTP_OK;
}

static int same_doc(const join_doc *a, const join_doc *b)
{
    return a->doc_id.len == b->doc_id.len &&
           memcmp(a->doc_id.data, b->doc_id.data, a->doc_id.len) == 0;
}

static mtp_status doc_start(join_doc *d, const mtp_record *rec)
{
    doc_clear(d);
    mtp_status st = mtp_buf_append(&d->doc_id, rec->doc_id.ptr, rec->doc_id.len);
    return st == MTP_OK ? doc_add(d, rec->unit, rec->text) : st;
}

/* Starts d with the single record held in carry. */
static mtp_status doc_from_carry(join_doc *d, const join_doc *carry)
{
    const sentence_span *sp = &carry->spans[0];
    const mtp_str unit = {carry->bytes.data + sp->unit_start, sp->unit_len};
    const mtp_str text = {carry->bytes.data + sp->text_start, sp->text_len};
    doc_clear(d);
    const mtp_status st = mtp_buf_append(&d->doc_id, carry->doc_id.data, carry->doc_id.len);
    return st == MTP_OK ? doc_add(d, unit, text) : st;
}

/* ---- reading ------------------------------------------------------------------ */

/* Next unit record of a side: counts it in, applies the policy to the rest. */
static mtp_status next_unit(join *j, join_side *s, mtp_record *rec)
{
    for (;;) {
        mtp_status st =
            mtp_reader_next_record(s->reader, j->opts->on_error, j->counts, rec, j->err);
        if (st != MTP_OK) {
            return st;
        }
        mtp_counts_add(j->counts, "in", 1);
        if (rec->kind == MTP_RECORD_UNIT) {
            mtp_counts_add(j->counts, s->is_src ? "in.src" : "in.tgt", 1);
            return MTP_OK;
        }
        st = mtp_policy_bad_input(j->opts->on_error, j->counts, j->err, mtp_reader_where(s->reader),
                                  "not_unit_record", "align reads segmented unit records");
        if (st != MTP_OK) {
            return st;
        }
    }
}

/* Adds a record to the document being read, unless the document is full. */
static mtp_status doc_take(join *j, join_side *s, join_doc *d, const mtp_record *rec)
{
    if (d->count >= j->opts->max_doc_sentences) {
        return mtp_policy_bad_input(j->opts->on_error, j->counts, j->err,
                                    mtp_reader_where(s->reader), "doc_too_long",
                                    "raise --max-doc-sentences");
    }
    return doc_add(d, rec->unit, rec->text);
}

/* Reads the side's next document into d; MTP_END when there is none. */
static mtp_status read_doc(join *j, join_side *s, join_doc *d)
{
    mtp_record rec;
    mtp_status st = MTP_OK;
    if (s->has_carry) {
        st = doc_from_carry(d, &s->carry);
        s->has_carry = 0;
    } else if (s->at_end) {
        return MTP_END;
    } else {
        st = next_unit(j, s, &rec);
        st = st == MTP_OK ? doc_start(d, &rec) : st;
    }
    while (st == MTP_OK) {
        st = next_unit(j, s, &rec);
        if (st != MTP_OK) {
            break;
        }
        if (rec.doc_id.len != d->doc_id.len ||
            memcmp(rec.doc_id.ptr, d->doc_id.data, rec.doc_id.len) != 0) {
            s->has_carry = 1;
            return doc_start(&s->carry, &rec);
        }
        st = doc_take(j, s, d, &rec);
    }
    if (st == MTP_END) {
        s->at_end = 1;
        return d->doc_id.len > 0 ? MTP_OK : MTP_END;
    }
    return st;
}

/* The k-th queued document of a side (0 = head), reading ahead as needed;
 * NULL at the end of the stream. */
static mtp_status peek(join *j, join_side *s, size_t k, join_doc **out)
{
    *out = NULL;
    while (s->len <= k) {
        join_doc *d = &s->ring[(s->head + s->len) % s->slots];
        doc_clear(d);
        const mtp_status st = read_doc(j, s, d);
        if (st == MTP_END) {
            return MTP_OK;
        }
        if (st != MTP_OK) {
            return st;
        }
        s->len++;
    }
    *out = &s->ring[(s->head + k) % s->slots];
    return MTP_OK;
}

/* Drops the head document of a side as one-sided. */
static void drop_head(join *j, join_side *s)
{
    const join_doc *d = &s->ring[s->head];
    mtp_counts_drop(j->counts, "one_sided_doc", d->count);
    mtp_counts_add(j->counts, s->is_src ? "docs.src_only" : "docs.tgt_only", 1);
    s->head = (s->head + 1) % s->slots;
    s->len--;
}

static mtp_status align_heads(join *j, join_doc *src, join_doc *tgt)
{
    mtp_align_side a, b;
    mtp_status st = doc_views(src, &a);
    st = st == MTP_OK ? doc_views(tgt, &b) : st;
    if (st != MTP_OK) {
        return mtp_error_set(j->err, st, "align: out of memory");
    }
    const mtp_str id = {src->doc_id.data, src->doc_id.len};
    st = mtp_aligner_align_doc(j->aligner, id, &a, &b, j->sink);
    for (int k = 0; k < 2; k++) {
        j->side[k].head = (j->side[k].head + 1) % j->side[k].slots;
        j->side[k].len--;
    }
    return st;
}

/* Heads differ: finds which side has extra documents and drops them. */
static mtp_status resync(join *j, join_doc *src_head, join_doc *tgt_head)
{
    for (size_t k = 1; k < j->side[0].slots; k++) {
        join_doc *t = NULL, *s = NULL;
        mtp_status st = peek(j, &j->side[1], k, &t);
        if (st == MTP_OK && t != NULL && same_doc(t, src_head)) {
            while (k-- > 0) {
                drop_head(j, &j->side[1]);
            }
            return MTP_OK;
        }
        st = st == MTP_OK ? peek(j, &j->side[0], k, &s) : st;
        if (st != MTP_OK) {
            return st;
        }
        if (s != NULL && same_doc(s, tgt_head)) {
            while (k-- > 0) {
                drop_head(j, &j->side[0]);
            }
            return MTP_OK;
        }
        if (s == NULL && t == NULL) {
            break;
        }
    }
    drop_head(j, &j->side[0]);
    drop_head(j, &j->side[1]);
    return MTP_OK;
}

static mtp_status join_step(join *j, int *done)
{
    join_doc *a = NULL, *b = NULL;
    mtp_status st = peek(j, &j->side[0], 0, &a);
    st = st == MTP_OK ? peek(j, &j->side[1], 0, &b) : st;
    if (st != MTP_OK) {
        return st;
    }
    *done = a == NULL && b == NULL;
    if (a == NULL || b == NULL) {
        if (a != NULL || b != NULL) {
            drop_head(j, &j->side[a != NULL ? 0 : 1]);
        }
        return MTP_OK;
    }
    return same_doc(a, b) ? align_heads(j, a, b) : resync(j, a, b);
}

/* ---- driver ---------------------------------------------------------------------- */

static mtp_status side_init(join_side *s, mtp_reader *r, int is_src, size_t window)
{
    memset(s, 0, sizeof *s);
    s->reader = r;
    s->is_src = is_src;
    s->slots = window + 1;
    s->ring = mtp_calloc(s->slots, sizeof *s->ring);
    return s->ring == NULL ? MTP_ERR_NOMEM : MTP_OK;
}

static void side_release(join_side *s)
{
    for (size_t k = 0; s->ring != NULL && k < s->slots; k++) {
        doc_release(&s->ring[k]);
    }
    mtp_free(s->ring);
    doc_release(&s->carry);
}

mtp_status mtp_align_streams(mtp_aligner *a, mtp_reader *src, mtp_reader *tgt, const mtp_sink *sink)
{
    join j;
    memset(&j, 0, sizeof j);
    j.aligner = a;
    j.opts = mtp_aligner_options(a);
    j.counts = mtp_aligner_counts(a);
    j.err = mtp_aligner_error_slot(a);
    j.sink = sink;
    mtp_counts_add(j.counts, "in.src", 0);
    mtp_counts_add(j.counts, "in.tgt", 0);
    mtp_status st = side_init(&j.side[0], src, 1, j.opts->window_docs);
    st = st == MTP_OK ? side_init(&j.side[1], tgt, 0, j.opts->window_docs) : st;
    if (st != MTP_OK) {
        mtp_error_set(j.err, st, "align: out of memory for the join window");
    }
    int done = 0;
    while (st == MTP_OK && !done) {
        st = join_step(&j, &done);
    }
    side_release(&j.side[0]);
    side_release(&j.side[1]);
    return st;
}
