/* mtprep task STAGE RUN RANK: one rank of a planned sharded run.
 *
 * The engine (tools/slurm, tools/parallel, or a shell loop) runs every map
 * rank, then align 0 (aligned plans, and monolingual ones with
 * [dedup_docs]), every reduce rank, every write
 * rank, and assemble 0. A rank whose marker RUN/done/STAGE/RRRRR holds the
 * plan's digest is done and returns at once; any other rank is (re)done
 * whole in the plan's working directory, its outputs written under
 * temporary names and renamed, its marker last. So a killed task leaves no
 * marker, and re-running the missing ranks repairs the run: before it
 * starts, a task removes the temporaries of its own outputs that a killed
 * run left (any process id no longer running here).
 *
 * Memory: see each stage's file (tools/shard_map.c, shard_reduce.c,
 * shard_write.c).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mtprep/parallel.h"
#include "shard.h"

static const char usage[] =
    "Usage: mtprep task [OPTIONS] STAGE RUN RANK\n"
    "\n"
    "Runs one rank of a run planned with 'mtprep plan'. STAGE is one of:\n"
    "  map K       shard K's ingest .. filter: records and partitioned dedup keys\n"
    "              (memory: the stages' own, plus 16 bytes per record of the shard);\n"
    "              aligned plans: each side's ingest .. segment of shard K\n"
    "  align 0     aligned plans: every shard's two sides joined, aligned and\n"
    "              filtered (and through dedup --docs with [dedup_docs]), the\n"
    "              pairs split back by shard with their dedup keys\n"
    "              (memory: align's own, plus 16 bytes per pair of one shard);\n"
    "              monolingual plans with [dedup_docs]: every shard's records, in\n"
    "              order, through dedup --docs, split back the same way (memory:\n"
    "              dedup --docs's own, plus 16 bytes per record of one shard)\n"
    "  reduce P    partition P's duplicates: a merge of every shard's keys\n"
    "              (memory: read buffers sharing 32 MiB, 16 bytes per duplicate;\n"
    "              N open files)\n"
    "  write K     shard K's records without its duplicates, through dedup\n"
    "              (memory: 8 bytes per duplicate of the shard, plus dedup's own)\n"
    "  assemble 0  the corpus directory, byte for byte the one 'mtprep build' writes\n"
    "\n"
    "Ranks run in any order within a stage; a stage needs every rank of the one\n"
    "before it (align: all maps; reduce: all maps and the align; write: all\n"
    "reduces; assemble: all writes). A rank already done under the current plan\n"
    "does nothing; any other is redone whole, its completion marker written last,\n"
    "after removing the temporaries a killed earlier run of it left. Tasks run in\n"
    "the directory the plan was made in, so the recipe's relative paths mean what\n"
    "they meant there.\n"
    "\n"
    "Options:\n"
    "  -q, --quiet       no summary lines\n"
    "      --threads N   map: normalize and segment (and a monolingual plan's\n"
    "                    filter) on N worker threads; assemble: compress the train\n"
    "                    files on N zstd threads; the bytes are the same for every\n"
    "                    N; the other stages run on one thread\n"
    "      --help        this help\n";

/* STAGE, RUN and RANK, checked against the plan. */
typedef struct task_args {
    int stage;
    const char *run;
    unsigned rank;
} task_args;

/* --threads N: 1 .. MTP_PARALLEL_MAX_THREADS. */
static int parse_threads(shard_task *t, const char *arg)
{
    unsigned long long n = 0;
    if (cli_parse_uint(arg, MTP_PARALLEL_MAX_THREADS, &n) != 0 || n == 0) {
        return cli_usage_error("task", "--threads takes a number from 1 to %d, not '%s'",
                               MTP_PARALLEL_MAX_THREADS, arg);
    }
    t->threads = (unsigned)n;
    return 0;
}

static int parse_options(int argc, char **argv, shard_task *t, task_args *a)
{
    static const struct option options[] = {{"quiet", no_argument, NULL, 'q'},
                                            {"threads", required_argument, NULL, CLI_OPT_THREADS},
                                            {"help", no_argument, NULL, CLI_OPT_HELP},
                                            {NULL, 0, NULL, 0}};
    cli_getopt_reset();
    t->threads = 1;
    int opt;
    while ((opt = getopt_long(argc, argv, ":q", options, NULL)) != -1) {
        int rc = 0;
        if (opt == CLI_OPT_HELP) {
            fputs(usage, stdout);
            return CLI_HELP_SHOWN;
        } else if (opt == CLI_OPT_THREADS) {
            rc = parse_threads(t, optarg);
        } else if (opt == 'q') {
            t->quiet = 1;
        } else {
            rc = cli_option_error("task", opt, argv);
        }
        if (rc != 0) {
            return rc;
        }
    }
    if (argc - optind != 3) {
        return cli_usage_error("task", "expected STAGE RUN RANK");
    }
    a->stage = shard_stage_index(argv[optind]);
    if (a->stage < 0) {
        return cli_usage_error("task", "unknown stage '%s' (map, align, reduce, write, assemble)",
                               argv[optind]);
    }
    a->run = argv[optind + 1];
    unsigned long long rank = 0;
    if (cli_parse_uint(argv[optind + 2], SHARD_MAX_SHARDS, &rank) != 0) {
        return cli_usage_error("task", "RANK must be a number, not '%s'", argv[optind + 2]);
    }
    a->rank = (unsigned)rank;
    return 0;
}

/* Loads the plan with RUN made absolute (tasks chdir to the plan's workdir). */
static int load_plan(shard_task *t, const task_args *a)
{
    char cwd[PATH_MAX];
    if (a->run[0] != '/' && getcwd(cwd, sizeof cwd) == NULL) {
        cli_error("task", "cannot name the working directory: %s", strerror(errno));
        return CLI_EXIT_FAILURE;
    }
    const int too_long = a->run[0] == '/' ? shard_path(t->run, "%s", a->run)
                                          : shard_path(t->run, "%s/%s", cwd, a->run);
    if (too_long) {
        cli_error("task", "%s: path too long", a->run);
        return CLI_EXIT_FAILURE;
    }
    int rc = shard_plan_load(&t->plan, t->run, "task");
    const unsigned ranks = rc == 0 ? shard_stage_ranks(&t->plan, a->stage) : 0;
    if (rc == 0 && ranks == 0) {
        rc = cli_usage_error("task", "%s/plan.json plans a monolingual recipe: it has no %s task",
                             a->run, shard_stage_names[a->stage]);
    } else if (rc == 0 && a->rank >= ranks) {
        rc = cli_usage_error("task", "%s has ranks 0 to %u under this plan, not %u",
                             shard_stage_names[a->stage], ranks - 1, a->rank);
    }
    return rc;
}

/* Leftover temporaries of the rank's own outputs in every keys partition. */
static void drop_stale_keys(const shard_task *t, const char *prefix)
{
    for (unsigned p = 0; p < t->plan.partitions; p++) {
        char dir[SHARD_PATH_CAPACITY];
        if (shard_path(dir, "%s/keys/part-%03u", t->run, p) == 0) {
            shard_remove_stale(dir, prefix);
        }
    }
}

/* Removes what a killed earlier run of this rank may have left: temporaries
 * of the names it is about to write (tools/shard.h lists them). */
static void drop_stale_temporaries(const shard_task *t, const task_args *a)
{
    char dir[SHARD_PATH_CAPACITY], prefix[64];
    snprintf(prefix, sizeof prefix, "shard-%05u", a->rank); /* ranks are fixed width */
    switch (a->stage) {
    case SHARD_MAP:
        if (shard_path(dir, "%s/map", t->run) == 0) {
            shard_remove_stale(dir, prefix);
        }
        if (!t->plan.aligned) {
            drop_stale_keys(t, prefix);
        }
        break;
    case SHARD_ALIGN:
        if (shard_path(dir, "%s/align", t->run) == 0) {
            shard_remove_stale(dir, "");
        }
        drop_stale_keys(t, "shard-");
        break;
    case SHARD_REDUCE:
        snprintf(prefix, sizeof prefix, "part-%03u", a->rank);
        if (shard_path(dir, "%s/drop", t->run) == 0) {
            shard_remove_stale(dir, prefix);
        }
        break;
    case SHARD_WRITE:
        if (shard_path(dir, "%s/out", t->run) == 0) {
            shard_remove_stale(dir, prefix);
        }
        break;
    default:
        break; /* the corpus writer removes its own on failure */
    }
}

/* A stale marker (another plan's) goes first: the rank is redone whole. */
static void drop_stale_marker(const shard_task *t, const task_args *a)
{
    char path[SHARD_PATH_CAPACITY], prefix[16];
    if (shard_path(path, "%s/done/%s/%05u", t->run, shard_stage_names[a->stage], a->rank) == 0) {
        unlink(path);
    }
    snprintf(prefix, sizeof prefix, "%05u", a->rank);
    if (shard_path(path, "%s/done/%s", t->run, shard_stage_names[a->stage]) == 0) {
        shard_remove_stale(path, prefix);
    }
    drop_stale_temporaries(t, a);
}

static int run_stage(shard_task *t, const task_args *a)
{
    if (!t->plan.same_versions) {
        cli_error("task",
                  "%s/plan.json was made by another mtprep, ICU or zstd version than "
                  "this mtprep %s (ICU %s, zstd %s); plan again with this binary",
                  t->run, mtp_version(), mtp_icu_version(), mtp_zstd_version());
        return CLI_EXIT_FAILURE;
    }
    if (chdir(t->plan.workdir) != 0) {
        cli_error("task", "%s: cannot enter the plan's working directory: %s", t->plan.workdir,
                  strerror(errno));
        return CLI_EXIT_FAILURE;
    }
    switch (a->stage) {
    case SHARD_MAP:
        return t->plan.aligned ? shard_task_map_aligned(t, a->rank) : shard_task_map(t, a->rank);
    case SHARD_ALIGN:
        return t->plan.aligned ? shard_task_align(t) : shard_task_docs(t);
    case SHARD_REDUCE:
        return shard_task_reduce(t, a->rank);
    case SHARD_WRITE:
        return shard_task_write(t, a->rank);
    default:
        return shard_task_assemble(t);
    }
}

int cmd_task(int argc, char **argv)
{
    static shard_task t; /* large: the run path */
    memset(&t, 0, sizeof t);
    task_args a = {0, NULL, 0};
    int rc = parse_options(argc, argv, &t, &a);
    if (rc != 0) {
        return rc == CLI_HELP_SHOWN ? CLI_EXIT_OK : rc;
    }
    rc = load_plan(&t, &a);
    if (rc == 0 && shard_marker_done(&t.plan, t.run, a.stage, a.rank)) {
        if (!t.quiet) {
            fprintf(stderr, "mtprep task: %s %05u already done\n", shard_stage_names[a.stage],
                    a.rank);
        }
    } else if (rc == 0) {
        drop_stale_marker(&t, &a);
        rc = run_stage(&t, &a);
    }
    shard_plan_release(&t.plan);
    return rc;
}
