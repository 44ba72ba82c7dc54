/* journal.h -- the per-run journal that makes interrupted suites resumable.
 *
 * Beside RESULTS.json, RESULTS.json.journal holds one header line and then one
 * JSON object per finished run, each flushed as soon as the run ends, so an
 * interrupted suite (Ctrl-C, SIGTERM, a crash) loses no finished run. The
 * header records a digest of the normalized suite: `run --resume` refuses a
 * journal written for a different suite. A torn last line (the process died
 * mid-write) is ignored on resume.
 */
#ifndef OB_JOURNAL_H
#define OB_JOURNAL_H

#include <jansson.h>

#include "bench/ob_error.h"
#include "bench/suite.h"

typedef struct ob_journal ob_journal;

/* Opens the journal for `results_path`. Without `resume` a fresh journal is
 * created, and an existing one is an error (it holds an interrupted run's
 * work). With `resume` the existing journal is read: its finished runs are
 * returned in *done (an object id -> run record, a new reference) and new
 * runs are appended to it. */
int ob_journal_open(const char *results_path, const ob_suite *s, int resume,
                    json_t **done, ob_journal **out, ob_error *err);
/* Appends one run record and flushes it. */
int ob_journal_append(ob_journal *j, const json_t *run, ob_error *err);
/* Closes the journal; removes the file when `remove_file`. */
void ob_journal_close(ob_journal *j, int remove_file);
/* The journal's path for a results path. */
void ob_journal_path(const char *results_path, char *buf, size_t size);

#endif
