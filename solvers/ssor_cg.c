/* ssor_cg.c -- conjugate gradients preconditioned by SSOR.
 *
 * Preconditioned CG: Saad, "Iterative Methods for Sparse Linear Systems",
 * 2003, Alg. 9.1; SSOR preconditioner: Saad eq. 10.14 (Axelsson 1972):
 *   M = omega/(2 - omega) (D/omega + L) (D/omega)^-1 (D/omega + U),
 * applied as z = M^-1 r by a forward solve (D/omega + L) y = r, y <- (D/omega) y,
 * a backward solve (D/omega + U) z = y, and z <- (2 - omega)/omega z. The
 * triangular solves reuse the view's row access on a zeroed vector, so the
 * not-yet-computed entries contribute exactly 0. One step:
 *   q = A p, alpha = r'z / p'q, x += alpha p, r -= alpha q, z = M^-1 r,
 *   beta = r'z(new) / r'z(old), p = z + beta p.
 * The SPD preconditioner needs SPD A and omega in (0, 2); the stopping test
 * uses the recursive residual. Khodak et al. (ICLR 2024) extend the omega
 * learning to this solver; the omega policy is the relaxed solvers' one.
 * State vectors: r, z, p, q, y.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "bench/ob_vec.h"
#include "solvers/solver.h"

typedef struct {
  ob_omega_policy_config pc;
  double *z, *p, *q, *y;
  double rz;
  ob_solver_run run;
} ssor_cg_state;

static const ob_param_spec ssor_cg_params[] = {
  OB_OMEGA_POLICY_PARAMS,
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }
};

static int ssor_cg_configure(void *vs, const json_t *params, ob_error *err)
{
  (void)err;
  ob_omega_policy_config_read(&((ssor_cg_state *)vs)->pc, params);
  return OB_OK;
}

static size_t ssor_cg_nvectors(const void *vs)
{
  (void)vs;
  return 5;
}

/* z = M_SSOR(omega)^-1 r */
static void ssor_apply(const struct ob_linsys_view *v, double omega, const double *r, double *y, double *z)
{
  const size_t n = v->n;
  memset(y, 0, n * sizeof *y);
  for (size_t i = 0; i < n; i++) y[i] = omega * (r[i] - v->offdiag_dot(v->ctx, i, y)) / v->diag[i];
  for (size_t i = 0; i < n; i++) y[i] *= v->diag[i] / omega;
  memset(z, 0, n * sizeof *z);
  for (size_t i = n; i-- > 0;) z[i] = omega * (y[i] - v->offdiag_dot(v->ctx, i, z)) / v->diag[i];
  const double scale = (2.0 - omega) / omega;
  for (size_t i = 0; i < n; i++) z[i] *= scale;
}

static void ssor_cg_restart(ssor_cg_state *s)
{
  size_t n = s->run.v->n;
  ssor_apply(s->run.v, s->run.omega, s->run.r, s->y, s->z);
  memcpy(s->p, s->z, n * sizeof *s->p);
  s->rz = ob_vec_dot(s->run.r, s->z, n);
}

static int ssor_cg_init(void *vs, size_t n, double *const *vec, const ob_problem *p, ob_error *err)
{
  ssor_cg_state *s = vs;
  (void)n;
  s->z = vec[1];
  s->p = vec[2];
  s->q = vec[3];
  s->y = vec[4];
  int rc = ob_solver_begin(&s->run, p, vec[0], &s->pc, err);
  if (rc < 0) return rc;
  if (!s->run.v->spd)
    return ob_error_set(err, OB_EUNSUPPORTED, "SSOR-preconditioned CG needs a symmetric positive definite matrix");
  if (!s->run.v->seq) ssor_cg_restart(s);
  return OB_OK;
}

static int ssor_cg_step(void *vs, const ob_step_ctx *ctx, ob_oracle *o, double *x, double *g, ob_error *err)
{
  ssor_cg_state *s = vs;
  const struct ob_linsys_view *v = s->run.v;
  const size_t n = v->n;
  double *r = s->run.r, *p = s->p, *q = s->q, *z = s->z;
  (void)ctx; (void)o; (void)g; (void)err;
  if (ob_solver_pre(&s->run, x)) ssor_cg_restart(s);
  v->matvec(v->ctx, p, q);
  double alpha = s->rz / ob_vec_dot(p, q, n);
#pragma omp parallel for schedule(static) if (n >= OB_VEC_PAR_MIN)
  for (size_t i = 0; i < n; i++) {
    x[i] += alpha * p[i];
    r[i] -= alpha * q[i];
  }
  ssor_apply(v, s->run.omega, r, s->y, z);
  double rz = ob_vec_dot(r, z, n), beta = rz / s->rz;
  s->rz = rz;
#pragma omp parallel for schedule(static) if (n >= OB_VEC_PAR_MIN)
  for (size_t i = 0; i < n; i++) p[i] = z[i] + beta * p[i];
  return ob_solver_post(&s->run, ob_vec_nrm2(r, n));
}

static double ssor_cg_traffic(const void *vs)
{
  (void)vs;
  return 24.0 * sizeof(double);
}

static void ssor_cg_free(void *vs)
{
  ob_solver_end(&((ssor_cg_state *)vs)->run);
}

const ob_optimizer_type ob_optimizer_ssor_cg = {
  .name = "ssor_cg",
  .summary = "CG preconditioned by SSOR(omega); omega fixed, Young's, or learned across a sequence",
  .reference = "Axelsson 1972; Saad, Iterative Methods for Sparse Linear Systems (2003), Alg. 9.1 and eq. 10.14; "
               "Khodak et al., Learning to Relax, ICLR 2024",
  .params = ssor_cg_params,
  .state_size = sizeof(ssor_cg_state),
  .needs = OB_NEEDS_LINSYS,
  .configure = ssor_cg_configure,
  .nvectors = ssor_cg_nvectors,
  .init = ssor_cg_init,
  .step = ssor_cg_step,
  .traffic = ssor_cg_traffic,
  .free = ssor_cg_free,
};
