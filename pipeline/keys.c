/* Text keys (exact and loose), the bounded key set, and text measures.
 *
 * Keys: XXH3-64 with seed 0 over bytes; the loose key first rewrites the
 * text, keeping only letters and marks, simple-case-folded (Unicode
 * CaseFolding.txt status C+S, via ICU's u_foldCase), as dedup.h specifies.
 * Code points are read with ICU's U8_NEXT, which rejects overlongs,
 * surrogates and values past U+10FFFF (Unicode ch. 3, D92).
 *
 * Key set: an ordered linear-probing table (Amble and Knuth's ordered hash
 * table, with a home slot monotone in the key, so the whole table is one
 * sorted array with gaps); load <= 0.8, grown 1.5x in place. Memory is the
 * table alone, at most max_bytes, 8 bytes per slot: once past the first
 * table, <= 15 bytes per key plus the 512-byte tail (<= 15.7 in all). The
 * in-place growth relies on realloc not copying: glibc moves a block of 32
 * MiB or more (always mmapped) with mremap; a smaller one may be copied, a
 * transient old + new of at most 64 MiB.
 */
#include "keys.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/utf8.h>
#include <xxhash.h>

#include "mtprep/alloc.h"
#include "mtprep/dedup.h"

/* ======================================================================== */
/* Keys                                                                     */
/* ======================================================================== */

uint64_t mtp_key_exact(mtp_str text)
{
    return XXH3_64bits(text.ptr, text.len);
}

void mtp_key_scratch_release(mtp_key_scratch *scratch)
{
    mtp_free(scratch->data);
    scratch->data = NULL;
    scratch->capacity = 0;
}

static mtp_status scratch_reserve(mtp_key_scratch *scratch, size_t need)
{
    if (need <= scratch->capacity) {
        return MTP_OK;
    }
    size_t capacity = scratch->capacity ? scratch->capacity : 256;
    while (capacity < need) {
        capacity *= 2;
    }
    char *data = mtp_realloc(scratch->data, capacity);
    if (data == NULL) {
        return MTP_ERR_NOMEM;
    }
    scratch->data = data;
    scratch->capacity = capacity;
    return MTP_OK;
}

/* Letters and marks are what the loose key keeps. */
static int is_letter_or_mark(UChar32 c)
{
    return (U_GET_GC_MASK(c) & (U_GC_L_MASK | U_GC_M_MASK)) != 0;
}

/* The loose form of an ASCII byte: its lower-case letter, or 0 when the
 * byte is not a letter and so is dropped. */
static uint8_t loose_ascii_letter(uint8_t b)
{
    const uint8_t lower = (uint8_t)(b | 0x20);
    return (lower >= 'a' && lower <= 'z') ? lower : 0;
}

#define BYTES_01 UINT64_C(0x0101010101010101)
#define BYTES_80 UINT64_C(0x8080808080808080)

/* Bit 7 of each byte of `word` (all bytes ASCII) set when lo <= byte <= hi:
 * byte + 0x80 - lo reaches 0x80 when byte >= lo, byte + 0x7f - hi when
 * byte > hi; neither sum passes 0xff, so no carry crosses a byte. */
static uint64_t bytes_in_range(uint64_t word, unsigned lo, unsigned hi)
{
    const uint64_t at_least_lo = word + BYTES_01 * (0x80u - lo);
    const uint64_t above_hi = word + BYTES_01 * (0x7fu - hi);
    return at_least_lo & ~above_hi & BYTES_80;
}

/* 1 when the 8 bytes at p are all ASCII. */
static int ascii8(const uint8_t *p)
{
    uint64_t word;
    memcpy(&word, p, sizeof word);
    return (word & UINT64_C(0x8080808080808080)) == 0;
}

/* Appends the loose forms of 8 ASCII bytes at dst + out; returns the new
 * end. Each byte is stored and the end advanced only past a letter. */
static int32_t fold_ascii8(const uint8_t *p, uint8_t *dst, int32_t out)
{
    for (int k = 0; k < 8; k++) {
        const uint8_t lower = (uint8_t)(p[k] | 0x20);
        dst[out] = lower;
        out += (uint8_t)(lower - 'a') < 26; /* a compare, not a branch */
    }
    return out;
}

/* Appends the loose form of `text` at scratch->data + *pos: all of it, or
 * when `want` bytes of it are enough, at least those (and fewer than 8 more),
 * reading no further into the text. Simple case folding maps one code point
 * to one, at most doubling its UTF-8 length (e.g. U+023A, 2 bytes, folds to
 * U+2C65, 3 bytes), so 2 * len bytes do. */
static mtp_status append_loose(mtp_str text, size_t want, mtp_key_scratch *scratch, size_t *pos)
{
    const mtp_status st = scratch_reserve(scratch, *pos + 2 * text.len + 4);
    if (st != MTP_OK) {
        return st;
    }
    const uint8_t *s = (const uint8_t *)text.ptr;
    const int32_t length = (int32_t)text.len;
    uint8_t *dst = (uint8_t *)scratch->data;
    const int32_t capacity = scratch->capacity > INT32_MAX ? INT32_MAX : (int32_t)scratch->capacity;
    int32_t i = 0;
    int32_t out = (int32_t)*pos;
    const int32_t start = out;
    while (i < length && (size_t)(out - start) < want) {
        if (length - i >= 8 && ascii8(s + i)) { /* eight ASCII bytes, no branch per byte */
            out = fold_ascii8(s + i, dst, out);
            i += 8;
            continue;
        }
        if (s[i] < 0x80) { /* ASCII fast path: same result as the ICU calls below */
            const uint8_t folded = loose_ascii_letter(s[i++]);
            dst[out] = folded; /* written always, kept only for a letter */
            out += folded != 0;
            continue;
        }
        UChar32 c;
        U8_NEXT(s, i, length, c);
        if (c < 0) {
            return MTP_ERR_INPUT;
        }
        if (is_letter_or_mark(c)) {
            UBool error = 0;
            U8_APPEND(dst, out, capacity, u_foldCase(c, U_FOLD_CASE_DEFAULT), error);
            assert(!error); /* reserved above */
            (void)error;
        }
    }
    if (out == start) { /* nothing kept (so all was read): key on the exact bytes */
        memcpy(dst + out, text.ptr, text.len);
        out += length;
    }
    *pos = (size_t)out;
    return MTP_OK;
}

/* The loose form of `text` (see append_loose for `want`) at scratch->data,
 * its length into *len. */
static mtp_status loose_form(mtp_str text, size_t want, mtp_key_scratch *scratch, size_t *len)
{
    if (text.len > MTP_KEY_MAX_TEXT_BYTES) {
        return MTP_ERR_LIMIT;
    }
    *len = 0;
    return append_loose(text, want, scratch, len);
}

static uint64_t head_of(const char *loose, size_t len)
{
    return XXH3_64bits(loose, len < MTP_KEY_LOOSE_HEAD_BYTES ? len : MTP_KEY_LOOSE_HEAD_BYTES);
}

mtp_status mtp_key_loose(mtp_str text, mtp_key_scratch *scratch, uint64_t *key)
{
    size_t len = 0;
    const mtp_status st = loose_form(text, SIZE_MAX, scratch, &len);
    if (st == MTP_OK) {
        *key = XXH3_64bits(scratch->data, len);
    }
    return st;
}

mtp_status mtp_key_loose_with_head(mtp_str text, mtp_key_scratch *scratch, uint64_t *key,
                                   uint64_t *head)
{
    size_t len = 0;
    const mtp_status st = loose_form(text, SIZE_MAX, scratch, &len);
    if (st == MTP_OK) {
        *key = XXH3_64bits(scratch->data, len);
        *head = head_of(scratch->data, len);
    }
    return st;
}

mtp_status mtp_key_loose_head(mtp_str text, mtp_key_scratch *scratch, uint64_t *head)
{
    size_t len = 0;
    const mtp_status st = loose_form(text, MTP_KEY_LOOSE_HEAD_BYTES, scratch, &len);
    if (st == MTP_OK) {
        *head = head_of(scratch->data, len);
    }
    return st;
}

/* Appends one side of a pair: its bytes, or its loose form. */
static mtp_status append_side(mtp_str text, mtp_dedup_key kind, mtp_key_scratch *scratch,
                              size_t *pos)
{
    if (kind == MTP_DEDUP_LOOSE) {
        return append_loose(text, SIZE_MAX, scratch, pos);
    }
    const mtp_status st = scratch_reserve(scratch, *pos + text.len + 1);
    if (st == MTP_OK) {
        memcpy(scratch->data + *pos, text.ptr, text.len);
        *pos += text.len;
    }
    return st;
}

/* src TAB tgt, each side exact or loose. */
static mtp_status pair_key(const mtp_record *rec, mtp_dedup_key kind, mtp_key_scratch *scratch,
                           uint64_t *key)
{
    if (rec->text.len > MTP_KEY_MAX_TEXT_BYTES || rec->tgt.len > MTP_KEY_MAX_TEXT_BYTES) {
        return MTP_ERR_LIMIT;
    }
    size_t len = 0;
    mtp_status st = append_side(rec->text, kind, scratch, &len);
    if (st == MTP_OK) {
        st = scratch_reserve(scratch, len + 1);
    }
    if (st != MTP_OK) {
        return st;
    }
    scratch->data[len++] = '\t';
    st = append_side(rec->tgt, kind, scratch, &len);
    if (st == MTP_OK) {
        *key = XXH3_64bits(scratch->data, len);
    }
    return st;
}

mtp_status mtp_record_key(const mtp_record *rec, mtp_dedup_key kind, mtp_dedup_side side,
                          mtp_key_scratch *scratch, uint64_t *key)
{
    if (rec->kind == MTP_RECORD_PAIR && side == MTP_DEDUP_SIDE_PAIR) {
        return pair_key(rec, kind, scratch, key);
    }
    if (kind == MTP_DEDUP_LOOSE) {
        return mtp_key_loose(rec->text, scratch, key);
    }
    *key = mtp_key_exact(rec->text);
    return MTP_OK;
}

/* ======================================================================== */
/* Key set                                                                  */
/* ======================================================================== */

/* Bytes of a table with `home_count` home slots plus the overflow tail. */
static size_t table_bytes(size_t home_count)
{
    return (home_count + MTP_KEYSET_TAIL_SLOTS) * sizeof(uint64_t);
}

/* Where a key's probe starts: the key's top 32 bits scaled to home_count.
 * Monotone in the key, which is what keeps the whole table sorted. */
static size_t home_of(uint64_t key, size_t home_count)
{
    return (size_t)(((key >> 32) * (uint64_t)home_count) >> 32);
}

mtp_status mtp_keyset_init(mtp_keyset *set, size_t max_bytes)
{
    memset(set, 0, sizeof *set);
    set->max_bytes = max_bytes;
    size_t homes = 1024;
    while (homes >= MTP_KEYSET_MIN_SLOTS && table_bytes(homes) > max_bytes) {
        homes /= 2;
    }
    if (homes < MTP_KEYSET_MIN_SLOTS) {
        return MTP_ERR_LIMIT;
    }
    set->slots = mtp_calloc(homes + MTP_KEYSET_TAIL_SLOTS, sizeof(uint64_t));
    if (set->slots == NULL) {
        return MTP_ERR_NOMEM;
    }
    set->home_count = homes;
    return MTP_OK;
}

/* The slot where `key` is or would be inserted: the first slot at or after
 * its home that is empty or holds a key >= `key`. May be the table's end. */
static size_t probe(const mtp_keyset *set, uint64_t key)
{
    const size_t total = set->home_count + MTP_KEYSET_TAIL_SLOTS;
    size_t i = home_of(key, set->home_count);
    while (i < total && set->slots[i] != 0 && set->slots[i] < key) {
        i++;
    }
    return i;
}

/* Where the sorted keys would end if placed into `homes` home slots; the
 * placement fits when the result is below homes + MTP_KEYSET_TAIL_SLOTS. */
static size_t placement_end(const mtp_keyset *set, size_t homes)
{
    const size_t total = set->home_count + MTP_KEYSET_TAIL_SLOTS;
    size_t next = 0; /* first free slot after the keys placed so far */
    for (size_t i = 0; i < total; i++) {
        if (set->slots[i] != 0) {
            const size_t home = home_of(set->slots[i], homes);
            next = (home > next ? home : next) + 1;
        }
    }
    return next;
}

/* Rehashes in place into `homes` home slots, already allocated. Keys move
 * right to the end of the table (sorted, packed), then left to their new
 * places; each new place is at or before the key's packed slot, so no key
 * is overwritten before it moves. */
static void rehash_in_place(mtp_keyset *set, size_t old_total, size_t homes)
{
    uint64_t *slots = set->slots;
    const size_t total = homes + MTP_KEYSET_TAIL_SLOTS;
    size_t packed = total;
    for (size_t i = old_total; i-- > 0;) {
        if (slots[i] != 0) {
            slots[--packed] = slots[i];
        }
    }
    memset(slots, 0, packed * sizeof *slots);
    size_t next = 0;
    for (size_t i = packed; i < total; i++) {
        const uint64_t key = slots[i];
        const size_t home = home_of(key, homes);
        const size_t place = home > next ? home : next;
        assert(place <= i);
        slots[i] = 0;
        slots[place] = key;
        next = place + 1;
    }
    set->home_count = homes;
}

/* Home slots of the next table: 1.5x, so that the load after growing stays
 * >= 0.53 (<= 15 bytes per key, tail aside), capped by max_bytes and by the 32-bit home
 * scale; 0 when it cannot grow by at least an eighth. */
static size_t next_home_count(const mtp_keyset *set)
{
    size_t homes = set->home_count + set->home_count / 2;
    const size_t cap_by_bytes = set->max_bytes / sizeof(uint64_t);
    const size_t cap =
        cap_by_bytes > MTP_KEYSET_TAIL_SLOTS ? cap_by_bytes - MTP_KEYSET_TAIL_SLOTS : 0;
    homes = homes < cap ? homes : cap;
    homes = homes < UINT32_MAX ? homes : UINT32_MAX;
    return homes >= set->home_count + set->home_count / 8 ? homes : 0;
}

/* Grows the table in place (realloc, then rehash within the block): no
 * second table, so growth never needs old + new bytes at once. */
static mtp_status grow(mtp_keyset *set)
{
    size_t homes = next_home_count(set);
    if (homes == 0) {
        return MTP_ERR_LIMIT;
    }
    if (placement_end(set, homes) > homes + MTP_KEYSET_TAIL_SLOTS) {
        return MTP_ERR_LIMIT; /* a pathological pile-up at the end of the table */
    }
    const size_t old_total = set->home_count + MTP_KEYSET_TAIL_SLOTS;
    uint64_t *slots = mtp_realloc(set->slots, table_bytes(homes));
    if (slots == NULL) {
        return MTP_ERR_NOMEM;
    }
    const size_t total = homes + MTP_KEYSET_TAIL_SLOTS;
    memset(slots + old_total, 0, (total - old_total) * sizeof *slots);
    set->slots = slots;
    rehash_in_place(set, old_total, homes);
    return MTP_OK;
}

/* Puts `key` at slot i, shifting the run of keys from i one slot right.
 * Returns 0 when the run reaches the end of the table (nothing changed). */
static int insert_at(mtp_keyset *set, size_t i, uint64_t key)
{
    const size_t total = set->home_count + MTP_KEYSET_TAIL_SLOTS;
    size_t end = i;
    while (end < total && set->slots[end] != 0) {
        end++;
    }
    if (end == total) {
        return 0;
    }
    memmove(set->slots + i + 1, set->slots + i, (end - i) * sizeof *set->slots);
    set->slots[i] = key;
    return 1;
}

static mtp_status add_nonzero(mtp_keyset *set, uint64_t key, int *added)
{
    size_t i = probe(set, key);
    const size_t total = set->home_count + MTP_KEYSET_TAIL_SLOTS;
    if (i < total && set->slots[i] == key) {
        return MTP_OK;
    }
    const size_t stored = set->key_count - (size_t)set->has_zero;
    const int full = (stored + 1) * 5 > set->home_count * 4;
    if (full || i == total || !insert_at(set, i, key)) {
        const mtp_status st = grow(set);
        if (st != MTP_OK) {
            return st;
        }
        if (!insert_at(set, probe(set, key), key)) {
            return MTP_ERR_LIMIT;
        }
    }
    set->key_count++;
    *added = 1;
    return MTP_OK;
}

mtp_status mtp_keyset_add(mtp_keyset *set, uint64_t key, int *added)
{
    *added = 0;
    if (key == 0) {
        *added = !set->has_zero;
        set->key_count += (size_t)*added;
        set->has_zero = 1;
        return MTP_OK;
    }
    return add_nonzero(set, key, added);
}

int mtp_keyset_contains(const mtp_keyset *set, uint64_t key)
{
    if (key == 0) {
        return set->has_zero;
    }
    const size_t i = probe(set, key);
    return i < set->home_count + MTP_KEYSET_TAIL_SLOTS && set->slots[i] == key;
}

size_t mtp_keyset_bytes(const mtp_keyset *set)
{
    return set->slots != NULL ? table_bytes(set->home_count) : 0;
}

size_t mtp_keyset_slot_count(const mtp_keyset *set)
{
    return set->slots != NULL ? set->home_count + MTP_KEYSET_TAIL_SLOTS : 0;
}

void mtp_keyset_release(mtp_keyset *set)
{
    mtp_free(set->slots);
    memset(set, 0, sizeof *set);
}

/* ======================================================================== */
/* Text measures                                                            */
/* ======================================================================== */

/* White_Space in ASCII: TAB, LF, VT, FF, CR and SPACE (PropList.txt). */
static int is_ascii_white_space(UChar32 c)
{
    return c == 0x20 || (c >= 0x09 && c <= 0x0d);
}

/* Class bits of the ASCII characters, for the measuring fast path. */
enum { ASCII_SPACE = 1, ASCII_LETTER = 2 };

static unsigned char ascii_class(unsigned char b)
{
    if (is_ascii_white_space(b)) {
        return ASCII_SPACE;
    }
    return ((b | 0x20) >= 'a' && (b | 0x20) <= 'z') ? ASCII_LETTER : 0;
}

/* Running counts of mtp_text_measure_utf8, kept in locals so the ASCII
 * loop is branch-free. */
typedef struct measure_acc {
    size_t chars, spaces, letters, words;
    unsigned after_space; /* 1 at the start and after a space: a word may begin */
} measure_acc;

static void measure_one(measure_acc *a, unsigned space, unsigned letter)
{
    a->chars++;
    a->spaces += space;
    a->letters += letter;
    a->words += (space ^ 1u) & a->after_space;
    a->after_space = space;
}

static void measure_store(const measure_acc *a, mtp_text_measure *out)
{
    out->chars = a->chars;
    out->spaces = a->spaces;
    out->letters = a->letters;
    out->words = a->words;
}

#if defined(__BYTE_ORDER__) && defined(__ORDER_LITTLE_ENDIAN__) &&                                 \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define MEASURE_SWAR 1
#else
#define MEASURE_SWAR 0
#endif

#if MEASURE_SWAR
/* Set bytes of a mask from bytes_in_range: at most 8, so the multiply
 * sums the bytes into the top one without overflow. */
static size_t count_bytes(uint64_t mask)
{
    return (size_t)(((mask >> 7) * BYTES_01) >> 56);
}

/* Measures 8 ASCII bytes at once, as measure_one would byte by byte (byte
 * k of the little-endian word is the k-th in the text). */
static void measure_ascii8(measure_acc *a, const uint8_t *p)
{
    uint64_t word;
    memcpy(&word, p, sizeof word);
    const uint64_t space = bytes_in_range(word, 0x20, 0x20) | bytes_in_range(word, 0x09, 0x0d);
    const uint64_t letter = bytes_in_range(word | BYTES_01 * 0x20u, 'a', 'z');
    const uint64_t after_space = (space << 8) | ((uint64_t)a->after_space << 7);
    a->chars += 8;
    a->spaces += count_bytes(space);
    a->letters += count_bytes(letter);
    a->words += count_bytes(~space & after_space & BYTES_80);
    a->after_space = (unsigned)(space >> 63);
}
#endif

int mtp_text_measure_utf8(mtp_str text, mtp_text_measure *out)
{
    static unsigned char ascii[128];
    static int ascii_ready; /* idempotent: racing threads write the same bytes */
    if (!ascii_ready) {
        for (unsigned b = 0; b < 128; b++) {
            ascii[b] = ascii_class((unsigned char)b);
        }
        ascii_ready = 1;
    }
    memset(out, 0, sizeof *out);
    if (text.len > INT32_MAX) {
        return 0;
    }
    const uint8_t *s = (const uint8_t *)text.ptr;
    const int32_t length = (int32_t)text.len;
    measure_acc a = {0, 0, 0, 0, 1};
    int32_t i = 0;
    while (i < length) {
#if MEASURE_SWAR
        if (length - i >= 8 && ascii8(s + i)) { /* the common case: 8 bytes at once */
            measure_ascii8(&a, s + i);
            i += 8;
            continue;
        }
#endif
        if (s[i] < 0x80) { /* one table lookup */
            const unsigned cls = ascii[s[i++]];
            measure_one(&a, cls & ASCII_SPACE, (cls & ASCII_LETTER) >> 1);
            continue;
        }
        UChar32 c;
        U8_NEXT(s, i, length, c);
        if (c < 0) {
            measure_store(&a, out); /* the counts up to the invalid sequence */
            return 0;
        }
        measure_one(&a, u_isUWhiteSpace(c) != 0, is_letter_or_mark(c) != 0);
    }
    measure_store(&a, out);
    return 1;
}

void mtp_record_where(const mtp_record *rec, char *dst, size_t capacity)
{
    const int doc_len = (int)(rec->doc_id.len > 160 ? 160 : rec->doc_id.len);
    const int unit_len = (int)(rec->unit.len > 48 ? 48 : rec->unit.len);
    snprintf(dst, capacity, "doc_id %.*s unit %.*s", doc_len, rec->doc_id.ptr, unit_len,
             rec->unit.ptr);
}
