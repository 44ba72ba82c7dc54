/* solver.h -- what every linear solver (jacobi, gauss_seidel, sor, ssor,
 * sor_redblack, cg, ssor_cg) shares: the stopping test and the walk through a
 * sequence of systems.
 *
 * One optimizer step is one iteration (one sweep; one CG iteration). After it
 * the solver hands ||b - A x|| to ob_solver_post, which counts the iteration
 * and compares ||r|| / ||r0|| with the problem's tol (problems/linsys.h). On
 * a single system the step then returns OB_CONVERGED and the runner ends the
 * run as target_reached, so `steps` is exactly the iteration count. On a
 * sequence (view->seq) the instance's iteration count (capped at the
 * problem's max_iters) goes to the omega policy and to the problem
 * (seq->advance), the next step starts the next instance from x = 0, and only
 * the last instance returns OB_CONVERGED: `steps` is the total cost.
 *
 * The residual vector r is a solver state vector (arena, class state).
 */
#ifndef OB_SOLVER_H
#define OB_SOLVER_H

#include <stdbool.h>

#include "optimizers/optimizer.h"
#include "problems/linsys.h"
#include "solvers/omega_policy.h"

typedef struct ob_solver_run {
  const struct ob_linsys_view *v;
  double *r;                 /* residual b - A x (length n) */
  double rnorm, r0;          /* ||r|| now and at the start of the instance */
  long long it;              /* iterations on the current instance */
  bool fresh;                /* the next step starts a new instance */
  ob_omega_policy *pol;      /* NULL for solvers without omega */
  double omega;              /* omega of the current instance */
  double t_step;             /* clock at the start of the current step */
  double seconds;            /* time inside the steps of the current instance */
} ob_solver_run;

/* Binds to the problem's view, computes r0 at p->x0; with a policy config
 * (NULL for unrelaxed solvers) allocates the policy. */
int ob_solver_begin(ob_solver_run *s, const ob_problem *p, double *r, const ob_omega_policy_config *pc,
                    ob_error *err);
/* At the start of a step. Returns 1 when a new instance of a sequence starts
 * (x was set to 0, r = b, omega chosen): the solver resets its own state. */
int ob_solver_pre(ob_solver_run *s, double *x);
/* After an iteration whose residual norm is `rnorm` (s->r holds r unless the
 * solver keeps it elsewhere): OB_OK, or OB_CONVERGED when the run is done. */
int ob_solver_post(ob_solver_run *s, double rnorm);
void ob_solver_end(ob_solver_run *s);

#endif
