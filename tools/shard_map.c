/* mtprep task map RUN K: the per-document stages of shard K.
 *
 * ingest -> normalize -> segment -> filter, made from the plan's recipe by
 * the same code as `mtprep build` (tools/build.h), run over shard K's
 * pieces (mtp_ingest_range), so the records are exactly the ones build
 * would pass to dedup for those bytes. They go to
 * RUN/map/shard-KKKKK.rec.zst (zstd level 1); each record's dedup key
 * (mtp_record_key with the recipe's [dedup] key and side) goes, with the
 * record's ordinal in the shard, into RUN/keys/part-PPP/shard-KKKKK.keys for
 * P = (key * partitions) >> 64, sorted by (key, ordinal). A record whose key
 * cannot be computed gets no tuple: the write task gives it to the dedup
 * stage, which applies its own policy. (With a [dedup_docs] section no key
 * is written: the align task keys the records dedup --docs keeps, see
 * tools/shard_align.c.) The four stages' counts go to
 * RUN/map/shard-KKKKK.STAGE.json. (An aligned plan's map is
 * tools/shard_align.c's.) With task --threads N, normalize -> segment ->
 * filter run on N worker threads as in build --threads N (blocks in input
 * order), so the outputs are the same bytes.
 *
 * Memory: the stages' own bounds (per worker chain) plus the shard's key
 * tuples, 16 bytes per record after filter (sorted in place).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "build.h"
#include "mtprep/parallel.h"
#include "shard.h"

#define MAP_ZSTD_LEVEL 1
#define MAP_STAGES 3 /* normalize, segment, filter */

typedef struct map_run map_run;

/* links[i] feeds stage i; the last stage emits to the map output. */
typedef struct map_link {
    map_run *m;
    int index;
} map_link;

struct map_run {
    shard_task *t;
    unsigned rank;
    build *b;
    mtp_stage *stages[MAP_STAGES];
    map_link link_ctx[MAP_STAGES];
    mtp_sink links[MAP_STAGES];
    mtp_sink out_sink;
    mtp_parallel *par; /* normalize..filter on worker threads, or NULL */
    int par_failed;    /* the failure came out of par */
    mtp_writer *out;
    shard_tuples tuples;
    uint64_t ordinal; /* records written so far */
    mtp_dedup_key key_kind;
    mtp_dedup_side key_side;
    mtp_key_scratch scratch;
    mtp_error error; /* the map's own failure (out of memory, output) */
};

/* ==== records out ======================================================== */

/* A filtered record: written out, and keyed as dedup would key it. */
static mtp_status emit_out(void *ctx, const mtp_record *rec)
{
    map_run *m = ctx;
    mtp_status st = mtp_writer_put_record(m->out, rec);
    if (st != MTP_OK) {
        return mtp_error_set(&m->error, st, "%s", mtp_writer_error(m->out));
    }
    if (m->t->plan.docs) {
        m->ordinal++; /* the align task keys what dedup --docs keeps */
        return MTP_OK;
    }
    uint64_t key = 0;
    st = mtp_record_key(rec, m->key_kind, m->key_side, &m->scratch, &key);
    if (st == MTP_OK) {
        st = shard_tuples_push(&m->tuples, key, m->ordinal);
        if (st != MTP_OK) {
            return mtp_error_set(&m->error, st, "out of memory holding key tuples");
        }
    } else if (st == MTP_ERR_INPUT || st == MTP_ERR_LIMIT) {
        st = MTP_OK; /* no key: the write task applies dedup's policy */
    } else {
        st = mtp_error_set(&m->error, st, "out of memory computing a key");
    }
    m->ordinal++;
    return st;
}

static mtp_status emit_to_stage(void *ctx, const mtp_record *rec)
{
    const map_link *l = ctx;
    map_run *m = l->m;
    const mtp_sink *next = l->index + 1 < MAP_STAGES ? &m->links[l->index + 1] : &m->out_sink;
    return mtp_stage_feed(m->stages[l->index], rec, next);
}

static void wire(map_run *m)
{
    for (int i = 0; i < MAP_STAGES; i++) {
        m->stages[i] = build_mono_stage(m->b, BUILD_NORMALIZE + i);
        m->link_ctx[i].m = m;
        m->link_ctx[i].index = i;
        m->links[i].emit = emit_to_stage;
        m->links[i].ctx = &m->link_ctx[i];
    }
    m->out_sink.emit = emit_out;
    m->out_sink.ctx = m;
}

static mtp_status emit_to_workers(void *ctx, const mtp_record *rec)
{
    map_run *m = ctx;
    return mtp_parallel_feed(m->par, rec);
}

/* --threads N > 1: the three stages on N worker chains made as build makes
 * them; their output reaches out_sink on the runner's output thread. */
static int start_workers(map_run *m)
{
    mtp_error err = {{0}};
    const mtp_status st = build_mono_workers(m->b, m->t->threads, 0, m->out_sink, &m->par, &err);
    if (st != MTP_OK) {
        cli_error("task", "map %05u: %s", m->rank, err.message);
        return cli_exit_code(st);
    }
    m->links[0].emit = emit_to_workers;
    m->links[0].ctx = m;
    return 0;
}

/* Drains the workers and gives the stages the merged counts, which the
 * counts files read. */
static mtp_status finish_workers(map_run *m, mtp_status st)
{
    const mtp_status finished = mtp_parallel_finish(m->par);
    if (finished != MTP_OK) {
        m->par_failed = 1;
        st = st == MTP_OK ? finished : st;
    }
    for (int i = 0; i < MAP_STAGES; i++) {
        *mtp_stage_counts_mut(m->stages[i]) = *mtp_parallel_counts(m->par, (unsigned)i);
    }
    return st;
}

/* ==== inputs ============================================================= */

int shard_check_sizes(const shard_plan *plan, unsigned rank)
{
    for (size_t i = plan->shard_first[rank]; i < plan->shard_first[rank + 1]; i++) {
        const shard_file *f = &plan->files[plan->pieces[i].file];
        struct stat sb;
        if (stat(f->path, &sb) != 0) {
            cli_error("task", "%s: cannot read: %s; run mtprep plan again", f->path,
                      strerror(errno));
            return CLI_EXIT_FAILURE;
        }
        if ((uint64_t)sb.st_size != f->bytes) {
            cli_error("task",
                      "%s: changed since the plan (%llu bytes, planned %llu); run mtprep "
                      "plan again",
                      f->path, (unsigned long long)sb.st_size, (unsigned long long)f->bytes);
            return CLI_EXIT_FAILURE;
        }
    }
    return 0;
}

/* The first message in pipeline order, as build reports it. */
static int report_error(map_run *m, mtp_status st)
{
    const char *msg = m->error.message;
    if (msg[0] == '\0' && m->par_failed) {
        msg = mtp_parallel_error(m->par);
    }
    if (msg[0] == '\0') {
        msg = mtp_ingest_error(build_mono_ingest(m->b));
    }
    for (int i = 0; i < MAP_STAGES && msg[0] == '\0'; i++) {
        msg = mtp_stage_error(m->stages[i]);
    }
    cli_error("task", "map %05u: %s", m->rank, msg[0] ? msg : mtp_status_str(st));
    return cli_exit_code(st);
}

static int run_pieces(map_run *m)
{
    const shard_plan *plan = &m->t->plan;
    mtp_ingest *ing = build_mono_ingest(m->b);
    mtp_status st = MTP_OK;
    for (size_t i = plan->shard_first[m->rank]; i < plan->shard_first[m->rank + 1]; i++) {
        const shard_piece *p = &plan->pieces[i];
        const shard_file *f = &plan->files[p->file];
        const mtp_ingest_piece piece = {f->path,   f->root,       p->offset,
                                        p->length, p->first_line, p->offset == 0};
        st = mtp_ingest_range(ing, &piece, &m->links[0]);
        if (st != MTP_OK) {
            break;
        }
    }
    if (m->par != NULL) {
        st = finish_workers(m, st); /* the chains finished after every block */
    }
    for (int i = 0; m->par == NULL && i < MAP_STAGES && st == MTP_OK; i++) {
        st = mtp_stage_finish(m->stages[i], i + 1 < MAP_STAGES ? &m->links[i + 1] : &m->out_sink);
    }
    return st == MTP_OK ? 0 : report_error(m, st);
}

/* ==== outputs ============================================================ */

static int open_output(map_run *m, shard_output *o)
{
    char err[MTP_ERROR_CAPACITY];
    const mtp_writer_options opts = {MAP_ZSTD_LEVEL, 0, 0};
    char path[SHARD_PATH_CAPACITY];
    snprintf(o->path, sizeof o->path, "map/shard-%05u.rec.zst", m->rank);
    snprintf(err, sizeof err, "%.400s/map: cannot create", m->t->run);
    if (shard_path(path, "%s/map", m->t->run) != 0 || shard_mkdirs(path) != 0 ||
        shard_path(path, "%s/%s", m->t->run, o->path) != 0 ||
        mtp_writer_open(path, &opts, &m->out, err, sizeof err) != MTP_OK) {
        cli_error("task", "%s", err);
        return CLI_EXIT_FAILURE;
    }
    return 0;
}

/* One keys file per partition (empty ones too). */
static int save_keys(map_run *m, shard_output *outputs)
{
    return shard_keys_save_partitions(m->t->run, m->rank, m->t->plan.partitions, &m->tuples,
                                      outputs, NULL);
}

static int save_counts(map_run *m, shard_output *outputs)
{
    const mtp_counts *counts[1 + MAP_STAGES] = {mtp_ingest_counts(build_mono_ingest(m->b))};
    for (int i = 0; i < MAP_STAGES; i++) {
        counts[1 + i] = mtp_stage_counts(m->stages[i]);
    }
    for (int i = 0; i < 1 + MAP_STAGES; i++) {
        char path[SHARD_PATH_CAPACITY];
        shard_output *o = &outputs[i];
        snprintf(o->path, sizeof o->path, "map/shard-%05u.%s.json", m->rank, counts[i]->stage);
        if (shard_path(path, "%s/%s", m->t->run, o->path) != 0 ||
            mtp_counts_save_json(counts[i], path) != MTP_OK) {
            cli_error("task", "%s/%s: cannot write", m->t->run, o->path);
            return CLI_EXIT_FAILURE;
        }
        o->bytes = shard_file_bytes(path);
    }
    return 0;
}

/* Commits the records, then keys and counts, then the marker. */
static int finish_outputs(map_run *m)
{
    const size_t count = 1 + SHARD_MAX_PARTITIONS + 1 + MAP_STAGES;
    shard_output *outputs = mtp_calloc(count, sizeof *outputs);
    if (outputs == NULL) {
        cli_error("task", "out of memory");
        return CLI_EXIT_INTERNAL;
    }
    snprintf(outputs[0].path, sizeof outputs[0].path, "map/shard-%05u.rec.zst", m->rank);
    int rc = 0;
    if (mtp_writer_commit(m->out) != MTP_OK) {
        cli_error("task", "%s", mtp_writer_error(m->out));
        rc = CLI_EXIT_FAILURE;
    }
    outputs[0].bytes = mtp_writer_file_bytes(m->out);
    const unsigned parts = m->t->plan.docs ? 0 : m->t->plan.partitions;
    rc = rc == 0 && parts > 0 ? save_keys(m, outputs + 1) : rc;
    rc = rc == 0 ? save_counts(m, outputs + 1 + parts) : rc;
    const mtp_counts *in = mtp_ingest_counts(build_mono_ingest(m->b));
    rc = rc == 0 ? shard_marker_write(m->t, SHARD_MAP, m->rank, outputs, 1 + parts + 1 + MAP_STAGES,
                                      mtp_counts_get(in, "out"), m->ordinal)
                 : rc;
    mtp_free(outputs);
    return rc;
}

static void release(map_run *m)
{
    mtp_parallel_free(m->par); /* first: its threads may write the output */
    mtp_writer_free(m->out);
    shard_tuples_release(&m->tuples);
    mtp_key_scratch_release(&m->scratch);
}

int shard_task_map(shard_task *t, unsigned rank)
{
    static map_run m; /* holds the links the stages call back through */
    memset(&m, 0, sizeof m);
    m.t = t;
    m.rank = rank;
    mtp_error err = {{0}};
    mtp_recipe *recipe = NULL;
    const char *text = t->plan.recipe_text;
    int rc = shard_check_sizes(&t->plan, rank);
    if (rc == 0 &&
        mtp_recipe_parse(t->plan.recipe_path, text, strlen(text), &recipe, &err) != MTP_OK) {
        cli_error("task", "%s", err.message);
        rc = CLI_EXIT_FAILURE;
    }
    rc = rc == 0 ? build_mono_load(t->plan.recipe_path, recipe, t->plan.output, &m.b) : rc;
    rc = rc == 0 ? build_mono_make(m.b, 1, BUILD_NORMALIZE, BUILD_WRITE) : rc;
    if (rc == 0) {
        m.key_kind = build_mono_dedup_options(m.b)->key;
        m.key_side = build_mono_dedup_options(m.b)->side;
        wire(&m);
        shard_output first;
        rc = open_output(&m, &first);
    }
    rc = rc == 0 && t->threads > 1 ? start_workers(&m) : rc;
    rc = rc == 0 ? run_pieces(&m) : rc;
    rc = rc == 0 ? finish_outputs(&m) : rc;
    release(&m);
    build_mono_release(m.b);
    mtp_recipe_free(recipe);
    return rc;
}
