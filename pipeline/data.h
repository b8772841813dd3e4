/* Private: data files of corpora/ compiled into the library (see
 * tools/embed_data.cmake), and loading a data file that may be either a
 * path given by the user or an embedded default. */
#ifndef MTPREP_DATA_H
#define MTPREP_DATA_H

#include "mtprep/policy.h"
#include "mtprep/record.h"

/* The embedded file named `name` ("boilerplate.id.tsv"); 0 when unknown. The
 * bytes are static and NUL-terminated one past len. */
int mtp_data_embedded(const char *name, mtp_str *out);

/* The name of embedded file `index` (in build order), or NULL past the last. */
const char *mtp_data_embedded_name(size_t index);

/* A loaded data file: bytes owned (when read from a path) or static. */
typedef struct mtp_data_file {
    mtp_str bytes;
    char *owned;        /* mtp_free'd by mtp_data_file_release; NULL when embedded */
    char origin[256];   /* the path, or "builtin:NAME" */
} mtp_data_file;

/* Loads `path` when not NULL, else the embedded `builtin_name`. Errors
 * (MTP_ERR_IO, MTP_ERR_NOMEM, MTP_ERR_USAGE for an unknown builtin) name the file in *err. */
mtp_status mtp_data_file_load(const char *path, const char *builtin_name, mtp_data_file *out,
                              mtp_error *err);
void mtp_data_file_release(mtp_data_file *f);

#endif
