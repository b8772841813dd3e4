/* Private to `mtprep build`: the pieces cmd_build.c (options, recipe, the
 * monolingual chain) shares with build_aligned.c (the two-language chain).
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

/* mkdir -p of the directory that will hold `output` (write creates `output`
 * itself but wants its parent to exist). Returns 0 or CLI_EXIT_FAILURE
 * (message printed). */
int build_make_parents(const char *output);

/* Runs an aligned recipe (its [build] has tgt-input). Returns the exit code. */
int build_aligned(const build_cli *cli, mtp_recipe *recipe);

#endif
