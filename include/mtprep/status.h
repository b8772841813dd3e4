/* mtprep status codes.
 *
 * Every fallible library function returns an mtp_status; MTP_OK is 0 so that
 * `if (st != MTP_OK)` reads naturally. Results come back through
 * out-parameters. Details (file, line, byte offset, the failing ICU or zstd
 * call) live on the object that failed, behind its *_error() accessor.
 */
#ifndef MTPREP_STATUS_H
#define MTPREP_STATUS_H

#ifdef __cplusplus
extern "C" {
#endif

typedef enum mtp_status {
    MTP_OK = 0,
    MTP_END,           /* not an error: end of input reached */
    MTP_ERR_NOMEM,     /* an allocation failed */
    MTP_ERR_IO,        /* read, write, open, rename or close failed */
    MTP_ERR_INPUT,     /* bad input under --on-error fail */
    MTP_ERR_USAGE,     /* invalid option value or call sequence */
    MTP_ERR_LIMIT,     /* a configured memory or size limit was exceeded */
    MTP_ERR_ICU,       /* an ICU call failed */
    MTP_ERR_CODEC,     /* zstd or zlib failed, or a compressed file is corrupt or truncated */
    MTP_ERR_MISMATCH,  /* verification found a difference */
    MTP_STATUS_COUNT
} mtp_status;

/* Returns a short static English name for a status ("out of memory"). Never NULL. */
const char *mtp_status_str(mtp_status status);

#ifdef __cplusplus
}
#endif
#endif
