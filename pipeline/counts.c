/* Named counters kept in insertion order, with a one-line summary and a
 * JSON form that later stages (write, build) fold into the manifest. */
#include "mtprep/counts.h"
#include "mtprep/writer.h"

#include <assert.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#define DROPPED_PREFIX "dropped."

void mtp_counts_init(mtp_counts *c, const char *stage)
{
    memset(c, 0, sizeof *c);
    snprintf(c->stage, sizeof c->stage, "%s", stage);
}

static int find_name(const mtp_counts *c, const char *name)
{
    for (unsigned i = 0; i < c->n; i++) {
        if (strcmp(c->names[i], name) == 0) {
            return (int)i;
        }
    }
    return -1;
}

void mtp_counts_add(mtp_counts *c, const char *name, uint64_t delta)
{
    int i = find_name(c, name);
    if (i < 0) {
        assert(c->n < MTP_COUNTS_MAX);
        if (c->n >= MTP_COUNTS_MAX) {
            return;
        }
        i = (int)c->n++;
        snprintf(c->names[i], MTP_COUNT_NAME_MAX, "%s", name);
        c->values[i] = 0;
    }
    c->values[i] += delta;
}

void mtp_counts_drop(mtp_counts *c, const char *reason, uint64_t delta)
{
    /* Runs once per dropped record: build the name without snprintf. */
    char name[MTP_COUNT_NAME_MAX];
    const size_t prefix = sizeof DROPPED_PREFIX - 1;
    size_t len = strlen(reason);
    if (len > sizeof name - prefix - 1) {
        len = sizeof name - prefix - 1;
    }
    memcpy(name, DROPPED_PREFIX, prefix);
    memcpy(name + prefix, reason, len);
    name[prefix + len] = '\0';
    mtp_counts_add(c, name, delta);
}

uint64_t mtp_counts_get(const mtp_counts *c, const char *name)
{
    const int i = find_name(c, name);
    return i < 0 ? 0 : c->values[i];
}

static int is_dropped(const char *name)
{
    return strncmp(name, DROPPED_PREFIX, strlen(DROPPED_PREFIX)) == 0;
}

uint64_t mtp_counts_dropped(const mtp_counts *c)
{
    uint64_t sum = 0;
    for (unsigned i = 0; i < c->n; i++) {
        if (is_dropped(c->names[i])) {
            sum += c->values[i];
        }
    }
    return sum;
}

void mtp_counts_merge(mtp_counts *dst, const mtp_counts *src)
{
    for (unsigned i = 0; i < src->n; i++) {
        mtp_counts_add(dst, src->names[i], src->values[i]);
    }
}

int mtp_counts_balanced(const mtp_counts *c)
{
    const uint64_t in = mtp_counts_get(c, "in") + mtp_counts_get(c, "split");
    const uint64_t out = mtp_counts_get(c, "out") + mtp_counts_dropped(c);
    return in == out;
}

void mtp_counts_print_summary(const mtp_counts *c, FILE *out)
{
    fprintf(out, "mtprep %s: in %" PRIu64 ", out %" PRIu64, c->stage, mtp_counts_get(c, "in"),
            mtp_counts_get(c, "out"));
    const uint64_t split = mtp_counts_get(c, "split");
    if (split > 0) {
        fprintf(out, ", split %" PRIu64, split);
    }
    fprintf(out, ", dropped %" PRIu64, mtp_counts_dropped(c));
    const char *sep = " (";
    for (unsigned i = 0; i < c->n; i++) {
        if (is_dropped(c->names[i]) && c->values[i] > 0) {
            fprintf(out, "%s%s %" PRIu64, sep, c->names[i] + strlen(DROPPED_PREFIX), c->values[i]);
            sep = ", ";
        }
    }
    fputs(sep[0] == ',' ? ")\n" : "\n", out);
}

static json_t *counts_to_json(const mtp_counts *c)
{
    json_t *root = json_object();
    json_t *values = json_object();
    if (root == NULL || values == NULL) {
        json_decref(root);
        json_decref(values);
        return NULL;
    }
    for (unsigned i = 0; i < c->n; i++) {
        json_object_set_new(values, c->names[i], json_integer((json_int_t)c->values[i]));
    }
    json_object_set_new(root, "stage", json_string(c->stage));
    json_object_set_new(root, "counts", values);
    return root;
}

mtp_status mtp_counts_save_json(const mtp_counts *c, const char *path)
{
    char tmp[4096];
    if (mtp_temp_name(path, tmp, sizeof tmp) != 0) {
        return MTP_ERR_IO;
    }
    json_t *root = counts_to_json(c);
    if (root == NULL) {
        return MTP_ERR_NOMEM;
    }
    const int rc = json_dump_file(root, tmp, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(root);
    if (rc != 0) {
        remove(tmp);
        return MTP_ERR_IO;
    }
    if (rename(tmp, path) != 0) {
        remove(tmp);
        return MTP_ERR_IO;
    }
    return MTP_OK;
}

static mtp_status counts_from_json(mtp_counts *c, json_t *root)
{
    json_t *stage = json_object_get(root, "stage");
    json_t *values = json_object_get(root, "counts");
    if (!json_is_string(stage) || !json_is_object(values)) {
        return MTP_ERR_INPUT;
    }
    mtp_counts_init(c, json_string_value(stage));
    const char *name = NULL;
    json_t *value = NULL;
    json_object_foreach(values, name, value) {
        if (!json_is_integer(value) || json_integer_value(value) < 0) {
            return MTP_ERR_INPUT;
        }
        mtp_counts_add(c, name, (uint64_t)json_integer_value(value));
    }
    return MTP_OK;
}

mtp_status mtp_counts_load_json(mtp_counts *c, const char *path)
{
    json_error_t error;
    json_t *root = json_load_file(path, 0, &error);
    if (root == NULL) {
        FILE *probe = fopen(path, "rb");
        if (probe == NULL) {
            return MTP_ERR_IO;
        }
        fclose(probe);
        return MTP_ERR_INPUT;
    }
    const mtp_status st = counts_from_json(c, root);
    json_decref(root);
    return st;
}
