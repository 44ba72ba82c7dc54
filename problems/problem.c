/* problem.c -- the problem registry, the generic instance driver and the oracle.
 *
 * The registry is the explicit list in problems/list.def (STYLE B5: no
 * constructor tricks, deterministic order). The driver allocates a type's
 * private state, configures it and fixes the start point; the oracle is the
 * only path from an optimizer to a problem and counts every evaluation.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench/ob_clock.h"
#include "problems/problem.h"

#define OB_PROBLEM(id) extern const ob_problem_type ob_problem_##id;
#include "problems/list.def"
#undef OB_PROBLEM

static const ob_problem_type *const all_problems[] = {
#define OB_PROBLEM(id) &ob_problem_##id,
#include "problems/list.def"
#undef OB_PROBLEM
  NULL
};

const ob_param_spec ob_problem_common_params[] = {
  { "x0", OB_PARAM_VECTOR, "null", -HUGE_VAL, HUGE_VAL, OB_PARAM_NULLABLE | OB_PARAM_NO_GRID | OB_PARAM_HIDE_IN_ID,
    NULL, NULL, "explicit start point (length = dimension); default: the problem's documented x0" },
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }
};

const ob_problem_type *const *ob_problem_types(void)
{
  return all_problems;
}

const ob_problem_type *ob_problem_type_find(const char *name)
{
  for (const ob_problem_type *const *t = all_problems; *t; t++)
    if (strcmp((*t)->name, name) == 0) return *t;
  return NULL;
}

int ob_problem_alloc(const ob_problem_type *t, const json_t *params, uint64_t seed,
                     ob_memtier *mem, ob_problem **out, ob_error *err)
{
  ob_problem *p = calloc(1, sizeof *p);
  int rc;
  *out = NULL;
  if (!p || !(p->state = calloc(1, t->state_size ? t->state_size : 1))) {
    free(p);
    return ob_error_set(err, OB_ENOMEM, "out of memory for problem '%s'", t->name);
  }
  p->type = t;
  p->seed = seed;
  rc = t->configure(p->state, params, seed, mem, err);
  if (rc < 0) goto fail;
  p->n = t->dim(p->state);
  p->f_opt = t->f_opt ? t->f_opt(p->state) : NAN;
  p->x0 = ob_memtier_alloc(mem, OB_MEM_PARAMS, p->n, err);
  if (!p->x0) { rc = err ? err->code : OB_ENOMEM; goto fail; }
  json_t *x0 = json_object_get(params, "x0");
  if (x0 && json_is_array(x0)) {
    if (json_array_size(x0) != p->n) {
      rc = ob_error_at(err, OB_EINVAL, "x0", "has %zu entries but the problem has dimension %zu",
                       json_array_size(x0), p->n);
      goto fail;
    }
    for (size_t i = 0; i < p->n; i++) p->x0[i] = json_number_value(json_array_get(x0, i));
  } else {
    t->x0(p->state, p->x0);
  }
  *out = p;
  return OB_OK;
fail:
  if (t->free) t->free(p->state);
  free(p->state);
  free(p);
  return rc;
}

void ob_problem_free(ob_problem *p)
{
  if (!p) return;
  if (p->type->free) p->type->free(p->state);
  free(p->state);
  free(p);        /* x0 belongs to the arena */
}

void ob_oracle_init(ob_oracle *o, ob_problem *p)
{
  memset(o, 0, sizeof *o);
  o->p = p;
}

int ob_oracle_eval(ob_oracle *o, const double *x, double *f, double *g, ob_error *err)
{
  double fx, t0 = ob_clock_now();
  const ob_problem_type *t = o->p->type;
  int rc = t->sample_eval ? t->sample_eval(o->p->state, x, o->step, &fx, g, err)
                          : t->eval(o->p->state, x, &fx, g, err);
  o->seconds += ob_clock_now() - t0;
  if (f) { *f = fx; o->n_f++; }
  if (g) o->n_grad++;
  return rc;
}

int ob_oracle_hvp(ob_oracle *o, const double *x, const double *v, double *out, ob_error *err)
{
  if (!o->p->type->hvp)
    return ob_error_set(err, OB_EUNSUPPORTED, "problem '%s' has no Hessian-vector product",
                        o->p->type->name);
  double t0 = ob_clock_now();
  int rc = o->p->type->hvp(o->p->state, x, v, out, err);
  o->seconds += ob_clock_now() - t0;
  o->n_hvp++;
  return rc;
}

int ob_oracle_gnb(ob_oracle *o, const double *x, double *out, double *batch, ob_error *err)
{
  if (!o->p->type->gnb_sample)
    return ob_error_set(err, OB_EUNSUPPORTED, "problem '%s' has no Gauss-Newton-Bartlett samples",
                        o->p->type->name);
  double t0 = ob_clock_now();
  int rc = o->p->type->gnb_sample(o->p->state, x, o->step, out, batch, err);
  o->seconds += ob_clock_now() - t0;
  o->n_grad++;
  return rc;
}

int ob_oracle_gnvp(ob_oracle *o, const double *x, const double *v, double *out, ob_error *err)
{
  if (!o->p->type->gnvp)
    return ob_error_set(err, OB_EUNSUPPORTED, "problem '%s' has no Gauss-Newton product", o->p->type->name);
  double t0 = ob_clock_now();
  int rc = o->p->type->gnvp(o->p->state, x, v, out, err);
  o->seconds += ob_clock_now() - t0;
  o->n_gnvp++;
  return rc;
}
