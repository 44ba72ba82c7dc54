/* report.h -- the runs that `optbench report` reads: several results files, one set of runs.
 *
 * ob_report_load reads one or more results files (schema_version 1, checked by
 * ob_results_load), checks that every run record has the fields the report
 * needs (id, problem.id, optimizer.id, placement.name, threads, seed, status)
 * and joins their runs keyed by id. Unlike `optbench merge`, the files may come
 * from different suites, machines or versions: a report is allowed to put a
 * baseline next to a new run. A run id found in two files is kept once when
 * both records agree except for timings (ob_run_strip_timings) and is an error
 * naming both files otherwise. Unknown fields are ignored (DESIGN 4.2).
 *
 * The report owns every JSON value it holds; nothing here prints or exits.
 */
#ifndef OB_REPORT_H
#define OB_REPORT_H

#include <jansson.h>
#include <stddef.h>

#include "bench/ob_error.h"

typedef struct ob_report_run {
  const json_t *rec;       /* the run record (owned by ob_report.runs) */
  const char *id, *problem, *optimizer, *placement, *status;
  long threads, seed;
  size_t file;             /* index of the file it came from */
} ob_report_run;

typedef struct ob_report {
  json_t *runs;            /* the joined run records, in input order */
  ob_report_run *run;      /* one view per record, same order */
  size_t nruns;
  char **files;            /* the paths, as given */
  size_t nfiles;
  size_t nduplicates;      /* runs present in more than one file (and equal) */
} ob_report;

/* Loads and joins `n` results files into `r` (which the call initialises).
 * Errors: OB_ENOINPUT (a missing file), OB_EDATA (malformed JSON, a schema
 * version other than 1, a run without a needed field, a conflicting
 * duplicate), OB_EIO, OB_ENOMEM; the error names the file and the JSON path.
 * On error `r` holds nothing to free. */
int ob_report_load(ob_report *r, const char *const *paths, size_t n, ob_error *err);
void ob_report_free(ob_report *r);

#endif
