/* mtprep dedup: drop repeated records (or, with --docs, near-duplicate
 * documents), first occurrence kept. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "mtprep/dedup_docs.h"

static const char usage[] =
    "Usage: mtprep dedup [OPTIONS] [FILE...]\n"
    "       mtprep dedup --docs [DOC OPTIONS] [FILE...]\n"
    "Reads unit (or pair) records from FILEs or stdin and writes each record whose\n"
    "key was not seen before to stdout, in input order; repeats count as\n"
    "dropped.duplicate_exact or dropped.duplicate_loose. With --docs, drops whole\n"
    "documents (runs of one doc_id) that are near duplicates of an earlier one\n"
    "(MinHash over word shingles), counted as dropped.near_duplicate_doc.\n"
    "\n"
    "Options:\n"
    "      --key exact|loose    exact: XXH3-64 of the text bytes (default);\n"
    "                           loose: of the text with only letters and marks kept,\n"
    "                           case-folded (punctuation, symbols, digits and spaces\n"
    "                           removed; a text with no letters keys on its bytes)\n"
    "      --key-side pair|src  pair records: key on source TAB target (pair, default)\n"
    "                           or on the source alone (src)\n"
    "      --mem SIZE           memory for keys (default 1G; K/M/G suffixes; at\n"
    "                           least 1K). The key table takes at most 16 bytes per\n"
    "                           unique key, resizing included (1G holds 67 million\n"
    "                           or more); when it would outgrow SIZE, the records\n"
    "                           that follow are held back in --tmp-dir and decided\n"
    "                           by sorted runs of SIZE bytes merged at the end:\n"
    "                           same output, slower. With --docs: the bound on the\n"
    "                           document index\n"
    "      --tmp-dir DIR        spill directory (default $TMPDIR, else /tmp); its\n"
    "                           files are unlinked at once and hold the records\n"
    "                           read after the spill began, plus at most 36 bytes each\n"
    "Invalid UTF-8 under --key loose is bad input (dropped.invalid_utf8, or --on-error fail).\n"
    "\n"
    "Doc options (only with --docs):\n"
    "      --docs               drop near-duplicate documents instead of repeated records\n"
    "      --threshold X        Jaccard similarity of the word-shingle sets, in (0,1],\n"
    "                           that makes a near duplicate: exact, or the MinHash\n"
    "                           estimate past 4096 distinct shingles (default 0.8)\n"
    "      --shingle-words N    words per shingle, 1..8 (default 1)\n"
    "      --max-doc-bytes SIZE largest document buffered (default 16M); a longer one is\n"
    "                           bad input (dropped.doc_too_long, or --on-error fail)\n"
    "      --clusters FILE      also write \"doc_id TAB cluster_id\" per document to FILE\n"
    "\n";

enum {
    OPT_KEY = CLI_OPT_FIRST_STAGE_OPTION,
    OPT_KEY_SIDE,
    OPT_MEM,
    OPT_TMP_DIR,
    OPT_DOCS,
    OPT_THRESHOLD,
    OPT_SHINGLE_WORDS,
    OPT_MAX_DOC_BYTES,
    OPT_CLUSTERS
};

static const struct option long_options[] = {
    {"key", required_argument, NULL, OPT_KEY},
    {"key-side", required_argument, NULL, OPT_KEY_SIDE},
    {"mem", required_argument, NULL, OPT_MEM},
    {"tmp-dir", required_argument, NULL, OPT_TMP_DIR},
    {"docs", no_argument, NULL, OPT_DOCS},
    {"threshold", required_argument, NULL, OPT_THRESHOLD},
    {"shingle-words", required_argument, NULL, OPT_SHINGLE_WORDS},
    {"max-doc-bytes", required_argument, NULL, OPT_MAX_DOC_BYTES},
    {"clusters", required_argument, NULL, OPT_CLUSTERS},
    CLI_COMMON_LONG_OPTIONS,
    {NULL, 0, NULL, 0}};

/* Both option sets; --docs picks the stage. */
typedef struct dedup_cli {
    int docs;                /* --docs given */
    const char *unit_option; /* last option that only record dedup takes, or NULL */
    const char *doc_option;  /* last option that only --docs takes, or NULL */
    mtp_dedup_options units;
    mtp_dedup_docs_options doc;
} dedup_cli;

static int key_option(int opt, const char *arg, dedup_cli *o)
{
    if (opt == OPT_KEY) {
        o->unit_option = "--key";
        if (strcmp(arg, "exact") != 0 && strcmp(arg, "loose") != 0) {
            return cli_usage_error("dedup", "--key takes exact or loose, not '%s'", arg);
        }
        o->units.key = strcmp(arg, "loose") == 0 ? MTP_DEDUP_LOOSE : MTP_DEDUP_EXACT;
        return 0;
    }
    o->unit_option = "--key-side";
    if (strcmp(arg, "pair") != 0 && strcmp(arg, "src") != 0) {
        return cli_usage_error("dedup", "--key-side takes pair or src, not '%s'", arg);
    }
    o->units.side = strcmp(arg, "src") == 0 ? MTP_DEDUP_SIDE_SRC : MTP_DEDUP_SIDE_PAIR;
    return 0;
}

static int doc_option(int opt, const char *arg, dedup_cli *o)
{
    unsigned long long words = 0;
    switch (opt) {
    case OPT_THRESHOLD:
        o->doc_option = "--threshold";
        if (cli_parse_double(arg, 0.0, 1.0, &o->doc.threshold) != 0 || o->doc.threshold == 0.0) {
            return cli_usage_error("dedup", "--threshold: not a number in (0,1]: '%s'", arg);
        }
        return 0;
    case OPT_SHINGLE_WORDS:
        o->doc_option = "--shingle-words";
        if (cli_parse_uint(arg, MTP_DEDUP_DOCS_MAX_SHINGLE_WORDS, &words) != 0 || words == 0) {
            return cli_usage_error("dedup", "--shingle-words: not in 1..%u: '%s'",
                                   MTP_DEDUP_DOCS_MAX_SHINGLE_WORDS, arg);
        }
        o->doc.shingle_words = (unsigned)words;
        return 0;
    case OPT_MAX_DOC_BYTES:
        o->doc_option = "--max-doc-bytes";
        if (cli_parse_size(arg, &o->doc.max_doc_bytes) != 0 || o->doc.max_doc_bytes == 0) {
            return cli_usage_error("dedup", "--max-doc-bytes: invalid size '%s'", arg);
        }
        return 0;
    default: /* OPT_CLUSTERS */
        o->doc_option = "--clusters";
        o->doc.clusters_path = arg;
        return 0;
    }
}

/* A spill directory that cannot take files is a mistake better caught
 * now than hours into a run, when the table first outgrows --mem. */
static int tmp_dir_option(const char *arg, dedup_cli *o)
{
    struct stat st;
    if (stat(arg, &st) != 0 || !S_ISDIR(st.st_mode) || access(arg, W_OK | X_OK) != 0) {
        return cli_usage_error("dedup", "--tmp-dir: '%s' is not a writable directory", arg);
    }
    o->unit_option = "--tmp-dir";
    o->units.tmp_dir = arg;
    return 0;
}

/* One stage option; returns 0 or CLI_EXIT_USAGE. */
static int stage_option(int opt, const char *arg, dedup_cli *o)
{
    switch (opt) {
    case OPT_KEY:
    case OPT_KEY_SIDE:
        return key_option(opt, arg, o);
    case OPT_MEM:
        if (cli_parse_size(arg, &o->units.mem_bytes) != 0) {
            return cli_usage_error("dedup", "--mem: invalid size '%s'", arg);
        }
        o->doc.mem_bytes = o->units.mem_bytes;
        return 0;
    case OPT_TMP_DIR:
        return tmp_dir_option(arg, o);
    case OPT_DOCS:
        o->docs = 1;
        return 0;
    case OPT_THRESHOLD:
    case OPT_SHINGLE_WORDS:
    case OPT_MAX_DOC_BYTES:
    case OPT_CLUSTERS:
        return doc_option(opt, arg, o);
    default:
        return cli_usage_error("dedup", "unknown option");
    }
}

/* stage_option for the shared option loop (cli_parse_options). */
static int stage_option_cb(int opt, const char *arg, void *stage_opts)
{
    return stage_option(opt, arg, stage_opts);
}

/* Options that belong to the other mode are mistakes, not silently ignored. */
static int check_mode(const dedup_cli *o)
{
    if (o->docs && o->unit_option != NULL) {
        return cli_usage_error("dedup", "%s does not apply to --docs", o->unit_option);
    }
    if (!o->docs && o->doc_option != NULL) {
        return cli_usage_error("dedup", "%s needs --docs", o->doc_option);
    }
    return 0;
}

static int parse_dedup(int argc, char **argv, cli_common *common, dedup_cli *o)
{
    cli_common_default(common);
    memset(o, 0, sizeof *o);
    mtp_dedup_options_default(&o->units);
    mtp_dedup_docs_options_default(&o->doc);
    const int parsed =
        cli_parse_options("dedup", argc, argv, long_options, usage, common, stage_option_cb, o);
    if (parsed != 0) {
        return parsed;
    }
    o->units.on_error = common->on_error;
    o->doc.on_error = common->on_error;
    return check_mode(o);
}

int cli_parse_dedup(int argc, char **argv, cli_common *common, mtp_dedup_options *opts)
{
    dedup_cli o;
    const int rc = parse_dedup(argc, argv, common, &o);
    if (rc != 0) {
        return rc;
    }
    if (o.docs) {
        return cli_usage_error("dedup",
                               "'docs' does not belong in [dedup]: near-duplicate documents "
                               "have their own section, [dedup_docs]");
    }
    *opts = o.units;
    return 0;
}

int cli_parse_dedup_docs(int argc, char **argv, cli_common *common, mtp_dedup_docs_options *opts)
{
    dedup_cli o;
    const int rc = parse_dedup(argc, argv, common, &o);
    if (rc != 0) {
        return rc;
    }
    if (!o.docs) {
        return cli_usage_error("dedup", "near-duplicate documents need --docs");
    }
    *opts = o.doc;
    return 0;
}

static mtp_status new_stage(const dedup_cli *o, mtp_stage **stage, mtp_error *err)
{
    if (o->docs) {
        return mtp_dedup_docs_new(&o->doc, stage, err);
    }
    return mtp_dedup_new(&o->units, stage, err);
}

int cmd_dedup(int argc, char **argv)
{
    cli_common common;
    dedup_cli o;
    const int rc = parse_dedup(argc, argv, &common, &o);
    if (rc != 0) {
        return rc == CLI_HELP_SHOWN ? CLI_EXIT_OK : rc;
    }
    mtp_stage *stage = NULL;
    mtp_error err = {{0}};
    const mtp_status st = new_stage(&o, &stage, &err);
    if (st != MTP_OK) {
        return cli_report_new_failed("dedup", st, &err);
    }
    return cli_run_stage_and_free("dedup", stage, NULL, NULL, &common, argc, argv);
}
