/* Private to `mtprep build`: the pieces cmd_build.c (options, recipe, the
 * monolingual chain) shares with build_aligned.c (the two-language chain),
 * and the monolingual chain's stages for the sharded tasks (tools/shard_*.c).
 *
 * A recipe section becomes a stage's argv ("stage --key value ...") that
 * the stage's own cli_parse_X function parses, so a recipe means what the
 * same options mean on the command line. Strings in a build_args point into
 * the recipe or into a static pool: they live until the command returns.
 */
#ifndef MTPREP_TOOLS_BUILD_H
#define MTPREP_TOOLS_BUILD_H

#include "cli.h"

#define BUILD_MAX_STAGE_ARGS 128
#define BUILD_MAX_INPUTS 256

/* One stage's argv, NULL-terminated. */
typedef struct build_args {
    int argc;
    char *argv[BUILD_MAX_STAGE_ARGS];
} build_args;

/* What the command line says (not the recipe). */
typedef struct build_cli {
    const char *recipe_path;
    const char *out_override; /* --out DIR, or NULL */
    size_t block_records;     /* --block-records N, 0: the default */
    cli_common common;
    int common_given_on_error; /* --on-error was given: every stage gets it */
} build_cli;

/* Appends one argument; -1 when the argv is full. */
int build_push_arg(build_args *a, const char *arg);

/* Starts a stage's argv: its name, build's --on-error if given, --quiet. */
void build_start_args(const build_cli *cli, build_args *a, const char *name);

/* Appends the recipe entry `key = value` as --key [value]. Returns 0 or
 * CLI_EXIT_USAGE (message printed). */
int build_push_option(const build_cli *cli, build_args *a, const mtp_recipe_entry *e);

/* After a cli_parse_X call on `a` for recipe section `section`: turns
 * --help into a usage error and refuses positional values and 'threads'.
 * Returns 0 or the exit code. */
int build_check_parsed(const char *section, int rc, const build_args *a, const cli_common *common);

/* Reports a stage that could not be made; returns the exit code. */
int build_make_failed(const char *name, mtp_status st, const mtp_error *err);

/* The optional recipe section of near-duplicate documents (dedup --docs),
 * run between filter and dedup when present. */
#define BUILD_DOCS_SECTION "dedup_docs"

/* Makes that stage from its argv (which holds --docs); opts must outlive the
 * stage. Returns 0 or the exit code (message printed). */
int build_make_docs(build_args *args, mtp_dedup_docs_options *opts, mtp_stage **out);

/* mkdir -p of the directory that will hold `output` (write creates `output`
 * itself but wants its parent to exist). Returns 0 or CLI_EXIT_FAILURE
 * (message printed). */
int build_make_parents(const char *output);

/* Runs an aligned recipe (its [build] has tgt-input). Returns the exit code. */
int build_aligned(const build_cli *cli, mtp_recipe *recipe);

/* A recipe whose [build] names a tgt-input (an aligned build): 1, else 0. */
int build_recipe_is_aligned(const mtp_recipe *recipe);

/* ---- the monolingual chain stage by stage, for sharded tasks ------------
 * The same argv, the same parsers and the same stage objects as `mtprep
 * build`, made one group at a time: a map task makes ingest .. filter, a
 * write task dedup, assemble write. Stages are numbered as build runs them. */
enum { BUILD_NORMALIZE, BUILD_SEGMENT, BUILD_FILTER, BUILD_DEDUP, BUILD_WRITE, BUILD_STAGES };

typedef struct build build;

/* Reads a monolingual recipe's sections as build does (inputs, output --
 * out_override wins --, lang, every stage's argv); creates nothing. The
 * recipe is borrowed and must outlive the build. *out is one static object
 * per process. Returns 0 or the exit code (message printed). */
int build_mono_load(const char *recipe_path, mtp_recipe *recipe, const char *out_override,
                    build **out);

int build_mono_input_count(const build *b);
const char *build_mono_input(const build *b, int i);
const char *build_mono_output(const build *b);

/* Makes ingest (when with_ingest) and stages [first, limit) exactly as build
 * makes them; write reads build_mono_upstream's BUILD_STAGES counts (ingest,
 * normalize, segment, filter, dedup) at finish. Returns 0 or the exit code
 * (message printed). */
int build_mono_make(build *b, int with_ingest, int first, int limit);

/* Reads the [write] section's options as build would, without making the
 * stage (which would prepare the output directory). Returns 0 or the exit
 * code (message printed): a plan refuses what assemble would. */
int build_mono_check_write(build *b);

/* Threads for the stages made after this, as build --threads gives them
 * (write: zstd threads for the train files; the bytes do not change). */
void build_mono_set_threads(build *b, unsigned threads);

/* Starts `threads` worker chains, normalize -> segment -> filter made from
 * the options build_mono_make parsed, whose output reaches `sink` in input
 * order (block_records 0: the default block size). */
mtp_status build_mono_workers(build *b, unsigned threads, size_t block_records, mtp_sink sink,
                              mtp_parallel **out, mtp_error *err);

/* What build_mono_make made (NULL when not made); owned by the build. */
mtp_ingest *build_mono_ingest(build *b);
mtp_stage *build_mono_stage(build *b, int i);

/* The [dedup] options as parsed (valid once dedup is made). */
const mtp_dedup_options *build_mono_dedup_options(const build *b);

/* The [dedup_docs] stage of a recipe with that section: whether it has it,
 * making it as build does (0 or the exit code, message printed), and the
 * stage made (NULL before). With it, write's upstream counts are
 * BUILD_STAGES + 1: dedup_docs's between filter's and dedup's. */
int build_mono_has_docs(const build *b);
int build_mono_make_docs(build *b);
mtp_stage *build_mono_docs(build *b);

/* The upstream counts write folds into the manifest: fill before finishing write. */
mtp_counts *build_mono_upstream(build *b);

/* Frees the stages and ingest made; the recipe stays the caller's. NULL does nothing. */
void build_mono_release(build *b);

/* ---- the aligned chain in pieces, for sharded tasks ---------------------
 * As above for an aligned recipe (tools/build_aligned.c): a map task makes
 * and runs each side's front (ingest, normalize, segment) into a spool, the
 * align task the aligner and filter (and dedup, for its key options), a
 * write task dedup, assemble write. Sides and tail stages are numbered as
 * build runs them; the upstream counts are named and ordered as build's:
 * ingest.SRC normalize.SRC segment.SRC ingest.TGT normalize.TGT segment.TGT
 * align filter dedup. */
enum { BUILD_SIDE_SRC, BUILD_SIDE_TGT, BUILD_SIDES };
enum { BUILD_FRONT_INGEST, BUILD_FRONT_NORMALIZE, BUILD_FRONT_SEGMENT, BUILD_FRONTS };
extern const char *const build_front_names[BUILD_FRONTS]; /* ingest normalize segment */
enum { BUILD_TAIL_FILTER, BUILD_TAIL_DEDUP, BUILD_TAIL_WRITE, BUILD_TAILS };
#define BUILD_ALIGNED_UPSTREAM (BUILD_SIDES * BUILD_FRONTS + 1 + BUILD_TAIL_WRITE)

typedef struct aligned aligned;

/* Feeds a side's ingest instead of reading its inputs whole (a shard's pieces). */
typedef mtp_status (*build_side_feed)(void *ctx, mtp_ingest *ingest, const mtp_sink *sink);

/* Reads an aligned recipe's sections as build does; creates nothing. The
 * recipe is borrowed; *out is one static object per process. Returns 0 or
 * the exit code (message printed). */
int build_aligned_load(const char *recipe_path, mtp_recipe *recipe, const char *out_override,
                       aligned **out);
int build_aligned_input_count(const aligned *a, int side_index);
const char *build_aligned_input(const aligned *a, int side_index, int i);
const char *build_aligned_output(const aligned *a);
const char *build_aligned_lang(const aligned *a, int side_index);

/* As build_mono_check_write and build_mono_set_threads, for the aligned chain. */
int build_aligned_check_write(aligned *a);
void build_aligned_set_threads(aligned *a, unsigned threads);

/* Makes one side's ingest, normalize and segment. Returns 0 or the exit code. */
int build_aligned_make_side(aligned *a, int side_index);

/* Runs the made side into spool_path (compressed when opts say so), fed by
 * feed(ctx, ...) or, when feed is NULL, by the side's inputs. Returns 0 or
 * the exit code (message printed). */
int build_aligned_run_side(aligned *a, int side_index, const char *spool_path,
                           const mtp_writer_options *opts, build_side_feed feed, void *ctx);

/* A made side's counts: BUILD_FRONT_INGEST, _NORMALIZE or _SEGMENT. */
const mtp_counts *build_aligned_front_counts(const aligned *a, int side_index, int stage);

/* Makes the aligner (when with_aligner) and tail stages [first, limit);
 * write reads build_aligned_upstream at finish. Returns 0 or the exit code. */
int build_aligned_make_tail(aligned *a, int with_aligner, int first, int limit);

/* What was made (NULL when not), owned by the aligned build. */
mtp_aligner *build_aligned_aligner(aligned *a);
mtp_stage *build_aligned_tail(aligned *a, int t);
size_t build_aligned_max_line_bytes(const aligned *a);                  /* align's reader limit */
const mtp_dedup_options *build_aligned_dedup_options(const aligned *a); /* once dedup is made */
mtp_counts *build_aligned_upstream(aligned *a); /* BUILD_ALIGNED_UPSTREAM entries */

/* As build_mono_has_docs and the rest, for the aligned chain: with [dedup_docs]
 * the upstream counts are BUILD_ALIGNED_UPSTREAM + 1, dedup_docs's between
 * filter's and dedup's. */
int build_aligned_has_docs(const aligned *a);
int build_aligned_make_docs(aligned *a);
mtp_stage *build_aligned_docs(aligned *a);

/* Frees what was made; NULL does nothing. */
void build_aligned_release(aligned *a);

#endif
