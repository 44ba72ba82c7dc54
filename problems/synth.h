/* synth.h -- the shared adapter of the closed-form synthetic test functions.
 *
 * COCO's three layers (a raw function on z, an instance transformation, a
 * problem adapter) in one small table: a function file writes only the pure
 * maths on z -- f with its gradient, and the Hessian-vector product -- plus a
 * parameter table, and OB_SYNTH_TYPE turns that into an ob_problem_type whose
 * eval and hvp apply the instance transformation of problems/instance.h
 * (z = R (x - s) + z*, gradient R^T g_z, Hessian product R^T H_z R v).
 *
 * Contracts for `raw` and `hvp`: deterministic for every OpenMP thread count
 * (sums through ob_vec_reduce or sequential loops), f identical whether or not
 * the gradient is asked for, no allocation, no printing. They may use the
 * state's `work` vectors (def->work_per_dim * n doubles from the arena).
 */
#ifndef OB_SYNTH_H
#define OB_SYNTH_H

#include <stdbool.h>
#include <stddef.h>

#include "problems/instance.h"
#include "problems/problem.h"

struct ob_synth;

typedef struct ob_synth_def {
  size_t fixed_dim;     /* > 0: the dimension (no "dim" parameter) */
  const char *param;    /* name of the function's real parameter read into `a`, or NULL */
  double halfwidth;     /* search region half-width (instance shifts: 0.8 of it) */
  bool no_shift;        /* instances rotate only (scale-invariant functions) */
  size_t work_per_dim;  /* work doubles per coordinate */
  double x0;            /* default start: every coordinate */
  /* z* coordinate (every coordinate equal; NULL: 0); f_opt; both after setup. */
  double (*zopt)(const struct ob_synth *s);
  double (*fopt)(const struct ob_synth *s);
  /* Optional extra set-up (constants, checks) after n and a are known. */
  int (*setup)(struct ob_synth *s, ob_error *err);
  /* f(z), and the z-gradient into gz when gz != NULL. Returns OB_OK or a
   * negative status (a point outside the domain). */
  int (*raw)(struct ob_synth *s, const double *z, double *f, double *gz, ob_error *err);
  /* out = H(z) w; OB_OK or a negative status (a point outside the domain). */
  int (*hvp)(struct ob_synth *s, const double *z, const double *w, double *out, ob_error *err);
  /* Optional: a minimizer that is not a constant vector (functions without
   * instances only; overrides zopt for x_opt). */
  void (*xopt_fill)(const struct ob_synth *s, double *x);
  /* Optional: a start point that is not constant (overrides x0). */
  void (*x0_fill)(const struct ob_synth *s, double *x);
} ob_synth_def;

typedef struct ob_synth {
  const ob_synth_def *def;
  size_t n;
  double a;             /* the function's parameter (def->param), else 0 */
  double c;             /* a constant the setup hook may compute */
  double *work;         /* def->work_per_dim * n doubles (arena), or NULL */
  ob_instance inst;
} ob_synth;

/* zopt / fopt hook for functions whose minimizer and minimum are 0. */
double ob_synth_zero(const ob_synth *s);

int ob_synth_configure(void *st, const ob_synth_def *def, const json_t *params, ob_memtier *mem,
                       ob_error *err);
size_t ob_synth_dim(const void *st);
int ob_synth_eval(void *st, const double *x, double *f, double *g, ob_error *err);
int ob_synth_hvp(void *st, const double *x, const double *v, double *out, ob_error *err);
void ob_synth_x0(const void *st, double *x);
double ob_synth_f_opt(const void *st);
int ob_synth_x_opt(const void *st, double *x);

/* Defines the exported descriptor ob_problem_<id> from <id>_def and
 * <id>_params (both static in the function's file). */
#define OB_SYNTH_TYPE(id, summary_, reference_)                                                  \
  static int id##_configure(void *st, const json_t *params, uint64_t seed, ob_memtier *mem,      \
                            ob_error *err)                                                       \
  {                                                                                              \
    (void)seed; /* instances never depend on the run seed */                                    \
    return ob_synth_configure(st, &id##_def, params, mem, err);                                  \
  }                                                                                              \
  const ob_problem_type ob_problem_##id = {                                                      \
    .name = #id,                                                                                 \
    .summary = summary_,                                                                         \
    .reference = reference_,                                                                     \
    .params = id##_params,                                                                       \
    .state_size = sizeof(ob_synth),                                                              \
    .provides = OB_PROVIDES_GRAD | OB_PROVIDES_HVP | OB_PROVIDES_FOPT,                           \
    .configure = id##_configure,                                                                 \
    .dim = ob_synth_dim,                                                                         \
    .eval = ob_synth_eval,                                                                       \
    .hvp = ob_synth_hvp,                                                                         \
    .x0 = ob_synth_x0,                                                                           \
    .f_opt = ob_synth_f_opt,                                                                     \
    .x_opt = ob_synth_x_opt,                                                                     \
    .free = NULL, /* everything lives in the arena */                                           \
  }

#endif
