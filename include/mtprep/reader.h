/* Streaming input: bytes from a file or stdin, transparently decompressed,
 * split into lines with a bounded buffer; and records parsed from those lines.
 *
 * Compression is detected by magic bytes, not by file name: zstd
 * (28 B5 2F FD) and gzip (1F 8B). Anything else is read as is. A zstd or gzip
 * stream that ends early or is corrupt is MTP_ERR_CODEC with the byte offset
 * in the message.
 *
 * Lines: LF-terminated; a missing final LF still yields the last line. A
 * line longer than max_line_bytes is not returned: the reader skips to the
 * next LF and reports MTP_ERR_LIMIT for that line (the caller applies its
 * policy and calls again). Memory: O(max_line_bytes + codec window).
 *
 * Ownership: a line returned by mtp_reader_next_line is a view into the
 * reader's buffer, valid until the next call.
 */
#ifndef MTPREP_READER_H
#define MTPREP_READER_H

#include <stddef.h>
#include <stdint.h>

#include "mtprep/counts.h"
#include "mtprep/policy.h"
#include "mtprep/record.h"
#include "mtprep/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MTP_DEFAULT_MAX_LINE_BYTES (1u << 20) /* 1 MiB */

typedef struct mtp_reader mtp_reader;

/* Opens `path` ("-" is stdin). `display_name` (NULL: path, or "stdin") names
 * the input in messages. Returns MTP_OK, MTP_ERR_IO (message in *err) or
 * MTP_ERR_NOMEM. On failure *out is NULL. */
mtp_status mtp_reader_open(const char *path, const char *display_name, size_t max_line_bytes,
                           mtp_reader **out, mtp_error *err);

/* Opens bytes [offset, offset + length) of the file `path` as an input of
 * its own: one planned piece of a large uncompressed file (sharded runs,
 * `mtprep plan`). The piece should start at a line start; its lines are
 * numbered from first_line (the 1-based number, in the whole file, of the
 * line at offset), line offsets are the file's, and a BOM is dropped only
 * when offset is 0. A file shorter than offset + length simply ends early.
 * Returns as mtp_reader_open, or MTP_ERR_IO when the seek fails. */
mtp_status mtp_reader_open_range(const char *path, const char *display_name, uint64_t offset,
                                 uint64_t length, uint64_t first_line, size_t max_line_bytes,
                                 mtp_reader **out, mtp_error *err);

/* Opens the files paths[0 .. count) as one input: their bytes read one file
 * after another, as if concatenated (so zstd frames and gzip members join;
 * the codec is found from the first bytes), one file open at a time. The
 * first file is opened here (MTP_ERR_IO as mtp_reader_open); one that cannot
 * be opened later is MTP_ERR_IO from mtp_reader_next_line, naming it.
 * `display_name` (NULL: the first path) names the input in messages. The
 * paths are copied. count 0 is MTP_ERR_USAGE. */
mtp_status mtp_reader_open_files(const char *const *paths, size_t count, const char *display_name,
                                 size_t max_line_bytes, mtp_reader **out, mtp_error *err);

/* Next line without its LF. Returns MTP_OK, MTP_END at end of input,
 * MTP_ERR_LIMIT for an over-long line (skipped; call again), MTP_ERR_CODEC
 * or MTP_ERR_IO (message in mtp_reader_error; further reads return MTP_END). */
mtp_status mtp_reader_next_line(mtp_reader *r, const char **line, size_t *len);

/* Reads the whole remaining input into one view (for small files, bounded by
 * max_line_bytes; MTP_ERR_LIMIT when larger). LF bytes are kept. */
mtp_status mtp_reader_read_all(mtp_reader *r, const char **data, size_t *len);

/* 1-based number of the line last returned (0 before the first). */
uint64_t mtp_reader_line_number(const mtp_reader *r);

/* Byte offset, in the decompressed stream, of the start of the last line. */
uint64_t mtp_reader_line_offset(const mtp_reader *r);

/* The input's display name ("docs/a.txt" or "stdin"). */
const char *mtp_reader_name(const mtp_reader *r);

/* "NAME:LINE" for messages, into a reader-owned buffer valid until the next call. */
const char *mtp_reader_where(mtp_reader *r);

const char *mtp_reader_error(const mtp_reader *r);

/* Returns "zstd", "gzip" or "plain" once the first bytes were read. */
const char *mtp_reader_codec(const mtp_reader *r);

/* Raw (compressed) bytes consumed so far: for progress lines. */
uint64_t mtp_reader_raw_bytes(const mtp_reader *r);

void mtp_reader_close(mtp_reader *r);

/* ---- records ---------------------------------------------------------- */

/* Reads records from a line reader, applying the policy to malformed lines:
 * skip counts "in" and "dropped.REASON" in `counts` and goes on; fail returns
 * MTP_ERR_INPUT with "NAME:LINE: REASON" in *err. Valid records are not
 * counted here (the stage counts them). Returns MTP_OK with *rec set (views
 * valid until the next call), MTP_END, or an error. */
mtp_status mtp_reader_next_record(mtp_reader *r, mtp_on_error policy, mtp_counts *counts,
                                  mtp_record *rec, mtp_error *err);

#ifdef __cplusplus
}
#endif
#endif
