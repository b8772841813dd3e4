/* align: the per-document sentence aligner.
 *
 * Purpose: given the sentences of one document in two languages, find the
 * beads (1-1, 1-0, 0-1, 2-1, 1-2, 2-2) that pair them, and emit one pair
 * record per non-empty bead.
 *
 * Algorithm: a dynamic program in the Gale–Church family (Gale & Church 1993,
 * "A program for aligning sentences in bilingual corpora") that maximises the
 * summed evidence of the beads on a monotone path. A bead's evidence is a
 * log-likelihood ratio of "these sentences translate each other" against
 * "they are unrelated"; a 1-0 or 0-1 bead costs a fixed NULL_COST, so a
 * sentence is left unaligned only when every pairing has clearly negative
 * evidence (cheap nulls invent deletions in clean text):
 *
 *   length   Gale–Church delta = (lt - c*ls) / sqrt(s2 * (ls + lt/c) / 2) over
 *            code points, c the document's length ratio; log N(delta; 0, 1)
 *            against the much wider spread of unrelated sentences;
 *   lexical  each token carries a weight by class (numbers, URLs and
 *            capitalised words weigh most, short words least) and a few
 *            match keys: its folded form, its 4-letter prefix (cognates,
 *            Simard, Foster & Isabelle 1992), its digits (1.000,50 = 1,000.50),
 *            its translations in the word list (Indonesian affixes stripped,
 *            English suffixes folded), its punctuation class. A matched token
 *            adds MATCH_GAIN per unit weight (log 2 less when it faces two
 *            sentences, which double its chance matches), an unmatched one
 *            costs MISS_COST;
 *   prior    a small bonus for 1-1 and penalties for 2-1, 1-2 and 2-2.
 *
 * Search is banded, so time and memory grow linearly with document length.
 * The band's centre line runs through anchors: source and target sentences
 * that share a number, name or URL found nowhere else near the length
 * diagonal and match on at least half their token weight, reduced to their
 * longest increasing chain (found twice: the second search follows the
 * first chain). It starts BAND_HALF_START
 * cells either side; where the best path touches its edge the band is
 * re-centred on that path and doubled locally, and the pass repeated.
 * Token matches between two sentences are counted once per band cell by a
 * merge of sorted key lists and cached for the beads that reuse them.
 *
 * Memory: the document pair's features (about 1.5 KB per sentence pair), one
 * back-pointer byte per band cell (at most BAND_MAX_CELLS), three rows of
 * scores and match counts: measured 142 MB peak for a 100,000-sentence pair.
 * Everything lives in buffers owned by the aligner and reused across
 * documents.
 */
#include "align_join.h"

#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/utf8.h>
#include <xxhash.h>

#include "buf.h"
#include "data.h"
#include "mtprep/alloc.h"

/* ---- model parameters ---------------------------------------------------- */

#define MATCH_GAIN 2.0  /* log-odds per unit weight of a matched token (chance matches ~1 in 7) */
#define MISS_COST 0.3   /* log-odds lost per unit weight of an unmatched token */
#define NULL_COST 4.0   /* a 1-0 or 0-1 bead: deletions are rarer than hard translations */
#define BIAS_1_1 1.0    /* 1-1 is the common case even in noisy text */
#define BIAS_2_1 (-1.5) /* 2-1 and 1-2 */
#define BIAS_2_2 (-4.0)
#define LEN_VARIANCE 4.5     /* s2 of Gale–Church, per code point, id-en news */
#define LEN_RANDOM_SD 3.0    /* spread of delta between unrelated sentences */
#define LEN_LLR_FLOOR (-4.0) /* translations with odd lengths exist: cap the penalty */

#define BAND_HALF_START 3
#define BAND_MAX_CELLS ((size_t)64 << 20) /* back-pointer bytes: the band stops growing there */
#define BAND_MAX_PASSES 16                /* widenings of the band per document */
#define MAX_TRANSLATIONS 6                /* keys taken from the word list per token */
#define MAX_SENTENCE_TOKENS 4096          /* features kept per sentence */
#define WORD_CAPACITY 96                  /* bytes of a folded word; longer words are cut */
#define LOOKUP_CACHE_SIZE 16384           /* folded source words -> word list entry */

enum { TAG_WORD = 1, TAG_PREFIX, TAG_NUMBER, TAG_URL, TAG_PUNCT };

/* ---- growable arrays ------------------------------------------------------- */

static mtp_status grow(void **ptr, size_t *capacity, size_t need, size_t elem)
{
    if (need <= *capacity) {
        return MTP_OK;
    }
    size_t cap = *capacity < 16 ? 16 : *capacity;
    while (cap < need) {
        cap *= 2;
    }
    void *p = mtp_realloc(*ptr, cap * elem);
    if (p == NULL) {
        return MTP_ERR_NOMEM;
    }
    *ptr = p;
    *capacity = cap;
    return MTP_OK;
}

/* ---- the word list -------------------------------------------------------- */

typedef struct dict_slot {
    uint64_t hash;  /* of the folded source word; 0: empty slot */
    uint32_t start; /* into dict.targets */
    uint32_t count;
} dict_slot;

typedef struct dict {
    dict_slot *slots;
    size_t mask;       /* slots - 1; slots a power of two */
    uint32_t *targets; /* match keys of the translations */
    size_t entries;
} dict;

typedef struct lookup_entry {
    uint64_t hash; /* folded word; 0: empty */
    uint32_t start;
    uint32_t count; /* 0: not in the list */
} lookup_entry;

/* ---- document features ---------------------------------------------------- */

typedef struct sentence_feats {
    size_t key_start; /* into side.keys: sorted (key << 16 | token) values */
    uint32_t key_count;
    uint32_t tok_start; /* into side.weight and side.stamp */
    float weight;       /* sum of token weights */
    uint32_t chars;     /* code points */
} sentence_feats;

typedef struct side_feats {
    sentence_feats *sent;
    size_t sent_capacity;
    float *weight;   /* per token */
    uint32_t *stamp; /* per token: last pair computation that matched it */
    size_t tok_len, tok_capacity, stamp_capacity;
    uint64_t *keys;
    size_t key_len, key_capacity;
    uint64_t *anchor_keys; /* (key << 32 | sentence) of numbers, names, URLs */
    size_t anchor_len, anchor_capacity;
    size_t count; /* sentences */
} side_feats;

typedef struct pair_stat {
    float src_hit; /* weight of source tokens matched */
    float tgt_hit; /* weight of target tokens matched */
} pair_stat;

typedef struct stat_row {
    pair_stat *cells;
    size_t capacity;
    long a;    /* source sentence; -1: none */
    long base; /* first target sentence */
    long len;
} stat_row;

typedef struct bead {
    uint32_t src_start, src_count, tgt_start, tgt_count;
    double gain;
} bead;

struct mtp_aligner {
    mtp_align_options opts;
    mtp_counts counts;
    mtp_error error;
    int src_is_id, tgt_is_en;
    dict dict;
    lookup_entry *cache;
    side_feats src, tgt;
    uint32_t stamp;
    /* the band */
    uint32_t *lo, *hi; /* per row i, target range [lo, hi] */
    uint32_t *centre;  /* per row i, the band's middle */
    uint32_t *half;    /* per row i, the band's half-width */
    size_t *offset;    /* per row i, its first back-pointer */
    uint8_t *edge;     /* per row i, 1 if the last path touched the band's edge */
    size_t lo_capacity, hi_capacity, centre_capacity, half_capacity, offset_capacity, edge_capacity;
    uint8_t *back;
    size_t back_capacity;
    double *score[3];
    size_t score_capacity[3];
    stat_row stats[3];
    double length_ratio;
    bead *beads;
    size_t bead_len, bead_capacity;
    uint64_t *anchors; /* (source << 32 | target) sentence pairs */
    size_t anchor_len, anchor_capacity;
    uint32_t *chain; /* scratch of chain_anchors */
    size_t chain_capacity;
    uint64_t *sort_scratch;
    size_t sort_capacity;
    mtp_buf units, src_text, tgt_text;
};

/* ---- word folding ----------------------------------------------------------- */

static uint32_t key_of(int tag, const char *s, size_t len)
{
    return (uint32_t)XXH3_64bits_withSeed(s, len, (XXH64_hash_t)tag);
}

/* Lowercases s[0..len) into dst (WORD_CAPACITY bytes, cut at a code point
 * boundary). Returns the byte length; *cps gets the code points copied. */
static size_t fold_word(const char *s, size_t len, char *dst, size_t *cps)
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
static size_t en_stem(const char *w, size_t len)
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
static uint32_t target_word_key(const mtp_aligner *a, const char *folded, size_t len)
{
    const size_t stem_len = a->tgt_is_en ? en_stem(folded, len) : len;
    return key_of(TAG_WORD, folded, stem_len);
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
    const uint64_t src = word_hash(folded, fold_word(line, (size_t)(tab - line), folded, &cps));
    const char *p = tab + 1;
    const char *end = line + len;
    while (p < end) {
        const char *space = memchr(p, ' ', (size_t)(end - p));
        const char *word_end = space != NULL ? space : end;
        if (word_end > p) {
            const size_t n = fold_word(p, (size_t)(word_end - p), folded, &cps);
            if (grow((void **)pairs, capacity, *count + 1, sizeof **pairs) != MTP_OK) {
                return MTP_ERR_NOMEM;
            }
            (*pairs)[(*count)++] = (dict_pair){src, target_word_key(a, folded, n)};
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

static mtp_status dict_load(mtp_aligner *a, mtp_error *err)
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
static const lookup_entry *source_lookup(mtp_aligner *a, const char *w, size_t len)
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

/* ---- tokens and their match keys ------------------------------------------ */

typedef enum token_kind { TOKEN_WORD, TOKEN_NUMBER, TOKEN_URL, TOKEN_PUNCT } token_kind;

typedef struct scanner {
    mtp_aligner *a;
    side_feats *side;
    sentence_feats *sent;
    int is_src;
    int words_seen;
    int capitalised; /* the current word: capitalised, not sentence-initial */
} scanner;

static mtp_status add_key(scanner *sc, uint32_t key, uint32_t local)
{
    side_feats *s = sc->side;
    if (grow((void **)&s->keys, &s->key_capacity, s->key_len + 1, sizeof *s->keys) != MTP_OK) {
        return MTP_ERR_NOMEM;
    }
    s->keys[s->key_len++] = ((uint64_t)key << 16) | local;
    sc->sent->key_count++;
    return MTP_OK;
}

/* Notes a key rare enough to anchor the band (numbers, names, URLs). */
static mtp_status add_anchor_key(scanner *sc, uint32_t key)
{
    side_feats *s = sc->side;
    if (grow((void **)&s->anchor_keys, &s->anchor_capacity, s->anchor_len + 1,
             sizeof *s->anchor_keys) != MTP_OK) {
        return MTP_ERR_NOMEM;
    }
    s->anchor_keys[s->anchor_len++] = ((uint64_t)key << 32) | (uint32_t)(s->count - 1);
    return MTP_OK;
}

/* The cognate key of a word of 4 or more code points: its first four. A
 * capitalised one is also an anchor key. */
static mtp_status add_prefix_key(scanner *sc, const char *folded, size_t len, uint32_t local)
{
    int32_t cut = 0;
    U8_FWD_N(folded, cut, (int32_t)len, 4);
    const uint32_t key = key_of(TAG_PREFIX, folded, (size_t)cut);
    const mtp_status st = add_key(sc, key, local);
    return st == MTP_OK && sc->capitalised ? add_anchor_key(sc, key) : st;
}

/* Starts a token of weight w; returns its index within the sentence, or -1
 * when the sentence already holds MAX_SENTENCE_TOKENS (then it is ignored). */
static long add_token(scanner *sc, float w, mtp_status *st)
{
    side_feats *s = sc->side;
    const long local = (long)(s->tok_len - sc->sent->tok_start);
    if (local >= MAX_SENTENCE_TOKENS) {
        return -1;
    }
    if (grow((void **)&s->weight, &s->tok_capacity, s->tok_len + 1, sizeof *s->weight) != MTP_OK) {
        *st = MTP_ERR_NOMEM;
        return -1;
    }
    s->weight[s->tok_len++] = w;
    sc->sent->weight += w;
    return local;
}

static float word_weight(size_t cps, int capitalised)
{
    const float base = cps <= 2 ? 0.3f : (cps == 3 ? 0.6f : 1.0f);
    return capitalised ? base * 1.5f : base;
}

/* The source side's keys for a word: its own form, English folding (names and
 * loan words), its cognate prefix, its translations. */
static mtp_status source_word_keys(scanner *sc, const char *folded, size_t len, size_t cps,
                                   uint32_t local)
{
    mtp_aligner *a = sc->a;
    const lookup_entry *e = a->dict.slots != NULL ? source_lookup(a, folded, len) : NULL;
    const int translated = e != NULL && e->count > 0;
    mtp_status st = MTP_OK;
    if (cps < 4) { /* longer identical words meet on their prefix key */
        st =
            add_key(sc, key_of(TAG_WORD, folded, a->tgt_is_en ? en_stem(folded, len) : len), local);
    }
    if (st == MTP_OK && cps >= 4 && (!translated || sc->capitalised)) {
        st = add_prefix_key(sc, folded, len,
                            local); /* cognates and names, when the list is silent */
    }
    for (uint32_t k = 0; translated && k < e->count && k < MAX_TRANSLATIONS && st == MTP_OK; k++) {
        st = add_key(sc, a->dict.targets[e->start + k], local);
    }
    return st;
}

static mtp_status target_word_keys(scanner *sc, const char *folded, size_t len, size_t cps,
                                   uint32_t local)
{
    mtp_status st = add_key(sc, target_word_key(sc->a, folded, len), local);
    if (st == MTP_OK && cps >= 4) {
        st = add_prefix_key(sc, folded, len, local);
    }
    return st;
}

static mtp_status scan_word(scanner *sc, const char *w, size_t len)
{
    char folded[WORD_CAPACITY];
    size_t cps = 0;
    const size_t flen = fold_word(w, len, folded, &cps);
    UChar32 first = 0;
    int32_t i = 0;
    U8_NEXT((const uint8_t *)w, i, (int32_t)len, first);
    sc->capitalised = sc->words_seen > 0 && first >= 0 && u_isupper(first);
    sc->words_seen++;
    mtp_status st = MTP_OK;
    const long local = add_token(sc, word_weight(cps, sc->capitalised), &st);
    if (local < 0) {
        return st;
    }
    return sc->is_src ? source_word_keys(sc, folded, flen, cps, (uint32_t)local)
                      : target_word_keys(sc, folded, flen, cps, (uint32_t)local);
}

/* A number matches on its digits alone: "1.000,50", "1,000.50" and "100050" meet. */
static mtp_status scan_number(scanner *sc, const char *w, size_t len)
{
    char digits[WORD_CAPACITY];
    size_t n = 0;
    for (size_t i = 0; i < len && n < sizeof digits; i++) {
        if (w[i] >= '0' && w[i] <= '9' && (n > 0 || w[i] != '0' || i + 1 == len)) {
            digits[n++] = w[i];
        }
    }
    if (n == 0) {
        digits[n++] = '0';
    }
    sc->words_seen++;
    mtp_status st = MTP_OK;
    const long local = add_token(sc, n >= 2 ? 3.0f : 1.5f, &st);
    if (local < 0) {
        return st;
    }
    const uint32_t key = key_of(TAG_NUMBER, digits, n);
    st = add_key(sc, key, (uint32_t)local);
    return st == MTP_OK && n >= 3 ? add_anchor_key(sc, key) : st; /* "10" is too common */
}

static mtp_status scan_simple(scanner *sc, int tag, const char *s, size_t len, float w)
{
    mtp_status st = MTP_OK;
    const long local = add_token(sc, w, &st);
    return local < 0 ? st : add_key(sc, key_of(tag, s, len), (uint32_t)local);
}

/* Punctuation whose presence usually survives translation; 0 for the rest. */
static char punct_class(UChar32 c)
{
    switch (c) {
    case '?':
    case '!':
    case '(':
    case ':':
    case '%':
    case ';':
        return (char)c;
    case '"':
    case 0x201C:
    case 0x201D:
    case 0x00AB:
    case 0x00BB:
        return '"';
    default:
        return 0;
    }
}

static int is_word_char(UChar32 c)
{
    if (c < 0x80) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }
    return u_isalpha(c) || u_isdigit(c) || (U_GET_GC_MASK(c) & U_GC_M_MASK) != 0;
}

static int is_digit_at(const char *s, size_t len, size_t i)
{
    return i < len && s[i] >= '0' && s[i] <= '9';
}

static int looks_like_url(const char *s, size_t len)
{
    const char *end = s + len;
    for (const char *p = memchr(s, ':', len); p != NULL;
         p = memchr(p + 1, ':', (size_t)(end - p - 1))) {
        if (end - p >= 3 && p[1] == '/' && p[2] == '/') {
            return 1;
        }
    }
    if (len > 4 && (memcmp(s, "www.", 4) == 0 || memcmp(s, "WWW.", 4) == 0)) {
        return 1;
    }
    const char *at = memchr(s, '@', len);
    return at != NULL && at > s && memchr(at, '.', len - (size_t)(at - s)) != NULL;
}

/* Emits the run s[start..end) as a number (when it holds a digit) or a word. */
static mtp_status scan_run(scanner *sc, const char *s, size_t start, size_t end, int has_digit)
{
    if (end <= start) {
        return MTP_OK;
    }
    return has_digit ? scan_number(sc, s + start, end - start)
                     : scan_word(sc, s + start, end - start);
}

/* Splits a space-free chunk into words, numbers (digits joined by '.' or ','
 * stay one number) and punctuation classes. */
static mtp_status scan_chunk(scanner *sc, const char *s, size_t len)
{
    if (looks_like_url(s, len)) {
        while (len > 0 && strchr(".,;:!?)\"'", s[len - 1]) != NULL) {
            len--;
        }
        const mtp_status st = scan_simple(sc, TAG_URL, s, len, 3.0f);
        return st == MTP_OK ? add_anchor_key(sc, key_of(TAG_URL, s, len)) : st;
    }
    mtp_status st = MTP_OK;
    size_t run = 0;
    int has_digit = 0;
    int32_t i = 0;
    while ((size_t)i < len && st == MTP_OK) {
        const int32_t at = i;
        UChar32 c = 0;
        U8_NEXT((const uint8_t *)s, i, (int32_t)len, c);
        if (c >= 0 && is_word_char(c)) {
            has_digit |= (c >= '0' && c <= '9') || (c >= 0x80 && u_isdigit(c));
            continue;
        }
        if ((c == '.' || c == ',') && has_digit && is_digit_at(s, len, (size_t)i)) {
            continue; /* 1.000,50 */
        }
        st = scan_run(sc, s, run, (size_t)at, has_digit);
        const char cls = c >= 0 ? punct_class(c) : 0;
        if (cls != 0 && st == MTP_OK) {
            st = scan_simple(sc, TAG_PUNCT, &cls, 1, 0.5f);
        }
        run = (size_t)i;
        has_digit = 0;
    }
    return st == MTP_OK ? scan_run(sc, s, run, len, has_digit) : st;
}

/* Sorts a sentence's keys: a counting pass on the top 6 bits of the (hashed,
 * uniform) key, then insertion sort, which only moves keys within a bucket.
 * `scratch` holds n values. */
static void sort_keys(uint64_t *v, size_t n, uint64_t *scratch)
{
    size_t start[65] = {0};
    for (size_t i = 0; i < n; i++) {
        start[(v[i] >> 42) + 1]++; /* keys are 48 bits: hash << 16 | token */
    }
    for (size_t b = 1; b <= 64; b++) {
        start[b] += start[b - 1];
    }
    for (size_t i = 0; i < n; i++) {
        scratch[start[v[i] >> 42]++] = v[i];
    }
    for (size_t i = 0; i < n; i++) {
        const uint64_t x = scratch[i];
        size_t j = i;
        for (; j > 0 && v[j - 1] > x; j--) {
            v[j] = v[j - 1];
        }
        v[j] = x;
    }
}

static uint32_t count_code_points(mtp_str text)
{
    uint32_t n = 0;
    for (size_t i = 0; i < text.len; i++) {
        n += ((unsigned char)text.ptr[i] & 0xC0) != 0x80;
    }
    return n;
}

static mtp_status scan_sentence(mtp_aligner *a, side_feats *side, int is_src, mtp_str text)
{
    sentence_feats *sent = &side->sent[side->count++];
    *sent =
        (sentence_feats){side->key_len, 0, (uint32_t)side->tok_len, 0.0f, count_code_points(text)};
    scanner sc = {a, side, sent, is_src, 0, 0};
    mtp_status st = MTP_OK;
    size_t i = 0;
    while (i < text.len && st == MTP_OK) {
        while (i < text.len && text.ptr[i] == ' ') {
            i++;
        }
        const char *sp = memchr(text.ptr + i, ' ', text.len - i);
        const size_t end = sp != NULL ? (size_t)(sp - text.ptr) : text.len;
        st = scan_chunk(&sc, text.ptr + i, end - i);
        i = end;
    }
    if (st == MTP_OK) {
        st = grow((void **)&a->sort_scratch, &a->sort_capacity, sent->key_count,
                  sizeof *a->sort_scratch);
    }
    if (st == MTP_OK) {
        sort_keys(side->keys + sent->key_start, sent->key_count, a->sort_scratch);
    }
    return st;
}

static mtp_status scan_side(mtp_aligner *a, side_feats *side, int is_src, const mtp_align_side *in)
{
    side->count = 0;
    side->tok_len = 0;
    side->key_len = 0;
    side->anchor_len = 0;
    if (grow((void **)&side->sent, &side->sent_capacity, in->count + 1, sizeof *side->sent) !=
        MTP_OK) {
        return MTP_ERR_NOMEM;
    }
    mtp_status st = MTP_OK;
    for (size_t i = 0; i < in->count && st == MTP_OK; i++) {
        st = scan_sentence(a, side, is_src, in->texts[i]);
    }
    if (st == MTP_OK) {
        st = grow((void **)&side->stamp, &side->stamp_capacity, side->tok_len + 1,
                  sizeof *side->stamp);
    }
    if (st == MTP_OK) {
        memset(side->stamp, 0, (side->tok_len + 1) * sizeof *side->stamp);
    }
    return st;
}

/* ---- pair statistics --------------------------------------------------------- */

/* Weight of tokens of each sentence that share a key with the other: a merge
 * of the two sorted key lists; stamps count each token once. */
static pair_stat compute_pair(mtp_aligner *a, size_t s, size_t t)
{
    const sentence_feats *ss = &a->src.sent[s];
    const sentence_feats *ts = &a->tgt.sent[t];
    const uint64_t *x = a->src.keys + ss->key_start;
    const uint64_t *y = a->tgt.keys + ts->key_start;
    const uint32_t stamp = ++a->stamp;
    pair_stat r = {0.0f, 0.0f};
    size_t i = 0;
    size_t j = 0;
    while (i < ss->key_count && j < ts->key_count) {
        const uint64_t kx = x[i] >> 16;
        const uint64_t ky = y[j] >> 16;
        if (kx != ky) {
            i += kx < ky;
            j += ky < kx;
            continue;
        }
        for (; i < ss->key_count && (x[i] >> 16) == kx; i++) {
            const uint32_t tok = ss->tok_start + (uint32_t)(x[i] & 0xFFFF);
            r.src_hit += a->src.stamp[tok] != stamp ? a->src.weight[tok] : 0.0f;
            a->src.stamp[tok] = stamp;
        }
        for (; j < ts->key_count && (y[j] >> 16) == ky; j++) {
            const uint32_t tok = ts->tok_start + (uint32_t)(y[j] & 0xFFFF);
            r.tgt_hit += a->tgt.stamp[tok] != stamp ? a->tgt.weight[tok] : 0.0f;
            a->tgt.stamp[tok] = stamp;
        }
    }
    return r;
}

/* Fills the cached row of source sentence s over targets [first, last]. */
static mtp_status fill_stat_row(mtp_aligner *a, size_t s, long first, long last)
{
    stat_row *row = &a->stats[s % 3];
    const long len = last >= first ? last - first + 1 : 0;
    if (grow((void **)&row->cells, &row->capacity, (size_t)len + 1, sizeof *row->cells) != MTP_OK) {
        return MTP_ERR_NOMEM;
    }
    row->a = (long)s;
    row->base = first;
    row->len = len;
    for (long k = 0; k < len; k++) {
        row->cells[k] = compute_pair(a, s, (size_t)(first + k));
    }
    return MTP_OK;
}

static pair_stat get_stat(mtp_aligner *a, size_t s, size_t t)
{
    const stat_row *row = &a->stats[s % 3];
    const long k = (long)t - row->base;
    if (row->a == (long)s && k >= 0 && k < row->len) {
        return row->cells[k];
    }
    return compute_pair(a, s, t);
}

/* ---- bead evidence ------------------------------------------------------------ */

static double length_llr(double ls, double lt, double c)
{
    if (ls + lt <= 0.0) {
        return 0.0;
    }
    const double delta = (lt - c * ls) / sqrt(LEN_VARIANCE * (ls + lt / c) / 2.0 + 1.0);
    const double llr =
        log(LEN_RANDOM_SD) - 0.5 * delta * delta * (1.0 - 1.0 / (LEN_RANDOM_SD * LEN_RANDOM_SD));
    return llr < LEN_LLR_FLOOR ? LEN_LLR_FLOOR : llr;
}

static double bead_bias(uint32_t ns, uint32_t nt)
{
    if (ns == 1 && nt == 1) {
        return BIAS_1_1;
    }
    return ns == 2 && nt == 2 ? BIAS_2_2 : BIAS_2_1;
}

/* A token facing k sentences of the other side is k times as likely to find
 * a chance match, so a hit there is worth log(k) less. */
static double span_match_gain(uint32_t k)
{
    return k == 2 ? MATCH_GAIN - 0.693147 : MATCH_GAIN;
}

/* Evidence of the bead joining source [s, s+ns) and target [t, t+nt), both
 * counts 1 or 2. A token matched from either sentence of the other side
 * counts once: hits are summed and capped at the sentence's weight. */
static double bead_gain(mtp_aligner *a, size_t s, uint32_t ns, size_t t, uint32_t nt)
{
    double src_hit = 0.0, tgt_hit = 0.0, src_w = 0.0, tgt_w = 0.0, ls = 0.0, lt = 0.0;
    float col[2] = {0.0f, 0.0f};
    for (uint32_t i = 0; i < ns; i++) {
        float row = 0.0f;
        for (uint32_t j = 0; j < nt; j++) {
            const pair_stat p = get_stat(a, s + i, t + j);
            row += p.src_hit;
            col[j] += p.tgt_hit;
        }
        const sentence_feats *f = &a->src.sent[s + i];
        src_hit += row < f->weight ? row : f->weight;
        src_w += f->weight;
        ls += f->chars;
    }
    for (uint32_t j = 0; j < nt; j++) {
        const sentence_feats *f = &a->tgt.sent[t + j];
        tgt_hit += col[j] < f->weight ? col[j] : f->weight;
        tgt_w += f->weight;
        lt += f->chars;
    }
    const double miss = (src_w - src_hit) + (tgt_w - tgt_hit);
    return span_match_gain(nt) * src_hit + span_match_gain(ns) * tgt_hit - MISS_COST * miss +
           length_llr(ls, lt, a->length_ratio) + bead_bias(ns, nt);
}

/* ---- the banded dynamic program ------------------------------------------------ */

/* Bead shapes by back-pointer code (0: unreachable). */
static const uint8_t shape_src[7] = {0, 1, 1, 0, 2, 1, 2};
static const uint8_t shape_tgt[7] = {0, 1, 0, 1, 1, 2, 2};

/* Band centres from the length diagonal: the target position whose share of
 * the target's code points matches the source prefix's share. */
static void centres_from_lengths(mtp_aligner *a, size_t n, size_t m)
{
    double total_s = 0.0, total_t = 0.0;
    for (size_t i = 0; i < n; i++) {
        total_s += a->src.sent[i].chars + 1.0;
    }
    for (size_t j = 0; j < m; j++) {
        total_t += a->tgt.sent[j].chars + 1.0;
    }
    double cum_s = 0.0, cum_t = 0.0;
    size_t j = 0;
    for (size_t i = 0; i <= n; i++) {
        while (j < m && (cum_t + (a->tgt.sent[j].chars + 1.0) / 2.0) / total_t <= cum_s / total_s) {
            cum_t += a->tgt.sent[j++].chars + 1.0;
        }
        a->centre[i] = (uint32_t)(i == n ? m : j);
        if (i < n) {
            cum_s += a->src.sent[i].chars + 1.0;
        }
    }
}

/* ---- anchoring the band ---- */

static int compare_u64(const void *x, const void *y)
{
    const uint64_t a = *(const uint64_t *)x;
    const uint64_t b = *(const uint64_t *)y;
    return (a > b) - (a < b);
}

/* The target sentence holding `key` within [lo, hi], if exactly one does:
 * binary search in the sorted target anchor keys. Returns -1 otherwise. */
static long unique_target(const side_feats *t, uint64_t key, uint32_t lo, uint32_t hi)
{
    size_t first = 0, last = t->anchor_len;
    const uint64_t want = key << 32;
    while (first < last) {
        const size_t mid = first + (last - first) / 2;
        if (t->anchor_keys[mid] < want) {
            first = mid + 1;
        } else {
            last = mid;
        }
    }
    long found = -1;
    for (size_t k = first; k < t->anchor_len && (t->anchor_keys[k] >> 32) == key; k++) {
        const uint32_t j = (uint32_t)t->anchor_keys[k];
        if (j >= lo && j <= hi) {
            if (found >= 0 && (uint32_t)found != j) {
                return -1;
            }
            found = j;
        }
    }
    return found;
}

/* A share of matched token weight that unrelated sentences rarely reach. */
#define ANCHOR_MIN_MATCH 0.5

static int looks_translated(mtp_aligner *a, size_t s, size_t t)
{
    const pair_stat p = compute_pair(a, s, t);
    const double total = a->src.sent[s].weight + a->tgt.sent[t].weight;
    return p.src_hit + p.tgt_hit >= ANCHOR_MIN_MATCH * total;
}

/* Candidate anchors: (source, target) sentences sharing a number, name or URL
 * that no other target sentence near the length diagonal holds. */
static mtp_status find_anchors(mtp_aligner *a, size_t n, size_t m)
{
    if (a->tgt.anchor_len > 1) {
        qsort(a->tgt.anchor_keys, a->tgt.anchor_len, sizeof *a->tgt.anchor_keys, compare_u64);
    }
    const size_t window = 32 + (size_t)(4.0 * sqrt((double)n));
    a->anchor_len = 0;
    for (size_t k = 0; k < a->src.anchor_len; k++) {
        const uint32_t i = (uint32_t)a->src.anchor_keys[k];
        const size_t c = a->centre[i];
        const uint32_t lo = (uint32_t)(c > window ? c - window : 0);
        const uint32_t hi = (uint32_t)(c + window < m ? c + window : m - 1);
        const long j = unique_target(&a->tgt, a->src.anchor_keys[k] >> 32, lo, hi);
        if (j < 0 || !looks_translated(a, i, (size_t)j)) {
            continue;
        }
        if (grow((void **)&a->anchors, &a->anchor_capacity, a->anchor_len + 1,
                 sizeof *a->anchors) != MTP_OK) {
            return MTP_ERR_NOMEM;
        }
        a->anchors[a->anchor_len++] = ((uint64_t)i << 32) | (uint32_t)j;
    }
    return MTP_OK;
}

/* Keeps the longest chain of anchors increasing in both source and target
 * (patience sorting); anchors that disagree with most others are noise. */
static mtp_status chain_anchors(mtp_aligner *a)
{
    const size_t count = a->anchor_len;
    if (grow((void **)&a->chain, &a->chain_capacity, 2 * count + 1, sizeof *a->chain) != MTP_OK) {
        return MTP_ERR_NOMEM;
    }
    uint32_t *tails = a->chain; /* index of the last anchor of the best chain of each length */
    uint32_t *prev = a->chain + count; /* predecessor of each anchor in its chain */
    size_t len = 0;
    for (size_t k = 0; k < count; k++) {
        const uint32_t j = (uint32_t)a->anchors[k];
        const uint32_t i = (uint32_t)(a->anchors[k] >> 32);
        size_t lo = 0, hi = len;
        while (lo < hi) { /* first chain whose tail is not below (i, j) */
            const size_t mid = (lo + hi) / 2;
            const uint64_t t = a->anchors[tails[mid]];
            if ((uint32_t)t < j && (uint32_t)(t >> 32) < i) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        prev[k] = lo > 0 ? tails[lo - 1] : UINT32_MAX;
        tails[lo] = (uint32_t)k;
        len += lo == len;
    }
    size_t out = len;
    for (uint32_t k = len > 0 ? tails[len - 1] : UINT32_MAX; k != UINT32_MAX; k = prev[k]) {
        tails[--out] = k; /* tails[0..out) are no longer needed */
    }
    for (size_t p = 0; p < len; p++) {
        a->anchors[p] = a->anchors[tails[p]]; /* tails[p] >= p: nothing needed is overwritten */
    }
    a->anchor_len = len;
    return MTP_OK;
}

/* Replaces the centres by lines between chained anchors (at least two).
 * Past the last anchor the line keeps the chain's slope until it meets the
 * target's end: a side cut short leaves its tail to the last row. */
static void centres_from_anchors(mtp_aligner *a, size_t n, size_t m)
{
    uint64_t from = 0;
    for (size_t k = 0; k < a->anchor_len; k++) {
        const uint64_t to = a->anchors[k];
        const uint32_t i0 = (uint32_t)(from >> 32), j0 = (uint32_t)from;
        const uint32_t i1 = (uint32_t)(to >> 32), j1 = (uint32_t)to;
        for (uint32_t i = i0; i <= i1 && i1 > i0; i++) {
            a->centre[i] = j0 + (uint32_t)((uint64_t)(j1 - j0) * (i - i0) / (i1 - i0));
        }
        from = to;
    }
    const uint64_t first = a->anchors[0];
    const double di = (double)((from >> 32) - (first >> 32));
    const double slope = di > 0 ? (double)((uint32_t)from - (uint32_t)first) / di : 1.0;
    for (size_t i = (size_t)(from >> 32) + 1; i <= n; i++) {
        const double c = (double)(uint32_t)from + slope * (double)(i - (from >> 32));
        a->centre[i] = (uint32_t)(c < (double)m ? c : (double)m);
    }
    a->centre[n] = (uint32_t)m;
}

/* Finds anchors near the current centres and, when at least two chain up,
 * re-centres the band on them; twice, so that anchors found in the first
 * round guide the search of the second where the length diagonal strays. */
static mtp_status anchor_band(mtp_aligner *a, size_t n, size_t m)
{
    for (int round = 0; round < 2; round++) {
        mtp_status st = find_anchors(a, n, m);
        st = st == MTP_OK ? chain_anchors(a) : st;
        if (st != MTP_OK) {
            return st;
        }
        if (a->anchor_len < 2) {
            return MTP_OK;
        }
        centres_from_anchors(a, n, m);
    }
    return MTP_OK;
}

/* Band centres from the last complete path (a->beads, last bead first): its
 * target position on each row, so the next band follows it. */
static void centres_from_path(mtp_aligner *a, size_t n, size_t m)
{
    uint32_t i = 0, j = 0;
    a->centre[0] = 0;
    for (size_t k = a->bead_len; k > 0; k--) {
        const bead *b = &a->beads[k - 1];
        j += b->tgt_count;
        for (uint32_t r = 1; r <= b->src_count; r++) {
            a->centre[i + r] = j;
        }
        i += b->src_count;
    }
    a->centre[n] = (uint32_t)m; /* the path may end with 0-1 beads in the last row */
}

/* Sets each row's target range from its centre and half-width, and the
 * offsets of the rows' back-pointers. Returns the cells in the band. */
static size_t band_from_centres(mtp_aligner *a, size_t n, size_t m)
{
    size_t cells = 0;
    for (size_t i = 0; i <= n; i++) {
        const size_t c = a->centre[i];
        const size_t half = a->half[i];
        a->lo[i] = (uint32_t)(c > half ? c - half : 0);
        a->hi[i] = (uint32_t)(c + half < m ? c + half : m);
        if (i > 0 && a->lo[i] > a->hi[i - 1]) {
            a->lo[i] = a->hi[i - 1]; /* keep rows connected: a jump becomes a run of 0-1 */
        }
        a->offset[i] = cells;
        cells += a->hi[i] - a->lo[i] + 1;
    }
    return cells;
}

static double score_at(const mtp_aligner *a, size_t i, size_t j)
{
    if (j < a->lo[i] || j > a->hi[i]) {
        return -INFINITY;
    }
    return a->score[i % 3][j - a->lo[i]];
}

/* Best predecessor of cell (i, j); returns its bead code, 0 if none. */
static uint8_t best_move(mtp_aligner *a, size_t i, size_t j, double *best)
{
    uint8_t code = 0;
    *best = -INFINITY;
    for (uint8_t k = 1; k <= 6; k++) {
        const uint32_t ds = shape_src[k];
        const uint32_t dt = shape_tgt[k];
        if (i < ds || j < dt) {
            continue;
        }
        const double prev = score_at(a, i - ds, j - dt);
        if (prev == -INFINITY) {
            continue;
        }
        const double g = (ds == 0 || dt == 0) ? -NULL_COST : bead_gain(a, i - ds, ds, j - dt, dt);
        if (prev + g > *best) {
            *best = prev + g;
            code = k;
        }
    }
    return code;
}

static mtp_status dp_fill(mtp_aligner *a, size_t n)
{
    for (size_t i = 0; i <= n; i++) {
        const size_t lo = a->lo[i];
        const size_t hi = a->hi[i];
        if (grow((void **)&a->score[i % 3], &a->score_capacity[i % 3], hi - lo + 1,
                 sizeof(double)) != MTP_OK) {
            return MTP_ERR_NOMEM;
        }
        if (i > 0) {
            const long first = (long)lo - 2 < 0 ? 0 : (long)lo - 2;
            const long last =
                (long)hi - 1 < (long)a->tgt.count ? (long)hi - 1 : (long)a->tgt.count - 1;
            if (fill_stat_row(a, i - 1, first, last) != MTP_OK) {
                return MTP_ERR_NOMEM;
            }
        }
        uint8_t *back = a->back + a->offset[i];
        for (size_t j = lo; j <= hi; j++) {
            double best = 0.0;
            back[j - lo] = (i == 0 && j == 0) ? 0 : best_move(a, i, j, &best);
            a->score[i % 3][j - lo] = best;
        }
    }
    return MTP_OK;
}

typedef enum path_state { PATH_BROKEN, PATH_AT_EDGE, PATH_INSIDE } path_state;

/* Follows back-pointers from (n, m) into a->beads (last bead first); marks
 * in a->edge the rows where the path touches the band's edge (not the
 * matrix's). */
static path_state trace_back(mtp_aligner *a, size_t n, size_t m)
{
    size_t i = n, j = m;
    path_state state = PATH_INSIDE;
    a->bead_len = 0;
    memset(a->edge, 0, n + 1);
    while (i > 0 || j > 0) {
        if (j < a->lo[i] || j > a->hi[i]) {
            return PATH_BROKEN;
        }
        if ((j == a->lo[i] && j > 0) || (j == a->hi[i] && j < m)) {
            a->edge[i] = 1;
            state = PATH_AT_EDGE;
        }
        const uint8_t code = a->back[a->offset[i] + (j - a->lo[i])];
        if (code == 0) {
            return PATH_BROKEN;
        }
        const uint32_t ds = shape_src[code], dt = shape_tgt[code];
        a->beads[a->bead_len++] = (bead){(uint32_t)(i - ds), ds, (uint32_t)(j - dt), dt, 0.0};
        i -= ds;
        j -= dt;
    }
    return state;
}

/* Doubles the half-width of the rows around each row marked in a->edge (or
 * of every row when the path was broken). Returns 0 when no row may grow. */
static int widen_band(mtp_aligner *a, size_t n, size_t m, int everywhere)
{
    int grown = 0;
    long reach = -1; /* rows up to here get widened */
    uint32_t target = 0;
    for (size_t i = 0; i <= n; i++) {
        if (everywhere || a->edge[i]) {
            target = a->half[i] * 2;
            reach = (long)(i + 2 * a->half[i] + 4);
            for (size_t k = i > 2 * a->half[i] + 4 ? i - 2 * a->half[i] - 4 : 0; k < i; k++) {
                grown |= a->half[k] < target && a->half[k] < m;
                a->half[k] = a->half[k] < target ? target : a->half[k];
            }
        }
        if ((long)i <= reach) {
            grown |= a->half[i] < target && a->half[i] < m;
            a->half[i] = a->half[i] < target ? target : a->half[i];
        }
    }
    return grown;
}

static mtp_status dp_arrays(mtp_aligner *a, size_t n, size_t m)
{
    if (grow((void **)&a->lo, &a->lo_capacity, n + 1, sizeof *a->lo) != MTP_OK ||
        grow((void **)&a->hi, &a->hi_capacity, n + 1, sizeof *a->hi) != MTP_OK ||
        grow((void **)&a->centre, &a->centre_capacity, n + 1, sizeof *a->centre) != MTP_OK ||
        grow((void **)&a->half, &a->half_capacity, n + 1, sizeof *a->half) != MTP_OK ||
        grow((void **)&a->offset, &a->offset_capacity, n + 1, sizeof *a->offset) != MTP_OK ||
        grow((void **)&a->edge, &a->edge_capacity, n + 1, 1) != MTP_OK ||
        grow((void **)&a->beads, &a->bead_capacity, n + m + 1, sizeof *a->beads) != MTP_OK) {
        return MTP_ERR_NOMEM;
    }
    for (size_t i = 0; i <= n; i++) {
        a->half[i] = BAND_HALF_START;
    }
    return MTP_OK;
}

/* One pass of the dynamic program over the current band. */
static mtp_status dp_pass(mtp_aligner *a, size_t n, size_t m, path_state *path)
{
    const size_t cells = band_from_centres(a, n, m);
    if (cells > BAND_MAX_CELLS) {
        return MTP_ERR_LIMIT; /* a->beads still holds the last path */
    }
    if (grow((void **)&a->back, &a->back_capacity, cells, 1) != MTP_OK) {
        return MTP_ERR_NOMEM;
    }
    for (int r = 0; r < 3; r++) {
        a->stats[r].a = -1;
    }
    const mtp_status st = dp_fill(a, n);
    *path = st == MTP_OK ? trace_back(a, n, m) : PATH_BROKEN;
    return st;
}

/* Runs the band around the length diagonal; while the best path touches the
 * band's edge somewhere, widens the band there and centres it on that path,
 * so that a path drifting from the diagonal (deletions piling up on one
 * side) is followed without paying for a wide band everywhere. Leaves the
 * beads in a->beads, last first. */
static mtp_status dp_align(mtp_aligner *a, size_t n, size_t m)
{
    mtp_status st = dp_arrays(a, n, m);
    if (st != MTP_OK) {
        return st;
    }
    centres_from_lengths(a, n, m);
    st = anchor_band(a, n, m);
    if (st != MTP_OK) {
        return st;
    }
    path_state last = PATH_BROKEN;
    for (int pass = 0;; pass++) {
        path_state path = PATH_BROKEN;
        st = dp_pass(a, n, m, &path);
        if (st == MTP_ERR_LIMIT && last == PATH_AT_EDGE) {
            return MTP_OK; /* keep the path found in the largest band allowed */
        }
        if (st != MTP_OK) {
            return st;
        }
        last = path;
        if (path == PATH_INSIDE) {
            return MTP_OK;
        }
        if (path == PATH_AT_EDGE) {
            centres_from_path(a, n, m);
        }
        const int grown = pass < BAND_MAX_PASSES && widen_band(a, n, m, path == PATH_BROKEN);
        if (!grown) {
            return path == PATH_AT_EDGE ? MTP_OK : MTP_ERR_LIMIT;
        }
    }
}

/* ---- output ----------------------------------------------------------------- */

static mtp_status join_side(mtp_buf *units, mtp_buf *text, const mtp_align_side *side,
                            uint32_t start, uint32_t count)
{
    mtp_status st = MTP_OK;
    for (uint32_t k = 0; k < count && st == MTP_OK; k++) {
        if (k > 0) {
            st = mtp_buf_append_byte(units, '+');
            st = st == MTP_OK ? mtp_buf_append_byte(text, ' ') : st;
        }
        st = st == MTP_OK
                 ? mtp_buf_append(units, side->units[start + k].ptr, side->units[start + k].len)
                 : st;
        st = st == MTP_OK
                 ? mtp_buf_append(text, side->texts[start + k].ptr, side->texts[start + k].len)
                 : st;
    }
    return st;
}

static mtp_status emit_bead(mtp_aligner *a, mtp_str doc_id, const bead *b,
                            const mtp_align_side *src, const mtp_align_side *tgt,
                            const mtp_sink *sink)
{
    const uint32_t sentences = b->src_count + b->tgt_count;
    const int is_null = b->src_count == 0 || b->tgt_count == 0;
    const double score = is_null ? 0.0 : 1.0 / (1.0 + exp(-b->gain / sentences));
    if (is_null && !a->opts.emit_nulls) {
        mtp_counts_drop(&a->counts, b->src_count ? "unaligned_src" : "unaligned_tgt", sentences);
        return MTP_OK;
    }
    if (!is_null && score < a->opts.min_score) {
        mtp_counts_drop(&a->counts, "low_score", sentences);
        return MTP_OK;
    }
    mtp_buf_clear(&a->units);
    mtp_buf_clear(&a->src_text);
    mtp_buf_clear(&a->tgt_text);
    mtp_status st = join_side(&a->units, &a->src_text, src, b->src_start, b->src_count);
    st = st == MTP_OK ? mtp_buf_append_byte(&a->units, '=') : st;
    st = st == MTP_OK ? join_side(&a->units, &a->tgt_text, tgt, b->tgt_start, b->tgt_count) : st;
    if (st != MTP_OK) {
        return st;
    }
    const mtp_record rec = {MTP_RECORD_PAIR,
                            doc_id,
                            {a->units.data, a->units.len},
                            {a->src_text.data, a->src_text.len},
                            {a->tgt_text.data, a->tgt_text.len},
                            score};
    mtp_counts_add(&a->counts, "out", sentences);
    mtp_counts_add(&a->counts, "pairs", 1);
    return sink->emit != NULL ? sink->emit(sink->ctx, &rec) : MTP_OK;
}

/* The beads of a document with an empty side: all null. */
static void null_beads(mtp_aligner *a, size_t n, size_t m)
{
    a->bead_len = 0;
    for (size_t j = m; j > 0; j--) {
        a->beads[a->bead_len++] = (bead){(uint32_t)n, 0, (uint32_t)(j - 1), 1, 0.0};
    }
    for (size_t i = n; i > 0; i--) {
        a->beads[a->bead_len++] = (bead){(uint32_t)(i - 1), 1, 0, 0, 0.0};
    }
}

static void document_length_ratio(mtp_aligner *a)
{
    double ls = 0.0, lt = 0.0;
    for (size_t i = 0; i < a->src.count; i++) {
        ls += a->src.sent[i].chars;
    }
    for (size_t j = 0; j < a->tgt.count; j++) {
        lt += a->tgt.sent[j].chars;
    }
    const double c = ls > 0.0 && lt > 0.0 ? lt / ls : 1.0;
    a->length_ratio = c < 0.5 ? 0.5 : (c > 2.0 ? 2.0 : c);
}

mtp_status mtp_aligner_align_doc(mtp_aligner *a, mtp_str doc_id, const mtp_align_side *src,
                                 const mtp_align_side *tgt, const mtp_sink *sink)
{
    mtp_status st = scan_side(a, &a->src, 1, src);
    st = st == MTP_OK ? scan_side(a, &a->tgt, 0, tgt) : st;
    if (st != MTP_OK) {
        return mtp_error_set(&a->error, st, "align: out of memory on document %.*s",
                             (int)doc_id.len, doc_id.ptr);
    }
    const size_t n = src->count, m = tgt->count;
    a->stamp = 0;
    document_length_ratio(a);
    if (n == 0 || m == 0) {
        st = grow((void **)&a->beads, &a->bead_capacity, n + m + 1, sizeof *a->beads);
        if (st == MTP_OK) {
            null_beads(a, n, m);
        }
    } else {
        st = dp_align(a, n, m);
    }
    if (st != MTP_OK) {
        return mtp_error_set(&a->error, st, "align: cannot align document %.*s: %s",
                             (int)doc_id.len, doc_id.ptr, mtp_status_str(st));
    }
    mtp_counts_add(&a->counts, "docs", 1);
    for (size_t k = a->bead_len; k > 0 && st == MTP_OK; k--) {
        bead *b = &a->beads[k - 1];
        if (b->src_count > 0 && b->tgt_count > 0) {
            b->gain = bead_gain(a, b->src_start, b->src_count, b->tgt_start, b->tgt_count);
        }
        st = emit_bead(a, doc_id, b, src, tgt, sink);
    }
    return st;
}

/* ---- object life ---------------------------------------------------------------- */

void mtp_align_options_default(mtp_align_options *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->src_lang = "id";
    opts->tgt_lang = "en";
    opts->dict_path = NULL;
    opts->use_dict = 1;
    opts->min_score = 0.0;
    opts->window_docs = 1000;
    opts->max_doc_sentences = 1000000;
    opts->emit_nulls = 0;
    opts->on_error = MTP_ON_ERROR_SKIP;
}

static mtp_status check_options(const mtp_align_options *o, mtp_error *err)
{
    if (o->src_lang == NULL || o->tgt_lang == NULL || o->src_lang[0] == '\0' ||
        o->tgt_lang[0] == '\0') {
        return mtp_error_set(err, MTP_ERR_USAGE, "source and target languages must be named");
    }
    if (!(o->min_score >= 0.0 && o->min_score <= 1.0)) {
        return mtp_error_set(err, MTP_ERR_USAGE, "min_score must be in [0,1]");
    }
    if (o->window_docs == 0 || o->max_doc_sentences == 0) {
        return mtp_error_set(err, MTP_ERR_USAGE,
                             "window_docs and max_doc_sentences must be positive");
    }
    const int builtin_pair = strcmp(o->src_lang, "id") == 0 && strcmp(o->tgt_lang, "en") == 0;
    if (o->use_dict && o->dict_path == NULL && !builtin_pair) {
        return mtp_error_set(err, MTP_ERR_USAGE,
                             "no built-in word list for %s-%s: give a dictionary file or none",
                             o->src_lang, o->tgt_lang);
    }
    return MTP_OK;
}

mtp_status mtp_aligner_new(const mtp_align_options *opts, mtp_aligner **out, mtp_error *err)
{
    mtp_error scratch;
    err = err != NULL ? err : &scratch;
    *out = NULL;
    mtp_status st = check_options(opts, err);
    if (st != MTP_OK) {
        return st;
    }
    mtp_aligner *a = mtp_calloc(1, sizeof *a);
    if (a == NULL) {
        return mtp_error_set(err, MTP_ERR_NOMEM, "out of memory");
    }
    a->opts = *opts;
    a->src_is_id = strcmp(opts->src_lang, "id") == 0;
    a->tgt_is_en = strcmp(opts->tgt_lang, "en") == 0;
    mtp_counts_init(&a->counts, "align");
    mtp_counts_add(&a->counts, "in", 0);
    mtp_counts_add(&a->counts, "out", 0);
    a->cache = mtp_calloc(LOOKUP_CACHE_SIZE, sizeof *a->cache);
    st = a->cache == NULL ? mtp_error_set(err, MTP_ERR_NOMEM, "out of memory") : MTP_OK;
    if (st == MTP_OK && opts->use_dict) {
        st = dict_load(a, err);
    }
    if (st != MTP_OK) {
        mtp_aligner_free(a);
        return st;
    }
    *out = a;
    return MTP_OK;
}

static void side_release(side_feats *s)
{
    mtp_free(s->sent);
    mtp_free(s->weight);
    mtp_free(s->stamp);
    mtp_free(s->keys);
    mtp_free(s->anchor_keys);
}

void mtp_aligner_free(mtp_aligner *a)
{
    if (a == NULL) {
        return;
    }
    mtp_free(a->dict.slots);
    mtp_free(a->dict.targets);
    mtp_free(a->cache);
    side_release(&a->src);
    side_release(&a->tgt);
    mtp_free(a->lo);
    mtp_free(a->hi);
    mtp_free(a->centre);
    mtp_free(a->half);
    mtp_free(a->offset);
    mtp_free(a->edge);
    mtp_free(a->back);
    for (int r = 0; r < 3; r++) {
        mtp_free(a->score[r]);
        mtp_free(a->stats[r].cells);
    }
    mtp_free(a->beads);
    mtp_free(a->anchors);
    mtp_free(a->chain);
    mtp_free(a->sort_scratch);
    mtp_buf_release(&a->units);
    mtp_buf_release(&a->src_text);
    mtp_buf_release(&a->tgt_text);
    mtp_free(a);
}

mtp_counts *mtp_aligner_counts(mtp_aligner *a)
{
    return &a->counts;
}

const char *mtp_aligner_error(const mtp_aligner *a)
{
    return a->error.message;
}

const mtp_align_options *mtp_aligner_options(const mtp_aligner *a)
{
    return &a->opts;
}

mtp_error *mtp_aligner_error_slot(mtp_aligner *a)
{
    return &a->error;
}
