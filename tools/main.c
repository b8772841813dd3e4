/* mtprep: the command-line dispatcher. Each subcommand lives in cmd_NAME.c. */
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "shard.h"

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} command;

static const command commands[] = {
    {"ingest", cmd_ingest, "read .txt/JSONL articles, remove boilerplate, emit paragraph records"},
    {"normalize", cmd_normalize, "Unicode NFC/NFKC, whitespace, control characters, punctuation"},
    {"segment", cmd_segment, "split paragraph records into sentence records"},
    {"align", cmd_align, "align two segmented streams (e.g. id and en) into sentence pairs"},
    {"filter", cmd_filter, "drop records by length, character-class and content rules"},
    {"dedup", cmd_dedup, "drop repeated records, first occurrence kept"},
    {"write", cmd_write, "write a compressed train/dev/test corpus directory"},
    {"verify", cmd_verify, "recheck a corpus directory against its manifest"},
    {"stats", cmd_stats, "counts and length histograms of a record stream"},
    {"build", cmd_build, "run a whole recipe (ingest ... write) in one process"},
    {"plan", cmd_plan, "plan a sharded run of a recipe (for Slurm, GNU parallel, ...)"},
    {"task", cmd_task, "run one task (map, reduce, write, assemble) of a planned run"},
    {"status", cmd_status, "show which tasks of a planned run are done"},
};

static void print_usage(FILE *out)
{
    fputs("Usage: mtprep COMMAND [OPTIONS] [ARGS...]\n"
          "       mtprep --version | --help\n\n"
          "Turns raw Indonesian news articles into deduplicated, sentence-segmented,\n"
          "zstd-compressed corpora. Stages read records on stdin (or files) and write\n"
          "records on stdout, so they chain with pipes; 'build' runs a recipe in one process.\n\n"
          "Commands:\n",
          out);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    }
    fputs("\nRun 'mtprep COMMAND --help' for a command's options.\n"
          "Exit status: 0 success, 1 bad input or I/O error, 2 usage error,\n"
          "3 verification mismatch, 4 out of memory or internal error.\n",
          out);
}

static void print_version(void)
{
    printf("mtprep %s (ICU %s, Unicode %s, zstd %s)\n", mtp_version(), mtp_icu_version(),
           mtp_unicode_version(), mtp_zstd_version());
}

/* An interrupted run must leave no temporary file that could be mistaken for output. */
static void on_signal(int sig)
{
    mtp_writer_remove_temporaries();
    signal(sig, SIG_DFL);
    raise(sig);
}

static void install_signal_handlers(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        print_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        print_usage(stdout);
        return CLI_EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
        print_version();
        return CLI_EXIT_OK;
    }
    /* JSON goes through the project allocator too, so memory limits and
     * fault-injection tests see it. */
    json_set_alloc_funcs(mtp_malloc, mtp_free);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(argv[1], commands[i].name) == 0) {
            install_signal_handlers();
            return commands[i].run(argc - 1, argv + 1);
        }
    }
    fprintf(stderr, "mtprep: unknown command '%s'\nTry 'mtprep --help'.\n", argv[1]);
    return CLI_EXIT_USAGE;
}
