/* filter: drops unit and pair records by rule, counting each drop by the
 * rule that matched.
 *
 * Algorithm: per text, one pass of ICU's U8_NEXT over the code points
 * (pipeline/keys.h's measure: code points, White_Space-separated words,
 * letters by General Category L* and M*), then the rules of mtprep/filter.h in
 * their fixed order; the URL, e-mail and number shapes are matched on the
 * bytes by small hand-written scanners (ASCII-only, no regex engine). A pair
 * passes the unit rules on each side, then the pair rules: the numbers, URLs
 * and e-mail addresses of each side are reduced to 64-bit keys of a canonical
 * spelling (FNV-1a) in fixed arrays, sorted and compared as multisets.
 *
 * Standard: Unicode General Category, White_Space and Script (UAX #44, UAX
 * #24) and default case folding via ICU.
 *
 * Memory: constant; the stage keeps its options and, per side, fixed arrays
 * of MTP_FILTER_MAX_NUMBERS keys for numbers, number words, URLs and e-mails.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/utf8.h>

#include "keys.h"
#include "mtprep/alloc.h"
#include "mtprep/filter.h"
#include "stage_impl.h"

void mtp_filter_options_default(mtp_filter_options *opts)
{
    opts->min_chars = 10;
    opts->max_chars = 1000;
    opts->min_words = 3;
    opts->max_words = 200;
    opts->max_nonletter_ratio = 0.5;
    opts->drop_url_email_number = 1;
    opts->drop_link_teasers = 1;
    opts->on_error = MTP_ON_ERROR_SKIP;
    opts->drop_identical = 1;
    opts->max_length_ratio = 3.0;
    opts->length_ratio_min_chars = 20;
    opts->src_min_latin_ratio = 0.9;
    opts->tgt_min_latin_ratio = 0.9;
    opts->drop_email_mismatch = 1;
    opts->drop_url_mismatch = 1;
    opts->drop_number_mismatch = 1;
    opts->lang_check = NULL;
    opts->lang_ctx = NULL;
    opts->langid.src = MTP_LANG_UNSURE;
    opts->langid.tgt = MTP_LANG_UNSURE;
}

/* ======================================================================== */
/* Shapes: URL, e-mail, number                                              */
/* ======================================================================== */

static int is_ascii_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_ascii_alnum(char c)
{
    return is_ascii_alpha(c) || (c >= '0' && c <= '9');
}

static int is_ascii_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* A loop rather than strchr, which would also find the terminating NUL and
 * costs a call per character on this hot path. */
static int in_set(const char *set, int c)
{
    for (const char *p = set; *p != '\0'; p++) {
        if (*p == c) {
            return 1;
        }
    }
    return 0;
}

/* Trims white space, opening quotes/brackets and closing quotes, brackets
 * and sentence punctuation, which may surround a URL in running text. */
static mtp_str trim_token(mtp_str s)
{
    while (s.len > 0 && (is_ascii_space(s.ptr[0]) || in_set("\"'([<", s.ptr[0]))) {
        s.ptr++;
        s.len--;
    }
    while (s.len > 0 &&
           (is_ascii_space(s.ptr[s.len - 1]) || in_set("\"')]>.,;:!?", s.ptr[s.len - 1]))) {
        s.len--;
    }
    return s;
}

static int has_space(mtp_str s)
{
    for (size_t i = 0; i < s.len; i++) {
        if (is_ascii_space(s.ptr[i])) {
            return 1;
        }
    }
    return 0;
}

static int starts_with_nocase(mtp_str s, const char *prefix)
{
    const size_t n = strlen(prefix);
    if (s.len < n) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        char c = s.ptr[i];
        if (c >= 'A' && c <= 'Z') {
            c = (char)(c - 'A' + 'a');
        }
        if (c != prefix[i]) {
            return 0;
        }
    }
    return 1;
}

/* Length of a host name at the start of s ("detik.com"), 0 when none: two or
 * more labels of [A-Za-z0-9-], the last 2-24 ASCII letters. */
static size_t host_length(mtp_str s)
{
    size_t i = 0;
    size_t labels = 0;
    size_t last_start = 0;
    while (i < s.len) {
        const size_t start = i;
        while (i < s.len && (is_ascii_alnum(s.ptr[i]) || s.ptr[i] == '-')) {
            i++;
        }
        if (i == start) {
            return 0;
        }
        labels++;
        last_start = start;
        if (i == s.len || s.ptr[i] != '.') {
            break;
        }
        i++;
    }
    const size_t last_len = i - last_start;
    if (labels < 2 || last_len < 2 || last_len > 24) {
        return 0;
    }
    for (size_t k = last_start; k < i; k++) {
        if (!is_ascii_alpha(s.ptr[k])) {
            return 0;
        }
    }
    return i;
}

static int is_url_only(mtp_str text)
{
    const mtp_str s = trim_token(text);
    if (s.len == 0 || has_space(s)) {
        return 0;
    }
    static const char *const schemes[] = {"http://", "https://", "ftp://", "www."};
    for (size_t k = 0; k < sizeof schemes / sizeof schemes[0]; k++) {
        if (starts_with_nocase(s, schemes[k])) {
            return s.len > strlen(schemes[k]);
        }
    }
    const size_t host = host_length(s);
    return host > 0 && (host == s.len || s.ptr[host] == '/');
}

static int is_email_only(mtp_str text)
{
    const mtp_str s = trim_token(text);
    size_t i = 0;
    while (i < s.len && (is_ascii_alnum(s.ptr[i]) || in_set("._%+-", s.ptr[i]))) {
        i++;
    }
    if (i == 0 || i == s.len || s.ptr[i] != '@') {
        return 0;
    }
    const mtp_str rest = {s.ptr + i + 1, s.len - i - 1};
    const size_t host = host_length(rest);
    return host > 0 && host == rest.len;
}

/* Invalid UTF-8 was excluded by the caller's measure. */
static int is_number_only(mtp_str text)
{
    const uint8_t *s = (const uint8_t *)text.ptr;
    const int32_t length = (int32_t)text.len;
    int32_t i = 0;
    int digits = 0;
    while (i < length) {
        UChar32 c;
        U8_NEXT(s, i, length, c);
        if (u_charType(c) == U_DECIMAL_DIGIT_NUMBER) {
            digits = 1;
        } else if (!u_isUWhiteSpace(c) && (c > 0x7f || !in_set(".,/:-+%()", (int)c))) {
            return 0;
        }
    }
    return digits;
}

/* ======================================================================== */
/* Rules                                                                    */
/* ======================================================================== */

/* ======================================================================== */
/* Unit rules                                                               */
/* ======================================================================== */

/* Whether text[*i..] starts with one of `words` (lower case; ASCII case
 * ignored) ending a word; *i moves past it and the spaces after it. The
 * first letter is compared before the call: most texts differ there. */
static int skip_word(mtp_str text, size_t *i, const char *const *words)
{
    for (const char *const *w = words; *w != NULL; w++) {
        const size_t n = strlen(*w);
        const size_t end = *i + n;
        if (end <= text.len && ((unsigned char)text.ptr[*i] | 0x20) == (unsigned char)**w &&
            strncasecmp(text.ptr + *i, *w, n) == 0 &&
            (end == text.len || !isalpha((unsigned char)text.ptr[end]))) {
            *i = end;
            while (*i < text.len && text.ptr[*i] == ' ') {
                (*i)++;
            }
            return 1;
        }
    }
    return 0;
}

/* "Baca juga: ...", "Lihat pula : ...": a news page's link to another article. */
static int is_link_teaser(mtp_str text)
{
    static const char *const verbs[] = {"baca", "lihat", "simak", NULL};
    static const char *const adverbs[] = {"juga", "pula", NULL};
    size_t i = 0;
    return skip_word(text, &i, verbs) && skip_word(text, &i, adverbs) && i < text.len &&
           text.ptr[i] == ':';
}

/* The unit rule that drops `text` (measured as `m`), or NULL to keep it. */
static const char *unit_rule(const mtp_filter_options *o, mtp_str text, const mtp_text_measure *m)
{
    if (o->drop_link_teasers && is_link_teaser(text)) {
        return "link_teaser";
    }
    if (o->drop_url_email_number) {
        if (is_url_only(text)) {
            return "url_only";
        }
        if (is_email_only(text)) {
            return "email_only";
        }
        if (is_number_only(text)) {
            return "number_only";
        }
    }
    if (m->chars < o->min_chars) {
        return "too_short";
    }
    if (o->max_chars > 0 && m->chars > o->max_chars) {
        return "too_long";
    }
    if (m->words < o->min_words) {
        return "too_few_words";
    }
    if (o->max_words > 0 && m->words > o->max_words) {
        return "too_many_words";
    }
    /* A quotient, not ratio * chars: at the limit both sides are the same
     * correctly rounded double (57 / 100 == 0.57, but 0.57 * 100 < 57). */
    const size_t nonletters = m->chars - m->letters - m->spaces;
    if (m->chars > 0 && (double)nonletters / (double)m->chars > o->max_nonletter_ratio) {
        return "nonletter_ratio";
    }
    return NULL;
}

/* ======================================================================== */
/* Pair rules: identical sides, length ratio, script share                  */
/* ======================================================================== */

/* Next letter or number of s from *i, case-folded; -1 at the end. */
static UChar32 next_folded_alnum(mtp_str s, int32_t *i)
{
    const uint8_t *p = (const uint8_t *)s.ptr;
    const int32_t length = (int32_t)s.len;
    while (*i < length) {
        UChar32 c;
        U8_NEXT(p, *i, length, c);
        if ((U_GET_GC_MASK(c) & (U_GC_L_MASK | U_GC_N_MASK)) != 0) {
            return u_foldCase(c, U_FOLD_CASE_DEFAULT);
        }
    }
    return -1;
}

/* Equal letters and numbers, in order, ignoring case and everything else. */
static int same_folded(mtp_str a, mtp_str b)
{
    int32_t i = 0;
    int32_t k = 0;
    for (;;) {
        const UChar32 ca = next_folded_alnum(a, &i);
        const UChar32 cb = next_folded_alnum(b, &k);
        if (ca != cb) {
            return 0;
        }
        if (ca < 0) {
            return 1;
        }
    }
}

static int length_ratio_exceeded(const mtp_filter_options *o, size_t a_chars, size_t b_chars)
{
    const size_t longer = a_chars > b_chars ? a_chars : b_chars;
    const size_t shorter = a_chars > b_chars ? b_chars : a_chars;
    if (o->max_length_ratio == 0.0 || longer < o->length_ratio_min_chars) {
        return 0;
    }
    return shorter == 0 || (double)longer / (double)shorter > o->max_length_ratio;
}

/* The share of letters (L*) in the Latin script is below min_ratio; a text
 * without letters is not. */
static int latin_share_below(mtp_str s, double min_ratio)
{
    if (min_ratio <= 0.0) {
        return 0;
    }
    const uint8_t *p = (const uint8_t *)s.ptr;
    const int32_t length = (int32_t)s.len;
    size_t letters = 0;
    size_t latin = 0;
    for (int32_t i = 0; i < length;) {
        UChar32 c;
        U8_NEXT(p, i, length, c);
        if (c < 0x80) { /* the common case, without ICU's tables */
            const int letter = is_ascii_alpha((char)c);
            letters += (size_t)letter;
            latin += (size_t)letter;
            continue;
        }
        if ((U_GET_GC_MASK(c) & U_GC_L_MASK) == 0) {
            continue;
        }
        UErrorCode status = U_ZERO_ERROR;
        const UScriptCode script = uscript_getScript(c, &status);
        letters++;
        latin += (size_t)(U_SUCCESS(status) && script == USCRIPT_LATIN);
    }
    return letters > 0 && (double)latin / (double)letters < min_ratio;
}

/* ======================================================================== */
/* Keys: canonical spellings reduced to 64-bit FNV-1a hashes                */
/* ======================================================================== */

typedef struct key_bag {
    uint64_t keys[MTP_FILTER_MAX_NUMBERS];
    size_t count;
} key_bag;

/* What one side of a pair holds, refilled per record. */
typedef struct side_keys {
    key_bag numbers; /* canonical numerals */
    key_bag words;   /* values of number words */
    key_bag urls;
    key_bag emails;
} side_keys;

typedef struct filter_state {
    mtp_filter_options o;
    side_keys sides[2]; /* source, target */
} filter_state;

#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL

static uint64_t fnv_byte(uint64_t h, unsigned char c)
{
    return (h ^ c) * FNV_PRIME;
}

static uint64_t fnv_bytes(const char *s, size_t len)
{
    uint64_t h = FNV_OFFSET;
    for (size_t i = 0; i < len; i++) {
        h = fnv_byte(h, (unsigned char)s[i]);
    }
    return h;
}

static void bag_add(key_bag *bag, uint64_t key)
{
    if (bag->count < MTP_FILTER_MAX_NUMBERS) {
        bag->keys[bag->count++] = key;
    }
}

static int compare_keys(const void *a, const void *b)
{
    const uint64_t x = *(const uint64_t *)a;
    const uint64_t y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static void bag_sort(key_bag *bag)
{
    qsort(bag->keys, bag->count, sizeof bag->keys[0], compare_keys);
}

/* Removes the keys the two sorted bags share (as multisets) from both. */
static void bag_cancel(key_bag *a, key_bag *b)
{
    size_t i = 0, k = 0, a_left = 0, b_left = 0;
    while (i < a->count || k < b->count) {
        if (k == b->count || (i < a->count && a->keys[i] < b->keys[k])) {
            a->keys[a_left++] = a->keys[i++];
        } else if (i == a->count || b->keys[k] < a->keys[i]) {
            b->keys[b_left++] = b->keys[k++];
        } else {
            i++;
            k++;
        }
    }
    a->count = a_left;
    b->count = b_left;
}

static int bags_differ(key_bag *a, key_bag *b)
{
    bag_sort(a);
    bag_sort(b);
    bag_cancel(a, b);
    return a->count > 0 || b->count > 0;
}

/* ======================================================================== */
/* URLs and e-mail addresses in running text                                */
/* ======================================================================== */

static char ascii_lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* A token is a URL: a scheme or "www." prefix, or a bare host (with an
 * optional path) whose last label is lower case, so that titles such as
 * "Sp.KO" are not hosts. */
static int is_url_token(mtp_str t)
{
    if (!is_url_only(t)) {
        return 0;
    }
    static const char *const schemes[] = {"http://", "https://", "ftp://", "www."};
    for (size_t k = 0; k < sizeof schemes / sizeof schemes[0]; k++) {
        if (starts_with_nocase(t, schemes[k])) {
            return 1;
        }
    }
    const size_t host_end = host_length(t);
    for (size_t k = host_end; k > 0 && t.ptr[k - 1] != '.'; k--) {
        if (t.ptr[k - 1] < 'a' || t.ptr[k - 1] > 'z') {
            return 0;
        }
    }
    return 1;
}

/* Case-folded key of a URL without scheme, "www." and a final '/'. */
static uint64_t url_key(mtp_str t)
{
    static const char *const prefixes[] = {"http://", "https://", "ftp://"};
    for (size_t k = 0; k < sizeof prefixes / sizeof prefixes[0]; k++) {
        if (starts_with_nocase(t, prefixes[k])) {
            t.ptr += strlen(prefixes[k]);
            t.len -= strlen(prefixes[k]);
            break;
        }
    }
    if (starts_with_nocase(t, "www.")) {
        t.ptr += 4;
        t.len -= 4;
    }
    while (t.len > 0 && t.ptr[t.len - 1] == '/') {
        t.len--;
    }
    uint64_t h = FNV_OFFSET;
    for (size_t i = 0; i < t.len; i++) {
        h = fnv_byte(h, (unsigned char)ascii_lower(t.ptr[i]));
    }
    return h;
}

/* Fills the url and e-mail bags of `side` from the space-separated tokens of s. */
static void collect_links(mtp_str s, side_keys *side)
{
    side->urls.count = 0;
    side->emails.count = 0;
    size_t i = 0;
    while (i < s.len) {
        while (i < s.len && is_ascii_space(s.ptr[i])) {
            i++;
        }
        const size_t start = i;
        while (i < s.len && !is_ascii_space(s.ptr[i])) {
            i++;
        }
        const mtp_str token = trim_token((mtp_str){s.ptr + start, i - start});
        if (token.len == 0 || memchr(token.ptr, '.', token.len) == NULL) {
            continue; /* every URL and e-mail address has a dotted host */
        }
        if (is_email_only(token)) {
            bag_add(&side->emails, url_key(token));
        } else if (is_url_token(token)) {
            bag_add(&side->urls, url_key(token));
        }
    }
}

/* ======================================================================== */
/* Numbers                                                                  */
/* ======================================================================== */

#define NUMBER_DIGITS_MAX 64 /* longer digit runs are cut: they still compare */

/* A number as read from the text: digits and its '.'/',' marks in order. */
typedef struct raw_number {
    char text[NUMBER_DIGITS_MAX + 1];
    size_t len;
} raw_number;

/* Decimal digit value of c, or -1. */
static int digit_value(UChar32 c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c < 0x80 || u_charType(c) != U_DECIMAL_DIGIT_NUMBER) {
        return -1;
    }
    return u_charDigitValue(c);
}

static UChar32 peek_cp(mtp_str s, int32_t i)
{
    UChar32 c = -1;
    if (i < (int32_t)s.len) {
        U8_NEXT((const uint8_t *)s.ptr, i, (int32_t)s.len, c);
    }
    return c;
}

/* The mark c at i continues n: it follows a digit and a digit follows it
 * (marks are one byte, so the next code point starts at i + 1). */
static int mark_continues(mtp_str s, int32_t i, UChar32 c, const raw_number *n)
{
    if (c != '.' && c != ',' && c != ':') {
        return 0;
    }
    const char last = n->len > 0 ? n->text[n->len - 1] : '.';
    return last != '.' && last != ',' && digit_value(peek_cp(s, i + 1)) >= 0;
}

/* Reads the number starting with the digit at *i; *i ends after it. */
static void read_number(mtp_str s, int32_t *i, raw_number *n)
{
    n->len = 0;
    for (;;) {
        const UChar32 c = peek_cp(s, *i);
        const int d = digit_value(c);
        if (d < 0 && !mark_continues(s, *i, c, n)) {
            return;
        }
        if (n->len < NUMBER_DIGITS_MAX) {
            n->text[n->len++] = d >= 0 ? (char)('0' + d) : (c == ',' ? ',' : '.');
        }
        U8_FWD_1((const uint8_t *)s.ptr, *i, (int32_t)s.len);
    }
}

/* Index of the decimal mark in n, or -1 when every mark groups thousands. */
static long decimal_mark(const raw_number *n)
{
    size_t dots = 0, commas = 0;
    long last = -1;
    for (size_t k = 0; k < n->len; k++) {
        dots += n->text[k] == '.';
        commas += n->text[k] == ',';
        last = (n->text[k] == '.' || n->text[k] == ',') ? (long)k : last;
    }
    if (dots > 0 && commas > 0) {
        return last;
    }
    if (dots + commas != 1) {
        return -1;
    }
    return n->len - (size_t)last - 1 == 3 ? -1 : last;
}

/* Canonical spelling of n times 10^scale: integer digits without leading
 * zeros, then '.' and the fraction without trailing zeros when not empty. */
static size_t canonical_number(const raw_number *n, unsigned scale, char *dst)
{
    const long mark = decimal_mark(n);
    char digits[NUMBER_DIGITS_MAX + 16];
    size_t count = 0, point = 0;
    for (size_t k = 0; k < n->len; k++) {
        if ((long)k == mark) {
            point = count;
        } else if (n->text[k] != '.' && n->text[k] != ',') {
            digits[count++] = n->text[k];
        }
    }
    point = mark < 0 ? count : point;
    for (point += scale; count < point; count++) {
        digits[count] = '0';
    }
    size_t first = 0;
    while (first + 1 < point && digits[first] == '0') {
        first++;
    }
    while (count > point && digits[count - 1] == '0') {
        count--;
    }
    size_t len = point - first;
    memcpy(dst, digits + first, len);
    if (count > point) {
        dst[len++] = '.';
        memcpy(dst + len, digits + point, count - point);
        len += count - point;
    }
    return len;
}

/* Reads the ASCII word starting at i (after spaces), lower-cased into dst. */
static size_t next_ascii_word(mtp_str s, size_t i, char *dst, size_t capacity)
{
    while (i < s.len && is_ascii_space(s.ptr[i])) {
        i++;
    }
    size_t len = 0;
    while (i < s.len && is_ascii_alpha(s.ptr[i]) && len + 1 < capacity) {
        dst[len++] = ascii_lower(s.ptr[i++]);
    }
    dst[len] = '\0';
    return (i < s.len && is_ascii_alpha(s.ptr[i])) ? 0 : len;
}

/* Power of ten of a scale word following a number, 0 for none. */
static unsigned scale_after(mtp_str s, size_t i)
{
    static const struct {
        const char *word;
        unsigned power;
    } scales[] = {{"ribu", 3},   {"thousand", 3}, {"juta", 6},     {"million", 6},  {"miliar", 9},
                  {"milyar", 9}, {"billion", 9},  {"triliun", 12}, {"trillion", 12}};
    char word[16];
    if (next_ascii_word(s, i, word, sizeof word) == 0) {
        return 0;
    }
    for (size_t k = 0; k < sizeof scales / sizeof scales[0]; k++) {
        if (strcmp(word, scales[k].word) == 0) {
            return scales[k].power;
        }
    }
    return 0;
}

/* 1 when "a.m." or "am" follows position i (after spaces), 2 for "p.m." or
 * "pm", 0 otherwise; case is ignored, and a letter may not follow. */
static int clock_suffix(mtp_str s, size_t i)
{
    while (i < s.len && is_ascii_space(s.ptr[i])) {
        i++;
    }
    const mtp_str rest = {s.ptr + i, s.len - i};
    const int half = starts_with_nocase(rest, "a") ? 1 : starts_with_nocase(rest, "p") ? 2 : 0;
    size_t end = 0;
    if (half != 0 && starts_with_nocase((mtp_str){rest.ptr + 1, rest.len - 1}, ".m.")) {
        end = 4;
    } else if (half != 0 && starts_with_nocase((mtp_str){rest.ptr + 1, rest.len - 1}, "m")) {
        end = 2;
    }
    return end > 0 && (end == rest.len || !is_ascii_alpha(rest.ptr[end])) ? half : 0;
}

/* Turns a 12-hour clock time in canonical spelling into the 24-hour one the
 * other language may use: "3" p.m. = "15", "3.3" p.m. = "15.3", "12" a.m. =
 * "0"; other hours are left alone. Returns the new length. */
static size_t to_24_hour(char *canon, size_t len, int half)
{
    size_t hour_len = 0;
    unsigned hour = 0;
    while (hour_len < len && canon[hour_len] != '.' && hour_len < 2) {
        hour = hour * 10 + (unsigned)(canon[hour_len++] - '0');
    }
    if (hour_len == 0 || (hour_len < len && canon[hour_len] != '.') || hour < 1 || hour > 12) {
        return len;
    }
    const unsigned hour24 = half == 2 ? (hour == 12 ? 12 : hour + 12) : (hour == 12 ? 0 : hour);
    char rest[NUMBER_DIGITS_MAX + 32];
    memcpy(rest, canon + hour_len, len - hour_len);
    const int written = snprintf(canon, 3, "%u", hour24);
    memcpy(canon + written, rest, len - hour_len);
    return (size_t)written + len - hour_len;
}

/* Fills `bag` with the keys of the numbers written in digits in s. */
static void collect_numbers(mtp_str s, key_bag *bag)
{
    bag->count = 0;
    int32_t i = 0;
    while (i < (int32_t)s.len) {
        const unsigned char byte = (unsigned char)s.ptr[i];
        if (byte < 0x80 && (byte < '0' || byte > '9')) {
            i++;
            continue;
        }
        if (digit_value(peek_cp(s, i)) < 0) {
            U8_FWD_1((const uint8_t *)s.ptr, i, (int32_t)s.len);
            continue;
        }
        raw_number n;
        read_number(s, &i, &n);
        char canon[NUMBER_DIGITS_MAX + 32];
        size_t len = canonical_number(&n, scale_after(s, (size_t)i), canon);
        const int half = clock_suffix(s, (size_t)i);
        len = half != 0 ? to_24_hour(canon, len, half) : len;
        bag_add(bag, fnv_bytes(canon, len));
    }
}

/* ---- numbers written as words ------------------------------------------- */

enum word_class {
    W_UNIT,  /* 1-9: may join a following belas/puluh or a preceding tens word */
    W_WHOLE, /* a value on its own: 0, 10-19, 100, 1000 */
    W_TENS,  /* English tens: may take a following unit */
    W_BELAS, /* Indonesian "X belas" = 10 + X */
    W_PULUH, /* Indonesian "X puluh" = 10 X */
    W_MONTH  /* a month name, when capitalised */
};

typedef struct number_word {
    const char *word;
    unsigned short value;
    unsigned char cls;
} number_word;

static const number_word number_words[] = {
    {"one", 1, W_UNIT},        {"two", 2, W_UNIT},        {"three", 3, W_UNIT},
    {"four", 4, W_UNIT},       {"five", 5, W_UNIT},       {"six", 6, W_UNIT},
    {"seven", 7, W_UNIT},      {"eight", 8, W_UNIT},      {"nine", 9, W_UNIT},
    {"zero", 0, W_WHOLE},      {"ten", 10, W_WHOLE},      {"eleven", 11, W_WHOLE},
    {"twelve", 12, W_WHOLE},   {"thirteen", 13, W_WHOLE}, {"fourteen", 14, W_WHOLE},
    {"fifteen", 15, W_WHOLE},  {"sixteen", 16, W_WHOLE},  {"seventeen", 17, W_WHOLE},
    {"eighteen", 18, W_WHOLE}, {"nineteen", 19, W_WHOLE}, {"twenty", 20, W_TENS},
    {"thirty", 30, W_TENS},    {"forty", 40, W_TENS},     {"fifty", 50, W_TENS},
    {"sixty", 60, W_TENS},     {"seventy", 70, W_TENS},   {"eighty", 80, W_TENS},
    {"ninety", 90, W_TENS},    {"satu", 1, W_UNIT},       {"dua", 2, W_UNIT},
    {"tiga", 3, W_UNIT},       {"empat", 4, W_UNIT},      {"lima", 5, W_UNIT},
    {"enam", 6, W_UNIT},       {"tujuh", 7, W_UNIT},      {"delapan", 8, W_UNIT},
    {"sembilan", 9, W_UNIT},   {"nol", 0, W_WHOLE},       {"sepuluh", 10, W_WHOLE},
    {"sebelas", 11, W_WHOLE},  {"seratus", 100, W_WHOLE}, {"seribu", 1000, W_WHOLE},
    {"belas", 0, W_BELAS},     {"puluh", 0, W_PULUH},     {"january", 1, W_MONTH},
    {"januari", 1, W_MONTH},   {"jan", 1, W_MONTH},       {"february", 2, W_MONTH},
    {"februari", 2, W_MONTH},  {"feb", 2, W_MONTH},       {"march", 3, W_MONTH},
    {"maret", 3, W_MONTH},     {"mar", 3, W_MONTH},       {"april", 4, W_MONTH},
    {"apr", 4, W_MONTH},       {"may", 5, W_MONTH},       {"mei", 5, W_MONTH},
    {"june", 6, W_MONTH},      {"juni", 6, W_MONTH},      {"jun", 6, W_MONTH},
    {"july", 7, W_MONTH},      {"juli", 7, W_MONTH},      {"jul", 7, W_MONTH},
    {"august", 8, W_MONTH},    {"agustus", 8, W_MONTH},   {"aug", 8, W_MONTH},
    {"agu", 8, W_MONTH},       {"september", 9, W_MONTH}, {"sep", 9, W_MONTH},
    {"sept", 9, W_MONTH},      {"october", 10, W_MONTH},  {"oktober", 10, W_MONTH},
    {"oct", 10, W_MONTH},      {"okt", 10, W_MONTH},      {"november", 11, W_MONTH},
    {"nov", 11, W_MONTH},      {"december", 12, W_MONTH}, {"desember", 12, W_MONTH},
    {"dec", 12, W_MONTH},      {"des", 12, W_MONTH},
};

static const number_word *find_number_word(const char *word)
{
    for (size_t k = 0; k < sizeof number_words / sizeof number_words[0]; k++) {
        if (strcmp(word, number_words[k].word) == 0) {
            return &number_words[k];
        }
    }
    return NULL;
}

/* A number being built from words: value and whether it may still grow. */
typedef struct word_number {
    unsigned value;
    int cls; /* W_UNIT or W_TENS while open, -1 when none is open */
} word_number;

static void word_number_flush(word_number *w, key_bag *bag)
{
    if (w->cls >= 0) {
        char text[16];
        const int len = snprintf(text, sizeof text, "%u", w->value);
        bag_add(bag, fnv_bytes(text, (size_t)len));
    }
    w->cls = -1;
}

/* Feeds one word (lower-cased; `capital` when it was capitalised). */
static void word_number_feed(word_number *w, const number_word *nw, int capital, key_bag *bag)
{
    const int open = w->cls;
    if (nw != NULL && nw->cls == W_BELAS && open == W_UNIT) {
        w->value += 10;
        w->cls = W_WHOLE;
    } else if (nw != NULL && nw->cls == W_PULUH && open == W_UNIT) {
        w->value *= 10;
        w->cls = W_TENS;
    } else if (nw != NULL && nw->cls == W_UNIT && open == W_TENS) {
        w->value += nw->value;
        w->cls = W_WHOLE;
    } else {
        word_number_flush(w, bag);
        if (nw != NULL && (nw->cls != W_MONTH || capital) && nw->cls != W_BELAS &&
            nw->cls != W_PULUH) {
            w->value = nw->value;
            w->cls = nw->cls == W_MONTH ? W_WHOLE : nw->cls;
        }
    }
    if (w->cls == W_WHOLE) {
        word_number_flush(w, bag);
    }
}

/* Fills `bag` with the values of the number words of s (runs of ASCII
 * letters; anything else separates words). */
static void collect_number_words(mtp_str s, key_bag *bag)
{
    bag->count = 0;
    word_number w = {0, -1};
    size_t i = 0;
    while (i < s.len) {
        if (!is_ascii_alpha(s.ptr[i])) {
            i++;
            continue;
        }
        const int capital = s.ptr[i] >= 'A' && s.ptr[i] <= 'Z';
        char word[16];
        size_t len = 0;
        while (i < s.len && is_ascii_alpha(s.ptr[i])) {
            if (len + 1 < sizeof word) {
                word[len] = ascii_lower(s.ptr[i]);
            }
            len++;
            i++;
        }
        word[len < sizeof word ? len : 0] = '\0';
        word_number_feed(&w, find_number_word(word), capital, bag);
    }
    word_number_flush(&w, bag);
}

/* Removes from `numbers` each key that a key of `words` forgives, one each. */
static void forgive_by_words(key_bag *numbers, key_bag *words)
{
    size_t left = 0;
    for (size_t i = 0; i < numbers->count; i++) {
        size_t k = 0;
        while (k < words->count && words->keys[k] != numbers->keys[i]) {
            k++;
        }
        if (k < words->count) {
            words->keys[k] = words->keys[--words->count];
        } else {
            numbers->keys[left++] = numbers->keys[i];
        }
    }
    numbers->count = left;
}

static int numbers_differ(side_keys *src, side_keys *tgt, mtp_str src_text, mtp_str tgt_text)
{
    collect_numbers(src_text, &src->numbers);
    collect_numbers(tgt_text, &tgt->numbers);
    if (!bags_differ(&src->numbers, &tgt->numbers)) {
        return 0;
    }
    collect_number_words(src_text, &src->words);
    collect_number_words(tgt_text, &tgt->words);
    forgive_by_words(&src->numbers, &tgt->words);
    forgive_by_words(&tgt->numbers, &src->words);
    return src->numbers.count > 0 || tgt->numbers.count > 0;
}

/* ======================================================================== */
/* The stage                                                                */
/* ======================================================================== */

/* The pair rule that drops a pair whose sides passed the unit rules, or NULL. */
static const char *pair_rule(filter_state *st, const mtp_record *rec, const mtp_text_measure *ms,
                             const mtp_text_measure *mt)
{
    const mtp_filter_options *o = &st->o;
    side_keys *src = &st->sides[0];
    side_keys *tgt = &st->sides[1];
    if (o->drop_identical && same_folded(rec->text, rec->tgt)) {
        return "identical";
    }
    if (length_ratio_exceeded(o, ms->chars, mt->chars)) {
        return "length_ratio";
    }
    if (latin_share_below(rec->text, o->src_min_latin_ratio) ||
        latin_share_below(rec->tgt, o->tgt_min_latin_ratio)) {
        return "script_ratio";
    }
    if (o->drop_email_mismatch || o->drop_url_mismatch) {
        collect_links(rec->text, src);
        collect_links(rec->tgt, tgt);
        if (o->drop_email_mismatch && bags_differ(&src->emails, &tgt->emails)) {
            return "email_mismatch";
        }
        if (o->drop_url_mismatch && bags_differ(&src->urls, &tgt->urls)) {
            return "url_mismatch";
        }
    }
    if (o->drop_number_mismatch && numbers_differ(src, tgt, rec->text, rec->tgt)) {
        return "number_mismatch";
    }
    if (o->lang_check != NULL && (!o->lang_check(o->lang_ctx, rec->text, MTP_FILTER_SRC) ||
                                  !o->lang_check(o->lang_ctx, rec->tgt, MTP_FILTER_TGT))) {
        return "langid";
    }
    return NULL;
}

static mtp_status bad_text(mtp_stage *stage, const mtp_filter_options *o, const mtp_record *rec)
{
    char where[256];
    mtp_record_where(rec, where, sizeof where);
    return mtp_policy_bad_input(o->on_error, &stage->counts, &stage->error, where, "invalid_utf8",
                                NULL);
}

/* Unit rules on the source (or unit text), then on the target, then the
 * pair rules; invalid UTF-8 on a side is found before that side's rules. */
static mtp_status feed(mtp_stage *stage, const mtp_record *rec, const mtp_sink *out)
{
    filter_state *st = stage->self;
    mtp_text_measure ms, mt;
    if (!mtp_text_measure_utf8(rec->text, &ms)) {
        return bad_text(stage, &st->o, rec);
    }
    const char *rule = unit_rule(&st->o, rec->text, &ms);
    if (rule == NULL && rec->kind == MTP_RECORD_PAIR) {
        if (!mtp_text_measure_utf8(rec->tgt, &mt)) {
            return bad_text(stage, &st->o, rec);
        }
        rule = unit_rule(&st->o, rec->tgt, &mt);
        rule = rule != NULL ? rule : pair_rule(st, rec, &ms, &mt);
    } else if (rule == NULL && st->o.lang_check != NULL &&
               !st->o.lang_check(st->o.lang_ctx, rec->text, MTP_FILTER_SRC)) {
        rule = "langid"; /* a unit: its language, last */
    }
    if (rule == NULL) {
        return out->emit(out->ctx, rec);
    }
    mtp_counts_drop(&stage->counts, rule, 1);
    return MTP_OK;
}

static const mtp_stage_ops ops = {"filter", feed, NULL, mtp_free};

static mtp_status check_options(const mtp_filter_options *o, mtp_error *err)
{
    if (o->max_chars > 0 && o->min_chars > o->max_chars) {
        return mtp_error_set(err, MTP_ERR_USAGE, "--min-chars %zu is above --max-chars %zu",
                             o->min_chars, o->max_chars);
    }
    if (o->max_words > 0 && o->min_words > o->max_words) {
        return mtp_error_set(err, MTP_ERR_USAGE, "--min-words %zu is above --max-words %zu",
                             o->min_words, o->max_words);
    }
    if (!(o->max_nonletter_ratio >= 0.0 && o->max_nonletter_ratio <= 1.0)) {
        return mtp_error_set(err, MTP_ERR_USAGE, "--max-nonletter-ratio must be in [0,1]");
    }
    if (!(o->max_length_ratio == 0.0 || o->max_length_ratio >= 1.0)) {
        return mtp_error_set(err, MTP_ERR_USAGE, "--max-length-ratio must be 0 or at least 1");
    }
    if (!(o->src_min_latin_ratio >= 0.0 && o->src_min_latin_ratio <= 1.0) ||
        !(o->tgt_min_latin_ratio >= 0.0 && o->tgt_min_latin_ratio <= 1.0)) {
        return mtp_error_set(err, MTP_ERR_USAGE, "--min-latin-ratio must be in [0,1]");
    }
    return MTP_OK;
}

mtp_status mtp_filter_new(const mtp_filter_options *opts, mtp_stage **out, mtp_error *err)
{
    *out = NULL;
    const mtp_status st = check_options(opts, err);
    if (st != MTP_OK) {
        return st;
    }
    filter_state *self = mtp_malloc(sizeof *self);
    if (self == NULL) {
        return mtp_error_set(err, MTP_ERR_NOMEM, "out of memory");
    }
    memset(self, 0, sizeof *self);
    self->o = *opts;
    if (self->o.lang_check == NULL &&
        (self->o.langid.src != MTP_LANG_UNSURE || self->o.langid.tgt != MTP_LANG_UNSURE)) {
        self->o.lang_check = mtp_filter_lang_id_en; /* reads the stage's own copy */
        self->o.lang_ctx = &self->o.langid;
    }
    const mtp_status created = mtp_stage_create(&ops, self, out);
    if (created != MTP_OK) {
        return mtp_error_set(err, created, "out of memory");
    }
    return MTP_OK;
}
