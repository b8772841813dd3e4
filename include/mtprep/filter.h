/* filter: rule filters on unit records; every drop counted by rule.
 *
 * Rules, checked in this order on the text of a unit (on each side of a pair
 * record, source first); the first that matches drops the record and counts
 * "dropped.RULE":
 *
 *   url_only         the text is one URL: http://, https://, ftp:// or www.
 *                    followed by non-space bytes, or a bare host name
 *                    ("detik.com/x": two or more labels of ASCII letters,
 *                    digits and '-', the last 2-24 letters) with an optional
 *                    path; surrounding quotes and brackets and trailing
 *                    sentence punctuation are ignored;
 *   email_only       the text is one e-mail address (local@host, the local
 *                    part of ASCII letters, digits and ._%+-, host as above);
 *   number_only      the text holds a decimal digit (Nd) and nothing but
 *                    digits, white space and the ASCII characters . , / : - + % ( )
 *                    ("1.234,50", "12/6/2025", "(021) 555-1234");
 *                    these three only when drop_url_email_number is set;
 *   too_short        fewer than min_chars code points;
 *   too_long         more than max_chars code points (0: no limit);
 *   too_few_words    fewer than min_words words (White_Space-separated tokens);
 *   too_many_words   more than max_words words (0: no limit);
 *   nonletter_ratio  the share of code points that are neither letters (L*,
 *                    M*) nor White_Space exceeds max_nonletter_ratio.
 *
 * Limits are inclusive: a text of exactly min_chars code points is kept.
 * Text that is not valid UTF-8 is bad input ("invalid_utf8") per on_error.
 * Pair-only rules (length ratio, identical sides) are future work; today a
 * pair passes when both sides pass the rules above.
 */
#ifndef MTPREP_FILTER_H
#define MTPREP_FILTER_H

#include <stddef.h>

#include "mtprep/policy.h"
#include "mtprep/stage.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mtp_filter_options {
    size_t min_chars;           /* code points; default 10 */
    size_t max_chars;           /* default 1000; 0: no limit */
    size_t min_words;           /* default 3 */
    size_t max_words;           /* default 200; 0: no limit */
    double max_nonletter_ratio; /* in [0,1]; default 0.5; 1 disables the rule */
    int drop_url_email_number;  /* nonzero (default): drop text that is only a URL, e-mail or number
                                 */
    mtp_on_error on_error;      /* for invalid UTF-8; default skip */
} mtp_filter_options;

void mtp_filter_options_default(mtp_filter_options *opts);

/* Creates the stage. Returns MTP_OK, MTP_ERR_NOMEM, or MTP_ERR_USAGE for
 * inconsistent options (min above max, ratio outside [0,1]); the message
 * goes to *err, which may be NULL. */
mtp_status mtp_filter_new(const mtp_filter_options *opts, mtp_stage **out, mtp_error *err);

#ifdef __cplusplus
}
#endif
#endif
