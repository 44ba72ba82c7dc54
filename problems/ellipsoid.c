/* ellipsoid.c -- the separable ellipsoid, a smooth ill-conditioned quadratic
 * (Hansen et al. 2009, BBOB f2, without BBOB's oscillation transform T_osz).
 *
 *   f(z) = sum_{i=0}^{n-1} condition^(i/(n-1)) z_i^2   (weight 1 when n = 1)
 *   g_i  = 2 w_i z_i,   H = 2 diag(w),   f* = 0 at z* = 0
 *
 * `condition` (default 1e6, BBOB's value) is the condition number of H. With
 * instance k >= 1 the optimum moves to a seeded s in [-4, 4]^n and the axes are
 * rotated (then it is BBOB f10's rotated ellipsoid, again without T_osz).
 * Search region [-5, 5]^n; x0 = (1, ..., 1).
 * Params: dim=10 [1, 1e8], condition=1e6 [1, 1e12], instance=0, rotate=true.
 * The weights are computed once in configure (arena, n doubles).
 */
#include "config.h"

#include <math.h>
#include <stdint.h>

#include "problems/weighted.h"

static const ob_param_spec ellipsoid_params[] = {
  { "dim", OB_PARAM_INT, "10", 1, 1e8, 0, NULL, "d", "dimension n" },
  { "condition", OB_PARAM_REAL, "1e6", 1, 1e12, 0, NULL, "cond",
    "condition number: weights log-spaced from 1 to this value" },
  OB_INSTANCE_PARAM_SPECS,
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }
};

static int ellipsoid_setup(ob_synth *s, ob_error *err)
{
  (void)err;
  for (size_t i = 0; i < s->n; i++)
    s->work[i] = s->n == 1 ? 1.0 : pow(s->a, (double)i / (double)(s->n - 1));
  return OB_OK;
}

static const ob_synth_def ellipsoid_def = {
  .param = "condition",
  .halfwidth = 5.0,
  .work_per_dim = 1,
  .x0 = 1.0,
  .zopt = ob_synth_zero,
  .fopt = ob_synth_zero,
  .setup = ellipsoid_setup,
  .raw = weighted_raw,
  .hvp = weighted_hvp,
};

OB_SYNTH_TYPE(ellipsoid, "separable ellipsoid sum condition^(i/(n-1)) z_i^2, f* = 0",
              "Hansen et al., BBOB 2009 noiseless functions (INRIA RR-6829), f2 and f10 (without T_osz)");
