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
 * (at x for every single-evaluation first-order method).
 *
 * Weight decay outside the mask: the paper's C-AdamW algorithm box (Algorithm 1) ends with
 *   x_t = x_{t-1} - eps_t_bar (u_t (.) phi_t) - eps_t lambda x_{t-1},
 * i.e. the decoupled decay uses the unscaled step eps_t and acts on every
 * coordinate, masked or not (the official C-Optim code likewise decays p
 * before the masked update). A generic wrapper cannot split an inner
 * optimizer's delta into its decay and its update, so the decay belongs to
 * the wrapper: "weight_decay" (lambda) is applied here, outside the mask, at
 * the inner optimizer's learning rate (its "lr" param times the schedule
 * factor), from the pre-step x:
 *
 *   x_i <- [x_i + scale delta_i if kept, else x_i] - lr lambda x_i
 *
 * The default inner is therefore AdamW with weight_decay 0 and C-AdamW's
 * decay is set on the wrapper. An inner optimizer's own weight_decay is still
 * honoured but is part of its delta and so masked with it (not the paper's
 * rule); configure rejects a decay on both. The mask mean is an exact integer
 * count, so trajectories are identical for every thread count.
 *
 * Params: scale = "mean", weight_decay = 0, inner = {"type": "adamw",
 * "weight_decay": 0} (C-AdamW, the paper's main case). State: xs (+ the inner's).
 * Traffic per coordinate: the inner's plus 48 bytes (copy x to xs: 16; read
 * x, xs, g and write x: 32).
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench/ob_vec.h"
#include "optimizers/optimizer.h"

enum { SCALE_MEAN, SCALE_NUMEL, SCALE_NONE };

typedef struct {
  int scale;
  double weight_decay, inner_lr;   /* decay outside the mask, at the inner's lr */
  ob_optimizer *inner;
  size_t n;
  double *xs;         /* arena vector: the inner optimizer's proposal */
} cautious_state;

static const ob_param_spec cautious_params[] = {
  { "scale", OB_PARAM_STRING, "\"mean\"", 0, 0, 0, "mean|numel|none", NULL,
    "rescaling of the kept coordinates: 1/max(mean(mask),1e-3), n/(nnz+1) or 1" },
  { "weight_decay", OB_PARAM_REAL, "0", 0.0, HUGE_VAL, 0, NULL, "wd",
    "decoupled decay applied outside the mask: x <- x - lr wd x with the inner's lr (C-AdamW, Algorithm 1)" },
  { "inner", OB_PARAM_OBJECT, "{\"type\": \"adamw\", \"weight_decay\": 0}", 0, 0, 0, NULL, NULL,
    "the base optimizer, {\"type\": ..., its params}" },
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }
};

/* The inner spec's value of real param `key` (its type's default when the spec
 * omits it); 0 when the inner type has no such param. */
static int inner_real(const json_t *spec, const ob_optimizer_type *t, const char *key, double *out)
{
  const ob_param_spec *ps = ob_params_find(t->params, key);
  if (!ps || ps->kind != OB_PARAM_REAL) return 0;
  const json_t *v = json_object_get(spec, key);
  if (json_is_number(v)) {
    *out = json_number_value(v);
    return 1;
  }
  *out = ps->def ? strtod(ps->def, NULL) : 0.0;
  return 1;
}

static int cautious_configure(void *vs, const json_t *params, ob_error *err)
{
  cautious_state *s = vs;
  const char *sc = ob_params_string(params, "scale");
  s->scale = strcmp(sc, "numel") == 0 ? SCALE_NUMEL : strcmp(sc, "none") == 0 ? SCALE_NONE : SCALE_MEAN;
  s->weight_decay = ob_params_real(params, "weight_decay");
  int rc = ob_optimizer_alloc_spec(json_object_get(params, "inner"), "inner", &s->inner, err);
  if (rc < 0 || s->weight_decay == 0.0) return rc;
  const json_t *in = json_object_get(params, "inner");
  const ob_optimizer_type *it = s->inner->type;
  double iwd = 0.0;
  if (!inner_real(in, it, "lr", &s->inner_lr))
    return ob_error_at(err, OB_EINVAL, "weight_decay", "the decay outside the mask runs at the inner optimizer's "
                       "'lr', and '%s' has none", it->name);
  if (inner_real(in, it, "weight_decay", &iwd) && iwd != 0.0)
    return ob_error_at(err, OB_EINVAL, "weight_decay", "set weight_decay on the cautious wrapper (applied outside "
                       "the mask) or on its inner optimizer (masked with its update), not on both");
  if (s->inner_lr * s->weight_decay >= 1.0)
    return ob_error_at(err, OB_EINVAL, "weight_decay", "the inner lr * weight_decay must be below 1 (got %g * %g)",
                       s->inner_lr, s->weight_decay);
  return OB_OK;
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
  if (s->weight_decay == 0.0) {
#pragma omp parallel for schedule(static) if (n >= OB_VEC_PAR_MIN)
    for (long i = 0; i < n; i++) {
      double d = xs[i] - x[i];
      if (d * g[i] < 0.0) x[i] = scale == 1.0 ? xs[i] : x[i] + scale * d;
    }
  } else {
    const double lrwd = s->inner_lr * ctx->lr_scale * s->weight_decay;
#pragma omp parallel for schedule(static) if (n >= OB_VEC_PAR_MIN)
    for (long i = 0; i < n; i++) {
      const double xo = x[i], d = xs[i] - xo;
      double xn = xo;
      if (d * g[i] < 0.0) xn = scale == 1.0 ? xs[i] : xo + scale * d;
      x[i] = xn - lrwd * xo;
    }
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
  .reference = "Liang, Chen, Liu & Liu, arXiv:2411.16085 (2024), Algorithm 1 (C-AdamW), decay outside the mask",
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
