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
 * Standards: RFC 8259 JSON through jansson, UTF-8 per RFC 3629
 * (mtp_utf8_is_valid), line ends LF, CRLF and CR.
 *
 * Memory: the document buffers grow to the largest document (at most
 * max_line_bytes of text) and are reused; the reader adds
 * O(max_line_bytes + codec window); a directory walk holds one sorted
 * listing per level.
 */
#include "mtprep/ingest.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "boilerplate.h"
#include "buf.h"
#include "mtprep/alloc.h"
#include "mtprep/reader.h"
#include "mtprep/record.h"

#define PROGRESS_EVERY_LINES 4096
#define WHERE_CAPACITY 1100

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
    mtp_buf line; /* one line being cleaned */
    mtp_buf para; /* the paragraph being built */
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

/* Adds one line (no CR or LF in it): a blank line ends the paragraph. */
static mtp_status doc_add_line(mtp_ingest *ing, const char *s, size_t len, mtp_reader *r)
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
    for (size_t i = 0; i < len; i++) {
        if ((unsigned char)copy[i] < 0x20) {
            copy[i] = ' '; /* TAB and other C0 controls: records stay clean */
        }
    }
    return push_line(ing, start, len);
}

/* Splits at LF, CRLF and lone CR and adds each line. */
static mtp_status doc_add_lines(mtp_ingest *ing, const char *s, size_t len, mtp_reader *r)
{
    size_t pos = 0;
    while (pos <= len) {
        size_t end = pos;
        while (end < len && s[end] != '\n' && s[end] != '\r') {
            end++;
        }
        const mtp_status st = doc_add_line(ing, s + pos, end - pos, r);
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

/* A string member, or NULL. Sets *nul when it holds a NUL character. */
static const char *json_member(json_t *obj, const char *key, size_t *len, int *nul)
{
    json_t *value = json_object_get(obj, key);
    if (!json_is_string(value)) {
        return NULL;
    }
    const char *s = json_string_value(value);
    *len = json_string_length(value);
    *nul |= memchr(s, '\0', *len) != NULL;
    return s;
}

/* Assembles the document of one parsed JSONL object. */
static mtp_status json_document(mtp_ingest *ing, mtp_reader *r, json_t *obj, const mtp_sink *sink)
{
    size_t id_len = 0, text_len = 0, title_len = 0;
    int nul = 0;
    const char *id = json_member(obj, "id", &id_len, &nul);
    const char *text = json_member(obj, "text", &text_len, &nul);
    const char *title = json_member(obj, "title", &title_len, &nul);
    if (id == NULL || text == NULL) {
        return json_bad(ing, r, "malformed_json", "\"id\" and \"text\" must be strings");
    }
    if (nul) {
        return json_bad(ing, r, "nul_byte", NULL);
    }
    if (!doc_id_is_valid(id, id_len)) {
        return json_bad(ing, r, "bad_doc_id", NULL);
    }
    mtp_status st = doc_begin(ing, id, id_len);
    if (st == MTP_OK && title != NULL && !is_blank(title, title_len)) {
        st = doc_add_lines(ing, title, title_len, r);
        for (size_t i = 1; i < ing->line_count; i++) {
            ing->lines[i].opens_paragraph = 0; /* a title is one paragraph */
        }
        ing->has_title = ing->line_count > 0;
        ing->break_pending = 1;
    }
    if (st == MTP_OK) {
        st = doc_add_lines(ing, text, text_len, r);
    }
    return st == MTP_OK ? finish_document(ing, sink) : st;
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
    json_error_t jerr;
    json_t *obj = json_loadb(line, len, JSON_ALLOW_NUL, &jerr);
    if (obj == NULL || !json_is_object(obj)) {
        json_decref(obj);
        return json_bad(ing, r, "malformed_json", obj == NULL ? jerr.text : "not an object");
    }
    const mtp_status st = json_document(ing, r, obj, sink);
    json_decref(obj);
    return st;
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

/* Ingests one file (or stdin) whose .txt doc_id is [doc_id, doc_id + doc_id_len). */
static mtp_status ingest_file(mtp_ingest *ing, const char *path, const char *doc_id,
                              size_t doc_id_len, const mtp_sink *sink)
{
    mtp_reader *r = NULL;
    mtp_error open_error = {{0}};
    mtp_status st = doc_begin(ing, doc_id, doc_id_len);
    if (st != MTP_OK) {
        return mtp_error_set(&ing->error, st, "ingest: out of memory");
    }
    st = mtp_reader_open(path, NULL, ing->opts.max_line_bytes, &r, &open_error);
    if (st != MTP_OK) {
        return input_failure(ing, st, open_error.message);
    }
    const input_mode mode = strcmp(path, "-") == 0 ? MODE_SNIFF : mode_from_name(path);
    st = read_input(ing, r, mode, sink);
    if (st == MTP_ERR_NOMEM && ing->error.message[0] == '\0') {
        mtp_error_set(&ing->error, st, "%s: out of memory", path);
    }
    ing->files++;
    ing->raw_bytes_done += mtp_reader_raw_bytes(r);
    mtp_counts_add(&ing->counts, "files", 1);
    mtp_reader_close(r);
    report_progress(ing, NULL);
    return st;
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
    qsort(names, n, sizeof *names, compare_names);
    *out = names;
    *count = n;
    return MTP_OK;
}

static mtp_status unreadable(mtp_ingest *ing, const char *path, int errnum)
{
    char message[WHERE_CAPACITY];
    snprintf(message, sizeof message, "%s: cannot read: %s", path, strerror(errnum));
    return input_failure(ing, MTP_ERR_IO, message);
}

static mtp_status walk_dir(mtp_ingest *ing, const char *root, const char *rel,
                           const mtp_sink *sink);

/* One entry `rel` (relative to root) of a directory walk. */
static mtp_status walk_entry(mtp_ingest *ing, const char *root, const char *rel,
                             const mtp_sink *sink)
{
    char path[4096];
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
    char dir[4096];
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
        char child[4096];
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
        char root[4096];
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
