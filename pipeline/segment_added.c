/* segment, part: the sentence breaks ICU misses, added after its breaks were
 * reviewed: sentences glued by scraping after a period ("katanya.Sementara"),
 * "iPhone" shapes, numbers and lower-case words starting a sentence, quoted
 * sentences with their attribution after unpunctuated text, and capitalised
 * connectives after a lower-case word. Each pass adds its breaks in order to
 * seg->added; segment.c merges them before the next pass.
 *
 * Memory: the segmenter's break arrays; look-backs stop at TOKEN_MAX_BYTES,
 * quotation look-aheads at QUOTE_MAX_BYTES.
 */
#include <ctype.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "segment_impl.h"

static int is_listed(const mtp_segmenter *seg, const char *text, size_t start, size_t limit)
{
    return seg->prefixes != NULL &&
           mtp_prefixes_find(seg->prefixes, text + start, limit - start) != MTP_PREFIX_NONE;
}

/* Glued sentences from scraping, "katanya.Sementara" or "KUHP.Selain": UAX #29
 * rule SB7 ((Upper | Lower) ATerm x Upper) keeps them together. It is a
 * sentence end when the token before the period is a word (no period, slash,
 * '@' or ':' in it, so domains, URLs and dotted initials stay; an all-capital
 * token needs two capitals, so "A.Budi" stays), not a listed prefix, and the
 * word after is capitalised, goes on in lower case and does not end in a
 * period or digit itself ("PN.Jkt.Pst", "Node.Js2" stay). */
static size_t glued_break(const mtp_segmenter *seg, const char *text, size_t len, size_t dot)
{
    size_t i = dot + 1;
    if (dot == 0 || !isalpha((unsigned char)text[dot - 1]) || i >= len ||
        !isupper((unsigned char)text[i])) {
        return 0;
    }
    i++;
    const size_t lower_start = i;
    while (i < len && islower((unsigned char)text[i])) {
        i++;
    }
    if (i - lower_start < 2 || (i < len && (text[i] == '.' || isalnum((unsigned char)text[i])))) {
        return 0;
    }
    const size_t pos = seg_token_start(text, dot);
    size_t capitals = 0;
    for (size_t k = pos; k < dot; k++) {
        const unsigned char c = (unsigned char)text[k];
        if (c == '.' || c == '/' || c == '@' || c == ':') {
            return 0;
        }
        capitals += isupper(c) != 0;
    }
    const int after_capital = isupper((unsigned char)text[dot - 1]) != 0;
    if (dot == pos || (after_capital && capitals < 2) || is_listed(seg, text, pos, dot)) {
        return 0;
    }
    return dot + 1;
}

/* "10.00. iPhone": a period, white space, and a lower-case word with a capital
 * inside. UAX #29 never breaks before a lower-case letter after a period
 * (SB8); a brand name written so starts a sentence. */
static size_t camel_case_break(const mtp_segmenter *seg, const char *text, size_t len, size_t dot)
{
    size_t i = dot + 1;
    if (i >= len || text[i] != ' ' || (dot > 0 && strchr(".!?", text[dot - 1]) != NULL)) {
        return 0;
    }
    while (i < len && text[i] == ' ') {
        i++;
    }
    const size_t word = i;
    if (i >= len || !islower((unsigned char)text[i])) {
        return 0;
    }
    while (i < len && isalpha((unsigned char)text[i]) && !isupper((unsigned char)text[i])) {
        i++;
    }
    if (i >= len || !isupper((unsigned char)text[i])) {
        return 0;
    }
    const size_t start = seg_token_start(text, dot);
    if (is_listed(seg, text, start, dot) || seg_is_initials(text, start, dot)) {
        return 0;
    }
    return word;
}

/* "tewas. 730 di antara": after a period and white space, a sentence that
 * starts with a number (or a quotation starting with one) and goes on in lower
 * case gets no break from UAX #29 (SB8 looks for the next letter). Added when
 * the word before the period is a lower-case word of three or more letters
 * that is not a listed prefix ("hlm. 25", "tgl. 5" stay). */
static size_t digit_start_break(const mtp_segmenter *seg, const char *text, size_t len, size_t dot)
{
    size_t i = dot + 1;
    if (i >= len || text[i] != ' ') {
        return 0;
    }
    while (i < len && text[i] == ' ') {
        i++;
    }
    const size_t start = i;
    if (i < len && text[i] == '"') {
        i++;
    }
    if (i >= len || !isdigit((unsigned char)text[i])) {
        return 0;
    }
    while (i < len && (isdigit((unsigned char)text[i]) || text[i] == '.' || text[i] == ',')) {
        i++;
    }
    while (i < len && text[i] == ' ') {
        i++;
    }
    if (i >= len || !islower((unsigned char)text[i])) {
        return 0; /* "kaliber. 50 M2": the number goes with what follows */
    }
    const size_t word = seg_token_start(text, dot);
    if (dot - word < 3 || is_listed(seg, text, word, dot)) {
        return 0;
    }
    for (size_t k = word; k < dot; k++) {
        if (!islower((unsigned char)text[k])) {
            return 0;
        }
    }
    return start;
}

/* Lower-case words that never start a sentence after a stray period: the
 * relative "yang", parts of a URL or file name split by spaces ("www. wnyc.
 * org", "gen.tr", "text. pdf", "Aldorino. jpg"), and the particles of Dutch,
 * Spanish and Arabic names after initials written together ("PJB. de
 * Perez"). */
static int continues_sentence(const char *text, size_t len, size_t word)
{
    static const char *const words[] = {
        "yang", "com", "org", "net", "co",  "go",   "ac",  "or", "id",  "html", "htm",
        "php",  "pdf", "jpg", "png", "gif", "jpeg", "svg", "de", "van", "von",  "bin",
    };
    size_t limit = word;
    while (limit < len && isalnum((unsigned char)text[limit])) {
        limit++;
    }
    if (limit < len && (text[limit] == '.' || text[limit] == '/')) {
        return 1;
    }
    return seg_word_listed(words, sizeof words / sizeof words[0], text + word, limit - word);
}

/* Whether [start, limit) is a token that ends a sentence when a period and a
 * lower-case word follow: a lower-case word or a capitalised one ("serius",
 * "Italia") of four or more letters, an acronym of two or more capitals
 * ("BRI", "II"), or a number of three or more characters ("1879", "1.054").
 * Short lower-case tokens and single letters are the shapes abbreviations and
 * initials take ("dll", "S."); short numbers are list items and sections
 * ("pasal 12. ayat"); mixed case is a brand ("iPhone"). */
static int is_plain_token(const char *text, size_t start, size_t limit)
{
    size_t lower = 0;
    size_t upper = 0;
    size_t digits = 0;
    size_t separators = 0; /* '.' and ',' inside a number */
    for (size_t k = start; k < limit; k++) {
        const unsigned char c = (unsigned char)text[k];
        lower += islower(c) != 0;
        upper += isupper(c) != 0;
        digits += isdigit(c) != 0;
        separators += c == '.' || c == ',';
    }
    const size_t n = limit - start;
    if (digits > 0) {
        return n >= 3 && digits + separators == n && isdigit((unsigned char)text[start]) &&
               isdigit((unsigned char)text[limit - 1]);
    }
    if (upper == n) {
        return n >= 2;
    }
    const size_t capitals = isupper((unsigned char)text[start]) != 0;
    return lower + capitals == n && upper == capitals && n >= 4;
}

/* "perhatian serius. pada penyelenggaraan", "asal Italia. apakah", "Juni
 * 1879. atau": UAX #29 never breaks before a lower-case word after a period
 * (SB8), which suits abbreviations ("dll. untuk"). Scraped and informal text
 * often starts sentences in lower case, so a break is added when the token
 * before the period is a plain word, acronym or number (is_plain_token) that
 * is not a listed prefix. */
static size_t lower_start_break(const mtp_segmenter *seg, const char *text, size_t len, size_t dot)
{
    size_t i = dot + 1;
    if (i >= len || text[i] != ' ') {
        return 0;
    }
    while (i < len && text[i] == ' ') {
        i++;
    }
    if (i + 1 >= len || !islower((unsigned char)text[i]) || !islower((unsigned char)text[i + 1])) {
        return 0;
    }
    const size_t word = seg_token_start(text, dot);
    if (!is_plain_token(text, word, dot) || is_listed(seg, text, word, dot) ||
        continues_sentence(text, len, i)) {
        return 0;
    }
    return i;
}

/* Adds the breaks ICU missed, each after a period, in order; none inside a
 * quotation held together by the quotation convention. */
mtp_status seg_add_missed_breaks(mtp_segmenter *seg, const char *text, size_t len)
{
    seg_quote_scan quotes = SEG_QUOTE_SCAN_START;
    const char *dot = memchr(text, '.', len);
    while (dot != NULL) {
        const size_t at = (size_t)(dot - text);
        size_t extra = glued_break(seg, text, len, at);
        const char *rule = "added.glued";
        if (extra == 0) {
            extra = camel_case_break(seg, text, len, at);
            rule = "added.camel_case";
        }
        if (extra == 0) {
            extra = digit_start_break(seg, text, len, at);
            rule = "added.digit_start";
        }
        if (extra == 0) {
            extra = lower_start_break(seg, text, len, at);
            rule = "added.lower_start";
        }
        if (extra != 0 && !seg_inside_quote(&quotes, text, len, at, extra)) {
            seg_count_rule(seg, rule);
            const mtp_status st = seg_push_break(&seg->added, extra);
            if (st != MTP_OK) {
                return st;
            }
        }
        dot = at + 1 < len ? memchr(dot + 1, '.', len - at - 1) : NULL;
    }
    return MTP_OK;
}

/* Whether the quotation whose text starts at `from` is a quoted sentence with
 * its attribution: it starts with a capital, runs ATTRIBUTED_QUOTE_MIN_WORDS
 * words or more, and closes with ',"' and a lower-case word ("..., " kata
 * Presiden.) within QUOTE_MAX_BYTES. Quoted names and titles are shorter or
 * close otherwise ("acara "Doa Bersama," katanya", "dijuluki "Whiz Kids.""). */
static int starts_attributed_quote(const char *text, size_t len, size_t from)
{
    size_t next = 0;
    if (from >= len || !u_isupper(cp_at(text, len, from, &next))) {
        return 0;
    }
    const size_t close = seg_find_closing_quote(text, len, from, from + QUOTE_MAX_BYTES);
    if (close == SIZE_MAX || text[close - 1] != ',') {
        return 0;
    }
    (void)cp_at(text, len, close, &next);
    if (next + 1 >= len || text[next] != ' ' || !islower((unsigned char)text[next + 1])) {
        return 0;
    }
    size_t words = 1;
    for (size_t i = from; i < close; i++) {
        words += text[i] == ' ';
    }
    return words >= ATTRIBUTED_QUOTE_MIN_WORDS;
}

/* Whether [start, limit) holds two words or more. Walks back from `limit`
 * over the last word only, so a paragraph's quotes cost linear time. */
static int has_two_words(const char *text, size_t start, size_t limit)
{
    size_t i = limit;
    while (i > start && is_space((unsigned char)text[i - 1])) {
        i--;
    }
    while (i > start && !is_space((unsigned char)text[i - 1])) {
        i--;
    }
    while (i > start && is_space((unsigned char)text[i - 1])) {
        i--;
    }
    return i > start;
}

/* Whether the word that ends at `limit` introduces a quotation as its object
 * ("mengatakan "Saya ..."", "menegaskan bahwa "..."): a verb of saying or
 * "bahwa". Such a quotation continues the sentence. */
static int introduces_quote(const char *text, size_t limit)
{
    static const char *const words[] = {
        "bahwa",       "berkata",    "berujar",       "bertanya",    "bilang",
        "menambahkan", "menanyakan", "menegaskan",    "menjawab",    "menjelaskan",
        "mengakui",    "mengatakan", "mengungkapkan", "menuliskan",  "menulis",
        "menuturkan",  "menyatakan", "menyebut",      "menyebutkan", "mengingatkan",
    };
    size_t start = limit;
    while (start > 0 && isalpha((unsigned char)text[start - 1])) {
        start--;
    }
    for (size_t k = 0; k < sizeof words / sizeof words[0]; k++) {
        const size_t n = strlen(words[k]);
        if (n == limit - start && strncasecmp(words[k], text + start, n) == 0) {
            return 1;
        }
    }
    return 0;
}

/* Whether the quotation opening at `quote` is the object of the words before
 * it in the sentence that starts at `sentence`: they end in a verb of saying
 * and hold no quotation of their own (in '"...," katanya menjelaskan "..."'
 * the verb belongs to the attribution of the quotation before). */
static int quote_is_object(const char *text, size_t sentence, size_t quote)
{
    if (!introduces_quote(text, quote - 1)) {
        return 0;
    }
    for (size_t i = sentence; i < quote; i++) {
        if (text[i] == '"' || (i + 2 < quote && memcmp(text + i, "\xE2\x80\x9D", 3) == 0)) {
            return 0;
        }
    }
    return 1;
}

/* 'parlemen "Sebagian dari nilai transaksi itu ...," kata Djoko.': a quoted
 * sentence with its attribution after text with no final punctuation (a
 * headline, a caption, a sentence that lost its period) starts a sentence of
 * its own. The break goes before the opening quote when the word before it
 * ends in a letter or digit, the text since the last break holds two words
 * or more ("Lalu "Saya ...," ujarnya." stays), and the quotation is not the
 * object of a verb of saying (quote_is_object). */
mtp_status seg_add_quote_breaks(mtp_segmenter *seg, const char *text, size_t len)
{
    const break_list *kept = &seg->breaks;
    size_t k = 0;
    for (size_t i = seg_next_quote_candidate(text, 0, len); i < len;
         i = seg_next_quote_candidate(text, i + 1, len)) {
        size_t next = 0;
        const UChar32 c = cp_at(text, len, i, &next);
        if ((c != '"' && c != 0x201C) || i < 2 || text[i - 1] != ' ' ||
            !isalnum((unsigned char)text[i - 2]) || !starts_attributed_quote(text, len, next)) {
            continue;
        }
        while (k < kept->count && kept->pos[k] <= i) {
            k++;
        }
        const size_t sentence = k > 0 ? kept->pos[k - 1] : 0;
        if (has_two_words(text, sentence, i) && !quote_is_object(text, sentence, i)) {
            seg_count_rule(seg, "added.attributed_quote");
            const mtp_status st = seg_push_break(&seg->added, i);
            if (st != MTP_OK) {
                return st;
            }
        }
    }
    return MTP_OK;
}

/* The connectives by first letter, each without its capital, so one letter's
 * list is tried only on words that start so. Chosen on news-id, where each
 * starts sentences that lost their period. */
typedef struct connective_tail {
    const char *text;
    size_t len;
} connective_tail;
#define TAIL(s)                                                                                    \
    {                                                                                              \
        s, sizeof s - 1                                                                            \
    }
static const char connective_firsts[] = "AMNPS";
static const connective_tail connective_tails[26][5] = {
    ['A' - 'A'] = {TAIL("dapun")},
    ['M' - 'A'] = {TAIL("enurut"), TAIL("eski"), TAIL("eskipun")},
    ['N' - 'A'] = {TAIL("amun")},
    ['P' - 'A'] = {TAIL("ada"), TAIL("adahal")},
    ['S' - 'A'] = {TAIL("ebelumnya"), TAIL("edangkan"), TAIL("elain"), TAIL("elanjutnya"),
                   TAIL("ementara")},
};
#undef TAIL

/* Whether the word at `at` (one of connective_firsts) is a sentence
 * connective ("Sementara", "Adapun") followed by a space and a lower-case
 * word. */
static int starts_with_connective(const char *text, size_t len, size_t at)
{
    const connective_tail *tails = connective_tails[text[at] - 'A'];
    for (size_t k = 0; k < 5 && tails[k].text != NULL; k++) {
        const size_t end = at + 1 + tails[k].len;
        if (end + 1 < len && text[end] == ' ' && islower((unsigned char)text[end + 1]) &&
            memcmp(tails[k].text, text + at + 1, tails[k].len) == 0) {
            return 1;
        }
    }
    return 0;
}

/* Whether the word that ends at `limit` (a letter or digit) starts with a
 * lower-case letter or a digit, and so is no part of a name or a title. */
static int lower_word_before(const char *text, size_t limit)
{
    size_t start = limit;
    while (start > 0 && !is_space((unsigned char)text[start - 1])) {
        start--;
    }
    return islower((unsigned char)text[start]) || isdigit((unsigned char)text[start]);
}

/* Whether [from, to) holds an odd number of double quotes: `to` is inside a
 * quotation opened since `from`. */
static int inside_open_quote(const char *text, size_t from, size_t to)
{
    int open = 0;
    for (size_t i = seg_next_quote_candidate(text, from, to); i < to;
         i = seg_next_quote_candidate(text, i + 1, to)) {
        size_t next = 0;
        open ^= is_double_quote(cp_at(text, to, i, &next));
    }
    return open;
}

/* "per bulan Adapun wakil presiden ...": a sentence connective written with
 * a capital right after a lower-case word, with no punctuation between,
 * starts a sentence whose period was lost (scraped text, a headline run into
 * the body). Not after a capitalised word (names and titles: "Pemerintahan
 * Sementara"), not before a capitalised word ("Pada Suatu Hari"), not after
 * a comma, not inside a quotation. */
mtp_status seg_add_connective_breaks(mtp_segmenter *seg, const char *text, size_t len)
{
    const break_list *kept = &seg->breaks;
    for (const char *f = connective_firsts; *f != '\0'; f++) {
        /* One letter's breaks are in order; merged before the next letter's. */
        mtp_status st = seg->added.count > 0 ? seg_merge_added(seg) : MTP_OK;
        seg->added.count = 0;
        size_t k = 0;
        for (const char *hit = memchr(text, *f, len); hit != NULL && st == MTP_OK;
             hit = memchr(hit + 1, *f, len - (size_t)(hit + 1 - text))) {
            const size_t i = (size_t)(hit - text);
            if (i < 2 || text[i - 1] != ' ' || !isalnum((unsigned char)text[i - 2]) ||
                !starts_with_connective(text, len, i) || !lower_word_before(text, i - 1)) {
                continue;
            }
            while (k < kept->count && kept->pos[k] <= i) {
                k++;
            }
            if (!inside_open_quote(text, k > 0 ? kept->pos[k - 1] : 0, i)) {
                seg_count_rule(seg, "added.connective");
                st = seg_push_break(&seg->added, i);
            }
        }
        if (st != MTP_OK) {
            return st;
        }
    }
    return MTP_OK;
}
