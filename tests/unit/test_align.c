/* Unit tests of the aligner: one test per bead type (1-1, 1-0, 0-1, 2-1,
 * 1-2), per lexical anchor (numbers across decimal conventions, capitalised
 * names, URLs, word list with Indonesian affixes and English suffixes), band
 * drift on a long document, min_score, empty sides, and the document join
 * (one-sided documents, look-ahead window, bad records under both policies).
 * Outputs are checked as the exact list of units of the emitted pairs, and
 * counts as exact values with the balance in = out + dropped. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mtprep/align.h"
#include "test_util.h"

/* ---- helpers ------------------------------------------------------------ */

#define MAX_SENTENCES 400

typedef struct doc_side {
    mtp_str units[MAX_SENTENCES];
    mtp_str texts[MAX_SENTENCES];
    char names[MAX_SENTENCES][32];
    mtp_align_side side;
} doc_side;

/* Points `d` at `count` sentences numbered 1.1, 1.2, ... */
static const mtp_align_side *make_side(doc_side *d, const char *const *texts, size_t count)
{
    assert_true(count <= MAX_SENTENCES);
    for (size_t k = 0; k < count; k++) {
        snprintf(d->names[k], sizeof d->names[k], "1.%zu", k + 1);
        d->units[k] = mtp_str_from_cstr(d->names[k]);
        d->texts[k] = mtp_str_from_cstr(texts[k]);
    }
    d->side = (mtp_align_side){d->units, d->texts, count};
    return &d->side;
}

static mtp_aligner *new_aligner(int use_dict, int emit_nulls, double min_score)
{
    mtp_align_options o;
    mtp_align_options_default(&o);
    o.use_dict = use_dict;
    o.emit_nulls = emit_nulls;
    o.min_score = min_score;
    if (use_dict) {
        o.dict_path = MTPREP_SOURCE_DIR "/corpora/dict.id-en.tsv";
    }
    mtp_aligner *a = NULL;
    mtp_error err = {""};
    assert_status(mtp_aligner_new(&o, &a, &err), MTP_OK, err.message);
    return a;
}

/* Copies the units field of every collected pair, space-separated, into out. */
static void units_of(const test_collector *c, char *out, size_t capacity)
{
    size_t n = 0;
    out[0] = '\0';
    for (const char *line = c->text; line != NULL && *line != '\0';) {
        const char *tab1 = strchr(line, '\t');
        const char *tab2 = tab1 ? strchr(tab1 + 1, '\t') : NULL;
        const char *lf = strchr(line, '\n');
        assert_non_null(tab2);
        n += (size_t)snprintf(out + n, capacity - n, "%s%.*s", n ? " " : "", (int)(tab2 - tab1 - 1),
                              tab1 + 1);
        assert_true(n < capacity);
        line = lf ? lf + 1 : NULL;
    }
}

/* The score (last field) of the first collected pair. */
static double first_score(const test_collector *c)
{
    const char *lf = strchr(c->text, '\n');
    assert_non_null(lf);
    const char *p = lf;
    while (p > c->text && p[-1] != '\t') {
        p--;
    }
    return strtod(p, NULL);
}

/* Aligns one document and checks the emitted units exactly. */
static void expect_units(mtp_aligner *a, const char *const *src, size_t ns, const char *const *tgt,
                         size_t nt, const char *want)
{
    static doc_side s, t;
    test_collector c;
    const mtp_sink sink = test_collector_sink(&c);
    assert_status(mtp_aligner_align_doc(a, mtp_str_from_cstr("doc"), make_side(&s, src, ns),
                                        make_side(&t, tgt, nt), &sink),
                  MTP_OK, mtp_aligner_error(a));
    char got[4096];
    units_of(&c, got, sizeof got);
    assert_string_equal(got, want);
    test_collector_release(&c);
}

static uint64_t count(mtp_aligner *a, const char *name)
{
    return mtp_counts_get(mtp_aligner_counts(a), name);
}

/* Sentence pairs sharing content words, numbers and names. */
static const char *const id3[] = {
    "Presiden Joko Widodo mengunjungi Surabaya pada hari Senin untuk meresmikan jembatan baru.",
    "Harga beras di pasar naik menjadi 12.500 rupiah per kilogram minggu ini.",
    "Polisi menangkap tiga tersangka pencurian mobil di Jakarta Selatan.",
};
static const char *const en3[] = {
    "President Joko Widodo visited Surabaya on Monday to open a new bridge.",
    "The price of rice at the market rose to 12,500 rupiah per kilogram this week.",
    "Police arrested three suspects in a car theft in South Jakarta.",
};

/* ---- beads --------------------------------------------------------------- */

static void bead_1_1_in_order(void **state)
{
    (void)state;
    mtp_aligner *a = new_aligner(1, 0, 0.0);
    expect_units(a, id3, 3, en3, 3, "1.1=1.1 1.2=1.2 1.3=1.3");
    assert_int_equal(count(a, "out"), 6);
    assert_int_equal(count(a, "pairs"), 3);
    assert_int_equal(mtp_counts_dropped(mtp_aligner_counts(a)), 0);
    mtp_aligner_free(a);
}

static void bead_1_0_source_without_translation(void **state)
{
    (void)state;
    const char *const src[] = {
        id3[0], "Sementara itu, cuaca di Bandung cerah berawan sepanjang hari.", id3[1], id3[2]};
    mtp_aligner *a = new_aligner(1, 0, 0.0);
    expect_units(a, src, 4, en3, 3, "1.1=1.1 1.3=1.2 1.4=1.3");
    assert_int_equal(count(a, "dropped.unaligned_src"), 1);
    assert_int_equal(count(a, "out"), 6);
    mtp_aligner_free(a);
}

static void bead_0_1_target_without_source(void **state)
{
    (void)state;
    const char *const tgt[] = {en3[0], en3[1],
                               "Meanwhile, the weather in Bandung stayed cloudy all day.", en3[2]};
    mtp_aligner *a = new_aligner(1, 0, 0.0);
    expect_units(a, id3, 3, tgt, 4, "1.1=1.1 1.2=1.2 1.3=1.4");
    assert_int_equal(count(a, "dropped.unaligned_tgt"), 1);
    mtp_aligner_free(a);
}

static void bead_nulls_emitted_with_empty_side(void **state)
{
    (void)state;
    const char *const src[] = {id3[0], id3[1],
                               "Sementara itu, cuaca di Bandung cerah berawan sepanjang hari."};
    const char *const tgt[] = {"Meanwhile, a football match in Madrid ended without goals.", en3[0],
                               en3[1]};
    mtp_aligner *a = new_aligner(1, 1, 0.0);
    expect_units(a, src, 3, tgt, 3, "=1.1 1.1=1.2 1.2=1.3 1.3=");
    assert_int_equal(count(a, "out"), 6);
    assert_int_equal(count(a, "pairs"), 4);
    mtp_aligner_free(a);
}

static void bead_2_1_source_split_in_two(void **state)
{
    (void)state;
    const char *const src[] = {
        id3[0], "Harga beras di pasar naik menjadi 12.500 rupiah per kilogram.",
        "Kenaikan itu terjadi sejak awal bulan Maret karena panen gagal.", id3[2]};
    const char *const tgt[] = {
        en3[0],
        "The price of rice at the market rose to 12,500 rupiah per kilogram, an "
        "increase that began in early March because the harvest failed.",
        en3[2]};
    mtp_aligner *a = new_aligner(1, 0, 0.0);
    expect_units(a, src, 4, tgt, 3, "1.1=1.1 1.2+1.3=1.2 1.4=1.3");
    mtp_aligner_free(a);
}

static void bead_1_2_target_split_in_two(void **state)
{
    (void)state;
    const char *const src[] = {
        id3[0],
        "Harga beras di pasar naik menjadi 12.500 rupiah per kilogram, kenaikan yang "
        "terjadi sejak awal bulan Maret karena panen gagal.",
        id3[2]};
    const char *const tgt[] = {
        en3[0], "The price of rice at the market rose to 12,500 rupiah per kilogram.",
        "The increase began in early March because the harvest failed.", en3[2]};
    mtp_aligner *a = new_aligner(1, 0, 0.0);
    expect_units(a, src, 3, tgt, 4, "1.1=1.1 1.2=1.2+1.3 1.3=1.4");
    mtp_aligner_free(a);
}

static void bead_empty_target_side_leaves_all_unaligned(void **state)
{
    (void)state;
    mtp_aligner *a = new_aligner(1, 0, 0.0);
    expect_units(a, id3, 3, NULL, 0, "");
    assert_int_equal(count(a, "dropped.unaligned_src"), 3);
    assert_int_equal(count(a, "docs"), 1);
    mtp_aligner_free(a);
}

static void min_score_drops_weak_pairs(void **state)
{
    (void)state;
    const char *const src[] = {"Ia datang."};
    const char *const tgt[] = {"They left."};
    mtp_aligner *a = new_aligner(1, 0, 0.99);
    expect_units(a, id3, 3, en3, 3, "1.1=1.1 1.2=1.2 1.3=1.3");
    expect_units(a, src, 1, tgt, 1, "");
    assert_true(count(a, "dropped.low_score") + count(a, "dropped.unaligned_src") >= 1);
    mtp_aligner_free(a);
}

/* ---- anchors --------------------------------------------------------------- */

/* Which of two similar-length source sentences pairs with the one target
 * sentence is decided by the anchor alone (no word list). */
static void expect_anchor(const char *with, const char *without, const char *tgt)
{
    const char *const src_first[] = {with, without};
    const char *const src_second[] = {without, with};
    const char *const t[] = {tgt};
    mtp_aligner *a = new_aligner(0, 0, 0.0);
    expect_units(a, src_first, 2, t, 1, "1.1=1.1");
    expect_units(a, src_second, 2, t, 1, "1.2=1.1");
    mtp_aligner_free(a);
}

static void anchor_numbers_across_decimal_conventions(void **state)
{
    (void)state;
    expect_anchor("Anggaran tahun itu mencapai 1.250.000,75 dolar menurut laporan 2019.",
                  "Anggaran tahun itu naik tajam menurut laporan resmi terbaru kami.",
                  "That year's budget reached 1,250,000.75 dollars according to the 2019 report.");
}

static void anchor_capitalised_names(void **state)
{
    (void)state;
    expect_anchor("Kemarin Gubernur Anies Baswedan bertemu Menteri Sri Mulyani di Balikpapan.",
                  "Kemarin gubernur itu bertemu menteri keuangan di kantor pusat kota.",
                  "Yesterday Governor Anies Baswedan met Minister Sri Mulyani in Balikpapan.");
}

static void anchor_urls(void **state)
{
    (void)state;
    expect_anchor("Informasi lengkap ada di https://www.bmkg.go.id/gempa setiap saat.",
                  "Situs lembaga itu sering diperbarui oleh petugas setiap pagi.",
                  "Full information is at https://www.bmkg.go.id/gempa at any time.");
}

static void anchor_word_list_with_affixes_raises_score(void **state)
{
    (void)state;
    /* mengatakan -> kata (said), pemerintah, bantuan -> bantu (help), rumah (house) */
    const char *const src[] = {
        "Mereka mengatakan pemerintah memberikan bantuan untuk rumah warga."};
    const char *const tgt[] = {"They said the government gave help for the houses of residents."};
    static doc_side s, t;
    double scores[2];
    for (int use_dict = 0; use_dict < 2; use_dict++) {
        mtp_aligner *a = new_aligner(use_dict, 1, 0.0);
        test_collector c;
        const mtp_sink sink = test_collector_sink(&c);
        assert_status(mtp_aligner_align_doc(a, mtp_str_from_cstr("d"), make_side(&s, src, 1),
                                            make_side(&t, tgt, 1), &sink),
                      MTP_OK, mtp_aligner_error(a));
        char got[256];
        units_of(&c, got, sizeof got);
        scores[use_dict] = strncmp(got, "1.1=1.1", 7) == 0 ? first_score(&c) : 0.0;
        test_collector_release(&c);
        mtp_aligner_free(a);
    }
    assert_true(scores[1] > 0.9);
    assert_true(scores[1] > scores[0]);
}

/* ---- long documents ------------------------------------------------------------ */

/* 300 source sentences; the target lacks the first 40: the band must leave the
 * length diagonal and follow the anchors. */
static void band_follows_drift_in_long_document(void **state)
{
    (void)state;
    static char src_text[300][96], tgt_text[300][96];
    static const char *src[300], *tgt[300];
    for (int k = 0; k < 300; k++) {
        snprintf(src_text[k], sizeof src_text[k], "Laporan nomor %d dari kota Kx%dq tiba hari %s.",
                 1000 + 7 * k, k, k % 2 ? "Senin" : "Selasa");
        snprintf(tgt_text[k], sizeof tgt_text[k],
                 "Report number %d from the city Kx%dq arrived on %s.", 1000 + 7 * k, k,
                 k % 2 ? "Monday" : "Tuesday");
        src[k] = src_text[k];
        tgt[k] = tgt_text[k];
    }
    mtp_aligner *a = new_aligner(1, 0, 0.0);
    static char want[8192];
    size_t n = 0;
    for (int k = 40; k < 300; k++) {
        n +=
            (size_t)snprintf(want + n, sizeof want - n, "%s1.%d=1.%d", n ? " " : "", k + 1, k - 39);
    }
    expect_units(a, src, 300, tgt + 40, 260, want);
    assert_int_equal(count(a, "dropped.unaligned_src"), 40);
    mtp_aligner_free(a);
}

/* The target stops half way: the band must leave the length diagonal (which
 * would pair source 300 with target 150) and follow the anchors' slope. */
static void band_follows_target_cut_short(void **state)
{
    (void)state;
    static char src_text[300][96], tgt_text[300][96];
    static const char *src[300], *tgt[300];
    for (int k = 0; k < 300; k++) {
        if (k < 150) {
            snprintf(src_text[k], sizeof src_text[k],
                     "Laporan nomor %d dari kota Kx%dq tiba hari %s.", 1000 + 7 * k, k,
                     k % 2 ? "Senin" : "Selasa");
        } else { /* the untranslated rest talks of something else */
            snprintf(src_text[k], sizeof src_text[k],
                     "Cuaca di pulau Pz%dw cerah sepanjang minggu.", k);
        }
        snprintf(tgt_text[k], sizeof tgt_text[k],
                 "Report number %d from the city Kx%dq arrived on %s.", 1000 + 7 * k, k,
                 k % 2 ? "Monday" : "Tuesday");
        src[k] = src_text[k];
        tgt[k] = tgt_text[k];
    }
    mtp_aligner *a = new_aligner(1, 0, 0.0);
    static char want[8192];
    size_t n = 0;
    for (int k = 0; k < 150; k++) {
        n += (size_t)snprintf(want + n, sizeof want - n, "%s1.%d=1.%d", n ? " " : "", k + 1, k + 1);
    }
    expect_units(a, src, 300, tgt, 150, want);
    assert_int_equal(count(a, "dropped.unaligned_src"), 150);
    mtp_aligner_free(a);
}

/* ---- options ---------------------------------------------------------------------- */

static void options_unknown_pair_needs_a_word_list(void **state)
{
    (void)state;
    mtp_align_options o;
    mtp_align_options_default(&o);
    o.src_lang = "fr";
    mtp_aligner *a = NULL;
    mtp_error err = {""};
    assert_status(mtp_aligner_new(&o, &a, &err), MTP_ERR_USAGE, err.message);
    assert_null(a);
    assert_non_null(strstr(err.message, "fr-en"));
    o.use_dict = 0;
    assert_status(mtp_aligner_new(&o, &a, &err), MTP_OK, err.message);
    mtp_aligner_free(a);
}

static void options_missing_dictionary_file_is_io_error(void **state)
{
    (void)state;
    mtp_align_options o;
    mtp_align_options_default(&o);
    o.dict_path = "/nonexistent/dict.tsv";
    mtp_aligner *a = NULL;
    mtp_error err = {""};
    assert_status(mtp_aligner_new(&o, &a, &err), MTP_ERR_IO, err.message);
    assert_non_null(strstr(err.message, "/nonexistent/dict.tsv"));
}

static void out_of_memory_surfaces_as_nomem(void **state)
{
    (void)state;
    for (long n = 0;; n++) {
        mtp_align_options o;
        mtp_align_options_default(&o);
        o.use_dict = 0;
        mtp_aligner *a = NULL;
        static doc_side s, t;
        mtp_alloc_fail_after(n);
        mtp_status st = mtp_aligner_new(&o, &a, NULL);
        if (st == MTP_OK) {
            const mtp_sink sink = {NULL, NULL};
            st = mtp_aligner_align_doc(a, mtp_str_from_cstr("d"), make_side(&s, id3, 3),
                                       make_side(&t, en3, 3), &sink);
        }
        mtp_alloc_fail_after(-1);
        mtp_aligner_free(a);
        if (st == MTP_OK) {
            break;
        }
        assert_status(st, MTP_ERR_NOMEM, "allocation failure must surface as NOMEM");
    }
}

/* ---- the join --------------------------------------------------------------------- */

/* Runs mtp_align_streams over two record files; returns the status, output in c. */
static mtp_status run_streams(mtp_aligner *a, const char *src_records, const char *tgt_records,
                              test_collector *c)
{
    char src_path[512];
    snprintf(src_path, sizeof src_path, "%s",
             test_write_file("src.rec", src_records, strlen(src_records)));
    const char *tgt_path = test_write_file("tgt.rec", tgt_records, strlen(tgt_records));
    mtp_reader *src = NULL, *tgt = NULL;
    mtp_error err = {""};
    assert_status(mtp_reader_open(src_path, "src.rec", 1 << 20, &src, &err), MTP_OK, err.message);
    assert_status(mtp_reader_open(tgt_path, "tgt.rec", 1 << 20, &tgt, &err), MTP_OK, err.message);
    const mtp_sink sink = test_collector_sink(c);
    const mtp_status st = mtp_align_streams(a, src, tgt, &sink);
    mtp_reader_close(src);
    mtp_reader_close(tgt);
    return st;
}

static void assert_balanced(mtp_aligner *a)
{
    const mtp_counts *c = mtp_aligner_counts(a);
    assert_int_equal(mtp_counts_get(c, "in"), mtp_counts_get(c, "out") + mtp_counts_dropped(c));
    assert_int_equal(mtp_counts_get(c, "in"),
                     mtp_counts_get(c, "in.src") + mtp_counts_get(c, "in.tgt") +
                         (mtp_counts_dropped(c) - mtp_counts_get(c, "dropped.one_sided_doc") -
                          mtp_counts_get(c, "dropped.unaligned_src") -
                          mtp_counts_get(c, "dropped.unaligned_tgt") -
                          mtp_counts_get(c, "dropped.low_score")));
}

#define REC(doc, unit, text) doc "\t" unit "\t" text "\n"

static void join_skips_documents_missing_on_either_side(void **state)
{
    (void)state;
    const char *src = REC("a", "1.1", "Polisi menangkap tiga tersangka di Jakarta.")
        REC("b", "1.1", "Harga beras naik menjadi 12.500 rupiah.")
            REC("b", "1.2", "Kenaikan terjadi sejak Maret.")
                REC("c", "1.1", "Presiden Joko Widodo mengunjungi Surabaya.");
    const char *tgt = REC("x", "1.1", "An English document with no Indonesian counterpart.")
        REC("a", "1.1", "Police arrested three suspects in Jakarta.")
            REC("c", "1.1", "President Joko Widodo visited Surabaya.")
                REC("z", "1.1", "Another lonely English document.");
    mtp_aligner *a = new_aligner(1, 0, 0.0);
    test_collector c;
    assert_status(run_streams(a, src, tgt, &c), MTP_OK, mtp_aligner_error(a));
    char got[256];
    units_of(&c, got, sizeof got);
    assert_string_equal(got, "1.1=1.1 1.1=1.1");
    assert_non_null(strstr(c.text, "a\t1.1=1.1\tPolisi"));
    assert_non_null(strstr(c.text, "c\t1.1=1.1\tPresiden"));
    assert_int_equal(count(a, "docs"), 2);
    assert_int_equal(count(a, "docs.src_only"), 1);
    assert_int_equal(count(a, "docs.tgt_only"), 2);
    assert_int_equal(count(a, "dropped.one_sided_doc"), 4);
    assert_int_equal(count(a, "in"), 8);
    assert_balanced(a);
    test_collector_release(&c);
    mtp_aligner_free(a);
}

static void join_window_too_small_drops_both_heads(void **state)
{
    (void)state;
    const char *src = REC("a", "1.1", "Satu.") REC("b", "1.1", "Dua.") REC("c", "1.1", "Tiga 33.")
        REC("d", "1.1", "Empat 44.");
    const char *tgt = REC("d", "1.1", "Four 44.");
    mtp_align_options o;
    mtp_align_options_default(&o);
    o.use_dict = 0;
    o.window_docs = 2; /* "d" is 3 documents ahead on the source side */
    mtp_aligner *a = NULL;
    assert_status(mtp_aligner_new(&o, &a, NULL), MTP_OK, "");
    test_collector c;
    assert_status(run_streams(a, src, tgt, &c), MTP_OK, mtp_aligner_error(a));
    assert_int_equal(c.records, 0);
    assert_int_equal(count(a, "docs.src_only"), 4);
    assert_int_equal(count(a, "docs.tgt_only"), 1);
    assert_balanced(a);
    test_collector_release(&c);
    mtp_aligner_free(a);
}

static void join_pair_record_input_is_bad_input(void **state)
{
    (void)state;
    const char *src =
        REC("a", "1.1", "Polisi menangkap tiga tersangka di Jakarta.") "a\t1.2=1.2\tx\ty\t0.5000\n";
    const char *tgt = REC("a", "1.1", "Police arrested three suspects in Jakarta.");
    mtp_aligner *a = new_aligner(1, 0, 0.0);
    test_collector c;
    assert_status(run_streams(a, src, tgt, &c), MTP_OK, mtp_aligner_error(a));
    assert_int_equal(c.records, 1);
    assert_int_equal(count(a, "dropped.not_unit_record"), 1);
    assert_balanced(a);
    test_collector_release(&c);
    mtp_aligner_free(a);

    mtp_align_options o;
    mtp_align_options_default(&o);
    o.use_dict = 0;
    o.on_error = MTP_ON_ERROR_FAIL;
    assert_status(mtp_aligner_new(&o, &a, NULL), MTP_OK, "");
    assert_status(run_streams(a, src, tgt, &c), MTP_ERR_INPUT, "");
    assert_string_equal(mtp_aligner_error(a),
                        "src.rec:2: not_unit_record (align reads segmented unit records)");
    test_collector_release(&c);
    mtp_aligner_free(a);
}

static void join_malformed_line_counted_by_reader(void **state)
{
    (void)state;
    const char *src =
        REC("a", "1.1", "Polisi menangkap tiga tersangka di Jakarta.") "no tabs here\n";
    const char *tgt = REC("a", "1.1", "Police arrested three suspects in Jakarta.");
    mtp_aligner *a = new_aligner(1, 0, 0.0);
    test_collector c;
    assert_status(run_streams(a, src, tgt, &c), MTP_OK, mtp_aligner_error(a));
    assert_int_equal(c.records, 1);
    assert_int_equal(count(a, "dropped.field_count"), 1);
    assert_int_equal(count(a, "in"), 3);
    assert_int_equal(count(a, "out"), 2);
    test_collector_release(&c);
    mtp_aligner_free(a);
}

static void join_empty_inputs(void **state)
{
    (void)state;
    mtp_aligner *a = new_aligner(0, 0, 0.0);
    test_collector c;
    assert_status(run_streams(a, "", "", &c), MTP_OK, mtp_aligner_error(a));
    assert_int_equal(c.records, 0);
    assert_int_equal(count(a, "in"), 0);
    test_collector_release(&c);
    mtp_aligner_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bead_1_1_in_order),
        cmocka_unit_test(bead_1_0_source_without_translation),
        cmocka_unit_test(bead_0_1_target_without_source),
        cmocka_unit_test(bead_nulls_emitted_with_empty_side),
        cmocka_unit_test(bead_2_1_source_split_in_two),
        cmocka_unit_test(bead_1_2_target_split_in_two),
        cmocka_unit_test(bead_empty_target_side_leaves_all_unaligned),
        cmocka_unit_test(min_score_drops_weak_pairs),
        cmocka_unit_test(anchor_numbers_across_decimal_conventions),
        cmocka_unit_test(anchor_capitalised_names),
        cmocka_unit_test(anchor_urls),
        cmocka_unit_test(anchor_word_list_with_affixes_raises_score),
        cmocka_unit_test(band_follows_drift_in_long_document),
        cmocka_unit_test(band_follows_target_cut_short),
        cmocka_unit_test(options_unknown_pair_needs_a_word_list),
        cmocka_unit_test(options_missing_dictionary_file_is_io_error),
        cmocka_unit_test(out_of_memory_surfaces_as_nomem),
        cmocka_unit_test(join_skips_documents_missing_on_either_side),
        cmocka_unit_test(join_window_too_small_drops_both_heads),
        cmocka_unit_test(join_pair_record_input_is_bad_input),
        cmocka_unit_test(join_malformed_line_counted_by_reader),
        cmocka_unit_test(join_empty_inputs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
