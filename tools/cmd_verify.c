/* mtprep verify: recheck a corpus directory against its manifest and checksums. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
    "Usage: mtprep verify [-q] [--leaks [--mem SIZE]] DIR\n"
    "Rechecks the corpus directory DIR written by 'mtprep write': every file listed\n"
    "in DIR/MANIFEST.json exists with its size, SHA-256 and line count (zstd files\n"
    "are decompressed), files of one split have equal line counts, and\n"
    "DIR/SHA256SUMS lists exactly those files and MANIFEST.json with the same\n"
    "digests. With --leaks it also checks that no train line shares its exact or\n"
    "loose key with a dev or test line (both sides of a pair corpus pooled).\n"
    "Prints 'OK NAME N lines' or 'FAILED NAME: WHAT' per file on stdout (--leaks:\n"
    "'FAILED NAME:LINE: shares its exact|loose key with dev or test' per leak).\n"
    "Exit status: 0 all good, 3 a mismatch or leak (the first one is also printed\n"
    "on stderr), 1 DIR/MANIFEST.json or a file cannot be read, or --mem too small\n"
    "(as for write), 2 usage error, 4 out of memory.\n"
    "\n"
    "Options:\n"
    "      --leaks               also check train against dev/test keys (default: off)\n"
    "      --mem SIZE            bound on the dev/test key table of --leaks, <= 15\n"
    "                            bytes per key, two per line (default 1G; K/M/G)\n"
    "  -q, --quiet               print nothing on stdout; problems still go to stderr\n"
    "  -v, --verbose             accepted; no extra output\n"
    "      --help                this help\n";

enum { OPT_LEAKS = CLI_OPT_FIRST_STAGE_OPTION, OPT_MEM };

static const struct option long_options[] = {{"leaks", no_argument, NULL, OPT_LEAKS},
                                             {"mem", required_argument, NULL, OPT_MEM},
                                             CLI_COMMON_LONG_OPTIONS,
                                             {NULL, 0, NULL, 0}};

typedef struct verify_options {
    int leaks;        /* --leaks */
    size_t mem_bytes; /* --mem */
} verify_options;

/* --leaks and --mem; returns 1 when handled, 0 when not ours, or CLI_EXIT_USAGE. */
static int verify_option(int opt, const char *arg, verify_options *opts)
{
    if (opt == OPT_LEAKS) {
        opts->leaks = 1;
        return 1;
    }
    if (opt != OPT_MEM) {
        return 0;
    }
    return cli_parse_size(arg, &opts->mem_bytes) == 0
               ? 1
               : cli_usage_error("verify", "--mem: invalid size '%s'", arg);
}

/* Parses the options; leaves optind at DIR. Returns 0, CLI_EXIT_USAGE or CLI_HELP_SHOWN. */
static int parse_verify(int argc, char **argv, cli_common *common, verify_options *opts)
{
    cli_common_default(common);
    opts->leaks = 0;
    opts->mem_bytes = MTP_DEDUP_DEFAULT_MEM_BYTES;
    int opt = 0;
    cli_getopt_reset();
    while ((opt = getopt_long(argc, argv, ":qv", long_options, NULL)) != -1) {
        if (opt == CLI_OPT_HELP) {
            fputs(usage, stdout);
            return CLI_HELP_SHOWN;
        }
        if (opt == '?' || opt == ':') {
            return cli_option_error("verify", opt, argv);
        }
        int rc = verify_option(opt, optarg, opts);
        if (rc == 0) {
            rc = cli_common_option(common, "verify", opt, optarg);
        }
        if (rc != 1) {
            return rc == CLI_EXIT_USAGE ? CLI_EXIT_USAGE
                                        : cli_usage_error("verify", "unknown option");
        }
    }
    if (argc - optind != 1) {
        return cli_usage_error("verify", "expected one corpus directory, got %d arguments",
                               argc - optind);
    }
    return 0;
}

int cmd_verify(int argc, char **argv)
{
    cli_common common;
    verify_options opts;
    const int rc = parse_verify(argc, argv, &common, &opts);
    if (rc != 0) {
        return rc == CLI_HELP_SHOWN ? CLI_EXIT_OK : rc;
    }
    const char *dir = argv[optind];
    mtp_error err = {{0}};
    FILE *report = common.verbosity > 0 ? stdout : NULL;
    mtp_status st = mtp_corpus_verify(dir, report, &err);
    if ((st == MTP_OK || st == MTP_ERR_MISMATCH) && opts.leaks) {
        mtp_error leak_err = {{0}};
        const mtp_status leak_st = mtp_corpus_check_leaks(dir, opts.mem_bytes, report, &leak_err);
        if (st == MTP_OK) { /* the first problem is the one reported */
            st = leak_st;
            err = leak_err;
        }
    }
    if (report != NULL && fflush(report) != 0) {
        cli_error("verify", "cannot write to stdout");
        return CLI_EXIT_FAILURE;
    }
    if (st != MTP_OK) {
        cli_error("verify", "%s: %s", dir, err.message);
    }
    return cli_exit_code(st);
}
