/* schwefel.c -- the Schwefel function (problem 2.26): a deceptive separable
 * landscape whose best local minima are far apart and whose global one sits
 * near the corner of the search box (Schwefel, Numerical Optimization of
 * Computer Models, Wiley, 1981; Jamil & Yang 2013, no. 128).
 *
 *   f(z) = sum_i [ c - z_i sin(sqrt|z_i|) + P(z_i) ],   P(t) = max(0, |t| - 500)^2
 *   z*_i = 420.968746359982027...,  c = z* sin(sqrt z*) = 418.98288727243370...,  f* = 0
 *   g_i  = -sin(sqrt|z_i|) - (sqrt|z_i| / 2) cos(sqrt|z_i|) + P'(z_i)
 *   H_ii = -sign(z_i) [ 3 cos(sqrt|z_i|) / (4 sqrt|z_i|) - sin(sqrt|z_i|) / 4 ] + P''(z_i)
 *
 * Without bounds the literal function is unbounded below (the next ripple
 * beyond |z| = 500 is deeper), so, as BBOB's f20 does with its f_pen, we add the
 * quadratic penalty P outside [-500, 500]; inside the box f is the textbook one
 * and f* = 0 is the global minimum on all of R^n. c is computed in configure as
 * z* sin(sqrt z*) with the same libm call as f, so each term is exactly 0 at z*;
 * a point one ulp away may be below by rounding (about 1e-13 per coordinate).
 * H has an integrable singularity at z_i = 0, where we return 0.
 * Instance k >= 1 moves the optimum to a seeded s in [-400, 400]^n and rotates.
 * Search region [-500, 500]^n; x0 = (100, ..., 100). Params: dim=10 [1, 1e8],
 * instance=0, rotate=true. The sum uses ob_vec_reduce.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>

#include "bench/ob_vec.h"
#include "problems/synth.h"

/* root of sin(sqrt t) + sqrt(t)/2 cos(sqrt t) = 0 near 421 (multiprecision Newton solve) */
#define SCHWEFEL_ZOPT 420.968746359982027311844365019
#define SCHWEFEL_BOX 500.0

static const ob_param_spec schwefel_params[] = {
  { "dim", OB_PARAM_INT, "10", 1, 1e8, 0, NULL, "d", "dimension n" },
  OB_INSTANCE_PARAM_SPECS,
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }
};

static int schwefel_setup(ob_synth *s, ob_error *err)
{
  (void)err;
  s->c = SCHWEFEL_ZOPT * sin(sqrt(SCHWEFEL_ZOPT));
  return OB_OK;
}

typedef struct {
  const double *z;
  double *g;
  double c;
} schwefel_ctx;

static double schwefel_block(void *vctx, size_t lo, size_t hi)
{
  const schwefel_ctx *ctx = vctx;
  double acc = 0.0;
  for (size_t i = lo; i < hi; i++) {
    double t = ctx->z[i], r = sqrt(fabs(t)), sr = sin(r), ex = fabs(t) - SCHWEFEL_BOX;
    acc += ctx->c - t * sr;
    if (ex > 0) acc += ex * ex;
    if (ctx->g) {
      double gi = -sr - 0.5 * r * cos(r);
      if (ex > 0) gi += copysign(2.0 * ex, t);
      ctx->g[i] = gi;
    }
  }
  return acc;
}

static int schwefel_raw(ob_synth *s, const double *z, double *f, double *gz, ob_error *err)
{
  schwefel_ctx c = { z, gz, s->c };
  (void)err;
  *f = ob_vec_reduce(schwefel_block, &c, s->n);
  return OB_OK;
}

static int schwefel_hvp(ob_synth *s, const double *z, const double *w, double *out, ob_error *err)
{
  size_t n = s->n;
  (void)err;
#pragma omp parallel for schedule(static) if (n >= OB_VEC_PAR_MIN)
  for (size_t i = 0; i < n; i++) {
    double t = z[i], r = sqrt(fabs(t)), h = 0.0;
    if (r > 0) h = (t > 0 ? -1.0 : 1.0) * (0.75 * cos(r) / r - 0.25 * sin(r));
    if (fabs(t) > SCHWEFEL_BOX) h += 2.0;
    out[i] = h * w[i];
  }
  return OB_OK;
}

static double schwefel_zopt(const ob_synth *s)
{
  (void)s;
  return SCHWEFEL_ZOPT;
}

static const ob_synth_def schwefel_def = {
  .halfwidth = SCHWEFEL_BOX,
  .x0 = 100.0,
  .zopt = schwefel_zopt,
  .fopt = ob_synth_zero,
  .setup = schwefel_setup,
  .raw = schwefel_raw,
  .hvp = schwefel_hvp,
};

OB_SYNTH_TYPE(schwefel, "Schwefel 2.26 with a penalty outside [-500, 500]^n, f* = 0 at x* (420.97, or the shift)",
              "Schwefel, Numerical Optimization of Computer Models (1981), problem 2.26; Jamil & Yang, IJMMNO 4(2) (2013), no. 128; penalty after BBOB f20");
