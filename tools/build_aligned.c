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
 * from the same argv through the build_aligned_* functions at the end: a
 * side fed a shard's pieces into a spool, align and filter, dedup, write.
 */
#include <assert.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "build.h"
#include "mtprep/parallel.h"

#define PATH_CAPACITY 4096

enum { SIDE_SRC, SIDE_TGT, SIDE_COUNT };
enum { F_INGEST, F_NORMALIZE, F_SEGMENT, F_COUNT };
enum { T_FILTER, T_DEDUP, T_WRITE, T_COUNT };

static const char *const front_names[F_COUNT] = {"ingest", "normalize", "segment"};
static const char *const tail_names[T_COUNT] = {"filter", "dedup", "write"};
static const char *const spool_names[SIDE_COUNT] = {"source.records", "target.records"};

/* Manifest counts: the front stages of both sides, align, filter, dedup. */
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
    mtp_parallel *filter_par; /* filter on worker threads, or NULL */
    int filter_par_failed;
    mtp_sink to_filter, to_dedup, to_write;
    mtp_counts upstream[UPSTREAM_COUNT];
} aligned;

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

/* ---- recipe -> stage argv ---------------------------------------------- */

static int take_build_entry(aligned *a, const mtp_recipe_entry *e)
{
    side *src = &a->sides[SIDE_SRC], *tgt = &a->sides[SIDE_TGT];
    const int is_src = strcmp(e->key, "input") == 0;
    if (is_src || strcmp(e->key, "tgt-input") == 0) {
        side *s = is_src ? src : tgt;
        if (s->input_count >= BUILD_MAX_INPUTS) {
            return cli_usage_error("build", "%s:%u: more than %d %s entries", a->cli->recipe_path,
                                   e->line, BUILD_MAX_INPUTS, e->key);
        }
        s->inputs[s->input_count++] = e->value;
    } else if (strcmp(e->key, "output") == 0) {
        a->output = e->value;
    } else if (strcmp(e->key, "lang") == 0) {
        src->lang = e->value;
    } else if (strcmp(e->key, "tgt-lang") == 0) {
        tgt->lang = e->value;
    } else {
        return cli_usage_error("build",
                               "%s:%u: unknown [build] key '%s' (input, tgt-input, lang, "
                               "tgt-lang, output)",
                               a->cli->recipe_path, e->line, e->key);
    }
    return 0;
}

static int collect_build_section(aligned *a)
{
    a->sides[SIDE_SRC].lang = "id";
    a->sides[SIDE_TGT].lang = "en";
    for (size_t i = 0; i < mtp_recipe_entry_count(a->recipe); i++) {
        const mtp_recipe_entry *e = mtp_recipe_entry_at(a->recipe, i);
        const int rc = strcmp(e->section, "build") == 0 ? take_build_entry(a, e) : 0;
        if (rc != 0) {
            return rc;
        }
    }
    if (a->cli->out_override != NULL) {
        a->output = a->cli->out_override;
    }
    if (a->sides[SIDE_SRC].input_count == 0 || a->output == NULL) {
        return cli_usage_error("build", "%s: [build] needs at least one 'input' and an 'output'",
                               a->cli->recipe_path);
    }
    if (strcmp(a->sides[SIDE_SRC].lang, a->sides[SIDE_TGT].lang) == 0) {
        return cli_usage_error("build", "%s: [build] lang and tgt-lang are both '%s'",
                               a->cli->recipe_path, a->sides[SIDE_SRC].lang);
    }
    return 0;
}

/* "segment-en" -> F_SEGMENT of the side whose language is "en". Returns 0,
 * or -1 when `section` names no front stage of either side. */
static int side_section(const aligned *a, const char *section, int *stage, int *which)
{
    for (int f = 0; f < F_COUNT; f++) {
        const size_t n = strlen(front_names[f]);
        if (strncmp(section, front_names[f], n) != 0 || section[n] != '-') {
            continue;
        }
        for (int s = 0; s < SIDE_COUNT; s++) {
            if (strcmp(section + n + 1, a->sides[s].lang) == 0) {
                *stage = f;
                *which = s;
                return 0;
            }
        }
    }
    return -1;
}

static int front_index(const char *section)
{
    for (int f = 0; f < F_COUNT; f++) {
        if (strcmp(section, front_names[f]) == 0) {
            return f;
        }
    }
    return -1;
}

static int tail_index(const char *section)
{
    for (int t = 0; t < T_COUNT; t++) {
        if (strcmp(section, tail_names[t]) == 0) {
            return t;
        }
    }
    return -1;
}

/* Keys build sets itself, per section; a recipe setting one is refused. */
static int reserved_key(const mtp_recipe_entry *e)
{
    static const char *const reserved[][2] = {
        {"segment", "lang"}, {"align", "src-lang"}, {"align", "tgt-lang"},
        {"write", "out"},    {"write", "lang"},     {"write", "tgt-lang"},
    };
    for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++) {
        if (strcmp(e->section, reserved[i][0]) == 0 && strcmp(e->key, reserved[i][1]) == 0) {
            return 1;
        }
    }
    return 0;
}

/* One entry of a shared section (pass 0) or of a [STAGE-LANG] one (pass 1). */
static int take_stage_entry(aligned *a, const mtp_recipe_entry *e, int pass)
{
    const build_cli *cli = a->cli;
    int f = 0, s = 0;
    if (side_section(a, e->section, &f, &s) == 0) {
        return pass == 1 ? build_push_option(cli, &a->sides[s].args[f], e) : 0;
    }
    if (pass == 1) {
        return 0;
    }
    if (reserved_key(e)) {
        return cli_usage_error("build", "%s:%u: [%s] %s is set by build from [build]",
                               cli->recipe_path, e->line, e->section, e->key);
    }
    if ((f = front_index(e->section)) >= 0) {
        const int rc = build_push_option(cli, &a->sides[SIDE_SRC].args[f], e);
        return rc != 0 ? rc : build_push_option(cli, &a->sides[SIDE_TGT].args[f], e);
    }
    if (strcmp(e->section, "align") == 0) {
        return build_push_option(cli, &a->align_args, e);
    }
    if (tail_index(e->section) >= 0) {
        return build_push_option(cli, &a->tail_args[tail_index(e->section)], e);
    }
    return cli_usage_error("build",
                           "%s:%u: unknown section [%s] (build, ingest, normalize, segment, "
                           "their -%s and -%s variants, align, filter, dedup, write)",
                           cli->recipe_path, e->line, e->section, a->sides[SIDE_SRC].lang,
                           a->sides[SIDE_TGT].lang);
}

static void start_all_args(aligned *a)
{
    for (int s = 0; s < SIDE_COUNT; s++) {
        for (int f = 0; f < F_COUNT; f++) {
            build_start_args(a->cli, &a->sides[s].args[f], front_names[f]);
        }
        build_push_arg(&a->sides[s].args[F_SEGMENT], "--lang");
        build_push_arg(&a->sides[s].args[F_SEGMENT], a->sides[s].lang);
    }
    build_start_args(a->cli, &a->align_args, "align");
    build_push_arg(&a->align_args, "--src-lang");
    build_push_arg(&a->align_args, a->sides[SIDE_SRC].lang);
    build_push_arg(&a->align_args, "--tgt-lang");
    build_push_arg(&a->align_args, a->sides[SIDE_TGT].lang);
    for (int t = 0; t < T_COUNT; t++) {
        build_start_args(a->cli, &a->tail_args[t], tail_names[t]);
    }
}

/* Shared sections first, then the per-side ones, so that a side's own
 * options come later on its argv and win. */
static int collect_stage_sections(aligned *a)
{
    start_all_args(a);
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < mtp_recipe_entry_count(a->recipe); i++) {
            const mtp_recipe_entry *e = mtp_recipe_entry_at(a->recipe, i);
            const int rc = strcmp(e->section, "build") == 0 ? 0 : take_stage_entry(a, e, pass);
            if (rc != 0) {
                return rc;
            }
        }
    }
    return 0;
}

/* Arguments that depend on the spool directory or follow every recipe option. */
static int finish_args(aligned *a)
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

static int make_side(side *s)
{
    int rc = make_side_ingest(s);
    rc = rc == 0 ? make_side_normalize(s) : rc;
    return rc == 0 ? make_side_segment(s) : rc;
}

static int make_aligner(aligned *a)
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

static int make_tail_stage(aligned *a, int t)
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
        o.upstream_count = UPSTREAM_COUNT;
        o.recipe_text = mtp_recipe_text(a->recipe);
        st = rc == 0 ? mtp_write_new(&o, &a->tail[t], &err) : MTP_OK;
    }
    if ((rc = build_check_parsed(tail_names[t], rc, args, &common)) != 0) {
        return rc;
    }
    return st == MTP_OK ? 0 : build_make_failed(tail_names[t], st, &err);
}

static int make_all(aligned *a)
{
    int rc = 0;
    for (int s = 0; s < SIDE_COUNT && rc == 0; s++) {
        rc = make_side(&a->sides[s]);
    }
    if (rc == 0) {
        rc = make_aligner(a);
    }
    for (int t = 0; t < T_COUNT && rc == 0; t++) {
        rc = make_tail_stage(a, t);
    }
    return rc;
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

static int run_side(const aligned *a, side *s, const char *spool_path)
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

static mtp_status to_filter(void *ctx, const mtp_record *rec)
{
    aligned *a = ctx;
    return mtp_stage_feed(a->tail[T_FILTER], rec, &a->to_dedup);
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
    o.sink = a->to_dedup; /* dedup and write run on the runner's output thread */
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
            snprintf(a->upstream[n].stage, sizeof a->upstream[n].stage, "%s.%s", front_names[f],
                     sd->lang);
            n++;
        }
    }
    a->upstream[n++] = *mtp_aligner_counts(a->aligner);
    for (int t = 0; t < T_WRITE; t++) {
        a->upstream[n++] = *mtp_stage_counts(a->tail[t]);
    }
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
        if (t == T_WRITE) {
            snapshot_upstream(a);
        }
        const mtp_sink *next = t == T_FILTER ? &a->to_dedup : t == T_DEDUP ? &a->to_write : NULL;
        st = mtp_stage_finish(a->tail[t], next);
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
        msg = mtp_stage_error(a->tail[t]);
    }
    cli_error("build", "%s", msg[0] != '\0' ? msg : mtp_status_str(st));
    return cli_exit_code(st);
}

static int run_tail(aligned *a)
{
    mtp_error err = {{0}};
    a->to_filter = (mtp_sink){to_filter, a};
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
    for (size_t i = 0; i < UPSTREAM_COUNT; i++) {
        mtp_counts_print_summary(&a->upstream[i], stderr);
    }
    mtp_counts_print_summary(mtp_stage_counts(a->tail[T_WRITE]), stderr);
    fprintf(stderr, "mtprep build: corpus written to %s\n", a->output);
}

static int run_all(aligned *a)
{
    int rc = 0;
    for (int s = 0; s < SIDE_COUNT && rc == 0; s++) {
        rc = run_side(a, &a->sides[s], spool_paths[s]);
    }
    return rc == 0 ? run_tail(a) : rc;
}

static void release(aligned *a)
{
    mtp_parallel_free(a->filter_par); /* before the stages its output thread feeds */
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
    int rc = collect_build_section(&a);
    rc = rc == 0 ? collect_stage_sections(&a) : rc;
    rc = rc == 0 ? build_make_parents(a.output) : rc;
    rc = rc == 0 ? make_spool_dir(a.output) : rc;
    rc = rc == 0 ? finish_args(&a) : rc;
    rc = rc == 0 ? make_all(&a) : rc;
    rc = rc == 0 ? run_all(&a) : rc;
    if (rc == 0) {
        print_summaries(&a);
    }
    release(&a);
    if (spool_dir[0] != '\0') {
        spool_armed = 0;
        remove_spools();
    }
    return rc;
}

/* ---- the aligned chain in pieces, for sharded tasks --------------------- */

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
    int rc = collect_build_section(&a);
    rc = rc == 0 ? collect_stage_sections(&a) : rc;
    rc = rc == 0 ? finish_args(&a) : rc; /* align's two spool names stay empty */
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
    return build_check_parsed(tail_names[T_WRITE], rc, args, &common);
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
    return make_side(&a->sides[side_index]);
}

int build_aligned_run_side(aligned *a, int side_index, const char *spool_path,
                           const mtp_writer_options *opts, build_side_feed feed, void *ctx)
{
    side *s = &a->sides[side_index];
    s->spool_opts = opts;
    s->feed = feed;
    s->feed_ctx = ctx;
    return run_side(a, s, spool_path);
}

const mtp_counts *build_aligned_front_counts(const aligned *a, int side_index, int stage)
{
    const side *s = &a->sides[side_index];
    return stage == F_INGEST ? mtp_ingest_counts(s->ingest) : mtp_stage_counts(s->stages[stage]);
}

int build_aligned_make_tail(aligned *a, int with_aligner, int first, int limit)
{
    int rc = with_aligner ? make_aligner(a) : 0;
    for (int t = first; t < limit && rc == 0; t++) {
        rc = make_tail_stage(a, t);
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

void build_aligned_release(aligned *a)
{
    if (a != NULL) {
        release(a);
    }
}
