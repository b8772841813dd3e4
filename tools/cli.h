/* Shared pieces of the mtprep subcommands: common options, checked number
 * parsing, the driver that runs a record stage over inputs, and exit codes.
 *
 * Exit codes (documented in README.md):
 *   0 success, 1 bad input or I/O failure, 2 usage error,
 *   3 verification mismatch, 4 out of memory or internal error.
 */
#ifndef MTPREP_CLI_H
#define MTPREP_CLI_H

#include <getopt.h>
#include <stddef.h>

#include "mtprep/mtprep.h"

enum {
    CLI_EXIT_OK = 0,
    CLI_EXIT_FAILURE = 1,
    CLI_EXIT_USAGE = 2,
    CLI_EXIT_MISMATCH = 3,
    CLI_EXIT_INTERNAL = 4,
    CLI_HELP_SHOWN = -1 /* parse functions: --help was printed, exit 0 */
};

/* Options every stage takes. */
typedef struct cli_common {
    mtp_on_error on_error;     /* --on-error skip|fail (default skip) */
    size_t max_line_bytes;     /* --max-line-bytes N (default 1 MiB) */
    int verbosity;             /* -q: 0, default 1, -v: 2 */
    int progress;              /* --progress: 1, --no-progress: 0, default -1 (when stderr is a tty) */
    const char *counts_path;   /* --counts FILE: write counts as JSON */
    unsigned threads;          /* --threads N: worker threads of per-record stages (default 1) */
} cli_common;

/* getopt_long codes of the common options; stages add these entries to their
 * option table with CLI_COMMON_LONG_OPTIONS and "qv" to their short string. */
enum {
    CLI_OPT_ON_ERROR = 1000,
    CLI_OPT_MAX_LINE_BYTES,
    CLI_OPT_PROGRESS,
    CLI_OPT_NO_PROGRESS,
    CLI_OPT_COUNTS,
    CLI_OPT_HELP,
    CLI_OPT_THREADS,
    CLI_OPT_FIRST_STAGE_OPTION = 1100 /* stages number their own options from here */
};

#define CLI_COMMON_LONG_OPTIONS                                          \
    {"on-error", required_argument, NULL, CLI_OPT_ON_ERROR},             \
    {"max-line-bytes", required_argument, NULL, CLI_OPT_MAX_LINE_BYTES}, \
    {"progress", no_argument, NULL, CLI_OPT_PROGRESS},                   \
    {"no-progress", no_argument, NULL, CLI_OPT_NO_PROGRESS},             \
    {"counts", required_argument, NULL, CLI_OPT_COUNTS},                 \
    {"quiet", no_argument, NULL, 'q'},                                   \
    {"verbose", no_argument, NULL, 'v'},                                 \
    {"help", no_argument, NULL, CLI_OPT_HELP},                           \
    {"threads", required_argument, NULL, CLI_OPT_THREADS}

/* The usage lines for the common options, to print at the end of a stage's --help. */
extern const char cli_common_usage[];

void cli_common_default(cli_common *c);

/* Handles one common option returned by getopt_long. Returns 1 when handled,
 * 0 when `opt` is not a common option, CLI_EXIT_USAGE after printing a
 * message for a bad value. --help is not handled here (the stage prints its usage). */
int cli_common_option(cli_common *c, const char *cmd, int opt, const char *arg);

/* Prints "mtprep CMD: MESSAGE\nTry 'mtprep CMD --help'.\n" on stderr and
 * returns CLI_EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prints "mtprep CMD: MESSAGE\n" on stderr. */
void cli_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Checked number parsing: whole string, no overflow. Sizes accept K, M, G
 * (powers of 1024). Return 0 on success, -1 on a bad value. */
int cli_parse_size(const char *text, size_t *out);
int cli_parse_uint(const char *text, unsigned long long max, unsigned long long *out);
int cli_parse_double(const char *text, double min, double max, double *out);

/* Maps a library status to the process exit code. */
int cli_exit_code(mtp_status st);

/* Resets getopt so a parse function can run more than once (build does),
 * and silences getopt's own messages: call it before every getopt_long loop,
 * give the short-option string a leading ':' and pass '?' and ':' results to
 * cli_option_error. */
void cli_getopt_reset(void);

/* Handles one stage-specific option from getopt_long; returns 0, or
 * non-zero after printing a usage message. */
typedef int (*cli_stage_option_fn)(int opt, const char *arg, void *stage_opts);

/* The getopt_long loop every stage shares: --help prints `usage` and the
 * common options (CLI_HELP_SHOWN), common options fill *common, unknown
 * options and missing values are usage errors, everything else goes to
 * stage_option. Leaves optind at the first positional argument. Returns 0,
 * CLI_EXIT_USAGE or CLI_HELP_SHOWN. */
int cli_parse_options(const char *cmd, int argc, char **argv, const struct option *long_options,
                      const char *usage, cli_common *common, cli_stage_option_fn stage_option,
                      void *stage_opts);

/* Prints "mtprep CMD: unknown option 'X'" (or "... requires a value") for the
 * getopt_long result `opt` ('?' or ':') and returns CLI_EXIT_USAGE. */
int cli_option_error(const char *cmd, int opt, char **argv);

/* Runs `stage` over the record inputs (paths, "-" or none for stdin) and
 * writes what it emits to stdout. Prints the summary line (unless -q),
 * writes --counts, reports errors naming file and line. Frees nothing.
 * Returns the exit code. */
int cli_run_record_stage(const char *cmd, mtp_stage *stage, const cli_common *common,
                         int input_count, char *const *inputs);

/* Makes one more stage from the options the caller made `stage` from
 * (ctx points to them). Returns MTP_OK or the constructor's status with
 * its message in err. */
typedef mtp_status (*cli_stage_make_fn)(void *ctx, mtp_stage **out, mtp_error *err);

/* cli_run_record_stage for a per-record stage (one that keeps no state
 * across records but its counts: normalize, segment, filter). With
 * common->threads > 1 the records run through common->threads stages made
 * by `make`, on as many worker threads, and stdout, the summary and --counts
 * are the same bytes as with one thread; `stage` then only receives the
 * merged counts. With threads <= 1 it is cli_run_record_stage. */
int cli_run_record_stage_parallel(const char *cmd, mtp_stage *stage, cli_stage_make_fn make,
                                  void *make_ctx, const cli_common *common, int input_count,
                                  char *const *inputs);

/* Reports a stage or object that could not be made: invalid options
 * (MTP_ERR_USAGE) as a usage error (exit 2), anything else as an error with
 * its exit code. Returns the exit code. */
int cli_report_new_failed(const char *cmd, mtp_status st, const mtp_error *err);

/* The tail of a record-stage subcommand: runs `stage` over the positional
 * arguments argv[optind..] (on --threads workers when `make` is not NULL),
 * frees it, and returns the exit code. */
int cli_run_stage_and_free(const char *cmd, mtp_stage *stage, cli_stage_make_fn make,
                           void *make_ctx, const cli_common *common, int argc, char **argv);

/* Finishes a run's reporting: summary line, --counts file. Returns 0 or
 * CLI_EXIT_FAILURE when the counts file could not be written. */
int cli_report_counts(const char *cmd, const mtp_counts *counts, const cli_common *common);

/* ---- per-stage option parsers, shared by the subcommands and `build` ----
 * Each parses argv (getopt_long from argv[0] = the stage name), fills its
 * options and *common, leaves optind at the first positional argument, and
 * returns 0, CLI_EXIT_USAGE (message printed) or CLI_HELP_SHOWN. Strings in
 * the options point into argv. */
int cli_parse_ingest(int argc, char **argv, cli_common *common, mtp_ingest_options *opts);
int cli_parse_normalize(int argc, char **argv, cli_common *common, mtp_normalize_options *opts);
int cli_parse_segment(int argc, char **argv, cli_common *common, mtp_segment_options *opts);
int cli_parse_filter(int argc, char **argv, cli_common *common, mtp_filter_options *opts);
int cli_parse_dedup(int argc, char **argv, cli_common *common, mtp_dedup_options *opts);
/* dedup --docs's options (argv holds --docs): build's [dedup_docs] section. */
int cli_parse_dedup_docs(int argc, char **argv, cli_common *common, mtp_dedup_docs_options *opts);
int cli_parse_write(int argc, char **argv, cli_common *common, mtp_write_options *opts);
/* align also checks its two positional inputs SRC and TGT (optind is left at SRC). */
int cli_parse_align(int argc, char **argv, cli_common *common, mtp_align_options *opts);

/* Subcommand entry points (main.c's table). */
int cmd_ingest(int argc, char **argv);
int cmd_normalize(int argc, char **argv);
int cmd_segment(int argc, char **argv);
int cmd_filter(int argc, char **argv);
int cmd_dedup(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_write(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_build(int argc, char **argv);
int cmd_align(int argc, char **argv);

#endif
