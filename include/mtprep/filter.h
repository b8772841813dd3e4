/* filter: rule filters on unit and pair records; every drop counted by rule.
 *
 * Rules, checked in this order on the text of a unit (on each side of a pair
 * record, source first); the first that matches drops the record and counts
 * "dropped.RULE":
 *
 *   link_teaser      the text opens with a cross-link marker of a news page:
 *                    "Baca", "Lihat" or "Simak", then "juga" or "pula", then
 *                    ':' (ASCII case ignored, spaces allowed around the
 *                    colon), as in "Baca juga: Harga beras naik": the title
 *                    of another article, not a sentence of this one (only
 *                    when drop_link_teasers is set);
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
 *
 * A pair record must pass the rules above on each side (source first), then
 * the pair rules, in this order:
 *
 *   identical        the sides are equal once case is folded and everything
 *                    but letters and digits is ignored (untranslated copies);
 *   length_ratio     longer / shorter side in code points exceeds
 *                    max_length_ratio, checked only when the longer side has
 *                    at least length_ratio_min_chars code points (between
 *                    very short texts the ratio says little); an empty side
 *                    counts as a ratio above any limit;
 *   script_ratio     on the source (target) side, the share of letters (L*)
 *                    in the Latin script is below src_min_latin_ratio
 *                    (tgt_min_latin_ratio); a side without letters passes;
 *   email_mismatch   the multisets of e-mail addresses differ (compared
 *                    case-folded);
 *   url_mismatch     the multisets of URLs differ: tokens starting http://,
 *                    https://, ftp:// or www., or a bare host whose last label
 *                    is 2-24 lower-case ASCII letters ("kabarnusa.com/a";
 *                    "Sp.KO." is a title, not a host), compared case-folded
 *                    without scheme, "www." and a final '/';
 *   number_mismatch  the multisets of numbers differ (see below);
 *   langid           the language check (mtp_filter_lang_fn) says a side is
 *                    not in its expected language. The library ships one for
 *                    Indonesian and English (mtp_filter_lang_id_en); with no
 *                    function set the rule is off. It also runs on unit
 *                    records, last, with side MTP_FILTER_SRC.
 *
 * Numbers. A number is a run of decimal digits (any Nd, by value) in which
 * single '.', ',' or ':' may stand between digits (':' reads as '.'). Its
 * value is read so that Indonesian and English spellings meet: with both '.' and ',' present the
 * last one is the decimal mark ("1.000,50" = "1,000.50" = 1000.5); one kind of
 * mark used more than once groups thousands ("75.000.000" = "75,000,000");
 * a single mark followed by exactly three digits groups thousands ("10.500" =
 * "10,500" = 10500), otherwise it is the decimal mark ("1,5" = "1.5", and the
 * times "10.30" = "10:30"). Leading zeros of the integer part and trailing
 * zeros of the fraction are dropped ("08.00" = "8"). A scale word right after
 * a number multiplies it: ribu/thousand 10^3, juta/million 10^6,
 * miliar/billion 10^9, triliun/trillion 10^12 ("Rp 1,2 miliar" = "1.2
 * billion" = "1,200,000,000"). A 12-hour clock time, an hour 1-12 followed
 * by "a.m."/"am" or "p.m."/"pm", is read as the 24-hour time ("3 p.m." =
 * "15.00", "8:30 a.m." = "08.30", "12 a.m." = "0"). '/' and '-' separate
 * numbers ("15/11/2022" is 15, 11, 2022).
 * A number found on one side only is forgiven when the other side spells it
 * as a word: 0-19 and the tens in English ("six", "twenty-five"), nol-sembilan,
 * sepuluh, sebelas, "X belas", "X puluh [Y]", seratus and seribu in
 * Indonesian, and month names (capitalised: "November", "Nov.", "Mei") for the
 * month number of a date; each word forgives one number. Any other number
 * left unmatched on either side drops the pair. Known misses: large
 * numbers in words ("tiga ratus", "three hundred"), dates written with the
 * year on one side only ("Selasa (15/11/2022)" against "Tuesday, Nov. 15"),
 * and ranges with one "p.m." ("2-4 p.m." reads as 2 and 16).
 * Only the first MTP_FILTER_MAX_NUMBERS numbers and number words of a side
 * are compared.
 */
#ifndef MTPREP_FILTER_H
#define MTPREP_FILTER_H

#include <stddef.h>

#include "mtprep/policy.h"
#include "mtprep/stage.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Which side of a pair a language check looks at. */
typedef enum mtp_filter_side { MTP_FILTER_SRC = 0, MTP_FILTER_TGT = 1 } mtp_filter_side;

/* The langid rule's hook: returns 1 when `text` (valid UTF-8, borrowed for
 * the call) is in the language expected on `side`, 0 to drop the pair. It is
 * called from the stage's feed, so with several worker threads it must be
 * safe to call concurrently with the same ctx. */
typedef int (*mtp_filter_lang_fn)(void *ctx, mtp_str text, mtp_filter_side side);

/* A guess between Indonesian and English, or neither. */
typedef enum mtp_lang_guess { MTP_LANG_UNSURE = 0, MTP_LANG_ID, MTP_LANG_EN } mtp_lang_guess;

/* Guesses whether `text` (UTF-8) is Indonesian or English from its function
 * words (pipeline/langid.c): unsure unless one language leads by a wide
 * margin, as short texts and texts mixing both mostly do not. */
mtp_lang_guess mtp_lang_guess_id_en(mtp_str text);

/* The expected language of each side for mtp_filter_lang_id_en (the unit of a
 * unit record is the source); MTP_LANG_UNSURE: that side is not checked. */
typedef struct mtp_filter_langs {
    mtp_lang_guess src, tgt;
} mtp_filter_langs;

/* A lang_check for mtp_filter_options with an mtp_filter_langs as lang_ctx:
 * 0 (drop) when the text is guessed to be in the other of Indonesian and
 * English than its side expects; an unsure guess passes. */
int mtp_filter_lang_id_en(void *ctx, mtp_str text, mtp_filter_side side);

/* Numbers (and number words) compared per side; more are ignored. */
#define MTP_FILTER_MAX_NUMBERS 64

typedef struct mtp_filter_options {
    size_t min_chars;           /* code points; default 10 */
    size_t max_chars;           /* default 1000; 0: no limit */
    size_t min_words;           /* default 3 */
    size_t max_words;           /* default 200; 0: no limit */
    double max_nonletter_ratio; /* in [0,1]; default 0.5; 1 disables the rule */
    int drop_url_email_number;  /* nonzero (default): drop text that is only a URL, e-mail or number
                                 */
    int drop_link_teasers;      /* nonzero (default): rule link_teaser */
    mtp_on_error on_error;      /* for invalid UTF-8; default skip */
    /* pair rules */
    int drop_identical;            /* nonzero (default): rule identical */
    double max_length_ratio;       /* >= 1; default 3.0; 0 disables length_ratio */
    size_t length_ratio_min_chars; /* longer side at least this long; default 20 */
    double src_min_latin_ratio;    /* in [0,1]; default 0.9; 0 disables */
    double tgt_min_latin_ratio;    /* in [0,1]; default 0.9; 0 disables */
    int drop_email_mismatch;       /* nonzero (default): rule email_mismatch */
    int drop_url_mismatch;         /* nonzero (default): rule url_mismatch */
    int drop_number_mismatch;      /* nonzero (default): rule number_mismatch */
    mtp_filter_lang_fn lang_check; /* NULL (default): rule langid off, unless langid is set */
    void *lang_ctx;                /* passed to lang_check, borrowed */
    mtp_filter_langs langid;       /* with no lang_check: the built-in Indonesian/English
                                      check (mtp_filter_lang_id_en) expecting these; both
                                      MTP_LANG_UNSURE (default): off */
} mtp_filter_options;

void mtp_filter_options_default(mtp_filter_options *opts);

/* Creates the stage. Returns MTP_OK, MTP_ERR_NOMEM, or MTP_ERR_USAGE for
 * inconsistent options (min above max, a share outside [0,1], a length
 * ratio other than 0 below 1); the message
 * goes to *err, which may be NULL. */
mtp_status mtp_filter_new(const mtp_filter_options *opts, mtp_stage **out, mtp_error *err);

#ifdef __cplusplus
}
#endif
#endif
