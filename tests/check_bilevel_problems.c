/* check_bilevel_problems.c -- tests of the bilevel data and toy problems
 * ridge_hpo, hyper_cleaning, bilevel_multi and bilevel_constrained.
 *
 * For every problem at seeded random points (x, y): the upper and lower
 * partial gradients against central differences of f and g, grad2_yy g v
 * against differences of grad_y g, grad2_xy g v against differences of
 * grad_x g along y (the mixed partials commute), the hypergradient of `hyper`
 * and of eval against central differences of F, and y*(x) against the lower
 * optimality conditions (grad_y g = 0; the optimistic selection; KKT for the
 * constrained lower level). Where F* is known: F(x*) == F* and grad F(x*) = 0
 * (or, at a kink, no coordinate direction decreasing F). ridge_hpo's F* is
 * checked against a brute-force grid of Cholesky solves, its data loaders on
 * CSV and LIBSVM files with real targets; hyper_cleaning's corruption and
 * weight metrics are counted; bad input is rejected with its message.
 * Instances are built as the runner builds them: normalized params, a local
 * arena, ob_problem_alloc. Temporary files go to $TMPDIR (default /tmp).
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_rng.h>

#include "bench/ob_params.h"
#include "memtier/memtier.h"
#include "problems/bilevel.h"
#include "problems/problem.h"
#include "tests/testutil.h"

Suite *make_bilevel_problems_suite(void);

/* ---- helpers ------------------------------------------------------------------ */

typedef struct {
  ob_placement *pl;
  ob_memtier *mem;
  ob_problem *p;
  json_t *params;
  const struct ob_bilevel_view *v;
} inst;

static int inst_try(inst *in, const char *type, const char *text, ob_error *err)
{
  static const char *const skip[] = { "type", "id", NULL };
  const ob_problem_type *t = ob_problem_type_find(type);
  json_error_t je;
  memset(in, 0, sizeof *in);
  ck_assert_msg(t != NULL, "problem type '%s' is not registered", type);
  json_t *given = json_loads(text, 0, &je);
  ck_assert_msg(given != NULL, "bad test JSON '%s': %s", text, je.text);
  int rc = ob_params_normalize(t->params, given, skip, "problems[0]", &in->params, err);
  json_decref(given);
  if (rc < 0) return rc;
  json_object_set_new(in->params, "x0", json_null());
  json_t *local = json_string("local");
  rc = ob_placement_parse(local, "placements[0]", &in->pl, err);
  json_decref(local);
  if (rc == OB_OK) rc = ob_memtier_open(in->pl, &in->mem, err);
  if (rc == OB_OK) rc = ob_problem_alloc(t, in->params, 7, in->mem, &in->p, err);
  if (rc < 0) {
    ob_memtier_close(in->mem);
    ob_placement_free(in->pl);
    json_decref(in->params);
    memset(in, 0, sizeof *in);
    return rc;
  }
  in->v = ob_bilevel_of(in->p);
  return rc;
}

static void inst_ok(inst *in, const char *type, const char *text)
{
  ob_error err;
  ob_error_clear(&err);
  int rc = inst_try(in, type, text, &err);
  char msg[1600];
  ob_error_format(&err, msg, sizeof msg);
  ck_assert_msg(rc == OB_OK, "%s %s: cannot build: %s", type, text, msg);
  ck_assert_ptr_nonnull(in->v);
  ck_assert_uint_eq(in->v->nx + in->v->ny, in->p->n);
}

static void inst_close(inst *in)
{
  ob_problem_free(in->p);
  ob_memtier_close(in->mem);
  ob_placement_free(in->pl);
  json_decref(in->params);
  memset(in, 0, sizeof *in);
}

/* Builds an instance that must fail; returns the formatted message. */
static int inst_bad(const char *type, const char *text, char *msg, size_t size)
{
  inst in;
  ob_error err;
  ob_error_clear(&err);
  int rc = inst_try(&in, type, text, &err);
  ck_assert_msg(rc < 0, "%s %s was accepted", type, text);
  ob_error_format(&err, msg, size);
  return rc;
}

static double *vec(size_t n)
{
  double *v = calloc(n ? n : 1, sizeof *v);
  ck_assert_ptr_nonnull(v);
  return v;
}

static double max_abs(const double *a, size_t n)
{
  double m = 0.0;
  for (size_t i = 0; i < n; i++) m = fmax(m, fabs(a[i]));
  return m;
}

/* ||a - b||_inf <= tol * max(||b||_inf, floor): relative to the vector's scale */
static void assert_close(const double *a, const double *b, size_t n, double tol, double floor, const char *what,
                         const char *who)
{
  double e = 0.0;
  for (size_t i = 0; i < n; i++) e = fmax(e, fabs(a[i] - b[i]));
  double scale = fmax(max_abs(b, n), floor);
  ck_assert_msg(e <= tol * scale, "%s: %s differs from central differences by %.3g (scale %.3g, tol %.3g)", who,
                what, e, scale, tol);
}

static double upper_f(inst *in, const double *x, const double *y)
{
  double f;
  ck_assert_int_eq(in->v->upper(in->v->ctx, x, y, &f, NULL, NULL, NULL), OB_OK);
  return f;
}

static double lower_g(inst *in, const double *x, const double *y)
{
  double g;
  ck_assert_int_eq(in->v->lower(in->v->ctx, x, y, &g, NULL, NULL, NULL), OB_OK);
  return g;
}

static double hyper_F(inst *in, const double *x)
{
  double F;
  ob_error err;
  ob_error_clear(&err);
  ck_assert_int_eq(in->v->hyper(in->v->ctx, x, &F, NULL, NULL, &err), OB_OK);
  return F;
}

/* Central-difference step for coordinate value t. */
static double step_for(double t, double h)
{
  return h * fmax(1.0, fabs(t));
}

/* Fills z = [x; y] with N(0, sd^2) entries (x first). */
static void random_point(gsl_rng *r, double *z, size_t n, double sd)
{
  for (size_t i = 0; i < n; i++) z[i] = sd * (2.0 * gsl_rng_uniform(r) - 1.0) * 1.7320508075688772;
}

/* The derivative checks of one problem at one point z = [x; y]. */
static void check_derivatives(inst *in, const double *z, const char *who, double ftol)
{
  const struct ob_bilevel_view *v = in->v;
  size_t nx = v->nx, ny = v->ny;
  double *x = vec(nx), *y = vec(ny), *fx = vec(nx), *fy = vec(ny), *gx = vec(nx), *gy = vec(ny);
  double *nfx = vec(nx), *nfy = vec(ny), *ngx = vec(nx), *ngy = vec(ny), *dir = vec(ny), *hv = vec(ny),
         *nhv = vec(ny), *xv = vec(nx), *nxv = vec(nx), *gp = vec(ny), *gm = vec(ny), *gxp = vec(nx),
         *gxm = vec(nx);
  memcpy(x, z, nx * sizeof *x);
  memcpy(y, z + nx, ny * sizeof *y);
  ck_assert_int_eq(v->upper(v->ctx, x, y, NULL, fx, fy, NULL), OB_OK);
  ck_assert_int_eq(v->lower(v->ctx, x, y, NULL, gx, gy, NULL), OB_OK);
  /* partial gradients by central differences */
  for (size_t i = 0; i < nx; i++) {
    double t = x[i], h = step_for(t, 1e-5);
    x[i] = t + h;
    double fp = upper_f(in, x, y), gpv = lower_g(in, x, y);
    x[i] = t - h;
    double fm = upper_f(in, x, y), gmv = lower_g(in, x, y);
    x[i] = t;
    nfx[i] = (fp - fm) / (2 * h);
    ngx[i] = (gpv - gmv) / (2 * h);
  }
  for (size_t j = 0; j < ny; j++) {
    double t = y[j], h = step_for(t, 1e-5);
    y[j] = t + h;
    double fp = upper_f(in, x, y), gpv = lower_g(in, x, y);
    y[j] = t - h;
    double fm = upper_f(in, x, y), gmv = lower_g(in, x, y);
    y[j] = t;
    nfy[j] = (fp - fm) / (2 * h);
    ngy[j] = (gpv - gmv) / (2 * h);
  }
  assert_close(fx, nfx, nx, 1e-6, 1e-6, "grad_x f", who);
  assert_close(fy, nfy, ny, 1e-6, 1e-6, "grad_y f", who);
  assert_close(gx, ngx, nx, 1e-6, 1e-6, "grad_x g", who);
  assert_close(gy, ngy, ny, 1e-6, 1e-6, "grad_y g", who);
  /* grad2_yy g v and grad2_xy g v along a random direction v of y */
  for (size_t j = 0; j < ny; j++) dir[j] = sin(1.0 + 3.0 * (double)j);
  ck_assert_int_eq(v->lower_hyy(v->ctx, x, y, dir, hv, NULL), OB_OK);
  ck_assert_int_eq(v->lower_hxy(v->ctx, x, y, dir, xv, NULL), OB_OK);
  double h = 1e-5;
  for (size_t j = 0; j < ny; j++) y[j] = z[nx + j] + h * dir[j];
  ck_assert_int_eq(v->lower(v->ctx, x, y, NULL, gxp, gp, NULL), OB_OK);
  for (size_t j = 0; j < ny; j++) y[j] = z[nx + j] - h * dir[j];
  ck_assert_int_eq(v->lower(v->ctx, x, y, NULL, gxm, gm, NULL), OB_OK);
  memcpy(y, z + nx, ny * sizeof *y);
  for (size_t j = 0; j < ny; j++) nhv[j] = (gp[j] - gm[j]) / (2 * h);
  for (size_t i = 0; i < nx; i++) nxv[i] = (gxp[i] - gxm[i]) / (2 * h);
  assert_close(hv, nhv, ny, 1e-6, 1e-6, "grad2_yy g v", who);
  assert_close(xv, nxv, nx, 1e-6, 1e-6, "grad2_xy g v", who);

  /* hypergradient: hyper and eval against central differences of F */
  double F, Fe, *gF = vec(nx), *ge = vec(nx + ny), *ngF = vec(nx);
  ob_error err;
  ob_error_clear(&err);
  ck_assert_int_eq(v->hyper(v->ctx, x, &F, gF, NULL, &err), OB_OK);
  ck_assert_int_eq(in->p->type->eval(in->p->state, z, &Fe, ge, &err), OB_OK);
  ck_assert_msg(F == Fe, "%s: eval f %.17g differs from hyper F %.17g", who, Fe, F);
  for (size_t i = 0; i < nx; i++) ck_assert_msg(ge[i] == gF[i], "%s: eval gradient differs from hyper's", who);
  ck_assert_double_eq(max_abs(ge + nx, ny), 0.0);
  for (size_t i = 0; i < nx; i++) {
    double t = x[i], hh = step_for(t, 1e-5);
    x[i] = t + hh;
    double fp = hyper_F(in, x);
    x[i] = t - hh;
    double fm = hyper_F(in, x);
    x[i] = t;
    ngF[i] = (fp - fm) / (2 * hh);
  }
  assert_close(gF, ngF, nx, ftol, 1e-6, "grad F", who);
  free(gF); free(ge); free(ngF);
  free(x); free(y); free(fx); free(fy); free(gx); free(gy); free(nfx); free(nfy); free(ngx); free(ngy);
  free(dir); free(hv); free(nhv); free(xv); free(nxv); free(gp); free(gm); free(gxp); free(gxm);
}

/* y*(x) of an unconstrained lower level: grad_y g = 0 there. */
static void check_stationary_lower(inst *in, const double *x, double tol, const char *who)
{
  size_t ny = in->v->ny;
  double *ys = vec(ny), *gy = vec(ny);
  ck_assert_int_eq(in->v->hyper(in->v->ctx, x, NULL, NULL, ys, NULL), OB_OK);
  ck_assert_int_eq(in->v->lower(in->v->ctx, x, ys, NULL, NULL, gy, NULL), OB_OK);
  ck_assert_msg(max_abs(gy, ny) <= tol, "%s: |grad_y g(x, y*)| = %.3g", who, max_abs(gy, ny));
  free(ys);
  free(gy);
}

/* F(x*) == F* and a zero hypergradient at x*. */
static void check_optimum(inst *in, double gtol, const char *who)
{
  size_t n = in->p->n, nx = in->v->nx;
  double *z = vec(n), *g = vec(n), f;
  ck_assert_ptr_nonnull(in->p->type->x_opt);
  ck_assert_int_eq(in->p->type->x_opt(in->p->state, z), OB_OK);
  ck_assert_int_eq(in->p->type->eval(in->p->state, z, &f, g, NULL), OB_OK);
  ck_assert_msg(isfinite(in->p->f_opt), "%s: f_opt is not finite", who);
  ck_assert_msg(fabs(f - in->p->f_opt) <= 1e-14 * fmax(1.0, fabs(f)), "%s: F(x*) = %.17g, F* = %.17g", who, f,
                in->p->f_opt);
  ck_assert_msg(max_abs(g, nx) <= gtol, "%s: |grad F(x*)| = %.3g", who, max_abs(g, nx));
  free(z);
  free(g);
}

/* ---- every problem: derivatives at seeded points ---------------------------------- */

static const struct {
  const char *type, *params;
  double sd, ftol;       /* spread of the random points; tolerance of grad F */
} cases[] = {
  { "ridge_hpo", "{}", 1.0, 1e-6 },
  { "ridge_hpo", "{\"synthetic\": {\"n_train\": 8, \"n_val\": 30, \"d\": 12, \"noise\": 0.3, \"seed\": 5}}", 2.0, 1e-6 },
  { "hyper_cleaning", "{\"synthetic\": {\"n_train\": 40, \"n_val\": 30, \"d\": 5}, \"corruption\": 0.25}", 1.0, 1e-6 },
  { "hyper_cleaning", "{\"synthetic\": {\"n_train\": 25, \"n_val\": 60, \"d\": 8, \"seed\": 3}, \"l2\": 0.1}", 2.0, 1e-6 },
  { "bilevel_multi", "{}", 1.0, 1e-6 },
  { "bilevel_multi", "{\"dim\": 5, \"rho\": 0, \"instance\": 9}", 2.0, 1e-6 },
  { "bilevel_constrained", "{}", 1.0, 1e-6 },
  { "bilevel_constrained", "{\"dim\": 6, \"beta\": 0, \"rho\": 2, \"instance\": 4}", 2.0, 1e-6 },
};

START_TEST(test_derivatives)
{
  inst in;
  char who[256];
  snprintf(who, sizeof who, "%s %s", cases[_i].type, cases[_i].params);
  inst_ok(&in, cases[_i].type, cases[_i].params);
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 1000 + (unsigned long)_i);
  double *z = vec(in.p->n);
  for (int k = 0; k < 3; k++) {
    random_point(r, z, in.p->n, cases[_i].sd);
    if (strcmp(cases[_i].type, "ridge_hpo") == 0) z[0] = -4.0 + 3.0 * k;    /* lam = -4, -1, 2 */
    check_derivatives(&in, z, who, cases[_i].ftol);
    if (in.v->ncons == 0) check_stationary_lower(&in, z, 1e-10, who);
  }
  /* the documented start point */
  in.p->type->x0(in.p->state, z);
  for (size_t i = 0; i < in.p->n; i++) ck_assert_double_eq(z[i], 0.0);
  free(z);
  gsl_rng_free(r);
  inst_close(&in);
}
END_TEST

/* ---- ridge_hpo --------------------------------------------------------------------- */

START_TEST(test_ridge_fopt_grid)
{
  inst in;
  inst_ok(&in, "ridge_hpo", "{}");
  check_optimum(&in, 1e-12, "ridge_hpo");
  /* brute force: F by Cholesky on 20001 points of [-12, 8], spacing 1e-3 */
  double best = HUGE_VAL, lbest = 0.0;
  for (int k = 0; k <= 20000; k++) {
    double lam = -12.0 + 1e-3 * k, F = hyper_F(&in, &lam);
    if (F < best) { best = F; lbest = lam; }
  }
  double xs[64];
  ck_assert_int_eq(in.p->type->x_opt(in.p->state, xs), OB_OK);
  ck_assert_msg(in.p->f_opt <= best + 1e-14 * best, "F* %.17g above the grid's %.17g", in.p->f_opt, best);
  ck_assert_msg(best - in.p->f_opt <= 1e-6 * best, "F* %.17g far below the grid's %.17g", in.p->f_opt, best);
  ck_assert_msg(fabs(xs[0] - lbest) <= 1.5e-3, "lam* %.10g, grid argmin %.10g", xs[0], lbest);
  /* the minimum is interior: F rises on both sides */
  double lo = xs[0] - 0.1, hi = xs[0] + 0.1;
  ck_assert(hyper_F(&in, &lo) > in.p->f_opt && hyper_F(&in, &hi) > in.p->f_opt);
  /* y*(lam*) is the ridge solution: grad_y g = 0 */
  check_stationary_lower(&in, xs, 1e-12, "ridge_hpo at lam*");
  /* metrics */
  json_t *fin = json_object();
  ck_assert_int_eq(in.p->type->metrics(in.p->state, xs, fin, NULL), OB_OK);
  ck_assert_double_le(json_real_value(json_object_get(fin, "hypergrad_norm")), 1e-12);
  ck_assert_double_le(fabs(json_real_value(json_object_get(fin, "lower_gap"))), 1e-14);
  ck_assert_double_le(json_real_value(json_object_get(fin, "y_error")), 1e-14);
  json_decref(fin);
  inst_close(&in);
}
END_TEST

/* With noiseless targets and more samples than features, the validation loss
 * keeps falling as lam -> -inf: no interior minimum, f_opt NAN. */
START_TEST(test_ridge_no_interior_min)
{
  inst in;
  inst_ok(&in, "ridge_hpo", "{\"synthetic\": {\"noise\": 0, \"n_train\": 100, \"d\": 5}}");
  ck_assert(isnan(in.p->f_opt));
  double z[6];
  ck_assert_int_ne(in.p->type->x_opt(in.p->state, z), OB_OK);
  inst_close(&in);
}
END_TEST

static void temp_file(char *buf, size_t size, const char *content)
{
  const char *dir = getenv("TMPDIR");
  snprintf(buf, size, "%s/check_bilevel.XXXXXX", dir && *dir ? dir : "/tmp");
  int fd = mkstemp(buf);
  ck_assert_msg(fd >= 0, "mkstemp %s failed", buf);
  size_t len = strlen(content);
  ck_assert_int_eq(write(fd, content, len), (ssize_t)len);
  close(fd);
}

/* CSV and LIBSVM files with real targets; LIBSVM sets of different widths are padded. */
START_TEST(test_ridge_files)
{
  char tr[512], va[512], lt[512], lv[512], text[4096];
  temp_file(tr, sizeof tr, "x1,x2,t\n1,0,1.5\n0,1,-0.25\n1,1,1.0\n2,-1,3.5\n");
  temp_file(va, sizeof va, "1,2,0.5\n-1,1,-2\n0.5,0.5,0.75\n");
  temp_file(lt, sizeof lt, "1.5 1:1\n-0.25 2:1\n1.0 1:1 2:1\n3.5 1:2 2:-1\n");
  temp_file(lv, sizeof lv, "0.5 1:1 2:2\n-2 1:-1 2:1 3:0.5\n0.75 1:0.5 2:0.5\n");
  inst a, b;
  snprintf(text, sizeof text, "{\"train\": {\"csv\": \"%s\"}, \"val\": {\"csv\": \"%s\", \"header\": 0}}", tr, va);
  inst_ok(&a, "ridge_hpo", text);
  ck_assert_uint_eq(a.v->ny, 2);
  snprintf(text, sizeof text, "{\"train\": {\"libsvm\": \"%s\"}, \"val\": {\"libsvm\": \"%s\"}}", lt, lv);
  inst_ok(&b, "ridge_hpo", text);
  ck_assert_uint_eq(b.v->ny, 3);                 /* the training set is padded to 3 features */
  /* the training data agree, so y*(lam) agrees on the first two coordinates */
  double lam = 0.3, ya[2], yb[3];
  ck_assert_int_eq(a.v->hyper(a.v->ctx, &lam, NULL, NULL, ya, NULL), OB_OK);
  ck_assert_int_eq(b.v->hyper(b.v->ctx, &lam, NULL, NULL, yb, NULL), OB_OK);
  ck_assert_double_eq_tol(ya[0], yb[0], 1e-14);
  ck_assert_double_eq_tol(ya[1], yb[1], 1e-14);
  ck_assert_double_eq(yb[2], 0.0);
  double z[4] = { -0.5, 0.1, 0.2, 0.3 };
  check_derivatives(&b, z, "ridge_hpo on LIBSVM files", 1e-6);
  inst_close(&a);
  inst_close(&b);

  /* a bad target names the file, line and column */
  char bad[512], msg[2048];
  temp_file(bad, sizeof bad, "1.5 1:1\nnan 2:1\n");
  snprintf(text, sizeof text, "{\"train\": {\"libsvm\": \"%s\"}, \"val\": {\"libsvm\": \"%s\"}}", bad, lv);
  ck_assert_int_eq(inst_bad("ridge_hpo", text, msg, sizeof msg), OB_EDATA);
  char want[1024];
  snprintf(want, sizeof want, "%s:2:1: label 'nan' is not finite", bad);
  ck_assert_str_eq(msg, want);
  /* CSV sets of different widths cannot be padded */
  snprintf(text, sizeof text, "{\"train\": {\"csv\": \"%s\"}, \"val\": {\"libsvm\": \"%s\"}}", tr, lv);
  ck_assert_int_eq(inst_bad("ridge_hpo", text, msg, sizeof msg), OB_EDATA);
  ck_assert_str_eq(msg, "the training set has 2 features but the validation set has 3");
  /* a set wider than the dense limit is refused before its dense copy */
  char wide[512];
  temp_file(wide, sizeof wide, "1.5 1:1 2001:0.5\n-1 3:1\n");
  snprintf(text, sizeof text, "{\"train\": {\"libsvm\": \"%s\"}, \"val\": {\"libsvm\": \"%s\"}}", lt, wide);
  ck_assert_int_eq(inst_bad("ridge_hpo", text, msg, sizeof msg), OB_EINVAL);
  ck_assert_str_eq(msg, "val: 2001 features: at most 2000 (dense d x d matrices)");
  unlink(tr);
  unlink(va);
  unlink(lt);
  unlink(lv);
  unlink(bad);
  unlink(wide);
}
END_TEST

/* ---- hyper_cleaning ---------------------------------------------------------------- */

START_TEST(test_cleaning_corruption)
{
  inst in;
  inst_ok(&in, "hyper_cleaning", "{\"synthetic\": {\"n_train\": 50, \"n_val\": 20, \"d\": 4}, \"corruption\": 0.3}");
  ck_assert_uint_eq(in.v->nx, 50);
  ck_assert_uint_eq(in.v->ny, 4);
  ck_assert(isnan(in.p->f_opt));
  size_t n = in.p->n;
  double *z = vec(n);
  json_t *fin = json_object();
  ck_assert_int_eq(in.p->type->metrics(in.p->state, z, fin, NULL), OB_OK);
  ck_assert_double_eq_tol(json_real_value(json_object_get(fin, "clean_weight_mean")), 0.5, 1e-15);
  ck_assert_double_eq_tol(json_real_value(json_object_get(fin, "corrupted_weight_mean")), 0.5, 1e-15);
  json_decref(fin);
  /* weights: logit +4 on the first 10 samples; the means split them by the flip mask */
  inst clean;
  inst_ok(&clean, "hyper_cleaning", "{\"synthetic\": {\"n_train\": 50, \"n_val\": 20, \"d\": 4}, \"corruption\": 0}");
  for (size_t i = 0; i < 10; i++) z[i] = 4.0;
  fin = json_object();
  ck_assert_int_eq(clean.p->type->metrics(clean.p->state, z, fin, NULL), OB_OK);
  ck_assert(json_is_null(json_object_get(fin, "corrupted_weight_mean")));
  double w4 = 1.0 / (1.0 + exp(-4.0));
  ck_assert_double_eq_tol(json_real_value(json_object_get(fin, "clean_weight_mean")), (10 * w4 + 40 * 0.5) / 50,
                          1e-15);
  json_decref(fin);
  /* exactly round(0.3 * 50) = 15 labels differ from the clean instance's */
  ob_error err;
  double gc, gd, yy[4] = { 0.3, -0.2, 0.5, 0.1 };
  size_t flipped = 0;
  memset(z, 0, n * sizeof *z);
  for (size_t i = 0; i < 50; i++) {
    /* g with one weight switched on (logit 40) isolates sample i's loss */
    double *x = vec(50);
    for (size_t k = 0; k < 50; k++) x[k] = k == i ? 40.0 : -40.0;
    ob_error_clear(&err);
    ck_assert_int_eq(in.v->lower(in.v->ctx, x, yy, &gc, NULL, NULL, &err), OB_OK);
    ck_assert_int_eq(clean.v->lower(clean.v->ctx, x, yy, &gd, NULL, NULL, &err), OB_OK);
    flipped += fabs(gc - gd) > 1e-12;
    free(x);
  }
  ck_assert_uint_eq(flipped, 15);
  /* uniform weights are not stationary: the hypergradient is not zero at x = 0 */
  double *gF = vec(50);
  ck_assert_int_eq(in.v->hyper(in.v->ctx, z, NULL, gF, NULL, NULL), OB_OK);
  ck_assert(max_abs(gF, 50) > 0.0);
  free(gF);
  free(z);
  inst_close(&clean);
  inst_close(&in);
}
END_TEST

/* Newton solves y*(x) to the documented tolerance even at extreme weights. */
START_TEST(test_cleaning_newton)
{
  inst in;
  inst_ok(&in, "hyper_cleaning", "{\"synthetic\": {\"n_train\": 60, \"n_val\": 20, \"d\": 6}, \"l2\": 1e-4}");
  double *x = vec(60);
  for (size_t i = 0; i < 60; i++) x[i] = (i % 3 == 0) ? 30.0 : -30.0;
  check_stationary_lower(&in, x, 1e-12, "hyper_cleaning at saturated weights");
  for (size_t i = 0; i < 60; i++) x[i] = 0.0;
  check_stationary_lower(&in, x, 1e-12, "hyper_cleaning at x = 0");
  free(x);
  inst_close(&in);
}
END_TEST

/* ---- bilevel_multi ------------------------------------------------------------------ */

START_TEST(test_multi_optimum)
{
  inst in;
  inst_ok(&in, "bilevel_multi", "{\"dim\": 4, \"rho\": 0.5, \"instance\": 2}");
  ck_assert(!in.v->lower_strongly_convex);
  check_optimum(&in, 1e-14, "bilevel_multi");
  /* y*(x) is in the solution set, and is the optimistic point: grad_y f is
   * orthogonal to the set's direction (1, -1) in every pair */
  double x[4] = { 0.3, -1.2, 2.0, 0.0 }, ys[8], fy[8];
  ck_assert_int_eq(in.v->hyper(in.v->ctx, x, NULL, NULL, ys, NULL), OB_OK);
  check_stationary_lower(&in, x, 1e-15, "bilevel_multi");
  ck_assert_int_eq(in.v->upper(in.v->ctx, x, ys, NULL, NULL, fy, NULL), OB_OK);
  for (int i = 0; i < 4; i++) ck_assert_double_eq_tol(fy[2 * i], fy[2 * i + 1], 1e-15);
  /* brute force: f over points of the solution set is never below F */
  double F = hyper_F(&in, x), y[8];
  memcpy(y, ys, sizeof y);
  for (int k = -50; k <= 50; k++) {
    for (int i = 0; i < 4; i++) { y[2 * i] = ys[2 * i] + 0.05 * k; y[2 * i + 1] = ys[2 * i + 1] - 0.05 * k; }
    ck_assert_double_le(lower_g(&in, x, y), 1e-28);
    ck_assert_double_ge(upper_f(&in, x, y), F - 1e-15);
  }
  /* metrics at a point of S(x) off the optimistic selection */
  double z[12];
  memcpy(z, x, sizeof x);
  for (int i = 0; i < 4; i++) { z[4 + 2 * i] = x[i]; z[4 + 2 * i + 1] = 0.0; }
  json_t *fin = json_object();
  ck_assert_int_eq(in.p->type->metrics(in.p->state, z, fin, NULL), OB_OK);
  ck_assert_double_eq_tol(json_real_value(json_object_get(fin, "lower_set_distance")), 0.0, 1e-15);
  ck_assert_double_eq_tol(json_real_value(json_object_get(fin, "lower_gap")), 0.0, 1e-15);
  ck_assert_double_gt(json_real_value(json_object_get(fin, "selection_gap")), 0.0);
  ck_assert_double_gt(json_real_value(json_object_get(fin, "y_error")), 0.0);
  json_decref(fin);
  inst_close(&in);
}
END_TEST

/* ---- bilevel_constrained ------------------------------------------------------------- */

/* x* of bilevel_constrained minimizes F: no coordinate step lowers F (F is
 * separable, so a fine scan per coordinate is a brute-force check), grad F = 0
 * on the smooth coordinates, and the kinks where x* sits (F rising on both
 * sides with a jump in slope) are as many as expected. */
static void constrained_optimum(const char *params, int want_kinks)
{
  inst in;
  inst_ok(&in, "bilevel_constrained", params);
  size_t n = in.v->nx;
  ck_assert_uint_eq(n, 8);
  ck_assert_uint_eq(in.v->ncons, n);
  double z[16], f, gz[16];
  ck_assert_int_eq(in.p->type->x_opt(in.p->state, z), OB_OK);
  ck_assert_int_eq(in.p->type->eval(in.p->state, z, &f, gz, NULL), OB_OK);
  ck_assert_double_eq(f, in.p->f_opt);
  int kinks = 0;
  for (size_t i = 0; i < n; i++) {
    double x[8], h = 1e-6;
    memcpy(x, z, sizeof x);
    x[i] = z[i] + h;
    double right = (hyper_F(&in, x) - f) / h;
    x[i] = z[i] - h;
    double left = (f - hyper_F(&in, x)) / h;
    if (right > 1e-4 && left < -1e-4) {
      kinks++;
    } else {
      ck_assert_msg(fabs(gz[i]) <= 1e-14, "%s: dF/dx_%zu = %.3g at x*", params, i, gz[i]);
    }
    for (int k = -4000; k <= 4000; k++) {
      x[i] = z[i] + 1e-3 * k;
      ck_assert_msg(hyper_F(&in, x) >= f - 1e-15, "%s: F decreases from x* along coordinate %zu", params, i);
    }
  }
  ck_assert_int_eq(kinks, want_kinks);
  inst_close(&in);
}

START_TEST(test_constrained_optimum)
{
  constrained_optimum("{\"dim\": 8, \"beta\": 0.4, \"rho\": 0.3, \"instance\": 3}", 0);
  constrained_optimum("{\"dim\": 8, \"beta\": 0.4, \"rho\": 0.3, \"instance\": 22}", 2);
  inst in;
  inst_ok(&in, "bilevel_constrained", "{\"dim\": 8, \"beta\": 0.4, \"rho\": 0.3, \"instance\": 3}");
  size_t n = 8;
  double z[16];
  ck_assert_int_eq(in.p->type->x_opt(in.p->state, z), OB_OK);
  /* KKT of the lower level at random x: h <= 0, lam = -grad_y g >= 0, lam h = 0 */
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 42);
  for (int k = 0; k < 5; k++) {
    double x[8], ys[8], gy[8], h[8], ox[8], oy[8];
    random_point(r, x, n, 2.0);
    ck_assert_int_eq(in.v->hyper(in.v->ctx, x, NULL, NULL, ys, NULL), OB_OK);
    ck_assert_int_eq(in.v->lower(in.v->ctx, x, ys, NULL, NULL, gy, NULL), OB_OK);
    ck_assert_int_eq(in.v->cons(in.v->ctx, x, ys, h, NULL), OB_OK);
    for (size_t i = 0; i < n; i++) {
      ck_assert_double_le(h[i], 0.0);
      ck_assert_double_ge(-gy[i], -1e-15);
      ck_assert_double_le(fabs(gy[i] * h[i]), 1e-14);
    }
    /* cons_vjp against differences of cons (h is linear: exact) */
    double lam[8];
    for (size_t i = 0; i < n; i++) lam[i] = 1.0 + (double)i;
    ck_assert_int_eq(in.v->cons_vjp(in.v->ctx, x, ys, lam, ox, oy, NULL), OB_OK);
    for (size_t i = 0; i < n; i++) {
      double xp[8], hp[8];
      memcpy(xp, x, sizeof xp);
      xp[i] += 1.0;
      ck_assert_int_eq(in.v->cons(in.v->ctx, xp, ys, hp, NULL), OB_OK);
      double dx = 0.0;
      for (size_t j = 0; j < n; j++) dx += lam[j] * (hp[j] - h[j]);
      ck_assert_double_eq_tol(ox[i], dx, 1e-12);
      ck_assert_double_eq(oy[i], lam[i]);
    }
  }
  gsl_rng_free(r);
  /* metrics: an infeasible y reports its violation */
  double w[16];
  memcpy(w, z, sizeof w);
  w[8] = w[0] + 0.25;
  json_t *fin = json_object();
  ck_assert_int_eq(in.p->type->metrics(in.p->state, w, fin, NULL), OB_OK);
  ck_assert_double_eq_tol(json_real_value(json_object_get(fin, "cons_violation")), 0.25, 1e-15);
  json_decref(fin);
  inst_close(&in);
}
END_TEST

/* ---- bad input ---------------------------------------------------------------------- */

static const struct {
  const char *type, *params, *msg;
} bad[] = {
  { "hyper_cleaning", "{\"corruption\": 1}", "problems[0].corruption: 1 is out of range: expected a value in [0, 1)" },
  { "hyper_cleaning", "{\"corruption\": -0.1}", "problems[0].corruption: -0.1 is out of range: expected a value in [0, 1)" },
  { "hyper_cleaning", "{\"l2\": 0}", NULL },
  { "hyper_cleaning", "{\"synthetic\": {\"n_train\": 0}}", NULL },
  { "hyper_cleaning", "{\"train\": {\"libsvm\": \"/nonexistent/a\"}}",
    "val: give both \"train\" and \"val\" (or neither, for the synthetic generator)" },
  { "hyper_cleaning", "{\"train\": {\"libsvm\": \"/nonexistent/a\"}, \"val\": {\"libsvm\": \"/nonexistent/b\"}}",
    "/nonexistent/a: cannot open: No such file or directory" },
  { "ridge_hpo", "{\"synthetic\": {\"d\": 0}}", NULL },
  { "ridge_hpo", "{\"synthetic\": {\"n_val\": -3}}", NULL },
  { "ridge_hpo", "{\"lambda_min\": 2, \"lambda_max\": 1}", "lambda_max: 1 must be larger than lambda_min = 2" },
  { "ridge_hpo", "{\"train\": {\"csv\": \"a\"}, \"val\": {\"csv\": \"b\"}, \"synthetic\": {}}",
    "synthetic: applies only when \"train\" and \"val\" are not given" },
  { "ridge_hpo", "{\"train\": {\"csv\": \"a\", \"libsvm\": \"b\"}, \"val\": {\"csv\": \"b\"}}",
    "train: give exactly one of \"libsvm\" or \"csv\"" },
  { "ridge_hpo", "{\"train\": \"a.csv\", \"val\": {\"csv\": \"b\"}}", NULL },
  { "bilevel_multi", "{\"dim\": 0}", NULL },
  { "bilevel_multi", "{\"rho\": -1}", NULL },
  { "bilevel_constrained", "{\"beta\": 1}", NULL },
  { "bilevel_constrained", "{\"rho\": 0}", NULL },
};

START_TEST(test_bad_input)
{
  char msg[2048];
  int rc = inst_bad(bad[_i].type, bad[_i].params, msg, sizeof msg);
  ck_assert_msg(rc == OB_EINVAL || rc == OB_EDATA || rc == OB_ENOINPUT, "%s %s: status %d (%s)", bad[_i].type,
                bad[_i].params, rc, msg);
  ck_assert_msg(msg[0] != '\0', "%s %s: empty message", bad[_i].type, bad[_i].params);
  if (bad[_i].msg) ck_assert_str_eq(msg, bad[_i].msg);
}
END_TEST

/* The hyper-cleaning data files: a CSV pair with a bad label names its line. */
START_TEST(test_cleaning_files)
{
  char tr[512], va[512], text[2048], msg[2048], want[1024];
  temp_file(tr, sizeof tr, "1,0.5,-1\n0,1.5,2\n1,-1,0\n");
  temp_file(va, sizeof va, "1,1,1\n0,-1,0.5\n");
  snprintf(text, sizeof text, "{\"train\": {\"csv\": \"%s\", \"label_column\": 0}, "
           "\"val\": {\"csv\": \"%s\", \"label_column\": 0}, \"corruption\": 0}", tr, va);
  inst in;
  inst_ok(&in, "hyper_cleaning", text);
  ck_assert_uint_eq(in.v->nx, 3);
  ck_assert_uint_eq(in.v->ny, 2);
  double z[5] = { 0.1, -0.4, 0.7, 0.2, -0.3 };
  check_derivatives(&in, z, "hyper_cleaning on CSV files", 1e-6);
  inst_close(&in);
  unlink(va);
  temp_file(va, sizeof va, "1,1,1\n3,-1,0.5\n");
  ck_assert_int_eq(inst_bad("hyper_cleaning", text, msg, sizeof msg), OB_ENOINPUT);
  snprintf(text, sizeof text, "{\"train\": {\"csv\": \"%s\", \"label_column\": 0}, "
           "\"val\": {\"csv\": \"%s\", \"label_column\": 0}}", tr, va);
  ck_assert_int_eq(inst_bad("hyper_cleaning", text, msg, sizeof msg), OB_EDATA);
  snprintf(want, sizeof want, "%s:2:1: label '3' is not binary: expected -1/+1 or 0/1", va);
  ck_assert_str_eq(msg, want);
  unlink(tr);
  unlink(va);
}
END_TEST

Suite *make_bilevel_problems_suite(void)
{
  Suite *s = suite_create("bilevel_problems");
  TCase *tc = tcase_create("derivatives");
  tcase_set_timeout(tc, 120);
  tcase_add_loop_test(tc, test_derivatives, 0, (int)(sizeof cases / sizeof cases[0]));
  suite_add_tcase(s, tc);
  tc = tcase_create("ground_truth");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_ridge_fopt_grid);
  tcase_add_test(tc, test_ridge_no_interior_min);
  tcase_add_test(tc, test_ridge_files);
  tcase_add_test(tc, test_cleaning_corruption);
  tcase_add_test(tc, test_cleaning_newton);
  tcase_add_test(tc, test_cleaning_files);
  tcase_add_test(tc, test_multi_optimum);
  tcase_add_test(tc, test_constrained_optimum);
  suite_add_tcase(s, tc);
  tc = tcase_create("bad_input");
  tcase_add_loop_test(tc, test_bad_input, 0, (int)(sizeof bad / sizeof bad[0]));
  suite_add_tcase(s, tc);
  return s;
}

int main(void)
{
  return ob_test_main(make_bilevel_problems_suite());
}
