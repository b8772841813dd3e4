/* ingest: raw articles in, paragraph records out.
 *
 * Inputs are .txt files, directories of them (walked in byte-sorted order,
 * hidden entries skipped) and JSONL files (objects with "id", "text" and an
 * optional "title"); any of them zstd- or gzip-compressed (detected by magic
 * bytes). A path ending in .jsonl/.jsonl.zst/.jsonl.gz, or any input whose
 * first non-blank byte is '{', is read as JSONL.
 *
 * doc_id: JSONL "id"; for a file found under a directory argument, its path
 * relative to that directory without extensions (.txt, .zst, .gz); for a
 * file argument, its base name without extensions.
 *
 * Paragraphs are separated by blank lines (in .txt, also by lines holding
 * only spaces); inside a paragraph, line breaks become single spaces; CR, TAB
 * and other C0 controls become spaces so that records are always clean. The
 * title (first paragraph of a .txt file when it is a single line followed
 * by a blank line; JSONL "title") is unit 1.
 *
 * Boilerplate removal runs over each paragraph with rules loaded from a data
 * file (corpora/boilerplate.id.tsv); each removal counts "dropped.RULE" for a
 * removed paragraph, or "stripped.RULE" for a prefix/suffix cut from a kept one.
 */
#ifndef MTPREP_INGEST_H
#define MTPREP_INGEST_H

#include <stddef.h>

#include "mtprep/counts.h"
#include "mtprep/policy.h"
#include "mtprep/stage.h"
#include "mtprep/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mtp_ingest_options {
    const char *rules_path;   /* boilerplate rules TSV; NULL: no removal */
    size_t max_line_bytes;    /* per input line (JSONL: per object) */
    mtp_on_error on_error;
    int keep_boilerplate;     /* nonzero: count matches but remove nothing */
} mtp_ingest_options;

void mtp_ingest_options_default(mtp_ingest_options *opts);

typedef struct mtp_ingest mtp_ingest;

/* Creates an ingester; loads and checks the rules file. Errors (unreadable or
 * malformed rules, naming file and line) come back in *err. */
mtp_status mtp_ingest_new(const mtp_ingest_options *opts, mtp_ingest **out, mtp_error *err);

/* Ingests one path argument (file, directory or "-"), emitting paragraph
 * records to sink in order. */
mtp_status mtp_ingest_path(mtp_ingest *ing, const char *path, const mtp_sink *sink);

/* Counters: "in" (paragraphs found plus inputs rejected), "out", "dropped.*",
 * "stripped.*", "documents", "files". */
const mtp_counts *mtp_ingest_counts(const mtp_ingest *ing);
const char *mtp_ingest_error(const mtp_ingest *ing);

void mtp_ingest_free(mtp_ingest *ing);

#ifdef __cplusplus
}
#endif
#endif
