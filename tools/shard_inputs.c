/* mtprep plan: the inputs of a recipe, listed exactly as ingest walks them,
 * hashed, and cut into pieces and shards balanced by bytes.
 *
 * Listing: each input in recipe order; a directory is walked recursively in
 * byte order of names, hidden entries skipped, and only names ingest reads
 * (.txt or .jsonl, optionally .zst or .gz) are kept; the others are counted
 * as ingest counts them ("files_ignored").
 *
 * Cutting: the files, end to end, are total bytes; shard k starts at the
 * cut nearest after k * total / N. Inside an uncompressed file named
 * *.jsonl (checked by magic bytes, as the reader decides) a cut moves to the
 * next line start, so the file spreads over shards in whole lines; in any
 * other file it moves to the nearer end of the file. A piece belongs to the
 * shard whose range holds its first byte (an empty file: the later one), so
 * shards are contiguous runs of pieces in input order and may be empty.
 *
 * An aligned recipe's sides are listed and cut apart, each into N shards
 * balanced by its own bytes; shard_plan_add_target then regroups the
 * pieces shard by shard (source pieces, then target pieces), so each side's
 * pieces of shards 0..N-1 are still that side's whole input in order.
 *
 * Memory: the file list and the pieces (O(files + shards)), one directory
 * listing per level of the walk, and a 1 MiB read buffer.
 */
#include <dirent.h>
#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "shard.h"

#define READ_CHUNK (1u << 20)

/* A cut between shards: a global byte offset; inside a file, the line there. */
typedef struct cut {
    uint64_t at;
    uint64_t line; /* 1-based line at `at` when inside a file, else 0 */
} cut;

/* ==== listing ============================================================ */

static int has_suffix(const char *name, const char *suffix)
{
    const size_t n = strlen(name);
    const size_t k = strlen(suffix);
    return n >= k && strcmp(name + n - k, suffix) == 0;
}

/* The names a directory walk reads (ingest.c's mode_from_name). */
static int is_ingest_name(const char *name)
{
    static const char *const suffixes[] = {".jsonl", ".jsonl.zst", ".jsonl.gz",
                                           ".txt",   ".txt.zst",   ".txt.gz"};
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        if (has_suffix(name, suffixes[i])) {
            return 1;
        }
    }
    return 0;
}

static int add_file(shard_plan *plan, const char *path, const char *root, uint64_t bytes)
{
    shard_file *grown = mtp_realloc(plan->files, (plan->file_count + 1) * sizeof *grown);
    if (grown == NULL) {
        cli_error("plan", "out of memory");
        return CLI_EXIT_INTERNAL;
    }
    plan->files = grown;
    shard_file *f = &plan->files[plan->file_count++];
    memset(f, 0, sizeof *f);
    f->path = mtp_strndup(path, strlen(path));
    f->root = root != NULL ? mtp_strndup(root, strlen(root)) : NULL;
    f->bytes = bytes;
    if (f->path == NULL || (root != NULL && f->root == NULL)) {
        cli_error("plan", "out of memory");
        return CLI_EXIT_INTERNAL;
    }
    return 0;
}

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

/* Appends a copy of name to *names (n entries, *capacity slots). 0 or -1. */
static int push_name(char ***names, size_t n, size_t *capacity, const char *name)
{
    if (n == *capacity) {
        const size_t grown_capacity = *capacity ? *capacity * 2 : 32;
        char **grown = mtp_realloc(*names, grown_capacity * sizeof *grown);
        if (grown == NULL) {
            return -1;
        }
        *names = grown;
        *capacity = grown_capacity;
    }
    (*names)[n] = mtp_strndup(name, strlen(name));
    return (*names)[n] != NULL ? 0 : -1;
}

/* The non-hidden entries of dir, byte-sorted, in *names (NULL when none).
 * Returns 0 or an exit code (message printed). */
static int list_dir(const char *dir, char ***names, size_t *count)
{
    *names = NULL;
    *count = 0;
    DIR *d = opendir(dir);
    if (d == NULL) {
        cli_error("plan", "%s: cannot read (%s); a plan needs every input readable", dir,
                  strerror(errno));
        return CLI_EXIT_FAILURE;
    }
    size_t capacity = 0;
    int failed = 0;
    const struct dirent *e = NULL;
    while (!failed && (e = readdir(d)) != NULL) {
        if (e->d_name[0] != '.') {
            failed = push_name(names, *count, &capacity, e->d_name);
            *count += !failed;
        }
    }
    closedir(d);
    if (failed) {
        cli_error("plan", "%s: out of memory", dir);
        return CLI_EXIT_INTERNAL;
    }
    if (*count > 1) {
        qsort(*names, *count, sizeof **names, compare_names);
    }
    return 0;
}

static int walk_dir(shard_plan *plan, const char *root, const char *rel);

/* One entry of a walk: a directory, a file ingest reads, or an ignored name. */
static int walk_entry(shard_plan *plan, const char *root, const char *rel)
{
    char path[SHARD_PATH_CAPACITY];
    struct stat sb;
    if (shard_path(path, "%s/%s", root, rel) != 0 || stat(path, &sb) != 0) {
        cli_error("plan", "%s/%s: cannot read (%s); a plan needs every input readable", root, rel,
                  strerror(errno));
        return CLI_EXIT_FAILURE;
    }
    if (S_ISDIR(sb.st_mode)) {
        return walk_dir(plan, root, rel);
    }
    if (!is_ingest_name(rel)) {
        plan->files_ignored++;
        return 0;
    }
    return add_file(plan, path, root, (uint64_t)sb.st_size);
}

static int walk_dir(shard_plan *plan, const char *root, const char *rel)
{
    char dir[SHARD_PATH_CAPACITY];
    const int n = rel[0] ? shard_path(dir, "%s/%s", root, rel) : shard_path(dir, "%s", root);
    size_t count = 0;
    char **names = NULL;
    if (n != 0) {
        cli_error("plan", "%s/%s: path too long", root, rel);
        return CLI_EXIT_FAILURE;
    }
    int rc = list_dir(dir, &names, &count);
    for (size_t i = 0; i < count && rc == 0; i++) {
        char child[SHARD_PATH_CAPACITY];
        rc = rel[0] ? shard_path(child, "%s/%s", rel, names[i]) : shard_path(child, "%s", names[i]);
        rc = rc == 0 ? walk_entry(plan, root, child) : CLI_EXIT_FAILURE;
    }
    free_names(names, count);
    return rc;
}

/* One recipe input: a directory (walked) or a file (read whatever its name). */
static int list_input(shard_plan *plan, const char *input)
{
    if (strcmp(input, "-") == 0) {
        return cli_usage_error("plan", "input '-' (stdin) cannot be sharded; name files");
    }
    struct stat sb;
    if (stat(input, &sb) != 0) {
        cli_error("plan", "%s: cannot read (%s); a plan needs every input readable", input,
                  strerror(errno));
        return CLI_EXIT_FAILURE;
    }
    if (!S_ISDIR(sb.st_mode)) {
        return add_file(plan, input, NULL, (uint64_t)sb.st_size);
    }
    char root[SHARD_PATH_CAPACITY];
    if (shard_path(root, "%s", input) != 0) {
        cli_error("plan", "%s: path too long", input);
        return CLI_EXIT_FAILURE;
    }
    size_t len = strlen(root);
    while (len > 1 && root[len - 1] == '/') {
        root[--len] = '\0'; /* as ingest: "dir/" and "dir" give the same doc_ids */
    }
    return walk_dir(plan, root, "");
}

/* ==== cuts =============================================================== */

/* k * total / n without overflow. */
static uint64_t target_of(uint64_t total, unsigned k, unsigned n)
{
    return (total / n) * k + (total % n) * k / n;
}

/* An uncompressed file named *.jsonl: its cuts may fall between lines. */
static int is_splittable(const shard_file *f, const unsigned char *head, size_t head_len)
{
    const int zstd =
        head_len >= 4 && head[0] == 0x28 && head[1] == 0xB5 && head[2] == 0x2F && head[3] == 0xFD;
    const int gzip = head_len >= 2 && head[0] == 0x1F && head[1] == 0x8B;
    return has_suffix(f->path, ".jsonl") && !zstd && !gzip;
}

/* State of one file's pass: its hash, and the cuts still to place in it. */
typedef struct file_pass {
    EVP_MD_CTX *md;
    cut *cuts;       /* all N - 1 cuts; those in this file get placed */
    size_t next_cut; /* first cut not placed yet */
    size_t cut_count;
    uint64_t start; /* global offset of the file's first byte */
    uint64_t lines; /* LF bytes seen so far in the file */
    int splittable;
} file_pass;

/* Places the pending cuts whose target is <= line start `at` (file offset). */
static void place_cuts_at(file_pass *p, uint64_t at, uint64_t size)
{
    while (p->next_cut < p->cut_count && p->cuts[p->next_cut].at <= p->start + at) {
        cut *c = &p->cuts[p->next_cut++];
        c->at = p->start + at;
        c->line = at < size ? p->lines + 1 : 0; /* at the end: a file boundary */
    }
}

/* Feeds one chunk at file offset `pos`: hash, and line starts for the cuts. */
static void scan_chunk(file_pass *p, const unsigned char *buf, size_t len, uint64_t pos,
                       uint64_t size)
{
    EVP_DigestUpdate(p->md, buf, len);
    if (!p->splittable) {
        return;
    }
    const unsigned char *s = buf;
    const unsigned char *end = buf + len;
    const unsigned char *lf = NULL;
    while ((lf = memchr(s, '\n', (size_t)(end - s))) != NULL) {
        p->lines++;
        place_cuts_at(p, pos + (uint64_t)(lf - buf) + 1, size);
        s = lf + 1;
    }
}

/* Places the cuts whose target lies in a whole (unsplittable) file: at the nearer end. */
static void place_whole_file_cuts(file_pass *p, uint64_t size)
{
    while (p->next_cut < p->cut_count && p->cuts[p->next_cut].at < p->start + size) {
        cut *c = &p->cuts[p->next_cut++];
        c->at = c->at - p->start < p->start + size - c->at ? p->start : p->start + size;
        c->line = 0;
    }
}

static int hex_digest(EVP_MD_CTX *md, char *hex)
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (EVP_DigestFinal_ex(md, digest, &n) != 1) {
        return -1;
    }
    for (unsigned i = 0; i < n; i++) {
        snprintf(hex + 2 * i, 3, "%02x", digest[i]);
    }
    return 0;
}

/* Reads one file: its SHA-256, and places the cuts that fall in it. */
static int pass_file(shard_file *f, file_pass *p, unsigned char *buf)
{
    FILE *in = fopen(f->path, "rb");
    if (in == NULL) {
        cli_error("plan", "%s: cannot read (%s); a plan needs every input readable", f->path,
                  strerror(errno));
        return CLI_EXIT_FAILURE;
    }
    uint64_t pos = 0;
    size_t n = 0;
    p->lines = 0;
    while (p->next_cut < p->cut_count && p->cuts[p->next_cut].at <= p->start) {
        p->cuts[p->next_cut++].at = p->start; /* at the file's start: a boundary */
    }
    EVP_DigestInit_ex(p->md, EVP_sha256(), NULL);
    while ((n = fread(buf, 1, READ_CHUNK, in)) > 0) {
        if (pos == 0) {
            p->splittable = is_splittable(f, buf, n);
        }
        scan_chunk(p, buf, n, pos, f->bytes);
        pos += n;
    }
    const int failed = ferror(in);
    fclose(in);
    if (failed || pos != f->bytes) {
        cli_error("plan",
                  "%s: cannot read (read error, or changed while read); a plan needs every input "
                  "readable",
                  f->path);
        return CLI_EXIT_FAILURE;
    }
    if (p->splittable) {
        place_cuts_at(p, f->bytes, f->bytes); /* targets after the last line start */
    }
    place_whole_file_cuts(p, f->bytes);
    return hex_digest(p->md, f->sha256) == 0 ? 0 : CLI_EXIT_INTERNAL;
}

/* Hashes every file and places the N - 1 cuts (their targets in cuts[].at). */
static int place_cuts(shard_plan *plan, cut *cuts, size_t cut_count)
{
    unsigned char *buf = mtp_malloc(READ_CHUNK);
    file_pass p = {EVP_MD_CTX_new(), cuts, 0, cut_count, 0, 0, 0};
    int rc = buf == NULL || p.md == NULL ? CLI_EXIT_INTERNAL : 0;
    for (size_t i = 0; i < plan->file_count && rc == 0; i++) {
        p.splittable = 0;
        rc = pass_file(&plan->files[i], &p, buf);
        p.start += plan->files[i].bytes;
    }
    EVP_MD_CTX_free(p.md);
    mtp_free(buf);
    return rc;
}

/* ==== pieces ============================================================= */

static int push_piece(shard_plan *plan, size_t file, uint64_t offset, uint64_t length,
                      uint64_t line)
{
    shard_piece *grown = mtp_realloc(plan->pieces, (plan->piece_count + 1) * sizeof *grown);
    if (grown == NULL) {
        cli_error("plan", "out of memory");
        return CLI_EXIT_INTERNAL;
    }
    plan->pieces = grown;
    const shard_piece piece = {file, offset, length, line};
    plan->pieces[plan->piece_count++] = piece;
    return 0;
}

/* Cuts file `i` (global start `start`) at the line cuts inside it. */
static int cut_file(shard_plan *plan, size_t i, uint64_t start, const cut *cuts, size_t n)
{
    const uint64_t size = plan->files[i].bytes;
    uint64_t offset = 0;
    uint64_t line = 1;
    for (size_t c = 0; c < n; c++) {
        const int inside =
            cuts[c].line > 0 && cuts[c].at > start + offset && cuts[c].at < start + size;
        if (inside) {
            const int rc = push_piece(plan, i, offset, cuts[c].at - start - offset, line);
            if (rc != 0) {
                return rc;
            }
            offset = cuts[c].at - start;
            line = cuts[c].line;
        }
    }
    return push_piece(plan, i, offset, size - offset, line);
}

/* shard_first: a piece's shard is the number of cuts at or before its first byte. */
static int assign_shards(shard_plan *plan, const cut *cuts, size_t n)
{
    plan->shard_first = mtp_calloc(plan->shards + 1u, sizeof *plan->shard_first);
    if (plan->shard_first == NULL) {
        cli_error("plan", "out of memory");
        return CLI_EXIT_INTERNAL;
    }
    uint64_t start = 0; /* global offset of the current file */
    size_t file = 0, passed = 0;
    for (size_t p = 0; p < plan->piece_count; p++) {
        while (file < plan->pieces[p].file) {
            start += plan->files[file++].bytes;
        }
        const uint64_t at = start + plan->pieces[p].offset;
        while (passed < n && cuts[passed].at <= at) {
            plan->shard_first[++passed] = p; /* shards up to `passed` end here */
        }
    }
    while (passed < plan->shards) {
        plan->shard_first[++passed] = plan->piece_count;
    }
    return 0;
}

int shard_plan_inputs(shard_plan *plan, const char *const *inputs, int input_count)
{
    int rc = 0;
    for (int i = 0; i < input_count && rc == 0; i++) {
        rc = list_input(plan, inputs[i]);
    }
    uint64_t total = 0;
    for (size_t i = 0; i < plan->file_count; i++) {
        total += plan->files[i].bytes;
    }
    const size_t n = plan->shards - 1u;
    cut *cuts = mtp_calloc(n + 1, sizeof *cuts);
    if (rc == 0 && cuts == NULL) {
        cli_error("plan", "out of memory");
        rc = CLI_EXIT_INTERNAL;
    }
    for (size_t k = 0; rc == 0 && k < n; k++) {
        cuts[k].at = target_of(total, (unsigned)k + 1, plan->shards);
    }
    rc = rc == 0 ? place_cuts(plan, cuts, n) : rc;
    uint64_t start = 0;
    for (size_t i = 0; i < plan->file_count && rc == 0; i++) {
        rc = cut_file(plan, i, start, cuts, n);
        start += plan->files[i].bytes;
    }
    rc = rc == 0 ? assign_shards(plan, cuts, n) : rc;
    mtp_free(cuts);
    return rc;
}

/* ==== the target side of an aligned plan ================================= */

/* plan's pieces followed by tgt's (file indexes moved past plan's files),
 * regrouped shard by shard. */
static int merge_pieces(shard_plan *plan, const shard_plan *tgt, size_t file_base)
{
    const size_t total = plan->piece_count + tgt->piece_count;
    shard_piece *pieces = mtp_calloc(total + 1, sizeof *pieces);
    if (pieces == NULL) {
        return -1;
    }
    size_t n = 0;
    for (unsigned k = 0; k < plan->shards; k++) {
        const size_t first = n;
        for (size_t i = plan->shard_first[k]; i < plan->shard_first[k + 1]; i++) {
            pieces[n++] = plan->pieces[i];
        }
        for (size_t i = tgt->shard_first[k]; i < tgt->shard_first[k + 1]; i++) {
            pieces[n] = tgt->pieces[i];
            pieces[n++].file += file_base;
        }
        plan->shard_first[k] = first;
    }
    plan->shard_first[plan->shards] = n;
    mtp_free(plan->pieces);
    plan->pieces = pieces;
    plan->piece_count = n;
    return 0;
}

int shard_plan_add_target(shard_plan *plan, shard_plan *tgt)
{
    const size_t base = plan->file_count;
    shard_file *files = mtp_realloc(plan->files, (base + tgt->file_count + 1) * sizeof *files);
    if (files == NULL || merge_pieces(plan, tgt, base) != 0) {
        plan->files = files != NULL ? files : plan->files;
        cli_error("plan", "out of memory");
        return CLI_EXIT_INTERNAL;
    }
    plan->files = files;
    for (size_t i = 0; i < tgt->file_count; i++) {
        files[base + i] = tgt->files[i];
        files[base + i].side = SHARD_SIDE_TGT;
    }
    plan->file_count = base + tgt->file_count;
    plan->tgt_files_ignored = tgt->files_ignored;
    tgt->file_count = 0; /* the strings moved to plan */
    shard_plan_release(tgt);
    return 0;
}
