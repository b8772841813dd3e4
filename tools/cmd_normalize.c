/* mtprep normalize: Unicode, whitespace and punctuation normalization of record text. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
    "Usage: mtprep normalize [OPTIONS] [FILE...]\n"
    "Reads unit (or pair) records from FILEs or stdin (- or none) and writes them to\n"
    "stdout with each text field (both sides of a pair) normalized, in this order:\n"
    "  mojibake   UTF-8 that was read as cp1252/latin-1 (\"CafÃ©\") is repaired when\n"
    "             the whole field maps back to valid UTF-8\n"
    "  controls   control and format characters (ZWSP, ZWJ, BOM, soft hyphen,\n"
    "             bidi marks ...) removed\n"
    "  spaces     TAB, line breaks (CR, LF, U+0085, U+2028, U+2029), NBSP and every\n"
    "             other space become one space; runs collapsed; ends trimmed\n"
    "  Unicode    NFC, or NFKC with --form nfkc\n"
    "  punct-1    curly and angle quotes to \" and ', dashes and minus to -,\n"
    "             U+2026 to ...\n"
    "Mojibake repair is retried after the other steps, so the output is a fixed point.\n"
    "A record whose text becomes empty is dropped (dropped.empty); invalid UTF-8 is\n"
    "bad input (dropped.invalid_utf8, or --on-error fail). Fields changed are counted\n"
    "as changed.mojibake, changed.control, changed.whitespace, changed.nfc (or\n"
    "changed.nfkc) and changed.punct.\n"
    "\n"
    "Options:\n"
    "      --form nfc|nfkc   Unicode normalization form (default nfc)\n"
    "      --no-punct        keep quotes, dashes and ellipses (default: apply punct-1)\n"
    "      --no-mojibake     do not repair mojibake (default: repair)\n"
    "\n";

enum { OPT_FORM = CLI_OPT_FIRST_STAGE_OPTION, OPT_NO_PUNCT, OPT_NO_MOJIBAKE };

static const struct option long_options[] = {{"form", required_argument, NULL, OPT_FORM},
                                             {"no-punct", no_argument, NULL, OPT_NO_PUNCT},
                                             {"no-mojibake", no_argument, NULL, OPT_NO_MOJIBAKE},
                                             CLI_COMMON_LONG_OPTIONS,
                                             {NULL, 0, NULL, 0}};

static int parse_form(const char *arg, mtp_norm_form *out)
{
    if (strcmp(arg, "nfc") == 0) {
        *out = MTP_NORM_NFC;
        return 0;
    }
    if (strcmp(arg, "nfkc") == 0) {
        *out = MTP_NORM_NFKC;
        return 0;
    }
    return cli_usage_error("normalize", "--form: expected nfc or nfkc, got '%s'", arg);
}

/* One stage option; returns 0 or CLI_EXIT_USAGE. */
static int stage_option(int opt, const char *arg, mtp_normalize_options *opts)
{
    switch (opt) {
    case OPT_FORM:
        return parse_form(arg, &opts->form);
    case OPT_NO_PUNCT:
        opts->punctuation = 0;
        return 0;
    case OPT_NO_MOJIBAKE:
        opts->repair_mojibake = 0;
        return 0;
    default:
        return cli_usage_error("normalize", "unknown option");
    }
}

/* stage_option for the shared option loop (cli_parse_options). */
static int stage_option_cb(int opt, const char *arg, void *stage_opts)
{
    return stage_option(opt, arg, stage_opts);
}

int cli_parse_normalize(int argc, char **argv, cli_common *common, mtp_normalize_options *opts)
{
    cli_common_default(common);
    mtp_normalize_options_default(opts);
    const int parsed = cli_parse_options("normalize", argc, argv, long_options, usage, common,
                                         stage_option_cb, opts);
    if (parsed != 0) {
        return parsed;
    }
    opts->on_error = common->on_error;
    return 0;
}

/* Makes one more normalize stage per worker thread, from the same options. */
static mtp_status make_normalize(void *opts, mtp_stage **out, mtp_error *err)
{
    return mtp_normalize_new(opts, out, err);
}

int cmd_normalize(int argc, char **argv)
{
    cli_common common;
    mtp_normalize_options opts;
    const int rc = cli_parse_normalize(argc, argv, &common, &opts);
    if (rc != 0) {
        return rc == CLI_HELP_SHOWN ? CLI_EXIT_OK : rc;
    }
    mtp_stage *stage = NULL;
    mtp_error err = {{0}};
    const mtp_status st = mtp_normalize_new(&opts, &stage, &err);
    if (st != MTP_OK) {
        return cli_report_new_failed("normalize", st, &err);
    }
    return cli_run_stage_and_free("normalize", stage, make_normalize, &opts, &common, argc, argv);
}
