/* The --on-error policy and the error detail every object carries.
 *
 * Bad input (invalid UTF-8, a malformed record or JSON line, a line over the
 * limit, a corrupt compressed file ...) goes through mtp_policy_bad_input:
 * under MTP_ON_ERROR_SKIP the offending record is dropped and counted under
 * its reason; under MTP_ON_ERROR_FAIL the call returns MTP_ERR_INPUT with a
 * message naming the place ("FILE:LINE: invalid_utf8").
 */
#ifndef MTPREP_POLICY_H
#define MTPREP_POLICY_H

#include "mtprep/counts.h"
#include "mtprep/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum mtp_on_error {
    MTP_ON_ERROR_FAIL = 0, /* stop with a message naming file and line */
    MTP_ON_ERROR_SKIP = 1  /* drop the record and count it by reason */
} mtp_on_error;

#define MTP_ERROR_CAPACITY 512

/* A fixed buffer for the first error's message. Empty string when none. */
typedef struct mtp_error {
    char message[MTP_ERROR_CAPACITY];
} mtp_error;

/* Formats the message into err (printf-style; truncated to fit) and returns `status`. */
mtp_status mtp_error_set(mtp_error *err, mtp_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Applies the policy to one piece of bad input. `where` names the place
 * ("docs/a.txt:12" or "stdin:byte 4096"), `reason` the counter suffix.
 * skip: counts "dropped.REASON" in `counts`, returns MTP_OK.
 * fail: sets err to "WHERE: REASON" plus `hint` when not NULL, returns MTP_ERR_INPUT. */
mtp_status mtp_policy_bad_input(mtp_on_error policy, mtp_counts *counts, mtp_error *err,
                                const char *where, const char *reason, const char *hint);

/* Parses "skip" or "fail". Returns MTP_OK or MTP_ERR_USAGE. */
mtp_status mtp_on_error_parse(const char *text, mtp_on_error *out);

#ifdef __cplusplus
}
#endif
#endif
