/* itd.c -- iterative differentiation (ITD-BiO): reverse mode through K
 * unrolled lower-level gradient steps.
 *
 * Franceschi, Donini, Frasconi & Pontil, "Forward and reverse gradient-based
 * hyperparameter optimization", ICML 2017, section 2.1 (reverse-mode
 * hypergradient, Algorithm 1); Ji, Yang & Liang, "Bilevel optimization:
 * convergence analysis and enhanced design", ICML 2021, Algorithm 2
 * (ITD-BiO, warm start of y). On z = [x; y], one step is
 *
 *   forward:  y_0 = y (warm start, treated as independent of x);
 *             y_{k+1} = y_k - alpha grad_y g(x, y_k),   k = 0 .. K-1
 *   reverse:  d = grad_x f(x, y_K),  v = grad_y f(x, y_K)
 *             for k = K-1 .. 0:  d <- d - alpha grad2_xy g(x, y_k) v
 *                                v <- (I - alpha grad2_yy g(x, y_k)) v   (skipped at k = 0)
 *   update:   x <- x - lr d,   y <- y_K
 *
 * d is the exact gradient of x -> f(x, y_K(x)) (the unrolled objective),
 * which approaches grad F(x) as K grows when alpha < 2 / L_g.
 * Oracle calls per step: K lower_grad, 1 upper_grad, K hxy, K - 1 hyy.
 * The lower steps are plain gradient descent by construction (the method
 * differentiates through them), so there is no "inner" optimizer here.
 *
 * Params: lr = 0.1 (scaled by a schedule), K = 10 (at most 1000: the K
 * iterates y_0 .. y_{K-1} are kept for the reverse pass), alpha = 0.1.
 * State vectors (length nx + ny): u = [d; v], a lower gradient / hyy buffer,
 * an hxy buffer and K stored iterates.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "optimizers/bilevel/lower_problem.h"
#include "optimizers/optimizer.h"
#include "problems/bilevel.h"

typedef struct {
  double lr, alpha;
  long long K;
  const struct ob_bilevel_view *view;
  size_t nx, ny;
  double *u, *tmp, *w;
  double *const *ys;        /* K arena vectors */
} itd_state;

static const ob_param_spec itd_params[] = {
  { "lr", OB_PARAM_REAL, "0.1", 0.0, HUGE_VAL, OB_PARAM_MIN_OPEN, NULL, NULL,
    "upper-level step: x <- x - lr d" },
  { "K", OB_PARAM_INT, "10", 1, 1000, 0, NULL, NULL, "unrolled lower-level gradient steps per outer step" },
  { "alpha", OB_PARAM_REAL, "0.1", 0.0, HUGE_VAL, OB_PARAM_MIN_OPEN, NULL, NULL,
    "lower-level gradient step: y <- y - alpha grad_y g (stable for alpha < 2 / L_g)" },
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }
};

static int itd_configure(void *vs, const json_t *params, ob_error *err)
{
  itd_state *s = vs;
  (void)err;
  s->lr = ob_params_real(params, "lr");
  s->K = ob_params_int(params, "K");
  s->alpha = ob_params_real(params, "alpha");
  return OB_OK;
}

static size_t itd_nvectors(const void *vs)
{
  return 3 + (size_t)((const itd_state *)vs)->K;
}

static int itd_init(void *vs, size_t n, double *const *vec, const ob_problem *p, ob_error *err)
{
  itd_state *s = vs;
  const struct ob_bilevel_view *v = ob_bilevel_of(p);
  (void)n;
  if (!v || !v->lower_hyy || !v->lower_hxy)
    return ob_error_set(err, OB_EUNSUPPORTED, "itd needs a bilevel problem with lower-level Hessian products");
  s->view = v;
  s->nx = v->nx;
  s->ny = v->ny;
  s->u = vec[0];
  s->tmp = vec[1];
  s->w = vec[2];
  s->ys = vec + 3;
  return OB_OK;
}

static int itd_step(void *vs, const ob_step_ctx *ctx, ob_oracle *o, double *z, double *g, ob_error *err)
{
  itd_state *s = vs;
  const size_t nx = s->nx, ny = s->ny;
  const double a = s->alpha;
  double *x = z, *y = z + nx, *d = s->u, *v = s->u + nx, *tmp = s->tmp, *w = s->w;
  int rc;
  for (long long k = 0; k < s->K; k++) {
    memcpy(s->ys[k], y, ny * sizeof *y);
    if ((rc = ob_oracle_lower(o, x, y, NULL, NULL, tmp, err)) < 0) return rc;
    for (size_t i = 0; i < ny; i++) y[i] -= a * tmp[i];
  }
  if ((rc = ob_oracle_upper(o, x, y, NULL, d, v, err)) < 0) return rc;
  for (long long k = s->K - 1; k >= 0; k--) {
    if ((rc = ob_oracle_hxy(o, x, s->ys[k], v, w, err)) < 0) return rc;
    for (size_t j = 0; j < nx; j++) d[j] -= a * w[j];
    if (k == 0) break;
    if ((rc = ob_oracle_hyy(o, x, s->ys[k], v, tmp, err)) < 0) return rc;
    for (size_t i = 0; i < ny; i++) v[i] -= a * tmp[i];
  }
  const double lr = s->lr * ctx->lr_scale;
  for (size_t j = 0; j < nx; j++) {
    g[j] = d[j];
    x[j] -= lr * d[j];
  }
  memset(g + nx, 0, ny * sizeof *g);
  ob_bilevel_clip_x(s->view, x);
  return OB_OK;
}

const ob_optimizer_type ob_optimizer_itd = {
  .name = "itd",
  .summary = "bilevel ITD-BiO: reverse-mode hypergradient through K unrolled lower gradient steps",
  .reference = "Franceschi et al., ICML 2017, sec. 2.1; Ji, Yang & Liang, ICML 2021, Alg. 2 (ITD-BiO)",
  .params = itd_params,
  .state_size = sizeof(itd_state),
  .needs = OB_NEEDS_BILEVEL,
  .configure = itd_configure,
  .nvectors = itd_nvectors,
  .init = itd_init,
  .step = itd_step,
  .traffic = NULL,
  .free = NULL,
};
