/* random_spd.c -- a dense random symmetric positive definite system, a
 * Wishart matrix plus a ridge:
 *
 *   A = G'G / n + alpha I,   G_ij ~ N(0, 1) (n x n),   b = ones | random | file
 *
 * By the Marchenko-Pastur law the spectrum of G'G/n fills (0, 4] as n grows,
 * so alpha sets the conditioning (kappa ~ (4 + alpha) / alpha). A is stored
 * as CSR with every off-diagonal entry (dense): a non-stencil, non-consistently
 * ordered SPD case for Jacobi, SOR and CG (Saad, "Iterative Methods for Sparse
 * Linear Systems", 2003, ch. 4 and 6). rho(J) has no closed form (NAN).
 * G is drawn from mt19937 seeded by (instance, run seed). x0 = 0.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "problems/linsys.h"

typedef struct {
  ob_linsys_sys sys;
} random_spd_state;

static const ob_param_spec random_spd_params[] = {
  { "dim", OB_PARAM_INT, "50", 1, 4000, 0, NULL, "d", "number of unknowns n (dense: n <= 4000)" },
  { "alpha", OB_PARAM_REAL, "0.1", 0.0, HUGE_VAL, OB_PARAM_MIN_OPEN, NULL, NULL, "ridge added to G'G/n" },
  { "rhs", OB_PARAM_STRING, "\"ones\"", 0, 0, 0, "ones|random|file", NULL, "right-hand side" },
  { "rhs_file", OB_PARAM_STRING, "null", 0, 0, OB_PARAM_NULLABLE | OB_PARAM_PATH | OB_PARAM_HIDE_IN_ID, NULL, NULL,
    "file with one number per line (rhs = file)" },
  { "instance", OB_PARAM_INT, "1", 1, 1e6, 0, NULL, "i", "instance number (seeds G and b with the run seed)" },
  OB_LINSYS_COMMON_PARAMS,
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }
};

static int random_spd_configure(void *vs, const json_t *params, uint64_t seed, ob_memtier *mem, ob_error *err)
{
  ob_linsys_sys *s = &((random_spd_state *)vs)->sys;
  size_t n = (size_t)ob_params_int(params, "dim");
  double alpha = ob_params_real(params, "alpha");
  uint64_t iseed = seed * 1000003u + (uint64_t)ob_params_int(params, "instance");
  int rc = ob_linsys_alloc(s, n, mem, err);
  if (rc < 0) return rc;
  gsl_matrix *g = gsl_matrix_alloc(n, n), *a = gsl_matrix_alloc(n, n);
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  size_t nnz = n * n;
  size_t *ri = malloc(nnz * sizeof *ri), *ci = malloc(nnz * sizeof *ci);
  double *v = malloc(nnz * sizeof *v);
  if (!g || !a || !rng || !ri || !ci || !v) {
    rc = ob_error_set(err, OB_ENOMEM, "out of memory for a dense %zux%zu matrix", n, n);
    goto done;
  }
  gsl_rng_set(rng, (unsigned long)(iseed & 0xffffffffu));
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < n; j++) gsl_matrix_set(g, i, j, gsl_ran_gaussian_ziggurat(rng, 1.0));
  gsl_blas_dsyrk(CblasUpper, CblasTrans, 1.0 / (double)n, g, 0.0, a);
  size_t k = 0;
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < n; j++) {
      double aij = i <= j ? gsl_matrix_get(a, i, j) : gsl_matrix_get(a, j, i);
      ri[k] = i; ci[k] = j; v[k] = aij + (i == j ? alpha : 0.0); k++;
    }
  rc = ob_linsys_from_triplets(s, k, ri, ci, v, err);
  if (rc < 0) goto done;
  const char *rf = ob_params_is_null(params, "rhs_file") ? NULL : ob_params_string(params, "rhs_file");
  rc = ob_linsys_rhs(s, ob_params_string(params, "rhs"), rf, iseed + 7919u, err);
  if (rc < 0) goto done;
  rc = ob_linsys_finish(s, params, true, NAN, mem, err);
done:
  gsl_matrix_free(g);
  gsl_matrix_free(a);
  gsl_rng_free(rng);
  free(ri);
  free(ci);
  free(v);
  return rc;
}

static void random_spd_free(void *vs)
{
  ob_linsys_sys_free(&((random_spd_state *)vs)->sys);
}

const ob_problem_type ob_problem_random_spd = {
  .name = "random_spd",
  .summary = "dense random SPD system G'G/n + alpha I (Wishart plus ridge), also as 1/2 x'Ax - b'x",
  .reference = "Marchenko & Pastur 1967 (spectrum); Saad, Iterative Methods for Sparse Linear Systems (2003)",
  .params = random_spd_params,
  .state_size = sizeof(random_spd_state),
  .provides = OB_PROVIDES_GRAD | OB_PROVIDES_HVP | OB_PROVIDES_FOPT | OB_PROVIDES_LINSYS,
  .configure = random_spd_configure,
  .dim = ob_linsys_hook_dim,
  .eval = ob_linsys_hook_eval,
  .hvp = ob_linsys_hook_hvp,
  .x0 = ob_linsys_hook_x0,
  .f_opt = ob_linsys_hook_f_opt,
  .x_opt = ob_linsys_hook_x_opt,
  .free = random_spd_free,
  .linsys = ob_linsys_hook_view,
  .metrics = ob_linsys_hook_metrics,
};
