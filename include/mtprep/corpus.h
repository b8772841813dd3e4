/* write and verify: the corpus directory.
 *
 * write assigns whole documents to train/dev/test by a hash of doc_id (see
 * mtp_corpus_split_of), or of their near-duplicate cluster's id when given a
 * clusters file (dedup --docs --clusters), so a cluster never straddles two
 * splits. It removes from every split each sentence whose exact or loose key
 * (dedup.h) occurs in an exclude file (an external test set), and from train
 * every sentence whose exact or loose key occurs in dev or test, counting
 * each removal by reason: "dropped.excluded_exact", "dropped.excluded_loose",
 * "dropped.cross_split_exact", "dropped.cross_split_loose". It writes:
 *
 *   OUT/train.LANG.zst OUT/dev.LANG.zst OUT/test.LANG.zst   one text per line
 *   OUT/train.meta.tsv.zst                                  doc_id TAB unit per line,
 *                                                           in train.LANG.zst's order
 *   OUT/MANIFEST.json  OUT/SHA256SUMS
 *
 * Given a target language TGT, write takes aligned pair records instead and
 * writes SPLIT.LANG.zst (sources) and SPLIT.TGT.zst (targets) line-aligned,
 * with doc_id TAB units TAB score in train.meta.tsv.zst; a train pair goes
 * when either side's key occurs on either side of dev or test.
 *
 * Every file is written under a temporary name and renamed only when
 * complete; MANIFEST.json and SHA256SUMS come last. mtp_write_new removes an
 * old OUT/MANIFEST.json and OUT/SHA256SUMS before anything else (and any
 * *.tmp-mtprep file a killed run left in OUT), so a run that fails never
 * leaves a directory that looks complete (nor a mix of old and new files
 * under an old manifest). Empty splits get empty files.
 *
 * Memory: mem_bytes bounds, together, the cluster map (<= 64 bytes per
 * document whose cluster id is not its own doc_id, growth included: O(lines
 * of the clusters file)), the exclude table (<= 64 bytes per distinct
 * exclude key, two keys per line) and the dev/test key set (<= 15 bytes per
 * key, two keys per dev/test text and side); plus zstd contexts. Train records are spooled to a
 * temporary file in OUT until the key set is complete, then re-read.
 *
 * Ownership: the options' strings and arrays are borrowed and must stay
 * valid until the stage is freed.
 */
#ifndef MTPREP_CORPUS_H
#define MTPREP_CORPUS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "mtprep/counts.h"
#include "mtprep/policy.h"
#include "mtprep/record.h"
#include "mtprep/stage.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The XXH3-64 seed of the split hash ("mtprep" in ASCII). Changing it moves
 * documents between splits: it is part of the corpus format. */
#define MTP_SPLIT_SEED UINT64_C(0x6d7470726570)

#define MTP_CORPUS_FORMAT "mtprep-corpus-1"

/* Most exclude files one run takes (a corpus directory's files count each). */
#define MTP_WRITE_MAX_EXCLUDE_FILES 64

typedef enum mtp_corpus_split {
    MTP_SPLIT_TRAIN = 0,
    MTP_SPLIT_DEV = 1,
    MTP_SPLIT_TEST = 2,
    MTP_SPLIT_COUNT
} mtp_corpus_split;

/* "train", "dev" or "test". */
const char *mtp_corpus_split_name(mtp_corpus_split split);

/* The split of a document: u = XXH3-64(doc_id, MTP_SPLIT_SEED) mapped to
 * [0,1) by its top 53 bits; u < dev_ratio: dev, u < dev_ratio + test_ratio:
 * test, else train. */
mtp_corpus_split mtp_corpus_split_of(mtp_str doc_id, double dev_ratio, double test_ratio);

typedef struct mtp_write_options {
    const char *out_dir;        /* created if missing (its parent must exist) */
    const char *lang;           /* "id": [A-Za-z0-9_-]{1,15} */
    const char *tgt_lang;       /* pair records: the target language ("en"); NULL: units */
    double dev_ratio;           /* default 0.01 */
    double test_ratio;          /* default 0.01 (train gets the rest) */
    int zstd_level;             /* 1..19, default 3 */
    unsigned threads;           /* zstd worker threads for the train files, which are
                                   compressed at finish; every value from 1 up gives the
                                   same bytes (default 1) */
    size_t mem_bytes;           /* bound on the dev/test key table; default 1 GiB */
    const mtp_counts *upstream; /* earlier stages' counts, folded into the manifest; read at
                                   finish, so they may be updated until then */
    size_t upstream_count;
    const char *const *upstream_paths; /* counts JSON files (mtp_counts_save_json) to fold too */
    size_t upstream_path_count;
    const char *recipe_text;          /* recipe file contents for the manifest, or NULL */
    const char *options_json;         /* the options as a JSON object text, or NULL: write's own */
    const char *const *input_digests; /* "sha256  path" strings from build, or NULL */
    size_t input_digest_count;
    const char *clusters_path;        /* "doc_id TAB cluster_id" lines (dedup --docs
                                         --clusters): a listed document goes to its cluster
                                         id's split; NULL: none */
    const char *const *exclude_paths; /* texts to remove from every split: plain text files (one
                                         sentence per line, .zst/.gz read too) or corpus dirs
                                         (their *.LANG.zst and *.TGT.zst files) */
    size_t exclude_path_count;
    mtp_on_error on_error; /* a text whose loose key cannot be computed, an exclude line that
                              is too long or not UTF-8 */
} mtp_write_options;

void mtp_write_options_default(mtp_write_options *opts);

/* Creates the write stage: prepares OUT (mkdir, removes an old MANIFEST.json
 * and SHA256SUMS), loads upstream_paths, the clusters file and the exclude
 * files, opens the dev/test files and the train spool. The stage emits
 * nothing; finish writes the directory. A record of the other kind (a pair
 * without tgt_lang, a unit with it) is refused with MTP_ERR_USAGE.
 * Returns MTP_OK, MTP_ERR_USAGE (bad option, more than
 * MTP_WRITE_MAX_EXCLUDE_FILES exclude files, a directory without corpus
 * files), MTP_ERR_IO, MTP_ERR_INPUT (an upstream counts file is not one, a
 * malformed clusters line, a bad exclude line under fail), MTP_ERR_LIMIT
 * (the clusters and excludes do not fit mem_bytes) or MTP_ERR_NOMEM,
 * message in *err. */
mtp_status mtp_write_new(const mtp_write_options *opts, mtp_stage **out, mtp_error *err);

/* Rechecks DIR: every file in MANIFEST.json exists with its bytes, lines and
 * sha256, SHA256SUMS agrees with the manifest and with MANIFEST.json itself,
 * zstd files decompress, and files of one split have equal line counts.
 * Returns MTP_OK, MTP_ERR_MISMATCH (first difference in *err), MTP_ERR_IO
 * (MANIFEST.json or a listed file cannot be read) or MTP_ERR_NOMEM. `report`
 * (may be NULL) receives one line per checked file: "OK NAME N lines" or
 * "FAILED NAME: WHAT". */
mtp_status mtp_corpus_verify(const char *dir, FILE *report, mtp_error *err);

/* Rechecks that DIR's splits do not leak: no line of a train text file
 * (train.LANG.zst, train.TGT.zst, as MANIFEST.json lists them) has the exact
 * or loose key of a line of a dev or test text file (both sides pooled).
 * The dev/test keys take at most mem_bytes. Returns MTP_OK,
 * MTP_ERR_MISMATCH (a leak: the first one in *err), MTP_ERR_IO,
 * MTP_ERR_CODEC, MTP_ERR_LIMIT (mem_bytes too small) or MTP_ERR_NOMEM.
 * `report` (may be NULL) receives "FAILED NAME:LINE: shares its exact|loose
 * key with dev or test" per leak, or one "OK ..." line. */
mtp_status mtp_corpus_check_leaks(const char *dir, size_t mem_bytes, FILE *report, mtp_error *err);

#ifdef __cplusplus
}
#endif
#endif
