/* align: the per-document sentence aligner.
 *
 * Purpose: given the sentences of one document in two languages, find the
 * beads (1-1, 1-0, 0-1, 2-1, 1-2, 2-2) that pair them, and emit one pair
 * record per non-empty bead.
 *
 * Algorithm: a dynamic program in the Gale–Church family (Gale & Church 1993,
 * "A program for aligning sentences in bilingual corpora") that maximises the
 * summed evidence of the beads on a monotone path. A bead's evidence is a
 * log-likelihood ratio of "these sentences translate each other" against
 * "they are unrelated"; a 1-0 or 0-1 bead costs a fixed NULL_COST, so a
 * sentence is left unaligned only when every pairing has clearly negative
 * evidence (cheap nulls invent deletions in clean text):
 *
 *   length   Gale–Church delta = (lt - c*ls) / sqrt(s2 * (ls + lt/c) / 2) over
 *            code points, c the document's length ratio; log N(delta; 0, 1)
 *            against the much wider spread of unrelated sentences;
 *   lexical  each token carries a weight by class (numbers, URLs and
 *            capitalised words weigh most, short words least) and a few
 *            match keys: its folded form, its 4-letter prefix (cognates,
 *            Simard, Foster & Isabelle 1992), its digits (1.000,50 = 1,000.50),
 *            its translations in the word list (Indonesian affixes stripped,
 *            English suffixes folded), its punctuation class. A matched token
 *            adds MATCH_GAIN per unit weight (log 2 less when it faces two
 *            sentences, which double its chance matches), an unmatched one
 *            costs MISS_COST;
 *   prior    a small bonus for 1-1 and penalties for 2-1, 1-2 and 2-2.
 *
 * Search is banded, so time and memory grow linearly with document length.
 * The band's centre line runs through anchors: source and target sentences
 * that share a number, name or URL found nowhere else near the length
 * diagonal and match on at least half their token weight, reduced to their
 * longest increasing chain (found twice: the second search follows the
 * first chain). It starts BAND_HALF_START
 * cells either side; where the best path touches its edge the band is
 * re-centred on that path and doubled locally, and the pass repeated.
 * Token matches between two sentences are counted once per band cell by a
 * merge of sorted key lists and cached for the beads that reuse them.
 *
 * Memory: the document pair's features (about 1.5 KB per sentence pair), one
 * back-pointer byte per band cell (at most BAND_MAX_CELLS), three rows of
 * scores and match counts: measured 142 MB peak for a 100,000-sentence pair.
 * Everything lives in buffers owned by the aligner and reused across
 * documents.
 */
#include "align_impl.h"
#include "align_join.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mtprep/alloc.h"

/* ---- growable arrays ------------------------------------------------------- */

mtp_status mtp_align_grow(void **ptr, size_t *capacity, size_t need, size_t elem)
{
    if (need <= *capacity) {
        return MTP_OK;
    }
    size_t cap = *capacity < 16 ? 16 : *capacity;
    while (cap < need) {
        cap *= 2;
    }
    void *p = mtp_realloc(*ptr, cap * elem);
    if (p == NULL) {
        return MTP_ERR_NOMEM;
    }
    *ptr = p;
    *capacity = cap;
    return MTP_OK;
}

/* ---- output ----------------------------------------------------------------- */

static mtp_status join_side(mtp_buf *units, mtp_buf *text, const mtp_align_side *side,
                            uint32_t start, uint32_t count)
{
    mtp_status st = MTP_OK;
    for (uint32_t k = 0; k < count && st == MTP_OK; k++) {
        if (k > 0) {
            st = mtp_buf_append_byte(units, '+');
            st = st == MTP_OK ? mtp_buf_append_byte(text, ' ') : st;
        }
        st = st == MTP_OK
                 ? mtp_buf_append(units, side->units[start + k].ptr, side->units[start + k].len)
                 : st;
        st = st == MTP_OK
                 ? mtp_buf_append(text, side->texts[start + k].ptr, side->texts[start + k].len)
                 : st;
    }
    return st;
}

static mtp_status emit_bead(mtp_aligner *a, mtp_str doc_id, const bead *b,
                            const mtp_align_side *src, const mtp_align_side *tgt,
                            const mtp_sink *sink)
{
    const uint32_t sentences = b->src_count + b->tgt_count;
    const int is_null = b->src_count == 0 || b->tgt_count == 0;
    const double score = is_null ? 0.0 : 1.0 / (1.0 + exp(-b->gain / sentences));
    if (is_null && !a->opts.emit_nulls) {
        mtp_counts_drop(&a->counts, b->src_count ? "unaligned_src" : "unaligned_tgt", sentences);
        return MTP_OK;
    }
    if (!is_null && score < a->opts.min_score) {
        mtp_counts_drop(&a->counts, "low_score", sentences);
        return MTP_OK;
    }
    mtp_buf_clear(&a->units);
    mtp_buf_clear(&a->src_text);
    mtp_buf_clear(&a->tgt_text);
    mtp_status st = join_side(&a->units, &a->src_text, src, b->src_start, b->src_count);
    st = st == MTP_OK ? mtp_buf_append_byte(&a->units, '=') : st;
    st = st == MTP_OK ? join_side(&a->units, &a->tgt_text, tgt, b->tgt_start, b->tgt_count) : st;
    if (st != MTP_OK) {
        return st;
    }
    const mtp_record rec = {MTP_RECORD_PAIR,
                            doc_id,
                            {a->units.data, a->units.len},
                            {a->src_text.data, a->src_text.len},
                            {a->tgt_text.data, a->tgt_text.len},
                            score};
    mtp_counts_add(&a->counts, "out", sentences);
    mtp_counts_add(&a->counts, "pairs", 1);
    return sink->emit != NULL ? sink->emit(sink->ctx, &rec) : MTP_OK;
}

/* The beads of a document with an empty side: all null. */
static void null_beads(mtp_aligner *a, size_t n, size_t m)
{
    a->bead_len = 0;
    for (size_t j = m; j > 0; j--) {
        a->beads[a->bead_len++] = (bead){(uint32_t)n, 0, (uint32_t)(j - 1), 1, 0.0};
    }
    for (size_t i = n; i > 0; i--) {
        a->beads[a->bead_len++] = (bead){(uint32_t)(i - 1), 1, 0, 0, 0.0};
    }
}

static void document_length_ratio(mtp_aligner *a)
{
    double ls = 0.0, lt = 0.0;
    for (size_t i = 0; i < a->src.count; i++) {
        ls += a->src.sent[i].chars;
    }
    for (size_t j = 0; j < a->tgt.count; j++) {
        lt += a->tgt.sent[j].chars;
    }
    const double c = ls > 0.0 && lt > 0.0 ? lt / ls : 1.0;
    a->length_ratio = c < 0.5 ? 0.5 : (c > 2.0 ? 2.0 : c);
}

mtp_status mtp_aligner_align_doc(mtp_aligner *a, mtp_str doc_id, const mtp_align_side *src,
                                 const mtp_align_side *tgt, const mtp_sink *sink)
{
    mtp_status st = mtp_align_scan_side(a, &a->src, 1, src);
    st = st == MTP_OK ? mtp_align_scan_side(a, &a->tgt, 0, tgt) : st;
    if (st != MTP_OK) {
        return mtp_error_set(&a->error, st, "align: out of memory on document %.*s",
                             (int)doc_id.len, doc_id.ptr);
    }
    const size_t n = src->count, m = tgt->count;
    a->stamp = 0;
    document_length_ratio(a);
    if (n == 0 || m == 0) {
        st = mtp_align_grow((void **)&a->beads, &a->bead_capacity, n + m + 1, sizeof *a->beads);
        if (st == MTP_OK) {
            null_beads(a, n, m);
        }
    } else {
        st = mtp_align_dp(a, n, m);
    }
    if (st != MTP_OK) {
        return mtp_error_set(&a->error, st, "align: cannot align document %.*s: %s",
                             (int)doc_id.len, doc_id.ptr, mtp_status_str(st));
    }
    mtp_counts_add(&a->counts, "docs", 1);
    for (size_t k = a->bead_len; k > 0 && st == MTP_OK; k--) {
        bead *b = &a->beads[k - 1];
        if (b->src_count > 0 && b->tgt_count > 0) {
            b->gain = mtp_align_bead_gain(a, b->src_start, b->src_count, b->tgt_start, b->tgt_count);
        }
        st = emit_bead(a, doc_id, b, src, tgt, sink);
    }
    return st;
}

/* ---- object life ---------------------------------------------------------------- */

void mtp_align_options_default(mtp_align_options *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->src_lang = "id";
    opts->tgt_lang = "en";
    opts->dict_path = NULL;
    opts->use_dict = 1;
    opts->min_score = 0.0;
    opts->window_docs = 1000;
    opts->max_doc_sentences = 1000000;
    opts->emit_nulls = 0;
    opts->on_error = MTP_ON_ERROR_SKIP;
}

static mtp_status check_options(const mtp_align_options *o, mtp_error *err)
{
    if (o->src_lang == NULL || o->tgt_lang == NULL || o->src_lang[0] == '\0' ||
        o->tgt_lang[0] == '\0') {
        return mtp_error_set(err, MTP_ERR_USAGE, "source and target languages must be named");
    }
    if (!(o->min_score >= 0.0 && o->min_score <= 1.0)) {
        return mtp_error_set(err, MTP_ERR_USAGE, "min_score must be in [0,1]");
    }
    if (o->window_docs == 0 || o->max_doc_sentences == 0) {
        return mtp_error_set(err, MTP_ERR_USAGE,
                             "window_docs and max_doc_sentences must be positive");
    }
    const int builtin_pair = strcmp(o->src_lang, "id") == 0 && strcmp(o->tgt_lang, "en") == 0;
    if (o->use_dict && o->dict_path == NULL && !builtin_pair) {
        return mtp_error_set(err, MTP_ERR_USAGE,
                             "no built-in word list for %s-%s: give a dictionary file or none",
                             o->src_lang, o->tgt_lang);
    }
    return MTP_OK;
}

mtp_status mtp_aligner_new(const mtp_align_options *opts, mtp_aligner **out, mtp_error *err)
{
    mtp_error scratch;
    err = err != NULL ? err : &scratch;
    *out = NULL;
    mtp_status st = check_options(opts, err);
    if (st != MTP_OK) {
        return st;
    }
    mtp_aligner *a = mtp_calloc(1, sizeof *a);
    if (a == NULL) {
        return mtp_error_set(err, MTP_ERR_NOMEM, "out of memory");
    }
    a->opts = *opts;
    a->src_is_id = strcmp(opts->src_lang, "id") == 0;
    a->tgt_is_en = strcmp(opts->tgt_lang, "en") == 0;
    mtp_counts_init(&a->counts, "align");
    mtp_counts_add(&a->counts, "in", 0);
    mtp_counts_add(&a->counts, "out", 0);
    a->cache = mtp_calloc(LOOKUP_CACHE_SIZE, sizeof *a->cache);
    st = a->cache == NULL ? mtp_error_set(err, MTP_ERR_NOMEM, "out of memory") : MTP_OK;
    if (st == MTP_OK && opts->use_dict) {
        st = mtp_align_dict_load(a, err);
    }
    if (st != MTP_OK) {
        mtp_aligner_free(a);
        return st;
    }
    *out = a;
    return MTP_OK;
}

void mtp_align_side_release(side_feats *s)
{
    mtp_free(s->sent);
    mtp_free(s->weight);
    mtp_free(s->stamp);
    mtp_free(s->keys);
    mtp_free(s->anchor_keys);
}

void mtp_aligner_free(mtp_aligner *a)
{
    if (a == NULL) {
        return;
    }
    mtp_free(a->dict.slots);
    mtp_free(a->dict.targets);
    mtp_free(a->cache);
    mtp_align_side_release(&a->src);
    mtp_align_side_release(&a->tgt);
    mtp_free(a->lo);
    mtp_free(a->hi);
    mtp_free(a->centre);
    mtp_free(a->half);
    mtp_free(a->offset);
    mtp_free(a->edge);
    mtp_free(a->back);
    for (int r = 0; r < 3; r++) {
        mtp_free(a->score[r]);
        mtp_free(a->stats[r].cells);
    }
    mtp_free(a->beads);
    mtp_free(a->anchors);
    mtp_free(a->chain);
    mtp_free(a->sort_scratch);
    mtp_buf_release(&a->units);
    mtp_buf_release(&a->src_text);
    mtp_buf_release(&a->tgt_text);
    mtp_free(a);
}

mtp_counts *mtp_aligner_counts(mtp_aligner *a)
{
    return &a->counts;
}

const char *mtp_aligner_error(const mtp_aligner *a)
{
    return a->error.message;
}

const mtp_align_options *mtp_aligner_options(const mtp_aligner *a)
{
    return &a->opts;
}

mtp_error *mtp_aligner_error_slot(mtp_aligner *a)
{
    return &a->error;
}
