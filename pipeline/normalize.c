/* normalize: the stage that runs the per-field text normalizer
 * (normalize_text.c, whose top comment gives the algorithm: UAX #15 NFC/NFKC,
 * cleaning, mojibake repair, punctuation profile punct-1) over the text
 * fields of unit and pair records. Text that is not UTF-8 is bad input under
 * the --on-error policy; a field that becomes empty drops the record.
 *
 * Memory: that of one text normalizer plus two output buffers, O(longest field).
 */
#include "mtprep/normalize.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "mtprep/alloc.h"
#include "normalize_text.h"
#include "stage_impl.h"

#define WHERE_FIELD_MAX 120 /* bytes of doc_id and unit quoted in a message */

/* ---- the stage ---------------------------------------------------------- */

typedef struct normalize_stage {
    mtp_textnorm *tn;
    mtp_on_error on_error;
    const char *unicode_count; /* "changed.nfc" or "changed.nfkc" */
    mtp_buf text;              /* the normalized text (or source side) */
    mtp_buf tgt;               /* the normalized target side of a pair */
} normalize_stage;

static void normalize_destroy(void *self)
{
    normalize_stage *ns = self;
    if (ns == NULL) {
        return;
    }
    mtp_textnorm_free(ns->tn);
    mtp_buf_release(&ns->text);
    mtp_buf_release(&ns->tgt);
    mtp_free(ns);
}

static int field_len(size_t len)
{
    return len > WHERE_FIELD_MAX ? WHERE_FIELD_MAX : (int)len;
}

/* Applies the policy to a field that is not UTF-8: MTP_OK (counted) under
 * skip, MTP_ERR_INPUT naming doc_id, unit and field under fail. */
static mtp_status reject_field(mtp_stage *stage, const mtp_record *rec, const char *field)
{
    const normalize_stage *ns = stage->self;
    char where[2 * WHERE_FIELD_MAX + 16];
    snprintf(where, sizeof where, "%.*s unit %.*s", field_len(rec->doc_id.len), rec->doc_id.ptr,
             field_len(rec->unit.len), rec->unit.ptr);
    char hint[32];
    snprintf(hint, sizeof hint, "in field %s", field);
    return mtp_policy_bad_input(ns->on_error, &stage->counts, &stage->error, where, "invalid_utf8",
                                hint);
}

/* Normalizes one field of rec. *keep becomes 0 when the record was dropped
 * as bad input (counted by the policy). */
static mtp_status normalize_field(mtp_stage *stage, const mtp_record *rec, const char *field,
                                  mtp_str in, mtp_buf *dst, mtp_str *out, unsigned *changed,
                                  int *keep)
{
    normalize_stage *ns = stage->self;
    unsigned bits = 0;
    const mtp_status st = mtp_textnorm_field(ns->tn, in, dst, out, &bits, &stage->error);
    *changed |= bits;
    if (st == MTP_ERR_INPUT) {
        *keep = 0;
        return reject_field(stage, rec, field);
    }
    return st;
}

static void count_changes(mtp_stage *stage, unsigned changed)
{
    const normalize_stage *ns = stage->self;
    static const struct {
        unsigned bit;
        const char *name;
    } names[] = {{MTP_TEXTNORM_MOJIBAKE, "changed.mojibake"},
                 {MTP_TEXTNORM_CONTROL, "changed.control"},
                 {MTP_TEXTNORM_WHITESPACE, "changed.whitespace"},
                 {MTP_TEXTNORM_UNICODE, NULL},
                 {MTP_TEXTNORM_PUNCT, "changed.punct"}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (changed & names[i].bit) {
            const char *name = names[i].name != NULL ? names[i].name : ns->unicode_count;
            mtp_counts_add(&stage->counts, name, 1);
        }
    }
}

static mtp_status normalize_feed(mtp_stage *stage, const mtp_record *rec, const mtp_sink *out)
{
    normalize_stage *ns = stage->self;
    const int pair = rec->kind == MTP_RECORD_PAIR;
    mtp_record result = *rec;
    unsigned text_changed = 0;
    unsigned tgt_changed = 0;
    int keep = 1;
    mtp_status st = normalize_field(stage, rec, pair ? "src" : "text", rec->text, &ns->text,
                                    &result.text, &text_changed, &keep);
    if (st == MTP_OK && keep && pair) {
        st = normalize_field(stage, rec, "tgt", rec->tgt, &ns->tgt, &result.tgt, &tgt_changed,
                             &keep);
    }
    if (st != MTP_OK || !keep) {
        return st;
    }
    if (result.text.len == 0 || (pair && result.tgt.len == 0)) {
        mtp_counts_drop(&stage->counts, "empty", 1);
        return MTP_OK;
    }
    count_changes(stage, text_changed);
    count_changes(stage, tgt_changed);
    return out->emit(out->ctx, &result);
}

static const mtp_stage_ops ops = {"normalize", normalize_feed, NULL, normalize_destroy};

void mtp_normalize_options_default(mtp_normalize_options *opts)
{
    opts->form = MTP_NORM_NFC;
    opts->punctuation = 1;
    opts->repair_mojibake = 1;
    opts->on_error = MTP_ON_ERROR_SKIP;
}

mtp_status mtp_normalize_new(const mtp_normalize_options *opts, mtp_stage **out, mtp_error *err)
{
    *out = NULL;
    normalize_stage *ns = mtp_calloc(1, sizeof *ns);
    if (ns == NULL) {
        return mtp_error_set(err, MTP_ERR_NOMEM, "out of memory");
    }
    ns->on_error = opts->on_error;
    ns->unicode_count = opts->form == MTP_NORM_NFKC ? "changed.nfkc" : "changed.nfc";
    const mtp_status st = mtp_textnorm_new(opts, &ns->tn, err);
    if (st != MTP_OK) {
        normalize_destroy(ns);
        return st;
    }
    if (mtp_stage_create(&ops, ns, out) != MTP_OK) {
        return mtp_error_set(err, MTP_ERR_NOMEM, "out of memory");
    }
    return MTP_OK;
}
