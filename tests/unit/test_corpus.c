/* Unit tests of write (corpus_write.c), verify (corpus_verify.c) and the
 * manifest module: exact corpus files, cross-split removal (exact and
 * loose), clusters and exclude files, splits that share no key,
 * determinism, every verification failure, failures that must leave no
 * manifest. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "keys.h"
#include "manifest.h"
#include "mtprep/dedup.h"
#include "test_util.h"

/* ---- fixture: a fresh directory per test, OUT inside it ------------------ */

typedef struct fixture {
    char root[256];
    char out[300];
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    const char *dir = test_temp_dir();
    if (f == NULL || dir == NULL) {
        free(f);
        return -1;
    }
    snprintf(f->root, sizeof f->root, "%s", dir);
    snprintf(f->out, sizeof f->out, "%s/out", f->root);
    *state = f;
    return 0;
}

/* Removes a directory holding plain files and at most one level of directories. */
static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL) {
        return;
    }
    const struct dirent *e = NULL;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
            continue;
        }
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (unlink(path) != 0) {
            remove_tree(path);
        }
    }
    closedir(d);
    rmdir(dir);
}

static int teardown(void **state)
{
    fixture *f = *state;
    remove_tree(f->root);
    free(f);
    return 0;
}

/* ---- helpers ------------------------------------------------------------- */

/* A doc_id of the form PREFIX-N that lands in `split` under the ratios. */
static void doc_in(mtp_corpus_split split, double dev, double test, const char *prefix, char *out,
                   size_t capacity)
{
    for (int n = 0; n < 100000; n++) {
        snprintf(out, capacity, "%s-%d", prefix, n);
        if (mtp_corpus_split_of(mtp_str_from_cstr(out), dev, test) == split) {
            return;
        }
    }
    fail_msg("no doc_id found for split %d", (int)split);
}

static mtp_stage *new_write(const char *out, double dev, double test)
{
    mtp_write_options o;
    mtp_write_options_default(&o);
    o.out_dir = out;
    o.dev_ratio = dev;
    o.test_ratio = test;
    mtp_stage *stage = NULL;
    mtp_error err = {{0}};
    assert_status(mtp_write_new(&o, &stage, &err), MTP_OK, err.message);
    return stage;
}

/* The decompressed contents of OUT/NAME, malloc'd. */
static char *read_corpus_file(const char *out, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", out, name);
    mtp_reader *r = NULL;
    mtp_error err = {{0}};
    assert_status(mtp_reader_open(path, NULL, 1 << 20, &r, &err), MTP_OK, err.message);
    const char *data = NULL;
    size_t len = 0;
    mtp_status st = mtp_reader_read_all(r, &data, &len);
    char *copy = malloc(len + 1);
    assert_non_null(copy);
    if (st == MTP_END) { /* empty input */
        len = 0;
        st = MTP_OK;
    }
    assert_status(st, MTP_OK, mtp_reader_error(r));
    memcpy(copy, data, len);
    copy[len] = '\0';
    mtp_reader_close(r);
    return copy;
}

static void assert_file_text(const char *out, const char *name, const char *want)
{
    char *got = read_corpus_file(out, name);
    assert_string_equal(got, want);
    free(got);
}

static char *read_raw(const char *path, size_t *len)
{
    FILE *file = fopen(path, "rb");
    assert_non_null(file);
    char *data = malloc(1 << 20);
    assert_non_null(data);
    *len = fread(data, 1, 1 << 20, file);
    fclose(file);
    return data;
}

static void write_raw(const char *path, const char *data, size_t len)
{
    FILE *file = fopen(path, "wb");
    assert_non_null(file);
    assert_int_equal(fwrite(data, 1, len, file), len);
    assert_int_equal(fclose(file), 0);
}

static int path_in(const char *dir, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return test_path_exists(path);
}

/* Writes a three-document corpus (one per split) into `out`: train first,
 * so that the dev/test sentence it repeats is spooled before it is known. */
static void write_sample(const char *out)
{
    char train[32], dev[32], test[32], lines[1024];
    doc_in(MTP_SPLIT_TRAIN, 0.3, 0.3, "t", train, sizeof train);
    doc_in(MTP_SPLIT_DEV, 0.3, 0.3, "d", dev, sizeof dev);
    doc_in(MTP_SPLIT_TEST, 0.3, 0.3, "e", test, sizeof test);
    snprintf(lines, sizeof lines,
             "%s\t1.1\tSatu.\n%s\t1.2\tDua.\n%s\t2.1\tTiga.\n"
             "%s\t1.1\tDua.\n%s\t1.1\tEmpat.\n",
             train, train, train, dev, test);
    mtp_stage *stage = new_write(out, 0.3, 0.3);
    test_collector c = {0};
    assert_status(test_run_stage(stage, lines, &c), MTP_OK, mtp_stage_error(stage));
    assert_int_equal(c.records, 0);
    test_collector_release(&c);
    mtp_stage_free(stage);
}

static json_t *load_manifest(const char *out)
{
    char path[512];
    snprintf(path, sizeof path, "%s/MANIFEST.json", out);
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    assert_non_null(root);
    return root;
}

static long long manifest_int(json_t *root, const char *a, const char *b, const char *c)
{
    json_t *v = json_object_get(json_object_get(root, a), b);
    if (c != NULL) {
        v = json_object_get(v, c);
    }
    assert_true(json_is_integer(v));
    return json_integer_value(v);
}

/* Runs verify on OUT, expecting `want`; returns the report text (free it). */
static char *verify_report(const char *out, mtp_status want, mtp_error *err);

/* ---- splits -------------------------------------------------------------- */

static void test_split_ratios_zero_and_one(void **state)
{
    (void)state;
    const mtp_str id = mtp_str_from_cstr("id/2022/0906-rusia");
    assert_int_equal(mtp_corpus_split_of(id, 0, 0), MTP_SPLIT_TRAIN);
    assert_int_equal(mtp_corpus_split_of(id, 1, 0), MTP_SPLIT_DEV);
    assert_int_equal(mtp_corpus_split_of(id, 0, 1), MTP_SPLIT_TEST);
}

static void test_split_shares_follow_ratios(void **state)
{
    (void)state;
    unsigned counts[MTP_SPLIT_COUNT] = {0};
    char id[32];
    for (int n = 0; n < 100000; n++) {
        snprintf(id, sizeof id, "doc-%d", n);
        counts[mtp_corpus_split_of(mtp_str_from_cstr(id), 0.01, 0.01)]++;
    }
    assert_in_range(counts[MTP_SPLIT_DEV], 850, 1150);
    assert_in_range(counts[MTP_SPLIT_TEST], 850, 1150);
}

static void test_split_depends_on_doc_id_only(void **state)
{
    (void)state;
    const mtp_str id = mtp_str_from_cstr("en/2022/0906-rusia");
    const mtp_corpus_split first = mtp_corpus_split_of(id, 0.4, 0.4);
    for (int i = 0; i < 10; i++) {
        assert_int_equal(mtp_corpus_split_of(id, 0.4, 0.4), first);
    }
}

/* ---- write --------------------------------------------------------------- */

static void test_write_sample_exact_files(void **state)
{
    fixture *f = *state;
    write_sample(f->out);
    assert_file_text(f->out, "train.id.zst", "Satu.\nTiga.\n");
    assert_file_text(f->out, "dev.id.zst", "Dua.\n");
    assert_file_text(f->out, "test.id.zst", "Empat.\n");
    char train[32];
    doc_in(MTP_SPLIT_TRAIN, 0.3, 0.3, "t", train, sizeof train);
    char want[128];
    snprintf(want, sizeof want, "%s\t1.1\n%s\t2.1\n", train, train);
    assert_file_text(f->out, "train.meta.tsv.zst", want);
    assert_true(path_in(f->out, "MANIFEST.json"));
    assert_true(path_in(f->out, "SHA256SUMS"));
}

static void test_write_leaves_no_temporary_files(void **state)
{
    fixture *f = *state;
    write_sample(f->out);
    DIR *d = opendir(f->out);
    assert_non_null(d);
    unsigned entries = 0;
    const struct dirent *e = NULL;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] != '.') {
            assert_null(strstr(e->d_name, "tmp"));
            entries++;
        }
    }
    closedir(d);
    assert_int_equal(entries, 6);
}

static void test_write_counts_balance_with_cross_split_drop(void **state)
{
    fixture *f = *state;
    write_sample(f->out);
    json_t *root = load_manifest(f->out);
    assert_int_equal(manifest_int(root, "counts", "write", "in"), 5);
    assert_int_equal(manifest_int(root, "counts", "write", "out"), 4);
    assert_int_equal(manifest_int(root, "counts", "write", "dropped.cross_split_exact"), 1);
    json_decref(root);
}

static void test_write_loose_key_removes_train_variant(void **state)
{
    fixture *f = *state;
    char train[32], dev[32], lines[512];
    doc_in(MTP_SPLIT_TRAIN, 0.5, 0, "t", train, sizeof train);
    doc_in(MTP_SPLIT_DEV, 0.5, 0, "d", dev, sizeof dev);
    snprintf(lines, sizeof lines, "%s\t1\tharga naik 7 %%\n%s\t2\tLain.\n%s\t1\tHarga naik 5%%.\n",
             train, train, dev);
    mtp_stage *stage = new_write(f->out, 0.5, 0);
    test_collector c = {0};
    assert_status(test_run_stage(stage, lines, &c), MTP_OK, mtp_stage_error(stage));
    assert_int_equal(mtp_counts_get(mtp_stage_counts(stage), "dropped.cross_split_loose"), 1);
    assert_true(mtp_counts_balanced(mtp_stage_counts(stage)));
    test_collector_release(&c);
    mtp_stage_free(stage);
    assert_file_text(f->out, "train.id.zst", "Lain.\n");
    assert_file_text(f->out, "dev.id.zst", "Harga naik 5%.\n");
    assert_file_text(f->out, "test.id.zst", "");
}

/* Train texts whose loose form starts as a dev text's (same head) are
 * judged by the whole loose key: kept when it differs, dropped when equal. */
static void test_write_loose_key_judged_whole_past_shared_head(void **state)
{
    fixture *f = *state;
    char train[32], dev[32], lines[512];
    doc_in(MTP_SPLIT_TRAIN, 0.5, 0, "t", train, sizeof train);
    doc_in(MTP_SPLIT_DEV, 0.5, 0, "d", dev, sizeof dev);
    snprintf(lines, sizeof lines,
             "%s\t1\tHarga naik lalu turun lagi esok.\n"
             "%s\t2\tHARGA NAIK lalu turun lagi, kemarin!\n"
             "%s\t3\tTurun lagi.\n"
             "%s\t1\tHarga naik lalu turun lagi kemarin.\n",
             train, train, train, dev);
    mtp_stage *stage = new_write(f->out, 0.5, 0);
    test_collector c = {0};
    assert_status(test_run_stage(stage, lines, &c), MTP_OK, mtp_stage_error(stage));
    assert_int_equal(mtp_counts_get(mtp_stage_counts(stage), "dropped.cross_split_loose"), 1);
    assert_true(mtp_counts_balanced(mtp_stage_counts(stage)));
    test_collector_release(&c);
    mtp_stage_free(stage);
    assert_file_text(f->out, "train.id.zst", "Harga naik lalu turun lagi esok.\nTurun lagi.\n");
}

static void test_write_empty_input_gives_empty_files(void **state)
{
    fixture *f = *state;
    mtp_stage *stage = new_write(f->out, 0.01, 0.01);
    test_collector c = {0};
    assert_status(test_run_stage(stage, "", &c), MTP_OK, mtp_stage_error(stage));
    test_collector_release(&c);
    mtp_stage_free(stage);
    assert_file_text(f->out, "train.id.zst", "");
    assert_file_text(f->out, "dev.id.zst", "");
    assert_file_text(f->out, "test.id.zst", "");
    assert_file_text(f->out, "train.meta.tsv.zst", "");
    mtp_error err = {{0}};
    assert_status(mtp_corpus_verify(f->out, NULL, &err), MTP_OK, err.message);
}

static void test_write_two_runs_identical_bytes(void **state)
{
    fixture *f = *state;
    char second[400];
    snprintf(second, sizeof second, "%s/second", f->root);
    write_sample(f->out);
    write_sample(second);
    static const char *const names[] = {"train.id.zst",       "dev.id.zst",    "test.id.zst",
                                        "train.meta.tsv.zst", "MANIFEST.json", "SHA256SUMS"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char a[512], b[512];
        snprintf(a, sizeof a, "%s/%s", f->out, names[i]);
        snprintf(b, sizeof b, "%s/%s", second, names[i]);
        size_t alen = 0, blen = 0;
        char *adata = read_raw(a, &alen);
        char *bdata = read_raw(b, &blen);
        assert_int_equal(alen, blen);
        assert_memory_equal(adata, bdata, alen);
        free(adata);
        free(bdata);
    }
}

static void test_write_manifest_fields(void **state)
{
    fixture *f = *state;
    write_sample(f->out);
    json_t *root = load_manifest(f->out);
    assert_string_equal(json_string_value(json_object_get(root, "format")), "mtprep-corpus-1");
    assert_string_equal(json_string_value(json_object_get(root, "lang")), "id");
    assert_string_equal(json_string_value(json_object_get(root, "mtprep_version")), mtp_version());
    assert_true(json_is_null(json_object_get(root, "recipe")));
    assert_int_equal(manifest_int(root, "input", "records", NULL), 5);
    assert_int_equal(json_object_size(json_object_get(root, "files")), 4);
    assert_int_equal(manifest_int(root, "files", "train.id.zst", "lines"), 2);
    assert_int_equal(manifest_int(root, "files", "train.meta.tsv.zst", "lines"), 2);
    assert_int_equal(manifest_int(root, "options", "zstd_level", NULL), 3);
    json_decref(root);
}

static void test_write_manifest_has_sorted_keys_and_short_reals(void **state)
{
    fixture *f = *state;
    write_sample(f->out);
    char path[512];
    snprintf(path, sizeof path, "%s/MANIFEST.json", f->out);
    size_t len = 0;
    char *text = read_raw(path, &len);
    text[len] = '\0';
    assert_non_null(strstr(text, "\"dev_ratio\": 0.3,"));
    const char *counts = strstr(text, "\"counts\"");
    const char *files = strstr(text, "\"files\": {");
    const char *format = strstr(text, "\"format\"");
    assert_true(counts != NULL && files != NULL && format != NULL);
    assert_true(counts < files && files < format);
    assert_int_equal(text[len - 1], '\n');
    free(text);
}

static void test_write_input_digest_is_sha256_of_records(void **state)
{
    fixture *f = *state;
    char lines[256];
    snprintf(lines, sizeof lines, "a\t1\tx\n");
    mtp_stage *stage = new_write(f->out, 0, 0);
    test_collector c = {0};
    assert_status(test_run_stage(stage, lines, &c), MTP_OK, mtp_stage_error(stage));
    test_collector_release(&c);
    mtp_stage_free(stage);
    json_t *root = load_manifest(f->out);
    const char *sha = json_string_value(json_object_get(json_object_get(root, "input"), "sha256"));
    /* printf 'a\t1\tx\n' | sha256sum */
    assert_string_equal(sha, "2acc531bd97562584599386c99e32a5ceafe83915a2611f450289e107d71b011");
    json_decref(root);
}

static void test_write_folds_upstream_counts(void **state)
{
    fixture *f = *state;
    mtp_counts upstream[2];
    mtp_counts_init(&upstream[0], "normalize");
    mtp_counts_add(&upstream[0], "in", 7);
    mtp_counts_init(&upstream[1], "filter");
    mtp_counts_drop(&upstream[1], "too_short", 2);
    char counts_path[400];
    snprintf(counts_path, sizeof counts_path, "%s/filter.counts.json", f->root);
    assert_status(mtp_counts_save_json(&upstream[1], counts_path), MTP_OK, counts_path);
    const char *paths[] = {counts_path};
    mtp_write_options o;
    mtp_write_options_default(&o);
    o.out_dir = f->out;
    o.upstream = upstream;
    o.upstream_count = 1;
    o.upstream_paths = paths;
    o.upstream_path_count = 1;
    mtp_stage *stage = NULL;
    mtp_error err = {{0}};
    assert_status(mtp_write_new(&o, &stage, &err), MTP_OK, err.message);
    mtp_counts_add(&upstream[0], "in", 2); /* build updates them until write's finish */
    test_collector c = {0};
    assert_status(test_run_stage(stage, "", &c), MTP_OK, mtp_stage_error(stage));
    test_collector_release(&c);
    mtp_stage_free(stage);
    json_t *root = load_manifest(f->out);
    assert_int_equal(manifest_int(root, "counts", "normalize", "in"), 9);
    assert_int_equal(manifest_int(root, "counts", "filter", "dropped.too_short"), 2);
    assert_int_equal(manifest_int(root, "counts", "write", "in"), 0);
    json_decref(root);
}

static void test_write_missing_stage_counts_file_fails(void **state)
{
    fixture *f = *state;
    const char *paths[] = {"/nonexistent/counts.json"};
    mtp_write_options o;
    mtp_write_options_default(&o);
    o.out_dir = f->out;
    o.upstream_paths = paths;
    o.upstream_path_count = 1;
    mtp_stage *stage = NULL;
    mtp_error err = {{0}};
    assert_status(mtp_write_new(&o, &stage, &err), MTP_ERR_IO, err.message);
    assert_null(stage);
    assert_non_null(strstr(err.message, "/nonexistent/counts.json"));
}

static void test_write_pair_record_without_tgt_lang_refused(void **state)
{
    fixture *f = *state;
    mtp_stage *stage = new_write(f->out, 0, 0);
    test_collector c = {0};
    assert_status(test_run_stage(stage, "d\t1.1=1.1\tSatu.\tOne.\t0.9000\n", &c), MTP_ERR_USAGE,
                  "pair");
    test_collector_release(&c);
    assert_string_equal(mtp_stage_error(stage),
                        "doc d unit 1.1=1.1: a pair record, but write takes unit records "
                        "unless given a target language");
    mtp_stage_free(stage);
    assert_false(path_in(f->out, "MANIFEST.json"));
    assert_false(path_in(f->out, "dev.id.zst"));
}

static mtp_stage *new_pair_write(const char *out, double dev, double test)
{
    mtp_write_options o;
    mtp_write_options_default(&o);
    o.out_dir = out;
    o.tgt_lang = "en";
    o.dev_ratio = dev;
    o.test_ratio = test;
    mtp_stage *stage = NULL;
    mtp_error err = {{0}};
    assert_status(mtp_write_new(&o, &stage, &err), MTP_OK, err.message);
    return stage;
}

static void test_write_unit_record_with_tgt_lang_refused(void **state)
{
    fixture *f = *state;
    mtp_stage *stage = new_pair_write(f->out, 0, 0);
    test_collector c = {0};
    assert_status(test_run_stage(stage, "d\t1\tSatu.\n", &c), MTP_ERR_USAGE, "unit");
    test_collector_release(&c);
    assert_string_equal(mtp_stage_error(stage),
                        "doc d unit 1: a unit record, but write was given a target language "
                        "and takes pair records");
    mtp_stage_free(stage);
}

static void test_write_tgt_lang_equal_to_lang_refused(void **state)
{
    fixture *f = *state;
    mtp_write_options o;
    mtp_write_options_default(&o);
    o.out_dir = f->out;
    o.tgt_lang = "id";
    mtp_stage *stage = NULL;
    mtp_error err = {{0}};
    assert_status(mtp_write_new(&o, &stage, &err), MTP_ERR_USAGE, err.message);
}

/* Pairs: both sides line-aligned per split, scores in the metadata, and a
 * train pair sharing only its target with a dev pair dropped. */
static void test_write_pairs_exact_files(void **state)
{
    fixture *f = *state;
    char train[32], dev[32], lines[1024];
    doc_in(MTP_SPLIT_TRAIN, 0.5, 0, "t", train, sizeof train);
    doc_in(MTP_SPLIT_DEV, 0.5, 0, "d", dev, sizeof dev);
    snprintf(lines, sizeof lines,
             "%s\t1.1=1.1\tSatu.\tOne.\t0.9000\n"
             "%s\t1.2+1.3=1.2\tDua, tiga.\tTwo three.\t0.7500\n"
             "%s\t2.1=2.1\tEmpat lagi.\tFOUR!\t0.5000\n"
             "%s\t1.1=1.1\tEmpat.\tFour.\t1.0000\n",
             train, train, train, dev);
    mtp_stage *stage = new_pair_write(f->out, 0.5, 0);
    test_collector c = {0};
    assert_status(test_run_stage(stage, lines, &c), MTP_OK, mtp_stage_error(stage));
    test_collector_release(&c);
    assert_int_equal(mtp_counts_get(mtp_stage_counts(stage), "dropped.cross_split_loose"), 1);
    assert_true(mtp_counts_balanced(mtp_stage_counts(stage)));
    mtp_stage_free(stage);
    assert_file_text(f->out, "train.id.zst", "Satu.\nDua, tiga.\n");
    assert_file_text(f->out, "train.en.zst", "One.\nTwo three.\n");
    assert_file_text(f->out, "dev.id.zst", "Empat.\n");
    assert_file_text(f->out, "dev.en.zst", "Four.\n");
    assert_file_text(f->out, "test.en.zst", "");
    char want[128];
    snprintf(want, sizeof want, "%s\t1.1=1.1\t0.9000\n%s\t1.2+1.3=1.2\t0.7500\n", train, train);
    assert_file_text(f->out, "train.meta.tsv.zst", want);
    mtp_error err = {{0}};
    char *text = verify_report(f->out, MTP_OK, &err);
    assert_string_equal(text, "OK dev.en.zst 1 lines\n"
                              "OK dev.id.zst 1 lines\n"
                              "OK test.en.zst 0 lines\n"
                              "OK test.id.zst 0 lines\n"
                              "OK train.en.zst 2 lines\n"
                              "OK train.id.zst 2 lines\n"
                              "OK train.meta.tsv.zst 2 lines\n");
    free(text);
}

static void test_write_invalid_utf8_skipped_and_counted(void **state)
{
    fixture *f = *state;
    mtp_stage *stage = new_write(f->out, 1, 0); /* everything to dev: keyed at feed */
    const mtp_record rec = {MTP_RECORD_UNIT, {"d", 1}, {"1", 1}, {"a\xff", 2}, {NULL, 0}, 0};
    assert_status(mtp_stage_feed(stage, &rec, NULL), MTP_OK, mtp_stage_error(stage));
    assert_status(mtp_stage_finish(stage, NULL), MTP_OK, mtp_stage_error(stage));
    assert_int_equal(mtp_counts_get(mtp_stage_counts(stage), "dropped.invalid_utf8"), 1);
    assert_true(mtp_counts_balanced(mtp_stage_counts(stage)));
    mtp_stage_free(stage);
    assert_file_text(f->out, "dev.id.zst", "");
}

/* A train text that is not UTF-8 is skipped and counted at feed time, like a
 * dev/test one, instead of failing the run when the spool is re-read. */
static void test_write_train_invalid_utf8_skipped_and_counted(void **state)
{
    fixture *f = *state;
    mtp_stage *stage = new_write(f->out, 0, 0); /* everything to train: spooled */
    const mtp_record bad = {MTP_RECORD_UNIT, {"d", 1}, {"1", 1}, {"a\xff", 2}, {NULL, 0}, 0};
    const mtp_record good = {MTP_RECORD_UNIT, {"d", 1}, {"2", 1}, {"baik", 4}, {NULL, 0}, 0};
    assert_status(mtp_stage_feed(stage, &bad, NULL), MTP_OK, mtp_stage_error(stage));
    assert_status(mtp_stage_feed(stage, &good, NULL), MTP_OK, mtp_stage_error(stage));
    assert_status(mtp_stage_finish(stage, NULL), MTP_OK, mtp_stage_error(stage));
    assert_int_equal(mtp_counts_get(mtp_stage_counts(stage), "dropped.invalid_utf8"), 1);
    assert_true(mtp_counts_balanced(mtp_stage_counts(stage)));
    mtp_stage_free(stage);
    assert_file_text(f->out, "train.id.zst", "baik\n");
}

/* Names in `dir` containing `part`. */
static unsigned names_containing(const char *dir, const char *part)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    unsigned found = 0;
    const struct dirent *e = NULL;
    while ((e = readdir(d)) != NULL) {
        found += strstr(e->d_name, part) != NULL;
    }
    closedir(d);
    return found;
}

/* Spooled pairs come back field for field: a text of 150 000 bytes, one-byte
 * fields, and scores rounded to four decimals only in the metadata. */
static void test_write_train_spool_round_trip_exact(void **state)
{
    fixture *f = *state;
    enum { LONG_BYTES = 150000 };
    char *long_text = malloc(LONG_BYTES + 1);
    assert_non_null(long_text);
    for (size_t i = 0; i < LONG_BYTES; i++) {
        long_text[i] = (char)('a' + i % 26);
    }
    long_text[LONG_BYTES] = '\0';
    const mtp_record recs[] = {
        {MTP_RECORD_PAIR, {"x", 1}, {"1.1=1.1", 7}, {"A.", 2}, {"B.", 2}, 0.33333},
        {MTP_RECORD_PAIR,
         {"doc/2", 5},
         {"1.1+1.2=1.1", 11},
         {long_text, LONG_BYTES},
         {"Kalimat \xc3\xa9.", 11},
         1.0},
        {MTP_RECORD_PAIR, {"y", 1}, {"3.1=2.1", 7}, {"c", 1}, {"d", 1}, 0.00005},
    };
    mtp_stage *stage = new_pair_write(f->out, 0, 0);
    for (size_t i = 0; i < sizeof recs / sizeof recs[0]; i++) {
        assert_status(mtp_stage_feed(stage, &recs[i], NULL), MTP_OK, mtp_stage_error(stage));
    }
    assert_status(mtp_stage_finish(stage, NULL), MTP_OK, mtp_stage_error(stage));
    assert_int_equal(mtp_counts_get(mtp_stage_counts(stage), "out"), 3);
    mtp_stage_free(stage);
    char *want = malloc(LONG_BYTES + 16);
    assert_non_null(want);
    snprintf(want, LONG_BYTES + 16, "A.\n%s\nc\n", long_text);
    assert_file_text(f->out, "train.id.zst", want);
    assert_file_text(f->out, "train.en.zst", "B.\nKalimat \xc3\xa9.\nd\n");
    assert_file_text(f->out, "train.meta.tsv.zst",
                     "x\t1.1=1.1\t0.3333\ndoc/2\t1.1+1.2=1.1\t1.0000\ny\t3.1=2.1\t0.0001\n");
    assert_int_equal(names_containing(f->out, "spool"), 0);
    free(want);
    free(long_text);
}

/* A stage freed before finish takes its spool with it. */
static void test_write_abandoned_stage_removes_spool(void **state)
{
    fixture *f = *state;
    mtp_stage *stage = new_write(f->out, 0, 0);
    const mtp_record rec = {MTP_RECORD_UNIT, {"d", 1}, {"1", 1}, {"Teks.", 5}, {NULL, 0}, 0};
    assert_status(mtp_stage_feed(stage, &rec, NULL), MTP_OK, mtp_stage_error(stage));
    mtp_stage_free(stage);
    assert_int_equal(names_containing(f->out, "spool"), 0);
}

static void test_write_bad_options_refused(void **state)
{
    fixture *f = *state;
    mtp_write_options o;
    mtp_write_options_default(&o);
    o.out_dir = f->out;
    o.dev_ratio = 0.6;
    o.test_ratio = 0.6;
    mtp_stage *stage = NULL;
    mtp_error err = {{0}};
    assert_status(mtp_write_new(&o, &stage, &err), MTP_ERR_USAGE, err.message);
    o.dev_ratio = 0.01;
    o.lang = "../x";
    assert_status(mtp_write_new(&o, &stage, &err), MTP_ERR_USAGE, err.message);
    o.lang = "id";
    o.zstd_level = 0;
    assert_status(mtp_write_new(&o, &stage, &err), MTP_ERR_USAGE, err.message);
    assert_false(test_path_exists(f->out));
}

static void test_write_out_dir_is_a_file_fails(void **state)
{
    fixture *f = *state;
    write_raw(f->out, "x", 1);
    mtp_write_options o;
    mtp_write_options_default(&o);
    o.out_dir = f->out;
    mtp_stage *stage = NULL;
    mtp_error err = {{0}};
    assert_status(mtp_write_new(&o, &stage, &err), MTP_ERR_IO, err.message);
    assert_non_null(strstr(err.message, "not a directory"));
}

static void test_write_missing_parent_fails(void **state)
{
    fixture *f = *state;
    char out[400];
    snprintf(out, sizeof out, "%s/no/such/dir", f->root);
    mtp_write_options o;
    mtp_write_options_default(&o);
    o.out_dir = out;
    mtp_stage *stage = NULL;
    mtp_error err = {{0}};
    assert_status(mtp_write_new(&o, &stage, &err), MTP_ERR_IO, err.message);
    assert_non_null(strstr(err.message, "cannot create"));
}

static void test_write_new_removes_old_manifest(void **state)
{
    fixture *f = *state;
    write_sample(f->out);
    mtp_stage *stage = new_write(f->out, 0.3, 0.3);
    assert_false(path_in(f->out, "MANIFEST.json"));
    assert_false(path_in(f->out, "SHA256SUMS"));
    mtp_stage_free(stage); /* never finished: the old data files stay, unlisted */
    assert_false(path_in(f->out, "MANIFEST.json"));
}

/* The directory vanishes before finish: renames fail, nothing looks complete. */
static void test_write_failed_finish_leaves_no_manifest(void **state)
{
    fixture *f = *state;
    mtp_stage *stage = new_write(f->out, 0.3, 0.3);
    const mtp_record rec = {MTP_RECORD_UNIT, {"d", 1}, {"1", 1}, {"Satu.", 5}, {NULL, 0}, 0};
    assert_status(mtp_stage_feed(stage, &rec, NULL), MTP_OK, mtp_stage_error(stage));
    remove_tree(f->out);
    assert_int_equal(mkdir(f->out, 0777), 0);
    assert_int_not_equal(mtp_stage_finish(stage, NULL), MTP_OK);
    assert_true(mtp_stage_error(stage)[0] != '\0');
    mtp_stage_free(stage);
    assert_false(path_in(f->out, "MANIFEST.json"));
    assert_false(path_in(f->out, "SHA256SUMS"));
}

static void test_write_out_of_memory_every_allocation(void **state)
{
    fixture *f = *state;
    const char *lines = "a\t1\tSatu.\nb\t1\tDua.\nc\t1\tTiga.\nd\t1\tEmpat.\n";
    mtp_status st = MTP_ERR_NOMEM;
    for (long n = 0; n < 10000 && st != MTP_OK; n++) {
        mtp_write_options o;
        mtp_write_options_default(&o);
        o.out_dir = f->out;
        o.dev_ratio = 0.3;
        o.test_ratio = 0.3;
        mtp_stage *stage = NULL;
        mtp_error err = {{0}};
        mtp_alloc_fail_after(n);
        st = mtp_write_new(&o, &stage, &err);
        if (st == MTP_OK) {
            test_collector c = {0};
            st = test_run_stage(stage, lines, &c);
            test_collector_release(&c);
        }
        mtp_alloc_fail_after(-1);
        if (st != MTP_OK) {
            assert_status(st, MTP_ERR_NOMEM, stage ? mtp_stage_error(stage) : err.message);
            assert_false(path_in(f->out, "MANIFEST.json"));
        }
        mtp_stage_free(stage);
    }
    assert_status(st, MTP_OK, "never completed");
    mtp_error err = {{0}};
    assert_status(mtp_corpus_verify(f->out, NULL, &err), MTP_OK, err.message);
}

/* After the first records, feeding more of no greater length allocates
 * nothing through mtp_malloc: the format buffer and the spool are reused. */
static void test_write_feed_allocates_nothing_in_steady_state(void **state)
{
    fixture *f = *state;
    mtp_stage *stage = new_write(f->out, 0, 0);
    char doc[32];
    const mtp_record warm = {MTP_RECORD_UNIT,       {"doc-0", 5}, {"1.1", 3},
                             {"Kalimat awal.", 13}, {NULL, 0},    0};
    assert_status(mtp_stage_feed(stage, &warm, NULL), MTP_OK, mtp_stage_error(stage));
    mtp_alloc_fail_after(0);
    mtp_status st = MTP_OK;
    for (int i = 1; i <= 1000 && st == MTP_OK; i++) {
        const int len = snprintf(doc, sizeof doc, "doc-%d", i);
        const mtp_record rec = {MTP_RECORD_UNIT, {doc, (size_t)len}, {"1.1", 3},
                                {"Kalimat.", 8}, {NULL, 0},          0};
        st = mtp_stage_feed(stage, &rec, NULL);
    }
    mtp_alloc_fail_after(-1);
    assert_status(st, MTP_OK, mtp_stage_error(stage));
    assert_status(mtp_stage_finish(stage, NULL), MTP_OK, mtp_stage_error(stage));
    assert_int_equal(mtp_counts_get(mtp_stage_counts(stage), "out"), 1001);
    mtp_stage_free(stage);
}

/* ---- clusters, excludes, leak-free splits -------------------------------- */

/* Writes `data` to ROOT/NAME; returns the path in `path`. */
static void root_file(const fixture *f, const char *name, const char *data, char *path,
                      size_t capacity)
{
    snprintf(path, capacity, "%s/%s", f->root, name);
    write_raw(path, data, strlen(data));
}

/* Runs write with `o` over `lines`; keeps its counts and its error message. */
static mtp_status run_write(const mtp_write_options *o, const char *lines, mtp_counts *counts,
                            mtp_error *err)
{
    mtp_stage *stage = NULL;
    mtp_status st = mtp_write_new(o, &stage, err);
    if (st != MTP_OK) {
        return st;
    }
    test_collector c = {0};
    st = test_run_stage(stage, lines, &c);
    test_collector_release(&c);
    if (counts != NULL) {
        *counts = *mtp_stage_counts(stage);
    }
    snprintf(err->message, sizeof err->message, "%s", mtp_stage_error(stage));
    mtp_stage_free(stage);
    return st;
}

static void options_for(mtp_write_options *o, const char *out, double dev, double test)
{
    mtp_write_options_default(o);
    o->out_dir = out;
    o->dev_ratio = dev;
    o->test_ratio = test;
}

/* Member m's own doc_id would put it in train; its cluster c is in dev. */
static void test_write_clusters_keep_cluster_in_one_split(void **state)
{
    fixture *f = *state;
    char c[32], m[32], x[32], clusters[160], path[400], lines[512];
    doc_in(MTP_SPLIT_DEV, 0.5, 0, "c", c, sizeof c);
    doc_in(MTP_SPLIT_TRAIN, 0.5, 0, "m", m, sizeof m);
    doc_in(MTP_SPLIT_TRAIN, 0.5, 0, "x", x, sizeof x);
    snprintf(clusters, sizeof clusters, "%s\t%s\n%s\t%s\n", c, c, m, c);
    root_file(f, "clusters.tsv", clusters, path, sizeof path);
    snprintf(lines, sizeof lines, "%s\t1\tBerita asli.\n%s\t1\tBerita salinan.\n%s\t1\tLain.\n", c,
             m, x);
    mtp_write_options o;
    options_for(&o, f->out, 0.5, 0);
    o.clusters_path = path;
    mtp_counts counts;
    mtp_error err = {{0}};
    assert_status(run_write(&o, lines, &counts, &err), MTP_OK, err.message);
    assert_int_equal(mtp_counts_get(&counts, "moved_by_cluster"), 1);
    assert_true(mtp_counts_balanced(&counts));
    assert_file_text(f->out, "dev.id.zst", "Berita asli.\nBerita salinan.\n");
    assert_file_text(f->out, "train.id.zst", "Lain.\n");
}

static void test_write_clusters_listed_in_manifest(void **state)
{
    fixture *f = *state;
    char path[400];
    root_file(f, "clusters.tsv", "x\tc\n", path, sizeof path);
    mtp_write_options o;
    options_for(&o, f->out, 0.5, 0);
    o.clusters_path = path;
    mtp_error err = {{0}};
    assert_status(run_write(&o, "", NULL, &err), MTP_OK, err.message);
    json_t *root = load_manifest(f->out);
    json_t *clusters = json_object_get(root, "clusters");
    assert_string_equal(json_string_value(json_object_get(clusters, "path")), path);
    assert_string_equal(json_string_value(json_object_get(clusters, "sha256")),
                        "51355058a2184d1e8aeb58afb9043ab4c5f573b574e0c3e195734ffb833a5122");
    assert_int_equal(manifest_int(root, "clusters", "lines", NULL), 1);
    assert_int_equal(json_array_size(json_object_get(root, "exclude")), 0);
    json_decref(root);
}

static void test_write_clusters_absent_means_null_in_manifest(void **state)
{
    fixture *f = *state;
    write_sample(f->out);
    json_t *root = load_manifest(f->out);
    assert_true(json_is_null(json_object_get(root, "clusters")));
    assert_true(json_is_array(json_object_get(root, "exclude")));
    json_decref(root);
}

static void assert_write_new_fails(const mtp_write_options *o, mtp_status want, const char *msg)
{
    mtp_stage *stage = NULL;
    mtp_error err = {{0}};
    assert_status(mtp_write_new(o, &stage, &err), want, err.message);
    assert_null(stage);
    if (strstr(err.message, msg) == NULL) {
        fail_msg("message '%s' lacks '%s'", err.message, msg);
    }
}

static void test_write_clusters_line_without_tab_fails(void **state)
{
    fixture *f = *state;
    char path[400], want[450];
    root_file(f, "clusters.tsv", "a\ta\nb c\n", path, sizeof path);
    mtp_write_options o;
    options_for(&o, f->out, 0.5, 0);
    o.clusters_path = path;
    snprintf(want, sizeof want, "%s:2: not 'doc_id TAB cluster_id'", path);
    assert_write_new_fails(&o, MTP_ERR_INPUT, want);
    assert_false(path_in(f->out, "MANIFEST.json"));
}

static void test_write_clusters_empty_cluster_id_fails(void **state)
{
    fixture *f = *state;
    char path[400], want[450];
    root_file(f, "clusters.tsv", "a\t\n", path, sizeof path);
    mtp_write_options o;
    options_for(&o, f->out, 0.5, 0);
    o.clusters_path = path;
    snprintf(want, sizeof want, "%s:1: not 'doc_id TAB cluster_id'", path);
    assert_write_new_fails(&o, MTP_ERR_INPUT, want);
}

static void test_write_clusters_doc_in_two_clusters_fails(void **state)
{
    fixture *f = *state;
    char path[400], want[450];
    root_file(f, "clusters.tsv", "a\tb\na\tc\n", path, sizeof path);
    mtp_write_options o;
    options_for(&o, f->out, 0.5, 0);
    o.clusters_path = path;
    snprintf(want, sizeof want, "%s:2: doc_id a is in two clusters", path);
    assert_write_new_fails(&o, MTP_ERR_INPUT, want);
}

static void test_write_clusters_missing_file_fails(void **state)
{
    fixture *f = *state;
    mtp_write_options o;
    options_for(&o, f->out, 0.5, 0);
    o.clusters_path = "/nonexistent/clusters.tsv";
    assert_write_new_fails(&o, MTP_ERR_IO, "/nonexistent/clusters.tsv");
}

/* 200 moved documents need a 512-pair table (8 KiB, 12 KiB while
 * doubling): over a 10 KiB --mem. */
static void test_write_clusters_over_mem_is_limit(void **state)
{
    fixture *f = *state;
    char path[400];
    snprintf(path, sizeof path, "%s/clusters.tsv", f->root);
    FILE *file = fopen(path, "w");
    assert_non_null(file);
    for (int i = 0; i < 200; i++) {
        fprintf(file, "doc-%d\tcluster-%d\n", i, i / 2);
    }
    assert_int_equal(fclose(file), 0);
    mtp_write_options o;
    options_for(&o, f->out, 0.5, 0);
    o.clusters_path = path;
    o.mem_bytes = 10 * 1024;
    assert_write_new_fails(&o, MTP_ERR_LIMIT, "the cluster map would exceed --mem (10240 bytes)");
    o.mem_bytes = 64 * 1024;
    mtp_error err = {{0}};
    assert_status(run_write(&o, "", NULL, &err), MTP_OK, err.message);
}

static void test_write_exclude_exact_removes_from_every_split(void **state)
{
    fixture *f = *state;
    char path[400], train[32], dev[32], lines[512];
    root_file(f, "test-set.txt", "Dua.\n", path, sizeof path);
    doc_in(MTP_SPLIT_TRAIN, 0.5, 0, "t", train, sizeof train);
    doc_in(MTP_SPLIT_DEV, 0.5, 0, "d", dev, sizeof dev);
    snprintf(lines, sizeof lines, "%s\t1\tSatu.\n%s\t2\tDua.\n%s\t1\tDua.\n%s\t2\tTiga.\n", train,
             train, dev, dev);
    const char *paths[] = {path};
    mtp_write_options o;
    options_for(&o, f->out, 0.5, 0);
    o.exclude_paths = paths;
    o.exclude_path_count = 1;
    mtp_counts counts;
    mtp_error err = {{0}};
    assert_status(run_write(&o, lines, &counts, &err), MTP_OK, err.message);
    assert_int_equal(mtp_counts_get(&counts, "dropped.excluded_exact"), 2);
    assert_int_equal(mtp_counts_get(&counts, "dropped.cross_split_exact"), 0);
    assert_true(mtp_counts_balanced(&counts));
    assert_file_text(f->out, "train.id.zst", "Satu.\n");
    assert_file_text(f->out, "dev.id.zst", "Tiga.\n");
    json_t *root = load_manifest(f->out);
    json_t *entry = json_array_get(json_object_get(root, "exclude"), 0);
    assert_string_equal(json_string_value(json_object_get(entry, "path")), path);
    assert_string_equal(json_string_value(json_object_get(entry, "sha256")),
                        "c7f4e3705e0d9619bca2c13865cc36d214a73416bfe25c8571906d1da080a452");
    assert_int_equal(json_integer_value(json_object_get(entry, "lines")), 1);
    assert_int_equal(json_integer_value(json_object_get(entry, "matched")), 2);
    assert_int_equal(manifest_int(root, "counts", "write", "dropped.excluded_exact"), 2);
    json_decref(root);
}

static void test_write_exclude_loose_match_counted_loose(void **state)
{
    fixture *f = *state;
    char path[400];
    root_file(f, "test-set.txt", "harga naik 7 %\n", path, sizeof path);
    const char *paths[] = {path};
    mtp_write_options o;
    options_for(&o, f->out, 0, 0);
    o.exclude_paths = paths;
    o.exclude_path_count = 1;
    mtp_counts counts;
    mtp_error err = {{0}};
    assert_status(run_write(&o, "a\t1\tHarga naik 5%.\na\t2\tLain.\n", &counts, &err), MTP_OK,
                  err.message);
    assert_int_equal(mtp_counts_get(&counts, "dropped.excluded_loose"), 1);
    assert_int_equal(mtp_counts_get(&counts, "dropped.excluded_exact"), 0);
    assert_file_text(f->out, "train.id.zst", "Lain.\n");
}

static void test_write_exclude_crlf_and_empty_lines(void **state)
{
    fixture *f = *state;
    char path[400];
    root_file(f, "test-set.txt", "\r\n\nSatu.\r\n", path, sizeof path);
    const char *paths[] = {path};
    mtp_write_options o;
    options_for(&o, f->out, 0, 0);
    o.exclude_paths = paths;
    o.exclude_path_count = 1;
    mtp_counts counts;
    mtp_error err = {{0}};
    assert_status(run_write(&o, "a\t1\tSatu.\na\t2\tDua.\n", &counts, &err), MTP_OK, err.message);
    assert_int_equal(mtp_counts_get(&counts, "dropped.excluded_exact"), 1);
    assert_file_text(f->out, "train.id.zst", "Dua.\n");
    json_t *root = load_manifest(f->out);
    json_t *entry = json_array_get(json_object_get(root, "exclude"), 0);
    assert_int_equal(json_integer_value(json_object_get(entry, "lines")), 3);
    json_decref(root);
}

/* Each file is credited with the lines its own keys matched. */
static void test_write_exclude_two_files_credited_apart(void **state)
{
    fixture *f = *state;
    char a[400], b[400];
    root_file(f, "a.txt", "Satu.\nDua.\n", a, sizeof a);
    root_file(f, "b.txt", "DUA\nTiga.\n", b, sizeof b);
    const char *paths[] = {a, b};
    mtp_write_options o;
    options_for(&o, f->out, 0, 0);
    o.exclude_paths = paths;
    o.exclude_path_count = 2;
    mtp_counts counts;
    mtp_error err = {{0}};
    assert_status(
        run_write(&o, "d\t1\tSatu.\nd\t2\tDua.\nd\t3\tTiga.\nd\t4\tEmpat.\n", &counts, &err),
        MTP_OK, err.message);
    assert_int_equal(mtp_counts_get(&counts, "dropped.excluded_exact"), 3);
    assert_file_text(f->out, "train.id.zst", "Empat.\n");
    json_t *root = load_manifest(f->out);
    json_t *list = json_object_get(root, "exclude");
    assert_int_equal(json_array_size(list), 2);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(list, 0), "matched")), 2);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(list, 1), "matched")), 2);
    json_decref(root);
}

/* A corpus directory: its *.id.zst files, by name; meta and manifest not read. */
static void test_write_exclude_corpus_dir_reads_its_text_files(void **state)
{
    fixture *f = *state;
    write_sample(f->out); /* train: Satu. Tiga.  dev: Dua.  test: Empat. */
    char second[400];
    snprintf(second, sizeof second, "%s/second", f->root);
    const char *paths[] = {f->out};
    mtp_write_options o;
    options_for(&o, second, 0, 0);
    o.exclude_paths = paths;
    o.exclude_path_count = 1;
    mtp_counts counts;
    mtp_error err = {{0}};
    assert_status(run_write(&o, "n\t1\tEMPAT\nn\t2\tTiga.\nn\t3\tLima.\n", &counts, &err), MTP_OK,
                  err.message);
    assert_int_equal(mtp_counts_get(&counts, "dropped.excluded_exact"), 1);
    assert_int_equal(mtp_counts_get(&counts, "dropped.excluded_loose"), 1);
    assert_file_text(second, "train.id.zst", "Lima.\n");
    json_t *root = load_manifest(second);
    json_t *list = json_object_get(root, "exclude");
    assert_int_equal(json_array_size(list), 3);
    static const char *const names[] = {"dev.id.zst", "test.id.zst", "train.id.zst"};
    static const int lines[] = {1, 1, 2};
    static const int matched[] = {0, 1, 1};
    for (size_t i = 0; i < 3; i++) {
        json_t *entry = json_array_get(list, i);
        char want[512];
        snprintf(want, sizeof want, "%s/%s", f->out, names[i]);
        assert_string_equal(json_string_value(json_object_get(entry, "path")), want);
        assert_int_equal(json_integer_value(json_object_get(entry, "lines")), lines[i]);
        assert_int_equal(json_integer_value(json_object_get(entry, "matched")), matched[i]);
    }
    json_decref(root);
}

static void test_write_exclude_dir_without_corpus_files_fails(void **state)
{
    fixture *f = *state;
    const char *paths[] = {f->root};
    mtp_write_options o;
    options_for(&o, f->out, 0, 0);
    o.exclude_paths = paths;
    o.exclude_path_count = 1;
    assert_write_new_fails(&o, MTP_ERR_USAGE, "a directory without corpus text files");
}

static void test_write_exclude_missing_file_fails(void **state)
{
    fixture *f = *state;
    const char *paths[] = {"/nonexistent/test-set.txt"};
    mtp_write_options o;
    options_for(&o, f->out, 0, 0);
    o.exclude_paths = paths;
    o.exclude_path_count = 1;
    assert_write_new_fails(&o, MTP_ERR_IO, "/nonexistent/test-set.txt");
}

/* Under skip, a line that is not UTF-8 is counted; the file's other lines
 * still exclude. */
static void test_write_exclude_invalid_utf8_line_skipped_and_counted(void **state)
{
    fixture *f = *state;
    char path[400];
    root_file(f, "test-set.txt", "Sat\xffu.\nDua.\n", path, sizeof path);
    const char *paths[] = {path};
    mtp_write_options o;
    options_for(&o, f->out, 0, 0);
    o.exclude_paths = paths;
    o.exclude_path_count = 1;
    mtp_counts counts;
    mtp_error err = {{0}};
    assert_status(run_write(&o, "a\t1\tSatu.\na\t2\tDua.\n", &counts, &err), MTP_OK, err.message);
    assert_int_equal(mtp_counts_get(&counts, "exclude_bad_lines"), 1);
    assert_int_equal(mtp_counts_get(&counts, "dropped.excluded_exact"), 1);
    assert_true(mtp_counts_balanced(&counts));
    assert_file_text(f->out, "train.id.zst", "Satu.\n");
}

static void test_write_exclude_invalid_utf8_line_fail_names_line(void **state)
{
    fixture *f = *state;
    char path[400], want[450];
    root_file(f, "test-set.txt", "Satu.\nSat\xffu.\n", path, sizeof path);
    const char *paths[] = {path};
    mtp_write_options o;
    options_for(&o, f->out, 0, 0);
    o.exclude_paths = paths;
    o.exclude_path_count = 1;
    o.on_error = MTP_ON_ERROR_FAIL;
    snprintf(want, sizeof want, "%s:2: exclude line is not valid UTF-8", path);
    assert_write_new_fails(&o, MTP_ERR_INPUT, want);
}

static void test_write_exclude_too_many_files_refused(void **state)
{
    fixture *f = *state;
    const char *paths[MTP_WRITE_MAX_EXCLUDE_FILES + 1];
    for (size_t i = 0; i <= MTP_WRITE_MAX_EXCLUDE_FILES; i++) {
        paths[i] = "x";
    }
    mtp_write_options o;
    options_for(&o, f->out, 0, 0);
    o.exclude_paths = paths;
    o.exclude_path_count = MTP_WRITE_MAX_EXCLUDE_FILES + 1;
    assert_write_new_fails(&o, MTP_ERR_USAGE, "more than 64 exclude files");
}

/* A pair goes when either side matches; the target side here. */
static void test_write_exclude_pair_either_side(void **state)
{
    fixture *f = *state;
    char path[400];
    root_file(f, "test-set.en", "Two.\n", path, sizeof path);
    const char *paths[] = {path};
    mtp_write_options o;
    options_for(&o, f->out, 0, 0);
    o.tgt_lang = "en";
    o.exclude_paths = paths;
    o.exclude_path_count = 1;
    mtp_counts counts;
    mtp_error err = {{0}};
    assert_status(
        run_write(&o, "a\t1=1\tSatu.\tOne.\t0.9000\na\t2=2\tDua.\tTwo.\t0.8000\n", &counts, &err),
        MTP_OK, err.message);
    assert_int_equal(mtp_counts_get(&counts, "dropped.excluded_exact"), 1);
    assert_file_text(f->out, "train.id.zst", "Satu.\n");
    assert_file_text(f->out, "train.en.zst", "One.\n");
}

/* One exact and one loose cross-split drop, counted apart. */
static void test_write_cross_split_exact_and_loose_counted_apart(void **state)
{
    fixture *f = *state;
    char train[32], dev[32], lines[512];
    doc_in(MTP_SPLIT_TRAIN, 0.5, 0, "t", train, sizeof train);
    doc_in(MTP_SPLIT_DEV, 0.5, 0, "d", dev, sizeof dev);
    snprintf(lines, sizeof lines,
             "%s\t1\tSatu.\n%s\t2\tdua!\n%s\t3\tTiga.\n%s\t1\tSatu.\n%s\t2\tDua.\n", train, train,
             train, dev, dev);
    mtp_write_options o;
    options_for(&o, f->out, 0.5, 0);
    mtp_counts counts;
    mtp_error err = {{0}};
    assert_status(run_write(&o, lines, &counts, &err), MTP_OK, err.message);
    assert_int_equal(mtp_counts_get(&counts, "dropped.cross_split_exact"), 1);
    assert_int_equal(mtp_counts_get(&counts, "dropped.cross_split_loose"), 1);
    assert_file_text(f->out, "train.id.zst", "Tiga.\n");
}

/* The loose keys of a decompressed corpus file, one per line, into `set`. */
static void add_file_keys(const char *out, const char *name, mtp_keyset *set, int check_only,
                          mtp_key_scratch *scratch)
{
    char *text = read_corpus_file(out, name);
    for (char *line = text, *end = NULL; *line != '\0'; line = end + 1) {
        end = strchr(line, '\n');
        assert_non_null(end);
        const mtp_str s = {line, (size_t)(end - line)};
        uint64_t keys[2] = {mtp_key_exact(s), 0};
        assert_status(mtp_key_loose(s, scratch, &keys[1]), MTP_OK, "loose key");
        for (int k = 0; k < 2; k++) {
            int added = 0;
            if (check_only) {
                assert_false(mtp_keyset_contains(set, keys[k] ^ (uint64_t)k));
            } else {
                assert_status(mtp_keyset_add(set, keys[k] ^ (uint64_t)k, &added), MTP_OK, "add");
            }
        }
    }
    free(text);
}

/* 300 documents drawing sentences from a small pool with case and
 * punctuation variants: train shares no exact or loose key with dev/test,
 * and every record is accounted for. */
static void test_write_train_shares_no_key_with_heldout(void **state)
{
    fixture *f = *state;
    static const char *const pool[] = {
        "Harga naik.",        "harga NAIK!",  "Presiden datang.", "Hujan turun 5 kali.",
        "Hujan turun 7 kali", "Pasar ramai.", "Kota sepi."};
    const size_t pool_size = sizeof pool / sizeof pool[0];
    char *lines = malloc(300 * 4 * 64);
    assert_non_null(lines);
    size_t len = 0;
    unsigned seed = 12345;
    for (int d = 0; d < 300; d++) {
        for (int u = 1; u <= 4; u++) {
            seed = seed * 1103515245u + 12345u;
            len += (size_t)sprintf(lines + len, "doc-%d\t%d\t%s #%u\n", d, u,
                                   pool[(seed >> 16) % pool_size], (seed >> 8) % 40);
        }
    }
    mtp_write_options o;
    options_for(&o, f->out, 0.1, 0.1);
    mtp_counts counts;
    mtp_error err = {{0}};
    assert_status(run_write(&o, lines, &counts, &err), MTP_OK, err.message);
    free(lines);
    assert_true(mtp_counts_balanced(&counts));
    assert_true(mtp_counts_get(&counts, "dropped.cross_split_exact") > 0);
    assert_true(mtp_counts_get(&counts, "dropped.cross_split_loose") > 0);
    mtp_keyset set;
    mtp_key_scratch scratch = {0};
    assert_status(mtp_keyset_init(&set, 1 << 20), MTP_OK, "keyset");
    add_file_keys(f->out, "dev.id.zst", &set, 0, &scratch);
    add_file_keys(f->out, "test.id.zst", &set, 0, &scratch);
    add_file_keys(f->out, "train.id.zst", &set, 1, &scratch);
    mtp_keyset_release(&set);
    mtp_key_scratch_release(&scratch);
}

static void test_write_out_of_memory_with_clusters_and_excludes(void **state)
{
    fixture *f = *state;
    char clusters[400], exclude[400];
    root_file(f, "clusters.tsv", "a\tb\nb\tb\nc\ta\n", clusters, sizeof clusters);
    root_file(f, "test-set.txt", "Tiga.\nlima\n", exclude, sizeof exclude);
    const char *paths[] = {exclude};
    const char *lines = "a\t1\tSatu.\nb\t1\tDua.\nc\t1\tTiga.\nd\t1\tEmpat.\ne\t1\tLima!\n";
    mtp_status st = MTP_ERR_NOMEM;
    for (long n = 0; n < 10000 && st != MTP_OK; n++) {
        mtp_write_options o;
        options_for(&o, f->out, 0.3, 0.3);
        o.clusters_path = clusters;
        o.exclude_paths = paths;
        o.exclude_path_count = 1;
        mtp_error err = {{0}};
        mtp_alloc_fail_after(n);
        st = run_write(&o, lines, NULL, &err);
        mtp_alloc_fail_after(-1);
        if (st != MTP_OK) {
            assert_status(st, MTP_ERR_NOMEM, err.message);
            assert_false(path_in(f->out, "MANIFEST.json"));
        }
    }
    assert_status(st, MTP_OK, "never completed");
    json_t *root = load_manifest(f->out);
    assert_int_equal(manifest_int(root, "counts", "write", "dropped.excluded_exact"), 1);
    assert_int_equal(manifest_int(root, "counts", "write", "dropped.excluded_loose"), 1);
    json_decref(root);
}

/* ---- verify -------------------------------------------------------------- */

static char *verify_report(const char *out, mtp_status want, mtp_error *err)
{
    char *text = NULL;
    size_t len = 0;
    FILE *report = open_memstream(&text, &len);
    assert_non_null(report);
    assert_status(mtp_corpus_verify(out, report, err), want, err->message);
    fclose(report);
    return text;
}

static void test_verify_good_corpus_ok(void **state)
{
    fixture *f = *state;
    write_sample(f->out);
    mtp_error err = {{0}};
    char *text = verify_report(f->out, MTP_OK, &err);
    assert_string_equal(text, "OK dev.id.zst 1 lines\n"
                              "OK test.id.zst 1 lines\n"
                              "OK train.id.zst 2 lines\n"
                              "OK train.meta.tsv.zst 2 lines\n");
    free(text);
}

/* Flips one bit of byte `offset` of OUT/NAME. */
static void flip_byte(const char *out, const char *name, size_t offset)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", out, name);
    size_t len = 0;
    char *data = read_raw(path, &len);
    assert_true(offset < len);
    data[offset] ^= 0x01;
    write_raw(path, data, len);
    free(data);
}

static void test_verify_flipped_byte_mismatch(void **state)
{
    fixture *f = *state;
    write_sample(f->out);
    flip_byte(f->out, "train.id.zst", 12);
    mtp_error err = {{0}};
    char *text = verify_report(f->out, MTP_ERR_MISMATCH, &err);
    assert_non_null(strstr(err.message, "train.id.zst: sha256 "));
    assert_non_null(strstr(text, "FAILED train.id.zst: sha256 "));
    assert_non_null(strstr(text, "OK dev.id.zst 1 lines\n"));
    free(text);
}

static void test_verify_missing_file_mismatch(void **state)
{
    fixture *f = *state;
    write_sample(f->out);
    char path[512];
    snprintf(path, sizeof path, "%s/dev.id.zst", f->out);
    assert_int_equal(unlink(path), 0);
    mtp_error err = {{0}};
    char *text = verify_report(f->out, MTP_ERR_MISMATCH, &err);
    assert_string_equal(err.message, "dev.id.zst: missing");
    free(text);
}

static void test_verify_truncated_zst_mismatch(void **state)
{
    fixture *f = *state;
    write_sample(f->out);
    char path[512];
    snprintf(path, sizeof path, "%s/train.id.zst", f->out);
    size_t len = 0;
    char *data = read_raw(path, &len);
    write_raw(path, data, len - 4);
    free(data);
    mtp_error err = {{0}};
    char *text = verify_report(f->out, MTP_ERR_MISMATCH, &err);
    char want[128];
    snprintf(want, sizeof want, "train.id.zst: %zu bytes, the manifest says %zu", len - 4, len);
    assert_string_equal(err.message, want);
    free(text);
}

/* A truncated .zst listed with its own (wrong) size and digest: only decompression catches it. */
static void test_verify_truncated_zst_consistent_manifest_mismatch(void **state)
{
    fixture *f = *state;
    write_sample(f->out);
    char path[512];
    snprintf(path, sizeof path, "%s/train.id.zst", f->out);
    size_t len = 0;
    char *data = read_raw(path, &len);
    write_raw(path, data, len - 4); /* drops the frame checksum */
    free(data);
    json_t *root = load_manifest(f->out);
    char hex[MTP_SHA256_HEX_CAPACITY];
    uint64_t bytes = 0;
    mtp_error err = {{0}};
    assert_status(mtp_sha256_file(path, hex, &bytes, &err), MTP_OK, err.message);
    json_t *entry = json_object_get(json_object_get(root, "files"), "train.id.zst");
    json_object_set_new(entry, "bytes", json_integer((json_int_t)bytes));
    json_object_set_new(entry, "sha256", json_string(hex));
    char mpath[512];
    snprintf(mpath, sizeof mpath, "%s/MANIFEST.json", f->out);
    assert_int_equal(json_dump_file(root, mpath, JSON_SORT_KEYS | JSON_INDENT(2)), 0);
    json_decref(root);
    char *text = verify_report(f->out, MTP_ERR_MISMATCH, &err);
    assert_non_null(strstr(text, "FAILED train.id.zst"));
    assert_non_null(strstr(err.message, "train.id.zst"));
    free(text);
}

static void test_verify_edited_sums_mismatch(void **state)
{
    fixture *f = *state;
    write_sample(f->out);
    flip_byte(f->out, "SHA256SUMS", 0);
    mtp_error err = {{0}};
    char *text = verify_report(f->out, MTP_ERR_MISMATCH, &err);
    assert_non_null(strstr(err.message, "SHA256SUMS: "));
    free(text);
}

static void test_verify_edited_manifest_mismatch(void **state)
{
    fixture *f = *state;
    write_sample(f->out);
    char path[512];
    snprintf(path, sizeof path, "%s/MANIFEST.json", f->out);
    size_t len = 0;
    char *data = read_raw(path, &len);
    data[len - 1] = ' '; /* still valid JSON, other digest */
    write_raw(path, data, len);
    free(data);
    mtp_error err = {{0}};
    char *text = verify_report(f->out, MTP_ERR_MISMATCH, &err);
    assert_string_equal(err.message,
                        "SHA256SUMS: the digest of MANIFEST.json differs from MANIFEST.json's "
                        "actual digest");
    free(text);
}

static void test_verify_missing_sums_mismatch(void **state)
{
    fixture *f = *state;
    write_sample(f->out);
    char path[512];
    snprintf(path, sizeof path, "%s/SHA256SUMS", f->out);
    assert_int_equal(unlink(path), 0);
    mtp_error err = {{0}};
    char *text = verify_report(f->out, MTP_ERR_MISMATCH, &err);
    assert_string_equal(err.message, "SHA256SUMS: missing");
    free(text);
}

static void test_verify_no_manifest_is_io_error(void **state)
{
    fixture *f = *state;
    assert_int_equal(mkdir(f->out, 0777), 0);
    mtp_error err = {{0}};
    char *text = verify_report(f->out, MTP_ERR_IO, &err);
    assert_non_null(strstr(err.message, "MANIFEST.json: cannot open"));
    free(text);
}

static void test_verify_unsafe_name_mismatch(void **state)
{
    fixture *f = *state;
    write_sample(f->out);
    json_t *root = load_manifest(f->out);
    json_t *files = json_object_get(root, "files");
    json_object_set(files, "../escape", json_object_get(files, "dev.id.zst"));
    char mpath[512];
    snprintf(mpath, sizeof mpath, "%s/MANIFEST.json", f->out);
    assert_int_equal(json_dump_file(root, mpath, JSON_SORT_KEYS), 0);
    json_decref(root);
    mtp_error err = {{0}};
    char *text = verify_report(f->out, MTP_ERR_MISMATCH, &err);
    assert_string_equal(err.message, "../escape: not a file name a corpus may list");
    free(text);
}

/* Rewrites MANIFEST.json and SHA256SUMS as write would have, after OUT/NAME
 * was replaced, so that only cross-file checks can find the change. */
static void relist_file(const char *out, const char *name, uint64_t lines)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", out, name);
    char hex[MTP_SHA256_HEX_CAPACITY];
    uint64_t bytes = 0;
    mtp_error err = {{0}};
    assert_status(mtp_sha256_file(path, hex, &bytes, &err), MTP_OK, err.message);
    json_t *root = load_manifest(out);
    json_t *entry = json_object_get(json_object_get(root, "files"), name);
    json_object_set_new(entry, "bytes", json_integer((json_int_t)bytes));
    json_object_set_new(entry, "lines", json_integer((json_int_t)lines));
    json_object_set_new(entry, "sha256", json_string(hex));
    snprintf(path, sizeof path, "%s/MANIFEST.json", out);
    assert_int_equal(json_dump_file(root, path, JSON_SORT_KEYS | JSON_INDENT(2)), 0);
    char manifest_hex[MTP_SHA256_HEX_CAPACITY];
    assert_status(mtp_sha256_file(path, manifest_hex, &bytes, &err), MTP_OK, err.message);
    FILE *sums = NULL;
    snprintf(path, sizeof path, "%s/SHA256SUMS", out);
    sums = fopen(path, "w");
    assert_non_null(sums);
    const char *key = NULL;
    json_t *value = NULL;
    json_object_foreach (json_object_get(root, "files"), key, value) {
        fprintf(sums, "%s  %s\n", json_string_value(json_object_get(value, "sha256")), key);
    }
    fprintf(sums, "%s  MANIFEST.json\n", manifest_hex);
    assert_int_equal(fclose(sums), 0);
    json_decref(root);
}

static void test_verify_split_files_with_unequal_lines_mismatch(void **state)
{
    fixture *f = *state;
    write_sample(f->out);
    char from[512], to[512];
    snprintf(from, sizeof from, "%s/dev.id.zst", f->out);
    snprintf(to, sizeof to, "%s/train.meta.tsv.zst", f->out);
    size_t len = 0;
    char *data = read_raw(from, &len);
    write_raw(to, data, len); /* one line where train.id.zst has two */
    free(data);
    relist_file(f->out, "train.meta.tsv.zst", 1);
    mtp_error err = {{0}};
    char *text = verify_report(f->out, MTP_ERR_MISMATCH, &err);
    assert_string_equal(err.message, "train.meta.tsv.zst: 1 lines, but train.id.zst has 2");
    assert_non_null(strstr(text, "OK train.meta.tsv.zst 1 lines\n"));
    free(text);
}

static void test_verify_relisted_file_ok(void **state)
{
    fixture *f = *state;
    write_sample(f->out);
    relist_file(f->out, "dev.id.zst", 1); /* the helper alone changes nothing verify sees */
    mtp_error err = {{0}};
    char *text = verify_report(f->out, MTP_OK, &err);
    free(text);
}

/* ---- manifest module ----------------------------------------------------- */

/* ---- leak check ---------------------------------------------------------- */

/* Replaces OUT/NAME with a zstd file of `lines` (NUL-separated, "" ends). */
static void replace_zst(const char *out, const char *name, const char *const *lines)
{
    char path[512], msg[256];
    snprintf(path, sizeof path, "%s/%s", out, name);
    const mtp_writer_options wopts = {3, 0, 0};
    mtp_writer *w = NULL;
    assert_status(mtp_writer_open(path, &wopts, &w, msg, sizeof msg), MTP_OK, msg);
    for (size_t i = 0; lines[i] != NULL; i++) {
        assert_status(mtp_writer_put_line(w, lines[i], strlen(lines[i])), MTP_OK, lines[i]);
    }
    assert_status(mtp_writer_commit(w), MTP_OK, mtp_writer_error(w));
    mtp_writer_free(w);
}

static char *leak_report(const char *out, size_t mem_bytes, mtp_status want, mtp_error *err)
{
    char *text = NULL;
    size_t len = 0;
    FILE *report = open_memstream(&text, &len);
    assert_non_null(report);
    assert_status(mtp_corpus_check_leaks(out, mem_bytes, report, err), want, err->message);
    fclose(report);
    return text;
}

static void test_check_leaks_written_corpus_ok(void **state)
{
    fixture *f = *state;
    write_sample(f->out);
    mtp_error err = {{0}};
    char *text = leak_report(f->out, 1 << 20, MTP_OK, &err);
    assert_string_equal(text, "OK no train line shares a key with dev or test (2 train lines)\n");
    free(text);
}

static void test_check_leaks_exact_train_line_reported(void **state)
{
    fixture *f = *state;
    write_sample(f->out); /* dev: Dua.  test: Empat. */
    static const char *const train[] = {"Satu.", "Tiga.", "Empat.", NULL};
    replace_zst(f->out, "train.id.zst", train);
    mtp_error err = {{0}};
    char *text = leak_report(f->out, 1 << 20, MTP_ERR_MISMATCH, &err);
    assert_string_equal(text, "FAILED train.id.zst:3: shares its exact key with dev or test\n");
    assert_string_equal(err.message, "train.id.zst:3: shares its exact key with dev or test");
    free(text);
}

static void test_check_leaks_loose_train_line_reported(void **state)
{
    fixture *f = *state;
    write_sample(f->out);
    static const char *const train[] = {"DUA!", "Satu.", "dua", NULL};
    replace_zst(f->out, "train.id.zst", train);
    mtp_error err = {{0}};
    char *text = leak_report(f->out, 1 << 20, MTP_ERR_MISMATCH, &err);
    assert_string_equal(text, "FAILED train.id.zst:1: shares its loose key with dev or test\n"
                              "FAILED train.id.zst:3: shares its loose key with dev or test\n");
    free(text);
}

/* Pairs: a train target equal to a dev source is a leak too (sides pooled). */
static void test_check_leaks_pair_sides_pooled(void **state)
{
    fixture *f = *state;
    char train[32], dev[32], lines[512];
    doc_in(MTP_SPLIT_TRAIN, 0.5, 0, "t", train, sizeof train);
    doc_in(MTP_SPLIT_DEV, 0.5, 0, "d", dev, sizeof dev);
    snprintf(lines, sizeof lines, "%s\t1=1\tSatu.\tOne.\t0.9000\n%s\t1=1\tDua.\tTwo.\t0.9000\n",
             train, dev);
    mtp_write_options o;
    options_for(&o, f->out, 0.5, 0);
    o.tgt_lang = "en";
    mtp_error err = {{0}};
    assert_status(run_write(&o, lines, NULL, &err), MTP_OK, err.message);
    char *text = leak_report(f->out, 1 << 20, MTP_OK, &err);
    free(text);
    static const char *const targets[] = {"Dua.", NULL};
    replace_zst(f->out, "train.en.zst", targets);
    text = leak_report(f->out, 1 << 20, MTP_ERR_MISMATCH, &err);
    assert_string_equal(text, "FAILED train.en.zst:1: shares its exact key with dev or test\n");
    free(text);
}

static void test_check_leaks_mem_too_small_is_limit(void **state)
{
    fixture *f = *state;
    write_sample(f->out);
    mtp_error err = {{0}};
    assert_status(mtp_corpus_check_leaks(f->out, 16, NULL, &err), MTP_ERR_LIMIT, err.message);
}

static void test_check_leaks_no_manifest_is_io_error(void **state)
{
    fixture *f = *state;
    mtp_error err = {{0}};
    assert_status(mtp_corpus_check_leaks(f->root, 1 << 20, NULL, &err), MTP_ERR_IO, err.message);
}

static void test_sums_next_parses_text_and_binary_lines(void **state)
{
    (void)state;
    char text[300];
    const char *hex64 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    snprintf(text, sizeof text, "%s  a.zst\n%s *b.zst\nbad line\n", hex64, hex64);
    const char *cursor = text;
    const char *limit = text + strlen(text);
    mtp_str hex, name;
    assert_int_equal(mtp_sums_next(&cursor, limit, &hex, &name), 1);
    assert_int_equal(name.len, 5);
    assert_memory_equal(name.ptr, "a.zst", 5);
    assert_int_equal(mtp_sums_next(&cursor, limit, &hex, &name), 1);
    assert_memory_equal(name.ptr, "b.zst", 5);
    assert_int_equal(mtp_sums_next(&cursor, limit, &hex, &name), -1);
    assert_int_equal(mtp_sums_next(&cursor, limit, &hex, &name), 0);
}

static void test_corpus_name_is_safe(void **state)
{
    (void)state;
    assert_true(mtp_corpus_name_is_safe("train.id.zst"));
    assert_false(mtp_corpus_name_is_safe(""));
    assert_false(mtp_corpus_name_is_safe("../x"));
    assert_false(mtp_corpus_name_is_safe(".hidden"));
    assert_false(mtp_corpus_name_is_safe("a/b"));
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_split_ratios_zero_and_one),
        T(test_split_shares_follow_ratios),
        T(test_split_depends_on_doc_id_only),
        T(test_write_sample_exact_files),
        T(test_write_leaves_no_temporary_files),
        T(test_write_counts_balance_with_cross_split_drop),
        T(test_write_loose_key_removes_train_variant),
        T(test_write_loose_key_judged_whole_past_shared_head),
        T(test_write_empty_input_gives_empty_files),
        T(test_write_two_runs_identical_bytes),
        T(test_write_manifest_fields),
        T(test_write_manifest_has_sorted_keys_and_short_reals),
        T(test_write_input_digest_is_sha256_of_records),
        T(test_write_folds_upstream_counts),
        T(test_write_missing_stage_counts_file_fails),
        T(test_write_pair_record_without_tgt_lang_refused),
        T(test_write_unit_record_with_tgt_lang_refused),
        T(test_write_tgt_lang_equal_to_lang_refused),
        T(test_write_pairs_exact_files),
        T(test_write_invalid_utf8_skipped_and_counted),
        T(test_write_train_invalid_utf8_skipped_and_counted),
        T(test_write_train_spool_round_trip_exact),
        T(test_write_abandoned_stage_removes_spool),
        T(test_write_bad_options_refused),
        T(test_write_out_dir_is_a_file_fails),
        T(test_write_missing_parent_fails),
        T(test_write_new_removes_old_manifest),
        T(test_write_failed_finish_leaves_no_manifest),
        T(test_write_out_of_memory_every_allocation),
        T(test_write_feed_allocates_nothing_in_steady_state),
        T(test_write_clusters_keep_cluster_in_one_split),
        T(test_write_clusters_listed_in_manifest),
        T(test_write_clusters_absent_means_null_in_manifest),
        T(test_write_clusters_line_without_tab_fails),
        T(test_write_clusters_empty_cluster_id_fails),
        T(test_write_clusters_doc_in_two_clusters_fails),
        T(test_write_clusters_missing_file_fails),
        T(test_write_clusters_over_mem_is_limit),
        T(test_write_exclude_exact_removes_from_every_split),
        T(test_write_exclude_loose_match_counted_loose),
        T(test_write_exclude_crlf_and_empty_lines),
        T(test_write_exclude_two_files_credited_apart),
        T(test_write_exclude_corpus_dir_reads_its_text_files),
        T(test_write_exclude_dir_without_corpus_files_fails),
        T(test_write_exclude_missing_file_fails),
        T(test_write_exclude_invalid_utf8_line_skipped_and_counted),
        T(test_write_exclude_invalid_utf8_line_fail_names_line),
        T(test_write_exclude_too_many_files_refused),
        T(test_write_exclude_pair_either_side),
        T(test_write_cross_split_exact_and_loose_counted_apart),
        T(test_write_train_shares_no_key_with_heldout),
        T(test_write_out_of_memory_with_clusters_and_excludes),
        T(test_verify_good_corpus_ok),
        T(test_verify_flipped_byte_mismatch),
        T(test_verify_missing_file_mismatch),
        T(test_verify_truncated_zst_mismatch),
        T(test_verify_truncated_zst_consistent_manifest_mismatch),
        T(test_verify_edited_sums_mismatch),
        T(test_verify_edited_manifest_mismatch),
        T(test_verify_missing_sums_mismatch),
        T(test_verify_no_manifest_is_io_error),
        T(test_verify_unsafe_name_mismatch),
        T(test_verify_split_files_with_unequal_lines_mismatch),
        T(test_verify_relisted_file_ok),
        T(test_check_leaks_written_corpus_ok),
        T(test_check_leaks_exact_train_line_reported),
        T(test_check_leaks_loose_train_line_reported),
        T(test_check_leaks_pair_sides_pooled),
        T(test_check_leaks_mem_too_small_is_limit),
        T(test_check_leaks_no_manifest_is_io_error),
        T(test_sums_next_parses_text_and_binary_lines),
        T(test_corpus_name_is_safe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
