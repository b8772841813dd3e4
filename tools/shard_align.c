/* The sharded run of an aligned recipe: mtprep task map RUN K (both sides'
 * front stages over shard K) and mtprep task align RUN 0 (the join).
 *
 * map K runs each side's ingest -> normalize -> segment, made from the
 * plan's recipe by build's own code (tools/build.h), over shard K's pieces
 * of that side, into RUN/map/shard-KKKKK.src.rec.zst and .tgt.rec.zst, and
 * saves the six stages' counts as RUN/map/shard-KKKKK.STAGE.LANG.json. Each
 * side's pieces are contiguous runs of its input, so a side's spools of
 * shards 0..N-1 concatenated are the spool `mtprep build` writes.
 *
 * align 0 reads every shard's source spool as one stream and every target
 * spool as another (zstd frames concatenate, so a reader over the shards'
 * files in order, mtp_reader_open_files, sees the spool build writes), and
 * runs align -> filter made from the recipe exactly as build does. Each surviving pair goes to
 * part K = the map shard its source document came from: a cursor walks the
 * source spools shard by shard, a document at a time, to the pair's doc_id.
 * align emits in source order, so parts only grow; should a doc_id not be
 * found ahead, the pair stays in the current part, which keeps the order.
 * Part K is RUN/align/shard-KKKKK.rec.zst, and its dedup keys go, with the
 * pair's ordinal in the part, to RUN/keys/part-PPP/shard-KKKKK.keys as a
 * monolingual map writes them (tools/shard_map.c), so reduce, write and
 * assemble work on parts as on shards. align and filter counts go to
 * RUN/align/align.json and filter.json. The align marker lists those two,
 * and the parts and their keys files as two globs with their total bytes
 * (a list of N x (P + 1) names would be as large as the run).
 *
 * With [dedup_docs], the filter's pairs go through dedup --docs (as build
 * runs it) before the parts, and its counts to RUN/align/dedup_docs.json.
 * A monolingual plan with [dedup_docs] has an align 0 too (shard_task_docs):
 * every shard's records (RUN/map/shard-KKKKK.rec.zst, in order, one stream)
 * go through dedup --docs made from the recipe as build makes it, and the
 * records it keeps go to the parts, with their keys, as the pairs above do;
 * its counts go to RUN/align/dedup_docs.json.
 *
 * Memory: map, the stages' own bounds. align: align's own bound (one
 * document pair and its join window), the filter's, one part's key tuples
 * (16 bytes per pair of the part), the cursor's doc_id, and the names of
 * the N shards' spools. Disk: align writes only its parts and keys.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "build.h"
#include "shard.h"

#define SPOOL_ZSTD_LEVEL 1
#define RECORD_MAX_BYTES ((size_t)1 << 30) /* our own files: any record a stage emitted */

static const char *const side_suffix[BUILD_SIDES] = {"src", "tgt"};

static int load_aligned(const shard_task *t, mtp_recipe **recipe, aligned **a)
{
    mtp_error err = {{0}};
    const char *text = t->plan.recipe_text;
    if (mtp_recipe_parse(t->plan.recipe_path, text, strlen(text), recipe, &err) != MTP_OK) {
        cli_error("task", "%s", err.message);
        return CLI_EXIT_FAILURE;
    }
    return build_aligned_load(t->plan.recipe_path, *recipe, t->plan.output, a);
}

/* ==== map K ============================================================== */

typedef struct side_feed {
    const shard_plan *plan;
    unsigned rank;
    int side;
} side_feed;

/* Feeds ingest the shard's pieces of one side, in input order. */
static mtp_status feed_pieces(void *ctx, mtp_ingest *ingest, const mtp_sink *sink)
{
    const side_feed *f = ctx;
    const shard_plan *plan = f->plan;
    mtp_status st = MTP_OK;
    for (size_t i = plan->shard_first[f->rank]; i < plan->shard_first[f->rank + 1]; i++) {
        const shard_piece *p = &plan->pieces[i];
        const shard_file *file = &plan->files[p->file];
        if (file->side != f->side) {
            continue;
        }
        const mtp_ingest_piece piece = {file->path, file->root,    p->offset,
                                        p->length,  p->first_line, p->offset == 0};
        st = mtp_ingest_range(ingest, &piece, sink);
        if (st != MTP_OK) {
            break;
        }
    }
    return st;
}

/* Runs one side into RUN/map/shard-K.SIDE.rec.zst; names it in *o. */
static int map_side(shard_task *t, aligned *a, unsigned rank, int side, shard_output *o)
{
    static const mtp_writer_options opts = {SPOOL_ZSTD_LEVEL, 0, 0};
    side_feed feed = {&t->plan, rank, side};
    char path[SHARD_PATH_CAPACITY];
    snprintf(o->path, sizeof o->path, "map/shard-%05u.%s.rec.zst", rank, side_suffix[side]);
    if (shard_path(path, "%s/%s", t->run, o->path) != 0) {
        cli_error("task", "%s: path too long", t->run);
        return CLI_EXIT_FAILURE;
    }
    int rc = build_aligned_make_side(a, side);
    rc = rc == 0 ? build_aligned_run_side(a, side, path, &opts, feed_pieces, &feed) : rc;
    o->bytes = shard_file_bytes(path);
    return rc;
}

/* RUN/map/shard-K.STAGE.LANG.json for both sides' three stages. */
static int save_front_counts(shard_task *t, aligned *a, unsigned rank, shard_output *outputs)
{
    for (int s = 0; s < BUILD_SIDES; s++) {
        for (int f = 0; f < BUILD_FRONTS; f++) {
            shard_output *o = &outputs[s * BUILD_FRONTS + f];
            char path[SHARD_PATH_CAPACITY];
            snprintf(o->path, sizeof o->path, "map/shard-%05u.%s.%s.json", rank,
                     build_front_names[f], build_aligned_lang(a, s));
            if (shard_path(path, "%s/%s", t->run, o->path) != 0 ||
                mtp_counts_save_json(build_aligned_front_counts(a, s, f), path) != MTP_OK) {
                cli_error("task", "%s/%s: cannot write", t->run, o->path);
                return CLI_EXIT_FAILURE;
            }
            o->bytes = shard_file_bytes(path);
        }
    }
    return 0;
}

/* Records read by both ingests (in) and written by both segments (out). */
static void front_totals(const aligned *a, uint64_t *in, uint64_t *out)
{
    *in = 0;
    *out = 0;
    for (int s = 0; s < BUILD_SIDES; s++) {
        *in += mtp_counts_get(build_aligned_front_counts(a, s, BUILD_FRONT_INGEST), "out");
        *out += mtp_counts_get(build_aligned_front_counts(a, s, BUILD_FRONT_SEGMENT), "out");
    }
}

int shard_task_map_aligned(shard_task *t, unsigned rank)
{
    mtp_recipe *recipe = NULL;
    aligned *a = NULL;
    shard_output outputs[BUILD_SIDES + BUILD_SIDES * BUILD_FRONTS];
    memset(outputs, 0, sizeof outputs);
    char dir[SHARD_PATH_CAPACITY];
    int rc = shard_check_sizes(&t->plan, rank);
    rc = rc == 0 ? load_aligned(t, &recipe, &a) : rc;
    if (rc == 0) {
        build_aligned_set_threads(a, t->threads); /* each side's normalize -> segment */
    }
    if (rc == 0 && (shard_path(dir, "%s/map", t->run) != 0 || shard_mkdirs(dir) != 0)) {
        cli_error("task", "%s/map: cannot create: %s", t->run, strerror(errno));
        rc = CLI_EXIT_FAILURE;
    }
    for (int s = 0; s < BUILD_SIDES && rc == 0; s++) {
        rc = map_side(t, a, rank, s, &outputs[s]);
    }
    rc = rc == 0 ? save_front_counts(t, a, rank, outputs + BUILD_SIDES) : rc;
    if (rc == 0) {
        uint64_t in = 0, out = 0;
        front_totals(a, &in, &out);
        rc = shard_marker_write(t, SHARD_MAP, rank, outputs, sizeof outputs / sizeof outputs[0], in,
                                out);
    }
    build_aligned_release(a);
    mtp_recipe_free(recipe);
    return rc;
}

/* ==== align 0: the spools as one stream ================================= */

/* A reader over every shard's map spool RUN/map/shard-K.NAME, in shard order. */
static mtp_status open_spools(const shard_task *t, const char *name, size_t max_line,
                              mtp_reader **out, mtp_error *err)
{
    const unsigned n = t->plan.shards;
    char **paths = mtp_calloc(n, sizeof *paths);
    char *names = mtp_malloc((size_t)n * SHARD_PATH_CAPACITY);
    mtp_status st = paths != NULL && names != NULL ? MTP_OK : MTP_ERR_NOMEM;
    for (unsigned k = 0; k < n && st == MTP_OK; k++) {
        paths[k] = names + (size_t)k * SHARD_PATH_CAPACITY;
        if (shard_path(paths[k], "%s/map/shard-%05u.%s", t->run, k, name) != 0) {
            st = mtp_error_set(err, MTP_ERR_IO, "%s: path too long", t->run);
        }
    }
    if (st == MTP_ERR_NOMEM) {
        mtp_error_set(err, st, "out of memory");
    }
    char display[SHARD_PATH_CAPACITY];
    if (st == MTP_OK &&
        shard_path(display, "%s/map/shard-*.%s", t->run, name) == 0) {
        st = mtp_reader_open_files((const char *const *)paths, n, display, max_line, out, err);
    }
    mtp_free(names);
    mtp_free(paths);
    return st;
}

/* ==== align 0: the run =================================================== */

typedef struct align_run {
    shard_task *t;
    const char *spool; /* the map spools' name: "src.rec.zst", or "rec.zst" (docs) */
    aligned *a;        /* an aligned plan */
    mtp_stage *filter;
    build *b;          /* a monolingual plan with [dedup_docs] */
    mtp_stage *docs;   /* dedup --docs, or NULL */
    mtp_sink to_filter, to_docs, to_part;
    const mtp_sink *after_filter; /* &to_docs with dedup --docs, else &to_part */
    /* the part being written */
    unsigned part;
    mtp_writer *out;
    shard_tuples tuples;
    uint64_t ordinal; /* pairs in the part so far */
    uint64_t pairs;   /* in every part (records, for dedup --docs) */
    uint64_t rec_bytes, key_bytes;
    mtp_dedup_key key_kind;
    mtp_dedup_side key_side;
    mtp_key_scratch scratch;
    /* the cursor over the source spools */
    mtp_reader *cursor;
    unsigned cursor_shard; /* the spool it reads; shards: done */
    char *doc;             /* the doc_id it stands on */
    size_t doc_len, doc_capacity;
    unsigned doc_shard;
    int has_doc;
    mtp_error error; /* the task's own failure */
} align_run;

/* ---- the cursor ---------------------------------------------------------- */

static mtp_status open_cursor(align_run *r)
{
    char path[SHARD_PATH_CAPACITY];
    mtp_reader_close(r->cursor);
    r->cursor = NULL;
    if (r->cursor_shard >= r->t->plan.shards) {
        return MTP_OK;
    }
    if (shard_path(path, "%s/map/shard-%05u.%s", r->t->run, r->cursor_shard, r->spool) != 0) {
        return mtp_error_set(&r->error, MTP_ERR_IO, "%s: path too long", r->t->run);
    }
    return mtp_reader_open(path, NULL, RECORD_MAX_BYTES, &r->cursor, &r->error);
}

static mtp_status take_doc(align_run *r, mtp_str id)
{
    if (id.len + 1 > r->doc_capacity) {
        char *grown = mtp_realloc(r->doc, id.len + 1);
        if (grown == NULL) {
            return mtp_error_set(&r->error, MTP_ERR_NOMEM, "out of memory");
        }
        r->doc = grown;
        r->doc_capacity = id.len + 1;
    }
    memcpy(r->doc, id.ptr, id.len);
    r->doc_len = id.len;
    r->doc_shard = r->cursor_shard;
    r->has_doc = 1;
    return MTP_OK;
}

/* One source record further; MTP_END when every spool is read. */
static mtp_status step_cursor(align_run *r)
{
    mtp_counts bad;
    mtp_counts_init(&bad, "task");
    mtp_record rec;
    while (r->cursor != NULL) {
        const mtp_status st =
            mtp_reader_next_record(r->cursor, MTP_ON_ERROR_FAIL, &bad, &rec, &r->error);
        if (st == MTP_OK) {
            const int same = r->has_doc && rec.doc_id.len == r->doc_len &&
                             memcmp(rec.doc_id.ptr, r->doc, r->doc_len) == 0;
            return same ? MTP_OK : take_doc(r, rec.doc_id);
        }
        if (st != MTP_END) {
            return st;
        }
        r->cursor_shard++;
        const mtp_status opened = open_cursor(r);
        if (opened != MTP_OK) {
            return opened;
        }
    }
    return MTP_END;
}

/* The part of a pair of document `id`: the shard of the next source
 * document so named, or the current part when there is none ahead. */
static mtp_status part_of(align_run *r, mtp_str id, unsigned *part)
{
    mtp_status st = MTP_OK;
    while (!(r->has_doc && id.len == r->doc_len && memcmp(id.ptr, r->doc, id.len) == 0)) {
        st = step_cursor(r);
        if (st != MTP_OK) {
            break;
        }
    }
    *part = st == MTP_OK ? r->doc_shard : r->part;
    return st == MTP_END ? MTP_OK : st;
}

/* ---- parts --------------------------------------------------------------- */

static mtp_status open_part(align_run *r)
{
    static const mtp_writer_options opts = {SPOOL_ZSTD_LEVEL, 0, 0};
    char path[SHARD_PATH_CAPACITY];
    r->ordinal = 0;
    r->tuples.count = 0;
    if (shard_path(path, "%s/align/shard-%05u.rec.zst", r->t->run, r->part) != 0) {
        return mtp_error_set(&r->error, MTP_ERR_IO, "%s: path too long", r->t->run);
    }
    return mtp_writer_open(path, &opts, &r->out, r->error.message, sizeof r->error.message);
}

/* One keys file per partition for the part (empty ones too). */
static mtp_status save_part_keys(align_run *r)
{
    uint64_t bytes = 0;
    if (shard_keys_save_partitions(r->t->run, r->part, r->t->plan.partitions, &r->tuples, NULL,
                                   &bytes) != 0) {
        return MTP_ERR_IO; /* message printed */
    }
    r->key_bytes += bytes;
    return MTP_OK;
}

static mtp_status close_part(align_run *r)
{
    mtp_status st = mtp_writer_commit(r->out);
    if (st != MTP_OK) {
        return mtp_error_set(&r->error, st, "%s", mtp_writer_error(r->out));
    }
    r->rec_bytes += mtp_writer_file_bytes(r->out);
    mtp_writer_free(r->out);
    r->out = NULL;
    return save_part_keys(r);
}

/* Closes parts up to (not including) `part` and opens it. */
static mtp_status move_to_part(align_run *r, unsigned part)
{
    mtp_status st = MTP_OK;
    while (st == MTP_OK && r->part < part) {
        st = close_part(r);
        r->part++;
        st = st == MTP_OK ? open_part(r) : st;
    }
    return st;
}

/* A filtered pair: into its part, keyed as dedup would key it. */
static mtp_status emit_part(void *ctx, const mtp_record *rec)
{
    align_run *r = ctx;
    unsigned part = 0;
    mtp_status st = part_of(r, rec->doc_id, &part);
    st = st == MTP_OK && part > r->part ? move_to_part(r, part) : st;
    if (st == MTP_OK && (st = mtp_writer_put_record(r->out, rec)) != MTP_OK) {
        return mtp_error_set(&r->error, st, "%s", mtp_writer_error(r->out));
    }
    uint64_t key = 0;
    st = st == MTP_OK ? mtp_record_key(rec, r->key_kind, r->key_side, &r->scratch, &key) : st;
    if (st == MTP_OK) {
        st = shard_tuples_push(&r->tuples, key, r->ordinal);
        if (st != MTP_OK) {
            return mtp_error_set(&r->error, st, "out of memory holding key tuples");
        }
    } else if (st == MTP_ERR_INPUT || st == MTP_ERR_LIMIT) {
        st = MTP_OK; /* no key: the write task applies dedup's policy */
    }
    r->ordinal++;
    r->pairs++;
    return st;
}

static mtp_status emit_filter(void *ctx, const mtp_record *rec)
{
    align_run *r = ctx;
    return mtp_stage_feed(r->filter, rec, r->after_filter);
}

static mtp_status emit_docs(void *ctx, const mtp_record *rec)
{
    align_run *r = ctx;
    return mtp_stage_feed(r->docs, rec, &r->to_part);
}

/* align over the spools -> filter -> parts; every part closed. */
static mtp_status run_join(align_run *r)
{
    mtp_reader *src = NULL, *tgt = NULL;
    const size_t max_line = build_aligned_max_line_bytes(r->a);
    mtp_status st = open_spools(r->t, "src.rec.zst", max_line, &src, &r->error);
    st = st == MTP_OK ? open_spools(r->t, "tgt.rec.zst", max_line, &tgt, &r->error) : st;
    st = st == MTP_OK ? open_part(r) : st;
    st = st == MTP_OK ? open_cursor(r) : st;
    if (st == MTP_OK) {
        st = mtp_align_streams(build_aligned_aligner(r->a), src, tgt, &r->to_filter);
    }
    st = st == MTP_OK ? mtp_stage_finish(r->filter, r->after_filter) : st;
    if (st == MTP_OK && r->docs != NULL) {
        st = mtp_stage_finish(r->docs, &r->to_part);
    }
    st = st == MTP_OK ? move_to_part(r, r->t->plan.shards - 1) : st;
    st = st == MTP_OK ? close_part(r) : st;
    mtp_reader_close(tgt);
    mtp_reader_close(src);
    return st;
}

static int report_join_error(align_run *r, mtp_status st)
{
    const char *msg = r->error.message;
    msg = msg[0] != '\0' ? msg : mtp_aligner_error(build_aligned_aligner(r->a));
    msg = msg[0] != '\0' ? msg : mtp_stage_error(r->filter);
    msg = msg[0] != '\0' || r->docs == NULL ? msg : mtp_stage_error(r->docs);
    cli_error("task", "align 00000: %s", msg[0] != '\0' ? msg : mtp_status_str(st));
    return cli_exit_code(st);
}

/* ---- outputs ------------------------------------------------------------- */

/* RUN/NAME holding `counts`, named with its bytes in *o. */
static int save_counts_file(const align_run *r, const char *name, const mtp_counts *counts,
                            shard_output *o)
{
    char path[SHARD_PATH_CAPACITY];
    snprintf(o->path, sizeof o->path, "%s", name);
    if (shard_path(path, "%s/%s", r->t->run, name) != 0 ||
        mtp_counts_save_json(counts, path) != MTP_OK) {
        cli_error("task", "%s/%s: cannot write", r->t->run, name);
        return CLI_EXIT_FAILURE;
    }
    o->bytes = shard_file_bytes(path);
    return 0;
}

/* The parts and their keys files, as two globs with their total bytes. */
static void name_parts(const align_run *r, shard_output *o)
{
    snprintf(o[0].path, sizeof o[0].path, "align/shard-*.rec.zst");
    o[0].bytes = r->rec_bytes;
    snprintf(o[1].path, sizeof o[1].path, "keys/part-*/shard-*.keys");
    o[1].bytes = r->key_bytes;
}

/* The marker lists the counts (align, filter, dedup_docs when run) and,
 * summed, the parts and their keys. */
static int finish_align(align_run *r)
{
    shard_output outputs[5];
    memset(outputs, 0, sizeof outputs);
    size_t n = 0;
    int rc = save_counts_file(r, "align/align.json",
                              mtp_aligner_counts(build_aligned_aligner(r->a)), &outputs[n++]);
    rc = rc == 0 ? save_counts_file(r, "align/filter.json", mtp_stage_counts(r->filter),
                                    &outputs[n++])
                 : rc;
    if (rc == 0 && r->docs != NULL) {
        rc = save_counts_file(r, "align/dedup_docs.json", mtp_stage_counts(r->docs),
                              &outputs[n++]);
    }
    name_parts(r, &outputs[n]);
    const mtp_counts *in = mtp_aligner_counts(build_aligned_aligner(r->a));
    return rc == 0 ? shard_marker_write(r->t, SHARD_ALIGN, 0, outputs, n + 2,
                                        mtp_counts_get(in, "in"), r->pairs)
                   : rc;
}

/* RUN/align, where the parts go. */
static int make_align_dir(const align_run *r)
{
    char dir[SHARD_PATH_CAPACITY];
    if (shard_path(dir, "%s/align", r->t->run) != 0 || shard_mkdirs(dir) != 0) {
        cli_error("task", "%s/align: cannot create: %s", r->t->run, strerror(errno));
        return CLI_EXIT_FAILURE;
    }
    return 0;
}

static void release_run(align_run *r)
{
    mtp_reader_close(r->cursor);
    mtp_writer_free(r->out); /* an uncommitted part: its temporary goes */
    shard_tuples_release(&r->tuples);
    mtp_free(r->doc);
    mtp_key_scratch_release(&r->scratch);
}

int shard_task_align(shard_task *t)
{
    static align_run r; /* holds the sinks the stages call back through */
    memset(&r, 0, sizeof r);
    r.t = t;
    mtp_recipe *recipe = NULL;
    int rc = shard_require_done(&t->plan, t->run, SHARD_MAP, "align");
    rc = rc == 0 ? load_aligned(t, &recipe, &r.a) : rc;
    rc = rc == 0 ? build_aligned_make_tail(r.a, 1, BUILD_TAIL_FILTER, BUILD_TAIL_DEDUP + 1) : rc;
    rc = rc == 0 && build_aligned_has_docs(r.a) ? build_aligned_make_docs(r.a) : rc;
    if (rc == 0) {
        r.filter = build_aligned_tail(r.a, BUILD_TAIL_FILTER);
        r.docs = build_aligned_docs(r.a);
        r.key_kind = build_aligned_dedup_options(r.a)->key;
        r.key_side = build_aligned_dedup_options(r.a)->side;
        r.spool = "src.rec.zst";
        r.to_filter = (mtp_sink){emit_filter, &r};
        r.to_docs = (mtp_sink){emit_docs, &r};
        r.to_part = (mtp_sink){emit_part, &r};
        r.after_filter = r.docs != NULL ? &r.to_docs : &r.to_part;
        rc = make_align_dir(&r);
    }
    if (rc == 0) {
        const mtp_status st = run_join(&r);
        rc = st == MTP_OK ? 0 : report_join_error(&r, st);
    }
    rc = rc == 0 ? finish_align(&r) : rc;
    release_run(&r);
    build_aligned_release(r.a);
    mtp_recipe_free(recipe);
    return rc;
}

/* ==== align 0 of a monolingual plan with [dedup_docs] ===================== */

/* Every shard's records, in order, through dedup --docs into the parts. */
static mtp_status run_docs(align_run *r)
{
    mtp_reader *in = NULL;
    mtp_status st = open_spools(r->t, "rec.zst", RECORD_MAX_BYTES, &in, &r->error);
    st = st == MTP_OK ? open_part(r) : st;
    st = st == MTP_OK ? open_cursor(r) : st;
    mtp_counts bad;
    mtp_counts_init(&bad, "task");
    mtp_record rec;
    while (st == MTP_OK &&
           (st = mtp_reader_next_record(in, MTP_ON_ERROR_FAIL, &bad, &rec, &r->error)) == MTP_OK) {
        st = mtp_stage_feed(r->docs, &rec, &r->to_part);
    }
    st = st == MTP_END ? mtp_stage_finish(r->docs, &r->to_part) : st;
    st = st == MTP_OK ? move_to_part(r, r->t->plan.shards - 1) : st;
    st = st == MTP_OK ? close_part(r) : st;
    mtp_reader_close(in);
    return st;
}

/* The marker lists dedup_docs's counts and, summed, the parts and their keys. */
static int finish_docs(align_run *r)
{
    shard_output outputs[3];
    memset(outputs, 0, sizeof outputs);
    const mtp_counts *counts = mtp_stage_counts(r->docs);
    const int rc = save_counts_file(r, "align/dedup_docs.json", counts, &outputs[0]);
    name_parts(r, &outputs[1]);
    return rc == 0 ? shard_marker_write(r->t, SHARD_ALIGN, 0, outputs, 3,
                                        mtp_counts_get(counts, "in"), r->pairs)
                   : rc;
}

/* The recipe's build, with dedup (for its key options) and dedup --docs made. */
static int load_docs(shard_task *t, mtp_recipe **recipe, align_run *r)
{
    mtp_error err = {{0}};
    const char *text = t->plan.recipe_text;
    if (mtp_recipe_parse(t->plan.recipe_path, text, strlen(text), recipe, &err) != MTP_OK) {
        cli_error("task", "%s", err.message);
        return CLI_EXIT_FAILURE;
    }
    int rc = build_mono_load(t->plan.recipe_path, *recipe, t->plan.output, &r->b);
    rc = rc == 0 ? build_mono_make(r->b, 0, BUILD_DEDUP, BUILD_DEDUP + 1) : rc;
    rc = rc == 0 ? build_mono_make_docs(r->b) : rc;
    if (rc == 0) {
        r->docs = build_mono_docs(r->b);
        r->key_kind = build_mono_dedup_options(r->b)->key;
        r->key_side = build_mono_dedup_options(r->b)->side;
    }
    return rc;
}

int shard_task_docs(shard_task *t)
{
    static align_run r; /* holds the sink the stage calls back through */
    memset(&r, 0, sizeof r);
    r.t = t;
    r.spool = "rec.zst";
    mtp_recipe *recipe = NULL;
    int rc = shard_require_done(&t->plan, t->run, SHARD_MAP, "align");
    rc = rc == 0 ? load_docs(t, &recipe, &r) : rc;
    if (rc == 0) {
        r.to_part = (mtp_sink){emit_part, &r};
        rc = make_align_dir(&r);
    }
    if (rc == 0) {
        const mtp_status st = run_docs(&r);
        if (st != MTP_OK) {
            const char *msg = r.error.message[0] != '\0' ? r.error.message
                                                          : mtp_stage_error(r.docs);
            cli_error("task", "align 00000: %s", msg[0] != '\0' ? msg : mtp_status_str(st));
            rc = cli_exit_code(st);
        }
    }
    rc = rc == 0 ? finish_docs(&r) : rc;
    release_run(&r);
    build_mono_release(r.b);
    mtp_recipe_free(recipe);
    return rc;
}
