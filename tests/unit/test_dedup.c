/* Unit tests of dedup and its keys: first occurrence kept with exact output,
 * the exact and loose key definitions (fixed values, so keys never change
 * silently between versions), pair sides, the key set (growth in place,
 * sorted slots, the zero key, bytes per key), spilling past --mem (output
 * and counts identical to the in-memory run, multi-pass merges, temporary
 * files removed, an unusable spill directory), invalid UTF-8 and
 * allocation failure; and the text measures of keys.c, whose 8-byte ASCII
 * path must agree with a byte-by-byte count. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

#include "keys.h"

/* ---- helpers ------------------------------------------------------------ */

static mtp_stage *new_stage(mtp_dedup_key key, mtp_dedup_side side, size_t mem)
{
    mtp_dedup_options o;
    mtp_dedup_options_default(&o);
    o.key = key;
    o.side = side;
    o.mem_bytes = mem;
    mtp_stage *stage = NULL;
    mtp_error err = {""};
    assert_status(mtp_dedup_new(&o, &stage, &err), MTP_OK, err.message);
    return stage;
}

/* Runs `in` through a fresh stage and checks the exact output and that
 * `dropped` records were counted under `reason`. */
static void expect_dedup(mtp_dedup_key key, mtp_dedup_side side, const char *in, const char *want,
                         const char *reason, uint64_t dropped)
{
    mtp_stage *stage = new_stage(key, side, MTP_DEDUP_DEFAULT_MEM_BYTES);
    test_collector out;
    assert_status(test_run_stage(stage, in, &out), MTP_OK, mtp_stage_error(stage));
    assert_string_equal(out.text, want);
    const mtp_counts *c = mtp_stage_counts(stage);
    assert_int_equal(mtp_counts_get(c, reason), dropped);
    assert_int_equal(mtp_counts_dropped(c), dropped);
    assert_true(mtp_counts_balanced(c));
    test_collector_release(&out);
    mtp_stage_free(stage);
}

static uint64_t loose_key(const char *text)
{
    mtp_key_scratch scratch = {NULL, 0};
    uint64_t key = 0;
    assert_status(mtp_key_loose(mtp_str_from_cstr(text), &scratch, &key), MTP_OK, text);
    mtp_key_scratch_release(&scratch);
    return key;
}

/* ---- keys --------------------------------------------------------------- */

/* XXH3-64 with seed 0 of the empty string: pins the hash and its seed. */
static void test_exact_key_fixed_value(void **state)
{
    (void)state;
    assert_true(mtp_key_exact(mtp_str_from_cstr("")) == UINT64_C(0x2D06800538D394C2));
}

static void test_loose_key_is_exact_key_of_folded_letters(void **state)
{
    (void)state;
    const uint64_t want = mtp_key_exact(mtp_str_from_cstr("harganaik"));
    assert_true(loose_key("Harga naik 5%.") == want);
    assert_true(loose_key("harga naik 7 %") == want);
    assert_true(loose_key("\"HARGA\" -- naik!!") == want);
}

/* The head of the loose key: XXH3-64 of the first MTP_KEY_LOOSE_HEAD_BYTES
 * bytes of the loose form (all of it when shorter). */
static uint64_t loose_head(const char *text, size_t len)
{
    mtp_key_scratch scratch = {NULL, 0};
    uint64_t head = 0;
    assert_status(mtp_key_loose_head((mtp_str){text, len}, &scratch, &head), MTP_OK, text);
    uint64_t key = 0;
    uint64_t head_too = 0;
    assert_status(mtp_key_loose_with_head((mtp_str){text, len}, &scratch, &key, &head_too), MTP_OK,
                  text);
    assert_true(head_too == head);
    uint64_t plain = 0;
    assert_status(mtp_key_loose((mtp_str){text, len}, &scratch, &plain), MTP_OK, text);
    assert_true(key == plain);
    mtp_key_scratch_release(&scratch);
    return head;
}

static void test_loose_head_is_the_start_of_the_loose_form(void **state)
{
    (void)state;
    assert_int_equal(MTP_KEY_LOOSE_HEAD_BYTES, 16);
    const char *long_text = "Harga naik 5%. Lalu turun lagi esok hari.";
    assert_true(loose_head(long_text, strlen(long_text)) ==
                mtp_key_exact(mtp_str_from_cstr("harganaiklalutur")));
    assert_true(loose_head("Harga naik", 10) == mtp_key_exact(mtp_str_from_cstr("harganaik")));
    const char *accented = "\u00C9cole \u00E9COLE \u00C9cole!";
    assert_true(loose_head(accented, strlen(accented)) ==
                mtp_key_exact(mtp_str_from_cstr("\u00E9cole\u00E9cole\u00E9co")));
    /* no letters: the loose key is the exact key, the head its first bytes */
    assert_true(loose_head("123 456", 7) == mtp_key_exact(mtp_str_from_cstr("123 456")));
    const char *digits = "1234567890 1234567890";
    assert_true(loose_head(digits, strlen(digits)) ==
                mtp_key_exact(mtp_str_from_cstr("1234567890 12345")));
}

/* The head reads only what it needs: a broken byte after its letters does
 * not stop it; one inside them does. The full key sees both. */
static void test_loose_head_reads_only_its_bytes(void **state)
{
    (void)state;
    mtp_key_scratch scratch = {NULL, 0};
    uint64_t head = 0;
    uint64_t key = 0;
    const char late[] = "Harga naik lalu turun lagi \xff";
    assert_status(mtp_key_loose_head((mtp_str){late, sizeof late - 1}, &scratch, &head), MTP_OK,
                  "late");
    assert_true(head == mtp_key_exact(mtp_str_from_cstr("harganaiklalutur")));
    assert_status(mtp_key_loose_with_head((mtp_str){late, sizeof late - 1}, &scratch, &key, &head),
                  MTP_ERR_INPUT, "late, full");
    const char early[] = "Har\xffga naik lalu turun lagi";
    assert_status(mtp_key_loose_head((mtp_str){early, sizeof early - 1}, &scratch, &head),
                  MTP_ERR_INPUT, "early");
    mtp_key_scratch_release(&scratch);
}

static void test_loose_key_folds_beyond_ascii(void **state)
{
    (void)state;
    assert_true(loose_key("\u00C9cole") == loose_key("\u00E9COLE"));
    assert_true(loose_key("\u212Aota") == loose_key("kota")); /* KELVIN SIGN */
    assert_true(loose_key("\u023A") == loose_key("\u2C65"));  /* 2 bytes fold to 3 */
}

static void test_loose_key_keeps_marks(void **state)
{
    (void)state;
    assert_true(loose_key("e\xcc\x81") != loose_key("e"));
}

/* Texts without letters key on their bytes: different numbers differ. */
static void test_loose_key_letterless_uses_bytes(void **state)
{
    (void)state;
    assert_true(loose_key("12/6/2025") == mtp_key_exact(mtp_str_from_cstr("12/6/2025")));
    assert_true(loose_key("12/6/2025") != loose_key("1.234,50"));
}

static void test_loose_key_invalid_utf8(void **state)
{
    (void)state;
    mtp_key_scratch scratch = {NULL, 0};
    uint64_t key = 0;
    assert_status(mtp_key_loose(mtp_str_from_cstr("ab\xed\xa0\x80"), &scratch, &key), MTP_ERR_INPUT,
                  "surrogate");
    mtp_key_scratch_release(&scratch);
}

/* Eight-byte ASCII blocks (all letters, none, mixed, the neighbours of the
 * letter ranges) and a non-ASCII character inside a block fold as one byte
 * at a time would. */
static void test_loose_key_ascii_blocks(void **state)
{
    (void)state;
    const char *text = "PRESIDEN 12345678 @[`{Zaz~ Jok\u00C9wi meresmikan, Selasa (5/9).";
    const uint64_t want =
        mtp_key_exact(mtp_str_from_cstr("presidenzazjok\u00e9wimeresmikanselasa"));
    assert_true(loose_key(text) == want);
    assert_true(loose_key("12345678 (5/9). 0123456789") ==
                mtp_key_exact(mtp_str_from_cstr("12345678 (5/9). 0123456789")));
}

/* ASCII classes the way keys.h defines them, one byte at a time. */
static void measure_bytes(const char *s, size_t len, mtp_text_measure *m)
{
    memset(m, 0, sizeof *m);
    int after_space = 1;
    for (size_t i = 0; i < len; i++) {
        const unsigned char b = (unsigned char)s[i];
        const int space = b == ' ' || (b >= 9 && b <= 13);
        const int letter = ((b | 0x20) >= 'a' && (b | 0x20) <= 'z');
        m->chars++;
        m->spaces += (size_t)space;
        m->letters += (size_t)letter;
        m->words += (size_t)(!space && after_space);
        after_space = space;
    }
}

/* Pseudo-random ASCII texts of every length to 40 over the bytes that sit
 * on class edges: the 8-byte path must count exactly what bytes do. */
static void test_measure_ascii_blocks_match_bytes(void **state)
{
    (void)state;
    static const char alphabet[] = "aZz@[`{ \t\n\v\f\r\x08\x0e!0~\x1f\x7f";
    uint32_t seed = 12345;
    char text[40];
    for (int round = 0; round < 2000; round++) {
        const size_t len = (size_t)round % sizeof text;
        for (size_t i = 0; i < len; i++) {
            seed = seed * 1103515245u + 12345u;
            text[i] = alphabet[(seed >> 16) % (sizeof alphabet - 1)];
        }
        mtp_text_measure got, want;
        assert_int_equal(mtp_text_measure_utf8((mtp_str){text, len}, &got), 1);
        measure_bytes(text, len, &want);
        assert_int_equal(got.chars, want.chars);
        assert_int_equal(got.spaces, want.spaces);
        assert_int_equal(got.letters, want.letters);
        assert_int_equal(got.words, want.words);
    }
}

/* A word continues across a block boundary and past a non-ASCII letter. */
static void test_measure_words_across_blocks(void **state)
{
    (void)state;
    mtp_text_measure m;
    assert_int_equal(
        mtp_text_measure_utf8(mtp_str_from_cstr("  abcdef ghijklmnopq\u00E9rs tu "), &m), 1);
    assert_int_equal(m.chars, 27);
    assert_int_equal(m.words, 3);
    assert_int_equal(m.letters, 22);
    assert_int_equal(m.spaces, 5);
}

static void test_pair_key_joins_sides_with_tab(void **state)
{
    (void)state;
    mtp_record rec;
    memset(&rec, 0, sizeof rec);
    rec.kind = MTP_RECORD_PAIR;
    rec.text = mtp_str_from_cstr("Halo.");
    rec.tgt = mtp_str_from_cstr("Hello.");
    mtp_key_scratch scratch = {NULL, 0};
    uint64_t key = 0;
    assert_status(mtp_record_key(&rec, MTP_DEDUP_EXACT, MTP_DEDUP_SIDE_PAIR, &scratch, &key),
                  MTP_OK, NULL);
    assert_true(key == mtp_key_exact(mtp_str_from_cstr("Halo.\tHello.")));
    assert_status(mtp_record_key(&rec, MTP_DEDUP_LOOSE, MTP_DEDUP_SIDE_PAIR, &scratch, &key),
                  MTP_OK, NULL);
    assert_true(key == mtp_key_exact(mtp_str_from_cstr("halo\thello")));
    assert_status(mtp_record_key(&rec, MTP_DEDUP_LOOSE, MTP_DEDUP_SIDE_SRC, &scratch, &key), MTP_OK,
                  NULL);
    assert_true(key == mtp_key_exact(mtp_str_from_cstr("halo")));
    mtp_key_scratch_release(&scratch);
}

/* ---- the stage ---------------------------------------------------------- */

static void test_exact_first_occurrence_kept(void **state)
{
    (void)state;
    expect_dedup(MTP_DEDUP_EXACT, MTP_DEDUP_SIDE_PAIR,
                 "a\t1.1\tHarga naik.\n"
                 "a\t1.2\tWarga antre.\n"
                 "b\t1.1\tHarga naik.\n"
                 "b\t1.2\tharga naik.\n"
                 "c\t3.1\tWarga antre.\n",
                 "a\t1.1\tHarga naik.\n"
                 "a\t1.2\tWarga antre.\n"
                 "b\t1.2\tharga naik.\n",
                 "dropped.duplicate_exact", 2);
}

static void test_loose_duplicates_dropped(void **state)
{
    (void)state;
    expect_dedup(MTP_DEDUP_LOOSE, MTP_DEDUP_SIDE_PAIR,
                 "a\t1\tHarga naik 5%.\n"
                 "a\t2\tharga naik 7 %\n"
                 "a\t3\t12/6/2025\n"
                 "a\t4\t1.234,50\n"
                 "a\t5\t12/6/2025\n",
                 "a\t1\tHarga naik 5%.\n"
                 "a\t3\t12/6/2025\n"
                 "a\t4\t1.234,50\n",
                 "dropped.duplicate_loose", 2);
}

static void test_pair_side_pair_keeps_other_target(void **state)
{
    (void)state;
    const char *in = "d\t1.1=1.1\tHalo.\tHello.\t0.9000\n"
                     "d\t2.1=2.1\tHalo.\tHi.\t0.8000\n"
                     "e\t1.1=1.1\tHalo.\tHello.\t0.7000\n";
    expect_dedup(MTP_DEDUP_EXACT, MTP_DEDUP_SIDE_PAIR, in,
                 "d\t1.1=1.1\tHalo.\tHello.\t0.9000\n"
                 "d\t2.1=2.1\tHalo.\tHi.\t0.8000\n",
                 "dropped.duplicate_exact", 1);
    expect_dedup(MTP_DEDUP_EXACT, MTP_DEDUP_SIDE_SRC, in, "d\t1.1=1.1\tHalo.\tHello.\t0.9000\n",
                 "dropped.duplicate_exact", 2);
}

/* Two runs over the same input give the same bytes. */
static void test_deterministic_output(void **state)
{
    (void)state;
    char in[64 * 40] = "";
    for (int i = 0; i < 64; i++) {
        char line[40];
        snprintf(line, sizeof line, "d\t%d\tKalimat nomor %d.\n", i + 1, (i * 7) % 23);
        strcat(in, line);
    }
    char *first = NULL;
    for (int run = 0; run < 2; run++) {
        mtp_stage *stage = new_stage(MTP_DEDUP_EXACT, MTP_DEDUP_SIDE_PAIR, 4096);
        test_collector out;
        assert_status(test_run_stage(stage, in, &out), MTP_OK, mtp_stage_error(stage));
        assert_int_equal(out.records, 23);
        if (run == 0) {
            first = strdup(out.text);
        } else {
            assert_string_equal(out.text, first);
        }
        test_collector_release(&out);
        mtp_stage_free(stage);
    }
    free(first);
}

static void test_mem_too_small_rejected(void **state)
{
    (void)state;
    mtp_dedup_options o;
    mtp_dedup_options_default(&o);
    o.mem_bytes = 1023;
    mtp_stage *stage = NULL;
    mtp_error err = {""};
    assert_status(mtp_dedup_new(&o, &stage, &err), MTP_ERR_USAGE, NULL);
    assert_null(stage);
    assert_string_equal(err.message, "--mem 1023 is too small (at least 1024 bytes)");
}

/* ---- spilling ----------------------------------------------------------- */

/* Runs `in` through a stage with `mem` bytes spilling under `dir` (NULL:
 * the default); returns the output (free) and copies the counts of interest. */
static char *run_dedup(const mtp_dedup_options *base, size_t mem, const char *dir, const char *in,
                       uint64_t counts[3])
{
    mtp_dedup_options o = *base;
    o.mem_bytes = mem;
    o.tmp_dir = dir;
    mtp_stage *stage = NULL;
    mtp_error err = {""};
    assert_status(mtp_dedup_new(&o, &stage, &err), MTP_OK, err.message);
    test_collector out = {0};
    assert_status(test_run_stage(stage, in, &out), MTP_OK, mtp_stage_error(stage));
    const mtp_counts *c = mtp_stage_counts(stage);
    assert_true(mtp_counts_balanced(c));
    counts[0] = mtp_counts_get(c, "in");
    counts[1] = mtp_counts_get(c, "out");
    counts[2] = mtp_counts_dropped(c);
    char *text = strdup(out.text != NULL ? out.text : "");
    test_collector_release(&out);
    mtp_stage_free(stage);
    return text;
}

/* `n` records drawn from `distinct` texts in a scrambled order, with case
 * and punctuation variants for the loose key; pairs when `pairs`. */
static char *make_input(int n, int distinct, int pairs)
{
    char *in = malloc((size_t)n * 64 + 1);
    size_t len = 0;
    for (int i = 0; i < n; i++) {
        const unsigned v = (unsigned)((uint64_t)i * 2654435761u % (unsigned)distinct);
        const char *variant = i % 3 == 0 ? "Kalimat" : (i % 3 == 1 ? "kalimat" : "KALIMAT!");
        if (pairs) {
            len += (size_t)sprintf(in + len, "d%d\t%d=%d\t%s %u\tSentence %u\t0.5000\n", i / 50,
                                   i % 50 + 1, i % 50 + 1, variant, v, v % 7);
        } else {
            len += (size_t)sprintf(in + len, "d%d\t%d.1\t%s %u\n", i / 50, i % 50 + 1, variant, v);
        }
    }
    in[len] = '\0';
    return in;
}

/* The spilled run (tiny --mem) gives the in-memory run's bytes and counts. */
static void expect_spill_matches(mtp_dedup_key key, mtp_dedup_side side, int pairs, int n,
                                 int distinct)
{
    mtp_dedup_options o;
    mtp_dedup_options_default(&o);
    o.key = key;
    o.side = side;
    char *in = make_input(n, distinct, pairs);
    uint64_t want_counts[3], got_counts[3];
    char *want = run_dedup(&o, MTP_DEDUP_DEFAULT_MEM_BYTES, NULL, in, want_counts);
    char *got = run_dedup(&o, 1024, test_temp_dir(), in, got_counts);
    assert_string_equal(got, want);
    assert_memory_equal(got_counts, want_counts, sizeof want_counts);
    assert_true(want_counts[2] > 0);
    free(got);
    free(want);
    free(in);
}

static void test_spill_exact_matches_in_memory(void **state)
{
    (void)state;
    expect_spill_matches(MTP_DEDUP_EXACT, MTP_DEDUP_SIDE_PAIR, 0, 3000, 700);
}

static void test_spill_loose_matches_in_memory(void **state)
{
    (void)state;
    expect_spill_matches(MTP_DEDUP_LOOSE, MTP_DEDUP_SIDE_PAIR, 0, 3000, 700);
}

static void test_spill_pairs_match_in_memory(void **state)
{
    (void)state;
    expect_spill_matches(MTP_DEDUP_EXACT, MTP_DEDUP_SIDE_PAIR, 1, 3000, 700);
    expect_spill_matches(MTP_DEDUP_EXACT, MTP_DEDUP_SIDE_SRC, 1, 3000, 700);
}

/* 1K holds 64 entries per run: 30000 records make 460 runs, merged in two
 * passes of at most 64, and as many drop runs. */
static void test_spill_multi_pass_merge_matches_in_memory(void **state)
{
    (void)state;
    expect_spill_matches(MTP_DEDUP_EXACT, MTP_DEDUP_SIDE_PAIR, 0, 30000, 9000);
}

/* 1K holds a table of 64 home slots: the 52nd unique key would pass load
 * 0.8 and growing would pass 1K, so it starts the spill. Keys from before
 * the spill still drop later records, and the first of the held-back
 * occurrences survives. */
static void test_spill_survivor_is_first_occurrence(void **state)
{
    (void)state;
    char in[4096] = "";
    char want[4096] = "";
    for (int i = 0; i < 51; i++) {
        char line[32];
        snprintf(line, sizeof line, "a\t%d\tu%d\n", i + 1, i);
        strcat(in, line);
        strcat(want, line);
    }
    strcat(in, "b\t1\tu0\n"    /* dropped before the spill */
               "b\t2\tx\n"     /* 52nd key: spills, kept */
               "b\t3\tu1\n"    /* held back, dropped by a key from before */
               "b\t4\tx\n"     /* dropped */
               "b\t5\ty\n"     /* kept */
               "b\t6\ty\n"     /* dropped */
               "b\t7\tu50\n"); /* dropped */
    strcat(want, "b\t2\tx\nb\t5\ty\n");
    mtp_dedup_options o;
    mtp_dedup_options_default(&o);
    uint64_t counts[3];
    char *got = run_dedup(&o, 1024, test_temp_dir(), in, counts);
    assert_string_equal(got, want);
    assert_int_equal(counts[0], 58);
    assert_int_equal(counts[1], 53);
    assert_int_equal(counts[2], 5);
    free(got);
}

/* Feeds `n` distinct records "t0", "t1", ... */
static mtp_status feed_distinct(mtp_stage *stage, int n, const mtp_sink *sink)
{
    mtp_status st = MTP_OK;
    for (int i = 0; i < n && st == MTP_OK; i++) {
        char text[32];
        snprintf(text, sizeof text, "t%d", i);
        mtp_record rec = {MTP_RECORD_UNIT,         {"d", 1},  {"1", 1},
                          mtp_str_from_cstr(text), {NULL, 0}, 0};
        st = mtp_stage_feed(stage, &rec, sink);
    }
    return st;
}

static int directory_entries(const char *path)
{
    DIR *dir = opendir(path);
    assert_non_null(dir);
    int n = 0;
    for (struct dirent *e = readdir(dir); e != NULL; e = readdir(dir)) {
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    }
    closedir(dir);
    return n;
}

/* Spill files are unlinked as soon as they are made: the directory stays
 * empty during the run, and nothing is left after it. */
static void test_spill_leaves_no_files(void **state)
{
    (void)state;
    const char *dir = test_temp_dir();
    mtp_dedup_options o;
    mtp_dedup_options_default(&o);
    o.mem_bytes = 1024;
    o.tmp_dir = dir;
    mtp_stage *stage = NULL;
    assert_status(mtp_dedup_new(&o, &stage, NULL), MTP_OK, NULL);
    test_collector out = {0};
    const mtp_sink sink = test_collector_sink(&out);
    assert_status(feed_distinct(stage, 500, &sink), MTP_OK, mtp_stage_error(stage));
    assert_int_equal(out.records, 51);
    assert_int_equal(directory_entries(dir), 0);
    assert_status(mtp_stage_finish(stage, &sink), MTP_OK, mtp_stage_error(stage));
    assert_int_equal(out.records, 500);
    assert_int_equal(directory_entries(dir), 0);
    test_collector_release(&out);
    mtp_stage_free(stage);
}

/* A spill directory that does not exist fails the run at the spill, naming it. */
static void test_spill_missing_directory_fails(void **state)
{
    (void)state;
    mtp_dedup_options o;
    mtp_dedup_options_default(&o);
    o.mem_bytes = 1024;
    o.tmp_dir = "/nonexistent-mtprep-dir";
    mtp_stage *stage = NULL;
    assert_status(mtp_dedup_new(&o, &stage, NULL), MTP_OK, NULL);
    test_collector out = {0};
    const mtp_sink sink = test_collector_sink(&out);
    assert_status(feed_distinct(stage, 100, &sink), MTP_ERR_IO, NULL);
    assert_int_equal(out.records, 51);
    assert_string_equal(mtp_stage_error(stage),
                        "cannot create a spill file in "
                        "/nonexistent-mtprep-dir: No such file or directory");
    test_collector_release(&out);
    mtp_stage_free(stage);
}

static void test_invalid_utf8_loose_skip_and_fail(void **state)
{
    (void)state;
    for (int policy = 0; policy < 2; policy++) {
        mtp_dedup_options o;
        mtp_dedup_options_default(&o);
        o.key = MTP_DEDUP_LOOSE;
        o.on_error = policy ? MTP_ON_ERROR_SKIP : MTP_ON_ERROR_FAIL;
        mtp_stage *stage = NULL;
        assert_status(mtp_dedup_new(&o, &stage, NULL), MTP_OK, NULL);
        test_collector out;
        const mtp_sink sink = test_collector_sink(&out);
        mtp_record rec = {MTP_RECORD_UNIT, {"doc", 3}, {"2.1", 3}, {"x\xff", 2}, {NULL, 0}, 0};
        const mtp_status st = mtp_stage_feed(stage, &rec, &sink);
        if (policy) {
            assert_status(st, MTP_OK, mtp_stage_error(stage));
            assert_int_equal(mtp_counts_get(mtp_stage_counts(stage), "dropped.invalid_utf8"), 1);
            assert_true(mtp_counts_balanced(mtp_stage_counts(stage)));
        } else {
            assert_status(st, MTP_ERR_INPUT, NULL);
            assert_string_equal(mtp_stage_error(stage), "doc_id doc unit 2.1: invalid_utf8");
        }
        assert_int_equal(out.records, 0);
        test_collector_release(&out);
        mtp_stage_free(stage);
    }
}

/* ---- key set ------------------------------------------------------------ */

static void test_keyset_zero_key_and_growth(void **state)
{
    (void)state;
    mtp_keyset set;
    assert_status(mtp_keyset_init(&set, 1 << 20), MTP_OK, NULL);
    int added = 0;
    assert_status(mtp_keyset_add(&set, 0, &added), MTP_OK, NULL);
    assert_int_equal(added, 1);
    assert_status(mtp_keyset_add(&set, 0, &added), MTP_OK, NULL);
    assert_int_equal(added, 0);
    /* small keys share the home slot 0: one long run that growth must move */
    for (uint64_t k = 1; k <= 5000; k++) {
        assert_status(mtp_keyset_add(&set, k, &added), MTP_OK, NULL);
        assert_int_equal(added, 1);
    }
    for (uint64_t k = 1; k <= 5000; k++) {
        assert_true(mtp_keyset_contains(&set, k));
        assert_status(mtp_keyset_add(&set, k, &added), MTP_OK, NULL);
        assert_int_equal(added, 0);
    }
    assert_false(mtp_keyset_contains(&set, 5001));
    assert_int_equal(set.key_count, 5001);
    /* 1024 -> 1536 -> 2304 -> 3456 -> 5184 -> 7776 home slots, plus 64 */
    assert_int_equal(mtp_keyset_bytes(&set), (7776 + 64) * 8);
    mtp_keyset_release(&set);
}

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

/* Hash-like keys: every one found after all the in-place growths, none
 * that was not added, the slots ascending, and <= 16 bytes per key. */
static void test_keyset_random_keys_sorted_and_compact(void **state)
{
    (void)state;
    mtp_keyset set;
    assert_status(mtp_keyset_init(&set, (size_t)1 << 30), MTP_OK, NULL);
    uint64_t seed = 1;
    for (int i = 0; i < 200000; i++) {
        int added = 0;
        assert_status(mtp_keyset_add(&set, splitmix64(&seed), &added), MTP_OK, NULL);
        assert_int_equal(added, 1);
        if (i > 1000) {
            assert_true(mtp_keyset_bytes(&set) <= 16 * set.key_count);
        }
    }
    seed = 1;
    for (int i = 0; i < 200000; i++) {
        assert_true(mtp_keyset_contains(&set, splitmix64(&seed)));
    }
    for (int i = 0; i < 1000; i++) {
        assert_false(mtp_keyset_contains(&set, splitmix64(&seed)));
    }
    uint64_t previous = 0;
    size_t stored = 0;
    for (size_t i = 0; i < mtp_keyset_slot_count(&set); i++) {
        if (set.slots[i] != 0) {
            assert_true(set.slots[i] > previous);
            previous = set.slots[i];
            stored++;
        }
    }
    assert_int_equal(stored, 200000);
    mtp_keyset_release(&set);
}

/* At the limit the set refuses the key but stays whole and usable. */
static void test_keyset_limit_leaves_set_usable(void **state)
{
    (void)state;
    mtp_keyset set;
    assert_status(mtp_keyset_init(&set, 1024), MTP_OK, NULL);
    uint64_t seed = 7;
    int added = 0;
    for (int i = 0; i < 51; i++) {
        assert_status(mtp_keyset_add(&set, splitmix64(&seed), &added), MTP_OK, NULL);
    }
    assert_status(mtp_keyset_add(&set, splitmix64(&seed), &added), MTP_ERR_LIMIT, NULL);
    assert_int_equal(added, 0);
    assert_int_equal(set.key_count, 51);
    seed = 7;
    for (int i = 0; i < 51; i++) {
        assert_true(mtp_keyset_contains(&set, splitmix64(&seed)));
    }
    mtp_keyset_release(&set);
}

static void test_out_of_memory_reported(void **state)
{
    (void)state;
    mtp_dedup_options o;
    mtp_dedup_options_default(&o);
    for (long n = 0;; n++) {
        mtp_stage *stage = NULL;
        mtp_error err = {""};
        mtp_alloc_fail_after(n);
        const mtp_status st = mtp_dedup_new(&o, &stage, &err);
        mtp_alloc_fail_after(-1);
        mtp_stage_free(stage);
        if (st == MTP_OK) {
            break;
        }
        assert_status(st, MTP_ERR_NOMEM, err.message);
    }
}

/* SQLite's loop: fail allocation n for n = 0, 1, ... over a whole loose run
 * (creation, scratch, one resize) until it completes; every failure must
 * come back as MTP_ERR_NOMEM, and the sanitizer checks nothing leaks. */
static void test_out_of_memory_loop_whole_run(void **state)
{
    (void)state;
    mtp_dedup_options o;
    mtp_dedup_options_default(&o);
    o.key = MTP_DEDUP_LOOSE;
    mtp_status st = MTP_ERR_NOMEM;
    for (long n = 0; st != MTP_OK; n++) {
        mtp_stage *stage = NULL;
        test_collector out = {0};
        mtp_alloc_fail_after(n);
        st = mtp_dedup_new(&o, &stage, NULL);
        const mtp_sink sink = test_collector_sink(&out);
        for (int i = 0; st == MTP_OK && i < 1000; i++) {
            char text[32];
            snprintf(text, sizeof text, "kata %c%c%c", 'a' + i % 26, 'a' + i / 26 % 26,
                     'a' + i / 676);
            mtp_record rec = {MTP_RECORD_UNIT,         {"d", 1},  {"1", 1},
                              mtp_str_from_cstr(text), {NULL, 0}, 0};
            st = mtp_stage_feed(stage, &rec, &sink);
        }
        mtp_alloc_fail_after(-1);
        if (st != MTP_OK) {
            assert_status(st, MTP_ERR_NOMEM, stage ? mtp_stage_error(stage) : NULL);
        } else {
            assert_int_equal(out.records, 1000);
        }
        test_collector_release(&out);
        mtp_stage_free(stage);
    }
}

/* The same loop over a spilling run: every allocation of the spill (its
 * buffers, the run list, the merge) fails in turn as MTP_ERR_NOMEM. */
static void test_out_of_memory_loop_spilling_run(void **state)
{
    (void)state;
    mtp_dedup_options o;
    mtp_dedup_options_default(&o);
    o.mem_bytes = 1024;
    o.tmp_dir = test_temp_dir();
    mtp_status st = MTP_ERR_NOMEM;
    for (long n = 0; st != MTP_OK; n++) {
        mtp_stage *stage = NULL;
        test_collector out = {0};
        const mtp_sink sink = test_collector_sink(&out);
        mtp_alloc_fail_after(n);
        st = mtp_dedup_new(&o, &stage, NULL);
        if (st == MTP_OK) {
            st = feed_distinct(stage, 2000, &sink);
        }
        if (st == MTP_OK) {
            st = mtp_stage_finish(stage, &sink);
        }
        mtp_alloc_fail_after(-1);
        if (st != MTP_OK) {
            assert_status(st, MTP_ERR_NOMEM, stage ? mtp_stage_error(stage) : NULL);
        } else {
            assert_int_equal(out.records, 2000);
        }
        test_collector_release(&out);
        mtp_stage_free(stage);
    }
}

/* A failed resize leaves the table as it was; the stage reports NOMEM. */
static void test_out_of_memory_while_growing(void **state)
{
    (void)state;
    mtp_stage *stage = new_stage(MTP_DEDUP_EXACT, MTP_DEDUP_SIDE_PAIR, MTP_DEDUP_DEFAULT_MEM_BYTES);
    test_collector out;
    const mtp_sink sink = test_collector_sink(&out);
    mtp_status st = MTP_OK;
    mtp_alloc_fail_after(0); /* the exact key needs no scratch */
    for (int i = 0; i < 1000 && st == MTP_OK; i++) {
        char text[32];
        snprintf(text, sizeof text, "kata %d", i);
        mtp_record rec = {MTP_RECORD_UNIT,         {"d", 1},  {"1", 1},
                          mtp_str_from_cstr(text), {NULL, 0}, 0};
        st = mtp_stage_feed(stage, &rec, &sink);
    }
    mtp_alloc_fail_after(-1);
    assert_status(st, MTP_ERR_NOMEM, NULL);
    assert_string_equal(mtp_stage_error(stage), "out of memory growing the key table");
    assert_int_equal(out.records, 819); /* 1024 home slots at load 0.8 */
    test_collector_release(&out);
    mtp_stage_free(stage);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact_key_fixed_value),
        cmocka_unit_test(test_loose_key_is_exact_key_of_folded_letters),
        cmocka_unit_test(test_loose_key_folds_beyond_ascii),
        cmocka_unit_test(test_loose_head_is_the_start_of_the_loose_form),
        cmocka_unit_test(test_loose_head_reads_only_its_bytes),
        cmocka_unit_test(test_loose_key_keeps_marks),
        cmocka_unit_test(test_loose_key_letterless_uses_bytes),
        cmocka_unit_test(test_loose_key_invalid_utf8),
        cmocka_unit_test(test_loose_key_ascii_blocks),
        cmocka_unit_test(test_measure_ascii_blocks_match_bytes),
        cmocka_unit_test(test_measure_words_across_blocks),
        cmocka_unit_test(test_pair_key_joins_sides_with_tab),
        cmocka_unit_test(test_exact_first_occurrence_kept),
        cmocka_unit_test(test_loose_duplicates_dropped),
        cmocka_unit_test(test_pair_side_pair_keeps_other_target),
        cmocka_unit_test(test_deterministic_output),
        cmocka_unit_test(test_mem_too_small_rejected),
        cmocka_unit_test(test_spill_exact_matches_in_memory),
        cmocka_unit_test(test_spill_loose_matches_in_memory),
        cmocka_unit_test(test_spill_pairs_match_in_memory),
        cmocka_unit_test(test_spill_multi_pass_merge_matches_in_memory),
        cmocka_unit_test(test_spill_survivor_is_first_occurrence),
        cmocka_unit_test(test_spill_leaves_no_files),
        cmocka_unit_test(test_spill_missing_directory_fails),
        cmocka_unit_test(test_invalid_utf8_loose_skip_and_fail),
        cmocka_unit_test(test_keyset_zero_key_and_growth),
        cmocka_unit_test(test_keyset_random_keys_sorted_and_compact),
        cmocka_unit_test(test_keyset_limit_leaves_set_usable),
        cmocka_unit_test(test_out_of_memory_reported),
        cmocka_unit_test(test_out_of_memory_while_growing),
        cmocka_unit_test(test_out_of_memory_loop_whole_run),
        cmocka_unit_test(test_out_of_memory_loop_spilling_run),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
