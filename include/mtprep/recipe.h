/* Recipes: the file `mtprep build` runs.
 *
 * A recipe is UTF-8 text in INI form:
 *
 *   # comment (also ';')
 *   [build]
 *   input = corpora/sample/id      repeatable
 *   output = out/sample-id
 *   lang = id
 *   [normalize]
 *   form = nfkc                    becomes the option --form nfkc
 *   no-punct =                     an empty value becomes the flag --no-punct
 *
 * Sections hold `key = value` entries in file order; keys are lower-case
 * letters, digits and '-'; values are trimmed; blank lines and comments are
 * ignored. The recipe does not know the stages' options: `build` turns each
 * stage section into that stage's command-line options, so a recipe means
 * exactly what the same options mean on the command line.
 *
 * Ownership: the recipe owns every string it returns; they live until
 * mtp_recipe_free.
 */
#ifndef MTPREP_RECIPE_H
#define MTPREP_RECIPE_H

#include <stddef.h>

#include "mtprep/policy.h"
#include "mtprep/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mtp_recipe mtp_recipe;

typedef struct mtp_recipe_entry {
    const char *section; /* "build", "normalize", ... */
    const char *key;
    const char *value; /* "" for a flag */
    unsigned line;     /* 1-based line in the file */
} mtp_recipe_entry;

/* Loads and parses `path`. Errors name the file and line in *err:
 * MTP_ERR_IO (unreadable), MTP_ERR_INPUT (malformed), MTP_ERR_NOMEM. */
mtp_status mtp_recipe_load(const char *path, mtp_recipe **out, mtp_error *err);

/* Parses recipe text held in memory; `name` labels messages. */
mtp_status mtp_recipe_parse(const char *name, const char *text, size_t len, mtp_recipe **out,
                            mtp_error *err);

size_t mtp_recipe_entry_count(const mtp_recipe *recipe);
const mtp_recipe_entry *mtp_recipe_entry_at(const mtp_recipe *recipe, size_t index);

/* Whether a [section] header appears, with entries or none (a section whose
 * presence alone means something, such as [dedup_docs]). */
int mtp_recipe_has_section(const mtp_recipe *recipe, const char *section);

/* The recipe's text exactly as read (NUL-terminated), for the manifest. */
const char *mtp_recipe_text(const mtp_recipe *recipe);

void mtp_recipe_free(mtp_recipe *recipe);

#ifdef __cplusplus
}
#endif
#endif
