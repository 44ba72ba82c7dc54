/* stats.c -- order statistics, geometric mean and the Mann-Whitney U test.
 *
 * The exact null distribution of U counts, for every k, the arrangements of m
 * "a" and n "b" values with U = k, by the recursion of Mann & Whitney (1947):
 * the largest value is either an a (it beats all n b's: f(m-1, n, k-n)) or a b
 * (f(m, n-1, k)). Counts stay below C(40, 20) ~ 1.4e11 for m, n <= 20, so
 * doubles hold them exactly. The normal approximation with tie correction is
 * the textbook one (e.g. Hollander & Wolfe, Nonparametric Statistical Methods,
 * section 4.1), with a continuity correction of 1/2 towards the mean.
 */
#include "config.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench/ob_error.h"
#include "reports/stats.h"

static int has_nan(const double *a, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (isnan(a[i])) return 1;
  return 0;
}

/* Sorted copy of a and b together; NULL when out of memory. */
static double *pooled_sorted(const double *a, size_t na, const double *b, size_t nb)
{
  double *all = malloc((na + nb) * sizeof *all);
  if (!all) return NULL;
  memcpy(all, a, na * sizeof *a);
  memcpy(all + na, b, nb * sizeof *b);
  gsl_sort(all, 1, na + nb);
  return all;
}

/* sum over tie groups of t^3 - t in sorted data (0 when all values differ). */
static double tie_term(const double *sorted, size_t n)
{
  double s = 0;
  size_t i = 0;
  while (i < n) {
    size_t j = i + 1;
    while (j < n && sorted[j] == sorted[i]) j++;
    double t = (double)(j - i);
    s += t * t * t - t;
    i = j;
  }
  return s;
}

int ob_stats_mannwhitney_is_exact(const double *a, size_t na, const double *b, size_t nb)
{
  if (na == 0 || nb == 0 || na > OB_STATS_MW_EXACT_MAX || nb > OB_STATS_MW_EXACT_MAX) return 0;
  double *all = pooled_sorted(a, na, b, nb);
  if (!all) return 0;
  int ties = tie_term(all, na + nb) > 0;
  free(all);
  return !ties;
}

/* P(U <= k) under H0 for sample sizes m, n, exactly (m, n <= EXACT_MAX). */
static int exact_cdf(size_t m, size_t n, size_t k, double *out)
{
  size_t len = m * n + 1;
  /* prev[i*len + j] = f(i, c-1, j), cur = f(i, c, j) for the current c. */
  double *prev = calloc((m + 1) * len, sizeof *prev);
  double *cur = calloc((m + 1) * len, sizeof *cur);
  if (!prev || !cur) {
    free(prev);
    free(cur);
    return OB_ENOMEM;
  }
  for (size_t i = 0; i <= m; i++) prev[i * len] = 1; /* f(i, 0, 0) = 1 */
  for (size_t c = 1; c <= n; c++) {
    memset(cur, 0, (m + 1) * len * sizeof *cur);
    cur[0] = 1; /* f(0, c, 0) = 1 */
    for (size_t i = 1; i <= m; i++)
      for (size_t j = 0; j <= i * c; j++)
        cur[i * len + j] = (j >= c ? cur[(i - 1) * len + j - c] : 0) + prev[i * len + j];
    double *t = prev;
    prev = cur;
    cur = t;
  }
  double total = 0, below = 0;
  for (size_t j = 0; j < len; j++) {
    total += prev[m * len + j];
    if (j <= k) below += prev[m * len + j];
  }
  free(prev);
  free(cur);
  *out = below / total;
  return OB_OK;
}

int ob_stats_mannwhitney(const double *a, size_t na, const double *b, size_t nb, double *u,
                         double *p_two_sided)
{
  if (u) *u = NAN;
  if (p_two_sided) *p_two_sided = NAN;
  if (!a || !b || na == 0 || nb == 0 || has_nan(a, na) || has_nan(b, nb)) return OB_EINVAL;

  /* U by direct pair counting: exact in doubles for any realistic sizes and
   * needs no rank bookkeeping. */
  double u1 = 0;
  for (size_t i = 0; i < na; i++)
    for (size_t j = 0; j < nb; j++) u1 += a[i] > b[j] ? 1.0 : a[i] == b[j] ? 0.5 : 0.0;

  double *all = pooled_sorted(a, na, b, nb);
  if (!all) return OB_ENOMEM;
  size_t n_all = na + nb;
  double ties = tie_term(all, n_all);
  free(all);

  double mn = (double)na * (double)nb, p;
  if (ties == 0 && na <= OB_STATS_MW_EXACT_MAX && nb <= OB_STATS_MW_EXACT_MAX) {
    double lo = fmin(u1, mn - u1), cdf;
    int rc = exact_cdf(na, nb, (size_t)lo, &cdf);
    if (rc != OB_OK) return rc;
    p = fmin(1.0, 2.0 * cdf);
  } else {
    double n = (double)n_all;
    double var = mn / 12.0 * ((n + 1.0) - ties / (n * (n - 1.0)));
    if (!(var > 0)) {
      p = 1.0;
    } else {
      double z = (fabs(u1 - mn / 2.0) - 0.5) / sqrt(var);
      p = z <= 0 ? 1.0 : fmin(1.0, 2.0 * gsl_cdf_ugaussian_Q(z));
    }
  }
  if (u) *u = u1;
  if (p_two_sided) *p_two_sided = p;
  return OB_OK;
}

double ob_stats_median(double *a, size_t n)
{
  if (!a || n == 0 || has_nan(a, n)) return NAN;
  gsl_sort(a, 1, n);
  return gsl_stats_median_from_sorted_data(a, 1, n);
}

double ob_stats_quantile(double *a, size_t n, double q)
{
  if (!a || n == 0 || !(q >= 0 && q <= 1) || has_nan(a, n)) return NAN;
  gsl_sort(a, 1, n);
  return gsl_stats_quantile_from_sorted_data(a, 1, n, q);
}

double ob_stats_geomean(const double *a, size_t n)
{
  if (!a || n == 0) return NAN;
  double s = 0;
  for (size_t i = 0; i < n; i++) {
    if (!(a[i] > 0) || !isfinite(a[i])) return NAN;
    s += log(a[i]);
  }
  return exp(s / (double)n);
}
