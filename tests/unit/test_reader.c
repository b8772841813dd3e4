/* The streaming reader: codecs by magic bytes, line limits, truncation. */
#include "test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#define TEST_MAX_LINE 64

static mtp_reader *open_bytes(const char *name, const void *data, size_t len, size_t max_line)
{
    const char *path = test_write_file(name, data, len);
    assert_non_null(path);
    mtp_reader *r = NULL;
    mtp_error err = {{0}};
    assert_status(mtp_reader_open(path, name, max_line, &r, &err), MTP_OK, err.message);
    return r;
}

/* Reads every line and joins them with '|' into out. Returns the final status. */
static mtp_status read_lines(mtp_reader *r, char *out, size_t capacity)
{
    out[0] = '\0';
    const char *line = NULL;
    size_t len = 0;
    mtp_status st;
    while ((st = mtp_reader_next_line(r, &line, &len)) == MTP_OK || st == MTP_ERR_LIMIT) {
        const size_t used = strlen(out);
        if (st == MTP_ERR_LIMIT) {
            snprintf(out + used, capacity - used, "%s<LONG>", used ? "|" : "");
        } else {
            snprintf(out + used, capacity - used, "%s%.*s", used ? "|" : "", (int)len, line);
        }
    }
    return st;
}

static void plain_lines(void **state)
{
    (void)state;
    mtp_reader *r = open_bytes("a.txt", "one\ntwo\n\nfour\n", 14, TEST_MAX_LINE);
    char got[256];
    assert_status(read_lines(r, got, sizeof got), MTP_END, mtp_reader_error(r));
    assert_string_equal(got, "one|two||four");
    assert_int_equal(mtp_reader_line_number(r), 4);
    assert_string_equal(mtp_reader_codec(r), "plain");
    mtp_reader_close(r);
}

static void no_final_newline(void **state)
{
    (void)state;
    mtp_reader *r = open_bytes("a.txt", "one\ntwo", 7, TEST_MAX_LINE);
    char got[256];
    assert_status(read_lines(r, got, sizeof got), MTP_END, mtp_reader_error(r));
    assert_string_equal(got, "one|two");
    mtp_reader_close(r);
}

static void empty_input(void **state)
{
    (void)state;
    mtp_reader *r = open_bytes("empty.txt", "", 0, TEST_MAX_LINE);
    char got[16];
    assert_status(read_lines(r, got, sizeof got), MTP_END, mtp_reader_error(r));
    assert_string_equal(got, "");
    mtp_reader_close(r);
}

static void bom_is_dropped(void **state)
{
    (void)state;
    mtp_reader *r = open_bytes("bom.txt", "\xEF\xBB\xBFhalo\nx\n", 10, TEST_MAX_LINE);
    char got[64];
    assert_status(read_lines(r, got, sizeof got), MTP_END, mtp_reader_error(r));
    assert_string_equal(got, "halo|x");
    mtp_reader_close(r);
}

static void line_over_limit_is_skipped(void **state)
{
    (void)state;
    char data[300];
    memset(data, 'x', sizeof data);
    memcpy(data, "ok\n", 3);
    data[200] = '\n';
    memcpy(data + 201, "after\n", 6);
    mtp_reader *r = open_bytes("long.txt", data, 207, TEST_MAX_LINE);
    char got[256];
    assert_status(read_lines(r, got, sizeof got), MTP_END, mtp_reader_error(r));
    assert_string_equal(got, "ok|<LONG>|after");
    assert_int_equal(mtp_reader_line_number(r), 3);
    mtp_reader_close(r);
}

/* A multi-byte character that straddles the 128 KiB read chunk comes back whole. */
static void character_straddling_the_buffer(void **state)
{
    (void)state;
    const size_t chunk = 128 * 1024;
    const size_t size = chunk + 100;
    char *data = malloc(size);
    memset(data, 'a', size);
    for (size_t i = 1000; i < size; i += 1000) {
        data[i] = '\n';
    }
    const size_t at = chunk - 1; /* "é" = C3 A9 split across the boundary */
    data[at] = '\xC3';
    data[at + 1] = '\xA9';
    mtp_reader *r = open_bytes("straddle.txt", data, size, 4096);
    const char *line = NULL;
    size_t len = 0;
    int found = 0;
    mtp_status st;
    while ((st = mtp_reader_next_line(r, &line, &len)) == MTP_OK) {
        assert_true(mtp_utf8_is_valid(line, len));
        const char *c3 = memchr(line, 0xC3, len);
        found += c3 != NULL && (size_t)(c3 - line) + 1 < len && c3[1] == (char)0xA9;
    }
    assert_status(st, MTP_END, mtp_reader_error(r));
    assert_int_equal(found, 1);
    mtp_reader_close(r);
    free(data);
}

static size_t make_zstd(const char *text, void *dst, size_t capacity)
{
    const size_t n = ZSTD_compress(dst, capacity, text, strlen(text), 3);
    assert_false(ZSTD_isError(n));
    return n;
}

static size_t make_gzip(const char *text, unsigned char *dst, size_t capacity)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
    z.next_in = (unsigned char *)text;
    z.avail_in = (uInt)strlen(text);
    z.next_out = dst;
    z.avail_out = (uInt)capacity;
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    const size_t n = capacity - z.avail_out;
    deflateEnd(&z);
    return n;
}

static void zstd_by_magic(void **state)
{
    (void)state;
    unsigned char z[256];
    const size_t n = make_zstd("satu\ndua\n", z, sizeof z);
    mtp_reader *r = open_bytes("no-extension", z, n, TEST_MAX_LINE);
    char got[64];
    assert_status(read_lines(r, got, sizeof got), MTP_END, mtp_reader_error(r));
    assert_string_equal(got, "satu|dua");
    assert_string_equal(mtp_reader_codec(r), "zstd");
    mtp_reader_close(r);
}

static void zstd_concatenated_frames(void **state)
{
    (void)state;
    unsigned char z[512];
    size_t n = make_zstd("satu\n", z, sizeof z);
    n += make_zstd("dua\n", z + n, sizeof z - n);
    mtp_reader *r = open_bytes("two.zst", z, n, TEST_MAX_LINE);
    char got[64];
    assert_status(read_lines(r, got, sizeof got), MTP_END, mtp_reader_error(r));
    assert_string_equal(got, "satu|dua");
    mtp_reader_close(r);
}

static void truncated_zstd(void **state)
{
    (void)state;
    unsigned char z[256];
    const size_t n = make_zstd("satu\ndua\ntiga\nempat\n", z, sizeof z);
    mtp_reader *r = open_bytes("cut.zst", z, n - 3, TEST_MAX_LINE);
    char got[64];
    assert_status(read_lines(r, got, sizeof got), MTP_ERR_CODEC, "");
    assert_non_null(strstr(mtp_reader_error(r), "cut.zst: truncated zstd stream"));
    mtp_reader_close(r);
}

static void corrupt_zstd(void **state)
{
    (void)state;
    /* a zstd magic number followed by a reserved frame header */
    unsigned char z[32];
    memset(z, 0xFF, sizeof z);
    memcpy(z, "\x28\xB5\x2F\xFD", 4);
    mtp_reader *r = open_bytes("bad.zst", z, sizeof z, TEST_MAX_LINE);
    char got[64];
    assert_status(read_lines(r, got, sizeof got), MTP_ERR_CODEC, "");
    assert_non_null(strstr(mtp_reader_error(r), "bad.zst: corrupt zstd data"));
    mtp_reader_close(r);
}

static void gzip_by_magic(void **state)
{
    (void)state;
    unsigned char z[256];
    const size_t n = make_gzip("satu\ndua\n", z, sizeof z);
    mtp_reader *r = open_bytes("x.txt", z, n, TEST_MAX_LINE);
    char got[64];
    assert_status(read_lines(r, got, sizeof got), MTP_END, mtp_reader_error(r));
    assert_string_equal(got, "satu|dua");
    assert_string_equal(mtp_reader_codec(r), "gzip");
    mtp_reader_close(r);
}

static void gzip_concatenated_members(void **state)
{
    (void)state;
    unsigned char z[512];
    size_t n = make_gzip("satu\n", z, sizeof z);
    n += make_gzip("dua\n", z + n, sizeof z - n);
    mtp_reader *r = open_bytes("two.gz", z, n, TEST_MAX_LINE);
    char got[64];
    assert_status(read_lines(r, got, sizeof got), MTP_END, mtp_reader_error(r));
    assert_string_equal(got, "satu|dua");
    mtp_reader_close(r);
}

static void truncated_gzip(void **state)
{
    (void)state;
    unsigned char z[256];
    const size_t n = make_gzip("satu\ndua\ntiga\nempat\n", z, sizeof z);
    mtp_reader *r = open_bytes("cut.gz", z, n - 6, TEST_MAX_LINE);
    char got[64];
    assert_status(read_lines(r, got, sizeof got), MTP_ERR_CODEC, "");
    assert_non_null(strstr(mtp_reader_error(r), "cut.gz: truncated gzip stream"));
    mtp_reader_close(r);
}

static void unreadable_file(void **state)
{
    (void)state;
    mtp_reader *r = NULL;
    mtp_error err = {{0}};
    assert_status(mtp_reader_open("/nonexistent/x.txt", NULL, 0, &r, &err), MTP_ERR_IO, "");
    assert_null(r);
    assert_string_equal(err.message, "/nonexistent/x.txt: cannot open: No such file or directory");
}

/* Files read one after another as one input: zstd frames of three files
 * (one of them empty) join, lines run across the files' boundaries. */
static void files_read_as_one_input(void **state)
{
    (void)state;
    unsigned char z[256];
    size_t n = make_zstd("satu\ndu", z, sizeof z);
    char first[4096], second[4096], third[4096];
    snprintf(first, sizeof first, "%s", test_write_file("part-0.zst", z, n));
    snprintf(second, sizeof second, "%s", test_write_file("part-1.zst", "", 0));
    n = make_zstd("a\ntiga\n", z, sizeof z);
    snprintf(third, sizeof third, "%s", test_write_file("part-2.zst", z, n));
    const char *const paths[] = {first, second, third};
    mtp_reader *r = NULL;
    mtp_error err = {{0}};
    assert_status(mtp_reader_open_files(paths, 3, "parts", TEST_MAX_LINE, &r, &err), MTP_OK,
                  err.message);
    char got[64];
    assert_status(read_lines(r, got, sizeof got), MTP_END, mtp_reader_error(r));
    assert_string_equal(got, "satu|dua|tiga");
    assert_string_equal(mtp_reader_codec(r), "zstd");
    assert_string_equal(mtp_reader_name(r), "parts");
    mtp_reader_close(r);
}

static void files_missing_one_names_it(void **state)
{
    (void)state;
    char first[4096];
    snprintf(first, sizeof first, "%s", test_write_file("plain-0.txt", "satu\n", 5));
    const char *const paths[] = {first, "/nonexistent/plain-1.txt"};
    mtp_reader *r = NULL;
    mtp_error err = {{0}};
    assert_status(mtp_reader_open_files(paths, 2, NULL, TEST_MAX_LINE, &r, &err), MTP_OK,
                  err.message);
    char got[64];
    assert_status(read_lines(r, got, sizeof got), MTP_ERR_IO, "");
    assert_string_equal(got, "satu");
    assert_string_equal(mtp_reader_error(r),
                        "/nonexistent/plain-1.txt: cannot open: No such file or directory");
    mtp_reader_close(r);
    const char *const none[] = {"/nonexistent/plain-0.txt"};
    assert_status(mtp_reader_open_files(none, 1, NULL, TEST_MAX_LINE, &r, &err), MTP_ERR_IO, "");
    assert_null(r);
    assert_status(mtp_reader_open_files(none, 0, NULL, TEST_MAX_LINE, &r, &err), MTP_ERR_USAGE,
                  "");
    assert_null(r);
}

static void read_all_returns_whole_file(void **state)
{
    (void)state;
    mtp_reader *r = open_bytes("all.txt", "a\nb\n", 4, TEST_MAX_LINE);
    const char *data = NULL;
    size_t len = 0;
    assert_status(mtp_reader_read_all(r, &data, &len), MTP_OK, mtp_reader_error(r));
    assert_int_equal(len, 4);
    assert_memory_equal(data, "a\nb\n", 4);
    mtp_reader_close(r);
}

/* ---- byte ranges (planned pieces of a sharded run) ------------------------ */

static mtp_reader *open_range(const char *data, uint64_t offset, uint64_t length,
                              uint64_t first_line)
{
    const char *path = test_write_file("range.jsonl", data, strlen(data));
    assert_non_null(path);
    mtp_reader *r = NULL;
    mtp_error err = {{0}};
    assert_status(mtp_reader_open_range(path, "range.jsonl", offset, length, first_line,
                                        TEST_MAX_LINE, &r, &err),
                  MTP_OK, err.message);
    return r;
}

static void range_mid_file_has_its_lines_and_numbers(void **state)
{
    (void)state;
    /* lines: "one" 0..3, "two" 4..7, "three" 8..13, "four" 14..18 */
    mtp_reader *r = open_range("one\ntwo\nthree\nfour\n", 4, 10, 2);
    const char *line = NULL;
    size_t len = 0;
    assert_status(mtp_reader_next_line(r, &line, &len), MTP_OK, mtp_reader_error(r));
    assert_int_equal(len, 3);
    assert_memory_equal(line, "two", 3);
    assert_int_equal(mtp_reader_line_number(r), 2);
    assert_int_equal(mtp_reader_line_offset(r), 4);
    assert_string_equal(mtp_reader_where(r), "range.jsonl:2");
    assert_status(mtp_reader_next_line(r, &line, &len), MTP_OK, mtp_reader_error(r));
    assert_int_equal(len, 5);
    assert_memory_equal(line, "three", 5);
    assert_int_equal(mtp_reader_line_number(r), 3);
    assert_int_equal(mtp_reader_line_offset(r), 8);
    assert_status(mtp_reader_next_line(r, &line, &len), MTP_END, mtp_reader_error(r));
    mtp_reader_close(r);
}

static void range_to_end_without_final_newline(void **state)
{
    (void)state;
    mtp_reader *r = open_range("a\nb\nlast", 4, 4, 3);
    char got[64];
    assert_status(read_lines(r, got, sizeof got), MTP_END, mtp_reader_error(r));
    assert_string_equal(got, "last");
    assert_int_equal(mtp_reader_line_number(r), 3);
    mtp_reader_close(r);
}

static void range_keeps_a_bom_past_offset_zero(void **state)
{
    (void)state;
    mtp_reader *r = open_range("x\n\xEF\xBB\xBFy\n", 2, 6, 2);
    char got[64];
    assert_status(read_lines(r, got, sizeof got), MTP_END, mtp_reader_error(r));
    assert_string_equal(got, "\xEF\xBB\xBFy");
    mtp_reader_close(r);
    r = open_range("\xEF\xBB\xBFx\ny\n", 0, 5, 1);
    assert_status(read_lines(r, got, sizeof got), MTP_END, mtp_reader_error(r));
    assert_string_equal(got, "x");
    mtp_reader_close(r);
}

static void range_of_length_zero_is_empty(void **state)
{
    (void)state;
    mtp_reader *r = open_range("a\nb\n", 2, 0, 2);
    char got[64];
    assert_status(read_lines(r, got, sizeof got), MTP_END, mtp_reader_error(r));
    assert_string_equal(got, "");
    assert_int_equal(mtp_reader_line_number(r), 1);
    mtp_reader_close(r);
}

static void range_past_a_short_file_ends_early(void **state)
{
    (void)state;
    mtp_reader *r = open_range("a\nb\n", 2, 100, 2);
    char got[64];
    assert_status(read_lines(r, got, sizeof got), MTP_END, mtp_reader_error(r));
    assert_string_equal(got, "b");
    mtp_reader_close(r);
}

static void records_skip_counts_each_reason(void **state)
{
    (void)state;
    const char data[] = "d\t1\tok\nbroken\nd\t2\t\xFF\nd\t3\tfine\n";
    mtp_reader *r = open_bytes("recs.tsv", data, sizeof data - 1, TEST_MAX_LINE);
    mtp_counts counts;
    mtp_counts_init(&counts, "test");
    mtp_error err = {{0}};
    mtp_record rec;
    int good = 0;
    mtp_status st;
    while ((st = mtp_reader_next_record(r, MTP_ON_ERROR_SKIP, &counts, &rec, &err)) == MTP_OK) {
        good++;
    }
    assert_status(st, MTP_END, err.message);
    assert_int_equal(good, 2);
    assert_int_equal(mtp_counts_get(&counts, "in"), 2);
    assert_int_equal(mtp_counts_get(&counts, "dropped.field_count"), 1);
    assert_int_equal(mtp_counts_get(&counts, "dropped.invalid_utf8"), 1);
    mtp_reader_close(r);
}

static void records_fail_names_file_and_line(void **state)
{
    (void)state;
    const char data[] = "d\t1\tok\nd\t2\tx\ry\n";
    mtp_reader *r = open_bytes("crlf.tsv", data, sizeof data - 1, TEST_MAX_LINE);
    mtp_counts counts;
    mtp_counts_init(&counts, "test");
    mtp_error err = {{0}};
    mtp_record rec;
    assert_status(mtp_reader_next_record(r, MTP_ON_ERROR_FAIL, &counts, &rec, &err), MTP_OK, "");
    assert_status(mtp_reader_next_record(r, MTP_ON_ERROR_FAIL, &counts, &rec, &err), MTP_ERR_INPUT, "");
    assert_string_equal(err.message, "crlf.tsv:2: cr_in_line");
    mtp_reader_close(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(plain_lines),
        cmocka_unit_test(no_final_newline),
        cmocka_unit_test(empty_input),
        cmocka_unit_test(bom_is_dropped),
        cmocka_unit_test(line_over_limit_is_skipped),
        cmocka_unit_test(character_straddling_the_buffer),
        cmocka_unit_test(zstd_by_magic),
        cmocka_unit_test(zstd_concatenated_frames),
        cmocka_unit_test(truncated_zstd),
        cmocka_unit_test(corrupt_zstd),
        cmocka_unit_test(gzip_by_magic),
        cmocka_unit_test(gzip_concatenated_members),
        cmocka_unit_test(truncated_gzip),
        cmocka_unit_test(unreadable_file),
        cmocka_unit_test(files_read_as_one_input),
        cmocka_unit_test(files_missing_one_names_it),
        cmocka_unit_test(read_all_returns_whole_file),
        cmocka_unit_test(range_mid_file_has_its_lines_and_numbers),
        cmocka_unit_test(range_to_end_without_final_newline),
        cmocka_unit_test(range_keeps_a_bom_past_offset_zero),
        cmocka_unit_test(range_of_length_zero_is_empty),
        cmocka_unit_test(range_past_a_short_file_ends_early),
        cmocka_unit_test(records_skip_counts_each_reason),
        cmocka_unit_test(records_fail_names_file_and_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
