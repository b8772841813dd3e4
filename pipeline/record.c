/* The record format (see include/mtprep/record.h): parsing a line into
 * views, formatting views into a line, unit numbers, UTF-8 validity.
 *
 * This file alone knows the TABs, the field order and the unit syntax. */
#include "mtprep/record.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FIELDS 5

static const char *const defect_names[MTP_DEFECT_COUNT] = {
    [MTP_DEFECT_NONE] = "none",
    [MTP_DEFECT_FIELD_COUNT] = "field_count",
    [MTP_DEFECT_EMPTY_FIELD] = "empty_field",
    [MTP_DEFECT_INVALID_UTF8] = "invalid_utf8",
    [MTP_DEFECT_NUL_BYTE] = "nul_byte",
    [MTP_DEFECT_CONTROL_CHAR] = "cr_in_line",
    [MTP_DEFECT_BAD_SCORE] = "bad_score",
};

const char *mtp_record_defect_name(mtp_record_defect defect)
{
    if ((unsigned)defect >= MTP_DEFECT_COUNT) {
        return "unknown";
    }
    return defect_names[defect];
}

mtp_str mtp_str_from_cstr(const char *s)
{
    mtp_str out = {s, strlen(s)};
    return out;
}

/* ---- UTF-8 ------------------------------------------------------------- */

/* Length of the valid sequence starting at s (at most `avail` bytes), 0 if invalid. */
static size_t utf8_sequence_len(const unsigned char *s, size_t avail)
{
    const unsigned char c = s[0];
    if (c < 0x80) {
        return 1;
    }
    size_t len = 0;
    unsigned char lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        lo = c == 0xE0 ? 0xA0 : 0x80; /* no overlongs */
        hi = c == 0xED ? 0x9F : 0xBF; /* no surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        lo = c == 0xF0 ? 0x90 : 0x80; /* no overlongs */
        hi = c == 0xF4 ? 0x8F : 0xBF; /* <= U+10FFFF */
    } else {
        return 0;
    }
    if (avail < len || s[1] < lo || s[1] > hi) {
        return 0;
    }
    for (size_t i = 2; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            return 0;
        }
    }
    return len;
}

/* Nonzero when one of the 8 bytes at p has its high bit set. */
static int any_high_bit(const unsigned char *p)
{
    uint64_t word;
    memcpy(&word, p, sizeof word);
    return (word & 0x8080808080808080ull) != 0;
}

int mtp_utf8_is_valid(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        if (i + 8 <= len && !any_high_bit(p + i)) { /* ASCII, 8 bytes at a time */
            i += 8;
            continue;
        }
        if (p[i] < 0x80) {
            i++;
            continue;
        }
        const size_t n = utf8_sequence_len(p + i, len - i);
        if (n == 0) {
            return 0;
        }
        i += n;
    }
    return 1;
}

/* ---- fields ------------------------------------------------------------ */

int mtp_field_is_clean(mtp_str s)
{
    for (size_t i = 0; i < s.len; i++) {
        const char c = s.ptr[i];
        if (c == '\t' || c == '\n' || c == '\r' || c == '\0') {
            return 0;
        }
    }
    return 1;
}

/* Splits line on TAB into at most MAX_FIELDS views; returns the field count,
 * or MAX_FIELDS + 1 when there are more. */
static size_t split_fields(const char *line, size_t len, mtp_str *fields)
{
    size_t count = 0;
    size_t start = 0;
    for (;;) {
        const char *tab = memchr(line + start, '\t', len - start);
        const size_t end = tab ? (size_t)(tab - line) : len;
        if (count == MAX_FIELDS) {
            return MAX_FIELDS + 1;
        }
        fields[count].ptr = line + start;
        fields[count].len = end - start;
        count++;
        if (tab == NULL) {
            return count;
        }
        start = end + 1;
    }
}

/* Parses a score: a plain decimal in [0,1]. */
static int parse_score(mtp_str s, double *out)
{
    char text[32];
    if (s.len == 0 || s.len >= sizeof text) {
        return 0;
    }
    for (size_t i = 0; i < s.len; i++) {
        if (!((s.ptr[i] >= '0' && s.ptr[i] <= '9') || s.ptr[i] == '.')) {
            return 0;
        }
    }
    memcpy(text, s.ptr, s.len);
    text[s.len] = '\0';
    char *end = NULL;
    const double value = strtod(text, &end);
    if (*end != '\0' || !(value >= 0.0 && value <= 1.0)) {
        return 0;
    }
    *out = value;
    return 1;
}

static mtp_record_defect check_line_bytes(const char *line, size_t len)
{
    if (memchr(line, '\0', len) != NULL) {
        return MTP_DEFECT_NUL_BYTE;
    }
    if (memchr(line, '\r', len) != NULL) {
        return MTP_DEFECT_CONTROL_CHAR;
    }
    if (!mtp_utf8_is_valid(line, len)) {
        return MTP_DEFECT_INVALID_UTF8;
    }
    return MTP_DEFECT_NONE;
}

mtp_record_defect mtp_record_parse(const char *line, size_t line_len, mtp_record *out)
{
    const mtp_record_defect bytes = check_line_bytes(line, line_len);
    if (bytes != MTP_DEFECT_NONE) {
        return bytes;
    }
    mtp_str fields[MAX_FIELDS];
    const size_t count = split_fields(line, line_len, fields);
    if (count != 3 && count != 5) {
        return MTP_DEFECT_FIELD_COUNT;
    }
    if (fields[0].len == 0 || fields[1].len == 0) {
        return MTP_DEFECT_EMPTY_FIELD;
    }
    memset(out, 0, sizeof *out);
    out->doc_id = fields[0];
    out->unit = fields[1];
    out->text = fields[2];
    out->kind = MTP_RECORD_UNIT;
    if (count == 5) {
        out->kind = MTP_RECORD_PAIR;
        out->tgt = fields[3];
        if (!parse_score(fields[4], &out->score)) {
            return MTP_DEFECT_BAD_SCORE;
        }
    }
    return MTP_DEFECT_NONE;
}

/* ---- formatting -------------------------------------------------------- */

#define SCORE_TEXT_LEN 6 /* "0.9731" */

size_t mtp_record_formatted_len(const mtp_record *rec)
{
    size_t len = rec->doc_id.len + 1 + rec->unit.len + 1 + rec->text.len + 1;
    if (rec->kind == MTP_RECORD_PAIR) {
        len += 1 + rec->tgt.len + 1 + SCORE_TEXT_LEN;
    }
    return len;
}

static char *put(char *dst, mtp_str s)
{
    assert(mtp_field_is_clean(s));
    if (s.len > 0) {
        memcpy(dst, s.ptr, s.len);
    }
    return dst + s.len;
}

/* Writes the score with four decimals, rounded half away from zero on the
 * integer scale so the text never depends on printf's rounding mode. */
static char *put_score(char *dst, double score)
{
    const double clamped = score < 0.0 ? 0.0 : (score > 1.0 ? 1.0 : score);
    const unsigned scaled = (unsigned)floor(clamped * 10000.0 + 0.5);
    dst[0] = (char)('0' + scaled / 10000);
    dst[1] = '.';
    dst[2] = (char)('0' + scaled / 1000 % 10);
    dst[3] = (char)('0' + scaled / 100 % 10);
    dst[4] = (char)('0' + scaled / 10 % 10);
    dst[5] = (char)('0' + scaled % 10);
    return dst + SCORE_TEXT_LEN;
}

size_t mtp_record_format(const mtp_record *rec, char *dst)
{
    char *p = dst;
    p = put(p, rec->doc_id);
    *p++ = '\t';
    p = put(p, rec->unit);
    *p++ = '\t';
    p = put(p, rec->text);
    if (rec->kind == MTP_RECORD_PAIR) {
        *p++ = '\t';
        p = put(p, rec->tgt);
        *p++ = '\t';
        p = put_score(p, rec->score);
    }
    *p++ = '\n';
    return (size_t)(p - dst);
}

/* ---- unit numbers ------------------------------------------------------ */

/* Writes `value` in decimal at dst; returns the digits written. (snprintf
 * costs hundreds of instructions per call, and this runs once per record.) */
static size_t put_decimal(uint32_t value, char *dst)
{
    char digits[10];
    size_t n = 0;
    do {
        digits[n++] = (char)('0' + value % 10);
        value /= 10;
    } while (value > 0);
    for (size_t i = 0; i < n; i++) {
        dst[i] = digits[n - 1 - i];
    }
    return n;
}

size_t mtp_unit_format(uint32_t paragraph, uint32_t sentence, char *dst)
{
    size_t n = put_decimal(paragraph, dst);
    if (sentence != 0) {
        dst[n++] = '.';
        n += put_decimal(sentence, dst + n);
    }
    dst[n] = '\0';
    return n;
}

/* Parses a positive decimal without sign or leading zero; advances *i. */
static int parse_number(mtp_str s, size_t *i, uint32_t *out)
{
    const size_t start = *i;
    uint64_t value = 0;
    while (*i < s.len && s.ptr[*i] >= '0' && s.ptr[*i] <= '9') {
        value = value * 10 + (uint64_t)(s.ptr[*i] - '0');
        if (value > UINT32_MAX) {
            return 0;
        }
        (*i)++;
    }
    const size_t digits = *i - start;
    if (digits == 0 || value == 0 || (digits > 1 && s.ptr[start] == '0')) {
        return 0;
    }
    *out = (uint32_t)value;
    return 1;
}

mtp_status mtp_unit_parse(mtp_str unit, uint32_t *paragraph, uint32_t *sentence)
{
    size_t i = 0;
    *sentence = 0;
    if (!parse_number(unit, &i, paragraph)) {
        return MTP_ERR_INPUT;
    }
    if (i == unit.len) {
        return MTP_OK;
    }
    if (unit.ptr[i] != '.') {
        return MTP_ERR_INPUT;
    }
    i++;
    if (!parse_number(unit, &i, sentence) || i != unit.len) {
        return MTP_ERR_INPUT;
    }
    return MTP_OK;
}
