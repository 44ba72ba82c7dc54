/* cg.c -- the conjugate gradient method for SPD systems.
 *
 * Hestenes & Stiefel, "Methods of conjugate gradients for solving linear
 * systems", J. Res. NBS 49 (1952); Saad, "Iterative Methods for Sparse Linear
 * Systems", 2003, Alg. 6.18. From r_0 = b - A x_0, p_0 = r_0, one step is
 *   q = A p,  alpha = r'r / p'q,  x += alpha p,  r -= alpha q,
 *   beta = r'r(new) / r'r(old),  p = r + beta p.
 * The stopping test uses the recursively updated residual (the standard
 * practice; the true residual is reported in final.residual). In exact
 * arithmetic CG ends in at most n steps (tested on small systems). Dot
 * products are fixed-block reductions: bit-identical for every thread count.
 * Skipped on problems whose matrix is not SPD. State vectors: r, p, q.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "bench/ob_vec.h"
#include "solvers/solver.h"

typedef struct {
  double *p, *q;
  double rr;
  ob_solver_run run;
} cg_state;

static const ob_param_spec cg_params[] = {
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }
};

static int cg_configure(void *vs, const json_t *params, ob_error *err)
{
  (void)vs; (void)params; (void)err;   /* no parameters */
  return OB_OK;
}

static size_t cg_nvectors(const void *vs)
{
  (void)vs;
  return 3;
}

static void cg_restart(cg_state *s)
{
  size_t n = s->run.v->n;
  memcpy(s->p, s->run.r, n * sizeof *s->p);
  s->rr = ob_vec_dot(s->run.r, s->run.r, n);
}

static int cg_init(void *vs, size_t n, double *const *vec, const ob_problem *p, ob_error *err)
{
  cg_state *s = vs;
  (void)n;
  s->p = vec[1];
  s->q = vec[2];
  int rc = ob_solver_begin(&s->run, p, vec[0], NULL, err);
  if (rc < 0) return rc;
  if (!s->run.v->spd) return ob_error_set(err, OB_EUNSUPPORTED, "CG needs a symmetric positive definite matrix");
  if (!s->run.v->seq) cg_restart(s);
  return OB_OK;
}

static int cg_step(void *vs, const ob_step_ctx *ctx, ob_oracle *o, double *x, double *g, ob_error *err)
{
  cg_state *s = vs;
  const struct ob_linsys_view *v = s->run.v;
  const size_t n = v->n;
  double *r = s->run.r, *p = s->p, *q = s->q;
  (void)ctx; (void)o; (void)g; (void)err;
  if (ob_solver_pre(&s->run, x)) cg_restart(s);
  v->matvec(v->ctx, p, q);
  double alpha = s->rr / ob_vec_dot(p, q, n);
#pragma omp parallel for schedule(static) if (n >= OB_VEC_PAR_MIN)
  for (size_t i = 0; i < n; i++) {
    x[i] += alpha * p[i];
    r[i] -= alpha * q[i];
  }
  double rr = ob_vec_dot(r, r, n), beta = rr / s->rr;
  s->rr = rr;
#pragma omp parallel for schedule(static) if (n >= OB_VEC_PAR_MIN)
  for (size_t i = 0; i < n; i++) p[i] = r[i] + beta * p[i];
  return ob_solver_post(&s->run, sqrt(rr));
}

static double cg_traffic(const void *vs)
{
  (void)vs;
  return 12.0 * sizeof(double);   /* matvec (p, diag -> q), 2 dots, 2 axpys, p update */
}

static void cg_free(void *vs)
{
  ob_solver_end(&((cg_state *)vs)->run);
}

const ob_optimizer_type ob_optimizer_cg = {
  .name = "cg",
  .summary = "conjugate gradients (Hestenes-Stiefel) for SPD systems",
  .reference = "Hestenes & Stiefel, J. Res. NBS 49 (1952); Saad, Iterative Methods for Sparse Linear Systems (2003), Alg. 6.18",
  .params = cg_params,
  .state_size = sizeof(cg_state),
  .needs = OB_NEEDS_LINSYS,
  .configure = cg_configure,
  .nvectors = cg_nvectors,
  .init = cg_init,
  .step = cg_step,
  .traffic = cg_traffic,
  .free = cg_free,
};
