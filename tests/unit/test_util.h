/* Helpers shared by the cmocka unit tests. Include after <cmocka.h>'s prerequisites. */
#ifndef MTPREP_TEST_UTIL_H
#define MTPREP_TEST_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "mtprep/mtprep.h"

/* Fails the test with both status names and `detail` when got != want. */
void assert_status_impl(mtp_status got, mtp_status want, const char *detail, const char *file,
                        int line);
#define assert_status(got, want, detail) \
    assert_status_impl((got), (want), (detail), __FILE__, __LINE__)

/* A sink that appends every record, formatted as a line, to a growing string. */
typedef struct test_collector {
    char *text;      /* NUL-terminated, mtp_free'd by test_collector_release */
    size_t len;
    size_t capacity;
    size_t records;
} test_collector;

mtp_sink test_collector_sink(test_collector *c);
void test_collector_release(test_collector *c);

/* Parses `lines` (records separated by LF) and feeds each to the stage, then
 * finishes it; everything emitted lands in `out`. Returns the first non-OK status. */
mtp_status test_run_stage(mtp_stage *stage, const char *lines, test_collector *out);

/* Writes `len` bytes to a fresh file under a temporary directory and returns
 * its path (static storage, overwritten by the next call). */
const char *test_write_file(const char *name, const void *data, size_t len);

/* A fresh temporary directory path (created), static storage. */
const char *test_temp_dir(void);

/* Returns 1 when `path` exists. */
int test_path_exists(const char *path);

#endif
