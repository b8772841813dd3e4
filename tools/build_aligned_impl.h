/* Private to the aligned build (tools/build_aligned.c, the whole run;
 * build_aligned_recipe.c, recipe sections into stage argv;
 * build_aligned_parts.c, the pieces sharded tasks use): its state and the
 * functions the files share. build_aligned.c's opening comment describes
 * the whole.
 */
#ifndef MTPREP_BUILD_ALIGNED_IMPL_H
#define MTPREP_BUILD_ALIGNED_IMPL_H

#include "build.h"
#include "mtprep/parallel.h"

#define PATH_CAPACITY 4096

enum { SIDE_SRC, SIDE_TGT, SIDE_COUNT };
enum { F_INGEST, F_NORMALIZE, F_SEGMENT, F_COUNT };
_Static_assert((int)F_COUNT == (int)BUILD_FRONTS, "build_front_names covers the front stages");
enum { T_FILTER, T_DEDUP, T_WRITE, T_COUNT };

/* Section names of the front and tail stages; the two sides' spool names. */
extern const char *const aligned_tail_names[T_COUNT];

/* Manifest counts: the front stages of both sides, align, filter, dedup
 * (and dedup_docs before dedup when the recipe has [dedup_docs]). */
#define UPSTREAM_COUNT (SIDE_COUNT * F_COUNT + 1 + T_WRITE)

typedef struct side {
    const char *lang;
    const char *inputs[BUILD_MAX_INPUTS];
    int input_count;
    build_args args[F_COUNT];
    mtp_ingest *ingest;
    mtp_stage *stages[F_COUNT]; /* normalize, segment; [F_INGEST] stays NULL */
    mtp_normalize_options normalize_opts;
    mtp_segment_options segment_opts;
    mtp_parallel *par; /* normalize -> segment on worker threads, or NULL */
    int par_failed;
    mtp_writer *spool;
    const mtp_writer_options *spool_opts; /* NULL: plain (build's spools) */
    build_side_feed feed;                 /* NULL: ingest every input whole */
    void *feed_ctx;
    mtp_sink to_normalize, to_segment, to_spool;
} side;

typedef struct aligned {
    const build_cli *cli;
    mtp_recipe *recipe;
    const char *output;
    side sides[SIDE_COUNT];
    build_args align_args;
    build_args tail_args[T_COUNT];
    mtp_align_options align_opts;
    cli_common align_common; /* its --max-line-bytes reads the spools */
    mtp_aligner *aligner;
    mtp_filter_options filter_opts;
    mtp_dedup_options dedup_opts; /* sharded tasks key pairs with it */
    mtp_stage *tail[T_COUNT];
    build_args docs_args;             /* [dedup_docs]: dedup --docs between filter and dedup */
    int has_docs;                     /* the recipe has the section */
    mtp_dedup_docs_options docs_opts; /* borrowed by the stage */
    mtp_stage *docs;                  /* its stage, or NULL */
    mtp_parallel *filter_par;         /* filter on worker threads, or NULL */
    int filter_par_failed;
    mtp_sink to_filter, to_docs, to_dedup, to_write;
    mtp_counts upstream[UPSTREAM_COUNT + 1]; /* + dedup_docs when present */
    size_t upstream_used;
} aligned;

/* ---- reading the recipe (build_aligned_recipe.c) ------------------------- */

/* [build]: inputs of both sides, langs, output. Returns 0 or the exit code. */
int aligned_collect_build_section(aligned *a);

/* Every stage section into its stage's argv (shared sections, then the
 * per-side ones). Returns 0 or the exit code. */
int aligned_collect_stage_sections(aligned *a);

/* ---- making and running (build_aligned.c) --------------------------------- */

/* The arguments that depend on the spool directory or follow every recipe
 * option (align's spools; write's --out, --lang, --tgt-lang). */
int aligned_finish_args(aligned *a);

int aligned_make_side(side *s);
int aligned_make_aligner(aligned *a);
int aligned_make_tail_stage(aligned *a, int t);

/* Runs side s whole into spool_path. Returns 0 or the exit code. */
int aligned_run_side(const aligned *a, side *s, const char *spool_path);

/* Frees every stage made; the recipe stays the caller's. */
void aligned_release(aligned *a);

#endif
