/* cautious.c -- Cautious wrapper: apply only the coordinates of the inner
 * optimizer's update that agree in sign with the gradient, rescaled.
 *
 * Liang, Chen, Liu & Liu, "Cautious Optimizers: Improving Training with One
 * Line of Code", arXiv:2411.16085 (2024), Algorithm 1 (C-AdamW) and eq. for
 * the masked update. For a base update x <- x - lr u:
 *
 *   mask_i = 1[u_i g_i > 0];   x <- x - lr (u (.) mask) * scale
 *
 * scale (the "scale" param):
 *   "mean"  (default)  1 / max(mean(mask), 1e-3): the normalization of the
 *                      authors' later code and README (mask / mask.mean()
 *                      clamped at 1e-3); exactly 1 when no coordinate is masked,
 *                      so the wrapper then equals the inner optimizer;
 *   "numel"            n / (nnz(mask) + 1): the first release of the authors'
 *                      C-AdamW code (mask * numel / (sum + 1));
 *   "none"             1: the paper's un-normalized mask.
 * Generic mechanism (any inner optimizer, no access to its state): the
 * wrapper copies x to a scratch vector xs, lets the inner optimizer step xs,
 * and takes the inner's update as delta = xs - x, so -lr u = delta and the
 * mask is 1[delta_i g_i < 0]. g is the gradient the inner optimizer evaluated
 * (at x for every single-evaluation first-order method). Where the paper
 * keeps AdamW's decoupled decay outside the mask, here the decay is part of
 * the inner's delta and is masked with it. The mask mean is an exact integer
 * count, so trajectories are identical for every thread count.
 *
 * Params: scale = "mean", inner = {"type": "adamw"} (C-AdamW, the paper's main
 * case). State: xs (+ the inner's).
 * Traffic per coordinate: the inner's plus 48 bytes (copy x to xs: 16; read
 * x, xs, g and write x: 32).
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "bench/ob_vec.h"
#include "optimizers/optimizer.h"

enum { SCALE_MEAN, SCALE_NUMEL, SCALE_NONE };

typedef struct {
  int scale;
  ob_optimizer *inner;
  size_t n;
  double *xs;         /* arena vector: the inner optimizer's proposal */
} cautious_state;

static const ob_param_spec cautious_params[] = {
  { "scale", OB_PARAM_STRING, "\"mean\"", 0, 0, 0, "mean|numel|none", NULL,
    "rescaling of the kept coordinates: 1/max(mean(mask),1e-3), n/(nnz+1) or 1" },
  { "inner", OB_PARAM_OBJECT, "{\"type\": \"adamw\"}", 0, 0, 0, NULL, NULL,
    "the base optimizer, {\"type\": ..., its params}" },
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }
};

static int cautious_configure(void *vs, const json_t *params, ob_error *err)
{
  cautious_state *s = vs;
  const char *sc = ob_params_string(params, "scale");
  s->scale = strcmp(sc, "numel") == 0 ? SCALE_NUMEL : strcmp(sc, "none") == 0 ? SCALE_NONE : SCALE_MEAN;
  return ob_optimizer_alloc_spec(json_object_get(params, "inner"), "inner", &s->inner, err);
}

static size_t cautious_nvectors(const void *vs)
{
  const cautious_state *s = vs;
  return 1 + ob_optimizer_nvectors(s->inner);
}

static int cautious_init(void *vs, size_t n, double *const *vec, const ob_problem *p, ob_error *err)
{
  cautious_state *s = vs;
  s->n = n;
  s->xs = vec[0];
  return ob_optimizer_init_vectors(s->inner, p, vec + 1, err);
}

OB_KERNEL static int cautious_step(void *vs, const ob_step_ctx *ctx, ob_oracle *o, double *x, double *g, ob_error *err)
{
  cautious_state *s = vs;
  const long n = (long)s->n;
  double *restrict xs = s->xs;
  memcpy(xs, x, s->n * sizeof *x);
  s->inner->lr_scale = ctx->lr_scale;
  int rc = ob_optimizer_step(s->inner, o, xs, g, err);
  if (rc < 0) return rc;
  long long keep = 0;
#pragma omp parallel for schedule(static) reduction(+ : keep) if (n >= OB_VEC_PAR_MIN)
  for (long i = 0; i < n; i++) keep += (xs[i] - x[i]) * g[i] < 0.0;
  double scale = 1.0;
  if (s->scale == SCALE_MEAN) {
    double mean = (double)keep / (double)n;
    scale = 1.0 / (mean > 1e-3 ? mean : 1e-3);
  } else if (s->scale == SCALE_NUMEL) {
    scale = (double)n / (double)(keep + 1);
  }
#pragma omp parallel for schedule(static) if (n >= OB_VEC_PAR_MIN)
  for (long i = 0; i < n; i++) {
    double d = xs[i] - x[i];
    if (d * g[i] < 0.0) x[i] = scale == 1.0 ? xs[i] : x[i] + scale * d;
  }
  return rc;
}

static double cautious_traffic(const void *vs)
{
  const cautious_state *s = vs;
  return ob_optimizer_traffic(s->inner) + 6.0 * sizeof(double);
}

static void cautious_free(void *vs)
{
  cautious_state *s = vs;
  ob_optimizer_free(s->inner);
}

const ob_optimizer_type ob_optimizer_cautious = {
  .name = "cautious",
  .summary = "Cautious wrapper: mask update coordinates whose sign disagrees with the gradient",
  .reference = "Liang, Chen, Liu & Liu, arXiv:2411.16085 (2024), Algorithm 1",
  .params = cautious_params,
  .state_size = sizeof(cautious_state),
  .needs = OB_NEEDS_GRAD,
  .configure = cautious_configure,
  .nvectors = cautious_nvectors,
  .init = cautious_init,
  .step = cautious_step,
  .traffic = cautious_traffic,
  .free = cautious_free,
};
