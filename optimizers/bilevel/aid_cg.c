/* aid_cg.c -- approximate implicit differentiation with conjugate gradients
 * (AID-BiO).
 *
 * Ghadimi & Wang, "Approximation methods for bilevel programming", arXiv
 * 1802.02246 (2018), Algorithm 1 (BA); Ji, Yang & Liang, "Bilevel
 * optimization: convergence analysis and enhanced design", ICML 2021,
 * Algorithm 1 (AID-BiO, the CG variant, with warm starts of y and v).
 * On the joint variable z = [x; y], one step is
 *
 *   y <- K steps of the inner optimizer on g(x, .) from the current y
 *   solve grad2_yy g(x, y) v = grad_y f(x, y) by at most cg_iters CG
 *        iterations (Hestenes & Stiefel 1952), stopping when
 *        ||r|| <= cg_tol ||grad_y f||; v starts from the previous step's v
 *        (warm_start) or from 0; CG also stops at a direction p with
 *        p'Hp <= 0 (a singular or indefinite lower-level Hessian), as
 *        truncated CG does (Steihaug, SIAM J. Numer. Anal. 20, 1983)
 *   x <- x - lr (grad_x f(x, y) - grad2_xy g(x, y) v)
 *
 * Oracle calls per step: K lower_grad (the inner optimizer's gradients), one
 * upper_grad, one hyy per CG iteration plus one for the warm-start residual
 * (from the second step on, when warm_start is true), one hxy. Exactly:
 * K = 2, cg_iters = 3, cg_tol = 0, one step = 2 lower_grad, 1 upper_grad,
 * 3 hyy, 1 hxy (tests/check_bilevel_algos.c).
 *
 * Params: lr = 0.1 (outer step beta, scaled by a schedule), K = 10,
 * cg_iters = 10, cg_tol = 1e-10, warm_start = true, inner = {"type": "gd",
 * "lr": 0.1}. Needs the bilevel view with hyy and hxy. The gradient buffer g
 * receives the hypergradient estimate [d; 0].
 * State vectors (length nx + ny): u = [grad_x f; grad_y f], v, r, p, q (q
 * doubles as grad2_xy g v), and the inner optimizer's.
 */
#include "config.h"

#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "optimizers/bilevel/lower_problem.h"
#include "optimizers/optimizer.h"
#include "problems/bilevel.h"

typedef struct {
  double lr, cg_tol;
  long long K, cg_iters;
  bool warm;
  ob_bilevel_lower low;
  const struct ob_bilevel_view *view;
  size_t nx, ny;
  double *u, *v, *r, *p, *q;
  long long t;
} aid_state;

static const ob_param_spec aid_params[] = {
  { "lr", OB_PARAM_REAL, "0.1", 0.0, HUGE_VAL, OB_PARAM_MIN_OPEN, NULL, NULL,
    "upper-level step: x <- x - lr (grad_x f - grad2_xy g v)" },
  { "K", OB_PARAM_INT, "10", 0, 1e6, 0, NULL, NULL, "lower-level (inner optimizer) steps per outer step" },
  { "cg_iters", OB_PARAM_INT, "10", 1, 1e6, 0, NULL, "cg", "at most this many CG iterations on grad2_yy g v = grad_y f" },
  { "cg_tol", OB_PARAM_REAL, "1e-10", 0.0, HUGE_VAL, 0, NULL, NULL,
    "CG stops when ||r|| <= cg_tol ||grad_y f||" },
  { "warm_start", OB_PARAM_BOOL, "true", 0, 0, 0, NULL, "warm", "start CG from the previous step's v (else from 0)" },
  { "inner", OB_PARAM_OBJECT, OB_BILEVEL_INNER_DEFAULT, 0, 0, 0, NULL, NULL, OB_BILEVEL_INNER_HELP },
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }
};

static int aid_configure(void *vs, const json_t *params, ob_error *err)
{
  aid_state *s = vs;
  s->lr = ob_params_real(params, "lr");
  s->K = ob_params_int(params, "K");
  s->cg_iters = ob_params_int(params, "cg_iters");
  s->cg_tol = ob_params_real(params, "cg_tol");
  s->warm = ob_params_bool(params, "warm_start");
  return ob_bilevel_lower_configure(&s->low, json_object_get(params, "inner"), err);
}

static size_t aid_nvectors(const void *vs)
{
  return 5 + ob_bilevel_lower_nvectors(&((const aid_state *)vs)->low);
}

static int aid_init(void *vs, size_t n, double *const *vec, const ob_problem *p, ob_error *err)
{
  aid_state *s = vs;
  const struct ob_bilevel_view *v = ob_bilevel_of(p);
  (void)n;
  if (!v || !v->lower_hyy || !v->lower_hxy)
    return ob_error_set(err, OB_EUNSUPPORTED, "aid_cg needs a bilevel problem with lower-level Hessian products");
  s->view = v;
  s->nx = v->nx;
  s->ny = v->ny;
  s->u = vec[0];
  s->v = vec[1];
  s->r = vec[2];
  s->p = vec[3];
  s->q = vec[4];
  s->t = 0;
  return ob_bilevel_lower_init(&s->low, p, vec + 5, err);
}

static double dot(const double *a, const double *b, size_t n)
{
  double acc = 0.0;
  for (size_t i = 0; i < n; i++) acc += a[i] * b[i];
  return acc;
}

static int aid_step(void *vs, const ob_step_ctx *ctx, ob_oracle *o, double *z, double *g, ob_error *err)
{
  aid_state *s = vs;
  const size_t nx = s->nx, ny = s->ny;
  double *x = z, *y = z + nx, *fx = s->u, *fy = s->u + nx;
  double *v = s->v, *r = s->r, *p = s->p, *q = s->q;
  int rc;
  s->t++;
  if ((rc = ob_bilevel_lower_run(&s->low, o, x, y, s->K, err)) < 0) return rc;
  if ((rc = ob_oracle_upper(o, x, y, NULL, fx, fy, err)) < 0) return rc;
  /* CG on H v = fy */
  if (s->warm && s->t > 1) {
    if ((rc = ob_oracle_hyy(o, x, y, v, r, err)) < 0) return rc;
    for (size_t i = 0; i < ny; i++) r[i] = fy[i] - r[i];
  } else {
    memset(v, 0, ny * sizeof *v);
    memcpy(r, fy, ny * sizeof *r);
  }
  double bnorm = sqrt(dot(fy, fy, ny)), rr = dot(r, r, ny);
  memcpy(p, r, ny * sizeof *p);
  for (long long it = 0; it < s->cg_iters && sqrt(rr) > s->cg_tol * bnorm; it++) {
    if ((rc = ob_oracle_hyy(o, x, y, p, q, err)) < 0) return rc;
    double pq = dot(p, q, ny);
    if (!(pq > 0)) break;       /* no positive curvature along p (singular or indefinite lower level) */
    double alpha = rr / pq;
    for (size_t i = 0; i < ny; i++) {
      v[i] += alpha * p[i];
      r[i] -= alpha * q[i];
    }
    double rr_new = dot(r, r, ny), beta = rr_new / rr;
    rr = rr_new;
    for (size_t i = 0; i < ny; i++) p[i] = r[i] + beta * p[i];
  }
  double *w = q;                       /* grad2_xy g v (nx) */
  if ((rc = ob_oracle_hxy(o, x, y, v, w, err)) < 0) return rc;
  const double lr = s->lr * ctx->lr_scale;
  for (size_t j = 0; j < nx; j++) {
    g[j] = fx[j] - w[j];
    x[j] -= lr * g[j];
  }
  memset(g + nx, 0, ny * sizeof *g);
  ob_bilevel_clip_x(s->view, x);
  return OB_OK;
}

static void aid_free(void *vs)
{
  ob_bilevel_lower_free(&((aid_state *)vs)->low);
}

const ob_optimizer_type ob_optimizer_aid_cg = {
  .name = "aid_cg",
  .summary = "bilevel AID-BiO: K inner steps, CG on the lower Hessian, implicit hypergradient step",
  .reference = "Ghadimi & Wang 2018 (arXiv 1802.02246), Alg. 1; Ji, Yang & Liang, ICML 2021, Alg. 1 (AID-BiO)",
  .params = aid_params,
  .state_size = sizeof(aid_state),
  .needs = OB_NEEDS_BILEVEL,
  .configure = aid_configure,
  .nvectors = aid_nvectors,
  .init = aid_init,
  .step = aid_step,
  .traffic = NULL,
  .free = aid_free,
};
