/* Private to the segment stage: the segmenter's state, the character
 * predicates every part uses, and the functions the parts share. The stage
 * is split into segment.c (the break arrays, one text, construction, the
 * stage), segment_icu.c (ICU's breaks in windows around candidates),
 * segment_rules.c (the rules that review ICU's breaks) and segment_added.c
 * (the breaks ICU misses). segment.c's opening comment describes the whole.
 */
#ifndef MTPREP_SEGMENT_IMPL_H
#define MTPREP_SEGMENT_IMPL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <unicode/ubrk.h>
#include <unicode/uchar.h>
#include <unicode/utext.h>
#include <unicode/utf8.h>

#include "mtprep/counts.h"
#include "mtprep/policy.h"
#include "mtprep/segment.h"
#include "prefixes.h"

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

/* ---- characters ------------------------------------------------------------ */

static inline int sb_class(UChar32 c)
{
    return u_getIntPropertyValue(c, UCHAR_SENTENCE_BREAK);
}

/* The three predicates answer ASCII without a property lookup: most text is
 * ASCII, and these run on every character near a break. */
static inline int is_terminator(UChar32 c)
{
    if (c < 0x80) {
        return c == '.' || c == '!' || c == '?';
    }
    const int sb = sb_class(c);
    return sb == U_SB_STERM || sb == U_SB_ATERM;
}

static inline int is_close(UChar32 c)
{
    if (c < 0x80) {
        return c != 0 && strchr("\"'()[]{}", (int)c) != NULL;
    }
    return sb_class(c) == U_SB_CLOSE;
}

static inline int is_space(UChar32 c)
{
    if (c < 0x80) {
        return c == ' ' || (c >= 0x09 && c <= 0x0D);
    }
    return u_isUWhiteSpace(c);
}

/* Code point starting at byte i (U+FFFD for a bad sequence); *next gets the
 * following offset. */
static inline UChar32 cp_at(const char *text, size_t len, size_t i, size_t *next)
{
    int32_t pos = (int32_t)i;
    UChar32 c = 0;
    U8_NEXT((const uint8_t *)text, pos, (int32_t)len, c);
    *next = (size_t)pos;
    return c < 0 ? 0xFFFD : c;
}

/* Code point ending at byte i (> 0); *start gets its first byte. */
static inline UChar32 cp_before(const char *text, size_t i, size_t *start)
{
    int32_t pos = (int32_t)i;
    UChar32 c = 0;
    U8_PREV((const uint8_t *)text, 0, pos, c);
    *start = (size_t)pos;
    return c < 0 ? 0xFFFD : c;
}

/* Whether word [word, word + len) is one of words[0 .. count), byte for byte. */
static inline int seg_word_listed(const char *const *words, size_t count, const char *word,
                                  size_t len)
{
    for (size_t k = 0; k < count; k++) {
        if (strlen(words[k]) == len && memcmp(words[k], word, len) == 0) {
            return 1;
        }
    }
    return 0;
}

static inline int is_double_quote(UChar32 c)
{
    return c == '"' || c == 0x201C || c == 0x201D;
}

/* ---- the break arrays (segment.c) ---------------------------------------- */

mtp_status seg_push_break(break_list *list, size_t pos);

/* Merges seg->added into seg->breaks (both sorted), dropping duplicates. */
mtp_status seg_merge_added(mtp_segmenter *seg);

/* Tallies one firing of the rule `name` (a string literal: tallied by address). */
void seg_count_rule(mtp_segmenter *seg, const char *name);

/* ---- ICU's breaks (segment_icu.c) ----------------------------------------- */

/* ICU's breaks of `text` into seg->raw: over the whole text, or only in the
 * windows around candidates (the same breaks, see segment_icu.c). */
mtp_status seg_icu_breaks_full(mtp_segmenter *seg, const char *text, size_t len, mtp_error *err);
mtp_status seg_icu_breaks_windowed(mtp_segmenter *seg, const char *text, size_t len,
                                   mtp_error *err);

/* ---- the rules on ICU's breaks (segment_rules.c) -------------------------- */

/* Start of the token ending at `limit`; see segment_rules.c. */
size_t seg_token_start(const char *text, size_t limit);

/* "R", "B.J", "A.B.C": single capital letters joined by periods. */
int seg_is_initials(const char *text, size_t start, size_t limit);

/* The next '"' or 0xE2 byte (a curly quote's lead) at or after `from`, or limit. */
size_t seg_next_quote_candidate(const char *text, size_t from, size_t limit);

/* Where the quotation opened before `from` closes, within `limit`; SIZE_MAX
 * when it does not close so. */
size_t seg_find_closing_quote(const char *text, size_t len, size_t from, size_t limit);

/* Where the double quotation open at a position closes; tracked in one
 * forward pass over the paragraph as breaks arrive in order. */
typedef struct seg_quote_scan {
    size_t pos;      /* scanned up to here */
    int open;        /* a quotation is open at pos */
    size_t close_at; /* its closing quote; SIZE_MAX: not found */
} seg_quote_scan;

#define SEG_QUOTE_SCAN_START {0, 0, SIZE_MAX}

/* Whether a break after the terminator at `term_start`, before `next`, falls
 * inside a quotation that closes after a terminator or comma at or after
 * `next` (the quotation convention: such a quotation is one sentence). Calls
 * on one text must come in increasing order of term_start. */
int seg_inside_quote(seg_quote_scan *q, const char *text, size_t len, size_t term_start,
                     size_t next);

/* Reviews ICU's breaks (seg->raw) with the rules into seg->breaks. */
mtp_status seg_review_breaks(mtp_segmenter *seg, const char *text, size_t len);

/* ---- breaks ICU misses (segment_added.c) ---------------------------------- */

/* Each adds, in order, to seg->added the breaks of one kind that ICU missed;
 * the caller merges them into seg->breaks before the next kind. */
mtp_status seg_add_missed_breaks(mtp_segmenter *seg, const char *text, size_t len);
mtp_status seg_add_quote_breaks(mtp_segmenter *seg, const char *text, size_t len);
mtp_status seg_add_connective_breaks(mtp_segmenter *seg, const char *text, size_t len);

#endif
