/* merge.h -- joining results files of one suite (`optbench merge`).
 *
 * Shards (`run --shard I/N`), MPI runs and partial runs of one suite are joined
 * into one results document whose runs are in the suite's cell order. Inputs
 * must be results files (schema_version 1) of the same normalized suite
 * (compared by ob_json_digest) written by the same optbench version. A run
 * present in two inputs is kept once when the two records agree except for
 * timings (ob_run_strip_timings) and is an error otherwise. Cells no input
 * holds are reported, not invented.
 *
 * The merged document's context is the first input's, with two additions:
 *   context.parts: [{"file", "runs", "shard" (the input's "shard" or null),
 *                    "context" (the input's own context)}, ...] in input order
 *   context.merge: {"command", "date", "missing": number of cells no input held}
 */
#ifndef OB_MERGE_H
#define OB_MERGE_H

#include <jansson.h>
#include <stddef.h>

#include "bench/ob_error.h"

typedef struct ob_merge_report {
  size_t ncells;       /* cells of the suite */
  size_t nruns;        /* runs in the merged document */
  size_t nduplicates;  /* runs present in more than one input (and equal) */
  json_t *missing;     /* ids of the cells no input held, in cell order (owned) */
} ob_merge_report;

/* A copy of a run record without the fields that depend on the clock:
 * time, placement.observed, memory.bandwidth_gbs, trace.seconds and every
 * targets[].seconds. Two runs of one cell on any machine agree on the rest. */
json_t *ob_run_strip_timings(const json_t *run);

/* The id of every cell of a normalized suite (a results file's "suite"), in
 * the order `run` runs them: problems x optimizers x placements x threads x
 * seeds, the last varying fastest. */
int ob_merge_cell_ids(const json_t *normalized, json_t **ids, ob_error *err);

/* Loads and merges `n` results files. `command` goes to context.merge.
 * Errors name the offending file (and the earlier file it conflicts with). */
int ob_merge_files(const char *const *paths, size_t n, const char *command, json_t **out,
                   ob_merge_report *rep, ob_error *err);
void ob_merge_report_free(ob_merge_report *rep);

#endif
