/* Private: the disk half of dedup, used once the key table would outgrow
 * --mem. From then on every record is held back in a spool file and its
 * (key, ordinal) pair goes to sorted runs; finish merges the runs to find
 * the first occurrence of each key, then replays the spool in order,
 * dropping the later ones. See pipeline/dedup_spill.c for the algorithm.
 *
 * Temporary files are made with mkstemp under the spill directory and
 * unlinked at once, so they vanish on every exit path, crashes included;
 * their names still appear in error messages.
 *
 * Ownership: mtp_spill_new's caller owns the spill (mtp_spill_free);
 * every other argument is borrowed. */
#ifndef MTPREP_DEDUP_SPILL_H
#define MTPREP_DEDUP_SPILL_H

#include <stddef.h>
#include <stdint.h>

#include "keys.h"
#include "mtprep/policy.h"
#include "mtprep/stage.h"

typedef struct mtp_spill mtp_spill;

/* Smallest entry buffer a spill takes: 64 pairs of 16 bytes. */
#define MTP_SPILL_MIN_MEM_BYTES ((size_t)1024)

/* Creates a spill whose temporary files go under tmp_dir (NULL: $TMPDIR, or
 * /tmp when unset or empty) and whose entry buffer takes mem_bytes (at least
 * MTP_SPILL_MIN_MEM_BYTES; allocated at the first record, so the caller can
 * free its key table first). Returns MTP_OK, MTP_ERR_NOMEM, or MTP_ERR_IO
 * when no file can be made there (message in *err). */
mtp_status mtp_spill_new(const char *tmp_dir, size_t mem_bytes, mtp_spill **out, mtp_error *err);

/* Writes the keys kept before the spill (`seen`, ascending as the key set
 * holds them) as the first run: they come before every held-back record.
 * Call once, before mtp_spill_add. Returns MTP_OK, or MTP_ERR_IO naming the file. */
mtp_status mtp_spill_add_seen(mtp_spill *sp, const mtp_keyset *seen, mtp_error *err);

/* Holds back `rec` (copied to the spool) under `key`. Returns MTP_OK,
 * MTP_ERR_NOMEM, MTP_ERR_LIMIT for a record over 4 GiB, or MTP_ERR_IO naming
 * the file. */
mtp_status mtp_spill_add(mtp_spill *sp, uint64_t key, const mtp_record *rec, mtp_error *err);

/* Emits the held-back records whose key was not seen before them, in input
 * order, and counts each other one under `counter` ("dropped.REASON") in
 * `counts`. Returns
 * MTP_OK, the sink's status, MTP_ERR_NOMEM or MTP_ERR_IO (message in *err). */
mtp_status mtp_spill_finish(mtp_spill *sp, const mtp_sink *out, mtp_counts *counts,
                            const char *counter, mtp_error *err);

/* Closes (and so removes) the temporary files and frees; NULL does nothing. */
void mtp_spill_free(mtp_spill *sp);

#endif
