/* mtprep stats: counts and length histograms of a record stream.
 *
 * Without --pass the records are read and discarded and the report is the
 * output (stdout); the summary line is printed only when malformed lines
 * were dropped, so nothing is lost silently. With --pass the records go to
 * stdout unchanged and the report to --out FILE or stderr. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
    "Usage: mtprep stats [OPTIONS] [FILE...]\n"
    "Reads records from FILEs or stdin and reports records, unit and pair counts,\n"
    "documents (changes of doc_id), and per text code points, bytes and words\n"
    "(total, min, mean, max) with power-of-two histograms of code points and words.\n"
    "\n"
    "Options:\n"
    "      --json           report as one JSON object (default: aligned text)\n"
    "      --pass           also copy every record to stdout unchanged, so stats can\n"
    "                       sit inside a pipe; the report then goes to stderr\n"
    "                       unless --out is given\n"
    "      --out FILE       write the report to FILE (default: stdout, or stderr\n"
    "                       with --pass); written under a temporary name, then renamed\n"
    "      --json-out FILE  same as --json --out FILE\n"
    "      --stage-counts FILE  add an earlier stage's counts (the JSON its --counts\n"
    "                       option wrote) to the report: in, out and every drop\n"
    "                       reason per stage; repeatable, up to 32 files\n"
    "Counts: \"out\" is the records measured (and, with --pass, written); the\n"
    "stage drops nothing itself, only malformed input lines count as\n"
    "dropped.REASON per --on-error. The summary line appears with --pass, or\n"
    "when something was dropped.\n"
    "\n";

enum { OPT_JSON = CLI_OPT_FIRST_STAGE_OPTION, OPT_PASS, OPT_OUT, OPT_JSON_OUT, OPT_STAGE_COUNTS };

static const struct option long_options[] = {
    {"json", no_argument, NULL, OPT_JSON},
    {"pass", no_argument, NULL, OPT_PASS},
    {"out", required_argument, NULL, OPT_OUT},
    {"json-out", required_argument, NULL, OPT_JSON_OUT},
    {"stage-counts", required_argument, NULL, OPT_STAGE_COUNTS},
    CLI_COMMON_LONG_OPTIONS,
    {NULL, 0, NULL, 0}};

typedef struct stats_cli {
    int json;
    int pass;
    const char *out_path;                           /* NULL: stdout, or stderr with --pass */
    const char *stage_counts[MTP_STATS_MAX_STAGES]; /* --stage-counts files, in order */
    int stage_count;
} stats_cli;

/* One stage option; returns 0 or CLI_EXIT_USAGE. */
static int stage_option(int opt, const char *arg, stats_cli *o)
{
    switch (opt) {
    case OPT_STAGE_COUNTS:
        if (o->stage_count == MTP_STATS_MAX_STAGES) {
            return cli_usage_error("stats", "--stage-counts: more than %d files",
                                   MTP_STATS_MAX_STAGES);
        }
        o->stage_counts[o->stage_count++] = arg;
        break;
    case OPT_JSON:
        o->json = 1;
        break;
    case OPT_PASS:
        o->pass = 1;
        break;
    case OPT_JSON_OUT:
        o->json = 1;
        o->out_path = arg;
        break;
    default: /* OPT_OUT */
        o->out_path = arg;
        break;
    }
    return 0;
}

/* stage_option for the shared option loop (cli_parse_options). */
static int stage_option_cb(int opt, const char *arg, void *stage_opts)
{
    return stage_option(opt, arg, stage_opts);
}

static int parse_stats(int argc, char **argv, cli_common *common, stats_cli *o)
{
    cli_common_default(common);
    memset(o, 0, sizeof *o);
    const int parsed =
        cli_parse_options("stats", argc, argv, long_options, usage, common, stage_option_cb, o);
    if (parsed != 0) {
        return parsed;
    }
    return 0;
}

/* ---- consuming without output ------------------------------------------ */

static mtp_status discard(void *ctx, const mtp_record *rec)
{
    (void)ctx;
    (void)rec;
    return MTP_OK;
}

static mtp_status consume_input(mtp_stage *stage, const cli_common *common, const char *path,
                                mtp_error *err)
{
    mtp_reader *reader = NULL;
    mtp_status st = mtp_reader_open(path, NULL, common->max_line_bytes, &reader, err);
    if (st != MTP_OK) {
        return st;
    }
    const mtp_sink sink = {discard, NULL};
    mtp_counts *counts = mtp_stage_counts_mut(stage);
    mtp_record rec;
    while ((st = mtp_reader_next_record(reader, common->on_error, counts, &rec, err)) == MTP_OK) {
        st = mtp_stage_feed(stage, &rec, &sink);
        if (st != MTP_OK) {
            mtp_error_set(err, st, "%s", mtp_stage_error(stage));
            break;
        }
    }
    mtp_reader_close(reader);
    return st == MTP_END ? MTP_OK : st;
}

/* Reads every input into the stage; returns the exit code. */
static int consume_all(mtp_stage *stage, const cli_common *common, int count, char *const *inputs)
{
    mtp_error err = {{0}};
    mtp_status st = MTP_OK;
    if (count == 0) {
        st = consume_input(stage, common, "-", &err);
    }
    for (int i = 0; i < count && st == MTP_OK; i++) {
        st = consume_input(stage, common, inputs[i], &err);
    }
    if (st != MTP_OK) {
        cli_error("stats", "%s", err.message[0] ? err.message : mtp_status_str(st));
        return cli_exit_code(st);
    }
    cli_common quiet = *common;
    if (mtp_counts_dropped(mtp_stage_counts(stage)) == 0 && common->verbosity < 2) {
        quiet.verbosity = 0;
    }
    return cli_report_counts("stats", mtp_stage_counts(stage), &quiet);
}

/* ---- the report -------------------------------------------------------- */

/* Loads every --stage-counts file into the stage; returns the exit code. */
static int load_stage_counts(mtp_stage *stage, const stats_cli *o)
{
    for (int i = 0; i < o->stage_count; i++) {
        mtp_counts counts;
        const mtp_status st = mtp_counts_load_json(&counts, o->stage_counts[i]);
        if (st == MTP_ERR_IO) {
            cli_error("stats", "%s: cannot read: %s", o->stage_counts[i], strerror(errno));
            return CLI_EXIT_FAILURE;
        }
        if (st != MTP_OK) {
            cli_error("stats", "%s: not a counts file written by --counts", o->stage_counts[i]);
            return CLI_EXIT_FAILURE;
        }
        if (mtp_stats_add_stage_counts(stage, &counts) != MTP_OK) {
            cli_error("stats", "out of memory");
            return CLI_EXIT_INTERNAL;
        }
    }
    return CLI_EXIT_OK;
}

/* Renders the report in memory, then writes it through a writer so that a
 * file appears only when complete. */
static int write_report_file(mtp_stage *stage, const stats_cli *o)
{
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    if (mem == NULL) {
        cli_error("stats", "cannot render the report: %s", strerror(errno));
        return CLI_EXIT_INTERNAL;
    }
    const mtp_status st = mtp_stats_report(stage, o->json, mem);
    const int closed = fclose(mem);
    if (st != MTP_OK || closed != 0) {
        free(text);
        cli_error("stats", "cannot render the report: %s", mtp_status_str(st));
        return CLI_EXIT_INTERNAL;
    }
    char err[512] = "";
    mtp_writer *w = NULL;
    const mtp_writer_options wopts = {0, 0, 0};
    mtp_status wst = mtp_writer_open(o->out_path, &wopts, &w, err, sizeof err);
    if (wst == MTP_OK) {
        mtp_writer_write(w, text, len);
        wst = mtp_writer_commit(w);
        snprintf(err, sizeof err, "%s", mtp_writer_error(w));
    }
    mtp_writer_free(w);
    free(text);
    if (wst != MTP_OK) {
        cli_error("stats", "%s", err);
        return cli_exit_code(wst);
    }
    return CLI_EXIT_OK;
}

static int write_report(mtp_stage *stage, const stats_cli *o)
{
    if (o->out_path != NULL) {
        return write_report_file(stage, o);
    }
    FILE *out = o->pass ? stderr : stdout;
    const mtp_status st = mtp_stats_report(stage, o->json, out);
    if (st != MTP_OK || fflush(out) != 0) {
        cli_error("stats", "cannot write the report: %s", strerror(errno));
        return CLI_EXIT_FAILURE;
    }
    return CLI_EXIT_OK;
}

int cmd_stats(int argc, char **argv)
{
    cli_common common;
    stats_cli o;
    const int rc = parse_stats(argc, argv, &common, &o);
    if (rc != 0) {
        return rc == CLI_HELP_SHOWN ? CLI_EXIT_OK : rc;
    }
    mtp_stage *stage = NULL;
    mtp_error err = {{0}};
    const mtp_status st = mtp_stats_new(&stage, &err);
    if (st != MTP_OK) {
        return cli_report_new_failed("stats", st, &err);
    }
    const int loaded = load_stage_counts(stage, &o);
    if (loaded != CLI_EXIT_OK) {
        mtp_stage_free(stage);
        return loaded;
    }
    const int input_count = argc - optind;
    char *const *inputs = argv + optind;
    int exit_code = o.pass ? cli_run_record_stage("stats", stage, &common, input_count, inputs)
                           : consume_all(stage, &common, input_count, inputs);
    if (exit_code == CLI_EXIT_OK) {
        exit_code = write_report(stage, &o);
    }
    mtp_stage_free(stage);
    return exit_code;
}
