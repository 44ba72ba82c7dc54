/* schedule.c -- learning-rate schedules (see schedule.h).
 *
 * The shapes are the ones in common use, written from their definitions:
 * - linear warm-up: Goyal et al., "Accurate, Large Minibatch SGD: Training
 *   ImageNet in 1 Hour", arXiv:1706.02677 (2017), section 2.2 (gradual warm-up);
 * - cosine: Loshchilov & Hutter, "SGDR: Stochastic Gradient Descent with Warm
 *   Restarts", ICLR 2017, eq. 5 without restarts (= torch.optim.lr_scheduler.
 *   CosineAnnealingLR's closed form with eta_min = min_factor * lr, T_max = horizon);
 * - linear decay: torch.optim.lr_scheduler.LinearLR from 1 to min_factor;
 * - inverse square root: Vaswani et al., "Attention Is All You Need", NeurIPS
 *   2017, eq. 3, normalized so the factor is 1 at the end of the warm-up.
 * Step indexing follows torch's schedulers: step t (1-based) uses the factor
 * of s = t - 1 completed steps; the warm-up factor (s + 1) / W makes the first
 * step non-zero and reaches 1 at step W. Defaults: warmup 0, min_factor 0,
 * horizon = the suite's budget.max_steps.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "optimizers/schedule.h"

const ob_param_spec ob_schedule_params[] = {
  { "type", OB_PARAM_STRING, NULL, 0, 0, 0, "constant|linear_warmup|cosine|linear|inverse_sqrt", NULL,
    "shape of the multiplier applied to the learning rate" },
  { "warmup", OB_PARAM_INT, "0", 0, 1e15, 0, NULL, NULL,
    "steps of linear warm-up: step t <= warmup uses t / warmup" },
  { "horizon", OB_PARAM_INT, "null", 1, 1e15, OB_PARAM_NULLABLE, NULL, NULL,
    "step at which cosine / linear reach min_factor (null: the suite's budget.max_steps)" },
  { "min_factor", OB_PARAM_REAL, "0", 0.0, 1.0, 0, NULL, NULL,
    "final multiplier of cosine / linear; floor of inverse_sqrt" },
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }
};

static const char *const kind_names[] = { "constant", "linear_warmup", "cosine", "linear", "inverse_sqrt" };

static int kind_of(const char *name)
{
  for (int k = 0; k < (int)(sizeof kind_names / sizeof kind_names[0]); k++)
    if (strcmp(kind_names[k], name) == 0) return k;
  return -1;
}

static int decays(int kind)
{
  return kind == OB_SCHED_COSINE || kind == OB_SCHED_LINEAR;
}

int ob_schedule_normalize(const json_t *given, const char *path, long long default_horizon,
                          json_t **out, ob_error *err)
{
  json_t *n;
  char kp[300];
  *out = NULL;
  if (!json_is_object(given))
    return ob_error_at(err, OB_EINVAL, path, "expected a schedule object such as {\"type\": \"cosine\"}");
  int rc = ob_params_normalize(ob_schedule_params, given, NULL, path, &n, err);
  if (rc < 0) return rc;
  int kind = kind_of(json_string_value(json_object_get(n, "type")));
  long long w = ob_params_int(n, "warmup");
  if (kind == OB_SCHED_LINEAR_WARMUP && w < 1) {
    snprintf(kp, sizeof kp, "%s.warmup", path);
    json_decref(n);
    return ob_error_at(err, OB_EINVAL, kp, "schedule 'linear_warmup' needs warmup >= 1");
  }
  if (decays(kind)) {
    int defaulted = ob_params_is_null(n, "horizon");
    if (defaulted) {
      if (default_horizon < 1) {
        json_decref(n);
        return ob_error_at(err, OB_EINVAL, path, "schedule '%s' needs a \"horizon\" (the suite has no "
                           "budget.max_steps to default to)", kind_names[kind]);
      }
      json_object_set_new(n, "horizon", json_integer(default_horizon));
    }
    if (ob_params_int(n, "horizon") <= w) {
      snprintf(kp, sizeof kp, "%s.horizon", path);
      long long h = ob_params_int(n, "horizon");
      json_decref(n);
      return ob_error_at(err, OB_EINVAL, kp, "horizon %lld%s must exceed warmup %lld", h,
                         defaulted ? " (the suite's budget.max_steps)" : "", w);
    }
  }
  *out = n;
  return OB_OK;
}

int ob_schedule_from_json(const json_t *norm, ob_schedule *s, ob_error *err)
{
  const char *type = ob_params_string(norm, "type");
  int kind = type ? kind_of(type) : -1;
  if (kind < 0) return ob_error_set(err, OB_EINVAL, "unknown schedule type '%s'", type ? type : "(none)");
  s->kind = (ob_schedule_kind)kind;
  s->warmup = ob_params_int(norm, "warmup");
  s->horizon = ob_params_is_null(norm, "horizon") ? 0 : ob_params_int(norm, "horizon");
  s->min_factor = json_object_get(norm, "min_factor") ? ob_params_real(norm, "min_factor") : 0.0;
  if (s->warmup < 0 || !(s->min_factor >= 0.0 && s->min_factor <= 1.0))
    return ob_error_set(err, OB_EINVAL, "schedule: warmup must be >= 0 and min_factor in [0, 1]");
  if (s->kind == OB_SCHED_LINEAR_WARMUP && s->warmup < 1)
    return ob_error_set(err, OB_EINVAL, "schedule 'linear_warmup' needs warmup >= 1");
  if (decays(kind) && s->horizon <= s->warmup)
    return ob_error_set(err, OB_EINVAL, "schedule '%s' needs a horizon greater than its warmup", type);
  return OB_OK;
}

double ob_schedule_factor(const ob_schedule *s, long long t)
{
  const long long done = t - 1, w = s->warmup;
  const double m = s->min_factor;
  if (done < w) return (double)(done + 1) / (double)w;
  switch (s->kind) {
  case OB_SCHED_CONSTANT:
  case OB_SCHED_LINEAR_WARMUP:
    return 1.0;
  case OB_SCHED_COSINE:
  case OB_SCHED_LINEAR: {
    double p = done >= s->horizon ? 1.0 : (double)(done - w) / (double)(s->horizon - w);
    if (s->kind == OB_SCHED_COSINE) return m + (1.0 - m) * (1.0 + cos(M_PI * p)) / 2.0;
    return m + (1.0 - m) * (1.0 - p);
  }
  case OB_SCHED_INVERSE_SQRT: {
    double f = sqrt((double)(w > 1 ? w : 1) / (double)t);
    return f > m ? f : m;
  }
  }
  return 1.0;
}
