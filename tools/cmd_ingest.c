/* mtprep ingest: raw articles (.txt, directories, JSONL; plain, .zst, .gz) to paragraph records. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

static const char usage[] =
    "Usage: mtprep ingest [OPTIONS] [PATH...]\n"
    "Reads news articles and writes one record per paragraph to stdout:\n"
    "doc_id TAB unit TAB text, units numbered from 1 over the paragraphs kept.\n"
    "PATH is a .txt file (one article), a .jsonl file (one {\"id\", \"text\",\n"
    "\"title\"} object per line), a directory (walked in byte order, hidden entries\n"
    "skipped, *.txt and *.jsonl read), or - for stdin (the default). Any input may\n"
    "be zstd- or gzip-compressed. doc_id: the JSONL id, else the path relative to\n"
    "the directory argument (or the file's base name) without its extensions.\n"
    "Paragraphs are separated by blank lines; a text file's first paragraph is its\n"
    "title when it is one line not ending in '.'. Boilerplate (datelines, \"Baca\n"
    "juga\" links, credits, captions, tag lists, ad residue) is removed by rules\n"
    "and counted as dropped.RULE (paragraph removed) or stripped.RULE (text cut\n"
    "from a kept paragraph).\n"
    "Bad input: invalid_utf8, nul_byte, line_too_long, document_too_long,\n"
    "malformed_json, bad_doc_id, corrupt_input, unreadable.\n"
    "\n"
    "Options:\n"
    "      --rules FILE          boilerplate rules TSV (default: the built-in\n"
    "                            corpora/boilerplate.id.tsv)\n"
    "      --no-rules            remove no boilerplate at all\n"
    "      --keep-boilerplate    apply the rules but keep everything; count\n"
    "                            matched.RULE instead (default: remove)\n"
    "\n";

enum { OPT_RULES = CLI_OPT_FIRST_STAGE_OPTION, OPT_NO_RULES, OPT_KEEP_BOILERPLATE };

static const struct option long_options[] = {
    {"rules", required_argument, NULL, OPT_RULES},
    {"no-rules", no_argument, NULL, OPT_NO_RULES},
    {"keep-boilerplate", no_argument, NULL, OPT_KEEP_BOILERPLATE},
    CLI_COMMON_LONG_OPTIONS,
    {NULL, 0, NULL, 0}};

/* One stage option; returns 0 or CLI_EXIT_USAGE. */
static int stage_option(int opt, const char *arg, mtp_ingest_options *opts)
{
    switch (opt) {
    case OPT_RULES:
        opts->rules_path = arg;
        return 0;
    case OPT_NO_RULES:
        opts->no_rules = 1;
        return 0;
    case OPT_KEEP_BOILERPLATE:
        opts->keep_boilerplate = 1;
        return 0;
    default:
        return cli_usage_error("ingest", "unknown option");
    }
}

/* stage_option for the shared option loop (cli_parse_options). */
static int stage_option_cb(int opt, const char *arg, void *stage_opts)
{
    return stage_option(opt, arg, stage_opts);
}

int cli_parse_ingest(int argc, char **argv, cli_common *common, mtp_ingest_options *opts)
{
    cli_common_default(common);
    mtp_ingest_options_default(opts);
    const int parsed =
        cli_parse_options("ingest", argc, argv, long_options, usage, common, stage_option_cb, opts);
    if (parsed != 0) {
        return parsed;
    }
    if (opts->no_rules && (opts->rules_path != NULL || opts->keep_boilerplate)) {
        return cli_usage_error("ingest", "--no-rules excludes --rules and --keep-boilerplate");
    }
    opts->on_error = common->on_error;
    opts->max_line_bytes = common->max_line_bytes;
    return 0;
}

/* ---- progress: files done and MB read, a few updates a second ---------- */

typedef struct progress {
    double last; /* seconds */
    int printed;
} progress;

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void progress_tick(void *ctx, uint64_t files, uint64_t raw_bytes)
{
    progress *p = ctx;
    const double t = now_seconds();
    if (t - p->last < 0.25) {
        return;
    }
    p->last = t;
    p->printed = 1;
    fprintf(stderr, "\rmtprep ingest: %llu files, %.1f MB read ", (unsigned long long)files,
            (double)raw_bytes / 1e6);
}

static int progress_wanted(const cli_common *common)
{
    return common->verbosity > 0 &&
           (common->progress == 1 || (common->progress == -1 && isatty(STDERR_FILENO)));
}

/* ---- running ----------------------------------------------------------- */

static mtp_status emit_to_writer(void *ctx, const mtp_record *rec)
{
    return mtp_writer_put_record(ctx, rec);
}

static mtp_status ingest_all(mtp_ingest *ing, mtp_writer *out, int count, char *const *paths)
{
    const mtp_sink sink = {emit_to_writer, out};
    mtp_status st = MTP_OK;
    if (count == 0) {
        st = mtp_ingest_path(ing, "-", &sink);
    }
    for (int i = 0; i < count && st == MTP_OK; i++) {
        st = mtp_ingest_path(ing, paths[i], &sink);
    }
    return st == MTP_OK ? mtp_writer_commit(out) : st;
}

/* Runs the ingester over the paths; prints the first failure. Returns the status. */
static mtp_status run(mtp_ingest *ing, int count, char *const *paths)
{
    mtp_writer *out = NULL;
    char err[512];
    mtp_status st = mtp_writer_open("-", NULL, &out, err, sizeof err);
    if (st != MTP_OK) {
        cli_error("ingest", "%s", err);
        return st;
    }
    st = ingest_all(ing, out, count, paths);
    if (st != MTP_OK) {
        const char *msg = mtp_writer_error(out);
        msg = msg[0] ? msg : mtp_ingest_error(ing);
        cli_error("ingest", "%s", msg[0] ? msg : mtp_status_str(st));
    }
    mtp_writer_free(out);
    return st;
}

int cmd_ingest(int argc, char **argv)
{
    cli_common common;
    mtp_ingest_options opts;
    const int rc = cli_parse_ingest(argc, argv, &common, &opts);
    if (rc != 0) {
        return rc == CLI_HELP_SHOWN ? CLI_EXIT_OK : rc;
    }
    progress prog = {now_seconds(), 0};
    if (progress_wanted(&common)) {
        opts.progress = progress_tick;
        opts.progress_ctx = &prog;
    }
    mtp_ingest *ing = NULL;
    mtp_error err = {{0}};
    mtp_status st = mtp_ingest_new(&opts, &ing, &err);
    if (st != MTP_OK) {
        cli_error("ingest", "%s", err.message);
        return cli_exit_code(st);
    }
    st = run(ing, argc - optind, argv + optind);
    if (prog.printed) {
        fputc('\n', stderr);
    }
    const int report = cli_report_counts("ingest", mtp_ingest_counts(ing), &common);
    mtp_ingest_free(ing);
    return st != MTP_OK ? cli_exit_code(st) : report;
}
