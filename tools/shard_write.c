/* mtprep task write RUN K and mtprep task assemble RUN 0: the dedup
 * decisions applied per shard, then the corpus written in one pass.
 *
 * write K streams RUN/map/shard-KKKKK.rec.zst. A record whose ordinal is
 * in the shard's drop set (the union of its entries in every
 * RUN/drop/part-PPP.drop) is a duplicate: counted "in" and
 * "dropped.duplicate_exact" or "dropped.duplicate_loose" as the recipe's
 * key says. Every other record goes through a dedup stage made from the
 * recipe exactly as build makes it: a key it cannot compute meets dedup's
 * own policy, counter and message, and the rest (each one the first of its
 * key in the whole input, so unique in the shard) pass to
 * RUN/out/shard-KKKKK.rec.zst. The counts go to RUN/out/shard-KKKKK.dedup.json.
 *
 * assemble makes the write stage from the recipe exactly as build does,
 * with the upstream counts (ingest, plus the planned files_ignored;
 * normalize; segment; filter; dedup) each merged over the shards in shard
 * order, and feeds it RUN/out/shard-00000.rec.zst, shard-00001, ... in
 * order: the corpus directory is then byte for byte the one `mtprep build`
 * writes.
 *
 * Memory: write holds the shard's duplicate ordinals (8 bytes each) and the
 * dedup stage's keys of its survivors (its own --mem bound); assemble is
 * the write stage's bound plus one record reader.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "build.h"
#include "shard.h"

#define WRITE_ZSTD_LEVEL 1
#define RECORD_MAX_BYTES ((size_t)1 << 30) /* our own files: any record a stage emitted */

/* ==== shared ============================================================= */

static int load_recipe(shard_task *t, mtp_recipe **recipe, build **b)
{
    mtp_error err = {{0}};
    const char *text = t->plan.recipe_text;
    if (mtp_recipe_parse(t->plan.recipe_path, text, strlen(text), recipe, &err) != MTP_OK) {
        cli_error("task", "%s", err.message);
        return CLI_EXIT_FAILURE;
    }
    return build_mono_load(t->plan.recipe_path, *recipe, t->plan.output, b);
}

static uint64_t file_bytes(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 ? (uint64_t)sb.st_size : 0;
}

/* Feeds every record of a record file to `stage` (which emits to sink). */
static int feed_file(const char *path, mtp_stage *stage, const mtp_sink *sink,
                     const uint64_t *drops, size_t drop_count, uint64_t *dropped)
{
    mtp_reader *r = NULL;
    mtp_error err = {{0}};
    mtp_counts bad;
    mtp_counts_init(&bad, "task");
    mtp_status st = mtp_reader_open(path, NULL, RECORD_MAX_BYTES, &r, &err);
    mtp_record rec;
    size_t next_drop = 0;
    for (uint64_t ordinal = 0; st == MTP_OK; ordinal++) {
        st = mtp_reader_next_record(r, MTP_ON_ERROR_FAIL, &bad, &rec, &err);
        if (st == MTP_OK && next_drop < drop_count && drops[next_drop] == ordinal) {
            next_drop++;
            continue;
        }
        st = st == MTP_OK ? mtp_stage_feed(stage, &rec, sink) : st;
        if (st != MTP_OK && st != MTP_END && err.message[0] == '\0') {
            mtp_error_set(&err, st, "%s", mtp_stage_error(stage));
        }
    }
    mtp_reader_close(r);
    *dropped = next_drop;
    if (st != MTP_END) {
        cli_error("task", "%s", err.message[0] ? err.message : mtp_status_str(st));
        return cli_exit_code(st);
    }
    return 0;
}

/* ==== write K ============================================================ */

static int compare_u64(const void *a, const void *b)
{
    const uint64_t x = *(const uint64_t *)a;
    const uint64_t y = *(const uint64_t *)b;
    return x < y ? -1 : (x > y);
}

/* The shard's duplicate ordinals over every partition, ascending. */
static int load_drops(const shard_task *t, unsigned rank, uint64_t **drops, size_t *count)
{
    size_t capacity = 0;
    int rc = 0;
    for (unsigned p = 0; p < t->plan.partitions && rc == 0; p++) {
        char path[SHARD_PATH_CAPACITY];
        rc = shard_path(path, "%s/drop/part-%03u.drop", t->run, p) != 0
                 ? CLI_EXIT_FAILURE
                 : shard_drops_load(path, rank, drops, count, &capacity);
    }
    if (rc == 0 && *count > 1) {
        qsort(*drops, *count, sizeof **drops, compare_u64);
    }
    return rc;
}

static mtp_status put_record(void *ctx, const mtp_record *rec)
{
    return mtp_writer_put_record(ctx, rec);
}

/* Opens RUN/out/shard-K.rec.zst for writing; names it in output->path. */
static int open_shard_output(const shard_task *t, unsigned rank, shard_output *output,
                             mtp_writer **w)
{
    char path[SHARD_PATH_CAPACITY], err[MTP_ERROR_CAPACITY] = "";
    const mtp_writer_options opts = {WRITE_ZSTD_LEVEL, 0};
    snprintf(output->path, sizeof output->path, "out/shard-%05u.rec.zst", rank);
    if (shard_path(path, "%s/%s", t->run, output->path) != 0 ||
        mtp_writer_open(path, &opts, w, err, sizeof err) != MTP_OK) {
        cli_error("task", "%s", err[0] ? err : "path too long");
        return CLI_EXIT_FAILURE;
    }
    return 0;
}

/* Runs the records through dedup into out/shard-K.rec.zst; counts the drops. */
static int dedup_shard(shard_task *t, unsigned rank, mtp_stage *dedup, const char *drop_counter,
                       shard_output *outputs)
{
    uint64_t *drops = NULL;
    size_t drop_count = 0;
    mtp_writer *w = NULL;
    char in[SHARD_PATH_CAPACITY];
    int rc = load_drops(t, rank, &drops, &drop_count);
    rc = rc == 0 ? open_shard_output(t, rank, &outputs[0], &w) : rc;
    if (rc == 0 && shard_path(in, "%s/map/shard-%05u.rec.zst", t->run, rank) != 0) {
        rc = CLI_EXIT_FAILURE;
    }
    const mtp_sink sink = {put_record, w};
    uint64_t dropped = 0;
    rc = rc == 0 ? feed_file(in, dedup, &sink, drops, drop_count, &dropped) : rc;
    if (rc == 0 && mtp_stage_finish(dedup, &sink) != MTP_OK) {
        cli_error("task", "%s", mtp_stage_error(dedup));
        rc = CLI_EXIT_FAILURE;
    }
    if (rc == 0 && mtp_writer_commit(w) != MTP_OK) {
        cli_error("task", "%s", mtp_writer_error(w));
        rc = CLI_EXIT_FAILURE;
    }
    outputs[0].bytes = w != NULL ? mtp_writer_file_bytes(w) : 0;
    mtp_counts_add(mtp_stage_counts_mut(dedup), "in", dropped);
    if (dropped > 0) {
        mtp_counts_add(mtp_stage_counts_mut(dedup), drop_counter, dropped);
    }
    mtp_writer_free(w);
    mtp_free(drops);
    return rc;
}

static int save_dedup_counts(shard_task *t, unsigned rank, const mtp_counts *counts,
                             shard_output *o)
{
    char path[SHARD_PATH_CAPACITY];
    snprintf(o->path, sizeof o->path, "out/shard-%05u.dedup.json", rank);
    if (shard_path(path, "%s/%s", t->run, o->path) != 0 ||
        mtp_counts_save_json(counts, path) != MTP_OK) {
        cli_error("task", "%s/%s: cannot write", t->run, o->path);
        return CLI_EXIT_FAILURE;
    }
    o->bytes = file_bytes(path);
    return 0;
}

int shard_task_write(shard_task *t, unsigned rank)
{
    mtp_recipe *recipe = NULL;
    build *b = NULL;
    shard_output outputs[2];
    memset(outputs, 0, sizeof outputs);
    char dir[SHARD_PATH_CAPACITY];
    int rc = shard_require_done(&t->plan, t->run, 1, "write");
    rc = rc == 0 ? load_recipe(t, &recipe, &b) : rc;
    rc = rc == 0 ? build_mono_make(b, 0, BUILD_DEDUP, BUILD_DEDUP + 1) : rc;
    if (rc == 0 && (shard_path(dir, "%s/out", t->run) != 0 || shard_mkdirs(dir) != 0)) {
        cli_error("task", "%s/out: cannot create: %s", t->run, strerror(errno));
        rc = CLI_EXIT_FAILURE;
    }
    mtp_stage *dedup = rc == 0 ? build_mono_stage(b, BUILD_DEDUP) : NULL;
    const char *counter = rc == 0 && build_mono_dedup_options(b)->key == MTP_DEDUP_LOOSE
                              ? "dropped.duplicate_loose"
                              : "dropped.duplicate_exact";
    rc = rc == 0 ? dedup_shard(t, rank, dedup, counter, outputs) : rc;
    rc = rc == 0 ? save_dedup_counts(t, rank, mtp_stage_counts(dedup), &outputs[1]) : rc;
    if (rc == 0) {
        const mtp_counts *c = mtp_stage_counts(dedup);
        rc = shard_marker_write(t, 2, rank, outputs, 2, mtp_counts_get(c, "in"),
                                mtp_counts_get(c, "out"));
    }
    build_mono_release(b);
    mtp_recipe_free(recipe);
    return rc;
}

/* ==== assemble =========================================================== */

/* Merges RUN/DIR/shard-*.STAGE.json over the shards, in shard order, into *dst. */
static int merge_counts(const shard_task *t, const char *dir, const char *stage, mtp_counts *dst)
{
    mtp_counts_init(dst, stage);
    for (unsigned k = 0; k < t->plan.shards; k++) {
        char path[SHARD_PATH_CAPACITY];
        static mtp_counts one; /* large */
        if (shard_path(path, "%s/%s/shard-%05u.%s.json", t->run, dir, k, stage) != 0 ||
            mtp_counts_load_json(&one, path) != MTP_OK) {
            cli_error("task", "%s/%s/shard-%05u.%s.json: cannot read", t->run, dir, k, stage);
            return CLI_EXIT_FAILURE;
        }
        mtp_counts_merge(dst, &one);
    }
    return 0;
}

/* build's upstream counts: ingest, normalize, segment, filter, dedup. */
static int fill_upstream(const shard_task *t, mtp_counts *up)
{
    static const char *const stages[BUILD_STAGES] = {"ingest", "normalize", "segment", "filter",
                                                     "dedup"};
    int rc = 0;
    for (int i = 0; i < BUILD_STAGES && rc == 0; i++) {
        rc = merge_counts(t, i == BUILD_STAGES - 1 ? "out" : "map", stages[i], &up[i]);
    }
    if (rc == 0 && t->plan.files_ignored > 0) {
        mtp_counts_add(&up[0], "files_ignored", t->plan.files_ignored);
    }
    return rc;
}

static int feed_shards(const shard_task *t, mtp_stage *write)
{
    int rc = 0;
    for (unsigned k = 0; k < t->plan.shards && rc == 0; k++) {
        char path[SHARD_PATH_CAPACITY];
        uint64_t none = 0;
        rc = shard_path(path, "%s/out/shard-%05u.rec.zst", t->run, k) != 0
                 ? CLI_EXIT_FAILURE
                 : feed_file(path, write, NULL, NULL, 0, &none);
    }
    if (rc == 0 && mtp_stage_finish(write, NULL) != MTP_OK) {
        cli_error("task", "%s", mtp_stage_error(write));
        rc = CLI_EXIT_FAILURE;
    }
    return rc;
}

static void print_summaries(const shard_task *t, const mtp_counts *up, mtp_stage *write)
{
    if (t->quiet) {
        return;
    }
    for (int i = 0; i < BUILD_STAGES; i++) {
        mtp_counts_print_summary(&up[i], stderr);
    }
    mtp_counts_print_summary(mtp_stage_counts(write), stderr);
    fprintf(stderr, "mtprep task: corpus written to %s\n", t->plan.output);
}

int shard_task_assemble(shard_task *t)
{
    mtp_recipe *recipe = NULL;
    build *b = NULL;
    int rc = shard_require_done(&t->plan, t->run, 2, "assemble");
    rc = rc == 0 ? load_recipe(t, &recipe, &b) : rc;
    rc = rc == 0 ? fill_upstream(t, build_mono_upstream(b)) : rc;
    rc = rc == 0 ? build_make_parents(build_mono_output(b)) : rc;
    rc = rc == 0 ? build_mono_make(b, 0, BUILD_WRITE, BUILD_WRITE + 1) : rc;
    mtp_stage *write = rc == 0 ? build_mono_stage(b, BUILD_WRITE) : NULL;
    rc = rc == 0 ? feed_shards(t, write) : rc;
    if (rc == 0) {
        print_summaries(t, build_mono_upstream(b), write);
        shard_output out; /* the manifest, written last of the corpus files */
        snprintf(out.path, sizeof out.path, "%s/MANIFEST.json", t->plan.output);
        out.bytes = file_bytes(out.path);
        const mtp_counts *c = mtp_stage_counts(write);
        rc =
            shard_marker_write(t, 3, 0, &out, 1, mtp_counts_get(c, "in"), mtp_counts_get(c, "out"));
    }
    build_mono_release(b);
    mtp_recipe_free(recipe);
    return rc;
}
