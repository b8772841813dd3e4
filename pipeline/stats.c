/* stats: a tap stage that counts records and documents and measures every
 * text, then reports as aligned text or JSON.
 *
 * Algorithm: per record, the text (and a pair's target) is measured in one
 * pass of ICU's U8_NEXT (pipeline/keys.h: code points, White_Space-separated
 * words), and each measure goes into a running total/min/max and a fixed
 * histogram whose bucket k > 0 holds values in [2^(k-1), 2^k - 1]. Documents
 * are counted on each change of doc_id.
 *
 * Standard: Unicode White_Space (UAX #44) for words; JSON (RFC 8259) output
 * through jansson, keys in a fixed order so reports diff cleanly.
 *
 * Memory: fixed (a few KiB) plus a copy of the previous doc_id and about
 * 7 KiB per earlier stage's counts added to the report.
 */
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "keys.h"
#include "mtprep/alloc.h"
#include "mtprep/stats.h"
#include "stage_impl.h"

#define HIST_BUCKETS 34 /* 0, then one per power of two up to 2^32 and above */
#define BAR_WIDTH 40

typedef struct measure {
    uint64_t count; /* texts measured */
    uint64_t total;
    uint64_t min;
    uint64_t max;
    uint64_t hist[HIST_BUCKETS];
} measure;

typedef struct text_stats {
    measure chars; /* code points */
    measure bytes;
    measure words;
} text_stats;

typedef struct stats {
    uint64_t units;
    uint64_t pairs;
    uint64_t documents;
    uint64_t invalid_utf8; /* texts measured only up to a bad sequence */
    text_stats text;       /* unit texts and pair sources */
    text_stats tgt;        /* pair targets */
    mtp_buf prev_doc_id;
    int has_prev;
    mtp_counts *stages; /* earlier stages' counts, in the order added */
    size_t stage_count;
} stats;

/* ======================================================================== */
/* Counting                                                                 */
/* ======================================================================== */

static unsigned bucket_of(uint64_t v)
{
    unsigned k = 0;
    while (v > 0 && k < HIST_BUCKETS - 1) {
        v >>= 1;
        k++;
    }
    return k;
}

static void measure_add(measure *m, uint64_t v)
{
    if (m->count == 0 || v < m->min) {
        m->min = v;
    }
    if (v > m->max) {
        m->max = v;
    }
    m->count++;
    m->total += v;
    m->hist[bucket_of(v)]++;
}

static void text_add(stats *s, text_stats *t, mtp_str text)
{
    mtp_text_measure m;
    if (!mtp_text_measure_utf8(text, &m)) {
        s->invalid_utf8++;
    }
    measure_add(&t->chars, m.chars);
    measure_add(&t->bytes, text.len);
    measure_add(&t->words, m.words);
}

static mtp_status count_document(stats *s, mtp_str doc_id)
{
    if (s->has_prev && s->prev_doc_id.len == doc_id.len &&
        memcmp(s->prev_doc_id.data, doc_id.ptr, doc_id.len) == 0) {
        return MTP_OK;
    }
    s->documents++;
    s->has_prev = 1;
    mtp_buf_clear(&s->prev_doc_id);
    return mtp_buf_append(&s->prev_doc_id, doc_id.ptr, doc_id.len);
}

static mtp_status feed(mtp_stage *stage, const mtp_record *rec, const mtp_sink *out)
{
    stats *s = stage->self;
    if (count_document(s, rec->doc_id) != MTP_OK) {
        return mtp_error_set(&stage->error, MTP_ERR_NOMEM, "out of memory");
    }
    text_add(s, &s->text, rec->text);
    if (rec->kind == MTP_RECORD_PAIR) {
        s->pairs++;
        text_add(s, &s->tgt, rec->tgt);
    } else {
        s->units++;
    }
    return out->emit(out->ctx, rec);
}

static void destroy(void *self)
{
    stats *s = self;
    if (s == NULL) {
        return;
    }
    mtp_buf_release(&s->prev_doc_id);
    mtp_free(s->stages);
    mtp_free(s);
}

static const mtp_stage_ops ops = {"stats", feed, NULL, destroy};

mtp_status mtp_stats_new(mtp_stage **out, mtp_error *err)
{
    *out = NULL;
    stats *s = mtp_calloc(1, sizeof *s);
    if (s == NULL) {
        return mtp_error_set(err, MTP_ERR_NOMEM, "out of memory");
    }
    const mtp_status st = mtp_stage_create(&ops, s, out);
    if (st != MTP_OK) {
        return mtp_error_set(err, st, "out of memory");
    }
    return MTP_OK;
}

mtp_status mtp_stats_add_stage_counts(mtp_stage *stage, const mtp_counts *counts)
{
    if (stage->ops != &ops) {
        return MTP_ERR_USAGE;
    }
    stats *s = stage->self;
    if (s->stage_count == MTP_STATS_MAX_STAGES) {
        return MTP_ERR_LIMIT;
    }
    mtp_counts *grown = mtp_realloc(s->stages, (s->stage_count + 1) * sizeof *grown);
    if (grown == NULL) {
        return MTP_ERR_NOMEM;
    }
    s->stages = grown;
    s->stages[s->stage_count++] = *counts;
    return MTP_OK;
}

/* ======================================================================== */
/* Text report                                                              */
/* ======================================================================== */

static uint64_t bucket_low(unsigned k)
{
    return k == 0 ? 0 : (uint64_t)1 << (k - 1);
}

static uint64_t bucket_high(unsigned k)
{
    return k == 0 ? 0 : ((uint64_t)1 << k) - 1;
}

static double mean_of(const measure *m)
{
    return m->count == 0 ? 0.0 : (double)m->total / (double)m->count;
}

/* First and last non-empty buckets; returns 0 when all are empty. */
static int hist_range(const measure *m, unsigned *first, unsigned *last)
{
    int found = 0;
    for (unsigned k = 0; k < HIST_BUCKETS; k++) {
        if (m->hist[k] > 0) {
            *first = found ? *first : k;
            *last = k;
            found = 1;
        }
    }
    return found;
}

static void print_measure_row(FILE *out, const char *name, const measure *m)
{
    fprintf(out, "  %-6s %14" PRIu64 " %10" PRIu64 " %10.1f %10" PRIu64 "\n", name, m->total,
            m->min, mean_of(m), m->max);
}

static void print_histogram(FILE *out, const char *title, const measure *m)
{
    unsigned first = 0;
    unsigned last = 0;
    if (!hist_range(m, &first, &last)) {
        return;
    }
    uint64_t peak = 0;
    for (unsigned k = first; k <= last; k++) {
        peak = m->hist[k] > peak ? m->hist[k] : peak;
    }
    fprintf(out, "\n%s\n", title);
    for (unsigned k = first; k <= last; k++) {
        char range[48];
        if (k == HIST_BUCKETS - 1) {
            snprintf(range, sizeof range, "%" PRIu64 "+", bucket_low(k));
        } else if (bucket_low(k) == bucket_high(k)) {
            snprintf(range, sizeof range, "%" PRIu64, bucket_low(k));
        } else {
            snprintf(range, sizeof range, "%" PRIu64 "-%" PRIu64, bucket_low(k), bucket_high(k));
        }
        const int bar = (int)((m->hist[k] * BAR_WIDTH + peak - 1) / peak);
        fprintf(out, "  %13s %12" PRIu64 " %.*s\n", range, m->hist[k], bar,
                "########################################");
    }
}

static void print_text_stats(FILE *out, const char *label, const text_stats *t)
{
    fprintf(out, "\n%-8s %14s %10s %10s %10s\n", label, "total", "min", "mean", "max");
    print_measure_row(out, "chars", &t->chars);
    print_measure_row(out, "bytes", &t->bytes);
    print_measure_row(out, "words", &t->words);
    char title[64];
    snprintf(title, sizeof title, "%s: characters per text", label);
    print_histogram(out, title, &t->chars);
    snprintf(title, sizeof title, "%s: words per text", label);
    print_histogram(out, title, &t->words);
}

static int is_drop(const char *name)
{
    return strncmp(name, "dropped.", 8) == 0;
}

/* One line per stage: in, out, split, dropped, then each reason. */
static void print_stages(FILE *out, const stats *s)
{
    fprintf(out, "\n%-12s %12s %12s %12s %12s  %s\n", "stage", "in", "out", "split", "dropped",
            "reasons");
    for (size_t i = 0; i < s->stage_count; i++) {
        const mtp_counts *c = &s->stages[i];
        fprintf(out, "%-12s %12" PRIu64 " %12" PRIu64 " %12" PRIu64 " %12" PRIu64, c->stage,
                mtp_counts_get(c, "in"), mtp_counts_get(c, "out"), mtp_counts_get(c, "split"),
                mtp_counts_dropped(c));
        const char *sep = "  ";
        for (unsigned k = 0; k < c->n; k++) {
            if (is_drop(c->names[k]) && c->values[k] > 0) {
                fprintf(out, "%s%s %" PRIu64, sep, c->names[k] + 8, c->values[k]);
                sep = ", ";
            }
        }
        fputc('\n', out);
    }
}

static void report_text(const stats *s, FILE *out)
{
    fprintf(out, "records    %12" PRIu64 "  (units %" PRIu64 ", pairs %" PRIu64 ")\n",
            s->units + s->pairs, s->units, s->pairs);
    fprintf(out, "documents  %12" PRIu64 "\n", s->documents);
    if (s->invalid_utf8 > 0) {
        fprintf(out, "invalid UTF-8 texts %" PRIu64 " (measured up to the first bad byte)\n",
                s->invalid_utf8);
    }
    if (s->units + s->pairs > 0) {
        print_text_stats(out, s->pairs > 0 ? "src" : "text", &s->text);
    }
    if (s->pairs > 0) {
        print_text_stats(out, "tgt", &s->tgt);
    }
    if (s->stage_count > 0) {
        print_stages(out, s);
    }
}

/* ======================================================================== */
/* JSON report                                                              */
/* ======================================================================== */

static json_t *histogram_json(const measure *m)
{
    json_t *arr = json_array();
    unsigned first = 0;
    unsigned last = 0;
    if (arr == NULL || !hist_range(m, &first, &last)) {
        return arr;
    }
    for (unsigned k = first; k <= last; k++) {
        json_t *bucket = json_pack("{s:I,s:I,s:I}", "min", (json_int_t)bucket_low(k), "max",
                                   (json_int_t)bucket_high(k), "count", (json_int_t)m->hist[k]);
        if (bucket == NULL || json_array_append_new(arr, bucket) != 0) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

static json_t *measure_json(const measure *m, int with_histogram)
{
    json_t *obj = json_pack("{s:I,s:I,s:f,s:I}", "total", (json_int_t)m->total, "min",
                            (json_int_t)m->min, "mean", mean_of(m), "max", (json_int_t)m->max);
    if (obj == NULL || !with_histogram) {
        return obj;
    }
    json_t *hist = histogram_json(m);
    if (hist == NULL || json_object_set_new(obj, "histogram", hist) != 0) {
        json_decref(obj);
        return NULL;
    }
    return obj;
}

static json_t *text_stats_json(const text_stats *t)
{
    return json_pack("{s:o,s:o,s:o}", "chars", measure_json(&t->chars, 1), "bytes",
                     measure_json(&t->bytes, 0), "words", measure_json(&t->words, 1));
}

/* [{"stage": NAME, "counts": {NAME: VALUE, ...}}, ...] in the order added. */
static json_t *stages_json(const stats *s)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr != NULL && i < s->stage_count; i++) {
        const mtp_counts *c = &s->stages[i];
        json_t *values = json_object();
        for (unsigned k = 0; values != NULL && k < c->n; k++) {
            if (json_object_set_new(values, c->names[k], json_integer((json_int_t)c->values[k]))) {
                json_decref(values);
                values = NULL;
            }
        }
        json_t *entry = json_pack("{s:s,s:o}", "stage", c->stage, "counts", values);
        if (entry == NULL || json_array_append_new(arr, entry) != 0) {
            json_decref(arr);
            arr = NULL;
        }
    }
    return arr;
}

static json_t *report_json(const stats *s)
{
    json_t *root = json_pack(
        "{s:I,s:I,s:I,s:I,s:I,s:o}", "records", (json_int_t)(s->units + s->pairs), "units",
        (json_int_t)s->units, "pairs", (json_int_t)s->pairs, "documents", (json_int_t)s->documents,
        "invalid_utf8", (json_int_t)s->invalid_utf8, "text", text_stats_json(&s->text));
    if (root != NULL && s->pairs > 0 &&
        json_object_set_new(root, "tgt", text_stats_json(&s->tgt)) != 0) {
        json_decref(root);
        return NULL;
    }
    if (root != NULL && s->stage_count > 0 &&
        json_object_set_new(root, "stages", stages_json(s)) != 0) {
        json_decref(root);
        return NULL;
    }
    return root;
}

mtp_status mtp_stats_report(const mtp_stage *stage, int json, FILE *out)
{
    if (stage->ops != &ops) {
        return MTP_ERR_USAGE;
    }
    const stats *s = stage->self;
    if (!json) {
        report_text(s, out);
        return ferror(out) ? MTP_ERR_IO : MTP_OK;
    }
    json_t *root = report_json(s);
    if (root == NULL) {
        return MTP_ERR_NOMEM;
    }
    const int rc = json_dumpf(root, out, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
    json_decref(root);
    if (rc != 0 || fputc('\n', out) == EOF || ferror(out)) {
        return MTP_ERR_IO;
    }
    return MTP_OK;
}
