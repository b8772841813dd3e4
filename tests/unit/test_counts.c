/* Counters: order, drops, balance, summary line, JSON round trip. */
#include "test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void keeps_insertion_order_and_sums_drops(void **state)
{
    (void)state;
    mtp_counts c;
    mtp_counts_init(&c, "filter");
    mtp_counts_add(&c, "in", 10);
    mtp_counts_add(&c, "out", 7);
    mtp_counts_drop(&c, "too_short", 2);
    mtp_counts_drop(&c, "url_only", 1);
    mtp_counts_drop(&c, "too_short", 0);
    assert_string_equal(c.names[2], "dropped.too_short");
    assert_int_equal(mtp_counts_get(&c, "dropped.too_short"), 2);
    assert_int_equal(mtp_counts_dropped(&c), 3);
    assert_int_equal(mtp_counts_get(&c, "missing"), 0);
    assert_true(mtp_counts_balanced(&c));
    mtp_counts_add(&c, "out", 1);
    assert_false(mtp_counts_balanced(&c));
}

static void split_counts_in_balance(void **state)
{
    (void)state;
    mtp_counts c;
    mtp_counts_init(&c, "segment");
    mtp_counts_add(&c, "in", 2);
    mtp_counts_add(&c, "split", 3);
    mtp_counts_add(&c, "out", 4);
    mtp_counts_drop(&c, "empty", 1);
    assert_true(mtp_counts_balanced(&c));
}

static void summary_line_is_exact(void **state)
{
    (void)state;
    mtp_counts c;
    mtp_counts_init(&c, "filter");
    mtp_counts_add(&c, "in", 10);
    mtp_counts_add(&c, "out", 7);
    mtp_counts_drop(&c, "too_short", 2);
    mtp_counts_drop(&c, "url_only", 1);
    char buf[256] = {0};
    FILE *f = fmemopen(buf, sizeof buf, "w");
    mtp_counts_print_summary(&c, f);
    fclose(f);
    assert_string_equal(buf, "mtprep filter: in 10, out 7, dropped 3 (too_short 2, url_only 1)\n");
}

static void summary_without_drops(void **state)
{
    (void)state;
    mtp_counts c;
    mtp_counts_init(&c, "dedup");
    mtp_counts_add(&c, "in", 0);
    mtp_counts_add(&c, "out", 0);
    char buf[256] = {0};
    FILE *f = fmemopen(buf, sizeof buf, "w");
    mtp_counts_print_summary(&c, f);
    fclose(f);
    assert_string_equal(buf, "mtprep dedup: in 0, out 0, dropped 0\n");
}

static void json_round_trip(void **state)
{
    (void)state;
    mtp_counts c, back;
    mtp_counts_init(&c, "normalize");
    mtp_counts_add(&c, "in", 5);
    mtp_counts_add(&c, "out", 4);
    mtp_counts_drop(&c, "invalid_utf8", 1);
    char path[512];
    snprintf(path, sizeof path, "%s/c.json", test_temp_dir());
    assert_status(mtp_counts_save_json(&c, path), MTP_OK, path);
    assert_status(mtp_counts_load_json(&back, path), MTP_OK, path);
    assert_string_equal(back.stage, "normalize");
    assert_int_equal(back.n, 3);
    assert_string_equal(back.names[2], "dropped.invalid_utf8");
    assert_int_equal(mtp_counts_get(&back, "in"), 5);
}

static void json_load_rejects_other_documents(void **state)
{
    (void)state;
    mtp_counts c;
    const char *path = test_write_file("x.json", "{\"a\": 1}", 8);
    assert_status(mtp_counts_load_json(&c, path), MTP_ERR_INPUT, path);
    assert_status(mtp_counts_load_json(&c, "/nonexistent.json"), MTP_ERR_IO, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(keeps_insertion_order_and_sums_drops),
        cmocka_unit_test(split_counts_in_balance),
        cmocka_unit_test(summary_line_is_exact),
        cmocka_unit_test(summary_without_drops),
        cmocka_unit_test(json_round_trip),
        cmocka_unit_test(json_load_rejects_other_documents),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
