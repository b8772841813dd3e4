/* Data files: the embedded defaults from corpora/, or a file the user names. */
#include "data.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "mtprep/alloc.h"

struct mtp_embedded_file {
    const char *name;
    const char *bytes;
    size_t size;
};
extern const struct mtp_embedded_file mtp_embedded_files[];

int mtp_data_embedded(const char *name, mtp_str *out)
{
    for (const struct mtp_embedded_file *f = mtp_embedded_files; f->name != NULL; f++) {
        if (strcmp(f->name, name) == 0) {
            out->ptr = f->bytes;
            out->len = f->size;
            return 1;
        }
    }
    return 0;
}

const char *mtp_data_embedded_name(size_t index)
{
    for (size_t i = 0; mtp_embedded_files[i].name != NULL; i++) {
        if (i == index) {
            return mtp_embedded_files[i].name;
        }
    }
    return NULL;
}

#define DATA_FILE_MAX_BYTES (64u << 20) /* rule lists are small; refuse anything huge */

static mtp_status read_whole_file(const char *path, mtp_data_file *out, mtp_error *err)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return mtp_error_set(err, MTP_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    }
    mtp_status st = MTP_OK;
    char *data = mtp_malloc(DATA_FILE_MAX_BYTES + 1);
    size_t len = 0;
    if (data == NULL) {
        st = MTP_ERR_NOMEM;
        goto done;
    }
    len = fread(data, 1, DATA_FILE_MAX_BYTES + 1, f);
    if (ferror(f)) {
        st = mtp_error_set(err, MTP_ERR_IO, "%s: read error: %s", path, strerror(errno));
    } else if (len > DATA_FILE_MAX_BYTES) {
        st = mtp_error_set(err, MTP_ERR_LIMIT, "%s: data file larger than 64 MiB", path);
    }
done:
    fclose(f);
    if (st != MTP_OK) {
        mtp_free(data);
        return st;
    }
    char *shrunk = mtp_realloc(data, len + 1);
    data = shrunk != NULL ? shrunk : data;
    data[len] = '\0';
    out->owned = data;
    out->bytes.ptr = data;
    out->bytes.len = len;
    return MTP_OK;
}

mtp_status mtp_data_file_load(const char *path, const char *builtin_name, mtp_data_file *out,
                              mtp_error *err)
{
    memset(out, 0, sizeof *out);
    if (path != NULL) {
        snprintf(out->origin, sizeof out->origin, "%s", path);
        return read_whole_file(path, out, err);
    }
    snprintf(out->origin, sizeof out->origin, "builtin:%s", builtin_name);
    if (!mtp_data_embedded(builtin_name, &out->bytes)) {
        return mtp_error_set(err, MTP_ERR_USAGE, "no built-in data file named %s", builtin_name);
    }
    return MTP_OK;
}

void mtp_data_file_release(mtp_data_file *f)
{
    mtp_free(f->owned);
    memset(f, 0, sizeof *f);
}
