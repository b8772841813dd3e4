/* align: word folding and the bilingual word list.
 *
 * Words are folded (lowercased, cut at WORD_CAPACITY bytes) and hashed into
 * 32-bit match keys. The word list (corpora/dict.id-en.tsv or --dict) maps a
 * folded source word to the keys of its translations; Indonesian words are
 * also looked up without their affixes (prefixes meN-, peN-, ber-, di-,
 * ter-, ..., suffixes -kan, -an, -i, particles -nya, -lah, -kah, ...);
 * English words are stemmed (-s, -ed, -ing ...) on both the list and the
 * target side. Lookups of source words go through a direct-mapped cache.
 *
 * Memory: the word list's open-addressing table (at most 64 bytes per
 * word-translation pair, load <= 1/2) and its target keys (4 bytes per pair),
 * and LOOKUP_CACHE_SIZE cache entries.
 */
#include <stdlib.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/utf8.h>
#include <xxhash.h>

#include "align_impl.h"
#include "data.h"
#include "mtprep/alloc.h"

/* ---- word folding ----------------------------------------------------------- */

uint32_t mtp_align_key_of(int tag, const char *s, size_t len)
{
    return (uint32_t)XXH3_64bits_withSeed(s, len, (XXH64_hash_t)tag);
}

/* Lowercases s[0..len) into dst (WORD_CAPACITY bytes, cut at a code point
 * boundary). Returns the byte length; *cps gets the code points copied. */
size_t mtp_align_fold_word(const char *s, size_t len, char *dst, size_t *cps)
{
    size_t ascii = 0;
    for (; ascii < len && ascii < WORD_CAPACITY && (unsigned char)s[ascii] < 0x80; ascii++) {
        const char c = s[ascii];
        dst[ascii] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    if (ascii == len || ascii == WORD_CAPACITY) { /* the common case: no ICU needed */
        *cps = ascii;
        return ascii;
    }
    const uint8_t *u = (const uint8_t *)s;
    size_t n = 0;
    size_t count = 0;
    int32_t i = 0;
    while ((size_t)i < len) {
        UChar32 c = 0;
        U8_NEXT(u, i, (int32_t)len, c);
        if (c < 0) {
            continue;
        }
        c = c < 0x80 ? (UChar32)((c >= 'A' && c <= 'Z') ? c + 32 : c) : u_tolower(c);
        if (n + U8_LENGTH(c) > WORD_CAPACITY) {
            break;
        }
        U8_APPEND_UNSAFE(dst, n, c);
        count++;
    }
    *cps = count;
    return n;
}

static int ends_with(const char *w, size_t len, const char *suffix)
{
    const size_t n = strlen(suffix);
    return len > n && memcmp(w + len - n, suffix, n) == 0;
}

/* Light English suffix folding so that "says", "saying" and "say" meet; the
 * word list goes through the same folding, so only consistency matters. */
size_t mtp_align_en_stem(const char *w, size_t len)
{
    if (ends_with(w, len, "'s")) {
        len -= 2;
    }
    if (len > 5 && ends_with(w, len, "ing")) {
        len -= 3;
    } else if (len > 4 && (ends_with(w, len, "ies") || ends_with(w, len, "ied"))) {
        len -= 3;
    } else if (len > 4 && (ends_with(w, len, "ed") || ends_with(w, len, "es"))) {
        len -= 2;
    } else if (len > 3 && w[len - 1] == 's' && w[len - 2] != 's') {
        len -= 1;
    }
    if (len > 3 && w[len - 1] == 'e') {
        len -= 1;
    }
    return len;
}

/* ---- word list: loading and lookup ---------------------------------------- */

typedef struct dict_pair {
    uint64_t src;
    uint32_t tgt;
} dict_pair;

static int compare_pairs(const void *x, const void *y)
{
    const dict_pair *a = x;
    const dict_pair *b = y;
    if (a->src != b->src) {
        return a->src < b->src ? -1 : 1;
    }
    return (a->tgt > b->tgt) - (a->tgt < b->tgt);
}

static uint64_t word_hash(const char *w, size_t len)
{
    const uint64_t h = XXH3_64bits(w, len);
    return h == 0 ? 1 : h;
}

/* The key a target word matches on: its folded (and, for English, stemmed) form. */
uint32_t mtp_align_target_word_key(const mtp_aligner *a, const char *folded, size_t len)
{
    const size_t stem_len = a->tgt_is_en ? mtp_align_en_stem(folded, len) : len;
    return mtp_align_key_of(TAG_WORD, folded, stem_len);
}

/* Appends the pairs of one "src<TAB>tgt words" line; a multi-word source is skipped. */
static mtp_status dict_parse_line(const mtp_aligner *a, const char *line, size_t len,
                                  dict_pair **pairs, size_t *count, size_t *capacity)
{
    const char *tab = memchr(line, '\t', len);
    if (len == 0 || line[0] == '#' || tab == NULL || tab == line ||
        memchr(line, ' ', (size_t)(tab - line))) {
        return MTP_OK;
    }
    char folded[WORD_CAPACITY];
    size_t cps = 0;
    const uint64_t src = word_hash(folded, mtp_align_fold_word(line, (size_t)(tab - line), folded, &cps));
    const char *p = tab + 1;
    const char *end = line + len;
    while (p < end) {
        const char *space = memchr(p, ' ', (size_t)(end - p));
        const char *word_end = space != NULL ? space : end;
        if (word_end > p) {
            const size_t n = mtp_align_fold_word(p, (size_t)(word_end - p), folded, &cps);
            if (mtp_align_grow((void **)pairs, capacity, *count + 1, sizeof **pairs) != MTP_OK) {
                return MTP_ERR_NOMEM;
            }
            (*pairs)[(*count)++] = (dict_pair){src, mtp_align_target_word_key(a, folded, n)};
        }
        p = word_end + 1;
    }
    return MTP_OK;
}

static void dict_insert(dict *d, uint64_t hash, uint32_t start, uint32_t count)
{
    size_t i = (size_t)hash & d->mask;
    while (d->slots[i].hash != 0) {
        i = (i + 1) & d->mask;
    }
    d->slots[i] = (dict_slot){hash, start, count};
}

/* Builds the open-addressing table from the sorted, deduplicated pairs. */
static mtp_status dict_build(dict *d, dict_pair *pairs, size_t count)
{
    if (count > 1) {
        qsort(pairs, count, sizeof *pairs, compare_pairs);
    }
    size_t slots = 64;
    while (slots < count * 2) {
        slots *= 2;
    }
    d->slots = mtp_calloc(slots, sizeof *d->slots);
    d->targets = mtp_malloc((count + 1) * sizeof *d->targets);
    if (d->slots == NULL || d->targets == NULL) {
        return MTP_ERR_NOMEM;
    }
    d->mask = slots - 1;
    size_t n = 0;
    for (size_t i = 0; i < count;) {
        const uint32_t start = (uint32_t)n;
        size_t k = i;
        for (; k < count && pairs[k].src == pairs[i].src; k++) {
            if (k == i || pairs[k].tgt != pairs[k - 1].tgt) {
                d->targets[n++] = pairs[k].tgt;
            }
        }
        dict_insert(d, pairs[i].src, start, (uint32_t)(n - start));
        d->entries++;
        i = k;
    }
    return MTP_OK;
}

mtp_status mtp_align_dict_load(mtp_aligner *a, mtp_error *err)
{
    mtp_data_file file;
    memset(&file, 0, sizeof file);
    mtp_status st = mtp_data_file_load(a->opts.dict_path, "dict.id-en.tsv", &file, err);
    if (st != MTP_OK) {
        return st;
    }
    dict_pair *pairs = NULL;
    size_t count = 0;
    size_t capacity = 0;
    const char *p = file.bytes.ptr;
    const char *end = p + file.bytes.len;
    while (p < end && st == MTP_OK) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *line_end = nl != NULL ? nl : end;
        size_t len = (size_t)(line_end - p);
        len -= (len > 0 && p[len - 1] == '\r');
        st = dict_parse_line(a, p, len, &pairs, &count, &capacity);
        p = line_end + 1;
    }
    if (st == MTP_OK) {
        st = dict_build(&a->dict, pairs, count);
    }
    mtp_free(pairs);
    mtp_data_file_release(&file);
    return st;
}

static const dict_slot *dict_find(const dict *d, const char *w, size_t len)
{
    if (d->slots == NULL || len == 0) {
        return NULL;
    }
    const uint64_t h = word_hash(w, len);
    for (size_t i = (size_t)h & d->mask; d->slots[i].hash != 0; i = (i + 1) & d->mask) {
        if (d->slots[i].hash == h) {
            return &d->slots[i];
        }
    }
    return NULL;
}

/* Indonesian affixes tried when a word is not in the list as written: the
 * prefix, and the root's first letter that a nasal prefix swallowed. */
typedef struct affix {
    const char *text;
    size_t len;
} affix;

typedef struct prefix_rule {
    affix prefix;
    affix restore;
} prefix_rule;

#define AFFIX(s)                                                                                   \
    {                                                                                              \
        s, sizeof(s) - 1                                                                           \
    }
static const prefix_rule id_prefixes[] = {
    {AFFIX(""), AFFIX("")},       {AFFIX("meng"), AFFIX("")},  {AFFIX("meng"), AFFIX("k")},
    {AFFIX("meny"), AFFIX("s")},  {AFFIX("mem"), AFFIX("")},   {AFFIX("mem"), AFFIX("p")},
    {AFFIX("men"), AFFIX("")},    {AFFIX("men"), AFFIX("t")},  {AFFIX("me"), AFFIX("")},
    {AFFIX("peng"), AFFIX("")},   {AFFIX("peng"), AFFIX("k")}, {AFFIX("peny"), AFFIX("s")},
    {AFFIX("pem"), AFFIX("")},    {AFFIX("pem"), AFFIX("p")},  {AFFIX("pen"), AFFIX("")},
    {AFFIX("pen"), AFFIX("t")},   {AFFIX("pe"), AFFIX("")},    {AFFIX("di"), AFFIX("")},
    {AFFIX("ter"), AFFIX("")},    {AFFIX("ber"), AFFIX("")},   {AFFIX("be"), AFFIX("")},
    {AFFIX("ke"), AFFIX("")},     {AFFIX("se"), AFFIX("")},    {AFFIX("per"), AFFIX("")},
    {AFFIX("memper"), AFFIX("")}, {AFFIX("diper"), AFFIX("")},
};
static const affix id_suffixes[] = {AFFIX(""), AFFIX("kan"), AFFIX("an"), AFFIX("i")};
static const affix id_particles[] = {AFFIX(""), AFFIX("nya"), AFFIX("lah"), AFFIX("kah"),
                                     AFFIX("pun")};
#undef AFFIX

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static int has_suffix(const char *w, size_t len, const affix *s)
{
    return len >= s->len && memcmp(w + len - s->len, s->text, s->len) == 0;
}

/* Looks up w with rule's prefix replaced by its restore and `cut` bytes cut
 * from the end; the caller checked the suffix. */
static const dict_slot *id_try(const dict *d, const char *w, size_t len, const prefix_rule *rule,
                               size_t cut)
{
    const affix *p = &rule->prefix;
    if (len < p->len + cut + 3 || memcmp(w, p->text, p->len) != 0) {
        return NULL;
    }
    char root[WORD_CAPACITY + 2];
    const size_t stem_len = len - p->len - cut;
    memcpy(root, rule->restore.text, rule->restore.len);
    memcpy(root + rule->restore.len, w + p->len, stem_len);
    return dict_find(d, root, rule->restore.len + stem_len);
}

/* Finds the list entry of an Indonesian word, stripping a particle, a suffix
 * and a prefix (at most one of each) until a form is found. */
static const dict_slot *id_lookup(const dict *d, const char *w, size_t len)
{
    for (size_t p = 0; p < ARRAY_LEN(id_particles); p++) {
        if (!has_suffix(w, len, &id_particles[p]) || len < id_particles[p].len + 3) {
            continue;
        }
        const size_t base = len - id_particles[p].len;
        for (size_t s = 0; s < ARRAY_LEN(id_suffixes); s++) {
            if (!has_suffix(w, base, &id_suffixes[s])) {
                continue;
            }
            for (size_t r = 0; r < ARRAY_LEN(id_prefixes); r++) {
                const dict_slot *hit = id_try(d, w, base, &id_prefixes[r], id_suffixes[s].len);
                if (hit != NULL) {
                    return hit;
                }
            }
        }
    }
    return NULL;
}

/* The word list entry of a folded source word, through a direct-mapped cache. */
const lookup_entry *mtp_align_source_lookup(mtp_aligner *a, const char *w, size_t len)
{
    const uint64_t h = word_hash(w, len);
    lookup_entry *e = &a->cache[h & (LOOKUP_CACHE_SIZE - 1)];
    if (e->hash == h) {
        return e;
    }
    const dict_slot *slot =
        a->src_is_id ? id_lookup(&a->dict, w, len) : dict_find(&a->dict, w, len);
    e->hash = h;
    e->start = slot != NULL ? slot->start : 0;
    e->count = slot != NULL ? slot->count : 0;
    return e;
}
