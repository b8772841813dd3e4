/* Allocation fault injection, and the OOM loop over the core objects:
 * failing allocation N for N = 0, 1, 2 ... must surface as MTP_ERR_NOMEM
 * (never a crash), and ASan's leak check proves nothing leaks. */
#include "test_util.h"

#include <string.h>

static void fail_after_counts_allocations(void **state)
{
    (void)state;
    mtp_alloc_fail_after(1);
    void *a = mtp_malloc(8);
    void *b = mtp_malloc(8);
    mtp_alloc_fail_after(-1);
    assert_non_null(a);
    assert_null(b);
    mtp_free(a);
}

/* Opens a reader and reads one line with allocation n failing. */
static mtp_status reader_once(const char *path)
{
    mtp_reader *r = NULL;
    mtp_error err = {{0}};
    mtp_status st = mtp_reader_open(path, NULL, 0, &r, &err);
    if (st == MTP_OK) {
        const char *line = NULL;
        size_t len = 0;
        st = mtp_reader_next_line(r, &line, &len);
    }
    mtp_reader_close(r);
    return st;
}

static void reader_oom_loop(void **state)
{
    (void)state;
    const char *path = test_write_file("oom.txt", "a\nb\n", 4);
    for (long n = 0;; n++) {
        mtp_alloc_fail_after(n);
        const mtp_status st = reader_once(path);
        mtp_alloc_fail_after(-1);
        if (st == MTP_OK) {
            break;
        }
        assert_status(st, MTP_ERR_NOMEM, "reader");
        assert_true(n < 100);
    }
}

static mtp_status writer_once(const char *path)
{
    mtp_writer_options opts = {3, 1, 0};
    mtp_writer *w = NULL;
    mtp_status st = mtp_writer_open(path, &opts, &w, NULL, 0);
    if (st == MTP_OK) {
        mtp_record rec = {MTP_RECORD_UNIT, {"d", 1}, {"1", 1}, {"teks", 4}, {NULL, 0}, 0};
        st = mtp_writer_put_record(w, &rec);
    }
    if (st == MTP_OK) {
        st = mtp_writer_commit(w);
    }
    mtp_writer_free(w);
    return st;
}

static void writer_oom_loop(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof path, "%s/oom.zst", test_temp_dir());
    for (long n = 0;; n++) {
        mtp_alloc_fail_after(n);
        const mtp_status st = writer_once(path);
        mtp_alloc_fail_after(-1);
        if (st == MTP_OK) {
            break;
        }
        assert_status(st, MTP_ERR_NOMEM, "writer");
        assert_true(n < 100);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fail_after_counts_allocations),
        cmocka_unit_test(reader_oom_loop),
        cmocka_unit_test(writer_oom_loop),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
