/* The record format between mtprep stages, and the only code that knows it.
 *
 * One record per line, UTF-8, LF-terminated, fields separated by TAB:
 *
 *   monolingual unit:  doc_id TAB unit TAB text
 *   aligned pair:      doc_id TAB units TAB src TAB tgt TAB score
 *
 * `unit` is a paragraph number after ingest ("3") and paragraph.sentence after
 * segment ("3.2"), both counted from 1. `units` of a pair names the source and
 * target units joined in it: "3.2+3.3=4.1". `score` is a decimal in [0,1]
 * written with exactly four digits after the point ("0.9731").
 *
 * No field may contain TAB, CR or LF, nor NUL; doc_id and unit may not be
 * empty; text may be empty only if a stage chooses to emit it (none does).
 * The record line must be valid UTF-8.
 *
 * Ownership: an mtp_record is a set of views (pointer + length). A record
 * handed out by a reader or to a sink is valid only until the callee returns
 * or the next read; copy what you keep.
 */
#ifndef MTPREP_RECORD_H
#define MTPREP_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "mtprep/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A borrowed byte string; not NUL-terminated. */
typedef struct mtp_str {
    const char *ptr;
    size_t len;
} mtp_str;

typedef enum mtp_record_kind {
    MTP_RECORD_UNIT = 0, /* doc_id, unit, text */
    MTP_RECORD_PAIR = 1  /* doc_id, units, src (in text), tgt, score */
} mtp_record_kind;

typedef struct mtp_record {
    mtp_record_kind kind;
    mtp_str doc_id;
    mtp_str unit;  /* "3", "3.2" or, for pairs, "3.2+3.3=4.1" */
    mtp_str text;  /* unit text, or the source side of a pair */
    mtp_str tgt;   /* pairs only */
    double score;  /* pairs only, in [0,1] */
} mtp_record;

/* Why a line is not a valid record. Names are stable: they appear in counts. */
typedef enum mtp_record_defect {
    MTP_DEFECT_NONE = 0,
    MTP_DEFECT_FIELD_COUNT,   /* "field_count": not 3 or 5 TAB-separated fields */
    MTP_DEFECT_EMPTY_FIELD,   /* "empty_field": doc_id or unit empty */
    MTP_DEFECT_INVALID_UTF8,  /* "invalid_utf8" */
    MTP_DEFECT_NUL_BYTE,      /* "nul_byte" */
    MTP_DEFECT_CONTROL_CHAR,  /* "cr_in_line": a CR inside the line (CRLF included) */
    MTP_DEFECT_BAD_SCORE,     /* "bad_score": not a number in [0,1] */
    MTP_DEFECT_COUNT
} mtp_record_defect;

/* Stable snake_case name of a defect, used as a drop reason ("invalid_utf8"). */
const char *mtp_record_defect_name(mtp_record_defect defect);

/* Parses one line (without its LF) into views over `line`. On success returns
 * MTP_DEFECT_NONE; otherwise the defect, and *out is unspecified. */
mtp_record_defect mtp_record_parse(const char *line, size_t line_len, mtp_record *out);

/* Returns 1 if `s` may stand in a text field: no TAB, CR, LF, NUL, and
 * (checked by the caller if needed) valid UTF-8. */
int mtp_field_is_clean(mtp_str s);

/* Returns 1 if `s` is valid UTF-8 (no overlongs, no surrogates, <= U+10FFFF). */
int mtp_utf8_is_valid(const char *s, size_t len);

/* Returns the number of bytes needed by mtp_record_format, LF included. */
size_t mtp_record_formatted_len(const mtp_record *rec);

/* Formats `rec` as one line with its LF into dst, which must hold
 * mtp_record_formatted_len(rec) bytes. Returns the bytes written. The caller
 * guarantees clean fields (asserted in debug builds). */
size_t mtp_record_format(const mtp_record *rec, char *dst);

/* Writes a unit number into dst (capacity >= MTP_UNIT_CAPACITY) and returns
 * its length: paragraph only ("3") when sentence == 0, else "3.2". */
#define MTP_UNIT_CAPACITY 48
size_t mtp_unit_format(uint32_t paragraph, uint32_t sentence, char *dst);

/* Parses "3" or "3.2" into its numbers (sentence 0 when absent). Returns
 * MTP_OK or MTP_ERR_INPUT. */
mtp_status mtp_unit_parse(mtp_str unit, uint32_t *paragraph, uint32_t *sentence);

/* Convenience: a view over a NUL-terminated C string. */
mtp_str mtp_str_from_cstr(const char *s);

#ifdef __cplusplus
}
#endif
#endif
