/* opt_harness.h -- a harness around the real optimizer driver, shared by the
 * optimizer test programs (check_optimizers, check_paper_optimizers,
 * check_more_paper_optimizers, check_more_optimizers, check_classify,
 * check_wrappers).
 *
 * harness_open builds a problem and an optimizer exactly as the runner does:
 * a "local" memtier arena, normalized parameters, state vectors from the
 * arena, x at the problem's x0. Any failure aborts the test with the driver's
 * message. try_configure, expect_reject and harness_expect_state check
 * parameter validation and state/traffic accounting the same way everywhere.
 *
 * The second half replays a reference file (tests/reference/<name>_reference.json,
 * written by the generators there): ref_load reads it once per program,
 * ref_case_get/ref_case_open/ref_replay/ref_verdict run one recorded case
 * through the harness on ref_quad_type or ref_rosen_type, the reference
 * problems every generator shares. Functions are static inline so a program
 * may use any subset.
 */
#ifndef OB_OPT_HARNESS_H
#define OB_OPT_HARNESS_H

#include <check.h>
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/ob_params.h"
#include "memtier/memtier.h"
#include "optimizers/optimizer.h"
#include "problems/problem.h"
#include "tests/testutil.h"

typedef struct {
  ob_placement *pl;
  ob_memtier *mem;
  ob_problem *prob;
  ob_optimizer *opt;
  ob_oracle orc;
  double *x, *g;
  size_t n;
  ob_error err;
} harness;

static const char *const skip_keys[] = { "type", "id", NULL };

static inline json_t *jparse(const char *text)
{
  json_error_t je;
  json_t *v = json_loads(text, JSON_DECODE_ANY, &je);
  ck_assert_msg(v != NULL, "bad test JSON '%s': %s", text, je.text);
  return v;
}

static inline double jreal_or(const json_t *obj, const char *key, double def)
{
  const json_t *v = json_object_get(obj, key);
  return json_is_number(v) ? json_number_value(v) : def;
}

static inline const char *errtext(const ob_error *e)
{
  static char buf[1600];
  ob_error_format(e, buf, sizeof buf);
  return buf;
}

/* Opens an arena with the "local" placement, builds problem `pt` from
 * `pparams` and optimizer `name` from `oparams` (both borrowed), and puts x at
 * the problem's x0. Any failure aborts the test with the driver's message. */
static inline void harness_open(harness *h, const char *name, const json_t *oparams,
                         const ob_problem_type *pt, const json_t *pparams)
{
  memset(h, 0, sizeof *h);
  const ob_optimizer_type *t = ob_optimizer_type_find(name);
  ck_assert_msg(t != NULL, "optimizer '%s' is not registered", name);
  json_t *norm = NULL, *local = json_string("local");
  int rc = ob_params_normalize(t->params, oparams, skip_keys, "optimizer", &norm, &h->err);
  ck_assert_msg(rc == OB_OK, "%s: normalize: %s", name, errtext(&h->err));
  rc = ob_optimizer_alloc(t, norm, &h->opt, &h->err);
  json_decref(norm);
  ck_assert_msg(rc == OB_OK, "%s: alloc: %s", name, errtext(&h->err));
  rc = ob_placement_parse(local, "placement", &h->pl, &h->err);
  json_decref(local);
  ck_assert_msg(rc == OB_OK, "placement: %s", errtext(&h->err));
  rc = ob_memtier_open(h->pl, &h->mem, &h->err);
  ck_assert_msg(rc == OB_OK, "memtier: %s", errtext(&h->err));
  rc = ob_problem_alloc(pt, pparams, 0, h->mem, &h->prob, &h->err);
  ck_assert_msg(rc == OB_OK, "problem %s: %s", pt->name, errtext(&h->err));
  h->n = h->prob->n;
  h->x = ob_memtier_alloc(h->mem, OB_MEM_PARAMS, h->n, &h->err);
  h->g = ob_memtier_alloc(h->mem, OB_MEM_GRADS, h->n, &h->err);
  ck_assert_msg(h->x && h->g, "arena: %s", errtext(&h->err));
  memcpy(h->x, h->prob->x0, h->n * sizeof *h->x);
  rc = ob_optimizer_init(h->opt, h->prob, h->mem, &h->err);
  ck_assert_msg(rc == OB_OK, "%s: init: %s", name, errtext(&h->err));
  ob_oracle_init(&h->orc, h->prob);
}

static inline void harness_step(harness *h)
{
  int rc = ob_optimizer_step(h->opt, &h->orc, h->x, h->g, &h->err);
  ck_assert_msg(rc == OB_OK, "%s: step %lld: %s", h->opt->type->name, h->opt->t + 1, errtext(&h->err));
}

static inline double harness_f(harness *h)
{
  double f;
  int rc = h->prob->type->eval(h->prob->state, h->x, &f, NULL, &h->err);
  ck_assert_int_eq(rc, OB_OK);
  return f;
}

static inline void harness_close(harness *h)
{
  ob_optimizer_free(h->opt);
  ob_problem_free(h->prob);
  ob_memtier_close(h->mem);
  ob_placement_free(h->pl);
  memset(h, 0, sizeof *h);
}

/* Requires the optimizer of the opened harness, configured with the params
 * text `params` (for messages), to keep `nvec` state vectors of length n and
 * to report `bytes` of memory traffic per coordinate and step. */
static inline void harness_expect_state(const harness *h, const char *params, size_t nvec, double bytes)
{
  const char *name = h->opt->type->name;
  ck_assert_msg(h->opt->nvec == nvec, "%s %s: %zu state vectors, want %zu", name, params, h->opt->nvec, nvec);
  ck_assert_uint_eq(ob_optimizer_state_bytes(h->opt), nvec * h->n * sizeof(double));
  ck_assert_msg(ob_optimizer_traffic(h->opt) == bytes, "%s %s: traffic %g, want %g", name, params,
                ob_optimizer_traffic(h->opt), bytes);
}

/* Normalizes and allocates only: the status, with the message in *err. */
static inline int try_configure(const char *name, const char *params_json, ob_error *err)
{
  const ob_optimizer_type *t = ob_optimizer_type_find(name);
  ck_assert_msg(t != NULL, "optimizer '%s' is not registered", name);
  json_t *given = jparse(params_json), *norm = NULL;
  ob_optimizer *o = NULL;
  ob_error_clear(err);
  int rc = ob_params_normalize(t->params, given, skip_keys, "optimizer", &norm, err);
  if (rc == OB_OK) {
    rc = ob_optimizer_alloc(t, norm, &o, err);
    ck_assert_msg(rc == OB_OK ? o != NULL : o == NULL, "alloc must set *out exactly on success");
    ob_optimizer_free(o);
  }
  json_decref(norm);
  json_decref(given);
  return rc;
}

/* Requires try_configure to reject `params` for optimizer `name` as invalid
 * (OB_EINVAL) with a message containing `text`; with a non-NULL `path`, the
 * error must also name that JSON path ("optimizer.lr"). */
static inline void expect_reject(const char *name, const char *params, const char *path, const char *text)
{
  ob_error err;
  int rc = try_configure(name, params, &err);
  ck_assert_msg(rc == OB_EINVAL, "%s %s: status %d, want %d (%s)", name, params, rc, OB_EINVAL, errtext(&err));
  ck_assert_int_eq(err.code, OB_EINVAL);
  ck_assert_msg(strstr(err.text, text) != NULL, "%s %s: message '%s' lacks '%s'", name, params, err.text, text);
  if (path)
    ck_assert_msg(strcmp(err.path, path) == 0, "%s %s: path '%s', want '%s'", name, params, err.path, path);
}

/* ---- the reference problems ------------------------------------------------ */

/* Every generator in tests/reference/ (gen_torch.py, gen_numpy.py,
 * gen_numpy_paper2.py, gen_numpy_curv.py) describes its problems with the
 * same two kinds, and the trajectories are compared to 1e-10, so these
 * follow the generators' formulas operation by operation: rows of A x are
 * summed left to right from 0.0 and f accumulates term by term. Both
 * provide every oracle the generators use (gradient, f*, Hessian-vector and
 * Gauss-Newton products); a start point other than the documented one comes
 * through the common "x0" param of ob_problem_alloc. */

/* f = 1/2 x^T A x - b^T x from "A" (rows) and "b"; "f_opt" if given, else
 * unknown (NaN); x0 = 0; H = G = A. */
typedef struct {
  size_t n;
  double *a, *b;     /* arena (data class) */
  double f_opt;
} ref_quad_state;

static inline int ref_quad_configure(void *st, const json_t *params, uint64_t seed, ob_memtier *mem,
                                     ob_error *err)
{
  ref_quad_state *s = st;
  const json_t *A = json_object_get(params, "A"), *b = json_object_get(params, "b");
  const json_t *fo = json_object_get(params, "f_opt");
  (void)seed;
  if (!json_is_array(A) || !json_is_array(b) || json_array_size(A) != json_array_size(b) ||
      json_array_size(b) == 0)
    return ob_error_set(err, OB_EINVAL, "test quadratic needs a square \"A\" and a matching \"b\"");
  s->n = json_array_size(b);
  s->a = ob_memtier_alloc(mem, OB_MEM_DATA, s->n * s->n, err);
  s->b = ob_memtier_alloc(mem, OB_MEM_DATA, s->n, err);
  if (!s->a || !s->b) return err->code;
  for (size_t i = 0; i < s->n; i++) {
    const json_t *row = json_array_get(A, i);
    if (!json_is_array(row) || json_array_size(row) != s->n)
      return ob_error_set(err, OB_EINVAL, "test quadratic: row %zu of A has the wrong length", i);
    for (size_t j = 0; j < s->n; j++) s->a[i * s->n + j] = json_number_value(json_array_get(row, j));
    s->b[i] = json_number_value(json_array_get(b, i));
  }
  s->f_opt = json_is_number(fo) ? json_number_value(fo) : NAN;
  return OB_OK;
}

static inline size_t ref_quad_dim(const void *st) { return ((const ref_quad_state *)st)->n; }

static inline int ref_quad_eval(void *st, const double *x, double *f, double *g, ob_error *err)
{
  ref_quad_state *s = st;
  double fx = 0.0;
  (void)err;
  for (size_t i = 0; i < s->n; i++) {
    double ax = 0.0;
    for (size_t j = 0; j < s->n; j++) ax = ax + s->a[i * s->n + j] * x[j];
    if (g) g[i] = ax - s->b[i];
    fx = fx + (0.5 * x[i] * ax - s->b[i] * x[i]);
  }
  if (f) *f = fx;
  return OB_OK;
}

/* A v, also the Gauss-Newton product of a quadratic. */
static inline int ref_quad_hvp(void *st, const double *x, const double *v, double *out, ob_error *err)
{
  ref_quad_state *s = st;
  (void)x;
  (void)err;
  for (size_t i = 0; i < s->n; i++) {
    double av = 0.0;
    for (size_t j = 0; j < s->n; j++) av = av + s->a[i * s->n + j] * v[j];
    out[i] = av;
  }
  return OB_OK;
}

static inline void ref_quad_x0(const void *st, double *x)
{
  const ref_quad_state *s = st;
  memset(x, 0, s->n * sizeof *x);
}

static inline double ref_quad_fopt(const void *st) { return ((const ref_quad_state *)st)->f_opt; }

static const ob_problem_type ref_quad_type = {
  .name = "test_quadratic", .summary = "1/2 x^T A x - b^T x with explicit A, b",
  .reference = "tests/reference/gen_*.py", .state_size = sizeof(ref_quad_state),
  .provides = OB_PROVIDES_GRAD | OB_PROVIDES_FOPT | OB_PROVIDES_HVP | OB_PROVIDES_GNVP,
  .configure = ref_quad_configure, .dim = ref_quad_dim, .eval = ref_quad_eval, .hvp = ref_quad_hvp,
  .x0 = ref_quad_x0, .f_opt = ref_quad_fopt, .gnvp = ref_quad_hvp,
};

/* Chained Rosenbrock sum_i 100 (x[i+1] - x[i]^2)^2 + (1 - x[i])^2 ("dim"),
 * f* = 0, x0 = (-1.2, 1, -1.2, ...), with the exact Hessian-vector product
 * and the Gauss-Newton product 2 J^T J v of the residuals
 * 10 (x[i+1] - x[i]^2), 1 - x[i]. */
typedef struct { size_t n; } ref_rosen_state;

static inline int ref_rosen_configure(void *st, const json_t *params, uint64_t seed, ob_memtier *mem,
                                      ob_error *err)
{
  ref_rosen_state *s = st;
  (void)seed;
  (void)mem;
  json_int_t n = json_integer_value(json_object_get(params, "dim"));
  if (n < 2) return ob_error_set(err, OB_EINVAL, "test rosenbrock needs \"dim\" >= 2");
  s->n = (size_t)n;
  return OB_OK;
}

static inline size_t ref_rosen_dim(const void *st) { return ((const ref_rosen_state *)st)->n; }

static inline int ref_rosen_eval(void *st, const double *x, double *f, double *g, ob_error *err)
{
  ref_rosen_state *s = st;
  double fx = 0.0;
  (void)err;
  if (g) memset(g, 0, s->n * sizeof *g);
  for (size_t i = 0; i + 1 < s->n; i++) {
    const double t = x[i + 1] - x[i] * x[i];
    fx = fx + (100.0 * t * t + (1.0 - x[i]) * (1.0 - x[i]));
    if (g) {
      g[i] = g[i] + (-400.0 * x[i] * t - 2.0 * (1.0 - x[i]));
      g[i + 1] = g[i + 1] + 200.0 * t;
    }
  }
  if (f) *f = fx;
  return OB_OK;
}

static inline int ref_rosen_hvp(void *st, const double *x, const double *v, double *out, ob_error *err)
{
  ref_rosen_state *s = st;
  (void)err;
  memset(out, 0, s->n * sizeof *out);
  for (size_t i = 0; i + 1 < s->n; i++) {
    const double a = 1200.0 * x[i] * x[i] - 400.0 * x[i + 1] + 2.0, c = -400.0 * x[i];
    out[i] = out[i] + (a * v[i] + c * v[i + 1]);
    out[i + 1] = out[i + 1] + (c * v[i] + 200.0 * v[i + 1]);
  }
  return OB_OK;
}

static inline int ref_rosen_gnvp(void *st, const double *x, const double *v, double *out, ob_error *err)
{
  ref_rosen_state *s = st;
  (void)err;
  memset(out, 0, s->n * sizeof *out);
  for (size_t i = 0; i + 1 < s->n; i++) {
    const double ja = -20.0 * x[i] * v[i] + 10.0 * v[i + 1], jb = -v[i];
    out[i] = out[i] + 2.0 * (-20.0 * x[i] * ja - jb);
    out[i + 1] = out[i + 1] + 2.0 * (10.0 * ja);
  }
  return OB_OK;
}

static inline void ref_rosen_x0(const void *st, double *x)
{
  const ref_rosen_state *s = st;
  for (size_t i = 0; i < s->n; i++) x[i] = i % 2 ? 1.0 : -1.2;
}

static inline double ref_rosen_fopt(const void *st) { (void)st; return 0.0; }

static const ob_problem_type ref_rosen_type = {
  .name = "test_rosenbrock", .summary = "chained Rosenbrock with HVP and Gauss-Newton products",
  .reference = "Rosenbrock 1960; chained form", .state_size = sizeof(ref_rosen_state),
  .provides = OB_PROVIDES_GRAD | OB_PROVIDES_FOPT | OB_PROVIDES_HVP | OB_PROVIDES_GNVP,
  .configure = ref_rosen_configure, .dim = ref_rosen_dim, .eval = ref_rosen_eval, .hvp = ref_rosen_hvp,
  .x0 = ref_rosen_x0, .f_opt = ref_rosen_fopt, .gnvp = ref_rosen_gnvp,
};

/* Opens optimizer `name` with params text `op` on problem `pt` with params
 * text `pp` (both JSON, parsed and released here). */
static inline void harness_open_text(harness *h, const char *name, const char *op, const ob_problem_type *pt,
                                     const char *pp)
{
  json_t *o = jparse(op), *p = jparse(pp);
  harness_open(h, name, o, pt, p);
  json_decref(o);
  json_decref(p);
}

/* ---- reference trajectories -------------------------------------------------- */

/* A reference file is one JSON object with a "cases" array and a "problems"
 * object. Each case has "id", "optimizer", "params", "problem" (a key of
 * "problems") and "iterates": one row of x per step, after that step. Each
 * problem has "kind" ("quadratic" or "rosenbrock"), "dim" and the params of
 * ref_quad_type or ref_rosen_type. A program loads its file once, from
 * make_<module>_suite, and adds one loop test per case; the document lives
 * until exit (the forked tests see the parent's copy). */
typedef struct {
  json_t *doc;          /* NULL when the file could not be loaded */
  char error[2048];     /* why it could not be loaded */
} ref_file;

static inline ref_file *ref_file_get(void)
{
  static ref_file r;
  return &r;
}

static inline void ref_free(void)
{
  json_decref(ref_file_get()->doc);
  ref_file_get()->doc = NULL;
}

/* Loads `rel` (a path under the source tree). On failure ref_doc() is NULL
 * and ref_error() says why, for the program's test_reference_loaded. */
static inline void ref_load(const char *rel)
{
  ref_file *r = ref_file_get();
  char path[512];
  json_error_t je;
  ob_test_srcpath(path, sizeof path, rel);
  r->doc = json_load_file(path, 0, &je);
  if (!r->doc) {
    snprintf(r->error, sizeof r->error, "%s:%d:%d: %s", path, je.line, je.column, je.text);
    return;
  }
  if (!json_is_array(json_object_get(r->doc, "cases")) || !json_is_object(json_object_get(r->doc, "problems"))) {
    snprintf(r->error, sizeof r->error, "%s: no \"cases\" array or \"problems\" object", path);
    ref_free();
    return;
  }
  atexit(ref_free);
}

static inline json_t *ref_doc(void) { return ref_file_get()->doc; }
static inline const char *ref_error(void) { return ref_file_get()->error; }
static inline json_t *ref_cases(void) { return json_object_get(ref_doc(), "cases"); }
static inline size_t ref_ncases(void) { return ref_doc() ? json_array_size(ref_cases()) : 0; }

/* One case, borrowed from the document. */
typedef struct {
  json_t *json;                 /* the whole case, for program-specific keys */
  const char *id, *optimizer;
  json_t *problem;              /* its entry of "problems" */
  json_t *iterates;
  const ob_problem_type *type;  /* ref_quad_type or ref_rosen_type */
} ref_case;

/* Case number i; aborts the test when it is malformed. */
static inline void ref_case_get(int i, ref_case *c)
{
  c->json = json_array_get(ref_cases(), (size_t)i);
  c->id = json_string_value(json_object_get(c->json, "id"));
  c->optimizer = json_string_value(json_object_get(c->json, "optimizer"));
  const char *pname = json_string_value(json_object_get(c->json, "problem"));
  c->problem = json_object_get(json_object_get(ref_doc(), "problems"), pname ? pname : "");
  c->iterates = json_object_get(c->json, "iterates");
  ck_assert_msg(c->id && c->optimizer && c->problem && json_is_array(c->iterates), "case %d is malformed", i);
  const char *kind = json_string_value(json_object_get(c->problem, "kind"));
  ck_assert_msg(kind && (strcmp(kind, "quadratic") == 0 || strcmp(kind, "rosenbrock") == 0),
                "case %s: unknown problem kind '%s'", c->id, kind ? kind : "(none)");
  c->type = strcmp(kind, "quadratic") == 0 ? &ref_quad_type : &ref_rosen_type;
}

/* Opens the harness on the case's optimizer, params and problem. */
static inline void ref_case_open(harness *h, const ref_case *c)
{
  harness_open(h, c->optimizer, json_object_get(c->json, "params"), c->type, c->problem);
  ck_assert_uint_eq(h->n, (size_t)json_integer_value(json_object_get(c->problem, "dim")));
}

/* The worst relative deviation |x - ref| / max(1, |ref|) over a replay, and
 * where it happened; a NaN, once seen, sticks. */
typedef struct {
  double worst, mine, ref;
  size_t step, i, nsteps;
} ref_dev;

/* Steps the opened harness once per recorded iterate and compares every
 * coordinate. The harness stays open so the caller can check oracle counts. */
static inline void ref_replay(harness *h, const ref_case *c, ref_dev *d)
{
  memset(d, 0, sizeof *d);
  d->nsteps = json_array_size(c->iterates);
  for (size_t k = 0; k < d->nsteps; k++) {
    harness_step(h);
    json_t *row = json_array_get(c->iterates, k);
    ck_assert_uint_eq(json_array_size(row), h->n);
    for (size_t i = 0; i < h->n; i++) {
      const double ref = json_number_value(json_array_get(row, i));
      const double dev = fabs(h->x[i] - ref) / fmax(1.0, fabs(ref));
      if (!(dev <= d->worst) && !isnan(d->worst)) {
        d->worst = dev;
        d->step = k + 1;
        d->i = i;
        d->mine = h->x[i];
        d->ref = ref;
      }
    }
  }
}

/* Prints the deviation when OB_TEST_VERBOSE is set, then requires it to be
 * at most tol. `source` names the reference in messages ("torch", "numpy"). */
static inline void ref_verdict(const ref_case *c, const ref_dev *d, const char *source, double tol)
{
  if (getenv("OB_TEST_VERBOSE"))
    printf("%s reference %-40s %3zu steps, worst relative deviation %.3g%s\n", source, c->id, d->nsteps,
           d->worst, d->worst == 0.0 ? " (bit-identical)" : "");
  ck_assert_msg(d->worst <= tol,
                "case %s: worst relative deviation from %s %.3g > %g at step %zu, x[%zu]: optbench %.17g, "
                "%s %.17g", c->id, source, d->worst, tol, d->step, d->i, d->mine, source, d->ref);
}

#endif
