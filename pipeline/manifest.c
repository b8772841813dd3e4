/* MANIFEST.json and SHA256SUMS: building them at the end of write, and the
 * pieces verify needs to read them back (file digests, SHA256SUMS lines).
 *
 * The manifest is one jansson object dumped with JSON_SORT_KEYS,
 * JSON_INDENT(2) and JSON_REAL_PRECISION(15) (so 0.01 prints as 0.01, not
 * 0.01000000000000000021), plus a final LF: equal inputs give equal bytes.
 * SHA256SUMS follows GNU coreutils' text format, "HEX  NAME", which
 * `sha256sum -c` checks.
 *
 * Memory: the manifest object (O(files + counters)) and one 64 KiB read
 * buffer while hashing a file.
 */
#include "manifest.h"

#include <errno.h>
#include <limits.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "data.h"
#include "mtprep/alloc.h"
#include "mtprep/version.h"
#include "mtprep/writer.h"

#define DUMP_FLAGS (JSON_SORT_KEYS | JSON_INDENT(2) | JSON_REAL_PRECISION(15))
#define HASH_CHUNK_BYTES (64u * 1024u)

/* ======================================================================== */
/* Building the manifest                                                    */
/* ======================================================================== */

/* jansson's set_new steals `value` and fails on NULL, so a failed
 * constructor inside the call surfaces here as -1. */
static int set(json_t *obj, const char *key, json_t *value)
{
    return json_object_set_new(obj, key, value) == 0 ? 0 : -1;
}

static json_t *json_count(uint64_t value)
{
    /* json_int_t is long long; counts never come near 2^63 */
    return json_integer(value > (uint64_t)LLONG_MAX ? LLONG_MAX : (json_int_t)value);
}

/* write's own options, when no options_json was given. */
static json_t *own_options(const mtp_write_options *o)
{
    char seed[32];
    snprintf(seed, sizeof seed, "0x%llx", (unsigned long long)MTP_SPLIT_SEED);
    json_t *obj = json_object();
    int fails = obj == NULL ? -1 : 0;
    if (obj != NULL) {
        fails |= set(obj, "dev_ratio", json_real(o->dev_ratio));
        fails |= set(obj, "test_ratio", json_real(o->test_ratio));
        fails |= set(obj, "zstd_level", json_integer(o->zstd_level));
        fails |= set(obj, "lang", json_string(o->lang));
        fails |= set(obj, "tgt_lang", o->tgt_lang != NULL ? json_string(o->tgt_lang) : json_null());
        fails |= set(obj, "split_seed", json_string(seed));
        fails |=
            set(obj, "on_error", json_string(o->on_error == MTP_ON_ERROR_SKIP ? "skip" : "fail"));
    }
    if (fails != 0) {
        json_decref(obj);
        return NULL;
    }
    return obj;
}

static mtp_status options_object(const mtp_write_options *o, json_t **out, mtp_error *err)
{
    *out = NULL;
    if (o->options_json == NULL) {
        *out = own_options(o);
        return *out != NULL ? MTP_OK : mtp_error_set(err, MTP_ERR_NOMEM, "manifest: out of memory");
    }
    json_error_t jerr;
    json_t *obj = json_loads(o->options_json, JSON_REJECT_DUPLICATES, &jerr);
    if (obj == NULL || !json_is_object(obj)) {
        json_decref(obj);
        return mtp_error_set(err, MTP_ERR_INPUT, "manifest: options are not a JSON object: %s",
                             obj == NULL ? jerr.text : "not an object");
    }
    *out = obj;
    return MTP_OK;
}

static json_t *recipe_value(const mtp_write_options *o)
{
    return o->recipe_text != NULL ? json_string(o->recipe_text) : json_null();
}

static json_t *input_object(const mtp_manifest *m)
{
    json_t *files = json_array();
    json_t *obj = json_object();
    int fails = (files == NULL || obj == NULL) ? -1 : 0;
    for (size_t i = 0; fails == 0 && i < m->opts->input_digest_count; i++) {
        fails |= json_array_append_new(files, json_string(m->opts->input_digests[i]));
    }
    if (fails == 0) {
        fails |= set(obj, "records", json_count(m->input_records));
        fails |= set(obj, "sha256", json_string(m->input_sha256));
        fails |= set(obj, "files", files);
        files = NULL; /* owned by obj now, even on failure */
    }
    json_decref(files);
    if (fails != 0) {
        json_decref(obj);
        return NULL;
    }
    return obj;
}

static json_t *files_object(const mtp_manifest *m)
{
    json_t *obj = json_object();
    int fails = obj == NULL ? -1 : 0;
    for (size_t i = 0; fails == 0 && i < m->file_count; i++) {
        const mtp_manifest_file *f = &m->files[i];
        json_t *entry = json_object();
        if (entry != NULL) {
            fails |= set(entry, "lines", json_count(f->lines));
            fails |= set(entry, "bytes", json_count(f->bytes));
            fails |= set(entry, "sha256", json_string(f->sha256));
        }
        fails |= set(obj, f->name, entry);
    }
    if (fails != 0) {
        json_decref(obj);
        return NULL;
    }
    return obj;
}

static json_t *source_object(const mtp_manifest_source *src, int with_matched)
{
    json_t *obj = json_object();
    int fails = obj == NULL ? -1 : 0;
    if (obj != NULL) {
        fails |= set(obj, "path", json_string(src->path));
        fails |= set(obj, "sha256", json_string(src->sha256));
        fails |= set(obj, "lines", json_count(src->lines));
        if (with_matched) {
            fails |= set(obj, "matched", json_count(src->matched));
        }
    }
    if (fails != 0) {
        json_decref(obj);
        return NULL;
    }
    return obj;
}

static json_t *clusters_value(const mtp_manifest *m)
{
    return m->clusters != NULL ? source_object(m->clusters, 0) : json_null();
}

static json_t *exclude_array(const mtp_manifest *m)
{
    json_t *arr = json_array();
    int fails = arr == NULL ? -1 : 0;
    for (size_t i = 0; fails == 0 && i < m->exclude_count; i++) {
        fails |= json_array_append_new(arr, source_object(&m->excludes[i], 1));
    }
    if (fails != 0) {
        json_decref(arr);
        return NULL;
    }
    return arr;
}

/* Adds one stage's counters; a stage named twice (two sides of a pair) has
 * its counters summed. */
static int add_stage_counts(json_t *all, const mtp_counts *c)
{
    json_t *obj = json_object_get(all, c->stage);
    if (obj == NULL) {
        obj = json_object();
        if (set(all, c->stage, obj) != 0) {
            return -1;
        }
    }
    int fails = 0;
    for (unsigned i = 0; fails == 0 && i < c->n; i++) {
        const json_t *old = json_object_get(obj, c->names[i]);
        const uint64_t base = old != NULL ? (uint64_t)json_integer_value(old) : 0;
        fails |= set(obj, c->names[i], json_count(base + c->values[i]));
    }
    return fails;
}

static json_t *counts_object(const mtp_manifest *m)
{
    json_t *obj = json_object();
    int fails = obj == NULL ? -1 : 0;
    for (size_t i = 0; fails == 0 && i < m->counts_count; i++) {
        fails |= add_stage_counts(obj, &m->counts[i]);
    }
    if (fails != 0) {
        json_decref(obj);
        return NULL;
    }
    return obj;
}

/* SHA-256 of bytes as lower-case hex; 0 on failure. */
static int sha256_hex(mtp_str bytes, char hex[MTP_SHA256_HEX_CAPACITY])
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_Digest(bytes.ptr, bytes.len, digest, &len, EVP_sha256(), NULL) != 1 || len != 32) {
        return 0;
    }
    static const char digits[] = "0123456789abcdef";
    for (unsigned i = 0; i < len; i++) {
        hex[2 * i] = digits[digest[i] >> 4];
        hex[2 * i + 1] = digits[digest[i] & 15];
    }
    hex[2 * len] = '\0';
    return 1;
}

/* {"NAME": sha256, ...} of the data files compiled into this mtprep (rules,
 * prefix lists, word list): another list can give another corpus. */
static json_t *builtin_data_object(void)
{
    json_t *obj = json_object();
    int fails = obj == NULL ? -1 : 0;
    const char *name = NULL;
    for (size_t i = 0; fails == 0 && (name = mtp_data_embedded_name(i)) != NULL; i++) {
        mtp_str bytes;
        char hex[MTP_SHA256_HEX_CAPACITY];
        if (!mtp_data_embedded(name, &bytes) || !sha256_hex(bytes, hex)) {
            fails = -1;
            break;
        }
        fails |= set(obj, name, json_string(hex));
    }
    if (fails != 0) {
        json_decref(obj);
        return NULL;
    }
    return obj;
}

static int add_versions(json_t *root, const char *lang)
{
    int fails = 0;
    fails |= set(root, "format", json_string(MTP_CORPUS_FORMAT));
    fails |= set(root, "mtprep_version", json_string(mtp_version()));
    fails |= set(root, "icu_version", json_string(mtp_icu_version()));
    fails |= set(root, "unicode_version", json_string(mtp_unicode_version()));
    fails |= set(root, "zstd_version", json_string(mtp_zstd_version()));
    fails |= set(root, "builtin_data", builtin_data_object());
    fails |= set(root, "lang", json_string(lang));
    return fails;
}

static mtp_status build_manifest(const mtp_manifest *m, json_t **out, mtp_error *err)
{
    *out = NULL;
    if (m->opts->recipe_text != NULL &&
        !mtp_utf8_is_valid(m->opts->recipe_text, strlen(m->opts->recipe_text))) {
        return mtp_error_set(err, MTP_ERR_INPUT, "manifest: the recipe is not valid UTF-8");
    }
    json_t *options = NULL;
    const mtp_status st = options_object(m->opts, &options, err);
    if (st != MTP_OK) {
        return st;
    }
    json_t *root = json_object();
    int fails = root == NULL ? -1 : 0;
    if (root != NULL) {
        fails |= add_versions(root, m->opts->lang);
        fails |= set(root, "options", options);
        options = NULL;
        fails |= set(root, "recipe", recipe_value(m->opts));
        fails |= set(root, "input", input_object(m));
        fails |= set(root, "files", files_object(m));
        fails |= set(root, "clusters", clusters_value(m));
        fails |= set(root, "exclude", exclude_array(m));
        fails |= set(root, "counts", counts_object(m));
    }
    json_decref(options);
    if (fails != 0) {
        json_decref(root);
        return mtp_error_set(err, MTP_ERR_NOMEM, "manifest: out of memory");
    }
    *out = root;
    return MTP_OK;
}

/* ======================================================================== */
/* Writing MANIFEST.json and SHA256SUMS                                     */
/* ======================================================================== */

/* Writes `len` bytes to DIR/NAME (temporary name, renamed when complete),
 * keeping the SHA-256 in `sha_out` when not NULL. */
static mtp_status write_small_file(const char *dir, const char *name, const char *data, size_t len,
                                   char *sha_out, mtp_error *err)
{
    char path[4096];
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path) {
        return mtp_error_set(err, MTP_ERR_IO, "%s: path too long", dir);
    }
    const mtp_writer_options wopts = {0, 1, 0};
    char wmsg[MTP_ERROR_CAPACITY] = "";
    mtp_writer *w = NULL;
    mtp_status st = mtp_writer_open(path, &wopts, &w, wmsg, sizeof wmsg);
    if (st == MTP_OK) {
        (void)mtp_writer_write(w, data, len);
        st = mtp_writer_commit(w); /* errors are sticky: checked once */
        snprintf(wmsg, sizeof wmsg, "%s", mtp_writer_error(w));
    }
    if (st == MTP_OK && sha_out != NULL) {
        memcpy(sha_out, mtp_writer_sha256(w), MTP_SHA256_HEX_CAPACITY);
    }
    mtp_writer_free(w);
    return st == MTP_OK ? MTP_OK : mtp_error_set(err, st, "%s", wmsg);
}

static int compare_files(const void *a, const void *b)
{
    const mtp_manifest_file *fa = a;
    const mtp_manifest_file *fb = b;
    return strcmp(fa->name, fb->name);
}

/* SHA256SUMS text for the data files plus MANIFEST.json, sorted by name. */
static mtp_status write_sums(const char *dir, const mtp_manifest *m, const char *manifest_sha,
                             mtp_error *err)
{
    const size_t n = m->file_count + 1;
    const size_t line_max = MTP_SHA256_HEX_CAPACITY + 2 + MTP_FILE_NAME_CAPACITY + 1;
    mtp_manifest_file *all = mtp_calloc(n, sizeof *all);
    char *text = mtp_malloc(n * line_max);
    if (all == NULL || text == NULL) {
        mtp_free(all);
        mtp_free(text);
        return mtp_error_set(err, MTP_ERR_NOMEM, "%s: out of memory", MTP_SUMS_NAME);
    }
    memcpy(all, m->files, m->file_count * sizeof *all);
    snprintf(all[n - 1].name, sizeof all[n - 1].name, "%s", MTP_MANIFEST_NAME);
    memcpy(all[n - 1].sha256, manifest_sha, MTP_SHA256_HEX_CAPACITY);
    qsort(all, n, sizeof *all, compare_files);
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        len += (size_t)snprintf(text + len, line_max, "%s  %s\n", all[i].sha256, all[i].name);
    }
    const mtp_status st = write_small_file(dir, MTP_SUMS_NAME, text, len, NULL, err);
    mtp_free(all);
    mtp_free(text);
    return st;
}

/* The dumped manifest plus its final LF, in an mtp_malloc'd buffer. */
static mtp_status dump_manifest(json_t *root, char **text, size_t *len, mtp_error *err)
{
    *text = NULL;
    char *dumped = json_dumps(root, DUMP_FLAGS);
    const size_t dumped_len = dumped != NULL ? strlen(dumped) : 0;
    char *copy = dumped != NULL ? mtp_malloc(dumped_len + 2) : NULL;
    if (copy == NULL) {
        free(dumped); /* jansson's allocator */
        return mtp_error_set(err, MTP_ERR_NOMEM, "manifest: out of memory");
    }
    memcpy(copy, dumped, dumped_len);
    copy[dumped_len] = '\n';
    copy[dumped_len + 1] = '\0';
    free(dumped);
    *text = copy;
    *len = dumped_len + 1;
    return MTP_OK;
}

mtp_status mtp_manifest_write(const char *dir, const mtp_manifest *m, mtp_error *err)
{
    json_t *root = NULL;
    mtp_status st = build_manifest(m, &root, err);
    if (st != MTP_OK) {
        return st;
    }
    char *text = NULL;
    size_t len = 0;
    st = dump_manifest(root, &text, &len, err);
    json_decref(root);
    char sha[MTP_SHA256_HEX_CAPACITY];
    if (st == MTP_OK) {
        st = write_small_file(dir, MTP_MANIFEST_NAME, text, len, sha, err);
    }
    mtp_free(text);
    if (st == MTP_OK) {
        st = write_sums(dir, m, sha, err);
        if (st != MTP_OK) { /* a manifest without its checksums must not stay */
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", dir, MTP_MANIFEST_NAME);
            unlink(path);
        }
    }
    return st;
}

/* ======================================================================== */
/* Reading back: digests and SHA256SUMS lines                               */
/* ======================================================================== */

static void to_hex(const unsigned char *digest, unsigned len, char *hex)
{
    static const char digits[] = "0123456789abcdef";
    for (unsigned i = 0; i < len; i++) {
        hex[2 * i] = digits[digest[i] >> 4];
        hex[2 * i + 1] = digits[digest[i] & 15];
    }
    hex[2 * len] = '\0';
}

/* Feeds the whole stream to the digest; returns 0 or -1 on a read error. */
static int hash_stream(FILE *file, EVP_MD_CTX *ctx, char *chunk, uint64_t *bytes)
{
    size_t got = 0;
    *bytes = 0;
    while ((got = fread(chunk, 1, HASH_CHUNK_BYTES, file)) > 0) {
        EVP_DigestUpdate(ctx, chunk, got);
        *bytes += got;
    }
    return ferror(file) ? -1 : 0;
}

mtp_status mtp_sha256_file(const char *path, char hex[MTP_SHA256_HEX_CAPACITY], uint64_t *bytes,
                           mtp_error *err)
{
    FILE *file = fopen(path, "rb");
    if (file == NULL) {
        return mtp_error_set(err, MTP_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    }
    mtp_status st = MTP_OK;
    char *chunk = mtp_malloc(HASH_CHUNK_BYTES);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    if (chunk == NULL || ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
        st = mtp_error_set(err, MTP_ERR_NOMEM, "%s: out of memory", path);
    } else if (hash_stream(file, ctx, chunk, bytes) != 0) {
        st = mtp_error_set(err, MTP_ERR_IO, "%s: read error: %s", path, strerror(errno));
    } else if (EVP_DigestFinal_ex(ctx, digest, &len) != 1 || len != 32) {
        st = mtp_error_set(err, MTP_ERR_IO, "%s: sha256 failed", path);
    } else {
        to_hex(digest, len, hex);
    }
    EVP_MD_CTX_free(ctx);
    mtp_free(chunk);
    fclose(file);
    return st;
}

static int is_hex_digest(mtp_str s)
{
    if (s.len != 64) {
        return 0;
    }
    for (size_t i = 0; i < s.len; i++) {
        const char c = s.ptr[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            return 0;
        }
    }
    return 1;
}

int mtp_sums_next(const char **cursor, const char *limit, mtp_str *hex, mtp_str *name)
{
    const char *start = *cursor;
    if (start >= limit) {
        return 0;
    }
    const char *lf = memchr(start, '\n', (size_t)(limit - start));
    const char *end = lf != NULL ? lf : limit;
    *cursor = lf != NULL ? lf + 1 : limit;
    /* "HEX  NAME" (text mode) or "HEX *NAME" (binary mode) */
    if (end - start < 67 || start[64] != ' ' || (start[65] != ' ' && start[65] != '*')) {
        return -1;
    }
    hex->ptr = start;
    hex->len = 64;
    name->ptr = start + 66;
    name->len = (size_t)(end - name->ptr);
    return is_hex_digest(*hex) ? 1 : -1;
}

int mtp_corpus_name_is_safe(const char *name)
{
    const size_t len = strlen(name);
    return len > 0 && len < MTP_FILE_NAME_CAPACITY && name[0] != '.' && strchr(name, '/') == NULL;
}
