/* suite.h -- suite files: parse, check, normalize and expand to cells (DESIGN 4.1).
 *
 * A suite names problems, optimizers, placements, seeds and thread counts; any
 * parameter given as an array is a grid axis (except vector-valued parameters
 * such as x0). Loading checks everything that can be checked without running:
 * keys, types, ranges, registry names, and a trial configuration of every
 * expanded problem and optimizer, so `optbench validate` catches what `run`
 * would hit later. The result is a flat, ordered list of cells, each with a
 * stable id "<problem>/<optimizer>/<placement>/t<threads>/s<seed>".
 *
 * Ownership: ob_suite_load returns a suite the caller frees with ob_suite_free.
 */
#ifndef OB_SUITE_H
#define OB_SUITE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bench/ob_error.h"
#include "memtier/memtier.h"
#include "optimizers/optimizer.h"
#include "problems/problem.h"

#define OB_SUITE_SCHEMA_VERSION 1
#define OB_ID_MAX 256
#define OB_SUITE_MAX_CELLS 1000000   /* a grid typo must not eat the machine's memory */

typedef struct ob_suite_problem {
  char id[OB_ID_MAX];
  const ob_problem_type *type;
  json_t *params;            /* normalized: every parameter, x0 included */
  char path[64];             /* "problems[2]" for messages */
  size_t n;                  /* dimension (known after the trial configuration) */
} ob_suite_problem;

typedef struct ob_suite_optimizer {
  char id[OB_ID_MAX];
  const ob_optimizer_type *type;
  json_t *params;            /* normalized */
  char path[64];
} ob_suite_optimizer;

typedef struct ob_cell {
  char id[4 * OB_ID_MAX];
  size_t problem, optimizer, placement;   /* indexes into the suite's lists */
  int threads;
  uint64_t seed;
} ob_cell;

typedef struct ob_suite {
  char *path;                /* as given */
  char *dir;                 /* its directory, for relative paths */
  char name[128];
  char *description;
  json_t *normalized;        /* the normalized suite written into results */
  uint64_t *seeds; size_t nseeds;
  int *threads; size_t nthreads;
  long long max_steps;       /* 0 = no step budget */
  double max_seconds;        /* 0 = no time budget */
  double *targets; size_t ntargets;   /* f_gap targets, decreasing */
  bool stop_at_target;       /* stop a run once every target is reached */
  int trace_points;
  bool record_x;
  ob_suite_problem *problems; size_t nproblems;
  ob_suite_optimizer *optimizers; size_t noptimizers;
  ob_placement **placements; size_t nplacements;
  ob_cell *cells; size_t ncells;
} ob_suite;

/* Loads and checks a suite file. Errors carry the file and, for JSON syntax,
 * line and column, else the JSON path of the offending value. */
int ob_suite_load(const char *path, ob_suite **out, ob_error *err);
/* The same from an in-memory document; `path` is used for messages and to
 * resolve relative paths (may be NULL: the current directory). */
int ob_suite_from_json(const json_t *root, const char *path, ob_suite **out, ob_error *err);
/* Replaces the suite's thread counts by one value (`run --threads N`),
 * rebuilding cells and the normalized suite. */
int ob_suite_override_threads(ob_suite *s, int threads, ob_error *err);
/* Parses `run --seeds LIST`: comma-separated seeds and inclusive ranges
 * ("0-39", "1,5,7-9"), each in [0, 2^53], none twice, at most 10^6. *out is
 * malloc'd. */
int ob_suite_parse_seeds(const char *text, uint64_t **out, size_t *n, ob_error *err);
/* Replaces the suite's seeds (`run --seeds LIST`), rebuilding cells and the
 * normalized suite, so results and journals record the seeds that ran. */
int ob_suite_override_seeds(ob_suite *s, const uint64_t *seeds, size_t n, ob_error *err);
void ob_suite_free(ob_suite *s);

#endif
