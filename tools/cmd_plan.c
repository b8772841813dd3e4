/* mtprep plan [--shards N] [--partitions P] [--out DIR] [--force] --run RUN
 * RECIPE: freezes a sharded run of a recipe, monolingual or aligned.
 *
 * The plan (RUN/plan.json, tools/shard_plan.c) holds everything a task
 * needs: the recipe text, this working directory, the output directory,
 * the inputs as ingest would read them with their sizes and SHA-256, their
 * pieces and shards (tools/shard_inputs.c), N, P, the versions, and its
 * digest. An aligned recipe's sides are listed and cut apart (each into N
 * shards by its own bytes), so shard K's source and target pieces
 * concatenated over K are each side's whole input. Planning the same thing
 * again keeps the run (and its markers); a different plan needs --force,
 * which removes the run's derived files.
 *
 * Memory: the plan (O(inputs + shards)) and one read buffer.
 */
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "build.h"
#include "shard.h"

static const char usage[] =
    "Usage: mtprep plan [OPTIONS] --run RUN RECIPE\n"
    "\n"
    "Plans a sharded run of RECIPE in the directory RUN (created): the inputs\n"
    "are listed as ingest reads them, hashed, and cut into N shards balanced by\n"
    "bytes (a large uncompressed .jsonl file is cut between lines; an aligned\n"
    "recipe's two sides are cut apart, each into N shards); global dedup is\n"
    "spread over P partitions of the key space. Then run\n"
    "  mtprep task map RUN K       for every shard K     (any order, any host)\n"
    "  mtprep task align RUN 0     aligned recipes: the join of both sides; a\n"
    "                              monolingual one with [dedup_docs]: dedup --docs\n"
    "  mtprep task reduce RUN P    for every partition P\n"
    "  mtprep task write RUN K     for every shard K\n"
    "  mtprep task assemble RUN 0\n"
    "or tools/parallel/run.sh RUN, or tools/slurm/submit.sh RUN. The corpus is byte\n"
    "for byte the one 'mtprep build RECIPE' writes, whatever N, P and task order.\n"
    "'mtprep status RUN' shows what is done. Tasks run in the directory plan ran in.\n"
    "\n"
    "Options:\n"
    "      --run RUN          the run directory (required)\n"
    "      --shards N         shards (default 4, at most 99999)\n"
    "      --partitions P     dedup partitions (default N, at most 999)\n"
    "      --out DIR          the corpus directory instead of the recipe's output\n"
    "      --force            replace a different plan in RUN (its task outputs and\n"
    "                         markers are removed); the same plan again keeps them\n"
    "  -q, --quiet            no summary lines\n"
    "      --help             this help\n"
    "Input from stdin is refused, and so is an input that cannot be read.\n"
    "[dedup_docs] runs in align 0, over every shard's records (pairs) in input\n"
    "order.\n";

enum { OPT_RUN = CLI_OPT_FIRST_STAGE_OPTION, OPT_SHARDS, OPT_PARTITIONS, OPT_OUT, OPT_FORCE };

typedef struct plan_cli {
    const char *run;
    const char *recipe_path;
    const char *out;
    unsigned long long shards, partitions; /* partitions 0: N */
    int force, quiet;
} plan_cli;

static int parse_count(const char *name, const char *arg, unsigned max, unsigned long long *out)
{
    if (cli_parse_uint(arg, max, out) != 0 || *out == 0) {
        return cli_usage_error("plan", "--%s takes a number from 1 to %u, not '%s'", name, max,
                               arg);
    }
    return 0;
}

static int take_option(plan_cli *c, int opt, const char *arg)
{
    switch (opt) {
    case OPT_RUN:
        c->run = arg;
        return 0;
    case OPT_OUT:
        c->out = arg;
        return 0;
    case OPT_FORCE:
        c->force = 1;
        return 0;
    case 'q':
        c->quiet = 1;
        return 0;
    case OPT_SHARDS:
        return parse_count("shards", arg, SHARD_MAX_SHARDS, &c->shards);
    default:
        return parse_count("partitions", arg, SHARD_MAX_PARTITIONS, &c->partitions);
    }
}

static int parse_options(int argc, char **argv, plan_cli *c)
{
    static const struct option options[] = {{"run", required_argument, NULL, OPT_RUN},
                                            {"shards", required_argument, NULL, OPT_SHARDS},
                                            {"partitions", required_argument, NULL, OPT_PARTITIONS},
                                            {"out", required_argument, NULL, OPT_OUT},
                                            {"force", no_argument, NULL, OPT_FORCE},
                                            {"quiet", no_argument, NULL, 'q'},
                                            {"help", no_argument, NULL, CLI_OPT_HELP},
                                            {NULL, 0, NULL, 0}};
    cli_getopt_reset();
    int opt;
    while ((opt = getopt_long(argc, argv, ":q", options, NULL)) != -1) {
        if (opt == CLI_OPT_HELP) {
            fputs(usage, stdout);
            return CLI_HELP_SHOWN;
        }
        if (opt == '?' || opt == ':') {
            return cli_option_error("plan", opt, argv);
        }
        const int rc = take_option(c, opt, optarg);
        if (rc != 0) {
            return rc;
        }
    }
    if (argc - optind != 1) {
        return cli_usage_error("plan", "expected exactly one RECIPE argument");
    }
    if (c->run == NULL) {
        return cli_usage_error("plan", "--run RUN is required");
    }
    c->recipe_path = argv[optind];
    c->partitions = c->partitions ? c->partitions : c->shards;
    return 0;
}

/* ==== the plan's content ================================================= */

static char *dup_cstr(const char *s)
{
    return mtp_strndup(s, strlen(s));
}

/* Fills the plan's recipe, workdir, output, shards and partitions. */
static int fill_plan(const plan_cli *c, const mtp_recipe *recipe, const char *output,
                     shard_plan *plan)
{
    char cwd[PATH_MAX];
    if (getcwd(cwd, sizeof cwd) == NULL) {
        cli_error("plan", "cannot name the working directory: %s", strerror(errno));
        return CLI_EXIT_FAILURE;
    }
    plan->recipe_path = dup_cstr(c->recipe_path);
    plan->recipe_text = dup_cstr(mtp_recipe_text(recipe));
    plan->workdir = dup_cstr(cwd);
    plan->output = dup_cstr(output);
    plan->shards = (unsigned)c->shards;
    plan->partitions = (unsigned)c->partitions;
    if (!plan->recipe_path || !plan->recipe_text || !plan->workdir || !plan->output) {
        cli_error("plan", "out of memory");
        return CLI_EXIT_INTERNAL;
    }
    return 0;
}

/* A monolingual recipe: checked as build would (every stage but write made
 * once, write's options read), its inputs listed and cut. */
static int plan_mono(const plan_cli *c, mtp_recipe *recipe, shard_plan *plan)
{
    build *b = NULL;
    int rc = build_mono_load(c->recipe_path, recipe, c->out, &b);
    rc = rc == 0 ? build_mono_make(b, 1, BUILD_NORMALIZE, BUILD_WRITE) : rc;
    rc = rc == 0 && build_mono_has_docs(b) ? build_mono_make_docs(b) : rc;
    rc = rc == 0 ? build_mono_check_write(b) : rc;
    rc = rc == 0 ? fill_plan(c, recipe, build_mono_output(b), plan) : rc;
    if (rc == 0) {
        const char *inputs[BUILD_MAX_INPUTS];
        const int n = build_mono_input_count(b);
        for (int i = 0; i < n; i++) {
            inputs[i] = build_mono_input(b, i);
        }
        rc = shard_plan_inputs(plan, inputs, n);
    }
    build_mono_release(b);
    return rc;
}

/* One side of an aligned recipe, listed and cut into plan->shards shards. */
static int plan_side(const aligned *a, int side, shard_plan *plan)
{
    const char *inputs[BUILD_MAX_INPUTS];
    const int n = build_aligned_input_count(a, side);
    for (int i = 0; i < n; i++) {
        inputs[i] = build_aligned_input(a, side, i);
    }
    return shard_plan_inputs(plan, inputs, n);
}

/* An aligned recipe: every stage but write made once, write's options read;
 * each side's inputs cut into N shards balanced by that side's bytes. */
static int plan_aligned(const plan_cli *c, mtp_recipe *recipe, shard_plan *plan)
{
    aligned *a = NULL;
    shard_plan tgt;
    memset(&tgt, 0, sizeof tgt);
    int rc = build_aligned_load(c->recipe_path, recipe, c->out, &a);
    for (int s = 0; s < BUILD_SIDES && rc == 0; s++) {
        rc = build_aligned_make_side(a, s);
    }
    rc = rc == 0 ? build_aligned_make_tail(a, 1, BUILD_TAIL_FILTER, BUILD_TAIL_WRITE) : rc;
    rc = rc == 0 && build_aligned_has_docs(a) ? build_aligned_make_docs(a) : rc;
    rc = rc == 0 ? build_aligned_check_write(a) : rc;
    rc = rc == 0 ? fill_plan(c, recipe, build_aligned_output(a), plan) : rc;
    plan->aligned = 1;
    tgt.shards = plan->shards;
    rc = rc == 0 ? plan_side(a, BUILD_SIDE_SRC, plan) : rc;
    rc = rc == 0 ? plan_side(a, BUILD_SIDE_TGT, &tgt) : rc;
    rc = rc == 0 ? shard_plan_add_target(plan, &tgt) : rc;
    shard_plan_release(&tgt);
    build_aligned_release(a);
    return rc;
}

static int make_plan(const plan_cli *c, shard_plan *plan)
{
    mtp_recipe *recipe = NULL;
    mtp_error err = {{0}};
    const mtp_status st = mtp_recipe_load(c->recipe_path, &recipe, &err);
    if (st != MTP_OK) {
        cli_error("plan", "%s", err.message);
        return cli_exit_code(st);
    }
    const int is_aligned = build_recipe_is_aligned(recipe);
    plan->docs = !is_aligned && mtp_recipe_has_section(recipe, BUILD_DOCS_SECTION);
    int rc = is_aligned ? plan_aligned(c, recipe, plan) : plan_mono(c, recipe, plan);
    rc = rc == 0 ? shard_plan_digest(plan) : rc;
    mtp_recipe_free(recipe);
    return rc;
}

/* ==== the run directory ================================================== */

/* The digest of RUN/plan.json, "" when there is none (or it is unreadable). */
static void existing_digest(const char *run, char *digest)
{
    char path[SHARD_PATH_CAPACITY];
    digest[0] = '\0';
    if (shard_path(path, "%s/plan.json", run) != 0) {
        return;
    }
    json_t *o = json_load_file(path, 0, NULL);
    const char *d = json_string_value(json_object_get(o, "plan_digest"));
    if (d != NULL && strlen(d) < SHARD_DIGEST_CAPACITY) {
        memcpy(digest, d, strlen(d) + 1);
    } else if (o != NULL || access(path, F_OK) == 0) {
        memcpy(digest, "?", 2); /* something else is there */
    }
    json_decref(o);
}

static const char *const derived_dirs[] = {"map", "align", "keys", "drop", "out", "done"};
#define DERIVED_COUNT (sizeof derived_dirs / sizeof derived_dirs[0])

static int wipe_derived(const char *run)
{
    for (size_t i = 0; i < DERIVED_COUNT; i++) {
        char dir[SHARD_PATH_CAPACITY];
        if (shard_path(dir, "%s/%s", run, derived_dirs[i]) != 0 || shard_remove_tree(dir) != 0) {
            cli_error("plan", "%s/%s: cannot remove: %s", run, derived_dirs[i], strerror(errno));
            return CLI_EXIT_FAILURE;
        }
    }
    return 0;
}

static int make_run_dirs(const char *run)
{
    int failed = shard_mkdirs(run) != 0;
    for (size_t i = 0; !failed && i < DERIVED_COUNT; i++) {
        char dir[SHARD_PATH_CAPACITY];
        failed = shard_path(dir, "%s/%s", run, derived_dirs[i]) != 0 || shard_mkdirs(dir) != 0;
    }
    if (failed) {
        cli_error("plan", "%s: cannot create the run directory: %s", run, strerror(errno));
        return CLI_EXIT_FAILURE;
    }
    return 0;
}

/* ==== summary ============================================================ */

static uint64_t shard_bytes(const shard_plan *plan, unsigned k)
{
    uint64_t bytes = 0;
    for (size_t i = plan->shard_first[k]; i < plan->shard_first[k + 1]; i++) {
        bytes += plan->pieces[i].length;
    }
    return bytes;
}

static void print_summary(const shard_plan *plan, const char *run)
{
    uint64_t total = 0;
    for (size_t i = 0; i < plan->file_count; i++) {
        total += plan->files[i].bytes;
    }
    fprintf(stderr, "mtprep plan: %zu input files (%llu names ignored), %llu bytes, %zu pieces\n",
            plan->file_count, (unsigned long long)plan->files_ignored, (unsigned long long)total,
            plan->piece_count);
    fprintf(stderr, "mtprep plan: %u shards, bytes:", plan->shards);
    for (unsigned k = 0; k < plan->shards && k < 64; k++) {
        fprintf(stderr, " %llu", (unsigned long long)shard_bytes(plan, k));
    }
    fprintf(stderr, "%s; %u partitions\n", plan->shards > 64 ? " ..." : "", plan->partitions);
    fprintf(stderr,
            "mtprep plan: next: mtprep task map %s K for K = 0..%u (then %sreduce, write, "
            "assemble), or tools/parallel/run.sh %s\n",
            run, plan->shards - 1, plan->aligned ? "align, " : "", run);
}

/* Writes the plan unless RUN holds the same one; a different one needs --force. */
static int settle_run(const plan_cli *c, const shard_plan *plan)
{
    char old[SHARD_DIGEST_CAPACITY];
    existing_digest(c->run, old);
    if (strcmp(old, plan->digest) == 0) {
        if (!c->quiet) {
            fprintf(stderr, "mtprep plan: plan unchanged in %s; its finished tasks stay done\n",
                    c->run);
        }
        return 0;
    }
    if (old[0] != '\0' && !c->force) {
        cli_error("plan",
                  "%s holds a different plan; use --force to replace it (its task "
                  "outputs and markers are removed) or a new --run directory",
                  c->run);
        return CLI_EXIT_USAGE;
    }
    int rc = old[0] != '\0' ? wipe_derived(c->run) : 0;
    rc = rc == 0 ? make_run_dirs(c->run) : rc;
    rc = rc == 0 ? shard_plan_save(plan, c->run) : rc;
    if (rc == 0 && !c->quiet) {
        print_summary(plan, c->run);
    }
    return rc;
}

int cmd_plan(int argc, char **argv)
{
    plan_cli c = {NULL, NULL, NULL, 4, 0, 0, 0};
    int rc = parse_options(argc, argv, &c);
    if (rc != 0) {
        return rc == CLI_HELP_SHOWN ? CLI_EXIT_OK : rc;
    }
    static shard_plan plan;
    memset(&plan, 0, sizeof plan);
    rc = make_plan(&c, &plan);
    rc = rc == 0 ? settle_run(&c, &plan) : rc;
    shard_plan_release(&plan);
    return rc;
}
