/* Unit tests of dedup --docs: near-duplicate documents dropped with exact
 * output and counts, the first document of a cluster kept, the clusters
 * file, thresholds, bridging and chained copies, documents without words,
 * exact confirmation and its fallback to the estimate for large documents,
 * over-long documents and invalid UTF-8 under both policies, the memory
 * bound, option checks, pairs, and allocation failure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

#include "mtprep/dedup_docs.h"

/* ---- fixtures -------------------------------------------------------------
 * Three paragraphs of 57 distinct words; ED is P1 with one word changed. */
#define P1                                                                                         \
    "Pemerintah provinsi mengumumkan rencana pembangunan jalan tol baru yang menghubungkan dua "   \
    "kota besar di pulau Jawa bagian timur."
#define ED                                                                                         \
    "Pemerintah provinsi mengumumkan rencana pembangunan jalan raya baru yang menghubungkan dua "  \
    "kota besar di pulau Jawa bagian timur."
#define P2                                                                                         \
    "Proyek tersebut diperkirakan menelan biaya sekitar empat triliun rupiah dan akan selesai "    \
    "dalam waktu tiga tahun, menurut kepala dinas."
#define P3                                                                                         \
    "Warga setempat menyambut baik rencana itu karena perjalanan antarkota selama ini memakan "    \
    "waktu lama terutama pada musim libur panjang."
#define U1                                                                                         \
    "Tim nasional sepak bola putri meraih medali perunggu setelah mengalahkan lawannya dengan "    \
    "skor tipis pada laga terakhir turnamen."
#define U2                                                                                         \
    "Pelatih kepala memuji semangat para pemain muda yang tampil tanpa rasa takut meski "          \
    "menghadapi tekanan penonton tuan rumah."

/* Document `id` made of the given paragraphs, units numbered from 1. */
static const char *doc3(const char *id, const char *a, const char *b, const char *c)
{
    static char buf[8][1024];
    static int next = 0;
    char *out = buf[next++ % 8];
    snprintf(out, 1024, "%s\t1\t%s\n%s\t2\t%s\n%s\t3\t%s\n", id, a, id, b, id, c);
    return out;
}

static const char *doc2(const char *id, const char *a, const char *b)
{
    static char buf[8][1024];
    static int next = 0;
    char *out = buf[next++ % 8];
    snprintf(out, 1024, "%s\t1\t%s\n%s\t2\t%s\n", id, a, id, b);
    return out;
}

/* A one-paragraph document of the words w<first> .. w<limit-1>. */
static const char *word_doc(const char *id, int first, int limit)
{
    static char buf[4][8192];
    static int next = 0;
    char *out = buf[next++ % 4];
    size_t len = (size_t)snprintf(out, 8192, "%s\t1\t", id);
    for (int i = first; i < limit; i++) {
        len += (size_t)snprintf(out + len, 8192 - len, "%sw%d", i > first ? " " : "", i);
    }
    snprintf(out + len, 8192 - len, "\n");
    return out;
}

static char *join(const char *a, const char *b, const char *c)
{
    static char buf[4][32768];
    static int next = 0;
    char *out = buf[next++ % 4];
    snprintf(out, 32768, "%s%s%s", a, b, c ? c : "");
    return out;
}

static mtp_dedup_docs_options options(double threshold)
{
    mtp_dedup_docs_options o;
    mtp_dedup_docs_options_default(&o);
    o.threshold = threshold;
    return o;
}

static mtp_stage *new_stage(const mtp_dedup_docs_options *o)
{
    mtp_stage *stage = NULL;
    mtp_error err = {""};
    assert_status(mtp_dedup_docs_new(o, &stage, &err), MTP_OK, err.message);
    return stage;
}

/* Runs `in` and checks the exact output, the dropped documents and
 * records, and the balance of the counts. */
static void expect_docs(const mtp_dedup_docs_options *o, const char *in, const char *want,
                        uint64_t docs_dropped, uint64_t records_dropped)
{
    mtp_stage *stage = new_stage(o);
    test_collector out;
    assert_status(test_run_stage(stage, in, &out), MTP_OK, mtp_stage_error(stage));
    assert_string_equal(out.text, want);
    const mtp_counts *c = mtp_stage_counts(stage);
    assert_int_equal(mtp_counts_get(c, "documents_dropped"), docs_dropped);
    assert_int_equal(mtp_counts_get(c, "dropped.near_duplicate_doc"), records_dropped);
    assert_int_equal(mtp_counts_dropped(c), records_dropped);
    assert_true(mtp_counts_balanced(c));
    test_collector_release(&out);
    mtp_stage_free(stage);
}

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static char buf[4096];
    const size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* Runs `in` with --clusters and returns the file's content. */
static const char *clusters_of(double threshold, const char *in)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/clusters.tsv", test_temp_dir());
    mtp_dedup_docs_options o = options(threshold);
    o.clusters_path = path;
    mtp_stage *stage = new_stage(&o);
    test_collector out;
    assert_status(test_run_stage(stage, in, &out), MTP_OK, mtp_stage_error(stage));
    test_collector_release(&out);
    mtp_stage_free(stage);
    char tmp[600];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    assert_false(test_path_exists(tmp));
    return read_text(path);
}

/* ---- decisions ------------------------------------------------------------ */

static void test_exact_copy_dropped(void **state)
{
    (void)state;
    const mtp_dedup_docs_options o = options(0.8);
    const char *a = doc3("a", P1, P2, P3);
    expect_docs(&o, join(a, doc3("b", P1, P2, P3), NULL), a, 1, 3);
    mtp_stage *stage = new_stage(&o);
    test_collector out;
    assert_status(test_run_stage(stage, join(a, doc3("b", P1, P2, P3), NULL), &out), MTP_OK, NULL);
    assert_int_equal(mtp_counts_get(mtp_stage_counts(stage), "documents"), 2);
    test_collector_release(&out);
    mtp_stage_free(stage);
}

/* One word changed (Jaccard 57/59), paragraphs reordered, case and
 * punctuation changed: still a copy. */
static void test_edited_copy_dropped(void **state)
{
    (void)state;
    const mtp_dedup_docs_options o = options(0.8);
    const char *a = doc3("a", P1, P2, P3);
    const char *b = doc2("b", P3 " " ED,
                         "PROYEK TERSEBUT DIPERKIRAKAN menelan biaya sekitar empat "
                         "triliun rupiah dan akan selesai dalam waktu tiga tahun "
                         "menurut kepala dinas");
    expect_docs(&o, join(a, b, NULL), a, 1, 2);
}

static void test_unrelated_documents_kept(void **state)
{
    (void)state;
    const mtp_dedup_docs_options o = options(0.8);
    const char *in = join(doc3("a", P1, P2, P3), doc2("u", U1, U2), NULL);
    expect_docs(&o, in, in, 0, 0);
}

/* Dropping P3 leaves Jaccard 38/57 = 0.67: kept at 0.8, dropped at 0.6. */
static void test_threshold_decides_partial_copy(void **state)
{
    (void)state;
    const char *a = doc3("a", P1, P2, P3);
    const char *in = join(a, doc2("b", P1, P2), NULL);
    mtp_dedup_docs_options o = options(0.8);
    expect_docs(&o, in, in, 0, 0);
    o = options(0.6);
    expect_docs(&o, in, a, 1, 2);
}

static void test_threshold_one_needs_equal_word_sets(void **state)
{
    (void)state;
    const mtp_dedup_docs_options o = options(1.0);
    const char *a = doc3("a", P1, P2, P3);
    const char *in = join(a, doc3("b", ED, P2, P3), NULL);
    expect_docs(&o, in, in, 0, 0);
    expect_docs(&o, join(a, doc3("c", P3, P2, P1), NULL), a, 1, 3);
}

/* Subsets of a 100-word document: 80 of its words are Jaccard 0.8 exactly,
 * 79 are 0.79. The exact sets decide where the estimate (error 0.035)
 * could go either way. */
static void test_exact_jaccard_decides_at_threshold(void **state)
{
    (void)state;
    const mtp_dedup_docs_options o = options(0.8);
    char a[8192];
    snprintf(a, sizeof a, "%s", word_doc("a", 0, 100));
    expect_docs(&o, join(a, word_doc("b", 0, 80), NULL), a, 1, 1);
    const char *in = join(a, word_doc("c", 0, 79), NULL);
    expect_docs(&o, in, in, 0, 0);
    in = join(a, word_doc("d", 21, 100), NULL);
    expect_docs(&o, in, in, 0, 0);
}

/* Documents over exact_max_shingles fall back to the estimate: a copy is
 * still found, an unrelated document still kept. */
static void test_large_documents_use_estimate(void **state)
{
    (void)state;
    mtp_dedup_docs_options o = options(0.8);
    o.exact_max_shingles = 50;
    char a[8192];
    snprintf(a, sizeof a, "%s", word_doc("a", 0, 100));
    expect_docs(&o, join(a, word_doc("b", 0, 100), NULL), a, 1, 1);
    const char *in = join(a, word_doc("c", 100, 200), word_doc("d", 0, 40));
    expect_docs(&o, in, in, 0, 0);
    o.exact_max_shingles = 0;
    expect_docs(&o, join(a, word_doc("b", 0, 100), NULL), a, 1, 1);
}

static void test_first_document_of_cluster_kept(void **state)
{
    (void)state;
    const mtp_dedup_docs_options o = options(0.8);
    const char *b = doc3("b", ED, P2, P3);
    expect_docs(&o, join(b, doc3("a", P1, P2, P3), NULL), b, 1, 3);
}

/* A doc_id seen again later is another document, compared like any other. */
static void test_repeated_doc_id_is_new_document(void **state)
{
    (void)state;
    const char *a = doc3("a", P1, P2, P3);
    const char *u = doc2("u", U1, U2);
    assert_string_equal(clusters_of(0.8, join(a, u, a)), "a\ta\nu\tu\na\ta\n");
}

/* ---- clusters ------------------------------------------------------------- */

static void test_clusters_file_lists_every_document(void **state)
{
    (void)state;
    const char *in = join(doc3("a", P1, P2, P3), doc2("u", U1, U2), doc3("b", ED, P2, P3));
    assert_string_equal(clusters_of(0.8, in), "a\ta\nu\tu\nb\ta\n");
}

static void test_clusters_file_of_empty_input_is_empty(void **state)
{
    (void)state;
    assert_string_equal(clusters_of(0.8, ""), "");
}

/* A = w0..w99 and C = w40..w139 (Jaccard 0.43) are both kept at 0.6;
 * B = w20..w119 is 0.67 from each, so it joins and merges their clusters. */
static void test_bridging_document_merges_clusters(void **state)
{
    (void)state;
    char in[32768];
    snprintf(in, sizeof in, "%s%s%s", word_doc("A", 0, 100), word_doc("C", 40, 140),
             word_doc("B", 20, 120));
    assert_string_equal(clusters_of(0.6, in), "A\tA\nC\tA\nB\tA\n");
}

/* Copies of a dropped copy: B = A shifted by 20 words of 200 (Jaccard
 * 0.82), C = B shifted again (0.82 to B, 0.67 to A). C joins through B,
 * which is indexed although dropped. */
static void test_copy_of_dropped_copy_dropped(void **state)
{
    (void)state;
    char in[32768];
    snprintf(in, sizeof in, "%s%s%s", word_doc("A", 0, 200), word_doc("B", 20, 220),
             word_doc("C", 40, 240));
    assert_string_equal(clusters_of(0.75, in), "A\tA\nB\tA\nC\tA\n");
}

/* ---- documents without words, bad input ------------------------------------ */

static void test_documents_without_words_kept(void **state)
{
    (void)state;
    const mtp_dedup_docs_options o = options(0.8);
    const char *in = "x\t1\t...\nx\t2\t-- !!\ny\t1\t...\n";
    mtp_stage *stage = new_stage(&o);
    test_collector out;
    assert_status(test_run_stage(stage, in, &out), MTP_OK, NULL);
    assert_string_equal(out.text, in);
    assert_int_equal(mtp_counts_get(mtp_stage_counts(stage), "documents_without_words"), 2);
    test_collector_release(&out);
    mtp_stage_free(stage);
}

/* 96 bytes: unit 1 + 30 bytes of text + 64 of bookkeeping fit once, not twice. */
#define T30 "kalimat yang cukup panjang ini"
static void test_doc_too_long_skipped_whole(void **state)
{
    (void)state;
    mtp_dedup_docs_options o = options(0.8);
    o.max_doc_bytes = 96;
    const char *in = "x\t1\t" T30 "\nx\t2\t" T30 "\nx\t3\tlagi\ny\t1\t" T30 "\n";
    mtp_stage *stage = new_stage(&o);
    test_collector out;
    assert_status(test_run_stage(stage, in, &out), MTP_OK, mtp_stage_error(stage));
    assert_string_equal(out.text, "y\t1\t" T30 "\n");
    const mtp_counts *c = mtp_stage_counts(stage);
    assert_int_equal(mtp_counts_get(c, "dropped.doc_too_long"), 3);
    assert_int_equal(mtp_counts_get(c, "documents"), 1);
    assert_true(mtp_counts_balanced(c));
    test_collector_release(&out);
    mtp_stage_free(stage);
}

static void test_doc_too_long_fails_naming_record(void **state)
{
    (void)state;
    mtp_dedup_docs_options o = options(0.8);
    o.max_doc_bytes = 96;
    o.on_error = MTP_ON_ERROR_FAIL;
    mtp_stage *stage = new_stage(&o);
    test_collector out;
    assert_status(test_run_stage(stage, "x\t1\t" T30 "\nx\t2\t" T30 "\n", &out), MTP_ERR_INPUT,
                  NULL);
    assert_string_equal(mtp_stage_error(stage),
                        "doc_id x unit 2: doc_too_long (document longer than --max-doc-bytes 96)");
    test_collector_release(&out);
    mtp_stage_free(stage);
}

static void test_invalid_utf8_skip_and_fail(void **state)
{
    (void)state;
    const mtp_record bad = {MTP_RECORD_UNIT, {"d", 1}, {"2", 1}, {"ok \xC0\xAF", 5}, {NULL, 0}, 0};
    const mtp_record good = {MTP_RECORD_UNIT, {"d", 1}, {"1", 1}, {"kata", 4}, {NULL, 0}, 0};
    for (int fail = 0; fail <= 1; fail++) {
        mtp_dedup_docs_options o = options(0.8);
        o.on_error = fail ? MTP_ON_ERROR_FAIL : MTP_ON_ERROR_SKIP;
        mtp_stage *stage = new_stage(&o);
        test_collector out;
        const mtp_sink sink = test_collector_sink(&out);
        assert_status(mtp_stage_feed(stage, &good, &sink), MTP_OK, NULL);
        const mtp_status st = mtp_stage_feed(stage, &bad, &sink);
        if (fail) {
            assert_status(st, MTP_ERR_INPUT, NULL);
            assert_string_equal(mtp_stage_error(stage), "doc_id d unit 2: invalid_utf8");
        } else {
            assert_status(st, MTP_OK, NULL);
            assert_status(mtp_stage_finish(stage, &sink), MTP_OK, NULL);
            assert_string_equal(out.text, "d\t1\tkata\n");
            assert_int_equal(mtp_counts_get(mtp_stage_counts(stage), "dropped.invalid_utf8"), 1);
            assert_true(mtp_counts_balanced(mtp_stage_counts(stage)));
        }
        test_collector_release(&out);
        mtp_stage_free(stage);
    }
}

/* ---- limits and options ------------------------------------------------------ */

/* 50000 bytes: parents (256), the first 64 signatures with their maps
 * (34048), 128 shingle keys (512) and a 1024-slot band table (8192) fit;
 * the 17th document needs a 2048-slot table beside the old one. Fails
 * under skip too. */
static void test_docs_mem_limit_stops_the_run(void **state)
{
    (void)state;
    mtp_dedup_docs_options o = options(0.8);
    o.mem_bytes = 50000;
    mtp_stage *stage = new_stage(&o);
    char in[65536];
    size_t len = 0;
    for (int i = 0; i < 20; i++) {
        char id[16];
        snprintf(id, sizeof id, "d%d", i);
        len +=
            (size_t)snprintf(in + len, sizeof in - len, "%s", word_doc(id, 100 * i, 100 * i + 5));
    }
    test_collector out;
    assert_status(test_run_stage(stage, in, &out), MTP_ERR_LIMIT, NULL);
    assert_string_equal(mtp_stage_error(stage),
                        "document index would exceed --mem 50000 bytes after 17 documents "
                        "(16 indexed); raise --mem");
    assert_int_equal(out.records, 16);
    test_collector_release(&out);
    mtp_stage_free(stage);
}

static void expect_usage(mtp_dedup_docs_options o, const char *message)
{
    mtp_stage *stage = NULL;
    mtp_error err = {""};
    assert_status(mtp_dedup_docs_new(&o, &stage, &err), MTP_ERR_USAGE, NULL);
    assert_null(stage);
    assert_string_equal(err.message, message);
}

static void test_options_out_of_range_rejected(void **state)
{
    (void)state;
    expect_usage(options(0.0), "--threshold 0 is not in (0, 1]");
    expect_usage(options(1.5), "--threshold 1.5 is not in (0, 1]");
    mtp_dedup_docs_options o = options(0.8);
    o.shingle_words = 0;
    expect_usage(o, "--shingle-words 0 is not in 1..8");
    o.shingle_words = 9;
    expect_usage(o, "--shingle-words 9 is not in 1..8");
    o = options(0.8);
    o.max_doc_bytes = 0;
    expect_usage(o, "--max-doc-bytes 0 is not in 1..2147483647");
    o = options(0.8);
    o.exact_max_shingles = 65537;
    expect_usage(o, "exact_max_shingles 65537 is not in 0..65536");
}

static void test_defaults(void **state)
{
    (void)state;
    mtp_dedup_docs_options o;
    mtp_dedup_docs_options_default(&o);
    assert_true(o.threshold == 0.8);
    assert_int_equal(o.shingle_words, 1);
    assert_int_equal(o.max_doc_bytes, 16 << 20);
    assert_int_equal(o.mem_bytes, 1 << 30);
    assert_null(o.clusters_path);
    assert_int_equal(o.on_error, MTP_ON_ERROR_SKIP);
    assert_int_equal(o.exact_max_shingles, 4096);
    assert_int_equal(mtp_dedup_docs_bytes_per_doc(), 1056);
}

/* Pairs are kept whole; their source side decides. */
static void test_pairs_pass_through(void **state)
{
    (void)state;
    const mtp_dedup_docs_options o = options(0.8);
    const char *a = "a\t1=1\t" P1 "\tThe province announced a toll road.\t0.9000\n"
                    "a\t2=2\t" P2 "\tThe project costs four trillion.\t0.8000\n";
    const char *b = "b\t1=1\t" P1 "\tA new toll road was announced.\t0.7000\n"
                    "b\t2=2\t" P2 "\tIt costs four trillion rupiah.\t0.8000\n";
    expect_docs(&o, join(a, b, NULL), a, 1, 2);
}

static void test_clusters_unwritable_is_io_error(void **state)
{
    (void)state;
    mtp_dedup_docs_options o = options(0.8);
    o.clusters_path = "/nonexistent-dir/clusters.tsv";
    mtp_stage *stage = new_stage(&o);
    test_collector out;
    assert_status(test_run_stage(stage, doc2("a", U1, U2), &out), MTP_ERR_IO, NULL);
    assert_string_equal(mtp_stage_error(stage),
                        "/nonexistent-dir/clusters.tsv.tmp: No such file or directory");
    test_collector_release(&out);
    mtp_stage_free(stage);
}

/* SQLite's loop: fail allocation n for n = 0, 1, ... until a run completes;
 * every failure is MTP_ERR_NOMEM and nothing leaks (ASan checks). */
static void test_out_of_memory_loop(void **state)
{
    (void)state;
    const char *a = doc3("a", P1, P2, P3);
    const char *in = join(a, doc2("u", U1, U2), doc3("b", ED, P2, P3));
    const char *want = join(a, doc2("u", U1, U2), NULL);
    mtp_status st = MTP_ERR_NOMEM;
    for (long n = 0; st != MTP_OK; n++) {
        const mtp_dedup_docs_options o = options(0.8);
        mtp_stage *stage = NULL;
        mtp_error err = {""};
        test_collector out;
        mtp_alloc_fail_after(n);
        st = mtp_dedup_docs_new(&o, &stage, &err);
        if (st == MTP_OK) {
            st = test_run_stage(stage, in, &out);
            if (st == MTP_OK) {
                assert_string_equal(out.text, want);
            }
            test_collector_release(&out);
        }
        mtp_alloc_fail_after(-1);
        if (st != MTP_OK) {
            assert_status(st, MTP_ERR_NOMEM, stage ? mtp_stage_error(stage) : err.message);
        }
        mtp_stage_free(stage);
        assert_true(n < 100);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact_copy_dropped),
        cmocka_unit_test(test_edited_copy_dropped),
        cmocka_unit_test(test_unrelated_documents_kept),
        cmocka_unit_test(test_threshold_decides_partial_copy),
        cmocka_unit_test(test_threshold_one_needs_equal_word_sets),
        cmocka_unit_test(test_exact_jaccard_decides_at_threshold),
        cmocka_unit_test(test_large_documents_use_estimate),
        cmocka_unit_test(test_first_document_of_cluster_kept),
        cmocka_unit_test(test_repeated_doc_id_is_new_document),
        cmocka_unit_test(test_clusters_file_lists_every_document),
        cmocka_unit_test(test_clusters_file_of_empty_input_is_empty),
        cmocka_unit_test(test_bridging_document_merges_clusters),
        cmocka_unit_test(test_copy_of_dropped_copy_dropped),
        cmocka_unit_test(test_documents_without_words_kept),
        cmocka_unit_test(test_doc_too_long_skipped_whole),
        cmocka_unit_test(test_doc_too_long_fails_naming_record),
        cmocka_unit_test(test_invalid_utf8_skip_and_fail),
        cmocka_unit_test(test_docs_mem_limit_stops_the_run),
        cmocka_unit_test(test_options_out_of_range_rejected),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_pairs_pass_through),
        cmocka_unit_test(test_clusters_unwritable_is_io_error),
        cmocka_unit_test(test_out_of_memory_loop),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
