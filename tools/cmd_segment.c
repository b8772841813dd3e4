/* mtprep segment: paragraph records in, sentence records out. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char segment_usage[] =
    "Usage: mtprep segment [OPTIONS] [FILE...]\n"
    "\n"
    "Splits each paragraph record (doc_id TAB 3 TAB text) into sentence records\n"
    "(doc_id TAB 3.1 TAB text, 3.2, ...) with ICU's sentence rules (UAX #29)\n"
    "corrected by a non-breaking prefix list and rules for initials and quotations.\n"
    "Text is never changed except for white space at sentence boundaries.\n"
    "Reads FILEs (or stdin, also as '-') and writes to stdout.\n"
    "\n"
    "Segment options:\n"
    "      --lang id|en          language: ICU locale and built-in prefix list (default id)\n"
    "      --prefixes FILE       non-breaking prefix list replacing the built-in one\n"
    "                            (default: built-in list of --lang; format: see\n"
    "                            corpora/nonbreaking_prefix.id)\n"
    "      --no-prefixes         use no prefix list (default: use one)\n"
    "      --icu-only            ICU's breaks unchanged: no prefixes, no rules\n"
    "                            (default: prefixes and rules applied)\n"
    "\n"
    "Counts: split (sentences beyond the first), dropped.empty (white-space-only\n"
    "text), dropped.already_segmented (unit is already N.M), and the informative\n"
    "suppressed.RULE / added.RULE / moved.RULE for breaks each rule removed, added\n"
    "or moved.\n"
    "\n";

enum { OPT_LANG = CLI_OPT_FIRST_STAGE_OPTION, OPT_PREFIXES, OPT_NO_PREFIXES, OPT_ICU_ONLY };

static const struct option segment_long_options[] = {
    {"lang", required_argument, NULL, OPT_LANG},
    {"prefixes", required_argument, NULL, OPT_PREFIXES},
    {"no-prefixes", no_argument, NULL, OPT_NO_PREFIXES},
    {"icu-only", no_argument, NULL, OPT_ICU_ONLY},
    CLI_COMMON_LONG_OPTIONS,
    {NULL, 0, NULL, 0}};

static int segment_option(int opt, const char *arg, mtp_segment_options *opts)
{
    switch (opt) {
    case OPT_LANG:
        if (strcmp(arg, "id") != 0 && strcmp(arg, "en") != 0) {
            return cli_usage_error("segment", "--lang: unknown language '%s' (want id or en)", arg);
        }
        opts->lang = arg;
        return 0;
    case OPT_PREFIXES:
        opts->prefixes_path = arg;
        opts->use_prefixes = 1;
        return 0;
    case OPT_NO_PREFIXES:
        opts->use_prefixes = 0;
        return 0;
    case OPT_ICU_ONLY:
        opts->use_prefixes = 0;
        opts->tailor = 0;
        return 0;
    default:
        return cli_usage_error("segment", "unknown option");
    }
}

/* segment_option for the shared option loop (cli_parse_options). */
static int segment_option_cb(int opt, const char *arg, void *stage_opts)
{
    return segment_option(opt, arg, stage_opts);
}

int cli_parse_segment(int argc, char **argv, cli_common *common, mtp_segment_options *opts)
{
    cli_common_default(common);
    mtp_segment_options_default(opts);
    const int parsed = cli_parse_options("segment", argc, argv, segment_long_options, segment_usage,
                                         common, segment_option_cb, opts);
    if (parsed != 0) {
        return parsed;
    }
    opts->on_error = common->on_error;
    return 0;
}

/* Makes one more segment stage per worker thread, from the same options. */
static mtp_status make_segment(void *opts, mtp_stage **out, mtp_error *err)
{
    return mtp_segment_new(opts, out, err);
}

int cmd_segment(int argc, char **argv)
{
    cli_common common;
    mtp_segment_options opts;
    const int parsed = cli_parse_segment(argc, argv, &common, &opts);
    if (parsed != 0) {
        return parsed == CLI_HELP_SHOWN ? CLI_EXIT_OK : parsed;
    }
    mtp_stage *stage = NULL;
    mtp_error err = {{0}};
    const mtp_status st = mtp_segment_new(&opts, &stage, &err);
    if (st != MTP_OK) {
        return cli_report_new_failed("segment", st, &err);
    }
    return cli_run_stage_and_free("segment", stage, make_segment, &opts, &common, argc, argv);
}
