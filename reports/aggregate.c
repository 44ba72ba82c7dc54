/* aggregate.c -- statistics and tables of a report (see aggregate.h and docs/report.md).
 *
 * References: Dolan & More, "Benchmarking optimization software with
 * performance profiles", Math. Program. 91 (2002) -- rho_s(tau) and the ratio
 * to the best solver per problem; AlgoPerf (Dahl et al. 2023, "Benchmarking
 * Neural Network Training Algorithms", section 4.5) -- the normalized area
 * under rho on [1, r_max = 4]; COCO (Hansen et al. 2021, "COCO: a platform for
 * comparing continuous optimizers in a black-box setting") -- runtime ECDFs
 * over (problem, target) pairs with evaluations divided by the dimension,
 * and rank-sum tests with Bonferroni correction in tables.
 *
 * Deviations: COCO's tables use the average runtime aRT with simulated
 * restarts; we report the median and IQR over seeds with failures counted as
 * +infinity (no restarts: every seed is one run). Performance profiles use the
 * median steps to each problem's smallest target.
 */
#include "config.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "reports/aggregate.h"
#include "reports/stats.h"

#define MAX_TARGETS 16
#define ECDF_COLS 8

/* ---- small helpers --------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

double ob_agg_quantile(double *a, size_t n, double q)
{
  if (n == 0) return NAN;
  qsort(a, n, sizeof *a, cmp_double);
  if (isfinite(a[n - 1])) return ob_stats_quantile(a, n, q);
  double h = (double)(n - 1) * q;
  size_t lo = (size_t)floor(h);
  double d = h - (double)lo;
  if (lo >= n - 1 || d == 0) return a[lo];
  if (!isfinite(a[lo]) || !isfinite(a[lo + 1])) return INFINITY;
  return a[lo] + d * (a[lo + 1] - a[lo]);
}

double ob_agg_profile_rho(const double *r, size_t np, double tau)
{
  size_t k = 0;
  for (size_t i = 0; i < np; i++)
    if (r[i] <= tau) k++;
  return np ? (double)k / (double)np : NAN;
}

double ob_agg_profile_area(const double *r, size_t np, double rmax)
{
  /* rho is a step function: problem i contributes 1/np on [r_i, rmax]. */
  double s = 0;
  for (size_t i = 0; i < np; i++)
    if (r[i] <= rmax) s += (rmax - (r[i] < 1 ? 1 : r[i])) / (rmax - 1);
  return np ? s / (double)np : NAN;
}

double ob_agg_ecdf_at(const double *sorted, size_t n, size_t total, double x)
{
  size_t k = 0;
  while (k < n && sorted[k] <= x) k++;
  return total ? (double)k / (double)total : NAN;
}

static size_t find_str(const char **list, size_t n, const char *s)
{
  for (size_t i = 0; i < n; i++)
    if (strcmp(list[i], s) == 0) return i;
  return (size_t)-1;
}

/* A number at obj.key, NAN when absent or null. */
static double num(const json_t *obj, const char *key)
{
  const json_t *v = json_object_get(obj, key);
  return json_is_number(v) ? json_number_value(v) : NAN;
}

static int same_target(double a, double b)
{
  return fabs(a - b) <= 1e-12 * fmax(fabs(a), fabs(b));
}

/* The run's record for target f_gap == t, or NULL. */
static const json_t *target_of(const json_t *rec, double t)
{
  size_t i;
  json_t *v;
  json_array_foreach(json_object_get(rec, "targets"), i, v)
    if (same_target(num(v, "f_gap"), t)) return v;
  return NULL;
}

/* Steps, evals or seconds to target t; +inf when not reached. */
static double to_target(const json_t *rec, double t, const char *what)
{
  double v = num(target_of(rec, t), what);
  return isnan(v) ? INFINITY : v;
}

static void fmt_num(char *buf, size_t size, double v)
{
  if (isnan(v)) snprintf(buf, size, "n/a");
  else if (isinf(v)) snprintf(buf, size, "-");
  else snprintf(buf, size, "%.3g", v);
}

static int table_init(ob_table *t, size_t ncols, size_t nrows)
{
  t->ncols = ncols;
  t->nrows = nrows;
  t->head = calloc(ncols, sizeof *t->head);
  t->cell = calloc(ncols * (nrows ? nrows : 1), sizeof *t->cell);
  return t->head && t->cell ? OB_OK : OB_ENOMEM;
}

static ob_cell *cell(ob_table *t, size_t row, size_t col) { return &t->cell[row * t->ncols + col]; }

/* ---- per-problem convergence tables ----------------------------------------- */

typedef struct sample {
  double *v;
  size_t n;
} sample;

/* Fills column `col` from one sample per row: the median (and the IQR when
 * `iqr`), bold for the best median, the mark for significantly worse rows. */
static void fill_column(ob_table *t, size_t col, sample *s, int iqr, int higher_better)
{
  double med[256];
  size_t nrows = t->nrows < 256 ? t->nrows : 256, best = (size_t)-1, m = 0;
  for (size_t i = 0; i < nrows; i++) {
    med[i] = NAN;
    if (!s[i].n) continue;
    double *tmp = malloc(s[i].n * sizeof *tmp);
    if (!tmp) continue;
    memcpy(tmp, s[i].v, s[i].n * sizeof *tmp);
    med[i] = ob_agg_quantile(tmp, s[i].n, 0.5);
    ob_cell *c = cell(t, i, col);
    if (iqr && isfinite(med[i])) {
      double q1 = ob_agg_quantile(tmp, s[i].n, 0.25), q3 = ob_agg_quantile(tmp, s[i].n, 0.75);
      char a[24], b[24], c2[24];
      fmt_num(a, sizeof a, med[i]);
      fmt_num(b, sizeof b, q1);
      fmt_num(c2, sizeof c2, q3);
      snprintf(c->text, sizeof c->text, "%s [%s, %s]", a, b, c2);
    } else {
      fmt_num(c->text, sizeof c->text, med[i]);
    }
    free(tmp);
    if (isnan(med[i])) continue;
    m++;
    if (isfinite(med[i]) && (best == (size_t)-1 || (higher_better ? med[i] > med[best] : med[i] < med[best])))
      best = i;
  }
  if (best == (size_t)-1) return;
  for (size_t i = 0; i < nrows; i++) {
    if (isnan(med[i])) continue;
    if (med[i] == med[best]) {
      if (!higher_better || med[best] > 0) cell(t, i, col)->flags |= OB_CELL_BEST;   /* no bold for 0 successes */
      continue;
    }
    if (m < 2) continue;
    /* the U test ranks values: +inf (a failure) becomes the largest double */
    double *a = malloc(s[i].n * sizeof *a), *b = malloc(s[best].n * sizeof *b), p = NAN;
    if (a && b) {
      for (size_t k = 0; k < s[i].n; k++) a[k] = isinf(s[i].v[k]) ? DBL_MAX : s[i].v[k];
      for (size_t k = 0; k < s[best].n; k++) b[k] = isinf(s[best].v[k]) ? DBL_MAX : s[best].v[k];
      if (ob_stats_mannwhitney(a, s[i].n, b, s[best].n, NULL, &p) != 0) p = NAN;
    }
    free(a);
    free(b);
    if (p < OB_AGG_ALPHA / (double)(m - 1)) cell(t, i, col)->flags |= OB_CELL_WORSE;
  }
}

/* Runs of problem p at its reference configuration, optimizer o. */
static int is_ref(const ob_agg *a, const ob_report_run *x, size_t p)
{
  return strcmp(x->problem, a->prob[p]) == 0 && strcmp(x->placement, a->ref_placement[p]) == 0 &&
         x->threads == a->ref_threads[p];
}

static int problem_targets(const ob_report *r, const ob_agg *a, size_t p, double *tg, size_t *ntg)
{
  *ntg = 0;
  for (size_t i = 0; i < r->nruns; i++) {
    if (!is_ref(a, &r->run[i], p)) continue;
    size_t k;
    json_t *v;
    json_array_foreach(json_object_get(r->run[i].rec, "targets"), k, v) {
      double t = num(v, "f_gap");
      if (isnan(t)) continue;
      size_t j;
      for (j = 0; j < *ntg && !same_target(tg[j], t); j++) {}
      if (j == *ntg && *ntg < MAX_TARGETS) tg[(*ntg)++] = t;
    }
  }
  /* largest gap first: the order of difficulty */
  for (size_t i = 1; i < *ntg; i++)
    for (size_t j = i; j > 0 && tg[j] > tg[j - 1]; j--) {
      double x = tg[j];
      tg[j] = tg[j - 1];
      tg[j - 1] = x;
    }
  return OB_OK;
}

static int build_problem_table(const ob_report *r, ob_agg *a, size_t p, ob_table *t, double *tsteps)
{
  double tg[MAX_TARGETS];
  size_t ntg;
  problem_targets(r, a, p, tg, &ntg);
  size_t ncols = 2 + 3 * ntg + 2, nopt = 0;
  size_t *rows = calloc(a->nopt, sizeof *rows);  /* optimizer index of each row */
  if (!rows) return OB_ENOMEM;
  for (size_t s = 0; s < a->nopt; s++)
    for (size_t i = 0; i < r->nruns; i++)
      if (is_ref(a, &r->run[i], p) && strcmp(r->run[i].optimizer, a->opt[s]) == 0) { rows[nopt++] = s; break; }
  if (table_init(t, ncols, nopt) < 0) { free(rows); return OB_ENOMEM; }
  snprintf(t->title, sizeof t->title, "%s (dimension %zu, placement %s, %ld thread%s)", a->prob[p], a->dim[p],
           a->ref_placement[p], a->ref_threads[p], a->ref_threads[p] == 1 ? "" : "s");
  char tname[24];
  snprintf(t->head[0], sizeof t->head[0], "optimizer");
  snprintf(t->head[1], sizeof t->head[1], "success");
  for (size_t j = 0; j < ntg; j++) {
    fmt_num(tname, sizeof tname, tg[j]);
    snprintf(t->head[2 + j], sizeof t->head[0], "steps to %s", tname);
    snprintf(t->head[2 + ntg + j], sizeof t->head[0], "evals to %s", tname);
    snprintf(t->head[2 + 2 * ntg + j], sizeof t->head[0], "seconds to %s", tname);
  }
  snprintf(t->head[ncols - 2], sizeof t->head[0], "final gap");
  snprintf(t->head[ncols - 1], sizeof t->head[0], "step time (s)");
  snprintf(t->note, sizeof t->note,
           "Median [25%%, 75%%] over seeds; '-': at least half the seeds missed the target. Success: seeds that "
           "reached the smallest target. Bold: best; *: significantly worse than the best (two-sided Mann-Whitney U, "
           "p < %.2g / %zu, Bonferroni).", OB_AGG_ALPHA, nopt > 1 ? nopt - 1 : 1);

  sample *col = calloc(nopt ? nopt : 1, sizeof *col);
  double *buf = calloc((nopt ? nopt : 1) * (r->nruns ? r->nruns : 1), sizeof *buf);
  if (!col || !buf) { free(rows); free(col); free(buf); return OB_ENOMEM; }
  for (size_t c = 1; c < ncols; c++) {
    for (size_t k = 0; k < nopt; k++) {
      col[k].v = buf + k * r->nruns;
      col[k].n = 0;
      for (size_t i = 0; i < r->nruns; i++) {
        const ob_report_run *x = &r->run[i];
        if (!is_ref(a, x, p) || strcmp(x->optimizer, a->opt[rows[k]]) != 0) continue;
        double v;
        if (c == 1) v = ntg && isfinite(to_target(x->rec, tg[ntg - 1], "steps")) ? 1.0 : 0.0;
        else if (c < 2 + ntg) v = to_target(x->rec, tg[c - 2], "steps");
        else if (c < 2 + 2 * ntg) v = to_target(x->rec, tg[c - 2 - ntg], "evals");
        else if (c < 2 + 3 * ntg) v = to_target(x->rec, tg[c - 2 - 2 * ntg], "seconds");
        else if (c == ncols - 2) {
          v = num(json_object_get(x->rec, "final"), "f_gap");
          if (isnan(v)) v = INFINITY;   /* non-finite f is written as null */
        } else {
          v = num(json_object_get(x->rec, "time"), "step_median_s");
          if (isnan(v)) continue;
        }
        col[k].v[col[k].n++] = v;
      }
    }
    if (c == 1) {
      fill_column(t, c, col, 0, 1);
      for (size_t k = 0; k < nopt; k++) {
        size_t ok = 0;
        for (size_t q = 0; q < col[k].n; q++) ok += col[k].v[q] > 0;
        snprintf(cell(t, k, 1)->text, sizeof cell(t, k, 1)->text, "%zu/%zu", ok, col[k].n);
      }
    } else {
      fill_column(t, c, col, c < 2 + ntg, 0);
    }
    if (ntg && c == 2 + ntg - 1)   /* steps to the smallest target: the profile's measure */
      for (size_t k = 0; k < nopt; k++) {
        double *tmp = malloc((col[k].n ? col[k].n : 1) * sizeof *tmp);
        if (!tmp) continue;
        memcpy(tmp, col[k].v, col[k].n * sizeof *tmp);
        tsteps[rows[k]] = col[k].n ? ob_agg_quantile(tmp, col[k].n, 0.5) : INFINITY;
        free(tmp);
      }
  }
  for (size_t k = 0; k < nopt; k++) {
    snprintf(cell(t, k, 0)->text, sizeof cell(t, k, 0)->text, "%s", a->opt[rows[k]]);
    cell(t, k, 0)->flags = OB_CELL_TEXT;
  }
  free(col);
  free(buf);
  free(rows);
  return OB_OK;
}

/* ---- convergence and hypergradient curves ----------------------------------- */

/* The curve of optimizer s on problem p over its seeds: against trace[xkey],
 * the median and IQR of f - f_opt (hypergrad 0; runs without f_opt are left
 * out) or of the trace's grad_norm (hypergrad 1: for a bilevel problem the true
 * hypergradient norm). A null value (non-finite) counts as +inf. */
static int build_curve(const ob_report *r, const ob_agg *a, size_t p, size_t s, const char *xkey, int hypergrad,
                       ob_curve *cv)
{
  const char *ykey = hypergrad ? "grad_norm" : "f";
  size_t nseeds = 0, ngrid = 0, cap = 0;
  double *grid = NULL;
  const json_t *recs[256];
  for (size_t i = 0; i < r->nruns && nseeds < 256; i++) {
    const ob_report_run *x = &r->run[i];
    if (!is_ref(a, x, p) || strcmp(x->optimizer, a->opt[s]) != 0) continue;
    const json_t *tr = json_object_get(x->rec, "trace");
    if (!json_is_array(json_object_get(tr, xkey)) || !json_is_array(json_object_get(tr, ykey))) continue;
    if (!hypergrad && isnan(num(json_object_get(x->rec, "problem"), "f_opt"))) continue;
    recs[nseeds++] = x->rec;
    size_t k;
    json_t *v;
    json_array_foreach(json_object_get(tr, xkey), k, v) {
      if (ngrid == cap) {
        cap = cap ? 2 * cap : 64;
        double *g = realloc(grid, cap * sizeof *g);
        if (!g) { free(grid); return OB_ENOMEM; }
        grid = g;
      }
      grid[ngrid++] = json_number_value(v);
    }
  }
  cv->optimizer = a->opt[s];
  if (!nseeds) { free(grid); return OB_OK; }
  qsort(grid, ngrid, sizeof *grid, cmp_double);
  size_t u = 0;
  for (size_t i = 0; i < ngrid; i++)
    if (u == 0 || grid[i] != grid[u - 1]) grid[u++] = grid[i];
  cv->n = u;
  cv->step = grid;
  cv->q1 = malloc(u * sizeof(double));
  cv->med = malloc(u * sizeof(double));
  cv->q3 = malloc(u * sizeof(double));
  double *vals = malloc(nseeds * sizeof *vals);
  if (!cv->q1 || !cv->med || !cv->q3 || !vals) { free(vals); return OB_ENOMEM; }
  for (size_t g = 0; g < u; g++) {
    for (size_t k = 0; k < nseeds; k++) {
      const json_t *tr = json_object_get(recs[k], "trace");
      const json_t *st = json_object_get(tr, xkey), *f = json_object_get(tr, ykey);
      double fopt = hypergrad ? 0.0 : num(json_object_get(recs[k], "problem"), "f_opt"), val = NAN;
      /* the value at the last trace point at or before the grid step; after the
       * run stopped, its last value holds */
      for (size_t j = 0; j < json_array_size(st) && json_number_value(json_array_get(st, j)) <= grid[g]; j++) {
        const json_t *fv = json_array_get(f, j);
        val = json_is_number(fv) ? json_number_value(fv) - fopt : INFINITY;
      }
      vals[k] = isnan(val) ? INFINITY : val;
    }
    cv->q1[g] = ob_agg_quantile(vals, nseeds, 0.25);
    cv->med[g] = ob_agg_quantile(vals, nseeds, 0.5);
    cv->q3[g] = ob_agg_quantile(vals, nseeds, 0.75);
  }
  free(vals);
  return OB_OK;
}

/* ---- summary, ECDF and placement tables -------------------------------------- */

static int build_ecdf(const ob_report *r, ob_agg *a)
{
  a->ecdf_x = calloc(a->nopt, sizeof *a->ecdf_x);
  a->ecdf_n = calloc(a->nopt, sizeof *a->ecdf_n);
  a->ecdf_total = calloc(a->nopt, sizeof *a->ecdf_total);
  if (!a->ecdf_x || !a->ecdf_n || !a->ecdf_total) return OB_ENOMEM;
  for (size_t s = 0; s < a->nopt; s++) {
    a->ecdf_x[s] = malloc((r->nruns * MAX_TARGETS + 1) * sizeof(double));
    if (!a->ecdf_x[s]) return OB_ENOMEM;
  }
  for (size_t p = 0; p < a->nprob; p++) {
    double tg[MAX_TARGETS];
    size_t ntg;
    problem_targets(r, a, p, tg, &ntg);
    for (size_t i = 0; i < r->nruns; i++) {
      const ob_report_run *x = &r->run[i];
      if (!is_ref(a, x, p)) continue;
      size_t s = find_str(a->opt, a->nopt, x->optimizer);
      for (size_t j = 0; j < ntg; j++) {
        double e = to_target(x->rec, tg[j], "evals");
        a->ecdf_total[s]++;
        if (isfinite(e)) a->ecdf_x[s][a->ecdf_n[s]++] = e / (double)(a->dim[p] ? a->dim[p] : 1);
      }
    }
  }
  for (size_t s = 0; s < a->nopt; s++) qsort(a->ecdf_x[s], a->ecdf_n[s], sizeof(double), cmp_double);
  return OB_OK;
}

static int build_summary_tables(ob_agg *a, ob_table *sum, ob_table *ecdf)
{
  /* summary: profile area, problems where fastest, share of (problem, target, seed) solved */
  if (table_init(sum, 4, a->nopt) < 0) return OB_ENOMEM;
  snprintf(sum->title, sizeof sum->title, "Summary over %zu problem%s", a->nprob, a->nprob == 1 ? "" : "s");
  snprintf(sum->head[0], sizeof sum->head[0], "optimizer");
  snprintf(sum->head[1], sizeof sum->head[0], "profile area (r_max %g)", a->rmax);
  snprintf(sum->head[2], sizeof sum->head[0], "fastest on");
  snprintf(sum->head[3], sizeof sum->head[0], "targets reached");
  snprintf(sum->note, sizeof sum->note,
           "Profile area: normalized area under the Dolan-More performance profile of median steps to each "
           "problem's smallest target, on [1, %g] (1: fastest everywhere, 0: never within %gx of the fastest). "
           "Fastest on: problems where its ratio is 1. Targets reached: share of (problem, target, seed) triples.",
           a->rmax, a->rmax);
  double best_area = -1, best_share = -1;
  size_t best_fast = 0;
  for (size_t s = 0; s < a->nopt; s++) {
    size_t fast = 0;
    for (size_t p = 0; p < a->nprob; p++) fast += a->ratio[p * a->nopt + s] == 1.0;
    double share = a->ecdf_total[s] ? (double)a->ecdf_n[s] / (double)a->ecdf_total[s] : NAN;
    snprintf(cell(sum, s, 0)->text, sizeof cell(sum, s, 0)->text, "%s", a->opt[s]);
    cell(sum, s, 0)->flags = OB_CELL_TEXT;
    snprintf(cell(sum, s, 1)->text, sizeof cell(sum, s, 1)->text, "%.3f", a->area[s]);
    snprintf(cell(sum, s, 2)->text, sizeof cell(sum, s, 2)->text, "%zu/%zu", fast, a->nprob);
    snprintf(cell(sum, s, 3)->text, sizeof cell(sum, s, 3)->text, "%zu/%zu", a->ecdf_n[s], a->ecdf_total[s]);
    if (a->area[s] > best_area) best_area = a->area[s];
    if (fast > best_fast) best_fast = fast;
    if (share > best_share) best_share = share;
  }
  for (size_t s = 0; s < a->nopt; s++) {
    size_t fast = 0;
    for (size_t p = 0; p < a->nprob; p++) fast += a->ratio[p * a->nopt + s] == 1.0;
    double share = a->ecdf_total[s] ? (double)a->ecdf_n[s] / (double)a->ecdf_total[s] : NAN;
    if (a->area[s] == best_area) cell(sum, s, 1)->flags |= OB_CELL_BEST;
    if (fast == best_fast && fast > 0) cell(sum, s, 2)->flags |= OB_CELL_BEST;
    if (share == best_share) cell(sum, s, 3)->flags |= OB_CELL_BEST;
  }

  /* ECDF at decades of evaluations / dimension */
  double lo = INFINITY, hi = 0;
  for (size_t s = 0; s < a->nopt; s++)
    if (a->ecdf_n[s]) {
      lo = fmin(lo, a->ecdf_x[s][0]);
      hi = fmax(hi, a->ecdf_x[s][a->ecdf_n[s] - 1]);
    }
  double first = isfinite(lo) && lo > 0 ? pow(10, floor(log10(lo))) : 1;
  size_t ncols = 1;
  for (double x = first; ncols < 1 + ECDF_COLS; x *= 10) {
    ncols++;
    if (x >= hi) break;
  }
  if (table_init(ecdf, ncols, a->nopt) < 0) return OB_ENOMEM;
  snprintf(ecdf->title, sizeof ecdf->title, "ECDF of evaluations / dimension to reach a target");
  snprintf(ecdf->note, sizeof ecdf->note,
           "Share of all (problem, target, seed) triples whose evaluations divided by the dimension to the target "
           "were at most the column's budget (COCO runtime ECDF; failures count in the denominator).");
  snprintf(ecdf->head[0], sizeof ecdf->head[0], "optimizer");
  double x = first;
  for (size_t c = 1; c < ncols; c++, x *= 10) {
    snprintf(ecdf->head[c], sizeof ecdf->head[0], "<= %g", x);
    double best = -1;
    for (size_t s = 0; s < a->nopt; s++) best = fmax(best, ob_agg_ecdf_at(a->ecdf_x[s], a->ecdf_n[s], a->ecdf_total[s], x));
    for (size_t s = 0; s < a->nopt; s++) {
      double v = ob_agg_ecdf_at(a->ecdf_x[s], a->ecdf_n[s], a->ecdf_total[s], x);
      snprintf(cell(ecdf, s, c)->text, sizeof cell(ecdf, s, c)->text, "%.2f", v);
      if (v == best && v > 0) cell(ecdf, s, c)->flags |= OB_CELL_BEST;
    }
  }
  for (size_t s = 0; s < a->nopt; s++) {
    snprintf(cell(ecdf, s, 0)->text, sizeof cell(ecdf, s, 0)->text, "%s", a->opt[s]);
    cell(ecdf, s, 0)->flags = OB_CELL_TEXT;
  }
  return OB_OK;
}

int ob_agg_check_bandwidth(const json_t *bw, ob_error *err)
{
  const json_t *k = json_object_get(bw, "kernels");
  if (!json_is_object(bw) || !json_is_object(k))
    return ob_error_at(err, OB_EDATA, "kernels", "expected an object of kernels, e.g. {\"kernels\": {\"triad\": "
                       "{\"local/t1\": 12.5}}}");
  const json_t *triad = json_object_get(k, "triad");
  if (!json_is_object(triad)) return ob_error_at(err, OB_EDATA, "kernels.triad", "expected an object "
                                                 "{\"<placement>/t<threads>\": GB/s, ...}");
  const char *key;
  json_t *v;
  json_object_foreach((json_t *)triad, key, v) {
    if (!json_is_number(v) || json_number_value(v) <= 0) {
      char path[256];
      snprintf(path, sizeof path, "kernels.triad.%s", key);
      return ob_error_at(err, OB_EDATA, path, "expected a positive number (GB/s)");
    }
  }
  return OB_OK;
}

typedef struct group {
  size_t p, s, first;   /* problem, optimizer, first run index */
  const char *placement;
  long threads;
} group;

static int build_placement_table(const ob_report *r, ob_agg *a, const json_t *bw, ob_table *t)
{
  group *g = calloc(r->nruns ? r->nruns : 1, sizeof *g);
  size_t ng = 0;
  if (!g) return OB_ENOMEM;
  for (size_t i = 0; i < r->nruns; i++) {
    const ob_report_run *x = &r->run[i];
    size_t p = find_str(a->prob, a->nprob, x->problem), s = find_str(a->opt, a->nopt, x->optimizer), k;
    for (k = 0; k < ng; k++)
      if (g[k].p == p && g[k].s == s && g[k].threads == x->threads && strcmp(g[k].placement, x->placement) == 0) break;
    if (k == ng) g[ng++] = (group){ p, s, i, x->placement, x->threads };
  }
  /* order: problem, optimizer, then first seen */
  for (size_t i = 1; i < ng; i++)
    for (size_t j = i; j > 0 && (g[j].p < g[j - 1].p || (g[j].p == g[j - 1].p && g[j].s < g[j - 1].s)); j--) {
      group tmp = g[j];
      g[j] = g[j - 1];
      g[j - 1] = tmp;
    }
  int rc = table_init(t, bw ? 8 : 7, ng);
  double *step = calloc(ng ? ng : 1, sizeof *step), *gbs = calloc(ng ? ng : 1, sizeof *gbs);
  double *v = calloc(r->nruns ? r->nruns : 1, sizeof *v), *w = calloc(r->nruns ? r->nruns : 1, sizeof *w);
  a->bar_label = calloc(ng ? ng : 1, sizeof *a->bar_label);
  a->bar_value = calloc(ng ? ng : 1, sizeof *a->bar_value);
  if (rc < 0 || !step || !gbs || !v || !w || !a->bar_label || !a->bar_value) { rc = OB_ENOMEM; goto out; }
  a->nbars = ng;
  snprintf(t->title, sizeof t->title, "Placements and threads");
  snprintf(t->note, sizeof t->note,
           "Medians over seeds. Step time: one optimizer step with its oracle calls. GB/s: bytes the update moves "
           "per step / median update time. Slowdown: step time / step time under 'local' at the same thread count."
           "%s Bold: fastest placement of the problem and optimizer.",
           bw ? " % of limit: GB/s / the bandwidth file's triad GB/s for the same placement and threads." : "");
  static const char *const heads[] = { "problem", "optimizer", "placement", "threads", "step time (s)", "GB/s",
                                       "slowdown vs local", "% of limit" };
  for (size_t c = 0; c < t->ncols; c++) snprintf(t->head[c], sizeof t->head[c], "%s", heads[c]);
  for (size_t k = 0; k < ng; k++) {
    size_t nv = 0, nw = 0;
    for (size_t i = 0; i < r->nruns; i++) {
      const ob_report_run *x = &r->run[i];
      if (strcmp(x->problem, a->prob[g[k].p]) || strcmp(x->optimizer, a->opt[g[k].s]) ||
          strcmp(x->placement, g[k].placement) || x->threads != g[k].threads)
        continue;
      double st = num(json_object_get(x->rec, "time"), "step_median_s");
      double bwv = num(json_object_get(x->rec, "memory"), "bandwidth_gbs");
      if (!isnan(st)) v[nv++] = st;
      if (!isnan(bwv)) w[nw++] = bwv;
    }
    step[k] = nv ? ob_agg_quantile(v, nv, 0.5) : NAN;
    gbs[k] = nw ? ob_agg_quantile(w, nw, 0.5) : NAN;
  }
  for (size_t k = 0; k < ng; k++) {
    double local = NAN, fastest = INFINITY;
    for (size_t j = 0; j < ng; j++) {
      if (g[j].p != g[k].p || g[j].s != g[k].s) continue;
      if (g[j].threads == g[k].threads && strcmp(g[j].placement, "local") == 0) local = step[j];
      if (step[j] < fastest) fastest = step[j];
    }
    snprintf(cell(t, k, 0)->text, sizeof cell(t, k, 0)->text, "%s", a->prob[g[k].p]);
    snprintf(cell(t, k, 1)->text, sizeof cell(t, k, 1)->text, "%s", a->opt[g[k].s]);
    snprintf(cell(t, k, 2)->text, sizeof cell(t, k, 2)->text, "%s", g[k].placement);
    for (size_t c = 0; c < 3; c++) cell(t, k, c)->flags = OB_CELL_TEXT;
    snprintf(cell(t, k, 3)->text, sizeof cell(t, k, 3)->text, "%ld", g[k].threads);
    fmt_num(cell(t, k, 4)->text, sizeof cell(t, k, 4)->text, step[k]);
    if (step[k] == fastest) cell(t, k, 4)->flags |= OB_CELL_BEST;
    fmt_num(cell(t, k, 5)->text, sizeof cell(t, k, 5)->text, gbs[k]);
    double slow = step[k] / local;
    if (isnan(slow)) snprintf(cell(t, k, 6)->text, sizeof cell(t, k, 6)->text, "n/a");
    else snprintf(cell(t, k, 6)->text, sizeof cell(t, k, 6)->text, "%.2f", slow);
    snprintf(a->bar_label[k], sizeof a->bar_label[k], "%s/%s/%s/t%ld", a->prob[g[k].p], a->opt[g[k].s],
             g[k].placement, g[k].threads);
    a->bar_value[k] = step[k];
    if (bw) {
      char key[160];
      snprintf(key, sizeof key, "%s/t%ld", g[k].placement, g[k].threads);
      double lim = num(json_object_get(json_object_get(bw, "kernels"), "triad"), key);
      double pct = 100 * gbs[k] / lim;
      if (isnan(pct)) snprintf(cell(t, k, 7)->text, sizeof cell(t, k, 7)->text, "n/a");
      else snprintf(cell(t, k, 7)->text, sizeof cell(t, k, 7)->text, "%.1f", pct);
    }
  }
out:
  free(g);
  free(step);
  free(gbs);
  free(v);
  free(w);
  return rc;
}

/* ---- sequence problems (final.sequence) ------------------------------------ */

static const json_t *seq_of(const json_t *rec)
{
  const json_t *q = json_object_get(json_object_get(rec, "final"), "sequence");
  return json_is_object(q) && json_is_array(json_object_get(q, "iterations")) ? q : NULL;
}

/* "median [q1, q3]" of v (sorted in place), or the median alone for one value. */
static void fmt_one(char *buf, size_t size, double v, int is_ratio)
{
  if (isnan(v)) snprintf(buf, size, "n/a");
  else if (is_ratio) snprintf(buf, size, "%.3f", v);
  else snprintf(buf, size, "%.6g", v);
}

static void fmt_spread(char *buf, size_t size, double *v, size_t n, int f)
{
  if (!n) {
    snprintf(buf, size, "n/a");
    return;
  }
  double med = ob_agg_quantile(v, n, 0.5);
  if (n == 1 || !isfinite(med)) {
    fmt_one(buf, size, med, f);
    return;
  }
  char a[24], b[24], c[24];
  fmt_one(a, sizeof a, med, f);
  fmt_one(b, sizeof b, ob_agg_quantile(v, n, 0.25), f);
  fmt_one(c, sizeof c, ob_agg_quantile(v, n, 0.75), f);
  snprintf(buf, size, "%s [%s, %s]", a, b, c);
}

static double median_or_nan(double *v, size_t n)
{
  double *tmp = n ? malloc(n * sizeof *tmp) : NULL;
  if (!tmp) return NAN;
  memcpy(tmp, v, n * sizeof *tmp);
  double m = ob_agg_quantile(tmp, n, 0.5);
  free(tmp);
  return m;
}

static double ratio(double x, double y) { return y > 0 ? x / y : NAN; }

/* Per sequence problem p: the policies that ran it, and one run per seed for the comparators. */
typedef struct seq_set {
  size_t p;
  size_t *pol;             /* optimizer indices */
  size_t npol;
  const json_t **cmp;      /* one sequence object per seed */
  size_t ncmp;
  size_t n;                /* instances every run completed */
} seq_set;

static size_t seq_len(const json_t *q) { return json_array_size(json_object_get(q, "iterations")); }

static int seq_collect(const ob_report *r, const ob_agg *a, size_t p, seq_set *ss)
{
  ss->p = p;
  ss->npol = ss->ncmp = 0;
  ss->n = (size_t)-1;
  ss->pol = calloc(a->nopt ? a->nopt : 1, sizeof *ss->pol);
  ss->cmp = calloc(r->nruns ? r->nruns : 1, sizeof *ss->cmp);
  long *seeds = calloc(r->nruns ? r->nruns : 1, sizeof *seeds);
  if (!ss->pol || !ss->cmp || !seeds) {
    free(seeds);
    return OB_ENOMEM;
  }
  for (size_t s = 0; s < a->nopt; s++)
    for (size_t i = 0; i < r->nruns; i++) {
      const ob_report_run *x = &r->run[i];
      if (is_ref(a, x, p) && seq_of(x->rec) && strcmp(x->optimizer, a->opt[s]) == 0) {
        ss->pol[ss->npol++] = s;
        break;
      }
    }
  for (size_t i = 0; i < r->nruns; i++) {
    const ob_report_run *x = &r->run[i];
    const json_t *q = is_ref(a, x, p) ? seq_of(x->rec) : NULL;
    if (!q) continue;
    if (seq_len(q) < ss->n) ss->n = seq_len(q);
    size_t k;
    for (k = 0; k < ss->ncmp && seeds[k] != x->seed; k++) {}
    if (k == ss->ncmp) {
      seeds[ss->ncmp] = x->seed;
      ss->cmp[ss->ncmp++] = q;
    }
  }
  if (ss->n == (size_t)-1) ss->n = 0;
  free(seeds);
  return OB_OK;
}

static void seq_set_free(seq_set *ss)
{
  free(ss->pol);
  free(ss->cmp);
}

enum { SEQ_COLS = 8 };

/* Fills one row of the sequence table from per-seed totals and comparators. */
static void seq_row(ob_table *t, size_t row, const char *prob, const char *label, double *tot, double *rf, double *ry,
                    double *ro, size_t n, long long done, long long inst)
{
  snprintf(cell(t, row, 0)->text, sizeof cell(t, row, 0)->text, "%s", prob);
  snprintf(cell(t, row, 1)->text, sizeof cell(t, row, 1)->text, "%s", label);
  cell(t, row, 0)->flags = cell(t, row, 1)->flags = OB_CELL_TEXT;
  snprintf(cell(t, row, 2)->text, sizeof cell(t, row, 2)->text, "%zu", n);
  snprintf(cell(t, row, 3)->text, sizeof cell(t, row, 3)->text, "%lld/%lld", done, inst);
  fmt_spread(cell(t, row, 4)->text, sizeof cell(t, row, 4)->text, tot, n, 0);
  fmt_spread(cell(t, row, 5)->text, sizeof cell(t, row, 5)->text, rf, n, 1);
  fmt_spread(cell(t, row, 6)->text, sizeof cell(t, row, 6)->text, ry, n, 1);
  fmt_spread(cell(t, row, 7)->text, sizeof cell(t, row, 7)->text, ro, n, 1);
}

static long long seq_int(const json_t *q, const char *key)
{
  const json_t *v = json_object_get(q, key);
  return json_is_integer(v) ? (long long)json_integer_value(v) : -1;
}

/* Cumulative iterations after instance t of array `key` of q, or -1 when absent. */
static double seq_cum(const json_t *q, const char *key, size_t t)
{
  const json_t *arr = json_object_get(q, key);
  if (!json_is_array(arr) || json_array_size(arr) <= t) return -1;
  double c = 0;
  for (size_t k = 0; k <= t; k++) c += json_number_value(json_array_get(arr, k));
  return c;
}

static int build_sequence(const ob_report *r, ob_agg *a, ob_table *t)
{
  seq_set *sets = calloc(a->nprob ? a->nprob : 1, sizeof *sets);
  size_t nsets = 0, nrows = 0;
  int rc = OB_OK;
  if (!sets) return OB_ENOMEM;
  for (size_t p = 0; p < a->nprob; p++) {
    if ((rc = seq_collect(r, a, p, &sets[nsets])) < 0) { nsets++; goto out; }
    if (sets[nsets].ncmp == 0) { seq_set_free(&sets[nsets]); continue; }
    nrows += sets[nsets].npol + 3;
    nsets++;
  }
  if (!nsets) goto out;
  size_t nbuf = r->nruns ? r->nruns : 1;
  double *buf = malloc(4 * nbuf * sizeof *buf);
  a->seq = calloc(nsets, sizeof *a->seq);
  if (!buf || !a->seq || table_init(t, SEQ_COLS, nrows) < 0) { free(buf); rc = OB_ENOMEM; goto out; }
  a->nseq = nsets;
  double *tot = buf, *rf = buf + nbuf, *ry = buf + 2 * nbuf, *ro = buf + 3 * nbuf;
  snprintf(t->title, sizeof t->title, "Sequence problems: total iterations over the instances");
  snprintf(t->note, sizeof t->note,
           "Median [25%%, 75%%] over seeds of the iterations summed over the instances solved, and of each seed's "
           "ratio to its comparators: the hindsight best fixed omega of the problem's grid, Young's "
           "instance-optimal omega, and the best grid point per instance (all from the problem's final.sequence). "
           "Instances: solved / in the sequence (fewest over seeds). Bold: best policy; comparator rows last.");
  static const char *const heads[SEQ_COLS] = { "problem", "policy", "seeds", "instances", "total iterations",
                                               "/ best fixed", "/ instance-optimal", "/ best grid point" };
  for (size_t c = 0; c < SEQ_COLS; c++) snprintf(t->head[c], sizeof t->head[c], "%s", heads[c]);
  size_t row = 0;
  for (size_t k = 0; k < nsets; k++) {
    seq_set *ss = &sets[k];
    const char *prob = a->prob[ss->p];
    long long inst = seq_int(ss->cmp[0], "instances");
    size_t first = row;
    double best = INFINITY, bestr[3] = { INFINITY, INFINITY, INFINITY }, *med = calloc(ss->npol + 1, 4 * sizeof *med);
    if (!med) { free(buf); rc = OB_ENOMEM; goto out; }
    for (size_t j = 0; j < ss->npol; j++, row++) {
      size_t n = 0;
      long long done = -1;
      for (size_t i = 0; i < r->nruns; i++) {
        const ob_report_run *x = &r->run[i];
        const json_t *q = is_ref(a, x, ss->p) ? seq_of(x->rec) : NULL;
        if (!q || strcmp(x->optimizer, a->opt[ss->pol[j]]) != 0) continue;
        double v = (double)seq_int(q, "total_iterations");
        tot[n] = v;
        rf[n] = ratio(v, (double)seq_int(q, "best_fixed_total"));
        ry[n] = ratio(v, (double)seq_int(q, "instance_optimal_total"));
        ro[n] = ratio(v, (double)seq_int(q, "grid_oracle_total"));
        long long d = seq_int(q, "completed");
        if (done < 0 || d < done) done = d;
        n++;
      }
      seq_row(t, row, prob, a->opt[ss->pol[j]], tot, rf, ry, ro, n, done, inst);
      double m[4] = { median_or_nan(tot, n), median_or_nan(rf, n), median_or_nan(ry, n), median_or_nan(ro, n) };
      memcpy(med + 4 * j, m, sizeof m);
      if (m[0] < best) best = m[0];
      for (size_t c = 0; c < 3; c++) if (m[c + 1] < bestr[c]) bestr[c] = m[c + 1];
    }
    for (size_t j = 0; j < ss->npol; j++) {
      if (med[4 * j] == best) cell(t, first + j, 4)->flags |= OB_CELL_BEST;
      for (size_t c = 0; c < 3; c++)
        if (med[4 * j + 1 + c] == bestr[c]) cell(t, first + j, 5 + c)->flags |= OB_CELL_BEST;
    }
    free(med);
    /* comparators, one sample per seed */
    static const char *const ckey[3] = { "best_fixed_total", "instance_optimal_total", "grid_oracle_total" };
    double omega = num(ss->cmp[0], "best_fixed_omega");
    int same_omega = 1;
    long long done = -1;
    for (size_t i = 0; i < ss->ncmp; i++) {
      if (num(ss->cmp[i], "best_fixed_omega") != omega) same_omega = 0;
      long long d = seq_int(ss->cmp[i], "completed");
      if (done < 0 || d < done) done = d;
    }
    for (size_t c = 0; c < 3; c++, row++) {
      for (size_t i = 0; i < ss->ncmp; i++) {
        const json_t *q = ss->cmp[i];
        double v = (double)seq_int(q, ckey[c]);
        tot[i] = v;
        rf[i] = ratio(v, (double)seq_int(q, ckey[0]));
        ry[i] = ratio(v, (double)seq_int(q, ckey[1]));
        ro[i] = ratio(v, (double)seq_int(q, ckey[2]));
      }
      char label[64];
      if (c == 0 && same_omega && !isnan(omega)) snprintf(label, sizeof label, "best fixed omega %.4g (hindsight)", omega);
      else if (c == 0) snprintf(label, sizeof label, "best fixed omega (hindsight, per seed)");
      else if (c == 1) snprintf(label, sizeof label, "instance-optimal omega (Young)");
      else snprintf(label, sizeof label, "best grid point per instance");
      seq_row(t, row, prob, label, tot, rf, ry, ro, ss->ncmp, done, inst);
    }
    /* cumulative-cost curves */
    ob_seq_curve *cv = &a->seq[k];
    cv->problem = ss->p;
    cv->n = ss->n;
    cv->nline = ss->npol + 2;
    cv->exact_comparators = 1;
    cv->opt_index = calloc(cv->nline, sizeof *cv->opt_index);
    cv->label = calloc(cv->nline, sizeof *cv->label);
    cv->y = calloc(cv->nline * (cv->n ? cv->n : 1), sizeof *cv->y);
    if (!cv->opt_index || !cv->label || !cv->y) { free(buf); rc = OB_ENOMEM; goto out; }
    for (size_t j = 0; j < ss->npol; j++) {
      cv->opt_index[j] = ss->pol[j];
      cv->label[j] = a->opt[ss->pol[j]];
      for (size_t tt = 0; tt < cv->n; tt++) {
        size_t n = 0;
        for (size_t i = 0; i < r->nruns; i++) {
          const ob_report_run *x = &r->run[i];
          const json_t *q = is_ref(a, x, ss->p) ? seq_of(x->rec) : NULL;
          if (q && strcmp(x->optimizer, a->opt[ss->pol[j]]) == 0) tot[n++] = seq_cum(q, "iterations", tt);
        }
        cv->y[j * cv->n + tt] = median_or_nan(tot, n);
      }
    }
    static const char *const arr[2] = { "best_fixed_iterations", "instance_optimal_iterations" };
    static const char *const lab[2] = { "best fixed omega", "instance-optimal (Young)" };
    for (size_t c = 0; c < 2; c++) {
      size_t l = ss->npol + c;
      cv->opt_index[l] = (size_t)-1;
      cv->label[l] = lab[c];
      for (size_t tt = 0; tt < cv->n; tt++) {
        for (size_t i = 0; i < ss->ncmp; i++) {
          const json_t *q = ss->cmp[i];
          double v = seq_cum(q, arr[c], tt);
          if (v < 0) {   /* only the total is known: the constant-rate line to it */
            long long d = seq_int(q, "completed");
            v = d > 0 ? (double)seq_int(q, ckey[c]) * (double)(tt + 1) / (double)d : NAN;
            cv->exact_comparators = 0;
          }
          tot[i] = v;
        }
        cv->y[l * cv->n + tt] = median_or_nan(tot, ss->ncmp);
      }
    }
  }
  free(buf);
out:
  for (size_t k = 0; k < nsets; k++) seq_set_free(&sets[k]);
  free(sets);
  return rc;
}

/* ---- bilevel problems (evals.bilevel) ----------------------------------------- */

static const json_t *bilevel_counts(const json_t *rec)
{
  const json_t *b = json_object_get(json_object_get(rec, "evals"), "bilevel");
  return json_is_object(b) ? b : NULL;
}

enum { BIL_COLS = 11 };

/* One row per (bilevel problem, optimizer) of the reference configuration:
 * median [IQR] final hypergradient norm (final.grad_norm, bold and U-test
 * marks per problem), median final gap, and the medians of the oracle counts
 * (evals.total and the bilevel counters); plus the hypergradient curves. */
static int build_bilevel(const ob_report *r, ob_agg *a, ob_table *t)
{
  size_t nrows = 0;
  a->hg_problem = calloc(a->nprob ? a->nprob : 1, sizeof *a->hg_problem);
  if (!a->hg_problem) return OB_ENOMEM;
  for (size_t p = 0; p < a->nprob; p++) {
    size_t i;
    for (i = 0; i < r->nruns && !(is_ref(a, &r->run[i], p) && bilevel_counts(r->run[i].rec)); i++) {}
    if (i == r->nruns) continue;
    a->hg_problem[a->nhg++] = p;
    for (size_t s = 0; s < a->nopt; s++)
      for (i = 0; i < r->nruns; i++)
        if (is_ref(a, &r->run[i], p) && strcmp(r->run[i].optimizer, a->opt[s]) == 0) { nrows++; break; }
  }
  if (!a->nhg) return OB_OK;
  a->hg = calloc(a->nhg * (a->nopt ? a->nopt : 1), sizeof *a->hg);
  if (!a->hg || table_init(t, BIL_COLS, nrows) < 0) return OB_ENOMEM;
  for (size_t k = 0; k < a->nhg; k++)
    for (size_t s = 0; s < a->nopt; s++) {
      int rc = build_curve(r, a, a->hg_problem[k], s, "evals", 1, &a->hg[k * a->nopt + s]);
      if (rc < 0) return rc;
    }
  snprintf(t->title, sizeof t->title, "Bilevel problems: hypergradient norm and oracle calls");
  static const char *const heads[BIL_COLS] = { "problem", "optimizer", "seeds", "final hypergradient norm",
                                               "final gap", "oracle calls", "upper_grad", "lower_grad", "hyy", "hxy",
                                               "cons" };
  for (size_t c = 0; c < BIL_COLS; c++) snprintf(t->head[c], sizeof t->head[c], "%s", heads[c]);
  snprintf(t->note, sizeof t->note,
           "Medians over seeds. Final hypergradient norm: the true ||grad F(x)|| at the final x (final.grad_norm), "
           "[25%%, 75%%]; bold: best of the problem; *: significantly worse than the best (two-sided Mann-Whitney U, "
           "p < %.2g / m, Bonferroni). Oracle calls: evals.total; then the bilevel counts (gradients of the upper "
           "and lower objectives, lower-level Hessian- and mixed-product calls, constraint calls).", OB_AGG_ALPHA);
  static const char *const ckey[5] = { "upper_grad", "lower_grad", "hyy", "hxy", "cons" };
  size_t nbuf = r->nruns ? r->nruns : 1;
  sample *col = calloc(a->nopt ? a->nopt : 1, sizeof *col);
  double *buf = malloc(2 * (a->nopt ? a->nopt : 1) * nbuf * sizeof *buf), *cnt = malloc(nbuf * sizeof *cnt);
  size_t *rows = calloc(a->nopt ? a->nopt : 1, sizeof *rows);
  int rc = OB_OK;
  if (!col || !buf || !cnt || !rows) { rc = OB_ENOMEM; goto out; }
  size_t row = 0;
  for (size_t k = 0; k < a->nhg; k++) {
    size_t p = a->hg_problem[k], nr = 0;
    for (size_t s = 0; s < a->nopt; s++)
      for (size_t i = 0; i < r->nruns; i++)
        if (is_ref(a, &r->run[i], p) && strcmp(r->run[i].optimizer, a->opt[s]) == 0) { rows[nr++] = s; break; }
    ob_table sub = *t;   /* this problem's rows: best and marks are per problem */
    sub.cell = t->cell + row * t->ncols;
    sub.nrows = nr;
    for (size_t c = 3; c <= 4; c++) {
      for (size_t j = 0; j < nr; j++) {
        col[j].v = buf + ((c - 3) * a->nopt + j) * nbuf;
        col[j].n = 0;
        for (size_t i = 0; i < r->nruns; i++) {
          const ob_report_run *x = &r->run[i];
          if (!is_ref(a, x, p) || strcmp(x->optimizer, a->opt[rows[j]]) != 0) continue;
          double v = num(json_object_get(x->rec, "final"), c == 3 ? "grad_norm" : "f_gap");
          if (c == 4 && isnan(num(json_object_get(x->rec, "problem"), "f_opt"))) continue;   /* F* unknown */
          col[j].v[col[j].n++] = isnan(v) ? INFINITY : v;   /* null: a non-finite value */
        }
      }
      fill_column(&sub, c, col, c == 3, 0);
      for (size_t j = 0; j < nr; j++)
        if (!col[j].n) snprintf(cell(&sub, j, c)->text, sizeof cell(&sub, j, c)->text, "n/a");
      if (c == 3)
        for (size_t j = 0; j < nr; j++)
          snprintf(cell(&sub, j, 2)->text, sizeof cell(&sub, j, 2)->text, "%zu", col[j].n);
    }
    for (size_t j = 0; j < nr; j++, row++) {
      const char *opt = a->opt[rows[j]];
      snprintf(cell(t, row, 0)->text, sizeof cell(t, row, 0)->text, "%s", a->prob[p]);
      snprintf(cell(t, row, 1)->text, sizeof cell(t, row, 1)->text, "%s", opt);
      cell(t, row, 0)->flags = cell(t, row, 1)->flags = OB_CELL_TEXT;
      for (size_t c = 5; c < BIL_COLS; c++) {
        size_t n = 0;
        for (size_t i = 0; i < r->nruns; i++) {
          const ob_report_run *x = &r->run[i];
          if (!is_ref(a, x, p) || strcmp(x->optimizer, opt) != 0) continue;
          double v = c == 5 ? num(json_object_get(x->rec, "evals"), "total") : num(bilevel_counts(x->rec), ckey[c - 6]);
          if (!isnan(v)) cnt[n++] = v;
        }
        fmt_one(cell(t, row, c)->text, sizeof cell(t, row, c)->text, median_or_nan(cnt, n), 0);
      }
    }
  }
out:
  free(col);
  free(buf);
  free(cnt);
  free(rows);
  return rc;
}

/* ---- the whole report -------------------------------------------------------- */

int ob_agg_build(const ob_report *r, const json_t *bandwidth, ob_agg *a, ob_error *err)
{
  int rc = OB_OK;
  memset(a, 0, sizeof *a);
  a->rmax = OB_AGG_RMAX;
  a->placement_table = (size_t)-1;
  a->seq_table = (size_t)-1;
  a->hg_table = (size_t)-1;
  if (bandwidth && (rc = ob_agg_check_bandwidth(bandwidth, err)) < 0) return rc;
  a->prob = calloc(r->nruns + 1, sizeof *a->prob);
  a->opt = calloc(r->nruns + 1, sizeof *a->opt);
  if (!a->prob || !a->opt) goto nomem;
  for (size_t i = 0; i < r->nruns; i++) {
    if (find_str(a->prob, a->nprob, r->run[i].problem) == (size_t)-1) a->prob[a->nprob++] = r->run[i].problem;
    if (find_str(a->opt, a->nopt, r->run[i].optimizer) == (size_t)-1) a->opt[a->nopt++] = r->run[i].optimizer;
  }
  size_t np = a->nprob ? a->nprob : 1, no = a->nopt ? a->nopt : 1;
  a->ref_placement = calloc(np, sizeof *a->ref_placement);
  a->ref_threads = calloc(np, sizeof *a->ref_threads);
  a->dim = calloc(np, sizeof *a->dim);
  a->ratio = malloc(np * no * sizeof *a->ratio);
  a->area = calloc(no, sizeof *a->area);
  a->curve = calloc(np * no, sizeof *a->curve);
  a->table = calloc(np + 5, sizeof *a->table);
  if (!a->ref_placement || !a->ref_threads || !a->dim || !a->ratio || !a->area || !a->curve || !a->table) goto nomem;
  for (size_t p = 0; p < a->nprob; p++) {
    a->ref_threads[p] = -1;
    for (size_t i = 0; i < r->nruns; i++) {
      const ob_report_run *x = &r->run[i];
      if (strcmp(x->problem, a->prob[p]) != 0) continue;
      if (!a->ref_placement[p] || (strcmp(x->placement, "local") == 0 && strcmp(a->ref_placement[p], "local") != 0))
        a->ref_placement[p] = x->placement;
      const json_t *d = json_object_get(json_object_get(x->rec, "problem"), "dim");
      if (!a->dim[p] && json_is_integer(d)) a->dim[p] = (size_t)json_integer_value(d);
    }
    for (size_t i = 0; i < r->nruns; i++) {
      const ob_report_run *x = &r->run[i];
      if (strcmp(x->problem, a->prob[p]) == 0 && strcmp(x->placement, a->ref_placement[p]) == 0 &&
          (a->ref_threads[p] < 0 || x->threads < a->ref_threads[p]))
        a->ref_threads[p] = x->threads;
    }
  }
  for (size_t k = 0; k < np * no; k++) a->ratio[k] = INFINITY;
  for (size_t p = 0; p < a->nprob; p++) {
    double *t = a->ratio + p * a->nopt;     /* steps first, turned into ratios below */
    if ((rc = build_problem_table(r, a, p, &a->table[a->ntables++], t)) < 0) goto nomem;
    double best = INFINITY;
    for (size_t s = 0; s < a->nopt; s++) best = fmin(best, t[s]);
    for (size_t s = 0; s < a->nopt; s++) t[s] = isfinite(best) && isfinite(t[s]) ? (best > 0 ? t[s] / best : 1.0)
                                                                               : INFINITY;
    for (size_t s = 0; s < a->nopt; s++)
      if ((rc = build_curve(r, a, p, s, "step", 0, &a->curve[p * a->nopt + s])) < 0) goto nomem;
  }
  double *col = malloc(np * sizeof *col);
  if (!col) goto nomem;
  for (size_t s = 0; s < a->nopt; s++) {
    for (size_t p = 0; p < a->nprob; p++) col[p] = a->ratio[p * a->nopt + s];
    a->area[s] = ob_agg_profile_area(col, a->nprob, a->rmax);
  }
  free(col);
  if ((rc = build_ecdf(r, a)) < 0) goto nomem;
  if ((rc = build_summary_tables(a, &a->table[a->ntables], &a->table[a->ntables + 1])) < 0) goto nomem;
  a->ntables += 2;
  a->placement_table = a->ntables;
  if ((rc = build_placement_table(r, a, bandwidth, &a->table[a->ntables++])) < 0) goto nomem;
  if ((rc = build_sequence(r, a, &a->table[a->ntables])) < 0) goto nomem;
  if (a->nseq) a->seq_table = a->ntables++;
  if ((rc = build_bilevel(r, a, &a->table[a->ntables])) < 0) goto nomem;
  if (a->nhg) a->hg_table = a->ntables++;
  return OB_OK;
nomem:
  ob_agg_free(a);
  return ob_error_set(err, OB_ENOMEM, "out of memory");
}

void ob_agg_free(ob_agg *a)
{
  for (size_t i = 0; a->table && i < a->nprob + 5; i++) {   /* every slot: a failed build may leave one half-made */
    free(a->table[i].head);
    free(a->table[i].cell);
  }
  for (size_t k = 0; a->curve && k < a->nprob * a->nopt; k++) {
    free(a->curve[k].step);
    free(a->curve[k].q1);
    free(a->curve[k].med);
    free(a->curve[k].q3);
  }
  for (size_t k = 0; a->seq && k < a->nseq; k++) {
    free(a->seq[k].opt_index);
    free(a->seq[k].label);
    free(a->seq[k].y);
  }
  free(a->seq);
  for (size_t k = 0; a->hg && k < a->nhg * a->nopt; k++) {
    free(a->hg[k].step);
    free(a->hg[k].q1);
    free(a->hg[k].med);
    free(a->hg[k].q3);
  }
  free(a->hg);
  free(a->hg_problem);
  for (size_t s = 0; a->ecdf_x && s < a->nopt; s++) free(a->ecdf_x[s]);
  free(a->ecdf_x);
  free(a->ecdf_n);
  free(a->ecdf_total);
  free(a->table);
  free(a->curve);
  free(a->prob);
  free(a->opt);
  free(a->ref_placement);
  free(a->ref_threads);
  free(a->dim);
  free(a->ratio);
  free(a->area);
  free(a->bar_label);
  free(a->bar_value);
  memset(a, 0, sizeof *a);
}
