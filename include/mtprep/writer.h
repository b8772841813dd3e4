/* Streaming output: bytes to a file or stdout, optionally zstd-compressed,
 * with running SHA-256, line and byte counts.
 *
 * A file output is written under "PATH.PID.tmp-mtprep" (mtp_temp_name) and
 * renamed to PATH by mtp_writer_commit only when everything was written,
 * flushed and closed without error; mtp_writer_abort (or freeing an
 * uncommitted writer) removes the temporary. Errors are sticky: the first
 * failure is kept and reported by every later call, so callers may check
 * once at commit.
 *
 * Compression: ZSTD_CStream with the given level, checksummed frames, in
 * one of two modes that give different bytes: single-threaded (workers 0),
 * or zstd's multi-threaded mode with jobs of MTP_WRITER_JOB_BYTES, whose
 * bytes are the same for every worker count from 1 up (the frame is never
 * flushed early and never ended by a first call), so a caller may choose
 * the count freely without changing the file.
 */
#ifndef MTPREP_WRITER_H
#define MTPREP_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "mtprep/record.h"
#include "mtprep/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Every temporary name mtprep writes ends in this, so one glob finds leftovers. */
#define MTP_TEMP_SUFFIX ".tmp-mtprep"

/* The temporary name of PATH: "PATH.PID.tmp-mtprep". The process id keeps
 * two processes that write one PATH at once (a task run twice) out of each
 * other's file; each renames a complete one. Returns 0, or -1 when the name
 * does not fit `capacity` bytes. */
int mtp_temp_name(const char *path, char *dst, size_t capacity);

typedef struct mtp_writer mtp_writer;

/* The job size of the multi-threaded mode: fixed, as the bytes depend on it. */
#define MTP_WRITER_JOB_BYTES (1 << 20)

typedef struct mtp_writer_options {
    int zstd_level; /* 0: no compression; else a zstd level 1..19 */
    int hash;       /* nonzero: keep a SHA-256 of the bytes as written */
    int workers;    /* 0: single-threaded zstd; >= 1: multi-threaded mode with this many
                       compression threads (same bytes for every count) */
} mtp_writer_options;

/* Opens `path` for writing ("-" is stdout, written in place, never renamed).
 * Returns MTP_OK, MTP_ERR_IO or MTP_ERR_NOMEM; the message is in *err_out
 * (may be NULL). */
mtp_status mtp_writer_open(const char *path, const mtp_writer_options *opts, mtp_writer **out,
                           char *err_out, size_t err_capacity);

/* Appends bytes. Returns the sticky status. */
mtp_status mtp_writer_write(mtp_writer *w, const char *data, size_t len);

/* Appends one formatted record with its LF. */
mtp_status mtp_writer_put_record(mtp_writer *w, const mtp_record *rec);

/* Appends `text` then LF, counting one line. */
mtp_status mtp_writer_put_line(mtp_writer *w, const char *text, size_t len);

/* Lines (LF bytes) and bytes written to the file so far (compressed bytes when compressing). */
uint64_t mtp_writer_lines(const mtp_writer *w);
uint64_t mtp_writer_file_bytes(const mtp_writer *w);

/* Ends compression, flushes, checks ferror, closes and renames into place.
 * After commit the SHA-256 (lower-case hex, 64 chars + NUL) is available. */
mtp_status mtp_writer_commit(mtp_writer *w);

/* SHA-256 hex of the file's bytes; valid after commit when opts->hash. */
const char *mtp_writer_sha256(const mtp_writer *w);

/* The first error's message, "" when none. */
const char *mtp_writer_error(const mtp_writer *w);

/* Removes the temporary file (if not committed) and frees. NULL does nothing. */
void mtp_writer_free(mtp_writer *w);

/* Removes the temporary files of every writer still open. Async-signal-safe:
 * meant for a SIGINT/SIGTERM handler, so that an interrupted run leaves no
 * partial file behind. */
void mtp_writer_remove_temporaries(void);

#ifdef __cplusplus
}
#endif
#endif
