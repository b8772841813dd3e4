/* dedup: drops repeated units or pairs, keeping the first occurrence in input
 * order; and the text keys that decide what "repeated" means (also used by
 * write to remove dev/test sentences from train).
 *
 * Keys are 64-bit XXH3 hashes (seed 0) of bytes:
 *
 *   exact  the text field as is.
 *   loose  the text with every code point that is not a letter (L*) or a
 *          mark (M*) removed, i.e. punctuation (P*), symbols (S*), numbers
 *          (N*: digits included), separators and white space (Z*, White_Space)
 *          and controls/format (C*), and the rest simple-case-folded
 *          (u_foldCase, U_FOLD_CASE_DEFAULT) and re-encoded as UTF-8. So
 *          "Harga naik 5%." and "harga naik 7 %" share a key. A text with no
 *          letter or mark left ("12/6/2025", "...") keys on its exact bytes
 *          instead, so letterless texts are duplicates only when identical.
 *          The key does not normalize: feed NFC text (normalize does).
 *
 * A pair record keys on src TAB tgt (each side keyed as above, the TAB kept)
 * or, with MTP_DEDUP_SIDE_SRC, on src alone.
 *
 * Collisions: two different texts share a 64-bit key with probability 2^-64;
 * among n distinct texts the chance that any two collide is about n^2 / 2^65
 * (1e8 texts: 3e-4), and a collision drops one text that was not a repeat.
 *
 * Ownership: every argument is borrowed; a scratch is owned by the caller.
 */
#ifndef MTPREP_DEDUP_H
#define MTPREP_DEDUP_H

#include <stddef.h>
#include <stdint.h>

#include "mtprep/policy.h"
#include "mtprep/record.h"
#include "mtprep/stage.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum mtp_dedup_key { MTP_DEDUP_EXACT = 0, MTP_DEDUP_LOOSE = 1 } mtp_dedup_key;

/* What a pair record keys on; unit records always key on their text. */
typedef enum mtp_dedup_side {
    MTP_DEDUP_SIDE_PAIR = 0, /* src TAB tgt (default) */
    MTP_DEDUP_SIDE_SRC = 1   /* src alone */
} mtp_dedup_side;

#define MTP_DEDUP_DEFAULT_MEM_BYTES ((size_t)1 << 30) /* 1 GiB */

typedef struct mtp_dedup_options {
    mtp_dedup_key key;     /* default MTP_DEDUP_EXACT */
    mtp_dedup_side side;   /* default MTP_DEDUP_SIDE_PAIR */
    size_t mem_bytes;      /* bound on the key table, growth included, and on the
                              spill buffer; default 1 GiB */
    const char *tmp_dir;   /* spill files go here; NULL (default): $TMPDIR or /tmp */
    mtp_on_error on_error; /* for invalid UTF-8 under the loose key */
} mtp_dedup_options;

void mtp_dedup_options_default(mtp_dedup_options *opts);

/* Creates the stage. While its key table (an ordered hash set of 8-byte
 * keys, load <= 0.8, grown 1.5x in place: <= 16 bytes per unique key) fits
 * opts->mem_bytes, each record is decided and emitted as it comes. When the
 * table would outgrow it, the stage spills: from then on records are held
 * back in a temporary file under opts->tmp_dir and (key, ordinal) pairs go
 * to sorted runs of at most mem_bytes each; finish merges them and emits the
 * held-back survivors. Either way the output and the counts are the same:
 * the first occurrence of each key, in input order. Counts
 * "dropped.duplicate_exact" or "dropped.duplicate_loose". Spill files are
 * unlinked as soon as they are made; failing to write one (disk full) is
 * MTP_ERR_IO naming it. Returns MTP_OK, MTP_ERR_NOMEM, or MTP_ERR_USAGE when
 * mem_bytes cannot hold a minimal table (message in *err, which may be NULL). */
mtp_status mtp_dedup_new(const mtp_dedup_options *opts, mtp_stage **out, mtp_error *err);

/* Memory reused by the key functions: zero-initialize, pass to any number of
 * calls, release with mtp_key_scratch_release (which zeroes it again). */
typedef struct mtp_key_scratch {
    char *data;      /* mtp_malloc'd */
    size_t capacity; /* bytes */
} mtp_key_scratch;

void mtp_key_scratch_release(mtp_key_scratch *scratch);

/* The exact key of a text (XXH3-64, seed 0, over its bytes). */
uint64_t mtp_key_exact(mtp_str text);

/* Longest text the loose key takes: ICU offsets are int32_t and the folded
 * copy may be twice as long. */
#define MTP_KEY_MAX_TEXT_BYTES ((size_t)1 << 28) /* 256 MiB */

/* The loose key of a text into *key. Returns MTP_OK, MTP_ERR_INPUT when
 * `text` is not valid UTF-8, MTP_ERR_LIMIT when it is longer than
 * MTP_KEY_MAX_TEXT_BYTES, or MTP_ERR_NOMEM when scratch cannot grow. */
mtp_status mtp_key_loose(mtp_str text, mtp_key_scratch *scratch, uint64_t *key);

/* The key of a record as the dedup stage computes it (see the top of this
 * file). Same returns as mtp_key_loose; the exact key of a unit never fails. */
mtp_status mtp_record_key(const mtp_record *rec, mtp_dedup_key kind, mtp_dedup_side side,
                          mtp_key_scratch *scratch, uint64_t *key);

#ifdef __cplusplus
}
#endif
#endif
