/* Unit tests of the near-duplicate building blocks: the word and shingle
 * definitions (case, punctuation, paragraphs, short paragraphs), fixed hash
 * values that pin the seeds, the accuracy of the Jaccard estimate, the LSH
 * band index and union-find, exact shingle key sets, invalid UTF-8 and allocation failure. */
#include <stdio.h>
#include <string.h>
#include <xxhash.h>

#include "test_util.h"

#include "minhash.h"

/* ---- helpers ------------------------------------------------------------ */

/* Signature of the paragraphs in `paras` (NULL-terminated) with k words. */
static void sign(unsigned k, const char *const *paras, mtp_minhash *mh)
{
    mtp_minhash_init(mh, k);
    for (size_t i = 0; paras[i] != NULL; i++) {
        assert_status(mtp_minhash_add_text(mh, mtp_str_from_cstr(paras[i])), MTP_OK, paras[i]);
    }
}

static void sign_one(unsigned k, const char *text, mtp_minhash *mh)
{
    const char *paras[] = {text, NULL};
    sign(k, paras, mh);
}

static int same_signature(const mtp_minhash *a, const mtp_minhash *b)
{
    return mtp_minhash_agree(a->mins, b->mins) == MTP_MINHASH_VALUES;
}

/* "w<first> w<first+1> ... w<limit-1>" into buf. */
static const char *word_range(char *buf, size_t capacity, int first, int limit)
{
    size_t len = 0;
    buf[0] = '\0';
    for (int i = first; i < limit; i++) {
        assert_true(len + 16 < capacity);
        len += (size_t)snprintf(buf + len, capacity - len, "%sw%d", i > first ? " " : "", i);
    }
    return buf;
}

/* ---- fixed values --------------------------------------------------------- */

/* Pins the permutation seed (values checked against an independent
 * splitmix64 implementation): changing it changes every decision. */
static void test_permute_fixed_values(void **state)
{
    (void)state;
    assert_int_equal(mtp_minhash_permute(0, 0), 0xb61e030du);
    assert_int_equal(mtp_minhash_permute(127, UINT64_C(0x0123456789abcdef)), 0x0907567fu);
}

/* One word is one shingle: its value i is permute(i, shingle(XXH3(word, seed))). */
static void test_single_word_signature_from_word_seed(void **state)
{
    (void)state;
    mtp_minhash mh;
    sign_one(3, "Jakarta", &mh);
    const uint64_t word = XXH3_64bits_withSeed("jakarta", 7, MTP_MINHASH_WORD_SEED);
    const uint64_t shingle = mtp_minhash_shingle_hash(&word, 1);
    assert_int_equal(mh.shingles, 1);
    for (unsigned i = 0; i < MTP_MINHASH_VALUES; i++) {
        assert_int_equal(mh.mins[i], mtp_minhash_permute(i, shingle));
    }
    mtp_minhash_release(&mh);
}

/* ---- words and shingles --------------------------------------------------- */

static void test_case_and_punctuation_ignored(void **state)
{
    (void)state;
    mtp_minhash a, b;
    sign_one(2, "JAKARTA, (ANTARA) - Presiden \"tiba\"...", &a);
    sign_one(2, "jakarta antara presiden tiba", &b);
    assert_true(same_signature(&a, &b));
    assert_int_equal(a.shingles, 3);
    mtp_minhash_release(&a);
    mtp_minhash_release(&b);
}

/* NBSP is White_Space, U+2014 EM DASH and U+201C/D quotes are punctuation,
 * and E-acute lower-cases beyond ASCII. */
static void test_unicode_separators_and_case(void **state)
{
    (void)state;
    mtp_minhash a, b;
    sign_one(2,
             "\xC3\x89"
             "cole\xC2\xA0"
             "baru\xE2\x80\x94\xE2\x80\x9C"
             "kota\xE2\x80\x9D",
             &a);
    sign_one(2,
             "\xC3\xA9"
             "cole baru kota",
             &b);
    assert_true(same_signature(&a, &b));
    assert_int_equal(a.shingles, 2);
    mtp_minhash_release(&a);
    mtp_minhash_release(&b);
}

/* Symbols and digits are word characters: "Rp2,7" is "rp2" "7". */
static void test_digits_and_symbols_stay_in_words(void **state)
{
    (void)state;
    mtp_minhash a, b;
    sign_one(1, "Rp2,7 naik 5% $3", &a);
    sign_one(1, "rp2 7 naik 5 $3", &b);
    assert_true(same_signature(&a, &b));
    assert_int_equal(a.shingles, 5);
    mtp_minhash_release(&a);
    mtp_minhash_release(&b);
}

static void test_shingles_do_not_span_paragraphs(void **state)
{
    (void)state;
    mtp_minhash split, joined;
    const char *paras[] = {"satu dua", "tiga empat", NULL};
    sign(2, paras, &split);
    sign_one(2, "satu dua tiga empat", &joined);
    assert_int_equal(split.shingles, 2);
    assert_int_equal(joined.shingles, 3);
    assert_false(same_signature(&split, &joined));
    mtp_minhash_release(&split);
    mtp_minhash_release(&joined);
}

/* Reordering paragraphs changes nothing: shingles live inside paragraphs. */
static void test_paragraph_order_ignored(void **state)
{
    (void)state;
    mtp_minhash a, b;
    const char *ab[] = {"satu dua tiga", "empat lima enam", NULL};
    const char *ba[] = {"empat lima enam", "satu dua tiga", NULL};
    sign(2, ab, &a);
    sign(2, ba, &b);
    assert_true(same_signature(&a, &b));
    mtp_minhash_release(&a);
    mtp_minhash_release(&b);
}

static void test_short_paragraph_is_one_shingle(void **state)
{
    (void)state;
    mtp_minhash mh;
    sign_one(5, "Editor: Redaksi", &mh);
    assert_int_equal(mh.shingles, 1);
    const uint64_t words[2] = {XXH3_64bits_withSeed("editor", 6, MTP_MINHASH_WORD_SEED),
                               XXH3_64bits_withSeed("redaksi", 7, MTP_MINHASH_WORD_SEED)};
    assert_int_equal(mh.mins[0], mtp_minhash_permute(0, mtp_minhash_shingle_hash(words, 2)));
    mtp_minhash_release(&mh);
}

static void test_text_without_words_has_no_shingles(void **state)
{
    (void)state;
    mtp_minhash mh;
    const char *paras[] = {"", "... -- !!", " \t ", NULL};
    sign(3, paras, &mh);
    assert_int_equal(mh.shingles, 0);
    for (unsigned i = 0; i < MTP_MINHASH_VALUES; i++) {
        assert_int_equal(mh.mins[i], UINT32_MAX);
    }
    mtp_minhash_release(&mh);
}

/* Word order matters for k > 1 and not for k = 1. */
static void test_word_order_matters_only_for_k_above_one(void **state)
{
    (void)state;
    mtp_minhash a1, b1, a2, b2;
    sign_one(1, "harga beras naik", &a1);
    sign_one(1, "naik harga beras", &b1);
    sign_one(2, "harga beras naik", &a2);
    sign_one(2, "naik harga beras", &b2);
    assert_true(same_signature(&a1, &b1));
    assert_false(same_signature(&a2, &b2));
    mtp_minhash_release(&a1);
    mtp_minhash_release(&b1);
    mtp_minhash_release(&a2);
    mtp_minhash_release(&b2);
}

static void test_invalid_utf8_reported(void **state)
{
    (void)state;
    mtp_minhash mh;
    mtp_minhash_init(&mh, 1);
    const mtp_str bad = {"kata \xC0\xAF lain", 13};
    assert_status(mtp_minhash_add_text(&mh, bad), MTP_ERR_INPUT, NULL);
    assert_int_equal(mh.shingles, 1); /* "kata" before the overlong sequence */
    mtp_minhash_release(&mh);
}

/* Reset forgets the previous document but keeps the word buffer. */
static void test_reset_starts_a_new_document(void **state)
{
    (void)state;
    mtp_minhash a, b;
    sign_one(2, "berita lama sekali", &a);
    mtp_minhash_reset(&a);
    assert_status(mtp_minhash_add_text(&a, mtp_str_from_cstr("berita baru")), MTP_OK, NULL);
    sign_one(2, "berita baru", &b);
    assert_true(same_signature(&a, &b));
    assert_int_equal(a.shingles, 1);
    mtp_minhash_release(&a);
    mtp_minhash_release(&b);
}

/* A document's repeats are folded once; the next document starts afresh. */
static void test_repeats_folded_once_per_document(void **state)
{
    (void)state;
    mtp_minhash a, b;
    sign_one(1, "kata kata lain. Kata", &a);
    sign_one(1, "lain kata", &b);
    assert_int_equal(a.shingles, 2);
    assert_true(same_signature(&a, &b));
    mtp_minhash_reset(&a);
    assert_status(mtp_minhash_add_text(&a, mtp_str_from_cstr("kata lain")), MTP_OK, NULL);
    assert_int_equal(a.shingles, 2);
    assert_true(same_signature(&a, &b));
    mtp_minhash_release(&a);
    mtp_minhash_release(&b);
}

/* Past the repeat set's 65536 shingles a document is still signed right:
 * the signature of a union is the value-wise minimum of the parts'. */
static void test_huge_document_past_repeat_set(void **state)
{
    (void)state;
    static char buf[1 << 20];
    mtp_minhash all, low, high;
    sign_one(1, word_range(buf, sizeof buf, 0, 70000), &all);
    assert_true(all.shingles >= 70000);
    assert_status(mtp_minhash_add_text(&all, mtp_str_from_cstr("w1 w2 w69999")), MTP_OK, NULL);
    sign_one(1, word_range(buf, sizeof buf, 0, 35000), &low);
    sign_one(1, word_range(buf, sizeof buf, 35000, 70000), &high);
    for (unsigned i = 0; i < MTP_MINHASH_VALUES; i++) {
        const uint32_t want = low.mins[i] < high.mins[i] ? low.mins[i] : high.mins[i];
        assert_int_equal(all.mins[i], want);
    }
    mtp_minhash_release(&all);
    mtp_minhash_release(&low);
    mtp_minhash_release(&high);
}

/* ---- estimate --------------------------------------------------------------- */

/* Word sets w0..w999 and w200..w1199 (k = 1) have Jaccard 800/1200; the
 * estimate is within three standard errors (3 x 0.042). */
static void test_estimate_tracks_jaccard(void **state)
{
    (void)state;
    static char buf[16384];
    mtp_minhash a, b;
    sign_one(1, word_range(buf, sizeof buf, 0, 1000), &a);
    sign_one(1, word_range(buf, sizeof buf, 200, 1200), &b);
    const double estimate = mtp_minhash_agree(a.mins, b.mins) / (double)MTP_MINHASH_VALUES;
    assert_true(estimate > 2.0 / 3 - 0.125 && estimate < 2.0 / 3 + 0.125);
    mtp_minhash_release(&a);
    mtp_minhash_release(&b);
}

static void test_disjoint_sets_rarely_agree(void **state)
{
    (void)state;
    static char buf[16384];
    mtp_minhash a, b;
    sign_one(1, word_range(buf, sizeof buf, 0, 500), &a);
    sign_one(1, word_range(buf, sizeof buf, 500, 1000), &b);
    assert_true(mtp_minhash_agree(a.mins, b.mins) <= 2);
    mtp_minhash_release(&a);
    mtp_minhash_release(&b);
}

/* ---- exact shingle sets ---------------------------------------------------- */

static uint32_t word_key(const char *word)
{
    const uint64_t h = XXH3_64bits_withSeed(word, strlen(word), MTP_MINHASH_WORD_SEED);
    return (uint32_t)(mtp_minhash_shingle_hash(&h, 1) >> 32);
}

/* "b a c a b": three keys, those of a, b and c, ascending. */
static void test_shingle_keys_sorted_without_repeats(void **state)
{
    (void)state;
    mtp_minhash mh;
    sign_one(1, "b a C a b.", &mh);
    uint32_t keys[8];
    size_t count = 99;
    assert_int_equal(mtp_minhash_shingle_keys(&mh, keys, 8, &count), 1);
    assert_int_equal(count, 3);
    uint32_t want[3] = {word_key("a"), word_key("b"), word_key("c")};
    for (int i = 0; i < 3; i++) { /* sort the three */
        for (int j = i + 1; j < 3; j++) {
            if (want[j] < want[i]) {
                const uint32_t t = want[i];
                want[i] = want[j];
                want[j] = t;
            }
        }
    }
    assert_memory_equal(keys, want, sizeof want);
    mtp_minhash_reset(&mh);
    assert_int_equal(mtp_minhash_shingle_keys(&mh, keys, 8, &count), 1);
    assert_int_equal(count, 0);
    mtp_minhash_release(&mh);
}

static void test_shingle_keys_refused_over_capacity(void **state)
{
    (void)state;
    mtp_minhash mh;
    sign_one(1, "satu dua tiga empat lima", &mh);
    uint32_t keys[5];
    size_t count = 99;
    assert_int_equal(mtp_minhash_shingle_keys(&mh, keys, 4, &count), 0);
    assert_int_equal(count, 0);
    assert_int_equal(mtp_minhash_shingle_keys(&mh, keys, 5, &count), 1);
    assert_int_equal(count, 5);
    mtp_minhash_release(&mh);
}

/* Past the repeat set's bound the set is incomplete: no exact keys. */
static void test_shingle_keys_refused_past_repeat_set(void **state)
{
    (void)state;
    static char buf[1 << 20];
    static uint32_t keys[80000];
    mtp_minhash mh;
    sign_one(1, word_range(buf, sizeof buf, 0, 70000), &mh);
    size_t count = 99;
    assert_int_equal(mtp_minhash_shingle_keys(&mh, keys, 80000, &count), 0);
    mtp_minhash_reset(&mh);
    assert_status(mtp_minhash_add_text(&mh, mtp_str_from_cstr("w1 w2")), MTP_OK, NULL);
    assert_int_equal(mtp_minhash_shingle_keys(&mh, keys, 80000, &count), 1);
    assert_int_equal(count, 2);
    mtp_minhash_release(&mh);
}

static void test_shared_keys_counted(void **state)
{
    (void)state;
    const uint32_t a[] = {1, 3, 5, 7};
    const uint32_t b[] = {2, 3, 7, 9, 11};
    assert_int_equal(mtp_shingle_keys_shared(a, 4, b, 5), 2);
    assert_int_equal(mtp_shingle_keys_shared(b, 5, a, 4), 2);
    assert_int_equal(mtp_shingle_keys_shared(a, 4, a, 4), 4);
    assert_int_equal(mtp_shingle_keys_shared(a, 0, b, 5), 0);
}

/* ---- LSH index -------------------------------------------------------------- */

typedef struct visits {
    unsigned count[4];
} visits;

static void count_visit(void *ctx, uint32_t doc)
{
    visits *v = ctx;
    assert_true(doc < 4);
    v->count[doc]++;
}

/* A signature equal to doc 0 on every band but one is found 31 times. */
static void test_lsh_finds_shared_bands(void **state)
{
    (void)state;
    uint32_t a[MTP_MINHASH_VALUES], b[MTP_MINHASH_VALUES];
    for (unsigned i = 0; i < MTP_MINHASH_VALUES; i++) {
        a[i] = i;
        b[i] = 1000 + i;
    }
    mtp_lsh lsh = {NULL, 0, 0};
    assert_status(mtp_lsh_insert(&lsh, a, 0), MTP_OK, NULL);
    assert_status(mtp_lsh_insert(&lsh, b, 1), MTP_OK, NULL);
    a[5] = 999; /* band 1 differs now */
    visits v = {{0}};
    mtp_lsh_query(&lsh, a, count_visit, &v);
    assert_int_equal(v.count[0], MTP_MINHASH_BANDS - 1);
    assert_int_equal(v.count[1], 0);
    mtp_lsh_release(&lsh);
}

static void test_lsh_empty_index_visits_nothing(void **state)
{
    (void)state;
    uint32_t a[MTP_MINHASH_VALUES] = {0};
    mtp_lsh lsh = {NULL, 0, 0};
    visits v = {{0}};
    mtp_lsh_query(&lsh, a, count_visit, &v);
    assert_int_equal(v.count[0], 0);
    assert_int_equal(mtp_lsh_growth_bytes(&lsh, MTP_MINHASH_BANDS), 1024 * sizeof(mtp_lsh_entry));
}

/* Identical signatures share every band key, so duplicates of one key
 * coexist in the table and survive growth. */
static void test_lsh_growth_keeps_every_entry(void **state)
{
    (void)state;
    uint32_t sig[MTP_MINHASH_VALUES] = {0};
    mtp_lsh lsh = {NULL, 0, 0};
    for (uint32_t doc = 0; doc < 4; doc++) {
        for (unsigned i = 0; i < 40; i++) { /* 40 x 32 entries: grows past 1024 slots */
            sig[0] = 7 + i;
            sig[MTP_MINHASH_VALUES - 1] = doc;
            assert_status(mtp_lsh_insert(&lsh, sig, doc), MTP_OK, NULL);
        }
    }
    assert_int_equal(lsh.used, 4 * 40 * MTP_MINHASH_BANDS);
    assert_int_equal(lsh.slot_count, 16384);
    sig[0] = 7;
    sig[MTP_MINHASH_VALUES - 1] = 2;
    visits v = {{0}};
    mtp_lsh_query(&lsh, sig, count_visit, &v);
    /* bands 1..30 are zeros in every insert of every doc */
    /* band 0 matches i = 0 of each doc, band 31 the 40 inserts of doc 2 */
    assert_int_equal(v.count[2], 40 * (MTP_MINHASH_BANDS - 2) + 1 + 40);
    assert_int_equal(v.count[0], 40 * (MTP_MINHASH_BANDS - 2) + 1);
    mtp_lsh_release(&lsh);
}

/* ---- union-find ------------------------------------------------------------- */

static void test_union_find_root_is_first_member(void **state)
{
    (void)state;
    uint32_t parent[6] = {0, 1, 2, 3, 4, 5};
    mtp_uf_union(parent, 5, 3);
    mtp_uf_union(parent, 4, 5);
    mtp_uf_union(parent, 2, 4);
    assert_int_equal(mtp_uf_find(parent, 5), 2);
    assert_int_equal(mtp_uf_find(parent, 3), 2);
    assert_int_equal(mtp_uf_find(parent, 1), 1);
    mtp_uf_union(parent, 3, 3);
    assert_int_equal(mtp_uf_find(parent, 4), 2);
}

/* ---- allocation failure ----------------------------------------------------- */

static void test_out_of_memory_reported(void **state)
{
    (void)state;
    mtp_minhash mh;
    mtp_minhash_init(&mh, 1);
    mtp_alloc_fail_after(0);
    const mtp_status words = mtp_minhash_add_text(&mh, mtp_str_from_cstr("kata"));
    mtp_lsh lsh = {NULL, 0, 0};
    const mtp_status insert = mtp_lsh_insert(&lsh, mh.mins, 0);
    mtp_alloc_fail_after(-1);
    assert_status(words, MTP_ERR_NOMEM, NULL);
    assert_status(insert, MTP_ERR_NOMEM, NULL);
    assert_int_equal(lsh.slot_count, 0);
    mtp_minhash_release(&mh);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_permute_fixed_values),
        cmocka_unit_test(test_single_word_signature_from_word_seed),
        cmocka_unit_test(test_case_and_punctuation_ignored),
        cmocka_unit_test(test_unicode_separators_and_case),
        cmocka_unit_test(test_digits_and_symbols_stay_in_words),
        cmocka_unit_test(test_shingles_do_not_span_paragraphs),
        cmocka_unit_test(test_paragraph_order_ignored),
        cmocka_unit_test(test_short_paragraph_is_one_shingle),
        cmocka_unit_test(test_text_without_words_has_no_shingles),
        cmocka_unit_test(test_word_order_matters_only_for_k_above_one),
        cmocka_unit_test(test_invalid_utf8_reported),
        cmocka_unit_test(test_reset_starts_a_new_document),
        cmocka_unit_test(test_repeats_folded_once_per_document),
        cmocka_unit_test(test_huge_document_past_repeat_set),
        cmocka_unit_test(test_estimate_tracks_jaccard),
        cmocka_unit_test(test_disjoint_sets_rarely_agree),
        cmocka_unit_test(test_shingle_keys_sorted_without_repeats),
        cmocka_unit_test(test_shingle_keys_refused_over_capacity),
        cmocka_unit_test(test_shingle_keys_refused_past_repeat_set),
        cmocka_unit_test(test_shared_keys_counted),
        cmocka_unit_test(test_lsh_finds_shared_bands),
        cmocka_unit_test(test_lsh_empty_index_visits_nothing),
        cmocka_unit_test(test_lsh_growth_keeps_every_entry),
        cmocka_unit_test(test_union_find_root_is_first_member),
        cmocka_unit_test(test_out_of_memory_reported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
