/* lower_problem.h -- the lower level of a bilevel problem as a plain problem,
 * so any registered gradient optimizer can solve it.
 *
 * Bilevel algorithms that run lower-level iterations (aid_cg, penalty, bo_rep)
 * take an "inner" optimizer spec {"type": ..., params} and drive it on the
 * private problem y -> g(x, y) at the algorithm's current x. The adapter's
 * eval calls ob_oracle_lower on the run's (outer) oracle, so every gradient
 * the inner optimizer asks for is counted once, as lower_grad (a value-only
 * call as lower_f), in the results; the inner optimizer's own oracle counts
 * (f, grad) are private and never reported, so nothing is counted twice.
 *
 * The inner optimizer keeps its state (momenta, ...) across outer steps: each
 * outer step warm-starts the lower level from the current y. Its learning rate
 * is not scaled by the outer schedule. Inner optimizers that need more than
 * values and gradients (Hessian-vector products, f*, a linear system, a
 * bilevel view) are refused with a message naming what is missing.
 *
 * With weight w > 0 the adapter is y -> w f(x, y) + g(x, y) instead (the
 * penalty method's h_sigma = sigma f + g): each gradient call then counts one
 * upper_grad and one lower_grad.
 *
 * The header also has ob_bilevel_clip_x, the projection onto the view's bounds on
 * x that every bilevel algorithm applies after its upper-level step.
 *
 * Lifetime: configure (allocates the inner optimizer) -> init (binds the
 * problem's view and arena vectors) -> run* -> free. Not thread-safe: one per
 * optimizer instance, like the optimizer state it lives in. Never prints.
 */
#ifndef OB_BILEVEL_LOWER_PROBLEM_H
#define OB_BILEVEL_LOWER_PROBLEM_H

#include <jansson.h>

#include "optimizers/optimizer.h"
#include "problems/bilevel.h"

/* The documented default lower-level solver: gradient descent with step 0.1. */
#define OB_BILEVEL_INNER_DEFAULT "{\"type\": \"gd\", \"lr\": 0.1}"
#define OB_BILEVEL_INNER_HELP \
  "lower-level solver {\"type\": ..., its params}: any gradient optimizer (default gd with lr 0.1)"

typedef struct ob_bilevel_lower {
  ob_optimizer *opt;      /* the inner optimizer */
  ob_problem prob;        /* the adapter problem y -> g(x, y), dimension ny */
  ob_oracle orc;          /* the inner optimizer's private oracle */
  ob_oracle *outer;       /* the run's oracle, set by each run */
  const double *x;        /* the upper-level variable of the current run */
  double *g;              /* gradient buffer (arena, length >= ny) */
  double *fy;             /* scratch for grad_y f when weight > 0 (arena) */
  double weight;          /* 0: y -> g(x, y); w > 0: y -> w f(x, y) + g(x, y) */
  size_t ny;
} ob_bilevel_lower;

/* Allocates the inner optimizer from a (normalized or raw) spec. Errors name
 * the JSON path "inner". */
int ob_bilevel_lower_configure(ob_bilevel_lower *l, const json_t *spec, ob_error *err);

/* Arena vectors the adapter needs: the inner optimizer's plus two buffers. */
size_t ob_bilevel_lower_nvectors(const ob_bilevel_lower *l);

/* Binds to p's bilevel view (ny) and seed and hands the inner optimizer vec[2..]; vec[0] is
 * the gradient buffer, vec[1] scratch. Vectors are zeroed arena vectors of length >= ny. */
int ob_bilevel_lower_init(ob_bilevel_lower *l, const ob_problem *p, double *const *vec, ob_error *err);

/* k steps of the inner optimizer on y -> g(x, y) from y (updated in place).
 * Each step's oracle calls are counted on `outer`. Returns OB_OK or a
 * negative status; an inner optimizer that stalls or converges ends the
 * loop early without error. */
int ob_bilevel_lower_run(ob_bilevel_lower *l, ob_oracle *outer, const double *x, double *y, long long k,
                         ob_error *err);

void ob_bilevel_lower_free(ob_bilevel_lower *l);

/* Clips x (length v->nx) to the view's simple bounds [x_lo, x_hi] when it has
 * them (every algorithm applies it after its upper-level step). */
static inline void ob_bilevel_clip_x(const struct ob_bilevel_view *v, double *x)
{
  for (size_t j = 0; j < v->nx; j++) {
    if (v->x_lo && x[j] < v->x_lo[j]) x[j] = v->x_lo[j];
    if (v->x_hi && x[j] > v->x_hi[j]) x[j] = v->x_hi[j];
  }
}

#endif
