/* penalty.c -- the penalty method for bilevel optimization, double loop and
 * single loop, fixed or decreasing sigma. Hessian-free.
 *
 * Kwon, Kwon, Wright & Nowak, "On Penalty Methods for Nonconvex Bilevel
 * Optimization and First-Order Stochastic Approximation", ICLR 2024. With
 * h_sigma(x, y) = sigma f(x, y) + g(x, y) and l(x, sigma) = min_y h_sigma(x, y),
 * the penalized hyper-objective psi_sigma(x) = (l(x, sigma) - l(x, 0)) / sigma
 * is O(sigma)-close to F in value and gradient under the paper's proximal
 * error bound, and
 *
 *   grad psi_sigma(x) = grad_x f(x, y_s) + (grad_x g(x, y_s) - grad_x g(x, z)) / sigma,
 *   y_s = argmin_y h_sigma(x, y),  z = argmin_y g(x, y)
 *
 * i.e. the gradient in x of f + (1/sigma)(g(x, y) - g(x, z)) at the two
 * minimizers. One step on the joint variable [x; y] (z is an auxiliary state
 * vector, started at y) is
 *
 *   y <- K steps of the inner optimizer on h_sigma(x, .)   (from y: warm start)
 *   z <- K steps of the inner optimizer on g(x, .)          (from z: warm start)
 *   x <- x - lr (grad_x f(x, y) + (grad_x g(x, y) - grad_x g(x, z)) / sigma)
 *
 * sigma_schedule "fixed": sigma_t = sigma; "decreasing": sigma_t =
 * max(sigma_min, sigma t^-sigma_power) (the paper's double-loop method lowers
 * sigma towards O(eps) as it goes). single_loop = true makes K = 1 (one lower
 * step for y and for z per x step: the paper's single-loop method; its
 * momentum assistance reduces stochastic noise and is not needed with the
 * deterministic oracles here, so it is not implemented).
 *
 * Oracle calls per step: K (upper_grad + lower_grad) for y, K lower_grad for
 * z, then 1 upper_grad + 2 lower_grad for the x step. No hyy, no hxy.
 * Params: lr = 0.1, sigma = 0.01, sigma_schedule = fixed, sigma_min = 1e-4,
 * sigma_power = 0.5, K = 10, single_loop = false, inner = {"type": "gd",
 * "lr": 0.1} (one instance for y, one for z). The gradient buffer receives
 * [grad psi_sigma(x); 0].
 */
#include "config.h"

#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "optimizers/bilevel/lower_problem.h"
#include "optimizers/optimizer.h"
#include "problems/bilevel.h"

typedef struct {
  double lr, sigma, sigma_min, sigma_power;
  bool decreasing;
  long long K;
  ob_bilevel_lower ly, lz;
  const struct ob_bilevel_view *view;
  size_t nx, ny;
  double *zaux, *fx, *gxy, *gxz;
  long long t;
} penalty_state;

static const ob_param_spec penalty_params[] = {
  { "lr", OB_PARAM_REAL, "0.1", 0.0, HUGE_VAL, OB_PARAM_MIN_OPEN, NULL, NULL,
    "upper-level step: x <- x - lr grad psi_sigma" },
  { "sigma", OB_PARAM_REAL, "0.01", 0.0, HUGE_VAL, OB_PARAM_MIN_OPEN, NULL, NULL,
    "penalty parameter (weight of f in h_sigma = sigma f + g); the initial one when decreasing" },
  { "sigma_schedule", OB_PARAM_STRING, "\"fixed\"", 0, 0, 0, "fixed|decreasing", "sched",
    "fixed sigma, or sigma_t = max(sigma_min, sigma t^-sigma_power)" },
  { "sigma_min", OB_PARAM_REAL, "1e-4", 0.0, HUGE_VAL, OB_PARAM_MIN_OPEN, NULL, NULL,
    "floor of the decreasing schedule" },
  { "sigma_power", OB_PARAM_REAL, "0.5", 0.0, 10.0, OB_PARAM_MIN_OPEN, NULL, NULL,
    "exponent of the decreasing schedule" },
  { "K", OB_PARAM_INT, "10", 1, 1e6, 0, NULL, NULL, "lower-level steps for y and for z per outer step" },
  { "single_loop", OB_PARAM_BOOL, "false", 0, 0, 0, NULL, "single", "one lower step each for y and z per step (K = 1)" },
  { "inner", OB_PARAM_OBJECT, OB_BILEVEL_INNER_DEFAULT, 0, 0, 0, NULL, NULL, OB_BILEVEL_INNER_HELP },
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }
};

static int penalty_configure(void *vs, const json_t *params, ob_error *err)
{
  penalty_state *s = vs;
  s->lr = ob_params_real(params, "lr");
  s->sigma = ob_params_real(params, "sigma");
  s->decreasing = strcmp(ob_params_string(params, "sigma_schedule"), "decreasing") == 0;
  s->sigma_min = ob_params_real(params, "sigma_min");
  s->sigma_power = ob_params_real(params, "sigma_power");
  s->K = ob_params_bool(params, "single_loop") ? 1 : ob_params_int(params, "K");
  if (s->decreasing && s->sigma_min > s->sigma)
    return ob_error_at(err, OB_EINVAL, "sigma_min", "%g exceeds sigma = %g: the schedule could not decrease",
                       s->sigma_min, s->sigma);
  const json_t *spec = json_object_get(params, "inner");
  int rc = ob_bilevel_lower_configure(&s->ly, spec, err);
  if (rc == OB_OK) rc = ob_bilevel_lower_configure(&s->lz, spec, err);
  return rc;
}

static size_t penalty_nvectors(const void *vs)
{
  const penalty_state *s = vs;
  return 4 + ob_bilevel_lower_nvectors(&s->ly) + ob_bilevel_lower_nvectors(&s->lz);
}

static int penalty_init(void *vs, size_t n, double *const *vec, const ob_problem *p, ob_error *err)
{
  penalty_state *s = vs;
  const struct ob_bilevel_view *v = ob_bilevel_of(p);
  (void)n;
  if (!v) return ob_error_set(err, OB_EUNSUPPORTED, "penalty needs a bilevel problem");
  s->view = v;
  s->nx = v->nx;
  s->ny = v->ny;
  s->zaux = vec[0];
  s->fx = vec[1];
  s->gxy = vec[2];
  s->gxz = vec[3];
  s->t = 0;
  size_t k = 4;
  int rc = ob_bilevel_lower_init(&s->ly, p, vec + k, err);
  if (rc < 0) return rc;
  k += ob_bilevel_lower_nvectors(&s->ly);
  return ob_bilevel_lower_init(&s->lz, p, vec + k, err);
}

static int penalty_step(void *vs, const ob_step_ctx *ctx, ob_oracle *o, double *z, double *g, ob_error *err)
{
  penalty_state *s = vs;
  const size_t nx = s->nx, ny = s->ny;
  double *x = z, *y = z + nx;
  int rc;
  s->t++;
  if (s->t == 1) memcpy(s->zaux, y, ny * sizeof *y);
  double sigma = s->sigma;
  if (s->decreasing) sigma = fmax(s->sigma_min, s->sigma * pow((double)s->t, -s->sigma_power));
  s->ly.weight = sigma;
  if ((rc = ob_bilevel_lower_run(&s->ly, o, x, y, s->K, err)) < 0) return rc;
  if ((rc = ob_bilevel_lower_run(&s->lz, o, x, s->zaux, s->K, err)) < 0) return rc;
  if ((rc = ob_oracle_upper(o, x, y, NULL, s->fx, NULL, err)) < 0) return rc;
  if ((rc = ob_oracle_lower(o, x, y, NULL, s->gxy, NULL, err)) < 0) return rc;
  if ((rc = ob_oracle_lower(o, x, s->zaux, NULL, s->gxz, NULL, err)) < 0) return rc;
  const double lr = s->lr * ctx->lr_scale;
  for (size_t j = 0; j < nx; j++) {
    g[j] = s->fx[j] + (s->gxy[j] - s->gxz[j]) / sigma;
    x[j] -= lr * g[j];
  }
  memset(g + nx, 0, ny * sizeof *g);
  ob_bilevel_clip_x(s->view, x);
  return OB_OK;
}

static void penalty_free(void *vs)
{
  penalty_state *s = vs;
  ob_bilevel_lower_free(&s->ly);
  ob_bilevel_lower_free(&s->lz);
}

const ob_optimizer_type ob_optimizer_penalty = {
  .name = "penalty",
  .summary = "bilevel penalty method: f + (g(x,y) - g(x,z))/sigma, fixed or decreasing sigma, Hessian-free",
  .reference = "Kwon, Kwon, Wright & Nowak, ICLR 2024 (arXiv 2309.01753)",
  .params = penalty_params,
  .state_size = sizeof(penalty_state),
  .needs = OB_NEEDS_BILEVEL,
  .configure = penalty_configure,
  .nvectors = penalty_nvectors,
  .init = penalty_init,
  .step = penalty_step,
  .traffic = NULL,
  .free = penalty_free,
};
