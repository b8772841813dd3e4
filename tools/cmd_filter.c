/* mtprep filter: drop unit and pair records by length, character-class,
 * content and (for pairs) bitext rules. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
    "Usage: mtprep filter [OPTIONS] [FILE...]\n"
    "Reads unit or pair records from FILEs or stdin and writes those that pass\n"
    "every rule to stdout. Rules run in this order; the first match drops the\n"
    "record and counts dropped.RULE:\n"
    "  link_teaser                         the text opens with 'Baca juga:' (or Lihat/Simak\n"
    "                                      juga/pula:), a link to another article\n"
    "  url_only, email_only, number_only   the text is one URL, e-mail address or number\n"
    "  too_short, too_long                 code points outside [--min-chars, --max-chars]\n"
    "  too_few_words, too_many_words       words outside [--min-words, --max-words]\n"
    "  nonletter_ratio                     share of non-letter, non-space code points\n"
    "A pair record must pass these on both sides (source first), then:\n"
    "  identical        same letters and digits on both sides, case ignored\n"
    "  length_ratio     longer/shorter side in code points above --max-length-ratio\n"
    "  script_ratio     share of Latin-script letters on a side below its minimum\n"
    "  email_mismatch   the sides hold different e-mail addresses\n"
    "  url_mismatch     the sides hold different URLs (scheme, www. and case ignored)\n"
    "  number_mismatch  the sides hold different numbers: 1.000,50 = 1,000.50,\n"
    "                   10.500 = 10,500, 1,5 = 1.5, 10.30 = 10:30, 15.00 = 3 p.m.,\n"
    "                   250 juta = 250 million; a number the other side spells\n"
    "                   as a word (six, dua belas, Nov.) is forgiven\n"
    "  langid           with --langid: a side is guessed to be in the other of\n"
    "                   Indonesian and English than it should be\n"
    "With --langid a unit record, having passed the unit rules, must pass langid.\n"
    "Limits are inclusive.\n"
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
    "      --keep-link-teasers      keep texts that open with a news page's link marker,\n"
    "                               'Baca juga:' (default: drop them)\n"
    "      --langid L[,T]           drop a unit (a pair's source) guessed to be in the\n"
    "                               other language than L, and a pair's target the\n"
    "                               other than T; L and T are id or en. The guess\n"
    "                               counts Indonesian and English function words and\n"
    "                               is unsure, so keeps the text, unless one language\n"
    "                               leads widely (default: off)\n"
    "Pair options:\n"
    "      --keep-identical         keep pairs whose sides are identical (default: drop)\n"
    "      --max-length-ratio R     largest longer/shorter length ratio, >= 1\n"
    "                               (default 3; 0: off)\n"
    "      --length-ratio-min-chars N  check the ratio only when the longer side has\n"
    "                               at least N code points (default 20)\n"
    "      --min-latin-ratio R      smallest share of Latin letters on each side, in\n"
    "                               [0,1] (default 0.9; 0: off)\n"
    "      --src-min-latin-ratio R  the same for the source side alone (default 0.9)\n"
    "      --tgt-min-latin-ratio R  the same for the target side alone (default 0.9)\n"
    "      --keep-email-mismatch    keep pairs whose e-mail addresses differ\n"
    "      --keep-url-mismatch      keep pairs whose URLs differ\n"
    "      --keep-number-mismatch   keep pairs whose numbers differ\n"
    "Invalid UTF-8 in a text is bad input (dropped.invalid_utf8, or --on-error fail).\n"
    "\n";

enum {
    OPT_MIN_CHARS = CLI_OPT_FIRST_STAGE_OPTION,
    OPT_MAX_CHARS,
    OPT_MIN_WORDS,
    OPT_MAX_WORDS,
    OPT_MAX_NONLETTER_RATIO,
    OPT_KEEP_URL_EMAIL_NUMBER,
    OPT_KEEP_LINK_TEASERS,
    OPT_LANGID,
    OPT_KEEP_IDENTICAL,
    OPT_MAX_LENGTH_RATIO,
    OPT_LENGTH_RATIO_MIN_CHARS,
    OPT_MIN_LATIN_RATIO,
    OPT_SRC_MIN_LATIN_RATIO,
    OPT_TGT_MIN_LATIN_RATIO,
    OPT_KEEP_EMAIL_MISMATCH,
    OPT_KEEP_URL_MISMATCH,
    OPT_KEEP_NUMBER_MISMATCH
};

static const struct option long_options[] = {
    {"min-chars", required_argument, NULL, OPT_MIN_CHARS},
    {"max-chars", required_argument, NULL, OPT_MAX_CHARS},
    {"min-words", required_argument, NULL, OPT_MIN_WORDS},
    {"max-words", required_argument, NULL, OPT_MAX_WORDS},
    {"max-nonletter-ratio", required_argument, NULL, OPT_MAX_NONLETTER_RATIO},
    {"keep-url-email-number", no_argument, NULL, OPT_KEEP_URL_EMAIL_NUMBER},
    {"keep-link-teasers", no_argument, NULL, OPT_KEEP_LINK_TEASERS},
    {"langid", required_argument, NULL, OPT_LANGID},
    {"keep-identical", no_argument, NULL, OPT_KEEP_IDENTICAL},
    {"max-length-ratio", required_argument, NULL, OPT_MAX_LENGTH_RATIO},
    {"length-ratio-min-chars", required_argument, NULL, OPT_LENGTH_RATIO_MIN_CHARS},
    {"min-latin-ratio", required_argument, NULL, OPT_MIN_LATIN_RATIO},
    {"src-min-latin-ratio", required_argument, NULL, OPT_SRC_MIN_LATIN_RATIO},
    {"tgt-min-latin-ratio", required_argument, NULL, OPT_TGT_MIN_LATIN_RATIO},
    {"keep-email-mismatch", no_argument, NULL, OPT_KEEP_EMAIL_MISMATCH},
    {"keep-url-mismatch", no_argument, NULL, OPT_KEEP_URL_MISMATCH},
    {"keep-number-mismatch", no_argument, NULL, OPT_KEEP_NUMBER_MISMATCH},
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

static int parse_share(const char *name, const char *arg, double *out)
{
    if (cli_parse_double(arg, 0.0, 1.0, out) != 0) {
        return cli_usage_error("filter", "--%s: not a number in [0,1]: '%s'", name, arg);
    }
    return 0;
}

/* 0 or a ratio of at least 1. */
static int parse_length_ratio(const char *arg, double *out)
{
    if (cli_parse_double(arg, 0.0, 1e9, out) != 0 || (*out != 0.0 && *out < 1.0)) {
        return cli_usage_error("filter", "--max-length-ratio: not 0 or a number >= 1: '%s'", arg);
    }
    return 0;
}

static int latin_option(int opt, const char *arg, mtp_filter_options *opts)
{
    double share = 0.0;
    const char *name = opt == OPT_MIN_LATIN_RATIO       ? "min-latin-ratio"
                       : opt == OPT_SRC_MIN_LATIN_RATIO ? "src-min-latin-ratio"
                                                        : "tgt-min-latin-ratio";
    if (parse_share(name, arg, &share) != 0) {
        return CLI_EXIT_USAGE;
    }
    if (opt != OPT_TGT_MIN_LATIN_RATIO) {
        opts->src_min_latin_ratio = share;
    }
    if (opt != OPT_SRC_MIN_LATIN_RATIO) {
        opts->tgt_min_latin_ratio = share;
    }
    return 0;
}

/* "id" or "en", the languages the built-in guess tells apart. */
static int parse_lang(const char *arg, size_t len, mtp_lang_guess *out)
{
    if (len == 2 && memcmp(arg, "id", 2) == 0) {
        *out = MTP_LANG_ID;
    } else if (len == 2 && memcmp(arg, "en", 2) == 0) {
        *out = MTP_LANG_EN;
    } else {
        return -1;
    }
    return 0;
}

/* --langid L or L,T. */
static int parse_langid(const char *arg, mtp_filter_langs *out)
{
    const char *comma = strchr(arg, ',');
    const size_t first = comma != NULL ? (size_t)(comma - arg) : strlen(arg);
    out->tgt = MTP_LANG_UNSURE;
    if (parse_lang(arg, first, &out->src) != 0 ||
        (comma != NULL && parse_lang(comma + 1, strlen(comma + 1), &out->tgt) != 0)) {
        return cli_usage_error("filter", "--langid takes id or en, or two of them as L,T: '%s'",
                               arg);
    }
    return 0;
}

/* A pair option; returns 0 or CLI_EXIT_USAGE. */
static int pair_option(int opt, const char *arg, mtp_filter_options *opts)
{
    switch (opt) {
    case OPT_KEEP_IDENTICAL:
        opts->drop_identical = 0;
        return 0;
    case OPT_MAX_LENGTH_RATIO:
        return parse_length_ratio(arg, &opts->max_length_ratio);
    case OPT_LENGTH_RATIO_MIN_CHARS:
        return parse_count("length-ratio-min-chars", arg, &opts->length_ratio_min_chars);
    case OPT_MIN_LATIN_RATIO:
    case OPT_SRC_MIN_LATIN_RATIO:
    case OPT_TGT_MIN_LATIN_RATIO:
        return latin_option(opt, arg, opts);
    case OPT_KEEP_EMAIL_MISMATCH:
        opts->drop_email_mismatch = 0;
        return 0;
    case OPT_KEEP_URL_MISMATCH:
        opts->drop_url_mismatch = 0;
        return 0;
    case OPT_KEEP_NUMBER_MISMATCH:
        opts->drop_number_mismatch = 0;
        return 0;
    default:
        return cli_usage_error("filter", "unknown option");
    }
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
        return parse_share("max-nonletter-ratio", arg, &opts->max_nonletter_ratio);
    case OPT_KEEP_LINK_TEASERS:
        opts->drop_link_teasers = 0;
        return 0;
    case OPT_LANGID:
        return parse_langid(arg, &opts->langid);
    case OPT_KEEP_URL_EMAIL_NUMBER:
        opts->drop_url_email_number = 0;
        return 0;
    default:
        return pair_option(opt, arg, opts);
    }
}

/* stage_option for the shared option loop (cli_parse_options). */
static int stage_option_cb(int opt, const char *arg, void *stage_opts)
{
    return stage_option(opt, arg, stage_opts);
}

int cli_parse_filter(int argc, char **argv, cli_common *common, mtp_filter_options *opts)
{
    cli_common_default(common);
    mtp_filter_options_default(opts);
    const int parsed =
        cli_parse_options("filter", argc, argv, long_options, usage, common, stage_option_cb, opts);
    if (parsed != 0) {
        return parsed;
    }
    opts->on_error = common->on_error;
    return 0;
}

/* Makes one more filter stage for a worker thread. */
static mtp_status make_filter(void *ctx, mtp_stage **out, mtp_error *err)
{
    return mtp_filter_new(ctx, out, err);
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
        return cli_report_new_failed("filter", st, &err);
    }
    return cli_run_stage_and_free("filter", stage, make_filter, &opts, &common, argc, argv);
}
