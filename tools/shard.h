/* Private to the sharded-run commands (plan, task, status): the frozen
 * plan, the run directory's names, completion markers, and the binary key
 * and drop files that map, reduce and write exchange.
 *
 * Run directory (every name a pure function of stage and rank):
 *
 *   RUN/plan.json                          the plan (shard_plan_save)
 *   RUN/map/shard-KKKKK.rec.zst            shard K's records after filter
 *   RUN/map/shard-KKKKK.STAGE.json         its ingest..filter counts
 *   RUN/keys/part-PPP/shard-KKKKK.keys     its dedup keys in partition P
 * a monolingual plan with [dedup_docs]: map writes no keys; align 0 runs
 * dedup --docs over every shard's records in order and writes, as an aligned
 * plan's align does, the parts, their keys and RUN/align/dedup_docs.json
 * an aligned plan's map and align tasks write instead:
 *   RUN/map/shard-KKKKK.src.rec.zst        shard K's source side after segment
 *   RUN/map/shard-KKKKK.tgt.rec.zst        and its target side
 *   RUN/map/shard-KKKKK.STAGE.LANG.json    their ingest..segment counts
 *   RUN/align/shard-KKKKK.rec.zst          the pairs after filter from shard K's sources
 *   RUN/align/align.json, filter.json      the align task's counts (and
 *                                          dedup_docs.json with [dedup_docs])
 *   RUN/keys/part-PPP/shard-KKKKK.keys     the pairs' dedup keys in partition P
 *   RUN/drop/part-PPP.drop                 partition P's duplicates, by shard
 *   RUN/out/shard-KKKKK.rec.zst            shard K's records after dedup
 *   RUN/out/shard-KKKKK.dedup.json         its dedup counts
 *   RUN/done/STAGE/RRRRR                   completion markers, written last:
 *                                          map, align (aligned plans: 00000),
 *                                          reduce, write, assemble
 *
 * Strings in these structs are mtp_malloc'd and owned by the struct.
 */
#ifndef MTPREP_TOOLS_SHARD_H
#define MTPREP_TOOLS_SHARD_H

#include <stddef.h>
#include <stdint.h>

#include "cli.h"

#define SHARD_MAX_SHARDS 99999u   /* ranks have five digits */
#define SHARD_MAX_PARTITIONS 999u /* partitions have three */
#define SHARD_PATH_CAPACITY 4096
#define SHARD_DIGEST_CAPACITY 65          /* SHA-256 hex + NUL */
#define SHARD_PLAN_FORMAT "mtprep-plan-2" /* 2: sides and the align stage */

enum { SHARD_SIDE_SRC, SHARD_SIDE_TGT };

/* One input file, in ingest's order. */
typedef struct shard_file {
    char *path; /* as ingest names it: ROOT/REL under a directory argument */
    char *root; /* that directory argument, or NULL for a file argument */
    int side;   /* SHARD_SIDE_SRC, or SHARD_SIDE_TGT in an aligned plan */
    uint64_t bytes;
    char sha256[SHARD_DIGEST_CAPACITY];
} shard_file;

/* A run of whole lines of one file (or the whole file). */
typedef struct shard_piece {
    size_t file;     /* index into files */
    uint64_t offset; /* a line start */
    uint64_t length;
    uint64_t first_line; /* 1-based line number at offset */
} shard_piece;

typedef struct shard_plan {
    char *recipe_path; /* as given to plan: names the recipe in messages */
    char *recipe_text;
    char *workdir; /* absolute; tasks chdir here */
    char *output;  /* the corpus directory (recipe output or --out) */
    unsigned shards, partitions;
    int aligned;                /* the recipe has a tgt-input: both sides are planned */
    int docs; /* a monolingual recipe with [dedup_docs]: its align stage (one rank)
                 runs it over every shard's records (not stored: read off the recipe) */
    uint64_t files_ignored;     /* names a directory walk does not read (source side) */
    uint64_t tgt_files_ignored; /* the same on the target side */
    shard_file *files;
    size_t file_count;
    shard_piece *pieces; /* in input order (aligned: each shard's source, then target pieces) */
    size_t piece_count;
    size_t *shard_first; /* shards + 1 entries: shard k holds pieces [first[k], first[k+1]) */
    char digest[SHARD_DIGEST_CAPACITY];
    int same_versions; /* loaded: planned by this mtprep, ICU, Unicode and zstd */
} shard_plan;

/* The context every task runs in: the loaded plan and the absolute RUN. */
typedef struct shard_task {
    shard_plan plan;
    char run[SHARD_PATH_CAPACITY]; /* absolute */
    int quiet;
    unsigned threads; /* --threads: map's worker threads, assemble's zstd threads */
} shard_task;

/* ---- the plan (tools/shard_inputs.c) ----------------------------------- */

/* Lists the inputs as ingest walks them (plan->files, files_ignored), hashes
 * them, and cuts them into pieces and plan->shards shards balanced by
 * bytes. The recipe fields and shards must be set. Returns 0 or the exit
 * code (message printed, prefixed "mtprep plan:"). */
int shard_plan_inputs(shard_plan *plan, const char *const *inputs, int input_count);

/* Appends the target side of an aligned plan: tgt (its inputs planned by
 * shard_plan_inputs with the same shards) is moved into plan, whose pieces
 * are regrouped shard by shard, source pieces first; tgt is left empty.
 * Returns 0 or CLI_EXIT_INTERNAL (message printed). */
int shard_plan_add_target(shard_plan *plan, shard_plan *tgt);

/* ---- plan.json, markers, run directory (tools/shard_plan.c) ------------ */

/* Whether the recipe text has a [dedup_docs] section (sets plan->docs). */
int shard_recipe_has_docs(const char *recipe_path, const char *recipe_text);

/* Sets plan->digest: SHA-256 of the plan's canonical JSON (sorted keys,
 * compact, without the digest). Returns 0 or CLI_EXIT_INTERNAL. */
int shard_plan_digest(shard_plan *plan);

/* Writes RUN/plan.json (temporary name, rename). Returns 0 or exit code. */
int shard_plan_save(const shard_plan *plan, const char *run);

/* Reads RUN/plan.json and checks its digest. `cmd` prefixes messages.
 * Returns 0, CLI_EXIT_FAILURE (missing, unreadable, not a plan, edited). */
int shard_plan_load(shard_plan *plan, const char *run, const char *cmd);

/* Frees what the plan owns and zeroes it. */
void shard_plan_release(shard_plan *plan);

/* Formats into dst (SHARD_PATH_CAPACITY) and checks the length; 0 or -1. */
int shard_path(char *dst, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* mkdir -p DIR. Returns 0 or -1 (errno set). */
int shard_mkdirs(const char *dir);

/* The size of the file at path, 0 when it cannot be read (for markers). */
uint64_t shard_file_bytes(const char *path);

/* Removes DIR and everything below it (a missing DIR is fine). 0 or -1. */
int shard_remove_tree(const char *dir);

/* Removes leftovers of killed earlier runs of a task: in `dir`, the
 * entries named PREFIX...PID.tmp-mtprep (or PREFIX....tmp-mtprep) whose
 * process is not running on this host, so a copy of the task running at
 * once keeps its temporary. A missing dir is fine. */
void shard_remove_stale(const char *dir, const char *prefix);

/* The stage names and their rank counts under the plan (align: 1 for an
 * aligned plan or one with [dedup_docs], 0 for another monolingual one). */
enum { SHARD_MAP, SHARD_ALIGN, SHARD_REDUCE, SHARD_WRITE, SHARD_ASSEMBLE, SHARD_STAGE_COUNT };
extern const char *const shard_stage_names[SHARD_STAGE_COUNT]; /* map align reduce write assemble */
int shard_stage_index(const char *name);                       /* -1 when unknown */
unsigned shard_stage_ranks(const shard_plan *plan, int stage);

/* 1 when RUN/done/STAGE/RANK exists and holds the plan's digest. */
int shard_marker_done(const shard_plan *plan, const char *run, int stage, unsigned rank);

/* One output a marker lists (path relative to RUN, or the corpus dir). */
typedef struct shard_output {
    char path[SHARD_PATH_CAPACITY];
    uint64_t bytes;
} shard_output;

/* Writes RUN/done/STAGE/RANK last, via a temporary name, and prints the
 * task's summary line unless quiet. Returns 0 or exit code. */
int shard_marker_write(const shard_task *t, int stage, unsigned rank, const shard_output *outputs,
                       size_t output_count, uint64_t records_in, uint64_t records_out);

/* Prints "mtprep task: STAGE needs every RANK_STAGE marker; missing: 1 3"
 * and returns CLI_EXIT_FAILURE unless every rank of `stage` is done. */
int shard_require_done(const shard_plan *plan, const char *run, int stage, const char *needed_by);

/* ---- key tuples and drop lists (tools/shard_keys.c) ---------------------
 * keys file: "MTPKEYS1", u64 count, then count x (u64 key, u64 ordinal),
 * every integer little-endian, sorted by (key, ordinal).
 * drop file: "MTPDROP1", u64 shards, shards x (u64 first, u64 count) --
 * shard k's ordinals are entries [first, first + count) of the table that
 * follows --, then u64 ordinals, sorted by shard then ordinal. */
typedef struct shard_tuple {
    uint64_t key;
    uint64_t ordinal; /* record number within the shard, from 0 */
} shard_tuple;

/* The partition of a key: (key * partitions) >> 64, so partitions are hash ranges. */
unsigned shard_partition_of(uint64_t key, unsigned partitions);

/* Sorts tuples by (key, ordinal). */
void shard_tuples_sort(shard_tuple *tuples, size_t count);

/* A growing list of one shard's tuples (a map's records, an align part's pairs). */
typedef struct shard_tuples {
    shard_tuple *items;
    size_t count, capacity;
} shard_tuples;

/* Appends (key, ordinal). Returns MTP_OK or MTP_ERR_NOMEM. */
mtp_status shard_tuples_push(shard_tuples *list, uint64_t key, uint64_t ordinal);
void shard_tuples_release(shard_tuples *list);

/* Sorts the list and writes RUN/keys/part-PPP/shard-KKKKK.keys (K = shard)
 * for every partition, empty ones too. outputs (NULL, or `partitions`
 * entries) get each file's path relative to RUN and its size; *total_bytes
 * (may be NULL) their sum. Returns 0 or CLI_EXIT_FAILURE (message printed). */
int shard_keys_save_partitions(const char *run, unsigned shard, unsigned partitions,
                               shard_tuples *list, shard_output *outputs, uint64_t *total_bytes);

/* Writes tuples[0, count) as a keys file at path (temporary name, rename);
 * *bytes gets its size. Returns 0 or CLI_EXIT_FAILURE (message printed). */
int shard_keys_save(const char *path, const shard_tuple *tuples, size_t count, uint64_t *bytes);

/* A buffered reader of a keys file. */
typedef struct shard_keys_reader shard_keys_reader;

/* Opens a keys file with a read buffer of `buffer_bytes` and checks its
 * header and size. Returns 0 or CLI_EXIT_FAILURE (message printed). */
int shard_keys_open(const char *path, size_t buffer_bytes, shard_keys_reader **out);

/* Next tuple: 1, 0 at the end, -1 on a read error (message printed). */
int shard_keys_next(shard_keys_reader *r, shard_tuple *t);

void shard_keys_close(shard_keys_reader *r);

/* A duplicate found by reduce: shard and ordinal. */
typedef struct shard_drop {
    uint64_t shard;
    uint64_t ordinal;
} shard_drop;

/* Sorts drops by (shard, ordinal) and writes a drop file for `shards`
 * shards. Returns 0 or CLI_EXIT_FAILURE (message printed). */
int shard_drops_save(const char *path, shard_drop *drops, size_t count, unsigned shards,
                     uint64_t *bytes);

/* Appends shard `shard`'s ordinals from the drop file at path to the
 * growing array *ordinals (count *count, capacity *capacity). Returns 0 or
 * CLI_EXIT_FAILURE / CLI_EXIT_INTERNAL (message printed). */
int shard_drops_load(const char *path, unsigned shard, uint64_t **ordinals, size_t *count,
                     size_t *capacity);

/* ---- tasks ------------------------------------------------------------- */

/* Each runs one rank whose marker is absent, in the plan's workdir, and
 * writes the marker. Return the exit code. */
int shard_task_map(shard_task *t, unsigned rank);

/* Every file of shard `rank` still has its planned size; else a message
 * ("run mtprep plan again") and CLI_EXIT_FAILURE. (tools/shard_map.c) */
int shard_check_sizes(const shard_plan *plan, unsigned rank);
int shard_task_map_aligned(shard_task *t, unsigned rank); /* tools/shard_align.c */
int shard_task_align(shard_task *t);                      /* tools/shard_align.c */
int shard_task_docs(shard_task *t);                       /* tools/shard_align.c */
int shard_task_reduce(shard_task *t, unsigned rank);
int shard_task_write(shard_task *t, unsigned rank);
int shard_task_assemble(shard_task *t);

/* Subcommand entry points (main.c). */
int cmd_plan(int argc, char **argv);
int cmd_task(int argc, char **argv);
int cmd_status(int argc, char **argv);

#endif
