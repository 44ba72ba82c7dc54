/* sor.c -- successive over-relaxation in natural (lexicographic) order.
 *
 * Young, "Iterative methods for solving partial difference equations of
 * elliptic type" (PhD thesis, Harvard, 1950) and "Iterative Solution of Large
 * Linear Systems" (1971); Saad, "Iterative Methods for Sparse Linear Systems",
 * 2003, eq. 4.10-4.11. With A = D + L + U (strictly lower L, upper U) and
 * M = D/omega + L exactly, one step is x <- x + M^-1 (b - A x), computed as
 * the forward sweep i = 0..n-1
 *   x_i <- (1 - omega) x_i + omega (b_i - sum_{j<i} a_ij x_j^new - sum_{j>i} a_ij x_j) / a_ii,
 * followed by r = b - A x (the stopping test: ||r|| / ||r0|| < tol). omega
 * comes from the policy (solvers/omega_policy.h): fixed, Young's
 * omega* = 2 / (1 + sqrt(1 - rho(J)^2)) (Young 1950), or a learner across a
 * sequence (Khodak et al., "Learning to Relax", ICLR 2024). Sequential by
 * nature (each update reads the previous one); the residual is parallel and
 * deterministic. One state vector: r.
 */
#include "config.h"

#include <math.h>

#include "solvers/solver.h"

typedef struct {
  ob_omega_policy_config pc;
  ob_solver_run run;
} sor_state;

static const ob_param_spec sor_params[] = {
  OB_OMEGA_POLICY_PARAMS,
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }
};

static int sor_configure(void *vs, const json_t *params, ob_error *err)
{
  (void)err;
  ob_omega_policy_config_read(&((sor_state *)vs)->pc, params);
  return OB_OK;
}

static size_t sor_nvectors(const void *vs)
{
  (void)vs;
  return 1;
}

static int sor_init(void *vs, size_t n, double *const *vec, const ob_problem *p, ob_error *err)
{
  sor_state *s = vs;
  (void)n;
  return ob_solver_begin(&s->run, p, vec[0], &s->pc, err);
}

static int sor_step(void *vs, const ob_step_ctx *ctx, ob_oracle *o, double *x, double *g, ob_error *err)
{
  sor_state *s = vs;
  (void)ctx; (void)o; (void)g; (void)err;
  ob_solver_pre(&s->run, x);
  ob_linsys_sor_sweep(s->run.v, s->run.omega, false, x);
  return ob_solver_post(&s->run, ob_linsys_residual(s->run.v, x, s->run.r));
}

static double sor_traffic(const void *vs)
{
  (void)vs;
  return 8.0 * sizeof(double);   /* sweep: read x, b, diag, write x; residual: read x, b, diag, write r */
}

static void sor_free(void *vs)
{
  ob_solver_end(&((sor_state *)vs)->run);
}

const ob_optimizer_type ob_optimizer_sor = {
  .name = "sor",
  .summary = "SOR in natural order, M = D/omega + L; omega fixed, Young's, or learned across a sequence",
  .reference = "Young 1950/1971; Saad, Iterative Methods for Sparse Linear Systems (2003), eq. 4.10; "
               "Khodak et al., Learning to Relax, ICLR 2024",
  .params = sor_params,
  .state_size = sizeof(sor_state),
  .needs = OB_NEEDS_LINSYS,
  .configure = sor_configure,
  .nvectors = sor_nvectors,
  .init = sor_init,
  .step = sor_step,
  .traffic = sor_traffic,
  .free = sor_free,
};
