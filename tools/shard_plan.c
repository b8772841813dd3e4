/* The run directory of a sharded run: RUN/plan.json, the completion
 * markers under RUN/done, and the path and directory helpers the tasks
 * share.
 *
 * plan.json is one JSON object: format, the mtprep/ICU/Unicode/zstd
 * versions, the recipe (path and text), the working directory, the output
 * directory, shards and partitions, the key hash and partition rule, the
 * inputs (path, root or null, bytes, sha256, side 0 source / 1 target),
 * files_ignored and tgt_files_ignored, aligned (a tgt-input recipe), and
 * the pieces (shard, input index, offset, length, line). Its plan_digest is the
 * SHA-256 of the same object without plan_digest, dumped with sorted keys
 * and no spaces: a task recomputes it, so an edited plan is refused.
 *
 * A marker RUN/done/STAGE/RRRRR is a small JSON object (stage, rank,
 * plan_digest, mtprep_version, outputs with bytes, records_in,
 * records_out), written to a temporary name (PATH.PID.tmp-mtprep, so two
 * copies of one rank never share one) and renamed, after every
 * output of the rank is in place: a rank with a marker is complete.
 *
 * Memory: the plan object while it is read or written (O(files + pieces)).
 */
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "build.h"
#include "mtprep/recipe.h"
#include "shard.h"

const char *const shard_stage_names[SHARD_STAGE_COUNT] = {"map", "align", "reduce", "write",
                                                          "assemble"};

/* ==== paths and directories ============================================== */

int shard_path(char *dst, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    const int n = vsnprintf(dst, SHARD_PATH_CAPACITY, fmt, ap);
    va_end(ap);
    return n >= 0 && n < SHARD_PATH_CAPACITY ? 0 : -1;
}

int shard_mkdirs(const char *dir)
{
    char path[SHARD_PATH_CAPACITY];
    if (shard_path(path, "%s", dir) != 0) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (char *p = path + 1; *p != '\0'; p++) {
        if (*p == '/' && p[-1] != '/') {
            *p = '\0';
            const int failed = mkdir(path, 0777) != 0 && errno != EEXIST;
            *p = '/';
            if (failed) {
                return -1;
            }
        }
    }
    return mkdir(path, 0777) != 0 && errno != EEXIST ? -1 : 0;
}

uint64_t shard_file_bytes(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 ? (uint64_t)sb.st_size : 0;
}

int shard_remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL) {
        return errno == ENOENT ? 0 : (errno == ENOTDIR ? unlink(dir) : -1);
    }
    int rc = 0;
    const struct dirent *e = NULL;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
            continue;
        }
        char child[SHARD_PATH_CAPACITY];
        rc = shard_path(child, "%s/%s", dir, e->d_name);
        rc = rc == 0 ? shard_remove_tree(child) : -1;
    }
    closedir(d);
    return rc == 0 ? rmdir(dir) : rc;
}

int shard_stage_index(const char *name)
{
    for (int i = 0; i < SHARD_STAGE_COUNT; i++) {
        if (strcmp(name, shard_stage_names[i]) == 0) {
            return i;
        }
    }
    return -1;
}

unsigned shard_stage_ranks(const shard_plan *plan, int stage)
{
    switch (stage) {
    case SHARD_MAP:
    case SHARD_WRITE:
        return plan->shards;
    case SHARD_REDUCE:
        return plan->partitions;
    case SHARD_ALIGN:
        return plan->aligned || plan->docs ? 1u : 0u;
    default:
        return 1;
    }
}

/* "NAME.PID.tmp-mtprep" of a process that is gone (or the older
 * "NAME.tmp-mtprep"): 1. A PID alive on this host: 0, it may be a copy of
 * the same task writing now. */
static int is_stale_name(const char *name, size_t prefix_len)
{
    const size_t n = strlen(name);
    const size_t k = strlen(MTP_TEMP_SUFFIX);
    if (n < prefix_len + k || strcmp(name + n - k, MTP_TEMP_SUFFIX) != 0) {
        return 0;
    }
    const char *dot = name + n - k;
    const char *digits = dot;
    while (digits > name + prefix_len && digits[-1] >= '0' && digits[-1] <= '9') {
        digits--;
    }
    if (digits == dot || digits[-1] != '.') {
        return 1; /* no PID */
    }
    const long pid = strtol(digits, NULL, 10);
    return pid <= 0 || (kill((pid_t)pid, 0) != 0 && errno == ESRCH);
}

void shard_remove_stale(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    if (d == NULL) {
        return;
    }
    const size_t prefix_len = strlen(prefix);
    const struct dirent *e = NULL;
    while ((e = readdir(d)) != NULL) {
        char path[SHARD_PATH_CAPACITY];
        if (strncmp(e->d_name, prefix, prefix_len) == 0 && is_stale_name(e->d_name, prefix_len) &&
            shard_path(path, "%s/%s", dir, e->d_name) == 0) {
            unlink(path);
        }
    }
    closedir(d);
}

/* ==== plan.json ========================================================== */

static json_t *json_u64(uint64_t v)
{
    return json_integer((json_int_t)v);
}

static json_t *file_json(const shard_file *f)
{
    return json_pack("{s:s, s:o, s:o, s:s, s:i}", "path", f->path, "root",
                     f->root != NULL ? json_string(f->root) : json_null(), "bytes",
                     json_u64(f->bytes), "sha256", f->sha256, "side", f->side);
}

static json_t *pieces_json(const shard_plan *plan)
{
    json_t *a = json_array();
    for (unsigned k = 0; a != NULL && k < plan->shards; k++) {
        for (size_t i = plan->shard_first[k]; i < plan->shard_first[k + 1]; i++) {
            const shard_piece *p = &plan->pieces[i];
            json_t *o = json_pack("{s:I, s:I, s:o, s:o, s:o}", "shard", (json_int_t)k, "input",
                                  (json_int_t)p->file, "offset", json_u64(p->offset), "length",
                                  json_u64(p->length), "line", json_u64(p->first_line));
            if (o == NULL || json_array_append_new(a, o) != 0) {
                json_decref(a);
                return NULL;
            }
        }
    }
    return a;
}

static json_t *files_json(const shard_plan *plan)
{
    json_t *a = json_array();
    for (size_t i = 0; a != NULL && i < plan->file_count; i++) {
        json_t *o = file_json(&plan->files[i]);
        if (o == NULL || json_array_append_new(a, o) != 0) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

/* The plan as JSON, without its digest. */
static json_t *plan_json(const shard_plan *plan)
{
    json_t *versions =
        json_pack("{s:s, s:s, s:s, s:s}", "mtprep", mtp_version(), "icu", mtp_icu_version(),
                  "unicode", mtp_unicode_version(), "zstd", mtp_zstd_version());
    json_t *o = json_pack(
        "{s:s, s:o, s:s, s:s, s:s, s:s, s:I, s:I, s:s, s:s, s:o, s:o, s:o, s:b, s:o}", "format",
        SHARD_PLAN_FORMAT, "versions", versions, "recipe_path", plan->recipe_path, "recipe_text",
        plan->recipe_text, "workdir", plan->workdir, "output", plan->output, "shards",
        (json_int_t)plan->shards, "partitions", (json_int_t)plan->partitions, "key_hash",
        "XXH3-64 seed 0 (dedup key)", "partition_rule", "(key * partitions) >> 64", "files_ignored",
        json_u64(plan->files_ignored), "inputs", files_json(plan), "pieces", pieces_json(plan),
        "aligned", plan->aligned, "tgt_files_ignored", json_u64(plan->tgt_files_ignored));
    return o;
}

static int sha256_hex(const char *data, size_t len, char *hex)
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (EVP_Digest(data, len, digest, &n, EVP_sha256(), NULL) != 1) {
        return -1;
    }
    for (unsigned i = 0; i < n; i++) {
        snprintf(hex + 2 * i, 3, "%02x", digest[i]);
    }
    return 0;
}

/* SHA-256 of the canonical dump of `o` (sorted keys, compact). */
static int digest_of(json_t *o, char *hex)
{
    char *text = o != NULL ? json_dumps(o, JSON_SORT_KEYS | JSON_COMPACT) : NULL;
    const int rc = text != NULL ? sha256_hex(text, strlen(text), hex) : -1;
    mtp_free(text);
    return rc;
}

int shard_plan_digest(shard_plan *plan)
{
    json_t *o = plan_json(plan);
    const int rc = digest_of(o, plan->digest);
    json_decref(o);
    if (rc != 0) {
        cli_error("plan", "out of memory");
        return CLI_EXIT_INTERNAL;
    }
    return 0;
}

/* Dumps `o` to path through a temporary name in the same directory. */
static int dump_renamed(json_t *o, const char *path, size_t flags)
{
    char tmp[SHARD_PATH_CAPACITY];
    if (mtp_temp_name(path, tmp, sizeof tmp) != 0 || json_dump_file(o, tmp, flags) != 0) {
        remove(tmp);
        return -1;
    }
    if (rename(tmp, path) != 0) {
        remove(tmp);
        return -1;
    }
    return 0;
}

int shard_plan_save(const shard_plan *plan, const char *run)
{
    char path[SHARD_PATH_CAPACITY];
    json_t *o = plan_json(plan);
    int rc = o != NULL && json_object_set_new(o, "plan_digest", json_string(plan->digest)) == 0
                 ? 0
                 : CLI_EXIT_INTERNAL;
    if (rc == 0 && (shard_path(path, "%s/plan.json", run) != 0 ||
                    dump_renamed(o, path, JSON_SORT_KEYS | JSON_INDENT(2)) != 0)) {
        cli_error("plan", "%s/plan.json: cannot write: %s", run, strerror(errno));
        rc = CLI_EXIT_FAILURE;
    }
    json_decref(o);
    return rc;
}

/* ---- reading it back ----------------------------------------------------- */

static char *dup_string(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s != NULL ? mtp_strndup(s, strlen(s)) : NULL;
}

static uint64_t get_u64(json_t *o, const char *key, int *bad)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_integer(v) || json_integer_value(v) < 0) {
        *bad = 1;
        return 0;
    }
    return (uint64_t)json_integer_value(v);
}

static int load_files(shard_plan *plan, json_t *a)
{
    plan->file_count = json_array_size(a);
    plan->files = mtp_calloc(plan->file_count + 1, sizeof *plan->files);
    int bad = plan->files == NULL || !json_is_array(a);
    for (size_t i = 0; !bad && i < plan->file_count; i++) {
        json_t *f = json_array_get(a, i);
        shard_file *d = &plan->files[i];
        d->path = dup_string(f, "path");
        d->root = json_is_null(json_object_get(f, "root")) ? NULL : dup_string(f, "root");
        d->bytes = get_u64(f, "bytes", &bad);
        d->side = (int)get_u64(f, "side", &bad);
        bad |= d->side != SHARD_SIDE_SRC && d->side != SHARD_SIDE_TGT;
        const char *sha = json_string_value(json_object_get(f, "sha256"));
        bad |= d->path == NULL || sha == NULL || strlen(sha) >= SHARD_DIGEST_CAPACITY;
        bad |= !json_is_null(json_object_get(f, "root")) && d->root == NULL;
        if (!bad) {
            memcpy(d->sha256, sha, strlen(sha) + 1);
        }
    }
    return bad ? -1 : 0;
}

/* Pieces and shard_first; shard numbers must not decrease. */
static int load_pieces(shard_plan *plan, json_t *a)
{
    plan->piece_count = json_array_size(a);
    plan->pieces = mtp_calloc(plan->piece_count + 1, sizeof *plan->pieces);
    plan->shard_first = mtp_calloc(plan->shards + 1u, sizeof *plan->shard_first);
    int bad = plan->pieces == NULL || plan->shard_first == NULL || !json_is_array(a);
    uint64_t shard = 0;
    for (size_t i = 0; !bad && i < plan->piece_count; i++) {
        json_t *p = json_array_get(a, i);
        shard_piece *d = &plan->pieces[i];
        const uint64_t k = get_u64(p, "shard", &bad);
        d->file = (size_t)get_u64(p, "input", &bad);
        d->offset = get_u64(p, "offset", &bad);
        d->length = get_u64(p, "length", &bad);
        d->first_line = get_u64(p, "line", &bad);
        bad |= k < shard || k >= plan->shards || d->file >= plan->file_count;
        while (!bad && shard < k) {
            plan->shard_first[++shard] = i;
        }
    }
    while (!bad && shard < plan->shards) {
        plan->shard_first[++shard] = plan->piece_count;
    }
    return bad ? -1 : 0;
}

/* 1 when the plan's versions are this binary's: the same bytes come out. */
static int versions_match(json_t *v)
{
    const char *const keys[] = {"mtprep", "icu", "unicode", "zstd"};
    const char *const ours[] = {mtp_version(), mtp_icu_version(), mtp_unicode_version(),
                                mtp_zstd_version()};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const char *theirs = json_string_value(json_object_get(v, keys[i]));
        if (theirs == NULL || strcmp(theirs, ours[i]) != 0) {
            return 0;
        }
    }
    return 1;
}

int shard_recipe_has_docs(const char *recipe_path, const char *recipe_text)
{
    mtp_recipe *recipe = NULL;
    mtp_error err = {{0}};
    if (mtp_recipe_parse(recipe_path != NULL ? recipe_path : "recipe", recipe_text,
                         strlen(recipe_text), &recipe, &err) != MTP_OK) {
        return 0; /* the tasks report the recipe's error */
    }
    const int has = mtp_recipe_has_section(recipe, BUILD_DOCS_SECTION);
    mtp_recipe_free(recipe);
    return has;
}

static int load_fields(shard_plan *plan, json_t *o)
{
    int bad = 0;
    const char *format = json_string_value(json_object_get(o, "format"));
    if (format == NULL || strcmp(format, SHARD_PLAN_FORMAT) != 0) {
        return -1;
    }
    plan->recipe_path = dup_string(o, "recipe_path");
    plan->recipe_text = dup_string(o, "recipe_text");
    plan->workdir = dup_string(o, "workdir");
    plan->output = dup_string(o, "output");
    plan->shards = (unsigned)get_u64(o, "shards", &bad);
    plan->partitions = (unsigned)get_u64(o, "partitions", &bad);
    plan->files_ignored = get_u64(o, "files_ignored", &bad);
    plan->tgt_files_ignored = get_u64(o, "tgt_files_ignored", &bad);
    plan->aligned = json_is_true(json_object_get(o, "aligned"));
    bad |= !json_is_boolean(json_object_get(o, "aligned"));
    plan->docs = plan->recipe_text != NULL && !plan->aligned &&
                 shard_recipe_has_docs(plan->recipe_path, plan->recipe_text);
    plan->same_versions = versions_match(json_object_get(o, "versions"));
    bad |= plan->recipe_path == NULL || plan->recipe_text == NULL || plan->workdir == NULL ||
           plan->output == NULL;
    bad |= plan->shards < 1 || plan->shards > SHARD_MAX_SHARDS || plan->partitions < 1 ||
           plan->partitions > SHARD_MAX_PARTITIONS;
    if (bad || load_files(plan, json_object_get(o, "inputs")) != 0) {
        return -1;
    }
    return load_pieces(plan, json_object_get(o, "pieces"));
}

/* Checks plan_digest against the content, then removes it from `o`. */
static int check_digest(shard_plan *plan, json_t *o)
{
    const char *stored = json_string_value(json_object_get(o, "plan_digest"));
    if (stored == NULL || strlen(stored) >= SHARD_DIGEST_CAPACITY) {
        return -1;
    }
    memcpy(plan->digest, stored, strlen(stored) + 1);
    json_object_del(o, "plan_digest");
    char computed[SHARD_DIGEST_CAPACITY];
    return digest_of(o, computed) == 0 && strcmp(computed, plan->digest) == 0 ? 0 : -1;
}

int shard_plan_load(shard_plan *plan, const char *run, const char *cmd)
{
    memset(plan, 0, sizeof *plan);
    char path[SHARD_PATH_CAPACITY];
    if (shard_path(path, "%s/plan.json", run) != 0) {
        cli_error(cmd, "%s: path too long", run);
        return CLI_EXIT_FAILURE;
    }
    json_error_t jerr;
    json_t *o = json_load_file(path, 0, &jerr);
    if (o == NULL) {
        cli_error(cmd, "%s: %s (run 'mtprep plan --run %s RECIPE' first)", path, jerr.text, run);
        return CLI_EXIT_FAILURE;
    }
    int rc = check_digest(plan, o) == 0 && load_fields(plan, o) == 0 ? 0 : CLI_EXIT_FAILURE;
    json_decref(o);
    if (rc != 0) {
        cli_error(cmd, "%s: not a valid plan (edited or damaged); run mtprep plan --force", path);
        shard_plan_release(plan);
    }
    return rc;
}

void shard_plan_release(shard_plan *plan)
{
    for (size_t i = 0; plan->files != NULL && i < plan->file_count; i++) {
        mtp_free(plan->files[i].path);
        mtp_free(plan->files[i].root);
    }
    mtp_free(plan->files);
    mtp_free(plan->pieces);
    mtp_free(plan->shard_first);
    mtp_free(plan->recipe_path);
    mtp_free(plan->recipe_text);
    mtp_free(plan->workdir);
    mtp_free(plan->output);
    memset(plan, 0, sizeof *plan);
}

/* ==== markers ============================================================ */

static int marker_path(char *dst, const char *run, int stage, unsigned rank)
{
    return shard_path(dst, "%s/done/%s/%05u", run, shard_stage_names[stage], rank);
}

int shard_marker_done(const shard_plan *plan, const char *run, int stage, unsigned rank)
{
    char path[SHARD_PATH_CAPACITY];
    if (marker_path(path, run, stage, rank) != 0) {
        return 0;
    }
    json_t *o = json_load_file(path, 0, NULL);
    const char *digest = json_string_value(json_object_get(o, "plan_digest"));
    const int done = digest != NULL && strcmp(digest, plan->digest) == 0;
    json_decref(o);
    return done;
}

static json_t *outputs_json(const shard_output *outputs, size_t count)
{
    json_t *a = json_array();
    for (size_t i = 0; a != NULL && i < count; i++) {
        json_t *o =
            json_pack("{s:s, s:o}", "path", outputs[i].path, "bytes", json_u64(outputs[i].bytes));
        if (o == NULL || json_array_append_new(a, o) != 0) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

int shard_marker_write(const shard_task *t, int stage, unsigned rank, const shard_output *outputs,
                       size_t output_count, uint64_t records_in, uint64_t records_out)
{
    char dir[SHARD_PATH_CAPACITY];
    char path[SHARD_PATH_CAPACITY];
    const char *name = shard_stage_names[stage];
    json_t *o = json_pack("{s:s, s:I, s:s, s:s, s:o, s:o, s:o}", "stage", name, "rank",
                          (json_int_t)rank, "plan_digest", t->plan.digest, "mtprep_version",
                          mtp_version(), "outputs", outputs_json(outputs, output_count),
                          "records_in", json_u64(records_in), "records_out", json_u64(records_out));
    int rc = o != NULL ? 0 : CLI_EXIT_INTERNAL;
    if (rc == 0 && (shard_path(dir, "%s/done/%s", t->run, name) != 0 || shard_mkdirs(dir) != 0 ||
                    marker_path(path, t->run, stage, rank) != 0 ||
                    dump_renamed(o, path, JSON_SORT_KEYS | JSON_INDENT(2)) != 0)) {
        cli_error("task", "%s/done/%s/%05u: cannot write the marker: %s", t->run, name, rank,
                  strerror(errno));
        rc = CLI_EXIT_FAILURE;
    }
    json_decref(o);
    if (rc == 0 && !t->quiet) {
        fprintf(stderr, "mtprep task: %s %05u done: in %llu, out %llu\n", name, rank,
                (unsigned long long)records_in, (unsigned long long)records_out);
    }
    return rc;
}

int shard_require_done(const shard_plan *plan, const char *run, int stage, const char *needed_by)
{
    const unsigned ranks = shard_stage_ranks(plan, stage);
    char missing[512] = "";
    size_t used = 0, count = 0;
    for (unsigned r = 0; r < ranks; r++) {
        if (shard_marker_done(plan, run, stage, r)) {
            continue;
        }
        count++;
        if (used + 16 < sizeof missing) {
            used += (size_t)snprintf(missing + used, sizeof missing - used, " %u", r);
        } else if (used + 4 < sizeof missing && missing[used - 1] != '.') {
            used += (size_t)snprintf(missing + used, sizeof missing - used, " ...");
        }
    }
    if (count == 0) {
        return 0;
    }
    cli_error("task", "%s needs every %s task done first; %zu missing:%s", needed_by,
              shard_stage_names[stage], count, missing);
    return CLI_EXIT_FAILURE;
}
