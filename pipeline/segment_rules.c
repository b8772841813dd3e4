/* segment, part: the rules that review each of ICU's breaks. For a break
 * they look at its shape (the terminator run before it, the token before
 * that run, the first character after it) and keep it, suppress it or move
 * it: prefixes and initials, attributions after "?" and "!", quotations and
 * parentheses held together, numbered lists. segment.c's opening comment
 * lists them with examples.
 *
 * Memory: none of their own; look-backs stop at TOKEN_MAX_BYTES, quotation
 * look-aheads at QUOTE_MAX_BYTES, parentheses at PAREN_MAX_BYTES, lists at
 * LIST_MAX_BYTES.
 */
#include <assert.h>
#include <ctype.h>
#include <stdint.h>
#include <string.h>

#include "segment_impl.h"

/* ======================================================================
 * The shape of a proposed break
 * ====================================================================== */

/* Start of the token ending at `limit` (after white space or the text start).
 * Tokens the rules care about are short: a token longer than
 * TOKEN_MAX_BYTES counts as empty (start == limit), which keeps every rule
 * linear on texts with no spaces. */
size_t seg_token_start(const char *text, size_t limit)
{
    const size_t floor = limit > TOKEN_MAX_BYTES ? limit - TOKEN_MAX_BYTES : 0;
    size_t pos = limit;
    while (pos > 0) {
        const unsigned char b = (unsigned char)text[pos - 1];
        size_t start = pos - 1;
        if (b >= 0x80 ? is_space(cp_before(text, pos, &start)) : is_space(b)) {
            return pos;
        }
        if (start < floor) {
            return limit;
        }
        pos = start;
    }
    return pos;
}

typedef struct break_site {
    size_t term_start; /* the terminator run before the break: [term_start, term_limit) */
    size_t term_limit;
    size_t close_limit; /* end of the Close characters after the run */
    size_t word_start;  /* the token before the run, leading punctuation skipped */
    size_t next;        /* where the next sentence starts */
    UChar32 next_cp;    /* its first character; 0 at the end of the text */
} break_site;

/* Walks back from `content_end` over Close characters, then terminators,
 * then the token before them. */
static void seg_describe_site(const char *text, size_t len, size_t content_end, size_t next,
                              break_site *site)
{
    size_t pos = content_end;
    size_t start = 0;
    while (pos > 0 && is_close(cp_before(text, pos, &start))) {
        pos = start;
    }
    site->close_limit = content_end;
    site->term_limit = pos;
    while (pos > 0 && is_terminator(cp_before(text, pos, &start))) {
        pos = start;
    }
    site->term_start = pos;
    pos = seg_token_start(text, pos);
    size_t after = 0;
    while (pos < site->term_start && !u_isalnum(cp_at(text, len, pos, &after))) {
        pos = after;
    }
    site->word_start = pos;
    site->next = next;
    site->next_cp = next < len ? cp_at(text, len, next, &after) : 0;
}

/* End of the non-space content before `pos`. */
static size_t seg_content_end_before(const char *text, size_t pos)
{
    size_t start = 0;
    while (pos > 0 && is_space(cp_before(text, pos, &start))) {
        pos = start;
    }
    return pos;
}

static int seg_run_is_single_period(const char *text, const break_site *site)
{
    return site->term_limit - site->term_start == 1 && text[site->term_start] == '.';
}

/* "R", "B.J", "A.B.C": single capital letters joined by periods. */
int seg_is_initials(const char *text, size_t start, size_t limit)
{
    size_t pos = start;
    int letters = 0;
    while (pos < limit) {
        size_t next = 0;
        if (!u_isupper(cp_at(text, limit, pos, &next))) {
            return 0;
        }
        letters++;
        if (next < limit && text[next] != '.') {
            return 0;
        }
        pos = next < limit ? next + 1 : next;
    }
    return letters > 0;
}

/* ======================================================================
 * Rules on ICU's breaks
 * ====================================================================== */

/* "XI", "IV": a Roman numeral standing for a number after "No.". */
static int starts_roman_numeral(const char *text, size_t len, size_t pos)
{
    size_t i = pos;
    while (i < len && strchr("IVXLCDM", text[i]) != NULL && text[i] != '\0') {
        i++;
    }
    return i > pos && (i == len || !u_isalnum((unsigned char)text[i]));
}

static int is_roman_letter(char c)
{
    return c == 'I' || c == 'V' || c == 'X' || c == 'L' || c == 'C' || c == 'D' || c == 'M';
}

/* Whether [start, limit) is one part of a reference number: a Roman numeral,
 * a single capital letter or a number ("XI", "B", "02.00"). The first
 * character settles most tokens, so ordinary words cost one test. */
static int is_reference_part(const char *text, size_t start, size_t limit)
{
    if (limit <= start) {
        return 0;
    }
    const char first = text[start];
    if (isdigit((unsigned char)first)) {
        for (size_t i = start + 1; i < limit; i++) {
            if (!isdigit((unsigned char)text[i]) && text[i] != '.') {
                return 0;
            }
        }
        return 1;
    }
    if (!isupper((unsigned char)first) || limit - start == 1) {
        return isupper((unsigned char)first); /* a single capital letter */
    }
    for (size_t i = start; i < limit; i++) {
        if (!is_roman_letter(text[i])) {
            return 0;
        }
    }
    return 1;
}

/* Whether the period after [word_start, term_start) is inside a reference
 * number that a numeric prefix opened: "No. XI. B. 02.00", where every part
 * since the prefix, this one and the next are reference parts. */
static int inside_reference_number(const mtp_segmenter *seg, const char *text, size_t len,
                                   const break_site *site)
{
    if (seg->prefixes == NULL || !is_reference_part(text, site->word_start, site->term_start)) {
        return 0;
    }
    size_t limit = site->next;
    while (limit < len && isalnum((unsigned char)text[limit])) {
        limit++;
    }
    if (!is_reference_part(text, site->next, limit)) {
        return 0;
    }
    size_t pos = site->word_start;
    for (int parts = 0; parts < 4; parts++) {
        while (pos > 0 && text[pos - 1] == ' ') {
            pos--;
        }
        if (pos < 2 || text[pos - 1] != '.') {
            return 0;
        }
        const size_t end = pos - 1;
        size_t start = end;
        while (start > 0 && isalnum((unsigned char)text[start - 1])) {
            start--;
        }
        if (mtp_prefixes_find(seg->prefixes, text + start, end - start) == MTP_PREFIX_NUMERIC) {
            return 1;
        }
        if (!is_reference_part(text, start, end)) {
            return 0;
        }
        pos = start;
    }
    return 0;
}

/* The token before the one at word_start, one white-space character
 * between: [*previous, *limit). Returns 0 when there is none. */
static int previous_token(const char *text, size_t word_start, size_t *previous, size_t *limit)
{
    if (word_start < 2 || !is_space(cp_before(text, word_start, limit)) || *limit == 0) {
        return 0;
    }
    *previous = seg_token_start(text, *limit);
    return *previous < *limit;
}

/* Whether a lone capital at word_start ends a sentence it is the last word
 * of rather than starting a name: a Roman numeral I, V or X after a
 * lower-case word ("kuartal I."), or an era or unit after a number ("2025
 * M.", "1446 H.", "1.000 V.", "Rp 10 M."). */
static int lone_capital_ends(const char *text, size_t word_start, size_t word_len)
{
    size_t previous = 0;
    size_t limit = 0;
    if (word_len != 1 || !isupper((unsigned char)text[word_start]) ||
        !previous_token(text, word_start, &previous, &limit)) {
        return 0;
    }
    if (isdigit((unsigned char)text[previous]) && isdigit((unsigned char)text[limit - 1])) {
        return 1;
    }
    size_t next = 0;
    return strchr("IVX", text[word_start]) != NULL && u_islower(cp_at(text, limit, previous, &next));
}

/* Whether the word at `at` is a function word that opens sentences and that
 * no name takes ("Mereka", "Namun", "Setelah"), followed by a space or ','.
 * After one, an initial is the last word of its sentence ("tindakan F. Mereka
 * ...", "grup C. Namun ..."). */
static int starts_with_function_word(const char *text, size_t len, size_t at)
{
    static const char *const words[] = {
        "Adapun",  "Akan",     "Akhirnya", "Apa",       "Apabila",   "Bagaimana", "Bahkan",
        "Belum",   "Dalam",    "Dari",     "Dengan",    "Di",        "Dia",       "Hal",
        "Hingga",  "Ia",       "Ini",      "Itu",       "Jadi",      "Jika",      "Juga",
        "Kalau",   "Kami",     "Karena",   "Ke",        "Kemudian",  "Ketika",    "Kita",
        "Lalu",    "Maka",     "Menurut",  "Mereka",    "Meski",     "Meskipun",  "Namun",
        "Oleh",    "Pada",     "Padahal",  "Saat",      "Saya",      "Sebelum",   "Sebelumnya",
        "Sedangkan", "Sehingga", "Sejak",  "Selain",    "Selama",    "Selanjutnya", "Sementara",
        "Setelah", "Siapa",    "Tak",      "Tapi",      "Tetapi",    "Tidak",     "Untuk",
        "Walaupun", "Yang",
    };
    size_t end = at;
    while (end < len && isalpha((unsigned char)text[end])) {
        end++;
    }
    if (end == at || (end < len && text[end] != ' ' && text[end] != ',')) {
        return 0;
    }
    return seg_word_listed(words, sizeof words / sizeof words[0], text + at, end - at);
}

/* Whether a listed plain prefix and its period start the text at `at`
 * ("Comr. Yusri"): a title, so what comes before it is part of the name. */
static int starts_with_title(const mtp_segmenter *seg, const char *text, size_t len, size_t at)
{
    size_t end = at;
    while (end < len && end - at <= TOKEN_MAX_BYTES && isalpha((unsigned char)text[end])) {
        end++;
    }
    return seg->prefixes != NULL && end > at && end < len && text[end] == '.' &&
           mtp_prefixes_find(seg->prefixes, text + at, end - at) == MTP_PREFIX_PLAIN;
}

/* Applies the prefix list and the initials rule to "WORD." breaks. Returns
 * the name of the rule that suppresses the break, or NULL. */
static const char *prefix_rule(const mtp_segmenter *seg, const char *text, size_t len,
                               const break_site *site)
{
    if (!seg_run_is_single_period(text, site) || site->close_limit != site->term_limit) {
        return NULL;
    }
    const char *word = text + site->word_start;
    const size_t word_len = site->term_start - site->word_start;
    if (word_len == 0 || lone_capital_ends(text, site->word_start, word_len)) {
        return NULL;
    }
    mtp_prefix_class cls = MTP_PREFIX_NONE;
    if (seg->prefixes != NULL) {
        cls = mtp_prefixes_find(seg->prefixes, word, word_len);
    }
    if (cls == MTP_PREFIX_PLAIN) {
        return "suppressed.prefix";
    }
    if (cls != MTP_PREFIX_NONE && site->next_cp == '(') {
        return "suppressed.parenthesis"; /* "Pte. Ltd. (SPA) menjual" */
    }
    if (cls == MTP_PREFIX_ENDS && starts_with_title(seg, text, len, site->next)) {
        return "suppressed.title_chain"; /* "Sr. Comr. Yusri" */
    }
    if (cls == MTP_PREFIX_NUMERIC &&
        (u_isdigit(site->next_cp) || starts_roman_numeral(text, len, site->next))) {
        return "suppressed.numeric";
    }
    if (cls == MTP_PREFIX_NONE && inside_reference_number(seg, text, len, site)) {
        return "suppressed.reference_number";
    }
    if (cls == MTP_PREFIX_NONE && seg_is_initials(text, site->word_start, site->term_start) &&
        u_isupper(site->next_cp) && !starts_with_function_word(text, len, site->next)) {
        return "suppressed.initial";
    }
    return NULL;
}

/* "?" or "!" + closing quote + lower-case word: an attribution follows. */
static const char *attribution_rule(const char *text, const break_site *site)
{
    if (site->close_limit == site->term_limit || !u_islower(site->next_cp)) {
        return NULL;
    }
    for (size_t i = site->term_start; i < site->term_limit; i++) {
        if (text[i] == '?' || text[i] == '!') {
            return "suppressed.attribution";
        }
    }
    return NULL;
}

/* "me?njelang", "jum?at": a question mark glued between lower-case letters
 * is a character lost in conversion (an apostrophe, a soft hyphen), not the
 * end of a question. */
static const char *mojibake_question_rule(const char *text, const break_site *site)
{
    const int glued = site->next == site->term_limit && site->close_limit == site->term_limit;
    if (!glued || site->term_limit - site->term_start != 1 || text[site->term_start] != '?' ||
        !u_islower(site->next_cp) || site->term_start == 0) {
        return NULL;
    }
    size_t start = 0;
    return u_islower(cp_before(text, site->term_start, &start)) ? "suppressed.glued_question"
                                                                : NULL;
}

/* Whether white space or the end of the text follows position `at`. */
static int space_or_end_at(const char *text, size_t len, size_t at)
{
    size_t next = 0;
    return at >= len || is_space(cp_at(text, len, at, &next));
}

/* A straight quote opens a quotation when it follows white space, the start
 * of the text or an opening bracket, or, with no quotation open, when a
 * letter or digit follows it ('kata Timo."Buat'); otherwise it closes one.
 * With a quotation open, a quote between white space on both sides closes
 * it: a closing quote typed after a space ('..., " kata Ricardo'). */
static int opens_quotation(const char *text, size_t len, size_t pos, int open_now)
{
    size_t start = 0;
    size_t next = 0;
    const UChar32 c = cp_at(text, len, pos, &next);
    if (c != '"') {
        return c == 0x201C;
    }
    if (pos == 0) {
        return 1;
    }
    const UChar32 before = cp_before(text, pos, &start);
    if (is_space(before)) {
        return !open_now || !space_or_end_at(text, len, next);
    }
    if (before == '(' || before == '[') {
        return 1;
    }
    return !open_now && next < len && u_isalnum(cp_at(text, len, next, &start));
}

/* The character before `pos`, white space skipped. */
static UChar32 cp_before_spaces(const char *text, size_t pos)
{
    size_t start = pos;
    UChar32 c = ' ';
    while (start > 0 && is_space(c)) {
        c = cp_before(text, start, &start);
    }
    return c;
}

/* The first byte in [from, limit) that may start a double quote: '"', or
 * 0xE2, which leads U+201C and U+201D; limit when none. */
size_t seg_next_quote_candidate(const char *text, size_t from, size_t limit)
{
    const char *straight = memchr(text + from, '"', limit - from);
    const size_t end = straight != NULL ? (size_t)(straight - text) : limit;
    const char *curly = memchr(text + from, 0xE2, end - from);
    return curly != NULL ? (size_t)(curly - text) : end;
}

/* Where the quotation opened before `from` closes: a closing quote right after
 * a terminator or comma, within `limit`. SIZE_MAX when it does not close so
 * (another quotation opens first, or the quote is not shaped as a closing one). */
size_t seg_find_closing_quote(const char *text, size_t len, size_t from, size_t limit)
{
    const size_t end = limit < len ? limit : len;
    size_t i = from;
    while (i < end) {
        i = seg_next_quote_candidate(text, i, end);
        if (i >= end) {
            break;
        }
        size_t next = 0;
        const UChar32 c = cp_at(text, len, i, &next);
        if (is_double_quote(c)) {
            const UChar32 before = cp_before_spaces(text, i);
            const int ends_clause = is_terminator(before) || before == ',' || before == 0x2026;
            return !opens_quotation(text, len, i, 1) && ends_clause ? i : SIZE_MAX;
        }
        i = next;
    }
    return SIZE_MAX;
}

static void quote_advance(seg_quote_scan *q, const char *text, size_t len, size_t to)
{
    while (q->pos < to) {
        q->pos = seg_next_quote_candidate(text, q->pos, to);
        if (q->pos >= to) {
            break;
        }
        size_t next = 0;
        const UChar32 c = cp_at(text, len, q->pos, &next);
        if (is_double_quote(c)) {
            q->open = opens_quotation(text, len, q->pos, q->open);
            if (q->open) {
                q->close_at = seg_find_closing_quote(text, len, next, q->pos + QUOTE_MAX_BYTES);
            }
        }
        q->pos = next;
    }
}

int seg_inside_quote(seg_quote_scan *q, const char *text, size_t len, size_t term_start,
                     size_t next)
{
    quote_advance(q, text, len, term_start);
    return q->open && q->close_at != SIZE_MAX && q->close_at >= next;
}

/* A break inside a quotation that closes later in the paragraph. */
static const char *quote_rule(seg_quote_scan *q, const char *text, size_t len,
                              const break_site *site)
{
    return seg_inside_quote(q, text, len, site->term_start, site->next) ? "suppressed.quote"
                                                                         : NULL;
}

/* The parenthesis around the breaks under review, found in one forward pass
 * as breaks arrive in order. */
typedef struct paren_scan {
    size_t pos;      /* no '(' before this is left to look at */
    size_t open_at;  /* the last parenthesis found that closes; SIZE_MAX: none */
    size_t close_at; /* where it closes */
} paren_scan;

/* The ')' closing the '(' at `open`, nested pairs included, within
 * PAREN_MAX_BYTES; SIZE_MAX when there is none. */
static size_t find_closing_paren(const char *text, size_t len, size_t open)
{
    const size_t end = len - open > PAREN_MAX_BYTES ? open + PAREN_MAX_BYTES : len;
    int depth = 0;
    for (size_t i = open; i < end; i++) {
        depth += (text[i] == '(') - (text[i] == ')');
        if (depth == 0) {
            return i;
        }
    }
    return SIZE_MAX;
}

/* Whether the terminator at `at` lies inside a parenthesis; finds the
 * parentheses opening before it. */
static int paren_encloses(paren_scan *ps, const char *text, size_t len, size_t at)
{
    while (ps->open_at == SIZE_MAX || ps->close_at < at) {
        const char *open = ps->pos < at ? memchr(text + ps->pos, '(', at - ps->pos) : NULL;
        if (open == NULL) {
            ps->pos = at;
            return 0;
        }
        const size_t open_at = (size_t)(open - text);
        const size_t close_at = find_closing_paren(text, len, open_at);
        ps->pos = close_at != SIZE_MAX ? close_at + 1 : open_at + 1;
        if (close_at != SIZE_MAX) {
            ps->open_at = open_at;
            ps->close_at = close_at;
        }
    }
    return ps->open_at < at;
}

/* "Honje hutan (E. hemisphaerica (Bl.) RM Smith) memiliki", "(SSK. II)",
 * "(HR. Bukhari)": a break inside a parenthesis that closes shortly after is
 * an abbreviation or a sentence quoted inside another; the parenthesis stays
 * in its sentence, as quotations do. */
static const char *paren_rule(paren_scan *ps, const char *text, size_t len, const break_site *site)
{
    if (!paren_encloses(ps, text, len, site->term_start) || site->next > ps->close_at) {
        return NULL;
    }
    return "suppressed.in_parentheses";
}

/* The number of a list marker "1." .. "99." standing as its own token
 * before the break; 0 when the token is something else. */
static unsigned list_marker(const char *text, const break_site *site)
{
    const size_t digits = site->term_start - site->word_start;
    if (!seg_run_is_single_period(text, site) || site->close_limit != site->term_limit ||
        digits == 0 || digits > 2 || (site->word_start > 0 && text[site->word_start - 1] != ' ')) {
        return 0;
    }
    unsigned n = 0;
    for (size_t i = site->word_start; i < site->term_start; i++) {
        if (!isdigit((unsigned char)text[i])) {
            return 0;
        }
        n = n * 10 + (unsigned)(text[i] - '0');
    }
    return n;
}

/* The token ending at the content before `pos`: [*start, limit). */
static size_t token_before(const char *text, size_t pos, size_t *start)
{
    const size_t limit = seg_content_end_before(text, pos);
    *start = seg_token_start(text, limit);
    return limit;
}

/* What a list marker glued to the item before it follows: the item's last
 * letter, ')' or '%', or a heading's ':'. */
static int is_marker_glue(unsigned char c)
{
    return isalpha(c) || (c != 0 && strchr(":)%", c) != NULL);
}

/* Where marker "2." followed by a capitalised word stands as its own token, or
 * glued to the item before it, in [from, from + LIST_MAX_BYTES); SIZE_MAX
 * when it does not. */
static size_t find_second_marker(const char *text, size_t len, size_t from)
{
    const size_t end = len - from > LIST_MAX_BYTES ? from + LIST_MAX_BYTES : len;
    for (size_t i = from; i + 3 < end; i++) {
        const char *two = memchr(text + i, '2', end - 3 - i);
        if (two == NULL) {
            break;
        }
        i = (size_t)(two - text);
        if (i == from) {
            continue;
        }
        size_t next = 0;
        const unsigned char before = (unsigned char)text[i - 1];
        if ((before == ' ' || is_marker_glue(before)) && text[i + 1] == '.' && text[i + 2] == ' ' &&
            u_isupper(cp_at(text, len, i + 3, &next))) {
            return i;
        }
    }
    return SIZE_MAX;
}

/* "Daftar Isi 1. Opsen pajak 2. Harga rokok", "Pemberi suap: 1. Ade Yasin
 * 2. Maulana": marker "1." inside a sentence, before a capitalised word,
 * opens a list when marker "2." follows shortly and the token before "1." is
 * a heading (capitalised, or ending in ':'). A counted noun repeated before
 * both numbers is a reference, not a list ("ayat 1. Lah ... ayat 2."). */
static int opens_list(const char *text, size_t len, const break_site *site)
{
    size_t first = 0;
    const size_t first_limit = token_before(text, site->word_start, &first);
    size_t next = 0;
    if (first == first_limit || !u_isupper(site->next_cp) ||
        (u_islower(cp_at(text, len, first, &next)) && text[first_limit - 1] != ':')) {
        return 0;
    }
    const size_t two = find_second_marker(text, len, site->next);
    if (two == SIZE_MAX) {
        return 0;
    }
    size_t second = 0;
    const size_t second_limit = token_before(text, two, &second);
    const size_t n = first_limit - first;
    return second_limit - second != n || memcmp(text + first, text + second, n) != 0;
}

/* Numbered lists run into one paragraph ("1. Kementerian A 2. Kementerian B"):
 * ICU breaks after each marker. A marker that would be a sentence of its own
 * joins the sentence after it; marker "1." that opens a list inside a
 * sentence, and marker N + 1 after marker N, start a sentence (the break moves
 * before them). Returns the rule applied and sets *at to where the break goes
 * (SIZE_MAX: nowhere), or NULL. */
static const char *list_rule(const mtp_segmenter *seg, unsigned *list_last, const char *text,
                             size_t len, const break_site *site, size_t *at)
{
    const unsigned n = list_marker(text, site);
    if (n == 0) {
        return NULL;
    }
    const break_list *kept = &seg->breaks;
    size_t sentence_start = kept->count > 0 ? kept->pos[kept->count - 1] : 0;
    while (sentence_start < site->word_start && is_space((unsigned char)text[sentence_start])) {
        sentence_start++;
    }
    if (sentence_start == site->word_start) {
        *list_last = n;
        *at = SIZE_MAX;
        return "suppressed.list_marker";
    }
    if (n >= 2 && n == *list_last + 1) {
        *list_last = n;
        *at = site->word_start;
        return "moved.list_marker";
    }
    if (n == 1 && opens_list(text, len, site)) {
        *list_last = n;
        *at = site->word_start;
        return "moved.list_start";
    }
    return NULL;
}

/* A list marker glued before a single period that a capital follows
 * ("miliar.3. Lombok", "Belgia3. Prancis"): one or two digits right before
 * the period. Sets *digits to where they start and *n to their value. */
static int glued_marker_digits(const char *text, const break_site *site, size_t *digits,
                               unsigned *n)
{
    if (!seg_run_is_single_period(text, site) || site->close_limit != site->term_limit ||
        !u_isupper(site->next_cp)) {
        return 0;
    }
    size_t at = site->term_start;
    unsigned value = 0;
    for (unsigned scale = 1; at > 0 && isdigit((unsigned char)text[at - 1]); scale *= 10) {
        value += scale * (unsigned)(text[--at] - '0');
    }
    const size_t count = site->term_start - at;
    *digits = at;
    *n = value;
    return count > 0 && count <= 2;
}

/* "Rp 625 miliar.3. Lombok Barat": a numbered list run together by scraping,
 * each marker glued to the end of the item before it. ICU breaks after the
 * marker ("miliar.3" stays together by SB6); the break moves before it when a
 * word or ')' ends the item and a capitalised word starts the next one
 * ("G.30.S/PKI" stays). Returns the rule and sets *at, or NULL. */
static const char *glued_marker_rule(const mtp_segmenter *seg, unsigned *list_last,
                                     const char *text, size_t len, const break_site *site,
                                     size_t *at)
{
    size_t digits = 0;
    unsigned n = 0;
    if (!glued_marker_digits(text, site, &digits, &n)) {
        return NULL;
    }
    const size_t kept = seg->breaks.count > 0 ? seg->breaks.pos[seg->breaks.count - 1] : 0;
    if (digits < 2 + kept || text[digits - 1] != '.') {
        return NULL;
    }
    const unsigned char before = (unsigned char)text[digits - 2];
    const int word_before =
        isalpha(before) && digits >= 3 && isalpha((unsigned char)text[digits - 3]);
    const size_t second = site->next + 1; /* the capital is ASCII: u_isupper and < 0x80 */
    if ((!word_before && before != ')') || site->next_cp >= 0x80 || second >= len ||
        !islower((unsigned char)text[second])) {
        return NULL;
    }
    *list_last = n;
    *at = digits;
    return "moved.glued_list_marker";
}

/* Whether the sentence running up to `limit` is a list item: it starts with a
 * marker "1." .. "99.". */
static int item_is_open(const mtp_segmenter *seg, const char *text, size_t limit)
{
    const break_list *kept = &seg->breaks;
    size_t i = kept->count > 0 ? kept->pos[kept->count - 1] : 0;
    while (i < limit && is_space((unsigned char)text[i])) {
        i++;
    }
    const size_t digits = i;
    while (i < limit && i - digits < 3 && isdigit((unsigned char)text[i])) {
        i++;
    }
    return i > digits && i - digits <= 2 && i < limit && text[i] == '.';
}

/* "(Tuan rumah)2. Belgia3. Prancis", "ialah:1. Demas", "22,9%2. Gerindra":
 * a list run together by scraping with each marker glued to the end of the
 * item before it, no period between. ICU breaks after the marker; the break
 * moves before it when the marker continues the list (N + 1 after the item
 * that marker N started), or is "1." glued to a heading's ':' with "2."
 * ahead. Digits glued to a word are otherwise part of it ("B2.", "Liga1."):
 * the sequence is the evidence. */
static const char *glued_sequence_rule(const mtp_segmenter *seg, unsigned *list_last,
                                       const char *text, size_t len, const break_site *site,
                                       size_t *at)
{
    size_t digits = 0;
    unsigned n = 0;
    if (!glued_marker_digits(text, site, &digits, &n)) {
        return NULL;
    }
    const unsigned char before = digits > 0 ? (unsigned char)text[digits - 1] : ' ';
    if (!is_marker_glue(before)) {
        return NULL;
    }
    const int continues = n >= 2 && n == *list_last + 1 && item_is_open(seg, text, digits);
    const int opens =
        n == 1 && text[digits - 1] == ':' && find_second_marker(text, len, site->next) != SIZE_MAX;
    if (!continues && !opens) {
        return NULL;
    }
    *list_last = n;
    *at = digits;
    return "moved.glued_list_sequence";
}

/* 'kata Timo."Buat pemain': a straight quote between a terminator and a
 * letter, with no quotation open, opens the next sentence's quotation; ICU
 * counts it as Close and leaves it on the previous sentence. */
static int glued_opening_quote(const seg_quote_scan *q, const char *text, const break_site *site)
{
    return site->close_limit == site->term_limit + 1 && text[site->term_limit] == '"' &&
           site->next == site->close_limit && !q->open;
}

/* State of the review across one paragraph's breaks, which arrive in order. */
typedef struct review_state {
    seg_quote_scan quotes;
    paren_scan parens;
    unsigned list_last; /* the last list marker seen; 0: none */
} review_state;

/* Reviews ICU's break before `next`: sets *at to where the break goes
 * (`next`, another position, or SIZE_MAX to suppress it) and returns the name
 * of the rule that changed it, NULL when none did. */
static const char *review_break(const mtp_segmenter *seg, review_state *rs, const char *text,
                                size_t len, size_t next, size_t *at)
{
    break_site site;
    seg_describe_site(text, len, seg_content_end_before(text, next), next, &site);
    *at = next;
    if (site.term_limit == site.term_start) {
        return NULL; /* a break after a paragraph separator */
    }
    const char *rule = prefix_rule(seg, text, len, &site);
    if (rule == NULL) {
        rule = attribution_rule(text, &site);
    }
    if (rule == NULL) {
        rule = mojibake_question_rule(text, &site);
    }
    if (rule == NULL) {
        rule = quote_rule(&rs->quotes, text, len, &site);
    }
    if (rule == NULL) {
        rule = paren_rule(&rs->parens, text, len, &site);
    }
    if (rule != NULL) {
        *at = SIZE_MAX;
        return rule;
    }
    if (glued_opening_quote(&rs->quotes, text, &site)) {
        *at = site.term_limit;
        return "moved.glued_quote";
    }
    rule = glued_marker_rule(seg, &rs->list_last, text, len, &site, at);
    if (rule == NULL) {
        rule = glued_sequence_rule(seg, &rs->list_last, text, len, &site, at);
    }
    if (rule != NULL) {
        return rule;
    }
    return list_rule(seg, &rs->list_last, text, len, &site, at);
}

/* Reviews ICU's breaks (seg->raw) with the rules into seg->breaks. */
mtp_status seg_review_breaks(mtp_segmenter *seg, const char *text, size_t len)
{
    review_state rs = {SEG_QUOTE_SCAN_START, {0, SIZE_MAX, 0}, 0};
    for (size_t k = 0; k < seg->raw.count; k++) {
        const size_t next = seg->raw.pos[k];
        size_t at = next;
        const char *rule = seg->tailor ? review_break(seg, &rs, text, len, next, &at) : NULL;
        if (rule != NULL) {
            seg_count_rule(seg, rule);
        }
        if (at == SIZE_MAX) {
            continue;
        }
        assert(seg->breaks.count == 0 || at > seg->breaks.pos[seg->breaks.count - 1]);
        const mtp_status st = seg_push_break(&seg->breaks, at);
        if (st != MTP_OK) {
            return st;
        }
    }
    return MTP_OK;
}
