/* sphere.c -- the sphere function, the simplest separable test: every method
 * should solve it (Hansen et al. 2009, BBOB f1; Jamil & Yang 2013, no. 136).
 *
 *   f(z) = sum_i z_i^2,   g_i = 2 z_i,   H = 2 I,   f* = 0 at z* = 0
 *
 * On x through the instance transformation z = R (x - s) (problems/instance.h):
 * instance 0 (default) is the literal function with x* = 0; instance k >= 1
 * moves x* to a seeded s in [-4, 4]^n and rotates (which the sphere does not
 * notice, but the shift it does). Search region [-5, 5]^n; x0 = (1, ..., 1).
 * Params: dim=10 [1, 1e8], instance=0, rotate=true.
 * f and g are one fixed-block ob_vec_reduce pass, Hv element-wise: bit-identical
 * for every thread count.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>

#include "bench/ob_vec.h"
#include "problems/synth.h"

static const ob_param_spec sphere_params[] = {
  { "dim", OB_PARAM_INT, "10", 1, 1e8, 0, NULL, "d", "dimension n" },
  OB_INSTANCE_PARAM_SPECS,
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }
};

typedef struct {
  const double *z;
  double *g;
} sphere_ctx;

static double sphere_block(void *vctx, size_t lo, size_t hi)
{
  const sphere_ctx *c = vctx;
  double acc = 0.0;
  for (size_t i = lo; i < hi; i++) {
    acc += c->z[i] * c->z[i];
    if (c->g) c->g[i] = 2.0 * c->z[i];
  }
  return acc;
}

static int sphere_raw(ob_synth *s, const double *z, double *f, double *gz, ob_error *err)
{
  sphere_ctx c = { z, gz };
  (void)err;
  *f = ob_vec_reduce(sphere_block, &c, s->n);
  return OB_OK;
}

static int sphere_hvp(ob_synth *s, const double *z, const double *w, double *out, ob_error *err)
{
  size_t n = s->n;
  (void)z;
  (void)err;
#pragma omp parallel for schedule(static) if (n >= OB_VEC_PAR_MIN)
  for (size_t i = 0; i < n; i++) out[i] = 2.0 * w[i];
  return OB_OK;
}

static const ob_synth_def sphere_def = {
  .halfwidth = 5.0,
  .x0 = 1.0,
  .zopt = ob_synth_zero,
  .fopt = ob_synth_zero,
  .raw = sphere_raw,
  .hvp = sphere_hvp,
};

OB_SYNTH_TYPE(sphere, "sphere sum z_i^2, f* = 0 at x* (0, or the instance's shift)",
              "Hansen et al., BBOB 2009 noiseless functions (INRIA RR-6829), f1; Jamil & Yang, IJMMNO 4(2) (2013), no. 136");
