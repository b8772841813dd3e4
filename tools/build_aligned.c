/* mtprep build for a language pair: two input roots in, one line-aligned
 * corpus out.
 *
 *   input     -> ingest -> normalize -> segment --lang LANG     -> spool (source)
 *   tgt-input -> ingest -> normalize -> segment --lang TGT-LANG -> spool (target)
 *   align(source spool, target spool) -> filter -> dedup -> write --tgt-lang TGT-LANG
 *
 * Each side runs to its end into a spool file of plain records, the bytes
 * `mtprep segment` writes to a pipe; align then reads both spools as
 * `mtprep align SRC TGT` reads its two files. Every stage is made from its
 * recipe section by its subcommand's option parser, so the corpus is the
 * one the piped stages write with the same options, byte for byte.
 *
 * Recipe: [build] takes input (source side, repeatable), tgt-input (target
 * side, repeatable; its presence selects this mode), lang (default id),
 * tgt-lang (default en) and output. [ingest], [normalize] and [segment]
 * apply to both sides; [STAGE-LANG] sections ([segment-en], [ingest-id] ...)
 * add options for one side after the shared ones, so they win. build sets
 * segment's --lang, align's --src-lang/--tgt-lang and write's --out, --lang
 * and --tgt-lang; a recipe may not (except 'lang' in [segment-LANG]).
 *
 * Spools: a fresh directory .mtprep-spool-XXXXXX beside the output
 * directory (the corpus's file system, not a possibly small /tmp), removed
 * at the end, on failure and on SIGINT, SIGTERM and SIGHUP.
 *
 * Threads: with --threads N each side's normalize -> segment and the pairs'
 * filter run on N worker threads (mtprep/parallel.h), blocks in input
 * order, so every corpus file is the same for every N.
 *
 * Memory: each stage's own bound (align: one document pair and its join
 * window); no side is held in memory. Disk: the two spools, about the size
 * of the segmented text, plus write's train spool.
 *
 * Counts: every stage's counts go to the summary and MANIFEST.json under
 * distinct names: ingest.LANG, normalize.LANG, segment.LANG for each side,
 * then align, filter, dedup and write.
 *
 * Sharded runs (tools/shard_align.c, shard_write.c) make the same stages
 * from the same argv through the build_aligned_* functions of
 * build_aligned_parts.c: a side fed a shard's pieces into a spool, align and
 * filter, dedup, write. build_aligned_recipe.c turns the recipe's sections
 * into each stage's argv; build_aligned_impl.h holds what the files share.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "build_aligned_impl.h"

const char *const build_front_names[BUILD_FRONTS] = {"ingest", "normalize", "segment"};
const char *const aligned_tail_names[T_COUNT] = {"filter", "dedup", "write"};
static const char *const spool_names[SIDE_COUNT] = {"source.records", "target.records"};

/* ---- spool directory, removed on every exit path ----------------------- */

/* Written before the signal handler is armed, only read by it. */
static char spool_dir[PATH_CAPACITY];
static char spool_paths[SIDE_COUNT][PATH_CAPACITY + 32]; /* spool_dir + "/" + a name */
static volatile sig_atomic_t spool_armed = 0;

/* unlink and rmdir are async-signal-safe; the writers' temporaries go first. */
static void remove_spools(void)
{
    mtp_writer_remove_temporaries();
    for (int i = 0; i < SIDE_COUNT; i++) {
        unlink(spool_paths[i]);
    }
    rmdir(spool_dir);
}

static void on_signal(int sig)
{
    if (spool_armed) {
        remove_spools();
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

static void arm_spool_cleanup(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    spool_armed = 1;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

/* The directory that holds `output`: its text up to the last '/', or ".". */
static void parent_of(const char *output, char *parent, size_t capacity)
{
    snprintf(parent, capacity, "%s", output);
    size_t len = strlen(parent);
    while (len > 1 && parent[len - 1] == '/') {
        parent[--len] = '\0';
    }
    char *slash = strrchr(parent, '/');
    if (slash == NULL) {
        snprintf(parent, capacity, ".");
    } else {
        slash[slash == parent ? 1 : 0] = '\0';
    }
}

static int make_spool_dir(const char *output)
{
    char parent[PATH_CAPACITY];
    parent_of(output, parent, sizeof parent);
    const int n = snprintf(spool_dir, sizeof spool_dir, "%s/.mtprep-spool-XXXXXX", parent);
    if (n < 0 || (size_t)n >= sizeof spool_dir || mkdtemp(spool_dir) == NULL) {
        cli_error("build", "cannot create a spool directory in '%s': %s", parent,
                  n < 0 || (size_t)n >= sizeof spool_dir ? "path too long" : strerror(errno));
        spool_dir[0] = '\0';
        return CLI_EXIT_FAILURE;
    }
    for (int i = 0; i < SIDE_COUNT; i++) {
        snprintf(spool_paths[i], sizeof spool_paths[i], "%s/%s", spool_dir, spool_names[i]);
    }
    arm_spool_cleanup();
    return 0;
}

/* Arguments that depend on the spool directory or follow every recipe option. */
int aligned_finish_args(aligned *a)
{
    build_args *al = &a->align_args;
    build_args *w = &a->tail_args[T_WRITE];
    const int full = build_push_arg(al, "--") || build_push_arg(al, spool_paths[SIDE_SRC]) ||
                     build_push_arg(al, spool_paths[SIDE_TGT]) || build_push_arg(w, "--out") ||
                     build_push_arg(w, a->output) || build_push_arg(w, "--lang") ||
                     build_push_arg(w, a->sides[SIDE_SRC].lang) ||
                     build_push_arg(w, "--tgt-lang") || build_push_arg(w, a->sides[SIDE_TGT].lang);
    return full ? cli_usage_error("build", "%s: too many options", a->cli->recipe_path) : 0;
}

/* ---- making the stages ------------------------------------------------- */

static void set_label(char *label, size_t capacity, const char *stage, const char *lang)
{
    snprintf(label, capacity, "%s-%s", stage, lang);
}

static int make_side_ingest(side *s)
{
    char label[64];
    cli_common common;
    mtp_ingest_options o;
    mtp_ingest_options_default(&o);
    set_label(label, sizeof label, "ingest", s->lang);
    cli_getopt_reset();
    int rc = cli_parse_ingest(s->args[F_INGEST].argc, s->args[F_INGEST].argv, &common, &o);
    if ((rc = build_check_parsed(label, rc, &s->args[F_INGEST], &common)) != 0) {
        return rc;
    }
    mtp_error err = {{0}};
    const mtp_status st = mtp_ingest_new(&o, &s->ingest, &err);
    return st == MTP_OK ? 0 : build_make_failed(label, st, &err);
}

static int make_side_normalize(side *s)
{
    char label[64];
    cli_common common;
    build_args *args = &s->args[F_NORMALIZE];
    mtp_normalize_options_default(&s->normalize_opts);
    set_label(label, sizeof label, "normalize", s->lang);
    cli_getopt_reset();
    int rc = cli_parse_normalize(args->argc, args->argv, &common, &s->normalize_opts);
    if ((rc = build_check_parsed(label, rc, args, &common)) != 0) {
        return rc;
    }
    mtp_error err = {{0}};
    const mtp_status st = mtp_normalize_new(&s->normalize_opts, &s->stages[F_NORMALIZE], &err);
    return st == MTP_OK ? 0 : build_make_failed(label, st, &err);
}

static int make_side_segment(side *s)
{
    char label[64];
    cli_common common;
    build_args *args = &s->args[F_SEGMENT];
    mtp_segment_options_default(&s->segment_opts);
    set_label(label, sizeof label, "segment", s->lang);
    cli_getopt_reset();
    int rc = cli_parse_segment(args->argc, args->argv, &common, &s->segment_opts);
    if ((rc = build_check_parsed(label, rc, args, &common)) != 0) {
        return rc;
    }
    mtp_error err = {{0}};
    const mtp_status st = mtp_segment_new(&s->segment_opts, &s->stages[F_SEGMENT], &err);
    return st == MTP_OK ? 0 : build_make_failed(label, st, &err);
}

int aligned_make_side(side *s)
{
    int rc = make_side_ingest(s);
    rc = rc == 0 ? make_side_normalize(s) : rc;
    return rc == 0 ? make_side_segment(s) : rc;
}

int aligned_make_aligner(aligned *a)
{
    cli_getopt_reset();
    int rc =
        cli_parse_align(a->align_args.argc, a->align_args.argv, &a->align_common, &a->align_opts);
    if (rc == 0) {
        optind += SIDE_COUNT; /* the spools: the parser checked there are exactly two */
    }
    if ((rc = build_check_parsed("align", rc, &a->align_args, &a->align_common)) != 0) {
        return rc;
    }
    mtp_error err = {{0}};
    const mtp_status st = mtp_aligner_new(&a->align_opts, &a->aligner, &err);
    return st == MTP_OK ? 0 : build_make_failed("align", st, &err);
}

int aligned_make_tail_stage(aligned *a, int t)
{
    build_args *args = &a->tail_args[t];
    cli_common common;
    mtp_error err = {{0}};
    mtp_status st = MTP_OK;
    int rc = 0;
    cli_getopt_reset();
    if (t == T_FILTER) {
        mtp_filter_options_default(&a->filter_opts);
        rc = cli_parse_filter(args->argc, args->argv, &common, &a->filter_opts);
        st = rc == 0 ? mtp_filter_new(&a->filter_opts, &a->tail[t], &err) : MTP_OK;
    } else if (t == T_DEDUP) {
        mtp_dedup_options_default(&a->dedup_opts);
        rc = cli_parse_dedup(args->argc, args->argv, &common, &a->dedup_opts);
        st = rc == 0 ? mtp_dedup_new(&a->dedup_opts, &a->tail[t], &err) : MTP_OK;
    } else {
        mtp_write_options o;
        mtp_write_options_default(&o);
        rc = cli_parse_write(args->argc, args->argv, &common, &o);
        o.threads = a->cli->common.threads; /* zstd threads for train: same bytes */
        o.upstream = a->upstream;
        o.upstream_count = UPSTREAM_COUNT + (a->has_docs ? 1 : 0);
        o.recipe_text = mtp_recipe_text(a->recipe);
        st = rc == 0 ? mtp_write_new(&o, &a->tail[t], &err) : MTP_OK;
    }
    if ((rc = build_check_parsed(aligned_tail_names[t], rc, args, &common)) != 0) {
        return rc;
    }
    return st == MTP_OK ? 0 : build_make_failed(aligned_tail_names[t], st, &err);
}

static int make_all(aligned *a)
{
    int rc = 0;
    for (int s = 0; s < SIDE_COUNT && rc == 0; s++) {
        rc = aligned_make_side(&a->sides[s]);
    }
    if (rc == 0) {
        rc = aligned_make_aligner(a);
    }
    for (int t = 0; t < T_COUNT && rc == 0; t++) {
        rc = aligned_make_tail_stage(a, t);
    }
    return rc == 0 && a->has_docs ? build_make_docs(&a->docs_args, &a->docs_opts, &a->docs) : rc;
}

/* ---- one side: ingest -> normalize -> segment -> spool ------------------ */

static mtp_status side_to_normalize(void *ctx, const mtp_record *rec)
{
    side *s = ctx;
    return mtp_stage_feed(s->stages[F_NORMALIZE], rec, &s->to_segment);
}

static mtp_status side_to_segment(void *ctx, const mtp_record *rec)
{
    side *s = ctx;
    return mtp_stage_feed(s->stages[F_SEGMENT], rec, &s->to_spool);
}

static mtp_status side_to_spool(void *ctx, const mtp_record *rec)
{
    side *s = ctx;
    return mtp_writer_put_record(s->spool, rec);
}

static mtp_status side_to_workers(void *ctx, const mtp_record *rec)
{
    side *s = ctx;
    return mtp_parallel_feed(s->par, rec);
}

static mtp_status make_side_chain(void *ctx, mtp_stage **stages, mtp_error *err)
{
    const side *s = ctx;
    const mtp_status st = mtp_normalize_new(&s->normalize_opts, &stages[0], err);
    return st == MTP_OK ? mtp_segment_new(&s->segment_opts, &stages[1], err) : st;
}

static mtp_status start_side_workers(const aligned *a, side *s, mtp_error *err)
{
    mtp_parallel_options o;
    mtp_parallel_options_default(&o);
    o.threads = a->cli->common.threads;
    o.stage_count = F_COUNT - 1; /* normalize, segment */
    o.make_chain = make_side_chain;
    o.make_ctx = s;
    o.sink = s->to_spool;
    if (a->cli->block_records > 0) {
        o.block_records = a->cli->block_records;
    }
    const mtp_status st = mtp_parallel_new(&o, &s->par, err);
    if (st == MTP_OK) {
        s->to_normalize = (mtp_sink){side_to_workers, s};
    }
    return st;
}

/* Drains the workers and gives the stand-in stages the merged counts. */
static mtp_status finish_side_workers(side *s, mtp_status st)
{
    const mtp_status finished = mtp_parallel_finish(s->par);
    if (finished != MTP_OK) {
        s->par_failed = 1;
        st = finished;
    }
    for (int f = F_NORMALIZE; f < F_COUNT; f++) {
        *mtp_stage_counts_mut(s->stages[f]) = *mtp_parallel_counts(s->par, (unsigned)(f - 1));
    }
    return st;
}

/* The first message in pipeline order (see cmd_build.c's report_error). */
static int report_side_error(const side *s, mtp_status st, const mtp_error *err)
{
    const char *msg = s->par_failed ? mtp_parallel_error(s->par) : mtp_ingest_error(s->ingest);
    for (int f = s->par_failed ? F_COUNT : F_NORMALIZE; f < F_COUNT && msg[0] == '\0'; f++) {
        msg = mtp_stage_error(s->stages[f]);
    }
    msg = msg[0] != '\0' || s->spool == NULL ? msg : mtp_writer_error(s->spool);
    msg = msg[0] != '\0' ? msg : err->message;
    cli_error("build", "%s", msg[0] != '\0' ? msg : mtp_status_str(st));
    return cli_exit_code(st);
}

static mtp_status feed_side(side *s)
{
    mtp_status st = MTP_OK;
    if (s->feed != NULL) {
        st = s->feed(s->feed_ctx, s->ingest, &s->to_normalize);
    }
    for (int i = 0; s->feed == NULL && i < s->input_count && st == MTP_OK; i++) {
        st = mtp_ingest_path(s->ingest, s->inputs[i], &s->to_normalize);
    }
    if (s->par != NULL) {
        st = finish_side_workers(s, st);
    }
    for (int f = s->par != NULL ? F_COUNT : F_NORMALIZE; f < F_COUNT && st == MTP_OK; f++) {
        const mtp_sink *next = f == F_NORMALIZE ? &s->to_segment : &s->to_spool;
        st = mtp_stage_finish(s->stages[f], next);
    }
    return st == MTP_OK ? mtp_writer_commit(s->spool) : st;
}

int aligned_run_side(const aligned *a, side *s, const char *spool_path)
{
    mtp_error err = {{0}};
    s->to_normalize = (mtp_sink){side_to_normalize, s};
    s->to_segment = (mtp_sink){side_to_segment, s};
    s->to_spool = (mtp_sink){side_to_spool, s};
    mtp_status st =
        mtp_writer_open(spool_path, s->spool_opts, &s->spool, err.message, sizeof err.message);
    if (st == MTP_OK && a->cli->common.threads > 1) {
        st = start_side_workers(a, s, &err);
    }
    if (st == MTP_OK) {
        st = feed_side(s);
    }
    return st == MTP_OK ? 0 : report_side_error(s, st, &err);
}

/* ---- align -> filter -> dedup -> write ---------------------------------- */

/* Where filter's output goes: dedup, through dedup_docs when there is one. */
static const mtp_sink *after_filter(const aligned *a)
{
    return a->docs != NULL ? &a->to_docs : &a->to_dedup;
}

static mtp_status to_filter(void *ctx, const mtp_record *rec)
{
    aligned *a = ctx;
    return mtp_stage_feed(a->tail[T_FILTER], rec, after_filter(a));
}

static mtp_status to_docs(void *ctx, const mtp_record *rec)
{
    aligned *a = ctx;
    return mtp_stage_feed(a->docs, rec, &a->to_dedup);
}

static mtp_status to_filter_workers(void *ctx, const mtp_record *rec)
{
    aligned *a = ctx;
    return mtp_parallel_feed(a->filter_par, rec);
}

static mtp_status to_dedup(void *ctx, const mtp_record *rec)
{
    aligned *a = ctx;
    return mtp_stage_feed(a->tail[T_DEDUP], rec, &a->to_write);
}

static mtp_status to_write(void *ctx, const mtp_record *rec)
{
    aligned *a = ctx;
    return mtp_stage_feed(a->tail[T_WRITE], rec, NULL);
}

static mtp_status make_filter_chain(void *ctx, mtp_stage **stages, mtp_error *err)
{
    const aligned *a = ctx;
    return mtp_filter_new(&a->filter_opts, &stages[0], err);
}

static mtp_status start_filter_workers(aligned *a, mtp_error *err)
{
    mtp_parallel_options o;
    mtp_parallel_options_default(&o);
    o.threads = a->cli->common.threads;
    o.stage_count = 1;
    o.make_chain = make_filter_chain;
    o.make_ctx = a;
    o.sink = *after_filter(a); /* the rest runs on the runner's output thread */
    if (a->cli->block_records > 0) {
        o.block_records = a->cli->block_records;
    }
    const mtp_status st = mtp_parallel_new(&o, &a->filter_par, err);
    if (st == MTP_OK) {
        a->to_filter = (mtp_sink){to_filter_workers, a};
    }
    return st;
}

/* Aligns the two spools into a->to_filter. */
static mtp_status align_spools(aligned *a, mtp_error *err)
{
    mtp_reader *src = NULL, *tgt = NULL;
    const size_t max_line = a->align_common.max_line_bytes;
    mtp_status st = mtp_reader_open(spool_paths[SIDE_SRC], NULL, max_line, &src, err);
    if (st == MTP_OK) {
        st = mtp_reader_open(spool_paths[SIDE_TGT], NULL, max_line, &tgt, err);
    }
    if (st == MTP_OK) {
        st = mtp_align_streams(a->aligner, src, tgt, &a->to_filter);
    }
    mtp_reader_close(tgt);
    mtp_reader_close(src);
    return st;
}

/* The counts write folds into the manifest, named apart: ingest.id ... dedup. */
static void snapshot_upstream(aligned *a)
{
    size_t n = 0;
    for (int s = 0; s < SIDE_COUNT; s++) {
        const side *sd = &a->sides[s];
        a->upstream[n] = *mtp_ingest_counts(sd->ingest);
        for (int f = F_NORMALIZE; f < F_COUNT; f++) {
            a->upstream[n + (size_t)f] = *mtp_stage_counts(sd->stages[f]);
        }
        for (int f = 0; f < F_COUNT; f++) {
            snprintf(a->upstream[n].stage, sizeof a->upstream[n].stage, "%s.%s",
                     build_front_names[f], sd->lang);
            n++;
        }
    }
    a->upstream[n++] = *mtp_aligner_counts(a->aligner);
    for (int t = 0; t < T_WRITE; t++) {
        if (t == T_DEDUP && a->docs != NULL) {
            a->upstream[n++] = *mtp_stage_counts(a->docs);
        }
        a->upstream[n++] = *mtp_stage_counts(a->tail[t]);
    }
    a->upstream_used = n;
}

static mtp_status finish_tail(aligned *a, mtp_status st)
{
    if (a->filter_par != NULL) {
        const mtp_status finished = mtp_parallel_finish(a->filter_par);
        if (finished != MTP_OK) {
            a->filter_par_failed = 1;
            st = finished;
        }
        *mtp_stage_counts_mut(a->tail[T_FILTER]) = *mtp_parallel_counts(a->filter_par, 0);
    }
    for (int t = a->filter_par != NULL ? T_DEDUP : T_FILTER; t < T_COUNT && st == MTP_OK; t++) {
        if (t == T_DEDUP && a->docs != NULL) {
            st = mtp_stage_finish(a->docs, &a->to_dedup);
        }
        if (t == T_WRITE) {
            snapshot_upstream(a);
        }
        const mtp_sink *next = t == T_FILTER ? after_filter(a) : t == T_DEDUP ? &a->to_write : NULL;
        st = st == MTP_OK ? mtp_stage_finish(a->tail[t], next) : st;
    }
    return st;
}

static int report_tail_error(const aligned *a, mtp_status st, const mtp_error *err)
{
    const char *msg = err->message;
    msg = msg[0] != '\0' ? msg : mtp_aligner_error(a->aligner);
    if (msg[0] == '\0' && a->filter_par_failed) {
        msg = mtp_parallel_error(a->filter_par);
    }
    for (int t = 0; t < T_COUNT && msg[0] == '\0'; t++) {
        if (t == T_DEDUP && a->docs != NULL) {
            msg = mtp_stage_error(a->docs);
        }
        msg = msg[0] == '\0' ? mtp_stage_error(a->tail[t]) : msg;
    }
    cli_error("build", "%s", msg[0] != '\0' ? msg : mtp_status_str(st));
    return cli_exit_code(st);
}

static int run_tail(aligned *a)
{
    mtp_error err = {{0}};
    a->to_filter = (mtp_sink){to_filter, a};
    a->to_docs = (mtp_sink){to_docs, a};
    a->to_dedup = (mtp_sink){to_dedup, a};
    a->to_write = (mtp_sink){to_write, a};
    mtp_status st = MTP_OK;
    if (a->cli->common.threads > 1) {
        st = start_filter_workers(a, &err);
    }
    if (st == MTP_OK) {
        st = align_spools(a, &err);
        st = finish_tail(a, st);
    }
    return st == MTP_OK ? 0 : report_tail_error(a, st, &err);
}

/* ---- the whole run ----------------------------------------------------- */

static void print_summaries(const aligned *a)
{
    if (a->cli->common.verbosity == 0) {
        return;
    }
    for (size_t i = 0; i < a->upstream_used; i++) {
        mtp_counts_print_summary(&a->upstream[i], stderr);
    }
    mtp_counts_print_summary(mtp_stage_counts(a->tail[T_WRITE]), stderr);
    fprintf(stderr, "mtprep build: corpus written to %s\n", a->output);
}

static int run_all(aligned *a)
{
    int rc = 0;
    for (int s = 0; s < SIDE_COUNT && rc == 0; s++) {
        rc = aligned_run_side(a, &a->sides[s], spool_paths[s]);
    }
    return rc == 0 ? run_tail(a) : rc;
}

void aligned_release(aligned *a)
{
    mtp_parallel_free(a->filter_par); /* before the stages its output thread feeds */
    mtp_stage_free(a->docs);
    for (int t = 0; t < T_COUNT; t++) {
        mtp_stage_free(a->tail[t]);
    }
    mtp_aligner_free(a->aligner);
    for (int s = 0; s < SIDE_COUNT; s++) {
        side *sd = &a->sides[s];
        mtp_parallel_free(sd->par);
        mtp_writer_free(sd->spool);
        for (int f = 0; f < F_COUNT; f++) {
            mtp_stage_free(sd->stages[f]);
        }
        mtp_ingest_free(sd->ingest);
    }
}

int build_aligned(const build_cli *cli, mtp_recipe *recipe)
{
    static aligned a; /* large; lives for the whole command */
    memset(&a, 0, sizeof a);
    a.cli = cli;
    a.recipe = recipe;
    int rc = aligned_collect_build_section(&a);
    rc = rc == 0 ? aligned_collect_stage_sections(&a) : rc;
    rc = rc == 0 ? build_make_parents(a.output) : rc;
    rc = rc == 0 ? make_spool_dir(a.output) : rc;
    rc = rc == 0 ? aligned_finish_args(&a) : rc;
    rc = rc == 0 ? make_all(&a) : rc;
    rc = rc == 0 ? run_all(&a) : rc;
    if (rc == 0) {
        print_summaries(&a);
    }
    aligned_release(&a);
    if (spool_dir[0] != '\0') {
        spool_armed = 0;
        remove_spools();
    }
    return rc;
}
