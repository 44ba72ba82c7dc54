/* stats.h -- the few statistics that reports and compare need.
 *
 * Order statistics (median, quantiles) go through GSL's sort and
 * gsl_stats_*_from_sorted_data, so they sort the caller's array in place. The
 * Mann-Whitney U test (Mann & Whitney 1947; Wilcoxon rank-sum) is two-sided
 * and uses the exact null distribution for small samples without ties and the
 * normal approximation with tie and continuity corrections otherwise -- the
 * same choice as scipy.stats.mannwhitneyu(method="auto", use_continuity=True),
 * with a larger exact range. No function allocates more than O(na + nb) or
 * O(na * nb) scratch, none prints, all are thread-safe.
 */
#ifndef OB_STATS_H
#define OB_STATS_H

#include <stddef.h>

/* Both samples at most this long and no value shared between or within them:
 * the exact distribution of U is used; otherwise the normal approximation. */
#define OB_STATS_MW_EXACT_MAX 20

/* Two-sided Mann-Whitney U test of samples a (length na) and b (length nb).
 *
 * *u receives U of sample a: the number of pairs (a_i, b_j) with a_i > b_j plus
 * half the number of ties a_i == b_j (scipy's U1; U of b is na*nb - U).
 *
 * *p_two_sided receives the two-sided p-value:
 *  - exact (na, nb <= OB_STATS_MW_EXACT_MAX and no ties anywhere): the number
 *    of the C(na+nb, na) equally likely arrangements with U' <= min(U, na*nb-U)
 *    counted by the recursion f(m,n,k) = f(m-1,n,k-n) + f(m,n-1,k), doubled
 *    and capped at 1;
 *  - otherwise the normal approximation: mean na*nb/2, variance
 *    na*nb/12 * ((N+1) - sum(t^3 - t)/(N(N-1))) over tie groups of size t
 *    (N = na+nb), z = (|U - mean| - 0.5)/sd, p = 2*(1 - Phi(z)) capped at 1;
 *    p = 1 when every value is equal (sd = 0).
 * Either output pointer may be NULL.
 *
 * Returns OB_OK (0), OB_EINVAL when a sample is empty or holds a NaN, or
 * OB_ENOMEM. On error the outputs are set to NaN. */
int ob_stats_mannwhitney(const double *a, size_t na, const double *b, size_t nb, double *u,
                         double *p_two_sided);

/* 1 when ob_stats_mannwhitney would use the exact distribution for these
 * samples, 0 when it uses the normal approximation. */
int ob_stats_mannwhitney_is_exact(const double *a, size_t na, const double *b, size_t nb);

/* Median of a[0..n-1]; sorts a in place. NaN when n == 0 or a holds a NaN. */
double ob_stats_median(double *a, size_t n);

/* The q-quantile (0 <= q <= 1) of a[0..n-1] by linear interpolation between
 * order statistics (Hyndman & Fan type 7, GSL's and numpy's default); sorts a
 * in place. NaN when n == 0, q is outside [0, 1] or a holds a NaN. */
double ob_stats_quantile(double *a, size_t n, double q);

/* Geometric mean exp(mean(log a_i)). NaN when n == 0 or any a_i is not a
 * finite positive number. */
double ob_stats_geomean(const double *a, size_t n);

#endif
