/* The --on-error policy: one function decides what bad input costs. */
#include "mtprep/policy.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

mtp_status mtp_error_set(mtp_error *err, mtp_status status, const char *fmt, ...)
{
    if (err == NULL) {
        return status;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return status;
}

mtp_status mtp_policy_bad_input(mtp_on_error policy, mtp_counts *counts, mtp_error *err,
                                const char *where, const char *reason, const char *hint)
{
    if (policy == MTP_ON_ERROR_SKIP) {
        mtp_counts_drop(counts, reason, 1);
        return MTP_OK;
    }
    if (hint != NULL) {
        return mtp_error_set(err, MTP_ERR_INPUT, "%s: %s (%s)", where, reason, hint);
    }
    return mtp_error_set(err, MTP_ERR_INPUT, "%s: %s", where, reason);
}

mtp_status mtp_on_error_parse(const char *text, mtp_on_error *out)
{
    if (strcmp(text, "skip") == 0) {
        *out = MTP_ON_ERROR_SKIP;
        return MTP_OK;
    }
    if (strcmp(text, "fail") == 0) {
        *out = MTP_ON_ERROR_FAIL;
        return MTP_OK;
    }
    return MTP_ERR_USAGE;
}
