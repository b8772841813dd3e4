/* Private: news boilerplate rules (corpora/boilerplate.id.tsv) and the small
 * pattern matcher that applies them to one line of a paragraph.
 *
 * The rule language is documented at the top of corpora/boilerplate.id.tsv
 * and in pipeline/boilerplate.c. A rule set is immutable once parsed, so
 * several ingesters may share one.
 *
 * Ownership: mtp_boilerplate_parse copies what it needs from the text; the
 * caller frees the rule set with mtp_boilerplate_free (NULL does nothing).
 */
#ifndef MTPREP_BOILERPLATE_H
#define MTPREP_BOILERPLATE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "mtprep/policy.h"
#include "mtprep/status.h"

#define MTP_BOILERPLATE_MAX_RULES 64 /* a hit set is one uint64_t */
#define MTP_BOILERPLATE_NAME_MAX 40  /* bytes of a rule name, NUL included */

typedef struct mtp_boilerplate mtp_boilerplate;

/* What cleaning one line did. */
typedef struct mtp_bp_hits {
    uint64_t stripped; /* bit i: rule i cut text from the line */
    int removed_rule;  /* rule that removed the whole line; -1 when the line stays */
} mtp_bp_hits;

/* The line opens the article body: dateline rules apply to it. */
#define MTP_BP_LEAD 1u

/* Parses a rules file. `origin` names it in messages ("FILE:LINE: ..."). Returns
 * MTP_OK, MTP_ERR_INPUT for a malformed rule (message in *err) or MTP_ERR_NOMEM. */
mtp_status mtp_boilerplate_parse(const char *text, size_t len, const char *origin,
                                 mtp_boilerplate **out, mtp_error *err);

/* Loads the rules file at `path`, or the built-in boilerplate.id.tsv when NULL. */
mtp_status mtp_boilerplate_load(const char *path, mtp_boilerplate **out, mtp_error *err);

void mtp_boilerplate_free(mtp_boilerplate *bp);

size_t mtp_boilerplate_rule_count(const mtp_boilerplate *bp);
const char *mtp_boilerplate_rule_name(const mtp_boilerplate *bp, size_t index);

/* Cleans one line in place: cuts residue, prefixes and suffixes, trims
 * whitespace at both ends, or decides that the whole line goes. `line` holds
 * no TAB, CR, LF or NUL. On return line->len may be smaller; when
 * hits->removed_rule >= 0 the line's content is unspecified. Never allocates. */
void mtp_boilerplate_clean(const mtp_boilerplate *bp, mtp_buf *line, unsigned flags,
                           mtp_bp_hits *hits);

/* Removes whitespace (as mtp_bp_space_len) from both ends of `line`. */
void mtp_bp_trim(mtp_buf *line);

/* Bytes of the whitespace character at s[0] (ASCII blank or C0 control, NBSP, the
 * U+2000 spaces, U+202F, U+205F, U+3000, U+FEFF, U+200B), 0 if none. */
size_t mtp_bp_space_len(const char *s, size_t len);

#endif
