/* Streaming output with temporary-name-then-rename, zstd compression,
 * SHA-256 and sticky errors.
 *
 * Bytes pass: caller -> (ZSTD_compressStream2, single-threaded) -> stdio ->
 * file. The SHA-256 covers the bytes as they land in the file, so it equals
 * `sha256sum FILE`. The first failure (write, flush, close, rename, codec) is
 * kept and returned by every later call (redis's rio "sticky error").
 * Temporary paths are registered in a small table so that a signal handler
 * can unlink them.
 *
 * Small writes (a line, its LF) are gathered in an input stage and handed on
 * STAGE_BYTES at a time: one ZSTD_compressStream2 call or one fwrite per
 * stage instead of two per line. zstd's output does not depend on how its
 * input is cut into calls, so the bytes are the same. Standard output stays
 * unstaged when not compressed, so that it interleaves with other writers.
 *
 * Memory: STAGE_BYTES of input staging, a stdio buffer of FILE_BUFFER_BYTES,
 * ZSTD_CStreamOutSize() bytes of compressed staging plus the zstd context.
 */
#include "mtprep/writer.h"

#include <errno.h>
#include <openssl/evp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#include "mtprep/alloc.h"

#define TMP_NAME_EXTRA 32 /* ".PID" + MTP_TEMP_SUFFIX */
#define MAX_OPEN_TEMPORARIES 64
#define STAGE_BYTES (128u * 1024u)       /* input gathered before compressing or writing */
#define FILE_BUFFER_BYTES (256u * 1024u) /* stdio buffer of a file we open */

struct mtp_writer {
    FILE *file;
    int is_stdout;
    int committed;
    char path[4096];
    char tmp_path[4096 + TMP_NAME_EXTRA];
    ZSTD_CCtx *zstd;
    char *zbuf; /* compressed staging */
    size_t zbuf_capacity;
    EVP_MD_CTX *sha;
    char sha_hex[65];
    uint64_t lines, file_bytes;
    mtp_status status; /* sticky */
    char error[4096 + 512];
    char *record_buf; /* formatting scratch for put_record */
    size_t record_capacity;
    char *stage; /* input not yet compressed or written (NULL: unstaged) */
    size_t stage_len;
};

/* ---- temporaries for signal cleanup ------------------------------------ */

static const char *volatile temporaries[MAX_OPEN_TEMPORARIES];

int mtp_temp_name(const char *path, char *dst, size_t capacity)
{
    const int n = snprintf(dst, capacity, "%s.%ld" MTP_TEMP_SUFFIX, path, (long)getpid());
    return n >= 0 && (size_t)n < capacity ? 0 : -1;
}

static void register_temporary(const char *path)
{
    for (int i = 0; i < MAX_OPEN_TEMPORARIES; i++) {
        if (temporaries[i] == NULL) {
            temporaries[i] = path;
            return;
        }
    }
}

static void unregister_temporary(const char *path)
{
    for (int i = 0; i < MAX_OPEN_TEMPORARIES; i++) {
        if (temporaries[i] == path) {
            temporaries[i] = NULL;
        }
    }
}

void mtp_writer_remove_temporaries(void)
{
    for (int i = 0; i < MAX_OPEN_TEMPORARIES; i++) {
        const char *path = temporaries[i];
        if (path != NULL) {
            unlink(path);
        }
    }
}

/* ---- errors ------------------------------------------------------------ */

static mtp_status fail(mtp_writer *w, mtp_status st, const char *what, const char *detail)
{
    if (w->status == MTP_OK) {
        w->status = st;
        snprintf(w->error, sizeof w->error, "%s: %s: %s", w->is_stdout ? "stdout" : w->path, what,
                 detail);
    }
    return w->status;
}

/* ---- opening ----------------------------------------------------------- */

static mtp_status open_file(mtp_writer *w, const char *path)
{
    w->is_stdout = strcmp(path, "-") == 0;
    if (w->is_stdout) {
        w->file = stdout;
        return MTP_OK;
    }
    snprintf(w->path, sizeof w->path, "%s", path);
    if (mtp_temp_name(path, w->tmp_path, sizeof w->tmp_path) != 0) {
        return fail(w, MTP_ERR_IO, "cannot create", "name too long");
    }
    w->file = fopen(w->tmp_path, "wb");
    if (w->file == NULL) {
        return fail(w, MTP_ERR_IO, "cannot create", strerror(errno));
    }
    register_temporary(w->tmp_path);
    setvbuf(w->file, NULL, _IOFBF, FILE_BUFFER_BYTES); /* fewer write calls; failure is harmless */
    return MTP_OK;
}

static mtp_status start_stage(mtp_writer *w)
{
    w->stage = mtp_malloc(STAGE_BYTES);
    return w->stage != NULL ? MTP_OK : fail(w, MTP_ERR_NOMEM, "buffer", "out of memory");
}

/* Multi-threaded mode with the fixed job size; refused rather than falling
 * back, since a single-threaded frame would have other bytes. */
static mtp_status start_workers(mtp_writer *w, int workers)
{
    size_t r = ZSTD_CCtx_setParameter(w->zstd, ZSTD_c_nbWorkers, workers);
    if (!ZSTD_isError(r)) {
        r = ZSTD_CCtx_setParameter(w->zstd, ZSTD_c_jobSize, MTP_WRITER_JOB_BYTES);
    }
    if (ZSTD_isError(r)) {
        return fail(w, MTP_ERR_CODEC, "zstd worker threads (libzstd built without them?)",
                    ZSTD_getErrorName(r));
    }
    return MTP_OK;
}

static mtp_status start_zstd(mtp_writer *w, int level, int workers)
{
    w->zstd = ZSTD_createCCtx();
    w->zbuf_capacity = ZSTD_CStreamOutSize();
    w->zbuf = mtp_malloc(w->zbuf_capacity);
    if (w->zstd == NULL || w->zbuf == NULL) {
        return fail(w, MTP_ERR_NOMEM, "zstd", "out of memory");
    }
    size_t r = ZSTD_CCtx_setParameter(w->zstd, ZSTD_c_compressionLevel, level);
    if (!ZSTD_isError(r)) {
        r = ZSTD_CCtx_setParameter(w->zstd, ZSTD_c_checksumFlag, 1);
    }
    if (ZSTD_isError(r)) {
        return fail(w, MTP_ERR_CODEC, "zstd parameters", ZSTD_getErrorName(r));
    }
    return workers > 0 ? start_workers(w, workers) : MTP_OK;
}

static mtp_status start_hash(mtp_writer *w)
{
    w->sha = EVP_MD_CTX_new();
    if (w->sha == NULL || EVP_DigestInit_ex(w->sha, EVP_sha256(), NULL) != 1) {
        return fail(w, MTP_ERR_NOMEM, "sha256", "cannot initialise");
    }
    return MTP_OK;
}

mtp_status mtp_writer_open(const char *path, const mtp_writer_options *opts, mtp_writer **out,
                           char *err_out, size_t err_capacity)
{
    *out = NULL;
    mtp_writer *w = mtp_calloc(1, sizeof *w);
    if (w == NULL) {
        if (err_out != NULL) {
            snprintf(err_out, err_capacity, "%s: out of memory", path);
        }
        return MTP_ERR_NOMEM;
    }
    mtp_status st = open_file(w, path);
    if (st == MTP_OK && opts != NULL && opts->zstd_level > 0) {
        st = start_zstd(w, opts->zstd_level, opts->workers);
    }
    if (st == MTP_OK && opts != NULL && opts->hash) {
        st = start_hash(w);
    }
    if (st == MTP_OK && (w->zstd != NULL || !w->is_stdout)) {
        st = start_stage(w);
    }
    if (st != MTP_OK) {
        if (err_out != NULL) {
            snprintf(err_out, err_capacity, "%s", w->error);
        }
        mtp_writer_free(w);
        return st;
    }
    *out = w;
    return MTP_OK;
}

/* ---- writing ----------------------------------------------------------- */

static mtp_status write_file(mtp_writer *w, const void *data, size_t len)
{
    if (len == 0) {
        return MTP_OK;
    }
    if (fwrite(data, 1, len, w->file) != len) {
        return fail(w, MTP_ERR_IO, "write failed", strerror(errno));
    }
    if (w->sha != NULL) {
        EVP_DigestUpdate(w->sha, data, len);
    }
    w->file_bytes += len;
    return MTP_OK;
}

/* Feeds `len` bytes to zstd with `mode`, writing whatever it produces;
 * for ZSTD_e_end loops until the frame is complete. */
static mtp_status compress(mtp_writer *w, const char *data, size_t len, ZSTD_EndDirective mode)
{
    ZSTD_inBuffer in = {data, len, 0};
    for (;;) {
        ZSTD_outBuffer out = {w->zbuf, w->zbuf_capacity, 0};
        const size_t remaining = ZSTD_compressStream2(w->zstd, &out, &in, mode);
        if (ZSTD_isError(remaining)) {
            return fail(w, MTP_ERR_CODEC, "zstd compression", ZSTD_getErrorName(remaining));
        }
        const mtp_status st = write_file(w, w->zbuf, out.pos);
        if (st != MTP_OK) {
            return st;
        }
        const int done = mode == ZSTD_e_end ? remaining == 0 : in.pos == in.size;
        if (done) {
            return MTP_OK;
        }
    }
}

/* LFs in data. (An 8-bytes-at-a-time count measured no faster in build and
 * slower in ingest, whose lines are paragraphs: memchr's vector scan wins.) */
static uint64_t count_lf(const char *data, size_t len)
{
    uint64_t count = 0;
    const char *const end = data + len;
    for (const char *p = data; p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++) {
        count++;
    }
    return count;
}

/* Hands `len` bytes on: to zstd, or straight to the file. */
static mtp_status emit(mtp_writer *w, const char *data, size_t len)
{
    if (w->zstd != NULL) {
        return compress(w, data, len, ZSTD_e_continue);
    }
    return write_file(w, data, len);
}

/* Empties the input stage, counting its lines in one pass. */
static mtp_status flush_stage(mtp_writer *w)
{
    const size_t len = w->stage_len;
    w->stage_len = 0;
    w->lines += count_lf(w->stage, len);
    return len > 0 ? emit(w, w->stage, len) : MTP_OK;
}

/* Stages small writes; one that does not fit goes on after the stage. */
static mtp_status stage_or_emit(mtp_writer *w, const char *data, size_t len)
{
    if (w->stage == NULL) {
        w->lines += count_lf(data, len);
        return emit(w, data, len);
    }
    if (len <= STAGE_BYTES - w->stage_len) {
        memcpy(w->stage + w->stage_len, data, len);
        w->stage_len += len;
        return MTP_OK;
    }
    const mtp_status st = flush_stage(w);
    if (st != MTP_OK) {
        return st;
    }
    if (len >= STAGE_BYTES) {
        w->lines += count_lf(data, len);
        return emit(w, data, len);
    }
    memcpy(w->stage, data, len);
    w->stage_len = len;
    return MTP_OK;
}

mtp_status mtp_writer_write(mtp_writer *w, const char *data, size_t len)
{
    if (w->status != MTP_OK) {
        return w->status;
    }
    return stage_or_emit(w, data, len);
}

mtp_status mtp_writer_put_record(mtp_writer *w, const mtp_record *rec)
{
    const size_t need = mtp_record_formatted_len(rec);
    if (need > w->record_capacity) {
        size_t capacity = w->record_capacity ? w->record_capacity : 4096;
        while (capacity < need) {
            capacity *= 2;
        }
        char *grown = mtp_realloc(w->record_buf, capacity);
        if (grown == NULL) {
            return fail(w, MTP_ERR_NOMEM, "record", "out of memory");
        }
        w->record_buf = grown;
        w->record_capacity = capacity;
    }
    const size_t len = mtp_record_format(rec, w->record_buf);
    return mtp_writer_write(w, w->record_buf, len);
}

mtp_status mtp_writer_put_line(mtp_writer *w, const char *text, size_t len)
{
    const mtp_status st = mtp_writer_write(w, text, len);
    return st != MTP_OK ? st : mtp_writer_write(w, "\n", 1);
}

/* Staged bytes count as written: their lines now, and their bytes when
 * they go to the file as they are. */
uint64_t mtp_writer_lines(const mtp_writer *w)
{
    return w->lines + (w->stage != NULL ? count_lf(w->stage, w->stage_len) : 0);
}

uint64_t mtp_writer_file_bytes(const mtp_writer *w)
{
    return w->file_bytes + (w->zstd == NULL ? w->stage_len : 0);
}

/* ---- closing ----------------------------------------------------------- */

static void finish_hash(mtp_writer *w)
{
    unsigned char digest[32];
    unsigned int len = 0;
    if (EVP_DigestFinal_ex(w->sha, digest, &len) != 1 || len != 32) {
        fail(w, MTP_ERR_IO, "sha256", "cannot finish digest");
        return;
    }
    static const char hex[] = "0123456789abcdef";
    for (unsigned i = 0; i < 32; i++) {
        w->sha_hex[2 * i] = hex[digest[i] >> 4];
        w->sha_hex[2 * i + 1] = hex[digest[i] & 15];
    }
    w->sha_hex[64] = '\0';
}

static mtp_status close_file(mtp_writer *w)
{
    if (fflush(w->file) != 0 || ferror(w->file)) {
        fail(w, MTP_ERR_IO, "write failed", strerror(errno));
    }
    if (w->is_stdout) {
        return w->status;
    }
    FILE *f = w->file;
    w->file = NULL;
    if (fclose(f) != 0) {
        fail(w, MTP_ERR_IO, "close failed", strerror(errno));
    }
    return w->status;
}

mtp_status mtp_writer_commit(mtp_writer *w)
{
    if (w->status == MTP_OK) {
        flush_stage(w);
    }
    if (w->zstd != NULL && w->status == MTP_OK) {
        /* Ends with no input: the staged bytes went in with e_continue, so
         * an end is never a first call (which zstd may compress in one
         * shot, with bytes that depend on the worker count). */
        compress(w, NULL, 0, ZSTD_e_end);
    }
    if (w->sha != NULL && w->status == MTP_OK) {
        finish_hash(w);
    }
    const mtp_status st = close_file(w);
    if (st != MTP_OK || w->is_stdout) {
        return st;
    }
    if (rename(w->tmp_path, w->path) != 0) {
        return fail(w, MTP_ERR_IO, "cannot rename into place", strerror(errno));
    }
    unregister_temporary(w->tmp_path);
    w->committed = 1;
    return MTP_OK;
}

const char *mtp_writer_sha256(const mtp_writer *w)
{
    return w->sha_hex;
}

const char *mtp_writer_error(const mtp_writer *w)
{
    return w->error;
}

void mtp_writer_free(mtp_writer *w)
{
    if (w == NULL) {
        return;
    }
    if (!w->is_stdout && w->file != NULL) {
        fclose(w->file);
    }
    if (!w->is_stdout && !w->committed && w->tmp_path[0] != '\0') {
        unregister_temporary(w->tmp_path);
        remove(w->tmp_path);
    }
    ZSTD_freeCCtx(w->zstd);
    EVP_MD_CTX_free(w->sha);
    mtp_free(w->zbuf);
    mtp_free(w->record_buf);
    mtp_free(w->stage);
    mtp_free(w);
}
