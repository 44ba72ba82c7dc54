/* gsl_steepest.c -- GSL multimin baseline: steepest descent with GSL's adaptive step (GSL steepest_descent).
 *
 * Reference: Cauchy (1847); GSL gsl_multimin_fdfminimizer_steepest_descent (step doubled after a success, multiplied by tol after a failure).
 * GSL's own iteration, unchanged: one optbench step = one
 * gsl_multimin_fdfminimizer_iterate (the first one also calls _set at x).
 * Every f / gradient / f+gradient evaluation GSL asks for goes through the
 * oracle and is counted there; GSL_ENOPROG ends the run as "stalled" with
 * GSL's reason. No learning rate, so a schedule is refused.
 * Params: step_size = 0.01 (first trial step), tol = 0.1 (factor applied to the trial step after a step that does not decrease f).
 * State: GSL's own work vectors (outside the arena, see gsl_multimin.h).
 */
#include "config.h"

#include "optimizers/gsl_multimin.h"

static const ob_param_spec gsl_steepest_params[] = {
  GSLMM_FDF_PARAMS("0.1", "factor applied to the trial step after a step that does not decrease f")
};

static int gsl_steepest_configure(void *vs, const json_t *params, ob_error *err)
{
  return gslmm_configure(vs, params, "steepest_descent", gsl_multimin_fdfminimizer_steepest_descent, NULL, err);
}

const ob_optimizer_type ob_optimizer_gsl_steepest = {
  .name = "gsl_steepest",
  .summary = "steepest descent with GSL's adaptive step (GSL steepest_descent)",
  .reference = "Cauchy (1847); GSL gsl_multimin_fdfminimizer_steepest_descent (step doubled after a success, multiplied by tol after a failure)",
  .params = gsl_steepest_params,
  .state_size = sizeof(gslmm_state),
  .needs = OB_NEEDS_GRAD,
  .configure = gsl_steepest_configure,
  .nvectors = NULL,
  .init = gslmm_init,
  .step = gslmm_step,
  .traffic = NULL,
  .free = gslmm_free,
};
