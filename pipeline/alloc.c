/* Allocation wrappers with a fault-injection hook for tests.
 *
 * Every allocation in the library goes through here so that a test can make
 * allocation N fail (SQLite's OOM loop) and check that the failure comes back
 * as MTP_ERR_NOMEM with nothing leaked. */
#include "mtprep/alloc.h"

#include <stdlib.h>
#include <string.h>

static long fail_countdown = -1; /* < 0: never fail */

static int should_fail(void)
{
    if (fail_countdown < 0) {
        return 0;
    }
    if (fail_countdown == 0) {
        return 1;
    }
    fail_countdown--;
    return 0;
}

void mtp_alloc_fail_after(long n)
{
    fail_countdown = n;
}

void *mtp_malloc(size_t size)
{
    return should_fail() ? NULL : malloc(size ? size : 1);
}

void *mtp_calloc(size_t count, size_t size)
{
    return should_fail() ? NULL : calloc(count ? count : 1, size ? size : 1);
}

void *mtp_realloc(void *ptr, size_t size)
{
    return should_fail() ? NULL : realloc(ptr, size ? size : 1);
}

char *mtp_strndup(const char *s, size_t len)
{
    char *copy = mtp_malloc(len + 1);
    if (copy != NULL) {
        memcpy(copy, s, len);
        copy[len] = '\0';
    }
    return copy;
}

void mtp_free(void *ptr)
{
    free(ptr);
}
