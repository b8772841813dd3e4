/* Unit tests of the normalize stage: one test per edge case with its exact
 * output, counts, the --on-error policy, allocation failures, and the
 * Unicode conformance test (NormalizationTest.txt, UAX #15) over the bare
 * NFC/NFKC wrapper. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test_util.h"

#include "normalize_text.h"

#define NORMALIZATION_TEST "/usr/share/unicode/NormalizationTest.txt"

/* ---- helpers ------------------------------------------------------------ */

static mtp_stage *new_stage(mtp_norm_form form, int punct, int mojibake, mtp_on_error on_error)
{
    mtp_normalize_options opts;
    mtp_normalize_options_default(&opts);
    opts.form = form;
    opts.punctuation = punct;
    opts.repair_mojibake = mojibake;
    opts.on_error = on_error;
    mtp_stage *stage = NULL;
    mtp_error err = {""};
    assert_status(mtp_normalize_new(&opts, &stage, &err), MTP_OK, err.message);
    return stage;
}

static mtp_record unit_record(const char *text, size_t len)
{
    mtp_record rec;
    memset(&rec, 0, sizeof rec);
    rec.kind = MTP_RECORD_UNIT;
    rec.doc_id = mtp_str_from_cstr("doc-7");
    rec.unit = mtp_str_from_cstr("3");
    rec.text = (mtp_str){text, len};
    return rec;
}

/* Feeds one unit record with `text` and checks the whole output: the record
 * line "doc-7 TAB 3 TAB want LF", or nothing when want is NULL. */
static void expect_with(mtp_stage *stage, const char *text, const char *want)
{
    test_collector out = {0};
    const mtp_sink sink = test_collector_sink(&out);
    const mtp_record rec = unit_record(text, strlen(text));
    assert_status(mtp_stage_feed(stage, &rec, &sink), MTP_OK, mtp_stage_error(stage));
    char expected[1024] = "";
    if (want != NULL) {
        snprintf(expected, sizeof expected, "doc-7\t3\t%s\n", want);
    }
    assert_string_equal(out.text != NULL ? out.text : "", expected);
    assert_true(mtp_counts_balanced(mtp_stage_counts(stage)));
    test_collector_release(&out);
}

/* Default options: NFC, punct-1, mojibake repair, skip. */
static void expect_text(const char *text, const char *want)
{
    mtp_stage *stage = new_stage(MTP_NORM_NFC, 1, 1, MTP_ON_ERROR_SKIP);
    expect_with(stage, text, want);
    mtp_stage_free(stage);
}

static uint64_t count_of(const mtp_stage *stage, const char *name)
{
    return mtp_counts_get(mtp_stage_counts(stage), name);
}

/* ---- fast path and whitespace ------------------------------------------- */

static void tidy_ascii_unchanged(void **state)
{
    (void)state;
    mtp_stage *stage = new_stage(MTP_NORM_NFC, 1, 1, MTP_ON_ERROR_SKIP);
    expect_with(stage, "Harga cabai naik 10% di Jakarta.", "Harga cabai naik 10% di Jakarta.");
    assert_int_equal(count_of(stage, "out"), 1);
    assert_int_equal(mtp_stage_counts(stage)->n, 2); /* only "in" and "out" */
    mtp_stage_free(stage);
}

static void nbsp_to_space(void **state)
{
    (void)state;
    expect_text("Rp\u00a05.000", "Rp 5.000");
}

static void narrow_and_ideographic_spaces_to_space(void **state)
{
    (void)state;
    expect_text("a\u202fb\u2009c\u3000d\u205fe\u1680f", "a b c d e f");
}

static void tab_to_space(void **state)
{
    (void)state;
    expect_text("kolom\tdua", "kolom dua");
}

static void runs_collapsed(void **state)
{
    (void)state;
    expect_text("satu  dua \u00a0 \t tiga", "satu dua tiga");
}

static void ends_trimmed(void **state)
{
    (void)state;
    expect_text(" \u00a0 awal dan akhir \u2003", "awal dan akhir");
}

/* Eight-byte blocks of printable ASCII are copied whole by the cleaning
 * pass: spaces at a block's first or last byte, doubled across a block
 * boundary, leading, and a non-ASCII character forcing the slow path, all
 * come out as the byte-by-byte pass makes them. */
static void spaces_at_block_edges(void **state)
{
    (void)state;
    /* offsets:  0       8       16      24      32 */
    expect_text("  abcdef ghijklm  nopqrst uvwxyzab\u00a0cdefghi jklmnop ",
                "abcdef ghijklm nopqrst uvwxyzab cdefghi jklmnop");
    expect_text("\u00e9abcdef ghijklm       nopqrstu vwx", "\u00e9abcdef ghijklm nopqrstu vwx");
}

static void line_separator_to_space(void **state)
{
    (void)state;
    expect_text("baris satu\u2028baris dua\u2029tiga", "baris satu baris dua tiga");
}

static void next_line_to_space(void **state)
{
    (void)state;
    expect_text("satu\302\205dua", "satu dua");
}

static void all_space_text_dropped(void **state)
{
    (void)state;
    mtp_stage *stage = new_stage(MTP_NORM_NFC, 1, 1, MTP_ON_ERROR_SKIP);
    expect_with(stage, " \u00a0\u2003\u200b\t ", NULL);
    assert_int_equal(count_of(stage, "dropped.empty"), 1);
    assert_int_equal(count_of(stage, "out"), 0);
    mtp_stage_free(stage);
}

/* ---- controls and format characters ------------------------------------- */

static void zwsp_removed(void **state)
{
    (void)state;
    expect_text("ke\u200bpada", "kepada");
}

static void soft_hyphen_removed(void **state)
{
    (void)state;
    expect_text("pe\u00admerintah", "pemerintah");
}

static void bom_inside_text_removed(void **state)
{
    (void)state;
    expect_text("\ufeffJakarta \ufeffbarat", "Jakarta barat");
}

static void zwj_zwnj_and_bidi_marks_removed(void **state)
{
    (void)state;
    expect_text("a\u200db\u200cc\u200ed\u200fe\u202af\u202c\u2060g", "abcdefg");
}

static void line_break_controls_to_space(void **state)
{
    (void)state;
    expect_text("satu\ndua\r\ntiga\vempat\flima", "satu dua tiga empat lima");
}

static void c0_and_c1_controls_removed(void **state)
{
    (void)state;
    expect_text("a\001b\177c\302\220d", "abcd");
}

/* ---- NFC / NFKC --------------------------------------------------------- */

static void combining_acute_composed_nfc(void **state)
{
    (void)state;
    expect_text("cafe\u0301", "caf\u00e9");
}

static void nfc_keeps_ligature_and_fullwidth(void **state)
{
    (void)state;
    expect_text("\ufb01le \uff11\uff12", "\ufb01le \uff11\uff12");
}

static void nfkc_ligature_fi(void **state)
{
    (void)state;
    mtp_stage *stage = new_stage(MTP_NORM_NFKC, 1, 1, MTP_ON_ERROR_SKIP);
    expect_with(stage, "\ufb01nansial", "finansial");
    assert_int_equal(count_of(stage, "changed.nfkc"), 1);
    mtp_stage_free(stage);
}

static void nfkc_fullwidth_digits(void **state)
{
    (void)state;
    mtp_stage *stage = new_stage(MTP_NORM_NFKC, 1, 1, MTP_ON_ERROR_SKIP);
    expect_with(stage, "tahun \uff12\uff10\uff12\uff14", "tahun 2024");
    mtp_stage_free(stage);
}

static void nfkc_spacing_diaeresis_recleaned(void **state)
{
    (void)state;
    /* NFKC(U+00A8) is U+0020 U+0308: the new space must not double the old one */
    mtp_stage *stage = new_stage(MTP_NORM_NFKC, 1, 1, MTP_ON_ERROR_SKIP);
    expect_with(stage, "a \u00a8 b", "a \u0308 b");
    mtp_stage_free(stage);
}

static void nfkc_small_em_dash_then_punct(void **state)
{
    (void)state;
    mtp_stage *stage = new_stage(MTP_NORM_NFKC, 1, 1, MTP_ON_ERROR_SKIP);
    expect_with(stage, "a\ufe31b\ufe19", "a-b...");
    mtp_stage_free(stage);
}

static void hangul_jamo_composed(void **state)
{
    (void)state;
    expect_text("\u1100\u1161\u11a8", "\uac01");
}

static void canonical_reordering(void **state)
{
    (void)state;
    /* dot below (ccc 220) sorts before dot above (ccc 230); q has no precomposed form */
    expect_text("q\u0307\u0323", "q\u0323\u0307");
}

/* ---- punctuation profile ------------------------------------------------ */

static void curly_double_quotes(void **state)
{
    (void)state;
    expect_text("\u201cIya,\u201d katanya \u201eoke\u201f \u00abnon\u00bb",
                "\"Iya,\" katanya \"oke\" \"non\"");
}

static void curly_single_quotes(void **state)
{
    (void)state;
    expect_text("\u2018Jum\u2019at\u201a\u201b \u2039x\u203a", "'Jum'at'' 'x'");
}

static void em_dash(void **state)
{
    (void)state;
    expect_text("Jakarta\u2014Presiden", "Jakarta-Presiden");
}

static void other_dashes_and_minus(void **state)
{
    (void)state;
    expect_text("1\u20132 3\u20124 \u22125 \u2015 a\u2010b\u2011c \uff0d", "1-2 3-4 -5 - a-b-c -");
}

static void ellipsis(void **state)
{
    (void)state;
    expect_text("tunggu\u2026 ya", "tunggu... ya");
}

static void punct_off_keeps_quotes(void **state)
{
    (void)state;
    mtp_stage *stage = new_stage(MTP_NORM_NFC, 0, 1, MTP_ON_ERROR_SKIP);
    expect_with(stage, "\u201cIya\u201d\u2026 \u2014", "\u201cIya\u201d\u2026 \u2014");
    mtp_stage_free(stage);
}

static void prime_and_acute_accent_kept(void **state)
{
    (void)state;
    expect_text("45\u2032 5\u2033 \u00b4", "45\u2032 5\u2033 \u00b4");
}

/* ---- mojibake ----------------------------------------------------------- */

static void mojibake_e_acute_repaired(void **state)
{
    (void)state;
    mtp_stage *stage = new_stage(MTP_NORM_NFC, 1, 1, MTP_ON_ERROR_SKIP);
    expect_with(stage, "Nims Caf\u00c3\u00a9, Jakarta", "Nims Caf\u00e9, Jakarta");
    assert_int_equal(count_of(stage, "changed.mojibake"), 1);
    mtp_stage_free(stage);
}

static void mojibake_cp1252_quotes_repaired(void **state)
{
    (void)state;
    /* “Halo” and it’s as UTF-8 read as cp1252; 0x9D is undefined there and
     * survives as U+009D */
    expect_text("\u00e2\u20ac\u0153Halo\u00e2\u20ac\xc2\x9d it\u00e2\u20ac\u2122s",
                "\"Halo\" it's");
}

static void mojibake_repaired_punct_off(void **state)
{
    (void)state;
    mtp_stage *stage = new_stage(MTP_NORM_NFC, 0, 1, MTP_ON_ERROR_SKIP);
    expect_with(stage, "\u00e2\u20ac\u0153Halo", "\u201cHalo");
    mtp_stage_free(stage);
}

static void mojibake_latin1_arabic_repaired(void **state)
{
    (void)state;
    /* U+064A U+064E read as latin-1: its C1 controls must not be stripped first */
    expect_text("\u00d9\302\212\u00d9\302\216", "\u064a\u064e");
}

static void mojibake_plus_minus_and_nbsp_repaired(void **state)
{
    (void)state;
    expect_text("2,5\u00c2\u00b11% \u00c2\u00a0naik", "2,5\u00b11% naik");
}

static void mojibake_double_encoding_repaired(void **state)
{
    (void)state;
    expect_text("caf\u00c3\u0192\u00c2\u00a9", "caf\u00e9");
}

static void mojibake_triple_encoding_repaired(void **state)
{
    (void)state;
    expect_text("caf\u00c3\u0192\u00c6\u2019\u00c3\u201a\u00c2\u00a9", "caf\u00e9");
}

static void mojibake_near_miss_left_alone(void **state)
{
    (void)state;
    /* "Ã©" looks like mojibake but ï followed by 'v' is no UTF-8 sequence */
    mtp_stage *stage = new_stage(MTP_NORM_NFC, 1, 1, MTP_ON_ERROR_SKIP);
    expect_with(stage, "Caf\u00c3\u00a9 na\u00efve", "Caf\u00c3\u00a9 na\u00efve");
    assert_int_equal(count_of(stage, "changed.mojibake"), 0);
    mtp_stage_free(stage);
}

static void mojibake_with_unmappable_char_left_alone(void **state)
{
    (void)state;
    expect_text("Caf\u00c3\u00a9 \u2713", "Caf\u00c3\u00a9 \u2713");
}

static void latin1_text_left_alone(void **state)
{
    (void)state;
    expect_text("Fran\u00e7ois \u00c0 la carte \u00b0C", "Fran\u00e7ois \u00c0 la carte \u00b0C");
}

static void mojibake_off_left_alone(void **state)
{
    (void)state;
    mtp_stage *stage = new_stage(MTP_NORM_NFC, 1, 0, MTP_ON_ERROR_SKIP);
    expect_with(stage, "Caf\u00c3\u00a9", "Caf\u00c3\u00a9");
    mtp_stage_free(stage);
}

/* ---- invalid UTF-8 and policy ------------------------------------------- */

static void invalid_utf8_skipped(void **state)
{
    (void)state;
    mtp_stage *stage = new_stage(MTP_NORM_NFC, 1, 1, MTP_ON_ERROR_SKIP);
    test_collector out = {0};
    const mtp_sink sink = test_collector_sink(&out);
    const mtp_record rec = unit_record("abc\377def", 7);
    assert_status(mtp_stage_feed(stage, &rec, &sink), MTP_OK, mtp_stage_error(stage));
    assert_int_equal(out.records, 0);
    assert_int_equal(count_of(stage, "dropped.invalid_utf8"), 1);
    assert_true(mtp_counts_balanced(mtp_stage_counts(stage)));
    test_collector_release(&out);
    mtp_stage_free(stage);
}

static void invalid_utf8_fails(void **state)
{
    (void)state;
    mtp_stage *stage = new_stage(MTP_NORM_NFC, 1, 1, MTP_ON_ERROR_FAIL);
    test_collector out = {0};
    const mtp_sink sink = test_collector_sink(&out);
    const mtp_record rec = unit_record("over\xc0\xaflong", 10);
    assert_status(mtp_stage_feed(stage, &rec, &sink), MTP_ERR_INPUT, "overlong");
    assert_string_equal(mtp_stage_error(stage), "doc-7 unit 3: invalid_utf8 (in field text)");
    assert_int_equal(out.records, 0);
    test_collector_release(&out);
    mtp_stage_free(stage);
}

static void surrogate_is_invalid(void **state)
{
    (void)state;
    mtp_stage *stage = new_stage(MTP_NORM_NFC, 1, 1, MTP_ON_ERROR_SKIP);
    test_collector out = {0};
    const mtp_sink sink = test_collector_sink(&out);
    const mtp_record rec = unit_record("a\355\240\200b", 5);
    assert_status(mtp_stage_feed(stage, &rec, &sink), MTP_OK, mtp_stage_error(stage));
    assert_int_equal(count_of(stage, "dropped.invalid_utf8"), 1);
    test_collector_release(&out);
    mtp_stage_free(stage);
}

/* ---- pairs and counts --------------------------------------------------- */

static void pair_both_sides_normalized(void **state)
{
    (void)state;
    mtp_stage *stage = new_stage(MTP_NORM_NFC, 1, 1, MTP_ON_ERROR_SKIP);
    test_collector out = {0};
    const char *lines =
        "d1\t3.2+3.3=4.1\t\u201cHalo\u201d\u00a0 dunia\tcafe\u0301 \u2014 ok\t0.9731\n";
    assert_status(test_run_stage(stage, lines, &out), MTP_OK, mtp_stage_error(stage));
    assert_string_equal(out.text, "d1\t3.2+3.3=4.1\t\"Halo\" dunia\tcaf\u00e9 - ok\t0.9731\n");
    assert_int_equal(count_of(stage, "changed.punct"), 2);
    assert_int_equal(count_of(stage, "changed.nfc"), 1);
    test_collector_release(&out);
    mtp_stage_free(stage);
}

static void pair_with_empty_side_dropped(void **state)
{
    (void)state;
    mtp_stage *stage = new_stage(MTP_NORM_NFC, 1, 1, MTP_ON_ERROR_SKIP);
    test_collector out = {0};
    const char *lines = "d1\t1=1\tada\t\u200b\u00a0\t0.5000\n";
    assert_status(test_run_stage(stage, lines, &out), MTP_OK, mtp_stage_error(stage));
    assert_int_equal(out.records, 0);
    assert_int_equal(count_of(stage, "dropped.empty"), 1);
    assert_true(mtp_counts_balanced(mtp_stage_counts(stage)));
    test_collector_release(&out);
    mtp_stage_free(stage);
}

static void pair_invalid_target_names_field(void **state)
{
    (void)state;
    mtp_stage *stage = new_stage(MTP_NORM_NFC, 1, 1, MTP_ON_ERROR_FAIL);
    mtp_record rec = unit_record("baik", 4);
    rec.kind = MTP_RECORD_PAIR;
    rec.unit = mtp_str_from_cstr("1=1");
    rec.tgt = (mtp_str){"go\xe2\x82od", 6};
    test_collector out = {0};
    const mtp_sink sink = test_collector_sink(&out);
    assert_status(mtp_stage_feed(stage, &rec, &sink), MTP_ERR_INPUT, "truncated sequence");
    assert_string_equal(mtp_stage_error(stage), "doc-7 unit 1=1: invalid_utf8 (in field tgt)");
    test_collector_release(&out);
    mtp_stage_free(stage);
}

static void changes_counted_by_step(void **state)
{
    (void)state;
    mtp_stage *stage = new_stage(MTP_NORM_NFC, 1, 1, MTP_ON_ERROR_SKIP);
    test_collector out = {0};
    const char *lines = "d\t1\tsatu  dua\n"
                        "d\t2\tke\u200bpada\n"
                        "d\t3\te\u0301\n"
                        "d\t4\t\u2026\n"
                        "d\t5\tCaf\u00c3\u00a9\n"
                        "d\t6\tbiasa\n";
    assert_status(test_run_stage(stage, lines, &out), MTP_OK, mtp_stage_error(stage));
    assert_int_equal(out.records, 6);
    assert_int_equal(count_of(stage, "changed.whitespace"), 1);
    assert_int_equal(count_of(stage, "changed.control"), 1);
    assert_int_equal(count_of(stage, "changed.nfc"), 1);
    assert_int_equal(count_of(stage, "changed.punct"), 1);
    assert_int_equal(count_of(stage, "changed.mojibake"), 1);
    test_collector_release(&out);
    mtp_stage_free(stage);
}

static void long_field_grows_buffers(void **state)
{
    (void)state;
    /* 20000 x "e" + U+0301 + NBSP: 60000 bytes in, 40000 out */
    const size_t reps = 20000;
    char *in = malloc(reps * 5 + 1);
    char *want = malloc(reps * 3 + 1);
    assert_non_null(in);
    assert_non_null(want);
    for (size_t i = 0; i < reps; i++) {
        memcpy(in + i * 5, "e\xcc\x81\xc2\xa0", 5);
        memcpy(want + i * 3, "\xc3\xa9 ", 3);
    }
    in[reps * 5] = '\0';
    want[reps * 3 - 1] = '\0'; /* trailing space trimmed */
    mtp_stage *stage = new_stage(MTP_NORM_NFC, 1, 1, MTP_ON_ERROR_SKIP);
    test_collector out = {0};
    const mtp_sink sink = test_collector_sink(&out);
    const mtp_record rec = unit_record(in, reps * 5);
    assert_status(mtp_stage_feed(stage, &rec, &sink), MTP_OK, mtp_stage_error(stage));
    assert_int_equal(out.len, strlen("doc-7\t3\t") + reps * 3 - 1 + 1);
    assert_memory_equal(out.text + strlen("doc-7\t3\t"), want, reps * 3 - 1);
    test_collector_release(&out);
    mtp_stage_free(stage);
    free(in);
    free(want);
}

static mtp_status discard(void *ctx, const mtp_record *rec)
{
    (void)ctx;
    (void)rec;
    return MTP_OK;
}

/* Once its buffers have grown, the stage feeds records without allocating:
 * every allocation after the first record fails, and the second succeeds. */
static void steady_state_allocates_nothing(void **state)
{
    (void)state;
    const char *text = "\u201cCaf\u00c3\u00a9\u201d  cafe\u0301\u2026 \ufb01";
    mtp_stage *stage = new_stage(MTP_NORM_NFKC, 1, 1, MTP_ON_ERROR_SKIP);
    const mtp_sink sink = {discard, NULL};
    const mtp_record rec = unit_record(text, strlen(text));
    assert_status(mtp_stage_feed(stage, &rec, &sink), MTP_OK, mtp_stage_error(stage));
    mtp_alloc_fail_after(0);
    const mtp_status st = mtp_stage_feed(stage, &rec, &sink);
    mtp_alloc_fail_after(-1);
    assert_status(st, MTP_OK, mtp_stage_error(stage));
    assert_int_equal(count_of(stage, "out"), 2);
    mtp_stage_free(stage);
}

/* Fails allocation 0, 1, 2 ... until a whole run succeeds: each failure must
 * come back as MTP_ERR_NOMEM, and ASan checks that nothing leaks. */
static void allocation_failures_surface_as_nomem(void **state)
{
    (void)state;
    const char *text = "\u201cCaf\u00c3\u00a9\u201d  cafe\u0301\u2026";
    mtp_status st = MTP_ERR_NOMEM;
    for (long n = 0; n < 100 && st != MTP_OK; n++) {
        mtp_normalize_options opts;
        mtp_normalize_options_default(&opts);
        mtp_stage *stage = NULL;
        mtp_error err = {""};
        mtp_alloc_fail_after(n);
        st = mtp_normalize_new(&opts, &stage, &err);
        if (st == MTP_OK) {
            test_collector out = {0};
            const mtp_sink sink = test_collector_sink(&out);
            const mtp_record rec = unit_record(text, strlen(text));
            st = mtp_stage_feed(stage, &rec, &sink);
            mtp_alloc_fail_after(-1);
            test_collector_release(&out);
        }
        mtp_alloc_fail_after(-1);
        assert_true(st == MTP_OK || st == MTP_ERR_NOMEM);
        mtp_stage_free(stage);
    }
    assert_status(st, MTP_OK, "never succeeded");
}

/* ---- properties over generated text ------------------------------------ */

/* Pieces that interact: spaces and controls, combining marks, mojibake
 * halves, punct-1 sources, NFKC-only characters, Hangul jamo. */
static const char *const pieces[] = {
    " ",        "a",      "e",      "A",      ".",      "\t",     "\u00a0", "\u200b", "\u00ad",
    "\ufeff",   "\u0301", "\u0303", "\u0323", "\u0307", "\u00c3", "\u00a9", "\u00c2", "\u00b1",
    "\u00e2",   "\u20ac", "\u0153", "\u201c", "\u201d", "\u2019", "\u2014", "\u2010", "\u2026",
    "\u2028",   "\u00a8", "\ufb01", "\uff11", "\u1100", "\u1161", "\u11a8", "\u00d9", "\302\212",
    "\302\205", "\ufe31", "\u3000", "\u2002", "\u0644", "\u064e", "\u00e9", "\u00ef", "\u0178",
    "\u0192",   "\u00c6", "\u2122", "\u0161", "\r",     "\u200d", "\u0340", "\u1e0a"};

static unsigned next_random(unsigned long *state)
{
    *state = *state * 6364136223846793005ul + 1442695040888963407ul;
    return (unsigned)(*state >> 33);
}

static size_t random_text(unsigned long *state, char *dst)
{
    const size_t count = next_random(state) % 14;
    size_t len = 0;
    for (size_t i = 0; i < count; i++) {
        const char *piece = pieces[next_random(state) % (sizeof pieces / sizeof pieces[0])];
        memcpy(dst + len, piece, strlen(piece));
        len += strlen(piece);
    }
    return len;
}

static void check_output_shape(mtp_str out)
{
    assert_true(mtp_utf8_is_valid(out.ptr, out.len));
    assert_true(mtp_field_is_clean(out));
    if (out.len > 0) {
        assert_true(out.ptr[0] != ' ' && out.ptr[out.len - 1] != ' ');
    }
    for (size_t i = 0; i + 1 < out.len; i++) {
        assert_false(out.ptr[i] == ' ' && out.ptr[i + 1] == ' ');
    }
}

/* Valid, clean, tidy output, and normalizing it again changes nothing. */
static void check_properties(mtp_norm_form form, int punct)
{
    mtp_normalize_options opts;
    mtp_normalize_options_default(&opts);
    opts.form = form;
    opts.punctuation = punct;
    mtp_textnorm *tn = NULL;
    mtp_error err = {""};
    assert_status(mtp_textnorm_new(&opts, &tn, &err), MTP_OK, err.message);
    mtp_buf first = {NULL, 0, 0};
    mtp_buf second = {NULL, 0, 0};
    unsigned long state = 20240906ul + (unsigned long)form * 2 + (unsigned long)punct;
    char text[14 * 4];
    for (int round = 0; round < 20000; round++) {
        const mtp_str in = {text, random_text(&state, text)};
        mtp_str once = {NULL, 0};
        mtp_str twice = {NULL, 0};
        unsigned changed = 0;
        assert_status(mtp_textnorm_field(tn, in, &first, &once, &changed, &err), MTP_OK,
                      err.message);
        check_output_shape(once);
        assert_status(mtp_textnorm_field(tn, once, &second, &twice, &changed, &err), MTP_OK,
                      err.message);
        if (changed != 0) {
            print_error("not idempotent: '%.*s' -> '%.*s' -> '%.*s'\n", (int)in.len, in.ptr,
                        (int)once.len, once.ptr, (int)twice.len, twice.ptr);
        }
        assert_int_equal(changed, 0);
    }
    mtp_buf_release(&first);
    mtp_buf_release(&second);
    mtp_textnorm_free(tn);
}

static void generated_text_nfc_idempotent_and_tidy(void **state)
{
    (void)state;
    check_properties(MTP_NORM_NFC, 1);
    check_properties(MTP_NORM_NFC, 0);
}

static void generated_text_nfkc_idempotent_and_tidy(void **state)
{
    (void)state;
    check_properties(MTP_NORM_NFKC, 1);
    check_properties(MTP_NORM_NFKC, 0);
}

/* ---- Unicode conformance ------------------------------------------------ */

#define CONF_COLUMNS 5
#define CONF_BYTES 512

typedef struct conformance {
    mtp_textnorm *nfc;
    mtp_textnorm *nfkc;
    char col[CONF_COLUMNS][CONF_BYTES]; /* UTF-8 of c1..c5 */
    size_t col_len[CONF_COLUMNS];
    unsigned long lines;
    unsigned long failures;
} conformance;

static size_t put_utf8(unsigned long c, char *dst)
{
    if (c < 0x80) {
        dst[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        dst[0] = (char)(0xC0 | (c >> 6));
        dst[1] = (char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        dst[0] = (char)(0xE0 | (c >> 12));
        dst[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        dst[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    dst[0] = (char)(0xF0 | (c >> 18));
    dst[1] = (char)(0x80 | ((c >> 12) & 0x3F));
    dst[2] = (char)(0x80 | ((c >> 6) & 0x3F));
    dst[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

/* Parses "1E0A 0323;1E0C 0307;..." into the five UTF-8 columns. Returns 0 for
 * comments, @Part lines and blank lines. */
static int parse_conformance_line(char *line, conformance *c)
{
    char *hash = strchr(line, '#');
    if (hash != NULL) {
        *hash = '\0';
    }
    if (line[0] == '@' || strchr(line, ';') == NULL) {
        return 0;
    }
    char *p = line;
    for (int i = 0; i < CONF_COLUMNS; i++) {
        char *end = strchr(p, ';');
        assert_non_null(end);
        *end = '\0';
        c->col_len[i] = 0;
        for (char *tok = strtok(p, " "); tok != NULL; tok = strtok(NULL, " ")) {
            assert_true(c->col_len[i] + 4 < CONF_BYTES);
            c->col_len[i] += put_utf8(strtoul(tok, NULL, 16), c->col[i] + c->col_len[i]);
        }
        p = end + 1;
    }
    return 1;
}

/* Checks that form(column `from`) equals column `want`. */
static void check_column(conformance *c, mtp_textnorm *tn, const char *form, int from, int want)
{
    mtp_str got = {NULL, 0};
    mtp_error err = {""};
    const mtp_str in = {c->col[from], c->col_len[from]};
    assert_status(mtp_textnorm_unicode(tn, in, &got, &err), MTP_OK, err.message);
    if (got.len != c->col_len[want] || memcmp(got.ptr, c->col[want], got.len) != 0) {
        if (c->failures++ < 10) {
            print_error("line %lu: %s(c%d) != c%d\n", c->lines, form, from + 1, want + 1);
        }
    }
}

/* UAX #15 conformance: c2 == NFC(c1..c3), c4 == NFC(c4..c5), c4 == NFKC(c1..c5). */
static void check_conformance_line(conformance *c)
{
    for (int i = 0; i < 3; i++) {
        check_column(c, c->nfc, "NFC", i, 1);
    }
    for (int i = 3; i < 5; i++) {
        check_column(c, c->nfc, "NFC", i, 3);
    }
    for (int i = 0; i < 5; i++) {
        check_column(c, c->nfkc, "NFKC", i, 3);
    }
}

static FILE *open_normalization_test(int *piped)
{
    *piped = 0;
    if (access(NORMALIZATION_TEST, R_OK) == 0) {
        return fopen(NORMALIZATION_TEST, "r");
    }
    if (access(NORMALIZATION_TEST ".bz2", R_OK) == 0) {
        *piped = 1;
        return popen("bzcat " NORMALIZATION_TEST ".bz2", "r");
    }
    return NULL;
}

static void unicode_normalization_conformance(void **state)
{
    (void)state;
    int piped = 0;
    FILE *f = open_normalization_test(&piped);
    if (f == NULL) {
        skip();
    }
    static conformance c;
    mtp_normalize_options opts;
    mtp_normalize_options_default(&opts);
    mtp_error err = {""};
    assert_status(mtp_textnorm_new(&opts, &c.nfc, &err), MTP_OK, err.message);
    opts.form = MTP_NORM_NFKC;
    assert_status(mtp_textnorm_new(&opts, &c.nfkc, &err), MTP_OK, err.message);
    char line[4096];
    unsigned long tested = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        c.lines++;
        if (parse_conformance_line(line, &c)) {
            check_conformance_line(&c);
            tested++;
        }
    }
    const int rc = piped ? pclose(f) : fclose(f);
    mtp_textnorm_free(c.nfc);
    mtp_textnorm_free(c.nfkc);
    assert_int_equal(rc, 0);
    assert_true(tested > 18000); /* Unicode 15.0 has 19 000+ test lines */
    assert_int_equal(c.failures, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tidy_ascii_unchanged),
        cmocka_unit_test(nbsp_to_space),
        cmocka_unit_test(narrow_and_ideographic_spaces_to_space),
        cmocka_unit_test(tab_to_space),
        cmocka_unit_test(runs_collapsed),
        cmocka_unit_test(ends_trimmed),
        cmocka_unit_test(spaces_at_block_edges),
        cmocka_unit_test(line_separator_to_space),
        cmocka_unit_test(next_line_to_space),
        cmocka_unit_test(all_space_text_dropped),
        cmocka_unit_test(zwsp_removed),
        cmocka_unit_test(soft_hyphen_removed),
        cmocka_unit_test(bom_inside_text_removed),
        cmocka_unit_test(zwj_zwnj_and_bidi_marks_removed),
        cmocka_unit_test(line_break_controls_to_space),
        cmocka_unit_test(c0_and_c1_controls_removed),
        cmocka_unit_test(combining_acute_composed_nfc),
        cmocka_unit_test(nfc_keeps_ligature_and_fullwidth),
        cmocka_unit_test(nfkc_ligature_fi),
        cmocka_unit_test(nfkc_fullwidth_digits),
        cmocka_unit_test(nfkc_spacing_diaeresis_recleaned),
        cmocka_unit_test(nfkc_small_em_dash_then_punct),
        cmocka_unit_test(hangul_jamo_composed),
        cmocka_unit_test(canonical_reordering),
        cmocka_unit_test(curly_double_quotes),
        cmocka_unit_test(curly_single_quotes),
        cmocka_unit_test(em_dash),
        cmocka_unit_test(other_dashes_and_minus),
        cmocka_unit_test(ellipsis),
        cmocka_unit_test(punct_off_keeps_quotes),
        cmocka_unit_test(prime_and_acute_accent_kept),
        cmocka_unit_test(mojibake_e_acute_repaired),
        cmocka_unit_test(mojibake_cp1252_quotes_repaired),
        cmocka_unit_test(mojibake_repaired_punct_off),
        cmocka_unit_test(mojibake_latin1_arabic_repaired),
        cmocka_unit_test(mojibake_plus_minus_and_nbsp_repaired),
        cmocka_unit_test(mojibake_double_encoding_repaired),
        cmocka_unit_test(mojibake_triple_encoding_repaired),
        cmocka_unit_test(mojibake_near_miss_left_alone),
        cmocka_unit_test(mojibake_with_unmappable_char_left_alone),
        cmocka_unit_test(latin1_text_left_alone),
        cmocka_unit_test(mojibake_off_left_alone),
        cmocka_unit_test(invalid_utf8_skipped),
        cmocka_unit_test(invalid_utf8_fails),
        cmocka_unit_test(surrogate_is_invalid),
        cmocka_unit_test(pair_both_sides_normalized),
        cmocka_unit_test(pair_with_empty_side_dropped),
        cmocka_unit_test(pair_invalid_target_names_field),
        cmocka_unit_test(changes_counted_by_step),
        cmocka_unit_test(long_field_grows_buffers),
        cmocka_unit_test(steady_state_allocates_nothing),
        cmocka_unit_test(allocation_failures_surface_as_nomem),
        cmocka_unit_test(generated_text_nfc_idempotent_and_tidy),
        cmocka_unit_test(generated_text_nfkc_idempotent_and_tidy),
        cmocka_unit_test(unicode_normalization_conformance),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
