/* Shared CLI pieces: common options, checked number parsing, the record
 * stage driver with its progress line and closing summary. */
#include "cli.h"

#include "mtprep/parallel.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

const char cli_common_usage[] =
    "Common options:\n"
    "      --on-error skip|fail  bad input: drop and count it (skip, default) or stop\n"
    "                            with a message naming file and line (fail)\n"
    "      --max-line-bytes N    longest accepted input line (default 1M; K/M/G suffixes)\n"
    "      --counts FILE         also write the counts as JSON to FILE\n"
    "      --progress            progress line on stderr even when it is not a terminal\n"
    "      --no-progress         no progress line\n"
    "  -q, --quiet               no summary line, no progress\n"
    "  -v, --verbose             more detail on stderr\n"
    "      --threads N           worker threads for the per-record stages normalize,\n"
    "                            segment and filter, zstd threads for write's train\n"
    "                            files (default 1); output and counts are identical\n"
    "                            for every N; other stages use one thread\n"
    "      --help                this help\n";

void cli_common_default(cli_common *c)
{
    c->on_error = MTP_ON_ERROR_SKIP;
    c->max_line_bytes = MTP_DEFAULT_MAX_LINE_BYTES;
    c->verbosity = 1;
    c->progress = -1;
    c->counts_path = NULL;
    c->threads = 1;
}

void cli_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "mtprep %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "mtprep %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\nTry 'mtprep %s --help'.\n", cmd);
    va_end(ap);
    return CLI_EXIT_USAGE;
}

static int parse_threads(cli_common *c, const char *cmd, const char *arg)
{
    unsigned long long n = 0;
    if (cli_parse_uint(arg, MTP_PARALLEL_MAX_THREADS, &n) != 0 || n == 0) {
        return cli_usage_error(cmd, "--threads takes a number from 1 to %d, not '%s'",
                               MTP_PARALLEL_MAX_THREADS, arg);
    }
    c->threads = (unsigned)n;
    return 1;
}

int cli_common_option(cli_common *c, const char *cmd, int opt, const char *arg)
{
    switch (opt) {
    case CLI_OPT_ON_ERROR:
        if (mtp_on_error_parse(arg, &c->on_error) != MTP_OK) {
            return cli_usage_error(cmd, "--on-error takes skip or fail, not '%s'", arg);
        }
        return 1;
    case CLI_OPT_MAX_LINE_BYTES:
        if (cli_parse_size(arg, &c->max_line_bytes) != 0 || c->max_line_bytes == 0) {
            return cli_usage_error(cmd, "--max-line-bytes: invalid size '%s'", arg);
        }
        return 1;
    case CLI_OPT_PROGRESS:
        c->progress = 1;
        return 1;
    case CLI_OPT_NO_PROGRESS:
        c->progress = 0;
        return 1;
    case CLI_OPT_COUNTS:
        c->counts_path = arg;
        return 1;
    case CLI_OPT_THREADS:
        return parse_threads(c, cmd, arg);
    case 'q':
        c->verbosity = 0;
        return 1;
    case 'v':
        c->verbosity = 2;
        return 1;
    default:
        return 0;
    }
}

int cli_parse_options(const char *cmd, int argc, char **argv, const struct option *long_options,
                      const char *usage, cli_common *common, cli_stage_option_fn stage_option,
                      void *stage_opts)
{
    cli_getopt_reset();
    int opt = 0;
    while ((opt = getopt_long(argc, argv, ":qv", long_options, NULL)) != -1) {
        if (opt == CLI_OPT_HELP) {
            fputs(usage, stdout);
            fputs(cli_common_usage, stdout);
            return CLI_HELP_SHOWN;
        }
        if (opt == '?' || opt == ':') {
            return cli_option_error(cmd, opt, argv);
        }
        const int handled = cli_common_option(common, cmd, opt, optarg);
        if (handled == CLI_EXIT_USAGE) {
            return CLI_EXIT_USAGE;
        }
        if (handled == 0 && stage_option(opt, optarg, stage_opts) != 0) {
            return CLI_EXIT_USAGE;
        }
    }
    return 0;
}

/* ---- numbers ----------------------------------------------------------- */

int cli_parse_uint(const char *text, unsigned long long max, unsigned long long *out)
{
    if (text == NULL || *text < '0' || *text > '9') {
        return -1;
    }
    errno = 0;
    char *end = NULL;
    const unsigned long long value = strtoull(text, &end, 10);
    if (errno != 0 || *end != '\0' || value > max) {
        return -1;
    }
    *out = value;
    return 0;
}

int cli_parse_size(const char *text, size_t *out)
{
    if (text == NULL || *text < '0' || *text > '9') {
        return -1;
    }
    errno = 0;
    char *end = NULL;
    unsigned long long value = strtoull(text, &end, 10);
    if (errno != 0) {
        return -1;
    }
    unsigned shift = 0;
    if (*end == 'K' || *end == 'k') {
        shift = 10;
    } else if (*end == 'M' || *end == 'm') {
        shift = 20;
    } else if (*end == 'G' || *end == 'g') {
        shift = 30;
    }
    if (shift > 0) {
        end++;
        if (*end == 'i' || *end == 'B') { /* accept 64MiB, 64MB */
            end += (*end == 'i' && end[1] == 'B') ? 2 : 1;
        }
    }
    if (*end != '\0' || value > (SIZE_MAX >> shift)) {
        return -1;
    }
    *out = (size_t)(value << shift);
    return 0;
}

int cli_parse_double(const char *text, double min, double max, double *out)
{
    if (text == NULL || *text == '\0') {
        return -1;
    }
    errno = 0;
    char *end = NULL;
    const double value = strtod(text, &end);
    if (errno != 0 || *end != '\0' || !(value >= min && value <= max)) {
        return -1;
    }
    *out = value;
    return 0;
}

int cli_exit_code(mtp_status st)
{
    switch (st) {
    case MTP_OK:
    case MTP_END:
        return CLI_EXIT_OK;
    case MTP_ERR_USAGE:
        return CLI_EXIT_USAGE;
    case MTP_ERR_MISMATCH:
        return CLI_EXIT_MISMATCH;
    case MTP_ERR_NOMEM:
        return CLI_EXIT_INTERNAL;
    default:
        return CLI_EXIT_FAILURE;
    }
}

void cli_getopt_reset(void)
{
    optind = 0; /* glibc: 0 also resets its internal state */
    opterr = 0; /* we print our own messages, prefixed with the command */
}

int cli_option_error(const char *cmd, int opt, char **argv)
{
    const char *arg = optind > 0 ? argv[optind - 1] : "?";
    if (opt == ':') {
        return cli_usage_error(cmd, "option '%s' requires a value", arg);
    }
    if (optopt != 0 && arg[0] == '-' && arg[1] != '-') {
        return cli_usage_error(cmd, "unknown option '-%c'", optopt);
    }
    return cli_usage_error(cmd, "unknown option '%s'", arg);
}

/* ---- reporting --------------------------------------------------------- */

int cli_report_counts(const char *cmd, const mtp_counts *counts, const cli_common *common)
{
    if (common->verbosity > 0) {
        mtp_counts_print_summary(counts, stderr);
    }
    if (common->counts_path == NULL) {
        return CLI_EXIT_OK;
    }
    if (mtp_counts_save_json(counts, common->counts_path) != MTP_OK) {
        cli_error(cmd, "%s: cannot write counts: %s", common->counts_path, strerror(errno));
        return CLI_EXIT_FAILURE;
    }
    return CLI_EXIT_OK;
}

/* ---- progress ---------------------------------------------------------- */

typedef struct progress {
    int enabled;
    double last; /* seconds */
    int printed;
} progress;

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void progress_init(progress *p, const cli_common *common)
{
    p->enabled = common->verbosity > 0 &&
                 (common->progress == 1 || (common->progress == -1 && isatty(STDERR_FILENO)));
    p->last = now_seconds();
    p->printed = 0;
}

static void progress_tick(progress *p, const char *cmd, const mtp_counts *counts, uint64_t bytes)
{
    const double t = now_seconds();
    if (t - p->last < 0.25) {
        return;
    }
    p->last = t;
    p->printed = 1;
    fprintf(stderr, "\rmtprep %s: %llu records in, %.1f MB read ", cmd,
            (unsigned long long)mtp_counts_get(counts, "in"), (double)bytes / 1e6);
}

static void progress_end(progress *p)
{
    if (p->printed) {
        fputc('\n', stderr);
    }
}

/* ---- the record stage driver ------------------------------------------- */

static mtp_status emit_to_writer(void *ctx, const mtp_record *rec)
{
    return mtp_writer_put_record(ctx, rec);
}

typedef struct run {
    const char *cmd;
    mtp_stage *stage;
    const cli_common *common;
    mtp_writer *out;
    mtp_sink sink;
    progress progress;
    uint64_t bytes_done; /* raw bytes of finished inputs */
    mtp_error error;
} run;

/* Reports the first failure: the output's, else the stage's, else ours. */
static void report_failure(const run *r, mtp_status st)
{
    const char *msg = mtp_writer_error(r->out);
    if (msg[0] == '\0') {
        msg = mtp_stage_error(r->stage);
    }
    if (msg[0] == '\0') {
        msg = r->error.message;
    }
    cli_error(r->cmd, "%s", msg[0] ? msg : mtp_status_str(st));
}

static mtp_status run_input(run *r, const char *path)
{
    mtp_reader *reader = NULL;
    mtp_status st = mtp_reader_open(path, NULL, r->common->max_line_bytes, &reader, &r->error);
    if (st != MTP_OK) {
        return st;
    }
    mtp_counts *counts = mtp_stage_counts_mut(r->stage);
    mtp_record rec;
    uint64_t n = 0;
    while ((st = mtp_reader_next_record(reader, r->common->on_error, counts, &rec, &r->error)) ==
           MTP_OK) {
        st = mtp_stage_feed(r->stage, &rec, &r->sink);
        if (st != MTP_OK) {
            break;
        }
        if (r->progress.enabled && (++n & 1023) == 0) {
            progress_tick(&r->progress, r->cmd, counts,
                          r->bytes_done + mtp_reader_raw_bytes(reader));
        }
    }
    r->bytes_done += mtp_reader_raw_bytes(reader);
    mtp_reader_close(reader);
    return st == MTP_END ? MTP_OK : st;
}

static mtp_status run_all(run *r, int input_count, char *const *inputs)
{
    mtp_status st = MTP_OK;
    if (input_count == 0) {
        st = run_input(r, "-");
    }
    for (int i = 0; i < input_count && st == MTP_OK; i++) {
        st = run_input(r, inputs[i]);
    }
    if (st == MTP_OK) {
        st = mtp_stage_finish(r->stage, &r->sink);
    }
    if (st == MTP_OK) {
        st = mtp_writer_commit(r->out);
    }
    return st;
}

int cli_run_record_stage(const char *cmd, mtp_stage *stage, const cli_common *common,
                         int input_count, char *const *inputs)
{
    run r;
    memset(&r, 0, sizeof r);
    r.cmd = cmd;
    r.stage = stage;
    r.common = common;
    char err[512];
    mtp_status st = mtp_writer_open("-", NULL, &r.out, err, sizeof err);
    if (st != MTP_OK) {
        cli_error(cmd, "%s", err);
        return cli_exit_code(st);
    }
    r.sink.emit = emit_to_writer;
    r.sink.ctx = r.out;
    progress_init(&r.progress, common);
    st = run_all(&r, input_count, inputs);
    progress_end(&r.progress);
    if (st != MTP_OK) {
        report_failure(&r, st);
    }
    mtp_writer_free(r.out);
    const int report = cli_report_counts(cmd, mtp_stage_counts(stage), common);
    return st != MTP_OK ? cli_exit_code(st) : report;
}

/* ---- the record stage driver on worker threads -------------------------- */

typedef struct prun {
    const char *cmd;
    const char *stage_name;
    const cli_common *common;
    cli_stage_make_fn make;
    void *make_ctx;
    mtp_parallel *par;
    mtp_counts reader_counts; /* lines the reader rejected under skip */
    mtp_counts shown;         /* "in" so far, for the progress line */
    mtp_writer *out;          /* written by the runner's output thread until finish */
    progress progress;
    uint64_t records;
    uint64_t bytes_done;
    mtp_error error; /* a reader's failure */
} prun;

static mtp_status make_one_stage_chain(void *ctx, mtp_stage **stages, mtp_error *err)
{
    const prun *r = ctx;
    return r->make(r->make_ctx, &stages[0], err);
}

/* Hands the reader's counts (lines it rejected just now) to the runner at
 * their place in the input, then empties them. */
static mtp_status prun_pass_reader_counts(prun *r)
{
    if (r->reader_counts.n == 0) {
        return MTP_OK;
    }
    const mtp_status st = mtp_parallel_add_counts(r->par, &r->reader_counts);
    mtp_counts_init(&r->reader_counts, r->stage_name);
    return st;
}

static mtp_status prun_input(prun *r, const char *path)
{
    mtp_reader *reader = NULL;
    mtp_status st = mtp_reader_open(path, NULL, r->common->max_line_bytes, &reader, &r->error);
    if (st != MTP_OK) {
        return st;
    }
    mtp_record rec;
    while ((st = mtp_reader_next_record(reader, r->common->on_error, &r->reader_counts, &rec,
                                        &r->error)) == MTP_OK) {
        st = prun_pass_reader_counts(r);
        if (st == MTP_OK) {
            st = mtp_parallel_feed(r->par, &rec);
        }
        if (st != MTP_OK) {
            break;
        }
        if (r->progress.enabled && (++r->records & 1023) == 0) {
            r->shown.values[0] = r->records;
            progress_tick(&r->progress, r->cmd, &r->shown,
                          r->bytes_done + mtp_reader_raw_bytes(reader));
        }
    }
    if (st == MTP_END || r->error.message[0] != '\0') {
        const mtp_status passed = prun_pass_reader_counts(r); /* rejected last lines */
        st = st == MTP_END ? passed : st;
    }
    r->bytes_done += mtp_reader_raw_bytes(reader);
    mtp_reader_close(reader);
    return st == MTP_END ? MTP_OK : st;
}

/* Every input, then the records still in flight. A reader failure comes
 * after them, so that an earlier chain error wins as it would on one thread. */
static mtp_status prun_all(prun *r, int input_count, char *const *inputs)
{
    mtp_status st = MTP_OK;
    if (input_count == 0) {
        st = prun_input(r, "-");
    }
    for (int i = 0; i < input_count && st == MTP_OK; i++) {
        st = prun_input(r, inputs[i]);
    }
    const mtp_status finished = mtp_parallel_finish(r->par);
    if (finished != MTP_OK) { /* about records read before any reader failure */
        st = finished;
        r->error.message[0] = '\0';
    }
    if (st == MTP_OK) {
        st = mtp_writer_commit(r->out);
    }
    return st;
}

static void prun_report_failure(const prun *r, mtp_status st)
{
    const char *msg = mtp_writer_error(r->out);
    if (msg[0] == '\0') {
        msg = mtp_parallel_error(r->par);
    }
    if (msg[0] == '\0') {
        msg = r->error.message;
    }
    cli_error(r->cmd, "%s", msg[0] ? msg : mtp_status_str(st));
}

/* The stage's counts: every chain's and the reader's rejections, merged
 * in input order by the runner. */
static void prun_merge_counts(prun *r, mtp_stage *stage)
{
    *mtp_stage_counts_mut(stage) = *mtp_parallel_counts(r->par, 0);
}

/* Opens stdout, then the runner whose output thread writes to it. */
static mtp_status prun_open(prun *r, mtp_stage *stage)
{
    r->stage_name = mtp_stage_name(stage);
    mtp_counts_init(&r->reader_counts, r->stage_name);
    mtp_counts_init(&r->shown, r->stage_name);
    mtp_counts_add(&r->shown, "in", 0);
    char err[512];
    mtp_status st = mtp_writer_open("-", NULL, &r->out, err, sizeof err);
    if (st != MTP_OK) {
        return mtp_error_set(&r->error, st, "%s", err);
    }
    mtp_parallel_options o;
    mtp_parallel_options_default(&o);
    o.threads = r->common->threads;
    o.stage_count = 1;
    o.make_chain = make_one_stage_chain;
    o.make_ctx = r;
    o.sink.emit = emit_to_writer;
    o.sink.ctx = r->out;
    return mtp_parallel_new(&o, &r->par, &r->error);
}

int cli_run_record_stage_parallel(const char *cmd, mtp_stage *stage, cli_stage_make_fn make,
                                  void *make_ctx, const cli_common *common, int input_count,
                                  char *const *inputs)
{
    if (common->threads <= 1) {
        return cli_run_record_stage(cmd, stage, common, input_count, inputs);
    }
    static prun r; /* holds two counts objects; one run per process */
    memset(&r, 0, sizeof r);
    r.cmd = cmd;
    r.common = common;
    r.make = make;
    r.make_ctx = make_ctx;
    mtp_status st = prun_open(&r, stage);
    if (st != MTP_OK) {
        cli_error(cmd, "%s", r.error.message[0] ? r.error.message : mtp_status_str(st));
        mtp_writer_free(r.out);
        return cli_exit_code(st);
    }
    progress_init(&r.progress, common);
    st = prun_all(&r, input_count, inputs);
    progress_end(&r.progress);
    if (st != MTP_OK) {
        prun_report_failure(&r, st);
    }
    mtp_writer_free(r.out);
    prun_merge_counts(&r, stage);
    mtp_parallel_free(r.par);
    const int report = cli_report_counts(cmd, mtp_stage_counts(stage), common);
    return st != MTP_OK ? cli_exit_code(st) : report;
}

int cli_report_new_failed(const char *cmd, mtp_status st, const mtp_error *err)
{
    const char *msg = err->message[0] ? err->message : mtp_status_str(st);
    if (st == MTP_ERR_USAGE) {
        return cli_usage_error(cmd, "%s", msg);
    }
    cli_error(cmd, "%s", msg);
    return cli_exit_code(st);
}

int cli_run_stage_and_free(const char *cmd, mtp_stage *stage, cli_stage_make_fn make,
                           void *make_ctx, const cli_common *common, int argc, char **argv)
{
    const int input_count = argc - optind;
    char *const *inputs = argv + optind;
    const int exit_code =
        make != NULL
            ? cli_run_record_stage_parallel(cmd, stage, make, make_ctx, common, input_count, inputs)
            : cli_run_record_stage(cmd, stage, common, input_count, inputs);
    mtp_stage_free(stage);
    return exit_code;
}
