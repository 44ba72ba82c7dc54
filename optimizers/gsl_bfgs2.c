/* gsl_bfgs2.c -- GSL multimin baseline: quasi-Newton BFGS (GSL vector_bfgs2).
 *
 * Reference: Fletcher, Practical Methods of Optimization (1987), Algorithms 2.6.2 and 2.6.4 (BFGS with the More-Thuente-style bracketing line search); GSL gsl_multimin_fdfminimizer_vector_bfgs2.
 * GSL's own iteration, unchanged: one optbench step = one
 * gsl_multimin_fdfminimizer_iterate (the first one also calls _set at x).
 * Every f / gradient / f+gradient evaluation GSL asks for goes through the
 * oracle and is counted there; GSL_ENOPROG ends the run as "stalled" with
 * GSL's reason. No learning rate, so a schedule is refused.
 * Params: step_size = 0.01 (first trial step), tol = 0.1 (line-search accuracy: |g.p| <= tol |g0.p| ends the line search (GSL recommends 0.1)).
 * State: GSL's own work vectors (outside the arena, see gsl_multimin.h).
 */
#include "config.h"

#include "optimizers/gsl_multimin.h"

static const ob_param_spec gsl_bfgs2_params[] = {
  GSLMM_FDF_PARAMS("0.1", "line-search accuracy: |g.p| <= tol |g0.p| ends the line search (GSL recommends 0.1)")
};

static int gsl_bfgs2_configure(void *vs, const json_t *params, ob_error *err)
{
  return gslmm_configure(vs, params, "vector_bfgs2", gsl_multimin_fdfminimizer_vector_bfgs2, NULL, err);
}

const ob_optimizer_type ob_optimizer_gsl_bfgs2 = {
  .name = "gsl_bfgs2",
  .summary = "quasi-Newton BFGS (GSL vector_bfgs2)",
  .reference = "Fletcher, Practical Methods of Optimization (1987), Algorithms 2.6.2 and 2.6.4 (BFGS with the More-Thuente-style bracketing line search); GSL gsl_multimin_fdfminimizer_vector_bfgs2",
  .params = gsl_bfgs2_params,
  .state_size = sizeof(gslmm_state),
  .needs = OB_NEEDS_GRAD,
  .configure = gsl_bfgs2_configure,
  .nvectors = NULL,
  .init = gslmm_init,
  .step = gslmm_step,
  .traffic = NULL,
  .free = gslmm_free,
};
