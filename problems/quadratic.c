/* quadratic.c -- the ill-conditioned convex quadratic, the baseline test of
 * every gradient method (Nocedal & Wright, Numerical Optimization, 2nd ed.,
 * section 3.3: steepest descent converges at rate ((k-1)/(k+1))^2 on it).
 *
 *   f(x) = 1/2 (x - x*)^T A (x - x*),   A = Q diag(l) Q^T,   x* = 0, f* = 0
 *   l_i  = condition^(i/(n-1)), i = 0..n-1 (log-spaced from 1 to condition; l = 1 when n = 1)
 *   grad = A (x - x*),   H v = A v
 *
 * Q is a Haar-random orthogonal matrix when rotate is true (Mezzadri, "How to
 * generate random matrices from the classical compact groups", Notices AMS 54,
 * 2007: QR of a standard Gaussian matrix, columns multiplied by sign(R_jj)),
 * and the identity when rotate is false, in which case only the diagonal is
 * stored, so dimensions up to 1e7 work. x* = 0 keeps f* exactly 0 and the
 * instance free of a second random draw; a shifted optimum is a wrapper's job.
 *
 * Params: dim=10 [1, 1e7], condition=10 [1, 1e12], rotate=true, instance=1
 * [1, 1e6]. Default start x0 = (1, ..., 1).
 *
 * The instance depends only on (dim, instance), never on the run seed or the
 * optimizer: the Gaussian matrix is drawn from GSL's mt19937 seeded with
 *   seed = (1000003 * instance + dim) mod 2^32
 * (mt19937 uses 32 bits of its seed; for dim <= 11585, the largest rotated
 * dimension, this is never 0 and distinct instances of one dim never collide).
 *
 * Memory: the dense A (n*n doubles, at most 2^27 = 1 GiB) or the diagonal, and
 * one work vector, come from the cell's arena (class "data"). Building A costs
 * O(n^3) once, in configure, and needs two more n*n scratch matrices (malloc,
 * freed before configure returns). eval and hvp compute A v one row at a time,
 * each row summed left to right, in parallel over rows: results are
 * bit-identical for every thread count. We do not call cblas_dgemv for this
 * because the CBLAS GSL links against may be a multithreaded one that does
 * not promise that.
 */
#include "config.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_vector.h>

#include "bench/ob_vec.h"
#include "problems/problem.h"

/* Largest dense matrix we build: 2^27 doubles = 1 GiB (n <= 11585). */
#define QUADRATIC_MAX_DENSE ((size_t)1 << 27)

typedef struct {
  size_t n;
  double condition;
  bool rotate;
  long long instance;
  double *lambda;     /* eigenvalues (arena); A's diagonal when !rotate */
  double *a;          /* dense A, row-major (arena); NULL when !rotate */
  double *work;       /* A x when eval is asked for f only (arena); NULL when !rotate.
                       * It makes eval non-reentrant on one instance, as every
                       * cell owns its instance. */
} quadratic_state;

static const ob_param_spec quadratic_params[] = {
  { "dim", OB_PARAM_INT, "10", 1, 1e7, 0, NULL, "d",
    "dimension n (a dense n x n matrix when rotate is true: n <= 11585)" },
  { "condition", OB_PARAM_REAL, "10", 1, 1e12, 0, NULL, "cond",
    "condition number of A: eigenvalues log-spaced from 1 to this value" },
  { "rotate", OB_PARAM_BOOL, "true", 0, 0, 0, NULL, NULL,
    "rotate the eigenbasis by a random orthogonal Q (false: a diagonal A)" },
  { "instance", OB_PARAM_INT, "1", 1, 1e6, 0, NULL, "i",
    "instance number: seeds the rotation Q (with dim), never the run seed" },
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }
};

/* The documented rotation seed (see the header comment). */
static unsigned long quadratic_seed(long long instance, size_t n)
{
  uint64_t s = 1000003u * (uint64_t)instance + (uint64_t)n;
  return (unsigned long)(s & 0xffffffffu);
}

/* Fills s->a with Q diag(lambda) Q^T for a Haar-random Q. A is formed as
 * B B^T with B = Q diag(sqrt(lambda)) through dsyrk, and the upper triangle
 * mirrored, so A is exactly symmetric. */
static int quadratic_build_dense(quadratic_state *s, ob_error *err)
{
  size_t n = s->n;
  int rc = OB_OK;
  gsl_matrix *g = gsl_matrix_alloc(n, n);
  gsl_matrix *q = gsl_matrix_alloc(n, n);
  gsl_vector *tau = gsl_vector_alloc(n);
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  if (!g || !q || !tau || !rng) {
    rc = ob_error_set(err, OB_ENOMEM, "out of memory building a %zux%zu rotation", n, n);
    goto done;
  }
  gsl_rng_set(rng, quadratic_seed(s->instance, n));
  for (size_t i = 0; i < n; i++)              /* row-major draw order is part of the instance */
    for (size_t j = 0; j < n; j++) gsl_matrix_set(g, i, j, gsl_ran_gaussian(rng, 1.0));

  /* R goes into A's arena block: it is overwritten by B B^T below. */
  gsl_matrix_view r = gsl_matrix_view_array(s->a, n, n);
  if (gsl_linalg_QR_decomp(g, tau) != GSL_SUCCESS ||
      gsl_linalg_QR_unpack(g, tau, q, &r.matrix) != GSL_SUCCESS) {
    rc = ob_error_set(err, OB_ENUMERIC, "QR factorization of the %zux%zu rotation failed", n, n);
    goto done;
  }
  /* Sign correction (Mezzadri 2007) makes Q itself Haar-distributed. A does not
   * depend on the column signs of Q; we keep the step so that Q is the
   * documented object should anything ever use it directly. */
  for (size_t j = 0; j < n; j++) {
    double scale = sqrt(s->lambda[j]);
    if (gsl_matrix_get(&r.matrix, j, j) < 0) scale = -scale;
    gsl_vector_view col = gsl_matrix_column(q, j);
    gsl_vector_scale(&col.vector, scale);
  }
  if (gsl_blas_dsyrk(CblasUpper, CblasNoTrans, 1.0, q, 0.0, &r.matrix) != GSL_SUCCESS) {
    rc = ob_error_set(err, OB_ENUMERIC, "forming the %zux%zu matrix failed", n, n);
    goto done;
  }
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < i; j++) s->a[i * n + j] = s->a[j * n + i];
done:
  gsl_rng_free(rng);
  gsl_vector_free(tau);
  gsl_matrix_free(q);
  gsl_matrix_free(g);
  return rc;
}

static int quadratic_configure(void *vs, const json_t *params, uint64_t seed, ob_memtier *mem,
                               ob_error *err)
{
  quadratic_state *s = vs;
  (void)seed;                         /* instances never depend on the run seed */
  s->n = (size_t)ob_params_int(params, "dim");
  s->condition = ob_params_real(params, "condition");
  s->rotate = ob_params_bool(params, "rotate");
  s->instance = ob_params_int(params, "instance");
  if (s->n < 1)
    return ob_error_set(err, OB_EINVAL, "dim must be at least 1");
  if (!(s->condition >= 1))
    return ob_error_set(err, OB_EINVAL, "condition must be at least 1");
  if (s->rotate && (s->n > QUADRATIC_MAX_DENSE / s->n)) {
    double mib = (double)s->n * (double)s->n * sizeof(double) / (1024.0 * 1024.0);
    return ob_error_set(err, OB_EINVAL,
                        "dim %zu makes a dense %zux%zu matrix of %.0f MiB (limit 1024 MiB); "
                        "set rotate to false for a diagonal quadratic", s->n, s->n, s->n, mib);
  }

  s->lambda = ob_memtier_alloc(mem, OB_MEM_DATA, s->n, err);
  if (!s->lambda) return err ? err->code : OB_ENOMEM;
  for (size_t i = 0; i < s->n; i++)
    s->lambda[i] = s->n == 1 ? 1.0 : pow(s->condition, (double)i / (double)(s->n - 1));
  if (!s->rotate) return OB_OK;

  s->a = ob_memtier_alloc(mem, OB_MEM_DATA, s->n * s->n, err);
  if (!s->a) return err ? err->code : OB_ENOMEM;
  s->work = ob_memtier_alloc(mem, OB_MEM_DATA, s->n, err);
  if (!s->work) return err ? err->code : OB_ENOMEM;
  return quadratic_build_dense(s, err);
}

static size_t quadratic_dim(const void *vs)
{
  return ((const quadratic_state *)vs)->n;
}

/* out = A v, one row per iteration, each row summed left to right. */
static void quadratic_matvec(const quadratic_state *s, const double *v, double *out)
{
  size_t n = s->n;
  const double *a = s->a;
#pragma omp parallel for schedule(static) if (n * n >= OB_VEC_PAR_MIN)
  for (size_t i = 0; i < n; i++) {
    const double *row = a + i * n;
    double acc = 0.0;
    for (size_t j = 0; j < n; j++) acc += row[j] * v[j];
    out[i] = acc;
  }
}

typedef struct {
  const double *lambda, *x;
  double *g;          /* NULL: f only */
} diag_ctx;

/* Partial 1/2 sum l_i x_i^2 over [lo, hi), writing g[i] = l_i x_i there. */
static double quadratic_diag_block(void *vctx, size_t lo, size_t hi)
{
  const diag_ctx *c = vctx;
  double acc = 0.0;
  for (size_t i = lo; i < hi; i++) {
    double ax = c->lambda[i] * c->x[i];
    acc += c->x[i] * ax;
    if (c->g) c->g[i] = ax;
  }
  return acc;
}

static int quadratic_eval(void *vs, const double *x, double *f, double *g, ob_error *err)
{
  quadratic_state *s = vs;
  (void)err;
  if (!s->rotate) {
    diag_ctx c = { s->lambda, x, g };
    *f = 0.5 * ob_vec_reduce(quadratic_diag_block, &c, s->n);
    return OB_OK;
  }
  double *ax = g ? g : s->work;
  quadratic_matvec(s, x, ax);
  *f = 0.5 * ob_vec_dot(x, ax, s->n);
  return OB_OK;
}

static int quadratic_hvp(void *vs, const double *x, const double *v, double *out, ob_error *err)
{
  const quadratic_state *s = vs;
  (void)x;
  (void)err;
  if (s->rotate) {
    quadratic_matvec(s, v, out);
    return OB_OK;
  }
  size_t n = s->n;
#pragma omp parallel for schedule(static) if (n >= OB_VEC_PAR_MIN)
  for (size_t i = 0; i < n; i++) out[i] = s->lambda[i] * v[i];
  return OB_OK;
}

static void quadratic_x0(const void *vs, double *x)
{
  const quadratic_state *s = vs;
  for (size_t i = 0; i < s->n; i++) x[i] = 1.0;
}

static double quadratic_f_opt(const void *vs)
{
  (void)vs;
  return 0.0;
}

static int quadratic_x_opt(const void *vs, double *x)
{
  const quadratic_state *s = vs;
  for (size_t i = 0; i < s->n; i++) x[i] = 0.0;
  return OB_OK;
}

const ob_problem_type ob_problem_quadratic = {
  .name = "quadratic",
  .summary = "convex quadratic 1/2 x^T A x with log-spaced eigenvalues and a random rotation",
  .reference = "Nocedal & Wright, Numerical Optimization (2006), sec. 3.3; rotation: Mezzadri, Notices AMS 54 (2007)",
  .params = quadratic_params,
  .state_size = sizeof(quadratic_state),
  .provides = OB_PROVIDES_GRAD | OB_PROVIDES_HVP | OB_PROVIDES_FOPT,
  .configure = quadratic_configure,
  .dim = quadratic_dim,
  .eval = quadratic_eval,
  .hvp = quadratic_hvp,
  .x0 = quadratic_x0,
  .f_opt = quadratic_f_opt,
  .x_opt = quadratic_x_opt,
  .free = NULL, /* everything lives in the arena */
};
