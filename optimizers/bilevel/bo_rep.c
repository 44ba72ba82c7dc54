/* bo_rep.c -- BO-REP: bilevel optimization under unbounded smoothness, with
 * normalized momentum on the upper level, initialization refinement and
 * periodic lower-level updates.
 *
 * Hao, Gong & Liu, "Bilevel Optimization under Unbounded Smoothness: A New
 * Algorithm and Convergence Analysis", ICLR 2024, Algorithm 1. The hypergradient
 * uses a linear-system variable v (the paper's z) updated by one gradient step
 * per iteration on 1/2 v'(grad2_yy g)v - v'grad_y f, instead of an inner solve.
 * On the joint variable [x; y], step t (1-based) is
 *
 *   if t = 1:                 y <- T0 steps of the inner optimizer on g(x, .)  (initialization refinement)
 *   else if (t - 1) mod I = 0: y <- N steps of the inner optimizer on g(x, .)  (periodic update)
 *   d <- grad_x f(x, y) - grad2_xy g(x, y) v
 *   v <- Proj_{||v|| <= z_radius}(v - nu (grad2_yy g(x, y) v - grad_y f(x, y)))
 *   m <- beta m + (1 - beta) d
 *   x <- x - lr m / ||m||       (no move when m = 0)
 *
 * Deviations: the paper's lower-level updates are (projected, epoch) SGD on a
 * stochastic g; here they are any registered gradient optimizer (default gd)
 * on the exact g, warm-started. The normalized step moves x by exactly lr each
 * step, so with a constant lr the iterate settles in a ball of radius about lr
 * around x*: use a decaying schedule for high accuracy.
 * Oracle calls per step: 1 upper_grad, 1 hxy, 1 hyy, plus T0 lower_grad at
 * step 1 and N lower_grad at each periodic update.
 *
 * Params: lr = 0.01, beta = 0.9, I = 2, N = 10, T0 = 100, nu = 0.1,
 * z_radius = null (no projection), inner = {"type": "gd", "lr": 0.1}.
 * State vectors: u = [grad_x f; grad_y f], v, m, a product buffer, the inner
 * optimizer's. The gradient buffer receives [d; 0].
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "optimizers/bilevel/lower_problem.h"
#include "optimizers/optimizer.h"
#include "problems/bilevel.h"

typedef struct {
  double lr, beta, nu, radius;
  long long I, N, T0;
  ob_bilevel_lower low;
  const struct ob_bilevel_view *view;
  size_t nx, ny;
  double *u, *v, *m, *tmp;
  long long t;
} borep_state;

static const ob_param_spec borep_params[] = {
  { "lr", OB_PARAM_REAL, "0.01", 0.0, HUGE_VAL, OB_PARAM_MIN_OPEN, NULL, NULL,
    "upper-level normalized step: x <- x - lr m / ||m||" },
  { "beta", OB_PARAM_REAL, "0.9", 0.0, 1.0, OB_PARAM_MAX_OPEN, NULL, NULL, "momentum of the hypergradient estimate" },
  { "I", OB_PARAM_INT, "2", 1, 1e9, 0, NULL, NULL, "the lower level is updated every I steps" },
  { "N", OB_PARAM_INT, "10", 0, 1e6, 0, NULL, NULL, "inner optimizer steps per periodic lower-level update" },
  { "T0", OB_PARAM_INT, "100", 0, 1e7, 0, NULL, NULL, "inner optimizer steps of the initialization refinement (step 1)" },
  { "nu", OB_PARAM_REAL, "0.1", 0.0, HUGE_VAL, OB_PARAM_MIN_OPEN, NULL, NULL,
    "step of the linear-system variable: v <- v - nu (grad2_yy g v - grad_y f)" },
  { "z_radius", OB_PARAM_REAL, "null", 0.0, HUGE_VAL, OB_PARAM_MIN_OPEN | OB_PARAM_NULLABLE, NULL, "rz",
    "v is projected onto the ball of this radius (null: no projection)" },
  { "inner", OB_PARAM_OBJECT, OB_BILEVEL_INNER_DEFAULT, 0, 0, 0, NULL, NULL, OB_BILEVEL_INNER_HELP },
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }
};

static int borep_configure(void *vs, const json_t *params, ob_error *err)
{
  borep_state *s = vs;
  s->lr = ob_params_real(params, "lr");
  s->beta = ob_params_real(params, "beta");
  s->I = ob_params_int(params, "I");
  s->N = ob_params_int(params, "N");
  s->T0 = ob_params_int(params, "T0");
  s->nu = ob_params_real(params, "nu");
  s->radius = ob_params_is_null(params, "z_radius") ? HUGE_VAL : ob_params_real(params, "z_radius");
  return ob_bilevel_lower_configure(&s->low, json_object_get(params, "inner"), err);
}

static size_t borep_nvectors(const void *vs)
{
  return 4 + ob_bilevel_lower_nvectors(&((const borep_state *)vs)->low);
}

static int borep_init(void *vs, size_t n, double *const *vec, const ob_problem *p, ob_error *err)
{
  borep_state *s = vs;
  const struct ob_bilevel_view *v = ob_bilevel_of(p);
  (void)n;
  if (!v || !v->lower_hyy || !v->lower_hxy)
    return ob_error_set(err, OB_EUNSUPPORTED, "bo_rep needs a bilevel problem with lower-level Hessian products");
  s->view = v;
  s->nx = v->nx;
  s->ny = v->ny;
  s->u = vec[0];
  s->v = vec[1];
  s->m = vec[2];
  s->tmp = vec[3];
  s->t = 0;
  return ob_bilevel_lower_init(&s->low, p, vec + 4, err);
}

static int borep_step(void *vs, const ob_step_ctx *ctx, ob_oracle *o, double *z, double *g, ob_error *err)
{
  borep_state *s = vs;
  const size_t nx = s->nx, ny = s->ny;
  double *x = z, *y = z + nx, *fx = s->u, *fy = s->u + nx, *v = s->v, *m = s->m, *tmp = s->tmp;
  int rc;
  s->t++;
  long long k = s->t == 1 ? s->T0 : (s->t - 1) % s->I == 0 ? s->N : 0;
  if (k && (rc = ob_bilevel_lower_run(&s->low, o, x, y, k, err)) < 0) return rc;
  if ((rc = ob_oracle_upper(o, x, y, NULL, fx, fy, err)) < 0) return rc;
  if ((rc = ob_oracle_hxy(o, x, y, v, tmp, err)) < 0) return rc;
  double mm = 0.0;
  for (size_t j = 0; j < nx; j++) {
    g[j] = fx[j] - tmp[j];
    m[j] = s->beta * m[j] + (1.0 - s->beta) * g[j];
    mm += m[j] * m[j];
  }
  memset(g + nx, 0, ny * sizeof *g);
  if ((rc = ob_oracle_hyy(o, x, y, v, tmp, err)) < 0) return rc;
  double vv = 0.0;
  for (size_t i = 0; i < ny; i++) {
    v[i] -= s->nu * (tmp[i] - fy[i]);
    vv += v[i] * v[i];
  }
  if (isfinite(s->radius) && vv > s->radius * s->radius) {
    double c = s->radius / sqrt(vv);
    for (size_t i = 0; i < ny; i++) v[i] *= c;
  }
  if (mm > 0) {
    const double step = s->lr * ctx->lr_scale / sqrt(mm);
    for (size_t j = 0; j < nx; j++) x[j] -= step * m[j];
    ob_bilevel_clip_x(s->view, x);
  }
  return OB_OK;
}

static void borep_free(void *vs)
{
  ob_bilevel_lower_free(&((borep_state *)vs)->low);
}

const ob_optimizer_type ob_optimizer_bo_rep = {
  .name = "bo_rep",
  .summary = "bilevel BO-REP: normalized momentum, initialization refinement, periodic lower-level updates",
  .reference = "Hao, Gong & Liu, ICLR 2024, Algorithm 1",
  .params = borep_params,
  .state_size = sizeof(borep_state),
  .needs = OB_NEEDS_BILEVEL,
  .configure = borep_configure,
  .nvectors = borep_nvectors,
  .init = borep_init,
  .step = borep_step,
  .traffic = NULL,
  .free = borep_free,
};
