/* styblinski_tang.c -- the Styblinski-Tang function: a separable quartic with
 * 2^n local minima, one global (Styblinski & Tang, "Experiments in nonconvex
 * optimization: stochastic approximation with function smoothing and simulated
 * annealing", Neural Networks 3(4), 1990; Jamil & Yang 2013, no. 144).
 *
 *   f(z) = 1/2 sum_i (z_i^4 - 16 z_i^2 + 5 z_i)
 *   g_i  = 1/2 (4 z_i^3 - 32 z_i + 5),   H = diag(6 z_i^2 - 16)
 *   z*_i = -2.903534027771177 (the smaller root of 4 t^3 - 32 t + 5 = 0)
 *   f*   = n * t*,  t* = 1/2 (z*^4 - 16 z*^2 + 5 z*) = -39.16616570377142...
 * f* is computed in double from z* by the same expression, times n; f(x*)
 * sums n equal terms and can differ from it in the last bits (relative
 * n * 2^-53). The other local minimizer per coordinate is near 2.7468.
 * Instance k >= 1 moves the optimum to a seeded s in [-4, 4]^n and rotates.
 * Search region [-5, 5]^n; x0 = (0, ..., 0) (g_i = 2.5, not stationary).
 * Params: dim=10 [1, 1e8], instance=0, rotate=true. Sums use ob_vec_reduce.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>

#include "bench/ob_vec.h"
#include "problems/synth.h"

/* root of 4 t^3 - 32 t + 5 near -2.9 (30 digits by a multiprecision Newton solve) */
#define ST_ZOPT (-2.90353402777117709511891759551)

static const ob_param_spec styblinski_tang_params[] = {
  { "dim", OB_PARAM_INT, "10", 1, 1e8, 0, NULL, "d", "dimension n" },
  OB_INSTANCE_PARAM_SPECS,
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }
};

static double st_term(double t)
{
  double t2 = t * t;
  return 0.5 * (t2 * t2 - 16.0 * t2 + 5.0 * t);
}

typedef struct {
  const double *z;
  double *g;
} st_ctx;

static double st_block(void *vctx, size_t lo, size_t hi)
{
  const st_ctx *c = vctx;
  double acc = 0.0;
  for (size_t i = lo; i < hi; i++) {
    double t = c->z[i];
    acc += st_term(t);
    if (c->g) c->g[i] = 0.5 * (4.0 * t * t * t - 32.0 * t + 5.0);
  }
  return acc;
}

static int st_raw(ob_synth *s, const double *z, double *f, double *gz, ob_error *err)
{
  st_ctx c = { z, gz };
  (void)err;
  *f = ob_vec_reduce(st_block, &c, s->n);
  return OB_OK;
}

static int st_hvp(ob_synth *s, const double *z, const double *w, double *out, ob_error *err)
{
  size_t n = s->n;
  (void)err;
#pragma omp parallel for schedule(static) if (n >= OB_VEC_PAR_MIN)
  for (size_t i = 0; i < n; i++) out[i] = (6.0 * z[i] * z[i] - 16.0) * w[i];
  return OB_OK;
}

static double st_zopt(const ob_synth *s)
{
  (void)s;
  return ST_ZOPT;
}

static double st_fopt(const ob_synth *s)
{
  return (double)s->n * st_term(ST_ZOPT);
}

static const ob_synth_def styblinski_tang_def = {
  .halfwidth = 5.0,
  .x0 = 0.0,
  .zopt = st_zopt,
  .fopt = st_fopt,
  .raw = st_raw,
  .hvp = st_hvp,
};

OB_SYNTH_TYPE(styblinski_tang, "Styblinski-Tang quartic, 2^n local minima, f* = -39.166... n",
              "Styblinski & Tang, Neural Networks 3(4) (1990); Jamil & Yang, IJMMNO 4(2) (2013), no. 144");
