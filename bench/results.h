/* results.h -- the results document (DESIGN 4.2) and its atomic writer.
 *
 * A results document is {schema_version, tool, context, suite, runs}. It is
 * written once, atomically, when a suite finishes; while it runs, finished
 * runs live in the journal (journal.h).
 */
#ifndef OB_RESULTS_H
#define OB_RESULTS_H

#include <jansson.h>

#include "bench/ob_error.h"
#include "bench/suite.h"

#define OB_RESULTS_SCHEMA_VERSION 1

/* A new document with an empty "runs" array. */
json_t *ob_results_new(const ob_suite *s, const char *command);
/* Appends a run record (steals the reference). */
int ob_results_add_run(json_t *doc, json_t *run);
/* Writes the document atomically (temporary file, fsync, rename). */
int ob_results_write(const char *path, const json_t *doc, ob_error *err);
/* Loads a results file and checks its schema_version. */
int ob_results_load(const char *path, json_t **out, ob_error *err);

#endif
