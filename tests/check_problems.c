/* check_problems.c -- conformance tests for every registered problem type.
 *
 * The generic cases walk ob_problem_types(), so a new problem is tested as soon
 * as it is added to problems/list.def: registry integrity, analytic gradient
 * and Hessian-vector product against central differences at seeded random
 * points, f(x_opt) == f_opt, and bit-identical f, g and Hv for one and two
 * OpenMP threads at a large dimension. Type-specific cases pin down what the
 * generic ones cannot: the quadratic's spectrum and reproducibility, and the
 * classic start values of Rosenbrock and Rastrigin. Every instance is built the
 * way the runner builds it: normalized params, a "local" arena, ob_problem_alloc.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_eigen.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort_vector.h>
#include <gsl/gsl_vector.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "bench/ob_params.h"
#include "bench/ob_vec.h"
#include "memtier/memtier.h"
#include "problems/problem.h"
#include "tests/testutil.h"

Suite *make_problems_suite(void);

/* ---- instances ------------------------------------------------------------ */

/* Parameter settings per type (JSON text merged over the defaults); a type
 * that is not listed is tested with its defaults only. */
typedef struct {
  const char *type;
  const char *params;
} setting;

static const setting settings[] = {
  { "quadratic", "{}" },
  { "quadratic", "{\"condition\": 1}" },
  { "quadratic", "{\"condition\": 1e6, \"instance\": 7}" },
  { "quadratic", "{\"rotate\": false, \"condition\": 1e4}" },
  { "rastrigin", "{}" },
  { "rastrigin", "{\"amplitude\": 0}" },
  { "rastrigin", "{\"amplitude\": 3.5}" },
  /* synthetic functions: literal, rotated + shifted instance, shift only */
  { "sphere", "{}" },
  { "sphere", "{\"instance\": 3}" },
  { "sphere", "{\"instance\": 2, \"rotate\": false}" },
  { "ellipsoid", "{}" },
  { "ellipsoid", "{\"instance\": 3}" },
  { "ellipsoid", "{\"instance\": 2, \"rotate\": false}" },
  { "bent_cigar", "{}" },
  { "bent_cigar", "{\"instance\": 3}" },
  { "bent_cigar", "{\"instance\": 2, \"rotate\": false}" },
  { "discus", "{}" },
  { "discus", "{\"instance\": 3}" },
  { "discus", "{\"instance\": 2, \"rotate\": false}" },
  { "different_powers", "{}" },
  { "different_powers", "{\"instance\": 3}" },
  { "different_powers", "{\"instance\": 2, \"rotate\": false}" },
  { "sharp_ridge", "{}" },
  { "sharp_ridge", "{\"instance\": 3}" },
  { "sharp_ridge", "{\"instance\": 2, \"rotate\": false}" },
  { "ackley", "{}" },
  { "ackley", "{\"instance\": 3}" },
  { "ackley", "{\"instance\": 2, \"rotate\": false}" },
  { "griewank", "{}" },
  { "griewank", "{\"instance\": 3}" },
  { "griewank", "{\"instance\": 2, \"rotate\": false}" },
  { "styblinski_tang", "{}" },
  { "styblinski_tang", "{\"instance\": 3}" },
  { "styblinski_tang", "{\"instance\": 2, \"rotate\": false}" },
  { "levy", "{}" },
  { "levy", "{\"instance\": 3}" },
  { "levy", "{\"instance\": 2, \"rotate\": false}" },
  { "schwefel", "{}" },
  { "schwefel", "{\"instance\": 3}" },
  { "schwefel", "{\"instance\": 2, \"rotate\": false}" },
  { "rosenbrock", "{}" },
  { "rosenbrock", "{\"instance\": 3}" },
  { "rosenbrock", "{\"instance\": 2, \"rotate\": false}" },
  { "ellipsoid", "{\"condition\": 100, \"instance\": 1}" },
  { "bent_cigar", "{\"condition\": 1e3}" },
  { "sharp_ridge", "{\"alpha\": 5, \"instance\": 1}" },
  { "scale_invariant", "{}" },
  { "scale_invariant", "{\"instance\": 4}" },
  { "scale_invariant", "{\"condition\": 1000, \"instance\": 2, \"rotate\": false}" },
  { "noisy_quadratic", "{}" },
  { "noisy_quadratic", "{\"condition\": 1000, \"sigma\": 0.1}" },
  /* linear systems (problems/linsys.h; more in tests/check_linsys.c) */
  { "poisson2d", "{}" },
  { "poisson2d", "{\"storage\": \"csr\", \"rhs\": \"random\", \"shift\": 0.5}" },
  { "poisson3d", "{\"n\": 4}" },
  { "random_spd", "{}" },
  { "diag_dominant", "{}" },
  { "diag_dominant", "{\"symmetric\": true, \"density\": 0.2}" },
  { "matrix_market", "{\"file\": \"" OB_SRCDIR "/tests/data/linsys/sym5.mtx\"}" },
  { "matrix_market", "{\"file\": \"" OB_SRCDIR "/tests/data/linsys/gen4.mtx\"}" },
  { "sor_sequence", "{\"T\": 3}" },
  { NULL, NULL }
};

/* Large instances for the thread-count test; unlisted types get {"dim": 100000}. */
static const setting big_settings[] = {
  { "quadratic", "{\"dim\": 100000, \"rotate\": false}" },
  { "quadratic", "{\"dim\": 400, \"condition\": 1e3}" },   /* dense: parallel over rows */
  { "rosenbrock", "{\"dim\": 100000}" },
  { "rosenbrock", "{\"dim\": 400, \"instance\": 1}" },  /* rotated: parallel R v, R^T v */
  { "ackley", "{\"dim\": 100000}" },
  { "ackley", "{\"dim\": 300, \"instance\": 2}" },
  { "griewank", "{\"dim\": 100000, \"instance\": 1, \"rotate\": false}" },
  { "poisson2d", "{\"n\": 200}" },
  { "poisson2d", "{\"n\": 200, \"storage\": \"csr\"}" },
  { "poisson3d", "{\"n\": 33}" },
  { "random_spd", "{\"dim\": 200}" },
  { "diag_dominant", "{\"dim\": 33000, \"density\": 1e-4}" },
  { "logreg", "{\"data\": {\"synthetic\": {\"n\": 100000, \"d\": 10}}, \"bias\": true}" },
  { "matrix_market", "{\"file\": \"" OB_SRCDIR "/tests/data/linsys/sym5.mtx\"}" },
  { "sor_sequence", "{\"n\": 200, \"T\": 2, \"distribution\": \"low\"}" },
  { NULL, NULL }
};

static const long long dims[] = { 2, 5, 50 };
#define N_DIMS (sizeof dims / sizeof dims[0])

typedef struct {
  ob_placement *pl;
  ob_memtier *mem;
  ob_problem *p;
  json_t *params;        /* normalized */
  char label[256];
} inst;

static size_t n_types(void)
{
  size_t k = 0;
  for (const ob_problem_type *const *t = ob_problem_types(); *t; t++) k++;
  return k;
}

static const ob_problem_type *type_at(int i)
{
  return ob_problem_types()[i];
}

/* Builds an instance of `t` from `extra` (JSON text) with "dim" set to `dim`
 * when dim > 0 and the type has one. Returns the status; on failure `err`
 * holds the message and nothing is left open. */
static int inst_open(inst *in, const ob_problem_type *t, long long dim, const char *extra,
                     uint64_t seed, ob_error *err)
{
  static const char *const skip[] = { "type", "id", NULL };
  json_error_t je;
  memset(in, 0, sizeof *in);
  json_t *given = json_loads(extra ? extra : "{}", 0, &je);
  ck_assert_msg(given != NULL, "bad test JSON '%s': %s", extra, je.text);
  if (dim > 0 && ob_params_find(t->params, "dim"))
    json_object_set_new(given, "dim", json_integer(dim));
  char *text = json_dumps(given, JSON_COMPACT | JSON_SORT_KEYS);
  snprintf(in->label, sizeof in->label, "%s %s", t->name, text ? text : "?");
  free(text);
  int rc = ob_params_normalize(t->params, given, skip, "problems[0]", &in->params, err);
  json_decref(given);
  if (rc < 0) return rc;
  json_object_set_new(in->params, "x0", json_null());
  json_t *local = json_string("local");
  rc = ob_placement_parse(local, "placements[0]", &in->pl, err);
  json_decref(local);
  if (rc == OB_OK) rc = ob_memtier_open(in->pl, &in->mem, err);
  if (rc == OB_OK) rc = ob_problem_alloc(t, in->params, seed, in->mem, &in->p, err);
  if (rc < 0) {
    ob_memtier_close(in->mem);
    ob_placement_free(in->pl);
    json_decref(in->params);
    memset(in, 0, sizeof *in);
  }
  return rc;
}

static void inst_open_ok(inst *in, const ob_problem_type *t, long long dim, const char *extra)
{
  ob_error err;
  ob_error_clear(&err);
  int rc = inst_open(in, t, dim, extra, 0, &err);
  ck_assert_msg(rc == OB_OK, "%s dim=%lld %s: cannot build: %s", t->name, dim, extra, err.text);
}

static void inst_close(inst *in)
{
  ob_problem_free(in->p);
  ob_memtier_close(in->mem);
  ob_placement_free(in->pl);
  json_decref(in->params);
  memset(in, 0, sizeof *in);
}

/* Whether `dim` is inside the type's range for "dim" (or the type has none). */
static int dim_allowed(const ob_problem_type *t, long long dim)
{
  const ob_param_spec *s = ob_params_find(t->params, "dim");
  json_t *v = json_integer(dim);
  int ok = !s || ob_params_check_value(s, v, "dim", NULL) == OB_OK;
  json_decref(v);
  return ok;
}

/* Calls fn on every (setting, dim) of type t. */
static void for_each_instance(const ob_problem_type *t, void (*fn)(inst *in))
{
  int listed = 0;
  for (const setting *s = settings; s->type; s++)
    if (strcmp(s->type, t->name) == 0) listed = 1;
  for (const setting *s = settings; ; s++) {
    const char *extra;
    if (listed) {
      if (!s->type) break;
      if (strcmp(s->type, t->name) != 0) continue;
      extra = s->params;
    } else {
      extra = "{}";
    }
    for (size_t d = 0; d < N_DIMS; d++) {
      if (!dim_allowed(t, dims[d])) continue;
      inst in;
      inst_open_ok(&in, t, dims[d], extra);
      fn(&in);
      inst_close(&in);
    }
    if (!listed) break;
  }
}

static double *vec(size_t n)
{
  double *v = calloc(n ? n : 1, sizeof *v);
  ck_assert_ptr_nonnull(v);
  return v;
}

static void uniform(gsl_rng *r, double *x, size_t n, double lo, double hi)
{
  for (size_t i = 0; i < n; i++) x[i] = lo + (hi - lo) * gsl_rng_uniform(r);
}

static double eval_f(inst *in, const double *x, double *g)
{
  ob_error err;
  double f = NAN;
  ob_error_clear(&err);
  int rc = in->p->type->eval(in->p->state, x, &f, g, &err);
  ck_assert_msg(rc == OB_OK, "%s: eval failed: %s", in->label, err.text);
  return f;
}

static void eval_hvp(inst *in, const double *x, const double *v, double *out)
{
  ob_error err;
  ob_error_clear(&err);
  int rc = in->p->type->hvp(in->p->state, x, v, out, &err);
  ck_assert_msg(rc == OB_OK, "%s: hvp failed: %s", in->label, err.text);
}

static double max_abs(const double *a, size_t n)
{
  double m = 0.0;
  for (size_t i = 0; i < n; i++) m = fmax(m, fabs(a[i]));
  return m;
}

/* ---- registry ------------------------------------------------------------- */

static void check_spec_table(const char *owner, const ob_param_spec *specs)
{
  for (const ob_param_spec *s = specs; s->name; s++) {
    ck_assert_msg(s->name[0] != '\0', "%s: a parameter has an empty name", owner);
    ck_assert_msg(s->help && s->help[0], "%s.%s: no help text", owner, s->name);
    ck_assert_msg(strcmp(s->name, "type") != 0 && strcmp(s->name, "id") != 0,
                  "%s.%s: reserved key", owner, s->name);
    for (const ob_param_spec *q = specs; q < s; q++)
      ck_assert_msg(strcmp(q->name, s->name) != 0, "%s.%s: declared twice", owner, s->name);
    if (specs != ob_problem_common_params)
      ck_assert_msg(ob_params_find(ob_problem_common_params, s->name) == NULL,
                    "%s.%s: clashes with a common parameter", owner, s->name);
    ck_assert_msg(s->min <= s->max, "%s.%s: empty range", owner, s->name);
    if (!s->def) continue;
    json_error_t je;
    json_t *v = json_loads(s->def, JSON_DECODE_ANY, &je);
    ck_assert_msg(v != NULL, "%s.%s: default '%s' is not JSON: %s", owner, s->name, s->def, je.text);
    ob_error err;
    ob_error_clear(&err);
    int rc = ob_params_check_value(s, v, s->name, &err);
    json_decref(v);
    ck_assert_msg(rc == OB_OK, "%s.%s: default '%s' fails its own check: %s", owner, s->name,
                  s->def, err.text);
  }
}

START_TEST(test_registry)
{
  const ob_problem_type *const *all = ob_problem_types();
  ck_assert_ptr_nonnull(all);
  ck_assert_msg(all[0] != NULL, "the registry is empty");
  check_spec_table("common", ob_problem_common_params);
  for (size_t i = 0; all[i]; i++) {
    const ob_problem_type *t = all[i];
    ck_assert_msg(t->name && t->name[0], "entry %zu has no name", i);
    for (const char *c = t->name; *c; c++)
      ck_assert_msg((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_',
                    "'%s': a registry key is lowercase letters, digits and '_'", t->name);
    for (size_t j = 0; j < i; j++)
      ck_assert_msg(strcmp(all[j]->name, t->name) != 0, "'%s' is registered twice", t->name);
    if (i > 0)
      ck_assert_msg(strcmp(all[i - 1]->name, t->name) < 0, "list.def is not sorted at '%s'", t->name);
    ck_assert_ptr_eq(ob_problem_type_find(t->name), t);
    ck_assert_msg(t->summary && t->summary[0], "'%s': no summary", t->name);
    ck_assert_msg(t->reference && t->reference[0], "'%s': no reference", t->name);
    ck_assert_msg(t->params != NULL, "'%s': no parameter table", t->name);
    ck_assert_msg(t->state_size > 0, "'%s': state_size is 0", t->name);
    ck_assert_msg(t->configure && t->dim && t->eval && t->x0 && t->f_opt,
                  "'%s': a required function is NULL", t->name);
    ck_assert_msg(!(t->provides & OB_PROVIDES_HVP) == !t->hvp,
                  "'%s': provides HVP but hvp is NULL, or the reverse", t->name);
    ck_assert_msg(t->provides & OB_PROVIDES_GRAD, "'%s': every current problem has a gradient", t->name);
    check_spec_table(t->name, t->params);
  }
  ck_assert_ptr_null(ob_problem_type_find("rosenbrok"));
  ck_assert_ptr_null(ob_problem_type_find(""));
}
END_TEST

/* Every type builds from its defaults alone and starts at a finite x0. */
START_TEST(test_defaults)
{
  const ob_problem_type *t = type_at(_i);
  /* a type with a required key (a data file) uses its first listed setting */
  const char *extra = "{}";
  for (const ob_param_spec *p = t->params; p->name; p++)
    if (!p->def)
      for (const setting *q = settings; q->type; q++)
        if (strcmp(q->type, t->name) == 0) { extra = q->params; break; }
  inst in;
  inst_open_ok(&in, t, 0, extra);
  size_t n = in.p->n;
  ck_assert_msg(n > 0, "%s: dimension 0", in.label);
  ck_assert_msg(ob_vec_all_finite(in.p->x0, n), "%s: x0 is not finite", in.label);
  double f = eval_f(&in, in.p->x0, NULL);
  ck_assert_msg(isfinite(f), "%s: f(x0) = %g", in.label, f);
  if (t->provides & OB_PROVIDES_FOPT) {
    ck_assert_msg(isfinite(in.p->f_opt), "%s: f_opt is %g", in.label, in.p->f_opt);
    ck_assert_msg(f > in.p->f_opt, "%s: the default start is already optimal", in.label);
  }
  inst_close(&in);
}
END_TEST

/* ---- derivatives ---------------------------------------------------------- */

#define GRAD_TOL 1e-6
#define HVP_TOL 1e-5
#define N_POINTS 3

static void check_derivatives(inst *in)
{
  size_t n = in->p->n;
  double *x = vec(n), *g = vec(n), *fd = vec(n), *xp = vec(n), *v = vec(n), *hv = vec(n),
         *gp = vec(n), *gm = vec(n);
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 20240601);
  for (int k = 0; k < N_POINTS; k++) {
    uniform(r, x, n, -2.0, 2.0);
    double f = eval_f(in, x, g);
    double f_only = eval_f(in, x, NULL);
    ck_assert_msg(isfinite(f), "%s: f = %g at a random point", in->label, f);
    ck_assert_msg(memcmp(&f, &f_only, sizeof f) == 0,
                  "%s: f with gradient (%.17g) differs from f alone (%.17g)", in->label, f, f_only);
    if (in->p->type->provides & OB_PROVIDES_FOPT)
      ck_assert_msg(f >= in->p->f_opt, "%s: f = %.17g below f_opt = %.17g", in->label, f, in->p->f_opt);

    /* gradient vs central differences */
    memcpy(xp, x, n * sizeof *x);
    for (size_t i = 0; i < n; i++) {
      double h = 1e-6 * fmax(1.0, fabs(x[i]));
      xp[i] = x[i] + h;
      double fp = eval_f(in, xp, NULL);
      xp[i] = x[i] - h;
      double fm = eval_f(in, xp, NULL);
      xp[i] = x[i];
      fd[i] = (fp - fm) / (2.0 * h);
    }
    /* The differences carry a rounding error of a few eps |f| / h (h >= 1e-6):
     * functions with a large constant part (Schwefel: 419 n) need that slack. */
    double scale = fmax(fmax(1.0, max_abs(g, n)), 1e-15 * fabs(f) / 1e-6 / GRAD_TOL), worst = 0.0;
    size_t at = 0;
    for (size_t i = 0; i < n; i++)
      if (fabs(g[i] - fd[i]) > worst) { worst = fabs(g[i] - fd[i]); at = i; }
    ck_assert_msg(worst / scale < GRAD_TOL,
                  "%s: gradient error %.3g at index %zu (analytic %.17g, differences %.17g)",
                  in->label, worst / scale, at, g[at], fd[at]);

    /* Hessian-vector product vs central differences of the gradient */
    if (!(in->p->type->provides & OB_PROVIDES_HVP)) continue;
    uniform(r, v, n, -1.0, 1.0);
    eval_hvp(in, x, v, hv);
    double h = 1e-6 * fmax(1.0, max_abs(x, n));
    for (size_t i = 0; i < n; i++) xp[i] = x[i] + h * v[i];
    eval_f(in, xp, gp);
    for (size_t i = 0; i < n; i++) xp[i] = x[i] - h * v[i];
    eval_f(in, xp, gm);
    scale = fmax(1.0, max_abs(hv, n));
    worst = 0.0;
    for (size_t i = 0; i < n; i++) {
      double e = fabs(hv[i] - (gp[i] - gm[i]) / (2.0 * h));
      if (e > worst) { worst = e; at = i; }
    }
    ck_assert_msg(worst / scale < HVP_TOL, "%s: Hessian-vector error %.3g at index %zu (analytic %.17g)",
                  in->label, worst / scale, at, hv[at]);
  }
  gsl_rng_free(r);
  free(x); free(g); free(fd); free(xp); free(v); free(hv); free(gp); free(gm);
}

START_TEST(test_derivatives)
{
  for_each_instance(type_at(_i), check_derivatives);
}
END_TEST

/* ---- optimum -------------------------------------------------------------- */

static void check_optimum(inst *in)
{
  const ob_problem_type *t = in->p->type;
  size_t n = in->p->n;
  if (!t->x_opt) return;
  double *x = vec(n), *g = vec(n);
  ck_assert_int_eq(t->x_opt(in->p->state, x), OB_OK);
  double f = eval_f(in, x, g);
  if (t->provides & OB_PROVIDES_FOPT) {
    double tol = 1e-12 * (1.0 + fabs(in->p->f_opt));
    ck_assert_msg(fabs(f - in->p->f_opt) <= tol, "%s: f(x_opt) = %.17g but f_opt = %.17g", in->label, f,
                  in->p->f_opt);
  }
  ck_assert_msg(max_abs(g, n) <= 1e-10, "%s: |gradient at x_opt| = %.3g", in->label, max_abs(g, n));
  free(x);
  free(g);
}

START_TEST(test_optimum)
{
  for_each_instance(type_at(_i), check_optimum);
}
END_TEST

/* ---- determinism across thread counts ------------------------------------- */

static void eval_all(inst *in, const double *x, const double *v, double *f, double *g, double *hv)
{
  *f = eval_f(in, x, g);
  if (in->p->type->hvp) eval_hvp(in, x, v, hv);
}

static void check_threads(const ob_problem_type *t, const char *extra)
{
#ifdef _OPENMP
  inst in;
  inst_open_ok(&in, t, 0, extra);
  size_t n = in.p->n;
  double *x = vec(n), *v = vec(n), *g1 = vec(n), *g2 = vec(n), *h1 = vec(n), *h2 = vec(n), f1, f2;
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 7);
  uniform(r, x, n, -2.0, 2.0);
  uniform(r, v, n, -1.0, 1.0);
  int saved = omp_get_max_threads();
  omp_set_num_threads(1);
  eval_all(&in, x, v, &f1, g1, h1);
  omp_set_num_threads(2);
  eval_all(&in, x, v, &f2, g2, h2);
  omp_set_num_threads(saved);
  ck_assert_msg(memcmp(&f1, &f2, sizeof f1) == 0, "%s: f differs: %.17g (1 thread) vs %.17g (2)",
                in.label, f1, f2);
  ck_assert_msg(memcmp(g1, g2, n * sizeof *g1) == 0, "%s: gradient differs between 1 and 2 threads",
                in.label);
  ck_assert_msg(memcmp(h1, h2, n * sizeof *h1) == 0, "%s: Hv differs between 1 and 2 threads", in.label);
  gsl_rng_free(r);
  free(x); free(v); free(g1); free(g2); free(h1); free(h2);
  inst_close(&in);
#else
  (void)t;
  (void)extra;
  fprintf(stderr, "check_problems: skipped thread determinism: built without OpenMP\n");
#endif
}

START_TEST(test_threads)
{
  const ob_problem_type *t = type_at(_i);
  int listed = 0;
  for (const setting *s = big_settings; s->type; s++)
    if (strcmp(s->type, t->name) == 0) {
      listed = 1;
      check_threads(t, s->params);
    }
  if (!listed) {
    /* unlisted: dim 100000 (or the largest allowed); types without dim: defaults */
    const ob_param_spec *d = ob_params_find(t->params, "dim");
    char buf[64] = "{}";
    if (d) snprintf(buf, sizeof buf, "{\"dim\": %.0f}", fmin(100000.0, d->max));
    check_threads(t, buf);
  }
}
END_TEST

/* ---- quadratic -------------------------------------------------------------- */

/* The dense matrix, one column per Hessian-vector product with e_j. */
static gsl_matrix *quadratic_matrix(inst *in)
{
  size_t n = in->p->n;
  gsl_matrix *a = gsl_matrix_alloc(n, n);
  double *e = vec(n), *col = vec(n), *x = vec(n);
  for (size_t j = 0; j < n; j++) {
    e[j] = 1.0;
    eval_hvp(in, x, e, col);
    e[j] = 0.0;
    for (size_t i = 0; i < n; i++) gsl_matrix_set(a, i, j, col[i]);
  }
  free(e); free(col); free(x);
  return a;
}

static double lambda_i(double cond, size_t i, size_t n)
{
  return n == 1 ? 1.0 : pow(cond, (double)i / (double)(n - 1));
}

START_TEST(test_quadratic_spectrum)
{
  static const char *const cases[] = {
    "{\"dim\": 50, \"condition\": 1e3}",
    "{\"dim\": 50, \"condition\": 1e3, \"rotate\": false}",
    "{\"dim\": 17, \"condition\": 1e8, \"instance\": 3}",
    NULL
  };
  const ob_problem_type *t = ob_problem_type_find("quadratic");
  ck_assert_ptr_nonnull(t);
  for (const char *const *c = cases; *c; c++) {
    inst in;
    inst_open_ok(&in, t, 0, *c);
    size_t n = in.p->n;
    double cond = ob_params_real(in.params, "condition");
    int rotate = ob_params_bool(in.params, "rotate");
    gsl_matrix *a = quadratic_matrix(&in);
    double trace = 0.0, sum = 0.0, off = 0.0;
    for (size_t i = 0; i < n; i++) {
      trace += gsl_matrix_get(a, i, i);
      sum += lambda_i(cond, i, n);
      for (size_t j = 0; j < n; j++) {
        ck_assert_msg(gsl_matrix_get(a, i, j) == gsl_matrix_get(a, j, i), "%s: A is not symmetric at (%zu, %zu)",
                      in.label, i, j);
        if (i != j) off = fmax(off, fabs(gsl_matrix_get(a, i, j)));
      }
    }
    ck_assert_msg(fabs(trace - sum) <= 1e-12 * sum, "%s: trace %.17g, sum of eigenvalues %.17g", in.label,
                  trace, sum);
    if (rotate) ck_assert_msg(off > 1e-3, "%s: A is diagonal although rotate is true", in.label);
    else ck_assert_msg(off == 0.0, "%s: A has off-diagonal entries although rotate is false", in.label);

    /* eigenvalues: A = Q diag(l) Q^T holds only if Q is orthogonal */
    gsl_vector *ev = gsl_vector_alloc(n);
    gsl_eigen_symm_workspace *w = gsl_eigen_symm_alloc(n);
    ck_assert_int_eq(gsl_eigen_symm(a, ev, w), GSL_SUCCESS);
    gsl_sort_vector(ev);
    for (size_t i = 0; i < n; i++) {
      double l = lambda_i(cond, i, n), got = gsl_vector_get(ev, i);
      /* eigenvalues are perturbed by about eps * ||A|| = eps * cond */
      ck_assert_msg(fabs(got - l) <= 1e-13 * cond + 1e-12 * l, "%s: eigenvalue %zu is %.17g, expected %.17g",
                    in.label, i, got, l);
    }
    gsl_eigen_symm_free(w);
    gsl_vector_free(ev);
    gsl_matrix_free(a);
    inst_close(&in);
  }
}
END_TEST

/* Same (dim, instance): the same matrix bit for bit, whatever the run seed;
 * another instance: another matrix. */
START_TEST(test_quadratic_instances)
{
  const ob_problem_type *t = ob_problem_type_find("quadratic");
  ob_error err;
  inst a, b, c;
  ob_error_clear(&err);
  ck_assert_int_eq(inst_open(&a, t, 0, "{\"dim\": 30, \"instance\": 5}", 0, &err), OB_OK);
  ck_assert_int_eq(inst_open(&b, t, 0, "{\"dim\": 30, \"instance\": 5}", 987654321, &err), OB_OK);
  ck_assert_int_eq(inst_open(&c, t, 0, "{\"dim\": 30, \"instance\": 6}", 0, &err), OB_OK);
  gsl_matrix *ma = quadratic_matrix(&a), *mb = quadratic_matrix(&b), *mc = quadratic_matrix(&c);
  ck_assert_msg(memcmp(ma->data, mb->data, 30 * 30 * sizeof(double)) == 0,
                "same dim and instance but a different matrix (the run seed leaked in?)");
  ck_assert_msg(memcmp(ma->data, mc->data, 30 * 30 * sizeof(double)) != 0,
                "instances 5 and 6 give the same matrix");
  ck_assert_msg(memcmp(a.p->x0, b.p->x0, 30 * sizeof(double)) == 0, "same instance, different x0");
  gsl_matrix_free(ma); gsl_matrix_free(mb); gsl_matrix_free(mc);
  inst_close(&a); inst_close(&b); inst_close(&c);
}
END_TEST

START_TEST(test_quadratic_small)
{
  const ob_problem_type *t = ob_problem_type_find("quadratic");
  static const char *const cases[] = { "{\"dim\": 1}", "{\"dim\": 1, \"rotate\": false}", NULL };
  for (const char *const *c = cases; *c; c++) {
    inst in;
    inst_open_ok(&in, t, 0, *c);
    double x = 3.0, g, f = eval_f(&in, &x, &g);
    ck_assert_msg(f == 4.5 && g == 3.0, "%s: f(3) = %.17g, g = %.17g; expected 4.5 and 3", in.label, f, g);
    ck_assert_msg(in.p->x0[0] == 1.0, "%s: x0 = %g", in.label, in.p->x0[0]);
    inst_close(&in);
  }
}
END_TEST

/* Too large a dense matrix is refused before anything is allocated, and the
 * message says how to get a large quadratic. */
START_TEST(test_quadratic_too_big)
{
  const ob_problem_type *t = ob_problem_type_find("quadratic");
  ob_error err;
  inst in;
  ob_error_clear(&err);
  ck_assert_int_eq(inst_open(&in, t, 0, "{\"dim\": 20000}", 0, &err), OB_EINVAL);
  ck_assert_str_eq(err.text, "dim 20000 makes a dense 20000x20000 matrix of 3052 MiB (limit 1024 MiB); "
                             "set rotate to false for a diagonal quadratic");
  ob_error_clear(&err);
  ck_assert_int_eq(inst_open(&in, t, 0, "{\"dim\": 11586}", 0, &err), OB_EINVAL);   /* 11586^2 > 2^27 */
  ck_assert_msg(strstr(err.text, "set rotate to false") != NULL, "message: %s", err.text);
  ob_error_clear(&err);
  ck_assert_int_eq(inst_open(&in, t, 0, "{\"dim\": 20000, \"rotate\": false}", 0, &err), OB_OK);
  ck_assert_int_eq(in.p->n, 20000);
  inst_close(&in);
}
END_TEST

/* ---- rosenbrock and rastrigin: the classic values ---------------------------- */

START_TEST(test_rosenbrock_classic)
{
  const ob_problem_type *t = ob_problem_type_find("rosenbrock");
  inst in;
  inst_open_ok(&in, t, 0, "{}");                 /* dim 2: the 1960 function */
  ck_assert_int_eq(in.p->n, 2);
  ck_assert(in.p->x0[0] == -1.2 && in.p->x0[1] == 1.0);
  double g[2], f = eval_f(&in, in.p->x0, g);
  ck_assert_double_eq_tol(f, 24.2, 1e-12);
  ck_assert_double_eq_tol(g[0], -215.6, 1e-11);
  ck_assert_double_eq_tol(g[1], -88.0, 1e-11);
  inst_close(&in);

  inst_open_ok(&in, t, 5, "{}");                 /* chained: 4 coupled pairs */
  const double want_x0[5] = { -1.2, 1.0, -1.2, 1.0, -1.2 };
  ck_assert(memcmp(in.p->x0, want_x0, sizeof want_x0) == 0);
  /* terms: pairs starting at -1.2 give 24.2; at 1 (next -1.2) give 100 * 2.2^2 = 484 */
  f = eval_f(&in, in.p->x0, NULL);
  ck_assert_double_eq_tol(f, 2 * 24.2 + 2 * 484.0, 1e-10);
  inst_close(&in);
}
END_TEST

START_TEST(test_rastrigin_classic)
{
  const ob_problem_type *t = ob_problem_type_find("rastrigin");
  inst in;
  inst_open_ok(&in, t, 0, "{}");
  size_t n = in.p->n;
  ck_assert_int_eq(n, 10);
  double g[10], f = eval_f(&in, in.p->x0, g);
  /* x_i = 2.5: 2.5^2 + 10 (1 - cos(5 pi)) = 26.25 per coordinate; g_i = 5 */
  ck_assert_double_eq_tol(f, 262.5, 1e-11);
  for (size_t i = 0; i < n; i++) ck_assert_double_eq_tol(g[i], 5.0, 1e-12);
  /* f(1, 0, ..., 0) = 1 + A (1 - cos 2 pi) = 1: cos of the rounded 2 pi rounds to 1 */
  double x[10] = { 1.0 };
  f = eval_f(&in, x, NULL);
  ck_assert_double_eq_tol(f, 1.0, 1e-12);
  inst_close(&in);
}
END_TEST

/* ---- synthetic functions: closed-form values ---------------------------------- */

/* f (and g when want_g) of type `name` built from `params` at x. */
static double value_at(const char *name, const char *params, const double *x, double *g)
{
  const ob_problem_type *t = ob_problem_type_find(name);
  ck_assert_msg(t != NULL, "'%s' is not registered", name);
  inst in;
  inst_open_ok(&in, t, 0, params);
  double f = eval_f(&in, x, g);
  inst_close(&in);
  return f;
}

#define CK_NEAR(got, want, tol, what)                                                           \
  ck_assert_msg(fabs((got) - (want)) <= (tol), "%s: got %.17g, expected %.17g", what, (double)(got), \
                (double)(want))

START_TEST(test_synth_values)
{
  double g[3];
  /* sphere: 1 + 4 + 9, g = 2x */
  const double x123[3] = { 1.0, 2.0, 3.0 }, ones[3] = { 1.0, 1.0, 1.0 };
  CK_NEAR(value_at("sphere", "{\"dim\": 3}", x123, g), 14.0, 0.0, "sphere(1,2,3)");
  ck_assert(g[0] == 2.0 && g[1] == 4.0 && g[2] == 6.0);
  /* ellipsoid: weights 1, 10, 100 */
  CK_NEAR(value_at("ellipsoid", "{\"dim\": 3, \"condition\": 100}", ones, g), 111.0, 1e-12, "ellipsoid");
  CK_NEAR(g[1], 20.0, 1e-13, "ellipsoid g_1");
  CK_NEAR(value_at("bent_cigar", "{\"dim\": 3}", ones, NULL), 1.0 + 2e6, 0.0, "bent_cigar(1,1,1)");
  CK_NEAR(value_at("discus", "{\"dim\": 3}", ones, NULL), 1e6 + 2.0, 0.0, "discus(1,1,1)");
  /* different powers: exponents 2, 4, 6 */
  const double e0[3] = { 2.0, 0.0, 0.0 }, e1[3] = { 0.0, 2.0, 0.0 }, e2[3] = { 0.0, 0.0, 2.0 };
  CK_NEAR(value_at("different_powers", "{\"dim\": 3}", e0, NULL), 2.0, 1e-15, "different_powers e0");
  CK_NEAR(value_at("different_powers", "{\"dim\": 3}", e1, NULL), 4.0, 1e-15, "different_powers e1");
  CK_NEAR(value_at("different_powers", "{\"dim\": 3}", e2, NULL), 8.0, 1e-14, "different_powers e2");
  CK_NEAR(value_at("different_powers", "{\"dim\": 3}", ones, NULL), sqrt(3.0), 1e-15, "different_powers 1");
  /* sharp ridge: 1 + 100 * ||(3, 4)|| */
  const double r134[3] = { 1.0, 3.0, 4.0 };
  CK_NEAR(value_at("sharp_ridge", "{\"dim\": 3}", r134, g), 501.0, 1e-12, "sharp_ridge(1,3,4)");
  CK_NEAR(g[1], 60.0, 1e-12, "sharp_ridge g_1");
  /* Ackley at (1, 1): 20 (1 - exp(-0.2)), the cosine part vanishes */
  CK_NEAR(value_at("ackley", "{\"dim\": 2}", ones, NULL), 20.0 * (1.0 - exp(-0.2)), 1e-13, "ackley(1,1)");
  CK_NEAR(20.0 * (1.0 - exp(-0.2)), 3.6253849384403627, 1e-14, "ackley literature value");
  /* Griewank at (pi/2, 0): the product vanishes */
  const double gp[2] = { M_PI / 2.0, 0.0 };
  CK_NEAR(value_at("griewank", "{\"dim\": 2}", gp, NULL), 1.0 + M_PI * M_PI / 16000.0, 1e-15, "griewank");
  /* Styblinski-Tang: 1/2 (1 - 16 + 5) = -5 at z = 1; f* per coordinate */
  const double one = 1.0;
  CK_NEAR(value_at("styblinski_tang", "{\"dim\": 1}", &one, NULL), -5.0, 1e-15, "styblinski_tang(1)");
  const ob_problem_type *st = ob_problem_type_find("styblinski_tang");
  inst in;
  inst_open_ok(&in, st, 4, "{}");
  CK_NEAR(in.p->f_opt, 4 * -39.16616570377142, 1e-12, "styblinski_tang f_opt, dim 4");
  inst_close(&in);
  /* Levy at (5, 5): w = 2, f = 1 + 10 sin^2(1) + 1 */
  const double l55[2] = { 5.0, 5.0 };
  CK_NEAR(value_at("levy", "{\"dim\": 2}", l55, NULL), 2.0 + 10.0 * sin(1.0) * sin(1.0), 1e-12, "levy(5,5)");
  /* Schwefel: f(0) = c n, c = 418.98288727243370...; f(x*) = 0 */
  const double zero2[2] = { 0.0, 0.0 };
  CK_NEAR(value_at("schwefel", "{\"dim\": 2}", zero2, NULL), 2 * 418.982887272433706, 1e-10, "schwefel(0)");
  const double s600 = 600.0;   /* outside the box: penalty 100^2 */
  CK_NEAR(value_at("schwefel", "{\"dim\": 1}", &s600, NULL),
          418.982887272433706 - 600.0 * sin(sqrt(600.0)) + 1e4, 1e-9, "schwefel(600)");
}
END_TEST

START_TEST(test_classics_2d)
{
  double g[2];
  const double x11[2] = { 1.0, 1.0 }, x00[2] = { 0.0, 0.0 };
  /* Beale (MGH problem 5): f(1, 1) = 1.5^2 + 2.25^2 + 2.625^2 */
  CK_NEAR(value_at("beale", "{}", x11, NULL), 14.203125, 1e-13, "beale(1,1)");
  const double b[2] = { 3.0, 0.5 };
  CK_NEAR(value_at("beale", "{}", b, g), 0.0, 0.0, "beale(3,0.5)");
  ck_assert(g[0] == 0.0 && g[1] == 0.0);
  /* Himmelblau: 121 + 49 at 0; four minima with f = 0 */
  CK_NEAR(value_at("himmelblau", "{}", x00, g), 170.0, 0.0, "himmelblau(0,0)");
  ck_assert(g[0] == -14.0 && g[1] == -22.0);
  static const double him[4][2] = { { 3.0, 2.0 },
                                    { -2.805118086952745, 3.131312518250573 },
                                    { -3.779310253377747, -3.283185991286169 },
                                    { 3.584428340330492, -1.848126526964404 } };
  for (int k = 0; k < 4; k++) {
    double f = value_at("himmelblau", "{}", him[k], g);
    ck_assert_msg(f <= 1e-24 && fabs(g[0]) < 1e-11 && fabs(g[1]) < 1e-11,
                  "himmelblau minimum %d: f = %g, g = (%g, %g)", k, f, g[0], g[1]);
  }
  /* six-hump camel: two global minima, mirror images; the origin is a saddle */
  const double c1[2] = { 0.08984201310031806, -0.7126564030207396 }, c2[2] = { -c1[0], -c1[1] };
  for (int k = 0; k < 2; k++) {
    double f = value_at("six_hump_camel", "{}", k ? c2 : c1, g);
    CK_NEAR(f, -1.0316284534898774, 1e-15, "six_hump_camel minimum");
    ck_assert_msg(fabs(g[0]) < 1e-13 && fabs(g[1]) < 1e-13, "six_hump_camel minimum %d: g = (%g, %g)",
                  k, g[0], g[1]);
  }
  CK_NEAR(value_at("six_hump_camel", "{}", x11, NULL), 4.0 - 2.1 + 1.0 / 3.0 + 1.0, 1e-14, "camel(1,1)");
  /* Booth */
  CK_NEAR(value_at("booth", "{}", x00, NULL), 74.0, 0.0, "booth(0,0)");
  const double bo[2] = { 1.0, 3.0 };
  CK_NEAR(value_at("booth", "{}", bo, NULL), 0.0, 0.0, "booth(1,3)");
  /* Branin: three global minima with f* = 5 / (4 pi) = 0.397887... */
  static const double br[3][2] = { { -M_PI, 12.275 }, { M_PI, 2.275 }, { 3.0 * M_PI, 2.475 } };
  for (int k = 0; k < 3; k++) {
    double f = value_at("branin", "{}", br[k], g);
    CK_NEAR(f, 0.39788735772973816, 1e-14, "branin minimum");
    ck_assert_msg(fabs(g[0]) < 1e-12 && fabs(g[1]) < 1e-12, "branin minimum %d: g = (%g, %g)", k, g[0], g[1]);
  }
  CK_NEAR(value_at("branin", "{}", x00, NULL), 56.0 - 10.0 / (8.0 * M_PI), 1e-13, "branin(0,0)");
  /* default starts */
  static const struct { const char *name; double x0, x1; } starts[] = {
    { "beale", 1.0, 1.0 }, { "himmelblau", 0.0, 0.0 }, { "six_hump_camel", 1.0, 1.0 },
    { "booth", 0.0, 0.0 }, { "branin", 0.0, 0.0 },
  };
  for (size_t k = 0; k < sizeof starts / sizeof starts[0]; k++) {
    inst in;
    inst_open_ok(&in, ob_problem_type_find(starts[k].name), 0, "{}");
    ck_assert_int_eq(in.p->n, 2);
    ck_assert_msg(in.p->x0[0] == starts[k].x0 && in.p->x0[1] == starts[k].x1, "%s: x0 = (%g, %g)",
                  starts[k].name, in.p->x0[0], in.p->x0[1]);
    inst_close(&in);
  }
}
END_TEST

/* ---- instances -------------------------------------------------------------- */

static void x_opt_of(inst *in, double *x)
{
  ck_assert_int_eq(in->p->type->x_opt(in->p->state, x), OB_OK);
}

START_TEST(test_instances)
{
  static const char *const types[] = { "sphere", "ellipsoid", "rosenbrock", "ackley", "schwefel",
                                       "styblinski_tang", "levy", "sharp_ridge", NULL };
  enum { N = 6 };
  for (const char *const *tn = types; *tn; tn++) {
    const ob_problem_type *t = ob_problem_type_find(*tn);
    ob_error err;
    inst lit, a, b, c, sh;
    ob_error_clear(&err);
    ck_assert_int_eq(inst_open(&lit, t, N, "{}", 0, &err), OB_OK);
    ck_assert_int_eq(inst_open(&a, t, N, "{\"instance\": 7}", 0, &err), OB_OK);
    ck_assert_int_eq(inst_open(&b, t, N, "{\"instance\": 7}", 987654321, &err), OB_OK);
    ck_assert_int_eq(inst_open(&c, t, N, "{\"instance\": 8}", 0, &err), OB_OK);
    ck_assert_int_eq(inst_open(&sh, t, N, "{\"instance\": 7, \"rotate\": false}", 0, &err), OB_OK);
    double xl[N], xa[N], xb[N], xc[N], xs[N], p[N], ga[N], gb[N];
    x_opt_of(&lit, xl); x_opt_of(&a, xa); x_opt_of(&b, xb); x_opt_of(&c, xc); x_opt_of(&sh, xs);
    /* same instance: the same function whatever the run seed */
    ck_assert_msg(memcmp(xa, xb, sizeof xa) == 0, "%s: same instance, different x_opt", *tn);
    for (int i = 0; i < N; i++) p[i] = 0.37 * i - 0.9;
    double fa = eval_f(&a, p, ga), fb = eval_f(&b, p, gb);
    ck_assert_msg(memcmp(&fa, &fb, sizeof fa) == 0 && memcmp(ga, gb, sizeof ga) == 0,
                  "%s: same instance, different f or gradient", *tn);
    /* the shift moves x_opt, another instance moves it elsewhere, rotate does not change it */
    ck_assert_msg(memcmp(xa, xl, sizeof xa) != 0, "%s: instance 7 did not move x_opt", *tn);
    ck_assert_msg(memcmp(xa, xc, sizeof xa) != 0, "%s: instances 7 and 8 share x_opt", *tn);
    ck_assert_msg(memcmp(xa, xs, sizeof xa) == 0, "%s: the shift depends on rotate", *tn);
    /* f(x_opt) = f_opt exactly after the transformation; elsewhere larger */
    double fo = eval_f(&a, xa, NULL);
    ck_assert_msg(fo == a.p->f_opt || fabs(fo - a.p->f_opt) <= 1e-13 * (1 + fabs(a.p->f_opt)),
                  "%s: f(x_opt) = %.17g, f_opt = %.17g", *tn, fo, a.p->f_opt);
    ck_assert_msg(a.p->f_opt == lit.p->f_opt, "%s: the instance changed f_opt", *tn);
    ck_assert_msg(eval_f(&a, xl, NULL) > a.p->f_opt, "%s: the literal x_opt is still optimal", *tn);
    /* rotation changes values away from x_opt (except for the sphere) */
    double fs = eval_f(&sh, p, NULL);
    if (strcmp(*tn, "sphere") != 0)
      ck_assert_msg(fs != fa, "%s: rotated and unrotated instances agree at a generic point", *tn);
    else
      ck_assert_msg(fabs(fs - fa) <= 1e-12 * fa, "sphere: a rotation changed |x - x*|: %.17g vs %.17g", fs, fa);
    inst_close(&lit); inst_close(&a); inst_close(&b); inst_close(&c); inst_close(&sh);
  }
}
END_TEST

/* The rotation is orthogonal: a rotated ellipsoid keeps the weights 2 w_i as
 * the eigenvalues of its Hessian, and its shift lies in the documented box. */
START_TEST(test_instance_rotation)
{
  enum { N = 7 };
  const ob_problem_type *t = ob_problem_type_find("ellipsoid");
  inst in;
  inst_open_ok(&in, t, N, "{\"condition\": 1000, \"instance\": 3}");
  gsl_matrix *h = quadratic_matrix(&in);   /* columns H e_j */
  double off = 0.0;
  for (size_t i = 0; i < N; i++)
    for (size_t j = 0; j < N; j++)
      if (i != j) off = fmax(off, fabs(gsl_matrix_get(h, i, j)));
  ck_assert_msg(off > 1e-2, "rotated ellipsoid has a diagonal Hessian");
  gsl_vector *ev = gsl_vector_alloc(N);
  gsl_eigen_symm_workspace *w = gsl_eigen_symm_alloc(N);
  ck_assert_int_eq(gsl_eigen_symm(h, ev, w), GSL_SUCCESS);
  gsl_sort_vector(ev);
  for (size_t i = 0; i < N; i++) {
    double want = 2.0 * pow(1000.0, (double)i / (N - 1));
    CK_NEAR(gsl_vector_get(ev, i), want, 1e-11 * 2000.0, "eigenvalue of the rotated ellipsoid");
  }
  double xs[N];
  x_opt_of(&in, xs);
  for (size_t i = 0; i < N; i++) ck_assert_msg(fabs(xs[i]) <= 4.0, "shift %g outside [-4, 4]", xs[i]);
  gsl_eigen_symm_free(w);
  gsl_vector_free(ev);
  gsl_matrix_free(h);
  inst_close(&in);
}
END_TEST

/* Golden values (COCO's regression-test idea): the instance seed formula and
 * draw order are part of the contract, so f at fixed points of a few instances
 * is pinned. They were computed once with GSL 2.7.1's mt19937 on x86-64. */
START_TEST(test_instance_golden)
{
  static const struct { const char *name, *params; double f; } golden[] = {
    { "sphere", "{\"dim\": 4, \"instance\": 1}", 13.189830713499743 },
    { "ellipsoid", "{\"dim\": 4, \"instance\": 2, \"condition\": 100}", 1077.5559965189645 },
    { "rosenbrock", "{\"dim\": 4, \"instance\": 3}", 2754.8338423832492 },
    { "rastrigin", "{\"dim\": 4}", 4 * 20.25 },   /* no instances: literal */
  };
  const double x[4] = { 0.5, 0.5, 0.5, 0.5 };
  for (size_t k = 0; k < sizeof golden / sizeof golden[0]; k++) {
    double f = value_at(golden[k].name, golden[k].params, x, NULL);
    ck_assert_msg(fabs(f - golden[k].f) <= 1e-12 * fabs(golden[k].f), "%s %s: f(0.5) = %.17g, pinned %.17g",
                  golden[k].name, golden[k].params, f, golden[k].f);
  }
}
END_TEST

START_TEST(test_instance_too_big)
{
  ob_error err;
  inst in;
  ob_error_clear(&err);
  ck_assert_int_eq(inst_open(&in, ob_problem_type_find("sphere"), 20000, "{\"instance\": 1}", 0, &err), OB_EINVAL);
  ck_assert_msg(strstr(err.text, "set rotate to false") != NULL, "message: %s", err.text);
  ob_error_clear(&err);
  ck_assert_int_eq(inst_open(&in, ob_problem_type_find("sphere"), 20000, "{\"instance\": 1, \"rotate\": false}",
                             0, &err), OB_OK);
  inst_close(&in);
}
END_TEST

/* ---- scale-invariant -------------------------------------------------------- */

START_TEST(test_scale_invariant)
{
  enum { N = 5 };
  const ob_problem_type *t = ob_problem_type_find("scale_invariant");
  static const char *const cases[] = { "{\"condition\": 100}", "{\"condition\": 100, \"instance\": 2}", NULL };
  for (const char *const *c = cases; *c; c++) {
    inst in;
    inst_open_ok(&in, t, N, *c);
    double x[N] = { 0.3, -1.2, 0.8, 2.0, -0.1 }, y[N], g[N], gy[N], xo[N];
    for (int i = 0; i < N; i++) y[i] = 7.5 * x[i];
    double f = eval_f(&in, x, g), fy = eval_f(&in, y, gy), gx = 0.0;
    CK_NEAR(fy, f, 1e-14 * f, "f(7.5 x) = f(x)");
    for (int i = 0; i < N; i++) {
      CK_NEAR(gy[i], g[i] / 7.5, 1e-14 * max_abs(g, N), "g(7.5 x) = g(x) / 7.5");
      gx += g[i] * x[i];
    }
    CK_NEAR(gx, 0.0, 1e-14, "g . x = 0");
    /* the minimizer is a ray: x_opt has unit length and any positive multiple is optimal */
    x_opt_of(&in, xo);
    CK_NEAR(sqrt(ob_vec_dot(xo, xo, N)), 1.0, 1e-14, "|x_opt|");
    for (int i = 0; i < N; i++) y[i] = 5.0 * xo[i];
    CK_NEAR(eval_f(&in, y, NULL), 0.0, 1e-28, "f(5 x_opt)");
    /* undefined at 0: a status and a message, no NaN */
    double z[N] = { 0 }, fz = 0.0, hz[N];
    ob_error err;
    ob_error_clear(&err);
    ck_assert_int_eq(t->eval(in.p->state, z, &fz, NULL, &err), OB_ENUMERIC);
    ck_assert_str_eq(err.text, "scale_invariant is undefined at x = 0");
    ob_error_clear(&err);
    ck_assert_int_eq(t->hvp(in.p->state, z, x, hz, &err), OB_ENUMERIC);
    inst_close(&in);
  }
  /* without an instance x_opt = c = (1, ..., 1) / sqrt(n) */
  inst in;
  inst_open_ok(&in, t, 4, "{}");
  double xo[4];
  x_opt_of(&in, xo);
  for (int i = 0; i < 4; i++) CK_NEAR(xo[i], 0.5, 0.0, "x_opt without an instance");
  inst_close(&in);
}
END_TEST

/* ---- noisy quadratic ---------------------------------------------------------- */

static void nq_sample(inst *in, const double *x, uint64_t step, double *f, double *g)
{
  ob_error err;
  ob_error_clear(&err);
  ck_assert_int_eq(in->p->type->sample_eval(in->p->state, x, step, f, g, &err), OB_OK);
}

START_TEST(test_noisy_quadratic)
{
  enum { N = 10, SAMPLES = 20000 };
  const ob_problem_type *t = ob_problem_type_find("noisy_quadratic");
  ck_assert_ptr_nonnull(t->sample_eval);
  ck_assert(t->provides & OB_PROVIDES_STOCHASTIC);
  ob_error err;
  inst a, b;
  ob_error_clear(&err);
  ck_assert_int_eq(inst_open(&a, t, N, "{\"condition\": 100, \"sigma\": 0.5}", 42, &err), OB_OK);
  ck_assert_int_eq(inst_open(&b, t, N, "{\"condition\": 100, \"sigma\": 0.5}", 43, &err), OB_OK);
  const double *x = a.p->x0;
  double g[N], g1[N], g2[N], gb[N], f, f1;
  f = eval_f(&a, x, g);
  /* exact values at x0 = 1: f = 1/2 sum l_i, g = l */
  double lsum = 0.0;
  for (int i = 0; i < N; i++) {
    double l = pow(100.0, i / (double)(N - 1));
    lsum += l;
    CK_NEAR(g[i], l, 1e-12 * l, "exact gradient");
  }
  CK_NEAR(f, 0.5 * lsum, 1e-12 * lsum, "exact f");
  /* same (seed, step): the same sample; another step or seed: another one */
  nq_sample(&a, x, 5, &f1, g1);
  nq_sample(&a, x, 6, &f1, g2);
  nq_sample(&a, x, 5, &f1, g2);
  ck_assert_msg(memcmp(g1, g2, sizeof g1) == 0, "same seed and step, different samples");
  nq_sample(&a, x, 6, &f1, g2);
  ck_assert_msg(memcmp(g1, g2, sizeof g1) != 0, "steps 5 and 6 give the same sample");
  nq_sample(&b, x, 5, &f1, gb);
  ck_assert_msg(memcmp(g1, gb, sizeof g1) != 0, "run seeds 42 and 43 give the same sample");
  CK_NEAR(f1, f, 0.0, "the f of a sample is the exact f");
  /* moments over many steps: mean -> grad f, E||g~ - g||^2 = sigma^2 (1 + ||g||^2) */
  double mean[N] = { 0 }, m2[N] = { 0 };
  for (uint64_t s = 1; s <= SAMPLES; s++) {
    nq_sample(&a, x, s, &f1, g1);
    for (int i = 0; i < N; i++) {        /* Welford */
      double d = g1[i] - mean[i];
      mean[i] += d / (double)s;
      m2[i] += d * (g1[i] - mean[i]);
    }
  }
  double gg = ob_vec_dot(g, g, N), var_want = 0.25 * (1.0 + gg), var_tot = 0.0;
  double sd = sqrt(var_want / N);     /* per coordinate */
  for (int i = 0; i < N; i++) {
    /* 5 standard errors of the mean */
    ck_assert_msg(fabs(mean[i] - g[i]) <= 5.0 * sd / sqrt((double)SAMPLES),
                  "coordinate %d: sample mean %.6g, gradient %.6g (sd %.3g)", i, mean[i], g[i], sd);
    var_tot += m2[i] / (SAMPLES - 1);
  }
  /* relative sd of the estimate is sqrt(2 / (N SAMPLES)) = 0.3%: allow 3% */
  ck_assert_msg(fabs(var_tot - var_want) <= 0.03 * var_want,
                "total noise variance %.6g, expected sigma^2 (1 + ||g||^2) = %.6g", var_tot, var_want);
  /* eval stays exact after sampling */
  double g3[N];
  eval_f(&a, x, g3);
  ck_assert(memcmp(g, g3, sizeof g) == 0);
  inst_close(&a);
  inst_close(&b);
}
END_TEST

START_TEST(test_rosenbrock_rotated)
{
  const ob_problem_type *t = ob_problem_type_find("rosenbrock");
  inst lit, rot;
  inst_open_ok(&lit, t, 5, "{}");
  inst_open_ok(&rot, t, 5, "{\"instance\": 1}");
  ck_assert_msg(memcmp(lit.p->x0, rot.p->x0, 5 * sizeof(double)) == 0, "an instance changed x0");
  double xo[5], g[5];
  x_opt_of(&rot, xo);
  CK_NEAR(eval_f(&rot, xo, g), 0.0, 0.0, "rotated rosenbrock f(x_opt)");
  ck_assert_msg(max_abs(g, 5) == 0.0, "rotated rosenbrock: gradient at x_opt is not 0");
  /* the literal function's optimum (1, ..., 1) is not optimal for the instance */
  const double ones[5] = { 1, 1, 1, 1, 1 };
  ck_assert(eval_f(&rot, ones, NULL) > 1.0);
  CK_NEAR(eval_f(&lit, ones, NULL), 0.0, 0.0, "rosenbrock(1)");
  inst_close(&lit);
  inst_close(&rot);
}
END_TEST

/* ---- parameter errors ------------------------------------------------------- */

START_TEST(test_param_errors)
{
  ob_error err;
  inst in;
  ob_error_clear(&err);
  ck_assert_int_eq(inst_open(&in, ob_problem_type_find("rosenbrock"), 1, "{}", 0, &err), OB_EINVAL);
  ck_assert_str_eq(err.path, "problems[0].dim");
  ob_error_clear(&err);
  ck_assert_int_eq(inst_open(&in, ob_problem_type_find("quadratic"), 0, "{\"conditon\": 5}", 0, &err),
                   OB_EINVAL);
  ck_assert_msg(strstr(err.text, "did you mean 'condition'") != NULL, "message: %s", err.text);
  ob_error_clear(&err);
  ck_assert_int_eq(inst_open(&in, ob_problem_type_find("rastrigin"), 0, "{\"amplitude\": -1}", 0, &err),
                   OB_EINVAL);
  ob_error_clear(&err);
  ck_assert_int_eq(inst_open(&in, ob_problem_type_find("quadratic"), 0, "{\"rotate\": 1}", 0, &err), OB_EINVAL);
}
END_TEST

Suite *make_problems_suite(void)
{
  Suite *s = suite_create("problems");
  int nt = (int)n_types();
  TCase *tc = tcase_create("registry");
  tcase_add_test(tc, test_registry);
  tcase_add_loop_test(tc, test_defaults, 0, nt);
  tcase_add_test(tc, test_param_errors);
  suite_add_tcase(s, tc);

  tc = tcase_create("conformance");
  tcase_set_timeout(tc, 120);
  tcase_add_loop_test(tc, test_derivatives, 0, nt);
  tcase_add_loop_test(tc, test_optimum, 0, nt);
  tcase_add_loop_test(tc, test_threads, 0, nt);
  suite_add_tcase(s, tc);

  tc = tcase_create("specific");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_quadratic_spectrum);
  tcase_add_test(tc, test_quadratic_instances);
  tcase_add_test(tc, test_quadratic_small);
  tcase_add_test(tc, test_quadratic_too_big);
  tcase_add_test(tc, test_rosenbrock_classic);
  tcase_add_test(tc, test_rastrigin_classic);
  tcase_add_test(tc, test_synth_values);
  tcase_add_test(tc, test_classics_2d);
  tcase_add_test(tc, test_instances);
  tcase_add_test(tc, test_instance_rotation);
  tcase_add_test(tc, test_instance_golden);
  tcase_add_test(tc, test_instance_too_big);
  tcase_add_test(tc, test_scale_invariant);
  tcase_add_test(tc, test_noisy_quadratic);
  tcase_add_test(tc, test_rosenbrock_rotated);
  suite_add_tcase(s, tc);
  return s;
}

int main(void)
{
  return ob_test_main(make_problems_suite());
}
