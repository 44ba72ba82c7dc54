/* diag_dominant.c -- a sparse, strictly row diagonally dominant system:
 *
 *   row i: Binomial(n - 1, density) off-diagonal entries a_ij ~ U(-1, 1) in uniformly
 *   drawn columns j != i (repeats summed; mirrored from the upper triangle when symmetric),
 *   a_ii = dominance * sum_{j != i} |a_ij|  (a_ii = 1 for an empty row),  dominance > 1.
 *
 * Strict diagonal dominance makes Jacobi and Gauss-Seidel converge for every
 * such matrix (Saad, "Iterative Methods for Sparse Linear Systems", 2003,
 * Thm. 4.9), with ||J||_inf <= 1/dominance. When symmetric, A is SPD
 * (Gershgorin) and the problem is the quadratic 1/2 x'Ax - b'x; otherwise it
 * is the least-squares function 1/2 ||Ax - b||^2 with f_opt unknown (NAN).
 * Entries are drawn row by row from mt19937 seeded by (instance, run seed).
 */
#include "config.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "problems/linsys.h"

typedef struct {
  ob_linsys_sys sys;
} diag_dominant_state;

static const ob_param_spec diag_dominant_params[] = {
  { "dim", OB_PARAM_INT, "100", 1, 4e9, 0, NULL, "d", "number of unknowns n" },
  { "density", OB_PARAM_REAL, "0.05", 0.0, 1.0, 0, NULL, NULL, "probability of each off-diagonal entry" },
  { "dominance", OB_PARAM_REAL, "1.5", 1.0, HUGE_VAL, OB_PARAM_MIN_OPEN, NULL, NULL,
    "a_ii / sum_{j!=i} |a_ij| (> 1)" },
  { "symmetric", OB_PARAM_BOOL, "false", 0, 0, 0, NULL, "sym", "mirror the entries (then A is SPD)" },
  { "rhs", OB_PARAM_STRING, "\"ones\"", 0, 0, 0, "ones|random|file", NULL, "right-hand side" },
  { "rhs_file", OB_PARAM_STRING, "null", 0, 0, OB_PARAM_NULLABLE | OB_PARAM_PATH | OB_PARAM_HIDE_IN_ID, NULL, NULL,
    "file with one number per line (rhs = file)" },
  { "instance", OB_PARAM_INT, "1", 1, 1e6, 0, NULL, "i", "instance number (seeds A and b with the run seed)" },
  OB_LINSYS_COMMON_PARAMS,
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }
};

static int dd_push(size_t **ri, size_t **ci, double **v, size_t *k, size_t *cap, size_t r, size_t c, double x)
{
  if (*k == *cap) {
    size_t nc = *cap ? 2 * *cap : 1024;
    size_t *a = realloc(*ri, nc * sizeof *a);
    if (!a) return -1;
    *ri = a;
    size_t *b = realloc(*ci, nc * sizeof *b);
    if (!b) return -1;
    *ci = b;
    double *d = realloc(*v, nc * sizeof *d);
    if (!d) return -1;
    *v = d;
    *cap = nc;
  }
  (*ri)[*k] = r; (*ci)[*k] = c; (*v)[*k] = x; (*k)++;
  return 0;
}

static int diag_dominant_configure(void *vs, const json_t *params, uint64_t seed, ob_memtier *mem, ob_error *err)
{
  ob_linsys_sys *s = &((diag_dominant_state *)vs)->sys;
  size_t n = (size_t)ob_params_int(params, "dim");
  double density = ob_params_real(params, "density"), dom = ob_params_real(params, "dominance");
  bool sym = ob_params_bool(params, "symmetric");
  uint64_t iseed = seed * 1000003u + (uint64_t)ob_params_int(params, "instance");
  int rc = ob_linsys_alloc(s, n, mem, err);
  if (rc < 0) return rc;
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  size_t *ri = NULL, *ci = NULL, k = 0, cap = 0;
  double *v = NULL;
  if (!rng) return ob_error_set(err, OB_ENOMEM, "out of memory");
  gsl_rng_set(rng, (unsigned long)(iseed & 0xffffffffu));
  /* Row i gets Binomial(m, density) entries in uniformly drawn columns (m = n - 1,
   * or the n - 1 - i columns right of i when symmetric; repeats are summed):
   * O(nnz) work, so large sparse instances are cheap. */
  for (size_t i = 0; i < n && rc == OB_OK; i++) {
    size_t lo = sym ? i + 1 : 0, m = sym ? n - 1 - i : n - 1;
    if (m == 0) continue;
    unsigned cnt = gsl_ran_binomial(rng, density, (unsigned)m);
    for (unsigned q = 0; q < cnt; q++) {
      size_t j = lo + (size_t)gsl_rng_uniform_int(rng, (unsigned long)m);
      if (!sym && j >= i) j++;            /* skip the diagonal */
      double x = 2.0 * gsl_rng_uniform(rng) - 1.0;
      if (dd_push(&ri, &ci, &v, &k, &cap, i, j, x) < 0 ||
          (sym && dd_push(&ri, &ci, &v, &k, &cap, j, i, x) < 0)) {
        rc = ob_error_set(err, OB_ENOMEM, "out of memory for the sparse matrix");
        break;
      }
    }
  }
  gsl_rng_free(rng);
  if (rc == OB_OK) rc = ob_linsys_from_triplets(s, k, ri, ci, v, err);
  free(ri);
  free(ci);
  free(v);
  if (rc < 0) return rc;
  for (size_t i = 0; i < n; i++) {
    double sum = 0.0;
    for (size_t q = s->rowptr[i]; q < s->rowptr[i + 1]; q++) sum += fabs(s->val[q]);
    s->diag[i] = sum > 0 ? dom * sum : 1.0;
  }
  const char *rf = ob_params_is_null(params, "rhs_file") ? NULL : ob_params_string(params, "rhs_file");
  rc = ob_linsys_rhs(s, ob_params_string(params, "rhs"), rf, iseed + 7919u, err);
  if (rc < 0) return rc;
  return ob_linsys_finish(s, params, sym, NAN, mem, err);
}

static void diag_dominant_free(void *vs)
{
  ob_linsys_sys_free(&((diag_dominant_state *)vs)->sys);
}

const ob_problem_type ob_problem_diag_dominant = {
  .name = "diag_dominant",
  .summary = "sparse strictly diagonally dominant system (nonsymmetric, or SPD when symmetric)",
  .reference = "Saad, Iterative Methods for Sparse Linear Systems (2003), sec. 4.2, Thm. 4.9",
  .params = diag_dominant_params,
  .state_size = sizeof(diag_dominant_state),
  .provides = OB_PROVIDES_GRAD | OB_PROVIDES_HVP | OB_PROVIDES_FOPT | OB_PROVIDES_LINSYS,
  .configure = diag_dominant_configure,
  .dim = ob_linsys_hook_dim,
  .eval = ob_linsys_hook_eval,
  .hvp = ob_linsys_hook_hvp,
  .x0 = ob_linsys_hook_x0,
  .f_opt = ob_linsys_hook_f_opt,
  .x_opt = ob_linsys_hook_x_opt,
  .free = diag_dominant_free,
  .linsys = ob_linsys_hook_view,
  .metrics = ob_linsys_hook_metrics,
};
