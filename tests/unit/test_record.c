/* The record format: round trips and one rejection per malformed shape. */
#include "test_util.h"

#include <string.h>

static void round_trip(const char *line)
{
    mtp_record rec;
    const size_t len = strlen(line);
    assert_int_equal(mtp_record_parse(line, len, &rec), MTP_DEFECT_NONE);
    char out[256];
    assert_int_equal(mtp_record_formatted_len(&rec), len + 1);
    const size_t n = mtp_record_format(&rec, out);
    assert_int_equal(n, len + 1);
    assert_memory_equal(out, line, len);
    assert_int_equal(out[len], '\n');
}

static void unit_record_round_trips(void **state)
{
    (void)state;
    round_trip("id/2022/a\t3\tRusia membeli roket.");
    round_trip("doc\t3.2\t");
    round_trip("doc\t1.1\tKata \"kutip\" dan émoji ✓");
}

static void pair_record_round_trips(void **state)
{
    (void)state;
    round_trip("doc\t3.2+3.3=4.1\tHalo dunia.\tHello world.\t0.9731");
    round_trip("doc\t1.1=1.1\ta\tb\t1.0000");
    round_trip("doc\t1.1=1.1\ta\tb\t0.0000");
}

static void parse_fills_views(void **state)
{
    (void)state;
    const char *line = "d1\t2.1\tsrc\ttgt\t0.5000";
    mtp_record rec;
    assert_int_equal(mtp_record_parse(line, strlen(line), &rec), MTP_DEFECT_NONE);
    assert_int_equal(rec.kind, MTP_RECORD_PAIR);
    assert_int_equal(rec.doc_id.len, 2);
    assert_memory_equal(rec.unit.ptr, "2.1", 3);
    assert_memory_equal(rec.text.ptr, "src", 3);
    assert_memory_equal(rec.tgt.ptr, "tgt", 3);
    assert_true(rec.score == 0.5);
}

static void expect_defect(const char *line, size_t len, mtp_record_defect want, const char *name)
{
    mtp_record rec;
    const mtp_record_defect got = mtp_record_parse(line, len, &rec);
    assert_int_equal(got, want);
    assert_string_equal(mtp_record_defect_name(got), name);
}

static void rejects_two_fields(void **state)
{
    (void)state;
    expect_defect("doc\t1", 5, MTP_DEFECT_FIELD_COUNT, "field_count");
}

static void rejects_four_and_six_fields(void **state)
{
    (void)state;
    expect_defect("a\t1\tb\tc", 7, MTP_DEFECT_FIELD_COUNT, "field_count");
    expect_defect("a\t1\tb\tc\t0.1\tx", 13, MTP_DEFECT_FIELD_COUNT, "field_count");
}

static void rejects_empty_doc_id(void **state)
{
    (void)state;
    expect_defect("\t1\ttext", 7, MTP_DEFECT_EMPTY_FIELD, "empty_field");
}

static void rejects_invalid_utf8(void **state)
{
    (void)state;
    expect_defect("a\t1\t\xC3\x28", 6, MTP_DEFECT_INVALID_UTF8, "invalid_utf8");
}

static void rejects_overlong_utf8(void **state)
{
    (void)state;
    expect_defect("a\t1\t\xC0\xAF", 6, MTP_DEFECT_INVALID_UTF8, "invalid_utf8");
    expect_defect("a\t1\t\xE0\x80\xAF", 7, MTP_DEFECT_INVALID_UTF8, "invalid_utf8");
}

static void rejects_surrogate_utf8(void **state)
{
    (void)state;
    expect_defect("a\t1\t\xED\xA0\x80", 7, MTP_DEFECT_INVALID_UTF8, "invalid_utf8");
}

static void rejects_nul_byte(void **state)
{
    (void)state;
    expect_defect("a\t1\tx\0y", 7, MTP_DEFECT_NUL_BYTE, "nul_byte");
}

static void rejects_cr(void **state)
{
    (void)state;
    expect_defect("a\t1\ttext\r", 9, MTP_DEFECT_CONTROL_CHAR, "cr_in_line");
}

static void rejects_bad_scores(void **state)
{
    (void)state;
    expect_defect("a\t1\tb\tc\t1.5", 11, MTP_DEFECT_BAD_SCORE, "bad_score");
    expect_defect("a\t1\tb\tc\t-0.1", 12, MTP_DEFECT_BAD_SCORE, "bad_score");
    expect_defect("a\t1\tb\tc\tnan", 11, MTP_DEFECT_BAD_SCORE, "bad_score");
    expect_defect("a\t1\tb\tc\t", 8, MTP_DEFECT_BAD_SCORE, "bad_score");
}

static void score_is_rounded_to_four_places(void **state)
{
    (void)state;
    mtp_record rec = {MTP_RECORD_PAIR, {"d", 1}, {"1.1=1.1", 7}, {"a", 1}, {"b", 1}, 0.12346};
    char out[64];
    const size_t n = mtp_record_format(&rec, out);
    assert_int_equal(n, strlen("d\t1.1=1.1\ta\tb\t0.1235\n"));
    assert_memory_equal(out, "d\t1.1=1.1\ta\tb\t0.1235\n", n);
}

static void unit_numbers_format_and_parse(void **state)
{
    (void)state;
    char text[MTP_UNIT_CAPACITY];
    assert_int_equal(mtp_unit_format(3, 0, text), 1);
    assert_string_equal(text, "3");
    assert_int_equal(mtp_unit_format(3, 12, text), 4);
    assert_string_equal(text, "3.12");
    uint32_t p = 0, s = 0;
    assert_int_equal(mtp_unit_parse(mtp_str_from_cstr("7.2"), &p, &s), MTP_OK);
    assert_int_equal(p, 7);
    assert_int_equal(s, 2);
    assert_int_equal(mtp_unit_parse(mtp_str_from_cstr("7"), &p, &s), MTP_OK);
    assert_int_equal(s, 0);
}

static void unit_numbers_reject_malformed(void **state)
{
    (void)state;
    uint32_t p = 0, s = 0;
    const char *bad[] = {"", "0", "01", "3.", ".3", "3.0", "3.2.1", "x", "-1", "99999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(mtp_unit_parse(mtp_str_from_cstr(bad[i]), &p, &s), MTP_ERR_INPUT);
    }
}

static void utf8_validator_accepts_edges(void **state)
{
    (void)state;
    assert_true(mtp_utf8_is_valid("\xF4\x8F\xBF\xBF", 4));   /* U+10FFFF */
    assert_false(mtp_utf8_is_valid("\xF4\x90\x80\x80", 4));  /* > U+10FFFF */
    assert_true(mtp_utf8_is_valid("\xEF\xBB\xBF", 3));       /* BOM is valid UTF-8 */
    assert_false(mtp_utf8_is_valid("\xE2\x82", 2));          /* truncated */
    assert_true(mtp_utf8_is_valid("", 0));
}

/* The validator skips ASCII eight bytes at a time: bad bytes at every offset
 * of a long line, and at its very end, are still found. */
static void utf8_validator_finds_bad_byte_at_every_offset(void **state)
{
    (void)state;
    char text[40];
    for (size_t at = 0; at < sizeof text; at++) {
        memset(text, 'a', sizeof text);
        text[at] = (char)0xFF;
        assert_false(mtp_utf8_is_valid(text, sizeof text));
        text[at] = (char)0xC3; /* a lead byte cut off by the end, or followed by 'a' */
        assert_false(mtp_utf8_is_valid(text, sizeof text));
    }
    memset(text, 'a', sizeof text);
    memcpy(text + 30, "\xE2\x80\xA6", 3); /* U+2026 after 30 ASCII bytes */
    assert_true(mtp_utf8_is_valid(text, sizeof text));
}

static void unit_number_largest_values(void **state)
{
    (void)state;
    char text[MTP_UNIT_CAPACITY];
    assert_int_equal(mtp_unit_format(4294967295u, 4294967295u, text), 21);
    assert_string_equal(text, "4294967295.4294967295");
    assert_int_equal(mtp_unit_format(10, 0, text), 2);
    assert_string_equal(text, "10");
}

static void clean_field_check(void **state)
{
    (void)state;
    assert_true(mtp_field_is_clean(mtp_str_from_cstr("a b")));
    assert_false(mtp_field_is_clean(mtp_str_from_cstr("a\tb")));
    assert_false(mtp_field_is_clean(mtp_str_from_cstr("a\nb")));
    assert_false(mtp_field_is_clean(mtp_str_from_cstr("a\rb")));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(unit_record_round_trips),
        cmocka_unit_test(pair_record_round_trips),
        cmocka_unit_test(parse_fills_views),
        cmocka_unit_test(rejects_two_fields),
        cmocka_unit_test(rejects_four_and_six_fields),
        cmocka_unit_test(rejects_empty_doc_id),
        cmocka_unit_test(rejects_invalid_utf8),
        cmocka_unit_test(rejects_overlong_utf8),
        cmocka_unit_test(rejects_surrogate_utf8),
        cmocka_unit_test(rejects_nul_byte),
        cmocka_unit_test(rejects_cr),
        cmocka_unit_test(rejects_bad_scores),
        cmocka_unit_test(score_is_rounded_to_four_places),
        cmocka_unit_test(unit_numbers_format_and_parse),
        cmocka_unit_test(unit_numbers_reject_malformed),
        cmocka_unit_test(utf8_validator_accepts_edges),
        cmocka_unit_test(utf8_validator_finds_bad_byte_at_every_offset),
        cmocka_unit_test(unit_number_largest_values),
        cmocka_unit_test(clean_field_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
