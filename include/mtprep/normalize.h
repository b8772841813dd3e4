/* normalize: Unicode and whitespace normalization of record text fields.
 *
 * Per text field (unit text; both sides of a pair), in order:
 *   1. invalid UTF-8 is bad input under the policy ("invalid_utf8"; skip
 *      drops the record; "replace" is not offered so that nothing is
 *      silently changed);
 *   2. mojibake repair (unless repair_mojibake is 0): a field made only of
 *      characters cp1252 or latin-1 can encode, whose bytes in that encoding
 *      are valid UTF-8 with at least one non-ASCII character and no C1
 *      control, is replaced by that UTF-8 ("CafÃ©" -> "Café", "â€œ" -> U+201C),
 *      repeatedly while it applies; a field that does not map back whole is
 *      left alone;
 *   3. control (Cc) and format (Cf) characters removed: ZWSP, ZWJ, ZWNJ,
 *      WORD JOINER, BOM, soft hyphen, bidi marks ...; the White_Space
 *      controls (TAB, LF, VT, FF, CR, U+0085), every space separator (Zs:
 *      NBSP, U+2000..U+200A, U+202F, U+205F, U+3000 ...), U+2028 and U+2029
 *      become U+0020; runs collapsed; ends trimmed;
 *   4. NFC, or NFKC (UAX #15, ICU's data); after NFKC changed a field, step 3
 *      runs again (NFKC can produce spaces), so the stage is idempotent;
 *   5. the punctuation profile (unless punctuation is 0), "punct-1":
 *        " <- U+201C U+201D U+201E U+201F U+00AB U+00BB U+FF02  (“ ” „ ‟ « » ＂)
 *        ' <- U+2018 U+2019 U+201A U+201B U+2039 U+203A U+FF07  (‘ ’ ‚ ‛ ‹ › ＇)
 *        - <- U+2010 U+2011 U+2012 U+2013 U+2014 U+2015 U+2212 U+FE58 U+FE63 U+FF0D
 *             (hyphen, non-breaking hyphen, figure/en/em dash, horizontal bar,
 *              minus sign, small em dash, small and full-width hyphen-minus)
 *        ... <- U+2026
 *      Primes (U+2032, U+2033), the acute accent U+00B4 and the modifier
 *      apostrophe U+02BC are kept: in news text they are units, accents and
 *      transliteration, not quotes.
 * A record whose text (either side of a pair) becomes empty is dropped
 * ("dropped.empty"). Informative counts, per text field changed, among the
 * records emitted: "changed.mojibake", "changed.control",
 * "changed.whitespace", "changed.nfc" (or "changed.nfkc"), "changed.punct".
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
    mtp_norm_form form;    /* default MTP_NORM_NFC */
    int punctuation;       /* nonzero (default): apply the punctuation profile */
    int repair_mojibake;   /* nonzero (default): repair UTF-8-read-as-cp1252 */
    mtp_on_error on_error; /* default MTP_ON_ERROR_SKIP, as the CLI */
} mtp_normalize_options;

void mtp_normalize_options_default(mtp_normalize_options *opts);

/* Creates the stage; `opts` is copied. Returns MTP_OK, MTP_ERR_NOMEM,
 * MTP_ERR_USAGE (unknown form) or MTP_ERR_ICU, with the message in *err;
 * *out is NULL on failure. Free with mtp_stage_free. */
mtp_status mtp_normalize_new(const mtp_normalize_options *opts, mtp_stage **out, mtp_error *err);

#ifdef __cplusplus
}
#endif
#endif
