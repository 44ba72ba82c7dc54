/* perceptron.c -- the batch perceptron on a logistic-regression data set.
 *
 * A. Tyurin, "From Logistic Regression to the Perceptron Algorithm: Exploring
 * Gradient Descent with Large Step Sizes", arXiv 2412.08424 (AAAI 2025),
 * section 3 (Batch Perceptron; after Novikoff 1962 and Duda, Hart & Stork 2001)
 * and Theorem 5.3 (Normalized Batch Perceptron). With the data (a_i, y_i),
 * a_i = [x_i; 1] with the logreg bias, else x_i, and
 * S_t = {i : y_i a_i . theta_t <= 0}:
 *
 *   Batch Perceptron (default):  theta_1 = theta_0 + (1/(2n)) sum_{i=1..n} y_i a_i,
 *                                theta_{t+1} = theta_t + (1/n) sum_{i in S_t} y_i a_i   (t >= 1)
 *   Normalized ("normalized": true, Theorem 5.3):
 *                                theta_{t+1} = theta_t + (1/|S_t|) sum_{i in S_t} y_i a_i (t >= 0)
 *
 * The special first step of the batch version is the paper's: it is the
 * limit theta_1 / gamma of LR+GD from theta_0 = 0 as gamma -> infinity
 * (Theorem 3.2), so gd with a huge lr, divided by lr, tracks this method.
 * Every step is scaled by lr * ctx->lr_scale (lr = 1 is the paper's rule;
 * from theta_0 = 0 the iterates are lr times those of lr = 1, the signs of
 * the margins and so S_t do not change). When S_t is empty every sample is
 * classified correctly and x stays put (the paper stops there).
 *
 * Data access: the method needs the samples, which the generic oracle does
 * not expose; it runs on full-batch logreg problems only, through
 * ob_logreg_classify (problems/logreg.h), and init refuses any other problem
 * with OB_EUNSUPPORTED (the runner skips the cell with the reason); needs
 * carries OB_NEEDS_LOGREG_DATA (problems/logreg.h). The
 * direction is the negative subgradient of the perceptron loss
 * (1/n) sum_i max(0, -y_i a_i . theta); each step counts one gradient
 * evaluation in the oracle (n_grad) and no f evaluation. The l2 penalty of the
 * problem plays no part in the update (the objective f is only reported).
 *
 * Defaults: lr 1, normalized false. State: one vector (the direction). The
 * data pass is serial in sample order, so results do not depend on the thread
 * count. Traffic per coordinate: write dir in the pass (8), update reads x,
 * dir and writes x (24) = 32 bytes.
 */
#include "config.h"

#include <math.h>
#include <stdbool.h>

#include "bench/ob_vec.h"
#include "optimizers/optimizer.h"
#include "problems/logreg.h"

typedef struct {
  double lr;
  bool normalized;
  size_t n;
  double *dir;
  const ob_problem *p;
} perceptron_state;

static const ob_param_spec perceptron_params[] = {
  { "lr", OB_PARAM_REAL, "1", 0.0, HUGE_VAL, OB_PARAM_MIN_OPEN, NULL, NULL,
    "scale of every step (1: the paper's rule; from x0 = 0 it only scales the iterates)" },
  { "normalized", OB_PARAM_BOOL, "false", 0, 0, 0, NULL, NULL,
    "divide the sum over misclassified samples by their count |S_t| instead of n (Theorem 5.3)" },
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }
};

static int perceptron_configure(void *vs, const json_t *params, ob_error *err)
{
  perceptron_state *s = vs;
  (void)err;
  s->lr = ob_params_real(params, "lr");
  s->normalized = ob_params_bool(params, "normalized");
  return OB_OK;
}

static size_t perceptron_nvectors(const void *vs)
{
  (void)vs;
  return 1;
}

static int perceptron_init(void *vs, size_t n, double *const *vec, const ob_problem *p, ob_error *err)
{
  perceptron_state *s = vs;
  int rc = ob_logreg_classify_check(p, "perceptron", err);
  if (rc < 0) return rc;
  s->n = n;
  s->dir = vec[0];
  s->p = p;
  return OB_OK;
}

OB_KERNEL static int perceptron_step(void *vs, const ob_step_ctx *ctx, ob_oracle *o, double *x, double *g, ob_error *err)
{
  perceptron_state *s = vs;
  (void)g;
  (void)err;
  size_t nmis = 0;
  double scale = s->lr * ctx->lr_scale;
  if (!s->normalized && ctx->t == 1) {
    ob_logreg_classify(s->p, o->step, x, 0.5, 0.5, 0.5, s->dir, NULL, &nmis);   /* (1/(2n)) sum_i y_i a_i */
  } else {
    ob_logreg_classify(s->p, o->step, x, 1.0, 1.0, 0.0, s->dir, NULL, &nmis);   /* (1/n) sum_{S_t} y_i a_i */
    if (nmis == 0) {
      o->n_grad++;
      return OB_OK;                          /* every sample classified correctly */
    }
    if (s->normalized) scale *= (double)ob_logreg_samples(s->p) / (double)nmis;   /* 1/|S_t| instead of 1/n */
  }
  o->n_grad++;
  const size_t n = s->n;
  const double *restrict dp = s->dir;
  double *restrict xp = x;
  OB_VEC_FOR(i, n, xp[i] = xp[i] + scale * dp[i];);
  return OB_OK;
}

static double perceptron_traffic(const void *vs)
{
  (void)vs;
  return 4.0 * sizeof(double);   /* pass: write dir; update: read x, dir, write x */
}

const ob_optimizer_type ob_optimizer_perceptron = {
  .name = "perceptron",
  .summary = "batch perceptron on logreg data: x <- x + lr (1/n) sum over misclassified y_i a_i",
  .reference = "Tyurin 2024, arXiv 2412.08424, sec. 3 (Batch Perceptron) and Thm. 5.3 (normalized); Novikoff 1962",
  .params = perceptron_params,
  .state_size = sizeof(perceptron_state),
  .needs = OB_NEEDS_GRAD | OB_NEEDS_LOGREG_DATA,
  .configure = perceptron_configure,
  .nvectors = perceptron_nvectors,
  .init = perceptron_init,
  .step = perceptron_step,
  .traffic = perceptron_traffic,
  .free = NULL,
};
