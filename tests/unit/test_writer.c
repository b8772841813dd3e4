/* The writer: temporary name then rename, zstd, SHA-256, sticky errors. */
#include "test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
    snprintf(tmp, sizeof tmp, "%s.tmp-mtprep", path);
    mtp_writer_options opts = {0, 1};
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

static void uncommitted_writer_leaves_nothing(void **state)
{
    (void)state;
    char path[512], tmp[600];
    snprintf(path, sizeof path, "%s/out.txt", test_temp_dir());
    snprintf(tmp, sizeof tmp, "%s.tmp-mtprep", path);
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
    mtp_writer_options opts = {3, 1};
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
        cmocka_unit_test(uncommitted_writer_leaves_nothing),
        cmocka_unit_test(zstd_output_round_trips),
        cmocka_unit_test(full_disk_is_reported_at_commit),
        cmocka_unit_test(missing_directory_fails_open),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
