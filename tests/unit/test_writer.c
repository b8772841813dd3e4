/* The writer: temporary name then rename, zstd, SHA-256, sticky errors, and
 * the input staging (lines and bytes counted before a flush, writes larger
 * than the stage kept in order, zstd bytes independent of how the input is
 * cut into calls). */
#include "test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *data = malloc(1 << 20);
    *len = fread(data, 1, 1 << 20, f);
    fclose(f);
    return data;
}

static void plain_file_appears_only_on_commit(void **state)
{
    (void)state;
    char path[512], tmp[600];
    snprintf(path, sizeof path, "%s/out.txt", test_temp_dir());
    assert_int_equal(mtp_temp_name(path, tmp, sizeof tmp), 0);
    mtp_writer_options opts = {0, 1, 0};
    mtp_writer *w = NULL;
    assert_status(mtp_writer_open(path, &opts, &w, NULL, 0), MTP_OK, "");
    assert_status(mtp_writer_put_line(w, "abc", 3), MTP_OK, mtp_writer_error(w));
    assert_false(test_path_exists(path));
    assert_true(test_path_exists(tmp));
    assert_status(mtp_writer_commit(w), MTP_OK, mtp_writer_error(w));
    assert_true(test_path_exists(path));
    assert_false(test_path_exists(tmp));
    assert_int_equal(mtp_writer_lines(w), 1);
    assert_int_equal(mtp_writer_file_bytes(w), 4);
    /* sha256 of "abc\n" */
    assert_string_equal(mtp_writer_sha256(w),
                        "edeaaff3f1774ad2888673770c6d64097e391bc362d7d6fb34982ddf0efd18cb");
    mtp_writer_free(w);
}

static void temp_name_holds_the_process_id(void **state)
{
    (void)state;
    char want[64], got[64];
    snprintf(want, sizeof want, "dir/a.zst.%ld.tmp-mtprep", (long)getpid());
    assert_int_equal(mtp_temp_name("dir/a.zst", got, sizeof got), 0);
    assert_string_equal(got, want);
    assert_int_equal(mtp_temp_name("dir/a.zst", got, 12), -1);
}

static void uncommitted_writer_leaves_nothing(void **state)
{
    (void)state;
    char path[512], tmp[600];
    snprintf(path, sizeof path, "%s/out.txt", test_temp_dir());
    assert_int_equal(mtp_temp_name(path, tmp, sizeof tmp), 0);
    mtp_writer *w = NULL;
    assert_status(mtp_writer_open(path, NULL, &w, NULL, 0), MTP_OK, "");
    mtp_writer_put_line(w, "abc", 3);
    mtp_writer_free(w);
    assert_false(test_path_exists(path));
    assert_false(test_path_exists(tmp));
}

static void zstd_output_round_trips(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof path, "%s/out.zst", test_temp_dir());
    mtp_writer_options opts = {3, 1, 0};
    mtp_writer *w = NULL;
    assert_status(mtp_writer_open(path, &opts, &w, NULL, 0), MTP_OK, "");
    for (int i = 0; i < 1000; i++) {
        mtp_writer_put_line(w, "kalimat yang sama", 17);
    }
    assert_status(mtp_writer_commit(w), MTP_OK, mtp_writer_error(w));
    assert_int_equal(mtp_writer_lines(w), 1000);
    size_t len = 0;
    char *data = slurp(path, &len);
    assert_int_equal(len, mtp_writer_file_bytes(w));
    char *plain = malloc(18 * 1000 + 1);
    const size_t n = ZSTD_decompress(plain, 18 * 1000 + 1, data, len);
    assert_false(ZSTD_isError(n));
    assert_int_equal(n, 18 * 1000);
    assert_memory_equal(plain, "kalimat yang sama\n", 18);
    free(plain);
    free(data);
    mtp_writer_free(w);
}

static void staged_lines_and_bytes_count_before_commit(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof path, "%s/out.txt", test_temp_dir());
    mtp_writer *w = NULL;
    assert_status(mtp_writer_open(path, NULL, &w, NULL, 0), MTP_OK, "");
    mtp_writer_put_line(w, "abc", 3);
    mtp_writer_put_line(w, "de", 2);
    assert_int_equal(mtp_writer_lines(w), 2);
    assert_int_equal(mtp_writer_file_bytes(w), 7);
    assert_status(mtp_writer_commit(w), MTP_OK, mtp_writer_error(w));
    assert_int_equal(mtp_writer_lines(w), 2);
    assert_int_equal(mtp_writer_file_bytes(w), 7);
    mtp_writer_free(w);
}

/* Lines are counted exactly whatever the bytes around the LFs: runs of LFs
 * longer than 255 (one counter byte), bytes that differ from LF in bit 7 or
 * in one low bit, every length and alignment, staged or written past the stage. */
static void lines_counted_exactly(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof path, "%s/out.txt", test_temp_dir());
    static const unsigned char alphabet[] = {'\n', 0x8a, 0x0b, 0x08, 0x00, 0xff, 'a', 0x2a};
    const size_t big_len = 200 * 1024; /* past the stage: counted as written */
    char *big = malloc(big_len);
    assert_non_null(big);
    uint64_t lfs = 0;
    uint32_t x = 2463534242u;
    for (size_t i = 0; i < big_len; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        big[i] = (char)(i < 5000 ? '\n' : alphabet[x % sizeof alphabet]); /* a long LF run first */
        lfs += big[i] == '\n';
    }
    for (size_t offset = 0; offset < 9; offset++) {
        for (size_t len = 0; len < 40; len++) { /* staged: counted when asked */
            mtp_writer *w = NULL;
            assert_status(mtp_writer_open(path, NULL, &w, NULL, 0), MTP_OK, "");
            mtp_writer_write(w, big + 4990 + offset, len);
            uint64_t want = 0;
            for (size_t i = 0; i < len; i++) {
                want += big[4990 + offset + i] == '\n';
            }
            assert_int_equal(mtp_writer_lines(w), want);
            mtp_writer_free(w);
        }
    }
    mtp_writer *w = NULL;
    assert_status(mtp_writer_open(path, NULL, &w, NULL, 0), MTP_OK, "");
    mtp_writer_write(w, big, big_len);
    assert_status(mtp_writer_commit(w), MTP_OK, mtp_writer_error(w));
    assert_int_equal(mtp_writer_lines(w), lfs);
    mtp_writer_free(w);
    free(big);
}

/* A write larger than the stage goes out after what is staged, in order. */
static void write_larger_than_stage_keeps_order(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof path, "%s/out.txt", test_temp_dir());
    const size_t big_len = 300 * 1024;
    char *big = malloc(big_len);
    assert_non_null(big);
    for (size_t i = 0; i < big_len; i++) {
        big[i] = i % 100 == 99 ? '\n' : (char)('a' + i % 26);
    }
    mtp_writer *w = NULL;
    assert_status(mtp_writer_open(path, NULL, &w, NULL, 0), MTP_OK, "");
    mtp_writer_write(w, "head\n", 5);
    mtp_writer_write(w, big, big_len);
    mtp_writer_write(w, "tail", 4);
    assert_status(mtp_writer_commit(w), MTP_OK, mtp_writer_error(w));
    assert_int_equal(mtp_writer_lines(w), 1 + big_len / 100);
    size_t len = 0;
    char *data = slurp(path, &len);
    assert_int_equal(len, 5 + big_len + 4);
    assert_memory_equal(data, "head\n", 5);
    assert_memory_equal(data + 5, big, big_len);
    assert_memory_equal(data + 5 + big_len, "tail", 4);
    free(data);
    free(big);
    mtp_writer_free(w);
}

/* Writes `count` numbered lines to PATH at zstd level 3 on `workers`
 * threads, line by line or (all_at_once) in one call; returns the file's
 * bytes. */
static char *zstd_lines(const char *path, int count, int all_at_once, int workers, size_t *len)
{
    char *text = malloc((size_t)count * 32);
    size_t text_len = 0;
    for (int i = 0; i < count; i++) {
        text_len += (size_t)sprintf(text + text_len, "kalimat nomor %d\n", i);
    }
    const mtp_writer_options opts = {3, 1, workers};
    mtp_writer *w = NULL;
    assert_status(mtp_writer_open(path, &opts, &w, NULL, 0), MTP_OK, "");
    if (all_at_once) {
        mtp_writer_write(w, text, text_len);
    }
    for (size_t at = 0; !all_at_once && at < text_len;) {
        const char *lf = memchr(text + at, '\n', text_len - at);
        mtp_writer_put_line(w, text + at, (size_t)(lf - (text + at)));
        at = (size_t)(lf - text) + 1;
    }
    assert_status(mtp_writer_commit(w), MTP_OK, mtp_writer_error(w));
    assert_int_equal(mtp_writer_lines(w), count);
    mtp_writer_free(w);
    free(text);
    return slurp(path, len);
}

static void zstd_bytes_do_not_depend_on_write_sizes(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof path, "%s/out.zst", test_temp_dir());
    size_t by_line_len = 0, at_once_len = 0;
    char *by_line = zstd_lines(path, 20000, 0, 0, &by_line_len);
    char *at_once = zstd_lines(path, 20000, 1, 0, &at_once_len);
    assert_int_equal(by_line_len, at_once_len);
    assert_memory_equal(by_line, at_once, by_line_len);
    free(by_line);
    free(at_once);
}

/* 150,000 lines are about 2.5 MB: three jobs of MTP_WRITER_JOB_BYTES. */
static void zstd_worker_count_does_not_change_bytes(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof path, "%s/out.zst", test_temp_dir());
    enum { LINES = 150000 };
    size_t one_len = 0, len = 0;
    char *one = zstd_lines(path, LINES, 0, 1, &one_len);
    const int workers[] = {2, 7};
    for (size_t k = 0; k < 2; k++) {
        char *other = zstd_lines(path, LINES, k == 1, workers[k], &len);
        assert_int_equal(len, one_len);
        assert_memory_equal(other, one, len);
        free(other);
    }
    char *single = zstd_lines(path, LINES, 0, 0, &len); /* the other mode: other bytes */
    assert_true(len != one_len || memcmp(single, one, len) != 0);
    free(single);
    char *plain = malloc((size_t)LINES * 32);
    const size_t n = ZSTD_decompress(plain, (size_t)LINES * 32, one, one_len);
    assert_false(ZSTD_isError(n));
    assert_true(n > 21);
    assert_memory_equal(plain + n - 21, "kalimat nomor 149999\n", 21);
    free(plain);
    free(one);
}

static void full_disk_is_reported_at_commit(void **state)
{
    (void)state;
    mtp_writer *w = NULL;
    /* /dev/full accepts the open and fails every write. Writing to it under a
     * temporary name is impossible, so open it as a plain stream via stdout. */
    FILE *saved = stdout;
    stdout = fopen("/dev/full", "w");
    if (stdout == NULL) {
        stdout = saved;
        skip();
    }
    assert_status(mtp_writer_open("-", NULL, &w, NULL, 0), MTP_OK, "");
    mtp_writer_put_line(w, "abc", 3);
    assert_status(mtp_writer_commit(w), MTP_ERR_IO, "");
    assert_non_null(strstr(mtp_writer_error(w), "stdout: write failed: No space left on device"));
    mtp_writer_free(w);
    fclose(stdout);
    stdout = saved;
}

static void missing_directory_fails_open(void **state)
{
    (void)state;
    mtp_writer *w = NULL;
    char err[256];
    assert_status(mtp_writer_open("/nonexistent/dir/x", NULL, &w, err, sizeof err), MTP_ERR_IO, "");
    assert_null(w);
    assert_non_null(strstr(err, "/nonexistent/dir/x: cannot create"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(plain_file_appears_only_on_commit),
        cmocka_unit_test(temp_name_holds_the_process_id),
        cmocka_unit_test(uncommitted_writer_leaves_nothing),
        cmocka_unit_test(zstd_output_round_trips),
        cmocka_unit_test(staged_lines_and_bytes_count_before_commit),
        cmocka_unit_test(lines_counted_exactly),
        cmocka_unit_test(write_larger_than_stage_keeps_order),
        cmocka_unit_test(zstd_bytes_do_not_depend_on_write_sizes),
        cmocka_unit_test(zstd_worker_count_does_not_change_bytes),
        cmocka_unit_test(full_disk_is_reported_at_commit),
        cmocka_unit_test(missing_directory_fails_open),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
