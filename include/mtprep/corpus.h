/* write and verify: the corpus directory.
 *
 * write assigns whole documents to train/dev/test by a hash of doc_id,
 * removes from train every sentence whose exact key occurs in dev or test,
 * and writes, each under a temporary name renamed only when complete:
 *
 *   OUT/train.LANG.zst OUT/dev.LANG.zst OUT/test.LANG.zst   one text per line
 *   OUT/train.meta.tsv.zst                                  doc_id TAB unit per line
 *   OUT/MANIFEST.json  OUT/SHA256SUMS
 *
 * Memory: the dev/test key set (8 bytes per dev/test sentence) plus zstd
 * contexts; train records are spooled to a temporary file in OUT until the
 * key set is complete.
 */
#ifndef MTPREP_CORPUS_H
#define MTPREP_CORPUS_H

#include <stddef.h>

#include "mtprep/counts.h"
#include "mtprep/policy.h"
#include "mtprep/stage.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mtp_write_options {
    const char *out_dir;          /* created if missing */
    const char *lang;             /* "id" */
    double dev_ratio;             /* default 0.01 */
    double test_ratio;            /* default 0.01 (train gets the rest) */
    int zstd_level;               /* default 3 */
    const mtp_counts *upstream;   /* earlier stages' counts, folded into the manifest */
    size_t upstream_count;
    const char *recipe_text;      /* recipe file contents for the manifest, or NULL */
    const char *options_json;     /* the options as a JSON object text, or NULL */
    const char *const *input_digests; /* "sha256  path" strings from build, or NULL */
    size_t input_digest_count;
    mtp_on_error on_error;
} mtp_write_options;

void mtp_write_options_default(mtp_write_options *opts);

/* The stage emits nothing; finish writes the directory. */
mtp_status mtp_write_new(const mtp_write_options *opts, mtp_stage **out, mtp_error *err);

/* Rechecks DIR: every file in MANIFEST.json exists with its bytes, lines and
 * sha256, SHA256SUMS agrees, zstd files decompress. Returns MTP_OK or
 * MTP_ERR_MISMATCH / MTP_ERR_IO with the first problem in *err; `report`
 * (may be NULL) receives one line per checked file. */
mtp_status mtp_corpus_verify(const char *dir, FILE *report, mtp_error *err);

#ifdef __cplusplus
}
#endif
#endif
