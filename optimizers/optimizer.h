/* optimizer.h -- optimizer type descriptors and the generic driver.
 *
 * After GSL multimin (STYLE B3): each algorithm lives in one file with a
 * static state struct and exports one const ob_optimizer_type. The driver owns
 * x, g and every state vector: an algorithm declares how many length-n state
 * vectors it needs (nvectors) and receives them, zeroed, from the cell's memtier
 * arena (class "state"). An algorithm never allocates vectors itself, which is
 * what makes memory placement an axis orthogonal to optimizers.
 *
 * step() advances one iteration: it evaluates what it needs through the
 * oracle (which counts and times the evaluations) and updates x in place.
 * Element-wise loops are OpenMP-parallel with static schedules; reductions use
 * the fixed-block sums of ob_vec.h, so trajectories are bit-identical for
 * every thread count and placement.
 */
#ifndef OB_OPTIMIZER_H
#define OB_OPTIMIZER_H

#include <jansson.h>
#include <stddef.h>

#include "bench/ob_error.h"
#include "bench/ob_params.h"
#include "memtier/memtier.h"
#include "problems/problem.h"

enum {
  OB_NEEDS_GRAD = 1u,      /* gradients (every problem here provides them) */
  OB_NEEDS_HVP = 2u,       /* Hessian-vector products */
  OB_NEEDS_FOPT = 4u,      /* the known optimum value f* (Polyak steps) */
  OB_NEEDS_GNVP = 8u,      /* Gauss-Newton products (SophiaG) */
  OB_NEEDS_LINSYS = 16u,   /* the linear-system view (Jacobi, SOR, CG, ...) */
  OB_NEEDS_BILEVEL = 32u,  /* the bilevel view */
  OB_NEEDS_GNB = 64u       /* Gauss-Newton-Bartlett samples (SophiaG) */
};

/* What the driver tells a step besides the vectors. */
typedef struct ob_step_ctx {
  long long t;             /* 1-based index of this step */
  double lr_scale;         /* learning-rate multiplier of the schedule for this step
                            * (exactly 1.0 without a schedule): optimizers use lr * lr_scale */
} ob_step_ctx;

typedef struct ob_optimizer_type {
  const char *name;        /* registry key, the suite's "type" */
  const char *summary;     /* one line for `optbench list` */
  const char *reference;   /* paper, algorithm and equation */
  const ob_param_spec *params;  /* NULL-terminated */
  size_t state_size;       /* bytes of the private state the driver allocates */
  unsigned needs;          /* OB_NEEDS_* */
  /* Reads normalized params (ranges already checked); cross-checks them. */
  int (*configure)(void *st, const json_t *params, ob_error *err);
  /* Number of length-n state vectors to allocate (NULL means none). */
  size_t (*nvectors)(const void *st);
  /* Prepares a run on an n-dimensional problem: vec[i] (i < nvectors) are
   * zeroed arena vectors the state keeps pointers to. May be NULL. */
  int (*init)(void *st, size_t n, double *const *vec, const ob_problem *p, ob_error *err);
  /* One iteration: x is updated in place; g is a gradient buffer of length n. */
  int (*step)(void *st, const ob_step_ctx *ctx, ob_oracle *o, double *x, double *g, ob_error *err);
  /* Bytes one update moves per coordinate, the oracle excluded
   * (e.g. Adam reads x, g, m, v and writes x, m, v: 7 * 8). */
  double (*traffic)(const void *st);
  /* Releases what configure/init allocated outside the arena; may be NULL. */
  void (*free)(void *st);
  /* ---- optional (may be left out of an initializer) */
  /* OB_NEEDS_* this configuration adds to `needs`, for a need that depends
   * on a parameter (sophia's estimator: HVP or GNVP). NULL = none. The
   * driver checks them in ob_optimizer_init / ob_optimizer_init_vectors
   * and fails with OB_EUNSUPPORTED and the reason, so the run is skipped. */
  unsigned (*needs_of)(const void *st);
} ob_optimizer_type;

/* Registry. */
const ob_optimizer_type *ob_optimizer_type_find(const char *name);
const ob_optimizer_type *const *ob_optimizer_types(void);   /* NULL-terminated */

/* A configured optimizer bound to one run. */
typedef struct ob_optimizer {
  const ob_optimizer_type *type;
  void *state;
  size_t n;
  size_t nvec;
  double **vec;            /* nvec arena vectors */
  long long t;             /* completed steps */
  double lr_scale;         /* multiplier handed to the next step (1.0 unless a schedule sets it) */
  struct ob_schedule *schedule;  /* from the "schedule" param, or NULL; the driver sets
                                  * lr_scale from it before every step */
} ob_optimizer;

/* Parameters every optimizer accepts besides its own: "schedule" (an object,
 * see optimizers/schedule.h; null = none). */
extern const ob_param_spec ob_optimizer_common_params[];

/* Normalizes a suite entry (or a wrapper's "inner" spec) of type t: its own
 * params plus the common ones, the schedule normalized (a null horizon becomes
 * `horizon`, the suite's max_steps, 0 = none), and every OB_PARAM_OBJECT param
 * named "inner" normalized recursively as an optimizer spec
 * {"type": ..., params...} at path "<path>.inner". Keys in `skip` are ignored.
 * Grids are never expanded inside "inner" (an array there is an error), and an
 * inner spec may not carry a schedule: the wrapper's schedule scales it. */
int ob_optimizer_params_normalize(const ob_optimizer_type *t, const json_t *given,
                                  const char *const *skip, const char *path, long long horizon,
                                  json_t **out, ob_error *err);

/* For wrappers: allocates and configures the optimizer that a normalized
 * inner spec {"type": ..., params...} describes (normalizing it again is
 * harmless). `path` names the spec in messages ("inner"). */
int ob_optimizer_alloc_spec(const json_t *spec, const char *path, ob_optimizer **out, ob_error *err);

/* Number of arena vectors the optimizer needs (after configure). Wrappers
 * count their inner optimizer's vectors in their own. */
size_t ob_optimizer_nvectors(const ob_optimizer *o);

/* For wrappers: prepares `o` for a run on p with vectors the caller already
 * took from the arena (vec[0 .. ob_optimizer_nvectors(o)-1], zeroed), so an
 * inner optimizer's state lives where its wrapper's does. Checks that the
 * problem provides what o needs (OB_EUNSUPPORTED with the reason if not). */
int ob_optimizer_init_vectors(ob_optimizer *o, const ob_problem *p, double *const *vec, ob_error *err);

/* Allocates and configures: `params` is normalized against type->params. */
int ob_optimizer_alloc(const ob_optimizer_type *t, const json_t *params,
                       ob_optimizer **out, ob_error *err);
/* Allocates the state vectors from `mem` (class state) and calls init. */
int ob_optimizer_init(ob_optimizer *o, const ob_problem *p, ob_memtier *mem, ob_error *err);
/* One step; returns OB_OK, OB_STALLED or a negative status. */
int ob_optimizer_step(ob_optimizer *o, ob_oracle *orc, double *x, double *g, ob_error *err);
/* Bytes of optimizer state (nvec * n * sizeof(double)). */
size_t ob_optimizer_state_bytes(const ob_optimizer *o);
/* Bytes one update moves per coordinate (0 when the type does not say). */
double ob_optimizer_traffic(const ob_optimizer *o);
/* Why this optimizer cannot run on that problem, or NULL when it can
 * (from the type's static needs). */
const char *ob_optimizer_incompatible(const ob_optimizer_type *t, const ob_problem *p);
/* The needs of a configured optimizer: type->needs plus type->needs_of. */
unsigned ob_optimizer_needs(const ob_optimizer *o);
/* Why a set of OB_NEEDS_* flags cannot be met by that problem, or NULL. */
const char *ob_optimizer_needs_unmet(unsigned needs, const ob_problem *p);
void ob_optimizer_free(ob_optimizer *o);

#endif
