/* discus.c -- the discus (tablet): one steep direction, all others easy
 * (Hansen et al. 2009, BBOB f11, without BBOB's oscillation transform T_osz).
 *
 *   f(z) = condition * z_0^2 + sum_{i>=1} z_i^2,   g = 2 diag(w) z,   H = 2 diag(w)
 *   w = (condition, 1, ..., 1),   f* = 0 at z* = 0
 *
 * Default condition 1e6 (BBOB's). Instance k >= 1 moves the optimum to a seeded
 * s in [-4, 4]^n and rotates. Search region [-5, 5]^n; x0 = (1, ..., 1).
 * Params: dim=10 [1, 1e8], condition=1e6 [1, 1e12], instance=0, rotate=true.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>

#include "problems/weighted.h"

static const ob_param_spec discus_params[] = {
  { "dim", OB_PARAM_INT, "10", 1, 1e8, 0, NULL, "d", "dimension n" },
  { "condition", OB_PARAM_REAL, "1e6", 1, 1e12, 0, NULL, "cond",
    "weight of the first coordinate (the condition number)" },
  OB_INSTANCE_PARAM_SPECS,
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }
};

static int discus_setup(ob_synth *s, ob_error *err)
{
  (void)err;
  for (size_t i = 0; i < s->n; i++) s->work[i] = i == 0 ? s->a : 1.0;
  return OB_OK;
}

static const ob_synth_def discus_def = {
  .param = "condition",
  .halfwidth = 5.0,
  .work_per_dim = 1,
  .x0 = 1.0,
  .zopt = ob_synth_zero,
  .fopt = ob_synth_zero,
  .setup = discus_setup,
  .raw = weighted_raw,
  .hvp = weighted_hvp,
};

OB_SYNTH_TYPE(discus, "discus condition z_0^2 + sum_{i>=1} z_i^2, f* = 0",
              "Hansen et al., BBOB 2009 noiseless functions (INRIA RR-6829), f11 (without T_osz)");
