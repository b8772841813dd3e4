/* mtprep align: align two segmented record streams into sentence pairs. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "mtprep/align.h"

static const char usage[] =
    "Usage: mtprep align [OPTIONS] SRC TGT\n"
    "Reads two segmented record streams (doc_id, unit, text), SRC in the source\n"
    "language and TGT in the target language ('-' names stdin, for one of them),\n"
    "pairs their documents on doc_id and aligns the sentences of each pair with a\n"
    "banded dynamic program over 1-1, 1-0, 0-1, 2-1, 1-2 and 2-2 beads: Gale-Church\n"
    "length model plus lexical anchors (numbers, names, URLs, identical tokens,\n"
    "cognates, punctuation, a bilingual word list). Writes one pair record per\n"
    "bead to stdout: doc_id, units (1.2+1.3=1.4), src, tgt, score in [0,1].\n"
    "Both streams must list shared documents in the same order; documents found\n"
    "on one side only are skipped. Counts are in sentences: in = out + dropped\n"
    "(one_sided_doc, unaligned_src, unaligned_tgt, low_score).\n"
    "\n"
    "Options:\n"
    "      --src-lang CODE          source language (default id)\n"
    "      --tgt-lang CODE          target language (default en)\n"
    "      --dict FILE              word list, one 'src<TAB>tgt' pair a line, '#' comments\n"
    "                               (default: the built-in Indonesian-English list)\n"
    "      --no-dict                use no word list\n"
    "      --min-score X            drop pairs scoring below X, in [0,1] (default 0)\n"
    "      --window N               documents looked ahead per side to resynchronise\n"
    "                               the join (default 1000)\n"
    "      --max-doc-sentences N    sentences kept per document side; the rest are bad\n"
    "                               input doc_too_long (default 1000000)\n"
    "      --emit-nulls             also write 1-0 and 0-1 beads, with an empty side\n"
    "                               and score 0 (for scoring against gold beads)\n"
    "\n";

enum {
    OPT_SRC_LANG = CLI_OPT_FIRST_STAGE_OPTION,
    OPT_TGT_LANG,
    OPT_DICT,
    OPT_NO_DICT,
    OPT_MIN_SCORE,
    OPT_WINDOW,
    OPT_MAX_DOC_SENTENCES,
    OPT_EMIT_NULLS
};

static const struct option long_options[] = {
    {"src-lang", required_argument, NULL, OPT_SRC_LANG},
    {"tgt-lang", required_argument, NULL, OPT_TGT_LANG},
    {"dict", required_argument, NULL, OPT_DICT},
    {"no-dict", no_argument, NULL, OPT_NO_DICT},
    {"min-score", required_argument, NULL, OPT_MIN_SCORE},
    {"window", required_argument, NULL, OPT_WINDOW},
    {"max-doc-sentences", required_argument, NULL, OPT_MAX_DOC_SENTENCES},
    {"emit-nulls", no_argument, NULL, OPT_EMIT_NULLS},
    CLI_COMMON_LONG_OPTIONS,
    {NULL, 0, NULL, 0}};

static int parse_positive(const char *name, const char *arg, size_t *out)
{
    unsigned long long value = 0;
    if (cli_parse_uint(arg, SIZE_MAX / 2, &value) != 0 || value == 0) {
        return cli_usage_error("align", "--%s: not a positive integer: '%s'", name, arg);
    }
    *out = (size_t)value;
    return 0;
}

/* One stage option; returns 0 or CLI_EXIT_USAGE. */
static int stage_option(int opt, const char *arg, mtp_align_options *opts)
{
    switch (opt) {
    case OPT_SRC_LANG:
        opts->src_lang = arg;
        return 0;
    case OPT_TGT_LANG:
        opts->tgt_lang = arg;
        return 0;
    case OPT_DICT:
        opts->dict_path = arg;
        opts->use_dict = 1;
        return 0;
    case OPT_NO_DICT:
        opts->use_dict = 0;
        return 0;
    case OPT_MIN_SCORE:
        if (cli_parse_double(arg, 0.0, 1.0, &opts->min_score) != 0) {
            return cli_usage_error("align", "--min-score: not a number in [0,1]: '%s'", arg);
        }
        return 0;
    case OPT_WINDOW:
        return parse_positive("window", arg, &opts->window_docs);
    case OPT_MAX_DOC_SENTENCES:
        return parse_positive("max-doc-sentences", arg, &opts->max_doc_sentences);
    case OPT_EMIT_NULLS:
        opts->emit_nulls = 1;
        return 0;
    default:
        return cli_usage_error("align", "unknown option");
    }
}

/* stage_option for the shared option loop (cli_parse_options). */
static int stage_option_cb(int opt, const char *arg, void *stage_opts)
{
    return stage_option(opt, arg, stage_opts);
}

/* Parses argv like the other cli_parse_* functions: 0, CLI_EXIT_USAGE or CLI_HELP_SHOWN. */
int cli_parse_align(int argc, char **argv, cli_common *common, mtp_align_options *opts)
{
    cli_common_default(common);
    mtp_align_options_default(opts);
    const int parsed =
        cli_parse_options("align", argc, argv, long_options, usage, common, stage_option_cb, opts);
    if (parsed != 0) {
        return parsed;
    }
    opts->on_error = common->on_error;
    if (argc - optind != 2) {
        return cli_usage_error("align", "expected two inputs, SRC and TGT, got %d", argc - optind);
    }
    if (strcmp(argv[optind], "-") == 0 && strcmp(argv[optind + 1], "-") == 0) {
        return cli_usage_error("align", "SRC and TGT cannot both be stdin");
    }
    return 0;
}

static mtp_status emit_to_writer(void *ctx, const mtp_record *rec)
{
    return mtp_writer_put_record(ctx, rec);
}

/* Opens both inputs and the output, aligns, commits. Messages go to stderr. */
static mtp_status run(mtp_aligner *a, const cli_common *common, char *const *paths)
{
    mtp_reader *src = NULL, *tgt = NULL;
    mtp_writer *out = NULL;
    mtp_error err = {{0}};
    char werr[512] = "";
    mtp_status st = mtp_reader_open(paths[0], NULL, common->max_line_bytes, &src, &err);
    st = st == MTP_OK ? mtp_reader_open(paths[1], NULL, common->max_line_bytes, &tgt, &err) : st;
    st = st == MTP_OK ? mtp_writer_open("-", NULL, &out, werr, sizeof werr) : st;
    if (st == MTP_OK) {
        const mtp_sink sink = {emit_to_writer, out};
        st = mtp_align_streams(a, src, tgt, &sink);
        st = st == MTP_OK ? mtp_writer_commit(out) : st;
    }
    if (st != MTP_OK) {
        const char *msg = out != NULL ? mtp_writer_error(out) : werr;
        msg = msg[0] != '\0' ? msg : mtp_aligner_error(a);
        msg = msg[0] != '\0' ? msg : err.message;
        cli_error("align", "%s", msg[0] != '\0' ? msg : mtp_status_str(st));
    }
    mtp_writer_free(out);
    mtp_reader_close(tgt);
    mtp_reader_close(src);
    return st;
}

int cmd_align(int argc, char **argv)
{
    cli_common common;
    mtp_align_options opts;
    const int rc = cli_parse_align(argc, argv, &common, &opts);
    if (rc != 0) {
        return rc == CLI_HELP_SHOWN ? CLI_EXIT_OK : rc;
    }
    mtp_aligner *a = NULL;
    mtp_error err = {{0}};
    const mtp_status st = mtp_aligner_new(&opts, &a, &err);
    if (st != MTP_OK) {
        return cli_report_new_failed("align", st, &err);
    }
    const mtp_status run_st = run(a, &common, argv + optind);
    const int report = cli_report_counts("align", mtp_aligner_counts(a), &common);
    mtp_aligner_free(a);
    return run_st != MTP_OK ? cli_exit_code(run_st) : report;
}
