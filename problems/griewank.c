/* griewank.c -- the Griewank function: a wide bowl whose product of cosines
 * makes a regular, slowly fading pattern of local minima (Griewank, "Generalized
 * descent for global optimization", JOTA 34(1), 1981; Jamil & Yang 2013, no. 59).
 *
 *   f(z) = 1 + sum_i z_i^2 / 4000 - prod_i cos(z_i / sqrt(i+1)),   f* = 0 at z* = 0
 *   a_i = cos(z_i / sqrt(i+1)),  a'_i = -sin(z_i / sqrt(i+1)) / sqrt(i+1),  a''_i = -a_i / (i+1)
 *   g_i = z_i / 2000 - a'_i prod_{k != i} a_k
 *   (H w)_i = w_i / 2000 - a''_i w_i prod_{k != i} a_k - a'_i sum_{j != i} a'_j w_j prod_{k != i,j} a_k
 *
 * The products without one (or two) factors are formed from prefix and suffix
 * products -- for Hv, of dual numbers (value, derivative along w) -- so there is
 * no division by a vanishing cosine and the cost is O(n). These loops are
 * sequential (deterministic for every thread count); the sum uses ob_vec_reduce.
 * Instance k >= 1 moves the optimum to a seeded s in [-480, 480]^n and rotates.
 * Search region [-600, 600]^n (Jamil & Yang); x0 = (10, ..., 10).
 * Params: dim=10 [1, 1e8], instance=0, rotate=true. Work: 2n doubles (arena).
 */
#include "config.h"

#include <math.h>
#include <stdint.h>

#include "bench/ob_vec.h"
#include "problems/synth.h"

static const ob_param_spec griewank_params[] = {
  { "dim", OB_PARAM_INT, "10", 1, 1e8, 0, NULL, "d", "dimension n" },
  OB_INSTANCE_PARAM_SPECS,
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }
};

typedef struct {
  const double *z;
} griewank_ctx;

static double griewank_sq_block(void *vctx, size_t lo, size_t hi)
{
  const griewank_ctx *c = vctx;
  double acc = 0.0;
  for (size_t i = lo; i < hi; i++) acc += c->z[i] * c->z[i];
  return acc;
}

static int griewank_raw(ob_synth *s, const double *z, double *f, double *gz, ob_error *err)
{
  size_t n = s->n;
  double *pre = s->work;          /* pre[i] = prod_{k < i} a_k */
  griewank_ctx c = { z };
  (void)err;
  double sq = ob_vec_reduce(griewank_sq_block, &c, n), prod = 1.0;
  for (size_t i = 0; i < n; i++) {
    pre[i] = prod;
    prod *= cos(z[i] / sqrt((double)(i + 1)));
  }
  *f = 1.0 + sq / 4000.0 - prod;
  if (!gz) return OB_OK;
  double suf = 1.0;
  for (size_t i = n; i-- > 0;) {
    double si = sqrt((double)(i + 1)), u = z[i] / si;
    gz[i] = z[i] / 2000.0 + sin(u) / si * pre[i] * suf;
    suf *= cos(u);
  }
  return OB_OK;
}

static int griewank_hvp(ob_synth *s, const double *z, const double *w, double *out, ob_error *err)
{
  size_t n = s->n;
  double *pre = s->work, *dpre = s->work + n;
  double p = 1.0, dp = 0.0;
  (void)err;
  for (size_t i = 0; i < n; i++) {
    double si = sqrt((double)(i + 1)), u = z[i] / si;
    double a = cos(u), da = -sin(u) / si * w[i];
    pre[i] = p;
    dpre[i] = dp;
    dp = dp * a + p * da;
    p *= a;
  }
  double q = 1.0, dq = 0.0;
  for (size_t i = n; i-- > 0;) {
    double si = sqrt((double)(i + 1)), u = z[i] / si;
    double a = cos(u), a1 = -sin(u) / si, a2 = -a / (double)(i + 1);
    double others = pre[i] * q, dothers = dpre[i] * q + pre[i] * dq;
    out[i] = w[i] / 2000.0 - (a2 * w[i] * others + a1 * dothers);
    dq = dq * a + q * a1 * w[i];
    q *= a;
  }
  return OB_OK;
}

static const ob_synth_def griewank_def = {
  .halfwidth = 600.0,
  .work_per_dim = 2,
  .x0 = 10.0,
  .zopt = ob_synth_zero,
  .fopt = ob_synth_zero,
  .raw = griewank_raw,
  .hvp = griewank_hvp,
};

OB_SYNTH_TYPE(griewank, "Griewank: bowl times a product of cosines, f* = 0 at x* (0, or the shift)",
              "Griewank, JOTA 34(1) (1981); Jamil & Yang, IJMMNO 4(2) (2013), no. 59");
