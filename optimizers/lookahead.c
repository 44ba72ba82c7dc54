/* lookahead.c -- Lookahead wrapper: k fast steps of an inner optimizer, then
 * the slow weights move part of the way toward the fast ones.
 *
 * Zhang, Lucas, Hinton & Ba, "Lookahead Optimizer: k steps forward, 1 step
 * back", NeurIPS 2019, Algorithm 1. With slow weights phi (set to x before
 * the first step) and fast weights theta = x:
 *
 *   every step t:        theta <- inner step from theta (one gradient evaluation)
 *   when t mod k == 0:   phi <- (1 - alpha) phi + alpha theta;   theta <- phi
 *
 * The blend is the paper's phi + alpha (theta - phi) written as a convex
 * combination, so alpha = 1 reproduces the inner optimizer bit for bit and
 * alpha = 0 resets to phi exactly. As in the authors' and most public
 * implementations, one optbench step is one fast (inner) step, so step counts
 * and evaluation counts compare directly with the inner optimizer alone; the
 * inner optimizer's state is not reset at synchronization (the paper's
 * default "maintain" choice).
 *
 * Params: k = 5, alpha = 0.5 (the paper's defaults), inner = the fast
 * optimizer {"type": ..., ...} (default {"type": "adam"}; never a grid inside, see
 * docs/suite-format.md). A schedule on the wrapper scales the inner lr.
 * State: phi (+ the inner's vectors, taken from the same arena).
 * Traffic per coordinate: the inner's, plus 32 bytes every k steps (read phi,
 * theta; write phi, theta) = inner + 32 / k on average.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "bench/ob_vec.h"
#include "optimizers/optimizer.h"

typedef struct {
  long long k;
  double alpha;
  ob_optimizer *inner;
  size_t n;
  double *slow;       /* arena vector */
  long long t;        /* completed steps */
} lookahead_state;

static const ob_param_spec lookahead_params[] = {
  { "k", OB_PARAM_INT, "5", 1, 1e9, 0, NULL, NULL,
    "fast (inner) steps between synchronizations of the slow weights" },
  { "alpha", OB_PARAM_REAL, "0.5", 0.0, 1.0, 0, NULL, NULL,
    "slow-weight step: phi <- (1 - alpha) phi + alpha theta every k steps" },
  { "inner", OB_PARAM_OBJECT, "{\"type\": \"adam\"}", 0, 0, 0, NULL, NULL,
    "the fast optimizer, {\"type\": ..., its params}" },
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }
};

static int lookahead_configure(void *vs, const json_t *params, ob_error *err)
{
  lookahead_state *s = vs;
  s->k = ob_params_int(params, "k");
  s->alpha = ob_params_real(params, "alpha");
  return ob_optimizer_alloc_spec(json_object_get(params, "inner"), "inner", &s->inner, err);
}

static size_t lookahead_nvectors(const void *vs)
{
  const lookahead_state *s = vs;
  return 1 + ob_optimizer_nvectors(s->inner);
}

static int lookahead_init(void *vs, size_t n, double *const *vec, const ob_problem *p, ob_error *err)
{
  lookahead_state *s = vs;
  s->n = n;
  s->t = 0;
  s->slow = vec[0];
  return ob_optimizer_init_vectors(s->inner, p, vec + 1, err);
}

OB_KERNEL static int lookahead_step(void *vs, const ob_step_ctx *ctx, ob_oracle *o, double *x, double *g, ob_error *err)
{
  lookahead_state *s = vs;
  const long n = (long)s->n;
  const double a = s->alpha, b = 1.0 - s->alpha;
  double *restrict slow = s->slow;
  if (s->t == 0) memcpy(slow, x, s->n * sizeof *x);
  s->inner->lr_scale = ctx->lr_scale;
  int rc = ob_optimizer_step(s->inner, o, x, g, err);
  if (rc < 0) return rc;
  s->t++;
  if (s->t % s->k == 0) {
#pragma omp parallel for schedule(static) if (n >= OB_VEC_PAR_MIN)
    for (long i = 0; i < n; i++) {
      slow[i] = b * slow[i] + a * x[i];
      x[i] = slow[i];
    }
  }
  return rc;
}

static double lookahead_traffic(const void *vs)
{
  const lookahead_state *s = vs;
  return ob_optimizer_traffic(s->inner) + 4.0 * sizeof(double) / (double)s->k;
}

static void lookahead_free(void *vs)
{
  lookahead_state *s = vs;
  ob_optimizer_free(s->inner);
}

const ob_optimizer_type ob_optimizer_lookahead = {
  .name = "lookahead",
  .summary = "Lookahead wrapper: k inner steps, then slow weights move alpha of the way",
  .reference = "Zhang, Lucas, Hinton & Ba, NeurIPS 2019, Algorithm 1",
  .params = lookahead_params,
  .state_size = sizeof(lookahead_state),
  .needs = 0,       /* the inner optimizer's needs are checked when it is initialized */
  .configure = lookahead_configure,
  .nvectors = lookahead_nvectors,
  .init = lookahead_init,
  .step = lookahead_step,
  .traffic = lookahead_traffic,
  .free = lookahead_free,
};
