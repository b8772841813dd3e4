/* The aligned chain in pieces, for sharded tasks (tools/shard_align.c,
 * shard_write.c): the same stages from the same argv as build_aligned, made
 * and run one group at a time (a side into a spool; align and filter; dedup;
 * write). See tools/build.h for each function.
 *
 * Memory: the stages' own bounds; the aligned build is one static object
 * per process.
 */
#include <assert.h>
#include <string.h>

#include "build_aligned_impl.h"

/* The options of the aligned build a sharded task loads: one per process. */
static build_cli task_cli;

int build_aligned_load(const char *recipe_path, mtp_recipe *recipe, const char *out_override,
                       aligned **out)
{
    build_cli *const cli = &task_cli;
    static aligned a; /* one per process, like build_aligned's */
    memset(cli, 0, sizeof *cli);
    memset(&a, 0, sizeof a);
    cli_common_default(&cli->common);
    cli->recipe_path = recipe_path;
    cli->out_override = out_override;
    a.cli = cli;
    a.recipe = recipe;
    int rc = aligned_collect_build_section(&a);
    rc = rc == 0 ? aligned_collect_stage_sections(&a) : rc;
    rc = rc == 0 ? aligned_finish_args(&a) : rc; /* align's two spool names stay empty */
    *out = rc == 0 ? &a : NULL;
    return rc;
}

int build_aligned_check_write(aligned *a)
{
    build_args *args = &a->tail_args[T_WRITE];
    cli_common common;
    mtp_write_options o;
    cli_getopt_reset();
    const int rc = cli_parse_write(args->argc, args->argv, &common, &o);
    return build_check_parsed(aligned_tail_names[T_WRITE], rc, args, &common);
}

void build_aligned_set_threads(aligned *a, unsigned threads)
{
    assert(a->cli == &task_cli); /* a task's build: its options are ours to change */
    (void)a;
    task_cli.common.threads = threads;
}

int build_aligned_input_count(const aligned *a, int side_index)
{
    return a->sides[side_index].input_count;
}

const char *build_aligned_input(const aligned *a, int side_index, int i)
{
    return a->sides[side_index].inputs[i];
}

const char *build_aligned_output(const aligned *a)
{
    return a->output;
}

const char *build_aligned_lang(const aligned *a, int side_index)
{
    return a->sides[side_index].lang;
}

int build_aligned_make_side(aligned *a, int side_index)
{
    return aligned_make_side(&a->sides[side_index]);
}

int build_aligned_run_side(aligned *a, int side_index, const char *spool_path,
                           const mtp_writer_options *opts, build_side_feed feed, void *ctx)
{
    side *s = &a->sides[side_index];
    s->spool_opts = opts;
    s->feed = feed;
    s->feed_ctx = ctx;
    return aligned_run_side(a, s, spool_path);
}

const mtp_counts *build_aligned_front_counts(const aligned *a, int side_index, int stage)
{
    const side *s = &a->sides[side_index];
    return stage == F_INGEST ? mtp_ingest_counts(s->ingest) : mtp_stage_counts(s->stages[stage]);
}

int build_aligned_make_tail(aligned *a, int with_aligner, int first, int limit)
{
    int rc = with_aligner ? aligned_make_aligner(a) : 0;
    for (int t = first; t < limit && rc == 0; t++) {
        rc = aligned_make_tail_stage(a, t);
    }
    return rc;
}

mtp_aligner *build_aligned_aligner(aligned *a)
{
    return a->aligner;
}

size_t build_aligned_max_line_bytes(const aligned *a)
{
    return a->align_common.max_line_bytes;
}

mtp_stage *build_aligned_tail(aligned *a, int t)
{
    return a->tail[t];
}

const mtp_dedup_options *build_aligned_dedup_options(const aligned *a)
{
    return &a->dedup_opts;
}

mtp_counts *build_aligned_upstream(aligned *a)
{
    return a->upstream;
}

int build_aligned_has_docs(const aligned *a)
{
    return a->has_docs;
}

int build_aligned_make_docs(aligned *a)
{
    return build_make_docs(&a->docs_args, &a->docs_opts, &a->docs);
}

mtp_stage *build_aligned_docs(aligned *a)
{
    return a->docs;
}

void build_aligned_release(aligned *a)
{
    if (a != NULL) {
        aligned_release(a);
    }
}
