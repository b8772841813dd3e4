/* normalize: Unicode and whitespace normalization of record text fields.
 *
 * Per text field, in order: invalid UTF-8 per policy (skip drops the record;
 * "replace" is not offered so that nothing is silently changed), control,
 * format (Cf) and zero-width characters removed, every space separator (Zs,
 * NBSP included) and TAB to U+0020, runs collapsed, ends trimmed; then NFC
 * (or NFKC); then the punctuation profile (see MTP_PUNCT_PROFILE_VERSION):
 * curly quotes to ASCII quotes, dashes to '-', U+2026 to "...". A record
 * whose text becomes empty is dropped ("dropped.empty").
 */
#ifndef MTPREP_NORMALIZE_H
#define MTPREP_NORMALIZE_H

#include "mtprep/policy.h"
#include "mtprep/stage.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MTP_PUNCT_PROFILE_VERSION "punct-1"

typedef enum mtp_norm_form { MTP_NORM_NFC = 0, MTP_NORM_NFKC = 1 } mtp_norm_form;

typedef struct mtp_normalize_options {
    mtp_norm_form form;
    int punctuation;       /* nonzero (default): apply the punctuation profile */
    int repair_mojibake;   /* nonzero (default): repair UTF-8-read-as-cp1252 */
    mtp_on_error on_error;
} mtp_normalize_options;

void mtp_normalize_options_default(mtp_normalize_options *opts);

/* Creates the stage. Returns MTP_OK, MTP_ERR_NOMEM or MTP_ERR_ICU (message in *err). */
mtp_status mtp_normalize_new(const mtp_normalize_options *opts, mtp_stage **out, mtp_error *err);

#ifdef __cplusplus
}
#endif
#endif
