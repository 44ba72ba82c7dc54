/* bilevel_quadratic.c -- the quadratic-quadratic bilevel problem, the toy with
 * a closed-form hyper-objective that every bilevel method is checked against.
 *
 *   lower  g(x, y) = 1/2 y^T H y - y^T (B x + c),         H symmetric positive definite
 *   upper  f(x, y) = 1/2 ||y - y_t||^2 + rho/2 ||x||^2
 *
 * so y*(x) = H^-1 (B x + c) = M x + d with M = H^-1 B, d = H^-1 c, and
 *
 *   F(x)      = 1/2 ||M x + d - y_t||^2 + rho/2 ||x||^2
 *   grad F(x) = M^T (M x + d - y_t) + rho x
 *   x*        solves (M^T M + rho I) x = M^T (y_t - d),   f_opt = F(x*)
 *
 * (seeds catalog section 2.4, toy 1; the hypergradient formula of
 * problems/bilevel.h, evaluated exactly). The bilevel view's oracles are the
 * partial derivatives of f and g: grad_x f = rho x, grad_y f = y - y_t,
 * grad_x g = -B^T y, grad_y g = H y - B x - c, grad2_yy g v = H v and
 * grad2_xy g v = -B^T v. The plain eval on z = [x; y] is F(x) with gradient
 * [grad F(x); 0] (y ignored), its hvp is [(M^T M + rho I) v_x; 0].
 *
 * Instances: from the run seed, GSL's mt19937 seeded with the low 32 bits of
 * seed XOR its high 32 bits draws, in this order, a Gaussian ny x ny matrix
 * whose QR factor Q (Haar-distributed up to column signs, which cancel in H:
 * Mezzadri, Notices AMS 54, 2007) gives H = Q diag(l) Q^T with l log-spaced
 * from 1 to `condition`, then B (ny x nx, row-major), c and y_t, all standard
 * normal. Unlike most problems the instance follows the run seed (each seed of
 * a suite is another instance; every optimizer meets the same one per seed). Explicit "H", "B",
 * "c", "y_target" (row-major flat arrays) replace the drawn ones; H must be
 * symmetric and positive definite (checked by a Cholesky factorization). The
 * linear solves use gsl_linalg_cholesky_*. rho = 0 is allowed when M has full
 * column rank (else x* is not unique and configure says so).
 *
 * Params: nx=5, ny=10, rho=0.1, condition=10, H/B/c/y_target=null (drawn).
 * Default start: x = (1, ..., 1), y = 0. Metrics in "final": hypergrad_norm
 * = ||grad F(x)||, lower_gap = g(x, y) - g(x, y*(x)), y_error = ||y - y*(x)||,
 * x_error = ||x - x*||. All data lives in the cell's arena (class data); the
 * work vectors make one instance non-reentrant, as every cell owns its own.
 * Loops are sequential (small dims): results do not depend on threads.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "problems/bilevel.h"
#include "problems/problem.h"

typedef struct {
  size_t nx, ny;
  double rho, condition;
  double *h, *b, *c, *yt;   /* ny x ny, ny x nx (row-major), ny, ny */
  double *m, *d;            /* M = H^-1 B (ny x nx), d = H^-1 c */
  double *xstar, *fopt;     /* x* (nx) and F(x*) (one double) */
  double *wy, *wy2, *wx;    /* work: ny, ny, nx */
  struct ob_bilevel_view view;
} bq_state;

#define VEC_FLAGS (OB_PARAM_NULLABLE | OB_PARAM_NO_GRID | OB_PARAM_HIDE_IN_ID)

static const ob_param_spec bq_params[] = {
  { "nx", OB_PARAM_INT, "5", 1, 2000, 0, NULL, NULL, "upper-level dimension (length of x)" },
  { "ny", OB_PARAM_INT, "10", 1, 2000, 0, NULL, NULL, "lower-level dimension (length of y)" },
  { "rho", OB_PARAM_REAL, "0.1", 0.0, HUGE_VAL, 0, NULL, NULL,
    "upper-level ridge weight: f = 1/2 ||y - y_target||^2 + rho/2 ||x||^2" },
  { "condition", OB_PARAM_REAL, "10", 1.0, 1e8, 0, NULL, "cond",
    "condition number of the drawn H (eigenvalues log-spaced from 1); ignored when H is given" },
  { "H", OB_PARAM_VECTOR, "null", -HUGE_VAL, HUGE_VAL, VEC_FLAGS, NULL, NULL,
    "explicit lower-level Hessian, ny*ny numbers row-major, symmetric positive definite (a vector: never a grid)" },
  { "B", OB_PARAM_VECTOR, "null", -HUGE_VAL, HUGE_VAL, VEC_FLAGS, NULL, NULL,
    "explicit coupling matrix, ny*nx numbers row-major (a vector: never a grid)" },
  { "c", OB_PARAM_VECTOR, "null", -HUGE_VAL, HUGE_VAL, VEC_FLAGS, NULL, NULL,
    "explicit lower-level linear term, ny numbers (a vector: never a grid)" },
  { "y_target", OB_PARAM_VECTOR, "null", -HUGE_VAL, HUGE_VAL, VEC_FLAGS, NULL, NULL,
    "explicit upper-level target for y, ny numbers (a vector: never a grid)" },
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }
};

/* ---- small dense kernels (row-major, sequential) ------------------------- */

/* out (rows) = A v, A rows x cols */
static void mv(const double *a, size_t rows, size_t cols, const double *v, double *out)
{
  for (size_t i = 0; i < rows; i++) {
    double acc = 0.0;
    for (size_t j = 0; j < cols; j++) acc += a[i * cols + j] * v[j];
    out[i] = acc;
  }
}

/* out (cols) = A^T v, A rows x cols */
static void mtv(const double *a, size_t rows, size_t cols, const double *v, double *out)
{
  for (size_t j = 0; j < cols; j++) out[j] = 0.0;
  for (size_t i = 0; i < rows; i++)
    for (size_t j = 0; j < cols; j++) out[j] += a[i * cols + j] * v[i];
}

static double dot(const double *a, const double *b, size_t n)
{
  double acc = 0.0;
  for (size_t i = 0; i < n; i++) acc += a[i] * b[i];
  return acc;
}

/* ---- instance ------------------------------------------------------------- */

/* Copies the explicit array `name` into dst (len numbers) when given. */
static int take_explicit(const json_t *params, const char *name, double *dst, size_t len,
                         const char *shape, ob_error *err)
{
  const json_t *v = json_object_get(params, name);
  if (!v || json_is_null(v)) return 0;
  if (json_array_size(v) != len)
    return ob_error_at(err, OB_EINVAL, name, "has %zu entries but %s needs %zu", json_array_size(v), shape, len);
  for (size_t i = 0; i < len; i++) dst[i] = json_number_value(json_array_get(v, i));
  return 1;
}

/* H = Q diag(l) Q^T for a Haar-random Q drawn from rng. */
static int draw_h(bq_state *s, gsl_rng *rng, ob_error *err)
{
  size_t n = s->ny;
  gsl_matrix *g = gsl_matrix_alloc(n, n), *q = gsl_matrix_alloc(n, n), *r = gsl_matrix_alloc(n, n);
  gsl_vector *tau = gsl_vector_alloc(n);
  int rc = OB_OK;
  if (!g || !q || !r || !tau) { rc = ob_error_set(err, OB_ENOMEM, "out of memory drawing H"); goto done; }
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < n; j++) gsl_matrix_set(g, i, j, gsl_ran_gaussian(rng, 1.0));
  if (gsl_linalg_QR_decomp(g, tau) != GSL_SUCCESS || gsl_linalg_QR_unpack(g, tau, q, r) != GSL_SUCCESS) {
    rc = ob_error_set(err, OB_ENUMERIC, "QR factorization of the %zux%zu rotation failed", n, n);
    goto done;
  }
  /* columns of Q scaled by sqrt(l_k) (the sign correction of Q cancels in
   * Q diag(l) Q^T, so it is not applied); H = (Q S)(Q S)^T by dsyrk, mirrored */
  for (size_t k = 0; k < n; k++) {
    gsl_vector_view col = gsl_matrix_column(q, k);
    gsl_vector_scale(&col.vector, sqrt(n == 1 ? 1.0 : pow(s->condition, (double)k / (double)(n - 1))));
  }
  gsl_matrix_view hv = gsl_matrix_view_array(s->h, n, n);
  if (gsl_blas_dsyrk(CblasLower, CblasNoTrans, 1.0, q, 0.0, &hv.matrix) != GSL_SUCCESS) {
    rc = ob_error_set(err, OB_ENUMERIC, "forming the %zux%zu matrix H failed", n, n);
    goto done;
  }
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < i; j++) s->h[j * n + i] = s->h[i * n + j];
done:
  gsl_vector_free(tau);
  gsl_matrix_free(r);
  gsl_matrix_free(q);
  gsl_matrix_free(g);
  return rc;
}

/* Cholesky of a copy of the n x n row-major `a` into `l`: GSL_SUCCESS or
 * GSL_EDOM. A non-positive-definite matrix is user input here, not a misuse
 * of GSL, so the error handler is off for this one call. */
static int cholesky(const double *a, double *l, size_t n)
{
  if (l != a) memcpy(l, a, n * n * sizeof *l);
  gsl_matrix_view lv = gsl_matrix_view_array(l, n, n);
  gsl_error_handler_t *old = gsl_set_error_handler_off();
  int st = gsl_linalg_cholesky_decomp1(&lv.matrix);
  gsl_set_error_handler(old);
  return st;
}

static void hyper_raw(const bq_state *s, const double *x, double *F, double *gradF, double *ystar);

static int bq_solve(bq_state *s, ob_memtier *mem, ob_error *err)
{
  size_t nx = s->nx, ny = s->ny;
  double *lh = ob_memtier_alloc(mem, OB_MEM_DATA, ny * ny, err);
  double *la = ob_memtier_alloc(mem, OB_MEM_DATA, nx * nx, err);
  if (!lh || !la) return err ? err->code : OB_ENOMEM;
  for (size_t i = 0; i < ny; i++)
    for (size_t j = 0; j < i; j++)
      if (fabs(s->h[i * ny + j] - s->h[j * ny + i]) > 1e-12 * (fabs(s->h[i * ny + j]) + fabs(s->h[j * ny + i]) + 1e-300))
        return ob_error_at(err, OB_EINVAL, "H", "the matrix is not symmetric: H[%zu][%zu] = %.17g but H[%zu][%zu] = %.17g",
                           i, j, s->h[i * ny + j], j, i, s->h[j * ny + i]);
  if (cholesky(s->h, lh, ny) != GSL_SUCCESS)
    return ob_error_at(err, OB_EINVAL, "H", "the matrix is not positive definite (its Cholesky factorization failed): "
                       "the lower level needs H > 0");
  gsl_matrix_view lhv = gsl_matrix_view_array(lh, ny, ny);
  /* M = H^-1 B column by column, d = H^-1 c */
  for (size_t j = 0; j < nx; j++) {
    for (size_t i = 0; i < ny; i++) s->wy[i] = s->b[i * nx + j];
    gsl_vector_view col = gsl_vector_view_array(s->wy, ny);
    gsl_linalg_cholesky_svx(&lhv.matrix, &col.vector);
    for (size_t i = 0; i < ny; i++) s->m[i * nx + j] = s->wy[i];
  }
  memcpy(s->d, s->c, ny * sizeof *s->d);
  gsl_vector_view dv = gsl_vector_view_array(s->d, ny);
  gsl_linalg_cholesky_svx(&lhv.matrix, &dv.vector);
  /* (M^T M + rho I) x* = M^T (y_t - d) */
  double *a = la;
  for (size_t i = 0; i < nx; i++)
    for (size_t j = 0; j < nx; j++) {
      double acc = i == j ? s->rho : 0.0;
      for (size_t k = 0; k < ny; k++) acc += s->m[k * nx + i] * s->m[k * nx + j];
      a[i * nx + j] = acc;
    }
  if (cholesky(a, la, nx) != GSL_SUCCESS)
    return ob_error_at(err, OB_EINVAL, "rho", "%g leaves F without a unique minimizer (M^T M + rho I is singular: "
                       "nx > ny or a rank-deficient B); set rho > 0", s->rho);
  for (size_t i = 0; i < ny; i++) s->wy[i] = s->yt[i] - s->d[i];
  mtv(s->m, ny, nx, s->wy, s->xstar);
  gsl_matrix_view lav = gsl_matrix_view_array(la, nx, nx);
  gsl_vector_view xv = gsl_vector_view_array(s->xstar, nx);
  gsl_linalg_cholesky_svx(&lav.matrix, &xv.vector);
  hyper_raw(s, s->xstar, s->fopt, NULL, NULL);
  return OB_OK;
}

static const struct ob_bilevel_view *bq_bilevel(void *st);
static void bq_fill_view(bq_state *s);

static int bq_configure(void *vs, const json_t *params, uint64_t seed, ob_memtier *mem, ob_error *err)
{
  bq_state *s = vs;
  s->nx = (size_t)ob_params_int(params, "nx");
  s->ny = (size_t)ob_params_int(params, "ny");
  s->rho = ob_params_real(params, "rho");
  s->condition = ob_params_real(params, "condition");
  if (s->nx < 1 || s->ny < 1) return ob_error_set(err, OB_EINVAL, "nx and ny must be at least 1");
  size_t nx = s->nx, ny = s->ny;
  double **bufs[] = { &s->h, &s->b, &s->c, &s->yt, &s->m, &s->d, &s->xstar, &s->fopt, &s->wy, &s->wy2, &s->wx };
  size_t lens[] = { ny * ny, ny * nx, ny, ny, ny * nx, ny, nx, 1, ny, ny, nx };
  for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
    *bufs[i] = ob_memtier_alloc(mem, OB_MEM_DATA, lens[i], err);
    if (!*bufs[i]) return err ? err->code : OB_ENOMEM;
  }
  /* validate explicit arrays before drawing anything */
  char shape[64];
  int rc;
  snprintf(shape, sizeof shape, "ny x ny = %zu x %zu", ny, ny);
  if ((rc = take_explicit(params, "H", s->h, ny * ny, shape, err)) < 0) return rc;
  int have_h = rc;
  snprintf(shape, sizeof shape, "ny x nx = %zu x %zu", ny, nx);
  if ((rc = take_explicit(params, "B", s->b, ny * nx, shape, err)) < 0) return rc;
  int have_b = rc;
  snprintf(shape, sizeof shape, "ny = %zu", ny);
  if ((rc = take_explicit(params, "c", s->c, ny, shape, err)) < 0) return rc;
  int have_c = rc;
  if ((rc = take_explicit(params, "y_target", s->yt, ny, shape, err)) < 0) return rc;
  int have_t = rc;

  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  if (!rng) return ob_error_set(err, OB_ENOMEM, "out of memory");
  gsl_rng_set(rng, (unsigned long)((seed ^ (seed >> 32)) & 0xffffffffu));
  /* fixed draw order (H, B, c, y_t) whatever is explicit, so replacing one
   * array never changes the others */
  if (have_h) {
    for (size_t i = 0; i < ny * ny; i++) (void)gsl_ran_gaussian(rng, 1.0);
  } else if ((rc = draw_h(s, rng, err)) < 0) {
    gsl_rng_free(rng);
    return rc;
  }
  for (size_t i = 0; i < ny * nx; i++) { double v = gsl_ran_gaussian(rng, 1.0); if (!have_b) s->b[i] = v; }
  for (size_t i = 0; i < ny; i++) { double v = gsl_ran_gaussian(rng, 1.0); if (!have_c) s->c[i] = v; }
  for (size_t i = 0; i < ny; i++) { double v = gsl_ran_gaussian(rng, 1.0); if (!have_t) s->yt[i] = v; }
  gsl_rng_free(rng);
  if ((rc = bq_solve(s, mem, err)) < 0) return rc;
  bq_fill_view(s);
  return OB_OK;
}

static size_t bq_dim(const void *vs)
{
  const bq_state *s = vs;
  return s->nx + s->ny;
}

/* ---- ground truth ------------------------------------------------------------ */

static void hyper_raw(const bq_state *s, const double *x, double *F, double *gradF, double *ystar)
{
  size_t nx = s->nx, ny = s->ny;
  double *r = s->wy2;
  mv(s->m, ny, nx, x, r);
  for (size_t i = 0; i < ny; i++) r[i] += s->d[i];
  if (ystar) memcpy(ystar, r, ny * sizeof *ystar);
  for (size_t i = 0; i < ny; i++) r[i] -= s->yt[i];
  if (F) *F = 0.5 * dot(r, r, ny) + 0.5 * s->rho * dot(x, x, nx);
  if (gradF) {
    mtv(s->m, ny, nx, r, gradF);
    for (size_t j = 0; j < nx; j++) gradF[j] += s->rho * x[j];
  }
}

static int bq_hyper(void *ctx, const double *x, double *F, double *gradF, double *ystar, ob_error *err)
{
  (void)err;
  hyper_raw(ctx, x, F, gradF, ystar);
  return OB_OK;
}

static int bq_eval(void *vs, const double *z, double *f, double *g, ob_error *err)
{
  bq_state *s = vs;
  (void)err;
  hyper_raw(s, z, f, g, NULL);
  if (g) memset(g + s->nx, 0, s->ny * sizeof *g);
  return OB_OK;
}

static int bq_hvp(void *vs, const double *z, const double *v, double *out, ob_error *err)
{
  bq_state *s = vs;
  (void)z;
  (void)err;
  mv(s->m, s->ny, s->nx, v, s->wy);
  mtv(s->m, s->ny, s->nx, s->wy, out);
  for (size_t j = 0; j < s->nx; j++) out[j] += s->rho * v[j];
  memset(out + s->nx, 0, s->ny * sizeof *out);
  return OB_OK;
}

static void bq_x0(const void *vs, double *z)
{
  const bq_state *s = vs;
  for (size_t i = 0; i < s->nx; i++) z[i] = 1.0;
  for (size_t i = 0; i < s->ny; i++) z[s->nx + i] = 0.0;
}

static double bq_f_opt(const void *vs)
{
  return *((const bq_state *)vs)->fopt;
}

static int bq_x_opt(const void *vs, double *z)
{
  const bq_state *s = vs;
  memcpy(z, s->xstar, s->nx * sizeof *z);
  hyper_raw(s, s->xstar, NULL, NULL, z + s->nx);
  return OB_OK;
}

/* ---- the bilevel view ----------------------------------------------------------- */

static int bq_upper(void *ctx, const double *x, const double *y, double *f, double *fx, double *fy, ob_error *err)
{
  const bq_state *s = ctx;
  (void)err;
  if (f) {
    double a = 0.0;
    for (size_t i = 0; i < s->ny; i++) a += (y[i] - s->yt[i]) * (y[i] - s->yt[i]);
    *f = 0.5 * a + 0.5 * s->rho * dot(x, x, s->nx);
  }
  if (fx)
    for (size_t j = 0; j < s->nx; j++) fx[j] = s->rho * x[j];
  if (fy)
    for (size_t i = 0; i < s->ny; i++) fy[i] = y[i] - s->yt[i];
  return OB_OK;
}

static int bq_lower(void *ctx, const double *x, const double *y, double *g, double *gx, double *gy, ob_error *err)
{
  bq_state *s = ctx;
  size_t nx = s->nx, ny = s->ny;
  (void)err;
  double *bxc = s->wy;
  mv(s->b, ny, nx, x, bxc);
  for (size_t i = 0; i < ny; i++) bxc[i] += s->c[i];
  if (g || gy) {
    double *hy = s->wy2;
    mv(s->h, ny, ny, y, hy);
    if (g) *g = 0.5 * dot(y, hy, ny) - dot(y, bxc, ny);
    if (gy)
      for (size_t i = 0; i < ny; i++) gy[i] = hy[i] - bxc[i];
  }
  if (gx) {
    mtv(s->b, ny, nx, y, gx);
    for (size_t j = 0; j < nx; j++) gx[j] = -gx[j];
  }
  return OB_OK;
}

static int bq_hyy(void *ctx, const double *x, const double *y, const double *v, double *out, ob_error *err)
{
  const bq_state *s = ctx;
  (void)x; (void)y; (void)err;
  mv(s->h, s->ny, s->ny, v, out);
  return OB_OK;
}

static int bq_hxy(void *ctx, const double *x, const double *y, const double *v, double *out, ob_error *err)
{
  const bq_state *s = ctx;
  (void)x; (void)y; (void)err;
  mtv(s->b, s->ny, s->nx, v, out);
  for (size_t j = 0; j < s->nx; j++) out[j] = -out[j];
  return OB_OK;
}

static void bq_fill_view(bq_state *s)
{
  memset(&s->view, 0, sizeof s->view);
  s->view.nx = s->nx;
  s->view.ny = s->ny;
  s->view.ctx = s;
  s->view.upper = bq_upper;
  s->view.lower = bq_lower;
  s->view.lower_hyy = bq_hyy;
  s->view.lower_hxy = bq_hxy;
  s->view.hyper = bq_hyper;
  s->view.lower_strongly_convex = true;
}

static const struct ob_bilevel_view *bq_bilevel(void *st)
{
  return &((bq_state *)st)->view;
}

static int bq_metrics(void *vs, const double *z, json_t *final, ob_error *err)
{
  bq_state *s = vs;
  size_t nx = s->nx, ny = s->ny;
  const double *x = z, *y = z + nx;
  double e = 0.0, ex = 0.0;
  (void)err;
  hyper_raw(s, x, NULL, s->wx, NULL);
  double gn = sqrt(dot(s->wx, s->wx, nx));
  double *dy = s->wy, *tmp = s->wy2;
  hyper_raw(s, x, NULL, NULL, dy);          /* y*(x) */
  for (size_t i = 0; i < ny; i++) dy[i] = y[i] - dy[i];
  e = dot(dy, dy, ny);
  for (size_t j = 0; j < nx; j++) ex += (x[j] - s->xstar[j]) * (x[j] - s->xstar[j]);
  /* lower_gap = g(x, y) - g(x, y*(x)) = 1/2 (y - y*)^T H (y - y*) exactly for a
   * quadratic g; the difference of two g values would lose digits near y* */
  mv(s->h, ny, ny, dy, tmp);
  double gap = 0.5 * dot(dy, tmp, ny);
  json_object_set_new(final, "hypergrad_norm", json_real(gn));
  json_object_set_new(final, "lower_gap", json_real(gap));
  json_object_set_new(final, "y_error", json_real(sqrt(e)));
  json_object_set_new(final, "x_error", json_real(sqrt(ex)));
  return OB_OK;
}

const ob_problem_type ob_problem_bilevel_quadratic = {
  .name = "bilevel_quadratic",
  .summary = "bilevel quadratic: g = 1/2 y'Hy - y'(Bx + c), f = 1/2 ||y - y_t||^2 + rho/2 ||x||^2; exact hypergradient",
  .reference = "seeds catalog 2.4 toy 1; hypergradient: Ghadimi & Wang 2018, Ji, Yang & Liang ICML 2021",
  .params = bq_params,
  .state_size = sizeof(bq_state),
  .provides = OB_PROVIDES_GRAD | OB_PROVIDES_HVP | OB_PROVIDES_FOPT | OB_PROVIDES_BILEVEL,
  .configure = bq_configure,
  .dim = bq_dim,
  .eval = bq_eval,
  .hvp = bq_hvp,
  .x0 = bq_x0,
  .f_opt = bq_f_opt,
  .x_opt = bq_x_opt,
  .free = NULL,   /* everything lives in the arena */
  .bilevel = bq_bilevel,
  .metrics = bq_metrics,
};
