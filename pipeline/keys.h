/* Private: a bounded set of 64-bit text keys (dedup, write), and the
 * per-text measures that filter and stats share, so both count characters
 * and words the same way. */
#ifndef MTPREP_KEYS_H
#define MTPREP_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include "mtprep/dedup.h"
#include "mtprep/record.h"
#include "mtprep/status.h"

/* ---- key set ------------------------------------------------------------
 * An ordered linear-probing table of uint64 keys (0 marks an empty slot; the
 * key 0 itself is kept in a flag). A key's home slot is its top 32 bits
 * scaled to home_count, monotone in the key, and each probe run is kept
 * sorted, so the slots hold the keys in ascending order with gaps: a spill
 * can write them out as a sorted run directly. Load stays <= 0.8; the table
 * grows 1.5x in place (realloc, then a rehash within the block), so its
 * bytes, growth included, stay <= max_bytes and <= 15.7 bytes per key
 * once past the first table (15 + the tail's share). */
typedef struct mtp_keyset {
    uint64_t *slots;   /* home_count + MTP_KEYSET_TAIL_SLOTS, ascending, 0 = empty */
    size_t home_count; /* slots a key can start its probe at */
    size_t key_count;  /* keys held, the zero key included */
    size_t max_bytes;  /* bound on the table's bytes, growth included */
    int has_zero;      /* the key 0 is in the set */
} mtp_keyset;

/* Smallest table: 64 home slots; runs past the last home slot spill into a
 * tail of 64 more (so at least 1 KiB). */
#define MTP_KEYSET_MIN_SLOTS 64
#define MTP_KEYSET_TAIL_SLOTS 64

/* Initializes an empty set with the largest table of at most 1024 home slots
 * that fits max_bytes. Returns MTP_OK, MTP_ERR_NOMEM, or MTP_ERR_LIMIT when
 * not even MTP_KEYSET_MIN_SLOTS fit. */
mtp_status mtp_keyset_init(mtp_keyset *set, size_t max_bytes);

/* Adds `key`; *added is 1 when it was new, 0 when already present. Returns
 * MTP_OK, MTP_ERR_LIMIT when the table would have to grow past max_bytes
 * (the set is unchanged and still usable), or MTP_ERR_NOMEM (unchanged too). */
mtp_status mtp_keyset_add(mtp_keyset *set, uint64_t key, int *added);

/* Returns 1 when `key` is in the set. */
int mtp_keyset_contains(const mtp_keyset *set, uint64_t key);

/* Table bytes in use now. */
size_t mtp_keyset_bytes(const mtp_keyset *set);

/* Slots in set->slots (keys ascending, 0 = empty; the zero key is not among them). */
size_t mtp_keyset_slot_count(const mtp_keyset *set);

void mtp_keyset_release(mtp_keyset *set);

/* ---- heads of loose keys -------------------------------------------------
 * The head of a text's loose key is XXH3-64 of the first
 * MTP_KEY_LOOSE_HEAD_BYTES bytes of its loose form (all of it when shorter;
 * for a text without letters, of its first bytes, as the loose key then keys
 * the exact bytes). Texts with equal loose keys have equal heads, and a head
 * reads only the start of the text: write checks heads first and computes a
 * train text's loose key only when its head is one a dev/test or excluded
 * text has. */
#define MTP_KEY_LOOSE_HEAD_BYTES 16

/* The head alone. Returns MTP_OK, MTP_ERR_INPUT when the bytes it reads are
 * not valid UTF-8 (bytes past them are not read), MTP_ERR_LIMIT or
 * MTP_ERR_NOMEM as mtp_key_loose. */
mtp_status mtp_key_loose_head(mtp_str text, mtp_key_scratch *scratch, uint64_t *head);

/* The loose key (as mtp_key_loose, same returns) and its head. */
mtp_status mtp_key_loose_with_head(mtp_str text, mtp_key_scratch *scratch, uint64_t *key,
                                   uint64_t *head);

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
