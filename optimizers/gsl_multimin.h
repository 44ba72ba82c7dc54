/* gsl_multimin.h -- the shared adapter behind the GSL multimin baselines
 * (gsl_bfgs2.c, gsl_cg_fr.c, gsl_cg_pr.c, gsl_steepest.c, gsl_nm.c).
 *
 * Each of those files is one registry entry with its own parameter table and
 * reference; this header holds the code they share, as static functions
 * compiled into each (a private header, included by nothing else). One
 * optbench step is one gsl_multimin_*minimizer_iterate; the first step also
 * sets the minimizer up at x. GSL evaluates the problem through callbacks that
 * go through the step's ob_oracle, so every evaluation GSL makes is counted
 * and timed by the driver. GSL_ENOPROG ("not making progress") becomes
 * OB_STALLED with GSL's reason; a callback error aborts the step with it.
 *
 * Memory: GSL allocates the minimizer's work vectors itself (malloc), so they
 * are outside the memtier arena and not in state_bytes; placement applies to
 * x and g only. Stochastic problems: GSL assumes a deterministic f; the
 * oracle gives it the current step's sample, fixed within the step.
 */
#ifndef OB_GSL_MULTIMIN_H
#define OB_GSL_MULTIMIN_H

#include <gsl/gsl_errno.h>
#include <gsl/gsl_multimin.h>
#include <math.h>
#include <string.h>

#include "optimizers/optimizer.h"

typedef struct {
  const char *label;                               /* GSL's name, for messages */
  const gsl_multimin_fdfminimizer_type *fdf_type;  /* NULL for the simplex */
  const gsl_multimin_fminimizer_type *f_type;      /* NULL for gradient methods */
  double step_size, tol;                           /* fdf: first step, line tolerance; nm: initial simplex, size_tol */
  size_t n;
  gsl_multimin_fdfminimizer *fdf;
  gsl_multimin_fminimizer *fmin;
  gsl_vector *start, *ss;
  gsl_multimin_function_fdf fdf_fn;
  gsl_multimin_function f_fn;
  ob_oracle *orc;          /* the oracle of the step in progress */
  ob_error *err;
  int cb_rc;               /* first callback failure of the step, else OB_OK */
  int started;
} gslmm_state;

static int gslmm_check(gslmm_state *s, const gsl_vector *v)
{
  if (v->stride != 1 && s->cb_rc == OB_OK)
    s->cb_rc = ob_error_set(s->err, OB_EINTERNAL, "GSL %s passed a strided vector", s->label);
  return s->cb_rc == OB_OK;
}

static double gslmm_f(const gsl_vector *x, void *p)
{
  gslmm_state *s = p;
  double f = NAN;
  if (!gslmm_check(s, x)) return NAN;
  int rc = ob_oracle_eval(s->orc, x->data, &f, NULL, s->err);
  if (rc < 0) { s->cb_rc = rc; return NAN; }
  return f;
}

static void gslmm_df(const gsl_vector *x, void *p, gsl_vector *g)
{
  gslmm_state *s = p;
  if (!gslmm_check(s, x) || !gslmm_check(s, g)) return;
  int rc = ob_oracle_eval(s->orc, x->data, NULL, g->data, s->err);
  if (rc < 0) s->cb_rc = rc;
}

static void gslmm_fdf(const gsl_vector *x, void *p, double *f, gsl_vector *g)
{
  gslmm_state *s = p;
  *f = NAN;
  if (!gslmm_check(s, x) || !gslmm_check(s, g)) return;
  int rc = ob_oracle_eval(s->orc, x->data, f, g->data, s->err);
  if (rc < 0) { s->cb_rc = rc; *f = NAN; }
}

static int gslmm_configure(gslmm_state *s, const json_t *params, const char *label,
                           const gsl_multimin_fdfminimizer_type *fdf, const gsl_multimin_fminimizer_type *fm,
                           ob_error *err)
{
  if (!ob_params_is_null(params, "schedule"))
    return ob_error_at(err, OB_EINVAL, "schedule", "GSL's %s has no learning rate to schedule", label);
  s->label = label;
  s->fdf_type = fdf;
  s->f_type = fm;
  s->step_size = ob_params_real(params, "step_size");
  s->tol = ob_params_real(params, fdf ? "tol" : "size_tol");
  return OB_OK;
}

static void gslmm_release(gslmm_state *s)
{
  if (s->fdf) gsl_multimin_fdfminimizer_free(s->fdf);
  if (s->fmin) gsl_multimin_fminimizer_free(s->fmin);
  if (s->start) gsl_vector_free(s->start);
  if (s->ss) gsl_vector_free(s->ss);
  s->fdf = NULL;
  s->fmin = NULL;
  s->start = s->ss = NULL;
}

static void gslmm_free(void *vs)
{
  gslmm_release(vs);
}

static int gslmm_init(void *vs, size_t n, double *const *vec, const ob_problem *p, ob_error *err)
{
  gslmm_state *s = vs;
  (void)vec;
  (void)p;
  gslmm_release(s);
  s->n = n;
  s->started = 0;
  s->start = gsl_vector_alloc(n);
  if (s->fdf_type) s->fdf = gsl_multimin_fdfminimizer_alloc(s->fdf_type, n);
  else {
    s->fmin = gsl_multimin_fminimizer_alloc(s->f_type, n);
    s->ss = gsl_vector_alloc(n);
  }
  if (!s->start || (s->fdf_type ? !s->fdf : !s->fmin || !s->ss)) {
    gslmm_release(s);
    return ob_error_set(err, OB_ENOMEM, "out of memory for GSL's %s", s->label);
  }
  s->fdf_fn = (gsl_multimin_function_fdf){ .f = gslmm_f, .df = gslmm_df, .fdf = gslmm_fdf, .n = n, .params = s };
  s->f_fn = (gsl_multimin_function){ .f = gslmm_f, .n = n, .params = s };
  return OB_OK;
}

static int gslmm_status(gslmm_state *s, int status, const char *what, ob_error *err)
{
  if (s->cb_rc < 0) return s->cb_rc;
  if (status == GSL_SUCCESS) return OB_OK;
  if (status == GSL_ENOPROG)
    return ob_error_set(err, OB_STALLED, "GSL %s: %s", s->label, gsl_strerror(status));
  return ob_error_set(err, OB_ENUMERIC, "GSL %s %s failed: %s", s->label, what, gsl_strerror(status));
}

static int gslmm_step(void *vs, const ob_step_ctx *ctx, ob_oracle *o, double *x, double *g, ob_error *err)
{
  gslmm_state *s = vs;
  int status;
  (void)ctx;   /* no learning rate: configure refuses a schedule */
  s->orc = o;
  s->err = err;
  s->cb_rc = OB_OK;
  if (!s->started) {
    memcpy(s->start->data, x, s->n * sizeof *x);
    if (s->fdf) {
      status = gsl_multimin_fdfminimizer_set(s->fdf, &s->fdf_fn, s->start, s->step_size, s->tol);
    } else {
      gsl_vector_set_all(s->ss, s->step_size);
      status = gsl_multimin_fminimizer_set(s->fmin, &s->f_fn, s->start, s->ss);
    }
    int rc = gslmm_status(s, status, "set-up", err);
    if (rc != OB_OK) return rc;
    s->started = 1;
  }
  if (s->fdf) {
    status = gsl_multimin_fdfminimizer_iterate(s->fdf);
    memcpy(x, gsl_multimin_fdfminimizer_x(s->fdf)->data, s->n * sizeof *x);
    memcpy(g, gsl_multimin_fdfminimizer_gradient(s->fdf)->data, s->n * sizeof *g);
    return gslmm_status(s, status, "iteration", err);
  }
  status = gsl_multimin_fminimizer_iterate(s->fmin);
  memcpy(x, gsl_multimin_fminimizer_x(s->fmin)->data, s->n * sizeof *x);
  int rc = gslmm_status(s, status, "iteration", err);
  if (rc != OB_OK) return rc;
  double size = gsl_multimin_fminimizer_size(s->fmin);
  if (!(size > s->tol))
    return ob_error_set(err, OB_STALLED, "GSL %s: the simplex size %g is at most size_tol %g", s->label, size, s->tol);
  return OB_OK;
}

/* Parameter-table rows shared by the gradient methods. */
#define GSLMM_FDF_PARAMS(tol_def, tol_help)                                                              \
  { "step_size", OB_PARAM_REAL, "0.01", 0.0, HUGE_VAL, OB_PARAM_MIN_OPEN, NULL, "step",                  \
    "length of the first trial step (GSL's step_size)" },                                                \
  { "tol", OB_PARAM_REAL, tol_def, 0.0, HUGE_VAL, OB_PARAM_MIN_OPEN, NULL, NULL, tol_help },            \
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }

#endif
