/* Unit tests for the parallel runner: for every thread count and block size
 * the records emitted, their order, the counts (values and name order) and
 * the first error equal what one chain fed directly gives. */
#include "test_util.h"

#include <stdio.h>
#include <string.h>

#include "mtprep/parallel.h"
#include "stage_impl.h"

/* ---- a test stage ------------------------------------------------------
 * text "drop..." is dropped (dropped.word), "fail..." fails with a message
 * naming doc_id/unit, "x..." is counted as changed.x, and '|' splits the
 * text into several records (split). Texts starting with a, e or m are
 * tallied apart and added at finish as tally.a, tally.e, tally.m in the
 * order first seen, as segment does with its rule counts. A second
 * instance named "second" drops texts ending in "zz" (dropped.zz). */

typedef struct toy {
    int second;
    char tally_order[4]; /* letters in the order first seen */
    uint64_t tally[3];   /* a, e, m */
} toy;

static void toy_tally(toy *t, char first)
{
    const char *letters = "aem";
    const char *hit = first != '\0' ? strchr(letters, first) : NULL;
    if (hit == NULL) {
        return;
    }
    if (strchr(t->tally_order, first) == NULL) {
        t->tally_order[strlen(t->tally_order)] = first;
    }
    t->tally[hit - letters]++;
}

static mtp_status toy_finish(mtp_stage *stage, const mtp_sink *out)
{
    (void)out;
    toy *t = stage->self;
    for (const char *c = t->tally_order; *c != '\0'; c++) {
        const char name[] = {'t', 'a', 'l', 'l', 'y', '.', *c, '\0'};
        mtp_counts_add(&stage->counts, name, t->tally[strchr("aem", *c) - "aem"]);
    }
    memset(t->tally_order, 0, sizeof t->tally_order);
    memset(t->tally, 0, sizeof t->tally);
    return MTP_OK;
}

static mtp_status emit_piece(const mtp_record *rec, mtp_str text, const mtp_sink *out)
{
    mtp_record piece = *rec;
    piece.text = text;
    return out->emit(out->ctx, &piece);
}

static mtp_status toy_split(mtp_stage *stage, const mtp_record *rec, const mtp_sink *out)
{
    const char *start = rec->text.ptr;
    const char *limit = rec->text.ptr + rec->text.len;
    mtp_status st = MTP_OK;
    for (const char *p = start; st == MTP_OK; p++) {
        if (p == limit || *p == '|') {
            const mtp_str piece = {start, (size_t)(p - start)};
            st = emit_piece(rec, piece, out);
            if (p == limit) {
                break;
            }
            mtp_counts_add(&stage->counts, "split", 1);
            start = p + 1;
        }
    }
    return st;
}

static int starts_with(mtp_str s, const char *prefix)
{
    const size_t n = strlen(prefix);
    return s.len >= n && memcmp(s.ptr, prefix, n) == 0;
}

static mtp_status toy_feed(mtp_stage *stage, const mtp_record *rec, const mtp_sink *out)
{
    const toy *t = stage->self;
    const mtp_str text = rec->text;
    if (t->second) {
        if (text.len >= 2 && memcmp(text.ptr + text.len - 2, "zz", 2) == 0) {
            mtp_counts_drop(&stage->counts, "zz", 1);
            return MTP_OK;
        }
        return out->emit(out->ctx, rec);
    }
    if (starts_with(text, "fail")) {
        return mtp_error_set(&stage->error, MTP_ERR_INPUT, "%.*s/%.*s: asked to fail",
                             (int)rec->doc_id.len, rec->doc_id.ptr, (int)rec->unit.len,
                             rec->unit.ptr);
    }
    if (starts_with(text, "drop")) {
        mtp_counts_drop(&stage->counts, "word", 1);
        return MTP_OK;
    }
    if (starts_with(text, "x")) {
        mtp_counts_add(&stage->counts, "changed.x", 1);
    }
    toy_tally(stage->self, text.len > 0 ? text.ptr[0] : '\0');
    return toy_split(stage, rec, out);
}

static const mtp_stage_ops toy_ops = {"toy", toy_feed, toy_finish, mtp_free};
static const mtp_stage_ops second_ops = {"second", toy_feed, NULL, mtp_free};

static mtp_status toy_new(int second, mtp_stage **out)
{
    toy *t = mtp_calloc(1, sizeof *t);
    if (t == NULL) {
        return MTP_ERR_NOMEM;
    }
    t->second = second;
    return mtp_stage_create(second ? &second_ops : &toy_ops, t, out);
}

typedef struct maker {
    int calls;
    int fail_on_call; /* 0: never */
} maker;

static mtp_status make_toy_chain(void *ctx, mtp_stage **stages, mtp_error *err)
{
    maker *m = ctx;
    if (++m->calls == m->fail_on_call) {
        return mtp_error_set(err, MTP_ERR_USAGE, "chain %d refused", m->calls);
    }
    mtp_status st = toy_new(0, &stages[0]);
    if (st == MTP_OK) {
        st = toy_new(1, &stages[1]);
    }
    return st;
}

/* ---- inputs ------------------------------------------------------------ */

/* Record i of a deterministic stream: documents of 7 units; some texts
 * dropped, split, counted; "fail" at the positions in fail_at (or none). */
static void make_record(unsigned i, const unsigned *fail_at, size_t fail_count, char *doc,
                        char *unit, char *text, mtp_record *rec)
{
    snprintf(doc, 32, "doc%u", i / 7);
    snprintf(unit, 32, "%u", i % 7 + 1);
    static const char *const texts[] = {"plain text", "drop me", "xa|xb|xc",       "ends in zz",
                                        "x marks",    "a|b",     "more text here", "second|zz"};
    snprintf(text, 64, "%s %u", texts[i % 8], i);
    if (i % 8 == 3 || i % 8 == 7) {
        snprintf(text, 64, "%s", texts[i % 8]);
    }
    for (size_t k = 0; k < fail_count; k++) {
        if (fail_at[k] == i) {
            snprintf(text, 64, "fail %u", i);
        }
    }
    memset(rec, 0, sizeof *rec);
    rec->kind = MTP_RECORD_UNIT;
    rec->doc_id = mtp_str_from_cstr(doc);
    rec->unit = mtp_str_from_cstr(unit);
    rec->text = mtp_str_from_cstr(text);
}

/* ---- the two ways to run ----------------------------------------------- */

typedef struct result {
    test_collector out;
    mtp_status status;
    char error[MTP_ERROR_CAPACITY];
    mtp_counts counts[2];
} result;

typedef struct direct_link {
    mtp_stage *next;
    const mtp_sink *sink;
} direct_link;

static mtp_status direct_emit(void *ctx, const mtp_record *rec)
{
    const direct_link *l = ctx;
    return mtp_stage_feed(l->next, rec, l->sink);
}

static void run_direct(unsigned n, const unsigned *fail_at, size_t fail_count, result *r)
{
    memset(r, 0, sizeof *r);
    mtp_stage *stages[2] = {NULL, NULL};
    maker m = {0, 0};
    mtp_error err = {{0}};
    assert_status(make_toy_chain(&m, stages, &err), MTP_OK, err.message);
    const mtp_sink sink = test_collector_sink(&r->out);
    direct_link link = {stages[1], &sink};
    const mtp_sink to_second = {direct_emit, &link};
    mtp_status st = MTP_OK;
    for (unsigned i = 0; i < n && st == MTP_OK; i++) {
        char doc[32], unit[32], text[64];
        mtp_record rec;
        make_record(i, fail_at, fail_count, doc, unit, text, &rec);
        st = mtp_stage_feed(stages[0], &rec, &to_second);
    }
    if (st == MTP_OK) {
        st = mtp_stage_finish(stages[0], &to_second);
    }
    if (st == MTP_OK) {
        st = mtp_stage_finish(stages[1], &sink);
    }
    r->status = st;
    snprintf(r->error, sizeof r->error, "%s", mtp_stage_error(stages[0]));
    r->counts[0] = *mtp_stage_counts(stages[0]);
    r->counts[1] = *mtp_stage_counts(stages[1]);
    mtp_stage_free(stages[0]);
    mtp_stage_free(stages[1]);
}

static void run_parallel(unsigned threads, size_t block_records, size_t block_bytes, unsigned n,
                         const unsigned *fail_at, size_t fail_count, result *r)
{
    memset(r, 0, sizeof *r);
    maker m = {0, 0};
    mtp_parallel_options o;
    mtp_parallel_options_default(&o);
    o.threads = threads;
    o.stage_count = 2;
    o.make_chain = make_toy_chain;
    o.make_ctx = &m;
    o.block_records = block_records;
    o.block_bytes = block_bytes;
    mtp_parallel *p = NULL;
    mtp_error err = {{0}};
    o.sink = test_collector_sink(&r->out);
    assert_status(mtp_parallel_new(&o, &p, &err), MTP_OK, err.message);
    assert_int_equal(m.calls, (int)threads);
    mtp_status st = MTP_OK;
    for (unsigned i = 0; i < n && st == MTP_OK; i++) {
        char doc[32], unit[32], text[64];
        mtp_record rec;
        make_record(i, fail_at, fail_count, doc, unit, text, &rec);
        st = mtp_parallel_feed(p, &rec);
    }
    st = mtp_parallel_finish(p); /* after a failure too: it stops the threads */
    r->status = st;
    snprintf(r->error, sizeof r->error, "%s", mtp_parallel_error(p));
    r->counts[0] = *mtp_parallel_counts(p, 0);
    r->counts[1] = *mtp_parallel_counts(p, 1);
    mtp_parallel_free(p);
}

static void print_counts(const char *label, const mtp_counts *c)
{
    print_error("%s %s:", label, c->stage);
    for (unsigned i = 0; i < c->n; i++) {
        print_error(" %s=%llu", c->names[i], (unsigned long long)c->values[i]);
    }
    print_error("\n");
}

/* Same stage, same names in the same order, same values. */
static void assert_counts_identical(const mtp_counts *want, const mtp_counts *got)
{
    int same = strcmp(got->stage, want->stage) == 0 && got->n == want->n;
    for (unsigned i = 0; same && i < want->n; i++) {
        same = strcmp(got->names[i], want->names[i]) == 0 && got->values[i] == want->values[i];
    }
    if (!same) {
        print_counts("want", want);
        print_counts("got ", got);
    }
    assert_true(same);
}

static void assert_same_result(const result *want, const result *got)
{
    assert_status(got->status, want->status, got->error);
    assert_string_equal(got->error, want->error);
    assert_int_equal(got->out.records, want->out.records);
    assert_string_equal(got->out.text, want->out.text);
    assert_counts_identical(&want->counts[0], &got->counts[0]);
    assert_counts_identical(&want->counts[1], &got->counts[1]);
}

static void compare_over_settings(unsigned n, const unsigned *fail_at, size_t fail_count)
{
    static const unsigned threads[] = {1, 2, 7};
    static const size_t records[] = {1, 3, 100, MTP_PARALLEL_BLOCK_RECORDS};
    static result want, got;
    run_direct(n, fail_at, fail_count, &want);
    for (size_t t = 0; t < sizeof threads / sizeof threads[0]; t++) {
        for (size_t b = 0; b < sizeof records / sizeof records[0]; b++) {
            run_parallel(threads[t], records[b], MTP_PARALLEL_BLOCK_BYTES, n, fail_at, fail_count,
                         &got);
            assert_same_result(&want, &got);
            test_collector_release(&got.out);
        }
        run_parallel(threads[t], 1000, 64, n, fail_at, fail_count, &got); /* cut by bytes */
        assert_same_result(&want, &got);
        test_collector_release(&got.out);
    }
    test_collector_release(&want.out);
}

/* ---- tests ------------------------------------------------------------- */

static void same_output_and_counts_for_1_2_7_threads(void **state)
{
    (void)state;
    compare_over_settings(5000, NULL, 0);
}

static void counts_balance_and_name_order(void **state)
{
    (void)state;
    static result r;
    run_parallel(7, 3, MTP_PARALLEL_BLOCK_BYTES, 800, NULL, 0, &r);
    assert_status(r.status, MTP_OK, r.error);
    for (int i = 0; i < 2; i++) {
        assert_true(mtp_counts_balanced(&r.counts[i]));
    }
    assert_true(mtp_counts_get(&r.counts[0], "in") == 800);
    /* names in the order the first records create them */
    assert_string_equal(r.counts[0].names[0], "in");
    assert_string_equal(r.counts[0].names[1], "out");
    assert_string_equal(r.counts[0].names[2], "dropped.word");
    assert_string_equal(r.counts[0].names[3], "changed.x");
    assert_string_equal(r.counts[0].names[4], "split");
    test_collector_release(&r.out);
}

static void empty_input_emits_nothing(void **state)
{
    (void)state;
    compare_over_settings(0, NULL, 0);
}

static void one_record(void **state)
{
    (void)state;
    compare_over_settings(1, NULL, 0);
}

static void first_error_in_input_order_wins(void **state)
{
    (void)state;
    static const unsigned fail_at[] = {3001, 1234, 4000};
    compare_over_settings(5000, fail_at, 3);
}

static void error_in_first_record(void **state)
{
    (void)state;
    static const unsigned fail_at[] = {0};
    compare_over_settings(50, fail_at, 1);
}

static void error_in_last_record(void **state)
{
    (void)state;
    static const unsigned fail_at[] = {49};
    compare_over_settings(50, fail_at, 1);
}

static void error_message_names_the_record(void **state)
{
    (void)state;
    static const unsigned fail_at[] = {1234};
    static result r;
    run_parallel(7, 10, MTP_PARALLEL_BLOCK_BYTES, 5000, fail_at, 1, &r);
    assert_status(r.status, MTP_ERR_INPUT, r.error);
    assert_string_equal(r.error, "doc176/3: asked to fail");
    test_collector_release(&r.out);
}

/* Counts added between records land where one chain would have them: the
 * reader's "dropped.field_count" before the stage's later names. */
static void added_counts_keep_input_order(void **state)
{
    (void)state;
    static result want, got;
    static mtp_counts delta;
    mtp_counts_init(&delta, "toy");
    mtp_counts_add(&delta, "in", 1);
    mtp_counts_drop(&delta, "field_count", 1);
    /* direct: one chain, the delta merged after record 0 and after record 40 */
    memset(&want, 0, sizeof want);
    maker m = {0, 0};
    mtp_stage *stages[2] = {NULL, NULL};
    mtp_error err = {{0}};
    assert_status(make_toy_chain(&m, stages, &err), MTP_OK, err.message);
    test_collector direct_out;
    const mtp_sink direct_sink = test_collector_sink(&direct_out);
    direct_link link = {stages[1], &direct_sink};
    const mtp_sink to_second = {direct_emit, &link};
    for (unsigned i = 0; i < 100; i++) {
        char doc[32], unit[32], text[64];
        mtp_record rec;
        make_record(i, NULL, 0, doc, unit, text, &rec);
        assert_status(mtp_stage_feed(stages[0], &rec, &to_second), MTP_OK, "direct");
        if (i == 0 || i == 40) {
            mtp_counts_merge(mtp_stage_counts_mut(stages[0]), &delta);
        }
    }
    assert_status(mtp_stage_finish(stages[0], &to_second), MTP_OK, "direct finish");
    want.counts[0] = *mtp_stage_counts(stages[0]);
    mtp_stage_free(stages[0]);
    mtp_stage_free(stages[1]);
    /* parallel, 3 threads, blocks of 4 */
    mtp_parallel_options o;
    mtp_parallel_options_default(&o);
    o.threads = 3;
    o.stage_count = 2;
    o.make_chain = make_toy_chain;
    o.make_ctx = &m;
    o.block_records = 4;
    mtp_parallel *p = NULL;
    o.sink = test_collector_sink(&got.out);
    assert_status(mtp_parallel_new(&o, &p, &err), MTP_OK, err.message);
    for (unsigned i = 0; i < 100; i++) {
        char doc[32], unit[32], text[64];
        mtp_record rec;
        make_record(i, NULL, 0, doc, unit, text, &rec);
        assert_status(mtp_parallel_feed(p, &rec), MTP_OK, mtp_parallel_error(p));
        if (i == 0 || i == 40) {
            assert_status(mtp_parallel_add_counts(p, &delta), MTP_OK, "add");
        }
    }
    assert_status(mtp_parallel_finish(p), MTP_OK, mtp_parallel_error(p));
    assert_string_equal(got.out.text, direct_out.text);
    assert_counts_identical(&want.counts[0], mtp_parallel_counts(p, 0));
    assert_string_equal(mtp_parallel_counts(p, 0)->names[2], "dropped.field_count");
    assert_true(mtp_counts_get(mtp_parallel_counts(p, 0), "in") == 102);
    mtp_parallel_free(p);
    test_collector_release(&got.out);
    test_collector_release(&direct_out);
}

/* Counts added after the last record, with nothing fed after them. */
static void added_counts_at_the_end(void **state)
{
    (void)state;
    maker m = {0, 0};
    mtp_parallel_options o;
    mtp_parallel_options_default(&o);
    o.threads = 2;
    o.stage_count = 2;
    o.make_chain = make_toy_chain;
    o.make_ctx = &m;
    mtp_parallel *p = NULL;
    mtp_error err = {{0}};
    static mtp_counts delta;
    mtp_counts_init(&delta, "toy");
    mtp_counts_add(&delta, "in", 2);
    mtp_counts_drop(&delta, "nul_byte", 2);
    test_collector out;
    o.sink = test_collector_sink(&out);
    assert_status(mtp_parallel_new(&o, &p, &err), MTP_OK, err.message);
    assert_status(mtp_parallel_add_counts(p, &delta), MTP_OK, "add");
    assert_status(mtp_parallel_finish(p), MTP_OK, mtp_parallel_error(p));
    assert_true(mtp_counts_get(mtp_parallel_counts(p, 0), "dropped.nul_byte") == 2);
    assert_true(mtp_counts_balanced(mtp_parallel_counts(p, 0)));
    assert_int_equal(out.records, 0);
    mtp_parallel_free(p);
    test_collector_release(&out);
}

/* SQLite's OOM loop over mtp_parallel_new (the only allocations made before
 * any thread starts; the fault hook is not thread-safe): every failure is
 * MTP_ERR_NOMEM, and ASan checks that nothing leaks. */
static void allocation_failures_in_new_are_nomem(void **state)
{
    (void)state;
    mtp_status st = MTP_ERR_NOMEM;
    long n = 0;
    for (; st != MTP_OK; n++) {
        maker m = {0, 0};
        mtp_parallel_options o;
        mtp_parallel_options_default(&o);
        o.threads = 3;
        o.stage_count = 2;
        o.make_chain = make_toy_chain;
        o.make_ctx = &m;
        mtp_parallel *p = NULL;
        mtp_error err = {{0}};
        mtp_alloc_fail_after(n);
        st = mtp_parallel_new(&o, &p, &err);
        mtp_alloc_fail_after(-1);
        if (st != MTP_OK) {
            assert_status(st, MTP_ERR_NOMEM, err.message);
            assert_null(p);
            continue;
        }
        assert_status(mtp_parallel_finish(p), MTP_OK, mtp_parallel_error(p));
        mtp_parallel_free(p);
    }
    assert_true(n > 5); /* the runner, its arrays and six stages */
}

/* A sink that fails at its Nth record. */
typedef struct failing_sink {
    unsigned left;
    unsigned got;
} failing_sink;

static mtp_status failing_emit(void *ctx, const mtp_record *rec)
{
    (void)rec;
    failing_sink *f = ctx;
    if (f->got++ == f->left) {
        return MTP_ERR_IO;
    }
    return MTP_OK;
}

static void sink_error_stops_the_run(void **state)
{
    (void)state;
    maker m = {0, 0};
    mtp_parallel_options o;
    mtp_parallel_options_default(&o);
    o.threads = 3;
    o.stage_count = 2;
    o.make_chain = make_toy_chain;
    o.make_ctx = &m;
    o.block_records = 5;
    mtp_parallel *p = NULL;
    mtp_error err = {{0}};
    failing_sink f = {17, 0};
    o.sink = (mtp_sink){failing_emit, &f};
    assert_status(mtp_parallel_new(&o, &p, &err), MTP_OK, err.message);
    mtp_status st = MTP_OK;
    for (unsigned i = 0; i < 1000 && st == MTP_OK; i++) {
        char doc[32], unit[32], text[64];
        mtp_record rec;
        make_record(i, NULL, 0, doc, unit, text, &rec);
        st = mtp_parallel_feed(p, &rec);
    }
    st = mtp_parallel_finish(p); /* after a failure too: it stops the threads */
    assert_status(st, MTP_ERR_IO, "");
    assert_int_equal(f.got, 18);
    assert_string_equal(mtp_parallel_error(p), "");
    mtp_parallel_free(p);
}

static void chain_that_cannot_be_made_fails_new(void **state)
{
    (void)state;
    maker m = {0, 3};
    mtp_parallel_options o;
    mtp_parallel_options_default(&o);
    o.threads = 4;
    o.stage_count = 2;
    o.make_chain = make_toy_chain;
    o.make_ctx = &m;
    mtp_parallel *p = NULL;
    mtp_error err = {{0}};
    assert_status(mtp_parallel_new(&o, &p, &err), MTP_ERR_USAGE, err.message);
    assert_null(p);
    assert_string_equal(err.message, "chain 3 refused");
}

static void bad_options_are_usage_errors(void **state)
{
    (void)state;
    maker m = {0, 0};
    mtp_parallel_options o;
    mtp_parallel_options_default(&o);
    o.stage_count = 2;
    o.make_chain = make_toy_chain;
    o.make_ctx = &m;
    mtp_parallel *p = NULL;
    mtp_error err = {{0}};
    o.threads = 0;
    assert_status(mtp_parallel_new(&o, &p, &err), MTP_ERR_USAGE, err.message);
    assert_string_equal(err.message, "parallel: threads must be 1..256, not 0");
    o.threads = 2;
    o.stage_count = 0;
    assert_status(mtp_parallel_new(&o, &p, &err), MTP_ERR_USAGE, err.message);
    o.stage_count = 2;
    o.block_records = 0;
    assert_status(mtp_parallel_new(&o, &p, &err), MTP_ERR_USAGE, err.message);
    assert_null(p);
    assert_int_equal(m.calls, 0);
}

static void free_without_finish_stops_workers(void **state)
{
    (void)state;
    maker m = {0, 0};
    mtp_parallel_options o;
    mtp_parallel_options_default(&o);
    o.threads = 5;
    o.stage_count = 2;
    o.make_chain = make_toy_chain;
    o.make_ctx = &m;
    o.block_records = 2;
    mtp_parallel *p = NULL;
    mtp_error err = {{0}};
    test_collector out;
    o.sink = test_collector_sink(&out);
    assert_status(mtp_parallel_new(&o, &p, &err), MTP_OK, err.message);
    for (unsigned i = 0; i < 300; i++) {
        char doc[32], unit[32], text[64];
        mtp_record rec;
        make_record(i, NULL, 0, doc, unit, text, &rec);
        assert_status(mtp_parallel_feed(p, &rec), MTP_OK, mtp_parallel_error(p));
    }
    mtp_parallel_free(p);
    test_collector_release(&out);
    mtp_parallel_free(NULL);
}

/* ---- the real per-record stages ---------------------------------------- */

static mtp_status make_real_chain(void *ctx, mtp_stage **stages, mtp_error *err)
{
    (void)ctx;
    mtp_normalize_options n;
    mtp_segment_options s;
    mtp_filter_options f;
    mtp_normalize_options_default(&n);
    mtp_segment_options_default(&s);
    mtp_filter_options_default(&f);
    mtp_status st = mtp_normalize_new(&n, &stages[0], err);
    if (st == MTP_OK) {
        st = mtp_segment_new(&s, &stages[1], err);
    }
    if (st == MTP_OK) {
        st = mtp_filter_new(&f, &stages[2], err);
    }
    return st;
}

static const char *const real_texts[] = {
    "Presiden\xc2\xa0Joko Widodo  meresmikan jalan tol baru. Dr. Budi hadir di Jl. Sudirman No. 5.",
    "\xe2\x80\x9cKami siap,\xe2\x80\x9d kata dia\xe2\x80\xa6 kepada wartawan di Jakarta hari ini.",
    "ok",
    "https://example.com",
    "Harga beras naik 1.000,50 rupiah per kilogram minggu ini. Pedagang mengeluh! Pembeli juga?",
    "\xef\xbb\xbfTeks dengan BOM dan\xe2\x80\x8b spasi lebar nol di tengah kalimat panjang."};

static void real_record(unsigned i, char *doc, char *unit, mtp_record *rec)
{
    snprintf(doc, 32, "berita/%u", i / 5);
    snprintf(unit, 32, "%u", i % 5 + 1);
    memset(rec, 0, sizeof *rec);
    rec->doc_id = mtp_str_from_cstr(doc);
    rec->unit = mtp_str_from_cstr(unit);
    rec->text = mtp_str_from_cstr(real_texts[i % 6]);
}

typedef struct real_link {
    mtp_stage **stages;
    unsigned next;
    const mtp_sink *sinks;
} real_link;

static mtp_status real_emit(void *ctx, const mtp_record *rec)
{
    const real_link *l = ctx;
    return mtp_stage_feed(l->stages[l->next], rec, &l->sinks[l->next + 1]);
}

static void real_direct(unsigned n, test_collector *out, mtp_counts *counts)
{
    mtp_stage *stages[3] = {NULL, NULL, NULL};
    mtp_error err = {{0}};
    assert_status(make_real_chain(NULL, stages, &err), MTP_OK, err.message);
    mtp_sink sinks[4];
    real_link links[3];
    for (unsigned i = 0; i < 3; i++) {
        links[i] = (real_link){stages, i, sinks};
        sinks[i] = (mtp_sink){real_emit, &links[i]};
    }
    sinks[3] = test_collector_sink(out);
    for (unsigned i = 0; i < n; i++) {
        char doc[32], unit[32];
        mtp_record rec;
        real_record(i, doc, unit, &rec);
        assert_status(mtp_stage_feed(stages[0], &rec, &sinks[1]), MTP_OK, "direct");
    }
    for (unsigned i = 0; i < 3; i++) {
        assert_status(mtp_stage_finish(stages[i], &sinks[i + 1]), MTP_OK, "direct finish");
    }
    for (unsigned i = 0; i < 3; i++) {
        counts[i] = *mtp_stage_counts(stages[i]);
        mtp_stage_free(stages[i]);
    }
}

static void real_parallel(unsigned threads, unsigned n, test_collector *out, mtp_counts *counts)
{
    mtp_parallel_options o;
    mtp_parallel_options_default(&o);
    o.threads = threads;
    o.stage_count = 3;
    o.make_chain = make_real_chain;
    o.block_records = 7;
    mtp_parallel *p = NULL;
    mtp_error err = {{0}};
    o.sink = test_collector_sink(out);
    assert_status(mtp_parallel_new(&o, &p, &err), MTP_OK, err.message);
    for (unsigned i = 0; i < n; i++) {
        char doc[32], unit[32];
        mtp_record rec;
        real_record(i, doc, unit, &rec);
        assert_status(mtp_parallel_feed(p, &rec), MTP_OK, mtp_parallel_error(p));
    }
    assert_status(mtp_parallel_finish(p), MTP_OK, mtp_parallel_error(p));
    for (unsigned i = 0; i < 3; i++) {
        counts[i] = *mtp_parallel_counts(p, i);
    }
    mtp_parallel_free(p);
}

static void normalize_segment_filter_match_one_chain(void **state)
{
    (void)state;
    static mtp_counts want[3], got[3];
    test_collector want_out, got_out;
    real_direct(600, &want_out, want);
    assert_true(mtp_counts_get(&want[1], "split") > 0);
    assert_true(mtp_counts_dropped(&want[2]) > 0);
    static const unsigned threads[] = {1, 2, 7};
    for (size_t t = 0; t < 3; t++) {
        real_parallel(threads[t], 600, &got_out, got);
        assert_string_equal(got_out.text, want_out.text);
        for (int i = 0; i < 3; i++) {
            assert_counts_identical(&want[i], &got[i]);
            assert_true(mtp_counts_balanced(&got[i]));
        }
        test_collector_release(&got_out);
    }
    test_collector_release(&want_out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(same_output_and_counts_for_1_2_7_threads),
        cmocka_unit_test(counts_balance_and_name_order),
        cmocka_unit_test(empty_input_emits_nothing),
        cmocka_unit_test(one_record),
        cmocka_unit_test(first_error_in_input_order_wins),
        cmocka_unit_test(error_in_first_record),
        cmocka_unit_test(error_in_last_record),
        cmocka_unit_test(error_message_names_the_record),
        cmocka_unit_test(added_counts_keep_input_order),
        cmocka_unit_test(added_counts_at_the_end),
        cmocka_unit_test(allocation_failures_in_new_are_nomem),
        cmocka_unit_test(sink_error_stops_the_run),
        cmocka_unit_test(chain_that_cannot_be_made_fails_new),
        cmocka_unit_test(bad_options_are_usage_errors),
        cmocka_unit_test(free_without_finish_stops_workers),
        cmocka_unit_test(normalize_segment_filter_match_one_chain),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
