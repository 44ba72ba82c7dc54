/* gsl_cg_fr.c -- GSL multimin baseline: nonlinear conjugate gradient, Fletcher-Reeves (GSL conjugate_fr).
 *
 * Reference: Fletcher & Reeves, Computer Journal 7(2) (1964); GSL gsl_multimin_fdfminimizer_conjugate_fr.
 * GSL's own iteration, unchanged: one optbench step = one
 * gsl_multimin_fdfminimizer_iterate (the first one also calls _set at x).
 * Every f / gradient / f+gradient evaluation GSL asks for goes through the
 * oracle and is counted there; GSL_ENOPROG ends the run as "stalled" with
 * GSL's reason. No learning rate, so a schedule is refused.
 * Params: step_size = 0.01 (first trial step), tol = 1e-4 (line-minimization accuracy (the GSL manual's example uses 1e-4)).
 * State: GSL's own work vectors (outside the arena, see gsl_multimin.h).
 */
#include "config.h"

#include "optimizers/gsl_multimin.h"

static const ob_param_spec gsl_cg_fr_params[] = {
  GSLMM_FDF_PARAMS("1e-4", "line-minimization accuracy (the GSL manual's example uses 1e-4)")
};

static int gsl_cg_fr_configure(void *vs, const json_t *params, ob_error *err)
{
  return gslmm_configure(vs, params, "conjugate_fr", gsl_multimin_fdfminimizer_conjugate_fr, NULL, err);
}

const ob_optimizer_type ob_optimizer_gsl_cg_fr = {
  .name = "gsl_cg_fr",
  .summary = "nonlinear conjugate gradient, Fletcher-Reeves (GSL conjugate_fr)",
  .reference = "Fletcher & Reeves, Computer Journal 7(2) (1964); GSL gsl_multimin_fdfminimizer_conjugate_fr",
  .params = gsl_cg_fr_params,
  .state_size = sizeof(gslmm_state),
  .needs = OB_NEEDS_GRAD,
  .configure = gsl_cg_fr_configure,
  .nvectors = NULL,
  .init = gslmm_init,
  .step = gslmm_step,
  .traffic = NULL,
  .free = gslmm_free,
};
