/* Private: the text normalizer behind the normalize stage, one text field at
 * a time, exposed for the unit and Unicode conformance tests. Implemented in
 * normalize.c.
 *
 * Ownership: a textnorm owns its scratch buffers (UTF-8 and UTF-16) and
 * reuses them for every call; results are views valid until the next call on
 * the same textnorm, or point into the caller's `dst` buffer, or are the
 * input itself when nothing changed.
 */
#ifndef MTPREP_NORMALIZE_TEXT_H
#define MTPREP_NORMALIZE_TEXT_H

#include "buf.h"
#include "mtprep/normalize.h"
#include "mtprep/record.h"

/* What a call changed: bits of the `changed` out-parameter. */
enum {
    MTP_TEXTNORM_MOJIBAKE = 1u << 0,   /* repaired UTF-8 read as cp1252/latin-1 */
    MTP_TEXTNORM_CONTROL = 1u << 1,    /* removed Cc/Cf characters */
    MTP_TEXTNORM_WHITESPACE = 1u << 2, /* mapped, collapsed or trimmed spaces */
    MTP_TEXTNORM_UNICODE = 1u << 3,    /* NFC or NFKC changed the text */
    MTP_TEXTNORM_PUNCT = 1u << 4       /* the punctuation profile changed the text */
};

typedef struct mtp_textnorm mtp_textnorm;

/* Creates a normalizer for opts->form, opts->punctuation and
 * opts->repair_mojibake (on_error is the stage's business). Returns MTP_OK,
 * MTP_ERR_NOMEM, MTP_ERR_USAGE (unknown form) or MTP_ERR_ICU; the message is
 * in *err. */
mtp_status mtp_textnorm_new(const mtp_normalize_options *opts, mtp_textnorm **out, mtp_error *err);

/* Runs every step over one text field. On MTP_OK, *out is `in` itself when
 * nothing changed (*changed == 0), else a view into `dst`, which is
 * overwritten. Returns MTP_ERR_INPUT without a message when `in` is not valid
 * UTF-8 (the caller applies its policy), MTP_ERR_NOMEM, or MTP_ERR_ICU with
 * the failing call in *err. */
mtp_status mtp_textnorm_field(mtp_textnorm *tn, mtp_str in, mtp_buf *dst, mtp_str *out,
                              unsigned *changed, mtp_error *err);

/* NFC or NFKC alone, root rules, no other step: for conformance tests. `in`
 * must be valid UTF-8 (MTP_ERR_INPUT otherwise). *out is valid until the
 * next call on tn. */
mtp_status mtp_textnorm_unicode(mtp_textnorm *tn, mtp_str in, mtp_str *out, mtp_error *err);

/* Frees; NULL does nothing. */
void mtp_textnorm_free(mtp_textnorm *tn);

#endif
