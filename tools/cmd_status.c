/* mtprep status [--missing STAGE] RUN: how far a planned run has come,
 * read from its plan and completion markers alone.
 *
 * Without --missing: one line per stage, "map 4/4" or
 * "reduce 2/4 missing: 1 3"; exit 0 when assemble is done, else 1. The
 * five stages are always listed, so scripts read fixed lines: a
 * monolingual plan's align stage has no rank and reads "align 0/0". With
 * --missing STAGE: the missing ranks of that stage, one decimal number per
 * line and nothing else (what the engine scripts submit), exit 0.
 *
 * Memory: the plan; markers are read one at a time.
 */
#include <stdio.h>
#include <string.h>

#include "shard.h"

static const char usage[] =
    "Usage: mtprep status [--missing STAGE] RUN\n"
    "\n"
    "Prints, for each stage of a run planned with 'mtprep plan' (map, align,\n"
    "reduce, write, assemble), the ranks done and the ranks missing, e.g.\n"
    "  map 4/4\n"
    "  align 1/1\n"
    "  reduce 2/4 missing: 1 3\n"
    "A monolingual plan has no align task: its line reads 'align 0/0'.\n"
    "A rank is done when its completion marker holds the current plan's digest.\n"
    "Exit status: 0 when assemble is done, 1 otherwise, 2 usage error.\n"
    "\n"
    "Options:\n"
    "      --missing STAGE  print only STAGE's missing ranks, one number per line\n"
    "                       (for engine scripts); exit 0\n"
    "      --help           this help\n";

enum { OPT_MISSING = CLI_OPT_FIRST_STAGE_OPTION };

static int parse_options(int argc, char **argv, int *missing_stage, const char **run)
{
    static const struct option options[] = {{"missing", required_argument, NULL, OPT_MISSING},
                                            {"help", no_argument, NULL, CLI_OPT_HELP},
                                            {NULL, 0, NULL, 0}};
    cli_getopt_reset();
    int opt;
    while ((opt = getopt_long(argc, argv, ":", options, NULL)) != -1) {
        if (opt == CLI_OPT_HELP) {
            fputs(usage, stdout);
            return CLI_HELP_SHOWN;
        }
        if (opt != OPT_MISSING) {
            return cli_option_error("status", opt, argv);
        }
        *missing_stage = shard_stage_index(optarg);
        if (*missing_stage < 0) {
            return cli_usage_error(
                "status", "unknown stage '%s' (map, align, reduce, write, assemble)", optarg);
        }
    }
    if (argc - optind != 1) {
        return cli_usage_error("status", "expected one RUN directory");
    }
    *run = argv[optind];
    return 0;
}

static void print_missing(const shard_plan *plan, const char *run, int stage)
{
    for (unsigned r = 0; r < shard_stage_ranks(plan, stage); r++) {
        if (!shard_marker_done(plan, run, stage, r)) {
            printf("%u\n", r);
        }
    }
}

/* "map 3/4 missing: 2"; returns 1 when every rank is done. */
static int print_stage(const shard_plan *plan, const char *run, int stage)
{
    const unsigned ranks = shard_stage_ranks(plan, stage);
    unsigned done = 0;
    for (unsigned r = 0; r < ranks; r++) {
        done += (unsigned)shard_marker_done(plan, run, stage, r);
    }
    printf("%s %u/%u", shard_stage_names[stage], done, ranks);
    if (done < ranks) {
        fputs(" missing:", stdout);
        for (unsigned r = 0; r < ranks; r++) {
            if (!shard_marker_done(plan, run, stage, r)) {
                printf(" %u", r);
            }
        }
    }
    putchar('\n');
    return done == ranks;
}

int cmd_status(int argc, char **argv)
{
    int missing_stage = -1;
    const char *run = NULL;
    int rc = parse_options(argc, argv, &missing_stage, &run);
    if (rc != 0) {
        return rc == CLI_HELP_SHOWN ? CLI_EXIT_OK : rc;
    }
    static shard_plan plan;
    rc = shard_plan_load(&plan, run, "status");
    if (rc != 0) {
        return rc;
    }
    if (missing_stage >= 0) {
        print_missing(&plan, run, missing_stage);
    } else {
        int complete = 0;
        for (int s = 0; s < SHARD_STAGE_COUNT; s++) {
            complete = print_stage(&plan, run, s);
        }
        rc = complete ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
    }
    shard_plan_release(&plan);
    return fflush(stdout) == 0 || rc != 0 ? rc : CLI_EXIT_FAILURE;
}
