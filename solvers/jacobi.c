/* jacobi.c -- the (weighted) Jacobi iteration.
 *
 * Jacobi 1845; Saad, "Iterative Methods for Sparse Linear Systems", 2003,
 * eq. 4.4 (weighted form: sec. 13.2.2). With A = D + L + U one step is
 *   x_i <- (1 - w) x_i + w (b_i - sum_{j!=i} a_ij x_i^old) / a_ii,   all i at once,
 * i.e. x <- x + w D^-1 (b - A x); then r = b - A x for the stopping test.
 * With w = 1 the error contracts asymptotically by rho(J) = rho(I - D^-1 A)
 * per step (for the Poisson problems rho(J) = cos(pi h) when c = 0). The
 * update of every unknown is independent: parallel and bit-identical for
 * every thread count. State vectors: r and the previous iterate.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "bench/ob_vec.h"
#include "solvers/solver.h"

typedef struct {
  double weight;
  double *xold;
  ob_solver_run run;
} jacobi_state;

static const ob_param_spec jacobi_params[] = {
  { "weight", OB_PARAM_REAL, "1", 0.0, 2.0, OB_PARAM_MIN_OPEN | OB_PARAM_MAX_OPEN, NULL, "w",
    "damping w of weighted Jacobi (1: plain Jacobi)" },
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }
};

static int jacobi_configure(void *vs, const json_t *params, ob_error *err)
{
  (void)err;
  ((jacobi_state *)vs)->weight = ob_params_real(params, "weight");
  return OB_OK;
}

static size_t jacobi_nvectors(const void *vs)
{
  (void)vs;
  return 2;
}

static int jacobi_init(void *vs, size_t n, double *const *vec, const ob_problem *p, ob_error *err)
{
  jacobi_state *s = vs;
  (void)n;
  s->xold = vec[1];
  return ob_solver_begin(&s->run, p, vec[0], NULL, err);
}

static int jacobi_step(void *vs, const ob_step_ctx *ctx, ob_oracle *o, double *x, double *g, ob_error *err)
{
  jacobi_state *s = vs;
  const struct ob_linsys_view *v = s->run.v;
  const size_t n = v->n;
  const double w = s->weight, w1 = 1.0 - s->weight;
  double *xold = s->xold;
  (void)ctx; (void)o; (void)g; (void)err;
  ob_solver_pre(&s->run, x);
  memcpy(xold, x, n * sizeof *x);
#pragma omp parallel for schedule(static) if (n >= OB_VEC_PAR_MIN)
  for (size_t i = 0; i < n; i++)
    x[i] = w1 * xold[i] + w * ((v->b[i] - v->offdiag_dot(v->ctx, i, xold)) * v->inv_diag[i]);
  return ob_solver_post(&s->run, ob_linsys_residual(v, x, s->run.r));
}

static double jacobi_traffic(const void *vs)
{
  (void)vs;
  return 10.0 * sizeof(double);   /* copy x; read xold, b, diag, write x; residual */
}

static void jacobi_free(void *vs)
{
  ob_solver_end(&((jacobi_state *)vs)->run);
}

const ob_optimizer_type ob_optimizer_jacobi = {
  .name = "jacobi",
  .summary = "(weighted) Jacobi iteration x <- x + w D^-1 (b - A x)",
  .reference = "Jacobi 1845; Saad, Iterative Methods for Sparse Linear Systems (2003), eq. 4.4",
  .params = jacobi_params,
  .state_size = sizeof(jacobi_state),
  .needs = OB_NEEDS_LINSYS,
  .configure = jacobi_configure,
  .nvectors = jacobi_nvectors,
  .init = jacobi_init,
  .step = jacobi_step,
  .traffic = jacobi_traffic,
  .free = jacobi_free,
};
