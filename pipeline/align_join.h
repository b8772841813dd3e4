/* Private: what the document join (align_join.c) needs from the aligner
 * (align.c) besides the public API. */
#ifndef MTPREP_ALIGN_JOIN_H
#define MTPREP_ALIGN_JOIN_H

#include "mtprep/align.h"

/* The options the aligner was created with (copied at creation). */
const mtp_align_options *mtp_aligner_options(const mtp_aligner *a);

/* The aligner's error slot, for the join's messages. */
mtp_error *mtp_aligner_error_slot(mtp_aligner *a);

#endif
