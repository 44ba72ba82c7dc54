/* nlr_gd.c -- Normalized LR+GD: gradient descent on logistic regression with
 * the step divided by the mean logistic "misclassification weight".
 *
 * A. Tyurin, "From Logistic Regression to the Perceptron Algorithm: Exploring
 * Gradient Descent with Large Step Sizes", arXiv 2412.08424 (AAAI 2025),
 * section 6, (Normalized LR+GD), confirmed against the paper's text:
 *
 *   theta_{t+1} = theta_t - gamma beta_t grad f(theta_t),
 *   beta_t = ( (1/n) sum_{i=1..n} (1 + exp(y_i a_i . theta_t))^{-1} )^{-1}
 *
 * i.e. beta_t = 1 / mean_i s(-y_i m_i) with s the logistic sigmoid. As gamma
 * -> infinity it becomes the Normalized Batch Perceptron (Theorem 5.3), and
 * Theorem 6.1 bounds the iterations to separate the data by
 * R^2/mu^2 + 2 log(2n - 1) / (gamma mu^2) from theta_0 = 0. gamma is "lr"
 * (times ctx->lr_scale under a schedule).
 *
 * Data access: beta_t needs the samples, which the generic oracle does not
 * expose; the method runs on full-batch logreg problems only, through
 * ob_logreg_classify (problems/logreg.h), and init refuses any other problem
 * with OB_EUNSUPPORTED (the runner skips the cell with the reason); needs
 * carries OB_NEEDS_LOGREG_DATA (problems/logreg.h). The
 * gradient comes from the oracle (one gradient evaluation per step); it
 * includes the problem's l2 term, which the paper does not have (use l2 = 0
 * for the paper's setting). beta_t costs one more serial pass over the data.
 * Deviation (documented): when mean s(-z_i) underflows to 0 (every margin
 * above ~745) the gradient of the data term is 0 too and x stays put instead
 * of computing inf * 0.
 *
 * Defaults: lr 1. State: none. Traffic per coordinate as gd: read x, g, write
 * x = 24 bytes.
 */
#include "config.h"

#include <math.h>

#include "bench/ob_vec.h"
#include "optimizers/optimizer.h"
#include "problems/logreg.h"

typedef struct {
  double lr;
  size_t n;
  const ob_problem *p;
} nlr_gd_state;

static const ob_param_spec nlr_gd_params[] = {
  { "lr", OB_PARAM_REAL, "1", 0.0, HUGE_VAL, OB_PARAM_MIN_OPEN, NULL, NULL,
    "gamma: step size before the normalization beta_t = 1 / mean_i s(-y_i m_i)" },
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }
};

static int nlr_gd_configure(void *vs, const json_t *params, ob_error *err)
{
  nlr_gd_state *s = vs;
  (void)err;
  s->lr = ob_params_real(params, "lr");
  return OB_OK;
}

static int nlr_gd_init(void *vs, size_t n, double *const *vec, const ob_problem *p, ob_error *err)
{
  nlr_gd_state *s = vs;
  (void)vec;
  int rc = ob_logreg_classify_check(p, "nlr_gd", err);
  if (rc < 0) return rc;
  s->n = n;
  s->p = p;
  return OB_OK;
}

OB_KERNEL static int nlr_gd_step(void *vs, const ob_step_ctx *ctx, ob_oracle *o, double *x, double *g, ob_error *err)
{
  nlr_gd_state *s = vs;
  int rc = ob_oracle_eval(o, x, NULL, g, err);
  if (rc < 0) return rc;
  double soft;
  ob_logreg_classify(s->p, 0, x, 0.0, 0.0, 0.0, NULL, &soft, NULL);
  if (!(soft > 0.0)) return OB_OK;            /* underflow: no weight left (header) */
  const double step = s->lr * ctx->lr_scale / soft;
  const size_t n = s->n;
  double *restrict xp = x;
  const double *restrict gp = g;
  OB_VEC_FOR(i, n, xp[i] = xp[i] - step * gp[i];);
  return OB_OK;
}

static double nlr_gd_traffic(const void *vs)
{
  (void)vs;
  return 3.0 * sizeof(double);   /* read x, g; write x */
}

const ob_optimizer_type ob_optimizer_nlr_gd = {
  .name = "nlr_gd",
  .summary = "Normalized LR+GD on logreg data: x <- x - lr g / mean_i s(-y_i m_i)",
  .reference = "Tyurin 2024, arXiv 2412.08424, sec. 6 (Normalized LR+GD), Thm. 6.1",
  .params = nlr_gd_params,
  .state_size = sizeof(nlr_gd_state),
  .needs = OB_NEEDS_GRAD | OB_NEEDS_LOGREG_DATA,
  .configure = nlr_gd_configure,
  .nvectors = NULL,
  .init = nlr_gd_init,
  .step = nlr_gd_step,
  .traffic = nlr_gd_traffic,
  .free = NULL,
};
