/* align: the features of one document side.
 *
 * Each sentence is cut into tokens (words, numbers, URLs, punctuation); a
 * token gets a weight by class and a few 48-bit match keys (hash << 16 |
 * token index): its folded form, its 4-letter prefix, its digits, its word
 * list translations (source side), its punctuation class. A sentence's keys
 * are sorted so two sentences are compared by one merge (align_dp.c).
 * Numbers, names and URLs also go to the anchor keys that centre the band.
 *
 * Memory: per side, one entry per sentence, token and key, in buffers grown
 * to the longest document seen and reused.
 */
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include "align_impl.h"
#include "mtprep/alloc.h"

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
    if (mtp_align_grow((void **)&s->keys, &s->key_capacity, s->key_len + 1, sizeof *s->keys) != MTP_OK) {
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
    if (mtp_align_grow((void **)&s->anchor_keys, &s->anchor_capacity, s->anchor_len + 1,
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
    const uint32_t key = mtp_align_key_of(TAG_PREFIX, folded, (size_t)cut);
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
    if (mtp_align_grow((void **)&s->weight, &s->tok_capacity, s->tok_len + 1, sizeof *s->weight) != MTP_OK) {
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
    const lookup_entry *e = a->dict.slots != NULL ? mtp_align_source_lookup(a, folded, len) : NULL;
    const int translated = e != NULL && e->count > 0;
    mtp_status st = MTP_OK;
    if (cps < 4) { /* longer identical words meet on their prefix key */
        st =
            add_key(sc, mtp_align_key_of(TAG_WORD, folded, a->tgt_is_en ? mtp_align_en_stem(folded, len) : len), local);
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
    mtp_status st = add_key(sc, mtp_align_target_word_key(sc->a, folded, len), local);
    if (st == MTP_OK && cps >= 4) {
        st = add_prefix_key(sc, folded, len, local);
    }
    return st;
}

static mtp_status scan_word(scanner *sc, const char *w, size_t len)
{
    char folded[WORD_CAPACITY];
    size_t cps = 0;
    const size_t flen = mtp_align_fold_word(w, len, folded, &cps);
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
    const uint32_t key = mtp_align_key_of(TAG_NUMBER, digits, n);
    st = add_key(sc, key, (uint32_t)local);
    return st == MTP_OK && n >= 3 ? add_anchor_key(sc, key) : st; /* "10" is too common */
}

static mtp_status scan_simple(scanner *sc, int tag, const char *s, size_t len, float w)
{
    mtp_status st = MTP_OK;
    const long local = add_token(sc, w, &st);
    return local < 0 ? st : add_key(sc, mtp_align_key_of(tag, s, len), (uint32_t)local);
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
        return st == MTP_OK ? add_anchor_key(sc, mtp_align_key_of(TAG_URL, s, len)) : st;
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
        st = mtp_align_grow((void **)&a->sort_scratch, &a->sort_capacity, sent->key_count,
                  sizeof *a->sort_scratch);
    }
    if (st == MTP_OK) {
        sort_keys(side->keys + sent->key_start, sent->key_count, a->sort_scratch);
    }
    return st;
}

mtp_status mtp_align_scan_side(mtp_aligner *a, side_feats *side, int is_src, const mtp_align_side *in)
{
    side->count = 0;
    side->tok_len = 0;
    side->key_len = 0;
    side->anchor_len = 0;
    if (mtp_align_grow((void **)&side->sent, &side->sent_capacity, in->count + 1, sizeof *side->sent) !=
        MTP_OK) {
        return MTP_ERR_NOMEM;
    }
    mtp_status st = MTP_OK;
    for (size_t i = 0; i < in->count && st == MTP_OK; i++) {
        st = scan_sentence(a, side, is_src, in->texts[i]);
    }
    if (st == MTP_OK) {
        st = mtp_align_grow((void **)&side->stamp, &side->stamp_capacity, side->tok_len + 1,
                  sizeof *side->stamp);
    }
    if (st == MTP_OK) {
        memset(side->stamp, 0, (side->tok_len + 1) * sizeof *side->stamp);
    }
    return st;
}
