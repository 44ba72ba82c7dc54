/* compare.h -- comparing two results files (`optbench compare`).
 *
 * Runs are paired by id; runs found in only one file are listed, not judged.
 * Paired runs are grouped by cell without the seed (problem / optimizer /
 * placement / threads: the run id minus its trailing "/s<seed>"), and every
 * group gets convergence checks (success rate, steps and evaluations to each
 * target, final gap: deterministic, so compared exactly unless a tolerance is
 * given) and performance checks (median step time and achieved bandwidth
 * across seeds: a Mann-Whitney U test AND a relative threshold, both required;
 * fewer than OB_COMPARE_MIN_SAMPLES samples per side is reported as "weak" and
 * never as a regression). docs/compare.md describes every check.
 *
 * The comparison is a JSON document (what `--json` prints); the Markdown table
 * is rendered from that document, so both outputs always agree. Nothing here
 * prints to stdout/stderr or exits: errors fill ob_error.
 */
#ifndef OB_COMPARE_H
#define OB_COMPARE_H

#include <jansson.h>
#include <stdio.h>

#include "bench/ob_error.h"

#define OB_COMPARE_SCHEMA_VERSION 1
/* Fewer samples than this on either side: the U test cannot be trusted
 * (two-sided exact p >= 0.1 for 3 vs 3), so no time/bandwidth verdict. */
#define OB_COMPARE_MIN_SAMPLES 4

/* Kinds of check; --fail-on selects which of them make the exit code 1. */
enum {
  OB_COMPARE_CONVERGENCE = 1u,
  OB_COMPARE_TIME = 2u,
  OB_COMPARE_BANDWIDTH = 4u,
  OB_COMPARE_ALL = 7u
};

typedef struct ob_compare_opts {
  double threshold;   /* relative change that counts for time and bandwidth (0.10) */
  double alpha;       /* significance level of the U test (0.05) */
  double gap_tol;     /* relative tolerance on the final gap (0: exact) */
  double steps_tol;   /* relative tolerance on steps/evals to a target (0: exact) */
  double success_tol; /* allowed drop of the success rate, absolute (0: none) */
  unsigned fail_on;   /* OB_COMPARE_* bits (default: all) */
} ob_compare_opts;

/* Fills the defaults above. */
void ob_compare_opts_default(ob_compare_opts *o);

/* Parses "convergence,time,bandwidth" (any non-empty subset, or "all" /
 * "none") into OB_COMPARE_* bits. OB_EINVAL names the unknown word. */
int ob_compare_parse_fail_on(const char *s, unsigned *out, ob_error *err);

/* Checks that `doc` is a results document this version can compare:
 * schema_version 1, a "runs" array of objects with unique string ids.
 * OB_EDATA with the JSON path otherwise (source set to `name`). */
int ob_compare_check_doc(const json_t *doc, const char *name, ob_error *err);

/* Compares two checked documents; *out receives the comparison (a new
 * reference). `base_name` and `cur_name` are only recorded. */
int ob_compare_docs(const json_t *base, const char *base_name, const json_t *cur, const char *cur_name,
                    const ob_compare_opts *o, json_t **out, ob_error *err);

/* Loads both files (missing: OB_ENOINPUT; unreadable: OB_EIO; malformed or
 * incompatible: OB_EDATA naming the file) and compares them. */
int ob_compare_files(const char *base_path, const char *cur_path, const ob_compare_opts *o, json_t **out,
                     ob_error *err);

/* Number of regressions in a comparison whose kind is in fail_on (the exit
 * code is 1 when this is positive). */
size_t ob_compare_failing(const json_t *cmp);

/* Writes the comparison as Markdown: a header, the table of checks (old,
 * new, change, p-value, verdict, note), the geometric-mean summary rows and
 * a verdict line. With `all` == 0 only checks that are not "same" are rows.
 * Returns 0, or -1 when writing failed. */
int ob_compare_write_md(FILE *f, const json_t *cmp, int all);

#endif
