/* ssor.c -- symmetric SOR: a forward SOR sweep (i = 0..n-1, M = D/omega + L)
 * then a backward one (i = n-1..0, M = D/omega + U) per step.
 *
 * Sheldon 1955; Young 1971, ch. 15; Saad, "Iterative Methods for Sparse
 * Linear Systems", 2003, eq. 4.12-4.13: one step is
 *   x <- x + M_SSOR^-1 (b - A x),
 *   M_SSOR = omega/(2 - omega) (D/omega + L) (D/omega)^-1 (D/omega + U),
 * computed as the two sweeps, then r = b - A x for the stopping test. omega
 * comes from the policy (solvers/omega_policy.h); note that Young's omega is
 * optimal for SOR, not for SSOR. One state vector: r.
 */
#include "config.h"

#include <math.h>

#include "solvers/solver.h"

typedef struct {
  ob_omega_policy_config pc;
  ob_solver_run run;
} ssor_state;

static const ob_param_spec ssor_params[] = {
  OB_OMEGA_POLICY_PARAMS,
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }
};

static int ssor_configure(void *vs, const json_t *params, ob_error *err)
{
  (void)err;
  ob_omega_policy_config_read(&((ssor_state *)vs)->pc, params);
  return OB_OK;
}

static size_t ssor_nvectors(const void *vs)
{
  (void)vs;
  return 1;
}

static int ssor_init(void *vs, size_t n, double *const *vec, const ob_problem *p, ob_error *err)
{
  ssor_state *s = vs;
  (void)n;
  return ob_solver_begin(&s->run, p, vec[0], &s->pc, err);
}

static int ssor_step(void *vs, const ob_step_ctx *ctx, ob_oracle *o, double *x, double *g, ob_error *err)
{
  ssor_state *s = vs;
  (void)ctx; (void)o; (void)g; (void)err;
  ob_solver_pre(&s->run, x);
  ob_linsys_sor_sweep(s->run.v, s->run.omega, false, x);
  ob_linsys_sor_sweep(s->run.v, s->run.omega, true, x);
  return ob_solver_post(&s->run, ob_linsys_residual(s->run.v, x, s->run.r));
}

static double ssor_traffic(const void *vs)
{
  (void)vs;
  return 12.0 * sizeof(double);  /* two sweeps (read x, b, diag, write x) and the residual */
}

static void ssor_free(void *vs)
{
  ob_solver_end(&((ssor_state *)vs)->run);
}

const ob_optimizer_type ob_optimizer_ssor = {
  .name = "ssor",
  .summary = "symmetric SOR: a forward and a backward SOR sweep per step",
  .reference = "Sheldon 1955; Young 1971, ch. 15; Saad, Iterative Methods for Sparse Linear Systems (2003), eq. 4.12",
  .params = ssor_params,
  .state_size = sizeof(ssor_state),
  .needs = OB_NEEDS_LINSYS,
  .configure = ssor_configure,
  .nvectors = ssor_nvectors,
  .init = ssor_init,
  .step = ssor_step,
  .traffic = ssor_traffic,
  .free = ssor_free,
};
