/* segment: splits paragraph records into sentence records.
 *
 * Standard: UAX #29 Sentence Boundaries, as implemented by ICU's sentence
 * BreakIterator (root rules under the "id" or "en" locale), tailored below.
 *
 * Algorithm: UAX #29 breaks only after a terminator (STerm, ATerm) or a
 * paragraph separator, and its rules look no further than from the character
 * before the terminator to the first letter, terminator or separator after
 * it (the window is derived below, "ICU in windows around candidates"). So the
 * paragraph is not converted or iterated as a whole: candidates are found
 * with memchr and a word-at-a-time scan, the common ASCII shapes ("x. Y",
 * "1.000", "a.b") are settled by the rule that decides them, and ICU's
 * iterator runs over a UText on the UTF-8 bytes of each remaining window
 * only. The result equals one iteration over the whole text, which a
 * differential test checks on news-id and the UD documents, and the
 * untailored windows pass SentenceBreakTest.txt. Each break is then reviewed
 * by looking at the terminator run before it, the token before that run, and
 * the first character after it:
 *   - a listed prefix ("Dr.", "Jl.") suppresses the break; a #NUMERIC_ONLY#
 *     prefix ("No.", "Rp.") only before a digit or Roman numeral, and no
 *     period of the reference number it opens ("No. XI. B. 02.00", "No.
 *     245.K/MG") ends a sentence; #ENDS# ("S.H.", "dll.", "Tbk.") keeps it,
 *     except before "(" ("Ltd. (SPA)") and before a listed title with its
 *     period ("Sr. Comr. Yusri", a rank);
 *   - initials, one capital letter and a period or several such ("R. Tjetje",
 *     "B.J. Habibie"), do not end a sentence before a capitalised word
 *     unless it is a function word no name takes ("grup C. Namun ...",
 *     "tindakan F. Mereka ..."): we accept missing the rare real end "Grup C.
 *     Italia ..." to keep names whole; only a lone I, V or X after a lower-case word is read as a Roman
 *     numeral that may end one ("kuartal I. Dengan ..."), and a lone capital
 *     after a number as an era or unit that may ("2025 M.", "1446 H.",
 *     "1.000 V."), listed or not;
 *   - "?" or "!" then a closing quote and a lower-case word is an attribution
 *     ("Kapan?" tanya Ani.), not a boundary; nor is a "?" glued between
 *     lower-case letters ("jum?at", a character lost in conversion);
 *   - no break inside a double-quoted span that closes, after a terminator or
 *     comma, within the paragraph and QUOTE_MAX_BYTES: the CSUI treebank
 *     convention ("Kami siap. Semua sudah disiapkan," kata Kapolri.); a
 *     straight quote between spaces closes an open quotation ('..., " kata
 *     X'), and the breaks added after periods below keep the convention too;
 *   - no break inside a parenthesis that closes within PAREN_MAX_BYTES
 *     ("(HR. Bukhari)", "(E. hemisphaerica (Bl.) RM Smith)");
 *   - a straight quote glued between a period and a letter outside any
 *     quotation opens the next sentence ('kata Timo."Buat'): the break moves
 *     before it;
 *   - numbered lists run into one paragraph: "1." never stands alone,
 *     "N+1." after "N." starts a sentence ("1. Satu ... 2. Dua ..."), and so
 *     does "1." after a heading when "2." follows ("Daftar Isi 1. Opsen
 *     pajak 2. ..."); markers glued to the item before them ("Belgia3.
 *     Prancis", "ialah:1. Demas") start one when they continue the list.
 * Then breaks ICU misses are added after periods: glued sentences from
 * scraping ("katanya.Sementara", "KUHP.Selain"; domains, URLs, initials and
 * listed prefixes excluded), before "iPhone", before a sentence starting with
 * a number and a lower-case word ("tewas. 730 di antaranya"), and before a
 * lower-case sentence start after a plain word, acronym or number
 * ("serius. pada", "Italia. apakah", "1879. atau"; not "dll. untuk",
 * "S. untuk"). Last, a quoted sentence with its attribution ("...," kata X.)
 * after text with no final punctuation starts a sentence: the break goes
 * before its opening quote ('parlemen "Sebagian dari ...," kata Djoko.'),
 * unless a verb of saying introduces it ('mengatakan "Saya ...," katanya.').
 * And a sentence connective written with a capital right after a lower-case
 * word ("per bulan Adapun wakil presiden") starts a sentence whose period was
 * lost, outside quotations and names ("Pemerintahan Sementara").
 * Sentences are trimmed of white space; the text is never otherwise changed.
 *
 * Files: this one holds the break arrays, one text's pass through the parts,
 * construction and the stage; segment_icu.c ICU's breaks in windows,
 * segment_rules.c the rules on ICU's breaks, segment_added.c the breaks ICU
 * misses; segment_impl.h what they share.
 *
 * Memory: O(longest paragraph) for the break arrays, grown and then reused;
 * one break iterator and one UText per segmenter, reused for every record.
 * Time: linear in the paragraph (windows are disjoint; token look-backs stop
 * at TOKEN_MAX_BYTES, quotation look-aheads at the next quote or
 * QUOTE_MAX_BYTES, parenthesis look-aheads at PAREN_MAX_BYTES, list
 * look-aheads at LIST_MAX_BYTES).
 */
#include "mtprep/segment.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "mtprep/alloc.h"
#include "segment_impl.h"
#include "stage_impl.h"

void mtp_segment_options_default(mtp_segment_options *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->lang = "id";
    opts->use_prefixes = 1;
    opts->tailor = 1;
    opts->on_error = MTP_ON_ERROR_SKIP;
}

/* ======================================================================
 * The break array
 * ====================================================================== */

static mtp_status reserve_breaks(break_list *list, size_t needed)
{
    if (needed <= list->capacity) {
        return MTP_OK;
    }
    size_t capacity = list->capacity == 0 ? 64 : list->capacity;
    while (capacity < needed) {
        capacity *= 2;
    }
    size_t *grown = mtp_realloc(list->pos, capacity * sizeof *grown);
    if (grown == NULL) {
        return MTP_ERR_NOMEM;
    }
    list->pos = grown;
    list->capacity = capacity;
    return MTP_OK;
}

mtp_status seg_push_break(break_list *list, size_t pos)
{
    const mtp_status st = reserve_breaks(list, list->count + 1);
    if (st == MTP_OK) {
        list->pos[list->count++] = pos;
    }
    return st;
}

/* Merges seg->added into seg->breaks (both sorted), dropping duplicates. */
mtp_status seg_merge_added(mtp_segmenter *seg)
{
    const break_list *a = &seg->breaks;
    const break_list *b = &seg->added;
    const mtp_status st = reserve_breaks(&seg->scratch, a->count + b->count);
    if (st != MTP_OK) {
        return st;
    }
    size_t i = 0;
    size_t j = 0;
    size_t n = 0;
    while (i < a->count || j < b->count) {
        const int take_a = j == b->count || (i < a->count && a->pos[i] <= b->pos[j]);
        const size_t pos = take_a ? a->pos[i++] : b->pos[j++];
        if (n == 0 || seg->scratch.pos[n - 1] != pos) {
            seg->scratch.pos[n++] = pos;
        }
    }
    seg->scratch.count = n;
    const break_list swap = seg->breaks;
    seg->breaks = seg->scratch;
    seg->scratch = swap;
    return MTP_OK;
}

void seg_count_rule(mtp_segmenter *seg, const char *name)
{
    if (seg->counts == NULL) {
        return;
    }
    for (size_t k = 0; k < seg->rule_count; k++) {
        if (seg->rules[k].name == name) {
            seg->rules[k].count++;
            return;
        }
    }
    if (seg->rule_count == RULE_SLOTS) {
        mtp_counts_add(seg->counts, name, 1);
        return;
    }
    seg->rules[seg->rule_count].name = name;
    seg->rules[seg->rule_count].count = 1;
    seg->rule_count++;
}

/* Adds the tallied rule counts to seg->counts. */
static void flush_rule_counts(mtp_segmenter *seg)
{
    for (size_t k = 0; k < seg->rule_count; k++) {
        mtp_counts_add(seg->counts, seg->rules[k].name, seg->rules[k].count);
    }
    seg->rule_count = 0;
}

/* ======================================================================
 * One text
 * ====================================================================== */

mtp_status mtp_segmenter_breaks(mtp_segmenter *seg, const char *text, size_t len,
                                const size_t **breaks, size_t *count, mtp_error *err)
{
    seg->breaks.count = 0;
    seg->added.count = 0;
    *breaks = seg->breaks.pos;
    *count = 0;
    if (len > SEGMENT_MAX_TEXT_BYTES) {
        return mtp_error_set(err, MTP_ERR_LIMIT, "segment: text of %zu bytes is over 2 GiB", len);
    }
    seg->raw.count = 0;
    mtp_status st = seg->full_icu ? seg_icu_breaks_full(seg, text, len, err)
                                  : seg_icu_breaks_windowed(seg, text, len, err);
    if (st == MTP_OK) {
        st = seg_review_breaks(seg, text, len);
    }
    /* Each pass adds breaks in order; the quote pass sees the first's. */
    static mtp_status (*const adders[])(mtp_segmenter *, const char *, size_t) = {
        seg_add_missed_breaks, seg_add_quote_breaks, seg_add_connective_breaks};
    for (size_t k = 0; k < sizeof adders / sizeof adders[0] && st == MTP_OK && seg->tailor; k++) {
        seg->added.count = 0;
        st = adders[k](seg, text, len);
        if (st == MTP_OK && seg->added.count > 0) {
            st = seg_merge_added(seg);
        }
    }
    *breaks = seg->breaks.pos;
    *count = st == MTP_OK ? seg->breaks.count : 0;
    return st;
}

/* ======================================================================
 * Construction
 * ====================================================================== */

static const char *builtin_prefixes(const char *lang)
{
    return strcmp(lang, "en") == 0 ? "nonbreaking_prefix.en" : "nonbreaking_prefix.id";
}

static mtp_status open_iterator(mtp_segmenter *seg, const char *lang, mtp_error *err)
{
    UErrorCode status = U_ZERO_ERROR;
    seg->bi = ubrk_open(UBRK_SENTENCE, lang, NULL, 0, &status);
    if (U_FAILURE(status)) {
        return mtp_error_set(err, MTP_ERR_ICU, "ubrk_open(UBRK_SENTENCE, %s): %s", lang,
                             u_errorName(status));
    }
    return MTP_OK;
}

mtp_status mtp_segmenter_new(const mtp_segment_options *opts, mtp_segmenter **out, mtp_error *err)
{
    *out = NULL;
    const char *lang = opts->lang != NULL ? opts->lang : "id";
    if (strcmp(lang, "id") != 0 && strcmp(lang, "en") != 0) {
        return mtp_error_set(err, MTP_ERR_USAGE, "segment: unknown language '%s' (want id or en)",
                             lang);
    }
    mtp_segmenter *seg = mtp_calloc(1, sizeof *seg);
    if (seg == NULL) {
        return MTP_ERR_NOMEM;
    }
    seg->tailor = opts->tailor;
    seg->full_icu = opts->full_icu;
    for (UChar32 c = 0; c < 0x80; c++) {
        seg->ascii_sb[c] = (signed char)sb_class(c);
    }
    mtp_status st = open_iterator(seg, lang, err);
    if (st == MTP_OK && opts->use_prefixes) {
        st = mtp_prefixes_load(opts->prefixes_path, builtin_prefixes(lang), &seg->prefixes, err);
    }
    if (st != MTP_OK) {
        mtp_segmenter_free(seg);
        return st;
    }
    *out = seg;
    return MTP_OK;
}

void mtp_segmenter_free(mtp_segmenter *seg)
{
    if (seg == NULL) {
        return;
    }
    ubrk_close(seg->bi);
    utext_close(seg->ut);
    mtp_prefixes_free(seg->prefixes);
    mtp_free(seg->raw.pos);
    mtp_free(seg->breaks.pos);
    mtp_free(seg->added.pos);
    mtp_free(seg->scratch.pos);
    mtp_free(seg);
}

/* ======================================================================
 * The stage
 * ====================================================================== */

typedef struct segment_stage {
    mtp_segmenter *seg;
    mtp_on_error on_error;
    char unit[MTP_UNIT_CAPACITY];
} segment_stage;

/* Shrinks [*start, *limit) past white space at both ends. */
static void trim_space(const char *text, size_t *start, size_t *limit)
{
    size_t pos = 0;
    while (*start < *limit && is_space(cp_at(text, *limit, *start, &pos))) {
        *start = pos;
    }
    while (*limit > *start && is_space(cp_before(text, *limit, &pos))) {
        *limit = pos;
    }
}

static mtp_status bad_record(mtp_stage *stage, const mtp_record *rec, const char *reason)
{
    const segment_stage *self = stage->self;
    char where[160];
    snprintf(where, sizeof where, "%.*s/%.*s", (int)(rec->doc_id.len < 100 ? rec->doc_id.len : 100),
             rec->doc_id.ptr, (int)(rec->unit.len < 40 ? rec->unit.len : 40), rec->unit.ptr);
    return mtp_policy_bad_input(self->on_error, &stage->counts, &stage->error, where, reason, NULL);
}

/* Emits sentence `number` of paragraph `paragraph`, text[start, limit). */
static mtp_status emit_sentence(segment_stage *self, const mtp_record *rec, uint32_t paragraph,
                                uint32_t number, size_t start, size_t limit, const mtp_sink *out)
{
    const size_t unit_len = mtp_unit_format(paragraph, number, self->unit);
    mtp_record sentence = *rec;
    sentence.unit.ptr = self->unit;
    sentence.unit.len = unit_len;
    sentence.text.ptr = rec->text.ptr + start;
    sentence.text.len = limit - start;
    return out->emit(out->ctx, &sentence);
}

/* Emits every non-empty piece between breaks; returns the count in *emitted. */
static mtp_status emit_sentences(mtp_stage *stage, const mtp_record *rec, uint32_t paragraph,
                                 const size_t *breaks, size_t count, const mtp_sink *out,
                                 uint32_t *emitted)
{
    segment_stage *self = stage->self;
    size_t start = 0;
    for (size_t k = 0; k <= count; k++) {
        size_t piece_start = start;
        size_t piece_limit = k < count ? breaks[k] : rec->text.len;
        start = piece_limit;
        trim_space(rec->text.ptr, &piece_start, &piece_limit);
        if (piece_start == piece_limit) {
            continue;
        }
        *emitted += 1;
        const mtp_status st =
            emit_sentence(self, rec, paragraph, *emitted, piece_start, piece_limit, out);
        if (st != MTP_OK) {
            return st;
        }
    }
    return MTP_OK;
}

static mtp_status segment_feed(mtp_stage *stage, const mtp_record *rec, const mtp_sink *out)
{
    segment_stage *self = stage->self;
    uint32_t paragraph = 0;
    uint32_t sentence = 0;
    if (rec->kind != MTP_RECORD_UNIT ||
        mtp_unit_parse(rec->unit, &paragraph, &sentence) != MTP_OK) {
        return bad_record(stage, rec, "not_paragraph");
    }
    if (sentence != 0) {
        return bad_record(stage, rec, "already_segmented");
    }
    const size_t *breaks = NULL;
    size_t count = 0;
    mtp_status st = mtp_segmenter_breaks(self->seg, rec->text.ptr, rec->text.len, &breaks, &count,
                                         &stage->error);
    if (st != MTP_OK) {
        return st;
    }
    uint32_t emitted = 0;
    st = emit_sentences(stage, rec, paragraph, breaks, count, out, &emitted);
    if (st == MTP_OK && emitted == 0) {
        mtp_counts_drop(&stage->counts, "empty", 1);
    } else if (st == MTP_OK && emitted > 1) {
        mtp_counts_add(&stage->counts, "split", emitted - 1);
    }
    return st;
}

static mtp_status segment_finish(mtp_stage *stage, const mtp_sink *out)
{
    (void)out;
    segment_stage *self = stage->self;
    flush_rule_counts(self->seg);
    return MTP_OK;
}

static void segment_destroy(void *p)
{
    segment_stage *self = p;
    if (self != NULL) {
        mtp_segmenter_free(self->seg);
        mtp_free(self);
    }
}

static const mtp_stage_ops segment_ops = {"segment", segment_feed, segment_finish, segment_destroy};

mtp_status mtp_segment_new(const mtp_segment_options *opts, mtp_stage **out, mtp_error *err)
{
    *out = NULL;
    segment_stage *self = mtp_calloc(1, sizeof *self);
    if (self == NULL) {
        return MTP_ERR_NOMEM;
    }
    self->on_error = opts->on_error;
    mtp_status st = mtp_segmenter_new(opts, &self->seg, err);
    if (st != MTP_OK) {
        segment_destroy(self);
        return st;
    }
    st = mtp_stage_create(&segment_ops, self, out);
    if (st == MTP_OK) {
        self->seg->counts = &(*out)->counts;
    }
    return st;
}
