/* Private: a growable byte buffer (data, length, capacity), reused across
 * records so that steady state does no allocation. Growth goes through
 * mtp_realloc; after a call that may grow, reload any pointer into data. */
#ifndef MTPREP_BUF_H
#define MTPREP_BUF_H

#include <stddef.h>

#include "mtprep/status.h"

typedef struct mtp_buf {
    char *data;
    size_t len;
    size_t capacity;
} mtp_buf;

/* Ensures capacity >= len + extra (+1 for a NUL terminator). */
mtp_status mtp_buf_reserve(mtp_buf *b, size_t extra);
mtp_status mtp_buf_append(mtp_buf *b, const char *data, size_t len);
mtp_status mtp_buf_append_byte(mtp_buf *b, char c);
static inline void mtp_buf_clear(mtp_buf *b) { b->len = 0; }
/* Frees the storage and zeroes the buffer. */
void mtp_buf_release(mtp_buf *b);

#endif
