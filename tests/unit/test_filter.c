/* Unit tests of the filter stage: each rule at its boundary (kept at the
 * limit, dropped one past it), the URL/e-mail/number shapes, the fixed rule
 * order, pair records, invalid UTF-8 under both policies, option checks and
 * allocation failure. Every test checks the exact output and the counts. */
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
        cmocka_unit_test(test_invalid_utf8_skip_counted),
        cmocka_unit_test(test_invalid_utf8_fail_names_record),
        cmocka_unit_test(test_min_above_max_rejected),
        cmocka_unit_test(test_out_of_memory_reported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
