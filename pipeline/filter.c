/* filter: drops unit (and pair) records by rule, counting each drop by the
 * rule that matched.
 *
 * Algorithm: per text, one pass of ICU's U8_NEXT over the code points
 * (pipeline/keys.h's measure: code points, White_Space-separated words,
 * letters by General Category L* and M*), then the rules of mtprep/filter.h in
 * their fixed order; the URL, e-mail and number shapes are matched on the
 * bytes by small hand-written scanners (ASCII-only, no regex engine).
 *
 * Standard: Unicode General Category and White_Space (UAX #44) via ICU.
 *
 * Memory: constant; the stage keeps only its options.
 */
#include <stdio.h>
#include <string.h>
#include <unicode/uchar.h>
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
    opts->on_error = MTP_ON_ERROR_SKIP;
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

/* strchr would also find the terminating NUL. */
static int in_set(const char *set, int c)
{
    return c != '\0' && strchr(set, c) != NULL;
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

/* The rule that drops `text`, or NULL to keep it; "invalid_utf8" for bad input. */
static const char *first_rule(const mtp_filter_options *o, mtp_str text)
{
    mtp_text_measure m;
    if (!mtp_text_measure_utf8(text, &m)) {
        return "invalid_utf8";
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
    if (m.chars < o->min_chars) {
        return "too_short";
    }
    if (o->max_chars > 0 && m.chars > o->max_chars) {
        return "too_long";
    }
    if (m.words < o->min_words) {
        return "too_few_words";
    }
    if (o->max_words > 0 && m.words > o->max_words) {
        return "too_many_words";
    }
    /* A quotient, not ratio * chars: at the limit both sides are the same
     * correctly rounded double (57 / 100 == 0.57, but 0.57 * 100 < 57). */
    const size_t nonletters = m.chars - m.letters - m.spaces;
    if (m.chars > 0 && (double)nonletters / (double)m.chars > o->max_nonletter_ratio) {
        return "nonletter_ratio";
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

static mtp_status feed(mtp_stage *stage, const mtp_record *rec, const mtp_sink *out)
{
    const mtp_filter_options *o = stage->self;
    const char *rule = first_rule(o, rec->text);
    if (rule == NULL && rec->kind == MTP_RECORD_PAIR) {
        rule = first_rule(o, rec->tgt);
    }
    if (rule == NULL) {
        return out->emit(out->ctx, rec);
    }
    if (strcmp(rule, "invalid_utf8") == 0) {
        return bad_text(stage, o, rec);
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
    return MTP_OK;
}

mtp_status mtp_filter_new(const mtp_filter_options *opts, mtp_stage **out, mtp_error *err)
{
    *out = NULL;
    const mtp_status st = check_options(opts, err);
    if (st != MTP_OK) {
        return st;
    }
    mtp_filter_options *self = mtp_malloc(sizeof *self);
    if (self == NULL) {
        return mtp_error_set(err, MTP_ERR_NOMEM, "out of memory");
    }
    *self = *opts;
    const mtp_status created = mtp_stage_create(&ops, self, out);
    if (created != MTP_OK) {
        return mtp_error_set(err, created, "out of memory");
    }
    return MTP_OK;
}
