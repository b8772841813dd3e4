/* Allocation. Every allocation of the library goes through these, so tests
 * can make the Nth allocation fail and check that it surfaces as
 * MTP_ERR_NOMEM with nothing leaked. Memory from these functions is freed
 * with mtp_free. */
#ifndef MTPREP_ALLOC_H
#define MTPREP_ALLOC_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

void *mtp_malloc(size_t size);
void *mtp_calloc(size_t count, size_t size);
void *mtp_realloc(void *ptr, size_t size);
char *mtp_strndup(const char *s, size_t len);
void mtp_free(void *ptr);

/* Test hook: after `n` more successful allocations, every allocation fails
 * (n < 0: never fail, the default). Not thread-safe; tests only. */
void mtp_alloc_fail_after(long n);

#ifdef __cplusplus
}
#endif
#endif
