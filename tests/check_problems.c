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
  { NULL, NULL }
};

/* Large instances for the thread-count test; unlisted types get {"dim": 100000}. */
static const setting big_settings[] = {
  { "quadratic", "{\"dim\": 100000, \"rotate\": false}" },
  { "quadratic", "{\"dim\": 400, \"condition\": 1e3}" },   /* dense: parallel over rows */
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
  inst in;
  inst_open_ok(&in, t, 0, "{}");
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
    double scale = fmax(1.0, max_abs(g, n)), worst = 0.0;
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
  if (!listed) check_threads(t, "{\"dim\": 100000}");
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
  suite_add_tcase(s, tc);
  return s;
}

int main(void)
{
  return ob_test_main(make_problems_suite());
}
