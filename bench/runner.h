/* runner.h -- runs one cell of a suite and returns its result record (DESIGN 5).
 *
 * The step clock measures only optimizer steps (and the oracle calls they
 * make); trace points, target checks and divergence checks are evaluated with
 * the clock paused, outside the oracle's counters. A diverging optimizer, an
 * impossible placement or an incompatible pairing is a result (status
 * diverged / skipped / error with a reason), never a crash.
 */
#ifndef OB_RUNNER_H
#define OB_RUNNER_H

#include <jansson.h>
#include <signal.h>

#include "bench/suite.h"

/* Returned by ob_runner_cell when *stop became non-zero during the run:
 * the partial run is discarded and no record is produced. */
#define OB_RUN_INTERRUPTED 3

/* Status names of the results file. */
#define OB_STATUS_TARGET_REACHED "target_reached"
#define OB_STATUS_MAX_STEPS "max_steps"
#define OB_STATUS_MAX_SECONDS "max_seconds"
#define OB_STATUS_DIVERGED "diverged"
#define OB_STATUS_STALLED "stalled"
#define OB_STATUS_SKIPPED "skipped"
#define OB_STATUS_ERROR "error"

/* Runs s->cells[cell]. On OB_OK *record holds the run record (a new
 * reference), whatever the run's status. `stop` is polled between steps. */
int ob_runner_cell(const ob_suite *s, size_t cell, const volatile sig_atomic_t *stop, json_t **record);

#endif
