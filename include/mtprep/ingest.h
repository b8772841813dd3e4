/* ingest: raw articles in, paragraph records out.
 *
 * Inputs are .txt files, directories of them (walked recursively in
 * byte-sorted order, hidden entries skipped; only names ending in .txt or
 * .jsonl, optionally followed by .zst or .gz, are read) and JSONL files
 * (objects with a string "id", a string "text" and an optional string
 * "title"); any of them zstd- or gzip-compressed (detected by magic bytes).
 * "-" is stdin. A name ending in .jsonl (before .zst/.gz) is JSONL, one
 * ending in .txt is text; any other input is JSONL when its first non-blank
 * line starts with '{'. A UTF-8 BOM at the start of an input is removed.
 *
 * doc_id: the JSONL "id"; for a text file found under a directory argument,
 * its path relative to that directory without extensions (.zst, .gz, then
 * one more such as .txt); for a file argument, its base name without them;
 * for text on stdin, "stdin". An empty doc_id, or one holding TAB, CR, LF or
 * invalid UTF-8, is bad input ("bad_doc_id").
 *
 * Paragraphs, in .txt files: lines end with LF, CRLF or a lone CR. A blank
 * line (nothing but whitespace: ASCII blanks and controls, NBSP, U+2000-U+200B,
 * U+202F, U+205F, U+3000, U+FEFF) ends a paragraph; consecutive non-blank
 * lines form one paragraph, joined with single spaces. The first paragraph
 * is the title when it is a single line not ending with a full stop (a
 * one-line lead sentence is body text, so its dateline is cut). Titles take
 * no dateline rule; other rules apply to them. In JSONL, "text" is split the same
 * way and a non-blank "title" (its line breaks made spaces) comes first.
 * Every TAB and other C0 control becomes a space, each paragraph is trimmed;
 * nothing else is collapsed (normalize does that).
 *
 * Records: doc_id TAB unit TAB text, units numbered 1, 2, ... over the
 * paragraphs kept (the title, when kept, is unit 1).
 *
 * Boilerplate removal runs over every line of every paragraph with rules
 * loaded from a data file (default: the built-in corpora/boilerplate.id.tsv,
 * whose header documents the rule language). A paragraph whose lines all go
 * counts "dropped.RULE" (RULE: the first rule that removed one of its lines);
 * text cut from a kept paragraph counts "stripped.RULE", once per paragraph
 * and rule. With keep_boilerplate nothing is removed and each would-be
 * removal counts "matched.RULE".
 *
 * Bad input, under the --on-error policy (skip drops the whole document and
 * counts one "in" and one "dropped.REASON"; fail stops naming FILE:LINE):
 * invalid_utf8, nul_byte, line_too_long (an input line longer than
 * max_line_bytes), document_too_long (a .txt document longer than
 * max_line_bytes), malformed_json (not JSON, not an object, "id" or "text"
 * missing or not a string), bad_doc_id. Whole inputs: a corrupt or truncated
 * .zst/.gz stream is "corrupt_input" and an input that cannot be opened or
 * read is "unreadable": skip counts them and goes on with the next file
 * (records already emitted stay); fail stops with the reader's message.
 *
 * Memory: O(max_line_bytes) for the document being assembled, plus the reader
 * (O(max_line_bytes + codec window)) and one directory listing per level of
 * the walk. Steady state allocates only inside jansson, once per JSONL line.
 */
#ifndef MTPREP_INGEST_H
#define MTPREP_INGEST_H

#include <stddef.h>
#include <stdint.h>

#include "mtprep/counts.h"
#include "mtprep/policy.h"
#include "mtprep/stage.h"
#include "mtprep/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Called after each input file and every few thousand lines: files finished
 * so far and raw (compressed) bytes read so far. */
typedef void (*mtp_ingest_progress_fn)(void *ctx, uint64_t files, uint64_t raw_bytes);

typedef struct mtp_ingest_options {
    const char *rules_path; /* boilerplate rules TSV; NULL: the built-in rules */
    int no_rules;           /* nonzero: no boilerplate removal at all */
    int keep_boilerplate;   /* nonzero: count matches (matched.RULE) but remove nothing */
    size_t max_line_bytes;  /* per input line and per document */
    mtp_on_error on_error;
    mtp_ingest_progress_fn progress; /* NULL: none */
    void *progress_ctx;
} mtp_ingest_options;

/* Built-in rules, removal on, MTP_DEFAULT_MAX_LINE_BYTES, skip, no progress. */
void mtp_ingest_options_default(mtp_ingest_options *opts);

typedef struct mtp_ingest mtp_ingest;

/* Creates an ingester; loads and checks the rules file. Returns MTP_OK,
 * MTP_ERR_NOMEM, MTP_ERR_IO (rules file unreadable) or MTP_ERR_INPUT (a
 * malformed rule), the message naming file and line in *err; *out is NULL on
 * failure. Free with mtp_ingest_free. */
mtp_status mtp_ingest_new(const mtp_ingest_options *opts, mtp_ingest **out, mtp_error *err);

/* Ingests one path argument (file, directory or "-"), emitting paragraph
 * records to sink in order. Returns MTP_OK (bad input skipped and counted),
 * the sink's status when it refused a record (no message set here), or an
 * error with its message in mtp_ingest_error: MTP_ERR_INPUT under fail,
 * MTP_ERR_CODEC / MTP_ERR_IO for an unreadable input under fail, MTP_ERR_NOMEM. */
mtp_status mtp_ingest_path(mtp_ingest *ing, const char *path, const mtp_sink *sink);

/* One planned piece of an input file (sharded runs, `mtprep plan`): a
 * whole file, or a run of whole lines of an uncompressed JSONL file. */
typedef struct mtp_ingest_piece {
    const char *path;    /* the file as a walk names it: ROOT/REL under a directory ROOT */
    const char *root;    /* the directory argument it was found under (doc_ids are
                            relative to it), or NULL for a file argument */
    uint64_t offset;     /* first byte, a line start */
    uint64_t length;     /* bytes */
    uint64_t first_line; /* 1-based number of the line at offset, so FILE:LINE
                            messages are those of mtp_ingest_path */
    int first_piece;     /* nonzero for the piece at offset 0: only it counts "files"
                            (and only its BOM is dropped) */
} mtp_ingest_piece;

/* Ingests one piece as mtp_ingest_path would ingest those bytes of the file
 * within a walk: the records, counts and messages of all the pieces of a
 * file, ingested in order, are those of the whole file. Returns as
 * mtp_ingest_path; MTP_ERR_USAGE when path is "-" or does not start with
 * root and '/'. */
mtp_status mtp_ingest_range(mtp_ingest *ing, const mtp_ingest_piece *piece, const mtp_sink *sink);

/* Counters: "in" (paragraphs found plus documents and inputs rejected), "out",
 * "dropped.*", then informative "stripped.*", "matched.*", "documents",
 * "files", "files_ignored" (names a directory walk does not read). */
const mtp_counts *mtp_ingest_counts(const mtp_ingest *ing);
/* The first error's message; "" when none. */
const char *mtp_ingest_error(const mtp_ingest *ing);

/* Frees the ingester; NULL does nothing. */
void mtp_ingest_free(mtp_ingest *ing);

#ifdef __cplusplus
}
#endif
#endif
