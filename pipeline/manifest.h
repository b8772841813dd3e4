/* Private: MANIFEST.json and SHA256SUMS of a corpus directory, and file
 * digests. Only write (corpus_write.c) and verify (corpus_verify.c) use it.
 *
 * MANIFEST.json is a JSON object written by jansson with sorted keys and
 * two-space indentation, reals at 15 significant digits, so that equal
 * inputs give equal bytes; it holds no time stamp and no host name:
 *
 *   {"format": "mtprep-corpus-1", "mtprep_version", "icu_version",
 *    "unicode_version", "zstd_version", "lang", "options": {...},
 *    "recipe": TEXT or null,
 *    "input": {"records": N, "sha256": HEX, "files": ["sha256  path", ...]},
 *    "files": {"NAME": {"lines": N, "bytes": N, "sha256": HEX}, ...},
 *    "clusters": {"path": P, "sha256": HEX, "lines": N} or null,
 *    "exclude": [{"path": P, "sha256": HEX, "lines": N, "matched": N}, ...],
 *    "counts": {"STAGE": {"NAME": N, ...}, ...}}
 *
 * "exclude" lists the exclude files in the order they were read (a corpus
 * directory's files by name, as DIR/NAME); "matched" is how many corpus
 * lines (pairs: pairs) a key of that file removed.
 *
 * SHA256SUMS has one "HEX  NAME" line per data file and MANIFEST.json,
 * sorted by name (bytewise), the format `sha256sum -c` reads.
 */
#ifndef MTPREP_MANIFEST_H
#define MTPREP_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#include "mtprep/corpus.h"
#include "mtprep/counts.h"
#include "mtprep/policy.h"
#include "mtprep/record.h"

#define MTP_MANIFEST_NAME "MANIFEST.json"
#define MTP_SUMS_NAME "SHA256SUMS"
#define MTP_FILE_NAME_CAPACITY 64
#define MTP_SHA256_HEX_CAPACITY 65

/* One data file of the corpus, as the manifest lists it. */
typedef struct mtp_manifest_file {
    char name[MTP_FILE_NAME_CAPACITY];    /* "train.id.zst", no directory */
    uint64_t lines;                       /* LF bytes after decompression */
    uint64_t bytes;                       /* bytes on disk */
    char sha256[MTP_SHA256_HEX_CAPACITY]; /* lower-case hex of the bytes on disk */
} mtp_manifest_file;

/* An input file write read besides the records: the clusters file or an
 * exclude file. */
typedef struct mtp_manifest_source {
    char *path;                           /* as given (DIR/NAME for a corpus dir); owned by write */
    char sha256[MTP_SHA256_HEX_CAPACITY]; /* of the bytes on disk */
    uint64_t lines;                       /* lines read (decompressed) */
    uint64_t matched;                     /* exclude: corpus lines it removed */
} mtp_manifest_source;

/* What write knows at the end of a run; everything borrowed. */
typedef struct mtp_manifest {
    const mtp_write_options *opts; /* lang, options_json or the options themselves, recipe */
    uint64_t input_records;        /* records write received */
    const char *input_sha256;      /* digest of those records, serialised */
    const mtp_manifest_file *files;
    size_t file_count;
    const mtp_counts *counts; /* upstream stages first, write's own last */
    size_t counts_count;
    const mtp_manifest_source *clusters; /* NULL: no clusters file */
    const mtp_manifest_source *excludes;
    size_t exclude_count;
} mtp_manifest;

/* Writes DIR/MANIFEST.json, then DIR/SHA256SUMS listing `m->files` and the
 * manifest, each under a temporary name renamed when complete. Returns
 * MTP_OK, MTP_ERR_IO, MTP_ERR_INPUT (options_json is not a JSON object) or
 * MTP_ERR_NOMEM, message in *err. */
mtp_status mtp_manifest_write(const char *dir, const mtp_manifest *m, mtp_error *err);

/* SHA-256 of a file's bytes into hex, and its size. Returns MTP_OK,
 * MTP_ERR_IO (message names the path) or MTP_ERR_NOMEM. */
mtp_status mtp_sha256_file(const char *path, char hex[MTP_SHA256_HEX_CAPACITY], uint64_t *bytes,
                           mtp_error *err);

/* Iterates the lines of a SHA256SUMS text: on each call takes the next line
 * from [*cursor, limit) and sets its digest and name views (a leading '*' of
 * binary mode is dropped from the name). Returns 1 for a well-formed line, 0
 * at the end, -1 for a malformed line (*cursor still advances past it). */
int mtp_sums_next(const char **cursor, const char *limit, mtp_str *hex, mtp_str *name);

/* Returns 1 when `name` may name a corpus file: non-empty, shorter than
 * MTP_FILE_NAME_CAPACITY, no '/', not starting with '.'. */
int mtp_corpus_name_is_safe(const char *name);

#endif
