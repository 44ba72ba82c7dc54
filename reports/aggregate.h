/* aggregate.h -- from joined runs to the tables, profiles and curves of a report.
 *
 * ob_agg_build turns an ob_report into format-neutral tables (ob_table: text
 * cells with "best" and "significantly worse" flags) and the numbers behind
 * the plots; the renderers (render_*.c, plot.c) only lay them out. What each
 * table and statistic means is documented in docs/report.md; in short:
 *
 *  - Reference configuration of a problem: its runs at placement "local" (else
 *    the first placement seen) and the smallest thread count. Placement and
 *    threads never change iterates (DESIGN 5), so convergence statistics use
 *    these runs only; the samples are the seeds.
 *  - Runtime to a target in steps, evaluations or seconds; a run that never
 *    reached the target counts as +infinity (so a median is infinite when more
 *    than half the seeds failed). Median and IQR (quartiles by linear
 *    interpolation, Hyndman-Fan type 7).
 *  - Best per column: lowest finite median (highest success rate); a cell is
 *    marked significantly worse than the best when the two-sided Mann-Whitney
 *    U test (reports/stats.h) gives p < alpha / m, alpha = 0.05, m = number of
 *    optimizers compared against the best in that column (Bonferroni, COCO).
 *  - Performance profile (Dolan & More 2002): t[p][s] = median steps to the
 *    problem's smallest target, r = t / min_s t, rho_s(tau) = share of problems
 *    with r <= tau; area = integral of rho_s over [1, r_max] / (r_max - 1),
 *    r_max = 4 (AlgoPerf), in [0, 1].
 *  - ECDF (COCO): for each optimizer, over all (problem, target, seed) triples
 *    of the reference configurations, the share whose evaluations / dimension
 *    to the target is <= x; failures stay in the denominator.
 *  - Sequence problems (runs whose final has a "sequence" object, written by
 *    sor_sequence): per policy (optimizer id) the median over seeds of the
 *    total iterations over the instances and of its ratios to the hindsight
 *    best fixed omega, to Young's instance-optimal omega and to the best grid
 *    point per instance (each seed's own comparators); the comparators as rows
 *    of their own; cumulative-cost curves (median over seeds of the cumulative
 *    iterations after each instance). The results hold only the comparators'
 *    totals, so their curves are the constant-rate line to the exact total,
 *    unless the sequence object has per-instance "best_fixed_iterations" /
 *    "instance_optimal_iterations" arrays.
 *  - Bilevel problems (runs whose evals has a "bilevel" object): per problem and
 *    optimizer the median [IQR] over seeds of final.grad_norm (the true
 *    hypergradient norm, best and U-test marks per problem), the median final
 *    gap and the median oracle counts (evals.total, upper_grad, lower_grad,
 *    hyy, hxy, cons); curves of the median trace grad_norm against oracle
 *    calls (trace.evals), each seed held at its last point at or before the
 *    grid's call count, as the convergence curves are against steps.
 * Library code: fills ob_error, never prints.
 */
#ifndef OB_AGGREGATE_H
#define OB_AGGREGATE_H

#include <jansson.h>
#include <stddef.h>

#include "bench/ob_error.h"
#include "reports/report.h"

#define OB_AGG_ALPHA 0.05
#define OB_AGG_RMAX 4.0

enum { OB_CELL_BEST = 1u, OB_CELL_WORSE = 2u, OB_CELL_TEXT = 4u /* left-aligned label */ };

typedef struct ob_cell {
  char text[64];
  unsigned flags;
} ob_cell;

typedef struct ob_table {
  char title[192];
  char note[512];          /* one paragraph under the table ("" for none) */
  size_t ncols, nrows;
  char (*head)[48];        /* ncols column titles */
  ob_cell *cell;           /* nrows x ncols, row-major */
} ob_table;

/* A median curve with its IQR band on a common step grid. */
typedef struct ob_curve {
  const char *optimizer;
  size_t n;
  double *step, *q1, *med, *q3;   /* f_gap (hypergradient curves: grad_norm); +inf where a seed diverged */
} ob_curve;

/* Cumulative-cost curves of one sequence problem: lines 0..nline-1 are the
 * policies (optimizer index in opt[]), then the best-fixed and the
 * instance-optimal comparators (opt_index (size_t)-1, label set). */
typedef struct ob_seq_curve {
  size_t problem;                  /* index into prob */
  size_t n;                        /* instances: y[l * n + t] after instance t + 1 */
  size_t nline;
  size_t *opt_index;               /* nline: optimizer index, or (size_t)-1 for a comparator */
  const char **label;              /* nline */
  int exact_comparators;           /* 0: comparator lines are constant-rate lines to their totals */
  double *y;                       /* nline x n, median over seeds */
} ob_seq_curve;

typedef struct ob_agg {
  size_t nprob, nopt;
  const char **prob, **opt;        /* ids, first-seen order (borrowed from the report) */
  const char **ref_placement;      /* per problem */
  long *ref_threads;               /* per problem */
  size_t *dim;                     /* per problem */
  ob_table *table;                 /* nprob convergence tables, then summary, ECDF, placement, sequence, bilevel */
  size_t ntables;
  size_t placement_table;          /* index into table, or (size_t)-1 when there is none */
  /* performance profile */
  double rmax;
  double *ratio;                   /* nprob x nopt, +inf when unsolved or absent */
  double *area;                    /* nopt */
  /* ECDF: per optimizer, sorted finite runtimes (evals / dim), out of ecdf_total[s] triples */
  double **ecdf_x;
  size_t *ecdf_n, *ecdf_total;
  /* convergence curves: nprob x nopt (n == 0 when the optimizer did not run the problem) */
  ob_curve *curve;
  /* placement bars: per (problem, optimizer) row of the placement table, median step time */
  size_t nbars;
  char (*bar_label)[160];
  double *bar_value;
  /* sequence problems: one table (index seq_table, (size_t)-1 when none) and nseq curve sets */
  size_t seq_table;
  size_t nseq;
  ob_seq_curve *seq;
  /* bilevel problems (reference runs with evals.bilevel): one table (index hg_table, (size_t)-1
   * when none) and, per bilevel problem k (problem index hg_problem[k]), the curves
   * hg[k * nopt + s]: step[] holds oracle calls (trace.evals), q1/med/q3 the trace's grad_norm
   * (the true hypergradient norm) over seeds, +inf where it was not finite */
  size_t hg_table;
  size_t nhg;
  size_t *hg_problem;
  ob_curve *hg;
} ob_agg;

/* Builds every table and curve. `bandwidth` is a parsed bandwidth file
 * ({"kernels": {"triad": {"<placement>/t<threads>": GBps}}}) or NULL. */
int ob_agg_build(const ob_report *r, const json_t *bandwidth, ob_agg *a, ob_error *err);
void ob_agg_free(ob_agg *a);

/* Checks a parsed bandwidth file's shape; the error names the JSON path. */
int ob_agg_check_bandwidth(const json_t *bw, ob_error *err);

/* Performance-profile area of one optimizer from its ratios r[0..np-1]
 * (+inf for unsolved): (1/np) * sum over r <= rmax of (rmax - r)/(rmax - 1). */
double ob_agg_profile_area(const double *r, size_t np, double rmax);
/* rho(tau): share of the ratios <= tau. */
double ob_agg_profile_rho(const double *r, size_t np, double tau);
/* ECDF value at x: (number of finite sorted[i] <= x) / total. */
double ob_agg_ecdf_at(const double *sorted, size_t n, size_t total, double x);
/* Quantile that tolerates +inf (type 7; +inf when an interpolated neighbour is
 * infinite); sorts a. NaN when n == 0. */
double ob_agg_quantile(double *a, size_t n, double q);

#endif
