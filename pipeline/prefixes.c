/* Non-breaking prefix lists: parsing the data file and looking words up.
 *
 * The file is line-oriented (format atop corpora/nonbreaking_prefix.id,
 * compatible with the Moses nonbreaking_prefix.* files): a word, optionally
 * followed by a class marker. Words are kept sorted in one array and found
 * through a hash table (open addressing, at most half full), byte for byte:
 * the segmenter asks for the word before nearly every sentence end.
 * Memory: one copy of the file's words and two slots per word.
 */
#include "prefixes.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "data.h"
#include "mtprep/alloc.h"

typedef struct prefix_entry {
    const char *word; /* points into mtp_prefixes.text */
    size_t len;
    mtp_prefix_class cls;
} prefix_entry;

struct mtp_prefixes {
    char *text;            /* words, each NUL-terminated */
    prefix_entry *entries; /* sorted by (bytes, length) */
    size_t count;
    size_t *slots;    /* hash table: entry index + 1, 0 for an empty slot */
    size_t slot_mask; /* slot count - 1 (a power of two) */
};

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

static int compare_words(const char *a, size_t a_len, const char *b, size_t b_len)
{
    const size_t n = a_len < b_len ? a_len : b_len;
    const int c = memcmp(a, b, n);
    if (c != 0) {
        return c;
    }
    return (a_len > b_len) - (a_len < b_len);
}

/* FNV-1a over the word's bytes. */
static size_t hash_word(const char *word, size_t len)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++) {
        h = (h ^ (unsigned char)word[i]) * 16777619u;
    }
    return h;
}

/* The slot holding `word`, or the empty slot where the search for it ends. */
static size_t slot_of(const mtp_prefixes *p, const char *word, size_t len)
{
    size_t i = hash_word(word, len) & p->slot_mask;
    while (p->slots[i] != 0) {
        const prefix_entry *e = &p->entries[p->slots[i] - 1];
        if (e->len == len && memcmp(e->word, word, len) == 0) {
            break;
        }
        i = (i + 1) & p->slot_mask;
    }
    return i;
}

/* Fills the hash table; a word listed twice keeps its first entry. */
static mtp_status build_slots(mtp_prefixes *p)
{
    size_t capacity = 16;
    while (capacity < 2 * p->count) {
        capacity *= 2;
    }
    p->slots = mtp_calloc(capacity, sizeof *p->slots);
    if (p->slots == NULL) {
        return MTP_ERR_NOMEM;
    }
    p->slot_mask = capacity - 1;
    for (size_t k = 0; k < p->count; k++) {
        const size_t i = slot_of(p, p->entries[k].word, p->entries[k].len);
        if (p->slots[i] == 0) {
            p->slots[i] = k + 1;
        }
    }
    return MTP_OK;
}

static int compare_entries(const void *a, const void *b)
{
    const prefix_entry *x = a;
    const prefix_entry *y = b;
    return compare_words(x->word, x->len, y->word, y->len);
}

/* Maps a class marker to its class; MTP_PREFIX_NONE when unknown. */
static mtp_prefix_class parse_class(const char *s, size_t len)
{
    if (len == 0) {
        return MTP_PREFIX_PLAIN;
    }
    if (len == 14 && memcmp(s, "#NUMERIC_ONLY#", 14) == 0) {
        return MTP_PREFIX_NUMERIC;
    }
    if (len == 6 && memcmp(s, "#ENDS#", 6) == 0) {
        return MTP_PREFIX_ENDS;
    }
    return MTP_PREFIX_NONE;
}

/* Splits one line (no LF) into word and class. Returns 0 for a comment or
 * blank line, 1 for an entry, -1 for an unknown class marker. */
static int parse_line(const char *line, size_t len, prefix_entry *entry)
{
    size_t i = 0;
    while (i < len && is_blank(line[i])) {
        i++;
    }
    if (i == len || line[i] == '#') {
        return 0;
    }
    const size_t word_start = i;
    while (i < len && !is_blank(line[i])) {
        i++;
    }
    entry->word = line + word_start;
    entry->len = i - word_start;
    while (i < len && is_blank(line[i])) {
        i++;
    }
    size_t end = len;
    while (end > i && is_blank(line[end - 1])) {
        end--;
    }
    entry->cls = parse_class(line + i, end - i);
    return entry->cls == MTP_PREFIX_NONE ? -1 : 1;
}

static size_t count_lines(const char *bytes, size_t len)
{
    size_t n = 1;
    for (size_t i = 0; i < len; i++) {
        n += bytes[i] == '\n';
    }
    return n;
}

/* Copies entry words into p->text and sorts the entries. */
static mtp_status store_entries(mtp_prefixes *p, size_t text_bytes)
{
    p->text = mtp_malloc(text_bytes + 1);
    if (p->text == NULL) {
        return MTP_ERR_NOMEM;
    }
    char *dst = p->text;
    for (size_t k = 0; k < p->count; k++) {
        memcpy(dst, p->entries[k].word, p->entries[k].len);
        dst[p->entries[k].len] = '\0';
        p->entries[k].word = dst;
        dst += p->entries[k].len + 1;
    }
    qsort(p->entries, p->count, sizeof p->entries[0], compare_entries);
    return build_slots(p);
}

static mtp_status parse_all(mtp_prefixes *p, const char *bytes, size_t len, const char *origin,
                            mtp_error *err)
{
    size_t text_bytes = 0;
    size_t line_no = 0;
    size_t pos = 0;
    while (pos < len) {
        const char *nl = memchr(bytes + pos, '\n', len - pos);
        const size_t line_len = nl != NULL ? (size_t)(nl - (bytes + pos)) : len - pos;
        line_no++;
        prefix_entry e = {NULL, 0, MTP_PREFIX_NONE};
        const int kind = parse_line(bytes + pos, line_len, &e);
        if (kind < 0) {
            return mtp_error_set(err, MTP_ERR_INPUT,
                                 "%s:%zu: unknown class (want #NUMERIC_ONLY# or #ENDS#)", origin,
                                 line_no);
        }
        if (kind > 0) {
            p->entries[p->count++] = e;
            text_bytes += e.len + 1;
        }
        pos += line_len + 1;
    }
    return store_entries(p, text_bytes);
}

mtp_status mtp_prefixes_parse(const char *bytes, size_t len, const char *origin, mtp_prefixes **out,
                              mtp_error *err)
{
    *out = NULL;
    mtp_prefixes *p = mtp_calloc(1, sizeof *p);
    if (p == NULL) {
        return MTP_ERR_NOMEM;
    }
    p->entries = mtp_calloc(count_lines(bytes, len), sizeof p->entries[0]);
    mtp_status st = p->entries == NULL ? MTP_ERR_NOMEM : parse_all(p, bytes, len, origin, err);
    if (st != MTP_OK) {
        mtp_prefixes_free(p);
        return st;
    }
    *out = p;
    return MTP_OK;
}

mtp_status mtp_prefixes_load(const char *path, const char *builtin_name, mtp_prefixes **out,
                             mtp_error *err)
{
    *out = NULL;
    mtp_data_file file;
    mtp_status st = mtp_data_file_load(path, builtin_name, &file, err);
    if (st == MTP_OK) {
        st = mtp_prefixes_parse(file.bytes.ptr, file.bytes.len, file.origin, out, err);
    }
    mtp_data_file_release(&file);
    return st;
}

mtp_prefix_class mtp_prefixes_find(const mtp_prefixes *p, const char *word, size_t len)
{
    const size_t i = slot_of(p, word, len);
    return p->slots[i] != 0 ? p->entries[p->slots[i] - 1].cls : MTP_PREFIX_NONE;
}

size_t mtp_prefixes_count(const mtp_prefixes *p)
{
    return p->count;
}

void mtp_prefixes_free(mtp_prefixes *p)
{
    if (p == NULL) {
        return;
    }
    mtp_free(p->slots);
    mtp_free(p->entries);
    mtp_free(p->text);
    mtp_free(p);
}
