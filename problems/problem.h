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
  OB_PROVIDES_FOPT = 4u    /* f_opt is known exactly (or to high precision) */
};

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
  uint64_t n_f, n_grad, n_hvp;   /* evaluations made through this oracle */
  double seconds;                /* time spent inside the problem */
} ob_oracle;

void ob_oracle_init(ob_oracle *o, ob_problem *p);
/* f and/or gradient at x: f or g may be NULL (not both). Counts one f
 * evaluation when f != NULL and one gradient when g != NULL. */
int ob_oracle_eval(ob_oracle *o, const double *x, double *f, double *g, ob_error *err);
/* H(x) v; OB_EUNSUPPORTED when the problem has no HVP. */
int ob_oracle_hvp(ob_oracle *o, const double *x, const double *v, double *out, ob_error *err);

#endif
