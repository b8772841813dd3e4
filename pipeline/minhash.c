/* Shingling, MinHash signatures, the LSH band index and union-find for
 * dedup --docs (see minhash.h).
 *
 * Words: maximal runs of code points that are neither White_Space nor
 * punctuation (General Category P*), each code point lower-cased with ICU's
 * simple u_tolower; so "Jakarta, (ANTARA)" gives "jakarta" "antara". A word
 * hashes to XXH3-64 of its lower-cased UTF-8 bytes with MTP_MINHASH_WORD_SEED.
 *
 * Shingles: the hashes of k consecutive words of one paragraph combined by a
 * polynomial over 2^64 and a splitmix64 finalizer (arithmetic, so the same on
 * any byte order). A paragraph shorter than k words is a single shingle.
 *
 * MinHash: value i of a signature is min over shingles of the high 32 bits
 * of a_i * h + b_i (mod 2^64), a multiply-add-shift hash; a_i (odd) and b_i
 * are drawn from the splitmix64 stream seeded with MTP_MINHASH_PERM_SEED.
 * Two signatures agree on value i with probability ~ J (the Jaccard index
 * of the shingle sets), so agreements / 128 estimates J with standard error
 * sqrt(J(1-J)/128): 0.035 at J = 0.8.
 *
 * Memory: the signature object holds 128 minima, 2 x 128 hash parameters,
 * one word buffer and a set of the document's shingles (14 bytes a slot,
 * at most SEEN_MAX_SLOTS: 1.75 MiB); the LSH table 8 bytes a slot at load
 * <= 0.5.
 */
#include "minhash.h"

#include <assert.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/utf8.h>
#include <xxhash.h>

#include "mtprep/alloc.h"

#define GOLDEN UINT64_C(0x9E3779B97F4A7C15)

/* The splitmix64 finalizer: a bijective 64-bit mix. */
static uint64_t mix64(uint64_t x)
{
    x = (x ^ (x >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    x = (x ^ (x >> 27)) * UINT64_C(0x94D049BB133111EB);
    return x ^ (x >> 31);
}

/* Element n of the splitmix64 stream from the permutation seed. */
static uint64_t perm_stream(uint64_t n)
{
    return mix64(MTP_MINHASH_PERM_SEED + n * GOLDEN);
}

static uint64_t perm_a(unsigned i)
{
    return perm_stream(2 * (uint64_t)i + 1) | 1u;
}

static uint64_t perm_b(unsigned i)
{
    return perm_stream(2 * (uint64_t)i + 2);
}

uint32_t mtp_minhash_permute(unsigned i, uint64_t shingle_hash)
{
    assert(i < MTP_MINHASH_VALUES);
    return (uint32_t)((perm_a(i) * shingle_hash + perm_b(i)) >> 32);
}

uint64_t mtp_minhash_shingle_hash(const uint64_t *word_hashes, unsigned count)
{
    uint64_t h = count;
    for (unsigned i = 0; i < count; i++) {
        h = h * GOLDEN + word_hashes[i];
    }
    return mix64(h);
}

/* ---- signatures ---------------------------------------------------------- */

void mtp_minhash_init(mtp_minhash *mh, unsigned k)
{
    assert(k >= 1 && k <= MTP_MINHASH_MAX_K);
    memset(mh, 0, sizeof *mh);
    mh->k = k;
    for (unsigned i = 0; i < MTP_MINHASH_VALUES; i++) { /* per object: no global state */
        mh->a[i] = perm_a(i);
        mh->b[i] = perm_b(i);
    }
    mtp_minhash_reset(mh);
}

void mtp_minhash_reset(mtp_minhash *mh)
{
    memset(mh->mins, 0xff, sizeof mh->mins);
    mh->shingles = 0;
    mh->seen_count = 0;
    mh->seen_full = 0;
    if (++mh->generation == 0) { /* wrapped: stamps of 4e9 documents ago look current */
        if (mh->seen_stamp != NULL) {
            memset(mh->seen_stamp, 0, mh->seen_capacity * sizeof *mh->seen_stamp);
        }
        mh->generation = 1;
    }
    mh->window_len = 0;
    mh->paragraph_words = 0;
    mtp_buf_clear(&mh->word);
}

static void fold_shingle(mtp_minhash *mh, uint64_t h)
{
    uint32_t *mins = mh->mins;
    for (unsigned i = 0; i < MTP_MINHASH_VALUES; i++) {
        const uint32_t v = (uint32_t)((mh->a[i] * h + mh->b[i]) >> 32);
        mins[i] = v < mins[i] ? v : mins[i];
    }
    mh->shingles++;
}

#define SEEN_MAX_SLOTS ((size_t)1 << 17)

/* Inserts h; returns 1 when it was already there. The table must have room. */
static int seen_insert(mtp_minhash *mh, uint64_t h)
{
    const size_t mask = mh->seen_capacity - 1;
    size_t i = (size_t)h & mask;
    while (mh->seen_stamp[i] == mh->generation) {
        if (mh->seen[i] == h) {
            return 1;
        }
        i = (i + 1) & mask;
    }
    mh->seen[i] = h;
    mh->seen_stamp[i] = mh->generation;
    mh->seen_list[mh->seen_count++] = (uint32_t)(h >> 32);
    return 0;
}

/* Doubles the table (load <= 0.5), moving this document's entries. */
static mtp_status seen_grow(mtp_minhash *mh)
{
    const size_t capacity = mh->seen_capacity ? 2 * mh->seen_capacity : 1024;
    uint64_t *keys = mtp_malloc(capacity * sizeof *keys);
    uint32_t *stamps = mtp_calloc(capacity, sizeof *stamps);
    uint32_t *list = mtp_malloc(capacity / 2 * sizeof *list);
    if (keys == NULL || stamps == NULL || list == NULL) {
        mtp_free(keys);
        mtp_free(stamps);
        mtp_free(list);
        return MTP_ERR_NOMEM;
    }
    mtp_free(mh->seen_list); /* rebuilt by the reinsertion below */
    mh->seen_list = list;
    uint64_t *old_keys = mh->seen;
    uint32_t *old_stamps = mh->seen_stamp;
    const size_t old_capacity = mh->seen_capacity;
    mh->seen = keys;
    mh->seen_stamp = stamps;
    mh->seen_capacity = capacity;
    mh->seen_count = 0;
    for (size_t i = 0; i < old_capacity; i++) {
        if (old_stamps[i] == mh->generation) {
            seen_insert(mh, old_keys[i]);
        }
    }
    mtp_free(old_keys);
    mtp_free(old_stamps);
    return MTP_OK;
}

/* Folds a shingle unless this document folded it already. Folding a repeat
 * changes nothing, so past SEEN_MAX_SLOTS the set stops growing and the
 * rest of a huge document is folded repeats and all. */
static mtp_status add_shingle(mtp_minhash *mh, uint64_t h)
{
    if (2 * (mh->seen_count + 1) > mh->seen_capacity) {
        if (mh->seen_capacity == SEEN_MAX_SLOTS) {
            mh->seen_full = 1;
            fold_shingle(mh, h);
            return MTP_OK;
        }
        if (seen_grow(mh) != MTP_OK) {
            return MTP_ERR_NOMEM;
        }
    }
    if (!seen_insert(mh, h)) {
        fold_shingle(mh, h);
    }
    return MTP_OK;
}

/* Ends the current word: hash it, slide the window, fold a full window. */
static mtp_status end_word(mtp_minhash *mh)
{
    if (mh->word.len == 0) {
        return MTP_OK;
    }
    const uint64_t wh = XXH3_64bits_withSeed(mh->word.data, mh->word.len, MTP_MINHASH_WORD_SEED);
    mtp_buf_clear(&mh->word);
    if (mh->window_len == mh->k) {
        memmove(mh->window, mh->window + 1, (mh->k - 1) * sizeof mh->window[0]);
        mh->window_len--;
    }
    mh->window[mh->window_len++] = wh;
    mh->paragraph_words++;
    if (mh->window_len == mh->k) {
        return add_shingle(mh, mtp_minhash_shingle_hash(mh->window, mh->k));
    }
    return MTP_OK;
}

/* Ends the paragraph: a short paragraph still counts as one shingle. */
static mtp_status end_paragraph(mtp_minhash *mh)
{
    mtp_status st = end_word(mh);
    if (st == MTP_OK && mh->paragraph_words > 0 && mh->paragraph_words < mh->k) {
        st = add_shingle(mh, mtp_minhash_shingle_hash(mh->window, mh->window_len));
    }
    mh->window_len = 0;
    mh->paragraph_words = 0;
    return st;
}

static int is_separator(UChar32 c)
{
    return u_isUWhiteSpace(c) || u_ispunct(c);
}

/* Appends the lower-cased code point to the word; ASCII letters and digits
 * take the fast path. */
static mtp_status add_code_point(mtp_minhash *mh, UChar32 c)
{
    const int full = mh->word.len + U8_MAX_LENGTH + 1 > mh->word.capacity; /* skip the call */
    if (full && mtp_buf_reserve(&mh->word, U8_MAX_LENGTH) != MTP_OK) {
        return MTP_ERR_NOMEM;
    }
    if (c < 0x80) {
        mh->word.data[mh->word.len++] = (char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
        return MTP_OK;
    }
    const UChar32 lower = u_tolower(c);
    int32_t offset = 0;
    U8_APPEND_UNSAFE((uint8_t *)mh->word.data + mh->word.len, offset, lower);
    mh->word.len += (size_t)offset;
    return MTP_OK;
}

static int ascii_word_char(UChar32 c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

mtp_status mtp_minhash_add_text(mtp_minhash *mh, mtp_str text)
{
    assert(text.len <= INT32_MAX);
    const uint8_t *s = (const uint8_t *)text.ptr;
    const int32_t length = (int32_t)text.len;
    int32_t i = 0;
    mtp_status st = MTP_OK;
    while (i < length && st == MTP_OK) {
        UChar32 c = 0;
        U8_NEXT(s, i, length, c);
        if (c < 0) {
            st = MTP_ERR_INPUT;
        } else if (ascii_word_char(c) || !is_separator(c)) {
            st = add_code_point(mh, c);
        } else {
            st = end_word(mh);
        }
    }
    const mtp_status ended = end_paragraph(mh);
    return st != MTP_OK ? st : ended;
}

unsigned mtp_minhash_agree(const uint32_t *a, const uint32_t *b)
{
    unsigned equal = 0;
    for (unsigned i = 0; i < MTP_MINHASH_VALUES; i++) {
        equal += a[i] == b[i];
    }
    return equal;
}

uint32_t mtp_minhash_band_key(const uint32_t *sig, unsigned band)
{
    assert(band < MTP_MINHASH_BANDS);
    uint64_t h = band;
    for (unsigned r = 0; r < MTP_MINHASH_ROWS; r++) {
        h = h * GOLDEN + sig[band * MTP_MINHASH_ROWS + r];
    }
    return (uint32_t)(mix64(h) >> 32);
}

void mtp_minhash_release(mtp_minhash *mh)
{
    mtp_buf_release(&mh->word);
    mtp_free(mh->seen);
    mtp_free(mh->seen_stamp);
    mtp_free(mh->seen_list);
    memset(mh, 0, sizeof *mh);
}

/* ---- exact shingle sets ------------------------------------------------- */

/* One stable counting pass on byte `shift` / 8 of each key, from -> to. */
static void radix_pass(const uint32_t *from, uint32_t *to, size_t n, unsigned shift)
{
    size_t start[257] = {0};
    for (size_t i = 0; i < n; i++) {
        start[((from[i] >> shift) & 0xff) + 1]++;
    }
    for (unsigned b = 1; b < 257; b++) {
        start[b] += start[b - 1];
    }
    for (size_t i = 0; i < n; i++) {
        to[start[(from[i] >> shift) & 0xff]++] = from[i];
    }
}

int mtp_minhash_shingle_keys(mtp_minhash *mh, uint32_t *keys, size_t capacity, size_t *count)
{
    *count = 0;
    if (mh->seen_full || mh->seen_count > capacity) {
        return 0;
    }
    const size_t n = mh->seen_count;
    if (n == 0) {
        return 1;
    }
    /* LSD radix sort of the list (not the table, which stays at the largest
     * document's size): four passes, the fourth back into keys */
    radix_pass(mh->seen_list, keys, n, 0);
    radix_pass(keys, mh->seen_list, n, 8);
    radix_pass(mh->seen_list, keys, n, 16);
    radix_pass(keys, mh->seen_list, n, 24);
    memcpy(keys, mh->seen_list, n * sizeof *keys);
    size_t distinct = 0;
    for (size_t i = 0; i < n; i++) { /* two shingles may share a key */
        if (distinct == 0 || keys[distinct - 1] != keys[i]) {
            keys[distinct++] = keys[i];
        }
    }
    *count = distinct;
    return 1;
}

size_t mtp_shingle_keys_shared(const uint32_t *a, size_t a_count, const uint32_t *b, size_t b_count)
{
    size_t i = 0, j = 0, shared = 0;
    while (i < a_count && j < b_count) {
        if (a[i] < b[j]) {
            i++;
        } else if (b[j] < a[i]) {
            j++;
        } else {
            shared++;
            i++;
            j++;
        }
    }
    return shared;
}

/* ---- LSH band index ------------------------------------------------------ */

#define LSH_MIN_SLOTS 1024u

static size_t lsh_slots_for(size_t entries)
{
    size_t slots = LSH_MIN_SLOTS;
    while (slots / 2 < entries) {
        slots *= 2;
    }
    return slots;
}

size_t mtp_lsh_growth_bytes(const mtp_lsh *lsh, size_t entries)
{
    const size_t slots = lsh_slots_for(lsh->used + entries);
    return slots > lsh->slot_count ? slots * sizeof(mtp_lsh_entry) : 0;
}

static void lsh_put(mtp_lsh_entry *slots, size_t mask, mtp_lsh_entry e)
{
    size_t i = e.key & mask;
    while (slots[i].doc_plus_one != 0) {
        i = (i + 1) & mask;
    }
    slots[i] = e;
}

static mtp_status lsh_grow(mtp_lsh *lsh, size_t slot_count)
{
    mtp_lsh_entry *slots = mtp_calloc(slot_count, sizeof *slots);
    if (slots == NULL) {
        return MTP_ERR_NOMEM;
    }
    for (size_t i = 0; i < lsh->slot_count; i++) {
        if (lsh->slots[i].doc_plus_one != 0) {
            lsh_put(slots, slot_count - 1, lsh->slots[i]);
        }
    }
    mtp_free(lsh->slots);
    lsh->slots = slots;
    lsh->slot_count = slot_count;
    return MTP_OK;
}

mtp_status mtp_lsh_insert(mtp_lsh *lsh, const uint32_t *sig, uint32_t doc)
{
    assert(doc < UINT32_MAX);
    const size_t slots = lsh_slots_for(lsh->used + MTP_MINHASH_BANDS);
    if (slots > lsh->slot_count && lsh_grow(lsh, slots) != MTP_OK) {
        return MTP_ERR_NOMEM;
    }
    for (unsigned band = 0; band < MTP_MINHASH_BANDS; band++) {
        const mtp_lsh_entry e = {mtp_minhash_band_key(sig, band), doc + 1};
        lsh_put(lsh->slots, lsh->slot_count - 1, e);
    }
    lsh->used += MTP_MINHASH_BANDS;
    return MTP_OK;
}

void mtp_lsh_query(const mtp_lsh *lsh, const uint32_t *sig, void (*visit)(void *ctx, uint32_t doc),
                   void *ctx)
{
    if (lsh->slot_count == 0) {
        return;
    }
    const size_t mask = lsh->slot_count - 1;
    for (unsigned band = 0; band < MTP_MINHASH_BANDS; band++) {
        const uint32_t key = mtp_minhash_band_key(sig, band);
        for (size_t i = key & mask; lsh->slots[i].doc_plus_one != 0; i = (i + 1) & mask) {
            if (lsh->slots[i].key == key) {
                visit(ctx, lsh->slots[i].doc_plus_one - 1);
            }
        }
    }
}

size_t mtp_lsh_bytes(const mtp_lsh *lsh)
{
    return lsh->slot_count * sizeof(mtp_lsh_entry);
}

void mtp_lsh_release(mtp_lsh *lsh)
{
    mtp_free(lsh->slots);
    memset(lsh, 0, sizeof *lsh);
}

/* ---- union-find ---------------------------------------------------------- */

uint32_t mtp_uf_find(uint32_t *parent, uint32_t x)
{
    uint32_t root = x;
    while (parent[root] != root) {
        root = parent[root];
    }
    while (parent[x] != root) { /* path compression */
        const uint32_t next = parent[x];
        parent[x] = root;
        x = next;
    }
    return root;
}

void mtp_uf_union(uint32_t *parent, uint32_t a, uint32_t b)
{
    const uint32_t ra = mtp_uf_find(parent, a);
    const uint32_t rb = mtp_uf_find(parent, b);
    if (ra < rb) {
        parent[rb] = ra;
    } else if (rb < ra) {
        parent[ra] = rb;
    }
}
