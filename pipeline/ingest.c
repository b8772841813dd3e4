/* ingest: raw news articles (.txt files, directories, JSONL; plain, .zst or
 * .gz) in, clean paragraph records out.
 *
 * Algorithm: every input is read line by line through mtp_reader (which
 * decompresses and drops a BOM). A .txt file is one document; a JSONL line
 * is one document. The document is assembled first -- its lines, with
 * controls made spaces, and where each paragraph starts -- and checked
 * (UTF-8, NUL, size), so that bad input costs exactly one document. Then
 * each paragraph's lines go through the boilerplate rules
 * (pipeline/boilerplate.c); the lines that stay are joined with spaces and
 * emitted as doc_id TAB unit TAB text, units numbered over kept paragraphs.
 * The exact paragraph rules are in include/mtprep/ingest.h.
 *
 * JSONL lines go first through a strict scanner for the common shape, a flat
 * object of strings (jsonl_scan.h), which reads "id", "text" and "title"
 * without building a tree; any line it does not fully understand goes to
 * jansson, so the result and every message are jansson's either way.
 *
 * Standards: RFC 8259 JSON (the scanner, and jansson), UTF-8 per RFC 3629
 * (mtp_utf8_is_valid), line ends LF, CRLF and CR.
 *
 * Memory: the document buffers grow to the largest document (at most
 * max_line_bytes of text) and are reused, as are the scanner's three buffers
 * for decoded strings (each at most one line); the reader adds
 * O(max_line_bytes + codec window); a directory walk holds one sorted
 * listing per level.
 */
#include "mtprep/ingest.h"

#include <dirent.h>
#include <errno.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unicode/utf8.h>

#include "boilerplate.h"
#include "buf.h"
#include "jsonl_scan.h"
#include "mtprep/alloc.h"
#include "mtprep/reader.h"
#include "mtprep/record.h"

#define PROGRESS_EVERY_LINES 4096
#define WHERE_CAPACITY 1100
#define PATH_CAPACITY 4096

/* One line of the document being assembled: bytes [start, start + len) of text. */
typedef struct doc_line {
    size_t start, len;
    int opens_paragraph;
} doc_line;

typedef enum input_mode { MODE_SNIFF, MODE_TXT, MODE_JSONL } input_mode;

struct mtp_ingest {
    mtp_ingest_options opts;
    mtp_boilerplate *rules; /* NULL: no removal */
    mtp_counts counts;
    mtp_error error;
    /* the document being assembled, reused */
    mtp_buf doc_id;
    mtp_buf text; /* every line's bytes, controls made spaces */
    doc_line *lines;
    size_t line_count, line_capacity;
    int break_pending;      /* a blank line was seen since the last line */
    int has_title;          /* the first paragraph is the title */
    const char *bad_reason; /* first problem of the document, NULL when none */
    char bad_where[WHERE_CAPACITY];
    /* emitting */
    mtp_buf line;              /* one line being cleaned */
    mtp_buf para;              /* the paragraph being built */
    mtp_jsonl_scratch scratch; /* JSONL strings with escapes, decoded */
    /* progress */
    uint64_t files;
    uint64_t raw_bytes_done;
};

/* ==== options, lifetime ================================================= */

void mtp_ingest_options_default(mtp_ingest_options *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->max_line_bytes = MTP_DEFAULT_MAX_LINE_BYTES;
    opts->on_error = MTP_ON_ERROR_SKIP;
}

mtp_status mtp_ingest_new(const mtp_ingest_options *opts, mtp_ingest **out, mtp_error *err)
{
    *out = NULL;
    mtp_ingest *ing = mtp_calloc(1, sizeof *ing);
    if (ing == NULL) {
        return mtp_error_set(err, MTP_ERR_NOMEM, "ingest: out of memory");
    }
    ing->opts = *opts;
    if (ing->opts.max_line_bytes == 0) {
        ing->opts.max_line_bytes = MTP_DEFAULT_MAX_LINE_BYTES;
    }
    mtp_counts_init(&ing->counts, "ingest");
    if (!opts->no_rules) {
        const mtp_status st = mtp_boilerplate_load(opts->rules_path, &ing->rules, err);
        if (st != MTP_OK) {
            mtp_ingest_free(ing);
            return st;
        }
    }
    *out = ing;
    return MTP_OK;
}

void mtp_ingest_free(mtp_ingest *ing)
{
    if (ing == NULL) {
        return;
    }
    mtp_boilerplate_free(ing->rules);
    mtp_buf_release(&ing->doc_id);
    mtp_buf_release(&ing->text);
    mtp_buf_release(&ing->line);
    mtp_buf_release(&ing->para);
    mtp_jsonl_scratch_release(&ing->scratch);
    mtp_free(ing->lines);
    mtp_free(ing);
}

const mtp_counts *mtp_ingest_counts(const mtp_ingest *ing)
{
    return &ing->counts;
}

const char *mtp_ingest_error(const mtp_ingest *ing)
{
    return ing->error.message;
}

/* ==== scanning many bytes at a time ====================================== */

#define ONES UINT64_C(0x0101010101010101)
#define HIGHS UINT64_C(0x8080808080808080)

/* Nonzero when a byte of w is below n (n <= 128): the classic SWAR test,
 * exact about whether one exists. */
static uint64_t has_byte_below(uint64_t w, unsigned n)
{
    return (w - ONES * n) & ~w & HIGHS;
}

static uint64_t has_byte(uint64_t w, unsigned char c)
{
    const uint64_t x = w ^ (ONES * c);
    return (x - ONES) & ~x & HIGHS;
}

static uint64_t load8(const char *s)
{
    uint64_t w = 0;
    memcpy(&w, s, sizeof w);
    return w;
}

#if defined(__SSE2__)
/* Sixteen bytes at a time where SSE2 exists (every x86-64): a bit per byte
 * below 0x20 (unsigned: min(x, 0x1F) == x), and per '"' and '\\' when wanted. */
static unsigned special_mask16(const char *s, int string_specials)
{
    const __m128i x = _mm_loadu_si128((const __m128i *)(const void *)s);
    __m128i hit = _mm_cmpeq_epi8(_mm_min_epu8(x, _mm_set1_epi8(0x1F)), x);
    if (string_specials) {
        hit = _mm_or_si128(hit, _mm_cmpeq_epi8(x, _mm_set1_epi8('"')));
        hit = _mm_or_si128(hit, _mm_cmpeq_epi8(x, _mm_set1_epi8('\\')));
    }
    return (unsigned)_mm_movemask_epi8(hit);
}

static size_t skip_plain16(const char *s, size_t len, size_t pos, int string_specials)
{
    while (pos + 16 <= len) {
        const unsigned mask = special_mask16(s + pos, string_specials);
        if (mask != 0) {
            return pos + (size_t)__builtin_ctz(mask);
        }
        pos += 16;
    }
    return pos;
}
#else
static size_t skip_plain16(const char *s, size_t len, size_t pos, int string_specials)
{
    (void)s;
    (void)len;
    (void)string_specials;
    return pos;
}
#endif

/* The first byte below 0x20 in s[pos, len), or len. */
static size_t next_control(const char *s, size_t len, size_t pos)
{
    pos = skip_plain16(s, len, pos, 0);
    while (pos + 8 <= len && !has_byte_below(load8(s + pos), 0x20)) {
        pos += 8;
    }
    while (pos < len && (unsigned char)s[pos] >= 0x20) {
        pos++;
    }
    return pos;
}

/* The first byte in s[pos, len) that ends a JSON string's plain run:
 * '"', '\\' or a control character; len when none. */
static size_t next_string_special(const char *s, size_t len, size_t pos)
{
    pos = skip_plain16(s, len, pos, 1);
    while (pos + 8 <= len) {
        const uint64_t w = load8(s + pos);
        if (has_byte_below(w, 0x20) | has_byte(w, '"') | has_byte(w, '\\')) {
            break;
        }
        pos += 8;
    }
    while (pos < len && s[pos] != '"' && s[pos] != '\\' && (unsigned char)s[pos] >= 0x20) {
        pos++;
    }
    return pos;
}

/* ==== assembling a document ============================================= */

static mtp_status doc_begin(mtp_ingest *ing, const char *doc_id, size_t doc_id_len)
{
    mtp_buf_clear(&ing->doc_id);
    mtp_buf_clear(&ing->text);
    ing->line_count = 0;
    ing->break_pending = 1;
    ing->has_title = 0;
    ing->bad_reason = NULL;
    ing->bad_where[0] = '\0';
    return mtp_buf_append(&ing->doc_id, doc_id, doc_id_len);
}

/* Records the document's first problem, at the reader's current line. */
static void doc_mark_bad(mtp_ingest *ing, const char *reason, mtp_reader *r)
{
    if (ing->bad_reason == NULL) {
        ing->bad_reason = reason;
        snprintf(ing->bad_where, sizeof ing->bad_where, "%s", mtp_reader_where(r));
    }
}

static int is_blank(const char *s, size_t len)
{
    size_t pos = 0;
    size_t n = 0;
    while (pos < len && (n = mtp_bp_space_len(s + pos, len - pos)) > 0) {
        pos += n;
    }
    return pos == len;
}

static mtp_status push_line(mtp_ingest *ing, size_t start, size_t len)
{
    if (ing->line_count == ing->line_capacity) {
        const size_t capacity = ing->line_capacity ? ing->line_capacity * 2 : 64;
        doc_line *grown = mtp_realloc(ing->lines, capacity * sizeof *grown);
        if (grown == NULL) {
            return MTP_ERR_NOMEM;
        }
        ing->lines = grown;
        ing->line_capacity = capacity;
    }
    doc_line *l = &ing->lines[ing->line_count++];
    l->start = start;
    l->len = len;
    l->opens_paragraph = ing->break_pending;
    ing->break_pending = 0;
    return MTP_OK;
}

/* Adds one line (no CR or LF in it): a blank line ends the paragraph.
 * s[first_control] is its first control character (len when none). */
static mtp_status doc_add_line(mtp_ingest *ing, const char *s, size_t len, size_t first_control,
                               mtp_reader *r)
{
    if (is_blank(s, len)) {
        ing->break_pending = 1;
        return MTP_OK;
    }
    if (ing->text.len + len > ing->opts.max_line_bytes) {
        doc_mark_bad(ing, "document_too_long", r);
        return MTP_OK;
    }
    const size_t start = ing->text.len;
    mtp_status st = mtp_buf_append(&ing->text, s, len);
    if (st != MTP_OK) {
        return st;
    }
    char *copy = ing->text.data + start;
    for (size_t i = first_control; i < len; i = next_control(copy, len, i + 1)) {
        copy[i] = ' '; /* TAB and other C0 controls: records stay clean */
    }
    return push_line(ing, start, len);
}

/* Splits at LF, CRLF and lone CR and adds each line. */
static mtp_status doc_add_lines(mtp_ingest *ing, const char *s, size_t len, mtp_reader *r)
{
    size_t pos = 0;
    while (pos <= len) {
        const size_t first_control = next_control(s, len, pos);
        size_t end = first_control;
        while (end < len && s[end] != '\n' && s[end] != '\r') {
            end = next_control(s, len, end + 1); /* TAB and the like stay in the line */
        }
        const mtp_status st = doc_add_line(ing, s + pos, end - pos, first_control - pos, r);
        if (st != MTP_OK || end == len) {
            return st;
        }
        pos = end + ((s[end] == '\r' && end + 1 < len && s[end + 1] == '\n') ? 2 : 1);
        if (pos == len) {
            return MTP_OK; /* a final line end opens no further line */
        }
    }
    return MTP_OK;
}

/* Checks text bytes for NUL and UTF-8; marks the document bad. Returns 1 if clean. */
static int check_text(mtp_ingest *ing, const char *s, size_t len, mtp_reader *r)
{
    if (memchr(s, '\0', len) != NULL) {
        doc_mark_bad(ing, "nul_byte", r);
        return 0;
    }
    if (!mtp_utf8_is_valid(s, len)) {
        doc_mark_bad(ing, "invalid_utf8", r);
        return 0;
    }
    return 1;
}

/* ==== emitting a document =============================================== */

static void count_rule(mtp_ingest *ing, const char *kind, int rule)
{
    char name[MTP_COUNT_NAME_MAX];
    snprintf(name, sizeof name, "%s.%s", kind, mtp_boilerplate_rule_name(ing->rules, (size_t)rule));
    mtp_counts_add(&ing->counts, name, 1);
}

static void count_rule_set(mtp_ingest *ing, const char *kind, uint64_t set)
{
    for (int i = 0; i < MTP_BOILERPLATE_MAX_RULES; i++) {
        if (set & (UINT64_C(1) << i)) {
            count_rule(ing, kind, i);
        }
    }
}

/* What the rules did to one paragraph. */
typedef struct para_verdict {
    uint64_t hits;  /* rules that cut or removed something */
    int first_rule; /* first rule that removed a whole line, -1 when none */
    int kept_lines;
} para_verdict;

static mtp_status append_joined(mtp_buf *para, const char *s, size_t len)
{
    if (para->len > 0) {
        const mtp_status st = mtp_buf_append_byte(para, ' ');
        if (st != MTP_OK) {
            return st;
        }
    }
    return mtp_buf_append(para, s, len);
}

/* Cleans one line into ing->line; appends it to ing->para when it stays. */
static mtp_status clean_line(mtp_ingest *ing, const doc_line *l, unsigned flags, para_verdict *v)
{
    mtp_buf_clear(&ing->line);
    mtp_status st = mtp_buf_append(&ing->line, ing->text.data + l->start, l->len);
    if (st != MTP_OK) {
        return st;
    }
    mtp_bp_hits hits = {0, -1};
    if (ing->rules != NULL) {
        mtp_boilerplate_clean(ing->rules, &ing->line, flags, &hits);
    } else {
        mtp_bp_trim(&ing->line);
    }
    v->hits |= hits.stripped;
    if (hits.removed_rule >= 0) {
        v->hits |= UINT64_C(1) << hits.removed_rule;
        v->first_rule = v->first_rule < 0 ? hits.removed_rule : v->first_rule;
        if (!ing->opts.keep_boilerplate) {
            return MTP_OK;
        }
    }
    v->kept_lines += hits.removed_rule < 0;
    if (ing->opts.keep_boilerplate) {
        mtp_buf_clear(&ing->line); /* keep: the original line, trimmed only */
        st = mtp_buf_append(&ing->line, ing->text.data + l->start, l->len);
        mtp_bp_trim(&ing->line);
    }
    return st == MTP_OK ? append_joined(&ing->para, ing->line.data, ing->line.len) : st;
}

static mtp_status emit_paragraph(mtp_ingest *ing, uint32_t unit, const mtp_sink *sink)
{
    char unit_text[MTP_UNIT_CAPACITY];
    const size_t unit_len = mtp_unit_format(unit, 0, unit_text);
    mtp_record rec;
    memset(&rec, 0, sizeof rec);
    rec.kind = MTP_RECORD_UNIT;
    rec.doc_id.ptr = ing->doc_id.data;
    rec.doc_id.len = ing->doc_id.len;
    rec.unit.ptr = unit_text;
    rec.unit.len = unit_len;
    rec.text.ptr = ing->para.data;
    rec.text.len = ing->para.len;
    const mtp_status st = sink->emit(sink->ctx, &rec);
    if (st == MTP_OK) {
        mtp_counts_add(&ing->counts, "out", 1);
    }
    return st;
}

/* Counts one paragraph's verdict; returns 1 when the paragraph is emitted. */
static int settle_paragraph(mtp_ingest *ing, const para_verdict *v)
{
    mtp_counts_add(&ing->counts, "in", 1);
    if (ing->opts.keep_boilerplate) {
        count_rule_set(ing, "matched", v->hits);
        return ing->para.len > 0;
    }
    if (v->kept_lines == 0 || ing->para.len == 0) {
        if (v->first_rule >= 0) {
            count_rule(ing, "dropped", v->first_rule);
        } else {
            mtp_counts_drop(&ing->counts, "empty", 1);
        }
        return 0;
    }
    count_rule_set(ing, "stripped", v->hits);
    return 1;
}

/* Processes paragraph lines [first, limit); *lead: the body's opening line is still to come. */
static mtp_status process_paragraph(mtp_ingest *ing, size_t first, size_t limit, int is_title,
                                    int *lead, uint32_t *unit, const mtp_sink *sink)
{
    para_verdict v = {0, -1, 0};
    mtp_buf_clear(&ing->para);
    for (size_t i = first; i < limit; i++) {
        const unsigned flags = (!is_title && *lead && v.kept_lines == 0) ? MTP_BP_LEAD : 0;
        const mtp_status st = clean_line(ing, &ing->lines[i], flags, &v);
        if (st != MTP_OK) {
            return st;
        }
    }
    if (!is_title && v.kept_lines > 0) {
        *lead = 0;
    }
    if (!settle_paragraph(ing, &v)) {
        return MTP_OK;
    }
    *unit += 1;
    return emit_paragraph(ing, *unit, sink);
}

static mtp_status emit_document(mtp_ingest *ing, const mtp_sink *sink)
{
    uint32_t unit = 0;
    int lead = 1;
    size_t first = 0;
    if (ing->line_count > 0) {
        mtp_counts_add(&ing->counts, "documents", 1);
    }
    while (first < ing->line_count) {
        size_t limit = first + 1;
        while (limit < ing->line_count && !ing->lines[limit].opens_paragraph) {
            limit++;
        }
        const int is_title = first == 0 && ing->has_title;
        const mtp_status st = process_paragraph(ing, first, limit, is_title, &lead, &unit, sink);
        if (st != MTP_OK) {
            return st;
        }
        first = limit;
    }
    return MTP_OK;
}

/* Emits the assembled document, or applies the policy to its first problem. */
static mtp_status finish_document(mtp_ingest *ing, const mtp_sink *sink)
{
    if (ing->bad_reason == NULL) {
        return emit_document(ing, sink);
    }
    mtp_counts_add(&ing->counts, "in", 1);
    return mtp_policy_bad_input(ing->opts.on_error, &ing->counts, &ing->error, ing->bad_where,
                                ing->bad_reason, NULL);
}

static int doc_id_is_valid(const char *s, size_t len)
{
    const mtp_str id = {s, len};
    return len > 0 && mtp_field_is_clean(id) && mtp_utf8_is_valid(s, len);
}

/* ==== .txt documents ==================================================== */

/* Adds one reader line of a .txt document. */
static mtp_status txt_line(mtp_ingest *ing, mtp_reader *r, const char *line, size_t len)
{
    if (ing->bad_reason != NULL) {
        return MTP_OK;
    }
    if (!check_text(ing, line, len, r)) {
        return MTP_OK;
    }
    if (ing->line_count == 0 && !doc_id_is_valid(ing->doc_id.data, ing->doc_id.len)) {
        doc_mark_bad(ing, "bad_doc_id", r);
        return MTP_OK;
    }
    return doc_add_lines(ing, line, len, r);
}

/* The first paragraph is the title when it is one line that does not end with
 * a full stop: a body of one-line paragraphs then still gets its dateline cut. */
static mtp_status txt_find_title(mtp_ingest *ing)
{
    ing->has_title = 0;
    const int one_line =
        ing->line_count == 1 || (ing->line_count > 1 && ing->lines[1].opens_paragraph);
    if (!one_line) {
        return MTP_OK;
    }
    mtp_buf_clear(&ing->line);
    const mtp_status st =
        mtp_buf_append(&ing->line, ing->text.data + ing->lines[0].start, ing->lines[0].len);
    if (st != MTP_OK) {
        return st;
    }
    mtp_bp_trim(&ing->line);
    ing->has_title = ing->line.len > 0 && ing->line.data[ing->line.len - 1] != '.';
    return MTP_OK;
}

/* ==== JSONL documents =================================================== */

static mtp_status json_bad(mtp_ingest *ing, mtp_reader *r, const char *reason, const char *hint)
{
    mtp_counts_add(&ing->counts, "in", 1);
    return mtp_policy_bad_input(ing->opts.on_error, &ing->counts, &ing->error, mtp_reader_where(r),
                                reason, hint);
}

/* A string member of a jansson object, or an absent one. */
static mtp_str json_member(json_t *obj, const char *key)
{
    json_t *value = json_object_get(obj, key);
    const mtp_str none = {NULL, 0};
    if (!json_is_string(value)) {
        return none;
    }
    const mtp_str found = {json_string_value(value), json_string_length(value)};
    return found;
}

static int holds_nul(mtp_str s)
{
    return s.ptr != NULL && memchr(s.ptr, '\0', s.len) != NULL;
}

/* Assembles the document of one JSONL object's members. */
static mtp_status json_document(mtp_ingest *ing, mtp_reader *r, const mtp_jsonl_fields *f,
                                const mtp_sink *sink)
{
    if (f->id.ptr == NULL || f->text.ptr == NULL) {
        return json_bad(ing, r, "malformed_json", "\"id\" and \"text\" must be strings");
    }
    if (holds_nul(f->id) || holds_nul(f->text) || holds_nul(f->title)) {
        return json_bad(ing, r, "nul_byte", NULL);
    }
    if (!doc_id_is_valid(f->id.ptr, f->id.len)) {
        return json_bad(ing, r, "bad_doc_id", NULL);
    }
    mtp_status st = doc_begin(ing, f->id.ptr, f->id.len);
    if (st == MTP_OK && f->title.ptr != NULL && !is_blank(f->title.ptr, f->title.len)) {
        st = doc_add_lines(ing, f->title.ptr, f->title.len, r);
        for (size_t i = 1; i < ing->line_count; i++) {
            ing->lines[i].opens_paragraph = 0; /* a title is one paragraph */
        }
        ing->has_title = ing->line_count > 0;
        ing->break_pending = 1;
    }
    if (st == MTP_OK) {
        st = doc_add_lines(ing, f->text.ptr, f->text.len, r);
    }
    return st == MTP_OK ? finish_document(ing, sink) : st;
}

/* The general path: jansson parses the line and names what is wrong with it. */
static mtp_status json_line_jansson(mtp_ingest *ing, mtp_reader *r, const char *line, size_t len,
                                    const mtp_sink *sink)
{
    json_error_t jerr;
    json_t *obj = json_loadb(line, len, JSON_ALLOW_NUL, &jerr);
    if (obj == NULL || !json_is_object(obj)) {
        json_decref(obj);
        return json_bad(ing, r, "malformed_json", obj == NULL ? jerr.text : "not an object");
    }
    const mtp_jsonl_fields f = {json_member(obj, "id"), json_member(obj, "text"),
                                json_member(obj, "title")};
    const mtp_status st = json_document(ing, r, &f, sink);
    json_decref(obj);
    return st;
}

static mtp_status json_line(mtp_ingest *ing, mtp_reader *r, const char *line, size_t len,
                            const mtp_sink *sink)
{
    if (is_blank(line, len)) {
        return MTP_OK;
    }
    if (memchr(line, '\0', len) != NULL) {
        return json_bad(ing, r, "nul_byte", NULL);
    }
    if (!mtp_utf8_is_valid(line, len)) {
        return json_bad(ing, r, "invalid_utf8", NULL);
    }
    mtp_jsonl_fields f;
    int understood = 0;
    const mtp_status st = mtp_jsonl_scan(line, len, &ing->scratch, &f, &understood);
    if (st != MTP_OK) {
        return st;
    }
    return understood ? json_document(ing, r, &f, sink)
                      : json_line_jansson(ing, r, line, len, sink);
}

/* ==== JSONL fast path (jsonl_scan.h) ==================================== */

typedef enum scan_result { SCAN_FALLBACK, SCAN_OK, SCAN_NOMEM } scan_result;

typedef struct json_cursor {
    const char *s;
    size_t len;
    size_t pos;
} json_cursor;

/* JSON whitespace only: other blanks are jansson's to reject. */
static void skip_json_space(json_cursor *c)
{
    while (c->pos < c->len) {
        const char ch = c->s[c->pos];
        if (ch != ' ' && ch != '\t' && ch != '\n' && ch != '\r') {
            return;
        }
        c->pos++;
    }
}

/* The byte at the cursor, or 0 at the end (the line holds no NUL). */
static char peek(const json_cursor *c)
{
    return c->pos < c->len ? c->s[c->pos] : '\0';
}

static long hex4(const char *s, size_t len, size_t pos)
{
    if (pos + 4 > len) {
        return -1;
    }
    long value = 0;
    for (size_t i = pos; i < pos + 4; i++) {
        const char ch = s[i];
        const int digit = (ch >= '0' && ch <= '9')   ? ch - '0'
                          : (ch >= 'a' && ch <= 'f') ? ch - 'a' + 10
                          : (ch >= 'A' && ch <= 'F') ? ch - 'A' + 10
                                                     : -1;
        if (digit < 0) {
            return -1;
        }
        value = value * 16 + digit;
    }
    return value;
}

static size_t put_utf8(char *dst, unsigned long cp)
{
    size_t len = 0;
    U8_APPEND_UNSAFE(dst, len, (UChar32)cp); /* ICU's encoder; cp is a valid scalar value */
    return len;
}

/* \uXXXX at s[pos] (a high surrogate must pair with a low one): the code
 * point, and *used the bytes read; -1 for anything jansson would reject. */
static long unicode_escape(const char *s, size_t len, size_t pos, size_t *used)
{
    const long cp = hex4(s, len, pos + 2);
    *used = 6;
    if (cp < 0xD800 || cp > 0xDFFF) {
        return cp;
    }
    const int paired = cp <= 0xDBFF && pos + 8 <= len && s[pos + 6] == '\\' && s[pos + 7] == 'u';
    const long low = paired ? hex4(s, len, pos + 8) : -1;
    if (low < 0xDC00 || low > 0xDFFF) {
        return -1;
    }
    *used = 12;
    return 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
}

/* Decodes the escape at s[pos] ('\\') into dst (scratch space when NULL);
 * returns the bytes read, 0 when not understood; *written: bytes decoded. */
static size_t decode_escape(const char *s, size_t len, size_t pos, char *dst, size_t *written)
{
    static const char names[] = "\"\\/bfnrt";
    static const char bytes[] = "\"\\/\b\f\n\r\t";
    char scratch[4];
    char *const out = dst != NULL ? dst : scratch;
    const char *named = pos + 1 < len ? memchr(names, s[pos + 1], sizeof names - 1) : NULL;
    if (named != NULL) {
        *out = bytes[named - names];
        *written = 1;
        return 2;
    }
    if (pos + 1 >= len || s[pos + 1] != 'u') {
        return 0;
    }
    size_t used = 0;
    const long cp = unicode_escape(s, len, pos, &used);
    if (cp < 0) {
        return 0;
    }
    *written = put_utf8(out, (unsigned long)cp);
    return used;
}

/* The rest of a string from its first backslash at pos; decodes into out
 * (sized for the raw bytes: decoding never lengthens) unless out is NULL. */
static scan_result decode_string(json_cursor *c, size_t start, size_t pos, mtp_buf *out,
                                 mtp_str *value)
{
    char *dst = NULL;
    if (out != NULL) {
        mtp_buf_clear(out);
        if (mtp_buf_reserve(out, c->len - start) != MTP_OK) {
            return SCAN_NOMEM;
        }
        memcpy(out->data, c->s + start, pos - start);
        dst = out->data + (pos - start);
    }
    while (pos < c->len && c->s[pos] != '"') {
        size_t written = 0;
        const size_t used = c->s[pos] == '\\' ? decode_escape(c->s, c->len, pos, dst, &written)
                                              : 0; /* a raw control: jansson's error */
        if (used == 0) {
            return SCAN_FALLBACK;
        }
        pos += used;
        dst = dst != NULL ? dst + written : NULL;
        const size_t run = next_string_special(c->s, c->len, pos);
        if (dst != NULL) {
            memcpy(dst, c->s + pos, run - pos);
            dst += run - pos;
        }
        pos = run;
    }
    if (pos >= c->len) {
        return SCAN_FALLBACK;
    }
    if (out != NULL) {
        out->len = (size_t)(dst - out->data);
        out->data[out->len] = '\0';
        value->ptr = out->data;
        value->len = out->len;
    }
    c->pos = pos + 1;
    return SCAN_OK;
}

/* The string opening at the cursor: a view into the line when it has no
 * escape, else decoded into out (validated only when out is NULL). */
static scan_result scan_string(json_cursor *c, mtp_buf *out, mtp_str *value)
{
    const size_t start = ++c->pos;
    const size_t pos = next_string_special(c->s, c->len, start);
    if (pos >= c->len || (unsigned char)c->s[pos] < 0x20) {
        return SCAN_FALLBACK;
    }
    if (c->s[pos] == '\\') {
        return decode_string(c, start, pos, out, value);
    }
    value->ptr = c->s + start;
    value->len = pos - start;
    c->pos = pos + 1;
    return SCAN_OK;
}

/* -?(0|[1-9][0-9]*) of at most 18 digits: no overflow, no float to round.
 * What follows is checked by the caller (a '.' or 'e' is not understood). */
static scan_result scan_integer(json_cursor *c)
{
    size_t pos = c->pos + (peek(c) == '-');
    const size_t first = pos;
    if (pos < c->len && c->s[pos] == '0') {
        pos++;
    } else {
        while (pos < c->len && c->s[pos] >= '0' && c->s[pos] <= '9') {
            pos++;
        }
    }
    if (pos == first || pos - first > 18) {
        return SCAN_FALLBACK;
    }
    c->pos = pos;
    return SCAN_OK;
}

static scan_result scan_word(json_cursor *c, const char *word)
{
    const size_t n = strlen(word);
    if (c->len - c->pos < n || memcmp(c->s + c->pos, word, n) != 0) {
        return SCAN_FALLBACK;
    }
    c->pos += n;
    return SCAN_OK;
}

/* One value; *is_string tells a string from the rest. */
static scan_result scan_value(json_cursor *c, mtp_buf *out, mtp_str *value, int *is_string)
{
    const char ch = peek(c);
    *is_string = ch == '"';
    switch (ch) {
    case '"':
        return scan_string(c, out, value);
    case 't':
        return scan_word(c, "true");
    case 'f':
        return scan_word(c, "false");
    case 'n':
        return scan_word(c, "null");
    default:
        return (ch == '-' || (ch >= '0' && ch <= '9')) ? scan_integer(c) : SCAN_FALLBACK;
    }
}

/* A key without escapes (an escaped key, "\u0069d", is left to jansson). */
static scan_result scan_key(json_cursor *c, mtp_str *key)
{
    if (peek(c) != '"') {
        return SCAN_FALLBACK;
    }
    const size_t start = c->pos + 1;
    const char *quote = memchr(c->s + start, '"', c->len - start);
    if (quote == NULL) {
        return SCAN_FALLBACK;
    }
    key->ptr = c->s + start;
    key->len = (size_t)(quote - key->ptr);
    for (size_t i = 0; i < key->len; i++) {
        if (key->ptr[i] == '\\' || (unsigned char)key->ptr[i] < 0x20) {
            return SCAN_FALLBACK;
        }
    }
    c->pos = (size_t)(quote - c->s) + 1;
    return SCAN_OK;
}

static int key_is(mtp_str key, const char *name)
{
    return key.len == strlen(name) && memcmp(key.ptr, name, key.len) == 0;
}

/* "key": value; a member ingest reads must be a string (the last one wins). */
static scan_result scan_member(json_cursor *c, mtp_jsonl_scratch *scratch, mtp_jsonl_fields *f)
{
    mtp_str key = {NULL, 0};
    scan_result res = scan_key(c, &key);
    skip_json_space(c);
    if (res != SCAN_OK || peek(c) != ':') {
        return SCAN_FALLBACK;
    }
    c->pos++;
    skip_json_space(c);
    mtp_buf *out = NULL;
    mtp_str *slot = NULL;
    if (key_is(key, "id")) {
        out = &scratch->id;
        slot = &f->id;
    } else if (key_is(key, "text")) {
        out = &scratch->text;
        slot = &f->text;
    } else if (key_is(key, "title")) {
        out = &scratch->title;
        slot = &f->title;
    }
    mtp_str value = {NULL, 0};
    int is_string = 0;
    res = scan_value(c, out, &value, &is_string);
    if (res == SCAN_OK && slot != NULL) {
        *slot = value;
        res = is_string ? SCAN_OK : SCAN_FALLBACK;
    }
    return res;
}

/* { member (, member)* } followed by nothing but whitespace. */
static scan_result scan_object(json_cursor *c, mtp_jsonl_scratch *scratch, mtp_jsonl_fields *f)
{
    skip_json_space(c);
    if (peek(c) != '{') {
        return SCAN_FALLBACK;
    }
    c->pos++;
    skip_json_space(c);
    char next = peek(c);
    while (next != '}') {
        const scan_result res = scan_member(c, scratch, f);
        if (res != SCAN_OK) {
            return res;
        }
        skip_json_space(c);
        next = peek(c);
        if (next == ',') {
            c->pos++;
            skip_json_space(c);
            next = '\0'; /* a member must follow: "{"a":1,}" is not JSON */
        } else if (next != '}') {
            return SCAN_FALLBACK;
        }
    }
    c->pos++;
    skip_json_space(c);
    return c->pos == c->len ? SCAN_OK : SCAN_FALLBACK;
}

mtp_status mtp_jsonl_scan(const char *line, size_t len, mtp_jsonl_scratch *scratch,
                          mtp_jsonl_fields *out, int *understood)
{
    json_cursor c = {line, len, 0};
    memset(out, 0, sizeof *out);
    const scan_result res = scan_object(&c, scratch, out);
    *understood = res == SCAN_OK;
    return res == SCAN_NOMEM ? MTP_ERR_NOMEM : MTP_OK;
}

void mtp_jsonl_scratch_release(mtp_jsonl_scratch *scratch)
{
    mtp_buf_release(&scratch->id);
    mtp_buf_release(&scratch->text);
    mtp_buf_release(&scratch->title);
}

/* ==== inputs ============================================================ */

/* A whole input failed (open, read, decompress): skip counts it, fail stops. */
static mtp_status input_failure(mtp_ingest *ing, mtp_status st, const char *message)
{
    if (st == MTP_ERR_NOMEM) {
        return mtp_error_set(&ing->error, st, "%s", message);
    }
    mtp_counts_add(&ing->counts, "in", 1);
    if (ing->opts.on_error == MTP_ON_ERROR_SKIP) {
        mtp_counts_drop(&ing->counts, st == MTP_ERR_CODEC ? "corrupt_input" : "unreadable", 1);
        return MTP_OK;
    }
    return mtp_error_set(&ing->error, st, "%s", message);
}

static void report_progress(mtp_ingest *ing, const mtp_reader *r)
{
    if (ing->opts.progress != NULL) {
        const uint64_t current = r != NULL ? mtp_reader_raw_bytes(r) : 0;
        ing->opts.progress(ing->opts.progress_ctx, ing->files, ing->raw_bytes_done + current);
    }
}

static input_mode sniff_line(const char *line, size_t len)
{
    size_t pos = 0;
    size_t n = 0;
    while (pos < len && (n = mtp_bp_space_len(line + pos, len - pos)) > 0) {
        pos += n;
    }
    if (pos == len) {
        return MODE_SNIFF; /* blank: decide on a later line */
    }
    return line[pos] == '{' ? MODE_JSONL : MODE_TXT;
}

static mtp_status handle_line(mtp_ingest *ing, mtp_reader *r, input_mode *mode, const char *line,
                              size_t len, const mtp_sink *sink)
{
    if (*mode == MODE_SNIFF) {
        *mode = sniff_line(line, len);
    }
    if (*mode == MODE_JSONL) {
        return json_line(ing, r, line, len, sink);
    }
    return *mode == MODE_TXT ? txt_line(ing, r, line, len) : MTP_OK;
}

/* Handles an over-long line: a JSONL document, or the whole .txt document, is bad. */
static mtp_status handle_long_line(mtp_ingest *ing, mtp_reader *r, input_mode mode)
{
    if (mode == MODE_JSONL) {
        return json_bad(ing, r, "line_too_long", NULL);
    }
    doc_mark_bad(ing, "line_too_long", r);
    return MTP_OK;
}

/* Reads every line of an open input; .txt content forms one document. */
static mtp_status read_input(mtp_ingest *ing, mtp_reader *r, input_mode mode, const mtp_sink *sink)
{
    mtp_status st = MTP_OK;
    uint64_t lines = 0;
    for (;;) {
        const char *line = NULL;
        size_t len = 0;
        st = mtp_reader_next_line(r, &line, &len);
        if (st == MTP_END) {
            break;
        }
        if (st == MTP_ERR_LIMIT) {
            st = handle_long_line(ing, r, mode);
        } else if (st == MTP_OK) {
            st = handle_line(ing, r, &mode, line, len, sink);
        } else {
            return input_failure(ing, st, mtp_reader_error(r));
        }
        if (st != MTP_OK) {
            return st;
        }
        if ((++lines % PROGRESS_EVERY_LINES) == 0) {
            report_progress(ing, r);
        }
    }
    if (mode == MODE_JSONL) {
        return MTP_OK;
    }
    st = txt_find_title(ing);
    return st == MTP_OK ? finish_document(ing, sink) : st;
}

/* Strips .zst/.gz and then one extension (".txt") from the end of [s, s+len). */
static size_t strip_extensions(const char *s, size_t len)
{
    static const char *const codecs[] = {".zst", ".gz"};
    for (size_t i = 0; i < 2; i++) {
        const size_t n = strlen(codecs[i]);
        if (len > n && memcmp(s + len - n, codecs[i], n) == 0) {
            len -= n;
        }
    }
    for (size_t i = len; i > 0; i--) {
        if (s[i - 1] == '/') {
            break;
        }
        if (s[i - 1] == '.') {
            return (i - 1 > 0 && s[i - 2] != '/') ? i - 1 : len;
        }
    }
    return len;
}

static int has_suffix(const char *name, const char *suffix)
{
    const size_t n = strlen(name);
    const size_t k = strlen(suffix);
    return n >= k && strcmp(name + n - k, suffix) == 0;
}

/* MODE_TXT or MODE_JSONL from the name (codec suffix ignored), else MODE_SNIFF. */
static input_mode mode_from_name(const char *name)
{
    static const char *const jsonl[] = {".jsonl", ".jsonl.zst", ".jsonl.gz"};
    static const char *const txt[] = {".txt", ".txt.zst", ".txt.gz"};
    for (size_t i = 0; i < 3; i++) {
        if (has_suffix(name, jsonl[i])) {
            return MODE_JSONL;
        }
        if (has_suffix(name, txt[i])) {
            return MODE_TXT;
        }
    }
    return MODE_SNIFF;
}

/* Where a file's bytes come from: the whole file, or a planned piece. */
typedef struct file_span {
    const mtp_ingest_piece *piece; /* NULL: the whole file */
} file_span;

static mtp_status open_span(mtp_ingest *ing, const char *path, file_span span, mtp_reader **r,
                            mtp_error *err)
{
    const mtp_ingest_piece *p = span.piece;
    if (p == NULL) {
        return mtp_reader_open(path, NULL, ing->opts.max_line_bytes, r, err);
    }
    return mtp_reader_open_range(path, NULL, p->offset, p->length, p->first_line,
                                 ing->opts.max_line_bytes, r, err);
}

/* Ingests one file (or stdin, or a piece of a file) whose .txt doc_id is
 * [doc_id, doc_id + doc_id_len). */
static mtp_status ingest_span(mtp_ingest *ing, const char *path, file_span span, const char *doc_id,
                              size_t doc_id_len, const mtp_sink *sink)
{
    mtp_reader *r = NULL;
    mtp_error open_error = {{0}};
    mtp_status st = doc_begin(ing, doc_id, doc_id_len);
    if (st != MTP_OK) {
        return mtp_error_set(&ing->error, st, "ingest: out of memory");
    }
    st = open_span(ing, path, span, &r, &open_error);
    if (st != MTP_OK) {
        return input_failure(ing, st, open_error.message);
    }
    const input_mode mode = strcmp(path, "-") == 0 ? MODE_SNIFF : mode_from_name(path);
    st = read_input(ing, r, mode, sink);
    if (st == MTP_ERR_NOMEM && ing->error.message[0] == '\0') {
        mtp_error_set(&ing->error, st, "%s: out of memory", path);
    }
    ing->raw_bytes_done += mtp_reader_raw_bytes(r);
    if (span.piece == NULL || span.piece->first_piece) {
        ing->files++;
        mtp_counts_add(&ing->counts, "files", 1);
    }
    mtp_reader_close(r);
    report_progress(ing, NULL);
    return st;
}

static mtp_status ingest_file(mtp_ingest *ing, const char *path, const char *doc_id,
                              size_t doc_id_len, const mtp_sink *sink)
{
    const file_span whole = {NULL};
    return ingest_span(ing, path, whole, doc_id, doc_id_len, sink);
}

/* ==== directories ======================================================= */

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_names(char **names, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        mtp_free(names[i]);
    }
    mtp_free(names);
}

/* Lists the non-hidden entries of `dir`, byte-sorted. */
static mtp_status list_dir(const char *dir, char ***out, size_t *count)
{
    *out = NULL;
    *count = 0;
    DIR *d = opendir(dir);
    if (d == NULL) {
        return MTP_ERR_IO;
    }
    char **names = NULL;
    size_t n = 0, capacity = 0;
    mtp_status st = MTP_OK;
    const struct dirent *e = NULL;
    while (st == MTP_OK && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') {
            continue;
        }
        if (n == capacity) {
            capacity = capacity ? capacity * 2 : 32;
            char **grown = mtp_realloc(names, capacity * sizeof *grown);
            st = grown != NULL ? MTP_OK : MTP_ERR_NOMEM;
            names = grown != NULL ? grown : names;
        }
        if (st == MTP_OK && (names[n] = mtp_strndup(e->d_name, strlen(e->d_name))) == NULL) {
            st = MTP_ERR_NOMEM;
        }
        n += st == MTP_OK;
    }
    closedir(d);
    if (st != MTP_OK) {
        free_names(names, n);
        return st;
    }
    if (n > 1) { /* an empty directory has no array: qsort must not see NULL */
        qsort(names, n, sizeof *names, compare_names);
    }
    *out = names;
    *count = n;
    return MTP_OK;
}

static mtp_status unreadable(mtp_ingest *ing, const char *path, int errnum)
{
    char message[PATH_CAPACITY + 256]; /* any path this file builds, and the reason */
    snprintf(message, sizeof message, "%s: cannot read: %s", path, strerror(errnum));
    return input_failure(ing, MTP_ERR_IO, message);
}

static mtp_status walk_dir(mtp_ingest *ing, const char *root, const char *rel,
                           const mtp_sink *sink);

/* One entry `rel` (relative to root) of a directory walk. */
static mtp_status walk_entry(mtp_ingest *ing, const char *root, const char *rel,
                             const mtp_sink *sink)
{
    char path[PATH_CAPACITY];
    if ((size_t)snprintf(path, sizeof path, "%s/%s", root, rel) >= sizeof path) {
        return unreadable(ing, rel, ENAMETOOLONG);
    }
    struct stat sb;
    if (stat(path, &sb) != 0) {
        return unreadable(ing, path, errno);
    }
    if (S_ISDIR(sb.st_mode)) {
        return walk_dir(ing, root, rel, sink);
    }
    if (mode_from_name(rel) == MODE_SNIFF) {
        mtp_counts_add(&ing->counts, "files_ignored", 1);
        return MTP_OK;
    }
    return ingest_file(ing, path, rel, strip_extensions(rel, strlen(rel)), sink);
}

static mtp_status walk_dir(mtp_ingest *ing, const char *root, const char *rel, const mtp_sink *sink)
{
    char dir[PATH_CAPACITY];
    const int n = rel[0] ? snprintf(dir, sizeof dir, "%s/%s", root, rel)
                         : snprintf(dir, sizeof dir, "%s", root);
    if ((size_t)n >= sizeof dir) {
        return unreadable(ing, rel, ENAMETOOLONG);
    }
    char **names = NULL;
    size_t count = 0;
    mtp_status st = list_dir(dir, &names, &count);
    if (st != MTP_OK) {
        return st == MTP_ERR_IO ? unreadable(ing, dir, errno)
                                : mtp_error_set(&ing->error, st, "%s: out of memory", dir);
    }
    for (size_t i = 0; i < count && st == MTP_OK; i++) {
        char child[PATH_CAPACITY];
        const int m = rel[0] ? snprintf(child, sizeof child, "%s/%s", rel, names[i])
                             : snprintf(child, sizeof child, "%s", names[i]);
        st = (size_t)m < sizeof child ? walk_entry(ing, root, child, sink)
                                      : unreadable(ing, names[i], ENAMETOOLONG);
    }
    free_names(names, count);
    return st;
}

mtp_status mtp_ingest_path(mtp_ingest *ing, const char *path, const mtp_sink *sink)
{
    if (strcmp(path, "-") == 0) {
        return ingest_file(ing, "-", "stdin", 5, sink);
    }
    struct stat sb;
    if (stat(path, &sb) != 0) {
        return unreadable(ing, path, errno);
    }
    if (S_ISDIR(sb.st_mode)) {
        size_t len = strlen(path);
        while (len > 1 && path[len - 1] == '/') {
            len--; /* "dir/" and "dir" give the same doc_ids */
        }
        char root[PATH_CAPACITY];
        if (len >= sizeof root) {
            return unreadable(ing, path, ENAMETOOLONG);
        }
        memcpy(root, path, len);
        root[len] = '\0';
        return walk_dir(ing, root, "", sink);
    }
    const char *slash = strrchr(path, '/');
    const char *base = slash != NULL ? slash + 1 : path;
    return ingest_file(ing, path, base, strip_extensions(base, strlen(base)), sink);
}

/* The doc_id base of a piece: its path relative to its root, or its base name. */
static const char *piece_name(const mtp_ingest_piece *p)
{
    if (p->root == NULL) {
        const char *slash = strrchr(p->path, '/');
        return slash != NULL ? slash + 1 : p->path;
    }
    size_t n = strlen(p->root);
    while (n > 1 && p->root[n - 1] == '/') {
        n--; /* as mtp_ingest_path trims a directory argument */
    }
    const int under = strncmp(p->path, p->root, n) == 0 && p->path[n] == '/' && p->path[n + 1];
    return under ? p->path + n + 1 : NULL;
}

mtp_status mtp_ingest_range(mtp_ingest *ing, const mtp_ingest_piece *piece, const mtp_sink *sink)
{
    const char *name = strcmp(piece->path, "-") == 0 ? NULL : piece_name(piece);
    if (name == NULL) {
        return mtp_error_set(&ing->error, MTP_ERR_USAGE, "%s: not a file under %s", piece->path,
                             piece->root != NULL ? piece->root : "a directory");
    }
    const file_span span = {piece};
    return ingest_span(ing, piece->path, span, name, strip_extensions(name, strlen(name)), sink);
}
