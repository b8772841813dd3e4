/* segment, part: ICU's sentence breaks of a paragraph, computed only in the
 * windows around the places a break may follow (terminators, paragraph
 * separators), with the same result as one iteration over the whole text.
 *
 * Memory: the segmenter's break array (O(breaks)) and ICU's iterator and
 * UText, reused for every text; nothing per call.
 */
#include <stdint.h>
#include <string.h>

#include "segment_impl.h"

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
        const mtp_status st = seg_push_break(&seg->raw, start + (size_t)b);
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
        *st = seg_push_break(&seg->raw, v->break_at);
    }
    return v->settled;
}

/* ICU's breaks for the whole text, found window by window into seg->raw:
 * candidates whose windows touch form a cluster; a cluster of settled
 * candidates keeps their breaks, any other runs ICU over its window. */
mtp_status seg_icu_breaks_windowed(mtp_segmenter *seg, const char *text, size_t len, mtp_error *err)
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
mtp_status seg_icu_breaks_full(mtp_segmenter *seg, const char *text, size_t len, mtp_error *err)
{
    return icu_window(seg, text, 0, len, err);
}
