/* problem.h -- problem type descriptors, problem instances and the oracle.
 *
 * After GSL multimin and COCO: each problem type lives in one file with a
 * static state struct and exports one const ob_problem_type. A problem
 * instance depends only on its normalized parameters and the run seed, never
 * on the optimizer, so every optimizer sees the same instance and start point.
 * The problem's own data comes from the cell's memtier arena (class "data").
 *
 * Optimizers never call a problem directly: they go through an ob_oracle that
 * counts f, gradient and Hessian-vector evaluations and times them, so counts
 * are the driver's, not the optimizer's.
 *
 * Threading: eval and hvp may use OpenMP inside; they must give bit-identical
 * results for every thread count (use the fixed-block reductions of ob_vec.h).
 */
#ifndef OB_PROBLEM_H
#define OB_PROBLEM_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "bench/ob_error.h"
#include "bench/ob_params.h"
#include "memtier/memtier.h"

enum {
  OB_PROVIDES_GRAD = 1u,   /* eval can fill a gradient */
  OB_PROVIDES_HVP = 2u,    /* hvp is implemented */
  OB_PROVIDES_FOPT = 4u,   /* f_opt is known exactly (or to high precision) */
  OB_PROVIDES_STOCHASTIC = 8u,  /* sample_eval: optimizers see minibatch / noisy oracles */
  OB_PROVIDES_GNVP = 16u,  /* gnvp: Gauss-Newton (Fisher) matrix-vector products */
  OB_PROVIDES_LINSYS = 32u,/* linsys: the problem is a linear system A x = b */
  OB_PROVIDES_BILEVEL = 64u,/* bilevel: upper and lower levels */
  OB_PROVIDES_GNB = 128u   /* gnb_sample: gradients with labels drawn from the model */
};

/* Views for solver families, defined by the headers of those families
 * (problems/linsys.h, problems/bilevel.h). */
struct ob_linsys_view;
struct ob_bilevel_view;

typedef struct ob_problem_type {
  const char *name;        /* registry key, the suite's "type" */
  const char *summary;     /* one line for `optbench list` */
  const char *reference;   /* where the function comes from */
  const ob_param_spec *params;  /* NULL-terminated (name == NULL) */
  size_t state_size;       /* bytes of the private state the driver allocates */
  unsigned provides;       /* OB_PROVIDES_* */
  /* Builds the instance from normalized params and the run seed. Data goes
   * through `mem`. Returns OB_OK or a negative status (path-less messages:
   * the driver prefixes the JSON path). */
  int (*configure)(void *st, const json_t *params, uint64_t seed, ob_memtier *mem, ob_error *err);
  size_t (*dim)(const void *st);
  /* f(x) into *f; when g != NULL also the gradient. */
  int (*eval)(void *st, const double *x, double *f, double *g, ob_error *err);
  /* Hessian-vector product H(x) v into out; NULL when not provided. */
  int (*hvp)(void *st, const double *x, const double *v, double *out, ob_error *err);
  /* The documented default start point. */
  void (*x0)(const void *st, double *x);
  /* Known optimum value, NAN when unknown. */
  double (*f_opt)(const void *st);
  /* Known minimizer into x, or NULL when unknown / not unique. */
  int (*x_opt)(const void *st, double *x);
  /* Releases what configure allocated outside the arena, never st itself. */
  void (*free)(void *st);
  /* ---- optional: NULL when not provided (fields may be left out of an initializer) */
  /* The oracle optimizers see at step `step` (1-based) of a run: a minibatch or
   * noisy f/gradient drawn from (run seed, step) only, so every optimizer sees
   * the same sample sequence. eval stays the exact objective used for targets. */
  int (*sample_eval)(void *st, const double *x, uint64_t step, double *f, double *g, ob_error *err);
  /* Gauss-Newton (generalized, or Fisher) matrix-vector product G(x) v. */
  int (*gnvp)(void *st, const double *x, const double *v, double *out, ob_error *err);
  /* The linear-system view (A, b, stencil/CSR access) or NULL. */
  const struct ob_linsys_view *(*linsys)(void *st);
  /* The bilevel view (upper/lower values, gradients, mixed products) or NULL. */
  const struct ob_bilevel_view *(*bilevel)(void *st);
  /* A Gauss-Newton-Bartlett sample (Liu et al., Sophia, ICLR 2024, Algorithm 2)
   * at step `step`: out = the gradient at x of the loss of the step's samples
   * (the minibatch the oracle uses, or every sample) with each label replaced
   * by one drawn from the model's own predictive distribution, from (run seed,
   * step) only; *batch = B, the number of samples, so that B out * out is an
   * unbiased estimate of the diagonal of the loss's Gauss-Newton matrix.
   * Regularization terms are not part of the loss here. */
  int (*gnb_sample)(void *st, const double *x, uint64_t step, double *out, double *batch, ob_error *err);
  /* Problem-specific metrics of the final x added to the run's "final" object
   * (documented names: accuracy, margin, residual, hypergrad_norm, ...). */
  int (*metrics)(void *st, const double *x, json_t *final, ob_error *err);
} ob_problem_type;

/* Parameters every problem accepts besides its own: "x0" (explicit start). */
extern const ob_param_spec ob_problem_common_params[];

/* A configured instance. */
typedef struct ob_problem {
  const ob_problem_type *type;
  void *state;
  size_t n;
  double f_opt;            /* NAN when unknown */
  double *x0;              /* start point (arena memory, class params) */
  uint64_t seed;           /* the run seed the instance was built from: randomized
                            * optimizers (sophia, zo_sgd) draw from (seed, step) */
} ob_problem;

/* Registry. */
const ob_problem_type *ob_problem_type_find(const char *name);
const ob_problem_type *const *ob_problem_types(void);   /* NULL-terminated */

/* Builds an instance: `params` is the normalized object (ob_params_normalize
 * against type->params plus the common params). x0 comes from "x0" when given,
 * else from type->x0. */
int ob_problem_alloc(const ob_problem_type *t, const json_t *params, uint64_t seed,
                     ob_memtier *mem, ob_problem **out, ob_error *err);
void ob_problem_free(ob_problem *p);

/* The counting, timing view optimizers see. */
typedef struct ob_oracle {
  ob_problem *p;
  uint64_t n_f, n_grad, n_hvp, n_gnvp;   /* evaluations made through this oracle */
  /* bilevel oracles (problems/bilevel.h): upper/lower values and gradients,
   * grad2_yy g v, grad2_xy g v, constraint values and Jacobian products */
  uint64_t n_upper_f, n_upper_grad, n_lower_f, n_lower_grad, n_hyy, n_hxy, n_cons;
  double seconds;                /* time spent inside the problem */
  uint64_t step;                 /* 1-based step being taken (set by the runner) */
} ob_oracle;

void ob_oracle_init(ob_oracle *o, ob_problem *p);
/* f and/or gradient at x: f or g may be NULL (not both). Counts one f
 * evaluation when f != NULL and one gradient when g != NULL. For a
 * stochastic problem this is the sample of the current step (sample_eval). */
int ob_oracle_eval(ob_oracle *o, const double *x, double *f, double *g, ob_error *err);
/* H(x) v; OB_EUNSUPPORTED when the problem has no HVP. */
int ob_oracle_hvp(ob_oracle *o, const double *x, const double *v, double *out, ob_error *err);
/* G(x) v (Gauss-Newton); OB_EUNSUPPORTED when the problem has none. */
int ob_oracle_gnvp(ob_oracle *o, const double *x, const double *v, double *out, ob_error *err);
/* A Gauss-Newton-Bartlett sample of the current step (gnb_sample); counts one
 * gradient (it costs one pass over the step's samples, as a gradient does).
 * OB_EUNSUPPORTED when the problem has none. */
int ob_oracle_gnb(ob_oracle *o, const double *x, double *out, double *batch, ob_error *err);

#endif
