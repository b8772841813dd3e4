/* mtprep write: the record stream into a train/dev/test corpus directory. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

#define MAX_STAGE_COUNTS 64

static const char usage[] =
    "Usage: mtprep write --out DIR [--lang LANG] [--tgt-lang TGT] [OPTIONS] [FILE...]\n"
    "Reads monolingual unit records from FILEs or stdin and writes the corpus\n"
    "directory DIR: train/dev/test.LANG.zst (one text per line), train.meta.tsv.zst\n"
    "(doc_id TAB unit per line of train), MANIFEST.json and SHA256SUMS. With\n"
    "--tgt-lang it reads aligned pair records instead, writes the targets to\n"
    "train/dev/test.TGT.zst line-aligned with the sources, and doc_id TAB units TAB\n"
    "score to train.meta.tsv.zst. Each document goes whole to one split by XXH3-64\n"
    "of its doc_id (seed 0x6d7470726570) mapped to [0,1): below the dev ratio dev,\n"
    "below dev+test ratio test, else train; with --clusters, a document listed\n"
    "there goes by its cluster id instead, so a near-duplicate cluster stays in one\n"
    "split. A sentence (pair: either side) whose exact or loose key occurs in an\n"
    "--exclude file is dropped from every split (dropped.excluded_exact, else\n"
    "dropped.excluded_loose); a train sentence whose exact or loose key occurs in\n"
    "dev or test (pairs: on either side) is dropped (dropped.cross_split_exact,\n"
    "else dropped.cross_split_loose). MANIFEST.json lists the clusters file and\n"
    "each exclude file with its sha256, lines and the corpus lines it matched.\n"
    "Files are written under temporary names and renamed when complete,\n"
    "MANIFEST.json and SHA256SUMS last; an old MANIFEST.json and SHA256SUMS in DIR\n"
    "are removed first, so a failed run never leaves a complete-looking corpus.\n"
    "Nothing is written to stdout.\n"
    "\n"
    "Options:\n"
    "      --out DIR            the corpus directory (required; created if missing,\n"
    "                           its parent must exist)\n"
    "      --lang LANG          language code in the file names (default id)\n"
    "      --tgt-lang TGT       take pair records; TGT names the target files (default:\n"
    "                           none, unit records)\n"
    "      --dev-ratio R        share of documents in dev, 0..1 (default 0.01)\n"
    "      --test-ratio R       share of documents in test, 0..1 (default 0.01)\n"
    "      --level N            zstd level 1..19 of the corpus files (default 3)\n"
    "      --clusters FILE      'doc_id TAB cluster_id' lines (dedup --docs --clusters):\n"
    "                           split listed documents by cluster id (default: none)\n"
    "      --exclude FILE       remove FILE's sentences from every split: plain text,\n"
    "                           one per line (.zst/.gz too), or a corpus directory\n"
    "                           (its *.LANG.zst, *.TGT.zst); repeatable, up to 64 files\n"
    "      --mem SIZE           bound on the cluster map (<= 64 bytes per moved\n"
    "                           document), exclude table (<= 64 bytes per key, two per\n"
    "                           line) and dev/test key table (<= 15 bytes per key, two\n"
    "                           per sentence and side) together (default 1G; K/M/G)\n"
    "      --stage-counts FILE  fold an earlier stage's counts (the JSON its --counts\n"
    "                           wrote) into MANIFEST.json; repeatable, up to 64\n"
    "                           (--counts FILE writes write's own counts)\n"
    "A record of the other kind (a pair without --tgt-lang, a unit with it) stops\n"
    "the run with exit 2. A malformed clusters line stops it with exit 1; an exclude\n"
    "line too long or not UTF-8 follows --on-error (skip: counted as\n"
    "exclude_bad_lines; one not UTF-8 still excludes by its exact key).\n"
    "\n";

enum {
    OPT_OUT = CLI_OPT_FIRST_STAGE_OPTION,
    OPT_LANG,
    OPT_TGT_LANG,
    OPT_DEV,
    OPT_TEST,
    OPT_LEVEL,
    OPT_MEM,
    OPT_STAGE_COUNTS,
    OPT_CLUSTERS,
    OPT_EXCLUDE
};

static const struct option long_options[] = {
    {"out", required_argument, NULL, OPT_OUT},
    {"lang", required_argument, NULL, OPT_LANG},
    {"tgt-lang", required_argument, NULL, OPT_TGT_LANG},
    {"dev-ratio", required_argument, NULL, OPT_DEV},
    {"test-ratio", required_argument, NULL, OPT_TEST},
    {"level", required_argument, NULL, OPT_LEVEL},
    {"mem", required_argument, NULL, OPT_MEM},
    {"stage-counts", required_argument, NULL, OPT_STAGE_COUNTS},
    {"clusters", required_argument, NULL, OPT_CLUSTERS},
    {"exclude", required_argument, NULL, OPT_EXCLUDE},
    CLI_COMMON_LONG_OPTIONS,
    {NULL, 0, NULL, 0}};

/* argv strings named by --stage-counts and --exclude; build may parse more than once. */
static const char *stage_counts_paths[MAX_STAGE_COUNTS];
static const char *exclude_paths[MTP_WRITE_MAX_EXCLUDE_FILES];

static int add_stage_counts(const char *arg, mtp_write_options *opts)
{
    if (opts->upstream_path_count >= MAX_STAGE_COUNTS) {
        return cli_usage_error("write", "--stage-counts: more than %d files", MAX_STAGE_COUNTS);
    }
    stage_counts_paths[opts->upstream_path_count++] = arg;
    opts->upstream_paths = stage_counts_paths;
    return 0;
}

static int add_exclude(const char *arg, mtp_write_options *opts)
{
    if (opts->exclude_path_count >= MTP_WRITE_MAX_EXCLUDE_FILES) {
        return cli_usage_error("write", "--exclude: more than %d files",
                               MTP_WRITE_MAX_EXCLUDE_FILES);
    }
    exclude_paths[opts->exclude_path_count++] = arg;
    opts->exclude_paths = exclude_paths;
    return 0;
}

static int parse_level(const char *arg, mtp_write_options *opts)
{
    unsigned long long level = 0;
    if (cli_parse_uint(arg, 19, &level) != 0 || level < 1) {
        return cli_usage_error("write", "--level takes 1..19, not '%s'", arg);
    }
    opts->zstd_level = (int)level;
    return 0;
}

/* One stage option; returns 0 or CLI_EXIT_USAGE. */
static int stage_option(int opt, const char *arg, mtp_write_options *opts)
{
    switch (opt) {
    case OPT_OUT:
        opts->out_dir = arg;
        return 0;
    case OPT_LANG:
        opts->lang = arg;
        return 0;
    case OPT_TGT_LANG:
        opts->tgt_lang = arg;
        return 0;
    case OPT_DEV:
        return cli_parse_double(arg, 0, 1, &opts->dev_ratio) == 0
                   ? 0
                   : cli_usage_error("write", "--dev-ratio takes 0..1, not '%s'", arg);
    case OPT_TEST:
        return cli_parse_double(arg, 0, 1, &opts->test_ratio) == 0
                   ? 0
                   : cli_usage_error("write", "--test-ratio takes 0..1, not '%s'", arg);
    case OPT_LEVEL:
        return parse_level(arg, opts);
    case OPT_MEM:
        return cli_parse_size(arg, &opts->mem_bytes) == 0
                   ? 0
                   : cli_usage_error("write", "--mem: invalid size '%s'", arg);
    case OPT_STAGE_COUNTS:
        return add_stage_counts(arg, opts);
    case OPT_CLUSTERS:
        opts->clusters_path = arg;
        return 0;
    case OPT_EXCLUDE:
        return add_exclude(arg, opts);
    default:
        return cli_usage_error("write", "unknown option");
    }
}

/* stage_option for the shared option loop (cli_parse_options). */
static int stage_option_cb(int opt, const char *arg, void *stage_opts)
{
    return stage_option(opt, arg, stage_opts);
}

static int check_parsed(const mtp_write_options *opts)
{
    if (opts->out_dir == NULL || opts->out_dir[0] == '\0') {
        return cli_usage_error("write", "--out DIR is required");
    }
    if (opts->dev_ratio + opts->test_ratio > 1) {
        return cli_usage_error("write", "--dev-ratio plus --test-ratio exceeds 1");
    }
    return 0;
}

int cli_parse_write(int argc, char **argv, cli_common *common, mtp_write_options *opts)
{
    cli_common_default(common);
    mtp_write_options_default(opts);
    const int parsed =
        cli_parse_options("write", argc, argv, long_options, usage, common, stage_option_cb, opts);
    if (parsed != 0) {
        return parsed;
    }
    opts->on_error = common->on_error;
    opts->threads = common->threads;
    return check_parsed(opts);
}

int cmd_write(int argc, char **argv)
{
    cli_common common;
    mtp_write_options opts;
    const int rc = cli_parse_write(argc, argv, &common, &opts);
    if (rc != 0) {
        return rc == CLI_HELP_SHOWN ? CLI_EXIT_OK : rc;
    }
    mtp_stage *stage = NULL;
    mtp_error err = {{0}};
    const mtp_status st = mtp_write_new(&opts, &stage, &err);
    if (st != MTP_OK) {
        return cli_report_new_failed("write", st, &err);
    }
    return cli_run_stage_and_free("write", stage, NULL, NULL, &common, argc, argv);
}
