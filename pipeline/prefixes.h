/* Private: non-breaking prefix lists for the segment stage.
 *
 * A list maps a word written before a period ("Dr", "No", "S.H") to a class
 * that says whether a sentence break proposed right after "WORD." stands.
 * The file format is described atop corpora/nonbreaking_prefix.id; the
 * embedded lists are loaded by name ("nonbreaking_prefix.id").
 *
 * Ownership: an mtp_prefixes object owns a copy of every word; free it with
 * mtp_prefixes_free. Lookups borrow their argument.
 */
#ifndef MTPREP_PREFIXES_H
#define MTPREP_PREFIXES_H

#include <stddef.h>

#include "mtprep/policy.h"

typedef enum mtp_prefix_class {
    MTP_PREFIX_NONE = 0, /* not listed */
    MTP_PREFIX_PLAIN,    /* never ends a sentence: "Dr. Budi" */
    MTP_PREFIX_NUMERIC,  /* does not end a sentence before a digit: "No. 12" */
    MTP_PREFIX_ENDS      /* abbreviation that may end a sentence: "S.H.", "dll." */
} mtp_prefix_class;

typedef struct mtp_prefixes mtp_prefixes;

/* Parses a prefix list from `bytes` (not necessarily NUL-terminated).
 * `origin` names the file in messages. On success *out owns a new list.
 * Returns MTP_OK, MTP_ERR_NOMEM, or MTP_ERR_INPUT with "ORIGIN:LINE: ..." in *err. */
mtp_status mtp_prefixes_parse(const char *bytes, size_t len, const char *origin, mtp_prefixes **out,
                              mtp_error *err);

/* Loads `path` when not NULL, else the embedded list `builtin_name`, and
 * parses it. Errors as mtp_data_file_load and mtp_prefixes_parse. */
mtp_status mtp_prefixes_load(const char *path, const char *builtin_name, mtp_prefixes **out,
                             mtp_error *err);

/* The class of `word` (without its final period), matched byte for byte. */
mtp_prefix_class mtp_prefixes_find(const mtp_prefixes *p, const char *word, size_t len);

/* Number of words in the list. */
size_t mtp_prefixes_count(const mtp_prefixes *p);

/* Frees the list; NULL does nothing. */
void mtp_prefixes_free(mtp_prefixes *p);

#endif
