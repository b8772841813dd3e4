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
 *     except before "(" ("Ltd. (SPA)");
 *   - initials, one capital letter and a period or several such ("R. Tjetje",
 *     "B.J. Habibie"), never end a sentence before a capitalised word: we
 *     accept missing the rare real end "Grup C. Italia ..." to keep names
 *     whole; only a lone I, V or X after a lower-case word is read as a Roman
 *     numeral that may end one ("kuartal I. Dengan ...");
 *   - "?" or "!" then a closing quote and a lower-case word is an attribution
 *     ("Kapan?" tanya Ani.), not a boundary; nor is a "?" glued between
 *     lower-case letters ("jum?at", a character lost in conversion);
 *   - no break inside a double-quoted span that closes, after a terminator or
 *     comma, within the paragraph and QUOTE_MAX_BYTES: the CSUI treebank
 *     convention ("Kami siap. Semua sudah disiapkan," kata Kapolri.);
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
 * Memory: O(longest paragraph) for the break arrays, grown and then reused;
 * one break iterator and one UText per segmenter, reused for every record.
 * Time: linear in the paragraph (windows are disjoint; token look-backs stop
 * at TOKEN_MAX_BYTES, quotation look-aheads at the next quote or
 * QUOTE_MAX_BYTES, parenthesis look-aheads at PAREN_MAX_BYTES, list
 * look-aheads at LIST_MAX_BYTES).
 */
#include "mtprep/segment.h"

#include <assert.h>
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <unicode/ubrk.h>
#include <unicode/uchar.h>
#include <unicode/utext.h>
#include <unicode/utf8.h>

#include "mtprep/alloc.h"
#include "prefixes.h"
#include "stage_impl.h"

/* ICU's break iterator and UText are indexed by int32_t / int64_t; keep every
 * paragraph under this so that byte offsets fit an int32_t. */
#define SEGMENT_MAX_TEXT_BYTES ((size_t)INT32_MAX)

/* A quotation longer than this is not held together (unbalanced quotes would
 * otherwise swallow a whole paragraph). */
#define QUOTE_MAX_BYTES 500

/* A parenthesis longer than this is not held together (an unclosed one
 * would otherwise swallow the rest of the paragraph). */
#define PAREN_MAX_BYTES 250

/* A quotation this long or longer, closed by ',"' and an attribution, is a
 * quoted sentence rather than a quoted name or title. */
#define ATTRIBUTED_QUOTE_MIN_WORDS 8

/* How far after list marker "1." marker "2." is looked for. */
#define LIST_MAX_BYTES 500

/* Longest token the rules look at ("Sp.PD", "KUHP", "a.n"). */
#define TOKEN_MAX_BYTES 64

/* A growable array of byte offsets, reused across texts. */
typedef struct break_list {
    size_t *pos;
    size_t count;
    size_t capacity;
} break_list;

/* Rules fire on a good share of sentences: their counts are tallied by the
 * name's address (each rule returns one string literal) and added to the
 * stage's counts, a lookup by name each, when the stage finishes. */
#define RULE_SLOTS 16

typedef struct rule_tally {
    const char *name;
    uint64_t count;
} rule_tally;

struct mtp_segmenter {
    UBreakIterator *bi;
    UText *ut;
    mtp_prefixes *prefixes;       /* NULL: no prefix list */
    int tailor;                   /* apply the rules */
    int full_icu;                 /* run ICU over whole texts, not windows */
    signed char ascii_sb[0x80];   /* Sentence_Break class of each ASCII character */
    break_list raw;               /* ICU's breaks, before the rules */
    break_list breaks;            /* result of the last call */
    break_list added;             /* breaks ICU missed, before merging */
    break_list scratch;           /* the merge's output, swapped with breaks */
    mtp_counts *counts;           /* where rule counts go; NULL: nowhere */
    rule_tally rules[RULE_SLOTS]; /* rule counts not yet added to counts */
    size_t rule_count;
};

void mtp_segment_options_default(mtp_segment_options *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->lang = "id";
    opts->use_prefixes = 1;
    opts->tailor = 1;
    opts->on_error = MTP_ON_ERROR_SKIP;
}

/* ======================================================================
 * Characters
 * ====================================================================== */

static int sb_class(UChar32 c)
{
    return u_getIntPropertyValue(c, UCHAR_SENTENCE_BREAK);
}

/* The three predicates answer ASCII without a property lookup: most text is
 * ASCII, and these run on every character near a break. */
static int is_terminator(UChar32 c)
{
    if (c < 0x80) {
        return c == '.' || c == '!' || c == '?';
    }
    const int sb = sb_class(c);
    return sb == U_SB_STERM || sb == U_SB_ATERM;
}

static int is_close(UChar32 c)
{
    if (c < 0x80) {
        return c != 0 && strchr("\"'()[]{}", (int)c) != NULL;
    }
    return sb_class(c) == U_SB_CLOSE;
}

static int is_space(UChar32 c)
{
    if (c < 0x80) {
        return c == ' ' || (c >= 0x09 && c <= 0x0D);
    }
    return u_isUWhiteSpace(c);
}

/* Code point starting at byte i (U+FFFD for a bad sequence); *next gets the
 * following offset. */
static UChar32 cp_at(const char *text, size_t len, size_t i, size_t *next)
{
    int32_t pos = (int32_t)i;
    UChar32 c = 0;
    U8_NEXT((const uint8_t *)text, pos, (int32_t)len, c);
    *next = (size_t)pos;
    return c < 0 ? 0xFFFD : c;
}

/* Code point ending at byte i (> 0); *start gets its first byte. */
static UChar32 cp_before(const char *text, size_t i, size_t *start)
{
    int32_t pos = (int32_t)i;
    UChar32 c = 0;
    U8_PREV((const uint8_t *)text, 0, pos, c);
    *start = (size_t)pos;
    return c < 0 ? 0xFFFD : c;
}

static int is_double_quote(UChar32 c)
{
    return c == '"' || c == 0x201C || c == 0x201D;
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

static mtp_status push_break(break_list *list, size_t pos)
{
    const mtp_status st = reserve_breaks(list, list->count + 1);
    if (st == MTP_OK) {
        list->pos[list->count++] = pos;
    }
    return st;
}

/* Merges seg->added into seg->breaks (both sorted), dropping duplicates. */
static mtp_status merge_added(mtp_segmenter *seg)
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

static void count_rule(mtp_segmenter *seg, const char *name)
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
 * ICU in windows around candidates
 * ====================================================================== */

/* UAX #29 puts a sentence break only after a paragraph separator (SB4) or
 * after SATerm Close* Sp* ParaSep? (SB11). Whether such a candidate breaks is
 * settled by SB5-SB11, which look
 *   back    to the character just before the terminator (SB7: (Upper | Lower)
 *           ATerm x Upper), past Extend and Format (SB5);
 *   forward over Close* Sp* and then over anything but OLetter, Upper, Lower,
 *           ParaSep and SATerm, up to the first of those, which decides (SB8's
 *           look-ahead for a lower-case letter, SB8a's SATerm, SB9-SB11's
 *           ParaSep; SContinue and Numeric are decided on the way).
 * So each candidate needs the window [X, D]: X the last character before it
 * that is not Close, Sp, Extend or Format (ICU starts there in the same state
 * as after any break: nothing before X takes part in a rule), D the deciding
 * character (or the end of the text); a separator takes the two characters
 * after it (CR LF). Windows that touch merge, and ICU runs over each window's
 * UTF-8 bytes alone: its breaks inside the window, not at the window's end,
 * are exactly the breaks of a run over the whole text (a differential test
 * over news-id and the UD documents checks this). A window whose candidates
 * are all followed by nothing but Close* Sp* to the end of the text, or by
 * another terminator (SB8a), cannot break, and ICU is skipped. */

/* The Sentence_Break class of `c`; ASCII from a table filled from ICU. */
static int sb_of(const mtp_segmenter *seg, UChar32 c)
{
    return c >= 0 && c < 0x80 ? seg->ascii_sb[c] : sb_class(c);
}

static int is_candidate_class(int sb)
{
    return sb == U_SB_STERM || sb == U_SB_ATERM || sb == U_SB_SEP || sb == U_SB_CR || sb == U_SB_LF;
}

/* Finds candidates in one pass: memchr (vectorised in libc) for each ASCII
 * terminator, a word-at-a-time search for the rare bytes that may start any
 * other candidate (controls up to CR, non-ASCII); each next position is kept
 * until passed. */
typedef struct candidate_scan {
    const char *text;
    size_t len;
    size_t next[4]; /* next '.', '!', '?', other byte worth decoding; len: none */
} candidate_scan;

static const char scan_bytes[3] = {'.', '!', '?'};

/* A byte below 0x0E or from 0x80 up in an 8-byte word (has-less-than and
 * high-bit tests). */
static int word_has_rare_byte(uint64_t w)
{
    const uint64_t ones = 0x0101010101010101u;
    const uint64_t high = 0x8080808080808080u;
    return (((w - ones * 0x0E) & ~w) | w) & high ? 1 : 0;
}

static size_t find_rare_byte(const char *text, size_t len, size_t from)
{
    size_t i = from;
    uint64_t w[2] = {0, 0};
    while (len - i >= sizeof w) {
        memcpy(w, text + i, sizeof w);
        if (word_has_rare_byte(w[0]) | word_has_rare_byte(w[1])) {
            break;
        }
        i += sizeof w;
    }
    while (i < len && (unsigned char)text[i] >= 0x0E && (unsigned char)text[i] < 0x80) {
        i++;
    }
    return i;
}

static size_t find_scan_byte(const candidate_scan *cs, int k, size_t from)
{
    if (k == 3) {
        return find_rare_byte(cs->text, cs->len, from);
    }
    const char *hit =
        from < cs->len ? memchr(cs->text + from, scan_bytes[k], cs->len - from) : NULL;
    return hit != NULL ? (size_t)(hit - cs->text) : cs->len;
}

static void scan_init(candidate_scan *cs, const char *text, size_t len)
{
    cs->text = text;
    cs->len = len;
    for (int k = 0; k < 4; k++) {
        cs->next[k] = find_scan_byte(cs, k, 0);
    }
}

/* Start of the first candidate (terminator or separator) at or after `from`;
 * the text's length when none. */
static size_t next_candidate(const mtp_segmenter *seg, candidate_scan *cs, size_t from)
{
    for (;;) {
        int first = 0;
        for (int k = 0; k < 4; k++) {
            if (cs->next[k] < from) {
                cs->next[k] = find_scan_byte(cs, k, from);
            }
            first = cs->next[k] < cs->next[first] ? k : first;
        }
        const size_t at = cs->next[first];
        if (first < 3 || at >= cs->len) {
            return at;
        }
        size_t after = 0;
        if (is_candidate_class(sb_of(seg, cp_at(cs->text, cs->len, at, &after)))) {
            return at;
        }
        from = after;
    }
}

/* Start of the window for the candidate at `at`: back over Close, Sp, Extend and
 * Format, then one character more; never before `floor`. */
static size_t window_start(const mtp_segmenter *seg, const char *text, size_t at, size_t floor)
{
    size_t pos = at;
    while (pos > floor) {
        size_t start = 0;
        const int sb = sb_of(seg, cp_before(text, pos, &start));
        pos = start < floor ? floor : start;
        if (sb != U_SB_CLOSE && sb != U_SB_SP && sb != U_SB_EXTEND && sb != U_SB_FORMAT) {
            break;
        }
    }
    return pos;
}

/* What follows one candidate. */
typedef struct candidate_view {
    size_t limit;    /* end of the window it needs */
    int may_break;   /* 0: only Close* Sp* to the end, or SATerm, follows (no break) */
    int settled;     /* 1: decided without ICU, see settle_ascii */
    size_t break_at; /* when settled: its break, or SIZE_MAX for none */
} candidate_view;

/* The Sentence_Break class of the ASCII byte at `i`; -1 past the text or for
 * a non-ASCII byte. */
static int ascii_sb_at(const mtp_segmenter *seg, const char *text, size_t len, size_t i)
{
    const unsigned char b = i < len ? (unsigned char)text[i] : 0x80;
    return b < 0x80 ? seg->ascii_sb[b] : -1;
}

/* SB8: after ATerm Close* Sp*, skips characters that are not OLetter,
 * Upper, Lower, ParaSep or SATerm. Returns 1 when the first such character is
 * lower case, 0 when it is another or the text ends, -1 at a non-ASCII byte. */
static int lower_follows(const mtp_segmenter *seg, const char *text, size_t len, size_t i)
{
    for (; i < len; i++) {
        const int sb = ascii_sb_at(seg, text, len, i);
        if (sb < 0) {
            return -1;
        }
        if (sb == U_SB_LOWER || sb == U_SB_UPPER || sb == U_SB_OLETTER || is_candidate_class(sb)) {
            return sb == U_SB_LOWER;
        }
    }
    return 0;
}

/* Nearly every candidate is a '.', '!' or '?' in ASCII context, where the
 * rules of UAX #29 are quick to apply directly; ICU is left the rest
 * (non-ASCII around the terminator, a separator after it, a text starting
 * with it). After the terminator come Close* Sp* up to position p, then:
 *   the end of the text: no break inside it (SB9, SB10);
 *   SContinue or SATerm: no break (SB8a);
 *   '.' right before a digit (SB6), or between a letter and a capital (SB7):
 *   no break;
 *   '.' and, past anything but letters and terminators, a lower-case letter:
 *   no break (SB8);
 *   anything else: a break at p (SB11).
 * Returns 1 with v->break_at set (SIZE_MAX: none) when settled. */
static int settle_ascii(const mtp_segmenter *seg, const char *text, size_t len, size_t at,
                        candidate_view *v)
{
    const int aterm = text[at] == '.';
    size_t p = at + 1;
    while (ascii_sb_at(seg, text, len, p) == U_SB_CLOSE) {
        p++;
    }
    while (ascii_sb_at(seg, text, len, p) == U_SB_SP) {
        p++;
    }
    v->break_at = SIZE_MAX;
    if (p == len) {
        return 1;
    }
    const int sb = ascii_sb_at(seg, text, len, p);
    if (sb < 0 || sb == U_SB_SEP || sb == U_SB_CR || sb == U_SB_LF || (aterm && at == 0)) {
        return 0;
    }
    if (sb == U_SB_SCONTINUE || sb == U_SB_STERM || sb == U_SB_ATERM) {
        return 1;
    }
    if (aterm && p == at + 1) {
        const int before = ascii_sb_at(seg, text, len, at - 1);
        if (before < 0) {
            return 0;
        }
        if (sb == U_SB_NUMERIC ||
            (sb == U_SB_UPPER && (before == U_SB_UPPER || before == U_SB_LOWER))) {
            return 1;
        }
    }
    const int lower = aterm ? lower_follows(seg, text, len, p) : 0;
    if (lower < 0) {
        return 0;
    }
    v->break_at = lower ? SIZE_MAX : p;
    return 1;
}

/* Whether a character continues the candidate's Close* Sp* run. */
static int continues_close_sp(int sb, int *seen_sp)
{
    if (sb == U_SB_SP) {
        *seen_sp = 1;
        return 1;
    }
    return sb == U_SB_CLOSE && !*seen_sp;
}

/* Looks forward from `pos`, the end of a terminator, to the character that
 * decides it. */
static candidate_view view_terminator(const mtp_segmenter *seg, const char *text, size_t len,
                                      size_t pos)
{
    candidate_view v = {len, 0, 0, SIZE_MAX};
    int in_run = 1; /* inside Close* Sp* */
    int seen_sp = 0;
    while (pos < len) {
        size_t next = 0;
        const int sb = sb_of(seg, cp_at(text, len, pos, &next));
        pos = next;
        if (sb == U_SB_EXTEND || sb == U_SB_FORMAT ||
            (in_run && continues_close_sp(sb, &seen_sp))) {
            continue;
        }
        if (in_run) {
            in_run = 0;
            v.may_break = sb != U_SB_STERM && sb != U_SB_ATERM; /* SB8a */
        }
        if (sb == U_SB_OLETTER || sb == U_SB_UPPER || sb == U_SB_LOWER || is_candidate_class(sb)) {
            break;
        }
    }
    v.limit = pos;
    return v;
}

/* The window a candidate needs past itself: the deciding character for a
 * terminator, two characters for a separator. */
static candidate_view view_candidate(const mtp_segmenter *seg, const char *text, size_t len,
                                     size_t at)
{
    size_t pos = 0;
    const int sb = sb_of(seg, cp_at(text, len, at, &pos));
    if (sb == U_SB_STERM || sb == U_SB_ATERM) {
        candidate_view v = view_terminator(seg, text, len, pos);
        v.settled = pos == at + 1 && settle_ascii(seg, text, len, at, &v);
        return v;
    }
    candidate_view v = {len, 1, 0, SIZE_MAX};
    for (int k = 0; k < 2 && pos < len; k++) {
        cp_at(text, len, pos, &pos);
    }
    v.limit = pos;
    return v;
}

/* Runs ICU over text[start, limit) and appends its inner breaks to seg->raw. */
static mtp_status icu_window(mtp_segmenter *seg, const char *text, size_t start, size_t limit,
                             mtp_error *err)
{
    UErrorCode status = U_ZERO_ERROR;
    seg->ut = utext_openUTF8(seg->ut, text + start, (int64_t)(limit - start), &status);
    ubrk_setUText(seg->bi, seg->ut, &status);
    if (U_FAILURE(status)) {
        return mtp_error_set(err, MTP_ERR_ICU, "utext_openUTF8/ubrk_setUText: %s",
                             u_errorName(status));
    }
    const size_t window_len = limit - start;
    for (int32_t b = ubrk_next(seg->bi); b != UBRK_DONE && (size_t)b < window_len;
         b = ubrk_next(seg->bi)) {
        const mtp_status st = push_break(&seg->raw, start + (size_t)b);
        if (st != MTP_OK) {
            return st;
        }
    }
    return MTP_OK;
}

/* Records a settled candidate's break; 1 when the cluster stays settled. */
static int settled_break(mtp_segmenter *seg, const candidate_view *v, mtp_status *st)
{
    if (v->settled && v->break_at != SIZE_MAX && *st == MTP_OK) {
        *st = push_break(&seg->raw, v->break_at);
    }
    return v->settled;
}

/* ICU's breaks for the whole text, found window by window into seg->raw:
 * candidates whose windows touch form a cluster; a cluster of settled
 * candidates keeps their breaks, any other runs ICU over its window. */
static mtp_status icu_breaks_windowed(mtp_segmenter *seg, const char *text, size_t len,
                                      mtp_error *err)
{
    candidate_scan cs;
    scan_init(&cs, text, len);
    size_t done = 0; /* the text before this is settled */
    size_t at = next_candidate(seg, &cs, 0);
    mtp_status st = MTP_OK;
    while (at < len && st == MTP_OK) {
        const size_t start = window_start(seg, text, at, done);
        const size_t kept = seg->raw.count;
        candidate_view v = view_candidate(seg, text, len, at);
        int settled = settled_break(seg, &v, &st);
        at = next_candidate(seg, &cs, at + 1);
        while (at < len && (at < v.limit || window_start(seg, text, at, v.limit) <= v.limit)) {
            const candidate_view more = view_candidate(seg, text, len, at);
            settled &= settled_break(seg, &more, &st);
            v.may_break |= more.may_break;
            v.limit = more.limit > v.limit ? more.limit : v.limit;
            at = next_candidate(seg, &cs, at + 1);
        }
        if (!settled && v.may_break && st == MTP_OK) {
            seg->raw.count = kept;
            st = icu_window(seg, text, start, v.limit, err);
        }
        done = v.limit;
    }
    return st;
}

/* ICU's breaks from one iteration over the whole text, into seg->raw. */
static mtp_status icu_breaks_full(mtp_segmenter *seg, const char *text, size_t len, mtp_error *err)
{
    return icu_window(seg, text, 0, len, err);
}

/* ======================================================================
 * The shape of a proposed break
 * ====================================================================== */

/* Start of the token ending at `limit` (after white space or the text start).
 * Tokens the rules care about are short: a token longer than
 * TOKEN_MAX_BYTES counts as empty (start == limit), which keeps every rule
 * linear on texts with no spaces. */
static size_t token_start(const char *text, size_t limit)
{
    const size_t floor = limit > TOKEN_MAX_BYTES ? limit - TOKEN_MAX_BYTES : 0;
    size_t pos = limit;
    while (pos > 0) {
        const unsigned char b = (unsigned char)text[pos - 1];
        size_t start = pos - 1;
        if (b >= 0x80 ? is_space(cp_before(text, pos, &start)) : is_space(b)) {
            return pos;
        }
        if (start < floor) {
            return limit;
        }
        pos = start;
    }
    return pos;
}

typedef struct break_site {
    size_t term_start; /* the terminator run before the break: [term_start, term_limit) */
    size_t term_limit;
    size_t close_limit; /* end of the Close characters after the run */
    size_t word_start;  /* the token before the run, leading punctuation skipped */
    size_t next;        /* where the next sentence starts */
    UChar32 next_cp;    /* its first character; 0 at the end of the text */
} break_site;

/* Walks back from `content_end` over Close characters, then terminators,
 * then the token before them. */
static void describe_site(const char *text, size_t len, size_t content_end, size_t next,
                          break_site *site)
{
    size_t pos = content_end;
    size_t start = 0;
    while (pos > 0 && is_close(cp_before(text, pos, &start))) {
        pos = start;
    }
    site->close_limit = content_end;
    site->term_limit = pos;
    while (pos > 0 && is_terminator(cp_before(text, pos, &start))) {
        pos = start;
    }
    site->term_start = pos;
    pos = token_start(text, pos);
    size_t after = 0;
    while (pos < site->term_start && !u_isalnum(cp_at(text, len, pos, &after))) {
        pos = after;
    }
    site->word_start = pos;
    site->next = next;
    site->next_cp = next < len ? cp_at(text, len, next, &after) : 0;
}

/* End of the non-space content before `pos`. */
static size_t content_end_before(const char *text, size_t pos)
{
    size_t start = 0;
    while (pos > 0 && is_space(cp_before(text, pos, &start))) {
        pos = start;
    }
    return pos;
}

static int run_is_single_period(const char *text, const break_site *site)
{
    return site->term_limit - site->term_start == 1 && text[site->term_start] == '.';
}

/* "R", "B.J", "A.B.C": single capital letters joined by periods. */
static int is_initials(const char *text, size_t start, size_t limit)
{
    size_t pos = start;
    int letters = 0;
    while (pos < limit) {
        size_t next = 0;
        if (!u_isupper(cp_at(text, limit, pos, &next))) {
            return 0;
        }
        letters++;
        if (next < limit && text[next] != '.') {
            return 0;
        }
        pos = next < limit ? next + 1 : next;
    }
    return letters > 0;
}

/* ======================================================================
 * Rules on ICU's breaks
 * ====================================================================== */

/* "XI", "IV": a Roman numeral standing for a number after "No.". */
static int starts_roman_numeral(const char *text, size_t len, size_t pos)
{
    size_t i = pos;
    while (i < len && strchr("IVXLCDM", text[i]) != NULL && text[i] != '\0') {
        i++;
    }
    return i > pos && (i == len || !u_isalnum((unsigned char)text[i]));
}

static int is_roman_letter(char c)
{
    return c == 'I' || c == 'V' || c == 'X' || c == 'L' || c == 'C' || c == 'D' || c == 'M';
}

/* Whether [start, limit) is one part of a reference number: a Roman numeral,
 * a single capital letter or a number ("XI", "B", "02.00"). The first
 * character settles most tokens, so ordinary words cost one test. */
static int is_reference_part(const char *text, size_t start, size_t limit)
{
    if (limit <= start) {
        return 0;
    }
    const char first = text[start];
    if (isdigit((unsigned char)first)) {
        for (size_t i = start + 1; i < limit; i++) {
            if (!isdigit((unsigned char)text[i]) && text[i] != '.') {
                return 0;
            }
        }
        return 1;
    }
    if (!isupper((unsigned char)first)) {
        return 0;
    }
    for (size_t i = start + 1; i < limit; i++) {
        if (!is_roman_letter(text[i]) || !is_roman_letter(first)) {
            return 0;
        }
    }
    return 1;
}

/* Whether the period after [word_start, term_start) is inside a reference
 * number that a numeric prefix opened: "No. XI. B. 02.00", where every part
 * since the prefix, this one and the next are reference parts. */
static int inside_reference_number(const mtp_segmenter *seg, const char *text, size_t len,
                                   const break_site *site)
{
    if (seg->prefixes == NULL || !is_reference_part(text, site->word_start, site->term_start)) {
        return 0;
    }
    size_t limit = site->next;
    while (limit < len && isalnum((unsigned char)text[limit])) {
        limit++;
    }
    if (!is_reference_part(text, site->next, limit)) {
        return 0;
    }
    size_t pos = site->word_start;
    for (int parts = 0; parts < 4; parts++) {
        while (pos > 0 && text[pos - 1] == ' ') {
            pos--;
        }
        if (pos < 2 || text[pos - 1] != '.') {
            return 0;
        }
        const size_t end = pos - 1;
        size_t start = end;
        while (start > 0 && isalnum((unsigned char)text[start - 1])) {
            start--;
        }
        if (mtp_prefixes_find(seg->prefixes, text + start, end - start) == MTP_PREFIX_NUMERIC) {
            return 1;
        }
        if (!is_reference_part(text, start, end)) {
            return 0;
        }
        pos = start;
    }
    return 0;
}

/* A lone "I", "V" or "X" after a lower-case word is a Roman numeral that may
 * end a sentence ("kuartal I."), not an initial. */
static int is_roman_after_lower_word(const char *text, size_t word_start, size_t word_len)
{
    if (word_len != 1 || strchr("IVX", text[word_start]) == NULL || word_start < 2) {
        return 0;
    }
    size_t start = 0;
    if (!is_space(cp_before(text, word_start, &start)) || start == 0) {
        return 0;
    }
    const size_t previous = token_start(text, start);
    size_t next = 0;
    return previous < start && u_islower(cp_at(text, start, previous, &next));
}

/* Applies the prefix list and the initials rule to "WORD." breaks. Returns
 * the name of the rule that suppresses the break, or NULL. */
static const char *prefix_rule(const mtp_segmenter *seg, const char *text, size_t len,
                               const break_site *site)
{
    if (!run_is_single_period(text, site) || site->close_limit != site->term_limit) {
        return NULL;
    }
    const char *word = text + site->word_start;
    const size_t word_len = site->term_start - site->word_start;
    if (word_len == 0) {
        return NULL;
    }
    mtp_prefix_class cls = MTP_PREFIX_NONE;
    if (seg->prefixes != NULL) {
        cls = mtp_prefixes_find(seg->prefixes, word, word_len);
    }
    if (cls == MTP_PREFIX_PLAIN) {
        return "suppressed.prefix";
    }
    if (cls != MTP_PREFIX_NONE && site->next_cp == '(') {
        return "suppressed.parenthesis"; /* "Pte. Ltd. (SPA) menjual" */
    }
    if (cls == MTP_PREFIX_NUMERIC &&
        (u_isdigit(site->next_cp) || starts_roman_numeral(text, len, site->next))) {
        return "suppressed.numeric";
    }
    if (cls == MTP_PREFIX_NONE && inside_reference_number(seg, text, len, site)) {
        return "suppressed.reference_number";
    }
    if (cls == MTP_PREFIX_NONE && is_initials(text, site->word_start, site->term_start) &&
        u_isupper(site->next_cp) && !is_roman_after_lower_word(text, site->word_start, word_len)) {
        return "suppressed.initial";
    }
    return NULL;
}

/* "?" or "!" + closing quote + lower-case word: an attribution follows. */
static const char *attribution_rule(const char *text, const break_site *site)
{
    if (site->close_limit == site->term_limit || !u_islower(site->next_cp)) {
        return NULL;
    }
    for (size_t i = site->term_start; i < site->term_limit; i++) {
        if (text[i] == '?' || text[i] == '!') {
            return "suppressed.attribution";
        }
    }
    return NULL;
}

/* "me?njelang", "jum?at": a question mark glued between lower-case letters
 * is a character lost in conversion (an apostrophe, a soft hyphen), not the
 * end of a question. */
static const char *mojibake_question_rule(const char *text, const break_site *site)
{
    const int glued = site->next == site->term_limit && site->close_limit == site->term_limit;
    if (!glued || site->term_limit - site->term_start != 1 || text[site->term_start] != '?' ||
        !u_islower(site->next_cp) || site->term_start == 0) {
        return NULL;
    }
    size_t start = 0;
    return u_islower(cp_before(text, site->term_start, &start)) ? "suppressed.glued_question"
                                                                : NULL;
}

/* Where the double quotation open at a position closes; tracked in one
 * forward pass over the paragraph as breaks arrive in order. */
typedef struct quote_scan {
    size_t pos;      /* scanned up to here */
    int open;        /* a quotation is open at pos */
    size_t close_at; /* its closing quote; SIZE_MAX: not found */
} quote_scan;

/* A straight quote opens a quotation when it follows white space, the start
 * of the text or an opening bracket, or, with no quotation open, when a
 * letter or digit follows it ('kata Timo."Buat'); otherwise it closes one. */
static int opens_quotation(const char *text, size_t len, size_t pos, int open_now)
{
    size_t start = 0;
    size_t next = 0;
    const UChar32 c = cp_at(text, len, pos, &next);
    if (c != '"') {
        return c == 0x201C;
    }
    if (pos == 0) {
        return 1;
    }
    const UChar32 before = cp_before(text, pos, &start);
    if (is_space(before) || before == '(' || before == '[') {
        return 1;
    }
    return !open_now && next < len && u_isalnum(cp_at(text, len, next, &start));
}

/* The first byte in [from, limit) that may start a double quote: '"', or
 * 0xE2, which leads U+201C and U+201D; limit when none. */
static size_t next_quote_candidate(const char *text, size_t from, size_t limit)
{
    const char *straight = memchr(text + from, '"', limit - from);
    const size_t end = straight != NULL ? (size_t)(straight - text) : limit;
    const char *curly = memchr(text + from, 0xE2, end - from);
    return curly != NULL ? (size_t)(curly - text) : end;
}

/* Where the quotation opened before `from` closes: a closing quote right after
 * a terminator or comma, within `limit`. SIZE_MAX when it does not close so
 * (another quotation opens first, or the quote is not shaped as a closing one). */
static size_t find_closing_quote(const char *text, size_t len, size_t from, size_t limit)
{
    const size_t end = limit < len ? limit : len;
    size_t i = from;
    while (i < end) {
        i = next_quote_candidate(text, i, end);
        if (i >= end) {
            break;
        }
        size_t next = 0;
        const UChar32 c = cp_at(text, len, i, &next);
        if (is_double_quote(c)) {
            size_t start = 0;
            const UChar32 before = cp_before(text, i, &start);
            const int ends_clause = is_terminator(before) || before == ',' || before == 0x2026;
            return !opens_quotation(text, len, i, 1) && ends_clause ? i : SIZE_MAX;
        }
        i = next;
    }
    return SIZE_MAX;
}

static void quote_advance(quote_scan *q, const char *text, size_t len, size_t to)
{
    while (q->pos < to) {
        q->pos = next_quote_candidate(text, q->pos, to);
        if (q->pos >= to) {
            break;
        }
        size_t next = 0;
        const UChar32 c = cp_at(text, len, q->pos, &next);
        if (is_double_quote(c)) {
            q->open = opens_quotation(text, len, q->pos, q->open);
            if (q->open) {
                q->close_at = find_closing_quote(text, len, next, q->pos + QUOTE_MAX_BYTES);
            }
        }
        q->pos = next;
    }
}

/* A break inside a quotation that closes later in the paragraph. */
static const char *quote_rule(quote_scan *q, const char *text, size_t len, const break_site *site)
{
    quote_advance(q, text, len, site->term_start);
    if (!q->open || q->close_at == SIZE_MAX || q->close_at < site->next) {
        return NULL;
    }
    return "suppressed.quote";
}

/* The parenthesis around the breaks under review, found in one forward pass
 * as breaks arrive in order. */
typedef struct paren_scan {
    size_t pos;      /* no '(' before this is left to look at */
    size_t open_at;  /* the last parenthesis found that closes; SIZE_MAX: none */
    size_t close_at; /* where it closes */
} paren_scan;

/* The ')' closing the '(' at `open`, nested pairs included, within
 * PAREN_MAX_BYTES; SIZE_MAX when there is none. */
static size_t find_closing_paren(const char *text, size_t len, size_t open)
{
    const size_t end = len - open > PAREN_MAX_BYTES ? open + PAREN_MAX_BYTES : len;
    int depth = 0;
    for (size_t i = open; i < end; i++) {
        depth += (text[i] == '(') - (text[i] == ')');
        if (depth == 0) {
            return i;
        }
    }
    return SIZE_MAX;
}

/* Whether the terminator at `at` lies inside a parenthesis; finds the
 * parentheses opening before it. */
static int paren_encloses(paren_scan *ps, const char *text, size_t len, size_t at)
{
    while (ps->open_at == SIZE_MAX || ps->close_at < at) {
        const char *open = ps->pos < at ? memchr(text + ps->pos, '(', at - ps->pos) : NULL;
        if (open == NULL) {
            ps->pos = at;
            return 0;
        }
        const size_t open_at = (size_t)(open - text);
        const size_t close_at = find_closing_paren(text, len, open_at);
        ps->pos = close_at != SIZE_MAX ? close_at + 1 : open_at + 1;
        if (close_at != SIZE_MAX) {
            ps->open_at = open_at;
            ps->close_at = close_at;
        }
    }
    return ps->open_at < at;
}

/* "Honje hutan (E. hemisphaerica (Bl.) RM Smith) memiliki", "(SSK. II)",
 * "(HR. Bukhari)": a break inside a parenthesis that closes shortly after is
 * an abbreviation or a sentence quoted inside another; the parenthesis stays
 * in its sentence, as quotations do. */
static const char *paren_rule(paren_scan *ps, const char *text, size_t len, const break_site *site)
{
    if (!paren_encloses(ps, text, len, site->term_start) || site->next > ps->close_at) {
        return NULL;
    }
    return "suppressed.in_parentheses";
}

/* The number of a list marker "1." .. "99." standing as its own token
 * before the break; 0 when the token is something else. */
static unsigned list_marker(const char *text, const break_site *site)
{
    const size_t digits = site->term_start - site->word_start;
    if (!run_is_single_period(text, site) || site->close_limit != site->term_limit || digits == 0 ||
        digits > 2 || (site->word_start > 0 && text[site->word_start - 1] != ' ')) {
        return 0;
    }
    unsigned n = 0;
    for (size_t i = site->word_start; i < site->term_start; i++) {
        if (!isdigit((unsigned char)text[i])) {
            return 0;
        }
        n = n * 10 + (unsigned)(text[i] - '0');
    }
    return n;
}

/* The token ending at the content before `pos`: [*start, limit). */
static size_t token_before(const char *text, size_t pos, size_t *start)
{
    const size_t limit = content_end_before(text, pos);
    *start = token_start(text, limit);
    return limit;
}

/* What a list marker glued to the item before it follows: the item's last
 * letter, ')' or '%', or a heading's ':'. */
static int is_marker_glue(unsigned char c)
{
    return isalpha(c) || (c != 0 && strchr(":)%", c) != NULL);
}

/* Where marker "2." followed by a capitalised word stands as its own token, or
 * glued to the item before it, in [from, from + LIST_MAX_BYTES); SIZE_MAX
 * when it does not. */
static size_t find_second_marker(const char *text, size_t len, size_t from)
{
    const size_t end = len - from > LIST_MAX_BYTES ? from + LIST_MAX_BYTES : len;
    for (size_t i = from; i + 3 < end; i++) {
        const char *two = memchr(text + i, '2', end - 3 - i);
        if (two == NULL) {
            break;
        }
        i = (size_t)(two - text);
        if (i == from) {
            continue;
        }
        size_t next = 0;
        const unsigned char before = (unsigned char)text[i - 1];
        if ((before == ' ' || is_marker_glue(before)) && text[i + 1] == '.' && text[i + 2] == ' ' &&
            u_isupper(cp_at(text, len, i + 3, &next))) {
            return i;
        }
    }
    return SIZE_MAX;
}

/* "Daftar Isi 1. Opsen pajak 2. Harga rokok", "Pemberi suap: 1. Ade Yasin
 * 2. Maulana": marker "1." inside a sentence, before a capitalised word,
 * opens a list when marker "2." follows shortly and the token before "1." is
 * a heading (capitalised, or ending in ':'). A counted noun repeated before
 * both numbers is a reference, not a list ("ayat 1. Lah ... ayat 2."). */
static int opens_list(const char *text, size_t len, const break_site *site)
{
    size_t first = 0;
    const size_t first_limit = token_before(text, site->word_start, &first);
    size_t next = 0;
    if (first == first_limit || !u_isupper(site->next_cp) ||
        (u_islower(cp_at(text, len, first, &next)) && text[first_limit - 1] != ':')) {
        return 0;
    }
    const size_t two = find_second_marker(text, len, site->next);
    if (two == SIZE_MAX) {
        return 0;
    }
    size_t second = 0;
    const size_t second_limit = token_before(text, two, &second);
    const size_t n = first_limit - first;
    return second_limit - second != n || memcmp(text + first, text + second, n) != 0;
}

/* Numbered lists run into one paragraph ("1. Kementerian A 2. Kementerian B"):
 * ICU breaks after each marker. A marker that would be a sentence of its own
 * joins the sentence after it; marker "1." that opens a list inside a
 * sentence, and marker N + 1 after marker N, start a sentence (the break moves
 * before them). Returns the rule applied and sets *at to where the break goes
 * (SIZE_MAX: nowhere), or NULL. */
static const char *list_rule(const mtp_segmenter *seg, unsigned *list_last, const char *text,
                             size_t len, const break_site *site, size_t *at)
{
    const unsigned n = list_marker(text, site);
    if (n == 0) {
        return NULL;
    }
    const break_list *kept = &seg->breaks;
    size_t sentence_start = kept->count > 0 ? kept->pos[kept->count - 1] : 0;
    while (sentence_start < site->word_start && is_space((unsigned char)text[sentence_start])) {
        sentence_start++;
    }
    if (sentence_start == site->word_start) {
        *list_last = n;
        *at = SIZE_MAX;
        return "suppressed.list_marker";
    }
    if (n >= 2 && n == *list_last + 1) {
        *list_last = n;
        *at = site->word_start;
        return "moved.list_marker";
    }
    if (n == 1 && opens_list(text, len, site)) {
        *list_last = n;
        *at = site->word_start;
        return "moved.list_start";
    }
    return NULL;
}

/* A list marker glued before a single period that a capital follows
 * ("miliar.3. Lombok", "Belgia3. Prancis"): one or two digits right before
 * the period. Sets *digits to where they start and *n to their value. */
static int glued_marker_digits(const char *text, const break_site *site, size_t *digits,
                               unsigned *n)
{
    if (!run_is_single_period(text, site) || site->close_limit != site->term_limit ||
        !u_isupper(site->next_cp)) {
        return 0;
    }
    size_t at = site->term_start;
    unsigned value = 0;
    for (unsigned scale = 1; at > 0 && isdigit((unsigned char)text[at - 1]); scale *= 10) {
        value += scale * (unsigned)(text[--at] - '0');
    }
    const size_t count = site->term_start - at;
    *digits = at;
    *n = value;
    return count > 0 && count <= 2;
}

/* "Rp 625 miliar.3. Lombok Barat": a numbered list run together by scraping,
 * each marker glued to the end of the item before it. ICU breaks after the
 * marker ("miliar.3" stays together by SB6); the break moves before it when a
 * word or ')' ends the item and a capitalised word starts the next one
 * ("G.30.S/PKI" stays). Returns the rule and sets *at, or NULL. */
static const char *glued_marker_rule(const mtp_segmenter *seg, unsigned *list_last,
                                     const char *text, size_t len, const break_site *site,
                                     size_t *at)
{
    size_t digits = 0;
    unsigned n = 0;
    if (!glued_marker_digits(text, site, &digits, &n)) {
        return NULL;
    }
    const size_t kept = seg->breaks.count > 0 ? seg->breaks.pos[seg->breaks.count - 1] : 0;
    if (digits < 2 + kept || text[digits - 1] != '.') {
        return NULL;
    }
    const unsigned char before = (unsigned char)text[digits - 2];
    const int word_before =
        isalpha(before) && digits >= 3 && isalpha((unsigned char)text[digits - 3]);
    const size_t second = site->next + 1; /* the capital is ASCII: u_isupper and < 0x80 */
    if ((!word_before && before != ')') || site->next_cp >= 0x80 || second >= len ||
        !islower((unsigned char)text[second])) {
        return NULL;
    }
    *list_last = n;
    *at = digits;
    return "moved.glued_list_marker";
}

/* Whether the sentence running up to `limit` is a list item: it starts with a
 * marker "1." .. "99.". */
static int item_is_open(const mtp_segmenter *seg, const char *text, size_t limit)
{
    const break_list *kept = &seg->breaks;
    size_t i = kept->count > 0 ? kept->pos[kept->count - 1] : 0;
    while (i < limit && is_space((unsigned char)text[i])) {
        i++;
    }
    const size_t digits = i;
    while (i < limit && i - digits < 3 && isdigit((unsigned char)text[i])) {
        i++;
    }
    return i > digits && i - digits <= 2 && i < limit && text[i] == '.';
}

/* "(Tuan rumah)2. Belgia3. Prancis", "ialah:1. Demas", "22,9%2. Gerindra":
 * a list run together by scraping with each marker glued to the end of the
 * item before it, no period between. ICU breaks after the marker; the break
 * moves before it when the marker continues the list (N + 1 after the item
 * that marker N started), or is "1." glued to a heading's ':' with "2."
 * ahead. Digits glued to a word are otherwise part of it ("B2.", "Liga1."):
 * the sequence is the evidence. */
static const char *glued_sequence_rule(const mtp_segmenter *seg, unsigned *list_last,
                                       const char *text, size_t len, const break_site *site,
                                       size_t *at)
{
    size_t digits = 0;
    unsigned n = 0;
    if (!glued_marker_digits(text, site, &digits, &n)) {
        return NULL;
    }
    const unsigned char before = digits > 0 ? (unsigned char)text[digits - 1] : ' ';
    if (!is_marker_glue(before)) {
        return NULL;
    }
    const int continues = n >= 2 && n == *list_last + 1 && item_is_open(seg, text, digits);
    const int opens =
        n == 1 && text[digits - 1] == ':' && find_second_marker(text, len, site->next) != SIZE_MAX;
    if (!continues && !opens) {
        return NULL;
    }
    *list_last = n;
    *at = digits;
    return "moved.glued_list_sequence";
}

/* 'kata Timo."Buat pemain': a straight quote between a terminator and a
 * letter, with no quotation open, opens the next sentence's quotation; ICU
 * counts it as Close and leaves it on the previous sentence. */
static int glued_opening_quote(const quote_scan *q, const char *text, const break_site *site)
{
    return site->close_limit == site->term_limit + 1 && text[site->term_limit] == '"' &&
           site->next == site->close_limit && !q->open;
}

/* State of the review across one paragraph's breaks, which arrive in order. */
typedef struct review_state {
    quote_scan quotes;
    paren_scan parens;
    unsigned list_last; /* the last list marker seen; 0: none */
} review_state;

/* Reviews ICU's break before `next`: sets *at to where the break goes
 * (`next`, another position, or SIZE_MAX to suppress it) and returns the name
 * of the rule that changed it, NULL when none did. */
static const char *review_break(const mtp_segmenter *seg, review_state *rs, const char *text,
                                size_t len, size_t next, size_t *at)
{
    break_site site;
    describe_site(text, len, content_end_before(text, next), next, &site);
    *at = next;
    if (site.term_limit == site.term_start) {
        return NULL; /* a break after a paragraph separator */
    }
    const char *rule = prefix_rule(seg, text, len, &site);
    if (rule == NULL) {
        rule = attribution_rule(text, &site);
    }
    if (rule == NULL) {
        rule = mojibake_question_rule(text, &site);
    }
    if (rule == NULL) {
        rule = quote_rule(&rs->quotes, text, len, &site);
    }
    if (rule == NULL) {
        rule = paren_rule(&rs->parens, text, len, &site);
    }
    if (rule != NULL) {
        *at = SIZE_MAX;
        return rule;
    }
    if (glued_opening_quote(&rs->quotes, text, &site)) {
        *at = site.term_limit;
        return "moved.glued_quote";
    }
    rule = glued_marker_rule(seg, &rs->list_last, text, len, &site, at);
    if (rule == NULL) {
        rule = glued_sequence_rule(seg, &rs->list_last, text, len, &site, at);
    }
    if (rule != NULL) {
        return rule;
    }
    return list_rule(seg, &rs->list_last, text, len, &site, at);
}

/* ======================================================================
 * Breaks ICU misses
 * ====================================================================== */

static int is_listed(const mtp_segmenter *seg, const char *text, size_t start, size_t limit)
{
    return seg->prefixes != NULL &&
           mtp_prefixes_find(seg->prefixes, text + start, limit - start) != MTP_PREFIX_NONE;
}

/* Glued sentences from scraping, "katanya.Sementara" or "KUHP.Selain": UAX #29
 * rule SB7 ((Upper | Lower) ATerm x Upper) keeps them together. It is a
 * sentence end when the token before the period is a word (no period, slash,
 * '@' or ':' in it, so domains, URLs and dotted initials stay; an all-capital
 * token needs two capitals, so "A.Budi" stays), not a listed prefix, and the
 * word after is capitalised, goes on in lower case and does not end in a
 * period or digit itself ("PN.Jkt.Pst", "Node.Js2" stay). */
static size_t glued_break(const mtp_segmenter *seg, const char *text, size_t len, size_t dot)
{
    size_t i = dot + 1;
    if (dot == 0 || !isalpha((unsigned char)text[dot - 1]) || i >= len ||
        !isupper((unsigned char)text[i])) {
        return 0;
    }
    i++;
    const size_t lower_start = i;
    while (i < len && islower((unsigned char)text[i])) {
        i++;
    }
    if (i - lower_start < 2 || (i < len && (text[i] == '.' || isalnum((unsigned char)text[i])))) {
        return 0;
    }
    const size_t pos = token_start(text, dot);
    size_t capitals = 0;
    for (size_t k = pos; k < dot; k++) {
        const unsigned char c = (unsigned char)text[k];
        if (c == '.' || c == '/' || c == '@' || c == ':') {
            return 0;
        }
        capitals += isupper(c) != 0;
    }
    const int after_capital = isupper((unsigned char)text[dot - 1]) != 0;
    if (dot == pos || (after_capital && capitals < 2) || is_listed(seg, text, pos, dot)) {
        return 0;
    }
    return dot + 1;
}

/* "10.00. iPhone": a period, white space, and a lower-case word with a capital
 * inside. UAX #29 never breaks before a lower-case letter after a period
 * (SB8); a brand name written so starts a sentence. */
static size_t camel_case_break(const mtp_segmenter *seg, const char *text, size_t len, size_t dot)
{
    size_t i = dot + 1;
    if (i >= len || text[i] != ' ' || (dot > 0 && strchr(".!?", text[dot - 1]) != NULL)) {
        return 0;
    }
    while (i < len && text[i] == ' ') {
        i++;
    }
    const size_t word = i;
    if (i >= len || !islower((unsigned char)text[i])) {
        return 0;
    }
    while (i < len && isalpha((unsigned char)text[i]) && !isupper((unsigned char)text[i])) {
        i++;
    }
    if (i >= len || !isupper((unsigned char)text[i])) {
        return 0;
    }
    const size_t start = token_start(text, dot);
    if (is_listed(seg, text, start, dot) || is_initials(text, start, dot)) {
        return 0;
    }
    return word;
}

/* "tewas. 730 di antara": after a period and white space, a sentence that
 * starts with a number (or a quotation starting with one) and goes on in lower
 * case gets no break from UAX #29 (SB8 looks for the next letter). Added when
 * the word before the period is a lower-case word of three or more letters
 * that is not a listed prefix ("hlm. 25", "tgl. 5" stay). */
static size_t digit_start_break(const mtp_segmenter *seg, const char *text, size_t len, size_t dot)
{
    size_t i = dot + 1;
    if (i >= len || text[i] != ' ') {
        return 0;
    }
    while (i < len && text[i] == ' ') {
        i++;
    }
    const size_t start = i;
    if (i < len && text[i] == '"') {
        i++;
    }
    if (i >= len || !isdigit((unsigned char)text[i])) {
        return 0;
    }
    while (i < len && (isdigit((unsigned char)text[i]) || text[i] == '.' || text[i] == ',')) {
        i++;
    }
    while (i < len && text[i] == ' ') {
        i++;
    }
    if (i >= len || !islower((unsigned char)text[i])) {
        return 0; /* "kaliber. 50 M2": the number goes with what follows */
    }
    const size_t word = token_start(text, dot);
    if (dot - word < 3 || is_listed(seg, text, word, dot)) {
        return 0;
    }
    for (size_t k = word; k < dot; k++) {
        if (!islower((unsigned char)text[k])) {
            return 0;
        }
    }
    return start;
}

/* Lower-case words that never start a sentence after a stray period: the
 * relative "yang", parts of a URL or file name split by spaces ("www. wnyc.
 * org", "gen.tr", "text. pdf", "Aldorino. jpg"), and the particles of Dutch,
 * Spanish and Arabic names after initials written together ("PJB. de
 * Perez"). */
static int continues_sentence(const char *text, size_t len, size_t word)
{
    static const char *const words[] = {
        "yang", "com", "org", "net", "co",  "go",   "ac",  "or", "id",  "html", "htm",
        "php",  "pdf", "jpg", "png", "gif", "jpeg", "svg", "de", "van", "von",  "bin",
    };
    size_t limit = word;
    while (limit < len && isalnum((unsigned char)text[limit])) {
        limit++;
    }
    if (limit < len && (text[limit] == '.' || text[limit] == '/')) {
        return 1;
    }
    for (size_t k = 0; k < sizeof words / sizeof words[0]; k++) {
        if (strlen(words[k]) == limit - word && memcmp(words[k], text + word, limit - word) == 0) {
            return 1;
        }
    }
    return 0;
}

/* Whether [start, limit) is a token that ends a sentence when a period and a
 * lower-case word follow: a lower-case word or a capitalised one ("serius",
 * "Italia") of four or more letters, an acronym of two or more capitals
 * ("BRI", "II"), or a number of three or more characters ("1879", "1.054").
 * Short lower-case tokens and single letters are the shapes abbreviations and
 * initials take ("dll", "S."); short numbers are list items and sections
 * ("pasal 12. ayat"); mixed case is a brand ("iPhone"). */
static int is_plain_token(const char *text, size_t start, size_t limit)
{
    size_t lower = 0;
    size_t upper = 0;
    size_t digits = 0;
    size_t separators = 0; /* '.' and ',' inside a number */
    for (size_t k = start; k < limit; k++) {
        const unsigned char c = (unsigned char)text[k];
        lower += islower(c) != 0;
        upper += isupper(c) != 0;
        digits += isdigit(c) != 0;
        separators += c == '.' || c == ',';
    }
    const size_t n = limit - start;
    if (digits > 0) {
        return n >= 3 && digits + separators == n && isdigit((unsigned char)text[start]) &&
               isdigit((unsigned char)text[limit - 1]);
    }
    if (upper == n) {
        return n >= 2;
    }
    const size_t capitals = isupper((unsigned char)text[start]) != 0;
    return lower + capitals == n && upper == capitals && n >= 4;
}

/* "perhatian serius. pada penyelenggaraan", "asal Italia. apakah", "Juni
 * 1879. atau": UAX #29 never breaks before a lower-case word after a period
 * (SB8), which suits abbreviations ("dll. untuk"). Scraped and informal text
 * often starts sentences in lower case, so a break is added when the token
 * before the period is a plain word, acronym or number (is_plain_token) that
 * is not a listed prefix. */
static size_t lower_start_break(const mtp_segmenter *seg, const char *text, size_t len, size_t dot)
{
    size_t i = dot + 1;
    if (i >= len || text[i] != ' ') {
        return 0;
    }
    while (i < len && text[i] == ' ') {
        i++;
    }
    if (i + 1 >= len || !islower((unsigned char)text[i]) || !islower((unsigned char)text[i + 1])) {
        return 0;
    }
    const size_t word = token_start(text, dot);
    if (!is_plain_token(text, word, dot) || is_listed(seg, text, word, dot) ||
        continues_sentence(text, len, i)) {
        return 0;
    }
    return i;
}

/* Adds the breaks ICU missed, each after a period, in order. */
static mtp_status add_missed_breaks(mtp_segmenter *seg, const char *text, size_t len)
{
    const char *dot = memchr(text, '.', len);
    while (dot != NULL) {
        const size_t at = (size_t)(dot - text);
        size_t extra = glued_break(seg, text, len, at);
        const char *rule = "added.glued";
        if (extra == 0) {
            extra = camel_case_break(seg, text, len, at);
            rule = "added.camel_case";
        }
        if (extra == 0) {
            extra = digit_start_break(seg, text, len, at);
            rule = "added.digit_start";
        }
        if (extra == 0) {
            extra = lower_start_break(seg, text, len, at);
            rule = "added.lower_start";
        }
        if (extra != 0) {
            count_rule(seg, rule);
            const mtp_status st = push_break(&seg->added, extra);
            if (st != MTP_OK) {
                return st;
            }
        }
        dot = at + 1 < len ? memchr(dot + 1, '.', len - at - 1) : NULL;
    }
    return MTP_OK;
}

/* Whether the quotation whose text starts at `from` is a quoted sentence with
 * its attribution: it starts with a capital, runs ATTRIBUTED_QUOTE_MIN_WORDS
 * words or more, and closes with ',"' and a lower-case word ("..., " kata
 * Presiden.) within QUOTE_MAX_BYTES. Quoted names and titles are shorter or
 * close otherwise ("acara "Doa Bersama," katanya", "dijuluki "Whiz Kids.""). */
static int starts_attributed_quote(const char *text, size_t len, size_t from)
{
    size_t next = 0;
    if (from >= len || !u_isupper(cp_at(text, len, from, &next))) {
        return 0;
    }
    const size_t close = find_closing_quote(text, len, from, from + QUOTE_MAX_BYTES);
    if (close == SIZE_MAX || text[close - 1] != ',') {
        return 0;
    }
    (void)cp_at(text, len, close, &next);
    if (next + 1 >= len || text[next] != ' ' || !islower((unsigned char)text[next + 1])) {
        return 0;
    }
    size_t words = 1;
    for (size_t i = from; i < close; i++) {
        words += text[i] == ' ';
    }
    return words >= ATTRIBUTED_QUOTE_MIN_WORDS;
}

/* Whether [start, limit) holds two words or more. Walks back from `limit`
 * over the last word only, so a paragraph's quotes cost linear time. */
static int has_two_words(const char *text, size_t start, size_t limit)
{
    size_t i = limit;
    while (i > start && is_space((unsigned char)text[i - 1])) {
        i--;
    }
    while (i > start && !is_space((unsigned char)text[i - 1])) {
        i--;
    }
    while (i > start && is_space((unsigned char)text[i - 1])) {
        i--;
    }
    return i > start;
}

/* Whether the word that ends at `limit` introduces a quotation as its object
 * ("mengatakan "Saya ..."", "menegaskan bahwa "..."): a verb of saying or
 * "bahwa". Such a quotation continues the sentence. */
static int introduces_quote(const char *text, size_t limit)
{
    static const char *const words[] = {
        "bahwa",       "berkata",    "berujar",       "bertanya",    "bilang",
        "menambahkan", "menanyakan", "menegaskan",    "menjawab",    "menjelaskan",
        "mengakui",    "mengatakan", "mengungkapkan", "menuliskan",  "menulis",
        "menuturkan",  "menyatakan", "menyebut",      "menyebutkan", "mengingatkan",
    };
    size_t start = limit;
    while (start > 0 && isalpha((unsigned char)text[start - 1])) {
        start--;
    }
    for (size_t k = 0; k < sizeof words / sizeof words[0]; k++) {
        const size_t n = strlen(words[k]);
        if (n == limit - start && strncasecmp(words[k], text + start, n) == 0) {
            return 1;
        }
    }
    return 0;
}

/* Whether the quotation opening at `quote` is the object of the words before
 * it in the sentence that starts at `sentence`: they end in a verb of saying
 * and hold no quotation of their own (in '"...," katanya menjelaskan "..."'
 * the verb belongs to the attribution of the quotation before). */
static int quote_is_object(const char *text, size_t sentence, size_t quote)
{
    if (!introduces_quote(text, quote - 1)) {
        return 0;
    }
    for (size_t i = sentence; i < quote; i++) {
        if (text[i] == '"' || (i + 2 < quote && memcmp(text + i, "\xE2\x80\x9D", 3) == 0)) {
            return 0;
        }
    }
    return 1;
}

/* 'parlemen "Sebagian dari nilai transaksi itu ...," kata Djoko.': a quoted
 * sentence with its attribution after text with no final punctuation (a
 * headline, a caption, a sentence that lost its period) starts a sentence of
 * its own. The break goes before the opening quote when the word before it
 * ends in a letter or digit, the text since the last break holds two words
 * or more ("Lalu "Saya ...," ujarnya." stays), and the quotation is not the
 * object of a verb of saying (quote_is_object). */
static mtp_status add_quote_breaks(mtp_segmenter *seg, const char *text, size_t len)
{
    const break_list *kept = &seg->breaks;
    size_t k = 0;
    for (size_t i = next_quote_candidate(text, 0, len); i < len;
         i = next_quote_candidate(text, i + 1, len)) {
        size_t next = 0;
        const UChar32 c = cp_at(text, len, i, &next);
        if ((c != '"' && c != 0x201C) || i < 2 || text[i - 1] != ' ' ||
            !isalnum((unsigned char)text[i - 2]) || !starts_attributed_quote(text, len, next)) {
            continue;
        }
        while (k < kept->count && kept->pos[k] <= i) {
            k++;
        }
        const size_t sentence = k > 0 ? kept->pos[k - 1] : 0;
        if (has_two_words(text, sentence, i) && !quote_is_object(text, sentence, i)) {
            count_rule(seg, "added.attributed_quote");
            const mtp_status st = push_break(&seg->added, i);
            if (st != MTP_OK) {
                return st;
            }
        }
    }
    return MTP_OK;
}

/* The connectives by first letter, each without its capital, so one letter's
 * list is tried only on words that start so. Chosen on news-id, where each
 * starts sentences that lost their period. */
typedef struct connective_tail {
    const char *text;
    size_t len;
} connective_tail;
#define TAIL(s)                                                                                    \
    {                                                                                              \
        s, sizeof s - 1                                                                            \
    }
static const char connective_firsts[] = "AMNPS";
static const connective_tail connective_tails[26][5] = {
    ['A' - 'A'] = {TAIL("dapun")},
    ['M' - 'A'] = {TAIL("enurut"), TAIL("eski"), TAIL("eskipun")},
    ['N' - 'A'] = {TAIL("amun")},
    ['P' - 'A'] = {TAIL("ada"), TAIL("adahal")},
    ['S' - 'A'] = {TAIL("ebelumnya"), TAIL("edangkan"), TAIL("elain"), TAIL("elanjutnya"),
                   TAIL("ementara")},
};
#undef TAIL

/* Whether the word at `at` (one of connective_firsts) is a sentence
 * connective ("Sementara", "Adapun") followed by a space and a lower-case
 * word. */
static int starts_with_connective(const char *text, size_t len, size_t at)
{
    const connective_tail *tails = connective_tails[text[at] - 'A'];
    for (size_t k = 0; k < 5 && tails[k].text != NULL; k++) {
        const size_t end = at + 1 + tails[k].len;
        if (end + 1 < len && text[end] == ' ' && islower((unsigned char)text[end + 1]) &&
            memcmp(tails[k].text, text + at + 1, tails[k].len) == 0) {
            return 1;
        }
    }
    return 0;
}

/* Whether the word that ends at `limit` (a letter or digit) starts with a
 * lower-case letter or a digit, and so is no part of a name or a title. */
static int lower_word_before(const char *text, size_t limit)
{
    size_t start = limit;
    while (start > 0 && !is_space((unsigned char)text[start - 1])) {
        start--;
    }
    return islower((unsigned char)text[start]) || isdigit((unsigned char)text[start]);
}

/* Whether [from, to) holds an odd number of double quotes: `to` is inside a
 * quotation opened since `from`. */
static int inside_open_quote(const char *text, size_t from, size_t to)
{
    int open = 0;
    for (size_t i = next_quote_candidate(text, from, to); i < to;
         i = next_quote_candidate(text, i + 1, to)) {
        size_t next = 0;
        open ^= is_double_quote(cp_at(text, to, i, &next));
    }
    return open;
}

/* "per bulan Adapun wakil presiden ...": a sentence connective written with
 * a capital right after a lower-case word, with no punctuation between,
 * starts a sentence whose period was lost (scraped text, a headline run into
 * the body). Not after a capitalised word (names and titles: "Pemerintahan
 * Sementara"), not before a capitalised word ("Pada Suatu Hari"), not after
 * a comma, not inside a quotation. */
static mtp_status add_connective_breaks(mtp_segmenter *seg, const char *text, size_t len)
{
    const break_list *kept = &seg->breaks;
    for (const char *f = connective_firsts; *f != '\0'; f++) {
        /* One letter's breaks are in order; merged before the next letter's. */
        mtp_status st = seg->added.count > 0 ? merge_added(seg) : MTP_OK;
        seg->added.count = 0;
        size_t k = 0;
        for (const char *hit = memchr(text, *f, len); hit != NULL && st == MTP_OK;
             hit = memchr(hit + 1, *f, len - (size_t)(hit + 1 - text))) {
            const size_t i = (size_t)(hit - text);
            if (i < 2 || text[i - 1] != ' ' || !isalnum((unsigned char)text[i - 2]) ||
                !starts_with_connective(text, len, i) || !lower_word_before(text, i - 1)) {
                continue;
            }
            while (k < kept->count && kept->pos[k] <= i) {
                k++;
            }
            if (!inside_open_quote(text, k > 0 ? kept->pos[k - 1] : 0, i)) {
                count_rule(seg, "added.connective");
                st = push_break(&seg->added, i);
            }
        }
        if (st != MTP_OK) {
            return st;
        }
    }
    return MTP_OK;
}

/* ======================================================================
 * One text
 * ====================================================================== */

/* Reviews ICU's breaks (seg->raw) with the rules into seg->breaks. */
static mtp_status review_breaks(mtp_segmenter *seg, const char *text, size_t len)
{
    review_state rs = {{0, 0, SIZE_MAX}, {0, SIZE_MAX, 0}, 0};
    for (size_t k = 0; k < seg->raw.count; k++) {
        const size_t next = seg->raw.pos[k];
        size_t at = next;
        const char *rule = seg->tailor ? review_break(seg, &rs, text, len, next, &at) : NULL;
        if (rule != NULL) {
            count_rule(seg, rule);
        }
        if (at == SIZE_MAX) {
            continue;
        }
        assert(seg->breaks.count == 0 || at > seg->breaks.pos[seg->breaks.count - 1]);
        const mtp_status st = push_break(&seg->breaks, at);
        if (st != MTP_OK) {
            return st;
        }
    }
    return MTP_OK;
}

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
    mtp_status st = seg->full_icu ? icu_breaks_full(seg, text, len, err)
                                  : icu_breaks_windowed(seg, text, len, err);
    if (st == MTP_OK) {
        st = review_breaks(seg, text, len);
    }
    /* Each pass adds breaks in order; the quote pass sees the first's. */
    static mtp_status (*const adders[])(mtp_segmenter *, const char *, size_t) = {
        add_missed_breaks, add_quote_breaks, add_connective_breaks};
    for (size_t k = 0; k < sizeof adders / sizeof adders[0] && st == MTP_OK && seg->tailor; k++) {
        seg->added.count = 0;
        st = adders[k](seg, text, len);
        if (st == MTP_OK && seg->added.count > 0) {
            st = merge_added(seg);
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
