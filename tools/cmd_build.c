/* mtprep build RECIPE: the whole chain in one process.
 *
 * This file holds the command line, the shared recipe-to-argv helpers
 * (tools/build.h) and the monolingual chain, which sharded tasks also make
 * stage by stage (build_mono_*, tools/shard_*.c); a recipe whose [build] names a
 * tgt-input is an aligned build, run by tools/build_aligned.c. Either way
 * build first creates the output directory's missing parents (mkdir -p),
 * which write alone refuses to do.
 *
 * ingest -> normalize -> segment -> filter -> dedup -> write, each stage made
 * from its recipe section by the same option parser its subcommand uses, so
 * a recipe means what the same options mean in a pipe, and the corpus bytes
 * are the same either way. Stage counts are folded into the manifest along
 * with the recipe text.
 *
 * With --threads N (N > 1) normalize -> segment -> filter run on N worker
 * threads (mtprep/parallel.h), each with its own three stages made from the
 * same parsed options, over blocks of ingest's records; blocks come back in
 * input order to dedup and write on this thread, and the worker counts are
 * merged, so every corpus file, MANIFEST.json included, is the same for
 * every N. The thread count is a command-line option only, never a recipe
 * key: the recipe is copied into the manifest. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "build.h"
#include "mtprep/parallel.h"

#define MAX_STAGE_ARGS BUILD_MAX_STAGE_ARGS
#define MAX_INPUTS BUILD_MAX_INPUTS
#define OPTION_POOL 2048 /* "--key" strings of one recipe */

enum { ST_NORMALIZE, ST_SEGMENT, ST_FILTER, ST_DEDUP, ST_WRITE, ST_COUNT };

static const char *const stage_names[ST_COUNT] = {"normalize", "segment", "filter", "dedup",
                                                  "write"};

typedef struct build {
    build_cli cli; /* what the command line says */
    mtp_recipe *recipe;
    const char *inputs[MAX_INPUTS];
    int input_count;
    const char *output;
    const char *lang;
    build_args ingest_args;
    build_args args[ST_COUNT];
    mtp_ingest *ingest;
    mtp_stage *stages[ST_COUNT];
    mtp_sink links[ST_COUNT];             /* links[i] feeds stages[i] */
    build_args docs_args;                 /* [dedup_docs]: dedup --docs between filter and dedup */
    int has_docs;                         /* the recipe has a [dedup_docs] section */
    mtp_dedup_docs_options docs_opts;     /* borrowed by the stage */
    mtp_stage *docs;                      /* its stage, or NULL */
    mtp_sink docs_link;                   /* feeds docs */
    mtp_counts upstream[ST_COUNT + 1];    /* ingest, the stages before write (docs too) */
    mtp_normalize_options normalize_opts; /* parsed once; worker chains are made from them */
    mtp_segment_options segment_opts;
    mtp_filter_options filter_opts;
    /* parsed with the stage; sharded tasks key records with it */
    mtp_dedup_options dedup_opts;
    mtp_parallel *par; /* normalize..filter on worker threads, or NULL */
    int par_failed;    /* the failure came out of par: a chain's, or dedup's or write's */
} build;

static const char usage[] =
    "Usage: mtprep build [OPTIONS] RECIPE\n"
    "\n"
    "Runs ingest -> normalize -> segment -> filter -> dedup -> write as one process,\n"
    "configured by RECIPE (see README.md, 'Recipes'). Each [stage] section's\n"
    "'key = value' lines are that stage's command-line options (--key value; an\n"
    "empty value is a flag). The corpus equals the one the piped stages write with\n"
    "the same options; the recipe text and every stage's counts go into MANIFEST.json.\n"
    "Missing parent directories of the output are created. A [dedup_docs] section\n"
    "(dedup --docs's options) drops near-duplicate documents between filter and dedup.\n"
    "\n"
    "Aligned build: when [build] has tgt-input (target side, repeatable) besides\n"
    "input (source side), each side runs ingest -> normalize -> segment --lang\n"
    "(lang, default id; tgt-lang, default en) into a spool file beside the output,\n"
    "then align -> filter -> dedup -> write --tgt-lang. [ingest], [normalize] and\n"
    "[segment] apply to both sides, [STAGE-LANG] (e.g. [segment-en]) to one; [align]\n"
    "configures align. Counts are named per side: ingest.id, segment.en, align, ...\n"
    "\n"
    "Options:\n"
    "      --out DIR             write the corpus to DIR instead of the recipe's output\n"
    "      --on-error skip|fail  default policy for every stage (a section may override)\n"
    "      --threads N           run normalize, segment and filter on N worker threads\n"
    "                            (default 1; aligned: each side's normalize and\n"
    "                            segment, then filter) and compress the train files\n"
    "                            on N zstd threads; the corpus is identical for every N\n"
    "      --block-records N     records per worker block (default 4096; with --threads)\n"
    "  -q, --quiet               no per-stage summary lines\n"
    "  -v, --verbose             more detail\n"
    "      --progress            progress line on stderr even when not a terminal\n"
    "      --help                this help\n";

/* ---- options ----------------------------------------------------------- */

enum { OPT_OUT = CLI_OPT_FIRST_STAGE_OPTION, OPT_BLOCK_RECORDS };

static int parse_block_records(build *b, const char *arg)
{
    unsigned long long n = 0;
    if (cli_parse_uint(arg, 1ull << 30, &n) != 0 || n == 0) {
        return cli_usage_error("build", "--block-records takes a positive number, not '%s'", arg);
    }
    b->cli.block_records = (size_t)n;
    return 0;
}

static int parse_options(build *b, int argc, char **argv)
{
    static const struct option options[] = {
        {"out", required_argument, NULL, OPT_OUT},
        {"block-records", required_argument, NULL, OPT_BLOCK_RECORDS},
        CLI_COMMON_LONG_OPTIONS,
        {NULL, 0, NULL, 0}};
    cli_common_default(&b->cli.common);
    cli_getopt_reset();
    int opt;
    while ((opt = getopt_long(argc, argv, ":qv", options, NULL)) != -1) {
        if (opt == '?' || opt == ':') {
            return cli_option_error("build", opt, argv);
        }
        if (opt == OPT_OUT) {
            b->cli.out_override = optarg;
            continue;
        }
        if (opt == OPT_BLOCK_RECORDS) {
            if (parse_block_records(b, optarg) != 0) {
                return CLI_EXIT_USAGE;
            }
            continue;
        }
        if (opt == CLI_OPT_HELP) {
            fputs(usage, stdout);
            return CLI_HELP_SHOWN;
        }
        b->cli.common_given_on_error |= opt == CLI_OPT_ON_ERROR;
        const int handled = cli_common_option(&b->cli.common, "build", opt, optarg);
        if (handled != 1) {
            return handled == 0 ? cli_usage_error("build", "unknown option") : handled;
        }
    }
    if (optind != argc - 1) {
        return cli_usage_error("build", "expected exactly one RECIPE argument");
    }
    b->cli.recipe_path = argv[optind];
    return 0;
}

/* ---- recipe -> stage argv ---------------------------------------------- */

int build_push_arg(build_args *a, const char *arg)
{
    if (a->argc >= MAX_STAGE_ARGS - 1) {
        return -1;
    }
    a->argv[a->argc++] = (char *)arg;
    a->argv[a->argc] = NULL;
    return 0;
}

static int stage_index(const char *section)
{
    for (int i = 0; i < ST_COUNT; i++) {
        if (strcmp(section, stage_names[i]) == 0) {
            return i;
        }
    }
    return -1;
}

void build_start_args(const build_cli *cli, build_args *a, const char *name)
{
    a->argc = 0;
    build_push_arg(a, name);
    if (cli->common_given_on_error) {
        build_push_arg(a, "--on-error");
        build_push_arg(a, cli->common.on_error == MTP_ON_ERROR_FAIL ? "fail" : "skip");
    }
    build_push_arg(a, "--quiet"); /* build prints the summaries itself */
}

static int take_build_entry(build *b, const mtp_recipe_entry *e)
{
    if (strcmp(e->key, "input") == 0 && b->input_count < MAX_INPUTS) {
        b->inputs[b->input_count++] = e->value;
    } else if (strcmp(e->key, "output") == 0) {
        b->output = e->value;
    } else if (strcmp(e->key, "lang") == 0) {
        b->lang = e->value;
    } else {
        return cli_usage_error("build",
                               "%s:%u: unknown [build] key '%s' (input, output, lang; "
                               "tgt-input and tgt-lang for an aligned build)",
                               b->cli.recipe_path, e->line, e->key);
    }
    return 0;
}

/* Turns `key = value` into --key [value]; the option strings live in a
 * static pool because getopt keeps pointers to them. */
int build_push_option(const build_cli *cli, build_args *a, const mtp_recipe_entry *e)
{
    static char pool[OPTION_POOL][80];
    static int used = 0;
    if (used >= OPTION_POOL) {
        return cli_usage_error("build", "%s: too many options", cli->recipe_path);
    }
    char *flag = pool[used++];
    snprintf(flag, sizeof pool[0], "--%s", e->key);
    if (build_push_arg(a, flag) != 0 || (e->value[0] != '\0' && build_push_arg(a, e->value) != 0)) {
        return cli_usage_error("build", "%s:%u: too many options", cli->recipe_path, e->line);
    }
    return 0;
}

static int collect_entries(build *b)
{
    build_start_args(&b->cli, &b->ingest_args, "ingest");
    for (int i = 0; i < ST_COUNT; i++) {
        build_start_args(&b->cli, &b->args[i], stage_names[i]);
    }
    build_start_args(&b->cli, &b->docs_args, "dedup");
    build_push_arg(&b->docs_args, "--docs");
    b->has_docs = mtp_recipe_has_section(b->recipe, BUILD_DOCS_SECTION);
    for (size_t i = 0; i < mtp_recipe_entry_count(b->recipe); i++) {
        const mtp_recipe_entry *e = mtp_recipe_entry_at(b->recipe, i);
        int rc = 0;
        if (strcmp(e->section, "build") == 0) {
            rc = take_build_entry(b, e);
        } else if (strcmp(e->section, "ingest") == 0) {
            rc = build_push_option(&b->cli, &b->ingest_args, e);
        } else if (strcmp(e->section, BUILD_DOCS_SECTION) == 0) {
            rc = build_push_option(&b->cli, &b->docs_args, e);
        } else if (stage_index(e->section) >= 0) {
            rc = build_push_option(&b->cli, &b->args[stage_index(e->section)], e);
        } else {
            rc = cli_usage_error("build",
                                 "%s:%u: unknown section [%s] (a monolingual recipe; [align] "
                                 "and per-language sections need tgt-input in [build])",
                                 b->cli.recipe_path, e->line, e->section);
        }
        if (rc != 0) {
            return rc;
        }
    }
    return 0;
}

static int check_build_section(build *b)
{
    if (b->cli.out_override != NULL) {
        b->output = b->cli.out_override;
    }
    if (b->input_count == 0 || b->output == NULL) {
        return cli_usage_error("build", "%s: [build] needs at least one 'input' and an 'output'",
                               b->cli.recipe_path);
    }
    if (b->lang == NULL) {
        b->lang = "id";
    }
    build_args *w = &b->args[ST_WRITE];
    if (build_push_arg(w, "--out") || build_push_arg(w, b->output) || build_push_arg(w, "--lang") ||
        build_push_arg(w, b->lang)) {
        return cli_usage_error("build", "%s: too many [write] options", b->cli.recipe_path);
    }
    return 0;
}

/* ---- making the stages ------------------------------------------------- */

int build_check_parsed(const char *section, int rc, const build_args *a, const cli_common *common)
{
    if (rc == CLI_HELP_SHOWN) {
        return CLI_EXIT_USAGE;
    }
    if (rc != 0) {
        return rc;
    }
    if (optind < a->argc) {
        return cli_usage_error("build", "[%s]: unexpected value '%s'", section, a->argv[optind]);
    }
    if (common->threads != 1) {
        return cli_usage_error("build",
                               "[%s]: 'threads' is not a recipe key; use 'mtprep build "
                               "--threads N' (the recipe goes into the manifest)",
                               section);
    }
    return 0;
}

int build_make_failed(const char *name, mtp_status st, const mtp_error *err)
{
    cli_error("build", "%s: %s", name, err->message[0] ? err->message : mtp_status_str(st));
    return cli_exit_code(st);
}

/* mkdir -p over the leading components of `output` (not `output` itself). */
int build_make_parents(const char *output)
{
    char path[4096];
    if (snprintf(path, sizeof path, "%s", output) >= (int)sizeof path) {
        cli_error("build", "%s: path too long", output);
        return CLI_EXIT_FAILURE;
    }
    for (char *p = path + 1; *p != '\0'; p++) {
        if (*p != '/' || p[1] == '\0' || p[-1] == '/') {
            continue;
        }
        *p = '\0';
        const int failed = mkdir(path, 0777) != 0 && errno != EEXIST;
        *p = '/';
        if (failed) {
            cli_error("build", "cannot create directory '%.*s': %s", (int)(p - path), path,
                      strerror(errno));
            return CLI_EXIT_FAILURE;
        }
    }
    return 0;
}

static int make_ingest(build *b)
{
    mtp_ingest_options opts;
    cli_common common;
    mtp_ingest_options_default(&opts);
    cli_getopt_reset();
    int rc = cli_parse_ingest(b->ingest_args.argc, b->ingest_args.argv, &common, &opts);
    rc = build_check_parsed("ingest", rc, &b->ingest_args, &common);
    if (rc != 0) {
        return rc;
    }
    mtp_error err = {{0}};
    const mtp_status st = mtp_ingest_new(&opts, &b->ingest, &err);
    return st == MTP_OK ? 0 : build_make_failed("ingest", st, &err);
}

static int make_stage(build *b, int i, cli_common *common)
{
    build_args *a = &b->args[i];
    mtp_error err = {{0}};
    mtp_status st = MTP_OK;
    int rc = 0;
    cli_getopt_reset();
    switch (i) {
    case ST_NORMALIZE:
        mtp_normalize_options_default(&b->normalize_opts);
        if ((rc = cli_parse_normalize(a->argc, a->argv, common, &b->normalize_opts)) == 0) {
            st = mtp_normalize_new(&b->normalize_opts, &b->stages[i], &err);
        }
        break;
    case ST_SEGMENT:
        mtp_segment_options_default(&b->segment_opts);
        if ((rc = cli_parse_segment(a->argc, a->argv, common, &b->segment_opts)) == 0) {
            st = mtp_segment_new(&b->segment_opts, &b->stages[i], &err);
        }
        break;
    case ST_FILTER:
        mtp_filter_options_default(&b->filter_opts);
        if ((rc = cli_parse_filter(a->argc, a->argv, common, &b->filter_opts)) == 0) {
            st = mtp_filter_new(&b->filter_opts, &b->stages[i], &err);
        }
        break;
    case ST_DEDUP:
        mtp_dedup_options_default(&b->dedup_opts);
        if ((rc = cli_parse_dedup(a->argc, a->argv, common, &b->dedup_opts)) == 0) {
            st = mtp_dedup_new(&b->dedup_opts, &b->stages[i], &err);
        }
        break;
    default: {
        mtp_write_options o;
        mtp_write_options_default(&o);
        if ((rc = cli_parse_write(a->argc, a->argv, common, &o)) == 0) {
            o.threads = b->cli.common.threads; /* zstd threads for train: same bytes */
            o.upstream = b->upstream;
            o.upstream_count = ST_COUNT + (b->has_docs ? 1 : 0); /* ingest + the stages before */
            o.recipe_text = mtp_recipe_text(b->recipe);
            st = mtp_write_new(&o, &b->stages[i], &err);
        }
        break;
    }
    }
    rc = build_check_parsed(stage_names[i], rc, a, common);
    if (rc != 0) {
        return rc;
    }
    return st == MTP_OK ? 0 : build_make_failed(stage_names[i], st, &err);
}

int build_make_docs(build_args *args, mtp_dedup_docs_options *opts, mtp_stage **out)
{
    cli_common common;
    cli_getopt_reset();
    int rc = cli_parse_dedup_docs(args->argc, args->argv, &common, opts);
    rc = build_check_parsed(BUILD_DOCS_SECTION, rc, args, &common);
    if (rc != 0) {
        return rc;
    }
    mtp_error err = {{0}};
    const mtp_status st = mtp_dedup_docs_new(opts, out, &err);
    return st == MTP_OK ? 0 : build_make_failed(BUILD_DOCS_SECTION, st, &err);
}

static int make_all(build *b)
{
    int rc = make_ingest(b);
    for (int i = 0; i < ST_COUNT && rc == 0; i++) {
        cli_common common;
        cli_common_default(&common);
        rc = make_stage(b, i, &common);
    }
    return rc == 0 && b->has_docs ? build_make_docs(&b->docs_args, &b->docs_opts, &b->docs) : rc;
}

/* ---- running ----------------------------------------------------------- */

/* links[i] feeds stages[i], whose output goes to links[i + 1]. */
typedef struct link_ctx {
    build *b;
    int index;
} link_ctx;

static link_ctx link_ctxs[ST_COUNT];

/* Where stage i's output goes: the next stage, with the [dedup_docs] stage
 * between filter and dedup when there is one. */
static const mtp_sink *next_sink(const build *b, int i)
{
    if (i == ST_FILTER && b->docs != NULL) {
        return &b->docs_link;
    }
    return i + 1 < ST_COUNT ? &b->links[i + 1] : NULL;
}

static mtp_status emit_to_stage(void *ctx, const mtp_record *rec)
{
    const link_ctx *l = ctx;
    build *b = l->b;
    return mtp_stage_feed(b->stages[l->index], rec, next_sink(b, l->index));
}

static mtp_status emit_to_docs(void *ctx, const mtp_record *rec)
{
    build *b = ctx;
    return mtp_stage_feed(b->docs, rec, &b->links[ST_DEDUP]);
}

static void wire_links(build *b)
{
    for (int i = 0; i < ST_COUNT; i++) {
        link_ctxs[i].b = b;
        link_ctxs[i].index = i;
        b->links[i].emit = emit_to_stage;
        b->links[i].ctx = &link_ctxs[i];
    }
    b->docs_link.emit = emit_to_docs;
    b->docs_link.ctx = b;
}

static void snapshot_upstream(build *b)
{
    size_t n = 0;
    b->upstream[n++] = *mtp_ingest_counts(b->ingest);
    for (int i = 0; i < ST_WRITE; i++) {
        if (i == ST_DEDUP && b->docs != NULL) {
            b->upstream[n++] = *mtp_stage_counts(b->docs);
        }
        b->upstream[n++] = *mtp_stage_counts(b->stages[i]);
    }
}

/* The first message in pipeline order. A failure that came out of the
 * worker threads (a chain's, or dedup's or write's on the output thread)
 * wins over ingest's: it concerns records ingest emitted before failing. */
static int report_error(build *b, mtp_status st)
{
    const char *msg = b->par_failed ? mtp_parallel_error(b->par) : mtp_ingest_error(b->ingest);
    for (int i = b->par_failed ? ST_DEDUP : 0; i < ST_COUNT && msg[0] == '\0'; i++) {
        if (i == ST_DEDUP && b->docs != NULL) {
            msg = mtp_stage_error(b->docs);
        }
        msg = msg[0] == '\0' ? mtp_stage_error(b->stages[i]) : msg;
    }
    cli_error("build", "%s", msg[0] ? msg : mtp_status_str(st));
    return cli_exit_code(st);
}

/* ---- normalize .. filter on worker threads ------------------------------ */

static mtp_status make_worker_chain(void *ctx, mtp_stage **stages, mtp_error *err)
{
    const build *b = ctx;
    mtp_status st = mtp_normalize_new(&b->normalize_opts, &stages[0], err);
    if (st == MTP_OK) {
        st = mtp_segment_new(&b->segment_opts, &stages[1], err);
    }
    if (st == MTP_OK) {
        st = mtp_filter_new(&b->filter_opts, &stages[2], err);
    }
    return st;
}

static mtp_status emit_to_workers(void *ctx, const mtp_record *rec)
{
    build *b = ctx;
    return mtp_parallel_feed(b->par, rec);
}

mtp_status build_mono_workers(build *b, unsigned threads, size_t block_records, mtp_sink sink,
                              mtp_parallel **out, mtp_error *err)
{
    mtp_parallel_options o;
    mtp_parallel_options_default(&o);
    o.threads = threads;
    o.stage_count = ST_DEDUP; /* normalize, segment, filter */
    o.make_chain = make_worker_chain;
    o.make_ctx = b;
    o.sink = sink;
    if (block_records > 0) {
        o.block_records = block_records;
    }
    return mtp_parallel_new(&o, out, err);
}

static int start_workers(build *b)
{
    mtp_error err = {{0}};
    /* the stages after filter run on the runner's output thread */
    const mtp_status st = build_mono_workers(b, b->cli.common.threads, b->cli.block_records,
                                             *next_sink(b, ST_FILTER), &b->par, &err);
    if (st != MTP_OK) {
        return build_make_failed("build", st, &err);
    }
    b->links[0].emit = emit_to_workers;
    b->links[0].ctx = b;
    return 0;
}

/* Drains the workers into dedup and gives the stand-in stages the merged
 * counts, which the summary and the manifest read. */
static mtp_status finish_workers(build *b, mtp_status st)
{
    const mtp_status finished = mtp_parallel_finish(b->par);
    if (finished != MTP_OK) { /* about records ingest emitted before any failure of its own */
        b->par_failed = 1;
        st = finished;
    }
    for (int i = 0; i < ST_DEDUP; i++) {
        *mtp_stage_counts_mut(b->stages[i]) = *mtp_parallel_counts(b->par, (unsigned)i);
    }
    return st;
}

static int run_chain(build *b)
{
    wire_links(b);
    if (b->cli.common.threads > 1) {
        const int rc = start_workers(b);
        if (rc != 0) {
            return rc;
        }
    }
    mtp_status st = MTP_OK;
    for (int i = 0; i < b->input_count && st == MTP_OK; i++) {
        st = mtp_ingest_path(b->ingest, b->inputs[i], &b->links[0]);
    }
    const int first = b->par != NULL ? ST_DEDUP : 0;
    if (b->par != NULL) {
        st = finish_workers(b, st);
    }
    for (int i = first; i < ST_COUNT && st == MTP_OK; i++) {
        if (i == ST_DEDUP && b->docs != NULL) {
            st = mtp_stage_finish(b->docs, &b->links[ST_DEDUP]);
        }
        if (i == ST_WRITE) {
            snapshot_upstream(b);
        }
        st = st == MTP_OK ? mtp_stage_finish(b->stages[i], next_sink(b, i)) : st;
    }
    if (st != MTP_OK) {
        return report_error(b, st);
    }
    return 0;
}

static void print_summaries(const build *b)
{
    if (b->cli.common.verbosity == 0) {
        return;
    }
    mtp_counts_print_summary(mtp_ingest_counts(b->ingest), stderr);
    for (int i = 0; i < ST_COUNT; i++) {
        if (i == ST_DEDUP && b->docs != NULL) {
            mtp_counts_print_summary(mtp_stage_counts(b->docs), stderr);
        }
        mtp_counts_print_summary(mtp_stage_counts(b->stages[i]), stderr);
    }
    fprintf(stderr, "mtprep build: corpus written to %s\n", b->output);
}

static void release(build *b)
{
    mtp_parallel_free(b->par); /* first: its threads may feed dedup */
    mtp_stage_free(b->docs);
    for (int i = 0; i < ST_COUNT; i++) {
        mtp_stage_free(b->stages[i]);
    }
    mtp_ingest_free(b->ingest);
    mtp_recipe_free(b->recipe);
}

/* A recipe whose [build] names a tgt-input builds an aligned corpus. */
int build_recipe_is_aligned(const mtp_recipe *recipe)
{
    for (size_t i = 0; i < mtp_recipe_entry_count(recipe); i++) {
        const mtp_recipe_entry *e = mtp_recipe_entry_at(recipe, i);
        if (strcmp(e->section, "build") == 0 && strcmp(e->key, "tgt-input") == 0) {
            return 1;
        }
    }
    return 0;
}

int cmd_build(int argc, char **argv)
{
    static build b; /* large; lives for the whole command */
    memset(&b, 0, sizeof b);
    int rc = parse_options(&b, argc, argv);
    if (rc != 0) {
        return rc == CLI_HELP_SHOWN ? CLI_EXIT_OK : rc;
    }
    mtp_error err = {{0}};
    const mtp_status st = mtp_recipe_load(b.cli.recipe_path, &b.recipe, &err);
    if (st != MTP_OK) {
        cli_error("build", "%s", err.message);
        return cli_exit_code(st);
    }
    if (build_recipe_is_aligned(b.recipe)) {
        rc = build_aligned(&b.cli, b.recipe);
        mtp_recipe_free(b.recipe);
        return rc;
    }
    rc = collect_entries(&b);
    if (rc == 0) {
        rc = check_build_section(&b);
    }
    if (rc == 0) {
        rc = build_make_parents(b.output);
    }
    if (rc == 0) {
        rc = make_all(&b);
    }
    if (rc == 0) {
        rc = run_chain(&b);
        if (rc == 0) {
            print_summaries(&b);
        }
    }
    release(&b);
    return rc;
}

/* ---- the monolingual chain, stage by stage (sharded tasks) -------------- */

int build_mono_load(const char *recipe_path, mtp_recipe *recipe, const char *out_override,
                    build **out)
{
    static build shard_build; /* large; one per process, like cmd_build's */
    build *b = &shard_build;
    memset(b, 0, sizeof *b);
    cli_common_default(&b->cli.common);
    b->cli.recipe_path = recipe_path;
    b->cli.out_override = out_override;
    b->recipe = recipe;
    int rc = collect_entries(b);
    if (rc == 0) {
        rc = check_build_section(b);
    }
    *out = rc == 0 ? b : NULL;
    return rc;
}

int build_mono_input_count(const build *b)
{
    return b->input_count;
}

const char *build_mono_input(const build *b, int i)
{
    return b->inputs[i];
}

const char *build_mono_output(const build *b)
{
    return b->output;
}

int build_mono_check_write(build *b)
{
    build_args *a = &b->args[ST_WRITE];
    cli_common common;
    mtp_write_options o;
    cli_getopt_reset();
    const int rc = cli_parse_write(a->argc, a->argv, &common, &o);
    return build_check_parsed(stage_names[ST_WRITE], rc, a, &common);
}

void build_mono_set_threads(build *b, unsigned threads)
{
    b->cli.common.threads = threads;
}

int build_mono_make(build *b, int with_ingest, int first, int limit)
{
    int rc = with_ingest ? make_ingest(b) : 0;
    for (int i = first; i < limit && rc == 0; i++) {
        cli_common common;
        cli_common_default(&common);
        rc = make_stage(b, i, &common);
    }
    return rc;
}

mtp_ingest *build_mono_ingest(build *b)
{
    return b->ingest;
}

mtp_stage *build_mono_stage(build *b, int i)
{
    return b->stages[i];
}

const mtp_dedup_options *build_mono_dedup_options(const build *b)
{
    return &b->dedup_opts;
}

int build_mono_has_docs(const build *b)
{
    return b->has_docs;
}

int build_mono_make_docs(build *b)
{
    return build_make_docs(&b->docs_args, &b->docs_opts, &b->docs);
}

mtp_stage *build_mono_docs(build *b)
{
    return b->docs;
}

mtp_counts *build_mono_upstream(build *b)
{
    return b->upstream;
}

void build_mono_release(build *b)
{
    if (b == NULL) {
        return;
    }
    for (int i = 0; i < ST_COUNT; i++) {
        mtp_stage_free(b->stages[i]);
        b->stages[i] = NULL;
    }
    mtp_stage_free(b->docs);
    b->docs = NULL;
    mtp_ingest_free(b->ingest);
    b->ingest = NULL;
}
