/* Private: a bounded set of 64-bit text keys (dedup, write), and the
 * per-text measures that filter and stats share, so both count characters
 * and words the same way. */
#ifndef MTPREP_KEYS_H
#define MTPREP_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include "mtprep/record.h"
#include "mtprep/status.h"

/* ---- key set ------------------------------------------------------------
 * Open addressing with linear probing over uint64 slots (0 marks an empty
 * slot; the key 0 itself is kept in a flag). Keys are hashes already, so the
 * slot index is the key's low bits. Load stays <= 0.75; the table doubles,
 * and while it does the old and new tables together stay <= max_bytes. */
typedef struct mtp_keyset {
    uint64_t *slots;
    size_t slot_count; /* a power of two */
    size_t key_count;  /* keys held, the zero key included */
    size_t max_bytes;  /* bound on old + new table during growth */
    int has_zero;      /* the key 0 is in the set */
} mtp_keyset;

/* Smallest table: 64 slots (512 bytes). */
#define MTP_KEYSET_MIN_SLOTS 64

/* Initializes an empty set with the largest table of at most 1024 slots that
 * fits max_bytes. Returns MTP_OK, MTP_ERR_NOMEM, or MTP_ERR_LIMIT when not
 * even MTP_KEYSET_MIN_SLOTS slots fit. */
mtp_status mtp_keyset_init(mtp_keyset *set, size_t max_bytes);

/* Adds `key`; *added is 1 when it was new, 0 when already present. Returns
 * MTP_OK, MTP_ERR_LIMIT when the table would have to grow past max_bytes
 * (the set is unchanged and still usable for lookups), or MTP_ERR_NOMEM. */
mtp_status mtp_keyset_add(mtp_keyset *set, uint64_t key, int *added);

/* Returns 1 when `key` is in the set. */
int mtp_keyset_contains(const mtp_keyset *set, uint64_t key);

/* Table bytes in use now. */
size_t mtp_keyset_bytes(const mtp_keyset *set);

void mtp_keyset_release(mtp_keyset *set);

/* ---- text measures ------------------------------------------------------
 * Over the code points of a UTF-8 text: a word is a maximal run of
 * non-White_Space code points; a letter is a code point of category L* or
 * M* (marks belong to the letter they follow). */
typedef struct mtp_text_measure {
    size_t chars;   /* code points */
    size_t words;   /* White_Space-separated tokens */
    size_t letters; /* L* and M* */
    size_t spaces;  /* White_Space */
} mtp_text_measure;

/* Measures `text`. Returns 1, or 0 when it is not valid UTF-8 (then *out
 * holds the counts up to the first invalid sequence). */
int mtp_text_measure_utf8(mtp_str text, mtp_text_measure *out);

/* Names a record in bad-input messages: "doc_id D unit U", each field cut to
 * fit `capacity` bytes (NUL included). */
void mtp_record_where(const mtp_record *rec, char *dst, size_t capacity);

#endif
