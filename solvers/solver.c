/* solver.c -- the stopping test and sequence walk shared by the linear
 * solvers; see solver.h. The relative-residual test ||b - A x_k|| / ||b - A x_0||
 * < tol is the one of Khodak et al. 2024 (tol = 1e-8) and Saad 2003, sec. 6.11.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "bench/ob_clock.h"
#include "solvers/solver.h"

int ob_solver_begin(ob_solver_run *s, const ob_problem *p, double *r, const ob_omega_policy_config *pc,
                    ob_error *err)
{
  memset(s, 0, sizeof *s);
  s->v = p->type->linsys ? p->type->linsys(p->state) : NULL;
  if (!s->v) return ob_error_set(err, OB_EUNSUPPORTED, "the problem has no linear-system view");
  s->r = r;
  s->omega = NAN;
  if (pc) {
    /* The policy's stream depends on its `seed` and on the run seed, so the
     * trials of a suite (its seeds) are independent; run seed 0 keeps `seed`. */
    ob_omega_policy_config c = *pc;
    c.seed = pc->seed + p->seed * UINT64_C(0x9E3779B97F4A7C15);
    int rc = ob_omega_policy_alloc(&c, s->v, &s->pol, err);
    if (rc < 0) return rc;
  }
  if (s->v->seq) {
    s->fresh = true;
    return OB_OK;
  }
  s->rnorm = s->r0 = ob_linsys_residual(s->v, p->x0, r);
  if (s->pol) s->omega = ob_omega_policy_choose(s->pol);
  return OB_OK;
}

int ob_solver_pre(ob_solver_run *s, double *x)
{
  s->t_step = ob_clock_now();
  if (!s->fresh) return 0;
  s->fresh = false;
  s->it = 0;
  memset(x, 0, s->v->n * sizeof *x);
  s->rnorm = s->r0 = ob_linsys_residual(s->v, x, s->r);
  if (s->pol) s->omega = ob_omega_policy_choose(s->pol);
  return 1;
}

int ob_solver_post(ob_solver_run *s, double rnorm)
{
  s->it++;
  s->rnorm = rnorm;
  s->seconds += ob_clock_now() - s->t_step;
  bool done = !(s->r0 > 0) || rnorm / s->r0 < s->v->tol;
  if (!s->v->seq) return done ? OB_CONVERGED : OB_OK;
  if (!done && s->it < s->v->max_iters && isfinite(rnorm)) return OB_OK;
  long long cost = done ? s->it : s->v->max_iters;
  if (s->pol) ob_omega_policy_feedback(s->pol, (double)cost);
  const double secs = s->seconds;
  s->seconds = 0.0;
  if (s->v->seq->advance(s->v->ctx, cost, s->pol ? s->omega : NAN, secs)) return OB_CONVERGED;
  s->fresh = true;
  return OB_OK;
}

void ob_solver_end(ob_solver_run *s)
{
  ob_omega_policy_free(s->pol);
  s->pol = NULL;
}
