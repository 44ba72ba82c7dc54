/* gsl_nm.c -- GSL multimin baseline: Nelder-Mead simplex (GSL nmsimplex2).
 *
 * Nelder & Mead, "A simplex method for function minimization", Computer
 * Journal 7(4) (1965); GSL's gsl_multimin_fminimizer_nmsimplex2 (O(n)
 * operations per iteration, the simplex size updated incrementally). f only:
 * no gradients are evaluated. One optbench step = one
 * gsl_multimin_fminimizer_iterate (the first one also calls _set with an
 * initial simplex of edge step_size around x); x reported after a step is the
 * best vertex. Every f evaluation goes through the oracle. The run ends as
 * "stalled" when the simplex's characteristic size
 * (gsl_multimin_fminimizer_size) falls to size_tol or below: the method can
 * no longer move.
 * Params: step_size = 0.1, size_tol = 1e-12. State: GSL's own (outside the arena).
 */
#include "config.h"

#include "optimizers/gsl_multimin.h"

static const ob_param_spec gsl_nm_params[] = {
  { "step_size", OB_PARAM_REAL, "0.1", 0.0, HUGE_VAL, OB_PARAM_MIN_OPEN, NULL, "step",
    "initial simplex: x plus step_size along each coordinate" },
  { "size_tol", OB_PARAM_REAL, "1e-12", 0.0, HUGE_VAL, 0, NULL, NULL,
    "stalled once the simplex size is at most this (GSL's gsl_multimin_test_size)" },
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }
};

static int gsl_nm_configure(void *vs, const json_t *params, ob_error *err)
{
  return gslmm_configure(vs, params, "nmsimplex2", NULL, gsl_multimin_fminimizer_nmsimplex2, err);
}

const ob_optimizer_type ob_optimizer_gsl_nm = {
  .name = "gsl_nm",
  .summary = "Nelder-Mead simplex, f only (GSL nmsimplex2)",
  .reference = "Nelder & Mead, Computer Journal 7(4) 1965; GSL gsl_multimin_fminimizer_nmsimplex2",
  .params = gsl_nm_params,
  .state_size = sizeof(gslmm_state),
  .needs = 0,
  .configure = gsl_nm_configure,
  .nvectors = NULL,
  .init = gslmm_init,
  .step = gslmm_step,
  .traffic = NULL,
  .free = gslmm_free,
};
