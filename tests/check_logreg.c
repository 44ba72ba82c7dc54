/* check_logreg.c -- tests of the logistic-regression problem and its data sets.
 *
 * Loaders: good LIBSVM and CSV files (both label conventions, comments, headers),
 * malformed lines with the exact "file:line:column: message" text, missing files.
 * Problem: gradient, Hessian-vector and Gauss-Newton products against central
 * differences on dense and sparse data, dense and CSR storage giving the same
 * numbers, the Newton f_opt (gradient below 1e-10 at its solution), separable
 * data without regularization (f_opt = 0 as an infimum), minibatch determinism
 * (a batch depends on the run seed and step only), the synthetic generators'
 * guarantees, thread-count determinism at a large instance, metrics, and the
 * agreement with liblinear when liblinear-train is installed. Instances are
 * built as the runner builds them: normalized params, a local arena,
 * ob_problem_alloc. Temporary files go to $TMPDIR (default /tmp) and are removed.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_rng.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "bench/ob_params.h"
#include "bench/ob_vec.h"
#include "memtier/memtier.h"
#include "problems/dataset.h"
#include "problems/problem.h"
#include "tests/testutil.h"

Suite *make_logreg_suite(void);

/* ---- helpers ------------------------------------------------------------------ */

typedef struct {
  ob_placement *pl;
  ob_memtier *mem;
  ob_problem *p;
  json_t *params;
} inst;

static int arena_open(ob_placement **pl, ob_memtier **mem, ob_error *err)
{
  json_t *local = json_string("local");
  int rc = ob_placement_parse(local, "placements[0]", pl, err);
  json_decref(local);
  if (rc == OB_OK) rc = ob_memtier_open(*pl, mem, err);
  return rc;
}

/* Builds a logreg instance from JSON text; returns the status (err filled). */
static int inst_try(inst *in, const char *text, uint64_t seed, ob_error *err)
{
  static const char *const skip[] = { "type", "id", NULL };
  const ob_problem_type *t = ob_problem_type_find("logreg");
  json_error_t je;
  memset(in, 0, sizeof *in);
  ck_assert_ptr_nonnull(t);
  json_t *given = json_loads(text, 0, &je);
  ck_assert_msg(given != NULL, "bad test JSON '%s': %s", text, je.text);
  int rc = ob_params_normalize(t->params, given, skip, "problems[0]", &in->params, err);
  json_decref(given);
  if (rc < 0) return rc;
  json_object_set_new(in->params, "x0", json_null());
  rc = arena_open(&in->pl, &in->mem, err);
  if (rc == OB_OK) rc = ob_problem_alloc(t, in->params, seed, in->mem, &in->p, err);
  if (rc < 0) {
    ob_memtier_close(in->mem);
    ob_placement_free(in->pl);
    json_decref(in->params);
    memset(in, 0, sizeof *in);
  }
  return rc;
}

static void inst_close(inst *in)
{
  ob_problem_free(in->p);
  ob_memtier_close(in->mem);
  ob_placement_free(in->pl);
  json_decref(in->params);
  memset(in, 0, sizeof *in);
}

static void inst_ok(inst *in, const char *text, uint64_t seed)
{
  ob_error err;
  ob_error_clear(&err);
  int rc = inst_try(in, text, seed, &err);
  char msg[1600];
  ob_error_format(&err, msg, sizeof msg);
  ck_assert_msg(rc == OB_OK, "%s: cannot build: %s", text, msg);
}

static double *vec(size_t n)
{
  double *v = calloc(n ? n : 1, sizeof *v);
  ck_assert_ptr_nonnull(v);
  return v;
}

static double f_at(inst *in, const double *x, double *g)
{
  double f;
  ob_error err;
  ob_error_clear(&err);
  ck_assert_int_eq(in->p->type->eval(in->p->state, x, &f, g, &err), OB_OK);
  return f;
}

static double max_abs(const double *a, size_t n)
{
  double m = 0.0;
  for (size_t i = 0; i < n; i++) m = fmax(m, fabs(a[i]));
  return m;
}

/* "$srcdir/data/NAME" as a JSON data object for a LIBSVM or CSV file. */
static const char *data_path(const char *rel)
{
  static char buf[4][1024];
  static int k;
  k = (k + 1) % 4;
  return ob_test_srcpath(buf[k], sizeof buf[k], rel);
}

/* Writes `content` to a fresh temporary file; path into buf. */
static void temp_file(char *buf, size_t size, const char *content)
{
  const char *dir = getenv("TMPDIR");
  snprintf(buf, size, "%s/check_logreg.XXXXXX", dir && *dir ? dir : "/tmp");
  int fd = mkstemp(buf);
  ck_assert_msg(fd >= 0, "mkstemp %s failed", buf);
  size_t len = strlen(content);
  ck_assert_int_eq(write(fd, content, len), (ssize_t)len);
  close(fd);
}

/* ---- LIBSVM loader ---------------------------------------------------------------- */

START_TEST(test_libsvm_good)
{
  char path[512];
  temp_file(path, sizeof path,
            "# a comment line\n"
            "+1 1:0.5 3:-2 # trailing comment\n"
            "\n"
            "-1 2:1.5\r\n"
            "1.0 1:1 2:0 4:3e-1\n"
            "-1\n");
  ob_placement *pl;
  ob_memtier *mem;
  ob_error err;
  ob_dataset ds;
  ob_error_clear(&err);
  ck_assert_int_eq(arena_open(&pl, &mem, &err), OB_OK);
  ck_assert_int_eq(ob_dataset_load_libsvm(path, false, 0, mem, &ds, &err), OB_OK);
  ck_assert_uint_eq(ds.n, 4);
  ck_assert_uint_eq(ds.d, 4);
  ck_assert(ds.sparse);
  ck_assert_int_eq(ds.label_map, 0);
  const double y[4] = { 1, -1, 1, -1 };
  const size_t rowptr[5] = { 0, 2, 3, 5, 5 };        /* the explicit 2:0 is not stored */
  const uint32_t col[5] = { 0, 2, 1, 0, 3 };
  const double val[5] = { 0.5, -2, 1.5, 1, 0.3 };
  ck_assert(memcmp(ds.y, y, sizeof y) == 0);
  ck_assert(memcmp(ds.rowptr, rowptr, sizeof rowptr) == 0);
  ck_assert(memcmp(ds.col, col, sizeof col) == 0);
  ck_assert(memcmp(ds.val, val, sizeof val) == 0);

  /* dense storage of the same file; and a wider min_d */
  ob_dataset dd;
  ck_assert_int_eq(ob_dataset_load_libsvm(path, true, 6, mem, &dd, &err), OB_OK);
  ck_assert_uint_eq(dd.d, 6);
  ck_assert(!dd.sparse);
  const double row2[6] = { 1, 0, 0, 0.3, 0, 0 };
  ck_assert(memcmp(dd.x + 2 * 6, row2, sizeof row2) == 0);
  unlink(path);

  /* {0, 1} labels are mapped to {-1, +1} */
  temp_file(path, sizeof path, "0 1:1\n1 1:2\n0 2:1\n");
  ck_assert_int_eq(ob_dataset_load_libsvm(path, false, 0, mem, &ds, &err), OB_OK);
  ck_assert_int_eq(ds.label_map, 1);
  ck_assert(ds.y[0] == -1.0 && ds.y[1] == 1.0 && ds.y[2] == -1.0);
  unlink(path);
  ob_memtier_close(mem);
  ob_placement_free(pl);
}
END_TEST

typedef struct {
  const char *content;
  int code;
  const char *where;    /* ":LINE:COL" or "" */
  const char *text;
} bad_case;

static const bad_case libsvm_bad[] = {
  { "+1 1:0.5 2:abc\n", OB_EDATA, ":1:12", "value 'abc' of feature 2 is not a number" },
  { "+1 1:0.5\n-1 3:1 2:1\n", OB_EDATA, ":2:8", "feature index 2 is not larger than the previous index 3" },
  { "+1 1:1\nfoo 1:1\n", OB_EDATA, ":2:1", "label 'foo' is not a number" },
  { "+1 1:1\n\n  2 1:1\n", OB_EDATA, ":3:3", "label '2' is not binary: expected -1/+1 or 0/1" },
  { "-1 1:1\n0 1:1\n", OB_EDATA, ":2:1", "label 0 mixed with -1 labels (first on line 1): use -1/+1 or 0/1" },
  { "0 1:1\n1 2:1\n-1 1:1\n", OB_EDATA, ":3:1", "label -1 mixed with 0 labels (first on line 1): use -1/+1 or 0/1" },
  { "+1 0:1\n", OB_EDATA, ":1:4", "feature index 0: indices start at 1" },
  { "+1 1 2:3\n", OB_EDATA, ":1:4", "expected 'index:value', got '1'" },
  { "+1 a:3\n", OB_EDATA, ":1:4", "expected 'index:value', got 'a:3'" },
  { "+1 1:nan\n", OB_EDATA, ":1:6", "value 'nan' of feature 1 is not finite" },
  { "+1 1:1\n-1 1:1 1:2\n", OB_EDATA, ":2:8", "feature index 1 is not larger than the previous index 1" },
  { "# nothing\n\n", OB_EDATA, "", "no samples: expected lines of 'label index:value ...'" },
  { NULL, 0, NULL, NULL }
};

static void check_bad(const bad_case *c, int csv)
{
  char path[512], want[1600], got[1600];
  temp_file(path, sizeof path, c->content);
  ob_placement *pl;
  ob_memtier *mem;
  ob_error err;
  ob_dataset ds;
  ob_error_clear(&err);
  ck_assert_int_eq(arena_open(&pl, &mem, &err), OB_OK);
  int rc = csv ? ob_dataset_load_csv(path, -1, -1, false, mem, &ds, &err)
               : ob_dataset_load_libsvm(path, false, 0, mem, &ds, &err);
  ob_error_format(&err, got, sizeof got);
  snprintf(want, sizeof want, "%s%s: %s", path, c->where, c->text);
  unlink(path);
  ob_memtier_close(mem);
  ob_placement_free(pl);
  ck_assert_msg(rc == c->code, "'%s': status %d, expected %d (%s)", c->content, rc, c->code, got);
  ck_assert_str_eq(got, want);
}

START_TEST(test_libsvm_bad)
{
  check_bad(&libsvm_bad[_i], 0);
}
END_TEST

START_TEST(test_missing_file)
{
  ob_placement *pl;
  ob_memtier *mem;
  ob_error err;
  ob_dataset ds;
  char msg[1600];
  ob_error_clear(&err);
  ck_assert_int_eq(arena_open(&pl, &mem, &err), OB_OK);
  ck_assert_int_eq(ob_dataset_load_libsvm("/nonexistent/heart", false, 0, mem, &ds, &err), OB_ENOINPUT);
  ob_error_format(&err, msg, sizeof msg);
  ck_assert_str_eq(msg, "/nonexistent/heart: cannot open: No such file or directory");
  ob_error_clear(&err);
  ck_assert_int_eq(ob_dataset_load_csv("/nonexistent/x.csv", -1, -1, false, mem, &ds, &err), OB_ENOINPUT);
  ob_memtier_close(mem);
  ob_placement_free(pl);

  /* through the problem: the status and the file survive configure */
  inst in;
  ob_error_clear(&err);
  ck_assert_int_eq(inst_try(&in, "{\"data\": {\"libsvm\": \"/nonexistent/heart\"}}", 0, &err), OB_ENOINPUT);
  ck_assert_str_eq(err.source, "/nonexistent/heart");
}
END_TEST

/* ---- CSV loader ------------------------------------------------------------------ */

START_TEST(test_csv_good)
{
  char path[512];
  ob_placement *pl;
  ob_memtier *mem;
  ob_error err;
  ob_dataset ds;
  ob_error_clear(&err);
  ck_assert_int_eq(arena_open(&pl, &mem, &err), OB_OK);

  /* automatic header, label last, {0,1} labels */
  temp_file(path, sizeof path, "a,b,target\n1.5, 2,0\n\n-1,0 ,1\n");
  ck_assert_int_eq(ob_dataset_load_csv(path, -1, -1, false, mem, &ds, &err), OB_OK);
  ck_assert_uint_eq(ds.n, 2);
  ck_assert_uint_eq(ds.d, 2);
  ck_assert_int_eq(ds.label_map, 1);
  const double x[4] = { 1.5, 2, -1, 0 }, y[2] = { -1, 1 };
  ck_assert(memcmp(ds.x, x, sizeof x) == 0);
  ck_assert(memcmp(ds.y, y, sizeof y) == 0);
  unlink(path);

  /* label first, -1/+1, no header (automatic finds none), sparse storage */
  temp_file(path, sizeof path, "-1,0,3\n+1,4,0\n");
  ck_assert_int_eq(ob_dataset_load_csv(path, 0, -1, true, mem, &ds, &err), OB_OK);
  ck_assert(ds.sparse);
  ck_assert_uint_eq(ds.n, 2);
  ck_assert_uint_eq(ds.d, 2);
  ck_assert_uint_eq(ds.nnz, 2);
  ck_assert(ds.y[0] == -1.0 && ds.y[1] == 1.0);
  ck_assert(ds.col[0] == 1 && ds.val[0] == 3.0 && ds.col[1] == 0 && ds.val[1] == 4.0);
  unlink(path);

  /* an explicit header count skips numeric lines too */
  temp_file(path, sizeof path, "569,2,x,y\n1,2,1\n3,4,0\n");
  ck_assert_int_eq(ob_dataset_load_csv(path, 2, 1, false, mem, &ds, &err), OB_OK);
  ck_assert_uint_eq(ds.n, 2);
  unlink(path);
  ob_memtier_close(mem);
  ob_placement_free(pl);
}
END_TEST

static const bad_case csv_bad[] = {
  { "1,2,0\n1,2\n", OB_EDATA, ":2:1", "expected 3 fields as on line 1, found 2" },
  { "a,b,label\n1,x,1\n", OB_EDATA, ":2:3", "field 2 'x' is not a number" },
  { "1,2,3\n", OB_EDATA, ":1:5", "label '3' is not binary: expected -1/+1 or 0/1" },
  { "1,2,1\n1,inf,0\n", OB_EDATA, ":2:3", "field 2 'inf' is not finite" },
  { "1\n", OB_EDATA, ":1:1", "expected a label and at least one feature, found 1 field" },
  { "h1,h2\n", OB_EDATA, "", "no samples: expected lines of comma-separated numbers" },
  { NULL, 0, NULL, NULL }
};

START_TEST(test_csv_bad)
{
  check_bad(&csv_bad[_i], 1);
}
END_TEST

/* The shipped data sets load with the documented sizes and class counts. */
START_TEST(test_shipped_data)
{
  char text[1400];
  inst in;
  snprintf(text, sizeof text, "{\"data\": {\"libsvm\": \"%s\"}, \"l2\": 0.01}", data_path("data/heart_scale"));
  inst_ok(&in, text, 0);
  ck_assert_uint_eq(in.p->n, 13);
  inst_close(&in);
  snprintf(text, sizeof text, "{\"data\": {\"csv\": \"%s\"}, \"l2\": 0.01, \"bias\": true}",
           data_path("data/breast_cancer.csv"));
  inst_ok(&in, text, 0);
  ck_assert_uint_eq(in.p->n, 31);
  inst_close(&in);

  ob_placement *pl;
  ob_memtier *mem;
  ob_error err;
  ob_dataset ds;
  ob_error_clear(&err);
  ck_assert_int_eq(arena_open(&pl, &mem, &err), OB_OK);
  ck_assert_int_eq(ob_dataset_load_libsvm(data_path("data/heart_scale"), false, 0, mem, &ds, &err), OB_OK);
  size_t pos = 0;
  for (size_t i = 0; i < ds.n; i++) pos += ds.y[i] > 0;
  ck_assert_uint_eq(ds.n, 270);
  ck_assert_uint_eq(pos, 120);
  ck_assert_int_eq(ob_dataset_load_csv(data_path("data/breast_cancer.csv"), -1, -1, false, mem, &ds, &err), OB_OK);
  pos = 0;
  for (size_t i = 0; i < ds.n; i++) pos += ds.y[i] > 0;
  ck_assert_uint_eq(ds.n, 569);
  ck_assert_uint_eq(ds.d, 30);
  ck_assert_uint_eq(pos, 357);                 /* 1 = benign in scikit-learn's file */
  ck_assert_int_eq(ds.label_map, 1);
  ck_assert_double_eq(ds.x[0], 17.99);
  ob_memtier_close(mem);
  ob_placement_free(pl);
}
END_TEST

/* ---- derivatives ------------------------------------------------------------------ */

static const char *deriv_cases[] = {
  "{\"data\": {\"libsvm\": \"@data/heart_scale\"}, \"l2\": 0.01}",
  "{\"data\": {\"libsvm\": \"@data/heart_scale\"}, \"l2\": 0.001, \"bias\": true, \"format\": \"dense\"}",
  "{\"data\": {\"synthetic\": {\"n\": 300, \"d\": 7, \"condition\": 100}}, \"l2\": 0.1, \"bias\": true}",
  "{\"data\": {\"synthetic\": {\"n\": 300, \"d\": 40, \"density\": 0.2, \"noise\": 0.1}}, \"format\": \"sparse\"}",
  "{\"data\": {\"synthetic\": {\"n\": 200, \"d\": 5, \"separable\": true, \"margin\": 0.2}}, \"l2\": 0.001}",
  NULL
};

/* The case text with "@rel" replaced by the absolute path of rel. */
static const char *expand(const char *c)
{
  static char buf[2048];
  const char *at = strchr(c, '@');
  if (!at) return c;
  const char *q = strchr(at, '"');
  char rel[256];
  snprintf(rel, sizeof rel, "%.*s", (int)(q - at - 1), at + 1);
  snprintf(buf, sizeof buf, "%.*s%s%s", (int)(at - c), c, data_path(rel), q);
  return buf;
}

START_TEST(test_derivatives)
{
  const char *text = expand(deriv_cases[_i]);
  inst in;
  inst_ok(&in, text, 0);
  size_t n = in.p->n;
  double *x = vec(n), *g = vec(n), *xp = vec(n), *v = vec(n), *hv = vec(n), *gn = vec(n), *gp = vec(n),
         *gm = vec(n);
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 11);
  ob_error err;
  for (int k = 0; k < 3; k++) {
    for (size_t j = 0; j < n; j++) x[j] = 2.0 * gsl_rng_uniform(r) - 1.0;
    double f = f_at(&in, x, g), worst = 0.0;
    ck_assert(isfinite(f));
    memcpy(xp, x, n * sizeof *x);
    for (size_t j = 0; j < n; j++) {
      double h = 1e-6;
      xp[j] = x[j] + h;
      double fp = f_at(&in, xp, NULL);
      xp[j] = x[j] - h;
      double fm = f_at(&in, xp, NULL);
      xp[j] = x[j];
      worst = fmax(worst, fabs((fp - fm) / (2 * h) - g[j]));
    }
    ck_assert_msg(worst < 1e-8, "%s: gradient error %.3g", text, worst);

    for (size_t j = 0; j < n; j++) v[j] = 2.0 * gsl_rng_uniform(r) - 1.0;
    ob_error_clear(&err);
    ck_assert_int_eq(in.p->type->hvp(in.p->state, x, v, hv, &err), OB_OK);
    ck_assert_int_eq(in.p->type->gnvp(in.p->state, x, v, gn, &err), OB_OK);
    double h = 1e-5;
    for (size_t j = 0; j < n; j++) xp[j] = x[j] + h * v[j];
    f_at(&in, xp, gp);
    for (size_t j = 0; j < n; j++) xp[j] = x[j] - h * v[j];
    f_at(&in, xp, gm);
    double whv = 0.0, wgn = 0.0;
    for (size_t j = 0; j < n; j++) {
      double fd = (gp[j] - gm[j]) / (2 * h);
      whv = fmax(whv, fabs(fd - hv[j]));
      wgn = fmax(wgn, fabs(fd - gn[j]));
    }
    double scale = fmax(1.0, max_abs(hv, n));
    ck_assert_msg(whv / scale < 1e-8, "%s: Hessian-vector error %.3g", text, whv / scale);
    ck_assert_msg(wgn / scale < 1e-8, "%s: Gauss-Newton error %.3g", text, wgn / scale);
    /* the curvature is positive definite: v^T H v >= l2 ||v||^2 > 0 */
    ck_assert(ob_vec_dot(v, hv, n) > 0.0);
  }
  gsl_rng_free(r);
  free(x); free(g); free(xp); free(v); free(hv); free(gn); free(gp); free(gm);
  inst_close(&in);
}
END_TEST

/* Dense and CSR storage of one file give the same f, gradient and Hv. */
START_TEST(test_dense_equals_sparse)
{
  char a[1400], b[1400];
  const char *hp = data_path("data/heart_scale");
  snprintf(a, sizeof a, "{\"data\": {\"libsvm\": \"%s\"}, \"bias\": true, \"format\": \"sparse\"}", hp);
  snprintf(b, sizeof b, "{\"data\": {\"libsvm\": \"%s\"}, \"bias\": true, \"format\": \"dense\"}", hp);
  inst sa, da;
  inst_ok(&sa, a, 0);
  inst_ok(&da, b, 0);
  size_t n = sa.p->n;
  ck_assert_uint_eq(n, da.p->n);
  double *x = vec(n), *g1 = vec(n), *g2 = vec(n), *h1 = vec(n), *h2 = vec(n);
  for (size_t j = 0; j < n; j++) x[j] = 0.3 * sin((double)j + 1.0);
  double f1 = f_at(&sa, x, g1), f2 = f_at(&da, x, g2);
  ob_error err;
  sa.p->type->hvp(sa.p->state, x, x, h1, &err);
  da.p->type->hvp(da.p->state, x, x, h2, &err);
  ck_assert_msg(fabs(f1 - f2) <= 1e-15 * fabs(f1), "f: %.17g vs %.17g", f1, f2);
  for (size_t j = 0; j < n; j++) {
    ck_assert_msg(fabs(g1[j] - g2[j]) <= 1e-14 * fmax(1.0, fabs(g1[j])), "g[%zu]", j);
    ck_assert_msg(fabs(h1[j] - h2[j]) <= 1e-14 * fmax(1.0, fabs(h1[j])), "Hv[%zu]", j);
  }
  ck_assert_double_eq_tol(sa.p->f_opt, da.p->f_opt, 1e-14);
  free(x); free(g1); free(g2); free(h1); free(h2);
  inst_close(&sa);
  inst_close(&da);
}
END_TEST

/* ---- f_opt ------------------------------------------------------------------------- */

static const char *fopt_cases[] = {
  "{\"data\": {\"libsvm\": \"@data/heart_scale\"}, \"l2\": 0.001}",
  "{\"data\": {\"libsvm\": \"@data/heart_scale\"}, \"l2\": 1e-6, \"bias\": true}",
  "{\"data\": {\"csv\": \"@data/breast_cancer.csv\"}, \"l2\": 0.01, \"bias\": true}",
  "{\"data\": {\"synthetic\": {\"n\": 2000, \"d\": 30, \"condition\": 1000, \"noise\": 0.05}}, \"l2\": 1e-4}",
  "{\"data\": {\"synthetic\": {\"n\": 500, \"d\": 2500, \"density\": 0.01}}, \"l2\": 0.01, \"format\": \"sparse\"}",
  NULL
};

START_TEST(test_fopt)
{
  const char *text = expand(fopt_cases[_i]);
  inst in;
  inst_ok(&in, text, 0);
  size_t n = in.p->n;
  double *x = vec(n), *g = vec(n), *xp = vec(n), *gp = vec(n);
  ck_assert_int_eq(in.p->type->x_opt(in.p->state, x), OB_OK);
  double f = f_at(&in, x, g), gnorm = ob_vec_nrm2(g, n);
  ck_assert_msg(gnorm < 1e-10, "%s: |grad| = %.3g at the Newton solution", text, gnorm);
  ck_assert_msg(f == in.p->f_opt, "%s: f(x_opt) = %.17g, f_opt = %.17g", text, f, in.p->f_opt);
  ck_assert(isfinite(f) && f > 0.0);
  /* a minimum: every nearby point is higher */
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 5);
  for (int k = 0; k < 5; k++) {
    for (size_t j = 0; j < n; j++) xp[j] = x[j] + 1e-3 * (2.0 * gsl_rng_uniform(r) - 1.0);
    ck_assert(f_at(&in, xp, gp) > f);
  }
  gsl_rng_free(r);
  free(x); free(g); free(xp); free(gp);
  inst_close(&in);
}
END_TEST

/* Separable data with l2 = 0: no minimizer, f_opt is the infimum 0 and x_opt is
 * refused; the same data with label noise has a finite minimum again. */
START_TEST(test_separable_unregularized)
{
  inst in;
  inst_ok(&in, "{\"data\": {\"synthetic\": {\"n\": 400, \"d\": 10, \"separable\": true, \"margin\": 0.05}}, "
               "\"l2\": 0}", 0);
  ck_assert(in.p->f_opt == 0.0);
  double *x = vec(in.p->n);
  ck_assert_int_eq(in.p->type->x_opt(in.p->state, x), OB_EUNSUPPORTED);
  /* the loss goes to 0 along the generating direction */
  ob_synth_spec sp = { .n = 400, .d = 10, .separable = true, .margin = 0.05, .radius = 1, .condition = 1,
                       .density = 1, .seed = 1 };
  ob_error err;
  ck_assert_int_eq(ob_dataset_synthetic_direction(&sp, x, &err), OB_OK);
  double prev = HUGE_VAL;
  for (double t = 1; t <= 1e4; t *= 10) {
    double *xt = vec(in.p->n);
    for (size_t j = 0; j < in.p->n; j++) xt[j] = t * x[j];
    double f = f_at(&in, xt, NULL);
    ck_assert(f < prev && f > 0.0);
    prev = f;
    free(xt);
  }
  ck_assert(prev < 1e-20);
  free(x);
  inst_close(&in);

  inst_ok(&in, "{\"data\": {\"synthetic\": {\"n\": 400, \"d\": 10, \"separable\": true, \"margin\": 0.05, "
               "\"noise\": 0.1}}, \"l2\": 0}", 0);
  ck_assert(in.p->f_opt > 0.1);
  x = vec(in.p->n);
  ck_assert_int_eq(in.p->type->x_opt(in.p->state, x), OB_OK);
  free(x);
  inst_close(&in);
}
END_TEST

/* ---- synthetic generators ------------------------------------------------------ */

START_TEST(test_synthetic)
{
  ob_placement *pl;
  ob_memtier *mem;
  ob_error err;
  ob_dataset a, b, c, nz;
  ob_error_clear(&err);
  ck_assert_int_eq(arena_open(&pl, &mem, &err), OB_OK);
  ob_synth_spec sp = { .n = 500, .d = 8, .separable = true, .margin = 0.15, .radius = 2.0, .condition = 1,
                       .density = 1, .seed = 42 };
  ck_assert_int_eq(ob_dataset_synthetic(&sp, false, mem, &a, &err), OB_OK);
  ck_assert_int_eq(ob_dataset_synthetic(&sp, false, mem, &b, &err), OB_OK);
  ck_assert(memcmp(a.x, b.x, 500 * 8 * sizeof(double)) == 0 && memcmp(a.y, b.y, 500 * sizeof(double)) == 0);
  /* margin gamma attained (sample 0), radius respected, both classes present */
  double u[8], mn = HUGE_VAL, rmax = 0.0;
  size_t pos = 0;
  ck_assert_int_eq(ob_dataset_synthetic_direction(&sp, u, &err), OB_OK);
  for (size_t i = 0; i < a.n; i++) {
    double m = a.y[i] * ob_dataset_dot(&a, i, u);
    mn = fmin(mn, m);
    rmax = fmax(rmax, sqrt(ob_vec_dot(a.x + i * 8, a.x + i * 8, 8)));
    pos += a.y[i] > 0;
  }
  ck_assert_msg(fabs(mn - 0.15) < 1e-12, "margin %.17g", mn);
  ck_assert_msg(rmax <= 2.0 + 1e-12, "radius %.17g", rmax);
  ck_assert(pos > 200 && pos < 300);
  /* another seed, another set */
  sp.seed = 43;
  ck_assert_int_eq(ob_dataset_synthetic(&sp, false, mem, &c, &err), OB_OK);
  ck_assert(memcmp(a.x, c.x, 500 * 8 * sizeof(double)) != 0);
  /* noise flips exactly round(noise n) labels and leaves the features alone */
  sp.seed = 42;
  sp.noise = 0.1;
  ck_assert_int_eq(ob_dataset_synthetic(&sp, false, mem, &nz, &err), OB_OK);
  size_t flips = 0;
  for (size_t i = 0; i < 500; i++) flips += nz.y[i] != a.y[i];
  ck_assert_uint_eq(flips, 50);
  ck_assert(memcmp(a.x, nz.x, 500 * 8 * sizeof(double)) == 0);

  /* Gaussian classes: the per-feature variance ratio follows condition */
  ob_synth_spec gs = { .n = 20000, .d = 3, .separation = 0.0, .condition = 100, .density = 1, .seed = 7 };
  ob_dataset gd;
  ck_assert_int_eq(ob_dataset_synthetic(&gs, false, mem, &gd, &err), OB_OK);
  double var0 = 0, var2 = 0;
  for (size_t i = 0; i < gd.n; i++) { var0 += gd.x[i * 3] * gd.x[i * 3]; var2 += gd.x[i * 3 + 2] * gd.x[i * 3 + 2]; }
  ck_assert_msg(fabs(var0 / var2 / 100.0 - 1.0) < 0.05, "variance ratio %g", var0 / var2);
  /* separation moves the class means apart by `separation` along a unit vector */
  gs.separation = 3.0;
  gs.condition = 1.0;
  ck_assert_int_eq(ob_dataset_synthetic(&gs, false, mem, &gd, &err), OB_OK);
  double mp[3] = { 0 }, mneg[3] = { 0 }, np = 0, nn = 0;
  for (size_t i = 0; i < gd.n; i++) {
    for (int j = 0; j < 3; j++) (gd.y[i] > 0 ? mp : mneg)[j] += gd.x[i * 3 + j];
    *(gd.y[i] > 0 ? &np : &nn) += 1;
  }
  double dist = 0;
  for (int j = 0; j < 3; j++) dist += pow(mp[j] / np - mneg[j] / nn, 2);
  ck_assert_msg(fabs(sqrt(dist) - 3.0) < 0.1, "mean distance %g", sqrt(dist));
  ob_memtier_close(mem);
  ob_placement_free(pl);
}
END_TEST

/* ---- minibatches ---------------------------------------------------------------- */

static void sample(inst *in, const double *x, uint64_t step, double *f, double *g)
{
  ob_error err;
  ob_error_clear(&err);
  ck_assert_int_eq(in->p->type->sample_eval(in->p->state, x, step, f, g, &err), OB_OK);
}

START_TEST(test_minibatch)
{
  const char *text = "{\"data\": {\"synthetic\": {\"n\": 1000, \"d\": 6}}, \"batch\": 16}";
  inst a, b, c;
  inst_ok(&a, text, 3);
  inst_ok(&b, text, 3);
  inst_ok(&c, text, 4);
  size_t n = a.p->n;
  double *x = vec(n), *x2 = vec(n), *g1 = vec(n), *g2 = vec(n), *gfull = vec(n), *gmean = vec(n), f1, f2, fs[41];
  for (size_t j = 0; j < n; j++) { x[j] = 0.1 * (double)j - 0.2; x2[j] = -x[j]; }
  /* optimizer A: one oracle call per step; optimizer B: two calls per step
   * (e.g. a line search) at other points, then the same point: same batches */
  for (uint64_t k = 1; k <= 40; k++) {
    sample(&a, x, k, &fs[k], g1);
    sample(&b, x2, k, &f2, NULL);
    sample(&b, x, k, &f2, g2);
    ck_assert_msg(memcmp(&fs[k], &f2, sizeof f2) == 0 && memcmp(g1, g2, n * sizeof *g1) == 0,
                  "step %llu: the two optimizers saw different minibatches", (unsigned long long)k);
  }
  /* random access: an earlier step again gives its batch again */
  sample(&b, x, 7, &f1, NULL);
  ck_assert(memcmp(&f1, &fs[7], sizeof f1) == 0);
  sample(&b, x, 41, &f1, NULL);
  sample(&b, x, 2, &f2, NULL);
  ck_assert(memcmp(&f2, &fs[2], sizeof f2) == 0);
  /* consecutive steps draw different batches; another run seed another sequence */
  int same = 0, other = 0;
  for (uint64_t k = 2; k <= 40; k++) same += fs[k] == fs[k - 1];
  ck_assert_int_lt(same, 3);
  for (uint64_t k = 1; k <= 40; k++) {
    sample(&c, x, k, &f1, NULL);
    other += f1 != fs[k];
  }
  ck_assert_int_gt(other, 35);
  /* a minibatch gradient is an unbiased estimate: the mean of many is close */
  f_at(&a, x, gfull);
  const int steps = 4000;
  for (int k = 1; k <= steps; k++) {
    sample(&a, x, (uint64_t)k, &f1, g1);
    for (size_t j = 0; j < n; j++) gmean[j] += g1[j] / steps;
  }
  for (size_t j = 0; j < n; j++)
    ck_assert_msg(fabs(gmean[j] - gfull[j]) < 0.02 * fmax(1.0, max_abs(gfull, n)), "g[%zu]: mean %g, full %g", j,
                  gmean[j], gfull[j]);
  /* batch 0: sample_eval is the full objective */
  inst d;
  inst_ok(&d, "{\"data\": {\"synthetic\": {\"n\": 1000, \"d\": 6}}}", 3);
  sample(&d, x, 9, &f1, NULL);
  ck_assert(f1 == f_at(&a, x, NULL));
  free(x); free(x2); free(g1); free(g2); free(gfull); free(gmean);
  inst_close(&a); inst_close(&b); inst_close(&c); inst_close(&d);
}
END_TEST

/* ---- threads --------------------------------------------------------------------- */

START_TEST(test_threads)
{
#ifdef _OPENMP
  static const char *const cases[] = {
    "{\"data\": {\"synthetic\": {\"n\": 100000, \"d\": 20}}, \"bias\": true, \"batch\": 4096}",
    "{\"data\": {\"synthetic\": {\"n\": 50000, \"d\": 200, \"density\": 0.05}}, \"format\": \"sparse\"}",
    NULL
  };
  for (const char *const *c = cases; *c; c++) {
    inst in;
    inst_ok(&in, *c, 1);
    size_t n = in.p->n;
    double *x = vec(n), *v = vec(n), *g[2], *h[2], *gs[2], f[2], fs[2];
    for (size_t j = 0; j < n; j++) { x[j] = 0.05 * cos((double)j); v[j] = sin((double)j); }
    int saved = omp_get_max_threads();
    ob_error err;
    for (int t = 0; t < 2; t++) {
      g[t] = vec(n); h[t] = vec(n); gs[t] = vec(n);
      omp_set_num_threads(t + 1);
      f[t] = f_at(&in, x, g[t]);
      in.p->type->hvp(in.p->state, x, v, h[t], &err);
      in.p->type->sample_eval(in.p->state, x, 5, &fs[t], gs[t], &err);
    }
    omp_set_num_threads(saved);
    ck_assert_msg(memcmp(&f[0], &f[1], sizeof f[0]) == 0, "%s: f %.17g vs %.17g", *c, f[0], f[1]);
    ck_assert_msg(memcmp(&fs[0], &fs[1], sizeof fs[0]) == 0, "%s: minibatch f differs", *c);
    ck_assert_msg(memcmp(g[0], g[1], n * sizeof *x) == 0, "%s: gradient differs", *c);
    ck_assert_msg(memcmp(h[0], h[1], n * sizeof *x) == 0, "%s: Hv differs", *c);
    ck_assert_msg(memcmp(gs[0], gs[1], n * sizeof *x) == 0, "%s: minibatch gradient differs", *c);
    /* f_opt too: a cell's targets must not depend on its thread count */
    omp_set_num_threads(2);
    inst in2;
    inst_ok(&in2, *c, 1);
    omp_set_num_threads(saved);
    ck_assert_msg(memcmp(&in.p->f_opt, &in2.p->f_opt, sizeof f[0]) == 0, "%s: f_opt differs", *c);
    inst_close(&in2);
    for (int t = 0; t < 2; t++) { free(g[t]); free(h[t]); free(gs[t]); }
    free(x); free(v);
    inst_close(&in);
  }
#else
  fprintf(stderr, "check_logreg: skipped thread determinism: built without OpenMP\n");
#endif
}
END_TEST

/* ---- metrics ------------------------------------------------------------------------ */

START_TEST(test_metrics)
{
  inst in;
  inst_ok(&in, "{\"data\": {\"synthetic\": {\"n\": 300, \"d\": 4, \"separable\": true, \"margin\": 0.25}}}", 0);
  size_t n = in.p->n;
  double *u = vec(n);
  ob_synth_spec sp = { .n = 300, .d = 4, .separable = true, .margin = 0.25, .radius = 1, .condition = 1,
                       .density = 1, .seed = 1 };
  ob_error err;
  ck_assert_int_eq(ob_dataset_synthetic_direction(&sp, u, &err), OB_OK);
  json_t *fin = json_object();
  ck_assert_int_eq(in.p->type->metrics(in.p->state, u, fin, &err), OB_OK);
  ck_assert_double_eq(json_real_value(json_object_get(fin, "accuracy")), 1.0);
  ck_assert_double_eq(json_real_value(json_object_get(fin, "train_error")), 0.0);
  ck_assert_double_eq_tol(json_real_value(json_object_get(fin, "margin")), 0.25, 1e-12);
  ck_assert_double_eq_tol(json_real_value(json_object_get(fin, "normalized_margin")), 0.25, 1e-12);
  /* -u misclassifies everything */
  for (size_t j = 0; j < n; j++) u[j] = -u[j];
  ck_assert_int_eq(in.p->type->metrics(in.p->state, u, fin, &err), OB_OK);
  ck_assert_double_eq(json_real_value(json_object_get(fin, "accuracy")), 0.0);
  ck_assert_msg(json_real_value(json_object_get(fin, "margin")) < -0.9, "margin %g",
                json_real_value(json_object_get(fin, "margin")));   /* minus the largest a_i (about R) */
  /* x = 0: margin 0, nothing counted correct, normalized margin undefined (null) */
  memset(u, 0, n * sizeof *u);
  ck_assert_int_eq(in.p->type->metrics(in.p->state, u, fin, &err), OB_OK);
  ck_assert_double_eq(json_real_value(json_object_get(fin, "accuracy")), 0.0);
  ck_assert(json_is_null(json_object_get(fin, "normalized_margin")));
  json_decref(fin);
  free(u);
  inst_close(&in);
}
END_TEST

/* ---- parameter errors ------------------------------------------------------------ */

START_TEST(test_param_errors)
{
  static const struct { const char *text, *path, *needle; } cases[] = {
    { "{\"data\": {\"libsvm\": \"x\", \"synthetic\": {}}}", "data", "exactly one of" },
    { "{\"data\": {}}", "data", "exactly one of" },
    { "{\"data\": {\"synthetic\": {\"sepparable\": true}}}", "data.synthetic.sepparable", "did you mean 'separable'" },
    { "{\"data\": {\"synthetic\": {\"separable\": true, \"margin\": 2}}}", "data.synthetic.margin", "larger than the radius" },
    { "{\"data\": {\"synthetic\": {\"separable\": true, \"condition\": 10}}}", "data.synthetic", "Gaussian classes only" },
    { "{\"data\": {\"synthetic\": {}, \"label_column\": 2}}", "data", "apply to \"csv\" only" },
    { "{\"data\": {\"libsvm\": 3}}", "data.libsvm", "expected a string" },
    { NULL, NULL, NULL }
  };
  for (int k = 0; cases[k].text; k++) {
    inst in;
    ob_error err;
    ob_error_clear(&err);
    int rc = inst_try(&in, cases[k].text, 0, &err);
    ck_assert_msg(rc == OB_EINVAL, "%s: status %d (%s)", cases[k].text, rc, err.text);
    ck_assert_msg(strcmp(err.path, cases[k].path) == 0, "%s: path '%s'", cases[k].text, err.path);
    ck_assert_msg(strstr(err.text, cases[k].needle) != NULL, "%s: message '%s'", cases[k].text, err.text);
  }
}
END_TEST

/* ---- liblinear ---------------------------------------------------------------------- */

/* liblinear -s 0 minimizes C sum_i log(1 + exp(-y_i w.x_i)) + ||w||^2 / 2 (no bias
 * with its default -B -1): ours divided by n C, so lambda = 1 / (n C). */
START_TEST(test_liblinear)
{
  const char *train = NULL;
  static const char *const cands[] = { "/usr/bin/liblinear-train", "/usr/local/bin/liblinear-train", NULL };
  for (const char *const *c = cands; *c; c++)
    if (access(*c, X_OK) == 0) train = *c;
  if (!train) {
    fprintf(stderr, "check_logreg: skipped liblinear agreement: liblinear-train is not installed "
                    "(apt-get install liblinear-tools)\n");
    return;
  }
  const double lambdas[] = { 1e-2, 1e-3 };
  for (int k = 0; k < 2; k++) {
    double lambda = lambdas[k], C = 1.0 / (270.0 * lambda);
    char text[1400], model[512], cmd[2400];
    snprintf(text, sizeof text, "{\"data\": {\"libsvm\": \"%s\"}, \"l2\": %.17g}", data_path("data/heart_scale"), lambda);
    inst in;
    inst_ok(&in, text, 0);
    temp_file(model, sizeof model, "");
    snprintf(cmd, sizeof cmd, "%s -q -s 0 -e 1e-10 -c %.17g '%s' '%s' >/dev/null 2>&1", train, C,
             data_path("data/heart_scale"), model);
    ck_assert_msg(system(cmd) == 0, "'%s' failed", cmd);
    FILE *f = fopen(model, "r");
    ck_assert_ptr_nonnull(f);
    char line[512];
    int first_label = 0, in_w = 0;
    size_t nw = 0, n = in.p->n;
    double *w = vec(n), *xo = vec(n), *g = vec(n);
    while (fgets(line, sizeof line, f)) {
      if (strncmp(line, "label ", 6) == 0) first_label = atoi(line + 6);
      else if (strncmp(line, "w", 1) == 0 && (line[1] == '\n' || line[1] == '\r')) in_w = 1;
      else if (in_w && nw < n) w[nw++] = strtod(line, NULL);
    }
    fclose(f);
    unlink(model);
    ck_assert_uint_eq(nw, 13);
    if (first_label == -1)             /* liblinear's w scores its first label */
      for (size_t j = 0; j < n; j++) w[j] = -w[j];
    ck_assert_int_eq(in.p->type->x_opt(in.p->state, xo), OB_OK);
    double fl = f_at(&in, w, g), gl = ob_vec_nrm2(g, n), dw = 0.0;
    for (size_t j = 0; j < n; j++) dw = fmax(dw, fabs(w[j] - xo[j]));
    fprintf(stderr, "check_logreg: liblinear agreement, heart_scale, lambda %g (C %.6g): "
                    "f_opt %.15g, f(w_liblinear) - f_opt %.3g, max |w - w*| %.3g, |grad f(w_liblinear)| %.3g\n",
            lambda, C, in.p->f_opt, fl - in.p->f_opt, dw, gl);
    ck_assert_msg(fl - in.p->f_opt >= -1e-15, "liblinear's point is below f_opt: %.3g", fl - in.p->f_opt);
    ck_assert_msg(fl - in.p->f_opt <= 1e-9 * in.p->f_opt, "objective gap %.3g", fl - in.p->f_opt);
    ck_assert_msg(dw <= 1e-4 * fmax(1.0, max_abs(xo, n)), "weights differ by %.3g", dw);
    free(w); free(xo); free(g);
    inst_close(&in);
  }
}
END_TEST

Suite *make_logreg_suite(void)
{
  Suite *s = suite_create("logreg");
  TCase *tc = tcase_create("loaders");
  tcase_add_test(tc, test_libsvm_good);
  tcase_add_loop_test(tc, test_libsvm_bad, 0, (int)(sizeof libsvm_bad / sizeof libsvm_bad[0]) - 1);
  tcase_add_test(tc, test_missing_file);
  tcase_add_test(tc, test_csv_good);
  tcase_add_loop_test(tc, test_csv_bad, 0, (int)(sizeof csv_bad / sizeof csv_bad[0]) - 1);
  tcase_add_test(tc, test_shipped_data);
  tcase_add_test(tc, test_synthetic);
  tcase_add_test(tc, test_param_errors);
  suite_add_tcase(s, tc);

  tc = tcase_create("problem");
  tcase_set_timeout(tc, 120);
  tcase_add_loop_test(tc, test_derivatives, 0, (int)(sizeof deriv_cases / sizeof deriv_cases[0]) - 1);
  tcase_add_test(tc, test_dense_equals_sparse);
  tcase_add_loop_test(tc, test_fopt, 0, (int)(sizeof fopt_cases / sizeof fopt_cases[0]) - 1);
  tcase_add_test(tc, test_separable_unregularized);
  tcase_add_test(tc, test_minibatch);
  tcase_add_test(tc, test_threads);
  tcase_add_test(tc, test_metrics);
  tcase_add_test(tc, test_liblinear);
  suite_add_tcase(s, tc);
  return s;
}

int main(void)
{
  return ob_test_main(make_logreg_suite());
}
