/* check_stats.c -- reports/stats.h against known values.
 *
 * Mann-Whitney U and p-values come from tests/reference/mannwhitney_ref.py, an
 * independent standard-library script (exact p by enumerating every
 * arrangement, the normal approximation from its formula); the scipy
 * documentation example (U = 17, exact p = 1/9, asymptotic p = 0.111346886...)
 * is among them. Order statistics and the geometric mean are hand-computed.
 */
#include "config.h"

#include <check.h>
#include <math.h>
#include <stdlib.h>

#include "bench/ob_error.h"
#include "reports/stats.h"
#include "tests/testutil.h"

#define N(x) (sizeof(x) / sizeof((x)[0]))

static void expect_mw(const double *a, size_t na, const double *b, size_t nb, double u_want,
                      double p_want, int exact_want)
{
  double u, p;
  ck_assert_int_eq(ob_stats_mannwhitney(a, na, b, nb, &u, &p), OB_OK);
  ck_assert_double_eq_tol(u, u_want, 1e-12);
  ck_assert_msg(fabs(p - p_want) <= 1e-13 * fmax(1.0, p_want), "p = %.17g, want %.17g", p, p_want);
  ck_assert_int_eq(ob_stats_mannwhitney_is_exact(a, na, b, nb), exact_want);
  /* swapping the samples mirrors U and keeps the two-sided p */
  double u2, p2;
  ck_assert_int_eq(ob_stats_mannwhitney(b, nb, a, na, &u2, &p2), OB_OK);
  ck_assert_double_eq_tol(u2, (double)na * (double)nb - u_want, 1e-12);
  ck_assert_double_eq_tol(p2, p, 1e-14);
}

START_TEST(mw_scipy_doc_example)
{
  /* scipy.stats.mannwhitneyu docs: males vs females, U1 = 17, exact p = 1/9 */
  const double males[] = { 19, 22, 16, 29, 24 }, females[] = { 20, 11, 17, 12 };
  expect_mw(males, N(males), females, N(females), 17.0, 0.1111111111111111, 1);
}
END_TEST

START_TEST(mw_exact_small)
{
  /* hand: only 1 of C(6,3) = 20 arrangements has U = 0, so p = 2/20 */
  const double a[] = { 1, 2, 3 }, b[] = { 4, 5, 6 };
  expect_mw(a, N(a), b, N(b), 0.0, 0.1, 1);
  const double c[] = { 1, 3, 5, 7, 9, 11 }, d[] = { 2, 4, 6, 8, 10, 12, 14 };
  expect_mw(c, N(c), d, N(d), 15.0, 0.44522144522144524, 1);
  const double e[] = { 2.0 }, f[] = { 1.0 };
  expect_mw(e, 1, f, 1, 1.0, 1.0, 1);
  double g[12], h[9];
  for (int i = 1; i <= 12; i++) g[i - 1] = 0.1 * i * i;
  for (int i = 0; i < 9; i++) h[i] = 0.37 * i + 1.01;
  expect_mw(g, N(g), h, N(h), 69.0, 0.31002619671350323, 1);
}
END_TEST

START_TEST(mw_normal_with_ties)
{
  const double a[] = { 1, 2, 2, 3, 4, 5 }, b[] = { 2, 3, 3, 6, 7, 8, 8 };
  expect_mw(a, N(a), b, N(b), 9.0, 0.09620204088643225, 0);
  const double same[] = { 1, 1, 1, 1, 1 };
  expect_mw(same, N(same), same, N(same), 12.5, 1.0, 0);
}
END_TEST

START_TEST(mw_normal_large)
{
  double a[25], b[22];
  for (int i = 0; i < 25; i++) a[i] = i + 0.5;
  for (int i = 0; i < 22; i++) b[i] = i + 3.25;
  expect_mw(a, N(a), b, N(b), 253.0, 0.6466783515808644, 0);
}
END_TEST

START_TEST(mw_exact_edge_sizes)
{
  /* 20 x 20 without ties: exact; completely separated gives 2 / C(40, 20) */
  double a[20], b[20];
  for (int i = 0; i < 20; i++) {
    a[i] = i;
    b[i] = 100 + i;
  }
  double u, p;
  ck_assert_int_eq(ob_stats_mannwhitney(a, 20, b, 20, &u, &p), OB_OK);
  ck_assert_double_eq(u, 0.0);
  ck_assert_int_eq(ob_stats_mannwhitney_is_exact(a, 20, b, 20), 1);
  ck_assert_msg(fabs(p - 2.0 / 137846528820.0) < 1e-22, "p = %g", p);
  /* interleaved (a_i = 2i, b_i = 2i + 1): U = 190; the reference script's
   * Gaussian-binomial count (a different algorithm) gives p = 0.7994... */
  for (int i = 0; i < 20; i++) {
    a[i] = 2 * i;
    b[i] = 2 * i + 1;
  }
  expect_mw(a, 20, b, 20, 190.0, 0.799407187161697, 1);
  /* 21 values: normal approximation */
  double c[21];
  for (int i = 0; i < 21; i++) c[i] = 0.5 + i;
  ck_assert_int_eq(ob_stats_mannwhitney_is_exact(c, 21, b, 20), 0);
}
END_TEST

START_TEST(mw_rejects_bad_input)
{
  const double a[] = { 1, 2 }, bad[] = { 1, NAN };
  double u = 0, p = 0;
  ck_assert_int_eq(ob_stats_mannwhitney(a, 0, a, 2, &u, &p), OB_EINVAL);
  ck_assert(isnan(u) && isnan(p));
  ck_assert_int_eq(ob_stats_mannwhitney(a, 2, bad, 2, &u, &p), OB_EINVAL);
  ck_assert_int_eq(ob_stats_mannwhitney(a, 2, a, 2, NULL, NULL), OB_OK);
}
END_TEST

START_TEST(median_quantile_hand)
{
  double a[] = { 3, 1, 2 };
  ck_assert_double_eq(ob_stats_median(a, 3), 2.0);
  ck_assert(a[0] == 1 && a[1] == 2 && a[2] == 3); /* sorted in place */
  double b[] = { 4, 1, 3, 2 };
  ck_assert_double_eq(ob_stats_median(b, 4), 2.5);
  double c[] = { 5, 4, 3, 2, 1 };
  ck_assert_double_eq_tol(ob_stats_quantile(c, 5, 0.25), 2.0, 1e-15);
  double d[] = { 4, 3, 2, 1 };
  /* type 7: position 0.1 * 3 = 0.3 between 1 and 2 */
  ck_assert_double_eq_tol(ob_stats_quantile(d, 4, 0.1), 1.3, 1e-15);
  ck_assert_double_eq(ob_stats_quantile(d, 4, 0.0), 1.0);
  ck_assert_double_eq(ob_stats_quantile(d, 4, 1.0), 4.0);
  ck_assert(isnan(ob_stats_quantile(d, 4, 1.5)));
  ck_assert(isnan(ob_stats_median(d, 0)));
  double e[] = { 1, NAN };
  ck_assert(isnan(ob_stats_median(e, 2)));
}
END_TEST

START_TEST(geomean_hand)
{
  const double a[] = { 1, 4, 16 }, b[] = { 2, 8 }, c[] = { 1, 0 }, d[] = { 1, -2 };
  ck_assert_double_eq_tol(ob_stats_geomean(a, 3), 4.0, 1e-14);
  ck_assert_double_eq_tol(ob_stats_geomean(b, 2), 4.0, 1e-14);
  ck_assert(isnan(ob_stats_geomean(c, 2)));
  ck_assert(isnan(ob_stats_geomean(d, 2)));
  ck_assert(isnan(ob_stats_geomean(a, 0)));
}
END_TEST

static Suite *make_stats_suite(void)
{
  Suite *s = suite_create("stats");
  TCase *tc = tcase_create("mannwhitney");
  tcase_add_test(tc, mw_scipy_doc_example);
  tcase_add_test(tc, mw_exact_small);
  tcase_add_test(tc, mw_normal_with_ties);
  tcase_add_test(tc, mw_normal_large);
  tcase_add_test(tc, mw_exact_edge_sizes);
  tcase_add_test(tc, mw_rejects_bad_input);
  suite_add_tcase(s, tc);
  tc = tcase_create("order");
  tcase_add_test(tc, median_quantile_hand);
  tcase_add_test(tc, geomean_hand);
  suite_add_tcase(s, tc);
  return s;
}

int main(void)
{
  return ob_test_main(make_stats_suite());
}
