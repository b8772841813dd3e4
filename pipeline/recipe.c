/* Recipe files: INI-style sections of `key = value` entries (see recipe.h).
 * The whole text is kept, one copy, and entries point into a second,
 * NUL-split copy of it, so a recipe is two allocations plus its entry table. */
#include "mtprep/recipe.h"

#include <string.h>

#include "buf.h"
#include "data.h"
#include "mtprep/alloc.h"

struct mtp_recipe {
    char *text;    /* as read, NUL-terminated */
    char *scratch; /* copy of text, cut into NUL-terminated pieces */
    mtp_recipe_entry *entries;
    size_t count, capacity;
    const char **sections; /* every header, in file order (pieces of scratch) */
    size_t section_count, section_capacity;
};

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

/* Trims spaces at both ends of [*start, *end) in place. */
static void trim(char **start, char **end)
{
    while (*start < *end && is_space(**start)) {
        (*start)++;
    }
    while (*end > *start && is_space((*end)[-1])) {
        (*end)--;
    }
}

static int valid_name(const char *s)
{
    if (*s == '\0') {
        return 0;
    }
    for (; *s != '\0'; s++) {
        const int ok =
            (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' || *s == '_';
        if (!ok) {
            return 0;
        }
    }
    return 1;
}

static mtp_status add_entry(mtp_recipe *r, const char *section, const char *key, const char *value,
                            unsigned line)
{
    if (r->count == r->capacity) {
        const size_t capacity = r->capacity ? r->capacity * 2 : 16;
        mtp_recipe_entry *grown = mtp_realloc(r->entries, capacity * sizeof *grown);
        if (grown == NULL) {
            return MTP_ERR_NOMEM;
        }
        r->entries = grown;
        r->capacity = capacity;
    }
    mtp_recipe_entry *e = &r->entries[r->count++];
    e->section = section;
    e->key = key;
    e->value = value;
    e->line = line;
    return MTP_OK;
}

static mtp_status add_section(mtp_recipe *r, const char *section)
{
    if (r->section_count == r->section_capacity) {
        const size_t capacity = r->section_capacity ? r->section_capacity * 2 : 8;
        const char **grown = mtp_realloc(r->sections, capacity * sizeof *grown);
        if (grown == NULL) {
            return MTP_ERR_NOMEM;
        }
        r->sections = grown;
        r->section_capacity = capacity;
    }
    r->sections[r->section_count++] = section;
    return MTP_OK;
}

/* Parses one line held in [start, end), NUL-terminating its pieces in place. */
static mtp_status parse_line(mtp_recipe *r, char *start, char *end, unsigned line,
                             const char **section, const char *name, mtp_error *err)
{
    trim(&start, &end);
    if (start == end || *start == '#' || *start == ';') {
        return MTP_OK;
    }
    if (*start == '[') {
        if (end[-1] != ']') {
            return mtp_error_set(err, MTP_ERR_INPUT, "%s:%u: section header without ']'", name,
                                 line);
        }
        char *s = start + 1, *e = end - 1;
        trim(&s, &e);
        *e = '\0';
        if (!valid_name(s)) {
            return mtp_error_set(err, MTP_ERR_INPUT, "%s:%u: invalid section name '%s'", name, line,
                                 s);
        }
        *section = s;
        return add_section(r, s) == MTP_OK
                   ? MTP_OK
                   : mtp_error_set(err, MTP_ERR_NOMEM, "%s: out of memory", name);
    }
    char *eq = memchr(start, '=', (size_t)(end - start));
    if (eq == NULL) {
        return mtp_error_set(err, MTP_ERR_INPUT, "%s:%u: expected 'key = value'", name, line);
    }
    if (*section == NULL) {
        return mtp_error_set(err, MTP_ERR_INPUT, "%s:%u: entry before any [section]", name, line);
    }
    char *ks = start, *ke = eq, *vs = eq + 1, *ve = end;
    trim(&ks, &ke);
    trim(&vs, &ve);
    *ke = '\0';
    *ve = '\0';
    if (!valid_name(ks)) {
        return mtp_error_set(err, MTP_ERR_INPUT, "%s:%u: invalid key '%s'", name, line, ks);
    }
    if (add_entry(r, *section, ks, vs, line) != MTP_OK) {
        return mtp_error_set(err, MTP_ERR_NOMEM, "%s: out of memory", name);
    }
    return MTP_OK;
}

static mtp_status parse_all(mtp_recipe *r, const char *name, mtp_error *err)
{
    const char *section = NULL;
    char *p = r->scratch;
    unsigned line = 0;
    while (*p != '\0') {
        char *lf = strchr(p, '\n');
        char *end = lf ? lf : p + strlen(p);
        line++;
        const mtp_status st = parse_line(r, p, end, line, &section, name, err);
        if (st != MTP_OK) {
            return st;
        }
        if (lf == NULL) {
            break;
        }
        p = lf + 1;
    }
    return MTP_OK;
}

mtp_status mtp_recipe_parse(const char *name, const char *text, size_t len, mtp_recipe **out,
                            mtp_error *err)
{
    *out = NULL;
    if (memchr(text, '\0', len) != NULL) {
        return mtp_error_set(err, MTP_ERR_INPUT, "%s: NUL byte in recipe", name);
    }
    mtp_recipe *r = mtp_calloc(1, sizeof *r);
    if (r == NULL) {
        return mtp_error_set(err, MTP_ERR_NOMEM, "%s: out of memory", name);
    }
    r->text = mtp_strndup(text, len);
    r->scratch = mtp_strndup(text, len);
    if (r->text == NULL || r->scratch == NULL) {
        mtp_recipe_free(r);
        return mtp_error_set(err, MTP_ERR_NOMEM, "%s: out of memory", name);
    }
    const mtp_status st = parse_all(r, name, err);
    if (st != MTP_OK) {
        mtp_recipe_free(r);
        return st;
    }
    *out = r;
    return MTP_OK;
}

mtp_status mtp_recipe_load(const char *path, mtp_recipe **out, mtp_error *err)
{
    *out = NULL;
    mtp_data_file file;
    const mtp_status st = mtp_data_file_load(path, NULL, &file, err);
    if (st != MTP_OK) {
        return st;
    }
    const mtp_status parsed = mtp_recipe_parse(path, file.bytes.ptr, file.bytes.len, out, err);
    mtp_data_file_release(&file);
    return parsed;
}

size_t mtp_recipe_entry_count(const mtp_recipe *recipe)
{
    return recipe->count;
}

const mtp_recipe_entry *mtp_recipe_entry_at(const mtp_recipe *recipe, size_t index)
{
    return index < recipe->count ? &recipe->entries[index] : NULL;
}

const char *mtp_recipe_text(const mtp_recipe *recipe)
{
    return recipe->text;
}

int mtp_recipe_has_section(const mtp_recipe *recipe, const char *section)
{
    for (size_t i = 0; i < recipe->section_count; i++) {
        if (strcmp(recipe->sections[i], section) == 0) {
            return 1;
        }
    }
    return 0;
}

void mtp_recipe_free(mtp_recipe *recipe)
{
    if (recipe == NULL) {
        return;
    }
    mtp_free(recipe->text);
    mtp_free(recipe->scratch);
    mtp_free(recipe->entries);
    mtp_free(recipe->sections);
    mtp_free(recipe);
}
