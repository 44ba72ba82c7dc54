/* gauss_seidel.c -- the Gauss-Seidel iteration in natural order.
 *
 * Gauss 1823, Seidel 1874; Saad, "Iterative Methods for Sparse Linear
 * Systems", 2003, eq. 4.8: with A = D + L + U one step is
 *   x <- x + (D + L)^-1 (b - A x),
 * computed as the forward sweep x_i <- (b_i - sum_{j!=i} a_ij x_j) / a_ii,
 * i = 0..n-1, each update using the ones before it; then r = b - A x for the
 * stopping test. For consistently ordered matrices (the Poisson stencils)
 * rho(GS) = rho(J)^2 (Young 1971, ch. 5). Its own kernel (not SOR with
 * omega = 1): the test that SOR(1) reproduces it bit for bit is meaningful.
 * One state vector: r.
 */
#include "config.h"

#include "solvers/solver.h"

typedef struct {
  ob_solver_run run;
} gauss_seidel_state;

static int gauss_seidel_configure(void *vs, const json_t *params, ob_error *err)
{
  (void)vs; (void)params; (void)err;   /* no parameters */
  return OB_OK;
}

static size_t gauss_seidel_nvectors(const void *vs)
{
  (void)vs;
  return 1;
}

static int gauss_seidel_init(void *vs, size_t n, double *const *vec, const ob_problem *p, ob_error *err)
{
  (void)n;
  return ob_solver_begin(&((gauss_seidel_state *)vs)->run, p, vec[0], NULL, err);
}

static int gauss_seidel_step(void *vs, const ob_step_ctx *ctx, ob_oracle *o, double *x, double *g, ob_error *err)
{
  gauss_seidel_state *s = vs;
  (void)ctx; (void)o; (void)g; (void)err;
  ob_solver_pre(&s->run, x);
  ob_linsys_gs_sweep(s->run.v, x);
  return ob_solver_post(&s->run, ob_linsys_residual(s->run.v, x, s->run.r));
}

static double gauss_seidel_traffic(const void *vs)
{
  (void)vs;
  return 8.0 * sizeof(double);
}

static void gauss_seidel_free(void *vs)
{
  ob_solver_end(&((gauss_seidel_state *)vs)->run);
}

static const ob_param_spec gauss_seidel_params[] = {
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }
};

const ob_optimizer_type ob_optimizer_gauss_seidel = {
  .name = "gauss_seidel",
  .summary = "Gauss-Seidel in natural order, x <- x + (D + L)^-1 (b - A x)",
  .reference = "Seidel 1874; Saad, Iterative Methods for Sparse Linear Systems (2003), eq. 4.8",
  .params = gauss_seidel_params,
  .state_size = sizeof(gauss_seidel_state),
  .needs = OB_NEEDS_LINSYS,
  .configure = gauss_seidel_configure,
  .nvectors = gauss_seidel_nvectors,
  .init = gauss_seidel_init,
  .step = gauss_seidel_step,
  .traffic = gauss_seidel_traffic,
  .free = gauss_seidel_free,
};
