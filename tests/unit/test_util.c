/* Helpers shared by the unit tests. */
#define _XOPEN_SOURCE 700 /* nftw */
#include "test_util.h"

#include <ftw.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void assert_status_impl(mtp_status got, mtp_status want, const char *detail, const char *file,
                        int line)
{
    if (got != want) {
        print_error("%s:%d: status %s, expected %s%s%s\n", file, line, mtp_status_str(got),
                    mtp_status_str(want), detail && detail[0] ? ": " : "", detail ? detail : "");
        _fail(file, line);
    }
}

static mtp_status collect(void *ctx, const mtp_record *rec)
{
    test_collector *c = ctx;
    const size_t need = mtp_record_formatted_len(rec);
    if (c->len + need + 1 > c->capacity) {
        size_t capacity = c->capacity ? c->capacity * 2 : 1024;
        while (capacity < c->len + need + 1) {
            capacity *= 2;
        }
        char *grown = realloc(c->text, capacity);
        if (grown == NULL) {
            return MTP_ERR_NOMEM;
        }
        c->text = grown;
        c->capacity = capacity;
    }
    c->len += mtp_record_format(rec, c->text + c->len);
    c->text[c->len] = '\0';
    c->records++;
    return MTP_OK;
}

mtp_sink test_collector_sink(test_collector *c)
{
    memset(c, 0, sizeof *c);
    c->text = calloc(1, 1);
    c->capacity = 1;
    mtp_sink sink = {collect, c};
    return sink;
}

void test_collector_release(test_collector *c)
{
    free(c->text);
    memset(c, 0, sizeof *c);
}

mtp_status test_run_stage(mtp_stage *stage, const char *lines, test_collector *out)
{
    const mtp_sink sink = test_collector_sink(out);
    const char *p = lines;
    while (*p != '\0') {
        const char *lf = strchr(p, '\n');
        const size_t len = lf ? (size_t)(lf - p) : strlen(p);
        mtp_record rec;
        const mtp_record_defect defect = mtp_record_parse(p, len, &rec);
        if (defect != MTP_DEFECT_NONE) {
            print_error("test_run_stage: bad fixture line (%s): %.*s\n",
                        mtp_record_defect_name(defect), (int)len, p);
            return MTP_ERR_INPUT;
        }
        const mtp_status st = mtp_stage_feed(stage, &rec, &sink);
        if (st != MTP_OK) {
            return st;
        }
        p += len + (lf ? 1 : 0);
    }
    return mtp_stage_finish(stage, &sink);
}

/* Temporary directories made by a test program, removed when it exits. */
#define MAX_TEMP_DIRS 4096
static char *temp_dirs[MAX_TEMP_DIRS];
static int temp_dir_count;

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

static void remove_temp_dirs(void)
{
    for (int i = 0; i < temp_dir_count; i++) {
        nftw(temp_dirs[i], remove_entry, 16, FTW_DEPTH | FTW_PHYS);
        free(temp_dirs[i]);
    }
    temp_dir_count = 0;
}

const char *test_temp_dir(void)
{
    static char dir[256];
    snprintf(dir, sizeof dir, "/tmp/mtprep-test-XXXXXX");
    if (mkdtemp(dir) == NULL) {
        return NULL;
    }
    if (temp_dir_count == 0) {
        atexit(remove_temp_dirs);
    }
    if (temp_dir_count < MAX_TEMP_DIRS) {
        temp_dirs[temp_dir_count++] = strdup(dir);
    }
    return dir;
}

const char *test_write_file(const char *name, const void *data, size_t len)
{
    static char path[512];
    const char *dir = test_temp_dir();
    snprintf(path, sizeof path, "%s/%s", dir ? dir : "/tmp", name);
    FILE *f = fopen(path, "wb");
    if (f == NULL) {
        return NULL;
    }
    fwrite(data, 1, len, f);
    fclose(f);
    return path;
}

int test_path_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}
