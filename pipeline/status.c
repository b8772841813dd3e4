/* Names of status codes. */
#include "mtprep/status.h"

const char *mtp_status_str(mtp_status status)
{
    static const char *const names[MTP_STATUS_COUNT] = {
        [MTP_OK] = "ok",
        [MTP_END] = "end of input",
        [MTP_ERR_NOMEM] = "out of memory",
        [MTP_ERR_IO] = "input/output error",
        [MTP_ERR_INPUT] = "bad input",
        [MTP_ERR_USAGE] = "invalid usage",
        [MTP_ERR_LIMIT] = "limit exceeded",
        [MTP_ERR_ICU] = "ICU error",
        [MTP_ERR_CODEC] = "compression codec error",
        [MTP_ERR_MISMATCH] = "verification mismatch",
    };
    if ((unsigned)status >= MTP_STATUS_COUNT) {
        return "unknown status";
    }
    return names[status];
}
