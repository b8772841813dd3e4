/* Growable byte buffer; growth doubles so appends are amortised O(1). */
#include "buf.h"

#include <string.h>

#include "mtprep/alloc.h"

mtp_status mtp_buf_reserve(mtp_buf *b, size_t extra)
{
    const size_t need = b->len + extra + 1;
    if (need <= b->capacity) {
        return MTP_OK;
    }
    size_t capacity = b->capacity ? b->capacity : 256;
    while (capacity < need) {
        capacity *= 2;
    }
    char *data = mtp_realloc(b->data, capacity);
    if (data == NULL) {
        return MTP_ERR_NOMEM;
    }
    b->data = data;
    b->capacity = capacity;
    return MTP_OK;
}

mtp_status mtp_buf_append(mtp_buf *b, const char *data, size_t len)
{
    const mtp_status st = mtp_buf_reserve(b, len);
    if (st != MTP_OK) {
        return st;
    }
    if (len > 0) {
        memcpy(b->data + b->len, data, len);
    }
    b->len += len;
    b->data[b->len] = '\0';
    return MTP_OK;
}

mtp_status mtp_buf_append_byte(mtp_buf *b, char c)
{
    return mtp_buf_append(b, &c, 1);
}

void mtp_buf_release(mtp_buf *b)
{
    mtp_free(b->data);
    b->data = NULL;
    b->len = 0;
    b->capacity = 0;
}
