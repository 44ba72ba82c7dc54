/* lower_problem.c -- the lower-level adapter problem (see lower_problem.h). */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "optimizers/bilevel/lower_problem.h"

static int lower_eval(void *st, const double *y, double *f, double *g, ob_error *err)
{
  ob_bilevel_lower *l = st;
  if (!(l->weight > 0)) return ob_oracle_lower(l->outer, l->x, y, f, NULL, g, err);
  double fu;
  int rc = ob_oracle_upper(l->outer, l->x, y, &fu, NULL, g ? l->fy : NULL, err);
  if (rc < 0) return rc;
  if ((rc = ob_oracle_lower(l->outer, l->x, y, f, NULL, g, err)) < 0) return rc;
  *f += l->weight * fu;
  if (g)
    for (size_t i = 0; i < l->ny; i++) g[i] += l->weight * l->fy[i];
  return OB_OK;
}

static size_t lower_dim(const void *st)
{
  return ((const ob_bilevel_lower *)st)->ny;
}

static void lower_x0(const void *st, double *y)
{
  memset(y, 0, ((const ob_bilevel_lower *)st)->ny * sizeof *y);
}

static double lower_f_opt(const void *st)
{
  (void)st;
  return NAN;
}

/* Not registered: only the bilevel algorithms build it. */
static const ob_problem_type lower_type = {
  .name = "bilevel lower level",
  .summary = "y -> g(x, y) at the bilevel algorithm's current x",
  .reference = "optimizers/bilevel/lower_problem.h",
  .params = NULL,
  .state_size = 0,
  .provides = OB_PROVIDES_GRAD,
  .configure = NULL,
  .dim = lower_dim,
  .eval = lower_eval,
  .x0 = lower_x0,
  .f_opt = lower_f_opt,
};

static const char *missing(unsigned needs)
{
  if (needs & OB_NEEDS_HVP) return "Hessian-vector products";
  if (needs & OB_NEEDS_FOPT) return "the optimal value f*";
  if (needs & OB_NEEDS_GNVP) return "Gauss-Newton products";
  if (needs & OB_NEEDS_LINSYS) return "a linear system";
  if (needs & OB_NEEDS_BILEVEL) return "a bilevel problem";
  return NULL;
}

int ob_bilevel_lower_configure(ob_bilevel_lower *l, const json_t *spec, ob_error *err)
{
  memset(l, 0, sizeof *l);
  int rc = ob_optimizer_alloc_spec(spec, "inner", &l->opt, err);
  if (rc < 0) return rc;
  const char *what = missing(ob_optimizer_needs(l->opt));
  if (what)
    return ob_error_at(err, OB_EINVAL, "inner", "optimizer '%s' needs %s, but the lower-level solver sees only "
                       "values and gradients of g(x, .): choose a gradient optimizer", l->opt->type->name, what);
  return OB_OK;
}

size_t ob_bilevel_lower_nvectors(const ob_bilevel_lower *l)
{
  return 2 + ob_optimizer_nvectors(l->opt);
}

int ob_bilevel_lower_init(ob_bilevel_lower *l, const ob_problem *p, double *const *vec, ob_error *err)
{
  const struct ob_bilevel_view *v = ob_bilevel_of(p);
  l->ny = v->ny;
  l->g = vec[0];
  l->fy = vec[1];
  memset(&l->prob, 0, sizeof l->prob);
  l->prob.type = &lower_type;
  l->prob.state = l;
  l->prob.n = v->ny;
  l->prob.f_opt = NAN;
  l->prob.x0 = NULL;
  l->prob.seed = p->seed;     /* randomized inner optimizers draw from the run seed */
  ob_oracle_init(&l->orc, &l->prob);
  int rc = ob_optimizer_init_vectors(l->opt, &l->prob, vec + 2, err);
  if (rc < 0) {
    /* a wrapper's inner optimizer that needs more than gradients ends here */
    char why[sizeof err->text];
    snprintf(why, sizeof why, "%s", err ? err->text : "");
    return ob_error_at(err, OB_EINVAL, "inner", "the lower-level solver '%s' cannot run on g(x, .): %s",
                       l->opt->type->name, why);
  }
  return OB_OK;
}

int ob_bilevel_lower_run(ob_bilevel_lower *l, ob_oracle *outer, const double *x, double *y, long long k,
                         ob_error *err)
{
  l->outer = outer;
  l->x = x;
  for (long long i = 0; i < k; i++) {
    l->orc.step = (uint64_t)(l->opt->t + 1);
    int rc = ob_optimizer_step(l->opt, &l->orc, y, l->g, err);
    if (rc < 0) return rc;
    if (rc > 0) break;
  }
  return OB_OK;
}

void ob_bilevel_lower_free(ob_bilevel_lower *l)
{
  ob_optimizer_free(l->opt);
  l->opt = NULL;
}
