/* sharp_ridge.c -- the sharp ridge: a quadratic along the first coordinate
 * and a cone across it, so the gradient does not shrink near the ridge
 * (Hansen et al. 2009, BBOB f13, with alpha = 100).
 *
 *   f(z) = z_0^2 + alpha * r,   r = sqrt(sum_{i>=1} z_i^2),   f* = 0 at z* = 0
 *   g    = (2 z_0, alpha z_1 / r, ..., alpha z_{n-1} / r)
 *   H w  = (2 w_0, (alpha / r) (w_i - z_i (z_t . w_t) / r^2) for i >= 1)   (z_t: z without z_0)
 *
 * f is not differentiable on the ridge r = 0 (which contains z*): there we
 * return the subgradient 0 for the ridge coordinates and the Hessian of the
 * smooth part only (2 w_0, then 0), so f(x*) = f* with a zero gradient. With
 * n = 1 f is z_0^2. Instance k >= 1 moves the optimum to a seeded s in
 * [-4, 4]^n and rotates (BBOB's own f13 is rotated). Search region [-5, 5]^n;
 * x0 = (1, ..., 1). Params: dim=10 [1, 1e8], alpha=100 [0, 1e8], instance=0,
 * rotate=true. Sums use ob_vec_reduce.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>

#include "bench/ob_vec.h"
#include "problems/synth.h"

static const ob_param_spec sharp_ridge_params[] = {
  { "dim", OB_PARAM_INT, "10", 1, 1e8, 0, NULL, "d", "dimension n" },
  { "alpha", OB_PARAM_REAL, "100", 0, 1e8, 0, NULL, NULL, "slope of the cone across the ridge" },
  OB_INSTANCE_PARAM_SPECS,
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }
};

static int sharp_ridge_raw(ob_synth *s, const double *z, double *f, double *gz, ob_error *err)
{
  size_t n = s->n;
  (void)err;
  double r2 = n > 1 ? ob_vec_dot(z + 1, z + 1, n - 1) : 0.0, r = sqrt(r2);
  *f = z[0] * z[0] + s->a * r;
  if (!gz) return OB_OK;
  gz[0] = 2.0 * z[0];
  double scale = r > 0 ? s->a / r : 0.0;
#pragma omp parallel for schedule(static) if (n >= OB_VEC_PAR_MIN)
  for (size_t i = 1; i < n; i++) gz[i] = scale * z[i];
  return OB_OK;
}

static int sharp_ridge_hvp(ob_synth *s, const double *z, const double *w, double *out, ob_error *err)
{
  size_t n = s->n;
  (void)err;
  out[0] = 2.0 * w[0];
  if (n == 1) return OB_OK;
  double r2 = ob_vec_dot(z + 1, z + 1, n - 1), r = sqrt(r2);
  double zw = r > 0 ? ob_vec_dot(z + 1, w + 1, n - 1) : 0.0;
  double a = r > 0 ? s->a / r : 0.0, b = r > 0 ? zw / r2 : 0.0;
#pragma omp parallel for schedule(static) if (n >= OB_VEC_PAR_MIN)
  for (size_t i = 1; i < n; i++) out[i] = a * (w[i] - z[i] * b);
  return OB_OK;
}

static const ob_synth_def sharp_ridge_def = {
  .param = "alpha",
  .halfwidth = 5.0,
  .x0 = 1.0,
  .zopt = ob_synth_zero,
  .fopt = ob_synth_zero,
  .raw = sharp_ridge_raw,
  .hvp = sharp_ridge_hvp,
};

OB_SYNTH_TYPE(sharp_ridge, "sharp ridge z_0^2 + alpha sqrt(sum_{i>=1} z_i^2), f* = 0",
              "Hansen et al., BBOB 2009 noiseless functions (INRIA RR-6829), f13");
