/* scale_invariant.c -- a scale-invariant loss: f depends only on the
 * direction of x, as the loss of a weight vector followed by a normalization
 * layer does, which is what AdamP and SGDP are designed for (Heo et al.,
 * "AdamP: slowing down the slowdown for momentum optimizers on
 * scale-invariant weights", ICLR 2021, section 2).
 *
 *   u = z / ||z||,   f(z) = 1/2 (u - c)^T D (u - c),   c = (1, ..., 1) / sqrt(n)
 *   D = diag(condition^(i/(n-1))),   f* = 0 on the ray z = t c, t > 0
 *   g = (P w) / rho,   rho = ||z||,   P = I - u u^T,   w = D (u - c)
 *   H v = [ -a (u . w) - u (a . w) + D a - u (u . D a) ] / rho - (u . v) (P w) / rho^2,   a = P v / rho
 *
 * f(t x) = f(x) for t > 0, so the gradient is orthogonal to x and shrinks as
 * 1/||x||: plain momentum methods grow ||x|| and slow down, the effect AdamP
 * removes. f is undefined at x = 0: eval and hvp there return OB_ENUMERIC
 * ("undefined at x = 0"). The minimizer is a ray; x_opt reports its unit
 * point (R^T c with an instance, c without). Instances (k >= 1) only rotate
 * (z = R x; a shift would destroy the scale invariance), and need rotate=true
 * to change anything. Search region: the unit sphere (any scale gives the same
 * value), recorded as [-1, 1]^n; x0 = (1, 0, ..., 0) (f = ((1 - c_0)^2 d_0 +
 * sum_{i>0} c_i^2 d_i) / 2). Params: dim=10 [2, 1e8], condition=10 [1, 1e12],
 * instance=0, rotate=true. Sums use ob_vec_dot (fixed blocks); work 4n doubles.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>

#include "bench/ob_vec.h"
#include "problems/synth.h"

static const ob_param_spec scale_invariant_params[] = {
  { "dim", OB_PARAM_INT, "10", 2, 1e8, 0, NULL, "d", "dimension n" },
  { "condition", OB_PARAM_REAL, "10", 1, 1e12, 0, NULL, "cond",
    "condition number of D: weights log-spaced from 1 to this value" },
  OB_INSTANCE_PARAM_SPECS,
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }
};

/* work layout: [D | u | w | a] */
static int si_setup(ob_synth *s, ob_error *err)
{
  if (s->n < 2) return ob_error_set(err, OB_EINVAL, "dim must be at least 2");
  for (size_t i = 0; i < s->n; i++) s->work[i] = pow(s->a, (double)i / (double)(s->n - 1));
  s->c = 1.0 / sqrt((double)s->n);
  return OB_OK;
}

typedef struct {
  const double *d, *u;
  double c;
  const double *a;
} si_ctx;

/* sum_i u_i d_i a_i */
static double si_uda_block(void *vctx, size_t lo, size_t hi)
{
  const si_ctx *x = vctx;
  double acc = 0.0;
  for (size_t i = lo; i < hi; i++) acc += x->u[i] * x->d[i] * x->a[i];
  return acc;
}

static double si_block(void *vctx, size_t lo, size_t hi)
{
  const si_ctx *x = vctx;
  double acc = 0.0;
  for (size_t i = lo; i < hi; i++) {
    double e = x->u[i] - x->c;
    acc += x->d[i] * e * e;
  }
  return acc;
}

/* Fills u = z / rho and w = D (u - c); returns rho (0: undefined). */
static double si_prepare(ob_synth *s, const double *z, ob_error *err)
{
  size_t n = s->n;
  double *d = s->work, *u = d + n, *w = u + n;
  double rho = sqrt(ob_vec_dot(z, z, n));
  if (!(rho > 0)) {
    ob_error_set(err, OB_ENUMERIC, "scale_invariant is undefined at x = 0");
    return 0.0;
  }
#pragma omp parallel for schedule(static) if (n >= OB_VEC_PAR_MIN)
  for (size_t i = 0; i < n; i++) {
    u[i] = z[i] / rho;
    w[i] = d[i] * (u[i] - s->c);
  }
  return rho;
}

static int si_raw(ob_synth *s, const double *z, double *f, double *gz, ob_error *err)
{
  size_t n = s->n;
  double *d = s->work, *u = d + n, *w = u + n;
  double rho = si_prepare(s, z, err);
  if (rho == 0.0) return OB_ENUMERIC;
  si_ctx c = { d, u, s->c, NULL };
  *f = 0.5 * ob_vec_reduce(si_block, &c, n);
  if (!gz) return OB_OK;
  double uw = ob_vec_dot(u, w, n);
#pragma omp parallel for schedule(static) if (n >= OB_VEC_PAR_MIN)
  for (size_t i = 0; i < n; i++) gz[i] = (w[i] - uw * u[i]) / rho;
  return OB_OK;
}

static int si_hvp(ob_synth *s, const double *z, const double *v, double *out, ob_error *err)
{
  size_t n = s->n;
  double *d = s->work, *u = d + n, *w = u + n, *a = w + n;
  double rho = si_prepare(s, z, err);
  if (rho == 0.0) return OB_ENUMERIC;
  double uv = ob_vec_dot(u, v, n), uw = ob_vec_dot(u, w, n);
#pragma omp parallel for schedule(static) if (n >= OB_VEC_PAR_MIN)
  for (size_t i = 0; i < n; i++) a[i] = (v[i] - uv * u[i]) / rho;
  double aw = ob_vec_dot(a, w, n);
  si_ctx c = { d, u, 0.0, a };
  double uda = ob_vec_reduce(si_uda_block, &c, n);
#pragma omp parallel for schedule(static) if (n >= OB_VEC_PAR_MIN)
  for (size_t i = 0; i < n; i++)
    out[i] = (-a[i] * uw - u[i] * aw + d[i] * a[i] - u[i] * uda) / rho -
             uv * (w[i] - uw * u[i]) / (rho * rho);
  return OB_OK;
}

static double si_zopt(const ob_synth *s)
{
  return s->c;
}

static void si_x0(const ob_synth *s, double *x)
{
  for (size_t i = 0; i < s->n; i++) x[i] = i == 0 ? 1.0 : 0.0;
}

static const ob_synth_def scale_invariant_def = {
  .param = "condition",
  .halfwidth = 1.0,
  .no_shift = true,
  .work_per_dim = 4,
  .zopt = si_zopt,
  .fopt = ob_synth_zero,
  .setup = si_setup,
  .x0_fill = si_x0,
  .raw = si_raw,
  .hvp = si_hvp,
};

OB_SYNTH_TYPE(scale_invariant, "scale-invariant loss of x/||x||, f* = 0 on a ray (undefined at 0)",
              "Heo et al., AdamP, ICLR 2021 (scale-invariant weights); loss 1/2 (u - c)^T D (u - c) of u = x/||x||");
