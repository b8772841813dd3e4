/* align: bead evidence and the banded dynamic program.
 *
 * compute_pair merges two sentences' sorted key lists into the weight of
 * matched tokens on each side; rows of these are cached per source sentence.
 * A bead's gain adds the length log-likelihood ratio, the lexical evidence
 * and the shape's prior (align.c's opening comment gives the model). The
 * search runs in a band centred on anchors, widened where the best path
 * touches its edge, and traces the path back into a->beads.
 *
 * Memory: one back-pointer byte per band cell (at most BAND_MAX_CELLS),
 * per-row band bounds, three rows of scores and of pair statistics.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "align_impl.h"
#include "mtprep/alloc.h"

/* ---- pair statistics --------------------------------------------------------- */

/* Weight of tokens of each sentence that share a key with the other: a merge
 * of the two sorted key lists; stamps count each token once. */
static pair_stat compute_pair(mtp_aligner *a, size_t s, size_t t)
{
    const sentence_feats *ss = &a->src.sent[s];
    const sentence_feats *ts = &a->tgt.sent[t];
    const uint64_t *x = a->src.keys + ss->key_start;
    const uint64_t *y = a->tgt.keys + ts->key_start;
    const uint32_t stamp = ++a->stamp;
    pair_stat r = {0.0f, 0.0f};
    size_t i = 0;
    size_t j = 0;
    while (i < ss->key_count && j < ts->key_count) {
        const uint64_t kx = x[i] >> 16;
        const uint64_t ky = y[j] >> 16;
        if (kx != ky) {
            i += kx < ky;
            j += ky < kx;
            continue;
        }
        for (; i < ss->key_count && (x[i] >> 16) == kx; i++) {
            const uint32_t tok = ss->tok_start + (uint32_t)(x[i] & 0xFFFF);
            r.src_hit += a->src.stamp[tok] != stamp ? a->src.weight[tok] : 0.0f;
            a->src.stamp[tok] = stamp;
        }
        for (; j < ts->key_count && (y[j] >> 16) == ky; j++) {
            const uint32_t tok = ts->tok_start + (uint32_t)(y[j] & 0xFFFF);
            r.tgt_hit += a->tgt.stamp[tok] != stamp ? a->tgt.weight[tok] : 0.0f;
            a->tgt.stamp[tok] = stamp;
        }
    }
    return r;
}

/* Fills the cached row of source sentence s over targets [first, last]. */
static mtp_status fill_stat_row(mtp_aligner *a, size_t s, long first, long last)
{
    stat_row *row = &a->stats[s % 3];
    const long len = last >= first ? last - first + 1 : 0;
    if (mtp_align_grow((void **)&row->cells, &row->capacity, (size_t)len + 1, sizeof *row->cells) != MTP_OK) {
        return MTP_ERR_NOMEM;
    }
    row->a = (long)s;
    row->base = first;
    row->len = len;
    for (long k = 0; k < len; k++) {
        row->cells[k] = compute_pair(a, s, (size_t)(first + k));
    }
    return MTP_OK;
}

static pair_stat get_stat(mtp_aligner *a, size_t s, size_t t)
{
    const stat_row *row = &a->stats[s % 3];
    const long k = (long)t - row->base;
    if (row->a == (long)s && k >= 0 && k < row->len) {
        return row->cells[k];
    }
    return compute_pair(a, s, t);
}

/* ---- bead evidence ------------------------------------------------------------ */

static double length_llr(double ls, double lt, double c)
{
    if (ls + lt <= 0.0) {
        return 0.0;
    }
    const double delta = (lt - c * ls) / sqrt(LEN_VARIANCE * (ls + lt / c) / 2.0 + 1.0);
    const double llr =
        log(LEN_RANDOM_SD) - 0.5 * delta * delta * (1.0 - 1.0 / (LEN_RANDOM_SD * LEN_RANDOM_SD));
    return llr < LEN_LLR_FLOOR ? LEN_LLR_FLOOR : llr;
}

static double bead_bias(uint32_t ns, uint32_t nt)
{
    if (ns == 1 && nt == 1) {
        return BIAS_1_1;
    }
    return ns == 2 && nt == 2 ? BIAS_2_2 : BIAS_2_1;
}

/* A token facing k sentences of the other side is k times as likely to find
 * a chance match, so a hit there is worth log(k) less. */
static double span_match_gain(uint32_t k)
{
    return k == 2 ? MATCH_GAIN - 0.693147 : MATCH_GAIN;
}

/* Evidence of the bead joining source [s, s+ns) and target [t, t+nt), both
 * counts 1 or 2. A token matched from either sentence of the other side
 * counts once: hits are summed and capped at the sentence's weight. */
double mtp_align_bead_gain(mtp_aligner *a, size_t s, uint32_t ns, size_t t, uint32_t nt)
{
    double src_hit = 0.0, tgt_hit = 0.0, src_w = 0.0, tgt_w = 0.0, ls = 0.0, lt = 0.0;
    float col[2] = {0.0f, 0.0f};
    for (uint32_t i = 0; i < ns; i++) {
        float row = 0.0f;
        for (uint32_t j = 0; j < nt; j++) {
            const pair_stat p = get_stat(a, s + i, t + j);
            row += p.src_hit;
            col[j] += p.tgt_hit;
        }
        const sentence_feats *f = &a->src.sent[s + i];
        src_hit += row < f->weight ? row : f->weight;
        src_w += f->weight;
        ls += f->chars;
    }
    for (uint32_t j = 0; j < nt; j++) {
        const sentence_feats *f = &a->tgt.sent[t + j];
        tgt_hit += col[j] < f->weight ? col[j] : f->weight;
        tgt_w += f->weight;
        lt += f->chars;
    }
    const double miss = (src_w - src_hit) + (tgt_w - tgt_hit);
    return span_match_gain(nt) * src_hit + span_match_gain(ns) * tgt_hit - MISS_COST * miss +
           length_llr(ls, lt, a->length_ratio) + bead_bias(ns, nt);
}

/* ---- the banded dynamic program ------------------------------------------------ */

/* Bead shapes by back-pointer code (0: unreachable). */
static const uint8_t shape_src[7] = {0, 1, 1, 0, 2, 1, 2};
static const uint8_t shape_tgt[7] = {0, 1, 0, 1, 1, 2, 2};

/* Band centres from the length diagonal: the target position whose share of
 * the target's code points matches the source prefix's share. */
static void centres_from_lengths(mtp_aligner *a, size_t n, size_t m)
{
    double total_s = 0.0, total_t = 0.0;
    for (size_t i = 0; i < n; i++) {
        total_s += a->src.sent[i].chars + 1.0;
    }
    for (size_t j = 0; j < m; j++) {
        total_t += a->tgt.sent[j].chars + 1.0;
    }
    double cum_s = 0.0, cum_t = 0.0;
    size_t j = 0;
    for (size_t i = 0; i <= n; i++) {
        while (j < m && (cum_t + (a->tgt.sent[j].chars + 1.0) / 2.0) / total_t <= cum_s / total_s) {
            cum_t += a->tgt.sent[j++].chars + 1.0;
        }
        a->centre[i] = (uint32_t)(i == n ? m : j);
        if (i < n) {
            cum_s += a->src.sent[i].chars + 1.0;
        }
    }
}

/* ---- anchoring the band ---- */

static int compare_u64(const void *x, const void *y)
{
    const uint64_t a = *(const uint64_t *)x;
    const uint64_t b = *(const uint64_t *)y;
    return (a > b) - (a < b);
}

/* The target sentence holding `key` within [lo, hi], if exactly one does:
 * binary search in the sorted target anchor keys. Returns -1 otherwise. */
static long unique_target(const side_feats *t, uint64_t key, uint32_t lo, uint32_t hi)
{
    size_t first = 0, last = t->anchor_len;
    const uint64_t want = key << 32;
    while (first < last) {
        const size_t mid = first + (last - first) / 2;
        if (t->anchor_keys[mid] < want) {
            first = mid + 1;
        } else {
            last = mid;
        }
    }
    long found = -1;
    for (size_t k = first; k < t->anchor_len && (t->anchor_keys[k] >> 32) == key; k++) {
        const uint32_t j = (uint32_t)t->anchor_keys[k];
        if (j >= lo && j <= hi) {
            if (found >= 0 && (uint32_t)found != j) {
                return -1;
            }
            found = j;
        }
    }
    return found;
}

/* A share of matched token weight that unrelated sentences rarely reach. */
#define ANCHOR_MIN_MATCH 0.5

static int looks_translated(mtp_aligner *a, size_t s, size_t t)
{
    const pair_stat p = compute_pair(a, s, t);
    const double total = a->src.sent[s].weight + a->tgt.sent[t].weight;
    return p.src_hit + p.tgt_hit >= ANCHOR_MIN_MATCH * total;
}

/* Candidate anchors: (source, target) sentences sharing a number, name or URL
 * that no other target sentence near the length diagonal holds. */
static mtp_status find_anchors(mtp_aligner *a, size_t n, size_t m)
{
    if (a->tgt.anchor_len > 1) {
        qsort(a->tgt.anchor_keys, a->tgt.anchor_len, sizeof *a->tgt.anchor_keys, compare_u64);
    }
    const size_t window = 32 + (size_t)(4.0 * sqrt((double)n));
    a->anchor_len = 0;
    for (size_t k = 0; k < a->src.anchor_len; k++) {
        const uint32_t i = (uint32_t)a->src.anchor_keys[k];
        const size_t c = a->centre[i];
        const uint32_t lo = (uint32_t)(c > window ? c - window : 0);
        const uint32_t hi = (uint32_t)(c + window < m ? c + window : m - 1);
        const long j = unique_target(&a->tgt, a->src.anchor_keys[k] >> 32, lo, hi);
        if (j < 0 || !looks_translated(a, i, (size_t)j)) {
            continue;
        }
        if (mtp_align_grow((void **)&a->anchors, &a->anchor_capacity, a->anchor_len + 1,
                 sizeof *a->anchors) != MTP_OK) {
            return MTP_ERR_NOMEM;
        }
        a->anchors[a->anchor_len++] = ((uint64_t)i << 32) | (uint32_t)j;
    }
    return MTP_OK;
}

/* Keeps the longest chain of anchors increasing in both source and target
 * (patience sorting); anchors that disagree with most others are noise. */
static mtp_status chain_anchors(mtp_aligner *a)
{
    const size_t count = a->anchor_len;
    if (mtp_align_grow((void **)&a->chain, &a->chain_capacity, 2 * count + 1, sizeof *a->chain) != MTP_OK) {
        return MTP_ERR_NOMEM;
    }
    uint32_t *tails = a->chain; /* index of the last anchor of the best chain of each length */
    uint32_t *prev = a->chain + count; /* predecessor of each anchor in its chain */
    size_t len = 0;
    for (size_t k = 0; k < count; k++) {
        const uint32_t j = (uint32_t)a->anchors[k];
        const uint32_t i = (uint32_t)(a->anchors[k] >> 32);
        size_t lo = 0, hi = len;
        while (lo < hi) { /* first chain whose tail is not below (i, j) */
            const size_t mid = (lo + hi) / 2;
            const uint64_t t = a->anchors[tails[mid]];
            if ((uint32_t)t < j && (uint32_t)(t >> 32) < i) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        prev[k] = lo > 0 ? tails[lo - 1] : UINT32_MAX;
        tails[lo] = (uint32_t)k;
        len += lo == len;
    }
    size_t out = len;
    for (uint32_t k = len > 0 ? tails[len - 1] : UINT32_MAX; k != UINT32_MAX; k = prev[k]) {
        tails[--out] = k; /* tails[0..out) are no longer needed */
    }
    for (size_t p = 0; p < len; p++) {
        a->anchors[p] = a->anchors[tails[p]]; /* tails[p] >= p: nothing needed is overwritten */
    }
    a->anchor_len = len;
    return MTP_OK;
}

/* Replaces the centres by lines between chained anchors (at least two).
 * Past the last anchor the line keeps the chain's slope until it meets the
 * target's end: a side cut short leaves its tail to the last row. */
static void centres_from_anchors(mtp_aligner *a, size_t n, size_t m)
{
    uint64_t from = 0;
    for (size_t k = 0; k < a->anchor_len; k++) {
        const uint64_t to = a->anchors[k];
        const uint32_t i0 = (uint32_t)(from >> 32), j0 = (uint32_t)from;
        const uint32_t i1 = (uint32_t)(to >> 32), j1 = (uint32_t)to;
        for (uint32_t i = i0; i <= i1 && i1 > i0; i++) {
            a->centre[i] = j0 + (uint32_t)((uint64_t)(j1 - j0) * (i - i0) / (i1 - i0));
        }
        from = to;
    }
    const uint64_t first = a->anchors[0];
    const double di = (double)((from >> 32) - (first >> 32));
    const double slope = di > 0 ? (double)((uint32_t)from - (uint32_t)first) / di : 1.0;
    for (size_t i = (size_t)(from >> 32) + 1; i <= n; i++) {
        const double c = (double)(uint32_t)from + slope * (double)(i - (from >> 32));
        a->centre[i] = (uint32_t)(c < (double)m ? c : (double)m);
    }
    a->centre[n] = (uint32_t)m;
}

/* Finds anchors near the current centres and, when at least two chain up,
 * re-centres the band on them; twice, so that anchors found in the first
 * round guide the search of the second where the length diagonal strays. */
static mtp_status anchor_band(mtp_aligner *a, size_t n, size_t m)
{
    for (int round = 0; round < 2; round++) {
        mtp_status st = find_anchors(a, n, m);
        st = st == MTP_OK ? chain_anchors(a) : st;
        if (st != MTP_OK) {
            return st;
        }
        if (a->anchor_len < 2) {
            return MTP_OK;
        }
        centres_from_anchors(a, n, m);
    }
    return MTP_OK;
}

/* Band centres from the last complete path (a->beads, last bead first): its
 * target position on each row, so the next band follows it. */
static void centres_from_path(mtp_aligner *a, size_t n, size_t m)
{
    uint32_t i = 0, j = 0;
    a->centre[0] = 0;
    for (size_t k = a->bead_len; k > 0; k--) {
        const bead *b = &a->beads[k - 1];
        j += b->tgt_count;
        for (uint32_t r = 1; r <= b->src_count; r++) {
            a->centre[i + r] = j;
        }
        i += b->src_count;
    }
    a->centre[n] = (uint32_t)m; /* the path may end with 0-1 beads in the last row */
}

/* Sets each row's target range from its centre and half-width, and the
 * offsets of the rows' back-pointers. Returns the cells in the band. */
static size_t band_from_centres(mtp_aligner *a, size_t n, size_t m)
{
    size_t cells = 0;
    for (size_t i = 0; i <= n; i++) {
        const size_t c = a->centre[i];
        const size_t half = a->half[i];
        a->lo[i] = (uint32_t)(c > half ? c - half : 0);
        a->hi[i] = (uint32_t)(c + half < m ? c + half : m);
        if (i > 0 && a->lo[i] > a->hi[i - 1]) {
            a->lo[i] = a->hi[i - 1]; /* keep rows connected: a jump becomes a run of 0-1 */
        }
        a->offset[i] = cells;
        cells += a->hi[i] - a->lo[i] + 1;
    }
    return cells;
}

static double score_at(const mtp_aligner *a, size_t i, size_t j)
{
    if (j < a->lo[i] || j > a->hi[i]) {
        return -INFINITY;
    }
    return a->score[i % 3][j - a->lo[i]];
}

/* Best predecessor of cell (i, j); returns its bead code, 0 if none. */
static uint8_t best_move(mtp_aligner *a, size_t i, size_t j, double *best)
{
    uint8_t code = 0;
    *best = -INFINITY;
    for (uint8_t k = 1; k <= 6; k++) {
        const uint32_t ds = shape_src[k];
        const uint32_t dt = shape_tgt[k];
        if (i < ds || j < dt) {
            continue;
        }
        const double prev = score_at(a, i - ds, j - dt);
        if (prev == -INFINITY) {
            continue;
        }
        const double g = (ds == 0 || dt == 0) ? -NULL_COST : mtp_align_bead_gain(a, i - ds, ds, j - dt, dt);
        if (prev + g > *best) {
            *best = prev + g;
            code = k;
        }
    }
    return code;
}

static mtp_status dp_fill(mtp_aligner *a, size_t n)
{
    for (size_t i = 0; i <= n; i++) {
        const size_t lo = a->lo[i];
        const size_t hi = a->hi[i];
        if (mtp_align_grow((void **)&a->score[i % 3], &a->score_capacity[i % 3], hi - lo + 1,
                 sizeof(double)) != MTP_OK) {
            return MTP_ERR_NOMEM;
        }
        if (i > 0) {
            const long first = (long)lo - 2 < 0 ? 0 : (long)lo - 2;
            const long last =
                (long)hi - 1 < (long)a->tgt.count ? (long)hi - 1 : (long)a->tgt.count - 1;
            if (fill_stat_row(a, i - 1, first, last) != MTP_OK) {
                return MTP_ERR_NOMEM;
            }
        }
        uint8_t *back = a->back + a->offset[i];
        for (size_t j = lo; j <= hi; j++) {
            double best = 0.0;
            back[j - lo] = (i == 0 && j == 0) ? 0 : best_move(a, i, j, &best);
            a->score[i % 3][j - lo] = best;
        }
    }
    return MTP_OK;
}

typedef enum path_state { PATH_BROKEN, PATH_AT_EDGE, PATH_INSIDE } path_state;

/* Follows back-pointers from (n, m) into a->beads (last bead first); marks
 * in a->edge the rows where the path touches the band's edge (not the
 * matrix's). */
static path_state trace_back(mtp_aligner *a, size_t n, size_t m)
{
    size_t i = n, j = m;
    path_state state = PATH_INSIDE;
    a->bead_len = 0;
    memset(a->edge, 0, n + 1);
    while (i > 0 || j > 0) {
        if (j < a->lo[i] || j > a->hi[i]) {
            return PATH_BROKEN;
        }
        if ((j == a->lo[i] && j > 0) || (j == a->hi[i] && j < m)) {
            a->edge[i] = 1;
            state = PATH_AT_EDGE;
        }
        const uint8_t code = a->back[a->offset[i] + (j - a->lo[i])];
        if (code == 0) {
            return PATH_BROKEN;
        }
        const uint32_t ds = shape_src[code], dt = shape_tgt[code];
        a->beads[a->bead_len++] = (bead){(uint32_t)(i - ds), ds, (uint32_t)(j - dt), dt, 0.0};
        i -= ds;
        j -= dt;
    }
    return state;
}

/* Doubles the half-width of the rows around each row marked in a->edge (or
 * of every row when the path was broken). Returns 0 when no row may grow. */
static int widen_band(mtp_aligner *a, size_t n, size_t m, int everywhere)
{
    int grown = 0;
    long reach = -1; /* rows up to here get widened */
    uint32_t target = 0;
    for (size_t i = 0; i <= n; i++) {
        if (everywhere || a->edge[i]) {
            target = a->half[i] * 2;
            reach = (long)(i + 2 * a->half[i] + 4);
            for (size_t k = i > 2 * a->half[i] + 4 ? i - 2 * a->half[i] - 4 : 0; k < i; k++) {
                grown |= a->half[k] < target && a->half[k] < m;
                a->half[k] = a->half[k] < target ? target : a->half[k];
            }
        }
        if ((long)i <= reach) {
            grown |= a->half[i] < target && a->half[i] < m;
            a->half[i] = a->half[i] < target ? target : a->half[i];
        }
    }
    return grown;
}

static mtp_status dp_arrays(mtp_aligner *a, size_t n, size_t m)
{
    if (mtp_align_grow((void **)&a->lo, &a->lo_capacity, n + 1, sizeof *a->lo) != MTP_OK ||
        mtp_align_grow((void **)&a->hi, &a->hi_capacity, n + 1, sizeof *a->hi) != MTP_OK ||
        mtp_align_grow((void **)&a->centre, &a->centre_capacity, n + 1, sizeof *a->centre) != MTP_OK ||
        mtp_align_grow((void **)&a->half, &a->half_capacity, n + 1, sizeof *a->half) != MTP_OK ||
        mtp_align_grow((void **)&a->offset, &a->offset_capacity, n + 1, sizeof *a->offset) != MTP_OK ||
        mtp_align_grow((void **)&a->edge, &a->edge_capacity, n + 1, 1) != MTP_OK ||
        mtp_align_grow((void **)&a->beads, &a->bead_capacity, n + m + 1, sizeof *a->beads) != MTP_OK) {
        return MTP_ERR_NOMEM;
    }
    for (size_t i = 0; i <= n; i++) {
        a->half[i] = BAND_HALF_START;
    }
    return MTP_OK;
}

/* One pass of the dynamic program over the current band. */
static mtp_status dp_pass(mtp_aligner *a, size_t n, size_t m, path_state *path)
{
    const size_t cells = band_from_centres(a, n, m);
    if (cells > BAND_MAX_CELLS) {
        return MTP_ERR_LIMIT; /* a->beads still holds the last path */
    }
    if (mtp_align_grow((void **)&a->back, &a->back_capacity, cells, 1) != MTP_OK) {
        return MTP_ERR_NOMEM;
    }
    for (int r = 0; r < 3; r++) {
        a->stats[r].a = -1;
    }
    const mtp_status st = dp_fill(a, n);
    *path = st == MTP_OK ? trace_back(a, n, m) : PATH_BROKEN;
    return st;
}

/* Runs the band around the length diagonal; while the best path touches the
 * band's edge somewhere, widens the band there and centres it on that path,
 * so that a path drifting from the diagonal (deletions piling up on one
 * side) is followed without paying for a wide band everywhere. Leaves the
 * beads in a->beads, last first. */
mtp_status mtp_align_dp(mtp_aligner *a, size_t n, size_t m)
{
    mtp_status st = dp_arrays(a, n, m);
    if (st != MTP_OK) {
        return st;
    }
    centres_from_lengths(a, n, m);
    st = anchor_band(a, n, m);
    if (st != MTP_OK) {
        return st;
    }
    path_state last = PATH_BROKEN;
    for (int pass = 0;; pass++) {
        path_state path = PATH_BROKEN;
        st = dp_pass(a, n, m, &path);
        if (st == MTP_ERR_LIMIT && last == PATH_AT_EDGE) {
            return MTP_OK; /* keep the path found in the largest band allowed */
        }
        if (st != MTP_OK) {
            return st;
        }
        last = path;
        if (path == PATH_INSIDE) {
            return MTP_OK;
        }
        if (path == PATH_AT_EDGE) {
            centres_from_path(a, n, m);
        }
        const int grown = pass < BAND_MAX_PASSES && widen_band(a, n, m, path == PATH_BROKEN);
        if (!grown) {
            return path == PATH_AT_EDGE ? MTP_OK : MTP_ERR_LIMIT;
        }
    }
}
