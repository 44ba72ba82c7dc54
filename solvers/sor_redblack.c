/* sor_redblack.c -- SOR in red-black ordering, parallel with OpenMP.
 *
 * Young 1971, ch. 5 (the red-black ordering is consistently ordered, so
 * Young's omega* applies); Saad, "Iterative Methods for Sparse Linear
 * Systems", 2003, sec. 12.4.1 (multicolor SOR). Unknowns are coloured by the
 * parity of i + j (+ k) on the grid; one step updates every red unknown, then
 * every black one, each with the SOR formula
 *   x_i <- (1 - omega) x_i + omega (b_i - sum_{j!=i} a_ij x_j) / a_ii.
 * Unknowns of one colour are uncoupled, so the half sweeps are parallel and
 * every thread count gives bit-identical iterates (tested). Needs a
 * 2-colourable problem (the Poisson stencils): skipped on others. Then
 * r = b - A x for the stopping test. One state vector: r.
 */
#include "config.h"

#include <math.h>

#include "solvers/solver.h"

typedef struct {
  ob_omega_policy_config pc;
  ob_solver_run run;
} sor_redblack_state;

static const ob_param_spec sor_redblack_params[] = {
  OB_OMEGA_POLICY_PARAMS,
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }
};

static int sor_redblack_configure(void *vs, const json_t *params, ob_error *err)
{
  (void)err;
  ob_omega_policy_config_read(&((sor_redblack_state *)vs)->pc, params);
  return OB_OK;
}

static size_t sor_redblack_nvectors(const void *vs)
{
  (void)vs;
  return 1;
}

static int sor_redblack_init(void *vs, size_t n, double *const *vec, const ob_problem *p, ob_error *err)
{
  sor_redblack_state *s = vs;
  (void)n;
  int rc = ob_solver_begin(&s->run, p, vec[0], &s->pc, err);
  if (rc == OB_OK && !s->run.v->color)
    rc = ob_error_set(err, OB_EUNSUPPORTED, "red-black ordering needs a 2-colourable stencil problem "
                      "(poisson2d/poisson3d with storage stencil, sor_sequence)");
  return rc;
}

static int sor_redblack_step(void *vs, const ob_step_ctx *ctx, ob_oracle *o, double *x, double *g, ob_error *err)
{
  sor_redblack_state *s = vs;
  (void)ctx; (void)o; (void)g; (void)err;
  ob_solver_pre(&s->run, x);
  ob_linsys_sor_redblack_sweep(s->run.v, s->run.omega, x);
  return ob_solver_post(&s->run, ob_linsys_residual(s->run.v, x, s->run.r));
}

static double sor_redblack_traffic(const void *vs)
{
  (void)vs;
  return 8.0 * sizeof(double);   /* sweep: read x, b, diag, write x; residual: read x, b, diag, write r */
}

static void sor_redblack_free(void *vs)
{
  ob_solver_end(&((sor_redblack_state *)vs)->run);
}

const ob_optimizer_type ob_optimizer_sor_redblack = {
  .name = "sor_redblack",
  .summary = "SOR in red-black ordering, OpenMP-parallel half sweeps, deterministic for every thread count",
  .reference = "Young 1971, ch. 5; Saad, Iterative Methods for Sparse Linear Systems (2003), sec. 12.4.1",
  .params = sor_redblack_params,
  .state_size = sizeof(sor_redblack_state),
  .needs = OB_NEEDS_LINSYS,
  .configure = sor_redblack_configure,
  .nvectors = sor_redblack_nvectors,
  .init = sor_redblack_init,
  .step = sor_redblack_step,
  .traffic = sor_redblack_traffic,
  .free = sor_redblack_free,
};
