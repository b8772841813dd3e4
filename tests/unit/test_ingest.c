/* ingest: exact records for each input shape and edge case, the policy for
 * each kind of bad input, directory walks, counts, and allocation failures. */
#include "test_util.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "jsonl_scan.h"

/* ---- helpers ------------------------------------------------------------ */

typedef struct run_result {
    mtp_status status;
    test_collector out;
    mtp_counts counts;
    char error[MTP_ERROR_CAPACITY];
} run_result;

static void run_paths(const mtp_ingest_options *opts, const char *const *paths, size_t count,
                      run_result *r)
{
    mtp_ingest *ing = NULL;
    mtp_error err = {{0}};
    assert_status(mtp_ingest_new(opts, &ing, &err), MTP_OK, err.message);
    const mtp_sink sink = test_collector_sink(&r->out);
    r->status = MTP_OK;
    for (size_t i = 0; i < count && r->status == MTP_OK; i++) {
        r->status = mtp_ingest_path(ing, paths[i], &sink);
    }
    r->counts = *mtp_ingest_counts(ing);
    snprintf(r->error, sizeof r->error, "%s", mtp_ingest_error(ing));
    mtp_ingest_free(ing);
}

static void run_one(const mtp_ingest_options *opts, const char *path, run_result *r)
{
    run_paths(opts, &path, 1, r);
}

static mtp_ingest_options defaults(void)
{
    mtp_ingest_options opts;
    mtp_ingest_options_default(&opts);
    return opts;
}

static mtp_ingest_options failing(void)
{
    mtp_ingest_options opts = defaults();
    opts.on_error = MTP_ON_ERROR_FAIL;
    return opts;
}

/* Ingests `data` written to a file called `name` with default options and
 * checks the exact output. */
static void expect_records(const char *name, const char *data, size_t len, const char *want)
{
    const mtp_ingest_options opts = defaults();
    run_result r;
    run_one(&opts, test_write_file(name, data, len), &r);
    assert_status(r.status, MTP_OK, r.error);
    assert_string_equal(r.out.text, want);
    assert_true(mtp_counts_balanced(&r.counts));
    test_collector_release(&r.out);
}

#define EXPECT(name, literal, want) expect_records((name), (literal), sizeof(literal) - 1, (want))

static void expect_count(const run_result *r, const char *name, uint64_t want)
{
    const uint64_t got = mtp_counts_get(&r->counts, name);
    if (got != want) {
        fail_msg("%s = %llu, expected %llu", name, (unsigned long long)got,
                 (unsigned long long)want);
    }
}

/* ---- .txt paragraphs ---------------------------------------------------- */

static void txt_title_and_paragraphs(void **state)
{
    (void)state;
    EXPECT("a.txt", "Judul Berita\n\nBaris satu\nbaris dua.\n\nParagraf dua.\n",
           "a\t1\tJudul Berita\n"
           "a\t2\tBaris satu baris dua.\n"
           "a\t3\tParagraf dua.\n");
}

static void txt_multi_line_first_paragraph_is_no_title(void **state)
{
    (void)state;
    EXPECT("a.txt", "Medan - Hujan\nturun deras.\n\nAkhir.\n",
           "a\t1\tHujan turun deras.\n"
           "a\t2\tAkhir.\n");
}

static void txt_title_is_not_a_dateline(void **state)
{
    (void)state;
    EXPECT("a.txt", "Medan - Kota Hujan\n\nMedan - Hujan turun.\n",
           "a\t1\tMedan - Kota Hujan\n"
           "a\t2\tHujan turun.\n");
}

static void txt_one_line_lead_sentence_is_no_title(void **state)
{
    (void)state;
    EXPECT("a.txt", "JAKARTA, KOMPAS.com - Hujan turun.\n\nParagraf dua.\n",
           "a\t1\tHujan turun.\n"
           "a\t2\tParagraf dua.\n");
}

static void txt_crlf_line_ends(void **state)
{
    (void)state;
    EXPECT("a.txt", "Judul\r\n\r\nSatu\r\ndua.\r\n", "a\t1\tJudul\na\t2\tSatu dua.\n");
}

static void txt_lone_cr_line_ends(void **state)
{
    (void)state;
    EXPECT("a.txt", "Judul\r\rSatu\rdua.\r", "a\t1\tJudul\na\t2\tSatu dua.\n");
}

static void txt_bom_is_removed(void **state)
{
    (void)state;
    EXPECT("a.txt", "\xef\xbb\xbfJudul\n\nIsi.\n", "a\t1\tJudul\na\t2\tIsi.\n");
}

static void txt_no_final_newline(void **state)
{
    (void)state;
    EXPECT("a.txt", "Judul\n\nIsi terakhir.", "a\t1\tJudul\na\t2\tIsi terakhir.\n");
}

static void txt_tabs_and_controls_become_spaces(void **state)
{
    (void)state;
    EXPECT("a.txt",
           "Judul\n\nKolom\tsatu\x01"
           "dua\x1f.\n",
           "a\t1\tJudul\na\t2\tKolom satu dua .\n");
}

static void txt_nbsp_line_separates_paragraphs(void **state)
{
    (void)state;
    EXPECT("a.txt", "Judul\n\nSatu.\xc2\xa0 \n\xc2\xa0 \nDua.\n",
           "a\t1\tJudul\na\t2\tSatu.\na\t3\tDua.\n");
}

static void txt_inner_spaces_are_kept(void **state)
{
    (void)state;
    EXPECT("a.txt", "Judul\n\n  Dua  spasi\xc2\xa0 di dalam.  \n",
           "a\t1\tJudul\na\t2\tDua  spasi\xc2\xa0 di dalam.\n");
}

static void txt_empty_file_gives_nothing(void **state)
{
    (void)state;
    const mtp_ingest_options opts = defaults();
    run_result r;
    run_one(&opts, test_write_file("empty.txt", "", 0), &r);
    assert_status(r.status, MTP_OK, r.error);
    assert_string_equal(r.out.text, "");
    expect_count(&r, "in", 0);
    expect_count(&r, "documents", 0);
    expect_count(&r, "files", 1);
    test_collector_release(&r.out);
}

static void txt_blank_lines_only_give_nothing(void **state)
{
    (void)state;
    EXPECT("a.txt", "\n \n\xc2\xa0\n\t\n", "");
}

static void txt_doc_id_strips_compression_and_extension(void **state)
{
    (void)state;
    EXPECT("0906-rusia.v2.txt", "Judul\n", "0906-rusia.v2\t1\tJudul\n");
}

/* ---- boilerplate through ingest ----------------------------------------- */

static const char page[] = "Judul Berita Panjang\n"
                           "\n"
                           "- 6 September 2022, 16:31 WIB\n"
                           "Ilustrasi artileri\n"
                           "\n"
                           "KOMPAS.com - Isi pertama.***\n"
                           "\n"
                           "Baca Juga: Berita lain\n"
                           "\n"
                           "Isi kedua. ADVERTISEMENT\n"
                           "Editor: Budi\n"
                           "\n"
                           "Tags\n";

static void boilerplate_is_removed_and_counted(void **state)
{
    (void)state;
    const mtp_ingest_options opts = defaults();
    run_result r;
    run_one(&opts, test_write_file("p.txt", page, sizeof page - 1), &r);
    assert_status(r.status, MTP_OK, r.error);
    assert_string_equal(r.out.text, "p\t1\tJudul Berita Panjang\n"
                                    "p\t2\tIsi pertama.\n"
                                    "p\t3\tIsi kedua.\n");
    expect_count(&r, "in", 6);
    expect_count(&r, "out", 3);
    expect_count(&r, "dropped.date_line", 1);
    expect_count(&r, "dropped.read_also", 1);
    expect_count(&r, "dropped.nav_list", 1);
    expect_count(&r, "stripped.dateline_site", 1);
    expect_count(&r, "stripped.end_marker", 1);
    expect_count(&r, "stripped.advertisement", 1);
    expect_count(&r, "stripped.credit_line", 1);
    assert_true(mtp_counts_balanced(&r.counts));
    test_collector_release(&r.out);
}

static void keep_boilerplate_counts_but_keeps(void **state)
{
    (void)state;
    mtp_ingest_options opts = defaults();
    opts.keep_boilerplate = 1;
    run_result r;
    run_one(&opts, test_write_file("p.txt", page, sizeof page - 1), &r);
    assert_status(r.status, MTP_OK, r.error);
    assert_string_equal(r.out.text, "p\t1\tJudul Berita Panjang\n"
                                    "p\t2\t- 6 September 2022, 16:31 WIB Ilustrasi artileri\n"
                                    "p\t3\tKOMPAS.com - Isi pertama.***\n"
                                    "p\t4\tBaca Juga: Berita lain\n"
                                    "p\t5\tIsi kedua. ADVERTISEMENT Editor: Budi\n"
                                    "p\t6\tTags\n");
    expect_count(&r, "matched.date_line", 1);
    expect_count(&r, "matched.caption_illustration", 1);
    expect_count(&r, "matched.dateline_site", 1);
    assert_int_equal(mtp_counts_dropped(&r.counts), 0);
    assert_true(mtp_counts_balanced(&r.counts));
    test_collector_release(&r.out);
}

static void no_rules_keeps_everything(void **state)
{
    (void)state;
    mtp_ingest_options opts = defaults();
    opts.no_rules = 1;
    run_result r;
    run_one(&opts, test_write_file("p.txt", page, sizeof page - 1), &r);
    assert_status(r.status, MTP_OK, r.error);
    assert_int_equal(r.out.records, 6);
    assert_int_equal(mtp_counts_dropped(&r.counts), 0);
    test_collector_release(&r.out);
}

static void custom_rules_file_replaces_builtin(void **state)
{
    (void)state;
    static const char rules[] = "hapus\tdrop\ticase\thapus*\n";
    char rules_path[512];
    snprintf(rules_path, sizeof rules_path, "%s",
             test_write_file("r.tsv", rules, sizeof rules - 1));
    mtp_ingest_options opts = defaults();
    opts.rules_path = rules_path;
    static const char text[] = "Judul\n\nHapus ini\n\nTags\n";
    run_result r;
    run_one(&opts, test_write_file("c.txt", text, sizeof text - 1), &r);
    assert_string_equal(r.out.text, "c\t1\tJudul\nc\t2\tTags\n");
    expect_count(&r, "dropped.hapus", 1);
    test_collector_release(&r.out);
}

static void malformed_rules_file_fails_creation(void **state)
{
    (void)state;
    static const char rules[] = "ok\tdrop\ticase\tx\nbad\tdrop\n";
    mtp_ingest_options opts = defaults();
    opts.rules_path = test_write_file("bad.tsv", rules, sizeof rules - 1);
    mtp_ingest *ing = NULL;
    mtp_error err = {{0}};
    assert_status(mtp_ingest_new(&opts, &ing, &err), MTP_ERR_INPUT, "new");
    assert_null(ing);
    assert_non_null(strstr(err.message, "bad.tsv:2: expected NAME<TAB>KIND<TAB>CASE<TAB>PATTERN"));
}

/* ---- bad .txt input ----------------------------------------------------- */

static void txt_invalid_utf8_skip_drops_document(void **state)
{
    (void)state;
    static const char text[] = "Judul\n\nRusak \xc3\x28 di sini.\n";
    const mtp_ingest_options opts = defaults();
    run_result r;
    run_one(&opts, test_write_file("u.txt", text, sizeof text - 1), &r);
    assert_status(r.status, MTP_OK, r.error);
    assert_string_equal(r.out.text, "");
    expect_count(&r, "in", 1);
    expect_count(&r, "dropped.invalid_utf8", 1);
    assert_true(mtp_counts_balanced(&r.counts));
    test_collector_release(&r.out);
}

static void txt_invalid_utf8_fail_names_file_and_line(void **state)
{
    (void)state;
    static const char text[] = "Judul\n\nRusak \xc3\x28 di sini.\n";
    const mtp_ingest_options opts = failing();
    run_result r;
    const char *path = test_write_file("u.txt", text, sizeof text - 1);
    char want[600];
    snprintf(want, sizeof want, "%s:3: invalid_utf8", path);
    run_one(&opts, path, &r);
    assert_status(r.status, MTP_ERR_INPUT, "fail");
    assert_string_equal(r.error, want);
    test_collector_release(&r.out);
}

static void txt_nul_byte_is_bad_input(void **state)
{
    (void)state;
    static const char text[] = "Judul\n\nNUL \0 di sini.\n";
    const mtp_ingest_options opts = defaults();
    run_result r;
    run_one(&opts, test_write_file("n.txt", text, sizeof text - 1), &r);
    assert_string_equal(r.out.text, "");
    expect_count(&r, "dropped.nul_byte", 1);
    test_collector_release(&r.out);
}

static void txt_line_over_limit_is_bad_input(void **state)
{
    (void)state;
    static const char text[] = "Judul\n\n0123456789012345678901234567890123456789\n";
    mtp_ingest_options opts = defaults();
    opts.max_line_bytes = 32;
    run_result r;
    run_one(&opts, test_write_file("l.txt", text, sizeof text - 1), &r);
    assert_string_equal(r.out.text, "");
    expect_count(&r, "dropped.line_too_long", 1);
    test_collector_release(&r.out);
}

static void txt_document_over_limit_is_bad_input(void **state)
{
    (void)state;
    static const char text[] = "Judul\n\n0123456789\n0123456789\n0123456789\n0123456789\n";
    mtp_ingest_options opts = defaults();
    opts.max_line_bytes = 32;
    run_result r;
    run_one(&opts, test_write_file("d.txt", text, sizeof text - 1), &r);
    assert_string_equal(r.out.text, "");
    expect_count(&r, "dropped.document_too_long", 1);
    test_collector_release(&r.out);
}

static void txt_bad_doc_id_is_bad_input(void **state)
{
    (void)state;
    static const char text[] = "Judul\n";
    const mtp_ingest_options opts = defaults();
    run_result r;
    run_one(&opts, test_write_file("tab\there.txt", text, sizeof text - 1), &r);
    assert_string_equal(r.out.text, "");
    expect_count(&r, "dropped.bad_doc_id", 1);
    test_collector_release(&r.out);
}

/* ---- JSONL -------------------------------------------------------------- */

static void jsonl_title_and_paragraphs(void **state)
{
    (void)state;
    EXPECT("a.jsonl",
           "{\"id\": \"kompas-1\", \"title\": \"Judul\\nBaris\", \"text\": "
           "\"Satu\\n\\nDua\\r\\nlanjut\"}\n"
           "{\"id\": \"kompas-2\", \"title\": \"\", \"text\": \"Tanpa judul.\"}\n",
           "kompas-1\t1\tJudul Baris\n"
           "kompas-1\t2\tSatu\n"
           "kompas-1\t3\tDua lanjut\n"
           "kompas-2\t1\tTanpa judul.\n");
}

static void jsonl_dateline_in_first_text_paragraph(void **state)
{
    (void)state;
    EXPECT(
        "a.jsonl",
        "{\"id\": \"x\", \"title\": \"Jakarta - Judul\", \"text\": \"Jakarta (ANTARA) - Isi.\\n\\n"
        "Medan - Bukan dateline.\"}\n",
        "x\t1\tJakarta - Judul\n"
        "x\t2\tIsi.\n"
        "x\t3\tMedan - Bukan dateline.\n");
}

static void jsonl_detected_by_first_byte(void **state)
{
    (void)state;
    EXPECT("articles.data", "\n{\"id\": \"d1\", \"text\": \"Isi.\"}\n", "d1\t1\tIsi.\n");
}

static void jsonl_blank_lines_are_ignored(void **state)
{
    (void)state;
    EXPECT("a.jsonl",
           "{\"id\": \"d1\", \"text\": \"A.\"}\n\n  \n{\"id\": \"d2\", \"text\": \"B.\"}",
           "d1\t1\tA.\nd2\t1\tB.\n");
}

static void jsonl_malformed_line_skip_keeps_others(void **state)
{
    (void)state;
    static const char text[] = "{\"id\": \"d1\", \"text\": \"A.\"}\n"
                               "{\"id\": \"d2\", \"text\": \n"
                               "[1, 2]\n"
                               "{\"id\": 3, \"text\": \"C.\"}\n"
                               "{\"id\": \"d4\", \"text\": \"D.\"}\n";
    const mtp_ingest_options opts = defaults();
    run_result r;
    run_one(&opts, test_write_file("m.jsonl", text, sizeof text - 1), &r);
    assert_status(r.status, MTP_OK, r.error);
    assert_string_equal(r.out.text, "d1\t1\tA.\nd4\t1\tD.\n");
    expect_count(&r, "dropped.malformed_json", 3);
    expect_count(&r, "in", 5);
    assert_true(mtp_counts_balanced(&r.counts));
    test_collector_release(&r.out);
}

static void jsonl_malformed_line_fail_names_file_and_line(void **state)
{
    (void)state;
    static const char text[] = "{\"id\": \"d1\", \"text\": \"A.\"}\n{\"id\": \"d2\", \"text\": \n";
    const mtp_ingest_options opts = failing();
    run_result r;
    const char *path = test_write_file("m.jsonl", text, sizeof text - 1);
    char want[600];
    snprintf(want, sizeof want, "%s:2: malformed_json (", path);
    run_one(&opts, path, &r);
    assert_status(r.status, MTP_ERR_INPUT, "fail");
    assert_memory_equal(r.error, want, strlen(want));
    assert_string_equal(r.out.text, "d1\t1\tA.\n");
    test_collector_release(&r.out);
}

static void jsonl_missing_text_is_malformed(void **state)
{
    (void)state;
    static const char text[] = "{\"id\": \"d1\", \"title\": \"Judul\"}\n";
    const mtp_ingest_options opts = failing();
    run_result r;
    const char *path = test_write_file("t.jsonl", text, sizeof text - 1);
    char want[600];
    snprintf(want, sizeof want, "%s:1: malformed_json (\"id\" and \"text\" must be strings)", path);
    run_one(&opts, path, &r);
    assert_string_equal(r.error, want);
    test_collector_release(&r.out);
}

static void jsonl_doc_id_with_tab_is_bad(void **state)
{
    (void)state;
    static const char text[] =
        "{\"id\": \"a\\tb\", \"text\": \"A.\"}\n{\"id\": \"\", \"text\": \"B.\"}\n";
    const mtp_ingest_options opts = defaults();
    run_result r;
    run_one(&opts, test_write_file("i.jsonl", text, sizeof text - 1), &r);
    assert_string_equal(r.out.text, "");
    expect_count(&r, "dropped.bad_doc_id", 2);
    test_collector_release(&r.out);
}

static void jsonl_escaped_nul_is_nul_byte(void **state)
{
    (void)state;
    static const char text[] = "{\"id\": \"d1\", \"text\": \"A\\u0000B\"}\n";
    const mtp_ingest_options opts = defaults();
    run_result r;
    run_one(&opts, test_write_file("z.jsonl", text, sizeof text - 1), &r);
    assert_string_equal(r.out.text, "");
    expect_count(&r, "dropped.nul_byte", 1);
    test_collector_release(&r.out);
}

static void jsonl_invalid_utf8_is_invalid_utf8(void **state)
{
    (void)state;
    static const char text[] = "{\"id\": \"d1\", \"text\": \"A\xff\"}\n";
    const mtp_ingest_options opts = defaults();
    run_result r;
    run_one(&opts, test_write_file("v.jsonl", text, sizeof text - 1), &r);
    expect_count(&r, "dropped.invalid_utf8", 1);
    test_collector_release(&r.out);
}

static void jsonl_line_over_limit_skips_one_document(void **state)
{
    (void)state;
    static const char text[] =
        "{\"id\": \"d1\", \"text\": \"0123456789012345678901234567890123456789\"}\n"
        "{\"id\": \"d2\", \"text\": \"B.\"}\n";
    mtp_ingest_options opts = defaults();
    opts.max_line_bytes = 40;
    run_result r;
    run_one(&opts, test_write_file("long.jsonl", text, sizeof text - 1), &r);
    assert_string_equal(r.out.text, "d2\t1\tB.\n");
    expect_count(&r, "dropped.line_too_long", 1);
    test_collector_release(&r.out);
}

/* ---- whole inputs: unreadable, corrupt ---------------------------------- */

static void missing_path_skip_is_counted(void **state)
{
    (void)state;
    const mtp_ingest_options opts = defaults();
    static const char *const paths[] = {"/nonexistent/a.txt", NULL};
    run_result r;
    run_paths(&opts, paths, 1, &r);
    assert_status(r.status, MTP_OK, r.error);
    expect_count(&r, "dropped.unreadable", 1);
    expect_count(&r, "in", 1);
    test_collector_release(&r.out);
}

static void missing_path_fail_stops(void **state)
{
    (void)state;
    const mtp_ingest_options opts = failing();
    run_result r;
    run_one(&opts, "/nonexistent/a.txt", &r);
    assert_status(r.status, MTP_ERR_IO, "fail");
    assert_string_equal(r.error, "/nonexistent/a.txt: cannot read: No such file or directory");
    test_collector_release(&r.out);
}

/* "Satu\n\nDua\n" as one gzip member with its last 8 bytes (CRC, size) cut off. */
static const unsigned char truncated_gzip[] = {0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00,
                                               0x02, 0x03, 0x0b, 0x4e, 0x2c, 0x29, 0xe5, 0xe2,
                                               0x72, 0x29, 0x4d, 0xe4, 0x02, 0x00};

static void truncated_gzip_skip_keeps_going(void **state)
{
    (void)state;
    char gz[512];
    snprintf(gz, sizeof gz, "%s",
             test_write_file("cut.txt.gz", truncated_gzip, sizeof truncated_gzip));
    const char *ok = test_write_file("ok.txt", "Judul\n", 6);
    const char *const paths[] = {gz, ok};
    const mtp_ingest_options opts = defaults();
    run_result r;
    run_paths(&opts, paths, 2, &r);
    assert_status(r.status, MTP_OK, r.error);
    assert_string_equal(r.out.text, "ok\t1\tJudul\n");
    expect_count(&r, "dropped.corrupt_input", 1);
    assert_true(mtp_counts_balanced(&r.counts));
    test_collector_release(&r.out);
}

static void truncated_gzip_fail_reports_codec_error(void **state)
{
    (void)state;
    const char *gz = test_write_file("cut.txt.gz", truncated_gzip, sizeof truncated_gzip);
    const mtp_ingest_options opts = failing();
    run_result r;
    run_one(&opts, gz, &r);
    assert_status(r.status, MTP_ERR_CODEC, r.error);
    assert_non_null(strstr(r.error, "cut.txt.gz"));
    test_collector_release(&r.out);
}

/* ---- directories -------------------------------------------------------- */

static void write_in(const char *dir, const char *rel, const char *text)
{
    char path[600];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void directory_walk_is_sorted_with_relative_ids(void **state)
{
    (void)state;
    char dir[300];
    snprintf(dir, sizeof dir, "%s", test_temp_dir());
    char sub[400];
    snprintf(sub, sizeof sub, "%s/2022", dir);
    assert_int_equal(mkdir(sub, 0755), 0);
    write_in(dir, "b.txt", "B\n");
    write_in(dir, "2022/z.txt", "Z\n");
    write_in(dir, "2022/a.txt", "A\n");
    write_in(dir, "A.txt", "Besar\n");
    write_in(dir, ".hidden.txt", "H\n");
    write_in(dir, "README.md", "R\n");
    write_in(dir, "c.jsonl", "{\"id\": \"json-c\", \"text\": \"C\"}\n");
    strcat(dir, "/");
    const mtp_ingest_options opts = defaults();
    run_result r;
    run_one(&opts, dir, &r);
    assert_status(r.status, MTP_OK, r.error);
    assert_string_equal(r.out.text, "2022/a\t1\tA\n"
                                    "2022/z\t1\tZ\n"
                                    "A\t1\tBesar\n"
                                    "b\t1\tB\n"
                                    "json-c\t1\tC\n");
    expect_count(&r, "files", 5);
    expect_count(&r, "files_ignored", 1);
    test_collector_release(&r.out);
}

/* ---- planned pieces (sharded runs) ----------------------------------------- */

/* Ingests the pieces in order with one ingester. */
static void run_pieces(const mtp_ingest_options *opts, const mtp_ingest_piece *pieces,
                       size_t count, run_result *r)
{
    mtp_ingest *ing = NULL;
    mtp_error err = {{0}};
    assert_status(mtp_ingest_new(opts, &ing, &err), MTP_OK, err.message);
    const mtp_sink sink = test_collector_sink(&r->out);
    r->status = MTP_OK;
    for (size_t i = 0; i < count && r->status == MTP_OK; i++) {
        r->status = mtp_ingest_range(ing, &pieces[i], &sink);
    }
    r->counts = *mtp_ingest_counts(ing);
    snprintf(r->error, sizeof r->error, "%s", mtp_ingest_error(ing));
    mtp_ingest_free(ing);
}

/* Three documents of 30 bytes a line: line 2 starts at byte 30, the blank
 * line 3 at 60, line 4 at 61; 91 bytes. */
static const char three_docs[] = "{\"id\": \"d1\", \"text\": \"Satu.\"}\n"
                                 "{\"id\": \"d2\", \"text\": \"Dua.\"}\n\n"
                                 "{\"id\": \"d3\", \"text\": \"Tiga.\"}\n";

static void pieces_in_order_equal_the_whole_file(void **state)
{
    (void)state;
    char dir[300];
    snprintf(dir, sizeof dir, "%s", test_temp_dir());
    write_in(dir, "news.jsonl", three_docs);
    char path[400];
    snprintf(path, sizeof path, "%s/news.jsonl", dir);
    const mtp_ingest_piece pieces[2] = {{path, dir, 0, 30, 1, 1}, {path, dir, 30, 61, 2, 0}};
    const mtp_ingest_options opts = defaults();
    run_result whole, cut;
    run_one(&opts, dir, &whole);
    run_pieces(&opts, pieces, 2, &cut);
    assert_status(cut.status, MTP_OK, cut.error);
    assert_string_equal(cut.out.text, "d1\t1\tSatu.\nd2\t1\tDua.\nd3\t1\tTiga.\n");
    assert_string_equal(cut.out.text, whole.out.text);
    expect_count(&cut, "files", 1);
    expect_count(&cut, "documents", 3);
    expect_count(&cut, "out", 3);
    test_collector_release(&whole.out);
    test_collector_release(&cut.out);
}

static void piece_mid_file_names_the_file_line(void **state)
{
    (void)state;
    char dir[300];
    snprintf(dir, sizeof dir, "%s", test_temp_dir());
    write_in(dir, "bad.jsonl", "{\"id\": \"a\", \"text\": \"A.\"}\n\n{not json}\n");
    char path[400];
    snprintf(path, sizeof path, "%s/bad.jsonl", dir);
    const mtp_ingest_piece piece = {path, NULL, 26, 12, 2, 0}; /* the blank line 2 on */
    const mtp_ingest_options opts = failing();
    run_result r;
    run_pieces(&opts, &piece, 1, &r);
    assert_status(r.status, MTP_ERR_INPUT, r.error);
    char want[600];
    snprintf(want, sizeof want, "%s:3: malformed_json", path);
    assert_non_null(strstr(r.error, want));
    expect_count(&r, "files", 0);
    test_collector_release(&r.out);
}

static void piece_doc_id_is_relative_to_its_root(void **state)
{
    (void)state;
    char dir[300];
    snprintf(dir, sizeof dir, "%s", test_temp_dir());
    char sub[400];
    snprintf(sub, sizeof sub, "%s/2022", dir);
    assert_int_equal(mkdir(sub, 0755), 0);
    char path[500], root[320];
    snprintf(root, sizeof root, "%s/", dir); /* a trailing slash, as a recipe may give it */
    write_in(dir, "2022/x.txt", "Judul\n\nIsi berita.\n");
    snprintf(path, sizeof path, "%s/2022/x.txt", dir);
    const mtp_ingest_piece piece = {path, root, 0, 19, 1, 1};
    const mtp_ingest_options opts = defaults();
    run_result r;
    run_pieces(&opts, &piece, 1, &r);
    assert_status(r.status, MTP_OK, r.error);
    assert_string_equal(r.out.text, "2022/x\t1\tJudul\n2022/x\t2\tIsi berita.\n");
    expect_count(&r, "files", 1);
    test_collector_release(&r.out);
}

static void piece_outside_its_root_is_refused(void **state)
{
    (void)state;
    const mtp_ingest_piece piece = {"/elsewhere/a.txt", "/data", 0, 1, 1, 1};
    const mtp_ingest_options opts = defaults();
    run_result r;
    run_pieces(&opts, &piece, 1, &r);
    assert_status(r.status, MTP_ERR_USAGE, r.error);
    assert_string_equal(r.error, "/elsewhere/a.txt: not a file under /data");
    test_collector_release(&r.out);
}

/* ---- allocation failures ------------------------------------------------ */

static mtp_status run_once(const char *path)
{
    mtp_ingest_options opts = defaults();
    mtp_ingest *ing = NULL;
    mtp_error err = {{0}};
    mtp_status st = mtp_ingest_new(&opts, &ing, &err);
    if (st == MTP_OK) {
        test_collector out;
        const mtp_sink sink = test_collector_sink(&out);
        st = mtp_ingest_path(ing, path, &sink);
        test_collector_release(&out);
    }
    mtp_ingest_free(ing);
    return st;
}

static void every_allocation_failure_is_nomem(void **state)
{
    (void)state;
    char dir[300];
    snprintf(dir, sizeof dir, "%s", test_temp_dir());
    write_in(dir, "a.txt", page);
    write_in(dir, "b.jsonl", "{\"id\": \"b\", \"title\": \"T\", \"text\": \"Satu\\n\\nDua\"}\n");
    for (long n = 0; n < 10000; n++) {
        mtp_alloc_fail_after(n);
        const mtp_status st = run_once(dir);
        mtp_alloc_fail_after(-1);
        if (st == MTP_OK) {
            return;
        }
        assert_status(st, MTP_ERR_NOMEM, "allocation failure");
    }
    fail_msg("ingest never completed");
}

/* ---- the JSONL fast path (jsonl_scan.h) against jansson ------------------ */

typedef struct scan_result_fields {
    int understood;
    char id[256], text[256], title[256]; /* "(absent)" when absent */
    size_t text_len;
} scan_result_fields;

static void copy_field(char *dst, size_t cap, mtp_str s)
{
    if (s.ptr == NULL) {
        snprintf(dst, cap, "(absent)");
        return;
    }
    assert_true(s.len < cap);
    memcpy(dst, s.ptr, s.len);
    dst[s.len] = '\0';
}

static scan_result_fields scan(const char *line)
{
    mtp_jsonl_scratch scratch;
    memset(&scratch, 0, sizeof scratch);
    mtp_jsonl_fields f;
    scan_result_fields got;
    memset(&got, 0, sizeof got);
    assert_status(mtp_jsonl_scan(line, strlen(line), &scratch, &f, &got.understood), MTP_OK, line);
    if (got.understood) {
        copy_field(got.id, sizeof got.id, f.id);
        copy_field(got.text, sizeof got.text, f.text);
        copy_field(got.title, sizeof got.title, f.title);
        got.text_len = f.text.len;
    }
    mtp_jsonl_scratch_release(&scratch);
    return got;
}

static void expect_scanned(const char *line, const char *id, const char *text, const char *title)
{
    const scan_result_fields got = scan(line);
    if (!got.understood) {
        fail_msg("not understood: %s", line);
    }
    assert_string_equal(got.id, id);
    assert_string_equal(got.text, text);
    assert_string_equal(got.title, title);
}

static void expect_fallback(const char *line)
{
    if (scan(line).understood) {
        fail_msg("understood, expected fallback to jansson: %s", line);
    }
}

static void jsonl_scan_plain_strings(void **state)
{
    (void)state;
    expect_scanned("{\"id\": \"d1\", \"title\": \"Judul\", \"text\": \"Isi.\"}", "d1", "Isi.",
                   "Judul");
    expect_scanned(" \t{\"text\":\"\",\"id\":\"x\"} \r", "x", "", "(absent)");
}

static void jsonl_scan_simple_escapes(void **state)
{
    (void)state;
    expect_scanned("{\"id\": \"a\", \"text\": \"q\\\"b\\\\s\\/n\\nr\\rt\\tb\\bf\\f\"}", "a",
                   "q\"b\\s/n\nr\rt\tb\bf\f", "(absent)");
}

static void jsonl_scan_unicode_escapes(void **state)
{
    (void)state;
    expect_scanned("{\"id\": \"a\", \"text\": \"\\u0041\\u00e9\\u20AC\\u00a0\"}", "a",
                   "A\xc3\xa9\xe2\x82\xac\xc2\xa0", "(absent)");
}

static void jsonl_scan_surrogate_pair(void **state)
{
    (void)state;
    expect_scanned("{\"id\": \"a\", \"text\": \"x\\ud83d\\ude00y\"}", "a", "x\xf0\x9f\x98\x80y",
                   "(absent)");
}

static void jsonl_scan_escaped_nul_is_kept(void **state)
{
    (void)state;
    const scan_result_fields got = scan("{\"id\": \"a\", \"text\": \"A\\u0000B\"}");
    assert_true(got.understood);
    assert_int_equal(got.text_len, 3); /* ingest then counts it as nul_byte */
}

static void jsonl_scan_duplicate_keys_last_wins(void **state)
{
    (void)state;
    expect_scanned("{\"id\": \"a\", \"text\": \"one\\n\", \"id\": \"b\", \"text\": \"two\"}", "b",
                   "two", "(absent)");
}

static void jsonl_scan_other_members_of_every_flat_type(void **state)
{
    (void)state;
    expect_scanned(
        "{\"n\": -12, \"z\": 0, \"t\": true, \"f\": false, \"u\": null, \"s\": \"\\u00e9\","
        " \"\": \"\", \"id\": \"a\", \"text\": \"b\"}",
        "a", "b", "(absent)");
}

static void jsonl_scan_empty_object(void **state)
{
    (void)state;
    expect_scanned("{}", "(absent)", "(absent)", "(absent)");
}

/* Lines the scanner leaves to jansson: anything not flat, and anything invalid. */
static const char *const fallback_lines[] = {
    "{\"id\": \"a\", \"text\": \"x\\ud83d\"}",           /* lone high surrogate */
    "{\"id\": \"a\", \"text\": \"x\\ude00\"}",           /* lone low surrogate */
    "{\"id\": \"a\", \"text\": \"x\\ud83d\\u0041\"}",    /* high surrogate, no low */
    "{\"id\": \"a\", \"text\": \"x\\u12\"}",             /* short \u */
    "{\"id\": \"a\", \"text\": \"x\\u12G4\"}",           /* not hex */
    "{\"id\": \"a\", \"text\": \"x\\q\"}",               /* unknown escape */
    "{\"id\": \"a\", \"text\": \"x\\",                   /* escape at the end */
    "{\"id\": \"a\", \"text\": \"a\tb\"}",               /* raw control character */
    "{\"id\": \"a\", \"src\": \"a\x01\"}",               /* ... in another member */
    "{\"id\": \"a\", \"text\": \"b\"",                   /* no closing brace */
    "{\"id\": \"a\", \"text\": \"b}",                    /* unterminated string */
    "{\"id\": \"a\", \"text\": \"b\"} x",                /* trailing garbage */
    "{\"id\": \"a\", \"text\": \"b\"}{}",                /* two values */
    "{\"id\": \"a\", \"text\": \"b\",}",                 /* trailing comma */
    "{,\"id\": \"a\"}",                                  /* leading comma */
    "{\"id\" \"a\"}",                                    /* no colon */
    "{\"id\": \"a\" \"text\": \"b\"}",                   /* no comma */
    "{id: \"a\"}",                                       /* bare key */
    "{\"\\u0069d\": \"a\", \"text\": \"b\"}",            /* escaped key */
    "{\"id\": 7, \"text\": \"b\"}",                      /* id not a string */
    "{\"id\": \"a\", \"text\": \"b\", \"title\": null}", /* title not a string */
    "{\"id\": \"a\", \"text\": \"b\", \"x\": [1]}",      /* array */
    "{\"id\": \"a\", \"text\": \"b\", \"x\": {}}",       /* nested object */
    "{\"id\": \"a\", \"x\": 1.5}",                       /* fraction */
    "{\"id\": \"a\", \"x\": 1e5}",                       /* exponent */
    "{\"id\": \"a\", \"x\": 01}",                        /* leading zero */
    "{\"id\": \"a\", \"x\": 1234567890123456789}",       /* 19 digits */
    "{\"id\": \"a\", \"x\": -}",                         /* sign alone */
    "{\"id\": \"a\", \"x\": +1}",                        /* plus sign */
    "{\"id\": \"a\", \"x\": tru}",                       /* cut literal */
    "{\"id\": \"a\", \"x\": truex}",                     /* long literal */
    "{\"id\": \"a\", \"x\": NaN}",                       /* not JSON */
    "{\"id\":\xc2\xa0\"a\"}",                            /* NBSP is not JSON space */
    "[\"id\", \"a\"]",                                   /* not an object */
    "\"id\"",                                            /* not an object */
    "",                                                  /* nothing */
};

static void jsonl_scan_leaves_the_rest_to_jansson(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof fallback_lines / sizeof fallback_lines[0]; i++) {
        expect_fallback(fallback_lines[i]);
    }
}

/* jansson's reading of a line, in the same shape as the scanner's. */
static scan_result_fields jansson_read(const char *line, size_t len)
{
    scan_result_fields want;
    memset(&want, 0, sizeof want);
    json_error_t jerr;
    json_t *obj = json_loadb(line, len, JSON_ALLOW_NUL, &jerr);
    want.understood = json_is_object(obj);
    const char *const keys[3] = {"id", "text", "title"};
    char *const dsts[3] = {want.id, want.text, want.title};
    for (int k = 0; k < 3 && want.understood; k++) {
        json_t *v = json_object_get(obj, keys[k]);
        const mtp_str s = {json_is_string(v) ? json_string_value(v) : NULL,
                           json_is_string(v) ? json_string_length(v) : 0};
        copy_field(dsts[k], sizeof want.id, s);
    }
    json_decref(obj);
    return want;
}

/* Every line the scanner understands, jansson reads to the same members. */
static void expect_agrees_with_jansson(const char *line, size_t len, mtp_jsonl_scratch *scratch)
{
    mtp_jsonl_fields f;
    int understood = 0;
    assert_status(mtp_jsonl_scan(line, len, scratch, &f, &understood), MTP_OK, "scan");
    if (!understood) {
        return;
    }
    json_error_t jerr;
    json_t *obj = json_loadb(line, len, JSON_ALLOW_NUL, &jerr);
    if (!json_is_object(obj)) {
        fail_msg("jansson rejects a line the scanner read: %.*s", (int)len, line);
    }
    const char *const keys[3] = {"id", "text", "title"};
    const mtp_str got[3] = {f.id, f.text, f.title};
    for (int k = 0; k < 3; k++) {
        json_t *v = json_object_get(obj, keys[k]);
        if (got[k].ptr == NULL) {
            assert_null(v);
            continue;
        }
        assert_true(json_is_string(v));
        assert_int_equal(json_string_length(v), got[k].len);
        assert_memory_equal(json_string_value(v), got[k].ptr, got[k].len);
    }
    json_decref(obj);
}

static void jsonl_scan_agrees_with_jansson_on_edge_cases(void **state)
{
    (void)state;
    static const char *const lines[] = {
        "{\"id\": \"d1\", \"title\": \"Judul\", \"text\": \"Isi.\"}",
        "{\"id\": \"a\", \"text\": \"q\\\"b\\\\s\\/n\\nr\\rt\\tb\\bf\\f\"}",
        "{\"id\": \"a\", \"text\": \"\\u0041\\u00e9\\u20AC\\u00a0\\u0000\\uFFFF\"}",
        "{\"id\": \"a\", \"text\": \"x\\ud83d\\ude00y\\uDBFF\\uDFFF\"}",
        "{\"id\": \"a\", \"text\": \"one\", \"id\": \"b\", \"text\": \"two\\n\"}",
        "{\"n\": -0, \"t\": true, \"f\": false, \"u\": null, \"id\": \"\", \"text\": \"\"}",
        "{\"n\": -12, \"z\": 0, \"big\": 123456789012345678, \"\": \"\", \"id\": \"a\", \"text\": "
        "\"b\"}",
        "{\"id\":\"\xe2\x80\x9cq\xe2\x80\x9d\",\"text\":\"\xf0\x9f\x98\x80\"}",
        "{}",
    };
    mtp_jsonl_scratch scratch;
    memset(&scratch, 0, sizeof scratch);
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        const scan_result_fields want = jansson_read(lines[i], strlen(lines[i]));
        assert_true(want.understood);
        assert_true(scan(lines[i]).understood);
        expect_agrees_with_jansson(lines[i], strlen(lines[i]), &scratch);
    }
    for (size_t i = 0; i < sizeof fallback_lines / sizeof fallback_lines[0]; i++) {
        expect_agrees_with_jansson(fallback_lines[i], strlen(fallback_lines[i]), &scratch);
    }
    mtp_jsonl_scratch_release(&scratch);
}

/* The differential test over a real corpus: every line of news-id. */
static void jsonl_scan_agrees_with_jansson_on_news_corpus(void **state)
{
    (void)state;
    FILE *f = fopen(MTPREP_SHARED_DIR "/corpora/news-id/articles.jsonl", "r");
    if (f == NULL) {
        skip();
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n = 0;
    size_t lines = 0;
    mtp_jsonl_scratch scratch;
    memset(&scratch, 0, sizeof scratch);
    while ((n = getline(&line, &cap, f)) > 0) {
        const size_t len = (size_t)n - (line[n - 1] == '\n');
        expect_agrees_with_jansson(line, len, &scratch);
        lines++;
    }
    mtp_jsonl_scratch_release(&scratch);
    free(line);
    fclose(f);
    assert_true(lines > 10000);
}

/* Through the stage: a line jansson reads (escaped key) and the same line the
 * scanner reads give the same records. */
static void jsonl_fast_and_jansson_paths_give_same_records(void **state)
{
    (void)state;
    static const char fast[] =
        "{\"id\": \"d\", \"title\": \"Judul\", \"text\": \"JAKARTA - Satu \\u00e9.\\n\\nDua.\"}\n";
    static const char slow[] = "{\"id\": \"d\", \"title\": \"Judul\", \"\\u0074ext\": \"JAKARTA - "
                               "Satu \\u00e9.\\n\\nDua.\"}\n";
    assert_false(scan("{\"\\u0074ext\": \"x\"}").understood);
    expect_records("fast.jsonl", fast, sizeof fast - 1,
                   "d\t1\tJudul\nd\t2\tSatu \xc3\xa9.\nd\t3\tDua.\n");
    expect_records("slow.jsonl", slow, sizeof slow - 1,
                   "d\t1\tJudul\nd\t2\tSatu \xc3\xa9.\nd\t3\tDua.\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(txt_title_and_paragraphs),
        cmocka_unit_test(txt_multi_line_first_paragraph_is_no_title),
        cmocka_unit_test(txt_title_is_not_a_dateline),
        cmocka_unit_test(txt_one_line_lead_sentence_is_no_title),
        cmocka_unit_test(txt_crlf_line_ends),
        cmocka_unit_test(txt_lone_cr_line_ends),
        cmocka_unit_test(txt_bom_is_removed),
        cmocka_unit_test(txt_no_final_newline),
        cmocka_unit_test(txt_tabs_and_controls_become_spaces),
        cmocka_unit_test(txt_nbsp_line_separates_paragraphs),
        cmocka_unit_test(txt_inner_spaces_are_kept),
        cmocka_unit_test(txt_empty_file_gives_nothing),
        cmocka_unit_test(txt_blank_lines_only_give_nothing),
        cmocka_unit_test(txt_doc_id_strips_compression_and_extension),
        cmocka_unit_test(boilerplate_is_removed_and_counted),
        cmocka_unit_test(keep_boilerplate_counts_but_keeps),
        cmocka_unit_test(no_rules_keeps_everything),
        cmocka_unit_test(custom_rules_file_replaces_builtin),
        cmocka_unit_test(malformed_rules_file_fails_creation),
        cmocka_unit_test(txt_invalid_utf8_skip_drops_document),
        cmocka_unit_test(txt_invalid_utf8_fail_names_file_and_line),
        cmocka_unit_test(txt_nul_byte_is_bad_input),
        cmocka_unit_test(txt_line_over_limit_is_bad_input),
        cmocka_unit_test(txt_document_over_limit_is_bad_input),
        cmocka_unit_test(txt_bad_doc_id_is_bad_input),
        cmocka_unit_test(jsonl_title_and_paragraphs),
        cmocka_unit_test(jsonl_dateline_in_first_text_paragraph),
        cmocka_unit_test(jsonl_detected_by_first_byte),
        cmocka_unit_test(jsonl_blank_lines_are_ignored),
        cmocka_unit_test(jsonl_malformed_line_skip_keeps_others),
        cmocka_unit_test(jsonl_malformed_line_fail_names_file_and_line),
        cmocka_unit_test(jsonl_missing_text_is_malformed),
        cmocka_unit_test(jsonl_doc_id_with_tab_is_bad),
        cmocka_unit_test(jsonl_escaped_nul_is_nul_byte),
        cmocka_unit_test(jsonl_invalid_utf8_is_invalid_utf8),
        cmocka_unit_test(jsonl_line_over_limit_skips_one_document),
        cmocka_unit_test(missing_path_skip_is_counted),
        cmocka_unit_test(missing_path_fail_stops),
        cmocka_unit_test(truncated_gzip_skip_keeps_going),
        cmocka_unit_test(truncated_gzip_fail_reports_codec_error),
        cmocka_unit_test(directory_walk_is_sorted_with_relative_ids),
        cmocka_unit_test(pieces_in_order_equal_the_whole_file),
        cmocka_unit_test(piece_mid_file_names_the_file_line),
        cmocka_unit_test(piece_doc_id_is_relative_to_its_root),
        cmocka_unit_test(piece_outside_its_root_is_refused),
        cmocka_unit_test(every_allocation_failure_is_nomem),
        cmocka_unit_test(jsonl_scan_plain_strings),
        cmocka_unit_test(jsonl_scan_simple_escapes),
        cmocka_unit_test(jsonl_scan_unicode_escapes),
        cmocka_unit_test(jsonl_scan_surrogate_pair),
        cmocka_unit_test(jsonl_scan_escaped_nul_is_kept),
        cmocka_unit_test(jsonl_scan_duplicate_keys_last_wins),
        cmocka_unit_test(jsonl_scan_other_members_of_every_flat_type),
        cmocka_unit_test(jsonl_scan_empty_object),
        cmocka_unit_test(jsonl_scan_leaves_the_rest_to_jansson),
        cmocka_unit_test(jsonl_scan_agrees_with_jansson_on_edge_cases),
        cmocka_unit_test(jsonl_scan_agrees_with_jansson_on_news_corpus),
        cmocka_unit_test(jsonl_fast_and_jansson_paths_give_same_records),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
