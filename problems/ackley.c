/* ackley.c -- the Ackley function: a nearly flat outer region with a deep
 * funnel at the optimum, covered by cosine ripples (Ackley, A Connectionist
 * Machine for Genetic Hillclimbing, Kluwer, 1987; Jamil & Yang 2013, no. 1).
 *
 *   f(z) = a (1 - exp(-b r)) + e (1 - exp(C - 1)),   a = 20, b = 0.2
 *   r = sqrt(sum_i z_i^2 / n),   C = sum_i cos(2 pi z_i) / n,   f* = 0 at z* = 0
 *
 * This is the usual -a exp(-b r) - exp(C) + a + e rearranged so that every
 * part is >= 0 in floating point and f(z*) is exactly 0.
 *   g_i = a b exp(-b r) z_i / (n r) + (2 pi / n) exp(C) sin(2 pi z_i)
 *   H w = p w + (q - p) (z . w) z / rho^2 - exp(C) [(c . w) c + d o w]
 *   rho = ||z||, p = a b exp(-b r) / (n r), q = -(a b^2 / n) exp(-b r),
 *   c_i = -2 pi sin(2 pi z_i) / n, d_i = -4 pi^2 cos(2 pi z_i) / n
 * The first part is a cone at z* (not differentiable there): at r = 0 we use
 * its subgradient 0 and leave it out of H, so the gradient at x* is exactly 0.
 * Instance k >= 1 moves the optimum to a seeded s in [-25.6, 25.6]^n and
 * rotates. Search region [-32, 32]^n (Jamil & Yang); x0 = (10, ..., 10).
 * Params: dim=10 [1, 1e8], instance=0, rotate=true. Sums use ob_vec_reduce.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>

#include "bench/ob_vec.h"
#include "problems/synth.h"

#define ACKLEY_A 20.0
#define ACKLEY_B 0.2
#define ACKLEY_E 2.718281828459045235360287471353
#define ACKLEY_TWO_PI 6.283185307179586476925286766559

static const ob_param_spec ackley_params[] = {
  { "dim", OB_PARAM_INT, "10", 1, 1e8, 0, NULL, "d", "dimension n" },
  OB_INSTANCE_PARAM_SPECS,
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }
};

typedef struct {
  const double *z, *w;
} ackley_ctx;

static double ackley_sq_block(void *vctx, size_t lo, size_t hi)
{
  const ackley_ctx *c = vctx;
  double acc = 0.0;
  for (size_t i = lo; i < hi; i++) acc += c->z[i] * c->z[i];
  return acc;
}

static double ackley_cos_block(void *vctx, size_t lo, size_t hi)
{
  const ackley_ctx *c = vctx;
  double acc = 0.0;
  for (size_t i = lo; i < hi; i++) acc += cos(ACKLEY_TWO_PI * c->z[i]);
  return acc;
}

/* sum_i sin(2 pi z_i) w_i */
static double ackley_sinw_block(void *vctx, size_t lo, size_t hi)
{
  const ackley_ctx *c = vctx;
  double acc = 0.0;
  for (size_t i = lo; i < hi; i++) acc += sin(ACKLEY_TWO_PI * c->z[i]) * c->w[i];
  return acc;
}

static int ackley_raw(ob_synth *s, const double *z, double *f, double *gz, ob_error *err)
{
  size_t n = s->n;
  double dn = (double)n;
  ackley_ctx c = { z, NULL };
  (void)err;
  double sq = ob_vec_reduce(ackley_sq_block, &c, n), cs = ob_vec_reduce(ackley_cos_block, &c, n);
  double r = sqrt(sq / dn), cm = cs / dn, er = exp(-ACKLEY_B * r);
  *f = ACKLEY_A * (1.0 - er) + ACKLEY_E * (1.0 - exp(cm - 1.0));
  if (!gz) return OB_OK;
  double p = r > 0 ? ACKLEY_A * ACKLEY_B * er / (dn * r) : 0.0, q = ACKLEY_TWO_PI * exp(cm) / dn;
#pragma omp parallel for schedule(static) if (n >= OB_VEC_PAR_MIN)
  for (size_t i = 0; i < n; i++) gz[i] = p * z[i] + q * sin(ACKLEY_TWO_PI * z[i]);
  return OB_OK;
}

static int ackley_hvp(ob_synth *s, const double *z, const double *w, double *out, ob_error *err)
{
  size_t n = s->n;
  double dn = (double)n;
  ackley_ctx c = { z, w };
  (void)err;
  double sq = ob_vec_reduce(ackley_sq_block, &c, n), cs = ob_vec_reduce(ackley_cos_block, &c, n);
  double r = sqrt(sq / dn), er = exp(-ACKLEY_B * r), ec = exp(cs / dn);
  double p = 0.0, t = 0.0;
  if (r > 0) {
    double q = -(ACKLEY_A * ACKLEY_B * ACKLEY_B / dn) * er;
    p = ACKLEY_A * ACKLEY_B * er / (dn * r);
    t = (q - p) * ob_vec_dot(z, w, n) / sq;
  }
  /* c . w = -(2 pi / n) sum sin(2 pi z_i) w_i */
  double cw = -(ACKLEY_TWO_PI / dn) * ob_vec_reduce(ackley_sinw_block, &c, n);
#pragma omp parallel for schedule(static) if (n >= OB_VEC_PAR_MIN)
  for (size_t i = 0; i < n; i++) {
    double ang = ACKLEY_TWO_PI * z[i];
    double ci = -ACKLEY_TWO_PI * sin(ang) / dn, di = -ACKLEY_TWO_PI * ACKLEY_TWO_PI * cos(ang) / dn;
    out[i] = p * w[i] + t * z[i] - ec * (cw * ci + di * w[i]);
  }
  return OB_OK;
}

static const ob_synth_def ackley_def = {
  .halfwidth = 32.0,
  .x0 = 10.0,
  .zopt = ob_synth_zero,
  .fopt = ob_synth_zero,
  .raw = ackley_raw,
  .hvp = ackley_hvp,
};

OB_SYNTH_TYPE(ackley, "Ackley: flat outer region, rippled funnel, f* = 0 at x* (0, or the shift)",
              "Ackley, A Connectionist Machine for Genetic Hillclimbing (1987); Jamil & Yang, IJMMNO 4(2) (2013), no. 1");
