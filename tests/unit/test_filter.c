/* Unit tests of the filter stage: each rule at its boundary (kept at the
 * limit, dropped one past it), the URL/e-mail/number shapes, the fixed rule
 * order, pair records and each pair rule at its boundary, invalid UTF-8
 * under both policies, option checks and allocation failure. Every test checks the exact output and
 * the counts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

/* ---- helpers ------------------------------------------------------------ */

/* Options with every rule off, so a test turns on only the rule it checks. */
static mtp_filter_options no_rules(void)
{
    mtp_filter_options o;
    mtp_filter_options_default(&o);
    o.min_chars = 0;
    o.max_chars = 0;
    o.min_words = 0;
    o.max_words = 0;
    o.max_nonletter_ratio = 1.0;
    o.drop_url_email_number = 0;
    o.drop_link_teasers = 0;
    return o;
}

static mtp_stage *new_stage(const mtp_filter_options *o)
{
    mtp_stage *stage = NULL;
    mtp_error err = {""};
    assert_status(mtp_filter_new(o, &stage, &err), MTP_OK, err.message);
    return stage;
}

/* Runs one unit record "d TAB 1 TAB text" through a stage made from `o`:
 * checks it is kept (want_reason NULL) or dropped and counted under
 * "dropped.<want_reason>", and that the counts balance. */
static void expect_rule(const mtp_filter_options *o, const char *text, const char *want_reason)
{
    mtp_stage *stage = new_stage(o);
    char line[1024];
    snprintf(line, sizeof line, "d\t1\t%s\n", text);
    test_collector out;
    assert_status(test_run_stage(stage, line, &out), MTP_OK, mtp_stage_error(stage));
    const mtp_counts *c = mtp_stage_counts(stage);
    if (want_reason == NULL) {
        assert_string_equal(out.text, line);
        assert_int_equal(mtp_counts_dropped(c), 0);
    } else {
        char name[MTP_COUNT_NAME_MAX];
        snprintf(name, sizeof name, "dropped.%s", want_reason);
        assert_string_equal(out.text, "");
        assert_int_equal(mtp_counts_get(c, name), 1);
        assert_int_equal(mtp_counts_dropped(c), 1);
    }
    assert_true(mtp_counts_balanced(c));
    test_collector_release(&out);
    mtp_stage_free(stage);
}

/* ---- lengths ------------------------------------------------------------ */

/* "Ibu kota é" has 10 code points in 11 bytes: characters are code points. */
static void test_min_chars_at_limit_kept(void **state)
{
    (void)state;
    mtp_filter_options o = no_rules();
    o.min_chars = 10;
    expect_rule(&o, "Ibu kota \xc3\xa9", NULL);
}

static void test_min_chars_one_less_dropped(void **state)
{
    (void)state;
    mtp_filter_options o = no_rules();
    o.min_chars = 10;
    expect_rule(&o, "Ibu kota\xc3\xa9", "too_short");
}

static void test_max_chars_at_limit_kept(void **state)
{
    (void)state;
    mtp_filter_options o = no_rules();
    o.max_chars = 5;
    expect_rule(&o, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", NULL);
}

static void test_max_chars_one_more_dropped(void **state)
{
    (void)state;
    mtp_filter_options o = no_rules();
    o.max_chars = 5;
    expect_rule(&o, "abcdef", "too_long");
}

static void test_max_chars_zero_is_no_limit(void **state)
{
    (void)state;
    mtp_filter_options o = no_rules();
    expect_rule(&o, "Sebuah kalimat yang cukup panjang untuk melewati batas apa pun.", NULL);
}

/* ---- words -------------------------------------------------------------- */

static void test_min_words_at_limit_kept(void **state)
{
    (void)state;
    mtp_filter_options o = no_rules();
    o.min_words = 3;
    expect_rule(&o, "Presiden tiba kemarin.", NULL);
}

static void test_min_words_one_less_dropped(void **state)
{
    (void)state;
    mtp_filter_options o = no_rules();
    o.min_words = 3;
    expect_rule(&o, "Presiden tiba.", "too_few_words");
}

/* Runs of spaces and a no-break space (White_Space) separate words too. */
static void test_words_split_on_any_white_space(void **state)
{
    (void)state;
    mtp_filter_options o = no_rules();
    o.max_words = 3;
    expect_rule(&o, "satu   dua\xc2\xa0tiga", NULL);
    expect_rule(&o, "satu dua\xc2\xa0tiga empat", "too_many_words");
}

static void test_max_words_one_more_dropped(void **state)
{
    (void)state;
    mtp_filter_options o = no_rules();
    o.max_words = 2;
    expect_rule(&o, "satu dua", NULL);
    expect_rule(&o, "satu dua tiga", "too_many_words");
}

/* ---- character classes -------------------------------------------------- */

/* "ab12": 2 letters, 2 digits: ratio 0.5 exactly is kept at 0.5. */
static void test_nonletter_ratio_at_limit_kept(void **state)
{
    (void)state;
    mtp_filter_options o = no_rules();
    o.max_nonletter_ratio = 0.5;
    expect_rule(&o, "ab12", NULL);
}

/* 57 digits and 43 letters at 0.57: 0.57 * 100 is just below 57 in binary
 * floating point, so a product test would drop this text at its limit. */
static void test_nonletter_ratio_limit_exact_in_binary(void **state)
{
    (void)state;
    mtp_filter_options o = no_rules();
    o.max_nonletter_ratio = 0.57;
    char text[101];
    memset(text, '7', 57);
    memset(text + 57, 'a', 43);
    text[100] = '\0';
    expect_rule(&o, text, NULL);
    text[57] = '7';
    expect_rule(&o, text, "nonletter_ratio");
}

static void test_nonletter_ratio_above_limit_dropped(void **state)
{
    (void)state;
    mtp_filter_options o = no_rules();
    o.max_nonletter_ratio = 0.5;
    expect_rule(&o, "ab123", "nonletter_ratio");
}

/* Spaces are neither letters nor non-letters: "a  1" is 1 of 4. */
static void test_nonletter_ratio_ignores_spaces(void **state)
{
    (void)state;
    mtp_filter_options o = no_rules();
    o.max_nonletter_ratio = 0.25;
    expect_rule(&o, "a  1", NULL);
}

/* A combining mark counts with the letters. */
static void test_nonletter_ratio_marks_are_letters(void **state)
{
    (void)state;
    mtp_filter_options o = no_rules();
    o.max_nonletter_ratio = 0.0;
    expect_rule(&o, "e\xcc\x81", NULL);
}

/* ---- link teasers ------------------------------------------------------- */

static void test_link_teaser_dropped(void **state)
{
    (void)state;
    mtp_filter_options o = no_rules();
    o.drop_link_teasers = 1;
    expect_rule(&o, "Baca juga: Harga beras naik lagi di pasar induk", "link_teaser");
    expect_rule(&o, "BACA JUGA : Banjir rendam ratusan rumah", "link_teaser");
    expect_rule(&o, "Lihat juga:Jadwal kereta komuter", "link_teaser");
    expect_rule(&o, "Simak pula: Pemenang lomba lari", "link_teaser");
}

static void test_link_teaser_words_in_a_sentence_kept(void **state)
{
    (void)state;
    mtp_filter_options o = no_rules();
    o.drop_link_teasers = 1;
    expect_rule(&o, "Baca juga buku panduan sebelum berangkat.", NULL); /* no colon */
    expect_rule(&o, "Pembaca juga: mereka yang datang.", NULL);         /* not the word */
    expect_rule(&o, "Ia berkata, baca juga: aturan itu.", NULL);        /* not at the start */
    o.drop_link_teasers = 0;
    expect_rule(&o, "Baca juga: Harga beras naik lagi", NULL);
}

/* ---- URL, e-mail, number ------------------------------------------------ */

static mtp_filter_options shapes_only(void)
{
    mtp_filter_options o = no_rules();
    o.drop_url_email_number = 1;
    return o;
}

static void test_url_only_dropped(void **state)
{
    (void)state;
    const mtp_filter_options o = shapes_only();
    expect_rule(&o, "https://detik.com/x", "url_only");
    expect_rule(&o, "HTTP://news.detik.com/berita/d-123?x=1", "url_only");
    expect_rule(&o, "www.kompas.com", "url_only");
    expect_rule(&o, "detik.com/x", "url_only");
    expect_rule(&o, "kompas.com", "url_only");
    expect_rule(&o, "(https://antaranews.com/berita).", "url_only");
}

static void test_url_inside_sentence_kept(void **state)
{
    (void)state;
    const mtp_filter_options o = shapes_only();
    expect_rule(&o, "Baca di https://detik.com/x sekarang.", NULL);
}

static void test_dotted_words_not_urls(void **state)
{
    (void)state;
    const mtp_filter_options o = shapes_only();
    expect_rule(&o, "S.H.", NULL);     /* last label one letter */
    expect_rule(&o, "No.12", NULL);    /* last label digits */
    expect_rule(&o, "https://", NULL); /* scheme alone */
    expect_rule(&o, "dll.", NULL);     /* one label */
}

static void test_email_only_dropped(void **state)
{
    (void)state;
    const mtp_filter_options o = shapes_only();
    expect_rule(&o, "a@b.id", "email_only");
    expect_rule(&o, "redaksi.news+1@detik.co.id.", "email_only");
}

static void test_email_in_sentence_kept(void **state)
{
    (void)state;
    const mtp_filter_options o = shapes_only();
    expect_rule(&o, "Kirim ke a@b.id ya", NULL);
    expect_rule(&o, "@b.id", NULL);
}

static void test_number_only_dropped(void **state)
{
    (void)state;
    const mtp_filter_options o = shapes_only();
    expect_rule(&o, "1.234,50", "number_only");
    expect_rule(&o, "12/6/2025", "number_only");
    expect_rule(&o, "(021) 555-1234", "number_only");
    expect_rule(&o, "50%", "number_only");
    expect_rule(&o, "\xd9\xa1\xd9\xa2", "number_only"); /* Arabic-Indic digits */
}

static void test_number_with_words_kept(void **state)
{
    (void)state;
    const mtp_filter_options o = shapes_only();
    expect_rule(&o, "Rp 1.234,50", NULL);
    expect_rule(&o, "...", NULL); /* no digit */
}

static void test_keep_url_email_number(void **state)
{
    (void)state;
    const mtp_filter_options o = no_rules();
    expect_rule(&o, "https://detik.com/x", NULL);
    expect_rule(&o, "a@b.id", NULL);
    expect_rule(&o, "12/6/2025", NULL);
}

/* ---- order, defaults, pairs -------------------------------------------- */

/* "12" is short, has one word and no letters: number_only comes first. */
static void test_rule_order_number_before_lengths(void **state)
{
    (void)state;
    mtp_filter_options o;
    mtp_filter_options_default(&o);
    expect_rule(&o, "12", "number_only");
}

/* too_short comes before too_few_words and nonletter_ratio. */
static void test_rule_order_short_before_words(void **state)
{
    (void)state;
    mtp_filter_options o;
    mtp_filter_options_default(&o);
    expect_rule(&o, "Ya?!", "too_short");
    expect_rule(&o, "Iya begitu", "too_few_words");
    expect_rule(&o, "Skor 1-0, 2-1, 3-2.", "nonletter_ratio");
}

static void test_defaults_keep_news_sentence(void **state)
{
    (void)state;
    mtp_filter_options o;
    mtp_filter_options_default(&o);
    expect_rule(&o, "Harga cabai naik 5% pekan ini, kata pedagang di Pasar Minggu.", NULL);
}

static void test_many_records_exact_output(void **state)
{
    (void)state;
    mtp_filter_options o;
    mtp_filter_options_default(&o);
    mtp_stage *stage = new_stage(&o);
    test_collector out;
    const char *in = "a\t1.1\tPemerintah menaikkan harga BBM hari ini.\n"
                     "a\t1.2\thttps://detik.com/x\n"
                     "a\t2.1\tOke.\n"
                     "b\t1.1\tWarga mengantre sejak pagi di SPBU.\n";
    assert_status(test_run_stage(stage, in, &out), MTP_OK, mtp_stage_error(stage));
    assert_string_equal(out.text, "a\t1.1\tPemerintah menaikkan harga BBM hari ini.\n"
                                  "b\t1.1\tWarga mengantre sejak pagi di SPBU.\n");
    const mtp_counts *c = mtp_stage_counts(stage);
    assert_int_equal(mtp_counts_get(c, "in"), 4);
    assert_int_equal(mtp_counts_get(c, "out"), 2);
    assert_int_equal(mtp_counts_get(c, "dropped.url_only"), 1);
    assert_int_equal(mtp_counts_get(c, "dropped.too_short"), 1);
    assert_true(mtp_counts_balanced(c));
    test_collector_release(&out);
    mtp_stage_free(stage);
}

static void test_pair_target_rule_drops_pair(void **state)
{
    (void)state;
    mtp_filter_options o = no_rules();
    o.min_words = 2;
    mtp_stage *stage = new_stage(&o);
    test_collector out;
    const char *in = "d\t1.1=1.1\tHarga naik.\tPrices rose.\t0.9000\n"
                     "d\t1.2=1.2\tHarga turun.\tDown\t0.5000\n";
    assert_status(test_run_stage(stage, in, &out), MTP_OK, mtp_stage_error(stage));
    assert_string_equal(out.text, "d\t1.1=1.1\tHarga naik.\tPrices rose.\t0.9000\n");
    assert_int_equal(mtp_counts_get(mtp_stage_counts(stage), "dropped.too_few_words"), 1);
    assert_true(mtp_counts_balanced(mtp_stage_counts(stage)));
    test_collector_release(&out);
    mtp_stage_free(stage);
}

/* ---- pair rules --------------------------------------------------------- */

/* Options with every unit and pair rule off. */
static mtp_filter_options no_pair_rules(void)
{
    mtp_filter_options o = no_rules();
    o.drop_identical = 0;
    o.max_length_ratio = 0.0;
    o.src_min_latin_ratio = 0.0;
    o.tgt_min_latin_ratio = 0.0;
    o.drop_email_mismatch = 0;
    o.drop_url_mismatch = 0;
    o.drop_number_mismatch = 0;
    return o;
}

/* Runs one pair record "d TAB 1.1=1.1 TAB src TAB tgt TAB 0.5000" through a
 * stage made from `o` and checks it is kept or dropped as `want_reason`. */
static void expect_pair(const mtp_filter_options *o, const char *src, const char *tgt,
                        const char *want_reason)
{
    mtp_stage *stage = new_stage(o);
    char line[2048];
    snprintf(line, sizeof line, "d\t1.1=1.1\t%s\t%s\t0.5000\n", src, tgt);
    test_collector out;
    assert_status(test_run_stage(stage, line, &out), MTP_OK, mtp_stage_error(stage));
    const mtp_counts *c = mtp_stage_counts(stage);
    if (want_reason == NULL) {
        assert_string_equal(out.text, line);
        assert_int_equal(mtp_counts_dropped(c), 0);
    } else {
        char name[MTP_COUNT_NAME_MAX];
        snprintf(name, sizeof name, "dropped.%s", want_reason);
        assert_string_equal(out.text, "");
        assert_int_equal(mtp_counts_get(c, name), 1);
        assert_int_equal(mtp_counts_dropped(c), 1);
    }
    assert_true(mtp_counts_balanced(c));
    test_collector_release(&out);
    mtp_stage_free(stage);
}

static mtp_filter_options identical_only(void)
{
    mtp_filter_options o = no_pair_rules();
    o.drop_identical = 1;
    return o;
}

/* Case, punctuation and spacing do not make a copy a translation. */
static void test_pair_identical_dropped(void **state)
{
    (void)state;
    const mtp_filter_options o = identical_only();
    expect_pair(&o, "Jakarta Fair 2023.", "JAKARTA  FAIR 2023!", "identical");
    expect_pair(&o, "\xc3\x89tude", "\xc3\xa9tude", "identical"); /* non-ASCII case */
}

static void test_pair_identical_one_letter_differs_kept(void **state)
{
    (void)state;
    const mtp_filter_options o = identical_only();
    expect_pair(&o, "Jakarta Fair 2023.", "Jakarta Fair 2024.", NULL);
    expect_pair(&o, "Harga naik", "Harga naik lagi", NULL);
}

static void test_pair_keep_identical(void **state)
{
    (void)state;
    const mtp_filter_options o = no_pair_rules();
    expect_pair(&o, "Jakarta Fair 2023.", "Jakarta Fair 2023.", NULL);
}

static mtp_filter_options ratio_only(void)
{
    mtp_filter_options o = no_pair_rules();
    o.max_length_ratio = 3.0;
    o.length_ratio_min_chars = 20;
    return o;
}

/* 30 code points against 10: a ratio of exactly 3 is kept, 31 is not. */
static void test_pair_length_ratio_at_limit_kept(void **state)
{
    (void)state;
    const mtp_filter_options o = ratio_only();
    expect_pair(&o, "abcdefghij abcdefghij abcdefgh", "abcdefghi\xc3\xa9", NULL);
}

static void test_pair_length_ratio_above_limit_dropped(void **state)
{
    (void)state;
    const mtp_filter_options o = ratio_only();
    expect_pair(&o, "abcdefghij abcdefghij abcdefghi", "abcdefghij", "length_ratio");
    expect_pair(&o, "abcdefghij", "abcdefghij abcdefghij abcdefghi", "length_ratio");
}

/* Below the guard the ratio is not checked: 19 against 1 is kept, 20 against
 * 6 (3.33) is dropped. */
static void test_pair_length_ratio_guard(void **state)
{
    (void)state;
    const mtp_filter_options o = ratio_only();
    expect_pair(&o, "Iya, memang begitu.", "Y", NULL);
    expect_pair(&o, "Iya, memang begitu..", "Indeed", "length_ratio");
}

static void test_pair_length_ratio_zero_is_off(void **state)
{
    (void)state;
    const mtp_filter_options o = no_pair_rules();
    expect_pair(&o, "abcdefghij abcdefghij abcdefghij abcdefghij", "a", NULL);
}

static mtp_filter_options latin_only(double min_ratio)
{
    mtp_filter_options o = no_pair_rules();
    o.src_min_latin_ratio = min_ratio;
    o.tgt_min_latin_ratio = min_ratio;
    return o;
}

/* "abcdefghi" + one Cyrillic letter: 9 of 10 letters Latin. */
static void test_pair_script_ratio_at_limit_kept(void **state)
{
    (void)state;
    const mtp_filter_options o = latin_only(0.9);
    expect_pair(&o, "Harga naik", "abcdefghi \xd0\x96", NULL);
}

static void test_pair_script_ratio_below_limit_dropped(void **state)
{
    (void)state;
    const mtp_filter_options o = latin_only(0.9);
    expect_pair(&o, "Harga naik", "abcdefgh \xd0\x96\xd0\x96", "script_ratio");
    expect_pair(&o, "\xd0\xa6\xd0\xb5\xd0\xbd\xd1\x8b", "Prices", "script_ratio");
}

/* Digits and punctuation are not letters; a side without letters passes. */
static void test_pair_script_ratio_ignores_nonletters(void **state)
{
    (void)state;
    const mtp_filter_options o = latin_only(1.0);
    expect_pair(&o, "Harga 1.000 (naik)!", "2023", NULL);
}

/* Each side has its own minimum. */
static void test_pair_script_ratio_per_side(void **state)
{
    (void)state;
    mtp_filter_options o = no_pair_rules();
    o.tgt_min_latin_ratio = 0.9;
    expect_pair(&o, "\xd0\xa6\xd0\xb5\xd0\xbd\xd1\x8b", "Prices", NULL);
    expect_pair(&o, "Prices", "\xd0\xa6\xd0\xb5\xd0\xbd\xd1\x8b", "script_ratio");
}

static mtp_filter_options links_only(void)
{
    mtp_filter_options o = no_pair_rules();
    o.drop_email_mismatch = 1;
    o.drop_url_mismatch = 1;
    return o;
}

static void test_pair_email_mismatch_dropped(void **state)
{
    (void)state;
    const mtp_filter_options o = links_only();
    expect_pair(&o, "Kirim ke redaksi@kabarnusa.com hari ini.",
                "Write to news@kabarnusa.com today.", "email_mismatch");
    expect_pair(&o, "Kirim ke redaksi@kabarnusa.com hari ini.", "Write to the newsroom today.",
                "email_mismatch");
}

static void test_pair_email_same_kept(void **state)
{
    (void)state;
    const mtp_filter_options o = links_only();
    expect_pair(&o, "Kirim ke Redaksi@KabarNusa.com hari ini.",
                "Write to (redaksi@kabarnusa.com) today.", NULL);
}

static void test_pair_url_mismatch_dropped(void **state)
{
    (void)state;
    const mtp_filter_options o = links_only();
    expect_pair(&o, "Lihat kabarnusa.com/jadwal untuk rinciannya.",
                "See kabarnusa.com/tarif for details.", "url_mismatch");
    expect_pair(&o, "Lihat https://kabarnusa.com/jadwal sekarang.", "See the website now.",
                "url_mismatch");
}

/* Scheme, "www.", case and a final '/' do not count. */
static void test_pair_url_spellings_kept(void **state)
{
    (void)state;
    const mtp_filter_options o = links_only();
    expect_pair(&o, "Lihat kabarnusa.com/jadwal untuk rinciannya.",
                "See https://www.KabarNusa.com/jadwal/ for details.", NULL);
}

/* Titles such as "Sp.KO." or "S.Sos." on one side only are not hosts. */
static void test_pair_url_titles_not_hosts(void **state)
{
    (void)state;
    const mtp_filter_options o = links_only();
    expect_pair(&o, "Ketua panitia, dr. Fajar Nugroho, Sp.KO., mengingatkan peserta.",
                "The head of the committee, Fajar Nugroho, reminded runners.", NULL);
    expect_pair(&o, "Juru bicara Dewi Anggraini, S.Sos., menyebut angka itu.",
                "Spokeswoman Dewi Anggraini gave the figure.", NULL);
}

static mtp_filter_options numbers_only(void)
{
    mtp_filter_options o = no_pair_rules();
    o.drop_number_mismatch = 1;
    return o;
}

/* Indonesian and English separators meet: 1.000,50 = 1,000.50. */
static void test_pair_numbers_separators_kept(void **state)
{
    (void)state;
    const mtp_filter_options o = numbers_only();
    expect_pair(&o, "Harga Rp 12.750,50 per kilogram.", "The price is 12,750.50 rupiah a kilo.",
                NULL);
    expect_pair(&o, "Naik dari Rp 10.500 menjadi Rp 10.800.", "Up from 10,500 to 10,800 rupiah.",
                NULL);
    expect_pair(&o, "Ia menjual 1,5 ton per hari.", "She sells 1.5 tons a day.", NULL);
    expect_pair(&o, "Sebanyak 850.000 orang.", "Some 850,000 people.", NULL);
    expect_pair(&o, "Dana Rp 75.000.000 disiapkan.", "Funds of 75,000,000 rupiah.", NULL);
}

/* Times: 10.30 = 10:30, and 08.00 = 8:00 (zeros dropped). */
static void test_pair_numbers_times_kept(void **state)
{
    (void)state;
    const mtp_filter_options o = numbers_only();
    expect_pair(&o, "Mulai pukul 10.30 WIB.", "It starts at 10:30 a.m.", NULL);
    expect_pair(&o, "Buka pukul 08.00 WIB.", "Opens at 8:00.", NULL);
}

/* juta/million, miliar/billion, ribu/thousand scale the number before them. */
static void test_pair_numbers_scale_words_kept(void **state)
{
    (void)state;
    const mtp_filter_options o = numbers_only();
    expect_pair(&o, "Dana Rp 250 juta.", "A fund of 250 million rupiah.", NULL);
    expect_pair(&o, "Dana Rp 75.000.000.", "A fund of 75 million rupiah.", NULL);
    expect_pair(&o, "Nilainya Rp 1,2 miliar.", "It cost 1.2 billion rupiah.", NULL);
    expect_pair(&o, "Ada 12 ribu pengunjung.", "There were 12,000 visitors.", NULL);
}

static void test_pair_numbers_differ_dropped(void **state)
{
    (void)state;
    const mtp_filter_options o = numbers_only();
    expect_pair(&o, "Air merendam 340 rumah.", "Water flooded 430 houses.", "number_mismatch");
    expect_pair(&o, "Sebanyak 3.000 pelari ikut.", "Thousands of runners took part.",
                "number_mismatch");
    expect_pair(&o, "Harga 1,5 juta.", "The price is 15 million.", "number_mismatch");
    expect_pair(&o, "Skor 2-1.", "The score was 21.", "number_mismatch");
}

/* The same numbers in another order, and repeated, compare as multisets. */
static void test_pair_numbers_multiset(void **state)
{
    (void)state;
    const mtp_filter_options o = numbers_only();
    expect_pair(&o, "Antara 5 dan 7, lalu 5 lagi.", "Five again after 7 and 5.", NULL);
    expect_pair(&o, "Ada 2 rumah dan 2 toko.", "There are 2 houses and shops.", "number_mismatch");
}

/* A number spelled as a word on the other side is forgiven, once. */
static void test_pair_numbers_words_forgiven(void **state)
{
    (void)state;
    const mtp_filter_options o = numbers_only();
    expect_pair(&o, "Tim mendirikan 2 dapur umum.", "The team set up two public kitchens.", NULL);
    expect_pair(&o, "Pembangunan memakan waktu enam bulan.", "Construction took 6 months.", NULL);
    expect_pair(&o, "Ada dua belas desa.", "There are 12 villages.", NULL);
    expect_pair(&o, "Ada 25 desa.", "There are twenty-five villages.", NULL);
    expect_pair(&o, "Ada dua puluh lima desa.", "There are 25 villages.", NULL);
    expect_pair(&o, "Ada 2 rumah dan 2 toko.", "There are two houses and shops.",
                "number_mismatch");
}

/* Month names (capitalised) forgive the month of a numeric date. */
static void test_pair_numbers_month_names_forgiven(void **state)
{
    (void)state;
    const mtp_filter_options o = numbers_only();
    expect_pair(&o, "Diresmikan pada Selasa (15/11/2022).", "Opened on Tuesday, Nov. 15, 2022.",
                NULL);
    expect_pair(&o, "Digelar pada 21/5/2023.", "Held on May 21, 2023.", NULL);
    expect_pair(&o, "Digelar pada 21/5/2023.", "It may be held on 21, 2023.", "number_mismatch");
}

/* Digits of any script count by value. */
/* A 12-hour time meets the 24-hour one: 3 p.m. = 15.00, 12:30 a.m. = 00.30. */
static void test_pair_numbers_12_hour_clock(void **state)
{
    (void)state;
    const mtp_filter_options o = numbers_only();
    expect_pair(&o, "Kelas mulai pukul 15.00 WIB.", "Classes start at 3 p.m.", NULL);
    expect_pair(&o, "Buka pukul 08.00-14.00 WIB.", "Open from 8 a.m. to 2 P.M. daily.", NULL);
    expect_pair(&o, "Pukul 12.00 dan 00.30.", "At 12 p.m. and 12:30 am.", NULL);
    expect_pair(&o, "Mulai pukul 15.30.", "From 3:30pm.", NULL);
    expect_pair(&o, "Mulai pukul 03.00.", "From 3 p.m.", "number_mismatch");
    expect_pair(&o, "Ada 3 ampul.", "There were 15 ampoules.", "number_mismatch");
}

static void test_pair_numbers_any_decimal_digits(void **state)
{
    (void)state;
    const mtp_filter_options o = numbers_only();
    expect_pair(&o, "Ada \xd9\xa1\xd9\xa2 rumah.", "There are 12 houses.", NULL);
    expect_pair(&o, "Ada \xd9\xa1\xd9\xa3 rumah.", "There are 12 houses.", "number_mismatch");
}

static void test_pair_keep_number_mismatch(void **state)
{
    (void)state;
    const mtp_filter_options o = no_pair_rules();
    expect_pair(&o, "Air merendam 340 rumah.", "Water flooded 430 houses.", NULL);
}

/* The langid hook sees each side with its name; 0 drops the pair. */
static int fake_lang_check(void *ctx, mtp_str text, mtp_filter_side side)
{
    int *calls = ctx;
    (*calls)++;
    const int english = text.len >= 4 && memcmp(text.ptr, "The ", 4) == 0;
    return side == MTP_FILTER_SRC ? !english : english;
}

static void test_pair_langid_hook(void **state)
{
    (void)state;
    int calls = 0;
    mtp_filter_options o = no_pair_rules();
    o.lang_check = fake_lang_check;
    o.lang_ctx = &calls;
    expect_pair(&o, "Harga naik.", "The price rose.", NULL);
    assert_int_equal(calls, 2);
    expect_pair(&o, "The price rose.", "The price rose.", "langid");
    expect_pair(&o, "Harga naik.", "Harga naik.", "langid");
}

/* The built-in guess: unsure unless one language leads by a wide margin. */
static void test_lang_guess_id_en(void **state)
{
    (void)state;
    assert_int_equal(mtp_lang_guess_id_en(mtp_str_from_cstr(
                         "Harga beras naik karena pasokan dari daerah belum lancar.")),
                     MTP_LANG_ID);
    assert_int_equal(mtp_lang_guess_id_en(mtp_str_from_cstr(
                         "The price of rice rose because supply from the regions was slow.")),
                     MTP_LANG_EN);
    /* English names inside an Indonesian sentence */
    assert_int_equal(mtp_lang_guess_id_en(mtp_str_from_cstr(
                         "Ekonom Institute for Development of Economics and Finance (Indef) "
                         "memiliki pendapat berbeda.")),
                     MTP_LANG_UNSURE);
    /* AS is the United States; -nya and -kan are Indonesian */
    assert_int_equal(mtp_lang_guess_id_en(mtp_str_from_cstr("AS AS AS menaikkan tarifnya.")),
                     MTP_LANG_ID);
    assert_int_equal(mtp_lang_guess_id_en(mtp_str_from_cstr("We love this game!")),
                     MTP_LANG_EN);
    assert_int_equal(mtp_lang_guess_id_en(mtp_str_from_cstr("Piala Dunia 2026")), MTP_LANG_UNSURE);
    assert_int_equal(mtp_lang_guess_id_en(mtp_str_from_cstr("")), MTP_LANG_UNSURE);
}

/* The built-in check drops a unit or side in the other language only. */
static void test_langid_builtin_units_and_pairs(void **state)
{
    (void)state;
    mtp_filter_options o = no_rules();
    o.langid.src = MTP_LANG_ID;
    expect_rule(&o, "The price of rice rose because supply was slow.", "langid");
    expect_rule(&o, "Harga beras naik karena pasokan belum lancar.", NULL);
    expect_rule(&o, "Piala Dunia 2026 di Amerika", NULL);
    mtp_filter_options p = no_pair_rules();
    p.langid = (mtp_filter_langs){MTP_LANG_ID, MTP_LANG_EN};
    expect_pair(&p, "Harga beras naik karena pasokan belum lancar.",
                "The price of rice rose because supply was slow.", NULL);
    expect_pair(&p, "The price of rice rose because supply was slow.",
                "The price of rice rose because supply was slow.", "langid");
    expect_pair(&p, "Harga beras naik karena pasokan belum lancar.",
                "Harga beras naik karena pasokan belum lancar.", "langid");
}

/* The pair rules run in their fixed order after the unit rules of both sides. */
static void test_pair_rule_order(void **state)
{
    (void)state;
    mtp_filter_options o;
    mtp_filter_options_default(&o);
    expect_pair(&o, "Harga naik 5 persen.", "Prices rose.", "too_few_words");
    expect_pair(&o, "Harga naik 5 persen hari ini.", "Harga naik 5 persen hari ini.", "identical");
    expect_pair(&o, "Harga naik 5 persen hari ini di seluruh pasar kota.", "Prices rose 6%.",
                "length_ratio");
    expect_pair(&o, "Harga naik 5 persen di kabarnusa.com/a hari ini.",
                "Prices rose 6 percent today, kabarnusa.com/b says.", "url_mismatch");
}

static void test_pair_defaults_keep_translation(void **state)
{
    (void)state;
    mtp_filter_options o;
    mtp_filter_options_default(&o);
    expect_pair(&o,
                "Pemerintah kabupaten menyiapkan dana darurat sebesar Rp 250 juta untuk kebutuhan "
                "logistik selama sepekan.",
                "The regency government has set aside an emergency fund of 250 million rupiah for "
                "a week of supplies.",
                NULL);
}

static void test_pair_bad_length_ratio_rejected(void **state)
{
    (void)state;
    mtp_filter_options o;
    mtp_filter_options_default(&o);
    o.max_length_ratio = 0.5;
    mtp_stage *stage = NULL;
    mtp_error err = {""};
    assert_status(mtp_filter_new(&o, &stage, &err), MTP_ERR_USAGE, NULL);
    assert_null(stage);
    assert_string_equal(err.message, "--max-length-ratio must be 0 or at least 1");
    mtp_filter_options_default(&o);
    o.tgt_min_latin_ratio = 1.5;
    assert_status(mtp_filter_new(&o, &stage, &err), MTP_ERR_USAGE, NULL);
    assert_string_equal(err.message, "--min-latin-ratio must be in [0,1]");
}

/* ---- bad input and options --------------------------------------------- */

static mtp_status feed_text(mtp_stage *stage, const char *text, test_collector *out)
{
    mtp_record rec;
    memset(&rec, 0, sizeof rec);
    rec.kind = MTP_RECORD_UNIT;
    rec.doc_id = mtp_str_from_cstr("doc-9");
    rec.unit = mtp_str_from_cstr("4.2");
    rec.text = mtp_str_from_cstr(text);
    const mtp_sink sink = test_collector_sink(out);
    return mtp_stage_feed(stage, &rec, &sink);
}

static void test_invalid_utf8_skip_counted(void **state)
{
    (void)state;
    const mtp_filter_options o = no_rules();
    mtp_stage *stage = new_stage(&o);
    test_collector out;
    assert_status(feed_text(stage, "caf\xc3 ok", &out), MTP_OK, mtp_stage_error(stage));
    assert_string_equal(out.text, "");
    assert_int_equal(mtp_counts_get(mtp_stage_counts(stage), "dropped.invalid_utf8"), 1);
    assert_true(mtp_counts_balanced(mtp_stage_counts(stage)));
    test_collector_release(&out);
    mtp_stage_free(stage);
}

static void test_invalid_utf8_fail_names_record(void **state)
{
    (void)state;
    mtp_filter_options o = no_rules();
    o.on_error = MTP_ON_ERROR_FAIL;
    mtp_stage *stage = new_stage(&o);
    test_collector out;
    assert_status(feed_text(stage, "\xc0\xaf overlong", &out), MTP_ERR_INPUT, NULL);
    assert_string_equal(mtp_stage_error(stage), "doc_id doc-9 unit 4.2: invalid_utf8");
    test_collector_release(&out);
    mtp_stage_free(stage);
}

static void test_min_above_max_rejected(void **state)
{
    (void)state;
    mtp_filter_options o;
    mtp_filter_options_default(&o);
    o.min_chars = 20;
    o.max_chars = 10;
    mtp_stage *stage = NULL;
    mtp_error err = {""};
    assert_status(mtp_filter_new(&o, &stage, &err), MTP_ERR_USAGE, NULL);
    assert_null(stage);
    assert_string_equal(err.message, "--min-chars 20 is above --max-chars 10");
}

static void test_out_of_memory_reported(void **state)
{
    (void)state;
    mtp_filter_options o;
    mtp_filter_options_default(&o);
    for (long n = 0;; n++) {
        mtp_stage *stage = NULL;
        mtp_error err = {""};
        mtp_alloc_fail_after(n);
        const mtp_status st = mtp_filter_new(&o, &stage, &err);
        mtp_alloc_fail_after(-1);
        mtp_stage_free(stage);
        if (st == MTP_OK) {
            break;
        }
        assert_status(st, MTP_ERR_NOMEM, err.message);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_min_chars_at_limit_kept),
        cmocka_unit_test(test_min_chars_one_less_dropped),
        cmocka_unit_test(test_max_chars_at_limit_kept),
        cmocka_unit_test(test_max_chars_one_more_dropped),
        cmocka_unit_test(test_max_chars_zero_is_no_limit),
        cmocka_unit_test(test_min_words_at_limit_kept),
        cmocka_unit_test(test_min_words_one_less_dropped),
        cmocka_unit_test(test_words_split_on_any_white_space),
        cmocka_unit_test(test_max_words_one_more_dropped),
        cmocka_unit_test(test_nonletter_ratio_at_limit_kept),
        cmocka_unit_test(test_nonletter_ratio_limit_exact_in_binary),
        cmocka_unit_test(test_nonletter_ratio_above_limit_dropped),
        cmocka_unit_test(test_nonletter_ratio_ignores_spaces),
        cmocka_unit_test(test_nonletter_ratio_marks_are_letters),
        cmocka_unit_test(test_link_teaser_dropped),
        cmocka_unit_test(test_link_teaser_words_in_a_sentence_kept),
        cmocka_unit_test(test_url_only_dropped),
        cmocka_unit_test(test_url_inside_sentence_kept),
        cmocka_unit_test(test_dotted_words_not_urls),
        cmocka_unit_test(test_email_only_dropped),
        cmocka_unit_test(test_email_in_sentence_kept),
        cmocka_unit_test(test_number_only_dropped),
        cmocka_unit_test(test_number_with_words_kept),
        cmocka_unit_test(test_keep_url_email_number),
        cmocka_unit_test(test_rule_order_number_before_lengths),
        cmocka_unit_test(test_rule_order_short_before_words),
        cmocka_unit_test(test_defaults_keep_news_sentence),
        cmocka_unit_test(test_many_records_exact_output),
        cmocka_unit_test(test_pair_target_rule_drops_pair),
        cmocka_unit_test(test_pair_identical_dropped),
        cmocka_unit_test(test_pair_identical_one_letter_differs_kept),
        cmocka_unit_test(test_pair_keep_identical),
        cmocka_unit_test(test_pair_length_ratio_at_limit_kept),
        cmocka_unit_test(test_pair_length_ratio_above_limit_dropped),
        cmocka_unit_test(test_pair_length_ratio_guard),
        cmocka_unit_test(test_pair_length_ratio_zero_is_off),
        cmocka_unit_test(test_pair_script_ratio_at_limit_kept),
        cmocka_unit_test(test_pair_script_ratio_below_limit_dropped),
        cmocka_unit_test(test_pair_script_ratio_ignores_nonletters),
        cmocka_unit_test(test_pair_script_ratio_per_side),
        cmocka_unit_test(test_pair_email_mismatch_dropped),
        cmocka_unit_test(test_pair_email_same_kept),
        cmocka_unit_test(test_pair_url_mismatch_dropped),
        cmocka_unit_test(test_pair_url_spellings_kept),
        cmocka_unit_test(test_pair_url_titles_not_hosts),
        cmocka_unit_test(test_pair_numbers_separators_kept),
        cmocka_unit_test(test_pair_numbers_times_kept),
        cmocka_unit_test(test_pair_numbers_scale_words_kept),
        cmocka_unit_test(test_pair_numbers_differ_dropped),
        cmocka_unit_test(test_pair_numbers_multiset),
        cmocka_unit_test(test_pair_numbers_words_forgiven),
        cmocka_unit_test(test_pair_numbers_month_names_forgiven),
        cmocka_unit_test(test_pair_numbers_12_hour_clock),
        cmocka_unit_test(test_pair_numbers_any_decimal_digits),
        cmocka_unit_test(test_pair_keep_number_mismatch),
        cmocka_unit_test(test_pair_langid_hook),
        cmocka_unit_test(test_lang_guess_id_en),
        cmocka_unit_test(test_langid_builtin_units_and_pairs),
        cmocka_unit_test(test_pair_rule_order),
        cmocka_unit_test(test_pair_defaults_keep_translation),
        cmocka_unit_test(test_pair_bad_length_ratio_rejected),
        cmocka_unit_test(test_invalid_utf8_skip_counted),
        cmocka_unit_test(test_invalid_utf8_fail_names_record),
        cmocka_unit_test(test_min_above_max_rejected),
        cmocka_unit_test(test_out_of_memory_reported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
