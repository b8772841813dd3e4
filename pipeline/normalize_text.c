/* normalize_text: the per-field text normalizer behind the normalize stage.
 *
 * fields of unit and pair records.
 *
 * Algorithm, per text field (both sides of a pair), as a chain of steps over
 * UTF-8, each writing into one of two reused scratch buffers:
 *   1. validity: text that is not UTF-8 is bad input ("invalid_utf8");
 *   2. mojibake: a field made only of characters that cp1252/latin-1 can
 *      encode is mapped back to those bytes; when the bytes are valid UTF-8
 *      (and hold no C1 control) they replace the field ("Ã©" -> "é"),
 *      repeated while it applies (text garbled twice). Runs first because the
 *      C1 controls of latin-1 mojibake would otherwise be stripped, and again
 *      after steps 3-5 whenever they changed the text (see run_steps);
 *   3. cleaning, one pass: Cc and Cf characters removed (ZWSP, ZWJ, ZWNJ,
 *      BOM, soft hyphen, bidi marks ...), except the White_Space ones: TAB,
 *      LF, VT, FF, CR, U+0085, like every Zs (NBSP, U+2000..U+200A, U+202F,
 *      U+205F, U+3000 ...), U+2028 and U+2029, become U+0020;
 *      runs of spaces collapse to one; both ends are trimmed;
 *   4. NFC (or NFKC), UAX #15, through ICU's singleton normalizers: skipped
 *      when every non-ASCII character is normalization-inert, otherwise the
 *      quick-check "yes" prefix is kept and only the rest is normalized.
 *      NFKC can make spaces (U+00A8 -> U+0020 U+0308): when it changed the
 *      text, step 3 runs again, so that the stage is idempotent;
 *   5. punctuation profile punct-1 (see normalize.h).
 * A pure-ASCII field of printable characters with single inner spaces and no
 * space at either end is returned untouched before step 1: no step can
 * change it.
 *
 * Memory: O(longest field) per stage object: two UTF-8 scratch buffers, two
 * UTF-16 buffers and the two output fields, grown on demand and reused, so
 * steady state allocates nothing.
 */
#include "normalize_text.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>
#include <unicode/utf8.h>

#include "buf.h"
#include "mtprep/alloc.h"

struct mtp_textnorm {
    const UNormalizer2 *norm; /* ICU singleton: never closed */
    mtp_norm_form form;
    int punctuation;
    int repair_mojibake;
    mtp_buf scratch[2];       /* the UTF-8 step buffers, used alternately */
    int next;                 /* index of the scratch buffer the next step writes */
    UChar *u16_src;           /* the field in UTF-16 */
    int32_t u16_src_capacity; /* in UChars */
    UChar *u16_dst;           /* its normalized form */
    int32_t u16_dst_capacity; /* in UChars */
};

/* ---- small helpers ------------------------------------------------------ */

#define BYTES_ONES 0x0101010101010101ull
#define BYTES_LOW7 0x7F7F7F7F7F7F7F7Full

/* The high bit of each byte of `w` that equals `byte`, exactly (no carries
 * cross bytes: each byte adds at most 0x7F + 0x7F). */
static uint64_t bytes_equal(uint64_t w, unsigned char byte)
{
    const uint64_t t = w ^ (BYTES_ONES * byte);
    return ~(((t & BYTES_LOW7) + BYTES_LOW7) | t | BYTES_LOW7);
}

/* The high bit of each byte of `w` outside 0x20..0x7E. */
static uint64_t bytes_not_printable(uint64_t w)
{
    const uint64_t high = w & ~BYTES_LOW7;
    const uint64_t below_space = ~((w & BYTES_LOW7) + BYTES_ONES * 0x60) & ~BYTES_LOW7;
    return high | below_space | bytes_equal(w, 0x7F);
}

/* Printable ASCII, single inner spaces, no space at the ends: the fast path,
 * eight bytes at a time because most news paragraphs take it. */
static int is_tidy_ascii(mtp_str s)
{
    const unsigned char *p = (const unsigned char *)s.ptr;
    if (s.len == 0 || p[0] == ' ' || p[s.len - 1] == ' ') {
        return 0;
    }
    size_t i = 0;
    for (; i + 8 <= s.len; i += 8) {
        uint64_t w = 0;
        memcpy(&w, p + i, sizeof w);
        const uint64_t spaces = bytes_equal(w, ' ');
        if (bytes_not_printable(w) != 0 || (spaces & (spaces << 8)) != 0) {
            return 0; /* adjacent in memory is adjacent in the register either endian */
        }
        if (i > 0 && p[i] == ' ' && p[i - 1] == ' ') {
            return 0;
        }
    }
    for (; i < s.len; i++) {
        if (p[i] < 0x20 || p[i] > 0x7e || (p[i] == ' ' && i > 0 && p[i - 1] == ' ')) {
            return 0;
        }
    }
    return 1;
}

/* The scratch buffer the next step writes into, emptied and sized for `bytes`. */
static mtp_status take_scratch(mtp_textnorm *tn, size_t bytes, mtp_buf **out)
{
    mtp_buf *b = &tn->scratch[tn->next];
    mtp_buf_clear(b);
    *out = b;
    return mtp_buf_reserve(b, bytes);
}

/* Makes the scratch buffer just written the current text. */
static mtp_str commit_scratch(mtp_textnorm *tn)
{
    const mtp_buf *b = &tn->scratch[tn->next];
    tn->next ^= 1;
    return (mtp_str){b->data, b->len};
}

static mtp_status grow_u16(UChar **buf, int32_t *capacity, int32_t need)
{
    if (need <= *capacity) {
        return MTP_OK;
    }
    UChar *grown = mtp_realloc(*buf, (size_t)need * sizeof **buf);
    if (grown == NULL) {
        return MTP_ERR_NOMEM;
    }
    *buf = grown;
    *capacity = need;
    return MTP_OK;
}

/* ---- step 2: mojibake ---------------------------------------------------- */

/* The cp1252 byte 0x80..0x9F that decodes to `c`, or -1. The five slots
 * cp1252 leaves undefined hold the latin-1 C1 control, as decoders do. */
static int cp1252_byte(UChar32 c)
{
    static const uint16_t high[32] = {
        0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
        0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
        0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};
    for (int i = 0; i < 32; i++) {
        if (high[i] == c) {
            return 0x80 + i;
        }
    }
    return -1;
}

/* The byte that cp1252 (or latin-1, for its C1 controls) decodes to `c`, or -1. */
static int single_byte_of(UChar32 c)
{
    if (c < 0x100) {
        return (int)c;
    }
    return cp1252_byte(c);
}

/* 1 if valid UTF-8 `s` encodes a C1 control (U+0080..U+009F). */
static int has_c1_control(const char *s, size_t len)
{
    for (size_t i = 0; i + 1 < len; i++) {
        const unsigned char b = (unsigned char)s[i + 1];
        if ((unsigned char)s[i] == 0xC2 && b >= 0x80 && b <= 0x9F) {
            return 1;
        }
    }
    return 0;
}

/* How many continuation bytes follow lead byte `byte` in UTF-8; -1 when it
 * cannot start a sequence. Overlongs and surrogates are caught later by the
 * full check: this only lets a hopeless field leave early. */
static int continuation_count(int byte)
{
    if (byte < 0x80) {
        return 0;
    }
    if (byte >= 0xC2 && byte <= 0xDF) {
        return 1;
    }
    if (byte >= 0xE0 && byte <= 0xEF) {
        return 2;
    }
    return (byte >= 0xF0 && byte <= 0xF4) ? 3 : -1;
}

/* Offset of the first byte >= 0x80 in `s`, or s.len. */
static size_t first_non_ascii(mtp_str s)
{
    const unsigned char *p = (const unsigned char *)s.ptr;
    size_t i = 0;
    for (; i + 8 <= s.len; i += 8) {
        uint64_t w = 0;
        memcpy(&w, p + i, sizeof w);
        if ((w & ~BYTES_LOW7) != 0) {
            break;
        }
    }
    while (i < s.len && p[i] < 0x80) {
        i++;
    }
    return i;
}

/* 0 when the first non-ASCII character cannot be a UTF-8 lead byte read as
 * cp1252/latin-1: then no round can apply, and nothing is copied. */
static int may_be_mojibake(mtp_str s)
{
    int32_t i = (int32_t)first_non_ascii(s);
    if ((size_t)i == s.len) {
        return 0;
    }
    UChar32 c = 0;
    U8_NEXT((const uint8_t *)s.ptr, i, (int32_t)s.len, c);
    const int byte = single_byte_of(c);
    return byte >= 0xC2 && byte <= 0xF4;
}

/* One round: maps `in` back to single bytes into a scratch buffer. Sets
 * *repaired when the bytes are a better UTF-8 reading of the field. Most
 * fields with non-ASCII text fail at their first non-ASCII character (an
 * unmappable one, or a byte that cannot start or continue a sequence). */
static mtp_status unmojibake_once(mtp_textnorm *tn, mtp_str in, int *repaired)
{
    mtp_buf *b = NULL;
    *repaired = 0;
    if (!may_be_mojibake(in)) {
        return MTP_OK;
    }
    mtp_status st = take_scratch(tn, in.len, &b);
    if (st != MTP_OK) {
        return st;
    }
    const uint8_t *s = (const uint8_t *)in.ptr;
    const int32_t len = (int32_t)in.len;
    int high = 0;
    int expected = 0; /* continuation bytes still owed to the last lead byte */
    for (int32_t i = 0; i < len;) {
        UChar32 c = 0;
        U8_NEXT(s, i, len, c);
        const int byte = single_byte_of(c);
        const int continuation = byte >= 0x80 && byte <= 0xBF;
        if (byte < 0 || (expected > 0) != continuation) {
            return MTP_OK;
        }
        expected = continuation ? expected - 1 : continuation_count(byte);
        if (expected < 0) {
            return MTP_OK;
        }
        high |= byte >= 0x80;
        b->data[b->len++] = (char)byte;
    }
    *repaired = high && expected == 0 && mtp_utf8_is_valid(b->data, b->len) &&
                !has_c1_control(b->data, b->len);
    return MTP_OK;
}

/* Repeats until nothing changes, so that the stage is idempotent; each round
 * shortens the text, and a text garbled k times is exponentially long in k.
 * *repaired tells whether any round applied. */
static mtp_status repair_mojibake(mtp_textnorm *tn, mtp_str *cur, unsigned *changed, int *repaired)
{
    *repaired = 0;
    for (;;) {
        int applied = 0;
        const mtp_status st = unmojibake_once(tn, *cur, &applied);
        if (st != MTP_OK || !applied) {
            return st;
        }
        *cur = commit_scratch(tn);
        *changed |= MTP_TEXTNORM_MOJIBAKE;
        *repaired = 1;
    }
}

/* ---- step 3: controls and whitespace ------------------------------------ */

typedef enum char_class { CHAR_KEEP, CHAR_SPACE, CHAR_REMOVE } char_class;

static char_class classify(UChar32 c)
{
    if (c < 0x80) {
        if (c == ' ' || (c >= '\t' && c <= '\r')) {
            return CHAR_SPACE; /* the White_Space controls TAB LF VT FF CR */
        }
        return (c < 0x20 || c == 0x7f) ? CHAR_REMOVE : CHAR_KEEP;
    }
    if (c == 0x85 || c == 0x2028 || c == 0x2029) {
        return CHAR_SPACE; /* NEL, LS, PS: line breaks inside a record line */
    }
    const int8_t type = u_charType(c);
    if (type == U_SPACE_SEPARATOR) {
        return CHAR_SPACE;
    }
    return (type == U_CONTROL_CHAR || type == U_FORMAT_CHAR) ? CHAR_REMOVE : CHAR_KEEP;
}

/* What the cleaning pass learnt about its output. */
typedef struct clean_facts {
    int non_ascii;     /* some character is not ASCII */
    int needs_unicode; /* some character is not normalization-inert */
} clean_facts;

static void note_kept(const mtp_textnorm *tn, UChar32 c, clean_facts *facts)
{
    if (c >= 0x80) {
        facts->non_ascii = 1;
        if (!facts->needs_unicode && !unorm2_isInert(tn->norm, c)) {
            facts->needs_unicode = 1;
        }
    }
}

/* The 8 bytes at p as clean copies them when they are printable ASCII
 * without two spaces in a row; *pending as the byte loop would keep it.
 * Returns 0 (nothing done) for any other block, or when its first byte is
 * a space the byte loop would count as a change (doubled or leading). */
static int clean_ascii8(const uint8_t *p, mtp_buf *b, int *pending)
{
    uint64_t w = 0;
    memcpy(&w, p, sizeof w);
    const uint64_t spaces = bytes_equal(w, ' ');
    if (bytes_not_printable(w) != 0 || (spaces & (spaces << 8)) != 0 ||
        (p[0] == ' ' && (*pending || b->len == 0))) {
        return 0;
    }
    if (*pending && b->len > 0) {
        b->data[b->len++] = ' ';
    }
    const int trailing = p[7] == ' '; /* written before the next kept character */
    memcpy(b->data + b->len, p, (size_t)(8 - trailing));
    b->len += (size_t)(8 - trailing);
    *pending = trailing;
    return 1;
}

/* Removes controls, maps spaces, collapses and trims. `pending` holds a
 * space seen but not yet written: written only before a kept character. */
static mtp_status clean(mtp_textnorm *tn, mtp_str *cur, unsigned *changed, clean_facts *facts)
{
    mtp_buf *b = NULL;
    const mtp_status st = take_scratch(tn, cur->len, &b);
    if (st != MTP_OK) {
        return st;
    }
    const uint8_t *s = (const uint8_t *)cur->ptr;
    const int32_t len = (int32_t)cur->len;
    int pending = 0;
    unsigned found = 0;
    for (int32_t i = 0; i < len;) {
        if (len - i >= 8 && clean_ascii8(s + i, b, &pending)) {
            i += 8;
            continue;
        }
        const int32_t start = i;
        UChar32 c = s[i];
        if (c < 0x80) {
            i++;
        } else {
            U8_NEXT(s, i, len, c);
        }
        const char_class cls = classify(c);
        if (cls == CHAR_REMOVE) {
            found |= MTP_TEXTNORM_CONTROL;
        } else if (cls == CHAR_SPACE) {
            if (c != ' ' || pending || b->len == 0) {
                found |= MTP_TEXTNORM_WHITESPACE;
            }
            pending = 1;
        } else {
            if (pending && b->len > 0) {
                b->data[b->len++] = ' ';
            }
            pending = 0;
            if (c < 0x80) {
                b->data[b->len++] = (char)c;
                continue;
            }
            memcpy(b->data + b->len, s + start, (size_t)(i - start));
            b->len += (size_t)(i - start);
            note_kept(tn, c, facts);
        }
    }
    if (pending) {
        found |= MTP_TEXTNORM_WHITESPACE;
    }
    if (found != 0) {
        *changed |= found;
        *cur = commit_scratch(tn);
    }
    return MTP_OK;
}

/* ---- step 4: NFC / NFKC ------------------------------------------------- */

static mtp_status icu_failed(mtp_error *err, const char *call, UErrorCode ec)
{
    return mtp_error_set(err, MTP_ERR_ICU, "%s: %s", call, u_errorName(ec));
}

static mtp_status to_utf16(mtp_textnorm *tn, mtp_str in, int32_t *len16, mtp_error *err)
{
    mtp_status st = grow_u16(&tn->u16_src, &tn->u16_src_capacity, (int32_t)in.len + 1);
    if (st != MTP_OK) {
        return st;
    }
    UErrorCode ec = U_ZERO_ERROR;
    u_strFromUTF8(tn->u16_src, tn->u16_src_capacity, len16, in.ptr, (int32_t)in.len, &ec);
    return U_FAILURE(ec) ? icu_failed(err, "u_strFromUTF8", ec) : MTP_OK;
}

/* Normalizes u16_src[span..len16) after the already normal prefix, into
 * u16_dst; grows u16_dst once when ICU reports the length it needs. */
static mtp_status normalize_rest(mtp_textnorm *tn, int32_t span, int32_t len16, int32_t *out_len,
                                 mtp_error *err)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        UErrorCode ec = U_ZERO_ERROR;
        memcpy(tn->u16_dst, tn->u16_src, (size_t)span * sizeof *tn->u16_dst);
        *out_len =
            unorm2_normalizeSecondAndAppend(tn->norm, tn->u16_dst, span, tn->u16_dst_capacity,
                                            tn->u16_src + span, len16 - span, &ec);
        if (ec != U_BUFFER_OVERFLOW_ERROR) {
            return U_FAILURE(ec) ? icu_failed(err, "unorm2_normalizeSecondAndAppend", ec) : MTP_OK;
        }
        const mtp_status st = grow_u16(&tn->u16_dst, &tn->u16_dst_capacity, *out_len + 1);
        if (st != MTP_OK) {
            return st;
        }
    }
    return mtp_error_set(err, MTP_ERR_ICU, "unorm2_normalizeSecondAndAppend: buffer still short");
}

static mtp_status from_utf16(mtp_textnorm *tn, int32_t len16, mtp_error *err)
{
    mtp_buf *b = NULL;
    const mtp_status st = take_scratch(tn, (size_t)len16 * 3, &b);
    if (st != MTP_OK) {
        return st;
    }
    const size_t capacity = b->capacity - 1;
    const int32_t capacity32 = capacity > INT32_MAX ? INT32_MAX : (int32_t)capacity;
    UErrorCode ec = U_ZERO_ERROR;
    int32_t len8 = 0;
    u_strToUTF8(b->data, capacity32, &len8, tn->u16_dst, len16, &ec);
    if (U_FAILURE(ec)) {
        return icu_failed(err, "u_strToUTF8", ec);
    }
    b->len = (size_t)len8;
    return MTP_OK;
}

/* Replaces *cur by its NFC/NFKC form; sets MTP_TEXTNORM_UNICODE if it differs. */
static mtp_status normalize_unicode(mtp_textnorm *tn, mtp_str *cur, unsigned *changed,
                                    mtp_error *err)
{
    int32_t len16 = 0;
    mtp_status st = to_utf16(tn, *cur, &len16, err);
    if (st != MTP_OK) {
        return st;
    }
    UErrorCode ec = U_ZERO_ERROR;
    const int32_t span = unorm2_spanQuickCheckYes(tn->norm, tn->u16_src, len16, &ec);
    if (U_FAILURE(ec)) {
        return icu_failed(err, "unorm2_spanQuickCheckYes", ec);
    }
    if (span == len16) {
        return MTP_OK;
    }
    st = grow_u16(&tn->u16_dst, &tn->u16_dst_capacity, len16 + 16);
    int32_t out16 = 0;
    if (st == MTP_OK) {
        st = normalize_rest(tn, span, len16, &out16, err);
    }
    if (st != MTP_OK) {
        return st;
    }
    if (out16 == len16 && memcmp(tn->u16_dst, tn->u16_src, (size_t)len16 * sizeof(UChar)) == 0) {
        return MTP_OK; /* a quick-check "maybe" that was normal after all */
    }
    st = from_utf16(tn, out16, err);
    if (st == MTP_OK) {
        *cur = commit_scratch(tn);
        *changed |= MTP_TEXTNORM_UNICODE;
    }
    return st;
}

/* ---- step 5: punctuation profile punct-1 -------------------------------- */

/* punct-1: each source character and its ASCII replacement (normalize.h). */
static const struct punct_rule {
    UChar32 c;
    const char *ascii;
} punct_rules[] = {
    {0x00AB, "\""},  {0x00BB, "\""}, /* « » */
    {0x2010, "-"},   {0x2011, "-"},  /* hyphen, non-breaking hyphen */
    {0x2012, "-"},   {0x2013, "-"},  /* figure dash, en dash */
    {0x2014, "-"},   {0x2015, "-"},  /* em dash, horizontal bar */
    {0x2018, "'"},   {0x2019, "'"},  /* ‘ ’ */
    {0x201A, "'"},   {0x201B, "'"},  /* ‚ ‛ */
    {0x201C, "\""},  {0x201D, "\""}, /* “ ” */
    {0x201E, "\""},  {0x201F, "\""}, /* „ ‟ */
    {0x2026, "..."},                 /* … */
    {0x2039, "'"},   {0x203A, "'"},  /* ‹ › */
    {0x2212, "-"},                   /* minus sign */
    {0xFE58, "-"},   {0xFE63, "-"},  /* small em dash, small hyphen-minus */
    {0xFF02, "\""},  {0xFF07, "'"},  /* full-width quotation mark, apostrophe */
    {0xFF0D, "-"},                   /* full-width hyphen-minus */
};

/* The ASCII replacement of `c` under punct-1, or NULL to keep it. */
static const char *punct_replacement(UChar32 c)
{
    if (c < 0x00AB || (c > 0x00BB && c < 0x2010) || (c > 0x2212 && c < 0xFE58)) {
        return NULL; /* the common case, letters included, leaves early */
    }
    for (size_t i = 0; i < sizeof punct_rules / sizeof punct_rules[0]; i++) {
        if (punct_rules[i].c == c) {
            return punct_rules[i].ascii;
        }
    }
    return NULL;
}

/* Appends s[start, limit) to the scratch buffer (reserved by the caller). */
static void append_run(mtp_buf *b, const uint8_t *s, int32_t start, int32_t limit)
{
    memcpy(b->data + b->len, s + start, (size_t)(limit - start));
    b->len += (size_t)(limit - start);
}

/* Every punct-1 source character takes at least as many UTF-8 bytes as its
 * replacement, so the output never outgrows the input. Unchanged runs are
 * copied whole, and only once a replacement is found: most texts have none. */
static mtp_status apply_punct(mtp_textnorm *tn, mtp_str *cur, unsigned *changed)
{
    mtp_buf *b = NULL;
    const mtp_status st = take_scratch(tn, cur->len, &b);
    if (st != MTP_OK) {
        return st;
    }
    const uint8_t *s = (const uint8_t *)cur->ptr;
    const int32_t len = (int32_t)cur->len;
    int32_t copied = 0; /* s[0, copied) is in b, replaced where needed */
    int found = 0;
    for (int32_t i = 0; i < len;) {
        if (s[i] < 0x80) {
            i++;
            continue;
        }
        const int32_t start = i;
        UChar32 c = 0;
        U8_NEXT(s, i, len, c);
        const char *rep = punct_replacement(c);
        if (rep != NULL) {
            append_run(b, s, copied, start);
            append_run(b, (const uint8_t *)rep, 0, (int32_t)strlen(rep));
            copied = i;
            found = 1;
        }
    }
    if (found) {
        append_run(b, s, copied, len);
        *changed |= MTP_TEXTNORM_PUNCT;
        *cur = commit_scratch(tn);
    }
    return MTP_OK;
}

/* ---- the text normalizer ------------------------------------------------ */

mtp_status mtp_textnorm_new(const mtp_normalize_options *opts, mtp_textnorm **out, mtp_error *err)
{
    *out = NULL;
    UErrorCode ec = U_ZERO_ERROR;
    const UNormalizer2 *norm = NULL;
    if (opts->form == MTP_NORM_NFC) {
        norm = unorm2_getNFCInstance(&ec);
    } else if (opts->form == MTP_NORM_NFKC) {
        norm = unorm2_getNFKCInstance(&ec);
    } else {
        return mtp_error_set(err, MTP_ERR_USAGE, "unknown normalization form %d", (int)opts->form);
    }
    if (U_FAILURE(ec)) {
        return icu_failed(err, "unorm2_getInstance", ec);
    }
    mtp_textnorm *tn = mtp_calloc(1, sizeof *tn);
    if (tn == NULL) {
        return mtp_error_set(err, MTP_ERR_NOMEM, "out of memory");
    }
    tn->norm = norm;
    tn->form = opts->form;
    tn->punctuation = opts->punctuation;
    tn->repair_mojibake = opts->repair_mojibake;
    *out = tn;
    return MTP_OK;
}

static mtp_status check_length(mtp_str in, mtp_error *err)
{
    if (in.len > INT32_MAX / 4) { /* ICU lengths are int32_t; UTF-16 x3 must fit */
        return mtp_error_set(err, MTP_ERR_LIMIT, "text field of %zu bytes is too long", in.len);
    }
    return MTP_OK;
}

/* Steps 3 to 5; *changed receives only what they changed. */
static mtp_status steps_after_mojibake(mtp_textnorm *tn, mtp_str *cur, unsigned *changed,
                                       mtp_error *err)
{
    clean_facts facts = {0, 0};
    mtp_status st = clean(tn, cur, changed, &facts);
    if (st == MTP_OK && facts.needs_unicode) {
        st = normalize_unicode(tn, cur, changed, err);
        if (st == MTP_OK && (*changed & MTP_TEXTNORM_UNICODE) && tn->form == MTP_NORM_NFKC) {
            st = clean(tn, cur, changed, &facts);
        }
    }
    if (st == MTP_OK && tn->punctuation && facts.non_ascii) {
        st = apply_punct(tn, cur, changed);
    }
    return st;
}

/* Mojibake, then the other steps; when they changed the text (a removed ZWSP
 * or a mapped dash can make a field map back whole), mojibake is tried again
 * and, if it repairs, the other steps rerun: the result is a fixed point, so
 * normalizing twice equals normalizing once. Each rerun follows a repair,
 * which shortens the text, so the loop ends. */
static mtp_status run_steps(mtp_textnorm *tn, mtp_str *cur, unsigned *changed, mtp_error *err)
{
    int repaired = 0;
    mtp_status st = MTP_OK;
    if (tn->repair_mojibake) {
        st = repair_mojibake(tn, cur, changed, &repaired);
    }
    while (st == MTP_OK) {
        unsigned later = 0;
        st = steps_after_mojibake(tn, cur, &later, err);
        *changed |= later;
        if (st != MTP_OK || later == 0 || !tn->repair_mojibake) {
            break;
        }
        st = repair_mojibake(tn, cur, changed, &repaired);
        if (!repaired) {
            break;
        }
    }
    if (st == MTP_ERR_NOMEM) {
        mtp_error_set(err, st, "out of memory");
    }
    return st;
}

mtp_status mtp_textnorm_field(mtp_textnorm *tn, mtp_str in, mtp_buf *dst, mtp_str *out,
                              unsigned *changed, mtp_error *err)
{
    *out = in;
    *changed = 0;
    if (is_tidy_ascii(in)) {
        return MTP_OK;
    }
    if (!mtp_utf8_is_valid(in.ptr, in.len)) {
        return MTP_ERR_INPUT;
    }
    mtp_status st = check_length(in, err);
    mtp_str cur = in;
    if (st == MTP_OK) {
        st = run_steps(tn, &cur, changed, err);
    }
    if (st != MTP_OK || *changed == 0) {
        return st;
    }
    mtp_buf_clear(dst);
    st = mtp_buf_append(dst, cur.ptr, cur.len);
    if (st != MTP_OK) {
        return mtp_error_set(err, st, "out of memory");
    }
    *out = (mtp_str){dst->data, dst->len};
    return MTP_OK;
}

mtp_status mtp_textnorm_unicode(mtp_textnorm *tn, mtp_str in, mtp_str *out, mtp_error *err)
{
    *out = in;
    if (!mtp_utf8_is_valid(in.ptr, in.len)) {
        return MTP_ERR_INPUT;
    }
    unsigned changed = 0;
    mtp_status st = check_length(in, err);
    if (st == MTP_OK && in.len > 0) {
        st = normalize_unicode(tn, out, &changed, err);
    }
    if (st == MTP_ERR_NOMEM) {
        mtp_error_set(err, st, "out of memory");
    }
    return st;
}

void mtp_textnorm_free(mtp_textnorm *tn)
{
    if (tn == NULL) {
        return;
    }
    mtp_buf_release(&tn->scratch[0]);
    mtp_buf_release(&tn->scratch[1]);
    mtp_free(tn->u16_src);
    mtp_free(tn->u16_dst);
    mtp_free(tn);
}

