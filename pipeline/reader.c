/* Streaming input: file or stdin -> (zstd | gzip | plain) -> lines -> records.
 *
 * The compressed format is found from the first bytes (zstd frame magic
 * 28 B5 2F FD, gzip member magic 1F 8B), never from the name. Decoded bytes
 * accumulate in one window buffer that grows up to max_line_bytes plus one
 * read chunk; a line longer than that is skipped up to its LF and reported
 * as MTP_ERR_LIMIT. A zstd stream whose last decompression call did not
 * return 0, or a gzip stream without its end marker, is truncated
 * (zstd's examples/streaming_decompression.c; RFC 1952). Concatenated zstd
 * frames and gzip members are read as one stream. A UTF-8 BOM at the very
 * start of the decoded stream is dropped.
 *
 * A range reader (mtp_reader_open_range) seeks to its offset and reads at
 * most its length of raw bytes: the piece is then the whole input. A files
 * reader (mtp_reader_open_files) reads its files' raw bytes one file after
 * another, opening the next at the end of the last.
 *
 * Memory: O(max_line_bytes + CHUNK + codec window).
 */
#include "mtprep/reader.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "mtprep/alloc.h"

#define CHUNK (128u * 1024u)

typedef enum codec { CODEC_UNKNOWN, CODEC_PLAIN, CODEC_ZSTD, CODEC_GZIP } codec;

struct mtp_reader {
    FILE *file;
    int owns_file;
    char **paths; /* a files reader: the files after the first, in order */
    size_t path_count, path_next;
    char name[1024];
    size_t max_line_bytes;
    codec codec;
    /* raw (possibly compressed) input */
    unsigned char *raw;
    size_t raw_pos, raw_len;
    int raw_eof;
    uint64_t raw_total;
    int limited;            /* a range reader: raw_remaining bounds the reads */
    uint64_t raw_remaining; /* raw bytes of the range not read yet */
    /* codec state */
    ZSTD_DStream *zstd;
    size_t zstd_last;        /* last ZSTD_decompressStream result: 0 at a frame end */
    z_stream gzip;
    int gzip_ready, gzip_ended;
    /* decoded window: [start, end) not yet returned */
    char *win;
    size_t win_capacity, start, end;
    int decoded_eof;
    int bom_checked;
    int failed;
    uint64_t decoded_total; /* decoded bytes discarded before win[0] */
    uint64_t line_number, line_offset;
    char where[1100];
    mtp_error error;
};

/* ---- opening ----------------------------------------------------------- */

static mtp_status alloc_reader(size_t max_line_bytes, mtp_reader **out)
{
    mtp_reader *r = mtp_calloc(1, sizeof *r);
    if (r == NULL) {
        return MTP_ERR_NOMEM;
    }
    r->max_line_bytes = max_line_bytes ? max_line_bytes : MTP_DEFAULT_MAX_LINE_BYTES;
    r->raw = mtp_malloc(CHUNK);
    r->win_capacity = CHUNK * 2;
    r->win = mtp_malloc(r->win_capacity);
    if (r->raw == NULL || r->win == NULL) {
        mtp_reader_close(r);
        return MTP_ERR_NOMEM;
    }
    *out = r;
    return MTP_OK;
}

static mtp_status open_file(mtp_reader *r, const char *path, mtp_error *err)
{
    r->file = fopen(path, "rb");
    r->owns_file = 1;
    if (r->file == NULL) {
        return mtp_error_set(err, MTP_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    }
    return MTP_OK;
}

mtp_status mtp_reader_open(const char *path, const char *display_name, size_t max_line_bytes,
                           mtp_reader **out, mtp_error *err)
{
    *out = NULL;
    mtp_reader *r = NULL;
    const mtp_status st = alloc_reader(max_line_bytes, &r);
    if (st != MTP_OK) {
        return mtp_error_set(err, st, "%s: out of memory", path);
    }
    const int is_stdin = strcmp(path, "-") == 0;
    snprintf(r->name, sizeof r->name, "%s",
             display_name ? display_name : (is_stdin ? "stdin" : path));
    if (is_stdin) {
        r->file = stdin;
    } else if (open_file(r, path, err) != MTP_OK) {
        mtp_reader_close(r);
        return MTP_ERR_IO;
    }
    *out = r;
    return MTP_OK;
}

static mtp_status copy_paths(mtp_reader *r, const char *const *paths, size_t count)
{
    r->paths = mtp_calloc(count, sizeof *r->paths);
    if (r->paths == NULL) {
        return MTP_ERR_NOMEM;
    }
    for (size_t i = 0; i < count; i++) {
        const size_t n = strlen(paths[i]) + 1;
        r->paths[i] = mtp_malloc(n);
        if (r->paths[i] == NULL) {
            return MTP_ERR_NOMEM;
        }
        memcpy(r->paths[i], paths[i], n);
        r->path_count++;
    }
    return MTP_OK;
}

mtp_status mtp_reader_open_files(const char *const *paths, size_t count, const char *display_name,
                                 size_t max_line_bytes, mtp_reader **out, mtp_error *err)
{
    *out = NULL;
    if (count == 0) {
        return mtp_error_set(err, MTP_ERR_USAGE, "no files to read");
    }
    mtp_reader *r = NULL;
    mtp_status st = mtp_reader_open(paths[0], display_name, max_line_bytes, &r, err);
    if (st != MTP_OK) {
        return st;
    }
    st = copy_paths(r, paths + 1, count - 1);
    if (st != MTP_OK) {
        mtp_reader_close(r);
        return mtp_error_set(err, st, "%s: out of memory", paths[0]);
    }
    *out = r;
    return MTP_OK;
}

static mtp_status seek_range(mtp_reader *r, const char *path, uint64_t offset, mtp_error *err)
{
    if (offset > (uint64_t)INT64_MAX || fseeko(r->file, (off_t)offset, SEEK_SET) != 0) {
        return mtp_error_set(err, MTP_ERR_IO, "%s: cannot seek to byte %" PRIu64 ": %s", path,
                             offset, strerror(errno));
    }
    return MTP_OK;
}

mtp_status mtp_reader_open_range(const char *path, const char *display_name, uint64_t offset,
                                 uint64_t length, uint64_t first_line, size_t max_line_bytes,
                                 mtp_reader **out, mtp_error *err)
{
    *out = NULL;
    if (strcmp(path, "-") == 0) {
        return mtp_error_set(err, MTP_ERR_USAGE, "stdin has no byte ranges");
    }
    mtp_reader *r = NULL;
    mtp_status st = mtp_reader_open(path, display_name, max_line_bytes, &r, err);
    if (st != MTP_OK) {
        return st;
    }
    st = seek_range(r, path, offset, err);
    if (st != MTP_OK) {
        mtp_reader_close(r);
        return st;
    }
    r->limited = 1;
    r->raw_remaining = length;
    r->line_number = first_line > 0 ? first_line - 1 : 0;
    r->decoded_total = offset; /* plain bytes: decoded offsets are the file's */
    r->bom_checked = offset > 0;
    *out = r;
    return MTP_OK;
}

void mtp_reader_close(mtp_reader *r)
{
    if (r == NULL) {
        return;
    }
    if (r->owns_file && r->file != NULL) {
        fclose(r->file);
    }
    for (size_t i = 0; i < r->path_count; i++) {
        mtp_free(r->paths[i]);
    }
    mtp_free(r->paths);
    ZSTD_freeDStream(r->zstd);
    if (r->gzip_ready) {
        inflateEnd(&r->gzip);
    }
    mtp_free(r->raw);
    mtp_free(r->win);
    mtp_free(r);
}

/* ---- raw input --------------------------------------------------------- */

/* A files reader at the end of one file: the next one, open. */
static mtp_status next_file(mtp_reader *r)
{
    fclose(r->file);
    r->file = NULL;
    return open_file(r, r->paths[r->path_next++], &r->error);
}

static mtp_status fill_raw(mtp_reader *r)
{
    if (r->raw_pos < r->raw_len || r->raw_eof) {
        return MTP_OK;
    }
    r->raw_pos = 0;
    for (;;) {
        const size_t want =
            r->limited && r->raw_remaining < CHUNK ? (size_t)r->raw_remaining : CHUNK;
        r->raw_len = want > 0 ? fread(r->raw, 1, want, r->file) : 0;
        r->raw_total += r->raw_len;
        r->raw_remaining -= r->limited ? r->raw_len : 0;
        if (r->raw_len == CHUNK) {
            return MTP_OK;
        }
        if (ferror(r->file)) {
            return mtp_error_set(&r->error, MTP_ERR_IO, "%s: read error: %s", r->name,
                                 strerror(errno));
        }
        const int at_end =
            r->raw_len == 0 || feof(r->file) || (r->limited && r->raw_remaining == 0);
        if (!at_end) {
            return MTP_OK; /* a short read from a pipe */
        }
        if (r->path_next == r->path_count) {
            r->raw_eof = 1;
            return MTP_OK;
        }
        if (r->raw_len > 0) {
            return MTP_OK; /* the next file once these bytes are used */
        }
        const mtp_status st = next_file(r);
        if (st != MTP_OK) {
            return st;
        }
    }
}

static mtp_status start_codec(mtp_reader *r)
{
    mtp_status st = fill_raw(r);
    if (st != MTP_OK) {
        return st;
    }
    const unsigned char *p = r->raw + r->raw_pos;
    const size_t n = r->raw_len - r->raw_pos;
    r->codec = CODEC_PLAIN;
    if (n >= 4 && p[0] == 0x28 && p[1] == 0xB5 && p[2] == 0x2F && p[3] == 0xFD) {
        r->codec = CODEC_ZSTD;
        r->zstd = ZSTD_createDStream();
        if (r->zstd == NULL) {
            return mtp_error_set(&r->error, MTP_ERR_NOMEM, "%s: out of memory", r->name);
        }
    } else if (n >= 2 && p[0] == 0x1F && p[1] == 0x8B) {
        r->codec = CODEC_GZIP;
        if (inflateInit2(&r->gzip, 16 + MAX_WBITS) != Z_OK) {
            return mtp_error_set(&r->error, MTP_ERR_NOMEM, "%s: cannot start gzip", r->name);
        }
        r->gzip_ready = 1;
    }
    return MTP_OK;
}

/* ---- decoding into the window ------------------------------------------ */

static mtp_status decode_plain(mtp_reader *r, char *dst, size_t room, size_t *produced)
{
    const size_t n = r->raw_len - r->raw_pos < room ? r->raw_len - r->raw_pos : room;
    memcpy(dst, r->raw + r->raw_pos, n);
    r->raw_pos += n;
    *produced = n;
    return MTP_OK;
}

static mtp_status decode_zstd(mtp_reader *r, char *dst, size_t room, size_t *produced)
{
    ZSTD_inBuffer in = {r->raw, r->raw_len, r->raw_pos};
    ZSTD_outBuffer out = {dst, room, 0};
    const size_t ret = ZSTD_decompressStream(r->zstd, &out, &in);
    r->raw_pos = in.pos;
    *produced = out.pos;
    if (ZSTD_isError(ret)) {
        return mtp_error_set(&r->error, MTP_ERR_CODEC, "%s: corrupt zstd data near byte %" PRIu64 ": %s",
                             r->name, r->raw_total - (r->raw_len - r->raw_pos),
                             ZSTD_getErrorName(ret));
    }
    r->zstd_last = ret;
    return MTP_OK;
}

static mtp_status decode_gzip(mtp_reader *r, char *dst, size_t room, size_t *produced)
{
    *produced = 0;
    if (r->gzip_ended) { /* another member follows (concatenated gzip) */
        if (inflateReset(&r->gzip) != Z_OK) {
            return mtp_error_set(&r->error, MTP_ERR_CODEC, "%s: gzip reset failed", r->name);
        }
        r->gzip_ended = 0;
    }
    r->gzip.next_in = r->raw + r->raw_pos;
    r->gzip.avail_in = (uInt)(r->raw_len - r->raw_pos);
    r->gzip.next_out = (unsigned char *)dst;
    r->gzip.avail_out = (uInt)room;
    const int ret = inflate(&r->gzip, Z_NO_FLUSH);
    r->raw_pos = r->raw_len - r->gzip.avail_in;
    *produced = room - r->gzip.avail_out;
    if (ret == Z_STREAM_END) {
        r->gzip_ended = 1;
        return MTP_OK;
    }
    if (ret != Z_OK && ret != Z_BUF_ERROR) {
        return mtp_error_set(&r->error, MTP_ERR_CODEC, "%s: corrupt gzip data near byte %" PRIu64 ": %s",
                             r->name, r->raw_total - r->gzip.avail_in,
                             r->gzip.msg ? r->gzip.msg : "inflate failed");
    }
    return MTP_OK;
}

static mtp_status check_complete(mtp_reader *r)
{
    if (r->codec == CODEC_ZSTD && r->zstd_last != 0) {
        return mtp_error_set(&r->error, MTP_ERR_CODEC,
                             "%s: truncated zstd stream (ends inside a frame after %" PRIu64 " bytes)",
                             r->name, r->raw_total);
    }
    if (r->codec == CODEC_GZIP && !r->gzip_ended) {
        return mtp_error_set(&r->error, MTP_ERR_CODEC,
                             "%s: truncated gzip stream (no end marker after %" PRIu64 " bytes)",
                             r->name, r->raw_total);
    }
    return MTP_OK;
}

/* Decodes at least one byte into dst (or reaches end of input). */
static mtp_status decode_some(mtp_reader *r, char *dst, size_t room, size_t *produced)
{
    *produced = 0;
    while (*produced == 0) {
        mtp_status st = fill_raw(r);
        if (st != MTP_OK) {
            return st;
        }
        const int raw_empty = r->raw_pos >= r->raw_len;
        if (raw_empty && r->raw_eof) {
            r->decoded_eof = 1;
            return check_complete(r);
        }
        if (r->codec == CODEC_ZSTD) {
            st = decode_zstd(r, dst, room, produced);
        } else if (r->codec == CODEC_GZIP) {
            st = decode_gzip(r, dst, room, produced);
        } else {
            st = decode_plain(r, dst, room, produced);
        }
        if (st != MTP_OK) {
            return st;
        }
    }
    return MTP_OK;
}

/* Moves unread bytes to the front, grows the window if needed, decodes more. */
static mtp_status fill_window(mtp_reader *r)
{
    if (r->codec == CODEC_UNKNOWN) {
        const mtp_status st = start_codec(r);
        if (st != MTP_OK) {
            return st;
        }
    }
    if (r->start > 0) {
        memmove(r->win, r->win + r->start, r->end - r->start);
        r->decoded_total += r->start;
        r->end -= r->start;
        r->start = 0;
    }
    if (r->win_capacity - r->end < CHUNK / 2) {
        char *grown = mtp_realloc(r->win, r->win_capacity * 2);
        if (grown == NULL) {
            return mtp_error_set(&r->error, MTP_ERR_NOMEM, "%s: out of memory", r->name);
        }
        r->win = grown;
        r->win_capacity *= 2;
    }
    size_t produced = 0;
    const mtp_status st = decode_some(r, r->win + r->end, r->win_capacity - r->end, &produced);
    r->end += produced;
    return st;
}

static void drop_bom(mtp_reader *r)
{
    if (r->bom_checked || (r->end - r->start < 3 && !r->decoded_eof)) {
        return;
    }
    r->bom_checked = 1;
    if (r->end - r->start >= 3 && memcmp(r->win + r->start, "\xEF\xBB\xBF", 3) == 0) {
        r->start += 3;
    }
}

/* ---- lines ------------------------------------------------------------- */

static mtp_status fail_once(mtp_reader *r, mtp_status st)
{
    r->failed = 1;
    return st;
}

/* Discards bytes up to and including the next LF (or end of input). */
static mtp_status skip_rest_of_line(mtp_reader *r)
{
    for (;;) {
        const char *lf = memchr(r->win + r->start, '\n', r->end - r->start);
        if (lf != NULL) {
            r->start = (size_t)(lf - r->win) + 1;
            return MTP_OK;
        }
        r->start = r->end;
        if (r->decoded_eof) {
            return MTP_OK;
        }
        const mtp_status st = fill_window(r);
        if (st != MTP_OK) {
            return st;
        }
    }
}

mtp_status mtp_reader_next_line(mtp_reader *r, const char **line, size_t *len)
{
    if (r->failed) {
        return MTP_END;
    }
    size_t scanned = 0; /* bytes of the current line known to hold no LF */
    for (;;) {
        drop_bom(r);
        const char *from = r->win + r->start + scanned;
        const char *lf = memchr(from, '\n', r->end - r->start - scanned);
        const size_t line_len = lf ? (size_t)(lf - (r->win + r->start)) : r->end - r->start;
        if (line_len > r->max_line_bytes) {
            r->line_number++;
            r->line_offset = r->decoded_total + r->start;
            const mtp_status st = skip_rest_of_line(r);
            return st != MTP_OK ? fail_once(r, st) : MTP_ERR_LIMIT;
        }
        if (lf != NULL || (r->decoded_eof && line_len > 0)) {
            *line = r->win + r->start;
            *len = line_len;
            r->line_number++;
            r->line_offset = r->decoded_total + r->start;
            r->start += line_len + (lf ? 1 : 0);
            return MTP_OK;
        }
        if (r->decoded_eof) {
            return MTP_END;
        }
        scanned = line_len;
        const mtp_status st = fill_window(r);
        if (st != MTP_OK) {
            return fail_once(r, st);
        }
    }
}

mtp_status mtp_reader_read_all(mtp_reader *r, const char **data, size_t *len)
{
    if (r->failed) {
        return MTP_END;
    }
    while (!r->decoded_eof) {
        if (r->end - r->start > r->max_line_bytes) {
            return MTP_ERR_LIMIT;
        }
        const mtp_status st = fill_window(r);
        if (st != MTP_OK) {
            return fail_once(r, st);
        }
        drop_bom(r);
    }
    drop_bom(r);
    if (r->end - r->start > r->max_line_bytes) {
        return MTP_ERR_LIMIT;
    }
    *data = r->win + r->start;
    *len = r->end - r->start;
    r->line_offset = r->decoded_total + r->start;
    r->start = r->end;
    return MTP_OK;
}

uint64_t mtp_reader_line_number(const mtp_reader *r)
{
    return r->line_number;
}

uint64_t mtp_reader_line_offset(const mtp_reader *r)
{
    return r->line_offset;
}

const char *mtp_reader_name(const mtp_reader *r)
{
    return r->name;
}

const char *mtp_reader_where(mtp_reader *r)
{
    snprintf(r->where, sizeof r->where, "%s:%" PRIu64, r->name, r->line_number);
    return r->where;
}

const char *mtp_reader_error(const mtp_reader *r)
{
    return r->error.message;
}

const char *mtp_reader_codec(const mtp_reader *r)
{
    switch (r->codec) {
    case CODEC_ZSTD:
        return "zstd";
    case CODEC_GZIP:
        return "gzip";
    default:
        return "plain";
    }
}

uint64_t mtp_reader_raw_bytes(const mtp_reader *r)
{
    return r->raw_total;
}

/* ---- records ----------------------------------------------------------- */

mtp_status mtp_reader_next_record(mtp_reader *r, mtp_on_error policy, mtp_counts *counts,
                                  mtp_record *rec, mtp_error *err)
{
    for (;;) {
        const char *line = NULL;
        size_t len = 0;
        mtp_status st = mtp_reader_next_line(r, &line, &len);
        const char *reason = NULL;
        if (st == MTP_ERR_LIMIT) {
            reason = "line_too_long";
        } else if (st != MTP_OK) {
            if (st != MTP_END && err != NULL) {
                mtp_error_set(err, st, "%s", r->error.message);
            }
            return st;
        } else {
            const mtp_record_defect defect = mtp_record_parse(line, len, rec);
            if (defect == MTP_DEFECT_NONE) {
                return MTP_OK;
            }
            reason = mtp_record_defect_name(defect);
        }
        if (policy == MTP_ON_ERROR_SKIP) { /* a skipped record went in and was dropped */
            mtp_counts_add(counts, "in", 1);
        }
        st = mtp_policy_bad_input(policy, counts, err, mtp_reader_where(r), reason, NULL);
        if (st != MTP_OK) {
            return st;
        }
    }
}
