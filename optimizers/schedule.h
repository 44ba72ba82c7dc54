/* schedule.h -- learning-rate schedules every optimizer can take.
 *
 * A schedule is the common optimizer parameter "schedule": {"type": ..., ...}.
 * The suite loader normalizes it (ob_schedule_normalize: keys checked with
 * their JSON path, defaults filled, the horizon defaulting to the suite's
 * budget.max_steps), so the results record the complete schedule. The driver
 * (ob_optimizer_step) sets ob_optimizer.lr_scale = ob_schedule_factor(s, t)
 * before step t, and every optimizer multiplies its lr by ctx->lr_scale.
 *
 * Pure functions of (schedule, t): no state, no allocation, thread-safe.
 */
#ifndef OB_SCHEDULE_H
#define OB_SCHEDULE_H

#include <jansson.h>

#include "bench/ob_error.h"
#include "bench/ob_params.h"

typedef enum {
  OB_SCHED_CONSTANT,       /* 1 (after the optional warm-up) */
  OB_SCHED_LINEAR_WARMUP,  /* constant with a mandatory warm-up */
  OB_SCHED_COSINE,         /* cosine from 1 to min_factor over the horizon */
  OB_SCHED_LINEAR,         /* straight line from 1 to min_factor over the horizon */
  OB_SCHED_INVERSE_SQRT    /* sqrt(max(warmup, 1) / t), floored at min_factor */
} ob_schedule_kind;

typedef struct ob_schedule {
  ob_schedule_kind kind;
  long long warmup;        /* steps of linear warm-up (0: none) */
  long long horizon;       /* last step of the decay (cosine, linear); 0 when unused */
  double min_factor;       /* final factor (cosine, linear) or floor (inverse_sqrt) */
} ob_schedule;

/* The keys of a schedule object (type, warmup, horizon, min_factor). */
extern const ob_param_spec ob_schedule_params[];

/* Checks a user's schedule object found at `path` (e.g. "optimizers[1].schedule")
 * and stores in *out a new object with every key filled in. A null horizon
 * becomes `default_horizon` (the suite's max_steps) for the types that decay;
 * it is an error when that is 0 too. For constant and inverse_sqrt the horizon
 * stays null. */
int ob_schedule_normalize(const json_t *given, const char *path, long long default_horizon,
                          json_t **out, ob_error *err);

/* Reads a normalized schedule object. */
int ob_schedule_from_json(const json_t *norm, ob_schedule *s, ob_error *err);

/* The learning-rate multiplier for step t (1-based). With s = t - 1 completed
 * steps and W = warmup: s < W gives (s + 1) / W; then, with
 * p = min(1, (s - W) / (horizon - W)):
 *   constant, linear_warmup: 1
 *   cosine:       m + (1 - m) (1 + cos(pi p)) / 2
 *   linear:       m + (1 - m) (1 - p)
 *   inverse_sqrt: max(m, sqrt(max(W, 1) / t)) */
double ob_schedule_factor(const ob_schedule *s, long long t);

#endif
