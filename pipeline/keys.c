/* Text keys (exact and loose), the bounded key set, and text measures.
 *
 * Keys: XXH3-64 with seed 0 over bytes; the loose key first rewrites the
 * text, keeping only letters and marks, simple-case-folded (Unicode
 * CaseFolding.txt status C+S, via ICU's u_foldCase), as dedup.h specifies.
 * Code points are read with ICU's U8_NEXT, which rejects overlongs,
 * surrogates and values past U+10FFFF (Unicode ch. 3, D92).
 *
 * Key set: open addressing, linear probing, load <= 0.75, doubling; memory
 * is the table alone, at most max_bytes counting old + new during a resize.
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

/* Appends the loose form of `text` at scratch->data + *pos. Simple case
 * folding maps one code point to one, at most doubling its UTF-8 length
 * (e.g. U+023A, 2 bytes, folds to U+2C65, 3 bytes), so 2 * len bytes do. */
static mtp_status append_loose(mtp_str text, mtp_key_scratch *scratch, size_t *pos)
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
    while (i < length) {
        if (s[i] < 0x80) { /* ASCII fast path: same result as the ICU calls below */
            const uint8_t b = s[i++];
            if ((b | 0x20) >= 'a' && (b | 0x20) <= 'z') {
                dst[out++] = (uint8_t)(b | 0x20);
            }
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
    if (out == start) { /* nothing kept: key on the exact bytes */
        memcpy(dst + out, text.ptr, text.len);
        out += length;
    }
    *pos = (size_t)out;
    return MTP_OK;
}

mtp_status mtp_key_loose(mtp_str text, mtp_key_scratch *scratch, uint64_t *key)
{
    if (text.len > MTP_KEY_MAX_TEXT_BYTES) {
        return MTP_ERR_LIMIT;
    }
    size_t len = 0;
    const mtp_status st = append_loose(text, scratch, &len);
    if (st != MTP_OK) {
        return st;
    }
    *key = XXH3_64bits(scratch->data, len);
    return MTP_OK;
}

/* Appends one side of a pair: its bytes, or its loose form. */
static mtp_status append_side(mtp_str text, mtp_dedup_key kind, mtp_key_scratch *scratch,
                              size_t *pos)
{
    if (kind == MTP_DEDUP_LOOSE) {
        return append_loose(text, scratch, pos);
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

static size_t table_bytes(size_t slot_count)
{
    return slot_count * sizeof(uint64_t);
}

mtp_status mtp_keyset_init(mtp_keyset *set, size_t max_bytes)
{
    memset(set, 0, sizeof *set);
    set->max_bytes = max_bytes;
    size_t slots = 1024;
    while (slots >= MTP_KEYSET_MIN_SLOTS && table_bytes(slots) > max_bytes) {
        slots /= 2;
    }
    if (slots < MTP_KEYSET_MIN_SLOTS) {
        return MTP_ERR_LIMIT;
    }
    set->slots = mtp_calloc(slots, sizeof(uint64_t));
    if (set->slots == NULL) {
        return MTP_ERR_NOMEM;
    }
    set->slot_count = slots;
    return MTP_OK;
}

/* The slot holding `key`, or the empty slot where it would go. */
static size_t probe(const uint64_t *slots, size_t slot_count, uint64_t key)
{
    const size_t mask = slot_count - 1;
    size_t i = (size_t)key & mask;
    while (slots[i] != 0 && slots[i] != key) {
        i = (i + 1) & mask;
    }
    return i;
}

static mtp_status grow(mtp_keyset *set)
{
    const size_t new_count = set->slot_count * 2;
    const size_t old_bytes = table_bytes(set->slot_count);
    if (new_count < set->slot_count || table_bytes(new_count) / 2 != old_bytes ||
        old_bytes + table_bytes(new_count) > set->max_bytes) {
        return MTP_ERR_LIMIT;
    }
    uint64_t *slots = mtp_calloc(new_count, sizeof(uint64_t));
    if (slots == NULL) {
        return MTP_ERR_NOMEM;
    }
    for (size_t i = 0; i < set->slot_count; i++) {
        const uint64_t key = set->slots[i];
        if (key != 0) {
            slots[probe(slots, new_count, key)] = key;
        }
    }
    mtp_free(set->slots);
    set->slots = slots;
    set->slot_count = new_count;
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
    size_t i = probe(set->slots, set->slot_count, key);
    if (set->slots[i] == key) {
        return MTP_OK;
    }
    const size_t stored = set->key_count - (size_t)set->has_zero;
    if ((stored + 1) * 4 > set->slot_count * 3) {
        const mtp_status st = grow(set);
        if (st != MTP_OK) {
            return st;
        }
        i = probe(set->slots, set->slot_count, key);
    }
    set->slots[i] = key;
    set->key_count++;
    *added = 1;
    return MTP_OK;
}

int mtp_keyset_contains(const mtp_keyset *set, uint64_t key)
{
    if (key == 0) {
        return set->has_zero;
    }
    return set->slots[probe(set->slots, set->slot_count, key)] == key;
}

size_t mtp_keyset_bytes(const mtp_keyset *set)
{
    return table_bytes(set->slot_count);
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

int mtp_text_measure_utf8(mtp_str text, mtp_text_measure *out)
{
    memset(out, 0, sizeof *out);
    if (text.len > INT32_MAX) {
        return 0;
    }
    const uint8_t *s = (const uint8_t *)text.ptr;
    const int32_t length = (int32_t)text.len;
    int32_t i = 0;
    int in_word = 0;
    while (i < length) {
        UChar32 c;
        U8_NEXT(s, i, length, c);
        if (c < 0) {
            return 0;
        }
        out->chars++;
        const int space = c < 0x80 ? is_ascii_white_space(c) : u_isUWhiteSpace(c);
        const int letter =
            c < 0x80 ? ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') : is_letter_or_mark(c);
        out->spaces += (size_t)space;
        out->letters += (size_t)letter;
        out->words += (size_t)(!space && !in_word);
        in_word = !space;
    }
    return 1;
}

void mtp_record_where(const mtp_record *rec, char *dst, size_t capacity)
{
    const int doc_len = (int)(rec->doc_id.len > 160 ? 160 : rec->doc_id.len);
    const int unit_len = (int)(rec->unit.len > 48 ? 48 : rec->unit.len);
    snprintf(dst, capacity, "doc_id %.*s unit %.*s", doc_len, rec->doc_id.ptr, unit_len,
             rec->unit.ptr);
}
