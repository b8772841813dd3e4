/* Unit tests of the stats stage: it passes records through unchanged and
 * balanced, counts documents on doc_id changes, measures code points, bytes
 * and words, fills power-of-two buckets at their edges, and writes exact
 * text and JSON reports (empty input, units, pairs). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "test_util.h"

/* ---- helpers ------------------------------------------------------------ */

static mtp_stage *new_stage(void)
{
    mtp_stage *stage = NULL;
    mtp_error err = {""};
    assert_status(mtp_stats_new(&stage, &err), MTP_OK, err.message);
    return stage;
}

/* Runs `in` through a fresh stage, checks records pass unchanged, and
 * returns the report (malloc'd). */
static char *report_of(const char *in, int json)
{
    mtp_stage *stage = new_stage();
    test_collector out;
    assert_status(test_run_stage(stage, in, &out), MTP_OK, mtp_stage_error(stage));
    assert_string_equal(out.text, in);
    assert_true(mtp_counts_balanced(mtp_stage_counts(stage)));
    test_collector_release(&out);
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    assert_non_null(mem);
    assert_status(mtp_stats_report(stage, json, mem), MTP_OK, NULL);
    assert_int_equal(fclose(mem), 0);
    mtp_stage_free(stage);
    return text;
}

static json_t *json_report_of(const char *in)
{
    char *text = report_of(in, 1);
    json_error_t error;
    json_t *root = json_loads(text, 0, &error);
    free(text);
    assert_non_null(root);
    return root;
}

static long long json_at(const json_t *root, const char *section, const char *measure,
                         const char *field)
{
    const json_t *v =
        json_object_get(json_object_get(json_object_get(root, section), measure), field);
    assert_non_null(v);
    return (long long)json_integer_value(v);
}

static const char units_in[] = "a\t1\tSatu dua tiga.\n"
                               "a\t2\t\xc3\x89.\n"
                               "b\t1\tHalo\n";

/* "Satu dua tiga." 14 code points, 3 words; "\u00C9." 2 code points in 3
 * bytes; "Halo" 4. Means 20/3 and 5/3. */
static const char units_text[] =
    "records               3  (units 3, pairs 0)\n"
    "documents             2\n"
    "\n"
    "text              total        min       mean        max\n"
    "  chars              20          2        6.7         14\n"
    "  bytes              21          3        7.0         14\n"
    "  words               5          1        1.7          3\n"
    "\n"
    "text: characters per text\n"
    "            2-3            1 ########################################\n"
    "            4-7            1 ########################################\n"
    "           8-15            1 ########################################\n"
    "\n"
    "text: words per text\n"
    "              1            2 ########################################\n"
    "            2-3            1 ####################\n";

static const char units_json[] = "{\n"
                                 "  \"records\": 3,\n"
                                 "  \"units\": 3,\n"
                                 "  \"pairs\": 0,\n"
                                 "  \"documents\": 2,\n"
                                 "  \"invalid_utf8\": 0,\n"
                                 "  \"text\": {\n"
                                 "    \"chars\": {\n"
                                 "      \"total\": 20,\n"
                                 "      \"min\": 2,\n"
                                 "      \"mean\": 6.666666667,\n"
                                 "      \"max\": 14,\n"
                                 "      \"histogram\": [\n"
                                 "        {\n"
                                 "          \"min\": 2,\n"
                                 "          \"max\": 3,\n"
                                 "          \"count\": 1\n"
                                 "        },\n"
                                 "        {\n"
                                 "          \"min\": 4,\n"
                                 "          \"max\": 7,\n"
                                 "          \"count\": 1\n"
                                 "        },\n"
                                 "        {\n"
                                 "          \"min\": 8,\n"
                                 "          \"max\": 15,\n"
                                 "          \"count\": 1\n"
                                 "        }\n"
                                 "      ]\n"
                                 "    },\n"
                                 "    \"bytes\": {\n"
                                 "      \"total\": 21,\n"
                                 "      \"min\": 3,\n"
                                 "      \"mean\": 7.0,\n"
                                 "      \"max\": 14\n"
                                 "    },\n"
                                 "    \"words\": {\n"
                                 "      \"total\": 5,\n"
                                 "      \"min\": 1,\n"
                                 "      \"mean\": 1.666666667,\n"
                                 "      \"max\": 3,\n"
                                 "      \"histogram\": [\n"
                                 "        {\n"
                                 "          \"min\": 1,\n"
                                 "          \"max\": 1,\n"
                                 "          \"count\": 2\n"
                                 "        },\n"
                                 "        {\n"
                                 "          \"min\": 2,\n"
                                 "          \"max\": 3,\n"
                                 "          \"count\": 1\n"
                                 "        }\n"
                                 "      ]\n"
                                 "    }\n"
                                 "  }\n"
                                 "}\n";

static const char empty_json[] = "{\n"
                                 "  \"records\": 0,\n"
                                 "  \"units\": 0,\n"
                                 "  \"pairs\": 0,\n"
                                 "  \"documents\": 0,\n"
                                 "  \"invalid_utf8\": 0,\n"
                                 "  \"text\": {\n"
                                 "    \"chars\": {\n"
                                 "      \"total\": 0,\n"
                                 "      \"min\": 0,\n"
                                 "      \"mean\": 0.0,\n"
                                 "      \"max\": 0,\n"
                                 "      \"histogram\": []\n"
                                 "    },\n"
                                 "    \"bytes\": {\n"
                                 "      \"total\": 0,\n"
                                 "      \"min\": 0,\n"
                                 "      \"mean\": 0.0,\n"
                                 "      \"max\": 0\n"
                                 "    },\n"
                                 "    \"words\": {\n"
                                 "      \"total\": 0,\n"
                                 "      \"min\": 0,\n"
                                 "      \"mean\": 0.0,\n"
                                 "      \"max\": 0,\n"
                                 "      \"histogram\": []\n"
                                 "    }\n"
                                 "  }\n"
                                 "}\n";

/* ---- tests -------------------------------------------------------------- */

static void test_empty_input_text_report(void **state)
{
    (void)state;
    char *text = report_of("", 0);
    assert_string_equal(text, "records               0  (units 0, pairs 0)\n"
                              "documents             0\n");
    free(text);
}

static void test_empty_input_json_report(void **state)
{
    (void)state;
    char *text = report_of("", 1);
    assert_string_equal(text, empty_json);
    free(text);
}

static void test_units_text_report(void **state)
{
    (void)state;
    char *text = report_of(units_in, 0);
    assert_string_equal(text, units_text);
    free(text);
}

static void test_units_json_report(void **state)
{
    (void)state;
    char *text = report_of(units_in, 1);
    assert_string_equal(text, units_json);
    free(text);
}

/* A doc_id that comes back after another counts as a new document. */
static void test_documents_counted_on_change(void **state)
{
    (void)state;
    json_t *root = json_report_of("a\t1\tx\na\t2\ty\nb\t1\tz\na\t3\tw\n");
    assert_int_equal(json_integer_value(json_object_get(root, "documents")), 3);
    assert_int_equal(json_integer_value(json_object_get(root, "records")), 4);
    json_decref(root);
}

/* Lengths 1, 2, 3, 4, 7, 8: buckets 1, 2-3, 4-7, 8-15 hold 1, 2, 2, 1. */
static void test_histogram_bucket_edges(void **state)
{
    (void)state;
    json_t *root = json_report_of("d\t1\ta\nd\t2\tab\nd\t3\tabc\nd\t4\tabcd\n"
                                  "d\t5\tabcdefg\nd\t6\tabcdefgh\n");
    const json_t *hist =
        json_object_get(json_object_get(json_object_get(root, "text"), "chars"), "histogram");
    assert_int_equal(json_array_size(hist), 4);
    const long long want[4][3] = {{1, 1, 1}, {2, 3, 2}, {4, 7, 2}, {8, 15, 1}};
    for (size_t i = 0; i < 4; i++) {
        const json_t *b = json_array_get(hist, i);
        assert_int_equal(json_integer_value(json_object_get(b, "min")), want[i][0]);
        assert_int_equal(json_integer_value(json_object_get(b, "max")), want[i][1]);
        assert_int_equal(json_integer_value(json_object_get(b, "count")), want[i][2]);
    }
    json_decref(root);
}

/* Code points, not bytes; words split on any White_Space. */
static void test_measures_code_points_and_words(void **state)
{
    (void)state;
    json_t *root = json_report_of("d\t1\t\xc3\xa9t\xc3\xa9  di\xc2\xa0Jakarta\n");
    assert_int_equal(json_at(root, "text", "chars", "total"), 15);
    assert_int_equal(json_at(root, "text", "bytes", "total"), 18);
    assert_int_equal(json_at(root, "text", "words", "total"), 3);
    json_decref(root);
}

static void test_pairs_measure_both_sides(void **state)
{
    (void)state;
    json_t *root = json_report_of("d\t1.1=1.1\tHarga naik.\tPrices rose sharply.\t0.9000\n"
                                  "d\t1.2\tSatu.\n");
    assert_int_equal(json_integer_value(json_object_get(root, "pairs")), 1);
    assert_int_equal(json_integer_value(json_object_get(root, "units")), 1);
    assert_int_equal(json_at(root, "text", "words", "total"), 3);
    assert_int_equal(json_at(root, "tgt", "words", "total"), 3);
    assert_int_equal(json_at(root, "tgt", "chars", "max"), 20);
    json_decref(root);
}

static void test_report_rejects_other_stage(void **state)
{
    (void)state;
    mtp_filter_options o;
    mtp_filter_options_default(&o);
    mtp_stage *stage = NULL;
    assert_status(mtp_filter_new(&o, &stage, NULL), MTP_OK, NULL);
    assert_status(mtp_stats_report(stage, 0, stderr), MTP_ERR_USAGE, NULL);
    mtp_stage_free(stage);
}

static void test_out_of_memory_reported(void **state)
{
    (void)state;
    for (long n = 0;; n++) {
        mtp_stage *stage = NULL;
        mtp_error err = {""};
        mtp_alloc_fail_after(n);
        const mtp_status st = mtp_stats_new(&stage, &err);
        mtp_alloc_fail_after(-1);
        mtp_stage_free(stage);
        if (st == MTP_OK) {
            break;
        }
        assert_status(st, MTP_ERR_NOMEM, err.message);
    }
}

/* Earlier stages' counts come out as one line each, reasons in order. */
static void test_stage_counts_text_report(void **state)
{
    (void)state;
    mtp_stage *stage = new_stage();
    mtp_counts c;
    mtp_counts_init(&c, "filter");
    mtp_counts_add(&c, "in", 10);
    mtp_counts_add(&c, "out", 7);
    mtp_counts_drop(&c, "too_short", 2);
    mtp_counts_drop(&c, "url_only", 1);
    mtp_counts_drop(&c, "too_long", 0);
    assert_status(mtp_stats_add_stage_counts(stage, &c), MTP_OK, NULL);
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    assert_non_null(mem);
    assert_status(mtp_stats_report(stage, 0, mem), MTP_OK, NULL);
    assert_int_equal(fclose(mem), 0);
    assert_string_equal(text, "records               0  (units 0, pairs 0)\n"
                              "documents             0\n"
                              "\n"
                              "stage                  in          out        split      dropped  "
                              "reasons\n"
                              "filter                 10            7            0            3  "
                              "too_short 2, url_only 1\n");
    free(text);
    mtp_stage_free(stage);
}

static void test_stage_counts_limit(void **state)
{
    (void)state;
    mtp_stage *stage = new_stage();
    mtp_counts c;
    mtp_counts_init(&c, "dedup");
    for (int i = 0; i < MTP_STATS_MAX_STAGES; i++) {
        assert_status(mtp_stats_add_stage_counts(stage, &c), MTP_OK, NULL);
    }
    assert_status(mtp_stats_add_stage_counts(stage, &c), MTP_ERR_LIMIT, NULL);
    mtp_stage_free(stage);
}

/* The doc_id copy is the one allocation of feed. */
static void test_out_of_memory_in_feed(void **state)
{
    (void)state;
    mtp_stage *stage = new_stage();
    test_collector out;
    mtp_alloc_fail_after(0);
    const mtp_status st = test_run_stage(stage, "a\t1\tx\n", &out);
    mtp_alloc_fail_after(-1);
    assert_status(st, MTP_ERR_NOMEM, NULL);
    assert_string_equal(mtp_stage_error(stage), "out of memory");
    test_collector_release(&out);
    mtp_stage_free(stage);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_input_text_report),
        cmocka_unit_test(test_empty_input_json_report),
        cmocka_unit_test(test_units_text_report),
        cmocka_unit_test(test_units_json_report),
        cmocka_unit_test(test_documents_counted_on_change),
        cmocka_unit_test(test_histogram_bucket_edges),
        cmocka_unit_test(test_measures_code_points_and_words),
        cmocka_unit_test(test_pairs_measure_both_sides),
        cmocka_unit_test(test_report_rejects_other_stage),
        cmocka_unit_test(test_out_of_memory_reported),
        cmocka_unit_test(test_out_of_memory_in_feed),
        cmocka_unit_test(test_stage_counts_text_report),
        cmocka_unit_test(test_stage_counts_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
