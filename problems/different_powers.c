/* different_powers.c -- sum of different powers: the sensitivity to each
 * coordinate grows with its index (Hansen et al. 2009, BBOB f14).
 *
 *   S(z) = sum_{i=0}^{n-1} |z_i|^p_i,   p_i = 2 + 4 i/(n-1)   (p = 2 when n = 1)
 *   f(z) = sqrt(S),   f* = 0 at z* = 0
 *   g_i  = p_i |z_i|^(p_i-1) sign(z_i) / (2 f)
 *   H w  = diag(p_i (p_i-1) |z_i|^(p_i-2)) w / (2 f) - dS (dS . w) / (4 f^3),   dS_i = p_i |z_i|^(p_i-1) sign(z_i)
 *
 * f is not differentiable at z* (the square root of a sum of squares and
 * higher powers is a cone-like kink there): at S = 0 we return the subgradient
 * 0 and Hv = 0, so f(x*) = f* and a zero gradient hold exactly. Instance k >= 1
 * moves the optimum to a seeded s in [-4, 4]^n and rotates.
 * Search region [-5, 5]^n; x0 = (1, ..., 1) (f(x0) = sqrt(n)).
 * Params: dim=10 [1, 1e8], instance=0, rotate=true. The exponents are computed
 * once in configure (arena, n doubles); sums use ob_vec_reduce.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>

#include "bench/ob_vec.h"
#include "problems/synth.h"

static const ob_param_spec different_powers_params[] = {
  { "dim", OB_PARAM_INT, "10", 1, 1e8, 0, NULL, "d", "dimension n" },
  OB_INSTANCE_PARAM_SPECS,
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }
};

static int different_powers_setup(ob_synth *s, ob_error *err)
{
  (void)err;
  for (size_t i = 0; i < s->n; i++)
    s->work[i] = s->n == 1 ? 2.0 : 2.0 + 4.0 * (double)i / (double)(s->n - 1);
  return OB_OK;
}

typedef struct {
  const double *p, *z, *w;
  double *g;          /* dS into g when non-NULL */
} dp_ctx;

static double dp_block(void *vctx, size_t lo, size_t hi)
{
  const dp_ctx *c = vctx;
  double acc = 0.0;
  for (size_t i = lo; i < hi; i++) {
    double a = fabs(c->z[i]), p = c->p[i];
    acc += pow(a, p);
    if (c->g) c->g[i] = copysign(p * pow(a, p - 1.0), c->z[i]);
  }
  return acc;
}

/* sum_i dS_i w_i */
static double dp_dot_block(void *vctx, size_t lo, size_t hi)
{
  const dp_ctx *c = vctx;
  double acc = 0.0;
  for (size_t i = lo; i < hi; i++) {
    double p = c->p[i];
    acc += copysign(p * pow(fabs(c->z[i]), p - 1.0), c->z[i]) * c->w[i];
  }
  return acc;
}

static int different_powers_raw(ob_synth *s, const double *z, double *f, double *gz, ob_error *err)
{
  size_t n = s->n;
  dp_ctx c = { s->work, z, NULL, gz };
  (void)err;
  double sum = ob_vec_reduce(dp_block, &c, n);
  *f = sqrt(sum);
  if (!gz) return OB_OK;
  double scale = sum > 0 ? 0.5 / *f : 0.0;
#pragma omp parallel for schedule(static) if (n >= OB_VEC_PAR_MIN)
  for (size_t i = 0; i < n; i++) gz[i] *= scale;
  return OB_OK;
}

static int different_powers_hvp(ob_synth *s, const double *z, const double *w, double *out, ob_error *err)
{
  size_t n = s->n;
  const double *p = s->work;
  dp_ctx c = { p, z, w, NULL };
  (void)err;
  double sum = ob_vec_reduce(dp_block, &c, n);
  if (!(sum > 0)) {
    for (size_t i = 0; i < n; i++) out[i] = 0.0;
    return OB_OK;
  }
  double f = sqrt(sum), dsw = ob_vec_reduce(dp_dot_block, &c, n);
  double a = 0.5 / f, b = dsw / (4.0 * f * f * f);
#pragma omp parallel for schedule(static) if (n >= OB_VEC_PAR_MIN)
  for (size_t i = 0; i < n; i++) {
    double az = fabs(z[i]), pi = p[i];
    double ds = copysign(pi * pow(az, pi - 1.0), z[i]);
    out[i] = a * pi * (pi - 1.0) * pow(az, pi - 2.0) * w[i] - b * ds;
  }
  return OB_OK;
}

static const ob_synth_def different_powers_def = {
  .halfwidth = 5.0,
  .work_per_dim = 1,
  .x0 = 1.0,
  .zopt = ob_synth_zero,
  .fopt = ob_synth_zero,
  .setup = different_powers_setup,
  .raw = different_powers_raw,
  .hvp = different_powers_hvp,
};

OB_SYNTH_TYPE(different_powers, "sum of different powers sqrt(sum |z_i|^(2+4i/(n-1))), f* = 0",
              "Hansen et al., BBOB 2009 noiseless functions (INRIA RR-6829), f14");
