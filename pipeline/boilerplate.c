/* Boilerplate rules: which parts of a scraped news page are not article text.
 *
 * Purpose: ingest hands every line of every paragraph to
 * mtp_boilerplate_clean, which cuts residue ("ADVERTISEMENT"), dateline
 * prefixes ("JAKARTA, KOMPAS.com -"), trailing markers ("***") and decides
 * whether the line is boilerplate as a whole ("Baca juga: ...", "Editor: ...",
 * photo captions, tag lists).
 *
 * Algorithm: rules are data (corpora/boilerplate.id.tsv), one per line:
 * NAME TAB KIND TAB CASE TAB PATTERN. A pattern is a sequence of tokens
 * matched by a small backtracking matcher, anchored at the start of the text
 * it is tried on:
 *   literal text   bytes, ASCII case folded when CASE is "icase"; a space
 *                  matches one or more whitespace characters (NBSP included);
 *                  backslash escapes the next byte ("\*", "\{"); a literal
 *                  ending in a letter or digit must end a word
 *   *              any text, shortest first (at most one per pattern)
 *   {a|b|c}        one of the literal alternatives
 *   {ws}           zero or more whitespace characters
 *   {dash}         one or two of - – — ― −
 *   {cap}          one word starting with an ASCII capital
 *   {name}         1-4 such words
 *   {place}        1-6 such words separated by spaces or ", ", optional final ","
 *   {site}         a domain such as KOMPAS.com, jpnn.com, Bisnis,com, x.co.id
 *   {word}         a run of characters other than whitespace and parentheses
 *   {digits}       ASCII digits
 *   {month} {day}  Indonesian or English month / weekday names (abbreviations too)
 *   {tail}         the rest of the line, not ending like a sentence (. ! ? quote)
 *   {glued}        matches no text: the next character is an ASCII capital or an
 *                  opening quote, with no space before it ("Baca JugaDengan")
 *   {headline}     a headline glued to the text after it: up to the next glued
 *                  capital (see match_headline) or the end of the line, 10 to
 *                  150 bytes with a space ("Pilihan RedaksiH1H2H3Teks ..."); like
 *                  {glued}, it needs no word boundary before or after it
 *   {initials}     editors' initials: groups of 2-8 lower-case letters and digits,
 *                  the first a letter, joined by '/' ("rds", "dil/jpnn"); it may
 *                  end after any group, a lone group only of up to 4 bytes
 * and {TOKEN?} makes a token optional. A match must end on a word boundary.
 * Kinds, in the order they run on a line: strip_all (cut every occurrence,
 * with the whitespace after it), drop (the whole trimmed line matches: the
 * line goes), strip_dateline (prefix cut, only on the line that opens the
 * article body), strip_prefix (prefix cut on any line), strip_suffix (cut a
 * suffix, tried leftmost first). Within a kind, file order; drop and prefix
 * kinds stop at the first rule that fires.
 *
 * Speed: most rules fail on most lines, so each rule is compiled into cheap
 * necessary conditions that reject without running the matcher. For every
 * token position the parser computes the set of bytes a match of the rest of
 * the pattern can start with (and whether it can match at the end of the
 * text); the matcher prunes with it, `*` skips ends where the rest cannot
 * start, and an anchored rule is rejected by one lookup of the line's first
 * byte, and a rule that must reach the end of the line (drop, strip_suffix) by
 * one lookup of its last byte (computed the same way, backwards). A rule that
 * must contain a piece of literal text (a "filter": the space-free piece of
 * a mandatory literal whose least common byte is rarest, the longer on a tie;
 * letters only when the rule is case-sensitive) is skipped on lines without
 * it, found with memchr on that byte;
 * strip_all and strip_suffix rules that open with such a piece jump from one
 * occurrence of it to the next instead of trying every position. These only
 * skip positions where no match exists, so the result is byte for byte that
 * of the plain matcher (tests/unit/test_boilerplate.c pins the shapes).
 *
 * Standard: none exists for news boilerplate; the matcher is a subset of
 * anchored regular expressions (Thompson-style backtracking, bounded by one
 * `*` per pattern so a line costs O(length x pattern)).
 *
 * Memory: one fixed-size allocation per rule set; cleaning works in place.
 */
#include "boilerplate.h"

#include <stdio.h>
#include <string.h>

#include "data.h"
#include "mtprep/alloc.h"

#define MAX_TOKENS 24
#define PATTERN_MAX 256
#define MAX_ENDS 16
#define NO_MATCH ((size_t)-1)
#define MAX_LEAD 8 /* alternatives of an opening literal used to jump */

typedef enum tok_kind {
    TOK_LIT,
    TOK_ALT,
    TOK_ANY,
    TOK_WS,
    TOK_DASH,
    TOK_CAP,
    TOK_NAME,
    TOK_PLACE,
    TOK_SITE,
    TOK_WORD,
    TOK_DIGITS,
    TOK_MONTH,
    TOK_DAY,
    TOK_TAIL,
    TOK_GLUED,
    TOK_HEADLINE,
    TOK_INITIALS
} tok_kind;

typedef struct token {
    unsigned char kind;     /* tok_kind */
    unsigned char optional; /* {x?} */
    uint16_t start, len;    /* TOK_LIT, TOK_ALT: bytes in rule.text */
} token;

/* 256 bits: a set of bytes. */
typedef struct byte_set {
    uint64_t bits[4];
} byte_set;

/* A space-free piece of literal text in rule.text that a match must contain. */
typedef struct anchor {
    uint16_t start, len; /* bytes in rule.text; len 0: none */
    uint16_t pivot;      /* offset of the byte searched with memchr */
} anchor;

typedef enum rule_kind {
    KIND_STRIP_ALL,
    KIND_DROP,
    KIND_STRIP_DATELINE,
    KIND_STRIP_PREFIX,
    KIND_STRIP_SUFFIX,
    KIND_COUNT
} rule_kind;

static const char *const kind_names[KIND_COUNT] = {"strip_all", "drop", "strip_dateline",
                                                   "strip_prefix", "strip_suffix"};

typedef struct rule {
    char name[MTP_BOILERPLATE_NAME_MAX];
    rule_kind kind;
    int icase;
    unsigned token_count;
    token tokens[MAX_TOKENS];
    char text[PATTERN_MAX]; /* literal bytes, unescaped */
    size_t text_len;
    byte_set starts[MAX_TOKENS + 1];      /* [i]: bytes a match of tokens i.. may start with */
    unsigned char at_end[MAX_TOKENS + 1]; /* [i]: tokens i.. may match at the end of the text */
    byte_set last_bytes;                  /* bytes a match reaching the end of the text ends with */
    anchor filter;                        /* text every match contains; len 0: none */
    anchor lead[MAX_LEAD];                /* one of these opens every match */
    unsigned lead_count;                  /* 0: scan with starts[0] */
} rule;

struct mtp_boilerplate {
    size_t count;
    rule rules[MTP_BOILERPLATE_MAX_RULES];
    uint64_t by_first_byte[256]; /* bit i: rule i may match at a line's start with this byte */
    unsigned char by_kind[KIND_COUNT][MTP_BOILERPLATE_MAX_RULES]; /* rule indexes, file order */
    unsigned kind_count[KIND_COUNT];
};

/* ==== characters ======================================================== */

static int is_upper(unsigned char c)
{
    return c >= 'A' && c <= 'Z';
}

static int is_lower(unsigned char c)
{
    return c >= 'a' && c <= 'z';
}

static int is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static int is_alnum(unsigned char c)
{
    return is_digit(c) || is_lower(c) || is_upper(c);
}

static unsigned char fold(unsigned char c, int icase)
{
    return (icase && c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

size_t mtp_bp_space_len(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    if (len == 0) {
        return 0;
    }
    if (u[0] < 0x80) {
        return (u[0] != 0 && u[0] <= 0x20) || u[0] == 0x7F;
    }
    if (len >= 2 && u[0] == 0xC2 && (u[1] == 0xA0 || u[1] == 0x85)) {
        return 2;
    }
    if (len < 3) {
        return 0;
    }
    if (u[0] == 0xE2 && u[1] == 0x80 && (u[2] <= 0x8B || u[2] == 0xAF)) {
        return 3; /* U+2000..U+200B, U+202F */
    }
    if ((u[0] == 0xE2 && u[1] == 0x81 && u[2] == 0x9F) ||
        (u[0] == 0xE3 && u[1] == 0x80 && u[2] == 0x80) ||
        (u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF)) {
        return 3; /* U+205F, U+3000, U+FEFF */
    }
    return 0;
}

/* Bytes of the whitespace character ending at s[end - 1], 0 if none. */
static size_t space_len_before(const char *s, size_t end)
{
    for (size_t n = 1; n <= 3 && n <= end; n++) {
        if (mtp_bp_space_len(s + end - n, n) == n) {
            return n;
        }
    }
    return 0;
}

static size_t skip_spaces(const char *s, size_t len, size_t pos)
{
    size_t n = 0;
    while (pos < len && (n = mtp_bp_space_len(s + pos, len - pos)) > 0) {
        pos += n;
    }
    return pos;
}

void mtp_bp_trim(mtp_buf *line)
{
    const size_t start = skip_spaces(line->data, line->len, 0);
    size_t end = line->len;
    size_t n = 0;
    while (end > start && (n = space_len_before(line->data, end)) > 0) {
        end -= n;
    }
    memmove(line->data, line->data + start, end - start);
    line->len = end - start;
    line->data[line->len] = '\0';
}

static void cut(mtp_buf *line, size_t start, size_t limit)
{
    memmove(line->data + start, line->data + limit, line->len - limit);
    line->len -= limit - start;
    line->data[line->len] = '\0';
}

static int set_has(const byte_set *set, unsigned char c)
{
    return (int)((set->bits[c >> 6] >> (c & 63)) & 1);
}

static void set_add(byte_set *set, unsigned char c)
{
    set->bits[c >> 6] |= UINT64_C(1) << (c & 63);
}

static void set_remove(byte_set *set, unsigned char c)
{
    set->bits[c >> 6] &= ~(UINT64_C(1) << (c & 63));
}

static void set_add_range(byte_set *set, unsigned char first, unsigned char last)
{
    for (unsigned c = first; c <= last; c++) {
        set_add(set, (unsigned char)c);
    }
}

static void set_union(byte_set *set, const byte_set *other)
{
    for (int i = 0; i < 4; i++) {
        set->bits[i] |= other->bits[i];
    }
}

/* Start of the first occurrence of anchor `a` of r at or after `from`, or NO_MATCH. */
static size_t anchor_find(const char *text, const anchor *a, const char *s, size_t len, size_t from)
{
    const char *const piece = text + a->start;
    const char needle = piece[a->pivot];
    size_t p = from + a->pivot;
    while (p < len) {
        const char *hit = memchr(s + p, needle, len - p);
        if (hit == NULL) {
            return NO_MATCH;
        }
        const size_t start = (size_t)(hit - s) - a->pivot;
        if (start + a->len <= len && memcmp(s + start, piece, a->len) == 0) {
            return start;
        }
        p = (size_t)(hit - s) + 1;
    }
    return NO_MATCH;
}

static int at_word_boundary(const char *s, size_t len, size_t pos)
{
    if (pos == 0 || pos >= len) {
        return 1;
    }
    return !(is_alnum((unsigned char)s[pos - 1]) && is_alnum((unsigned char)s[pos]));
}

/* ==== token matchers: each returns the end of the token, or NO_MATCH ===== */

/* A literal; a space in the pattern matches a run of whitespace. */
static size_t match_literal(const char *lit, size_t lit_len, int icase, const char *s, size_t len,
                            size_t pos)
{
    for (size_t i = 0; i < lit_len; i++) {
        if (lit[i] == ' ') {
            const size_t after = skip_spaces(s, len, pos);
            if (after == pos) {
                return NO_MATCH;
            }
            pos = after;
        } else if (pos >= len ||
                   fold((unsigned char)s[pos], icase) != fold((unsigned char)lit[i], icase)) {
            return NO_MATCH;
        } else {
            pos++;
        }
    }
    return pos;
}

/* A literal of a rule: one ending in a letter or digit must end a word. */
static size_t literal_end(const char *lit, size_t lit_len, int icase, const char *s, size_t len,
                          size_t pos)
{
    const size_t end = match_literal(lit, lit_len, icase, s, len, pos);
    if (end == NO_MATCH || lit_len == 0 || !is_alnum((unsigned char)lit[lit_len - 1])) {
        return end;
    }
    return at_word_boundary(s, len, end) ? end : NO_MATCH;
}

static size_t dash_len(const char *s, size_t len, size_t pos)
{
    const unsigned char *u = (const unsigned char *)s + pos;
    if (pos < len && u[0] == '-') {
        return 1;
    }
    if (pos + 3 <= len && u[0] == 0xE2 &&
        ((u[1] == 0x80 && u[2] >= 0x93 && u[2] <= 0x95) || (u[1] == 0x88 && u[2] == 0x92))) {
        return 3; /* en dash, em dash, horizontal bar, minus */
    }
    return 0;
}

static int is_name_byte(unsigned char c)
{
    return is_alnum(c) || c == '.' || c == '\'' || c == '/' || c == '&' || c == '-';
}

/* A capitalized word: ASCII capital, then letters, digits and . ' / & -
 * (a full stop that ends the text ends a sentence, not an abbreviation). */
static size_t match_cap_word(const char *s, size_t len, size_t pos)
{
    if (pos >= len || !is_upper((unsigned char)s[pos])) {
        return NO_MATCH;
    }
    pos++;
    while (pos < len && is_name_byte((unsigned char)s[pos])) {
        pos++;
    }
    while (s[pos - 1] == '-') {
        pos--; /* "JAKARTA- Teks": the hyphen is a dash, not part of the word */
    }
    return (pos == len && s[pos - 1] == '.') ? pos - 1 : pos;
}

/* One whitespace character between words (space or NBSP). */
static size_t word_gap(const char *s, size_t len, size_t pos)
{
    const size_t n = mtp_bp_space_len(s + pos, len - pos);
    return n > 0 ? pos + n : NO_MATCH;
}

/* {name} and {place}: candidate ends after each word, shortest first. */
static unsigned capitalized_ends(const char *s, size_t len, size_t pos, int place, size_t *ends)
{
    const unsigned max_words = place ? 6 : 4;
    unsigned n = 0;
    for (unsigned words = 0; words < max_words; words++) {
        pos = match_cap_word(s, len, pos);
        if (pos == NO_MATCH) {
            break;
        }
        ends[n++] = pos;
        size_t next = pos;
        if (place && pos < len && s[pos] == ',') {
            ends[n++] = pos + 1;
            next = pos + 1;
        }
        pos = word_gap(s, len, next);
        if (pos == NO_MATCH) {
            break;
        }
    }
    return n;
}

static int ends_with_icase(const char *s, size_t len, const char *suffix)
{
    const size_t n = strlen(suffix);
    if (len < n) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        if (fold((unsigned char)s[len - n + i], 1) != (unsigned char)suffix[i]) {
            return 0;
        }
    }
    return 1;
}

/* {site}: LABEL(.LABEL)* then "." or "," and a known top-level suffix. */
static size_t match_site(const char *s, size_t len, size_t pos)
{
    static const char *const suffixes[] = {".com", ",com", ".co.id", ".id", ".net", ".org", ".tv"};
    size_t end = pos;
    while (end < len &&
           (is_alnum((unsigned char)s[end]) || s[end] == '-' || s[end] == '.' || s[end] == ',')) {
        end++;
    }
    while (end > pos && (s[end - 1] == '.' || s[end - 1] == ',' || s[end - 1] == '-')) {
        end--;
    }
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        const size_t n = strlen(suffixes[i]);
        if (end - pos > n && ends_with_icase(s + pos, end - pos, suffixes[i])) {
            return end;
        }
    }
    return NO_MATCH;
}

static size_t match_run(const char *s, size_t len, size_t pos, int digits_only)
{
    const size_t start = pos;
    while (pos < len) {
        const unsigned char c = (unsigned char)s[pos];
        if (digits_only ? !is_digit(c)
                        : (c == '(' || c == ')' || mtp_bp_space_len(s + pos, len - pos) > 0)) {
            break;
        }
        pos++;
    }
    return pos > start ? pos : NO_MATCH;
}

static const char *const month_names[] = {
    "januari",   "februari", "maret",    "april",    "mei",      "juni",     "juli",  "agustus",
    "september", "oktober",  "november", "desember", "january",  "february", "march", "may",
    "june",      "july",     "august",   "october",  "december", "jan",      "feb",   "mar",
    "apr",       "jun",      "jul",      "agu",      "agt",      "agus",     "aug",   "sep",
    "sept",      "okt",      "oct",      "nov",      "des",      "dec",      NULL};

static const char *const day_names[] = {
    "senin",  "selasa",  "rabu",      "kamis",    "jumat",  "jum'at",   "sabtu",  "minggu", "ahad",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", NULL};

/* One word of a list, case folded, not followed by a letter. */
static unsigned listed_word_ends(const char *const *list, const char *s, size_t len, size_t pos,
                                 size_t *ends)
{
    unsigned n = 0;
    for (size_t i = 0; list[i] != NULL && n < MAX_ENDS; i++) {
        const size_t end = match_literal(list[i], strlen(list[i]), 1, s, len, pos);
        if (end != NO_MATCH && (end == len || !is_alnum((unsigned char)s[end]))) {
            ends[n++] = end;
        }
    }
    return n;
}

/* {tail}: the rest of the line, provided it does not end like a sentence. */
static size_t match_tail(const char *s, size_t len, size_t pos)
{
    if (pos >= len) {
        return NO_MATCH;
    }
    const unsigned char last = (unsigned char)s[len - 1];
    if (last == '.' || last == '!' || last == '?' || last == '"' || last == '\'') {
        return NO_MATCH;
    }
    if (len >= 3 && (unsigned char)s[len - 3] == 0xE2 && (unsigned char)s[len - 2] == 0x80 &&
        (last == 0x9D || last == 0x99 || last == 0xA6)) {
        return NO_MATCH; /* closing quotes, ellipsis */
    }
    return len;
}

/* {glued}: zero width, before an ASCII capital, '"' or U+201C. */
static size_t match_glued(const char *s, size_t len, size_t pos)
{
    if (pos >= len) {
        return NO_MATCH;
    }
    const unsigned char *u = (const unsigned char *)s + pos;
    const int quote =
        u[0] == '"' || (pos + 3 <= len && u[0] == 0xE2 && u[1] == 0x80 && u[2] == 0x9C);
    return (is_upper(u[0]) || quote) ? pos : NO_MATCH;
}

#define HEADLINE_MIN_BYTES 10
#define HEADLINE_MAX_BYTES 150

/* Whether the text at i (> 0) starts anew, glued to the text before it:
 *   - an opening quote and a capital after anything but white space
 *     ('Gratis"Kurang');
 *   - a capital after closing punctuation, '%' or a digit ("Apa?Bus",
 *     "12%Ditjen", "2026Gelandang"; a quote counts when no space is before it);
 *   - a capital and a lower-case letter after a lower-case word of four letters
 *     or more, or a capitalised one of three ("KaburKawasan", "IniPatrick";
 *     not "iPhone" or "McDonald", but also "YouTube": a headline cut short
 *     leaves its rest in the text);
 *   - a capital and a lower-case letter after an acronym ("IGDRekor");
 *   - an acronym after a capitalised word, or a word of four letters or more
 *     ("3 KgLPG", "acakPDIP"; not "eKTP"). */
static int glued_capital(const char *s, size_t len, size_t i)
{
    const unsigned char *u = (const unsigned char *)s;
    const unsigned char before = u[i - 1];
    const size_t quote = u[i] == '"' ? 1 : (i + 3 <= len && u[i] == 0xE2 && u[i + 1] == 0x80 &&
                                            u[i + 2] == 0x9C) ? 3 : 0;
    if (quote > 0) {
        return before > ' ' && i + quote < len && is_upper(u[i + quote]);
    }
    if (!is_upper(u[i])) {
        return 0;
    }
    const int closing_quote = (before == '"' || before == '\'') && i >= 2 && u[i - 2] > ' ';
    if (before == '?' || before == '!' || before == ')' || closing_quote || before == '%' ||
        is_digit(before) || (before == 0x9D && i >= 3 && u[i - 3] == 0xE2)) {
        return 1;
    }
    if (i + 1 >= len) {
        return 0;
    }
    size_t letters = 0; /* the letters before i */
    while (letters < i && (is_lower(u[i - 1 - letters]) || is_upper(u[i - 1 - letters]))) {
        letters++;
    }
    if (is_upper(u[i + 1])) { /* an acronym after a word: "KgLPG", "Diacak-acakPDIP" */
        return is_lower(before) && (letters >= 4 || (letters >= 2 && is_upper(u[i - letters])));
    }
    if (!is_lower(u[i + 1])) {
        return 0;
    }
    if (is_lower(before)) { /* "Hari IniPatrick": a capitalised word may be shorter */
        return letters >= 4 || (letters == 3 && is_upper(u[i - 3]));
    }
    return is_upper(before) && i >= 2 && is_upper(u[i - 2]);
}

/* Whether the text before i, closing quotes skipped, ends with a full stop. */
static int after_full_stop(const char *s, size_t pos, size_t i)
{
    const unsigned char *u = (const unsigned char *)s;
    while (i > pos && (u[i - 1] == '"' || u[i - 1] == '\'' ||
                       (u[i - 1] == 0x9D && i - pos >= 3 && u[i - 3] == 0xE2))) {
        i -= u[i - 1] == 0x9D ? 3 : 1;
    }
    return i > pos && u[i - 1] == '.';
}

/* {headline}: from pos to the first glued capital that leaves at least
 * HEADLINE_MIN_BYTES with a space in them (an earlier one is a brand inside
 * the headline), or to the end of the line; NO_MATCH past HEADLINE_MAX_BYTES
 * or at a ". ", which ends a sentence, not a headline; nor does a headline end
 * in '.', closing quotes aside ('ujarnya."Kami'). A headline starts with a
 * capital, a digit or a quote. */
static size_t match_headline(const char *s, size_t len, size_t pos)
{
    const unsigned char first = pos < len ? (unsigned char)s[pos] : 0;
    if (!is_upper(first) && !is_digit(first) && first != '"' && first != 0xE2) {
        return NO_MATCH;
    }
    const size_t limit = len - pos > HEADLINE_MAX_BYTES ? pos + HEADLINE_MAX_BYTES : len;
    int has_space = 0;
    for (size_t i = pos + 1; i <= limit; i++) {
        if (s[i - 1] == ' ') {
            if (i - 1 > pos && s[i - 2] == '.') {
                return NO_MATCH;
            }
            has_space = 1;
        }
        const int ends = (i == len || (i < limit && glued_capital(s, len, i))) &&
                         !after_full_stop(s, pos, i);
        if (ends && has_space && i - pos >= HEADLINE_MIN_BYTES) {
            return i;
        }
    }
    return NO_MATCH;
}

#define INITIALS_MIN_BYTES 2
#define INITIALS_MAX_BYTES 8
#define INITIALS_LONE_MAX_BYTES 4 /* "(rds)", "(jpnn)"; not "(tikus)", "(cucian)" */

/* {initials}: the end of each group, shortest first; a first group with no
 * '/' after it only up to INITIALS_LONE_MAX_BYTES (a longer lone word in
 * parentheses is text). */
static unsigned initials_ends(const char *s, size_t len, size_t pos, size_t *ends)
{
    unsigned n = 0;
    for (unsigned group = 0; n < MAX_ENDS && pos < len && is_lower((unsigned char)s[pos]);
         group++) {
        size_t end = pos;
        while (end < len && (is_lower((unsigned char)s[end]) || is_digit((unsigned char)s[end]))) {
            end++;
        }
        if (end - pos < INITIALS_MIN_BYTES || end - pos > INITIALS_MAX_BYTES) {
            break;
        }
        const int slash = end < len && s[end] == '/';
        if (group > 0 || slash || end - pos <= INITIALS_LONE_MAX_BYTES) {
            ends[n++] = end;
        }
        if (!slash) {
            break;
        }
        pos = end + 1;
    }
    return n;
}

/* Ends of each alternative; `glued`: a {glued} follows, so no word boundary is needed. */
static unsigned alt_ends(const rule *r, const token *t, int glued, const char *s, size_t len,
                         size_t pos, size_t *ends)
{
    unsigned n = 0;
    const char *alt = r->text + t->start;
    const char *const stop = alt + t->len;
    while (alt <= stop && n < MAX_ENDS) {
        const char *bar = memchr(alt, '|', (size_t)(stop - alt));
        const char *const alt_end = bar ? bar : stop;
        const size_t n_alt = (size_t)(alt_end - alt);
        const size_t end = glued ? match_literal(alt, n_alt, r->icase, s, len, pos)
                                 : literal_end(alt, n_alt, r->icase, s, len, pos);
        if (end != NO_MATCH) {
            ends[n++] = end;
        }
        alt = alt_end + 1;
    }
    return n;
}

static unsigned dash_ends(const char *s, size_t len, size_t pos, size_t *ends)
{
    const size_t first = dash_len(s, len, pos);
    if (first == 0) {
        return 0;
    }
    const size_t second = dash_len(s, len, pos + first);
    unsigned n = 0;
    if (second > 0) {
        ends[n++] = pos + first + second;
    }
    ends[n++] = pos + first;
    return n;
}

static unsigned one_end(size_t end, size_t *ends)
{
    if (end == NO_MATCH) {
        return 0;
    }
    ends[0] = end;
    return 1;
}

/* Where token t may end when it starts at pos (TOK_ANY is handled by the caller). */
static unsigned token_ends(const rule *r, const token *t, const char *s, size_t len, size_t pos,
                           size_t *ends)
{
    const int glued_next = t + 1 < r->tokens + r->token_count &&
                           (t[1].kind == TOK_GLUED || t[1].kind == TOK_HEADLINE);
    switch ((tok_kind)t->kind) {
    case TOK_LIT:
        if (glued_next) {
            return one_end(match_literal(r->text + t->start, t->len, r->icase, s, len, pos), ends);
        }
        return one_end(literal_end(r->text + t->start, t->len, r->icase, s, len, pos), ends);
    case TOK_ALT:
        return alt_ends(r, t, glued_next, s, len, pos, ends);
    case TOK_WS:
        return one_end(skip_spaces(s, len, pos), ends);
    case TOK_DASH:
        return dash_ends(s, len, pos, ends);
    case TOK_CAP:
        return one_end(match_cap_word(s, len, pos), ends);
    case TOK_NAME:
        return capitalized_ends(s, len, pos, 0, ends);
    case TOK_PLACE:
        return capitalized_ends(s, len, pos, 1, ends);
    case TOK_SITE:
        return one_end(match_site(s, len, pos), ends);
    case TOK_WORD:
        return one_end(match_run(s, len, pos, 0), ends);
    case TOK_DIGITS:
        return one_end(match_run(s, len, pos, 1), ends);
    case TOK_MONTH:
        return listed_word_ends(month_names, s, len, pos, ends);
    case TOK_DAY:
        return listed_word_ends(day_names, s, len, pos, ends);
    case TOK_TAIL:
        return one_end(match_tail(s, len, pos), ends);
    case TOK_GLUED:
        return one_end(match_glued(s, len, pos), ends);
    case TOK_HEADLINE:
        return one_end(match_headline(s, len, pos), ends);
    case TOK_INITIALS:
        return initials_ends(s, len, pos, ends);
    case TOK_ANY:
        break;
    }
    return 0;
}

/* ==== the matcher ======================================================= */

typedef struct matcher {
    const rule *r;
    const char *s;
    size_t len;
    int need_end; /* the match must reach the end of the text */
} matcher;

static size_t match_from(const matcher *m, unsigned ti, size_t pos);

/* Whether tokens ti.. can match from pos at all (a necessary condition). */
static int may_start(const rule *r, unsigned ti, const char *s, size_t len, size_t pos)
{
    return pos < len ? set_has(&r->starts[ti], (unsigned char)s[pos]) : r->at_end[ti];
}

/* `*`: every end, shortest first, skipping ends where the rest cannot start. */
static size_t match_any(const matcher *m, unsigned ti, size_t pos)
{
    const rule *r = m->r;
    if (ti + 1 == r->token_count && m->need_end) {
        pos = m->len; /* a final `*` that must reach the end ends there */
    }
    for (size_t end = pos; end <= m->len; end++) {
        if (!may_start(r, ti + 1, m->s, m->len, end)) {
            continue;
        }
        const size_t got = match_from(m, ti + 1, end);
        if (got != NO_MATCH) {
            return got;
        }
    }
    return NO_MATCH;
}

static size_t match_token(const matcher *m, unsigned ti, size_t pos)
{
    const token *t = &m->r->tokens[ti];
    if (t->kind == TOK_ANY) {
        return match_any(m, ti, pos);
    }
    size_t ends[MAX_ENDS];
    const unsigned n = token_ends(m->r, t, m->s, m->len, pos, ends);
    for (unsigned i = 0; i < n; i++) {
        const size_t got = match_from(m, ti + 1, ends[i]);
        if (got != NO_MATCH) {
            return got;
        }
    }
    return NO_MATCH;
}

/* End of a match of tokens ti.. starting at pos, or NO_MATCH. */
static size_t match_from(const matcher *m, unsigned ti, size_t pos)
{
    if (ti == m->r->token_count) {
        const int glued = ti > 0 && (m->r->tokens[ti - 1].kind == TOK_GLUED ||
                                     m->r->tokens[ti - 1].kind == TOK_HEADLINE);
        if ((m->need_end && pos != m->len) || !(glued || at_word_boundary(m->s, m->len, pos))) {
            return NO_MATCH;
        }
        return pos;
    }
    if (!may_start(m->r, ti, m->s, m->len, pos)) {
        return NO_MATCH;
    }
    const size_t got = match_token(m, ti, pos);
    if (got != NO_MATCH || !m->r->tokens[ti].optional) {
        return got;
    }
    return match_from(m, ti + 1, pos);
}

static size_t rule_match(const rule *r, const char *s, size_t len, size_t pos, int need_end)
{
    const matcher m = {r, s, len, need_end};
    return match_from(&m, 0, pos);
}

/* 0 when a match of r cannot end at the end of the (non-empty) line. */
static int may_end_line(const rule *r, const char *s, size_t len)
{
    return set_has(&r->last_bytes, (unsigned char)s[len - 1]);
}

/* 0 when the line lacks the text every match of r contains. */
static int filter_passes(const rule *r, const char *s, size_t len)
{
    return r->filter.len == 0 || anchor_find(r->text, &r->filter, s, len, 0) != NO_MATCH;
}

/* The first position >= pos where a match of r may start, or len. */
static size_t next_start(const rule *r, const char *s, size_t len, size_t pos)
{
    if (r->lead_count == 0) {
        while (pos < len && !set_has(&r->starts[0], (unsigned char)s[pos])) {
            pos++;
        }
        return pos;
    }
    size_t best = len;
    for (unsigned i = 0; i < r->lead_count; i++) {
        const size_t at = anchor_find(r->text, &r->lead[i], s, len, pos);
        best = at < best ? at : best;
    }
    return best;
}

/* ==== applying rules ==================================================== */

/* Cuts every occurrence with the whitespace after it. Returns 1 if any. */
static int strip_all(const rule *r, mtp_buf *line)
{
    if (!filter_passes(r, line->data, line->len)) {
        return 0;
    }
    int hit = 0;
    size_t pos = next_start(r, line->data, line->len, 0);
    while (pos < line->len) {
        size_t end = NO_MATCH;
        if (at_word_boundary(line->data, line->len, pos)) {
            end = rule_match(r, line->data, line->len, pos, 0);
        }
        if (end == NO_MATCH || end == pos) {
            pos = next_start(r, line->data, line->len, pos + 1);
            continue;
        }
        cut(line, pos, skip_spaces(line->data, line->len, end));
        hit = 1;
        pos = next_start(r, line->data, line->len, pos);
    }
    return hit;
}

static int strip_prefix(const rule *r, mtp_buf *line)
{
    if (!filter_passes(r, line->data, line->len)) {
        return 0;
    }
    const size_t end = rule_match(r, line->data, line->len, 0, 0);
    if (end == NO_MATCH || end == 0) {
        return 0;
    }
    cut(line, 0, skip_spaces(line->data, line->len, end));
    return 1;
}

/* Cuts the longest suffix the rule matches. */
static int strip_suffix(const rule *r, mtp_buf *line)
{
    if (!may_end_line(r, line->data, line->len) || !filter_passes(r, line->data, line->len)) {
        return 0;
    }
    for (size_t pos = next_start(r, line->data, line->len, 0); pos < line->len;
         pos = next_start(r, line->data, line->len, pos + 1)) {
        if (!at_word_boundary(line->data, line->len, pos)) {
            continue;
        }
        if (rule_match(r, line->data, line->len, pos, 1) != NO_MATCH) {
            line->len = pos;
            line->data[pos] = '\0';
            mtp_bp_trim(line);
            return 1;
        }
    }
    return 0;
}

/* One lookup: whether rule i may match at the start of the (non-empty) line. */
static int may_open_line(const mtp_boilerplate *bp, size_t i, const mtp_buf *line)
{
    return (int)((bp->by_first_byte[(unsigned char)line->data[0]] >> i) & 1);
}

/* Runs every rule of `kind` (or, when first_only, up to the first that fires). */
static int apply_kind(const mtp_boilerplate *bp, rule_kind kind, int first_only, mtp_buf *line,
                      mtp_bp_hits *hits)
{
    const int anchored = kind != KIND_STRIP_ALL && kind != KIND_STRIP_SUFFIX;
    int last = -1;
    for (unsigned k = 0; k < bp->kind_count[kind] && line->len > 0; k++) {
        const size_t i = bp->by_kind[kind][k];
        const rule *r = &bp->rules[i];
        if (anchored && !may_open_line(bp, i, line)) {
            continue;
        }
        const int hit = kind == KIND_STRIP_ALL      ? strip_all(r, line)
                        : kind == KIND_STRIP_SUFFIX ? strip_suffix(r, line)
                                                    : strip_prefix(r, line);
        if (hit) {
            hits->stripped |= UINT64_C(1) << i;
            last = (int)i;
            if (first_only) {
                break;
            }
        }
    }
    return last;
}

static int find_drop(const mtp_boilerplate *bp, const mtp_buf *line)
{
    for (unsigned k = 0; k < bp->kind_count[KIND_DROP]; k++) {
        const size_t i = bp->by_kind[KIND_DROP][k];
        const rule *r = &bp->rules[i];
        if (may_open_line(bp, i, line) && may_end_line(r, line->data, line->len) &&
            filter_passes(r, line->data, line->len) &&
            rule_match(r, line->data, line->len, 0, 1) != NO_MATCH) {
            return (int)i;
        }
    }
    return -1;
}

void mtp_boilerplate_clean(const mtp_boilerplate *bp, mtp_buf *line, unsigned flags,
                           mtp_bp_hits *hits)
{
    hits->stripped = 0;
    hits->removed_rule = -1;
    int last = apply_kind(bp, KIND_STRIP_ALL, 0, line, hits);
    mtp_bp_trim(line);
    if (line->len == 0) {
        hits->removed_rule = last;
        return;
    }
    hits->removed_rule = find_drop(bp, line);
    if (hits->removed_rule >= 0) {
        return;
    }
    const int dateline =
        (flags & MTP_BP_LEAD) ? apply_kind(bp, KIND_STRIP_DATELINE, 1, line, hits) : -1;
    const int prefix = apply_kind(bp, KIND_STRIP_PREFIX, 1, line, hits);
    const int suffix = apply_kind(bp, KIND_STRIP_SUFFIX, 0, line, hits);
    mtp_bp_trim(line);
    if (line->len == 0) {
        last = suffix >= 0 ? suffix : prefix >= 0 ? prefix : dateline;
        hits->removed_rule = last;
    }
}

/* ==== compiling a rule's necessary conditions ============================ */

/* Bytes a whitespace character (mtp_bp_space_len) can start with. */
static void add_space_starts(byte_set *set)
{
    set_add_range(set, 0x01, 0x20);
    set_add(set, 0x7F);
    set_add(set, 0xC2);
    set_add(set, 0xE2);
    set_add(set, 0xE3);
    set_add(set, 0xEF);
}

/* What a literal starting with c matches first: c in both ASCII cases under
 * icase, any whitespace for a space. */
static void add_literal_start(byte_set *set, unsigned char c, int icase)
{
    if (c == ' ') {
        add_space_starts(set);
        return;
    }
    set_add(set, c);
    if (icase && c >= 'a' && c <= 'z') {
        set_add(set, (unsigned char)(c - 32));
    }
    if (icase && c >= 'A' && c <= 'Z') {
        set_add(set, (unsigned char)(c + 32));
    }
}

static void add_list_starts(byte_set *set, const char *const *list)
{
    for (size_t i = 0; list[i] != NULL; i++) {
        add_literal_start(set, (unsigned char)list[i][0], 1);
    }
}

static void add_alt_edges(const rule *r, const token *t, int last, byte_set *set, int *empty);

/* Bytes a match of token t may start with; *empty: it may match no text,
 * anywhere including the end of the text. {glued} matches no text but needs
 * one of its bytes next, so it is not empty here. */
static void token_starts(const rule *r, const token *t, byte_set *set, int *empty)
{
    static const byte_set all = {{UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX}};
    *empty = t->kind == TOK_ANY || t->kind == TOK_WS;
    switch ((tok_kind)t->kind) {
    case TOK_LIT:
        add_literal_start(set, (unsigned char)r->text[t->start], r->icase);
        break;
    case TOK_ALT:
        add_alt_edges(r, t, 0, set, empty);
        break;
    case TOK_WS:
        add_space_starts(set);
        break;
    case TOK_DASH:
        set_add(set, '-');
        set_add(set, 0xE2);
        break;
    case TOK_CAP:
    case TOK_NAME:
    case TOK_PLACE:
        set_add_range(set, 'A', 'Z');
        break;
    case TOK_SITE:
        set_add_range(set, '0', '9');
        set_add_range(set, 'A', 'Z');
        set_add_range(set, 'a', 'z');
        set_add(set, '-');
        set_add(set, '.');
        set_add(set, ',');
        break;
    case TOK_DIGITS:
        set_add_range(set, '0', '9');
        break;
    case TOK_INITIALS:
        set_add_range(set, 'a', 'z');
        break;
    case TOK_MONTH:
        add_list_starts(set, month_names);
        break;
    case TOK_DAY:
        add_list_starts(set, day_names);
        break;
    case TOK_GLUED: /* zero width: the next byte is a capital or an opening quote */
        set_add_range(set, 'A', 'Z');
        set_add(set, '"');
        set_add(set, 0xE2);
        break;
    case TOK_ANY:
    case TOK_WORD:
    case TOK_TAIL:
    case TOK_HEADLINE:
        *set = all;
        break;
    }
}

/* starts[] and at_end[], from the last token back: an optional or possibly
 * empty token lets the rest of the pattern start where it would have. */
static void compute_starts(rule *r)
{
    const unsigned n = r->token_count;
    memset(&r->starts[n], 0xFF, sizeof r->starts[n]);
    r->at_end[n] = 1;
    for (unsigned i = n; i-- > 0;) {
        const token *t = &r->tokens[i];
        byte_set set = {{0}};
        int empty = 0;
        token_starts(r, t, &set, &empty);
        const int transparent = empty || t->optional;
        if (transparent) {
            set_union(&set, &r->starts[i + 1]);
        }
        r->starts[i] = set;
        r->at_end[i] = (unsigned char)(transparent && r->at_end[i + 1]);
    }
}

/* Bytes a whitespace character (mtp_bp_space_len) can end with. */
static void add_space_lasts(byte_set *set)
{
    set_add_range(set, 0x01, 0x20);
    set_add(set, 0x7F);
    set_add_range(set, 0x80, 0xBF);
}

static void add_literal_last(byte_set *set, unsigned char c, int icase)
{
    if (c == ' ') {
        add_space_lasts(set);
    } else {
        add_literal_start(set, c, icase); /* one byte: same cases */
    }
}

static void add_list_lasts(byte_set *set, const char *const *list)
{
    for (size_t i = 0; list[i] != NULL; i++) {
        add_literal_last(set, (unsigned char)list[i][strlen(list[i]) - 1], 1);
    }
}

/* The first (or, with `last`, the last) byte of each alternative of token t;
 * *empty when one alternative is empty. */
static void add_alt_edges(const rule *r, const token *t, int last, byte_set *set, int *empty)
{
    const char *alt = r->text + t->start;
    const char *const stop = alt + t->len;
    while (alt <= stop) {
        const char *bar = memchr(alt, '|', (size_t)(stop - alt));
        const char *const alt_end = bar ? bar : stop;
        if (alt_end == alt) {
            *empty = 1;
        } else if (last) {
            add_literal_last(set, (unsigned char)alt_end[-1], r->icase);
        } else {
            add_literal_start(set, (unsigned char)*alt, r->icase);
        }
        alt = alt_end + 1;
    }
}

/* A capitalized word that ends the text ends in none of '.' (a full stop),
 * '-' (a dash): see match_cap_word. {place} may also end with ','. */
static void add_cap_word_lasts(byte_set *set, int place)
{
    set_add_range(set, '0', '9');
    set_add_range(set, 'A', 'Z');
    set_add_range(set, 'a', 'z');
    set_add(set, '\'');
    set_add(set, '/');
    set_add(set, '&');
    if (place) {
        set_add(set, ',');
    }
}

/* Bytes a match of token t may end with when it ends the text; *empty as
 * for token_starts ({glued} counts as empty: it never ends the text). */
static void token_lasts(const rule *r, const token *t, byte_set *set, int *empty)
{
    static const char site_lasts[] = "mdtgvMDTGV"; /* .com .id .net .org .tv */
    token_starts(r, t, set, empty);                /* ANY, WORD, TAIL: every byte */
    if (t->kind == TOK_TAIL) { /* never a line that ends like a sentence (match_tail) */
        for (const char *c = ".!?\"'"; *c != '\0'; c++) {
            set_remove(set, (unsigned char)*c);
        }
        return;
    }
    if (t->kind == TOK_ANY || t->kind == TOK_WORD || t->kind == TOK_HEADLINE) {
        return;
    }
    memset(set, 0, sizeof *set);
    *empty = t->kind == TOK_WS || t->kind == TOK_GLUED;
    switch ((tok_kind)t->kind) {
    case TOK_LIT:
        add_literal_last(set, (unsigned char)r->text[t->start + t->len - 1], r->icase);
        break;
    case TOK_ALT:
        add_alt_edges(r, t, 1, set, empty);
        break;
    case TOK_WS:
    case TOK_DASH: /* '-' or the last byte of a three-byte dash */
        set_add(set, '-');
        add_space_lasts(set);
        break;
    case TOK_CAP:
    case TOK_NAME:
    case TOK_PLACE:
        add_cap_word_lasts(set, t->kind == TOK_PLACE);
        break;
    case TOK_SITE:
        for (const char *c = site_lasts; *c != '\0'; c++) {
            set_add(set, (unsigned char)*c);
        }
        break;
    case TOK_DIGITS:
        set_add_range(set, '0', '9');
        break;
    case TOK_INITIALS:
        set_add_range(set, 'a', 'z');
        set_add_range(set, '0', '9');
        break;
    case TOK_MONTH:
        add_list_lasts(set, month_names);
        break;
    case TOK_DAY:
        add_list_lasts(set, day_names);
        break;
    case TOK_GLUED:
    case TOK_ANY:
    case TOK_WORD:
    case TOK_TAIL:
    case TOK_HEADLINE:
        break;
    }
}

/* last_bytes: from the last token back to the first that cannot be empty;
 * when every token can, any byte. */
static void compute_last_bytes(rule *r)
{
    memset(&r->last_bytes, 0, sizeof r->last_bytes);
    for (unsigned i = r->token_count; i-- > 0;) {
        const token *t = &r->tokens[i];
        byte_set set = {{0}};
        int empty = 0;
        token_lasts(r, t, &set, &empty);
        set_union(&r->last_bytes, &set);
        if (!empty && !t->optional) {
            return;
        }
    }
    memset(&r->last_bytes, 0xFF, sizeof r->last_bytes);
}

/* How common a byte is in Indonesian news text, rarest lowest: punctuation,
 * digits, capitals, small letters; within letters, rough letter frequency
 * (capitals by how often words start with them). */
static int byte_commonness(unsigned char c)
{
    static const char capitals[] = "QXZVFWYCOUEGHNLRIATJDBMKPS";
    static const char smalls[] = "qxzvfwcjoyhpbgdlmsrutkeina";
    if (c >= 'a' && c <= 'z') {
        return 3 * 32 + (int)(strchr(smalls, c) - smalls);
    }
    if (c >= 'A' && c <= 'Z') {
        return 2 * 32 + (int)(strchr(capitals, c) - capitals);
    }
    return (c >= '0' && c <= '9') ? 1 * 32 : 0;
}

static anchor make_anchor(const rule *r, size_t start, size_t len)
{
    anchor a = {(uint16_t)start, (uint16_t)len, 0};
    for (size_t i = 1; i < len; i++) {
        const unsigned char c = (unsigned char)r->text[start + i];
        if (byte_commonness(c) < byte_commonness((unsigned char)r->text[start + a.pivot])) {
            a.pivot = (uint16_t)i;
        }
    }
    return a;
}

/* A piece can be searched byte for byte: no letters when case is folded. */
static int piece_is_exact(const rule *r, size_t start, size_t len)
{
    for (size_t i = 0; i < len && r->icase; i++) {
        const unsigned char c = (unsigned char)r->text[start + i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
            return 0;
        }
    }
    return len > 0;
}

/* Whether anchor a is cheaper to search for than b: a rarer byte to memchr
 * for (fewer false hits), then more bytes to confirm a hit. */
static int better_anchor(const rule *r, const anchor *a, const anchor *b)
{
    if (b->len == 0) {
        return 1;
    }
    const int rarity_a = byte_commonness((unsigned char)r->text[a->start + a->pivot]);
    const int rarity_b = byte_commonness((unsigned char)r->text[b->start + b->pivot]);
    return rarity_a != rarity_b ? rarity_a < rarity_b : a->len > b->len;
}

/* The exact space-free piece of a mandatory literal cheapest to search for
 * ("Redaksi" rather than "Pilihan": 'R' starts fewer words than 'P'). */
static void choose_filter(rule *r)
{
    for (unsigned i = 0; i < r->token_count; i++) {
        const token *t = &r->tokens[i];
        if (t->kind != TOK_LIT || t->optional) {
            continue;
        }
        size_t piece = t->start;
        for (size_t p = t->start; p <= (size_t)t->start + t->len; p++) {
            if (p < (size_t)t->start + t->len && r->text[p] != ' ') {
                continue;
            }
            if (p > piece && piece_is_exact(r, piece, p - piece)) {
                const anchor candidate = make_anchor(r, piece, p - piece);
                if (better_anchor(r, &candidate, &r->filter)) {
                    r->filter = candidate;
                }
            }
            piece = p + 1;
        }
    }
}

/* The space-free opening piece of each alternative of the first token; none
 * (lead_count 0) unless every one is exact. */
static void choose_lead(rule *r)
{
    const token *t = &r->tokens[0];
    if (t->optional || (t->kind != TOK_LIT && t->kind != TOK_ALT)) {
        return;
    }
    const size_t stop = (size_t)t->start + t->len;
    size_t alt = t->start;
    while (alt <= stop) {
        size_t end = alt;
        while (end < stop && r->text[end] != ' ' && !(t->kind == TOK_ALT && r->text[end] == '|')) {
            end++;
        }
        if (r->lead_count == MAX_LEAD || !piece_is_exact(r, alt, end - alt)) {
            r->lead_count = 0;
            return;
        }
        r->lead[r->lead_count++] = make_anchor(r, alt, end - alt);
        while (end < stop && !(t->kind == TOK_ALT && r->text[end] == '|')) {
            end++;
        }
        alt = end + 1;
    }
}

/* Precomputes rule `index`'s necessary conditions (see the top of the file). */
static void compile_rule(mtp_boilerplate *bp, rule *r, size_t index)
{
    compute_starts(r);
    compute_last_bytes(r);
    choose_filter(r);
    choose_lead(r);
    const int same = r->lead_count == 1 && r->lead[0].start == r->filter.start &&
                     r->lead[0].len == r->filter.len;
    if (same) {
        r->filter.len = 0; /* the jump to each occurrence already checks it */
    }
    for (unsigned c = 0; c < 256; c++) {
        if (set_has(&r->starts[0], (unsigned char)c)) {
            bp->by_first_byte[c] |= UINT64_C(1) << index;
        }
    }
    bp->by_kind[r->kind][bp->kind_count[r->kind]++] = (unsigned char)index;
}

/* ==== parsing the rules file ============================================ */

typedef struct class_name {
    const char *name;
    tok_kind kind;
} class_name;

static const class_name classes[] = {
    {"ws", TOK_WS},       {"dash", TOK_DASH}, {"cap", TOK_CAP},   {"name", TOK_NAME},
    {"place", TOK_PLACE}, {"site", TOK_SITE}, {"word", TOK_WORD}, {"digits", TOK_DIGITS},
    {"month", TOK_MONTH}, {"day", TOK_DAY},   {"tail", TOK_TAIL}, {"glued", TOK_GLUED},
    {"headline", TOK_HEADLINE}, {"initials", TOK_INITIALS},
    {NULL, TOK_LIT}};

typedef struct parse_ctx {
    const char *origin;
    size_t line_number;
    mtp_error *err;
} parse_ctx;

static mtp_status parse_error(const parse_ctx *ctx, const char *what)
{
    return mtp_error_set(ctx->err, MTP_ERR_INPUT, "%s:%zu: %s", ctx->origin, ctx->line_number,
                         what);
}

static mtp_status add_token(rule *r, tok_kind kind, int optional, const parse_ctx *ctx)
{
    if (r->token_count == MAX_TOKENS) {
        return parse_error(ctx, "pattern has too many tokens");
    }
    token *t = &r->tokens[r->token_count++];
    t->kind = (unsigned char)kind;
    t->optional = (unsigned char)optional;
    t->start = (uint16_t)r->text_len;
    t->len = 0;
    return MTP_OK;
}

static mtp_status add_text(rule *r, const char *bytes, size_t n, const parse_ctx *ctx)
{
    if (r->text_len + n >= PATTERN_MAX) {
        return parse_error(ctx, "pattern too long");
    }
    memcpy(r->text + r->text_len, bytes, n);
    r->text_len += n;
    r->tokens[r->token_count - 1].len = (uint16_t)(r->tokens[r->token_count - 1].len + n);
    return MTP_OK;
}

/* "{...}" at p (content between the braces is [p, close)). */
static mtp_status parse_brace(rule *r, const char *p, const char *close, const parse_ctx *ctx)
{
    size_t n = (size_t)(close - p);
    const int optional = n > 0 && p[n - 1] == '?';
    n -= (size_t)optional;
    if (memchr(p, '|', n) != NULL) {
        const mtp_status st = add_token(r, TOK_ALT, optional, ctx);
        return st != MTP_OK ? st : add_text(r, p, n, ctx);
    }
    for (const class_name *c = classes; c->name != NULL; c++) {
        if (strlen(c->name) == n && memcmp(c->name, p, n) == 0) {
            return add_token(r, c->kind, optional, ctx);
        }
    }
    return parse_error(ctx, "unknown {class} in pattern");
}

static mtp_status parse_literal_byte(rule *r, char c, const parse_ctx *ctx)
{
    const token *last = r->token_count ? &r->tokens[r->token_count - 1] : NULL;
    const int extend =
        last != NULL && last->kind == TOK_LIT && (size_t)last->start + last->len == r->text_len;
    if (!extend) {
        const mtp_status st = add_token(r, TOK_LIT, 0, ctx);
        if (st != MTP_OK) {
            return st;
        }
    }
    return add_text(r, &c, 1, ctx);
}

static mtp_status parse_pattern(rule *r, const char *p, const char *end, const parse_ctx *ctx)
{
    unsigned stars = 0;
    mtp_status st = MTP_OK;
    while (p < end && st == MTP_OK) {
        if (*p == '*') {
            stars++;
            st = add_token(r, TOK_ANY, 0, ctx);
            p++;
        } else if (*p == '{') {
            const char *close = memchr(p, '}', (size_t)(end - p));
            if (close == NULL) {
                return parse_error(ctx, "unterminated { in pattern");
            }
            st = parse_brace(r, p + 1, close, ctx);
            p = close + 1;
        } else if (*p == '\\') {
            if (p + 1 == end) {
                return parse_error(ctx, "pattern ends with a backslash");
            }
            st = parse_literal_byte(r, p[1], ctx);
            p += 2;
        } else {
            st = parse_literal_byte(r, *p++, ctx);
        }
    }
    if (st == MTP_OK && stars > 1) {
        st = parse_error(ctx, "at most one * per pattern");
    }
    return st;
}

static int valid_rule_name(const char *p, size_t n)
{
    if (n == 0 || n >= MTP_BOILERPLATE_NAME_MAX) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        const unsigned char c = (unsigned char)p[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
            return 0;
        }
    }
    return 1;
}

/* Splits a line into exactly four TAB-separated fields. */
static int split_fields(const char *p, const char *end, mtp_str *fields)
{
    for (int i = 0; i < 4; i++) {
        const char *tab = i < 3 ? memchr(p, '\t', (size_t)(end - p)) : NULL;
        if (i < 3 && tab == NULL) {
            return 0;
        }
        const char *field_end = i < 3 ? tab : end;
        fields[i].ptr = p;
        fields[i].len = (size_t)(field_end - p);
        p = field_end + 1;
    }
    return memchr(fields[3].ptr, '\t', fields[3].len) == NULL;
}

static int field_is(mtp_str f, const char *word)
{
    return f.len == strlen(word) && memcmp(f.ptr, word, f.len) == 0;
}

/* 1 if every alternative of "a|b|c" is non-empty and starts with a non-space byte. */
static int alternatives_open_with_text(const char *alt, size_t len)
{
    for (size_t i = 0; i <= len; i++) {
        const int opens = i == 0 || alt[i - 1] == '|';
        if (opens && (i == len || alt[i] == '|' || alt[i] == ' ')) {
            return 0;
        }
    }
    return 1;
}

static mtp_status check_rule(const mtp_boilerplate *bp, const rule *r, const parse_ctx *ctx)
{
    if (r->token_count == 0) {
        return parse_error(ctx, "empty pattern");
    }
    const int needs_literal = r->kind == KIND_STRIP_ALL || r->kind == KIND_STRIP_SUFFIX;
    const token *first = &r->tokens[0];
    const int literal = (first->kind == TOK_LIT && r->text[first->start] != ' ') ||
                        (first->kind == TOK_ALT && !first->optional &&
                         alternatives_open_with_text(r->text + first->start, first->len));
    if (needs_literal && !literal) {
        return parse_error(ctx, "strip_all and strip_suffix patterns must start with literal text");
    }
    for (size_t i = 0; i < bp->count; i++) {
        if (strcmp(bp->rules[i].name, r->name) == 0) {
            return parse_error(ctx, "duplicate rule name");
        }
    }
    return MTP_OK;
}

static mtp_status parse_rule(mtp_boilerplate *bp, const char *p, const char *end,
                             const parse_ctx *ctx)
{
    mtp_str f[4];
    if (!split_fields(p, end, f)) {
        return parse_error(ctx, "expected NAME<TAB>KIND<TAB>CASE<TAB>PATTERN");
    }
    if (bp->count == MTP_BOILERPLATE_MAX_RULES) {
        return parse_error(ctx, "too many rules (at most 64)");
    }
    rule *r = &bp->rules[bp->count];
    memset(r, 0, sizeof *r);
    if (!valid_rule_name(f[0].ptr, f[0].len)) {
        return parse_error(ctx, "rule name must be 1-39 characters of [a-z0-9_]");
    }
    memcpy(r->name, f[0].ptr, f[0].len);
    r->kind = KIND_COUNT;
    for (int k = 0; k < KIND_COUNT; k++) {
        r->kind = field_is(f[1], kind_names[k]) ? (rule_kind)k : r->kind;
    }
    if (r->kind == KIND_COUNT) {
        return parse_error(
            ctx, "unknown kind (strip_all, drop, strip_dateline, strip_prefix, strip_suffix)");
    }
    if (!field_is(f[2], "icase") && !field_is(f[2], "case")) {
        return parse_error(ctx, "case must be icase or case");
    }
    r->icase = field_is(f[2], "icase");
    mtp_status st = parse_pattern(r, f[3].ptr, f[3].ptr + f[3].len, ctx);
    if (st == MTP_OK) {
        st = check_rule(bp, r, ctx);
    }
    if (st == MTP_OK) {
        compile_rule(bp, r, bp->count);
        bp->count++;
    }
    return st;
}

mtp_status mtp_boilerplate_parse(const char *text, size_t len, const char *origin,
                                 mtp_boilerplate **out, mtp_error *err)
{
    *out = NULL;
    mtp_boilerplate *bp = mtp_calloc(1, sizeof *bp);
    if (bp == NULL) {
        return mtp_error_set(err, MTP_ERR_NOMEM, "%s: out of memory", origin);
    }
    parse_ctx ctx = {origin, 0, err};
    const char *p = text;
    const char *const stop = text + len;
    mtp_status st = MTP_OK;
    while (p < stop && st == MTP_OK) {
        const char *nl = memchr(p, '\n', (size_t)(stop - p));
        const char *line_end = nl ? nl : stop;
        const char *next = nl ? nl + 1 : stop;
        ctx.line_number++;
        if (line_end > p && line_end[-1] == '\r') {
            line_end--;
        }
        if (line_end > p && *p != '#') {
            st = parse_rule(bp, p, line_end, &ctx);
        }
        p = next;
    }
    if (st != MTP_OK) {
        mtp_free(bp);
        return st;
    }
    *out = bp;
    return MTP_OK;
}

mtp_status mtp_boilerplate_load(const char *path, mtp_boilerplate **out, mtp_error *err)
{
    *out = NULL;
    mtp_data_file file;
    mtp_status st = mtp_data_file_load(path, "boilerplate.id.tsv", &file, err);
    if (st != MTP_OK) {
        return st;
    }
    st = mtp_boilerplate_parse(file.bytes.ptr, file.bytes.len, file.origin, out, err);
    mtp_data_file_release(&file);
    return st;
}

void mtp_boilerplate_free(mtp_boilerplate *bp)
{
    mtp_free(bp);
}

size_t mtp_boilerplate_rule_count(const mtp_boilerplate *bp)
{
    return bp->count;
}

const char *mtp_boilerplate_rule_name(const mtp_boilerplate *bp, size_t index)
{
    return index < bp->count ? bp->rules[index].name : NULL;
}
