/* mtprep verify: recheck a corpus directory against its manifest and checksums. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
    "Usage: mtprep verify [-q] DIR\n"
    "Rechecks the corpus directory DIR written by 'mtprep write': every file listed\n"
    "in DIR/MANIFEST.json exists with its size, SHA-256 and line count (zstd files\n"
    "are decompressed), files of one split have equal line counts, and\n"
    "DIR/SHA256SUMS lists exactly those files and MANIFEST.json with the same\n"
    "digests. Prints 'OK NAME N lines' or 'FAILED NAME: WHAT' per file on stdout.\n"
    "Exit status: 0 all good, 3 a mismatch (the first one is also printed on\n"
    "stderr), 1 DIR/MANIFEST.json or a file cannot be read, 2 usage error.\n"
    "\n"
    "Options:\n"
    "  -q, --quiet               print nothing on stdout; problems still go to stderr\n"
    "  -v, --verbose             accepted; no extra output\n"
    "      --help                this help\n";

static const struct option long_options[] = {CLI_COMMON_LONG_OPTIONS, {NULL, 0, NULL, 0}};

/* Parses the options; leaves optind at DIR. Returns 0, CLI_EXIT_USAGE or CLI_HELP_SHOWN. */
static int parse_verify(int argc, char **argv, cli_common *common)
{
    cli_common_default(common);
    int opt = 0;
    while ((opt = getopt_long(argc, argv, "qv", long_options, NULL)) != -1) {
        if (opt == CLI_OPT_HELP) {
            fputs(usage, stdout);
            return CLI_HELP_SHOWN;
        }
        if (opt == '?') { /* getopt's own message would lack the "mtprep verify:" prefix */
            return cli_usage_error("verify", "unknown option or missing argument: '%s'",
                                   argv[optind - 1]);
        }
        const int common_rc = cli_common_option(common, "verify", opt, optarg);
        if (common_rc != 1) {
            return common_rc == CLI_EXIT_USAGE ? CLI_EXIT_USAGE
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
    const int rc = parse_verify(argc, argv, &common);
    if (rc != 0) {
        return rc == CLI_HELP_SHOWN ? CLI_EXIT_OK : rc;
    }
    const char *dir = argv[optind];
    mtp_error err = {{0}};
    FILE *report = common.verbosity > 0 ? stdout : NULL;
    const mtp_status st = mtp_corpus_verify(dir, report, &err);
    if (report != NULL && fflush(report) != 0) {
        cli_error("verify", "cannot write to stdout");
        return CLI_EXIT_FAILURE;
    }
    if (st != MTP_OK) {
        cli_error("verify", "%s: %s", dir, err.message);
    }
    return cli_exit_code(st);
}
