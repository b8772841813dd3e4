/* mtprep: the umbrella header. Includes every public header.
 *
 * Ownership rule for the whole API: arguments are borrowed unless a
 * function's comment says it takes ownership; objects made by *_new or
 * *_open are freed by the matching *_free or *_close, which accept NULL. */
#ifndef MTPREP_MTPREP_H
#define MTPREP_MTPREP_H

#include "mtprep/align.h"
#include "mtprep/alloc.h"
#include "mtprep/corpus.h"
#include "mtprep/counts.h"
#include "mtprep/dedup.h"
#include "mtprep/dedup_docs.h"
#include "mtprep/filter.h"
#include "mtprep/ingest.h"
#include "mtprep/normalize.h"
#include "mtprep/parallel.h"
#include "mtprep/policy.h"
#include "mtprep/reader.h"
#include "mtprep/recipe.h"
#include "mtprep/record.h"
#include "mtprep/segment.h"
#include "mtprep/stage.h"
#include "mtprep/stats.h"
#include "mtprep/status.h"
#include "mtprep/version.h"
#include "mtprep/writer.h"

#endif
