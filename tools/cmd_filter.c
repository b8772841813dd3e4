/* mtprep filter: drop records by length, character-class and content rules. */
#include <stdio.h>

#include "cli.h"

static const char usage[] =
    "Usage: mtprep filter [OPTIONS] [FILE...]\n"
    "Reads unit (or pair) records from FILEs or stdin and writes those that pass\n"
    "every rule to stdout. Rules run in this order; the first match drops the\n"
    "record and counts dropped.RULE:\n"
    "  url_only, email_only, number_only   the text is one URL, e-mail address or number\n"
    "  too_short, too_long                 code points outside [--min-chars, --max-chars]\n"
    "  too_few_words, too_many_words       words outside [--min-words, --max-words]\n"
    "  nonletter_ratio                     share of non-letter, non-space code points\n"
    "A pair record passes when both sides pass. Limits are inclusive.\n"
    "\n"
    "Options:\n"
    "      --min-chars N            fewest code points kept (default 10)\n"
    "      --max-chars N            most code points kept (default 1000; 0: no limit)\n"
    "      --min-words N            fewest words kept (default 3)\n"
    "      --max-words N            most words kept (default 200; 0: no limit)\n"
    "      --max-nonletter-ratio R  largest share of code points that are neither\n"
    "                               letters nor spaces, in [0,1] (default 0.5; 1: off)\n"
    "      --keep-url-email-number  keep texts that are only a URL, e-mail or number\n"
    "                               (default: drop them)\n"
    "Invalid UTF-8 in a text is bad input (dropped.invalid_utf8, or --on-error fail).\n"
    "\n";

enum {
    OPT_MIN_CHARS = CLI_OPT_FIRST_STAGE_OPTION,
    OPT_MAX_CHARS,
    OPT_MIN_WORDS,
    OPT_MAX_WORDS,
    OPT_MAX_NONLETTER_RATIO,
    OPT_KEEP_URL_EMAIL_NUMBER
};

static const struct option long_options[] = {
    {"min-chars", required_argument, NULL, OPT_MIN_CHARS},
    {"max-chars", required_argument, NULL, OPT_MAX_CHARS},
    {"min-words", required_argument, NULL, OPT_MIN_WORDS},
    {"max-words", required_argument, NULL, OPT_MAX_WORDS},
    {"max-nonletter-ratio", required_argument, NULL, OPT_MAX_NONLETTER_RATIO},
    {"keep-url-email-number", no_argument, NULL, OPT_KEEP_URL_EMAIL_NUMBER},
    CLI_COMMON_LONG_OPTIONS,
    {NULL, 0, NULL, 0}};

static int parse_count(const char *name, const char *arg, size_t *out)
{
    unsigned long long value = 0;
    if (cli_parse_uint(arg, SIZE_MAX, &value) != 0) {
        return cli_usage_error("filter", "--%s: not a non-negative integer: '%s'", name, arg);
    }
    *out = (size_t)value;
    return 0;
}

/* One stage option; returns 0 or CLI_EXIT_USAGE. */
static int stage_option(int opt, const char *arg, mtp_filter_options *opts)
{
    switch (opt) {
    case OPT_MIN_CHARS:
        return parse_count("min-chars", arg, &opts->min_chars);
    case OPT_MAX_CHARS:
        return parse_count("max-chars", arg, &opts->max_chars);
    case OPT_MIN_WORDS:
        return parse_count("min-words", arg, &opts->min_words);
    case OPT_MAX_WORDS:
        return parse_count("max-words", arg, &opts->max_words);
    case OPT_MAX_NONLETTER_RATIO:
        if (cli_parse_double(arg, 0.0, 1.0, &opts->max_nonletter_ratio) != 0) {
            return cli_usage_error("filter", "--max-nonletter-ratio: not a number in [0,1]: '%s'",
                                   arg);
        }
        return 0;
    case OPT_KEEP_URL_EMAIL_NUMBER:
        opts->drop_url_email_number = 0;
        return 0;
    default:
        return cli_usage_error("filter", "unknown option");
    }
}

int cli_parse_filter(int argc, char **argv, cli_common *common, mtp_filter_options *opts)
{
    cli_common_default(common);
    mtp_filter_options_default(opts);
    int opt = 0;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "qv", long_options, NULL)) != -1) {
        if (opt == CLI_OPT_HELP) {
            fputs(usage, stdout);
            fputs(cli_common_usage, stdout);
            return CLI_HELP_SHOWN;
        }
        if (opt == '?') { /* getopt's own message would lack the "mtprep filter:" prefix */
            return cli_usage_error("filter", "unknown option or missing argument: '%s'",
                                   argv[optind - 1]);
        }
        const int common_rc = cli_common_option(common, "filter", opt, optarg);
        if (common_rc == CLI_EXIT_USAGE) {
            return CLI_EXIT_USAGE;
        }
        if (common_rc == 0 && stage_option(opt, optarg, opts) != 0) {
            return CLI_EXIT_USAGE;
        }
    }
    opts->on_error = common->on_error;
    return 0;
}

int cmd_filter(int argc, char **argv)
{
    cli_common common;
    mtp_filter_options opts;
    const int rc = cli_parse_filter(argc, argv, &common, &opts);
    if (rc != 0) {
        return rc == CLI_HELP_SHOWN ? CLI_EXIT_OK : rc;
    }
    mtp_stage *stage = NULL;
    mtp_error err = {{0}};
    const mtp_status st = mtp_filter_new(&opts, &stage, &err);
    if (st != MTP_OK) {
        if (st == MTP_ERR_USAGE) {
            return cli_usage_error("filter", "%s", err.message);
        }
        cli_error("filter", "%s", err.message);
        return cli_exit_code(st);
    }
    const int exit_code =
        cli_run_record_stage("filter", stage, &common, argc - optind, argv + optind);
    mtp_stage_free(stage);
    return exit_code;
}
