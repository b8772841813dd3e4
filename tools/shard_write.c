/* mtprep task write RUN K and mtprep task assemble RUN 0: the dedup
 * decisions applied per shard, then the corpus written in one pass.
 *
 * write K streams RUN/map/shard-KKKKK.rec.zst (an aligned plan, or one with
 * [dedup_docs]: the align task's part RUN/align/shard-KKKKK.rec.zst). A record whose ordinal is
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
 * normalize; segment; filter; with [dedup_docs], the align task's
 * dedup_docs; dedup) each merged over the shards in shard
 * order, and feeds it RUN/out/shard-00000.rec.zst, shard-00001, ... in
 * order: the corpus directory is then byte for byte the one `mtprep build`
 * writes. For an aligned plan the write stage gets --tgt-lang as build
 * gives it, and the upstream counts are build_aligned's: ingest, normalize
 * and segment of each side (STAGE.LANG, summed over the map shards, each
 * side's planned files_ignored added), align and filter (the align task's),
 * with [dedup_docs] the align task's dedup_docs, and dedup.
 *
 * Memory: write holds the shard's duplicate ordinals (8 bytes each) and the
 * dedup stage's keys of its survivors (its own --mem bound); assemble is
 * the write stage's bound plus one record reader.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build.h"
#include "shard.h"

#define WRITE_ZSTD_LEVEL 1
#define RECORD_MAX_BYTES ((size_t)1 << 30) /* our own files: any record a stage emitted */

/* ==== shared ============================================================= */

/* The plan's recipe read as build reads it: one of the two chains. */
typedef struct chain {
    mtp_recipe *recipe;
    build *mono;    /* a monolingual plan */
    aligned *pairs; /* an aligned plan */
} chain;

static int load_recipe(shard_task *t, chain *c)
{
    mtp_error err = {{0}};
    const char *text = t->plan.recipe_text;
    if (mtp_recipe_parse(t->plan.recipe_path, text, strlen(text), &c->recipe, &err) != MTP_OK) {
        cli_error("task", "%s", err.message);
        return CLI_EXIT_FAILURE;
    }
    int rc = 0;
    if (t->plan.aligned) {
        rc = build_aligned_load(t->plan.recipe_path, c->recipe, t->plan.output, &c->pairs);
        if (rc == 0) {
            build_aligned_set_threads(c->pairs, t->threads);
        }
        return rc;
    }
    rc = build_mono_load(t->plan.recipe_path, c->recipe, t->plan.output, &c->mono);
    if (rc == 0) {
        build_mono_set_threads(c->mono, t->threads);
    }
    return rc;
}

/* Makes dedup (or write) from the recipe; returns it in *stage. */
static int make_tail_stage(chain *c, int write, mtp_stage **stage)
{
    int rc = 0;
    if (c->pairs != NULL) {
        const int t = write ? BUILD_TAIL_WRITE : BUILD_TAIL_DEDUP;
        rc = build_aligned_make_tail(c->pairs, 0, t, t + 1);
        *stage = rc == 0 ? build_aligned_tail(c->pairs, t) : NULL;
    } else {
        const int i = write ? BUILD_WRITE : BUILD_DEDUP;
        rc = build_mono_make(c->mono, 0, i, i + 1);
        *stage = rc == 0 ? build_mono_stage(c->mono, i) : NULL;
    }
    return rc;
}

static const mtp_dedup_options *dedup_options(const chain *c)
{
    return c->pairs != NULL ? build_aligned_dedup_options(c->pairs)
                            : build_mono_dedup_options(c->mono);
}

static void release_chain(chain *c)
{
    build_aligned_release(c->pairs);
    build_mono_release(c->mono);
    mtp_recipe_free(c->recipe);
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
    const mtp_writer_options opts = {WRITE_ZSTD_LEVEL, 0, 0};
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
    const char *from = t->plan.aligned || t->plan.docs ? "align" : "map";
    if (rc == 0 && shard_path(in, "%s/%s/shard-%05u.rec.zst", t->run, from, rank) != 0) {
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
    o->bytes = shard_file_bytes(path);
    return 0;
}

int shard_task_write(shard_task *t, unsigned rank)
{
    chain c = {NULL, NULL, NULL};
    mtp_stage *dedup = NULL;
    shard_output outputs[2];
    memset(outputs, 0, sizeof outputs);
    char dir[SHARD_PATH_CAPACITY];
    int rc = shard_require_done(&t->plan, t->run, SHARD_REDUCE, "write");
    rc = rc == 0 ? load_recipe(t, &c) : rc;
    rc = rc == 0 ? make_tail_stage(&c, 0, &dedup) : rc;
    if (rc == 0 && (shard_path(dir, "%s/out", t->run) != 0 || shard_mkdirs(dir) != 0)) {
        cli_error("task", "%s/out: cannot create: %s", t->run, strerror(errno));
        rc = CLI_EXIT_FAILURE;
    }
    const char *counter = rc == 0 && dedup_options(&c)->key == MTP_DEDUP_LOOSE
                              ? "dropped.duplicate_loose"
                              : "dropped.duplicate_exact";
    rc = rc == 0 ? dedup_shard(t, rank, dedup, counter, outputs) : rc;
    rc = rc == 0 ? save_dedup_counts(t, rank, mtp_stage_counts(dedup), &outputs[1]) : rc;
    if (rc == 0) {
        const mtp_counts *counts = mtp_stage_counts(dedup);
        rc = shard_marker_write(t, SHARD_WRITE, rank, outputs, 2, mtp_counts_get(counts, "in"),
                                mtp_counts_get(counts, "out"));
    }
    release_chain(&c);
    return rc;
}

/* ==== assemble =========================================================== */

/* Loads RUN/NAME (a counts file) and merges it into *dst. */
static int merge_file(const shard_task *t, const char *name, mtp_counts *dst)
{
    char path[SHARD_PATH_CAPACITY];
    static mtp_counts one; /* large */
    if (shard_path(path, "%s/%s", t->run, name) != 0 ||
        mtp_counts_load_json(&one, path) != MTP_OK) {
        cli_error("task", "%s/%s: cannot read", t->run, name);
        return CLI_EXIT_FAILURE;
    }
    mtp_counts_merge(dst, &one);
    return 0;
}

/* Merges RUN/DIR/shard-*.STAGE.json over the shards, in shard order, into
 * *dst, named STAGE. */
static int merge_counts(const shard_task *t, const char *dir, const char *stage, mtp_counts *dst)
{
    mtp_counts_init(dst, stage);
    int rc = 0;
    for (unsigned k = 0; k < t->plan.shards && rc == 0; k++) {
        char file[SHARD_PATH_CAPACITY];
        rc = shard_path(file, "%s/shard-%05u.%s.json", dir, k, stage) != 0
                 ? CLI_EXIT_FAILURE
                 : merge_file(t, file, dst);
    }
    return rc;
}

/* build's upstream counts: ingest, normalize, segment, filter, (dedup_docs,)
 * dedup. */
static int fill_upstream(const shard_task *t, mtp_counts *up)
{
    static const char *const stages[BUILD_STAGES] = {"ingest", "normalize", "segment", "filter",
                                                     "dedup"};
    int rc = 0;
    size_t n = 0;
    for (int i = 0; i < BUILD_STAGES && rc == 0; i++) {
        if (i == BUILD_STAGES - 1 && t->plan.docs) {
            mtp_counts_init(&up[n], "dedup_docs");
            rc = merge_file(t, "align/dedup_docs.json", &up[n++]);
        }
        rc = rc == 0 ? merge_counts(t, i == BUILD_STAGES - 1 ? "out" : "map", stages[i], &up[n++])
                     : rc;
    }
    if (rc == 0 && t->plan.files_ignored > 0) {
        mtp_counts_add(&up[0], "files_ignored", t->plan.files_ignored);
    }
    return rc;
}

/* build_aligned's: STAGE.LANG for both sides' fronts, align, filter, dedup. */
static int fill_upstream_aligned(const shard_task *t, aligned *a, mtp_counts *up)
{
    const uint64_t ignored[BUILD_SIDES] = {t->plan.files_ignored, t->plan.tgt_files_ignored};
    int rc = 0;
    size_t n = 0;
    for (int s = 0; s < BUILD_SIDES; s++) {
        for (int f = 0; f < BUILD_FRONTS && rc == 0; f++, n++) {
            char name[64];
            snprintf(name, sizeof name, "%s.%s", build_front_names[f], build_aligned_lang(a, s));
            rc = merge_counts(t, "map", name, &up[n]);
        }
        if (rc == 0 && ignored[s] > 0) {
            mtp_counts_add(&up[n - BUILD_FRONTS], "files_ignored", ignored[s]);
        }
    }
    mtp_counts_init(&up[n], "align");
    rc = rc == 0 ? merge_file(t, "align/align.json", &up[n++]) : rc;
    mtp_counts_init(&up[n], "filter");
    rc = rc == 0 ? merge_file(t, "align/filter.json", &up[n++]) : rc;
    if (rc == 0 && build_aligned_has_docs(a)) {
        mtp_counts_init(&up[n], "dedup_docs");
        rc = merge_file(t, "align/dedup_docs.json", &up[n++]);
    }
    return rc == 0 ? merge_counts(t, "out", "dedup", &up[n]) : rc;
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

static void print_summaries(const shard_task *t, const mtp_counts *up, size_t count,
                            mtp_stage *write)
{
    if (t->quiet) {
        return;
    }
    for (size_t i = 0; i < count; i++) {
        mtp_counts_print_summary(&up[i], stderr);
    }
    mtp_counts_print_summary(mtp_stage_counts(write), stderr);
    fprintf(stderr, "mtprep task: corpus written to %s\n", t->plan.output);
}

/* Upstream counts filled from the run; *up and *count name them. */
static int upstream_of(const shard_task *t, chain *c, mtp_counts **up, size_t *count)
{
    if (c->pairs != NULL) {
        *up = build_aligned_upstream(c->pairs);
        *count = BUILD_ALIGNED_UPSTREAM + (build_aligned_has_docs(c->pairs) ? 1 : 0);
        return fill_upstream_aligned(t, c->pairs, *up);
    }
    *up = build_mono_upstream(c->mono);
    *count = BUILD_STAGES + (t->plan.docs ? 1 : 0);
    return fill_upstream(t, *up);
}

int shard_task_assemble(shard_task *t)
{
    chain c = {NULL, NULL, NULL};
    mtp_counts *up = NULL;
    size_t up_count = 0;
    mtp_stage *write = NULL;
    int rc = shard_require_done(&t->plan, t->run, SHARD_WRITE, "assemble");
    rc = rc == 0 ? load_recipe(t, &c) : rc;
    rc = rc == 0 ? upstream_of(t, &c, &up, &up_count) : rc;
    rc = rc == 0 ? build_make_parents(t->plan.output) : rc;
    rc = rc == 0 ? make_tail_stage(&c, 1, &write) : rc;
    rc = rc == 0 ? feed_shards(t, write) : rc;
    if (rc == 0) {
        print_summaries(t, up, up_count, write);
        shard_output out; /* the manifest, written last of the corpus files */
        snprintf(out.path, sizeof out.path, "%s/MANIFEST.json", t->plan.output);
        out.bytes = shard_file_bytes(out.path);
        const mtp_counts *counts = mtp_stage_counts(write);
        rc = shard_marker_write(t, SHARD_ASSEMBLE, 0, &out, 1, mtp_counts_get(counts, "in"),
                                mtp_counts_get(counts, "out"));
    }
    release_chain(&c);
    return rc;
}
