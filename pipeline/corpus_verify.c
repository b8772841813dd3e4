/* verify: rechecks a corpus directory against its MANIFEST.json and SHA256SUMS.
 *
 * Algorithm. Load MANIFEST.json (jansson) and check its format name. For
 * every file it lists, in name order: the file exists, has the listed size,
 * its SHA-256 matches, and it decompresses (magic-detected, reader.h) to the
 * listed number of lines; the first difference found for a file is its
 * problem. Files of one split (the name up to its first '.': train.id.zst,
 * train.en.zst, train.meta.tsv.zst) must have equal line counts, since they
 * are line-aligned. Then SHA256SUMS must list exactly the manifest's files,
 * with the manifest's digests, plus MANIFEST.json with its actual digest.
 * Every problem is reported; the first one is returned.
 *
 * The leak check (mtp_corpus_check_leaks) rechecks what write promises:
 * the exact and loose keys (dedup.h) of every dev and test text, both sides
 * of a pair corpus pooled, go into a key set, tagged by kind as write tags
 * them; then every train text is looked up, and each one whose exact or
 * loose key is there is a leak, reported with its file and line.
 *
 * Standard: SHA-256 (FIPS 180-4) via OpenSSL, SHA256SUMS in the GNU
 * coreutils `sha256sum` format, zstd frames per RFC 8878.
 *
 * Memory: the manifest, the SHA256SUMS text (at most 1 MiB), one reader
 * (its line buffer bounded by MTP_DEFAULT_MAX_LINE_BYTES) at a time; the
 * leak check adds its key set (<= 15 bytes per dev/test key, at most
 * mem_bytes).
 */
#include "mtprep/corpus.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "keys.h"
#include "manifest.h"
#include "mtprep/alloc.h"
#include "mtprep/dedup.h"
#include "mtprep/reader.h"

#define PATH_CAPACITY 4096
#define SUMS_MAX_BYTES (1u << 20)

typedef struct verifier {
    const char *dir;
    FILE *report;       /* may be NULL */
    mtp_error *err;     /* the first problem */
    mtp_status first;   /* its status; MTP_OK while none */
    json_t *files;      /* the manifest's "files" object, borrowed from the root */
    const char **names; /* its keys, sorted */
    uint64_t *lines;    /* actual lines per name; UINT64_MAX when the file failed */
    size_t count;
} verifier;

/* Records a problem: printed as "FAILED ..." and kept if it is the first. */
static void problem(verifier *v, mtp_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void problem(verifier *v, mtp_status st, const char *fmt, ...)
{
    char message[MTP_ERROR_CAPACITY];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    if (v->report != NULL) {
        fprintf(v->report, "FAILED %s\n", message);
    }
    if (v->first == MTP_OK) {
        v->first = st;
        mtp_error_set(v->err, st, "%s", message);
    }
}

static void path_of(const verifier *v, const char *name, char *path)
{
    snprintf(path, PATH_CAPACITY, "%s/%s", v->dir, name);
}

/* ======================================================================== */
/* The manifest                                                             */
/* ======================================================================== */

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static mtp_status load_manifest(verifier *v, json_t **root)
{
    char path[PATH_CAPACITY];
    path_of(v, MTP_MANIFEST_NAME, path);
    FILE *file = fopen(path, "rb");
    if (file == NULL) {
        return mtp_error_set(v->err, MTP_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    }
    json_error_t jerr;
    *root = json_loadf(file, JSON_REJECT_DUPLICATES, &jerr);
    fclose(file);
    if (*root == NULL) {
        return mtp_error_set(v->err, MTP_ERR_MISMATCH, "%s: not valid JSON (line %d: %s)",
                             MTP_MANIFEST_NAME, jerr.line, jerr.text);
    }
    const char *format = json_string_value(json_object_get(*root, "format"));
    v->files = json_object_get(*root, "files");
    if (format == NULL || strcmp(format, MTP_CORPUS_FORMAT) != 0 || !json_is_object(v->files)) {
        return mtp_error_set(v->err, MTP_ERR_MISMATCH, "%s: not a %s manifest", MTP_MANIFEST_NAME,
                             MTP_CORPUS_FORMAT);
    }
    return MTP_OK;
}

static mtp_status collect_names(verifier *v)
{
    v->count = json_object_size(v->files);
    v->names = mtp_calloc(v->count + 1, sizeof *v->names);
    v->lines = mtp_calloc(v->count + 1, sizeof *v->lines);
    if (v->names == NULL || v->lines == NULL) {
        return mtp_error_set(v->err, MTP_ERR_NOMEM, "verify: out of memory");
    }
    size_t i = 0;
    const char *key = NULL;
    json_t *value = NULL;
    json_object_foreach (v->files, key, value) {
        v->names[i++] = key;
    }
    qsort(v->names, v->count, sizeof *v->names, compare_names);
    return MTP_OK;
}

/* The listed lines, bytes and digest of one file; 0 when malformed. */
static int read_entry(const json_t *entry, uint64_t *lines, uint64_t *bytes, const char **sha)
{
    const json_t *jl = json_object_get(entry, "lines");
    const json_t *jb = json_object_get(entry, "bytes");
    *sha = json_string_value(json_object_get(entry, "sha256"));
    if (!json_is_integer(jl) || !json_is_integer(jb) || *sha == NULL || strlen(*sha) != 64 ||
        json_integer_value(jl) < 0 || json_integer_value(jb) < 0) {
        return 0;
    }
    *lines = (uint64_t)json_integer_value(jl);
    *bytes = (uint64_t)json_integer_value(jb);
    return 1;
}

/* ======================================================================== */
/* One file                                                                 */
/* ======================================================================== */

/* Lines after decompression; an over-long line still counts as one. */
static mtp_status count_lines(const char *path, const char *name, uint64_t *lines, mtp_error *err)
{
    mtp_reader *r = NULL;
    mtp_status st = mtp_reader_open(path, name, MTP_DEFAULT_MAX_LINE_BYTES, &r, err);
    *lines = 0;
    while (st == MTP_OK) {
        const char *line = NULL;
        size_t len = 0;
        st = mtp_reader_next_line(r, &line, &len);
        if (st == MTP_OK || st == MTP_ERR_LIMIT) {
            ++*lines;
            st = MTP_OK;
        }
    }
    if (st != MTP_END && r != NULL) {
        mtp_error_set(err, st, "%s", mtp_reader_error(r));
    }
    mtp_reader_close(r);
    return st == MTP_END ? MTP_OK : st;
}

/* Existence and size; 1 when both are as listed. */
static int check_size(verifier *v, const char *name, const char *path, uint64_t bytes)
{
    struct stat sb;
    if (stat(path, &sb) != 0) {
        if (errno == ENOENT) {
            problem(v, MTP_ERR_MISMATCH, "%s: missing", name);
        } else {
            problem(v, MTP_ERR_IO, "%s: cannot stat: %s", name, strerror(errno));
        }
        return 0;
    }
    if ((uint64_t)sb.st_size != bytes) {
        problem(v, MTP_ERR_MISMATCH, "%s: %llu bytes, the manifest says %llu", name,
                (unsigned long long)sb.st_size, (unsigned long long)bytes);
        return 0;
    }
    return 1;
}

static int check_digest(verifier *v, const char *name, const char *path, const char *want)
{
    char hex[MTP_SHA256_HEX_CAPACITY];
    uint64_t bytes = 0;
    mtp_error e;
    const mtp_status st = mtp_sha256_file(path, hex, &bytes, &e);
    if (st != MTP_OK) {
        problem(v, st, "%s", e.message);
        return 0;
    }
    if (strcmp(hex, want) != 0) {
        problem(v, MTP_ERR_MISMATCH, "%s: sha256 %s, the manifest says %s", name, hex, want);
        return 0;
    }
    return 1;
}

static int check_lines(verifier *v, const char *name, const char *path, uint64_t want,
                       uint64_t *got)
{
    mtp_error e;
    const mtp_status st = count_lines(path, name, got, &e);
    if (st != MTP_OK) {
        /* the digest matched, so a codec error means the manifest lists a bad file */
        problem(v, st == MTP_ERR_CODEC ? MTP_ERR_MISMATCH : st, "%s", e.message);
        return 0;
    }
    if (*got != want) {
        problem(v, MTP_ERR_MISMATCH, "%s: %llu lines, the manifest says %llu", name,
                (unsigned long long)*got, (unsigned long long)want);
        return 0;
    }
    return 1;
}

static void check_file(verifier *v, size_t index)
{
    const char *name = v->names[index];
    uint64_t lines = 0, bytes = 0;
    const char *sha = NULL;
    v->lines[index] = UINT64_MAX;
    if (!mtp_corpus_name_is_safe(name)) {
        problem(v, MTP_ERR_MISMATCH, "%s: not a file name a corpus may list", name);
        return;
    }
    if (!read_entry(json_object_get(v->files, name), &lines, &bytes, &sha)) {
        problem(v, MTP_ERR_MISMATCH, "%s: malformed manifest entry", name);
        return;
    }
    char path[PATH_CAPACITY];
    path_of(v, name, path);
    uint64_t got = 0;
    if (check_size(v, name, path, bytes) && check_digest(v, name, path, sha) &&
        check_lines(v, name, path, lines, &got)) {
        v->lines[index] = got;
        if (v->report != NULL) {
            fprintf(v->report, "OK %s %llu lines\n", name, (unsigned long long)got);
        }
    }
}

/* Files of one split ("train." ...) must be line-aligned. */
static void check_splits(verifier *v)
{
    for (size_t i = 0; i < v->count; i++) {
        const char *dot = strchr(v->names[i], '.');
        const size_t prefix = dot != NULL ? (size_t)(dot - v->names[i]) + 1 : 0;
        for (size_t j = i + 1; prefix > 0 && j < v->count; j++) {
            if (strncmp(v->names[i], v->names[j], prefix) != 0) {
                break; /* sorted: the split's files are adjacent */
            }
            if (v->lines[i] != UINT64_MAX && v->lines[j] != UINT64_MAX &&
                v->lines[i] != v->lines[j]) {
                problem(v, MTP_ERR_MISMATCH, "%s: %llu lines, but %s has %llu", v->names[j],
                        (unsigned long long)v->lines[j], v->names[i],
                        (unsigned long long)v->lines[i]);
            }
        }
    }
}

/* ======================================================================== */
/* SHA256SUMS                                                               */
/* ======================================================================== */

static mtp_status read_sums(verifier *v, char **text, size_t *len)
{
    char path[PATH_CAPACITY];
    path_of(v, MTP_SUMS_NAME, path);
    *text = NULL;
    FILE *file = fopen(path, "rb");
    if (file == NULL) {
        problem(v, errno == ENOENT ? MTP_ERR_MISMATCH : MTP_ERR_IO, "%s: %s", MTP_SUMS_NAME,
                errno == ENOENT ? "missing" : strerror(errno));
        return MTP_ERR_MISMATCH;
    }
    *text = mtp_malloc(SUMS_MAX_BYTES);
    *len = *text != NULL ? fread(*text, 1, SUMS_MAX_BYTES, file) : 0;
    const int failed = *text == NULL || ferror(file) || *len == SUMS_MAX_BYTES;
    fclose(file);
    if (failed) {
        problem(v, *text == NULL ? MTP_ERR_NOMEM : MTP_ERR_IO, "%s: cannot read (or over 1 MiB)",
                MTP_SUMS_NAME);
        return MTP_ERR_IO;
    }
    return MTP_OK;
}

/* Index of `name` among the manifest's files, v->count for MANIFEST.json
 * itself, -1 when SHA256SUMS should not list it. */
static long expected_index(const verifier *v, mtp_str name)
{
    for (size_t i = 0; i < v->count; i++) {
        if (strlen(v->names[i]) == name.len && memcmp(v->names[i], name.ptr, name.len) == 0) {
            return (long)i;
        }
    }
    const size_t mlen = strlen(MTP_MANIFEST_NAME);
    return (name.len == mlen && memcmp(name.ptr, MTP_MANIFEST_NAME, mlen) == 0) ? (long)v->count
                                                                                : -1;
}

static void check_sums_line(verifier *v, mtp_str hex, mtp_str name, const char *manifest_sha,
                            unsigned char *seen)
{
    const long index = expected_index(v, name);
    if (index < 0) {
        problem(v, MTP_ERR_MISMATCH, "%s: lists %.*s, which the manifest does not", MTP_SUMS_NAME,
                (int)name.len, name.ptr);
        return;
    }
    const char *want = (size_t)index == v->count
                           ? manifest_sha
                           : json_string_value(json_object_get(
                                 json_object_get(v->files, v->names[index]), "sha256"));
    if (want == NULL || strlen(want) != hex.len || memcmp(want, hex.ptr, hex.len) != 0) {
        problem(v, MTP_ERR_MISMATCH, "%s: the digest of %.*s differs from %s", MTP_SUMS_NAME,
                (int)name.len, name.ptr,
                (size_t)index == v->count ? "MANIFEST.json's actual digest" : "the manifest");
    }
    if (seen[index] < 255) {
        seen[index]++;
    }
}

static void check_sums_text(verifier *v, const char *text, size_t len, const char *manifest_sha)
{
    unsigned char *seen = mtp_calloc(v->count + 1, 1);
    if (seen == NULL) {
        problem(v, MTP_ERR_NOMEM, "verify: out of memory");
        return;
    }
    const char *cursor = text;
    mtp_str hex, name;
    int got = 0;
    while ((got = mtp_sums_next(&cursor, text + len, &hex, &name)) != 0) {
        if (got < 0) {
            problem(v, MTP_ERR_MISMATCH, "%s: malformed line", MTP_SUMS_NAME);
            continue;
        }
        check_sums_line(v, hex, name, manifest_sha, seen);
    }
    for (size_t i = 0; i <= v->count; i++) {
        if (seen[i] != 1) {
            problem(v, MTP_ERR_MISMATCH, "%s: lists %s %u times, not once", MTP_SUMS_NAME,
                    i < v->count ? v->names[i] : MTP_MANIFEST_NAME, (unsigned)seen[i]);
        }
    }
    mtp_free(seen);
}

static void check_sums(verifier *v)
{
    char path[PATH_CAPACITY];
    path_of(v, MTP_MANIFEST_NAME, path);
    char manifest_sha[MTP_SHA256_HEX_CAPACITY];
    uint64_t bytes = 0;
    mtp_error e;
    mtp_status st = mtp_sha256_file(path, manifest_sha, &bytes, &e);
    if (st != MTP_OK) {
        problem(v, st, "%s", e.message);
        return;
    }
    char *text = NULL;
    size_t len = 0;
    if (read_sums(v, &text, &len) == MTP_OK) {
        check_sums_text(v, text, len, manifest_sha);
    }
    mtp_free(text);
}

mtp_status mtp_corpus_verify(const char *dir, FILE *report, mtp_error *err)
{
    verifier v;
    memset(&v, 0, sizeof v);
    v.dir = dir;
    v.report = report;
    v.err = err;
    err->message[0] = '\0';
    json_t *root = NULL;
    mtp_status st = load_manifest(&v, &root);
    if (st == MTP_OK) {
        st = collect_names(&v);
    }
    if (st == MTP_OK) {
        for (size_t i = 0; i < v.count; i++) {
            check_file(&v, i);
        }
        check_splits(&v);
        check_sums(&v);
        st = v.first;
    }
    mtp_free(v.names);
    mtp_free(v.lines);
    json_decref(root);
    return st;
}

/* ======================================================================== */
/* Leaks between train and dev/test                                         */
/* ======================================================================== */

/* Exact keys end in bit 0, loose keys in bit 1, as write stores them. */
static uint64_t tagged_key(mtp_str text, int loose, mtp_key_scratch *scratch)
{
    uint64_t key = 0;
    if (!loose) {
        key = mtp_key_exact(text) & ~UINT64_C(1);
        return key != 0 ? key : 2;
    }
    /* a text without a loose key (not UTF-8) keeps its exact key only */
    return mtp_key_loose(text, scratch, &key) == MTP_OK ? key | 1 : 0;
}

typedef struct leak_check {
    verifier v;
    mtp_keyset heldout;
    mtp_key_scratch scratch;
    size_t mem_bytes;
    uint64_t train_lines;
    uint64_t leaks;
} leak_check;

/* The split a corpus text file belongs to; -1 for other files (metadata). */
static int text_split(const char *name)
{
    static const char *const prefixes[] = {"train.", "dev.", "test."};
    const size_t len = strlen(name);
    if (len < 5 || strcmp(name + len - 4, ".zst") != 0 || strstr(name, ".meta.") != NULL) {
        return -1;
    }
    for (int split = 0; split < MTP_SPLIT_COUNT; split++) {
        if (strncmp(name, prefixes[split], strlen(prefixes[split])) == 0) {
            return split;
        }
    }
    return -1;
}

/* A held-out line: both keys into the set. */
static mtp_status hold_line(leak_check *c, mtp_str text)
{
    mtp_status st = MTP_OK;
    for (int loose = 0; loose < 2 && st == MTP_OK; loose++) {
        const uint64_t key = tagged_key(text, loose, &c->scratch);
        int added = 0;
        st = key != 0 ? mtp_keyset_add(&c->heldout, key, &added) : MTP_OK;
    }
    if (st == MTP_ERR_LIMIT) {
        return mtp_error_set(
            c->v.err, st, "the dev/test keys need more than %zu bytes; raise --mem", c->mem_bytes);
    }
    return st == MTP_OK ? MTP_OK : mtp_error_set(c->v.err, st, "verify: out of memory");
}

/* A train line: a problem when a key of it is held out. */
static void check_line(leak_check *c, const char *name, mtp_reader *r, mtp_str text)
{
    static const char *const kinds[] = {"exact", "loose"};
    c->train_lines++;
    for (int loose = 0; loose < 2; loose++) {
        const uint64_t key = tagged_key(text, loose, &c->scratch);
        if (key != 0 && mtp_keyset_contains(&c->heldout, key)) {
            c->leaks++;
            problem(&c->v, MTP_ERR_MISMATCH, "%s:%llu: shares its %s key with dev or test", name,
                    (unsigned long long)mtp_reader_line_number(r), kinds[loose]);
            return;
        }
    }
}

/* Reads DIR/NAME line by line into hold_line or check_line. */
static mtp_status scan_text_file(leak_check *c, const char *name, int train)
{
    char path[PATH_CAPACITY];
    path_of(&c->v, name, path);
    mtp_reader *r = NULL;
    mtp_status st = mtp_reader_open(path, name, MTP_DEFAULT_MAX_LINE_BYTES, &r, c->v.err);
    while (st == MTP_OK) {
        const char *line = NULL;
        size_t len = 0;
        st = mtp_reader_next_line(r, &line, &len);
        const mtp_str text = {line, len};
        if (st == MTP_OK && train) {
            check_line(c, name, r, text);
        } else if (st == MTP_OK) {
            st = hold_line(c, text);
        } else if (st == MTP_ERR_LIMIT) {
            st = MTP_OK; /* write never writes one; verify reports the file's lines */
        } else if (st != MTP_END) {
            st = mtp_error_set(c->v.err, st, "%s", mtp_reader_error(r));
        }
    }
    mtp_reader_close(r);
    return st == MTP_END ? MTP_OK : st;
}

/* dev and test files first (the key set), then the train files. */
static mtp_status scan_splits(leak_check *c)
{
    mtp_status st = MTP_OK;
    for (int train = 0; train < 2 && st == MTP_OK; train++) {
        for (size_t i = 0; i < c->v.count && st == MTP_OK; i++) {
            const int split = text_split(c->v.names[i]);
            if (split >= 0 && (split == MTP_SPLIT_TRAIN) == train) {
                st = scan_text_file(c, c->v.names[i], train);
            }
        }
    }
    return st;
}

mtp_status mtp_corpus_check_leaks(const char *dir, size_t mem_bytes, FILE *report, mtp_error *err)
{
    leak_check c;
    memset(&c, 0, sizeof c);
    c.v.dir = dir;
    c.v.report = report;
    c.v.err = err;
    c.mem_bytes = mem_bytes;
    err->message[0] = '\0';
    json_t *root = NULL;
    mtp_status st = load_manifest(&c.v, &root);
    if (st == MTP_OK) {
        st = collect_names(&c.v);
    }
    if (st == MTP_OK) {
        st = mtp_keyset_init(&c.heldout, mem_bytes);
        st = st == MTP_OK ? scan_splits(&c) : mtp_error_set(err, st, "cannot make the key set");
    }
    if (st == MTP_OK && c.leaks == 0 && report != NULL) {
        fprintf(report, "OK no train line shares a key with dev or test (%llu train lines)\n",
                (unsigned long long)c.train_lines);
    }
    mtp_keyset_release(&c.heldout);
    mtp_key_scratch_release(&c.scratch);
    mtp_free(c.v.names);
    mtp_free(c.v.lines);
    json_decref(root);
    return st == MTP_OK ? c.v.first : st;
}
