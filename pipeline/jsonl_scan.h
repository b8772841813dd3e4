/* Private: the fast path for JSONL article lines, used by ingest.
 *
 * A line that is one flat JSON object (RFC 8259) whose member values are
 * strings, integers of at most 18 digits, true, false or null, and whose keys
 * hold no escapes, is read directly: "id", "text" and "title" come out fully
 * decoded (\uXXXX and surrogate pairs to UTF-8), the last of duplicate keys
 * winning as in jansson. Everything else, invalid JSON included, is left to
 * jansson, so that messages for bad lines stay jansson's. The scanner accepts
 * no line that jansson would reject and decodes every accepted one exactly as
 * jansson does.
 *
 * Implemented in pipeline/ingest.c (a section of its own, ready to move into
 * a jsonl_scan.c of its own).
 *
 * Ownership: the scratch buffers belong to the caller (zero-initialize, free
 * with mtp_jsonl_scratch_release); the strings found are views into the line
 * or into the scratch buffers, valid until the next call.
 */
#ifndef MTPREP_JSONL_SCAN_H
#define MTPREP_JSONL_SCAN_H

#include <stddef.h>

#include "buf.h"
#include "mtprep/record.h"
#include "mtprep/status.h"

/* The members ingest reads; ptr is NULL when a member is absent. */
typedef struct mtp_jsonl_fields {
    mtp_str id;
    mtp_str text;
    mtp_str title;
} mtp_jsonl_fields;

/* Where escaped strings are decoded; reused from line to line. */
typedef struct mtp_jsonl_scratch {
    mtp_buf id;
    mtp_buf text;
    mtp_buf title;
} mtp_jsonl_scratch;

/* Scans one line (valid UTF-8, no NUL byte). Returns MTP_OK and sets
 * *understood to 1 with the members in *out, or to 0 when the line must be
 * parsed by jansson instead; MTP_ERR_NOMEM when a scratch buffer cannot grow. */
mtp_status mtp_jsonl_scan(const char *line, size_t len, mtp_jsonl_scratch *scratch,
                          mtp_jsonl_fields *out, int *understood);

void mtp_jsonl_scratch_release(mtp_jsonl_scratch *scratch);

#endif
